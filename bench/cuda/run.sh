#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CUDA backend on a lent GPU machine, in one command (bench/cuda/
# README.md says how to call it there).
#
# Here (the build machine):
#   bench/cuda/run.sh --pack [BUILD_DIR]
#     packs the library, the test and bench programs the GPU run needs and
#     their library closure (everything ldd names except libc, libstdc++,
#     libgcc and the GPU machine's own CUDA libraries: libcuda, cudart,
#     cuBLAS, NCCL), and Open MPI with its components and help files
#     (bench/cuda/pack-mpi.sh; NCCL is bootstrapped through MPI), into one
#     tar.xz in bench/cuda/pack/ (ignored by git; $LT_CUDA_PACK_DIR to pack
#     elsewhere), small enough to carry (the device tool's `carry`:
#     bench/cuda/pack). The Python script and the sources stay in the tree,
#     which travels anyway.
#
# Here again, the rehearsal:
#   bench/cuda/run.sh --dry-run
#     checks the pack's closure (every library a packed program or library
#     loads comes from the pack, except the GPU machine's), then runs every
#     step that can run here from the pack, on the emulated device
#     (LT_CUDA_EMULATE=1), with the system's Open MPI hidden where a mount
#     namespace is allowed: the same steps as on the GPU, at smoke sizes,
#     and writes RESULTS.md marked as an emulated dry run.
#
# There (the GPU machine: nvcc, cuBLAS, NCCL, compute-sanitizer, python3
# with PyTorch; no GLib, no OpenBLAS, no Open MPI):
#   bench/cuda/run.sh
#     unpacks, then runs, the essential steps first, each under its own
#     timeout and all within a budget of about 8 minutes (LT_CUDA_BUDGET_S,
#     450 s by default; a step that would start with under 10 s left is
#     recorded as not run):
#      1. the tutorial's GPU steps (test-cuda-tutorial: the tutorial's
#         network trained on the GPU gives the CPU's losses);
#      2. out of memory on the real card (test-cuda-oom);
#      3. test-cuda with the real runtime present;
#      4. the op harness on the GPU, LT_CUDA_SYNC=1 (every op with a CUDA
#         kernel, forward against the float64 references, backward against
#         the CPU's gradients, sentinels after every buffer);
#      5. the benchmarks, ours (bench-cuda) then PyTorch's
#         (bench/cuda/bench_cuda.py) on the same card;
#      6. NCCL: test-dist-nccl-gpu (collectives and
#         DistributedDataParallel on the GPU) under the packed mpirun,
#         world size 1; 2 ranks only where the machine shows 2 GPUs or more
#         (the lent kinds have one);
#      7. the op harness again without LT_CUDA_SYNC (errors at
#         synchronisation);
#      8. compute-sanitizer memcheck on the reduction and gemm specs;
#      9. tools/cuda-check-spills.sh (nvcc -Xptxas -v: no spills).
#     Then it writes RESULTS.md (bench/cuda/bench_cuda.py report) and
#     prints a closing "N passed, N failed" line. Everything it writes goes
#     to $OUT (the device tool's folder that comes back; a temporary
#     folder elsewhere): RESULTS.md, run.log, steps.tsv, bench-lt.jsonl,
#     bench-torch.jsonl.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pack=${LT_CUDA_PACK_DIR:-$here/pack}
tarball="$pack/libtensor-cuda.tar.xz"

# what the GPU machine provides, never packed
gpu_machine_lib () {
  case "$1" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libstdc++.so*|libgcc_s.so*|\
    linux-vdso*|libcuda.so*|libcudart.so*|libcublas.so*|libcublasLt.so*|libnccl.so*) return 0 ;;
  esac
  return 1
}

# the programs the run needs, from the build folder
# (test-cuda, test-ops and test-cuda-oom link the library's internal
# archive, so each holds its own copy of the device code; the others link
# the shared library)
programs="tests/c/test-cuda tests/c/test-ops tests/c/test-cuda-tutorial tests/c/test-cuda-oom
tests/distributed/test-dist-nccl-gpu bench/bench-cuda"

if [ "${1:-}" = "--pack" ]; then
  build=$(cd "${2:-$root/build}" && pwd)
  set -e
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/bin" "$stage/lib" "$pack"
  cp -L "$build"/libtensor/libtensor-1.so.0 "$stage/lib/"
  for p in $programs; do
    [ -x "$build/$p" ] || { echo "pack: $build/$p is missing (built with -Dcuda and MPI?)"; exit 1; }
    cp "$build/$p" "$stage/bin/"
  done
  # the library closure, less what the GPU machine provides
  for f in "$stage"/bin/* "$stage"/lib/libtensor-1.so.0; do
    ldd "$f" | awk '/=> \// { print $3 }'
  done | sort -u | while read -r lib; do
    name=$(basename "$lib")
    gpu_machine_lib "$name" || [ "$name" = libtensor-1.so.0 ] || cp -L "$lib" "$stage/lib/"
  done
  "$here/pack-mpi.sh" "$stage/mpi" >/dev/null
  # no debug information: it is most of a debug build's bytes
  find "$stage" -type f \( -name '*.so*' -o -path '*/bin/*' \) -exec strip --strip-unneeded {} + 2>/dev/null || true
  rm -f "$tarball"
  # LT_CUDA_PACK_XZ: xz's level (-6; the meson test packs with -0, faster)
  tar -C "$stage" -cf - bin lib mpi | xz "${LT_CUDA_PACK_XZ:--6}" -T2 > "$tarball"
  echo "pack: $(du -h "$tarball" | cut -f1) ($(stat -c %s "$tarball") bytes) in $tarball"
  exit 0
fi

dry=0
[ "${1:-}" = "--dry-run" ] && dry=1
[ -f "$tarball" ] || { echo "no pack at $tarball: run bench/cuda/run.sh --pack here first"; exit 1; }

out=${OUT:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  keep_out=0
else
  keep_out=1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; [ "$keep_out" = 1 ] || echo "(results were in $out)"' EXIT
tar -C "$work" -xJf "$tarball"
export LT_SOURCE_DIR="$root"

# everything printed from here on goes to $out/run.log as well
exec > >(tee "$out/run.log") 2>&1

# ---- the closure of the pack ----
missing=0
if [ "$dry" = 1 ]; then
  for f in "$work"/bin/* "$work"/lib/* $(find "$work/mpi" -type f \( -name '*.so*' -o -path '*/bin/*' \)); do
    while read -r name path; do
      gpu_machine_lib "$name" && continue
      case "$path" in
        "$work"/*) ;;
        *) echo "not in the pack: $name ($path), needed by ${f#$work/}"; missing=1 ;;
      esac
    done < <(LD_LIBRARY_PATH="$work/lib:$work/mpi/usr/lib/x86_64-linux-gnu:$work/mpi/usr/lib/x86_64-linux-gnu/pmix2/lib" \
               ldd "$f" 2>/dev/null | awk '/=>/ { print $1, $3 }')
  done
  [ "$missing" = 0 ] || { echo "dry run: the pack is incomplete"; exit 1; }
  echo "dry run: every library comes from the pack or the GPU machine"
  echo "dry run: $(du -h "$tarball" | cut -f1) to carry ($(stat -c %s "$tarball") bytes)"
fi

# ---- where the GPU machine's libraries are ----
cuda_lib=/usr/local/cuda/lib64
nccl_dir=""
for d in "$cuda_lib" /usr/lib/x86_64-linux-gnu \
  $(ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia/nccl/lib 2>/dev/null) \
  $(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib"))' 2>/dev/null); do
  if [ -e "$d/libnccl.so.2" ]; then nccl_dir=$d; break; fi
done
export LD_LIBRARY_PATH="$work/lib:$cuda_lib${nccl_dir:+:$nccl_dir}:${LD_LIBRARY_PATH:-}"
. "$here/pack-mpi.sh" --env "$work/mpi"

python=python3
if [ "$dry" = 1 ]; then
  export LT_CUDA_EMULATE=1
  [ -x /usr/bin/python3 ] && python=/usr/bin/python3 # the one with PyTorch here
else
  unset LT_CUDA_EMULATE
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  [ -n "$nccl_dir" ] || echo "warning: no libnccl.so.2 found on this machine: the programs will not load"
fi

# The system's Open MPI and PMIx hidden (dry run, where a mount namespace
# is allowed): the packed mpirun must work alone, as on the GPU machine.
hide_mpi=()
if [ "$dry" = 1 ] && [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
  cat > "$work/hide-mpi.sh" <<'HIDE'
for d in /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 /usr/share/openmpi /etc/openmpi; do
  [ -d "$d" ] && mount -t tmpfs none "$d"
done
for f in /usr/bin/orterun /usr/bin/orted /usr/lib/x86_64-linux-gnu/libmpi.so.40 \
  /usr/lib/x86_64-linux-gnu/libopen-rte.so.40 /usr/lib/x86_64-linux-gnu/libopen-pal.so.40; do
  [ -e "$f" ] && mount --bind /dev/null "$f"
done
exec "$@"
HIDE
  hide_mpi=(unshare -m --propagation private bash "$work/hide-mpi.sh")
  echo "dry run: the system's Open MPI and PMIx are hidden from the NCCL step"
elif [ "$dry" = 1 ]; then
  echo "dry run: no mount namespace here: the system's Open MPI stays visible"
fi

# ---- the steps ----
budget=${LT_CUDA_BUDGET_S:-450}
start=$(date +%s)
pass=0
fail=0
skipped=0
: > "$out/steps.tsv"
# step NAME TIMEOUT_S COMMAND...: runs COMMAND under the smaller of its
# timeout and what is left of the budget; exit 77 is "skipped"
step () {
  local name=$1 limit=$2 left status
  shift 2
  left=$((budget - ($(date +%s) - start)))
  echo "== $name"
  if [ "$left" -lt 10 ]; then
    echo "not run: the time budget is spent"
    printf 'not run (time budget)\t%s\n' "$name" >> "$out/steps.tsv"
    fail=$((fail + 1))
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  timeout -k 5 "$limit" "$@"
  status=$?
  if [ "$status" = 0 ]; then
    echo "ok: $name"
    printf 'ok\t%s\n' "$name" >> "$out/steps.tsv"
    pass=$((pass + 1))
  elif [ "$status" = 77 ]; then
    echo "skipped: $name"
    printf 'skipped (exit 77)\t%s\n' "$name" >> "$out/steps.tsv"
    skipped=$((skipped + 1))
  else
    [ "$status" = 124 ] && echo "timed out after ${limit}s"
    echo "FAILED: $name (exit $status)"
    printf 'FAILED (exit %s)\t%s\n' "$status" "$name" >> "$out/steps.tsv"
    fail=$((fail + 1))
  fi
}

# The harness's options for the forward and backward cases of the ops
# named (GLib's -p selects a test or the cases of its nearest suite, so
# /ops/sum alone selects none).
specs () {
  for op in "$@"; do
    printf -- '-p /ops/%s/forward -p /ops/%s/backward ' "$op" "$op"
  done
}

bin=$work/bin
smoke=""
harness=""
if [ "$dry" = 1 ]; then
  smoke=--smoke
  # the harness on a few specs: the whole of it runs in meson test here
  harness=$(specs sum mm softmax conv2d)
fi

step "tutorial's GPU steps: training on the device gives the CPU's losses" 90 \
  "$bin/test-cuda-tutorial"
step "out of memory on the card: the OOM GError, then the next allocation works" 60 \
  "$bin/test-cuda-oom"
# (the dry run: its device and allocator cases, the rest runs in meson test)
# shellcheck disable=SC2046
step "test-cuda (real runtime present)" 120 "$bin/test-cuda" \
  $([ "$dry" = 1 ] && echo -p /cuda/unavailable -p /cuda/emulated/roundtrip -p /cuda/alloc/cache -p /cuda/oom/error)
# shellcheck disable=SC2086
step "op harness on the GPU, LT_CUDA_SYNC=1" 150 \
  env OH_DEVICE=cuda LT_CUDA_SYNC=1 "$bin/test-ops" $harness
step "bench: libtensor (bench-cuda)" 120 \
  bash -c '"$1" $2 > "$3"' bench "$bin/bench-cuda" "$smoke" "$out/bench-lt.jsonl"
grep '^#' "$out/bench-lt.jsonl" 2>/dev/null
if [ "$dry" = 1 ]; then
  step "bench: PyTorch on the CPU (dry run)" 120 \
    "$python" "$here/bench_cuda.py" torch --device cpu --smoke --out "$out/bench-torch.jsonl"
else
  step "bench: PyTorch on the same GPU" 120 \
    "$python" "$here/bench_cuda.py" torch --device cuda --out "$out/bench-torch.jsonl"
fi
# world size 1 always; 2 ranks only on a machine with 2 GPUs or more (the
# lent kinds have one)
step "NCCL: collectives and DDP on the GPU, mpirun -np 1" 90 \
  "${hide_mpi[@]}" mpirun -np 1 --bind-to none "$bin/test-dist-nccl-gpu"
n_gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
if [ "${n_gpus:-0}" -ge 2 ]; then
  step "NCCL: collectives and DDP on the GPU, mpirun -np 2" 90 \
    mpirun -np 2 --bind-to none "$bin/test-dist-nccl-gpu"
else
  echo "== NCCL with 2 ranks: not run, this machine shows ${n_gpus:-0} GPU(s)"
fi
# shellcheck disable=SC2086
step "op harness on the GPU, asynchronous" 150 env OH_DEVICE=cuda "$bin/test-ops" $harness
if command -v compute-sanitizer >/dev/null; then
  # shellcheck disable=SC2046
  step "compute-sanitizer memcheck: reductions" 60 \
    env OH_DEVICE=cuda LT_CUDA_SYNC=1 compute-sanitizer --tool memcheck --error-exitcode 1 \
      "$bin/test-ops" $(specs sum max_dim softmax)
  # shellcheck disable=SC2046
  step "compute-sanitizer memcheck: gemm, copy" 60 \
    env OH_DEVICE=cuda LT_CUDA_SYNC=1 compute-sanitizer --tool memcheck --error-exitcode 1 \
      "$bin/test-ops" $(specs mm bmm addmm copy)
else
  echo "== compute-sanitizer: not on this machine (the GPU machine has it)"
  [ "$dry" = 1 ] || { printf 'FAILED (no compute-sanitizer)\tcompute-sanitizer\n' >> "$out/steps.tsv"; fail=$((fail + 1)); }
fi
if [ "$dry" = 1 ]; then
  echo "== no register spills: not in the dry run (nvcc -Xptxas -v over every kernel file takes minutes; tools/cuda-check-spills.sh runs here alone)"
elif command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  step "no register spills" 150 "$root/tools/cuda-check-spills.sh"
fi

# ---- the report ----
report_args=(report --ours "$out/bench-lt.jsonl" --torch "$out/bench-torch.jsonl"
  --steps "$out/steps.tsv" --out "$out/RESULTS.md")
[ "$dry" = 1 ] && report_args+=(--emulated)
# any python3 writes the report: it needs no PyTorch
"$python" "$here/bench_cuda.py" "${report_args[@]}" > /dev/null ||
  python3 "$here/bench_cuda.py" "${report_args[@]}" > /dev/null ||
  echo "the report could not be written"
[ -f "$out/RESULTS.md" ] && cat "$out/RESULTS.md"
echo "$(( $(date +%s) - start )) s for the steps"
[ "$skipped" = 0 ] || echo "$skipped skipped (exit 77: no GPU for them here)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
