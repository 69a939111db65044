#!/usr/bin/env bash
# Issue 13 item 3: every writing command on a full disk (a 256 KiB tmpfs) ends
# with one error line and exit status 2 (a sweep: 1, its documented status for
# a write error, with the journal kept), never a signal; an existing output is
# kept byte for byte, and no partial or lock file is left behind.
# Needs permission to mount a tmpfs (CI runs as root); otherwise prints why and
# exits 77 (ctest: skipped).
# Usage: full_disk.sh COMPLYSIM SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
mnt=$work/full
mkdir -p "$mnt"
cleanup() { umount "$mnt" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=256k tmpfs "$mnt" 2>"$work/mount.err"; then
  echo "full_disk: SKIPPED: cannot mount a tmpfs here ($(cat "$work/mount.err")); run as root to test full disks"
  exit 77
fi

fail=0
check() {  # check NAME EXPECTED_STATUS STATUS STDERR_FILE
  local name=$1 want=$2 got=$3 err=$4
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit status $got, expected $want; stderr:"; cat "$err"; fail=1
  elif ! grep -q "No space left on device" "$err"; then
    echo "FAIL $name: stderr does not say 'No space left on device':"; cat "$err"; fail=1
  elif [ "$(grep -c . "$err")" -ne 1 ] && [ "$want" -eq 2 ]; then
    echo "FAIL $name: more than one error line:"; cat "$err"; fail=1
  else
    echo "ok   $name: exit $got: $(head -c 200 "$err")"
  fi
  if ls "$mnt" | grep -q -e '\.partial$' -e '\.lock$' -e 'complysim-check'; then
    echo "FAIL $name: left behind: $(ls "$mnt")"; fail=1
  fi
}
old_content="an existing results file that must survive"
big=(--set population.users=500 --set simulation.days=365 --set simulation.record_every_days=1 --replicates 8 --quiet)

# run --force over an existing file: the old file is kept.
printf '%s' "$old_content" > "$mnt/out.h5"
"$bin" run "$src/scenarios/baseline.toml" "${big[@]}" --force -o "$mnt/out.h5" >/dev/null 2>"$work/err"
check "run --force onto a full disk" 2 $? "$work/err"
[ "$(cat "$mnt/out.h5")" = "$old_content" ] || { echo "FAIL run: the old file changed"; fail=1; }

# run to a new name: no file at all afterwards.
"$bin" run "$src/scenarios/baseline.toml" "${big[@]}" -o "$mnt/new.h5" >/dev/null 2>"$work/err"
check "run -o NEW onto a full disk" 2 $? "$work/err"
[ ! -e "$mnt/new.h5" ] || { echo "FAIL run: new.h5 exists"; fail=1; }

# compare -o
"$bin" compare "$src/scenarios/baseline.toml" "$src/scenarios/bright_line.toml" "${big[@]}" -o "$mnt/cmp.h5" >/dev/null 2>"$work/err"
check "compare -o onto a full disk" 2 $? "$work/err"
[ ! -e "$mnt/cmp.h5" ] || { echo "FAIL compare: cmp.h5 exists"; fail=1; }

# merge: shards written elsewhere, merged onto the full disk.
sweep_set=(--set population.users=300 --set simulation.days=200 --set simulation.record_every_days=1 --quiet)
"$bin" sweep "$src/tests/data/sweep_tiny.toml" "${sweep_set[@]}" --shard 0/2 -o "$work/p0.h5" >/dev/null 2>&1 &&
"$bin" sweep "$src/tests/data/sweep_tiny.toml" "${sweep_set[@]}" --shard 1/2 -o "$work/p1.h5" >/dev/null 2>&1 ||
  { echo "FAIL: could not make the shard files"; fail=1; }
printf '%s' "$old_content" > "$mnt/merged.h5"
"$bin" merge "$work/p0.h5" "$work/p1.h5" --force -o "$mnt/merged.h5" >/dev/null 2>"$work/err"
check "merge --force onto a full disk" 2 $? "$work/err"
[ "$(cat "$mnt/merged.h5")" = "$old_content" ] || { echo "FAIL merge: the old file changed"; fail=1; }
rm -f "$mnt/merged.h5"

# sweep: the journal or the consolidation runs out of space; status 1, never a signal.
"$bin" sweep "$src/tests/data/sweep_tiny.toml" "${sweep_set[@]}" -o "$mnt/sweep.h5" >/dev/null 2>"$work/err"
status=$?
if [ $status -ne 1 ] || ! grep -q "No space left on device" "$work/err"; then
  echo "FAIL sweep onto a full disk: exit $status:"; cat "$work/err"; fail=1
else
  echo "ok   sweep onto a full disk: exit $status: $(head -c 200 "$work/err")"
fi
[ ! -e "$mnt/sweep.h5" ] || { echo "FAIL sweep: sweep.h5 exists"; fail=1; }
ls "$mnt" | grep -q -e '\.partial$' -e '\.lock$' && { echo "FAIL sweep: left behind: $(ls "$mnt")"; fail=1; }

exit $fail
