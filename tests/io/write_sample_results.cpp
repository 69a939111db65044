// Test helper (not a unit test): writes a small results file to argv[1] for
// tests/io/check_h5py_layout.py, which reads it with h5py. Layout of the data:
// 3 runs x 2 platforms x 5 records, run 1 failed; every value of run i,
// outcome k, platform j is i*1000 + k*10 + j + 0.25 (summary) and
// i*1e5 + k*100 + (record*width + j) + 0.5 (series).
//
// `write_sample_results --read FILE` opens FILE with ResultsReader instead and
// prints "ok RUNS", or the exception type and message (exit status 1).
#include <complysim/io/results_file.hpp>

#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using namespace complysim;
  using namespace complysim::io;
  if (argc == 3 && std::string(argv[1]) == "--read") {
    try {
      const ResultsReader r(argv[2]);
      std::cout << "ok " << r.n_runs() << "\n";
      return 0;
    } catch (const FormatError& e) {
      std::cout << "FormatError: " << e.what() << "\n";
    } catch (const H5Error& e) {
      std::cout << "H5Error: " << e.what() << "\n";
    }
    return 1;
  }
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUT.h5 | --read FILE.h5\n";
    return 2;
  }
  try {
    Provenance p;
    p.scenario_toml = "[simulation]\nstart_date = \"2024-02-27\"\n";
    p.overrides = {"law.vagueness=0.3"};
    p.command_line = "write_sample_results out.h5";
    p.seed = 12345;
    p.start_date = "2024-02-27";
    ResultsSchema s;
    s.platforms = {"global_social", "local_video"};
    s.param_names = {"law.vagueness"};
    s.record_day = {0, 1, 2, 3, 4};
    s.start_date = p.start_date;
    DesignInfo d;
    d.kind = "sobol";
    d.names = {"baseline", "strict"};
    d.settings = {"", "{ \"law.vagueness\" = 0.8 }"};
    d.parameters = {"law.vagueness"};
    d.samples.resize(3, 1);
    d.samples << 0.1, 0.2, 0.15;
    d.block = {0, 1, 2};
    d.sobol_base_samples = 1;
    d.replicates = 1;

    const std::filesystem::path out = argv[1];
    const std::filesystem::path partial = out.string() + ".partial";
    ResultsWriter w(partial, p, s, d, /*overwrite=*/true);
    for (int i = 0; i < 3; ++i) {
      RunResult r;
      r.record_day = s.record_day;
      const auto table = outcome_table();
      for (std::size_t k = 0; k < table.size(); ++k) {
        const auto wd = static_cast<std::size_t>(outcome_width(table[k], s));
        std::vector<double> sum(wd), ser(wd * s.record_day.size());
        for (std::size_t j = 0; j < wd; ++j) sum[j] = i * 1000.0 + static_cast<double>(k * 10 + j) + 0.25;
        for (std::size_t j = 0; j < ser.size(); ++j) ser[j] = i * 1e5 + static_cast<double>(k * 100 + j) + 0.5;
        r.summary.push_back(sum);
        r.series.push_back(ser);
      }
      RunRow row;
      row.point = i;
      row.design = i == 2 ? 1 : 0;
      row.seed = 0xFFFFFFFFFFFFFF00ULL + static_cast<std::uint64_t>(i);
      row.params = {0.1 * (i + 1)};
      row.status = i == 1 ? RunStatus::Failed : RunStatus::Ok;
      row.message = i == 1 ? "model error: test failure" : "";
      row.result = i == 1 ? nullptr : &r;
      w.append(row);
    }
    w.close();
    commit_file(partial, out);
  } catch (const std::exception& e) {
    std::cerr << "write_sample_results: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
