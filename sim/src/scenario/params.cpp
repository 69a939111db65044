// complysim — the parameter table built from the X-macros of params.hpp, and
// the value checks shared by the scenario loader, --set, events and sweeps.
#include "complysim/params.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace complysim {
namespace {

template <ParamType T>
ParamValue make_default(auto def) {
  if constexpr (T == ParamType::Real) return static_cast<double>(def);
  else if constexpr (T == ParamType::Int) return static_cast<std::int64_t>(def);
  else if constexpr (T == ParamType::Bool) return static_cast<bool>(def);
  else return std::string(def);
}

std::vector<ParamSpec> build_table() {
  std::vector<ParamSpec> rows;
#define COMPLYSIM_ROW(TYPE, key, def, unit, lo, hi, desc, src)                                \
  rows.push_back(ParamSpec{group, table, #key, ParamType::TYPE, make_default<ParamType::TYPE>(def), \
                           unit, static_cast<double>(lo), static_cast<double>(hi), desc, src});
  {
    ParamGroup group = ParamGroup::Simulation; std::string_view table = "simulation";
    COMPLYSIM_SIMULATION_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Population; std::string_view table = "population";
    COMPLYSIM_POPULATION_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Beliefs; std::string_view table = "beliefs";
    COMPLYSIM_BELIEFS_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Law; std::string_view table = "law";
    COMPLYSIM_LAW_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Regulator; std::string_view table = "regulator";
    COMPLYSIM_REGULATOR_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Platform; std::string_view table = "platform";
    COMPLYSIM_PLATFORM_SHARED_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Content; std::string_view table = "content";
    COMPLYSIM_CONTENT_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Outcomes; std::string_view table = "outcomes";
    COMPLYSIM_OUTCOMES_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Platforms; std::string_view table = "platforms";
    COMPLYSIM_PLATFORMS_FIELDS(COMPLYSIM_ROW)
  }
  {
    ParamGroup group = ParamGroup::Jurisdiction; std::string_view table = "jurisdictions";
    COMPLYSIM_JURISDICTION_FIELDS(COMPLYSIM_ROW)
  }
#undef COMPLYSIM_ROW
  return rows;
}

std::string number_text(double x) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  (void)ec;
  return std::string(buf, end);
}

const char* type_of_value(const ParamValue& v) {
  switch (v.index()) {
    case 0: return "boolean";
    case 1: return "integer";
    case 2: return "real";
    default: return "string";
  }
}

}  // namespace

std::string_view to_string(ParamType t) {
  switch (t) {
    case ParamType::Real: return "real";
    case ParamType::Int: return "integer";
    case ParamType::Bool: return "boolean";
    case ParamType::Str: return "string";
    case ParamType::Date: return "date";
    case ParamType::Choice: return "choice";
  }
  return "?";
}

std::string ParamSpec::dotted_name() const {
  std::string out(table);
  if (group == ParamGroup::Platforms || group == ParamGroup::Jurisdiction) out += ".<name>";
  out += '.';
  out += key;
  return out;
}

std::vector<std::string_view> ParamSpec::choices() const {
  std::vector<std::string_view> out;
  if (type != ParamType::Choice) return out;
  std::string_view rest = unit;
  while (!rest.empty()) {
    auto bar = rest.find('|');
    out.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return out;
}

std::span<const ParamSpec> parameter_table() {
  static const std::vector<ParamSpec> table = build_table();
  return table;
}

const ParamSpec* find_param(std::string_view table, std::string_view key) {
  for (const auto& p : parameter_table())
    if (p.table == table && p.key == key) return &p;
  return nullptr;
}

std::string to_toml_text(const ParamValue& v) {
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) return "nan";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    std::string s = number_text(*d);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // TOML floats need a '.' or exponent
    return s;
  }
  const std::string& s = std::get<std::string>(v);
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

ParamValue check_value(const ParamSpec& spec, const ParamValue& v, std::string_view name) {
  auto wrong_type = [&]() {
    return std::invalid_argument("wrong type for '" + std::string(name) + "': expected " +
                                 std::string(to_string(spec.type)) + ", got " + type_of_value(v) + " " +
                                 to_toml_text(v));
  };
  auto range_text = [&]() {
    if (spec.type == ParamType::Int)
      return "[" + std::to_string(static_cast<std::int64_t>(spec.min)) + ", " +
             std::to_string(static_cast<std::int64_t>(spec.max)) + "]";
    return "[" + number_text(spec.min) + ", " + number_text(spec.max) + "]";
  };
  switch (spec.type) {
    case ParamType::Real: {
      double x;
      if (const double* d = std::get_if<double>(&v)) x = *d;
      else if (const auto* i = std::get_if<std::int64_t>(&v)) x = static_cast<double>(*i);
      else throw wrong_type();
      if (!std::isfinite(x) || x < spec.min || x > spec.max)
        throw std::invalid_argument("value " + to_toml_text(ParamValue(x)) + " of '" + std::string(name) +
                                    "' is out of range " + range_text());
      return x;
    }
    case ParamType::Int: {
      const auto* i = std::get_if<std::int64_t>(&v);
      if (!i) throw wrong_type();
      if (static_cast<double>(*i) < spec.min || static_cast<double>(*i) > spec.max)
        throw std::invalid_argument("value " + std::to_string(*i) + " of '" + std::string(name) +
                                    "' is out of range " + range_text());
      return *i;
    }
    case ParamType::Bool:
      if (!std::holds_alternative<bool>(v)) throw wrong_type();
      return v;
    case ParamType::Str:
      if (!std::holds_alternative<std::string>(v)) throw wrong_type();
      return v;
    case ParamType::Date: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) throw wrong_type();
      if (!parse_iso_date(*s))
        throw std::invalid_argument("value \"" + *s + "\" of '" + std::string(name) +
                                    "' is not a valid ISO date (YYYY-MM-DD)");
      return v;
    }
    case ParamType::Choice: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) throw wrong_type();
      auto words = spec.choices();
      for (auto w : words)
        if (w == *s) return v;
      std::string list;
      for (auto w : words) list += (list.empty() ? "" : ", ") + std::string(w);
      throw std::invalid_argument("value \"" + *s + "\" of '" + std::string(name) + "' is not one of: " + list);
    }
  }
  throw wrong_type();
}

ParamValue check_value(const ParamSpec& spec, const ParamValue& v) {
  return check_value(spec, v, spec.dotted_name());
}

std::optional<std::int64_t> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int out = 0;
    for (std::size_t k = pos; k < pos + len; ++k) {
      if (text[k] < '0' || text[k] > '9') return std::nullopt;
      out = out * 10 + (text[k] - '0');
    }
    return out;
  };
  auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (!y || !m || !d) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::string format_iso_date(std::int64_t days_since_epoch) {
  const std::chrono::sys_days sd{std::chrono::days{days_since_epoch}};
  const std::chrono::year_month_day ymd{sd};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace complysim
