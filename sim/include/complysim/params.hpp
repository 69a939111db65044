// complysim — the one parameter table.
//
// Every scenario field is declared exactly once below, in an X-macro list per
// TOML table. Each entry gives: type, key, default, unit, minimum, maximum,
// one-line description, and source (a citation or "assumption: why"). The same
// lists generate the typed structs the model reads, the parser's and `--set`'s
// validation, `complysim params`, and docs/parameters.md.
//
// Entry form: X(TYPE, key, default, "unit", min, max, "description", "source")
// TYPE is one of Real (double), Int (std::int64_t), Bool, Str (free text),
// Date (ISO 8601 calendar date, stored as text), Choice (one of the words in
// the unit column, separated by '|').
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// clang-format off
#define COMPLYSIM_SIMULATION_FIELDS(X) \
  X(Int,  days,                365,          "days",     1, 36500, "Simulated horizon; day 0 is start_date.", "model-spec.md section 1: default horizon 365 days") \
  X(Date, start_date,          "2023-01-01", "ISO date", 0, 0,     "Calendar date of day 0, so outputs and events read as dates.", "assumption: a neutral recent year") \
  X(Int,  seed,                20221001,     "",         0, 4294967295, "Scenario seed: the key of every random stream (model-spec.md section 8).", "assumption") \
  X(Int,  replicates,          4,            "runs",     1, 100000, "Independent replicates of `complysim run` (keys differ only by replicate).", "assumption: enough for a rough 95% CI") \
  X(Int,  record_every_days,   7,            "days",     1, 36500, "Interval between time-series records (each record is the mean over its interval).", "assumption: weekly") \
  X(Int,  summary_window_days, 90,           "days",     1, 36500, "Per-run summaries are the mean over this many final days.", "assumption: last quarter")

#define COMPLYSIM_POPULATION_FIELDS(X) \
  X(Int,    users,                       20000,         "users",          2, 200000000, "Number of simulated user agents: a sample of the represented population (one per internet user at full scale).", "assumption: small enough for a workstation run") \
  X(Int,    represented_users,           78000000,      "users",          1, 10000000000, "Real internet users the sample stands for; every rule is per capita, so outcomes do not depend on `users`.", "DataReportal, Digital 2023: Vietnam (about 78 million internet users)") \
  X(Real,   grievance_mean,              0.35,          "0..1",           0, 1, "Mean of the Beta-distributed grievance g.", "Epstein 2002 (grievance as hardship x illegitimacy); level: assumption") \
  X(Real,   grievance_concentration,     4.0,           "",               0.01, 1e6, "Concentration (alpha+beta) of the grievance Beta distribution.", "assumption") \
  X(Real,   risk_aversion_mean,          0.5,           "0..1",           0, 1, "Mean of the Beta-distributed risk aversion rho.", "Epstein 2002 (risk aversion uniform on 0..1, mean 0.5)") \
  X(Real,   risk_aversion_concentration, 4.0,           "",               0.01, 1e6, "Concentration of the risk-aversion Beta distribution.", "assumption") \
  X(Real,   isolation_fear_mean,         0.25,          "0..1",           0, 1, "Mean fear of isolation phi (spiral of silence).", "Noelle-Neumann 1974; level: assumption") \
  X(Real,   isolation_fear_concentration,4.0,           "",               0.01, 1e6, "Concentration of the fear-of-isolation Beta distribution.", "assumption") \
  X(Real,   posts_per_day,               0.3,           "items/user/day", 0, 100, "Median of the users' mean intended political items per day.", "assumption: a minority of users post political content daily") \
  X(Real,   activity_dispersion,         1.0,           "log units",      0, 5, "Standard deviation of the log of a user's mean activity (log-normal).", "assumption: heavy-tailed activity, as on every social network") \
  X(Real,   ambiguity_averse_share,      0.6,           "share",          0, 1, "Share of users who read vague rules pessimistically (a = +1).", "Lyhs & Hoeppner 2016; share: assumption") \
  X(Real,   ambiguity_shift,             1.0,           "sigma units",    0, 10, "How far (in units of vagueness) ambiguity attitude moves the perceived line.", "assumption") \
  X(Real,   sensitivity_concentration,   6.0,           "",               0.01, 1e6, "Concentration of the Beta distribution of an item's sensitivity s (mean sensitivity_base + sensitivity_slope g).", "model-spec.md section 3; level: assumption") \
  X(Real,   sensitivity_base,            0.2,           "sensitivity",    0, 1, "Mean sensitivity of the items of a user with grievance 0.", "model-spec.md section 3 (v1's constant 0.2)") \
  X(Real,   sensitivity_slope,           0.6,           "sensitivity",    0, 1, "Increase of the mean sensitivity from grievance 0 to 1 (base + slope must not exceed 1).", "model-spec.md section 3 (v1's constant 0.6)") \
  X(Real,   speak_threshold,             0.1,           "0..1",           0, 1, "Threshold T in g - rho J R - phi (1 - q) > T.", "Epstein 2002 (activation threshold 0.1)") \
  X(Int,    climate_window_days,         7,             "days",           1, 365, "A neighbour counts as speaking if it posted visibly within this many days.", "assumption") \
  X(Choice, network,                     "small_world", "small_world|scale_free|random", 0, 0, "Social network generator.", "Watts & Strogatz 1998; Chung & Lu 2002; Erdos & Renyi 1959") \
  X(Real,   mean_degree,                 12.0,          "contacts",       2, 1000, "Mean number of contacts per user.", "assumption: issue 7 reference size") \
  X(Real,   rewire_probability,          0.1,           "probability",    0, 1, "Watts-Strogatz rewiring probability (small_world only).", "Watts & Strogatz 1998")

#define COMPLYSIM_BELIEFS_FIELDS(X) \
  X(Real, prior_risk,       0.05, "probability",  0, 1, "Belief pi that a violating post is detected and punished, before any experience.", "assumption") \
  X(Real, takedown_jump,    0.3,  "share",        0, 1, "Own item taken down on request: pi <- pi + jump (1 - pi).", "Andrei, Comer & Koehler 2014 (audit raises perceived risk)") \
  X(Int,  silence_days,     30,   "days",         0, 3650, "Days an own sanction keeps a user from posting.", "assumption") \
  X(Real, neighbor_weight,  0.1,  "share",        0, 1, "Each sanctioned neighbour: pi <- pi + w (1 - pi).", "Hokamp & Pickhardt 2010 (social learning of audit risk)") \
  X(Real, publicity_weight, 0.05, "share",        0, 1, "Each publicised sanction heard of: pi <- pi + w (1 - pi).", "assumption") \
  X(Real, publicity_reach,  0.0003, "share",      0, 1, "Share of a jurisdiction's users each publicised sanction reaches (a per-capita rate: k ~ Poisson(publicity reach R_j S_j / N_j) cases heard a day).", "assumption: a state-media report of an arrest for a post reaches a few tens of thousands of Vietnam's 78 million users; about 0.03 cases heard per user a day at the baseline's sanction rate") \
  X(Real, decay,            0.02, "per day",      0, 1, "Daily decay rate of pi toward prior_risk.", "Andrei, Comer & Koehler 2014 (memory decay)") \
  X(Real, notice_learning,  0.2,  "per notice",   0, 1, "A takedown notice that states its legal basis lowers rule uncertainty u by this much.", "assumption")

#define COMPLYSIM_LAW_FIELDS(X) \
  X(Real, legal_threshold,         0.8,  "sensitivity", 0, 1, "theta: items above it are unlawful under a narrow reading.", "Craswell & Calfee 1986") \
  X(Real, enforcement_breadth,     0.2,  "sensitivity", 0, 1, "Enforcers read the line at theta - breadth.", "assumption: vague 'prestige' standards read broadly") \
  X(Real, vagueness,               0.15, "sensitivity", 0, 1, "sigma: noise of a judgement, Phi((s - theta_enf) / sigma); 0 is a bright line.", "Craswell & Calfee 1986; Feldman & Teichman 2009") \
  X(Real, user_sanction,           0.6,  "0..1",        0, 1, "J: severity of a sanction for the user.", "assumption") \
  X(Real, publicity,               0.3,  "share",       0, 1, "Share of its sanctions the regulator publicises.", "assumption") \
  X(Real, transparency,            0.1,  "probability", 0, 1, "Probability a takedown notice states its legal basis.", "assumption: Decree 53 notices rarely do") \
  X(Real, appeals,                 0.05, "probability", 0, 1, "Probability a wrongful removal is reversed on appeal.", "assumption") \
  X(Real, takedown_deadline_hours, 24,   "hours",       0, 8760, "Deadline h for honouring a takedown request: the item is removed h hours after the request, and the platform contests a lawful one with probability 1 - exp(-h / platform.review_hours).", "Decree 147/2024 (24 h); Decree 27/2018 (3 h domestic)") \
  X(Real, identification,          0.1,  "probability", 0, 1, "Probability the regulator identifies a flagged author without the platform.", "assumption; raised by account verification (Decree 147/2024)") \
  X(Bool, data_localization,       true, "",            0, 0, "Platforms must hold users' data in the country and answer data requests.", "Cybersecurity Law 2018 art. 26; Decree 53/2022")

#define COMPLYSIM_REGULATOR_FIELDS(X) \
  X(Real, monitoring_rate,        0.05, "share/day",   0, 1, "Probability that a visible item not yet reviewed is reviewed on a given day (each item at most once).", "assumption") \
  X(Real, monitoring_growth,      0.0,  "per year",   -5, 5, "Trend of the monitoring rate, per year on the log scale: each day after the first the rate is multiplied by exp(monitoring_growth / 365), at most 1 (0: constant; an event that sets either takes over from its day).", "assumption: Vietnam's reported removal requests grew about sixteen-fold 2018-2020 (Google Transparency Report, data/vietnam_requests_sanctions_2013_2020.csv)") \
  X(Real, compliance_target,      0.9,  "share",       0, 1, "Compliance rate below which a review escalates.", "MIC statements 2019-2020 (demanding 90%+ compliance)") \
  X(Int,  review_days,            30,   "days",        1, 3650, "Days between escalation reviews.", "assumption: monthly") \
  X(Real, fine_revenue_days,      5,    "revenue-days",0, 3650, "A fine, in days of the platform's local revenue.", "assumption") \
  X(Int,  throttle_days,          50,   "days",        0, 3650, "Duration of a throttling step.", "Vietnam 2020: about 7 weeks") \
  X(Real, throttle_severity,      0.5,  "share",       0, 1, "Share of revenue and of users' activity cut while throttled.", "assumption: 2020 throttling made the service mostly unusable") \
  X(Int,  suspension_days,        30,   "days",        0, 3650, "Duration of a suspension step.", "assumption") \
  X(Real, escalation_credibility, 0.5,  "probability", 0, 1, "Probability an escalation step due is carried out.", "Tsebelis 1989 (inspection game)") \
  X(Real, prosecution_rate,       0.3,  "probability", 0, 1, "Probability an identified author is sanctioned.", "assumption") \
  X(Str,  coordination_group,     "",   "",            0, 0, "Regulators with the same non-empty group escalate together.", "2019 proposal of joint rules (ID, VN, TH, PH)") \
  X(Int,  max_escalation_level,   4,    "level",       0, 4, "Highest step of the ladder the regulator takes (0 none, 1 warning, 2 fine, 3 throttling, 4 suspension).", "model-spec.md section 5")

#define COMPLYSIM_PLATFORM_SHARED_FIELDS(X) \
  X(Int,  review_days,          7,   "days",        1, 3650, "Days between a platform's re-choices of c, d and tau.", "assumption") \
  X(Int,  exit_patience_days,   180, "days",        1, 36500, "Days of negative utility before a platform that can exit leaves.", "assumption") \
  X(Real, prior_credibility,    0.3, "probability", 0, 1, "A platform's initial belief that a threatened escalation step is carried out.", "assumption") \
  X(Real, credibility_learning, 0.3, "share",       0, 1, "Rate at which that belief moves toward each observed outcome of a threat.", "assumption") \
  X(Int,  choice_grid_steps,    11,  "points",      2, 101, "Grid points per decision (c, d, tau) in the quantal-response choice.", "assumption") \
  X(Real, review_hours,         24,  "hours",       0.01, 8760, "Time scale of a platform's legal check: in h hours it finds a requested item lawful with probability 1 - exp(-h / review_hours).", "assumption: NetzDG practice, most complaints decided within a day; model-spec.md section 4") \
  X(Real, shortfall_width,      0.02,"share",       1e-6, 1, "Width of the logistic a platform uses for the chance its compliance score falls short of the target.", "model-spec.md section 4 (v1's constant 0.02)") \
  X(Real, planning_horizon_days,365, "days",        1, 36500, "Horizon over which a platform weighs the one-off localisation cost against the penalty it avoids.", "model-spec.md section 4 (v1's constant 365)")

#define COMPLYSIM_PLATFORMS_FIELDS(X) \
  X(Real, market_share,              0.0,  "share",        0, 1, "Share of users whose home platform this is (omitted on every platform: equal shares).", "assumption") \
  X(Real, revenue_per_user_day,      1.0,  "relative",     0, 1e9, "Revenue per user per day.", "assumption: relative units") \
  X(Real, reputation_weight,         50,   "revenue-days", 0, 1e9, "Cost of each wrongful removal or data handover, in days of one user's revenue.", "assumption: high for Facebook-like, low for TikTok-like") \
  X(Real, moderation_cost,           1.0,  "revenue-days", 0, 1e9, "Cost of each request honoured or item removed proactively, in days of one user's revenue.", "assumption") \
  X(Real, localization_cost,         30,   "revenue-days", 0, 1e9, "One-off cost of localising data, in days of local revenue.", "assumption") \
  X(Real, initial_compliance,        0.5,  "share",        0, 1, "c at day 0: share of takedown requests honoured.", "assumption") \
  X(Real, initial_data_compliance,   0.2,  "share",        0, 1, "d at day 0: share of data requests answered.", "assumption") \
  X(Real, initial_removal_threshold, 1.0,  "sensitivity",  0, 1, "tau at day 0: items above it are removed proactively (1 = none).", "assumption") \
  X(Bool, initially_localized,       false,"",             0, 0, "Whether the platform already holds data in the country.", "assumption") \
  X(Real, learning_rate,             0.2,  "share",        0, 1, "Share of the way c, d and tau move toward each new choice.", "Avenhaus, von Stengel & Zamir 2002; level: assumption") \
  X(Real, rationality,               100,  "1/revenue",    0, 1e6, "Logit precision lambda of the quantal-response choice, per unit of utility/daily revenue.", "McKelvey & Palfrey 1995") \
  X(Bool, can_exit,                  false,"",             0, 0, "Whether the platform may leave the market.", "assumption") \
  X(Real, switching_cost,            1.0,  "revenue-days", 0, 1e9, "A review moves the platform's choices only if a grid point gains more than this many days of its whole revenue over a review period (the inaction band).", "Dixit 1989 (entry and exit under sunk costs); level: assumption") \
  X(Real, compliance_preference,     0.0,  "revenue-days", 0, 1e9, "Goodwill per honoured request or answered data request (e.g. with the home government), in days of one user's revenue.", "model-spec.md section 4; assumption: positive for comply-by-default platforms") \
  X(Real, regulator_attention,       1.0,  "relative",     0, 1e6, "Multiplier of the regulator's monitoring rate for this platform's items, in every jurisdiction: they are reviewed at min(1, monitoring_rate x regulator_attention) a day (1: the same attention as every other platform).", "assumption; the Vietnam timelines fit a trend (attention_growth)") \
  X(Real, attention_growth,          0.0,  "per year",    -5, 5, "Trend of regulator_attention, per year on the log scale: each day after the first it is multiplied by exp(attention_growth / 365) (0: constant; an event that sets either takes over from its day).", "assumption: Facebook's reported restrictions in Vietnam fell in 2019 while Google's reported items grew about sixteen-fold 2018-2020 (data/vietnam_requests_sanctions_2013_2020.csv)") \
  X(Real, attention_surge,           1.0,  "relative",     0, 1e6, "Multiplier of regulator_attention while surge_active is true: a temporary crackdown on this platform's items that events switch on and off (regulator_attention keeps its own trend underneath).", "assumption; the Vietnam timelines fit one for Facebook from the June 2018 protests to the Cybersecurity Law (data/vietnam_requests_sanctions_2013_2020.csv)") \
  X(Bool, surge_active,              false,"",             0, 0, "Whether attention_surge applies to this platform's items (set by events: on when a crackdown starts, off when it ends).", "assumption")

#define COMPLYSIM_CONTENT_FIELDS(X) \
  X(Int,  lifetime_days,        3,   "days",        1, 365, "Days a posted item stays visible in feeds unless removed.", "assumption: political posts drop out of feeds within a few days")

#define COMPLYSIM_OUTCOMES_FIELDS(X) \
  X(Real, lawful_threshold,     0.8, "sensitivity", 0, 1, "The fixed yardstick: items with s below it count as lawful in every outcome (designs and events cannot change it).", "ICCPR article 19 as an external standard; model-spec.md section 3") \
  X(Int,  silence_window_days,  30,  "days",        1, 3650, "Window of silenced_user_share: users with g > T who posted nothing in this many days.", "model-spec.md section 7 (v1's constant 30)")

#define COMPLYSIM_JURISDICTION_FIELDS(X) \
  X(Real, population_share, 1.0, "share", 0, 1, "Share of the users who live in this jurisdiction.", "assumption")
// clang-format on

namespace complysim {

/// Value of a parameter as held outside the typed structs (parsing, --set,
/// sweeps, events). Int is 64-bit; Str, Date and Choice are text.
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;

/// Type of a parameter in the table.
enum class ParamType { Real, Int, Bool, Str, Date, Choice };

/// Printable name of a ParamType ("real", "integer", "boolean", "string", "date", "choice").
std::string_view to_string(ParamType t);

/// Which table a parameter lives in. Platforms and Jurisdiction fields are
/// addressed per entity (`platforms.NAME.key`, `jurisdictions.NAME.key`);
/// Law and Regulator fields are also addressable per jurisdiction
/// (`jurisdictions.NAME.law.key`).
enum class ParamGroup { Simulation, Population, Beliefs, Law, Regulator, Platform, Content, Outcomes, Platforms, Jurisdiction };

/// One row of the parameter table.
struct ParamSpec {
  ParamGroup group;
  std::string_view table;  ///< TOML table name: "simulation", "law", "platforms", ...
  std::string_view key;    ///< key inside the table: "vagueness"
  ParamType type;
  ParamValue default_value;
  std::string_view unit;   ///< for Choice: the allowed words separated by '|'
  double min, max;         ///< inclusive range for Real and Int; unused otherwise
  std::string_view description;
  std::string_view source; ///< citation, or "assumption: why"

  /// Dotted name as written in docs: "law.vagueness", "platforms.<name>.market_share".
  std::string dotted_name() const;
  /// Allowed words of a Choice parameter.
  std::vector<std::string_view> choices() const;
};

/// The whole table, in declaration order.
std::span<const ParamSpec> parameter_table();

/// Row for (table, key), or nullptr. `table` is e.g. "law" or "platforms".
const ParamSpec* find_param(std::string_view table, std::string_view key);

/// Text of a value as TOML would write it (strings quoted, reals with enough
/// digits to round-trip).
std::string to_toml_text(const ParamValue& v);

/// Checks that `v` has the right type for `spec` (an Int is accepted where a
/// Real is expected and converted) and lies in range / in the choices / is a
/// valid ISO date. Returns the possibly converted value.
/// @throws std::invalid_argument with a message that does not include a
///         position (the caller adds "FILE:LINE:COLUMN: error: ").
ParamValue check_value(const ParamSpec& spec, const ParamValue& v);
/// As above, naming the parameter `name` in messages (e.g. the concrete
/// "platforms.global_social.market_share" rather than the table's "platforms.<name>.market_share").
ParamValue check_value(const ParamSpec& spec, const ParamValue& v, std::string_view name);

/// Days since 1970-01-01 of an ISO date "YYYY-MM-DD"; std::nullopt if invalid.
std::optional<std::int64_t> parse_iso_date(std::string_view text);
/// ISO date "YYYY-MM-DD" of a day count since 1970-01-01.
std::string format_iso_date(std::int64_t days_since_epoch);

}  // namespace complysim
