#!/bin/sh
# Installs the build tree into a temporary prefix and runs the installed
# bin/complysim-report wrapper (python3 -m complysim_analysis report) on a small
# results file: the wrapper finds the package under share/complysim/analysis.
# usage: install_report_check.sh CMAKE BUILD_DIR SAMPLE_WRITER
set -eu
cmake=$1 build=$2 writer=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/complysim-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$cmake" --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/complysim-report"
"$tmp/prefix/bin/complysim-report" --help | grep -q -- "--output"
"$tmp/prefix/bin/complysim-report" discover --help | grep -q -- "--outcome"
"$writer" "$tmp/sample.h5"
cd "$tmp"
PYTHONDONTWRITEBYTECODE=1 "$tmp/prefix/bin/complysim-report" sample.h5 -o report --bootstrap 20
test -s report/report.html
ls report/*.png >/dev/null
echo "installed complysim-report wrote report/report.html"
