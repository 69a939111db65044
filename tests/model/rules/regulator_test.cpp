// Unit tests of the regulator's rules (sim/include/complysim/model/rules/regulator.hpp,
// model-spec.md section 5) on hand-computed cases.
#include "complysim/model/rules/regulator.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

using namespace complysim;
using namespace complysim::rules;

TEST_CASE("flag probability: monitoring times the enforcers' judgement", "[rules][regulator]") {
  CHECK(flag_probability(0.8, 0.2, 0.7, 0.0) == 0.2);
  CHECK(flag_probability(0.6, 0.2, 0.7, 0.0) == 0.0);
  CHECK(flag_probability(0.7, 0.2, 0.7, 0.1) == Approx(0.1));
}

TEST_CASE("the data request -> identification chain draws only when the platform did not answer", "[rules][regulator]") {
  int draws = 0;
  auto draw = [&](bool result) { return [&draws, result] { ++draws; return result; }; };
  CHECK(identified(true, draw(false)));
  CHECK(draws == 0);  // answered: identified, no draw consumed
  CHECK_FALSE(identified(false, draw(false)));
  CHECK(identified(false, draw(true)));
  CHECK(draws == 2);
}

TEST_CASE("compliance score of a review", "[rules][regulator]") {
  CHECK(compliance_score(10, 6, 5, false, false, 0) == Approx(11.0 / 15.0));  // pre-empted items count as honoured
  CHECK(compliance_score(0, 0, 0, false, false, 0) == 1.0);                   // nothing asked: no shortfall
  CHECK(compliance_score(10, 10, 0, true, false, 1) == 0.0);                  // localisation required, not localised
  CHECK(compliance_score(10, 10, 0, true, true, 0.5) == 0.5);                 // the lower of the two scores (d = 0.5)
  CHECK(compliance_score(10, 8, 0, true, true, 1) == 0.8);
}

TEST_CASE("one escalation step gives the same state from a review and from an event", "[rules][regulator]") {
  const LadderState start{PlatformStatus::Active, 0, 2, 0.0};
  // A review on day 9 steps up to throttling from day 10; an event on day 10 throttles from day 10.
  const LadderState review = escalate(start, start.level + 1, 9 + 1, 30, 0.0);
  const LadderState event = escalate(start, 3, 10, 30, 0.0);
  CHECK(review.status == PlatformStatus::Throttled);
  CHECK(review.status_until == 40);
  CHECK(review.level == 3);
  CHECK(event.status == review.status);
  CHECK(event.status_until == review.status_until);
  CHECK(event.level == review.level);
  CHECK(event.fines_due == review.fines_due);
  // A fine adds to what is due; the level never goes down by an event; at most 4.
  const LadderState fined = escalate({PlatformStatus::Active, 0, 3, 1.0}, 2, 5, 0, 250.0);
  CHECK(fined.fines_due == 251.0);
  CHECK(fined.level == 3);
  const LadderState top = escalate({PlatformStatus::Active, 0, 4, 0.0}, 5, 7, 10, 0.0);
  CHECK(top.level == 4);
  CHECK(top.status == PlatformStatus::Suspended);
  CHECK(top.status_until == 17);
  const LadderState warned = escalate(start, 1, 3, 10, 99.0);
  CHECK(warned.level == 2);  // a warning changes nothing else
  CHECK(warned.fines_due == 0.0);
  CHECK(warned.status == PlatformStatus::Active);
}

TEST_CASE("stepping down the ladder, and learned credibility", "[rules][regulator]") {
  CHECK(step_down(3) == 2);
  CHECK(step_down(0) == 0);
  CHECK(learned_credibility(0.3, 0.5, true) == Approx(0.65));
  CHECK(learned_credibility(0.3, 0.5, false) == Approx(0.15));
}

TEST_CASE("v2: review of the stock, deadline review probability, exposure days", "[rules][regulator][v2]") {
  CHECK(reviewed_within_lifetime(0.5, 3) == Approx(0.875));
  CHECK(reviewed_within_lifetime(0.0, 3) == 0.0);
  // Review delay by inversion: u = 0.3 with m = 0.5: floor(log 0.3 / log 0.5) = floor(1.737) = 1.
  CHECK(review_delay(0.3, 0.5, 3) == 1);
  CHECK(review_delay(0.9, 0.5, 3) == 0);
  CHECK(review_delay(0.01, 0.5, 3) == 3);  // floor(6.64): beyond the lifetime, never
  CHECK(review_delay(0.5, 0.0, 3) == 3);
  CHECK(review_delay(0.5, 1.0, 3) == 0);
  // p_h = 1 - exp(-h / review_hours): 3 h and 72 h against a 24 h review time scale.
  CHECK(contest_probability(24, 24) == Approx(1.0 - std::exp(-1.0)));
  CHECK(contest_probability(3, 24) == Approx(0.1175030974));
  CHECK(contest_probability(72, 24) == Approx(0.9502129316));
  CHECK(contest_probability(3, 24) < contest_probability(72, 24));  // a shorter deadline: fewer lawful items saved
  CHECK(removal_probability(0.8, 0.5, true) == Approx(0.4));
  CHECK(removal_probability(0.8, 0.5, false) == Approx(0.8));
  // An item posted on day 10 with lifetime 3: removed at day 11.25, or expires at 13.
  CHECK(leave_time(true, 11.25, 13.0) == 11.25);
  CHECK(leave_time(true, 14.0, 13.0) == 13.0);  // the deadline falls after expiry
  CHECK(leave_time(false, 11.25, 13.0) == 13.0);
  CHECK(exposure_days(10, 11.25) == 1.25);
  CHECK(last_visible_day(11.25) == 10);  // seen at the end of day 10 only
  CHECK(last_visible_day(13.0) == 12);   // expired: seen at the end of days 10, 11, 12
  CHECK(last_visible_day(10.5) == 9);    // removed on its posting day: never at a day's end
}

TEST_CASE("grown_monitoring_rate: unchanged at growth 0, exp(growth / 365) a day, at most 1", "[rules][regulator]") {
  CHECK(grown_monitoring_rate(0.0123, 0.0) == 0.0123);  // exactly the same double
  double m = 1e-6;
  for (int t = 0; t < 365; ++t) m = grown_monitoring_rate(m, std::log(2.0));
  CHECK(m == Approx(2e-6));  // a year of growth log 2: doubled
  for (int t = 0; t < 730; ++t) m = grown_monitoring_rate(m, -std::log(2.0));
  CHECK(m == Approx(0.5e-6));
  CHECK(grown_monitoring_rate(0.999, 5.0) == 1.0);
}

TEST_CASE("platform_monitoring_rate and grown_attention: identity at attention 1 and growth 0, capped at 1", "[rules][regulator]") {
  CHECK(platform_monitoring_rate(0.0123, 1.0) == 0.0123);  // exactly the same double
  CHECK(platform_monitoring_rate(1e-6, 3.0) == Approx(3e-6));
  CHECK(platform_monitoring_rate(0.4, 3.0) == 1.0);
  CHECK(platform_monitoring_rate(0.0, std::numeric_limits<double>::infinity()) == 0.0);
  CHECK(platform_monitoring_rate(0.1, 0.0) == 0.0);
  CHECK(grown_attention(0.7, 0.0) == 0.7);
  double a = 1.0;
  for (int t = 0; t < 365; ++t) a = grown_attention(a, -std::log(4.0));
  CHECK(a == Approx(0.25));  // a year at -log 4: a quarter
}

TEST_CASE("surged_attention: the surge multiplies the attention only while active", "[rules][regulator]") {
  CHECK(surged_attention(0.7, 5.0, false) == 0.7);  // exactly the same double
  CHECK(surged_attention(0.7, 5.0, true) == Approx(3.5));
  CHECK(surged_attention(0.7, 1.0, true) == 0.7);
  CHECK(surged_attention(0.7, 0.0, true) == 0.0);  // a surge of 0: the platform's items go unreviewed
  CHECK(platform_monitoring_rate(0.3, surged_attention(1.0, 5.0, true)) == 1.0);  // the product is capped at 1
}

TEST_CASE("v2: the ladder's ceiling and a period without evidence", "[rules][regulator][v2]") {
  CHECK(next_level(0, 4) == 1);
  CHECK(next_level(1, 1) == 1);  // max_escalation_level = 1: warnings only
  CHECK(next_level(3, 4) == 4);
  CHECK(next_level(4, 4) == 4);
  CHECK(next_level(0, 0) == 0);
  // Evidence is written for the represented population: none without requests or
  // pre-empted items; 0.001 expected requests in the sample, standing for 10,000
  // users each, are 10 expected in the country: evidence almost surely.
  CHECK(evidence_probability(0, 0, 1e4) == 0.0);
  CHECK(evidence_probability(0, 0.2, 1.0) == Approx(1 - std::exp(-0.2)));
  CHECK(evidence_probability(0.001, 0, 1e4) == Approx(1 - std::exp(-10.0)));
  CHECK(evidence_probability(1e-4, 0, 2.0) < evidence_probability(1e-4, 0, 2e4));  // the same sample stands for more
  // Expected honour: 3 expected requests with removal probabilities 0.9, 0.9, 0.45 and 1.5 pre-empted.
  CHECK(compliance_score(3, 2.25, 1.5, false, false, 0) == Approx(3.75 / 4.5));
  // A platform honouring exactly the target share meets it, whatever the rounding of the sum.
  double sum = 0;
  for (int k = 0; k < 100000; ++k) sum += 0.9;
  CHECK(meets_target(compliance_score(100000, sum, 0, false, false, 0), 0.9));
  CHECK_FALSE(meets_target(0.899, 0.9));
}
