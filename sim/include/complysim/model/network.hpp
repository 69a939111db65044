// complysim — the users' social network in compressed sparse row (CSR) form
// (model-spec.md section 3: `population.network`, `population.mean_degree`,
// `population.rewire_probability`).
//
// Three generators, all parallel over nodes with oneTBB and all drawing every
// random number from `Stream(key, kSetupDay, node, Purpose::Network)`, so the
// graph is bitwise identical for any thread count (model-spec.md section 8):
//
//   small_world  Watts & Strogatz 1998, "Collective dynamics of 'small-world'
//                networks", Nature 393: ring lattice, each lattice edge rewired
//                with probability p.
//   random       Erdős & Rényi 1959 / Gilbert 1959 in the sparse limit: Poisson
//                degrees with the given mean.
//   scale_free   Chung & Lu 2002, "Connected components in random graphs with
//                given expected degree sequences", Annals of Combinatorics 6:
//                edge {i, j} present with probability min(1, w_i w_j / sum w),
//                power-law expected degrees w (exponent 2.5), sampled in O(n + m)
//                by the skipping method of Miller & Hagberg 2011, "Efficient
//                generation of networks with given expected degrees", WAW 2011.
//
// Memory: the graph costs 8 bytes per node (offsets) plus 4 bytes per directed
// entry, i.e. 8 + 4 * mean_degree bytes per user (56 at mean degree 12).
// Generation needs on top only one 4-byte counter per node (plus, for
// scale_free, a 4-byte weight and a 4-byte label per node); it never holds an
// edge list: proposals are drawn twice from their counter-based streams (once to
// count degrees, once to fill the rows) instead of being stored.
#pragma once

#include "complysim/model/rng.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace complysim {

/// An undirected simple graph over nodes 0..n-1 (node = user index) in
/// compressed sparse row form.
///
/// Invariants (established by `make_network`, relied on by the model):
///  - `offsets` has n + 1 entries, `offsets[0] == 0`, non-decreasing;
///    `neighbors` has `offsets[n]` entries (one per directed edge, i.e. twice the
///    number of undirected edges);
///  - row i is `neighbors[offsets[i] .. offsets[i+1])`, sorted ascending, with
///    no duplicates and no self-loop (i never in row i);
///  - symmetric: j is in row i if and only if i is in row j.
/// A default-constructed Network (empty `offsets`) has size 0.
struct Network {
  /// Row starts, shape [n + 1]; `offsets[i]` indexes `neighbors`.
  std::vector<std::uint64_t> offsets;
  /// Concatenated rows, shape [offsets[n]]; node indices in 0..n-1.
  std::vector<std::uint32_t> neighbors;

  /// Number of nodes n (0 when `offsets` is empty).
  std::uint32_t size() const { return offsets.empty() ? 0u : static_cast<std::uint32_t>(offsets.size() - 1); }
  /// Number of neighbours of node i (i < size(); unchecked).
  std::uint32_t degree(std::uint32_t i) const { return static_cast<std::uint32_t>(offsets[i + 1] - offsets[i]); }
  /// The sorted neighbours of node i (i < size(); unchecked).
  std::span<const std::uint32_t> row(std::uint32_t i) const {
    return {neighbors.data() + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
  }
  /// Mean degree, 2 |E| / n (0 for an empty graph).
  double mean_degree() const {
    return size() == 0 ? 0.0 : static_cast<double>(neighbors.size()) / static_cast<double>(size());
  }
  /// Heap bytes held by the two arrays (by capacity, so what the process really pays).
  std::size_t bytes() const {
    return offsets.capacity() * sizeof(std::uint64_t) + neighbors.capacity() * sizeof(std::uint32_t);
  }
};

/// Which generator builds the network (`population.network`).
enum class NetworkKind { SmallWorld, ScaleFree, Random };

/// Parses the scenario word: "small_world" | "scale_free" | "random".
/// Throws std::invalid_argument naming the word and the accepted ones otherwise.
NetworkKind parse_network_kind(std::string_view word);

/// The scenario word of a kind ("small_world", "scale_free", "random").
std::string_view to_string(NetworkKind kind);

/// Exponent gamma of the scale_free generator's power-law expected degrees,
/// P(w) ~ w^-gamma (Chung & Lu 2002 use 2 < gamma < 3; 2.5 is mid-range and close
/// to what is measured for online social networks, e.g. Mislove et al. 2007).
inline constexpr double kScaleFreeExponent = 2.5;

/// Builds the social network of n users.
///
/// - `kind`: the generator (see the file comment for the literature).
/// - `n`: number of nodes (users); node i is user i.
/// - `mean_degree`: target mean number of contacts (>= 0, and <= n - 1).
///   * small_world: lattice degree k = round(mean_degree), so the realised mean
///     is k exactly (p = 0) or k minus the rare rewired duplicates, below 0.1%
///     for k = 12 at n >= 10^4. Even k: each node linked to its k/2 nearest
///     neighbours on each side. Odd k = 2h + 1: h on each side plus one "chord"
///     to the diametrically opposite node i + floor(n/2) for i < floor(n/2) (the
///     Möbius-ladder generalisation, so every node has degree exactly k for even
///     n; for odd n the last node has k - 1). Each lattice edge (i, i + m),
///     chords included, is rewired with probability `rewire_probability` to
///     (i, j) with j uniform over the other n - 1 nodes. Unlike Watts & Strogatz,
///     a rewiring that hits an existing edge is not redrawn; the duplicate is
///     dropped (expected loss about p k / n of edges per node, negligible).
///   * random: each node proposes Poisson(mean_degree / 2) edges to uniform
///     other nodes; degrees are then Poisson(mean_degree) up to the dropped
///     duplicates (a fraction about mean_degree / (2 n) of edges, negligible).
///   * scale_free: Chung-Lu with expected degrees w_r = c (r + r0)^(-1/(gamma-1))
///     over ranks r = 0..n-1, gamma = kScaleFreeExponent, with r0 set so the
///     largest expected degree is the structural cutoff sqrt(n * mean_degree)
///     (so w_i w_j / sum w <= 1 and the Chung-Lu probabilities need no clipping)
///     and c so the mean of w is exactly mean_degree; the smallest expected
///     degree is then about mean_degree / 3. The realised mean is mean_degree
///     minus the excluded self-loops (sum w^2 / (n sum w), under 0.5% at n >=
///     10^4). Ranks are mapped to nodes by a uniformly random permutation, so a
///     node's index says nothing about its degree. The graph is simple by
///     construction (each pair considered once).
/// - `rewire_probability`: Watts-Strogatz p in [0, 1]; used by small_world only
///   but validated for every kind.
/// - `key`: the run's key; every draw comes from
///   `Stream(key, kSetupDay, i, Purpose::Network)` for a node (or rank) i, so
///   the result depends only on (kind, n, mean_degree, rewire_probability, key),
///   never on the thread count.
///
/// Runs in parallel in the current oneTBB arena (limit it with tbb::task_arena
/// or tbb::global_control). Time O(n + edges); temporary memory 4 bytes per node
/// (12 for scale_free) besides the result.
///
/// Throws std::invalid_argument if mean_degree or rewire_probability is not
/// finite or out of range, or the graph cannot exist (mean_degree > n - 1; for
/// small_world k >= n).
Network make_network(NetworkKind kind, std::uint32_t n, double mean_degree, double rewire_probability, RunKey key);

}  // namespace complysim
