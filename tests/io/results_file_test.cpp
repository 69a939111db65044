// Tests of the HDF5 results file (sim/src/io/results_file.cpp, docs/output-format.md).
#include <catch2/catch.hpp>

#include <complysim/io/results_file.hpp>
#include <complysim/version.hpp>

#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace complysim;
using namespace complysim::io;

namespace {

/// A fresh temporary directory, removed with its content at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "complysim-io-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

ResultsSchema make_schema(std::size_t platforms, std::size_t records) {
  ResultsSchema s;
  for (std::size_t p = 0; p < platforms; ++p) s.platforms.push_back("platform_" + std::to_string(p));
  s.param_names = {"law.vagueness", "regulator.monitoring_rate"};
  for (std::size_t r = 0; r < records; ++r) s.record_day.push_back(static_cast<std::int64_t>(7 * r + 6));
  s.start_date = "2023-12-30";
  return s;
}

/// A result whose every value is distinct and derived from `run`.
RunResult make_result(const ResultsSchema& s, int run) {
  RunResult r;
  r.record_day = s.record_day;
  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const auto w = static_cast<std::size_t>(outcome_width(table[k], s));
    std::vector<double> sum(w), ser(w * s.record_day.size());
    for (std::size_t j = 0; j < w; ++j) sum[j] = run * 1000.0 + static_cast<double>(k) * 10.0 + static_cast<double>(j) + 0.25;
    for (std::size_t i = 0; i < ser.size(); ++i) ser[i] = run * 1e5 + static_cast<double>(k) * 100.0 + static_cast<double>(i) + 0.5;
    r.summary.push_back(sum);
    r.series.push_back(ser);
  }
  return r;
}

Provenance make_provenance() {
  Provenance p;
  p.scenario_toml = "[simulation]\ndays = 35\nstart_date = \"2023-12-30\"\n";
  p.overrides = {"law.vagueness=0.3", "regulator.monitoring_rate=0.01"};
  p.command_line = "complysim run test.toml --set law.vagueness=0.3";
  p.seed = 18446744073709551557ULL;  // needs all 64 bits
  p.start_date = "2023-12-30";
  return p;
}

DesignInfo make_design() {
  DesignInfo d;
  d.kind = "grid";
  d.names = {"baseline", "strict"};
  d.settings = {"", "{ \"law.vagueness\" = 0.8 }"};
  d.parameters = {"law.vagueness", "regulator.monitoring_rate"};
  d.samples.resize(2, 2);
  d.samples << 0.1, 0.01, 0.3, 0.02;
  d.replicates = 2;
  return d;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("outcome table lists the 15 canonical outcomes in OutcomeId order", "[io]") {
  const auto t = outcome_table();
  REQUIRE(t.size() == static_cast<std::size_t>(OutcomeId::Count));
  CHECK(t[0].name == "self_censorship_rate");
  CHECK(t[static_cast<int>(OutcomeId::TakedownComplianceRate)].per_platform);
  CHECK(t[static_cast<int>(OutcomeId::PlatformRevenue)].name == "platform_revenue");
  CHECK(find_outcome("escalation_level") == static_cast<int>(OutcomeId::EscalationLevel));
  CHECK(find_outcome("nope") == -1);
  for (const auto& o : t) {
    CHECK(!o.unit.empty());
    CHECK(!o.description.empty());
    CHECK(!o.label.empty());        // the short label of tables, figures and `complysim serve`
    CHECK(o.label.size() <= 28);    // short enough for a table column or an axis
  }
}

TEST_CASE("results file round trip: 3 runs, 2 platforms, 5 records", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "out.h5";
  const ResultsSchema schema = make_schema(2, 5);
  const DesignInfo design = make_design();
  std::vector<RunResult> results;
  for (int i = 0; i < 3; ++i) results.push_back(make_result(schema, i));
  {
    ResultsWriter w(file, make_provenance(), schema, design);
    for (int i = 0; i < 3; ++i) {
      RunRow row;
      row.point = i;
      row.replicate = 2 - i;
      row.design = i % 2;
      row.seed = 0xF000000000000000ULL + static_cast<std::uint64_t>(i);
      row.params = {0.1 * i, 0.01 * i};
      row.result = &results[static_cast<std::size_t>(i)];
      w.append(row);
    }
    CHECK(w.rows() == 3);
    w.close();
    w.close();  // idempotent
    CHECK_THROWS_AS(w.append(RunRow{}), std::logic_error);
  }

  const ResultsReader r(file);
  const Provenance& p = r.provenance();
  CHECK(p.scenario_toml == make_provenance().scenario_toml);
  CHECK(p.overrides == make_provenance().overrides);
  CHECK(p.command_line == make_provenance().command_line);
  CHECK(p.seed == 18446744073709551557ULL);
  CHECK(p.start_date == "2023-12-30");
  CHECK(p.complysim_version == std::string(version()));
  CHECK(p.git_commit == std::string(git_commit()));
  CHECK(p.created_utc.size() == 20);
  CHECK(p.created_utc.back() == 'Z');
  CHECK(p.compiler == compiler_id());
  CHECK(p.library_versions.find("HDF5 1.") == 0);

  CHECK(r.schema().platforms == schema.platforms);
  CHECK(r.schema().param_names == schema.param_names);
  CHECK(r.schema().record_day == schema.record_day);

  const DesignInfo& d = r.design();
  CHECK(d.kind == "grid");
  CHECK(d.names == design.names);
  CHECK(d.settings == design.settings);
  CHECK(d.parameters == design.parameters);
  CHECK(d.samples == design.samples);
  CHECK(d.block == std::vector<std::int8_t>{-1, -1});
  CHECK(d.sobol_base_samples == 0);
  CHECK(d.replicates == 2);

  REQUIRE(r.n_runs() == 3);
  CHECK(r.point() == std::vector<std::int64_t>{0, 1, 2});
  CHECK(r.replicate() == std::vector<std::int64_t>{2, 1, 0});
  CHECK(r.design_index() == std::vector<std::int64_t>{0, 1, 0});
  CHECK(r.seed() == std::vector<std::uint64_t>{0xF000000000000000ULL, 0xF000000000000001ULL, 0xF000000000000002ULL});
  CHECK(r.status() == std::vector<RunStatus>(3, RunStatus::Ok));
  CHECK(r.message() == std::vector<std::string>(3, ""));
  CHECK(r.read_param("law.vagueness") == std::vector<double>{0.0, 0.1, 0.2});
  CHECK_THROWS_AS(r.read_param("law.nothing"), FormatError);

  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const std::string name(table[k].name);
    const Eigen::MatrixXd o = r.read_outcome(name);
    const Eigen::Index w = table[k].per_platform ? 2 : 1;
    REQUIRE(o.rows() == 3);
    REQUIRE(o.cols() == w);
    for (int i = 0; i < 3; ++i) {
      for (Eigen::Index j = 0; j < w; ++j)
        CHECK(o(i, j) == results[static_cast<std::size_t>(i)].summary[k][static_cast<std::size_t>(j)]);
      const Eigen::MatrixXd ts = r.read_timeseries(name, i);
      REQUIRE(ts.rows() == 5);
      REQUIRE(ts.cols() == w);
      for (Eigen::Index rec = 0; rec < 5; ++rec)
        for (Eigen::Index j = 0; j < w; ++j)
          CHECK(ts(rec, j) == results[static_cast<std::size_t>(i)].series[k][static_cast<std::size_t>(rec * w + j)]);
    }
  }
  CHECK_THROWS_AS(r.read_outcome("no_such_outcome"), FormatError);
  CHECK_THROWS_AS(r.read_timeseries("platform_revenue", 3), std::out_of_range);

  const RunRecord rec = r.read_row(1);
  CHECK(rec.row.point == 1);
  CHECK(rec.row.seed == 0xF000000000000001ULL);
  CHECK(rec.row.params == std::vector<double>{0.1, 0.01});
  CHECK(rec.result.summary == results[1].summary);
  CHECK(rec.result.series == results[1].series);
  CHECK(rec.as_row().result == &rec.result);
  CHECK_THROWS_AS(r.read_row(3), std::out_of_range);
}

TEST_CASE("results writer refuses to overwrite unless asked, and validates rows", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "out.h5";
  const ResultsSchema schema = make_schema(2, 5);
  { ResultsWriter w(file, make_provenance(), schema, DesignInfo{}); }
  CHECK_THROWS_AS(ResultsWriter(file, make_provenance(), schema, DesignInfo{}), H5Error);
  ResultsWriter w(file, make_provenance(), schema, DesignInfo{}, /*overwrite=*/true);

  RunRow row;
  row.params = {1.0};  // one value for two parameters
  CHECK_THROWS_AS(w.append(row), std::invalid_argument);
  row.params = {1.0, 2.0};
  RunResult bad = make_result(schema, 0);
  bad.summary[static_cast<int>(OutcomeId::PlatformRevenue)].pop_back();
  row.result = &bad;
  CHECK_THROWS_AS(w.append(row), std::invalid_argument);
  row.result = nullptr;
  row.design = 1;  // DesignInfo{} has one design
  CHECK_THROWS_AS(w.append(row), std::invalid_argument);
  CHECK(w.rows() == 0);

  DesignInfo inconsistent;
  inconsistent.settings.clear();
  CHECK_THROWS_AS(ResultsWriter(tmp.path / "x.h5", make_provenance(), schema, inconsistent), std::invalid_argument);
  ResultsSchema no_platforms = schema;
  no_platforms.platforms.clear();
  CHECK_THROWS_AS(ResultsWriter(tmp.path / "y.h5", make_provenance(), no_platforms, DesignInfo{}),
                  std::invalid_argument);
  CHECK_FALSE(fs::exists(tmp.path / "x.h5"));
  CHECK_FALSE(fs::exists(tmp.path / "y.h5"));
}

TEST_CASE("appending 1000 rows keeps the datasets extendible and readable", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "big.h5";
  const ResultsSchema schema = make_schema(3, 4);
  DesignInfo design;
  design.kind = "sobol";
  design.parameters = {"law.vagueness", "regulator.monitoring_rate"};
  design.sobol_base_samples = 2;
  design.samples = Eigen::MatrixXd::Constant(8, 2, 0.5);
  design.block = {0, 0, 1, 1, 2, 2, 3, 3};
  {
    ResultsWriter w(file, make_provenance(), schema, design);
    for (int i = 0; i < 1000; ++i) {
      const RunResult res = make_result(schema, i);
      RunRow row;
      row.point = i / 4;
      row.replicate = i % 4;
      row.seed = static_cast<std::uint64_t>(i) * 7919U;
      row.params = {i * 0.5, -i * 0.25};
      row.result = &res;
      w.append(row);
    }
    // Destructor closes.
  }
  const ResultsReader r(file);
  REQUIRE(r.n_runs() == 1000);
  CHECK(r.design().block == design.block);
  CHECK(r.design().sobol_base_samples == 2);
  const std::vector<std::int64_t> pt = r.point();
  const std::vector<double> v = r.read_param("law.vagueness");
  const Eigen::MatrixXd rev = r.read_outcome("platform_revenue");
  REQUIRE(rev.rows() == 1000);
  REQUIRE(rev.cols() == 3);
  for (int i = 0; i < 1000; i += 37) {
    CHECK(pt[static_cast<std::size_t>(i)] == i / 4);
    CHECK(v[static_cast<std::size_t>(i)] == i * 0.5);
    CHECK(rev(i, 2) == i * 1000.0 + 14 * 10.0 + 2 + 0.25);
  }
  CHECK(r.read_timeseries("platform_revenue", 999)(3, 2) == 999 * 1e5 + 1400.0 + 11 + 0.5);
}

TEST_CASE("failed and missing runs are stored as NaN with their status and message", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "fail.h5";
  const ResultsSchema schema = make_schema(2, 5);
  const RunResult ok = make_result(schema, 0);
  {
    ResultsWriter w(file, make_provenance(), schema, DesignInfo{});
    RunRow row;
    row.params = {0.0, 0.0};
    row.result = &ok;
    w.append(row);
    row.replicate = 1;
    row.status = RunStatus::Failed;
    row.message = "model error: users must be >= 2";
    row.result = nullptr;
    w.append(row);
    row.replicate = 2;
    row.status = RunStatus::Missing;
    row.message = "";
    w.append(row);
    w.close();
  }
  const ResultsReader r(file);
  CHECK(r.status() == std::vector<RunStatus>{RunStatus::Ok, RunStatus::Failed, RunStatus::Missing});
  CHECK(r.message() == std::vector<std::string>{"", "model error: users must be >= 2", ""});
  for (const auto& spec : outcome_table()) {
    const Eigen::MatrixXd o = r.read_outcome(std::string(spec.name));
    CHECK_FALSE(std::isnan(o(0, 0)));
    CHECK(o.row(1).array().isNaN().all());
    CHECK(o.row(2).array().isNaN().all());
    CHECK(r.read_timeseries(std::string(spec.name), 1).array().isNaN().all());
  }
  const RunRecord rec = r.read_row(1);
  CHECK(rec.row.status == RunStatus::Failed);
  CHECK(rec.row.message == "model error: users must be >= 2");
}

TEST_CASE("opening a file that is not HDF5 throws H5Error naming the file", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "not.h5";
  std::ofstream(file) << "this is not an HDF5 file\n";
  try {
    ResultsReader r(file);
    FAIL("no exception");
  } catch (const H5Error& e) {
    CHECK(std::string(e.what()).find("not.h5") != std::string::npos);
    CHECK(std::string(e.what()).find("H5Fopen") != std::string::npos);
  }
  CHECK_THROWS_AS(ResultsReader(tmp.path / "missing.h5"), H5Error);
}

TEST_CASE("copying every row into a new file gives the same content, a change is found", "[io]") {
  TempDir tmp;
  const ResultsSchema schema = make_schema(2, 5);
  const DesignInfo design = make_design();
  const fs::path a = tmp.path / "a.h5", b = tmp.path / "b.h5.partial", b_final = tmp.path / "b.h5";
  {
    ResultsWriter w(a, make_provenance(), schema, design);
    for (int i = 0; i < 6; ++i) {
      const RunResult res = make_result(schema, i);
      RunRow row;
      row.point = i;
      row.params = {1.0 * i, 2.0 * i};
      row.status = i == 3 ? RunStatus::Failed : RunStatus::Ok;
      row.message = i == 3 ? "boom" : "";
      row.result = i == 3 ? nullptr : &res;
      w.append(row);
    }
  }
  {
    const ResultsReader r(a);
    Provenance p = r.provenance();
    p.command_line = "complysim merge a.h5 -o b.h5";  // ignored by the comparison
    ResultsWriter w(b, p, r.schema(), r.design());
    r.copy_rows_to(w, 0, 2);
    r.copy_rows_to(w, 2);
    w.close();
  }
  commit_file(b, b_final);
  CHECK_FALSE(fs::exists(b));
  REQUIRE(fs::exists(b_final));
  CHECK(first_difference(a, b_final) == std::nullopt);
  CHECK(same_bits(ResultsReader(b_final).read_outcome("platform_revenue")(3, 1),
                  ResultsReader(a).read_outcome("platform_revenue")(3, 1)));

  // A single changed value is found.
  const fs::path c = tmp.path / "c.h5";
  {
    const ResultsReader r(a);
    ResultsWriter w(c, r.provenance(), r.schema(), r.design());
    for (std::int64_t i = 0; i < r.n_runs(); ++i) {
      RunRecord rec = r.read_row(i);
      if (i == 4) rec.result.series[2][3] = std::nextafter(rec.result.series[2][3], 1e300);  // one ulp
      w.append(rec.as_row());
    }
  }
  const auto diff = first_difference(a, c);
  REQUIRE(diff.has_value());
  CHECK(diff->find("/timeseries/silenced_user_share") != std::string::npos);
  CHECK(diff->find("row 4") != std::string::npos);
}

TEST_CASE("an empty overrides list and a [samples, 0] design round-trip", "[io]") {
  TempDir tmp;
  const fs::path file = tmp.path / "empty.h5";
  Provenance p = make_provenance();
  p.overrides.clear();
  p.start_date.clear();
  ResultsSchema s = make_schema(1, 0);
  s.param_names.clear();
  s.start_date.clear();
  DesignInfo d;
  d.samples.resize(3, 0);
  {
    ResultsWriter w(file, p, s, d);
    RunRow row;
    w.append(row);
  }
  const ResultsReader r(file);
  CHECK(r.provenance().overrides.empty());
  CHECK(r.schema().param_names.empty());
  CHECK(r.schema().record_day.empty());
  CHECK(r.design().samples.rows() == 3);
  CHECK(r.design().samples.cols() == 0);
  CHECK(r.design().block == std::vector<std::int8_t>{-1, -1, -1});
  CHECK(r.n_runs() == 1);
  CHECK(r.read_timeseries("platform_revenue", 0).size() == 0);
}

TEST_CASE("library_versions and compiler_id describe the build", "[io]") {
  const std::string v = library_versions();
  for (const char* lib : {"HDF5 ", "oneTBB ", "Eigen ", "Boost ", "toml++ ", "Random123 "})
    CHECK(v.find(lib) != std::string::npos);
  CHECK_FALSE(compiler_id().empty());
}
