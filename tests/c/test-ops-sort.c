/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): sorting and selection
 * along one dimension (ops/lt-sort.c): sort, topk, kthvalue, median (along
 * a dim and over everything), mode and unique. The reference sorts every
 * row with the C library's qsort on (value, position) pairs, NaN greater
 * than every number and equal values in the order of their positions (the
 * stable order PyTorch's sort gives); mode counts every value by brute
 * force. Values and positions must match exactly, on every layout, dtype,
 * NaNs, ties, empty and rank-0 tensors and rows long enough for the CPU
 * backend's threads. Gradients: gradcheck (each value's gradient goes to
 * its position; median over everything shares it among equal elements).
 */

#include <stdlib.h>

#include "ops-harness.h"

typedef struct
{
  LtOp op;
} SortDef;

static const SortDef def_sort = { LT_OP_SORT };
static const SortDef def_topk = { LT_OP_TOPK };
static const SortDef def_kthvalue = { LT_OP_KTHVALUE };
static const SortDef def_median_dim = { LT_OP_MEDIAN_DIM };
static const SortDef def_median = { LT_OP_MEDIAN };
static const SortDef def_mode = { LT_OP_MODE };
static const SortDef def_unique = { LT_OP_UNIQUE };

/* One call: the op, its dim, k, descending (topk: largest), keepdim */
typedef struct
{
  LtOp     op;
  gint     dim;
  gint64   k;
  gboolean desc;
  gboolean keepdim;
} Call;

static LtTensor *
run_call (const Call *c, LtTensor *x, LtTensor **indices, GError **error)
{
  switch (c->op)
    {
      case LT_OP_SORT:
        return lt_tensor_sort (x, c->dim, c->desc, c->keepdim, indices, error);
      case LT_OP_TOPK:
        return lt_tensor_topk (x, c->k, c->dim, c->desc, TRUE, indices, error);
      case LT_OP_KTHVALUE:
        return lt_tensor_kthvalue (x, c->k, c->dim, c->keepdim, indices, error);
      case LT_OP_MEDIAN_DIM:
        return lt_tensor_median_dim (x, c->dim, c->keepdim, indices, error);
      case LT_OP_MODE:
        return lt_tensor_mode (x, c->dim, c->keepdim, indices, error);
      default:
        if (indices)
          *indices = NULL;
        return lt_tensor_median (x, error);
    }
}

typedef struct
{
  double   v;
  gint64   i;
  gboolean desc;
} Ent;

static int
ent_cmp (const void *pa, const void *pb)
{
  const Ent *a = pa, *b = pb;
  int        c;

  if (isnan (a->v) || isnan (b->v))
    c = isnan (a->v) - isnan (b->v);
  else
    c = (a->v > b->v) - (a->v < b->v);
  if (a->desc)
    c = -c;
  if (c != 0)
    return c;
  return (a->i > b->i) - (a->i < b->i);
}

/* The pick of @c from the row @e[0..n) (in position order); writes @m
 * values and positions. */
static void
ref_row (const Call *c, Ent *e, gint64 n, double *val, double *pos)
{
  gint64 pick = 0;

  if (c->op == LT_OP_MODE)
    {
      /* the runs of equal values in (value, position) order: the longest,
       * the first (smallest value) on a tie, at its last position */
      gint64 best = 0;

      for (gint64 j = 0; j < n; j++)
        e[j].desc = FALSE;
      qsort (e, n, sizeof (Ent), ent_cmp);
      for (gint64 a = 0, b; a < n; a = b)
        {
          for (b = a + 1; b < n && e[b].v == e[a].v; b++)
            ;
          if (b - a > best)
            {
              best = b - a;
              val[0] = e[a].v;
              pos[0] = (double) e[b - 1].i;
            }
        }
      return;
    }
  for (gint64 j = 0; j < n; j++)
    e[j].desc = c->desc && (c->op == LT_OP_SORT || c->op == LT_OP_TOPK);
  qsort (e, n, sizeof (Ent), ent_cmp);
  switch (c->op)
    {
      case LT_OP_SORT:
      case LT_OP_TOPK:
        for (gint64 j = 0; j < (c->op == LT_OP_SORT ? n : c->k); j++)
          {
            val[j] = e[j].v;
            pos[j] = (double) e[j].i;
          }
        return;
      case LT_OP_KTHVALUE:
        pick = c->k - 1;
        break;
      default: /* median: the first NaN, or the lower middle */
        pick = (n - 1) / 2;
        for (gint64 j = 0; j < n; j++)
          if (isnan (e[j].v))
            {
              pick = j;
              break;
            }
        break;
    }
  val[0] = e[pick].v;
  pos[0] = (double) e[pick].i;
}

/* The reference of @c on @x: values, positions and the result's shape */
static void
ref_call (const Call *c, const OhArr *x, double **val, double **pos, OhShape *rs)
{
  OhShape            s = x->s, ks;
  guint              d = s.n == 0 ? 0 : oh_norm_dim (c->dim, s.n);
  gint64             n = s.n == 0 ? 1 : s.d[d], outer = 1, inner = 1, m;
  g_autofree Ent    *e = g_new0 (Ent, MAX (n, 1));
  g_autofree double *rv = NULL;
  g_autofree double *rp = NULL;

  m = c->op == LT_OP_SORT ? n : c->op == LT_OP_TOPK ? c->k : 1;
  for (guint j = 0; j < d && j < s.n; j++)
    outer *= s.d[j];
  for (guint j = d + 1; j < s.n; j++)
    inner *= s.d[j];
  ks = s;
  if (s.n > 0)
    ks.d[d] = m;
  *val = g_new0 (double, MAX (oh_numel (ks), 1));
  *pos = g_new0 (double, MAX (oh_numel (ks), 1));
  rv = g_new0 (double, MAX (m, 1));
  rp = g_new0 (double, MAX (m, 1));
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < inner; i++)
      {
        if (n == 0)
          continue;
        for (gint64 j = 0; j < n; j++)
          {
            e[j].v = x->v[(o * n + j) * inner + i];
            e[j].i = j;
          }
        ref_row (c, e, n, rv, rp);
        for (gint64 j = 0; j < m; j++)
          {
            (*val)[(o * m + j) * inner + i] = rv[j];
            (*pos)[(o * m + j) * inner + i] = rp[j];
          }
      }
  *rs = ks;
  if (c->op != LT_OP_SORT && c->op != LT_OP_TOPK && !c->keepdim && s.n > 0)
    {
      rs->n = 0;
      for (guint j = 0; j < s.n; j++)
        if (j != d)
          rs->d[rs->n++] = s.d[j];
    }
}

/* @c on @x against the reference: values and positions exactly */
static void
check_call (const Call *c, const OhArr *x)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) y = run_call (c, x->t, &idx, &error);
  g_autofree double *val = NULL;
  g_autofree double *pos = NULL;
  OhShape            rs;

  g_assert_no_error (error);
  ref_call (c, x, &val, &pos, &rs);
  oh_check_tol (y, x->t->dtype, rs, val, 0, 0);
  oh_check_tol (idx, I64, rs, pos, 0, 0);
}

/* Every layout, dtype and dim of a (5, 6) tensor with ties (a grid of
 * values), for each variant of the op */
static void
fw_layouts (gconstpointer d)
{
  const SortDef       *def = d;
  static const LtDType dts[] = { F32, F64, I64, I32, I16, I8, U8 };
  static const OhLay   lays[] = { OH_LAY_CONTIG, OH_LAY_T,   OH_LAY_STEP,
                                  OH_LAY_EXPAND, OH_LAY_PAD, OH_LAY_TPAD };
  static const gint    dims[] = { 0, 1, -1, -2 };

  for (guint t = 0; t < G_N_ELEMENTS (dts); t++)
    for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
      {
        g_auto (OhArr) x = oh_arr_new (OH_SH (5, 6), dts[t], lays[l], OH_DIST_GRID);

        for (guint di = 0; di < G_N_ELEMENTS (dims); di++)
          for (int flag = 0; flag < 2; flag++)
            {
              gint64 n = x.s.d[oh_norm_dim (dims[di], 2)];
              Call   c = { def->op, dims[di], 0, flag, flag };

              if (def->op == LT_OP_TOPK || def->op == LT_OP_KTHVALUE)
                {
                  gint64 ks[] = { 1, 2, n };

                  for (guint ki = 0; ki < G_N_ELEMENTS (ks); ki++)
                    {
                      c.k = ks[ki];
                      check_call (&c, &x);
                    }
                  if (def->op == LT_OP_TOPK)
                    {
                      c.k = 0;
                      check_call (&c, &x);
                    }
                }
              else
                check_call (&c, &x);
            }
      }
}

/* Three dimensions, the middle one sorted */
static void
fw_rank3 (gconstpointer d)
{
  const SortDef *def = d;
  g_auto (OhArr) x = oh_arr_new (OH_SH (3, 7, 4), F32, OH_LAY_STEP, OH_DIST_GRID);
  Call c = { def->op, 1, 3, TRUE, FALSE };

  check_call (&c, &x);
  c.desc = FALSE;
  c.keepdim = TRUE;
  check_call (&c, &x);
}

/* NaN is greater than every number; a median of a row with NaN is NaN */
static void
fw_nan (gconstpointer d)
{
  const SortDef *def = d;
  double         v[] = { 1, NAN, -2, 1, NAN, 3, 0.5, 3, -2, 3, NAN, 1 };

  for (LtDType dt = F32; dt <= F64; dt++)
    for (int desc = 0; desc < 2; desc++)
      {
        g_auto (OhArr) x = oh_arr_from (v, OH_SH (3, 4), dt, OH_LAY_T);
        g_auto (OhArr) row = oh_arr_from (v, OH_SH (12), dt, OH_LAY_CONTIG);
        Call c = { def->op, 0, 2, desc, FALSE };

        if (def->op == LT_OP_MODE)
          {
            /* NaN is never equal to itself: each is a value of its own */
            double w[] = { 1, NAN, 2, 1, NAN, 2, 2 };
            g_auto (OhArr) m = oh_arr_from (w, OH_SH (7), dt, OH_LAY_CONTIG);

            check_call (&c, &m);
            return;
          }
        check_call (&c, &x);
        c.dim = -1;
        check_call (&c, &x);
        c.k = 9;
        check_call (&c, &row);
      }
}

/* Rank 0, and empty tensors: an empty dim is fine for sort and topk
 * (k = 0), an error for the reductions; other dims may be empty */
static void
fw_edges (gconstpointer d)
{
  const SortDef *def = d;
  g_autoptr(GError) error = NULL;
  gboolean reduction = def->op != LT_OP_SORT && def->op != LT_OP_TOPK;
  double   five = 5;
  g_auto (OhArr) s = oh_arr_from (&five, OH_SH0, F32, OH_LAY_CONTIG);
  g_auto (OhArr) e = oh_arr_new (OH_SH (0, 4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  Call c = { def->op, 0, 1, FALSE, FALSE };
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) idx = NULL;

  check_call (&c, &s);
  c.dim = -1;
  check_call (&c, &s);
  c.dim = 1;
  check_call (&c, &e);
  c.dim = 0;
  c.k = 0;
  if (reduction)
    {
      y = run_call (&c, e.t, &idx, &error);
      oh_check_error (y, error, LT_ERROR_INDEX);
      g_assert_nonnull (strstr (error->message, _lt_op_table[def->op].name));
    }
  else
    check_call (&c, &e);
}

/* Rows long enough for the CPU backend's threads, along either dim */
static void
fw_big (gconstpointer d)
{
  const SortDef *def = d;
  g_auto (OhArr) wide = oh_arr_new (OH_SH (3, OH_BIG / 3 + 1), F32, OH_LAY_CONTIG, OH_DIST_WIDE);
  g_auto (OhArr) tall = oh_arr_new (OH_SH (OH_BIG / 4 + 1, 4), F64, OH_LAY_T, OH_DIST_GRID);
  Call c = { def->op, 1, 100, TRUE, FALSE };

  check_call (&c, &wide);
  c.dim = 0;
  check_call (&c, &tall);
}

static void
fw_errors (gconstpointer d)
{
  const SortDef *def = d;
  g_auto (OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto (OhArr) b = oh_arr_new (OH_SH (3, 4), BOOL, OH_LAY_CONTIG, OH_DIST_GRID);
  Call      c = { def->op, 2, 1, FALSE, FALSE };
  GError   *error = NULL;
  LtTensor *y;

  /* a dimension out of range */
  y = run_call (&c, x.t, NULL, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "out of range"));
  g_clear_error (&error);
  c.dim = 1;
  if (def->op == LT_OP_TOPK || def->op == LT_OP_KTHVALUE)
    {
      gint64 bad[] = { 5, -1, def->op == LT_OP_KTHVALUE ? 0 : 5 };

      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          c.k = bad[i];
          y = run_call (&c, x.t, NULL, &error);
          oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, "k = "));
          g_clear_error (&error);
        }
      c.k = 1;
    }
  /* bool: sorted and counted, not selected from (as PyTorch) */
  y = run_call (&c, b.t, NULL, &error);
  if (def->op == LT_OP_SORT || def->op == LT_OP_MODE)
    {
      g_assert_no_error (error);
      g_assert_nonnull (y);
      g_object_unref (y);
    }
  else
    {
      oh_check_error (y, error, LT_ERROR_DTYPE);
      g_clear_error (&error);
    }
}

/* The node PyTorch names, and no node for what does not require grad */
static void
fw_node (gconstpointer d)
{
  const SortDef     *def = d;
  static const char *names[] = {
    [LT_OP_SORT] = "SortBackward0",         [LT_OP_TOPK] = "TopkBackward0",
    [LT_OP_KTHVALUE] = "KthvalueBackward0", [LT_OP_MEDIAN_DIM] = "MedianBackward1",
    [LT_OP_MEDIAN] = "MedianBackward0",     [LT_OP_MODE] = "ModeBackward0"
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) leaf = oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) plain = lt_tensor_detach (leaf);
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) z = NULL;
  Call c = { def->op, 1, 2, FALSE, FALSE };

  y = run_call (&c, leaf, &idx, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, names[def->op]);
  if (idx)
    g_assert_null (lt_tensor_get_grad_fn (idx));
  if (def->op == LT_OP_SORT)
    {
      g_autoptr(LtTensor) s = NULL;

      c.keepdim = TRUE; /* stable */
      s = run_call (&c, leaf, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (s)), ==, "SortBackward1");
    }
  z = run_call (&c, plain, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (z));
}

/* median over everything: the lower median, NaN when there is one (and
 * for a float tensor without elements); integers exactly */
static void
fw_median_all (gconstpointer d)
{
  static const LtDType dts[] = { F32, F64, I64, I8, U8 };
  static const OhLay   lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_EXPAND };
  g_autoptr(GError) error = NULL;
  Call c = { LT_OP_MEDIAN, 0, 0, FALSE, FALSE };

  for (guint t = 0; t < G_N_ELEMENTS (dts); t++)
    for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
      for (gint64 n = 1; n <= 8; n += 3)
        {
          g_auto (OhArr) x = oh_arr_new (OH_SH (n, 3), dts[t], lays[l], OH_DIST_GRID);
          g_auto (OhArr) flat = oh_arr_from (x.v, OH_SH (x.n), dts[t], OH_LAY_CONTIG);
          g_autoptr(LtTensor) y = lt_tensor_median (x.t, &error);
          g_autofree double *val = NULL;
          g_autofree double *pos = NULL;
          OhShape            rs;

          g_assert_no_error (error);
          ref_call (&c, &flat, &val, &pos, &rs);
          oh_check_tol (y, dts[t], OH_SH0, val, 0, 0);
        }
  {
    double v[] = { 1, 2, NAN, 0 };
    g_auto (OhArr) x = oh_arr_from (v, OH_SH (2, 2), F32, OH_LAY_CONTIG);
    g_auto (OhArr) e = oh_arr_new (OH_SH (0, 3), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto (OhArr) ei = oh_arr_new (OH_SH (0), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto (OhArr) b = oh_arr_new (OH_SH (2), BOOL, OH_LAY_CONTIG, OH_DIST_GRID);
    g_autoptr(LtTensor) y = lt_tensor_median (x.t, &error);
    g_autoptr(LtTensor) ye = lt_tensor_median (e.t, &error);
    LtTensor *bad;
    double    nan = NAN;

    g_assert_no_error (error);
    oh_check_tol (y, F32, OH_SH0, &nan, 0, 0);
    oh_check_tol (ye, F64, OH_SH0, &nan, 0, 0);
    bad = lt_tensor_median (ei.t, &error);
    oh_check_error (bad, error, LT_ERROR_INDEX);
    g_clear_error (&error);
    bad = lt_tensor_median (b.t, &error);
    oh_check_error (bad, error, LT_ERROR_DTYPE);
  }
}

/* Gradients: gradcheck on values without ties (UNIT), every variant */
typedef struct
{
  Call c;
} GcData;

static LtTensor *
gc_call (LtTensor **in, gsize n, gpointer data)
{
  const GcData *g = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = run_call (&g->c, in[0], NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
bw_gradcheck (gconstpointer d)
{
  const SortDef     *def = d;
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };
  static const gint  dims[] = { 0, 1, -1 };

  for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
    for (guint di = 0; di < G_N_ELEMENTS (dims); di++)
      for (int flag = 0; flag < 2; flag++)
        {
          g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (4, 5), lays[l], OH_DIST_UNIT);
          GcData g = { { def->op, dims[di], 2 + flag, flag, flag } };

          oh_gradcheck (gc_call, &g, &x, 1);
        }
}

static void
bw_edges (gconstpointer d)
{
  const SortDef *def = d;
  g_autoptr(LtTensor) s = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) e = oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) r3 = oh_leaf_new (OH_SH (2, 3, 4), OH_LAY_STEP, OH_DIST_UNIT);
  GcData g = { { def->op, 0, 1, TRUE, FALSE } };

  oh_gradcheck (gc_call, &g, &s, 1);
  g.c.dim = 1;
  g.c.k = 2;
  oh_gradcheck (gc_call, &g, &r3, 1);
  g.c.dim = def->op == LT_OP_MEDIAN ? 0 : 1;
  if (def->op != LT_OP_MEDIAN)
    oh_backward_shapes (gc_call, &g, &e, 1);
}

/* A tie: the gradient goes to the one position returned (sort, topk and
 * the reductions along a dim), or is shared by the equal elements (median
 * over everything, torch's evenly_distribute_backward) */
static void
bw_ties (gconstpointer d)
{
  const SortDef *def = d;
  double         v[] = { 3, 1, 2, 2, 2, 5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (6));
  g_autoptr(LtTensor) idx = NULL;
  Call c = { def->op, 0, 3, FALSE, FALSE };
  g_autoptr(LtTensor) y = run_call (&c, x, &idx, &error);
  g_autoptr(LtTensor) total = y ? lt_tensor_sum (y, &error) : NULL;
  g_autofree double *grad = NULL;
  double             want[6] = { 0 };

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (total, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  grad = oh_grad_of (x);
  if (def->op == LT_OP_MEDIAN)
    want[2] = want[3] = want[4] = 1.0 / 3;
  else
    {
      g_autofree double *pos = oh_values_of (idx);

      for (gint64 i = 0; i < idx->numel; i++)
        want[(gint64) pos[i]] += 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    g_assert_cmpfloat_with_epsilon (grad[i], want[i], 1e-12);
}

/* unique: sorted distinct values, the inverse and the counts against a
 * reference; every dtype and layout; NaNs each distinct, last */
static void
check_unique (const OhArr *x)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) inv = NULL;
  g_autoptr(LtTensor) cnt = NULL;
  g_autoptr(LtTensor) u = lt_tensor_unique (x->t, TRUE, &inv, &cnt, &error);
  g_autofree Ent    *e = g_new0 (Ent, MAX (x->n, 1));
  g_autofree double *rv = g_new0 (double, MAX (x->n, 1));
  g_autofree double *ri = g_new0 (double, MAX (x->n, 1));
  g_autofree double *rc = g_new0 (double, MAX (x->n, 1));
  gint64             nu = 0;

  g_assert_no_error (error);
  for (gint64 j = 0; j < x->n; j++)
    {
      e[j].v = x->v[j];
      e[j].i = j;
    }
  qsort (e, x->n, sizeof (Ent), ent_cmp);
  for (gint64 j = 0; j < x->n; j++)
    {
      if (j == 0 || !(e[j].v == e[j - 1].v))
        rv[nu++] = e[j].v;
      ri[e[j].i] = (double) (nu - 1);
      rc[nu - 1] += 1;
    }
  oh_check_tol (u, x->t->dtype, OH_SH (nu), rv, 0, 0);
  oh_check_tol (inv, I64, x->s, ri, 0, 0);
  oh_check_tol (cnt, I64, OH_SH (nu), rc, 0, 0);
  g_assert_false (lt_tensor_get_requires_grad (u));
}

static void
fw_unique (gconstpointer d)
{
  static const LtDType dts[] = { F32, F64, I64, I32, I16, I8, U8, BOOL };
  static const OhLay   lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_EXPAND };
  double               v[] = { 2, NAN, -1, 2, 0.5, NAN, -1 };
  double               five = 5;

  for (guint t = 0; t < G_N_ELEMENTS (dts); t++)
    for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
      {
        g_auto (OhArr) x = oh_arr_new (OH_SH (4, 5), dts[t], lays[l], OH_DIST_GRID);

        check_unique (&x);
      }
  {
    g_auto (OhArr) x = oh_arr_from (v, OH_SH (7), F64, OH_LAY_STEP);
    g_auto (OhArr) s = oh_arr_from (&five, OH_SH0, F32, OH_LAY_CONTIG);
    g_auto (OhArr) e = oh_arr_new (OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto (OhArr) big = oh_arr_new (OH_SH (OH_BIG), I64, OH_LAY_CONTIG, OH_DIST_WIDE);
    g_autoptr(LtTensor) leaf = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) u = lt_tensor_unique (leaf, TRUE, NULL, NULL, &error);

    check_unique (&x);
    check_unique (&s);
    check_unique (&e);
    check_unique (&big);
    g_assert_no_error (error);
    g_assert_null (lt_tensor_get_grad_fn (u));
  }
}

static const OhCase sel_forward[] = { { "layouts", fw_layouts }, { "rank3", fw_rank3 },
                                      { "nan", fw_nan },         { "edges", fw_edges },
                                      { "big", fw_big },         { "errors", fw_errors },
                                      { "node", fw_node },       { NULL, NULL } };

static const OhCase sel_backward[] = { { "gradcheck", bw_gradcheck },
                                       { "edges", bw_edges },
                                       { "ties", bw_ties },
                                       { NULL, NULL } };

static const OhCase median_forward[] = { { "values", fw_median_all },
                                         { "node", fw_node },
                                         { NULL, NULL } };

static void
bw_median_all (gconstpointer d)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
    for (gint64 n = 1; n <= 4; n++)
      {
        g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (n, 3), lays[l], OH_DIST_UNIT);
        GcData g = { { LT_OP_MEDIAN, 0, 0, FALSE, FALSE } };

        oh_gradcheck (gc_call, &g, &x, 1);
      }
}

static const OhCase median_backward[] = { { "gradcheck", bw_median_all },
                                          { "ties", bw_ties },
                                          { NULL, NULL } };

/* unique along a dim (lt_tensor_unique_dim, composed of public ops): the
 * slices of a matrix along @dim in lexicographic order against a
 * reference that compares them element by element */
static const double *slice_base;
static gint64        slice_len, slice_step, slice_stride;

static int
slice_cmp (const void *a, const void *b)
{
  gint64 i = *(const gint64 *) a, j = *(const gint64 *) b;

  for (gint64 k = 0; k < slice_len; k++)
    {
      double u = slice_base[i * slice_step + k * slice_stride];
      double v = slice_base[j * slice_step + k * slice_stride];

      if (u != v)
        return u < v ? -1 : 1;
    }
  return 0;
}

static int
slice_order_cmp (const void *a, const void *b)
{
  gint64 i = *(const gint64 *) a, j = *(const gint64 *) b;
  int    c = slice_cmp (a, b);

  return c != 0 ? c : (i < j ? -1 : i > j);
}

static void
check_unique_dim (const OhArr *x, gint dim)
{
  gint64 rows = x->t->shape[0], cols = x->t->shape[1];
  gint64 n = dim == 0 ? rows : cols, m = dim == 0 ? cols : rows, nu = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) inv = NULL;
  g_autoptr(LtTensor) cnt = NULL;
  g_autoptr(LtTensor) u = lt_tensor_unique_dim (x->t, dim, TRUE, &inv, &cnt, &error);
  g_autofree gint64 *order = g_new0 (gint64, n);
  g_autofree double *rv = g_new0 (double, rows *cols);
  g_autofree double *ri = g_new0 (double, n);
  g_autofree double *rc = g_new0 (double, n);
  g_autofree gint64 *firsts = g_new0 (gint64, n);

  g_assert_no_error (error);
  slice_base = x->v;
  slice_len = m;
  slice_step = dim == 0 ? cols : 1;
  slice_stride = dim == 0 ? 1 : cols;
  for (gint64 j = 0; j < n; j++)
    order[j] = j;
  qsort (order, n, sizeof (gint64), slice_order_cmp);
  for (gint64 j = 0; j < n; j++)
    {
      if (j == 0 || slice_cmp (&order[j], &order[j - 1]) != 0)
        firsts[nu++] = order[j];
      ri[order[j]] = (double) (nu - 1);
      rc[nu - 1] += 1;
    }
  for (gint64 g = 0; g < nu; g++)
    for (gint64 k = 0; k < m; k++)
      {
        double val = x->v[firsts[g] * slice_step + k * slice_stride];

        if (dim == 0)
          rv[g * cols + k] = val;
        else
          rv[k * nu + g] = val;
      }
  if (dim == 0)
    oh_check_tol (u, x->t->dtype, OH_SH (nu, cols), rv, 0, 0);
  else
    oh_check_tol (u, x->t->dtype, OH_SH (rows, nu), rv, 0, 0);
  oh_check_tol (inv, I64, OH_SH (n), ri, 0, 0);
  oh_check_tol (cnt, I64, OH_SH (nu), rc, 0, 0);
}

static void
fw_unique_dim (gconstpointer d)
{
  static const LtDType dts[] = { F32, F64, I64, I32, I8, U8, BOOL };
  static const OhLay   lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_EXPAND };
  static const double  dup[] = { 1, 2, 1, 0, 5, 0, 1, 2, 1, 0, 5, -1 };

  for (guint t = 0; t < G_N_ELEMENTS (dts); t++)
    for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
      for (gint dim = 0; dim < 2; dim++)
        {
          g_auto (OhArr) x = oh_arr_new (OH_SH (6, 2), dts[t], lays[l], OH_DIST_GRID);
          g_auto (OhArr) y = oh_arr_new (OH_SH (3, 7), dts[t], lays[l], OH_DIST_GRID);

          check_unique_dim (&x, dim);
          check_unique_dim (&y, dim);
        }
  for (gint dim = 0; dim < 2; dim++)
    {
      g_auto (OhArr) x = oh_arr_from (dup, OH_SH (4, 3), F64, OH_LAY_STEP);

      check_unique_dim (&x, dim);
    }
  {
    g_auto (OhArr) s = oh_arr_new (OH_SH0, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto (OhArr) e = oh_arr_new (OH_SH (2, 0), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto (OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_autoptr(GError) error = NULL;

    g_assert_null (lt_tensor_unique_dim (s.t, 0, TRUE, NULL, NULL, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    g_clear_error (&error);
    g_assert_null (lt_tensor_unique_dim (x.t, 2, TRUE, NULL, NULL, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    g_clear_error (&error);
    g_assert_null (lt_tensor_unique_dim (e.t, 0, TRUE, NULL, NULL, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  }
}

static const OhCase unique_forward[] = { { "values", fw_unique },
                                         { "dim", fw_unique_dim },
                                         { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_SORT, "sort", &def_sort, sel_forward, NULL, sel_backward, NULL),
  OH_SPEC (LT_OP_TOPK, "topk", &def_topk, sel_forward, NULL, sel_backward, NULL),
  OH_SPEC (LT_OP_KTHVALUE, "kthvalue", &def_kthvalue, sel_forward, NULL, sel_backward, NULL),
  OH_SPEC (LT_OP_MEDIAN_DIM, "median_dim", &def_median_dim, sel_forward, NULL, sel_backward, NULL),
  OH_SPEC (LT_OP_MEDIAN, "median", &def_median, median_forward, NULL, median_backward, NULL),
  OH_SPEC (LT_OP_MODE, "mode", &def_mode, sel_forward, NULL, sel_backward, NULL),
  OH_SPEC (LT_OP_UNIQUE, "unique", &def_unique, unique_forward, NULL, NULL, NULL),
};

guint
oh_register_sort (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
