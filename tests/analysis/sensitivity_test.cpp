// Tests of the sweep analysis estimators (sim/src/analysis/sensitivity.cpp),
// including the Sobol estimators together with the Saltelli sampler.
#include "complysim/analysis/sensitivity.hpp"
#include "complysim/simulation/designs.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include "../sweep_params.hpp"

using complysim::test::ranged;

using namespace complysim;

namespace {

constexpr double kPi = 3.141592653589793;

Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double x : v) out[i++] = x;
  return out;
}

/// Ishigami & Homma 1990: f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3.
Eigen::VectorXd ishigami(const Eigen::MatrixXd& X, double a = 7.0, double b = 0.1) {
  Eigen::VectorXd y(X.rows());
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    const double s1 = std::sin(X(r, 0)), s2 = std::sin(X(r, 1)), x3 = X(r, 2);
    y[r] = s1 + a * s2 * s2 + b * x3 * x3 * x3 * x3 * s1;
  }
  return y;
}

/// Sobol' G-function (Saltelli & Sobol' 1995): prod_i (|4 x_i - 2| + a_i) / (1 + a_i) on [0, 1]^d.
Eigen::VectorXd g_function(const Eigen::MatrixXd& X, const std::vector<double>& a) {
  Eigen::VectorXd y(X.rows());
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    double p = 1;
    for (Eigen::Index i = 0; i < X.cols(); ++i) {
      const double ai = a[static_cast<std::size_t>(i)];
      p *= (std::abs(4.0 * X(r, i) - 2.0) + ai) / (1.0 + ai);
    }
    y[r] = p;
  }
  return y;
}

void check_within_ci(const SobolIndices& s, const std::vector<double>& first, const std::vector<double>& total,
                     double tol) {
  for (Eigen::Index i = 0; i < s.first.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    INFO("parameter " << i << ": S = " << s.first[i] << " [" << s.first_lo[i] << ", " << s.first_hi[i]
                      << "] (true " << first[k] << "), ST = " << s.total[i] << " [" << s.total_lo[i] << ", "
                      << s.total_hi[i] << "] (true " << total[k] << ")");
    CHECK(s.first_lo[i] <= first[k]);
    CHECK(first[k] <= s.first_hi[i]);
    CHECK(s.total_lo[i] <= total[k]);
    CHECK(total[k] <= s.total_hi[i]);
    CHECK(s.first[i] == Approx(first[k]).margin(tol));
    CHECK(s.total[i] == Approx(total[k]).margin(tol));
    CHECK(s.first_lo[i] <= s.first[i]);
    CHECK(s.first[i] <= s.first_hi[i]);
  }
}

}  // namespace

TEST_CASE("sobol_indices: Ishigami function against its analytic indices", "[sensitivity][sobol]") {
  // Analytic (Ishigami & Homma 1990; Saltelli et al. 2008, section 4.7):
  // V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0,
  // V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225.
  const double a = 7.0, b = 0.1, pi4 = std::pow(kPi, 4), pi8 = pi4 * pi4;
  const double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
  const double V1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), V2 = a * a / 8, V13 = 8 * b * b * pi8 / 225;
  const std::vector<double> first = {V1 / V, V2 / V, 0.0}, total = {(V1 + V13) / V, V2 / V, V13 / V};
  // The rounded values quoted in issue 6.
  CHECK(first[0] == Approx(0.314).margin(0.0005));
  CHECK(first[1] == Approx(0.442).margin(0.0005));
  CHECK(total[0] == Approx(0.558).margin(0.0005));
  CHECK(total[2] == Approx(0.244).margin(0.0005));

  const std::vector<SweepParameter> params = {ranged("x1", -kPi, kPi), ranged("x2", -kPi, kPi), ranged("x3", -kPi, kPi)};
  for (bool scramble : {false, true}) {
    INFO("scramble = " << scramble);
    const std::int64_t N = 4096;
    const auto m = make_saltelli(params, N, scramble, 20221001);
    const auto s = sobol_indices(ishigami(m.X), N, 3, 500, 11);
    CHECK(s.n_used == N);
    check_within_ci(s, first, total, 0.05);
  }
}

TEST_CASE("sobol_indices: Sobol G-function against its analytic indices", "[sensitivity][sobol]") {
  // Analytic (Saltelli & Sobol' 1995): V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1,
  // S_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V.
  const std::vector<double> a = {0, 1, 4.5, 9, 99};
  const std::size_t d = a.size();
  std::vector<double> Vi(d), first(d), total(d);
  double prod = 1;
  for (std::size_t i = 0; i < d; ++i) {
    Vi[i] = 1.0 / (3.0 * (1 + a[i]) * (1 + a[i]));
    prod *= 1 + Vi[i];
  }
  const double V = prod - 1;
  for (std::size_t i = 0; i < d; ++i) {
    first[i] = Vi[i] / V;
    total[i] = Vi[i] * prod / (1 + Vi[i]) / V;
  }
  std::vector<SweepParameter> params;
  for (std::size_t i = 0; i < d; ++i) {
    std::string name = "x";
    name += std::to_string(i);
    params.push_back(ranged(name, 0.0, 1.0));
  }
  const std::int64_t N = 4096;
  const auto m = make_saltelli(params, N, true, 7);
  const auto s = sobol_indices(g_function(m.X, a), N, static_cast<std::int64_t>(d), 500, 3);
  CHECK(s.n_used == N);
  check_within_ci(s, first, total, 0.05);
}

TEST_CASE("sobol_indices: hand-computed estimators on a tiny design", "[sensitivity][sobol]") {
  // N = 2, d = 2. f(A) = {0, 2}, f(B) = {1, 3}, f(AB_1) = {1, 2}, f(AB_2) = {0, 5}.
  // V = population variance of {0, 2, 1, 3} = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
  // S_1 = mean(1 (1 - 0), 3 (2 - 2)) / V = 0.5 / 1.25 = 0.4
  // S_2 = mean(1 (0 - 0), 3 (5 - 2)) / V = 4.5 / 1.25 = 3.6
  // ST_1 = mean((0 - 1)^2, (2 - 2)^2) / (2 V) = 0.5 / 2.5 = 0.2
  // ST_2 = mean((0 - 0)^2, (2 - 5)^2) / (2 V) = 4.5 / 2.5 = 1.8
  const auto y = vec({0, 2, 1, 3, 1, 2, 0, 5});
  const auto s = sobol_indices(y, 2, 2, 0, 1);
  CHECK(s.n_used == 2);
  CHECK(s.first[0] == Approx(0.4));
  CHECK(s.first[1] == Approx(3.6));
  CHECK(s.total[0] == Approx(0.2));
  CHECK(s.total[1] == Approx(1.8));
  CHECK(std::isnan(s.first_lo[0]));  // no bootstrap, no interval
  CHECK(std::isnan(s.total_hi[1]));
}

TEST_CASE("sobol_indices: NaN rows are dropped across all blocks", "[sensitivity][sobol]") {
  const std::vector<SweepParameter> params = {ranged("x1", -kPi, kPi), ranged("x2", -kPi, kPi), ranged("x3", -kPi, kPi)};
  const std::int64_t N = 256, d = 3;
  const auto m = make_saltelli(params, N, true, 1);
  Eigen::VectorXd y = ishigami(m.X);
  // Spoil base rows 5 (in A), 17 (in B), 100 (in AB_2) and 200 (in AB_3).
  y[5] = NAN;
  y[N + 17] = NAN;
  y[3 * N + 100] = NAN;
  y[4 * N + 200] = std::numeric_limits<double>::infinity();
  const std::vector<std::int64_t> bad = {5, 17, 100, 200};
  const std::int64_t kept = N - 4;
  Eigen::VectorXd reduced(kept * (d + 2));
  for (std::int64_t blk = 0; blk < d + 2; ++blk) {
    std::int64_t k = 0;
    for (std::int64_t j = 0; j < N; ++j)
      if (std::find(bad.begin(), bad.end(), j) == bad.end()) reduced[blk * kept + k++] = y[blk * N + j];
  }
  const auto s = sobol_indices(y, N, d, 200, 9), r = sobol_indices(reduced, kept, d, 200, 9);
  CHECK(s.n_used == kept);
  CHECK(r.n_used == kept);
  // Same rows in the same order and the same resample draws: bitwise equal.
  CHECK(s.first == r.first);
  CHECK(s.total == r.total);
  CHECK(s.first_lo == r.first_lo);
  CHECK(s.total_hi == r.total_hi);
}

TEST_CASE("sobol_indices: bootstrap reproducible by seed, degenerate inputs", "[sensitivity][sobol]") {
  const std::vector<SweepParameter> params = {ranged("x1", -kPi, kPi), ranged("x2", -kPi, kPi), ranged("x3", -kPi, kPi)};
  const auto m = make_saltelli(params, 128, false, 1);
  const auto y = ishigami(m.X);
  const auto s1 = sobol_indices(y, 128, 3, 100, 5), s2 = sobol_indices(y, 128, 3, 100, 5);
  const auto s3 = sobol_indices(y, 128, 3, 100, 6);
  CHECK(s1.first_lo == s2.first_lo);
  CHECK(s1.total_hi == s2.total_hi);
  CHECK(s1.first == s3.first);  // point estimates do not depend on the seed
  CHECK(s1.first_lo != s3.first_lo);

  const auto c = sobol_indices(Eigen::VectorXd::Constant(5 * 8, 2.0), 8, 3, 10, 1);
  CHECK(std::isnan(c.first[0]));  // V = 0
  CHECK(std::isnan(c.total[2]));
  CHECK(c.n_used == 8);

  CHECK_THROWS_AS(sobol_indices(y, 128, 2, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(sobol_indices(y, 0, 3, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(sobol_indices(y, 128, 3, -1, 1), std::invalid_argument);
  CHECK_THROWS_AS(sobol_indices(y, 128, 3, 10, 1, 1.0), std::invalid_argument);
}

TEST_CASE("mean_ci: hand-computed t interval, NaN skipped", "[sensitivity][mean]") {
  // {1, 2, 3, 4, 5}: mean 3, sd = sqrt(10 / 4) = 1.5811388; t_{0.975, 4} = 2.7764451;
  // half width = 2.7764451 * 1.5811388 / sqrt(5) = 1.9632432.
  const auto m = mean_ci(vec({1, NAN, 2, 3, 4, 5}));
  CHECK(m.n == 5);
  CHECK(m.mean == Approx(3.0));
  CHECK(m.sd == Approx(1.5811388));
  CHECK(m.ci_lo == Approx(3.0 - 1.9632432));
  CHECK(m.ci_hi == Approx(3.0 + 1.9632432));
  // 90%: t_{0.95, 4} = 2.1318468, half = 2.1318468 * 0.7071068 = 1.5074357.
  const auto m90 = mean_ci(vec({1, 2, 3, 4, 5}), 0.90);
  CHECK(m90.ci_hi == Approx(3.0 + 1.5074357));

  const auto one = mean_ci(vec({7, NAN}));
  CHECK(one.n == 1);
  CHECK(one.mean == 7.0);
  CHECK(std::isnan(one.ci_lo));
  const auto none = mean_ci(Eigen::VectorXd());
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  CHECK_THROWS_AS(mean_ci(vec({1, 2}), 0.0), std::invalid_argument);
}

TEST_CASE("grid_main_effect: hand-computed levels", "[sensitivity][main]") {
  // Level 1: y = {1, 3, 5}: mean 3, sd 2, t_{0.975, 2} = 4.3026527, half = 4.3026527 * 2 / sqrt(3) = 4.9682604.
  // Level 2: y = {10, 14} (the NaN dropped): mean 12, sd sqrt(8), t_{0.975, 1} = 12.7062047,
  //          half = 12.7062047 * sqrt(8) / sqrt(2) = 25.4124094.
  // Level 3: only NaN y: n = 0. The row with x = NaN is ignored.
  const auto x = vec({1, 2, 1, 2, 1, 2, 3, NAN});
  const auto y = vec({1, 10, 3, 14, 5, NAN, NAN, 100});
  const auto me = grid_main_effect(x, y, "law.vagueness");
  CHECK(me.param == "law.vagueness");
  REQUIRE(me.level == std::vector<double>{1, 2, 3});
  CHECK(me.lo_edge == me.level);
  CHECK(me.hi_edge == me.level);
  CHECK(me.n == std::vector<std::int64_t>{3, 2, 0});
  CHECK(me.mean[0] == Approx(3));
  CHECK(me.ci_lo[0] == Approx(3 - 4.9682604));
  CHECK(me.ci_hi[0] == Approx(3 + 4.9682604));
  CHECK(me.mean[1] == Approx(12));
  CHECK(me.ci_lo[1] == Approx(12 - 25.4124094));
  CHECK(me.ci_hi[1] == Approx(12 + 25.4124094));
  CHECK(std::isnan(me.mean[2]));
  CHECK_THROWS_AS(grid_main_effect(x, vec({1, 2})), std::invalid_argument);
}

TEST_CASE("binned_main_effect: hand-computed quantile bins", "[sensitivity][main]") {
  // Sorted x = 1..6, 2 bins: edges t_0 = x_(0) = 1, t_1 = x_(floor(1 * 6 / 2)) = x_(3) = 4, t_2 = 6.
  // Bin 0 = [1, 4): y = {10, 20, 30}, mean 20, sd 10, half = 4.3026527 * 10 / sqrt(3) = 24.8413771.
  // Bin 1 = [4, 6]: y = {40, 50, 60}, mean 50. Centres 2.5 and 5.
  const auto x = vec({6, 1, 5, 2, 4, 3}), y = vec({60, 10, 50, 20, 40, 30});
  const auto me = binned_main_effect(x, y, 2, "p");
  CHECK(me.lo_edge == std::vector<double>{1, 4});
  CHECK(me.hi_edge == std::vector<double>{4, 6});
  CHECK(me.level == std::vector<double>{2.5, 5});
  CHECK(me.n == std::vector<std::int64_t>{3, 3});
  CHECK(me.mean[0] == Approx(20));
  CHECK(me.mean[1] == Approx(50));
  CHECK(me.ci_lo[0] == Approx(20 - 24.8413771));
  CHECK(me.ci_hi[1] == Approx(50 + 24.8413771));

  // Ties stay together: x = {1, 1, 1, 1, 2, 2}: t_1 = x_(3) = 1 = t_0, so bin 0 = [1, 1) is
  // empty and bin 1 = [1, 2] holds all six.
  const auto tie = binned_main_effect(vec({1, 1, 1, 1, 2, 2}), vec({1, 2, 3, 4, 5, 6}), 2);
  CHECK(tie.n == std::vector<std::int64_t>{0, 6});
  CHECK(tie.mean[1] == Approx(3.5));

  CHECK_THROWS_AS(binned_main_effect(x, y, 7), std::invalid_argument);
  CHECK_THROWS_AS(binned_main_effect(x, y, 0), std::invalid_argument);
}

TEST_CASE("binned_main_effect: an LHS of 40 points gives 4 bins of 10", "[sensitivity][main]") {
  const auto m = make_lhs({ranged("a", 0.0, 1.0), ranged("b", 0.0, 1.0)}, 40, 3);
  const Eigen::VectorXd y = m.X.col(0) * 2.0;
  const auto me = binned_main_effect(m.X.col(0), y, 4);
  CHECK(me.n == std::vector<std::int64_t>(4, 10));
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(me.lo_edge[k] >= 0.25 * static_cast<double>(k));  // bin k starts in stratum 10 k
    CHECK(me.lo_edge[k] < 0.25 * static_cast<double>(k) + 0.025);
    CHECK(me.mean[k] == Approx(2.0 * (0.25 * static_cast<double>(k) + 0.125)).margin(0.03));
  }
}

TEST_CASE("paired_difference: hand-computed paired t interval", "[sensitivity][paired]") {
  // Pairs (1, 2), (2, 4), (3, 7); (NaN, 1) dropped. d = b - a = {1, 2, 4}: mean 7/3,
  // sd = sqrt(((4/3)^2 + (1/3)^2 + (5/3)^2) / 2) = sqrt(7/3) = 1.5275252,
  // half = 4.3026527 * 1.5275252 / sqrt(3) = 3.7945830.
  const auto p = paired_difference(vec({1, 2, 3, NAN}), vec({2, 4, 7, 1}));
  CHECK(p.n == 3);
  CHECK(p.mean == Approx(7.0 / 3.0));
  CHECK(p.ci_lo == Approx(7.0 / 3.0 - 3.7945830));
  CHECK(p.ci_hi == Approx(7.0 / 3.0 + 3.7945830));
  // Common random numbers: a constant shift gives a zero-width interval.
  const auto shift = paired_difference(vec({1, 5, 2}), vec({1.5, 5.5, 2.5}));
  CHECK(shift.mean == Approx(0.5));
  CHECK(shift.ci_lo == Approx(0.5));
  CHECK(shift.ci_hi == Approx(0.5));
  CHECK_THROWS_AS(paired_difference(vec({1}), vec({1, 2})), std::invalid_argument);
}

TEST_CASE("replicate_means: groups of replicates, NaN skipped", "[sensitivity]") {
  const auto m = replicate_means(vec({1, 3, NAN, NAN, 5, NAN}), 3, 2);
  REQUIRE(m.size() == 3);
  CHECK(m[0] == 2.0);
  CHECK(std::isnan(m[1]));
  CHECK(m[2] == 5.0);
  CHECK_THROWS_AS(replicate_means(vec({1, 2, 3}), 2, 2), std::invalid_argument);
}

TEST_CASE("sobol diagnostics: remarks on an under-sampled Ishigami sweep, none on a well-sampled one",
          "[sensitivity][sobol][diagnostics]") {
  const std::vector<SweepParameter> params = {ranged("x1", -kPi, kPi), ranged("x2", -kPi, kPi), ranged("x3", -kPi, kPi)};
  auto diagnose = [&](std::int64_t N, std::vector<std::string>& remarks, double& widest) {
    const auto m = make_saltelli(params, N, true, 20221001);
    const Eigen::VectorXd y = ishigami(m.X);
    const auto s = sobol_indices(y, N, 3, 300, 11);
    Eigen::VectorXd yh((N / 2) * 5);
    for (std::int64_t b = 0; b < 5; ++b) yh.segment(b * (N / 2), N / 2) = y.segment(b * N, N / 2);
    const auto half = sobol_indices(yh, N / 2, 3, 0, 11);
    remarks.clear();
    widest = 0;
    for (std::int64_t i = 0; i < 3; ++i) {
      remarks.push_back(sobol_remark(s, i, &half));
      widest = std::max({widest, s.first_hi[i] - s.first_lo[i], s.total_hi[i] - s.total_lo[i]});
    }
  };
  std::vector<std::string> remarks;
  double widest = 0;
  // Under-sampled: N = 32 (160 model runs).
  diagnose(32, remarks, widest);
  INFO("N = 32: widest " << widest << "; " << remarks[0] << " | " << remarks[1] << " | " << remarks[2]);
  CHECK(std::count_if(remarks.begin(), remarks.end(), [](const std::string& r) {
          return r.find("noise dominates: more samples") != std::string::npos;
        }) >= 2);
  const auto rec = recommended_sobol_n(32, widest);
  CHECK(rec >= 1024);
  CHECK((rec & (rec - 1)) == 0);  // a power of two
  // Well-sampled: every interval narrower than 0.05, and not a single remark.
  const std::int64_t big = 1 << 15;
  diagnose(big, remarks, widest);
  INFO("N = 2^15: widest " << widest << "; " << remarks[0] << " | " << remarks[1] << " | " << remarks[2]);
  CHECK(widest < 0.05);
  for (const auto& r : remarks) CHECK(r.empty());
  CHECK(recommended_sobol_n(big, widest) == big);
}

TEST_CASE("sobol diagnostics: hand-made remarks and helpers", "[sensitivity][sobol][diagnostics]") {
  SobolIndices x;
  x.first = vec({0.30, -0.20, 0.02});
  x.total = vec({0.35, 1.30, 0.03});
  x.first_lo = vec({0.28, -0.40, 0.00});
  x.first_hi = vec({0.32, -0.05, 0.04});
  x.total_lo = vec({0.33, 1.10, 0.01});
  x.total_hi = vec({0.37, 1.50, 0.05});
  CHECK(sobol_remark(x, 0, nullptr).empty());
  CHECK(sobol_remark(x, 1, nullptr) == "noise dominates: more samples");  // S1 < 0 and ST > 1 beyond their intervals
  CHECK(sobol_remark(x, 2, nullptr).empty());  // a small index resolved to within 0.05
  SobolIndices half = x;
  half.total[0] = 0.20;
  CHECK(sobol_remark(x, 0, &half) == "not converged: S1 0.30, ST 0.20 at N/2");
  CHECK_THROWS_AS(sobol_remark(x, 3, nullptr), std::out_of_range);
  CHECK(recommended_sobol_n(64, 0.4) == 4096);  // 64 (0.4 / 0.05)^2 = 4096
  CHECK(recommended_sobol_n(64, 0.41) == 8192);
  CHECK(recommended_sobol_n(64, 0.01) == 64);
  CHECK(count_differing(vec({0, 0, 0, 1, 0, std::nan("")})) == 1);
  CHECK(count_differing(vec({2, 2})) == 0);
}
