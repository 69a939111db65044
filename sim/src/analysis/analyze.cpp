// complysim — `complysim analyze` tables (see analyze.hpp).
#include "complysim/analysis/analyze.hpp"

#include "complysim/io/results_file.hpp"
#include "complysim/core/outcomes.hpp"
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
    a.bins = options.bins > 0 ? options.bins : std::max<std::int64_t>(1, std::min<std::int64_t>(10, a.samples / 2));
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

    if (!sweep) {
      for (std::int64_t g = 0; g < G; ++g) {
        std::vector<double> y;
        for (std::size_t i = 0; i < v.size(); ++i)
          if (des_idx[i] == g) y.push_back(v[i]);
        SummaryResult s;
        s.design = g;
        s.column = col;
        s.ci = mean_ci(Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())), options.level);
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
        if (res.indices.n_used < 2) res.remark = "fewer than 2 base rows";
        else if (!std::isfinite(res.indices.first[0])) res.remark = "constant outcome";
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

void render(std::ostream& out, const TextTable& t, AnalysisFormat f) {
  if (f == AnalysisFormat::Markdown) {
    out << "### " << md_escape(t.title) << "\n\n";
    if (!t.about.empty()) out << md_escape(t.about) << "\n";
    out << md_escape(t.runs) << "\n\n|";
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
  std::vector<std::size_t> w(t.header.size());
  for (std::size_t c = 0; c < w.size(); ++c) {
    w[c] = t.header[c].size();
    for (const auto& r : t.rows) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string cell = cells[c];
      const std::string padding(w[c] - std::min(w[c], cell.size()), ' ');
      cell = t.right[c] ? padding + cell : cell + padding;
      s += (c ? "  " : "") + cell;
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  out << "== " << t.title << " ==\n";
  if (!t.about.empty()) out << t.about << "\n";
  out << t.runs << "\n\n";
  line(t.header);
  std::size_t total = 0;
  for (auto x : w) total += x + 2;
  out << std::string(total > 2 ? total - 2 : 0, '-') << "\n";
  const std::vector<std::string>* prev = nullptr;
  for (const auto& r : t.rows) {
    auto cells = r;
    for (std::size_t c = 0; c < t.group && prev; ++c) {
      if ((*prev)[c] != r[c]) break;
      cells[c].clear();
    }
    line(cells);
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

std::string format_analysis(const Analysis& a, AnalysisFormat f) {
  if (f == AnalysisFormat::Csv) return format_csv(a);
  std::ostringstream out;
  const std::string ci = percent(a.level) + " CI";
  // Heading: what the file is.
  {
    std::vector<std::string> lines;
    lines.push_back("file: " + a.file);
    std::string design = "design: " + a.kind;
    if (!a.parameters.empty()) {
      design += ", " + std::to_string(a.parameters.size()) + " parameter" + (a.parameters.size() > 1 ? "s" : "") + " (";
      for (std::size_t i = 0; i < a.parameters.size(); ++i) design += (i ? ", " : "") + a.parameters[i];
      design += ")";
    }
    if (a.kind == "sobol") design += ", N = " + std::to_string(a.sobol_base) + " base samples";
    if (a.kind != "single") design += ", " + std::to_string(a.samples) + " samples";
    design += " x " + std::to_string(a.replicates) + " replicate" + (a.replicates > 1 ? "s" : "");
    lines.push_back(design);
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
      for (const auto& l : lines) out << l << "\n";
      out << "\n";
    }
  }

  for (std::int64_t g = 0; g < static_cast<std::int64_t>(a.designs.size()); ++g) {
    // Summaries (single files).
    TextTable s;
    s.title = "Outcomes, design " + design_label(a, g);
    s.about = "mean and " + ci + " over runs; runs: ok runs with a finite value";
    s.runs = runs_line(a, g);
    s.header = {"outcome", "unit", "mean", ci, "runs"};
    s.right = {false, false, true, false, true};
    for (const auto& r : a.summaries)
      if (r.design == g)
        s.rows.push_back({r.column.label, r.column.unit, num(r.ci.mean), interval(r.ci.ci_lo, r.ci.ci_hi, num),
                          std::to_string(r.ci.n)});
    if (!s.rows.empty()) render(out, s, f);

    // Sobol indices.
    TextTable t;
    t.title = "Sobol indices, design " + design_label(a, g);
    t.about = "S1: first order (Saltelli et al. 2010); ST: total order (Jansen 1999); replicates averaged per "
              "sample;\nN used: base rows (of " + std::to_string(a.sobol_base) +
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
        t.rows.push_back({r.column.label, x.names[i], index_text(x.first[k]),
                          interval(x.first_lo[k], x.first_hi[k], index_text), index_text(x.total[k]),
                          interval(x.total_lo[k], x.total_hi[k], index_text), std::to_string(x.n_used),
                          std::to_string(r.runs_used), r.remark});
      }
    }
    if (!t.rows.empty()) render(out, t, f);

    // Main effects.
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
        m.rows.push_back({r.column.label, e.param, lvl, num(e.mean[k]), interval(e.ci_lo[k], e.ci_hi[k], num),
                          std::to_string(e.n[k])});
      }
    }
    if (!m.rows.empty()) render(out, m, f);

    // Paired comparison with design 0.
    TextTable p;
    p.title = "Paired comparison, design " + design_label(a, g) + " minus " + design_label(a, 0);
    p.about = "runs paired by (point, replicate): common random numbers; means over the pairs used;\n"
              "pairs: both values finite; runs = 2 x pairs";
    p.runs = runs_line(a, g);
    p.header = {"outcome", "unit", design_label(a, 0), design_label(a, g), "difference", ci, "pairs", "runs"};
    p.right = {false, false, true, true, true, false, true, true};
    for (const auto& r : a.paired)
      if (r.design == g)
        p.rows.push_back({r.column.label, r.column.unit, num(r.reference_mean), num(r.design_mean), num(r.diff.mean),
                          interval(r.diff.ci_lo, r.diff.ci_hi, num), std::to_string(r.diff.n),
                          std::to_string(r.runs_used)});
    if (!p.rows.empty()) render(out, p, f);
  }
  return out.str();
}

}  // namespace complysim
