// complysim — the platform's review (model-spec.md section 4): localisation
// decision and quantal-response choice of (c, d, tau). See rules/platform.hpp.
#include "complysim/model/rules/platform.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace complysim::rules {

PlatformChoice choose(const PlatformChoice& now, const ItemsSeen& seen, const PlatformParams& pp, const ChoiceContext& ctx) {
  const int G = ctx.grid_steps;
  const double theta = ctx.theta;
  // The item sums depend only on tau: computed once per tau step (the same
  // loop as per grid point, so the same numbers), then combined with c and d.
  struct TauSums { double visible_flagged = 0, visible_flagged_lawful = 0, proactive = 0, proactive_lawful = 0, preempted = 0; };
  std::vector<TauSums> by_tau(static_cast<std::size_t>(G));
  for (int t = 0; t < G; ++t) {
    const double tau = 0.5 + 0.5 * t / (G - 1);
    TauSums& q = by_tau[static_cast<std::size_t>(t)];
    for (int b = 0; b < kSensitivityBins; ++b) {
      const double s_mid = (b + 0.5) / kSensitivityBins;
      const double nb = seen.per_day[static_cast<std::size_t>(b)], fb = seen.flag[static_cast<std::size_t>(b)];
      if (s_mid > tau) {
        q.proactive += nb;
        if (s_mid < theta) q.proactive_lawful += nb;
        q.preempted += nb * fb;
      } else {
        q.visible_flagged += nb * fb;
        if (s_mid < theta) q.visible_flagged_lawful += nb * fb;
      }
    }
  }
  // Expected utility of grid point (c, d, tau step t): platform_utility with
  // the expected counts and the expected penalty of falling short.
  auto utility = [&](double c, double d, int t, bool localized) {
    const TauSums& q = by_tau[static_cast<std::size_t>(t)];
    double score = q.visible_flagged + q.preempted > 0 ? (c * q.visible_flagged + q.preempted) / (q.visible_flagged + q.preempted) : 1.0;
    const double handovers = localized ? d * q.visible_flagged : 0.0;
    if (ctx.data_localization) score = std::min(score, localized ? d : 0.0);
    const double p_short = shortfall_probability(score, ctx.compliance_target, kShortfallWidth);
    return platform_utility(ctx.revenue, c * q.visible_flagged + q.proactive, c * q.visible_flagged_lawful + q.proactive_lawful + handovers,
                            p_short * ctx.penalty_per_day, pp.moderation_cost, pp.reputation_weight, ctx.unit);
  };
  auto best_utility = [&](bool localized) {
    double best = -std::numeric_limits<double>::infinity();
    for (int a = 0; a < G; ++a)
      for (int bb = 0; bb < G; ++bb)
        for (int t = 0; t < G; ++t) {
          const double c = static_cast<double>(a) / (G - 1), d = static_cast<double>(bb) / (G - 1);
          best = std::max(best, utility(c, d, t, localized));
        }
    return best;
  };
  PlatformChoice next = now;
  // Localisation: when required, localise once the expected gain over a
  // year exceeds the one-off cost (localization_cost revenue-days).
  if (ctx.data_localization && !now.localized) {
    const double gain = best_utility(true) - best_utility(false);
    if (gain * kLocalizationHorizonDays > pp.localization_cost * ctx.revenue) next.localized = true;
  }
  // Quantal response: P(choice) proportional to exp(lambda * U / R0).
  std::vector<double> u;
  u.reserve(static_cast<std::size_t>(G * G * G));
  double umax = -std::numeric_limits<double>::infinity();
  for (int a = 0; a < G; ++a)
    for (int bb = 0; bb < G; ++bb)
      for (int t = 0; t < G; ++t) {
        const double c = static_cast<double>(a) / (G - 1), d = static_cast<double>(bb) / (G - 1);
        u.push_back(utility(c, d, t, next.localized));
        umax = std::max(umax, u.back());
      }
  double total = 0;
  for (auto& x : u) total += (x = std::exp(pp.rationality * (x - umax) / ctx.revenue));
  double x = ctx.choice_uniform * total;
  std::size_t pick = 0;
  for (; pick + 1 < u.size(); ++pick) {
    x -= u[pick];
    if (x <= 0) break;
  }
  const int a = static_cast<int>(pick) / (G * G), bb = (static_cast<int>(pick) / G) % G, t = static_cast<int>(pick) % G;
  const double lr = pp.learning_rate;
  next.compliance += lr * (static_cast<double>(a) / (G - 1) - next.compliance);
  next.data_compliance += lr * (static_cast<double>(bb) / (G - 1) - next.data_compliance);
  next.removal_threshold += lr * (0.5 + 0.5 * t / (G - 1) - next.removal_threshold);
  return next;
}

}  // namespace complysim::rules
