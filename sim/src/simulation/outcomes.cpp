// complysim — the canonical outcomes of model-spec.md section 7, in OutcomeId order.
#include "complysim/simulation/outcomes.hpp"

#include <array>

namespace complysim {

namespace {

// clang-format off
constexpr std::array<OutcomeSpec, static_cast<std::size_t>(OutcomeId::Count)> kOutcomes{{
  {"self_censorship_rate",         false, "share",
   "Intended political items not posted / intended items (NaN when none intended).", "Self-censorship"},
  {"lawful_self_censorship_rate",  false, "share",
   "Share of intended items with sensitivity below the legal line (s < theta) that were not posted: chilled lawful speech.", "Chilled lawful speech"},
  {"silenced_user_share",          false, "share",
   "Users with grievance above the speaking threshold who posted nothing in the last 30 days / such users.", "Silenced users"},
  {"posted_per_user_day",          false, "items/user/day",
   "Posted political items per user per day.", "Posts per user per day"},
  {"takedown_requests",            false, "requests/day",
   "Takedown requests sent by all regulators per day.", "Takedown requests"},
  {"takedown_compliance_rate",     true,  "share",
   "Takedown requests honoured within the deadline / requests received, per platform (NaN when none received).", "Takedown compliance"},
  {"data_request_compliance_rate", true,  "share",
   "User-data requests answered / requests received, per platform (NaN when none received).", "Data-request compliance"},
  {"over_removal_share",           false, "share",
   "Removed items that were lawful (s < theta) / removed items (NaN when none removed).", "Lawful content removed"},
  {"unlawful_visible_share",       false, "share",
   "Posted unlawful items (s > theta) still visible at day end / posted unlawful items (NaN when none posted).", "Unlawful content left up"},
  {"users_sanctioned_per_100k",    false, "sanctions/day/100k users",
   "Sanctions of users per day per 100,000 users.", "Users sanctioned"},
  {"mean_perceived_risk",          false, "probability",
   "Mean over users of the perceived risk that a violating post is detected and punished.", "Perceived risk"},
  {"platform_status",              true,  "code",
   "Platform status per platform: 0 active, 1 throttled, 2 suspended, 3 exited (mean over the interval).", "Platform status"},
  {"platform_localized",           true,  "0/1",
   "1 when the platform has localised, else 0 (mean over the interval).", "Data localised"},
  {"escalation_level",             true,  "level",
   "Regulator escalation against the platform: 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension.", "Regulator escalation"},
  {"platform_revenue",             true,  "revenue/day",
   "Platform revenue per day in relative units (after throttling and suspension).", "Platform revenue"},
}};
// clang-format on

}  // namespace

std::span<const OutcomeSpec> outcome_table() { return kOutcomes; }

int find_outcome(std::string_view name) {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    if (kOutcomes[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace complysim
