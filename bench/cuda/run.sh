#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CUDA backend on a lent GPU machine, in one command.
#
# Here (the build machine):
#   bench/cuda/run.sh --pack [BUILD_DIR]
#     packs the library, the C tests and their library closure (everything
#     ldd names except libc, libstdc++, libgcc, libcuda, cudart and cuBLAS,
#     which the GPU machine has) into bench/cuda/pack/ (ignored by git),
#     small enough to carry (the device tool's `carry`: bench/cuda/pack).
#
# Here again, the rehearsal:
#   bench/cuda/run.sh --dry-run
#     checks that the packed binaries load every library from the pack
#     except the GPU machine's own, and runs the packed harness on a few
#     specs on the emulated device.
#
# There (the GPU machine: nvcc, cuBLAS, compute-sanitizer; no GLib):
#   bench/cuda/run.sh
#     unpacks, then runs, printing a closing "N passed, N failed" line:
#     1. test-cuda on the real runtime (its /cuda/unavailable test checks
#        that a device is found; the rest run on the emulated device and
#        the fake runtime, as here);
#     2. the op harness on the GPU (OH_DEVICE=cuda, LT_CUDA_SYNC=1): every
#        op with a CUDA kernel, forward against the float64 references,
#        backward against the CPU's gradients;
#     3. the same harness without LT_CUDA_SYNC (errors at synchronisation);
#     4. compute-sanitizer memcheck on the reduction and gemm specs;
#     5. tools/cuda-check-spills.sh when the sources are there.
#   Figures against PyTorch (bench/cuda/RESULTS.md) are not part of it yet.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pack="$here/pack"

if [ "${1:-}" = "--pack" ]; then
  build=${2:-$root/build}
  set -e
  rm -rf "$pack"
  mkdir -p "$pack/bin" "$pack/lib"
  cp -L "$build"/libtensor/libtensor-1.so.0 "$pack/lib/"
  cp "$build"/tests/c/test-cuda "$build"/tests/c/test-ops "$pack/bin/"
  # the library closure, less what the GPU machine provides
  for f in "$pack"/bin/* "$pack"/lib/libtensor-1.so.0; do
    ldd "$f" | awk '/=> \// { print $3 }'
  done | sort -u | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libstdc++.so*|\
      libgcc_s.so*|libcuda.so*|libcudart.so*|libcublas.so*|libcublasLt.so*|libtensor-1.so*)
        ;;
      *) cp -L "$lib" "$pack/lib/" ;;
    esac
  done
  tar -C "$pack" -cJf "$pack/libtensor-cuda.tar.xz" bin lib
  rm -rf "$pack/bin" "$pack/lib"
  ls -l "$pack/libtensor-cuda.tar.xz"
  exit 0
fi

# The harness's options for the forward and backward cases of the ops
# named (GLib's -p selects a test or the cases of its nearest suite, so
# /ops/sum alone selects none).
specs () {
  for op in "$@"; do
    printf -- '-p /ops/%s/forward -p /ops/%s/backward ' "$op" "$op"
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xJf "$pack/libtensor-cuda.tar.xz"
cuda_lib=/usr/local/cuda/lib64
export LD_LIBRARY_PATH="$work/lib:$cuda_lib:${LD_LIBRARY_PATH:-}"
export LT_SOURCE_DIR="$root"

# The pack's rehearsal here, before device time is spent on it: every
# library the packed binaries load, except what the GPU machine provides,
# comes from the pack; then the packed harness runs a few specs on the
# emulated device.
if [ "${1:-}" = "--dry-run" ]; then
  missing=0
  for f in "$work"/bin/* "$work"/lib/*; do
    while read -r name path; do
      case "$name" in
        libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libstdc++.so*|\
        libgcc_s.so*|libcuda.so*|libcudart.so*|libcublas.so*|libcublasLt.so*|linux-vdso*) ;;
        *) case "$path" in
             "$work"/lib/*) ;;
             *) echo "not in the pack: $name ($path), needed by $(basename "$f")"; missing=1 ;;
           esac ;;
      esac
    done < <(ldd "$f" | awk '/=>/ { print $1, $3 }')
  done
  [ "$missing" = 0 ] || { echo "dry run: the pack is incomplete"; exit 1; }
  echo "dry run: every library comes from the pack or the GPU machine"
  env OH_DEVICE=cuda LT_CUDA_EMULATE=1 LT_CUDA_SYNC=1 "$work/bin/test-ops" \
    $(specs sum mm softmax) || { echo "dry run: the packed harness failed"; exit 1; }
  echo "dry run: ok ($(du -h "$pack/libtensor-cuda.tar.xz" | cut -f1) to carry)"
  exit 0
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

pass=0
fail=0
step () {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    echo "ok: $name"
    pass=$((pass + 1))
  else
    echo "FAILED: $name"
    fail=$((fail + 1))
  fi
}

step "test-cuda (real runtime present)" "$work/bin/test-cuda"
step "op harness on the GPU, LT_CUDA_SYNC=1" \
  env OH_DEVICE=cuda LT_CUDA_SYNC=1 "$work/bin/test-ops"
step "op harness on the GPU, asynchronous" \
  env OH_DEVICE=cuda "$work/bin/test-ops"
if command -v compute-sanitizer >/dev/null; then
  step "compute-sanitizer memcheck: reductions" \
    env OH_DEVICE=cuda LT_CUDA_SYNC=1 compute-sanitizer --tool memcheck --error-exitcode 1 \
      "$work/bin/test-ops" $(specs sum max_dim softmax)
  step "compute-sanitizer memcheck: gemm, copy" \
    env OH_DEVICE=cuda LT_CUDA_SYNC=1 compute-sanitizer --tool memcheck --error-exitcode 1 \
      "$work/bin/test-ops" $(specs mm bmm addmm copy)
fi
if [ -f "$root/libtensor/backends/cuda/lt-cuda-kernels.cu" ]; then
  step "no register spills" "$root/tools/cuda-check-spills.sh"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
