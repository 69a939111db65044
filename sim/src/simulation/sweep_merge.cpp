// complysim — merging the shard files of one sweep (complysim/simulation/sweep.hpp).
#include "complysim/simulation/sweep.hpp"

#include <cstring>
#include <sstream>

namespace complysim {

namespace fs = std::filesystem;

namespace {

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0);
}

/// What makes part `b` incompatible with part `a`, or "" when they belong together.
std::string incompatibility(const io::ResultsReader& a, const io::ResultsReader& b) {
  const io::Provenance &pa = a.provenance(), &pb = b.provenance();
  if (pa.complysim_version != pb.complysim_version || pa.git_commit != pb.git_commit)
    return "complysim version differs (" + pa.complysim_version + " git " + pa.git_commit + " vs " + pb.complysim_version +
           " git " + pb.git_commit + ")";
  if (pa.seed != pb.seed) return "seed differs (" + std::to_string(pa.seed) + " vs " + std::to_string(pb.seed) + ")";
  if (io::scenario_text_for_comparison(pa.scenario_toml) != io::scenario_text_for_comparison(pb.scenario_toml))
    return "the resolved scenario (scenario_toml) differs";
  if (pa.n_runs_total != pb.n_runs_total)
    return "n_runs_total differs (" + std::to_string(pa.n_runs_total) + " vs " + std::to_string(pb.n_runs_total) + ")";
  const io::DesignInfo &da = a.design(), &db = b.design();
  if (da.kind != db.kind || da.names != db.names || da.settings != db.settings || da.parameters != db.parameters ||
      !same_bits(da.samples, db.samples) || da.block != db.block || da.sobol_base_samples != db.sobol_base_samples ||
      da.replicates != db.replicates || da.weight != db.weight)
    return "the design (/design) differs";
  const io::ResultsSchema &sa = a.schema(), &sb = b.schema();
  if (sa.platforms != sb.platforms || sa.param_names != sb.param_names || sa.record_day != sb.record_day ||
      sa.jurisdictions != sb.jurisdictions)
    return "the layout (platforms, jurisdictions, swept parameters or time-series records) differs";
  return "";
}

}  // namespace

MergeReport merge_results(const std::vector<fs::path>& parts, const fs::path& output, const std::string& command_line,
                          bool overwrite) {
  if (parts.empty()) throw SweepRefused("no input files to merge");
  if (fs::exists(output) && !overwrite) throw SweepRefused(output.string() + " exists; use --force to replace it");
  for (const fs::path& p : parts) {
    std::error_code ec;
    if (fs::exists(output) && fs::equivalent(p, output, ec))
      throw SweepRefused(p.string() + " is both an input and the output");
  }
  std::vector<io::ResultsReader> readers;
  readers.reserve(parts.size());
  for (const fs::path& p : parts) readers.emplace_back(p);
  for (std::size_t i = 1; i < readers.size(); ++i)
    if (const std::string why = incompatibility(readers[0], readers[i]); !why.empty())
      throw SweepRefused(parts[i].string() + " does not belong to the same sweep as " + parts[0].string() + ": " + why);

  const std::int64_t total = readers[0].provenance().n_runs_total;
  if (total < 0) throw SweepRefused(parts[0].string() + ": n_runs_total is negative");
  std::vector<std::int32_t> owner(static_cast<std::size_t>(total), -1);
  std::vector<std::int64_t> row(static_cast<std::size_t>(total), -1);
  std::ostringstream dups;
  std::int64_t n_dups = 0;
  for (std::size_t p = 0; p < readers.size(); ++p) {
    const std::vector<std::int64_t> runs = readers[p].run();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const std::int64_t r = runs[i];
      if (r < 0 || r >= total)
        throw SweepRefused(parts[p].string() + ": row " + std::to_string(i) + " holds run " + std::to_string(r) +
                           ", outside 0.." + std::to_string(total - 1));
      const auto ri = static_cast<std::size_t>(r);
      if (owner[ri] >= 0) {
        if (n_dups++ < 5)
          dups << (n_dups > 1 ? "; " : "") << "run " << r << " is in " << parts[static_cast<std::size_t>(owner[ri])].string()
               << " and " << parts[p].string();
        continue;
      }
      owner[ri] = static_cast<std::int32_t>(p);
      row[ri] = static_cast<std::int64_t>(i);
    }
  }
  if (n_dups > 0)
    throw SweepRefused(std::to_string(n_dups) + " runs are present more than once (" + dups.str() +
                       (n_dups > 5 ? "; ..." : "") + "); was a shard given twice?");
  std::ostringstream missing;
  std::int64_t n_missing = 0;
  for (std::int64_t r = 0; r < total; ++r)
    if (owner[static_cast<std::size_t>(r)] < 0 && n_missing++ < 10) missing << (n_missing > 1 ? ", " : "") << r;
  if (n_missing > 0) {
    const std::string& shard = readers[0].provenance().shard;
    std::string hint;
    if (const auto slash = shard.find('/'); slash != std::string::npos)
      hint = "; the sweep has " + shard.substr(slash + 1) + " shards and " + std::to_string(parts.size()) + (parts.size() == 1 ? " file was given" : " files were given");
    throw SweepRefused(std::to_string(n_missing) + " of " + std::to_string(total) + " runs are missing (runs " + missing.str() +
                       (n_missing > 10 ? ", ..." : "") + ")" + hint);
  }

  io::Provenance prov = readers[0].provenance();
  prov.command_line = command_line;
  prov.shard.clear();
  prov.n_runs_total = total;
  MergeReport report;
  io::write_via_partial(output, [&](const fs::path& partial) {
    io::ResultsWriter w(partial, prov, readers[0].schema(), readers[0].design(), /*overwrite=*/true);
    for (std::int64_t r = 0; r < total; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const io::RunRecord rec = readers[static_cast<std::size_t>(owner[ri])].read_row(row[ri]);
      report.failed += rec.row.status == RunStatus::Failed;
      w.append(rec.as_row());
    }
    w.close();
  }, overwrite);
  report.n_runs_total = total;
  return report;
}

}  // namespace complysim
