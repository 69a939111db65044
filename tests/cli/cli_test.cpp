#include "complysim/params_format.hpp"
#include "complysim/params.hpp"

#include <algorithm>

#include "../test_util.hpp"

#include <catch2/catch.hpp>

using namespace complysim;
using Catch::Contains;
using test::run_cli;

namespace {
const std::string kBaseline = std::string(COMPLYSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
}

TEST_CASE("complysim --help and --version", "[cli]") {
  test::TempDir dir;
  auto r = run_cli({"--help"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("validate") && Contains("params"));
  r = run_cli({"--version"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("complysim 0.") && Contains("(git "));
  r = run_cli({}, dir);
  CHECK(r.status == 2);
  r = run_cli({"frobnicate"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "complysim: error: unknown command 'frobnicate' (see complysim --help)\n");
  r = run_cli({"validate", "--help"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("usage: complysim validate SCENARIO") && Contains("--set"));
  r = run_cli({"params", "--help"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("--format"));
}

TEST_CASE("complysim validate prints every field with its origin", "[cli]") {
  test::TempDir dir;
  auto r = run_cli({"validate", kBaseline, "--set", "law.vagueness=0.3"}, dir);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Contains(": valid"));
  CHECK_THAT(r.out, Contains("law.vagueness") && Contains("0.3") && Contains("--set"));
  CHECK_THAT(r.out, Contains("platforms.global_social.reputation_weight"));
  CHECK_THAT(r.out, Contains("baseline.toml:14"));  // simulation.start_date
  const auto child = dir.write("child.toml", "extends = \"" + kBaseline + "\"\n[law]\nappeals = 0.5\n");
  r = run_cli({"validate", child.string()}, dir);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("extended ") && Contains("child.toml:3"));
}

TEST_CASE("complysim validate: every bad input exits 2 with FILE:LINE", "[cli][errors]") {
  test::TempDir dir;
  const std::string platforms = "[[platforms]]\nname = \"a\"\nmarket_share = 1.0\n";
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[law\n", "bad.toml:1:5: error: not valid TOML"},
      {"[law]\nvaguenes = 0.3\n" + platforms, "bad.toml:2:1: error: unknown key 'vaguenes' in [law]; did you mean 'vagueness'?"},
      {"[law]\nvagueness = \"x\"\n" + platforms, "bad.toml:2:13: error: wrong type for 'law.vagueness'"},
      {"[law]\nvagueness = 2.0\n" + platforms, "bad.toml:2:13: error: value 2.0 of 'law.vagueness' is out of range [0, 1]"},
      {"platforms = []\n", "bad.toml:1:13: error: at least one [[platforms]] entry is required"},
      {platforms + platforms, "bad.toml:5:8: error: duplicate platform name 'a' (first at bad.toml:2)"},
      {"[[platforms]]\nname = \"a\"\nmarket_share = 0.5\n", "bad.toml:1:1: error: platform market shares sum to 0.5"},
      {platforms + "[[events]]\nday = 400\nset = { \"law.vagueness\" = 0.1 }\n", "bad.toml:5:7: error: event day 400 is past the horizon"},
      {platforms + "[[events]]\nday = 1\naction = \"throttle\"\nplatform = \"zz\"\ndays = 3\n", "bad.toml:7:12: error: unknown platform 'zz'"},
      {platforms + "[[events]]\nday = 1\naction = \"ban\"\nplatform = \"a\"\n", "bad.toml:6:10: error: unknown action 'ban'"},
      {platforms + "[[events]]\nday = 1\nset = { \"law.nope\" = 1 }\n", "bad.toml:6:9: error: unknown parameter 'law.nope'"},
      {platforms + "[sweep]\n[sweep.parameters]\n\"law.nope\" = [1]\n", "bad.toml:6:1: error: unknown parameter 'law.nope'"},
      {platforms + "[sweep]\n[sweep.parameters]\n\"population.network\" = [1]\n", "bad.toml:6:1: error: sweep parameter 'population.network' is not numeric"},
      {platforms + "[sweep]\ndesign = \"lhs\"\n[sweep.parameters]\n\"law.vagueness\" = { min = 0.9, max = 0.1 }\n",
       "bad.toml:7:19: error: the range of sweep parameter 'law.vagueness' has min 0.9 > max 0.1"},
      {"extends = \"missing.toml\"\n", "bad.toml:1:11: error: cannot open extended scenario 'missing.toml'"},
      {"extends = \"bad.toml\"\n", "bad.toml:1:11: error: extends cycle: bad.toml -> bad.toml"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    dir.write("bad.toml", c.text);
    const auto r = run_cli({"validate", "bad.toml"}, dir);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains(c.expected));
    CHECK(r.err.find("terminate") == std::string::npos);
  }
  auto r = run_cli({"validate", "absent.toml"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "absent.toml: error: cannot open scenario file: No such file or directory\n");
  r = run_cli({"validate", kBaseline, "--set", "law.vagueness=abc"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "--set law.vagueness=abc: error: value 'abc' is not a TOML value (expected real; quote strings)\n");
  r = run_cli({"validate", kBaseline, "--set", "novalue"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--set novalue: error: expected NAME=VALUE"));
  r = run_cli({"validate"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "complysim validate: error: missing SCENARIO argument (see complysim validate --help)\n");
  r = run_cli({"validate", kBaseline, "--bogus"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("complysim validate: error: unrecognised option '--bogus'"));
  // Nothing but the captured output was written in the working directory.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) files += entry.is_regular_file();
  CHECK(files == 3);  // bad.toml, .stdout, .stderr
}

TEST_CASE("complysim params", "[cli]") {
  test::TempDir dir;
  auto r = run_cli({"params", "--format", "markdown"}, dir);
  CHECK(r.status == 0);
  CHECK(r.out == format_parameter_table(ParamFormat::Markdown));
  r = run_cli({"params", "--format", "csv"}, dir);
  CHECK(r.status == 0);
  CHECK(r.out == format_parameter_table(ParamFormat::Csv));
  r = run_cli({"params"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("law.vagueness"));
  // Fits 100 columns; --wide gives one line per parameter.
  const std::size_t widest = test::widest_line(r.out);
  CHECK(widest <= 100);
  CHECK_THAT(r.out, Contains("platforms.<name>.reputation_weight  (real, default 50.0, revenue-days, 0 .. 1e+09)"));
  r = run_cli({"params", "--wide"}, dir);
  CHECK(r.status == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1 + static_cast<std::ptrdiff_t>(parameter_table().size()));
  r = run_cli({"params", "--format", "xml"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "complysim params: error: unknown format 'xml' (expected table, markdown or csv)\n");
}
