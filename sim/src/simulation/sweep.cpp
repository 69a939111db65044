// complysim — sweep plans: which runs a sweep (or shard) has, the scenario and
// key of each, and one run executed into a journal record (complysim/simulation/sweep.hpp).
#include "complysim/simulation/sweep.hpp"

#include "scenario/fields.hpp"  // detail::resolve_name (parameter units)

#include "complysim/simulation/run.hpp"
#include "complysim/version.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace complysim {

namespace {

constexpr std::size_t kOutcomes = static_cast<std::size_t>(OutcomeId::Count);

std::int64_t parse_int(std::string_view t, std::string_view whole) {
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty())
    throw std::invalid_argument("--shard '" + std::string(whole) + "' is not of the form I/N (e.g. 3/16)");
  return v;
}

template <class T>
void hash_value(std::uint64_t& h, const T& v) {
  h = io::fnv1a64(&v, sizeof v, h);
}
void hash_string(std::uint64_t& h, const std::string& s) {
  hash_value(h, s.size());
  h = io::fnv1a64(s.data(), s.size(), h);
}

/// A decree design's `set` as a TOML inline table; "" for none.
std::string inline_table(const std::vector<std::pair<std::string, ParamValue>>& set) {
  if (set.empty()) return "";
  std::string out = "{ ";
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i > 0) out += ", ";
    out += to_toml_text(ParamValue(set[i].first)) + " = " + to_toml_text(set[i].second);
  }
  return out + " }";
}

/// The values run `at` applies, one per sample column.
std::vector<double> sample_values(const SweepPlan& plan, std::int64_t sample) {
  std::vector<double> v(static_cast<std::size_t>(plan.samples.dims()));
  for (std::size_t j = 0; j < v.size(); ++j) {
    const double x = plan.samples.X(static_cast<Eigen::Index>(sample), static_cast<Eigen::Index>(j));
    v[j] = plan.integer_param[j] ? static_cast<double>(std::llround(x)) : x;
  }
  return v;
}

}  // namespace

std::string ShardSpec::text() const {
  return present ? std::to_string(index) + "/" + std::to_string(count) : std::string();
}

ShardSpec ShardSpec::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos)
    throw std::invalid_argument("--shard '" + std::string(text) + "' is not of the form I/N (e.g. 3/16)");
  ShardSpec s;
  s.index = parse_int(text.substr(0, slash), text);
  s.count = parse_int(text.substr(slash + 1), text);
  s.present = true;
  if (s.count < 1) throw std::invalid_argument("--shard '" + std::string(text) + "': N must be at least 1");
  if (s.index < 0 || s.index >= s.count)
    throw std::invalid_argument("--shard '" + std::string(text) + "': I must be in 0.." + std::to_string(s.count - 1) +
                                " (shards are numbered from 0)");
  return s;
}

std::vector<std::int64_t> record_days(const Scenario& s) {
  const std::int64_t days = s.simulation.days, every = s.simulation.record_every_days;
  std::vector<std::int64_t> out;
  if (days <= 0 || every <= 0) return out;
  for (std::int64_t rec = 0; rec * every < days; ++rec) out.push_back(std::min(days, (rec + 1) * every) - 1);
  return out;
}

SweepPlan plan_sweep(const Scenario& scenario, const ShardSpec& shard) {
  if (!scenario.sweep.present)
    throw std::invalid_argument("the scenario has no [sweep] section (use 'complysim run' for replicates of one scenario)");
  SweepPlan plan;
  plan.base = scenario;
  plan.samples = make_design(scenario.sweep, static_cast<std::uint64_t>(scenario.simulation.seed));
  plan.designs = scenario.sweep.designs;
  // One design: named after the scenario file ("my_decree.toml" -> "my_decree"), so a
  // reader of the results sees what was run; "baseline" for a scenario without a file.
  if (plan.designs.empty()) {
    const std::string stem = scenario.source.stem().string();
    plan.designs.push_back(DecreeDesign{stem.empty() ? "baseline" : stem, {}});
  }
  plan.replicates = scenario.sweep.replicates;
  plan.n_runs_total = n_runs(static_cast<std::int64_t>(plan.designs.size()), plan.samples.samples(), plan.replicates);
  plan.shard = shard;
  plan.runs = shard_runs(plan.n_runs_total, shard.index, shard.count);
  for (const std::string& name : plan.samples.names) {
    const ParamValue v = get_param(scenario, name);  // throws for an unknown name
    if (!std::holds_alternative<double>(v) && !std::holds_alternative<std::int64_t>(v))
      throw std::invalid_argument("sweep parameter '" + name + "' is not numeric");
    plan.integer_param.push_back(std::holds_alternative<std::int64_t>(v));
  }
  for (const auto& p : scenario.platforms) plan.platforms.push_back(p.name);
  plan.record_day = record_days(scenario);
  // A points file travels in the results file (/inputs), under the absolute path the
  // resolved scenario text names it by, so `complysim reproduce` needs nothing else.
  if (scenario.sweep.design == "file") {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(scenario.sweep.points_path, ec);
    if (ec) abs = scenario.sweep.points_path;
    plan.inputs.push_back(InputFile{abs.lexically_normal().string(), scenario.sweep.points_text});
  }
  return plan;
}

Scenario scenario_for_run(const SweepPlan& plan, const RunIndex& at, std::vector<double>* params_out) {
  Scenario s = plan.base;
  for (const auto& [name, value] : plan.designs.at(static_cast<std::size_t>(at.design)).set) set_param(s, name, value);
  const std::vector<double> values = sample_values(plan, at.sample);
  for (std::size_t j = 0; j < values.size(); ++j) {
    const std::string& name = plan.samples.names[j];
    if (plan.integer_param[j]) set_param(s, name, ParamValue(static_cast<std::int64_t>(values[j])));
    else set_param(s, name, ParamValue(values[j]));
  }
  if (params_out) *params_out = values;
  return s;
}

std::int64_t key_point(std::int64_t sample, bool shared, std::int64_t sobol_base) {
  if (!shared) return sample;
  if (sobol_base < 1) throw std::invalid_argument("shared random numbers need a sobol design (base size N >= 1)");
  return sample % sobol_base;
}

RunKey run_key(const SweepPlan& plan, const RunIndex& at) {
  const std::int64_t point =
      key_point(at.sample, plan.base.sweep.shared_random_numbers && plan.samples.kind == "sobol", plan.samples.sobol_base);
  return RunKey::derive(static_cast<std::uint64_t>(plan.base.simulation.seed), static_cast<std::uint64_t>(point),
                        static_cast<std::uint64_t>(at.replicate));
}

io::JournalRecord execute_run(const SweepPlan& plan, std::int64_t run, const std::atomic<bool>* cancel) {
  const RunIndex at = run_at(run, static_cast<std::int64_t>(plan.designs.size()), plan.samples.samples(), plan.replicates);
  io::JournalRecord rec;
  rec.run = run;
  rec.params = sample_values(plan, at.sample);
  try {
    const Scenario s = scenario_for_run(plan, at);
    RunResult r = simulate(s, run_key(plan, at), cancel);
    if (r.record_day != plan.record_day)
      throw std::runtime_error("the run recorded " + std::to_string(r.record_day.size()) + " time-series records, the sweep " +
                               std::to_string(plan.record_day.size()) +
                               " (simulation.days and simulation.record_every_days cannot vary within a sweep)");
    if (r.summary.size() != kOutcomes || r.series.size() != kOutcomes)
      throw std::runtime_error("the model returned " + std::to_string(r.summary.size()) + " outcomes, expected " +
                               std::to_string(kOutcomes));
    for (std::size_t k = 0; k < kOutcomes; ++k) {
      const std::size_t w = outcome_table()[k].per_platform ? plan.platforms.size() : 1;
      if (r.summary[k].size() != w || r.series[k].size() != w * plan.record_day.size())
        throw std::runtime_error("outcome " + std::string(outcome_table()[k].name) + " has the wrong shape");
    }
    r.record_day.clear();  // the same for every run: stored once, in the file's /timeseries/day
    rec.result = std::move(r);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    rec.status = RunStatus::Failed;
    rec.message = e.what();
    if (rec.message.empty()) rec.message = "run failed (exception without a message)";
    rec.result = RunResult{};
    rec.result.summary.assign(kOutcomes, {});
    rec.result.series.assign(kOutcomes, {});
  }
  return rec;
}

io::JournalHeader journal_header(const SweepPlan& plan, const std::string& command_line) {
  io::JournalHeader h;
  h.complysim_version = std::string(version());
  h.git_commit = std::string(git_commit());
  h.command_line = command_line;
  h.overrides = plan.base.overrides;
  h.scenario_toml = to_toml(plan.base);
  h.seed = static_cast<std::uint64_t>(plan.base.simulation.seed);
  h.shard = plan.shard.text();
  const io::DesignInfo d = design_info(plan);
  std::uint64_t x = io::fnv1a64(d.kind.data(), d.kind.size());
  for (const auto* v : {&d.names, &d.settings, &d.parameters}) {
    hash_value(x, v->size());
    for (const std::string& s : *v) hash_string(x, s);
  }
  hash_value(x, d.samples.rows());
  hash_value(x, d.samples.cols());
  for (Eigen::Index i = 0; i < d.samples.rows(); ++i)
    for (Eigen::Index j = 0; j < d.samples.cols(); ++j) hash_value(x, d.samples(i, j));
  for (std::int8_t b : d.block) hash_value(x, b);
  if (!d.weight.empty()) {  // only for weighted "file" designs, so other designs keep their hash
    hash_value(x, d.weight.size());
    for (double w : d.weight) hash_value(x, w);
  }
  hash_value(x, d.sobol_base_samples);
  hash_value(x, d.replicates);
  if (plan.base.sweep.shared_random_numbers) hash_string(x, "shared_random_numbers");  // other hashes unchanged
  h.design_hash = x;
  h.n_runs_total = plan.n_runs_total;
  h.param_names = plan.samples.names;
  for (const OutcomeSpec& o : outcome_table())
    h.widths.push_back(o.per_platform ? static_cast<std::uint32_t>(plan.platforms.size()) : 1u);
  h.records = static_cast<std::uint32_t>(plan.record_day.size());
  if (plan.base.jurisdictions.size() >= 2)
    for (const auto& j : plan.base.jurisdictions) h.jurisdictions.push_back(j.name);
  return h;
}

io::DesignInfo design_info(const SweepPlan& plan) {
  io::DesignInfo d;
  d.kind = plan.samples.kind;
  d.names.clear();
  d.settings.clear();
  for (const DecreeDesign& dd : plan.designs) {
    d.names.push_back(dd.name);
    d.settings.push_back(inline_table(dd.set));
  }
  d.parameters = plan.samples.names;
  d.samples = plan.samples.X;
  d.block = plan.samples.block;
  d.weight = plan.samples.weight;
  d.sobol_base_samples = plan.samples.sobol_base;
  d.replicates = plan.replicates;
  return d;
}

io::ResultsSchema results_schema(const SweepPlan& plan) {
  io::ResultsSchema s;
  s.platforms = plan.platforms;
  s.param_names = plan.samples.names;
  for (const std::string& name : s.param_names) s.param_units.emplace_back(detail::resolve_name(plan.base, name).spec->unit);
  s.record_day = plan.record_day;
  s.start_date = plan.base.simulation.start_date;
  if (plan.base.jurisdictions.size() >= 2)
    for (const auto& j : plan.base.jurisdictions) s.jurisdictions.push_back(j.name);
  return s;
}

}  // namespace complysim
