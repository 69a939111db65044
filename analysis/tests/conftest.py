"""Shared fixtures: synthetic results files in a temporary directory.

The package is imported from the directory above (analysis/), whatever the
current directory; nothing is written into the source tree."""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

import synthetic  # noqa: E402

# Small outcome sets keep the report tests fast; the loader tests use all.
FEW_SCALAR = ["self_censorship_rate", "over_removal_share"]
FEW_PLATFORM = ["takedown_compliance_rate"]

OBSERVED_CSV = """period_start,period_end,platform,metric,value,unit,note,source
2018-03-01,2018-08-31,facebook,takedown_compliance_rate,0.25,share,"midpoint",https://example.org/a
2018-06-01,2018-09-30,google,takedown_compliance_rate,0.45,share,"midpoint",https://example.org/b
2018-01-01,2018-12-31,tiktok,takedown_compliance_rate,0.5,share,"not in the model",https://example.org/c
2018-01-01,2018-01-31,facebook,accounts_removed_share,0.13,share,"other metric",https://example.org/d
"""


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """name -> (path, info) for one synthetic file of each kind."""
    d = tmp_path_factory.mktemp("results")
    out = {}
    specs = {
        "single": dict(kind="single", designs=("baseline",), replicates=4),
        "single2": dict(kind="single", designs=("baseline", "strict"), replicates=4, fail_runs=(1,)),
        "grid": dict(kind="grid", designs=("baseline",), replicates=2),
        "lhs": dict(kind="lhs", designs=("baseline",), replicates=2, n=12),
        "sobol": dict(kind="sobol", designs=("baseline", "strict"), replicates=1, n=64),
        "nodate": dict(kind="single", designs=("baseline",), replicates=2, start_date=""),
    }
    for name, kw in specs.items():
        path = str(d / f"{name}.h5")
        info = synthetic.write_results(path, scalar_outcomes=FEW_SCALAR,
                                       platform_outcomes=FEW_PLATFORM, **kw)
        out[name] = (path, info)
    full = str(d / "full.h5")
    out["full"] = (full, synthetic.write_results(full, "grid", designs=("baseline", "strict"),
                                                 replicates=2, fail_runs=(3,)))
    return out


@pytest.fixture(scope="session")
def observed_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "observed.csv"
    path.write_text(OBSERVED_CSV)
    return str(path)
