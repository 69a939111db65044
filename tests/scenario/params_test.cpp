#include "complysim/params.hpp"
#include "complysim/params_format.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace complysim;

TEST_CASE("every parameter has a description, a source and a valid default", "[params]") {
  std::set<std::string> names;
  REQUIRE(parameter_table().size() > 50);
  for (const auto& p : parameter_table()) {
    INFO(p.dotted_name());
    CHECK_FALSE(p.description.empty());
    CHECK_FALSE(p.source.empty());
    CHECK(names.insert(p.dotted_name()).second);
    CHECK_NOTHROW(check_value(p, p.default_value));
    if (p.type == ParamType::Real || p.type == ParamType::Int) CHECK(p.min <= p.max);
    if (p.type == ParamType::Choice) CHECK(p.choices().size() >= 2);
  }
}

TEST_CASE("groups map to their TOML tables", "[params]") {
  CHECK(find_param("law", "vagueness")->group == ParamGroup::Law);
  CHECK(find_param("platform", "review_days")->group == ParamGroup::Platform);
  CHECK(find_param("platforms", "market_share")->group == ParamGroup::Platforms);
  CHECK(find_param("platforms", "market_share")->dotted_name() == "platforms.<name>.market_share");
  CHECK(find_param("jurisdictions", "population_share")->group == ParamGroup::Jurisdiction);
  CHECK(find_param("simulation", "start_date")->type == ParamType::Date);
  CHECK(find_param("law", "nope") == nullptr);
  CHECK(find_param("population", "network")->choices() ==
        std::vector<std::string_view>{"small_world", "scale_free", "random"});
}

TEST_CASE("check_value enforces type, range, choices and dates", "[params]") {
  const ParamSpec& vag = *find_param("law", "vagueness");
  CHECK(std::get<double>(check_value(vag, ParamValue(std::int64_t{1}))) == 1.0);  // int accepted as real
  CHECK_THROWS_WITH(check_value(vag, ParamValue(1.5)), "value 1.5 of 'law.vagueness' is out of range [0, 1]");
  CHECK_THROWS_WITH(check_value(vag, ParamValue(std::string("x"))),
                    "wrong type for 'law.vagueness': expected real, got string \"x\"");
  const ParamSpec& days = *find_param("simulation", "days");
  CHECK_THROWS_WITH(check_value(days, ParamValue(3.0)), Catch::Contains("expected integer, got real"));
  CHECK_THROWS_WITH(check_value(days, ParamValue(std::int64_t{0})), Catch::Contains("out of range [1, 36500]"));
  const ParamSpec& net = *find_param("population", "network");
  CHECK_THROWS_WITH(check_value(net, ParamValue(std::string("ring"))),
                    Catch::Contains("is not one of: small_world, scale_free, random"));
  const ParamSpec& date = *find_param("simulation", "start_date");
  CHECK_NOTHROW(check_value(date, ParamValue(std::string("2024-02-29"))));
  CHECK_THROWS_WITH(check_value(date, ParamValue(std::string("2023-02-29"))), Catch::Contains("not a valid ISO date"));
  CHECK_THROWS_WITH(check_value(*find_param("law", "data_localization"), ParamValue(std::int64_t{1})),
                    Catch::Contains("expected boolean, got integer"));
  CHECK_THROWS_WITH(check_value(vag, ParamValue(2.0), "jurisdictions.TH.law.vagueness"),
                    Catch::Contains("'jurisdictions.TH.law.vagueness'"));
}

TEST_CASE("ISO dates round-trip through day counts", "[params]") {
  CHECK(parse_iso_date("1970-01-01") == 0);
  CHECK(parse_iso_date("2022-10-01") == 19266);
  CHECK(format_iso_date(19266) == "2022-10-01");
  CHECK(format_iso_date(-1) == "1969-12-31");
  for (std::int64_t d = -1000; d < 30000; d += 37) CHECK(parse_iso_date(format_iso_date(d)) == d);
  CHECK_FALSE(parse_iso_date("2022-13-01"));
  CHECK_FALSE(parse_iso_date("2022-1-01"));
  CHECK_FALSE(parse_iso_date("2022-01-01T00"));
  CHECK_FALSE(parse_iso_date("20x2-01-01"));
}

TEST_CASE("to_toml_text writes TOML scalars", "[params]") {
  CHECK(to_toml_text(ParamValue(true)) == "true");
  CHECK(to_toml_text(ParamValue(std::int64_t{-3})) == "-3");
  CHECK(to_toml_text(ParamValue(2.0)) == "2.0");
  CHECK(to_toml_text(ParamValue(0.1)) == "0.1");
  CHECK(to_toml_text(ParamValue(1e-9)) == "1e-09");
  CHECK(to_toml_text(ParamValue(std::string("a\"b\\c"))) == "\"a\\\"b\\\\c\"");
}

TEST_CASE("docs/parameters.md is the generated markdown", "[params][docs]") {
  const std::string committed = test::read_text(std::filesystem::path(COMPLYSIM_SOURCE_DIR) / "docs" / "parameters.md");
  INFO("regenerate with: complysim params --format markdown > docs/parameters.md");
  CHECK(committed == format_parameter_table(ParamFormat::Markdown));
}

TEST_CASE("parameter table formats", "[params]") {
  CHECK(parse_param_format("csv") == ParamFormat::Csv);
  CHECK_FALSE(parse_param_format("xml"));
  const std::string csv = format_parameter_table(ParamFormat::Csv);
  CHECK(csv.rfind("name,type,default,unit,min,max,description,source\n", 0) == 0);
  CHECK(csv.find("\"law.vagueness\",\"real\",\"0.15\"") != std::string::npos);
  CHECK(format_parameter_table(ParamFormat::Table).find("platforms.<name>.reputation_weight") != std::string::npos);
}
