#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The meson test cuda-pack-dry-run: packs BUILD_DIR as for the GPU machine
# (bench/cuda/run.sh --pack, into DEST/pack rather than the source tree)
# and rehearses the whole run on the emulated device (--dry-run, writing
# into DEST/out), then checks that the report came out whole: marked as an
# emulated dry run, every step's result, both sides' figures, and the
# closing count with nothing failed.
#
#   bench/cuda/dry-run-test.sh BUILD_DIR DEST
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
dest=$2
rm -rf "$dest"
mkdir -p "$dest/out"
# xz -0: the test checks the closure and the run, not the ratio
export LT_CUDA_PACK_DIR="$dest/pack" OUT="$dest/out" LT_CUDA_PACK_XZ=-0
"$here/run.sh" --pack "$build"
"$here/run.sh" --dry-run
r="$OUT/RESULTS.md"
fail () {
  echo "dry-run-test: $*"
  exit 1
}
[ -s "$r" ] || fail "no RESULTS.md"
grep -q '^\*\*Emulated dry run' "$r" || fail "RESULTS.md is not marked as an emulated dry run"
grep -q '^| test-cuda (real runtime present) | ok |' "$r" || fail "test-cuda's result is missing"
for row in '| images/s | n=4 |' '| step latency | batch 4 |' '| sgemm | n=64 |' '| add | n=100000 |'; do
  line=$(grep -F "$row" "$r") || fail "no row \"$row\" in RESULTS.md"
  case "$line" in *n/a*) fail "a side is missing in: $line" ;; esac
done
grep -q ' passed, 0 failed, ' "$r" || fail "a step failed"
grep -q 'not judged (emulated dry run' "$r" || fail "the goals are judged on emulated figures"
echo "dry-run-test: ok"
