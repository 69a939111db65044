"""Calibration of a timeline scenario to reported takedown compliance.

The scorer is separate from the runner so it can be tested on synthetic data:

    targets = read_targets("data/vietnam_platform_compliance_2017_2020.csv")
    table = period_table(dates, series, targets)     # model mean per observed period
    total = score(table)                             # weighted sum of squared errors

`series` maps a model platform name to an array [runs, records] of its
``takedown_compliance_rate`` time series; ``dates`` are the record dates
(``/timeseries/date``: the last day of each record interval). A period's model
value is the mean, over runs, of the mean of the records whose date falls in
[period_start, period_end + record interval) — records are interval means, so
a record ending up to ``record_every_days - 1`` days after the period's end
still mostly lies inside it. NaN records (weeks without requests) are skipped.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .textfile import check_text_file

DEFAULT_PLATFORM_MAP = {"facebook": "global_social", "google": "video_sharing", "youtube": "video_sharing"}
METRIC = "takedown_compliance_rate"


def read_targets(path: str, platform_map: Mapping[str, str] | None = None, metric: str = METRIC,
                 until: str = "2020-12-31") -> pd.DataFrame:
    """Observed rows of ``metric`` that end on or before ``until``, with the
    model platform each maps to (``model_platform``). Duplicate model
    platform and period rows (YouTube and Google for 2020) are averaged.
    Columns: model_platform, period_start, period_end, value, platforms (the
    data names averaged)."""
    pmap = dict(DEFAULT_PLATFORM_MAP if platform_map is None else platform_map)
    check_text_file(path)  # a regular file of at most 256 MiB
    df = pd.read_csv(path)
    df = df[df["metric"] == metric].copy()
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = pd.to_datetime(df["period_end"])
    df = df[df["period_end"] <= pd.Timestamp(until)]
    df["model_platform"] = df["platform"].map(pmap)
    df = df.dropna(subset=["model_platform"])
    # Rows for one model platform that overlap (Google Jan-Oct 2020 and YouTube 2020) are one target.
    out = (df.groupby(["model_platform", "period_start"], sort=True)
             .agg(period_end=("period_end", "max"), value=("value", "mean"),
                  platforms=("platform", lambda s: "+".join(sorted(set(s)))))
             .reset_index())
    return out[["model_platform", "period_start", "period_end", "value", "platforms"]]


def period_table(dates: np.ndarray, series: Mapping[str, np.ndarray], targets: pd.DataFrame,
                 record_days: int = 7, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Model mean per target period.

    dates: [records] datetime64 (last day of each record interval).
    series: model platform -> array [runs, records] (or [records]).
    Returns the targets with columns model (mean over runs of each run's
    period mean), model_sd (across runs), n_records, error (model - value),
    weight and sq_error (weight * error^2). A period with no finite record
    gets model NaN.
    """
    dates = pd.to_datetime(np.asarray(dates)).to_numpy()
    rows = []
    for _, t in targets.iterrows():
        y = np.asarray(series[t["model_platform"]], dtype=float)
        if y.ndim == 1:
            y = y[None, :]
        end = t["period_end"] + pd.Timedelta(days=record_days - 1)
        sel = (dates >= t["period_start"].to_datetime64()) & (dates <= end.to_datetime64())
        with np.errstate(all="ignore"):
            block = y[:, sel]
            per_run = np.array([np.nanmean(r) if np.isfinite(r).any() else np.nan for r in block])
        finite = per_run[np.isfinite(per_run)]
        model = float(finite.mean()) if finite.size else float("nan")
        sd = float(finite.std(ddof=1)) if finite.size > 1 else float("nan")
        w = 1.0 if weights is None else float(weights.get(t["model_platform"], 1.0))
        err = model - float(t["value"])
        rows.append({**t.to_dict(), "model": model, "model_sd": sd, "n_records": int(sel.sum()),
                     "error": err, "weight": w, "sq_error": w * err * err})
    return pd.DataFrame(rows)


def score(table: pd.DataFrame, missing_penalty: float = 1.0) -> float:
    """Weighted sum of squared errors over the periods; a period the model
    leaves undefined (NaN) costs ``missing_penalty`` (the worst possible
    squared error of a share)."""
    sq = table["sq_error"].to_numpy(dtype=float)
    w = table["weight"].to_numpy(dtype=float)
    return float(np.where(np.isfinite(sq), sq, missing_penalty * w).sum())


def series_from_results(res, outcome: str = METRIC) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(dates, platform -> [runs, records]) from a loaded results file (ok runs only)."""
    data, platforms = res.timeseries_array(outcome)
    ok = (res.runs["status"] == 0).to_numpy()
    data = data[ok]
    return res.dates, {p: data[:, :, j] for j, p in enumerate(platforms or [])}
