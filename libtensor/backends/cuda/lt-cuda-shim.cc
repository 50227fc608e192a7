/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The emulated device's launch (lt-cuda-shim-private.h says what it promises):
 * blocks in order, a block's threads as plain calls or, for kernels with
 * __syncthreads, as cooperative fibers on stacks mapped once per host thread.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-private.h"

#include <mutex>
#include <sys/mman.h>
#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#define LT_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_EMU_ASAN 1
#endif
#endif

#ifdef LT_EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#define FIBER_STACK (256 * 1024)
#else
#define FIBER_STACK (64 * 1024)
#endif

#define MAX_BLOCK_THREADS 1024

thread_local dim3 _lt_emu_thread_idx;
thread_local dim3 _lt_emu_block_idx;
thread_local dim3 _lt_emu_block_dim;
thread_local dim3 _lt_emu_grid_dim;
thread_local int _lt_emu_status;

namespace
{

std::mutex launch_lock;

struct Fiber
{
  ucontext_t ctx;
  bool done;
};

struct Block
{
  ucontext_t sched;
  Fiber *fibers = nullptr;
  char *stacks = nullptr;
  unsigned n_stacks = 0;
  unsigned current = 0;
  bool cooperative = false;
  bool bad_sync = false;
  LtEmuBody body = nullptr;
  void *body_ctx = nullptr;
#ifdef LT_EMU_ASAN
  const void *sched_bottom = nullptr;
  size_t sched_size = 0;
#endif

  /* A host thread's stacks go with it (a trainer's worker thread that
   * launched kernels ends before the process does). */
  ~Block ()
  {
    if (stacks)
      munmap (stacks, (size_t) n_stacks * FIBER_STACK);
    delete[] fibers;
  }
};

thread_local Block blk;

/* Stacks for @n threads, kept for the life of the host thread. */
bool
ensure_stacks (unsigned n)
{
  if (blk.n_stacks >= n)
    return true;
  if (blk.stacks)
    munmap (blk.stacks, (size_t) blk.n_stacks * FIBER_STACK);
  delete[] blk.fibers;
  blk.n_stacks = 0;
  void *p = mmap (nullptr, (size_t) n * FIBER_STACK, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    {
      blk.stacks = nullptr;
      blk.fibers = nullptr;
      return false;
    }
  blk.stacks = static_cast<char *> (p);
  blk.fibers = new Fiber[n];
  blk.n_stacks = n;
  return true;
}

void
set_thread_index (unsigned t)
{
  _lt_emu_thread_idx.x = t % _lt_emu_block_dim.x;
  _lt_emu_thread_idx.y = (t / _lt_emu_block_dim.x) % _lt_emu_block_dim.y;
  _lt_emu_thread_idx.z = t / (_lt_emu_block_dim.x * _lt_emu_block_dim.y);
}

/* Switches from the fiber running now back to the scheduler. */
void
to_scheduler (bool finished)
{
  Fiber *f = &blk.fibers[blk.current];
#ifdef LT_EMU_ASAN
  void *fake = nullptr;
  __sanitizer_start_switch_fiber (finished ? nullptr : &fake, blk.sched_bottom, blk.sched_size);
  swapcontext (&f->ctx, &blk.sched);
  __sanitizer_finish_switch_fiber (fake, nullptr, nullptr);
#else
  (void) finished;
  swapcontext (&f->ctx, &blk.sched);
#endif
}

void
fiber_main ()
{
#ifdef LT_EMU_ASAN
  __sanitizer_finish_switch_fiber (nullptr, &blk.sched_bottom, &blk.sched_size);
#endif
  blk.body (blk.body_ctx);
  blk.fibers[blk.current].done = true;
  to_scheduler (true);
}

/* Resumes fiber @t until it reaches a barrier or ends. */
__attribute__ ((noinline)) void
resume (unsigned t)
{
  blk.current = t;
  set_thread_index (t);
#ifdef LT_EMU_ASAN
  void *fake = nullptr;
  __sanitizer_start_switch_fiber (&fake, blk.stacks + (size_t) t * FIBER_STACK, FIBER_STACK);
  swapcontext (&blk.sched, &blk.fibers[t].ctx);
  __sanitizer_finish_switch_fiber (fake, nullptr, nullptr);
#else
  swapcontext (&blk.sched, &blk.fibers[t].ctx);
#endif
}

/* getcontext returns twice: kept out of the caller's loop */
__attribute__ ((noinline)) void
init_fiber (unsigned t)
{
  Fiber *f = &blk.fibers[t];

  getcontext (&f->ctx);
  f->ctx.uc_stack.ss_sp = blk.stacks + (size_t) t * FIBER_STACK;
  f->ctx.uc_stack.ss_size = FIBER_STACK;
  f->ctx.uc_link = nullptr;
  f->done = false;
  makecontext (&f->ctx, fiber_main, 0);
}

void
run_block_cooperative (unsigned n)
{
  for (unsigned t = 0; t < n; t++)
    init_fiber (t);
  /* Each round takes every live thread to its next barrier (or its end). */
  for (unsigned live = n; live > 0;)
    {
      live = 0;
      for (unsigned t = 0; t < n; t++)
        if (!blk.fibers[t].done)
          {
            resume (t);
            live += !blk.fibers[t].done;
          }
    }
}

} // namespace

void
_lt_emu_syncthreads (void)
{
  if (!blk.cooperative)
    {
      blk.bad_sync = true;
      return;
    }
  to_scheduler (false);
}

int
_lt_emu_launch (dim3 grid, dim3 block, int cooperative, LtEmuBody body, void *ctx)
{
  std::lock_guard<std::mutex> guard (launch_lock);
  unsigned n = block.x * block.y * block.z;

  if (n == 0 || n > MAX_BLOCK_THREADS || grid.x == 0 || grid.y == 0 || grid.z == 0)
    return LT_CU_ERR_INVALID_VALUE;
  if (cooperative && !ensure_stacks (n))
    return LT_CU_ERR_MEMORY_ALLOCATION;
  blk.cooperative = cooperative != 0;
  blk.bad_sync = false;
  blk.body = body;
  blk.body_ctx = ctx;
  _lt_emu_grid_dim = grid;
  _lt_emu_block_dim = block;
  for (unsigned bz = 0; bz < grid.z; bz++)
    for (unsigned by = 0; by < grid.y; by++)
      for (unsigned bx = 0; bx < grid.x; bx++)
        {
          _lt_emu_block_idx = dim3 (bx, by, bz);
          if (cooperative)
            run_block_cooperative (n);
          else
            for (unsigned t = 0; t < n; t++)
              {
                set_thread_index (t);
                body (ctx);
              }
        }
  blk.cooperative = false;
  return blk.bad_sync ? LT_CU_ERR_LAUNCH_FAILURE : LT_CU_OK;
}
