// complysim — re-running a results file from what it carries and comparing
// every dataset of its runs bit for bit (complysim/simulation/reproduce.hpp).
#include "complysim/simulation/reproduce.hpp"

#include "complysim/input_files.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/simulation/run.hpp"
#include "complysim/simulation/sweep.hpp"
#include "complysim/version.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>

namespace complysim {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kOutcomes = static_cast<std::size_t>(OutcomeId::Count);
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kMarker = "# ---- scenario ";

std::string show(double x) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g (bits 0x%016" PRIx64 ")", x, bits);
  return buf;
}

std::string show(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\\\"") : std::string(1, c);
  return out + "\"";
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + show(v[i]);
  return out + "]";
}

/// A file-level difference (row -1).
ReproduceDifference file_level(std::string dataset, std::string in_file, std::string now) {
  return ReproduceDifference{-1, -1, std::move(dataset), std::move(in_file), std::move(now)};
}

/// The rows to re-run: all, or the first, the last and K - 2 drawn at random.
std::vector<std::int64_t> select_rows(std::int64_t n, std::int64_t k, std::uint64_t seed, bool& sampled) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  sampled = k > 0 && k < n;
  if (!sampled) return rows;
  std::vector<std::int64_t> out{0};
  if (k >= 2) out.push_back(n - 1);
  std::vector<std::int64_t> middle(rows.begin() + 1, rows.end() - 1);
  std::mt19937_64 rng(seed);
  const auto draw = static_cast<std::size_t>(std::max<std::int64_t>(0, k - 2));
  for (std::size_t i = 0; i < draw; ++i) {  // partial Fisher-Yates
    std::uniform_int_distribution<std::size_t> pick(i, middle.size() - 1);
    std::swap(middle[i], middle[pick(rng)]);
    out.push_back(middle[i]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// How the runs of a file are re-run: a sweep plan, or replicate sets of scenarios.
struct Rerun {
  bool sweep = false;
  SweepPlan plan;                    // sweep files
  std::vector<Scenario> scenarios;   // single: 1; compare: one per design
  std::int64_t replicates = 1;
  std::vector<std::size_t> width;    // [outcomes]
  std::size_t records = 0;
  std::size_t jurisdictions = 0;     // the file's per-jurisdiction width (0: none stored)

  /// The record the file should hold for global run `run`.
  io::RunRecord expected(std::int64_t run, const std::atomic<bool>* cancel) const {
    io::RunRecord out;
    out.row.run = run;
    RunResult result;
    if (sweep) {
      const RunIndex at = run_at(run, static_cast<std::int64_t>(plan.designs.size()), plan.samples.samples(), plan.replicates);
      io::JournalRecord rec = execute_run(plan, run, cancel);
      out.row.point = at.sample;
      out.row.replicate = at.replicate;
      out.row.design = at.design;
      out.row.seed = key_bits(run_key(plan, at));
      out.row.status = rec.status;
      out.row.message = rec.message;
      out.row.params = rec.params;
      result = std::move(rec.result);
    } else {
      const std::int64_t d = run / replicates, rep = run % replicates;
      const Scenario& s = scenarios.at(static_cast<std::size_t>(d));
      const RunKey key = RunKey::derive(static_cast<std::uint64_t>(s.simulation.seed), 0, static_cast<std::uint64_t>(rep));
      out.row.point = 0;
      out.row.replicate = rep;
      out.row.design = d;
      out.row.seed = key_bits(key);
      try {
        result = simulate(s, key, cancel);
      } catch (const Cancelled&) {
        throw;
      } catch (const std::exception& e) {
        out.row.status = RunStatus::Failed;
        out.row.message = e.what();
      }
    }
    // The file stores NaN for every value of a failed run.
    const bool ok = out.row.status == RunStatus::Ok;
    out.result.summary.resize(kOutcomes);
    out.result.series.resize(kOutcomes);
    for (std::size_t k = 0; k < kOutcomes; ++k) {
      if (ok && k < result.summary.size() && k < result.series.size()) {
        out.result.summary[k] = std::move(result.summary[k]);
        out.result.series[k] = std::move(result.series[k]);
      } else {
        out.result.summary[k].assign(width[k], kNaN);
        out.result.series[k].assign(width[k] * records, kNaN);
      }
    }
    if (jurisdictions >= 2) {
      out.result.jur_summary.resize(kOutcomes);
      out.result.jur_series.resize(kOutcomes);
      for (std::size_t k = 0; k < kOutcomes; ++k) {
        if (outcome_table()[k].per_platform) continue;
        if (ok && k < result.jur_summary.size() && k < result.jur_series.size()) {
          out.result.jur_summary[k] = std::move(result.jur_summary[k]);
          out.result.jur_series[k] = std::move(result.jur_series[k]);
        } else {
          out.result.jur_summary[k].assign(jurisdictions, kNaN);
          out.result.jur_series[k].assign(jurisdictions * records, kNaN);
        }
      }
    }
    out.result.record_day = sweep || !ok ? std::vector<std::int64_t>{} : result.record_day;
    return out;
  }
};

/// The first difference between a stored row and its re-run, or nullopt.
std::optional<ReproduceDifference> compare_row(std::int64_t row, const io::RunRecord& file, const io::RunRecord& now,
                                               const io::ResultsSchema& schema) {
  ReproduceDifference d;
  d.row = row;
  d.run = file.row.run;
  const auto at = [&](std::string dataset, std::string a, std::string b) {
    d.dataset = std::move(dataset);
    d.file_value = std::move(a);
    d.rerun_value = std::move(b);
    return std::optional<ReproduceDifference>(d);
  };
  const io::RunRow &a = file.row, &b = now.row;
  if (a.point != b.point) return at("/runs/point", std::to_string(a.point), std::to_string(b.point));
  if (a.replicate != b.replicate) return at("/runs/replicate", std::to_string(a.replicate), std::to_string(b.replicate));
  if (a.design != b.design) return at("/runs/design", std::to_string(a.design), std::to_string(b.design));
  if (a.seed != b.seed) return at("/runs/seed", std::to_string(a.seed), std::to_string(b.seed));
  if (a.status != b.status)
    return at("/runs/status", std::to_string(static_cast<int>(a.status)), std::to_string(static_cast<int>(b.status)));
  if (a.message != b.message) return at("/runs/message", show(a.message), show(b.message));
  if (a.params.size() != b.params.size())
    return at("/runs/params", std::to_string(a.params.size()) + " values", std::to_string(b.params.size()) + " values");
  for (std::size_t j = 0; j < a.params.size(); ++j)
    if (!same_bits(a.params[j], b.params[j]))
      return at("/runs/params/" + schema.param_names.at(j), show(a.params[j]), show(b.params[j]));
  if (!now.result.record_day.empty() && now.result.record_day != schema.record_day)
    return at("/timeseries/day", std::to_string(schema.record_day.size()) + " records",
              std::to_string(now.result.record_day.size()) + " records");
  const auto table = outcome_table();
  for (std::size_t k = 0; k < kOutcomes; ++k) {
    const std::string name(table[k].name);
    const auto &sa = file.result.summary[k], &sb = now.result.summary[k];
    if (sa.size() != sb.size())
      return at("/runs/outcomes/" + name, std::to_string(sa.size()) + " values", std::to_string(sb.size()) + " values");
    for (std::size_t i = 0; i < sa.size(); ++i)
      if (!same_bits(sa[i], sb[i]))
        return at("/runs/outcomes/" + name + (table[k].per_platform ? "[platform " + std::to_string(i) + "]" : ""),
                  show(sa[i]), show(sb[i]));
  }
  for (std::size_t k = 0; k < kOutcomes; ++k) {
    const std::string name(table[k].name);
    const auto &ta = file.result.series[k], &tb = now.result.series[k];
    if (ta.size() != tb.size())
      return at("/timeseries/" + name, std::to_string(ta.size()) + " values", std::to_string(tb.size()) + " values");
    const std::size_t w = table[k].per_platform ? schema.platforms.size() : 1;
    for (std::size_t i = 0; i < ta.size(); ++i)
      if (!same_bits(ta[i], tb[i]))
        return at("/timeseries/" + name + "[record " + std::to_string(i / w) +
                      (table[k].per_platform ? ", platform " + std::to_string(i % w) : "") + "]",
                  show(ta[i]), show(tb[i]));
  }
  const std::size_t J = schema.jurisdictions.size();
  for (std::size_t k = 0; k < file.result.jur_summary.size(); ++k) {
    const std::string name(table[k].name);
    const std::vector<double> none;
    const auto &sa = file.result.jur_summary[k], &sb = k < now.result.jur_summary.size() ? now.result.jur_summary[k] : none;
    const auto &ta = file.result.jur_series[k], &tb = k < now.result.jur_series.size() ? now.result.jur_series[k] : none;
    if (sa.size() != sb.size())
      return at("/runs/by_jurisdiction/" + name, std::to_string(sa.size()) + " values", std::to_string(sb.size()) + " values");
    for (std::size_t i = 0; i < sa.size(); ++i)
      if (!same_bits(sa[i], sb[i]))
        return at("/runs/by_jurisdiction/" + name + "[jurisdiction " + std::to_string(i) + "]", show(sa[i]), show(sb[i]));
    if (ta.size() != tb.size())
      return at("/timeseries/by_jurisdiction/" + name, std::to_string(ta.size()) + " values", std::to_string(tb.size()) + " values");
    for (std::size_t i = 0; i < ta.size(); ++i)
      if (!same_bits(ta[i], tb[i]))
        return at("/timeseries/by_jurisdiction/" + name + "[record " + std::to_string(i / J) + ", jurisdiction " + std::to_string(i % J) + "]",
                  show(ta[i]), show(tb[i]));
  }
  return std::nullopt;
}

/// File-level checks of a sweep file against its rebuilt plan.
std::optional<ReproduceDifference> check_sweep_layout(const io::ResultsReader& r, const SweepPlan& plan) {
  const io::DesignInfo &f = r.design(), now = design_info(plan);
  const io::ResultsSchema &fs_ = r.schema(), ns = results_schema(plan);
  if (f.kind != now.kind) return file_level("/design kind", show(f.kind), show(now.kind));
  if (f.names != now.names) return file_level("/design/names", join(f.names), join(now.names));
  if (f.settings != now.settings) return file_level("/design/settings", join(f.settings), join(now.settings));
  if (f.parameters != now.parameters) return file_level("/design/parameters", join(f.parameters), join(now.parameters));
  if (f.samples.rows() != now.samples.rows() || f.samples.cols() != now.samples.cols())
    return file_level("/design/samples", "shape " + std::to_string(f.samples.rows()) + " x " + std::to_string(f.samples.cols()),
                      "shape " + std::to_string(now.samples.rows()) + " x " + std::to_string(now.samples.cols()));
  for (Eigen::Index i = 0; i < f.samples.rows(); ++i)
    for (Eigen::Index j = 0; j < f.samples.cols(); ++j)
      if (!same_bits(f.samples(i, j), now.samples(i, j)))
        return file_level("/design/samples[" + std::to_string(i) + ", " + std::to_string(j) + "]", show(f.samples(i, j)),
                          show(now.samples(i, j)));
  std::vector<std::int8_t> block = now.block;
  if (block.empty()) block.assign(static_cast<std::size_t>(now.samples.rows()), std::int8_t{-1});
  if (f.block != block) return file_level("/design/block", "stored", "differs");
  if (f.sobol_base_samples != now.sobol_base_samples)
    return file_level("/design sobol_base_samples", std::to_string(f.sobol_base_samples), std::to_string(now.sobol_base_samples));
  if (f.replicates != now.replicates)
    return file_level("/design replicates", std::to_string(f.replicates), std::to_string(now.replicates));
  if (fs_.platforms != ns.platforms) return file_level("platforms", join(fs_.platforms), join(ns.platforms));
  if (fs_.param_names != ns.param_names) return file_level("/runs/params names", join(fs_.param_names), join(ns.param_names));
  if (fs_.record_day != ns.record_day)
    return file_level("/timeseries/day", std::to_string(fs_.record_day.size()) + " records", std::to_string(ns.record_day.size()) + " records");
  if (r.provenance().n_runs_total != plan.n_runs_total)
    return file_level("n_runs_total", std::to_string(r.provenance().n_runs_total), std::to_string(plan.n_runs_total));
  return std::nullopt;
}

/// File-level checks of a run or compare file against its scenarios.
std::optional<ReproduceDifference> check_replicate_layout(const io::ResultsReader& r, const Rerun& rr) {
  const io::DesignInfo& f = r.design();
  const io::ResultsSchema& sc = r.schema();
  const Scenario& s0 = rr.scenarios.front();
  if (f.names.size() != rr.scenarios.size())
    return file_level("/design/names", std::to_string(f.names.size()) + " designs", std::to_string(rr.scenarios.size()) + " scenarios");
  if (f.kind == "single" && f.replicates != s0.simulation.replicates)
    return file_level("/design replicates", std::to_string(f.replicates), std::to_string(s0.simulation.replicates));
  std::vector<std::string> platforms;
  for (const auto& p : s0.platforms) platforms.push_back(p.name);
  if (sc.platforms != platforms) return file_level("platforms", join(sc.platforms), join(platforms));
  if (!sc.param_names.empty()) return file_level("/runs/params names", join(sc.param_names), "[]");
  const std::vector<std::int64_t> days = record_days(s0);
  if (sc.record_day != days)
    return file_level("/timeseries/day", std::to_string(sc.record_day.size()) + " records", std::to_string(days.size()) + " records");
  if (r.provenance().start_date != s0.simulation.start_date)
    return file_level("start_date", show(r.provenance().start_date), show(s0.simulation.start_date));
  const std::int64_t total = static_cast<std::int64_t>(rr.scenarios.size()) * rr.replicates;
  if (r.n_runs() != total) return file_level("/runs", std::to_string(r.n_runs()) + " rows", std::to_string(total) + " runs");
  return std::nullopt;
}

}  // namespace

std::vector<std::string> split_compare_scenarios(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t start = text.compare(pos, kMarker.size(), kMarker) == 0 ? pos : text.find("\n" + kMarker, pos);
    if (start == std::string::npos) break;
    const std::size_t body = text.find('\n', start == pos ? start : start + 1);
    if (body == std::string::npos) break;
    std::size_t next = text.find("\n" + kMarker, body);
    out.push_back(text.substr(body + 1, next == std::string::npos ? std::string::npos : next + 1 - (body + 1)));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

ReproduceReport reproduce_file(const fs::path& file, const ReproduceOptions& opt) {
  const io::ResultsReader reader(file);  // checks format and format_version
  const io::Provenance& prov = reader.provenance();
  if (prov.model_spec_version != io::kModelSpecVersion)
    throw ReproduceRefused(file.string() + " was produced under model specification version " +
                           std::to_string(prov.model_spec_version) + ", but this complysim implements version " +
                           std::to_string(io::kModelSpecVersion) + ": use a complysim that implements version " +
                           std::to_string(prov.model_spec_version));
  ReproduceReport report;
  report.kind = reader.design().kind;
  report.file_runs = reader.n_runs();
  if (prov.complysim_version != version() || prov.git_commit != git_commit())
    report.warnings.push_back(file.string() + " was written by complysim " + prov.complysim_version + " (git " +
                              prov.git_commit + "); this is complysim " + std::string(version()) + " (git " +
                              std::string(git_commit()) + "): a difference may come from the program, not the file");

  std::vector<std::string> texts = prov.scenario_texts;
  if (texts.empty()) texts = report.kind == "compare" ? split_compare_scenarios(prov.scenario_toml) : std::vector<std::string>{prov.scenario_toml};
  if (texts.empty()) throw ReproduceRefused(file.string() + ": no embedded scenario text");

  Rerun rr;
  rr.sweep = report.kind != "single" && report.kind != "compare";
  {
    // Only FILE.h5: embedded input files stand in for the disk, and the
    // resolved text has no `extends` and already holds every --set.
    const EmbeddedInputs scope(prov.inputs);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const std::string name = file.string() + ":/inputs/scenario_toml[" + std::to_string(i) + "]";
      try {
        rr.scenarios.push_back(load_scenario_text(texts[i], name));
      } catch (const std::exception& e) {
        throw ReproduceRefused("the embedded scenario does not load: " + std::string(e.what()));
      }
    }
    if (rr.sweep) {
      try {
        rr.plan = plan_sweep(rr.scenarios.front());
        // A sweep without [[sweep.designs]] names its one design after the scenario
        // file, which the embedded text does not have: take the name the file recorded.
        if (rr.scenarios.front().sweep.designs.empty() && rr.plan.designs.size() == 1 && reader.design().names.size() == 1)
          rr.plan.designs.front().name = reader.design().names.front();
      } catch (const std::exception& e) {
        throw ReproduceRefused("the embedded scenario's sweep cannot be rebuilt: " + std::string(e.what()));
      }
    }
  }
  rr.replicates = std::max<std::int64_t>(1, reader.design().replicates);
  for (const OutcomeSpec& o : outcome_table())
    rr.width.push_back(o.per_platform ? reader.schema().platforms.size() : 1);
  rr.records = reader.schema().record_day.size();
  rr.jurisdictions = reader.schema().jurisdictions.size();

  report.difference = rr.sweep ? check_sweep_layout(reader, rr.plan) : check_replicate_layout(reader, rr);
  if (report.difference) return report;

  const std::vector<std::int64_t> runs = reader.run();
  const std::int64_t total = rr.sweep ? rr.plan.n_runs_total : static_cast<std::int64_t>(rr.scenarios.size()) * rr.replicates;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (runs[i] < 0 || runs[i] >= total) {
      report.difference = ReproduceDifference{static_cast<std::int64_t>(i), runs[i], "/runs/run", std::to_string(runs[i]),
                                              "a run index in 0.." + std::to_string(total - 1)};
      return report;
    }

  report.rows = select_rows(report.file_runs, opt.sample_runs, opt.sample_seed, report.sampled);
  if (opt.on_start) opt.on_start(static_cast<std::int64_t>(report.rows.size()));
  // Batches of rows in order: memory bounded by one batch of results, and
  // the first difference reported is the first in row order.
  const auto batch = static_cast<std::size_t>(std::max(2, 2 * tbb::this_task_arena::max_concurrency()));
  std::vector<io::RunRecord> now;
  for (std::size_t first = 0; first < report.rows.size(); first += batch) {
    const std::size_t n = std::min(batch, report.rows.size() - first);
    now.assign(n, io::RunRecord{});
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
      now[i] = rr.expected(runs[static_cast<std::size_t>(report.rows[first + i])], opt.cancel);
      if (opt.on_run) opt.on_run();
    });
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t row = report.rows[first + i];
      const io::RunRecord stored = reader.read_row(row);
      if (auto d = compare_row(row, stored, now[i], reader.schema())) {
        report.difference = std::move(d);
        return report;
      }
      ++report.identical;
    }
  }
  return report;
}

}  // namespace complysim
