// Fuzz target: the scenario loader (TOML bytes -> load, merge, validate) and
// the resolved scenario's round trip (to_toml, then load again).
// Contract (scenario.hpp): every bad input is a ScenarioError; any other
// exception, a crash or a sanitizer report is a finding.
#include "complysim/scenario.hpp"
#include "fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace complysim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Scenario s;
  try {
    s = load_scenario_text(text, "fuzz.toml", {}, fuzz::empty_dir());
  } catch (const ScenarioError&) {
    return 0;  // refused with FILE:LINE:COLUMN: error: ...
  }
  // A scenario that loads must print as TOML that loads to the same text.
  const std::string once = to_toml(s);
  try {
    // The same name: to_toml names the file in its first line.
    const Scenario again = load_scenario_text(once, "fuzz.toml", {}, fuzz::empty_dir());
    if (to_toml(again) != once) {
      std::fprintf(stderr, "round trip changed the scenario:\n%s\n----\n%s\n", once.c_str(), to_toml(again).c_str());
      std::abort();
    }
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "to_toml output does not load: %s\n%s\n", e.what(), once.c_str());
    std::abort();
  }
  return 0;
}
