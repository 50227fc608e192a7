#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Compiles the CUDA backend's kernels (every libtensor/backends/cuda/*.cu)
# with `nvcc -Xptxas -v` for every architecture the library ships SASS for,
# and fails when a kernel spills registers to local memory (ptxas's "N
# bytes spill stores" / "N bytes spill loads" not 0). Every kernel is on a
# hot path of some model (elementwise, reductions, softmax, gemm fallback,
# the optimizer step, random numbers, math functions, activations, norms,
# losses, indexing, convolution, pooling), so none may spill.
#
#   tools/cuda-check-spills.sh            check sm_80 and sm_90
#   NVCC=/path/to/nvcc tools/cuda-check-spills.sh
#
# Prints one line per kernel (registers, spills) and a closing
# "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

pass=0
fail=0
for src in libtensor/backends/cuda/*.cu; do
for arch in 80 90; do
  "$nvcc" -c "$src" -o "$out/k.o" -std=c++17 -O3 -fmad=false \
    -Ilibtensor/backends/cuda -Xptxas -v \
    -gencode "arch=compute_$arch,code=sm_$arch" 2> "$out/ptxas-$arch.txt"
  # ptxas prints, per entry function: "Compiling entry function 'NAME' for
  # 'sm_XX'", then "Function properties for NAME" and a line with
  # "N bytes stack frame, N bytes spill stores, N bytes spill loads", then
  # "Used N registers".
  while IFS=$'\t' read -r name stores loads regs; do
    short=$(echo "$name" | c++filt | sed 's/(.*//' | cut -c1-90)
    if [ "$stores" != 0 ] || [ "$loads" != 0 ]; then
      echo "FAIL sm_$arch $(basename "$src") $short: $stores bytes spill stores, $loads bytes spill loads ($regs registers)"
      fail=$((fail + 1))
    else
      echo "ok   sm_$arch $(basename "$src") $short: $regs registers, no spills"
      pass=$((pass + 1))
    fi
  done < <(awk '
    /Compiling entry function/ { match($0, /function \x27[^\x27]+\x27/); name = substr($0, RSTART + 10, RLENGTH - 11) }
    /bytes spill stores/ && name != "" {
      for (i = 1; i <= NF; i++) { if ($(i+1) == "bytes" && $(i+2) == "spill" && $(i+3) == "stores,") st = $i;
                                  if ($(i+1) == "bytes" && $(i+2) == "spill" && $(i+3) == "loads") ld = $i }
    }
    /Used [0-9]+ registers/ && name != "" {
      match($0, /Used [0-9]+ registers/); r = substr($0, RSTART + 5, RLENGTH - 15)
      printf "%s\t%s\t%s\t%s\n", name, st, ld, r; name = ""
    }' "$out/ptxas-$arch.txt")
done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
