// Issue 13: hostile inputs and resource limits at the command line. Each error
// is one line naming the file and the cause, exit status 2, and no "std::"
// exception text.
#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

using namespace complysim::test;
using Catch::Matchers::Contains;

TEST_CASE("validate of a scenario extending /dev/zero under ulimit -v: one error naming the file", "[cli][reliability]") {
  TempDir dir;
  const auto top = dir.write("zero.toml", "extends = \"/dev/zero\"\n");
  // The case: under a 4 GiB address-space limit the old loader read /dev/zero until std::bad_alloc.
  const std::string cmd = "ulimit -v 4194304 && " + shell_quote(COMPLYSIM_BINARY) + " validate " + shell_quote(top.string()) +
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
