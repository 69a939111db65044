// complysim — sweep designs (grid, Latin hypercube, Saltelli/Sobol) and the
// enumeration of a sweep's runs and shards (issue 4; model-spec.md sections 6 and 8).
//
// Pure functions: no I/O, no global state. Every random choice comes from
// complysim::Stream keyed by RunKey::derive(seed, 0, 0) with Purpose::Design,
// so a design is a function of (parameters, size, seed) alone.
//
// Stream layout under Purpose::Design (part of the reproducibility contract;
// changing it changes every lhs and scrambled sobol design):
//   day word 0, agent word j : LHS column j (stratum permutation, then jitter)
//   day word 1, agent word j : Owen-scrambling seed of Sobol dimension j (0 <= j < 2d)
//   day word 2, agent word b : bootstrap resample b (analysis/sensitivity.hpp)
#pragma once

#include "complysim/scenario.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace complysim {

/// The sample points of a sweep design, in parameter units.
struct SampleMatrix {
  /// Dotted parameter names, one per column of X (the order of the [sweep.parameters]).
  std::vector<std::string> names;
  /// Sample points, shape [samples, d]; X(s, j) is the value of names[j] at sample s,
  /// in that parameter's own unit.
  Eigen::MatrixXd X;
  /// Per sample row, shape [samples]: for "sobol", which Saltelli block the row
  /// belongs to (0 = A, 1 = B, 2 + i = AB_i, the A matrix with column i taken from B);
  /// -1 for every row of "grid" and "lhs".
  std::vector<std::int8_t> block;
  /// "sobol": the base size N (rows per block, samples = N (d + 2)); 0 otherwise.
  std::int64_t sobol_base = 0;
  /// "grid" | "lhs" | "sobol" | "file".
  std::string kind;
  /// "file" with a `weight` column: each point's weight, shape [samples]; empty otherwise.
  std::vector<double> weight;

  /// Number of sample points (rows of X).
  std::int64_t samples() const { return static_cast<std::int64_t>(X.rows()); }
  /// Number of swept parameters (columns of X).
  std::int64_t dims() const { return static_cast<std::int64_t>(X.cols()); }
};

/// Full factorial (Cartesian product) of each parameter's listed `values`.
/// Rows: prod_j |values_j|; the first parameter varies slowest and the last
/// fastest (row-major odometer order), values in the order listed.
/// An empty parameter list gives the empty product: one sample with no columns.
/// @throws std::invalid_argument if a parameter has no values or a non-finite value.
SampleMatrix make_grid(const std::vector<SweepParameter>& params);

/// Latin hypercube of n points over each parameter's [min, max]
/// (McKay, Beckman & Conover 1979). In every dimension j, each of the n
/// equal-width strata [min + k w, min + (k + 1) w), w = (max - min) / n, holds
/// exactly one point: X(s, j) = min + w (perm_j(s) + u_sj), with perm_j a
/// uniformly random permutation of 0..n-1 (Fisher-Yates) and u_sj uniform on (0, 1).
/// Deterministic in `seed` (see the stream layout at the top of this header).
/// @throws std::invalid_argument if params is empty, n < 1, n >= 2^32, or a
///         parameter has min > max or a non-finite bound.
SampleMatrix make_lhs(const std::vector<SweepParameter>& params, std::int64_t n, std::uint64_t seed);

/// Owen's nested uniform scrambling of one coordinate x / 2^64 under `seed`:
/// each of the top 32 binary digits is flipped by a random bit depending on the
/// digits above it (hash-based random bits; Owen 1995, Burley 2020), the 32
/// digits below are random bits of the 32-digit prefix. A bijection on the top
/// 32 digits that keeps every elementary interval of a (t, m, s)-net (m <= 32)
/// filled, and makes each point uniform on [0, 1).
std::uint64_t owen_scramble(std::uint64_t x, std::uint64_t seed);

/// Saltelli (2010) sampling scheme for first- and total-order Sobol indices.
/// Takes points 0..N-1 of the 2d-dimensional Sobol sequence (Boost.Random's
/// `sobol`, Joe-Kuo direction numbers), including the all-zeros point 0: for N
/// a power of two they form a balanced net, each column having one point in
/// each of N equal strata (dropping point 0, as was once customary, unbalances
/// it; Owen 2020, "On dropping the first Sobol' point"). They are split into A
/// (first d coordinates) and B (last d). With `scramble` (the default of a
/// [sweep]), each of the 2d coordinates is Owen-scrambled (owen_scramble, seeds
/// drawn from `seed`), which keeps the balance and makes every point uniform;
/// unscrambled, point 0 is the corner (min, ..., min) in both A and B, so
/// row 0 of every AB_i equals row 0 of A.
/// Row layout, N (d + 2) rows in all: A (rows 0..N-1), B (rows N..2N-1), then for
/// i = 0..d-1, AB_i (rows (2 + i) N .. (3 + i) N - 1) = A with column i from B.
/// Unit-cube points are scaled linearly to each parameter's [min, max].
/// block[] records the block of every row; sobol_base = N.
/// Source: Saltelli et al. 2010, Comput. Phys. Commun. 181:259-270, section 4 / Table 2.
/// @throws std::invalid_argument if params is empty, 2d exceeds Boost's 3667
///         dimensions or d > 125 (block ids are 8-bit), N < 1, N >= 2^32, or a parameter
///         has min > max or a non-finite bound.
SampleMatrix make_saltelli(const std::vector<SweepParameter>& params, std::int64_t N, bool scramble,
                           std::uint64_t seed);

/// The points of a points file (`design = "file"`, already read and checked by the
/// scenario loader into spec.point_names / points / point_weights): X row i is
/// point i in file order, values as written (integer parameters are rounded per
/// run); weight[] is the file's `weight` column (empty without one); block all -1.
/// @throws std::invalid_argument if the spec holds no points or an inconsistent shape.
SampleMatrix make_points(const SweepSpec& spec);

/// The design a [sweep] asks for: "grid" -> make_grid(parameters); "lhs" ->
/// make_lhs(parameters, samples, seed); "sobol" -> make_saltelli(parameters,
/// samples, scramble, seed); "file" -> make_points(spec). `seed` is normally simulation.seed.
/// @throws std::invalid_argument for an unknown design name or anything the
///         chosen maker throws.
SampleMatrix make_design(const SweepSpec& spec, std::uint64_t seed);

/// Coordinates of one run of a sweep.
struct RunIndex {
  std::int64_t run = 0;        ///< global run index, 0 .. n_runs - 1
  std::int64_t design = 0;     ///< decree design ([[sweep.designs]] entry), 0 .. designs - 1
  std::int64_t sample = 0;     ///< row of the SampleMatrix (the "point" of RunKey::derive)
  std::int64_t replicate = 0;  ///< 0 .. replicates - 1
};

/// Number of runs of a sweep: designs * samples * replicates.
/// @throws std::invalid_argument if a factor is < 1 or the product overflows int64.
std::int64_t n_runs(std::int64_t designs, std::int64_t samples, std::int64_t replicates);

/// The run with global index `run`, in the order
/// run = (design * samples + sample) * replicates + replicate
/// (design slowest, replicate fastest). Runs that differ only in `design` share
/// (sample, replicate) and so the same random streams (common random numbers).
/// @throws std::invalid_argument for bad factors (as n_runs);
///         std::out_of_range if run is not in [0, n_runs).
RunIndex run_at(std::int64_t run, std::int64_t designs, std::int64_t samples, std::int64_t replicates);

/// Inverse of run_at: the global index of (design, sample, replicate).
/// @throws std::invalid_argument for bad factors; std::out_of_range for an index out of its range.
std::int64_t run_index(std::int64_t design, std::int64_t sample, std::int64_t replicate, std::int64_t designs,
                       std::int64_t samples, std::int64_t replicates);

/// The runs of shard `shard_i` of `shard_n` (`--shard I/N`), ascending: every run
/// in [0, n_runs_total) with run % shard_n == shard_i. Round-robin rather than contiguous blocks, so
/// every shard gets a near-equal share of every decree design and region of the
/// design (run cost varies with both); shards 0..N-1 partition 0..n_runs_total-1,
/// each run in exactly one shard, and the split depends on nothing but
/// (n_runs, shard_i, shard_n).
/// @throws std::invalid_argument if n_runs_total < 0, shard_n < 1 or shard_i not in [0, shard_n).
std::vector<std::int64_t> shard_runs(std::int64_t n_runs_total, std::int64_t shard_i, std::int64_t shard_n);

}  // namespace complysim
