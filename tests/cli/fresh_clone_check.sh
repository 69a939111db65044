#!/bin/sh
# Fresh-clone check of the README's quick start: clone the committed tree into a
# temporary directory, configure and build `complysim` as .ci/setup-and-run does,
# then follow the README literally: the `export PATH=...` line it gives, then
# `complysim --version`. Fails when the README names a path the build does not make.
# usage: fresh_clone_check.sh SOURCE_DIR        (exit 77: skipped, not a git checkout)
set -eu
src=$1
command -v git >/dev/null 2>&1 && git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || {
  echo "not a git checkout: skipped"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/complysim-clone-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/clone"
cd "$tmp/clone"
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
cmake --preset release $launcher >/dev/null
cmake --build --preset release -j2 --target complysim >/dev/null
# The README's PATH line, run as written (from the repository root).
line=$(grep -m1 '^ *export PATH="\$PWD/' README.md) || { echo "README has no export PATH line"; exit 1; }
echo "README: $line"
eval "$line"
complysim --version
complysim --version | grep -q '^complysim '
