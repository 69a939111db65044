// complysim — private helpers shared by the scenario loader (scenario.cpp, the
// only toml++ translation unit) and the scenario accessors (scenario_access.cpp):
// typed field visitors generated from the X-macros, dotted-name resolution and
// "did you mean" suggestions.
#pragma once

#include "complysim/scenario.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace complysim::detail {

#define COMPLYSIM_VISIT_FIELD(TYPE, key, def, unit, lo, hi, desc, src) f(std::string_view(#key), p.key);
#define COMPLYSIM_DEFINE_VISIT(STRUCT, LIST)                                              \
  template <class F> void visit_fields(STRUCT& p, F&& f) { LIST(COMPLYSIM_VISIT_FIELD) }       \
  template <class F> void visit_fields(const STRUCT& p, F&& f) { LIST(COMPLYSIM_VISIT_FIELD) }
COMPLYSIM_DEFINE_VISIT(SimulationParams, COMPLYSIM_SIMULATION_FIELDS)
COMPLYSIM_DEFINE_VISIT(PopulationParams, COMPLYSIM_POPULATION_FIELDS)
COMPLYSIM_DEFINE_VISIT(BeliefParams, COMPLYSIM_BELIEFS_FIELDS)
COMPLYSIM_DEFINE_VISIT(LawParams, COMPLYSIM_LAW_FIELDS)
COMPLYSIM_DEFINE_VISIT(RegulatorParams, COMPLYSIM_REGULATOR_FIELDS)
COMPLYSIM_DEFINE_VISIT(PlatformSharedParams, COMPLYSIM_PLATFORM_SHARED_FIELDS)
COMPLYSIM_DEFINE_VISIT(ContentParams, COMPLYSIM_CONTENT_FIELDS)
COMPLYSIM_DEFINE_VISIT(OutcomeParams, COMPLYSIM_OUTCOMES_FIELDS)
COMPLYSIM_DEFINE_VISIT(PlatformParams, COMPLYSIM_PLATFORMS_FIELDS)
COMPLYSIM_DEFINE_VISIT(JurisdictionParams, COMPLYSIM_JURISDICTION_FIELDS)
#undef COMPLYSIM_DEFINE_VISIT
#undef COMPLYSIM_VISIT_FIELD

/// Stores an already checked value (its alternative matches the field's type).
/// Returns false when `key` is not a field of `p`.
template <class P>
bool assign_field(P& p, std::string_view key, const ParamValue& v) {
  bool found = false;
  visit_fields(p, [&](std::string_view k, auto& field) {
    if (k != key) return;
    field = std::get<std::remove_cvref_t<decltype(field)>>(v);
    found = true;
  });
  return found;
}

/// Value of field `key` of `p`; std::nullopt when there is no such field.
template <class P>
std::optional<ParamValue> read_field(const P& p, std::string_view key) {
  std::optional<ParamValue> out;
  visit_fields(p, [&](std::string_view k, const auto& field) {
    if (k == key) out = ParamValue(field);
  });
  return out;
}

/// Calls f(struct&) for the struct of a top-level group (not Platforms / Jurisdiction).
template <class S, class F>
void with_group(S& s, ParamGroup g, F&& f) {
  switch (g) {
    case ParamGroup::Simulation: f(s.simulation); break;
    case ParamGroup::Population: f(s.population); break;
    case ParamGroup::Beliefs: f(s.beliefs); break;
    case ParamGroup::Law: f(s.law); break;
    case ParamGroup::Regulator: f(s.regulator); break;
    case ParamGroup::Platform: f(s.platform); break;
    case ParamGroup::Content: f(s.content); break;
    case ParamGroup::Outcomes: f(s.outcomes); break;
    default: break;
  }
}

/// A dotted name resolved against a scenario's platforms and jurisdictions.
struct ResolvedName {
  enum class Target { Top, Platform, Jurisdiction, JurisdictionLaw, JurisdictionRegulator };
  const ParamSpec* spec = nullptr;
  Target target = Target::Top;
  std::size_t index = 0;  ///< platform or jurisdiction index
};

/// Resolves "law.vagueness", "platforms.X.key", "jurisdictions.X.population_share",
/// "jurisdictions.X.law.key", "jurisdictions.X.regulator.key".
/// @throws std::invalid_argument "unknown parameter 'x'; did you mean 'y'?",
///         "unknown platform 'x' in 'platforms.x.key'; ...".
ResolvedName resolve_name(const Scenario& s, std::string_view dotted);

/// Every dotted parameter name of `s` (concrete platform and jurisdiction names).
std::vector<std::string> all_dotted_names(const Scenario& s);

/// Levenshtein distance.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// "; did you mean 'best'?" for the closest candidate within a small edit
/// distance, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace complysim::detail
