// complysim — the per-run status of a results file and a sweep journal
// (docs/output-format.md, /runs/status), beside the file format.
#pragma once

#include <cstdint>

namespace complysim {

/// Run status values stored in /runs/status: 0 ok, 1 failed, -1 missing (not run).
enum class RunStatus : std::int8_t { Ok = 0, Failed = 1, Missing = -1 };

}  // namespace complysim
