#!/bin/bash
# Runs every bundled scenario (scenarios/*.toml, scenarios/examples/*.toml) with
# two builds of complysim and compares the HDF5 outputs bit for bit
# (tests/tools/h5_same.py: every dataset and attribute but the provenance
# ones), at 1 and 2 threads (issue 11: a refactor keeps outputs identical).
#
#   tests/tools/compare_commits.sh [--users N] [--replicates N] A B
#
# A and B are commits (each built in a temporary git worktree, target
# `complysim` only, with ccache when available) or paths to complysim binaries.
# Each scenario runs its full horizon and events at --users (default 4000)
# users, --replicates (default 2) replicates. Exit status 0 when every output
# is identical. Scenarios come from the working tree of the repository this
# script is in, so both builds read the same files.
set -euo pipefail
users=4000
replicates=2
while [[ $# -gt 2 ]]; do
  case "$1" in
    --users) users=$2; shift 2 ;;
    --replicates) replicates=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 2 ]] || { echo "usage: $0 [--users N] [--replicates N] A B" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'for w in "$work"/src-*; do [[ -d $w ]] && git -C "$root" worktree remove --force "$w"; done; rm -rf "$work"' EXIT

binary() {  # commit-or-path label -> path of a complysim binary
  if [[ -x $1 && -f $1 ]]; then echo "$1"; return; fi
  local src="$work/src-$2" bld="$work/build-$2" launcher=()
  git -C "$root" worktree add --detach "$src" "$1" >/dev/null 2>&1
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  cmake --build "$bld" -j2 --target complysim >/dev/null
  echo "$bld/sim/complysim"
}
bin_a=$(binary "$1" a)
bin_b=$(binary "$2" b)
echo "A: $($bin_a --version)"
echo "B: $($bin_b --version)"
status=0
for scen in "$root"/scenarios/*.toml "$root"/scenarios/examples/*.toml; do
  name=$(basename "$scen" .toml)
  for threads in 1 2; do
    for side in a b; do
      bin=$bin_a; [[ $side == b ]] && bin=$bin_b
      "$bin" run "$scen" --set population.users="$users" --replicates "$replicates" --threads "$threads" \
        -o "$work/$name-$threads-$side.h5" --quiet --force >/dev/null
    done
    if /usr/bin/python3 "$root/tests/tools/h5_same.py" "$work/$name-$threads-a.h5" "$work/$name-$threads-b.h5"; then
      echo "identical  $name  threads=$threads"
    else
      echo "DIFFERENT  $name  threads=$threads"; status=1
    fi
  done
done
exit $status
