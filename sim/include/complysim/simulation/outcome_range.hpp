// complysim — the possible range of each canonical outcome (shares 0..1, counts
// and revenue >= 0, codes and levels within their scale), used to clip the
// printed confidence intervals of `complysim run` and `complysim compare`.
// A Student-t interval over few replicates can reach outside that range
// (e.g. a share's interval [0.53, 1.14]); the clipped interval is the set of
// values the outcome can actually take within it.
#pragma once

#include "complysim/core/outcomes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

namespace complysim {

/// Closed interval [lo, hi] of the values an outcome can take.
struct OutcomeRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  /// `x` moved into [lo, hi]; NaN stays NaN.
  double clip(double x) const { return std::isnan(x) ? x : std::clamp(x, lo, hi); }
};

/// The range of outcome `id`: [0, 1] for shares, rates, probabilities and 0/1
/// indicators (platform_localized); [0, 3] for platform_status; [0, 4] for
/// escalation_level; [0, inf) for counts per day and revenue.
OutcomeRange outcome_range(OutcomeId id);

/// As outcome_range(OutcomeId) by canonical name; (-inf, inf) for an unknown name.
OutcomeRange outcome_range(std::string_view outcome);

}  // namespace complysim
