// Unit tests of the platform's rules (sim/include/complysim/model/rules/platform.hpp,
// model-spec.md section 4) on hand-computed cases.
#include "complysim/model/rules/platform.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace complysim;
using namespace complysim::rules;

TEST_CASE("activity factor of each status", "[rules][platform]") {
  CHECK(activity_factor(PlatformStatus::Active, 0.4) == 1.0);
  CHECK(activity_factor(PlatformStatus::Throttled, 0.4) == Approx(0.6));
  CHECK(activity_factor(PlatformStatus::Suspended, 0.4) == 0.0);
  CHECK(activity_factor(PlatformStatus::Exited, 0.4) == 0.0);
}

TEST_CASE("platform utility and the exit rule", "[rules][platform]") {
  // 100 - 0.5 * 2 * 10 - 3 * 2 * 2 + 0.25 * 2 * 4 - 5 = 75
  CHECK(platform_utility(100, 10, 2, 4, 5, 0.5, 3, 0.25, 2) == Approx(75.0));
  CHECK(platform_utility(100, 10, 2, 4, 5, 0.5, 3, 0.0, 2) == Approx(73.0));  // no compliance preference
  // The exit rule counts consecutive bad days and leaves after `patience` of them.
  std::int64_t neg = 0;
  for (double u : {-1.0, -1.0}) neg = negative_days_after(neg, bad_day(u, false));
  CHECK(neg == 2);
  CHECK_FALSE(exits(true, neg, 3));
  neg = negative_days_after(neg, bad_day(0.5, false));  // one good day resets the count
  CHECK(neg == 0);
  // Days under suspension count as bad whatever the utility: a suspended platform can leave.
  for (int t = 0; t < 3; ++t) neg = negative_days_after(neg, bad_day(0.0, true));
  CHECK(exits(true, neg, 3));
  CHECK_FALSE(exits(false, neg, 3));  // can_exit = false never leaves
}

TEST_CASE("shortfall probability and the expected loss of the ladder ahead", "[rules][platform]") {
  CHECK(shortfall_probability(0.9, 0.9, 0.02) == Approx(0.5));
  CHECK(shortfall_probability(0.9 + 0.02 * std::log(3.0), 0.9, 0.02) == Approx(0.25));
  RegulatorParams reg;
  reg.fine_revenue_days = 30;
  reg.throttle_severity = 0.5;
  reg.throttle_days = 30;
  reg.suspension_days = 10;
  CHECK(step_loss(1, reg, 2.0) == 0.0);
  CHECK(step_loss(2, reg, 2.0) == 60.0);
  CHECK(step_loss(3, reg, 2.0) == 30.0);
  CHECK(step_loss(4, reg, 2.0) == 20.0);
  // level 0, credibility 0.5: 0.5*0 + 0.25*60 + 0.125*30 + 0.0625*20 = 20
  CHECK(loss_ahead(0, 0.5, reg, 2.0) == Approx(20.0));
  CHECK(loss_ahead(4, 0.5, reg, 2.0) == Approx(10.0));  // at the top: the suspension again
}

namespace {

// A platform (revenue 1 per user-day) seeing 0.04 items per user a day in
// each of the upper bins, flagged with probability 0.5 above s = 0.6.
struct Setup {
  ItemsSeen seen;
  PlatformParams pp;
  ChoiceContext ctx;
  Setup() {
    for (int b = 0; b < kSensitivityBins; ++b) {
      seen.per_day[static_cast<std::size_t>(b)] = b >= 8 ? 0.04 : 0.0;
      seen.flag[static_cast<std::size_t>(b)] = b >= 12 ? 0.5 : 0.0;
    }
    pp.moderation_cost = 0.1;
    pp.reputation_weight = 1.0;
    pp.rationality = 200.0;  // nearly a best response
    pp.learning_rate = 1.0;  // move all the way
    pp.localization_cost = 30.0;
    pp.switching_cost = 0.0;
    ctx.theta = 0.7;
    ctx.lawful_threshold = 0.7;
    ctx.revenue = 1.0;
    ctx.review_days = 7;
    ctx.compliance_target = 0.9;
    ctx.grid_steps = 5;
    ctx.choice_uniform = 0.5;
  }
  PlatformChoice run() const { return choose({0.5, 0.2, 1.0, false}, seen, pp, ctx); }
};

}  // namespace

TEST_CASE("the platform's choice responds to penalty, credibility and reputation", "[rules][platform]") {
  Setup a;
  a.ctx.penalty_per_day = 0.0;  // nothing to fear: honouring only costs
  CHECK(a.run().compliance == 0.0);
  a.ctx.penalty_per_day = 5.0;  // falling short costs five days of revenue per day
  CHECK(a.run().compliance == 1.0);
  // Credibility: the same ladder believed with credibility 0.05 or 0.95.
  RegulatorParams reg;
  reg.fine_revenue_days = 30;
  reg.throttle_days = 30;
  reg.throttle_severity = 0.5;
  reg.suspension_days = 30;
  Setup b;
  b.ctx.penalty_per_day = loss_ahead(0, 0.05, reg, 1.0) / 30.0;
  const double low = b.run().compliance;
  b.ctx.penalty_per_day = loss_ahead(0, 0.95, reg, 1.0) / 30.0;
  const double high = b.run().compliance;
  CHECK(low < high);
  // Reputation: with a moderate penalty, a platform that fears criticism complies less.
  Setup c;
  c.ctx.penalty_per_day = 0.2;
  c.pp.reputation_weight = 0.0;
  const double indifferent = c.run().compliance;
  c.pp.reputation_weight = 50.0;
  const double sensitive = c.run().compliance;
  CHECK(indifferent > sensitive);
}

TEST_CASE("the localisation decision weighs the penalty avoided against the one-off cost", "[rules][platform]") {
  Setup a;
  a.ctx.data_localization = true;
  a.ctx.penalty_per_day = 5.0;
  a.pp.localization_cost = 30.0;  // a month of revenue: cheap against the penalty
  CHECK(a.run().localized);
  a.pp.localization_cost = 1e9;  // prohibitive
  CHECK_FALSE(a.run().localized);
  a.ctx.data_localization = false;  // not required: never localises
  a.pp.localization_cost = 0.0;
  CHECK_FALSE(a.run().localized);
}

TEST_CASE("v2: the inaction band keeps the status quo when no incentive asks for a move", "[rules][platform][v2]") {
  // No decree: nothing is flagged, so c and d change nothing and removing more
  // only costs. Whatever the decision noise, the platform stays where it is.
  Setup a;
  for (auto& f : a.seen.flag) f = 0.0;
  a.pp.rationality = 0.001;  // nearly random among the points that pass the band
  a.pp.switching_cost = 1.0;
  for (double u : {0.01, 0.5, 0.99}) {
    a.ctx.choice_uniform = u;
    const PlatformChoice c = choose({0.5, 0.2, 0.9, false}, a.seen, a.pp, a.ctx);
    CHECK(c.compliance == 0.5);
    CHECK(c.data_compliance == 0.2);
    CHECK(c.removal_threshold == 0.9);
  }
  // A gain smaller than the switching cost does not move it; a larger one does.
  Setup b;
  b.ctx.penalty_per_day = 5.0;
  b.pp.switching_cost = 1e6;
  CHECK(b.run().compliance == 0.5);
  b.pp.switching_cost = 0.1;
  CHECK(b.run().compliance == 1.0);
  // worth_switching by hand: 7 * (1.2 - 1.0) = 1.4 against 1.0 * 1.5 and 1.0 * 1.3.
  CHECK_FALSE(worth_switching(7, 1.2, 1.0, 1.5, 1.0));
  CHECK(worth_switching(7, 1.2, 1.0, 1.3, 1.0));
}

TEST_CASE("v2: compliance preference raises compliance, and tau is chosen below the platform's own policy", "[rules][platform][v2]") {
  Setup a;
  a.ctx.penalty_per_day = 0.0;
  a.pp.reputation_weight = 0.5;
  CHECK(a.run().compliance == 0.0);
  a.pp.compliance_preference = 5.0;  // goodwill per honoured request outweighs its cost
  CHECK(a.run().compliance == 1.0);
  Setup b;
  b.ctx.penalty_per_day = 5.0;
  b.ctx.max_removal_threshold = 0.8;
  const PlatformChoice c = choose({0.5, 0.2, 0.8, false}, b.seen, b.pp, b.ctx);
  CHECK(c.removal_threshold <= 0.8);
  CHECK(c.removal_threshold >= 0.5);
}
