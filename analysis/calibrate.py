#!/usr/bin/env python3
"""Calibrate scenarios/vietnam_2018_2020.toml to the ministry's reported
takedown compliance (data/vietnam_platform_compliance_2017_2020.csv, 2018-2020).

    PYTHONPATH=analysis /usr/bin/python3 analysis/calibrate.py [--points 48] [--replicates 2]
        [--users 10000] [--jobs 2] [--seed 1] [-o calibration.csv] [--check]

A Latin hypercube over the free parameters (PARAMETERS below), each point run
with `complysim run --set ...` for --replicates replicates (common seeds across
points), scored by complysim_analysis.calibration.score (sum of squared errors
of the per-period model means against the observed values). Prints the best
points and writes every point with its score to the CSV. --check runs only the
scenario as written (its recorded fitted values) at --replicates and prints
the error per platform and period (the table of docs/calibration.md).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from complysim_analysis import load  # noqa: E402
from complysim_analysis.calibration import period_table, read_targets, score, series_from_results  # noqa: E402

SCENARIO = os.path.join(ROOT, "scenarios", "vietnam_2018_2020.toml")
DATA = os.path.join(ROOT, "data", "vietnam_platform_compliance_2017_2020.csv")

# Free parameters: dotted name(s) set together, range, log scale?
PARAMETERS = [
    (["platforms.global_social.reputation_weight"], 1.0, 100.0, True),
    (["platforms.video_sharing.reputation_weight"], 0.5, 50.0, True),
    (["platforms.global_social.rationality", "platforms.video_sharing.rationality"], 5.0, 300.0, True),
    (["platforms.global_social.learning_rate", "platforms.video_sharing.learning_rate"], 0.05, 0.5, False),
    (["platform.prior_credibility"], 0.01, 0.5, True),
    (["platform.credibility_learning"], 0.05, 0.6, False),
    (["regulator.escalation_credibility"], 0.05, 0.6, False),
]


# The quick start (.ci/setup-and-run, the release preset) builds build/release/;
# a plain `cmake -S . -B build` builds build/.
DEFAULT_BINARIES = [os.path.join(ROOT, "build", "release", "sim", "complysim"),
                    os.path.join(ROOT, "build", "sim", "complysim")]


class CalibrationError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def find_binary(given: str | None) -> str:
    if given is not None:
        if not os.path.isfile(given):
            raise CalibrationError(f"--binary {given}: no such file")
        if not os.access(given, os.X_OK):
            raise CalibrationError(f"--binary {given}: not executable")
        return given
    for b in DEFAULT_BINARIES:
        if os.path.isfile(b) and os.access(b, os.X_OK):
            return b
    raise CalibrationError(
        "no complysim binary found at " + " or ".join(os.path.relpath(b, ROOT) for b in DEFAULT_BINARIES)
        + " (build it first: `bash .ci/setup-and-run`, or `cmake --preset release && "
        "cmake --build --preset release -j2`), or pass --binary PATH")


def lhs(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """n points of a Latin hypercube on [0, 1)^d."""
    u = (rng.random((n, d)) + np.arange(n)[:, None]) / n
    for j in range(d):
        u[:, j] = u[rng.permutation(n), j]
    return u


def to_values(u: np.ndarray) -> dict[str, float]:
    out = {}
    for (names, lo, hi, log), x in zip(PARAMETERS, u):
        v = float(np.exp(np.log(lo) + x * (np.log(hi) - np.log(lo)))) if log else lo + x * (hi - lo)
        for n in names:
            out[n] = round(v, 4)
    return out


_last_series: list = []


def run_point(binary: str, values: dict[str, float], replicates: int, users: int, extra: list[str]) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "point.h5")
        cmd = [binary, "run", SCENARIO, "--quiet", "--threads", "1", "--replicates", str(replicates), "-o", out,
               "--set", f"population.users={users}"]
        for k, v in values.items():
            cmd += ["--set", f"{k}={v}"]
        cmd += extra
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            msg = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise CalibrationError(f"complysim run failed (exit {done.returncode}): {msg}")
        res = load(out)
        dates, series = series_from_results(res)
        _last_series[:] = [dates, series]
        return period_table(dates, series, read_targets(DATA))


def main(argv=None) -> int:
    try:
        return _main(argv)
    except CalibrationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=None,
                   help="the complysim binary (default: the first that exists of "
                        + ", ".join(os.path.relpath(b, ROOT) for b in DEFAULT_BINARIES) + ")")
    p.add_argument("--points", type=int, default=48)
    p.add_argument("--replicates", type=int, default=2)
    p.add_argument("--users", type=int, default=10000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--set", action="append", default=[], help="extra NAME=VALUE for every run")
    p.add_argument("-o", "--output", default="calibration.csv")
    p.add_argument("--check", action="store_true", help="score the scenario as written and print the period table")
    a = p.parse_args(argv)
    extra = [x for s in a.set for x in ("--set", s)]
    found = find_binary(a.binary)
    print(f"using {os.path.relpath(found) if a.binary is not None else os.path.relpath(found, ROOT)}",
          file=sys.stderr, flush=True)
    for path, what in ((SCENARIO, "scenario"), (DATA, "data file")):
        if not os.path.isfile(path):
            raise CalibrationError(f"{path}: no such {what}")
    # Run a private copy of the binary, so a rebuild during a long search does not break it.
    tmpdir = tempfile.mkdtemp(prefix="complysim-calibrate-")
    binary = os.path.join(tmpdir, "complysim")
    shutil.copy2(found, binary)
    a.binary = binary
    try:
        return _run(a, extra)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _run(a, extra: list[str]) -> int:
    if a.check:
        t = run_point(a.binary, {}, a.replicates, a.users, extra)
        cols = ["model_platform", "platforms", "period_start", "period_end", "value", "model", "model_sd", "error"]
        print(t[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print(f"score (sum of squared errors): {score(t):.4f}")
        print("\nreported levels the fit must reproduce (model means over the stated windows):")
        bars = pd.DataFrame({
            "model_platform": ["global_social", "global_social", "global_social", "video_sharing"],
            "period_start": pd.to_datetime(["2018-01-01", "2019-11-01", "2020-04-06", "2019-10-01"]),
            "period_end": pd.to_datetime(["2019-06-30", "2019-11-30", "2020-12-31", "2020-12-31"]),
            "value": [0.40, 0.70, 0.85, 0.80], "platforms": ["<0.40", "0.55-0.85", ">=0.85", ">=0.80"]})
        limits = {"<0.40": (-np.inf, 0.40), "0.55-0.85": (0.55, 0.85), ">=0.85": (0.85, np.inf),
                  ">=0.80": (0.80, np.inf)}
        b = period_table(*_last_series, bars)
        for _, r in b.iterrows():
            lo, hi = limits[r["platforms"]]
            ok = (lo <= r["model"] <= hi) if r["platforms"] != "<0.40" else r["model"] < hi
            print(f"  {r['model_platform']:14s} {r['period_start']:%Y-%m-%d}..{r['period_end']:%Y-%m-%d}  "
                  f"model {r['model']:.3f}  required {r['platforms']:9s} {'met' if ok else 'NOT met'}")
        return 0
    rng = np.random.default_rng(a.seed)
    U = lhs(a.points, len(PARAMETERS), rng)
    points = [to_values(u) for u in U]
    rows = []
    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(run_point, a.binary, v, a.replicates, a.users, extra): i for i, v in enumerate(points)}
        for f in cf.as_completed(futs):
            i = futs[f]
            t = f.result()
            row = {"point": i, **points[i], "score": score(t)}
            for _, r in t.iterrows():
                row[f"{r['model_platform']}@{r['period_start']:%Y-%m}"] = r["model"]
            rows.append(row)
            pd.DataFrame(rows).sort_values("score").to_csv(a.output, index=False)
            print(f"point {i:3d}: score {row['score']:.4f}", file=sys.stderr, flush=True)
    df = pd.DataFrame(rows).sort_values("score")
    df.to_csv(a.output, index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        print(df.head(8).to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
