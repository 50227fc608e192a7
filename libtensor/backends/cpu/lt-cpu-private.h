/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string.h>

#include "backends/lt-backend-private.h"
#include "ops/lt-op-private.h"
#include "core/lt-dtype-private.h"

G_BEGIN_DECLS

/* Below this many elements a loop runs on the calling thread alone. */
#define LT_CPU_GRAIN 32768

int  _lt_cpu_get_num_threads (void);

/* Kernels compiled for several instruction sets (GCC's target attribute)
 * and chosen at run time: the convolutions (lt-cpu-conv*.c), batch norm
 * (lt-cpu-batch-norm.c), the small matrix products (lt-cpu-blas.c) and the
 * float32 exp (lt-cpu-exp.c). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LT_CPU_X86_ISAS 1
#endif

/* The table [LtCpuIsa][float64] of a kernel compiled as name_f32_base,
 * name_f64_base, name_f32_avx2, ..., name_f64_avx512 */
#ifdef LT_CPU_X86_ISAS
#define LT_CPU_ISA_TABLE(name)                                  \
  { { name##_f32_base, name##_f64_base },                       \
    { name##_f32_avx2, name##_f64_avx2 },                       \
    { name##_f32_avx512, name##_f64_avx512 } }
#else
#define LT_CPU_ISA_TABLE(name) { { name##_f32_base, name##_f64_base } }
#endif

typedef enum {
  LT_CPU_ISA_BASE,
  LT_CPU_ISA_AVX2,      /* AVX2 and FMA */
  LT_CPU_ISA_AVX512,    /* AVX-512 F and VL */
  LT_CPU_N_ISAS
} LtCpuIsa;

/* The widest instruction set of this CPU that the kernels are built for
 * (LT_CPU_ISA=avx2 or base in the environment narrows it); always BASE
 * without LT_CPU_X86_ISAS. */
LtCpuIsa _lt_cpu_isa (void);

/*
 * float32 exp in vectors (lt-cpu-exp.c), shared by the kernels that must
 * agree bit for bit: the exp op, softmax and log_softmax, and the fused
 * cross_entropy. An element's exp does not depend on its place in the
 * array. Sums of exponentials go to 16 double accumulators, element j of
 * a row to acc[j % 16]: a row read in chunks of a multiple of 16 sums to
 * the same bits as one read at once.
 */
#define LT_CPU_EXP_ACC 16

typedef struct
{
  /* the largest of @m and x[0 .. n - 1]; NaNs are passed over (the sum
   * below turns them into a NaN result) */
  float (*max)           (const float *x,
                          gint64       n,
                          float        m);
  /* acc[j % 16] += exp (x[j] - m), and e[j] = that exp when @e is not NULL */
  void  (*exp_sum)       (const float *x,
                          gint64       n,
                          float        m,
                          float       *e,
                          double      *acc);
  /* y[j] = exp (x[j]) */
  void  (*exp)           (const float *x,
                          float       *y,
                          gint64       n);
  /* y[j] = 0 - exp (x[j]) * s: (exp (x) * s) subtracted from zero, rounded
   * as the exp op, then a product, then a difference are */
  void  (*exp_neg_scale) (const float *x,
                          float       *y,
                          gint64       n,
                          float        s);
  /* y[j] = 1 / (1 + exp (-x[j])), and tanh (x[j]) (the LSTM's steps,
   * lt-cpu-rnn.c); @y may be @x */
  void  (*sigmoid)       (const float *x,
                          float       *y,
                          gint64       n);
  void  (*tanh)          (const float *x,
                          float       *y,
                          gint64       n);
} LtCpuExpF32;

/* The kernels of _lt_cpu_isa (), or of a narrower @isa (tests) */
const LtCpuExpF32 *_lt_cpu_exp_f32       (void);
const LtCpuExpF32 *_lt_cpu_exp_f32_isa   (LtCpuIsa isa);
/* The sum of the LT_CPU_EXP_ACC accumulators, in a fixed order */
double             _lt_cpu_exp_acc_total (const double *acc);
/* The largest m of the @n elements x[0], x[stride], ... (in *@m_out), and
 * the sum of exp (x[j] - m) in the accumulators' order; with @e, also
 * e[j * stride] = exp (x[j * stride] - m) (@e may be @x) */
double             _lt_cpu_exp_row_f32   (const float *x,
                                          gint64       n,
                                          gint64       stride,
                                          float       *e,
                                          float       *m_out);
/* log_softmax of a row: y[j * stride] = x[j * stride] - (m + log (sum)),
 * m and sum those of _lt_cpu_exp_row_f32 (); softmax's and the fused
 * cross_entropy's rows, for the same bits */
void               _lt_cpu_log_softmax_row_f32 (const float *x,
                                                float       *y,
                                                gint64       n,
                                                gint64       stride);
/* y = exp (x), or 0 - exp (x) * s with @neg_scale, over @n elements @sx
 * and @sy bytes apart (@y may be @x) */
void               _lt_cpu_exp_strided_f32 (const float *x,
                                            gint64       sx,
                                            float       *y,
                                            gint64       sy,
                                            gint64       n,
                                            gboolean     neg_scale,
                                            float        s);

/* Host buffers, 64-byte aligned at least, through the backend's cache of
 * freed buffers (lt-cpu-alloc.c); kernels take their scratch here too.
 * _lt_cpu_free needs the size given to _lt_cpu_alloc. */
gpointer _lt_cpu_alloc            (gsize     nbytes,
                                   GError  **error);
void     _lt_cpu_free             (gpointer  data,
                                   gsize     nbytes);
void     _lt_cpu_alloc_after_fork (void);
/* Tests only: the allocation after @n more fails (once; -1 disarms), and
 * whether that failure is still to come */
void     _lt_cpu_alloc_fail_after   (gint      n);
gboolean _lt_cpu_alloc_fail_pending (void);
/* Tests only: every buffer from now on filled with NaN (all bits set) */
void     _lt_cpu_alloc_poison       (gboolean  on);

/*
 * Parallel regions: runs @func (part, n, ctx) once for every part = 0 ..
 * @n - 1, on the calling thread and up to n - 1 threads of the backend's
 * pool (at most the thread count in all), and returns when all are done.
 * Thread t of T takes the parts [t n / T, (t + 1) n / T) first, one at a
 * time, so that an op's share of the data goes to the core that had the
 * same share in the op before; then it claims what is left of the others'.
 * A part is not tied to a thread: cutting a job into more parts than
 * threads lets a thread that runs while another waits for a core take
 * more of them. From inside a region, or while the pool serves another
 * thread, the parts run one after the other on the calling thread.
 */
/* Parts a parallel job is cut into per thread */
#define LT_CPU_PARTS_PER_THREAD 4

typedef void (*LtCpuParallelFunc) (int      tid,
                                   int      n,
                                   gpointer ctx);

void _lt_cpu_parallel            (int               n,
                                  LtCpuParallelFunc func,
                                  gpointer          ctx);
/* In a child of fork (): forget the parent's workers (lt-cpu-parallel.c) */
void _lt_cpu_parallel_after_fork (void);
/* Tests only: widens the window between a job's set-up and its opening */
void _lt_cpu_parallel_set_open_delay (int spins);

/* The part [*begin, *end) of [0, total) that part @tid of @n takes. */
static inline void
_lt_cpu_split (gint64  total,
               int     tid,
               int     n,
               gint64 *begin,
               gint64 *end)
{
  gint64 chunk = (total + n - 1) / n;

  *begin = MIN (total, tid * chunk);
  *end = MIN (total, *begin + chunk);
}

/*
 * Elementwise iteration (lt-cpu-foreach.c). @operands[0] is the output and defines the iteration
 * shape; the other operands broadcast to it. The loop gets one pointer per
 * operand, the byte stride of each operand along the innermost dimension,
 * and the number of elements of the run. Dimensions are reordered to follow
 * the output's memory order and coalesced, so a contiguous output and inputs
 * give a single run (per thread).
 */
typedef void (*LtCpuLoop) (char        **data,
                           const gint64 *strides,
                           gint64        n,
                           gpointer      ctx);

void _lt_cpu_foreach (LtTensor **operands,
                      guint      n_operands,
                      LtCpuLoop  loop,
                      gpointer   ctx,
                      gboolean   parallel);

/* Kernels by family, each a LtKernel */
gboolean _lt_cpu_unary        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_binary       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_where        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_copy         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_fill         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_random       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_range        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_randperm     (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_reduce       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_softmax      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_gemm         (const LtKernelArgs *args, GError **error);
/* Which side runs float32 matrix products (lt-cpu-blas.c): the kernels
 * of our own (1) wherever their layouts allow, OpenBLAS (0), the rule of
 * generic OpenBLAS cores whatever core it runs (2), or back to the rule
 * (-1), as LT_CPU_SMALL_GEMM=1, 0 or l2 in the environment does (read at
 * the first product) */
void     _lt_cpu_set_small_gemm   (int mode);
/* Tests only: how many float32 products ran on our own kernels so far */
guint64  _lt_cpu_small_gemm_calls (void);
/* C (M, N, row-major) = alpha A @ B + beta C in float32, A[i, k] at
 * a[i as0 + k as1], B[k, j] at b[k bs0 + j bs1], one of the two strides of
 * each a unit one, as lt_mm and lt_addmm run it (bench/bench-gemm.c) */
void     _lt_cpu_gemm_f32         (gint64 M, gint64 N, gint64 K,
                                   const float *a, gint64 as0, gint64 as1,
                                   const float *b, gint64 bs0, gint64 bs1,
                                   float *c, double alpha, double beta);
gboolean _lt_cpu_index        (const LtKernelArgs *args, GError **error);
/* take, index_put, scatter, nonzero (lt-cpu-index-put.c) */
gboolean _lt_cpu_index_put    (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_nll_loss      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_cross_entropy (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_bias_relu (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_sgd_update   (const LtKernelArgs *args, GError **error);
/* The backend's multi_tensor (lt-cpu-multi-tensor.c), set at start-up;
 * tests turn it off and on to compare the fused and unfused steps, and
 * count the multi-tensor updates it ran. */
void     _lt_cpu_multi_tensor_init  (LtBackend *backend);
void     _lt_cpu_set_multi_tensor   (gboolean   enabled);
guint64  _lt_cpu_multi_tensor_calls (void);
gboolean _lt_cpu_conv         (const LtKernelArgs *args, GError **error);
/* conv2d's epilogue (LtConvParams.relu: a ReLU fused after the
 * convolution): @n outputs from @src to @dst (@dst == @src: in place) as
 * relu's kernel writes them, v < 0 ? 0 : v (-0 and NaN pass as they are),
 * or copied as they are without @relu. The forwards of lt-cpu-conv.c,
 * lt-cpu-conv-winograd.c and lt-cpu-conv-depthwise.c call it where they
 * store each unit of output, while it is in cache; inlined into the
 * callers compiled per instruction set, the loop vectorises with theirs. */
#define LT_CPU_DEFINE_CONV_STORE(T, sfx)                                                  \
  static inline __attribute__ ((always_inline)) void _lt_cpu_conv_store_##sfx (           \
    T *dst, const T *src, gint64 n, gboolean relu)                                      \
  {                                                                                     \
    if (!relu)                                                                          \
      {                                                                                 \
        if (dst != src)                                                                 \
          memcpy (dst, src, (gsize) n * sizeof (T));                                    \
        return;                                                                         \
      }                                                                                 \
    for (gint64 i = 0; i < n; i++)                                                      \
      {                                                                                 \
        T v = src[i];                                                                   \
        dst[i] = v < 0 ? (T) 0 : v;                                                     \
      }                                                                                 \
  }
LT_CPU_DEFINE_CONV_STORE (float, f32)
LT_CPU_DEFINE_CONV_STORE (double, f64)
#define _lt_cpu_conv_store(dst, src, n, relu)                                            \
  _Generic ((dst), float *: _lt_cpu_conv_store_f32, double *: _lt_cpu_conv_store_f64) ( \
    dst, src, n, relu)
/* Depthwise conv2d, computed directly (lt-cpu-conv-depthwise.c); the rule
 * that picks it is in lt-cpu-conv.c */
gboolean _lt_cpu_conv_depthwise_applies (const LtTensor     *x,
                                         const LtTensor     *w,
                                         const LtConvParams *p);
gboolean _lt_cpu_conv_depthwise         (const LtKernelArgs *args,
                                         GError            **error);
/* 3x3 stride-1 conv2d, its grad input and its grad weight by Winograd's
 * F(2x2, 3x3) (lt-cpu-conv-winograd.c), where its rules say it wins; tests
 * force it on (1), off (0) or back to the rules (-1), as LT_CPU_WINOGRAD=1
 * or 0 in the environment does (read at the first convolution), and the
 * grad weight's alone the same way (-2: back to following the others), as
 * LT_CPU_WINOGRAD_GRAD_WEIGHT does */
gboolean _lt_cpu_conv_winograd_applies (const LtKernelArgs *args);
gboolean _lt_cpu_conv_winograd         (const LtKernelArgs *args,
                                        GError            **error);
void     _lt_cpu_conv_set_winograd     (int                 mode);
void     _lt_cpu_conv_set_winograd_grad_weight (int         mode);
/* Tests only: how many convolutions ran by Winograd so far */
guint64  _lt_cpu_conv_winograd_calls   (void);
gboolean _lt_cpu_pooling         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_norm            (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_batch_norm      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_activation   (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_scan         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_sort         (const LtKernelArgs *args, GError **error);
/* LAPACK (lt-cpu-linalg.c) */
gboolean _lt_cpu_linalg_solve     (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_linalg_det       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_linalg_cholesky  (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_linalg_eigh      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_linalg_svd       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_linalg_qr        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_unique       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_rnn          (const LtKernelArgs *args, GError **error);

G_END_DECLS
