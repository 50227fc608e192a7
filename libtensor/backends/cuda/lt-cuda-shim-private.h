/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The launch shim: what lt-cuda-kernels.cu needs of CUDA, for either
 * compiler. Under nvcc it is CUDA itself (LT_LAUNCH is <<<grid, block, 0,
 * stream>>>). Under g++ (the emulated device) it defines the qualifiers,
 * threadIdx/blockIdx/blockDim/gridDim, __syncthreads and the atomics, and a
 * launch that runs the grid's blocks one after the other on the calling
 * host thread:
 *
 * - LT_LAUNCH: kernels that never call __syncthreads. A block's threads run
 *   one after the other as plain calls (no context switch at all).
 * - LT_LAUNCH_COOP: kernels with __syncthreads (block reductions). A
 *   block's threads run as cooperative fibers (ucontext, one small stack per
 *   thread, mapped once per host thread and reused by every block): the
 *   scheduler resumes each live thread in turn, and __syncthreads switches
 *   back to it, so every thread of the block reaches a barrier before any
 *   passes it. __syncthreads in a plain launch is a bug the shim reports
 *   (the kernel fails with LT_CU_ERR_LAUNCH_FAILURE).
 *
 * Blocks run in order and one at a time, so `__shared__` is `static`: the
 * block's threads share it and the next block reuses it. Launches from
 * different host threads are serialised by one lock. Atomics are plain
 * read-modify-writes. Fiber switches carry AddressSanitizer's
 * __sanitizer_start_switch_fiber/__sanitizer_finish_switch_fiber
 * annotations, so ASan follows the stacks.
 */

#include <stdint.h>

/* Every LT_LAUNCH and LT_LAUNCH_COOP counts itself on the device it runs on
 * (lt-cuda-backend-fused.c: _lt_cuda_launch_count ()). */
extern "C" void _lt_cu_note_launch (void);

#ifdef __CUDACC__

#include <cuda_runtime.h>

#define LT_CU_NS lt_cu_device
#define LT_CU_KERNELS_NAME _lt_cu_kernels_device
#define LT_LAUNCH(kernel, grid, block, stream, ...) \
  (_lt_cu_note_launch (),                           \
   kernel<<<(grid), (block), 0, (cudaStream_t) (stream)>>> (__VA_ARGS__))
#define LT_LAUNCH_COOP LT_LAUNCH
#define LT_LAUNCH_STATUS() ((int) cudaGetLastError ())

#else /* g++: the emulated device */

#include <cmath>

#define LT_CU_NS lt_cu_emulated
#define LT_CU_KERNELS_NAME _lt_cu_kernels_emulated

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict

struct dim3
{
  unsigned x, y, z;
  constexpr dim3 (unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x (x_), y (y_), z (z_) {}
};

extern thread_local dim3 _lt_emu_thread_idx;
extern thread_local dim3 _lt_emu_block_idx;
extern thread_local dim3 _lt_emu_block_dim;
extern thread_local dim3 _lt_emu_grid_dim;
#define threadIdx _lt_emu_thread_idx
#define blockIdx _lt_emu_block_idx
#define blockDim _lt_emu_block_dim
#define gridDim _lt_emu_grid_dim

void _lt_emu_syncthreads (void);
#define __syncthreads() _lt_emu_syncthreads ()

template <typename T>
inline T
atomicAdd (T *p, T v)
{
  T old = *p;
  *p = old + v;
  return old;
}

inline int
atomicCAS (int *p, int compare, int value)
{
  int old = *p;
  if (old == compare)
    *p = value;
  return old;
}

/* Runs body (ctx) for every thread of every block of the grid; returns
 * LT_CU_OK or LT_CU_ERR_LAUNCH_FAILURE. */
typedef void (*LtEmuBody) (void *ctx);
int _lt_emu_launch (dim3 grid, dim3 block, int cooperative, LtEmuBody body, void *ctx);

template <typename F>
inline int
_lt_emu_launch_fn (dim3 grid, dim3 block, int cooperative, F &&f)
{
  return _lt_emu_launch (grid, block, cooperative,
                         [] (void *ctx) { (*static_cast<F *> (ctx)) (); }, (void *) &f);
}

#define LT_LAUNCH(kernel, grid, block, stream, ...)                                   \
  ((void) (stream), _lt_cu_note_launch (),                                          \
   _lt_emu_status = _lt_emu_launch_fn ((grid), (block), 0, [&] () { kernel (__VA_ARGS__); }))
#define LT_LAUNCH_COOP(kernel, grid, block, stream, ...)                              \
  ((void) (stream), _lt_cu_note_launch (),                                          \
   _lt_emu_status = _lt_emu_launch_fn ((grid), (block), 1, [&] () { kernel (__VA_ARGS__); }))
/* The status of the last launch on this host thread */
extern thread_local int _lt_emu_status;
#define LT_LAUNCH_STATUS() (_lt_emu_status)

#endif
