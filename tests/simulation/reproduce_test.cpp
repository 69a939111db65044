// Tests of the pieces of `complysim reproduce` that need no binary: embedded
// input files (a points file carried by the results file), /inputs round trip,
// and splitting the scenario text of an old compare file.
#include "complysim/input_files.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/simulation/reproduce.hpp"

#include "../test_util.hpp"

#include <catch2/catch.hpp>

using namespace complysim;
namespace fs = std::filesystem;

TEST_CASE("read_input_file reads the disk, or only the embedded copy inside an EmbeddedInputs scope", "[reproduce]") {
  test::TempDir dir;
  const fs::path p = dir.write("points.csv", "law.vagueness\n0.1\n0.2\n");
  const InputFile f = read_input_file("points.csv", p);
  CHECK(f.name == "points.csv");
  CHECK(f.content == "law.vagueness\n0.1\n0.2\n");
  {
    const EmbeddedInputs scope({InputFile{"sub/points.csv", "law.vagueness\n0.9\n"}});
    // Served from the scope, by name or by file name, never from the disk.
    CHECK(read_input_file("sub/points.csv", p).content == "law.vagueness\n0.9\n");
    CHECK(read_input_file("/elsewhere/points.csv", p).content == "law.vagueness\n0.9\n");
    CHECK_THROWS_WITH(read_input_file("other.csv", p), Catch::Contains("not embedded"));
  }
  CHECK(read_input_file("points.csv", p).content == "law.vagueness\n0.1\n0.2\n");
  CHECK_THROWS_WITH(read_input_file("gone.csv", dir.path() / "gone.csv"), Catch::Contains("gone.csv"));
}

TEST_CASE("results file: /inputs carries the scenario texts and input files, and first_difference sees them", "[reproduce][io]") {
  test::TempDir dir;
  io::Provenance prov;
  prov.scenario_toml = "[simulation]\ndays = 3\n";
  prov.inputs = {InputFile{"points.csv", std::string(200000, 'x') + "\n"}};  // larger than a compact attribute
  io::ResultsSchema schema;
  schema.platforms = {"a"};
  io::DesignInfo design;
  design.samples = Eigen::MatrixXd(1, 0);
  const fs::path a = dir.path() / "a.h5", b = dir.path() / "b.h5";
  {
    io::ResultsWriter w(a, prov, schema, design);
    w.close();
  }
  {
    const io::ResultsReader r(a);
    CHECK(r.provenance().scenario_texts == std::vector<std::string>{prov.scenario_toml});
    REQUIRE(r.provenance().inputs.size() == 1);
    CHECK(r.provenance().inputs[0].name == "points.csv");
    CHECK(r.provenance().inputs[0].content == prov.inputs[0].content);
    CHECK(r.provenance().model_spec_version == 1);  // absent: spec version 1
    CHECK(r.provenance().format_version == io::kFormatVersion);
  }
  prov.inputs[0].content.back() = 'y';
  {
    io::ResultsWriter w(b, prov, schema, design);
    w.close();
  }
  const auto d = io::first_difference(a, b);
  REQUIRE(d);
  CHECK_THAT(*d, Catch::Contains("/inputs/file_contents"));
}

TEST_CASE("split_compare_scenarios recovers each scenario of an old compare file", "[reproduce]") {
  const std::string text =
      "# ---- scenario 0: a (a.toml)\n# complysim resolved scenario\n\n[law]\nvagueness = 0.1\n\n"
      "# ---- scenario 1: b (b.toml)\n# complysim resolved scenario\n\n[law]\nvagueness = 0.3\n\n";
  const auto parts = split_compare_scenarios(text);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == "# complysim resolved scenario\n\n[law]\nvagueness = 0.1\n\n");
  CHECK(parts[1] == "# complysim resolved scenario\n\n[law]\nvagueness = 0.3\n\n");
  CHECK(split_compare_scenarios("[law]\n").empty());
}
