// `complysim run`: replicates of one scenario, an outcome table, an HDF5 file.
#include "cli_common.hpp"
#include "progress.hpp"
#include "commands.hpp"

#include "complysim/analysis/sensitivity.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/simulation/run.hpp"

#include <boost/program_options.hpp>
#include <oneapi/tbb/global_control.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace complysim::cli {
namespace {

/// Shared with the SIGINT handler: raised on Ctrl-C, polled by every run once per simulated day.
std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

}  // namespace

std::string format_outcome_table(const Scenario& s, const std::vector<ReplicateRun>& runs) {
  std::ostringstream out;
  const auto end_day = s.simulation.days - 1;
  const auto start = parse_iso_date(s.simulation.start_date);
  out << "scenario:   " << s.source.string() << "\n";
  if (start) {
    out << "period:     " << s.simulation.start_date << " to " << format_iso_date(*start + end_day) << " (" << s.simulation.days
        << " days); summaries over the last " << s.simulation.summary_window_days << " days\n";
  } else {
    out << "period:     day 0 to day " << end_day << "; summaries over the last " << s.simulation.summary_window_days << " days\n";
  }
  out << "replicates: " << runs.size() << " (seed " << s.simulation.seed << "), users: " << s.population.users << "\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-34s %-16s %12s   %-27s\n", "outcome", "platform", "mean", "95% CI");
  out << line << std::string(92, '-') << "\n";
  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const int width = table[k].per_platform ? static_cast<int>(s.platforms.size()) : 1;
    for (int p = 0; p < width; ++p) {
      Eigen::VectorXd v(static_cast<Eigen::Index>(runs.size()));
      for (std::size_t r = 0; r < runs.size(); ++r) v[static_cast<Eigen::Index>(r)] = runs[r].result.summary[k][static_cast<std::size_t>(p)];
      const MeanCI m = mean_ci(v);
      char ci[64] = "";
      if (m.n >= 2 && std::isfinite(m.ci_lo)) std::snprintf(ci, sizeof ci, "[%.4g, %.4g]", m.ci_lo, m.ci_hi);
      else if (m.n == 0) std::snprintf(ci, sizeof ci, "(undefined)");
      std::snprintf(line, sizeof line, "%-34s %-16s %12.4g   %-27s\n", p == 0 ? std::string(table[k].name).c_str() : "",
                    table[k].per_platform ? s.platforms[static_cast<std::size_t>(p)].name.c_str() : "", m.mean, ci);
      out << line;
    }
  }
  return out.str();
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("Usage: complysim run SCENARIO [options]\n\nRuns the scenario's replicates in parallel and prints every outcome (mean and 95% CI across replicates).\n\nOptions");
  std::vector<std::string> sets;
  std::string output;
  int threads = 0;
  std::int64_t replicates = 0, seed = -1;
  opts.add_options()
      ("help,h", "show this help")
      ("set", po::value(&sets)->composing(), "override a parameter: --set dotted.name=value (repeatable)")
      ("output,o", po::value(&output), "write results to this HDF5 file")
      ("threads", po::value(&threads), "worker threads (default: all cores)")
      ("replicates", po::value(&replicates), "number of replicates (default: simulation.replicates)")
      ("seed", po::value(&seed), "scenario seed (default: simulation.seed)")
      ("quiet,q", "no progress display")
      ("force", "overwrite an existing output file");
  po::options_description hidden;
  std::string scenario_path;
  hidden.add_options()("scenario", po::value(&scenario_path));
  po::positional_options_description pos;
  pos.add("scenario", 1);
  po::options_description all;
  all.add(opts).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error("run", e.what());
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (scenario_path.empty()) return usage_error("run", "missing SCENARIO (a .toml file)");
  if (vm.count("threads") && threads < 1) return usage_error("run", "--threads must be at least 1");
  if (vm.count("replicates") && replicates < 1) return usage_error("run", "--replicates must be at least 1");
  if (vm.count("seed") && seed < 0) return usage_error("run", "--seed must be a non-negative integer");
  const bool quiet = vm.count("quiet") > 0, force = vm.count("force") > 0;

  // --seed and --replicates are overrides like any other, so provenance records them.
  if (vm.count("seed")) sets.push_back("simulation.seed=" + std::to_string(seed));
  if (vm.count("replicates")) sets.push_back("simulation.replicates=" + std::to_string(replicates));
  std::optional<Scenario> loaded = load_or_report(scenario_path, sets);
  if (!loaded) return kExitBadInput;
  const Scenario& s = *loaded;

  fs::path out_path, partial;
  if (!output.empty()) {
    out_path = output;
    if (fs::exists(out_path) && !force) {
      std::cerr << out_path.string() << ": error: file exists; use --force to overwrite it\n";
      return kExitBadInput;
    }
    partial = out_path;
    partial += ".partial";
  }

  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  g_interrupted.store(false);
  auto previous = std::signal(SIGINT, on_sigint);

  const std::int64_t total_days = s.simulation.replicates * s.simulation.days;
  Progress progress("run", total_days, "simulated days", quiet);
  std::vector<ReplicateRun> runs;
  try {
    runs = simulate_replicates(s, s.simulation.replicates, &g_interrupted, [&] { progress.tick(); });
  } catch (const Cancelled&) {
    progress.finish();
    std::signal(SIGINT, previous);
    std::cerr << "complysim run: interrupted (Ctrl-C); no results were written\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {
    progress.finish();
    std::signal(SIGINT, previous);
    std::cerr << "complysim run: error: " << e.what() << "\n";
    return kExitFailure;
  }
  progress.finish();
  std::signal(SIGINT, previous);

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
      io::DesignInfo design;
      design.replicates = s.simulation.replicates;
      design.samples = Eigen::MatrixXd(1, 0);
      {
        io::ResultsWriter w(partial, prov, schema, design, /*overwrite=*/true);
        for (const auto& r : runs) {
          io::RunRow row;
          row.replicate = r.replicate;
          row.seed = r.key;
          row.result = &r.result;
          w.append(row);
        }
        w.close();
      }
      io::commit_file(partial, out_path);
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove(partial, ec);
      std::cerr << out_path.string() << ": error: could not write results: " << e.what() << "\n";
      return kExitFailure;
    }
    if (!quiet) std::cerr << "wrote " << out_path.string() << "\n";
  }
  return 0;
}

}  // namespace complysim::cli
