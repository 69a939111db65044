"""Scenario discovery with PRIM, the Patient Rule Induction Method.

Friedman J. H. & Fisher N. I. (1999) Bump hunting in high-dimensional data.
Statistics and Computing 9, 123-143; used for scenario discovery as in
Bryant B. P. & Lempert R. J. (2010) Thinking inside the box, Technological
Forecasting and Social Change 77, 34-49, and the EMA Workbench (Kwakkel 2017).

Given the swept parameters X of every run and a 0/1 "case of interest" y (the
outcome crosses a threshold), PRIM looks for a box (an interval per parameter)
where y = 1 is dense. It starts from the box that holds every run and *peels*:
at each step it tries cutting off ``peel_alpha`` of the runs still in the box at
the lower or the upper end of each parameter and keeps the cut that leaves the
highest density (share of runs in the box with y = 1), until the box holds fewer
than ``mass_min`` of the runs. Each step is a point of the *peeling trajectory*:
coverage (share of all y = 1 runs inside the box) against density. The analyst
picks a box on it; here the densest box whose coverage is at least
``min_coverage``. Debian packages no PRIM implementation (no EMA Workbench), so
this is an implementation of the peeling stage of the paper (no pasting: with
peel_alpha = 0.05 pasting rarely moves a box, Friedman & Fisher section 8).

Each restricted parameter gets a quasi-p-value (Bryant & Lempert 2010, as the
EMA Workbench computes it): the one-sided binomial probability of seeing at
least the box's count of y = 1 among its runs if the density were that of the
box with this parameter's restriction removed. Small values mean the
restriction matters; a value near 1 marks a restriction that could be dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps


@dataclass
class PrimBox:
    """One box of the peeling trajectory."""

    lower: np.ndarray     #: [d] lower bound of each parameter (inclusive), in its unit
    upper: np.ndarray     #: [d] upper bound (inclusive)
    coverage: float       #: runs in the box with y = 1 / all runs with y = 1
    density: float        #: runs in the box with y = 1 / runs in the box
    mass: float           #: runs in the box / all runs
    n: int                #: runs in the box
    restricted: list[int] = field(default_factory=list)  #: parameters whose bounds are tighter than the data's


@dataclass
class PrimResult:
    names: list[str]              #: parameter names, the columns of X
    trajectory: list[PrimBox]     #: the peeling trajectory, first box = every run
    chosen: int                   #: index of the chosen box in ``trajectory``
    quasi_p: dict[str, float]     #: restricted parameter -> quasi-p-value of the chosen box
    y_mean: float                 #: share of all runs with y = 1 (the density to beat)
    n: int                        #: runs used

    @property
    def box(self) -> PrimBox:
        return self.trajectory[self.chosen]

    def table(self) -> pd.DataFrame:
        """The peeling trajectory as a table: step, coverage, density, mass, n, restricted."""
        return pd.DataFrame([{"step": k, "coverage": b.coverage, "density": b.density, "mass": b.mass, "n": b.n,
                              "restricted": len(b.restricted)} for k, b in enumerate(self.trajectory)])


def _in_box(X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.all((X >= lower) & (X <= upper), axis=1)


def _restricted(lower, upper, lo0, hi0) -> list[int]:
    return [j for j in range(len(lower)) if lower[j] > lo0[j] or upper[j] < hi0[j]]


def prim(X: np.ndarray, y: np.ndarray, names: Sequence[str] | None = None, *, peel_alpha: float = 0.05,
         mass_min: float = 0.05, min_coverage: float = 0.5) -> PrimResult:
    """Peel boxes over X [n, d] for the 0/1 cases y [n] (see the module docstring).

    Rows with a non-finite x or y are dropped. Raises ValueError for bad shapes or
    options, no runs left, or no run with y = 1.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"prim: X must be [n, d] and y [n]; got {X.shape} and {y.shape}")
    if not 0 < peel_alpha < 0.5:
        raise ValueError(f"prim: peel_alpha must be in (0, 0.5), got {peel_alpha}")
    if not 0 < mass_min < 1:
        raise ValueError(f"prim: mass_min must be in (0, 1), got {mass_min}")
    if not 0 <= min_coverage <= 1:
        raise ValueError(f"prim: min_coverage must be in [0, 1], got {min_coverage}")
    good = np.all(np.isfinite(X), axis=1) & np.isfinite(y)
    X, y = X[good], (y[good] > 0).astype(float)
    n, d = X.shape
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(d)]
    if n == 0:
        raise ValueError("prim: no run with a finite value")
    total = y.sum()
    if total == 0:
        raise ValueError("prim: no run crosses the threshold; nothing to find")
    lo0, hi0 = X.min(axis=0), X.max(axis=0)
    lower, upper = lo0.copy(), hi0.copy()
    inside = np.ones(n, dtype=bool)

    def make_box(lower, upper, inside) -> PrimBox:
        k = int(inside.sum())
        hits = float(y[inside].sum())
        return PrimBox(lower.copy(), upper.copy(), hits / total, hits / k if k else 0.0, k / n, k,
                       _restricted(lower, upper, lo0, hi0))

    trajectory = [make_box(lower, upper, inside)]
    while inside.sum() / n > mass_min:
        best = None
        xs = X[inside]
        ys = y[inside]
        for j in range(d):
            col = xs[:, j]
            for side in ("lower", "upper"):
                if side == "lower":
                    cut = np.quantile(col, peel_alpha, method="lower")
                    keep = col > cut
                else:
                    cut = np.quantile(col, 1 - peel_alpha, method="higher")
                    keep = col < cut
                k = int(keep.sum())
                if k == 0 or k == len(col) or k / n < mass_min * 0.5:
                    continue
                dens = ys[keep].mean()
                # Highest density; ties to the cut that removes fewer runs (more patient).
                score = (dens, k)
                if best is None or score > best[0]:
                    best = (score, j, side, keep)
        if best is None:
            break
        (_, _), j, side, keep = best
        kept = xs[keep, j]
        if side == "lower":
            lower[j] = kept.min()
        else:
            upper[j] = kept.max()
        idx = np.flatnonzero(inside)
        inside[idx[~keep]] = False
        trajectory.append(make_box(lower, upper, inside))

    eligible = [k for k, b in enumerate(trajectory) if b.coverage >= min_coverage]
    chosen = max(eligible, key=lambda k: (trajectory[k].density, -k)) if eligible else 0
    box = trajectory[chosen]
    quasi_p: dict[str, float] = {}
    in_box = _in_box(X, box.lower, box.upper)
    hits = int(y[in_box].sum())
    for j in box.restricted:
        lo_r, hi_r = box.lower.copy(), box.upper.copy()
        lo_r[j], hi_r[j] = lo0[j], hi0[j]
        relaxed = _in_box(X, lo_r, hi_r)
        p_relaxed = float(y[relaxed].mean())
        quasi_p[names[j]] = float(sps.binom.sf(hits - 1, int(in_box.sum()), p_relaxed))
    return PrimResult(names, trajectory, chosen, quasi_p, float(y.mean()), n)


def describe(result: PrimResult, what: str, units: dict[str, str] | None = None) -> str:
    """The chosen box as a plain sentence, e.g. "takedown compliance below 0.5 in 83% of
    runs where law.vagueness > 0.21 and law.takedown_deadline_hours < 12 hours (the box
    holds 120 of 800 runs and 70% of all such runs; 21% of all runs)"."""
    units = units or {}
    b = result.box
    if not b.restricted:
        return (f"{what} in {result.y_mean:.0%} of all {result.n} runs; PRIM found no box of the swept "
                "parameters where it is markedly more frequent")
    lo0 = result.trajectory[0].lower
    hi0 = result.trajectory[0].upper
    parts = []
    for j in b.restricted:
        name, unit = result.names[j], units.get(result.names[j], "")
        u = f" {unit}" if unit and unit not in ("0..1",) else ""
        if b.lower[j] > lo0[j] and b.upper[j] < hi0[j]:
            parts.append(f"{name} between {b.lower[j]:.3g} and {b.upper[j]:.3g}{u}")
        elif b.lower[j] > lo0[j]:
            parts.append(f"{name} >= {b.lower[j]:.3g}{u}")
        else:
            parts.append(f"{name} <= {b.upper[j]:.3g}{u}")
    return (f"{what} in {b.density:.0%} of runs where " + " and ".join(parts) +
            f" (the box holds {b.n} of {result.n} runs and {b.coverage:.0%} of all runs where it happens; "
            f"{result.y_mean:.0%} of all runs)")


# --------------------------------------------------------------------------
# From a results file: `python3 -m complysim_analysis discover`
# --------------------------------------------------------------------------


def trajectory_figure(result: PrimResult, title: str):
    """Coverage against density along the peeling trajectory, coloured by the number of
    restricted parameters, the chosen box circled. Returns a matplotlib figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import figures

    t = result.table()
    with plt.rc_context(figures.STYLE):
        fig, ax = plt.subplots()
        sc = ax.scatter(t["coverage"], t["density"], c=t["restricted"], cmap=figures.HEATMAP_CMAP, s=60,
                        edgecolors="black", linewidths=0.5, zorder=3)
        ax.plot(t["coverage"], t["density"], color="0.6", linewidth=1, zorder=2)
        b = result.box
        ax.scatter([b.coverage], [b.density], s=400, facecolors="none", edgecolors=figures.PALETTE[1],
                   linewidths=3, zorder=4, label=f"chosen box (step {result.chosen})")
        ax.axhline(result.y_mean, color="0.3", linestyle="--", linewidth=1.5,
                   label=f"share in all runs ({result.y_mean:.0%})")
        ax.set_xlabel("coverage (share of all runs of interest inside the box)")
        ax.set_ylabel("density (share of the box's runs of interest)")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        cb = fig.colorbar(sc, ax=ax)
        cb.set_label("restricted parameters")
        cb.set_ticks(range(0, int(t["restricted"].max()) + 1))
        ax.legend(loc="lower left")
        ax.set_title(figures.wrap_title(title, 70))
        fig.tight_layout()
    return fig


def discover_file(path: str, outcome: str, *, above: float | None = None, below: float | None = None,
                  design: str | None = None, out_dir: str = ".", peel_alpha: float = 0.05,
                  mass_min: float = 0.05, min_coverage: float = 0.5) -> tuple[PrimResult, str, str]:
    """PRIM on a sweep's results file: the runs (ok, finite) of one decree design,
    X = the swept parameters, y = outcome above (or below) the threshold. Writes the
    peeling-trajectory figure to ``out_dir/discover-<outcome>.png``. Returns (result,
    sentence, figure path). ValueError for an unknown outcome or design, a file without
    swept parameters, or neither/both thresholds."""
    import os

    from .figures import fig_id
    from .loader import STATUS_OK, load

    if (above is None) == (below is None):
        raise ValueError("discover: give exactly one of --above X or --below X")
    res = load(path)
    if not res.params:
        raise ValueError(f"{path}: no swept parameters (a `complysim run` or compare file); "
                         "scenario discovery needs a sweep")
    columns = res.outcome_columns()
    if outcome not in columns:
        import difflib

        near = difflib.get_close_matches(outcome, columns, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise ValueError(f"discover: unknown outcome '{outcome}'{hint} (a per-platform column is NAME[PLATFORM])")
    designs = res.design_names
    design = design or designs[0]
    if design not in designs:
        raise ValueError(f"discover: no design '{design}' in {path}; its designs are: {', '.join(designs)}")
    runs = res.runs[(res.runs["status"] == STATUS_OK) & (res.runs["design"] == design)]
    v = runs[outcome].to_numpy(float)
    X = runs[res.params].to_numpy(float)
    keep = np.isfinite(v)
    y = (v > above) if above is not None else (v < below)
    base = outcome.split("[")[0]
    label = res.outcome_label(base) + (outcome[len(base):] if outcome != base else "")
    unit = res.outcome_unit(base)
    thr = above if above is not None else below
    what = f"{label} {'above' if above is not None else 'below'} {thr:g}" + (f" {unit}" if unit and unit != "share" else "")
    result = prim(X[keep], y[keep].astype(float), res.params, peel_alpha=peel_alpha, mass_min=mass_min,
                  min_coverage=min_coverage)
    sentence = describe(result, what, res.param_units)
    os.makedirs(out_dir, exist_ok=True)
    fig = trajectory_figure(result, f"PRIM peeling trajectory: {what} (design {design}, {result.n} runs)")
    fig_path = os.path.join(out_dir, f"{fig_id('discover', outcome)[4:]}.png")
    fig.savefig(fig_path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return result, sentence, fig_path


def box_table(result: PrimResult, units: dict[str, str] | None = None) -> pd.DataFrame:
    """The chosen box: one row per swept parameter with its bounds, the data's range,
    its unit and, for a restricted one, its quasi-p-value."""
    units = units or {}
    b, first = result.box, result.trajectory[0]
    rows = []
    for j, name in enumerate(result.names):
        rows.append({"parameter": name, "unit": units.get(name, ""),
                     "box low": b.lower[j], "box high": b.upper[j],
                     "range low": first.lower[j], "range high": first.upper[j],
                     "restricted": "yes" if j in b.restricted else "",
                     "quasi-p": result.quasi_p.get(name, np.nan)})
    return pd.DataFrame(rows)
