// complysim — the regulator's rules (model-spec.md section 5): flagging,
// data requests and identification, the compliance score of a review and the
// escalation ladder (one step function for reviews and scheduled events).
// Pure functions of plain values, inline; the unit tests call the same ones.
#pragma once

#include "complysim/model/rules/platform.hpp"
#include "complysim/model/rules/user.hpp"

#include <algorithm>
#include <cstdint>

namespace complysim::rules {

/// Probability that the regulator flags an item of sensitivity s on a given
/// day: monitoring_rate * judged_violating(s, theta_enf, sigma). In the model the
/// two factors are two Bernoulli draws (reviewed, then judged).
/// Source: model-spec.md section 5; Craswell & Calfee 1986.
inline double flag_probability(double s, double monitoring_rate, double theta_enf, double sigma) {
  return monitoring_rate * judged_violating(s, theta_enf, sigma);
}

/// Whether the author of a flagged item is identified: through the platform's
/// answer to the data request (`answered`, possible only with localised data),
/// or else by the state's own means (`identified_otherwise()`, a draw with
/// probability law.identification, made only when the platform did not answer).
/// Source: model-spec.md section 5 (Decree 147/2024 account verification).
template <class Draw>
inline bool identified(bool answered, Draw&& identified_otherwise) { return answered || identified_otherwise(); }

/// A platform's compliance score at a review (share 0..1): (honoured +
/// pre-empted) / (requests + pre-empted), 1 with neither; with data
/// localisation required, the lower of that and the data score (0 when not
/// localised; answered / data requests, 1 with none). Items the platform removed
/// proactively that the regulator would have flagged ("pre-empted") count as
/// honoured. Source: model-spec.md section 5.
inline double compliance_score(std::int64_t requests, std::int64_t honoured, std::int64_t preempted, bool data_localization,
                               bool localized, std::int64_t data_requests, std::int64_t data_answered) {
  const auto num = static_cast<double>(honoured + preempted);
  const auto den = static_cast<double>(requests + preempted);
  double score = den > 0 ? num / den : 1.0;
  if (data_localization) {
    const double data_score = !localized ? 0.0
                              : data_requests > 0 ? static_cast<double>(data_answered) / static_cast<double>(data_requests)
                                                  : 1.0;
    score = std::min(score, data_score);
  }
  return score;
}

/// Where a platform stands on the escalation ladder.
struct LadderState {
  PlatformStatus status = PlatformStatus::Active;
  std::int64_t status_until = 0;  ///< first day after the throttling/suspension
  int level = 0;                  ///< 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension
  double fines_due = 0;           ///< fines not yet paid (relative revenue units)
};

/// One escalation to `level` (1..4), carried out from day `first_day`: the
/// level becomes max(current, level) (at most 4); 2 adds a fine of `fine`
/// (revenue units) to fines_due; 3 throttles and 4 suspends for `days` days
/// (status_until = first_day + days). A regulator's review (a step up the
/// ladder, effective the next day) and a scheduled event (`action`, effective
/// today) both call it. Source: model-spec.md section 5.
inline LadderState escalate(LadderState st, int level, std::int64_t first_day, std::int64_t days, double fine) {
  level = std::min(4, level);
  st.level = std::max(st.level, level);
  switch (level) {
    case 2: st.fines_due += fine; break;
    case 3:
      st.status = PlatformStatus::Throttled;
      st.status_until = first_day + days;
      break;
    case 4:
      st.status = PlatformStatus::Suspended;
      st.status_until = first_day + days;
      break;
    default: break;  // 1: a warning
  }
  return st;
}

/// One step down the ladder after a review at or above target (not below 0).
/// Source: model-spec.md section 5.
inline int step_down(int level) { return std::max(0, level - 1); }

/// The platform's learned credibility after an escalation decision: moved a
/// share `learning` (platform.credibility_learning) toward 1 if the step was
/// carried out, toward 0 if not. Source: model-spec.md section 4.
inline double learned_credibility(double belief, double learning, bool carried_out) {
  return belief + learning * ((carried_out ? 1.0 : 0.0) - belief);
}

}  // namespace complysim::rules
