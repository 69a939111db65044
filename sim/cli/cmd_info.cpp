// `complysim info`: what a results file holds (provenance, design, run counts,
// failures), for files of complysim run, sweep and merge.
#include "cli_common.hpp"
#include "commands.hpp"

#include "complysim/io/journal.hpp"
#include "complysim/io/results_file.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

namespace complysim::cli {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

}  // namespace

int cmd_info(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "info";
  cl.usage = "complysim info FILE.h5 [--all]";
  cl.summary =
      "Prints what a results file holds: provenance (version, commit, creation time, seed, start date,\n"
      "command line, overrides), the design, the counts of finished, failed and missing runs, and the\n"
      "failed runs with their messages.";
  cl.options.add_options()("all", "list every failed run (default: the first 20)");
  cl.hidden.add_options()("file", po::value<std::string>(), "results file");
  cl.positional.add("file", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("file")) return report_error(cl.command, "missing FILE.h5 argument");
  const std::string file = (*vm)["file"].as<std::string>();
  const bool all = vm->count("all") > 0;
  // One clean line, exit 2, for a path that is not a results file (like `complysim analyze`).
  {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto fail = [&](const std::string& why) {
      std::cerr << file << ": error: " << why << "\n";
      return kExitError;
    };
    if (!fs::exists(file, ec)) {
      const std::string journal = file + ".journal";
      if (fs::exists(journal, ec)) {
        // Name the finished runs and the command that started the sweep when the journal can be read.
        std::string held, resume = "complysim sweep SCENARIO -o " + file + " --resume";
        try {
          std::int64_t n = 0;
          const io::JournalScan scan = io::scan_journal(journal, [&](const io::JournalScan::Entry&) { ++n; });
          held = " (" + std::to_string(n) + " finished runs so far)";
          if (!scan.header.command_line.empty()) {
            resume = scan.header.command_line;
            if (resume.find(" --resume") == std::string::npos) resume += " --resume";
          }
        } catch (const std::exception&) {
        }
        return fail("no such file; only the journal " + journal + " exists" + held +
                    ": the sweep is unfinished (interrupted, or still running). Resume it with:\n  " + resume);
      }
      return fail("no such file");
    }
    if (fs::is_directory(file, ec)) return fail("is a directory, not a results file");
  }
  std::optional<io::ResultsReader> reader;
  try {
    reader.emplace(file);
  } catch (const std::exception& e) {
    const std::string what = error_text(e);
    if (what.find("not a complysim results file") != std::string::npos) std::cerr << what << "\n";
    else std::cerr << file << ": error: not a complysim results file (" << what << ")\n";
    return kExitError;
  }
  return run_guarded(cl.command, [&]() -> int {
    const io::ResultsReader& r = *reader;
    const io::Provenance& p = r.provenance();
    const io::DesignInfo& d = r.design();
    std::ostream& out = std::cout;
    out << "file:         " << file << "\n";
    out << "complysim:    " << p.complysim_version << " (git " << p.git_commit << ")\n";
    out << "created:      " << p.created_utc << "\n";
    out << "seed:         " << p.seed << "\n";
    out << "start date:   " << (p.start_date.empty() ? "(none)" : p.start_date) << "\n";
    out << "command line: " << p.command_line << "\n";
    out << "overrides:    " << (p.overrides.empty() ? "(none)" : join(p.overrides, " ")) << "\n";
    if (!p.shard.empty()) out << "shard:        " << p.shard << "\n";
    out << "ranks:        " << p.mpi_ranks
        << (p.mpi_ranks > 1 ? " MPI ranks (rank 0 coordinating, " + std::to_string(p.mpi_ranks - 1) + " computing)" : std::string(" (no MPI)"))
        << "\n";
    out << "design:       " << d.kind;
    if (d.kind == "sobol") out << " (Saltelli, base N = " << d.sobol_base_samples << ")";
    out << "\n";
    out << "parameters:   " << (d.parameters.empty() ? "(none)" : join(d.parameters)) << "\n";
    out << "designs:      " << d.names.size() << " (" << join(d.names) << ")\n";
    out << "samples:      " << d.samples.rows() << "\n";
    out << "replicates:   " << d.replicates << "\n";

    const std::vector<RunStatus> status = r.status();
    std::int64_t ok = 0, failed = 0, reserved = 0;
    for (RunStatus s : status) {
      if (s == RunStatus::Ok) ++ok;
      else if (s == RunStatus::Failed) ++failed;
      else ++reserved;
    }
    const std::int64_t absent = std::max<std::int64_t>(0, p.n_runs_total - r.n_runs());
    out << "runs:         " << p.n_runs_total << " in the sweep, " << r.n_runs() << " in this file: " << ok
        << " finished, " << failed << " failed, " << (absent + reserved) << " missing\n";
    if (failed > 0) {
      const std::vector<std::string> msg = r.message();
      const std::vector<std::int64_t> run = r.run(), point = r.point(), rep = r.replicate(), des = r.design_index();
      out << "\nfailed runs:\n";
      std::int64_t shown = 0;
      for (std::size_t i = 0; i < status.size(); ++i) {
        if (status[i] != RunStatus::Failed) continue;
        if (!all && shown == 20) {
          out << "  ... and " << (failed - shown) << " more (use --all)\n";
          break;
        }
        const auto di = static_cast<std::size_t>(des[i]);
        out << "  run " << run[i] << " (design " << (di < d.names.size() ? d.names[di] : std::to_string(des[i]))
            << ", sample " << point[i] << ", replicate " << rep[i] << "): " << msg[i] << "\n";
        ++shown;
      }
    }
    return kExitOk;
  });
}

}  // namespace complysim::cli
