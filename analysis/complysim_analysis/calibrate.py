"""Calibration of the Vietnam 2018-2020 timeline as a posterior: approximate
Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009,
J. R. Soc. Interface 6:187; the population Monte Carlo weights and the kernel
of twice the weighted covariance of Beaumont et al. 2009, Biometrika 96:983),
with the tolerance of each generation set to the distance of the N-th best of
M proposals (an adaptive quantile, as in Lenormand, Jabot & Deffuant 2013).

Every batch of model runs is ONE ``complysim sweep`` over a points file
(``[sweep] design = "file"``, docs/sweeps.md): the proposals of a generation,
written as a CSV of dotted parameter names, crossed with nothing else.

    /usr/bin/python3 -m complysim_analysis calibrate [--quick] [-o DIR] [--binary PATH] ...
    /usr/bin/python3 analysis/calibrate.py ...          (the same)

Targets and their observation errors: data/vietnam_calibration_targets.csv
(fixed before any fitting). The distance of a run is
sqrt(sum_k z_k^2), z_k = (model_k - observed_k) / obs_sd_k on each target's
scale (linear, or natural log for counts), i.e. the Mahalanobis distance under
independent Gaussian observation errors. Outputs: the posterior sample
(one row per particle: the free parameters and a weight; a valid points file),
a summary (posterior median and 90% interval per parameter, the tolerance
of every generation, runs and wall time), the posterior predictive figure
(90% bands against every target series) and the pairwise posterior scatter.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Sequence

import h5py
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGETS = os.path.join(ROOT, "data", "vietnam_calibration_targets.csv")
SCENARIO = os.path.join(ROOT, "scenarios", "vietnam_2018_2020.toml")
POSTERIOR = os.path.join(ROOT, "scenarios", "calibration", "vietnam_posterior.csv")
#: Equal-weight draws of the platforms' parameters for scenarios/decree_designs.toml (see write_platform_draws).
PLATFORM_DRAWS = "vietnam_posterior_platforms64.csv"
PLATFORM_DRAW_COUNT = 64
FIGURES = os.path.join(ROOT, "docs", "img")
DEFAULT_BINARIES = [os.path.join(ROOT, "build", "release", "sim", "complysim"),
                    os.path.join(ROOT, "build", "sim", "complysim")]

#: Internet users in Vietnam that arrests are counted over (data/vietnam_requests_sanctions_2013_2020.csv:
#: internet_users, press (Vietmaz) 2020-03-28, "nearly 70 million"); used for 2019 and 2020.
INTERNET_USERS = 70e6
#: Penalty z of a target the run cannot compute (a compliance window without requests, a failed run).
MISSING_Z = 5.0
#: Smallest count on a log scale (a run with no requests in a half-year scores as 0.5 items).
LOG_FLOOR = 0.5
#: The proposal kernel's covariance is this times the population's weighted covariance.
#: Beaumont et al. (2009) take 2; on the toy problem of analysis/tests/test_calibrate.py (with eight parameters)
#: 1 brings the tolerance after 8 generations from 5.3 to 4.3 (0.5: 3.8 but an ESS of 22 of 200),
#: which matters when the budget allows few generations.
KERNEL_SCALE = 1.0
#: draws that estimate the proposal mixture's mass inside the prior's box (inside_share)
INSIDE_DRAWS = 100_000


class CalibrationError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One free parameter: its prior is uniform on [lo, hi] (log-uniform when `log`),
    and it sets every dotted name in `columns` to the same value."""
    label: str
    columns: tuple[str, ...]
    lo: float
    hi: float
    log: bool
    why: str

    def to_u(self, x: np.ndarray) -> np.ndarray:
        return np.log(x) if self.log else np.asarray(x, dtype=float)

    def from_u(self, u: np.ndarray) -> np.ndarray:
        return np.exp(u) if self.log else np.asarray(u, dtype=float)

    @property
    def u_lo(self) -> float:
        return float(np.log(self.lo)) if self.log else self.lo

    @property
    def u_hi(self) -> float:
        return float(np.log(self.hi)) if self.log else self.hi


#: The free parameters and their priors. Ranges are wide on purpose (the v1 fit
#: had two values at the edges of narrower ranges); each is at most its range in
#: the parameter table.
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("reputation_weight[global_social]", ("platforms.global_social.reputation_weight",), 0.1, 1e9, True,
              "one user's revenue-days per wrongful removal or handover: at the reported request volumes "
              "(about 1e-7 requests per user and day) a weight below 1e5 costs less than a thousandth of the "
              "revenue and cannot hold compliance below the target; 1e9 (the parameter table's top) is about "
              "20 days of Facebook's whole Vietnamese revenue per wrongful removal"),
    Parameter("reputation_weight[video_sharing]", ("platforms.video_sharing.reputation_weight",), 0.1, 1e9, True,
              "as above"),
    Parameter("rationality", ("platforms.global_social.rationality", "platforms.video_sharing.rationality"),
              1.0, 1e4, True, "near-random to best-response choices (was 1 .. 1,000: 16% of the posterior's "
                               "weight sat in the top 5% of that range)"),
    Parameter("learning_rate", ("platforms.global_social.learning_rate", "platforms.video_sharing.learning_rate"),
              0.01, 0.8, False, "a choice that barely moves to one that jumps"),
    Parameter("prior_credibility", ("platform.prior_credibility",), 0.001, 0.9, True,
              "threats dismissed to threats believed"),
    Parameter("credibility_learning", ("platform.credibility_learning",), 0.01, 0.9, False, "slow to fast"),
    Parameter("review_hours", ("platform.review_hours",), 24.0, 8760.0, True,
              "the time scale of a platform's legal check of a requested item, which sets the ceiling of its "
              "compliance at a 24-hour deadline (it contests a lawful item with probability 1 - exp(-24 / "
              "review_hours)): from a day (the parameter table's default, NetzDG practice: a ceiling near 0.5) "
              "to a year (the table's top: contests vanish, so the likelihood is flat towards it). It was "
              "set by hand to 240 so that full compliance meets a 90% target, which held the model's "
              "Facebook below the 95% the ministry reported for 2020"),
    Parameter("escalation_credibility", ("regulator.escalation_credibility",), 1e-4, 1.0, True,
              "from one step in 10,000 carried out to every step: a monthly review of a platform below "
              "target takes a step with this probability, and no throttling in 2018-2019 allows only rare steps"),
    Parameter("prosecution_rate", ("regulator.prosecution_rate",), 1e-4, 1.0, True,
              "one in 10,000 identified authors sanctioned to all"),
    Parameter("monitoring_rate", ("regulator.monitoring_rate",), 1e-8, 0.1, True,
              "the request volume on 2018-01-01: from a handful of requests a year per million items to one item "
              "in ten reviewed a day"),
    Parameter("monitoring_growth", ("regulator.monitoring_growth",), -1.0, 4.0, False,
              "the trend of the request volume, per year on the log scale: from a rate that falls to a third "
              "each year to one that grows 55-fold a year (Google's reported items grew about sixteen-fold "
              "2018-2020, while rising compliance removes more items before review, so the rate must grow "
              "faster than the requests; with an upper end of 2, 13% of the posterior's weight sat in the top "
              "5% of the range)"),
    Parameter("attention_growth[global_social]", ("platforms.global_social.attention_growth",), -3.0, 3.0, False,
              "the trend of the regulator's attention to Facebook relative to the other platforms, per year on the "
              "log scale: from a twentieth each year to twenty-fold (Facebook's reported restrictions fell from "
              "1,553 items in H2 2018 to 77 in H2 2019 while Google's reported items grew; docs/model.md)"),
    Parameter("attention_surge[global_social]", ("platforms.global_social.attention_surge",), 0.1, 100.0, True,
              "the size of the crackdown on Facebook from the June 2018 protests to the end of 2018 (an input "
              "event of the timeline, like the 2020 throttling), as a multiplier of the attention: from a tenth "
              "(attention withdrawn) to a hundred-fold. Facebook's restrictions went 265 -> 1,553 -> 121 items "
              "in the half-years around it while Google's did not move (635 -> 585), which no smooth trend "
              "produces; this parameter is fitted to that one count and leaves it no test of the rest"),
)


@dataclasses.dataclass
class Settings:
    """Size of a calibration run."""
    users: int = 1000             # the targets are expected_* outcomes (no coin flips): 1,000 users resolve them
    particles: int = 200          # N: population size (the posterior sample)
    proposals: int = 400          # M: new points per generation (the N best of old and new kept)
    generations: int = 8
    initial_proposals: int = 1200  # M0: points drawn from the prior in generation 0 (a wide first look)
    replicates: int = 12          # runs per point; its summaries are the mean of those that reproduce the sanction history
    #: How the sanction history enters (point_summaries): "all" (a point is kept only if every one of its runs
    #: reproduces it: a plausibility constraint, P(history)^R) or "likelihood" (weighted by the share that do).
    sanction_history: str = "all"
    threads: int = 2
    seed: int = 20180101

    @staticmethod
    def quick() -> "Settings":
        return Settings(users=1000, particles=16, proposals=32, generations=2, initial_proposals=32, replicates=1)


# ---------------------------------------------------------------------------
# Targets and the model's summaries
# ---------------------------------------------------------------------------

def read_targets(path: str = TARGETS) -> pd.DataFrame:
    """The targets table (data/vietnam_calibration_targets.csv), checked."""
    t = pd.read_csv(path, keep_default_na=False, na_values={"value": [""], "obs_sd": [""]})
    need = {"target", "kind", "outcome", "platform", "period_start", "period_end", "value", "scale", "obs_sd"}
    if missing := need - set(t.columns):
        raise CalibrationError(f"{path}: missing columns {sorted(missing)}")
    kinds = {"window_mean", "window_total", "window_total_honoured", "window_arrests", "window_status"}
    if bad := set(t["kind"]) - kinds:
        raise CalibrationError(f"{path}: unknown target kinds {sorted(bad)}")
    if bad := set(t["scale"]) - {"linear", "log"}:
        raise CalibrationError(f"{path}: unknown scales {sorted(bad)}")
    if (t["obs_sd"] <= 0).any():
        raise CalibrationError(f"{path}: every obs_sd must be positive")
    if (pd.to_datetime(t["period_end"]) > pd.Timestamp("2020-12-31")).any():
        raise CalibrationError(f"{path}: a target after 2020 (nothing after 2020 may be used for fitting)")
    return t.reset_index(drop=True)


def on_scale(x: np.ndarray, scale: np.ndarray, floor: np.ndarray | float = LOG_FLOOR) -> np.ndarray:
    """Values on each target's scale: natural log (floored at `floor`) or as they are. x: [..., T]."""
    x = np.asarray(x, dtype=float)
    return np.where(scale == "log", np.log(np.maximum(x, floor)), x)


def floors(targets: pd.DataFrame, users: int, represented: float = INTERNET_USERS) -> np.ndarray:
    """The smallest value each count target can resolve, [T]: half of one event in the sample,
    scaled to the real population it stands for. Arrests: 0.5 x INTERNET_USERS / users (a
    sanction of a simulated user stands for INTERNET_USERS / users real ones); requests and
    restrictions: 0.5 x represented / users (population.represented_users of the scenario).
    A run with no event says only "fewer than that"; model and observation are both floored
    there, so a rate too small for the sample neither helps nor hurts. LOG_FLOOR otherwise."""
    kind = targets["kind"].to_numpy()
    realised = ~targets["outcome"].str.startswith("expected_").to_numpy()  # expected_* outcomes: no coin flips
    arrests = (kind == "window_arrests") & realised
    counts = np.isin(kind, ["window_total", "window_total_honoured"]) & realised
    return np.where(arrests, 0.5 * INTERNET_USERS / users,
                    np.where(counts, 0.5 * represented / users, LOG_FLOOR))


def represented_users(path_h5: str) -> float:
    """population.represented_users of the resolved scenario in a results file (INTERNET_USERS
    when the file's model has no such parameter: model v1)."""
    import tomllib

    with h5py.File(path_h5, "r") as f:
        text = f.attrs["scenario_toml"]
    text = text.decode() if isinstance(text, bytes) else str(text)
    try:
        return float(tomllib.loads(text).get("population", {}).get("represented_users", INTERNET_USERS))
    except tomllib.TOMLDecodeError:
        return INTERNET_USERS


def _strings(a) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in a]


def compliance_outcome(outcome: str) -> str:
    """The compliance rate that turns requests received into honoured ones: the expected one
    for expected_* request counts (no coin flips), else the realised one."""
    return "expected_takedown_compliance_rate" if outcome.startswith("expected_") else "takedown_compliance_rate"


def model_targets(path: str, targets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each run's value of each target, from a results file.

    Returns (values [runs, T] in the targets' units, NaN where a run cannot give one;
    point [runs], the sample index of each run; the names of targets whose outcome
    the file does not have (their column is all NaN))."""
    with h5py.File(path, "r") as f:
        platforms = _strings(f.attrs["platforms"])
        dates = pd.to_datetime(_strings(f["timeseries/date"][()])).to_numpy()
        day = f["timeseries/day"][()].astype(np.int64)
        length = np.diff(np.concatenate([[-1], day])).astype(float)  # days in each record
        point = f["runs/point"][()].astype(np.int64)
        ok = f["runs/status"][()] == 0
        ts = f["timeseries"]
        cache: dict[str, np.ndarray] = {}

        def series(outcome: str, platform: str) -> np.ndarray | None:
            if outcome not in ts:
                return None
            if outcome not in cache:
                cache[outcome] = ts[outcome][()]
            a = cache[outcome]
            if a.ndim == 3:
                if platform not in platforms:
                    raise CalibrationError(f"{path}: no platform '{platform}' (has {', '.join(platforms)})")
                return a[:, :, platforms.index(platform)]
            return a

        out = np.full((len(point), len(targets)), np.nan)
        missing = []
        for k, row in targets.iterrows():
            lo, hi = np.datetime64(row["period_start"]), np.datetime64(row["period_end"])
            sel = (dates >= lo) & (dates <= hi + np.timedelta64(1, "D") - np.timedelta64(1, "ns"))
            if not sel.any():
                raise CalibrationError(f"target {row['target']}: no time-series record in {lo} .. {hi} "
                                       f"(records {dates[0]} .. {dates[-1]})")
            s = series(row["outcome"], row["platform"])
            if s is None:
                missing.append(row["target"])
                continue
            w = s[:, sel]
            kind = row["kind"]
            with np.errstate(invalid="ignore"), np.testing.suppress_warnings() as sup:
                sup.filter(RuntimeWarning)
                if kind == "window_mean":
                    v = np.nanmean(w, axis=1)
                elif kind == "window_total":
                    v = np.nansum(w * length[sel], axis=1)
                elif kind == "window_total_honoured":
                    c = series(compliance_outcome(row["outcome"]), row["platform"])[:, sel]
                    v = np.nansum(w * np.nan_to_num(c, nan=0.0) * length[sel], axis=1)
                elif kind == "window_arrests":
                    v = np.nansum(w * length[sel], axis=1) / 1e5 * INTERNET_USERS
                else:  # window_status
                    v = np.mean(w > 0, axis=1)
            v[~ok] = np.nan
            out[:, k] = v
    return out, point, missing


def mean_by_point(values: np.ndarray, point: np.ndarray, n: int) -> np.ndarray:
    """Each point's summaries averaged over its replicate runs (NaN-aware; NaN where every
    replicate is NaN). values: [runs, T], point: [runs] in 0..n-1 -> [n, T]."""
    total = np.zeros((n, values.shape[1]))
    count = np.zeros((n, values.shape[1]))
    ok = ~np.isnan(values)
    np.add.at(total, point, np.where(ok, values, 0.0))
    np.add.at(count, point, ok.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def z_scores(values: np.ndarray, targets: pd.DataFrame, observed: np.ndarray | None = None,
             floor: np.ndarray | float = LOG_FLOOR) -> np.ndarray:
    """(model - observed) / obs_sd on each target's scale (log values floored at `floor`, [T]);
    MISSING_Z where the model value is NaN. values: [n, T]; observed: [T] or [n, T]
    (default: the targets' values)."""
    scale = targets["scale"].to_numpy()
    obs = targets["value"].to_numpy(float) if observed is None else observed
    z = (on_scale(values, scale, floor) - on_scale(obs, scale, floor)) / targets["obs_sd"].to_numpy(float)
    return np.where(np.isnan(z), MISSING_Z, z)


def distance(z: np.ndarray, use: np.ndarray) -> np.ndarray:
    """sqrt(sum of z^2) over the targets in `use` (bool [T]). z: [n, T] -> [n]."""
    return np.sqrt(np.sum(z[:, use] ** 2, axis=1))


def exact_targets(targets: pd.DataFrame) -> np.ndarray:
    """The targets matched exactly rather than through the distance, bool [T]: the sanction
    history (kind window_status). Whether a platform was throttled or suspended is a discrete
    fact on record, not a noisy measurement; ABC on discrete data accepts a run only when it
    reproduces it (Toni et al. 2009, sec. 3), so it enters the posterior as a likelihood factor,
    not as a z-score that a good fit elsewhere can outweigh."""
    return (targets["kind"] == "window_status").to_numpy()


def history_matches(values: np.ndarray, exact: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Whether each run reproduces the observed sanction history, bool [runs]: for every exact
    target, some week throttled or suspended (value > 0) if and only if the observed value is > 0.
    A run without a value (failed) does not match. values: [runs, T]; observed: [T]."""
    if not exact.any():
        return np.ones(len(values), bool)
    v = values[:, exact]
    return np.all(~np.isnan(v) & ((v > 0) == (observed[exact] > 0)), axis=1)


@dataclasses.dataclass
class Batch:
    """The runs of one batch of points: values [runs, T] in the targets' units (NaN where a run
    gives none), point [runs] (the row of the batch each run belongs to; several runs per point
    are replicates with independent random numbers)."""
    values: np.ndarray
    point: np.ndarray


def point_summaries(batch: Batch, n: int, exact: np.ndarray,
                    observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per point of a batch: its summaries [n, T], the mean of its replicates that reproduce the
    observed sanction history (NaN where none does), and the share of its replicates that do [n].
    The share is an unbiased estimate of the probability that a run at this point reproduces the
    history, the likelihood of that discrete observation, and weights the point (a pseudo-marginal
    estimate; Andrieu & Roberts 2009, Ann. Stat. 37:697); the other targets are compared with the
    runs that agree with what happened."""
    ok = history_matches(batch.values, exact, observed)
    runs = np.bincount(batch.point, minlength=n).astype(float)
    share = np.bincount(batch.point, weights=ok.astype(float), minlength=n) / np.maximum(runs, 1.0)
    summaries = mean_by_point(np.where(ok[:, None], batch.values, np.nan), batch.point, n)
    return summaries, share


# ---------------------------------------------------------------------------
# Running batches: one sweep per batch
# ---------------------------------------------------------------------------

def find_binary(given: str | None) -> str:
    if given is not None:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            raise CalibrationError(f"--binary {given}: no such executable")
        return given
    for b in DEFAULT_BINARIES:
        if os.path.isfile(b) and os.access(b, os.X_OK):
            return b
    raise CalibrationError("no complysim binary at " + " or ".join(os.path.relpath(b, ROOT) for b in DEFAULT_BINARIES)
                           + " (build it: cmake --preset release && cmake --build --preset release), or pass --binary")


def points_frame(theta: np.ndarray, weight: np.ndarray | None = None) -> pd.DataFrame:
    """A points file's table: one column per dotted name (shared parameters repeated), natural units."""
    cols = {}
    for j, p in enumerate(PARAMETERS):
        for c in p.columns:
            cols[c] = theta[:, j]
    df = pd.DataFrame(cols)
    if weight is not None:
        df["weight"] = weight
    return df


def write_points(path: str, theta: np.ndarray, weight: np.ndarray | None = None, comment: str = "") -> None:
    """Writes a points file (docs/sweeps.md): '#' comment lines, header, rows with 17 significant digits."""
    df = points_frame(theta, weight)
    with open(path, "w") as f:
        for line in comment.splitlines():
            f.write(f"# {line}\n")
        df.to_csv(f, index=False, float_format="%.17g")


def systematic_resample(w: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n indices drawn with probabilities w by systematic resampling (one uniform offset,
    n equally spaced points on the weights' CDF; Kitagawa 1996): each particle appears
    floor(n w_i) or ceil(n w_i) times."""
    c = np.cumsum(w / np.sum(w))
    c[-1] = 1.0
    return np.searchsorted(c, (rng.random() + np.arange(n)) / n, side="right")


def write_platform_draws(path: str, theta: np.ndarray, w: np.ndarray, rng: np.random.Generator, header: str,
                         days: int) -> None:
    """PLATFORM_DRAW_COUNT equal-weight draws of the posterior (systematic resampling), only the
    parameters set on the platforms (platform.* and platforms.*.*): the points file that
    scenarios/decree_designs.toml crosses with its decree designs. The regulator's parameters
    (escalation_credibility, prosecution_rate) are left out because each decree design sets
    its own, and a sweep applies a point's values after the design's (docs/sweeps.md).
    A platform's attention trend is not extrapolated: each draw's platforms.NAME.attention_growth
    becomes the platforms.NAME.regulator_attention it reaches on the last of the timeline's `days`
    days, exp(growth x (days - 1) / 365), as the monitoring rate (monitoring_rate_at_end). A
    platform's attention_surge is left out: it applies only while an event holds it active, and the
    calibrated one (the 2018 crackdown on Facebook) ended before the end of the timeline."""
    idx = np.sort(systematic_resample(w, PLATFORM_DRAW_COUNT, rng))
    df = points_frame(theta[idx])
    df = df[[c for c in df.columns if c.startswith("platform")]]
    for c in [c for c in df.columns if c.endswith(".attention_growth")]:
        df[c[: -len("attention_growth")] + "regulator_attention"] = np.exp(df.pop(c) * (days - 1) / 365.0)
    df = df.drop(columns=[c for c in df.columns if c.endswith(".attention_surge")])  # the 2018 crackdown is over
    with open(path, "w") as f:
        for line in header.splitlines():
            f.write(f"# {line}\n")
        df.to_csv(f, index=False, float_format="%.17g")


class Runner:
    """Runs batches of parameter points as single `complysim sweep`s in a work directory."""

    def __init__(self, binary: str, scenario: str, workdir: str, users: int, threads: int,
                 extra_sets: Sequence[str] = (), log: Callable[[str], None] = print):
        self.binary, self.scenario, self.workdir = binary, os.path.abspath(scenario), workdir
        self.users, self.threads, self.extra_sets, self.log = users, threads, list(extra_sets), log
        self.runs = 0
        self.seconds = 0.0
        self.represented = INTERNET_USERS  # population.represented_users, read from the first results file

    def sweep(self, name: str, theta: np.ndarray, seed: int, weight: np.ndarray | None = None,
              replicates: int = 1) -> str:
        """Runs every row of theta (natural units, [n, d]) `replicates` times (independent random
        numbers); returns the results file's path."""
        pts = os.path.join(self.workdir, f"{name}.csv")
        write_points(pts, theta, weight)
        toml = os.path.join(self.workdir, f"{name}.toml")
        with open(toml, "w") as f:
            f.write(f'extends = "{self.scenario}"\n\n[sweep]\ndesign = "file"\npoints_file = "{name}.csv"\n'
                    f"replicates = {int(replicates)}\n")
        out = os.path.join(self.workdir, f"{name}.h5")
        cmd = [self.binary, "sweep", toml, "-o", out, "--force", "--quiet", "--threads", str(self.threads),
               "--set", f"population.users={self.users}", "--set", f"simulation.seed={seed}"]
        for s in self.extra_sets:
            cmd += ["--set", s]
        t0 = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, text=True)
        self.seconds += time.monotonic() - t0
        self.runs += len(theta) * int(replicates)
        if r.returncode not in (0, 1) or not os.path.exists(out):  # 1: some runs failed (recorded, scored as missing)
            raise CalibrationError(f"complysim sweep failed (exit {r.returncode}): {r.stderr.strip()[-2000:]}")
        if r.returncode == 1:
            self.log(f"  note: some runs of {name} failed; they score as missing")
        return out


# ---------------------------------------------------------------------------
# ABC-SMC
# ---------------------------------------------------------------------------

def weighted_quantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles q of the weighted sample x (weights w >= 0), by the weighted empirical CDF
    interpolated at the mid-points of each weight."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    x, w = x[w > 0], w[w > 0]
    order = np.argsort(x)
    x, w = x[order], w[order]
    c = (np.cumsum(w) - 0.5 * w) / np.sum(w)
    return np.interp(q, c, x)


def mixture_quantile(m: np.ndarray, w: np.ndarray, sd: float, q: Sequence[float]) -> np.ndarray:
    """Quantiles q of the weighted Gaussian mixture sum_i w_i N(m_i, sd^2): the posterior
    predictive of an observation with error sd around the model's values m (runs weighted by w).
    Exact in the observation error, where drawing one error per run adds Monte Carlo error to
    the tails; sd = 0 is the weighted sample itself (weighted_quantile). Raises ValueError on
    sd < 0 or no positive weight."""
    m, w = np.asarray(m, float), np.asarray(w, float)
    m, w = m[w > 0], w[w > 0]
    if sd < 0 or not len(w):
        raise ValueError("mixture_quantile: sd must be >= 0 and some weight positive")
    if sd == 0:
        return weighted_quantile(m, w, q)
    from scipy.optimize import brentq
    from scipy.stats import norm

    w = w / w.sum()
    cdf = lambda y: float(np.dot(w, norm.cdf((y - m) / sd)))  # noqa: E731
    lo, hi = m.min() - 10 * sd, m.max() + 10 * sd
    return np.array([brentq(lambda y: cdf(y) - qq, lo, hi, xtol=1e-12) for qq in q])


def bootstrap_coverage(y: np.ndarray, point: np.ndarray, w_particle: np.ndarray, sd: float, obs: float,
                       clip: bool, rng: np.random.Generator, draws: int = 200) -> float:
    """How firm a covered / not covered verdict is against the posterior sample's own Monte Carlo
    error: the share of `draws` bootstrap samples whose 90% predictive interval of one target
    (mixture_quantile; clipped to [0, 1] when `clip`) contains `obs`. Each bootstrap sample
    draws the N particles uniformly with replacement and keeps their importance weights
    (weight x times drawn), so the unevenness of the weights counts (Efron & Tibshirani 1993).
    A draw in which no drawn particle has a run with a value is skipped; NaN if every draw is.
    y: the predictive runs' values on the target's scale [runs]; point: each run's particle
    [runs]; w_particle [N]."""
    n = len(w_particle)
    w_particle = np.asarray(w_particle, float)
    hits, valid = 0, 0
    for _ in range(draws):
        count = np.bincount(rng.integers(n, size=n), minlength=n).astype(float)
        wb = (count * w_particle)[point]
        if not np.any(wb > 0):
            continue
        q = mixture_quantile(y, wb, sd, [0.05, 0.95])
        if clip:
            q = np.clip(q, 0.0, 1.0)
        hits += bool(q[0] <= obs <= q[1])
        valid += 1
    return hits / valid if valid else float("nan")


def weighted_cov(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted covariance of the rows of u [n, d] (weights normalised)."""
    w = w / w.sum()
    m = w @ u
    d = u - m
    return (d * w[:, None]).T @ d / max(1e-12, 1.0 - np.sum(w ** 2))


def log_importance(u_new: np.ndarray, u_old: np.ndarray, w_old: np.ndarray, cov: np.ndarray,
                   log_prior: float) -> np.ndarray:
    """Log importance weights of particles drawn from the mixture proposal
    q(u) = sum_j (w_j / sum w) N(u; u_old_j, cov) (Beaumont et al. 2009; Lenormand et al. 2013):
    log w_i = log prior(u_i) - log q(u_i), with the uniform prior's log density `log_prior`
    (the same for every particle inside the box) and the normalised Gaussian density, so that
    they are on the scale of the generation-0 weights (prior / prior = 1)."""
    from scipy.special import logsumexp

    L = np.linalg.cholesky(cov)
    d = u_new.shape[1]
    diff = u_new[:, None, :] - u_old[None, :, :]                 # [n, m, d]
    sol = np.linalg.solve(L, diff.reshape(-1, d).T).T.reshape(diff.shape)
    logk = -0.5 * np.sum(sol ** 2, axis=2) - 0.5 * d * np.log(2 * np.pi) - np.sum(np.log(np.diag(L)))
    return log_prior - logsumexp(logk + np.log(w_old / w_old.sum())[None, :], axis=1)


def pmc_weights(u_new: np.ndarray, u_old: np.ndarray, w_old: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Beaumont et al. (2009) importance weights under a uniform prior, normalised to sum 1:
    w_i proportional to 1 / sum_j w_j N(u_i; u_j, cov)."""
    lw = log_importance(u_new, u_old, w_old, cov, 0.0)
    w = np.exp(lw - lw.max())
    return w / w.sum()


@dataclasses.dataclass
class Population:
    """One ABC-SMC population of one data set: particles in u-space [N, d], weights [N],
    distances [N], the tolerance (the largest kept distance)."""
    u: np.ndarray
    w: np.ndarray
    d: np.ndarray
    eps: float


def prior_lo_hi() -> tuple[np.ndarray, np.ndarray]:
    return (np.array([p.u_lo for p in PARAMETERS]), np.array([p.u_hi for p in PARAMETERS]))


def to_natural(u: np.ndarray) -> np.ndarray:
    return np.column_stack([p.from_u(u[:, j]) for j, p in enumerate(PARAMETERS)])


def to_u(theta: np.ndarray) -> np.ndarray:
    return np.column_stack([p.to_u(theta[:, j]) for j, p in enumerate(PARAMETERS)])


def kernel_cov(pop: Population) -> np.ndarray:
    """The proposal kernel's covariance [d, d]: KERNEL_SCALE x the population's weighted covariance."""
    return KERNEL_SCALE * weighted_cov(pop.u, pop.w) + 1e-10 * np.eye(pop.u.shape[1])


def kernel_draws(pop: Population, L: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n draws of the mixture kernel (a particle by weight, moved by N(0, L L^T)) [n, d], and
    whether each lies inside the prior's box [n]."""
    lo, hi = prior_lo_hi()
    idx = rng.choice(len(pop.w), size=n, p=pop.w / pop.w.sum())
    cand = pop.u[idx] + rng.standard_normal((n, len(lo))) @ L.T
    return cand, np.all((cand >= lo) & (cand <= hi), axis=1)


def propose(pop: Population, m: int, rng: np.random.Generator) -> np.ndarray:
    """m proposals: a particle drawn by weight, moved by N(0, KERNEL_SCALE x weighted cov) (Beaumont et al. 2009),
    redrawn (particle and move) until inside the prior's box. Their density is the mixture's divided by
    its mass inside the box (inside_share), which the importance weights must carry."""
    lo, hi = prior_lo_hi()
    L = np.linalg.cholesky(kernel_cov(pop))
    out = np.empty((m, len(lo)))
    todo = np.arange(m)
    for _ in range(10000):
        cand, inside = kernel_draws(pop, L, len(todo), rng)
        out[todo[inside]] = cand[inside]
        todo = todo[~inside]
        if len(todo) == 0:
            return out
    raise CalibrationError("could not draw proposals inside the prior (kernel far wider than the prior box)")


def inside_share(pop: Population, rng: np.random.Generator, n: int = INSIDE_DRAWS) -> float:
    """Z, the mass of propose()'s mixture q(u) = sum_j w_j N(u; u_j, KERNEL_SCALE x weighted cov) inside
    the prior's box, estimated from n draws (relative standard error sqrt((1 - Z) / (n Z))). Proposals
    redrawn until inside have density q(u) / Z there (mixture_log_density): without Z, a generation
    whose kernel reaches far outside the box (the early, wide ones) would count 1 / Z times too much."""
    _, inside = kernel_draws(pop, np.linalg.cholesky(kernel_cov(pop)), n, rng)
    return max(float(np.mean(inside)), 1.0 / n)


@dataclasses.dataclass
class Proposal:
    """One generation's proposal (propose()): the population it drew from (u [N, d], weights [N]),
    the kernel's covariance [d, d], log Z (inside_share) and how many points it drew."""
    u: np.ndarray
    w: np.ndarray
    cov: np.ndarray
    log_z: float
    m: int


def mixture_log_density(u: np.ndarray, proposals: list[Proposal], m0: int, log_prior: float) -> np.ndarray:
    """Log density at u [n, d] of all the generations' proposals pooled, each counted by its number
    of points: (m0 prior(u) + sum_t m_t q_t(u) / Z_t) / (m0 + sum_t m_t), generation 0 drawing m0
    from the prior (log density log_prior). Weights prior / this density are the deterministic-
    mixture (balance heuristic) weights of adaptive multiple importance sampling (Veach & Guibas
    1995; Cornuet, Marin, Mira & Robert 2012, Scand. J. Stat. 39:798), which keep a particle kept
    from an early, wide generation from taking nearly all the weight: its own proposal's density
    is low where the later ones' is high. [n]"""
    from scipy.special import logsumexp

    terms = [np.full(len(u), np.log(m0) + log_prior)]
    for p in proposals:
        terms.append(np.log(p.m) - log_importance(u, p.u, p.w, p.cov, 0.0) - p.log_z)
    return logsumexp(np.stack(terms), axis=0) - np.log(m0 + sum(p.m for p in proposals))


def abc_smc(simulate: Callable[[np.ndarray, int], "Batch | np.ndarray"], observed: np.ndarray,
            targets: pd.DataFrame, use: np.ndarray, s: Settings, rng: np.random.Generator,
            floor: np.ndarray | float = LOG_FLOOR,
            log: Callable[[str], None] = print) -> tuple[list[Population], list[list[float]]]:
    """Adaptive population Monte Carlo ABC (Lenormand, Jabot & Deffuant 2013, an ABC-SMC in the
    line of Toni et al. 2009 and Beaumont et al. 2009) for K data sets at once (observed: [K, T]).

    Generation 0 draws M0 = s.initial_proposals (at least M) points from the prior and keeps the N
    closest: a wide first look, so that a narrow mode of the posterior is not missed. Generation g > 0 draws M
    new points from each data set's population (a particle by weight, moved by N(0, KERNEL_SCALE x
    weighted covariance), redrawn until inside the prior) and keeps the N closest of the N old and
    M new particles: the tolerance (the N-th distance) falls every generation and good particles
    are not thrown away. Every kept particle, old or new, is weighted by prior / the pooled density
    of all generations' proposals (mixture_log_density), so that the weights of particles drawn in
    different generations are on one scale. Each generation's points of all K data sets go to
    one call of simulate(u [K*M, d], generation) -> a Batch of runs (or model
    values [K*M, T], one run per point).

    The sanction history (exact_targets) is matched exactly, never through the distance (which
    covers the other targets in `use`, from the runs that reproduce the history; point_summaries).
    s.sanction_history "all": a point is kept only if every one of its R runs reproduces the data
    set's history (a plausibility constraint in the sense of history matching, Vernon et al. 2010:
    a point at which the record has probability 1 - p survives with (1 - p)^R); "likelihood": its
    weight is multiplied by the share of its runs that do, and a point with none is never kept.
    Returns the final populations and every generation's tolerances."""
    K, N, M = observed.shape[0], s.particles, s.proposals
    M0 = max(M, s.initial_proposals or M)
    lo, hi = prior_lo_hi()
    log_prior = -float(np.sum(np.log(hi - lo)))
    dim = len(lo)
    exact = exact_targets(targets)
    use_d = use & ~exact
    pops: list[Population] = []
    lms: list[np.ndarray] = []  # each population's log likelihood factor of the sanction history
    proposals: list[list[Proposal]] = [[] for _ in range(K)]  # each data set's proposals so far
    eps_hist: list[list[float]] = []
    for g in range(s.generations):
        Mg = M0 if g == 0 else M  # points per data set in this generation
        if g == 0:
            u = lo + (hi - lo) * rng.random((K * Mg, dim))
        else:
            u = np.concatenate([propose(pops[k], M, rng) for k in range(K)])
        batch = simulate(u, g)
        if not isinstance(batch, Batch):
            batch = Batch(np.asarray(batch, float), np.arange(len(u)))
        new, new_lm, acc, matched = [], [], [], []
        for k in range(K):
            sel = (batch.point >= k * Mg) & (batch.point < (k + 1) * Mg)
            vk, share = point_summaries(Batch(batch.values[sel], batch.point[sel] - k * Mg), Mg,
                                        exact & use, observed[k])
            uk = u[k * Mg:(k + 1) * Mg]
            d = distance(z_scores(vk, targets, observed[k], floor), use_d)
            if s.sanction_history == "all":  # plausible only if every run reproduces the record
                d[share < 1] = np.inf
                lmatch = np.where(share >= 1, 0.0, -np.inf)
            else:  # the likelihood of one observed history, estimated by the share of runs
                d[share <= 0] = np.inf
                with np.errstate(divide="ignore"):
                    lmatch = np.log(share)
            matched.append(float(np.mean(share)))
            lm = lmatch
            if g > 0:
                old = pops[k]
                proposals[k].append(Proposal(old.u, old.w, kernel_cov(old), float(np.log(inside_share(old, rng))), M))
                acc.append(float(np.mean(d <= old.eps)))
                uk, d, lm = (np.concatenate([old.u, uk]), np.concatenate([old.d, d]),
                             np.concatenate([lms[k], lmatch]))
            keep = np.argsort(d, kind="stable")[:N]
            if not np.isfinite(lm[keep]).any():
                raise CalibrationError(f"data set {k}: no run of generation {g} reproduces its sanction history")
            lwk = lm[keep]
            if g > 0:
                lwk = lwk + log_prior - mixture_log_density(uk[keep], proposals[k], M0, log_prior)
            w = np.exp(lwk - lwk.max())
            finite = np.isfinite(d[keep])
            new.append(Population(uk[keep], w / w.sum(), d[keep], float(d[keep][finite].max())))
            new_lm.append(lm[keep])
        pops, lms = new, new_lm
        eps_hist.append([p.eps for p in pops])
        ess = [1.0 / np.sum(p.w ** 2) for p in pops]
        log(f"generation {g}: {K * Mg} points ({len(batch.point)} runs), tolerance {np.median(eps_hist[-1]):.3g}"
            + (f" (median over {K} data sets)" if K > 1 else "") + f", ESS {np.median(ess):.0f} of {N}"
            + (f", {np.median(acc):.0%} of the new points within the last tolerance" if acc else "")
            + (f", {np.median(matched):.0%} of runs reproduce the sanction history" if (exact & use).any() else ""))
    return pops, eps_hist


def _log_rate_at_end(theta: np.ndarray, days: int) -> np.ndarray:
    """Per particle, log(monitoring_rate) + monitoring_growth x (days - 1) / 365: the log of the
    monitoring rate on the last day of a `days`-day timeline, before the cap at 1."""
    names = [p.label for p in PARAMETERS]
    growth = theta[:, names.index("monitoring_growth")] if "monitoring_growth" in names else 0.0
    return np.log(theta[:, names.index("monitoring_rate")]) + growth * (days - 1) / 365.0


def monitoring_rate_at_end(theta: np.ndarray, w: np.ndarray, days: int) -> dict:
    """Weighted median and 90% interval of the monitoring rate on the last day of a `days`-day
    timeline, monitoring_rate x exp(monitoring_growth x (days - 1) / 365) per particle (the
    model's daily trend, rules::grown_monitoring_rate): the level the fitted trend reaches, which
    the decree designs use (scenarios/decree_designs.toml) instead of extrapolating it."""
    end = np.minimum(0.0, _log_rate_at_end(theta, days))
    q = np.exp(weighted_quantile(end, w, [0.05, 0.5, 0.95]))
    return dict(day=days - 1, median=float(q[1]), q05=float(q[0]), q95=float(q[2]))


def attention_at_end(theta: np.ndarray, w: np.ndarray, days: int) -> dict:
    """Per platform with a fitted attention trend (a free parameter attention_growth[NAME]): the
    weighted median and 90% interval of the regulator's attention to it on the last day of a
    `days`-day timeline, exp(growth x (days - 1) / 365) (rules::grown_attention from 1), and of
    its monitoring rate then, min(1, that attention x the monitoring rate on the last day):
    {NAME: {day, median, q05, q95, rate_median, rate_q05, rate_q95}}."""
    names = [p.label for p in PARAMETERS]
    log_rate = _log_rate_at_end(theta, days)
    out = {}
    for j, label in enumerate(names):
        if not label.startswith("attention_growth["):
            continue
        a = theta[:, j] * (days - 1) / 365.0  # log attention on the last day
        q = np.exp(weighted_quantile(a, w, [0.05, 0.5, 0.95]))
        r = np.exp(weighted_quantile(np.minimum(0.0, log_rate + a), w,
                                     [0.05, 0.5, 0.95]))
        out[label[len("attention_growth["):-1]] = dict(day=days - 1, median=float(q[1]), q05=float(q[0]),
                                                       q95=float(q[2]), rate_median=float(r[1]),
                                                       rate_q05=float(r[0]), rate_q95=float(r[2]))
    return out


def summarise(pop: Population) -> pd.DataFrame:
    """Posterior median and 90% interval per parameter (natural units), and the interval's
    width as a share of the prior range on the prior's scale (log for log priors)."""
    rows = []
    for j, p in enumerate(PARAMETERS):
        q = weighted_quantile(pop.u[:, j], pop.w, [0.05, 0.5, 0.95])
        rows.append(dict(parameter=p.label, prior=f"{'log-uniform' if p.log else 'uniform'} {p.lo:g} .. {p.hi:g}",
                         median=float(p.from_u(q[1])), q05=float(p.from_u(q[0])), q95=float(p.from_u(q[2])),
                         width_share=float((q[2] - q[0]) / (p.u_hi - p.u_lo))))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def predictive_figure(path_h5: str, pop: Population, targets: pd.DataFrame, use: np.ndarray, out_png: str,
                      floor: np.ndarray | float = LOG_FLOOR, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Posterior predictive bands (model + observation error, weighted by the particles' weights;
    mixture_quantile) against every target; returns the table target, observed, q05, median, q95,
    covered, and covered_share (bootstrap_coverage, with `rng`, default seed 0)."""
    rng = np.random.default_rng(0) if rng is None else rng
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values, point, missing = model_targets(path_h5, targets)
    w = pop.w[point]
    scale = targets["scale"].to_numpy()
    sd = targets["obs_sd"].to_numpy(float)
    ymod = on_scale(values, scale, floor)
    sd = np.where(exact_targets(targets), 0.0, sd)  # the sanction history: a fact on record, no observation error
    rows = []
    for k, t in targets.iterrows():
        ok = ~np.isnan(ymod[:, k]) & (w > 0)
        if not ok.any():
            rows.append(dict(target=t["target"], observed=t["value"], q05=np.nan, median=np.nan, q95=np.nan,
                             model_q05=np.nan, model_q95=np.nan, covered=None, covered_share=None,
                             resolution=np.nan, used=bool(use[k])))
            continue
        # The posterior predictive of the observation: the weighted runs plus the observation error,
        # exactly (a mixture); linear targets are shares, and clipping to [0, 1] commutes with quantiles.
        q = mixture_quantile(ymod[ok, k], w[ok], float(sd[k]), [0.05, 0.5, 0.95])
        if scale[k] == "linear":
            q = np.clip(q, 0.0, 1.0)
        qm = weighted_quantile(ymod[ok, k], w[ok], [0.05, 0.95])
        back = (lambda v: np.exp(v)) if scale[k] == "log" else (lambda v: v)
        obs = on_scale(np.array([t["value"]]), np.array([scale[k]]), np.atleast_1d(floor)[k % np.size(floor)])[0]
        fl = float(np.atleast_1d(floor)[k % np.size(floor)])
        resolvable = scale[k] != "log" or t["value"] >= fl
        rows.append(dict(target=t["target"], observed=t["value"], q05=float(back(q[0])), median=float(back(q[1])),
                         q95=float(back(q[2])), model_q05=float(back(qm[0])), model_q95=float(back(qm[1])),
                         covered=bool(q[0] <= obs <= q[2]) if resolvable else None,
                         covered_share=bootstrap_coverage(ymod[ok, k], point[ok], pop.w, float(sd[k]), obs,
                                                          scale[k] == "linear", rng) if resolvable else None,
                         resolution=fl if scale[k] == "log" else np.nan, used=bool(use[k])))
    table = pd.DataFrame(rows)

    # Weekly compliance bands per platform (model only) with the targets' windows.
    comp_name = targets.loc[targets["kind"] == "window_mean", "outcome"]
    comp_name = comp_name.iloc[0] if len(comp_name) else "takedown_compliance_rate"
    with h5py.File(path_h5, "r") as f:
        platforms = _strings(f.attrs["platforms"])
        dates = pd.to_datetime(_strings(f["timeseries/date"][()]))
        comp = f["timeseries/" + comp_name][()]
    groups = [("takedown_compliance_rate", "global_social", f"Facebook (global_social): {comp_name}"),
              ("takedown_compliance_rate", "video_sharing", f"Google (video_sharing): {comp_name}"),
              ("window_total", "video_sharing", "Google: items requested per half-year"),
              ("window_total_honoured", "global_social", "Facebook: items restricted per half-year"),
              ("window_arrests", "", "arrests per year (model: sanctions x 70M internet users)"),
              ("window_status", "", "runs with a throttling or suspension in 2018-2019 (record: none)")]
    fig, axes = plt.subplots(3, 2, figsize=(11, 11))
    for ax, (what, plat, title) in zip(axes.ravel(), groups):
        ax.set_title(title, fontsize=10)
        if what == "takedown_compliance_rate":
            c = comp[:, :, platforms.index(plat)]
            lo_, med_, hi_ = [], [], []
            for r in range(c.shape[1]):
                ok = ~np.isnan(c[:, r])
                if ok.sum() < 2:
                    lo_.append(np.nan); med_.append(np.nan); hi_.append(np.nan)
                    continue
                q = weighted_quantile(c[ok, r], w[ok], [0.05, 0.5, 0.95])
                lo_.append(q[0]); med_.append(q[1]); hi_.append(q[2])
            ax.fill_between(dates, lo_, hi_, color="tab:blue", alpha=0.25, label="model 90% band (weekly)")
            ax.plot(dates, med_, color="tab:blue", lw=1, label="model median")
            sel = targets[(targets["kind"] == "window_mean") & (targets["platform"] == plat)]
            for k, t in sel.iterrows():
                a, b = pd.Timestamp(t["period_start"]), pd.Timestamp(t["period_end"])
                mid = a + (b - a) / 2
                ax.errorbar([mid], [t["value"]], yerr=[[1.645 * t["obs_sd"]]], xerr=[[mid - a], [b - mid]], fmt="o",
                            color="black", ms=4, capsize=2, label="reported (90% obs. error)" if k == sel.index[0] else None)
                r = table.loc[k]
                ax.errorbar([mid + pd.Timedelta(days=12)], [r["median"]], yerr=[[r["median"] - r["q05"]], [r["q95"] - r["median"]]],
                            fmt="s", color="tab:red", ms=3, capsize=2,
                            label="predictive 90% (window mean + obs. error)" if k == sel.index[0] else None)
            ax.axvspan(pd.Timestamp("2020-02-15"), pd.Timestamp("2020-04-05"), color="grey", alpha=0.2, label="throttling (input)")
            ax.set_ylim(-0.02, 1.05)
            ax.tick_params(axis="x", labelsize=7, rotation=30)
            ax.legend(fontsize=7, loc="lower right")
        elif what == "window_status":  # matched exactly: the share of predictive runs that break the record
            sel = targets[targets["kind"] == what]
            hit = values[:, sel.index[use[sel.index]]] > 0
            shares = [float(np.sum(w * h) / np.sum(w)) for h in [*hit.T, hit.any(axis=1)]]
            names = [*sel.loc[use[sel.index], "platform"], "any platform"]
            ax.bar(np.arange(len(shares)), shares, color=["tab:red"] * (len(shares) - 1) + ["darkred"], alpha=0.7,
                   label="posterior predictive runs (weighted)")
            for i, v in enumerate(shares):
                ax.text(i, v, f"{v:.1%}", ha="center", va="bottom", fontsize=8)
            ax.axhline(0.05, ls="--", color="black", lw=1, label="at most 5 % asked (record: none)")
            ax.set_xticks(np.arange(len(shares)))
            ax.set_xticklabels(names, fontsize=8)
            ax.set_ylim(0, max(0.1, np.nanmax(shares + [0]) * 1.3))
            ax.legend(fontsize=7)
        else:
            sel = targets[(targets["kind"] == what) & ((targets["platform"] == plat) | (plat == ""))]
            x = np.arange(len(sel))
            for i, (k, t) in enumerate(sel.iterrows()):
                r = table.loc[k]
                if not np.isnan(r["median"]):
                    ax.errorbar([i + 0.1], [r["median"]], yerr=[[r["median"] - r["q05"]], [r["q95"] - r["median"]]],
                                fmt="s", color="tab:red", ms=4, capsize=3, label="posterior predictive 90%" if i == 0 else None)
                else:
                    ax.text(i, 0.5, "not in\nthis model", transform=ax.get_xaxis_transform(), ha="center", fontsize=7)
                if t["scale"] == "log":
                    lo_o, hi_o = t["value"] * np.exp(-1.645 * t["obs_sd"]), t["value"] * np.exp(1.645 * t["obs_sd"])
                else:
                    lo_o, hi_o = max(0.0, t["value"] - 1.645 * t["obs_sd"]), t["value"] + 1.645 * t["obs_sd"]
                ax.errorbar([i - 0.1], [t["value"]], yerr=[[t["value"] - lo_o], [hi_o - t["value"]]], fmt="o",
                            color="black", ms=4, capsize=3, label="reported (90% obs. error)" if i == 0 else None)
            fl = float(np.atleast_1d(floor)[sel.index[0] % np.size(floor)]) if len(sel) else LOG_FLOOR
            if what == "window_arrests" and len(sel) and fl > LOG_FLOOR:
                ax.axhline(fl, ls="--", color="grey", lw=1, label="sample resolution (half a sanction)")
            labels = [f"{str(t['period_start'])[:7]}" if what != "window_status" else t["platform"] for _, t in sel.iterrows()]
            ax.set_xticks(x)
            ax.set_xticklabels(labels, fontsize=8, rotation=30 if len(x) > 3 else 0)
            if len(sel) and sel["scale"].iloc[0] == "log":
                ax.set_yscale("log")
            ax.legend(fontsize=7)
    fig.suptitle("Posterior predictive check: Vietnam 2018-2020 (weighted over the posterior draws)", fontsize=11)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return table


def sanctioned_run_share(path_h5: str, w_point: np.ndarray, start: str = "2018-01-01", end: str = "2019-12-31") -> float:
    """Weighted share of the runs in which any platform was throttled or suspended (weekly
    platform_status > 0) in some week from `start` to `end` (2018-2019 has no scheduled event)."""
    with h5py.File(path_h5, "r") as f:
        dates = pd.to_datetime(_strings(f["timeseries/date"][()])).to_numpy()
        status = f["timeseries/platform_status"][()]
        point = f["runs/point"][()].astype(np.int64)
        ok = f["runs/status"][()] == 0
    sel = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
    any_ = np.any(status[:, sel, :] > 0, axis=(1, 2))
    w = w_point[point] * ok
    return float(np.sum(w * any_) / np.sum(w))


def pairs_figure(pop: Population, out_png: str) -> None:
    """Pairwise posterior scatter (colour: weight) and weighted marginal histograms, on the priors'
    scales and ranges (log axes for log-uniform priors), so what is and is not identified shows."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def short(label: str) -> str:
        return (label.replace("reputation_weight", "reputation").replace("[global_social]", "\n(global_social)")
                .replace("[video_sharing]", "\n(video_sharing)").replace("_credibility", " cred.")
                .replace("credibility_learning", "cred. learning"))

    d = len(PARAMETERS)
    fig, axes = plt.subplots(d, d, figsize=(13, 13))
    order = np.argsort(pop.w)
    for i, pi in enumerate(PARAMETERS):
        for j, pj in enumerate(PARAMETERS):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(pop.u[:, j], bins=20, range=(pj.u_lo, pj.u_hi), weights=pop.w, color="tab:blue")
                ax.set_yticks([])
            else:
                ax.scatter(pop.u[order, j], pop.u[order, i], c=pop.w[order], s=6, cmap="viridis")
                ax.set_ylim(pi.u_lo, pi.u_hi)
            ax.set_xlim(pj.u_lo, pj.u_hi)
            if i == d - 1:
                ax.set_xlabel(("log " if pj.log else "") + short(pj.label), fontsize=7)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(("log " if pi.log else "") + short(pi.label), fontsize=7)
            elif i != j:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=6)
    fig.suptitle("Posterior draws (axes span the prior; colour: weight)", fontsize=11)
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

#: The expected_* outcomes: at the calibrated request volume a sample sees few requests and
#: sanctions, so the realised rates are mostly undefined or 0 (docs/model.md, Outcomes).
DESIGN_COLUMNS = ("self_censorship_rate", "lawful_self_censorship_rate", "lawful_legal_chilling_rate",
                  "wrongful_removals_per_100k", "expected_takedown_compliance_rate[global_social]",
                  "expected_takedown_compliance_rate[video_sharing]", "expected_users_sanctioned_per_100k")


def design_table(path: str, columns: Sequence[str] = DESIGN_COLUMNS) -> str:
    """The decree-design table of docs/calibration.md from a sweep of scenarios/decree_designs.toml:
    per design and outcome, the mean over the posterior draws (weighted by /design/weight when
    present) and, against the first design, the paired difference's mean and 90% interval over
    the draws (each draw runs every design with the same random numbers). Markdown."""
    from .loader import load

    res = load(path)
    runs = res.runs[res.runs["status"] == 0]
    with h5py.File(path, "r") as f:
        w_point = f["design/weight"][()] if "design/weight" in f else None
    names = res.design_names
    ref = names[0]
    lines = ["| design | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name in names:
        cells = []
        for c in columns:
            if c not in runs.columns:
                cells.append("n/a")
                continue
            a = runs[runs["design"] == name].set_index(["point", "replicate"])[c]
            b = runs[runs["design"] == ref].set_index(["point", "replicate"])[c]
            pair = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
            ww = (np.asarray(w_point)[pair.index.get_level_values(0)] if w_point is not None
                  else np.ones(len(pair)))
            if len(pair) == 0:
                cells.append("n/a")
                continue
            mean = float(np.average(a.dropna(), weights=(np.asarray(w_point)[a.dropna().index.get_level_values(0)]
                                                         if w_point is not None else None)))
            if name == ref:
                cells.append(f"{mean:.3g}")
            else:
                dd = (pair["a"] - pair["b"]).to_numpy()
                q = weighted_quantile(dd, ww, [0.05, 0.95])
                cells.append(f"{mean:.3g} ({np.average(dd, weights=ww):+.3g} [{q[0]:+.2g}, {q[1]:+.2g}])")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_medians(toml_path: str, theta: np.ndarray, w: np.ndarray) -> int:
    """Rewrites the values marked "# posterior median" in a scenario file (the single-value
    timeline scenarios/vietnam_2018_2020.toml) with this posterior's weighted medians and 90%
    intervals; a line's dotted name comes from its table ([regulator], [platform],
    [[platforms]] with its name). Returns the number of lines rewritten."""
    import re

    stats = {}
    for j, p in enumerate(PARAMETERS):
        q = p.from_u(weighted_quantile(p.to_u(theta[:, j]), w, [0.05, 0.5, 0.95]))  # as summarise: on the prior's scale
        for c in p.columns:
            stats[c] = q
    def fmt(v: float) -> str:  # three significant digits, no exponent between 1e-3 and 1e6
        if v != 0 and 1e3 <= abs(v) < 1e6:
            return f"{round(v, 2 - int(np.floor(np.log10(abs(v))))):.0f}"
        return f"{v:.3g}".replace("e-0", "e-").replace("e+0", "e+")
    lines, table, platform, n = [], "", "", 0
    with open(toml_path) as f:
        for line in f:
            if m := re.match(r"\s*\[\[?([A-Za-z_.]+)\]?\]", line):
                table, platform = m.group(1), ""
            elif table == "platforms" and (m := re.match(r'\s*name\s*=\s*"([^"]+)"', line)):
                platform = m.group(1)
            m = re.match(r"(\s*)([A-Za-z_]+)(\s*=\s*)([^#]+?)(\s*)# posterior median.*$", line)
            if m:
                dotted = f"platforms.{platform}.{m.group(2)}" if table == "platforms" else f"{table}.{m.group(2)}"
                if dotted in stats:
                    lo, med, hi = stats[dotted]
                    value = fmt(med)
                    line = (f"{m.group(1)}{m.group(2)}{m.group(3)}{value}{' ' * max(1, len(m.group(4) + m.group(5)) - len(value))}"
                            f"# posterior median (90% interval {fmt(lo)} .. {fmt(hi)}; docs/calibration.md)\n")
                    n += 1
            lines.append(line)
    with open(toml_path, "w") as f:
        f.writelines(lines)
    return n


def summary_markdown(path: str) -> str:
    """The tables of docs/calibration.md's results from a vietnam_calibration_summary.json:
    the run, the posterior (median and 90% interval per parameter, interval width as a share
    of the prior range on the prior's scale) and the posterior predictive check."""
    with open(path) as f:
        r = json.load(f)
    st = r["settings"]
    out = [f"Run: {st['users']:,} users per run, N = {st['particles']}, M = {st['proposals']}, "
           f"{st['generations']} generations, seed {st['seed']}; {r['runs']:,} runs, "
           f"{r['wall_seconds'] / 60:.1f} min wall time ({r['sweep_seconds'] / 60:.1f} min in sweeps); "
           f"{r['targets_used']} targets used"
           + (f" ({len(r['targets_missing'])} not in the model's results)" if r["targets_missing"] else "") + ".",
           "Tolerance by generation: " + ", ".join(f"{e:.3g}" for e in r["tolerance"]) + ".",
           f"Posterior predictive runs (weighted) with any platform throttled or suspended in some week of "
           f"2018-2019: {r['runs_sanctioned_2018_2019']:.1%}."]
    if "monitoring_rate_at_end" in r:
        e = r["monitoring_rate_at_end"]
        out.append(f"Monitoring rate on the last day (day {e['day']}, where the fitted trend has brought it): "
                   f"median {e['median']:.3g}, 90% interval {e['q05']:.3g} .. {e['q95']:.3g}.")
    for name, e in r.get("attention_at_end", {}).items():
        out.append(f"Attention to {name} on that day (its fitted trend from 1): median {e['median']:.3g}, 90% interval "
                   f"{e['q05']:.3g} .. {e['q95']:.3g}; so its items are reviewed at {e['rate_median']:.3g} "
                   f"({e['rate_q05']:.3g} .. {e['rate_q95']:.3g}) a day.")
    out += ["", "| parameter | prior | median | 90% interval | interval / prior range |", "|---|---|---:|---|---:|"]
    for p in r["posterior"]:
        out.append(f"| {p['parameter']} | {p['prior']} | {p['median']:.3g} | {p['q05']:.3g} .. {p['q95']:.3g} | "
                   f"{p['width_share']:.2f} |")
    def has_share(t: dict) -> bool:
        v = t.get("covered_share")
        return v is not None and not (isinstance(v, float) and np.isnan(v))

    share = any(has_share(t) for t in r["predictive"])
    out += ["", "| target | observed | predictive 90% (model + obs. error) | model alone 90% | covered |"
            + (" covered in bootstrap samples |" if share else ""),
            "|---|---:|---|---|---|" + ("---:|" if share else "")]
    for t in r["predictive"]:
        if t["q05"] is None or (isinstance(t["q05"], float) and np.isnan(t["q05"])):
            out.append(f"| {t['target']} | {t['observed']:.4g} | not in the model's results | | |")
            continue
        cov = {True: "yes", False: "**no**", None: "below resolution"}[t["covered"]]
        out.append(f"| {t['target']} | {t['observed']:.4g} | {t['q05']:.3g} .. {t['q95']:.3g} (median {t['median']:.3g}) "
                   f"| {t['model_q05']:.3g} .. {t['model_q95']:.3g} | {cov} |"
                   + ((f" {t['covered_share']:.0%} |" if has_share(t) else " |") if share else ""))
    return "\n".join(out)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true",
                   help="a tiny run for the test suite (1,000 users, 16 particles, 32 proposals, 2 generations)")
    p.add_argument("-o", "--output-dir", metavar="DIR",
                   help="write the posterior, summary and figures here (default: the posterior to "
                        "scenarios/calibration/vietnam_posterior.csv, figures to docs/img/)")
    p.add_argument("--binary", metavar="PATH", help="the complysim binary (default: build/release/sim/complysim)")
    p.add_argument("--scenario", default=SCENARIO, help="the timeline (default: scenarios/vietnam_2018_2020.toml)")
    p.add_argument("--targets", default=TARGETS, help="targets (default: data/vietnam_calibration_targets.csv)")
    p.add_argument("--users", type=int, help="simulated users per run (default 1,000)")
    p.add_argument("--particles", type=int, help="N, the population size: rows of the posterior sample (default 200)")
    p.add_argument("--proposals", type=int, help="M, new runs per generation; the N best of old and new are kept (default 400)")
    p.add_argument("--generations", type=int, help="generations (default 8)")
    p.add_argument("--initial-proposals", type=int, dest="initial_proposals",
                   help="M0, points drawn from the prior in generation 0 (default 1,200; quick 32): a wide "
                        "first look, so that a narrow mode of the posterior is not missed")
    p.add_argument("--replicates", type=int,
                   help="runs per point (default 12; quick 1): with --sanction-history all, a point is kept only "
                        "if none of its runs throttles a platform in 2018-2019; its summaries are their mean")
    p.add_argument("--sanction-history", choices=["all", "likelihood"], dest="sanction_history",
                   help="'all' (default): a point is ruled out unless every one of its runs reproduces the "
                        "sanction history (a plausibility constraint); 'likelihood': it is weighted by the "
                        "share of its runs that do (the likelihood of one observed history)"),
    p.add_argument("--threads", type=int, default=2, help="threads of each sweep (default 2)")
    p.add_argument("--seed", type=int, default=20180101, help="seed of the proposals and of the model runs")
    p.add_argument("--recover", type=int, metavar="K", default=0,
                   help="parameter recovery instead: K synthetic data sets simulated at parameters drawn "
                        "from the prior, each calibrated; prints the coverage of the 90%% intervals and "
                        "exits 1 if it is below --min-coverage")
    p.add_argument("--min-coverage", type=float, default=0.75, help="(with --recover) default 0.75")
    p.add_argument("--design-table", metavar="FILE.h5",
                   help="only print the decree-design table of docs/calibration.md from a sweep of "
                        "scenarios/decree_designs.toml (means over the posterior draws; paired "
                        "differences against the first design with 90%% intervals over the draws)")
    p.add_argument("--predictive", action="store_true",
                   help="no fit: re-run the posterior predictive check of the posterior already written "
                        "(scenarios/calibration/vietnam_posterior.csv, or -o DIR's) with the fit's seed and "
                        "runs, redraw calibration_predictive.png and rewrite the predictive table of the "
                        "summary JSON beside the posterior")
    p.add_argument("--summary-markdown", metavar="FILE.json",
                   help="only print docs/calibration.md's result tables from a vietnam_calibration_summary.json")
    p.add_argument("--label", default="", metavar="TEXT",
                   help="a first comment line for the posterior files (e.g. which model version ran)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (points files, results)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="passed to every sweep (e.g. a cheaper configuration)")


def settings_from(args) -> Settings:
    s = Settings.quick() if args.quick else Settings()
    for k in ("users", "particles", "proposals", "initial_proposals", "generations", "replicates", "threads", "seed",
              "sanction_history"):
        v = getattr(args, k)
        if v is not None:
            setattr(s, k, v)
    if s.particles < 2 or s.proposals < s.particles or s.generations < 1 or s.users < 10 or s.replicates < 1:
        raise CalibrationError("need particles >= 2, proposals >= particles, generations >= 1, users >= 10, "
                               "replicates >= 1")
    return s


def run(args) -> int:
    if args.summary_markdown:
        print(summary_markdown(args.summary_markdown))
        return 0
    if args.design_table:
        if not os.path.isfile(args.design_table):
            raise CalibrationError(f"{args.design_table}: no such file")
        print(design_table(args.design_table))
        return 0
    t_start = time.monotonic()
    s = settings_from(args)
    targets = read_targets(args.targets)
    binary = find_binary(args.binary)
    out_dir = args.output_dir
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
    if args.predictive:
        predictive_paths(out_dir)  # before any run: both files must be there
    rng = np.random.default_rng(s.seed)
    work = tempfile.mkdtemp(prefix="complysim-calibrate-")
    log = lambda m: print(m, flush=True)  # noqa: E731
    try:
        runner = Runner(binary, args.scenario, work, s.users, s.threads, args.set, log)
        # Which targets does this model give? One cheap probe run at the prior's centre.
        lo, hi = prior_lo_hi()
        probe = runner.sweep("probe", to_natural(((lo + hi) / 2)[None, :]), s.seed)
        runner.represented = represented_users(probe)
        _, _, missing = model_targets(probe, targets)
        use = ~targets["target"].isin(missing).to_numpy()
        if missing:
            log(f"note: the model's results have no {sorted(set(targets.loc[~use, 'outcome']))}: "
                f"{len(missing)} targets left out ({', '.join(missing)})")
        log(f"{use.sum()} targets, {len(PARAMETERS)} free parameters; N = {s.particles}, M = {s.proposals}, "
            f"{s.generations} generations, {s.users} users per run, binary {binary}")

        def simulate(u: np.ndarray, g: int, tag: str = "gen", replicates: int | None = None) -> Batch:
            path = runner.sweep(f"{tag}{g}", to_natural(u), s.seed + 1000 * (g + 1),
                                replicates=s.replicates if replicates is None else replicates)
            values, point, _ = model_targets(path, targets)
            return Batch(values, point)

        if args.recover:
            return recover(args, s, targets, use, runner, simulate, rng, log, out_dir, t_start)
        if args.predictive:
            return predictive_only(s, targets, use, runner, represented_users(probe), out_dir, log)

        floor = floors(targets, s.users, represented_users(probe))
        pops, eps = abc_smc(simulate, targets["value"].to_numpy(float)[None, :], targets, use, s, rng, floor=floor, log=log)
        pop = pops[0]
        theta = to_natural(pop.u)
        summary = summarise(pop)
        post_path = os.path.join(out_dir, "vietnam_posterior.csv") if out_dir else POSTERIOR
        os.makedirs(os.path.dirname(post_path), exist_ok=True)
        label = (args.label + "\n") if args.label else ""
        write_points(post_path, theta, pop.w, comment=label + (
            "Posterior sample of the Vietnam 2018-2020 calibration (ABC-SMC, docs/calibration.md):\n"
            "one row per particle, the free parameters (shared ones repeated per platform) and a weight.\n"
            f"{s.particles} particles, {s.generations} generations of {s.proposals} runs, {s.users} users per run,\n"
            f"final tolerance {pop.eps:.4g}, seed {s.seed}; {int(use.sum())} of {len(targets)} targets "
            f"({', '.join(missing) if missing else 'none'} not in the model's results).\n"
            "A points file: [sweep] design = \"file\", points_file = \"vietnam_posterior.csv\"."))
        with h5py.File(probe, "r") as f:
            days = int(f["timeseries/day"][-1]) + 1
        draws_path = os.path.join(os.path.dirname(post_path), PLATFORM_DRAWS)
        write_platform_draws(draws_path, theta, pop.w, rng, header=label + (
            f"{PLATFORM_DRAW_COUNT} equal-weight draws (systematic resampling) of {os.path.basename(post_path)},\n"
            "the platforms' parameters only (each decree design sets the regulator's own);\n"
            "crossed with the decree designs by scenarios/decree_designs.toml;\n"
            f"an attention trend is given as the attention it reaches on day {days - 1} (not extrapolated)."), days=days)
        fig_dir = out_dir or FIGURES
        table, sanctioned = posterior_predictive(runner, theta, pop, s, targets, use, fig_dir, floor)
        pairs_figure(pop, os.path.join(fig_dir, "calibration_pairs.png"))
        end_rate = monitoring_rate_at_end(theta, pop.w, days)
        end_attention = attention_at_end(theta, pop.w, days)
        if out_dir is None and os.path.abspath(args.scenario) == os.path.abspath(SCENARIO):
            n = update_medians(SCENARIO, theta, pop.w)
            log(f"updated {n} posterior medians in {os.path.relpath(SCENARIO, ROOT)}")
        wall = time.monotonic() - t_start
        report = dict(settings=dataclasses.asdict(s), targets_used=int(use.sum()), targets_missing=missing,
                      runs_sanctioned_2018_2019=sanctioned, monitoring_rate_at_end=end_rate,
                      attention_at_end=end_attention,
                      tolerance=[e[0] for e in eps], runs=runner.runs, sweep_seconds=round(runner.seconds, 1),
                      wall_seconds=round(wall, 1), binary=binary,
                      posterior=summary.to_dict(orient="records"), predictive=table.to_dict(orient="records"))
        summ_path = os.path.join(out_dir or os.path.dirname(post_path), "vietnam_calibration_summary.json")
        write_json(summ_path, report)
        pd.set_option("display.width", 200)
        log("\nposterior (median, 90% interval; width_share: interval / prior range on the prior's scale):")
        log(summary.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        log("\nposterior predictive (90% of model + observation error):")
        log("(covered None: not in the model's results, or the observed value is below what the sample resolves)")
        log(table[["target", "observed", "q05", "median", "q95", "covered", "covered_share", "resolution", "used"]].to_string(
            index=False, float_format=lambda v: f"{v:.4g}"))
        log(f"\nwrote {post_path}, {summ_path}, {fig_dir}/calibration_predictive.png, calibration_pairs.png")
        log(f"posterior predictive runs with a platform throttled or suspended in 2018-2019: {sanctioned:.1%}")
        log(f"monitoring rate on the last day (day {end_rate['day']}): median {end_rate['median']:.3g}, "
            f"90% {end_rate['q05']:.3g} .. {end_rate['q95']:.3g} (scenarios/decree_designs.toml uses the median)")
        for name, e in end_attention.items():
            log(f"attention to {name} on the last day: median {e['median']:.3g}, 90% {e['q05']:.3g} .. {e['q95']:.3g}; "
                f"its monitoring rate then {e['rate_median']:.3g} ({e['rate_q05']:.3g} .. {e['rate_q95']:.3g})")
        log(f"{runner.runs} runs in {runner.seconds:.0f} s of sweeps; wall time {wall:.0f} s")
        return 0
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def posterior_predictive(runner: Runner, theta: np.ndarray, pop: Population, s: Settings, targets: pd.DataFrame,
                         use: np.ndarray, fig_dir: str, floor: np.ndarray | float) -> tuple[pd.DataFrame, float]:
    """The posterior predictive check: one sweep of every particle (theta, natural units [N, d])
    with R = s.replicates runs and seed s.seed + 999,999 (never used by the fit), drawn into
    fig_dir/calibration_predictive.png; returns predictive_figure's table and the weighted
    share of runs that throttle or suspend a platform in 2018-2019 (sanctioned_run_share)."""
    pred = runner.sweep("predictive", theta, s.seed + 999_999, pop.w, replicates=s.replicates)
    os.makedirs(fig_dir, exist_ok=True)
    table = predictive_figure(pred, pop, targets, use, os.path.join(fig_dir, "calibration_predictive.png"), floor)
    return table, sanctioned_run_share(pred, pop.w)


def write_json(path: str, obj: dict) -> None:
    """Writes obj as indented JSON through a temporary name, so that an interrupted write
    leaves any earlier file whole."""
    tmp_path = path + ".part"
    with open(tmp_path, "w") as f:
        json.dump(obj, f, indent=1, default=float)
    os.replace(tmp_path, path)


def predictive_paths(out_dir: str | None) -> tuple[str, str]:
    """The posterior and summary that `--predictive` reads; raises CalibrationError if either is missing."""
    post_path = os.path.join(out_dir, "vietnam_posterior.csv") if out_dir else POSTERIOR
    summ_path = os.path.join(os.path.dirname(post_path), "vietnam_calibration_summary.json")
    for path in (post_path, summ_path):
        if not os.path.isfile(path):
            raise CalibrationError(f"{path}: no such file (run the calibration first)")
    return post_path, summ_path


def predictive_only(s: Settings, targets: pd.DataFrame, use: np.ndarray, runner: Runner, represented: float,
                    out_dir: str | None, log: Callable[[str], None]) -> int:
    """`--predictive`: the posterior predictive check of a posterior already written, without
    fitting. Runs its particles as the fit did, with the fit's users, seed and runs per particle
    (from the summary's settings, whatever the command line says; seed + 999,999), so the model
    values are the fit's own; redraws calibration_predictive.png and rewrites `predictive` and
    `runs_sanctioned_2018_2019` in the summary JSON beside the posterior. Raises
    CalibrationError when the posterior or the summary is missing, lacks a parameter, or has
    weights that are not finite, non-negative and of positive sum."""
    post_path, summ_path = predictive_paths(out_dir)
    with open(summ_path) as f:
        report = json.load(f)
    fit = report.get("settings", {})
    for k in ("users", "seed", "replicates"):
        if k in fit and getattr(s, k) != fit[k]:
            log(f"note: {k} = {fit[k]} as in the fit (not {getattr(s, k)})")
            setattr(s, k, int(fit[k]))
    runner.users = s.users
    df = pd.read_csv(post_path, comment="#")
    absent = [p.columns[0] for p in PARAMETERS if p.columns[0] not in df.columns] + \
        (["weight"] if "weight" not in df.columns else [])
    if absent:
        raise CalibrationError(f"{post_path}: no column {', '.join(absent)}")
    theta = np.column_stack([df[p.columns[0]].to_numpy(float) for p in PARAMETERS])
    w = df["weight"].to_numpy(float)
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
        raise CalibrationError(f"{post_path}: weights must be finite, non-negative and not all 0")
    pop = Population(to_u(theta), w / w.sum(), np.zeros(len(w)), float("nan"))
    fig_dir = out_dir or FIGURES
    table, report["runs_sanctioned_2018_2019"] = posterior_predictive(
        runner, theta, pop, s, targets, use, fig_dir, floors(targets, s.users, represented))
    report["predictive"] = table.to_dict(orient="records")
    write_json(summ_path, report)
    log(table[["target", "observed", "q05", "median", "q95", "covered", "covered_share"]].to_string(
        index=False, float_format=lambda v: f"{v:.4g}"))
    log(f"posterior predictive runs with a platform throttled or suspended in 2018-2019: "
        f"{report['runs_sanctioned_2018_2019']:.1%}")
    log(f"rewrote {summ_path} (predictive) and {fig_dir}/calibration_predictive.png; {runner.runs} runs")
    return 0


def recover(args, s: Settings, targets: pd.DataFrame, use: np.ndarray, runner: Runner, simulate, rng, log,
            out_dir: str | None, t_start: float) -> int:
    """Parameter recovery: K truths drawn from the prior (among draws whose run, like the real record, has
    no throttling in 2018-2019); synthetic data = one run at each truth
    (its own seed, never used by the fit) plus observation error drawn from the targets' obs_sd
    (none on the sanction history, which is matched exactly); then ABC-SMC on all K at once. Coverage of the 90% intervals over (data set, parameter) pairs."""
    K = args.recover
    lo, hi = prior_lo_hi()
    # One history per truth, as the real data are one (seed s.seed + 1000: the fit's generations use 2000, 3000, ...).
    # Truths are drawn from the prior until K of them have a history like the real one: no platform throttled
    # or suspended in 2018-2019 (the constraint the fit applies is built for that record; a throttled synthetic
    # record would ask every run of a point to throttle the same platforms).
    cand_u = lo + (hi - lo) * rng.random((4 * K, len(lo)))
    cand = simulate(cand_u, 0, tag="truth", replicates=1)
    cand_vals = mean_by_point(cand.values, cand.point, len(cand_u))
    exact = exact_targets(targets)
    clean = np.flatnonzero(history_matches(cand_vals, exact & use, targets["value"].to_numpy(float)))
    if len(clean) < K:
        raise CalibrationError(f"only {len(clean)} of {len(cand_u)} prior draws have a history without "
                               f"throttling; need {K}")
    truth_u, vals = cand_u[clean[:K]], cand_vals[clean[:K]]
    log(f"{K} truths: the first {K} of {len(cand_u)} prior draws whose run throttles nothing in 2018-2019 "
        f"({len(clean)} do)")
    s_fit = dataclasses.replace(s, seed=s.seed)
    scale = targets["scale"].to_numpy()
    sd = targets["obs_sd"].to_numpy(float)
    floor = floors(targets, s.users, runner.represented)
    noisy = on_scale(vals, scale, floor) + rng.standard_normal(vals.shape) * sd
    observed = np.where(scale == "log", np.exp(noisy), noisy)
    observed[:, exact] = vals[:, exact]  # the sanction history is a fact, matched exactly: no observation error
    observed = np.where(np.isnan(observed), targets["value"].to_numpy(float), observed)

    def sim_fit(u, g):
        return simulate(u, g + 1, tag="fit")

    pops, _ = abc_smc(sim_fit, observed, targets, use, s_fit, rng, floor=floor, log=log)
    rows = []
    for k, pop in enumerate(pops):
        for j, p in enumerate(PARAMETERS):
            q = weighted_quantile(pop.u[:, j], pop.w, [0.05, 0.95])
            rows.append(dict(dataset=k, parameter=p.label, truth=float(p.from_u(truth_u[k, j])),
                             q05=float(p.from_u(q[0])), q95=float(p.from_u(q[1])),
                             covered=bool(q[0] <= truth_u[k, j] <= q[1]),
                             width_share=float((q[1] - q[0]) / (p.u_hi - p.u_lo))))
    res = pd.DataFrame(rows)
    cov = res["covered"].mean()
    by = res.groupby("parameter", sort=False).agg(coverage=("covered", "mean"), width_share=("width_share", "median"))
    log("\nrecovery: coverage of the 90% intervals and median interval width (share of the prior range):")
    log(by.to_string(float_format=lambda v: f"{v:.2f}"))
    wall = time.monotonic() - t_start
    log(f"overall coverage {cov:.3f} over {len(res)} (data set, parameter) pairs; {runner.runs} runs, "
        f"wall time {wall:.0f} s")
    if out_dir:
        res.to_csv(os.path.join(out_dir, "recovery.csv"), index=False)
        by.to_csv(os.path.join(out_dir, "recovery_by_parameter.csv"))
    if cov < args.min_coverage:
        log(f"FAIL: coverage {cov:.3f} < {args.min_coverage}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="calibrate", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return run(args)
    except CalibrationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
