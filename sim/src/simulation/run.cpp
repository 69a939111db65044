#include "complysim/simulation/run.hpp"

#include "complysim/model/model.hpp"

#include <oneapi/tbb/parallel_for.h>

namespace complysim {

RunResult simulate(const Scenario& scenario, RunKey key, const std::atomic<bool>* cancel,
                   const std::function<void()>& on_day) {
  Model m(scenario, key);
  while (m.day() < scenario.simulation.days) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Cancelled();
    m.step();
    if (on_day) on_day();
  }
  return m.result();
}

std::vector<ReplicateRun> simulate_replicates(const Scenario& scenario, std::int64_t replicates,
                                              const std::atomic<bool>* cancel, const std::function<void()>& on_day) {
  std::vector<ReplicateRun> runs(static_cast<std::size_t>(replicates));
  tbb::parallel_for(std::int64_t{0}, replicates, [&](std::int64_t r) {
    const RunKey key = RunKey::derive(static_cast<std::uint64_t>(scenario.simulation.seed), 0, static_cast<std::uint64_t>(r));
    auto& run = runs[static_cast<std::size_t>(r)];
    run.replicate = r;
    run.key = key_bits(key);
    run.result = simulate(scenario, key, cancel, on_day);
  });
  return runs;
}

}  // namespace complysim
