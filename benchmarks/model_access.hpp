// complysim benchmarks — access to the single passes of Model::step() (issue 7).
//
// Model declares `friend struct ModelBench`; this is its only definition. Each
// function runs one part of step() exactly as step() does, so a benchmark can
// time the opinion-climate pass, the item pass, the regulator's review or the
// platforms' choice alone. Nothing here is used by the simulator itself.
#pragma once

#include "complysim/model/model.hpp"

#include <cstdint>
#include <vector>

namespace complysim {

struct ModelBench {
  /// Start of a day, as in step(): fines reset, statuses expire, events apply, day counters reset.
  static void begin_day(Model& m) {
    for (auto& op : m.ops_) op.fines_today = 0;
    m.expire_statuses();
    m.apply_events();
    for (auto& b : m.blocks_) b.reset(m.ops_.size(), static_cast<std::size_t>(m.n_jurisdictions_));
  }
  /// Pass 3 of a day: belief decay, neighbour sanctions, publicity, opinion climate (reads the network).
  static void belief_pass(Model& m) { m.belief_pass(); }
  /// Pass 4 of a day: intended items, posting rule, moderation, requests, sanctions.
  static void item_pass(Model& m) { m.item_pass(); }

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
