// complysim — the possible range of each canonical outcome (outcome_range.hpp).
#include "complysim/simulation/outcome_range.hpp"

namespace complysim {

OutcomeRange outcome_range(OutcomeId id) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  // One case per outcome (no default: -Wswitch flags an outcome added without a range).
  switch (id) {
    case OutcomeId::SelfCensorshipRate:
    case OutcomeId::LawfulSelfCensorshipRate:
    case OutcomeId::SilencedUserShare:
    case OutcomeId::TakedownComplianceRate:
    case OutcomeId::DataRequestComplianceRate:
    case OutcomeId::OverRemovalShare:
    case OutcomeId::UnlawfulVisibleShare:
    case OutcomeId::MeanPerceivedRisk:
    case OutcomeId::PlatformLocalized:
    case OutcomeId::LegalChillingRate:
    case OutcomeId::LawfulLegalChillingRate:
    case OutcomeId::ExpectedTakedownComplianceRate: return {0.0, 1.0};
    case OutcomeId::PostedPerUserDay:
    case OutcomeId::TakedownRequests:
    case OutcomeId::UsersSanctionedPer100k:
    case OutcomeId::TakedownRequestsPer100k:
    case OutcomeId::TakedownRequestsReceived:
    case OutcomeId::WrongfulRemovalsPer100k:
    case OutcomeId::UnlawfulExposureDays:
    case OutcomeId::ExpectedTakedownRequestsReceived:
    case OutcomeId::ExpectedUsersSanctionedPer100k: return {0.0, inf};
    case OutcomeId::PlatformRevenue: return {-inf, inf};  // net of fines and localisation cost
    case OutcomeId::PlatformStatus: return {0.0, 3.0};
    case OutcomeId::EscalationLevel: return {0.0, 4.0};
    case OutcomeId::Count: break;
  }
  return {};
}

OutcomeRange outcome_range(std::string_view outcome) {
  const int k = find_outcome(outcome);
  return k < 0 ? OutcomeRange{} : outcome_range(static_cast<OutcomeId>(k));
}

}  // namespace complysim
