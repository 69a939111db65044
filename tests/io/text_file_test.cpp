// Issue 13 item 1: every text file complysim reads is a regular file of at most
// a documented size, refused with "FILE: error: WHY" otherwise.
#include "complysim/io/text_file.hpp"
#include "complysim/scenario.hpp"
#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

using namespace complysim;
using complysim::test::TempDir;

TEST_CASE("read_text_file reads a regular file and refuses devices, pipes, directories and large files", "[io][text_file]") {
  TempDir dir;
  const auto ok = dir.write("a.toml", "x = 1\n");
  CHECK(io::read_text_file(ok) == "x = 1\n");
  CHECK(io::read_text_file(dir.write("empty.toml", "")) == "");

  auto refused = [](const std::filesystem::path& p, std::uintmax_t limit, const std::string& why) {
    INFO(p);
    try {
      (void)io::read_text_file(p, limit);
      FAIL("not refused");
    } catch (const io::TextFileError& e) {
      CHECK(std::string(e.what()).rfind(p.string() + ": error: ", 0) == 0);
      CHECK(e.why().find(why) != std::string::npos);
    }
  };
  refused("/dev/zero", io::kMaxTextFileBytes, "not a regular file (a character device)");
  refused(dir.path(), io::kMaxTextFileBytes, "not a regular file (a directory)");
  refused(dir.path() / "missing.toml", io::kMaxTextFileBytes, "No such file or directory");
  const auto fifo = dir.path() / "pipe.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  refused(fifo, io::kMaxTextFileBytes, "not a regular file (a pipe)");  // and does not block
  const auto big = dir.write("big.toml", std::string(1025, '#'));
  refused(big, 1024, "larger than the 1024 bytes limit (1025 bytes)");
  CHECK(io::read_text_file(big, 1025).size() == 1025);
  refused(dir.write("huge.toml", std::string((1u << 20) + 1, '#')), 1u << 20, "larger than the 1 MiB limit");
}

TEST_CASE("a scenario that extends /dev/zero, a pipe or a directory is one FILE:LINE:COL error", "[io][text_file][scenario]") {
  TempDir dir;
  const auto fifo = dir.path() / "pipe.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& target : {std::string("/dev/zero"), fifo.string(), dir.path().string()}) {
    const auto top = dir.write("top.toml", "extends = \"" + target + "\"\n");
    INFO(target);
    try {
      (void)load_scenario(top);
      FAIL("not refused");
    } catch (const ScenarioError& e) {
      const std::string what = e.what();
      CHECK(what.rfind(top.string() + ":1:11: error: cannot open extended scenario", 0) == 0);
      CHECK(what.find("not a regular file") != std::string::npos);
    }
  }
  for (const std::string& target : {std::string("/dev/zero"), fifo.string(), dir.path().string()}) {
    INFO(target);
    try {
      (void)load_scenario(target);
      FAIL("not refused");
    } catch (const ScenarioError& e) {
      CHECK(std::string(e.what()) == target + ": error: cannot open scenario file: not a regular file (" +
                                         (target == "/dev/zero" ? "a character device" : target == fifo.string() ? "a pipe" : "a directory") + ")");
    }
  }
}

TEST_CASE("a scenario over the size limit is refused without reading it", "[io][text_file][scenario]") {
  TempDir dir;
  const auto big = dir.path() / "big.toml";
  {
    std::ofstream f(big, std::ios::binary);
    f.seekp(static_cast<std::streamoff>(io::kMaxTextFileBytes));  // sparse: one byte past the limit
    f.put('\n');
  }
  try {
    (void)load_scenario(big);
    FAIL("not refused");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()).find(big.string() + ": error: cannot open scenario file: larger than the 16 MiB limit") == 0);
  }
}
