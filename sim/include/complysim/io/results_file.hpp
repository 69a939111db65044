// complysim — the HDF5 results file (docs/output-format.md is the contract).
//
// One file holds the provenance of a run or sweep (root attributes), one row
// per run under /runs (keys, status, varied parameters, outcome summaries),
// the recorded time series under /timeseries and the sweep design under
// /design. Rows are appended one at a time to chunked, compressed, extendible
// datasets, so memory stays bounded however many runs a file holds.
//
// Nothing here exposes HDF5: the C API lives behind the private sim/src/io/h5.hpp.
#pragma once

#include <Eigen/Core>

#include <complysim/core/outcomes.hpp>
#include <complysim/input_files.hpp>
#include <complysim/io/run_status.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace complysim::io {

/// Any failure of the HDF5 library. what() names the HDF5 operation, the object
/// path inside the file (or the file name) and HDF5's own innermost message,
/// e.g. "H5Fopen failed on 'out.h5': file signature not found".
class H5Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A file that is HDF5 but not a complysim results file, or a results file
/// whose layout is not the one documented (missing dataset, wrong shape,
/// unsupported format_version).
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Value of the root attribute `format`.
inline constexpr const char* kFormatName = "complysim-results";
/// Value of the root attribute `format_version` written by this build.
inline constexpr std::int64_t kFormatVersion = 2;
/// Version of the model specification (model-spec.md) this build implements,
/// written as the root attribute `model_spec_version`. A file without it was
/// produced under version 1 (format_version 1 files hold model v1 results).
inline constexpr std::int64_t kModelSpecVersion = 2;

/// What produced the file. The caller fills the first seven fields; the writer
/// fills the rest (the reader returns them all as stored).
struct Provenance {
  std::string scenario_toml;           ///< the resolved scenario, as TOML text
  std::vector<std::string> overrides;  ///< the --set strings, in order (may be empty)
  std::string command_line;            ///< the command line, as typed
  std::uint64_t seed = 0;              ///< simulation.seed
  std::string start_date;              ///< ISO date of day 0 ("" = none)
  std::string shard;                   ///< `--shard I/N` of a sweep shard ("I/N"), or "" (root attribute `shard`)
  /// Runs of the whole sweep (all shards; root attribute `n_runs_total`);
  /// -1 = the number of rows written (set at close()).
  std::int64_t n_runs_total = -1;
  /// Each scenario's resolved TOML on its own (dataset /inputs/scenario_toml):
  /// one for run and sweep files, one per design (in /design/names order) for
  /// compare files. Empty = { scenario_toml } (the writer stores that).
  std::vector<std::string> scenario_texts;
  /// Other input files the runs read (e.g. a sweep's points file), embedded
  /// under /inputs so the file reproduces from itself alone (may be empty).
  std::vector<InputFile> inputs;
  /// MPI ranks of the job that wrote the file (root attribute `mpi_ranks`; 1
  /// without MPI). Provenance only, like created_utc: not part of the content.
  std::int64_t mpi_ranks = 1;
  // Filled by ResultsWriter (ignored on input):
  std::string complysim_version;       ///< complysim::version()
  std::string git_commit;              ///< complysim::git_commit()
  std::string created_utc;             ///< "2024-05-01T12:34:56Z"
  std::string compiler;                ///< compiler_id()
  std::string library_versions;        ///< library_versions()
  // Filled by ResultsReader only (the writer writes its own constants):
  std::int64_t format_version = kFormatVersion;  ///< root attribute `format_version`
  std::int64_t model_spec_version = 1;           ///< root attribute `model_spec_version`; 1 when absent
};

/// Shape of the per-run data.
struct ResultsSchema {
  std::vector<std::string> platforms;    ///< platform names: width of [p] outcomes (>= 1)
  std::vector<std::string> param_names;  ///< dotted names of the varied parameters, column order of RunRow::params
  /// [param_names] or empty: each parameter's unit (the parameter table's), written as the
  /// `unit` attribute of /runs/params/<name> so readers need no copy of the table.
  std::vector<std::string> param_units;
  std::vector<std::int64_t> record_day;  ///< [records] day index of each time-series record (may be empty)
  std::string start_date;                ///< ISO date of day 0; "" writes no /timeseries/date
  /// Jurisdiction names in scenario order. With two or more, every outcome not
  /// per platform is also stored per jurisdiction: /runs/by_jurisdiction/<name>
  /// [runs, jurisdictions] and /timeseries/by_jurisdiction/<name> [runs, records,
  /// jurisdictions] (model-spec.md section 7), and the root and both groups carry
  /// the attribute `jurisdictions`; with fewer, none of these is written (and
  /// the reader leaves this empty).
  std::vector<std::string> jurisdictions;
};

/// The design of a sweep (or of a single `complysim run`).
struct DesignInfo {
  std::string kind = "single";                  ///< "single" | "grid" | "lhs" | "sobol" | "file" | "compare"
  std::vector<std::string> names{"baseline"};   ///< [designs] decree design names
  std::vector<std::string> settings{""};        ///< [designs] each design's `set` as a TOML inline table ("" = none)
  std::vector<std::string> parameters;          ///< [d] dotted names of the sampled parameters
  Eigen::MatrixXd samples;                      ///< [samples, d] sample matrix (may be [0, 0] or [n, 0])
  std::vector<std::int8_t> block;               ///< [samples] sobol: 0 = A, 1 = B, 2+i = AB_i; -1 otherwise (empty = all -1)
  std::int64_t sobol_base_samples = 0;          ///< sobol: base size N; 0 otherwise
  std::int64_t replicates = 1;                  ///< runs per (sample, design)
  /// [samples] "file" designs with a `weight` column: each point's weight (/design/weight,
  /// written only when non-empty); empty otherwise.
  std::vector<double> weight;
};

/// One row of /runs, as appended or read.
struct RunRow {
  std::int64_t run = -1;        ///< global run index of a sweep (/runs/run); -1 = the row's position
  std::int64_t point = 0;       ///< sweep sample index (0 for complysim run)
  std::int64_t replicate = 0;   ///< replicate index
  std::int64_t design = 0;      ///< index into DesignInfo::names
  std::uint64_t seed = 0;       ///< the run's 64-bit stream key
  RunStatus status = RunStatus::Ok;
  std::string message;          ///< why a run failed; "" when ok
  std::vector<double> params;   ///< [param_names] values of the varied parameters
  /// Outcomes and series (shapes as documented on RunResult, with
  /// series[k].size() == records * width_k). nullptr writes NaN everywhere
  /// (failed or missing runs).
  const RunResult* result = nullptr;
};

/// A row read back from a file, owning its result.
struct RunRecord {
  RunRow row;        ///< row.result is nullptr; use as_row() to append it elsewhere
  RunResult result;  ///< summary and series as stored (NaN for failed runs)
  /// The row with result pointing at this->result (valid while *this lives).
  RunRow as_row() const {
    RunRow r = row;
    r.result = &result;
    return r;
  }
};

/// Width of outcome `k` under `schema` (1, or the number of platforms).
std::int64_t outcome_width(const OutcomeSpec& spec, const ResultsSchema& schema);

/// Writes a results file row by row. One writer must not be used from two
/// threads at once (HDF5 itself is built thread-safe, with a global lock).
class ResultsWriter {
 public:
  /// Creates `path` and writes the root attributes, /design and empty /runs
  /// and /timeseries datasets.
  /// @param overwrite  replace an existing file; otherwise an existing file is an error.
  /// @throws H5Error if the file cannot be created (or exists and !overwrite).
  /// @throws std::invalid_argument for an inconsistent schema or design
  ///         (no platforms, names/settings length mismatch, block length != samples, ...).
  ResultsWriter(const std::filesystem::path& path, const Provenance& provenance, const ResultsSchema& schema,
                const DesignInfo& design, bool overwrite = false);
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  ResultsWriter(ResultsWriter&&) noexcept;
  ResultsWriter& operator=(ResultsWriter&&) noexcept;
  /// Closes the file if still open (errors are swallowed: call close() to see them).
  ~ResultsWriter();

  /// Appends one row to every /runs and /timeseries dataset. The row is
  /// checked first, so an std::invalid_argument leaves the file unchanged.
  /// @throws std::invalid_argument if params, the design index or the result's
  ///         shapes do not match the schema.
  /// @throws H5Error on a write failure (disk full, ...): the row may then be
  ///         half written and the file must be discarded (or rebuilt from a journal).
  /// @throws std::logic_error after close().
  void append(const RunRow& row);
  /// Rows appended so far.
  std::int64_t rows() const;
  /// Flushes HDF5's buffers to the operating system (H5Fflush).
  void flush();
  /// Flushes and closes the file. Idempotent.
  /// @throws H5Error
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads a results file. Every read is a fresh HDF5 read (no caching), so the
/// reader's memory stays bounded by what the caller asks for.
class ResultsReader {
 public:
  /// Opens `path` read-only and checks `format` and `format_version`.
  /// @throws H5Error if the file does not exist, is a directory, is not HDF5 ("H5Fopen failed on
  ///         'PATH': not an HDF5 file") or cannot be opened;
  ///         FormatError if it is HDF5 but not a complysim results file.
  explicit ResultsReader(const std::filesystem::path& path);
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;
  ResultsReader(ResultsReader&&) noexcept;
  ResultsReader& operator=(ResultsReader&&) noexcept;
  ~ResultsReader();

  const Provenance& provenance() const;
  const ResultsSchema& schema() const;
  const DesignInfo& design() const;
  /// Number of rows in /runs.
  std::int64_t n_runs() const;

  /// Columns of /runs, each [n_runs].
  /// /runs/run: global run index of each row (0..n-1 for files without it).
  std::vector<std::int64_t> run() const;
  std::vector<std::int64_t> point() const;
  std::vector<std::int64_t> replicate() const;
  std::vector<std::int64_t> design_index() const;
  std::vector<std::uint64_t> seed() const;
  std::vector<RunStatus> status() const;
  std::vector<std::string> message() const;
  /// /runs/params/<name> [n_runs]. @throws FormatError for an unknown name.
  std::vector<double> read_param(const std::string& name) const;
  /// /runs/outcomes/<name> as [n_runs, width]. @throws FormatError for an unknown name.
  Eigen::MatrixXd read_outcome(const std::string& name) const;
  /// /timeseries/<name> of one run as [records, width]. @throws FormatError, std::out_of_range.
  Eigen::MatrixXd read_timeseries(const std::string& name, std::int64_t run) const;
  /// Row `i` with its outcomes and series. @throws std::out_of_range.
  RunRecord read_row(std::int64_t i) const;
  /// Appends rows [first, last) of this file to `out` in order (last = -1: to the end).
  void copy_rows_to(ResultsWriter& out, std::int64_t first = 0, std::int64_t last = -1) const;

 private:
  friend std::optional<std::string> first_difference(const std::filesystem::path& a, const std::filesystem::path& b);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Compares the content of two results files: every root attribute except
/// `created_utc`, `command_line`, `shard` and `mpi_ranks`, the design, the schema and every /runs and
/// /timeseries value bit for bit (so NaN equals NaN). Returns std::nullopt when
/// equal, otherwise a one-line description of the first difference.
/// @throws H5Error, FormatError as ResultsReader.
std::optional<std::string> first_difference(const std::filesystem::path& a, const std::filesystem::path& b);

/// Makes a finished file durable under its final name: fsyncs `partial`,
/// moves it to `final_path` and fsyncs the directory. Write to
/// `final_path + ".partial"`, close, then call this. With `replace` (the
/// default) any file at `final_path` is replaced atomically (rename); without
/// it the move is atomic no-clobber (renameat2 RENAME_NOREPLACE, or link +
/// unlink where the file system lacks it): a file that appeared at
/// `final_path` since the caller checked is kept and FileExists is thrown.
/// @throws FileExists, std::system_error
void commit_file(const std::filesystem::path& partial, const std::filesystem::path& final_path, bool replace = true);

/// commit_file(replace = false) found a file at its destination. what() is
/// "'OUT' was created by someone else while this command ran; it is kept (...)".
class FileExists : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes a file so that it never exists half-written under its final name:
/// calls `write(partial)` with `partial` = `path` + ".partial", then
/// commit_file(partial, path, replace). If anything throws, the partial file
/// is removed and the exception rethrown (an existing file at `path` is kept).
void write_via_partial(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path& partial)>& write, bool replace = true);

/// Tells HDF5 not to run its library shutdown at process exit (H5dont_atexit).
/// Call first thing in main(), before any other HDF5 use. complysim closes
/// every file it opens itself; the shutdown only matters for a file HDF5
/// failed to close, and for such a file (a metadata flush failed on a full
/// disk) HDF5 1.10's shutdown dereferences freed memory (upstream
/// HDFFV-11052): without this the process would die with SIGSEGV after
/// reporting the error, instead of exiting with status 2.
void hdf5_skip_shutdown_at_exit();

/// "HDF5 1.10.8; oneTBB 2021.8; Eigen 3.4.0; Boost 1.74; toml++ 3.3.0; Random123 1.14"
/// (HDF5 as linked at run time, the others as compiled in).
std::string library_versions();
/// The compiler that built complysim, e.g. "GCC 12.2.0".
std::string compiler_id();
/// The current time as ISO 8601 UTC, e.g. "2024-05-01T12:34:56Z".
std::string utc_now_iso8601();

}  // namespace complysim::io
