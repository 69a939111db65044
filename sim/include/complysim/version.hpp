// complysim — program version and provenance.
#pragma once
#include <string_view>

namespace complysim {
/// Semantic version of complysim, e.g. "0.1.0".
std::string_view version();
/// Short git commit the binary was configured from, or "unknown".
std::string_view git_commit();
}  // namespace complysim
