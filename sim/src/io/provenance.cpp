// complysim — provenance strings and durable file commit for results files.
#include "complysim/io/results_file.hpp"

#include "io/h5.hpp"

#include <Eigen/Core>
#include <boost/version.hpp>
#include <oneapi/tbb/version.h>
#if __has_include(<toml++/impl/version.h>)
#include <toml++/impl/version.h>
#endif

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc 2.28)
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>

// Random123 defines no version macro; the build may pass the packaged version.
#ifndef COMPLYSIM_RANDOM123_VERSION
#define COMPLYSIM_RANDOM123_VERSION "1.14"
#endif

namespace complysim::io {

std::string library_versions() {
  unsigned maj = 0, min = 0, rel = 0;
  h5::silence_errors();
  std::string hdf5 = H5get_libversion(&maj, &min, &rel) >= 0
                         ? std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel)
                         : std::string(H5_VERSION);
  std::string s = "HDF5 " + hdf5;
  s += "; oneTBB " + std::to_string(TBB_VERSION_MAJOR) + "." + std::to_string(TBB_VERSION_MINOR);
  s += "; Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
       std::to_string(EIGEN_MINOR_VERSION);
  s += "; Boost " + std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000);
#ifdef TOML_LIB_MAJOR
  s += "; toml++ " + std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
       std::to_string(TOML_LIB_PATCH);
#endif
  s += "; Random123 " COMPLYSIM_RANDOM123_VERSION;
  return s;
}

std::string compiler_id() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_FULL_VER);
#else
  return "unknown compiler";
#endif
}

std::string utc_now_iso8601() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{now - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

namespace {

void fsync_path(const std::filesystem::path& p, int flags, const char* what) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), std::string(what) + " open '" + p.string() + "'");
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::system_error(e, std::generic_category(), std::string(what) + " fsync '" + p.string() + "'");
  }
  ::close(fd);
}

}  // namespace

void commit_file(const std::filesystem::path& partial, const std::filesystem::path& final_path, bool replace) {
  fsync_path(partial, O_RDONLY, "commit_file:");
  if (replace) {
    std::error_code ec;
    std::filesystem::rename(partial, final_path, ec);
    if (ec)
      throw std::system_error(ec, "commit_file: rename '" + partial.string() + "' to '" + final_path.string() + "'");
  } else {
    const auto exists = [&] {
      return FileExists("'" + final_path.string() + "' was created by someone else while this command ran; it is kept "
                        "(use --force to replace it, or choose another output)");
    };
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
      const int e = errno;
      if (e == EEXIST) throw exists();
      if (e != EINVAL && e != ENOSYS && e != ENOTSUP)
        throw std::system_error(e, std::generic_category(),
                                "commit_file: rename '" + partial.string() + "' to '" + final_path.string() + "'");
      // The file system has no RENAME_NOREPLACE: link() never replaces either.
      if (::link(partial.c_str(), final_path.c_str()) != 0) {
        const int le = errno;
        if (le == EEXIST) throw exists();
        throw std::system_error(le, std::generic_category(),
                                "commit_file: link '" + partial.string() + "' to '" + final_path.string() + "'");
      }
      ::unlink(partial.c_str());
    }
  }
  std::filesystem::path dir = final_path.parent_path();
  if (dir.empty()) dir = ".";
  fsync_path(dir, O_RDONLY | O_DIRECTORY, "commit_file:");
}

void write_via_partial(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path& partial)>& write, bool replace) {
  std::filesystem::path partial = path;
  partial += ".partial";
  try {
    write(partial);
    commit_file(partial, path, replace);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw;
  }
}

void hdf5_skip_shutdown_at_exit() { H5dont_atexit(); }

}  // namespace complysim::io
