/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"
#include "lt-cuda-kernels-index-private.h"
#include "ops/lt-op-private.h"

/*
 * The CUDA backend's indexing, convolution and pooling ops: the glue from
 * kernel arguments to the launchers of lt-cuda-kernels-index.cu (the GPU's
 * compilation on the real runtime, the host's on the emulated and fake
 * ones). The front ends hand these kernels the layouts the CPU's take
 * (backends/cpu/lt-cpu-index.c, lt-cpu-index-put.c, lt-cpu-conv.c,
 * lt-cpu-pooling.c): index
 * tensors int64 and contiguous, images and weights contiguous.
 *
 * An index out of range is found by the kernel, on the device: it records
 * the op, the index and the size in the device-side error word, and the
 * GError comes at the next synchronisation (a copy to the host,
 * lt_cuda_synchronize; at once with LT_CUDA_SYNC=1), as PyTorch's CUDA
 * device-side asserts.
 *
 * conv2d is im2col and the runtime's gemm (cuBLAS on a GPU), a chunk of
 * images at a time, one batched product per group; its gradients are the
 * products' transposes and col2im.
 */

/* im2col buffers stay under this many elements (a chunk of images) */
#define CONV_COL_ELEMENTS ((gint64) 1 << 24)

static const LtCuIndexKernels *
index_kernels (const LtCudaLaunch *l)
{
  return l->rt->index_kernels;
}

static void
tensor_desc (LtCuTensor *d, LtTensor *t)
{
  memset (d, 0, sizeof *d);
  d->data = _lt_tensor_data (t);
  d->ndim = (int32_t) t->ndim;
  d->dtype = (int32_t) t->dtype;
  d->numel = t->numel;
  for (guint i = 0; i < t->ndim; i++)
    {
      d->shape[i] = t->shape[i];
      d->stride[i] = t->strides[i];
    }
}

/* Device scratch of @nbytes for @op (an allocation failure names it),
 * freed by the caller (stream order keeps it alive for the kernels queued
 * before). */
static gpointer
scratch (gsize nbytes, LtOp op, GError **error)
{
  gpointer p = _lt_cuda_alloc (MAX (nbytes, 1), error);

  if (p == NULL)
    g_prefix_error (error, "%s: ", _lt_op_table[op].name);
  return p;
}

/* ---- indexing ---- */

static gboolean
k_index (const LtKernelArgs *args, GError **error)
{
  const LtCuIndexKernels *k;
  LtTensor               *out = args->out;
  LtCudaLaunch            l;
  int                     status;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  k = index_kernels (&l);
  switch (args->op)
    {
      case LT_OP_INDEX_SELECT:
      case LT_OP_INDEX_ADD:
        {
          gboolean  select = args->op == LT_OP_INDEX_SELECT;
          LtTensor *x = select ? args->in[0] : out, *idx = args->in[1];
          LtTensor *y = select ? out : args->in[2];
          guint     dim = args->params->dim.dim;
          gint64    outer = 1, inner = 1, size = x->ndim ? x->shape[dim] : 1;

          for (guint d = 0; d < dim && d < x->ndim; d++)
            outer *= x->shape[d];
          for (guint d = dim + 1; d < x->ndim; d++)
            inner *= x->shape[d];
          if (select)
            status = k->index_select (l.stream, _lt_tensor_data (y), _lt_tensor_data (x),
                                      _lt_tensor_data (idx), idx->numel, outer, size, inner,
                                      out->dtype, args->op, l.err_word);
          else
            status = k->index_add (l.stream, _lt_tensor_data (x), _lt_tensor_data (y),
                                   _lt_tensor_data (idx), idx->numel, outer, size, inner,
                                   out->dtype, args->op, l.err_word);
          break;
        }
      case LT_OP_GATHER:
      case LT_OP_SCATTER_ADD:
        {
          LtCuTensor o, x, idx;

          tensor_desc (&o, out);
          tensor_desc (&idx, args->in[1]);
          if (args->op == LT_OP_GATHER)
            {
              tensor_desc (&x, args->in[0]);
              status = k->gather (l.stream, &o, &x, &idx, (int) args->params->dim.dim, args->op,
                                  l.err_word);
            }
          else
            {
              tensor_desc (&x, args->in[2]);
              status = k->scatter_add (l.stream, &o, &x, &idx, (int) args->params->dim.dim,
                                       args->op, l.err_word);
            }
          break;
        }
      case LT_OP_MASKED_SELECT:
      case LT_OP_MASKED_SCATTER:
        {
          gboolean  select = args->op == LT_OP_MASKED_SELECT;
          LtTensor *mask = select ? args->in[1] : args->in[0];
          gint64   *sums;

          if (mask->numel == 0 || (select && out->numel == 0))
            return TRUE;
          sums = scratch ((mask->numel + 1) * sizeof (gint64), args->op, error);
          if (sums == NULL)
            return FALSE;
          if (select)
            status = k->masked_select (l.stream, _lt_tensor_data (out), out->numel,
                                       _lt_tensor_data (args->in[0]), _lt_tensor_data (mask),
                                       mask->numel, sums, out->dtype);
          else
            status = k->masked_scatter (l.stream, _lt_tensor_data (out), _lt_tensor_data (mask),
                                        mask->numel, _lt_tensor_data (args->in[1]),
                                        args->in[1]->numel, sums, out->dtype, args->op, l.err_word);
          _lt_cuda_free (sums);
          break;
        }
      case LT_OP_ONE_HOT:
        status =
          k->one_hot (l.stream, _lt_tensor_data (out), _lt_tensor_data (args->in[0]),
                      args->in[0]->numel, args->params->one_hot.num_classes, args->op, l.err_word);
        break;
      default:
        g_assert_not_reached ();
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

/* ---- take, index_put, scatter, nonzero (ops/lt-index-put.c) ---- */

static void
coords_desc (LtCuCoords *c, LtTensor *x, LtTensor *idx, const LtIndexPutParams *p)
{
  memset (c, 0, sizeof *c);
  c->k = (int32_t) p->k;
  c->mode = (int32_t) p->mode;
  c->dtype = (int32_t) x->dtype;
  c->m = idx->ndim == 2 ? idx->shape[1] : 0;
  c->inner = 1;
  for (guint d = 0; d < p->k && d < LT_CU_MAX_DIMS; d++)
    c->size[d] = p->flat ? x->numel : (x->ndim ? x->shape[d] : 1);
  if (!p->flat)
    for (guint d = p->k; d < x->ndim; d++)
      c->inner *= x->shape[d];
}

static gboolean
k_index_put (const LtKernelArgs *args, GError **error)
{
  const LtIndexPutParams *p;
  const LtCuIndexKernels *k;
  LtCudaLaunch            l;
  gint64                 *flags;
  gint64                  n_flags;
  int                     status;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  k = index_kernels (&l);
  if (args->op == LT_OP_NONZERO)
    {
      LtCuTensor x;

      tensor_desc (&x, args->in[0]);
      status = k->nonzero (l.stream, _lt_tensor_data (args->out),
                           args->out->ndim ? args->out->shape[0] : 0, &x);
      return _lt_cuda_after_launch (status, args->op, error);
    }
  /* nonzero has no parameters (args->params is NULL): read them only now */
  p = &args->params->index_put;
  /* take and index_put: the rows and a flag; scatter: the flag */
  n_flags =
    args->op == LT_OP_SCATTER ? 1 : (args->in[1]->ndim == 2 ? args->in[1]->shape[1] : 0) + 1;
  flags = scratch (n_flags * sizeof (gint64), args->op, error);
  if (flags == NULL)
    return FALSE;
  status = l.rt->memset_async (flags + n_flags - 1, 0, sizeof (gint64), l.stream);
  if (status == LT_CU_OK && args->op == LT_OP_SCATTER)
    {
      LtCuTensor o, idx, src;

      tensor_desc (&o, args->out);
      tensor_desc (&idx, args->in[1]);
      tensor_desc (&src, args->in[2]);
      status = k->scatter (l.stream, &o, &src, &idx, (int) p->dim, (int) p->mode, flags, args->op,
                           l.err_word);
    }
  else if (status == LT_CU_OK)
    {
      gboolean   take = args->op == LT_OP_TAKE;
      LtTensor  *x = take ? args->in[0] : args->out;
      LtCuCoords c;

      coords_desc (&c, x, args->in[1], p);
      if (take)
        status = k->take (l.stream, _lt_tensor_data (args->out), _lt_tensor_data (x),
                          _lt_tensor_data (args->in[1]), &c, flags, args->op, l.err_word);
      else
        status = k->index_put (l.stream, _lt_tensor_data (x), _lt_tensor_data (args->in[2]),
                               _lt_tensor_data (args->in[1]), &c, flags, args->op, l.err_word);
    }
  _lt_cuda_free (flags);
  return _lt_cuda_after_launch (status, args->op, error);
}

/* ---- conv2d ---- */

typedef struct
{
  LtCuConvGeom g;
  gint64       groups, O, Og, Cg, K, L, chunk;
} Conv;

static void
conv_init (Conv *c, LtTensor *x, LtTensor *w, LtTensor *y, const LtConvParams *p)
{
  LtCuConvGeom *g = &c->g;

  memset (c, 0, sizeof *c);
  g->n = x->shape[0];
  g->c = x->shape[1];
  g->h = x->shape[2];
  g->w = x->shape[3];
  g->oh = y->shape[2];
  g->ow = y->shape[3];
  g->kh = w->shape[2];
  g->kw = w->shape[3];
  g->sh = p->stride[0];
  g->sw = p->stride[1];
  g->ph = p->padding[0];
  g->pw = p->padding[1];
  g->dh = p->dilation[0];
  g->dw = p->dilation[1];
  g->dtype = (int32_t) x->dtype;
  c->groups = MAX (p->groups, 1);
  c->O = w->shape[0];
  c->Og = c->O / c->groups;
  c->Cg = g->c / c->groups;
  c->K = c->Cg * g->kh * g->kw;
  c->L = g->oh * g->ow;
  c->chunk = MAX ((gint64) 1, MIN (g->n, CONV_COL_ELEMENTS / MAX (g->c * g->kh * g->kw * c->L, 1)));
}

/* y = conv2d (x, w) + b, and with @relu relu (y) in the bias's pass (a
 * ReLU fused after the convolution: one launch where the unfused add and
 * relu make two, with their bits) */
static int
conv_forward (const LtCudaLaunch *l,
              const Conv         *c,
              const void         *x,
              const void         *w,
              const void         *b,
              gboolean            relu,
              void               *y,
              void               *col)
{
  const LtCuIndexKernels *k = index_kernels (l);
  gsize                   es = c->g.dtype == LT_CU_F32 ? 4 : 8;
  gint64                  R = c->g.c * c->g.kh * c->g.kw, cis = R * c->L;
  int                     status = LT_CU_OK;

  for (gint64 n0 = 0; n0 < c->g.n && status == LT_CU_OK; n0 += c->chunk)
    {
      gint64 nc = MIN (c->chunk, c->g.n - n0);

      status = k->im2col (l->stream, &c->g, x, n0, nc, col, cis, c->L);
      for (gint64 gi = 0; gi < c->groups && status == LT_CU_OK; gi++)
        {
          LtCuGemm m = { 0 };

          m.batch = nc;
          m.m = c->Og;
          m.n = c->L;
          m.k = c->K;
          m.a = (const char *) w + gi * c->Og * c->K * es;
          m.a_rs = c->K;
          m.a_cs = 1;
          m.b = (const char *) col + gi * c->K * c->L * es;
          m.b_bs = cis;
          m.b_rs = c->L;
          m.b_cs = 1;
          m.c = (char *) y + (n0 * c->O + gi * c->Og) * c->L * es;
          m.c_bs = c->O * c->L;
          m.c_rs = c->L;
          m.c_cs = 1;
          m.alpha = 1;
          m.dtype = c->g.dtype;
          status = _lt_cuda_gemm (&m);
        }
    }
  if (status == LT_CU_OK && (b || relu))
    status = k->add_bias (l->stream, y, b, c->g.n, c->O, c->L, relu, c->g.dtype);
  return status;
}

/* dx = conv2d's gradient for its input, from dy */
static int
conv_grad_input (const LtCudaLaunch *l,
                 const Conv         *c,
                 const void         *dy,
                 const void         *w,
                 void               *dx,
                 void               *col)
{
  const LtCuIndexKernels *k = index_kernels (l);
  gsize                   es = c->g.dtype == LT_CU_F32 ? 4 : 8;
  gint64                  R = c->g.c * c->g.kh * c->g.kw, cis = R * c->L;
  int                     status = LT_CU_OK;

  for (gint64 n0 = 0; n0 < c->g.n && status == LT_CU_OK; n0 += c->chunk)
    {
      gint64 nc = MIN (c->chunk, c->g.n - n0);

      for (gint64 gi = 0; gi < c->groups && status == LT_CU_OK; gi++)
        {
          LtCuGemm m = { 0 };

          m.batch = nc;
          m.m = c->K;
          m.n = c->L;
          m.k = c->Og;
          m.a = (const char *) w + gi * c->Og * c->K * es;
          m.a_rs = 1;
          m.a_cs = c->K;
          m.b = (const char *) dy + (n0 * c->O + gi * c->Og) * c->L * es;
          m.b_bs = c->O * c->L;
          m.b_rs = c->L;
          m.b_cs = 1;
          m.c = (char *) col + gi * c->K * c->L * es;
          m.c_bs = cis;
          m.c_rs = c->L;
          m.c_cs = 1;
          m.alpha = 1;
          m.dtype = c->g.dtype;
          status = _lt_cuda_gemm (&m);
        }
      if (status == LT_CU_OK)
        status = k->col2im (l->stream, &c->g, col, cis, c->L, dx, n0, nc);
    }
  return status;
}

/* dw (and db) = conv2d's gradients for its weight and bias: per chunk, dy
 * moved to (O, images, L) and the columns laid out (R, images L), so one
 * product per group covers the chunk. */
static int
conv_grad_weight (const LtCudaLaunch *l,
                  const Conv         *c,
                  const void         *x,
                  const void         *dy,
                  void               *dw,
                  void               *db,
                  void               *col,
                  void               *dyt)
{
  const LtCuIndexKernels *k = index_kernels (l);
  gsize                   es = c->g.dtype == LT_CU_F32 ? 4 : 8;
  int                     status = LT_CU_OK;

  for (gint64 n0 = 0; n0 < c->g.n && status == LT_CU_OK; n0 += c->chunk)
    {
      gint64   nc = MIN (c->chunk, c->g.n - n0), wide = nc * c->L;
      LtCuIter it;

      status = k->im2col (l->stream, &c->g, x, n0, nc, col, c->L, wide);
      if (status != LT_CU_OK)
        break;
      /* dyt[o, n, l] = dy[n0 + n, o, l] */
      memset (&it, 0, sizeof it);
      it.ndim = 3;
      it.n_operands = 2;
      it.numel = c->O * wide;
      it.shape[0] = c->O;
      it.shape[1] = nc;
      it.shape[2] = c->L;
      it.stride[0][0] = wide;
      it.stride[0][1] = c->L;
      it.stride[0][2] = 1;
      it.stride[1][0] = c->L;
      it.stride[1][1] = c->O * c->L;
      it.stride[1][2] = 1;
      it.contiguous[0] = 1;
      it.data[0] = dyt;
      it.data[1] = (char *) dy + n0 * c->O * c->L * es;
      it.dtype[0] = it.dtype[1] = c->g.dtype;
      status = l->rt->kernels->copy (l->stream, &it);
      for (gint64 gi = 0; gi < c->groups && status == LT_CU_OK; gi++)
        {
          LtCuGemm m = { 0 };

          m.batch = 1;
          m.m = c->Og;
          m.n = c->K;
          m.k = wide;
          m.a = (const char *) dyt + gi * c->Og * wide * es;
          m.a_rs = wide;
          m.a_cs = 1;
          m.b = (const char *) col + gi * c->K * wide * es;
          m.b_rs = 1;
          m.b_cs = wide;
          m.c = (char *) dw + gi * c->Og * c->K * es;
          m.c_rs = c->K;
          m.c_cs = 1;
          m.alpha = 1;
          m.beta = n0 == 0 ? 0 : 1;
          m.dtype = c->g.dtype;
          status = _lt_cuda_gemm (&m);
        }
    }
  if (status == LT_CU_OK && db)
    status = k->bias_grad (l->stream, db, dy, c->g.n, c->O, c->L, c->g.dtype);
  return status;
}

static gboolean
k_conv (const LtKernelArgs *args, GError **error)
{
  LtTensor    *x, *w, *y;
  LtCudaLaunch l;
  Conv         c;
  gpointer     col, dyt = NULL;
  gsize        es = _lt_dtype_size (args->out->dtype);
  int          status;

  switch (args->op)
    {
      case LT_OP_CONV2D:
        x = args->in[0];
        w = args->in[1];
        y = args->out;
        break;
      case LT_OP_CONV2D_GRAD_INPUT:
        x = args->out;
        y = args->in[0];
        w = args->in[1];
        break;
      default:
        x = args->in[0];
        y = args->in[1];
        w = args->out;
        break;
    }
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  conv_init (&c, x, w, y, &args->params->conv);
  if (args->out->numel == 0)
    return TRUE;
  if (x->numel == 0 || y->numel == 0 || c.K == 0)
    {
      /* nothing to sum: the result is zero (and the bias, forward) */
      int s = l.rt->memset_async (_lt_tensor_data (args->out), 0, args->out->numel * es, l.stream);

      /* relu (0 + b): zeros without a bias */
      if (s == LT_CU_OK && args->op == LT_OP_CONV2D && args->n_in > 2 && y->numel > 0)
        s = index_kernels (&l)->add_bias (l.stream, _lt_tensor_data (y),
                                          _lt_tensor_data (args->in[2]), c.g.n, c.O, c.L,
                                          args->params->conv.relu, c.g.dtype);
      if (s == LT_CU_OK && args->grad_bias)
        s = l.rt->memset_async (_lt_tensor_data (args->grad_bias), 0, args->grad_bias->numel * es,
                                l.stream);
      return _lt_cuda_after_launch (s, args->op, error);
    }
  if (c.g.dtype != LT_CU_F32 && c.g.dtype != LT_CU_F64)
    return _lt_cuda_after_launch (LT_CU_UNSUPPORTED, args->op, error);
  col = scratch ((gsize) c.chunk * c.g.c * c.g.kh * c.g.kw * c.L * es, args->op, error);
  if (col == NULL)
    return FALSE;
  if (args->op == LT_OP_CONV2D_GRAD_WEIGHT &&
      (dyt = scratch ((gsize) c.chunk * c.O * c.L * es, args->op, error)) == NULL)
    {
      _lt_cuda_free (col);
      return FALSE;
    }
  switch (args->op)
    {
      case LT_OP_CONV2D:
        status = conv_forward (&l, &c, _lt_tensor_data (x), _lt_tensor_data (w),
                               args->n_in > 2 && args->in[2] ? _lt_tensor_data (args->in[2]) : NULL,
                               args->params->conv.relu, _lt_tensor_data (y), col);
        break;
      case LT_OP_CONV2D_GRAD_INPUT:
        status = conv_grad_input (&l, &c, _lt_tensor_data (y), _lt_tensor_data (w),
                                  _lt_tensor_data (x), col);
        break;
      default:
        status =
          conv_grad_weight (&l, &c, _lt_tensor_data (x), _lt_tensor_data (y), _lt_tensor_data (w),
                            args->grad_bias ? _lt_tensor_data (args->grad_bias) : NULL, col, dyt);
    }
  _lt_cuda_free (col);
  if (dyt)
    _lt_cuda_free (dyt);
  return _lt_cuda_after_launch (status, args->op, error);
}

/* ---- pooling ---- */

static gboolean
k_pool (const LtKernelArgs *args, GError **error)
{
  const LtPoolParams *p = &args->params->pool;
  gboolean backward = args->op == LT_OP_MAX_POOL2D_GRAD || args->op == LT_OP_AVG_POOL2D_GRAD ||
                      args->op == LT_OP_ADAPTIVE_AVG_POOL2D_GRAD;
  LtTensor               *x = backward ? args->out : args->in[0];
  LtTensor               *y = backward ? args->in[0] : args->out;
  guint                   nd = x->ndim;
  const LtCuIndexKernels *k;
  LtCudaLaunch            l;
  LtCuPoolGeom            g;
  void                   *src = _lt_tensor_data (args->in[0]), *dst = _lt_tensor_data (args->out);
  int                     status;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  k = index_kernels (&l);
  memset (&g, 0, sizeof g);
  g.h = x->shape[nd - 2];
  g.w = x->shape[nd - 1];
  g.oh = y->shape[nd - 2];
  g.ow = y->shape[nd - 1];
  g.nc = g.h * g.w > 0 ? x->numel / (g.h * g.w) : 0;
  g.kh = p->kernel[0];
  g.kw = p->kernel[1];
  g.sh = p->stride[0];
  g.sw = p->stride[1];
  g.ph = p->padding[0];
  g.pw = p->padding[1];
  g.dh = p->dilation[0];
  g.dw = p->dilation[1];
  g.count_include_pad = p->count_include_pad;
  g.divisor_override = p->divisor_override;
  g.dtype = (int32_t) args->out->dtype;
  if (g.dtype != LT_CU_F32 && g.dtype != LT_CU_F64)
    return _lt_cuda_after_launch (LT_CU_UNSUPPORTED, args->op, error);
  if (g.nc == 0 || x->numel == 0)
    return TRUE;
  if (g.oh * g.ow == 0)
    {
      /* a pool to nothing: the gradient is zero */
      if (!backward)
        return TRUE;
      return _lt_cuda_after_launch (
        l.rt->memset_async (dst, 0, x->numel * _lt_dtype_size (x->dtype), l.stream), args->op,
        error);
    }
  switch (args->op)
    {
      case LT_OP_MAX_POOL2D:
        status = k->max_pool (l.stream, &g, src, dst, _lt_tensor_data (args->indices));
        break;
      case LT_OP_MAX_POOL2D_GRAD:
        status = k->max_pool_grad (l.stream, &g, src, _lt_tensor_data (args->in[1]), dst,
                                   l.err_word, args->op);
        break;
      case LT_OP_AVG_POOL2D:
        status = k->avg_pool (l.stream, &g, src, dst);
        break;
      case LT_OP_AVG_POOL2D_GRAD:
        status = k->avg_pool_grad (l.stream, &g, src, dst);
        break;
      case LT_OP_ADAPTIVE_AVG_POOL2D:
        status = k->adaptive_avg_pool (l.stream, &g, src, dst);
        break;
      default:
        status = k->adaptive_avg_pool_grad (l.stream, &g, src, dst);
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

void
_lt_cuda_backend_index_init (LtBackend *backend)
{
  backend->kernels[LT_OP_INDEX_SELECT] = k_index;
  backend->kernels[LT_OP_INDEX_ADD] = k_index;
  backend->kernels[LT_OP_GATHER] = k_index;
  backend->kernels[LT_OP_SCATTER_ADD] = k_index;
  backend->kernels[LT_OP_MASKED_SELECT] = k_index;
  backend->kernels[LT_OP_MASKED_SCATTER] = k_index;
  backend->kernels[LT_OP_ONE_HOT] = k_index;
  backend->kernels[LT_OP_TAKE] = k_index_put;
  backend->kernels[LT_OP_INDEX_PUT] = k_index_put;
  backend->kernels[LT_OP_SCATTER] = k_index_put;
  backend->kernels[LT_OP_NONZERO] = k_index_put;
  backend->kernels[LT_OP_CONV2D] = k_conv;
  backend->kernels[LT_OP_CONV2D_GRAD_INPUT] = k_conv;
  backend->kernels[LT_OP_CONV2D_GRAD_WEIGHT] = k_conv;
  backend->kernels[LT_OP_MAX_POOL2D] = k_pool;
  backend->kernels[LT_OP_MAX_POOL2D_GRAD] = k_pool;
  backend->kernels[LT_OP_AVG_POOL2D] = k_pool;
  backend->kernels[LT_OP_AVG_POOL2D_GRAD] = k_pool;
  backend->kernels[LT_OP_ADAPTIVE_AVG_POOL2D] = k_pool;
  backend->kernels[LT_OP_ADAPTIVE_AVG_POOL2D_GRAD] = k_pool;
}
