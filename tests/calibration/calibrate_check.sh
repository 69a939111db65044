#!/bin/sh
# The calibration command end to end (analysis/calibrate.py; docs/calibration.md).
# usage: calibrate_check.sh quick|recovery COMPLYSIM SOURCE_DIR
#  quick:    `calibrate.py --quick` (1,000 users, 16 particles, 2 generations): the posterior
#            sample is a valid points file (a sweep over it plans 16 points with weights),
#            its weights sum to 1, every free parameter lies in its prior range, the summary
#            and both figures exist; `--predictive` re-runs the check of that posterior with the
#            same intervals.
#  recovery: 10 synthetic data sets at parameters drawn from the prior, each calibrated on a
#            cheap configuration (1,000 users, 100 particles, 400 points in generation 0 and
#            200 in each of 3 more per data set, 2 runs per point, truths among 40 prior draws: 20,041 runs); calibrate.py
#            exits 1 unless the 90% intervals cover the
#            truth in at least 75% of the (data set, parameter) pairs.
set -eu
mode=$1 bin=$2 src=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/complysim-calibrate-check-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg
if [ "$mode" = recovery ]; then
  /usr/bin/python3 "$src/analysis/calibrate.py" --binary "$bin" --recover 10 --users 1000 --particles 100 --replicates 2 --initial-proposals 400 \
      --proposals 200 --generations 4 -o "$tmp"
  exit $?
fi
/usr/bin/python3 "$src/analysis/calibrate.py" --binary "$bin" --quick -o "$tmp/out" | tee "$tmp/log.txt"
for f in vietnam_posterior.csv vietnam_calibration_summary.json calibration_predictive.png calibration_pairs.png; do
  test -s "$tmp/out/$f" || { echo "missing $f"; exit 1; }
done
cat > "$tmp/post.toml" <<TOML
extends = "$src/scenarios/vietnam_2018_2020.toml"
[sweep]
design = "file"
points_file = "out/vietnam_posterior.csv"
TOML
"$bin" sweep "$tmp/post.toml" --dry-run > "$tmp/dry.txt"
cat "$tmp/dry.txt"
grep -q '^design:     file over 15 parameters (points file .*out/vietnam_posterior.csv, weighted)$' "$tmp/dry.txt"
grep -q '^samples:    16$' "$tmp/dry.txt"
/usr/bin/python3 - "$tmp/out/vietnam_posterior.csv" "$src/analysis" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pandas as pd
from complysim_analysis.calibrate import PARAMETERS
post = pd.read_csv(sys.argv[1], comment="#")
assert len(post) == 16, len(post)
assert abs(post["weight"].sum() - 1) < 1e-9, post["weight"].sum()
for p in PARAMETERS:
    for c in p.columns:
        assert post[c].between(p.lo, p.hi).all(), (c, post[c].min(), post[c].max())
print("posterior sample ok")
PY
# --predictive re-runs the check of the posterior just written, without fitting: the same seed
# and runs, so the same intervals, now with the bootstrap share beside each verdict.
cp "$tmp/out/vietnam_calibration_summary.json" "$tmp/summary_fit.json"
/usr/bin/python3 "$src/analysis/calibrate.py" --binary "$bin" --quick -o "$tmp/out" --predictive > "$tmp/pred.txt" \
  || { cat "$tmp/pred.txt"; exit 1; }
cat "$tmp/pred.txt"
/usr/bin/python3 - "$tmp/summary_fit.json" "$tmp/out/vietnam_calibration_summary.json" <<'PY'
import json, sys, math
fit, again = (json.load(open(p)) for p in sys.argv[1:3])
rewritten = {"predictive", "runs_sanctioned_2018_2019"}
assert {k: v for k, v in again.items() if k not in rewritten} == {k: v for k, v in fit.items() if k not in rewritten}
assert len(again["predictive"]) == len(fit["predictive"])
for a, b in zip(fit["predictive"], again["predictive"]):
    assert a["target"] == b["target"] and a["covered"] == b["covered"], (a, b)
    for k in ("q05", "median", "q95"):
        assert (a[k] is None and b[k] is None) or math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-12) \
            or (math.isnan(a[k]) and math.isnan(b[k])), (k, a, b)
    if b["covered"] is not None:
        assert 0.0 <= b["covered_share"] <= 1.0, b
assert math.isclose(again["runs_sanctioned_2018_2019"], fit["runs_sanctioned_2018_2019"], rel_tol=1e-9, abs_tol=1e-12), (
    again["runs_sanctioned_2018_2019"], fit["runs_sanctioned_2018_2019"])
print("predictive re-run ok")
PY
