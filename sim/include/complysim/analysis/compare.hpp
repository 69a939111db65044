// complysim — the what-if comparison of several scenarios (`complysim compare`):
// one table, a column per scenario, a row per outcome (per platform where the
// outcome is per platform), with each scenario's mean across replicates and the
// paired difference against the first scenario with its confidence interval.
//
// Pure functions on run summaries: no I/O, no simulation. Replicate r of every
// scenario is run with the same stream key (same seed, point 0, replicate r), so
// the differences are paired under common random numbers (model-spec.md
// section 8; Law 2015, Simulation Modeling and Analysis, section 11.2).
#pragma once

#include "complysim/analysis/sensitivity.hpp"
#include "complysim/core/outcomes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace complysim {

/// One scenario's runs, as the comparison sees them.
struct CompareInput {
  std::string name;                     ///< column header (the scenario file's stem)
  std::vector<std::string> platforms;   ///< platform names: width of [p] outcomes, in summary order
  std::vector<const RunResult*> runs;   ///< [replicates] replicate r at index r (nullptr = missing run)
};

/// One cell: a scenario's mean across replicates and, for every scenario after
/// the first, the paired difference (this − first) over replicates where both
/// are finite.
struct CompareCell {
  bool present = false;  ///< false when the scenario has no such platform
  MeanCI level;          ///< mean and t interval across replicates, in the outcome's unit; the
                         ///< interval is clipped to the outcome's possible range (outcome_range.hpp)
  PairedDiff diff;       ///< this − first; n = 0 for the first column or no pairs
};

/// One row: an outcome, or an outcome for one platform.
struct CompareRow {
  std::string outcome;    ///< canonical name, e.g. "self_censorship_rate"
  std::string platform;   ///< "" for a scalar outcome
  std::string label;      ///< plain-language meaning (outcome_label)
  std::string unit;       ///< unit from the outcome table
  std::vector<CompareCell> cells;  ///< [scenarios]
};

struct CompareTable {
  std::vector<std::string> scenarios;  ///< [scenarios] column headers
  std::int64_t replicates = 0;         ///< replicates per scenario (the largest run count)
  double level = 0.95;                 ///< confidence level of every interval
  std::vector<CompareRow> rows;
};

/// Plain-language meaning of a canonical outcome for a workshop audience
/// ("share of intended political posts that users held back"); "" if unknown.
std::string_view outcome_label(std::string_view outcome);

/// Builds the table. Per-platform outcomes get one row per platform name in
/// the order first met across the inputs (first scenario first); a scenario
/// without that platform has present = false in that row.
/// Pairs: replicate r of scenario i with replicate r of the first scenario
/// (paired_difference, so pairs with a non-finite member are dropped; diff is
/// never clipped). Level intervals are clipped to outcome_range().
/// @throws std::invalid_argument if there are no inputs, or a run's summary
///         does not have the outcome table's shape.
CompareTable build_compare_table(const std::vector<CompareInput>& inputs, double level = 0.95);

enum class CompareFormat { Table, Markdown, Csv };

/// Renders the table. Table: a fixed-width text table for a terminal, with a
/// short explanation at the top; each outcome takes two lines (the mean in every
/// column, then the change against the first column with its interval).
/// Markdown: one row per outcome with a mean column per scenario and a change
/// column per later scenario. In both, a change computed from fewer pairs than
/// replicates says so, "(n=K pairs)", and one from a single pair says it has no CI. Csv: long form, one line per outcome, platform
/// and scenario (outcome,platform,label,unit,scenario,n,mean,ci_lo,ci_hi,
/// diff,diff_lo,diff_hi,pairs); NaN written as empty.
std::string format_compare_table(const CompareTable& table, CompareFormat format);

}  // namespace complysim
