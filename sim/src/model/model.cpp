// complysim — the agent model. Rules are in docs/model.md, each with its source.
#include "complysim/model/model.hpp"

#include "blocks.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace complysim {
namespace {
using blocks::BlockScratch;
using blocks::for_blocks;
using blocks::kBlock;
using blocks::scratch;
using blocks::shared_block_words;

constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min() / 2;
using rules::judged_violating;

inline float to_f(double x) { return static_cast<float>(x); }
}  // namespace

namespace {
using BC = Model::BlockCounters;
constexpr std::int64_t BC::*kScalars[] = {&BC::intended, &BC::self_censored, &BC::intended_lawful, &BC::lawful_self_censored,
                                          &BC::posted, &BC::removed, &BC::removed_lawful, &BC::unlawful_posted,
                                          &BC::unlawful_visible, &BC::silenced, &BC::chilled, &BC::lawful_chilled};
constexpr std::vector<std::int64_t> BC::*kPerOperation[] = {&BC::requests, &BC::honoured, &BC::data_requests, &BC::data_answered,
                                                            &BC::wrongful, &BC::handovers, &BC::proactive};
constexpr std::vector<double> BC::*kPerOperationReal[] = {&BC::expected_requests, &BC::expected_honoured, &BC::preempted};
}  // namespace

void Model::BlockCounters::reset(std::size_t n_ops, std::size_t n_jur) {
  for (auto m : kScalars) this->*m = 0;
  risk_sum = 0;
  for (auto m : kPerOperation) (this->*m).assign(n_ops, 0);
  for (auto m : kPerOperationReal) (this->*m).assign(n_ops, 0.0);
  sanctions.assign(n_jur, 0);
  expected_sanctions.assign(n_jur, 0.0);
  items.assign(n_ops * kSensitivityBins, 0);
  by_jur.assign(n_jur * kJurCounts, 0);
  risk_by_jur.assign(n_jur, 0.0);
}

void Model::BlockCounters::add(const BlockCounters& b) {
  for (auto m : kScalars) this->*m += b.*m;
  risk_sum += b.risk_sum;
  for (auto m : kPerOperation)
    for (std::size_t o = 0; o < (this->*m).size(); ++o) (this->*m)[o] += (b.*m)[o];
  for (auto m : kPerOperationReal)
    for (std::size_t o = 0; o < (this->*m).size(); ++o) (this->*m)[o] += (b.*m)[o];
  for (std::size_t j = 0; j < sanctions.size(); ++j) sanctions[j] += b.sanctions[j];
  for (std::size_t j = 0; j < expected_sanctions.size(); ++j) expected_sanctions[j] += b.expected_sanctions[j];
  for (std::size_t x = 0; x < items.size(); ++x) items[x] += b.items[x];
  for (std::size_t x = 0; x < by_jur.size(); ++x) by_jur[x] += b.by_jur[x];
  for (std::size_t j = 0; j < risk_by_jur.size(); ++j) risk_by_jur[j] += b.risk_by_jur[j];
}

Model::Model(const Scenario& scenario, RunKey key) : s_(scenario), key_(key) {
  const auto& pop = s_.population;
  if (s_.platforms.empty() || s_.jurisdictions.empty())
    throw std::invalid_argument("scenario needs at least one platform and one jurisdiction");
  if (s_.platforms.size() > 255 || s_.jurisdictions.size() > 255)
    throw std::invalid_argument("at most 255 platforms and 255 jurisdictions");
  if (pop.users > std::numeric_limits<std::int32_t>::max())
    throw std::invalid_argument("population.users must be below 2^31");
  {
    // A sweep may set one platform's market_share without the others (the
    // loader checks the file, not swept values): refuse rather than renormalise.
    double shares = 0;
    for (const auto& p : s_.platforms) shares += p.market_share;
    if (!(std::abs(shares - 1.0) <= 1e-6)) {
      std::ostringstream m;
      m << "market shares sum to " << shares << ", not 1";
      throw std::invalid_argument(m.str());
    }
  }
  n_platforms_ = static_cast<int>(s_.platforms.size());
  n_jurisdictions_ = static_cast<int>(s_.jurisdictions.size());
  const auto n = static_cast<std::size_t>(pop.users);

  // Jurisdictions own contiguous ranges of users, so the network's locality
  // keeps most contacts inside a country.
  std::vector<std::size_t> jur_end(s_.jurisdictions.size());
  double cum = 0;
  for (std::size_t j = 0; j < s_.jurisdictions.size(); ++j) {
    cum += s_.jurisdictions[j].population_share;
    jur_end[j] = j + 1 == s_.jurisdictions.size() ? n : std::min(n, static_cast<std::size_t>(std::llround(cum * static_cast<double>(n))));
  }
  std::vector<double> share_cdf;
  cum = 0;
  for (const auto& p : s_.platforms) share_cdf.push_back(cum += p.market_share);

  Users& u = users_;
  for (auto* a : {&u.grievance, &u.risk_aversion, &u.isolation_fear, &u.activity, &u.perceived_risk, &u.uncertainty})
    a->resize(static_cast<Eigen::Index>(n));
  u.ambiguity.resize(n);
  u.platform.resize(n);
  u.jurisdiction.resize(n);
  u.silent_until.assign(n, 0);
  u.last_post_day.assign(n, kNever);
  u.visible.assign(n, Users::Visible{kNever, kNever});

  for_blocks(n, [&](std::size_t, std::size_t lo, std::size_t hi) {
    std::size_t j = static_cast<std::size_t>(std::upper_bound(jur_end.begin(), jur_end.end(), lo) - jur_end.begin());
    for (std::size_t i = lo; i < hi; ++i) {
      while (i >= jur_end[j]) ++j;
      const auto ii = static_cast<Eigen::Index>(i);
      Stream r(key_, kSetupDay, static_cast<std::uint32_t>(i), Purpose::Traits);
      u.grievance[ii] = to_f(r.beta_mean(pop.grievance_mean, pop.grievance_concentration));
      u.risk_aversion[ii] = to_f(r.beta_mean(pop.risk_aversion_mean, pop.risk_aversion_concentration));
      u.isolation_fear[ii] = to_f(r.beta_mean(pop.isolation_fear_mean, pop.isolation_fear_concentration));
      u.activity[ii] = to_f(pop.posts_per_day * std::exp(pop.activity_dispersion * r.normal()));
      u.ambiguity[i] = r.uniform() < pop.ambiguity_averse_share ? std::int8_t{1} : std::int8_t{-1};
      Stream h(key_, kSetupDay, static_cast<std::uint32_t>(i), Purpose::HomePlatform);
      const double x = h.uniform() * share_cdf.back();
      const auto p = std::min<std::size_t>(static_cast<std::size_t>(std::upper_bound(share_cdf.begin(), share_cdf.end(), x) - share_cdf.begin()),
                                           share_cdf.size() - 1);
      u.platform[i] = static_cast<std::uint8_t>(p);
      u.jurisdiction[i] = static_cast<std::uint8_t>(j);
    }
  });
  u.zero_items.resize(static_cast<Eigen::Index>(n));
  // The same std::exp(-lambda) that poisson_inverse computes for lambda = activity on an active platform.
  for (Eigen::Index i = 0; i < u.zero_items.size(); ++i) u.zero_items[i] = std::exp(-static_cast<double>(u.activity[i]));
  u.perceived_risk.setConstant(to_f(s_.beliefs.prior_risk));
  u.uncertainty.setOnes();

  network_ = make_network(parse_network_kind(pop.network), static_cast<std::uint32_t>(n), pop.mean_degree,
                          pop.rewire_probability, key_);

  ops_.resize(static_cast<std::size_t>(n_platforms_ * n_jurisdictions_));
  for (int j = 0; j < n_jurisdictions_; ++j)
    for (int p = 0; p < n_platforms_; ++p) {
      auto& op = ops_[static_cast<std::size_t>(j * n_platforms_ + p)];
      const auto& pp = s_.platforms[static_cast<std::size_t>(p)];
      op.platform = p;
      op.jurisdiction = j;
      op.compliance = pp.initial_compliance;
      op.data_compliance = pp.initial_data_compliance;
      op.removal_threshold = pp.initial_removal_threshold;
      op.localized = pp.initially_localized;
      op.credibility_belief = s_.platform.prior_credibility;
    }
  users_with_grievance_.assign(static_cast<std::size_t>(n_jurisdictions_), 0);
  users_in_jurisdiction_.assign(static_cast<std::size_t>(n_jurisdictions_), 0);
  const double T = pop.speak_threshold;
  for (std::size_t i = 0; i < n; ++i) {
    ++ops_[static_cast<std::size_t>(u.jurisdiction[i] * n_platforms_ + u.platform[i])].users;
    ++users_in_jurisdiction_[u.jurisdiction[i]];
    if (u.grievance[static_cast<Eigen::Index>(i)] > T) {
      ++users_with_grievance_[u.jurisdiction[i]];
      // The climate starts as before the decree: every would-be speaker was heard the day before day 0.
      if (u.activity[static_cast<Eigen::Index>(i)] > 0.0f) u.visible[i].last_visible_day = -1;
    }
  }
  sanctions_yesterday_.assign(static_cast<std::size_t>(n_jurisdictions_), 0);

  blocks_.resize((n + kBlock - 1) / kBlock);
  const auto L = static_cast<std::size_t>(s_.content.lifetime_days);
  stock_.resize(blocks_.size());
  for (auto& st : stock_) {
    st.due.resize(L);
    st.exposure_sum.assign(L + 1, 0.0);
    st.exposure_n.assign(L + 1, 0);
    st.exposure_sum_jur.assign((L + 1) * s_.jurisdictions.size(), 0.0);
    st.exposure_n_jur.assign((L + 1) * s_.jurisdictions.size(), 0);
  }
  sanctioned_yesterday_.resize(blocks_.size());
  // No one counted as speaking yet: the first belief pass adds every user whose bit is set.
  signal_.assign(n, 0);
  speaking_.assign(n, 0);
  column_offset_.clear();
  columns_ = 0;
  for (const auto& o : outcome_table()) {
    column_offset_.push_back(columns_);
    columns_ += o.per_platform ? n_platforms_ : 1;
  }
  jur_offset_.clear();
  int not_per_platform = 0;
  for (const auto& o : outcome_table()) jur_offset_.push_back(o.per_platform ? -1 : not_per_platform++);
  if (n_jurisdictions_ >= 2) daily_jur_.reserve(static_cast<std::size_t>(s_.simulation.days));
  daily_.reserve(static_cast<std::size_t>(s_.simulation.days));
}

float Model::climate(std::size_t i) const {
  // An isolated user has no audience to fear: q = 1.
  const std::uint64_t degree = network_.offsets[i + 1] - network_.offsets[i];
  return degree == 0 ? 1.0f : to_f(static_cast<double>(speaking_[i]) / static_cast<double>(degree));
}

void Model::run_to_end() {
  while (day_ < s_.simulation.days) step();
}

void Model::step() {
  begin_day();
  belief_pass();
  item_pass();
  end_day();
}

void Model::begin_day() {
  if (day_ >= s_.simulation.days) throw std::logic_error("Model::step past the horizon");
  expire_statuses();
  if (day_ > 0) {
    for (auto& j : s_.jurisdictions)  // a trend in review capacity (rules::grown_monitoring_rate)
      j.regulator.monitoring_rate = rules::grown_monitoring_rate(j.regulator.monitoring_rate, j.regulator.monitoring_growth);
    for (auto& p : s_.platforms)  // a trend in the attention to one platform (rules::grown_attention)
      p.regulator_attention = rules::grown_attention(p.regulator_attention, p.attention_growth);
  }
  apply_events();
  set_review_rates();
  for (auto& b : blocks_) b.reset(ops_.size(), static_cast<std::size_t>(n_jurisdictions_));
}

void Model::set_review_rates() {
  for (auto& op : ops_) {
    const auto& pp = s_.platforms[static_cast<std::size_t>(op.platform)];
    const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
    op.review_rate = rules::platform_monitoring_rate(reg.monitoring_rate,
                                                     rules::surged_attention(pp.regulator_attention, pp.attention_surge, pp.surge_active));
    op.lifetime_review = rules::reviewed_within_lifetime(op.review_rate, s_.content.lifetime_days);
  }
}

void Model::end_day() {
  record_day();
  regulator_reviews();
  platform_reviews();
  ++day_;
}

void Model::expire_statuses() {
  for (auto& op : ops_)
    if ((op.status == PlatformStatus::Throttled || op.status == PlatformStatus::Suspended) && day_ >= op.status_until)
      op.status = PlatformStatus::Active;
}

void Model::apply_events() {
  while (next_event_ < s_.events.size() && s_.events[next_event_].day <= day_) {
    const Event ev = s_.events[next_event_++];
    for (const auto& [name, value] : ev.set) set_param(s_, name, value);
    if (ev.action.empty()) continue;
    for (auto& op : ops_) {
      if (s_.platforms[static_cast<std::size_t>(op.platform)].name != ev.platform) continue;
      if (!ev.jurisdiction.empty() && s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].name != ev.jurisdiction) continue;
      if (op.status == PlatformStatus::Exited) continue;
      const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
      const double revenue = s_.platforms[static_cast<std::size_t>(op.platform)].revenue_per_user_day * static_cast<double>(op.users);
      // An action is the ladder's step of its kind, effective today, for ev.days days.
      if (ev.action == "throttle") escalate(op, 3, day_, ev.days, 0.0);
      else if (ev.action == "suspend") escalate(op, 4, day_, ev.days, 0.0);
      else if (ev.action == "fine") escalate(op, 2, day_, 0, revenue * (ev.days > 0 ? static_cast<double>(ev.days) : reg.fine_revenue_days));
      // An escalation suffered makes the next threat credible (learned credibility).
      op.credibility_belief = rules::learned_credibility(op.credibility_belief, s_.platform.credibility_learning, true);
    }
  }
}

// Pass A: belief decay, neighbour sanctions, publicity and the opinion
// climate. Reads only what neighbours wrote on earlier days.
//
// The climate is kept incrementally instead of gathered: speaking_[i] counts
// the neighbours of i whose bit "an item visible at the end of some day in the
// climate window" is set. Phase 1 streams over the users, recomputes that bit
// and, for the users whose bit flipped since the last pass (a small share of
// users on a given day), adds +1 or -1 to the count of each neighbour (the
// network is symmetric: i is in row j iff j is in row i). Integer additions
// commute, so the counts, and every result, are the same as a full gather for
// any thread count and order; with several threads the additions are atomic.
// Neighbours of users sanctioned yesterday (rare) are collected and sorted.
// Phase 2 streams over the users again and applies decay, neighbour
// sanctions and publicity. q = speaking / degree is computed where it is used
// (climate()): the numbers of the full gather it replaces, bit for bit.
void Model::belief_pass() {
  const auto n = users_.size();
  const auto& b = s_.beliefs;
  const auto day = static_cast<std::int32_t>(day_);
  const std::int32_t window_start = day - static_cast<std::int32_t>(s_.population.climate_window_days);
  // Publicised sanctions heard of today: k ~ Poisson(rate_j), a per-capita rate (rules::publicity_rate).
  std::vector<double> publicity(static_cast<std::size_t>(n_jurisdictions_)), publicity_p0(publicity.size());
  for (std::size_t j = 0; j < publicity.size(); ++j) {
    const auto& jur = s_.jurisdictions[j];
    // Capped below 30 (poisson_inverse); at that rate pi is 1 to within rounding anyway.
    publicity[j] = std::min(29.0, rules::publicity_rate(jur.law.publicity, b.publicity_reach,
                                                       static_cast<double>(s_.population.represented_users) * jur.population_share,
                                                       static_cast<double>(sanctions_yesterday_[j]),
                                                       static_cast<double>(users_in_jurisdiction_[j])));
    publicity_p0[j] = std::exp(-publicity[j]);
  }
  const bool any_publicity = std::any_of(publicity.begin(), publicity.end(), [](double p) { return p > 0.0; });
  std::array<double, 64> keep_pub{};
  for (std::size_t k = 0; k < keep_pub.size(); ++k) keep_pub[k] = std::pow(1.0 - b.publicity_weight, static_cast<int>(k));
  const double keep_neighbor = 1.0 - b.neighbor_weight;
  // (1 - neighbor_weight)^k for the usual k, by the same std::pow call as for any k.
  std::array<double, 64> keep_pow{};
  for (std::size_t k = 0; k < keep_pow.size(); ++k) keep_pow[k] = std::pow(keep_neighbor, static_cast<int>(k));

  std::uint8_t* sig = signal_.data();
  std::uint32_t* speaking = speaking_.data();
  const Users::Visible* vis = users_.visible.data();
  const std::uint64_t* off = network_.offsets.data();
  const std::uint32_t* nbr = network_.neighbors.data();
  // Atomic additions only where two threads can touch the same count.
  const bool concurrent = blocks_.size() > 1 && tbb::this_task_arena::max_concurrency() > 1 &&
                          tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) > 1;
  for_blocks(n, [&, sig, speaking, vis, off, nbr, concurrent, day, window_start](std::size_t blk, std::size_t lo, std::size_t hi) {
    auto& sanctioned = sanctioned_yesterday_[blk];
    sanctioned.clear();
    // Users whose speaking bit flips today: bit 31 set for a stop (-1), clear for a start (+1).
    auto& flips = scratch().flips;
    flips.clear();
    // Today's bits for 64 users at a time, branch-free (bit 0: speaking, bit 1:
    // sanctioned yesterday); then 8 users at a time, one 8-byte test skips the
    // users with neither a flip nor a sanction (most of them).
    constexpr std::size_t kChunk = 64;
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    for (std::size_t start = lo; start < hi; start += kChunk) {
      const std::size_t m = std::min(kChunk, hi - start);
      std::uint8_t t[kChunk] = {};
      for (std::size_t k = 0; k < m; ++k)
        t[k] = static_cast<std::uint8_t>((vis[start + k].last_visible_day >= window_start ? 1u : 0u) |
                                         (vis[start + k].last_sanction_day == day - 1 ? 2u : 0u));
      for (std::size_t k = 0; k < m; k += 8) {
        if (k + 8 <= m) {
          std::uint64_t a, was;
          std::memcpy(&a, t + k, 8);
          std::memcpy(&was, sig + start + k, 8);
          if ((((a & kOnes) ^ was) | (a & (kOnes << 1))) == 0) continue;
        }
        for (std::size_t j = k; j < std::min(k + 8, m); ++j) {
          const std::size_t i = start + j;
          if (t[j] & 2u) sanctioned.push_back(static_cast<std::uint32_t>(i));
          const std::uint8_t now = t[j] & 1u;
          if (now == sig[i]) continue;
          sig[i] = now;
          flips.push_back(static_cast<std::uint32_t>(i) | (now ? 0u : 0x80000000u));
        }
      }
    }
    // Each flip adds +1 or -1 to its neighbours' counts. The rows of the
    // flipped users are scattered through the network arrays, so they are
    // prefetched a few flips ahead (their offsets further ahead still).
    constexpr std::size_t kAheadOffsets = 16, kAheadRows = 8;
    for (std::size_t x = 0; x < flips.size(); ++x) {
      if (x + kAheadOffsets < flips.size()) __builtin_prefetch(off + (flips[x + kAheadOffsets] & 0x7FFFFFFFu));
      if (x + kAheadRows < flips.size()) {
        const std::uint32_t a = flips[x + kAheadRows] & 0x7FFFFFFFu;
        for (std::uint64_t e = off[a]; e < off[a + 1]; e += 16) __builtin_prefetch(nbr + e);
      }
      const std::uint32_t i = flips[x] & 0x7FFFFFFFu;
      const std::uint32_t delta = flips[x] & 0x80000000u ? ~0u : 1u;  // -1 or +1 (mod 2^32)
      if (concurrent) {
        for (std::uint64_t e = off[i]; e < off[i + 1]; ++e)
          std::atomic_ref<std::uint32_t>(speaking[nbr[e]]).fetch_add(delta, std::memory_order_relaxed);
      } else {
        for (std::uint64_t e = off[i]; e < off[i + 1]; ++e) speaking[nbr[e]] += delta;
      }
    }
  });
  sanction_hits_.clear();
  for (const auto& list : sanctioned_yesterday_)
    for (const std::uint32_t j : list) sanction_hits_.insert(sanction_hits_.end(), nbr + off[j], nbr + off[j + 1]);
  std::sort(sanction_hits_.begin(), sanction_hits_.end());

  for_blocks(n, [&](std::size_t blk, std::size_t lo, std::size_t hi) {
    auto& c = blocks_[blk];
    float* risk = users_.perceived_risk.data();
    auto hit = std::lower_bound(sanction_hits_.begin(), sanction_hits_.end(), static_cast<std::uint32_t>(lo));
    // Publicity draws (on days with publicity): one word per user from blocks shared by four users.
    const std::uint32_t* words =
        any_publicity ? shared_block_words(key_, static_cast<std::uint32_t>(day_), Purpose::Climate, lo, hi, scratch()) : nullptr;
    for (std::size_t i = lo; i < hi; ++i) {
      double pi = rules::decayed(risk[i], b.decay, b.prior_risk);
      unsigned sanctioned = 0;
      for (; hit != sanction_hits_.end() && *hit == i; ++hit) ++sanctioned;
      if (sanctioned > 0)
        pi = rules::after_neighbour_sanctions(
            pi, sanctioned < keep_pow.size() ? keep_pow[sanctioned] : std::pow(keep_neighbor, static_cast<int>(sanctioned)));
      const std::size_t j = users_.jurisdiction[i];
      if (publicity[j] > 0.0) {
        const double x = word_to_uniform(words[i - lo]);
        const std::uint32_t heard = x <= publicity_p0[j] ? 0u : poisson_inverse(publicity[j], x, publicity_p0[j]);
        if (heard > 0)
          pi = rules::after_neighbour_sanctions(
              pi, heard < keep_pub.size() ? keep_pub[heard] : std::pow(1.0 - b.publicity_weight, static_cast<int>(heard)));
      }
      risk[i] = to_f(pi);
      c.risk_sum += pi;
      c.risk_by_jur[j] += pi;
    }
  });
}

// Pass B: intended items, the posting rule, platform removal, regulator
// review, takedown and data requests, identification and sanctions.
void Model::item_pass() {
  const auto n = users_.size();
  const double T = s_.population.speak_threshold;
  const auto day = static_cast<std::int32_t>(day_);
  activity_.resize(ops_.size());
  for (std::size_t o = 0; o < ops_.size(); ++o)
    activity_[o] = activity_factor(ops_[o].status, s_.jurisdictions[static_cast<std::size_t>(ops_[o].jurisdiction)].regulator.throttle_severity);

  // A user with g > T who posted nothing in the last outcomes.silence_window_days days (fewer at the start) is silenced.
  const std::int32_t silence_window = static_cast<std::int32_t>(std::min<std::int64_t>(s_.outcomes.silence_window_days, day_ + 1));
  const auto d = static_cast<std::uint32_t>(day_);
  for_blocks(n, [&](std::size_t blk, std::size_t lo, std::size_t hi) {
    auto& c = blocks_[blk];
    const float* grievance = users_.grievance.data();
    const std::int32_t* last_post = users_.last_post_day.data();
    // Branch-free, so the selection loop below can use it as it is.
    auto silenced = [&](std::size_t i) { return (grievance[i] > T) & (last_post[i] <= day - silence_window); };
    // 1. Item counts: one word per user from blocks shared by four users.
    BlockScratch& sc = scratch();
    const std::uint32_t* words = shared_block_words(key_, d, Purpose::ItemCount, lo, hi, sc);
    // 2. Who may have intended items today (most user-days have none), without
    //    data-dependent branches: item_count's conditions, with exp(-lambda)
    //    replaced by the cached exp(-activity) <= exp(-lambda) (less a margin for
    //    the rounding of exp on a throttled platform), so every user with k >= 1
    //    is kept; item_count then decides exactly (on an active platform the
    //    test is already exact) and the users with k = 0 after all are dropped.
    auto& who = sc.who;
    auto& count = sc.count;
    who.resize(hi - lo);
    count.resize(hi - lo);
    std::size_t n_who = 0;
    {
      const float* activity = users_.activity.data();
      const double* zero = users_.zero_items.data();
      const std::int32_t* silent_until = users_.silent_until.data();
      const std::uint8_t* jur = users_.jurisdiction.data();
      const std::uint8_t* plat = users_.platform.data();
      const double* act = activity_.data();
      const auto P = static_cast<std::size_t>(n_platforms_);
      for (std::size_t i = lo; i < hi; ++i) {
        const double f = act[jur[i] * P + plat[i]];
        const double z = f == 1.0 ? zero[i] : zero[i] * (1.0 - 1e-12);
        const bool can = (grievance[i] > T) & (day >= silent_until[i]) & (activity[i] > 0.0f) & (f > 0.0);
        const bool may = can & ((activity[i] * f >= 30.0) | (word_to_uniform(words[i - lo]) > z));
        who[n_who] = static_cast<std::uint32_t>(i);
        n_who += may;
        const std::int64_t quiet = (!may) & silenced(i);
        c.silenced += quiet;
        c.by_jur[jur[i] * kJurCounts + JSilenced] += quiet;
      }
    }
    std::size_t kept = 0;
    for (std::size_t x = 0; x < n_who; ++x) {
      const std::uint32_t i = who[x];
      const std::uint32_t k = item_count(i, word_to_uniform(words[i - lo]));
      if (k == 0) {
        const std::int64_t quiet = silenced(i);
        c.silenced += quiet;
        c.by_jur[users_.jurisdiction[i] * kJurCounts + JSilenced] += quiet;
        continue;
      }
      who[kept] = i;
      count[kept] = k;
      ++kept;
    }
    who.resize(kept);
    count.resize(kept);
    // 3. Their own streams (day, i, Items): the first two blocks of each at once.
    auto& block0 = sc.block0;
    auto& block1 = sc.block1;
    block0.resize(4 * who.size());
    block1.resize(4 * who.size());
    philox_many(key_, d, who.data(), static_cast<std::uint32_t>(Purpose::Items), 0, who.size(), block0.data());
    philox_many(key_, d, who.data(), static_cast<std::uint32_t>(Purpose::Items), 1, who.size(), block1.data());
    // 4. Their items, in user order.
    for (std::size_t x = 0; x < who.size(); ++x) {
      std::uint32_t pre[8];
      for (int w = 0; w < 4; ++w) {
        pre[w] = block0[4 * x + static_cast<std::size_t>(w)];
        pre[4 + w] = block1[4 * x + static_cast<std::size_t>(w)];
      }
      Stream r(key_, d, who[x], Purpose::Items, pre);
      user_items(c, stock_[blk], who[x], count[x], r);
      const std::int64_t quiet = silenced(who[x]);
      c.silenced += quiet;
      c.by_jur[users_.jurisdiction[who[x]] * kJurCounts + JSilenced] += quiet;
    }
    // 5. The regulator's reviews due today in this block (the stock, after today's posts).
    review_due(c, stock_[blk]);
  });
}

std::uint32_t Model::item_count(std::size_t i, double count_uniform) const {
  const auto ii = static_cast<Eigen::Index>(i);
  if (users_.grievance[ii] <= s_.population.speak_threshold || static_cast<std::int32_t>(day_) < users_.silent_until[i]) return 0;
  const std::size_t o = users_.jurisdiction[i] * static_cast<std::size_t>(n_platforms_) + users_.platform[i];
  const double lambda = users_.activity[ii] * activity_[o];
  if (lambda <= 0.0) return 0;
  // One shared-block uniform by inversion (lambda < 30, every realistic activity). With the platform
  // active, exp(-lambda) is the cached zero_items, so most user-days (k = 0 exactly when
  // u <= exp(-lambda)) end here without an exp. Larger means: the user's own stream, in user_items.
  if (lambda >= 30.0) return kCountFromStream;
  // On a throttled platform lambda < activity, so exp(-lambda) >= zero_items: below it (with a
  // margin for the rounding of exp) k = 0 for certain, without computing exp(-lambda).
  if (activity_[o] != 1.0 && count_uniform <= users_.zero_items[ii] * (1.0 - 1e-12)) return 0;
  const double p0 = activity_[o] == 1.0 ? users_.zero_items[ii] : std::exp(-lambda);
  if (count_uniform <= p0) return 0;
  return poisson_inverse(lambda, count_uniform, p0);
}

void Model::user_items(BlockCounters& c, BlockStock& st, std::size_t i, std::uint32_t k, Stream& r) {
  const auto& pop = s_.population;
  const double T = pop.speak_threshold;
  const auto day = static_cast<std::int32_t>(day_);
  const auto ii = static_cast<Eigen::Index>(i);
  const double g = users_.grievance[ii];
  const std::size_t o = users_.jurisdiction[i] * static_cast<std::size_t>(n_platforms_) + users_.platform[i];
  if (k == kCountFromStream) k = r.poisson(users_.activity[ii] * activity_[o]);  // normal approximation
  if (k == 0) return;

  const Operation& op = ops_[o];
  const auto& jur = s_.jurisdictions[users_.jurisdiction[i]];
  const auto& law = jur.law;
  const double theta_enf = law.legal_threshold - law.enforcement_breadth;
  const double sigma = law.vagueness;
  const double yardstick = s_.outcomes.lawful_threshold;
  const std::int64_t L = s_.content.lifetime_days;
  const double m = op.review_rate, m_life = op.lifetime_review;
  // The expected consequences of an item that stays up, summed at posting (the
  // regulator's compliance score and the expected_* outcomes): its chance of a
  // request, of removal under the platform's policy, and of a sanction.
  const bool active = op.status != PlatformStatus::Exited;
  const double p_contest = rules::contest_probability(law.takedown_deadline_hours, s_.platform.review_hours);
  const double p_answered = active && op.localized ? op.data_compliance : 0.0;
  const double p_sanction = (p_answered + (1.0 - p_answered) * law.identification) * jur.regulator.prosecution_rate;
  const double rho_J = users_.risk_aversion[ii] * law.user_sanction;
  const double isolation = users_.isolation_fear[ii] * (1.0 - climate(i));
  const Stream::BetaShape sensitivity =
      Stream::beta_shape(std::clamp(rules::sensitivity_mean(g, pop.sensitivity_base, pop.sensitivity_slope), 1e-6, 1.0 - 1e-6),
                         pop.sensitivity_concentration);
  const bool free_post = rules::posts_without_legal_risk(g, rho_J, isolation, T);
  std::int64_t* const cj = &c.by_jur[users_.jurisdiction[i] * static_cast<std::size_t>(kJurCounts)];  // this user's jurisdiction
  const double pi = users_.perceived_risk[ii];
  const double unc = users_.uncertainty[ii];
  std::int64_t visible_until = users_.visible[i].last_visible_day;

  for (std::uint32_t item = 0; item < k; ++item) {
    const double s = r.beta(sensitivity);
    const bool lawful = s < yardstick;  // the fixed yardstick (outcomes.lawful_threshold)
    ++c.intended;
    c.intended_lawful += lawful;
    ++cj[JIntended];
    cj[JIntendedLawful] += lawful;
    // The posting rule (rules/user.hpp) and its counterfactual with R-hat = 0.
    if (!rules::decide_post(g, rho_J, isolation, T, pi, s, theta_enf, users_.ambiguity[i], pop.ambiguity_shift, sigma, unc)) {
      ++c.self_censored;
      c.lawful_self_censored += lawful;
      const bool chilled = rules::legally_chilled(false, free_post);
      c.chilled += chilled;
      c.lawful_chilled += chilled & lawful;
      ++cj[JSelfCensored];
      cj[JLawfulSelfCensored] += lawful;
      cj[JChilled] += chilled;
      cj[JLawfulChilled] += chilled & lawful;
      continue;
    }
    ++c.posted;
    users_.last_post_day[i] = day;
    c.unlawful_posted += !lawful;
    ++cj[JPosted];
    cj[JUnlawfulPosted] += !lawful;
    const int bin = unit_bin(s, kSensitivityBins);  // never a non-finite value as an index (rng.hpp)
    ++c.items[o * kSensitivityBins + static_cast<std::size_t>(bin)];

    if (s > op.removal_threshold) {
      // Proactive removal: the platform's own filter, before anyone sees the item.
      ++c.proactive[o];
      ++c.removed;
      c.removed_lawful += lawful;
      ++cj[JRemoved];
      cj[JRemovedLawful] += lawful;
      c.wrongful[o] += lawful;
      // Expected flaggable items pre-empted (compliance scored on expected honour).
      c.preempted[o] += m_life * judged_violating(s, theta_enf, sigma);
      if (!lawful) add_exposure(st, day_, static_cast<double>(day_), users_.jurisdiction[i]);
      continue;
    }
    const double flag = m_life * judged_violating(s, theta_enf, sigma);
    c.expected_requests[o] += flag;
    c.expected_honoured[o] += flag * (active ? rules::removal_probability(op.compliance, p_contest, s < law.legal_threshold) : 0.0);
    c.expected_sanctions[users_.jurisdiction[i]] += flag * p_sanction;
    // The day the regulator will review it (its one review), if within its lifetime.
    const std::int64_t delay = rules::review_delay(r.uniform(), m, L);
    if (delay >= 1) visible_until = std::max<std::int64_t>(visible_until, day_ + delay - 1);
    if (delay < L) {
      st.due[static_cast<std::size_t>((day_ + delay) % L)].push_back(
          {static_cast<std::uint32_t>(i), static_cast<float>(s), static_cast<std::uint16_t>(std::min<std::uint32_t>(item, 0xFFFF)),
           static_cast<std::uint16_t>(delay)});
      if (delay >= 1) {  // a review on the posting day decides this in review_due
        c.unlawful_visible += !lawful;
        cj[JUnlawfulVisible] += !lawful;
      }
    } else {
      visible_until = std::max<std::int64_t>(visible_until, day_ + L - 1);
      c.unlawful_visible += !lawful;
      cj[JUnlawfulVisible] += !lawful;
      if (!lawful) add_exposure(st, day_, static_cast<double>(day_ + L), users_.jurisdiction[i]);
    }
  }
  users_.visible[i].last_visible_day = static_cast<std::int32_t>(visible_until);
}

void Model::record_day() {
  BlockCounters t;
  t.reset(ops_.size(), static_cast<std::size_t>(n_jurisdictions_));
  for (const auto& b : blocks_) t.add(b);  // block order: deterministic
  std::int64_t sanctions = 0;
  for (std::size_t j = 0; j < t.sanctions.size(); ++j) sanctions += t.sanctions[j];
  sanctions_yesterday_ = t.sanctions;

  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    op.reg_requests += t.expected_requests[o];
    op.reg_honoured += t.expected_honoured[o];
    op.reg_preempted += t.preempted[o];
    for (int bin = 0; bin < kSensitivityBins; ++bin) op.seen_items[static_cast<std::size_t>(bin)] += t.items[o * kSensitivityBins + static_cast<std::size_t>(bin)];
    ++op.seen_days;
  }

  const auto N = static_cast<double>(users_.size());
  const double scale = static_cast<double>(s_.population.represented_users) / N;  // to the represented population
  // Unlawful items that left the feeds today, and how long they were visible.
  const auto slot = static_cast<std::size_t>(day_ % (s_.content.lifetime_days + 1));
  double exposure = 0, left = 0;
  for (auto& st : stock_) {  // block order: deterministic
    exposure += st.exposure_sum[slot];
    left += static_cast<double>(st.exposure_n[slot]);
    st.exposure_sum[slot] = 0;
    st.exposure_n[slot] = 0;
  }
  std::int64_t with_grievance = 0;
  for (auto x : users_with_grievance_) with_grievance += x;
  std::vector<DailyValue> row(static_cast<std::size_t>(columns_));
  auto put = [&](OutcomeId k, int p, double num, double den) { row[static_cast<std::size_t>(column(k, p))] = {num, den}; };
  auto d = [](std::int64_t x) { return static_cast<double>(x); };
  put(OutcomeId::SelfCensorshipRate, 0, d(t.self_censored), d(t.intended));
  put(OutcomeId::LawfulSelfCensorshipRate, 0, d(t.lawful_self_censored), d(t.intended_lawful));
  put(OutcomeId::SilencedUserShare, 0, d(t.silenced), d(with_grievance));
  put(OutcomeId::PostedPerUserDay, 0, d(t.posted), N);
  std::int64_t requests = 0;
  for (auto x : t.requests) requests += x;
  put(OutcomeId::TakedownRequests, 0, d(requests), 1.0);
  put(OutcomeId::OverRemovalShare, 0, d(t.removed_lawful), d(t.removed));
  put(OutcomeId::UnlawfulVisibleShare, 0, d(t.unlawful_visible), d(t.unlawful_posted));
  put(OutcomeId::UsersSanctionedPer100k, 0, d(sanctions) * 1e5, N);
  put(OutcomeId::MeanPerceivedRisk, 0, t.risk_sum, N);
  put(OutcomeId::TakedownRequestsPer100k, 0, d(requests) * 1e5, N);
  put(OutcomeId::LegalChillingRate, 0, d(t.chilled), d(t.intended));
  put(OutcomeId::LawfulLegalChillingRate, 0, d(t.lawful_chilled), d(t.intended_lawful));
  put(OutcomeId::WrongfulRemovalsPer100k, 0, d(t.removed_lawful) * 1e5, N);
  put(OutcomeId::UnlawfulExposureDays, 0, exposure, left);
  double expected_sanctions = 0;
  for (auto x : t.expected_sanctions) expected_sanctions += x;
  put(OutcomeId::ExpectedUsersSanctionedPer100k, 0, expected_sanctions * 1e5, N);
  for (int p = 0; p < n_platforms_; ++p) {
    double req = 0, hon = 0, dreq = 0, dans = 0, status = 0, level = 0, localized = 0, revenue = 0, ereq = 0, ehon = 0;
    for (int j = 0; j < n_jurisdictions_; ++j) {
      const auto o = static_cast<std::size_t>(j * n_platforms_ + p);
      const auto& op = ops_[o];
      req += d(t.requests[o]);
      hon += d(t.honoured[o]);
      dreq += d(t.data_requests[o]);
      dans += d(t.data_answered[o]);
      ereq += t.expected_requests[o];
      ehon += t.expected_honoured[o];
      status = std::max(status, static_cast<double>(op.status));
      level = std::max(level, static_cast<double>(op.escalation_level));
      localized += op.localized ? 1.0 : 0.0;
      const auto& reg = s_.jurisdictions[static_cast<std::size_t>(j)].regulator;
      revenue += (s_.platforms[static_cast<std::size_t>(p)].revenue_per_user_day * d(op.users) * activity_factor(op.status, reg.throttle_severity) -
                  op.fines_today) * scale;
    }
    put(OutcomeId::TakedownComplianceRate, p, hon, req);
    put(OutcomeId::DataRequestComplianceRate, p, dans, dreq);
    put(OutcomeId::PlatformStatus, p, status, 1.0);
    put(OutcomeId::PlatformLocalized, p, localized / n_jurisdictions_, 1.0);
    put(OutcomeId::EscalationLevel, p, level, 1.0);
    put(OutcomeId::PlatformRevenue, p, revenue, 1.0);
    put(OutcomeId::TakedownRequestsReceived, p, req * scale, 1.0);
    put(OutcomeId::ExpectedTakedownRequestsReceived, p, ereq * scale, 1.0);
    put(OutcomeId::ExpectedTakedownComplianceRate, p, ehon, ereq);
  }
  daily_.push_back(std::move(row));
  if (n_jurisdictions_ >= 2) record_day_by_jurisdiction(t, slot);
  for (auto& st : stock_)
    for (int j = 0; j < n_jurisdictions_; ++j) {
      st.exposure_sum_jur[slot * static_cast<std::size_t>(n_jurisdictions_) + static_cast<std::size_t>(j)] = 0;
      st.exposure_n_jur[slot * static_cast<std::size_t>(n_jurisdictions_) + static_cast<std::size_t>(j)] = 0;
    }
  // Realised daily utility for the exit rule (same terms as the choice model).
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    if (op.status == PlatformStatus::Exited) continue;
    const auto& pp = s_.platforms[static_cast<std::size_t>(op.platform)];
    const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
    const double unit = pp.revenue_per_user_day;
    const double per_user = op.users > 0 ? 1.0 / d(op.users) : 0.0;  // the utility is per user and day
    const double utility = rules::platform_utility(unit * activity_factor(op.status, reg.throttle_severity), d(t.honoured[o] + t.proactive[o]) * per_user,
                                                   d(t.wrongful[o] + t.handovers[o]) * per_user, d(t.honoured[o] + t.data_answered[o]) * per_user,
                                                   op.fines_today * per_user, pp.moderation_cost, pp.reputation_weight, pp.compliance_preference, unit);
    op.fines_today = 0;  // paid once; a fine levied at today's review is paid tomorrow
    op.negative_days = rules::negative_days_after(op.negative_days, rules::bad_day(utility, op.status == PlatformStatus::Suspended));
    if (rules::exits(pp.can_exit, op.negative_days, s_.platform.exit_patience_days)) op.status = PlatformStatus::Exited;
  }
}

void Model::record_day_by_jurisdiction(const BlockCounters& t, std::size_t slot) {
  const auto J = static_cast<std::size_t>(n_jurisdictions_);
  std::vector<DailyValue> row(static_cast<std::size_t>(jur_offset_.size()) * J);
  auto d = [](std::int64_t x) { return static_cast<double>(x); };
  for (std::size_t j = 0; j < J; ++j) {
    const std::int64_t* cj = &t.by_jur[j * kJurCounts];
    auto put = [&](OutcomeId k, double num, double den) {
      row[static_cast<std::size_t>(jurisdiction_column(k, static_cast<int>(j)))] = {num, den};
    };
    const double Nj = d(users_in_jurisdiction_[j]);
    double exposure = 0, left = 0;
    for (const auto& st : stock_) {  // block order: deterministic
      exposure += st.exposure_sum_jur[slot * J + j];
      left += d(st.exposure_n_jur[slot * J + j]);
    }
    std::int64_t requests = 0;
    for (int p = 0; p < n_platforms_; ++p) requests += t.requests[j * static_cast<std::size_t>(n_platforms_) + static_cast<std::size_t>(p)];
    put(OutcomeId::SelfCensorshipRate, d(cj[JSelfCensored]), d(cj[JIntended]));
    put(OutcomeId::LawfulSelfCensorshipRate, d(cj[JLawfulSelfCensored]), d(cj[JIntendedLawful]));
    put(OutcomeId::SilencedUserShare, d(cj[JSilenced]), d(users_with_grievance_[j]));
    put(OutcomeId::PostedPerUserDay, d(cj[JPosted]), Nj);
    put(OutcomeId::TakedownRequests, d(requests), 1.0);
    put(OutcomeId::OverRemovalShare, d(cj[JRemovedLawful]), d(cj[JRemoved]));
    put(OutcomeId::UnlawfulVisibleShare, d(cj[JUnlawfulVisible]), d(cj[JUnlawfulPosted]));
    put(OutcomeId::UsersSanctionedPer100k, d(t.sanctions[j]) * 1e5, Nj);
    put(OutcomeId::MeanPerceivedRisk, t.risk_by_jur[j], Nj);
    put(OutcomeId::TakedownRequestsPer100k, d(requests) * 1e5, Nj);
    put(OutcomeId::LegalChillingRate, d(cj[JChilled]), d(cj[JIntended]));
    put(OutcomeId::LawfulLegalChillingRate, d(cj[JLawfulChilled]), d(cj[JIntendedLawful]));
    put(OutcomeId::WrongfulRemovalsPer100k, d(cj[JRemovedLawful]) * 1e5, Nj);
    put(OutcomeId::UnlawfulExposureDays, exposure, left);
    put(OutcomeId::ExpectedUsersSanctionedPer100k, t.expected_sanctions[j] * 1e5, Nj);
  }
  daily_jur_.push_back(std::move(row));
}

RunResult Model::result() const {
  std::vector<int> widths;
  for (const auto& o : outcome_table()) widths.push_back(o.per_platform ? n_platforms_ : 1);
  RunResult res = aggregate_days(daily_, widths, s_.simulation.record_every_days, s_.simulation.summary_window_days);
  if (n_jurisdictions_ >= 2) {
    // The outcomes not per platform, each J wide, then spread back to OutcomeId order.
    std::vector<int> jw;
    for (const int off : jur_offset_)
      if (off >= 0) jw.push_back(n_jurisdictions_);
    RunResult by = aggregate_days(daily_jur_, jw, s_.simulation.record_every_days, s_.simulation.summary_window_days);
    res.jur_summary.resize(jur_offset_.size());
    res.jur_series.resize(jur_offset_.size());
    for (std::size_t k = 0; k < jur_offset_.size(); ++k) {
      if (jur_offset_[k] < 0) continue;
      res.jur_summary[k] = std::move(by.summary[static_cast<std::size_t>(jur_offset_[k])]);
      res.jur_series[k] = std::move(by.series[static_cast<std::size_t>(jur_offset_[k])]);
    }
  }
  return res;
}

}  // namespace complysim
