// complysim — access to a resolved scenario by dotted name, its TOML text, and
// the ScenarioError type. No toml++ here (scenario.cpp is the only TU that parses).
#include "fields.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace complysim {

ScenarioError::ScenarioError(std::string file, std::int64_t line, std::int64_t column, const std::string& message)
    : std::runtime_error(line > 0 ? file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                        ": error: " + message
                                  : file + ": error: " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(message) {}

namespace detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::size_t best = limit + 1;
  const std::string* best_word = nullptr;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: skip what cannot win
    // (keeps a hostile 64 KiB name from costing seconds; found by fuzz_set).
    const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap >= best) continue;
    const std::size_t d = edit_distance(word, c);
    if (d < best && d < word.size()) {
      best = d;
      best_word = &c;
    }
  }
  return best_word ? "; did you mean '" + *best_word + "'?" : std::string();
}

namespace {
const char* const kTopTables[] = {"simulation", "population", "beliefs", "law", "regulator", "platform", "content", "outcomes"};

std::vector<std::string> split_dots(std::string_view s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dot = s.find('.', start);
    parts.emplace_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}
}  // namespace

std::vector<std::string> all_dotted_names(const Scenario& s) {
  std::vector<std::string> out;
  for (const auto& p : parameter_table()) {
    if (p.group == ParamGroup::Platforms) {
      for (const auto& pl : s.platforms) out.push_back("platforms." + pl.name + "." + std::string(p.key));
    } else if (p.group == ParamGroup::Jurisdiction) {
      for (const auto& j : s.jurisdictions) out.push_back("jurisdictions." + j.name + "." + std::string(p.key));
    } else {
      out.push_back(std::string(p.table) + "." + std::string(p.key));
    }
  }
  for (const auto& j : s.jurisdictions)
    for (const auto& p : parameter_table())
      if (p.group == ParamGroup::Law || p.group == ParamGroup::Regulator)
        out.push_back("jurisdictions." + j.name + "." + std::string(p.table) + "." + std::string(p.key));
  return out;
}

ResolvedName resolve_name(const Scenario& s, std::string_view dotted) {
  const auto parts = split_dots(dotted);
  auto unknown = [&]() {
    return std::invalid_argument("unknown parameter '" + std::string(dotted) + "'" +
                                 did_you_mean(dotted, all_dotted_names(s)));
  };
  ResolvedName r;
  if (parts.size() == 2) {
    for (const char* t : kTopTables)
      if (parts[0] == t) r.spec = find_param(parts[0], parts[1]);
    if (!r.spec) throw unknown();
    return r;
  }
  if (parts[0] == "platforms" && parts.size() == 3) {
    const auto it = std::find_if(s.platforms.begin(), s.platforms.end(), [&](const auto& p) { return p.name == parts[1]; });
    if (it == s.platforms.end()) {
      std::vector<std::string> names;
      for (const auto& p : s.platforms) names.push_back(p.name);
      throw std::invalid_argument("unknown platform '" + parts[1] + "' in '" + std::string(dotted) + "'" +
                                  did_you_mean(parts[1], names));
    }
    r.spec = find_param("platforms", parts[2]);
    if (!r.spec) throw unknown();
    r.target = ResolvedName::Target::Platform;
    r.index = static_cast<std::size_t>(it - s.platforms.begin());
    return r;
  }
  if (parts[0] == "jurisdictions" && (parts.size() == 3 || parts.size() == 4)) {
    const auto it = std::find_if(s.jurisdictions.begin(), s.jurisdictions.end(),
                                 [&](const auto& j) { return j.name == parts[1]; });
    if (it == s.jurisdictions.end()) {
      std::vector<std::string> names;
      for (const auto& j : s.jurisdictions) names.push_back(j.name);
      throw std::invalid_argument("unknown jurisdiction '" + parts[1] + "' in '" + std::string(dotted) + "'" +
                                  did_you_mean(parts[1], names));
    }
    r.index = static_cast<std::size_t>(it - s.jurisdictions.begin());
    if (parts.size() == 3) {
      r.spec = find_param("jurisdictions", parts[2]);
      r.target = ResolvedName::Target::Jurisdiction;
    } else if (parts[2] == "law" || parts[2] == "regulator") {
      r.spec = find_param(parts[2], parts[3]);
      r.target = parts[2] == "law" ? ResolvedName::Target::JurisdictionLaw : ResolvedName::Target::JurisdictionRegulator;
    }
    if (!r.spec) throw unknown();
    return r;
  }
  throw unknown();
}

}  // namespace detail

using detail::ResolvedName;

void set_param(Scenario& s, std::string_view dotted, const ParamValue& value) {
  const ResolvedName r = detail::resolve_name(s, dotted);
  const ParamValue v = check_value(*r.spec, value, dotted);
  const std::string key(r.spec->key);
  switch (r.target) {
    case ResolvedName::Target::Top:
      detail::with_group(s, r.spec->group, [&](auto& g) { detail::assign_field(g, key, v); });
      if (r.spec->group == ParamGroup::Law || r.spec->group == ParamGroup::Regulator) {
        const std::string own = std::string(r.spec->table) + "." + key;
        for (auto& j : s.jurisdictions) {
          if (std::find(j.own_fields.begin(), j.own_fields.end(), own) != j.own_fields.end()) continue;
          if (r.spec->group == ParamGroup::Law) detail::assign_field(j.law, key, v);
          else detail::assign_field(j.regulator, key, v);
        }
      }
      break;
    case ResolvedName::Target::Platform: detail::assign_field(s.platforms[r.index], key, v); break;
    case ResolvedName::Target::Jurisdiction: detail::assign_field(s.jurisdictions[r.index], key, v); break;
    case ResolvedName::Target::JurisdictionLaw:
    case ResolvedName::Target::JurisdictionRegulator: {
      auto& j = s.jurisdictions[r.index];
      if (r.target == ResolvedName::Target::JurisdictionLaw) detail::assign_field(j.law, key, v);
      else detail::assign_field(j.regulator, key, v);
      const std::string own = std::string(r.spec->table) + "." + key;
      if (std::find(j.own_fields.begin(), j.own_fields.end(), own) == j.own_fields.end()) j.own_fields.push_back(own);
      break;
    }
  }
}

ParamValue get_param(const Scenario& s, std::string_view dotted) {
  const ResolvedName r = detail::resolve_name(s, dotted);
  const std::string key(r.spec->key);
  std::optional<ParamValue> out;
  switch (r.target) {
    case ResolvedName::Target::Top:
      detail::with_group(s, r.spec->group, [&](const auto& g) { out = detail::read_field(g, key); });
      break;
    case ResolvedName::Target::Platform: out = detail::read_field(s.platforms[r.index], key); break;
    case ResolvedName::Target::Jurisdiction: out = detail::read_field(s.jurisdictions[r.index], key); break;
    case ResolvedName::Target::JurisdictionLaw: out = detail::read_field(s.jurisdictions[r.index].law, key); break;
    case ResolvedName::Target::JurisdictionRegulator:
      out = detail::read_field(s.jurisdictions[r.index].regulator, key);
      break;
  }
  if (!out) throw std::invalid_argument("unknown parameter '" + std::string(dotted) + "'");
  return *out;
}

std::int64_t day_of_date(const Scenario& s, std::string_view iso_date) {
  const auto start = parse_iso_date(s.simulation.start_date);
  if (!start) throw std::invalid_argument("simulation.start_date \"" + s.simulation.start_date + "\" is not an ISO date");
  const auto d = parse_iso_date(iso_date);
  if (!d) throw std::invalid_argument("\"" + std::string(iso_date) + "\" is not a valid ISO date (YYYY-MM-DD)");
  return *d - *start;
}

namespace {

std::string quoted_key(std::string_view k) { return to_toml_text(ParamValue(std::string(k))); }

template <class P>
void write_fields(std::ostringstream& out, const P& p) {
  detail::visit_fields(p, [&](std::string_view k, const auto& field) {
    out << k << " = " << to_toml_text(ParamValue(field)) << "\n";
  });
}

void write_set(std::ostringstream& out, const std::vector<std::pair<std::string, ParamValue>>& set) {
  out << "set = {";
  bool first = true;
  for (const auto& [name, v] : set) {
    out << (first ? " " : ", ") << quoted_key(name) << " = " << to_toml_text(v);
    first = false;
  }
  out << " }\n";
}

std::string number_for(const Scenario& s, const std::string& name, double x) {
  try {
    if (detail::resolve_name(s, name).spec->type == ParamType::Int)
      return to_toml_text(ParamValue(static_cast<std::int64_t>(x)));
  } catch (const std::invalid_argument&) {
  }
  return to_toml_text(ParamValue(x));
}

}  // namespace

std::string to_toml(const Scenario& s) {
  std::ostringstream out;
  out << "# complysim resolved scenario";
  if (!s.source.empty()) out << " (from " << s.source.string() << ")";
  out << "\n";
  out << "\n[simulation]\n"; write_fields(out, s.simulation);
  out << "\n[population]\n"; write_fields(out, s.population);
  out << "\n[beliefs]\n"; write_fields(out, s.beliefs);
  out << "\n[law]\n"; write_fields(out, s.law);
  out << "\n[regulator]\n"; write_fields(out, s.regulator);
  out << "\n[platform]\n"; write_fields(out, s.platform);
  out << "\n[content]\n"; write_fields(out, s.content);
  out << "\n[outcomes]\n"; write_fields(out, s.outcomes);
  for (const auto& p : s.platforms) {
    out << "\n[[platforms]]\nname = " << quoted_key(p.name) << "\n";
    write_fields(out, p);
  }
  for (const auto& j : s.jurisdictions) {
    out << "\n[[jurisdictions]]\nname = " << quoted_key(j.name) << "\n";
    write_fields(out, j);
    for (const char* table : {"law", "regulator"}) {
      bool header = false;
      for (const auto& own : j.own_fields) {
        if (own.rfind(std::string(table) + ".", 0) != 0) continue;
        if (!header) out << "[jurisdictions." << table << "]\n";
        header = true;
        const std::string key = own.substr(own.find('.') + 1);
        const auto v = std::string(table) == "law" ? detail::read_field(j.law, key) : detail::read_field(j.regulator, key);
        if (v) out << key << " = " << to_toml_text(*v) << "\n";
      }
    }
  }
  for (const auto& e : s.events) {
    out << "\n[[events]]\nday = " << e.day << "\n";
    if (!e.note.empty()) out << "note = " << quoted_key(e.note) << "\n";
    if (!e.action.empty()) {
      out << "action = " << quoted_key(e.action) << "\nplatform = " << quoted_key(e.platform) << "\n";
      if (!e.jurisdiction.empty()) out << "jurisdiction = " << quoted_key(e.jurisdiction) << "\n";
      if (e.days > 0) out << "days = " << e.days << "\n";
    } else {
      write_set(out, e.set);
    }
  }
  if (s.sweep.present) {
    const auto& w = s.sweep;
    if (w.design == "file") {
      // The points file by its absolute path, so that the resolved scenario loads
      // from anywhere; its text is in SweepSpec::points_text (and its points in /design/samples).
      std::error_code ec;
      std::filesystem::path abs = std::filesystem::absolute(w.points_path, ec);
      if (ec) abs = w.points_path;
      out << "\n[sweep]\ndesign = \"file\"\npoints_file = " << quoted_key(abs.lexically_normal().string())
          << "\nreplicates = " << w.replicates << "\n";
    } else {
      out << "\n[sweep]\ndesign = " << quoted_key(w.design) << "\nsamples = " << w.samples
          << "\nreplicates = " << w.replicates << "\nscramble = " << (w.scramble ? "true" : "false") << "\n";
      if (w.shared_random_numbers) out << "shared_random_numbers = true\n";
      out << "\n[sweep.parameters]\n";
    }
    for (const auto& p : w.parameters) {
      out << quoted_key(p.name) << " = ";
      if (w.design == "grid") {
        out << "[";
        for (std::size_t i = 0; i < p.values.size(); ++i) out << (i ? ", " : "") << number_for(s, p.name, p.values[i]);
        out << "]\n";
      } else {
        out << "{ min = " << number_for(s, p.name, p.min) << ", max = " << number_for(s, p.name, p.max) << " }\n";
      }
    }
    for (const auto& d : w.designs) {
      out << "\n[[sweep.designs]]\nname = " << quoted_key(d.name) << "\n";
      write_set(out, d.set);
    }
  }
  return out.str();
}

}  // namespace complysim
