// Issue 13: hostile inputs and resource limits at the command line. Each error
// is one line naming the file and the cause, exit status 2, and no "std::"
// exception text.
#include "../test_util.hpp"
#include "complysim/io/output_lock.hpp"
#include "complysim/io/results_file.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace complysim::test;
using Catch::Matchers::Contains;

TEST_CASE("validate of a scenario extending /dev/zero under ulimit -v: one error naming the file", "[cli][reliability]") {
  TempDir dir;
  const auto top = dir.write("zero.toml", "extends = \"/dev/zero\"\n");
  // The case: under a 4 GiB address-space limit the old loader read /dev/zero until std::bad_alloc.
  // (AddressSanitizer reserves terabytes of address space: no limit in the sanitize build.)
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit = "true";
#else
  const std::string limit = "ulimit -v 4194304";
#endif
  const std::string cmd = limit + " && " + shell_quote(COMPLYSIM_BINARY) + " validate " + shell_quote(top.string()) +
                          " >" + shell_quote((dir.path() / "o").string()) + " 2>" + shell_quote((dir.path() / "e").string());
  const int raw = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 2);
  const std::string err = read_text(dir.path() / "e");
  CHECK(err == top.string() + ":1:11: error: cannot open extended scenario '/dev/zero' (resolved to '/dev/zero'): "
                              "not a regular file (a character device)\n");
  CHECK_THAT(err, !Contains("std::"));
}

TEST_CASE("every command refuses a scenario that is a device, a pipe or a directory", "[cli][reliability]") {
  TempDir dir;
  const auto fifo = dir.path() / "pipe.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& bad : {std::string("/dev/zero"), fifo.string(), dir.path().string()}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"validate", bad}, {"run", bad, "--quiet"}, {"sweep", bad, "-o", "s.h5", "--quiet"},
          {"compare", bad, bad, "--quiet"}}) {
      INFO(args[0] << " " << bad);
      const auto r = run_cli(args, dir);
      CHECK(r.status == 2);
      CHECK_THAT(r.err, Contains(bad + ": error: cannot open scenario file: not a regular file"));
      CHECK_THAT(r.err, !Contains("std::"));
    }
  }
}

// ---- two writers (issue 13 item 4) -------------------------------------------

namespace {
const std::string kTinySweep = std::string(COMPLYSIM_SOURCE_DIR) + "/tests/data/sweep_tiny.toml";
const std::string kBaselineScenario = std::string(COMPLYSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
}  // namespace

TEST_CASE("a second writer of an output is refused at once, naming the lock file and its holder", "[cli][reliability][lock]") {
  TempDir dir;
  // Shard files for merge, made before the lock is taken.
  REQUIRE(run_cli({"sweep", kTinySweep, "--shard", "0/2", "-o", "p0.h5", "--quiet"}, dir).status == 0);
  REQUIRE(run_cli({"sweep", kTinySweep, "--shard", "1/2", "-o", "p1.h5", "--quiet"}, dir).status == 0);
  // An unfinished sweep (its journal) to --resume.
  const auto out = dir.path() / "out.h5";
  {
    const complysim::io::OutputLock held(out, "complysim sweep held-by-the-test");
    CHECK(std::filesystem::exists(held.lock_file()));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"run", kTinySweep, "-o", "out.h5", "--quiet"},
          {"run", kTinySweep, "-o", "out.h5", "--quiet", "--force"},
          {"sweep", kTinySweep, "-o", "out.h5", "--quiet"},
          {"sweep", kTinySweep, "-o", "out.h5", "--quiet", "--resume"},
          {"merge", "p0.h5", "p1.h5", "-o", "out.h5", "--quiet"},
          {"compare", kTinySweep, kTinySweep, "-o", "out.h5", "--quiet"}}) {
      INFO(args[0] << " " << args.back());
      const auto r = run_cli(args, dir);
      CHECK(r.status == 2);
      CHECK_THAT(r.err, Contains("out.h5: error: another complysim is writing this output (lock file out.h5.lock, held by process ") &&
                            Contains("complysim sweep held-by-the-test"));
      CHECK(!std::filesystem::exists(out));
      CHECK(!std::filesystem::exists(out.string() + ".journal"));
    }
  }
  // Released: the lock file is gone and the next writer proceeds.
  CHECK(!std::filesystem::exists(out.string() + ".lock"));
  CHECK(run_cli({"sweep", kTinySweep, "-o", "out.h5", "--quiet"}, dir).status == 0);
  CHECK(!std::filesystem::exists(out.string() + ".lock"));
  // A stale lock file of a killed writer (no lock held on it) is no obstacle.
  std::ofstream(out.string() + ".lock") << "999999999 complysim sweep killed-long-ago\n";
  CHECK(run_cli({"sweep", kTinySweep, "-o", "out.h5", "--quiet", "--force"}, dir).status == 0);
  CHECK(!std::filesystem::exists(out.string() + ".lock"));
}

TEST_CASE("two overlapping runs of one output: the second is refused while the first runs", "[cli][reliability][lock]") {
  TempDir dir;
  // A long first writer, stopped with Ctrl-C once the second has been tried.
  const std::string first = shell_quote(COMPLYSIM_BINARY) + " run " + shell_quote(kBaselineScenario) +
                            " --set simulation.days=3650 --quiet -o r.h5 >/dev/null 2>first.err & echo $! > first.pid";
  REQUIRE(std::system(("cd " + shell_quote(dir.path().string()) + " && { " + first + "; }").c_str()) == 0);
  const auto lock = dir.path() / "r.h5.lock";
  for (int i = 0; i < 600 && !std::filesystem::exists(lock); ++i) ::usleep(50000);
  REQUIRE(std::filesystem::exists(lock));
  const auto second = run_cli({"run", kBaselineScenario, "--set", "simulation.days=20", "--quiet", "-o", "r.h5"}, dir);
  std::string pid = read_text(dir.path() / "first.pid");
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  std::system(("kill -INT " + pid + "; while kill -0 " + pid + " 2>/dev/null; do sleep 0.05; done").c_str());
  CHECK(second.status == 2);
  CHECK_THAT(second.err, Contains("another complysim is writing this output") && Contains("r.h5.lock"));
  CHECK(!std::filesystem::exists(dir.path() / "r.h5"));  // the first was interrupted, the second refused
  CHECK(!std::filesystem::exists(lock));
}

TEST_CASE("no-clobber commit keeps a file that appeared while the command ran", "[io][reliability][lock]") {
  TempDir dir;
  const auto out = dir.path() / "r.h5";
  CHECK_THROWS_AS(complysim::io::write_via_partial(
                      out,
                      [&](const std::filesystem::path& partial) {
                        std::ofstream(partial) << "new";
                        std::ofstream(out) << "someone else's";  // appears between the check and the commit
                      },
                      /*replace=*/false),
                  complysim::io::FileExists);
  CHECK(read_text(out) == "someone else's");
  CHECK(!std::filesystem::exists(out.string() + ".partial"));
  complysim::io::write_via_partial(out, [&](const std::filesystem::path& partial) { std::ofstream(partial) << "forced"; }, true);
  CHECK(read_text(out) == "forced");
  const auto fresh = dir.path() / "fresh.h5";
  complysim::io::write_via_partial(fresh, [&](const std::filesystem::path& partial) { std::ofstream(partial) << "x"; }, false);
  CHECK(read_text(fresh) == "x");
}

TEST_CASE("results files and journals must be regular files: info and sweep --resume refuse a pipe or a device at once", "[cli][reliability]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir.path() / "pipe.h5").c_str(), 0600) == 0);
  for (const std::string& bad : {std::string("pipe.h5"), std::string("/dev/zero")}) {
    INFO(bad);
    const auto r = run_cli({"info", bad}, dir);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("not a regular file"));
    CHECK_THAT(r.err, !Contains("std::"));
  }
  REQUIRE(::mkfifo((dir.path() / "s.h5.journal").c_str(), 0600) == 0);
  const auto r = run_cli({"sweep", kTinySweep, "-o", "s.h5", "--resume", "--quiet"}, dir);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("s.h5.journal: not a regular file"));
  CHECK(!std::filesystem::exists(dir.path() / "s.h5"));
}
