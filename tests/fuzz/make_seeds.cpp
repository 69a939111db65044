// Writes seed inputs for the journal and results fuzz targets into DIR:
// a journal of two runs and a small results file (tests/fuzz/run calls it).
#include "complysim/io/journal.hpp"
#include "complysim/io/results_file.hpp"
#include "complysim/core/outcomes.hpp"

#include <cmath>
#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  using namespace complysim;
  if (argc != 2) {
    std::cerr << "usage: make_seeds DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir / "journal");
  std::filesystem::create_directories(dir / "results");
  const std::size_t outcomes = outcome_table().size();

  io::JournalHeader h;
  h.complysim_version = "0.1.0";
  h.git_commit = "seed";
  h.command_line = "complysim sweep seed.toml -o seed.h5";
  h.overrides = {"law.vagueness=0.2"};
  h.scenario_toml = "[population]\nusers = 10\n";
  h.seed = 7;
  h.n_runs_total = 2;
  h.param_names = {"law.vagueness"};
  h.records = 2;
  for (std::size_t k = 0; k < outcomes; ++k) h.widths.push_back(outcome_table()[k].per_platform ? 2 : 1);
  {
    auto w = io::JournalWriter::create(dir / "journal" / "two_runs.journal", h, true);
    for (std::int64_t run = 0; run < 2; ++run) {
      io::JournalRecord rec;
      rec.run = run;
      rec.params = {0.1 * static_cast<double>(run)};
      if (run == 1) {
        rec.status = RunStatus::Failed;
        rec.message = "a failed run";
      } else {
        for (std::size_t k = 0; k < outcomes; ++k) {
          rec.result.summary.emplace_back(h.widths[k], 0.5);
          rec.result.series.emplace_back(2 * h.widths[k], NAN);
        }
      }
      w.append(rec);
    }
    w.close();
  }

  io::Provenance p;
  p.scenario_toml = h.scenario_toml;
  p.seed = 7;
  p.start_date = "2023-01-01";
  io::ResultsSchema s;
  s.platforms = {"a", "b"};
  s.param_names = {"law.vagueness"};
  s.record_day = {6, 13};
  s.start_date = "2023-01-01";
  io::DesignInfo d;
  d.replicates = 1;
  d.samples = Eigen::MatrixXd::Constant(2, 1, 0.25);
  d.kind = "lhs";
  d.parameters = {"law.vagueness"};
  io::ResultsWriter w(dir / "results" / "two_runs.h5", p, s, d, true);
  RunResult res;
  for (std::size_t k = 0; k < outcomes; ++k) {
    const std::size_t width = outcome_table()[k].per_platform ? 2 : 1;
    res.summary.emplace_back(width, 0.25);
    res.series.emplace_back(2 * width, 0.5);
  }
  for (std::int64_t i = 0; i < 2; ++i) {
    io::RunRow row;
    row.point = i;
    row.params = {0.25};
    row.result = &res;
    w.append(row);
  }
  w.close();
  return 0;
}
