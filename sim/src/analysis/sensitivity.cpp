// complysim — sweep analysis estimators (see sensitivity.hpp).
#include "complysim/analysis/sensitivity.hpp"

#include "complysim/model/rng.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace complysim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint32_t kBootstrapDay = 2;  // stream day word for bootstrap resamples (designs.hpp)

void check_level(double level, const char* who) {
  if (!(level > 0.0 && level < 1.0))
    throw std::invalid_argument(std::string(who) + ": confidence level must be in (0, 1), got " + std::to_string(level));
}

/// Linear-interpolation quantile (Hyndman & Fan 1996 type 7) of sorted values.
double quantile_sorted(const std::vector<double>& s, double p) {
  if (s.empty()) return kNaN;
  const double h = (static_cast<double>(s.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

/// Mean, sd and t interval of the finite values in [first, last).
template <class It>
MeanCI summarise(It first, It last, double level) {
  MeanCI r;
  double sum = 0;
  std::int64_t n = 0;
  for (It it = first; it != last; ++it)
    if (std::isfinite(*it)) {
      sum += *it;
      ++n;
    }
  r.n = n;
  r.mean = n > 0 ? sum / static_cast<double>(n) : kNaN;
  r.sd = r.ci_lo = r.ci_hi = kNaN;
  if (n < 2) return r;
  double ss = 0;
  for (It it = first; it != last; ++it)
    if (std::isfinite(*it)) ss += (*it - r.mean) * (*it - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(n - 1));
  const boost::math::students_t dist(static_cast<double>(n - 1));
  const double t = boost::math::quantile(dist, 0.5 + level / 2.0);
  const double half = t * r.sd / std::sqrt(static_cast<double>(n));
  r.ci_lo = r.mean - half;
  r.ci_hi = r.mean + half;
  return r;
}

/// S_i and ST_i (as sensitivity.hpp) over the base rows `rows` (with repetition).
void sobol_point(const Eigen::VectorXd& y, std::int64_t N, std::int64_t d, const std::vector<std::int64_t>& rows,
                 Eigen::VectorXd& first, Eigen::VectorXd& total) {
  first.setConstant(d, kNaN);
  total.setConstant(d, kNaN);
  const auto n = static_cast<double>(rows.size());
  if (rows.size() < 2) return;
  double mean = 0;
  for (auto j : rows) mean += y[j] + y[N + j];
  mean /= 2.0 * n;
  double var = 0;
  for (auto j : rows) {
    const double a = y[j] - mean, b = y[N + j] - mean;
    var += a * a + b * b;
  }
  var /= 2.0 * n;
  if (!(var > 0.0)) return;
  for (std::int64_t i = 0; i < d; ++i) {
    const std::int64_t off = (2 + i) * N;
    double s1 = 0, st = 0;
    for (auto j : rows) {
      const double fa = y[j], fb = y[N + j], fab = y[off + j];
      s1 += fb * (fab - fa);
      st += (fa - fab) * (fa - fab);
    }
    first[i] = s1 / n / var;
    total[i] = st / n / (2.0 * var);
  }
}

std::vector<std::size_t> finite_order(const Eigen::VectorXd& x) {
  std::vector<std::size_t> idx;
  for (Eigen::Index r = 0; r < x.size(); ++r)
    if (std::isfinite(x[r])) idx.push_back(static_cast<std::size_t>(r));
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return x[static_cast<Eigen::Index>(a)] < x[static_cast<Eigen::Index>(b)];
  });
  return idx;
}

void push_group(MainEffect& me, double lo, double hi, const std::vector<double>& ys, double level) {
  const MeanCI s = summarise(ys.begin(), ys.end(), level);
  me.level.push_back(0.5 * (lo + hi));
  me.lo_edge.push_back(lo);
  me.hi_edge.push_back(hi);
  me.mean.push_back(s.mean);
  me.ci_lo.push_back(s.ci_lo);
  me.ci_hi.push_back(s.ci_hi);
  me.n.push_back(s.n);
}

}  // namespace

SobolIndices sobol_indices(const Eigen::VectorXd& y, std::int64_t N, std::int64_t d, std::int64_t bootstrap,
                           std::uint64_t seed, double level) {
  if (N < 1 || d < 1) throw std::invalid_argument("sobol_indices: need N >= 1 and d >= 1");
  if (N > std::numeric_limits<std::int64_t>::max() / (d + 2) || y.size() != N * (d + 2))
    throw std::invalid_argument("sobol_indices: y has " + std::to_string(y.size()) + " values, expected N (d + 2) = " +
                                std::to_string(N) + " * " + std::to_string(d + 2));
  if (bootstrap < 0) throw std::invalid_argument("sobol_indices: bootstrap must be >= 0");
  check_level(level, "sobol_indices");

  std::vector<std::int64_t> used;
  for (std::int64_t j = 0; j < N; ++j) {
    bool ok = true;
    for (std::int64_t b = 0; b < d + 2 && ok; ++b) ok = std::isfinite(y[b * N + j]);
    if (ok) used.push_back(j);
  }

  SobolIndices r;
  r.n_used = static_cast<std::int64_t>(used.size());
  sobol_point(y, N, d, used, r.first, r.total);
  r.first_lo.setConstant(d, kNaN);
  r.first_hi.setConstant(d, kNaN);
  r.total_lo.setConstant(d, kNaN);
  r.total_hi.setConstant(d, kNaN);
  if (bootstrap == 0 || used.size() < 2) return r;

  if (used.size() > 0xFFFFFFFFu) throw std::invalid_argument("sobol_indices: too many base rows for the bootstrap");
  const RunKey key = RunKey::derive(seed, 0, 0);
  const auto m = static_cast<std::uint32_t>(used.size());
  const auto B = static_cast<std::size_t>(bootstrap);
  std::vector<std::vector<double>> bs_first(static_cast<std::size_t>(d)), bs_total(static_cast<std::size_t>(d));
  for (auto& v : bs_first) v.reserve(B);
  for (auto& v : bs_total) v.reserve(B);
  std::vector<std::int64_t> rows(used.size());
  Eigen::VectorXd f(d), t(d);
  for (std::int64_t b = 0; b < bootstrap; ++b) {
    Stream rng(key, kBootstrapDay, static_cast<std::uint32_t>(b), Purpose::Design);
    for (auto& row : rows) row = used[rng.below(m)];
    sobol_point(y, N, d, rows, f, t);
    for (std::int64_t i = 0; i < d; ++i) {
      // A resample with V = 0 gives NaN; it is left out of the percentiles.
      if (std::isfinite(f[i])) bs_first[static_cast<std::size_t>(i)].push_back(f[i]);
      if (std::isfinite(t[i])) bs_total[static_cast<std::size_t>(i)].push_back(t[i]);
    }
  }
  const double plo = (1.0 - level) / 2.0, phi = 1.0 - plo;
  for (std::int64_t i = 0; i < d; ++i) {
    auto& vf = bs_first[static_cast<std::size_t>(i)];
    auto& vt = bs_total[static_cast<std::size_t>(i)];
    std::sort(vf.begin(), vf.end());
    std::sort(vt.begin(), vt.end());
    r.first_lo[i] = quantile_sorted(vf, plo);
    r.first_hi[i] = quantile_sorted(vf, phi);
    r.total_lo[i] = quantile_sorted(vt, plo);
    r.total_hi[i] = quantile_sorted(vt, phi);
  }
  return r;
}

std::string sobol_remark(const SobolIndices& x, std::int64_t i, const SobolIndices* half, double resolution) {
  if (i < 0 || i >= x.first.size() || (half && i >= half->first.size()))
    throw std::out_of_range("sobol_remark: no index " + std::to_string(i));
  const auto k = static_cast<Eigen::Index>(i);
  const double s1 = x.first[k], st = x.total[k];
  if (!std::isfinite(s1) || !std::isfinite(st)) return "";
  auto wide = [&](double v, double lo, double hi) {
    return std::isfinite(lo) && std::isfinite(hi) && hi - lo > std::max(std::abs(v), resolution);
  };
  const bool noisy = wide(s1, x.first_lo[k], x.first_hi[k]) || wide(st, x.total_lo[k], x.total_hi[k]) ||
                     (s1 < 0 && (x.first_hi[k] < 0 || s1 < -resolution)) ||
                     (st > 1 && (x.total_lo[k] > 1 || st > 1 + resolution));
  std::string out;
  if (noisy) out = "noise dominates: more samples";
  if (half && std::isfinite(half->first[k]) && std::isfinite(half->total[k]) &&
      (std::abs(half->first[k] - s1) > resolution || std::abs(half->total[k] - st) > resolution)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "not converged: S1 %.2f, ST %.2f at N/2", half->first[k], half->total[k]);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

std::int64_t recommended_sobol_n(std::int64_t N, double widest, double target) {
  if (N < 1) throw std::invalid_argument("recommended_sobol_n: N must be >= 1");
  if (!(target > 0)) throw std::invalid_argument("recommended_sobol_n: target must be > 0");
  if (!std::isfinite(widest) || widest <= target) return N;
  const double want = static_cast<double>(N) * (widest / target) * (widest / target);
  std::int64_t n = 1;
  while (static_cast<double>(n) < want && n < (std::int64_t{1} << 40)) n <<= 1;
  return std::max(n, N);
}

std::int64_t count_differing(const Eigen::VectorXd& y) {
  std::vector<double> v;
  for (Eigen::Index k = 0; k < y.size(); ++k)
    if (std::isfinite(y[k])) v.push_back(y[k]);
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t best = 0;
  for (std::size_t a = 0; a < v.size();) {
    std::size_t b = a;
    while (b < v.size() && v[b] == v[a]) ++b;
    best = std::max(best, b - a);
    a = b;
  }
  return static_cast<std::int64_t>(v.size() - best);
}

MeanCI mean_ci(const Eigen::VectorXd& v, double level) {
  check_level(level, "mean_ci");
  return summarise(v.data(), v.data() + v.size(), level);
}

MainEffect grid_main_effect(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const std::string& param,
                            double level) {
  if (x.size() != y.size())
    throw std::invalid_argument("grid_main_effect: x has " + std::to_string(x.size()) + " values but y has " +
                                std::to_string(y.size()));
  check_level(level, "grid_main_effect");
  MainEffect me;
  me.param = param;
  const auto order = finite_order(x);
  std::vector<double> ys;
  for (std::size_t k = 0; k < order.size();) {
    const double v = x[static_cast<Eigen::Index>(order[k])];
    ys.clear();
    for (; k < order.size() && x[static_cast<Eigen::Index>(order[k])] == v; ++k)
      ys.push_back(y[static_cast<Eigen::Index>(order[k])]);
    push_group(me, v, v, ys, level);
  }
  return me;
}

MainEffect binned_main_effect(const Eigen::VectorXd& x, const Eigen::VectorXd& y, std::int64_t bins,
                              const std::string& param, double level) {
  if (x.size() != y.size())
    throw std::invalid_argument("binned_main_effect: x has " + std::to_string(x.size()) + " values but y has " +
                                std::to_string(y.size()));
  if (bins < 1) throw std::invalid_argument("binned_main_effect: bins must be >= 1");
  check_level(level, "binned_main_effect");
  const auto order = finite_order(x);
  const auto m = static_cast<std::int64_t>(order.size());
  if (m < bins)
    throw std::invalid_argument("binned_main_effect: " + std::to_string(m) + " finite x values for " +
                                std::to_string(bins) + " bins");
  auto xs = [&](std::int64_t r) { return x[static_cast<Eigen::Index>(order[static_cast<std::size_t>(r)])]; };
  std::vector<double> edge(static_cast<std::size_t>(bins) + 1);
  for (std::int64_t k = 0; k < bins; ++k) edge[static_cast<std::size_t>(k)] = xs(k * m / bins);
  edge[static_cast<std::size_t>(bins)] = xs(m - 1);

  MainEffect me;
  me.param = param;
  std::vector<std::vector<double>> ys(static_cast<std::size_t>(bins));
  for (std::int64_t r = 0; r < m; ++r) {
    const double v = xs(r);
    // Last k with edge[k] <= v among k = 0..bins-1 (ties go to the highest such bin).
    const auto it = std::upper_bound(edge.begin(), edge.begin() + bins, v);
    const auto k = static_cast<std::size_t>(std::distance(edge.begin(), it) - 1);
    ys[k].push_back(y[static_cast<Eigen::Index>(order[static_cast<std::size_t>(r)])]);
  }
  for (std::int64_t k = 0; k < bins; ++k) {
    const auto kk = static_cast<std::size_t>(k);
    push_group(me, edge[kk], edge[kk + 1], ys[kk], level);
  }
  return me;
}

PairedDiff paired_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double level) {
  if (a.size() != b.size())
    throw std::invalid_argument("paired_difference: a has " + std::to_string(a.size()) + " values but b has " +
                                std::to_string(b.size()));
  check_level(level, "paired_difference");
  std::vector<double> diff;
  diff.reserve(static_cast<std::size_t>(a.size()));
  for (Eigen::Index j = 0; j < a.size(); ++j)
    if (std::isfinite(a[j]) && std::isfinite(b[j])) diff.push_back(b[j] - a[j]);
  const MeanCI s = summarise(diff.begin(), diff.end(), level);
  return PairedDiff{s.mean, s.ci_lo, s.ci_hi, s.n};
}

Eigen::VectorXd replicate_means(const Eigen::VectorXd& y_runs, std::int64_t groups, std::int64_t replicates) {
  if (groups < 1 || replicates < 1) throw std::invalid_argument("replicate_means: groups and replicates must be >= 1");
  if (groups > std::numeric_limits<std::int64_t>::max() / replicates || y_runs.size() != groups * replicates)
    throw std::invalid_argument("replicate_means: y has " + std::to_string(y_runs.size()) +
                                " values, expected groups * replicates = " + std::to_string(groups) + " * " +
                                std::to_string(replicates));
  Eigen::VectorXd out(groups);
  for (std::int64_t g = 0; g < groups; ++g) {
    double sum = 0;
    std::int64_t n = 0;
    for (std::int64_t r = 0; r < replicates; ++r) {
      const double v = y_runs[g * replicates + r];
      if (std::isfinite(v)) {
        sum += v;
        ++n;
      }
    }
    out[g] = n > 0 ? sum / static_cast<double>(n) : kNaN;
  }
  return out;
}

}  // namespace complysim
