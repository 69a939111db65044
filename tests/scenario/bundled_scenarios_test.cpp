// The scenario library (scenarios/*.toml, issue 5): every bundled file loads,
// runs its whole horizon at small size with its events checked, and the decree designs of decree_designs.toml
// agree with the scenario files they stand for.
#include "complysim/scenario.hpp"
#include "complysim/model/model.hpp"
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

TEST_CASE("every bundled scenario runs its whole horizon at small size, and its events take effect", "[scenario][bundled]") {
  int set_events = 0, actions = 0;
  for (const auto& f : bundled_scenarios()) {
    INFO(f.string());
    Scenario s = load_scenario(f);
    set_param(s, "population.users", ParamValue(std::int64_t{1500}));
    Model m(s, RunKey::derive(static_cast<std::uint64_t>(s.simulation.seed), 0, 0));
    std::size_t next = 0;
    while (m.day() < s.simulation.days) {
      const std::int64_t day = m.day();
      m.step();
      // Every event of this day has taken effect by the end of the day.
      for (; next < s.events.size() && s.events[next].day <= day; ++next) {
        const Event& e = s.events[next];
        INFO("event on day " << e.day << ": " << e.note);
        for (const auto& [name, value] : e.set) {
          CHECK(to_toml_text(get_param(m.scenario(), name)) == to_toml_text(value));
          ++set_events;
        }
        if (e.action.empty()) continue;
        ++actions;
        int targets = 0;
        for (const auto& op : m.operations()) {
          if (s.platforms[static_cast<std::size_t>(op.platform)].name != e.platform || op.status == PlatformStatus::Exited) continue;
          ++targets;
          if (e.action == "throttle") {
            CHECK(op.status == PlatformStatus::Throttled);
            CHECK(op.status_until == e.day + e.days);
          } else if (e.action == "suspend") {
            CHECK(op.status == PlatformStatus::Suspended);
            CHECK(op.status_until == e.day + e.days);
          } else {
            CHECK(op.escalation_level >= 2);
          }
        }
        CHECK(targets > 0);
      }
    }
    CHECK(next == s.events.size());  // every event fired
    const RunResult r = m.result();
    REQUIRE(r.summary.size() == outcome_table().size());
    const double scr = r.summary[static_cast<std::size_t>(OutcomeId::SelfCensorshipRate)][0];
    CHECK((scr >= 0 && scr <= 1));
  }
  CHECK(set_events >= 3);  // the scenario library has decrees taking effect mid-run...
  CHECK(actions >= 1);     // ...and the 2020 throttling of Facebook
}

TEST_CASE("decree_designs.toml restates the scenario files' values", "[scenario][bundled]") {
  const fs::path dir = fs::path(COMPLYSIM_SOURCE_DIR) / "scenarios";
  const Scenario designs = load_scenario(dir / "decree_designs.toml");
  REQUIRE(designs.sweep.designs.size() == 16);  // six decree designs and the ten one-lever scenarios
  int levers = 0;
  for (const auto& d : designs.sweep.designs) {
    // "lever_X" restates scenarios/levers/X.toml (decree53_2022 with one lever moved).
    const bool lever = d.name.rfind("lever_", 0) == 0;
    levers += lever;
    const fs::path path = lever ? dir / "levers" / (d.name.substr(6) + ".toml") : dir / (d.name + ".toml");
    REQUIRE(fs::is_regular_file(path));
    const Scenario file = load_scenario(path);
    for (const auto& [name, value] : d.set) {
      INFO(d.name << ": " << name);
      CHECK(to_toml_text(get_param(file, name)) == to_toml_text(get_param([&] {
              Scenario x = designs;
              set_param(x, name, value);
              return x;
            }(), name)));
    }
  }
  CHECK(levers == 10);
}
