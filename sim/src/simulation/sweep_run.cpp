// complysim — running a sweep into its journal and consolidating the journal
// into the results file (complysim/simulation/sweep.hpp; docs/sweeps.md).
#include "complysim/simulation/sweep.hpp"

#include "complysim/simulation/run.hpp"
#include "complysim/version.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

#include <limits>
#include <mutex>
#include <optional>

namespace complysim {

namespace fs = std::filesystem;

namespace {

fs::path with_suffix(const fs::path& p, const char* suffix) {
  fs::path q = p;
  q += suffix;
  return q;
}

/// Position of `run` in plan.runs, or -1 when the run is not in this shard.
std::int64_t position_in_shard(const SweepPlan& plan, std::int64_t run) {
  if (run < 0 || run >= plan.n_runs_total || run % plan.shard.count != plan.shard.index) return -1;
  return (run - plan.shard.index) / plan.shard.count;
}

io::Provenance provenance_for(const SweepPlan& plan, const io::JournalHeader& h) {
  io::Provenance p;
  p.scenario_toml = h.scenario_toml;
  p.overrides = h.overrides;
  p.command_line = h.command_line;
  p.seed = h.seed;
  p.start_date = plan.base.simulation.start_date;
  p.shard = h.shard;
  p.n_runs_total = h.n_runs_total;
  p.inputs = plan.inputs;
  return p;
}

/// Checks an existing complete OUT.h5 against the sweep being resumed.
std::int64_t check_complete_output(const SweepPlan& plan, const io::JournalHeader& now, const fs::path& output) {
  const io::ResultsReader r(output);
  const io::Provenance& p = r.provenance();
  const std::string what = output.string() + " exists but belongs to another sweep: ";
  const std::string fix = "; choose another -o or start over with --force";
  if (p.complysim_version != now.complysim_version || p.git_commit != now.git_commit)
    throw SweepRefused(what + "written by complysim " + p.complysim_version + " (git " + p.git_commit + ")" + fix);
  if (p.seed != now.seed) throw SweepRefused(what + "seed " + std::to_string(p.seed) + fix);
  if (p.shard != now.shard) throw SweepRefused(what + "shard '" + p.shard + "'" + fix);
  if (io::scenario_text_for_comparison(p.scenario_toml) != io::scenario_text_for_comparison(now.scenario_toml))
    throw SweepRefused(what + "the resolved scenario differs" + fix);
  if (r.n_runs() != static_cast<std::int64_t>(plan.runs.size()))
    throw SweepRefused(what + "it has " + std::to_string(r.n_runs()) + " runs, this shard " +
                       std::to_string(plan.runs.size()) + fix);
  std::int64_t failed = 0;
  for (RunStatus s : r.status()) failed += s != RunStatus::Ok;
  return failed;
}

}  // namespace

void consolidate_journal(const SweepPlan& plan, const fs::path& journal, const fs::path& output, bool replace,
                         std::int64_t ranks) {
  constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::uint64_t> offset(plan.runs.size(), kNone);  // 8 bytes per run: the only per-run memory
  const io::JournalScan scan = io::scan_journal(journal, [&](const io::JournalScan::Entry& e) {
    const std::int64_t pos = position_in_shard(plan, e.run);
    if (pos < 0)
      throw SweepRefused(journal.string() + ": holds run " + std::to_string(e.run) + ", which is not part of this sweep");
    if (offset[static_cast<std::size_t>(pos)] == kNone) offset[static_cast<std::size_t>(pos)] = e.offset;
  });
  std::int64_t missing = 0, first_missing = -1;
  for (std::size_t i = 0; i < offset.size(); ++i)
    if (offset[i] == kNone && missing++ == 0) first_missing = plan.runs[i];
  if (missing > 0)
    throw SweepRefused(journal.string() + ": " + std::to_string(missing) + " runs are not finished yet (the first is run " +
                       std::to_string(first_missing) + "); run the sweep with --resume");

  io::write_via_partial(output, [&](const fs::path& partial) {
    io::Provenance prov = provenance_for(plan, scan.header);
    prov.mpi_ranks = ranks;
    io::ResultsWriter w(partial, prov, results_schema(plan), design_info(plan), /*overwrite=*/true);
    io::JournalReader reader(journal);
    const auto designs = static_cast<std::int64_t>(plan.designs.size());
    for (std::size_t i = 0; i < offset.size(); ++i) {
      const io::JournalRecord rec = reader.read(offset[i], scan.header);
      const RunIndex at = run_at(rec.run, designs, plan.samples.samples(), plan.replicates);
      io::RunRow row;
      row.run = rec.run;
      row.point = at.sample;
      row.replicate = at.replicate;
      row.design = at.design;
      row.seed = key_bits(run_key(plan, at));
      row.status = rec.status;
      row.message = rec.message;
      row.params = rec.params;
      row.result = rec.status == RunStatus::Ok ? &rec.result : nullptr;
      w.append(row);
    }
    w.close();
  }, replace);
}

SweepReport run_sweep(const SweepPlan& plan, const SweepOptions& opt) {
  const fs::path journal = with_suffix(opt.output, ".journal"), partial = with_suffix(opt.output, ".partial");
  const io::JournalHeader header = journal_header(plan, opt.command_line);
  const auto note = [&](const std::string& s) {
    if (opt.note) opt.note(s);
  };
  const bool have_out = fs::exists(opt.output), have_journal = fs::exists(journal);

  SweepReport report;
  report.shard_runs = static_cast<std::int64_t>(plan.runs.size());
  std::vector<bool> done(plan.runs.size(), false);
  std::optional<io::JournalWriter> writer;

  if (opt.resume && !have_journal && have_out && !opt.force) {
    report.failed = check_complete_output(plan, header, opt.output);
    report.state = SweepReport::State::AlreadyComplete;
    report.resumed = report.shard_runs;
    return report;
  }
  if (opt.resume && have_journal && !opt.force) {
    io::JournalScan scan;
    try {
      scan = io::scan_journal(journal, [&](const io::JournalScan::Entry& e) {
        const std::int64_t pos = position_in_shard(plan, e.run);
        if (pos < 0 || done[static_cast<std::size_t>(pos)]) return;  // foreign runs are refused below
        done[static_cast<std::size_t>(pos)] = true;
        ++report.resumed;
        report.failed += e.status != RunStatus::Ok;
      });
    } catch (const io::JournalError& e) {
      throw SweepRefused(std::string(e.what()) + "; cannot resume from it (start over with --force)");
    }
    // Checked after the scan, before anything is truncated or appended.
    if (const auto why = io::header_mismatch(scan.header, header))
      throw SweepRefused(journal.string() + ": cannot resume: " + *why);
    if (!scan.tail_problem.empty())
      note("dropping the end of " + journal.string() + " from its first damaged or incomplete record on (" + scan.tail_problem +
           ", " + std::to_string(scan.file_length - scan.valid_length) + " bytes): the runs recorded there are computed again");
    writer.emplace(io::JournalWriter::reopen(journal, scan.valid_length));
    note("resuming: " + std::to_string(report.resumed) + " of " + std::to_string(report.shard_runs) +
         " runs already finished");
  } else {
    if (!opt.resume && !opt.force) {
      if (have_out)
        throw SweepRefused(opt.output.string() + " exists; use --force to replace it");
      if (have_journal)
        throw SweepRefused(journal.string() + " exists (an unfinished sweep): use --resume to continue it, or --force to start over");
    }
    if (opt.resume && !have_journal) note("no journal " + journal.string() + " found: starting the sweep from the beginning");
    std::error_code ec;
    fs::remove(partial, ec);
    writer.emplace(io::JournalWriter::create(journal, header, /*overwrite=*/true));
  }

  // Per-run memory while running: plan.runs (8 bytes) and `done` (1 bit).
  if (opt.on_start) opt.on_start(report.shard_runs - report.resumed);

  std::atomic<bool> halt{false};
  std::atomic<std::int64_t> ran{0}, failed{0};
  std::mutex error_mutex;
  std::optional<std::string> write_error;
  const auto stopping = [&] { return halt.load(std::memory_order_relaxed) || (opt.cancel && opt.cancel->load(std::memory_order_relaxed)); };
  // Journals one finished run; false once the sweep must stop.
  const SweepOptions::RunSink sink = [&](io::JournalRecord&& rec) {
    try {
      writer->append(rec);
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mutex);
      if (!write_error) write_error = e.what();
      halt = true;
      return false;
    }
    ran.fetch_add(1, std::memory_order_relaxed);
    if (rec.status != RunStatus::Ok) failed.fetch_add(1, std::memory_order_relaxed);
    if (opt.on_run) opt.on_run(rec);
    return !stopping();
  };
  if (opt.executor) {
    std::vector<std::int64_t> pending;
    for (std::size_t i = 0; i < plan.runs.size(); ++i)
      if (!done[i]) pending.push_back(plan.runs[i]);
    if (!pending.empty() && !stopping()) opt.executor(pending, sink);
  } else {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, plan.runs.size(), 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) {
            if (done[i]) continue;  // finished before a resume (read-only here)
            if (stopping()) return;
            io::JournalRecord rec;
            try {
              rec = execute_run(plan, plan.runs[i], opt.cancel);
            } catch (const Cancelled&) {
              return;  // abandoned: not journalled, so --resume runs it again
            }
            if (!sink(std::move(rec))) return;
          }
        },
        tbb::simple_partitioner());
  }
  report.ran = ran.load();
  report.failed += failed.load();

  try {
    writer->close();
  } catch (const std::exception& e) {
    if (!write_error) write_error = e.what();
  }
  if (write_error)
    throw io::JournalError(*write_error + ". The journal keeps the " + std::to_string(report.resumed + report.ran) +
                           " runs finished so far; fix the problem (e.g. free disk space) and rerun the same command with --resume");
  if (report.resumed + report.ran < report.shard_runs) {
    report.state = SweepReport::State::Interrupted;
    return report;
  }
  // No file at the output when the sweep started (or no --force): one that appeared meanwhile is kept.
  consolidate_journal(plan, journal, opt.output, opt.force || have_out, opt.ranks);
  fs::remove(journal);
  report.state = SweepReport::State::Complete;
  return report;
}

}  // namespace complysim
