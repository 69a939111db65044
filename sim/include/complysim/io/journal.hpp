// complysim — the sweep journal: a checksummed, append-only record of finished
// runs kept next to a sweep's output (OUT.h5.journal) until the sweep is
// consolidated into its HDF5 file (docs/sweeps.md, "The journal").
//
// HDF5 files are not crash-consistent, so a sweep never keeps an HDF5 file
// open while it runs: every finished run is appended to the journal with one
// write() and made durable by fdatasync every few seconds. A SIGKILL or power
// loss leaves at worst a torn last record, which scan_journal() detects (by
// length and CRC-32) and the next --resume truncates.
//
// File layout (all integers little-endian; doubles are IEEE 754 binary64, raw):
//
//   header:  char[8] "CSJOURNL" | u32 format version | u32 payload length L |
//            payload (L bytes) | u32 CRC-32 of the payload
//     payload: str complysim_version | str git_commit | str command_line |
//              u32 n, str overrides[n] | str scenario_toml | u64 seed |
//              str shard | u64 design_hash | i64 n_runs_total |
//              u32 n, str param_names[n] | u32 n, u32 outcome_widths[n] |
//              u32 records           (str = u32 byte length + bytes)
//   records: u32 0x52435343 ("CSCR") | u32 payload length L | payload (L bytes) |
//            u32 CRC-32 of (length word + payload)
//     payload: i64 run | i8 status | str message | u32 n, f64 params[n] |
//              for each outcome k: u32 n, f64 summary[n] | u32 m, f64 series[m]
//              (n = m = 0 for a failed run)
#pragma once

#include "complysim/core/outcomes.hpp"
#include "complysim/io/run_status.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace complysim::io {

/// Version of the journal layout written by this build (the header's u32).
inline constexpr std::uint32_t kJournalFormatVersion = 1;

/// An I/O failure on a journal (open, write, fsync, read) or a journal whose
/// header is unreadable. what() names the file and the system error, e.g.
/// "out.h5.journal: write failed: No space left on device".
class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a journal belongs to: everything that must be equal for its records to
/// be reused by `complysim sweep --resume`.
struct JournalHeader {
  std::uint32_t format_version = kJournalFormatVersion;  ///< as read; written as kJournalFormatVersion
  std::string complysim_version;         ///< complysim::version()
  std::string git_commit;                ///< complysim::git_commit()
  std::string command_line;              ///< the command line that started the sweep (provenance only)
  std::vector<std::string> overrides;    ///< the --set strings of that command (provenance only)
  std::string scenario_toml;             ///< resolved scenario (to_toml; its leading comment is not compared)
  std::uint64_t seed = 0;                ///< simulation.seed
  std::string shard;                     ///< "I/N", or "" for an unsharded sweep
  std::uint64_t design_hash = 0;         ///< hash of the sample matrix and decree designs
  std::int64_t n_runs_total = 0;         ///< runs of the whole sweep (all shards)
  std::vector<std::string> param_names;  ///< columns of JournalRecord::params
  std::vector<std::uint32_t> widths;     ///< [outcomes] width of each outcome (1 or platforms)
  std::uint32_t records = 0;             ///< time-series records per outcome row
};

/// Why `journal` cannot be resumed by a sweep described by `now`: a
/// one-paragraph message naming the first thing that differs (program
/// version, seed, shard, scenario line, design, layout), or std::nullopt when
/// they match. command_line and overrides are not compared.
std::optional<std::string> header_mismatch(const JournalHeader& journal, const JournalHeader& now);

/// One finished run.
struct JournalRecord {
  std::int64_t run = 0;               ///< global run index
  RunStatus status = RunStatus::Ok;   ///< Ok or Failed
  std::string message;                ///< why the run failed ("" when ok)
  std::vector<double> params;         ///< [param_names] values the run used
  /// Outcomes: summary[k] has widths[k] values and series[k] records * widths[k]
  /// (empty vectors for a failed run); record_day is not stored.
  RunResult result;
};

/// The result of reading a journal front to back.
struct JournalScan {
  JournalHeader header;
  /// One intact record: where it is and what it says.
  struct Entry {
    std::int64_t run = 0;         ///< global run index
    std::uint64_t offset = 0;     ///< byte offset of the record
    RunStatus status = RunStatus::Ok;
  };
  /// Every intact record, in file order.
  std::vector<Entry> index;
  std::uint64_t valid_length = 0;     ///< bytes up to the end of the last intact record
  std::uint64_t file_length = 0;      ///< the file's size
  /// "" when the file ends with an intact record, otherwise what was found at
  /// valid_length ("torn record (12 of 4096 bytes)", "bad CRC", "bad record marker").
  std::string tail_problem;
};

/// Reads the header and every record of `path`, stopping at the first torn or
/// corrupt record (everything after it is ignored). Memory: 16 bytes per record.
/// @throws JournalError if the file cannot be read or its header is not a
///         complete, intact journal header of a supported format version.
JournalScan scan_journal(const std::filesystem::path& path);

/// As scan_journal(path), but passes each intact record's entry to `on_entry`
/// instead of keeping them (the returned index is empty): constant memory.
JournalScan scan_journal(const std::filesystem::path& path, const std::function<void(const JournalScan::Entry&)>& on_entry);

/// Reads journals records by offset (from a JournalScan's index). Not thread-safe.
class JournalReader {
 public:
  /// @throws JournalError
  explicit JournalReader(const std::filesystem::path& path);
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;
  ~JournalReader();
  /// The record at byte `offset`, checked against its CRC and the header's layout.
  /// @throws JournalError for an I/O error, a bad CRC or a record that does not fit `header`.
  JournalRecord read(std::uint64_t offset, const JournalHeader& header);

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::vector<unsigned char> buf_;
};

/// Appends records to a journal. append() is thread-safe (one mutex); each
/// record goes out in one write(), and fdatasync runs at most every
/// `sync_interval` or every `sync_records` records, and on sync()/close().
class JournalWriter {
 public:
  /// Creates a new journal at `path` holding only `header`: written to
  /// `path + ".tmp"`, fsynced and renamed, so `path` never holds a partial header.
  /// @param overwrite replace an existing journal; otherwise an existing file is an error.
  /// @throws JournalError
  static JournalWriter create(const std::filesystem::path& path, const JournalHeader& header, bool overwrite = false);
  /// Opens an existing journal for appending after truncating it to
  /// `valid_length` (a JournalScan's), dropping any torn tail.
  /// @throws JournalError
  static JournalWriter reopen(const std::filesystem::path& path, std::uint64_t valid_length);

  JournalWriter(JournalWriter&&) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  /// Syncs and closes (errors swallowed: call close() to see them).
  ~JournalWriter();

  /// Appends one record. On a failed or short write the file is truncated back
  /// to its length before the call (best effort), so it stays a valid journal.
  /// @throws JournalError (e.g. "No space left on device"); std::logic_error after close().
  void append(const JournalRecord& record);
  /// fdatasync now. @throws JournalError
  void sync();
  /// Syncs and closes. Idempotent. @throws JournalError
  void close();
  /// Records appended through this writer.
  std::int64_t appended() const;

  /// At most this long between fdatasyncs while records arrive (default 2 s).
  std::chrono::milliseconds sync_interval{2000};
  /// At most this many records between fdatasyncs (default 256).
  std::int64_t sync_records = 256;

 private:
  JournalWriter(int fd, std::filesystem::path path, std::uint64_t length);
  void sync_locked();
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t length_ = 0;
  std::int64_t appended_ = 0, unsynced_ = 0;
  std::chrono::steady_clock::time_point last_sync_;
};

/// `toml` without its leading comment lines (to_toml's first line names the
/// source file), so scenarios loaded from different paths compare equal.
std::string_view scenario_text_for_comparison(std::string_view toml);

/// Serialises a record's payload + framing exactly as append() writes it (for tests).
std::vector<unsigned char> encode_record(const JournalRecord& record);

/// 64-bit FNV-1a hash of `bytes`, continuing from `h` (for header fields).
std::uint64_t fnv1a64(const void* bytes, std::size_t n, std::uint64_t h = 14695981039346656037ull);

}  // namespace complysim::io
