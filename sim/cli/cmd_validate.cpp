// complysim validate: load and check a scenario, print every resolved field
// with its value and where the value came from.
#include "cli_common.hpp"
#include "commands.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

namespace complysim::cli {
namespace {

struct Row {
  std::string name, value, origin;
};

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string set_text(const std::vector<std::pair<std::string, ParamValue>>& set) {
  std::string out;
  for (const auto& [n, v] : set) out += (out.empty() ? "" : ", ") + n + " = " + to_toml_text(v);
  return out;
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "validate";
  cl.usage = "complysim validate SCENARIO [--set NAME=VALUE]...";
  cl.summary =
      "Loads SCENARIO (following `extends`), applies the overrides, checks every field, and prints\n"
      "each resolved field with its value and origin: default, FILE:LINE, extended FILE:LINE or --set.\n"
      "Exit status 0 when the scenario is valid, 2 (with FILE:LINE:COLUMN: error: ... on stderr) when not.";
  add_set_option(cl.options);
  cl.hidden.add_options()("scenario", po::value<std::string>(), "scenario file");
  cl.positional.add("scenario", 1);
  int code = kExitOk;
  const auto vm = parse_command_line(cl, args, code);
  if (!vm) return code;
  if (!vm->count("scenario")) return report_error(cl.command, "missing SCENARIO argument (see complysim validate --help)");

  const Scenario s = load_scenario((*vm)["scenario"].as<std::string>(), set_values(*vm));

  std::vector<Row> rows;
  auto add = [&](const std::string& name, const std::string& suffix = "") {
    const auto it = s.origins.find(name);
    const std::string origin = it == s.origins.end() ? "default" : describe_origin(it->second);
    rows.push_back({name, to_toml_text(get_param(s, name)), origin + suffix});
  };
  for (const auto& p : parameter_table()) {
    if (p.group == ParamGroup::Platforms || p.group == ParamGroup::Jurisdiction) continue;
    add(std::string(p.table) + "." + std::string(p.key));
  }
  for (const auto& pl : s.platforms)
    for (const auto& p : parameter_table())
      if (p.group == ParamGroup::Platforms) add("platforms." + pl.name + "." + std::string(p.key));
  for (const auto& j : s.jurisdictions) {
    for (const auto& p : parameter_table())
      if (p.group == ParamGroup::Jurisdiction) add("jurisdictions." + j.name + "." + std::string(p.key));
    for (const auto& p : parameter_table()) {
      if (p.group != ParamGroup::Law && p.group != ParamGroup::Regulator) continue;
      const std::string field = std::string(p.table) + "." + std::string(p.key);
      const bool own = std::find(j.own_fields.begin(), j.own_fields.end(), field) != j.own_fields.end();
      add("jurisdictions." + j.name + "." + field, own ? "" : " (inherited from " + field + ")");
    }
  }
  std::size_t w_name = 4, w_value = 5;
  for (const auto& r : rows) {
    w_name = std::max(w_name, r.name.size());
    w_value = std::max(w_value, r.value.size());
  }
  auto pad = [](std::string t, std::size_t w) {
    t.resize(std::max(w, t.size()), ' ');
    return t;
  };
  std::cout << "scenario " << s.source.string() << ": valid\n";
  for (const auto& o : s.overrides) std::cout << "override --set " << o << "\n";
  std::cout << "\n" << pad("name", w_name) << "  " << pad("value", w_value) << "  origin\n";
  for (const auto& r : rows) std::cout << pad(r.name, w_name) << "  " << pad(r.value, w_value) << "  " << r.origin << "\n";

  std::cout << "\nevents: " << s.events.size() << "\n";
  for (const auto& e : s.events) {
    std::cout << "  day " << e.day << ": ";
    if (e.action.empty()) std::cout << "set " << set_text(e.set);
    else {
      std::cout << e.action << " " << e.platform;
      if (!e.jurisdiction.empty()) std::cout << " in " << e.jurisdiction;
      if (e.days > 0) std::cout << " (" << e.days << (e.action == "fine" ? " revenue-days)" : " days)");
    }
    if (!e.note.empty()) std::cout << "  # " << e.note;
    std::cout << "\n";
  }
  if (!s.sweep.present) {
    std::cout << "sweep: none\n";
  } else {
    const auto& w = s.sweep;
    std::cout << "sweep: design " << w.design << ", samples " << w.samples << ", replicates " << w.replicates
              << (w.scramble ? ", scrambled" : "")
              << (w.shared_random_numbers ? ", shared random numbers per Saltelli row" : "") << "\n";
    if (w.design == "file")
      std::cout << "  points file " << w.points_path.string() << ": " << w.point_names.size() << " parameters ("
                << join_names(w.point_names) << ")" << (w.point_weights.empty() ? "" : " and a weight column") << "\n";
    for (const auto& p : w.parameters) {
      std::cout << "  " << p.name << ": ";
      if (w.design == "grid") {
        for (std::size_t i = 0; i < p.values.size(); ++i)
          std::cout << (i ? ", " : "[") << to_toml_text(ParamValue(p.values[i]));
        std::cout << "]\n";
      } else {
        std::cout << to_toml_text(ParamValue(p.min)) << " .. " << to_toml_text(ParamValue(p.max)) << "\n";
      }
    }
    for (const auto& d : w.designs) std::cout << "  design " << d.name << ": " << set_text(d.set) << "\n";
  }
  return kExitOk;
}

}  // namespace complysim::cli
