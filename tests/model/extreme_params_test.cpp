// Issue 13 item 2: every numeric parameter at both ends of its documented range
// and just inside them, one at a time, on a small population (160 users, 5
// days; size parameters capped at 2,000 users and 200 days). Each run either
// finishes with every outcome inside its possible range (NaN only for the
// ratio outcomes, documented as NaN when their denominator is 0), or is refused
// with a complysim error naming the problem. Run under the sanitize preset
// (.ci/run), an out-of-bounds write or a NaN cast to an index fails the suite.
#include "complysim/params.hpp"
#include "complysim/scenario.hpp"
#include "complysim/simulation/outcome_range.hpp"
#include "complysim/core/outcomes.hpp"
#include "complysim/simulation/run.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

using namespace complysim;

namespace {

constexpr const char* kBase = R"(
[simulation]
days = 5
record_every_days = 1
summary_window_days = 3
[population]
users = 160
mean_degree = 6
[regulator]
review_days = 2
[platform]
review_days = 2
exit_patience_days = 2
[[platforms]]
name = "a"
market_share = 0.7
can_exit = true
[[platforms]]
name = "b"
market_share = 0.3
)";

/// The values a numeric parameter is tried at: both ends and just inside.
std::vector<double> probe_values(const ParamSpec& p) {
  double lo = p.min, hi = p.max;
  const std::string name = p.dotted_name();
  if (name == "population.users") hi = 2000;
  if (name == "simulation.days") hi = 200;
  if (p.type == ParamType::Int) return {lo, lo + 1, hi - 1, hi};
  return {lo, std::nextafter(lo, hi), std::nextafter(hi, lo), hi};
}

/// Every value of a run is in its outcome's range, or NaN for a share or a mean
/// over items (unlawful_exposure_days: NaN when no unlawful item left the feeds).
std::string check_outcomes(const RunResult& r) {
  std::ostringstream bad;
  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const OutcomeRange range = outcome_range(static_cast<OutcomeId>(k));
    const bool nan_allowed = table[k].unit == "share" || table[k].name == "unlawful_exposure_days";
    auto check = [&](const std::vector<double>& v, const char* where) {
      for (double x : v) {
        const bool ok = std::isnan(x) ? nan_allowed : (x >= range.lo && x <= range.hi);
        if (!ok) bad << table[k].name << " " << where << " = " << x << "; ";
      }
    };
    check(r.summary[k], "summary");
    check(r.series[k], "series");
  }
  return bad.str();
}

}  // namespace

TEST_CASE("every numeric parameter at both ends of its range and just inside gives outcomes in range", "[model][extreme]") {
  int runs = 0, refused = 0;
  for (const ParamSpec& p : parameter_table()) {
    if (p.type != ParamType::Int && p.type != ParamType::Real) continue;
    std::string name = p.dotted_name();
    if (p.group == ParamGroup::Platforms) name = "platforms.a." + std::string(p.key);
    if (p.group == ParamGroup::Jurisdiction) continue;  // population_share: a scenario-level share, checked by the loader
    if (name == "simulation.replicates") continue;      // not read by simulate()
    for (double v : probe_values(p)) {
      const std::string value = p.type == ParamType::Int ? std::to_string(static_cast<std::int64_t>(v)) : to_toml_text(ParamValue(v));
      const std::string set = name + "=" + value;
      INFO("--set " << set);
      Scenario s;
      try {
        s = load_scenario_text(kBase, "extreme.toml", {set});
      } catch (const ScenarioError& e) {
        // A combination the loader refuses (e.g. shares that no longer add up) is a clear error, not a crash.
        ++refused;
        UNSCOPED_INFO("refused by the loader: " << e.what());
        continue;
      }
      RunResult r;
      try {
        r = simulate(s, RunKey::derive(s.simulation.seed, 0, 0));
      } catch (const std::invalid_argument& e) {
        ++refused;
        UNSCOPED_INFO("refused by the model: " << e.what());
        continue;
      }
      ++runs;
      CHECK(check_outcomes(r) == "");
    }
  }
  CHECK(runs > 200);
  CHECK(refused < 20);
}

TEST_CASE("issue 13's crash: grievance or sensitivity concentration 0.01 on 160 users and 5 days", "[model][extreme]") {
  for (const char* set : {"population.grievance_concentration=0.01", "population.sensitivity_concentration=0.01",
                          "population.risk_aversion_concentration=0.01", "population.isolation_fear_concentration=0.01"}) {
    INFO(set);
    const Scenario s = load_scenario_text(kBase, "extreme.toml", {set});
    const RunResult r = simulate(s, RunKey::derive(s.simulation.seed, 0, 0));
    CHECK(check_outcomes(r) == "");
  }
}
