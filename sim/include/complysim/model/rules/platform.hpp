// complysim — the platform's rules (model-spec.md section 4): request
// handling, the utility (one function for the choice and the exit rule), the
// grid choice of (c, d, tau) and the localisation decision. Pure functions of
// plain values; the hot ones inline. The unit tests call the same functions.
#pragma once

#include "complysim/scenario.hpp"

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

/// Width of the logistic a platform uses for "falls short of the target" (share units).
inline constexpr double kShortfallWidth = 0.02;
/// Horizon over which a platform weighs the one-off cost of localising (days).
inline constexpr double kLocalizationHorizonDays = 365.0;

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

/// A platform's utility for one day (relative revenue units):
///   revenue - moderation_cost * unit * moderated - reputation_weight * unit * harms - penalty,
/// with `unit` the revenue of one user-day (the unit of the per-event costs),
/// `moderated` the requests honoured plus items removed proactively, `harms`
/// the wrongful removals plus data handovers, `penalty` fines (realised or
/// expected). The exit rule calls it with the day's realised counts, the choice
/// with the expected ones: one function, so both weigh the same terms.
/// Source: model-spec.md section 4 (inspection games: Avenhaus, von Stengel & Zamir 2002).
inline double platform_utility(double revenue, double moderated, double harms, double penalty,
                               double moderation_cost, double reputation_weight, double unit) {
  return revenue - moderation_cost * unit * moderated - reputation_weight * unit * harms - penalty;
}

/// Consecutive days of negative utility after today: negative_days + 1 when
/// `utility` < 0, else 0. Source: model-spec.md section 4 (exit rule).
inline std::int64_t negative_days_after(std::int64_t negative_days, double utility) {
  return utility < 0 ? negative_days + 1 : 0;
}

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
/// next steps' losses, step k weighted by credibility^(k - level) (each step
/// carried out with the believed credibility). Source: model-spec.md section 4
/// (credibility is learned; Tsebelis 1989).
inline double loss_ahead(int level, double credibility, const RegulatorParams& reg, double revenue_at_stake) {
  double loss = 0, w = 1;
  for (int k = level + 1 < 4 ? level + 1 : 4; k <= 4; ++k) {
    w *= credibility;
    loss += w * step_loss(k, reg, revenue_at_stake);
    if (level >= 4) break;
  }
  return loss;
}

/// What a platform saw since its last review: items posted per day per
/// sensitivity bin, and the chance of each bin being flagged by the regulator.
struct ItemsSeen {
  std::array<double, kSensitivityBins> per_day{};  ///< items per day in bin b (s in [b/20, (b+1)/20))
  std::array<double, kSensitivityBins> flag{};     ///< monitoring_rate * judged_violating(bin mid-point)
};

/// The state a platform's review starts from and the choice it ends with.
struct PlatformChoice {
  double compliance = 0, data_compliance = 0, removal_threshold = 1;
  bool localized = false;
};

/// Inputs of a platform's review besides its parameters.
struct ChoiceContext {
  double theta = 0.5;               ///< the law's line (lawful below it)
  bool data_localization = false;   ///< law.data_localization
  double revenue = 0;               ///< R0: the platform's daily revenue in this jurisdiction
  double unit = 0;                  ///< revenue of one user-day
  double penalty_per_day = 0;       ///< expected loss of the ladder ahead / regulator.review_days
  double compliance_target = 0.9;   ///< regulator.compliance_target
  int grid_steps = 5;               ///< platform.choice_grid_steps (G)
  double choice_uniform = 0;        ///< the review's uniform draw in [0, 1)
};

/// A platform's review (model-spec.md section 4): the localisation decision
/// (localise once the expected gain over a year exceeds localization_cost
/// revenue-days), then a quantal-response (logit, precision `rationality` per
/// unit of daily revenue) choice of (c, d, tau) on a G x G x G grid by expected
/// utility (platform_utility), and a move of a share `learning_rate` toward it.
/// Source: McKelvey & Palfrey 1995; Avenhaus, von Stengel & Zamir 2002.
PlatformChoice choose(const PlatformChoice& now, const ItemsSeen& seen, const PlatformParams& pp, const ChoiceContext& ctx);

}  // namespace rules
}  // namespace complysim
