// Tests of `complysim reproduce` through the real binary (issue 17): run, sweep,
// compare and merged shard files reproduce; a value changed with h5py is found
// at its run and dataset; nothing but FILE.h5 is read; --runs K re-runs K runs.
#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

using namespace complysim;
using Catch::Contains;
using test::run_cli;
using test::shell_quote;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(COMPLYSIM_SOURCE_DIR) + "/tests/data/sweep_tiny.toml";

/// Runs /usr/bin/python3 with h5py on `code` in `dir`; false when h5py is not installed.
bool h5py(const std::string& code, const test::TempDir& dir) {
  if (std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) return false;
  const std::string cmd = "cd " + shell_quote(dir.path().string()) + " && /usr/bin/python3 -c " + shell_quote(code);
  REQUIRE(std::system(cmd.c_str()) == 0);
  return true;
}

}  // namespace

TEST_CASE("reproduce: a run file whose scenario extends files no longer on disk reproduces from FILE.h5 alone",
          "[cli][reproduce]") {
  test::TempDir dir;
  std::string base = test::read_text(kTiny);
  base = base.substr(0, base.find("[sweep]"));  // a plain scenario, no sweep
  test::TempDir scen;
  scen.write("base.toml", base);
  scen.write("child.toml", "extends = \"base.toml\"\n[law]\nvagueness = 0.25\n");
  const std::string child = (scen.path() / "child.toml").string();
  const auto r = run_cli({"run", child, "-o", "run.h5", "--replicates", "3", "--set", "law.transparency=0.7", "--quiet"}, dir);
  REQUIRE(r.status == 0);
  fs::remove_all(scen.path());  // neither the scenario nor its base exists any more
  REQUIRE_FALSE(fs::exists(child));
  const auto rep = run_cli({"reproduce", "run.h5", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 3 of 3 runs identical"));
  CHECK(rep.err.find("warning") == std::string::npos);  // same version and commit
}

TEST_CASE("reproduce: a sweep, a compare and a merged 2-shard sweep reproduce as identical", "[cli][reproduce]") {
  test::TempDir dir;
  REQUIRE(run_cli({"sweep", kTiny, "-o", "s.h5", "--quiet", "--threads", "2"}, dir).status == 0);
  auto rep = run_cli({"reproduce", "s.h5", "--quiet", "--threads", "2"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 24 of 24 runs identical"));

  REQUIRE(run_cli({"sweep", kTiny, "-o", "p0.h5", "--shard", "0/2", "--quiet"}, dir).status == 0);
  REQUIRE(run_cli({"sweep", kTiny, "-o", "p1.h5", "--shard", "1/2", "--quiet"}, dir).status == 0);
  REQUIRE(run_cli({"merge", "p0.h5", "p1.h5", "-o", "merged.h5", "--quiet"}, dir).status == 0);
  rep = run_cli({"reproduce", "merged.h5", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 24 of 24 runs identical"));
  rep = run_cli({"reproduce", "p1.h5", "--quiet"}, dir);  // a shard on its own
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 12 of 12 runs identical"));

  dir.write("b.toml", "extends = " + std::string("\"") + kTiny + "\"\n[law]\nvagueness = 0.3\n");
  REQUIRE(run_cli({"compare", kTiny, "b.toml", "--replicates", "2", "-o", "c.h5", "--quiet"}, dir).status == 0);
  rep = run_cli({"reproduce", "c.h5", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 4 of 4 runs identical"));

  // A compare file from before /inputs existed: the scenarios come from the root attribute.
  if (h5py("import h5py\nwith h5py.File('c.h5', 'r+') as f: del f['inputs']", dir)) {
    rep = run_cli({"reproduce", "c.h5", "--quiet"}, dir);
    INFO(rep.out << rep.err);
    CHECK(rep.status == 0);
    CHECK_THAT(rep.out, Contains("reproduced: 4 of 4 runs identical"));
  }
}

TEST_CASE("reproduce: one value changed with h5py is reported at its run and dataset with both values (exit 1)",
          "[cli][reproduce]") {
  test::TempDir dir;
  REQUIRE(run_cli({"sweep", kTiny, "-o", "s.h5", "--quiet"}, dir).status == 0);
  fs::copy_file(dir.path() / "s.h5", dir.path() / "m.h5");
  if (!h5py("import h5py\n"
            "with h5py.File('m.h5', 'r+') as f:\n"
            "    d = f['/timeseries/platform_revenue']\n"
            "    v = d[:]\n"
            "    v[17, 2, 1] = 12345.5\n"
            "    d[:] = v\n",
            dir)) {
    WARN("h5py is not installed for /usr/bin/python3: skipped");
    return;
  }
  const auto rep = run_cli({"reproduce", "m.h5", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 1);
  CHECK_THAT(rep.out, Contains("run 17 (row 17), /timeseries/platform_revenue[record 2, platform 1]"));
  CHECK_THAT(rep.out, Contains("in file:  12345.5"));
  CHECK_THAT(rep.out, Contains("not reproduced: 17 of 24 runs identical"));
  // The original still reproduces.
  CHECK(run_cli({"reproduce", "s.h5", "--quiet"}, dir).status == 0);

  // Another commit: a warning naming both, and the comparison still runs.
  fs::copy_file(dir.path() / "s.h5", dir.path() / "v.h5");
  h5py("import h5py\nwith h5py.File('v.h5', 'r+') as f: f.attrs['git_commit'] = 'abcdef123456'", dir);
  auto w = run_cli({"reproduce", "v.h5", "--quiet"}, dir);
  CHECK(w.status == 0);
  CHECK_THAT(w.err, Contains("warning: v.h5 was written by complysim"));
  CHECK_THAT(w.err, Contains("(git abcdef123456); this is complysim"));
  CHECK_THAT(w.out, Contains("reproduced: 24 of 24 runs identical"));

  // Another model specification or an unknown format version: a file it cannot use (exit 2).
  fs::copy_file(dir.path() / "s.h5", dir.path() / "spec.h5");
  h5py("import h5py, numpy\nwith h5py.File('spec.h5', 'r+') as f: f.attrs['model_spec_version'] = numpy.int64(99)", dir);
  w = run_cli({"reproduce", "spec.h5", "--quiet"}, dir);
  CHECK(w.status == 2);
  CHECK_THAT(w.err, Contains("model specification version 99"));
  fs::copy_file(dir.path() / "s.h5", dir.path() / "fmt.h5");
  h5py("import h5py, numpy\nwith h5py.File('fmt.h5', 'r+') as f: f.attrs['format_version'] = numpy.int64(99)", dir);
  w = run_cli({"reproduce", "fmt.h5", "--quiet"}, dir);
  CHECK(w.status == 2);
  CHECK_THAT(w.err, Contains("format_version 99"));
}

TEST_CASE("reproduce: --runs 3 on a 100-run sweep re-runs 3, the first and the last among them", "[cli][reproduce]") {
  test::TempDir dir;
  dir.write("hundred.toml", "extends = \"" + kTiny + "\"\n[sweep]\nsamples = 50\nreplicates = 1\n");
  REQUIRE(run_cli({"sweep", "hundred.toml", "-o", "h.h5", "--quiet"}, dir).status == 0);
  const auto rep = run_cli({"reproduce", "h.h5", "--runs", "3", "--seed", "11", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 3 of 3 runs identical (a random sample of the file's 100 runs)"));
  std::smatch m;
  REQUIRE(std::regex_search(rep.out, m, std::regex("rows 0 (\\d+) 99\n")));
  CHECK(std::stoi(m[1]) > 0);
  CHECK(std::stoi(m[1]) < 99);
}

TEST_CASE("reproduce: a file it cannot use exits 2 with one line", "[cli][reproduce]") {
  test::TempDir dir;
  dir.write("x.toml", "[law]\n");
  auto r = run_cli({"reproduce", "missing.h5"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("no such file"));
  r = run_cli({"reproduce", "x.toml"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("not an HDF5 file"));
  r = run_cli({"reproduce"}, dir);
  CHECK(r.status == 2);
}

TEST_CASE("reproduce: a design = file sweep with no [[sweep.designs]] reproduces after its points file is gone",
          "[cli][reproduce]") {
  test::TempDir dir;
  std::string base = test::read_text(kTiny);
  base = base.substr(0, base.find("[sweep]"));
  test::TempDir scen;
  scen.write("base.toml", base);
  scen.write("points.csv", "law.vagueness,weight\n0.05,1\n0.25,3\n");
  scen.write("file_sweep.toml",
             "extends = \"base.toml\"\n[sweep]\ndesign = \"file\"\npoints_file = \"points.csv\"\nreplicates = 2\n");
  const auto r = run_cli({"sweep", (scen.path() / "file_sweep.toml").string(), "-o", "f.h5", "--quiet"}, dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  fs::remove_all(scen.path());  // the scenario, its base and the points file: all gone
  const auto rep = run_cli({"reproduce", "f.h5", "--quiet"}, dir);
  INFO(rep.out << rep.err);
  CHECK(rep.status == 0);
  CHECK_THAT(rep.out, Contains("reproduced: 4 of 4 runs identical"));
}
