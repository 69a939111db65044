// complysim — estimators for sweep analysis (issue 6): Sobol indices from a
// Saltelli design, main effects for grid and Latin-hypercube designs, paired
// differences between decree designs (common random numbers), and the mean with
// its t confidence interval.
//
// Pure functions on Eigen vectors: no I/O, no global state. Missing outcomes are
// NaN (a failed run, an undefined rate); every estimator drops them as stated
// and reports how many observations it used. Bootstrap resampling is seeded
// through complysim::Stream (Purpose::Design, day word 2, agent word = resample
// index; see simulation/designs.hpp), so intervals are reproducible.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace complysim {

/// First- and total-order Sobol indices of one outcome, with bootstrap intervals.
/// Every vector has shape [d], one entry per swept parameter (column order of the design).
struct SobolIndices {
  std::vector<std::string> names;  ///< parameter names (empty unless the caller fills them)
  Eigen::VectorXd first;           ///< S_i, first order (share of variance, nominally 0..1)
  Eigen::VectorXd total;           ///< ST_i, total order (share of variance, nominally 0..1)
  Eigen::VectorXd first_lo, first_hi;  ///< bootstrap percentile interval of S_i (NaN without bootstrap)
  Eigen::VectorXd total_lo, total_hi;  ///< bootstrap percentile interval of ST_i (NaN without bootstrap)
  std::int64_t n_used = 0;             ///< base rows used (of N) after dropping NaN rows
};

/// Sobol indices from outcomes on a Saltelli design (designs.hpp, make_saltelli).
///
/// `y` has shape [N (d + 2)] in the design's row order: f(A) (N values), f(B) (N),
/// f(AB_1) .. f(AB_d) (N each); replicates should be averaged first.
/// With V the (population) variance of the 2 n values f(A_j), f(B_j) over the used base rows j:
///  - first order, Saltelli et al. 2010 (Table 2 (b)): S_i = mean_j f(B)_j (f(AB_i)_j - f(A)_j) / V;
///  - total order, Jansen 1999 (Table 2 (f) of Saltelli 2010): ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / (2 V).
/// A base row j is used only if f(A)_j, f(B)_j and every f(AB_i)_j are finite; otherwise
/// it is dropped from all blocks together (n_used counts the rest).
/// Confidence intervals: percentile bootstrap (Efron & Tibshirani 1993, ch. 13) at `level`
/// (default 95%) over `bootstrap` resamples of the used base rows, drawn with replacement
/// from streams keyed by `seed`; bootstrap = 0 leaves the intervals NaN.
/// Indices are NaN when fewer than 2 rows remain or V = 0 (a constant outcome).
/// @throws std::invalid_argument if N < 1, d < 1, y.size() != N (d + 2), bootstrap < 0,
///         or level not in (0, 1).
SobolIndices sobol_indices(const Eigen::VectorXd& y, std::int64_t N, std::int64_t d, std::int64_t bootstrap,
                           std::uint64_t seed, double level = 0.95);

/// Resolution of an index (share of variance) below which `analyze` does not try to
/// tell indices apart: an interval narrower than this is "resolved" whatever the index.
inline constexpr double kSobolResolution = 0.05;

/// Plain-words remark on the Sobol indices of one parameter (index i of `x`), "" when
/// the estimate is trustworthy at `resolution`. Remarks, joined by "; ":
///  - "noise dominates: more samples" when an interval (S1 or ST) is wider than both
///    the index itself and `resolution`, or an estimate lies outside [0, 1] beyond its
///    interval (S1 with its whole interval below 0, ST with its whole interval above 1)
///    or by more than `resolution` (Saltelli et al. 2010 section 5: such values are
///    sampling noise, not effects);
///  - "not converged: ST x.xx at N/2" when `half` (the same estimator on the first N/2
///    base rows; may be null) differs from x by more than `resolution` in S1 or ST.
/// NaN indices give "" (the caller says why the outcome has none).
/// @throws std::out_of_range if i is not an index of x (or of half).
std::string sobol_remark(const SobolIndices& x, std::int64_t i, const SobolIndices* half,
                         double resolution = kSobolResolution);

/// Base size N to ask for next: the current N scaled so that the widest observed
/// interval `widest` (bootstrap widths shrink as 1 / sqrt(N)) would be `target` wide,
/// N (widest / target)^2, rounded up to a power of two (Sobol' points come in
/// balanced blocks of 2^k); N itself when widest <= target or widest is not finite.
/// @throws std::invalid_argument if N < 1 or target <= 0.
std::int64_t recommended_sobol_n(std::int64_t N, double widest, double target = kSobolResolution);

/// Number of finite values of `y` that differ from its most common finite value
/// (exact equality; shape [n]). An outcome where only a handful of runs differ
/// (e.g. one platform localising in 1 of 256 runs) has no variance worth decomposing.
std::int64_t count_differing(const Eigen::VectorXd& y);

/// Mean of a sample with its two-sided Student-t confidence interval.
struct MeanCI {
  double mean = 0;   ///< sample mean (NaN when n = 0), in the unit of the data
  double sd = 0;     ///< sample standard deviation (n - 1 denominator; NaN when n < 2)
  double ci_lo = 0;  ///< mean - t_{(1+level)/2, n-1} sd / sqrt(n) (NaN when n < 2)
  double ci_hi = 0;  ///< mean + t_{(1+level)/2, n-1} sd / sqrt(n) (NaN when n < 2)
  std::int64_t n = 0;  ///< number of finite values used
};

/// Mean and t confidence interval (default 95%) of the finite values of `v`
/// (NaN and infinities are skipped). Student-t quantiles from Boost.Math.
/// @throws std::invalid_argument if level is not in (0, 1).
MeanCI mean_ci(const Eigen::VectorXd& v, double level = 0.95);

/// Outcome mean at each level (grid) or quantile bin (Latin hypercube) of one parameter.
/// Every vector has shape [levels or bins].
struct MainEffect {
  std::string param;                 ///< parameter name (as passed by the caller)
  std::vector<double> level;         ///< grid: the level; binned: the bin centre (lo + hi) / 2; parameter units
  std::vector<double> lo_edge;       ///< grid: = level; binned: lower edge (inclusive)
  std::vector<double> hi_edge;       ///< grid: = level; binned: upper edge (exclusive, except the last bin)
  std::vector<double> mean;          ///< mean outcome over the finite y in the level/bin (NaN if none)
  std::vector<double> ci_lo, ci_hi;  ///< t confidence interval of the mean (NaN when n < 2)
  std::vector<std::int64_t> n;       ///< finite y values in the level/bin
};

/// Main effect of a grid parameter: for each distinct finite value of x (ascending;
/// exact equality, as grid levels are the listed numbers), the mean of the finite y
/// at that value and its t confidence interval (mean_ci). Rows with non-finite x are
/// ignored; a level whose y are all NaN is kept with n = 0.
/// x, y: shape [runs or samples]; x in parameter units, y in the outcome's unit.
/// @throws std::invalid_argument if x.size() != y.size() or level not in (0, 1).
MainEffect grid_main_effect(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const std::string& param = {},
                            double level = 0.95);

/// Main effect of a continuous parameter (Latin hypercube) in `bins` empirical quantile bins.
/// With x_(0) <= ... <= x_(m-1) the sorted finite x (m of them), the edges are
/// t_k = x_(floor(k m / bins)) for k = 0..bins-1 and t_bins = x_(m-1); bin k holds
/// t_k <= x < t_{k+1} (the last bin also x = t_bins). With m a multiple of bins and
/// distinct x (as in an LHS of m points) each bin holds exactly m / bins points; tied
/// x stay in one bin, so a bin may be empty (n = 0). Bins are defined by x alone;
/// then each bin's finite y are summarised as in grid_main_effect.
/// @throws std::invalid_argument if x.size() != y.size(), bins < 1, fewer finite x than
///         bins, or level not in (0, 1).
MainEffect binned_main_effect(const Eigen::VectorXd& x, const Eigen::VectorXd& y, std::int64_t bins,
                              const std::string& param = {}, double level = 0.95);

/// Mean paired difference b - a with its t confidence interval.
struct PairedDiff {
  double mean = 0;   ///< mean of b_j - a_j (NaN when n = 0), in the outcome's unit
  double ci_lo = 0;  ///< t confidence interval (NaN when n < 2)
  double ci_hi = 0;
  std::int64_t n = 0;  ///< pairs with both values finite
};

/// Paired comparison of two decree designs under common random numbers: a_j and b_j
/// are the same (sample, replicate) under designs a and b (shape [pairs]). Pairs with
/// a non-finite member are dropped; the rest give the mean of b - a and its paired t
/// interval (Student 1908; e.g. Law 2015, Simulation Modeling and Analysis, section 10.2.1).
/// @throws std::invalid_argument if a.size() != b.size() or level not in (0, 1).
PairedDiff paired_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double level = 0.95);

/// Mean over replicates, for estimators that want one value per sample point.
/// `y_runs` has shape [groups * replicates] with the replicate varying fastest (the
/// run order of designs.hpp, so a group is a (design, sample) pair); the result has
/// shape [groups]: the mean of each group's finite values, NaN if it has none.
/// @throws std::invalid_argument if groups < 1, replicates < 1 or the size does not match.
Eigen::VectorXd replicate_means(const Eigen::VectorXd& y_runs, std::int64_t groups, std::int64_t replicates);

}  // namespace complysim
