// Tests of the points-file reader (sim/src/scenario/points_file.cpp) and of
// `[sweep] design = "file"` in the scenario loader, the design maker and a sweep.
#include "complysim/points_file.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/scenario.hpp"
#include "complysim/simulation/designs.hpp"
#include "complysim/simulation/sweep.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace complysim;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(COMPLYSIM_SOURCE_DIR) / "tests" / "data";

/// The error text of parsing `text`, or "" when it parses.
std::string parse_error(const std::string& text) {
  try {
    parse_points_csv(text, "p.csv");
  } catch (const PointsFileError& e) {
    return e.what();
  }
  return "";
}

/// A scenario extending tests/data/sweep_tiny.toml (lhs, 2 designs) with a file design.
std::string file_scenario(const std::string& points = "pts.csv", const std::string& extra = "") {
  return "extends = " + std::string("\"") + (kData / "sweep_tiny.toml").string() + "\"\n[sweep]\ndesign = \"file\"\n" +
         "points_file = \"" + points + "\"\nreplicates = 2\n" + extra;
}

std::string load_error(const fs::path& p) {
  try {
    load_scenario(p);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("points file: header, rows, weights, comments, CRLF and a BOM", "[points_file]") {
  const std::string text =
      "\xEF\xBB\xBF# posterior draws\r\nlaw.vagueness , weight,\tregulator.review_days\r\n0.25,2,7\r\n# a comment\n"
      "1e-1, 0 ,+30\n-0.5,0.5,12";
  const PointsTable t = parse_points_csv(text, "p.csv");
  REQUIRE(t.names == std::vector<std::string>{"law.vagueness", "regulator.review_days"});
  REQUIRE(t.rows() == 3);
  CHECK(t.values == std::vector<double>{0.25, 7, 0.1, 30, -0.5, 12});
  CHECK(t.weight == std::vector<double>{2, 0, 0.5});
  CHECK(t.line == std::vector<std::int64_t>{3, 5, 6});
  // Without a weight column the weights are empty; a trailing newline and trailing empty lines are fine.
  const PointsTable u = parse_points_csv("a.b\n1\n2\n\n", "p.csv");
  CHECK(u.weight.empty());
  CHECK(u.values == std::vector<double>{1, 2});
}

TEST_CASE("points file: every malformed input is refused at its line and column", "[points_file]") {
  CHECK(parse_error("") == "p.csv: error: the points file is empty (expected a header of parameter names and at least one row)");
  CHECK(parse_error("# only a comment\n") == parse_error(""));
  CHECK(parse_error("a.b,c.d\n") == "p.csv: error: the points file has a header but no points");
  CHECK(parse_error("weight\n1\n") ==
        "p.csv:1:1: error: the header names no parameter (expected dotted parameter names, e.g. law.vagueness, and "
        "optionally a 'weight' column)");
  CHECK(parse_error("a.b,,c\n1,2,3\n") == "p.csv:1:5: error: empty column name in the header");
  CHECK(parse_error("a.b, a.b\n1,2\n") == "p.csv:1:6: error: column 'a.b' is given twice (first in column 1)");
  CHECK(parse_error("a.b,weight,weight\n1,2,3\n") == "p.csv:1:12: error: column 'weight' is given twice (first in column 5)");
  CHECK(parse_error("\"a.b\"\n1\n") == "p.csv:1:1: error: quoted fields are not supported (names and numbers need no quotes)");
  CHECK(parse_error("a.b,c.d\n1,2\n3\n") == "p.csv:3:2: error: this row has 1 values, the header 2 columns");
  CHECK(parse_error("a.b,c.d\n1,2,3\n") == "p.csv:2:5: error: this row has 3 values, the header 2 columns");
  CHECK(parse_error("a.b,c.d\n1, \n") == "p.csv:2:3: error: empty value for 'c.d'");
  CHECK(parse_error("a.b\n0.5;\n") == "p.csv:2:1: error: value '0.5;' of 'a.b' is not a number");
  CHECK(parse_error("a.b\n1 2\n") == "p.csv:2:1: error: value '1 2' of 'a.b' is not a number");
  CHECK(parse_error("a.b\nnan\n") == "p.csv:2:1: error: value 'nan' of 'a.b' is not finite");
  CHECK(parse_error("a.b\ninf\n") == "p.csv:2:1: error: value 'inf' of 'a.b' is not finite");
  CHECK(parse_error("a.b\n0x10\n") == "p.csv:2:1: error: value '0x10' of 'a.b' is not a number");
  CHECK(parse_error("a.b\n+-1\n") == "p.csv:2:1: error: value '+-1' of 'a.b' is not a number");
  CHECK(parse_error("a.b\n1e999\n") == "p.csv:2:1: error: value '1e999' of 'a.b' is out of the range of a double");
  CHECK(parse_error("a.b,weight\n1,-0.5\n") == "p.csv:2:3: error: weight -0.5 is negative");
  CHECK(parse_error("a.b,weight\n1,0\n2,0\n") == "p.csv: error: every weight is 0 (at least one point needs a positive weight)");
  CHECK(parse_error("a.b\n1\n\n2\n") == "p.csv:3:1: error: empty line (remove it, or start it with '#' to make it a comment)");
  CHECK(parse_error(std::string("a.b\n1\0\n", 7)) == "p.csv:2:2: error: NUL byte (is this a text file?)");
  CHECK(parse_error("a.b\n1\r2\n") == "p.csv:2:2: error: carriage return inside a line");
  CHECK(parse_error("a\x01.b\n1\n") == "p.csv:1:2: error: control character in the line");
  CHECK(parse_error("a\xc3\xa9\n1\n") == "p.csv:1:1: error: column name 'a\\xc3\\xa9' is not a dotted parameter name");
  // The size limit is checked before anything is parsed.
  const std::string big(kMaxPointsFileBytes + 1, '1');
  CHECK_THAT(parse_error(big), Contains("more than the limit of 16777216 (16 MiB)"));
}

TEST_CASE("points file: the callbacks check names and values", "[points_file]") {
  auto name_ok = [](const std::string& n) { return n == "x.y" ? std::string() : "unknown parameter '" + n + "'"; };
  auto value_ok = [](std::size_t, double v) { return v <= 1 ? std::string() : "too big"; };
  CHECK_NOTHROW(parse_points_csv("x.y\n1\n", "p.csv", name_ok, value_ok));
  try {
    parse_points_csv("x.y,z.w\n1,2\n", "p.csv", name_ok, value_ok);
    FAIL("no error");
  } catch (const PointsFileError& e) {
    CHECK(std::string(e.what()) == "p.csv:1:5: error: unknown parameter 'z.w'");
    CHECK(e.line() == 1);
    CHECK(e.column() == 5);
  }
  try {
    parse_points_csv("x.y\n0.5\n 2\n", "p.csv", name_ok, value_ok);
    FAIL("no error");
  } catch (const PointsFileError& e) {
    CHECK(std::string(e.what()) == "p.csv:3:2: error: too big");
  }
}

TEST_CASE("scenario: design = \"file\" reads the points relative to the scenario file", "[points_file][scenario]") {
  test::TempDir dir;
  dir.write("sub/pts.csv", "law.vagueness,regulator.review_days,weight\n0.1,7,0.5\n0.3,29.6,1.5\n0.2,3,1\n");
  const fs::path sc = dir.write("sub/s.toml", file_scenario());
  const Scenario s = load_scenario(sc);
  CHECK(s.sweep.design == "file");
  CHECK(s.sweep.samples == 3);
  CHECK(s.sweep.replicates == 2);
  CHECK(s.sweep.parameters.empty());  // the base's lhs parameters are dropped
  CHECK(s.sweep.point_names == std::vector<std::string>{"law.vagueness", "regulator.review_days"});
  CHECK(s.sweep.points == std::vector<double>{0.1, 7, 0.3, 29.6, 0.2, 3});
  CHECK(s.sweep.point_weights == std::vector<double>{0.5, 1.5, 1});
  CHECK(s.sweep.points_text == test::read_text(dir.path() / "sub" / "pts.csv"));
  CHECK(s.sweep.designs.size() == 2);  // [[sweep.designs]] of the base still cross the points

  const SampleMatrix m = make_design(s.sweep, 7);
  CHECK(m.kind == "file");
  REQUIRE(m.samples() == 3);
  CHECK(m.X(1, 1) == 29.6);  // rounded per run, not in the matrix
  CHECK(m.weight == std::vector<double>{0.5, 1.5, 1});

  // The resolved TOML names the points file by its absolute path and loads again from anywhere.
  const std::string toml = to_toml(s);
  CHECK_THAT(toml, Contains("design = \"file\"") && Contains("points_file = \"" + (dir.path() / "sub" / "pts.csv").string()));
  CHECK_THAT(toml, !Contains("samples ="));
  const Scenario again = load_scenario_text(toml, "resolved.toml");
  CHECK(again.sweep.points == s.sweep.points);
  const auto body = [](const std::string& t) { return t.substr(t.find('\n')); };  // line 1 names the source
  CHECK(body(to_toml(again)) == body(toml));
}

TEST_CASE("scenario: design = \"file\" errors name the file, line and column", "[points_file][scenario]") {
  test::TempDir dir;
  const auto pts = [&](const std::string& text) { dir.write("pts.csv", text); };
  const fs::path sc = dir.write("s.toml", file_scenario());
  const std::string p = (dir.path() / "pts.csv").string();

  pts("law.vaguenes\n0.1\n");
  CHECK(load_error(sc) == p + ":1:1: error: unknown parameter 'law.vaguenes'; did you mean 'law.vagueness'?");
  pts("law.vagueness,population.network\n0.1,1\n");
  CHECK(load_error(sc) == p + ":1:15: error: parameter 'population.network' is not numeric (it is a choice); only real "
                               "and integer parameters can be swept");
  pts("platforms.nope.reputation_weight\n1\n");
  CHECK_THAT(load_error(sc), Contains(p + ":1:1: error: unknown platform 'nope'"));
  pts("law.vagueness\n0.1\n1.5\n");
  CHECK(load_error(sc) == p + ":3:1: error: value 1.5 of 'law.vagueness' is out of range [0, 1]");
  pts("law.vagueness,regulator.review_days\n0.1,0.4\n");  // rounds to 0, below the minimum
  CHECK_THAT(load_error(sc), Contains(p + ":2:5: error: value 0 of 'regulator.review_days' is out of range"));

  fs::remove(dir.path() / "pts.csv");
  CHECK_THAT(load_error(sc), Contains(sc.string() + ":4:15: error: cannot open points file 'pts.csv' (resolved to '" + p +
                                      "'): No such file or directory"));
  pts("law.vagueness\n0.1\n");
  const fs::path bad1 = dir.write("b1.toml", file_scenario("pts.csv", "samples = 4\n"));
  CHECK_THAT(load_error(bad1), Contains("b1.toml:6:11: error: sweep.samples does not apply to design = \"file\""));
  const fs::path bad2 = dir.write("b2.toml", file_scenario("pts.csv", "[sweep.parameters]\n\"law.vagueness\" = { min = 0, max = 1 }\n"));
  CHECK_THAT(load_error(bad2), Contains("b2.toml:6:1: error: [sweep.parameters] does not apply to design = \"file\""));
  const fs::path bad3 = dir.write("b3.toml", "[[platforms]]\nname = \"a\"\n[sweep]\ndesign = \"file\"\n");
  CHECK_THAT(load_error(bad3), Contains("b3.toml:4:10: error: design = \"file\" needs points_file = \"PATH\""));
  const fs::path bad4 = dir.write("b4.toml", "[[platforms]]\nname = \"a\"\n[sweep]\ndesign = \"lhs\"\npoints_file = \"pts.csv\"\n"
                                             "[sweep.parameters]\n\"law.vagueness\" = { min = 0, max = 1 }\n");
  CHECK_THAT(load_error(bad4), Contains("b4.toml:5:15: error: 'points_file' applies only to design = \"file\""));
  const fs::path bad5 = dir.write("b5.toml", "[[platforms]]\nname = \"a\"\n[sweep]\ndesign = \"files\"\n");
  CHECK_THAT(load_error(bad5), Contains("unknown sweep design 'files' (expected grid, lhs, sobol or file); did you mean 'file'?"));
  // A scenario extending a file design may switch back to lhs: the base's points_file is dropped.
  const fs::path base = dir.write("base.toml", "[[platforms]]\nname = \"a\"\n[sweep]\ndesign = \"file\"\npoints_file = \"pts.csv\"\n");
  const fs::path child = dir.write("child.toml", "extends = \"base.toml\"\n[sweep]\ndesign = \"lhs\"\nsamples = 3\n"
                                                 "[sweep.parameters]\n\"law.vagueness\" = { min = 0, max = 1 }\n");
  CHECK(load_scenario(base).sweep.samples == 1);
  CHECK(load_scenario(child).sweep.points.empty());
}

TEST_CASE("sweep over a points file: runs use the points, the file records them and their weights", "[points_file][sweep]") {
  test::TempDir dir;
  dir.write("pts.csv", "regulator.review_days,law.vagueness,weight\n7.4,0.1,0.25\n3,0.4,0.75\n");
  const Scenario s = load_scenario(dir.write("s.toml", file_scenario()));
  const SweepPlan plan = plan_sweep(s);
  REQUIRE(plan.n_runs_total == 2 * 2 * 2);
  std::vector<double> used;
  const Scenario r = scenario_for_run(plan, run_at(2, 2, 2, 2), &used);  // design 0, sample 1, replicate 0
  CHECK(used == std::vector<double>{3, 0.4});
  CHECK(std::get<std::int64_t>(get_param(r, "regulator.review_days")) == 3);
  CHECK(std::get<double>(get_param(r, "law.vagueness")) == 0.4);
  std::vector<double> first;
  scenario_for_run(plan, run_at(0, 2, 2, 2), &first);
  CHECK(first == std::vector<double>{7, 0.1});  // integer parameters rounded, as for lhs

  SweepOptions o;
  o.output = dir.path() / "out.h5";
  o.command_line = "test";
  const SweepReport rep = run_sweep(plan, o);
  CHECK(rep.failed == 0);
  const io::ResultsReader f(o.output);
  CHECK(f.design().kind == "file");
  CHECK(f.design().parameters == std::vector<std::string>{"regulator.review_days", "law.vagueness"});
  REQUIRE(f.design().samples.rows() == 2);
  CHECK(f.design().samples(0, 0) == 7.4);
  CHECK(f.design().weight == std::vector<double>{0.25, 0.75});
  // Another weight column is another design: the journal's design hash differs.
  dir.write("pts.csv", "regulator.review_days,law.vagueness,weight\n7.4,0.1,0.5\n3,0.4,0.75\n");
  const SweepPlan other = plan_sweep(load_scenario(dir.path() / "s.toml"));
  CHECK(journal_header(other, "t").design_hash != journal_header(plan, "t").design_hash);
}
