// complysim — bounded reading of the text files complysim is given (scenario,
// `extends`, data and points files): regular files only, at most a documented
// size, with one error message that names the file and the cause.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace complysim::io {

/// Largest scenario file (and `extends` base) complysim reads: 16 MiB (the
/// bundled scenarios are a few KiB each).
inline constexpr std::uintmax_t kMaxTextFileBytes = std::uintmax_t{16} << 20;
/// Largest data or points (CSV) file: 256 MiB (a points file of 100,000 rows
/// of 20 parameters is about 40 MiB; the bundled data files are under 100 KiB).
inline constexpr std::uintmax_t kMaxDataFileBytes = std::uintmax_t{256} << 20;

/// A text file that cannot be read: what() is "FILE: error: WHY"; why() alone
/// is e.g. "not a regular file (a character device)", "larger than the 16 MiB
/// limit (20971520 bytes)" or "No such file or directory".
class TextFileError : public std::runtime_error {
 public:
  TextFileError(const std::filesystem::path& file, std::string why);
  const std::string& why() const { return why_; }

 private:
  std::string why_;
};

/// The whole content of `path`, which must be a regular file (after following
/// symbolic links) of at most `max_bytes` bytes. Never blocks on a FIFO or a
/// device (opened non-blocking, refused after fstat), never reads more than
/// max_bytes + 1 bytes (a file that grows past the limit while read is refused).
/// @throws TextFileError
std::string read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes = kMaxTextFileBytes);

/// Checks that `path`, when it exists, is a regular file (after following
/// links), for files that are opened by a library (HDF5 results, journals).
/// @throws TextFileError "not a regular file (a directory)" etc.; nothing when it does not exist.
void require_regular_if_exists(const std::filesystem::path& path);

}  // namespace complysim::io
