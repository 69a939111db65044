// complysim — the regulator's and platforms' reviews (model-spec.md sections 4
// and 5): the review of the item stock due today in one block of users
// (review_due), the escalation ladder (regulator_reviews, escalate) and the
// platforms' choices (platform_reviews). The rules themselves are in
// model/rules/; model.cpp keeps the state, set-up, daily passes and recording.
#include "complysim/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace complysim {
namespace {
using rules::judged_violating;
inline float to_f(double x) { return static_cast<float>(x); }
}  // namespace

void Model::add_exposure(BlockStock& st, std::int64_t post_day, double leave, std::size_t jurisdiction) const {
  const auto slot = static_cast<std::size_t>(static_cast<std::int64_t>(std::floor(leave)) % (s_.content.lifetime_days + 1));
  const double days = rules::exposure_days(post_day, leave);
  st.exposure_sum[slot] += days;
  ++st.exposure_n[slot];
  const std::size_t sj = slot * s_.jurisdictions.size() + jurisdiction;
  st.exposure_sum_jur[sj] += days;
  ++st.exposure_n_jur[sj];
}

// The regulator's review of the items due today (model-spec.md section 5):
// judgement, takedown request (removed h hours after it arrives, contested
// below the law's line), notice and appeal, data request, identification and
// sanction. Each item draws from its own stream (posting day, author, Review + index).
void Model::review_due(BlockCounters& c, BlockStock& st) {
  const std::int64_t L = s_.content.lifetime_days;
  auto& due = st.due[static_cast<std::size_t>(day_ % L)];
  const auto& bel = s_.beliefs;
  const double yardstick = s_.outcomes.lawful_threshold;
  const auto day = static_cast<std::int32_t>(day_);
  for (const PendingReview& p : due) {
    const std::size_t i = p.author;
    const auto ii = static_cast<Eigen::Index>(i);
    const std::int64_t posted = day_ - p.delay, expiry = posted + L;
    const double s = p.s;
    const bool lawful = s < yardstick;
    const std::size_t o = users_.jurisdiction[i] * static_cast<std::size_t>(n_platforms_) + users_.platform[i];
    const Operation& op = ops_[o];
    const auto& jur = s_.jurisdictions[users_.jurisdiction[i]];
    const auto& law = jur.law;
    Stream r(key_, static_cast<std::uint32_t>(posted), p.author, static_cast<Purpose>(static_cast<std::uint32_t>(Purpose::Review) + p.index));
    double leave = static_cast<double>(expiry);
    if (r.bernoulli(judged_violating(s, law.legal_threshold - law.enforcement_breadth, law.vagueness))) {
      // Flagged: a takedown request and a data request go to the platform.
      ++c.requests[o];
      const double h = law.takedown_deadline_hours;
      const double arrives = static_cast<double>(day_) + r.uniform();
      const bool active = op.status != PlatformStatus::Exited;
      const double p_remove =
          active ? rules::removal_probability(op.compliance, rules::contest_probability(h, s_.platform.review_hours), s < law.legal_threshold) : 0.0;
      if (r.bernoulli(p_remove)) {
        ++c.honoured[o];
        const double removal = arrives + h / 24.0;
        if (removal < static_cast<double>(expiry)) {
          double pi = users_.perceived_risk[ii];
          if (r.bernoulli(law.transparency)) users_.uncertainty[ii] = to_f(rules::after_notice(users_.uncertainty[ii], bel.notice_learning));
          const bool reversed = rules::appealable(s, law.legal_threshold) && r.bernoulli(law.appeals);
          users_.perceived_risk[ii] = to_f(rules::after_takedown(pi, bel.takedown_jump, reversed));
          if (!reversed) {  // reversed on appeal: restored, and the belief jump undone
            leave = rules::leave_time(true, removal, static_cast<double>(expiry));
            ++c.removed;
            c.removed_lawful += lawful;
            ++c.by_jur[users_.jurisdiction[i] * kJurCounts + JRemoved];
            c.by_jur[users_.jurisdiction[i] * kJurCounts + JRemovedLawful] += lawful;
            c.wrongful[o] += lawful;
          }
        }
      }
      ++c.data_requests[o];
      const bool answered = active && op.localized && r.bernoulli(op.data_compliance);
      if (answered) {
        ++c.data_answered[o];
        ++c.handovers[o];
      }
      auto& v = users_.visible[i];
      if (rules::identified(answered, [&] { return r.bernoulli(law.identification); }) && r.bernoulli(jur.regulator.prosecution_rate) &&
          v.last_sanction_day != day) {  // one sanction a day at most
        users_.perceived_risk[ii] = to_f(rules::after_own_sanction());
        users_.silent_until[i] = day + 1 + static_cast<std::int32_t>(bel.silence_days);
        v.last_sanction_day = day;
        ++c.sanctions[users_.jurisdiction[i]];
      }
    }
    if (p.delay == 0) {
      const bool left_up = !lawful && leave >= static_cast<double>(posted + 1);
      c.unlawful_visible += left_up;
      c.by_jur[users_.jurisdiction[i] * kJurCounts + JUnlawfulVisible] += left_up;
    }
    if (!lawful) add_exposure(st, posted, leave, users_.jurisdiction[i]);
    users_.visible[i].last_visible_day = std::max(users_.visible[i].last_visible_day, static_cast<std::int32_t>(rules::last_visible_day(leave)));
  }
  due.clear();
}

void Model::escalate(Operation& op, int level, std::int64_t first_day, std::int64_t days, double fine) {
  const rules::LadderState st =
      rules::escalate({op.status, op.status_until, op.escalation_level, op.fines_today}, level, first_day, days, fine);
  op.status = st.status;
  op.status_until = st.status_until;
  op.escalation_level = st.level;
  op.fines_today = st.fines_due;
}

// The escalation ladder (model-spec.md section 5; Tsebelis 1989 inspection game).
void Model::regulator_reviews() {
  std::vector<int> due(ops_.size(), 0);  // 1 = step carried out, -1 = step down
  const double scale = static_cast<double>(s_.population.represented_users) / static_cast<double>(users_.size());
  bool any_review = false;
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    const auto& jur = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)];
    const auto& reg = jur.regulator;
    if ((day_ + 1) % reg.review_days != 0) continue;
    any_review = true;
    if (op.status == PlatformStatus::Exited) continue;
    // Scored on the period's expected requests (rules::compliance_score); whether the
    // represented country's regulator saw any request at all is one draw.
    const double p_evidence = rules::evidence_probability(op.reg_requests, op.reg_preempted, scale);
    const bool evidence = Stream(key_, static_cast<std::uint32_t>(day_), static_cast<std::uint32_t>(o), Purpose::Evidence).bernoulli(p_evidence);
    const double score = rules::compliance_score(op.reg_requests, op.reg_honoured, op.reg_preempted, jur.law.data_localization,
                                                 op.localized, op.data_compliance);
    op.reg_requests = op.reg_honoured = op.reg_preempted = 0;
    if (!evidence && !(jur.law.data_localization && !op.localized)) continue;  // nothing to score: the level stays
    if (rules::meets_target(score, reg.compliance_target)) {
      due[o] = -1;
      continue;
    }
    Stream r(key_, static_cast<std::uint32_t>(day_), static_cast<std::uint32_t>(o), Purpose::Escalation);
    const bool carried = r.bernoulli(reg.escalation_credibility);
    op.credibility_belief = rules::learned_credibility(op.credibility_belief, s_.platform.credibility_learning, carried);
    if (carried) due[o] = 1;
  }
  if (!any_review) return;
  // Coordination: a step taken against a platform in one member of a group is taken in all.
  std::vector<int> final_due = due;
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    if (due[o] != 1) continue;
    const auto& group = s_.jurisdictions[static_cast<std::size_t>(ops_[o].jurisdiction)].regulator.coordination_group;
    if (group.empty()) continue;
    for (std::size_t q = 0; q < ops_.size(); ++q)
      if (ops_[q].platform == ops_[o].platform && ops_[q].status != PlatformStatus::Exited &&
          s_.jurisdictions[static_cast<std::size_t>(ops_[q].jurisdiction)].regulator.coordination_group == group)
        final_due[q] = 1;
  }
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    if (final_due[o] == 1) {
      if (due[o] != 1) op.credibility_belief = rules::learned_credibility(op.credibility_belief, s_.platform.credibility_learning, true);
      // A step up, effective from tomorrow; a throttle or suspension lasts its days.
      const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
      const int level = rules::next_level(op.escalation_level, static_cast<int>(reg.max_escalation_level));
      const double revenue = s_.platforms[static_cast<std::size_t>(op.platform)].revenue_per_user_day * static_cast<double>(op.users);
      escalate(op, level, day_ + 1, level == 3 ? reg.throttle_days : reg.suspension_days, reg.fine_revenue_days * revenue);
    } else if (final_due[o] == -1) {
      op.escalation_level = rules::step_down(op.escalation_level);
    }
  }
}

// Quantal-response choice of (c, d, tau) and the localisation decision
// (model-spec.md section 4; McKelvey & Palfrey 1995; Avenhaus, von Stengel & Zamir 2002).
void Model::platform_reviews() {
  const auto& shared = s_.platform;
  if ((day_ + 1) % shared.review_days != 0) return;
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    if (op.status == PlatformStatus::Exited || op.seen_days == 0) continue;
    const auto& pp = s_.platforms[static_cast<std::size_t>(op.platform)];
    const auto& jur = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)];
    const auto& law = jur.law;
    const auto& reg = jur.regulator;
    const double theta = law.legal_threshold, theta_enf = theta - law.enforcement_breadth;
    const double unit = pp.revenue_per_user_day;  // per-user revenue-day: the unit of costs
    const double R0 = unit * static_cast<double>(op.users);
    if (R0 <= 0) continue;
    const double per_user = 1.0 / static_cast<double>(op.users);  // the utility is per user and day
    // Revenue at stake: a coordinated step hits the platform in every member of the group.
    double R_group = R0;
    if (!reg.coordination_group.empty()) {
      R_group = 0;
      for (const auto& q : ops_)
        if (q.platform == op.platform && s_.jurisdictions[static_cast<std::size_t>(q.jurisdiction)].regulator.coordination_group == reg.coordination_group)
          R_group += pp.revenue_per_user_day * static_cast<double>(q.users);
    }
    // Items per user per day by sensitivity bin, and the chance each is flagged in its lifetime.
    rules::ItemsSeen seen;
    bool any = false;
    const double m_life = op.lifetime_review;
    for (int b = 0; b < kSensitivityBins; ++b) {
      const auto bb = static_cast<std::size_t>(b);
      seen.per_day[bb] = static_cast<double>(op.seen_items[bb]) / static_cast<double>(op.seen_days) * per_user;
      seen.flag[bb] = m_life * judged_violating((b + 0.5) / kSensitivityBins, theta_enf, law.vagueness);
      any = any || seen.per_day[bb] > 0;
    }
    op.seen_items.fill(0);
    op.seen_days = 0;
    if (!any) continue;
    rules::ChoiceContext ctx;
    ctx.theta = theta;
    ctx.lawful_threshold = s_.outcomes.lawful_threshold;
    ctx.p_contest = rules::contest_probability(law.takedown_deadline_hours, shared.review_hours);
    ctx.data_localization = law.data_localization;
    ctx.revenue = unit;
    // Expected loss of the ladder ahead per user, discounted by the believed credibility.
    ctx.penalty_per_day =
        rules::loss_ahead(op.escalation_level, op.credibility_belief, reg, R_group) / static_cast<double>(reg.review_days) * per_user;
    ctx.compliance_target = reg.compliance_target;
    ctx.shortfall_width = shared.shortfall_width;
    ctx.planning_horizon_days = shared.planning_horizon_days;
    ctx.review_days = static_cast<double>(shared.review_days);
    ctx.max_removal_threshold = pp.initial_removal_threshold;
    ctx.grid_steps = static_cast<int>(shared.choice_grid_steps);
    ctx.choice_uniform = Stream(key_, static_cast<std::uint32_t>(day_), static_cast<std::uint32_t>(o), Purpose::PlatformChoice).uniform();
    const rules::PlatformChoice next =
        rules::choose({op.compliance, op.data_compliance, op.removal_threshold, op.localized}, seen, pp, ctx);
    op.compliance = next.compliance;
    op.data_compliance = next.data_compliance;
    op.removal_threshold = next.removal_threshold;
    if (next.localized && !op.localized) op.fines_today += pp.localization_cost * R0;  // the one-off cost, paid out of revenue
    op.localized = next.localized;
  }
}

}  // namespace complysim
