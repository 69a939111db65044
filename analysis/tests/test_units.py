"""Units come from the file or from `complysim params` (one table, not retyped)."""
from __future__ import annotations

import pytest

from complysim_analysis import units


def test_normalise():
    assert units.normalise_param("platforms.global_social.reputation_weight") == "platforms.<name>.reputation_weight"
    assert units.normalise_param("jurisdictions.TH.law.vagueness") == "law.vagueness"
    assert units.normalise_param("law.vagueness") == "law.vagueness"


def test_param_units_from_the_cli():
    if units.complysim_executable() is None:
        pytest.skip("no complysim program (set COMPLYSIM or build the checkout)")
    assert units.param_unit("platforms.global_social.reputation_weight") == "revenue-days"
    assert units.param_unit("jurisdictions.TH.law.vagueness") == "sensitivity"
    assert units.param_unit("law.takedown_deadline_hours") == "hours"
    assert units.param_unit("no.such") == ""


def test_no_retyped_tables():
    assert not hasattr(units, "OUTCOME_UNITS") and not hasattr(units, "PARAM_UNITS")
