/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): max_pool2d, avg_pool2d,
 * adaptive_avg_pool2d and the kernels of their backward rules.
 */

#include "ops-harness.h"

#include "backends/lt-backend-private.h"

/* Pooling: the references below are the definitions of
 * torch.nn.functional's ops written as plain loops over doubles. */

typedef struct
{
  gint64 N, C, H, W;
  gint64 k[2], s[2], p[2], d[2];
  gboolean ceil_mode, count_include_pad;
  gint64 divisor;
  gboolean batched;
} PoolCase;

static const PoolCase pool_cases[] = {
  /* N, C, H, W, kernel, stride, padding, dilation, ceil, count_include_pad, divisor, batched */
  { 2, 3, 8, 8, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
  { 2, 2, 7, 9, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, TRUE, TRUE, 0, TRUE },
  { 1, 2, 7, 8, { 3, 2 }, { 2, 1 }, { 1, 1 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
  { 2, 1, 9, 7, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, FALSE, 0, TRUE },
  { 1, 3, 6, 7, { 3, 2 }, { 1, 3 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE },
  { 2, 2, 5, 6, { 2, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, FALSE, FALSE, 5, FALSE },
  { 3, 2, 10, 9, { 3, 2 }, { 2, 2 }, { 1, 0 }, { 2, 3 }, TRUE, TRUE, 0, TRUE },
  { 1, 4, 5, 5, { 5, 5 }, { 1, 1 }, { 2, 2 }, { 1, 1 }, FALSE, FALSE, 0, FALSE },
  { 2, 2, 6, 6, { 2, 2 }, { 1, 1 }, { 1, 0 }, { 1, 1 }, TRUE, TRUE, -3, TRUE },
  { 0, 2, 6, 6, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
};

static gint64
pool_floor_div (gint64 a, gint64 b)
{
  return (gint64) floor ((double) a / (double) b);
}

/* PyTorch's pooling_output_shape */
static gint64
pool_out (const PoolCase *c, guint i, gboolean dilated)
{
  gint64 in = i == 0 ? c->H : c->W, d = dilated ? c->d[i] : 1;
  gint64 o = pool_floor_div (in + 2 * c->p[i] - d * (c->k[i] - 1) - 1 +
                             (c->ceil_mode ? c->s[i] - 1 : 0), c->s[i]) + 1;

  if (c->ceil_mode && (o - 1) * c->s[i] >= in + c->p[i])
    o--;
  return o;
}

static OhShape
pool_in_shape (const PoolCase *c)
{
  return c->batched ? OH_SH (c->N, c->C, c->H, c->W) : OH_SH (c->C, c->H, c->W);
}

static OhShape
pool_shape_out (const PoolCase *c, gint64 OH, gint64 OW)
{
  return c->batched ? OH_SH (c->N, c->C, OH, OW) : OH_SH (c->C, OH, OW);
}

static gint64
pool_planes (const PoolCase *c)
{
  return c->batched ? c->N * c->C : c->C;
}

/* max pool: the window of (oh, ow) has rows oh s - p + i d, i < k, inside
 * the image; the first maximum in row-major order wins, a NaN always wins
 * (each later NaN takes over) */
static void
ref_max_pool (const PoolCase *c, const double *x, double *y, double *idx)
{
  gint64 OH = pool_out (c, 0, TRUE), OW = pool_out (c, 1, TRUE);

  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          double m = 0;
          gint64 best = -1;

          for (gint64 i = 0; i < c->k[0]; i++)
            for (gint64 j = 0; j < c->k[1]; j++)
              {
                gint64 ih = oh * c->s[0] - c->p[0] + i * c->d[0];
                gint64 iw = ow * c->s[1] - c->p[1] + j * c->d[1];
                double v;

                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                  continue;
                v = x[pl * c->H * c->W + ih * c->W + iw];
                if (best < 0 || isnan (v) || (!isnan (m) && v > m))
                  {
                    m = v;
                    best = ih * c->W + iw;
                  }
              }
          g_assert_cmpint (best, >=, 0);
          y[(pl * OH + oh) * OW + ow] = m;
          idx[(pl * OH + oh) * OW + ow] = (double) best;
        }
}

/* avg pool: the window clipped to the padded image gives the divisor with
 * count_include_pad; the sum runs over the part inside the image */
static void
ref_avg_pool (const PoolCase *c, const double *x, double *y, const double *dy, double *dx)
{
  gint64 OH = pool_out (c, 0, FALSE), OW = pool_out (c, 1, FALSE);

  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          gint64 h0 = oh * c->s[0] - c->p[0], w0 = ow * c->s[1] - c->p[1];
          gint64 padded = 0, inside = 0;
          double sum = 0, div;

          for (gint64 ih = h0; ih < h0 + c->k[0]; ih++)
            for (gint64 iw = w0; iw < w0 + c->k[1]; iw++)
              {
                if (ih < c->H + c->p[0] && iw < c->W + c->p[1])
                  padded++;
                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                  continue;
                inside++;
                if (x)
                  sum += x[pl * c->H * c->W + ih * c->W + iw];
              }
          div = c->divisor ? (double) c->divisor : (double) (c->count_include_pad ? padded : inside);
          if (y)
            y[(pl * OH + oh) * OW + ow] = inside ? sum / div : 0;
          if (dx)
            for (gint64 ih = MAX (h0, 0); ih < MIN (h0 + c->k[0], c->H); ih++)
              for (gint64 iw = MAX (w0, 0); iw < MIN (w0 + c->k[1], c->W); iw++)
                dx[pl * c->H * c->W + ih * c->W + iw] += dy[(pl * OH + oh) * OW + ow] / div;
        }
}

/* adaptive avg pool: rows floor (oh H / OH) to ceil ((oh + 1) H / OH) */
static void
ref_adaptive (const PoolCase *c, gint64 OH, gint64 OW, const double *x, double *y,
              const double *dy, double *dx)
{
  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          gint64 h0 = (gint64) floor ((double) (oh * c->H) / OH);
          gint64 h1 = (gint64) ceil ((double) ((oh + 1) * c->H) / OH);
          gint64 w0 = (gint64) floor ((double) (ow * c->W) / OW);
          gint64 w1 = (gint64) ceil ((double) ((ow + 1) * c->W) / OW);
          double sum = 0, cnt = (double) ((h1 - h0) * (w1 - w0));

          for (gint64 ih = h0; ih < h1; ih++)
            for (gint64 iw = w0; iw < w1; iw++)
              {
                if (x)
                  sum += x[pl * c->H * c->W + ih * c->W + iw];
                if (dx)
                  dx[pl * c->H * c->W + ih * c->W + iw] += dy[(pl * OH + oh) * OW + ow] / cnt;
              }
          if (y)
            y[(pl * OH + oh) * OW + ow] = sum / cnt;
        }
}

static LtTensor *
max_pool_call (const PoolCase *c, LtTensor *x, LtTensor **idx, GError **error)
{
  return lt_max_pool2d (x, c->k, c->s, c->p, c->d, c->ceil_mode, idx, error);
}

static LtTensor *
avg_pool_call (const PoolCase *c, LtTensor *x, GError **error)
{
  return lt_avg_pool2d (x, c->k, c->s, c->p, c->ceil_mode, c->count_include_pad, c->divisor,
                        error);
}

static void
max_pool2d_fw_values (gconstpointer data)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
      for (LtDType dt = F32; dt <= F64; dt++)
        {
          const PoolCase *c = &pool_cases[ci];
          OhShape os = pool_shape_out (c, pool_out (c, 0, TRUE), pool_out (c, 1, TRUE));
          g_autoptr(GError) error = NULL;
          /* a grid of few values: ties everywhere */
          g_auto(OhArr) x = oh_arr_new (pool_in_shape (c), dt, lays[li], OH_DIST_GRID);
          g_autofree double *ref = g_new0 (double, MAX (oh_numel (os), 1));
          g_autofree double *ridx = g_new0 (double, MAX (oh_numel (os), 1));
          g_autoptr(LtTensor) idx = NULL;
          g_autoptr(LtTensor) y = max_pool_call (c, x.t, &idx, &error);

          g_test_message ("case %u, layout %u, %s", ci, li, lt_dtype_get_name (dt));
          g_assert_no_error (error);
          ref_max_pool (c, x.v, ref, ridx);
          oh_check (y, dt, os, ref);
          oh_check (idx, I64, os, ridx);
        }
}

static void
max_pool2d_fw_nan (gconstpointer data)
{
  const PoolCase c = { 1, 2, 4, 6, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 1, 2, 4, 6, { 3, 3 }, { 1, 2 }, { 1, 1 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase *cs[] = { &c, &c3 };
  double v[48];

  for (guint k = 0; k < 48; k++)
    v[k] = (double) ((k * 7) % 11) - 5;
  v[1] = NAN;
  v[6] = NAN;         /* two NaN in a window: the later one */
  v[9] = -INFINITY;
  v[15] = INFINITY;
  v[27] = NAN;
  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      OhShape os = pool_shape_out (cs[i], pool_out (cs[i], 0, TRUE), pool_out (cs[i], 1, TRUE));
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_from (v, pool_in_shape (cs[i]), F32, OH_LAY_CONTIG);
      double ref[48], ridx[48];
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = max_pool_call (cs[i], x.t, &idx, &error);

      g_assert_no_error (error);
      ref_max_pool (cs[i], x.v, ref, ridx);
      oh_check (y, F32, os, ref);
      oh_check (idx, I64, os, ridx);
    }
}

static void
max_pool2d_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 16, 6, 28, 28, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE };
  const PoolCase *cs[] = { &c, &c3 };

  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      OhShape os = pool_shape_out (cs[i], pool_out (cs[i], 0, TRUE), pool_out (cs[i], 1, TRUE));
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (pool_in_shape (cs[i]), F32, OH_LAY_CONTIG, OH_DIST_GRID);
      g_autofree double *ref = g_new0 (double, oh_numel (os));
      g_autofree double *ridx = g_new0 (double, oh_numel (os));
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = max_pool_call (cs[i], x.t, &idx, &error);

      g_assert_no_error (error);
      g_assert_cmpint (x.n, >, OH_BIG);
      ref_max_pool (cs[i], x.v, ref, ridx);
      oh_check (y, F32, os, ref);
      oh_check (idx, I64, os, ridx);
    }
}

/* Every bad argument: a GError naming the op; NULL stride means the kernel */
static void
pool_expect_error (const char *op, LtTensor *y, GError *error, LtError code)
{
  oh_check_error (y, error, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, op));
}

static void
pool_fw_errors_for (const char *op)
{
  const gint64 k2[2] = { 2, 2 }, k0[2] = { 0, 2 }, s0[2] = { 2, 0 }, pbig[2] = { 2, 1 };
  const gint64 pneg[2] = { -1, 0 }, d0[2] = { 1, 0 }, k3[2] = { 3, 3 }, p1[2] = { 1, 1 };
  const gint64 d3[2] = { 3, 3 };
  gboolean is_max = g_str_equal (op, "max_pool2d");
  struct { OhShape s; LtDType dt; const gint64 *k, *st, *p, *d; LtError code; } bad[] = {
    { OH_SH (6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { OH_SH (1, 2, 3, 6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { OH_SH (2, 0, 6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { OH_SH (2, 3, 0, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { OH_SH (2, 3, 6, 6), I64, k2, NULL, NULL, NULL, LT_ERROR_DTYPE },
    { OH_SH (2, 3, 6, 6), F32, k0, NULL, NULL, NULL, LT_ERROR_INVALID_ARGUMENT },
    { OH_SH (2, 3, 6, 6), F32, k2, s0, NULL, NULL, LT_ERROR_INVALID_ARGUMENT },
    { OH_SH (2, 3, 6, 6), F32, k2, NULL, pbig, NULL, LT_ERROR_INVALID_ARGUMENT },
    { OH_SH (2, 3, 6, 6), F32, k2, NULL, pneg, NULL, LT_ERROR_INVALID_ARGUMENT },
    { OH_SH (2, 3, 2, 2), F32, k3, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { OH_SH (2, 3, 6, 6), F32, k2, NULL, NULL, d0, LT_ERROR_INVALID_ARGUMENT },
    { OH_SH (1, 2, 2), F32, k3, NULL, p1, d3, LT_ERROR_SHAPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (bad[i].s, bad[i].dt, OH_LAY_CONTIG, OH_DIST_UNIT);
      LtTensor *idx = NULL;
      LtTensor *y;

      if (!is_max && bad[i].d)
        {
          if (bad[i].code != LT_ERROR_SHAPE)
            continue;
          /* no dilation for average pooling: the same small image */
          y = lt_avg_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, FALSE, TRUE, 0, &error);
          g_assert_nonnull (y);
          g_object_unref (y);
          continue;
        }
      if (is_max)
        y = lt_max_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, bad[i].d, FALSE, &idx, &error);
      else
        y = lt_avg_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, FALSE, TRUE, 0, &error);
      pool_expect_error (op, y, error, bad[i].code);
      g_assert_null (idx);
    }
}

static void
max_pool2d_fw_errors (gconstpointer data)
{
  pool_fw_errors_for ("max_pool2d");
}

/* Defaults: NULL stride is the kernel size, NULL padding 0, NULL dilation
 * 1; @indices is optional; the node's name */
static void
max_pool2d_fw_defaults (gconstpointer data)
{
  const PoolCase c = { 2, 3, 7, 6, { 3, 2 }, { 3, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  OhShape os = pool_shape_out (&c, pool_out (&c, 0, TRUE), pool_out (&c, 1, TRUE));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (pool_in_shape (&c), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *ref = g_new0 (double, oh_numel (os));
  g_autofree double *ridx = g_new0 (double, oh_numel (os));
  g_autoptr(LtTensor) y = lt_max_pool2d (x, c.k, NULL, NULL, NULL, FALSE, NULL, &error);

  g_assert_no_error (error);
  ref_max_pool (&c, xv, ref, ridx);
  oh_check (y, F64, os, ref);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   "MaxPool2DWithIndicesBackward0");
}

/* 2 x 2 windows, stride 2, on rows of 1 to 33 windows: the CPU backend's
 * row kernels take up to 16 windows a vector, the last ones masked; ties
 * (a grid of few values) and NaNs, float32 and float64, values and
 * indices, odd widths that leave a column out */
static void
max_pool2d_fw_widths (gconstpointer data)
{
  static const gint64 widths[] = { 2, 3, 10, 28, 30, 32, 33, 34, 66 };

  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const PoolCase c = { 2, 3, 5, widths[wi], { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 },
                             FALSE, TRUE, 0, TRUE };
        OhShape is = pool_in_shape (&c);
        OhShape os = pool_shape_out (&c, pool_out (&c, 0, TRUE), pool_out (&c, 1, TRUE));
        g_autoptr(GError) error = NULL;
        g_autofree double *v = g_new0 (double, oh_numel (is));
        g_autofree double *ref = g_new0 (double, MAX (oh_numel (os), 1));
        g_autofree double *ridx = g_new0 (double, MAX (oh_numel (os), 1));
        g_auto(OhArr) x = { NULL };
        g_autoptr(LtTensor) idx = NULL;
        g_autoptr(LtTensor) y = NULL;

        for (gint64 k = 0; k < oh_numel (is); k++)
          v[k] = k % 23 == 7 ? NAN : oh_draw (OH_DIST_GRID, dt);
        x = oh_arr_from (v, is, dt, OH_LAY_CONTIG);
        y = max_pool_call (&c, x.t, &idx, &error);
        g_assert_no_error (error);
        ref_max_pool (&c, x.v, ref, ridx);
        oh_check (y, dt, os, ref);
        oh_check (idx, I64, os, ridx);
      }
}

static const OhCase max_pool2d_forward[] = {
  { "widths", max_pool2d_fw_widths },
  { "values", max_pool2d_fw_values },
  { "nan", max_pool2d_fw_nan },
  { "big", max_pool2d_fw_big },
  { "errors", max_pool2d_fw_errors },
  { "defaults", max_pool2d_fw_defaults },
  { NULL, NULL }
};

static LtTensor *
gc_max_pool (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = max_pool_call (data, in[0], NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
max_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    {
      g_autoptr(LtTensor) x = NULL;

      if (pool_cases[ci].N == 0)
        continue;
      /* distinct values: the maxima do not move under the finite differences */
      x = oh_leaf_new (pool_in_shape (&pool_cases[ci]), ci % 2 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
      oh_gradcheck (gc_max_pool, &pool_cases[ci], &x, 1);
    }
}

/* The gradient of y = max_pool2d (x) for an upstream gradient dy goes to
 * the first maximum of each window in row-major order, as PyTorch's index;
 * overlapping windows add up. */
static void
max_pool_grads_check (const PoolCase *c, LtDType dt, OhLay lay, OhDist dist)
{
  OhShape os = pool_shape_out (c, pool_out (c, 0, TRUE), pool_out (c, 1, TRUE));
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) xa = oh_arr_new (pool_in_shape (c), dt, OH_LAY_CONTIG, dist);
  g_auto(OhArr) dy = oh_arr_new (os, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *ref = g_new0 (double, MAX (oh_numel (os), 1));
  g_autofree double *ridx = g_new0 (double, MAX (oh_numel (os), 1));
  g_autofree double *rdx = g_new0 (double, MAX (xa.n, 1));
  gint64 OHW = pool_out (c, 0, TRUE) * pool_out (c, 1, TRUE);

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = max_pool_call (c, x, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
  g_assert_no_error (error);
  ref_max_pool (c, xa.v, ref, ridx);
  for (gint64 k = 0; k < oh_numel (os); k++)
    rdx[(k / OHW) * c->H * c->W + (gint64) ridx[k]] += dy.v[k];
  oh_check (lt_tensor_get_grad (x), dt, xa.s, rdx);
}

static void
max_pool2d_bw_ties (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    max_pool_grads_check (&pool_cases[ci], F64, OH_LAY_T, OH_DIST_GRID);
}

static const OhCase max_pool2d_backward[] = {
  { "gradcheck", max_pool2d_bw_gradcheck },
  { "ties", max_pool2d_bw_ties },
  { NULL, NULL }
};

/* max_pool2d_grad: dy sent to the indices, every layout of dy */
static void
max_pool2d_grad_fw_values (gconstpointer data)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (LtDType dt = F32; dt <= F64; dt++)
      for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
        max_pool_grads_check (&pool_cases[ci], dt, lays[li], li == 1 ? OH_DIST_UNIT : OH_DIST_GRID);
}

static void
max_pool2d_grad_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 16, 6, 29, 27, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE };

  max_pool_grads_check (&c, F32, OH_LAY_CONTIG, OH_DIST_GRID);
  max_pool_grads_check (&c3, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
}

/* Changes index @q of @idx (int64, on the harness's device) to
 * @value, or to (its value + @shift) % @mod when @mod is not 0: in place,
 * behind the library's back */
static void
poke_index (LtTensor *idx, gint64 q, gint64 value, gint64 shift, gint64 mod)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) host = lt_tensor_to_device (idx, LT_DEVICE_CPU, &error);
  gint64 *ip;

  g_assert_no_error (error);
  ip = (gint64 *) lt_tensor_get_data_ptr (host);
  ip[q] = mod ? (ip[q] + shift) % mod : value;
  /* on a device: the bytes themselves, not an op the tensor's version
   * would count */
  if (host != idx)
    g_assert_true (_lt_backend_get (oh_device, NULL)
                     ->upload (_lt_tensor_data (idx), ip, idx->numel * sizeof (gint64), &error));
  g_assert_no_error (error);
}

/* Indices changed behind the library's back: an error, not a write out of
 * the plane */
static void
max_pool2d_grad_fw_bad_index (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 }, k3[2] = { 3, 3 }, s1[2] = { 1, 1 };
  const gint64 *ks[] = { k, k3 };

  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (1, 2, 4, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = lt_max_pool2d (x, ks[i], i ? s1 : NULL, NULL, NULL, FALSE, &idx,
                                             &error);
      g_autoptr(LtTensor) total = NULL;

      g_assert_no_error (error);
      poke_index (idx, 1, i ? -1 : 16, 0, 0);
      total = lt_tensor_sum (y, &error);
      g_assert_false (lt_tensor_backward (total, NULL, FALSE, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    }
}

/* the gradient on rows of 1 to 33 windows (see max_pool2d_fw_widths) */
static void
max_pool2d_grad_fw_widths (gconstpointer data)
{
  static const gint64 widths[] = { 2, 3, 10, 28, 30, 32, 33, 34, 66 };

  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const PoolCase c = { 2, 3, 5, widths[wi], { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 },
                             FALSE, TRUE, 0, TRUE };

        max_pool_grads_check (&c, dt, OH_LAY_CONTIG, OH_DIST_GRID);
        max_pool_grads_check (&c, dt, OH_LAY_T, OH_DIST_UNIT);
      }
}

/* An index moved to the other window of its row (a valid place in the
 * plane, outside its own window), in each position of a 16-window row */
static void
max_pool2d_grad_fw_wrong_window (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 };

  for (gint64 q = 0; q < 16; q++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (1, 1, 2, 32), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = lt_max_pool2d (x, k, NULL, NULL, NULL, FALSE, &idx, &error);
      g_autoptr(LtTensor) total = NULL;

      g_assert_no_error (error);
      poke_index (idx, q, 0, 2, 32);
      total = lt_tensor_sum (y, &error);
      g_assert_false (lt_tensor_backward (total, NULL, FALSE, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    }
}

static const OhCase max_pool2d_grad_forward[] = {
  { "widths", max_pool2d_grad_fw_widths },
  { "wrong-window", max_pool2d_grad_fw_wrong_window },
  { "values", max_pool2d_grad_fw_values },
  { "big", max_pool2d_grad_fw_big },
  { "bad-index", max_pool2d_grad_fw_bad_index },
  { NULL, NULL }
};

static void
avg_pool2d_fw_values (gconstpointer data)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
      for (LtDType dt = F32; dt <= F64; dt++)
        for (guint cip = 0; cip < 2; cip++)
          {
            PoolCase c = pool_cases[ci];
            OhShape os;
            g_autoptr(GError) error = NULL;
            g_auto(OhArr) x = oh_arr_new (pool_in_shape (&c), dt, lays[li], OH_DIST_UNIT);
            g_autofree double *ref = NULL;
            g_autoptr(LtTensor) y = NULL;

            c.count_include_pad = cip;
            os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
            ref = g_new0 (double, MAX (oh_numel (os), 1));
            y = avg_pool_call (&c, x.t, &error);
            g_test_message ("case %u, layout %u, %s, %u", ci, li, lt_dtype_get_name (dt), cip);
            g_assert_no_error (error);
            ref_avg_pool (&c, x.v, ref, NULL, NULL);
            oh_check (y, dt, os, ref);
          }
}

static void
avg_pool2d_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, FALSE, 0, TRUE };
  OhShape os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (pool_in_shape (&c), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *ref = g_new0 (double, oh_numel (os));
  g_autoptr(LtTensor) y = avg_pool_call (&c, x.t, &error);

  g_assert_no_error (error);
  ref_avg_pool (&c, x.v, ref, NULL, NULL);
  oh_check (y, F32, os, ref);
}

static void
avg_pool2d_fw_errors (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (1, 2, 4, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;

  pool_fw_errors_for ("avg_pool2d");
  /* divisor_override 0 means none; negative divisors are PyTorch's too */
  y = lt_avg_pool2d (x.t, k, NULL, NULL, FALSE, TRUE, 0, &error);
  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (y));
}

static const OhCase avg_pool2d_forward[] = {
  { "values", avg_pool2d_fw_values },
  { "big", avg_pool2d_fw_big },
  { "errors", avg_pool2d_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_avg_pool (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = avg_pool_call (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
avg_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint cip = 0; cip < 2; cip++)
      {
        PoolCase c = pool_cases[ci];
        g_autoptr(LtTensor) x = NULL;

        if (c.N == 0)
          continue;
        c.count_include_pad = cip;
        x = oh_leaf_new (pool_in_shape (&c), ci % 2 ? OH_LAY_STEP : OH_LAY_CONTIG, OH_DIST_UNIT);
        oh_gradcheck (gc_avg_pool, &c, &x, 1);
      }
}

static void
avg_pool2d_bw_node (gconstpointer data)
{
  const PoolCase *c = &pool_cases[3];
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (pool_in_shape (c), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = avg_pool_call (c, x, &error);
  g_autoptr(LtTensor) x0 = oh_leaf_new (pool_in_shape (&pool_cases[G_N_ELEMENTS (pool_cases) - 1]),
                                     OH_LAY_CONTIG, OH_DIST_UNIT);

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "AvgPool2DBackward0");
  g_assert_cmpint (x0->numel, ==, 0);
  oh_backward_shapes (gc_avg_pool, &pool_cases[G_N_ELEMENTS (pool_cases) - 1], &x0, 1);
}

static const OhCase avg_pool2d_backward[] = {
  { "gradcheck", avg_pool2d_bw_gradcheck },
  { "node", avg_pool2d_bw_node },
  { NULL, NULL }
};

/* avg_pool2d_grad: the gradient spread over the windows */
static void
avg_pool2d_grad_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (LtDType dt = F32; dt <= F64; dt++)
      for (guint cip = 0; cip < 2; cip++)
        {
          PoolCase c = pool_cases[ci];
          OhShape os;
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) xa = oh_arr_new (pool_in_shape (&c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
          g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
          g_autoptr(LtTensor) y = NULL;
          g_autofree double *rdx = g_new0 (double, MAX (xa.n, 1));

          c.count_include_pad = cip;
          os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
          {
            g_auto(OhArr) dy = oh_arr_new (os, dt, cip ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);

            g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
            y = avg_pool_call (&c, x, &error);
            g_assert_no_error (error);
            g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
            g_assert_no_error (error);
            ref_avg_pool (&c, NULL, NULL, dy.v, rdx);
            oh_check (lt_tensor_get_grad (x), dt, xa.s, rdx);
          }
        }
}

static const OhCase avg_pool2d_grad_forward[] = {
  { "values", avg_pool2d_grad_fw_values },
  { NULL, NULL }
};

/* adaptive_avg_pool2d: output sizes that divide the input and that do
 * not, larger than the input, 1, and 0 */
static const gint64 adaptive_sizes[][2] = {
  { 4, 3 }, { 3, 5 }, { 1, 1 }, { 7, 9 }, { 9, 2 }, { 2, 12 }, { 0, 3 },
};

static void
adaptive_avg_pool2d_fw_values (gconstpointer data)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_PAD };
  const PoolCase base[] = {
    { 2, 3, 8, 6, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE },
    { 1, 2, 7, 9, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, FALSE },
    { 16, 6, 29, 29, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE },
  };

  for (guint bi = 0; bi < G_N_ELEMENTS (base); bi++)
    for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
      for (LtDType dt = F32; dt <= F64; dt++)
        {
          const PoolCase *c = &base[bi];
          const gint64 *osz = adaptive_sizes[si];
          OhShape os = pool_shape_out (c, osz[0], osz[1]);
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) x = oh_arr_new (pool_in_shape (c), dt, lays[si % 3], OH_DIST_UNIT);
          g_autofree double *ref = g_new0 (double, MAX (oh_numel (os), 1));
          g_autoptr(LtTensor) y = lt_adaptive_avg_pool2d (x.t, osz, &error);

          g_assert_no_error (error);
          ref_adaptive (c, osz[0], osz[1], x.v, ref, NULL, NULL);
          oh_check (y, dt, os, ref);
        }
}

static void
adaptive_avg_pool2d_fw_errors (gconstpointer data)
{
  const gint64 ok[2] = { 2, 2 }, neg[2] = { 2, -1 };
  struct { OhShape s; LtDType dt; const gint64 *o; LtError code; } bad[] = {
    { OH_SH (6, 6), F32, ok, LT_ERROR_SHAPE },
    { OH_SH (1, 2, 3, 6, 6), F32, ok, LT_ERROR_SHAPE },
    { OH_SH (1, 2, 0, 6), F32, ok, LT_ERROR_SHAPE },
    { OH_SH (1, 2, 6, 6), I32, ok, LT_ERROR_DTYPE },
    { OH_SH (1, 2, 6, 6), F32, neg, LT_ERROR_INVALID_ARGUMENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (bad[i].s, bad[i].dt, OH_LAY_CONTIG, OH_DIST_UNIT);
      LtTensor *y = lt_adaptive_avg_pool2d (x.t, bad[i].o, &error);

      pool_expect_error ("adaptive_avg_pool2d", y, error, bad[i].code);
    }
}

static const OhCase adaptive_avg_pool2d_forward[] = {
  { "values", adaptive_avg_pool2d_fw_values },
  { "errors", adaptive_avg_pool2d_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_adaptive (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_adaptive_avg_pool2d (in[0], data, &error);

  g_assert_no_error (error);
  return y;
}

static void
adaptive_avg_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
    {
      g_autoptr(LtTensor) x = oh_leaf_new (si % 2 ? OH_SH (2, 2, 7, 6) : OH_SH (3, 5, 8), OH_LAY_T, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = gc_adaptive (&x, 1, (gpointer) adaptive_sizes[si]);

      g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                       "AdaptiveAvgPool2DBackward0");
      if (y->numel == 0)
        oh_backward_shapes (gc_adaptive, adaptive_sizes[si], &x, 1);
      else
        oh_gradcheck (gc_adaptive, adaptive_sizes[si], &x, 1);
    }
}

static const OhCase adaptive_avg_pool2d_backward[] = {
  { "gradcheck", adaptive_avg_pool2d_bw_gradcheck },
  { NULL, NULL }
};

static void
adaptive_avg_pool2d_grad_fw_values (gconstpointer data)
{
  const PoolCase c = { 2, 3, 9, 7, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE };

  for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const gint64 *osz = adaptive_sizes[si];
        OhShape os = pool_shape_out (&c, osz[0], osz[1]);
        g_autoptr(GError) error = NULL;
        g_auto(OhArr) xa = oh_arr_new (pool_in_shape (&c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) dy = oh_arr_new (os, dt, OH_LAY_T, OH_DIST_UNIT);
        g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
        g_autoptr(LtTensor) y = NULL;
        g_autofree double *rdx = g_new0 (double, xa.n);

        g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
        y = lt_adaptive_avg_pool2d (x, osz, &error);
        g_assert_no_error (error);
        g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
        g_assert_no_error (error);
        ref_adaptive (&c, osz[0], osz[1], NULL, NULL, dy.v, rdx);
        oh_check (lt_tensor_get_grad (x), dt, xa.s, rdx);
      }
}

static const OhCase adaptive_avg_pool2d_grad_forward[] = {
  { "values", adaptive_avg_pool2d_grad_fw_values },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_MAX_POOL2D, "max_pool2d", NULL, max_pool2d_forward, NULL, max_pool2d_backward,
        NULL),
  OH_SPEC (LT_OP_MAX_POOL2D_GRAD, "max_pool2d_grad", NULL, max_pool2d_grad_forward, NULL, NULL,
        NULL),
  OH_SPEC (LT_OP_AVG_POOL2D, "avg_pool2d", NULL, avg_pool2d_forward, NULL, avg_pool2d_backward,
        NULL),
  OH_SPEC (LT_OP_AVG_POOL2D_GRAD, "avg_pool2d_grad", NULL, avg_pool2d_grad_forward, NULL, NULL,
        NULL),
  OH_SPEC (LT_OP_ADAPTIVE_AVG_POOL2D, "adaptive_avg_pool2d", NULL, adaptive_avg_pool2d_forward,
        NULL, adaptive_avg_pool2d_backward, NULL),
  OH_SPEC (LT_OP_ADAPTIVE_AVG_POOL2D_GRAD, "adaptive_avg_pool2d_grad", NULL,
        adaptive_avg_pool2d_grad_forward, NULL, NULL, NULL),
};

guint
oh_register_pool (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
