// complysim — sweep designs and run enumeration (see designs.hpp).
#include "complysim/simulation/designs.hpp"

#include "complysim/model/rng.hpp"

#include <boost/random/sobol.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace complysim {

namespace {

constexpr std::uint32_t kLhsDay = 0;    // stream day word for LHS columns
constexpr std::uint32_t kShiftDay = 1;  // stream day word for Sobol digital shifts

std::vector<std::string> names_of(const std::vector<SweepParameter>& params) {
  std::vector<std::string> names;
  names.reserve(params.size());
  for (const auto& p : params) names.push_back(p.name);
  return names;
}

void check_ranges(const std::vector<SweepParameter>& params, const char* who) {
  if (params.empty()) throw std::invalid_argument(std::string(who) + ": no swept parameters");
  for (const auto& p : params) {
    if (!std::isfinite(p.min) || !std::isfinite(p.max))
      throw std::invalid_argument(std::string(who) + ": parameter '" + p.name + "' has a non-finite bound");
    if (p.min > p.max)
      throw std::invalid_argument(std::string(who) + ": parameter '" + p.name + "' has min " + std::to_string(p.min) +
                                  " > max " + std::to_string(p.max));
  }
}

void check_factor(std::int64_t v, const char* what) {
  if (v < 1) throw std::invalid_argument(std::string("sweep runs: ") + what + " must be >= 1, got " + std::to_string(v));
}

}  // namespace

SampleMatrix make_grid(const std::vector<SweepParameter>& params) {
  std::int64_t rows = 1;
  for (const auto& p : params) {
    if (p.values.empty()) throw std::invalid_argument("grid design: parameter '" + p.name + "' has no values");
    for (double v : p.values)
      if (!std::isfinite(v)) throw std::invalid_argument("grid design: parameter '" + p.name + "' has a non-finite value");
    const auto k = static_cast<std::int64_t>(p.values.size());
    if (rows > std::numeric_limits<std::int32_t>::max() / k)
      throw std::invalid_argument("grid design: too many points (more than 2^31)");
    rows *= k;
  }
  const auto d = static_cast<Eigen::Index>(params.size());
  SampleMatrix m;
  m.kind = "grid";
  m.names = names_of(params);
  m.X.resize(rows, d);
  m.block.assign(static_cast<std::size_t>(rows), std::int8_t{-1});
  // Odometer: the last parameter varies fastest.
  std::int64_t stride = rows;
  for (Eigen::Index j = 0; j < d; ++j) {
    const auto& vals = params[static_cast<std::size_t>(j)].values;
    const auto k = static_cast<std::int64_t>(vals.size());
    stride /= k;
    for (std::int64_t r = 0; r < rows; ++r) m.X(r, j) = vals[static_cast<std::size_t>((r / stride) % k)];
  }
  return m;
}

SampleMatrix make_lhs(const std::vector<SweepParameter>& params, std::int64_t n, std::uint64_t seed) {
  check_ranges(params, "lhs design");
  if (n < 1 || n > std::int64_t{0xFFFFFFFF})
    throw std::invalid_argument("lhs design: samples must be in [1, 2^32), got " + std::to_string(n));
  const auto d = static_cast<Eigen::Index>(params.size());
  SampleMatrix m;
  m.kind = "lhs";
  m.names = names_of(params);
  m.X.resize(n, d);
  m.block.assign(static_cast<std::size_t>(n), std::int8_t{-1});
  const RunKey key = RunKey::derive(seed, 0, 0);
  std::vector<std::uint32_t> perm(static_cast<std::size_t>(n));
  for (Eigen::Index j = 0; j < d; ++j) {
    Stream rng(key, kLhsDay, static_cast<std::uint32_t>(j), Purpose::Design);
    std::iota(perm.begin(), perm.end(), 0u);
    for (std::int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
      const std::uint32_t k = rng.below(static_cast<std::uint32_t>(i + 1));
      std::swap(perm[static_cast<std::size_t>(i)], perm[k]);
    }
    const auto& p = params[static_cast<std::size_t>(j)];
    const double width = (p.max - p.min) / static_cast<double>(n);
    for (std::int64_t s = 0; s < n; ++s) {
      const double u = rng.uniform();  // open (0, 1): never on a stratum edge
      const double x = p.min + width * (static_cast<double>(perm[static_cast<std::size_t>(s)]) + u);
      m.X(s, j) = std::min(x, p.max);  // guard against rounding past max
    }
  }
  return m;
}

std::uint64_t owen_scramble(std::uint64_t x, std::uint64_t seed) {
  // Nested uniform scrambling of the binary digits of x / 2^64: digit k (from
  // the most significant) is flipped by a random bit that depends on the seed,
  // k and the k digits above it, i.e. one independent random flip per node of
  // the binary tree of elementary intervals (Owen 1995; the random bits from a
  // hash as in Burley 2020, "Practical hash-based Owen scrambling"). Sobol
  // points with N <= 2^32 differ within their top 32 digits, so below them all
  // digits of a point are independent uniform bits: one hash of the full
  // 32-digit prefix gives them (exactly Owen's scramble at that depth).
  const auto mix = [](std::uint64_t z) {  // splitmix64's finaliser (Steele, Lea & Flood 2014)
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::uint64_t out = 0;
  for (int k = 0; k < 32; ++k) {
    const int bit = 63 - k;
    const std::uint64_t prefix = k == 0 ? 0 : x >> (bit + 1);  // the k digits above digit k
    const std::uint64_t flip = mix(seed ^ mix((static_cast<std::uint64_t>(k) << 32) ^ prefix)) >> 63;
    out |= (((x >> bit) & 1u) ^ flip) << bit;
  }
  const std::uint64_t low = mix(seed ^ mix((std::uint64_t{32} << 32) ^ (x >> 32)) ^ 0x9E3779B97F4A7C15ull);
  return out | (low & 0xFFFFFFFFull);
}

SampleMatrix make_saltelli(const std::vector<SweepParameter>& params, std::int64_t N, bool scramble,
                           std::uint64_t seed) {
  check_ranges(params, "sobol design");
  const auto d = static_cast<std::int64_t>(params.size());
  const std::int64_t dim2 = 2 * d;
  if (dim2 > static_cast<std::int64_t>(boost::random::default_sobol_table::max_dimension))
    throw std::invalid_argument("sobol design: " + std::to_string(d) + " parameters need " + std::to_string(dim2) +
                                " Sobol dimensions; at most " +
                                std::to_string(boost::random::default_sobol_table::max_dimension) + " are available");
  if (d + 2 > 127) throw std::invalid_argument("sobol design: at most 125 parameters (block ids are 8-bit)");
  if (N < 1 || N > std::int64_t{0xFFFFFFFF})
    throw std::invalid_argument("sobol design: samples (base size N) must be in [1, 2^32), got " + std::to_string(N));

  // One 64-bit scrambling seed per Sobol dimension.
  std::vector<std::uint64_t> seed_of(static_cast<std::size_t>(dim2), 0);
  if (scramble) {
    const RunKey key = RunKey::derive(seed, 0, 0);
    for (std::int64_t j = 0; j < dim2; ++j) {
      Stream rng(key, kShiftDay, static_cast<std::uint32_t>(j), Purpose::Design);
      const std::uint64_t hi = rng.next_u32(), lo = rng.next_u32();
      seed_of[static_cast<std::size_t>(j)] = (hi << 32) | lo;
    }
  }

  // Base points 0..N-1 in the unit cube (Owen 2020: keep the first point, so
  // that N = 2^m points are a balanced (t, m, s)-net): A = columns 0..d-1,
  // B = columns d..2d-1. Boost's sobol yields points 1, 2, ...; point 0 is all zeros.
  Eigen::MatrixXd U(N, dim2);
  boost::random::sobol qrng(static_cast<std::size_t>(dim2));
  for (std::int64_t r = 0; r < N; ++r)
    for (std::int64_t j = 0; j < dim2; ++j) {
      const std::uint64_t w = r == 0 ? 0 : static_cast<std::uint64_t>(qrng());
      const std::uint64_t v = scramble ? owen_scramble(w, seed_of[static_cast<std::size_t>(j)]) : w;
      U(r, j) = static_cast<double>(v >> 11) * 0x1p-53;  // [0, 1), 53 bits
    }

  SampleMatrix m;
  m.kind = "sobol";
  m.names = names_of(params);
  m.sobol_base = N;
  const std::int64_t rows = N * (d + 2);
  m.X.resize(rows, d);
  m.block.resize(static_cast<std::size_t>(rows));
  const auto A = U.leftCols(d);
  const auto B = U.rightCols(d);
  m.X.topRows(N) = A;
  m.X.middleRows(N, N) = B;
  for (std::int64_t i = 0; i < d; ++i) {
    auto AB = m.X.middleRows((2 + i) * N, N);
    AB = A;
    AB.col(i) = B.col(i);
  }
  for (std::int64_t r = 0; r < rows; ++r) m.block[static_cast<std::size_t>(r)] = static_cast<std::int8_t>(r / N);
  for (std::int64_t j = 0; j < d; ++j) {
    const auto& p = params[static_cast<std::size_t>(j)];
    m.X.col(j) = (p.min + (p.max - p.min) * m.X.col(j).array()).matrix();
  }
  return m;
}

SampleMatrix make_points(const SweepSpec& spec) {
  const auto d = static_cast<Eigen::Index>(spec.point_names.size());
  if (d == 0 || spec.points.empty())
    throw std::invalid_argument("file design: no points (the scenario's points file was not read)");
  if (spec.points.size() % static_cast<std::size_t>(d) != 0)
    throw std::invalid_argument("file design: the points do not fill whole rows");
  const auto rows = static_cast<Eigen::Index>(spec.points.size() / static_cast<std::size_t>(d));
  if (!spec.point_weights.empty() && static_cast<Eigen::Index>(spec.point_weights.size()) != rows)
    throw std::invalid_argument("file design: the weights differ in number from the points");
  SampleMatrix m;
  m.kind = "file";
  m.names = spec.point_names;
  m.X.resize(rows, d);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < d; ++j) m.X(i, j) = spec.points[static_cast<std::size_t>(i * d + j)];
  m.block.assign(static_cast<std::size_t>(rows), std::int8_t{-1});
  m.weight = spec.point_weights;
  return m;
}

SampleMatrix make_design(const SweepSpec& spec, std::uint64_t seed) {
  if (spec.design == "file") return make_points(spec);
  if (spec.design == "grid") return make_grid(spec.parameters);
  if (spec.design == "lhs") return make_lhs(spec.parameters, spec.samples, seed);
  if (spec.design == "sobol") return make_saltelli(spec.parameters, spec.samples, spec.scramble, seed);
  throw std::invalid_argument("sweep: unknown design '" + spec.design + "' (expected grid, lhs, sobol or file)");
}

std::int64_t n_runs(std::int64_t designs, std::int64_t samples, std::int64_t replicates) {
  check_factor(designs, "designs");
  check_factor(samples, "samples");
  check_factor(replicates, "replicates");
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (samples > kMax / designs || replicates > kMax / (designs * samples))
    throw std::invalid_argument("sweep runs: designs * samples * replicates overflows");
  return designs * samples * replicates;
}

RunIndex run_at(std::int64_t run, std::int64_t designs, std::int64_t samples, std::int64_t replicates) {
  const std::int64_t total = n_runs(designs, samples, replicates);
  if (run < 0 || run >= total)
    throw std::out_of_range("sweep runs: run " + std::to_string(run) + " not in [0, " + std::to_string(total) + ")");
  RunIndex r;
  r.run = run;
  r.replicate = run % replicates;
  r.sample = (run / replicates) % samples;
  r.design = run / replicates / samples;
  return r;
}

std::int64_t run_index(std::int64_t design, std::int64_t sample, std::int64_t replicate, std::int64_t designs,
                       std::int64_t samples, std::int64_t replicates) {
  n_runs(designs, samples, replicates);
  if (design < 0 || design >= designs) throw std::out_of_range("sweep runs: design index out of range");
  if (sample < 0 || sample >= samples) throw std::out_of_range("sweep runs: sample index out of range");
  if (replicate < 0 || replicate >= replicates) throw std::out_of_range("sweep runs: replicate index out of range");
  return (design * samples + sample) * replicates + replicate;
}

std::vector<std::int64_t> shard_runs(std::int64_t n_runs_total, std::int64_t shard_i, std::int64_t shard_n) {
  if (n_runs_total < 0) throw std::invalid_argument("shard: number of runs must be >= 0");
  if (shard_n < 1) throw std::invalid_argument("shard: N must be >= 1 in --shard I/N, got " + std::to_string(shard_n));
  if (shard_i < 0 || shard_i >= shard_n)
    throw std::invalid_argument("shard: I must be in [0, N) in --shard I/N, got " + std::to_string(shard_i) + "/" +
                                std::to_string(shard_n));
  std::vector<std::int64_t> runs;
  if (shard_i < n_runs_total) runs.reserve(static_cast<std::size_t>((n_runs_total - shard_i + shard_n - 1) / shard_n));
  for (std::int64_t r = shard_i; r < n_runs_total; r += shard_n) {
    runs.push_back(r);
    if (n_runs_total - r <= shard_n) break;  // no overflow near INT64_MAX
  }
  return runs;
}

}  // namespace complysim
