// Tests of the counter-based random streams (model/rng.hpp; model-spec.md section 8).
#include "complysim/model/rng.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace complysim;

namespace {
const RunKey kKey = RunKey::derive(20221001, 3, 1);

/// Mean and variance of n draws of f.
template <class F>
std::pair<double, double> moments(int n, F&& f) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = f(i);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  return {mean, sum2 / n - mean * mean};
}
}  // namespace

TEST_CASE("philox_many gives Random123's Philox4x32-10 blocks for every counter", "[rng]") {
  r123::Philox4x32 g;
  const r123::Philox4x32::key_type key = {{kKey.k0, kKey.k1}};
  for (std::size_t n : {1u, 3u, 16u, 17u, 40u}) {
    std::vector<std::uint32_t> c1(n), out(4 * n);
    for (std::size_t k = 0; k < n; ++k) c1[k] = static_cast<std::uint32_t>(k * 2654435761u + 7);
    philox_many(kKey, 123, c1.data(), static_cast<std::uint32_t>(Purpose::Items), 5, n, out.data());
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const auto r = g({{123, c1[k], static_cast<std::uint32_t>(Purpose::Items), 5}}, key);
      for (int w = 0; w < 4; ++w) wrong += out[4 * k + static_cast<std::size_t>(w)] != r[static_cast<std::size_t>(w)];
    }
    INFO("n = " << n);
    CHECK(wrong == 0);
  }
}

TEST_CASE("a stream given its first two blocks draws the same words as one that computes them", "[rng]") {
  for (std::uint32_t agent : {0u, 17u, 4000000000u}) {
    std::uint32_t first[8];
    const std::uint32_t c1[1] = {agent};
    philox_many(kKey, 9, c1, static_cast<std::uint32_t>(Purpose::Items), 0, 1, first);
    philox_many(kKey, 9, c1, static_cast<std::uint32_t>(Purpose::Items), 1, 1, first + 4);
    Stream a(kKey, 9, agent, Purpose::Items), b(kKey, 9, agent, Purpose::Items, first);
    int wrong = 0;
    for (int i = 0; i < 40; ++i) wrong += a.next_u32() != b.next_u32();
    CHECK(wrong == 0);
  }
}

TEST_CASE("normal, gamma, beta and Poisson draws have their distributions' moments", "[rng]") {
  constexpr int n = 200000;
  // Each draw from its own stream (agent = i), as the model uses them.
  auto stream = [](int i) { return Stream(kKey, 1, static_cast<std::uint32_t>(i), Purpose::Items); };
  SECTION("standard normal") {
    const auto [m, v] = moments(n, [&](int i) { return stream(i).normal(); });
    CHECK(std::abs(m) < 5.0 * std::sqrt(1.0 / n));
    CHECK(std::abs(v - 1.0) < 0.02);
    // Tails: P(|Z| > 3) = 0.0027; the ziggurat's tail layer must be reached.
    int beyond = 0;
    for (int i = 0; i < n; ++i) beyond += std::abs(stream(i).normal()) > 3.0;
    CHECK(beyond > 0.0027 * n * 0.7);
    CHECK(beyond < 0.0027 * n * 1.3);
  }
  SECTION("gamma(shape), shape below and above 1: mean = variance = shape") {
    for (double shape : {0.5, 1.2, 4.8}) {
      const auto [m, v] = moments(n, [&](int i) { return stream(i).gamma(shape); });
      INFO("shape " << shape);
      CHECK(std::abs(m - shape) < 5.0 * std::sqrt(shape / n));
      CHECK(std::abs(v / shape - 1.0) < 0.03);
    }
  }
  SECTION("beta with mean and concentration") {
    for (double mean : {0.2, 0.5, 0.8}) {
      const double kappa = 6.0, var = mean * (1 - mean) / (kappa + 1);
      const auto [m, v] = moments(n, [&](int i) { return stream(i).beta_mean(mean, kappa); });
      INFO("mean " << mean);
      CHECK(std::abs(m - mean) < 5.0 * std::sqrt(var / n));
      CHECK(std::abs(v / var - 1.0) < 0.03);
    }
  }
  SECTION("Poisson by inversion and by the normal approximation") {
    for (double lambda : {0.3, 4.0, 50.0}) {
      const auto [m, v] = moments(n, [&](int i) { return static_cast<double>(stream(i).poisson(lambda)); });
      INFO("lambda " << lambda);
      CHECK(std::abs(m - lambda) < 5.0 * std::sqrt(lambda / n));
      CHECK(std::abs(v / lambda - 1.0) < 0.03);
    }
  }
}

// Issue 13 item 2: for a shape below 1 both gamma draws of a Beta could
// underflow to 0 and make 0 / 0 = NaN, which the item pass then cast to a
// sensitivity-bin index out of range.
TEST_CASE("beta draws are finite and in [0, 1] over the whole parameter range", "[rng]") {
  for (double conc : {0.01, 0.010000001, 0.5, 1.0, 4.0, 999999.0, 1e6}) {
    for (double mean : {1e-300, 1e-9, 0.001, 0.2, 0.5, 0.8, 0.999, 1.0 - 1e-12}) {
      const auto q = Stream::beta_shape(mean, conc);
      int bad = 0;
      for (std::uint32_t i = 0; i < 2000; ++i) {
        Stream r(kKey, 1, i, Purpose::Traits);
        const double x = r.beta(q);
        bad += !(x >= 0.0 && x <= 1.0);
      }
      INFO("mean " << mean << " concentration " << conc);
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("beta with concentration 0.01 has the right mean and is mostly at the ends", "[rng]") {
  // Beta(a, b) with a + b = 0.01: P(X > 1/2) -> a / (a + b) = mean as a + b -> 0.
  for (double mean : {0.2, 0.5}) {
    const auto q = Stream::beta_shape(mean, 0.01);
    const int n = 20000;
    double sum = 0;
    int ends = 0;
    for (int i = 0; i < n; ++i) {
      Stream r(kKey, 2, static_cast<std::uint32_t>(i), Purpose::Traits);
      const double x = r.beta(q);
      sum += x;
      ends += x < 1e-6 || x > 1.0 - 1e-6;
    }
    INFO("mean " << mean);
    CHECK(std::abs(sum / n - mean) < 4.0 * std::sqrt(mean * (1 - mean) / n) + 0.005);
    CHECK(ends > n * 9 / 10);
  }
}

TEST_CASE("beta keeps the old bits wherever the old product sampler was finite", "[rng]") {
  // The old sampler: X = gamma(a), Y = gamma(b), X / (X + Y). Bundled
  // scenarios (shapes around 1) must keep their exact results.
  int compared = 0;
  for (double conc : {1.5, 4.0, 6.0, 40.0}) {
    for (double mean : {0.05, 0.2, 0.35, 0.8}) {
      const auto q = Stream::beta_shape(mean, conc);
      for (std::uint32_t i = 0; i < 500; ++i) {
        Stream r(kKey, 3, i, Purpose::Items), old(kKey, 3, i, Purpose::Items);
        const double x = r.beta(q);
        const double gx = old.gamma(mean * conc), gy = old.gamma((1.0 - mean) * conc);
        const double y = gx / (gx + gy);
        if (gx < std::numeric_limits<double>::min() || gy < std::numeric_limits<double>::min()) continue;
        ++compared;
        INFO("mean " << mean << " concentration " << conc << " i " << i);
        REQUIRE(std::memcmp(&x, &y, sizeof x) == 0);
      }
    }
  }
  CHECK(compared > 7000);
}

TEST_CASE("log_gamma is finite for tiny shapes and matches log(gamma) where gamma is normal", "[rng]") {
  for (std::uint32_t i = 0; i < 200; ++i) {
    Stream a(kKey, 4, i, Purpose::Traits), b(kKey, 4, i, Purpose::Traits);
    const double lg = a.log_gamma(0.3), g = b.gamma(0.3);
    if (g >= std::numeric_limits<double>::min()) CHECK(lg == Approx(std::log(g)).margin(1e-9));
    Stream c(kKey, 5, i, Purpose::Traits);
    CHECK(std::isfinite(c.log_gamma(1e-6)));
  }
}

TEST_CASE("unit_bin maps [0, 1] onto bins and clamps what is outside", "[rng]") {
  CHECK(unit_bin(0.0, 20) == 0);
  CHECK(unit_bin(0.0499, 20) == 0);
  CHECK(unit_bin(0.05, 20) == 1);
  CHECK(unit_bin(0.999999, 20) == 19);
  CHECK(unit_bin(1.0, 20) == 19);
}

TEST_CASE("poisson clamps a huge lambda instead of overflowing the count", "[rng]") {
  Stream r(kKey, 6, 0, Purpose::Items);
  CHECK(r.poisson(1e12) == 0xFFFFFFFFu);
  CHECK(r.poisson(std::nan("")) == 0u);
}
