/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <cblas.h>

#include "lt-cpu-private.h"

/*
 * The CPU backend: its vtable, kernel table, thread count and instruction
 * sets. Host memory is lt-cpu-alloc.c (a cache of freed buffers), parallel
 * loops run on a thread pool of our own (lt-cpu-parallel.c), elementwise
 * kernels iterate with lt-cpu-foreach.c, and matrix products go to
 * OpenBLAS or kernels of our own (lt-cpu-blas.c). One thread count governs
 * the pool and OpenBLAS, so they never oversubscribe the cores.
 */

static int num_threads;

int
_lt_cpu_get_num_threads (void)
{
  int n = g_atomic_int_get (&num_threads);

  return n > 0 ? n : 1;
}

static void
cpu_set_num_threads (int n)
{
  g_atomic_int_set (&num_threads, MAX (n, 1));
  openblas_set_num_threads (MAX (n, 1));
}

LtCpuIsa
_lt_cpu_isa (void)
{
  static gsize once = 0;
  static LtCpuIsa isa = LT_CPU_ISA_BASE;

  if (g_once_init_enter (&once))
    {
#ifdef LT_CPU_X86_ISAS
      const char *env = g_getenv ("LT_CPU_ISA");

      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl"))
        isa = LT_CPU_ISA_AVX512;
      else if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
        isa = LT_CPU_ISA_AVX2;
      if (env && g_str_equal (env, "avx2") && isa > LT_CPU_ISA_AVX2)
        isa = LT_CPU_ISA_AVX2;
      else if (env && g_str_equal (env, "base"))
        isa = LT_CPU_ISA_BASE;
#endif
      g_once_init_leave (&once, 1);
    }
  return isa;
}

static LtBackend cpu_backend = {
  .name = "cpu",
  .device = LT_DEVICE_CPU,
  .alloc = _lt_cpu_alloc,
  .free = _lt_cpu_free,
  .set_num_threads = cpu_set_num_threads,
  .get_num_threads = _lt_cpu_get_num_threads,
};

/* The kernel of every op of a family with a kernel (LT_OPF_HAS_KERNEL) */
static const LtKernel family_kernels[LT_OP_N_FAMILIES] = {
  [LT_OP_FAMILY_UNARY] = _lt_cpu_unary,
  [LT_OP_FAMILY_BINARY] = _lt_cpu_binary, /* relu_grad too */
  [LT_OP_FAMILY_TERNARY] = _lt_cpu_where,
  [LT_OP_FAMILY_REDUCE] = _lt_cpu_reduce,
  [LT_OP_FAMILY_SOFTMAX] = _lt_cpu_softmax,
  [LT_OP_FAMILY_GEMM] = _lt_cpu_gemm,
  [LT_OP_FAMILY_INDEX] = _lt_cpu_index,
  [LT_OP_FAMILY_CONV] = _lt_cpu_conv,
  [LT_OP_FAMILY_POOL] = _lt_cpu_pooling,
  [LT_OP_FAMILY_NORM] = _lt_cpu_norm,
  [LT_OP_FAMILY_RNN] = _lt_cpu_rnn,
};

static void
after_fork (void)
{
  _lt_cpu_parallel_after_fork ();
  _lt_cpu_alloc_after_fork ();
}

static gpointer
cpu_backend_init (gpointer data)
{
  LtBackend *b = &cpu_backend;
  const char *env = g_getenv ("LT_NUM_THREADS");
  int n = env ? atoi (env) : 0;

  cpu_set_num_threads (n > 0 ? n : (int) g_get_num_processors ());
  pthread_atfork (NULL, NULL, after_fork);

  /* The families whose ops share one kernel, which reads args->op */
  for (LtOp op = 0; op < LT_OP_COUNT; op++)
    {
      const LtOpInfo *row = &_lt_op_table[op];

      if (row->flags & LT_OPF_HAS_KERNEL)
        b->kernels[op] = family_kernels[row->family];
    }
  /* and the kernels of their own */
  b->kernels[LT_OP_FILL] = _lt_cpu_fill;
  b->kernels[LT_OP_STRIDED_COPY] = _lt_cpu_copy;
  b->kernels[LT_OP_UNIFORM] = _lt_cpu_random;
  b->kernels[LT_OP_NORMAL] = _lt_cpu_random;
  b->kernels[LT_OP_RANDINT] = _lt_cpu_random;
  b->kernels[LT_OP_RANDPERM] = _lt_cpu_randperm;
  b->kernels[LT_OP_ARANGE] = _lt_cpu_range;
  b->kernels[LT_OP_LINSPACE] = _lt_cpu_range;
  b->kernels[LT_OP_NLL_LOSS] = _lt_cpu_nll_loss;
  b->kernels[LT_OP_NLL_LOSS_GRAD] = _lt_cpu_nll_loss;
  b->kernels[LT_OP_CROSS_ENTROPY] = _lt_cpu_cross_entropy;
  b->kernels[LT_OP_CROSS_ENTROPY_GRAD] = _lt_cpu_cross_entropy;
  b->kernels[LT_OP_BIAS_RELU] = _lt_cpu_bias_relu;
  b->kernels[LT_OP_BIAS_RELU_GRAD] = _lt_cpu_bias_relu;
  b->kernels[LT_OP_SGD_UPDATE] = _lt_cpu_sgd_update;
  b->kernels[LT_OP_GELU] = _lt_cpu_activation;
  b->kernels[LT_OP_SILU] = _lt_cpu_activation;
  b->kernels[LT_OP_ELU] = _lt_cpu_activation;
  b->kernels[LT_OP_SOFTPLUS] = _lt_cpu_activation;
  b->kernels[LT_OP_HARDTANH] = _lt_cpu_activation;
  b->kernels[LT_OP_ACTIVATION_GRAD] = _lt_cpu_activation;
  b->kernels[LT_OP_PROD] = _lt_cpu_scan;
  b->kernels[LT_OP_CUMSUM] = _lt_cpu_scan;
  b->kernels[LT_OP_CUMPROD] = _lt_cpu_scan;
  b->kernels[LT_OP_CUMPROD_GRAD] = _lt_cpu_scan;
  b->kernels[LT_OP_SORT] = _lt_cpu_sort;
  b->kernels[LT_OP_TOPK] = _lt_cpu_sort;
  b->kernels[LT_OP_KTHVALUE] = _lt_cpu_sort;
  b->kernels[LT_OP_MEDIAN] = _lt_cpu_sort;
  b->kernels[LT_OP_MEDIAN_DIM] = _lt_cpu_sort;
  b->kernels[LT_OP_MODE] = _lt_cpu_sort;
  b->kernels[LT_OP_UNIQUE] = _lt_cpu_unique;
  b->kernels[LT_OP_LINALG_INV] = _lt_cpu_linalg_solve;
  b->kernels[LT_OP_LINALG_SOLVE] = _lt_cpu_linalg_solve;
  b->kernels[LT_OP_LINALG_DET] = _lt_cpu_linalg_det;
  b->kernels[LT_OP_LINALG_SLOGDET] = _lt_cpu_linalg_det;
  b->kernels[LT_OP_LINALG_CHOLESKY] = _lt_cpu_linalg_cholesky;
  b->kernels[LT_OP_LINALG_EIGH] = _lt_cpu_linalg_eigh;
  b->kernels[LT_OP_LINALG_SVD] = _lt_cpu_linalg_svd;
  b->kernels[LT_OP_LINALG_QR] = _lt_cpu_linalg_qr;
  _lt_cpu_multi_tensor_init (b);
  return b;
}

const LtBackend *
_lt_cpu_backend_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, cpu_backend_init, NULL);
}
