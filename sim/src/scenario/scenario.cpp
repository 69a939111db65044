// complysim — the scenario loader: reads TOML (the only toml++ translation
// unit), follows `extends`, applies each file as a layer over its base, applies
// --set overrides, and validates everything with FILE:LINE:COLUMN messages.
// Merge rules and the list of errors: docs/scenarios.md.
#include "complysim/io/text_file.hpp"
#include "fields.hpp"

#include "complysim/input_files.hpp"
#include "complysim/points_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <set>
#include <sstream>

namespace complysim {
namespace {

using detail::ResolvedName;

struct Pos {
  std::string file;
  std::int64_t line = 0, column = 0;
};

Pos pos_of(const toml::source_region& r, const std::string& fallback) {
  Pos p;
  p.file = r.path ? *r.path : fallback;
  p.line = r.begin.line;
  p.column = r.begin.column;
  return p;
}

[[noreturn]] void fail(const Pos& p, const std::string& message) {
  throw ScenarioError(p.file, p.line, p.column, message);
}

std::string pos_text(const Pos& p) {
  return p.line > 0 ? p.file + ":" + std::to_string(p.line) : p.file;
}

const char* node_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "real";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

std::string format_date(const toml::date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(d.year), static_cast<unsigned>(d.month),
                static_cast<unsigned>(d.day));
  return buf;
}

/// A TOML scalar as a ParamValue typed for `spec`; arrays, tables and times are
/// wrong types. The result still has to go through check_value.
ParamValue to_param_value(const toml::node& n, const ParamSpec& spec, std::string_view name) {
  if (auto v = n.as_boolean()) return v->get();
  if (auto v = n.as_integer()) return v->get();
  if (auto v = n.as_floating_point()) return v->get();
  if (auto v = n.as_string()) return v->get();
  if (auto v = n.as_date(); v && spec.type == ParamType::Date) return format_date(v->get());
  throw std::invalid_argument("wrong type for '" + std::string(name) + "': expected " +
                              std::string(to_string(spec.type)) + ", got " + node_type_name(n));
}

std::vector<std::string> keys_of_table(std::string_view table) {
  std::vector<std::string> out;
  for (const auto& p : parameter_table())
    if (p.table == table) out.emplace_back(p.key);
  return out;
}

bool valid_entity_name(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

/// A flattened `set = {...}` or [sweep.parameters] entry.
struct Leaf {
  std::string name;
  const toml::key* key;
  const toml::node* value;
};

/// Flattens nested tables into dotted names (`{ law = { vagueness = 1 } }` and
/// `{ "law.vagueness" = 1 }` give the same leaf). With `ranges`, a table whose
/// keys are min/max is a leaf.
void flatten(const toml::table& t, const std::string& prefix, bool ranges, std::vector<Leaf>& out) {
  for (auto&& [k, v] : t) {
    std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      const bool is_range = ranges && (sub->contains("min") || sub->contains("max"));
      if (!is_range) {
        flatten(*sub, name, ranges, out);
        continue;
      }
    }
    out.push_back(Leaf{std::move(name), &k, &v});
  }
}

class Loader {
 public:
  Loader(std::string top_display) : top_(std::move(top_display)) {}

  void load_layer_text(std::string text, const std::string& display, const std::filesystem::path& base_dir,
                       const std::filesystem::path& identity) {
    auto doc = std::make_unique<toml::table>(parse(std::move(text), display));
    const toml::table& root = *doc;
    docs_.push_back(std::move(doc));
    chain_.push_back({display, identity});
    if (const toml::node* ext = root.get("extends")) {
      const auto* str = ext->as_string();
      if (!str) fail(pos_of(ext->source(), display), std::string("wrong type for 'extends': expected string, got ") + node_type_name(*ext));
      const std::filesystem::path rel(str->get());
      const std::filesystem::path resolved = rel.is_absolute() ? rel : (base_dir / rel);
      const std::string base_display = resolved.lexically_normal().string();
      std::error_code ec;
      const auto base_identity = std::filesystem::weakly_canonical(resolved, ec);
      for (const auto& [name, id] : chain_) {
        if (id == base_identity) {
          std::string cycle;
          bool on = false;
          for (const auto& [n2, id2] : chain_) {
            if (id2 == base_identity) on = true;
            if (on) cycle += n2 + " -> ";
          }
          fail(pos_of(ext->source(), display), "extends cycle: " + cycle + base_display);
        }
      }
      const std::string base_text = read_file(resolved, base_display, [&](const std::string& why) {
        fail(pos_of(ext->source(), display),
             "cannot open extended scenario '" + str->get() + "' (resolved to '" + base_display + "'): " + why);
      });
      load_layer_text(base_text, base_display, resolved.parent_path(), base_identity);
    }
    chain_.pop_back();
    apply_layer(root, display, base_dir);
  }

  /// The file's text (a regular file of at most io::kMaxTextFileBytes), or on_error(why).
  template <class OnError>
  static std::string read_file(const std::filesystem::path& path, const std::string& /*display*/, OnError on_error) {
    try {
      return io::read_text_file(path, io::kMaxTextFileBytes);
    } catch (const io::TextFileError& e) {
      on_error(e.why());
    } catch (const std::bad_alloc&) {
      on_error("out of memory reading it");
    }
    return {};
  }

  Scenario finish(const std::vector<std::string>& overrides) {
    if (s_.platforms.empty())
      fail(platforms_pos_.file.empty() ? Pos{top_, 0, 0} : platforms_pos_, "at least one [[platforms]] entry is required");
    resolve_jurisdictions();
    for (const auto& o : overrides) apply_override(o);
    check_shares();
    check_population();
    resolve_events();
    resolve_sweep();
    for (const auto& name : detail::all_dotted_names(s_)) s_.origins.try_emplace(name);  // the rest: defaults
    s_.overrides = overrides;
    return std::move(s_);
  }

  Scenario& scenario() { return s_; }

 private:
  std::string top_;
  Scenario s_;
  std::vector<std::unique_ptr<toml::table>> docs_;
  std::vector<std::pair<std::string, std::filesystem::path>> chain_;
  Pos platforms_pos_, jurisdictions_pos_;
  /// Per jurisdiction (parallel to s_.jurisdictions): its own law/regulator values.
  std::vector<std::vector<std::pair<std::string, ParamValue>>> jur_own_;
  std::vector<const toml::table*> events_;
  const toml::node* sweep_table_ = nullptr;  ///< the last [sweep] table read (for positions)
  const toml::node *sweep_design_ = nullptr, *sweep_samples_ = nullptr, *sweep_replicates_ = nullptr,
                   *sweep_scramble_ = nullptr, *sweep_parameters_ = nullptr, *sweep_designs_ = nullptr,
                   *sweep_srn_ = nullptr, *sweep_points_file_ = nullptr;
  std::filesystem::path sweep_points_base_;  ///< directory of the file that gave points_file
  /// Layer (0 = the deepest base, counting up to the file given) that gave each sweep key:
  /// a design = "file" drops the parameters, samples and scramble of the layers below it.
  int layer_ = -1, design_layer_ = -1, samples_layer_ = -1, scramble_layer_ = -1, parameters_layer_ = -1, points_layer_ = -1;

  static toml::table parse(std::string text, const std::string& display) {
    try {
      return toml::parse(std::move(text), display);
    } catch (const toml::parse_error& e) {
      fail(pos_of(e.source(), display), "not valid TOML: " + std::string(e.description()));
    }
  }

  ValueOrigin origin_of(const toml::node& n) const {
    const Pos p = pos_of(n.source(), top_);
    ValueOrigin o;
    o.kind = p.file == top_ ? ValueOrigin::Kind::File : ValueOrigin::Kind::ExtendedFile;
    o.file = p.file;
    o.line = p.line;
    o.column = p.column;
    return o;
  }

  [[noreturn]] void fail_at(const toml::node& n, const std::string& msg) const { fail(pos_of(n.source(), top_), msg); }
  [[noreturn]] void fail_at(const toml::key& k, const std::string& msg) const { fail(pos_of(k.source(), top_), msg); }

  [[noreturn]] void unknown_key(const toml::key& k, const std::string& where, const std::vector<std::string>& known) const {
    fail_at(k, "unknown key '" + std::string(k.str()) + "' in " + where + detail::did_you_mean(k.str(), known));
  }

  const toml::table& need_table(const toml::node& n, const std::string& what) const {
    const auto* t = n.as_table();
    if (!t) fail_at(n, "'" + what + "' must be a table, got " + node_type_name(n));
    return *t;
  }

  const toml::array& need_array_of_tables(const toml::node& n, const std::string& what) const {
    const auto* a = n.as_array();
    if (!a) fail_at(n, "'" + what + "' must be an array of tables ([[" + what + "]]), got " + node_type_name(n));
    for (const auto& e : *a)
      if (!e.is_table()) fail_at(e, "each '" + what + "' entry must be a table, got " + node_type_name(e));
    return *a;
  }

  /// Converts and checks a file value; errors at the value's position.
  ParamValue checked(const toml::node& n, const ParamSpec& spec, const std::string& name) const {
    try {
      return check_value(spec, to_param_value(n, spec, name), name);
    } catch (const std::invalid_argument& e) {
      fail_at(n, e.what());
    }
  }

  std::string entity_name(const toml::table& t, const char* what) const {
    const toml::node* n = t.get("name");
    if (!n) fail_at(t, std::string("a [[") + what + "]] entry needs a 'name'");
    const auto* str = n->as_string();
    if (!str) fail_at(*n, std::string("wrong type for 'name': expected string, got ") + node_type_name(*n));
    if (!valid_entity_name(str->get()))
      fail_at(*n, "name '" + str->get() + "' must be non-empty and use only letters, digits, '_' and '-'");
    return str->get();
  }

  void apply_layer(const toml::table& root, const std::string& display, const std::filesystem::path& base_dir) {
    static const std::vector<std::string> top_keys = {"extends", "simulation", "population", "beliefs", "law",
                                                      "regulator", "platform", "content", "outcomes", "platforms", "jurisdictions",
                                                      "events", "sweep"};
    (void)display;
    ++layer_;
    for (auto&& [k, v] : root) {
      const std::string key(k.str());
      if (key == "extends") continue;
      const ParamSpec* any = nullptr;
      for (const auto& p : parameter_table())
        if (p.table == key && p.group != ParamGroup::Platforms && p.group != ParamGroup::Jurisdiction) any = &p;
      if (any) {
        const toml::table& t = need_table(v, key);
        for (auto&& [fk, fv] : t) {
          const ParamSpec* spec = find_param(key, fk.str());
          if (!spec) unknown_key(fk, "[" + key + "]", keys_of_table(key));
          const std::string dotted = key + "." + std::string(fk.str());
          const ParamValue pv = checked(fv, *spec, dotted);
          const std::string_view field = fk.str();  // (clang < 16 cannot capture a structured binding)
          detail::with_group(s_, spec->group, [&](auto& g) { detail::assign_field(g, field, pv); });
          s_.origins[dotted] = origin_of(fv);
        }
      } else if (key == "platforms") {
        apply_platforms(need_array_of_tables(v, "platforms"));
      } else if (key == "jurisdictions") {
        apply_jurisdictions(need_array_of_tables(v, "jurisdictions"));
      } else if (key == "events") {
        for (const auto& e : need_array_of_tables(v, "events")) events_.push_back(e.as_table());
      } else if (key == "sweep") {
        const toml::table& t = need_table(v, "sweep");
        s_.sweep.present = true;
        sweep_table_ = &v;
        for (auto&& [sk, sv] : t) {
          const std::string_view n = sk.str();
          if (n == "design") sweep_design_ = &sv, design_layer_ = layer_;
          else if (n == "samples") sweep_samples_ = &sv, samples_layer_ = layer_;
          else if (n == "replicates") sweep_replicates_ = &sv;
          else if (n == "scramble") sweep_scramble_ = &sv, scramble_layer_ = layer_;
          else if (n == "shared_random_numbers") sweep_srn_ = &sv;
          else if (n == "parameters") sweep_parameters_ = &sv, parameters_layer_ = layer_;
          else if (n == "designs") sweep_designs_ = &sv;
          else if (n == "points_file") {
            sweep_points_file_ = &sv;
            sweep_points_base_ = base_dir;
            points_layer_ = layer_;
          } else
            unknown_key(sk, "[sweep]", {"design", "samples", "replicates", "scramble", "shared_random_numbers",
                                       "parameters", "designs", "points_file"});
        }
      } else {
        unknown_key(k, "the scenario", top_keys);
      }
    }
  }

  void apply_platforms(const toml::array& a) {
    if (!a.empty()) platforms_pos_ = pos_of(a.front().source(), top_);
    else if (s_.platforms.empty()) platforms_pos_ = pos_of(a.source(), top_);
    std::vector<std::pair<std::string, Pos>> seen;
    auto keys = keys_of_table("platforms");
    keys.push_back("name");
    for (const auto& e : a) {
      const toml::table& t = *e.as_table();
      const std::string name = entity_name(t, "platforms");
      const Pos here = pos_of(t.get("name")->source(), top_);
      for (const auto& [n, p] : seen)
        if (n == name) fail(here, "duplicate platform name '" + name + "' (first at " + pos_text(p) + ")");
      seen.emplace_back(name, here);
      auto it = std::find_if(s_.platforms.begin(), s_.platforms.end(), [&](const auto& p) { return p.name == name; });
      if (it == s_.platforms.end()) {
        s_.platforms.emplace_back();
        s_.platforms.back().name = name;
        it = s_.platforms.end() - 1;
      }
      for (auto&& [fk, fv] : t) {
        if (fk.str() == "name") continue;
        const ParamSpec* spec = find_param("platforms", fk.str());
        if (!spec) unknown_key(fk, "[[platforms]] '" + name + "'", keys);
        const std::string dotted = "platforms." + name + "." + std::string(fk.str());
        detail::assign_field(*it, fk.str(), checked(fv, *spec, dotted));
        s_.origins[dotted] = origin_of(fv);
      }
    }
  }

  void apply_jurisdictions(const toml::array& a) {
    if (!a.empty()) jurisdictions_pos_ = pos_of(a.front().source(), top_);
    std::vector<std::pair<std::string, Pos>> seen;
    auto keys = keys_of_table("jurisdictions");
    keys.insert(keys.end(), {"name", "law", "regulator"});
    for (const auto& e : a) {
      const toml::table& t = *e.as_table();
      const std::string name = entity_name(t, "jurisdictions");
      const Pos here = pos_of(t.get("name")->source(), top_);
      for (const auto& [n, p] : seen)
        if (n == name) fail(here, "duplicate jurisdiction name '" + name + "' (first at " + pos_text(p) + ")");
      seen.emplace_back(name, here);
      auto it = std::find_if(s_.jurisdictions.begin(), s_.jurisdictions.end(), [&](const auto& j) { return j.name == name; });
      if (it == s_.jurisdictions.end()) {
        s_.jurisdictions.emplace_back();
        s_.jurisdictions.back().name = name;
        jur_own_.emplace_back();
        it = s_.jurisdictions.end() - 1;
      }
      auto& own = jur_own_[static_cast<std::size_t>(it - s_.jurisdictions.begin())];
      for (auto&& [fk, fv] : t) {
        const std::string key(fk.str());
        if (key == "name") continue;
        if (key == "law" || key == "regulator") {
          const toml::table& sub = need_table(fv, "jurisdictions." + name + "." + key);
          for (auto&& [lk, lv] : sub) {
            const ParamSpec* spec = find_param(key, lk.str());
            if (!spec) unknown_key(lk, "[jurisdictions." + key + "] of '" + name + "'", keys_of_table(key));
            const std::string field = key + "." + std::string(lk.str());
            const std::string dotted = "jurisdictions." + name + "." + field;
            const ParamValue pv = checked(lv, *spec, dotted);
            auto o = std::find_if(own.begin(), own.end(), [&](const auto& x) { return x.first == field; });
            if (o == own.end()) own.emplace_back(field, pv);
            else o->second = pv;
            s_.origins[dotted] = origin_of(lv);
          }
          continue;
        }
        const ParamSpec* spec = find_param("jurisdictions", key);
        if (!spec) unknown_key(fk, "[[jurisdictions]] '" + name + "'", keys);
        const std::string dotted = "jurisdictions." + name + "." + key;
        detail::assign_field(*it, key, checked(fv, *spec, dotted));
        s_.origins[dotted] = origin_of(fv);
      }
    }
  }

  void resolve_jurisdictions() {
    if (s_.jurisdictions.empty()) {
      s_.jurisdictions.emplace_back();
      s_.jurisdictions.back().name = "default";
      s_.jurisdictions.back().population_share = 1.0;
      jur_own_.emplace_back();
    }
    for (std::size_t i = 0; i < s_.jurisdictions.size(); ++i) {
      auto& j = s_.jurisdictions[i];
      j.law = s_.law;
      j.regulator = s_.regulator;
      for (const auto& p : parameter_table()) {
        if (p.group != ParamGroup::Law && p.group != ParamGroup::Regulator) continue;
        const std::string field = std::string(p.table) + "." + std::string(p.key);
        const std::string dotted = "jurisdictions." + j.name + "." + field;
        if (std::none_of(jur_own_[i].begin(), jur_own_[i].end(), [&](const auto& x) { return x.first == field; })) {
          auto top = s_.origins.find(field);
          if (top != s_.origins.end()) s_.origins[dotted] = top->second;
        }
      }
      for (const auto& [field, v] : jur_own_[i]) {
        const std::string key = field.substr(field.find('.') + 1);
        if (field.rfind("law.", 0) == 0) detail::assign_field(j.law, key, v);
        else detail::assign_field(j.regulator, key, v);
        j.own_fields.push_back(field);
      }
    }
  }

  void apply_override(const std::string& text) {
    const Pos where{"--set " + text, 0, 0};
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail(where, "expected NAME=VALUE (e.g. --set law.vagueness=0.3)");
    auto trim = [](std::string_view sv) {
      while (!sv.empty() && (sv.front() == ' ' || sv.front() == '\t')) sv.remove_prefix(1);
      while (!sv.empty() && (sv.back() == ' ' || sv.back() == '\t')) sv.remove_suffix(1);
      return std::string(sv);
    };
    const std::string name = trim(std::string_view(text).substr(0, eq));
    const std::string value_text = trim(std::string_view(text).substr(eq + 1));
    if (name.empty()) fail(where, "empty parameter name (expected NAME=VALUE)");
    ResolvedName r;
    try {
      r = detail::resolve_name(s_, name);
    } catch (const std::invalid_argument& e) {
      fail(where, e.what());
    }
    if (value_text.empty()) fail(where, "empty value for '" + name + "'");
    ParamValue v;
    bool parsed = false;
    try {
      const toml::table t = toml::parse("v = " + value_text, std::string_view("--set"));
      const toml::node* n = t.get("v");
      if (t.size() != 1 || !n) fail(where, "value '" + value_text + "' is not a single TOML value");
      v = to_param_value(*n, *r.spec, name);
      parsed = true;
    } catch (const toml::parse_error&) {
      // A bare word is taken as text for string-like parameters (--set population.network=random).
      const bool texty = r.spec->type == ParamType::Str || r.spec->type == ParamType::Choice ||
                         r.spec->type == ParamType::Date;
      if (!texty)
        fail(where, "value '" + value_text + "' is not a TOML value (expected " + std::string(to_string(r.spec->type)) +
                        "; quote strings)");
      v = value_text;
    } catch (const std::invalid_argument& e) {
      fail(where, e.what());
    }
    (void)parsed;
    try {
      set_param(s_, name, v);
    } catch (const std::invalid_argument& e) {
      fail(where, e.what());
    }
    ValueOrigin o;
    o.kind = ValueOrigin::Kind::Override;
    o.file = "--set";
    s_.origins[name] = o;
    if (r.target == ResolvedName::Target::Top &&
        (r.spec->group == ParamGroup::Law || r.spec->group == ParamGroup::Regulator)) {
      const std::string field = std::string(r.spec->table) + "." + std::string(r.spec->key);
      for (const auto& j : s_.jurisdictions)
        if (std::find(j.own_fields.begin(), j.own_fields.end(), field) == j.own_fields.end())
          s_.origins["jurisdictions." + j.name + "." + field] = o;
    }
  }

  /// Position to blame for a constraint between fields: the first of `names`
  /// that a file or --set gave, else the top file.
  Pos blame(std::initializer_list<std::string> names) const {
    for (const auto& n : names) {
      const auto it = s_.origins.find(n);
      if (it != s_.origins.end()) return Pos{it->second.file, it->second.line, it->second.column};
    }
    return Pos{top_, 0, 0};
  }

  /// Checks the model can build this population (the network needs mean_degree < users).
  void check_population() {
    const auto& pop = s_.population;
    if (pop.mean_degree > static_cast<double>(pop.users - 1)) {
      std::ostringstream m;
      m << "population.mean_degree (" << pop.mean_degree << ") must be at most population.users - 1 (" << pop.users - 1
        << "): a user cannot have more contacts than there are other users";
      fail(blame({"population.users", "population.mean_degree"}), m.str());
    }
  }

  void check_shares() {
    // No platform gives a market share: they split the users equally (one platform: all of them).
    bool any_share = false;
    for (const auto& p : s_.platforms) any_share = any_share || s_.origins.count("platforms." + p.name + ".market_share") > 0;
    if (!any_share)
      for (auto& p : s_.platforms) p.market_share = 1.0 / static_cast<double>(s_.platforms.size());
    Pos share_pos = platforms_pos_.file.empty() ? Pos{top_, 0, 0} : platforms_pos_;
    for (const auto& p : s_.platforms) {
      const auto it = s_.origins.find("platforms." + p.name + ".market_share");
      if (it != s_.origins.end() && it->second.kind == ValueOrigin::Kind::Override) share_pos = Pos{"--set", 0, 0};
    }
    double sum = 0;
    for (const auto& p : s_.platforms) sum += p.market_share;
    if (std::abs(sum - 1.0) > 1e-6) {
      std::ostringstream m;
      m.precision(10);
      m << "platform market shares sum to " << sum << ", not 1 (within 1e-6): ";
      for (const auto& p : s_.platforms) m << (&p == &s_.platforms.front() ? "" : ", ") << p.name << " " << p.market_share;
      fail(share_pos, m.str());
    }
    sum = 0;
    for (const auto& j : s_.jurisdictions) sum += j.population_share;
    if (std::abs(sum - 1.0) > 1e-6) {
      std::ostringstream m;
      m.precision(10);
      m << "jurisdiction population shares sum to " << sum << ", not 1 (within 1e-6): ";
      for (const auto& j : s_.jurisdictions)
        m << (&j == &s_.jurisdictions.front() ? "" : ", ") << j.name << " " << j.population_share;
      fail(jurisdictions_pos_.file.empty() ? Pos{top_, 0, 0} : jurisdictions_pos_, m.str());
    }
  }

  /// Validates a `set = {...}` table (events and sweep designs).
  std::vector<std::pair<std::string, ParamValue>> resolve_set(const toml::node& n, const char* what, bool allow_empty) {
    const toml::table& t = need_table(n, "set");
    std::vector<Leaf> leaves;
    flatten(t, "", false, leaves);
    if (leaves.empty() && !allow_empty) fail_at(n, std::string("'set' of ") + what + " is empty");
    std::vector<std::pair<std::string, ParamValue>> out;
    for (const auto& leaf : leaves) {
      ResolvedName r;
      try {
        r = detail::resolve_name(s_, leaf.name);
      } catch (const std::invalid_argument& e) {
        fail_at(*leaf.key, e.what());
      }
      if (r.target == ResolvedName::Target::Top &&
          (r.spec->group == ParamGroup::Simulation || r.spec->group == ParamGroup::Population ||
           r.spec->group == ParamGroup::Content || r.spec->group == ParamGroup::Outcomes))
        fail_at(*leaf.key, "'" + leaf.name + "' cannot change during a run or between designs (only the law, regulator, "
                           "beliefs, platform, platforms and jurisdictions parameters can)");
      for (const auto& [prev, pv] : out)
        if (prev == leaf.name) fail_at(*leaf.key, "'" + leaf.name + "' is set twice");
      out.emplace_back(leaf.name, checked(*leaf.value, *r.spec, leaf.name));
    }
    return out;
  }

  std::int64_t need_int(const toml::node& n, const std::string& what) const {
    const auto* i = n.as_integer();
    if (!i) fail_at(n, "wrong type for '" + what + "': expected integer, got " + node_type_name(n));
    return i->get();
  }

  std::string need_string(const toml::node& n, const std::string& what) const {
    const auto* str = n.as_string();
    if (!str) fail_at(n, "wrong type for '" + what + "': expected string, got " + node_type_name(n));
    return str->get();
  }

  void resolve_events() {
    static const std::vector<std::string> keys = {"day", "date", "note", "set", "action", "platform", "jurisdiction", "days"};
    for (const toml::table* t : events_) {
      Event e;
      for (auto&& [k, v] : *t)
        if (std::find(keys.begin(), keys.end(), k.str()) == keys.end()) unknown_key(k, "[[events]]", keys);
      const toml::node* day = t->get("day");
      const toml::node* date = t->get("date");
      if (day && date) fail_at(*date, "an event has both 'day' and 'date'; give exactly one");
      if (!day && !date) fail_at(*t, "an event needs a 'day' or a 'date'");
      if (day) {
        e.day = need_int(*day, "day");
        if (e.day < 0) fail_at(*day, "event day " + std::to_string(e.day) + " is before day 0");
        if (e.day >= s_.simulation.days)
          fail_at(*day, "event day " + std::to_string(e.day) + " is past the horizon (simulation.days = " +
                            std::to_string(s_.simulation.days) + ", last day " + std::to_string(s_.simulation.days - 1) + ")");
      } else {
        std::string text;
        if (const auto* d = date->as_date()) text = format_date(d->get());
        else if (const auto* str = date->as_string()) text = str->get();
        else fail_at(*date, std::string("wrong type for 'date': expected date, got ") + node_type_name(*date));
        if (!parse_iso_date(text)) fail_at(*date, "'" + text + "' is not a valid ISO date (YYYY-MM-DD)");
        e.day = day_of_date(s_, text);
        const std::string rel = "event date " + text + " is day " + std::to_string(e.day) + " of the run (simulation.start_date = " + s_.simulation.start_date;
        if (e.day < 0) fail_at(*date, rel + "), before day 0");
        if (e.day >= s_.simulation.days)
          fail_at(*date, rel + ", simulation.days = " + std::to_string(s_.simulation.days) + "), past the horizon");
      }
      if (const toml::node* note = t->get("note")) e.note = need_string(*note, "note");
      const toml::node* set = t->get("set");
      const toml::node* action = t->get("action");
      if (set && action) fail_at(*action, "an event has both 'set' and 'action'; give exactly one");
      if (!set && !action) fail_at(*t, "an event needs either 'set' (lever changes) or 'action' (throttle, suspend, fine)");
      if (set) {
        for (const char* k : {"platform", "jurisdiction", "days"})
          if (const toml::node* n = t->get(k)) fail_at(*n, std::string("'") + k + "' applies only to an 'action' event");
        e.set = resolve_set(*set, "an event", false);
      } else {
        e.action = need_string(*action, "action");
        static const std::vector<std::string> actions = {"throttle", "suspend", "fine"};
        if (std::find(actions.begin(), actions.end(), e.action) == actions.end())
          fail_at(*action, "unknown action '" + e.action + "' (expected throttle, suspend or fine)" +
                               detail::did_you_mean(e.action, actions));
        const toml::node* platform = t->get("platform");
        if (!platform) fail_at(*t, "a '" + e.action + "' event needs a 'platform'");
        e.platform = need_string(*platform, "platform");
        std::vector<std::string> names;
        for (const auto& p : s_.platforms) names.push_back(p.name);
        if (std::find(names.begin(), names.end(), e.platform) == names.end())
          fail_at(*platform, "unknown platform '" + e.platform + "'" + detail::did_you_mean(e.platform, names));
        if (const toml::node* jur = t->get("jurisdiction")) {
          e.jurisdiction = need_string(*jur, "jurisdiction");
          names.clear();
          for (const auto& j : s_.jurisdictions) names.push_back(j.name);
          if (std::find(names.begin(), names.end(), e.jurisdiction) == names.end())
            fail_at(*jur, "unknown jurisdiction '" + e.jurisdiction + "'" + detail::did_you_mean(e.jurisdiction, names));
        }
        const toml::node* days = t->get("days");
        if (days) {
          e.days = need_int(*days, "days");
          if (e.days < 1) fail_at(*days, "'days' of a '" + e.action + "' event must be at least 1, got " + std::to_string(e.days));
        } else if (e.action != "fine") {
          fail_at(*t, "a '" + e.action + "' event needs 'days' (its duration, at least 1)");
        }
      }
      s_.events.push_back(std::move(e));
    }
    std::stable_sort(s_.events.begin(), s_.events.end(), [](const Event& a, const Event& b) { return a.day < b.day; });
  }

  /// design = "file": refuses what belongs to the other designs, reads and checks the points file.
  void resolve_points_file() {
    SweepSpec& w = s_.sweep;
    const std::string not_here = " does not apply to design = \"file\" (the points file gives the parameters and ";
    // What a base file (a layer below the one that says design = "file") gave is dropped.
    if (sweep_parameters_ && parameters_layer_ >= design_layer_)
      fail_at(*sweep_parameters_, "[sweep.parameters]" + not_here + "their values; remove it)");
    if (sweep_samples_ && samples_layer_ >= design_layer_)
      fail_at(*sweep_samples_, "sweep.samples" + not_here + "the number of points; remove it)");
    if (sweep_scramble_ && scramble_layer_ >= design_layer_)
      fail_at(*sweep_scramble_, "sweep.scramble applies only to design = \"sobol\"");
    w.scramble = false;
    if (!sweep_points_file_)
      fail_at(sweep_design_ ? *sweep_design_ : *sweep_table_,
              "design = \"file\" needs points_file = \"PATH\" (a CSV of points; path relative to this scenario file)");
    w.points_file = need_string(*sweep_points_file_, "sweep.points_file");
    if (w.points_file.empty()) fail_at(*sweep_points_file_, "sweep.points_file is empty");
    const std::filesystem::path rel(w.points_file);
    w.points_path = (rel.is_absolute() ? rel : sweep_points_base_ / rel).lexically_normal();
    const std::string display = w.points_path.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(w.points_path, ec);
    if (!ec && size > kMaxPointsFileBytes)
      fail_at(*sweep_points_file_, "points file '" + display + "' has " + std::to_string(size) +
                                       " bytes, more than the limit of " + std::to_string(kMaxPointsFileBytes) +
                                       " (16 MiB); split the design into several sweeps");
    // Through read_input_file: a sweep embeds the file (SweepPlan::inputs) and
    // `complysim reproduce` serves it from the results file, not the disk.
    try {
      w.points_text = read_input_file(w.points_file, w.points_path).content;
    } catch (const io::TextFileError& e) {
      fail_at(*sweep_points_file_, "cannot open points file '" + w.points_file + "' (resolved to '" + display + "'): " + e.why());
    } catch (const std::runtime_error& e) {
      fail_at(*sweep_points_file_, e.what());
    } catch (const std::bad_alloc&) {
      fail_at(*sweep_points_file_, "cannot open points file '" + w.points_file + "': out of memory reading it");
    }
    std::vector<const ParamSpec*> specs;
    std::vector<std::string> names;
    auto check_name = [&](const std::string& name) -> std::string {
      ResolvedName r;
      try {
        r = detail::resolve_name(s_, name);
      } catch (const std::invalid_argument& e) {
        return e.what();
      }
      if (r.spec->type != ParamType::Real && r.spec->type != ParamType::Int)
        return "parameter '" + name + "' is not numeric (it is a " + std::string(to_string(r.spec->type)) +
               "); only real and integer parameters can be swept";
      specs.push_back(r.spec);
      names.push_back(name);
      return "";
    };
    auto check_number = [&](std::size_t j, double v) -> std::string {
      const ParamSpec& spec = *specs.at(j);
      try {
        // Integer parameters are rounded per run (as for lhs and sobol): check the value the run will use.
        if (spec.type == ParamType::Int) {
          if (std::fabs(v) > 9.0e18) return "value of '" + names.at(j) + "' is too large for an integer parameter";
          check_value(spec, ParamValue(static_cast<std::int64_t>(std::llround(v))), names.at(j));
        } else {
          check_value(spec, ParamValue(v), names.at(j));
        }
      } catch (const std::invalid_argument& e) {
        return e.what();
      }
      return "";
    };
    PointsTable t;
    try {
      t = parse_points_csv(w.points_text, display, check_name, check_number);
    } catch (const PointsFileError& e) {
      throw ScenarioError(e.file(), e.line(), e.column(), e.message());
    }
    w.point_names = std::move(t.names);
    w.points = std::move(t.values);
    w.point_weights = std::move(t.weight);
    w.samples = static_cast<std::int64_t>(t.rows());
  }

  void resolve_sweep() {
    SweepSpec& w = s_.sweep;
    if (!w.present) return;
    if (sweep_design_) {
      w.design = need_string(*sweep_design_, "sweep.design");
      static const std::vector<std::string> designs = {"grid", "lhs", "sobol", "file"};
      if (std::find(designs.begin(), designs.end(), w.design) == designs.end())
        fail_at(*sweep_design_, "unknown sweep design '" + w.design + "' (expected grid, lhs, sobol or file)" +
                                    detail::did_you_mean(w.design, designs));
    }
    if (sweep_samples_) {
      w.samples = need_int(*sweep_samples_, "sweep.samples");
      if (w.samples < 1) fail_at(*sweep_samples_, "sweep.samples must be at least 1, got " + std::to_string(w.samples));
    }
    if (sweep_replicates_) {
      w.replicates = need_int(*sweep_replicates_, "sweep.replicates");
      if (w.replicates < 1)
        fail_at(*sweep_replicates_, "sweep.replicates must be at least 1, got " + std::to_string(w.replicates));
    }
    if (sweep_scramble_) {
      const auto* b = sweep_scramble_->as_boolean();
      if (!b) fail_at(*sweep_scramble_, std::string("wrong type for 'sweep.scramble': expected boolean, got ") + node_type_name(*sweep_scramble_));
      w.scramble = b->get();
    }
    if (sweep_srn_) {
      const auto* b = sweep_srn_->as_boolean();
      if (!b)
        fail_at(*sweep_srn_, std::string("wrong type for 'sweep.shared_random_numbers': expected boolean, got ") +
                                 node_type_name(*sweep_srn_));
      w.shared_random_numbers = b->get();
      if (w.shared_random_numbers && w.design != "sobol")
        fail_at(*sweep_srn_, "sweep.shared_random_numbers applies to a sobol design only (this sweep is '" + w.design +
                                 "')");
    }
    if (w.design == "file") {
      resolve_points_file();
    } else if (sweep_points_file_ && points_layer_ >= design_layer_) {
      fail_at(*sweep_points_file_, "'points_file' applies only to design = \"file\" (this sweep's design is '" + w.design + "')");
    }
    if (sweep_parameters_ && w.design != "file") {
      std::vector<Leaf> leaves;
      flatten(need_table(*sweep_parameters_, "sweep.parameters"), "", true, leaves);
      for (const auto& leaf : leaves) {
        ResolvedName r;
        try {
          r = detail::resolve_name(s_, leaf.name);
        } catch (const std::invalid_argument& e) {
          fail_at(*leaf.key, e.what());
        }
        if (r.spec->type != ParamType::Real && r.spec->type != ParamType::Int)
          fail_at(*leaf.key, "sweep parameter '" + leaf.name + "' is not numeric (it is a " +
                                 std::string(to_string(r.spec->type)) + "); only real and integer parameters can be swept");
        for (const auto& p : w.parameters)
          if (p.name == leaf.name) fail_at(*leaf.key, "sweep parameter '" + leaf.name + "' is given twice");
        SweepParameter sp;
        sp.name = leaf.name;
        auto number = [&](const toml::node& n) {
          const ParamValue v = checked(n, *r.spec, leaf.name);
          return std::holds_alternative<double>(v) ? std::get<double>(v) : static_cast<double>(std::get<std::int64_t>(v));
        };
        if (w.design == "grid") {
          const auto* a = leaf.value->as_array();
          if (!a || a->empty())
            fail_at(*leaf.value, "sweep parameter '" + leaf.name + "' needs a non-empty list of values for design 'grid'");
          for (const auto& x : *a) sp.values.push_back(number(x));
        } else {
          const auto* t = leaf.value->as_table();
          if (!t) fail_at(*leaf.value, "sweep parameter '" + leaf.name + "' needs { min = ..., max = ... } for design '" + w.design + "'");
          for (auto&& [k, v] : *t)
            if (k.str() != "min" && k.str() != "max") unknown_key(k, "the range of '" + leaf.name + "'", {"min", "max"});
          const toml::node* lo = t->get("min");
          const toml::node* hi = t->get("max");
          if (!lo || !hi) fail_at(*leaf.value, "the range of sweep parameter '" + leaf.name + "' needs both 'min' and 'max'");
          sp.min = number(*lo);
          sp.max = number(*hi);
          if (sp.min > sp.max)
            fail_at(*leaf.value, "the range of sweep parameter '" + leaf.name + "' has min " + to_toml_text(ParamValue(sp.min)) +
                                     " > max " + to_toml_text(ParamValue(sp.max)));
        }
        w.parameters.push_back(std::move(sp));
      }
    }
    if ((w.design == "lhs" || w.design == "sobol") && w.parameters.empty() && sweep_table_)
      fail_at(sweep_design_ ? *sweep_design_ : *sweep_table_,
              "sweep design '" + w.design + "' needs at least one parameter in [sweep.parameters] (to sweep decree "
              "designs alone, use design = \"grid\" without parameters)");
    if (sweep_designs_) {
      std::vector<std::pair<std::string, Pos>> seen;
      for (const auto& e : need_array_of_tables(*sweep_designs_, "sweep.designs")) {
        const toml::table& t = *e.as_table();
        for (auto&& [k, v] : t)
          if (k.str() != "name" && k.str() != "set") unknown_key(k, "[[sweep.designs]]", {"name", "set"});
        DecreeDesign d;
        d.name = entity_name(t, "sweep.designs");
        const Pos here = pos_of(t.get("name")->source(), top_);
        for (const auto& [n, p] : seen)
          if (n == d.name) fail(here, "duplicate design name '" + d.name + "' (first at " + pos_text(p) + ")");
        seen.emplace_back(d.name, here);
        const toml::node* set = t.get("set");
        if (!set) fail_at(t, "design '" + d.name + "' needs a 'set' table (use set = {} for the scenario as written)");
        d.set = resolve_set(*set, "a design", true);
        w.designs.push_back(std::move(d));
      }
    }
  }
};

}  // namespace

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  const std::string display = file.string();
  const std::string text = Loader::read_file(file, display, [&](const std::string& why) {
    throw ScenarioError(display, 0, 0, "cannot open scenario file: " + why);
  });
  std::error_code ec;
  Loader loader(display);
  loader.load_layer_text(text, display, file.parent_path(), std::filesystem::weakly_canonical(file, ec));
  Scenario s = loader.finish(overrides);
  s.source = file;
  return s;
}

Scenario load_scenario_text(std::string_view toml_text, const std::string& name, const std::vector<std::string>& overrides,
                            const std::filesystem::path& base_dir) {
  std::error_code ec;
  Loader loader(name);
  loader.load_layer_text(std::string(toml_text), name, base_dir, std::filesystem::weakly_canonical(base_dir / name, ec));
  Scenario s = loader.finish(overrides);
  s.source = name;
  return s;
}

}  // namespace complysim
