// complysim — the canonical outcomes of model-spec.md section 7, in OutcomeId order.
#include "complysim/core/outcomes.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace complysim {

namespace {

// clang-format off
constexpr std::array<OutcomeSpec, static_cast<std::size_t>(OutcomeId::Count)> kOutcomes{{
  {"self_censorship_rate",         false, "share",
   "Intended political items not posted / intended items (NaN when none intended).", "Self-censorship", "share of intended political posts that users held back"},
  {"lawful_self_censorship_rate",  false, "share",
   "Share of intended lawful items (s < outcomes.lawful_threshold) that were not posted.", "Lawful self-censorship", "the same, among posts that were lawful (chilled lawful speech)"},
  {"silenced_user_share",          false, "share",
   "Users with grievance above the speaking threshold who posted nothing in the last outcomes.silence_window_days days / such users.", "Silenced users", "share of would-be speakers who posted nothing for 30 days"},
  {"posted_per_user_day",          false, "items/user/day",
   "Posted political items per user per day.", "Posts per user per day", "political posts published per user per day"},
  {"takedown_requests",            false, "requests/day",
   "Takedown requests sent by all regulators per day (a count: scales with the sample).", "Takedown requests", "takedown requests the regulator sent per day"},
  {"takedown_compliance_rate",     true,  "share",
   "Takedown requests honoured within the deadline / requests received, per platform (NaN when none received).", "Takedown compliance", "share of takedown requests the platform honoured"},
  {"data_request_compliance_rate", true,  "share",
   "User-data requests answered / requests received, per platform (NaN when none received).", "Data-request compliance", "share of user-data requests the platform answered"},
  {"over_removal_share",           false, "share",
   "Removed items that were lawful (s < outcomes.lawful_threshold) / removed items (NaN when none removed).", "Lawful share of removals", "share of removed posts that were lawful (wrongful removals)"},
  {"unlawful_visible_share",       false, "share",
   "Posted unlawful items (s >= outcomes.lawful_threshold) still visible at the end of the day they were posted / posted unlawful items (NaN when none posted).", "Unlawful content left up", "share of unlawful posts still visible at the end of the day"},
  {"users_sanctioned_per_100k",    false, "sanctions/day/100k users",
   "Sanctions of users per day per 100,000 users.", "Users sanctioned", "users fined or prosecuted per day, per 100,000 users"},
  {"mean_perceived_risk",          false, "probability",
   "Mean over users of the perceived risk that a violating post is detected and punished.", "Perceived risk", "users' average belief that a violating post is punished"},
  {"platform_status",              true,  "code",
   "Platform status per platform: 0 active, 1 throttled, 2 suspended, 3 exited (mean over the interval).", "Platform status", "0 active, 1 throttled, 2 suspended, 3 left the market"},
  {"platform_localized",           true,  "0/1",
   "1 when the platform has localised, else 0 (mean over the interval).", "Data localised", "1 if the platform stores users' data in the country"},
  {"escalation_level",             true,  "level",
   "Regulator escalation against the platform: 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension.", "Regulator escalation", "regulator's pressure: 0 none, 1 warning, 2 fine, 3 throttling, 4 suspension"},
  {"platform_revenue",             true,  "revenue/day",
   "Platform revenue per day in relative units for the represented population (users scaled by represented_users / users), after throttling and suspension, net of fines and localisation cost.", "Platform revenue", "platform revenue per day (relative units)"},
  {"takedown_requests_per_100k",   false, "requests/day/100k users",
   "Takedown requests sent per day per 100,000 users.", "Takedown requests per 100k", "takedown requests sent per day, per 100,000 users"},
  {"takedown_requests_received",   true,  "requests/day",
   "Takedown requests each platform received per day, scaled to the represented population (comparable with transparency reports).", "Requests received", "requests the platform received per day, across the whole country"},
  {"legal_chilling_rate",          false, "share",
   "Intended items withheld that would have been posted with no perceived legal risk (R-hat = 0, same draws and climate) / intended items.", "Chilled by the law", "share of intended posts held back for fear of the law alone"},
  {"lawful_legal_chilling_rate",   false, "share",
   "The same among intended lawful items (s < outcomes.lawful_threshold): the chilling of lawful speech the decree causes directly.", "Lawful speech chilled by law", "the same, among lawful posts: lawful speech the decree chills"},
  {"wrongful_removals_per_100k",   false, "items/day/100k users",
   "Lawful items (s < outcomes.lawful_threshold) removed on request or proactively per day per 100,000 users.", "Wrongful removals", "lawful posts removed per day, per 100,000 users"},
  {"unlawful_exposure_days",       false, "days",
   "Mean days an unlawful posted item was visible (min(removal, expiry) - posting), recorded on the day it leaves the feeds (0 if removed proactively; NaN when none left the feeds).", "Unlawful content exposure", "days an unlawful post stayed visible before removal or expiry"},
  {"expected_takedown_requests_received", true, "requests/day",
   "Takedown requests the platform's posted items are expected to draw per day (each item's chance of being flagged in its lifetime, summed at posting, not proactively removed), scaled to the represented population: takedown_requests_received without the regulator's review coin flips, so resolved at any sample size.", "Expected takedown requests", "requests the platform's content is expected to draw per day, across the whole country"},
  {"expected_takedown_compliance_rate", true, "share",
   "Share of those expected requests the platform's current policy honours within the deadline (sum of flag chance x removal probability / sum of flag chance): the expected takedown_compliance_rate, the regulator's compliance score without pre-empted items (NaN when no request is possible).", "Expected takedown compliance", "share of takedown requests the platform's policy would honour"},
  {"expected_users_sanctioned_per_100k", false, "sanctions/day/100k users",
   "Sanctions the day's posted items are expected to bring per day per 100,000 users (flag chance x chance the author is identified x regulator.prosecution_rate, summed at posting): users_sanctioned_per_100k without the coin flips, resolved at any sample size.", "Expected sanctions", "users expected to be fined or prosecuted per day, per 100,000 users"},
}};
// clang-format on

}  // namespace

std::span<const OutcomeSpec> outcome_table() { return kOutcomes; }

int find_outcome(std::string_view name) {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    if (kOutcomes[i].name == name) return static_cast<int>(i);
  return -1;
}

RunResult aggregate_days(const std::vector<std::vector<DailyValue>>& daily, const std::vector<int>& widths,
                         std::int64_t every, std::int64_t window) {
  RunResult res;
  const auto days = static_cast<std::int64_t>(daily.size());
  const std::int64_t records = (days + every - 1) / every;
  const std::int64_t window_start = std::max<std::int64_t>(0, days - window);
  int offset = 0;
  for (const int width : widths) {
    std::vector<double> summary(static_cast<std::size_t>(width)), series(static_cast<std::size_t>(records * width));
    for (int p = 0; p < width; ++p) {
      const auto col = static_cast<std::size_t>(offset + p);
      double num = 0, den = 0;
      for (std::int64_t t = window_start; t < days; ++t) {
        num += daily[static_cast<std::size_t>(t)][col].num;
        den += daily[static_cast<std::size_t>(t)][col].den;
      }
      summary[static_cast<std::size_t>(p)] = den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
      for (std::int64_t rec = 0; rec < records; ++rec) {
        double rn = 0, rd = 0;
        for (std::int64_t t = rec * every; t < std::min(days, (rec + 1) * every); ++t) {
          rn += daily[static_cast<std::size_t>(t)][col].num;
          rd += daily[static_cast<std::size_t>(t)][col].den;
        }
        series[static_cast<std::size_t>(rec * width + p)] = rd > 0 ? rn / rd : std::numeric_limits<double>::quiet_NaN();
      }
    }
    offset += width;
    res.summary.push_back(std::move(summary));
    res.series.push_back(std::move(series));
  }
  for (std::int64_t rec = 0; rec < records; ++rec) res.record_day.push_back(std::min(days, (rec + 1) * every) - 1);
  return res;
}

}  // namespace complysim
