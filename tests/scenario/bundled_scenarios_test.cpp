// The scenario library (scenarios/*.toml, issue 5): every bundled file loads,
// runs a few days at small size, and the decree designs of decree_designs.toml
// agree with the scenario files they stand for.
#include "complysim/scenario.hpp"
#include "complysim/simulation/run.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

using namespace complysim;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> bundled_scenarios() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(COMPLYSIM_SOURCE_DIR) / "scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".toml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every bundled scenario validates", "[scenario][bundled]") {
  const auto files = bundled_scenarios();
  REQUIRE(files.size() >= 12);  // baseline, the example and the ten files of issue 5
  for (const auto& f : files) {
    INFO(f.string());
    CHECK_NOTHROW(load_scenario(f));
  }
}

TEST_CASE("every bundled scenario runs a few days at small size", "[scenario][bundled]") {
  for (const auto& f : bundled_scenarios()) {
    INFO(f.string());
    Scenario s = load_scenario(f);
    // After loading (events are checked against the file's own horizon); later events never fire.
    set_param(s, "simulation.days", ParamValue(std::int64_t{5}));
    set_param(s, "population.users", ParamValue(std::int64_t{500}));
    const RunResult r = simulate(s, RunKey::derive(static_cast<std::uint64_t>(s.simulation.seed), 0, 0));
    REQUIRE(r.summary.size() == outcome_table().size());
    const double scr = r.summary[static_cast<std::size_t>(OutcomeId::SelfCensorshipRate)][0];
    CHECK((std::isnan(scr) || (scr >= 0 && scr <= 1)));
  }
}

TEST_CASE("decree_designs.toml restates the scenario files' values", "[scenario][bundled]") {
  const fs::path dir = fs::path(COMPLYSIM_SOURCE_DIR) / "scenarios";
  const Scenario designs = load_scenario(dir / "decree_designs.toml");
  REQUIRE(designs.sweep.designs.size() == 6);
  for (const auto& d : designs.sweep.designs) {
    const Scenario file = load_scenario(dir / (d.name + ".toml"));
    for (const auto& [name, value] : d.set) {
      INFO(d.name << ": " << name);
      CHECK(to_toml_text(get_param(file, name)) == to_toml_text(get_param([&] {
              Scenario x = designs;
              set_param(x, name, value);
              return x;
            }(), name)));
    }
  }
}
