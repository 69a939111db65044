// complysim — a resolved scenario: typed structs generated from params.hpp,
// plus events, the sweep section and where every value came from.
#pragma once

#include "complysim/params.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace complysim {

namespace detail {
template <ParamType T> struct ctype;
template <> struct ctype<ParamType::Real> { using type = double; };
template <> struct ctype<ParamType::Int> { using type = std::int64_t; };
template <> struct ctype<ParamType::Bool> { using type = bool; };
template <> struct ctype<ParamType::Str> { using type = std::string; };
template <> struct ctype<ParamType::Date> { using type = std::string; };
template <> struct ctype<ParamType::Choice> { using type = std::string; };
}  // namespace detail

#define COMPLYSIM_DECLARE_FIELD(TYPE, key, def, unit, lo, hi, desc, src) \
  typename detail::ctype<ParamType::TYPE>::type key = def;

/// [simulation]: horizon, calendar, seed, replicates, recording.
struct SimulationParams { COMPLYSIM_SIMULATION_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [population]: user traits, activity and the social network (model-spec.md section 3).
struct PopulationParams { COMPLYSIM_POPULATION_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [beliefs]: how perceived risk pi and rule uncertainty u move (model-spec.md section 3).
struct BeliefParams { COMPLYSIM_BELIEFS_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [law]: the decree's line, its vagueness and its procedures (model-spec.md section 2).
struct LawParams { COMPLYSIM_LAW_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [regulator]: monitoring, sanctions and the escalation ladder (model-spec.md section 5).
struct RegulatorParams { COMPLYSIM_REGULATOR_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [platform]: settings shared by all platforms (model-spec.md section 4).
struct PlatformSharedParams { COMPLYSIM_PLATFORM_SHARED_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [content]: items in feeds (model-spec.md section 5).
struct ContentParams { COMPLYSIM_CONTENT_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// [outcomes]: fixed yardsticks of the outcomes (model-spec.md sections 3 and 7).
struct OutcomeParams { COMPLYSIM_OUTCOMES_FIELDS(COMPLYSIM_DECLARE_FIELD) };
/// One [[platforms]] entry (model-spec.md section 4).
struct PlatformParams {
  std::string name;
  COMPLYSIM_PLATFORMS_FIELDS(COMPLYSIM_DECLARE_FIELD)
};
/// One [[jurisdictions]] entry; its law and regulator inherit the top-level
/// tables field by field.
struct JurisdictionParams {
  std::string name;
  COMPLYSIM_JURISDICTION_FIELDS(COMPLYSIM_DECLARE_FIELD)
  LawParams law;
  RegulatorParams regulator;
  /// Fields this jurisdiction sets itself ("law.vagueness", "regulator.review_days");
  /// every other law/regulator field follows the top-level table.
  std::vector<std::string> own_fields;
};
#undef COMPLYSIM_DECLARE_FIELD

/// An [[events]] entry, resolved to a day. Exactly one of `set` (lever
/// changes from `day` on) or `action` is non-empty.
struct Event {
  std::int64_t day = 0;            ///< day index (date events are converted)
  std::string note;
  std::vector<std::pair<std::string, ParamValue>> set;  ///< dotted name -> value
  std::string action;              ///< "throttle" | "suspend" | "fine" | ""
  std::string platform;            ///< target of an action
  std::string jurisdiction;        ///< optional target jurisdiction of an action ("" = all)
  std::int64_t days = 0;           ///< duration (throttle, suspend); revenue-days (fine; 0 = regulator.fine_revenue_days)
};

/// A swept parameter: a list of values (grid) or a range (lhs, sobol).
struct SweepParameter {
  std::string name;                ///< dotted name
  std::vector<double> values;      ///< grid
  double min = 0, max = 0;         ///< lhs / sobol
};

/// A named alternative decree design crossed with every sample.
struct DecreeDesign {
  std::string name;
  std::vector<std::pair<std::string, ParamValue>> set;  ///< dotted name -> value
};

/// The [sweep] section.
struct SweepSpec {
  bool present = false;
  std::string design = "grid";     ///< "grid" | "lhs" | "sobol" | "file"
  std::int64_t samples = 16;       ///< lhs: points; sobol: base size N; file: the number of points (set by the loader)
  std::int64_t replicates = 1;
  bool scramble = true;            ///< sobol: Owen-scramble the sequence (seeded by simulation.seed); false: the plain sequence
  /// sobol: the runs of one Saltelli row j (A_j, B_j and every AB_i,j) share one random
  /// stream per replicate (RunKey point word j instead of the sample row), so the
  /// estimator's differences f(A) - f(AB_i) carry no simulation noise (sweep.hpp, run_key).
  bool shared_random_numbers = false;
  std::vector<SweepParameter> parameters;
  std::vector<DecreeDesign> designs;  ///< empty = one design named after the scenario file (plan_sweep)

  // design = "file" (points_file.hpp; docs/sweeps.md). Empty for other designs.
  std::string points_file;              ///< `points_file` as written in the scenario
  std::filesystem::path points_path;    ///< that path resolved against the directory of the file that names it
  /// The points file's text exactly as read (at most kMaxPointsFileBytes), so that
  /// it can be embedded in results files and the sweep re-created elsewhere.
  std::string points_text;
  std::vector<std::string> point_names; ///< [d] the header's parameter names, file order
  std::vector<double> points;           ///< [samples * d] row-major, parameter units, as written (not rounded)
  std::vector<double> point_weights;    ///< [samples] the `weight` column, or empty when the file has none
};

/// Where a resolved value came from.
struct ValueOrigin {
  enum class Kind { Default, File, ExtendedFile, Override } kind = Kind::Default;
  std::string file;                ///< empty for Default; "--set" for Override
  std::int64_t line = 0, column = 0;
};

/// A fully resolved, validated scenario. Invariants established by the loader:
/// at least one platform; market shares sum to 1; at least one jurisdiction
/// (a single one named "default" when the file has none); population shares
/// sum to 1; events sorted by day and within [0, days).
struct Scenario {
  SimulationParams simulation;
  PopulationParams population;
  BeliefParams beliefs;
  LawParams law;                   ///< top-level law (inherited by jurisdictions)
  RegulatorParams regulator;       ///< top-level regulator
  PlatformSharedParams platform;
  ContentParams content;
  OutcomeParams outcomes;
  std::vector<PlatformParams> platforms;
  std::vector<JurisdictionParams> jurisdictions;
  std::vector<Event> events;
  SweepSpec sweep;

  std::filesystem::path source;    ///< the scenario file as given
  std::vector<std::string> overrides;  ///< the --set strings, in order
  /// Origin of every resolved field, by dotted name
  /// ("law.vagueness", "platforms.global_social.market_share", "jurisdictions.TH.law.vagueness").
  std::map<std::string, ValueOrigin> origins;
};

/// Error in a scenario file or override. what() is
/// "FILE:LINE:COLUMN: error: MESSAGE" (or "FILE: error: MESSAGE" when there is
/// no position).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, std::int64_t line, std::int64_t column, const std::string& message);
  const std::string& file() const { return file_; }
  std::int64_t line() const { return line_; }
  std::int64_t column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::int64_t line_, column_;
  std::string message_;
};

/// Loads, merges (`extends`), overrides (`--set NAME=VALUE` strings) and
/// validates a scenario file.
/// @throws ScenarioError for every kind of bad input (see docs/scenarios.md).
Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

/// Parses a scenario from TOML text (for tests); `name` stands for the file
/// name in messages; `extends` is resolved relative to `base_dir`.
/// @throws ScenarioError
Scenario load_scenario_text(std::string_view toml_text, const std::string& name,
                            const std::vector<std::string>& overrides = {},
                            const std::filesystem::path& base_dir = {});

/// Sets a parameter by dotted name ("law.vagueness", "platforms.X.key",
/// "jurisdictions.X.law.key", "jurisdictions.X.population_share"). Setting a
/// top-level law/regulator field also sets it in every jurisdiction that did
/// not set that field itself. The value is checked as in a file.
/// @throws std::invalid_argument for an unknown name or a bad value.
void set_param(Scenario& s, std::string_view dotted, const ParamValue& value);

/// Reads a parameter by dotted name (same names as set_param).
/// @throws std::invalid_argument for an unknown name.
ParamValue get_param(const Scenario& s, std::string_view dotted);

/// The resolved scenario as a complete TOML document (every field written,
/// no `extends`); loading it gives an equal scenario.
std::string to_toml(const Scenario& s);

/// Day index of an ISO date relative to simulation.start_date (may be negative).
std::int64_t day_of_date(const Scenario& s, std::string_view iso_date);

}  // namespace complysim
