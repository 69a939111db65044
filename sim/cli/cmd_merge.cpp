// `complysim merge`: the shard files of one sweep into one file, rows in run
// order, identical in content to an unsharded sweep (complysim/simulation/sweep.hpp).
#include "cli_common.hpp"
#include "commands.hpp"

#include "complysim/simulation/sweep.hpp"

#include <iostream>

namespace complysim::cli {

int cmd_merge(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "merge";
  cl.usage = "complysim merge PART.h5... -o OUT.h5 [--force]";
  cl.summary =
      "Merges the shard files of one sweep (complysim sweep --shard I/N) into OUT.h5 with the rows in\n"
      "run order, identical in content to the unsharded sweep. Checks that the parts come from the same\n"
      "scenario, seed and complysim version and that every run is present exactly once.\n"
      "Exit status: 0 merged; 1 merged, but some runs had failed; 2 refused or bad input.";
  std::string output;
  cl.options.add_options()
      ("output,o", po::value(&output), "merged results file to write")
      ("force", "replace an existing OUT.h5")
      ("quiet,q", "print nothing on success");
  cl.hidden.add_options()("parts", po::value<std::vector<std::string>>(), "shard files");
  cl.positional.add("parts", -1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("parts")) return report_error(cl.command, "no PART.h5 files given (see complysim merge --help)");
  if (!vm->count("output")) return report_error(cl.command, "missing -o OUT.h5");
  if (const auto why = check_output_path(output, vm->count("force") > 0)) {
    std::cerr << *why << "\n";
    return kExitError;
  }
  const auto names = (*vm)["parts"].as<std::vector<std::string>>();
  const std::vector<std::filesystem::path> parts(names.begin(), names.end());
  std::optional<io::OutputLock> lock;  // one writer of OUT.h5 until this command ends
  if (const auto why = lock_output(lock, output, vm->count("force") > 0)) {
    std::cerr << *why << "\n";
    return kExitError;
  }
  return run_guarded(cl.command, [&]() -> int {
    const MergeReport rep = merge_results(parts, output, command_line(), vm->count("force") > 0);
    if (!vm->count("quiet"))
      std::cerr << "complysim merge: wrote " << output << ": " << rep.n_runs_total << " runs from " << parts.size()
                << " files\n";
    if (rep.failed > 0) {
      std::cerr << "complysim merge: " << rep.failed << " runs had failed (complysim info " << output << ")\n";
      return 1;
    }
    return kExitOk;
  });
}

}  // namespace complysim::cli
