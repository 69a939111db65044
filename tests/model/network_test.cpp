// Tests of the social-network generators (sim/src/model/network.cpp):
// structural invariants, the degree distribution each generator promises, and
// the reproducibility contract (model-spec.md section 8).
#include "complysim/model/network.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

using complysim::make_network;
using complysim::Network;
using complysim::NetworkKind;
using complysim::RunKey;

namespace {

constexpr std::uint32_t kN = 20000;
const RunKey kKey = RunKey::derive(20221001, 0, 0);

/// Checks every CSR invariant of network.hpp; returns false on the first breach.
bool is_simple_symmetric(const Network& g, std::uint32_t n) {
  if (g.size() != n || g.offsets.size() != std::size_t{n} + 1 || g.offsets[0] != 0) return false;
  if (g.neighbors.size() != g.offsets[n]) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (g.offsets[i + 1] < g.offsets[i]) return false;
    const auto r = g.row(i);
    for (std::size_t t = 0; t < r.size(); ++t) {
      if (r[t] >= n || r[t] == i) return false;              // in range, no self-loop
      if (t > 0 && r[t] <= r[t - 1]) return false;           // sorted, no duplicate
      const auto back = g.row(r[t]);
      if (!std::binary_search(back.begin(), back.end(), i)) return false;  // symmetric
    }
  }
  return true;
}

/// Mean local clustering coefficient (Watts & Strogatz 1998) over nodes of degree >= 2.
double clustering(const Network& g) {
  double sum = 0;
  std::uint32_t counted = 0;
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    const auto ri = g.row(i);
    if (ri.size() < 2) continue;
    std::uint64_t links = 0;  // each triangle at i counted twice
    for (const std::uint32_t j : ri) {
      const auto rj = g.row(j);
      std::size_t a = 0, b = 0;
      while (a < ri.size() && b < rj.size()) {
        if (ri[a] < rj[b]) ++a;
        else if (rj[b] < ri[a]) ++b;
        else { ++links; ++a; ++b; }
      }
    }
    const double d = static_cast<double>(ri.size());
    sum += static_cast<double>(links) / (d * (d - 1));
    ++counted;
  }
  return counted == 0 ? 0.0 : sum / counted;
}

struct DegreeStats {
  double mean = 0, variance = 0;
  std::uint32_t min = 0, max = 0;
};
DegreeStats degree_stats(const Network& g) {
  DegreeStats s;
  s.min = UINT32_MAX;
  double sum = 0, sum2 = 0;
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    const double d = g.degree(i);
    sum += d;
    sum2 += d * d;
    s.min = std::min(s.min, g.degree(i));
    s.max = std::max(s.max, g.degree(i));
  }
  const double n = g.size();
  s.mean = sum / n;
  s.variance = sum2 / n - s.mean * s.mean;
  return s;
}

/// Maximum-likelihood exponent gamma of a power-law density p(x) ~ x^-gamma
/// truncated to [xmin, xmax] (Aban, Meerschaert & Panorska 2006), fitted to the
/// degrees >= dmin with the discrete-to-continuous correction xmin = dmin - 0.5.
/// Truncation matters here: Chung-Lu degrees stop at the structural cutoff
/// sqrt(n d), only ~12x above the fitted range's start at n = 20000, and the plain
/// Hill estimator would then overstate gamma by ~0.15.
double truncated_power_law_exponent(const Network& g, std::uint32_t dmin) {
  const double xmin = dmin - 0.5;
  double sum_log = 0, xmax = 0;
  std::uint32_t m = 0;
  for (std::uint32_t i = 0; i < g.size(); ++i)
    if (g.degree(i) >= dmin) {
      sum_log += std::log(g.degree(i) / xmin);
      xmax = std::max(xmax, g.degree(i) + 0.5);
      ++m;
    }
  const double mean_log = sum_log / m, log_r = std::log(xmax / xmin);
  // E[log(X / xmin)] for CCDF exponent alpha, truncated at R = xmax / xmin:
  // 1/alpha - log R R^-alpha / (1 - R^-alpha); decreasing in alpha. Bisect.
  auto expected = [&](double alpha) {
    const double t = std::exp(-alpha * log_r);
    return 1.0 / alpha - log_r * t / (1.0 - t);
  };
  double lo = 0.05, hi = 10;
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (expected(mid) > mean_log ? lo : hi) = mid;
  }
  return 1.0 + 0.5 * (lo + hi);
}

Network in_arena(int threads, NetworkKind kind, std::uint32_t n, double d, double p, RunKey key) {
  // Allow more workers than cores, so 8 threads really run on a 2-core machine.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  Network g;
  arena.execute([&] { g = make_network(kind, n, d, p, key); });
  return g;
}

}  // namespace

TEST_CASE("parse_network_kind reads the scenario words and rejects others", "[network]") {
  using complysim::parse_network_kind;
  CHECK(parse_network_kind("small_world") == NetworkKind::SmallWorld);
  CHECK(parse_network_kind("scale_free") == NetworkKind::ScaleFree);
  CHECK(parse_network_kind("random") == NetworkKind::Random);
  CHECK(complysim::to_string(NetworkKind::ScaleFree) == "scale_free");
  CHECK_THROWS_AS(parse_network_kind("smallworld"), std::invalid_argument);
  CHECK_THROWS_AS(parse_network_kind(""), std::invalid_argument);
}

TEST_CASE("make_network rejects impossible parameters", "[network]") {
  CHECK_THROWS_AS(make_network(NetworkKind::Random, 100, -1.0, 0.0, kKey), std::invalid_argument);
  CHECK_THROWS_AS(make_network(NetworkKind::Random, 100, NAN, 0.0, kKey), std::invalid_argument);
  CHECK_THROWS_AS(make_network(NetworkKind::Random, 100, 12.0, 1.5, kKey), std::invalid_argument);
  CHECK_THROWS_AS(make_network(NetworkKind::ScaleFree, 10, 12.0, 0.0, kKey), std::invalid_argument);
  CHECK_THROWS_AS(make_network(NetworkKind::SmallWorld, 12, 11.6, 0.0, kKey), std::invalid_argument);  // k = 12 >= n
  const Network empty = make_network(NetworkKind::SmallWorld, 0, 0.0, 0.0, kKey);
  CHECK(empty.size() == 0);
  CHECK(empty.mean_degree() == 0.0);
  const Network isolated = make_network(NetworkKind::ScaleFree, 50, 0.0, 0.0, kKey);
  CHECK(isolated.size() == 50);
  CHECK(isolated.neighbors.empty());
  CHECK(Network{}.size() == 0);
}

TEST_CASE("small_world with p = 0 is exactly the ring lattice", "[network]") {
  const Network g = make_network(NetworkKind::SmallWorld, kN, 12.0, 0.0, kKey);
  REQUIRE(is_simple_symmetric(g, kN));
  for (std::uint32_t i = 0; i < kN; ++i) {
    std::vector<std::uint32_t> expect;
    for (std::uint32_t m = 1; m <= 6; ++m) {
      expect.push_back((i + m) % kN);
      expect.push_back((i + kN - m) % kN);
    }
    std::sort(expect.begin(), expect.end());
    const auto r = g.row(i);
    REQUIRE(std::vector<std::uint32_t>(r.begin(), r.end()) == expect);
  }
  CHECK(g.mean_degree() == 12.0);
  // Ring lattice clustering 3 (k - 2) / (4 (k - 1)) = 0.682 for k = 12 (Watts & Strogatz 1998).
  CHECK(clustering(g) == Approx(3.0 * 10.0 / (4.0 * 11.0)).epsilon(1e-12));
  CHECK(g.bytes() == (kN + 1) * 8 + kN * 12 * 4);  // 8 + 4 k bytes per user
}

TEST_CASE("small_world with odd k adds one diametrical chord per node", "[network]") {
  const Network even_n = make_network(NetworkKind::SmallWorld, 1000, 5.0, 0.0, kKey);
  REQUIRE(is_simple_symmetric(even_n, 1000));
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(even_n.degree(i) == 5);
  const Network odd_n = make_network(NetworkKind::SmallWorld, 1001, 4.6, 0.0, kKey);  // k = round(4.6) = 5
  REQUIRE(is_simple_symmetric(odd_n, 1001));
  const DegreeStats s = degree_stats(odd_n);
  CHECK(s.min == 4);
  CHECK(s.max == 5);
  CHECK(odd_n.neighbors.size() == 1001 * 5 - 1);
}

TEST_CASE("small_world with p = 0.1 keeps its mean degree and high clustering", "[network]") {
  const Network g = make_network(NetworkKind::SmallWorld, kN, 12.0, 0.1, kKey);
  REQUIRE(is_simple_symmetric(g, kN));
  CHECK(g.mean_degree() == Approx(12.0).epsilon(0.005));  // only rare rewired duplicates are lost
  const DegreeStats s = degree_stats(g);
  CHECK(s.min < 12);
  CHECK(s.max > 12);
  // Barrat & Weigt 2000: C(p) ~ C(0) (1 - p)^3 = 0.497 for k = 12, p = 0.1.
  const double c = clustering(g);
  CHECK(c == Approx(0.682 * 0.729).margin(0.03));
  CHECK(c < 0.682);
}

TEST_CASE("random has Poisson degrees and vanishing clustering", "[network]") {
  const Network g = make_network(NetworkKind::Random, kN, 12.0, 0.0, kKey);
  REQUIRE(is_simple_symmetric(g, kN));
  const DegreeStats s = degree_stats(g);
  // Sum of 20000 Poisson(6) proposals: sd of the mean degree ~0.3%.
  CHECK(s.mean == Approx(12.0).epsilon(0.02));
  // Poisson: variance = mean. Sampling sd of the variance/mean ratio ~1%.
  CHECK(s.variance / s.mean == Approx(1.0).margin(0.1));
  // Erdos-Renyi clustering is d / n = 0.0006.
  CHECK(clustering(g) < 0.005);
}

TEST_CASE("scale_free has a heavy power-law tail with exponent about 2.5", "[network]") {
  const Network g = make_network(NetworkKind::ScaleFree, kN, 12.0, 0.0, kKey);
  REQUIRE(is_simple_symmetric(g, kN));
  const DegreeStats s = degree_stats(g);
  CHECK(s.mean == Approx(12.0).epsilon(0.02));  // self-loops excluded: ~0.4% fewer
  CHECK(s.max > 10 * s.mean);                   // structural cutoff sqrt(n d) = 490
  CHECK(s.variance > 5 * s.mean);               // far from Poisson
  // Tail exponent from degrees >= 40 (about 3% of nodes, ~600, well above the
  // minimum expected degree ~4 so Poisson noise is small): the MLE's sd is about
  // (gamma - 1) / sqrt(600) = 0.06, so +-0.3 is a loose but meaningful band (a
  // Poisson or exponential tail would give gamma > 4 here).
  const double gamma = truncated_power_law_exponent(g, 40);
  CHECK(gamma == Approx(complysim::kScaleFreeExponent).margin(0.3));
  // The random labelling spreads hubs over the index range: both halves of the
  // index range carry about half the edges (by rank, the first half would hold
  // about 70% of them).
  const double first_half = static_cast<double>(g.offsets[kN / 2]) / static_cast<double>(g.offsets[kN]);
  CHECK(first_half == Approx(0.5).margin(0.05));
}

TEST_CASE("networks are identical across thread counts and calls, and differ across keys", "[network]") {
  for (const NetworkKind kind : {NetworkKind::SmallWorld, NetworkKind::Random, NetworkKind::ScaleFree}) {
    INFO("kind " << complysim::to_string(kind));
    const Network one = in_arena(1, kind, kN, 12.0, 0.1, kKey);
    const Network two = in_arena(2, kind, kN, 12.0, 0.1, kKey);
    const Network eight = in_arena(8, kind, kN, 12.0, 0.1, kKey);
    const Network again = make_network(kind, kN, 12.0, 0.1, kKey);
    CHECK(one.offsets == two.offsets);
    CHECK(one.neighbors == two.neighbors);
    CHECK(one.offsets == eight.offsets);
    CHECK(one.neighbors == eight.neighbors);
    CHECK(one.neighbors == again.neighbors);
    const Network other = make_network(kind, kN, 12.0, 0.1, RunKey::derive(20221001, 0, 1));
    CHECK(other.neighbors != one.neighbors);
  }
}
