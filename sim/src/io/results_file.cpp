// complysim — the HDF5 results file: writer, reader and comparison.
// The layout is the contract of docs/output-format.md; change both together.
#include "complysim/io/results_file.hpp"

#include "complysim/version.hpp"
#include "io/h5.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <set>

namespace complysim::io {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kOutcomes = static_cast<std::size_t>(OutcomeId::Count);

/// start_date + day as an ISO date.
/// @throws std::invalid_argument if start_date is not YYYY-MM-DD.
std::string date_plus_days(const std::string& iso, std::int64_t day) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (iso.size() != 10 || std::sscanf(iso.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    throw std::invalid_argument("results file: start_date '" + iso + "' is not an ISO date YYYY-MM-DD");
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) throw std::invalid_argument("results file: start_date '" + iso + "' is not a valid date");
  const std::chrono::year_month_day out{std::chrono::sys_days{ymd} + std::chrono::days{day}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(out.year()), static_cast<unsigned>(out.month()),
                static_cast<unsigned>(out.day()));
  return buf;
}

std::string outcome_path(std::string_view group, std::string_view name) {
  return std::string(group) + "/" + std::string(name);
}

/// Platform names along an outcome's last axis (empty for outcomes without one).
std::vector<std::string> axis_platforms(const OutcomeSpec& spec, const ResultsSchema& schema) {
  return spec.per_platform ? schema.platforms : std::vector<std::string>{};
}

void write_outcome_attrs(const h5::Loc& loc, const OutcomeSpec& spec, const ResultsSchema& schema) {
  h5::write_attr(loc, "platforms", std::span<const std::string>(axis_platforms(spec, schema)));
  h5::write_attr(loc, "unit", spec.unit);
  h5::write_attr(loc, "description", spec.description);
  h5::write_attr(loc, "label", spec.label);
}

void write_jurisdiction_attrs(const h5::Loc& loc, const OutcomeSpec& spec, const ResultsSchema& schema) {
  h5::write_attr(loc, "jurisdictions", std::span<const std::string>(schema.jurisdictions));
  h5::write_attr(loc, "unit", spec.unit);
  h5::write_attr(loc, "description", spec.description);
  h5::write_attr(loc, "label", spec.label);
}

void validate(const ResultsSchema& schema, const DesignInfo& design) {
  if (std::set<std::string>(schema.jurisdictions.begin(), schema.jurisdictions.end()).size() != schema.jurisdictions.size())
    throw std::invalid_argument("results file: duplicate jurisdiction name in schema");
  if (schema.platforms.empty()) throw std::invalid_argument("results file: schema has no platforms");
  if (std::set<std::string>(schema.param_names.begin(), schema.param_names.end()).size() != schema.param_names.size())
    throw std::invalid_argument("results file: duplicate parameter name in schema");
  for (const std::string& n : schema.param_names)
    if (n.empty() || n.find('/') != std::string::npos || n == "." || n == "..")
      throw std::invalid_argument("results file: parameter name '" + n + "' cannot be an HDF5 dataset name");
  static const std::set<std::string> kinds{"single", "grid", "lhs", "sobol", "file", "compare"};
  if (!kinds.contains(design.kind))
    throw std::invalid_argument("results file: design kind '" + design.kind +
                                "' is not single, grid, lhs, sobol, file or compare");
  if (!design.weight.empty() && static_cast<Eigen::Index>(design.weight.size()) != design.samples.rows())
    throw std::invalid_argument("results file: design weight length differs from the number of samples");
  if (design.names.empty()) throw std::invalid_argument("results file: design has no names");
  if (design.names.size() != design.settings.size())
    throw std::invalid_argument("results file: design names and settings differ in length");
  if (design.samples.size() > 0 && static_cast<std::size_t>(design.samples.cols()) != design.parameters.size())
    throw std::invalid_argument("results file: design samples have " + std::to_string(design.samples.cols()) +
                                " columns but " + std::to_string(design.parameters.size()) + " parameters");
  if (!design.block.empty() && static_cast<Eigen::Index>(design.block.size()) != design.samples.rows())
    throw std::invalid_argument("results file: design block length differs from the number of samples");
  if (design.replicates < 1) throw std::invalid_argument("results file: design replicates < 1");
}

std::vector<hsize_t> inner_dims(bool per_platform, std::size_t platforms, std::size_t records, bool series) {
  std::vector<hsize_t> d;
  if (series) d.push_back(records);
  if (per_platform) d.push_back(platforms);
  return d;
}

}  // namespace

std::int64_t outcome_width(const OutcomeSpec& spec, const ResultsSchema& schema) {
  return spec.per_platform ? static_cast<std::int64_t>(schema.platforms.size()) : 1;
}

// ============================================================================
// Writer
// ============================================================================

struct ResultsWriter::Impl {
  /// Exceptions in flight when the writer was made: more at destruction means
  /// an error path (the file is abandoned: see ~Impl).
  const int uncaught_at_start = std::uncaught_exceptions();
  h5::File file;
  ResultsSchema schema;
  std::int64_t n_designs = 1;
  h5::DataSet run, point, replicate, seed, status, design, message;
  std::vector<h5::DataSet> params, outcomes, series;
  std::vector<std::size_t> width;  // [outcomes]
  std::vector<h5::DataSet> jur_outcomes, jur_series;  // [outcomes] with >= 2 jurisdictions; invalid for [p] outcomes
  std::int64_t rows = 0;
  std::int64_t n_runs_total = -1;  // -1: written as `rows` at close
  std::vector<double> nan_buf;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  /// Every object is closed on every path: normally by close() or the
  /// members' destructors (datasets before the file); on an error path
  /// (an exception unwinding through the writer, e.g. a full disk) the
  /// datasets are closed and the file discarded, so that no HDF5 id survives.
  ~Impl() {
    if (!file.valid() || std::uncaught_exceptions() <= uncaught_at_start) return;
    for (auto* v : {&params, &outcomes, &series})
      for (h5::DataSet& d : *v) d = h5::DataSet{};
    for (h5::DataSet* d : {&run, &point, &replicate, &seed, &status, &design, &message}) *d = h5::DataSet{};
    file.discard();
  }

  void write_root(const Provenance& p) {
    const h5::Loc root = file.loc();
    h5::write_attr(root, "format", std::string_view(kFormatName));
    h5::write_attr(root, "format_version", kFormatVersion);
    h5::write_attr(root, "model_spec_version", kModelSpecVersion);
    h5::write_attr(root, "complysim_version", complysim::version());
    h5::write_attr(root, "git_commit", complysim::git_commit());
    h5::write_attr(root, "scenario_toml", std::string_view(p.scenario_toml));
    h5::write_attr(root, "overrides", std::span<const std::string>(p.overrides));
    h5::write_attr(root, "command_line", std::string_view(p.command_line));
    h5::write_attr(root, "seed", p.seed);
    h5::write_attr(root, "start_date", std::string_view(p.start_date));
    h5::write_attr(root, "created_utc", std::string_view(utc_now_iso8601()));
    h5::write_attr(root, "compiler", std::string_view(compiler_id()));
    h5::write_attr(root, "library_versions", std::string_view(library_versions()));
    h5::write_attr(root, "platforms", std::span<const std::string>(schema.platforms));
    h5::write_attr(root, "shard", std::string_view(p.shard));
    n_runs_total = p.n_runs_total;
    if (n_runs_total >= 0) h5::write_attr(root, "n_runs_total", n_runs_total);
    h5::write_attr(root, "mpi_ranks", p.mpi_ranks);
    write_inputs(p);
  }

  /// /inputs: the resolved scenario text(s) and embedded input files as
  /// datasets (no attribute size limit), for `complysim reproduce`.
  void write_inputs(const Provenance& p) {
    h5::Group g = h5::create_group(file.loc(), "inputs");
    const std::vector<std::string> texts = p.scenario_texts.empty() ? std::vector<std::string>{p.scenario_toml} : p.scenario_texts;
    h5::create_strings(g.loc(), "scenario_toml", texts);
    std::vector<std::string> names, contents;
    for (const InputFile& f : p.inputs) {
      names.push_back(f.name);
      contents.push_back(f.content);
    }
    h5::create_strings(g.loc(), "file_names", names);
    h5::create_strings(g.loc(), "file_contents", contents);
  }

  void write_design(const DesignInfo& d) {
    h5::Group g = h5::create_group(file.loc(), "design");
    h5::write_attr(g.loc(), "kind", std::string_view(d.kind));
    h5::write_attr(g.loc(), "sobol_base_samples", d.sobol_base_samples);
    h5::write_attr(g.loc(), "replicates", d.replicates);
    h5::create_strings(g.loc(), "names", d.names);
    h5::create_strings(g.loc(), "settings", d.settings);
    h5::create_strings(g.loc(), "parameters", d.parameters);
    const RowMatrix samples = d.samples;
    const std::array<hsize_t, 2> sdims{static_cast<hsize_t>(samples.rows()), d.parameters.size()};
    h5::create_fixed(g.loc(), "samples", h5::file_type<double>(), sdims, h5::native_type<double>(), samples.data());
    std::vector<std::int8_t> block = d.block;
    if (block.empty()) block.assign(static_cast<std::size_t>(samples.rows()), std::int8_t{-1});
    const std::array<hsize_t, 1> bdims{block.size()};
    h5::create_fixed(g.loc(), "block", h5::file_type<std::int8_t>(), bdims, h5::native_type<std::int8_t>(),
                     block.data());
    if (!d.weight.empty()) {
      const std::array<hsize_t, 1> wdims{d.weight.size()};
      h5::create_fixed(g.loc(), "weight", h5::file_type<double>(), wdims, h5::native_type<double>(), d.weight.data());
    }
  }

  void create_runs() {
    h5::Group runs = h5::create_group(file.loc(), "runs");
    const h5::Loc r = runs.loc();
    const std::span<const hsize_t> none;
    run = h5::create_extendible(r, "run", h5::file_type<std::int64_t>(), none);
    point = h5::create_extendible(r, "point", h5::file_type<std::int64_t>(), none);
    replicate = h5::create_extendible(r, "replicate", h5::file_type<std::int64_t>(), none);
    seed = h5::create_extendible(r, "seed", h5::file_type<std::uint64_t>(), none);
    status = h5::create_extendible(r, "status", h5::file_type<std::int8_t>(), none);
    design = h5::create_extendible(r, "design", h5::file_type<std::int64_t>(), none);
    {
      const h5::DataType str = h5::DataType::vlen_string();
      message = h5::create_extendible(r, "message", str.get(), none);
    }
    h5::Group pg = h5::create_group(r, "params");
    h5::write_attr(pg.loc(), "names", std::span<const std::string>(schema.param_names));
    for (std::size_t i = 0; i < schema.param_names.size(); ++i) {
      params.push_back(h5::create_extendible(pg.loc(), schema.param_names[i], h5::file_type<double>(), none));
      if (i < schema.param_units.size()) h5::write_attr(params.back().loc(), "unit", schema.param_units[i]);
    }

    h5::Group og = h5::create_group(r, "outcomes");
    h5::Group tg = h5::create_group(file.loc(), "timeseries");
    const std::size_t records = schema.record_day.size();
    for (const OutcomeSpec& spec : outcome_table()) {
      const std::string name(spec.name);
      width.push_back(static_cast<std::size_t>(outcome_width(spec, schema)));
      outcomes.push_back(h5::create_extendible(
          og.loc(), name, h5::file_type<double>(), inner_dims(spec.per_platform, schema.platforms.size(), records, false)));
      write_outcome_attrs(outcomes.back().loc(), spec, schema);
      series.push_back(h5::create_extendible(
          tg.loc(), name, h5::file_type<double>(), inner_dims(spec.per_platform, schema.platforms.size(), records, true)));
      write_outcome_attrs(series.back().loc(), spec, schema);
    }
    if (schema.jurisdictions.size() >= 2) {
      const std::span<const std::string> names(schema.jurisdictions);
      h5::write_attr(file.loc(), "jurisdictions", names);
      h5::Group jo = h5::create_group(r, "by_jurisdiction");
      h5::Group js = h5::create_group(tg.loc(), "by_jurisdiction");
      h5::write_attr(jo.loc(), "jurisdictions", names);
      h5::write_attr(js.loc(), "jurisdictions", names);
      const std::array<hsize_t, 1> sd{schema.jurisdictions.size()};
      const std::array<hsize_t, 2> td{records, schema.jurisdictions.size()};
      jur_outcomes.resize(kOutcomes);
      jur_series.resize(kOutcomes);
      for (std::size_t k = 0; k < kOutcomes; ++k) {
        const OutcomeSpec& spec = outcome_table()[k];
        if (spec.per_platform) continue;
        const std::string name(spec.name);
        jur_outcomes[k] = h5::create_extendible(jo.loc(), name, h5::file_type<double>(), sd);
        write_jurisdiction_attrs(jur_outcomes[k].loc(), spec, schema);
        jur_series[k] = h5::create_extendible(js.loc(), name, h5::file_type<double>(), td);
        write_jurisdiction_attrs(jur_series[k].loc(), spec, schema);
      }
    }
    const std::array<hsize_t, 1> rdims{records};
    h5::create_fixed(tg.loc(), "day", h5::file_type<std::int64_t>(), rdims, h5::native_type<std::int64_t>(),
                     schema.record_day.data());
    if (!schema.start_date.empty()) {
      std::vector<std::string> dates;
      dates.reserve(records);
      for (std::int64_t day : schema.record_day) dates.push_back(date_plus_days(schema.start_date, day));
      h5::create_strings(tg.loc(), "date", dates);
    }
  }
};

ResultsWriter::ResultsWriter(const std::filesystem::path& path, const Provenance& provenance,
                             const ResultsSchema& schema, const DesignInfo& design, bool overwrite)
    : impl_(std::make_unique<Impl>()) {
  validate(schema, design);
  if (!schema.start_date.empty()) (void)date_plus_days(schema.start_date, 0);  // validate before creating the file
  impl_->schema = schema;
  impl_->n_designs = static_cast<std::int64_t>(design.names.size());
  impl_->file = h5::File::create(path, overwrite);
  impl_->write_root(provenance);
  impl_->write_design(design);
  impl_->create_runs();
  impl_->file.flush();
}

ResultsWriter::ResultsWriter(ResultsWriter&&) noexcept = default;
ResultsWriter& ResultsWriter::operator=(ResultsWriter&&) noexcept = default;
ResultsWriter::~ResultsWriter() = default;  // members close their handles, the file last

std::int64_t ResultsWriter::rows() const { return impl_ ? impl_->rows : 0; }

void ResultsWriter::append(const RunRow& row) {
  if (!impl_ || !impl_->file.valid()) throw std::logic_error("ResultsWriter::append after close()");
  Impl& m = *impl_;
  const std::size_t records = m.schema.record_day.size();
  const std::string where = "run row " + std::to_string(m.rows);
  if (row.params.size() != m.params.size())
    throw std::invalid_argument(where + ": " + std::to_string(row.params.size()) + " parameter values for " +
                                std::to_string(m.params.size()) + " parameters");
  if (row.design < 0 || row.design >= m.n_designs)
    throw std::invalid_argument(where + ": design index " + std::to_string(row.design) + " out of range");
  if (row.status != RunStatus::Ok && row.status != RunStatus::Failed && row.status != RunStatus::Missing)
    throw std::invalid_argument(where + ": invalid status");
  if (const RunResult* res = row.result) {
    if (res->summary.size() != kOutcomes || res->series.size() != kOutcomes)
      throw std::invalid_argument(where + ": result must have " + std::to_string(kOutcomes) + " outcomes");
    for (std::size_t k = 0; k < kOutcomes; ++k) {
      const std::string_view n = outcome_table()[k].name;
      if (res->summary[k].size() != m.width[k])
        throw std::invalid_argument(where + ": summary of " + std::string(n) + " has " +
                                    std::to_string(res->summary[k].size()) + " values, expected " +
                                    std::to_string(m.width[k]));
      if (res->series[k].size() != records * m.width[k])
        throw std::invalid_argument(where + ": series of " + std::string(n) + " has " +
                                    std::to_string(res->series[k].size()) + " values, expected " +
                                    std::to_string(records * m.width[k]));
    }
    if (!m.jur_outcomes.empty()) {
      const std::size_t J = m.schema.jurisdictions.size();
      if (res->jur_summary.size() != kOutcomes || res->jur_series.size() != kOutcomes)
        throw std::invalid_argument(where + ": result has no per-jurisdiction outcomes for " + std::to_string(J) + " jurisdictions");
      for (std::size_t k = 0; k < kOutcomes; ++k) {
        const std::size_t w = m.jur_outcomes[k].valid() ? J : 0;
        if (res->jur_summary[k].size() != w || res->jur_series[k].size() != records * w)
          throw std::invalid_argument(where + ": per-jurisdiction values of " + std::string(outcome_table()[k].name) +
                                      " do not have " + std::to_string(J) + " jurisdictions");
      }
    }
  }

  const auto r = static_cast<hsize_t>(m.rows);
  const std::int64_t run = row.run >= 0 ? row.run : m.rows;
  m.run.write_row(h5::native_type<std::int64_t>(), r, &run);
  m.point.write_row(h5::native_type<std::int64_t>(), r, &row.point);
  m.replicate.write_row(h5::native_type<std::int64_t>(), r, &row.replicate);
  m.seed.write_row(h5::native_type<std::uint64_t>(), r, &row.seed);
  const auto st = static_cast<std::int8_t>(row.status);
  m.status.write_row(h5::native_type<std::int8_t>(), r, &st);
  m.design.write_row(h5::native_type<std::int64_t>(), r, &row.design);
  h5::write_string_row(m.message, r, row.message);
  for (std::size_t j = 0; j < m.params.size(); ++j) m.params[j].write_row(h5::native_type<double>(), r, &row.params[j]);
  m.nan_buf.assign(std::max<std::size_t>(records, 1) * m.schema.platforms.size(), kNaN);
  for (std::size_t k = 0; k < kOutcomes; ++k) {
    const double* summary = row.result ? row.result->summary[k].data() : m.nan_buf.data();
    const double* series = row.result ? row.result->series[k].data() : m.nan_buf.data();
    m.outcomes[k].write_row(h5::native_type<double>(), r, summary);
    if (records > 0) m.series[k].write_row(h5::native_type<double>(), r, series);
    else m.series[k].write_row(h5::native_type<double>(), r, m.nan_buf.data());  // grows [runs, 0(, p)]
  }
  if (!m.jur_outcomes.empty()) {
    m.nan_buf.assign(std::max<std::size_t>(records, 1) * std::max(m.schema.platforms.size(), m.schema.jurisdictions.size()), kNaN);
    for (std::size_t k = 0; k < kOutcomes; ++k) {
      if (!m.jur_outcomes[k].valid()) continue;
      m.jur_outcomes[k].write_row(h5::native_type<double>(), r, row.result ? row.result->jur_summary[k].data() : m.nan_buf.data());
      m.jur_series[k].write_row(h5::native_type<double>(), r,
                                row.result && records > 0 ? row.result->jur_series[k].data() : m.nan_buf.data());
    }
  }
  ++m.rows;
}

void ResultsWriter::flush() {
  if (!impl_ || !impl_->file.valid()) throw std::logic_error("ResultsWriter::flush after close()");
  impl_->file.flush();
}

void ResultsWriter::close() {
  if (!impl_ || !impl_->file.valid()) return;
  Impl& m = *impl_;
  if (m.n_runs_total < 0) h5::write_attr(m.file.loc(), "n_runs_total", m.rows);
  m.file.flush();
  // Datasets first, then the file, so the file really closes (HDF5 keeps it
  // open while any object in it is open).
  for (auto* v : {&m.params, &m.outcomes, &m.series, &m.jur_outcomes, &m.jur_series})
    for (h5::DataSet& d : *v)
      if (d.valid()) d.close();
  for (h5::DataSet* d : {&m.run, &m.point, &m.replicate, &m.seed, &m.status, &m.design, &m.message}) d->close();
  m.file.close();
}

// ============================================================================
// Reader
// ============================================================================

struct ResultsReader::Impl {
  h5::File file;
  Provenance prov;
  ResultsSchema schema;
  DesignInfo design;
  std::int64_t n_runs = 0;
  h5::DataSet run, point, replicate, seed, status, design_ds, message;  // run: invalid in files without /runs/run
  std::vector<h5::DataSet> params, outcomes, series;
  std::vector<std::size_t> width;
  std::vector<h5::DataSet> jur_outcomes, jur_series;  // [outcomes] when the file has per-jurisdiction outcomes; invalid for [p]

  /// Throws FormatError unless `path` (relative to the root) and every group above it exist.
  void require(const std::string& path) const {
    for (std::size_t end = path.find('/'); ; end = path.find('/', end + 1)) {
      const std::string prefix = path.substr(0, end);
      if (!h5::exists(file.loc(), prefix))
        throw FormatError(file.path() + ": not a complysim results file: missing '/" + prefix + "'");
      if (end == std::string::npos) break;
    }
  }
  h5::DataSet open(const std::string& path) const {
    require(path);
    return h5::open_dataset(file.loc(), path);
  }
  h5::Group group(const std::string& path) const {
    require(path);
    return h5::open_group(file.loc(), path);
  }

  void load() {
    const h5::Loc root = file.loc();
    const std::string& fname = file.path();
    if (!h5::has_attr(root, "format") || h5::read_attr_string(root, "format") != kFormatName)
      throw FormatError(fname + ": not a complysim results file (no root attribute format = \"" +
                        std::string(kFormatName) + "\")");
    const std::int64_t version = h5::read_attr_i64(root, "format_version");
    if (version != kFormatVersion)
      throw FormatError(fname + ": format_version " + std::to_string(version) + " is not supported (this complysim reads " +
                        std::to_string(kFormatVersion) + (version < kFormatVersion ? "; version 1 files hold model v1 results: read them with "
                                                                                     "complysim_analysis, or rerun the scenario)"
                                                                                   : "); use a newer complysim"));
    prov.format_version = version;
    prov.model_spec_version = h5::has_attr(root, "model_spec_version") ? h5::read_attr_i64(root, "model_spec_version") : 1;
    prov.scenario_toml = h5::read_attr_string(root, "scenario_toml");
    prov.overrides = h5::read_attr_strings(root, "overrides");
    prov.command_line = h5::read_attr_string(root, "command_line");
    prov.seed = h5::read_attr_u64(root, "seed");
    prov.start_date = h5::read_attr_string(root, "start_date");
    prov.complysim_version = h5::read_attr_string(root, "complysim_version");
    prov.git_commit = h5::read_attr_string(root, "git_commit");
    prov.created_utc = h5::read_attr_string(root, "created_utc");
    prov.compiler = h5::read_attr_string(root, "compiler");
    prov.library_versions = h5::read_attr_string(root, "library_versions");

    schema.platforms = h5::read_attr_strings(root, "platforms");
    schema.start_date = prov.start_date;
    {
      h5::Group pg = group("runs/params");
      schema.param_names = h5::read_attr_strings(pg.loc(), "names");
    }
    schema.record_day = h5::read_vector<std::int64_t>(open("timeseries/day"));

    {
      h5::Group g = group("design");
      design.kind = h5::read_attr_string(g.loc(), "kind");
      design.sobol_base_samples = h5::read_attr_i64(g.loc(), "sobol_base_samples");
      design.replicates = h5::read_attr_i64(g.loc(), "replicates");
      design.names = h5::read_strings(open("design/names"));
      design.settings = h5::read_strings(open("design/settings"));
      design.parameters = h5::read_strings(open("design/parameters"));
      const h5::DataSet s = open("design/samples");
      const std::vector<hsize_t> d = s.dims();
      if (d.size() != 2 || d[1] != design.parameters.size())
        throw FormatError(fname + ": /design/samples is not [samples, parameters]");
      RowMatrix m(static_cast<Eigen::Index>(d[0]), static_cast<Eigen::Index>(d[1]));
      if (m.size() > 0) s.read_all(h5::native_type<double>(), m.data());
      design.samples = m;
      design.block = h5::read_vector<std::int8_t>(open("design/block"));
      if (h5::exists(g.loc(), "weight")) {
        design.weight = h5::read_vector<double>(open("design/weight"));
        if (static_cast<Eigen::Index>(design.weight.size()) != design.samples.rows())
          throw FormatError(fname + ": /design/weight is not [samples]");
      }
    }

    point = open("runs/point");
    replicate = open("runs/replicate");
    seed = open("runs/seed");
    status = open("runs/status");
    design_ds = open("runs/design");
    message = open("runs/message");
    n_runs = static_cast<std::int64_t>(point.dims().at(0));
    if (h5::exists(root, "runs/run")) {
      run = open("runs/run");
      if (static_cast<std::int64_t>(run.dims().at(0)) != n_runs)
        throw FormatError(fname + ": /runs/run does not have " + std::to_string(n_runs) + " rows");
    }
    if (h5::exists(root, "inputs")) {
      prov.scenario_texts = h5::read_strings(open("inputs/scenario_toml"));
      const std::vector<std::string> names = h5::read_strings(open("inputs/file_names"));
      const std::vector<std::string> contents = h5::read_strings(open("inputs/file_contents"));
      if (names.size() != contents.size()) throw FormatError(fname + ": /inputs/file_names and /inputs/file_contents differ in length");
      for (std::size_t i = 0; i < names.size(); ++i) prov.inputs.push_back(InputFile{names[i], contents[i]});
    }
    prov.mpi_ranks = h5::has_attr(root, "mpi_ranks") ? h5::read_attr_i64(root, "mpi_ranks") : 1;
    prov.shard = h5::has_attr(root, "shard") ? h5::read_attr_string(root, "shard") : std::string();
    prov.n_runs_total = h5::has_attr(root, "n_runs_total") ? h5::read_attr_i64(root, "n_runs_total") : n_runs;
    for (h5::DataSet* d : {&replicate, &seed, &status, &design_ds, &message})
      if (static_cast<std::int64_t>(d->dims().at(0)) != n_runs)
        throw FormatError(fname + ": " + d->path() + " does not have " + std::to_string(n_runs) + " rows");
    for (const std::string& n : schema.param_names) {
      params.push_back(open("runs/params/" + n));
      if (h5::has_attr(params.back().loc(), "unit")) schema.param_units.push_back(h5::read_attr_string(params.back().loc(), "unit"));
    }
    if (schema.param_units.size() != schema.param_names.size()) schema.param_units.clear();  // older files: none
    const std::size_t records = schema.record_day.size();
    for (const OutcomeSpec& spec : outcome_table()) {
      const std::string name(spec.name);
      width.push_back(static_cast<std::size_t>(outcome_width(spec, schema)));
      outcomes.push_back(open(outcome_path("runs/outcomes", name)));
      series.push_back(open(outcome_path("timeseries", name)));
      std::vector<hsize_t> want{static_cast<hsize_t>(n_runs)};
      for (hsize_t x : inner_dims(spec.per_platform, schema.platforms.size(), records, false)) want.push_back(x);
      if (outcomes.back().dims() != want) throw FormatError(fname + ": " + outcomes.back().path() + " has the wrong shape");
      want.resize(1);
      for (hsize_t x : inner_dims(spec.per_platform, schema.platforms.size(), records, true)) want.push_back(x);
      if (series.back().dims() != want) throw FormatError(fname + ": " + series.back().path() + " has the wrong shape");
    }
    for (const h5::DataSet& p : params)
      if (static_cast<std::int64_t>(p.dims().at(0)) != n_runs)
        throw FormatError(fname + ": " + p.path() + " does not have " + std::to_string(n_runs) + " rows");
    if (h5::exists(root, "runs/by_jurisdiction")) {
      schema.jurisdictions = h5::read_attr_strings(root, "jurisdictions");
      const auto J = static_cast<hsize_t>(schema.jurisdictions.size());
      jur_outcomes.resize(kOutcomes);
      jur_series.resize(kOutcomes);
      for (std::size_t k = 0; k < kOutcomes; ++k) {
        const OutcomeSpec& spec = outcome_table()[k];
        if (spec.per_platform) continue;
        const std::string name(spec.name);
        jur_outcomes[k] = open(outcome_path("runs/by_jurisdiction", name));
        jur_series[k] = open(outcome_path("timeseries/by_jurisdiction", name));
        if (jur_outcomes[k].dims() != std::vector<hsize_t>{static_cast<hsize_t>(n_runs), J})
          throw FormatError(fname + ": " + jur_outcomes[k].path() + " has the wrong shape");
        if (jur_series[k].dims() != std::vector<hsize_t>{static_cast<hsize_t>(n_runs), static_cast<hsize_t>(records), J})
          throw FormatError(fname + ": " + jur_series[k].path() + " has the wrong shape");
      }
    }
  }

  std::size_t index_of(const std::string& name) const {
    const int k = find_outcome(name);
    if (k < 0) throw FormatError("unknown outcome '" + name + "'");
    return static_cast<std::size_t>(k);
  }
};

ResultsReader::ResultsReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  // Plain words for the usual mistakes instead of HDF5's error stack.
  std::error_code ec;
  const std::string failed = "H5Fopen failed on '" + path.string() + "': ";
  if (!std::filesystem::exists(path, ec)) throw H5Error(failed + "no such file");
  if (std::filesystem::is_directory(path, ec)) throw H5Error(failed + "is a directory, not a results file");
  if (!std::filesystem::is_regular_file(path, ec)) throw H5Error(failed + "not a regular file, not a results file");
  if (!h5::is_hdf5(path)) throw H5Error(failed + "not an HDF5 file");
  impl_->file = h5::File::open_read(path);
  impl_->load();
}

ResultsReader::ResultsReader(ResultsReader&&) noexcept = default;
ResultsReader& ResultsReader::operator=(ResultsReader&&) noexcept = default;
ResultsReader::~ResultsReader() = default;

const Provenance& ResultsReader::provenance() const { return impl_->prov; }
const ResultsSchema& ResultsReader::schema() const { return impl_->schema; }
const DesignInfo& ResultsReader::design() const { return impl_->design; }
std::int64_t ResultsReader::n_runs() const { return impl_->n_runs; }

std::vector<std::int64_t> ResultsReader::run() const {
  if (impl_->run.valid()) return h5::read_vector<std::int64_t>(impl_->run);
  std::vector<std::int64_t> out(static_cast<std::size_t>(impl_->n_runs));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int64_t>(i);
  return out;
}

std::vector<std::int64_t> ResultsReader::point() const { return h5::read_vector<std::int64_t>(impl_->point); }
std::vector<std::int64_t> ResultsReader::replicate() const {
  return h5::read_vector<std::int64_t>(impl_->replicate);
}
std::vector<std::int64_t> ResultsReader::design_index() const {
  return h5::read_vector<std::int64_t>(impl_->design_ds);
}
std::vector<std::uint64_t> ResultsReader::seed() const { return h5::read_vector<std::uint64_t>(impl_->seed); }
std::vector<RunStatus> ResultsReader::status() const {
  const std::vector<std::int8_t> raw = h5::read_vector<std::int8_t>(impl_->status);
  std::vector<RunStatus> out(raw.size());
  std::transform(raw.begin(), raw.end(), out.begin(), [](std::int8_t s) { return static_cast<RunStatus>(s); });
  return out;
}
std::vector<std::string> ResultsReader::message() const { return h5::read_strings(impl_->message); }

std::vector<double> ResultsReader::read_param(const std::string& name) const {
  const auto& names = impl_->schema.param_names;
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw FormatError("no varied parameter '" + name + "' in " + impl_->file.path());
  return h5::read_vector<double>(impl_->params[static_cast<std::size_t>(it - names.begin())]);
}

Eigen::MatrixXd ResultsReader::read_outcome(const std::string& name) const {
  const std::size_t k = impl_->index_of(name);
  const auto w = static_cast<Eigen::Index>(impl_->width[k]);
  RowMatrix m(static_cast<Eigen::Index>(impl_->n_runs), w);
  if (m.size() > 0) impl_->outcomes[k].read_all(h5::native_type<double>(), m.data());
  return m;
}

Eigen::MatrixXd ResultsReader::read_timeseries(const std::string& name, std::int64_t run) const {
  const std::size_t k = impl_->index_of(name);
  if (run < 0 || run >= impl_->n_runs) throw std::out_of_range("run " + std::to_string(run) + " out of range");
  RowMatrix m(static_cast<Eigen::Index>(impl_->schema.record_day.size()), static_cast<Eigen::Index>(impl_->width[k]));
  if (m.size() > 0) impl_->series[k].read_rows(h5::native_type<double>(), static_cast<hsize_t>(run), 1, m.data());
  return m;
}

RunRecord ResultsReader::read_row(std::int64_t i) const {
  const Impl& m = *impl_;
  if (i < 0 || i >= m.n_runs)
    throw std::out_of_range("row " + std::to_string(i) + " out of range [0, " + std::to_string(m.n_runs) + ")");
  const auto r = static_cast<hsize_t>(i);
  RunRecord rec;
  rec.row.run = i;
  if (m.run.valid()) m.run.read_rows(h5::native_type<std::int64_t>(), r, 1, &rec.row.run);
  m.point.read_rows(h5::native_type<std::int64_t>(), r, 1, &rec.row.point);
  m.replicate.read_rows(h5::native_type<std::int64_t>(), r, 1, &rec.row.replicate);
  m.seed.read_rows(h5::native_type<std::uint64_t>(), r, 1, &rec.row.seed);
  m.design_ds.read_rows(h5::native_type<std::int64_t>(), r, 1, &rec.row.design);
  std::int8_t st = 0;
  m.status.read_rows(h5::native_type<std::int8_t>(), r, 1, &st);
  rec.row.status = static_cast<RunStatus>(st);
  rec.row.message = h5::read_strings(m.message, r, 1).at(0);
  rec.row.params.resize(m.params.size());
  for (std::size_t j = 0; j < m.params.size(); ++j)
    m.params[j].read_rows(h5::native_type<double>(), r, 1, &rec.row.params[j]);
  const std::size_t records = m.schema.record_day.size();
  rec.result.summary.resize(kOutcomes);
  rec.result.series.resize(kOutcomes);
  rec.result.record_day = m.schema.record_day;
  for (std::size_t k = 0; k < kOutcomes; ++k) {
    rec.result.summary[k].resize(m.width[k]);
    m.outcomes[k].read_rows(h5::native_type<double>(), r, 1, rec.result.summary[k].data());
    rec.result.series[k].resize(records * m.width[k]);
    if (records > 0) m.series[k].read_rows(h5::native_type<double>(), r, 1, rec.result.series[k].data());
  }
  if (!m.jur_outcomes.empty()) {
    const std::size_t J = m.schema.jurisdictions.size();
    rec.result.jur_summary.resize(kOutcomes);
    rec.result.jur_series.resize(kOutcomes);
    for (std::size_t k = 0; k < kOutcomes; ++k) {
      if (!m.jur_outcomes[k].valid()) continue;
      rec.result.jur_summary[k].resize(J);
      m.jur_outcomes[k].read_rows(h5::native_type<double>(), r, 1, rec.result.jur_summary[k].data());
      rec.result.jur_series[k].resize(records * J);
      if (records > 0) m.jur_series[k].read_rows(h5::native_type<double>(), r, 1, rec.result.jur_series[k].data());
    }
  }
  return rec;
}

void ResultsReader::copy_rows_to(ResultsWriter& out, std::int64_t first, std::int64_t last) const {
  if (last < 0) last = impl_->n_runs;
  if (first < 0 || first > last || last > impl_->n_runs)
    throw std::out_of_range("copy_rows_to: rows [" + std::to_string(first) + ", " + std::to_string(last) +
                            ") out of range");
  for (std::int64_t i = first; i < last; ++i) {
    const RunRecord rec = read_row(i);
    out.append(rec.as_row());
  }
}

// ============================================================================
// Comparison
// ============================================================================

namespace {

constexpr hsize_t kCompareBlock = 1024;  // rows per comparison block: bounded memory

/// Compares two datasets of the same element type bytewise, block by block of rows.
template <class T>
std::optional<std::string> compare_numeric(const h5::DataSet& a, const h5::DataSet& b) {
  const std::vector<hsize_t> da = a.dims(), db = b.dims();
  if (da != db) return "'" + a.path() + "' differs in shape";
  if (da.empty()) return std::nullopt;
  std::size_t row = 1;
  for (std::size_t i = 1; i < da.size(); ++i) row *= static_cast<std::size_t>(da[i]);
  if (row == 0) return std::nullopt;
  std::vector<T> ba, bb;
  for (hsize_t first = 0; first < da[0]; first += kCompareBlock) {
    const hsize_t n = std::min(kCompareBlock, da[0] - first);
    ba.resize(static_cast<std::size_t>(n) * row);
    bb.resize(ba.size());
    a.read_rows(h5::native_type<T>(), first, n, ba.data());
    b.read_rows(h5::native_type<T>(), first, n, bb.data());
    if (std::memcmp(ba.data(), bb.data(), ba.size() * sizeof(T)) != 0) {
      std::size_t i = 0;
      while (std::memcmp(&ba[i], &bb[i], sizeof(T)) == 0) ++i;
      return "'" + a.path() + "' differs at row " + std::to_string(first + i / row);
    }
  }
  return std::nullopt;
}

std::optional<std::string> compare_strings(const h5::DataSet& a, const h5::DataSet& b) {
  const std::vector<hsize_t> da = a.dims(), db = b.dims();
  if (da != db) return "'" + a.path() + "' differs in shape";
  for (hsize_t first = 0; first < da.at(0); first += kCompareBlock) {
    const hsize_t n = std::min(kCompareBlock, da[0] - first);
    const std::vector<std::string> sa = h5::read_strings(a, first, n), sb = h5::read_strings(b, first, n);
    const auto mm = std::mismatch(sa.begin(), sa.end(), sb.begin());
    if (mm.first != sa.end()) return "'" + a.path() + "' differs at row " + std::to_string(first + (mm.first - sa.begin()));
  }
  return std::nullopt;
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0);
}

}  // namespace

std::optional<std::string> first_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const ResultsReader ra(a), rb(b);
  const Provenance &pa = ra.provenance(), &pb = rb.provenance();
  const auto diff = [](const char* what) { return std::optional<std::string>(std::string(what) + " differs"); };
  if (pa.scenario_toml != pb.scenario_toml) return diff("root attribute scenario_toml");
  if (pa.overrides != pb.overrides) return diff("root attribute overrides");
  if (pa.seed != pb.seed) return diff("root attribute seed");
  if (pa.start_date != pb.start_date) return diff("root attribute start_date");
  if (pa.complysim_version != pb.complysim_version) return diff("root attribute complysim_version");
  if (pa.git_commit != pb.git_commit) return diff("root attribute git_commit");
  if (pa.compiler != pb.compiler) return diff("root attribute compiler");
  if (pa.library_versions != pb.library_versions) return diff("root attribute library_versions");
  if (pa.n_runs_total != pb.n_runs_total) return diff("root attribute n_runs_total");
  if (pa.scenario_texts != pb.scenario_texts) return diff("/inputs/scenario_toml");
  if (pa.inputs.size() != pb.inputs.size()) return diff("/inputs/file_names");
  for (std::size_t i = 0; i < pa.inputs.size(); ++i) {
    if (pa.inputs[i].name != pb.inputs[i].name) return diff("/inputs/file_names");
    if (pa.inputs[i].content != pb.inputs[i].content) return diff("/inputs/file_contents");
  }
  const ResultsSchema &sa = ra.schema(), &sb = rb.schema();
  if (sa.platforms != sb.platforms) return diff("platforms");
  if (sa.param_names != sb.param_names) return diff("/runs/params names");
  if (sa.record_day != sb.record_day) return diff("/timeseries/day");
  if (sa.jurisdictions != sb.jurisdictions) return diff("root attribute jurisdictions");
  const DesignInfo &da = ra.design(), &db = rb.design();
  if (da.kind != db.kind) return diff("/design kind");
  if (da.names != db.names) return diff("/design/names");
  if (da.settings != db.settings) return diff("/design/settings");
  if (da.parameters != db.parameters) return diff("/design/parameters");
  if (!same_bits(da.samples, db.samples)) return diff("/design/samples");
  if (da.block != db.block) return diff("/design/block");
  if (da.weight.size() != db.weight.size() ||
      (!da.weight.empty() && std::memcmp(da.weight.data(), db.weight.data(), da.weight.size() * sizeof(double)) != 0))
    return diff("/design/weight");
  if (da.sobol_base_samples != db.sobol_base_samples) return diff("/design sobol_base_samples");
  if (da.replicates != db.replicates) return diff("/design replicates");
  if (ra.n_runs() != rb.n_runs())
    return "number of runs differs (" + std::to_string(ra.n_runs()) + " vs " + std::to_string(rb.n_runs()) + ")";

  const ResultsReader::Impl &ia = *ra.impl_, &ib = *rb.impl_;
  using Cmp = std::optional<std::string>;
  if (ra.run() != rb.run()) return diff("/runs/run");
  if (Cmp d = compare_numeric<std::int64_t>(ia.point, ib.point)) return d;
  if (Cmp d = compare_numeric<std::int64_t>(ia.replicate, ib.replicate)) return d;
  if (Cmp d = compare_numeric<std::uint64_t>(ia.seed, ib.seed)) return d;
  if (Cmp d = compare_numeric<std::int8_t>(ia.status, ib.status)) return d;
  if (Cmp d = compare_numeric<std::int64_t>(ia.design_ds, ib.design_ds)) return d;
  if (Cmp d = compare_strings(ia.message, ib.message)) return d;
  for (std::size_t j = 0; j < ia.params.size(); ++j)
    if (Cmp d = compare_numeric<double>(ia.params[j], ib.params[j])) return d;
  for (std::size_t k = 0; k < kOutcomes; ++k) {
    if (Cmp d = compare_numeric<double>(ia.outcomes[k], ib.outcomes[k])) return d;
    if (Cmp d = compare_numeric<double>(ia.series[k], ib.series[k])) return d;
  }
  for (std::size_t k = 0; k < ia.jur_outcomes.size(); ++k) {
    if (!ia.jur_outcomes[k].valid()) continue;
    if (Cmp d = compare_numeric<double>(ia.jur_outcomes[k], ib.jur_outcomes[k])) return d;
    if (Cmp d = compare_numeric<double>(ia.jur_series[k], ib.jur_series[k])) return d;
  }
  return std::nullopt;
}

}  // namespace complysim::io
