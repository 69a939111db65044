// complysim params: the parameter table as a table, Markdown or CSV.
#include "cli_common.hpp"
#include "commands.hpp"
#include "complysim/params_format.hpp"

#include <iostream>

namespace complysim::cli {

int cmd_params(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "params";
  cl.usage = "complysim params [--format table|markdown|csv] [--wide]";
  cl.summary =
      "Lists every scenario parameter: dotted name, type, default, unit, range, description and source.\n"
      "docs/parameters.md is the markdown output.";
  cl.options.add_options()("format,f", po::value<std::string>()->default_value("table"),
                           "output format: table, markdown or csv")  //
      ("wide", po::bool_switch(), "table: one line per parameter instead of fitting 100 columns");
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  const std::string name = (*vm)["format"].as<std::string>();
  const auto format = parse_param_format(name);
  if (!format) return report_error(cl.command, "unknown format '" + name + "' (expected table, markdown or csv)");
  std::cout << format_parameter_table(*format, (*vm)["wide"].as<bool>());
  return kExitOk;
}

}  // namespace complysim::cli
