// complysim — running one simulation, and several replicates in parallel.
#pragma once

#include "complysim/model/rng.hpp"
#include "complysim/scenario.hpp"
#include "complysim/core/outcomes.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace complysim {

/// Thrown by simulate() when its cancel flag is raised (Ctrl-C).
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

/// Runs one simulation of `scenario` with the stream key `key` to the horizon.
/// @param cancel  polled once per simulated day; when true, throws Cancelled
/// @param on_day  called after each simulated day (from the calling thread)
/// @throws Cancelled, std::invalid_argument (scenario the model cannot run)
RunResult simulate(const Scenario& scenario, RunKey key, const std::atomic<bool>* cancel = nullptr,
                   const std::function<void()>& on_day = {});

/// One run of a replicate set: its key and result.
struct ReplicateRun {
  std::int64_t replicate = 0;
  std::uint64_t key = 0;  ///< the 64-bit stream key (k0 | k1 << 32), as stored in /runs/seed
  RunResult result;
};

/// Runs replicates 0..n-1 of `scenario` (point 0, seed simulation.seed) in
/// parallel with oneTBB (runs and, inside each, blocks of users share one
/// thread pool: no oversubscription). Results are in replicate order and do not
/// depend on the thread count.
/// @param on_day called after each simulated day of any replicate (thread-safe callers only)
std::vector<ReplicateRun> simulate_replicates(const Scenario& scenario, std::int64_t replicates,
                                              const std::atomic<bool>* cancel = nullptr,
                                              const std::function<void()>& on_day = {});

/// The 64-bit form of a run key (k0 | k1 << 32).
inline std::uint64_t key_bits(RunKey k) { return static_cast<std::uint64_t>(k.k0) | (static_cast<std::uint64_t>(k.k1) << 32); }

}  // namespace complysim
