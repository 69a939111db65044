"""The report: every figure that applies, self-contained HTML, PNGs."""
from __future__ import annotations

import os
import re

import pytest

from complysim_analysis.figures import parse_platform_map
from complysim_analysis.report import write_report

TS = ["fig-timeseries-self_censorship_rate", "fig-timeseries-over_removal_share",
      "fig-timeseries-takedown_compliance_rate"]
PARAMS = ["fig-params-self_censorship_rate", "fig-params-over_removal_share",
          "fig-params-takedown_compliance_rate"]
HEAT = ["fig-heatmap-self_censorship_rate", "fig-heatmap-over_removal_share",
        "fig-heatmap-takedown_compliance_rate"]
OBS = ["fig-observed-takedown_compliance_rate"]
COMPARE = ["fig-design_comparison-1"]
SOBOL = ["fig-sobol_summary-baseline", "fig-sobol_summary-strict", "fig-sobol-self_censorship_rate",
         "fig-sobol-over_removal_share", "fig-sobol-takedown_compliance_rate_global_social",
         "fig-sobol-takedown_compliance_rate_video_sharing",
         "fig-sobol-takedown_compliance_rate_domestic"]

EXPECTED = {
    "single": TS + OBS,
    "single2": TS + COMPARE + OBS,
    "grid": TS + PARAMS + HEAT + OBS,
    "lhs": TS + PARAMS + OBS,
    "sobol": TS + PARAMS + COMPARE + SOBOL + OBS,
    "nodate": TS,
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_report_figures(files, observed_csv, tmp_path, name):
    path, info = files[name]
    out_dir = tmp_path / "report"
    html_path = write_report(path, str(out_dir), data_csv=observed_csv, bootstrap=50)
    assert html_path == str(out_dir / "report.html")
    text = (out_dir / "report.html").read_text(encoding="utf-8")
    ids = re.findall(r'<figure id="([^"]+)">', text)
    assert sorted(ids) == sorted(EXPECTED[name])
    # One embedded image per figure, one PNG file per figure.
    assert text.count("<img ") == len(ids)
    assert text.count('src="data:image/png;base64,') == len(ids)
    pngs = sorted(f[:-4] for f in os.listdir(out_dir) if f.endswith(".png"))
    assert pngs == sorted(ids)
    for f in os.listdir(out_dir):
        if f.endswith(".png"):
            assert (out_dir / f).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Self-contained: no external assets of any kind.
    assert 'src="http' not in text and "<link" not in text and "<script" not in text
    assert not re.search(r'(src|href)="(?!data:|#)', text)
    # Provenance and the scenario text (HTML-escaped) are included.
    for needle in ("complysim-results", "0123456789abcdef", "GNU 12.2.0", "law.vagueness=0.2",
                   "[simulation]", "&lt;script&gt;&amp;"):
        assert needle in text, needle
    if name == "nodate":
        assert "no start_date" in text
    else:
        assert "Observed platforms without a --platform-map entry, not shown: tiktok" in text


def test_report_without_data_has_no_observed_figure(files, tmp_path):
    write_report(files["single"][0], str(tmp_path), bootstrap=10)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-observed' not in text
    assert 'id="fig-timeseries-takedown_compliance_rate"' in text


def test_report_failed_runs_listed(files, tmp_path):
    write_report(files["single2"][0], str(tmp_path), bootstrap=10)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "synthetic failure" in text and "1 failed" in text


def test_platform_map_parsing():
    assert parse_platform_map("facebook=global_social, google = video_sharing") == {
        "facebook": "global_social", "google": "video_sharing"}
    with pytest.raises(ValueError, match="DATA=MODEL"):
        parse_platform_map("facebook")


def test_design_comparison_skips_outcomes_that_do_not_differ(files):
    """An outcome whose paired differences are all floating-point noise is not
    drawn (it would fill a panel on a 1e-15 axis); the caption names it."""
    import matplotlib.pyplot as plt
    import numpy as np

    from complysim_analysis import figures, load
    from complysim_analysis.stats import no_difference

    res = load(files["single2"][0])
    runs = res.runs
    base = runs[runs["design"] == "baseline"].set_index(["point", "replicate"])["self_censorship_rate"]
    strict = runs["design"] == "strict"
    key = list(zip(runs.loc[strict, "point"], runs.loc[strict, "replicate"]))
    # strict = baseline + noise of a few ulps: no real difference.
    vals = np.array([base.get(k, 0.3) for k in key], dtype=float)
    runs.loc[strict, "self_censorship_rate"] = vals * (1 + 3e-16 * np.arange(1, len(vals) + 1))
    table = figures.design_comparison_table(res)
    row = table[table["outcome"] == "self_censorship_rate"]
    assert 0 < row["max_abs_diff"].iloc[0] < 1e-14
    assert no_difference(row).all()
    assert not no_difference(table[table["outcome"] == "over_removal_share"]).any()
    figs = list(figures.design_comparison_figures(res, table))
    assert len(figs) == 1
    f = figs[0]
    titles = [ax.get_title() for ax in f.figure.axes if ax.get_visible() and ax.get_title()]
    assert not any("(self_censorship_rate)" in t for t in titles)
    assert any("(over_removal_share)" in t for t in titles) and any("(takedown_compliance_rate)" in t for t in titles)
    assert "self_censorship_rate" in f.caption and "zero" in f.caption
    plt.close(f.figure)
    # Nothing differs at all: no figure (the table still lists the zeros).
    for c in [c for n in res.outcomes for c in res.outcomes[n].columns()]:
        runs.loc[strict, c] = [runs[(runs["design"] == "baseline") & (runs["point"] == p)
                                    & (runs["replicate"] == r)][c].mean() for p, r in key]
    assert list(figures.design_comparison_figures(res)) == []


@pytest.mark.parametrize("designs", [("baseline",), ("baseline", "strict")])
def test_summary_table_units_belong_to_their_rows(tmp_path, designs):
    # Every outcome, one design: pandas once sorted the rows while the units kept their order.
    from complysim_analysis.loader import load
    from complysim_analysis.report import summary_table
    import synthetic
    path = str(tmp_path / "all.h5")
    synthetic.write_results(path, "single", designs=designs, replicates=2)
    res = load(path)
    table = summary_table(res)
    assert table.index[0] == "ok runs" and table.loc["ok runs", "unit"] == ""
    for row in table.index[1:]:
        assert table.loc[row, "unit"] == res.outcome_unit(row.split("[")[0]), row


def _visible_text(html_text: str) -> str:
    """The report without its embedded images (base64 may contain any letters)."""
    return re.sub(r'src="data:image/png;base64,[^"]*"', 'src=""', html_text)


def _empty_rate_file(src: str, dst: str) -> None:
    """A copy of ``src`` where takedown_compliance_rate is NaN in every run of the
    second design (a design that sends no takedown request) and the last record
    covers 2 days instead of 14 (a run that ends mid-interval)."""
    import shutil

    import h5py
    import numpy as np

    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        second = f["runs/design"][()] == 1
        for group in ("runs/outcomes", "timeseries"):
            ds = f[f"{group}/takedown_compliance_rate"]
            data = ds[()]
            data[second] = np.nan
            ds[...] = data
            ds.attrs["description"] = ("Takedown requests honoured within the deadline / requests received, "
                                       "per platform (NaN when none received).")
            ds.attrs["label"] = "Takedown compliance"
        day = f["timeseries/day"][()]
        day[-1] = day[-2] + 2
        f["timeseries/day"][...] = day
        if "timeseries/date" in f:
            dates = [str(np.datetime64("2018-01-01") + np.timedelta64(int(d), "D")) for d in day]
            f["timeseries/date"][...] = np.array(dates, dtype=object)


def test_report_has_no_nan_and_explains_empty_panels(files, tmp_path):
    path = str(tmp_path / "empty_rate.h5")
    _empty_rate_file(files["single2"][0], path)
    out_dir = tmp_path / "report"
    write_report(path, str(out_dir), bootstrap=50)
    text = _visible_text((out_dir / "report.html").read_text(encoding="utf-8"))
    assert "NaN" not in text and "nan" not in re.sub(r"<[^>]+>", " ", text).split(), "NaN shown to the reader"
    assert "not defined" in text
    # Levels beside the differences in the comparison table.
    assert "reference (baseline)" in text and "design level" in text and "difference (design - reference)" in text
    # The last, 2-day record is left out and said so.
    assert "The last record covers only 2 days" in text


def test_timeseries_axes_are_dated_and_empty_panels_say_why(files, tmp_path):
    import matplotlib.dates as mdates
    import numpy as np

    from complysim_analysis import figures, load

    path = str(tmp_path / "empty_rate.h5")
    _empty_rate_file(files["single2"][0], path)
    res = load(path)
    seen = 0
    for fig in figures.timeseries_figures(res):
        for ax in fig.figure.axes:
            if not ax.get_visible():
                continue
            lo, hi = ax.get_xlim()
            years = {mdates.num2date(v).year for v in (lo, hi)}
            assert 1970 not in years, (fig.id, ax.get_title(), years)
            labels = [t.get_text() for t in ax.get_xticklabels()] + [ax.xaxis.get_offset_text().get_text()]
            assert not any("1970" in t for t in labels), (fig.id, labels)
            if fig.id == "fig-timeseries-takedown_compliance_rate" and "strict" in ax.get_title():
                texts = [t.get_text() for t in ax.texts]
                assert any("not defined in any of" in t and "no requests received" in t for t in texts), texts
                seen += 1
            # Each panel title counts the runs of that panel, not of the file.
            if "ok runs" in ax.get_title():
                n = int(re.search(r"(\d+) ok runs", ax.get_title()).group(1))
                design = re.search(r"design: (\w+)", ax.get_title())
                if design:
                    assert n == int(((res.runs["design"] == design.group(1)) & (res.runs["status"] == 0)).sum())
        fig.render()
    assert seen == 1
    assert figures.partial_last_record(res) == 2
    # A rate built on few events (values 0 or 1 in most runs) is flagged thin.
    sel = np.array([[0.0, 1.0, 0.7], [1.0, 0.0, 0.72], [1.0, 1.0, 0.69]])
    assert figures.thin_records(sel, "share").tolist() == [True, True, False]
    assert not figures.thin_records(sel, "items/user/day").any()


def test_sobol_remarks_in_the_report_table(files):
    from complysim_analysis import figures, load

    res = load(files["sobol"][0])
    table = figures.sobol_table(res, bootstrap=50)
    assert "remark" in table.columns
    # 64 base rows of a smooth synthetic function: mostly clean, every row has a string remark.
    assert table["remark"].map(lambda r: isinstance(r, str)).all()
