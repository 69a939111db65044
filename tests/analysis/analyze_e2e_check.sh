#!/bin/sh
# End to end: a small Sobol sweep of scenarios/baseline.toml
# (tests/data/analyze_sobol.toml) -> `complysim analyze` prints first- and
# total-order indices with CIs for every outcome column -> the Python report
# writes report.html with the Sobol, parameter and time-series figures.
# usage: analyze_e2e_check.sh COMPLYSIM SOURCE_DIR
set -eu
bin=$1 src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/complysim-analyze-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Skipped (77) by a build without `complysim sweep`.
"$bin" sweep --help >/dev/null 2>&1 || { echo "complysim sweep not available: skipped"; exit 77; }

"$bin" sweep "$src/tests/data/analyze_sobol.toml" -o sweep.h5 --quiet
"$bin" analyze sweep.h5 --bootstrap 200 | tee overview.txt
grep -q '^== design analyze_sobol ==$' overview.txt
grep -q '^strongest parameters (total-order Sobol index, 95% CI):$' overview.txt
grep -Eq '^(recommended N: [0-9]+ \(now 32;|N = 32 is enough)' overview.txt
awk 'length > 100 { print "line wider than 100 columns: " $0; bad = 1 } END { exit bad }' overview.txt
"$bin" analyze sweep.h5 --bootstrap 200 --section indices | tee analyze.txt
grep -q '^== Sobol indices, design analyze_sobol ==$' analyze.txt
grep -q '^runs: 320 in the file for this design' analyze.txt
"$bin" analyze sweep.h5 --bootstrap 200 --format csv > analyze.csv
"$bin" analyze sweep.h5 --bootstrap 200 --format markdown --section indices > analyze.md
grep -q '^### Sobol indices, design analyze_sobol$' analyze.md

# Every outcome column has S1 and ST for each of the 3 parameters; every defined
# index has its interval; an undefined one is explained in the table.
/usr/bin/python3 - analyze.csv analyze.txt <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["analysis"] == "sobol"]
text = open(sys.argv[2]).read()
outcomes = ["self_censorship_rate", "lawful_self_censorship_rate", "silenced_user_share",
            "posted_per_user_day", "takedown_requests", "over_removal_share", "unlawful_visible_share",
            "users_sanctioned_per_100k", "mean_perceived_risk"]
per_platform = ["takedown_compliance_rate", "data_request_compliance_rate", "platform_status",
                "platform_localized", "escalation_level", "platform_revenue"]
labels = outcomes + [f"{o}[{p}]" for o in per_platform for p in ("global_social", "video_sharing", "short_video")]
defined = 0
for label in labels:
    mine = [r for r in rows if r["outcome"] == label]
    assert len(mine) == 3 * 2, (label, len(mine))
    for r in mine:
        if r["estimate"]:
            assert r["ci_lo"] and r["ci_hi"], r
            assert float(r["ci_lo"]) <= float(r["ci_hi"]), r
            defined += 1
        else:
            assert ("constant outcome" in text or "fewer than 2 base rows" in text
                    or "runs differ: no index" in text), label
    assert int(mine[0]["runs_used"]) > 0 or not mine[0]["estimate"], label
assert defined >= 6 * 6, f"only {defined} defined indices"
print(f"analyze: {len(labels)} outcome columns, {defined} of {6 * len(labels)} indices defined, all with CIs")
PY

cd "$src/analysis"
PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg /usr/bin/python3 -m complysim_analysis report "$tmp/sweep.h5" \
    -o "$tmp/report" --bootstrap 200
cd "$tmp"
test -s report/report.html
ls report/fig-sobol_summary-*.png report/fig-sobol-self_censorship_rate.png \
   report/fig-params-self_censorship_rate.png report/fig-timeseries-self_censorship_rate.png >/dev/null
grep -q 'data:image/png;base64,' report/report.html
if [ -n "${COMPLYSIM_KEEP_REPORT:-}" ]; then
  rm -rf "$COMPLYSIM_KEEP_REPORT" && cp -r report "$COMPLYSIM_KEEP_REPORT" && cp analyze.txt "$COMPLYSIM_KEEP_REPORT/"
fi
echo "report: $(ls report/*.png | wc -l) figures in report/report.html"
