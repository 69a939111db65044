// complysim — `complysim analyze`: from a results file to the tables of a sweep
// analysis (issue 6). Reads /design and /runs through io::ResultsReader and
// applies the estimators of sensitivity.hpp:
//  - "sobol": first- and total-order Sobol indices with bootstrap CIs, per decree design;
//  - "grid" / "lhs": main effects (mean and CI at each level / in each quantile bin), per design;
//  - several decree designs: paired difference against the first design (common random numbers);
//  - "single" (or a sweep without swept parameters): mean and CI of each outcome, per design.
// Every result carries the number of runs it used.
//
// Run selection: a run enters an estimate only when its status is 0 (ok) and its
// outcome value is finite; failed (status 1) and missing (status -1) runs are
// NaN in every outcome and are dropped the same way as an undefined rate.
#pragma once

#include "complysim/analysis/sensitivity.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace complysim {

namespace io {
class ResultsReader;
}

/// A bad analysis request: an unknown outcome (with "did you mean"), a bad option
/// value, or a design the file describes inconsistently (e.g. Saltelli blocks of
/// unequal size).
class AnalysisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What `complysim analyze` computes.
struct AnalyzeOptions {
  /// Outcomes to analyse: a canonical name ("self_censorship_rate": every platform
  /// column of a per-platform outcome) or one column ("takedown_compliance_rate[global_social]").
  /// Empty: every outcome of the file, every platform column.
  std::vector<std::string> outcomes;
  std::int64_t bootstrap = 1000;  ///< Sobol bootstrap resamples (0: no intervals)
  std::uint64_t seed = 0;         ///< key of the bootstrap streams (sensitivity.hpp)
  std::int64_t bins = 0;          ///< lhs quantile bins; 0: min(10, samples / 2), at least 1
  double level = 0.95;            ///< confidence level of every interval
};

/// One analysed outcome column.
struct OutcomeColumn {
  std::string outcome;        ///< canonical name, e.g. "takedown_compliance_rate"
  std::int64_t platform = 0;  ///< column of /runs/outcomes/<outcome> (0 for scalar outcomes)
  std::string label;          ///< "self_censorship_rate" or "takedown_compliance_rate[global_social]"
  std::string unit;           ///< "share", "items/user/day", ... (outcome_table())
};

/// Sobol indices of one outcome column under one decree design.
struct SobolResult {
  std::int64_t design = 0;       ///< index into Analysis::designs
  OutcomeColumn column;
  SobolIndices indices;          ///< names = the swept parameters; n_used = base rows used
  std::int64_t runs_used = 0;    ///< ok runs with a finite value in the used base rows (all d + 2 blocks)
  /// Why the indices are NaN: "constant outcome" (no variance to decompose),
  /// "K of M runs differ: no index" (fewer than 1 in 20 ok runs differ from the most
  /// common value), "fewer than 2 base rows"; "" when they are defined.
  std::string remark;
  /// [d] per parameter: sobol_remark() ("noise dominates: more samples", "not converged ...")
  /// or ""; all "" when `remark` is set.
  std::vector<std::string> remarks;
  /// The same estimators on the first N/2 base rows (convergence check; no bootstrap,
  /// NaN vectors when N < 4).
  SobolIndices half;
  std::int64_t differing = 0;  ///< ok runs of this design whose value differs from the most common one
  std::int64_t finite = 0;     ///< ok runs of this design with a finite value
};

/// Main effects of one outcome column for one parameter under one decree design.
struct MainEffectResult {
  std::int64_t design = 0;
  OutcomeColumn column;
  bool binned = false;          ///< true: quantile bins (lhs); false: grid levels
  MainEffect effect;            ///< effect.n[k]: runs used at level / in bin k
  std::int64_t runs_used = 0;   ///< sum of effect.n
};

/// Paired difference of one outcome column: design minus the first design.
struct PairedResult {
  std::int64_t design = 0;      ///< the compared design (>= 1); the reference is design 0
  OutcomeColumn column;
  double reference_mean = 0;    ///< mean of the reference design over the used pairs (NaN when none)
  double design_mean = 0;       ///< mean of `design` over the used pairs
  PairedDiff diff;              ///< design - reference; diff.n = pairs used
  std::int64_t runs_used = 0;   ///< 2 * diff.n
};

/// Mean and interval of one outcome column under one design (single runs).
struct SummaryResult {
  std::int64_t design = 0;
  OutcomeColumn column;
  MeanCI ci;                    ///< over ok runs with a finite value; ci.n = runs used
};

/// Everything `complysim analyze` prints.
struct Analysis {
  std::string file;                     ///< the path as given
  std::string kind;                     ///< "single" | "grid" | "lhs" | "sobol"
  std::vector<std::string> designs;     ///< decree design names
  std::vector<std::string> parameters;  ///< swept parameters (columns of /design/samples)
  std::int64_t samples = 0;             ///< rows of /design/samples
  std::int64_t sobol_base = 0;          ///< Saltelli base size N (sobol only)
  std::int64_t replicates = 1;
  std::int64_t bins = 0;                ///< lhs bins used (0 otherwise)
  std::int64_t bootstrap = 0;
  std::uint64_t seed = 0;
  double level = 0.95;
  std::int64_t n_runs = 0;              ///< rows of /runs
  std::int64_t n_ok = 0;                ///< rows with status 0
  std::vector<std::int64_t> ok_per_design;  ///< [designs] rows with status 0
  std::vector<std::int64_t> runs_per_design;  ///< [designs] rows
  std::vector<OutcomeColumn> columns;   ///< the analysed outcome columns
  std::vector<SummaryResult> summaries;     ///< every design: mean over its ok runs (over the sampled parameters for a sweep)
  std::vector<SobolResult> sobol;           ///< design-major, then column order
  std::vector<MainEffectResult> main_effects;  ///< design-major, then column, then parameter
  std::vector<PairedResult> paired;         ///< design-major (designs 1..), then column
  /// sobol, per design [designs]: the widest bootstrap interval of any defined index
  /// (NaN when none), where it is ("outcome / parameter S1"), and the base size N that
  /// would make it kSobolResolution wide (recommended_sobol_n).
  std::vector<double> sobol_widest;
  std::vector<std::string> sobol_widest_at;
  std::vector<std::int64_t> sobol_recommended_n;
  std::vector<double> sobol_median_width;  ///< [designs] median width of the defined indices' intervals
  /// Why there is nothing to decompose ("single" files), or other remarks, one line each.
  std::vector<std::string> notes;
};

/// Analyses an open results file.
/// @throws AnalysisError for an unknown outcome (message with "did you mean"), bad options
///         (bootstrap < 0, bins < 0, level not in (0, 1)) or an inconsistent design;
///         io::H5Error / io::FormatError from the reader.
Analysis analyze_results(const io::ResultsReader& reader, const AnalyzeOptions& options, std::string file = {});

/// Opens `path` and analyses it.
/// @throws AnalysisError also when the file does not exist ("no such file 'x'").
Analysis analyze_file(const std::filesystem::path& path, const AnalyzeOptions& options);

/// Output format of format_analysis().
enum class AnalysisFormat { Table, Markdown, Csv };

/// "table" | "markdown" | "csv" -> format; std::nullopt otherwise.
std::optional<AnalysisFormat> parse_analysis_format(std::string_view name);

/// The analysis as text, the tables `view.section` names (CSV: Overview and All give every
/// estimate, another section only its rows).
///  - Table: aligned plain-text tables under a heading each, with a "runs:" line.
///  - Markdown: the same as Markdown tables (pastes into a paper draft or an issue).
///  - Csv: one tidy RFC 4180 table, one row per estimate, columns
///    analysis,design,reference,outcome,unit,parameter,level,bin_lo,bin_hi,statistic,
///    estimate,ci_lo,ci_hi,n,runs_used
///    (analysis: summary | sobol | main_effect | paired; statistic: mean | first | total | difference;
///    n: base rows (sobol), runs (summary, main effects) or pairs (paired)).
/// Which tables format_analysis() prints (`complysim analyze --section`).
enum class AnalysisSection {
  Overview,     ///< default: one table per design (means; changes against the first design) and its strongest parameters
  Summary,      ///< mean and CI of every outcome column per design
  Comparisons,  ///< paired differences against the first design, with both levels
  Indices,      ///< every Sobol index with its remark and the recommended N
  Effects,      ///< every main-effect level or bin
  All           ///< every table
};

/// "overview" | "summary" | "comparisons" | "indices" | "effects" | "all" -> section; std::nullopt otherwise.
std::optional<AnalysisSection> parse_analysis_section(std::string_view name);

/// How format_analysis() lays the text out.
struct AnalysisView {
  AnalysisSection section = AnalysisSection::Overview;
  /// false: plain tables fit 100 columns (grouping columns become heading lines, long
  /// remarks wrap); true: one row per estimate with every column, however wide.
  bool wide = false;
};

std::string format_analysis(const Analysis& analysis, AnalysisFormat format, const AnalysisView& view = {});

}  // namespace complysim
