// Tests of the sweep designs and the run/shard enumeration (sim/src/simulation/designs.cpp).
#include "complysim/simulation/designs.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <tuple>
#include <set>
#include <stdexcept>
#include "../sweep_params.hpp"

using complysim::test::ranged;
using complysim::test::listed;

using namespace complysim;

namespace {

const std::vector<SweepParameter> kRanges = {ranged("law.vagueness", 0.0, 1.0), ranged("regulator.fine", -3.0, 5.0),
                                             ranged("beliefs.decay", 0.001, 0.002)};

}  // namespace

TEST_CASE("grid: Cartesian product, first parameter slowest", "[designs][grid]") {
  const auto m = make_grid({listed("a", {1, 2}), listed("b", {10, 20, 30})});
  CHECK(m.kind == "grid");
  CHECK(m.names == std::vector<std::string>{"a", "b"});
  REQUIRE(m.samples() == 6);
  REQUIRE(m.dims() == 2);
  const double want[6][2] = {{1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30}};
  for (int r = 0; r < 6; ++r) {
    CHECK(m.X(r, 0) == want[r][0]);
    CHECK(m.X(r, 1) == want[r][1]);
  }
  CHECK(m.block == std::vector<std::int8_t>(6, -1));
  CHECK(m.sobol_base == 0);
}

TEST_CASE("grid: three parameters, size and odometer order", "[designs][grid]") {
  const auto m = make_grid({listed("a", {0, 1}), listed("b", {5, 6, 7}), listed("c", {-1, -2})});
  REQUIRE(m.samples() == 12);
  for (Eigen::Index r = 0; r < 12; ++r) {
    CHECK(m.X(r, 0) == static_cast<double>(r / 6));
    CHECK(m.X(r, 1) == 5.0 + static_cast<double>((r / 2) % 3));
    CHECK(m.X(r, 2) == (r % 2 == 0 ? -1.0 : -2.0));
  }
}

TEST_CASE("grid: empty product and bad input", "[designs][grid]") {
  const auto m = make_grid({});
  CHECK(m.samples() == 1);
  CHECK(m.dims() == 0);
  CHECK_THROWS_AS(make_grid({listed("a", {})}), std::invalid_argument);
  CHECK_THROWS_AS(make_grid({listed("a", {1.0, NAN})}), std::invalid_argument);
}

TEST_CASE("lhs: exactly one point per stratum in every dimension, within bounds", "[designs][lhs]") {
  for (std::int64_t n : {1, 2, 7, 50, 1000}) {
    const auto m = make_lhs(kRanges, n, 42);
    CHECK(m.kind == "lhs");
    REQUIRE(m.samples() == n);
    REQUIRE(m.dims() == 3);
    CHECK(m.block == std::vector<std::int8_t>(static_cast<std::size_t>(n), -1));
    for (Eigen::Index j = 0; j < 3; ++j) {
      const auto& p = kRanges[static_cast<std::size_t>(j)];
      const double w = (p.max - p.min) / static_cast<double>(n);
      std::vector<int> hits(static_cast<std::size_t>(n), 0);
      for (Eigen::Index s = 0; s < n; ++s) {
        const double x = m.X(s, j);
        REQUIRE(x >= p.min);
        REQUIRE(x <= p.max);
        auto k = static_cast<std::int64_t>(std::floor((x - p.min) / w));
        if (k == n) k = n - 1;  // x == max after rounding
        REQUIRE(k >= 0);
        ++hits[static_cast<std::size_t>(k)];
      }
      for (int h : hits) CHECK(h == 1);
    }
  }
}

TEST_CASE("lhs: deterministic by seed, different seeds differ, columns independent", "[designs][lhs]") {
  const auto a = make_lhs(kRanges, 64, 7), b = make_lhs(kRanges, 64, 7), c = make_lhs(kRanges, 64, 8);
  CHECK(a.X == b.X);
  CHECK(a.X != c.X);
  // The strata of columns 0 and 1 are not the same permutation.
  bool differ = false;
  for (Eigen::Index s = 0; s < 64; ++s)
    differ |= std::floor(a.X(s, 0) * 64) != std::floor((a.X(s, 1) + 3.0) / 8.0 * 64);
  CHECK(differ);
}

TEST_CASE("lhs: bad input throws", "[designs][lhs]") {
  CHECK_THROWS_AS(make_lhs({}, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_lhs(kRanges, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_lhs({ranged("a", 2.0, 1.0)}, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_lhs({ranged("a", 0.0, INFINITY)}, 10, 1), std::invalid_argument);
  CHECK_NOTHROW(make_lhs({ranged("a", 1.0, 1.0)}, 10, 1));  // a degenerate range is allowed
}

TEST_CASE("saltelli: layout A, B, AB_i, AB_i is A with column i from B", "[designs][sobol]") {
  for (bool scramble : {false, true}) {
    const std::int64_t N = 64, d = 3;
    const auto m = make_saltelli(kRanges, N, scramble, 99);
    CHECK(m.kind == "sobol");
    CHECK(m.sobol_base == N);
    REQUIRE(m.samples() == N * (d + 2));
    REQUIRE(m.dims() == d);
    REQUIRE(m.block.size() == static_cast<std::size_t>(N * (d + 2)));
    for (std::int64_t r = 0; r < N * (d + 2); ++r) CHECK(m.block[static_cast<std::size_t>(r)] == r / N);
    const auto A = m.X.topRows(N), B = m.X.middleRows(N, N);
    CHECK(A != B);
    for (std::int64_t i = 0; i < d; ++i) {
      const auto AB = m.X.middleRows((2 + i) * N, N);
      for (std::int64_t j = 0; j < d; ++j) {
        if (j == i)
          CHECK(AB.col(j) == B.col(j));
        else
          CHECK(AB.col(j) == A.col(j));
      }
    }
    for (Eigen::Index j = 0; j < d; ++j) {
      CHECK(m.X.col(j).minCoeff() >= kRanges[static_cast<std::size_t>(j)].min);
      CHECK(m.X.col(j).maxCoeff() <= kRanges[static_cast<std::size_t>(j)].max);
    }
  }
}

TEST_CASE("saltelli: plain sequence starts at the zero point and ignores the seed", "[designs][sobol]") {
  const auto m = make_saltelli({ranged("a", 0.0, 1.0), ranged("b", 10.0, 20.0)}, 4, false, 1);
  // Sobol points 0..3 in 4 dimensions (Joe-Kuo): (0, ...), (0.5, ...), (0.75, 0.25, ...), ...
  CHECK(m.X(0, 0) == 0.0);   // A row 0: the corner
  CHECK(m.X(0, 1) == 10.0);
  CHECK(m.X(4, 0) == 0.0);   // B row 0: the same corner
  CHECK(m.X(1, 0) == 0.5);   // A row 1
  CHECK(m.X(1, 1) == 15.0);
  CHECK(m.X(2, 0) == 0.75);  // A row 2, dim 0
  CHECK(m.X(2, 1) == 12.5);  // A row 2, dim 1 = 0.25
  CHECK(make_saltelli({ranged("a", 0.0, 1.0), ranged("b", 10.0, 20.0)}, 4, false, 2).X == m.X);
  // The base points are distinct.
  std::set<std::pair<double, double>> seen;
  const auto big = make_saltelli({ranged("a", 0.0, 1.0)}, 256, false, 1);
  for (Eigen::Index r = 0; r < 256; ++r) seen.insert({big.X(r, 0), big.X(256 + r, 0)});
  CHECK(seen.size() == 256);
}

namespace {
/// Ranges whose widths are powers of two, so scaling a unit-cube point is exact
/// and a point on a stratum edge is counted in the right stratum.
const std::vector<SweepParameter> kExactRanges = {ranged("law.vagueness", 0.0, 1.0), ranged("regulator.fine", -3.0, 5.0),
                                                  ranged("beliefs.decay", 10.0, 10.5)};

/// Number of distinct strata among rows [first, first + n) of column j, the
/// range [lo, hi] cut into n equal strata.
std::size_t strata_filled(const SampleMatrix& m, Eigen::Index first, Eigen::Index n, Eigen::Index j, double lo, double hi) {
  std::set<std::int64_t> strata;
  for (Eigen::Index r = first; r < first + n; ++r)
    strata.insert(std::min<std::int64_t>(n - 1, static_cast<std::int64_t>(std::floor((m.X(r, j) - lo) / (hi - lo) * static_cast<double>(n)))));
  return strata.size();
}
}  // namespace

// Issue 13 item 5 (Owen 2020): points 1..N of the sequence covered 7 of 8 strata
// at N = 8 (15 of 16 at N = 16), scrambled or not, and row 0 of A and B was the
// same row of range mid-points.
TEST_CASE("saltelli: for N a power of two every column of A and B has one point in each of N strata", "[designs][sobol]") {
  for (bool scramble : {false, true}) {
    for (std::int64_t N : {2, 4, 8, 16, 64, 256, 1024}) {
      for (std::uint64_t seed : {1u, 2u, 20221001u}) {
        const auto m = make_saltelli(kExactRanges, N, scramble, seed);
        for (Eigen::Index j = 0; j < m.dims(); ++j) {
          const auto& p = kExactRanges[static_cast<std::size_t>(j)];
          INFO("scramble " << scramble << " N " << N << " seed " << seed << " column " << j);
          CHECK(strata_filled(m, 0, N, j, p.min, p.max) == static_cast<std::size_t>(N));  // A
          CHECK(strata_filled(m, N, N, j, p.min, p.max) == static_cast<std::size_t>(N));  // B
        }
        if (!scramble) break;  // the plain sequence does not depend on the seed
      }
    }
  }
}

TEST_CASE("saltelli: the issue's N = 8, 3 parameters, unscrambled: balanced columns, row 0 the corner", "[designs][sobol]") {
  const auto m = make_saltelli(kExactRanges, 8, false, 1);
  for (Eigen::Index j = 0; j < 3; ++j) {
    const auto& p = kExactRanges[static_cast<std::size_t>(j)];
    CHECK(strata_filled(m, 0, 8, j, p.min, p.max) == 8);
    CHECK(strata_filled(m, 8, 8, j, p.min, p.max) == 8);
    CHECK(m.X(0, j) == p.min);  // point 0: the corner, not the mid-point
    CHECK(m.X(8, j) == p.min);
  }
}

TEST_CASE("saltelli: with scrambling no AB_i row equals its A row", "[designs][sobol]") {
  for (std::int64_t N : {8, 16, 128, 1024}) {
    for (std::uint64_t seed : {1u, 7u, 20221001u}) {
      const auto m = make_saltelli(kRanges, N, true, seed);
      const auto d = m.dims();
      int equal = 0;
      for (Eigen::Index i = 0; i < d; ++i)
        for (Eigen::Index r = 0; r < N; ++r) equal += m.X.row((2 + i) * N + r) == m.X.row(r);
      INFO("N " << N << " seed " << seed);
      CHECK(equal == 0);
    }
  }
}

TEST_CASE("saltelli: scrambling is deterministic by seed and changes the points", "[designs][sobol]") {
  const auto plain = make_saltelli(kRanges, 128, false, 5);
  const auto s1 = make_saltelli(kRanges, 128, true, 5), s2 = make_saltelli(kRanges, 128, true, 5);
  const auto s3 = make_saltelli(kRanges, 128, true, 6);
  CHECK(s1.X == s2.X);
  CHECK(s1.X != s3.X);
  CHECK(s1.X != plain.X);
}

TEST_CASE("owen_scramble is a bijection on the top digits that keeps elementary intervals and is uniform", "[designs][sobol]") {
  // Two points in the same dyadic interval of length 2^-k stay in one such interval.
  const std::uint64_t seed = 0x1234567890ABCDEFull;
  for (int k = 1; k <= 12; ++k) {
    const std::uint64_t a = 0xA5A5A5A5A5A5A5A5ull, b = a ^ (std::uint64_t{1} << (63 - k));  // share the top k digits
    CHECK((owen_scramble(a, seed) >> (64 - k)) == (owen_scramble(b, seed) >> (64 - k)));
    CHECK((owen_scramble(a, seed) >> (63 - k)) != (owen_scramble(b, seed) >> (63 - k)));  // and differ below, as before
  }
  // A bijection of the 2^10 intervals of length 2^-10.
  std::set<std::uint64_t> images;
  for (std::uint64_t i = 0; i < 1024; ++i) images.insert(owen_scramble(i << 54, seed) >> 54);
  CHECK(images.size() == 1024);
  // Uniform: the mean of the scrambled zero point over many seeds is about 1/2.
  double sum = 0;
  for (std::uint64_t s = 0; s < 4000; ++s) sum += static_cast<double>(owen_scramble(0, s * 0x9E3779B97F4A7C15ull + 1) >> 11) * 0x1p-53;
  CHECK(std::abs(sum / 4000 - 0.5) < 0.02);
}

TEST_CASE("saltelli: bad input throws", "[designs][sobol]") {
  CHECK_THROWS_AS(make_saltelli({}, 8, false, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_saltelli(kRanges, 0, false, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_saltelli({ranged("a", 1.0, 0.0)}, 8, false, 1), std::invalid_argument);
}

TEST_CASE("make_design dispatches on spec.design", "[designs]") {
  SweepSpec spec;
  spec.present = true;
  spec.samples = 8;
  spec.parameters = {listed("a", {1, 2, 3}), listed("b", {4, 5})};
  spec.parameters[0].min = 0;
  spec.parameters[0].max = 1;
  spec.parameters[1].min = 0;
  spec.parameters[1].max = 1;
  spec.design = "grid";
  CHECK(make_design(spec, 1).samples() == 6);
  spec.design = "lhs";
  CHECK(make_design(spec, 1).samples() == 8);
  CHECK(make_design(spec, 1).X == make_lhs(spec.parameters, 8, 1).X);
  spec.design = "sobol";
  spec.scramble = true;
  CHECK(make_design(spec, 1).samples() == 8 * 4);
  CHECK(make_design(spec, 1).X == make_saltelli(spec.parameters, 8, true, 1).X);
  spec.design = "morris";
  CHECK_THROWS_AS(make_design(spec, 1), std::invalid_argument);
}

TEST_CASE("runs: order run = (design * samples + sample) * replicates + replicate", "[designs][runs]") {
  CHECK(n_runs(3, 4, 2) == 24);
  const auto r0 = run_at(0, 3, 4, 2), r1 = run_at(1, 3, 4, 2), r2 = run_at(2, 3, 4, 2), r8 = run_at(8, 3, 4, 2);
  CHECK((r0.design == 0 && r0.sample == 0 && r0.replicate == 0 && r0.run == 0));
  CHECK((r1.design == 0 && r1.sample == 0 && r1.replicate == 1));
  CHECK((r2.design == 0 && r2.sample == 1 && r2.replicate == 0));
  CHECK((r8.design == 1 && r8.sample == 0 && r8.replicate == 0));
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t>> seen;
  for (std::int64_t run = 0; run < 24; ++run) {
    const auto r = run_at(run, 3, 4, 2);
    CHECK(r.run == run);
    CHECK(run_index(r.design, r.sample, r.replicate, 3, 4, 2) == run);
    seen.insert({r.design, r.sample, r.replicate});
  }
  CHECK(seen.size() == 24);
  CHECK_THROWS_AS(run_at(24, 3, 4, 2), std::out_of_range);
  CHECK_THROWS_AS(run_at(-1, 3, 4, 2), std::out_of_range);
  CHECK_THROWS_AS(run_index(3, 0, 0, 3, 4, 2), std::out_of_range);
  CHECK_THROWS_AS(n_runs(0, 4, 2), std::invalid_argument);
  CHECK_THROWS_AS(n_runs(1 << 30, 1 << 30, 1 << 30), std::invalid_argument);
}

TEST_CASE("shards partition the runs exactly once", "[designs][shards]") {
  for (std::int64_t n : {0, 1, 7, 24, 100}) {
    for (std::int64_t k : {1, 2, 3, 5, 30}) {
      std::vector<int> count(static_cast<std::size_t>(n), 0);
      std::size_t smallest = SIZE_MAX, largest = 0;
      for (std::int64_t i = 0; i < k; ++i) {
        const auto runs = shard_runs(n, i, k);
        smallest = std::min(smallest, runs.size());
        largest = std::max(largest, runs.size());
        for (std::size_t p = 0; p < runs.size(); ++p) {
          REQUIRE(runs[p] >= 0);
          REQUIRE(runs[p] < n);
          CHECK(runs[p] % k == i);
          if (p > 0) CHECK(runs[p] > runs[p - 1]);
          ++count[static_cast<std::size_t>(runs[p])];
        }
      }
      for (int c : count) CHECK(c == 1);
      CHECK(largest - smallest <= 1);
    }
  }
  CHECK(shard_runs(10, 1, 3) == std::vector<std::int64_t>{1, 4, 7});
  CHECK_THROWS_AS(shard_runs(10, 3, 3), std::invalid_argument);
  CHECK_THROWS_AS(shard_runs(10, -1, 3), std::invalid_argument);
  CHECK_THROWS_AS(shard_runs(10, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(shard_runs(-1, 0, 1), std::invalid_argument);
}
