// complysim benchmarks — access to the single passes of Model::step() (issue 7).
//
// Model declares `friend struct ModelBench`; this is its only definition. Each
// function runs one part of step() exactly as step() does, so a benchmark can
// time the opinion-climate pass, the item pass, the regulator's review or the
// platforms' choice alone. Nothing here is used by the simulator itself.
#pragma once

#include "complysim/model/model.hpp"

#include <chrono>
#include <cstdint>
#include <vector>

namespace complysim {

struct ModelBench {
  /// Seconds spent in the parts of one simulated day.
  struct DayTimes { double belief = 0, items = 0, total = 0; };
  /// One day exactly as Model::step() runs it, timing the belief/climate pass
  /// and the item pass. (The climate is kept incrementally from day to day, so
  /// the pass is only timed honestly on consecutive real days, not by
  /// repeating it on one day.)
  static DayTimes step_timed(Model& m) {
    using clock = std::chrono::steady_clock;
    auto secs = [](clock::time_point a, clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
    const auto t0 = clock::now();
    m.begin_day();
    const auto t1 = clock::now();
    m.belief_pass();
    const auto t2 = clock::now();
    m.item_pass();
    const auto t3 = clock::now();
    m.end_day();
    const auto t4 = clock::now();
    return {secs(t1, t2), secs(t2, t3), secs(t0, t4)};
  }
  /// The item pass alone, repeated on the current day (its work does not
  /// depend on having run before): day counters reset, then the pass.
  static void item_pass_again(Model& m) {
    for (auto& b : m.blocks_) b.reset(m.ops_.size(), static_cast<std::size_t>(m.n_jurisdictions_));
    m.item_pass();
  }

  /// The regulators' review as if today were a review day. The operations
  /// and the day are restored afterwards, so it can be repeated on the same state.
  static void regulator_review(Model& m) {
    const std::vector<Operation> saved = m.ops_;
    const std::int64_t day = m.day_;
    m.day_ = review_day(day, m.s_.regulator.review_days);
    m.regulator_reviews();
    m.day_ = day;
    m.ops_ = saved;
  }
  /// The platforms' quantal-response choice (and localisation decision) as if
  /// today were a review day, on the items tallied so far; state restored afterwards.
  static void platform_choice(Model& m) {
    const std::vector<Operation> saved = m.ops_;
    const std::int64_t day = m.day_;
    m.day_ = review_day(day, m.s_.platform.review_days);
    m.platform_reviews();
    m.day_ = day;
    m.ops_ = saved;
  }

 private:
  /// The first day >= day on which (day + 1) % every == 0.
  static std::int64_t review_day(std::int64_t day, std::int64_t every) {
    while ((day + 1) % every != 0) ++day;
    return day;
  }
};

}  // namespace complysim
