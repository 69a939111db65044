// scenarios/levers/ (model v2, issue 12): each file changes one lever of
// decree53_2022.toml, and nothing else, so that a paired comparison against
// its base reads that lever's effect alone.
#include "complysim/scenario.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

using namespace complysim;
namespace fs = std::filesystem;

namespace {

/// Dotted names (outside the per-jurisdiction copies) whose resolved values differ.
std::set<std::string> differing_fields(const Scenario& a, const Scenario& b) {
  std::set<std::string> out;
  for (const auto& [name, origin] : a.origins) {
    if (name.rfind("jurisdictions.", 0) == 0) continue;  // copies of the top-level law/regulator
    if (to_toml_text(get_param(a, name)) != to_toml_text(get_param(b, name))) out.insert(name);
  }
  return out;
}

}  // namespace

TEST_CASE("every lever scenario changes one to three fields of decree53_2022.toml", "[scenario][bundled]") {
  const fs::path dir = fs::path(COMPLYSIM_SOURCE_DIR) / "scenarios";
  const Scenario base = load_scenario(dir / "decree53_2022.toml");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir / "levers")) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    INFO(e.path().filename().string());
    const Scenario lever = load_scenario(e.path());
    const auto diff = differing_fields(base, lever);
    CHECK(diff.size() >= 1);
    CHECK(diff.size() <= 3);
    for (const auto& name : diff) {
      INFO(name);
      // A lever is a field of the decree (law) or of its enforcement (regulator).
      CHECK((name.rfind("law.", 0) == 0 || name.rfind("regulator.", 0) == 0));
    }
    // Events, platforms and the population are the base's.
    CHECK(lever.events.size() == base.events.size());
    CHECK(lever.platforms.size() == base.platforms.size());
  }
  CHECK(files == 10);  // the ten levers of issue 12
}
