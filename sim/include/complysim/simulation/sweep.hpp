// complysim — parameter sweeps: running every run of a scenario's [sweep]
// (designs.hpp enumerates them) in parallel into a crash-safe journal,
// consolidating it into an HDF5 results file, and merging shard files
// (issue 4; model-spec.md sections 6 and 8; docs/sweeps.md).
//
// Run r = (design * samples + sample) * replicates + replicate runs the base
// scenario with the decree design's `set` applied, then the sample's parameter
// values, under RunKey::derive(simulation.seed, sample, replicate): the design
// is not part of the key, so every decree design sees the same random draws
// for the same (sample, replicate) (common random numbers).
#pragma once

#include "complysim/input_files.hpp"
#include "complysim/io/journal.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/model/rng.hpp"
#include "complysim/scenario.hpp"
#include "complysim/simulation/designs.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace complysim {

/// A sweep request that is refused as asked: an existing output without
/// --force, a --resume whose journal belongs to another sweep, shards that do
/// not belong together. The CLI exits 2 on it; what() says what to do.
class SweepRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `--shard I/N`: the I-th of N round-robin slices of the runs (shard_runs).
struct ShardSpec {
  std::int64_t index = 0;  ///< I, 0 <= I < N
  std::int64_t count = 1;  ///< N >= 1
  bool present = false;    ///< given on the command line (even "0/1")
  /// "I/N", or "" when not present (root attribute `shard`, journal header).
  std::string text() const;
  /// Parses "I/N". @throws std::invalid_argument naming what is wrong.
  static ShardSpec parse(std::string_view text);
};

/// Everything fixed before the first run of a sweep (or shard) starts.
struct SweepPlan {
  Scenario base;                      ///< the resolved scenario (file + --set)
  SampleMatrix samples;               ///< the design's sample points [samples, d]
  std::vector<DecreeDesign> designs;  ///< [[sweep.designs]], or one "baseline" with no settings
  std::int64_t replicates = 1;        ///< sweep.replicates
  std::int64_t n_runs_total = 0;      ///< designs * samples * replicates
  ShardSpec shard;                    ///< this process's slice
  std::vector<std::int64_t> runs;     ///< this shard's run indices, ascending
  std::vector<bool> integer_param;    ///< [d] the parameter is an integer (sample values are rounded)
  std::vector<std::string> platforms; ///< platform names (width of [p] outcomes)
  std::vector<std::int64_t> record_day;  ///< [records] day of each time-series record
  /// Input files the plan read besides the scenario (read them with
  /// read_input_file(), e.g. a points file): embedded in the results file
  /// under /inputs, so `complysim reproduce` rebuilds the plan from the file alone.
  std::vector<InputFile> inputs;
};

/// The records of a run's time series: the day index of the last day of each
/// interval of simulation.record_every_days (the rule of Model::result());
/// empty when days or record_every_days is not positive.
std::vector<std::int64_t> record_days(const Scenario& s);

/// Builds the plan of `scenario`'s [sweep] for one shard.
/// @throws std::invalid_argument if the scenario has no [sweep] section, the
///         design cannot be built, a swept name is unknown, or the shard is out of range.
SweepPlan plan_sweep(const Scenario& scenario, const ShardSpec& shard = {});

/// The scenario of run `at`: the base, then the design's `set`, then the
/// sample's values (rounded to the nearest integer for integer parameters).
/// @param params_out if not null, receives the values applied, one per sample column.
/// @throws std::invalid_argument if a value is rejected by set_param.
Scenario scenario_for_run(const SweepPlan& plan, const RunIndex& at, std::vector<double>* params_out = nullptr);

/// The point word of a run's key: `sample`, or with `shared` (sweep.shared_random_numbers,
/// a Saltelli design of base size `sobol_base` >= 1) the Saltelli row j = sample mod N, so
/// A_j, B_j and AB_i,j draw the same streams (Saltelli et al. 2010 section 4 estimators
/// then difference out the simulation noise).
/// @throws std::invalid_argument if shared and sobol_base < 1.
std::int64_t key_point(std::int64_t sample, bool shared, std::int64_t sobol_base);

/// RunKey::derive(simulation.seed, key_point(at.sample, ...), at.replicate).
RunKey run_key(const SweepPlan& plan, const RunIndex& at);

/// Runs global run `run` to completion. Any exception other than Cancelled is
/// caught and returned as a Failed record with its message.
/// @throws Cancelled when `cancel` is raised during the run.
io::JournalRecord execute_run(const SweepPlan& plan, std::int64_t run, const std::atomic<bool>* cancel = nullptr);

/// The journal header describing `plan` (command_line and overrides for provenance).
io::JournalHeader journal_header(const SweepPlan& plan, const std::string& command_line);
/// /design of the results file for `plan`.
io::DesignInfo design_info(const SweepPlan& plan);
/// Shape of the per-run data of `plan` (platforms, swept names, records, start date).
io::ResultsSchema results_schema(const SweepPlan& plan);

/// How to run a sweep.
struct SweepOptions {
  std::filesystem::path output;           ///< OUT.h5; the journal is OUT.h5.journal
  bool resume = false;                    ///< continue from an existing journal
  bool force = false;                     ///< replace an existing output / journal
  std::string command_line;               ///< for provenance
  const std::atomic<bool>* cancel = nullptr;  ///< raised by Ctrl-C: start no new run, abandon runs in flight
  /// Called once before the first run with the number of runs still to do.
  std::function<void(std::int64_t)> on_start;
  /// Called after each run is journalled (from worker threads).
  std::function<void(const io::JournalRecord&)> on_run;
  /// Informational lines (resume summary, truncated tail); may be empty.
  std::function<void(const std::string&)> note;
  /// Hands one finished run to the journal (and on_run); returns false once
  /// the sweep must stop (a journal write failed, or cancel was raised).
  using RunSink = std::function<bool(io::JournalRecord&&)>;
  /// Where the pending runs are computed: called once with the runs still to
  /// do (ascending) and the sink, from the calling thread; the sink must be
  /// called from that thread too. Empty = here, in parallel with oneTBB.
  /// `mpirun -n K complysim sweep` sets it to hand the runs out to worker
  /// ranks (sim/mpi/sweep_mpi.hpp).
  std::function<void(const std::vector<std::int64_t>& pending, const RunSink& sink)> executor;
  /// MPI ranks of the job (1 without MPI): the file's root attribute
  /// `mpi_ranks`, provenance only (not part of the runs' content).
  std::int64_t ranks = 1;
};

/// What run_sweep did.
struct SweepReport {
  enum class State {
    Complete,         ///< every run of the shard is done; OUT.h5 written, journal removed
    Interrupted,      ///< cancelled; the journal holds the finished runs (resume with --resume)
    AlreadyComplete,  ///< --resume found OUT.h5 complete and no journal: nothing done
  } state = State::Complete;
  std::int64_t shard_runs = 0;  ///< runs in this shard
  std::int64_t resumed = 0;     ///< runs found finished in the journal
  std::int64_t ran = 0;         ///< runs finished by this call
  std::int64_t failed = 0;      ///< failed runs of the shard (journal + this call), when known
};

/// Runs (or resumes) a sweep into `options.output`: journals each run as it
/// finishes (parallel over runs with oneTBB; thread count from the caller's
/// tbb::global_control), then consolidates the journal into OUT.h5
/// (via OUT.h5.partial and io::commit_file) and deletes the journal.
/// @throws SweepRefused  output or journal exists without force/resume; the
///         journal belongs to another scenario, seed, shard or program version;
///         --resume found OUT.h5 from another sweep.
/// @throws io::JournalError, io::H5Error, std::system_error on I/O failure
///         (disk full, ...): the journal stays valid for --resume.
SweepReport run_sweep(const SweepPlan& plan, const SweepOptions& options);

/// Streams a complete journal (every run of `plan`'s shard present) into
/// `output` in run order: OUT.h5.partial, then commit_file. Memory: one record
/// plus 8 bytes per run. Does not delete the journal.
/// @throws SweepRefused if the journal is incomplete; I/O errors as run_sweep.
/// `replace`: whether a file at `output` may be replaced (see io::commit_file).
/// @param ranks the file's root attribute `mpi_ranks` (MPI ranks that ran the sweep; 1 without MPI)
void consolidate_journal(const SweepPlan& plan, const std::filesystem::path& journal, const std::filesystem::path& output,
                         bool replace = true, std::int64_t ranks = 1);

/// What merge_results did.
struct MergeReport {
  std::int64_t n_runs_total = 0;  ///< rows written
  std::int64_t failed = 0;        ///< rows with status failed
};

/// Merges shard files of one sweep into `output`, rows in run order, content
/// identical to the unsharded sweep (first_difference ignores created_utc,
/// command_line and shard). The output's command_line is `command_line`.
/// @throws SweepRefused if the parts differ in scenario, seed or program
///         version, or runs are missing or duplicated (named in the message),
///         or `output` exists and !overwrite; io::H5Error / FormatError on bad files.
MergeReport merge_results(const std::vector<std::filesystem::path>& parts, const std::filesystem::path& output,
                          const std::string& command_line, bool overwrite);

}  // namespace complysim
