// complysim CLI — the subcommands. Each lives in its own cmd_NAME.cpp and is
// listed once in the table in main.cpp; add a command by adding both.
#pragma once

#include <string>
#include <vector>

namespace complysim::cli {

/// A subcommand: receives its arguments (without the program and command name)
/// and returns the process exit status (0 ok, 2 any error; see cli_common.hpp).
using CommandFn = int (*)(const std::vector<std::string>& args);

/// `complysim validate SCENARIO [--set NAME=VALUE]...`: loads and checks a
/// scenario, prints every resolved field with its value and origin.
int cmd_validate(const std::vector<std::string>& args);

/// `complysim params [--format table|markdown|csv]`: prints the parameter table.
int cmd_params(const std::vector<std::string>& args);

/// `complysim run SCENARIO [...]`: runs the replicates, prints the outcome
/// table, optionally writes an HDF5 results file.
int cmd_run(const std::vector<std::string>& args);

/// `complysim sweep SCENARIO -o OUT.h5 [...]`: runs a scenario's [sweep] into a
/// crash-safe journal and consolidates it into OUT.h5 (docs/sweeps.md).
int cmd_sweep(const std::vector<std::string>& args);

/// `complysim merge PART.h5... -o OUT.h5`: merges the shard files of one sweep.
int cmd_merge(const std::vector<std::string>& args);

/// `complysim info FILE.h5`: provenance, design and run counts of a results file.
int cmd_info(const std::vector<std::string>& args);

/// `complysim compare A.toml B.toml... [...]`: runs every scenario with the same
/// seeds and prints the paired what-if table (analysis/compare.hpp).
int cmd_compare(const std::vector<std::string>& args);

/// `complysim analyze FILE.h5 [...]`: Sobol indices, main effects and paired
/// design comparisons from a results file (complysim/analysis/analyze.hpp).
int cmd_analyze(const std::vector<std::string>& args);

/// `complysim reproduce FILE.h5 [--runs K] [--threads N]`: re-runs a results
/// file's runs from what it carries and compares them bit for bit (exit 0 / 1 / 2).
int cmd_reproduce(const std::vector<std::string>& args);

/// `complysim serve [--port 8080] [--host 127.0.0.1] [--scenarios DIR]`: the
/// workshop what-if page over the compare machinery (sim/serve/, docs/workshop.md).
int cmd_serve(const std::vector<std::string>& args);

}  // namespace complysim::cli
