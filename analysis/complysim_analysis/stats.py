"""Estimators used by the report: Sobol indices from a Saltelli design,
paired design comparisons (common random numbers), binned means, bands.

References:
    Saltelli A. et al. (2010) Variance based sensitivity analysis of model
    output. Design and estimator for the total sensitivity index. Computer
    Physics Communications 181, 259-270 (first order: Table 2 (b)).
    Jansen M. J. W. (1999) Analysis of variance designs for model output.
    Computer Physics Communications 117, 35-43 (total order).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .loader import STATUS_OK, Results

# --------------------------------------------------------------------------
# Saltelli design and Sobol indices
# --------------------------------------------------------------------------


def saltelli_sample(n_base: int, bounds: Sequence[tuple[float, float]], seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli (2010) design: rows A (n_base), B (n_base), AB_1 .. AB_d
    (n_base each; AB_i is A with column i taken from B).

    Returns (samples [(d + 2) n_base, d], block [(d + 2) n_base]) with block
    0 = A, 1 = B, 2 + i = AB_i, the layout of /design/samples and /design/block.
    A and B come from a scrambled Sobol' sequence in 2d dimensions.
    """
    from scipy.stats import qmc

    d = len(bounds)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n_base)
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    a = lo + base[:, :d] * (hi - lo)
    b = lo + base[:, d:] * (hi - lo)
    rows = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        rows.append(ab)
    samples = np.vstack(rows)
    block = np.repeat(np.arange(d + 2), n_base).astype(np.int8)
    return samples, block


def _split_blocks(y: np.ndarray, block: np.ndarray, n_params: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y over samples -> (f(A) [N], f(B) [N], f(AB) [d, N]); rows of a block in sample order."""
    y = np.asarray(y, dtype=float)
    block = np.asarray(block)
    fa = y[block == 0]
    fb = y[block == 1]
    n = len(fa)
    if len(fb) != n:
        raise ValueError(f"Saltelli design needs as many B rows as A rows ({len(fb)} != {n})")
    fab = np.empty((n_params, n))
    for i in range(n_params):
        rows = y[block == 2 + i]
        if len(rows) != n:
            raise ValueError(f"Saltelli design: block AB_{i + 1} has {len(rows)} rows, expected {n}")
        fab[i] = rows
    return fa, fb, fab


def _sobol_point(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First (Saltelli 2010) and total (Jansen 1999) indices; fab [d, N]."""
    var = np.var(np.concatenate([fa, fb]), ddof=1)
    if not np.isfinite(var) or var <= 0:
        nan = np.full(fab.shape[0], np.nan)
        return nan, nan.copy()
    s1 = np.mean(fb[None, :] * (fab - fa[None, :]), axis=1) / var
    st = 0.5 * np.mean((fa[None, :] - fab) ** 2, axis=1) / var
    return s1, st


def sobol_indices(y: np.ndarray, block: np.ndarray, n_params: int, *, bootstrap: int = 1000,
                  seed: int = 0, confidence: float = 0.95,
                  parameters: Sequence[str] | None = None) -> pd.DataFrame:
    """First- and total-order Sobol indices with bootstrap percentile CIs.

    Args:
        y: model output per design sample [samples] (replicates already
            averaged; centred here on its mean); NaN rows (failed or undefined) are dropped together
            with the whole base row j (A_j, B_j and every AB_i,j).
        block: /design/block [samples] (0 A, 1 B, 2 + i AB_i).
        n_params: d.
        bootstrap: resamples of the N base rows (0: no CI).
        seed: seed of the bootstrap generator (numpy default_rng), so the
            CIs are reproducible.
    Returns:
        one row per parameter: parameter, S1, S1_low, S1_high, ST, ST_low,
        ST_high, n (base rows used).
    """
    # Centred on the mean of the finite values: the first-order estimator
    # mean f(B) (f(AB_i) - f(A)) is unbiased under any shift of f, but its
    # variance grows with the squared mean; centring makes it shift invariant
    # (as SALib does, and as `complysim analyze` does).
    y = np.asarray(y, dtype=float)
    finite = np.isfinite(y)
    if finite.any():
        y = y - y[finite].mean()
    fa, fb, fab = _split_blocks(y, block, n_params)
    keep = np.isfinite(fa) & np.isfinite(fb) & np.all(np.isfinite(fab), axis=0)
    fa, fb, fab = fa[keep], fb[keep], fab[:, keep]
    n = len(fa)
    names = list(parameters) if parameters is not None else [f"x{i + 1}" for i in range(n_params)]
    if n < 2:
        s1 = st = np.full(n_params, np.nan)
    else:
        s1, st = _sobol_point(fa, fb, fab)
    lo1 = hi1 = lot = hit = np.full(n_params, np.nan)
    if bootstrap > 0 and n >= 2 and np.all(np.isfinite(s1)):
        rng = np.random.default_rng(seed)
        b1 = np.empty((bootstrap, n_params))
        bt = np.empty((bootstrap, n_params))
        for k in range(bootstrap):
            idx = rng.integers(0, n, n)
            b1[k], bt[k] = _sobol_point(fa[idx], fb[idx], fab[:, idx])
        alpha = (1 - confidence) / 2
        lo1, hi1 = np.nanquantile(b1, [alpha, 1 - alpha], axis=0)
        lot, hit = np.nanquantile(bt, [alpha, 1 - alpha], axis=0)
    return pd.DataFrame({"parameter": names, "S1": s1, "S1_low": lo1, "S1_high": hi1,
                         "ST": st, "ST_low": lot, "ST_high": hit, "n": n})


def point_means(res: Results, column: str, design: str) -> np.ndarray:
    """Mean of an outcome column over the ok replicates of each design
    sample (point) of one decree design: array [samples], NaN where none."""
    n_samples = len(res.design.get("block", [])) or int(res.runs["point"].max()) + 1
    ok = res.runs[(res.runs["status"] == STATUS_OK) & (res.runs["design"] == design)]
    means = ok.groupby("point")[column].mean()
    y = np.full(n_samples, np.nan)
    pts = means.index.to_numpy()
    inside = (pts >= 0) & (pts < n_samples)
    y[pts[inside]] = means.to_numpy()[inside]
    return y


def sobol_for_results(res: Results, column: str, design: str, *, bootstrap: int = 1000,
                      seed: int = 0) -> pd.DataFrame:
    """Sobol indices of one outcome column under one decree design of a
    ``sobol`` results file (replicates averaged first)."""
    if res.design.get("kind") != "sobol":
        raise ValueError(f"{res.path}: design kind is {res.design.get('kind')!r}, not 'sobol'")
    params = list(res.design.get("parameters") or res.params)
    y = point_means(res, column, design)
    block = np.asarray(res.design["block"])
    out = sobol_indices(y, block, len(params), bootstrap=bootstrap, seed=seed, parameters=params)
    # Diagnostics, the same rules as `complysim analyze` (docs/analysis.md, "Sobol diagnostics").
    n_base = int((block == 0).sum())
    half = None
    if n_base >= 4:
        h = n_base // 2
        keep = np.concatenate([np.flatnonzero(block == b)[:h] for b in range(len(params) + 2)])
        half = sobol_indices(y[keep], block[keep], len(params), bootstrap=0, parameters=params)
    ok = res.runs[(res.runs["status"] == STATUS_OK) & (res.runs["design"] == design)][column].to_numpy(float)
    differing = count_differing(ok)
    finite = int(np.isfinite(ok).sum())
    if finite and (differing == 0 or not np.isfinite(out["S1"]).any()):
        outcome_remark = "constant outcome"
    elif finite and differing * 20 < finite:
        outcome_remark = f"{differing} of {finite} runs differ: no index"
    else:
        outcome_remark = ""
    if outcome_remark:
        for c in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"):
            out[c] = np.nan
        out["remark"] = outcome_remark
    else:
        out["remark"] = [sobol_remark(out.iloc[i], None if half is None else half.iloc[i]) for i in range(len(out))]
    out.insert(0, "outcome", column)
    out.insert(0, "design", design)
    return out


#: Interval width below which indices are not told apart (as `complysim analyze`).
SOBOL_RESOLUTION = 0.05


def count_differing(values: np.ndarray) -> int:
    """Finite values that differ from the most common finite value."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return 0
    _, counts = np.unique(v, return_counts=True)
    return int(len(v) - counts.max())


def sobol_remark(row, half=None, resolution: float = SOBOL_RESOLUTION) -> str:
    """Remark on one parameter's indices (a row with S1, S1_low, S1_high, ST, ST_low,
    ST_high; ``half`` the same at N/2): "noise dominates: more samples" when an interval
    is wider than both the index and ``resolution`` or an estimate lies outside [0, 1]
    beyond its interval (or by more than ``resolution``); "not converged: ..." when N/2
    and N differ by more than ``resolution``. The rules of sensitivity.hpp sobol_remark."""
    s1, st = float(row["S1"]), float(row["ST"])
    if not (np.isfinite(s1) and np.isfinite(st)):
        return ""

    def wide(v, lo, hi):
        return np.isfinite(lo) and np.isfinite(hi) and hi - lo > max(abs(v), resolution)

    noisy = (wide(s1, row["S1_low"], row["S1_high"]) or wide(st, row["ST_low"], row["ST_high"])
             or (s1 < 0 and (row["S1_high"] < 0 or s1 < -resolution))
             or (st > 1 and (row["ST_low"] > 1 or st > 1 + resolution)))
    parts = ["noise dominates: more samples"] if noisy else []
    if half is not None and np.isfinite(half["S1"]) and np.isfinite(half["ST"]) and (
            abs(half["S1"] - s1) > resolution or abs(half["ST"] - st) > resolution):
        parts.append(f"not converged: S1 {half['S1']:.2f}, ST {half['ST']:.2f} at N/2")
    return "; ".join(parts)


# --------------------------------------------------------------------------
# Paired design comparison
# --------------------------------------------------------------------------


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """(mean, low, high, n) with a Student-t CI over the finite values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    m = float(v.mean())
    if n == 1:
        return m, np.nan, np.nan, 1
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return m, m - half, m + half, n


def paired_differences(runs: pd.DataFrame, column: str, designs: Sequence[str] | None = None,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Difference of an outcome between each decree design and the first,
    pairing runs by (point, replicate) (common random numbers).

    Only ok runs with a finite value in both designs form a pair.
    Returns one row per design after the first: outcome, design, baseline,
    n_pairs, mean_baseline, mean_design, diff, diff_low, diff_high,
    max_abs_diff (the largest |design - baseline| over the pairs: 0 or
    floating-point noise when the design does not change the outcome).
    """
    if designs is None:
        designs = list(dict.fromkeys(runs["design"]))
    designs = list(designs)
    ok = runs[runs["status"] == STATUS_OK]
    key = ["point", "replicate"]
    base_name = designs[0]
    base = ok[ok["design"] == base_name][key + [column]].rename(columns={column: "y0"})
    rows = []
    for name in designs[1:]:
        other = ok[ok["design"] == name][key + [column]].rename(columns={column: "y1"})
        pairs = base.merge(other, on=key, how="inner")
        pairs = pairs[np.isfinite(pairs["y0"]) & np.isfinite(pairs["y1"])]
        diff = (pairs["y1"] - pairs["y0"]).to_numpy()
        m, lo, hi, n = mean_ci(diff, confidence)
        rows.append({"outcome": column, "design": name, "baseline": base_name, "n_pairs": n,
                     "mean_baseline": float(pairs["y0"].mean()) if n else np.nan,
                     "mean_design": float(pairs["y1"].mean()) if n else np.nan,
                     "diff": m, "diff_low": lo, "diff_high": hi,
                     "max_abs_diff": float(np.max(np.abs(diff))) if n else np.nan})
    return pd.DataFrame(rows, columns=["outcome", "design", "baseline", "n_pairs", "mean_baseline",
                                       "mean_design", "diff", "diff_low", "diff_high", "max_abs_diff"])


#: Paired differences no larger than this, relative to the outcome's size,
#: are floating-point noise: the designs do not differ on that outcome.
NO_DIFFERENCE_RTOL = 1e-12


def no_difference(table: pd.DataFrame, rtol: float = NO_DIFFERENCE_RTOL) -> pd.Series:
    """Per row of a paired_differences table: True when every paired
    difference is zero to within ``rtol`` of the outcome's magnitude."""
    scale = np.maximum(np.abs(table["mean_baseline"].to_numpy(float)),
                       np.abs(table["mean_design"].to_numpy(float)))
    scale = np.where(np.isfinite(scale), scale, 0.0)
    mad = table["max_abs_diff"].to_numpy(float)
    return pd.Series(np.isfinite(mad) & (mad <= rtol * np.maximum(scale, 1e-300)) | (mad == 0),
                     index=table.index)


# --------------------------------------------------------------------------
# Binned means and bands
# --------------------------------------------------------------------------


#: Fewest runs per quantile bin of a main effect (as `complysim analyze`): fewer give a
#: zig-zag of noise.
MIN_PER_BIN = 8


def binned_means(x: np.ndarray, y: np.ndarray, *, max_levels: int = 12, bins: int = 10,
                 confidence: float = 0.95, min_per_bin: int = MIN_PER_BIN) -> pd.DataFrame:
    """Mean of y with a t CI at each level of x (when x has at most
    ``max_levels`` distinct values, as in a grid) or in each of at most ``bins``
    quantile bins of x (lhs, sobol), fewer when needed so that a bin holds about
    ``min_per_bin`` points or more. Returns x, mean, low, high, n."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    good = np.isfinite(x) & np.isfinite(y)
    x, y = x[good], y[good]
    rows = []
    levels = np.unique(x)
    if len(levels) <= max_levels:
        for lv in levels:
            m, lo, hi, n = mean_ci(y[x == lv], confidence)
            rows.append((lv, m, lo, hi, n))
    elif len(x):
        bins = max(1, min(bins, len(x) // max(1, min_per_bin)))
        edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
        which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
        for b in range(len(edges) - 1):
            sel = which == b
            if sel.any():
                m, lo, hi, n = mean_ci(y[sel], confidence)
                rows.append((float(x[sel].mean()), m, lo, hi, n))
    return pd.DataFrame(rows, columns=["x", "mean", "low", "high", "n"])


def band(data: np.ndarray, lower: float = 2.5, upper: float = 97.5
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and percentile band across runs (axis 0), ignoring NaN.
    Records where every run is NaN give NaN."""
    data = np.asarray(data, dtype=float)
    finite = np.isfinite(data).any(axis=0)
    mean = np.full(data.shape[1:], np.nan)
    lo = np.full(data.shape[1:], np.nan)
    hi = np.full(data.shape[1:], np.nan)
    if finite.any():
        sub = data[:, finite]
        mean[finite] = np.nanmean(sub, axis=0)
        lo[finite] = np.nanpercentile(sub, lower, axis=0)
        hi[finite] = np.nanpercentile(sub, upper, axis=0)
    return mean, lo, hi
