// `complysim compare` end to end: the paired table, formats, the HDF5 file,
// overwrite refusal and bad input.
#include "../test_util.hpp"

#include "complysim/io/results_file.hpp"

#include <catch2/catch.hpp>

using namespace complysim;
using Catch::Contains;
using complysim::test::run_cli;
using complysim::test::TempDir;

namespace {
const std::string kDir = std::string(COMPLYSIM_SOURCE_DIR) + "/scenarios/";
const std::vector<std::string> kSmall = {"--set", "simulation.days=20", "--set", "population.users=800", "--replicates", "2", "--quiet"};
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

TEST_CASE("compare prints the paired table and writes one design per scenario", "[cli][compare]") {
  TempDir dir;
  auto r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml"}, kSmall), dir);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("decree53_2022") && Contains("bright_line") && Contains("How to read this table") &&
                        Contains("self_censorship_rate") && Contains("takedown_compliance_rate [global_social]"));
  r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml", "--format", "csv", "-o", "c.h5"}, kSmall), dir);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("outcome,platform,label"));
  io::ResultsReader f(dir.path() / "c.h5");
  CHECK(f.design().kind == "compare");
  CHECK(f.design().names == std::vector<std::string>{"decree53_2022", "bright_line"});
  CHECK(f.n_runs() == 4);
  // Same keys for replicate r of both scenarios: common random numbers.
  const auto seeds = f.seed();
  CHECK(seeds[0] == seeds[2]);
  CHECK(seeds[1] == seeds[3]);
  // No silent overwrite.
  r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml", "-o", "c.h5"}, kSmall), dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("file exists; use --force"));
}

TEST_CASE("compare: bad input exits 2", "[cli][compare][errors]") {
  TempDir dir;
  auto r = run_cli({"compare", kDir + "baseline.toml"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("at least two scenario files"));
  const auto bad = dir.write("bad.toml", "[law]\nvaguenes = 0.3\n");
  r = run_cli({"compare", kDir + "baseline.toml", bad.string()}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("bad.toml:2:1: error: unknown key 'vaguenes'"));
  r = run_cli({"compare", kDir + "baseline.toml", kDir + "bright_line.toml", "--format", "xml"}, dir);
  CHECK(r.status == 2);
  // -o needs one schema: the regional file has the same platforms but another population layout is fine;
  // a different horizon is not.
  r = run_cli(with({"compare", kDir + "baseline.toml", kDir + "vietnam_2018_2020.toml", "-o", "x.h5"}, {"--quiet"}), dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("one HDF5 file needs them equal"));
}

TEST_CASE("compare checks -o before simulating", "[cli][compare][errors]") {
  TempDir dir;
  auto r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml", "-o", "nodir/c.h5"}, kSmall), dir);
  CHECK(r.status == 2);
  CHECK(r.err == "nodir/c.h5: error: directory 'nodir' does not exist\n");
  CHECK(r.out.empty());
  r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml", "-o", ""}, kSmall), dir);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
}

TEST_CASE("compare: the header names the days the summaries actually cover", "[cli][compare]") {
  TempDir dir;
  // 20 days < summary_window_days (90): summaries cover all 20 days.
  auto r = run_cli(with({"compare", kDir + "decree53_2022.toml", kDir + "bright_line.toml"}, kSmall), dir);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("means over each run's last 20 days"));
}
