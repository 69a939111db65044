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
//                power-law expected degrees w (exponent 2.5), in the Poisson form
//                of Norros & Reittu 2006 ("On a conditionally Poissonian graph
//                process", Adv. Appl. Prob. 38): pair {i, j} linked with
//                probability 1 - exp(-w_i w_j / sum w) ~ Chung-Lu's w_i w_j / sum w.
//
// Memory: the graph costs 8 bytes per node (offsets) plus 4 bytes per directed
// entry, i.e. 8 + 4 * mean_degree bytes per user (56 at mean degree 12).
// Generation needs on top 2 bytes per directed entry (a 16-bit row index, freed
// before returning) and O((n / 2^14)^2) bytes of block counts; it never holds an
// edge list of pairs: proposals are drawn twice from their counter-based
// streams (once to count, once to fill) instead of being stored. Peak at
// n = 10^7, degree 12: about 0.8 GB (0.56 GB of it the result).
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
///   * scale_free: Chung-Lu expected degrees following the profile
///     c (x + r0)^(-1/(gamma-1)), gamma = kScaleFreeExponent, w_r being its
///     integral over [r, r + 1) for ranks r = 0..n-1; r0 is set so the largest
///     expected degree is the structural cutoff sqrt(n * mean_degree) (so
///     w_i w_j / sum w <= 1) and c so the mean of w is exactly mean_degree; the
///     smallest expected degree is then about mean_degree / 3. Each rank r
///     proposes Poisson(w_r / 2) edges to ranks drawn proportional to weight
///     (an exact closed-form inverse CDF, no table), so pair {i, j} gets
///     Poisson(w_i w_j / sum w) proposals (Norros & Reittu 2006), collapsed to
///     one edge. Self-loops and collapsed multi-edges lower the mean by about
///     (sum w^2 / sum w)^2 / (2 n mean_degree) + sum w^2 / (n sum w): ~0.5% at
///     n = 2 * 10^4, ~0.03% at 10^7. Rank r is node (A r + B) mod n, A coprime
///     to n near 0.618 n (golden ratio) and B drawn from the key, so hubs are
///     spread evenly over the index range (traits do not depend on the index, so
///     the labelling has no statistical effect; it balances blocked passes).
/// - `rewire_probability`: Watts-Strogatz p in [0, 1]; used by small_world only
///   but validated for every kind.
/// - `key`: the run's key; every draw comes from
///   `Stream(key, kSetupDay, i, Purpose::Network)` for a node (or rank) i, so
///   the result depends only on (kind, n, mean_degree, rewire_probability, key),
///   never on the thread count.
///
/// Runs in parallel in the current oneTBB arena (limit it with tbb::task_arena
/// or tbb::global_control). Time O(n + edges); temporary memory about 2 bytes
/// per directed entry besides the result (see the file comment). Measured on a
/// shared 2-core machine at n = 10^7, degree 12: small_world ~3 s, random ~4.5 s,
/// scale_free ~7 s; peak resident ~0.8 GB.
///
/// Throws std::invalid_argument if mean_degree or rewire_probability is not
/// finite or out of range, or the graph cannot exist (mean_degree > n - 1; for
/// small_world k >= n).
Network make_network(NetworkKind kind, std::uint32_t n, double mean_degree, double rewire_probability, RunKey key);

}  // namespace complysim
