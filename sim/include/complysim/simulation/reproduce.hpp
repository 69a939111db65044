// complysim — `complysim reproduce FILE.h5`: re-running the runs of a results
// file from what the file itself carries (the resolved scenario text, the
// design, embedded input files) and comparing every dataset of each run bit
// for bit (issue 17; docs/output-format.md, "Publishing and checking a file").
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace complysim {

/// A results file that cannot be reproduced as it stands: not a complysim
/// results file, an unsupported format_version, another model_spec_version
/// than this build implements, an embedded scenario that does not load, or a
/// file-level mismatch that makes its runs unidentifiable. The CLI exits 2.
class ReproduceRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How to reproduce.
struct ReproduceOptions {
  /// Re-run only this many runs (the first, the last and the rest drawn at
  /// random without replacement); <= 0 or >= the file's runs: every run.
  std::int64_t sample_runs = 0;
  std::uint64_t sample_seed = 0;            ///< seed of that draw (std::mt19937_64)
  const std::atomic<bool>* cancel = nullptr;  ///< Ctrl-C: throws Cancelled
  /// Called once with the number of runs to re-run, and after each run.
  std::function<void(std::int64_t)> on_start;
  std::function<void()> on_run;
};

/// The first value that differs between the file and its re-run.
struct ReproduceDifference {
  std::int64_t row = -1;     ///< row of /runs (-1: a file-level dataset such as /design/samples)
  std::int64_t run = -1;     ///< the run's /runs/run value (-1: file level)
  std::string dataset;       ///< e.g. "/runs/outcomes/self_censorship_rate[1]" or "/timeseries/x[record 3]"
  std::string file_value;    ///< as stored (doubles with 17 significant digits and their bits)
  std::string rerun_value;   ///< as re-computed now
};

/// What reproduce_file did.
struct ReproduceReport {
  std::string kind;                       ///< /design kind: single, grid, lhs, sobol, compare
  std::int64_t file_runs = 0;             ///< rows of /runs
  std::vector<std::int64_t> rows;         ///< rows selected to re-run, ascending
  bool sampled = false;                   ///< rows is a random sample (--runs K < file_runs)
  std::int64_t identical = 0;             ///< rows re-run and found identical (all of `rows` when no difference)
  std::optional<ReproduceDifference> difference;  ///< the first difference, if any
  /// Warnings (the file was written by another complysim version or commit).
  std::vector<std::string> warnings;
};

/// Reproduces `file`: checks format_version (ResultsReader) and
/// model_spec_version first, rebuilds every scenario from /inputs/scenario_toml
/// (or the root attribute `scenario_toml` in files without /inputs; the text is
/// already resolved, so no override is applied again) with the embedded input
/// files standing in for the disk, checks the file-level datasets (/design,
/// platforms, /timeseries/day, /runs/params names), then re-runs the selected
/// runs in parallel (oneTBB; batches in row order) and compares each row's
/// run, point, replicate, design, seed, status, message, params, outcomes and
/// time series bit for bit, stopping at the first difference.
/// Handles `complysim run`, `sweep` (whole, shard or merged) and `compare` files.
/// @throws ReproduceRefused (see there), io::H5Error, io::FormatError for unreadable files;
///         Cancelled when options.cancel is raised.
ReproduceReport reproduce_file(const std::filesystem::path& file, const ReproduceOptions& options = {});

/// Splits the root `scenario_toml` of a compare file written before /inputs
/// existed into its scenarios (each after a "# ---- scenario I: NAME (PATH)" line).
std::vector<std::string> split_compare_scenarios(const std::string& scenario_toml);

}  // namespace complysim
