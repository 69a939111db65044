// `complysim reproduce FILE.h5`: re-run a results file from what it carries and
// compare every dataset bit for bit (the work is in complysim/simulation/reproduce.hpp).
#include "cli_common.hpp"
#include "commands.hpp"
#include "progress.hpp"

#include "complysim/io/results_file.hpp"
#include "complysim/simulation/reproduce.hpp"
#include "complysim/simulation/run.hpp"

#include <oneapi/tbb/global_control.h>

#include <iostream>
#include <optional>
#include <random>

namespace complysim::cli {

namespace {
/// Exit status when a re-run differs from the file.
constexpr int kExitDiffers = 1;
}  // namespace

int cmd_reproduce(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "reproduce";
  cl.usage = "complysim reproduce FILE.h5 [--runs K] [--threads N] [--seed N] [--quiet]";
  cl.summary =
      "Re-runs the runs of a results file (complysim run, sweep, merge or compare) from what the file\n"
      "itself carries: the resolved scenario text (every --set already applied), the sweep and decree\n"
      "designs and any embedded input file; nothing else is read from disk. Every dataset of each run\n"
      "is compared bit for bit with the file. --runs K re-runs a random sample of K runs that always\n"
      "includes the first and the last.\n"
      "Exit status: 0 every re-run run is identical; 1 a run (or the design) differs: the first\n"
      "difference is printed with both values; 2 a file it cannot use (not a results file, another\n"
      "format_version or model_spec_version); 130 interrupted. See docs/output-format.md.";
  std::int64_t runs = 0;
  int threads = 0;
  std::uint64_t seed = 0;
  cl.options.add_options()
      ("runs", po::value(&runs), "re-run a random sample of K runs (always the first and the last) instead of all")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("seed", po::value(&seed), "seed of the --runs sample (default: drawn, and printed)")
      ("quiet,q", "no progress display");
  cl.hidden.add_options()("file", po::value<std::string>(), "results file");
  cl.positional.add("file", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("file")) return report_error(cl.command, "missing FILE.h5 argument (see complysim reproduce --help)");
  if (vm->count("threads") && threads < 1) return report_error(cl.command, "--threads must be at least 1");
  if (vm->count("runs") && runs < 1) return report_error(cl.command, "--runs must be at least 1");
  if (!vm->count("seed")) seed = std::random_device{}();
  const bool quiet = vm->count("quiet") > 0;
  const std::string file = (*vm)["file"].as<std::string>();

  return run_guarded(cl.command, [&]() -> int {
    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    InterruptGuard interrupt;
    std::optional<Progress> progress;
    ReproduceOptions opt;
    opt.sample_runs = runs;
    opt.sample_seed = seed;
    opt.cancel = InterruptGuard::flag();
    opt.on_start = [&](std::int64_t n) { progress.emplace("reproduce", n, "runs", quiet); };
    opt.on_run = [&] {
      if (progress) progress->tick();
    };
    ReproduceReport rep;
    try {
      rep = reproduce_file(file, opt);
    } catch (const Cancelled&) {
      if (progress) progress->finish();
      std::cerr << "complysim reproduce: interrupted (Ctrl-C)\n";
      return kExitInterrupted;
    } catch (const ReproduceRefused& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    } catch (const io::FormatError& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    } catch (const io::H5Error& e) {
      if (progress) progress->finish();
      return report_error(cl.command, e.what());
    }
    if (progress) progress->finish();
    for (const std::string& w : rep.warnings) std::cerr << "complysim reproduce: warning: " << w << "\n";

    const auto k = static_cast<std::int64_t>(rep.rows.size());
    std::cout << "file:       " << file << " (" << rep.kind << ", " << rep.file_runs << " runs)\n";
    if (rep.sampled) {
      std::cout << "sample:     " << k << " of " << rep.file_runs << " runs, the first and the last included (--seed " << seed
                << "): rows";
      for (std::int64_t r : rep.rows) std::cout << ' ' << r;
      std::cout << "\n";
    }
    if (rep.difference) {
      const ReproduceDifference& d = *rep.difference;
      if (d.row < 0)
        std::cout << "differs:    " << d.dataset << " (before any run)\n";
      else
        std::cout << "differs:    run " << d.run << " (row " << d.row << "), " << d.dataset << "\n";
      std::cout << "  in file:  " << d.file_value << "\n  re-run:   " << d.rerun_value << "\n";
      std::cout << "not reproduced: " << rep.identical << " of " << k << " runs identical before the first difference\n";
      return kExitDiffers;
    }
    std::cout << "reproduced: " << rep.identical << " of " << k << " runs identical";
    if (rep.sampled) std::cout << " (a random sample of the file's " << rep.file_runs << " runs)";
    std::cout << "\n";
    return kExitOk;
  });
}

}  // namespace complysim::cli
