// Property and invariant tests of the agent model (model-spec.md sections 2-5;
// issue 3 item 9). Each could fail if a rule were implemented differently.
#include "complysim/model/model.hpp"
#include "complysim/simulation/run.hpp"

#include <catch2/catch.hpp>
#include <oneapi/tbb/global_control.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>

using namespace complysim;

namespace {

Scenario tiny(std::int64_t users = 3000, std::int64_t days = 120) {
  Scenario s;
  s.simulation.days = days;
  s.simulation.record_every_days = 10;
  s.simulation.summary_window_days = 30;
  s.population.users = users;
  PlatformParams a;
  a.name = "global_social";
  a.market_share = 0.6;
  a.reputation_weight = 200;
  PlatformParams b;
  b.name = "short_video";
  b.market_share = 0.4;
  b.reputation_weight = 10;
  b.initial_compliance = 0.9;
  s.platforms = {a, b};
  JurisdictionParams j;
  j.name = "default";
  j.law = s.law;
  j.regulator = s.regulator;
  s.jurisdictions = {j};
  return s;
}

/// Re-syncs the single jurisdiction with the top-level law and regulator after a test edits them.
void sync(Scenario& s) {
  for (auto& j : s.jurisdictions) {
    j.law = s.law;
    j.regulator = s.regulator;
  }
}

double col_value(const Model& m, std::size_t day, OutcomeId k, int p = 0) {
  const auto& v = m.daily()[day][static_cast<std::size_t>(m.column(k, p))];
  return v.num / v.den;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

bool same_result(const RunResult& x, const RunResult& y) {
  if (x.summary.size() != y.summary.size() || x.record_day != y.record_day) return false;
  for (std::size_t k = 0; k < x.summary.size(); ++k)
    if (!same_bits(x.summary[k], y.summary[k]) || !same_bits(x.series[k], y.series[k])) return false;
  return true;
}

const RunKey kKey = RunKey::derive(42, 0, 0);

}  // namespace

TEST_CASE("no enforcement and no fear of isolation: nothing is self-censored", "[model][invariant]") {
  Scenario s = tiny();
  s.regulator.monitoring_rate = 0;
  s.beliefs.prior_risk = 0;
  s.population.isolation_fear_mean = 0;
  sync(s);
  Model m(s, kKey);
  m.run_to_end();
  double intended = 0;
  for (std::size_t t = 0; t < m.daily().size(); ++t) {
    const auto& v = m.daily()[t][static_cast<std::size_t>(m.column(OutcomeId::SelfCensorshipRate))];
    CHECK(v.num == 0.0);
    intended += v.den;
  }
  CHECK(intended > 1000);  // the test would be empty if nobody intended to speak
  const auto r = m.result();
  CHECK(r.summary[static_cast<int>(OutcomeId::SelfCensorshipRate)][0] == 0.0);
}

TEST_CASE("v2: with no perceived risk and no enforcement, legal chilling is exactly 0", "[model][invariant][v2]") {
  Scenario s = tiny();
  s.regulator.monitoring_rate = 0;
  s.beliefs.prior_risk = 0;
  sync(s);  // fear of isolation stays: items are self-censored, but none for legal risk
  Model m(s, kKey);
  m.run_to_end();
  const auto r = m.result();
  CHECK(r.summary[static_cast<int>(OutcomeId::LegalChillingRate)][0] == 0.0);
  CHECK(r.summary[static_cast<int>(OutcomeId::LawfulLegalChillingRate)][0] == 0.0);
  for (double x : r.series[static_cast<int>(OutcomeId::LegalChillingRate)]) CHECK(x == 0.0);
  CHECK(r.summary[static_cast<int>(OutcomeId::SelfCensorshipRate)][0] > 0.0);  // not vacuous
  // With enforcement, items are legally chilled.
  s.regulator.monitoring_rate = 0.2;
  s.beliefs.prior_risk = 0.3;
  sync(s);
  CHECK(simulate(s, kKey).summary[static_cast<int>(OutcomeId::LegalChillingRate)][0] > 0.0);
}

TEST_CASE("v2: no_decree.toml keeps every platform's own policy: no requests, no drift", "[model][invariant][v2]") {
  Scenario s = load_scenario(std::filesystem::path(COMPLYSIM_SOURCE_DIR) / "scenarios" / "no_decree.toml");
  set_param(s, "population.users", ParamValue(std::int64_t{3000}));
  set_param(s, "simulation.days", ParamValue(std::int64_t{120}));
  Model m(s, kKey);
  m.run_to_end();
  for (const auto& op : m.operations()) {
    const auto& pp = s.platforms[static_cast<std::size_t>(op.platform)];
    CHECK(op.compliance == pp.initial_compliance);
    CHECK(op.data_compliance == pp.initial_data_compliance);
    CHECK(op.removal_threshold == pp.initial_removal_threshold);
    CHECK(op.escalation_level == 0);
  }
  const auto r = m.result();
  CHECK(r.summary[static_cast<int>(OutcomeId::TakedownRequests)][0] == 0.0);
  CHECK(r.summary[static_cast<int>(OutcomeId::LegalChillingRate)][0] >= 0.0);
  CHECK(r.summary[static_cast<int>(OutcomeId::UsersSanctionedPer100k)][0] == 0.0);
}

TEST_CASE("a bright-line rule enforced as written chills no lawful speech", "[model][invariant]") {
  Scenario s = tiny();
  s.law.vagueness = 0;
  s.law.enforcement_breadth = 0;
  s.population.isolation_fear_mean = 0;
  s.regulator.monitoring_rate = 0.3;  // heavy enforcement: unlawful speech is chilled
  s.law.identification = 0.8;
  sync(s);
  Model m(s, kKey);
  m.run_to_end();
  const auto r = m.result();
  CHECK(r.summary[static_cast<int>(OutcomeId::LawfulSelfCensorshipRate)][0] == 0.0);
  for (double x : r.series[static_cast<int>(OutcomeId::LawfulSelfCensorshipRate)]) CHECK((x == 0.0 || std::isnan(x)));
  // ...while unlawful items are chilled, so the invariant is not vacuous.
  CHECK(r.summary[static_cast<int>(OutcomeId::SelfCensorshipRate)][0] > 0.0);
  CHECK(r.summary[static_cast<int>(OutcomeId::MeanPerceivedRisk)][0] > s.beliefs.prior_risk);
}

TEST_CASE("compliance is scored on expected honour: a platform at target is not escalated, one below is", "[model][invariant]") {
  // Platform 0 honours 85 % of requests, platform 1 70 %, against a target of
  // 80 % (no contested requests: review_hours huge). Realised honour in a
  // review period falls below 80 % now and then for platform 0, but the
  // regulator scores the expected honour, so it is never escalated against.
  Scenario s = tiny(1500);
  s.law.data_localization = false;
  s.regulator.monitoring_rate = 0.03;  // few requests a period: realised honour varies
  s.regulator.review_days = 10;
  s.regulator.escalation_credibility = 1.0;
  s.regulator.compliance_target = 0.8;
  s.platform.review_hours = 1e6;
  for (auto& p : s.platforms) p.learning_rate = 0.0;
  s.platforms[0].initial_compliance = 0.85;
  s.platforms[1].initial_compliance = 0.70;
  sync(s);
  Model m(s, kKey);
  double requests = 0, honoured = 0;
  int realised_short = 0, max_level_0 = 0, max_level_1 = 0;
  for (int t = 0; t < s.simulation.days; ++t) {
    m.step();
    const auto& v = m.daily()[static_cast<std::size_t>(t)][static_cast<std::size_t>(m.column(OutcomeId::TakedownComplianceRate, 0))];
    requests += v.den;
    honoured += v.num;
    if ((t + 1) % 10 == 0) {
      realised_short += requests > 0 && honoured / requests < 0.8;
      requests = honoured = 0;
    }
    max_level_0 = std::max(max_level_0, m.operations()[0].escalation_level);
    max_level_1 = std::max(max_level_1, m.operations()[1].escalation_level);
  }
  CHECK(realised_short > 0);  // a realised score would have escalated against platform 0
  CHECK(max_level_0 == 0);
  CHECK(max_level_1 >= 3);
}

TEST_CASE("a throttle event cuts that platform's revenue by throttle_severity for its days", "[model][invariant]") {
  Scenario s = tiny(2000, 60);
  s.regulator.monitoring_rate = 0;  // no regulator escalation interferes
  s.law.data_localization = false;  // nor a localisation cost paid out of revenue
  s.regulator.throttle_severity = 0.35;
  sync(s);
  Event e;
  e.day = 10;
  e.action = "throttle";
  e.platform = "global_social";
  e.days = 20;
  s.events = {e};
  Model m(s, kKey);
  m.run_to_end();
  const double base = col_value(m, 0, OutcomeId::PlatformRevenue, 0);
  REQUIRE(base > 0);
  for (std::size_t t = 0; t < 60; ++t) {
    const double expected = (t >= 10 && t < 30) ? base * (1.0 - 0.35) : base;
    CHECK(col_value(m, t, OutcomeId::PlatformRevenue, 0) == Approx(expected).epsilon(1e-12));
    CHECK(col_value(m, t, OutcomeId::PlatformStatus, 0) == ((t >= 10 && t < 30) ? 1.0 : 0.0));
    CHECK(col_value(m, t, OutcomeId::PlatformRevenue, 1) == col_value(m, 0, OutcomeId::PlatformRevenue, 1));
  }
}

TEST_CASE("outputs are bitwise identical at 1, 2 and 8 threads", "[model][reproducibility]") {
  Scenario s = tiny(20000, 40);  // several blocks of users
  s.regulator.monitoring_rate = 0.2;
  sync(s);
  RunResult r1, r2, r8;
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
    r1 = simulate(s, kKey);
  }
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
    r2 = simulate(s, kKey);
  }
  {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 8);
    r8 = simulate(s, kKey);
  }
  CHECK(same_result(r1, r2));
  CHECK(same_result(r1, r8));
  // A different replicate key gives different results.
  CHECK_FALSE(same_result(r1, simulate(s, RunKey::derive(42, 0, 1))));
}

TEST_CASE("common random numbers: traits and network do not depend on the decree", "[model][reproducibility]") {
  Scenario a = tiny(), b = tiny();
  b.law.vagueness = 0.4;
  b.regulator.monitoring_rate = 0.5;
  sync(b);
  Model ma(a, kKey), mb(b, kKey);
  CHECK((ma.users().grievance == mb.users().grievance).all());
  CHECK((ma.users().activity == mb.users().activity).all());
  CHECK(ma.users().platform == mb.users().platform);
  CHECK(ma.network().neighbors == mb.network().neighbors);
}

TEST_CASE("more monitoring raises perceived risk and self-censorship", "[model][mechanism]") {
  auto run = [](double monitoring) {
    Scenario s = tiny();
    s.regulator.monitoring_rate = monitoring;
    sync(s);
    return simulate(s, kKey);
  };
  const auto lo = run(0.01), hi = run(0.3);
  const int risk = static_cast<int>(OutcomeId::MeanPerceivedRisk), sc = static_cast<int>(OutcomeId::SelfCensorshipRate);
  CHECK(hi.summary[risk][0] > lo.summary[risk][0]);
  CHECK(hi.summary[sc][0] > lo.summary[sc][0]);
}

namespace {
/// Expected takedown requests received by `platform` summed over days [from, to)
/// of a 3,000-user run at monitoring rate 0.01 (the same key for every call, so
/// calls are paired); `edit` sets the lever under test.
double expected_requests(int platform, int from, int to, const std::function<void(Scenario&)>& edit) {
  Scenario s = tiny(3000, 120);
  s.regulator.monitoring_rate = 0.01;
  edit(s);
  sync(s);
  Model m(s, kKey);
  double total = 0;
  for (int t = 0; t < to; ++t) {
    m.step();
    if (t >= from) total += col_value(m, static_cast<std::size_t>(t), OutcomeId::ExpectedTakedownRequestsReceived, platform);
  }
  return total;
}
}  // namespace

TEST_CASE("monitoring growth raises the request volume over the run, not at its start", "[model][mechanism]") {
  // Paired runs (same key) at growth 0 and 2 per year: by day 120 the rate is
  // exp(2 x 120 / 365) = 1.93 times the start's. Expected requests (no coin flips)
  // over the last 20 days rise by about that factor; over the first 5 days by at most
  // exp(2 x 5 / 365) = 1.03, and platforms' responses have barely begun.
  auto requests = [](double growth, int from, int to) {
    return expected_requests(0, from, to, [&](Scenario& s) { s.regulator.monitoring_growth = growth; });
  };
  const double early = requests(2.0, 0, 5) / requests(0.0, 0, 5);
  const double late = requests(2.0, 100, 120) / requests(0.0, 100, 120);
  CHECK(early == Approx(1.0).margin(0.05));
  CHECK(late > 1.5);
  CHECK(late < 2.3);
}

namespace {
/// A 100-day run of 500 users at monitoring rate 1e-4 with one event on day 50
/// that sets `param` to 0 (a trend's end); `edit` sets the trend before.
Scenario trend_ended_on_day_50(const std::string& param, const std::function<void(Scenario&)>& edit) {
  Scenario s = tiny(500, 100);
  s.regulator.monitoring_rate = 1e-4;
  edit(s);
  sync(s);
  Event e;
  e.day = 50;
  e.set = {{param, ParamValue(0.0)}};
  s.events = {e};
  return s;
}
}  // namespace

TEST_CASE("monitoring growth: exp(growth / 365) a day, and an event setting it to 0 holds the rate reached", "[model][mechanism]") {
  Model m(trend_ended_on_day_50("regulator.monitoring_growth", [](Scenario& s) { s.regulator.monitoring_growth = 0.73; }),
          kKey);  // log 2.07 a year
  for (int t = 0; t < 51; ++t) m.step();  // days 0..50: grown on days 1..50, the event applies on day 50
  const double held = m.scenario().jurisdictions[0].regulator.monitoring_rate;
  CHECK(held == Approx(1e-4 * std::exp(0.73 * 50 / 365.0)));
  for (int t = 51; t < 100; ++t) m.step();
  CHECK(m.scenario().jurisdictions[0].regulator.monitoring_rate == held);
}

TEST_CASE("regulator attention scales one platform's request volume and leaves the other's", "[model][mechanism]") {
  // Paired runs (same key). Attention 2 on global_social doubles the rate its items
  // are reviewed at (0.01 -> 0.02, m_life 0.030 -> 0.059: a factor 1.97); in the
  // first 5 days, before users and platforms respond, its expected requests rise by
  // about that factor and short_video's do not move. A trend of -2 a year on
  // global_social leaves the first days alone and cuts its requests by days
  // 100-120 to about exp(-2 x 110 / 365) = 0.55, while short_video keeps its own.
  auto requests = [](double attention, double growth, int platform, int from, int to) {
    return expected_requests(platform, from, to, [&](Scenario& s) {
      s.platforms[0].regulator_attention = attention;
      s.platforms[0].attention_growth = growth;
    });
  };
  const double base_fb = requests(1.0, 0.0, 0, 0, 5), base_other = requests(1.0, 0.0, 1, 0, 5);
  REQUIRE(base_fb > 0);
  REQUIRE(base_other > 0);
  CHECK(requests(2.0, 0.0, 0, 0, 5) / base_fb == Approx(1.97).margin(0.08));
  CHECK(requests(2.0, 0.0, 1, 0, 5) / base_other == Approx(1.0).margin(0.05));
  CHECK(requests(1.0, -2.0, 0, 0, 5) / base_fb == Approx(1.0).margin(0.05));
  const double late_fb = requests(1.0, -2.0, 0, 100, 120) / requests(1.0, 0.0, 0, 100, 120);
  CHECK(late_fb > 0.4);
  CHECK(late_fb < 0.7);
  CHECK(requests(1.0, -2.0, 1, 100, 120) / requests(1.0, 0.0, 1, 100, 120) == Approx(1.0).margin(0.15));
}

TEST_CASE("an attention surge scales one platform's requests while active, and an event ends it", "[model][mechanism]") {
  // Paired runs (same key). A surge of 2 active from day 0 on global_social doubles
  // the rate its items are reviewed at (m_life 0.030 -> 0.059, a factor 1.97) and
  // leaves short_video alone; an inactive surge changes nothing. Two runs that
  // are the same until an event on day 50 (one switches the surge off, the other
  // sets the surge to the value it already has) share days 0..49; over days 51-55
  // the switched-off run's requests are about 1 / 1.97 = 0.51 of the other's.
  auto requests = [](double surge, bool active, int platform, int from, int to) {
    return expected_requests(platform, from, to, [&](Scenario& s) {
      s.platforms[0].attention_surge = surge;
      s.platforms[0].surge_active = active;
    });
  };
  const double base_fb = requests(1.0, false, 0, 0, 5), base_other = requests(1.0, false, 1, 0, 5);
  REQUIRE(base_fb > 0);
  CHECK(requests(2.0, true, 0, 0, 5) / base_fb == Approx(1.97).margin(0.08));
  CHECK(requests(2.0, true, 1, 0, 5) / base_other == Approx(1.0).margin(0.05));
  CHECK(requests(2.0, false, 0, 0, 5) == base_fb);

  auto ended_on_day_50 = [](bool end) {
    Scenario s = tiny(3000, 60);
    s.regulator.monitoring_rate = 0.01;
    s.platforms[0].attention_surge = 2.0;
    s.platforms[0].surge_active = true;
    sync(s);
    Event e;
    e.day = 50;
    if (end)
      e.set = {{"platforms.global_social.surge_active", ParamValue(false)}};
    else
      e.set = {{"platforms.global_social.attention_surge", ParamValue(2.0)}};
    s.events = {e};
    Model m(s, kKey);
    double before = 0, after = 0;
    for (int t = 0; t < 56; ++t) {
      m.step();
      const double r = col_value(m, static_cast<std::size_t>(t), OutcomeId::ExpectedTakedownRequestsReceived, 0);
      if (t < 50) before += r;
      if (t > 50) after += r;
    }
    CHECK(m.scenario().platforms[0].surge_active == !end);
    return std::pair{before, after};
  };
  const auto [before_end, after_end] = ended_on_day_50(true);
  const auto [before_kept, after_kept] = ended_on_day_50(false);
  REQUIRE(after_kept > 0);
  CHECK(before_end == before_kept);
  CHECK(after_end / after_kept == Approx(0.51).margin(0.05));
}

TEST_CASE("attention growth: exp(growth / 365) a day, and an event setting it to 0 holds the attention reached", "[model][mechanism]") {
  Model m(trend_ended_on_day_50("platforms.global_social.attention_growth",
                                [](Scenario& s) { s.platforms[0].attention_growth = -1.5; }),
          kKey);
  for (int t = 0; t < 51; ++t) m.step();
  const double held = m.scenario().platforms[0].regulator_attention;
  CHECK(held == Approx(std::exp(-1.5 * 50 / 365.0)));
  CHECK(m.scenario().platforms[1].regulator_attention == 1.0);
  CHECK(m.scenario().jurisdictions[0].regulator.monitoring_rate == 1e-4);  // the rate itself does not move
  for (int t = 51; t < 100; ++t) m.step();
  CHECK(m.scenario().platforms[0].regulator_attention == held);
}

TEST_CASE("vagueness chills lawful speech", "[model][mechanism]") {
  auto run = [](double vagueness) {
    Scenario s = tiny();
    s.law.vagueness = vagueness;
    s.regulator.monitoring_rate = 0.1;
    sync(s);
    return simulate(s, kKey).summary[static_cast<int>(OutcomeId::LawfulSelfCensorshipRate)][0];
  };
  CHECK(run(0.3) > run(0.02));
}

TEST_CASE("sanctioned users fall silent for silence_days", "[model][mechanism]") {
  Scenario s = tiny(3000, 60);
  s.regulator.monitoring_rate = 0.5;
  s.regulator.prosecution_rate = 1.0;
  s.law.identification = 1.0;
  s.beliefs.silence_days = 20;
  sync(s);
  Model m(s, kKey);
  for (int t = 0; t < 30; ++t) m.step();
  int silenced_now = 0;
  for (std::size_t i = 0; i < m.users().size(); ++i) {
    const auto& v = m.users().visible[i];
    if (v.last_sanction_day >= 0) {
      CHECK(m.users().silent_until[i] == v.last_sanction_day + 21);
      if (m.users().silent_until[i] > 29) {
        ++silenced_now;
        CHECK(m.users().last_post_day[i] <= v.last_sanction_day);
        CHECK(m.users().perceived_risk[static_cast<Eigen::Index>(i)] > 0.5f);
      }
    }
  }
  CHECK(silenced_now > 0);
}

TEST_CASE("notices that state their legal basis lower rule uncertainty", "[model][mechanism]") {
  auto mean_u = [](double transparency) {
    Scenario s = tiny(3000, 60);
    s.law.transparency = transparency;
    s.regulator.monitoring_rate = 0.3;
    for (auto& p : s.platforms) p.initial_compliance = 1.0;
    sync(s);
    Model m(s, kKey);
    m.run_to_end();
    return static_cast<double>(m.users().uncertainty.mean());
  };
  const double some = mean_u(0.3), all = mean_u(1.0);
  CHECK(some < 1.0);
  CHECK(all < some);  // more notices with a legal basis, less uncertainty left
}

TEST_CASE("coordinated regulators escalate together", "[model][mechanism]") {
  // global_social never complies; only VN monitors, so only VN has cause to escalate.
  auto levels = [](const std::string& group) {
    Scenario s = tiny(4000, 61);
    s.law.data_localization = false;
    s.regulator.review_days = 30;
    s.regulator.escalation_credibility = 1.0;
    s.regulator.coordination_group = group;
    for (auto& p : s.platforms) p.learning_rate = 0.0;
    s.platforms[0].initial_compliance = 0.0;
    s.platforms[1].initial_compliance = 1.0;
    s.jurisdictions.resize(2);
    s.jurisdictions[0].name = "VN";
    s.jurisdictions[1].name = "TH";
    for (auto& j : s.jurisdictions) {
      j.population_share = 0.5;
      j.law = s.law;
      j.regulator = s.regulator;
    }
    s.jurisdictions[0].regulator.monitoring_rate = 0.2;
    s.jurisdictions[1].regulator.monitoring_rate = 0.0;
    Model m(s, kKey);
    m.run_to_end();
    // operations: index j * n_platforms + p
    return std::pair{m.operations()[0].escalation_level, m.operations()[2].escalation_level};
  };
  const auto alone = levels(""), together = levels("asean");
  CHECK(alone.first == 2);
  CHECK(alone.second == 0);
  CHECK(together.first == 2);
  CHECK(together.second == 2);
}

TEST_CASE("a regulator's fine counts against the exit rule's daily utility", "[model][mechanism]") {
  Scenario s = tiny(3000, 30);
  s.law.data_localization = false;
  s.regulator.monitoring_rate = 0.2;
  s.regulator.review_days = 10;
  s.regulator.escalation_credibility = 1.0;
  s.regulator.fine_revenue_days = 5;
  s.platform.exit_patience_days = 1;
  for (auto& p : s.platforms) {
    p.learning_rate = 0.0;
    p.can_exit = true;
    p.initial_compliance = 1.0;
    p.reputation_weight = 0.1;  // honouring requests costs little: only the fine makes a day negative
    p.moderation_cost = 0.01;
  }
  s.platform.review_hours = 1e6;  // no request contested: full compliance meets the target
  s.platforms[0].initial_compliance = 0.0;  // warned at the day-9 review, fined at the day-19 review
  sync(s);
  Model m(s, kKey);
  for (int t = 0; t < 20; ++t) m.step();
  CHECK(m.operations()[0].escalation_level == 2);
  CHECK(m.operations()[0].status == PlatformStatus::Active);
  m.step();  // day 20: the fine makes the day's utility negative; patience 1 day
  CHECK(m.operations()[0].status == PlatformStatus::Exited);
  CHECK(m.operations()[1].status == PlatformStatus::Active);
  // With a patience of 3 days the one negative day of the fine is not enough.
  s.platform.exit_patience_days = 3;
  Model patient(s, kKey);
  for (int t = 0; t < 30; ++t) patient.step();
  CHECK(patient.operations()[0].escalation_level >= 2);
  CHECK(patient.operations()[0].status != PlatformStatus::Exited);
}

TEST_CASE("a deadline under 24 hours removes honoured items before the day ends", "[model][mechanism]") {
  auto visible = [](double hours) {
    Scenario s = tiny(3000, 40);
    s.regulator.monitoring_rate = 0.5;
    s.law.takedown_deadline_hours = hours;
    for (auto& p : s.platforms) {
      p.initial_compliance = 1.0;
      p.learning_rate = 0.0;
    }
    sync(s);
    return simulate(s, kKey).summary[static_cast<int>(OutcomeId::UnlawfulVisibleShare)][0];
  };
  const double fast = visible(12), slow = visible(48);
  CHECK(slow == 1.0);  // removed after the day's end: every posted unlawful item was seen that day
  CHECK(fast < 0.8);   // half of them flagged and removed within the day
}

TEST_CASE("appeals reverse every wrongful removal when law.appeals = 1", "[model][mechanism]") {
  auto over = [](double appeals) {
    Scenario s = tiny(3000, 40);
    s.regulator.monitoring_rate = 0.5;
    s.law.appeals = appeals;
    s.law.enforcement_breadth = 0.2;  // lawful items are flagged
    for (auto& p : s.platforms) {
      p.initial_compliance = 1.0;
      p.learning_rate = 0.0;
    }
    sync(s);
    return simulate(s, kKey).summary[static_cast<int>(OutcomeId::OverRemovalShare)][0];
  };
  CHECK(over(0.0) > 0.1);
  CHECK(over(1.0) == 0.0);
}

TEST_CASE("the data request -> identification -> sanction chain", "[model][mechanism]") {
  auto sanctions = [](double identification, bool localized, double data_compliance) {
    Scenario s = tiny(3000, 30);
    s.regulator.monitoring_rate = 0.3;
    s.regulator.prosecution_rate = 1.0;
    s.law.identification = identification;
    for (auto& p : s.platforms) {
      p.initially_localized = localized;
      p.initial_data_compliance = data_compliance;
      p.learning_rate = 0.0;
    }
    sync(s);
    return simulate(s, kKey).summary[static_cast<int>(OutcomeId::UsersSanctionedPer100k)][0];
  };
  CHECK(sanctions(0.0, false, 1.0) == 0.0);  // nobody can be identified
  CHECK(sanctions(0.0, true, 0.0) == 0.0);   // data held but never handed over
  CHECK(sanctions(0.0, true, 1.0) > 0.0);    // identified through the platform
  CHECK(sanctions(1.0, false, 0.0) > 0.0);   // identified by the state itself
}

TEST_CASE("a mid-run set event changes the lever from its day on", "[model][mechanism]") {
  Scenario s = tiny(2000, 30);
  Event e;
  e.day = 10;
  e.set = {{"law.vagueness", ParamValue(0.33)}};
  s.events = {e};
  Model m(s, kKey);
  for (int t = 0; t < 10; ++t) m.step();
  CHECK(m.scenario().jurisdictions[0].law.vagueness == s.law.vagueness);
  m.step();
  CHECK(m.scenario().jurisdictions[0].law.vagueness == 0.33);
}

TEST_CASE("the incrementally kept opinion climate equals a full gather over the network", "[model][climate]") {
  // Climate q_i = share of i's neighbours with an item visible within the last
  // climate_window_days (docs/model.md). The model keeps neighbour counts
  // incrementally; recompute them here from scratch every day and compare the bits.
  for (const char* network : {"small_world", "scale_free"}) {
    for (int threads : {1, 2}) {
      Scenario s = tiny(20000, 25);  // several blocks of users
      s.population.network = network;
      s.population.climate_window_days = 3;  // short window: many users stop and start speaking
      s.regulator.monitoring_rate = 0.3;
      s.regulator.prosecution_rate = 0.2;
      sync(s);
      tbb::global_control c(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
      Model m(s, kKey);
      const Network& net = m.network();
      std::size_t mismatches = 0, speaking_changes = 0;
      std::vector<float> previous;
      for (int day = 0; day < 25; ++day) {
        // What neighbours see today is yesterday's end-of-day state, read before step().
        const std::vector<Users::Visible> seen = m.users().visible;
        const std::int32_t window_start = day - static_cast<std::int32_t>(s.population.climate_window_days);
        m.step();
        for (std::uint32_t i = 0; i < net.size(); ++i) {
          std::uint32_t speaking = 0;
          for (std::uint64_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) speaking += seen[net.neighbors[e]].last_visible_day >= window_start;
          const std::uint64_t degree = net.offsets[i + 1] - net.offsets[i];
          const float q = degree == 0 ? 1.0f : static_cast<float>(static_cast<double>(speaking) / static_cast<double>(degree));
          mismatches += q != m.climate(i);
          if (!previous.empty()) speaking_changes += previous[i] != q;
        }
        previous.resize(net.size());
        for (std::uint32_t i = 0; i < net.size(); ++i) previous[i] = m.climate(i);
      }
      INFO(network << " at " << threads << " threads");
      CHECK(mismatches == 0);
      CHECK(speaking_changes > 1000);  // the climate moved: the increments were exercised both ways
    }
  }
}

TEST_CASE("v2: items stay visible for content.lifetime_days, exposure is at most the lifetime", "[model][mechanism][v2]") {
  auto exposure = [](std::int64_t lifetime) {
    Scenario s = tiny(3000, 60);
    s.content.lifetime_days = lifetime;
    s.regulator.monitoring_rate = 0.05;
    sync(s);
    return simulate(s, kKey).summary[static_cast<int>(OutcomeId::UnlawfulExposureDays)][0];
  };
  const double one = exposure(1), five = exposure(5);
  CHECK(one > 0.0);
  CHECK(one <= 1.0);
  CHECK(five <= 5.0);
  CHECK(five > one);  // longer-lived items are seen for longer
}

// Per-jurisdiction outcomes (model-spec.md section 7): every outcome not per
// platform, counted per jurisdiction of the user or item, adds up to the
// national one day by day; one jurisdiction stores none.
TEST_CASE("per-jurisdiction outcomes add up to the national ones, one jurisdiction has none", "[model][jurisdictions]") {
  const auto dir = std::filesystem::path(COMPLYSIM_SOURCE_DIR) / "scenarios";
  Scenario s = load_scenario(dir / "regional_coordination.toml", {"population.users=6000", "simulation.days=40"});
  REQUIRE(s.jurisdictions.size() == 4);
  const auto J = static_cast<int>(s.jurisdictions.size());
  Model m(s, RunKey::derive(11, 0, 0));
  m.run_to_end();
  const auto& national = m.daily();
  const auto& by = m.daily_by_jurisdiction();
  REQUIRE(by.size() == national.size());
  const auto table = outcome_table();
  double intended = 0, requests = 0, sanctioned = 0;
  for (std::size_t t = 0; t < by.size(); ++t) {
    for (std::size_t k = 0; k < table.size(); ++k) {
      if (table[k].per_platform) continue;
      const auto id = static_cast<OutcomeId>(k);
      const DailyValue n = national[t][static_cast<std::size_t>(m.column(id))];
      double num = 0, den = 0;
      for (int j = 0; j < J; ++j) {
        const DailyValue v = by[t][static_cast<std::size_t>(m.jurisdiction_column(id, j))];
        num += v.num;
        den += v.den;
      }
      INFO("day " << t << ", " << table[k].name);
      if (id == OutcomeId::TakedownRequests) {
        CHECK(num == n.num);  // a count: the same denominator (1) in every jurisdiction
      } else if (id == OutcomeId::MeanPerceivedRisk || id == OutcomeId::UnlawfulExposureDays ||
                 id == OutcomeId::ExpectedUsersSanctionedPer100k) {
        CHECK(num == Approx(n.num).epsilon(1e-12));  // sums of reals, added in another order
        CHECK(den == n.den);
      } else {
        CHECK(num == n.num);  // counts of items, users or removals: exact
        CHECK(den == n.den);
      }
    }
    intended += national[t][static_cast<std::size_t>(m.column(OutcomeId::SelfCensorshipRate))].den;
    requests += national[t][static_cast<std::size_t>(m.column(OutcomeId::TakedownRequests))].num;
    sanctioned += national[t][static_cast<std::size_t>(m.column(OutcomeId::UsersSanctionedPer100k))].num;
  }
  CHECK(intended > 1000);  // the identities above were tested on real traffic
  CHECK(requests > 0);
  CHECK(sanctioned > 0);

  // The run result: [J] summaries and [records, J] series for outcomes not per platform, none for [p].
  const RunResult r = m.result();
  REQUIRE(r.jur_summary.size() == table.size());
  REQUIRE(r.jur_series.size() == table.size());
  for (std::size_t k = 0; k < table.size(); ++k) {
    CHECK(r.jur_summary[k].size() == (table[k].per_platform ? 0u : static_cast<std::size_t>(J)));
    CHECK(r.jur_series[k].size() == (table[k].per_platform ? 0u : r.record_day.size() * static_cast<std::size_t>(J)));
  }
  // A count adds up across jurisdictions in the summary too.
  const auto tr = static_cast<std::size_t>(OutcomeId::TakedownRequests);
  double sum = 0;
  for (double x : r.jur_summary[tr]) sum += x;
  CHECK(sum == Approx(r.summary[tr][0]).epsilon(1e-12));

  Scenario one = load_scenario(dir / "baseline.toml", {"population.users=3000", "simulation.days=20"});
  REQUIRE(one.jurisdictions.size() == 1);
  Model m1(one, RunKey::derive(11, 0, 0));
  m1.run_to_end();
  CHECK(m1.daily_by_jurisdiction().empty());
  CHECK(m1.result().jur_summary.empty());
  CHECK(m1.result().jur_series.empty());
}
