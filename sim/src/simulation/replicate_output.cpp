#include "complysim/simulation/replicate_output.hpp"

namespace complysim {

void write_replicate_results(const std::filesystem::path& path, const io::Provenance& provenance,
                             const io::ResultsSchema& schema, const io::DesignInfo& design,
                             const std::vector<std::vector<ReplicateRun>>& runs_by_design, bool replace) {
  io::write_via_partial(path, [&](const std::filesystem::path& partial) {
    io::ResultsWriter w(partial, provenance, schema, design, /*overwrite=*/true);
    for (std::size_t d = 0; d < runs_by_design.size(); ++d)
      for (const auto& r : runs_by_design[d]) {
        io::RunRow row;
        row.design = static_cast<std::int64_t>(d);
        row.replicate = r.replicate;
        row.seed = r.key;
        row.result = &r.result;
        w.append(row);
      }
    w.close();
  }, replace);
}

}  // namespace complysim
