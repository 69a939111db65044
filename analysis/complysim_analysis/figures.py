"""Figures of a results file. Each ``*_figures`` function yields ``Figure``
records (id, title, caption, matplotlib figure), none when the figure does
not apply to the file; render (and close) each before taking the next. Matplotlib runs on the Agg backend.

Style: 12 x 7 in at 120 dpi, base font 15 pt, the Okabe-Ito colour-blind-safe
palette for lines and cividis for heat maps.
"""
from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from typing import Iterator, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import stats  # noqa: E402
from .loader import STATUS_OK, Results, platform_column  # noqa: E402
from .textfile import check_text_file  # noqa: E402

# Okabe & Ito (2008), reordered so that the first colours are the most distinct.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]
HEATMAP_CMAP = "cividis"
FIGSIZE = (12.0, 7.0)
DPI = 120

STYLE = {
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "legend.title_fontsize": 14,
    "figure.titlesize": 19,
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
}

#: Canonical outcome order (model-spec.md section 7).
OUTCOME_ORDER = ["self_censorship_rate", "lawful_self_censorship_rate", "silenced_user_share",
                 "posted_per_user_day", "takedown_requests", "takedown_compliance_rate",
                 "data_request_compliance_rate", "over_removal_share", "unlawful_visible_share",
                 "users_sanctioned_per_100k", "mean_perceived_risk", "platform_status",
                 "platform_localized", "escalation_level", "platform_revenue",
                 # model v2 (format_version 2)
                 "takedown_requests_per_100k", "takedown_requests_received", "legal_chilling_rate",
                 "lawful_legal_chilling_rate", "wrongful_removals_per_100k", "unlawful_exposure_days",
                 # expected values without the review coin flips (added beside, format_version 2)
                 "expected_takedown_requests_received", "expected_takedown_compliance_rate",
                 "expected_users_sanctioned_per_100k"]


@dataclass
class Figure:
    id: str          #: HTML id and PNG file stem, e.g. "fig-timeseries-self_censorship_rate"
    title: str
    caption: str
    figure: "matplotlib.figure.Figure | None"
    section: str = ""
    png: bytes = b""  #: the rendered image, once ``render`` has run

    def render(self, dpi: int = DPI) -> bytes:
        """Render to PNG bytes and close the matplotlib figure (frees memory)."""
        if self.figure is not None:
            import io

            buf = io.BytesIO()
            self.figure.savefig(buf, format="png", dpi=dpi)
            plt.close(self.figure)
            self.figure = None
            self.png = buf.getvalue()
        return self.png


def fig_id(*parts: str) -> str:
    return "fig-" + "-".join(re.sub(r"[^A-Za-z0-9_.]+", "_", p).strip("_") for p in parts if p)


def ordered(names: Sequence[str]) -> list[str]:
    """Names in canonical outcome order, unknown ones after, alphabetically."""
    known = [n for n in OUTCOME_ORDER if n in names]
    return known + sorted(n for n in names if n not in OUTCOME_ORDER)


def wrap_title(text: str, width: int = 62) -> str:
    """Wrap a figure title so that it fits the figure at 19 pt."""
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False)) if "\n" not in text else text


def _ylabel_first_column(axes, ncols: int, label: str) -> None:
    """Y label on the first panel of each row only (shared y)."""
    for i, ax in enumerate(axes):
        ax.set_ylabel(label if i % ncols == 0 else "")


def with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    cols = min(n, max_cols)
    rows = int(np.ceil(n / cols))
    return rows, cols


def _subplots(n: int, max_cols: int = 3, sharey: bool = True, height_per_row: float = 5.0,
              **kw):
    rows, cols = _grid(n, max_cols)
    height = max(FIGSIZE[1], height_per_row * rows + 2.0) if rows > 1 else FIGSIZE[1]
    fig, axes = plt.subplots(rows, cols, figsize=(FIGSIZE[0], height), sharey=sharey,
                             squeeze=False, **kw)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _time_axis(res: Results):
    if res.dates is not None and not np.all(pd.isna(res.dates)):
        return res.dates, "date"
    return res.days, "day of simulation (days)"


def _format_time_axis(ax, is_date: bool) -> None:
    if is_date:
        loc = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def _ok_mask(res: Results, design: str | None = None) -> np.ndarray:
    m = res.runs["status"].to_numpy() == STATUS_OK
    if design is not None:
        m &= res.runs["design"].to_numpy() == design
    return m


def _legend(ax_or_fig, **kw):
    handles, labels = (ax_or_fig.get_legend_handles_labels() if hasattr(ax_or_fig, "get_legend_handles_labels")
                       else ([], []))
    if handles:
        ax_or_fig.legend(**kw)


# --------------------------------------------------------------------------
# 1. time series with bands
# --------------------------------------------------------------------------


#: A record of a rate is "thin" (greyed) when fewer than this share of the runs
#: define it, or when more than this share of its defined values are exactly 0 or 1:
#: a share computed from a handful of events (a compliance rate with one request a week
#: jumps between 0 and 1). The file stores rates, not their event counts, so this is
#: read from the values themselves.
THIN_SHARE = 0.5


def record_lengths(res: Results) -> np.ndarray:
    """Days covered by each time-series record: day_k - day_{k-1} (the first from day 0)."""
    days = np.asarray(res.days, dtype=float)
    if not len(days):
        return days
    return np.diff(np.concatenate([[-1.0], days]))


def partial_last_record(res: Results) -> int:
    """Days of the last record when it is shorter than the others (the run ended
    mid-interval), else 0."""
    lengths = record_lengths(res)
    if len(lengths) < 3:
        return 0
    usual = float(np.median(lengths[:-1]))
    return int(lengths[-1]) if lengths[-1] < usual else 0


def thin_records(sel: np.ndarray, unit: str) -> np.ndarray:
    """Per record [records]: True where a share ``sel`` [runs, records] rests on too few
    events to read as a line (see THIN_SHARE); always False for other units."""
    if not len(sel) or "share" not in unit and unit not in ("probability",):
        return np.zeros(sel.shape[1] if sel.ndim == 2 else 0, dtype=bool)
    finite = np.isfinite(sel)
    n_def = finite.sum(axis=0)
    extreme = ((sel == 0) | (sel == 1)) & finite
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_extreme = np.where(n_def > 0, extreme.sum(axis=0) / np.maximum(n_def, 1), 0.0)
    return (n_def < THIN_SHARE * sel.shape[0]) | (frac_extreme > THIN_SHARE)


def why_undefined(res: Results, name: str) -> str:
    """Why a rate has no value, from its description "A / B (NaN when ...)": "no B"."""
    desc = res.outcome_description(name)
    m = re.search(r"/\s*([^,(.]+)", desc)
    if m and "NaN" in desc:
        return f"no {m.group(1).strip()} under this design"
    return "no run of this design defines it"


def _draw_band(ax, x, sel, color, label, thin, linestyle="-", alpha=0.2):
    """Mean line and 2.5-97.5% band of ``sel`` [runs, records]; records flagged ``thin``
    drawn grey and dotted. Returns True when anything was drawn."""
    mean, lo, hi = stats.band(sel)
    if not np.isfinite(mean).any():
        return False
    # A record is drawn solid only inside a stretch of 3 or more solid records: isolated
    # ones would draw as spikes and blocks.
    thin = np.asarray(thin, dtype=bool).copy()
    k = 0
    while k < len(thin):
        if thin[k]:
            k += 1
            continue
        end = k
        while end < len(thin) and not thin[end]:
            end += 1
        if end - k < 3:
            thin[k:end] = True
        k = end
    solid = np.where(thin, np.nan, mean)
    ax.plot(x, solid, color=color, linestyle=linestyle, label=label)
    ax.fill_between(x, np.where(thin, np.nan, lo), np.where(thin, np.nan, hi), color=color, alpha=alpha)
    if thin.any():
        ax.fill_between(x, lo, hi, color=color, alpha=alpha * 0.25, linewidth=0)
        # The thin stretch, faded, joined to its neighbours so the line does not break.
        near = thin | np.concatenate([[False], thin[:-1]]) | np.concatenate([thin[1:], [False]])
        ax.plot(x, np.where(near, mean, np.nan), color=color, linestyle=linestyle, linewidth=1.4, alpha=0.35)
    return True


def timeseries_figures(res: Results) -> Iterator[Figure]:
    if not len(res.days):
        return
    x, xlabel = _time_axis(res)
    is_date = xlabel == "date"
    # A last record shorter than the others (the run ended mid-interval) is an
    # average over a day or two: its band collapses. It is left out and said so.
    partial = partial_last_record(res)
    keep = slice(0, len(res.days) - 1) if partial else slice(None)
    x = np.asarray(x)[keep]
    designs = res.design_names
    every = int(np.median(record_lengths(res))) if len(res.days) else 0
    for name in ordered(res.timeseries_names):
        data, platforms = res.timeseries_array(name)
        data = data[:, keep] if data.ndim >= 2 else data
        unit = res.outcome_unit(name)
        label = res.outcome_label(name)
        ok_all = _ok_mask(res)
        if not np.isfinite(data[ok_all]).any():
            continue
        any_thin = False
        if platforms is None:
            fig, ax = plt.subplots()
            for k, d in enumerate(designs):
                sel = data[_ok_mask(res, d)]
                if not len(sel) or not np.isfinite(sel).any():
                    continue
                c = PALETTE[k % len(PALETTE)]
                thin = thin_records(sel, unit)
                any_thin |= bool(thin.any())
                _draw_band(ax, x, sel, c, f"{d} ({len(sel)} runs)" if len(designs) > 1 else f"mean of {len(sel)} runs",
                           thin, alpha=0.22)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(with_unit(label, unit))
            ax.set_xlim(x[0], x[-1])
            _format_time_axis(ax, is_date)
            ax.legend(loc="best", title="mean, band 2.5-97.5% of runs")
            title = f"{label} over time"
            ax.set_title(f"{title} ({name})")
        else:
            shown = [d for d in designs if _ok_mask(res, d).any()]
            fig, axes = _subplots(max(1, len(shown)), max_cols=2)
            for ax, d in zip(axes, shown):
                sel = data[_ok_mask(res, d)]
                drawn = False
                for j, p in enumerate(platforms):
                    thin = thin_records(sel[:, :, j], unit)
                    if _draw_band(ax, x, sel[:, :, j], PALETTE[j % len(PALETTE)], p, thin,
                                  linestyle=LINESTYLES[j % len(LINESTYLES)], alpha=0.18):
                        drawn = True
                        any_thin |= bool(thin.any())
                ax.set_xlabel(xlabel)
                ax.set_xlim(x[0], x[-1])
                ax.set_title((f"design: {d}, " if len(shown) > 1 else "") + f"{len(sel)} ok runs")
                if not drawn:
                    ax.text(0.5, 0.5, f"not defined in any of the {len(sel)} runs:\n{why_undefined(res, name)}",
                            transform=ax.transAxes, ha="center", va="center", fontsize=14, color="0.3",
                            wrap=True)
                _format_time_axis(ax, is_date)
            _ylabel_first_column(axes, _grid(max(1, len(shown)), 2)[1], with_unit(label, unit))
            first = next((ax for ax in axes if ax.get_legend_handles_labels()[0]), axes[0])
            _legend(first, title="platform (mean, band 2.5-97.5%)", loc="best")
            title = f"{label} over time, per platform"
            fig.suptitle(f"{title} ({name})\nmean and 2.5-97.5% band across the ok runs of each panel")
        fig.tight_layout()
        cap = (f"{label}: {(res.outcome_description(name) or name).replace('NaN', 'not defined')} "
               f"({unit or 'no unit given'}), "
               f"recorded every {every} days. Lines: mean over ok runs; shaded: 2.5-97.5 percentiles across runs"
               + (" (replicates and swept parameters together)." if res.params else " (replicates)."))
        if any_thin:
            cap += (f" Faded thin line and band: records where fewer than {THIN_SHARE:.0%} of the runs define the rate or "
                    f"more than {THIN_SHARE:.0%} of its values are exactly 0 or 1, i.e. a rate built on a "
                    "handful of events; read the band, not the line.")
        if partial:
            cap += (f" The last record covers only {partial} day{'s' if partial != 1 else ''} (the run ends "
                    "mid-interval) and is left out.")
        yield Figure(fig_id("timeseries", name), title, cap, fig, "Time series")


# --------------------------------------------------------------------------
# 2. outcome against each swept parameter
# --------------------------------------------------------------------------


def _series_specs(res: Results, name: str) -> list[tuple[str, str, str]]:
    """(column, design, label) for the lines of one outcome."""
    info = res.outcomes[name]
    designs = [d for d in res.design_names if _ok_mask(res, d).any()]
    specs = []
    for d in designs:
        for col in info.columns():
            plat = col[len(name) + 1:-1] if info.per_platform else ""
            parts = [p for p in ((d if len(designs) > 1 else ""), plat) if p]
            specs.append((col, d, " / ".join(parts) or "mean"))
    return specs


def parameter_figures(res: Results, max_points: int = 4000, seed: int = 0) -> Iterator[Figure]:
    params = res.params
    if not params:
        return
    ok = res.ok_runs
    rng = np.random.default_rng(seed)
    for name in ordered(list(res.outcomes)):
        specs = _series_specs(res, name)
        if not any(np.isfinite(ok[c]).any() for c, _, _ in specs):
            continue
        unit = res.outcome_unit(name)
        fig, axes = _subplots(len(params), max_cols=3)
        for ax, p in zip(axes, params):
            for k, (col, d, label) in enumerate(specs):
                sub = ok[ok["design"] == d]
                xs, ys = sub[p].to_numpy(), sub[col].to_numpy()
                if len(xs) > max_points:
                    pick = rng.choice(len(xs), max_points, replace=False)
                    xs_s, ys_s = xs[pick], ys[pick]
                else:
                    xs_s, ys_s = xs, ys
                c = PALETTE[k % len(PALETTE)]
                ax.scatter(xs_s, ys_s, s=14, alpha=0.25, color=c, edgecolors="none", rasterized=True)
                bm = stats.binned_means(xs, ys)
                if len(bm):
                    ax.errorbar(bm["x"], bm["mean"],
                                yerr=[bm["mean"] - bm["low"], bm["high"] - bm["mean"]],
                                color=c, marker=MARKERS[k % len(MARKERS)], capsize=4,
                                linestyle=LINESTYLES[k % len(LINESTYLES)], label=label)
            ax.set_xlabel(_param_label(p, res.param_units.get(p, "")))
        _ylabel_first_column(axes, _grid(len(params), 3)[1], with_unit(res.outcome_label(name), unit))
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4),
                       title="binned mean with 95% CI (dots: runs)", frameon=False)
        n_rows = _grid(len(params), 3)[0]
        legend_space = 0.08 + 0.05 * int(np.ceil(len(labels) / 4)) / n_rows if handles else 0.02
        title = f"{res.outcome_label(name)} against each swept parameter ({name})"
        fig.suptitle(wrap_title(title))
        fig.tight_layout(rect=(0, legend_space, 1, 1))
        cap = (f"Dots: the summary value of {name} ({unit or 'no unit given'}) in each ok run "
               f"(at most {max_points} drawn per line). Lines: mean with 95% t CI at each grid "
               "level, or in quantile bins of the parameter (lhs, sobol: at most ten, at least "
               f"{stats.MIN_PER_BIN} runs each).")
        yield Figure(fig_id("params", name), title, cap, fig, "Outcomes against parameters")



# --------------------------------------------------------------------------
# 3. heat map for two-parameter grids
# --------------------------------------------------------------------------


def heatmap_figures(res: Results) -> Iterator[Figure]:
    if res.design.get("kind") != "grid" or len(res.params) != 2:
        return
    px, py = res.params
    ok = res.ok_runs
    designs = [d for d in res.design_names if _ok_mask(res, d).any()]
    for name in ordered(list(res.outcomes)):
        info = res.outcomes[name]
        cols = info.columns()
        panels = [(d, c) for d in designs for c in cols]
        tables = []
        for d, c in panels:
            t = ok[ok["design"] == d].pivot_table(index=py, columns=px, values=c, aggfunc="mean")
            tables.append(t)
        finite = [t.to_numpy() for t in tables if np.isfinite(t.to_numpy()).any()]
        if not finite:
            continue
        vmin = min(np.nanmin(v) for v in finite)
        vmax = max(np.nanmax(v) for v in finite)
        if vmax == vmin:
            vmax = vmin + 1e-12
        ncols = len(cols) if info.per_platform else min(len(panels), 3)
        fig, axes = _subplots(len(panels), max_cols=max(1, min(ncols, 3)), sharey=True)
        annotate = len(panels) <= 3
        im = None
        for ax, (d, c), t in zip(axes, panels, tables):
            xs = t.columns.to_numpy(dtype=float)
            ys = t.index.to_numpy(dtype=float)
            im = ax.imshow(t.to_numpy(), origin="lower", aspect="auto", cmap=HEATMAP_CMAP,
                           vmin=vmin, vmax=vmax)
            ax.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs])
            ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
            ax.grid(False)
            if annotate and t.size <= 64:
                mid = (vmin + vmax) / 2
                for i in range(len(ys)):
                    for j in range(len(xs)):
                        v = t.to_numpy()[i, j]
                        if np.isfinite(v):
                            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=13,
                                    color="black" if v > mid else "white")
            ax.set_xlabel(_param_label(px, res.param_units.get(px, "")))
            plat = c[len(name) + 1:-1] if info.per_platform else ""
            ax.set_title(" / ".join(s for s in ((d if len(designs) > 1 else ""), plat) if s) or name)
        _ylabel_first_column(axes, _grid(len(panels), max(1, min(ncols, 3)))[1],
                             with_unit(py, res.param_units.get(py, "")))
        fig.suptitle(wrap_title(f"{name}: mean over ok replicates on the {px} x {py} grid"))
        fig.tight_layout(rect=(0, 0, 0.88, 1))
        cax = fig.add_axes((0.9, 0.15, 0.025, 0.7))
        cax.grid(False)
        cb = fig.colorbar(im, cax=cax)
        cb.set_label(with_unit(name, res.outcome_unit(name)))
        title = f"{name} on the two-parameter grid"
        cap = (f"Mean of {name} over the ok replicates of each grid cell; colour bar in "
               f"{res.outcome_unit(name) or 'outcome units'}; blank cells have no finite value.")
        yield Figure(fig_id("heatmap", name), title, cap, fig, "Grid heat maps")



# --------------------------------------------------------------------------
# 4. decree-design comparison with paired CIs
# --------------------------------------------------------------------------


def design_comparison_table(res: Results) -> pd.DataFrame:
    designs = [d for d in res.design_names if (res.runs["design"] == d).any()]
    if len(designs) < 2:
        return pd.DataFrame()
    frames = [stats.paired_differences(res.runs, c, designs) for c in
              [c for n in ordered(list(res.outcomes)) for c in res.outcomes[n].columns()]]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def design_comparison_figures(res: Results, table: pd.DataFrame | None = None,
                              per_figure: int = 6) -> Iterator[Figure]:
    if table is None:
        table = design_comparison_table(res)
    if table.empty or not np.isfinite(table["diff"]).any():
        return
    base = table["baseline"].iloc[0]
    others = list(dict.fromkeys(table["design"]))
    # Rows where the designs do not differ at all (every paired difference 0
    # to floating-point noise) are not drawn: plotted, they would fill a panel
    # with noise on a 1e-15 axis. They are named in the caption instead.
    table = table.copy()
    same = stats.no_difference(table).to_numpy()
    table.loc[same, ["diff", "diff_low", "diff_high"]] = np.nan
    shown_cols = set(table.loc[np.isfinite(table["diff"].to_numpy(float)), "outcome"])
    names = [n for n in ordered(list(res.outcomes))
             if any(c in shown_cols for c in res.outcomes[n].columns())]
    identical = [c for c in dict.fromkeys(table["outcome"])
                 if c not in shown_cols and same[(table["outcome"] == c).to_numpy()].all()]
    if not names:
        return
    chunks = [names[i:i + per_figure] for i in range(0, len(names), per_figure)]
    for ci, chunk in enumerate(chunks):
        fig, axes = _subplots(len(chunk), max_cols=2, sharey=False, height_per_row=3.2)
        for ax, name in zip(axes, chunk):
            info = res.outcomes[name]
            cols = info.columns()
            labels = [c[len(name) + 1:-1] for c in cols] if info.per_platform else ["all users"]
            labels = [lab + ("\n(no difference)" if c in identical else "")
                      for lab, c in zip(labels, cols)]
            width = 0.6 / max(1, len(others))
            for k, d in enumerate(others):
                rows = table[(table["design"] == d)].set_index("outcome").reindex(cols)
                ys = np.arange(len(cols)) + (k - (len(others) - 1) / 2) * width
                ax.errorbar(rows["diff"], ys,
                            xerr=[rows["diff"] - rows["diff_low"], rows["diff_high"] - rows["diff"]],
                            fmt=MARKERS[k % len(MARKERS)], color=PALETTE[k % len(PALETTE)],
                            capsize=5, markersize=9, linewidth=2.5, label=f"{d} - {base}")
            ax.axvline(0, color="0.3", linestyle="--", linewidth=1.5)
            ax.locator_params(axis="x", nbins=4)  # small differences have long tick labels: few of them
            ax.set_yticks(range(len(cols)), labels)
            ax.set_ylim(-0.6, len(cols) - 0.4)
            ax.invert_yaxis()
            ax.set_title(f"{res.outcome_label(name)}\n({name})", fontsize=14)
            ax.set_xlabel(with_unit("difference", res.outcome_unit(name)))
        handles, labels = axes[0].get_legend_handles_labels()
        suffix = f" ({ci + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        title = f"Decree designs against '{base}': paired differences{suffix}"
        fig.suptitle(wrap_title(title) + "\nmean difference and 95% CI, runs paired by (point, replicate)")
        # Long design names: two legend columns, and room below the panels for every legend row.
        ncol = min(4 if max(len(lab) for lab in labels) <= 24 else 2, len(labels))
        legend_rows = -(-len(labels) // ncol)
        fig.legend(handles, labels, loc="lower center", ncol=ncol, frameon=False)
        per_row = 0.03 if len(chunk) > 2 else 0.05
        fig.tight_layout(rect=(0, 0.02 + per_row * (legend_rows + 0.5), 1, 1))
        n_pairs = int(table["n_pairs"].max())
        cap = (f"For each outcome, the mean of (design - {base}) over ok runs paired by sweep "
               f"point and replicate (common random numbers), with a 95% Student-t CI; up to "
               f"{n_pairs} pairs. Dashed line: no difference. Exact numbers in the table below.")
        if identical:
            cap += (" Not drawn, because every paired difference is zero (to within "
                    f"{stats.NO_DIFFERENCE_RTOL:g} of the value): " + ", ".join(identical) + ".")
        yield (Figure(fig_id("design_comparison", str(ci + 1)), title, cap, fig,
                          "Decree-design comparison"))



# --------------------------------------------------------------------------
# 5. Sobol indices
# --------------------------------------------------------------------------


def sobol_table(res: Results, bootstrap: int = 1000, seed: int = 0) -> pd.DataFrame:
    if res.design.get("kind") != "sobol" or not len(res.design.get("block", [])):
        return pd.DataFrame()
    frames = []
    for d in res.design_names:
        if not _ok_mask(res, d).any():
            continue
        for name in ordered(list(res.outcomes)):
            for c in res.outcomes[name].columns():
                frames.append(stats.sobol_for_results(res, c, d, bootstrap=bootstrap, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def sobol_figures(res: Results, table: pd.DataFrame | None = None, bootstrap: int = 1000,
                  seed: int = 0) -> Iterator[Figure]:
    if table is None:
        table = sobol_table(res, bootstrap, seed)
    if table.empty:
        return
    designs = list(dict.fromkeys(table["design"]))
    params = list(dict.fromkeys(table["parameter"]))
    n_base = int(table["n"].max())
    # Summary heat map of total-order indices: outcome columns x parameters.
    for d in designs:
        t = table[table["design"] == d].pivot_table(index="outcome", columns="parameter", values="ST",
                                                    aggfunc="first", dropna=False)
        t = t.reindex(index=[o for o in dict.fromkeys(table["outcome"]) if o in t.index], columns=params)
        sub = table[table["design"] == d]
        no_index = {o: r for o, r in zip(sub["outcome"], sub["remark"])
                    if isinstance(r, str) and ("constant" in r or "runs differ" in r)}
        t = t[np.isfinite(t.to_numpy()).any(axis=1)]
        if t.empty:
            continue
        remarks = sub.pivot_table(index="outcome", columns="parameter", values="remark", aggfunc="first")
        remarks = remarks.reindex(index=t.index, columns=params)
        noisy = remarks.apply(lambda col: col.map(lambda r: isinstance(r, str) and bool(r))).to_numpy(bool)
        height = max(FIGSIZE[1], 0.45 * len(t) + 3)
        fig, ax = plt.subplots(figsize=(FIGSIZE[0], height), layout="constrained")
        shown = np.where(noisy, np.nan, np.clip(t.to_numpy(), 0, 1))
        im = ax.imshow(shown, aspect="auto", cmap=HEATMAP_CMAP, vmin=0, vmax=1)
        ax.set_facecolor("0.93")  # noisy cells: no colour
        ax.set_xticks(range(len(params)), [_wrap_param(p) for p in params])
        ax.set_yticks(range(len(t)), t.index)
        ax.grid(False)
        for i in range(len(t)):
            for j in range(len(params)):
                v = t.to_numpy()[i, j]
                if not np.isfinite(v):
                    continue
                if noisy[i, j]:
                    ax.text(j, i, f"({v:.2f})", ha="center", va="center", fontsize=12, color="0.45",
                            style="italic")
                else:
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=13,
                            color="black" if v > 0.5 else "white")
        cb = fig.colorbar(im, ax=ax)
        cb.set_label("total-order index ST (share of variance)")
        ax.set_xlabel("swept parameter")
        ax.set_ylabel("outcome")
        title = "Total-order Sobol indices, every outcome" + (f" (design: {d})" if len(designs) > 1 else "")
        ax.set_title(wrap_title(title, 70))
        cap = (f"Jansen (1999) total-order index of each outcome for each parameter, N = {n_base} "
               "base samples, replicates averaged first; values clipped to 0..1 for the colour. "
               "Grey cells with the value in brackets carry a remark (noise dominates or not converged "
               "between N/2 and N; see the table): not findings.")
        if no_index:
            cap += " No index (constant or nearly constant outcome): " + "; ".join(
                f"{o} ({r})" for o, r in no_index.items()) + "."
        yield Figure(fig_id("sobol_summary", d), title, cap, fig, "Sobol sensitivity indices")
    for outcome in dict.fromkeys(table["outcome"]):
        sub = table[table["outcome"] == outcome]
        if not np.isfinite(sub["ST"]).any():
            continue
        shown = [d for d in designs if np.isfinite(sub[sub["design"] == d]["ST"]).any()]
        fig, axes = _subplots(len(shown), max_cols=2, sharey=True)
        for ax, d in zip(axes, shown):
            rows = sub[sub["design"] == d].set_index("parameter").reindex(params)
            y = np.arange(len(params))
            h = 0.38
            for k, (col, label) in enumerate((("S1", "first order S1 (Saltelli 2010)"),
                                             ("ST", "total order ST (Jansen 1999)"))):
                err = np.vstack([rows[col] - rows[f"{col}_low"], rows[f"{col}_high"] - rows[col]])
                err = np.where(np.isfinite(err), np.maximum(err, 0), 0)
                ax.barh(y + (k - 0.5) * h, rows[col], height=h, color=PALETTE[k], label=label,
                        xerr=err, capsize=5, error_kw={"linewidth": 2})
            ax.set_yticks(y, [_wrap_param(p) for p in params])
            ax.axvline(0, color="0.3", linewidth=1)
            ax.set_xlabel("Sobol index (share of output variance)")
            if len(shown) > 1:
                ax.set_title(f"design: {d}")
        axes[0].invert_yaxis()  # shared y: invert once; first parameter on top
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False,
                   title="bars: estimate; whiskers: 95% bootstrap CI")
        base_name = outcome.split("[")[0]
        title = f"Sobol indices of {res.outcome_label(base_name)} ({outcome})"
        fig.suptitle(wrap_title(f"{title} (N = {n_base} base samples)"))
        fig.tight_layout(rect=(0, 0.13, 1, 1))
        cap = (f"First-order (Saltelli 2010) and total-order (Jansen 1999) indices of {outcome}, "
               f"replicates averaged per sample, with seeded bootstrap 95% percentile CIs over "
               f"the N base rows.")
        yield Figure(fig_id("sobol", outcome), title, cap, fig, "Sobol sensitivity indices")



def _param_label(p: str, unit: str) -> str:
    """Axis label of a swept parameter with its unit; a long one on two or more
    lines (name broken at its dots, unit below), so that side-by-side panels do
    not overprint each other's labels."""
    text = with_unit(p, unit)
    if len(text) <= 28:
        return text
    return _wrap_param(p) + (f"\n({unit})" if unit else "")


def _wrap_param(p: str) -> str:
    """Break a long dotted name at its dots so tick labels stay short."""
    if len(p) <= 22:
        return p
    parts = p.split(".")
    lines, cur = [], ""
    for part in parts:
        piece = part if not cur else cur + "." + part
        if len(piece) > 22 and cur:
            lines.append(cur + ".")
            cur = part
        else:
            cur = piece
    lines.append(cur)
    return "\n".join(lines)


# --------------------------------------------------------------------------
# 6. model against observed data
# --------------------------------------------------------------------------

DEFAULT_PLATFORM_MAP = {"facebook": "global_social", "google": "video_sharing",
                        "youtube": "video_sharing"}


def parse_platform_map(text: str) -> dict[str, str]:
    """"facebook=global_social,google=video_sharing" -> dict."""
    out = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        if "=" not in item:
            raise ValueError(f"--platform-map: {item!r} is not DATA=MODEL (e.g. facebook=global_social)")
        k, v = (s.strip() for s in item.split("=", 1))
        if not k or not v:
            raise ValueError(f"--platform-map: {item!r} is not DATA=MODEL (e.g. facebook=global_social)")
        out[k] = v
    return out


def check_platform_map(res: Results, platform_map: dict[str, str],
                       outcome: str = "takedown_compliance_rate") -> None:
    """Raise ValueError naming the file's platforms when a --platform-map entry
    names a model platform that the results file does not have."""
    platforms: list[str] = []
    if outcome in res.timeseries_names:
        platforms = list(res.timeseries_array(outcome)[1] or [])
    if not platforms:
        for info in res.outcomes.values():
            platforms += [p for p in (info.platforms or []) if p not in platforms]
    if not platforms:
        return
    bad = [f"{k}={v}" for k, v in platform_map.items() if v not in platforms]
    if bad:
        raise ValueError(f"--platform-map: {', '.join(bad)}: no such platform in {res.path}; "
                         f"its platforms are: {', '.join(platforms)}")


def read_observed(path: str, metric: str = "takedown_compliance_rate") -> pd.DataFrame:
    """Rows of an observed-data CSV (period_start, period_end, platform,
    metric, value, ...) with the given metric, dates parsed."""
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a directory, not a CSV file")
    check_text_file(path)  # a regular file of at most 256 MiB
    try:
        df = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        reason = getattr(err, "strerror", None) or (str(err).splitlines() or [type(err).__name__])[0]
        raise ValueError(f"{path}: cannot be read as a CSV file ({reason})") from None
    missing = {"period_start", "period_end", "platform", "metric", "value"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected "
                         "period_start,period_end,platform,metric,value,...")
    df = df[df["metric"] == metric].copy()
    df["period_start"] = pd.to_datetime(df["period_start"], errors="coerce")
    df["period_end"] = pd.to_datetime(df["period_end"], errors="coerce")
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df.dropna(subset=["period_start", "period_end", "value"]).reset_index(drop=True)


def observed_figures(res: Results, observed: pd.DataFrame | None,
                     platform_map: dict[str, str] | None = None,
                     outcome: str = "takedown_compliance_rate") -> tuple[list[Figure], list[str]]:
    """Model per-platform ``outcome`` on a date axis against observed periods.
    Returns (figures, notes); notes say why rows or the figure were skipped."""
    notes: list[str] = []
    if observed is None:
        return [], notes
    if not res.start_date or res.dates is None:
        notes.append("The file has no start_date, so the model cannot be put on a date axis; "
                     "the observed-data figure is left out.")
        return [], notes
    if outcome not in res.timeseries_names:
        notes.append(f"The file has no /timeseries/{outcome}; the observed-data figure is left out.")
        return [], notes
    platform_map = DEFAULT_PLATFORM_MAP if platform_map is None else platform_map
    data, platforms = res.timeseries_array(outcome)
    platforms = platforms or [""]
    obs = observed.copy()
    obs["model_platform"] = obs["platform"].map(platform_map)
    unmapped = sorted(set(obs.loc[obs["model_platform"].isna(), "platform"]))
    if unmapped:
        notes.append(f"Observed platforms without a --platform-map entry, not shown: {', '.join(unmapped)}.")
    absent = sorted(set(obs["model_platform"].dropna()) - set(platforms))
    if absent:
        notes.append(f"Mapped model platforms not in this file, not shown: {', '.join(absent)}.")
    obs = obs[obs["model_platform"].isin(platforms)]
    if obs.empty:
        notes.append("No observed row maps to a platform in this file; the observed-data figure is left out.")
        return [], notes
    designs = [d for d in res.design_names if _ok_mask(res, d).any()]
    fig, axes = _subplots(len(designs), max_cols=1, sharey=True, sharex=True,
                          height_per_row=4.5)
    data_platforms = list(dict.fromkeys(obs["platform"]))
    x = res.dates
    for ax, d in zip(axes, designs):
        sel = data[_ok_mask(res, d)]
        for j, p in enumerate(platforms):
            if p not in set(obs["model_platform"]):
                continue
            mean, lo, hi = stats.band(sel[:, :, j])
            c = PALETTE[j % len(PALETTE)]
            ax.plot(x, mean, color=c, label=f"model: {p} (mean, 2.5-97.5%)")
            ax.fill_between(x, lo, hi, color=c, alpha=0.18)
        for dp in data_platforms:
            rows = obs[obs["platform"] == dp]
            mp = rows["model_platform"].iloc[0]
            c = PALETTE[platforms.index(mp) % len(PALETTE)]
            m = MARKERS[data_platforms.index(dp) % len(MARKERS)]
            for i, (_, r) in enumerate(rows.iterrows()):
                ax.plot([r["period_start"], r["period_end"]], [r["value"]] * 2, color=c,
                        linewidth=5, alpha=0.9, marker=m, markeredgecolor="black", markersize=11,
                        label=f"observed: {dp} -> {mp}" if i == 0 else None)
        ax.set_ylabel(with_unit(outcome, res.outcome_unit(outcome)))
        ax.set_ylim(-0.02, 1.05)
        _format_time_axis(ax, True)
        if len(designs) > 1:
            ax.set_title(f"design: {d}")
    axes[-1].set_xlabel("date")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False)
    rows_legend = int(np.ceil(len(labels) / 2))
    title = f"Model {outcome} against the observed figures"
    fig.suptitle(wrap_title(title))
    fig.tight_layout(rect=(0, min(0.4, 0.06 * rows_legend * 7 / fig.get_figheight()), 1, 1))
    cap = (f"Lines: the model's per-platform {outcome}, mean and 2.5-97.5% band across ok runs, "
           f"with day 0 = {res.start_date}. Thick segments: observed values over their reporting "
           "periods (regulator's own figures: noisy targets), platforms mapped by "
           + ", ".join(f"{k}={v}" for k, v in platform_map.items()) + ".")
    return [Figure(fig_id("observed", outcome), title, cap, fig, "Model against observed data")], notes
