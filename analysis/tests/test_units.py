"""The fallback unit table agrees with the C++ parameter table, when the
source tree is there."""
from __future__ import annotations

import os
import re

import pytest

from complysim_analysis import units

PARAMS_HPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sim", "include",
                          "complysim", "params.hpp")
TABLES = {"SIMULATION": "simulation", "POPULATION": "population", "BELIEFS": "beliefs", "LAW": "law",
          "REGULATOR": "regulator", "PLATFORM_SHARED": "platform", "PLATFORMS": "platforms", "CONTENT": "content", "OUTCOMES": "outcomes",
          "JURISDICTION": "jurisdictions"}


def test_param_units_match_params_hpp():
    if not os.path.exists(PARAMS_HPP):
        pytest.skip("no C++ source tree beside the analysis package")
    src = open(PARAMS_HPP, encoding="utf-8").read()
    table = {}
    for m in re.finditer(r"#define COMPLYSIM_(\w+)_FIELDS\(X\)(.*?)(?=\n#define|\n// clang-format on)", src, re.S):
        t = TABLES.get(m.group(1))
        if t is None:
            continue
        for e in re.finditer(r'X\(\s*(\w+)\s*,\s*(\w+)\s*,\s*("[^"]*"|[^,]+)\s*,\s*"([^"]*)"', m.group(2)):
            table[f"{t}.{e.group(2)}"] = e.group(4)
    stale = {k: (v, table[k]) for k, v in units.PARAM_UNITS.items() if k in table and table[k] != v}
    assert not stale, f"units.PARAM_UNITS disagrees with params.hpp: {stale}"


def test_normalise():
    assert units.param_unit("platforms.global_social.reputation_weight") == "revenue-days"
    assert units.param_unit("jurisdictions.TH.law.vagueness") == "sensitivity"
    assert units.param_unit("jurisdictions.TH.population_share") == "share"
    assert units.param_unit("no.such") == ""
