"""PRIM (Friedman & Fisher 1999) recovers a planted box; the `discover` command."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from complysim_analysis.prim import describe, prim


def _planted(n=3000, noise=0.05, seed=3):
    """y = 1 inside 0.2 <= x1 <= 0.6 and x2 >= 0.5 (x3, x4 irrelevant) on [0, 1]^4,
    parameters in different units (x2 on 0..100), with `noise` of the labels flipped."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 4))
    X[:, 1] *= 100.0
    inside = (X[:, 0] >= 0.2) & (X[:, 0] <= 0.6) & (X[:, 1] >= 50.0)
    flip = rng.uniform(size=n) < noise
    return X, np.where(flip, ~inside, inside).astype(float)


def test_prim_recovers_a_planted_box():
    X, y = _planted()
    r = prim(X, y, ["x1", "x2", "x3", "x4"], min_coverage=0.8)
    b = r.box
    ranges = X.max(axis=0) - X.min(axis=0)
    # Bounds within 10% of each parameter's range of the planted ones.
    assert abs(b.lower[0] - 0.2) <= 0.1 * ranges[0], b.lower
    assert abs(b.upper[0] - 0.6) <= 0.1 * ranges[0], b.upper
    assert abs(b.lower[1] - 50.0) <= 0.1 * ranges[1], b.lower
    assert b.upper[1] >= X[:, 1].max() - 0.1 * ranges[1]
    # Only x1 and x2 are restricted, both with tiny quasi-p-values.
    assert [r.names[j] for j in b.restricted] == ["x1", "x2"]
    assert r.quasi_p["x1"] < 1e-6 and r.quasi_p["x2"] < 1e-6
    assert b.density > 0.85 and b.coverage >= 0.8
    # The trajectory starts from every run and density rises overall while mass falls.
    t = r.table()
    assert t["mass"].iloc[0] == 1.0 and t["coverage"].iloc[0] == 1.0
    assert t["density"].iloc[r.chosen] > t["density"].iloc[0] + 0.5
    assert (np.diff(t["mass"]) < 0).all()
    text = describe(r, "y = 1", {"x2": "hours"})
    assert "x1 between 0.2" in text and "x2 >= 5" in text and "hours" in text and "x3" not in text


def test_prim_bad_input():
    X, y = _planted(200)
    with pytest.raises(ValueError):
        prim(X, np.zeros(200))  # no case of interest
    with pytest.raises(ValueError):
        prim(X, y[:10])
    with pytest.raises(ValueError):
        prim(X, y, peel_alpha=0.7)


def test_discover_command(files, tmp_path):
    path, _ = files["lhs"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = [sys.executable, "-m", "complysim_analysis", "discover", path, "--outcome", "self_censorship_rate",
           "--above", "0.1", "-o", str(tmp_path)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=here, env=env)
    assert out.returncode == 0, out.stderr
    assert "PRIM (Friedman & Fisher 1999)" in out.stdout and "quasi-p" in out.stdout
    assert os.path.exists(tmp_path / "discover-self_censorship_rate.png")
    bad = subprocess.run(cmd[:5] + ["--outcome", "self_censorship", "--above", "0.1"], capture_output=True,
                         text=True, cwd=here, env=env)
    assert bad.returncode == 2 and "did you mean 'self_censorship_rate'?" in bad.stderr
    both = subprocess.run(cmd[:7] + ["--below", "0.2"], capture_output=True, text=True, cwd=here, env=env)
    assert both.returncode == 2
