// complysim — `complysim analyze` tables (see analyze.hpp).
#include "complysim/analysis/analyze.hpp"

#include "complysim/io/results_file.hpp"
#include "complysim/core/outcomes.hpp"
#include "complysim/simulation/outcome_range.hpp"
#include "scenario/fields.hpp"  // detail::did_you_mean

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace complysim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The outcome columns a selection names, in file order.
std::vector<OutcomeColumn> select_columns(const io::ResultsSchema& schema, const std::vector<std::string>& wanted) {
  std::vector<OutcomeColumn> all;
  std::vector<std::string> names;
  for (const auto& spec : outcome_table()) {
    names.emplace_back(spec.name);
    const auto width = io::outcome_width(spec, schema);
    for (std::int64_t p = 0; p < width; ++p) {
      OutcomeColumn c;
      c.outcome = std::string(spec.name);
      c.platform = p;
      c.label = spec.per_platform ? c.outcome + "[" + schema.platforms[static_cast<std::size_t>(p)] + "]" : c.outcome;
      c.unit = std::string(spec.unit);
      all.push_back(std::move(c));
    }
  }
  if (wanted.empty()) return all;
  std::vector<std::string> candidates = names;
  for (const auto& c : all)
    if (c.label != c.outcome) candidates.push_back(c.label);
  std::vector<bool> take(all.size(), false);
  for (const auto& w : wanted) {
    bool found = false;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].outcome == w || all[i].label == w) {
        take[i] = true;
        found = true;
      }
    }
    if (!found)
      throw AnalysisError("unknown outcome '" + w + "'" + detail::did_you_mean(w, candidates) +
                          " (see docs/output-format.md; a per-platform column is NAME[PLATFORM])");
  }
  std::vector<OutcomeColumn> out;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (take[i]) out.push_back(all[i]);
  return out;
}

/// Row positions of the runs by (design, sample, replicate): index
/// (design * samples + sample) * replicates + replicate -> row of /runs, or -1.
struct RunMap {
  std::int64_t designs = 1, samples = 1, replicates = 1;
  std::vector<std::int64_t> row;
  std::int64_t at(std::int64_t g, std::int64_t s, std::int64_t r) const {
    return row[static_cast<std::size_t>((g * samples + s) * replicates + r)];
  }
};

RunMap map_runs(const io::ResultsReader& reader, std::int64_t designs, std::int64_t samples, std::int64_t replicates) {
  RunMap m;
  m.designs = designs;
  m.samples = samples;
  m.replicates = replicates;
  m.row.assign(static_cast<std::size_t>(designs * samples * replicates), -1);
  const auto point = reader.point(), rep = reader.replicate(), des = reader.design_index();
  for (std::size_t i = 0; i < point.size(); ++i) {
    if (des[i] < 0 || des[i] >= designs || point[i] < 0 || point[i] >= samples || rep[i] < 0 || rep[i] >= replicates)
      throw AnalysisError("run " + std::to_string(i) + " has (design, point, replicate) = (" + std::to_string(des[i]) +
                          ", " + std::to_string(point[i]) + ", " + std::to_string(rep[i]) +
                          ") outside the file's design (" + std::to_string(designs) + " designs, " +
                          std::to_string(samples) + " samples, " + std::to_string(replicates) + " replicates)");
    auto& slot = m.row[static_cast<std::size_t>((des[i] * samples + point[i]) * replicates + rep[i])];
    if (slot >= 0)
      throw AnalysisError("runs " + std::to_string(slot) + " and " + std::to_string(i) +
                          " have the same (design, point, replicate) = (" + std::to_string(des[i]) + ", " +
                          std::to_string(point[i]) + ", " + std::to_string(rep[i]) + ")");
    slot = static_cast<std::int64_t>(i);
  }
  return m;
}

/// Value of each run (row of /runs) for one column: NaN unless status is ok.
std::vector<double> run_values(const Eigen::MatrixXd& outcome, std::int64_t column, const std::vector<RunStatus>& status) {
  std::vector<double> v(status.size(), kNaN);
  for (std::size_t i = 0; i < status.size(); ++i)
    if (status[i] == RunStatus::Ok) v[i] = outcome(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(column));
  return v;
}

double value_at(const std::vector<double>& v, std::int64_t row) {
  return row < 0 ? kNaN : v[static_cast<std::size_t>(row)];
}

/// Saltelli row order: the sample rows of block 0 (A), 1 (B), 2 + i (AB_i), each ascending.
std::vector<std::int64_t> saltelli_order(const io::DesignInfo& d) {
  const auto N = d.sobol_base_samples;
  const auto dims = static_cast<std::int64_t>(d.parameters.size());
  const auto samples = static_cast<std::int64_t>(d.samples.rows());
  if (N < 1 || samples != N * (dims + 2) || static_cast<std::int64_t>(d.block.size()) != samples)
    throw AnalysisError("the sobol design is inconsistent: " + std::to_string(samples) + " samples, " +
                        std::to_string(dims) + " parameters, base size N = " + std::to_string(N) +
                        " (expected samples = N (d + 2) and one block id per sample)");
  std::vector<std::int64_t> order;
  order.reserve(static_cast<std::size_t>(samples));
  for (std::int64_t b = 0; b < dims + 2; ++b) {
    std::int64_t count = 0;
    for (std::int64_t s = 0; s < samples; ++s)
      if (d.block[static_cast<std::size_t>(s)] == b) {
        order.push_back(s);
        ++count;
      }
    if (count != N)
      throw AnalysisError("the sobol design is inconsistent: block " + std::to_string(b) + " has " +
                          std::to_string(count) + " rows, expected N = " + std::to_string(N));
  }
  return order;
}

/// y minus the mean of its finite values (non-finite entries unchanged).
Eigen::VectorXd center_finite(Eigen::VectorXd y) {
  double sum = 0;
  std::int64_t n = 0;
  for (Eigen::Index k = 0; k < y.size(); ++k)
    if (std::isfinite(y[k])) {
      sum += y[k];
      ++n;
    }
  if (n > 0) y.array() -= sum / static_cast<double>(n);
  return y;
}

}  // namespace

Analysis analyze_results(const io::ResultsReader& reader, const AnalyzeOptions& options, std::string file) {
  if (options.bootstrap < 0) throw AnalysisError("--bootstrap must be >= 0, got " + std::to_string(options.bootstrap));
  if (options.bins < 0) throw AnalysisError("--bins must be >= 0, got " + std::to_string(options.bins));
  if (!(options.level > 0 && options.level < 1)) throw AnalysisError("confidence level must be in (0, 1)");

  const auto& design = reader.design();
  Analysis a;
  a.file = std::move(file);
  a.kind = design.kind;
  a.designs = design.names;
  a.parameters = design.parameters;
  a.samples = static_cast<std::int64_t>(design.samples.rows());
  a.replicates = design.replicates;
  a.bootstrap = options.bootstrap;
  a.seed = options.seed;
  a.level = options.level;
  a.n_runs = reader.n_runs();
  a.columns = select_columns(reader.schema(), options.outcomes);

  const auto G = static_cast<std::int64_t>(design.names.size());
  const auto d = static_cast<std::int64_t>(design.parameters.size());
  const auto R = std::max<std::int64_t>(design.replicates, 1);
  // A "single" file has no sample matrix (or a [0, 0] one) and point 0 for every run.
  const bool sweep = design.kind != "single" && a.samples > 0 && d > 0;
  const std::int64_t S = std::max<std::int64_t>(a.samples, 1);
  if (G < 1) throw AnalysisError("the file names no decree design (/design/names is empty)");
  const RunMap map = map_runs(reader, G, S, R);
  const auto status = reader.status();
  const auto des_idx = reader.design_index();
  a.ok_per_design.assign(static_cast<std::size_t>(G), 0);
  a.runs_per_design.assign(static_cast<std::size_t>(G), 0);
  for (std::size_t i = 0; i < status.size(); ++i) {
    ++a.runs_per_design[static_cast<std::size_t>(des_idx[i])];
    if (status[i] == RunStatus::Ok) {
      ++a.n_ok;
      ++a.ok_per_design[static_cast<std::size_t>(des_idx[i])];
    }
  }

  std::vector<std::int64_t> sobol_order;
  if (sweep && design.kind == "sobol") {
    sobol_order = saltelli_order(design);
    a.sobol_base = design.sobol_base_samples;
  } else if (sweep && (design.kind == "lhs" || design.kind == "file")) {
    // Default: at most 10 bins with at least 8 runs each (fewer bins when needed): a bin
    // of 2 runs gives a zig-zag of noise, not an effect.
    // Bins hold whole samples (replicates share x), so: ceil(8 / R) samples per bin.
    const std::int64_t per_bin = (8 + R - 1) / R;
    a.bins = options.bins > 0 ? options.bins : std::max<std::int64_t>(1, std::min<std::int64_t>(10, a.samples / per_bin));
    if (a.bins > a.samples)
      throw AnalysisError("--bins " + std::to_string(a.bins) + " exceeds the " + std::to_string(a.samples) + " samples");
  } else if (sweep && design.kind != "grid") {
    throw AnalysisError("unknown design kind '" + design.kind + "' (expected single, grid, lhs, sobol or file)");
  }
  if (!sweep) {
    if (design.kind == "single")
      a.notes.push_back("a single scenario (complysim run): no swept parameters, nothing to decompose; "
                        "run a [sweep] with complysim sweep for Sobol indices or main effects");
    else
      a.notes.push_back("a '" + design.kind + "' design without swept parameters: nothing to decompose");
  }

  std::string last_outcome;
  Eigen::MatrixXd outcome;
  for (const auto& col : a.columns) {
    if (col.outcome != last_outcome) {
      outcome = reader.read_outcome(col.outcome);
      last_outcome = col.outcome;
    }
    const auto v = run_values(outcome, col.platform, status);

    const OutcomeRange range = outcome_range(col.outcome);
    {  // Mean of every design (single files: the result; sweeps: over the sampled parameters).
      for (std::int64_t g = 0; g < G; ++g) {
        std::vector<double> y;
        for (std::size_t i = 0; i < v.size(); ++i)
          if (des_idx[i] == g) y.push_back(v[i]);
        SummaryResult s;
        s.design = g;
        s.column = col;
        s.ci = mean_ci(Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())), options.level);
        s.ci.ci_lo = range.clip(s.ci.ci_lo);  // a share's interval stays in [0, 1], as `run` prints it
        s.ci.ci_hi = range.clip(s.ci.ci_hi);
        a.summaries.push_back(std::move(s));
      }
    }

    for (std::int64_t g = 0; sweep && g < G; ++g) {
      if (design.kind == "sobol") {
        // Replicates averaged per sample (NaN when a sample has no finite replicate),
        // then the samples put in Saltelli block order.
        Eigen::VectorXd runs_y(S * R);
        for (std::int64_t s = 0; s < S; ++s)
          for (std::int64_t r = 0; r < R; ++r) runs_y[s * R + r] = value_at(v, map.at(g, s, r));
        const Eigen::VectorXd per_sample = replicate_means(runs_y, S, R);
        Eigen::VectorXd y(S);
        for (std::int64_t k = 0; k < S; ++k) y[k] = per_sample[sobol_order[static_cast<std::size_t>(k)]];
        // Centred on the mean of its finite values: the first-order estimator
        // mean f(B) (f(AB_i) - f(A)) is unbiased for any shift of f, but its variance
        // grows with the mean squared (an outcome such as revenue, far from 0, would
        // get wide intervals); centring makes the estimate shift invariant, as SALib does.
        y = center_finite(y);
        SobolResult res;
        res.design = g;
        res.column = col;
        res.indices = sobol_indices(y, a.sobol_base, d, options.bootstrap, options.seed, options.level);
        res.indices.names = design.parameters;
        // Runs behind the estimate: finite runs of every block of each used base row.
        const auto N = a.sobol_base;
        for (std::int64_t j = 0; j < N; ++j) {
          bool used = true;
          for (std::int64_t b = 0; b < d + 2; ++b) used = used && std::isfinite(y[b * N + j]);
          if (!used) continue;
          for (std::int64_t b = 0; b < d + 2; ++b) {
            const auto s = sobol_order[static_cast<std::size_t>(b * N + j)];
            for (std::int64_t r = 0; r < R; ++r) res.runs_used += std::isfinite(runs_y[s * R + r]) ? 1 : 0;
          }
        }
        // Convergence check: the same estimators on the first N/2 base rows of every
        // block (a prefix of a Sobol' sequence is itself well spread).
        const std::int64_t H = N / 2;
        if (H >= 2) {
          Eigen::VectorXd yh(H * (d + 2));
          for (std::int64_t b = 0; b < d + 2; ++b) yh.segment(b * H, H) = y.segment(b * N, H);
          res.half = sobol_indices(center_finite(yh), H, d, 0, options.seed, options.level);
        } else {
          res.half.first = res.half.total = Eigen::VectorXd::Constant(d, kNaN);
        }
        res.half.names = design.parameters;
        // (Nearly) constant outcome: the runs of this design that differ from the most common value.
        {
          std::vector<double> vg;
          for (std::size_t i = 0; i < v.size(); ++i)
            if (des_idx[i] == g && std::isfinite(v[i])) vg.push_back(v[i]);
          res.finite = static_cast<std::int64_t>(vg.size());
          res.differing =
              count_differing(Eigen::Map<const Eigen::VectorXd>(vg.data(), static_cast<Eigen::Index>(vg.size())));
        }
        res.remarks.assign(static_cast<std::size_t>(d), "");
        if (res.indices.n_used < 2) {
          res.remark = "fewer than 2 base rows";
        } else if (!std::isfinite(res.indices.first[0]) || res.differing == 0) {
          res.remark = "constant outcome";
        } else if (res.differing * 20 < res.finite) {
          res.remark = std::to_string(res.differing) + " of " + std::to_string(res.finite) + " runs differ: no index";
        }
        if (!res.remark.empty()) {
          // Nothing to decompose: no index is shown, so none can be read as a finding.
          for (auto* vec : {&res.indices.first, &res.indices.total, &res.indices.first_lo, &res.indices.first_hi,
                            &res.indices.total_lo, &res.indices.total_hi})
            vec->setConstant(d, kNaN);
        } else {
          for (std::int64_t i = 0; i < d; ++i)
            res.remarks[static_cast<std::size_t>(i)] = sobol_remark(res.indices, i, H >= 2 ? &res.half : nullptr);
        }
        a.sobol.push_back(std::move(res));
      } else {
        for (std::int64_t j = 0; j < d; ++j) {
          std::vector<double> x, y;
          for (std::int64_t s = 0; s < S; ++s)
            for (std::int64_t r = 0; r < R; ++r) {
              const auto row = map.at(g, s, r);
              if (row < 0) continue;
              x.push_back(design.samples(s, j));
              y.push_back(v[static_cast<std::size_t>(row)]);
            }
          const Eigen::Map<const Eigen::VectorXd> xv(x.data(), static_cast<Eigen::Index>(x.size()));
          const Eigen::Map<const Eigen::VectorXd> yv(y.data(), static_cast<Eigen::Index>(y.size()));
          MainEffectResult res;
          res.design = g;
          res.column = col;
          res.binned = design.kind == "lhs" || design.kind == "file";
          const auto& name = design.parameters[static_cast<std::size_t>(j)];
          res.effect = res.binned ? binned_main_effect(xv, yv, a.bins, name, options.level)
                                  : grid_main_effect(xv, yv, name, options.level);
          for (auto n : res.effect.n) res.runs_used += n;
          for (auto& lo : res.effect.ci_lo) lo = range.clip(lo);
          for (auto& hi : res.effect.ci_hi) hi = range.clip(hi);
          a.main_effects.push_back(std::move(res));
        }
      }
    }

    // Paired comparison against design 0: the same (point, replicate) under both.
    for (std::int64_t g = 1; g < G; ++g) {
      Eigen::VectorXd ref(S * R), cmp(S * R);
      for (std::int64_t s = 0; s < S; ++s)
        for (std::int64_t r = 0; r < R; ++r) {
          ref[s * R + r] = value_at(v, map.at(0, s, r));
          cmp[s * R + r] = value_at(v, map.at(g, s, r));
        }
      PairedResult p;
      p.design = g;
      p.column = col;
      p.diff = paired_difference(ref, cmp, options.level);
      double sa = 0, sb = 0;
      std::int64_t n = 0;
      for (Eigen::Index k = 0; k < ref.size(); ++k)
        if (std::isfinite(ref[k]) && std::isfinite(cmp[k])) {
          sa += ref[k];
          sb += cmp[k];
          ++n;
        }
      p.reference_mean = n ? sa / static_cast<double>(n) : kNaN;
      p.design_mean = n ? sb / static_cast<double>(n) : kNaN;
      p.runs_used = 2 * p.diff.n;
      a.paired.push_back(std::move(p));
    }
  }
  // Design-major order for printing (the loop above is column-major).
  auto by_design = [](const auto& x, const auto& y) { return x.design < y.design; };
  std::stable_sort(a.summaries.begin(), a.summaries.end(), by_design);
  std::stable_sort(a.sobol.begin(), a.sobol.end(), by_design);
  std::stable_sort(a.main_effects.begin(), a.main_effects.end(), by_design);
  std::stable_sort(a.paired.begin(), a.paired.end(), by_design);
  if (a.kind == "sobol" && sweep) {
    a.sobol_widest.assign(static_cast<std::size_t>(G), kNaN);
    a.sobol_widest_at.assign(static_cast<std::size_t>(G), "");
    a.sobol_recommended_n.assign(static_cast<std::size_t>(G), a.sobol_base);
    for (const auto& r : a.sobol) {
      const auto gi = static_cast<std::size_t>(r.design);
      const auto& x = r.indices;
      for (Eigen::Index k = 0; k < x.first.size(); ++k) {
        const double wf = x.first_hi[k] - x.first_lo[k], wt = x.total_hi[k] - x.total_lo[k];
        for (const auto& [w, which] : {std::pair{wf, "S1"}, std::pair{wt, "ST"}}) {
          if (!std::isfinite(w)) continue;
          if (!(w <= a.sobol_widest[gi])) {
            a.sobol_widest[gi] = w;
            a.sobol_widest_at[gi] = r.column.label + " / " + x.names[static_cast<std::size_t>(k)] + " " + which;
          }
        }
      }
    }
    a.sobol_median_width.assign(static_cast<std::size_t>(G), kNaN);
    for (std::int64_t g = 0; g < G; ++g) {
      std::vector<double> w;
      for (const auto& r : a.sobol)
        if (r.design == g)
          for (Eigen::Index k = 0; k < r.indices.first.size(); ++k)
            for (double x : {r.indices.first_hi[k] - r.indices.first_lo[k], r.indices.total_hi[k] - r.indices.total_lo[k]})
              if (std::isfinite(x)) w.push_back(x);
      if (w.empty()) continue;
      std::sort(w.begin(), w.end());
      a.sobol_median_width[static_cast<std::size_t>(g)] = w[w.size() / 2];
    }
    for (std::size_t gi = 0; gi < a.sobol_widest.size(); ++gi)
      a.sobol_recommended_n[gi] = recommended_sobol_n(std::max<std::int64_t>(a.sobol_base, 1), a.sobol_widest[gi]);
  }
  return a;
}

Analysis analyze_file(const std::filesystem::path& path, const AnalyzeOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw AnalysisError("no such file '" + path.string() + "'");
  if (std::filesystem::is_directory(path, ec))
    throw AnalysisError("'" + path.string() + "' is a directory, not a results file");
  const io::ResultsReader reader(path);
  return analyze_results(reader, options, path.string());
}

// ============================================================================
// Formatting
// ============================================================================

namespace {

std::string fmt(const char* spec, double x) {
  if (!std::isfinite(x)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}
std::string num(double x) { return fmt("%.4g", x); }
std::string index_text(double x) { return fmt("%.3f", x); }
std::string interval(double lo, double hi, std::string (*f)(double)) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "n/a";
  return "[" + f(lo) + ", " + f(hi) + "]";
}
/// Full precision for CSV (round-trips), empty for NaN.
std::string csv_num(double x) {
  if (!std::isfinite(x)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}
std::string percent(double level) { return fmt("%g", 100 * level) + "%"; }

/// Widest plain-text line of `complysim analyze` without --wide.
constexpr std::size_t kTableWidth = 100;

std::vector<std::string> wrap(const std::string& text, std::size_t indent);

/// A table to print: a heading, a "runs:" line, a header and rows.
struct TextTable {
  std::string title;
  std::string about;  ///< what the columns are (may be empty)
  std::string runs;
  std::vector<std::string> header;
  std::vector<bool> right;  ///< right-aligned columns (numbers)
  std::size_t group = 0;    ///< leading columns blanked when repeated (plain table only)
  std::vector<std::vector<std::string>> rows;
};

void render(std::ostream& out, const TextTable& t, AnalysisFormat f, bool wide = false) {
  if (f == AnalysisFormat::Markdown) {
    out << "### " << md_escape(t.title) << "\n\n";
    if (!t.about.empty()) out << md_escape(t.about) << "\n";
    if (!t.runs.empty()) out << md_escape(t.runs) << "\n";
    out << "\n|";
    for (const auto& h : t.header) out << ' ' << md_escape(h) << " |";
    out << "\n|";
    for (std::size_t c = 0; c < t.header.size(); ++c) out << (t.right[c] ? "---:|" : "---|");
    out << "\n";
    for (const auto& r : t.rows) {
      out << "|";
      for (const auto& cell : r) out << ' ' << md_escape(cell) << " |";
      out << "\n";
    }
    out << "\n";
    return;
  }
  // Plain table. Unless `wide`, the leading `group` columns become heading lines
  // (indented by level) and a last text column that would pass kTableWidth goes on
  // a line of its own, so the table fits 100 columns.
  const std::size_t lead = wide ? 0 : t.group;
  const std::size_t indent = 2 * lead;
  const std::size_t ncol = t.header.size();
  std::vector<std::size_t> w(ncol, 0);
  for (std::size_t c = lead; c < ncol; ++c) {
    w[c] = t.header[c].size();
    for (const auto& r : t.rows) w[c] = std::max(w[c], r[c].size());
  }
  std::size_t body = indent;
  for (std::size_t c = lead; c + 1 < ncol; ++c) body += w[c] + 2;
  const bool wrap_last = !wide && ncol > lead + 1 && !t.right[ncol - 1] && body + w[ncol - 1] > kTableWidth;
  if (wrap_last) w[ncol - 1] = t.header[ncol - 1].size();
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string s(indent, ' ');
    std::string tail;
    for (std::size_t c = lead; c < ncol; ++c) {
      std::string cell = cells[c];
      const std::size_t sep = c > lead ? 2 : 0;  // the two spaces before this cell
      if (c + 1 == ncol && wrap_last && !header && s.size() + sep + cell.size() > kTableWidth) {
        tail = cell;
        cell.clear();
      }
      const std::string padding(w[c] - std::min(w[c], cell.size()), ' ');
      cell = t.right[c] ? padding + cell : cell + padding;
      s += (c > lead ? "  " : "") + cell;
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
    if (!tail.empty()) out << std::string(indent + 4, ' ') << "^ " << tail << "\n";
  };
  out << "== " << t.title << " ==\n";
  for (const std::string* text : {&t.about, &t.runs}) {
    std::istringstream in(*text);
    for (std::string l; std::getline(in, l);)
      for (const auto& piece : wide ? std::vector<std::string>{l} : wrap(l, 4)) out << piece << "\n";
  }
  out << "\n";
  line(t.header, true);
  std::size_t total = indent;
  for (std::size_t c = lead; c < ncol; ++c) total += w[c] + 2;
  out << std::string(std::min<std::size_t>(total > 2 ? total - 2 : 0, kTableWidth), '-') << "\n";
  const std::vector<std::string>* prev = nullptr;
  for (const auto& r : t.rows) {
    auto cells = r;
    if (lead > 0) {
      bool changed = prev == nullptr;
      for (std::size_t c = 0; c < lead; ++c) {
        changed = changed || (*prev)[c] != r[c];
        if (changed && !r[c].empty()) out << std::string(2 * c, ' ') << r[c] << "\n";
      }
    } else {
      for (std::size_t c = 0; c < t.group && prev; ++c) {
        if ((*prev)[c] != r[c]) break;
        cells[c].clear();
      }
    }
    line(cells, false);
    prev = &r;
  }
  out << "\n";
}

std::string runs_line(const Analysis& a, std::int64_t g) {
  const auto gi = static_cast<std::size_t>(g);
  const auto ok = a.ok_per_design[gi], all = a.runs_per_design[gi];
  std::string s = "runs: " + std::to_string(all) + " in the file for this design, " + std::to_string(ok) + " ok";
  if (ok < all) s += " (" + std::to_string(all - ok) + " failed or missing, dropped)";
  return s;
}

std::string design_label(const Analysis& a, std::int64_t g) { return a.designs[static_cast<std::size_t>(g)]; }

void csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << csv_field(cells[c]);
  out << "\n";
}

std::string format_csv(const Analysis& a) {
  std::ostringstream out;
  csv_row(out, {"analysis", "design", "reference", "outcome", "unit", "parameter", "level", "bin_lo", "bin_hi",
                "statistic", "estimate", "ci_lo", "ci_hi", "n", "runs_used"});
  for (const auto& s : a.summaries)
    csv_row(out, {"summary", design_label(a, s.design), "", s.column.label, s.column.unit, "", "", "", "", "mean",
                  csv_num(s.ci.mean), csv_num(s.ci.ci_lo), csv_num(s.ci.ci_hi), std::to_string(s.ci.n),
                  std::to_string(s.ci.n)});
  for (const auto& s : a.sobol) {
    const auto& x = s.indices;
    for (std::size_t i = 0; i < x.names.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      csv_row(out, {"sobol", design_label(a, s.design), "", s.column.label, s.column.unit, x.names[i], "", "", "", "first",
                    csv_num(x.first[k]), csv_num(x.first_lo[k]), csv_num(x.first_hi[k]), std::to_string(x.n_used),
                    std::to_string(s.runs_used)});
      csv_row(out, {"sobol", design_label(a, s.design), "", s.column.label, s.column.unit, x.names[i], "", "", "", "total",
                    csv_num(x.total[k]), csv_num(x.total_lo[k]), csv_num(x.total_hi[k]), std::to_string(x.n_used),
                    std::to_string(s.runs_used)});
    }
  }
  for (const auto& m : a.main_effects) {
    const auto& e = m.effect;
    for (std::size_t k = 0; k < e.mean.size(); ++k)
      csv_row(out, {"main_effect", design_label(a, m.design), "", m.column.label, m.column.unit, e.param,
                    m.binned ? "" : csv_num(e.level[k]), m.binned ? csv_num(e.lo_edge[k]) : "",
                    m.binned ? csv_num(e.hi_edge[k]) : "", "mean", csv_num(e.mean[k]), csv_num(e.ci_lo[k]),
                    csv_num(e.ci_hi[k]), std::to_string(e.n[k]), std::to_string(e.n[k])});
  }
  for (const auto& p : a.paired)
    csv_row(out, {"paired", design_label(a, p.design), design_label(a, 0), p.column.label, p.column.unit, "", "", "", "",
                  "difference", csv_num(p.diff.mean), csv_num(p.diff.ci_lo), csv_num(p.diff.ci_hi),
                  std::to_string(p.diff.n), std::to_string(p.runs_used)});
  return out.str();
}

}  // namespace

std::optional<AnalysisFormat> parse_analysis_format(std::string_view name) {
  if (name == "table") return AnalysisFormat::Table;
  if (name == "markdown") return AnalysisFormat::Markdown;
  if (name == "csv") return AnalysisFormat::Csv;
  return std::nullopt;
}

std::optional<AnalysisSection> parse_analysis_section(std::string_view name) {
  if (name == "overview") return AnalysisSection::Overview;
  if (name == "summary") return AnalysisSection::Summary;
  if (name == "comparisons") return AnalysisSection::Comparisons;
  if (name == "indices") return AnalysisSection::Indices;
  if (name == "effects") return AnalysisSection::Effects;
  if (name == "all") return AnalysisSection::All;
  return std::nullopt;
}

namespace {

/// `text` broken at spaces into lines of at most kTableWidth characters, every line
/// after the first indented by `indent` spaces.
std::vector<std::string> wrap(const std::string& text, std::size_t indent) {
  std::vector<std::string> lines;
  std::string cur;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    const std::size_t lead = lines.empty() ? 0 : indent;
    if (!cur.empty() && lead + cur.size() + 1 + word.size() > kTableWidth) {
      lines.push_back(std::string(lead, ' ') + cur);
      cur.clear();
    }
    cur += (cur.empty() ? "" : " ") + word;
  }
  if (!cur.empty()) lines.push_back(std::string(lines.empty() ? 0 : indent, ' ') + cur);
  return lines;
}

/// Row label of a column in the overview: the outcome for a scalar outcome; for a
/// per-platform outcome the outcome is a heading (group column) and the row is the platform.
std::pair<std::string, std::string> split_label(const OutcomeColumn& c) {
  if (c.label == c.outcome) return {"", c.outcome};
  return {c.outcome + " (" + c.unit + ")", "  " + c.label.substr(c.outcome.size())};
}

const SummaryResult* find_summary(const Analysis& a, std::int64_t g, const OutcomeColumn& c) {
  for (const auto& r : a.summaries)
    if (r.design == g && r.column.label == c.label) return &r;
  return nullptr;
}
const PairedResult* find_paired(const Analysis& a, std::int64_t g, const OutcomeColumn& c) {
  for (const auto& r : a.paired)
    if (r.design == g && r.column.label == c.label) return &r;
  return nullptr;
}

std::string difference_text(const PairedDiff& d) {
  if (d.n == 0) return "not defined";
  std::string s = num(d.mean);
  if (std::isfinite(d.ci_lo) && (d.ci_lo > 0 || d.ci_hi < 0)) s += " *";
  return s;
}

}  // namespace

std::string format_analysis(const Analysis& a, AnalysisFormat f, const AnalysisView& view) {
  const AnalysisSection sec = view.section;
  auto want = [&](AnalysisSection x) { return sec == x || sec == AnalysisSection::All; };
  if (f == AnalysisFormat::Csv) {
    if (sec == AnalysisSection::Overview || sec == AnalysisSection::All) return format_csv(a);
    Analysis b = a;
    if (sec != AnalysisSection::Summary) b.summaries.clear();
    if (sec != AnalysisSection::Indices) b.sobol.clear();
    if (sec != AnalysisSection::Effects) b.main_effects.clear();
    if (sec != AnalysisSection::Comparisons) b.paired.clear();
    return format_csv(b);
  }
  std::ostringstream out;
  const std::string ci = percent(a.level) + " CI";
  const auto G = static_cast<std::int64_t>(a.designs.size());
  // Heading: what the file is.
  {
    std::vector<std::string> lines;
    lines.push_back("file: " + a.file);
    std::string design = "design: " + a.kind;
    if (a.kind == "sobol") design += ", N = " + std::to_string(a.sobol_base) + " base samples";
    if (a.kind != "single") design += ", " + std::to_string(a.samples) + " samples";
    design += " x " + std::to_string(a.replicates) + " replicate" + (a.replicates > 1 ? "s" : "");
    lines.push_back(design);
    if (!a.parameters.empty()) {
      std::string params = "swept parameters: ";
      for (std::size_t i = 0; i < a.parameters.size(); ++i) params += (i ? ", " : "") + a.parameters[i];
      lines.push_back(params);
    }
    std::string designs = "decree designs: ";
    for (std::size_t g = 0; g < a.designs.size(); ++g) designs += (g ? ", " : "") + a.designs[g];
    lines.push_back(designs);
    lines.push_back("runs: " + std::to_string(a.n_runs) + " in the file, " + std::to_string(a.n_ok) + " ok" +
                    (a.n_ok < a.n_runs ? " (failed and missing runs are dropped)" : ""));
    if (a.kind == "sobol")
      lines.push_back("intervals: " + percent(a.level) + "; Sobol indices: percentile bootstrap, " +
                      std::to_string(a.bootstrap) + " resamples, seed " + std::to_string(a.seed) +
                      "; means: Student t");
    else
      lines.push_back("intervals: " + percent(a.level) + ", Student t");
    for (const auto& n : a.notes) lines.push_back("note: " + n);
    if (f == AnalysisFormat::Markdown) {
      out << "## complysim analyze\n\n";
      for (const auto& l : lines) out << "- " << md_escape(l) << "\n";
      out << "\n";
    } else {
      for (const auto& l : lines)
        for (const auto& w : view.wide ? std::vector<std::string>{l} : wrap(l, 4)) out << w << "\n";
      out << "\n";
    }
  }

  if (sec == AnalysisSection::Overview) {
    const bool sobol = !a.sobol.empty(), effects = !a.main_effects.empty();
    for (std::int64_t g = 0; g < G; ++g) {
      TextTable t;
      t.title = "design " + design_label(a, g) + (G > 1 ? " (" + std::to_string(g + 1) + " of " + std::to_string(G) + ")" : "");
      t.runs = runs_line(a, g);
      t.group = 1;
      const bool cmp = g > 0;
      bool undefined = false;
      if (cmp) {
        t.title += " against " + design_label(a, 0);
        t.about = "reference: " + design_label(a, 0) + ", design: " + design_label(a, g) +
                  ", means over ok runs; change: paired difference (runs paired by point and replicate: common "
                  "random numbers), * where its " + ci + " excludes 0; units in the first table";
        t.header = {"", "outcome", "reference", "design", "change", ci};
        t.right = {false, false, true, true, true, false};
      } else {
        t.about = "mean and " + ci + " over ok runs" + (a.samples > 1 ? " (across the sampled parameters)" : "");
        t.header = {"", "outcome", "unit", "mean", ci};
        t.right = {false, false, false, true, false};
      }
      for (const auto& c : a.columns) {
        const auto [head, row] = split_label(c);
        const std::string unit = head.empty() ? c.unit : "";
        auto level = [&](std::int64_t design) {
          const auto* r = find_summary(a, design, c);
          if (r && r->ci.n == 0) undefined = true;
          return !r ? std::string("n/a") : r->ci.n ? num(r->ci.mean) : std::string("not defined");
        };
        if (cmp) {
          const auto* p = find_paired(a, g, c);
          if (!p) continue;
          std::string change = difference_text(p->diff);
          const auto* r0 = find_summary(a, 0, c);
          const auto* rg = find_summary(a, g, c);
          if (p->diff.n > 0 && r0 && rg && p->diff.n < std::min(r0->ci.n, rg->ci.n))
            change += " (n=" + std::to_string(p->diff.n) + " pairs)";
          t.rows.push_back({head, row, level(0), level(g), change,
                            p->diff.n > 1 ? interval(p->diff.ci_lo, p->diff.ci_hi, num) : "n/a"});
        } else {
          const auto* r = find_summary(a, g, c);
          if (!r) continue;
          t.rows.push_back({head, row, unit, level(g), r->ci.n > 1 ? interval(r->ci.ci_lo, r->ci.ci_hi, num) : "n/a"});
        }
      }
      if (f == AnalysisFormat::Markdown)
        for (auto& r : t.rows)
          if (!r[0].empty()) r[1] = r[0].substr(0, r[0].find(' ')) + r[1].substr(2);
      if (f == AnalysisFormat::Markdown) {
        t.group = 0;
        for (auto& r : t.rows) r.erase(r.begin());
        t.header.erase(t.header.begin());
        t.right.erase(t.right.begin());
      }
      if (!t.rows.empty()) render(out, t, f, view.wide);
      if (undefined)
        for (const auto& w : wrap("not defined: a rate whose denominator is zero in every run of the design (for "
                                  "example no takedown request was sent, so no compliance rate exists)",
                                  4))
          out << w << "\n";
      if (undefined) out << "\n";

      // The strongest parameters of this design.
      std::vector<std::tuple<double, std::string>> top;
      if (sobol) {
        for (const auto& r : a.sobol) {
          if (r.design != g) continue;
          for (Eigen::Index k = 0; k < r.indices.total.size(); ++k) {
            const double st = r.indices.total[k];
            if (!std::isfinite(st)) continue;
            const auto& rem = r.remarks[static_cast<std::size_t>(k)];
            top.emplace_back(st,  // ranked by the estimate; a noisy one says so in its remark
                             "ST " + index_text(st) + " " + interval(r.indices.total_lo[k], r.indices.total_hi[k], index_text) +
                                 "  " + r.indices.names[static_cast<std::size_t>(k)] + " -> " + r.column.label +
                                 (rem.empty() ? "" : "  (" + rem + ")"));
          }
        }
      } else if (effects) {
        for (const auto& r : a.main_effects) {
          if (r.design != g) continue;
          const auto* sm = find_summary(a, g, r.column);
          const double sd = sm ? sm->ci.sd : kNaN;
          double lo = kNaN, hi = kNaN;
          for (double m : r.effect.mean)
            if (std::isfinite(m)) {
              lo = std::isfinite(lo) ? std::min(lo, m) : m;
              hi = std::isfinite(hi) ? std::max(hi, m) : m;
            }
          if (!std::isfinite(lo) || !(sd > 0)) continue;
          top.emplace_back((hi - lo) / sd, fmt("%.2f sd", (hi - lo) / sd) + "  " + r.effect.param + " -> " +
                                               r.column.label + " (" + num(lo) + " to " + num(hi) + ")");
        }
      }
      if (!top.empty()) {
        std::stable_sort(top.begin(), top.end(), [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
        const std::size_t shown = std::min<std::size_t>(top.size(), 5);
        std::vector<std::string> lines;
        lines.push_back(sobol ? "strongest parameters (total-order Sobol index, " + ci + "):"
                              : std::string("strongest main effects (range of the ") +
                                    (a.kind == "lhs" || a.kind == "file" ? "bin" : "level") + " means, in sd of the outcome across runs):");
        for (std::size_t k = 0; k < shown; ++k) lines.push_back("  " + std::get<1>(top[k]));
        for (const auto& l : lines) {
          if (f == AnalysisFormat::Markdown) out << (l[0] == ' ' ? "- " + md_escape(l.substr(2)) : md_escape(l)) << "\n";
          else
            for (const auto& w : view.wide ? std::vector<std::string>{l} : wrap(l, 6)) out << w << "\n";
        }
        out << "\n";
      }
      if (sobol && g < static_cast<std::int64_t>(a.sobol_recommended_n.size())) {
        std::int64_t noisy = 0, unconverged = 0, flat = 0;
        for (const auto& r : a.sobol) {
          if (r.design != g) continue;
          flat += r.remark.empty() ? 0 : 1;
          for (const auto& m : r.remarks) {
            noisy += m.find("noise") != std::string::npos ? 1 : 0;
            unconverged += m.find("not converged") != std::string::npos ? 1 : 0;
          }
        }
        const auto gi = static_cast<std::size_t>(g);
        std::string l = "diagnostics: " + std::to_string(noisy) + " noisy and " + std::to_string(unconverged) +
                        " unconverged (outcome, parameter) pairs; " + std::to_string(flat) +
                        " outcome columns without an index (constant or nearly)";
        for (const auto& w : wrap(l, 4)) out << w << "\n";
        std::string rec;
        if (std::isfinite(a.sobol_widest[gi]) && a.sobol_recommended_n[gi] > a.sobol_base)
          rec = "recommended N: " + std::to_string(a.sobol_recommended_n[gi]) + " (now " + std::to_string(a.sobol_base) +
                "; widest interval " + fmt("%.2f", a.sobol_widest[gi]) + ", " + a.sobol_widest_at[gi] +
                "; widths shrink as 1/sqrt(N), target " + fmt("%.2f", kSobolResolution) + "); N = " +
                std::to_string(recommended_sobol_n(a.sobol_base, a.sobol_median_width[gi])) +
                " would do it for the median interval (" + fmt("%.2f", a.sobol_median_width[gi]) + " wide now)";
        else if (std::isfinite(a.sobol_widest[gi]))
          rec = "N = " + std::to_string(a.sobol_base) + " is enough: every interval is at most " +
                fmt("%.2f", kSobolResolution) + " wide";
        for (const auto& w : wrap(rec, 4)) out << w << "\n";
        out << "\n";
      }
    }
    std::string more = "more: --section summary (means), ";
    if (G > 1) more += "comparisons (every design against " + design_label(a, 0) + "), ";
    if (!a.sobol.empty()) more += "indices (every Sobol index with its remark), ";
    if (!a.main_effects.empty()) more += "effects (every level or bin), ";
    more += "all; --format csv for every number";
    for (const auto& w : wrap(more, 6)) out << w << "\n";
    return out.str();
  }

  for (std::int64_t g = 0; g < G; ++g) {
    if (want(AnalysisSection::Summary)) {
      TextTable s;
      s.title = "Outcomes, design " + design_label(a, g);
      s.about = "mean and " + ci + " over runs; runs: ok runs with a finite value";
      s.runs = runs_line(a, g);
      const bool narrow = f == AnalysisFormat::Table && !view.wide;
      if (narrow) {
        s.header = {"", "outcome", "mean", ci, "runs", "unit"};
        s.right = {false, false, true, false, true, false};
        s.group = 1;
      } else {
        s.header = {"outcome", "unit", "mean", ci, "runs"};
        s.right = {false, false, true, false, true};
      }
      for (const auto& r : a.summaries) {
        if (r.design != g) continue;
        if (narrow) {
          const auto [head, row] = split_label(r.column);
          s.rows.push_back({head, row, num(r.ci.mean), interval(r.ci.ci_lo, r.ci.ci_hi, num), std::to_string(r.ci.n),
                            head.empty() ? r.column.unit : ""});
        } else {
          s.rows.push_back({r.column.label, r.column.unit, num(r.ci.mean), interval(r.ci.ci_lo, r.ci.ci_hi, num),
                            std::to_string(r.ci.n)});
        }
      }
      if (!s.rows.empty()) render(out, s, f, view.wide);
    }

    if (want(AnalysisSection::Indices)) {
      TextTable t;
      t.title = "Sobol indices, design " + design_label(a, g);
      t.about = "S1: first order (Saltelli et al. 2010); ST: total order (Jansen 1999); replicates averaged\n"
                "per sample; N used: base rows (of " + std::to_string(a.sobol_base) +
                ") with every block defined; runs: the runs behind them";
      t.runs = runs_line(a, g);
      t.header = {"outcome", "parameter", "S1", ci, "ST", ci, "N used", "runs", "remark"};
      t.right = {false, false, true, false, true, false, true, true, false};
      t.group = 1;
      for (const auto& r : a.sobol) {
        if (r.design != g) continue;
        const auto& x = r.indices;
        for (std::size_t i = 0; i < x.names.size(); ++i) {
          const auto k = static_cast<Eigen::Index>(i);
          const std::string remark = !r.remark.empty() ? r.remark : r.remarks.size() > i ? r.remarks[i] : "";
          t.rows.push_back({r.column.label, x.names[i], index_text(x.first[k]),
                            interval(x.first_lo[k], x.first_hi[k], index_text), index_text(x.total[k]),
                            interval(x.total_lo[k], x.total_hi[k], index_text), std::to_string(x.n_used),
                            std::to_string(r.runs_used), remark});
        }
      }
      if (!t.rows.empty()) {
        render(out, t, f, view.wide);
        const auto gi = static_cast<std::size_t>(g);
        if (gi < a.sobol_recommended_n.size() && std::isfinite(a.sobol_widest[gi])) {
          const std::string rec =
              a.sobol_recommended_n[gi] > a.sobol_base
                  ? "recommended N: " + std::to_string(a.sobol_recommended_n[gi]) + " (widest interval " +
                        fmt("%.2f", a.sobol_widest[gi]) + ": " + a.sobol_widest_at[gi] + ")"
                  : "N = " + std::to_string(a.sobol_base) + " is enough: every interval is at most " +
                        fmt("%.2f", kSobolResolution) + " wide";
          for (const auto& w : view.wide ? std::vector<std::string>{rec} : wrap(rec, 4)) out << w << "\n";
          out << "\n";
        }
      }
    }

    if (want(AnalysisSection::Effects)) {
      TextTable m;
      const bool binned = a.kind == "lhs" || a.kind == "file";
      m.title = "Main effects, design " + design_label(a, g);
      m.about = "mean and " + ci + " over runs " +
                (binned ? "in each of " + std::to_string(a.bins) + " quantile bins" : "at each grid level") +
                " of each parameter; runs: ok runs with a finite value there";
      m.runs = runs_line(a, g);
      m.header = {"outcome", "parameter", binned ? "bin" : "level", "mean", ci, "runs"};
      m.right = {false, false, !binned, true, false, true};
      m.group = 2;
      for (const auto& r : a.main_effects) {
        if (r.design != g) continue;
        const auto& e = r.effect;
        for (std::size_t k = 0; k < e.mean.size(); ++k) {
          const bool last = k + 1 == e.mean.size();
          const std::string lvl = r.binned ? "[" + num(e.lo_edge[k]) + ", " + num(e.hi_edge[k]) + (last ? "]" : ")")
                                           : fmt("%g", e.level[k]);
          m.rows.push_back({r.column.label + " (" + r.column.unit + ")", e.param, lvl, num(e.mean[k]),
                            interval(e.ci_lo[k], e.ci_hi[k], num), std::to_string(e.n[k])});
        }
      }
      if (!m.rows.empty()) render(out, m, f, view.wide);
    }

    if (want(AnalysisSection::Comparisons)) {
      TextTable p;
      p.title = "Paired comparison, design " + design_label(a, g) + " minus " + design_label(a, 0);
      p.about = "runs paired by (point, replicate): common random numbers; means over the pairs used;\n"
                "pairs: both values finite; runs = 2 x pairs";
      p.runs = runs_line(a, g);
      const bool narrow = f == AnalysisFormat::Table && !view.wide;
      if (narrow) {  // 100 columns: per-platform outcomes as headings, units beside the outcome
        p.header = {"", "outcome", "reference", "design", "difference", ci, "pairs", "unit"};
        p.right = {false, false, true, true, true, false, true, false};
        p.group = 1;
        p.about = "reference: " + design_label(a, 0) + "; runs paired by (point, replicate): common random "
                  "numbers; means over the pairs used; pairs: both values finite (runs = 2 x pairs)";
      } else {
        p.header = {"outcome", "unit", design_label(a, 0), design_label(a, g), "difference", ci, "pairs", "runs"};
        p.right = {false, false, true, true, true, false, true, true};
      }
      for (const auto& r : a.paired) {
        if (r.design != g) continue;
        if (narrow) {
          const auto [head, row] = split_label(r.column);
          p.rows.push_back({head, row, num(r.reference_mean), num(r.design_mean), num(r.diff.mean),
                            interval(r.diff.ci_lo, r.diff.ci_hi, num), std::to_string(r.diff.n),
                            head.empty() ? r.column.unit : ""});
        } else {
          p.rows.push_back({r.column.label, r.column.unit, num(r.reference_mean), num(r.design_mean), num(r.diff.mean),
                            interval(r.diff.ci_lo, r.diff.ci_hi, num), std::to_string(r.diff.n),
                            std::to_string(r.runs_used)});
        }
      }
      if (!p.rows.empty()) render(out, p, f, view.wide);
    }
  }
  return out.str();
}

}  // namespace complysim
