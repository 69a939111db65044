// complysim — counter-based random streams (model-spec.md section 8).
//
// Every draw comes from Random123's Philox4x32-10. A run's key is derived from
// (scenario seed, sweep point, replicate); a stream's counter is
// (day, agent, purpose, block), so any draw can be recomputed independently of
// thread count, shard split, resume, or decree design (common random numbers).
#pragma once

#include <Random123/philox.h>
#include <boost/random/normal_distribution.hpp>

#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>

namespace complysim {

/// What a stream is used for; the third counter word. Never reorder: values
/// are part of the reproducibility contract (changing them changes results).
enum class Purpose : std::uint32_t {
  Traits = 1,          ///< a user's traits at day 0
  HomePlatform = 2,    ///< a user's home platform
  Network = 3,         ///< network generation (agent = node)
  Climate = 4,         ///< daily belief pass (publicity; one block per 4 consecutive users, agent = the first)
  Items = 5,           ///< daily items of a user: count, sensitivity, moderation, sanctions
  PlatformChoice = 6,  ///< a platform operation's quantal-response choice
  Escalation = 7,      ///< a regulator's escalation draw
  Design = 8,          ///< sweep design sampling (scrambling, LHS permutations)
  ItemCount = 9,       ///< daily number of a user's intended items (one block per 4 consecutive users, agent = the first)
  Evidence = 10,       ///< whether a regulator's review period had any request in the represented country (agent = operation)
  Review = 0x100,      ///< the regulator's review of one posted item: day = posting day, agent = author, purpose = Review + the item's index among its author's items of that day
};

/// Poisson(lambda) by inversion of one uniform u in (0, 1): the smallest k
/// with P(X <= k) >= u (lambda < 30; exact up to rounding of the CDF).
/// `p0` must be std::exp(-lambda) (callers may pass a cached value).
inline std::uint32_t poisson_inverse(double lambda, double u, double p0) {
  // k = 0, 1, 2 without a data-dependent branch (the usual counts), then the
  // same recurrence on: p_k = p_{k-1} * (lambda / k), cdf_k = cdf_{k-1} + p_k.
  // (lambda / 1 and lambda / 2 are exact as lambda and lambda * 0.5.)
  const double p1 = p0 * lambda, cdf1 = p0 + p1;
  const double p2 = p1 * (lambda * 0.5), cdf2 = cdf1 + p2;
  if (!(u > cdf2)) return static_cast<std::uint32_t>(u > p0) + static_cast<std::uint32_t>(u > cdf1);
  double p = p2, cdf = cdf2;
  std::uint32_t k = 2;
  while (u > cdf && k < 1000) {
    ++k;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}
/// As above, computing exp(-lambda).
inline std::uint32_t poisson_inverse(double lambda, double u) { return poisson_inverse(lambda, u, std::exp(-lambda)); }

/// Uniform on (0, 1) from one 32-bit word, as Stream::uniform() makes it.
inline double word_to_uniform(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1p-32; }

/// Index of a share x in [0, 1] among `bins` equal bins, x = 1 in the last.
/// A value outside [0, 1] or not finite is a bug upstream (a sampler that made
/// NaN once wrote out of bounds here): debug builds stop on an assertion;
/// release builds clamp it (NaN to bin 0) rather than cast it to an index.
inline int unit_bin(double x, int bins) {
  assert(std::isfinite(x) && x >= 0.0 && x <= 1.0 && "unit_bin: value outside [0, 1]");
  if (!(x > 0.0)) return 0;
  if (!(x < 1.0)) return bins - 1;
  const int b = static_cast<int>(x * bins);
  return b < bins - 1 ? b : bins - 1;
}

/// Key of one run: 64 bits derived from (seed, point, replicate) by one Philox
/// encryption of (point, replicate) under the seed, so distinct
/// (point, replicate) pairs give distinct 128-bit blocks (truncated to 64 bits).
/// `point` is the sweep sample index, shared by every decree design.
struct RunKey {
  std::uint32_t k0 = 0, k1 = 0;
  static RunKey derive(std::uint64_t seed, std::uint64_t point, std::uint64_t replicate) {
    r123::Philox4x32 g;
    r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    r123::Philox4x32::ctr_type c = {{static_cast<std::uint32_t>(point), static_cast<std::uint32_t>(point >> 32),
                                     static_cast<std::uint32_t>(replicate), static_cast<std::uint32_t>(replicate >> 32)}};
    auto r = g(c, k);
    return RunKey{r[0], r[1]};
  }
};

/// Philox4x32-10 of n counters at once: out[4k .. 4k+3] is the block of
/// counter (c0, c1[k], c2, c3) under `key`, the same four words as Random123's
/// r123::Philox4x32 gives (a test checks), computed 16 counters at a time with
/// the widest vector instructions the CPU has (AVX-512, AVX2 or SSE2, chosen
/// at load time; integer arithmetic, so the same bits on every machine).
/// Shapes: c1 [n], out [4 n].
void philox_many(RunKey key, std::uint32_t c0, const std::uint32_t* c1, std::uint32_t c2, std::uint32_t c3, std::size_t n,
                 std::uint32_t* out);

/// Day index used for draws made before day 0 (traits, network).
inline constexpr std::uint32_t kSetupDay = 0xFFFFFFFFu;

/// A stream of uniform numbers for one (key, day, agent, purpose). Draws four
/// 32-bit words per Philox call; the fourth counter word counts calls.
/// Cheap to construct; not thread-shared (make one per agent per use).
class Stream {
 public:
  Stream(RunKey key, std::uint32_t day, std::uint32_t agent, Purpose purpose)
      : key_{{key.k0, key.k1}}, ctr_{{day, agent, static_cast<std::uint32_t>(purpose), 0}} {}
  /// The same stream with its first two blocks (8 words: blocks 0 and 1 of
  /// this counter, e.g. from philox_many) already computed; draws continue
  /// with block 2, so the words are those of the stream made above.
  Stream(RunKey key, std::uint32_t day, std::uint32_t agent, Purpose purpose, const std::uint32_t* first_two_blocks)
      : key_{{key.k0, key.k1}}, ctr_{{day, agent, static_cast<std::uint32_t>(purpose), 2}}, n_(8), pos_(0) {
    for (int i = 0; i < 8; ++i) buf_[i] = first_two_blocks[i];
  }

  /// UniformRandomBitGenerator interface (for Boost.Random distributions).
  using result_type = std::uint32_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 0xFFFFFFFFu; }
  result_type operator()() { return next_u32(); }

  /// Next raw 32-bit word.
  std::uint32_t next_u32() {
    if (pos_ == n_) refill();
    return buf_[pos_++];
  }
  /// Uniform on the open interval (0, 1), 32 bits of resolution.
  double uniform() { return word_to_uniform(next_u32()); }
  /// Uniform float on (0, 1) (for hot paths).
  float uniform_f() { return (static_cast<float>(next_u32() >> 8) + 0.5f) * 0x1p-24f; }
  /// Bernoulli draw with probability p (p <= 0 never, p >= 1 always, without consuming when certain).
  bool bernoulli(double p) {
    if (p <= 0.0) return false;
    if (p >= 1.0) return true;
    return uniform() < p;
  }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^32).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next_u32()) * n) >> 32);
  }
  /// Standard normal by the ziggurat method (Marsaglia & Tsang 2000, 128
  /// layers) of Boost.Random's normal_distribution<float>: one 32-bit word in
  /// the common case (7 bits layer, 1 bit sign, 24 bits position), no log or
  /// trigonometric call; widened to double. The same construction as numpy's
  /// float ziggurat; the gamma sampler below needs no more resolution.
  double normal() { return static_cast<double>(boost::random::normal_distribution<float>()(*this)); }
  /// Gamma(shape, 1) by Marsaglia & Tsang 2000 (shape > 0). For shape < 1 the
  /// boost G(shape + 1) u^(1/shape) can underflow to 0 (certainly for shape
  /// near 0.01); log_gamma() gives the same draw in log space, always finite.
  double gamma(double shape) {
    if (shape < 1.0) {
      const double u = uniform();
      return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = mt_d(shape);
    return gamma_mt(d, mt_c(d));
  }
  /// log of a Gamma(shape, 1) draw (shape > 0), from the same words as gamma()
  /// and finite for every shape > 0 that 1/shape does not overflow: for shape
  /// < 1, log G(shape + 1) + log(u) / shape (Marsaglia & Tsang 2000, section 6,
  /// with the boost u^(1/shape) taken as a logarithm).
  double log_gamma(double shape) {
    if (shape < 1.0) {
      const double u = uniform();
      return log_gamma(shape + 1.0) + std::log(u) / shape;
    }
    const double d = mt_d(shape);
    return std::log(gamma_mt(d, mt_c(d)));
  }
  /// The constants of Beta draws with one mean and concentration (shapes
  /// a = mean * concentration, b = (1 - mean) * concentration), computed once
  /// for any number of draws (see beta()).
  struct BetaShape {
    double mean = 0, a = 0, b = 0;
    double da = 0, db = 0, ca = 0, cb = 0;  ///< Marsaglia-Tsang d and c of each gamma (both shapes >= 1)
    bool both_at_least_one = false;
  };
  static BetaShape beta_shape(double mean, double concentration) {
    BetaShape q;
    q.mean = mean;
    if (mean <= 0.0 || mean >= 1.0) return q;
    q.a = mean * concentration;
    q.b = (1.0 - mean) * concentration;
    q.both_at_least_one = q.a >= 1.0 && q.b >= 1.0;
    if (q.both_at_least_one) {
      q.da = mt_d(q.a);
      q.db = mt_d(q.b);
      q.ca = mt_c(q.da);
      q.cb = mt_c(q.db);
    }
    return q;
  }
  /// A Beta draw X / (X + Y) of gamma variates X ~ Gamma(a), Y ~ Gamma(b),
  /// in [0, 1] and never NaN for every mean in [0, 1] and concentration > 0.
  /// Mean 0 or 1 returns exactly 0 or 1 (no draw). A shape below 1 draws
  /// X = G(a + 1) u^(1/a); when that product is not a normal double (it
  /// underflows for small shapes, which made 0 / 0 = NaN), the same words are
  /// used in log space: X / (X + Y) = 1 / (1 + exp(log Y - log X)). Draws whose
  /// products are normal keep their exact old bits.
  double beta(const BetaShape& q) {
    if (q.mean <= 0.0) return 0.0;
    if (q.mean >= 1.0) return 1.0;
    if (q.both_at_least_one) {
      const double x = gamma_mt(q.da, q.ca);
      const double y = gamma_mt(q.db, q.cb);
      return x / (x + y);
    }
    const Parts px = gamma_parts(q.a), py = gamma_parts(q.b);
    const double x = px.value(), y = py.value();
    if (x >= std::numeric_limits<double>::min() && y >= std::numeric_limits<double>::min()) return x / (x + y);
    return 1.0 / (1.0 + std::exp(py.log_value() - px.log_value()));
  }
  /// Beta with the given mean in [0, 1] and concentration (alpha + beta) > 0.
  double beta_mean(double mean, double concentration) { return beta(beta_shape(mean, concentration)); }
  /// Poisson(lambda) by inversion (lambda < 30) or the normal approximation,
  /// rounded and clamped to [0, 2^32 - 1] (NaN lambda gives 0).
  std::uint32_t poisson(double lambda) {
    if (lambda <= 0.0) return 0;
    if (lambda < 30.0) return poisson_inverse(lambda, uniform());
    const double x = std::floor(lambda + std::sqrt(lambda) * normal() + 0.5);
    if (!(x < 4294967295.0)) return x >= 4294967295.0 ? 0xFFFFFFFFu : 0u;  // clamp (lambda >= 2^32, or NaN: 0)
    return x < 0 ? 0u : static_cast<std::uint32_t>(x);
  }

 private:
  /// Marsaglia & Tsang 2000's constants for Gamma(shape >= 1): d = shape - 1/3, c = 1 / sqrt(9 d).
  static double mt_d(double shape) { return shape - 1.0 / 3.0; }
  static double mt_c(double d) { return 1.0 / std::sqrt(9.0 * d); }
  /// One Gamma(shape) draw kept as its factors: the draw is g u^(1/shape) for
  /// shape < 1 (boosted), g alone for shape >= 1 (u = 1, inv_shape = 0).
  struct Parts {
    double g = 1, u = 1, inv_shape = 0;
    double value() const { return inv_shape == 0 ? g : g * std::pow(u, inv_shape); }
    double log_value() const { return inv_shape == 0 ? std::log(g) : std::log(g) + std::log(u) * inv_shape; }
  };
  /// The words of gamma(shape) in the same order (u first, then G(shape + 1)).
  Parts gamma_parts(double shape) {
    Parts p;
    if (shape < 1.0) {
      p.u = uniform();
      p.inv_shape = 1.0 / shape;
      const double d = mt_d(shape + 1.0);
      p.g = gamma_mt(d, mt_c(d));
    } else {
      const double d = mt_d(shape);
      p.g = gamma_mt(d, mt_c(d));
    }
    return p;
  }
  /// Marsaglia & Tsang 2000's rejection loop: Gamma(d + 1/3, 1) given d and c = 1 / sqrt(9 d).
  double gamma_mt(double d, double c) {
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }
  void refill() {
    r123::Philox4x32 g;
    auto r = g(ctr_, key_);
    ++ctr_[3];
    for (int i = 0; i < 4; ++i) buf_[i] = r[i];
    n_ = 4;
    pos_ = 0;
  }
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  std::uint32_t buf_[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int n_ = 4;    ///< valid words in buf_
  int pos_ = 4;  ///< next word of buf_
};

}  // namespace complysim
