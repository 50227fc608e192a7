/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the reductions (sum,
 * mean, max, min, argmax, argmin, var, std, norm, any, all) and
 * softmax/log_softmax.
 */

#include "ops-harness.h"

/* Reductions */

typedef struct
{
  LtOp op;
  double param;          /* var/std: correction; norm: p */
  gboolean has_dim;      /* a form along one dim exists */
  gboolean float_only;   /* integer inputs are an error */
  OhDist dist;
} ReduceDef;

static const ReduceDef red_sum = { LT_OP_SUM, 0, TRUE, FALSE, OH_DIST_UNIT };
static const ReduceDef red_mean = { LT_OP_MEAN, 0, TRUE, TRUE, OH_DIST_UNIT };
static const ReduceDef red_max = { LT_OP_MAX, 0, FALSE, FALSE, OH_DIST_UNIT };
static const ReduceDef red_min = { LT_OP_MIN, 0, FALSE, FALSE, OH_DIST_UNIT };
static const ReduceDef red_max_dim = { LT_OP_MAX_DIM, 0, TRUE, FALSE, OH_DIST_GRID };
static const ReduceDef red_min_dim = { LT_OP_MIN_DIM, 0, TRUE, FALSE, OH_DIST_GRID };
static const ReduceDef red_argmax = { LT_OP_ARGMAX, 0, TRUE, FALSE, OH_DIST_GRID };
static const ReduceDef red_argmin = { LT_OP_ARGMIN, 0, TRUE, FALSE, OH_DIST_GRID };
static const ReduceDef red_var = { LT_OP_VAR, 1, TRUE, TRUE, OH_DIST_UNIT };
static const ReduceDef red_std = { LT_OP_STD, 1, TRUE, TRUE, OH_DIST_UNIT };
static const ReduceDef red_norm = { LT_OP_NORM, 2, TRUE, TRUE, OH_DIST_UNIT };
static const ReduceDef red_any = { LT_OP_ANY, 0, FALSE, FALSE, OH_DIST_GRID };
static const ReduceDef red_all = { LT_OP_ALL, 0, FALSE, FALSE, OH_DIST_GRID };

/* The reduction of the list @v of @n values (row-major order of the
 * reduced dims); @index gets the position of max/min (first on ties, NaN
 * wins). */
static double
reduce_list (LtOp op, const double *v, gint64 n, double param, gint64 *index)
{
  double acc = 0, best;
  gint64 bi = 0;
  gboolean want_max = op == LT_OP_MAX || op == LT_OP_MAX_DIM || op == LT_OP_ARGMAX;

  switch (op)
    {
    case LT_OP_SUM:
      for (gint64 i = 0; i < n; i++)
        acc += v[i];
      return acc;
    case LT_OP_MEAN:
      for (gint64 i = 0; i < n; i++)
        acc += v[i];
      return acc / n;
    case LT_OP_MAX:
    case LT_OP_MIN:
    case LT_OP_MAX_DIM:
    case LT_OP_MIN_DIM:
    case LT_OP_ARGMAX:
    case LT_OP_ARGMIN:
      best = v[0];
      for (gint64 i = 1; i < n && !isnan (best); i++)
        if (isnan (v[i]) || (want_max ? v[i] > best : v[i] < best))
          {
            best = v[i];
            bi = i;
          }
      *index = bi;
      return op == LT_OP_ARGMAX || op == LT_OP_ARGMIN ? bi : best;
    case LT_OP_VAR:
    case LT_OP_STD:
      {
        double mean = 0;

        for (gint64 i = 0; i < n; i++)
          mean += v[i];
        mean /= n;
        for (gint64 i = 0; i < n; i++)
          acc += (v[i] - mean) * (v[i] - mean);
        /* torch: NaN when N - correction <= 0 */
        acc = n - param > 0 ? acc / (n - param) : NAN;
        return op == LT_OP_STD ? sqrt (acc) : acc;
      }
    case LT_OP_NORM:
      if (isinf (param))
        {
          acc = param > 0 ? 0 : INFINITY;
          for (gint64 i = 0; i < n; i++)
            acc = param > 0 ? MAX (acc, fabs (v[i])) : MIN (acc, fabs (v[i]));
          return acc;
        }
      for (gint64 i = 0; i < n; i++)
        acc += param == 0 ? (v[i] != 0) : pow (fabs (v[i]), param);
      return param == 0 ? acc : pow (acc, 1 / param);
    case LT_OP_ANY:
      for (gint64 i = 0; i < n; i++)
        if (v[i] != 0)
          return 1;
      return 0;
    case LT_OP_ALL:
      for (gint64 i = 0; i < n; i++)
        if (v[i] == 0)
          return 0;
      return 1;
    default:
      g_assert_not_reached ();
    }
  return 0;
}

/* Reduces @x over the dims set in @mask; @keep receives the keepdim
 * shape and @idx the indices of max/min. */
static double *
reduce_ref_mask (LtOp op, const OhArr *x, guint mask, double param, OhShape *keep, double **idx)
{
  OhShape ks = x->s, rs = { { 0 }, 0 };
  guint rdims[LT_MAX_DIMS], nr = 0;
  gint64 nk, n, kidx[LT_MAX_DIMS], ridx[LT_MAX_DIMS];
  double *out;
  g_autofree double *buf = NULL;

  for (guint d = 0; d < x->s.n; d++)
    if (mask & (1u << d))
      {
        rdims[nr] = d;
        rs.d[nr++] = x->s.d[d];
        ks.d[d] = 1;
      }
  rs.n = nr;
  nk = oh_numel (ks);
  n = oh_numel (rs);
  out = g_new0 (double, MAX (nk, 1));
  *idx = g_new0 (double, MAX (nk, 1));
  buf = g_new0 (double, MAX (n, 1));
  for (gint64 o = 0; o < nk; o++)
    {
      gint64 bi = 0;

      oh_unravel (o, ks, kidx);
      for (gint64 r = 0; r < n; r++)
        {
          oh_unravel (r, rs, ridx);
          for (guint i = 0; i < nr; i++)
            kidx[rdims[i]] = ridx[i];
          buf[r] = x->v[oh_ravel (kidx, x->s)];
        }
      out[o] = reduce_list (op, buf, n, param, &bi);
      (*idx)[o] = bi;
    }
  *keep = ks;
  return out;
}

/* The same over @dim (OH_ALL_DIMS: every dim) */
static double *
reduce_ref (LtOp op, const OhArr *x, gint dim, double param, OhShape *keep, double **idx)
{
  guint mask = 0;

  for (guint d = 0; d < x->s.n; d++)
    if (dim == OH_ALL_DIMS || d == (guint) (dim < 0 ? dim + (gint) x->s.n : dim))
      mask |= 1u << d;
  return reduce_ref_mask (op, x, mask, param, keep, idx);
}

static LtDType
reduce_out_dtype (LtOp op, LtDType dt)
{
  switch (op)
    {
    case LT_OP_SUM:
      return oh_is_float (dt) ? dt : I64;
    case LT_OP_ARGMAX:
    case LT_OP_ARGMIN:
      return I64;
    case LT_OP_ANY:
    case LT_OP_ALL:
      return BOOL;
    default:
      return dt;
    }
}

/* The library call: @dim OH_ALL_DIMS for the whole-tensor form. */
static LtTensor *
reduce_call (LtOp op, LtTensor *x, gint dim, gboolean keepdim, double param,
             LtTensor **indices, GError **error)
{
  gboolean all = dim == OH_ALL_DIMS;
  gboolean unbiased = param != 0;

  switch (op)
    {
    case LT_OP_SUM:
      return all ? lt_tensor_sum (x, error) : lt_tensor_sum_dim (x, dim, keepdim, error);
    case LT_OP_MEAN:
      return all ? lt_tensor_mean (x, error) : lt_tensor_mean_dim (x, dim, keepdim, error);
    case LT_OP_MAX:
      return lt_tensor_max (x, error);
    case LT_OP_MIN:
      return lt_tensor_min (x, error);
    case LT_OP_MAX_DIM:
      return lt_tensor_max_dim (x, dim, keepdim, indices, error);
    case LT_OP_MIN_DIM:
      return lt_tensor_min_dim (x, dim, keepdim, indices, error);
    case LT_OP_ARGMAX:
      return all ? lt_tensor_argmax (x, error) : lt_tensor_argmax_dim (x, dim, keepdim, error);
    case LT_OP_ARGMIN:
      return all ? lt_tensor_argmin (x, error) : lt_tensor_argmin_dim (x, dim, keepdim, error);
    case LT_OP_VAR:
      return all ? lt_tensor_var (x, unbiased, error)
                 : lt_tensor_var_dim (x, dim, unbiased, keepdim, error);
    case LT_OP_STD:
      return all ? lt_tensor_std (x, unbiased, error)
                 : lt_tensor_std_dim (x, dim, unbiased, keepdim, error);
    case LT_OP_NORM:
      return all ? lt_tensor_norm (x, param, error)
                 : lt_tensor_norm_dim (x, param, dim, keepdim, error);
    case LT_OP_ANY:
      return lt_tensor_any (x, error);
    case LT_OP_ALL:
      return lt_tensor_all (x, error);
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static gboolean
is_dim_only (LtOp op)
{
  return op == LT_OP_MAX_DIM || op == LT_OP_MIN_DIM;
}

static void
reduce_check (const ReduceDef *r, const OhArr *x, gint dim, gboolean keepdim, double param)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) indices = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *idx = NULL;
  g_autofree double *ref = NULL;
  LtDType dt = x->t->dtype, odt = reduce_out_dtype (r->op, dt);
  OhShape ks, os = { { 0 }, 0 };
  double maxabs = 0, rtol, atol;
  gint64 nred;

  if (dim == OH_ALL_DIMS && is_dim_only (r->op))
    dim = 0;
  y = reduce_call (r->op, x->t, dim, keepdim, param, is_dim_only (r->op) ? &indices : NULL, &error);
  g_assert_no_error (error);
  ref = reduce_ref (r->op, x, dim, param, &ks, &idx);
  /* the result shape: keepdim, or without the reduced dims */
  if (keepdim)
    os = ks;
  else if (dim != OH_ALL_DIMS)
    for (guint d = 0; d < x->s.n; d++)
      if (d != (guint) (dim < 0 ? dim + (gint) x->s.n : dim))
        os.d[os.n++] = x->s.d[d];
  nred = MAX (x->n, 1) / MAX (oh_numel (ks), 1);
  for (gint64 k = 0; k < x->n; k++)
    if (isfinite (x->v[k]))
      maxabs = MAX (maxabs, fabs (x->v[k]));
  /* sums accumulate rounding errors: bound them by the magnitude of the
   * terms (float32 kernels add blocks in float) */
  rtol = odt == F32 ? 1e-5 : (odt == F64 ? 1e-10 : 0);
  if (odt == F32)
    atol = 1e-6 + 1e-6 * nred * maxabs;
  else if (odt == F64)
    atol = 1e-12 + 1e-13 * nred * maxabs;
  else
    atol = 0;
  if (r->op == LT_OP_MEAN)
    atol /= MAX (nred, 1);
  oh_check_tol (y, odt, os, ref, rtol, atol);
  if (indices)
    oh_check (indices, I64, os, idx);
}

static void
reduce_run (const ReduceDef *r, OhShape s, LtDType dt, OhLay lay, gint dim, gboolean keepdim)
{
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, r->dist);

  if (dim != OH_ALL_DIMS && !r->has_dim)
    {
      dim = OH_ALL_DIMS;
      keepdim = FALSE;
    }
  reduce_check (r, &x, dim, keepdim, r->param);
}

static void
red_fw_all (gconstpointer d)
{
  reduce_run (d, OH_SH (5, 7), F32, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
  reduce_run (d, OH_SH (13), F32, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
}

static void
red_fw_dim (gconstpointer d)
{
  reduce_run (d, OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, 1, FALSE);
  reduce_run (d, OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, -1, TRUE);
  reduce_run (d, OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, 0, FALSE);
  reduce_run (d, OH_SH (3, 1, 7), F32, OH_LAY_CONTIG, 1, FALSE);
}

static void
red_fw_transposed (gconstpointer d)
{
  reduce_run (d, OH_SH (6, 7), F32, OH_LAY_T, 0, FALSE);
  reduce_run (d, OH_SH (6, 7), F32, OH_LAY_T, 1, TRUE);
  reduce_run (d, OH_SH (6, 7), F32, OH_LAY_T, OH_ALL_DIMS, FALSE);
  reduce_run (d, OH_SH (2, 6, 7), F32, OH_LAY_T, 1, FALSE);
}

static void
red_fw_strided (gconstpointer d)
{
  reduce_run (d, OH_SH (5, 9), F32, OH_LAY_STEP, 1, FALSE);
  reduce_run (d, OH_SH (5, 9), F32, OH_LAY_STEP, 0, FALSE);
  reduce_run (d, OH_SH (5, 9), F32, OH_LAY_STEP, OH_ALL_DIMS, FALSE);
  reduce_run (d, OH_SH (5, 9), F32, OH_LAY_PAD, 1, FALSE);
  reduce_run (d, OH_SH (5, 9), F32, OH_LAY_TPAD, 0, TRUE);
  reduce_run (d, OH_SH (2, 5, 9), F32, OH_LAY_TPAD, OH_ALL_DIMS, FALSE);
}

static void
red_fw_expanded (gconstpointer d)
{
  reduce_run (d, OH_SH (4, 5), F32, OH_LAY_EXPAND, 0, FALSE);
  reduce_run (d, OH_SH (4, 5), F32, OH_LAY_EXPAND, 1, FALSE);
  reduce_run (d, OH_SH (4, 5), F32, OH_LAY_EXPAND, OH_ALL_DIMS, FALSE);
}

static void
red_fw_rank0 (gconstpointer d)
{
  const ReduceDef *r = d;

  /* a one-element variance with Bessel's correction is NaN (0 / 0) */
  reduce_run (r, OH_SH0, F32, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
  reduce_run (r, OH_SH0, F32, OH_LAY_CONTIG, 0, FALSE);
  reduce_run (r, OH_SH0, F64, OH_LAY_CONTIG, -1, TRUE);
}

static void
red_fw_empty (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean needs_elements = r->op == LT_OP_MAX || r->op == LT_OP_MIN || is_dim_only (r->op) ||
                            r->op == LT_OP_ARGMAX || r->op == LT_OP_ARGMIN;

  if (needs_elements)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) ind = NULL;
      g_auto(OhArr) x = oh_arr_new (OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = reduce_call (r->op, x.t, is_dim_only (r->op) ? 0 : OH_ALL_DIMS, FALSE, 0,
                                           is_dim_only (r->op) ? &ind : NULL, &error);

      oh_check_error (y, error, LT_ERROR_SHAPE);
      g_assert_null (ind);
      if (r->has_dim)
        reduce_run (r, OH_SH (0, 3), F32, OH_LAY_CONTIG, 1, FALSE);
      return;
    }
  reduce_run (r, OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
  reduce_run (r, OH_SH (0, 3), F32, OH_LAY_T, 0, FALSE);
  reduce_run (r, OH_SH (0, 3), F32, OH_LAY_CONTIG, 1, TRUE);
}

static void
red_fw_parallel (gconstpointer d)
{
  reduce_run (d, OH_SH (OH_BIG_REDUCE), F32, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
  reduce_run (d, OH_SH (OH_BIG_REDUCE), F64, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE);
  reduce_run (d, OH_SH (300, 251), F32, OH_LAY_CONTIG, 1, FALSE);
  reduce_run (d, OH_SH (300, 251), F32, OH_LAY_CONTIG, 0, TRUE);
  reduce_run (d, OH_SH (300, 251), F32, OH_LAY_T, 1, FALSE);
}

/* A reduction gives the same bits on one thread as on several. */
static void
red_fw_threads (gconstpointer d)
{
  const ReduceDef *r = d;
  g_auto(OhArr) x = oh_arr_new (OH_SH (OH_BIG_REDUCE), F32, OH_LAY_CONTIG, r->dist);
  int threads = lt_get_num_threads ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) ia = NULL;
  g_autoptr(LtTensor) ib = NULL;
  gint dim = is_dim_only (r->op) ? 0 : OH_ALL_DIMS;

  a = reduce_call (r->op, x.t, dim, FALSE, r->param, is_dim_only (r->op) ? &ia : NULL, &error);
  lt_set_num_threads (1);
  b = reduce_call (r->op, x.t, dim, FALSE, r->param, is_dim_only (r->op) ? &ib : NULL, &error);
  lt_set_num_threads (threads);
  g_assert_no_error (error);
  oh_assert_same_values (a, b, TRUE);
}

static void
red_fw_float64 (gconstpointer d)
{
  reduce_run (d, OH_SH (6, 5), F64, OH_LAY_T, 0, FALSE);
  reduce_run (d, OH_SH (6, 5), F64, OH_LAY_STEP, OH_ALL_DIMS, FALSE);
}

static void
red_fw_integer (gconstpointer d)
{
  const ReduceDef *r = d;
  const LtDType dts[] = { I64, I32, I16, I8, U8, BOOL };

  if (r->float_only)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = reduce_call (r->op, x.t, OH_ALL_DIMS, FALSE, r->param, NULL, &error);

      oh_check_error (y, error, LT_ERROR_DTYPE);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      reduce_run (r, OH_SH (4, 5), dts[i], OH_LAY_T, OH_ALL_DIMS, FALSE);
      reduce_run (r, OH_SH (4, 5), dts[i], OH_LAY_CONTIG, 1, FALSE);
      reduce_run (r, OH_SH (3, 4, 2), dts[i], OH_LAY_STEP, 0, TRUE);
    }
}

/* NaN propagates through max/min and wins argmax/argmin. */
static void
red_fw_nan (gconstpointer d)
{
  const ReduceDef *r = d;
  static const double v[] = { 1, 2, NAN, 5, NAN, 0, 3, 4, -1, 7, 2, 9 };
  g_auto(OhArr) x = oh_arr_from (v, OH_SH (3, 4), F32, OH_LAY_CONTIG);
  g_auto(OhArr) xt = oh_arr_from (v, OH_SH (4, 3), F64, OH_LAY_T);

  reduce_check (r, &x, OH_ALL_DIMS, FALSE, r->param);
  reduce_check (r, &xt, OH_ALL_DIMS, FALSE, r->param);
  if (r->has_dim)
    {
      reduce_check (r, &x, 1, FALSE, r->param);
      reduce_check (r, &xt, 0, TRUE, r->param);
    }
}

static const OhCase reduce_forward[] = {
  { "all", red_fw_all },
  { "dim", red_fw_dim },
  { "transposed", red_fw_transposed },
  { "strided", red_fw_strided },
  { "expanded", red_fw_expanded },
  { "rank0", red_fw_rank0 },
  { "empty", red_fw_empty },
  { "parallel", red_fw_parallel },
  { "threads", red_fw_threads },
  { "float64", red_fw_float64 },
  { "integer", red_fw_integer },
  { NULL, NULL }
};

static const OhCase reduce_forward_nan[] = {
  { "nan", red_fw_nan },
  { NULL, NULL }
};

static void
sum_fw_dims (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4, 5), F64, OH_LAY_T, OH_DIST_UNIT);
  const gint dims[] = { 2, 0 };
  g_autoptr(LtTensor) y = lt_tensor_sum_dims (x.t, dims, 2, FALSE, &error);
  g_autoptr(LtTensor) m = lt_tensor_mean_dims (x.t, dims, 2, TRUE, &error);
  g_autoptr(LtTensor) a = lt_tensor_sum_dims (x.t, NULL, 0, FALSE, &error);
  double ref[4] = { 0 }, total = 0;
  const gint bad[] = { 1, -2 };
  LtTensor *e;

  g_assert_no_error (error);
  for (gint64 k = 0; k < 60; k++)
    {
      ref[(k / 5) % 4] += x.v[k];
      total += x.v[k];
    }
  oh_check (y, F64, OH_SH (4), ref);
  for (guint i = 0; i < 4; i++)
    ref[i] /= 15;
  oh_check (m, F64, OH_SH (1, 4, 1), ref);
  oh_check (a, F64, OH_SH0, &total);
  e = lt_tensor_sum_dims (x.t, bad, 2, FALSE, &error);
  oh_check_error (e, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  e = lt_tensor_sum_dim (x.t, 3, FALSE, &error);
  oh_check_error (e, error, LT_ERROR_INDEX);
}

/* Every subset of the dims of a 4-D tensor, in several layouts: the
 * kernel's splitting and coalescing of kept and reduced dims. */
static void
sum_fw_subsets (gconstpointer d)
{
  const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_TPAD, OH_LAY_STEP, OH_LAY_EXPAND };

  for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
    {
      g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3, 4, 5), F64, lays[l], OH_DIST_UNIT);

      for (guint mask = 1; mask < 16; mask++)
        {
          g_autoptr(GError) error = NULL;
          gint dims[4];
          gsize n = 0;
          g_autoptr(LtTensor) y = NULL;
          g_autoptr(LtTensor) m = NULL;
          g_autofree double *ref = NULL;
          g_autofree double *idx = NULL;
          OhShape ks, os = { { 0 }, 0 };

          for (guint i = 0; i < 4; i++)
            if (mask & (1u << i))
              dims[n++] = (gint) i - (i % 2 ? 4 : 0);   /* negative dims too */
            else
              os.d[os.n++] = x.s.d[i];
          y = lt_tensor_sum_dims (x.t, dims, n, FALSE, &error);
          m = lt_tensor_mean_dims (x.t, dims, n, TRUE, &error);
          g_assert_no_error (error);
          ref = reduce_ref_mask (LT_OP_SUM, &x, mask, 0, &ks, &idx);
          oh_check (y, F64, os, ref);
          g_clear_pointer (&ref, g_free);
          g_clear_pointer (&idx, g_free);
          ref = reduce_ref_mask (LT_OP_MEAN, &x, mask, 0, &ks, &idx);
          oh_check (m, F64, ks, ref);
        }
    }
}

static const OhCase sum_forward_extra[] = {
  { "dims", sum_fw_dims },
  { "dim_subsets", sum_fw_subsets },
  { NULL, NULL }
};

static void
var_fw_biased (gconstpointer d)
{
  const ReduceDef *r = d;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 6), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) one = oh_arr_new (OH_SH (1, 3), F64, OH_LAY_CONTIG, OH_DIST_UNIT);

  reduce_check (r, &x, OH_ALL_DIMS, FALSE, 0);
  reduce_check (r, &x, 1, FALSE, 0);
  reduce_check (r, &x, 0, TRUE, 1);
  /* one element per group: NaN with the correction, 0 without */
  reduce_check (r, &one, 0, FALSE, 1);
  reduce_check (r, &one, 0, FALSE, 0);
}

static const OhCase var_forward_extra[] = {
  { "biased", var_fw_biased },
  { NULL, NULL }
};

static void
norm_fw_p (gconstpointer d)
{
  const ReduceDef *r = d;
  const double ps[] = { 1, 3, 0.5, INFINITY, -INFINITY, 0 };
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 6), F32, OH_LAY_T, OH_DIST_GRID);
  g_auto(OhArr) z = oh_arr_new (OH_SH (0, 2), F64, OH_LAY_CONTIG, OH_DIST_GRID);

  for (guint i = 0; i < G_N_ELEMENTS (ps); i++)
    {
      reduce_check (r, &x, OH_ALL_DIMS, FALSE, ps[i]);
      reduce_check (r, &x, 1, FALSE, ps[i]);
      reduce_check (r, &x, 0, TRUE, ps[i]);
      if (ps[i] >= 0)
        reduce_check (r, &z, 0, FALSE, ps[i]);
    }
}

static const OhCase norm_forward_extra[] = {
  { "p", norm_fw_p },
  { NULL, NULL }
};

/* Backward */

typedef struct
{
  LtOp op;
  gint dim;
  gboolean keepdim;
  double param;
} ReduceCall;

static LtTensor *
gc_reduce (LtTensor **in, gsize n, gpointer data)
{
  const ReduceCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ind = NULL;
  LtTensor *y = reduce_call (c->op, in[0], c->dim, c->keepdim, c->param,
                             is_dim_only (c->op) ? &ind : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
reduce_bw_run (const ReduceDef *r, OhShape s, OhLay lay, gint dim, gboolean keepdim, double param)
{
  ReduceCall c = { r->op, dim, keepdim, param };
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay,
                                    r->op == LT_OP_NORM && param <= 1 ? OH_DIST_AWAY : OH_DIST_UNIT);

  if (is_dim_only (r->op) && dim == OH_ALL_DIMS)
    c.dim = 0;
  if (!r->has_dim)
    c.dim = OH_ALL_DIMS;
  oh_gradcheck (gc_reduce, &c, &x, 1);
}

static void
red_bw_all (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, OH_SH (3, 4), OH_LAY_CONTIG, OH_ALL_DIMS, FALSE, r->param);
  reduce_bw_run (r, OH_SH (7), OH_LAY_STEP, OH_ALL_DIMS, FALSE, r->param);
}

static void
red_bw_dim (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, OH_SH (3, 4), OH_LAY_CONTIG, 1, FALSE, r->param);
  reduce_bw_run (r, OH_SH (3, 4), OH_LAY_CONTIG, 0, TRUE, r->param);
  reduce_bw_run (r, OH_SH (2, 3, 2), OH_LAY_CONTIG, -2, FALSE, r->param);
}

static void
red_bw_transposed (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, OH_SH (4, 3), OH_LAY_T, 0, FALSE, r->param);
  reduce_bw_run (r, OH_SH (4, 3), OH_LAY_T, OH_ALL_DIMS, FALSE, r->param);
}

static void
red_bw_rank0 (gconstpointer d)
{
  const ReduceDef *r = d;

  if (r->op == LT_OP_VAR || r->op == LT_OP_STD)
    {
      /* biased: a one-element variance is 0, its gradient 0 (std: NaN) */
      if (r->op == LT_OP_VAR)
        reduce_bw_run (r, OH_SH0, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE, 0);
      return;
    }
  reduce_bw_run (r, OH_SH0, OH_LAY_CONTIG, OH_ALL_DIMS, FALSE, r->param);
  if (r->has_dim)
    reduce_bw_run (r, OH_SH0, OH_LAY_CONTIG, 0, TRUE, r->param);
}

static void
red_bw_empty (gconstpointer d)
{
  const ReduceDef *r = d;
  ReduceCall c = { r->op, r->has_dim ? 1 : OH_ALL_DIMS, FALSE, r->param };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, OH_DIST_UNIT);

  if (r->op == LT_OP_MAX || r->op == LT_OP_MIN)
    return;
  oh_backward_shapes (gc_reduce, &c, &x, 1);
}

static const OhCase reduce_backward[] = {
  { "all", red_bw_all },
  { "dim", red_bw_dim },
  { "transposed", red_bw_transposed },
  { "rank0", red_bw_rank0 },
  { "empty", red_bw_empty },
  { NULL, NULL }
};

static void
var_bw_biased (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, OH_SH (3, 4), OH_LAY_T, OH_ALL_DIMS, FALSE, 0);
  reduce_bw_run (r, OH_SH (3, 4), OH_LAY_CONTIG, 1, TRUE, 0);
}

static const OhCase var_backward_extra[] = {
  { "biased", var_bw_biased },
  { NULL, NULL }
};

static void
norm_bw_p (gconstpointer d)
{
  const ReduceDef *r = d;
  const double ps[] = { 1, 3, 1.5, INFINITY, -INFINITY, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (ps); i++)
    {
      reduce_bw_run (r, OH_SH (3, 4), OH_LAY_T, OH_ALL_DIMS, FALSE, ps[i]);
      reduce_bw_run (r, OH_SH (3, 4), OH_LAY_CONTIG, 1, FALSE, ps[i]);
    }
}

static const OhCase norm_backward_extra[] = {
  { "p", norm_bw_p },
  { NULL, NULL }
};

/* max/min over everything: ties share the gradient evenly (PyTorch's
 * evenly_distribute_backward). */
static void
extreme_bw_ties (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean is_max = r->op == LT_OP_MAX;
  static const double v[] = { 1, 3, -2, 3, 0, -2, 3, 1 };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (2, 4));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = reduce_call (r->op, x, OH_ALL_DIMS, FALSE, 0, NULL, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat (oh_value_at (y, 0), ==, is_max ? 3 : -2);
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 8; k++)
    g_assert_cmpfloat (g[k], ==, v[k] == (is_max ? 3 : -2) ? (is_max ? 1.0 / 3 : 0.5) : 0);
}

/* max/min along a dim: the gradient goes to the returned index only. */
static void
extreme_dim_bw_ties (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean is_max = r->op == LT_OP_MAX_DIM;
  static const double v[] = { 1, 3, 3, 2, 2, 0, -1, -1, 5 };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (3, 3));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ind = NULL;
  g_autoptr(LtTensor) y = reduce_call (r->op, x, 1, FALSE, 0, &ind, &error);
  g_autofree double *g = NULL;
  g_autofree double *iv = NULL;
  /* the first of the tied extremes */
  const double want_max[] = { 1, 0, 2 }, want_min[] = { 0, 2, 0 };
  const double *want = is_max ? want_max : want_min;

  g_assert_no_error (error);
  iv = oh_values_of (ind);
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (iv[i], ==, want[i]);
      for (guint j = 0; j < 3; j++)
        g_assert_cmpfloat (g[i * 3 + j], ==, j == want[i] ? 1 : 0);
    }
}

static const OhCase extreme_backward_extra[] = {
  { "ties", extreme_bw_ties },
  { NULL, NULL }
};

static const OhCase extreme_dim_backward_extra[] = {
  { "ties", extreme_dim_bw_ties },
  { NULL, NULL }
};

/* softmax and log_softmax along one dim */

static void
softmax_run (LtOp op, OhShape s, LtDType dt, OhLay lay, gint dim)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_WIDE);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, dim, &error)
                                             : lt_tensor_log_softmax (x.t, dim, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  guint d = s.n == 0 ? 0 : (guint) (dim < 0 ? dim + (gint) s.n : dim);
  gint64 D = s.n ? s.d[d] : 1, inner = 1, idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (guint i = d + 1; i < s.n; i++)
    inner *= s.d[i];
  for (gint64 k = 0; k < x.n; k++)
    {
      /* the row of k along dim: first element and stride @inner */
      gint64 first, pos;
      double m = -INFINITY, sum = 0;

      oh_unravel (k, s, idx);
      pos = s.n ? idx[d] : 0;
      first = k - pos * inner;
      for (gint64 j = 0; j < D; j++)
        m = MAX (m, x.v[first + j * inner]);
      for (gint64 j = 0; j < D; j++)
        sum += exp (x.v[first + j * inner] - m);
      ref[k] = op == LT_OP_SOFTMAX ? exp (x.v[k] - m) / sum : x.v[k] - m - log (sum);
    }
  oh_check_tol (y, dt, s, ref, dt == F32 ? 1e-5 : 1e-10, dt == F32 ? 1e-6 : 1e-12);
}

static void
softmax_fw_dim (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  for (gint dim = -1; dim < 3; dim++)
    softmax_run (op, OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, dim);
}

static void
softmax_fw_transposed (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (7, 5), F32, OH_LAY_T, 0);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (7, 5), F32, OH_LAY_T, 1);
}

static void
softmax_fw_strided (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (3, 9), F32, OH_LAY_STEP, 1);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (4, 3), F32, OH_LAY_EXPAND, 0);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (4, 6), F32, OH_LAY_TPAD, 1);
}

static void
softmax_fw_rank0 (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH0, F32, OH_LAY_CONTIG, 0);
  softmax_run (GPOINTER_TO_INT (d), OH_SH0, F64, OH_LAY_CONTIG, -1);
}

static void
softmax_fw_empty (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (0, 5), F32, OH_LAY_CONTIG, 1);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (3, 0), F32, OH_LAY_CONTIG, 1);
}

static void
softmax_fw_parallel (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (300, 251), F32, OH_LAY_CONTIG, 1);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (300, 251), F32, OH_LAY_T, 0);
}

/* rows of classes in vectors of lt-cpu-exp.c with a tail, and strided
 * rows longer than its chunks */
static void
softmax_fw_long (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (5, 1000), F32, OH_LAY_CONTIG, 1);
  softmax_run (GPOINTER_TO_INT (d), OH_SH (2, 600, 3), F32, OH_LAY_CONTIG, 1);
}

static void
softmax_fw_float64 (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), OH_SH (6, 5), F64, OH_LAY_T, 1);
}

/* -inf elements get 0 (log: -inf); a row of -inf, or holding +inf or
 * NaN, is NaN, as torch.softmax */
static void
softmax_fw_special (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  const double v[] = { 1, -INFINITY, 2, -INFINITY, -INFINITY, -INFINITY,
                       INFINITY, 0, 1, NAN, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_from (v, OH_SH (4, 3), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 1, &error)
                                             : lt_tensor_log_softmax (x.t, 1, &error);
  double e = exp (-1) / (1 + exp (-1)), ref[12];

  g_assert_no_error (error);
  for (guint k = 3; k < 12; k++)
    ref[k] = NAN;
  ref[0] = op == LT_OP_SOFTMAX ? e : log (e);
  ref[1] = op == LT_OP_SOFTMAX ? 0 : -INFINITY;
  ref[2] = op == LT_OP_SOFTMAX ? 1 - e : log (1 - e);
  oh_check (y, F32, OH_SH (4, 3), ref);
}

/* the same in rows of 40: the specials in a vector and in its tail */
static void
softmax_fw_special_long (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  double v[4 * 40], ref[4 * 40];
  double e = exp (-1) / (1 + exp (-1));

  for (guint k = 0; k < 4 * 40; k++)
    v[k] = -INFINITY, ref[k] = NAN;
  for (guint k = 0; k < 40; k++)
    ref[k] = op == LT_OP_SOFTMAX ? 0 : -INFINITY;
  v[3] = 1, v[37] = 2;
  ref[3] = op == LT_OP_SOFTMAX ? e : log (e);
  ref[37] = op == LT_OP_SOFTMAX ? 1 - e : log (1 - e);
  for (guint k = 40; k < 120; k++)
    v[k] = (double) (k % 7);
  v[40 + 33] = NAN;     /* in the tail */
  v[80 + 5] = INFINITY; /* in a vector */
  {
    g_auto(OhArr) x = oh_arr_from (v, OH_SH (4, 40), F32, OH_LAY_CONTIG);
    g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 1, &error)
                                                 : lt_tensor_log_softmax (x.t, 1, &error);

    g_assert_no_error (error);
    oh_check (y, F32, OH_SH (4, 40), ref);
  }
}

static void
softmax_fw_errors (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 1, &error)
                                             : lt_tensor_log_softmax (x.t, 1, &error);

  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 2, &error)
                          : lt_tensor_log_softmax (x.t, 2, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase softmax_forward[] = {
  { "dim", softmax_fw_dim },         { "transposed", softmax_fw_transposed },
  { "strided", softmax_fw_strided }, { "rank0", softmax_fw_rank0 },
  { "empty", softmax_fw_empty },     { "parallel", softmax_fw_parallel },
  { "long", softmax_fw_long },       { "float64", softmax_fw_float64 },
  { "special", softmax_fw_special }, { "special-long", softmax_fw_special_long },
  { "errors", softmax_fw_errors },   { NULL, NULL }
};

typedef struct
{
  LtOp op;
  gint dim;
} SoftmaxCall;

static LtTensor *
gc_softmax (LtTensor **in, gsize n, gpointer data)
{
  const SoftmaxCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = c->op == LT_OP_SOFTMAX ? lt_tensor_softmax (in[0], c->dim, &error)
                                       : lt_tensor_log_softmax (in[0], c->dim, &error);

  g_assert_no_error (error);
  return y;
}

static void
softmax_bw_run (LtOp op, OhShape s, OhLay lay, gint dim)
{
  SoftmaxCall c = { op, dim };
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, OH_DIST_UNIT);

  oh_gradcheck (gc_softmax, &c, &x, 1);
}

static void
softmax_bw_dim (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), OH_SH (3, 4), OH_LAY_CONTIG, 0);
  softmax_bw_run (GPOINTER_TO_INT (d), OH_SH (2, 3, 2), OH_LAY_CONTIG, -1);
}

static void
softmax_bw_transposed (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), OH_SH (4, 3), OH_LAY_T, 1);
  softmax_bw_run (GPOINTER_TO_INT (d), OH_SH (3, 4), OH_LAY_STEP, 0);
}

static void
softmax_bw_rank0 (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), OH_SH0, OH_LAY_CONTIG, 0);
}

static void
softmax_bw_empty (gconstpointer d)
{
  SoftmaxCall c = { GPOINTER_TO_INT (d), 1 };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, OH_DIST_UNIT);

  oh_backward_shapes (gc_softmax, &c, &x, 1);
}

static const OhCase softmax_backward[] = {
  { "dim", softmax_bw_dim },
  { "transposed", softmax_bw_transposed },
  { "rank0", softmax_bw_rank0 },
  { "empty", softmax_bw_empty },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

#define REDUCE(op, path, def, fwx, bw, bwx) OH_SPEC (op, path, &def, reduce_forward, fwx, bw, bwx)

static const OhSpec specs[] = {
  REDUCE (LT_OP_SUM, "sum", red_sum, sum_forward_extra, reduce_backward, NULL),
  OH_SPEC (LT_OP_MEAN, "mean", &red_mean, reduce_forward, NULL, reduce_backward, NULL),
  REDUCE (LT_OP_MAX, "max", red_max, reduce_forward_nan, reduce_backward, extreme_backward_extra),
  REDUCE (LT_OP_MIN, "min", red_min, reduce_forward_nan, reduce_backward, extreme_backward_extra),
  REDUCE (LT_OP_MAX_DIM, "max_dim", red_max_dim, reduce_forward_nan, reduce_backward,
          extreme_dim_backward_extra),
  REDUCE (LT_OP_MIN_DIM, "min_dim", red_min_dim, reduce_forward_nan, reduce_backward,
          extreme_dim_backward_extra),
  REDUCE (LT_OP_ARGMAX, "argmax", red_argmax, reduce_forward_nan, NULL, NULL),
  REDUCE (LT_OP_ARGMIN, "argmin", red_argmin, reduce_forward_nan, NULL, NULL),
  REDUCE (LT_OP_VAR, "var", red_var, var_forward_extra, reduce_backward, var_backward_extra),
  REDUCE (LT_OP_STD, "std", red_std, var_forward_extra, reduce_backward, var_backward_extra),
  REDUCE (LT_OP_NORM, "norm", red_norm, norm_forward_extra, reduce_backward, norm_backward_extra),
  REDUCE (LT_OP_ANY, "any", red_any, NULL, NULL, NULL),
  REDUCE (LT_OP_ALL, "all", red_all, NULL, NULL, NULL),

  OH_SPEC (LT_OP_SOFTMAX, "softmax", GINT_TO_POINTER (LT_OP_SOFTMAX), softmax_forward, NULL,
        softmax_backward, NULL),
  OH_SPEC (LT_OP_LOG_SOFTMAX, "log_softmax", GINT_TO_POINTER (LT_OP_LOG_SOFTMAX), softmax_forward,
        NULL, softmax_backward, NULL),
};

guint
oh_register_reduce (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
