// complysim — the sweep journal (layout documented in complysim/io/journal.hpp).
#include "complysim/io/journal.hpp"

#include <boost/crc.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sstream>

namespace complysim::io {

static_assert(std::endian::native == std::endian::little, "the journal is written in host order; port encode/decode first");

namespace {

constexpr char kMagic[8] = {'C', 'S', 'J', 'O', 'U', 'R', 'N', 'L'};
constexpr std::uint32_t kRecordMarker = 0x52435343u;  // "CSCR" little-endian
/// Largest record accepted (1 GiB): a length word beyond this is corruption.
constexpr std::uint32_t kMaxPayload = 1u << 30;

std::string sys_error(const std::filesystem::path& path, const char* what, int err) {
  return path.string() + ": " + what + " failed: " + std::strerror(err);
}

std::uint32_t crc32(const unsigned char* p, std::size_t n) {
  boost::crc_32_type c;
  c.process_bytes(p, n);
  return c.checksum();
}

/// Little helper that appends fixed-width values to a byte buffer.
struct Out {
  std::vector<unsigned char>& b;
  template <class T>
  void put(T v) {
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    b.insert(b.end(), p, p + sizeof(T));
  }
  void str(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void doubles(const std::vector<double>& v) {
    put(static_cast<std::uint32_t>(v.size()));
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    b.insert(b.end(), p, p + v.size() * sizeof(double));
  }
};

/// Reads fixed-width values from a byte range; any overrun throws.
struct In {
  const unsigned char* p;
  std::size_t n, pos = 0;
  void need(std::size_t k) const {
    if (k > n - pos) throw std::out_of_range("truncated");
  }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  std::string str() {
    const auto len = get<std::uint32_t>();
    need(len);
    std::string s(reinterpret_cast<const char*>(p + pos), len);
    pos += len;
    return s;
  }
  std::vector<double> doubles() {
    const auto len = get<std::uint32_t>();
    need(static_cast<std::size_t>(len) * sizeof(double));
    std::vector<double> v(len);
    if (len > 0) std::memcpy(v.data(), p + pos, static_cast<std::size_t>(len) * sizeof(double));
    pos += static_cast<std::size_t>(len) * sizeof(double);
    return v;
  }
};

std::vector<unsigned char> encode_header(const JournalHeader& h) {
  std::vector<unsigned char> payload;
  Out o{payload};
  o.str(h.complysim_version);
  o.str(h.git_commit);
  o.str(h.command_line);
  o.put(static_cast<std::uint32_t>(h.overrides.size()));
  for (const auto& s : h.overrides) o.str(s);
  o.str(h.scenario_toml);
  o.put(h.seed);
  o.str(h.shard);
  o.put(h.design_hash);
  o.put(h.n_runs_total);
  o.put(static_cast<std::uint32_t>(h.param_names.size()));
  for (const auto& s : h.param_names) o.str(s);
  o.put(static_cast<std::uint32_t>(h.widths.size()));
  for (auto w : h.widths) o.put(w);
  o.put(h.records);
  if (!h.jurisdictions.empty()) {  // absent with one jurisdiction: such headers encode as before
    o.put(static_cast<std::uint32_t>(h.jurisdictions.size()));
    for (const auto& s : h.jurisdictions) o.str(s);
  }

  std::vector<unsigned char> out(kMagic, kMagic + 8);
  Out f{out};
  f.put(kJournalFormatVersion);
  f.put(static_cast<std::uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  f.put(crc32(payload.data(), payload.size()));
  return out;
}

JournalHeader decode_header_payload(const unsigned char* p, std::size_t n) {
  In in{p, n};
  JournalHeader h;
  h.complysim_version = in.str();
  h.git_commit = in.str();
  h.command_line = in.str();
  const auto n_over = in.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_over; ++i) h.overrides.push_back(in.str());
  h.scenario_toml = in.str();
  h.seed = in.get<std::uint64_t>();
  h.shard = in.str();
  h.design_hash = in.get<std::uint64_t>();
  h.n_runs_total = in.get<std::int64_t>();
  const auto n_params = in.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_params; ++i) h.param_names.push_back(in.str());
  const auto n_w = in.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_w; ++i) h.widths.push_back(in.get<std::uint32_t>());
  h.records = in.get<std::uint32_t>();
  if (in.pos != n) {
    const auto n_jur = in.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < n_jur; ++i) h.jurisdictions.push_back(in.str());
  }
  if (in.pos != n) throw std::out_of_range("trailing bytes");
  return h;
}

JournalRecord decode_record_payload(const unsigned char* p, std::size_t n, const JournalHeader& h) {
  In in{p, n};
  JournalRecord r;
  r.run = in.get<std::int64_t>();
  r.status = static_cast<RunStatus>(in.get<std::int8_t>());
  if (r.status != RunStatus::Ok && r.status != RunStatus::Failed) throw std::out_of_range("bad status");
  r.message = in.str();
  r.params = in.doubles();
  if (r.params.size() != h.param_names.size()) throw std::out_of_range("wrong number of parameters");
  r.result.summary.resize(h.widths.size());
  r.result.series.resize(h.widths.size());
  for (std::size_t k = 0; k < h.widths.size(); ++k) {
    r.result.summary[k] = in.doubles();
    r.result.series[k] = in.doubles();
    const bool ok = r.status == RunStatus::Ok;
    if (r.result.summary[k].size() != (ok ? h.widths[k] : 0u) ||
        r.result.series[k].size() != (ok ? static_cast<std::size_t>(h.widths[k]) * h.records : 0u))
      throw std::out_of_range("outcome shape does not match the header");
  }
  if (r.status == RunStatus::Ok && h.jurisdictions.size() >= 2) {
    const std::size_t J = h.jurisdictions.size();
    r.result.jur_summary.resize(h.widths.size());
    r.result.jur_series.resize(h.widths.size());
    for (std::size_t k = 0; k < h.widths.size(); ++k) {
      r.result.jur_summary[k] = in.doubles();
      r.result.jur_series[k] = in.doubles();
      const std::size_t w = k < outcome_table().size() && !outcome_table()[k].per_platform ? J : 0;
      if (r.result.jur_summary[k].size() != w || r.result.jur_series[k].size() != w * h.records)
        throw std::out_of_range("per-jurisdiction outcome shape does not match the header");
    }
  }
  if (in.pos != n) throw std::out_of_range("trailing bytes");
  return r;
}

/// pread that retries on EINTR and short reads; returns bytes read (< n only at EOF).
std::size_t pread_full(int fd, unsigned char* buf, std::size_t n, std::uint64_t offset, const std::filesystem::path& path) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw JournalError(sys_error(path, "read", errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

void fsync_dir(const std::filesystem::path& file) {
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;  // best effort: some file systems do not allow it
  (void)::fsync(d);
  ::close(d);
}

/// Writes all of `b` at the current offset; returns 0 or the errno.
int write_all(int fd, const unsigned char* b, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd, b + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    done += static_cast<std::size_t>(w);
  }
  return 0;
}

/// First line (1-based) where two texts differ, with the [section] it is in.
std::string first_line_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb, section;
  for (int line = 1;; ++line) {
    const bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (!ga) la = "(end of scenario)";
    if (!gb) lb = "(end of scenario)";
    if (la != lb || !ga || !gb) {
      std::string where = section.empty() ? "" : " in " + section;
      return "line " + std::to_string(line) + where + ": the journal has '" + la + "', this sweep has '" + lb + "'";
    }
    if (!la.empty() && la.front() == '[') section = la;
  }
}

}  // namespace

std::string_view scenario_text_for_comparison(std::string_view toml) {
  while (!toml.empty() && toml.front() == '#') {
    const std::size_t nl = toml.find('\n');
    toml = nl == std::string_view::npos ? std::string_view() : toml.substr(nl + 1);
  }
  return toml;
}

std::uint64_t fnv1a64(const void* bytes, std::size_t n, std::uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

std::optional<std::string> header_mismatch(const JournalHeader& j, const JournalHeader& now) {
  const std::string hint = " Rerun with the original scenario and options, or start over with --force.";
  if (j.format_version != now.format_version)
    return "the journal has format version " + std::to_string(j.format_version) + ", this complysim writes " +
           std::to_string(now.format_version) + "." + hint;
  if (j.complysim_version != now.complysim_version || j.git_commit != now.git_commit)
    return "the journal was written by complysim " + j.complysim_version + " (git " + j.git_commit +
           "), this is complysim " + now.complysim_version + " (git " + now.git_commit +
           "); runs from another program version may differ." + hint;
  if (j.seed != now.seed)
    return "the journal's seed is " + std::to_string(j.seed) + ", this sweep's is " + std::to_string(now.seed) + "." + hint;
  if (j.shard != now.shard)
    return "the journal is for shard '" + (j.shard.empty() ? std::string("none") : j.shard) + "', this sweep is shard '" +
           (now.shard.empty() ? std::string("none") : now.shard) + "'." + hint;
  const std::string_view sj = scenario_text_for_comparison(j.scenario_toml),
                         sn = scenario_text_for_comparison(now.scenario_toml);
  if (sj != sn)
    return "the resolved scenario differs (check the scenario file and --set options): " +
           first_line_difference(std::string(sj), std::string(sn)) + "." + hint;
  if (j.n_runs_total != now.n_runs_total)
    return "the journal's sweep has " + std::to_string(j.n_runs_total) + " runs, this one " +
           std::to_string(now.n_runs_total) + "." + hint;
  if (j.design_hash != now.design_hash) return std::string("the sweep design (sample matrix or decree designs) differs.") + hint;
  if (j.param_names != now.param_names || j.widths != now.widths || j.records != now.records || j.jurisdictions != now.jurisdictions)
    return std::string("the layout of the runs (swept parameters, platforms, jurisdictions or time-series records) differs.") + hint;
  return std::nullopt;
}

std::vector<unsigned char> encode_record(const JournalRecord& r) {
  std::vector<unsigned char> out;
  out.reserve(64 + r.message.size() + 8 * r.params.size());
  Out o{out};
  o.put(kRecordMarker);
  o.put(std::uint32_t{0});  // length, patched below
  o.put(r.run);
  o.put(static_cast<std::int8_t>(r.status));
  o.str(r.message);
  o.doubles(r.params);
  const bool ok = r.status == RunStatus::Ok;
  for (std::size_t k = 0; k < r.result.summary.size(); ++k) {
    o.doubles(ok ? r.result.summary[k] : std::vector<double>{});
    o.doubles(ok ? r.result.series[k] : std::vector<double>{});
  }
  if (ok)  // per jurisdiction (only with two or more jurisdictions; see JournalHeader::jurisdictions)
    for (std::size_t k = 0; k < r.result.jur_summary.size(); ++k) {
      o.doubles(r.result.jur_summary[k]);
      o.doubles(r.result.jur_series[k]);
    }
  const auto len = static_cast<std::uint32_t>(out.size() - 8);
  std::memcpy(out.data() + 4, &len, 4);
  o.put(crc32(out.data() + 4, out.size() - 4));
  return out;
}

JournalRecord decode_record(const unsigned char* bytes, std::size_t n, const JournalHeader& header) {
  std::uint32_t marker = 0, len = 0, crc = 0;
  if (n < 12) throw JournalError("record of " + std::to_string(n) + " bytes is truncated");
  std::memcpy(&marker, bytes, 4);
  std::memcpy(&len, bytes + 4, 4);
  if (marker != kRecordMarker || static_cast<std::size_t>(len) + 12 != n) throw JournalError("bad record header");
  std::memcpy(&crc, bytes + 8 + len, 4);
  if (crc != crc32(bytes + 4, 4u + len)) throw JournalError("record fails its CRC check");
  try {
    return decode_record_payload(bytes + 8, len, header);
  } catch (const std::out_of_range& e) {
    throw JournalError(std::string("record does not match the journal header (") + e.what() + ")");
  }
}

// ---------------------------------------------------------------------------
// Scanning and reading
// ---------------------------------------------------------------------------

JournalScan scan_journal(const std::filesystem::path& path) {
  std::vector<JournalScan::Entry> index;
  JournalScan scan = scan_journal(path, [&](const JournalScan::Entry& e) { index.push_back(e); });
  scan.index = std::move(index);
  return scan;
}

JournalScan scan_journal(const std::filesystem::path& path, const std::function<void(const JournalScan::Entry&)>& on_entry) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never blocks on a FIFO
  if (fd < 0) throw JournalError(sys_error(path, "open", errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw JournalError(sys_error(path, "stat", errno));
  if (!S_ISREG(st.st_mode)) throw JournalError(path.string() + ": not a regular file; a journal is a file written by complysim sweep");
  JournalScan scan;
  scan.file_length = static_cast<std::uint64_t>(st.st_size);

  const std::string bad = path.string() + ": not a complysim sweep journal";
  unsigned char fixed[16];
  if (pread_full(fd, fixed, 16, 0, path) < 16 || std::memcmp(fixed, kMagic, 8) != 0)
    throw JournalError(bad + " (no journal header)");
  std::uint32_t version = 0, hlen = 0;
  std::memcpy(&version, fixed + 8, 4);
  std::memcpy(&hlen, fixed + 12, 4);
  if (version != kJournalFormatVersion)
    throw JournalError(path.string() + ": journal format version " + std::to_string(version) +
                       " is not supported (this complysim reads version " + std::to_string(kJournalFormatVersion) + ")");
  if (hlen > kMaxPayload || 16ull + hlen + 4 > scan.file_length) throw JournalError(bad + " (truncated header)");
  std::vector<unsigned char> buf(hlen + 4u);
  if (pread_full(fd, buf.data(), buf.size(), 16, path) < buf.size()) throw JournalError(bad + " (truncated header)");
  std::uint32_t crc = 0;
  std::memcpy(&crc, buf.data() + hlen, 4);
  if (crc != crc32(buf.data(), hlen)) throw JournalError(bad + " (header checksum mismatch)");
  try {
    scan.header = decode_header_payload(buf.data(), hlen);
  } catch (const std::out_of_range&) {
    throw JournalError(bad + " (malformed header)");
  }
  scan.header.format_version = version;

  std::uint64_t off = 16ull + hlen + 4;
  scan.valid_length = off;
  while (off < scan.file_length) {
    unsigned char frame[8];
    if (pread_full(fd, frame, 8, off, path) < 8) {
      scan.tail_problem = "torn record header (" + std::to_string(scan.file_length - off) + " bytes)";
      break;
    }
    std::uint32_t marker = 0, len = 0;
    std::memcpy(&marker, frame, 4);
    std::memcpy(&len, frame + 4, 4);
    if (marker != kRecordMarker) {
      scan.tail_problem = "bad record marker";
      break;
    }
    if (len > kMaxPayload || len < 9) {
      scan.tail_problem = "bad record length " + std::to_string(len);
      break;
    }
    const std::uint64_t total = 8ull + len + 4;
    if (off + total > scan.file_length) {
      scan.tail_problem = "torn record (" + std::to_string(scan.file_length - off) + " of " + std::to_string(total) + " bytes)";
      break;
    }
    buf.resize(4u + len + 4u);
    if (pread_full(fd, buf.data(), buf.size(), off + 4, path) < buf.size()) {
      scan.tail_problem = "torn record";
      break;
    }
    std::memcpy(&crc, buf.data() + 4 + len, 4);
    if (crc != crc32(buf.data(), 4u + len)) {
      scan.tail_problem = "bad CRC";
      break;
    }
    JournalScan::Entry e;
    std::memcpy(&e.run, buf.data() + 4, 8);
    e.status = static_cast<RunStatus>(static_cast<std::int8_t>(buf[12]));
    e.offset = off;
    on_entry(e);
    off += total;
    scan.valid_length = off;
  }
  return scan;
}

JournalReader::JournalReader(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw JournalError(sys_error(path, "open", errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw JournalError(path.string() + ": not a regular file; a journal is a file written by complysim sweep");
  }
}

JournalReader::~JournalReader() {
  if (fd_ >= 0) ::close(fd_);
}

JournalRecord JournalReader::read(std::uint64_t offset, const JournalHeader& header) {
  const std::string where = path_.string() + ": record at offset " + std::to_string(offset);
  unsigned char frame[8];
  if (pread_full(fd_, frame, 8, offset, path_) < 8) throw JournalError(where + " is truncated");
  std::uint32_t marker = 0, len = 0;
  std::memcpy(&marker, frame, 4);
  std::memcpy(&len, frame + 4, 4);
  if (marker != kRecordMarker || len > kMaxPayload) throw JournalError(where + " has a bad record header");
  buf_.resize(4u + len + 4u);
  if (pread_full(fd_, buf_.data(), buf_.size(), offset + 4, path_) < buf_.size()) throw JournalError(where + " is truncated");
  std::uint32_t crc = 0;
  std::memcpy(&crc, buf_.data() + 4 + len, 4);
  if (crc != crc32(buf_.data(), 4u + len)) throw JournalError(where + " fails its CRC check");
  try {
    return decode_record_payload(buf_.data() + 4, len, header);
  } catch (const std::out_of_range& e) {
    throw JournalError(where + " does not match the journal header (" + e.what() + ")");
  }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

JournalWriter::JournalWriter(int fd, std::filesystem::path path, std::uint64_t length)
    : fd_(fd), path_(std::move(path)), length_(length), last_sync_(std::chrono::steady_clock::now()) {}

JournalWriter::JournalWriter(JournalWriter&& o) noexcept
    : sync_interval(o.sync_interval), sync_records(o.sync_records), fd_(o.fd_), path_(std::move(o.path_)),
      length_(o.length_), appended_(o.appended_), unsynced_(o.unsynced_), last_sync_(o.last_sync_) {
  o.fd_ = -1;
}

JournalWriter::~JournalWriter() {
  try {
    close();
  } catch (...) {
  }
}

JournalWriter JournalWriter::create(const std::filesystem::path& path, const JournalHeader& header, bool overwrite) {
  if (!overwrite && std::filesystem::exists(path)) throw JournalError(path.string() + ": journal exists");
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const std::vector<unsigned char> bytes = encode_header(header);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw JournalError(sys_error(tmp, "create", errno));
  if (const int err = write_all(fd, bytes.data(), bytes.size()); err != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw JournalError(sys_error(path, "write", err));
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw JournalError(sys_error(path, "fsync", err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw JournalError(sys_error(path, "rename", err));
  }
  fsync_dir(path);
  return reopen(path, bytes.size());
}

JournalWriter JournalWriter::reopen(const std::filesystem::path& path, std::uint64_t valid_length) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw JournalError(sys_error(path, "open", errno));
  if (::ftruncate(fd, static_cast<off_t>(valid_length)) != 0 || ::fsync(fd) != 0 ||
      ::lseek(fd, static_cast<off_t>(valid_length), SEEK_SET) < 0) {
    const int err = errno;
    ::close(fd);
    throw JournalError(sys_error(path, "truncate", err));
  }
  return JournalWriter(fd, path, valid_length);
}

void JournalWriter::append(const JournalRecord& record) {
  std::vector<unsigned char> bytes = encode_record(record);
  std::lock_guard lock(mutex_);
  if (fd_ < 0) throw std::logic_error("JournalWriter::append after close()");
  if (const int err = write_all(fd_, bytes.data(), bytes.size()); err != 0) {
    // Drop whatever part of the record reached the file, so the journal stays
    // valid even if we keep running (the next scan would stop there anyway).
    if (::ftruncate(fd_, static_cast<off_t>(length_)) == 0) (void)::lseek(fd_, static_cast<off_t>(length_), SEEK_SET);
    throw JournalError(sys_error(path_, "write", err));
  }
  length_ += bytes.size();
  ++appended_;
  ++unsynced_;
  if (unsynced_ >= sync_records || std::chrono::steady_clock::now() - last_sync_ >= sync_interval) sync_locked();
}

void JournalWriter::sync_locked() {
  if (fd_ < 0 || unsynced_ == 0) return;
  if (::fdatasync(fd_) != 0) throw JournalError(sys_error(path_, "fdatasync", errno));
  unsynced_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
}

void JournalWriter::sync() {
  std::lock_guard lock(mutex_);
  sync_locked();
}

void JournalWriter::close() {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return;
  const int fd = fd_;
  int err = ::fdatasync(fd) != 0 ? errno : 0;
  fd_ = -1;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) throw JournalError(sys_error(path_, "close", err));
}

std::int64_t JournalWriter::appended() const {
  std::lock_guard lock(mutex_);
  return appended_;
}

}  // namespace complysim::io
