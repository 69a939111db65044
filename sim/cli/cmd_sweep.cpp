// `complysim sweep`: every run of a scenario's [sweep], crash-safe and resumable
// (the work is in complysim/simulation/sweep.hpp; this file parses and reports).
#include "cli_common.hpp"
#include "commands.hpp"
#include "progress.hpp"

#include "complysim/simulation/sweep.hpp"

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
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
  add_set_option(cl.options);
  cl.options.add_options()
      ("output,o", po::value(&output), "results file to write (HDF5); the journal is OUT.h5.journal")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("resume", "continue an interrupted sweep from OUT.h5.journal")
      ("shard", po::value(&shard_text), "run only shard I of N (runs with run % N == I), for cluster job arrays")
      ("force", "replace an existing OUT.h5 or journal")
      ("dry-run", "print the number of designs, samples, replicates and runs and the first design rows; write nothing")
      ("quiet,q", "no progress display");
  cl.hidden.add_options()("scenario", po::value<std::string>(), "scenario file");
  cl.positional.add("scenario", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("scenario")) return report_error(cl.command, "missing SCENARIO argument (see complysim sweep --help)");
  if (vm->count("threads") && threads < 1) return report_error(cl.command, "--threads must be at least 1");
  const bool dry_run = vm->count("dry-run") > 0, quiet = vm->count("quiet") > 0;
  if (!vm->count("output") && !dry_run) return report_error(cl.command, "missing -o OUT.h5 (see complysim sweep --help)");
  if (vm->count("output") && !dry_run) {
    // An existing OUT.h5 or journal is judged by run_sweep (--resume, --force); here only the place.
    if (const auto why = check_output_path(output, /*force=*/true, {(*vm)["scenario"].as<std::string>()})) {
      std::cerr << *why << "\n";
      return kExitError;
    }
  }
  const std::string scenario_path = (*vm)["scenario"].as<std::string>();
  ShardSpec shard;
  if (vm->count("shard")) {
    try {
      shard = ShardSpec::parse(shard_text);
    } catch (const std::invalid_argument& e) {
      return report_error(cl.command, e.what());
    }
  }
  const std::vector<std::string> sets = set_values(*vm);

  return run_guarded(cl.command, [&]() -> int {
    const Scenario s = load_scenario(scenario_path, sets);
    const SweepPlan plan = plan_sweep(s, shard);
    if (dry_run) {
      print_dry_run(plan, scenario_path, std::cout);
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
    opt.on_start = [&](std::int64_t pending) { progress.emplace("sweep", pending, "runs", quiet); };
    opt.on_run = [&](const io::JournalRecord&) {
      if (progress) progress->tick();
    };

    SweepReport rep;
    try {
      rep = run_sweep(plan, opt);
    } catch (const SweepRefused& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    } catch (const std::exception& e) {
      if (progress) progress->finish();
      report_error(cl.command, e.what());
      return kExitRunsFailed;
    }
    if (progress) progress->finish();

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
