// complysim — the canonical outcomes (model-spec.md section 7) and the
// in-memory result of one run: the vocabulary below model, io and simulation
// (all three include it; it includes none of them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace complysim {

/// One canonical outcome.
struct OutcomeSpec {
  std::string_view name;         ///< canonical name, e.g. "self_censorship_rate"
  bool per_platform;             ///< [p] in model-spec.md: one value per platform
  std::string_view unit;         ///< "share", "items/user/day", "requests/day", ...
  std::string_view description;  ///< one line
  std::string_view label = {};   ///< short plain words for tables and figures, e.g. "Chilled lawful speech"
  std::string_view meaning = {}; ///< one plain-language sentence for a workshop audience (compare, serve)
};

/// Index of each outcome in outcome_table(); the order is part of the output format.
enum class OutcomeId : int {
  SelfCensorshipRate = 0,
  LawfulSelfCensorshipRate,
  SilencedUserShare,
  PostedPerUserDay,
  TakedownRequests,
  TakedownComplianceRate,
  DataRequestComplianceRate,
  OverRemovalShare,
  UnlawfulVisibleShare,
  UsersSanctionedPer100k,
  MeanPerceivedRisk,
  PlatformStatus,
  PlatformLocalized,
  EscalationLevel,
  PlatformRevenue,
  TakedownRequestsPer100k,
  TakedownRequestsReceived,
  LegalChillingRate,
  LawfulLegalChillingRate,
  WrongfulRemovalsPer100k,
  UnlawfulExposureDays,
  ExpectedTakedownRequestsReceived,
  ExpectedTakedownComplianceRate,
  ExpectedUsersSanctionedPer100k,
  Count
};

/// All outcomes in OutcomeId order.
std::span<const OutcomeSpec> outcome_table();
/// Index of an outcome by name, or -1.
int find_outcome(std::string_view name);

/// Result of one run. For outcome k with width w_k (1, or the number of
/// platforms when per_platform):
///  - summary[k] has w_k values: the mean over the last summary_window_days
///    (rates as ratio of sums over the window; NaN when the denominator is 0);
///  - series[k] has records * w_k values, row-major [record][platform], each
///    record the mean over its record_every_days interval.
struct RunResult {
  std::vector<std::vector<double>> summary;   ///< [outcomes][w_k]
  std::vector<std::vector<double>> series;    ///< [outcomes][records * w_k]
  std::vector<std::int64_t> record_day;       ///< [records] last day of each record interval
  /// Per jurisdiction of the user or item (model-spec.md section 7), only with
  /// two or more jurisdictions (else both empty): [outcomes], each with J
  /// values (jur_summary) or records * J values row-major [record][jurisdiction]
  /// (jur_series) for an outcome not per platform, and empty for a [p] outcome.
  std::vector<std::vector<double>> jur_summary;
  std::vector<std::vector<double>> jur_series;
};

/// One day's value of one outcome column: num / den (rates as ratios of sums).
struct DailyValue { double num = 0, den = 0; };

/// Aggregates daily values into a RunResult: per outcome k (width widths[k],
/// columns laid out consecutively in each day's row), the summary over the last
/// `window` days and one record per `every` days (ratios of sums; NaN when the
/// denominator is 0). @param daily [days][columns]
RunResult aggregate_days(const std::vector<std::vector<DailyValue>>& daily, const std::vector<int>& widths,
                         std::int64_t every, std::int64_t window);

}  // namespace complysim
