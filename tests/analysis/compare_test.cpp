// The what-if table of `complysim compare` (analysis/compare.hpp) against
// hand-computed means and paired differences.
#include "complysim/analysis/compare.hpp"
#include "complysim/simulation/outcome_range.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace complysim;
using Catch::Contains;

namespace {

/// A run whose every outcome is `fill` except self_censorship_rate = scr and
/// takedown_compliance_rate = tcr (one value per platform).
RunResult fake_run(double scr, std::vector<double> tcr, double fill = 0.5) {
  RunResult r;
  for (const auto& spec : outcome_table()) {
    const std::size_t w = spec.per_platform ? tcr.size() : 1;
    r.summary.emplace_back(w, fill);
  }
  r.summary[static_cast<std::size_t>(OutcomeId::SelfCensorshipRate)] = {scr};
  r.summary[static_cast<std::size_t>(OutcomeId::TakedownComplianceRate)] = tcr;
  return r;
}

const CompareRow& row(const CompareTable& t, std::string_view outcome, std::string_view platform = "") {
  for (const auto& r : t.rows)
    if (r.outcome == outcome && r.platform == platform) return r;
  FAIL("no row " << outcome << " " << platform);
  return t.rows.front();
}

}  // namespace

TEST_CASE("compare: means and paired differences by hand", "[analysis][compare]") {
  // A: 0.1, 0.2, 0.3; B: 0.2, 0.4, 0.3 -> differences 0.1, 0.2, 0.0:
  // mean 0.1, sd 0.1, t(0.975, 2) = 4.302653, half width 4.302653 * 0.1 / sqrt(3) = 0.248414.
  const std::vector<RunResult> a = {fake_run(0.1, {0.9, 0.5}), fake_run(0.2, {0.8, 0.5}), fake_run(0.3, {0.7, 0.5})};
  const std::vector<RunResult> b = {fake_run(0.2, {1.0}), fake_run(0.4, {1.0}), fake_run(0.3, {1.0})};
  std::vector<CompareInput> in(2);
  in[0] = {"A", {"p1", "p2"}, {&a[0], &a[1], &a[2]}};
  in[1] = {"B", {"p1"}, {&b[0], &b[1], &b[2]}};
  const CompareTable t = build_compare_table(in);
  REQUIRE(t.scenarios == std::vector<std::string>{"A", "B"});
  CHECK(t.replicates == 3);

  const auto& scr = row(t, "self_censorship_rate");
  CHECK(scr.label == "share of intended political posts that users held back");
  CHECK(scr.cells[0].level.mean == Approx(0.2));
  CHECK(scr.cells[1].level.mean == Approx(0.3));
  CHECK(scr.cells[0].diff.n == 0);
  CHECK(scr.cells[1].diff.n == 3);
  CHECK(scr.cells[1].diff.mean == Approx(0.1));
  CHECK(scr.cells[1].diff.ci_lo == Approx(0.1 - 0.248414).epsilon(1e-5));
  CHECK(scr.cells[1].diff.ci_hi == Approx(0.1 + 0.248414).epsilon(1e-5));

  // Per platform: p1 in both (differences 0.1, 0.2, 0.3: mean 0.2), p2 only in A.
  const auto& p1 = row(t, "takedown_compliance_rate", "p1");
  CHECK(p1.cells[1].diff.mean == Approx(0.2));
  const auto& p2 = row(t, "takedown_compliance_rate", "p2");
  CHECK(p2.cells[0].present);
  CHECK_FALSE(p2.cells[1].present);
  CHECK(p2.cells[1].diff.n == 0);

  const std::string text = format_compare_table(t, CompareFormat::Table);
  CHECK_THAT(text, Contains("How to read this table") && Contains("+0.1 [-0.148, +0.348]"));
  const std::string md = format_compare_table(t, CompareFormat::Markdown);
  CHECK_THAT(md, Contains("| outcome | meaning | A | B | change: B |") && Contains("| `self_censorship_rate` |"));
  const std::string csv = format_compare_table(t, CompareFormat::Csv);
  CHECK_THAT(csv, Contains("outcome,platform,label,unit,scenario,n,mean,ci_lo,ci_hi,diff,diff_lo,diff_hi,pairs\n"));
  CHECK_THAT(csv, Contains("self_censorship_rate,,share of intended political posts that users held back,share,B,3,0.3"));
}

TEST_CASE("compare: a missing run drops its pair; bad shapes throw", "[analysis][compare]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<RunResult> a = {fake_run(0.1, {0.9}), fake_run(nan, {0.9}), fake_run(0.3, {0.9})};
  const std::vector<RunResult> b = {fake_run(0.5, {0.9}), fake_run(0.5, {0.9}), fake_run(0.5, {0.9})};
  std::vector<CompareInput> in(2);
  in[0] = {"A", {"p"}, {&a[0], &a[1], &a[2]}};
  in[1] = {"B", {"p"}, {&b[0], &b[1], &b[2]}};
  const auto t = build_compare_table(in);
  const auto& scr = row(t, "self_censorship_rate");
  CHECK(scr.cells[1].diff.n == 2);
  CHECK(scr.cells[1].diff.mean == Approx(0.3));  // (0.4 + 0.2) / 2
  CHECK(scr.cells[0].level.n == 2);
  CHECK_THROWS_AS(build_compare_table({}), std::invalid_argument);
  const RunResult wrong = fake_run(0.1, {0.9, 0.9});
  in[1].runs = {&wrong};
  CHECK_THROWS_AS(build_compare_table(in), std::invalid_argument);
}

TEST_CASE("compare: changes from fewer pairs than replicates say how many; one pair has no CI", "[analysis][compare]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // takedown_compliance_rate: A defined in runs 0, 1; B in 0, 1, 3 -> 2 pairs of 4 replicates.
  // self_censorship_rate: A defined only in run 2 -> 1 pair.
  const std::vector<RunResult> a = {fake_run(nan, {0.9}), fake_run(nan, {0.8}), fake_run(0.2, {nan}), fake_run(nan, {nan})};
  const std::vector<RunResult> b = {fake_run(0.1, {0.6}), fake_run(0.1, {0.4}), fake_run(0.4, {nan}), fake_run(0.1, {0.5})};
  std::vector<CompareInput> in(2);
  in[0] = {"A", {"p"}, {&a[0], &a[1], &a[2], &a[3]}};
  in[1] = {"B", {"p"}, {&b[0], &b[1], &b[2], &b[3]}};
  const auto t = build_compare_table(in);
  CHECK(row(t, "takedown_compliance_rate", "p").cells[1].diff.n == 2);
  CHECK(row(t, "self_censorship_rate").cells[1].diff.n == 1);
  const std::string text = format_compare_table(t, CompareFormat::Table);
  CHECK_THAT(text, Contains("-0.35 [") && Contains("] (n=2 pairs)"));
  CHECK_THAT(text, Contains("+0.2 (n=1 pair, no CI)"));
  const std::string md = format_compare_table(t, CompareFormat::Markdown);
  CHECK_THAT(md, Contains("(n=2 pairs)") && Contains("(n=1 pair, no CI)"));
  // A change over every replicate carries no count.
  CHECK_THAT(text, !Contains("(n=4 pairs)"));
}

TEST_CASE("compare: level intervals are clipped to the outcome's range; changes are not", "[analysis][compare]") {
  // Shares 0.5, 1, 1: the t interval is [0.17, 1.50] before clipping.
  const std::vector<RunResult> a = {fake_run(0.5, {0.0}), fake_run(1.0, {0.0}), fake_run(1.0, {0.1})};
  const std::vector<RunResult> b = {fake_run(0.0, {0.0}), fake_run(1.0, {0.0}), fake_run(0.0, {0.1})};
  std::vector<CompareInput> in(2);
  in[0] = {"A", {"p"}, {&a[0], &a[1], &a[2]}};
  in[1] = {"B", {"p"}, {&b[0], &b[1], &b[2]}};
  const auto t = build_compare_table(in);
  const auto& scr = row(t, "self_censorship_rate");
  CHECK(scr.cells[0].level.ci_hi == 1.0);
  CHECK(scr.cells[0].level.ci_lo > 0.0);
  CHECK(scr.cells[1].level.ci_lo == 0.0);
  CHECK(scr.cells[1].level.ci_hi == 1.0);
  // The paired difference (B - A: -0.5, 0, -1) keeps its full t interval.
  CHECK(scr.cells[1].diff.ci_lo < -1.0);
  const auto& tcr = row(t, "takedown_compliance_rate", "p");
  CHECK(tcr.cells[0].level.ci_lo == 0.0);
}

TEST_CASE("outcome_range: the possible range of every outcome", "[analysis][compare]") {
  const double inf = std::numeric_limits<double>::infinity();
  for (const char* share : {"self_censorship_rate", "takedown_compliance_rate", "mean_perceived_risk", "platform_localized",
                            "over_removal_share"}) {
    CHECK(outcome_range(share).lo == 0.0);
    CHECK(outcome_range(share).hi == 1.0);
  }
  for (const char* count : {"takedown_requests", "posted_per_user_day", "users_sanctioned_per_100k", "unlawful_exposure_days"}) {
    CHECK(outcome_range(count).lo == 0.0);
    CHECK(outcome_range(count).hi == inf);
  }
  CHECK(outcome_range("platform_revenue").lo == -inf);  // net of fines and localisation cost (model v2)
  CHECK(outcome_range("escalation_level").hi == 4.0);
  CHECK(outcome_range("platform_status").hi == 3.0);
  CHECK(outcome_range("no_such_outcome").lo == -inf);
  // Every outcome but the net revenue has the lower bound 0.
  for (const auto& o : outcome_table())
    if (o.name != "platform_revenue") CHECK(outcome_range(o.name).lo == 0.0);
  CHECK(outcome_range(OutcomeId::EscalationLevel).clip(-0.76) == 0.0);
  CHECK(outcome_range(OutcomeId::EscalationLevel).clip(1.45) == 1.45);
  CHECK(std::isnan(outcome_range(OutcomeId::SelfCensorshipRate).clip(std::numeric_limits<double>::quiet_NaN())));
}
