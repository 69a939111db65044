// complysim serve without HTTP (sim/serve/serve_app.hpp): the lever table
// follows the parameter table, every outcome has plain words, the JSON writer
// escapes and writes NaN as null, and request checking refuses bad input with
// a message for the control concerned. The HTTP side: tests/serve/*.py.
#include "json_writer.hpp"
#include "serve_app.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace complysim;
using namespace complysim::serve;
using Catch::Contains;

TEST_CASE("serve: levers take range, unit and type from the parameter table", "[serve]") {
  const auto levers = workshop_levers();
  REQUIRE(levers.size() >= 9);
  for (const auto& l : levers) {
    const auto dot = l.name.find('.');
    const ParamSpec* spec = find_param(std::string_view(l.name).substr(0, dot), std::string_view(l.name).substr(dot + 1));
    REQUIRE(spec == l.spec);
    CHECK(!l.label.empty());
    CHECK(!l.help.empty());
    if (spec->type != ParamType::Bool) {
      CHECK(l.slider_min >= spec->min);
      CHECK(l.slider_max <= spec->max);
      CHECK(l.slider_max > l.slider_min);
    }
  }
  const auto names = [&] {
    std::vector<std::string> v;
    for (const auto& l : levers) v.push_back(l.name);
    return v;
  }();
  for (const char* n : {"law.vagueness", "law.enforcement_breadth", "law.takedown_deadline_hours", "law.transparency", "law.appeals",
                        "law.data_localization", "law.user_sanction", "law.identification", "regulator.monitoring_rate"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
}

TEST_CASE("serve: every outcome has plain words", "[serve]") {
  for (const auto& o : outcome_table()) {
    const std::string w = outcome_words(o.name);
    CHECK(!w.empty());
    CHECK(w != std::string(o.name));
  }
}

TEST_CASE("serve: JSON writer escapes text and writes NaN as null", "[serve]") {
  JsonWriter w;
  w.begin_object();
  w.key("a\"b").value("line\nbreak\t\\");
  w.key("x").value(std::numeric_limits<double>::quiet_NaN());
  w.key("y").value(0.1);
  w.key("list").begin_array().value(true).value(std::int64_t{3}).null().end_array();
  w.end_object();
  CHECK(w.str() == R"({"a\"b":"line\nbreak\t\\","x":null,"y":0.10000000000000001,"list":[true,3,null]})");
}

TEST_CASE("serve: run requests are checked before anything runs", "[serve]") {
  ServeOptions opt;
  opt.scenarios_dir = COMPLYSIM_SOURCE_DIR "/scenarios";
  opt.max_users = 5000;
  App app(opt);
  auto error = [&](const std::string& body) {
    auto r = app.prepare(body);
    REQUIRE(std::holds_alternative<ApiError>(r));
    return std::get<ApiError>(r);
  };
  CHECK(error("{").status == 400);
  CHECK_THAT(error("{").message, Contains("malformed JSON"));
  const auto unknown = error(R"({"users": 1000, "replicates": 2, "levers": {"law.vaguenes": 0.1}})");
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.fields.at("law.vaguenes"), Contains("unknown lever"));
  const auto range = error(R"({"users": 1000, "replicates": 2, "levers": {"law.vagueness": -0.5, "law.appeals": 0.3}})");
  CHECK(range.fields.size() == 1);
  CHECK_THAT(range.fields.at("law.vagueness"), Contains("out of range"));
  CHECK(error(R"({"users": 6000, "replicates": 2})").status == 413);
  CHECK(error(R"({"users": 1000, "replicates": 1})").status == 400);
  CHECK(error(R"({"scenario": "no_such_thing"})").status == 404);

  // A good request: the what-if extends the base file and lists only the changed lever.
  auto ok = app.prepare(R"({"scenario": "decree53_2022", "users": 1000, "replicates": 2,
                            "levers": {"law.vagueness": 0.0, "law.appeals": 0.05, "law.data_localization": false}})");
  REQUIRE(std::holds_alternative<std::shared_ptr<Job>>(ok));
  const auto& job = *std::get<std::shared_ptr<Job>>(ok);
  CHECK_THAT(job.whatif_toml, Contains("extends = \"decree53_2022_1000u_2r.toml\""));
  CHECK_THAT(job.whatif_toml, Contains("vagueness = 0.0"));
  CHECK_THAT(job.whatif_toml, Contains("data_localization = false"));
  CHECK(job.whatif_toml.find("appeals =") == std::string::npos);  // unchanged: not written
  CHECK(job.base.population.users == 1000);
  CHECK(job.whatif.law.vagueness == 0.0);
  CHECK(job.whatif.law.data_localization == false);
  CHECK(job.whatif.simulation.seed == job.base.simulation.seed);
}
