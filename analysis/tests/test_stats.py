"""Estimators: paired design differences, Sobol indices (Ishigami, G-function),
binned means."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import synthetic
from complysim_analysis import load
from complysim_analysis.stats import (binned_means, mean_ci, paired_differences, saltelli_sample,
                                      sobol_for_results, sobol_indices)

T_975_DF2 = 4.302652729911275  # Student t quantile 0.975 with 2 degrees of freedom


def test_paired_differences_hand_case():
    runs = pd.DataFrame({
        "design":    ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"],
        "point":     [0,   0,   1,   1,   2,   0,   0,   1,   1,   2],
        "replicate": [0,   1,   0,   1,   0,   0,   1,   0,   1,   0],
        "status":    [0,   0,   0,   0,   0,   0,   0,   0,   1,   0],
        "y":         [1.0, 2.0, 4.0, 5.0, 7.0, 3.0, 3.0, 8.0, 9.0, np.nan],
    })
    # Pairs: (0,0) 3-1=2, (0,1) 3-2=1, (1,0) 8-4=4; (1,1) B failed, (2,0) B undefined.
    out = paired_differences(runs, "y", ["A", "B"])
    assert len(out) == 1
    row = out.iloc[0]
    assert row["design"] == "B" and row["baseline"] == "A" and row["n_pairs"] == 3
    assert row["diff"] == pytest.approx(7 / 3)
    half = T_975_DF2 * math.sqrt(7 / 3) / math.sqrt(3)  # sd^2 = ((1/3)^2+(4/3)^2+(5/3)^2)/2 = 7/3
    assert row["diff_low"] == pytest.approx(7 / 3 - half)
    assert row["diff_high"] == pytest.approx(7 / 3 + half)
    assert row["mean_baseline"] == pytest.approx(7 / 3) and row["mean_design"] == pytest.approx(14 / 3)


def test_paired_differences_crn_file(files):
    """The synthetic file adds exactly +0.05 per design under common random
    numbers, so the paired difference is 0.05 with a zero-width CI."""
    r = load(files["single2"][0])
    out = paired_differences(r.runs, "self_censorship_rate")
    row = out.iloc[0]
    assert row["n_pairs"] == 3  # 4 replicates, run 1 (baseline, replicate 1) failed
    assert row["diff"] == pytest.approx(0.05)
    assert row["diff_high"] - row["diff_low"] == pytest.approx(0.0, abs=1e-12)


def test_mean_ci_small_cases():
    assert mean_ci(np.array([np.nan]))[3] == 0
    m, lo, hi, n = mean_ci(np.array([2.0]))
    assert m == 2.0 and np.isnan(lo) and n == 1


def test_binned_means_levels_and_bins():
    x = np.array([0, 0, 1, 1, 1, 2.0])
    y = np.array([1, 3, 2, 2, 2, 5.0])
    out = binned_means(x, y)
    assert out["x"].tolist() == [0, 1, 2] and out["mean"].tolist() == [2, 2, 5]
    assert out["n"].tolist() == [2, 3, 1]
    rng = np.random.default_rng(1)
    x = rng.random(1000)
    out = binned_means(x, 2 * x, bins=10)
    assert len(out) == 10 and out["n"].sum() == 1000
    np.testing.assert_allclose(out["mean"], 2 * out["x"])


ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def test_sobol_ishigami_from_results_file(tmp_path):
    """Saltelli/Jansen estimates from a results file laid out as /design/block
    says, replicates averaged, agree with the analytic Ishigami indices."""
    path = tmp_path / "sobol.h5"
    synthetic.write_results(str(path), "sobol", designs=("baseline",), replicates=2, n=2048,
                            scalar_outcomes=["self_censorship_rate"], platform_outcomes=[])
    r = load(path)
    out = sobol_for_results(r, "self_censorship_rate", "baseline", bootstrap=500, seed=3)
    assert out["parameter"].tolist() == synthetic.ISHIGAMI_PARAMS
    assert (out["n"] == 2048).all()
    np.testing.assert_allclose(out["S1"], ISHIGAMI_S1, atol=0.04)
    np.testing.assert_allclose(out["ST"], ISHIGAMI_ST, atol=0.04)
    # The analytic values lie within the bootstrap CIs.
    assert ((out["S1_low"] <= ISHIGAMI_S1) & (ISHIGAMI_S1 <= out["S1_high"])).all()
    assert ((out["ST_low"] <= ISHIGAMI_ST) & (ISHIGAMI_ST <= out["ST_high"])).all()
    # Reproducible: the same seed gives the same CIs.
    again = sobol_for_results(r, "self_censorship_rate", "baseline", bootstrap=500, seed=3)
    pd.testing.assert_frame_equal(out, again)


def test_sobol_g_function():
    a = np.array([0.0, 1.0, 4.5, 9.0, 99.0])
    vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    v = np.prod(1 + vi) - 1
    s1 = vi / v
    st = vi * np.array([np.prod(np.delete(1 + vi, i)) for i in range(len(a))]) / v
    samples, block = saltelli_sample(4096, [(0.0, 1.0)] * len(a), seed=11)
    y = np.prod((np.abs(4 * samples - 2) + a) / (1 + a), axis=1)
    out = sobol_indices(y, block, len(a), bootstrap=300, seed=0)
    np.testing.assert_allclose(out["S1"], s1, atol=0.05)
    np.testing.assert_allclose(out["ST"], st, atol=0.05)
    assert ((out["ST_low"] <= st + 0.01) & (st - 0.01 <= out["ST_high"])).all()


def test_sobol_drops_failed_rows_and_constant_output():
    samples, block = saltelli_sample(32, [(0, 1)] * 2, seed=0)
    y = samples[:, 0] + 0.0
    y[5] = np.nan  # A row 5 fails: base row 5 is dropped everywhere
    out = sobol_indices(y, block, 2, bootstrap=50)
    assert (out["n"] == 31).all()
    assert out["S1"].iloc[0] == pytest.approx(1.0, abs=0.15)
    const = sobol_indices(np.ones(len(block)), block, 2, bootstrap=10)
    assert const["S1"].isna().all() and const["ST"].isna().all()


def test_saltelli_layout():
    samples, block = saltelli_sample(8, [(0, 1), (10, 20), (-1, 1)], seed=2)
    a, b = samples[block == 0], samples[block == 1]
    for i in range(3):
        ab = samples[block == 2 + i]
        expect = a.copy()
        expect[:, i] = b[:, i]
        np.testing.assert_array_equal(ab, expect)
    assert (samples[:, 1] >= 10).all() and (samples[:, 1] <= 20).all()
