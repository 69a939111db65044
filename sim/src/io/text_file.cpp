// complysim — bounded, regular-file-only reading of text files (see text_file.hpp).
#include "complysim/io/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace complysim::io {
namespace {

std::string kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a pipe";
  if (S_ISSOCK(m)) return "a socket";
  return "not a plain file";
}

std::string mib(std::uintmax_t bytes) {
  if (bytes % (std::uintmax_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

/// Closes a file descriptor on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

TextFileError::TextFileError(const std::filesystem::path& file, std::string why)
    : std::runtime_error(file.string() + ": error: " + why), why_(std::move(why)) {}

std::string read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (f.fd < 0) throw TextFileError(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw TextFileError(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw TextFileError(path, "not a regular file (" + kind_of(st.st_mode) + ")");
  const auto too_large = [&](std::uintmax_t n) {
    return TextFileError(path, "larger than the " + mib(max_bytes) + " limit (" + std::to_string(n) + " bytes)");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) throw too_large(static_cast<std::uintmax_t>(st.st_size));
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size) + 1);  // one more byte: a file that grew is seen
  std::size_t have = 0;
  for (;;) {
    if (have == text.size()) {
      if (have > max_bytes) throw too_large(have);
      text.resize(std::min<std::uintmax_t>(max_bytes + 1, 2 * text.size() + 4096));
    }
    const ssize_t n = ::read(f.fd, text.data() + have, text.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw TextFileError(path, std::strerror(errno));
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  if (have > max_bytes) throw too_large(have);
  text.resize(have);
  return text;
}

void require_regular_if_exists(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (!S_ISREG(st.st_mode)) throw TextFileError(path, "not a regular file (" + kind_of(st.st_mode) + ")");
}

}  // namespace complysim::io
