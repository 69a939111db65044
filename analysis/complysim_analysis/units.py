"""Units for axis labels.

The HDF5 file is the first authority: a ``unit`` attribute on
``/runs/outcomes/<name>``, ``/timeseries/<name>`` or ``/runs/params/<name>``
wins. The tables below are the fallback; ``PARAM_UNITS`` mirrors the numeric
rows of ``sim/include/complysim/params.hpp`` (tests/test_units.py checks that
they agree) and ``OUTCOME_UNITS`` mirrors model-spec.md section 7.
"""
from __future__ import annotations

OUTCOME_UNITS = {
    "self_censorship_rate": "share of intended items",
    "lawful_self_censorship_rate": "share of lawful intended items",
    "silenced_user_share": "share of users",
    "posted_per_user_day": "items/user/day",
    "takedown_requests": "requests/day",
    "takedown_compliance_rate": "share of requests",
    "data_request_compliance_rate": "share of requests",
    "over_removal_share": "share of removed items",
    "unlawful_visible_share": "share of unlawful items",
    "users_sanctioned_per_100k": "sanctions/day per 100k users",
    "mean_perceived_risk": "probability",
    "platform_status": "0 active, 1 throttled, 2 suspended, 3 exited",
    "platform_localized": "0/1",
    "escalation_level": "level 0-4",
    "platform_revenue": "relative revenue/day",
    # model v2 (format_version 2)
    "takedown_requests_per_100k": "requests/day per 100k users",
    "takedown_requests_received": "requests/day",
    "legal_chilling_rate": "share of intended items",
    "lawful_legal_chilling_rate": "share of lawful intended items",
    "wrongful_removals_per_100k": "items/day per 100k users",
    "unlawful_exposure_days": "days",
}

# (table.key) -> unit, from params.hpp. Per-entity names are normalised first:
# "platforms.<name>.key" -> "platforms.key",
# "jurisdictions.<name>.law.key" -> "law.key".
PARAM_UNITS = {
    "simulation.days": "days",
    "simulation.replicates": "runs",
    "simulation.record_every_days": "days",
    "simulation.summary_window_days": "days",
    "population.users": "users",
    "population.represented_users": "users",
    "population.sensitivity_base": "sensitivity",
    "population.sensitivity_slope": "sensitivity",
    "population.grievance_mean": "0..1",
    "population.risk_aversion_mean": "0..1",
    "population.isolation_fear_mean": "0..1",
    "population.posts_per_day": "items/user/day",
    "population.activity_dispersion": "log units",
    "population.ambiguity_averse_share": "share",
    "population.ambiguity_shift": "sigma units",
    "population.speak_threshold": "0..1",
    "population.climate_window_days": "days",
    "population.mean_degree": "contacts",
    "population.rewire_probability": "probability",
    "beliefs.prior_risk": "probability",
    "beliefs.takedown_jump": "share",
    "beliefs.silence_days": "days",
    "beliefs.neighbor_weight": "share",
    "beliefs.publicity_weight": "share",
    "beliefs.decay": "per day",
    "beliefs.notice_learning": "per notice",
    "beliefs.publicity_reach": "share",
    "law.legal_threshold": "sensitivity",
    "law.enforcement_breadth": "sensitivity",
    "law.vagueness": "sensitivity",
    "law.user_sanction": "0..1",
    "law.publicity": "share",
    "law.transparency": "probability",
    "law.appeals": "probability",
    "law.takedown_deadline_hours": "hours",
    "law.identification": "probability",
    "regulator.monitoring_rate": "share/day",
    "regulator.compliance_target": "share",
    "regulator.review_days": "days",
    "regulator.fine_revenue_days": "revenue-days",
    "regulator.throttle_days": "days",
    "regulator.throttle_severity": "share",
    "regulator.suspension_days": "days",
    "regulator.escalation_credibility": "probability",
    "regulator.prosecution_rate": "probability",
    "regulator.max_escalation_level": "level",
    "platform.review_days": "days",
    "platform.exit_patience_days": "days",
    "platform.prior_credibility": "probability",
    "platform.credibility_learning": "share",
    "platform.choice_grid_steps": "points",
    "platform.review_hours": "hours",
    "platform.shortfall_width": "share",
    "platform.planning_horizon_days": "days",
    "content.lifetime_days": "days",
    "outcomes.lawful_threshold": "sensitivity",
    "outcomes.silence_window_days": "days",
    "platforms.market_share": "share",
    "platforms.revenue_per_user_day": "relative",
    "platforms.reputation_weight": "revenue-days",
    "platforms.moderation_cost": "revenue-days",
    "platforms.localization_cost": "revenue-days",
    "platforms.initial_compliance": "share",
    "platforms.initial_data_compliance": "share",
    "platforms.initial_removal_threshold": "sensitivity",
    "platforms.learning_rate": "share",
    "platforms.rationality": "1/revenue",
    "platforms.switching_cost": "revenue-days",
    "platforms.compliance_preference": "revenue-days",
    "jurisdictions.population_share": "share",
}


def normalise_param(name: str) -> str:
    """Map a dotted parameter name to its (table.key) row name."""
    parts = name.split(".")
    if parts[0] == "platforms" and len(parts) == 3:
        return f"platforms.{parts[2]}"
    if parts[0] == "jurisdictions" and len(parts) >= 3:
        rest = parts[2:]
        return ".".join(rest) if len(rest) == 2 else f"jurisdictions.{rest[0]}"
    return name


def param_unit(name: str) -> str:
    """Unit of a swept parameter, or "" when unknown or dimensionless."""
    return PARAM_UNITS.get(normalise_param(name), "")


def outcome_unit(name: str) -> str:
    """Unit of a canonical outcome, or "" when unknown."""
    return OUTCOME_UNITS.get(name, "")
