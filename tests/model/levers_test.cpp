// Direction of the decree's levers (issue 12, model-spec.md v2), on paired runs
// of decree53_2022.toml: the same (point, replicate) keys under both values of
// a lever (common random numbers), 8 pairs; the paired 95 % t interval of the
// difference must exclude 0 on the expected side.
#include "complysim/core/outcomes.hpp"
#include "complysim/scenario.hpp"
#include "complysim/simulation/run.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using namespace complysim;

namespace {

using Settings = std::vector<std::pair<std::string, ParamValue>>;

/// Paired differences value(b) - value(a) of outcome `name` (column p) over 8 replicates.
std::vector<double> paired(const Settings& common, const Settings& a, const Settings& b, const char* name, std::size_t p = 0) {
  Scenario base = load_scenario(std::filesystem::path(COMPLYSIM_SOURCE_DIR) / "scenarios" / "decree53_2022.toml");
  set_param(base, "population.users", ParamValue(std::int64_t{4000}));
  set_param(base, "simulation.days", ParamValue(std::int64_t{240}));
  for (const auto& [k, v] : common) set_param(base, k, v);
  Scenario sa = base, sb = base;
  for (const auto& [k, v] : a) set_param(sa, k, v);
  for (const auto& [k, v] : b) set_param(sb, k, v);
  const auto k = static_cast<std::size_t>(find_outcome(name));
  std::vector<double> d;
  for (std::uint64_t r = 0; r < 8; ++r) {
    const RunKey key = RunKey::derive(static_cast<std::uint64_t>(base.simulation.seed), 0, r);
    d.push_back(simulate(sb, key).summary[k][p] - simulate(sa, key).summary[k][p]);
  }
  return d;
}

/// Lower and upper end of the paired 95 % t interval of the mean difference.
std::pair<double, double> interval(const std::vector<double>& d) {
  double mean = 0, var = 0;
  for (double x : d) mean += x;
  mean /= static_cast<double>(d.size());
  for (double x : d) var += (x - mean) * (x - mean);
  var /= static_cast<double>(d.size() - 1);
  const double half = 2.3646242510102993 * std::sqrt(var / static_cast<double>(d.size()));  // t(0.975, 7)
  return {mean - half, mean + half};
}

ParamValue real(double x) { return ParamValue(x); }

}  // namespace

TEST_CASE("a shorter deadline (3 h vs 72 h) removes unlawful items sooner and more lawful ones", "[model][levers][slow]") {
  // The deadline's direct effect, with every platform's choices held at their
  // initial values (learning_rate 0). (With learning, the 72-hour deadline's
  // contested requests lower the compliance scores, escalations follow and
  // platforms turn to proactive removal, which removes more lawful items still:
  // docs/model.md.)
  Settings fixed;
  for (const char* p : {"global_social", "video_sharing", "short_video"})
    fixed.emplace_back(std::string("platforms.") + p + ".learning_rate", real(0.0));
  const Settings h72{{"law.takedown_deadline_hours", real(72)}}, h3{{"law.takedown_deadline_hours", real(3)}};
  const auto exposure = interval(paired(fixed, h72, h3, "unlawful_exposure_days"));
  INFO("exposure days, 3 h - 72 h: [" << exposure.first << ", " << exposure.second << "]");
  CHECK(exposure.second < 0);
  const auto wrongful = interval(paired(fixed, h72, h3, "wrongful_removals_per_100k"));
  INFO("wrongful removals per 100k, 3 h - 72 h: [" << wrongful.first << ", " << wrongful.second << "]");
  CHECK(wrongful.first > 0);
}

TEST_CASE("broader enforcement (breadth 0 vs 0.3) raises over-removal and lawful legal chilling", "[model][levers][slow]") {
  const Settings narrow{{"law.enforcement_breadth", real(0.0)}}, broad{{"law.enforcement_breadth", real(0.3)}};
  const auto over = interval(paired({}, narrow, broad, "over_removal_share"));
  INFO("over_removal_share, 0.3 - 0: [" << over.first << ", " << over.second << "]");
  CHECK(over.first > 0);
  const auto chill = interval(paired({}, narrow, broad, "lawful_legal_chilling_rate"));
  INFO("lawful_legal_chilling_rate, 0.3 - 0: [" << chill.first << ", " << chill.second << "]");
  CHECK(chill.first > 0);
}

TEST_CASE("more vagueness raises lawful legal chilling when most users are ambiguity averse", "[model][levers][slow]") {
  const Settings averse{{"population.ambiguity_averse_share", real(0.9)}};
  const auto chill = interval(paired(averse, {{"law.vagueness", real(0.02)}}, {{"law.vagueness", real(0.3)}}, "lawful_legal_chilling_rate"));
  INFO("lawful_legal_chilling_rate, vagueness 0.3 - 0.02: [" << chill.first << ", " << chill.second << "]");
  CHECK(chill.first > 0);
}

TEST_CASE("a higher reputation weight lowers a platform's compliance, and compliance preference raises it", "[model][levers][slow]") {
  // global_social (platform 0) learns quickly, from a middling start.
  const Settings common{{"platforms.global_social.initial_compliance", real(0.6)},
                        {"platforms.global_social.learning_rate", real(0.5)},
                        {"platforms.global_social.switching_cost", real(0.0)}};
  const auto rep = interval(paired(common, {{"platforms.global_social.reputation_weight", real(0.0)}},
                                   {{"platforms.global_social.reputation_weight", real(200.0)}}, "takedown_compliance_rate", 0));
  INFO("takedown_compliance_rate, reputation 200 - 0: [" << rep.first << ", " << rep.second << "]");
  CHECK(rep.second < 0);
  // A platform that minds criticism (reputation weight 20) with and without goodwill for complying.
  Settings minds = common;
  minds.emplace_back("platforms.global_social.reputation_weight", real(20.0));
  const auto pref = interval(paired(minds, {{"platforms.global_social.compliance_preference", real(0.0)}},
                                    {{"platforms.global_social.compliance_preference", real(100.0)}}, "takedown_compliance_rate", 0));
  INFO("takedown_compliance_rate, preference 100 - 0: [" << pref.first << ", " << pref.second << "]");
  CHECK(pref.first > 0);
}
