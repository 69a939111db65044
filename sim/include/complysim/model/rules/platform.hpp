// complysim — the platform's rules (model-spec.md section 4): request
// handling, the utility (one function for the choice and the exit rule), the
// grid choice of (c, d, tau) and the localisation decision. Pure functions of
// plain values; the hot ones inline. The unit tests call the same functions.
#pragma once

#include "complysim/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace complysim {

/// Platform status codes, as written to `platform_status`.
enum class PlatformStatus : int { Active = 0, Throttled = 1, Suspended = 2, Exited = 3 };

/// Number of sensitivity bins in which a platform tallies the items posted on
/// it; its expected-utility estimate works on these bins.
inline constexpr int kSensitivityBins = 20;

namespace rules {

/// Daily activity factor of a platform status: 1 active, 1 - throttle_severity
/// throttled, 0 suspended or exited. It scales both revenue and its users'
/// activity. Source: model-spec.md section 4.
inline double activity_factor(PlatformStatus status, double throttle_severity) {
  switch (status) {
    case PlatformStatus::Active: return 1.0;
    case PlatformStatus::Throttled: return 1.0 - throttle_severity;
    default: return 0.0;
  }
}

/// A platform's utility per user and day (relative revenue units):
///   revenue - moderation_cost * unit * moderated - reputation_weight * unit * harms
///   + compliance_preference * unit * goodwill - penalty,
/// with `unit` the revenue of one user-day (the unit of the per-event weights),
/// `moderated` the requests honoured plus items removed proactively, `harms`
/// the wrongful removals plus data handovers, `goodwill` the honoured requests
/// plus answered data requests, `penalty` fines and localisation cost (realised)
/// or the expected loss of falling short (expected); all per user per day. The
/// exit rule calls it with the day's realised counts, the choice with the
/// expected ones: one function, so both weigh the same terms.
/// Source: model-spec.md section 4 (inspection games: Avenhaus, von Stengel & Zamir 2002).
inline double platform_utility(double revenue, double moderated, double harms, double goodwill, double penalty,
                               double moderation_cost, double reputation_weight, double compliance_preference, double unit) {
  return revenue - moderation_cost * unit * moderated - reputation_weight * unit * harms +
         compliance_preference * unit * goodwill - penalty;
}

/// The inaction band (Dixit 1989): a review moves the platform to grid point k
/// only if review_days * (U_k - U_current) > switching_cost * revenue, with U
/// per user and day and `revenue` one user's daily revenue (switching_cost in
/// days of the platform's whole revenue). Decision noise cannot create moves
/// that no incentive asks for. Source: model-spec.md section 4.
inline bool worth_switching(double review_days, double u_k, double u_current, double switching_cost, double revenue) {
  return review_days * (u_k - u_current) > switching_cost * revenue;
}

/// Whether today counts against the exit rule: negative utility, or a day
/// under suspension (so a platform suspended long enough can leave).
/// Source: model-spec.md section 4.
inline bool bad_day(double utility, bool suspended) { return utility < 0 || suspended; }

/// Consecutive bad days (bad_day) after today: negative_days + 1 when today is
/// one, else 0. Source: model-spec.md section 4 (exit rule).
inline std::int64_t negative_days_after(std::int64_t negative_days, bool bad) { return bad ? negative_days + 1 : 0; }

/// Whether the platform leaves: it can exit and its utility has been negative
/// for `patience` (platform.exit_patience_days) days. Source: model-spec.md section 4.
inline bool exits(bool can_exit, std::int64_t negative_days, std::int64_t patience) {
  return can_exit && negative_days >= patience;
}

/// The platform's belief that it falls short of the target at compliance score
/// `score`: 1 / (1 + exp((score - target) / width)), a logistic of width
/// `width` (share units). Source: model-spec.md section 4.
inline double shortfall_probability(double score, double target, double width) {
  return 1.0 / (1.0 + std::exp((score - target) / width));
}

/// Loss (relative revenue units) of escalation level k to a platform with
/// `revenue_at_stake` per day: 2 a fine of fine_revenue_days, 3 throttling
/// (severity x days), 4 suspension (days); 0 for a warning. Source: model-spec.md section 5.
inline double step_loss(int k, const RegulatorParams& reg, double revenue_at_stake) {
  switch (k) {
    case 2: return reg.fine_revenue_days * revenue_at_stake;
    case 3: return reg.throttle_severity * static_cast<double>(reg.throttle_days) * revenue_at_stake;
    case 4: return static_cast<double>(reg.suspension_days) * revenue_at_stake;
    default: return 0.0;
  }
}

/// Expected loss of the ladder ahead of a platform at escalation `level`: the
/// next steps' losses up to regulator.max_escalation_level, step k weighted by
/// credibility^(k - level) (each step carried out with the believed
/// credibility); at the top, the top step again. Source: model-spec.md
/// section 4 (credibility is learned; Tsebelis 1989).
inline double loss_ahead(int level, double credibility, const RegulatorParams& reg, double revenue_at_stake) {
  const int top = static_cast<int>(std::min<std::int64_t>(4, reg.max_escalation_level));
  double loss = 0, w = 1;
  for (int k = level + 1 < top ? level + 1 : top; k >= 1 && k <= top; ++k) {
    w *= credibility;
    loss += w * step_loss(k, reg, revenue_at_stake);
    if (level >= top) break;
  }
  return loss;
}

/// What a platform saw since its last review, per user of the platform and day.
struct ItemsSeen {
  std::array<double, kSensitivityBins> per_day{};  ///< items posted per user per day in bin b (s in [b/20, (b+1)/20))
  std::array<double, kSensitivityBins> flag{};     ///< chance an item of the bin is flagged in its lifetime: reviewed_within_lifetime * judged_violating(mid-point)
};

/// The state a platform's review starts from and the choice it ends with.
struct PlatformChoice {
  double compliance = 0, data_compliance = 0, removal_threshold = 1;
  bool localized = false;
};

/// Inputs of a platform's review besides its parameters. Utilities are per
/// user of the platform and per day.
struct ChoiceContext {
  double theta = 0.5;               ///< the law's line (a platform contests requested items below it)
  double lawful_threshold = 0.8;    ///< outcomes.lawful_threshold: lawful items' removal is wrongful (reputation cost)
  double p_contest = 0;             ///< contest_probability(deadline, review_hours)
  bool data_localization = false;   ///< law.data_localization
  double revenue = 0;               ///< one user's daily revenue (revenue_per_user_day)
  double penalty_per_day = 0;       ///< expected loss of the ladder ahead per user / regulator.review_days
  double compliance_target = 0.9;   ///< regulator.compliance_target
  double shortfall_width = 0.02;    ///< platform.shortfall_width
  double planning_horizon_days = 365;  ///< platform.planning_horizon_days
  double review_days = 7;           ///< platform.review_days (the inaction band's period)
  double max_removal_threshold = 1; ///< initial_removal_threshold: tau is chosen on [0.5, it]
  int grid_steps = 5;               ///< platform.choice_grid_steps (G)
  double choice_uniform = 0;        ///< the review's uniform draw in [0, 1)
};

/// A platform's review (model-spec.md section 4): the localisation decision
/// (localise once the expected gain over planning_horizon_days exceeds
/// localization_cost revenue-days), then, among the grid points of (c, d, tau)
/// (G x G x G; tau on [0.5, initial_removal_threshold]) that pass the inaction
/// band (worth_switching), a quantal-response (logit, precision `rationality`
/// per unit of daily revenue) choice by expected utility (platform_utility),
/// and a move of a share `learning_rate` toward it; no point passing the band:
/// no move. `localized_now` in the result tells whether it localised at this review.
/// Source: McKelvey & Palfrey 1995; Dixit 1989; Avenhaus, von Stengel & Zamir 2002.
PlatformChoice choose(const PlatformChoice& now, const ItemsSeen& seen, const PlatformParams& pp, const ChoiceContext& ctx);

}  // namespace rules
}  // namespace complysim
