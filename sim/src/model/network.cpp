// complysim — social-network generators (see network.hpp for the models).
//
// Every generator is a "proposer": a function of a generator index g (a node, or
// for scale_free a rank) that draws from Stream(key, kSetupDay, g, Network) and
// emits undirected edges (a, b), a != b. `build_csr` turns a proposer into CSR
// without atomics and without a full edge list of (row, column) pairs:
//   1. generators run in fixed blocks of 2^14; each block counts the directed
//      entries (a -> b and b -> a) it will send to each destination block of 2^16
//      rows. A [generator blocks x destination blocks] count matrix, no atomics.
//   2. a prefix sum over (destination block, generator block) gives every
//      generator block a private write cursor inside each destination block's
//      region of the neighbour array; regions are laid out in node order.
//   3. generators run again (same streams, same draws) and append each entry's
//      column to the neighbour array and its row (16 bits, relative to its
//      destination block) to a temporary array: 6 bytes per directed entry.
//      Writes go to one cache-friendly stream per destination block.
//   4. each destination block, in parallel, counting-sorts its region by row,
//      then sorts and deduplicates each row, compacting towards the region start.
//   5. the deduplicated degrees are prefix-summed into offsets and each region
//      slides down to its final place.
// Every write position is a function of (generator block, destination block,
// order of draws), so even the intermediate layout is independent of the
// thread count. Peak memory: the result plus 2 bytes per directed entry
// (the 16-bit rows) plus O(blocks^2) counts.
#include "complysim/model/network.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace complysim {

NetworkKind parse_network_kind(std::string_view word) {
  if (word == "small_world") return NetworkKind::SmallWorld;
  if (word == "scale_free") return NetworkKind::ScaleFree;
  if (word == "random") return NetworkKind::Random;
  throw std::invalid_argument("unknown network kind '" + std::string(word) +
                              "': expected one of small_world, scale_free, random");
}

std::string_view to_string(NetworkKind kind) {
  switch (kind) {
    case NetworkKind::SmallWorld: return "small_world";
    case NetworkKind::ScaleFree: return "scale_free";
    case NetworkKind::Random: return "random";
  }
  return "unknown";
}

namespace {

using Index = std::uint32_t;

constexpr unsigned kGenShift = 14;  // generators per block: 2^14
constexpr unsigned kRowShift = 16;  // rows per destination block: 2^16 (so a row fits 16 bits)
constexpr Index kRowMask = (Index{1} << kRowShift) - 1;

/// Uniform node in 0..n-1 other than `self` (n >= 2).
inline Index other_node(Stream& s, Index self, Index n) {
  Index j = s.below(n - 1);
  return j >= self ? j + 1 : j;
}

inline Index blocks_of(Index n, unsigned shift) {
  return static_cast<Index>((static_cast<std::uint64_t>(n) + (std::uint64_t{1} << shift) - 1) >> shift);
}

/// Steps 1-5 of the file comment. `propose(g, emit)` for g < n must call
/// emit(a, b) with a != b, a, b < n, identically every time it is called for
/// the same g.
template <class Proposer>
Network build_csr(Index n, const Proposer& propose) {
  const Index gblocks = blocks_of(n, kGenShift), dblocks = blocks_of(n, kRowShift);
  auto gen_range = [n](Index b) {
    const Index lo = b << kGenShift;
    return std::pair<Index, Index>{lo, static_cast<Index>(std::min<std::uint64_t>(n, std::uint64_t{lo} + (1u << kGenShift)))};
  };

  // 1. Count entries per (generator block, destination block).
  std::vector<std::uint64_t> cursor(static_cast<std::size_t>(gblocks) * dblocks, 0);
  tbb::parallel_for(tbb::blocked_range<Index>(0, gblocks, 1), [&](const tbb::blocked_range<Index>& r) {
    for (Index b = r.begin(); b != r.end(); ++b) {
      std::uint64_t* c = cursor.data() + static_cast<std::size_t>(b) * dblocks;
      const auto [lo, hi] = gen_range(b);
      for (Index g = lo; g < hi; ++g)
        propose(g, [c](Index x, Index y) {
          ++c[x >> kRowShift];
          ++c[y >> kRowShift];
        });
    }
  });

  // 2. Region of each destination block; private cursors inside it.
  std::vector<std::uint64_t> region(static_cast<std::size_t>(dblocks) + 1);
  std::uint64_t total = 0;
  for (Index d = 0; d < dblocks; ++d) {
    region[d] = total;
    for (Index b = 0; b < gblocks; ++b) {
      std::uint64_t& c = cursor[static_cast<std::size_t>(b) * dblocks + d];
      const std::uint64_t k = c;
      c = total;
      total += k;
    }
  }
  region[dblocks] = total;

  // 3. Fill columns and 16-bit local rows.
  Network net;
  net.neighbors.resize(total);
  std::vector<std::uint16_t> local_row(total);
  {
    std::uint32_t* nb = net.neighbors.data();
    std::uint16_t* lr = local_row.data();
    tbb::parallel_for(tbb::blocked_range<Index>(0, gblocks, 1), [&](const tbb::blocked_range<Index>& r) {
      for (Index b = r.begin(); b != r.end(); ++b) {
        std::uint64_t* c = cursor.data() + static_cast<std::size_t>(b) * dblocks;
        auto put = [c, nb, lr](Index row, Index col) {
          const std::uint64_t at = c[row >> kRowShift]++;
          nb[at] = col;
          lr[at] = static_cast<std::uint16_t>(row & kRowMask);
        };
        const auto [lo, hi] = gen_range(b);
        for (Index g = lo; g < hi; ++g)
          propose(g, [&put](Index x, Index y) {
            put(x, y);
            put(y, x);
          });
      }
    });
  }
  std::vector<std::uint64_t>().swap(cursor);

  // 4. Per destination block: counting sort by row, then sort + deduplicate each
  // row, compacting towards the region start. offsets[i + 1] = deduplicated degree.
  net.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  struct Scratch {
    std::vector<std::uint32_t> start, column;
  };
  tbb::enumerable_thread_specific<Scratch> scratch;
  tbb::parallel_for(tbb::blocked_range<Index>(0, dblocks, 1), [&](const tbb::blocked_range<Index>& r) {
    Scratch& s = scratch.local();
    std::uint32_t* nb = net.neighbors.data();
    for (Index d = r.begin(); d != r.end(); ++d) {
      const Index lo = d << kRowShift;
      const Index rows = static_cast<Index>(std::min<std::uint64_t>(n, std::uint64_t{lo} + (1u << kRowShift)) - lo);
      const std::uint64_t S = region[d], E = region[d + 1];
      s.start.assign(static_cast<std::size_t>(rows) + 1, 0);
      for (std::uint64_t e = S; e < E; ++e) ++s.start[local_row[e] + 1u];
      for (Index i = 0; i < rows; ++i) s.start[i + 1] += s.start[i];
      s.column.assign(nb + S, nb + E);
      {
        std::vector<std::uint32_t>& fill = s.start;  // advances row starts; restored below
        for (std::uint64_t e = S; e < E; ++e) nb[S + fill[local_row[e]]++] = s.column[e - S];
      }
      // Now start[i] is the end of row i (= old start of row i + 1).
      std::uint64_t write = S;
      std::uint32_t begin = 0;
      for (Index i = 0; i < rows; ++i) {
        std::uint32_t* b = nb + S + begin;
        std::uint32_t* e = nb + S + s.start[i];
        begin = s.start[i];
        std::sort(b, e);
        e = std::unique(b, e);
        const auto k = static_cast<std::size_t>(e - b);
        if (nb + write != b) std::memmove(nb + write, b, k * sizeof(std::uint32_t));
        write += k;
        net.offsets[std::size_t{lo} + i + 1] = k;
      }
    }
  });
  std::vector<std::uint16_t>().swap(local_row);

  // 5. Offsets, then slide each region down (in order; destination <= source).
  for (Index i = 0; i < n; ++i) net.offsets[i + 1] += net.offsets[i];
  total = net.offsets[n];
  for (Index d = 0; d < dblocks; ++d) {
    const Index lo = d << kRowShift;
    const Index hi = static_cast<Index>(std::min<std::uint64_t>(n, std::uint64_t{lo} + (1u << kRowShift)));
    const std::uint64_t dst = net.offsets[lo], len = net.offsets[hi] - dst;
    if (dst != region[d])
      std::memmove(net.neighbors.data() + dst, net.neighbors.data() + region[d], len * sizeof(std::uint32_t));
  }
  const std::size_t dropped = net.neighbors.size() - total;
  net.neighbors.resize(total);
  if (dropped > total / 32) net.neighbors.shrink_to_fit();  // only when worth a copy
  return net;
}

Network small_world(Index n, double mean_degree, double p, RunKey key) {
  const double kd = std::round(mean_degree);
  if (kd >= static_cast<double>(n))
    throw std::invalid_argument("small_world network: lattice degree round(mean_degree) = " + std::to_string(kd) +
                                " must be below the number of users " + std::to_string(n));
  const auto k = static_cast<Index>(kd);
  const Index h = k / 2, half = n / 2;
  const bool odd = (k % 2) == 1;
  return build_csr(n, [=](Index i, auto&& emit) {
    Stream s(key, kSetupDay, i, Purpose::Network);
    for (Index m = 1; m <= h; ++m) {
      Index j = static_cast<Index>((static_cast<std::uint64_t>(i) + m) % n);
      if (s.bernoulli(p)) j = other_node(s, i, n);
      emit(i, j);
    }
    if (odd && i < half) {
      Index j = i + half;
      if (s.bernoulli(p)) j = other_node(s, i, n);
      emit(i, j);
    }
  });
}

Network random_graph(Index n, double mean_degree, RunKey key) {
  const double lambda = mean_degree / 2.0;
  return build_csr(n, [=](Index i, auto&& emit) {
    Stream s(key, kSetupDay, i, Purpose::Network);
    const std::uint32_t c = s.poisson(lambda);
    for (std::uint32_t t = 0; t < c; ++t) emit(i, other_node(s, i, n));
  });
}

/// Chung & Lu 2002 expected degrees in their Poisson form (Norros & Reittu
/// 2006): pair {i, j} gets Poisson(w_i w_j / sum w) edges, collapsed to one, so
/// P(edge) = 1 - exp(-w_i w_j / sum w), Chung-Lu's w_i w_j / sum w to second
/// order. Sampled per rank r: Poisson(w_r / 2) proposals to ranks drawn with
/// probability proportional to weight (by Poisson splitting, each pair's two
/// directions add to Poisson(w_i w_j / sum w)).
///
/// Weights: the power-law profile c (x + r0)^-(1/(gamma-1)) = c (x + r0)^(-2/3)
/// on x in [0, n), with w_r its integral over [r, r + 1):
///   w_r = 3 c ((r + 1 + r0)^(1/3) - (r + r0)^(1/3)),
/// so a rank proportional to weight is an exact inverse-CDF draw, O(1) with no
/// table: t = floor((R0 + U (Rn - R0))^3 - r0), R0 = r0^(1/3), Rn = (n + r0)^(1/3).
/// r0 makes w_0 the structural cutoff sqrt(n d) (so w_i w_j / sum w <= 1), c
/// makes sum w = n d exactly.
Network scale_free(Index n, double mean_degree, RunKey key) {
  static_assert(kScaleFreeExponent == 2.5, "the closed forms below use 1 - 1/(gamma - 1) = 1/3");
  const double nd = static_cast<double>(n);
  // mean(w) / w_0 = ((n + r0)^(1/3) - r0^(1/3)) / (n ((1 + r0)^(1/3) - r0^(1/3))), increasing in r0.
  auto ratio = [nd](double r0) {
    return (std::cbrt(nd + r0) - std::cbrt(r0)) / (nd * (std::cbrt(1.0 + r0) - std::cbrt(r0)));
  };
  const double target_ratio = std::sqrt(mean_degree / nd);  // mean / max
  double r0_lo = 1e-12, r0_hi = 1e15;  // geometric bisection
  for (int it = 0; it < 200 && r0_hi / r0_lo > 1.0 + 1e-13; ++it) {
    const double mid = std::sqrt(r0_lo * r0_hi);
    (ratio(mid) < target_ratio ? r0_lo : r0_hi) = mid;
  }
  const double r0 = r0_hi;
  const double R0 = std::cbrt(r0), Rn = std::cbrt(nd + r0);
  const double c3 = mean_degree * nd / (Rn - R0);  // 3 c
  auto half_weight = [c3, r0](Index r) {
    const double x = static_cast<double>(r) + r0;
    return 0.5 * c3 * (std::cbrt(x + 1.0) - std::cbrt(x));
  };

  // Labels: rank r is node (A r + B) mod n with A coprime to n and A / n near
  // the golden ratio, so consecutive ranks land far apart and every block of
  // node indices holds its share of hubs (load balance for blocked passes). B
  // comes from word 0 of rank 0's stream; word 0 of every rank's stream is
  // reserved for this, the edge draws below skip it. Computed, not tabled: a
  // table would cost 4 bytes per node and a cache miss per edge. Statistically
  // any labelling is equivalent: users' traits are independent of their index.
  Index A = std::max<Index>(1, static_cast<Index>(0.6180339887498949 * nd));
  while (std::gcd(A, n) != 1) ++A;
  const Index B = Stream(key, kSetupDay, 0, Purpose::Network).below(n);
  auto label = [A, B, n](Index r) { return static_cast<Index>((static_cast<std::uint64_t>(A) * r + B) % n); };

  const double span = Rn - R0, top = static_cast<double>(n - 1);
  return build_csr(n, [=](Index r, auto&& emit) {
    Stream s(key, kSetupDay, r, Purpose::Network);
    (void)s.next_u32();  // word 0: reserved for the labelling offset
    const std::uint32_t k = s.poisson(half_weight(r));
    const Index me = label(r);
    for (std::uint32_t e = 0; e < k; ++e) {
      const double y = R0 + s.uniform() * span;
      const double t = std::floor(y * y * y - r0);
      const Index target = static_cast<Index>(std::clamp(t, 0.0, top));
      if (target != r) emit(me, label(target));  // self-loops dropped
    }
  });
}

}  // namespace

Network make_network(NetworkKind kind, std::uint32_t n, double mean_degree, double rewire_probability, RunKey key) {
  if (!std::isfinite(mean_degree) || mean_degree < 0.0)
    throw std::invalid_argument("network mean_degree must be a finite number >= 0, got " + std::to_string(mean_degree));
  if (!std::isfinite(rewire_probability) || rewire_probability < 0.0 || rewire_probability > 1.0)
    throw std::invalid_argument("network rewire_probability must be in [0, 1], got " +
                                std::to_string(rewire_probability));
  if (n > 0 && mean_degree > static_cast<double>(n - 1))
    throw std::invalid_argument("network mean_degree " + std::to_string(mean_degree) +
                                " exceeds n - 1 = " + std::to_string(n - 1) + " (n users)");
  if (n == 0 || mean_degree == 0.0) {
    Network empty;
    empty.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    return empty;
  }
  switch (kind) {
    case NetworkKind::SmallWorld: return small_world(n, mean_degree, rewire_probability, key);
    case NetworkKind::Random: return random_graph(n, mean_degree, key);
    case NetworkKind::ScaleFree: return scale_free(n, mean_degree, key);
  }
  throw std::invalid_argument("unknown NetworkKind");
}

}  // namespace complysim
