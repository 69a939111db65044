// complysim — command-line entry point. Parses the subcommand name and
// dispatches through the table below; everything else lives in complysim_core.
#include "cli_common.hpp"
#include "commands.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/version.hpp"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  complysim::cli::CommandFn run;
};

// One line per subcommand.
constexpr Command kCommands[] = {
    {"validate", "check a scenario file and print every resolved field with its origin", complysim::cli::cmd_validate},
    {"params", "list the parameter table (names, types, defaults, units, ranges, sources)", complysim::cli::cmd_params},
    {"run", "run a scenario's replicates, print the outcome table, write an HDF5 file", complysim::cli::cmd_run},
    {"sweep", "run a scenario's [sweep] (crash-safe, resumable, shardable) into an HDF5 file", complysim::cli::cmd_sweep},
    {"merge", "merge the shard files of one sweep into one HDF5 file", complysim::cli::cmd_merge},
    {"info", "show the provenance, design and run counts of a results file", complysim::cli::cmd_info},
    {"compare", "run several scenarios with the same seeds and print a paired what-if table", complysim::cli::cmd_compare},
    {"reproduce", "re-run a results file from what it carries and compare every dataset bit for bit", complysim::cli::cmd_reproduce},
    {"analyze", "Sobol indices, main effects and design comparisons from a results file", complysim::cli::cmd_analyze},
    {"serve", "a local web page for workshops: move the decree's levers, see the what-if", complysim::cli::cmd_serve},
};

void print_usage(std::ostream& out) {
  out << "usage: complysim COMMAND [OPTIONS]...\n"
         "       complysim --help | --version\n\n"
         "Agent-based simulator of platform compliance and self-censorship under content-control decrees.\n\n"
         "Commands:\n";
  for (const auto& c : kCommands) {
    std::string name(c.name);
    name.resize(12, ' ');
    out << "  " << name << c.summary << '\n';
  }
  out << "\nRun 'complysim COMMAND --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace complysim::cli;
  complysim::io::hdf5_skip_shutdown_at_exit();  // before any HDF5 call (see results_file.hpp)
  std::vector<std::string> args(argv + 1, argv + argc);
  set_command_line(argc, argv);
  if (args.empty()) {
    print_usage(std::cerr);
    return kExitError;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(std::cout);
    return kExitOk;
  }
  if (first == "--version" || first == "-V") {
    std::cout << "complysim " << complysim::version() << " (git " << complysim::git_commit() << ")\n";
    return kExitOk;
  }
  for (const auto& c : kCommands) {
    if (c.name == first) {
      const std::vector<std::string> rest(args.begin() + 1, args.end());
      return run_guarded(c.name, [&] { return c.run(rest); });
    }
  }
  return report_error("", "unknown command '" + first + "' (see complysim --help)");
}
