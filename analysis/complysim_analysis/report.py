"""The HTML report: PNG figures plus one self-contained ``report.html``
(images base64-embedded, provenance and scenario text included, no external
assets), and the outcome summary table used by ``summary``."""
from __future__ import annotations

import base64
import datetime as _dt
import html
import os
import warnings
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import __version__, figures, stats
from .loader import STATUS_NAMES, STATUS_OK, Results, load

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto;
       max-width: 1500px; padding: 0 1.5em; color: #111; line-height: 1.45; font-size: 17px; }
h1 { font-size: 1.9em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 15px; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eef3f8; }
pre { background: #f5f5f5; padding: 1em; overflow-x: auto; font-size: 14px; border: 1px solid #ddd; }
figure { margin: 2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 15px; color: #333; max-width: 1200px; }
.note { background: #fff6e0; border-left: 4px solid #E69F00; padding: .5em 1em; }
nav ul { columns: 2; }
div.wide { overflow-x: auto; }
td small { color: #555; }
"""


#: What an empty cell says (never "NaN"): see the notes under each table for why.
UNDEFINED = "not defined"


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return UNDEFINED if np.isnan(v) else str(v)
        return f"{v:.{digits}g}"
    return str(v)


def plain(text: str) -> str:
    """A definition for readers: the file's "(NaN when ...)" reads "(not defined when ...)"."""
    return text.replace("NaN", UNDEFINED)


def _level(values: np.ndarray, unit: str = "", digits: int = 4) -> str:
    """ "mean [lo, hi]" (95% t CI, clipped as _clip_share) of the finite values, or "not defined"."""
    m, lo, hi, n = stats.mean_ci(values)
    lo, hi = _clip_share(lo, hi, unit)
    if n == 0:
        return UNDEFINED
    if n == 1 or not np.isfinite(lo):
        return f"{m:.{digits}g} (1 run)"
    return f"{m:.{digits}g}\n[{lo:.3g}, {hi:.3g}]"


def _clip_share(text_lo: float, text_hi: float, unit: str) -> tuple[float, float]:
    """An interval clipped to the values the unit allows: [0, 1] for shares and
    probabilities, >= 0 for codes and levels (as `complysim run` clips them)."""
    if unit in ("share", "probability", "0/1"):
        return max(text_lo, 0.0), min(text_hi, 1.0)
    if unit in ("code", "level"):
        return max(text_lo, 0.0), text_hi
    return text_lo, text_hi


def levels_table(res: Results) -> pd.DataFrame:
    """One row per outcome column: label, name, unit, and per design the mean with its
    95% t CI over ok runs (intervals of shares clipped to [0, 1]), "not defined" where no
    run has a value; the label, unit and description come from the file."""
    ok = res.ok_runs
    designs = [d for d in res.design_names if (res.runs["design"] == d).any()]
    rows = []
    for name in figures.ordered(list(res.outcomes)):
        unit = res.outcome_unit(name)
        for c in res.outcomes[name].columns():
            plat = c[len(name) + 1:-1] if res.outcomes[name].per_platform else ""
            row = {"outcome": res.outcome_label(name) + (f" [{plat}]" if plat else "") + f"\n{c}", "unit": unit}
            for d in designs:
                v = ok.loc[ok["design"] == d, c].to_numpy(float)
                m, lo, hi, n = stats.mean_ci(v)
                if n == 0:
                    row[d] = UNDEFINED
                elif n == 1 or not np.isfinite(lo):
                    row[d] = f"{m:.4g} (1 run)"
                else:
                    lo, hi = _clip_share(lo, hi, unit)
                    row[d] = f"{m:.4g}\n[{lo:.3g}, {hi:.3g}]"
            rows.append(row)
    return pd.DataFrame(rows)


def comparison_levels_table(res: Results, comparison: pd.DataFrame) -> pd.DataFrame:
    """The paired comparison with the levels beside the differences: per (design,
    outcome column) the reference and the design mean over the pairs, each with its
    95% t CI, the paired difference with its CI, and the pairs used."""
    if comparison.empty:
        return comparison
    ok = res.ok_runs
    key = ["point", "replicate"]
    rows = []
    for _, r in comparison.iterrows():
        col, d, base = r["outcome"], r["design"], r["baseline"]
        a = ok.loc[ok["design"] == base, key + [col]].rename(columns={col: "y0"})
        b = ok.loc[ok["design"] == d, key + [col]].rename(columns={col: "y1"})
        pairs = a.merge(b, on=key)
        pairs = pairs[np.isfinite(pairs["y0"]) & np.isfinite(pairs["y1"])]
        name = col.split("[")[0]
        plat = col[len(name) + 1:-1] if "[" in col else ""
        diff = UNDEFINED
        if r["n_pairs"] >= 2 and np.isfinite(r["diff_low"]):
            star = " *" if r["diff_low"] > 0 or r["diff_high"] < 0 else ""
            diff = f"{r['diff']:.4g}{star}\n[{r['diff_low']:.3g}, {r['diff_high']:.3g}]"
        elif r["n_pairs"] == 1:
            diff = f"{r['diff']:.4g} (1 pair)"
        rows.append({"design": d, "outcome": res.outcome_label(name) + (f" [{plat}]" if plat else "") + f"\n{col}",
                     "unit": res.outcome_unit(name),
                     f"reference ({base})": _level(pairs["y0"].to_numpy(), res.outcome_unit(name))
                     if len(pairs) else UNDEFINED,
                     "design level": _level(pairs["y1"].to_numpy(), res.outcome_unit(name)) if len(pairs) else UNDEFINED,
                     "difference (design - reference)": diff, "pairs": int(r["n_pairs"])})
    return pd.DataFrame(rows)


def _html_table(df: pd.DataFrame, digits: int = 4) -> str:
    if df.empty:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for v in row:
            num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{html.escape(_fmt(v, digits)).replace(chr(10), '<br>')}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table></div>")


def summary_table(res: Results) -> pd.DataFrame:
    """Mean of every outcome column over ok runs, by design (columns), with
    the number of ok runs as the first row."""
    ok = res.ok_runs
    designs = [d for d in res.design_names if (res.runs["design"] == d).any()]
    cols = [c for n in figures.ordered(list(res.outcomes)) for c in res.outcomes[n].columns()]
    data = {}
    for d in designs:
        sub = ok[ok["design"] == d]
        vals = {"ok runs": float(len(sub))}
        for c in cols:
            vals[c] = float(sub[c].mean()) if len(sub) else np.nan
        data[d] = vals
    rows = ["ok runs"] + cols
    # Explicit row order: from a dict of dicts pandas may sort the rows (it does with one design).
    table = pd.DataFrame(data, index=rows)
    table.insert(0, "unit", [""] + [res.outcome_unit(c.split("[")[0]) for c in cols])
    table.index.name = "outcome"
    return table


def _provenance_rows(res: Results) -> pd.DataFrame:
    rows = []
    for k, v in res.provenance.items():
        if k == "scenario_toml":
            continue
        if isinstance(v, list):
            v = "; ".join(str(x) for x in v) if v else "(none)"
        rows.append((k, str(v)))
    return pd.DataFrame(rows, columns=["attribute", "value"])


def build_figures(res: Results, observed: pd.DataFrame | None = None,
                  platform_map: dict[str, str] | None = None, bootstrap: int = 1000,
                  seed: int = 0) -> tuple[list[figures.Figure], dict[str, pd.DataFrame], list[str]]:
    """Every figure that applies to the file, the tables behind them, notes."""
    notes: list[str] = []
    figs: list[figures.Figure] = []

    def add(new) -> None:
        for f in new:  # render and close at once: one open figure at a time
            f.render()
            figs.append(f)

    with plt.rc_context(figures.STYLE), warnings.catch_warnings():
        # All-NaN records (undefined rates) are expected; they leave gaps.
        warnings.filterwarnings("ignore", message="All-NaN", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
        add(figures.timeseries_figures(res))
        add(figures.parameter_figures(res, seed=seed))
        add(figures.heatmap_figures(res))
        comparison = figures.design_comparison_table(res)
        add(figures.design_comparison_figures(res, comparison))
        sobol = figures.sobol_table(res, bootstrap=bootstrap, seed=seed)
        add(figures.sobol_figures(res, sobol))
        obs_figs, obs_notes = figures.observed_figures(res, observed, platform_map)
        add(obs_figs)
        notes += obs_notes
    return figs, {"comparison": comparison, "sobol": sobol}, notes


def write_report(path: str, out_dir: str, data_csv: str | None = None,
                 platform_map: dict[str, str] | None = None, bootstrap: int = 1000,
                 seed: int = 0, check_platform_map: bool = False) -> str:
    """Write ``out_dir/*.png`` and ``out_dir/report.html``; return the HTML path.

    check_platform_map: raise ValueError when a ``platform_map`` entry names a
    model platform that the file does not have (the command line does this
    for an explicit --platform-map; the default map only leaves a note)."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"{out_dir}: exists and is not a directory; -o names the directory "
                         "for report.html and the PNGs")
    res = load(path)
    observed = figures.read_observed(data_csv) if data_csv else None
    if platform_map is not None and check_platform_map:
        figures.check_platform_map(res, platform_map)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as err:
        raise ValueError(f"{out_dir}: cannot create the output directory "
                         f"({err.strerror or err})") from None
    if not os.access(out_dir, os.W_OK):
        raise ValueError(f"{out_dir}: output directory not writable")
    figs, tables, notes = build_figures(res, observed, platform_map, bootstrap, seed)
    if data_csv and observed is not None and observed.empty:
        notes.append(f"{data_csv}: no row with metric takedown_compliance_rate.")

    parts: list[str] = []
    esc = html.escape
    n = len(res.runs)
    status_counts = res.runs["status"].value_counts()
    status_text = ", ".join(f"{int(status_counts.get(s, 0))} {name}" for s, name in STATUS_NAMES.items())
    kind = res.design.get("kind", "single")
    designs = res.design_names
    parts.append(f"<h1>complysim report: {esc(os.path.basename(path))}</h1>")
    facts = pd.DataFrame([
        ("file", os.path.abspath(path)),
        ("design kind", kind + (f" (N = {res.design.get('sobol_base_samples')} base samples)"
                                if kind == "sobol" else "")),
        ("decree designs", ", ".join(designs)),
        ("swept parameters", ", ".join(res.params) or "(none)"),
        ("runs", f"{n}: {status_text}"),
        ("records", f"{len(res.days)}" + (f", days {res.days[0]}..{res.days[-1]}" if len(res.days) else "")),
        ("start_date", res.start_date or "(none: days only)"),
        ("report written", f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M UTC} by "
                           f"complysim_analysis {__version__}"),
    ], columns=["", ""])
    parts.append(_html_table(facts))
    for note in notes:
        parts.append(f'<p class="note">{esc(note)}</p>')
    if (res.runs["status"] != STATUS_OK).any():
        bad = res.runs[res.runs["status"] != STATUS_OK][["run", "design", "point", "replicate",
                                                         "status_name", "message"]]
        parts.append(f'<p class="note">{len(bad)} run(s) not ok are left out of every figure '
                     "and table.</p>")

    # Table of contents.
    toc = ['<li><a href="#provenance">Provenance</a></li>', '<li><a href="#summary">Outcome summary</a></li>']
    if not tables["comparison"].empty:
        toc.append('<li><a href="#comparison">Design comparison table</a></li>')
    if not tables["sobol"].empty:
        toc.append('<li><a href="#sobol-table">Sobol indices table</a></li>')
    for f in figs:
        toc.append(f'<li><a href="#{f.id}">{esc(f.title)}</a></li>')
    toc.append('<li><a href="#scenario">Scenario</a></li>')
    parts.append("<nav><h2>Contents</h2><ul>" + "".join(toc) + "</ul></nav>")

    parts.append('<h2 id="provenance">Provenance</h2>')
    parts.append(_html_table(_provenance_rows(res)))
    if (res.runs["status"] != STATUS_OK).any():
        parts.append("<h3>Runs not ok</h3>" + _html_table(bad.head(50)))

    parts.append('<h2 id="summary">Outcome summary</h2>')
    parts.append("<p>Mean and 95% Student-t CI of each run's summary value over the ok runs of each "
                 "decree design (intervals of shares clipped to [0, 1]). <i>not defined</i>: no run of "
                 "that design has a value, because the rate's denominator is zero (for example no "
                 "takedown request under a design without enforcement).</p>")
    parts.append(_html_table(levels_table(res)))
    parts.append("<h3>What each outcome measures</h3>")
    parts.append(_html_table(pd.DataFrame(
        [(res.outcome_label(n), n, res.outcome_unit(n), plain(res.outcome_description(n)))
         for n in figures.ordered(list(res.outcomes))], columns=["outcome", "name", "unit", "definition"])))
    if not tables["comparison"].empty:
        parts.append('<h2 id="comparison">Decree-design comparison (paired)</h2>')
        parts.append("<p>Runs paired by (point, replicate): common random numbers. Levels: mean and "
                     "95% t CI over the pairs used; difference = design - reference with its paired 95% t "
                     "CI, * where it excludes 0. <i>not defined</i>: no pair has the value in both designs "
                     "(a rate without events in one of them).</p>")
        parts.append(_html_table(comparison_levels_table(res, tables["comparison"])))
    if not tables["sobol"].empty:
        parts.append('<h2 id="sobol-table">Sobol indices</h2>')
        parts.append("<p>First order: Saltelli (2010); total order: Jansen (1999); replicates "
                     f"averaged per sample; 95% bootstrap percentile CIs ({bootstrap} resamples, "
                     f"seed {seed}); n = base rows used. Remarks as <code>complysim analyze</code>: "
                     "\"noise dominates\" where an interval is wider than the index (or the estimate is "
                     "outside [0, 1] beyond it), \"not converged\" where N/2 and N differ by more than "
                     "0.05, no index for a (nearly) constant outcome. <i>not defined</i>: no index "
                     "(see the remark).</p>")
        parts.append(_html_table(tables["sobol"], digits=3))

    section = None
    for f in figs:
        if f.section != section:
            section = f.section
            parts.append(f"<h2>{esc(section)}</h2>")
        png = f.render()
        with open(os.path.join(out_dir, f"{f.id}.png"), "wb") as fh:
            fh.write(png)
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(f'<figure id="{f.id}"><img alt="{esc(f.title)}" '
                     f'src="data:image/png;base64,{b64}"><figcaption><b>{esc(f.title)}.</b> '
                     f"{esc(f.caption)}</figcaption></figure>")

    parts.append('<h2 id="scenario">Scenario (resolved TOML stored in the file)</h2>')
    parts.append(f"<pre>{esc(res.scenario_toml) or '(not stored)'}</pre>")

    doc = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           f"<title>complysim report: {esc(os.path.basename(path))}</title>"
           f"<style>{CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
    out = os.path.join(out_dir, "report.html")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return out


def figure_ids(figs: Sequence[figures.Figure]) -> list[str]:
    return [f.id for f in figs]
