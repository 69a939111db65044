// complysim — the agent model. Rules are in docs/model.md, each with its source.
#include "complysim/model/model.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
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

/// Users per block of the parallel passes. Fixed, so that the per-block
/// partial sums, and hence every result, do not depend on the thread count.
constexpr std::size_t kBlock = 8192;
static_assert(kBlock % 4 == 0, "belief_pass shares one Philox block among 4 consecutive users");
constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min() / 2;
/// Width of the logistic a platform uses for "falls short of the target" (share units).
constexpr double kShortfallWidth = 0.02;
/// Horizon over which a platform weighs the one-off cost of localising (days).
constexpr double kLocalizationHorizonDays = 365.0;

/// Standard normal CDF.
inline double Phi(double x) { return 0.5 * std::erfc(-x * 0.7071067811865476); }

/// Probability that an enforcer judges an item of sensitivity s violating
/// under a line at theta_enf with vagueness sigma (model-spec.md section 2;
/// Craswell & Calfee 1986). sigma = 0 is the bright-line step s > theta_enf.
inline double judged_violating(double s, double theta_enf, double sigma) {
  if (sigma <= 0.0) return s > theta_enf ? 1.0 : 0.0;
  return Phi((s - theta_enf) / sigma);
}

inline float to_f(double x) { return static_cast<float>(x); }

template <class F>
void for_blocks(std::size_t n, F&& f) {
  const std::size_t nb = (n + kBlock - 1) / kBlock;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nb, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t b = r.begin(); b != r.end(); ++b)
                        f(b, b * kBlock, std::min(n, (b + 1) * kBlock));
                    },
                    tbb::simple_partitioner());
}

/// Per-thread scratch of the passes over one block of users (kept between
/// days so that no block allocates; contents never outlive one block).
struct BlockScratch {
  std::vector<std::uint32_t> first, words, who, count, block0, block1, flips;
};
BlockScratch& scratch() {
  thread_local BlockScratch s;
  return s;
}

/// The words of a draw that four consecutive users share: user i takes word
/// i mod 4 of the stream (day, agent = i - i mod 4, purpose), block 0. Users
/// lo..hi-1 (lo a multiple of 4, as every block of users is, so this does not
/// depend on the thread count), all at once with philox_many; user i's word is
/// the result's [i - lo]. Uses sc.first and sc.words.
const std::uint32_t* shared_block_words(RunKey key, std::uint32_t day, Purpose purpose, std::size_t lo, std::size_t hi,
                                        BlockScratch& sc) {
  const std::size_t groups = (hi - lo + 3) / 4;
  sc.first.resize(groups);
  sc.words.resize(4 * groups);
  for (std::size_t g = 0; g < groups; ++g) sc.first[g] = static_cast<std::uint32_t>(lo + 4 * g);
  philox_many(key, day, sc.first.data(), static_cast<std::uint32_t>(purpose), 0, groups, sc.words.data());
  return sc.words.data();
}
}  // namespace

double activity_factor(PlatformStatus status, double throttle_severity) {
  switch (status) {
    case PlatformStatus::Active: return 1.0;
    case PlatformStatus::Throttled: return 1.0 - throttle_severity;
    default: return 0.0;
  }
}

void Model::BlockCounters::reset(std::size_t n_ops, std::size_t n_jur) {
  intended = self_censored = intended_lawful = lawful_self_censored = 0;
  posted = removed = removed_lawful = unlawful_posted = unlawful_visible = silenced = 0;
  risk_sum = 0;
  for (auto* v : {&requests, &honoured, &data_requests, &data_answered, &preempted, &wrongful, &handovers, &proactive})
    v->assign(n_ops, 0);
  sanctions.assign(n_jur, 0);
  items.assign(n_ops * kSensitivityBins, 0);
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
  const double T = pop.speak_threshold;
  for (std::size_t i = 0; i < n; ++i) {
    ++ops_[static_cast<std::size_t>(u.jurisdiction[i] * n_platforms_ + u.platform[i])].users;
    if (u.grievance[static_cast<Eigen::Index>(i)] > T) {
      ++users_with_grievance_[u.jurisdiction[i]];
      // The climate starts as before the decree: every would-be speaker was heard the day before day 0.
      if (u.activity[static_cast<Eigen::Index>(i)] > 0.0f) u.visible[i].last_visible_day = -1;
    }
  }
  sanctions_yesterday_.assign(static_cast<std::size_t>(n_jurisdictions_), 0);

  blocks_.resize((n + kBlock - 1) / kBlock);
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
  apply_events();
  for (auto& b : blocks_) b.reset(ops_.size(), static_cast<std::size_t>(n_jurisdictions_));
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
      if (ev.action == "throttle") {
        op.status = PlatformStatus::Throttled;
        op.status_until = day_ + ev.days;
        op.escalation_level = std::max(op.escalation_level, 3);
      } else if (ev.action == "suspend") {
        op.status = PlatformStatus::Suspended;
        op.status_until = day_ + ev.days;
        op.escalation_level = 4;
      } else if (ev.action == "fine") {
        op.fines_today += revenue * (ev.days > 0 ? static_cast<double>(ev.days) : reg.fine_revenue_days);
        op.escalation_level = std::max(op.escalation_level, 2);
      }
      // An escalation suffered makes the next threat credible (learned credibility).
      op.credibility_belief += s_.platform.credibility_learning * (1.0 - op.credibility_belief);
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
  std::vector<double> publicity(static_cast<std::size_t>(n_jurisdictions_));
  for (int j = 0; j < n_jurisdictions_; ++j)
    publicity[static_cast<std::size_t>(j)] =
        sanctions_yesterday_[static_cast<std::size_t>(j)] > 0 ? s_.jurisdictions[static_cast<std::size_t>(j)].law.publicity : 0.0;
  const bool any_publicity = std::any_of(publicity.begin(), publicity.end(), [](double p) { return p > 0.0; });
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
      double pi = risk[i];
      pi += b.decay * (b.prior_risk - pi);
      unsigned sanctioned = 0;
      for (; hit != sanction_hits_.end() && *hit == i; ++hit) ++sanctioned;
      if (sanctioned > 0)
        pi = 1.0 - (1.0 - pi) * (sanctioned < keep_pow.size() ? keep_pow[sanctioned] : std::pow(keep_neighbor, static_cast<int>(sanctioned)));
      const double pub = publicity[users_.jurisdiction[i]];
      if (pub > 0.0 && (pub >= 1.0 || word_to_uniform(words[i - lo]) < pub)) pi += b.publicity_weight * (1.0 - pi);
      risk[i] = to_f(pi);
      c.risk_sum += pi;
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

  // A user with g > T who posted nothing in the last 30 days (fewer at the start) is silenced.
  const std::int32_t silence_window = static_cast<std::int32_t>(std::min<std::int64_t>(30, day_ + 1));
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
        c.silenced += (!may) & silenced(i);
      }
    }
    std::size_t kept = 0;
    for (std::size_t x = 0; x < n_who; ++x) {
      const std::uint32_t i = who[x];
      const std::uint32_t k = item_count(i, word_to_uniform(words[i - lo]));
      if (k == 0) {
        c.silenced += silenced(i);
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
      user_items(c, who[x], count[x], r);
      c.silenced += silenced(who[x]);
    }
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

void Model::user_items(BlockCounters& c, std::size_t i, std::uint32_t k, Stream& r) {
  const auto& pop = s_.population;
  const auto& bel = s_.beliefs;
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
  const auto& reg = jur.regulator;
  const double theta = law.legal_threshold;
  const double theta_enf = theta - law.enforcement_breadth;
  const double sigma = law.vagueness;
  const double rho_J = users_.risk_aversion[ii] * law.user_sanction;
  const double isolation = users_.isolation_fear[ii] * (1.0 - climate(i));
  const Stream::BetaShape sensitivity = Stream::beta_shape(0.2 + 0.6 * g, pop.sensitivity_concentration);
  const bool removed_before_day_end = law.takedown_deadline_hours < 24.0;
  double pi = users_.perceived_risk[ii];
  double unc = users_.uncertainty[ii];

  for (std::uint32_t item = 0; item < k; ++item) {
    const double s = r.beta(sensitivity);
    const bool lawful = s < theta;
    ++c.intended;
    c.intended_lawful += lawful;
    // Posting rule: Epstein 2002 net risk; spiral of silence for isolation.
    // Perceived line and perceived sanction risk (model-spec.md section 3):
    // risk = pi * V-hat(s) with V-hat in [0, 1], so the rule is decided
    // without V-hat when even risk = pi posts, or even risk = 0 does not
    // (floating-point rounding is monotone: the same decisions as computing it).
    bool post;
    if (g - rho_J * pi - isolation > T) {
      post = true;
    } else if (!(g - rho_J * 0.0 - isolation > T)) {
      post = false;
    } else {
      const double theta_hat = theta_enf - users_.ambiguity[i] * pop.ambiguity_shift * sigma * unc;
      const double risk = pi * judged_violating(s, theta_hat, sigma);
      post = g - rho_J * risk - isolation > T;
    }
    if (!post) {
      ++c.self_censored;
      c.lawful_self_censored += lawful;
      continue;
    }
    ++c.posted;
    users_.last_post_day[i] = day;
    c.unlawful_posted += !lawful;
    const int bin = unit_bin(s, kSensitivityBins);  // never a non-finite value as an index (rng.hpp)
    ++c.items[o * kSensitivityBins + static_cast<std::size_t>(bin)];

    bool removed = false, visible = true, sanctioned = false;
    if (s > op.removal_threshold) {
      // Proactive removal: the platform's own filter, before any request.
      removed = true;
      visible = false;
      ++c.proactive[o];
      // Had the regulator reviewed it, would it have flagged it? Counts as pre-empted compliance.
      if (r.bernoulli(reg.monitoring_rate) && r.bernoulli(judged_violating(s, theta_enf, sigma))) ++c.preempted[o];
    } else if (r.bernoulli(reg.monitoring_rate) && r.bernoulli(judged_violating(s, theta_enf, sigma))) {
      // Flagged: a takedown request and a data request go to the platform.
      ++c.requests[o];
      if (r.bernoulli(op.compliance)) {
        ++c.honoured[o];
        removed = true;
        if (removed_before_day_end) visible = false;
        if (lawful) ++c.wrongful[o];
        if (r.bernoulli(law.transparency)) unc = std::max(0.0, unc - bel.notice_learning);
        if (lawful && r.bernoulli(law.appeals)) {
          removed = false;  // reversed on appeal: restored, and the belief jump undone
          visible = true;
        } else {
          pi += bel.takedown_jump * (1.0 - pi);
        }
      }
      ++c.data_requests[o];
      const bool answered = op.localized && r.bernoulli(op.data_compliance);
      if (answered) {
        ++c.data_answered[o];
        ++c.handovers[o];
      }
      const bool identified = answered || r.bernoulli(law.identification);
      if (identified && r.bernoulli(reg.prosecution_rate)) sanctioned = true;
    }
    if (removed) {
      ++c.removed;
      c.removed_lawful += lawful;
    }
    if (visible) {
      users_.visible[i].last_visible_day = day;
      c.unlawful_visible += !lawful;
    }
    if (sanctioned) {
      pi = 1.0;
      users_.silent_until[i] = day + 1 + static_cast<std::int32_t>(bel.silence_days);
      users_.visible[i].last_sanction_day = day;
      ++c.sanctions[users_.jurisdiction[i]];
      break;  // a sanctioned user posts nothing more
    }
  }
  users_.perceived_risk[ii] = to_f(pi);
  users_.uncertainty[ii] = to_f(unc);
}

void Model::record_day() {
  BlockCounters t;
  t.reset(ops_.size(), static_cast<std::size_t>(n_jurisdictions_));
  for (const auto& b : blocks_) {  // block order: deterministic
    t.intended += b.intended;
    t.self_censored += b.self_censored;
    t.intended_lawful += b.intended_lawful;
    t.lawful_self_censored += b.lawful_self_censored;
    t.posted += b.posted;
    t.removed += b.removed;
    t.removed_lawful += b.removed_lawful;
    t.unlawful_posted += b.unlawful_posted;
    t.unlawful_visible += b.unlawful_visible;
    t.silenced += b.silenced;
    t.risk_sum += b.risk_sum;
    for (std::size_t o = 0; o < ops_.size(); ++o) {
      t.requests[o] += b.requests[o];
      t.honoured[o] += b.honoured[o];
      t.data_requests[o] += b.data_requests[o];
      t.data_answered[o] += b.data_answered[o];
      t.preempted[o] += b.preempted[o];
      t.wrongful[o] += b.wrongful[o];
      t.handovers[o] += b.handovers[o];
      t.proactive[o] += b.proactive[o];
    }
    for (std::size_t j = 0; j < t.sanctions.size(); ++j) t.sanctions[j] += b.sanctions[j];
    for (std::size_t x = 0; x < t.items.size(); ++x) t.items[x] += b.items[x];
  }
  std::int64_t sanctions = 0;
  for (std::size_t j = 0; j < t.sanctions.size(); ++j) sanctions += t.sanctions[j];
  sanctions_yesterday_ = t.sanctions;

  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    op.reg_requests += t.requests[o];
    op.reg_honoured += t.honoured[o];
    op.reg_data_requests += t.data_requests[o];
    op.reg_data_answered += t.data_answered[o];
    op.reg_preempted += t.preempted[o];
    for (int bin = 0; bin < kSensitivityBins; ++bin) op.seen_items[static_cast<std::size_t>(bin)] += t.items[o * kSensitivityBins + static_cast<std::size_t>(bin)];
    ++op.seen_days;
  }

  const auto N = static_cast<double>(users_.size());
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
  for (int p = 0; p < n_platforms_; ++p) {
    double req = 0, hon = 0, dreq = 0, dans = 0, status = 0, level = 0, localized = 0, revenue = 0;
    for (int j = 0; j < n_jurisdictions_; ++j) {
      const auto o = static_cast<std::size_t>(j * n_platforms_ + p);
      const auto& op = ops_[o];
      req += d(t.requests[o]);
      hon += d(t.honoured[o]);
      dreq += d(t.data_requests[o]);
      dans += d(t.data_answered[o]);
      status = std::max(status, static_cast<double>(op.status));
      level = std::max(level, static_cast<double>(op.escalation_level));
      localized += op.localized ? 1.0 : 0.0;
      const auto& reg = s_.jurisdictions[static_cast<std::size_t>(j)].regulator;
      revenue += s_.platforms[static_cast<std::size_t>(p)].revenue_per_user_day * d(op.users) * activity_factor(op.status, reg.throttle_severity);
    }
    put(OutcomeId::TakedownComplianceRate, p, hon, req);
    put(OutcomeId::DataRequestComplianceRate, p, dans, dreq);
    put(OutcomeId::PlatformStatus, p, status, 1.0);
    put(OutcomeId::PlatformLocalized, p, localized / n_jurisdictions_, 1.0);
    put(OutcomeId::EscalationLevel, p, level, 1.0);
    put(OutcomeId::PlatformRevenue, p, revenue, 1.0);
  }
  daily_.push_back(std::move(row));
  // Realised daily utility for the exit rule (same terms as the choice model).
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    if (op.status == PlatformStatus::Exited) continue;
    const auto& pp = s_.platforms[static_cast<std::size_t>(op.platform)];
    const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
    const double unit = pp.revenue_per_user_day;
    const double utility = unit * d(op.users) * activity_factor(op.status, reg.throttle_severity) -
                           pp.moderation_cost * unit * d(t.honoured[o] + t.proactive[o]) -
                           pp.reputation_weight * unit * d(t.wrongful[o] + t.handovers[o]) - op.fines_today;
    op.fines_today = 0;  // counted once; a fine levied at today's review counts tomorrow
    op.negative_days = utility < 0 ? op.negative_days + 1 : 0;
    if (pp.can_exit && op.negative_days >= s_.platform.exit_patience_days) op.status = PlatformStatus::Exited;
  }
}

void Model::apply_step(Operation& op, int new_level) {
  const auto& reg = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)].regulator;
  const double revenue = s_.platforms[static_cast<std::size_t>(op.platform)].revenue_per_user_day * static_cast<double>(op.users);
  op.escalation_level = std::min(4, new_level);
  switch (op.escalation_level) {
    case 2: op.fines_today += reg.fine_revenue_days * revenue; break;
    case 3:
      op.status = PlatformStatus::Throttled;
      op.status_until = day_ + 1 + reg.throttle_days;
      break;
    case 4:
      op.status = PlatformStatus::Suspended;
      op.status_until = day_ + 1 + reg.suspension_days;
      break;
    default: break;  // 1: a warning
  }
}

// The escalation ladder (model-spec.md section 5; Tsebelis 1989 inspection game).
void Model::regulator_reviews() {
  std::vector<int> due(ops_.size(), 0);  // 1 = step carried out, -1 = step down
  bool any_review = false;
  for (std::size_t o = 0; o < ops_.size(); ++o) {
    auto& op = ops_[o];
    const auto& jur = s_.jurisdictions[static_cast<std::size_t>(op.jurisdiction)];
    const auto& reg = jur.regulator;
    if ((day_ + 1) % reg.review_days != 0) continue;
    any_review = true;
    if (op.status == PlatformStatus::Exited) continue;
    const auto num = static_cast<double>(op.reg_honoured + op.reg_preempted);
    const auto den = static_cast<double>(op.reg_requests + op.reg_preempted);
    double score = den > 0 ? num / den : 1.0;
    if (jur.law.data_localization) {
      const double data_score = !op.localized ? 0.0
                                : op.reg_data_requests > 0 ? static_cast<double>(op.reg_data_answered) / static_cast<double>(op.reg_data_requests)
                                                           : 1.0;
      score = std::min(score, data_score);
    }
    op.reg_requests = op.reg_honoured = op.reg_data_requests = op.reg_data_answered = op.reg_preempted = 0;
    if (score >= reg.compliance_target) {
      due[o] = -1;
      continue;
    }
    Stream r(key_, static_cast<std::uint32_t>(day_), static_cast<std::uint32_t>(o), Purpose::Escalation);
    const bool carried = r.bernoulli(reg.escalation_credibility);
    op.credibility_belief += s_.platform.credibility_learning * ((carried ? 1.0 : 0.0) - op.credibility_belief);
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
      if (due[o] != 1) op.credibility_belief += s_.platform.credibility_learning * (1.0 - op.credibility_belief);
      apply_step(op, op.escalation_level + 1);
    } else if (final_due[o] == -1) {
      op.escalation_level = std::max(0, op.escalation_level - 1);
    }
  }
}

// Quantal-response choice of (c, d, tau) and the localisation decision
// (model-spec.md section 4; McKelvey & Palfrey 1995; Avenhaus, von Stengel & Zamir 2002).
void Model::platform_reviews() {
  const auto& shared = s_.platform;
  if ((day_ + 1) % shared.review_days != 0) return;
  const int G = static_cast<int>(shared.choice_grid_steps);
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
    // Revenue at stake: a coordinated step hits the platform in every member of the group.
    double R_group = R0;
    if (!reg.coordination_group.empty()) {
      R_group = 0;
      for (const auto& q : ops_)
        if (q.platform == op.platform && s_.jurisdictions[static_cast<std::size_t>(q.jurisdiction)].regulator.coordination_group == reg.coordination_group)
          R_group += pp.revenue_per_user_day * static_cast<double>(q.users);
    }
    // Items per day by sensitivity bin, and the chance each is flagged.
    std::array<double, kSensitivityBins> per_day{}, flag{};
    bool any = false;
    for (int b = 0; b < kSensitivityBins; ++b) {
      per_day[static_cast<std::size_t>(b)] = static_cast<double>(op.seen_items[static_cast<std::size_t>(b)]) / static_cast<double>(op.seen_days);
      const double s_mid = (b + 0.5) / kSensitivityBins;
      flag[static_cast<std::size_t>(b)] = reg.monitoring_rate * judged_violating(s_mid, theta_enf, law.vagueness);
      any = any || per_day[static_cast<std::size_t>(b)] > 0;
    }
    op.seen_items.fill(0);
    op.seen_days = 0;
    if (!any) continue;
    // Expected loss of the ladder ahead, discounted by the believed credibility.
    const double bcred = op.credibility_belief;
    auto step_loss = [&](int k) {
      switch (k) {
        case 2: return reg.fine_revenue_days * R_group;
        case 3: return reg.throttle_severity * static_cast<double>(reg.throttle_days) * R_group;
        case 4: return static_cast<double>(reg.suspension_days) * R_group;
        default: return 0.0;
      }
    };
    double loss_ahead = 0, w = 1;
    for (int k = std::min(op.escalation_level + 1, 4); k <= 4; ++k) {
      w *= bcred;
      loss_ahead += w * step_loss(k);
      if (op.escalation_level >= 4) break;
    }
    const double penalty_scale = loss_ahead / static_cast<double>(reg.review_days);

    // The item sums depend only on tau: computed once per tau step (the same
    // loop as per grid point, so the same numbers), then combined with c and d.
    struct TauSums { double visible_flagged = 0, visible_flagged_lawful = 0, proactive = 0, proactive_lawful = 0, preempted = 0; };
    std::vector<TauSums> by_tau(static_cast<std::size_t>(G));
    for (int t = 0; t < G; ++t) {
      const double tau = 0.5 + 0.5 * t / (G - 1);
      TauSums& q = by_tau[static_cast<std::size_t>(t)];
      for (int b = 0; b < kSensitivityBins; ++b) {
        const double s_mid = (b + 0.5) / kSensitivityBins;
        const double nb = per_day[static_cast<std::size_t>(b)], fb = flag[static_cast<std::size_t>(b)];
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
    auto utility = [&](double c, double d, int t, bool localized) {
      const TauSums& q = by_tau[static_cast<std::size_t>(t)];
      double score = q.visible_flagged + q.preempted > 0 ? (c * q.visible_flagged + q.preempted) / (q.visible_flagged + q.preempted) : 1.0;
      const double handovers = localized ? d * q.visible_flagged : 0.0;
      if (law.data_localization) score = std::min(score, localized ? d : 0.0);
      const double p_short = 1.0 / (1.0 + std::exp((score - reg.compliance_target) / kShortfallWidth));
      return R0 - pp.moderation_cost * unit * (c * q.visible_flagged + q.proactive) -
             pp.reputation_weight * unit * (c * q.visible_flagged_lawful + q.proactive_lawful + handovers) - p_short * penalty_scale;
    };

    // Localisation: when required, localise once the expected gain over a
    // year exceeds the one-off cost (localization_cost revenue-days).
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
    if (law.data_localization && !op.localized) {
      const double gain = best_utility(true) - best_utility(false);
      if (gain * kLocalizationHorizonDays > pp.localization_cost * R0) op.localized = true;
    }
    // Quantal response: P(choice) proportional to exp(lambda * U / R0).
    std::vector<double> u;
    u.reserve(static_cast<std::size_t>(G * G * G));
    double umax = -std::numeric_limits<double>::infinity();
    for (int a = 0; a < G; ++a)
      for (int bb = 0; bb < G; ++bb)
        for (int t = 0; t < G; ++t) {
          const double c = static_cast<double>(a) / (G - 1), d = static_cast<double>(bb) / (G - 1);
          u.push_back(utility(c, d, t, op.localized));
          umax = std::max(umax, u.back());
        }
    double total = 0;
    for (auto& x : u) total += (x = std::exp(pp.rationality * (x - umax) / R0));
    Stream r(key_, static_cast<std::uint32_t>(day_), static_cast<std::uint32_t>(o), Purpose::PlatformChoice);
    double x = r.uniform() * total;
    std::size_t pick = 0;
    for (; pick + 1 < u.size(); ++pick) {
      x -= u[pick];
      if (x <= 0) break;
    }
    const int a = static_cast<int>(pick) / (G * G), bb = (static_cast<int>(pick) / G) % G, t = static_cast<int>(pick) % G;
    const double lr = pp.learning_rate;
    op.compliance += lr * (static_cast<double>(a) / (G - 1) - op.compliance);
    op.data_compliance += lr * (static_cast<double>(bb) / (G - 1) - op.data_compliance);
    op.removal_threshold += lr * (0.5 + 0.5 * t / (G - 1) - op.removal_threshold);
  }
}

RunResult Model::result() const {
  RunResult res;
  const auto days = static_cast<std::int64_t>(daily_.size());
  const std::int64_t every = s_.simulation.record_every_days;
  const std::int64_t records = (days + every - 1) / every;
  const std::int64_t window_start = std::max<std::int64_t>(0, days - s_.simulation.summary_window_days);
  const auto table = outcome_table();
  for (std::size_t k = 0; k < table.size(); ++k) {
    const int width = table[k].per_platform ? n_platforms_ : 1;
    std::vector<double> summary(static_cast<std::size_t>(width)), series(static_cast<std::size_t>(records * width));
    for (int p = 0; p < width; ++p) {
      const auto col = static_cast<std::size_t>(column_offset_[k] + p);
      double num = 0, den = 0;
      for (std::int64_t t = window_start; t < days; ++t) {
        num += daily_[static_cast<std::size_t>(t)][col].num;
        den += daily_[static_cast<std::size_t>(t)][col].den;
      }
      summary[static_cast<std::size_t>(p)] = den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
      for (std::int64_t rec = 0; rec < records; ++rec) {
        double rn = 0, rd = 0;
        for (std::int64_t t = rec * every; t < std::min(days, (rec + 1) * every); ++t) {
          rn += daily_[static_cast<std::size_t>(t)][col].num;
          rd += daily_[static_cast<std::size_t>(t)][col].den;
        }
        series[static_cast<std::size_t>(rec * width + p)] = rd > 0 ? rn / rd : std::numeric_limits<double>::quiet_NaN();
      }
    }
    res.summary.push_back(std::move(summary));
    res.series.push_back(std::move(series));
  }
  for (std::int64_t rec = 0; rec < records; ++rec) res.record_day.push_back(std::min(days, (rec + 1) * every) - 1);
  return res;
}

}  // namespace complysim
