/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's fused kernels (launchers:
 * lt-cuda-kernels-fused-private.h): one launch zeroes a list of tensors or
 * steps an optimizer over a list of parameters; cross_entropy and
 * bias_relu take one launch forward and one backward. Compiled as
 * lt-cuda-kernels.cu is: by nvcc for the GPU, without FMA contraction, and
 * by g++ for the emulated device through the launch shim, each in a
 * namespace of its own.
 *
 * The list (LtCuTensorList) is a kernel argument: block b finds its tensor
 * k by first_block, and the tensor's blocks stride over its elements. The
 * optimizer steps repeat the unfused updates of libtensor/optim operation
 * for operation in the element type (each scalar rounded to it first, as
 * an op with a scalar operand does), so the results are the same bits.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-fused-private.h"

#define LT_CU_FUSED_NS_(ns) ns##_fused
#define LT_CU_FUSED_NS_X(ns) LT_CU_FUSED_NS_ (ns)
#define LT_CU_FUSED_NS LT_CU_FUSED_NS_X (LT_CU_NS)

#ifdef __CUDACC__
#define LT_CU_FUSED_KERNELS_NAME _lt_cu_fused_kernels_device
#else
#define LT_CU_FUSED_KERNELS_NAME _lt_cu_fused_kernels_emulated
#endif

namespace LT_CU_FUSED_NS
{

#include "lt-cuda-kernels-common-private.h"

/* Blocks per tensor at most: a list of LT_CU_MT_MAX tensors stays within
 * MAX_GRID blocks */
#define MT_BLOCKS_PER_TENSOR 2048

__device__ __forceinline__ float f_sqrt (float x) { return sqrtf (x); }
__device__ __forceinline__ double f_sqrt (double x) { return sqrt (x); }

/* The tensor of this block, and this thread's first element and stride in it */
struct MtSlot
{
  int k;
  int64_t start, stride, numel;
};

__device__ __forceinline__ MtSlot
mt_slot (const LtCuTensorList &l)
{
  MtSlot s;
  int b = (int) blockIdx.x;
  int k = 0;
  while (k + 1 < l.n && b >= l.first_block[k + 1])
    k++;
  s.k = k;
  s.start = (int64_t) (b - l.first_block[k]) * blockDim.x + threadIdx.x;
  s.stride = (int64_t) (l.first_block[k + 1] - l.first_block[k]) * blockDim.x;
  s.numel = l.numel[k];
  return s;
}

/* ---- zero ---- */

template <typename T>
__global__ void
k_mt_zero (LtCuTensorList l)
{
  MtSlot s = mt_slot (l);
  T *p = static_cast<T *> (l.ptr[0][s.k]);
  for (int64_t i = s.start; i < s.numel; i += s.stride)
    p[i] = (T) 0;
}

/* ---- SGD: lt-sgd.c's update, as k_sgd of lt-cuda-kernels.cu ---- */

template <typename T>
__global__ void
k_mt_sgd (LtCuTensorList l, LtCuOptimStep st)
{
  const T neg_lr = (T) -st.lr, momentum = (T) st.momentum, alpha = (T) (1 - st.dampening),
          decay = (T) st.weight_decay;
  MtSlot s = mt_slot (l);
  T *p = static_cast<T *> (l.ptr[0][s.k]);
  const T *g = static_cast<const T *> (l.ptr[1][s.k]);
  T *buf = st.has_momentum ? static_cast<T *> (l.ptr[2][s.k]) : nullptr;
  for (int64_t i = s.start; i < s.numel; i += s.stride)
    {
      T d = g[i];
      T x = p[i];
      if (st.maximize)
        d = -d;
      if (st.weight_decay != 0)
        d = d + decay * x;
      if (buf)
        {
          T b;
          if (st.first)
            b = d;
          else
            {
              b = buf[i] * momentum;
              b = b + alpha * d;
            }
          buf[i] = b;
          d = st.nesterov ? d + momentum * b : b;
        }
      p[i] = x + neg_lr * d;
    }
}

/* ---- Adam and AdamW: lt-adam.c's adam_update ---- */

template <typename T>
__global__ void
k_mt_adam (LtCuTensorList l, LtCuOptimStep st)
{
  const T decay = (T) st.weight_decay, keep = (T) (1 - st.lr * st.weight_decay);
  const T beta1 = (T) st.beta1, one_m_beta1 = (T) (1 - st.beta1);
  const T beta2 = (T) st.beta2, one_m_beta2 = (T) (1 - st.beta2);
  const T bc2 = (T) st.bias_correction2_sqrt, eps = (T) st.eps, neg_step = (T) -st.step_size;
  MtSlot s = mt_slot (l);
  T *p = static_cast<T *> (l.ptr[0][s.k]);
  const T *g = static_cast<const T *> (l.ptr[1][s.k]);
  T *ea = static_cast<T *> (l.ptr[2][s.k]);
  T *eas = static_cast<T *> (l.ptr[3][s.k]);
  T *mx = st.amsgrad ? static_cast<T *> (l.ptr[4][s.k]) : nullptr;
  for (int64_t i = s.start; i < s.numel; i += s.stride)
    {
      T d = g[i];
      T x = p[i];
      if (st.maximize)
        d = -d;
      /* Adam: grad + weight_decay * param; AdamW: param * (1 - lr * wd) */
      if (!st.decoupled && st.weight_decay != 0)
        d = d + x * decay;
      if (st.decoupled)
        x = x * keep;
      T m = ea[i] * beta1;
      m = m + d * one_m_beta1;
      ea[i] = m;
      T v = eas[i] * beta2;
      T t = d * one_m_beta2;
      t = t * d;
      v = v + t;
      eas[i] = v;
      if (mx)
        {
          T a = mx[i];
          v = (a != a || a > v) ? a : v;
          mx[i] = v;
        }
      T denom = f_sqrt (v);
      denom = denom / bc2;
      denom = denom + eps;
      t = m * neg_step;
      t = t / denom;
      p[i] = x + t;
    }
}

/* ---- RMSprop: lt-rmsprop.c's update ---- */

template <typename T>
__global__ void
k_mt_rmsprop (LtCuTensorList l, LtCuOptimStep st)
{
  const T decay = (T) st.weight_decay, alpha = (T) st.beta2, one_m_alpha = (T) (1 - st.beta2);
  const T eps = (T) st.eps, momentum = (T) st.momentum, neg_lr = (T) -st.lr;
  MtSlot s = mt_slot (l);
  T *p = static_cast<T *> (l.ptr[0][s.k]);
  const T *g = static_cast<const T *> (l.ptr[1][s.k]);
  T *sq = static_cast<T *> (l.ptr[2][s.k]);
  T *ga = st.centered ? static_cast<T *> (l.ptr[3][s.k]) : nullptr;
  T *buf = st.has_momentum ? static_cast<T *> (l.ptr[4][s.k]) : nullptr;
  for (int64_t i = s.start; i < s.numel; i += s.stride)
    {
      T d = g[i];
      T x = p[i];
      if (st.maximize)
        d = -d;
      if (st.weight_decay != 0)
        d = d + x * decay;
      T v = sq[i] * alpha;
      T t = d * one_m_alpha;
      t = t * d;
      v = v + t;
      sq[i] = v;
      T avg;
      if (ga)
        {
          T a = ga[i] * alpha;
          a = a + d * one_m_alpha;
          ga[i] = a;
          T a2 = a * (T) -1;
          a2 = a2 * a;
          avg = f_sqrt (v + a2);
        }
      else
        avg = f_sqrt (v);
      avg = avg + eps;
      if (buf)
        {
          T q = d / avg;
          T b = buf[i] * momentum;
          b = b + q;
          buf[i] = b;
          p[i] = x + b * neg_lr;
        }
      else
        {
          t = d * neg_lr;
          t = t / avg;
          p[i] = x + t;
        }
    }
}

int
launch_zero (void *stream, const LtCuTensorList *l)
{
  if (l->n == 0)
    return LT_CU_OK;
  if (l->dtype == LT_CU_F32)
    LT_LAUNCH (k_mt_zero<float>, l->n_blocks, THREADS, stream, *l);
  else if (l->dtype == LT_CU_F64)
    LT_LAUNCH (k_mt_zero<double>, l->n_blocks, THREADS, stream, *l);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

template <typename T>
int
launch_optim_t (void *stream, const LtCuTensorList *l, const LtCuOptimStep *s)
{
  switch (s->kind)
    {
    case LT_CU_MT_SGD: LT_LAUNCH (k_mt_sgd<T>, l->n_blocks, THREADS, stream, *l, *s); break;
    case LT_CU_MT_ADAM: LT_LAUNCH (k_mt_adam<T>, l->n_blocks, THREADS, stream, *l, *s); break;
    case LT_CU_MT_RMSPROP:
      LT_LAUNCH (k_mt_rmsprop<T>, l->n_blocks, THREADS, stream, *l, *s);
      break;
    default: return LT_CU_UNSUPPORTED;
    }
  return LT_LAUNCH_STATUS ();
}

int
launch_optim (void *stream, const LtCuTensorList *l, const LtCuOptimStep *s)
{
  if (l->n == 0)
    return LT_CU_OK;
  if (l->dtype == LT_CU_F32)
    return launch_optim_t<float> (stream, l, s);
  if (l->dtype == LT_CU_F64)
    return launch_optim_t<double> (stream, l, s);
  return LT_CU_UNSUPPORTED;
}

/* ---- cross_entropy of class-index targets ---- */

/* The same arithmetic as the unfused kernels, so both give the same bits:
 * the rows' log_softmax as k_softmax (lt-cuda-kernels.cu: in double, rounded
 * once), the loss as k_nll (lt-cuda-kernels-math.cu: one block of
 * CE_THREADS threads striding over the targets, a tree of doubles), the
 * gradient as nll_loss_grad, sum, exp, mul and sub in the element type. */

#define CE_THREADS 128 /* k_nll's block: a power of two */

__device__ __forceinline__ float ce_exp (float x) { return expf (x); }
__device__ __forceinline__ double ce_exp (double x) { return exp (x); }

template <typename T>
__global__ void
k_ce (LtCuCrossEntropy p, LtCuErrorWord *err)
{
  __shared__ double part[CE_THREADS];
  const T *x = static_cast<const T *> (p.x), *w = static_cast<const T *> (p.weight);
  T *logp = static_cast<T *> (p.logp), *out = static_cast<T *> (p.out);
  double sum = 0, total = 0;
  int64_t NR = p.N * p.R;
  for (int64_t k = threadIdx.x; k < NR; k += blockDim.x)
    {
      int64_t i = k / p.R, r = k - i * p.R, c = p.target[k];
      const T *xr = x + i * p.C * p.R + r;
      T *yr = logp + i * p.C * p.R + r;
      double mx = -INFINITY, s = 0;
      T wc, l;
      for (int64_t j = 0; j < p.C; j++)
        {
          double v = (double) xr[j * p.R];
          if (v > mx || v != v)
            mx = v;
        }
      for (int64_t j = 0; j < p.C; j++)
        s += exp ((double) xr[j * p.R] - mx);
      for (int64_t j = 0; j < p.C; j++)
        yr[j * p.R] = (T) ((double) xr[j * p.R] - mx - log (s));
      if (c == p.ignore_index || c < 0 || c >= p.C)
        {
          if (c != p.ignore_index && atomicCAS (&err->code, 0, LT_CU_ERRW_CLASS_TARGET) == 0)
            {
              err->op = p.C > INT32_MAX ? INT32_MAX : (int) p.C;
              err->value = c;
              err->bound = p.op;
            }
          if (p.reduction == 0)
            out[k] = 0;
          continue;
        }
      wc = w ? w[c] : (T) 1;
      l = -wc * yr[c * p.R];
      if (p.reduction == 0)
        out[k] = l;
      sum += l;
      total += wc;
    }
  sum = block_sum (sum, part);
  total = block_sum (total, part);
  if (threadIdx.x == 0)
    {
      logp[p.N * p.C * p.R] = (T) total;
      if (p.reduction == 2)
        *out = (T) sum;
      else if (p.reduction == 1)
        *out = (T) sum / (T) total;
    }
}

/* dx[n, c, r] = (c == t ? s : 0) - exp (logp[n, c, r]) * s, s = -w[t] gw */
template <typename T>
__global__ void
k_ce_grad (LtCuCrossEntropy p)
{
  const T *g = static_cast<const T *> (p.g), *w = static_cast<const T *> (p.weight);
  const T *logp = static_cast<const T *> (p.logp);
  T *dx = static_cast<T *> (p.out);
  int64_t CR = p.C * p.R;
  GRID_STRIDE_LOOP (e, p.N * CR)
    {
      int64_t i = e / CR, rem = e - i * CR, c = rem / p.R, r = rem - c * p.R;
      int64_t t = p.target[i * p.R + r];
      T v = 0;
      if (t != p.ignore_index && t >= 0 && t < p.C)
        {
          T gw = g[p.reduction == 0 ? i * p.R + r : 0];
          if (p.reduction == 1)
            gw = gw / *static_cast<const T *> (p.total);
          T s = -(w ? w[t] : (T) 1) * gw;
          v = (t == c ? s : (T) 0) - ce_exp (logp[e]) * s;
        }
      dx[e] = v;
    }
}

int
launch_cross_entropy (void *stream, const LtCuCrossEntropy *c, LtCuErrorWord *err)
{
  if (c->dtype == LT_CU_F32)
    LT_LAUNCH_COOP (k_ce<float>, 1, CE_THREADS, stream, *c, err);
  else if (c->dtype == LT_CU_F64)
    LT_LAUNCH_COOP (k_ce<double>, 1, CE_THREADS, stream, *c, err);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

int
launch_cross_entropy_grad (void *stream, const LtCuCrossEntropy *c)
{
  int64_t total = c->N * c->C * c->R;
  unsigned g = grid_for (total, THREADS);

  if (c->dtype != LT_CU_F32 && c->dtype != LT_CU_F64)
    return LT_CU_UNSUPPORTED;
  if (total == 0)
    return LT_CU_OK;
  if (c->dtype == LT_CU_F32)
    LT_LAUNCH (k_ce_grad<float>, g, THREADS, stream, *c);
  else
    LT_LAUNCH (k_ce_grad<double>, g, THREADS, stream, *c);
  return LT_LAUNCH_STATUS ();
}

/* ---- bias + relu ---- */

/* y = relu (x + b[c]) with the add's and relu's arithmetic (k_binary, then
 * k_unary: v < 0 ? 0 : v), so y has the unfused ops' bits */
template <typename T>
__global__ void
k_bias_relu (LtCuBiasRelu p)
{
  const T *x = static_cast<const T *> (p.x), *b = static_cast<const T *> (p.b);
  T *y = static_cast<T *> (p.y);
  GRID_STRIDE_LOOP (e, p.N * p.C * p.R)
    {
      int64_t c = (e / p.R) % p.C;
      T v = x[e] + b[c];
      y[e] = v < 0 ? (T) 0 : v;
    }
}

#define BR_THREADS 128 /* RED_THREADS of lt-cuda-kernels.cu: the reduce's tree */

/* db[c] sums the channel's N R gradients as the reduce kernel sums them
 * (k_reduce_block and k_reduce_thread of lt-cuda-kernels.cu, chosen by
 * the same rule on the same counts), so that it has the bits of the
 * unfused bias gradient (a sum over the batch): long sums by a block per
 * channel, each thread's share in order then a tree of doubles; short ones
 * by a thread per channel, in order. dx = (y <= 0 ? 0 : g) (relu_grad's
 * rule) on the way. */
__host__ __device__ __forceinline__ bool
br_grad_by_blocks (int64_t n_red, int64_t n_out)
{
  return n_red >= 4096 || (n_red >= 256 && n_out < 64);
}

/* A block per channel c (striding over the channels) */
template <typename T>
__global__ void
k_bias_relu_grad (LtCuBiasRelu p)
{
  __shared__ double part[BR_THREADS];
  const T *g = static_cast<const T *> (p.g), *y = static_cast<const T *> (p.x);
  T *dx = static_cast<T *> (p.y), *db = static_cast<T *> (p.db);
  int64_t NR = p.N * p.R;
  for (int64_t c = blockIdx.x; c < p.C; c += gridDim.x)
    {
      double s = 0;
      for (int64_t k = threadIdx.x; k < NR; k += blockDim.x)
        {
          int64_t n = k / p.R, r = k - n * p.R, e = (n * p.C + c) * p.R + r;
          T d = y[e] <= 0 ? (T) 0 : g[e];
          dx[e] = d;
          s += (double) d;
        }
      s = block_sum (s, part);
      if (threadIdx.x == 0)
        db[c] = (T) s;
    }
}

int
launch_bias_relu (void *stream, const LtCuBiasRelu *p)
{
  int64_t total = p->N * p->C * p->R;
  unsigned g = grid_for (total, THREADS);

  if (p->dtype != LT_CU_F32 && p->dtype != LT_CU_F64)
    return LT_CU_UNSUPPORTED;
  if (total == 0)
    return LT_CU_OK;
  if (p->dtype == LT_CU_F32)
    LT_LAUNCH (k_bias_relu<float>, g, THREADS, stream, *p);
  else
    LT_LAUNCH (k_bias_relu<double>, g, THREADS, stream, *p);
  return LT_LAUNCH_STATUS ();
}

/* A thread per channel c, in order */
template <typename T>
__global__ void
k_bias_relu_grad_thread (LtCuBiasRelu p)
{
  const T *g = static_cast<const T *> (p.g), *y = static_cast<const T *> (p.x);
  T *dx = static_cast<T *> (p.y), *db = static_cast<T *> (p.db);
  GRID_STRIDE_LOOP (c, p.C)
    {
      double s = 0;
      for (int64_t n = 0; n < p.N; n++)
        for (int64_t r = 0; r < p.R; r++)
          {
            int64_t e = (n * p.C + c) * p.R + r;
            T d = y[e] <= 0 ? (T) 0 : g[e];
            dx[e] = d;
            s += (double) d;
          }
      db[c] = (T) s;
    }
}

int
launch_bias_relu_grad (void *stream, const LtCuBiasRelu *p)
{
  unsigned g = (unsigned) (p->C < MAX_GRID ? p->C : MAX_GRID);

  if (p->dtype != LT_CU_F32 && p->dtype != LT_CU_F64)
    return LT_CU_UNSUPPORTED;
  if (p->C == 0)
    return LT_CU_OK;
  if (!br_grad_by_blocks (p->N * p->R, p->C))
    {
      if (p->dtype == LT_CU_F32)
        LT_LAUNCH (k_bias_relu_grad_thread<float>, grid_for (p->C, THREADS), THREADS, stream, *p);
      else
        LT_LAUNCH (k_bias_relu_grad_thread<double>, grid_for (p->C, THREADS), THREADS, stream, *p);
    }
  else if (p->dtype == LT_CU_F32)
    LT_LAUNCH_COOP (k_bias_relu_grad<float>, g, BR_THREADS, stream, *p);
  else
    LT_LAUNCH_COOP (k_bias_relu_grad<double>, g, BR_THREADS, stream, *p);
  return LT_LAUNCH_STATUS ();
}

} // namespace LT_CU_FUSED_NS

extern "C" const LtCuFusedKernels LT_CU_FUSED_KERNELS_NAME = {
  LT_CU_FUSED_NS::launch_zero,
  LT_CU_FUSED_NS::launch_optim,
  LT_CU_FUSED_NS::launch_cross_entropy,
  LT_CU_FUSED_NS::launch_cross_entropy_grad,
  LT_CU_FUSED_NS::launch_bias_relu,
  LT_CU_FUSED_NS::launch_bias_relu_grad,
};
