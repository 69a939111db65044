#include "complysim/scenario.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

using namespace complysim;
using Catch::Contains;

namespace {

// Two platforms whose shares sum to 1; appended to most test documents.
const std::string kPlatforms =
    "\n[[platforms]]\nname = \"a\"\nmarket_share = 0.6\n"
    "\n[[platforms]]\nname = \"b\"\nmarket_share = 0.4\n";

Scenario load(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return load_scenario_text(text, "t.toml", overrides);
}

/// The ScenarioError that loading `text` throws.
ScenarioError error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    load(text, overrides);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for:\n" << text);
  return ScenarioError("", 0, 0, "");
}

ScenarioError file_error_of(const std::filesystem::path& file) {
  try {
    load_scenario(file);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for " << file);
  return ScenarioError("", 0, 0, "");
}

std::filesystem::path source_path(const std::string& rel) { return std::filesystem::path(COMPLYSIM_SOURCE_DIR) / rel; }

}  // namespace

TEST_CASE("a minimal scenario takes defaults and records origins", "[scenario]") {
  const Scenario s = load("[law]\nvagueness = 0.3\n" + kPlatforms);
  CHECK(s.law.vagueness == 0.3);
  CHECK(s.simulation.days == 365);
  CHECK(s.population.network == "small_world");
  REQUIRE(s.platforms.size() == 2);
  CHECK(s.platforms[0].name == "a");
  CHECK(s.platforms[1].market_share == 0.4);
  CHECK(s.platforms[1].reputation_weight == 50.0);  // table default
  REQUIRE(s.jurisdictions.size() == 1);
  CHECK(s.jurisdictions[0].name == "default");
  CHECK(s.jurisdictions[0].population_share == 1.0);
  CHECK(s.jurisdictions[0].law.vagueness == 0.3);
  CHECK(s.jurisdictions[0].own_fields.empty());
  const auto& o = s.origins.at("law.vagueness");
  CHECK(o.kind == ValueOrigin::Kind::File);
  CHECK(o.file == "t.toml");
  CHECK(o.line == 2);
  CHECK(s.origins.at("law.appeals").kind == ValueOrigin::Kind::Default);
  CHECK(s.origins.at("platforms.b.market_share").line == 10);
  CHECK(s.origins.at("jurisdictions.default.law.vagueness").line == 2);
  CHECK(s.origins.count("platforms.a.can_exit") == 1);
  CHECK_FALSE(s.sweep.present);
}

TEST_CASE("TOML dates and integers where reals are expected", "[scenario]") {
  const Scenario s = load("[simulation]\nstart_date = 2024-03-01\n[law]\nlegal_threshold = 1\n" + kPlatforms);
  CHECK(s.simulation.start_date == "2024-03-01");
  CHECK(s.law.legal_threshold == 1.0);
}

TEST_CASE("the bundled baseline is valid", "[scenario]") {
  const Scenario s = load_scenario(source_path("scenarios/baseline.toml"));
  CHECK(s.population.users == 20000);
  CHECK(s.simulation.days == 365);
  REQUIRE(s.platforms.size() == 3);
  CHECK(s.platforms[0].name == "global_social");
  CHECK(s.platforms[1].name == "video_sharing");
  CHECK(s.platforms[2].name == "short_video");
  CHECK(s.platforms[0].reputation_weight > s.platforms[2].reputation_weight);
  CHECK(s.platforms[2].initial_compliance >= s.platforms[0].initial_compliance);
  // Every field is written in the baseline.
  for (const auto& [name, origin] : s.origins)
    if (name.rfind("jurisdictions.", 0) != 0) CHECK(origin.kind == ValueOrigin::Kind::File);
}

TEST_CASE("error: not TOML", "[scenario][errors]") {
  const auto e = error_of("[law]\nvagueness = = 3\n");
  CHECK(e.line() == 2);
  CHECK(e.file() == "t.toml");
  CHECK_THAT(e.what(), Contains("t.toml:2:") && Contains(": error: not valid TOML"));
}

TEST_CASE("error: missing or unreadable file", "[scenario][errors]") {
  test::TempDir dir;
  auto e = file_error_of(dir.path() / "absent.toml");
  CHECK(e.line() == 0);
  CHECK_THAT(e.what(), Contains("absent.toml: error: cannot open scenario file: No such file or directory"));
  e = file_error_of(dir.path());
  CHECK_THAT(e.what(), Contains("cannot open scenario file: not a regular file (a directory)"));
}

TEST_CASE("error: unknown keys, with suggestions", "[scenario][errors]") {
  auto e = error_of("[law]\nvaguenes = 0.3\n" + kPlatforms);
  CHECK(e.line() == 2);
  CHECK(e.column() == 1);
  CHECK(e.message() == "unknown key 'vaguenes' in [law]; did you mean 'vagueness'?");
  CHECK(std::string(e.what()) == "t.toml:2:1: error: unknown key 'vaguenes' in [law]; did you mean 'vagueness'?");
  e = error_of("[simulaton]\ndays = 3\n" + kPlatforms);
  CHECK(e.line() == 1);
  CHECK(e.message() == "unknown key 'simulaton' in the scenario; did you mean 'simulation'?");
  e = error_of("[law]\nzzzzzzzz = 1\n" + kPlatforms);
  CHECK(e.message() == "unknown key 'zzzzzzzz' in [law]");
  e = error_of(kPlatforms + "reputaton_weight = 1\n");
  CHECK(e.line() == 9);
  CHECK(e.message() == "unknown key 'reputaton_weight' in [[platforms]] 'b'; did you mean 'reputation_weight'?");
}

TEST_CASE("error: wrong types", "[scenario][errors]") {
  auto e = error_of("[law]\n\nvagueness = \"high\"\n" + kPlatforms);
  CHECK(e.line() == 3);
  CHECK(e.message() == "wrong type for 'law.vagueness': expected real, got string \"high\"");
  e = error_of("[simulation]\ndays = 36.5\n" + kPlatforms);
  CHECK(e.line() == 2);
  CHECK(e.message() == "wrong type for 'simulation.days': expected integer, got real 36.5");
  e = error_of("law = 3\n" + kPlatforms);
  CHECK(e.line() == 1);
  CHECK(e.message() == "'law' must be a table, got integer");
  e = error_of("[law]\nvagueness = [1]\n" + kPlatforms);
  CHECK(e.message() == "wrong type for 'law.vagueness': expected real, got array");
  e = error_of("[[platforms]]\nname = 3\n");
  CHECK(e.line() == 2);
  CHECK(e.message() == "wrong type for 'name': expected string, got integer");
}

TEST_CASE("error: out of range and bad choices", "[scenario][errors]") {
  auto e = error_of("[law]\nvagueness = 1.5\n" + kPlatforms);
  CHECK(e.line() == 2);
  CHECK(e.column() == 13);
  CHECK(e.message() == "value 1.5 of 'law.vagueness' is out of range [0, 1]");
  e = error_of("[[platforms]]\nname = \"a\"\nmarket_share = -0.4\n");
  CHECK(e.line() == 3);
  CHECK(e.message() == "value -0.4 of 'platforms.a.market_share' is out of range [0, 1]");
  e = error_of("[population]\nnetwork = \"ring\"\n" + kPlatforms);
  CHECK(e.line() == 2);
  CHECK(e.message() == "value \"ring\" of 'population.network' is not one of: small_world, scale_free, random");
  e = error_of("[simulation]\nstart_date = \"2023-02-30\"\n" + kPlatforms);
  CHECK(e.message() == "value \"2023-02-30\" of 'simulation.start_date' is not a valid ISO date (YYYY-MM-DD)");
  e = error_of("[[platforms]]\nname = \"a\"\nmarket_share = 1.0\nrationality = -1\n");
  CHECK(e.line() == 4);
  CHECK(e.message() == "value -1.0 of 'platforms.a.rationality' is out of range [0, 1e+06]");
}

TEST_CASE("error: platforms missing, empty, unnamed or duplicated", "[scenario][errors]") {
  auto e = error_of("[law]\nvagueness = 0.1\n");
  CHECK(e.line() == 0);
  CHECK(std::string(e.what()) == "t.toml: error: at least one [[platforms]] entry is required");
  e = error_of("platforms = []\n");
  CHECK(e.line() == 1);
  CHECK(e.message() == "at least one [[platforms]] entry is required");
  e = error_of("[[platforms]]\nmarket_share = 1.0\n");
  CHECK(e.line() == 1);
  CHECK(e.message() == "a [[platforms]] entry needs a 'name'");
  e = error_of("[[platforms]]\nname = \"a b\"\n");
  CHECK(e.message() == "name 'a b' must be non-empty and use only letters, digits, '_' and '-'");
  e = error_of(kPlatforms + "\n[[platforms]]\nname = \"a\"\n");
  CHECK(e.line() == 11);
  CHECK(e.message() == "duplicate platform name 'a' (first at t.toml:3)");
}

TEST_CASE("error: shares that do not sum to 1", "[scenario][errors]") {
  auto e = error_of("[[platforms]]\nname = \"a\"\nmarket_share = 0.5\n[[platforms]]\nname = \"b\"\nmarket_share = 0.4\n");
  CHECK(e.line() == 1);
  CHECK(e.message() == "platform market shares sum to 0.9, not 1 (within 1e-6): a 0.5, b 0.4");
  CHECK_NOTHROW(load("[[platforms]]\nname = \"a\"\nmarket_share = 0.3333333\n[[platforms]]\nname = \"b\"\n"
                     "market_share = 0.6666667\n"));
  e = error_of(kPlatforms + "\n[[jurisdictions]]\nname = \"VN\"\npopulation_share = 0.7\n"
                            "\n[[jurisdictions]]\nname = \"TH\"\npopulation_share = 0.2\n");
  CHECK(e.line() == 10);
  CHECK(e.message() == "jurisdiction population shares sum to 0.9, not 1 (within 1e-6): VN 0.7, TH 0.2");
  e = error_of(kPlatforms + "\n[[jurisdictions]]\nname = \"VN\"\npopulation_share = 0.5\n"
                            "\n[[jurisdictions]]\nname = \"VN\"\npopulation_share = 0.5\n");
  CHECK(e.line() == 15);
  CHECK(e.message() == "duplicate jurisdiction name 'VN' (first at t.toml:11)");
}

TEST_CASE("jurisdictions inherit the top-level law and regulator field by field", "[scenario][jurisdictions]") {
  const std::string text = "[law]\nvagueness = 0.2\n[regulator]\nreview_days = 10\n" + kPlatforms +
                           "\n[[jurisdictions]]\nname = \"VN\"\npopulation_share = 0.75\n"
                           "\n[[jurisdictions]]\nname = \"TH\"\npopulation_share = 0.25\n"
                           "[jurisdictions.law]\nvagueness = 0.4\n[jurisdictions.regulator]\ncoordination_group = \"asean\"\n";
  Scenario s = load(text);
  REQUIRE(s.jurisdictions.size() == 2);
  const auto& vn = s.jurisdictions[0];
  const auto& th = s.jurisdictions[1];
  CHECK(vn.law.vagueness == 0.2);
  CHECK(vn.regulator.review_days == 10);
  CHECK(vn.own_fields.empty());
  CHECK(th.law.vagueness == 0.4);
  CHECK(th.regulator.review_days == 10);
  CHECK(th.regulator.coordination_group == "asean");
  CHECK(th.own_fields == std::vector<std::string>{"law.vagueness", "regulator.coordination_group"});
  CHECK(s.origins.at("jurisdictions.TH.law.vagueness").line == 22);
  CHECK(s.origins.at("jurisdictions.VN.law.vagueness").line == 2);

  s = load(text, {"law.vagueness=0.3", "jurisdictions.VN.regulator.review_days=5"});
  CHECK(s.law.vagueness == 0.3);
  CHECK(s.jurisdictions[0].law.vagueness == 0.3);  // inherited
  CHECK(s.jurisdictions[1].law.vagueness == 0.4);  // its own
  CHECK(s.jurisdictions[0].regulator.review_days == 5);
  CHECK(s.jurisdictions[0].own_fields == std::vector<std::string>{"regulator.review_days"});
  CHECK(s.origins.at("jurisdictions.VN.law.vagueness").kind == ValueOrigin::Kind::Override);
  CHECK(s.origins.at("jurisdictions.TH.law.vagueness").kind == ValueOrigin::Kind::File);

  auto e = error_of(kPlatforms + "\n[[jurisdictions]]\nname = \"VN\"\n[jurisdictions.law]\nvagueness = 3\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "value 3.0 of 'jurisdictions.VN.law.vagueness' is out of range [0, 1]");
  e = error_of(kPlatforms + "\n[[jurisdictions]]\nname = \"VN\"\n[jurisdictions.law]\nvagenes = 0.3\n");
  CHECK(e.message() == "unknown key 'vagenes' in [jurisdictions.law] of 'VN'; did you mean 'vagueness'?");
}

TEST_CASE("overrides are typed and checked like file values", "[scenario][overrides]") {
  Scenario s = load(kPlatforms, {"law.vagueness=0.25", "simulation.days=100", "population.network=random",
                                 "platforms.b.can_exit=true", "law.legal_threshold = 1",
                                 "simulation.start_date=2024-01-02", "regulator.coordination_group=\"g\""});
  CHECK(s.law.vagueness == 0.25);
  CHECK(s.simulation.days == 100);
  CHECK(s.population.network == "random");
  CHECK(s.platforms[1].can_exit);
  CHECK(s.law.legal_threshold == 1.0);
  CHECK(s.simulation.start_date == "2024-01-02");
  CHECK(s.regulator.coordination_group == "g");
  CHECK(s.origins.at("law.vagueness").kind == ValueOrigin::Kind::Override);
  CHECK(s.origins.at("law.vagueness").file == "--set");
  CHECK(s.overrides.size() == 7);

  auto e = error_of(kPlatforms, {"law.vagueness=abc"});
  CHECK(std::string(e.what()) == "--set law.vagueness=abc: error: value 'abc' is not a TOML value (expected real; quote strings)");
  e = error_of(kPlatforms, {"law.vagueness"});
  CHECK(std::string(e.what()) == "--set law.vagueness: error: expected NAME=VALUE (e.g. --set law.vagueness=0.3)");
  e = error_of(kPlatforms, {"=0.3"});
  CHECK(e.message() == "empty parameter name (expected NAME=VALUE)");
  e = error_of(kPlatforms, {"law.vagueness="});
  CHECK(e.message() == "empty value for 'law.vagueness'");
  e = error_of(kPlatforms, {"law.vaguenes=0.3"});
  CHECK(e.message() == "unknown parameter 'law.vaguenes'; did you mean 'law.vagueness'?");
  e = error_of(kPlatforms, {"platforms.c.market_share=0.3"});
  CHECK(e.message() == "unknown platform 'c' in 'platforms.c.market_share'");
  e = error_of(kPlatforms, {"law.vagueness=2"});
  CHECK(e.message() == "value 2.0 of 'law.vagueness' is out of range [0, 1]");
  e = error_of(kPlatforms, {"simulation.days=3.0"});
  CHECK(e.message() == "wrong type for 'simulation.days': expected integer, got real 3.0");
  e = error_of(kPlatforms, {"law.vagueness=\"0.3\""});
  CHECK(e.message() == "wrong type for 'law.vagueness': expected real, got string \"0.3\"");
  e = error_of(kPlatforms, {"law.vagueness=0.3\nx = 1"});
  CHECK(e.message() == "value '0.3\nx = 1' is not a single TOML value");
  e = error_of(kPlatforms, {"platforms.a.market_share=0.5"});  // shares are checked after overrides
  CHECK(e.message() == "platform market shares sum to 0.9, not 1 (within 1e-6): a 0.5, b 0.4");
}

TEST_CASE("events: days, dates, lever changes and actions", "[scenario][events]") {
  const Scenario s = load("[simulation]\nstart_date = \"2023-01-01\"\ndays = 100\n" + kPlatforms +
                          "\n[[events]]\nday = 50\nset = { \"law.vagueness\" = 0.3, regulator = { review_days = 7 } }\n"
                          "\n[[events]]\ndate = 2023-01-11\nnote = \"2020 replay\"\naction = \"throttle\"\nplatform = \"a\"\ndays = 20\n"
                          "\n[[events]]\ndate = \"2023-01-02\"\naction = \"fine\"\nplatform = \"b\"\n");
  REQUIRE(s.events.size() == 3);
  CHECK(s.events[0].day == 1);
  CHECK(s.events[0].action == "fine");
  CHECK(s.events[0].days == 0);
  CHECK(s.events[1].day == 10);
  CHECK(s.events[1].action == "throttle");
  CHECK(s.events[1].platform == "a");
  CHECK(s.events[1].days == 20);
  CHECK(s.events[1].note == "2020 replay");
  CHECK(s.events[2].day == 50);
  REQUIRE(s.events[2].set.size() == 2);
  CHECK(s.events[2].set[0].first == "law.vagueness");
  CHECK(std::get<double>(s.events[2].set[0].second) == 0.3);
  CHECK(s.events[2].set[1].first == "regulator.review_days");
  CHECK(std::get<std::int64_t>(s.events[2].set[1].second) == 7);
}

TEST_CASE("error: bad events", "[scenario][events][errors]") {
  const std::string head = "[simulation]\ndays = 100\n" + kPlatforms + "\n[[events]]\n";  // [[events]] on line 12
  auto e = error_of(head + "day = 100\nset = { \"law.vagueness\" = 0.3 }\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "event day 100 is past the horizon (simulation.days = 100, last day 99)");
  e = error_of(head + "day = -1\nset = { \"law.vagueness\" = 0.3 }\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "event day -1 is before day 0");
  e = error_of(head + "date = \"2022-12-31\"\nset = { \"law.vagueness\" = 0.3 }\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "event date 2022-12-31 is day -1 of the run (simulation.start_date = 2023-01-01), before day 0");
  e = error_of(head + "day = 1\ndate = \"2023-01-02\"\nset = { \"law.vagueness\" = 0.3 }\n");
  CHECK(e.line() == 14);
  CHECK(e.message() == "an event has both 'day' and 'date'; give exactly one");
  e = error_of(head + "set = { \"law.vagueness\" = 0.3 }\n");
  CHECK(e.line() == 12);
  CHECK(e.message() == "an event needs a 'day' or a 'date'");
  e = error_of(head + "day = 1\n");
  CHECK(e.message() == "an event needs either 'set' (lever changes) or 'action' (throttle, suspend, fine)");
  e = error_of(head + "day = 1\nset = { \"law.vagueness\" = 0.3 }\naction = \"fine\"\nplatform = \"a\"\n");
  CHECK(e.line() == 15);
  CHECK(e.message() == "an event has both 'set' and 'action'; give exactly one");
  e = error_of(head + "day = 1\nset = { \"law.vaguenes\" = 0.3 }\n");
  CHECK(e.line() == 14);
  CHECK(e.message() == "unknown parameter 'law.vaguenes'; did you mean 'law.vagueness'?");
  e = error_of(head + "day = 1\nset = { \"simulation.days\" = 30 }\n");
  CHECK(e.line() == 14);
  CHECK_THAT(e.message(), Contains("'simulation.days' cannot change during a run"));
  e = error_of(head + "day = 1\nset = { \"population.users\" = 30 }\n");
  CHECK_THAT(e.message(), Contains("'population.users' cannot change during a run"));
  e = error_of(head + "day = 1\nset = { \"law.vagueness\" = 3 }\n");
  CHECK(e.line() == 14);
  CHECK(e.message() == "value 3.0 of 'law.vagueness' is out of range [0, 1]");
  e = error_of(head + "day = 1\nset = {}\n");
  CHECK(e.message() == "'set' of an event is empty");
  e = error_of(head + "day = 1\naction = \"ban\"\nplatform = \"a\"\n");
  CHECK(e.line() == 14);
  CHECK(e.message() == "unknown action 'ban' (expected throttle, suspend or fine)");
  e = error_of(head + "day = 1\naction = \"suspnd\"\nplatform = \"a\"\ndays = 3\n");
  CHECK(e.message() == "unknown action 'suspnd' (expected throttle, suspend or fine); did you mean 'suspend'?");
  e = error_of(head + "day = 1\naction = \"throttle\"\nplatform = \"c\"\ndays = 3\n");
  CHECK(e.line() == 15);
  CHECK(e.message() == "unknown platform 'c'");
  e = error_of(head + "day = 1\naction = \"throttle\"\ndays = 3\n");
  CHECK(e.message() == "a 'throttle' event needs a 'platform'");
  e = error_of(head + "day = 1\naction = \"throttle\"\nplatform = \"a\"\n");
  CHECK(e.line() == 12);
  CHECK(e.message() == "a 'throttle' event needs 'days' (its duration, at least 1)");
  e = error_of(head + "day = 1\naction = \"suspend\"\nplatform = \"a\"\ndays = 0\n");
  CHECK(e.line() == 16);
  CHECK(e.message() == "'days' of a 'suspend' event must be at least 1, got 0");
  e = error_of(head + "day = 1\naction = \"fine\"\nplatform = \"a\"\njurisdiction = \"XX\"\n");
  CHECK(e.line() == 16);
  CHECK(e.message() == "unknown jurisdiction 'XX'");
  e = error_of(head + "day = 1\nset = { \"law.vagueness\" = 0.3 }\nplatform = \"a\"\n");
  CHECK(e.message() == "'platform' applies only to an 'action' event");
  e = error_of(head + "dya = 1\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "unknown key 'dya' in [[events]]; did you mean 'day'?");
}

TEST_CASE("sweep section", "[scenario][sweep]") {
  Scenario s = load(kPlatforms +
                    "\n[sweep]\ndesign = \"grid\"\nreplicates = 3\n[sweep.parameters]\n\"law.vagueness\" = [0.0, 0.1, 0.2]\n"
                    "regulator.review_days = [10, 30]\n\"platforms.a.reputation_weight\" = [1, 2]\n"
                    "\n[[sweep.designs]]\nname = \"strict\"\nset = { \"law.transparency\" = 0.9 }\n"
                    "\n[[sweep.designs]]\nname = \"as_is\"\nset = {}\n");
  const auto& w = s.sweep;
  CHECK(w.present);
  CHECK(w.design == "grid");
  CHECK(w.replicates == 3);
  CHECK(w.samples == 16);
  REQUIRE(w.parameters.size() == 3);
  CHECK(w.parameters[0].name == "law.vagueness");
  CHECK(w.parameters[0].values == std::vector<double>{0.0, 0.1, 0.2});
  CHECK(w.parameters[1].name == "platforms.a.reputation_weight");
  CHECK(w.parameters[2].name == "regulator.review_days");
  CHECK(w.parameters[2].values == std::vector<double>{10, 30});
  REQUIRE(w.designs.size() == 2);
  CHECK(w.designs[0].name == "strict");
  CHECK(w.designs[1].set.empty());

  s = load(kPlatforms + "\n[sweep]\ndesign = \"sobol\"\nsamples = 64\nscramble = true\n[sweep.parameters]\n"
                        "\"law.vagueness\" = { min = 0.0, max = 0.5 }\n\"jurisdictions.default.law.appeals\" = { min = 0, max = 1 }\n");
  CHECK(s.sweep.design == "sobol");
  CHECK(s.sweep.scramble);
  CHECK(s.sweep.samples == 64);
  REQUIRE(s.sweep.parameters.size() == 2);
  CHECK(s.sweep.parameters[0].name == "jurisdictions.default.law.appeals");
  CHECK(s.sweep.parameters[1].max == 0.5);
}

TEST_CASE("error: bad sweeps", "[scenario][sweep][errors]") {
  const std::string head = kPlatforms + "\n[sweep]\n";  // [sweep] on line 10
  auto e = error_of(head + "design = \"random\"\n");
  CHECK(e.line() == 11);
  CHECK(e.message() == "unknown sweep design 'random' (expected grid, lhs, sobol or file)");
  e = error_of(head + "samples = 0\n");
  CHECK(e.line() == 11);
  CHECK(e.message() == "sweep.samples must be at least 1, got 0");
  e = error_of(head + "replicates = 0\n");
  CHECK(e.message() == "sweep.replicates must be at least 1, got 0");
  e = error_of(head + "scramble = 1\n");
  CHECK(e.message() == "wrong type for 'sweep.scramble': expected boolean, got integer");
  e = error_of(head + "samples = 4\ndesign = \"sobol\"\n");
  CHECK(e.line() == 12);
  CHECK_THAT(e.message(), Contains("sweep design 'sobol' needs at least one parameter in [sweep.parameters]"));
  e = error_of(head + "desing = \"grid\"\n");
  CHECK(e.message() == "unknown key 'desing' in [sweep]; did you mean 'design'?");
  e = error_of(head + "[sweep.parameters]\n\"law.vagness\" = [0.1]\n");
  CHECK(e.line() == 12);
  CHECK(e.message() == "unknown parameter 'law.vagness'; did you mean 'law.vagueness'?");
  e = error_of(head + "[sweep.parameters]\n\"population.network\" = [0.1]\n");
  CHECK(e.line() == 12);
  CHECK(e.message() ==
        "sweep parameter 'population.network' is not numeric (it is a choice); only real and integer parameters can be swept");
  e = error_of(head + "[sweep.parameters]\n\"law.data_localization\" = [0, 1]\n");
  CHECK_THAT(e.message(), Contains("is not numeric (it is a boolean)"));
  e = error_of(head + "[sweep.parameters]\n\"law.vagueness\" = { min = 0.1, max = 0.2 }\n");
  CHECK(e.message() == "sweep parameter 'law.vagueness' needs a non-empty list of values for design 'grid'");
  e = error_of(head + "[sweep.parameters]\n\"law.vagueness\" = [0.1, 1.2]\n");
  CHECK(e.line() == 12);
  CHECK(e.message() == "value 1.2 of 'law.vagueness' is out of range [0, 1]");
  e = error_of(head + "design = \"lhs\"\n[sweep.parameters]\n\"law.vagueness\" = [0.1]\n");
  CHECK(e.message() == "sweep parameter 'law.vagueness' needs { min = ..., max = ... } for design 'lhs'");
  e = error_of(head + "design = \"lhs\"\n[sweep.parameters]\n\"law.vagueness\" = { min = 0.5, max = 0.2 }\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "the range of sweep parameter 'law.vagueness' has min 0.5 > max 0.2");
  e = error_of(head + "design = \"lhs\"\n[sweep.parameters]\n\"law.vagueness\" = { min = 0.5 }\n");
  CHECK(e.message() == "the range of sweep parameter 'law.vagueness' needs both 'min' and 'max'");
  e = error_of(head + "design = \"lhs\"\n[sweep.parameters]\n\"simulation.days\" = { min = 1.5, max = 2 }\n");
  CHECK(e.message() == "wrong type for 'simulation.days': expected integer, got real 1.5");
  e = error_of(head + "[[sweep.designs]]\nname = \"x\"\nset = {}\n[[sweep.designs]]\nname = \"x\"\nset = {}\n");
  CHECK(e.line() == 15);
  CHECK(e.message() == "duplicate design name 'x' (first at t.toml:12)");
  e = error_of(head + "[[sweep.designs]]\nname = \"x\"\nset = { \"law.vagueness\" = \"vague\" }\n");
  CHECK(e.line() == 13);
  CHECK(e.message() == "wrong type for 'law.vagueness': expected real, got string \"vague\"");
  e = error_of(head + "[[sweep.designs]]\nname = \"x\"\n");
  CHECK(e.message() == "design 'x' needs a 'set' table (use set = {} for the scenario as written)");
}

TEST_CASE("extends: merge rules, origins, relative paths", "[scenario][extends]") {
  test::TempDir dir;
  dir.write("base/base.toml",
            "[simulation]\ndays = 200\nseed = 7\n[law]\nvagueness = 0.1\nappeals = 0.2\n"
            "[[platforms]]\nname = \"a\"\nmarket_share = 0.6\nreputation_weight = 3.0\n"
            "[[platforms]]\nname = \"b\"\nmarket_share = 0.4\n"
            "[[events]]\nday = 5\nset = { \"law.vagueness\" = 0.5 }\n"
            "[sweep]\ndesign = \"grid\"\nreplicates = 4\n[sweep.parameters]\n\"law.appeals\" = [0.1, 0.2]\n"
            "\"law.vagueness\" = [0.1]\n[[sweep.designs]]\nname = \"d1\"\nset = {}\n");
  const auto child = dir.write("child.toml",
                               "extends = \"base/base.toml\"\n[law]\nvagueness = 0.3\n"
                               "[[platforms]]\nname = \"a\"\nmarket_share = 0.5\n"
                               "[[platforms]]\nname = \"c\"\nmarket_share = 0.1\n"
                               "[[events]]\nday = 2\naction = \"fine\"\nplatform = \"c\"\n"
                               "[sweep]\nreplicates = 2\n[sweep.parameters]\n\"law.user_sanction\" = [0.5]\n");
  const Scenario s = load_scenario(child);
  CHECK(s.simulation.days == 200);
  CHECK(s.law.vagueness == 0.3);
  CHECK(s.law.appeals == 0.2);
  REQUIRE(s.platforms.size() == 3);
  CHECK(s.platforms[0].name == "a");
  CHECK(s.platforms[0].market_share == 0.5);
  CHECK(s.platforms[0].reputation_weight == 3.0);  // from the base, field by field
  CHECK(s.platforms[2].name == "c");
  REQUIRE(s.events.size() == 2);  // appended, then sorted by day
  CHECK(s.events[0].action == "fine");
  CHECK(s.events[1].day == 5);
  CHECK(s.sweep.replicates == 2);
  REQUIRE(s.sweep.parameters.size() == 1);  // replaced whole
  CHECK(s.sweep.parameters[0].name == "law.user_sanction");
  REQUIRE(s.sweep.designs.size() == 1);  // kept: the child has no [[sweep.designs]]
  const auto& base_origin = s.origins.at("law.appeals");
  CHECK(base_origin.kind == ValueOrigin::Kind::ExtendedFile);
  CHECK(base_origin.line == 6);
  CHECK_THAT(base_origin.file, Contains("base.toml"));
  CHECK(s.origins.at("law.vagueness").kind == ValueOrigin::Kind::File);
  CHECK(s.origins.at("law.vagueness").line == 3);
  CHECK(s.origins.at("platforms.a.reputation_weight").kind == ValueOrigin::Kind::ExtendedFile);
  CHECK(s.origins.at("platforms.a.market_share").kind == ValueOrigin::Kind::File);

  // An error in the base names the base file and its line.
  dir.write("bad_base.toml", "[law]\n\nvagueness = 9\n");
  const auto e = file_error_of(dir.write("uses_bad.toml", "extends = \"bad_base.toml\"\n" + kPlatforms));
  CHECK(e.line() == 3);
  CHECK_THAT(e.file(), Contains("bad_base.toml"));
}

TEST_CASE("error: extends missing, cyclic or mistyped", "[scenario][extends][errors]") {
  test::TempDir dir;
  auto e = file_error_of(dir.write("a.toml", "\nextends = \"nope.toml\"\n" + kPlatforms));
  CHECK(e.line() == 2);
  CHECK(e.column() == 11);
  CHECK_THAT(e.message(), Contains("cannot open extended scenario 'nope.toml' (resolved to '") &&
                              Contains("nope.toml'): No such file or directory"));
  dir.write("x.toml", "extends = \"y.toml\"\n");
  dir.write("y.toml", "# y\nextends = \"x.toml\"\n");
  e = file_error_of(dir.path() / "x.toml");
  CHECK(e.line() == 2);
  CHECK_THAT(e.file(), Contains("y.toml"));
  CHECK_THAT(e.message(), Contains("extends cycle: ") && Contains("x.toml -> ") && Contains("y.toml -> ") &&
                              Contains("x.toml"));
  e = file_error_of(dir.write("self.toml", "extends = \"self.toml\"\n"));
  CHECK_THAT(e.message(), Contains("extends cycle:"));
  e = error_of("extends = 3\n" + kPlatforms);
  CHECK(e.line() == 1);
  CHECK(e.message() == "wrong type for 'extends': expected string, got integer");
}

TEST_CASE("set_param and get_param by dotted name", "[scenario]") {
  Scenario s = load(kPlatforms + "\n[[jurisdictions]]\nname = \"VN\"\n[jurisdictions.law]\nappeals = 0.5\n");
  set_param(s, "law.vagueness", ParamValue(0.4));
  CHECK(s.law.vagueness == 0.4);
  CHECK(s.jurisdictions[0].law.vagueness == 0.4);
  set_param(s, "law.appeals", ParamValue(0.1));
  CHECK(s.jurisdictions[0].law.appeals == 0.5);  // set by the jurisdiction itself
  set_param(s, "platforms.b.initial_compliance", ParamValue(std::int64_t{1}));
  CHECK(s.platforms[1].initial_compliance == 1.0);
  CHECK(std::get<double>(get_param(s, "platforms.b.initial_compliance")) == 1.0);
  CHECK(std::get<double>(get_param(s, "jurisdictions.VN.law.appeals")) == 0.5);
  CHECK(std::get<std::int64_t>(get_param(s, "simulation.days")) == 365);
  CHECK(std::get<std::string>(get_param(s, "population.network")) == "small_world");
  CHECK_THROWS_WITH(get_param(s, "law.nope"), "unknown parameter 'law.nope'");
  CHECK_THROWS_WITH(set_param(s, "law.vagueness", ParamValue(-1.0)), Contains("out of range"));
  CHECK_THROWS_WITH(get_param(s, "jurisdictions.TH.law.appeals"), "unknown jurisdiction 'TH' in 'jurisdictions.TH.law.appeals'");
  CHECK_THROWS_AS(get_param(s, "platforms.a"), std::invalid_argument);
  CHECK(day_of_date(s, "2023-01-31") == 30);
}

TEST_CASE("to_toml writes a document that reloads to the same scenario", "[scenario][to_toml]") {
  for (const char* file : {"scenarios/baseline.toml", "scenarios/examples/throttle_2020.toml"}) {
    INFO(file);
    const Scenario s = load_scenario(source_path(file), {"jurisdictions.default.law.vagueness=0.25"});
    const std::string text = to_toml(s);
    const Scenario r = load_scenario_text(text, "roundtrip.toml");
    CHECK(to_toml(r).substr(to_toml(r).find('\n')) == text.substr(text.find('\n')));
    CHECK(r.platforms.size() == s.platforms.size());
    CHECK(r.events.size() == s.events.size());
    CHECK(r.jurisdictions[0].own_fields == s.jurisdictions[0].own_fields);
    CHECK(r.jurisdictions[0].law.vagueness == 0.25);
    CHECK(r.sweep.present == s.sweep.present);
    for (const auto& [name, origin] : s.origins) CHECK(get_param(r, name) == get_param(s, name));
  }
  Scenario lhs = load(kPlatforms + "\n[sweep]\ndesign = \"lhs\"\n[sweep.parameters]\n\"regulator.review_days\" = { min = 5, max = 60 }\n");
  const Scenario r = load_scenario_text(to_toml(lhs), "roundtrip.toml");
  REQUIRE(r.sweep.parameters.size() == 1);
  CHECK(r.sweep.parameters[0].min == 5);
  CHECK(r.sweep.parameters[0].max == 60);
}

TEST_CASE("platforms that give no market share split the users equally", "[scenario]") {
  const Scenario one = load_scenario_text("[[platforms]]\nname = \"solo\"\n", "one.toml");
  CHECK(one.platforms[0].market_share == 1.0);
  const Scenario two = load_scenario_text("[[platforms]]\nname = \"a\"\n[[platforms]]\nname = \"b\"\n", "two.toml");
  CHECK(two.platforms[0].market_share == 0.5);
  CHECK(two.platforms[1].market_share == 0.5);
  // Once any platform gives a share, all must, and they must sum to 1.
  const auto e = error_of("[[platforms]]\nname = \"a\"\nmarket_share = 0.5\n[[platforms]]\nname = \"b\"\n");
  CHECK_THAT(e.message(), Catch::Contains("market shares sum to 0.5"));
}

TEST_CASE("a market-share error caused by --set points at --set", "[scenario][errors]") {
  const auto e = error_of("[[platforms]]\nname = \"a\"\nmarket_share = 0.5\n[[platforms]]\nname = \"b\"\nmarket_share = 0.5\n",
                          {"platforms.a.market_share=0.7"});
  CHECK(e.file() == "--set");
  CHECK_THAT(e.message(), Catch::Contains("sum to 1.2"));
}

TEST_CASE("a population too small for its mean degree is refused where it is set", "[scenario][errors]") {
  const auto e = error_of("[population]\nusers = 5\n[[platforms]]\nname = \"a\"\n");
  CHECK(e.line() == 2);
  CHECK_THAT(e.message(), Catch::Contains("population.mean_degree (12) must be at most population.users - 1 (4)"));
  const auto o = error_of("[[platforms]]\nname = \"a\"\n", {"population.users=2"});
  CHECK(o.file() == "--set");
}

// Found by fuzz_set (issue 13): a huge unknown name is refused without a
// suggestion, and the suggestion search skips candidates by length first.
TEST_CASE("a 64 KiB unknown --set name is refused with no suggestion, near misses still get one", "[scenario][errors][fuzz]") {
  const std::string huge(65536, 'v');
  const ScenarioError e = error_of(kPlatforms, {huge + "=1"});
  CHECK_THAT(e.what(), Contains("unknown parameter"));
  CHECK_THAT(e.what(), !Contains("did you mean"));
  CHECK_THAT(error_of(kPlatforms, {"law.vaguenes=0.1"}).what(), Contains("did you mean 'law.vagueness'?"));
  CHECK_THAT(error_of(kPlatforms, {"law.vagueness_extra_words=0.1"}).what(), !Contains("did you mean"));
}
