// Tests of `complysim sweep`, `merge` and `info` through the real binary:
// SIGKILL at random moments then --resume, Ctrl-C, a full disk (ulimit -f),
// shards + merge, refusals and failure reporting.
#include "complysim/io/journal.hpp"
#include "complysim/io/results_file.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>

using namespace complysim;
using Catch::Contains;
using test::run_cli;
using test::shell_quote;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(COMPLYSIM_SOURCE_DIR) + "/tests/data/";
const std::string kTiny = kData + "sweep_tiny.toml";

/// Runs a shell command line in `dir` with the binary as $B; returns the exit status (-1 if killed).
int run_shell(const std::string& script, const test::TempDir& dir) {
  const std::string cmd = "cd " + shell_quote(dir.path().string()) + " && B=" + shell_quote(COMPLYSIM_BINARY) + " && " +
                          script + " >>" + shell_quote((dir.path() / ".log").string()) + " 2>&1";
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/// The 960-run sweep used by the kill tests: sweep_tiny with 2 designs x 60 samples x 8 replicates.
std::string write_kill_scenario(const test::TempDir& dir) {
  dir.write("kill.toml", "extends = \"" + kTiny + "\"\n[sweep]\nsamples = 60\nreplicates = 8\n");
  return "kill.toml";
}

}  // namespace

TEST_CASE("complysim sweep: SIGKILL at random moments then --resume equals an uninterrupted sweep", "[cli][sweep][slow]") {
  test::TempDir dir;
  const std::string scen = write_kill_scenario(dir);
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run_cli({"sweep", scen, "-o", "ref.h5", "--quiet", "--threads", "2"}, dir).status == 0);
  const auto ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

  // Kill times are drawn (seeded) over the length of an uninterrupted sweep,
  // so kills land during start-up, the runs, and consolidation alike.
  std::mt19937 rng(20240501);
  // The reference may have run on a loaded machine, so draw within 60% of its
  // length, and go on past 5 trials (up to 15) until at least 3 kills landed.
  std::uniform_int_distribution<long> delay_ms(10, std::max<long>(20, static_cast<long>(0.6 * static_cast<double>(ref_ms))));
  int total_kills = 0;
  for (int trial = 0; trial < 15 && (trial < 5 || total_kills < 3); ++trial) {
    const std::string out = "out" + std::to_string(trial) + ".h5";
    int kills = 0;
    bool first = true;
    for (int attempt = 0; attempt < 12; ++attempt) {
      const long ms = delay_ms(rng);
      char t[32];
      std::snprintf(t, sizeof t, "%ld.%03ld", ms / 1000, ms % 1000);
      const std::string cmd = std::string("timeout -s KILL ") + t + " \"$B\" sweep " + scen + " -o " + out +
                              " --quiet --threads 2" + (first ? "" : " --resume");
      const int rc = run_shell(cmd, dir);
      first = false;
      if (rc == 0) break;
      INFO("exit status " << rc << " (137 = killed)");
      REQUIRE(rc == 137);
      ++kills;
    }
    if (!fs::exists(dir.path() / out)) REQUIRE(run_shell("\"$B\" sweep " + scen + " -o " + out + " --quiet --resume", dir) == 0);
    INFO("trial " << trial << " after " << kills << " kills");
    total_kills += kills;
    CHECK_FALSE(fs::exists(dir.path() / (out + ".journal")));
    CHECK_FALSE(fs::exists(dir.path() / (out + ".partial")));
    const auto diff = io::first_difference(dir.path() / "ref.h5", dir.path() / out);
    CHECK_FALSE(diff);
    if (diff) FAIL_CHECK(*diff);
  }
  INFO("uninterrupted sweep took " << ref_ms << " ms");
  CHECK(total_kills >= 3);  // the test must really have interrupted sweeps
}

TEST_CASE("complysim sweep: Ctrl-C keeps the journal and prints how to resume", "[cli][sweep][slow]") {
  test::TempDir dir;
  // 4,800 runs; SIGINT on observed progress (the journal has grown past its
  // size when it appeared: runs have been recorded), not after a fixed delay,
  // so it lands while runs are being computed however fast the machine is.
  dir.write("int.toml", "extends = \"" + kTiny + "\"\n[sweep]\nsamples = 60\nreplicates = 40\n");
  const std::string scen = "int.toml";
  REQUIRE(run_cli({"sweep", scen, "-o", "ref.h5", "--quiet"}, dir).status == 0);
  const int rc = run_shell("( \"$B\" sweep " + scen + " -o out.h5 --threads 2 & pid=$!; "
                           "while kill -0 $pid 2>/dev/null && [ ! -e out.h5.journal ]; do sleep 0.005; done; "
                           "s0=$(stat -c %s out.h5.journal 2>/dev/null || echo 0); "
                           "while kill -0 $pid 2>/dev/null && [ \"$(stat -c %s out.h5.journal 2>/dev/null || echo 0)\" -le \"$s0\" ]; do sleep 0.002; done; "
                           "kill -INT $pid; wait $pid )", dir);
  CHECK(rc == 130);
  const std::string log = test::read_text(dir.path() / ".log");
  CHECK_THAT(log, Contains("interrupted") && Contains("out.h5.journal") && Contains("--resume"));
  CHECK(fs::exists(dir.path() / "out.h5.journal"));
  CHECK(io::scan_journal(dir.path() / "out.h5.journal").tail_problem.empty());
  const auto r = run_cli({"sweep", scen, "-o", "out.h5", "--resume"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("resuming"));
  CHECK_FALSE(io::first_difference(dir.path() / "ref.h5", dir.path() / "out.h5"));
}

TEST_CASE("complysim sweep: a write error (file size limit) stops with a clear message; --resume finishes", "[cli][sweep]") {
  test::TempDir dir;
  REQUIRE(run_cli({"sweep", kTiny, "-o", "ref.h5", "--quiet"}, dir).status == 0);
  // ulimit -f is in 1024-byte blocks: room for the header and a few records only.
  const int rc = run_shell("(ulimit -f 40; \"$B\" sweep " + kTiny + " -o out.h5 --quiet)", dir);
  CHECK(rc == 1);
  const std::string log = test::read_text(dir.path() / ".log");
  CHECK_THAT(log, Contains("out.h5.journal: write failed: File too large") && Contains("--resume"));
  const io::JournalScan scan = io::scan_journal(dir.path() / "out.h5.journal");
  CHECK(scan.tail_problem.empty());  // the partial record was cut off
  CHECK_FALSE(scan.index.empty());
  CHECK_FALSE(fs::exists(dir.path() / "out.h5"));
  REQUIRE(run_cli({"sweep", kTiny, "-o", "out.h5", "--resume", "--quiet"}, dir).status == 0);
  CHECK_FALSE(io::first_difference(dir.path() / "ref.h5", dir.path() / "out.h5"));
}

TEST_CASE("complysim sweep --shard + merge equals the unsharded sweep; mismatches are refused", "[cli][sweep]") {
  test::TempDir dir;
  REQUIRE(run_cli({"sweep", kTiny, "-o", "all.h5", "--quiet"}, dir).status == 0);
  REQUIRE(run_cli({"sweep", kTiny, "-o", "p0.h5", "--shard", "0/2", "--quiet"}, dir).status == 0);
  REQUIRE(run_cli({"sweep", kTiny, "-o", "p1.h5", "--shard", "1/2", "--quiet"}, dir).status == 0);
  auto r = run_cli({"merge", "p0.h5", "p1.h5", "-o", "merged.h5"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("24 runs from 2 files"));
  CHECK_FALSE(io::first_difference(dir.path() / "all.h5", dir.path() / "merged.h5"));

  r = run_cli({"merge", "p0.h5", "-o", "m.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("12 of 24 runs are missing") && Contains("the sweep has 2 shards and 1 file was given"));
  r = run_cli({"merge", "p0.h5", "p1.h5", "p1.h5", "-o", "m.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("run 1 is in p1.h5 and p1.h5"));
  REQUIRE(run_cli({"sweep", kTiny, "-o", "q1.h5", "--shard", "1/2", "--quiet", "--set", "law.publicity=0.7"}, dir).status == 0);
  r = run_cli({"merge", "p0.h5", "q1.h5", "-o", "m.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("q1.h5 does not belong to the same sweep as p0.h5") && Contains("scenario"));
  CHECK_FALSE(fs::exists(dir.path() / "m.h5"));
  r = run_cli({"merge", "p0.h5", "p1.h5", "-o", "merged.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("exists"));

  r = run_cli({"info", "p1.h5"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("shard:        1/2") && Contains("24 in the sweep, 12 in this file: 12 finished, 0 failed, 12 missing"));
}

TEST_CASE("complysim sweep: refusals and --dry-run and failed runs and info", "[cli][sweep]") {
  test::TempDir dir;
  auto r = run_cli({"sweep", kTiny, "--dry-run"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("designs:    2 (as_written, transparent)") && Contains("samples:    6") &&
                        Contains("replicates: 2") && Contains("runs:       24") && Contains("law.vagueness") &&
                        Contains("regulator.review_days"));
  r = run_cli({"sweep", kTiny, "-o", "x.h5", "--dry-run", "--shard", "1/3"}, dir);
  CHECK_THAT(r.out, Contains("shard 1/3 runs 8"));
  CHECK_FALSE(fs::exists(dir.path() / "x.h5"));
  CHECK_FALSE(fs::exists(dir.path() / "x.h5.journal"));

  r = run_cli({"sweep", kTiny, "-o", "x.h5", "--shard", "2/2"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("0..1"));
  r = run_cli({"sweep", kTiny}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("missing -o"));

  REQUIRE(run_cli({"sweep", kTiny, "-o", "s.h5", "--quiet"}, dir).status == 0);
  r = run_cli({"sweep", kTiny, "-o", "s.h5", "--quiet"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("s.h5 exists; use --force"));
  CHECK(run_cli({"sweep", kTiny, "-o", "s.h5", "--quiet", "--force"}, dir).status == 0);

  // A journal from another --set is refused on --resume, naming the difference
  // (a file-size limit stops the first sweep with a few runs journalled).
  dir.write("j.toml", "extends = \"" + kTiny + "\"\n");
  REQUIRE(run_shell("(ulimit -f 12; \"$B\" sweep j.toml -o j.h5 --quiet --set law.publicity=0.2)", dir) == 1);
  REQUIRE(fs::exists(dir.path() / "j.h5.journal"));
  r = run_cli({"sweep", "j.toml", "-o", "j.h5", "--resume", "--set", "law.publicity=0.4"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("cannot resume") && Contains("[law]") && Contains("publicity = 0.2") &&
                        Contains("publicity = 0.4"));
  r = run_cli({"sweep", "j.toml", "-o", "j.h5", "--quiet"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("j.h5.journal exists") && Contains("--resume") && Contains("--force"));

  // Failed runs: recorded, listed by info, exit status 1.
  r = run_cli({"sweep", kData + "sweep_failing.toml", "-o", "f.h5"}, dir);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("4 of 6 runs failed"));
  r = run_cli({"info", "f.h5"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("6 in the sweep, 6 in this file: 2 finished, 4 failed, 0 missing") &&
                        Contains("run 5 (design baseline, sample 2, replicate 1): market shares sum to 1.3, not 1") &&
                        Contains("design:       grid") && Contains("platforms.social.market_share"));

  // info on a `complysim run` file.
  REQUIRE(run_cli({"run", kTiny, "-o", "run.h5", "--replicates", "2", "--quiet"}, dir).status == 0);
  r = run_cli({"info", "run.h5"}, dir);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("design:       single") && Contains("2 in the sweep, 2 in this file: 2 finished, 0 failed, 0 missing"));
  r = run_cli({"info", "nope.h5"}, dir);
  CHECK(r.status == 2);
}

TEST_CASE("complysim sweep --dry-run prints integer parameters as the runs use them (rounded)", "[cli][sweep]") {
  test::TempDir dir;
  const auto r = run_cli({"sweep", kTiny, "--dry-run"}, dir);
  REQUIRE(r.status == 0);
  const auto at = r.out.find("sample rows:");
  REQUIRE(at != std::string::npos);
  std::istringstream rows(r.out.substr(at));
  std::string line;
  std::getline(rows, line);  // "first 6 of 6 sample rows:"
  std::getline(rows, line);  // header
  CHECK_THAT(line, Contains("regulator.review_days"));
  int n = 0;
  while (std::getline(rows, line) && !line.empty()) {
    std::istringstream cells(line);
    std::string sample, vagueness, review_days;
    cells >> sample >> vagueness >> review_days;
    INFO(line);
    CHECK(review_days.find('.') == std::string::npos);  // e.g. "7", not "6.8312"
    ++n;
  }
  CHECK(n == 6);
}

TEST_CASE("complysim sweep and merge: a bad output path exits 2 before any run", "[cli][sweep][errors]") {
  test::TempDir dir;
  auto r = run_cli({"sweep", kTiny, "-o", "nodir/x.h5", "--quiet"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("nodir/x.h5: error: directory 'nodir' does not exist"));
  CHECK_FALSE(fs::exists(dir.path() / "nodir"));
  r = run_cli({"sweep", kTiny, "-o", "", "--quiet"}, dir);
  CHECK(r.status == 2);
  fs::create_directory(dir.path() / "adir");
  r = run_cli({"sweep", kTiny, "-o", "adir", "--quiet"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("adir: error: is a directory"));
  r = run_cli({"merge", "a.h5", "b.h5", "-o", "nodir/m.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("nodir/m.h5: error: directory 'nodir' does not exist"));
}

TEST_CASE("complysim info: a path that is not a results file gives one line and exit 2", "[cli][info][errors]") {
  test::TempDir dir;
  auto r = run_cli({"info", "nope.h5"}, dir);
  CHECK(r.status == 2);
  CHECK(r.err == "nope.h5: error: no such file\n");
  fs::create_directory(dir.path() / "adir");
  r = run_cli({"info", "adir"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("adir: error: is a directory"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  dir.write("text.h5", "not HDF5 at all\n");
  r = run_cli({"info", "text.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("text.h5: error: not a complysim results file"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  // Only the journal of an unfinished sweep.
  dir.write("u.h5.journal", "garbage");
  r = run_cli({"info", "u.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("u.h5.journal") && Contains("unfinished") && Contains("complysim sweep SCENARIO -o u.h5 --resume"));
}

TEST_CASE("complysim info: an interrupted sweep's journal names the command that resumes it", "[cli][info]") {
  test::TempDir dir;
  dir.write("j.toml", "extends = \"" + kTiny + "\"\n");
  REQUIRE(run_shell("(ulimit -f 12; \"$B\" sweep j.toml -o j.h5 --quiet)", dir) == 1);
  REQUIRE(fs::exists(dir.path() / "j.h5.journal"));
  REQUIRE_FALSE(fs::exists(dir.path() / "j.h5"));
  const auto r = run_cli({"info", "j.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("unfinished") && Contains("finished runs so far") && Contains("sweep j.toml -o j.h5 --quiet --resume"));
}
