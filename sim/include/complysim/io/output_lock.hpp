// complysim — one writer per output file: an exclusive lock held for the
// whole of a run, compare, sweep or merge (issue 13 item 4).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace complysim::io {

/// Another process holds the lock on an output. what() is "OUT: error: ..."
/// naming the lock file, the holder's process id and command line.
class OutputLocked : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An exclusive lock on OUT (and its journal OUT.journal and partial file
/// OUT.partial): flock(LOCK_EX | LOCK_NB) on the lock file OUT.lock, which
/// holds "PID COMMAND LINE" of its holder. A second writer is refused at once
/// while that holder runs; when the holder named there is gone or a zombie
/// (killed a moment ago, its files still closing), the lock is tried again for
/// up to about 2 s. The lock file is removed on release; a writer that locked a
/// lock file just removed by its holder notices (the path no longer names the
/// file it locked) and tries again. Released by the destructor, also when the
/// process dies (the kernel drops flock locks; a stale OUT.lock left by a
/// killed process is reused, not an obstacle).
class OutputLock {
 public:
  /// Takes the lock on `output`, recording `holder` (a command line) in it.
  /// @throws OutputLocked when another process holds it;
  ///         std::system_error when the lock file cannot be created.
  OutputLock(const std::filesystem::path& output, std::string_view holder);
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  ~OutputLock();
  /// The lock file (OUT.lock).
  const std::filesystem::path& lock_file() const { return lock_; }

 private:
  std::filesystem::path lock_;
  int fd_ = -1;
};

}  // namespace complysim::io
