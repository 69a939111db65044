// `complysim analyze`: Sobol indices, main effects and paired design comparisons
// from a results file (the tables are built by complysim/analysis/analyze.hpp).
#include "cli_common.hpp"
#include "commands.hpp"

#include "complysim/analysis/analyze.hpp"

#include <cstdint>
#include <iostream>

namespace complysim::cli {

int cmd_analyze(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "analyze";
  cl.usage =
      "complysim analyze FILE.h5 [--section overview|summary|comparisons|indices|effects|all] [--outcome NAME]...\n"
      "                         [--format table|markdown|csv] [--wide] [--bootstrap N] [--seed N] [--bins N]";
  cl.summary =
      "Tables from a results file written by complysim run or complysim sweep:\n"
      "  sobol designs: first-order (Saltelli 2010) and total-order (Jansen 1999) Sobol indices of each\n"
      "    outcome for each swept parameter, with seeded percentile-bootstrap 95% intervals;\n"
      "  grid / lhs designs: main effects, the outcome's mean and 95% CI at each level / quantile bin;\n"
      "  several decree designs: the paired difference against the first design (common random numbers);\n"
      "  a single run file: mean and 95% CI of each outcome.\n"
      "By default one screen per design: the mean of every outcome (and its change against the first\n"
      "design) and the strongest parameters; --section picks the full tables. Sobol indices carry remarks:\n"
      "  'noise dominates: more samples' (interval wider than the index, or S1 < 0 / ST > 1 beyond it),\n"
      "  'not converged' (moved by more than 0.05 from N/2 to N), 'K of M runs differ: no index';\n"
      "  and a recommended N from the widest interval.\n"
      "Per decree design; replicates are averaged per sample before Sobol indices are estimated; failed\n"
      "runs and undefined values are dropped and every table says how many runs it used.\n"
      "Outcomes: every outcome and per-platform column by default; NAME is an outcome (all its\n"
      "platform columns) or one column, e.g. takedown_compliance_rate[global_social].";
  cl.options.add_options()                                                                        //
      ("section", po::value<std::string>()->default_value("overview"),
       "overview (default: one screen per design), summary, comparisons, indices, effects or all")  //
      ("wide", po::bool_switch(), "one row per estimate with every column, wider than 100 columns")  //
      ("outcome", po::value<std::vector<std::string>>()->composing(), "outcome to analyse (repeatable)")  //
      ("format,f", po::value<std::string>()->default_value("table"), "output format: table, markdown or csv")  //
      ("bootstrap", po::value<std::int64_t>()->default_value(1000), "bootstrap resamples for Sobol intervals (0: none)")  //
      ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the bootstrap resamples")  //
      ("bins", po::value<std::int64_t>()->default_value(0), "lhs quantile bins (0: at most 10, at least 8 runs each)");
  cl.hidden.add_options()("file", po::value<std::string>(), "results file");
  cl.positional.add("file", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("file")) return report_error(cl.command, "missing FILE.h5 argument (see complysim analyze --help)");
  const std::string format_name = (*vm)["format"].as<std::string>();
  const auto format = parse_analysis_format(format_name);
  if (!format) return report_error(cl.command, "unknown format '" + format_name + "' (expected table, markdown or csv)");

  const std::string section_name = (*vm)["section"].as<std::string>();
  const auto section = parse_analysis_section(section_name);
  if (!section)
    return report_error(cl.command, "unknown section '" + section_name +
                                        "' (expected overview, summary, comparisons, indices, effects or all)");
  AnalysisView view;
  view.section = *section;
  view.wide = (*vm)["wide"].as<bool>();

  AnalyzeOptions options;
  if (vm->count("outcome")) options.outcomes = (*vm)["outcome"].as<std::vector<std::string>>();
  options.bootstrap = (*vm)["bootstrap"].as<std::int64_t>();
  options.seed = (*vm)["seed"].as<std::uint64_t>();
  options.bins = (*vm)["bins"].as<std::int64_t>();
  const Analysis analysis = analyze_file((*vm)["file"].as<std::string>(), options);
  std::cout << format_analysis(analysis, *format, view);
  return kExitOk;
}

}  // namespace complysim::cli
