// complysim_throughput — one measurement for benchmarks/run (issue 7).
//
// Builds the model of a scenario at a given size, steps it, and prints one JSON
// line: set-up seconds, the median seconds of a simulated day (after warm-up
// days), user-days per second, and the process's peak resident memory from
// getrusage. With --roofline it also reports the opinion-climate pass (the
// median of its time within the measured days: the climate is kept
// incrementally, so it is timed on consecutive real days) and times, at the
// same thread count and on the same graph, the minimal random-read loop of
// roofline.hpp (8-byte and 1-byte values), each as a median of reps.
//
//   complysim_throughput SCENARIO [--users N] [--network KIND] [--degree D]
//                        [--threads T] [--days D] [--warmup W] [--reps R] [--roofline]
#include "model_access.hpp"
#include "roofline.hpp"

#include "complysim/model/model.hpp"
#include "complysim/scenario.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

using namespace complysim;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

template <class F>
double median_time(int reps, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now();
    f();
    t.push_back(now() - t0);
  }
  return median(t);
}

template <class T>
double roofline(const Network& net, int reps) {
  const std::uint32_t n = net.size();
  std::vector<T> value(n);
  for (std::uint32_t i = 0; i < n; ++i) value[i] = static_cast<T>(i * 2654435761u >> 29);
  std::vector<std::uint32_t> out(n);
  constexpr std::uint32_t kBlock = 8192;  // same blocks as the model's passes
  return median_time(reps, [&] {
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, (n + kBlock - 1) / kBlock, 1),
                      [&](const tbb::blocked_range<std::uint32_t>& r) {
                        for (std::uint32_t b = r.begin(); b != r.end(); ++b)
                          bench::neighbour_sum(net, value, out, b * kBlock, std::min(n, (b + 1) * kBlock));
                      },
                      tbb::simple_partitioner());
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: complysim_throughput SCENARIO [--users N] [--network KIND] [--degree D] [--threads T]\n"
                 "                            [--days D] [--warmup W] [--reps R] [--roofline]\n";
    return 2;
  }
  std::vector<std::string> sets;
  int threads = 1, days = 10, warmup = 3, reps = 5;
  bool with_roofline = false;
  for (int a = 2; a < argc; ++a) {
    const std::string k = argv[a];
    auto val = [&]() -> std::string {
      if (a + 1 >= argc) {
        std::cerr << "missing value after " << k << "\n";
        std::exit(2);
      }
      return argv[++a];
    };
    if (k == "--users") sets.push_back("population.users=" + val());
    else if (k == "--network") sets.push_back("population.network=" + val());
    else if (k == "--degree") sets.push_back("population.mean_degree=" + val());
    else if (k == "--threads") threads = std::stoi(val());
    else if (k == "--days") days = std::stoi(val());
    else if (k == "--warmup") warmup = std::stoi(val());
    else if (k == "--reps") reps = std::stoi(val());
    else if (k == "--roofline") with_roofline = true;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  sets.push_back("simulation.days=" + std::to_string(warmup + days + 1));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const Scenario s = load_scenario(argv[1], sets);
  const RunKey key = RunKey::derive(static_cast<std::uint64_t>(s.simulation.seed), 0, 0);

  const double t0 = now();
  Model m(s, key);
  const double setup = now() - t0;
  for (int d = 0; d < warmup; ++d) m.step();
  std::vector<double> day_s, belief_s;
  for (int d = 0; d < days; ++d) {
    const double t1 = now();
    const ModelBench::DayTimes t = ModelBench::step_timed(m);
    day_s.push_back(now() - t1);
    belief_s.push_back(t.belief);
  }
  const double day = median(day_s);
  const double n = static_cast<double>(s.population.users);
  double climate = 0, roof8 = 0, roof1 = 0;
  if (with_roofline) {
    climate = median(belief_s);  // timed within the real days above
    roof8 = roofline<std::uint64_t>(m.network(), reps);
    roof1 = roofline<std::uint8_t>(m.network(), reps);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double reads = static_cast<double>(m.network().neighbors.size());
  std::printf("{\"users\": %.0f, \"network\": \"%s\", \"mean_degree\": %.4f, \"threads\": %d, \"setup_s\": %.4f, "
              "\"day_s\": %.6f, \"day_s_min\": %.6f, \"user_days_per_s\": %.6g, \"maxrss_bytes\": %ld, "
              "\"neighbour_reads\": %.0f, \"climate_s\": %.6f, \"roofline8_s\": %.6f, \"roofline1_s\": %.6f}\n",
              n, s.population.network.c_str(), m.network().mean_degree(), threads, setup, day,
              *std::min_element(day_s.begin(), day_s.end()), n / day, static_cast<long>(ru.ru_maxrss) * 1024L, reads,
              climate, roof8, roof1);
  return 0;
}
