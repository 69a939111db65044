"""Read a complysim results file (HDF5, layout in docs/output-format.md) into
tidy pandas DataFrames.

    >>> from complysim_analysis import load
    >>> r = load("out.h5")
    >>> r.runs.groupby("design")["self_censorship_rate"].mean()

Only h5py, numpy and pandas are used. Strings may come back from h5py as
``bytes`` or ``str``; both are accepted everywhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np
import pandas as pd

from . import units

FORMAT_NAME = "complysim-results"
SUPPORTED_FORMAT_VERSIONS = (1, 2)  #: 1: model v1; 2: model v2 (root attribute model_spec_version = 2)

STATUS_OK, STATUS_FAILED, STATUS_MISSING = 0, 1, -1
STATUS_NAMES = {STATUS_OK: "ok", STATUS_FAILED: "failed", STATUS_MISSING: "missing"}


class ResultsFormatError(ValueError):
    """The file is not a complysim results file, or breaks the layout."""


def _text(value: Any) -> str:
    """One h5py string value (bytes, str, numpy scalar) as str."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _texts(values: Any) -> list[str]:
    """A string array (or a single string) as a list of str."""
    if values is None:
        return []
    if isinstance(values, (str, bytes)):
        return [_text(values)]
    return [_text(v) for v in np.asarray(values, dtype=object).ravel()]


def _attr_value(value: Any) -> Any:
    """An HDF5 attribute as a plain Python value."""
    if isinstance(value, (bytes, str)):
        return _text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("S", "O", "U"):
            return _texts(value)
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def platform_column(outcome: str, platform: str) -> str:
    """Column name of a per-platform outcome in ``Results.runs``."""
    return f"{outcome}[{platform}]"


@dataclass
class OutcomeInfo:
    """What the file says about one outcome."""

    name: str
    platforms: list[str] | None  #: None for a scalar outcome
    unit: str = ""
    description: str = ""

    @property
    def per_platform(self) -> bool:
        return self.platforms is not None

    def columns(self) -> list[str]:
        """Its column names in ``Results.runs``."""
        if self.platforms is None:
            return [self.name]
        return [platform_column(self.name, p) for p in self.platforms]


@dataclass
class Results:
    """A loaded results file.

    Attributes:
        path: the file read.
        runs: one row per run: ``run`` (row index in the file), ``point``,
            ``replicate``, ``seed``, ``status`` (0 ok, 1 failed, -1 missing),
            ``status_name``, ``design`` (name), ``design_index``, ``message``,
            one column per swept parameter (dotted name), one per scalar
            outcome and one ``outcome[platform]`` per platform of each
            per-platform outcome. NaN: undefined or failed.
        platform_outcomes: long form of the per-platform outcomes: run,
            design, point, replicate, status, platform, outcome, value.
        provenance: every root attribute (format, versions, scenario_toml, ...).
        design: the /design group: kind, sobol_base_samples, replicates, names,
            settings, parameters, samples (ndarray [samples, d]), block
            (ndarray [samples]).
        outcomes: name -> OutcomeInfo, in file order.
        params: the swept parameter names (dotted), in file order.
        param_units: name -> unit (file attribute, else the parameter table).
        days: /timeseries/day (ndarray [records]) or an empty array.
        dates: /timeseries/date as datetime64[ns] (or None).
    """

    path: str
    runs: pd.DataFrame
    platform_outcomes: pd.DataFrame
    provenance: dict[str, Any]
    design: dict[str, Any]
    outcomes: dict[str, OutcomeInfo]
    params: list[str]
    param_units: dict[str, str]
    days: np.ndarray
    dates: np.ndarray | None
    timeseries_names: list[str] = field(default_factory=list)
    timeseries_only: dict[str, OutcomeInfo] = field(default_factory=dict)  #: series with no /runs/outcomes entry
    _ts_cache: dict[str, tuple[np.ndarray, list[str] | None]] = field(default_factory=dict, repr=False)
    _ts_long: pd.DataFrame | None = field(default=None, repr=False)

    # -- convenience -----------------------------------------------------
    @property
    def design_names(self) -> list[str]:
        names = list(self.design.get("names") or [])
        if not names:
            names = sorted(self.runs["design"].unique().tolist())
        return names

    @property
    def ok_runs(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == STATUS_OK]

    @property
    def start_date(self) -> str:
        return str(self.provenance.get("start_date") or "")

    @property
    def scenario_toml(self) -> str:
        return str(self.provenance.get("scenario_toml") or "")

    def outcome_unit(self, name: str) -> str:
        info = self.outcomes.get(name) or self.timeseries_only.get(name)
        if info is not None and info.unit:
            return info.unit
        return units.outcome_unit(name)

    def outcome_columns(self) -> list[str]:
        """Every outcome column of ``runs`` (scalar and per platform)."""
        cols: list[str] = []
        for info in self.outcomes.values():
            cols.extend(info.columns())
        return cols

    # -- time series -----------------------------------------------------
    def timeseries_array(self, name: str) -> tuple[np.ndarray, list[str] | None]:
        """``/timeseries/<name>`` as (array [runs, records(, platforms)], platforms).

        Read on first use and cached; the file is reopened for it.
        """
        if name not in self._ts_cache:
            with h5py.File(self.path, "r") as f:
                ds = f["timeseries"][name]
                data = np.asarray(ds[()], dtype=float)
                platforms = None
                if data.ndim == 3:
                    if "platforms" in ds.attrs:
                        platforms = _texts(ds.attrs["platforms"])
                    elif name in self.outcomes and self.outcomes[name].platforms:
                        platforms = list(self.outcomes[name].platforms or [])
                    else:
                        platforms = [f"platform{i}" for i in range(data.shape[2])]
            if data.shape[0] != len(self.runs) or data.shape[1] != len(self.days):
                raise ResultsFormatError(
                    f"{self.path}: /timeseries/{name} has shape {data.shape}, "
                    f"expected [{len(self.runs)}, {len(self.days)}, ...]")
            self._ts_cache[name] = (data, platforms)
        return self._ts_cache[name]

    @property
    def timeseries(self) -> pd.DataFrame:
        """Long form of every time series: run, design, point, replicate,
        status, day, date (NaT without a start_date), platform (None for a
        scalar outcome), outcome, value. Built on first access."""
        if self._ts_long is None:
            self._ts_long = self._build_timeseries_long()
        return self._ts_long

    def _build_timeseries_long(self) -> pd.DataFrame:
        cols = ["run", "design", "point", "replicate", "status", "day", "date",
                "platform", "outcome", "value"]
        frames = []
        n_rec = len(self.days)
        dates = (self.dates if self.dates is not None
                 else np.full(n_rec, np.datetime64("NaT"), dtype="datetime64[ns]"))
        meta = self.runs[["run", "design", "point", "replicate", "status"]]
        for name in self.timeseries_names:
            data, platforms = self.timeseries_array(name)
            n_runs = data.shape[0]
            if platforms is None:
                plats = [None]
                data = data[:, :, None]
            else:
                plats = platforms
            n_p = len(plats)
            run_idx = np.repeat(np.arange(n_runs), n_rec * n_p)
            rec_idx = np.tile(np.repeat(np.arange(n_rec), n_p), n_runs)
            plat_idx = np.tile(np.arange(n_p), n_runs * n_rec)
            frame = pd.DataFrame({
                "run": meta["run"].to_numpy()[run_idx],
                "design": meta["design"].to_numpy()[run_idx],
                "point": meta["point"].to_numpy()[run_idx],
                "replicate": meta["replicate"].to_numpy()[run_idx],
                "status": meta["status"].to_numpy()[run_idx],
                "day": self.days[rec_idx],
                "date": dates[rec_idx],
                "platform": np.asarray(plats, dtype=object)[plat_idx],
                "outcome": name,
                "value": data.reshape(-1),
            })
            frames.append(frame)
        if not frames:
            return pd.DataFrame({c: [] for c in cols})
        out = pd.concat(frames, ignore_index=True)
        out["outcome"] = out["outcome"].astype("category")
        out["design"] = out["design"].astype("category")
        return out[cols]


def _check_format(f: h5py.File, path: str) -> None:
    fmt = f.attrs.get("format")
    if fmt is None or _text(fmt) != FORMAT_NAME:
        found = "no 'format' attribute" if fmt is None else f"format = {_text(fmt)!r}"
        raise ResultsFormatError(
            f"{path}: not a complysim results file ({found}; expected "
            f"format = {FORMAT_NAME!r}). Write one with `complysim run ... -o FILE.h5`.")
    version = f.attrs.get("format_version")
    try:
        version_int = int(np.asarray(version).item())
    except (TypeError, ValueError):
        raise ResultsFormatError(f"{path}: missing or non-integer 'format_version'") from None
    if version_int not in SUPPORTED_FORMAT_VERSIONS:
        raise ResultsFormatError(
            f"{path}: format_version {version_int} is not supported by this "
            f"complysim_analysis (supports {SUPPORTED_FORMAT_VERSIONS}); "
            "use the analysis package from the same complysim release.")
    for required in ("runs/point", "runs/replicate", "runs/status"):
        if required not in f:
            raise ResultsFormatError(f"{path}: missing dataset /{required}")


def _read_design(f: h5py.File) -> dict[str, Any]:
    design: dict[str, Any] = {"kind": "single", "sobol_base_samples": 0, "replicates": 0,
                              "names": [], "settings": [], "parameters": [],
                              "samples": np.zeros((0, 0)), "block": np.zeros(0, dtype=np.int8)}
    if "design" not in f:
        return design
    g = f["design"]
    for key, value in g.attrs.items():
        design[key] = _attr_value(value)
    design["kind"] = str(design.get("kind") or "single")
    for key in ("sobol_base_samples", "replicates"):
        try:
            design[key] = int(design.get(key) or 0)
        except (TypeError, ValueError):
            design[key] = 0
    for key in ("names", "settings", "parameters"):
        if key in g:
            design[key] = _texts(g[key][()])
    if "samples" in g:
        samples = np.asarray(g["samples"][()], dtype=float)
        if samples.ndim == 1:
            samples = samples.reshape(-1, max(1, len(design["parameters"])))
        design["samples"] = samples
    if "block" in g:
        design["block"] = np.asarray(g["block"][()], dtype=np.int64)
    return design


def load(path: str | os.PathLike) -> Results:
    """Load a complysim results file.

    Raises:
        FileNotFoundError: no such file.
        ResultsFormatError: not a complysim-results file, unsupported
            format_version, or datasets with inconsistent shapes.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ResultsFormatError(f"{path}: is a directory, not a results file")
    if not os.access(path, os.R_OK):
        raise ResultsFormatError(f"{path}: not readable (permission denied)")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ResultsFormatError(f"{path}: not an HDF5 file ({reason})") from None
    with f:
        _check_format(f, path)
        provenance = {k: _attr_value(v) for k, v in f.attrs.items()}
        # format_version 1 files carry no model_spec_version: they hold model v1 results.
        provenance.setdefault("model_spec_version", 1)
        design = _read_design(f)
        g = f["runs"]
        point = np.asarray(g["point"][()], dtype=np.int64)
        n = len(point)

        def column(name: str, dtype: Any, default: Any) -> np.ndarray:
            if name in g:
                arr = np.asarray(g[name][()])
                if arr.shape != (n,):
                    raise ResultsFormatError(f"{path}: /runs/{name} has shape {arr.shape}, expected ({n},)")
                return arr.astype(dtype)
            return np.full(n, default, dtype=dtype)

        design_idx = column("design", np.int64, 0)
        names = design["names"]
        design_name = np.array([names[i] if 0 <= i < len(names) else f"design{i}" for i in design_idx],
                               dtype=object)
        status = column("status", np.int8, STATUS_OK)
        message = _texts(g["message"][()]) if "message" in g else [""] * n
        cols: dict[str, Any] = {
            "run": np.arange(n, dtype=np.int64),
            "point": point,
            "replicate": column("replicate", np.int64, 0),
            "seed": column("seed", np.uint64, 0),
            "status": status,
            "status_name": [STATUS_NAMES.get(int(s), str(int(s))) for s in status],
            "design": design_name,
            "design_index": design_idx,
            "message": message,
        }

        params: list[str] = []
        param_units: dict[str, str] = {}
        if "params" in g:
            for name, ds in g["params"].items():
                arr = np.asarray(ds[()], dtype=float)
                if arr.shape != (n,):
                    raise ResultsFormatError(f"{path}: /runs/params/{name} has shape {arr.shape}, expected ({n},)")
                cols[name] = arr
                params.append(name)
                unit = _text(ds.attrs["unit"]) if "unit" in ds.attrs else units.param_unit(name)
                param_units[name] = unit
        # Keep the order of /design/parameters when it lists them.
        order = [p for p in design.get("parameters", []) if p in params]
        params = order + [p for p in params if p not in order]

        outcomes: dict[str, OutcomeInfo] = {}
        long_frames = []
        if "outcomes" in g:
            for name, ds in g["outcomes"].items():
                arr = np.asarray(ds[()], dtype=float)
                unit = _text(ds.attrs["unit"]) if "unit" in ds.attrs else ""
                desc = _text(ds.attrs["description"]) if "description" in ds.attrs else ""
                if arr.ndim == 1:
                    if arr.shape != (n,):
                        raise ResultsFormatError(f"{path}: /runs/outcomes/{name} has shape {arr.shape}")
                    cols[name] = arr
                    outcomes[name] = OutcomeInfo(name, None, unit, desc)
                elif arr.ndim == 2 and arr.shape[0] == n:
                    plats = _texts(ds.attrs["platforms"]) if "platforms" in ds.attrs else []
                    if len(plats) != arr.shape[1]:
                        raise ResultsFormatError(
                            f"{path}: /runs/outcomes/{name} has {arr.shape[1]} platform columns "
                            f"but its 'platforms' attribute lists {len(plats)}")
                    for j, p in enumerate(plats):
                        cols[platform_column(name, p)] = arr[:, j]
                    outcomes[name] = OutcomeInfo(name, plats, unit, desc)
                    long_frames.append(pd.DataFrame({
                        "run": np.repeat(np.arange(n), len(plats)),
                        "platform": np.tile(np.asarray(plats, dtype=object), n),
                        "outcome": name,
                        "value": arr.reshape(-1),
                    }))
                else:
                    raise ResultsFormatError(f"{path}: /runs/outcomes/{name} has shape {arr.shape}")

        days = np.zeros(0, dtype=np.int64)
        dates = None
        ts_names: list[str] = []
        ts_only: dict[str, OutcomeInfo] = {}
        if "timeseries" in f:
            tg = f["timeseries"]
            if "day" in tg:
                days = np.asarray(tg["day"][()], dtype=np.int64)
            if "date" in tg:
                texts = _texts(tg["date"][()])
                dates = pd.to_datetime(pd.Series(texts), errors="coerce").to_numpy(dtype="datetime64[ns]")
            ts_names = [k for k in tg.keys() if k not in ("day", "date")]
            for name in ts_names:
                ds = tg[name]
                if name not in outcomes:
                    plats = _texts(ds.attrs["platforms"]) if "platforms" in ds.attrs else None
                    unit = _text(ds.attrs["unit"]) if "unit" in ds.attrs else ""
                    ts_only[name] = OutcomeInfo(name, plats if ds.ndim == 3 else None, unit)

    runs = pd.DataFrame(cols)
    if long_frames:
        platform_outcomes = pd.concat(long_frames, ignore_index=True)
        meta = runs[["run", "design", "point", "replicate", "status"]]
        platform_outcomes = platform_outcomes.merge(meta, on="run", how="left")[
            ["run", "design", "point", "replicate", "status", "platform", "outcome", "value"]]
    else:
        platform_outcomes = pd.DataFrame(columns=["run", "design", "point", "replicate", "status",
                                                  "platform", "outcome", "value"])
    if dates is None and provenance.get("start_date") and len(days):
        start = pd.to_datetime(str(provenance["start_date"]), errors="coerce")
        if not pd.isna(start):
            dates = (start + pd.to_timedelta(days, unit="D")).to_numpy(dtype="datetime64[ns]")

    return Results(path=path, runs=runs, platform_outcomes=platform_outcomes,
                   provenance=provenance, design=design, outcomes=outcomes, params=params,
                   param_units=param_units, days=days, dates=dates, timeseries_names=ts_names,
                   timeseries_only=ts_only)
