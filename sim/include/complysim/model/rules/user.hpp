// complysim — the user's rules (model-spec.md section 3): the posting
// decision, the perceived sanction risk R-hat(s) and the belief updates.
// Small pure functions of plain values, inline so that the batched passes in
// model.cpp call them without cost; the unit tests (tests/model/rules/) call
// the same functions.
#pragma once

#include <algorithm>
#include <cmath>

namespace complysim::rules {

/// Standard normal CDF Phi(x).
inline double Phi(double x) { return 0.5 * std::erfc(-x * 0.7071067811865476); }

/// Probability that an item of sensitivity `s` (0..1) is judged violating under
/// a line at `theta_enf` applied with vagueness `sigma` (model-spec.md section 2):
/// Phi((s - theta_enf) / sigma); sigma = 0 is the bright-line step s > theta_enf.
/// Source: vagueness as a noisy legal standard, Craswell & Calfee 1986.
inline double judged_violating(double s, double theta_enf, double sigma) {
  if (sigma <= 0.0) return s > theta_enf ? 1.0 : 0.0;
  return Phi((s - theta_enf) / sigma);
}

/// The line as a user perceives it: theta-hat = theta_enf - a * shift * sigma * u,
/// with a = +1 (ambiguity averse: reads the rule pessimistically, a lower line)
/// or -1, shift = population.ambiguity_shift, u in [0, 1] the user's remaining
/// uncertainty. Source: model-spec.md section 3 (ambiguity attitudes after
/// Lyhs & Hoeppner 2016).
inline double perceived_line(double theta_enf, int ambiguity, double shift, double sigma, double u) {
  return theta_enf - ambiguity * shift * sigma * u;
}

/// R-hat(s) = pi-hat * Phi((s - theta-hat) / sigma): the user's perceived
/// probability (0..1) of being sanctioned for an item of sensitivity s.
/// Source: model-spec.md section 3.
inline double perceived_risk(double pi, double s, double theta_hat, double sigma) {
  return pi * judged_violating(s, theta_hat, sigma);
}

/// The posting rule g - rho*J * R-hat - phi * (1 - q) > T: true = post.
/// @param g grievance, @param rho_J risk aversion times law.user_sanction,
/// @param risk R-hat(s), @param isolation phi * (1 - q), @param T speak threshold.
/// Source: Epstein 2002 (grievance minus net risk against a threshold);
/// Noelle-Neumann 1974 (spiral of silence) for the isolation term.
inline bool posts(double g, double rho_J, double risk, double isolation, double T) {
  return g - rho_J * risk - isolation > T;
}

/// The posting decision for an item of sensitivity `s`, evaluated lazily: since
/// R-hat lies in [0, pi], the item is posted without computing R-hat when even
/// R-hat = pi posts, and withheld when even R-hat = 0 does not (rounding is
/// monotone, so the decisions are those of computing R-hat every time).
/// Source: posts(), perceived_risk(), perceived_line().
inline bool decide_post(double g, double rho_J, double isolation, double T, double pi, double s,
                        double theta_enf, int ambiguity, double shift, double sigma, double u) {
  if (posts(g, rho_J, pi, isolation, T)) return true;
  if (!posts(g, rho_J, 0.0, isolation, T)) return false;
  return posts(g, rho_J, perceived_risk(pi, s, perceived_line(theta_enf, ambiguity, shift, sigma, u), sigma), isolation, T);
}

/// The counterfactual decision with no perceived legal risk (R-hat = 0), on the
/// same draws and the same climate: true = the item would be posted.
/// Source: model-spec.md section 3 (legally chilled items).
inline bool posts_without_legal_risk(double g, double rho_J, double isolation, double T) {
  return posts(g, rho_J, 0.0, isolation, T);
}

/// An intended item is legally chilled when it is withheld (`posted` false)
/// although it would have been posted with no perceived legal risk: the direct
/// effect of the decree on this item. Source: model-spec.md section 3.
inline bool legally_chilled(bool posted, bool posted_without_legal_risk) { return !posted && posted_without_legal_risk; }

/// Mean sensitivity of a user's intended items: base + slope * g
/// (population.sensitivity_base, population.sensitivity_slope; v1: 0.2 + 0.6 g).
/// Source: model-spec.md section 3.
inline double sensitivity_mean(double g, double base, double slope) { return base + slope * g; }

/// Expected number of publicised sanctions a user of jurisdiction j hears of
/// today: publicity * reach * R_j * S_j / N_j, with S_j yesterday's sanctions
/// among the N_j simulated users of j and R_j the real users they stand for. A
/// per-capita rate: the same in expectation at any sample size (v1 fired "if at
/// least one sanction happened yesterday", which a larger sample makes certain).
/// Source: model-spec.md section 3.
inline double publicity_rate(double publicity, double reach, double represented_j, double sanctions_j, double simulated_j) {
  return simulated_j > 0 ? publicity * reach * represented_j * sanctions_j / simulated_j : 0.0;
}

/// A belief pi moved a share `weight` toward 1: pi + weight * (1 - pi). The
/// update after the user's own takedown (weight beliefs.takedown_jump) and after
/// a publicised sanction (beliefs.publicity_weight). Source: tax-compliance ABMs,
/// Andrei, Comer & Koehler 2014; Hokamp & Pickhardt 2010.
inline double toward_one(double pi, double weight) { return pi + weight * (1.0 - pi); }

/// Belief after k cases with weight w, given keep_pow = (1 - w)^k:
/// 1 - (1 - pi) * keep_pow (k applications of toward_one, in one step). Used for
/// k sanctioned neighbours (w = beliefs.neighbor_weight) and k publicised
/// sanctions heard of (w = beliefs.publicity_weight).
/// Source: model-spec.md section 3; Andrei, Comer & Koehler 2014.
inline double after_neighbour_sanctions(double pi, double keep_pow) { return 1.0 - (1.0 - pi) * keep_pow; }

/// Daily decay of pi toward `prior` (beliefs.prior_risk) at rate `decay`
/// (beliefs.decay): pi + decay * (prior - pi). Source: model-spec.md section 3.
inline double decayed(double pi, double decay, double prior) { return pi + decay * (prior - pi); }

/// Belief after the user's own item was taken down: toward_one(pi, jump), or pi
/// unchanged when the removal was reversed on appeal (the jump undone).
/// Source: model-spec.md section 3.
inline double after_takedown(double pi, double jump, bool reversed_on_appeal) {
  return reversed_on_appeal ? pi : toward_one(pi, jump);
}

/// Belief after the user's own sanction: certainty, pi = 1 (and the user is
/// silent for beliefs.silence_days). Source: model-spec.md section 3.
inline double after_own_sanction() { return 1.0; }

/// Uncertainty u after a takedown notice that states its legal basis: lowered
/// by `learning` (beliefs.notice_learning), not below 0. Source: model-spec.md section 3.
inline double after_notice(double u, double learning) { return std::max(0.0, u - learning); }

/// Whether an appeal can reverse a removal: only of an item below the law's own
/// line theta (courts apply the law as written); it then succeeds with
/// probability law.appeals. Source: model-spec.md section 3.
inline bool appealable(double s, double theta) { return s < theta; }

}  // namespace complysim::rules
