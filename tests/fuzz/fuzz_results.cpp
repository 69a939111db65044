// Fuzz target: complysim's own checks over results files that HDF5 opens
// (io/results_file.hpp): open, read the provenance, design and every /runs
// column, each row and its time series. Bad files are H5Error or FormatError
// (std::out_of_range for a row index is a bug here: rows are taken in range).
// Crashes inside libhdf5 on malformed files are a known upstream problem
// (tests/fuzz/README.md lists those found); the seeds are valid results files.
#include "complysim/io/results_file.hpp"
#include "complysim/core/outcomes.hpp"
#include "fuzz_common.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace complysim;
  const fuzz::MemFile file(data, size);
  try {
    const io::ResultsReader r(file.path());
    (void)r.provenance();
    const io::ResultsSchema& schema = r.schema();
    (void)r.design();
    const std::int64_t n = std::min<std::int64_t>(r.n_runs(), 64);
    (void)r.run();
    (void)r.point();
    (void)r.replicate();
    (void)r.design_index();
    (void)r.seed();
    (void)r.status();
    (void)r.message();
    for (const auto& p : schema.param_names) (void)r.read_param(p);
    for (const auto& o : outcome_table()) {
      (void)r.read_outcome(std::string(o.name));
      for (std::int64_t i = 0; i < n; ++i) (void)r.read_timeseries(std::string(o.name), i);
    }
    for (std::int64_t i = 0; i < n; ++i) (void)r.read_row(i);
  } catch (const io::H5Error&) {
  } catch (const io::FormatError&) {
  }
  return 0;
}
