// Unit tests of the user's rules (sim/include/complysim/model/rules/user.hpp,
// model-spec.md section 3) on hand-computed cases.
#include "complysim/model/rules/user.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace complysim::rules;

TEST_CASE("judged_violating: a step at sigma = 0, Phi((s - theta) / sigma) above", "[rules][user]") {
  CHECK(judged_violating(0.6, 0.5, 0.0) == 1.0);
  CHECK(judged_violating(0.5, 0.5, 0.0) == 0.0);  // strictly above the line
  CHECK(judged_violating(0.4, 0.5, 0.0) == 0.0);
  CHECK(judged_violating(0.5, 0.5, 0.1) == Approx(0.5));
  CHECK(judged_violating(0.6, 0.5, 0.1) == Approx(0.8413447461));  // Phi(1)
  CHECK(judged_violating(0.3, 0.5, 0.1) == Approx(0.0227501319));  // Phi(-2)
}

TEST_CASE("perceived line and R-hat: ambiguity aversion lowers the line and raises the risk", "[rules][user]") {
  CHECK(perceived_line(0.7, +1, 0.5, 0.2, 1.0) == Approx(0.6));
  CHECK(perceived_line(0.7, -1, 0.5, 0.2, 1.0) == Approx(0.8));
  CHECK(perceived_line(0.7, +1, 0.5, 0.2, 0.0) == 0.7);  // no uncertainty left: the enforcers' line
  // R-hat = pi * Phi((s - theta-hat) / sigma): 0.4 * 0.5 at the line.
  CHECK(perceived_risk(0.4, 0.6, 0.6, 0.1) == Approx(0.2));
  // sigma = 0: a step at the line.
  CHECK(perceived_risk(0.4, 0.61, 0.6, 0.0) == 0.4);
  CHECK(perceived_risk(0.4, 0.59, 0.6, 0.0) == 0.0);
  // The direction of ambiguity aversion: the same item, a pessimistic reader fears more.
  const double averse = perceived_risk(0.4, 0.65, perceived_line(0.7, +1, 0.5, 0.2, 1.0), 0.2);
  const double seeking = perceived_risk(0.4, 0.65, perceived_line(0.7, -1, 0.5, 0.2, 1.0), 0.2);
  CHECK(averse > seeking);
  CHECK(averse == Approx(0.4 * 0.5987063257));  // Phi(0.25)
}

TEST_CASE("the posting rule on both sides of its boundary", "[rules][user]") {
  // g - rho*J * R-hat - phi * (1 - q) = 0.75 - 0.5 * 0.25 - 0.125 = 0.5 exactly (binary fractions).
  CHECK_FALSE(posts(0.75, 0.5, 0.25, 0.125, 0.5));  // strictly above T
  CHECK(posts(0.75, 0.5, 0.25, 0.125, 0.4999));
  CHECK_FALSE(posts(0.75, 0.5, 0.2504, 0.125, 0.4999));
  // The lazy decision equals the rule with R-hat computed, on a grid of cases.
  int posted = 0, withheld = 0;
  for (double s = 0.0; s <= 1.0; s += 0.05)
    for (double pi = 0.0; pi <= 1.0; pi += 0.1)
      for (int a : {-1, 1}) {
        const double risk = perceived_risk(pi, s, perceived_line(0.6, a, 0.5, 0.15, 0.7), 0.15);
        const bool full = posts(0.6, 0.4, risk, 0.1, 0.3);
        CHECK(decide_post(0.6, 0.4, 0.1, 0.3, pi, s, 0.6, a, 0.5, 0.15, 0.7) == full);
        (full ? posted : withheld)++;
      }
  CHECK(posted > 0);
  CHECK(withheld > 0);  // both sides of the boundary were exercised
}

TEST_CASE("belief updates: own takedown, appeal, own sanction, neighbours, publicity, decay, notice", "[rules][user]") {
  CHECK(toward_one(0.2, 0.5) == Approx(0.6));             // takedown jump / one publicised case
  CHECK(after_takedown(0.2, 0.5, false) == Approx(0.6));
  CHECK(after_takedown(0.2, 0.5, true) == 0.2);           // reversed on appeal: the jump undone
  CHECK(after_own_sanction() == 1.0);
  // Two sanctioned neighbours with weight 0.5: keep (1 - 0.5)^2; the same as two single updates.
  CHECK(after_neighbour_sanctions(0.2, 0.25) == Approx(0.8));
  CHECK(after_neighbour_sanctions(0.2, 0.25) == Approx(toward_one(toward_one(0.2, 0.5), 0.5)));
  CHECK(decayed(0.6, 0.25, 0.2) == Approx(0.5));          // a quarter of the way back to the prior
  CHECK(decayed(0.2, 0.25, 0.2) == 0.2);                  // the prior is the fixed point
  CHECK(after_notice(1.0, 0.25) == 0.75);
  CHECK(after_notice(0.1, 0.25) == 0.0);                  // not below 0
  CHECK(appealable(0.59, 0.6));
  CHECK_FALSE(appealable(0.6, 0.6));                      // at or above the law's own line: no appeal
}

TEST_CASE("v2: the legally chilled counterfactual (R-hat = 0 on the same draws)", "[rules][user][v2]") {
  // g - 0 - isolation = 0.75 - 0.125 = 0.625 > T = 0.5: posted without legal risk.
  CHECK(posts_without_legal_risk(0.75, 0.5, 0.125, 0.5));
  const bool posted = posts(0.75, 0.5, 0.5, 0.125, 0.5);  // R-hat = 0.5: 0.75 - 0.25 - 0.125 = 0.375, withheld
  CHECK_FALSE(posted);
  CHECK(legally_chilled(posted, posts_without_legal_risk(0.75, 0.5, 0.125, 0.5)));
  // Withheld for fear of isolation alone: self-censored, but not legally chilled.
  CHECK_FALSE(posts_without_legal_risk(0.75, 0.5, 0.3, 0.5));
  CHECK_FALSE(legally_chilled(false, posts_without_legal_risk(0.75, 0.5, 0.3, 0.5)));
  CHECK_FALSE(legally_chilled(true, true));  // posted: never chilled
  CHECK(sensitivity_mean(0.5, 0.2, 0.6) == Approx(0.5));
}

TEST_CASE("v2: publicity is a per-capita rate, the same at two sample sizes", "[rules][user][v2]") {
  // 78 million represented users; 0.5 sanctions per 100,000 users a day.
  const double small = publicity_rate(0.3, 0.0003, 78e6, 0.01, 2000);     // 2,000 users: 0.01 sanctions a day
  const double large = publicity_rate(0.3, 0.0003, 78e6, 2.0, 400000);    // 400,000 users: 2 sanctions a day
  CHECK(small == Approx(large));
  CHECK(small == Approx(0.3 * 0.0003 * 390.0));  // publicity * reach * real sanctions a day
  CHECK(publicity_rate(0.3, 0.0003, 78e6, 0.0, 2000) == 0.0);
  // k cases heard: pi <- 1 - (1 - pi)(1 - w)^k.
  CHECK(after_neighbour_sanctions(0.2, std::pow(1.0 - 0.1, 2)) == Approx(1.0 - 0.8 * 0.81));
}
