// Tests of the sweep journal (sim/src/io/journal.cpp): round trip, torn and
// corrupt tails, truncation on reopen, header mismatch messages.
#include "complysim/io/journal.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace complysim;
using namespace complysim::io;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

JournalHeader header() {
  JournalHeader h;
  h.complysim_version = "0.1.0";
  h.git_commit = "abc";
  h.command_line = "complysim sweep s.toml -o out.h5";
  h.overrides = {"law.vagueness=0.3"};
  h.scenario_toml = "# complysim resolved scenario (from s.toml)\n\n[simulation]\ndays = 20\n\n[law]\nvagueness = 0.3\n";
  h.seed = 42;
  h.shard = "1/4";
  h.design_hash = 0x1234;
  h.n_runs_total = 100;
  h.param_names = {"law.vagueness"};
  h.widths = {1, 2};
  h.records = 3;
  return h;
}

JournalRecord record(std::int64_t run, bool ok) {
  JournalRecord r;
  r.run = run;
  r.params = {0.1 * static_cast<double>(run)};
  if (ok) {
    r.result.summary = {{1.5 + static_cast<double>(run)}, {std::numeric_limits<double>::quiet_NaN(), -0.0}};
    r.result.series = {{1, 2, 3}, {1, 2, 3, 4, 5, static_cast<double>(run)}};
  } else {
    r.status = RunStatus::Failed;
    r.message = "market shares sum to 1.3, not 1";
    r.result.summary.assign(2, {});
    r.result.series.assign(2, {});
  }
  return r;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void check_equal(const JournalRecord& a, const JournalRecord& b) {
  CHECK(a.run == b.run);
  CHECK(a.status == b.status);
  CHECK(a.message == b.message);
  CHECK(same_bits(a.params, b.params));
  REQUIRE(a.result.summary.size() == b.result.summary.size());
  for (std::size_t k = 0; k < a.result.summary.size(); ++k) {
    CHECK(same_bits(a.result.summary[k], b.result.summary[k]));
    CHECK(same_bits(a.result.series[k], b.result.series[k]));
  }
}

/// Writes a journal with `n` records (every third failed) and returns the records.
std::vector<JournalRecord> write_journal(const fs::path& p, int n) {
  std::vector<JournalRecord> recs;
  JournalWriter w = JournalWriter::create(p, header());
  for (int i = 0; i < n; ++i) {
    recs.push_back(record(i * 4 + 1, i % 3 != 2));
    w.append(recs.back());
  }
  w.close();
  return recs;
}

}  // namespace

TEST_CASE("journal: round trip of header and records bit for bit", "[journal]") {
  test::TempDir dir;
  const fs::path p = dir.path() / "out.h5.journal";
  const auto recs = write_journal(p, 7);
  const JournalScan scan = scan_journal(p);
  CHECK(scan.tail_problem.empty());
  CHECK(scan.valid_length == scan.file_length);
  CHECK_FALSE(header_mismatch(scan.header, header()));
  CHECK(scan.header.command_line == header().command_line);
  CHECK(scan.header.overrides == header().overrides);
  REQUIRE(scan.index.size() == recs.size());
  JournalReader reader(p);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    CHECK(scan.index[i].run == recs[i].run);
    CHECK(scan.index[i].status == recs[i].status);
    check_equal(reader.read(scan.index[i].offset, scan.header), recs[i]);
  }
  CHECK_FALSE(fs::exists(p.string() + ".tmp"));
}

TEST_CASE("journal: create refuses an existing journal unless asked to overwrite", "[journal]") {
  test::TempDir dir;
  const fs::path p = dir.path() / "j";
  write_journal(p, 1);
  CHECK_THROWS_AS(JournalWriter::create(p, header()), JournalError);
  JournalWriter::create(p, header(), true).close();
  CHECK(scan_journal(p).index.empty());
}

TEST_CASE("journal: a torn last record is detected at every cut and truncated on reopen", "[journal]") {
  test::TempDir dir;
  const fs::path p = dir.path() / "j";
  const auto recs = write_journal(p, 4);
  const JournalScan full = scan_journal(p);
  const std::uint64_t last = full.index.back().offset;
  // Cut the file at every byte inside the last record.
  for (std::uint64_t cut = last + 1; cut < full.file_length; ++cut) {
    const fs::path q = dir.path() / "cut";
    fs::copy_file(p, q, fs::copy_options::overwrite_existing);
    fs::resize_file(q, cut);
    const JournalScan s = scan_journal(q);
    INFO("cut at " << cut);
    REQUIRE(s.index.size() == 3);
    CHECK(s.valid_length == last);
    CHECK_FALSE(s.tail_problem.empty());
  }
  // Reopen drops the tail; appending then gives a clean journal.
  fs::resize_file(p, full.file_length - 5);
  const JournalScan torn = scan_journal(p);
  CHECK_THAT(torn.tail_problem, Contains("torn"));
  {
    JournalWriter w = JournalWriter::reopen(p, torn.valid_length);
    w.append(recs.back());
    w.close();
  }
  const JournalScan again = scan_journal(p);
  CHECK(again.tail_problem.empty());
  REQUIRE(again.index.size() == 4);
  JournalReader reader(p);
  check_equal(reader.read(again.index[3].offset, again.header), recs[3]);
}

TEST_CASE("journal: a bad CRC stops the scan at that record", "[journal]") {
  test::TempDir dir;
  const fs::path p = dir.path() / "j";
  write_journal(p, 5);
  const JournalScan full = scan_journal(p);
  // Flip one bit in the payload of record 2: records 0 and 1 remain.
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(full.index[2].offset + 20));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x10);
    f.seekp(static_cast<std::streamoff>(full.index[2].offset + 20));
    f.write(&c, 1);
  }
  const JournalScan s = scan_journal(p);
  CHECK(s.index.size() == 2);
  CHECK(s.valid_length == full.index[2].offset);
  CHECK(s.tail_problem == "bad CRC");
  JournalReader reader(p);
  CHECK_THROWS_WITH(reader.read(full.index[2].offset, s.header), Contains("CRC"));
}

TEST_CASE("journal: damaged or foreign headers are refused", "[journal]") {
  test::TempDir dir;
  const fs::path p = dir.path() / "j";
  write_journal(p, 1);
  const fs::path q = dir.path() / "short";
  fs::copy_file(p, q);
  fs::resize_file(q, 30);
  CHECK_THROWS_WITH(scan_journal(q), Contains("truncated header"));
  const fs::path r = test::TempDir().path();  // gone already: a missing file
  CHECK_THROWS_AS(scan_journal(r / "nope"), JournalError);
  const fs::path t = dir.write("text", "this is not a journal at all, just text");
  CHECK_THROWS_WITH(scan_journal(t), Contains("not a complysim sweep journal"));
}

TEST_CASE("journal: header_mismatch names what differs", "[journal]") {
  const JournalHeader a = header();
  JournalHeader b = a;
  b.command_line = "another command";
  b.overrides.clear();
  CHECK_FALSE(header_mismatch(a, b));  // provenance only
  b.scenario_toml = "# complysim resolved scenario (from /elsewhere/s.toml)\n" +
                    std::string(scenario_text_for_comparison(a.scenario_toml));
  CHECK_FALSE(header_mismatch(a, b));  // the source path is not part of the scenario
  b = a;
  b.seed = 43;
  CHECK_THAT(*header_mismatch(a, b), Contains("seed is 42") && Contains("43"));
  b = a;
  b.git_commit = "def";
  CHECK_THAT(*header_mismatch(a, b), Contains("git abc") && Contains("git def"));
  b = a;
  b.shard = "";
  CHECK_THAT(*header_mismatch(a, b), Contains("shard '1/4'") && Contains("'none'"));
  b = a;
  b.scenario_toml = "# x\n\n[simulation]\ndays = 20\n\n[law]\nvagueness = 0.5\n";
  CHECK_THAT(*header_mismatch(a, b),
             Contains("in [law]") && Contains("'vagueness = 0.3'") && Contains("'vagueness = 0.5'"));
  b = a;
  b.design_hash = 1;
  CHECK_THAT(*header_mismatch(a, b), Contains("design"));
}
