#!/usr/bin/python3
"""Does complysim agree with the NumPy reference implementation? (issue 7, item 2)

Runs the same scenario in both -- complysim through `complysim run -o` (read
back with h5py), the reference in-process -- with R replicates each, and checks
for self_censorship_rate, lawful_self_censorship_rate and
takedown_compliance_rate (per platform) that the two replicate means agree:
a Welch two-sample t-test, Bonferroni-corrected over the compared outcomes
(family-wise 5%), i.e. the difference of means lies within the combined
confidence interval at level 1 - 0.05 / comparisons. Prints one row per
comparison. Exit 0 agree, 1 disagree, 77 h5py or scipy missing (ctest skip).

Usage: check_agreement.py COMPLYSIM_BINARY SCENARIO [--users N] [--days N] [--replicates R]
"""
from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
    from scipy import stats
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import complysim_ref  # noqa: E402

COMPARED = ["self_censorship_rate", "lawful_self_censorship_rate", "takedown_compliance_rate"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("complysim")
    ap.add_argument("scenario")
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--replicates", type=int, default=8)
    a = ap.parse_args()
    sets = [f"population.users={a.users}", f"simulation.days={a.days}"]

    with tempfile.TemporaryDirectory(prefix="complysim-ref-") as tmp:
        out = pathlib.Path(tmp) / "out.h5"
        cmd = [a.complysim, "run", a.scenario, "-q", "-o", str(out), "--replicates", str(a.replicates)]
        for s in sets:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            ok = f["/runs/status"][:] == 0
            platforms = list(f.attrs["platforms"])
            cs = {k: f[f"/runs/outcomes/{k}"][:][ok] for k in COMPARED}

    sc = complysim_ref.load_scenario(a.scenario, sets)
    summaries, secs = complysim_ref.run_replicates(sc, a.replicates, int(sc["simulation"]["seed"]))
    ref = {k: np.array([s[k] for s in summaries], float) for k in COMPARED}

    rows = []
    for k in COMPARED:
        x, y = np.asarray(cs[k], float), ref[k]
        if x.ndim == 1:
            rows.append((k, "", x, y))
        else:
            rows += [(k, p, x[:, i], y[:, i]) for i, p in enumerate(platforms)]
    alpha = 0.05 / len(rows)
    print(f"{a.replicates} replicates each, {a.users} users, {a.days} days; reference {secs:.1f} s")
    print(f"Welch test per outcome at alpha = 0.05 / {len(rows)} = {alpha:.4f} (Bonferroni)\n")
    print(f"{'outcome':30s} {'platform':14s} {'complysim':>10s} {'reference':>10s} {'diff':>9s} {'CI half':>9s} {'p':>7s}")
    failed = 0
    for name, plat, x, y in rows:
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        if x.size < 2 or y.size < 2:
            print(f"{name:30s} {plat:14s} too few finite replicates")
            failed += 1
            continue
        vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
        se = np.sqrt(vx + vy)
        df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1)) if se > 0 else 1.0
        half = stats.t.ppf(1 - alpha / 2, df) * se
        p = stats.ttest_ind(x, y, equal_var=False).pvalue if se > 0 else 1.0
        diff = x.mean() - y.mean()
        ok = abs(diff) <= half
        failed += not ok
        print(f"{name:30s} {plat:14s} {x.mean():10.4f} {y.mean():10.4f} {diff:+9.4f} {half:9.4f} {p:7.3f}"
              f"{'' if ok else '   DISAGREE'}")
    print("\nagree" if not failed else f"\n{failed} outcome(s) disagree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
