// complysim — the regulator's rules (model-spec.md section 5): flagging,
// data requests and identification, the compliance score of a review and the
// escalation ladder (one step function for reviews and scheduled events).
// Pure functions of plain values, inline; the unit tests call the same ones.
#pragma once

#include "complysim/model/rules/platform.hpp"
#include "complysim/model/rules/user.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace complysim::rules {

/// Probability that the regulator flags an item of sensitivity s on a given
/// day: monitoring_rate * judged_violating(s, theta_enf, sigma). In the model the
/// two factors are two Bernoulli draws (reviewed, then judged).
/// Source: model-spec.md section 5; Craswell & Calfee 1986.
inline double flag_probability(double s, double monitoring_rate, double theta_enf, double sigma) {
  return monitoring_rate * judged_violating(s, theta_enf, sigma);
}

/// The monitoring rate one day later under a trend in the regulator's review
/// capacity: monitoring_rate * exp(growth / 365), at most 1; exactly
/// monitoring_rate when growth is 0. growth is per year on the log scale. Applied
/// at the start of every day after the first, before that day's events, so a run
/// without events reviews at monitoring_rate * exp(growth * t / 365) on day t, and
/// an event that sets the rate or the growth takes over from its day on.
/// An extension beside model-spec.md section 5 (constant rate): docs/model.md, Regulators.
inline double grown_monitoring_rate(double monitoring_rate, double growth) {
  if (growth == 0.0) return monitoring_rate;
  return std::min(1.0, monitoring_rate * std::exp(growth / 365.0));
}

/// The monitoring rate the regulator applies to one platform's items:
/// min(1, monitoring_rate * attention), where attention is the platform's
/// regulator_attention (1: the same attention as every other platform, and then
/// exactly monitoring_rate). 0 when monitoring_rate is 0, whatever the attention.
/// An extension beside model-spec.md section 5 (one rate for all platforms):
/// docs/model.md, Regulators.
inline double platform_monitoring_rate(double monitoring_rate, double attention) {
  if (attention == 1.0) return monitoring_rate;
  if (monitoring_rate <= 0.0 || attention <= 0.0) return 0.0;
  return std::min(1.0, monitoring_rate * attention);
}

/// The attention the regulator pays a platform's items today: attention *
/// surge while a surge is active (a temporary crackdown on that platform,
/// switched on and off by events), exactly attention otherwise. The product
/// goes to platform_monitoring_rate, which caps the rate at 1.
/// An extension beside model-spec.md section 5: docs/model.md, Regulators.
inline double surged_attention(double attention, double surge, bool active) {
  return active ? attention * surge : attention;
}

/// A platform's regulator_attention one day later under its attention_growth
/// (per year on the log scale): attention * exp(growth / 365); exactly attention
/// when growth is 0. Applied at the start of every day after the first, before
/// that day's events, like grown_monitoring_rate (the product with the rate is
/// capped at 1 by platform_monitoring_rate, not the attention itself).
inline double grown_attention(double attention, double growth) {
  if (growth == 0.0) return attention;
  return attention * std::exp(growth / 365.0);
}

/// Probability that an item visible for `lifetime_days` days is reviewed at
/// some point: 1 - (1 - m)^L, each day with probability m = monitoring_rate,
/// at most once. Source: model-spec.md section 5 (the regulator watches the stock).
inline double reviewed_within_lifetime(double monitoring_rate, std::int64_t lifetime_days) {
  return 1.0 - std::pow(1.0 - monitoring_rate, static_cast<double>(lifetime_days));
}

/// Days from posting to the review of an item (0 = the posting day), drawn by
/// inversion of one uniform u in (0, 1): the first success of daily Bernoulli(m)
/// trials, floor(log u / log(1 - m)). Returns `never` when m <= 0 (and for
/// delays at or beyond it). Source: model-spec.md section 5.
inline std::int64_t review_delay(double u, double monitoring_rate, std::int64_t never) {
  if (monitoring_rate <= 0.0) return never;
  if (monitoring_rate >= 1.0) return 0;
  const double d = std::floor(std::log(u) / std::log1p(-monitoring_rate));
  return d >= static_cast<double>(never) ? never : static_cast<std::int64_t>(d);
}

/// Probability p_h = 1 - exp(-h / review_hours) that a platform, in the h hours
/// of the deadline, finds that a requested item lies below the law's line theta
/// (and contests the request). Source: model-spec.md section 4 (the NetzDG
/// debate on 24-hour deadlines).
inline double contest_probability(double deadline_hours, double review_hours) {
  return 1.0 - std::exp(-deadline_hours / review_hours);
}

/// Probability that a requested item is removed: c * (1 - p_h * 1[s < theta]).
/// Also each request's expected honour, the regulator's compliance score.
/// Source: model-spec.md sections 4 and 5.
inline double removal_probability(double compliance, double p_contest, bool below_line) {
  return compliance * (1.0 - (below_line ? p_contest : 0.0));
}

/// When an item leaves the feeds (days since day 0, fractional): at its
/// removal time if removed before expiry, else at expiry (posting day +
/// content.lifetime_days). Source: model-spec.md section 5.
inline double leave_time(bool removed, double removal_time, double expiry) {
  return removed && removal_time < expiry ? removal_time : expiry;
}

/// Last day at whose end an item that leaves the feeds at `leave` was still
/// visible: floor(leave) - 1 (an item that expires at the start of day t + L was
/// visible at the end of day t + L - 1; one removed during day x was last seen
/// at the end of day x - 1). Source: model-spec.md sections 3 and 5.
inline std::int64_t last_visible_day(double leave) { return static_cast<std::int64_t>(std::floor(leave)) - 1; }

/// Exposure of an item posted (at the start of) day `post_day` that leaves at
/// `leave`: leave - post_day days. Source: model-spec.md section 7 (unlawful_exposure_days).
inline double exposure_days(std::int64_t post_day, double leave) { return leave - static_cast<double>(post_day); }

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
/// localised, else the platform's data compliance d: the expected share of
/// data requests answered). Items the platform removed proactively that the
/// regulator would have flagged ("pre-empted") count as honoured.
/// Source: model-spec.md section 5.
/// Scored on expected honour (v2), summed over the stock rather than over the
/// sample's realised requests: `requests` is the expected number of takedown
/// requests the period's posted items draw (each item's chance of being flagged
/// in its lifetime), `honoured` the same weighted by each item's removal
/// probability under the platform's policy, `preempted` the expected number of
/// proactively removed items the regulator would have flagged. The score is then
/// the same at any sample size, including when requests are so rare that the
/// sample sees none (the represented country still sees them).
inline double compliance_score(double requests, double honoured, double preempted, bool data_localization, bool localized,
                               double data_compliance) {
  const double num = honoured + preempted;
  const double den = requests + preempted;
  double score = den > 0 ? num / den : 1.0;
  if (data_localization) score = std::min(score, localized ? data_compliance : 0.0);
  return score;
}

/// Probability that the represented country's regulator had anything to score
/// in a review period: at least one takedown request or flaggable pre-empted
/// item among the represented population, 1 - exp(-scale * (requests +
/// preempted)) with the period's expected sample counts (compliance_score) and
/// `scale` = represented_users / users (Poisson). A period without evidence
/// leaves the level unchanged. Written for the represented population, so the
/// ladder does not depend on the sample size (a sample too small to see a
/// request would otherwise never escalate). Source: model-spec.md sections 1 and 5.
inline double evidence_probability(double requests, double preempted, double scale) {
  return -std::expm1(-scale * (requests + preempted));
}

/// Whether a compliance score meets the target: score >= target - 1e-9. A
/// score is a sum of removal probabilities over a count, so a platform that
/// honours exactly the target share scores the target only up to rounding,
/// and that rounding grows with the number of requests (with the sample size).
/// Source: model-spec.md section 5.
inline bool meets_target(double score, double target) { return score >= target - 1e-9; }

/// Level of the next step up from `level`, at most `max_level`
/// (regulator.max_escalation_level; at the top the top step is taken again).
/// Source: model-spec.md section 5.
inline int next_level(int level, int max_level) { return std::min(std::min(4, max_level), level + 1); }

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
