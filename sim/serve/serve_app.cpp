// complysim serve — levers, request checking, the run queue, the base cache
// and the JSON answers (serve_app.hpp).
#include "serve_app.hpp"
#include "json_writer.hpp"

#include "complysim/analysis/compare.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace complysim::serve {

namespace {

// The workshop levers, in page order. Ranges, units, types and defaults are
// the parameter table's (params.hpp); this list adds plain words only.
struct LeverWords {
  std::string_view name, label, help, unit_words;
  double slider_max;  ///< 0: the table's maximum
  double step;
};
// clang-format off
constexpr LeverWords kLeverWords[] = {
  {"law.vagueness", "How vague the rule is",
   "0 is a bright line everyone can see; higher values scatter enforcers' and users' judgements around the line.",
   "on the 0-1 sensitivity scale", 0, 0.01},
  {"law.enforcement_breadth", "How broadly enforcers read the rule",
   "How far below the written line enforcers draw it: 0 applies the rule as written.",
   "on the 0-1 sensitivity scale", 0, 0.01},
  {"law.takedown_deadline_hours", "Takedown deadline",
   "Hours a platform has to remove a post the regulator flags. Short deadlines leave no time to check.",
   "hours", 168, 1},
  {"law.transparency", "Notices state their legal basis",
   "Chance that a takedown notice says which rule the post broke, so users learn where the line is.",
   "chance, 0 to 1", 0, 0.01},
  {"law.appeals", "Appeals that work",
   "Chance that a wrongful removal is reversed on appeal.",
   "chance, 0 to 1", 0, 0.01},
  {"law.data_localization", "Data localisation",
   "Platforms must keep users' data in the country and answer the regulator's data requests.",
   "on or off", 0, 1},
  {"law.user_sanction", "Punishment for users",
   "How severe a sanction for a post is: 0 none, 1 the harshest the law allows.",
   "severity, 0 to 1", 0, 0.01},
  {"regulator.max_escalation_level", "Escalation ladder: highest step",
   "How far the regulator may escalate against a platform: 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension.",
   "step, 0 to 4", 0, 1},
  {"regulator.escalation_credibility", "Escalation ladder: threats carried out",
   "Chance that an escalation step against a platform that falls short is actually taken.",
   "chance, 0 to 1", 0, 0.01},
  {"law.identification", "Account identification",
   "Chance that the regulator identifies the author of a flagged post without the platform's help (real-name accounts).",
   "chance, 0 to 1", 0, 0.01},
  {"regulator.monitoring_rate", "Regulator's monitoring",
   "Share of visible posts the regulator reviews each day.",
   "share per day, 0 to 1", 0, 0.005},
};
// clang-format on

/// Outcomes shown as headline bars, in page order, where the outcome table has them.
constexpr std::string_view kHeadline[] = {
    "lawful_legal_chilling_rate", "legal_chilling_rate", "self_censorship_rate", "lawful_self_censorship_rate",
    "silenced_user_share", "wrongful_removals_per_100k", "over_removal_share", "users_sanctioned_per_100k",
};

/// Fewer requests than this behind a platform's compliance: "too few requests to say".
constexpr std::int64_t kMinRequests = 30;

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// The leading comment paragraph of a scenario file, joined into one line.
std::string leading_comment(const fs::path& file) {
  std::ifstream in(file);
  std::string line, out;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] != '#') break;
    line = trim(line.substr(1));
    out += (out.empty() ? "" : " ") + line;
  }
  return out;
}

bool param_exists(std::string_view dotted) {
  const auto dot = dotted.find('.');
  if (dot == std::string_view::npos) return false;
  return find_param(dotted.substr(0, dot), dotted.substr(dot + 1)) != nullptr;
}

std::optional<double> represented_users(const Scenario& s) {
  if (!param_exists("population.represented_users")) return std::nullopt;
  try {
    const ParamValue v = get_param(s, "population.represented_users");
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void write_value(JsonWriter& w, const ParamValue& v) {
  if (const bool* b = std::get_if<bool>(&v)) w.value(*b);
  else if (const auto* i = std::get_if<std::int64_t>(&v)) w.value(*i);
  else if (const double* d = std::get_if<double>(&v)) w.value(*d);
  else w.value(std::get<std::string>(v));
}

bool same_value(const ParamValue& a, const ParamValue& b) {
  auto num = [](const ParamValue& v) -> std::optional<double> {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const double* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  if (num(a) && num(b)) return *num(a) == *num(b);
  return a == b;
}

/// Parses a JSON scalar (kept as text by property_tree) as the lever's type.
/// @throws std::invalid_argument with a plain message
ParamValue parse_lever_value(const ParamSpec& spec, const std::string& text, const std::string& name) {
  if (spec.type == ParamType::Bool) {
    if (text == "true") return true;
    if (text == "false") return false;
    throw std::invalid_argument("'" + name + "' is on or off (true or false), not '" + text + "'");
  }
  if (spec.type == ParamType::Int) {
    std::int64_t i = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec != std::errc() || p != text.data() + text.size())
      throw std::invalid_argument("'" + name + "' takes a whole number, not '" + text + "'");
    return i;
  }
  if (spec.type == ParamType::Real) {
    double x = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty())
      throw std::invalid_argument("'" + name + "' takes a number, not '" + text + "'");
    return x;
  }
  throw std::invalid_argument("'" + name + "' cannot be set from the page");
}

/// A plain range message for a lever: "must be between 0 and 168 hours".
std::string range_message(const Lever& l, const ParamValue& v) {
  std::ostringstream m;
  m << "out of range: ";
  m << to_toml_text(v) << " is not between " << l.spec->min << " and " << l.spec->max;
  if (!l.unit_words.empty() && l.unit_words.find("0 to") == std::string::npos) m << " " << l.unit_words;
  return m.str();
}

std::int64_t parse_int_field(const std::string& text, const std::string& name) {
  std::int64_t i = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    throw std::invalid_argument("'" + name + "' must be a whole number, not '" + text + "'");
  return i;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

/// Writes `text` to `path` unless it already holds exactly that (temp + rename).
void write_file_if_changed(const fs::path& path, const std::string& text) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream cur;
      cur << in.rdbuf();
      if (cur.str() == text) return;
    }
  }
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

std::string today_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  return format_iso_date(days);
}

}  // namespace

std::vector<Lever> workshop_levers() {
  std::vector<Lever> out;
  for (const auto& w : kLeverWords) {
    const auto dot = w.name.find('.');
    const ParamSpec* spec = find_param(w.name.substr(0, dot), w.name.substr(dot + 1));
    if (!spec) continue;  // a lever of a later model version
    Lever l;
    l.name = std::string(w.name);
    l.label = std::string(w.label);
    l.help = std::string(w.help);
    l.unit_words = std::string(w.unit_words);
    l.spec = spec;
    l.slider_min = spec->type == ParamType::Bool ? 0 : spec->min;
    l.slider_max = spec->type == ParamType::Bool ? 1 : (w.slider_max > 0 ? std::min(w.slider_max, spec->max) : spec->max);
    l.step = w.step;
    out.push_back(std::move(l));
  }
  return out;
}

std::string outcome_words(std::string_view outcome) {
  // Switch to the outcome table's `label` field here once it exists.
  const std::string_view label = outcome_label(outcome);
  if (!label.empty()) return std::string(label);
  const int k = find_outcome(outcome);
  return k < 0 ? std::string(outcome) : std::string(outcome_table()[static_cast<std::size_t>(k)].description);
}

std::string ApiError::json() const {
  JsonWriter w;
  w.begin_object();
  w.key("error").value(message);
  w.key("status").value(static_cast<std::int64_t>(status));
  w.key("fields").begin_object();
  for (const auto& [k, v] : fields) w.key(k).value(v);
  w.end_object();
  w.end_object();
  return w.str();
}

App::App(ServeOptions options) : options_(std::move(options)), levers_(workshop_levers()) {
  std::error_code ec;
  if (!fs::is_directory(options_.scenarios_dir, ec))
    throw std::runtime_error(options_.scenarios_dir.string() + ": error: not a directory (give the scenario library with --scenarios DIR)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(options_.scenarios_dir))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    LibraryEntry entry;
    entry.id = f.stem().string();
    entry.file = f;
    try {
      entry.scenario = load_scenario(f);
    } catch (const std::exception&) {
      continue;  // not a scenario this build can load: not offered
    }
    if (entry.scenario.sweep.present) continue;  // sweeps are for `complysim sweep`
    entry.description = leading_comment(f);
    entry.title = entry.id;
    library_.push_back(std::move(entry));
  }
  if (library_.empty()) throw std::runtime_error(options_.scenarios_dir.string() + ": error: no loadable scenario without a [sweep] in this folder");
  if (!find_entry(options_.default_scenario)) options_.default_scenario = library_.front().id;

  std::string tmpl = (fs::temp_directory_path() / "complysim-serve-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a private folder under " + fs::temp_directory_path().string());
  work_dir_ = tmpl;
  worker_ = std::thread([this] { worker_loop(); });
}

App::~App() {
  stop();
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

void App::stop() {
  {
    std::lock_guard lk(queue_mutex_);
    stopping_ = true;
    if (running_) running_->cancel = true;
    for (auto& j : queue_) j->cancel = true;
  }
  queue_changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

const App::LibraryEntry* App::find_entry(const std::string& id) const {
  for (const auto& e : library_)
    if (e.id == id) return &e;
  return nullptr;
}

std::string App::config_json() const {
  JsonWriter w;
  w.begin_object();
  w.key("default_scenario").value(options_.default_scenario);
  w.key("scenarios").begin_array();
  for (const auto& e : library_) {
    w.begin_object();
    w.key("id").value(e.id);
    w.key("title").value(e.title);
    w.key("description").value(e.description);
    w.end_object();
  }
  w.end_array();
  w.key("sizes").begin_array();
  const std::int64_t sizes[][2] = {{options_.default_users, options_.default_replicates}, {50000, 8}, {100000, 16}, {200000, 16}};
  for (const auto& s : sizes) {
    if (s[0] > options_.max_users || s[1] > options_.max_replicates) continue;
    w.begin_object();
    w.key("users").value(s[0]);
    w.key("replicates").value(s[1]);
    w.end_object();
  }
  w.end_array();
  w.key("min_users").value(options_.min_users);
  w.key("max_users").value(options_.max_users);
  w.key("max_replicates").value(options_.max_replicates);
  w.key("max_queue").value(options_.max_queue);
  w.key("min_requests").value(kMinRequests);
  w.key("model_doc").value(!options_.docs_dir.empty() && fs::exists(options_.docs_dir / "model.md") ? "/docs/model.md" : "");
  w.key("outcomes").begin_array();
  for (const auto& o : outcome_table()) {
    w.begin_object();
    w.key("name").value(o.name);
    w.key("label").value(outcome_words(o.name));
    w.key("unit").value(o.unit);
    w.key("per_platform").value(o.per_platform);
    w.end_object();
  }
  w.end_array();
  w.key("headline").begin_array();
  for (auto h : kHeadline)
    if (find_outcome(h) >= 0) w.value(h);
  w.end_array();
  w.end_object();
  return w.str();
}

std::optional<std::string> App::scenario_json(const std::string& id) const {
  const LibraryEntry* e = find_entry(id);
  if (!e) return std::nullopt;
  JsonWriter w;
  w.begin_object();
  w.key("id").value(e->id);
  w.key("description").value(e->description);
  w.key("days").value(e->scenario.simulation.days);
  w.key("start_date").value(e->scenario.simulation.start_date);
  w.key("jurisdictions").value(static_cast<std::int64_t>(e->scenario.jurisdictions.size()));
  if (const auto r = represented_users(e->scenario)) w.key("represented_users").value(*r);
  else w.key("represented_users").null();
  w.key("platforms").begin_array();
  for (const auto& p : e->scenario.platforms) w.value(p.name);
  w.end_array();
  w.key("levers").begin_array();
  for (const auto& l : levers_) {
    w.begin_object();
    w.key("name").value(l.name);
    w.key("label").value(l.label);
    w.key("help").value(l.help);
    w.key("unit").value(l.spec->unit);
    w.key("unit_words").value(l.unit_words);
    w.key("type").value(to_string(l.spec->type));
    w.key("min").value(l.spec->min);
    w.key("max").value(l.spec->max);
    w.key("slider_min").value(l.slider_min);
    w.key("slider_max").value(l.slider_max);
    w.key("step").value(l.step);
    w.key("base");
    write_value(w, get_param(e->scenario, l.name));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string App::status_json() const {
  std::lock_guard lk(queue_mutex_);
  JsonWriter w;
  w.begin_object();
  w.key("running").value(running_ != nullptr);
  w.key("queued").value(static_cast<std::int64_t>(queue_.size()));
  w.key("max_queue").value(options_.max_queue);
  w.key("finished").value(finished_);
  w.key("cancelled").value(cancelled_);
  w.key("failed").value(failed_);
  w.end_object();
  return w.str();
}

std::variant<std::shared_ptr<Job>, ApiError> App::prepare(const std::string& body) {
  pt::ptree tree;
  try {
    std::istringstream in(body);
    pt::read_json(in, tree);
  } catch (const pt::json_parser_error& e) {
    return ApiError{400, "malformed JSON: " + e.message() + " (line " + std::to_string(e.line()) + ")", {}};
  }
  if (!tree.data().empty() || (!tree.empty() && tree.front().first.empty()))
    return ApiError{400, "the request must be a JSON object {\"scenario\", \"users\", \"replicates\", \"levers\"}", {}};
  static const std::set<std::string> known{"scenario", "users", "replicates", "levers"};
  for (const auto& [k, v] : tree)
    if (!known.count(k)) return ApiError{400, "unknown field '" + k + "' (expected scenario, users, replicates, levers)", {}};

  auto req = std::make_shared<Job>();
  RunRequest& r = req->request;
  const auto scalar = [&](const char* name) -> std::optional<std::string> {
    const auto it = tree.find(name);
    if (it == tree.not_found()) return std::nullopt;
    if (!it->second.empty()) throw std::invalid_argument("'" + std::string(name) + "' must be a single value");
    return it->second.data();
  };
  try {
    r.scenario = scalar("scenario").value_or(options_.default_scenario);
    const auto users = scalar("users");
    const auto reps = scalar("replicates");
    r.users = users ? parse_int_field(*users, "users") : options_.default_users;
    r.replicates = reps ? parse_int_field(*reps, "replicates") : options_.default_replicates;
  } catch (const std::invalid_argument& e) {
    return ApiError{400, e.what(), {}};
  }
  const LibraryEntry* entry = find_entry(r.scenario);
  if (!entry) return ApiError{404, "unknown scenario '" + r.scenario + "' (see /api/config for the library)", {}};
  if (r.users > options_.max_users)
    return ApiError{413, "users " + std::to_string(r.users) + " is above this server's cap of " + std::to_string(options_.max_users) +
                             " (start it with a larger --max-users on a bigger machine)", {}};
  if (r.users < options_.min_users)
    return ApiError{400, "users must be at least " + std::to_string(options_.min_users) + ", got " + std::to_string(r.users), {}};
  if (r.replicates > options_.max_replicates)
    return ApiError{413, "replicates " + std::to_string(r.replicates) + " is above this server's cap of " + std::to_string(options_.max_replicates), {}};
  if (r.replicates < 2) return ApiError{400, "replicates must be at least 2 (an interval needs two runs), got " + std::to_string(r.replicates), {}};

  ApiError lever_errors{400, "", {}};
  if (const auto it = tree.find("levers"); it != tree.not_found()) {
    const pt::ptree& lv = it->second;
    if (!lv.data().empty() || (!lv.empty() && lv.front().first.empty()))
      return ApiError{400, "'levers' must be an object {\"law.vagueness\": 0.1, ...}", {}};
    std::set<std::string> seen;
    for (const auto& [name, v] : lv) {
      const auto lit = std::find_if(levers_.begin(), levers_.end(), [&](const Lever& l) { return l.name == name; });
      if (lit == levers_.end()) {
        std::string known_names;
        for (const auto& l : levers_) known_names += (known_names.empty() ? "" : ", ") + l.name;
        lever_errors.fields[name] = "unknown lever '" + name + "' (levers: " + known_names + ")";
        continue;
      }
      if (!seen.insert(name).second) {
        lever_errors.fields[name] = "lever '" + name + "' given twice";
        continue;
      }
      if (!v.empty()) {
        lever_errors.fields[name] = "lever '" + name + "' takes a single value";
        continue;
      }
      ParamValue value;
      try {
        value = parse_lever_value(*lit->spec, v.data(), name);
      } catch (const std::invalid_argument& e) {
        lever_errors.fields[name] = e.what();
        continue;
      }
      try {
        value = check_value(*lit->spec, value, name);
      } catch (const std::invalid_argument&) {
        lever_errors.fields[name] = range_message(*lit, value);
        continue;
      }
      if (!same_value(value, get_param(entry->scenario, name))) r.levers.emplace_back(name, value);
    }
  }
  if (!lever_errors.fields.empty()) {
    lever_errors.message = lever_errors.fields.size() == 1 ? lever_errors.fields.begin()->second
                                                           : std::to_string(lever_errors.fields.size()) + " levers have bad values";
    bool unknown = false;
    for (const auto& [k, m] : lever_errors.fields) unknown = unknown || m.rfind("unknown lever", 0) == 0;
    if (unknown && lever_errors.fields.size() == 1) lever_errors.message = lever_errors.fields.begin()->second;
    return lever_errors;
  }
  // Keep the page's order of levers (the table's order) for the file.
  std::stable_sort(r.levers.begin(), r.levers.end(), [&](const auto& a, const auto& b) {
    auto pos = [&](const std::string& n) {
      return std::find_if(levers_.begin(), levers_.end(), [&](const Lever& l) { return l.name == n; }) - levers_.begin();
    };
    return pos(a.first) < pos(b.first);
  });

  // The two files, as `complysim compare BASE.toml WHATIF.toml` will read them.
  try {
    const std::string size_tag = std::to_string(r.users) + "u_" + std::to_string(r.replicates) + "r";
    const Scenario base = load_scenario(entry->file, {"population.users=" + std::to_string(r.users),
                                                      "simulation.replicates=" + std::to_string(r.replicates)});
    const std::string base_name = r.scenario + "_" + size_tag + ".toml";
    std::string base_text = "# Base scenario of a what-if from the complysim workshop page (complysim serve):\n# " + r.scenario +
                            ".toml at " + std::to_string(r.users) + " users and " + std::to_string(r.replicates) +
                            " replicates, every field written out.\n";
    base_text += to_toml(base);
    std::string levers_text;
    std::string table;
    for (const auto& [name, value] : r.levers) {
      const auto dot = name.find('.');
      const std::string t = name.substr(0, dot);
      if (t != table) {
        levers_text += "\n[" + t + "]\n";
        table = t;
      }
      levers_text += name.substr(dot + 1) + " = " + to_toml_text(value) + "    # base: " + to_toml_text(get_param(base, name)) + "\n";
    }
    char hash[17];
    std::snprintf(hash, sizeof hash, "%08llx", static_cast<unsigned long long>(fnv1a(base_text + levers_text) & 0xffffffffull));
    const std::string whatif_name = r.scenario + "_whatif_" + hash + ".toml";
    std::string whatif_text = "# A what-if from the complysim workshop page (complysim serve), " + today_iso() +
                              ".\n# Save it in one folder with its base " + base_name +
                              ", then reproduce the page's numbers with\n#   complysim compare " + base_name + " " + whatif_name +
                              "\n" + (r.levers.empty() ? "# (no lever changed: the what-if equals its base)\n" : "# Changed levers:\n") +
                              "extends = \"" + base_name + "\"\n" + levers_text;
    {
      std::lock_guard lk(files_mutex_);
      write_file_if_changed(work_dir_ / base_name, base_text);
      write_file_if_changed(work_dir_ / whatif_name, whatif_text);
    }
    req->base_file = work_dir_ / base_name;
    req->whatif_file = work_dir_ / whatif_name;
    req->base_toml = std::move(base_text);
    req->whatif_toml = std::move(whatif_text);
    // The strict loader, exactly as `complysim compare` calls it.
    req->base = load_scenario(req->base_file);
    req->whatif = load_scenario(req->whatif_file, {"simulation.seed=" + std::to_string(req->base.simulation.seed),
                                                   "simulation.replicates=" + std::to_string(req->base.simulation.replicates)});
  } catch (const ScenarioError& e) {
    return ApiError{400, "the scenario loader refused the what-if: " + e.message(), {}};
  } catch (const std::exception& e) {
    return ApiError{500, std::string("could not prepare the run: ") + e.what(), {}};
  }
  return req;
}

bool App::enqueue(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard lk(queue_mutex_);
    if (stopping_) return false;
    if ((running_ ? 1 : 0) + static_cast<std::int64_t>(queue_.size()) >= options_.max_queue + 1) return false;
    queue_.push_back(job);
  }
  queue_changed_.notify_all();
  return true;
}

bool App::queue_full() const {
  std::lock_guard lk(queue_mutex_);
  // One may run and max_queue wait; a job the worker has not picked up yet counts as the running one.
  return (running_ ? 1 : 0) + static_cast<std::int64_t>(queue_.size()) >= options_.max_queue + 1;
}

std::int64_t App::queue_position(const Job& job) const {
  std::lock_guard lk(queue_mutex_);
  for (std::size_t i = 0; i < queue_.size(); ++i)
    if (queue_[i].get() == &job) return static_cast<std::int64_t>(i) + 1;
  return 0;
}

std::int64_t App::queued() const {
  std::lock_guard lk(queue_mutex_);
  return static_cast<std::int64_t>(queue_.size());
}

void App::worker_loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lk(queue_mutex_);
      queue_changed_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        for (auto& j : queue_) {
          std::lock_guard jl(j->mutex);
          j->state = Job::State::Cancelled;
          j->changed.notify_all();
        }
        queue_.clear();
        return;
      }
      job = queue_.front();
      queue_.pop_front();
      running_ = job;
    }
    {
      std::lock_guard jl(job->mutex);
      if (!job->cancel) job->state = Job::State::Running;
    }
    job->changed.notify_all();
    JobEnd end{Job::State::Cancelled, {}, {}};
    if (!job->cancel) end = run_job(*job);
    // Counters first, then the job's state: a client that has its answer sees them counted.
    {
      std::lock_guard lk(queue_mutex_);
      running_.reset();
      if (end.state == Job::State::Done) ++finished_;
      else if (end.state == Job::State::Failed) ++failed_;
      else ++cancelled_;
    }
    {
      std::lock_guard jl(job->mutex);
      job->state = end.state;
      job->result_json = std::move(end.result_json);
      job->error = std::move(end.error);
    }
    job->changed.notify_all();
  }
}

std::shared_ptr<const std::vector<ReplicateRun>> App::cached_base(const std::string& key) const {
  std::lock_guard lk(cache_mutex_);
  for (const auto& [k, v] : base_cache_)
    if (k == key) return v;
  return nullptr;
}

void App::store_base(const std::string& key, std::shared_ptr<const std::vector<ReplicateRun>> runs) {
  std::lock_guard lk(cache_mutex_);
  base_cache_.remove_if([&](const auto& e) { return e.first == key; });
  base_cache_.emplace_front(key, std::move(runs));
  while (base_cache_.size() > options_.base_cache_size) base_cache_.pop_back();
}

namespace {

/// Per record: mean, min and max across replicates of a scalar outcome's series.
void write_series(JsonWriter& w, const std::vector<ReplicateRun>& runs, std::size_t k) {
  const std::size_t records = runs.front().result.record_day.size();
  std::vector<double> mean(records), lo(records), hi(records);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < records; ++i) {
    double s = 0, mn = std::numeric_limits<double>::infinity(), mx = -mn;
    std::int64_t n = 0;
    for (const auto& r : runs) {
      const double x = r.result.series[k][i];
      if (!std::isfinite(x)) continue;
      s += x;
      mn = std::min(mn, x);
      mx = std::max(mx, x);
      ++n;
    }
    mean[i] = n ? s / static_cast<double>(n) : nan;
    lo[i] = n ? mn : nan;
    hi[i] = n ? mx : nan;
  }
  w.begin_object();
  for (const auto& [name, v] : {std::pair<const char*, const std::vector<double>*>{"mean", &mean}, {"lo", &lo}, {"hi", &hi}}) {
    w.key(name).begin_array();
    for (double x : *v) w.value(x);
    w.end_array();
  }
  w.end_object();
}

/// Requests each platform received in the summary window, summed over
/// replicates, in simulated requests; empty when the model does not report
/// them per platform.
std::vector<double> requests_per_platform(const Scenario& s, const std::vector<ReplicateRun>& runs) {
  const int k = find_outcome("takedown_requests_received");
  if (k < 0) return {};
  const double window = static_cast<double>(std::min(s.simulation.summary_window_days, s.simulation.days));
  const auto rep = represented_users(s);
  // The outcome is scaled to the represented population: back to the sample.
  const double scale = rep && *rep > 0 ? static_cast<double>(s.population.users) / *rep : 1.0;
  std::vector<double> out(s.platforms.size(), 0.0);
  for (const auto& r : runs)
    for (std::size_t p = 0; p < out.size(); ++p) {
      const double x = r.result.summary[static_cast<std::size_t>(k)][p];
      if (std::isfinite(x)) out[p] += x * window * scale;
    }
  for (double& x : out) x = std::round(x);
  return out;
}

/// All takedown requests sent in the summary window, summed over replicates.
double requests_total(const Scenario& s, const std::vector<ReplicateRun>& runs) {
  const int k = find_outcome("takedown_requests");
  if (k < 0) return std::numeric_limits<double>::quiet_NaN();
  const double window = static_cast<double>(std::min(s.simulation.summary_window_days, s.simulation.days));
  double total = 0;
  for (const auto& r : runs) {
    const double x = r.result.summary[static_cast<std::size_t>(k)][0];
    if (std::isfinite(x)) total += x * window;
  }
  return std::round(total);
}

}  // namespace

App::JobEnd App::run_job(Job& job) {
  const auto t0 = std::chrono::steady_clock::now();
  const Scenario& base = job.base;
  const Scenario& whatif = job.whatif;
  const std::int64_t reps = base.simulation.replicates;
  auto base_runs = cached_base(job.base_toml);
  const bool base_cached = base_runs != nullptr;
  job.total_days = reps * (whatif.simulation.days + (base_cached ? 0 : base.simulation.days));
  job.done_days = 0;
  const auto tick = [&job] { job.done_days.fetch_add(1, std::memory_order_relaxed); };
  try {
    if (!base_runs) {
      auto runs = std::make_shared<std::vector<ReplicateRun>>(simulate_replicates(base, reps, &job.cancel, tick));
      base_runs = runs;
      store_base(job.base_toml, runs);
    }
    const std::vector<ReplicateRun> whatif_runs = simulate_replicates(whatif, reps, &job.cancel, tick);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const std::vector<std::string> names{job.base_file.stem().string(), job.whatif_file.stem().string()};
    std::vector<CompareInput> inputs(2);
    const std::vector<const std::vector<ReplicateRun>*> all{base_runs.get(), &whatif_runs};
    const std::vector<const Scenario*> scen{&base, &whatif};
    for (std::size_t i = 0; i < 2; ++i) {
      inputs[i].name = names[i];
      for (const auto& p : scen[i]->platforms) inputs[i].platforms.push_back(p.name);
      for (const auto& r : *all[i]) inputs[i].runs.push_back(&r.result);
    }
    const CompareTable table = build_compare_table(inputs);

    JsonWriter w;
    w.begin_object();
    w.key("event").value("result");
    w.key("scenario").value(job.request.scenario);
    w.key("users").value(base.population.users);
    w.key("replicates").value(reps);
    w.key("seed").value(base.simulation.seed);
    w.key("days").value(base.simulation.days);
    w.key("start_date").value(base.simulation.start_date);
    w.key("window_days").value(std::min(base.simulation.summary_window_days, base.simulation.days));
    w.key("level").value(table.level);
    w.key("seconds").value(seconds);
    w.key("base_cached").value(base_cached);
    w.key("columns").begin_array();
    for (const auto& n : names) w.value(n);
    w.end_array();
    w.key("levers").begin_object();
    for (const auto& [n, v] : job.request.levers) {
      w.key(n);
      write_value(w, v);
    }
    w.end_object();
    w.key("platforms").begin_array();
    for (const auto& p : base.platforms) w.value(p.name);
    w.end_array();
    if (const auto rep = represented_users(base)) w.key("represented_users").value(*rep);
    else w.key("represented_users").null();
    w.key("rows").begin_array();
    for (const auto& row : table.rows) {
      w.begin_object();
      w.key("outcome").value(row.outcome);
      w.key("platform").value(row.platform);
      w.key("label").value(outcome_words(row.outcome));
      w.key("unit").value(row.unit);
      w.key("cells").begin_array();
      for (const auto& c : row.cells) {
        w.begin_object();
        w.key("present").value(c.present);
        w.key("mean").value(c.level.mean);
        w.key("lo").value(c.level.ci_lo);
        w.key("hi").value(c.level.ci_hi);
        w.key("n").value(c.level.n);
        w.key("diff").value(c.diff.mean);
        w.key("diff_lo").value(c.diff.ci_lo);
        w.key("diff_hi").value(c.diff.ci_hi);
        w.key("pairs").value(c.diff.n);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.key("requests").begin_object();
    {
      const auto pb = requests_per_platform(base, *base_runs), pw = requests_per_platform(whatif, whatif_runs);
      w.key("per_platform").value(!pb.empty());
      w.key("total").begin_array().value(requests_total(base, *base_runs)).value(requests_total(whatif, whatif_runs)).end_array();
      w.key("platform").begin_array();
      for (const auto* v : {&pb, &pw}) {
        w.begin_array();
        for (double x : *v) w.value(x);
        w.end_array();
      }
      w.end_array();
    }
    w.end_object();
    w.key("series").begin_object();
    w.key("record_day").begin_array();
    for (auto d : base_runs->front().result.record_day) w.value(d);
    w.end_array();
    w.key("outcomes").begin_object();
    const auto outcomes = outcome_table();
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
      if (outcomes[k].per_platform) continue;
      w.key(outcomes[k].name).begin_array();
      write_series(w, *base_runs, k);
      write_series(w, whatif_runs, k);
      w.end_array();
    }
    w.end_object();
    w.end_object();
    w.key("files").begin_object();
    w.key("base_name").value(job.base_file.filename().string());
    w.key("base_toml").value(job.base_toml);
    w.key("whatif_name").value(job.whatif_file.filename().string());
    w.key("whatif_toml").value(job.whatif_toml);
    w.end_object();
    w.key("csv").value(format_compare_table(table, CompareFormat::Csv));
    w.end_object();
    return {Job::State::Done, w.str(), {}};
  } catch (const Cancelled&) {
    return {Job::State::Cancelled, {}, {}};
  } catch (const std::exception& e) {
    return {Job::State::Failed, {}, e.what()};
  }
}

}  // namespace complysim::serve
