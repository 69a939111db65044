// Fuzz target: --set NAME=VALUE overrides (one per input line) on a small
// valid scenario. Every bad override is a ScenarioError.
#include "complysim/scenario.hpp"
#include "fuzz_common.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace {
constexpr std::string_view kBase = R"(
[population]
users = 100
mean_degree = 4
[[platforms]]
name = "a"
[[platforms]]
name = "b"
[[jurisdictions]]
name = "X"
population_share = 0.5
[[jurisdictions]]
name = "Y"
population_share = 0.5
[sweep]
design = "lhs"
samples = 4
[sweep.parameters]
"law.vagueness" = { min = 0.0, max = 0.5 }
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace complysim;
  std::vector<std::string> sets;
  std::string line;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      sets.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty() || sets.empty()) sets.push_back(line);
  try {
    (void)load_scenario_text(kBase, "base.toml", sets, fuzz::empty_dir());
  } catch (const ScenarioError&) {
  }
  return 0;
}
