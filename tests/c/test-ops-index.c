/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): indexing: index_select,
 * index_add_, gather, scatter_add, masked_fill, masked_select,
 * masked_scatter and one_hot.
 */

#include "ops-harness.h"

/* Indexing */

/* Random indices in [0, size) */
static OhArr
index_new (OhShape s, gint64 size, LtDType dt, OhLay lay)
{
  gint64 n = oh_numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = g_rand_int_range (oh_rng, 0, (gint32) size);
  return oh_arr_from (v, s, dt, lay);
}

/* index_select */

static void
index_select_check (const OhArr *x, gint dim, const OhArr *idx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_index_select (x->t, dim, idx->t, &error);
  guint d = oh_norm_dim (dim, x->s.n);
  OhShape o = x->s;
  gint64 in[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (o.n > 0)
    o.d[d] = idx->n;
  ref = g_new0 (double, MAX (oh_numel (o), 1));
  for (gint64 k = 0; k < oh_numel (o); k++)
    {
      oh_unravel (k, o, in);
      if (o.n > 0)
        in[d] = (gint64) idx->v[in[d]];
      ref[k] = x->v[oh_ravel (in, x->s)];
    }
  oh_check (y, x->t->dtype, o, ref);
}

static void
index_select_run (OhShape s, LtDType dt, OhLay lay, gint dim, OhShape si, LtDType idt, OhLay li)
{
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) idx = index_new (si, s.n ? s.d[oh_norm_dim (dim, s.n)] : 1, idt, li);

  index_select_check (&x, dim, &idx);
}

static void
index_select_fw_dims (gconstpointer d)
{
  index_select_run (OH_SH (5, 4), F32, OH_LAY_CONTIG, 0, OH_SH (7), I64, OH_LAY_CONTIG);
  index_select_run (OH_SH (5, 4), F32, OH_LAY_T, 1, OH_SH (3), I32, OH_LAY_STEP);
  index_select_run (OH_SH (2, 3, 4), F64, OH_LAY_STEP, -1, OH_SH (5), I16, OH_LAY_CONTIG);
  index_select_run (OH_SH (6, 2), I64, OH_LAY_EXPAND, 0, OH_SH (4), U8, OH_LAY_CONTIG);
  index_select_run (OH_SH (6), BOOL, OH_LAY_CONTIG, 0, OH_SH (4), I64, OH_LAY_CONTIG);
}

static void
index_select_fw_shapes (gconstpointer d)
{
  /* an empty index, an empty tensor, a 0-dim index, a 0-dim tensor */
  index_select_run (OH_SH (5, 4), F32, OH_LAY_CONTIG, 0, OH_SH (0), I64, OH_LAY_CONTIG);
  index_select_run (OH_SH (0, 4), F32, OH_LAY_CONTIG, 1, OH_SH (3), I64, OH_LAY_CONTIG);
  index_select_run (OH_SH (5), F32, OH_LAY_CONTIG, 0, OH_SH0, I64, OH_LAY_CONTIG);
  index_select_run (OH_SH0, F32, OH_LAY_CONTIG, 0, OH_SH0, I64, OH_LAY_CONTIG);
}

static void
index_select_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (5, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (bad, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) f = oh_arr_from (bad, OH_SH (2), F32, OH_LAY_CONTIG);
  g_auto(OhArr) m = oh_arr_from (bad, OH_SH (1, 2), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_index_select (x.t, 0, i.t, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, f.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, m.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 2, i.t, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase index_select_forward[] = {
  { "dims", index_select_fw_dims },
  { "shapes", index_select_fw_shapes },
  { "errors", index_select_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  gint dim;
  LtTensor *index;
  LtTensor *mask;
} IndexCall;

/* @t on @like's device: lt_gradcheck's inputs are on the CPU while the
 * harness built the index or mask on its device */
static LtTensor *
same_device (LtTensor *t, LtTensor *like)
{
  g_autoptr(GError) error = NULL;
  LtTensor *r = lt_tensor_to_device (t, lt_tensor_get_device (like), &error);

  g_assert_no_error (error);
  return r;
}

static LtTensor *
gc_index_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = same_device (c->index, in[0]);
  LtTensor *y = lt_tensor_index_select (in[0], c->dim, idx, &error);

  g_assert_no_error (error);
  return y;
}

static void
index_select_bw_cases (gconstpointer d)
{
  static const double rep[] = { 1, 4, 1, 0 };
  g_auto(OhArr) i = oh_arr_from (rep, OH_SH (4), I64, OH_LAY_CONTIG);
  g_auto(OhArr) z = oh_arr_from (rep, OH_SH (0), I64, OH_LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { 1, i.t }, ce = { 0, z.t };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (5, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) t = oh_leaf_new (OH_SH (2, 5), OH_LAY_T, OH_DIST_UNIT);

  /* repeated indices add up */
  oh_gradcheck (gc_index_select, &c0, &x, 1);
  oh_gradcheck (gc_index_select, &c1, &t, 1);
  oh_backward_shapes (gc_index_select, &ce, &x, 1);
}

static const OhCase index_select_backward[] = {
  { "repeats", index_select_bw_cases },
  { NULL, NULL }
};

/* index_add_ */

static void
index_add_run (OhShape s, LtDType dt, OhLay lay, gint dim, gint64 ni, OhLay lsrc)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  guint d = oh_norm_dim (dim, s.n);
  g_auto(OhArr) idx = index_new (OH_SH (ni), s.d[d], I64, OH_LAY_CONTIG);
  OhShape ss = s;
  g_auto(OhArr) src = { NULL };
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 in[LT_MAX_DIMS];

  ss.d[d] = ni;
  src = oh_arr_new (ss, dt, lsrc, OH_DIST_UNIT);
  for (gint64 k = 0; k < src.n; k++)
    {
      oh_unravel (k, ss, in);
      in[d] = (gint64) idx.v[in[d]];
      ref[oh_ravel (in, s)] += src.v[k];
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_wrap_to (ref[k], dt);
  g_assert_cmpint (lt_tensor_index_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, dt, s, ref);
}

static void
index_add_fw_dims (gconstpointer d)
{
  index_add_run (OH_SH (5, 3), F32, OH_LAY_CONTIG, 0, 7, OH_LAY_CONTIG);
  index_add_run (OH_SH (4, 5), F32, OH_LAY_T, 1, 3, OH_LAY_STEP);
  index_add_run (OH_SH (2, 3, 4), F64, OH_LAY_STEP, -2, 5, OH_LAY_T);
  index_add_run (OH_SH (6, 2), I64, OH_LAY_CONTIG, 0, 4, OH_LAY_EXPAND);
  index_add_run (OH_SH (6), I32, OH_LAY_CONTIG, 0, 9, OH_LAY_CONTIG);
  index_add_run (OH_SH (5, 3), F32, OH_LAY_CONTIG, 0, 0, OH_LAY_CONTIG);
}

static void
index_add_fw_errors (gconstpointer d)
{
  static const double iv[] = { 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) s = oh_arr_new (OH_SH (3, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) e = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_EXPAND, OH_DIST_UNIT);
  g_auto(OhArr) s2 = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);

  g_assert_cmpint (lt_tensor_index_add_ (x.t, 0, i.t, s.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_cmpint (lt_tensor_index_add_ (e.t, 0, i.t, s2.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase index_add_forward[] = {
  { "dims", index_add_fw_dims },
  { "errors", index_add_fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.index_add_(dim, idx, src) */
static LtTensor *
gc_index_add (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = same_device (c->index, in[0]);
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_index_add_ (y, c->dim, idx, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
index_add_bw_cases (gconstpointer d)
{
  static const double rep[] = { 2, 0, 2 };
  g_auto(OhArr) i = oh_arr_from (rep, OH_SH (3), I64, OH_LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { -1, i.t };
  LtTensor *in0[2] = { oh_leaf_new (OH_SH (4, 2), OH_LAY_T, OH_DIST_UNIT),
                       oh_leaf_new (OH_SH (3, 2), OH_LAY_STEP, OH_DIST_UNIT) };
  LtTensor *in1[2] = { oh_leaf_new (OH_SH (2, 4), OH_LAY_CONTIG, OH_DIST_UNIT),
                       oh_leaf_new (OH_SH (2, 3), OH_LAY_T, OH_DIST_UNIT) };

  oh_gradcheck (gc_index_add, &c0, in0, 2);
  oh_gradcheck (gc_index_add, &c1, in1, 2);
  for (guint k = 0; k < 2; k++)
    {
      g_object_unref (in0[k]);
      g_object_unref (in1[k]);
    }
}

static const OhCase index_add_backward[] = {
  { "repeats", index_add_bw_cases },
  { NULL, NULL }
};

/* gather */

static void
gather_run (OhShape s, LtDType dt, OhLay lay, gint dim, OhShape si, LtDType idt)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  guint d = oh_norm_dim (dim, s.n);
  g_auto(OhArr) idx = index_new (si, s.n ? s.d[d] : 1, idt, OH_LAY_T);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, dim, idx.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (idx.n, 1));
  gint64 in[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 k = 0; k < idx.n; k++)
    {
      oh_unravel (k, si, in);
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[k] = x.v[oh_ravel (in, s)];
    }
  oh_check (y, dt, si, ref);
}

static void
gather_fw_dims (gconstpointer d)
{
  gather_run (OH_SH (3, 4), F32, OH_LAY_CONTIG, 1, OH_SH (3, 2), I64);
  gather_run (OH_SH (3, 4), F32, OH_LAY_T, 0, OH_SH (5, 4), I32);
  gather_run (OH_SH (3, 4), F32, OH_LAY_TPAD, 1, OH_SH (2, 6), I64);
  gather_run (OH_SH (3, 4, 5), F64, OH_LAY_STEP, -1, OH_SH (2, 3, 7), I64);
  gather_run (OH_SH (4, 3), I64, OH_LAY_EXPAND, 0, OH_SH (2, 3), I64);
  gather_run (OH_SH0, F32, OH_LAY_CONTIG, 0, OH_SH0, I64);
  gather_run (OH_SH (3, 4), F32, OH_LAY_CONTIG, 1, OH_SH (0, 4), I64);
}

static void
gather_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 4 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (bad, OH_SH (1, 2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) f = oh_arr_from (bad, OH_SH (2), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, 1, i.t, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_gather (x.t, 0, f.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase gather_forward[] = {
  { "dims", gather_fw_dims },
  { "errors", gather_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_gather (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = same_device (c->index, in[0]);
  LtTensor *y = lt_tensor_gather (in[0], c->dim, idx, &error);

  g_assert_no_error (error);
  return y;
}

static void
gather_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (3, 2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) j = oh_arr_from (iv, OH_SH (2, 3), I64, OH_LAY_T);
  IndexCall c1 = { 1, i.t }, c0 = { 0, j.t };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = oh_leaf_new (OH_SH (4, 3), OH_LAY_STEP, OH_DIST_UNIT);

  oh_gradcheck (gc_gather, &c1, &x, 1);
  oh_gradcheck (gc_gather, &c0, &y, 1);
}

static const OhCase gather_backward[] = {
  { "repeats", gather_bw_cases },
  { NULL, NULL }
};

/* scatter_add */

static void
scatter_add_run (OhShape s, LtDType dt, OhLay lay, gint dim, OhShape si, OhShape ss, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  guint d = oh_norm_dim (dim, s.n);
  g_auto(OhArr) idx = index_new (si, s.n ? s.d[d] : 1, I64, OH_LAY_CONTIG);
  g_auto(OhArr) src = oh_arr_new (ss, dt, OH_LAY_T, OH_DIST_UNIT);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  g_autoptr(LtTensor) y = NULL;
  gint64 in[LT_MAX_DIMS];

  for (gint64 k = 0; k < idx.n; k++)
    {
      double v;

      oh_unravel (k, si, in);
      v = src.v[oh_ravel (in, ss)];
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[oh_ravel (in, s)] += v;
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_wrap_to (ref[k], dt);
  if (inplace)
    {
      g_assert_cmpint (lt_tensor_scatter_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
      y = g_object_ref (x.t);
    }
  else
    y = lt_tensor_scatter_add (x.t, dim, idx.t, src.t, &error);
  g_assert_no_error (error);
  oh_check (y, dt, s, ref);
}

static void
scatter_add_fw_dims (gconstpointer d)
{
  scatter_add_run (OH_SH (3, 5), F32, OH_LAY_CONTIG, 1, OH_SH (3, 4), OH_SH (3, 6), FALSE);
  scatter_add_run (OH_SH (4, 3), F32, OH_LAY_T, 0, OH_SH (6, 2), OH_SH (7, 3), FALSE);
  scatter_add_run (OH_SH (2, 3, 4), F64, OH_LAY_STEP, -1, OH_SH (2, 2, 9), OH_SH (2, 3, 9), FALSE);
  scatter_add_run (OH_SH (4, 3), I64, OH_LAY_CONTIG, 0, OH_SH (5, 3), OH_SH (5, 3), FALSE);
  scatter_add_run (OH_SH0, F32, OH_LAY_CONTIG, 0, OH_SH0, OH_SH0, FALSE);
  scatter_add_run (OH_SH (3, 5), F32, OH_LAY_CONTIG, 1, OH_SH (0, 5), OH_SH (3, 5), FALSE);
}

static void
scatter_add_fw_inplace (gconstpointer d)
{
  scatter_add_run (OH_SH (3, 5), F32, OH_LAY_T, 1, OH_SH (3, 4), OH_SH (3, 6), TRUE);
  scatter_add_run (OH_SH (4, 5), F64, OH_LAY_CONTIG, 0, OH_SH (6, 5), OH_SH (6, 5), TRUE);
}

static void
scatter_add_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (bad, OH_SH (1, 2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) s = oh_arr_new (OH_SH (1, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) small = oh_arr_new (OH_SH (1, 1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_scatter_add (x.t, 1, i.t, s.t, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_scatter_add (x.t, 0, i.t, small.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase scatter_add_forward[] = {
  { "dims", scatter_add_fw_dims },
  { "inplace", scatter_add_fw_inplace },
  { "errors", scatter_add_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_scatter_add (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = same_device (c->index, in[0]);
  LtTensor *y = lt_tensor_scatter_add (in[0], c->dim, idx, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
gc_scatter_add_ (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = same_device (c->index, in[0]);
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_scatter_add_ (y, c->dim, idx, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
scatter_add_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (3, 2), I64, OH_LAY_CONTIG);
  IndexCall c = { 1, i.t };
  /* a source larger than the index: its other elements get no gradient */
  LtTensor *in[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (3, 3), OH_LAY_STEP, OH_DIST_UNIT) };

  oh_gradcheck (gc_scatter_add, &c, in, 2);
  oh_gradcheck (gc_scatter_add_, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const OhCase scatter_add_backward[] = {
  { "repeats", scatter_add_bw_cases },
  { NULL, NULL }
};

/* masked_fill */

static void
masked_fill_run (OhShape sx, LtDType dt, OhLay lx, OhShape sm, OhLay lm, double value, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sx, dt, lx, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (sm, BOOL, lm, OH_DIST_UNIT);
  g_autoptr(LtTensor) z = NULL;
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  for (gint64 k = 0; k < x.n; k++)
    {
      oh_unravel (k, sx, idx);
      if (m.v[oh_bindex (idx, sx.n, sm)])
        ref[k] = oh_wrap_to (oh_is_float (dt) ? value : trunc (value), dt);
      else
        ref[k] = x.v[k];
    }
  if (inplace)
    {
      g_assert_cmpint (lt_tensor_masked_fill_ (x.t, m.t, value, &error), ==, TRUE);
      z = g_object_ref (x.t);
    }
  else
    z = lt_tensor_masked_fill (x.t, m.t, value, &error);
  g_assert_no_error (error);
  oh_check (z, dt, sx, ref);
}

static void
masked_fill_fw_broadcast (gconstpointer d)
{
  masked_fill_run (OH_SH (4, 5), F32, OH_LAY_CONTIG, OH_SH (5), OH_LAY_CONTIG, -1.25, FALSE);
  masked_fill_run (OH_SH (2, 3, 4), F64, OH_LAY_CONTIG, OH_SH (3, 1), OH_LAY_CONTIG, 7, FALSE);
}

static void
masked_fill_fw_transposed (gconstpointer d)
{
  masked_fill_run (OH_SH (5, 6), F32, OH_LAY_T, OH_SH (5, 6), OH_LAY_STEP, 2.5, FALSE);
}

static void
masked_fill_fw_inplace (gconstpointer d)
{
  masked_fill_run (OH_SH (5, 6), F32, OH_LAY_T, OH_SH (6), OH_LAY_CONTIG, 2.5, TRUE);
  masked_fill_run (OH_SH (4, 7), I64, OH_LAY_STEP, OH_SH (4, 1), OH_LAY_CONTIG, -3, TRUE);
}

static void
masked_fill_fw_rank0 (gconstpointer d)
{
  masked_fill_run (OH_SH0, F32, OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG, 9, FALSE);
  masked_fill_run (OH_SH (3), F32, OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG, 9, FALSE);
}

static void
masked_fill_fw_empty (gconstpointer d)
{
  masked_fill_run (OH_SH (0, 4), F32, OH_LAY_CONTIG, OH_SH (4), OH_LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_parallel (gconstpointer d)
{
  masked_fill_run (OH_SH (300, 251), F32, OH_LAY_T, OH_SH (251), OH_LAY_CONTIG, 0.5, FALSE);
}

static void
masked_fill_fw_integer (gconstpointer d)
{
  masked_fill_run (OH_SH (3, 4), I32, OH_LAY_T, OH_SH (3, 4), OH_LAY_CONTIG, 5.75, FALSE);
  masked_fill_run (OH_SH (6), U8, OH_LAY_CONTIG, OH_SH (6), OH_LAY_CONTIG, 200, FALSE);
  masked_fill_run (OH_SH (6), BOOL, OH_LAY_CONTIG, OH_SH (6), OH_LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (OH_SH (2, 3), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) z = lt_tensor_masked_fill (x.t, m.t, 1, &error);

  /* the mask may not grow the tensor */
  oh_check_error (z, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  z = lt_tensor_masked_fill (x.t, x.t, 1, &error);
  oh_check_error (z, error, LT_ERROR_DTYPE);
}

static const OhCase masked_fill_forward[] = {
  { "broadcast", masked_fill_fw_broadcast },
  { "transposed", masked_fill_fw_transposed },
  { "inplace", masked_fill_fw_inplace },
  { "rank0", masked_fill_fw_rank0 },
  { "empty", masked_fill_fw_empty },
  { "parallel", masked_fill_fw_parallel },
  { "integer", masked_fill_fw_integer },
  { "errors", masked_fill_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_masked_fill (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *z = lt_tensor_masked_fill (in[0], in[1], 3, &error);

  g_assert_no_error (error);
  return z;
}

static LtTensor *
gc_masked_fill_inplace (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_masked_fill_ (y, in[1], 3, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
masked_fill_bw_run (LtGradcheckFunc f, OhShape sx, OhLay lx, OhShape sm)
{
  g_auto(OhArr) m = oh_arr_new (sm, BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *in[2] = { oh_leaf_new (sx, lx, OH_DIST_UNIT), m.t };

  oh_gradcheck (f, NULL, in, 2);
  g_object_unref (in[0]);
}

static void
masked_fill_bw_broadcast (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (4));
}

static void
masked_fill_bw_transposed (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, OH_SH (4, 3), OH_LAY_T, OH_SH (4, 3));
}

static void
masked_fill_bw_rank0 (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, OH_SH0, OH_LAY_CONTIG, OH_SH0);
}

static void
masked_fill_bw_inplace (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill_inplace, OH_SH (4, 3), OH_LAY_T, OH_SH (3));
}

static void
masked_fill_bw_empty (gconstpointer d)
{
  g_auto(OhArr) m = oh_arr_new (OH_SH (3), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *in[2] = { oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, OH_DIST_UNIT), m.t };

  oh_backward_shapes (gc_masked_fill, NULL, in, 2);
  g_object_unref (in[0]);
}

static const OhCase masked_fill_backward[] = {
  { "broadcast", masked_fill_bw_broadcast },
  { "transposed", masked_fill_bw_transposed },
  { "rank0", masked_fill_bw_rank0 },
  { "inplace", masked_fill_bw_inplace },
  { "empty", masked_fill_bw_empty },
  { NULL, NULL }
};

/* masked_select */

static void
masked_select_run (OhShape sx, OhLay lx, OhShape sm, OhLay lm, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sx, dt, lx, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (sm, BOOL, lm, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);
  OhShape o = oh_broadcast (sx, sm);
  gint64 idx[LT_MAX_DIMS], n = 0;
  g_autofree double *ref = g_new0 (double, MAX (oh_numel (o), 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < oh_numel (o); k++)
    {
      oh_unravel (k, o, idx);
      if (m.v[oh_bindex (idx, o.n, sm)])
        ref[n++] = x.v[oh_bindex (idx, o.n, sx)];
    }
  oh_check (y, dt, OH_SH (n), ref);
}

static void
masked_select_fw_cases (gconstpointer d)
{
  masked_select_run (OH_SH (4, 5), OH_LAY_T, OH_SH (5), OH_LAY_CONTIG, F32);
  masked_select_run (OH_SH (5), OH_LAY_STEP, OH_SH (4, 5), OH_LAY_T, F64);
  masked_select_run (OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (3, 4), OH_LAY_STEP, I64);
  masked_select_run (OH_SH0, OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG, F32);
  masked_select_run (OH_SH (0, 3), OH_LAY_CONTIG, OH_SH (3), OH_LAY_CONTIG, F32);
  masked_select_run (OH_SH (300, 251), OH_LAY_T, OH_SH (251), OH_LAY_CONTIG, F32);
}

static void
masked_select_fw_none (gconstpointer d)
{
  double zeros[6] = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_from (zeros, OH_SH (2, 3), BOOL, OH_LAY_CONTIG);
  g_auto(OhArr) f = oh_arr_from (zeros, OH_SH (2, 3), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);

  g_assert_no_error (error);
  oh_check (y, F32, OH_SH (0), NULL);
  g_clear_object (&y);
  y = lt_tensor_masked_select (x.t, f.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
}

static const OhCase masked_select_forward[] = {
  { "cases", masked_select_fw_cases },
  { "none", masked_select_fw_none },
  { NULL, NULL }
};

static LtTensor *
gc_masked_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) mask = same_device (c->mask, in[0]);
  LtTensor *y = lt_tensor_masked_select (in[0], mask, &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_select_bw_cases (gconstpointer d)
{
  g_auto(OhArr) m = oh_arr_new (OH_SH (3, 4), BOOL, OH_LAY_T, OH_DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) b = oh_leaf_new (OH_SH (4), OH_LAY_STEP, OH_DIST_UNIT);
  g_autoptr(LtTensor) r = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_UNIT);

  oh_gradcheck (gc_masked_select, &c, &x, 1);
  /* x broadcast to the mask: its gradient sums over the rows */
  oh_gradcheck (gc_masked_select, &c, &b, 1);
  oh_gradcheck (gc_masked_select, &c, &r, 1);
}

static const OhCase masked_select_backward[] = {
  { "broadcast", masked_select_bw_cases },
  { NULL, NULL }
};

/* masked_scatter */

static void
masked_scatter_run (OhShape sx, OhLay lx, OhShape sm, OhShape ss, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sx, dt, lx, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (sm, BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) src = oh_arr_new (ss, dt, OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, src.t, &error);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 idx[LT_MAX_DIMS], used = 0;

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      oh_unravel (k, sx, idx);
      if (m.v[oh_bindex (idx, sx.n, sm)])
        ref[k] = src.v[used++];
    }
  g_assert_cmpint (used, <=, src.n);
  oh_check (y, dt, sx, ref);
}

static void
masked_scatter_fw_cases (gconstpointer d)
{
  masked_scatter_run (OH_SH (4, 5), OH_LAY_T, OH_SH (4, 5), OH_SH (6, 5), F32);
  masked_scatter_run (OH_SH (4, 5), OH_LAY_STEP, OH_SH (5), OH_SH (25), F64);
  masked_scatter_run (OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (3, 1), OH_SH (4, 3), I64);
  masked_scatter_run (OH_SH0, OH_LAY_CONTIG, OH_SH0, OH_SH (2), F32);
  masked_scatter_run (OH_SH (0, 3), OH_LAY_CONTIG, OH_SH (3), OH_SH (0), F32);
}

static void
masked_scatter_fw_errors (gconstpointer d)
{
  double ones[6] = { 1, 1, 1, 1, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_from (ones, OH_SH (2, 3), BOOL, OH_LAY_CONTIG);
  g_auto(OhArr) s = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) v = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, s.t, &error);

  /* six elements selected, five given */
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  /* the mask may not grow the tensor */
  y = lt_tensor_masked_scatter (v.t, m.t, x.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase masked_scatter_forward[] = {
  { "cases", masked_scatter_fw_cases },
  { "errors", masked_scatter_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_masked_scatter (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) mask = same_device (c->mask, in[0]);
  LtTensor *y = lt_tensor_masked_scatter (in[0], mask, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_scatter_bw_cases (gconstpointer d)
{
  g_auto(OhArr) m = oh_arr_new (OH_SH (4), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  LtTensor *in[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (3, 5), OH_LAY_STEP, OH_DIST_UNIT) };

  oh_gradcheck (gc_masked_scatter, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const OhCase masked_scatter_backward[] = {
  { "broadcast", masked_scatter_bw_cases },
  { NULL, NULL }
};

/* one_hot */

static void
one_hot_run (OhShape s, gint64 classes, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = index_new (s, 4, I64, lay);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (x.t, classes, &error);
  gint64 c = classes;
  OhShape o = s;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (c < 0)
    {
      c = 0;
      for (gint64 k = 0; k < x.n; k++)
        c = MAX (c, (gint64) x.v[k] + 1);
    }
  o.d[o.n++] = c;
  ref = g_new0 (double, MAX (oh_numel (o), 1));
  for (gint64 k = 0; k < x.n; k++)
    ref[k * c + (gint64) x.v[k]] = 1;
  oh_check (y, I64, o, ref);
}

static void
one_hot_fw_cases (gconstpointer d)
{
  one_hot_run (OH_SH (9), 4, OH_LAY_CONTIG);
  one_hot_run (OH_SH (9), 6, OH_LAY_STEP);
  one_hot_run (OH_SH (2, 3), -1, OH_LAY_T);
  one_hot_run (OH_SH0, 5, OH_LAY_CONTIG);
  one_hot_run (OH_SH (0), 3, OH_LAY_CONTIG);
}

static void
one_hot_fw_errors (gconstpointer d)
{
  static const double neg[] = { 1, -1 }, big[] = { 0, 3 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) n = oh_arr_from (neg, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) b = oh_arr_from (big, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) i = oh_arr_from (big, OH_SH (2), I32, OH_LAY_CONTIG);
  g_auto(OhArr) e = oh_arr_from (big, OH_SH (0), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (n.t, 3, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (b.t, 3, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (i.t, 4, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_one_hot (e.t, -1, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase one_hot_forward[] = {
  { "cases", one_hot_fw_cases },
  { "errors", one_hot_fw_errors },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_INDEX_SELECT, "index_select", NULL, index_select_forward, NULL,
        index_select_backward, NULL),
  OH_SPEC (LT_OP_INDEX_ADD, "index_add", NULL, index_add_forward, NULL, index_add_backward, NULL),
  OH_SPEC (LT_OP_GATHER, "gather", NULL, gather_forward, NULL, gather_backward, NULL),
  OH_SPEC (LT_OP_SCATTER_ADD, "scatter_add", NULL, scatter_add_forward, NULL, scatter_add_backward,
        NULL),
  OH_SPEC (LT_OP_MASKED_FILL, "masked_fill", NULL, masked_fill_forward, NULL, masked_fill_backward,
        NULL),
  OH_SPEC (LT_OP_MASKED_SELECT, "masked_select", NULL, masked_select_forward, NULL,
        masked_select_backward, NULL),
  OH_SPEC (LT_OP_MASKED_SCATTER, "masked_scatter", NULL, masked_scatter_forward, NULL,
        masked_scatter_backward, NULL),
  OH_SPEC (LT_OP_ONE_HOT, "one_hot", NULL, one_hot_forward, NULL, NULL, NULL),
};

guint
oh_register_index (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
