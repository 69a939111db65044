// complysim tests — temporary directories and CLI runs (no fixed file names in
// the current directory).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace complysim::test {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "complysim-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

struct CliResult {
  int status = -1;
  std::string out, err;
};

/// Runs the complysim binary with `args` in `cwd`, capturing stdout and stderr.
inline CliResult run_cli(const std::vector<std::string>& args, const TempDir& dir) {
  std::string cmd = "cd " + shell_quote(dir.path().string()) + " && " + shell_quote(COMPLYSIM_BINARY);
  for (const auto& a : args) {
    cmd += ' ';
    cmd += shell_quote(a);  // (not " " + ...: GCC 12 -Wrestrict false positive)
  }
  const auto out = dir.path() / ".stdout", err = dir.path() / ".stderr";
  cmd += " >";
  cmd += shell_quote(out.string());
  cmd += " 2>";
  cmd += shell_quote(err.string());
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

/// Length in bytes of the longest line of `text` (lines end at '\n'); for the
/// "fits 100 columns" checks of the text outputs.
inline std::size_t widest_line(const std::string& text) {
  std::size_t widest = 0;
  for (std::size_t at = 0, next; at < text.size(); at = next + 1) {
    next = text.find('\n', at);
    if (next == std::string::npos) next = text.size();
    widest = std::max(widest, next - at);
  }
  return widest;
}

}  // namespace complysim::test
