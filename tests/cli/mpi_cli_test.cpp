// Tests of `mpirun -n K complysim sweep` (issue 18), compiled when complysim is
// built with COMPLYSIM_WITH_MPI (tests/mpi.cmake defines COMPLYSIM_MPIEXEC):
// the MPI sweep equals the single-process one bit for bit; a rank killed with
// SIGKILL ends the job with the journal intact and --resume (with MPI or
// without) finishes it, equal again; runs of 5x different cost are balanced.
#ifdef COMPLYSIM_MPIEXEC
#include "complysim/io/journal.hpp"
#include "complysim/io/results_file.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

using namespace complysim;
using Catch::Contains;
using test::run_cli;
using test::shell_quote;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(COMPLYSIM_SOURCE_DIR) + "/tests/data/sweep_tiny.toml";

/// "mpirun --allow-run-as-root --oversubscribe -n K complysim" (CI runs as root).
std::string mpirun(int ranks) {
  return shell_quote(COMPLYSIM_MPIEXEC) + " --allow-run-as-root --oversubscribe --bind-to none -n " + std::to_string(ranks) + " " +
         shell_quote(COMPLYSIM_BINARY);
}

/// Runs `cmd` in `dir`, stdout and stderr appended to dir/.log; returns the exit status.
int shell(const std::string& cmd, const test::TempDir& dir) {
  const std::string full = "cd " + shell_quote(dir.path().string()) + " && " + cmd + " >>.log 2>&1";
  const int raw = std::system(full.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string read_first_line(const fs::path& p) {
  std::string s = test::read_text(p);
  return s.substr(0, s.find('\n'));
}

/// Process id of rank `rank` among the children of mpirun `parent` (0 if none).
pid_t rank_pid(pid_t parent, int rank) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = test::read_text(e.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    int ppid = 0;
    char state = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2 || ppid != parent) continue;
    const std::string env = test::read_text(e.path() / "environ");
    if (env.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') != std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

}  // namespace

TEST_CASE("mpirun -n 3 complysim sweep equals the single-process sweep and shards + merge bit for bit", "[cli][mpi]") {
  test::TempDir dir;
  REQUIRE(run_cli({"sweep", kTiny, "-o", "ref.h5", "--quiet", "--threads", "2"}, dir).status == 0);
  REQUIRE(shell(mpirun(3) + " sweep " + shell_quote(kTiny) + " -o mpi3.h5 --threads 1", dir) == 0);
  const std::string log = test::read_text(dir.path() / ".log");
  INFO(log);
  CHECK_THAT(log, Contains("MPI: 3 ranks") && Contains("wrote mpi3.h5: 24 runs"));
  auto d = io::first_difference(dir.path() / "ref.h5", dir.path() / "mpi3.h5");
  CHECK_FALSE(d);
  if (d) FAIL_CHECK(*d);
  CHECK(io::ResultsReader(dir.path() / "mpi3.h5").provenance().mpi_ranks == 3);
  CHECK(io::ResultsReader(dir.path() / "ref.h5").provenance().mpi_ranks == 1);
  const auto info = run_cli({"info", "mpi3.h5"}, dir);
  CHECK_THAT(info.out, Contains("ranks:        3 MPI ranks"));

  // Another K and batch size (other finish orders), and the shards + merge route.
  REQUIRE(shell(mpirun(2) + " sweep " + shell_quote(kTiny) + " -o mpi2.h5 --mpi-batch 5 --quiet", dir) == 0);
  d = io::first_difference(dir.path() / "ref.h5", dir.path() / "mpi2.h5");
  CHECK_FALSE(d);
  if (d) FAIL_CHECK(*d);
  REQUIRE(run_cli({"sweep", kTiny, "-o", "p0.h5", "--shard", "0/2", "--quiet"}, dir).status == 0);
  REQUIRE(shell(mpirun(3) + " sweep " + shell_quote(kTiny) + " -o p1.h5 --shard 1/2 --quiet", dir) == 0);
  REQUIRE(run_cli({"merge", "p0.h5", "p1.h5", "-o", "merged.h5", "--quiet"}, dir).status == 0);
  d = io::first_difference(dir.path() / "mpi3.h5", dir.path() / "merged.h5");
  CHECK_FALSE(d);
  if (d) FAIL_CHECK(*d);
}

TEST_CASE("mpirun sweep: a worker rank that loaded another scenario is refused, nothing of it journalled", "[cli][mpi]") {
  test::TempDir dir;
  // MPMD: rank 0 as asked, ranks 1-2 with another --set (as if their node held other files).
  const std::string b = shell_quote(COMPLYSIM_BINARY), t = shell_quote(kTiny);
  const int rc = shell(shell_quote(COMPLYSIM_MPIEXEC) + " --allow-run-as-root --oversubscribe -n 1 " + b + " sweep " + t +
                           " -o x.h5 --quiet : -n 2 " + b + " sweep " + t + " -o x.h5 --quiet --set law.transparency=0.37",
                       dir);
  CHECK(rc != 0);
  CHECK_THAT(test::read_text(dir.path() / ".log"), Contains("loaded another scenario or design than rank 0"));
  CHECK_FALSE(fs::exists(dir.path() / "x.h5"));
  REQUIRE(fs::exists(dir.path() / "x.h5.journal"));
  CHECK(io::scan_journal(dir.path() / "x.h5.journal").index.empty());
}

TEST_CASE("mpirun sweep: a rank killed with SIGKILL ends the job with the journal intact and --resume finishes it, equal",
          "[cli][mpi][slow]") {
  test::TempDir dir;
  // 960 runs: long enough to kill mid-way.
  dir.write("kill.toml", "extends = \"" + kTiny + "\"\n[sweep]\nsamples = 60\nreplicates = 8\n");
  REQUIRE(run_cli({"sweep", "kill.toml", "-o", "ref.h5", "--quiet", "--threads", "2"}, dir).status == 0);
  // Trial 0 kills worker rank 1 and resumes without MPI; trial 1 kills the
  // coordinator (rank 0) and resumes under mpirun.
  for (int trial = 0; trial < 2; ++trial) {
    const int victim = trial == 0 ? 1 : 0;
    const std::string out = "out" + std::to_string(trial) + ".h5";
    const fs::path journal = dir.path() / (out + ".journal");
    shell("( " + mpirun(3) + " sweep kill.toml -o " + out + " --quiet --threads 1 --mpi-batch 2 & echo $! > mp.pid; wait $!; echo $? > mp.rc ) &",
          dir);
    fs::remove(dir.path() / "mp.rc");
    pid_t mp = 0;
    for (int i = 0; i < 500 && mp == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const std::string s = read_first_line(dir.path() / "mp.pid");
      if (!s.empty()) mp = static_cast<pid_t>(std::stol(s));
    }
    REQUIRE(mp > 0);
    // Wait until a tenth of the runs are journalled, then kill the rank.
    std::size_t at_kill = 0;
    for (int i = 0; i < 6000; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (!fs::exists(journal)) continue;
      try {
        at_kill = io::scan_journal(journal).index.size();
      } catch (const io::JournalError&) {
        continue;  // header being written
      }
      if (at_kill >= 96) break;
    }
    const pid_t rank = rank_pid(mp, victim);
    REQUIRE(rank > 0);
    REQUIRE(::kill(rank, SIGKILL) == 0);
    for (int i = 0; i < 3000 && !fs::exists(dir.path() / "mp.rc"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(fs::exists(dir.path() / "mp.rc"));
    INFO("trial " << trial << ": killed rank " << victim << " with " << at_kill << " runs journalled");
    CHECK(read_first_line(dir.path() / "mp.rc") != "0");  // Open MPI ended the whole job
    CHECK(at_kill < 960);
    REQUIRE(fs::exists(journal));
    CHECK_FALSE(fs::exists(dir.path() / out));
    const std::string resume = trial == 0 ? shell_quote(COMPLYSIM_BINARY) : mpirun(3);
    REQUIRE(shell(resume + " sweep kill.toml -o " + out + " --resume --quiet", dir) == 0);
    const auto d = io::first_difference(dir.path() / "ref.h5", dir.path() / out);
    CHECK_FALSE(d);
    if (d) FAIL_CHECK(*d);
  }
}

TEST_CASE("mpirun sweep: runs of 5x different cost are handed out so each rank computes about the same work",
          "[cli][mpi]") {
  test::TempDir dir;
  // 40 runs alternating 5,000 and 25,000 users (5x the user-days), 30 days. A
  // static round-robin split over 2 workers (what --shard does) would give one
  // worker every small run and the other every large one: 5x the work.
  dir.write("cost.toml", "extends = \"" + kTiny + "\"\n[simulation]\ndays = 30\n[sweep]\ndesign = \"grid\"\nreplicates = 1\n"
                         "[sweep.parameters]\n\"population.users\" = [5000, 25000]\n\"law.vagueness\" = [" +
                         [] {
                           std::string v;
                           for (int i = 0; i < 20; ++i) v += (i ? ", " : "") + std::to_string(0.01 * i);
                           return v;
                         }() +
                         "]\n[[sweep.designs]]\nname = \"as_written\"\nset = {}\n");
  auto dry = run_cli({"sweep", "cost.toml", "--dry-run"}, dir);
  INFO(dry.out << dry.err);
  REQUIRE(dry.status == 0);
  REQUIRE_THAT(dry.out, Contains("runs:       40"));
  REQUIRE(std::regex_search(dry.out, std::regex("\n +0 +0 +5000\n +1 +0 +25000\n")));  // alternating cost
  // Counted, not timed: the user-days of the runs each rank computed. The
  // hand-out balances ranks that compute at the same speed, so the job runs on
  // one CPU (taskset), where the kernel shares time equally between the two
  // worker ranks whatever else loads the machine; two attempts all the same
  // (a static split fails every one by 5x).
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  int cpu = 0;
  while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set)) ++cpu;
  double a = 0, b = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    fs::remove(dir.path() / ".log");
    fs::remove(dir.path() / "cost.h5");
    REQUIRE(shell("taskset -c " + std::to_string(cpu) + " " + shell_quote(COMPLYSIM_MPIEXEC) +
                      " --allow-run-as-root --oversubscribe --bind-to none -n 3 " + shell_quote(COMPLYSIM_BINARY) +
                      " sweep cost.toml -o cost.h5 --threads 1 --mpi-batch 1",
                  dir) == 0);
    const std::string log = test::read_text(dir.path() / ".log");
    INFO(log);
    std::smatch m;
    REQUIRE(std::regex_search(log, m, std::regex("rank 1: (\\d+) runs, (\\d+) user-days; rank 2: (\\d+) runs, (\\d+) user-days")));
    a = std::stod(m[2]);
    b = std::stod(m[4]);
    CHECK(std::stol(m[1]) + std::stol(m[3]) == 40);
    CHECK(a + b == 30.0 * 20.0 * (5000 + 25000));  // every run counted once
    if (std::abs(a - b) <= 0.2 * std::max(a, b)) break;
  }
  INFO("user-days of rank 1: " << a << ", rank 2: " << b);
  CHECK(std::abs(a - b) <= 0.2 * std::max(a, b));
}
#endif  // COMPLYSIM_MPIEXEC
