// complysim micro-benchmarks (Google Benchmark; issue 7): the hot paths of a
// simulated day, each next to its baseline (style item 10).
//
//   Step/N             Model::step, a whole user-day, N users (counter: user-days/s)
//   ClimatePass/N      the opinion-climate / belief pass alone (counter: neighbour reads/s)
//   RandomReadRoofline the minimal neighbour-sum loop over the same graph, 8-byte and
//                      1-byte values (roofline.hpp): the baseline of ClimatePass
//   ItemPass/N         the item pass alone (counter: user-days/s)
//   RegulatorReview    one review of every operation (escalation ladder)
//   PlatformChoice     one quantal-response choice of every operation (grid of
//                      choice_grid_steps^3 points, 2x with the localisation decision)
//
// Single-threaded (per core) unless --threads=N is given before the benchmark
// flags. The scenario is scenarios/baseline.toml (path compiled in), mean degree 12.
#include "model_access.hpp"
#include "roofline.hpp"

#include "complysim/model/model.hpp"
#include "complysim/scenario.hpp"

#include <benchmark/benchmark.h>
#include <oneapi/tbb/global_control.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>

using namespace complysim;

namespace {

/// One model per (users, network), built once and advanced a few days so the
/// state (beliefs, tallies, sanctions) is that of a running simulation.
Model& model(std::int64_t users, const std::string& network = "small_world") {
  static std::map<std::pair<std::int64_t, std::string>, std::unique_ptr<Model>> cache;
  auto& slot = cache[{users, network}];
  if (!slot) {
    const Scenario s = load_scenario(COMPLYSIM_BASELINE_SCENARIO,
                                     {"population.users=" + std::to_string(users), "population.network=" + network,
                                      "simulation.days=36500"});
    slot = std::make_unique<Model>(s, RunKey::derive(static_cast<std::uint64_t>(s.simulation.seed), 0, 0));
    for (int d = 0; d < 10; ++d) slot->step();
  }
  return *slot;
}

void Step(benchmark::State& st) {
  Model& m = model(st.range(0));
  for (auto _ : st) m.step();
  st.counters["user_days/s"] = benchmark::Counter(static_cast<double>(st.range(0)) * static_cast<double>(st.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(Step)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void ClimatePass(benchmark::State& st) {
  // Consecutive real days; only the belief/climate pass of each is timed.
  Model& m = model(st.range(0));
  for (auto _ : st) st.SetIterationTime(ModelBench::step_timed(m).belief);
  st.counters["reads/s"] = benchmark::Counter(static_cast<double>(m.network().neighbors.size()) * static_cast<double>(st.iterations()),
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(ClimatePass)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseManualTime();

template <class T>
void RandomReadRoofline(benchmark::State& st) {
  const Network& net = model(st.range(0)).network();
  std::vector<T> value(net.size());
  for (std::uint32_t i = 0; i < net.size(); ++i) value[i] = static_cast<T>(i * 2654435761u >> 29);
  std::vector<std::uint32_t> out(net.size());
  for (auto _ : st) {
    bench::neighbour_sum(net, value, out, 0, net.size());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.counters["reads/s"] = benchmark::Counter(static_cast<double>(net.neighbors.size()) * static_cast<double>(st.iterations()),
                                              benchmark::Counter::kIsRate);
}
BENCHMARK_TEMPLATE(RandomReadRoofline, std::uint64_t)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(RandomReadRoofline, std::uint8_t)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void ItemPass(benchmark::State& st) {
  Model& m = model(st.range(0));
  for (auto _ : st) ModelBench::item_pass_again(m);
  st.counters["user_days/s"] = benchmark::Counter(static_cast<double>(st.range(0)) * static_cast<double>(st.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(ItemPass)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void RegulatorReview(benchmark::State& st) {
  Model& m = model(100000);
  for (auto _ : st) ModelBench::regulator_review(m);
  st.counters["operations"] = static_cast<double>(m.operations().size());
}
BENCHMARK(RegulatorReview)->Unit(benchmark::kMicrosecond);

void PlatformChoice(benchmark::State& st) {
  Model& m = model(100000);
  for (auto _ : st) ModelBench::platform_choice(m);
  st.counters["operations"] = static_cast<double>(m.operations().size());
}
BENCHMARK(PlatformChoice)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  std::size_t threads = 1;
  if (argc > 1 && std::strncmp(argv[1], "--threads=", 10) == 0) {
    threads = std::stoul(argv[1] + 10);
    argv[1] = argv[0];
    ++argv;
    --argc;
  }
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
