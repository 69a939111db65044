// `complysim sweep`: every run of a scenario's [sweep], crash-safe and resumable
// (the work is in complysim/simulation/sweep.hpp; this file parses and reports).
#include "cli_common.hpp"
#include "commands.hpp"
#include "progress.hpp"

#include "complysim/io/results_file.hpp"
#include "complysim/simulation/sweep.hpp"

#include "complysim/simulation/run.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#ifdef COMPLYSIM_WITH_MPI
#include "sweep_mpi.hpp"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;

namespace complysim::cli {
namespace {

/// Exit status when some runs failed, or the sweep stopped on an I/O error.
constexpr int kExitRunsFailed = 1;
/// Rows of the design matrix printed by --dry-run.
constexpr std::int64_t kDryRunRows = 10;

/// Days simulated by the --dry-run pilot at most, and its time budget.
constexpr std::int64_t kPilotDays = 20;
constexpr double kPilotSeconds = 3.0;

/// A short timed pilot: run 0 of the plan for at most kPilotDays days or kPilotSeconds,
/// then the wall time of the whole sweep (or shard) scaled from it, one line.
std::string pilot_estimate(const SweepPlan& plan, int threads) {
  using clock = std::chrono::steady_clock;
  if (plan.runs.empty()) return "estimated wall time: no runs";
  const RunIndex at = run_at(plan.runs.front(), static_cast<std::int64_t>(plan.designs.size()), plan.samples.samples(),
                             plan.replicates);
  const Scenario s = scenario_for_run(plan, at);
  const std::int64_t days = s.simulation.days;
  std::atomic<bool> stop{false};
  std::int64_t done = 0;
  const auto t0 = clock::now();
  clock::time_point t1 = t0, tk = t0;
  try {
    simulate(s, run_key(plan, at), &stop, [&] {
      ++done;
      tk = clock::now();
      if (done == 1) t1 = tk;
      if (done >= std::min(kPilotDays, days) || std::chrono::duration<double>(tk - t0).count() > kPilotSeconds)
        stop = true;
    });
  } catch (const Cancelled&) {
  } catch (const std::exception& e) {
    return std::string("estimated wall time: not known (the pilot run failed: ") + e.what() + ")";
  }
  const double first = std::chrono::duration<double>(t1 - t0).count();
  const double per_day =
      done > 1 ? std::chrono::duration<double>(tk - t1).count() / static_cast<double>(done - 1) : first;
  const double setup = std::max(0.0, first - per_day);
  const double run_s = setup + per_day * static_cast<double>(days);
  const auto n = static_cast<double>(plan.runs.size());
  const double workers = std::max(1.0, std::min(n, static_cast<double>(threads)));
  const double total = run_s * n / workers;
  char buf[320];
  auto human = [](double sec) {
    char b[64];
    if (sec < 120) std::snprintf(b, sizeof b, "%.0f s", sec);
    else if (sec < 7200) std::snprintf(b, sizeof b, "%.0f min", sec / 60);
    else std::snprintf(b, sizeof b, "%.1f h", sec / 3600);
    return std::string(b);
  };
  std::snprintf(buf, sizeof buf,
                "estimated wall time: about %s on %d thread%s of an idle machine (pilot: run %lld for %lld of %lld days took %.2f s, "
                "about %.2f s a run; runs of other designs and samples may take longer or shorter)",
                human(total).c_str(), static_cast<int>(workers), workers > 1 ? "s" : "",
                static_cast<long long>(plan.runs.front()), static_cast<long long>(done), static_cast<long long>(days),
                std::chrono::duration<double>(tk - t0).count(), run_s);
  return buf;
}

void print_dry_run(const SweepPlan& plan, const std::string& scenario_path, std::ostream& out) {
  const SampleMatrix& m = plan.samples;
  out << "scenario:   " << scenario_path << "\n";
  out << "design:     " << m.kind << " over " << m.dims() << " parameter" << (m.dims() == 1 ? "" : "s");
  if (m.kind == "sobol") out << " (Saltelli: base N = " << m.sobol_base << ", N (d + 2) points)";
  if (m.kind == "file")
    out << " (points file " << plan.base.sweep.points_path.string() << (m.weight.empty() ? "" : ", weighted") << ")";
  out << "\n";
  out << "designs:    " << plan.designs.size() << " (";
  for (std::size_t i = 0; i < plan.designs.size(); ++i) out << (i ? ", " : "") << plan.designs[i].name;
  out << ")\n";
  out << "samples:    " << m.samples() << "\n";
  out << "replicates: " << plan.replicates << "\n";
  out << "runs:       " << plan.n_runs_total << " (designs x samples x replicates)";
  if (plan.shard.present) out << "; shard " << plan.shard.text() << " runs " << plan.runs.size();
  out << "\n";
  const io::DesignInfo d = design_info(plan);
  for (std::size_t i = 0; i < d.names.size(); ++i)
    if (!d.settings[i].empty()) out << "  design " << d.names[i] << ": " << d.settings[i] << "\n";
  const std::int64_t rows = std::min(kDryRunRows, m.samples());
  out << "\nfirst " << rows << " of " << m.samples() << " sample rows:\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%8s", "sample");
  out << buf;
  if (m.kind == "sobol") out << "  block";
  for (const auto& n : m.names) out << "  " << n;
  if (!m.weight.empty()) out << "  weight";
  out << "\n";
  for (std::int64_t s = 0; s < rows; ++s) {
    std::snprintf(buf, sizeof buf, "%8lld", static_cast<long long>(s));
    out << buf;
    if (m.kind == "sobol") {
      const int b = m.block[static_cast<std::size_t>(s)];
      std::snprintf(buf, sizeof buf, "  %5s", b == 0 ? "A" : b == 1 ? "B" : ("AB" + std::to_string(b - 2)).c_str());
      out << buf;
    }
    for (std::int64_t j = 0; j < m.dims(); ++j) {
      // The value the run will use: integer parameters are rounded (sample_values in sweep.cpp).
      double x = m.X(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(j));
      if (plan.integer_param[static_cast<std::size_t>(j)]) x = static_cast<double>(std::llround(x));
      std::snprintf(buf, sizeof buf, "%.6g", x);
      std::string cell = buf;
      const std::size_t w = std::max<std::size_t>(m.names[static_cast<std::size_t>(j)].size(), cell.size());
      out << "  " << std::string(w - cell.size(), ' ') << cell;
    }
    if (!m.weight.empty()) {
      std::snprintf(buf, sizeof buf, "  %6.4g", m.weight[static_cast<std::size_t>(s)]);
      out << buf;
    }
    out << "\n";
  }
}

std::string resume_command() {
  std::string cmd = command_line();
  if (cmd.find(" --resume") == std::string::npos) cmd += " --resume";
  return cmd;
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "sweep";
  cl.usage =
      "complysim sweep SCENARIO -o OUT.h5 [--set NAME=VALUE]... [--threads N] [--resume] [--shard I/N] [--force] [--dry-run] "
      "[--quiet]";
  cl.summary =
      "Runs every run of the scenario's [sweep] (decree designs x samples x replicates) in parallel.\n"
      "Each finished run is appended to a checksummed journal OUT.h5.journal; when all runs are done\n"
      "the journal is consolidated into OUT.h5 and deleted. After Ctrl-C, a crash or a full disk,\n"
      "rerun the same command with --resume: finished runs are kept, the rest are computed.\n"
      "Exit status: 0 all runs ok; 1 some runs failed (see complysim info) or an I/O error;\n"
      "2 bad input or refused (existing output, journal of another sweep); 130 interrupted.\n"
      "See docs/sweeps.md.";
  std::string output, shard_text;
  int threads = 0;
  std::int64_t mpi_batch = 0;
  add_set_option(cl.options);
  cl.options.add_options()
      ("output,o", po::value(&output), "results file to write (HDF5); the journal is OUT.h5.journal")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("resume", "continue an interrupted sweep from OUT.h5.journal")
      ("shard", po::value(&shard_text), "run only shard I of N (runs with run % N == I), for cluster job arrays")
      ("force", "replace an existing OUT.h5 or journal")
      ("dry-run", "print the number of designs, samples, replicates and runs, the first design rows and the wall time "
                  "estimated from a short timed pilot (run 0 for up to 20 days or 3 s); write nothing")
      ("quiet,q", "no progress display");
#ifdef COMPLYSIM_WITH_MPI
  cl.options.add_options()("mpi-batch", po::value(&mpi_batch),
                           "under mpirun: most runs a worker rank holds at once (default: its --threads; fewer near the end)");
#endif
  cl.hidden.add_options()("scenario", po::value<std::string>(), "scenario file");
  cl.positional.add("scenario", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("scenario")) return report_error(cl.command, "missing SCENARIO argument (see complysim sweep --help)");
  if (vm->count("threads") && threads < 1) return report_error(cl.command, "--threads must be at least 1");
  const bool dry_run = vm->count("dry-run") > 0, quiet = vm->count("quiet") > 0;
  if (!vm->count("output") && !dry_run) return report_error(cl.command, "missing -o OUT.h5 (see complysim sweep --help)");
  if (vm->count("mpi-batch") && mpi_batch < 1) return report_error(cl.command, "--mpi-batch must be at least 1");
  const std::vector<std::string> sets = set_values(*vm);
  const std::string scenario_path = (*vm)["scenario"].as<std::string>();
#ifdef COMPLYSIM_WITH_MPI
  // Under mpirun: rank 0 goes on below as the coordinator; every other rank
  // computes the runs rank 0 hands it and writes nothing.
  std::optional<mpi::Session> session;
  std::optional<mpi::Coordinator> coordinator;  // declared after session: stops the workers before MPI_Finalize
  if (!dry_run && mpi::launched_by_mpi()) {
    session.emplace();
    if (session->rank() > 0) {
      try {
        ShardSpec shard;
        if (vm->count("shard")) shard = ShardSpec::parse(shard_text);
        const SweepPlan plan = plan_sweep(load_scenario(scenario_path, sets), shard);
        InterruptGuard interrupt;
        mpi::work(plan, mpi_batch, threads, InterruptGuard::flag());
      } catch (const std::exception& e) {
        std::cerr << "complysim sweep: error: rank " << session->rank() << ": " << e.what() << "\n";
        mpi::Session::abort(kExitError);  // rank 0 would wait for this rank forever
      }
      return kExitOk;
    }
    if (session->size() > 1) coordinator.emplace(session->size(), mpi_batch);
  }
#else
  // K copies of a build without MPI would each run the whole sweep into the same file.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* n = std::getenv(v); n != nullptr && std::atoi(n) > 1)
      return report_error(cl.command, "started by mpirun with " + std::string(n) +
                                          " ranks, but this complysim was built without MPI (COMPLYSIM_WITH_MPI=OFF); "
                                          "rebuild with MPI, or use --shard I/N (docs/sweeps.md)");
#endif
  if (vm->count("output") && !dry_run) {
    // An existing OUT.h5 or journal is judged by run_sweep (--resume, --force); here only the place.
    if (const auto why = check_output_path(output, /*force=*/true, {(*vm)["scenario"].as<std::string>()})) {
      std::cerr << *why << "\n";
      return kExitError;
    }
  }
  // One writer of OUT.h5 and its journal for the whole sweep: a second one
  // (e.g. two --resume at once) is refused here, before any run.
  std::optional<io::OutputLock> lock;
  if (vm->count("output") && !dry_run)
    if (const auto why = lock_output(lock, output, /*force=*/true)) {
      std::cerr << *why << "\n";
      return kExitError;
    }
  ShardSpec shard;
  if (vm->count("shard")) {
    try {
      shard = ShardSpec::parse(shard_text);
    } catch (const std::invalid_argument& e) {
      return report_error(cl.command, e.what());
    }
  }

  return run_guarded(cl.command, [&]() -> int {
    const Scenario s = load_scenario(scenario_path, sets);
    const SweepPlan plan = plan_sweep(s, shard);
    if (dry_run) {
      print_dry_run(plan, scenario_path, std::cout);
      const int workers = threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency());
      std::cout << "\n" << pilot_estimate(plan, workers) << "\n";
      return kExitOk;
    }

    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    InterruptGuard interrupt;
    // A file-size limit (ulimit -f) must surface as a write error, not kill the process.
    std::signal(SIGXFSZ, SIG_IGN);

    std::optional<Progress> progress;
    SweepOptions opt;
    opt.output = output;
    opt.resume = vm->count("resume") > 0;
    opt.force = vm->count("force") > 0;
    opt.command_line = command_line();
    opt.cancel = InterruptGuard::flag();
    opt.note = [&](const std::string& line) {
      if (!quiet) std::cerr << "complysim sweep: " << line << "\n";
    };
    // Progress out of the whole sweep (or shard): a resumed sweep starts at the runs
    // its journal already holds ("131/256", not "0/125").
    const auto shard_total = static_cast<std::int64_t>(plan.runs.size());
    opt.on_start = [&](std::int64_t pending) {
      progress.emplace("sweep", shard_total, "runs", quiet, shard_total - pending);
    };
    opt.on_run = [&](const io::JournalRecord&) {
      if (progress) progress->tick();
    };
#ifdef COMPLYSIM_WITH_MPI
    if (coordinator) {
      opt.ranks = session->size();
      opt.executor = [&](const std::vector<std::int64_t>& pending, const SweepOptions::RunSink& sink) {
        coordinator->execute(plan, pending, sink, InterruptGuard::flag());
      };
    }
#endif

    SweepReport rep;
    try {
      rep = run_sweep(plan, opt);
    } catch (const SweepRefused& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    } catch (const io::FileExists& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    } catch (const std::exception& e) {
      if (progress) progress->finish();
      report_error(cl.command, error_text(e));
      return kExitRunsFailed;
    }
    if (progress) progress->finish();
#ifdef COMPLYSIM_WITH_MPI
    if (coordinator && !quiet && rep.ran > 0) {
      // Work units are counted (users x days of each run a rank computed), not timed.
      std::cerr << "complysim sweep: MPI: " << session->size() << " ranks; work per rank (runs, users x days):";
      for (std::size_t r = 1; r < coordinator->tally().size(); ++r)
        std::cerr << (r > 1 ? ";" : "") << " rank " << r << ": " << coordinator->tally()[r].runs << " runs, "
                  << coordinator->tally()[r].user_days << " user-days";
      char busy[160];
      std::snprintf(busy, sizeof busy, "; coordinator busy %.3f s (%.3f ms per run, of which journalling %.3f ms)",
                    coordinator->busy_seconds(), 1e3 * coordinator->busy_seconds() / static_cast<double>(rep.ran),
                    1e3 * coordinator->journal_seconds() / static_cast<double>(rep.ran));
      std::cerr << busy << "\n";
    }
#endif

    const std::string journal = output + ".journal";
    switch (rep.state) {
      case SweepReport::State::Interrupted:
        std::cerr << "complysim sweep: interrupted; " << (rep.resumed + rep.ran) << " of " << rep.shard_runs
                  << " runs are saved in " << journal << ". Resume with:\n  " << resume_command() << "\n";
        return kExitInterrupted;
      case SweepReport::State::AlreadyComplete:
        std::cerr << "complysim sweep: " << output << " is already complete (" << rep.shard_runs << " runs); nothing to do\n";
        break;
      case SweepReport::State::Complete:
        if (!quiet)
          std::cerr << "complysim sweep: wrote " << output << ": " << rep.shard_runs << " runs (" << rep.ran
                    << " computed now, " << rep.resumed << " from the journal)\n";
        break;
    }
    if (rep.failed > 0) {
      std::cerr << "complysim sweep: " << rep.failed << " of " << rep.shard_runs
                << " runs failed; their messages are in the file (complysim info " << output << ")\n";
      return kExitRunsFailed;
    }
    return kExitOk;
  });
}

}  // namespace complysim::cli
