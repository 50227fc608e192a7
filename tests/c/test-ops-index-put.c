/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): coordinate indexing:
 * take (and index, its overload), index_put, scatter with reduce and
 * nonzero, against float64 references, with gradcheck.
 */

#include "ops-harness.h"

static LtTensor *
on_device_of (LtTensor *t, LtTensor *like)
{
  g_autoptr(GError) error = NULL;
  LtTensor *r = lt_tensor_to_device (t, lt_tensor_get_device (like), &error);

  g_assert_no_error (error);
  return r;
}

/* Random indices in [-size, size) (or [0, size) when !negative) */
static OhArr
coords_new (OhShape s, gint64 size, gboolean negative, LtDType dt, OhLay lay)
{
  gint64             n = oh_numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = g_rand_int_range (oh_rng, negative ? (gint32) -size : 0, (gint32) size);
  return oh_arr_from (v, s, dt, lay);
}

static gint64
wrap (double i, gint64 size)
{
  return i < 0 ? (gint64) i + size : (gint64) i;
}

/* take */

static void
take_run (OhShape s, LtDType dt, OhLay lay, OhShape si, OhLay li)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) idx = coords_new (si, x.n, TRUE, I64, li);
  g_autoptr(LtTensor) y = lt_tensor_take (x.t, idx.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (idx.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < idx.n; k++)
    ref[k] = x.v[wrap (idx.v[k], x.n)];
  oh_check (y, dt, si, ref);
}

static void
take_fw_cases (gconstpointer d)
{
  take_run (OH_SH (5, 4), F32, OH_LAY_CONTIG, OH_SH (7), OH_LAY_CONTIG);
  take_run (OH_SH (5, 4), F64, OH_LAY_T, OH_SH (3, 2), OH_LAY_T);
  take_run (OH_SH (2, 3, 4), I64, OH_LAY_STEP, OH_SH (5), OH_LAY_STEP);
  take_run (OH_SH (6, 2), I32, OH_LAY_EXPAND, OH_SH (4), OH_LAY_CONTIG);
  take_run (OH_SH (6), BOOL, OH_LAY_CONTIG, OH_SH (2, 2), OH_LAY_CONTIG);
  take_run (OH_SH (6), U8, OH_LAY_CONTIG, OH_SH (0), OH_LAY_CONTIG);
  take_run (OH_SH0, F32, OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG);
}

static void
take_fw_errors (gconstpointer d)
{
  static const double hi[] = { 0, 6 }, lo[] = { -7 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) e = oh_arr_new (OH_SH0, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) ih = oh_arr_from (hi, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) il = oh_arr_from (lo, OH_SH (1), I64, OH_LAY_CONTIG);
  g_auto(OhArr) i32 = oh_arr_from (hi, OH_SH (1), I32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_take (x.t, ih.t, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "index 6"));
  g_clear_error (&error);
  y = lt_tensor_take (x.t, il.t, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_take (x.t, i32.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  (void) e;
}

/* index: the take row's other overload */

static void
index_fw_cases (gconstpointer d)
{
  static const double i0v[] = { 1, -1, 0 }, i1v[] = { 2, 0 };
  static const double mv[] = { 1, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4, 2), F64, OH_LAY_STEP, OH_DIST_UNIT);
  /* (3, 1) and (2,) broadcast to (3, 2) */
  g_auto(OhArr) i0 = oh_arr_from (i0v, OH_SH (3, 1), I64, OH_LAY_CONTIG);
  g_auto(OhArr) i1 = oh_arr_from (i1v, OH_SH (2), I32, OH_LAY_CONTIG);
  g_auto(OhArr) m = oh_arr_from (mv, OH_SH (3), BOOL, OH_LAY_CONTIG);
  LtTensor *two[2] = { i0.t, i1.t }, *mask[1] = { m.t };
  g_autoptr(LtTensor) y = lt_tensor_index (x.t, two, 2, &error);
  g_autoptr(LtTensor) ym = NULL;
  double ref[3 * 2 * 2];
  double refm[2 * 4 * 2];

  g_assert_no_error (error);
  for (gint64 a = 0; a < 3; a++)
    for (gint64 b = 0; b < 2; b++)
      for (gint64 c = 0; c < 2; c++)
        ref[(a * 2 + b) * 2 + c] = x.v[(wrap (i0v[a], 3) * 4 + (gint64) i1v[b]) * 2 + c];
  oh_check (y, F64, OH_SH (3, 2, 2), ref);
  ym = lt_tensor_index (x.t, mask, 1, &error);
  g_assert_no_error (error);
  memcpy (refm, x.v, 8 * sizeof (double));
  memcpy (refm + 8, x.v + 16, 8 * sizeof (double));
  oh_check (ym, F64, OH_SH (2, 4, 2), refm);
}

static void
index_fw_errors (gconstpointer d)
{
  static const double iv[] = { 0, 3 }, jv[] = { 0, 1, 2 }, fv[] = { 0.5 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) j = oh_arr_from (jv, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) f = oh_arr_from (fv, OH_SH (1), F32, OH_LAY_CONTIG);
  g_auto(OhArr) m = oh_arr_new (OH_SH (4), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *oob[1] = { i.t }, *bc[2] = { i.t, j.t }, *fl[1] = { f.t };
  LtTensor *many[3] = { j.t, j.t, j.t }, *badmask[1] = { m.t };
  g_autoptr(LtTensor) y = lt_tensor_index (x.t, oob, 1, &error);

  oh_check_error (y, error, LT_ERROR_INDEX); /* 3 in a dimension of 3 */
  g_clear_error (&error);
  y = lt_tensor_index (x.t, bc, 2, &error);
  oh_check_error (y, error, LT_ERROR_INDEX); /* (2,) and (3,) */
  g_clear_error (&error);
  y = lt_tensor_index (x.t, fl, 1, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_index (x.t, many, 3, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_index (x.t, badmask, 1, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase take_forward[] = { { "cases", take_fw_cases },
                                       { "errors", take_fw_errors },
                                       { "index", index_fw_cases },
                                       { "index-errors", index_fw_errors },
                                       { NULL, NULL } };

typedef struct
{
  LtTensor   *index[2];
  guint       n;
  gboolean    accumulate;
  gint        dim;
  const char *reduce;
} PutCall;

static LtTensor *
gc_take (LtTensor **in, gsize n, gpointer data)
{
  const PutCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = on_device_of (c->index[0], in[0]);
  LtTensor *y = lt_tensor_take (in[0], idx, &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
gc_index (LtTensor **in, gsize n, gpointer data)
{
  const PutCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *idx[2] = { NULL, NULL };
  LtTensor *y;

  for (guint k = 0; k < c->n; k++)
    idx[k] = on_device_of (c->index[k], in[0]);
  y = lt_tensor_index (in[0], idx, c->n, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < c->n; k++)
    g_object_unref (idx[k]);
  return y;
}

static void
take_bw_cases (gconstpointer d)
{
  /* repeated and negative positions add up */
  static const double iv[] = { 0, 5, -1, 5, 2, 0 };
  static const double jv[] = { 1, -3 }, kv[] = { 2, 0 };
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (2, 3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) j = oh_arr_from (jv, OH_SH (2, 1), I64, OH_LAY_CONTIG);
  g_auto(OhArr) k = oh_arr_from (kv, OH_SH (2), I64, OH_LAY_CONTIG);
  PutCall   ct = { { i.t, NULL }, 1, FALSE, 0, NULL };
  PutCall   ci = { { j.t, k.t }, 2, FALSE, 0, NULL };
  LtTensor *in[1] = { oh_leaf_new (OH_SH (2, 3), OH_LAY_T, OH_DIST_UNIT) };
  LtTensor *in3[1] = { oh_leaf_new (OH_SH (3, 3, 2), OH_LAY_STEP, OH_DIST_UNIT) };

  oh_gradcheck (gc_take, &ct, in, 1);
  oh_gradcheck (gc_index, &ci, in3, 1);
  g_object_unref (in[0]);
  g_object_unref (in3[0]);
}

static const OhCase take_backward[] = { { "repeats", take_bw_cases }, { NULL, NULL } };

/* index_put */

static void
index_put_run (OhShape  s,
               LtDType  dt,
               OhLay    lay,
               OhShape  si,
               OhShape  sv,
               gboolean accumulate,
               gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) i0 = coords_new (si, s.d[0], TRUE, I64, OH_LAY_CONTIG);
  g_auto(OhArr) i1 = coords_new (si, s.d[1], TRUE, I32, OH_LAY_CONTIG);
  g_auto(OhArr) v = oh_arr_new (sv, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  LtTensor          *idx[2] = { i0.t, i1.t };
  g_autoptr(LtTensor) y = NULL;
  gint64  inner = 1;
  OhShape full = si;

  for (guint q = 2; q < s.n; q++)
    {
      inner *= s.d[q];
      full.d[full.n++] = s.d[q];
    }
  for (gint64 k = 0; k < i0.n; k++)
    {
      gint64 row = wrap (i0.v[k], s.d[0]) * s.d[1] + wrap (i1.v[k], s.d[1]);

      for (gint64 q = 0; q < inner; q++)
        {
          gint64 at[LT_MAX_DIMS];
          double val;

          oh_unravel (k * inner + q, full, at);
          val = v.v[oh_bindex (at, full.n, sv)];
          if (accumulate)
            ref[row * inner + q] += val;
          else
            ref[row * inner + q] = val;
        }
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_wrap_to (ref[k], dt);
  if (inplace)
    {
      g_assert_true (lt_tensor_index_put_ (x.t, idx, 2, v.t, accumulate, &error));
      y = g_object_ref (x.t);
    }
  else
    y = lt_tensor_index_put (x.t, idx, 2, v.t, accumulate, &error);
  g_assert_no_error (error);
  oh_check (y, dt, s, ref);
}

static void
index_put_fw_cases (gconstpointer d)
{
  /* accumulate: repeated coordinates add up */
  index_put_run (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_SH (9), OH_SH (9), TRUE, FALSE);
  index_put_run (OH_SH (3, 4, 2), F64, OH_LAY_T, OH_SH (2, 5), OH_SH (5, 2), TRUE, TRUE);
  index_put_run (OH_SH (4, 3), I64, OH_LAY_STEP, OH_SH (6), OH_SH (1), TRUE, TRUE);
  index_put_run (OH_SH (4, 3), BOOL, OH_LAY_CONTIG, OH_SH (6), OH_SH (6), TRUE, FALSE);
  /* writes: the last write to a repeated coordinate wins */
  index_put_run (OH_SH (3, 4), F32, OH_LAY_T, OH_SH (7), OH_SH0, FALSE, TRUE);
  index_put_run (OH_SH (5, 2, 3), I32, OH_LAY_CONTIG, OH_SH (4), OH_SH (4, 3), FALSE, FALSE);
  index_put_run (OH_SH (3, 4), U8, OH_LAY_CONTIG, OH_SH (0), OH_SH (0), FALSE, TRUE);
}

static void
index_put_fw_mask (gconstpointer d)
{
  static const double mv[] = { 0, 1, 1, 0, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_from (mv, OH_SH (2, 3), BOOL, OH_LAY_CONTIG);
  g_auto(OhArr) v = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *idx[1] = { m.t };
  double    ref[6];
  gint64    k = 0;

  for (gint64 q = 0; q < 6; q++)
    ref[q] = mv[q] ? v.v[k++] : x.v[q];
  g_assert_true (lt_tensor_index_put_ (x.t, idx, 1, v.t, FALSE, &error));
  g_assert_no_error (error);
  oh_check (x.t, F32, OH_SH (2, 3), ref);
}

static void
index_put_fw_errors (gconstpointer d)
{
  static const double iv[] = { 0, 3 }, ok[] = { 0, 2 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) o = oh_arr_from (ok, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) v = oh_arr_new (OH_SH (2, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) vi = oh_arr_new (OH_SH (2, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *before = oh_values_of (x.t);
  LtTensor          *bad[1] = { i.t }, *good[1] = { o.t };

  g_assert_false (lt_tensor_index_put_ (x.t, bad, 1, v.t, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_false (lt_tensor_index_put_ (x.t, good, 1, w.t, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_tensor_index_put_ (x.t, good, 1, vi.t, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  /* nothing was written */
  oh_assert_values (x.t, before, 0, 0);
}

static const OhCase index_put_forward[] = { { "cases", index_put_fw_cases },
                                            { "mask", index_put_fw_mask },
                                            { "errors", index_put_fw_errors },
                                            { NULL, NULL } };

static LtTensor *
gc_index_put (LtTensor **in, gsize n, gpointer data)
{
  const PutCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *idx[2] = { NULL, NULL };
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (in[0], 1.0, &error);

  g_assert_no_error (error);
  for (guint k = 0; k < c->n; k++)
    idx[k] = on_device_of (c->index[k], in[0]);
  g_assert_true (lt_tensor_index_put_ (y, idx, c->n, in[1], c->accumulate, &error));
  g_assert_no_error (error);
  for (guint k = 0; k < c->n; k++)
    g_object_unref (idx[k]);
  return g_steal_pointer (&y);
}

static LtTensor *
gc_index_put_copy (LtTensor **in, gsize n, gpointer data)
{
  const PutCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = on_device_of (c->index[0], in[0]);
  LtTensor *y = lt_tensor_index_put (in[0], &idx, 1, in[1], c->accumulate, &error);

  g_assert_no_error (error);
  return y;
}

static void
index_put_bw_cases (gconstpointer d)
{
  /* accumulate: repeats; write: distinct coordinates */
  static const double rv[] = { 2, -1, 0, 2 }, uv[] = { 2, 0 }, cv[] = { 1, 3 };
  g_auto(OhArr) r = oh_arr_from (rv, OH_SH (4), I64, OH_LAY_CONTIG);
  g_auto(OhArr) u = oh_arr_from (uv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) c = oh_arr_from (cv, OH_SH (2), I64, OH_LAY_CONTIG);
  PutCall acc = { { r.t, NULL }, 1, TRUE, 0, NULL };
  PutCall wr = { { u.t, c.t }, 2, FALSE, 0, NULL };
  PutCall wr1 = { { u.t, NULL }, 1, FALSE, 0, NULL };
  /* values (4, 1) broadcast along the row; (2,) one per coordinate pair */
  LtTensor *in_acc[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT),
                          oh_leaf_new (OH_SH (4, 1), OH_LAY_CONTIG, OH_DIST_UNIT) };
  LtTensor *in_wr[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_STEP, OH_DIST_UNIT),
                         oh_leaf_new (OH_SH (2), OH_LAY_CONTIG, OH_DIST_UNIT) };
  LtTensor *in_wr1[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_UNIT),
                          oh_leaf_new (OH_SH (4), OH_LAY_CONTIG, OH_DIST_UNIT) };

  oh_gradcheck (gc_index_put, &acc, in_acc, 2);
  oh_gradcheck (gc_index_put, &wr, in_wr, 2);
  oh_gradcheck (gc_index_put_copy, &wr1, in_wr1, 2);
  oh_gradcheck (gc_index_put_copy, &acc, in_acc, 2);
  for (guint k = 0; k < 2; k++)
    {
      g_object_unref (in_acc[k]);
      g_object_unref (in_wr[k]);
      g_object_unref (in_wr1[k]);
    }
}

static const OhCase index_put_backward[] = { { "cases", index_put_bw_cases }, { NULL, NULL } };

/* scatter */

static void
scatter_run (OhShape     s,
             LtDType     dt,
             OhLay       lay,
             gint        dim,
             OhShape     si,
             OhShape     ss,
             const char *reduce,
             gboolean    inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  guint d = oh_norm_dim (dim, s.n);
  g_auto(OhArr) idx = coords_new (si, s.n ? s.d[d] : 1, FALSE, I64, OH_LAY_CONTIG);
  g_auto(OhArr) src = oh_arr_new (ss, dt, OH_LAY_T, OH_DIST_UNIT);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  g_autoptr(LtTensor) y = NULL;
  gint64 in[LT_MAX_DIMS];

  for (gint64 k = 0; k < idx.n; k++)
    {
      double v;
      gint64 at;

      oh_unravel (k, si, in);
      v = src.v[oh_ravel (in, ss)];
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      at = oh_ravel (in, s);
      if (reduce == NULL)
        ref[at] = v;
      else if (strcmp (reduce, "add") == 0)
        ref[at] = dt == BOOL ? (ref[at] || v) : oh_wrap_to (ref[at] + v, dt);
      else
        ref[at] = dt == BOOL ? (ref[at] && v) : oh_wrap_to (ref[at] * v, dt);
    }
  if (inplace)
    {
      g_assert_true (lt_tensor_scatter_ (x.t, dim, idx.t, src.t, reduce, &error));
      y = g_object_ref (x.t);
    }
  else
    y = lt_tensor_scatter (x.t, dim, idx.t, src.t, reduce, &error);
  g_assert_no_error (error);
  oh_check (y, dt, s, ref);
}

static void
scatter_fw_cases (gconstpointer d)
{
  static const char *const reduces[] = { NULL, "add", "multiply" };

  for (guint r = 0; r < G_N_ELEMENTS (reduces); r++)
    {
      const char *m = reduces[r];

      scatter_run (OH_SH (3, 5), F32, OH_LAY_CONTIG, 1, OH_SH (3, 4), OH_SH (3, 6), m, FALSE);
      scatter_run (OH_SH (4, 3), F64, OH_LAY_T, 0, OH_SH (6, 2), OH_SH (7, 3), m, TRUE);
      scatter_run (OH_SH (2, 3, 4), F64, OH_LAY_STEP, -1, OH_SH (2, 2, 9), OH_SH (2, 3, 9), m,
                   FALSE);
      scatter_run (OH_SH (4, 3), I64, OH_LAY_CONTIG, 0, OH_SH (5, 3), OH_SH (5, 3), m, TRUE);
      scatter_run (OH_SH (4, 3), I8, OH_LAY_CONTIG, 0, OH_SH (5, 3), OH_SH (5, 3), m, FALSE);
      scatter_run (OH_SH (4, 3), BOOL, OH_LAY_CONTIG, 1, OH_SH (4, 5), OH_SH (4, 5), m, FALSE);
      scatter_run (OH_SH0, F32, OH_LAY_CONTIG, 0, OH_SH0, OH_SH0, m, FALSE);
      scatter_run (OH_SH (3, 5), F32, OH_LAY_CONTIG, 1, OH_SH (0, 5), OH_SH (3, 5), m, TRUE);
    }
}

static void
scatter_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_from (bad, OH_SH (1, 2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) s = oh_arr_new (OH_SH (1, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) s64 = oh_arr_new (OH_SH (1, 2), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *before = oh_values_of (x.t);
  g_autoptr(LtTensor) y = lt_tensor_scatter (x.t, 1, i.t, s.t, "multiply", &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_scatter (x.t, 0, i.t, s.t, "mean", &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_tensor_scatter (x.t, 0, i.t, s64.t, "add", &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  g_assert_false (lt_tensor_scatter_ (x.t, 1, i.t, s.t, "add", &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  oh_assert_values (x.t, before, 0, 0);
}

static const OhCase scatter_forward[] = { { "cases", scatter_fw_cases },
                                          { "errors", scatter_fw_errors },
                                          { NULL, NULL } };

static LtTensor *
gc_scatter (LtTensor **in, gsize n, gpointer data)
{
  const PutCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx = on_device_of (c->index[0], in[0]);
  LtTensor *y = lt_tensor_scatter (in[0], c->dim, idx, in[1], NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
scatter_bw_cases (gconstpointer d)
{
  /* distinct positions in each column; a source larger than the index */
  static const double iv[] = { 0, 3, 2, 1, 1, 0 };
  static const double one[] = { 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) i = oh_arr_from (iv, OH_SH (3, 2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) i1 = oh_arr_from (one, OH_SH (1, 1), I64, OH_LAY_CONTIG);
  PutCall   c = { { i.t, NULL }, 1, FALSE, 1, NULL };
  LtTensor *in[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (3, 3), OH_LAY_STEP, OH_DIST_UNIT) };
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) s = NULL;

  oh_gradcheck (gc_scatter, &c, in, 2);
  /* with reduce, the backward pass refuses, as PyTorch's */
  y = lt_tensor_scatter (in[0], 1, i1.t, in[1], "multiply", &error);
  g_assert_no_error (error);
  s = lt_tensor_sum (y, &error);
  g_assert_no_error (error);
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const OhCase scatter_backward[] = { { "cases", scatter_bw_cases }, { NULL, NULL } };

/* nonzero */

static void
nonzero_run (OhShape s, LtDType dt, OhLay lay, const double *values)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x =
            values ? oh_arr_from (values, s, dt, lay) : oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_nonzero (x.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n * s.n, 1));
  gint64             n = 0, at[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    if (x.v[k] != 0 || isnan (x.v[k]))
      {
        oh_unravel (k, s, at);
        for (guint q = 0; q < s.n; q++)
          ref[n * s.n + q] = (double) at[q];
        n++;
      }
  oh_check (y, I64, OH_SH (n, s.n), ref);
}

static void
nonzero_fw_cases (gconstpointer d)
{
  static const double signed_zero[] = { 0.0, -0.0, 1.5, NAN, -2.0, 0.0 };
  static const double zero[] = { 0.0 }, five[] = { 5.0 };

  nonzero_run (OH_SH (2, 3), F32, OH_LAY_CONTIG, signed_zero);
  nonzero_run (OH_SH (3, 2), F64, OH_LAY_T, signed_zero);
  nonzero_run (OH_SH (2, 3, 4), I64, OH_LAY_STEP, NULL);
  nonzero_run (OH_SH (4, 5), BOOL, OH_LAY_EXPAND, NULL);
  nonzero_run (OH_SH (7), U8, OH_LAY_CONTIG, NULL);
  nonzero_run (OH_SH (0, 3), I16, OH_LAY_CONTIG, NULL);
  nonzero_run (OH_SH0, F32, OH_LAY_CONTIG, zero);
  nonzero_run (OH_SH0, I32, OH_LAY_CONTIG, five);
}

static const OhCase nonzero_forward[] = { { "cases", nonzero_fw_cases }, { NULL, NULL } };

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_TAKE, "take", NULL, take_forward, NULL, take_backward, NULL),
  OH_SPEC (LT_OP_INDEX_PUT, "index_put", NULL, index_put_forward, NULL, index_put_backward, NULL),
  OH_SPEC (LT_OP_SCATTER, "scatter", NULL, scatter_forward, NULL, scatter_backward, NULL),
  OH_SPEC (LT_OP_NONZERO, "nonzero", NULL, nonzero_forward, NULL, NULL, NULL),
};

guint
oh_register_index_put (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
