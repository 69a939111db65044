// complysim — the agent model (model-spec.md sections 2 to 5): users,
// platforms and regulators stepping one day at a time.
//
// Layout: users are a structure of arrays over [n_users]; the social network
// is CSR (model/network.hpp); a platform's presence in one jurisdiction is an
// "operation" (platform p in jurisdiction j, index j * n_platforms + p) with its
// own compliance choices, escalation level and status, since regulators act
// per country. The daily step is two parallel passes over fixed blocks of
// users; every reduction sums per-block partials in block order, so results
// are bitwise identical for any thread count.
#pragma once

#include "complysim/core/outcomes.hpp"
#include "complysim/model/network.hpp"
#include "complysim/model/rng.hpp"
#include "complysim/model/rules/platform.hpp"
#include "complysim/model/rules/regulator.hpp"
#include "complysim/model/rules/user.hpp"
#include "complysim/scenario.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <vector>

namespace complysim {

/// Per-user state, structure of arrays. All arrays have shape [n_users].
struct Users {
  Eigen::ArrayXf grievance;        ///< g in [0, 1] (Beta; Epstein 2002)
  Eigen::ArrayXf risk_aversion;    ///< rho in [0, 1] (Beta)
  Eigen::ArrayXf isolation_fear;   ///< phi in [0, 1] (Beta; Noelle-Neumann 1974)
  Eigen::ArrayXf activity;         ///< mean intended political items per day (log-normal)
  Eigen::ArrayXd zero_items;       ///< std::exp(-activity) in double: chance of no intended item on an active day (a cache)
  Eigen::ArrayXf perceived_risk;   ///< pi-hat in [0, 1]
  Eigen::ArrayXf uncertainty;      ///< u in [0, 1], starts at 1
  std::vector<std::int8_t> ambiguity;      ///< a = +1 (ambiguity averse) or -1
  std::vector<std::uint8_t> platform;      ///< home platform index
  std::vector<std::uint8_t> jurisdiction;  ///< jurisdiction index (contiguous ranges)
  std::vector<std::int32_t> silent_until;  ///< posts nothing while day < silent_until
  std::vector<std::int32_t> last_post_day; ///< last day the user posted (any item)
  /// What neighbours can see of a user; packed so the network pass reads one 8-byte word per neighbour.
  struct Visible {
    std::int32_t last_visible_day;   ///< last day one of its items was still visible at day end
    std::int32_t last_sanction_day;  ///< last day it was sanctioned
  };
  std::vector<Visible> visible;
  std::size_t size() const { return platform.size(); }
};

/// State of platform p in jurisdiction j (model-spec.md section 4).
struct Operation {
  int platform = 0, jurisdiction = 0;
  std::int64_t users = 0;              ///< users whose home platform this is, in this jurisdiction
  double compliance = 0.5;             ///< c: share of takedown requests honoured
  double data_compliance = 0.2;        ///< d: share of data requests answered (needs localised data)
  double removal_threshold = 1.0;      ///< tau: items with s > tau removed proactively
  bool localized = false;
  PlatformStatus status = PlatformStatus::Active;
  std::int64_t status_until = 0;       ///< day the current throttling/suspension ends (exclusive)
  int escalation_level = 0;            ///< 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension
  double credibility_belief = 0.3;     ///< belief that a threatened step is carried out (learned)
  std::int64_t negative_days = 0;      ///< consecutive days of negative utility (exit rule)
  double fines_today = 0.0;            ///< fines and localisation cost due, paid out of the next recorded day's revenue (relative revenue units)
  // The regulator's review of this operation's items today, set by begin_day after the day's events.
  double review_rate = 0.0;      ///< m: chance per day that a visible item is reviewed (rules::platform_monitoring_rate of the surged attention)
  double lifetime_review = 0.0;  ///< chance that an item posted today is reviewed within its lifetime (rules::reviewed_within_lifetime)
  // Counters since the regulator's last review.
  double reg_requests = 0;   ///< expected takedown requests drawn by the items posted (sum of flag chances)
  double reg_honoured = 0;   ///< the same weighted by each item's removal probability under the policy
  double reg_preempted = 0;  ///< expected flaggable items removed proactively
  // Counters since the platform's last review: items posted per sensitivity bin.
  std::array<std::int64_t, kSensitivityBins> seen_items{};
  std::int64_t seen_days = 0;
};

/// The model of one run: build with a scenario and a run key, then step()
/// day by day; result() aggregates the daily outcomes.
class Model {
 public:
  /// Draws traits, home platforms and the network.
  /// @param scenario a validated scenario (copied: events change the copy)
  /// @param key      the run's stream key (RunKey::derive(seed, point, replicate))
  Model(const Scenario& scenario, RunKey key);

  /// Advances one day (the next day index, starting at 0).
  void step();
  /// Day index the next step() will simulate.
  std::int64_t day() const { return day_; }
  /// Runs all remaining days.
  void run_to_end();
  /// Aggregates the recorded days into records and summaries (model-spec.md section 7).
  RunResult result() const;

  const Users& users() const { return users_; }
  /// Opinion climate q_i in [0, 1] of user i: the share of its neighbours with
  /// an item visible within the climate window, as of the current day's belief
  /// pass (1 for a user without neighbours). Computed from the kept neighbour
  /// counts; meaningful once step() has run.
  float climate(std::size_t i) const;
  const Network& network() const { return network_; }
  const std::vector<Operation>& operations() const { return ops_; }
  const Scenario& scenario() const { return s_; }

  /// Daily (numerator, denominator) of every outcome column; the value of a
  /// day is num / den. Shape: [days][outcome columns]. Public for tests.
  using DailyValue = complysim::DailyValue;
  const std::vector<std::vector<DailyValue>>& daily() const { return daily_; }
  /// Column of outcome k (platform p for per-platform outcomes) in a daily row.
  int column(OutcomeId k, int p = 0) const { return column_offset_[static_cast<int>(k)] + p; }
  /// With two or more jurisdictions, the daily (numerator, denominator) of every
  /// outcome not per platform, per jurisdiction of the user or item (model-spec.md
  /// section 7); empty with one. Shape: [days][outcomes not per platform,
  /// in OutcomeId order][jurisdictions]; column jurisdiction_column(k, j). Public for tests.
  const std::vector<std::vector<DailyValue>>& daily_by_jurisdiction() const { return daily_jur_; }
  /// Column of outcome k (not per platform) in jurisdiction j in a daily_by_jurisdiction() row.
  int jurisdiction_column(OutcomeId k, int j) const { return jur_offset_[static_cast<int>(k)] * n_jurisdictions_ + j; }

  /// Counts kept per jurisdiction of the user or item in BlockCounters::by_jur.
  enum JurCount : int {
    JIntended = 0, JSelfCensored, JIntendedLawful, JLawfulSelfCensored, JPosted, JRemoved, JRemovedLawful,
    JUnlawfulPosted, JUnlawfulVisible, JSilenced, JChilled, JLawfulChilled, kJurCounts
  };

  /// Counts of one block of users for one day; summed in block order.
  struct BlockCounters {
    std::int64_t intended = 0, self_censored = 0, intended_lawful = 0, lawful_self_censored = 0;
    std::int64_t posted = 0, removed = 0, removed_lawful = 0, unlawful_posted = 0, unlawful_visible = 0;
    std::int64_t silenced = 0, chilled = 0, lawful_chilled = 0;
    double risk_sum = 0;
    std::vector<std::int64_t> requests, honoured, data_requests, data_answered, wrongful, handovers, proactive;  ///< [operations]
    /// [operations] expected requests the day's posted items draw (sum of flag chances), the same weighted by
    /// each item's removal probability, and expected flaggable items removed proactively
    std::vector<double> expected_requests, expected_honoured, preempted;
    std::vector<double> expected_sanctions;  ///< [jurisdictions] sanctions the day's posted items are expected to bring
    std::vector<std::int64_t> sanctions;  ///< [jurisdictions]
    std::vector<std::int64_t> items;      ///< [operations * kSensitivityBins] posted items per bin
    std::vector<std::int64_t> by_jur;     ///< [jurisdictions * kJurCounts] the scalar counts per jurisdiction (JurCount)
    std::vector<double> risk_by_jur;      ///< [jurisdictions] risk_sum per jurisdiction
    void reset(std::size_t n_ops, std::size_t n_jur);
    void add(const BlockCounters& other);  ///< adds every count of `other`
  };

 private:
  /// Benchmark hook (benchmarks/model_access.hpp, issue 7): runs the single
  /// passes of step() one at a time. Not part of the API; step() is.
  friend struct ModelBench;

  /// step() is begin_day(), belief_pass(), item_pass(), end_day().
  void begin_day();  ///< statuses expire, events apply, day counters reset
  void end_day();    ///< the day recorded, regulators' and platforms' reviews, day + 1
  void apply_events();
  void expire_statuses();
  void set_review_rates();  ///< each operation's review_rate and lifetime_review from today's parameters
  void belief_pass();
  void item_pass();
  /// Number of intended items of user i today from its count uniform; 0 for a
  /// user who cannot post; kCountFromStream when its mean is 30 or more.
  std::uint32_t item_count(std::size_t i, double count_uniform) const;
  static constexpr std::uint32_t kCountFromStream = 0xFFFFFFFFu;
  /// The k intended items of user i (posting rule, moderation, requests,
  /// sanctions), drawn from its stream r = (day, i, Items).
  struct BlockStock;
  void user_items(BlockCounters& c, BlockStock& st, std::size_t i, std::uint32_t k, Stream& r);
  void regulator_reviews();
  void platform_reviews();
  /// One escalation of `op` to `level` from `first_day` (rules::escalate): reviews and events.
  void escalate(Operation& op, int level, std::int64_t first_day, std::int64_t days, double fine);
  void record_day();
  /// Appends today's row of daily_jur_ from the day's totals `t` (exposure from stock slot `slot`).
  void record_day_by_jurisdiction(const BlockCounters& t, std::size_t slot);

  Scenario s_;
  RunKey key_;
  std::int64_t day_ = 0;
  int n_platforms_ = 0, n_jurisdictions_ = 0;
  Users users_;
  Network network_;
  std::vector<Operation> ops_;
  std::vector<std::int64_t> users_with_grievance_;  ///< [jurisdiction]: users with g > T at day 0
  std::vector<std::int64_t> sanctions_yesterday_;   ///< [jurisdiction]
  std::size_t next_event_ = 0;

  std::vector<BlockCounters> blocks_;

  /// A posted item awaiting its one review by the regulator (model-spec.md section 5).
  struct PendingReview {
    std::uint32_t author;
    float s;              ///< sensitivity
    std::uint16_t index;  ///< index among its author's items of its posting day (its review stream)
    std::uint16_t delay;  ///< days from posting to the review (< content.lifetime_days <= 365)
  };
  /// The item stock of one block of users: items awaiting review, by review day
  /// (index day mod lifetime_days), and unlawful items' exposure, by the day
  /// they leave the feeds (index day mod (lifetime_days + 1)). Items never
  /// reviewed need no storage: their fate is known at posting.
  struct BlockStock {
    std::vector<std::vector<PendingReview>> due;
    std::vector<double> exposure_sum;
    std::vector<std::int64_t> exposure_n;
    std::vector<double> exposure_sum_jur;     ///< [(lifetime_days + 1) * jurisdictions] exposure_sum per jurisdiction
    std::vector<std::int64_t> exposure_n_jur;  ///< [(lifetime_days + 1) * jurisdictions] exposure_n per jurisdiction
  };
  std::vector<BlockStock> stock_;
  /// The reviews due today in one block: judgement, request, removal, data request, sanction.
  void review_due(BlockCounters& c, BlockStock& st);
  /// Records an unlawful item's exposure on the day it leaves the feeds.
  void add_exposure(BlockStock& st, std::int64_t post_day, double leave, std::size_t jurisdiction) const;
  std::vector<std::int64_t> users_in_jurisdiction_;  ///< [jurisdiction] simulated users N_j
  std::vector<double> activity_;  ///< [operations] today's activity factor
  /// [n_users] 1 if the user had an item visible within the climate window at
  /// the last belief_pass, else 0 (what speaking_ counts).
  std::vector<std::uint8_t> signal_;
  /// [n_users] number of neighbours whose signal_ is 1 (kept incrementally by belief_pass).
  std::vector<std::uint32_t> speaking_;
  /// [blocks] users of each block sanctioned yesterday (belief_pass scratch).
  std::vector<std::vector<std::uint32_t>> sanctioned_yesterday_;
  /// Neighbours of the users sanctioned yesterday, sorted, with repeats (belief_pass scratch).
  std::vector<std::uint32_t> sanction_hits_;
  std::vector<std::vector<DailyValue>> daily_;
  std::vector<int> column_offset_;
  int columns_ = 0;
  std::vector<std::vector<DailyValue>> daily_jur_;  ///< see daily_by_jurisdiction()
  std::vector<int> jur_offset_;  ///< [outcomes] index among the outcomes not per platform, or -1

};

/// Daily activity factor of a platform status (rules::activity_factor).
using rules::activity_factor;

}  // namespace complysim
