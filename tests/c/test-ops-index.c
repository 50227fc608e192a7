/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): indexing: index_select,
 * index_add_, gather, scatter_add, masked_fill, masked_select,
 * masked_scatter and one_hot.
 */

#include "ops-harness.h"

/* Indexing */

/* Random indices in [0, size) */
static Arr
index_new (Shape s, gint64 size, LtDType dt, Lay lay)
{
  gint64 n = numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = g_rand_int_range (rng, 0, (gint32) size);
  return arr_from (v, s, dt, lay);
}

/* index_select */

static void
index_select_check (const Arr *x, gint dim, const Arr *idx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_index_select (x->t, dim, idx->t, &error);
  guint d = norm_dim (dim, x->s.n);
  Shape o = x->s;
  gint64 in[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (o.n > 0)
    o.d[d] = idx->n;
  ref = g_new0 (double, MAX (numel (o), 1));
  for (gint64 k = 0; k < numel (o); k++)
    {
      unravel (k, o, in);
      if (o.n > 0)
        in[d] = (gint64) idx->v[in[d]];
      ref[k] = x->v[ravel (in, x->s)];
    }
  check (y, x->t->dtype, o, ref);
}

static void
index_select_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, LtDType idt, Lay li)
{
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[norm_dim (dim, s.n)] : 1, idt, li);

  index_select_check (&x, dim, &idx);
}

static void
index_select_fw_dims (gconstpointer d)
{
  index_select_run (SH (5, 4), F32, LAY_CONTIG, 0, SH (7), I64, LAY_CONTIG);
  index_select_run (SH (5, 4), F32, LAY_T, 1, SH (3), I32, LAY_STEP);
  index_select_run (SH (2, 3, 4), F64, LAY_STEP, -1, SH (5), I16, LAY_CONTIG);
  index_select_run (SH (6, 2), I64, LAY_EXPAND, 0, SH (4), U8, LAY_CONTIG);
  index_select_run (SH (6), BOOL, LAY_CONTIG, 0, SH (4), I64, LAY_CONTIG);
}

static void
index_select_fw_shapes (gconstpointer d)
{
  /* an empty index, an empty tensor, a 0-dim index, a 0-dim tensor */
  index_select_run (SH (5, 4), F32, LAY_CONTIG, 0, SH (0), I64, LAY_CONTIG);
  index_select_run (SH (0, 4), F32, LAY_CONTIG, 1, SH (3), I64, LAY_CONTIG);
  index_select_run (SH (5), F32, LAY_CONTIG, 0, SH0, I64, LAY_CONTIG);
  index_select_run (SH0, F32, LAY_CONTIG, 0, SH0, I64, LAY_CONTIG);
}

static void
index_select_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (5, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) f = arr_from (bad, SH (2), F32, LAY_CONTIG);
  g_auto(Arr) m = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_index_select (x.t, 0, i.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, f.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, m.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 2, i.t, &error);
  check_error (y, error, LT_ERROR_INDEX);
}

static const Case index_select_forward[] = {
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

static LtTensor *
gc_index_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_index_select (in[0], c->dim, c->index, &error);

  g_assert_no_error (error);
  return y;
}

static void
index_select_bw_cases (gconstpointer d)
{
  static const double rep[] = { 1, 4, 1, 0 };
  g_auto(Arr) i = arr_from (rep, SH (4), I64, LAY_CONTIG);
  g_auto(Arr) z = arr_from (rep, SH (0), I64, LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { 1, i.t }, ce = { 0, z.t };
  g_autoptr(LtTensor) x = leaf_new (SH (5, 3), LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) t = leaf_new (SH (2, 5), LAY_T, DIST_UNIT);

  /* repeated indices add up */
  gradcheck (gc_index_select, &c0, &x, 1);
  gradcheck (gc_index_select, &c1, &t, 1);
  backward_shapes (gc_index_select, &ce, &x, 1);
}

static const Case index_select_backward[] = {
  { "repeats", index_select_bw_cases },
  { NULL, NULL }
};

/* index_add_ */

static void
index_add_run (Shape s, LtDType dt, Lay lay, gint dim, gint64 ni, Lay lsrc)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (SH (ni), s.d[d], I64, LAY_CONTIG);
  Shape ss = s;
  g_auto(Arr) src = { NULL };
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 in[LT_MAX_DIMS];

  ss.d[d] = ni;
  src = arr_new (ss, dt, lsrc, DIST_UNIT);
  for (gint64 k = 0; k < src.n; k++)
    {
      unravel (k, ss, in);
      in[d] = (gint64) idx.v[in[d]];
      ref[ravel (in, s)] += src.v[k];
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (ref[k], dt);
  g_assert_cmpint (lt_tensor_index_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
  g_assert_no_error (error);
  check (x.t, dt, s, ref);
}

static void
index_add_fw_dims (gconstpointer d)
{
  index_add_run (SH (5, 3), F32, LAY_CONTIG, 0, 7, LAY_CONTIG);
  index_add_run (SH (4, 5), F32, LAY_T, 1, 3, LAY_STEP);
  index_add_run (SH (2, 3, 4), F64, LAY_STEP, -2, 5, LAY_T);
  index_add_run (SH (6, 2), I64, LAY_CONTIG, 0, 4, LAY_EXPAND);
  index_add_run (SH (6), I32, LAY_CONTIG, 0, 9, LAY_CONTIG);
  index_add_run (SH (5, 3), F32, LAY_CONTIG, 0, 0, LAY_CONTIG);
}

static void
index_add_fw_errors (gconstpointer d)
{
  static const double iv[] = { 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (5, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (iv, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (3, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) e = arr_new (SH (5, 3), F32, LAY_EXPAND, DIST_UNIT);
  g_auto(Arr) s2 = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);

  g_assert_cmpint (lt_tensor_index_add_ (x.t, 0, i.t, s.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_cmpint (lt_tensor_index_add_ (e.t, 0, i.t, s2.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static const Case index_add_forward[] = {
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
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_index_add_ (y, c->dim, c->index, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
index_add_bw_cases (gconstpointer d)
{
  static const double rep[] = { 2, 0, 2 };
  g_auto(Arr) i = arr_from (rep, SH (3), I64, LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { -1, i.t };
  LtTensor *in0[2] = { leaf_new (SH (4, 2), LAY_T, DIST_UNIT),
                       leaf_new (SH (3, 2), LAY_STEP, DIST_UNIT) };
  LtTensor *in1[2] = { leaf_new (SH (2, 4), LAY_CONTIG, DIST_UNIT),
                       leaf_new (SH (2, 3), LAY_T, DIST_UNIT) };

  gradcheck (gc_index_add, &c0, in0, 2);
  gradcheck (gc_index_add, &c1, in1, 2);
  for (guint k = 0; k < 2; k++)
    {
      g_object_unref (in0[k]);
      g_object_unref (in1[k]);
    }
}

static const Case index_add_backward[] = {
  { "repeats", index_add_bw_cases },
  { NULL, NULL }
};

/* gather */

static void
gather_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, LtDType idt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[d] : 1, idt, LAY_T);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, dim, idx.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (idx.n, 1));
  gint64 in[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 k = 0; k < idx.n; k++)
    {
      unravel (k, si, in);
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[k] = x.v[ravel (in, s)];
    }
  check (y, dt, si, ref);
}

static void
gather_fw_dims (gconstpointer d)
{
  gather_run (SH (3, 4), F32, LAY_CONTIG, 1, SH (3, 2), I64);
  gather_run (SH (3, 4), F32, LAY_T, 0, SH (5, 4), I32);
  gather_run (SH (3, 4), F32, LAY_TPAD, 1, SH (2, 6), I64);
  gather_run (SH (3, 4, 5), F64, LAY_STEP, -1, SH (2, 3, 7), I64);
  gather_run (SH (4, 3), I64, LAY_EXPAND, 0, SH (2, 3), I64);
  gather_run (SH0, F32, LAY_CONTIG, 0, SH0, I64);
  gather_run (SH (3, 4), F32, LAY_CONTIG, 1, SH (0, 4), I64);
}

static void
gather_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 4 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_auto(Arr) f = arr_from (bad, SH (2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, 1, i.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_gather (x.t, 0, f.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case gather_forward[] = {
  { "dims", gather_fw_dims },
  { "errors", gather_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_gather (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_gather (in[0], c->dim, c->index, &error);

  g_assert_no_error (error);
  return y;
}

static void
gather_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(Arr) i = arr_from (iv, SH (3, 2), I64, LAY_CONTIG);
  g_auto(Arr) j = arr_from (iv, SH (2, 3), I64, LAY_T);
  IndexCall c1 = { 1, i.t }, c0 = { 0, j.t };
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) y = leaf_new (SH (4, 3), LAY_STEP, DIST_UNIT);

  gradcheck (gc_gather, &c1, &x, 1);
  gradcheck (gc_gather, &c0, &y, 1);
}

static const Case gather_backward[] = {
  { "repeats", gather_bw_cases },
  { NULL, NULL }
};

/* scatter_add */

static void
scatter_add_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, Shape ss, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[d] : 1, I64, LAY_CONTIG);
  g_auto(Arr) src = arr_new (ss, dt, LAY_T, DIST_UNIT);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  g_autoptr(LtTensor) y = NULL;
  gint64 in[LT_MAX_DIMS];

  for (gint64 k = 0; k < idx.n; k++)
    {
      double v;

      unravel (k, si, in);
      v = src.v[ravel (in, ss)];
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[ravel (in, s)] += v;
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (ref[k], dt);
  if (inplace)
    {
      g_assert_cmpint (lt_tensor_scatter_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
      y = g_object_ref (x.t);
    }
  else
    y = lt_tensor_scatter_add (x.t, dim, idx.t, src.t, &error);
  g_assert_no_error (error);
  check (y, dt, s, ref);
}

static void
scatter_add_fw_dims (gconstpointer d)
{
  scatter_add_run (SH (3, 5), F32, LAY_CONTIG, 1, SH (3, 4), SH (3, 6), FALSE);
  scatter_add_run (SH (4, 3), F32, LAY_T, 0, SH (6, 2), SH (7, 3), FALSE);
  scatter_add_run (SH (2, 3, 4), F64, LAY_STEP, -1, SH (2, 2, 9), SH (2, 3, 9), FALSE);
  scatter_add_run (SH (4, 3), I64, LAY_CONTIG, 0, SH (5, 3), SH (5, 3), FALSE);
  scatter_add_run (SH0, F32, LAY_CONTIG, 0, SH0, SH0, FALSE);
  scatter_add_run (SH (3, 5), F32, LAY_CONTIG, 1, SH (0, 5), SH (3, 5), FALSE);
}

static void
scatter_add_fw_inplace (gconstpointer d)
{
  scatter_add_run (SH (3, 5), F32, LAY_T, 1, SH (3, 4), SH (3, 6), TRUE);
  scatter_add_run (SH (4, 5), F64, LAY_CONTIG, 0, SH (6, 5), SH (6, 5), TRUE);
}

static void
scatter_add_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (1, 2), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) small = arr_new (SH (1, 1), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_scatter_add (x.t, 1, i.t, s.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_scatter_add (x.t, 0, i.t, small.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case scatter_add_forward[] = {
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
  LtTensor *y = lt_tensor_scatter_add (in[0], c->dim, c->index, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
gc_scatter_add_ (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_scatter_add_ (y, c->dim, c->index, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
scatter_add_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(Arr) i = arr_from (iv, SH (3, 2), I64, LAY_CONTIG);
  IndexCall c = { 1, i.t };
  /* a source larger than the index: its other elements get no gradient */
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, DIST_UNIT),
                      leaf_new (SH (3, 3), LAY_STEP, DIST_UNIT) };

  gradcheck (gc_scatter_add, &c, in, 2);
  gradcheck (gc_scatter_add_, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case scatter_add_backward[] = {
  { "repeats", scatter_add_bw_cases },
  { NULL, NULL }
};

/* masked_fill */

static void
masked_fill_run (Shape sx, LtDType dt, Lay lx, Shape sm, Lay lm, double value, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, lm, DIST_UNIT);
  g_autoptr(LtTensor) z = NULL;
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  for (gint64 k = 0; k < x.n; k++)
    {
      unravel (k, sx, idx);
      if (m.v[bindex (idx, sx.n, sm)])
        ref[k] = wrap_to (is_float (dt) ? value : trunc (value), dt);
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
  check (z, dt, sx, ref);
}

static void
masked_fill_fw_broadcast (gconstpointer d)
{
  masked_fill_run (SH (4, 5), F32, LAY_CONTIG, SH (5), LAY_CONTIG, -1.25, FALSE);
  masked_fill_run (SH (2, 3, 4), F64, LAY_CONTIG, SH (3, 1), LAY_CONTIG, 7, FALSE);
}

static void
masked_fill_fw_transposed (gconstpointer d)
{
  masked_fill_run (SH (5, 6), F32, LAY_T, SH (5, 6), LAY_STEP, 2.5, FALSE);
}

static void
masked_fill_fw_inplace (gconstpointer d)
{
  masked_fill_run (SH (5, 6), F32, LAY_T, SH (6), LAY_CONTIG, 2.5, TRUE);
  masked_fill_run (SH (4, 7), I64, LAY_STEP, SH (4, 1), LAY_CONTIG, -3, TRUE);
}

static void
masked_fill_fw_rank0 (gconstpointer d)
{
  masked_fill_run (SH0, F32, LAY_CONTIG, SH0, LAY_CONTIG, 9, FALSE);
  masked_fill_run (SH (3), F32, LAY_CONTIG, SH0, LAY_CONTIG, 9, FALSE);
}

static void
masked_fill_fw_empty (gconstpointer d)
{
  masked_fill_run (SH (0, 4), F32, LAY_CONTIG, SH (4), LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_parallel (gconstpointer d)
{
  masked_fill_run (SH (300, 251), F32, LAY_T, SH (251), LAY_CONTIG, 0.5, FALSE);
}

static void
masked_fill_fw_integer (gconstpointer d)
{
  masked_fill_run (SH (3, 4), I32, LAY_T, SH (3, 4), LAY_CONTIG, 5.75, FALSE);
  masked_fill_run (SH (6), U8, LAY_CONTIG, SH (6), LAY_CONTIG, 200, FALSE);
  masked_fill_run (SH (6), BOOL, LAY_CONTIG, SH (6), LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (2, 3), BOOL, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) z = lt_tensor_masked_fill (x.t, m.t, 1, &error);

  /* the mask may not grow the tensor */
  check_error (z, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  z = lt_tensor_masked_fill (x.t, x.t, 1, &error);
  check_error (z, error, LT_ERROR_DTYPE);
}

static const Case masked_fill_forward[] = {
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
masked_fill_bw_run (LtGradcheckFunc f, Shape sx, Lay lx, Shape sm)
{
  g_auto(Arr) m = arr_new (sm, BOOL, LAY_CONTIG, DIST_UNIT);
  LtTensor *in[2] = { leaf_new (sx, lx, DIST_UNIT), m.t };

  gradcheck (f, NULL, in, 2);
  g_object_unref (in[0]);
}

static void
masked_fill_bw_broadcast (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH (3, 4), LAY_CONTIG, SH (4));
}

static void
masked_fill_bw_transposed (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH (4, 3), LAY_T, SH (4, 3));
}

static void
masked_fill_bw_rank0 (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH0, LAY_CONTIG, SH0);
}

static void
masked_fill_bw_inplace (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill_inplace, SH (4, 3), LAY_T, SH (3));
}

static void
masked_fill_bw_empty (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (3), BOOL, LAY_CONTIG, DIST_UNIT);
  LtTensor *in[2] = { leaf_new (SH (0, 3), LAY_CONTIG, DIST_UNIT), m.t };

  backward_shapes (gc_masked_fill, NULL, in, 2);
  g_object_unref (in[0]);
}

static const Case masked_fill_backward[] = {
  { "broadcast", masked_fill_bw_broadcast },
  { "transposed", masked_fill_bw_transposed },
  { "rank0", masked_fill_bw_rank0 },
  { "inplace", masked_fill_bw_inplace },
  { "empty", masked_fill_bw_empty },
  { NULL, NULL }
};

/* masked_select */

static void
masked_select_run (Shape sx, Lay lx, Shape sm, Lay lm, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, lm, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);
  Shape o = broadcast (sx, sm);
  gint64 idx[LT_MAX_DIMS], n = 0;
  g_autofree double *ref = g_new0 (double, MAX (numel (o), 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < numel (o); k++)
    {
      unravel (k, o, idx);
      if (m.v[bindex (idx, o.n, sm)])
        ref[n++] = x.v[bindex (idx, o.n, sx)];
    }
  check (y, dt, SH (n), ref);
}

static void
masked_select_fw_cases (gconstpointer d)
{
  masked_select_run (SH (4, 5), LAY_T, SH (5), LAY_CONTIG, F32);
  masked_select_run (SH (5), LAY_STEP, SH (4, 5), LAY_T, F64);
  masked_select_run (SH (3, 4), LAY_CONTIG, SH (3, 4), LAY_STEP, I64);
  masked_select_run (SH0, LAY_CONTIG, SH0, LAY_CONTIG, F32);
  masked_select_run (SH (0, 3), LAY_CONTIG, SH (3), LAY_CONTIG, F32);
  masked_select_run (SH (300, 251), LAY_T, SH (251), LAY_CONTIG, F32);
}

static void
masked_select_fw_none (gconstpointer d)
{
  double zeros[6] = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_from (zeros, SH (2, 3), BOOL, LAY_CONTIG);
  g_auto(Arr) f = arr_from (zeros, SH (2, 3), F32, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);

  g_assert_no_error (error);
  check (y, F32, SH (0), NULL);
  g_clear_object (&y);
  y = lt_tensor_masked_select (x.t, f.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
}

static const Case masked_select_forward[] = {
  { "cases", masked_select_fw_cases },
  { "none", masked_select_fw_none },
  { NULL, NULL }
};

static LtTensor *
gc_masked_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_masked_select (in[0], c->mask, &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_select_bw_cases (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (3, 4), BOOL, LAY_T, DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) b = leaf_new (SH (4), LAY_STEP, DIST_UNIT);
  g_autoptr(LtTensor) r = leaf_new (SH0, LAY_CONTIG, DIST_UNIT);

  gradcheck (gc_masked_select, &c, &x, 1);
  /* x broadcast to the mask: its gradient sums over the rows */
  gradcheck (gc_masked_select, &c, &b, 1);
  gradcheck (gc_masked_select, &c, &r, 1);
}

static const Case masked_select_backward[] = {
  { "broadcast", masked_select_bw_cases },
  { NULL, NULL }
};

/* masked_scatter */

static void
masked_scatter_run (Shape sx, Lay lx, Shape sm, Shape ss, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) src = arr_new (ss, dt, LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, src.t, &error);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 idx[LT_MAX_DIMS], used = 0;

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      unravel (k, sx, idx);
      if (m.v[bindex (idx, sx.n, sm)])
        ref[k] = src.v[used++];
    }
  g_assert_cmpint (used, <=, src.n);
  check (y, dt, sx, ref);
}

static void
masked_scatter_fw_cases (gconstpointer d)
{
  masked_scatter_run (SH (4, 5), LAY_T, SH (4, 5), SH (6, 5), F32);
  masked_scatter_run (SH (4, 5), LAY_STEP, SH (5), SH (25), F64);
  masked_scatter_run (SH (3, 4), LAY_CONTIG, SH (3, 1), SH (4, 3), I64);
  masked_scatter_run (SH0, LAY_CONTIG, SH0, SH (2), F32);
  masked_scatter_run (SH (0, 3), LAY_CONTIG, SH (3), SH (0), F32);
}

static void
masked_scatter_fw_errors (gconstpointer d)
{
  double ones[6] = { 1, 1, 1, 1, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_from (ones, SH (2, 3), BOOL, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) v = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, s.t, &error);

  /* six elements selected, five given */
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  /* the mask may not grow the tensor */
  y = lt_tensor_masked_scatter (v.t, m.t, x.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case masked_scatter_forward[] = {
  { "cases", masked_scatter_fw_cases },
  { "errors", masked_scatter_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_masked_scatter (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_masked_scatter (in[0], c->mask, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_scatter_bw_cases (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (4), BOOL, LAY_CONTIG, DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, DIST_UNIT),
                      leaf_new (SH (3, 5), LAY_STEP, DIST_UNIT) };

  gradcheck (gc_masked_scatter, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case masked_scatter_backward[] = {
  { "broadcast", masked_scatter_bw_cases },
  { NULL, NULL }
};

/* one_hot */

static void
one_hot_run (Shape s, gint64 classes, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = index_new (s, 4, I64, lay);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (x.t, classes, &error);
  gint64 c = classes;
  Shape o = s;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (c < 0)
    {
      c = 0;
      for (gint64 k = 0; k < x.n; k++)
        c = MAX (c, (gint64) x.v[k] + 1);
    }
  o.d[o.n++] = c;
  ref = g_new0 (double, MAX (numel (o), 1));
  for (gint64 k = 0; k < x.n; k++)
    ref[k * c + (gint64) x.v[k]] = 1;
  check (y, I64, o, ref);
}

static void
one_hot_fw_cases (gconstpointer d)
{
  one_hot_run (SH (9), 4, LAY_CONTIG);
  one_hot_run (SH (9), 6, LAY_STEP);
  one_hot_run (SH (2, 3), -1, LAY_T);
  one_hot_run (SH0, 5, LAY_CONTIG);
  one_hot_run (SH (0), 3, LAY_CONTIG);
}

static void
one_hot_fw_errors (gconstpointer d)
{
  static const double neg[] = { 1, -1 }, big[] = { 0, 3 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) n = arr_from (neg, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) b = arr_from (big, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) i = arr_from (big, SH (2), I32, LAY_CONTIG);
  g_auto(Arr) e = arr_from (big, SH (0), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (n.t, 3, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (b.t, 3, &error);
  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (i.t, 4, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_one_hot (e.t, -1, &error);
  check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const Case one_hot_forward[] = {
  { "cases", one_hot_fw_cases },
  { "errors", one_hot_fw_errors },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OpSpec specs[] = {
  SPEC (LT_OP_INDEX_SELECT, "index_select", NULL, index_select_forward, NULL,
        index_select_backward, NULL),
  SPEC (LT_OP_INDEX_ADD, "index_add", NULL, index_add_forward, NULL, index_add_backward, NULL),
  SPEC (LT_OP_GATHER, "gather", NULL, gather_forward, NULL, gather_backward, NULL),
  SPEC (LT_OP_SCATTER_ADD, "scatter_add", NULL, scatter_add_forward, NULL, scatter_add_backward,
        NULL),
  SPEC (LT_OP_MASKED_FILL, "masked_fill", NULL, masked_fill_forward, NULL, masked_fill_backward,
        NULL),
  SPEC (LT_OP_MASKED_SELECT, "masked_select", NULL, masked_select_forward, NULL,
        masked_select_backward, NULL),
  SPEC (LT_OP_MASKED_SCATTER, "masked_scatter", NULL, masked_scatter_forward, NULL,
        masked_scatter_backward, NULL),
  SPEC (LT_OP_ONE_HOT, "one_hot", NULL, one_hot_forward, NULL, NULL, NULL),
};

guint
ops_register_index (void)
{
  return ops_add_specs (specs, G_N_ELEMENTS (specs));
}
