// complysim — social-network generators (see network.hpp for the models).
//
// Every generator is a "proposer": a function of a generator index g (a node, or
// for scale_free a rank) that draws from Stream(key, kSetupDay, g, Network) and
// emits undirected edges (a, b), a != b. `build_csr` turns a proposer into CSR
// without ever storing an edge list:
//   1. run every proposer, counting both endpoints' degrees (atomic adds);
//   2. prefix-sum the counts into offsets;
//   3. run every proposer again (same streams, same draws) and write b into row a
//      and a into row b at atomically claimed slots;
//   4. sort and deduplicate each row, compacting within fixed chunks of rows in
//      parallel, then slide the chunks down to their final place.
// The order inside a row after step 3 depends on thread timing, but the multiset
// of entries does not, and step 4 sorts, so the result is thread-count
// independent.
#include "complysim/model/network.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

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

/// Rows per chunk in the sort/compact step; a fixed constant (not thread-derived).
constexpr Index kChunkRows = 1u << 14;
/// Grain of the proposer loops.
constexpr Index kGrain = 1024;

/// Uniform node in 0..n-1 other than `self` (n >= 2).
inline Index other_node(Stream& s, Index self, Index n) {
  Index j = s.below(n - 1);
  return j >= self ? j + 1 : j;
}

inline void atomic_add(std::uint32_t& x) { std::atomic_ref<std::uint32_t>(x).fetch_add(1, std::memory_order_relaxed); }
/// Decrements x and returns the new value (claims a slot, counting down).
inline std::uint32_t atomic_claim(std::uint32_t& x) {
  return std::atomic_ref<std::uint32_t>(x).fetch_sub(1, std::memory_order_relaxed) - 1;
}

/// Steps 1-4 of the file comment. `propose(g, emit)` must call emit(a, b) with
/// a != b, a, b < n, identically every time it is called for the same g.
template <class Proposer>
Network build_csr(Index n, Index generators, const Proposer& propose) {
  Network net;
  std::vector<std::uint32_t> count(n, 0);  // degree, then fill cursor, then deduplicated degree

  // 1. Count.
  tbb::parallel_for(tbb::blocked_range<Index>(0, generators, kGrain), [&](const tbb::blocked_range<Index>& r) {
    for (Index g = r.begin(); g != r.end(); ++g)
      propose(g, [&](Index a, Index b) {
        atomic_add(count[a]);
        atomic_add(count[b]);
      });
  });

  // 2. Offsets (sequential: n additions, cheap next to the rest).
  net.offsets.resize(static_cast<std::size_t>(n) + 1);
  std::uint64_t total = 0;
  for (Index i = 0; i < n; ++i) {
    net.offsets[i] = total;
    total += count[i];
  }
  net.offsets[n] = total;

  // 3. Fill; count[i] counts down to 0 as row i's slots are claimed.
  net.neighbors.resize(total);
  {
    const std::uint64_t* off = net.offsets.data();
    std::uint32_t* nb = net.neighbors.data();
    tbb::parallel_for(tbb::blocked_range<Index>(0, generators, kGrain), [&](const tbb::blocked_range<Index>& r) {
      for (Index g = r.begin(); g != r.end(); ++g)
        propose(g, [&](Index a, Index b) {
          nb[off[a] + atomic_claim(count[a])] = b;
          nb[off[b] + atomic_claim(count[b])] = a;
        });
    });
  }

  // 4a. Sort + deduplicate each row; compact each chunk of rows towards its
  // chunk's start (within the chunk's own old range, so chunks never race).
  const Index chunks = n == 0 ? 0 : (n - 1) / kChunkRows + 1;
  std::vector<std::uint64_t> chunk_start(chunks);
  tbb::parallel_for(tbb::blocked_range<Index>(0, chunks, 1), [&](const tbb::blocked_range<Index>& r) {
    for (Index c = r.begin(); c != r.end(); ++c) {
      const Index lo = c * kChunkRows, hi = std::min(n, lo + kChunkRows);
      std::uint32_t* nb = net.neighbors.data();
      std::uint64_t write = net.offsets[lo];
      chunk_start[c] = write;
      for (Index i = lo; i < hi; ++i) {
        std::uint32_t* b = nb + net.offsets[i];
        std::uint32_t* e = nb + net.offsets[i + 1];
        std::sort(b, e);
        e = std::unique(b, e);
        const auto d = static_cast<std::size_t>(e - b);
        if (nb + write != b) std::memmove(nb + write, b, d * sizeof(std::uint32_t));
        write += d;
        count[i] = static_cast<std::uint32_t>(d);
      }
    }
  });

  // 4b. New offsets, then slide each chunk down (in order; destination <= source).
  total = 0;
  for (Index i = 0; i < n; ++i) {
    net.offsets[i] = total;
    total += count[i];
  }
  net.offsets[n] = total;
  for (Index c = 0; c < chunks; ++c) {
    const Index lo = c * kChunkRows, hi = std::min(n, lo + kChunkRows);
    const std::uint64_t dst = net.offsets[lo], len = net.offsets[hi] - dst;
    if (dst != chunk_start[c])
      std::memmove(net.neighbors.data() + dst, net.neighbors.data() + chunk_start[c], len * sizeof(std::uint32_t));
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
  return build_csr(n, n, [=](Index i, auto&& emit) {
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
  return build_csr(n, n, [=](Index i, auto&& emit) {
    Stream s(key, kSetupDay, i, Purpose::Network);
    const std::uint32_t c = s.poisson(lambda);
    for (std::uint32_t t = 0; t < c; ++t) emit(i, other_node(s, i, n));
  });
}

Network scale_free(Index n, double mean_degree, RunKey key) {
  // Expected degrees w_r = c (r + r0)^-a, a = 1 / (gamma - 1), over ranks r.
  // Choose r0 so that w_0 / mean(w) = sqrt(n d) / d (the structural cutoff),
  // using the integral approximation of the sum; then c exactly from the sum.
  const double a = 1.0 / (kScaleFreeExponent - 1.0);
  const double nd = static_cast<double>(n);
  const double target_ratio = std::sqrt(mean_degree / nd);  // mean / max
  auto ratio = [&](double r0) {  // mean(w) / w_0 ~ (1/n) sum ((r + r0) / r0)^-a
    const double lo = r0 - 0.5, hi = nd + r0 - 0.5;
    const double integral = (std::pow(hi, 1.0 - a) - std::pow(lo, 1.0 - a)) / (1.0 - a);
    return integral * std::pow(r0, a) / nd;
  };
  double lo = 0.5 + 1e-9, hi = 1e15;  // ratio increases with r0
  for (int it = 0; it < 200 && hi / lo > 1.0 + 1e-12; ++it) {
    const double mid = std::sqrt(lo * hi);
    (ratio(mid) < target_ratio ? lo : hi) = mid;
  }
  const double r0 = std::sqrt(lo * hi);

  // v_r = w_r / sqrt(sum w), so P(edge r-s) = min(1, v_r v_s). Stored as float
  // (4 bytes per node); probabilities need no more precision.
  std::vector<float> v(n);
  tbb::parallel_for(tbb::blocked_range<Index>(0, n, 1u << 14), [&](const tbb::blocked_range<Index>& r) {
    for (Index i = r.begin(); i != r.end(); ++i) v[i] = static_cast<float>(std::pow(static_cast<double>(i) + r0, -a));
  });
  double sum = 0;  // sequential: a deterministic order
  for (Index i = 0; i < n; ++i) sum += static_cast<double>(v[i]);
  const double scale = std::sqrt(mean_degree * nd) / sum;  // c / sqrt(sum w), with sum w = n d
  tbb::parallel_for(tbb::blocked_range<Index>(0, n, 1u << 14), [&](const tbb::blocked_range<Index>& r) {
    for (Index i = r.begin(); i != r.end(); ++i) v[i] = static_cast<float>(static_cast<double>(v[i]) * scale);
  });

  // Labels: rank r is node label[r], a uniform permutation by the inside-out
  // Fisher-Yates shuffle. Word 0 of rank r's stream is its shuffle draw; the
  // edge draws below skip it. Draws in parallel, the shuffle itself sequential.
  std::vector<Index> label(n);
  tbb::parallel_for(tbb::blocked_range<Index>(0, n, 1u << 14), [&](const tbb::blocked_range<Index>& r) {
    for (Index i = r.begin(); i != r.end(); ++i) label[i] = Stream(key, kSetupDay, i, Purpose::Network).below(i + 1);
  });
  for (Index i = 0; i < n; ++i) {
    const Index j = label[i];
    label[i] = label[j];  // j <= i; when j == i this is overwritten next line
    label[j] = i;
  }

  // Miller & Hagberg 2011: for rank r, walk s = r+1, r+2, ... skipping
  // geometrically with the current upper bound p (weights decrease in s) and
  // accepting candidate s with probability q / p, q = min(1, v_r v_s).
  const float* vw = v.data();
  const Index* lab = label.data();
  return build_csr(n, n, [=](Index r, auto&& emit) {
    Stream s(key, kSetupDay, r, Purpose::Network);
    (void)s.next_u32();  // word 0: the shuffle draw
    const double vr = vw[r];
    Index t = r + 1;
    if (t >= n) return;
    double p = std::min(1.0, vr * vw[t]);
    while (p > 0.0) {
      if (p < 1.0) {
        const double skip = std::floor(std::log(s.uniform()) / std::log1p(-p));
        if (skip >= static_cast<double>(n - t)) return;
        t += static_cast<Index>(skip);
      }
      const double q = std::min(1.0, vr * vw[t]);
      if (s.uniform() * p < q) emit(lab[r], lab[t]);
      p = q;
      if (++t >= n) return;
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
