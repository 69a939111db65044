// complysim — the platform's review (model-spec.md section 4): localisation
// decision, inaction band and quantal-response choice of (c, d, tau). See
// rules/platform.hpp.
#include "complysim/model/rules/platform.hpp"
#include "complysim/model/rules/regulator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace complysim::rules {

namespace {

/// Expected items per user per day at a proactive-removal threshold tau.
struct TauSums {
  double flagged = 0;              ///< requests (flagged items left to the platform)
  double flagged_kept = 0;         ///< the same weighted by 1 - p_contest * 1[s < theta]: honoured per unit of c
  double flagged_kept_lawful = 0;  ///< of those, lawful by the yardstick: wrongful removals per unit of c
  double proactive = 0, proactive_lawful = 0;
  double preempted = 0;            ///< proactively removed items the regulator would have flagged
};

TauSums sums_at(double tau, const ItemsSeen& seen, const ChoiceContext& ctx) {
  TauSums q;
  for (int b = 0; b < kSensitivityBins; ++b) {
    const double s_mid = (b + 0.5) / kSensitivityBins;
    const double nb = seen.per_day[static_cast<std::size_t>(b)], fb = seen.flag[static_cast<std::size_t>(b)];
    const bool lawful = s_mid < ctx.lawful_threshold;
    if (s_mid > tau) {
      q.proactive += nb;
      if (lawful) q.proactive_lawful += nb;
      q.preempted += nb * fb;
    } else {
      const double kept = nb * fb * removal_probability(1.0, ctx.p_contest, s_mid < ctx.theta);
      q.flagged += nb * fb;
      q.flagged_kept += kept;
      if (lawful) q.flagged_kept_lawful += kept;
    }
  }
  return q;
}

}  // namespace

PlatformChoice choose(const PlatformChoice& now, const ItemsSeen& seen, const PlatformParams& pp, const ChoiceContext& ctx) {
  const int G = ctx.grid_steps;
  const double tau_hi = ctx.max_removal_threshold, tau_lo = std::min(0.5, tau_hi);
  auto tau_at = [&](int t) { return tau_lo + (tau_hi - tau_lo) * t / (G - 1); };
  std::vector<TauSums> by_tau(static_cast<std::size_t>(G));
  for (int t = 0; t < G; ++t) by_tau[static_cast<std::size_t>(t)] = sums_at(tau_at(t), seen, ctx);
  // Expected utility per user and day of (c, d, tau sums q): platform_utility with the expected counts.
  auto utility = [&](double c, double d, const TauSums& q, bool localized) {
    const double honoured = c * q.flagged_kept;
    double score = q.flagged + q.preempted > 0 ? (honoured + q.preempted) / (q.flagged + q.preempted) : 1.0;
    const double answered = localized ? d * q.flagged : 0.0;
    if (ctx.data_localization) score = std::min(score, localized ? d : 0.0);
    const double p_short = shortfall_probability(score, ctx.compliance_target, ctx.shortfall_width);
    return platform_utility(ctx.revenue, honoured + q.proactive, c * q.flagged_kept_lawful + q.proactive_lawful + answered,
                            honoured + answered, p_short * ctx.penalty_per_day, pp.moderation_cost, pp.reputation_weight,
                            pp.compliance_preference, ctx.revenue);
  };
  auto grid = [&](int i) { return static_cast<double>(i) / (G - 1); };
  auto best_utility = [&](bool localized) {
    double best = -std::numeric_limits<double>::infinity();
    for (int a = 0; a < G; ++a)
      for (int bb = 0; bb < G; ++bb)
        for (int t = 0; t < G; ++t) best = std::max(best, utility(grid(a), grid(bb), by_tau[static_cast<std::size_t>(t)], localized));
    return best;
  };
  PlatformChoice next = now;
  // Localisation: when required, localise once the expected gain over the
  // planning horizon exceeds the one-off cost (localization_cost revenue-days).
  if (ctx.data_localization && !now.localized) {
    const double gain = best_utility(true) - best_utility(false);
    if (gain * ctx.planning_horizon_days > pp.localization_cost * ctx.revenue) next.localized = true;
  }
  // The inaction band, then a logit choice among the points that pass it.
  const double u_now = utility(now.compliance, now.data_compliance, sums_at(now.removal_threshold, seen, ctx), next.localized);
  std::vector<double> u;
  std::vector<int> point;
  u.reserve(static_cast<std::size_t>(G * G * G));
  double umax = -std::numeric_limits<double>::infinity();
  for (int a = 0; a < G; ++a)
    for (int bb = 0; bb < G; ++bb)
      for (int t = 0; t < G; ++t) {
        const double x = utility(grid(a), grid(bb), by_tau[static_cast<std::size_t>(t)], next.localized);
        if (!worth_switching(ctx.review_days, x, u_now, pp.switching_cost, ctx.revenue)) continue;
        u.push_back(x);
        point.push_back((a * G + bb) * G + t);
        umax = std::max(umax, x);
      }
  if (u.empty()) return next;  // no point gains enough: the status quo
  double total = 0;
  for (auto& x : u) total += (x = std::exp(pp.rationality * (x - umax) / ctx.revenue));
  double x = ctx.choice_uniform * total;
  std::size_t pick = 0;
  for (; pick + 1 < u.size(); ++pick) {
    x -= u[pick];
    if (x <= 0) break;
  }
  const int p = point[pick];
  const int a = p / (G * G), bb = (p / G) % G, t = p % G;
  const double lr = pp.learning_rate;
  next.compliance += lr * (grid(a) - next.compliance);
  next.data_compliance += lr * (grid(bb) - next.data_compliance);
  next.removal_threshold += lr * (tau_at(t) - next.removal_threshold);
  return next;
}

}  // namespace complysim::rules
