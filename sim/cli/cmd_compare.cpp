// `complysim compare`: several scenarios under common random numbers, one
// what-if table (analysis/compare.hpp), optionally one HDF5 file.
#include "cli_common.hpp"
#include "commands.hpp"
#include "progress.hpp"

#include "complysim/analysis/compare.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/simulation/replicate_output.hpp"
#include "complysim/simulation/run.hpp"

#include <boost/program_options.hpp>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;

namespace complysim::cli {
namespace {

/// Column names: file stems, made unique with a suffix (-2, -3, ...) if two files share a stem.
std::vector<std::string> column_names(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  for (const auto& p : paths) {
    std::string stem = fs::path(p).stem().string();
    std::string name = stem;
    for (int k = 2; std::find(names.begin(), names.end(), name) != names.end(); ++k) name = stem + "-" + std::to_string(k);
    names.push_back(name);
  }
  return names;
}

/// "90 days", or "90 days (a, b), 30 days (c)" when the scenarios differ: the
/// days each run's summaries cover, min(summary_window_days, days) as in the model.
std::string window_text(const std::vector<Scenario>& scenarios, const std::vector<std::string>& names) {
  std::vector<std::int64_t> w;
  for (const auto& s : scenarios) w.push_back(std::min<std::int64_t>(s.simulation.summary_window_days, s.simulation.days));
  if (std::all_of(w.begin(), w.end(), [&](std::int64_t x) { return x == w.front(); })) return std::to_string(w.front()) + " days";
  std::string out;
  std::vector<std::int64_t> seen;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (std::find(seen.begin(), seen.end(), w[i]) != seen.end()) continue;
    seen.push_back(w[i]);
    std::string who;
    for (std::size_t j = i; j < w.size(); ++j)
      if (w[j] == w[i]) who += (who.empty() ? "" : ", ") + names[j];
    out += (out.empty() ? "" : ", ") + std::to_string(w[i]) + " days (" + who + ")";
  }
  return out;
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "compare";
  cl.usage =
      "complysim compare A.toml B.toml... [--set NAME=VALUE]... [--replicates N] [--threads N] [-o OUT.h5]\n"
      "                         [--format table|markdown|csv] [--quiet] [--force]";
  cl.summary =
      "Runs every scenario with the same seeds (common random numbers: replicate r of each scenario\n"
      "sees the same simulated people and random events) and prints one table: a column per\n"
      "scenario, a row per outcome (per platform where it applies), the mean across replicates and\n"
      "the paired difference against the first scenario with its 95% confidence interval.\n"
      "Every scenario uses the first file's simulation.seed and, unless --replicates is given, its\n"
      "simulation.replicates. --set applies to every scenario. With -o, writes all runs to one HDF5\n"
      "file (one design per scenario, named by file stem; the scenarios must then share platforms,\n"
      "horizon and recording interval).";
  int threads = 0;
  std::int64_t replicates = 0;
  std::string output, format = "table";
  add_set_option(cl.options);
  cl.options.add_options()
      ("output,o", po::value(&output), "write every run to this HDF5 file")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("replicates", po::value(&replicates), "replicates per scenario (default: the first file's simulation.replicates)")
      ("format", po::value(&format), "table (default), markdown or csv")
      ("quiet,q", "no progress display")
      ("force", "overwrite an existing output file");
  cl.hidden.add_options()("scenario", po::value<std::vector<std::string>>(), "scenario files");
  cl.positional.add("scenario", -1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  const auto paths = vm->count("scenario") ? (*vm)["scenario"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (paths.size() < 2) return report_error(cl.command, "give at least two scenario files to compare (see complysim compare --help)");
  if (vm->count("threads") && threads < 1) return report_error(cl.command, "--threads must be at least 1");
  if (vm->count("replicates") && replicates < 1) return report_error(cl.command, "--replicates must be at least 1");
  CompareFormat fmt;
  if (format == "table") fmt = CompareFormat::Table;
  else if (format == "markdown") fmt = CompareFormat::Markdown;
  else if (format == "csv") fmt = CompareFormat::Csv;
  else return report_error(cl.command, "unknown --format '" + format + "' (expected table, markdown or csv)");
  const bool quiet = vm->count("quiet") > 0, force = vm->count("force") > 0;
  const std::vector<std::string> sets = set_values(*vm);
  return run_guarded(cl.command, [&]() -> int {
    // The first file fixes the seed and the replicate count for all (common random numbers).
    std::vector<std::string> first_sets = sets;
    if (vm->count("replicates")) first_sets.push_back("simulation.replicates=" + std::to_string(replicates));
    std::vector<Scenario> scenarios;
    scenarios.push_back(load_scenario(paths[0], first_sets));
    const auto seed = scenarios[0].simulation.seed;
    const auto reps = scenarios[0].simulation.replicates;
    for (std::size_t i = 1; i < paths.size(); ++i) {
      std::vector<std::string> s = sets;
      s.push_back("simulation.seed=" + std::to_string(seed));
      s.push_back("simulation.replicates=" + std::to_string(reps));
      scenarios.push_back(load_scenario(paths[i], s));
    }
    const auto names = column_names(paths);

    fs::path out_path;
    std::optional<io::OutputLock> lock;  // one writer of OUT.h5 until this command ends
    if (vm->count("output")) {
      if (const auto why = check_output_path(output, force, paths)) {
        std::cerr << *why << "\n";
        return kExitError;
      }
      if (const auto why = lock_output(lock, output, force)) {
        std::cerr << *why << "\n";
        return kExitError;
      }
      out_path = output;
      // One file holds one schema: the scenarios must agree on its shape.
      for (std::size_t i = 1; i < scenarios.size(); ++i) {
        const auto& a = scenarios[0];
        const auto& b = scenarios[i];
        std::vector<std::string> pa, pb;
        for (const auto& p : a.platforms) pa.push_back(p.name);
        for (const auto& p : b.platforms) pb.push_back(p.name);
        std::vector<std::string> differ;
        if (pa != pb) differ.push_back("platforms");
        if (a.simulation.days != b.simulation.days) differ.push_back("simulation.days");
        if (a.simulation.record_every_days != b.simulation.record_every_days) differ.push_back("simulation.record_every_days");
        if (a.simulation.start_date != b.simulation.start_date) differ.push_back("simulation.start_date");
        if (!differ.empty()) {
          std::string fields;
          for (const auto& f : differ) fields += (fields.empty() ? "" : ", ") + f;
          return report_error(cl.command, "-o: " + paths[i] + " differs from " + paths[0] + " in " + fields +
                                              "; one HDF5 file needs them equal (compare without -o, or --set them equal)");
        }
      }
    }

    std::optional<tbb::global_control> limit;
    if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    std::int64_t total_days = 0;
    for (const auto& s : scenarios) total_days += reps * s.simulation.days;
    std::vector<std::vector<ReplicateRun>> runs;
    {
      InterruptGuard interrupt;
      Progress progress("compare", total_days, "simulated days", quiet);
      try {
        for (const auto& s : scenarios)
          runs.push_back(simulate_replicates(s, reps, InterruptGuard::flag(), [&] { progress.tick(); }));
      } catch (const Cancelled&) {
        progress.finish();
        std::cerr << "complysim compare: interrupted (Ctrl-C); no results were written\n";
        return kExitInterrupted;
      }
    }

    std::vector<CompareInput> inputs;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      CompareInput in;
      in.name = names[i];
      for (const auto& p : scenarios[i].platforms) in.platforms.push_back(p.name);
      for (const auto& r : runs[i]) in.runs.push_back(&r.result);
      inputs.push_back(std::move(in));
    }
    const CompareTable table = build_compare_table(inputs);
    if (fmt == CompareFormat::Table) {
      std::cout << "scenarios:  ";
      for (std::size_t i = 0; i < paths.size(); ++i) std::cout << (i ? ", " : "") << names[i] << " (" << paths[i] << ")";
      std::cout << "\nreplicates: " << reps << " per scenario, seed " << seed << " for all; users: " << scenarios[0].population.users
                << "; outcomes are means over each run's last " << window_text(scenarios, names) << "\n";
    }
    std::cout << format_compare_table(table, fmt);

    if (!out_path.empty()) {
      try {
        io::Provenance prov;
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
          prov.scenario_texts.push_back(to_toml(scenarios[i]));
          prov.scenario_toml += "# ---- scenario " + std::to_string(i) + ": " + names[i] + " (" + paths[i] + ")\n" + prov.scenario_texts.back() + "\n";
        }
        prov.overrides = sets;
        prov.command_line = command_line();
        prov.seed = static_cast<std::uint64_t>(seed);
        prov.start_date = scenarios[0].simulation.start_date;
        io::ResultsSchema schema;
        for (const auto& p : scenarios[0].platforms) schema.platforms.push_back(p.name);
        schema.record_day = runs[0].front().result.record_day;
        schema.start_date = scenarios[0].simulation.start_date;
        {  // per jurisdiction only when every design has the same two or more jurisdictions
          std::vector<std::string> jur;
          for (const auto& j : scenarios[0].jurisdictions) jur.push_back(j.name);
          bool same = jur.size() >= 2;
          for (const auto& sc : scenarios) {
            std::vector<std::string> other;
            for (const auto& j : sc.jurisdictions) other.push_back(j.name);
            same = same && other == jur;
          }
          if (same) schema.jurisdictions = jur;
        }
        io::DesignInfo design;
        design.kind = "compare";
        design.names = names;
        design.settings.assign(names.size(), "");
        design.replicates = reps;
        design.samples = Eigen::MatrixXd(1, 0);
        write_replicate_results(out_path, prov, schema, design, runs, /*replace=*/force);
      } catch (const std::exception& e) {
        std::cerr << out_path.string() << ": error: could not write results: " << error_text(e) << "\n";
        return kExitError;
      }
      if (!quiet) std::cerr << "wrote " << out_path.string() << "\n";
    }
    return kExitOk;
  });
}

}  // namespace complysim::cli
