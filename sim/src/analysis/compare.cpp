// complysim — the comparison table of `complysim compare` (analysis/compare.hpp).
#include "complysim/analysis/compare.hpp"

#include "complysim/simulation/outcome_range.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace complysim {

std::string_view outcome_label(std::string_view outcome) {
  const int k = find_outcome(outcome);
  return k < 0 ? std::string_view{} : outcome_table()[static_cast<std::size_t>(k)].meaning;
}

CompareTable build_compare_table(const std::vector<CompareInput>& inputs, double level) {
  if (inputs.empty()) throw std::invalid_argument("build_compare_table: no scenarios to compare");
  const auto table = outcome_table();
  CompareTable out;
  out.level = level;
  for (const auto& in : inputs) {
    out.scenarios.push_back(in.name);
    out.replicates = std::max<std::int64_t>(out.replicates, static_cast<std::int64_t>(in.runs.size()));
    for (const RunResult* r : in.runs) {
      if (!r) continue;
      if (r->summary.size() != table.size())
        throw std::invalid_argument("build_compare_table: a run of '" + in.name + "' has " + std::to_string(r->summary.size()) +
                                    " outcomes, expected " + std::to_string(table.size()));
      for (std::size_t k = 0; k < table.size(); ++k) {
        const std::size_t width = table[k].per_platform ? in.platforms.size() : 1;
        if (r->summary[k].size() != width)
          throw std::invalid_argument("build_compare_table: a run of '" + in.name + "' has " + std::to_string(r->summary[k].size()) +
                                      " values of " + std::string(table[k].name) + ", expected " + std::to_string(width));
      }
    }
  }
  // Platforms in the order first met, first scenario first.
  std::vector<std::string> platforms;
  for (const auto& in : inputs)
    for (const auto& p : in.platforms)
      if (std::find(platforms.begin(), platforms.end(), p) == platforms.end()) platforms.push_back(p);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Values of outcome k, platform column `col` (-1: not present) of input i, one per replicate slot.
  auto values = [&](std::size_t i, std::size_t k, long col) {
    const auto& in = inputs[i];
    Eigen::VectorXd v = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(out.replicates), nan);
    for (std::size_t r = 0; r < in.runs.size(); ++r)
      if (in.runs[r] && col >= 0) v[static_cast<Eigen::Index>(r)] = in.runs[r]->summary[k][static_cast<std::size_t>(col)];
    return v;
  };
  for (std::size_t k = 0; k < table.size(); ++k) {
    const auto& spec = table[k];
    const std::vector<std::string> row_platforms = spec.per_platform ? platforms : std::vector<std::string>{""};
    for (const auto& p : row_platforms) {
      CompareRow row;
      row.outcome = std::string(spec.name);
      row.platform = p;
      row.label = std::string(outcome_label(spec.name));
      row.unit = std::string(spec.unit);
      Eigen::VectorXd first;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        long col = 0;
        if (spec.per_platform) {
          const auto& ps = inputs[i].platforms;
          const auto it = std::find(ps.begin(), ps.end(), p);
          col = it == ps.end() ? -1 : static_cast<long>(it - ps.begin());
        }
        CompareCell cell;
        cell.present = col >= 0;
        const Eigen::VectorXd v = values(i, k, col);
        cell.level = mean_ci(v, level);
        // A t interval over few replicates can leave the outcome's possible range: clip it.
        const OutcomeRange range = outcome_range(static_cast<OutcomeId>(k));
        cell.level.ci_lo = range.clip(cell.level.ci_lo);
        cell.level.ci_hi = range.clip(cell.level.ci_hi);
        if (i == 0) {
          first = v;
          cell.diff = PairedDiff{nan, nan, nan, 0};
        } else {
          cell.diff = paired_difference(first, v, level);
        }
        row.cells.push_back(cell);
      }
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

namespace {

std::string num(double x) {
  if (!std::isfinite(x)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

std::string signed_num(double x) {
  if (!std::isfinite(x)) return "n/a";
  if (x == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.3g", x);
  return buf;
}

bool excludes_zero(const PairedDiff& d) { return d.n >= 2 && std::isfinite(d.ci_lo) && (d.ci_lo > 0 || d.ci_hi < 0); }

/// "+0.012 [+0.008, +0.016] *"; with fewer pairs than replicates (some runs
/// have an undefined value) "+0.012 [+0.008, +0.016] (n=3 pairs)"; with one
/// pair "+0.012 (n=1 pair, no CI)"; with none "n/a".
std::string change_text(const PairedDiff& d, std::int64_t replicates) {
  if (d.n == 0) return "n/a";
  std::string s = signed_num(d.mean);
  const bool has_ci = d.n >= 2 && std::isfinite(d.ci_lo);
  if (has_ci) s += " [" + signed_num(d.ci_lo) + ", " + signed_num(d.ci_hi) + "]";
  if (!has_ci) s += " (n=" + std::to_string(d.n) + (d.n == 1 ? " pair" : " pairs") + ", no CI)";
  else if (d.n < replicates) s += " (n=" + std::to_string(d.n) + " pairs)";
  if (excludes_zero(d)) s += " *";
  return s;
}

std::string row_name(const CompareRow& r) { return r.platform.empty() ? r.outcome : r.outcome + " [" + r.platform + "]"; }

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.resize(w, ' ');
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_num(double x) {
  if (!std::isfinite(x)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

std::string format_compare_table(const CompareTable& t, CompareFormat format) {
  std::ostringstream out;
  const int pct = static_cast<int>(std::lround(t.level * 100));
  const std::string base = t.scenarios.empty() ? std::string() : t.scenarios.front();
  if (format == CompareFormat::Csv) {
    out << "outcome,platform,label,unit,scenario,n,mean,ci_lo,ci_hi,diff,diff_lo,diff_hi,pairs\n";
    for (const auto& r : t.rows)
      for (std::size_t i = 0; i < r.cells.size(); ++i) {
        const auto& c = r.cells[i];
        if (!c.present) continue;
        out << r.outcome << ',' << r.platform << ',' << csv_field(r.label) << ',' << csv_field(r.unit) << ',' << csv_field(t.scenarios[i])
            << ',' << c.level.n << ',' << csv_num(c.level.mean) << ',' << csv_num(c.level.ci_lo) << ',' << csv_num(c.level.ci_hi) << ','
            << csv_num(c.diff.mean) << ',' << csv_num(c.diff.ci_lo) << ',' << csv_num(c.diff.ci_hi) << ',' << c.diff.n << '\n';
      }
    return out.str();
  }
  if (format == CompareFormat::Markdown) {
    out << "Mean across " << t.replicates << " replicates per scenario; \"change\" is the paired difference against **" << base
        << "** (same random draws in every scenario) with its " << pct
        << "% confidence interval; * marks an interval that excludes 0; (n=K pairs): the change uses only the K runs where "
           "both values are defined (no CI with fewer than 2).\n\n";
    out << "| outcome | meaning |";
    for (const auto& s : t.scenarios) out << ' ' << s << " |";
    for (std::size_t i = 1; i < t.scenarios.size(); ++i) out << " change: " << t.scenarios[i] << " |";
    out << "\n|---|---|";
    for (std::size_t i = 0; i < 2 * t.scenarios.size() - 1; ++i) out << "---:|";
    out << '\n';
    for (const auto& r : t.rows) {
      out << "| `" << r.outcome << '`' << (r.platform.empty() ? "" : " " + r.platform) << " | " << r.label << " |";
      for (const auto& c : r.cells) out << ' ' << (c.present ? num(c.level.mean) : "-") << " |";
      for (std::size_t i = 1; i < r.cells.size(); ++i) out << ' ' << (r.cells[i].present ? change_text(r.cells[i].diff, t.replicates) : "-") << " |";
      out << '\n';
    }
    return out.str();
  }
  // Terminal table.
  out << "How to read this table: each column is a scenario, run " << t.replicates
      << " times with the same random draws (the same simulated people and events),\n"
         "so differences come from the decree, not from chance. First line of each outcome: its average over the runs.\n"
         "Second line: the change against the first column ("
      << base << ") with a " << pct
      << "% confidence interval in brackets;\n"
         "* marks a change whose interval excludes 0 (unlikely to be chance). n/a: not defined (e.g. no requests).\n"
         "(n=K pairs): the change uses only the K runs where both values are defined; with fewer than 2 there is no CI.\n\n";
  std::size_t w0 = 40;
  for (const auto& r : t.rows) w0 = std::max({w0, row_name(r).size() + 1, r.label.size() + 3});
  std::vector<std::size_t> w(t.scenarios.size(), 12);
  for (std::size_t i = 0; i < t.scenarios.size(); ++i) {
    w[i] = std::max(w[i], t.scenarios[i].size() + 2);
    for (const auto& r : t.rows) w[i] = std::max(w[i], change_text(r.cells[i].diff, t.replicates).size() + 2);
  }
  std::string rule(w0, '-');
  out << pad("outcome", w0);
  for (std::size_t i = 0; i < t.scenarios.size(); ++i) {
    out << pad(t.scenarios[i], w[i]);
    rule += std::string(w[i], '-');
  }
  out << '\n' << rule << '\n';
  for (const auto& r : t.rows) {
    std::string line1 = pad(row_name(r), w0), line2 = pad("  " + r.label, w0);
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      const auto& c = r.cells[i];
      line1 += pad(c.present ? num(c.level.mean) : "-", w[i]);
      line2 += pad(i == 0 ? "" : c.present ? change_text(c.diff, t.replicates) : "-", w[i]);
    }
    while (!line1.empty() && line1.back() == ' ') line1.pop_back();
    while (!line2.empty() && line2.back() == ' ') line2.pop_back();
    out << line1 << '\n' << line2 << '\n';
  }
  return out.str();
}

}  // namespace complysim
