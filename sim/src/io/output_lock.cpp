// complysim — exclusive output locks (see output_lock.hpp).
#include "complysim/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <string>
#include <system_error>

namespace complysim::io {
namespace {

std::string read_holder(int fd) {
  char buf[512];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string s(buf, static_cast<std::size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

/// Whether process `pid` is running (not gone, not a zombie whose files the
/// kernel is still closing).
bool running(long pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;  // no /proc: trust kill()
  const auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return true;
  const char state = line[paren + 2];
  return state != 'Z' && state != 'X';
}

long holder_pid(const std::string& holder) {
  try {
    return std::stol(holder);
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

OutputLock::OutputLock(const std::filesystem::path& output, std::string_view holder) {
  lock_ = output;
  lock_ += ".lock";
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create the lock file '" + lock_.string() + "'");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw OutputLocked(output.string() + ": error: the lock file " + lock_.string() + " is not a regular file");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      const std::string who = read_holder(fd);
      ::close(fd);
      // A holder killed a moment ago (SIGKILL) may still be closing its files:
      // its lock goes away within moments, so wait for that (at most ~2 s); a
      // running holder is refused at once.
      if (e == EWOULDBLOCK && attempt < 99 && !running(holder_pid(who))) {
        ::usleep(20000);
        continue;
      }
      if (e == EWOULDBLOCK)
        throw OutputLocked(output.string() + ": error: another complysim is writing this output (lock file " + lock_.string() +
                           (who.empty() ? std::string(")") : ", held by process " + who + ")") +
                           "; wait for it to finish or choose another -o");
      throw std::system_error(e, std::generic_category(), "cannot lock '" + lock_.string() + "'");
    }
    // Locked; but the holder before us may have removed this file meanwhile.
    struct stat now {};
    if (::stat(lock_.c_str(), &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
      ::close(fd);
      continue;
    }
    const std::string line = std::to_string(::getpid()) + " " + std::string(holder) + "\n";
    if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, line.data(), line.size(), 0) < 0) {
      // The lock holds without the note; the note only improves the message of a second writer.
    }
    fd_ = fd;
    return;
  }
  throw OutputLocked(output.string() + ": error: could not take the lock file " + lock_.string() + " (it keeps being replaced)");
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(lock_.c_str());  // while still holding the lock: see the inode check above
  ::close(fd_);
}

}  // namespace complysim::io
