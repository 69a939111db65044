// complysim — writing the replicate runs of `complysim run` and `compare` as
// one results file (docs/output-format.md).
#pragma once

#include "complysim/io/results_file.hpp"
#include "complysim/simulation/run.hpp"

#include <filesystem>
#include <vector>

namespace complysim {

/// Writes the replicate runs of one or more designs (the scenarios of a
/// compare; one for a run) as a results file: rows in (design, replicate)
/// order, point 0. The file is written to `path` + ".partial" and moved to
/// `path` only when complete, so an interruption never leaves a half-written
/// file under the final name. Without `replace` a file that appeared at `path`
/// meanwhile is kept (io::FileExists; io::commit_file).
/// @param runs_by_design [designs][replicates], parallel to design.names
/// @throws io::H5Error, std::filesystem::filesystem_error, std::invalid_argument;
///         the partial file is removed before the exception leaves
void write_replicate_results(const std::filesystem::path& path, const io::Provenance& provenance,
                             const io::ResultsSchema& schema, const io::DesignInfo& design,
                             const std::vector<std::vector<ReplicateRun>>& runs_by_design, bool replace = true);

}  // namespace complysim
