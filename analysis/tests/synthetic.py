"""Synthetic complysim results files, written with h5py exactly as in the
HDF5 layout of issue 3 / docs/output-format.md, for the tests.

The outcomes are made-up smooth functions of the swept parameters plus noise
keyed by (point, replicate), so decree designs share random numbers like the
simulator's common random numbers. For ``kind="sobol"`` the outcome
``self_censorship_rate`` is the Ishigami function of the three swept
parameters (each on [-pi, pi]) without noise, so its Sobol indices are known.
"""
from __future__ import annotations

import math
from typing import Sequence

import h5py
import numpy as np

from complysim_analysis.stats import saltelli_sample

SCALAR_OUTCOMES = ["self_censorship_rate", "lawful_self_censorship_rate", "silenced_user_share",
                   "posted_per_user_day", "takedown_requests", "over_removal_share",
                   "unlawful_visible_share", "users_sanctioned_per_100k", "mean_perceived_risk"]
PLATFORM_OUTCOMES = ["takedown_compliance_rate", "data_request_compliance_rate", "platform_status",
                     "platform_localized", "escalation_level", "platform_revenue"]
UNITS = {"posted_per_user_day": "items/user/day", "takedown_requests": "requests/day",
         "users_sanctioned_per_100k": "sanctions/day/100k users", "mean_perceived_risk": "probability",
         "platform_status": "code", "platform_localized": "0/1", "escalation_level": "level",
         "platform_revenue": "relative/day"}
PLATFORMS = ["global_social", "video_sharing", "domestic"]
ISHIGAMI_PARAMS = ["law.vagueness", "regulator.monitoring_rate",
                   "platforms.global_social.reputation_weight"]

STR = h5py.string_dtype("utf-8")

SCENARIO = """[simulation]
days = 364
start_date = "{start}"
seed = 7
replicates = {reps}

[law]
vagueness = 0.15

[[platforms]]
name = "global_social"
"""


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _design_samples(kind: str, params: Sequence[str], n: int, seed: int):
    d = len(params)
    if kind == "single":
        return np.zeros((1, 0)), np.array([-1], dtype=np.int8)
    if kind == "grid":
        levels = [np.linspace(0.0, 0.4, 4), np.linspace(0.01, 0.2, 3)][:d]
        mesh = np.meshgrid(*levels, indexing="ij")
        samples = np.column_stack([m.ravel() for m in mesh])
        return samples, np.full(len(samples), -1, dtype=np.int8)
    if kind == "lhs":
        rng = np.random.default_rng(seed)
        cols = [(rng.permutation(n) + rng.random(n)) / n for _ in range(d)]
        samples = np.column_stack(cols) * 0.4
        return samples, np.full(n, -1, dtype=np.int8)
    if kind == "sobol":
        return saltelli_sample(n, [(-math.pi, math.pi)] * d, seed=seed)
    raise ValueError(kind)


def write_results(path, kind: str = "single", *, designs: Sequence[str] = ("baseline",),
                  replicates: int = 3, params: Sequence[str] | None = None, n: int = 16,
                  records: int = 26, start_date: str = "2018-01-01", seed: int = 7,
                  fail_runs: Sequence[int] = (), design_effect: float = 0.05,
                  noise: float | None = None, scalar_outcomes: Sequence[str] | None = None,
                  platform_outcomes: Sequence[str] | None = None) -> dict:
    """Write a synthetic results file; returns a dict of what was written
    (runs, samples, params, ...) for the tests to compare against."""
    if params is None:
        params = {"single": [], "grid": ["law.vagueness", "regulator.monitoring_rate"],
                  "lhs": ["law.vagueness", "platforms.global_social.reputation_weight"],
                  "sobol": ISHIGAMI_PARAMS}[kind]
    params = list(params)
    samples, block = _design_samples(kind, params, n, seed)
    n_samples = len(samples)
    if noise is None:
        noise = 0.0 if kind == "sobol" else 0.02
    # Run order: design-major, then sample, then replicate (any order is allowed).
    point = np.repeat(np.tile(np.arange(n_samples), len(designs)), replicates)
    design_idx = np.repeat(np.arange(len(designs)), n_samples * replicates)
    replicate = np.tile(np.arange(replicates), n_samples * len(designs))
    n_runs = len(point)
    status = np.zeros(n_runs, dtype=np.int8)
    for r in fail_runs:
        status[r] = 1
    x = samples[point] if len(params) else np.zeros((n_runs, 0))
    # Common random numbers: the noise depends on (point, replicate) only.
    crn = np.array([np.random.default_rng([seed, int(p), int(r)]).standard_normal(4)
                    for p, r in zip(point, replicate)])
    base = 0.3 + (0.8 * x[:, 0] if x.shape[1] else 0.0) + (0.5 * x[:, 1] if x.shape[1] > 1 else 0.0)
    if kind == "sobol":
        base = ishigami(x)
    effect = design_effect * design_idx
    scalar = {}
    for k, name in enumerate(SCALAR_OUTCOMES if scalar_outcomes is None else scalar_outcomes):
        scalar[name] = base * (1 + 0.1 * k) + effect + noise * crn[:, k % 4]
    per_platform = {}
    for k, name in enumerate(PLATFORM_OUTCOMES if platform_outcomes is None else platform_outcomes):
        cols = [np.clip(0.2 + 0.2 * j + 0.5 * np.tanh(base) + effect + noise * crn[:, j], 0, 1)
                for j in range(len(PLATFORMS))]
        per_platform[name] = np.column_stack(cols)
    if "platform_status" in per_platform:
        per_platform["platform_status"] = np.round(per_platform["platform_status"] * 3)
    # An undefined value (zero denominator): NaN in one run.
    if "over_removal_share" in scalar:
        scalar["over_removal_share"][min(1, n_runs - 1)] = np.nan
    for r in fail_runs:
        for v in scalar.values():
            v[r] = np.nan
        for v in per_platform.values():
            v[r, :] = np.nan

    days = np.arange(1, records + 1, dtype=np.int64) * 14 - 1
    t = np.linspace(0, 1, records)
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "complysim-results"
        f.attrs["format_version"] = np.int64(1)
        f.attrs["complysim_version"] = "0.1.0"
        f.attrs["git_commit"] = "0123456789abcdef"
        f.attrs["scenario_toml"] = SCENARIO.format(start=start_date, reps=replicates) + "<script>&"
        f.attrs.create("overrides", np.array(["law.vagueness=0.2"], dtype=object), dtype=STR)
        f.attrs["command_line"] = "complysim sweep synthetic.toml -o out.h5"
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["start_date"] = start_date
        f.attrs["created_utc"] = "2024-01-01T00:00:00Z"
        f.attrs["compiler"] = "GNU 12.2.0"
        f.attrs["library_versions"] = "HDF5 1.10.8; oneTBB 2021.8"

        g = f.create_group("runs")
        g["point"] = point.astype(np.int64)
        g["replicate"] = replicate.astype(np.int64)
        g["seed"] = np.full(n_runs, seed, dtype=np.uint64)
        g["status"] = status
        g["design"] = design_idx.astype(np.int64)
        msgs = ["" if s == 0 else "model error: synthetic failure" for s in status]
        g.create_dataset("message", data=np.array(msgs, dtype=object), dtype=STR)
        pg = g.create_group("params")
        for j, name in enumerate(params):
            pg[name] = x[:, j].astype(float)
        og = g.create_group("outcomes")
        tg = f.create_group("timeseries")
        tg["day"] = days
        if start_date:
            dates = [str(np.datetime64(start_date) + np.timedelta64(int(dd), "D")) for dd in days]
            tg.create_dataset("date", data=np.array(dates, dtype=object), dtype=STR)
        for name, v in scalar.items():
            ds = og.create_dataset(name, data=v)
            ds.attrs["unit"] = UNITS.get(name, "share")
            ds.attrs["description"] = f"synthetic {name}"
            ts = v[:, None] * (0.5 + 0.5 * t[None, :]) + 0.01 * crn[:, :1] * np.sin(8 * t)[None, :]
            tg[name] = ts
        plat_attr = np.array(PLATFORMS, dtype=object)
        for name, v in per_platform.items():
            ds = og.create_dataset(name, data=v)
            ds.attrs.create("platforms", plat_attr, dtype=STR)
            ds.attrs["unit"] = UNITS.get(name, "share")
            ds.attrs["description"] = f"synthetic {name}"
            ts = v[:, None, :] * (0.4 + 0.6 * t[None, :, None] ** 0.5)
            tds = tg.create_dataset(name, data=ts)
            tds.attrs.create("platforms", plat_attr, dtype=STR)

        dg = f.create_group("design")
        dg.attrs["kind"] = kind
        dg.attrs["sobol_base_samples"] = np.int64(n if kind == "sobol" else 0)
        dg.attrs["replicates"] = np.int64(replicates)
        dg.create_dataset("names", data=np.array(list(designs), dtype=object), dtype=STR)
        settings = ["" if i == 0 else '{"law.vagueness" = 0.3}' for i in range(len(designs))]
        dg.create_dataset("settings", data=np.array(settings, dtype=object), dtype=STR)
        dg.create_dataset("parameters", data=np.array(params, dtype=object), dtype=STR)
        dg["samples"] = samples.astype(float)
        dg["block"] = block.astype(np.int8)
    return {"n_runs": n_runs, "n_samples": n_samples, "params": params, "samples": samples,
            "block": block, "point": point, "replicate": replicate, "design_idx": design_idx,
            "status": status, "scalar": scalar, "per_platform": per_platform, "days": days,
            "records": records, "designs": list(designs)}
