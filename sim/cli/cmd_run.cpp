// `complysim run`: replicates of one scenario, an outcome table, an HDF5 file.
#include "cli_common.hpp"
#include "progress.hpp"
#include "commands.hpp"

#include "complysim/analysis/compare.hpp"  // outcome_label: the plain meaning compare prints

#include "complysim/analysis/sensitivity.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/simulation/outcome_range.hpp"
#include "complysim/simulation/replicate_output.hpp"
#include "complysim/simulation/run.hpp"

#include <boost/program_options.hpp>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;

namespace complysim::cli {
namespace {

/// Largest simulation.seed (a 32-bit unsigned value).
constexpr std::int64_t kMaxSeed = 4294967295;

}  // namespace

std::string format_outcome_table(const Scenario& s, const std::vector<ReplicateRun>& runs) {
  std::ostringstream out;
  const auto end_day = s.simulation.days - 1;
  const auto start = parse_iso_date(s.simulation.start_date);
  // The model summarises min(summary_window_days, days) final days.
  const auto window = std::min<std::int64_t>(s.simulation.summary_window_days, s.simulation.days);
  out << "scenario:   " << s.source.string() << "\n";
  if (start) {
    out << "period:     " << s.simulation.start_date << " to " << format_iso_date(*start + end_day) << " (" << s.simulation.days
        << " days); summaries over the last " << window << " days\n";
  } else {
    out << "period:     day 0 to day " << end_day << "; summaries over the last " << window << " days\n";
  }
  out << "replicates: " << runs.size() << " (seed " << s.simulation.seed << "), users: " << s.population.users << "\n";
  if (runs.size() < 2)
    out << "no 95% CIs: one replicate gives no spread (use --replicates 2 or more)\n\n";
  else
    out << "95% CIs are Student-t intervals across replicates, clipped to each outcome's possible range\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-34s %-16s %12s   %-27s\n", "outcome", "platform", "mean", "95% CI");
  out << line << "  what it measures (unit)\n" << std::string(92, '-') << "\n";
  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const int width = table[k].per_platform ? static_cast<int>(s.platforms.size()) : 1;
    for (int p = 0; p < width; ++p) {
      Eigen::VectorXd v(static_cast<Eigen::Index>(runs.size()));
      for (std::size_t r = 0; r < runs.size(); ++r) v[static_cast<Eigen::Index>(r)] = runs[r].result.summary[k][static_cast<std::size_t>(p)];
      const MeanCI m = mean_ci(v);
      char ci[64] = "";
      const OutcomeRange range = outcome_range(static_cast<OutcomeId>(k));
      if (m.n >= 2 && std::isfinite(m.ci_lo)) std::snprintf(ci, sizeof ci, "[%.4g, %.4g]", range.clip(m.ci_lo), range.clip(m.ci_hi));
      else if (m.n == 0) std::snprintf(ci, sizeof ci, "(undefined)");
      std::snprintf(line, sizeof line, "%-34s %-16s %12.4g   %-27s\n", p == 0 ? std::string(table[k].name).c_str() : "",
                    table[k].per_platform ? s.platforms[static_cast<std::size_t>(p)].name.c_str() : "", m.mean, ci);
      out << line;
    }
    // What the outcome is and its unit, as `complysim compare` prints them.
    out << "  " << outcome_label(table[k].name) << " (unit: " << table[k].unit << ")\n";
  }
  return out.str();
}

int cmd_run(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "run";
  cl.usage = "complysim run SCENARIO [--set NAME=VALUE]... [-o OUT.h5] [--threads N] [--replicates N] [--seed N] [--quiet] [--force]";
  cl.summary =
      "Runs the scenario's replicates in parallel and prints every outcome of model-spec section 7\n"
      "(mean and 95% confidence interval across replicates; per platform where marked). With -o,\n"
      "writes the results to an HDF5 file (docs/output-format.md) through a temporary name, so an\n"
      "interrupted run never leaves a half-written file. Ctrl-C stops cleanly (exit status 130).";
  int threads = 0;
  std::int64_t replicates = 0, seed = -1;
  std::string output;
  add_set_option(cl.options);
  cl.options.add_options()
      ("output,o", po::value(&output), "write results to this HDF5 file")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("replicates", po::value(&replicates), "number of replicates (default: simulation.replicates)")
      ("seed", po::value(&seed), "scenario seed (default: simulation.seed)")
      ("quiet,q", "no progress display")
      ("force", "overwrite an existing output file");
  cl.hidden.add_options()("scenario", po::value<std::string>(), "scenario file");
  cl.positional.add("scenario", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("scenario")) return report_error(cl.command, "missing SCENARIO argument (see complysim run --help)");
  if (vm->count("threads") && threads < 1) return report_error(cl.command, "--threads must be at least 1");
  if (vm->count("replicates") && replicates < 1) return report_error(cl.command, "--replicates must be at least 1");
  if (vm->count("seed") && (seed < 0 || seed > kMaxSeed)) {
    std::cerr << "--seed: error: " << seed << " is out of range: the seed must be between 0 and " << kMaxSeed << "\n";
    return kExitError;
  }
  const bool quiet = vm->count("quiet") > 0, force = vm->count("force") > 0;
  std::vector<std::string> sets = set_values(*vm);
  const std::string scenario_path = (*vm)["scenario"].as<std::string>();
  return run_guarded(cl.command, [&]() -> int {

  // --seed and --replicates are overrides like any other, so provenance records them.
  if (vm->count("seed")) sets.push_back("simulation.seed=" + std::to_string(seed));
  if (vm->count("replicates")) sets.push_back("simulation.replicates=" + std::to_string(replicates));
  const Scenario s = load_scenario(scenario_path, sets);

  fs::path out_path;
  if (vm->count("output")) {
    if (const auto why = check_output_path(output, force, {scenario_path})) {
      std::cerr << *why << "\n";
      return kExitError;
    }
    out_path = output;
  }
  std::optional<io::OutputLock> lock;  // one writer of OUT.h5 until this command ends
  if (!out_path.empty())
    if (const auto why = lock_output(lock, output, force)) {
      std::cerr << *why << "\n";
      return kExitError;
    }

  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const std::int64_t total_days = s.simulation.replicates * s.simulation.days;
  std::vector<ReplicateRun> runs;
  {
    InterruptGuard interrupt;
    Progress progress("run", total_days, "simulated days", quiet);
    try {
      runs = simulate_replicates(s, s.simulation.replicates, InterruptGuard::flag(), [&] { progress.tick(); });
    } catch (const Cancelled&) {
      progress.finish();
      std::cerr << "complysim run: interrupted (Ctrl-C); no results were written\n";
      return kExitInterrupted;
    }
  }

  std::cout << format_outcome_table(s, runs);

  if (!out_path.empty()) {
    try {
      io::Provenance prov;
      prov.scenario_toml = to_toml(s);
      prov.overrides = s.overrides;
      prov.command_line = command_line();
      prov.seed = static_cast<std::uint64_t>(s.simulation.seed);
      prov.start_date = s.simulation.start_date;
      io::ResultsSchema schema;
      for (const auto& p : s.platforms) schema.platforms.push_back(p.name);
      schema.record_day = runs.front().result.record_day;
      schema.start_date = s.simulation.start_date;
      if (s.jurisdictions.size() >= 2)
        for (const auto& j : s.jurisdictions) schema.jurisdictions.push_back(j.name);
      io::DesignInfo design;
      design.replicates = s.simulation.replicates;
      design.samples = Eigen::MatrixXd(1, 0);
      write_replicate_results(out_path, prov, schema, design, {runs}, /*replace=*/force);
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
