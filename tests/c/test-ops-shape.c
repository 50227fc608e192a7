/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the views (view,
 * permute, transpose, expand, squeeze, unsqueeze, select, slice, alias) and
 * the copies (clone, to_dtype, cat, stack, copy_, fill_).
 */

#include "ops-harness.h"

/* Views: no kernel, new strides over the same storage */

typedef enum {
  V_VIEW, V_RESHAPE, V_FLATTEN, V_PERMUTE, V_TRANSPOSE, V_T, V_T_, V_EXPAND, V_SQUEEZE,
  V_SQUEEZE_DIM, V_UNSQUEEZE, V_SELECT, V_SLICE, V_NARROW, V_CLONE, V_CONTIGUOUS,
} ViewKind;

typedef struct
{
  ViewKind kind;
  OhShape shape;          /* view, reshape, expand */
  gint perm[LT_MAX_DIMS];
  gint a, b;            /* dims */
  gint64 start, end, step;
} ViewCall;

static LtTensor *
view_apply (const ViewCall *c, LtTensor *x, GError **error)
{
  switch (c->kind)
    {
    case V_VIEW: return lt_tensor_view (x, c->shape.d, c->shape.n, error);
    case V_RESHAPE: return lt_tensor_reshape (x, c->shape.d, c->shape.n, error);
    case V_FLATTEN: return lt_tensor_flatten (x, c->a, c->b, error);
    case V_PERMUTE: return lt_tensor_permute (x, c->perm, x->ndim, error);
    case V_TRANSPOSE: return lt_tensor_transpose (x, c->a, c->b, error);
    case V_T: return lt_tensor_t (x, error);
    case V_T_:
      {
        g_autoptr(LtTensor) y = lt_tensor_clone (x, error);

        if (y == NULL || !lt_tensor_t_ (y, error))
          return NULL;
        return g_steal_pointer (&y);
      }
    case V_EXPAND: return lt_tensor_expand (x, c->shape.d, c->shape.n, error);
    case V_SQUEEZE: return lt_tensor_squeeze (x, error);
    case V_SQUEEZE_DIM: return lt_tensor_squeeze_dim (x, c->a, error);
    case V_UNSQUEEZE: return lt_tensor_unsqueeze (x, c->a, error);
    case V_SELECT: return lt_tensor_select (x, c->a, c->start, error);
    case V_SLICE: return lt_tensor_slice (x, c->a, c->start, c->end, c->step, error);
    case V_NARROW: return lt_tensor_narrow (x, c->a, c->start, c->end, error);
    case V_CLONE: return lt_tensor_clone (x, error);
    case V_CONTIGUOUS: return lt_tensor_contiguous (x, error);
    default: g_assert_not_reached ();
    }
  return NULL;
}

/* The output shape and values of @c on @x, from index arithmetic. */
static double *
view_ref (const ViewCall *c, const OhArr *x, OhShape *os)
{
  OhShape s = x->s, o = { { 0 }, 0 };
  gint64 idx[LT_MAX_DIMS], in[LT_MAX_DIMS], n;
  double *ref;
  guint d;

  switch (c->kind)
    {
    case V_VIEW:
    case V_RESHAPE:
      {
        gint64 known = 1;
        gint infer = -1;

        o = c->shape;
        for (guint i = 0; i < o.n; i++)
          if (o.d[i] == -1)
            infer = (gint) i;
          else
            known *= o.d[i];
        if (infer >= 0)
          o.d[infer] = x->n / known;
        break;
      }
    case V_FLATTEN:
      if (s.n == 0)
        o = OH_SH (1);
      for (guint i = 0; i < s.n; i++)
        {
          if (i <= oh_norm_dim (c->a, s.n) || i > oh_norm_dim (c->b, s.n))
            o.d[o.n++] = s.d[i];
          else
            o.d[o.n - 1] *= s.d[i];
        }
      break;
    case V_SQUEEZE:
      for (guint i = 0; i < s.n; i++)
        if (s.d[i] != 1)
          o.d[o.n++] = s.d[i];
      break;
    case V_SQUEEZE_DIM:
      for (guint i = 0; i < s.n; i++)
        if (i != oh_norm_dim (c->a, s.n) || s.d[i] != 1)
          o.d[o.n++] = s.d[i];
      break;
    case V_UNSQUEEZE:
      d = c->a < 0 ? (guint) (c->a + (gint) s.n + 1) : (guint) c->a;
      for (guint i = 0, k = 0; i <= s.n; i++)
        o.d[o.n++] = i == d ? 1 : s.d[k++];
      break;
    case V_CLONE:
    case V_CONTIGUOUS:
      o = s;
      break;
    default:
      break;
    }
  switch (c->kind)
    {
    case V_VIEW: case V_RESHAPE: case V_FLATTEN: case V_SQUEEZE: case V_SQUEEZE_DIM:
    case V_UNSQUEEZE: case V_CLONE: case V_CONTIGUOUS:
      /* the row-major order is kept */
      g_assert_cmpint (oh_numel (o), ==, x->n);
      *os = o;
      return g_memdup2 (x->v, MAX (x->n, 1) * sizeof (double));
    default:
      break;
    }

  /* the others map each output index to an input index */
  switch (c->kind)
    {
    case V_PERMUTE:
      o.n = s.n;
      for (guint i = 0; i < s.n; i++)
        o.d[i] = s.d[oh_norm_dim (c->perm[i], s.n)];
      break;
    case V_TRANSPOSE:
    case V_T:
    case V_T_:
      o = s;
      if (s.n >= 2)
        {
          guint a = c->kind == V_TRANSPOSE ? oh_norm_dim (c->a, s.n) : 0;
          guint b = c->kind == V_TRANSPOSE ? oh_norm_dim (c->b, s.n) : 1;

          o.d[a] = s.d[b];
          o.d[b] = s.d[a];
        }
      break;
    case V_EXPAND:
      o = c->shape;
      for (guint i = 0; i < o.n; i++)
        if (o.d[i] == -1)
          o.d[i] = s.d[i - (o.n - s.n)];
      break;
    case V_SELECT:
      for (guint i = 0; i < s.n; i++)
        if (i != oh_norm_dim (c->a, s.n))
          o.d[o.n++] = s.d[i];
      break;
    case V_SLICE:
    case V_NARROW:
      {
        guint dd = oh_norm_dim (c->a, s.n);
        gint64 size = s.d[dd], st = c->start, en, step = c->kind == V_SLICE ? c->step : 1;

        if (st < 0)
          st += size;
        en = c->kind == V_SLICE ? c->end : st + c->end;
        if (en < 0)
          en += size;
        st = CLAMP (st, 0, size);
        en = CLAMP (en, st, size);
        o = s;
        o.d[dd] = (en - st + step - 1) / step;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  n = oh_numel (o);
  ref = g_new0 (double, MAX (n, 1));
  for (gint64 k = 0; k < n; k++)
    {
      oh_unravel (k, o, idx);
      switch (c->kind)
        {
        case V_PERMUTE:
          for (guint i = 0; i < s.n; i++)
            in[oh_norm_dim (c->perm[i], s.n)] = idx[i];
          break;
        case V_TRANSPOSE:
        case V_T:
        case V_T_:
          memcpy (in, idx, sizeof in);
          if (s.n >= 2)
            {
              guint a = c->kind == V_TRANSPOSE ? oh_norm_dim (c->a, s.n) : 0;
              guint b = c->kind == V_TRANSPOSE ? oh_norm_dim (c->b, s.n) : 1;

              in[a] = idx[b];
              in[b] = idx[a];
            }
          break;
        case V_EXPAND:
          ref[k] = x->v[oh_bindex (idx, o.n, s)];
          continue;
        case V_SELECT:
          for (guint i = 0, j = 0; i < s.n; i++)
            in[i] = i == oh_norm_dim (c->a,
                                   s.n) ? (c->start < 0 ? c->start + s.d[i] : c->start) : idx[j++];
          break;
        case V_SLICE:
        case V_NARROW:
          {
            guint dd = oh_norm_dim (c->a, s.n);
            gint64 st = c->start < 0 ? c->start + s.d[dd] : c->start;

            memcpy (in, idx, sizeof in);
            in[dd] = CLAMP (st, 0, s.d[dd]) + idx[dd] * (c->kind == V_SLICE ? c->step : 1);
          }
          break;
        default:
          g_assert_not_reached ();
        }
      ref[k] = x->v[oh_ravel (in, s)];
    }
  *os = o;
  return ref;
}

/* Runs @c on a @lay tensor: values, shape, and whether it is a view. */
static void
view_run (const ViewCall *c, OhShape s, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = view_apply (c, x.t, &error);
  OhShape os;
  g_autofree double *ref = view_ref (c, &x, &os);
  gboolean copies = c->kind == V_CLONE || c->kind == V_T_ ||
                    (c->kind == V_CONTIGUOUS && !lt_tensor_is_contiguous (x.t));

  g_assert_no_error (error);
  oh_check (y, dt, os, ref);
  /* reshape and flatten copy when no view fits */
  if (c->kind == V_RESHAPE || c->kind == V_FLATTEN)
    return;
  g_assert_cmpint (lt_tensor_shares_storage (y, x.t), ==, !copies);
  if (c->kind == V_CLONE || c->kind == V_CONTIGUOUS)
    g_assert_cmpint (lt_tensor_is_contiguous (y), ==, TRUE);
}

static void
view_error (const ViewCall *c, OhShape s, OhLay lay, LtError code)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, F32, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = view_apply (c, x.t, &error);

  oh_check_error (y, error, code);
}

#define VC(...) (&(ViewCall) { __VA_ARGS__ })

static void
view_fw_view (gconstpointer d)
{
  view_run (VC (V_VIEW, OH_SH (6, 4)), OH_SH (2, 3, 4), F32, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH (4, -1, 2)), OH_SH (2, 3, 4), F64, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH (-1)), OH_SH (2, 3, 4), I64, OH_LAY_CONTIG);
  /* splitting a dim of a transposed tensor needs no copy */
  view_run (VC (V_VIEW, OH_SH (2, 2, 5)), OH_SH (4, 5), F32, OH_LAY_T);
  view_run (VC (V_VIEW, OH_SH (2, 2, 1, 9)), OH_SH (4, 9), F32, OH_LAY_STEP);
  view_run (VC (V_VIEW, OH_SH (5, 1, 3)), OH_SH (5, 3), F32, OH_LAY_EXPAND);
}

static void
view_fw_reshape (gconstpointer d)
{
  view_run (VC (V_RESHAPE, OH_SH (12)), OH_SH (3, 4), F32, OH_LAY_T);
  view_run (VC (V_RESHAPE, OH_SH (3, -1)), OH_SH (4, 9), F32, OH_LAY_STEP);
  view_run (VC (V_RESHAPE, OH_SH (15)), OH_SH (5, 3), U8, OH_LAY_EXPAND);
  view_run (VC (V_RESHAPE, OH_SH (2, 6)), OH_SH (3, 4), F32, OH_LAY_CONTIG);
}

static void
view_fw_flatten (gconstpointer d)
{
  view_run (VC (V_FLATTEN, .a = 1, .b = -1), OH_SH (2, 3, 4), F32, OH_LAY_CONTIG);
  view_run (VC (V_FLATTEN, .a = 0, .b = 1), OH_SH (2, 3, 4), F32, OH_LAY_T);
  view_run (VC (V_FLATTEN, .a = 0, .b = -1), OH_SH0, F32, OH_LAY_CONTIG);
}

static void
view_fw_rank0 (gconstpointer d)
{
  view_run (VC (V_VIEW, OH_SH (1)), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH (1, 1)), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH0), OH_SH (1), F32, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH (-1)), OH_SH0, F32, OH_LAY_CONTIG);
}

static void
view_fw_empty (gconstpointer d)
{
  view_run (VC (V_VIEW, OH_SH (3, 0)), OH_SH (0, 3), F32, OH_LAY_CONTIG);
  view_run (VC (V_VIEW, OH_SH (2, 3, 0)), OH_SH (2, 0, 3), F32, OH_LAY_T);
  /* -1 could be anything next to a 0 */
  view_error (VC (V_VIEW, OH_SH (0, -1)), OH_SH (0, 3), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, OH_SH (2, -1, 0)), OH_SH (2, 0, 3), OH_LAY_CONTIG, LT_ERROR_SHAPE);
}

static void
view_fw_errors (gconstpointer d)
{
  view_error (VC (V_VIEW, OH_SH (12)), OH_SH (3, 4), OH_LAY_T, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, OH_SH (5)), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, OH_SH (-1, -1)), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_RESHAPE, OH_SH (-1, 5)), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_FLATTEN, .a = 2, .b = 1), OH_SH (2, 3, 4), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase view_forward[] = {
  { "view", view_fw_view },
  { "reshape", view_fw_reshape },
  { "flatten", view_fw_flatten },
  { "rank0", view_fw_rank0 },
  { "empty", view_fw_empty },
  { "errors", view_fw_errors },
  { NULL, NULL }
};

static void
permute_fw_dims (gconstpointer d)
{
  view_run (VC (V_PERMUTE, .perm = { 2, 0, 1 }), OH_SH (2, 3, 4), F32, OH_LAY_CONTIG);
  view_run (VC (V_PERMUTE, .perm = { -1, -3, -2 }), OH_SH (2, 3, 4), I32, OH_LAY_T);
  view_run (VC (V_PERMUTE, .perm = { 1, 0 }), OH_SH (5, 3), F32, OH_LAY_EXPAND);
  view_run (VC (V_PERMUTE, .perm = { 0 }), OH_SH (7), F32, OH_LAY_STEP);
  view_run (VC (V_PERMUTE, .perm = { 0 }), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_PERMUTE, .perm = { 2, 1, 0 }), OH_SH (0, 2, 3), F32, OH_LAY_CONTIG);
  view_error (VC (V_PERMUTE, .perm = { 0, 0 }), OH_SH (2, 2), OH_LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_PERMUTE, .perm = { 0, 2 }), OH_SH (2, 2), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase permute_forward[] = {
  { "dims", permute_fw_dims },
  { NULL, NULL }
};

static void
transpose_fw_dims (gconstpointer d)
{
  view_run (VC (V_TRANSPOSE, .a = 0, .b = 2), OH_SH (2, 3, 4), F32, OH_LAY_CONTIG);
  view_run (VC (V_TRANSPOSE, .a = -1, .b = 0), OH_SH (2, 3, 4), F64, OH_LAY_T);
  view_run (VC (V_TRANSPOSE, .a = 1, .b = 1), OH_SH (2, 3), F32, OH_LAY_STEP);
  view_run (VC (V_TRANSPOSE, .a = 0, .b = -1), OH_SH0, F32, OH_LAY_CONTIG);
  view_error (VC (V_TRANSPOSE, .a = 0, .b = 3), OH_SH (2, 3, 4), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static void
transpose_fw_t (gconstpointer d)
{
  view_run (VC (V_T), OH_SH (3, 5), F32, OH_LAY_CONTIG);
  view_run (VC (V_T), OH_SH (3, 5), F32, OH_LAY_T);
  view_run (VC (V_T), OH_SH (5), F32, OH_LAY_STEP);
  view_run (VC (V_T), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_T_), OH_SH (3, 5), F32, OH_LAY_T);
  view_run (VC (V_T_), OH_SH (4), I64, OH_LAY_CONTIG);
  view_error (VC (V_T), OH_SH (2, 3, 4), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_T_), OH_SH (2, 3, 4), OH_LAY_CONTIG, LT_ERROR_SHAPE);
}

static const OhCase transpose_forward[] = {
  { "dims", transpose_fw_dims },
  { "t", transpose_fw_t },
  { NULL, NULL }
};

static void
expand_fw_shapes (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) o = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_expand_as (x.t, o.t, &error);

  g_assert_no_error (error);
  oh_assert_shape (y, OH_SH (2, 3, 4));
  g_assert_cmpint (y->strides[0], ==, 0);
  g_assert_cmpint (y->strides[2], ==, 0);
  view_run (VC (V_EXPAND, OH_SH (2, 3, 4)), OH_SH (3, 1), F32, OH_LAY_CONTIG);
  view_run (VC (V_EXPAND, OH_SH (-1, 4)), OH_SH (3, 1), I64, OH_LAY_STEP);
  view_run (VC (V_EXPAND, OH_SH (5)), OH_SH (1), F32, OH_LAY_CONTIG);
  view_run (VC (V_EXPAND, OH_SH (2, 3)), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_EXPAND, OH_SH (0, 4)), OH_SH (1, 4), F32, OH_LAY_T);
  view_run (VC (V_EXPAND, OH_SH (2, 5, 3)), OH_SH (5, 3), F32, OH_LAY_EXPAND);
  view_error (VC (V_EXPAND, OH_SH (3, 4)), OH_SH (2, 1), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_EXPAND, OH_SH (4)), OH_SH (2, 1), OH_LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_EXPAND, OH_SH (-1, 2, 1)), OH_SH (2, 1), OH_LAY_CONTIG, LT_ERROR_SHAPE);
}

static const OhCase expand_forward[] = {
  { "shapes", expand_fw_shapes },
  { NULL, NULL }
};

static void
squeeze_fw_dims (gconstpointer d)
{
  view_run (VC (V_SQUEEZE), OH_SH (1, 3, 1, 2), F32, OH_LAY_CONTIG);
  view_run (VC (V_SQUEEZE), OH_SH (1, 3, 1, 2), F32, OH_LAY_T);
  view_run (VC (V_SQUEEZE), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_SQUEEZE), OH_SH (1, 0, 1), F32, OH_LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = 0), OH_SH (1, 3, 1, 2), F32, OH_LAY_STEP);
  view_run (VC (V_SQUEEZE_DIM, .a = 1), OH_SH (1, 3, 1, 2), I32, OH_LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = -2), OH_SH (1, 3, 1, 2), F32, OH_LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = 0), OH_SH0, F32, OH_LAY_CONTIG);
  view_error (VC (V_SQUEEZE_DIM, .a = 4), OH_SH (1, 3, 1, 2), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase squeeze_forward[] = {
  { "dims", squeeze_fw_dims },
  { NULL, NULL }
};

static void
unsqueeze_fw_dims (gconstpointer d)
{
  view_run (VC (V_UNSQUEEZE, .a = 0), OH_SH (3, 4), F32, OH_LAY_CONTIG);
  view_run (VC (V_UNSQUEEZE, .a = 1), OH_SH (3, 4), F32, OH_LAY_T);
  view_run (VC (V_UNSQUEEZE, .a = -1), OH_SH (3, 4), F64, OH_LAY_STEP);
  view_run (VC (V_UNSQUEEZE, .a = 2), OH_SH (3, 4), F32, OH_LAY_EXPAND);
  view_run (VC (V_UNSQUEEZE, .a = 0), OH_SH0, F32, OH_LAY_CONTIG);
  view_run (VC (V_UNSQUEEZE, .a = 1), OH_SH (0, 2), F32, OH_LAY_CONTIG);
  view_error (VC (V_UNSQUEEZE, .a = 3), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase unsqueeze_forward[] = {
  { "dims", unsqueeze_fw_dims },
  { NULL, NULL }
};

static void
select_fw_index (gconstpointer d)
{
  view_run (VC (V_SELECT, .a = 1, .start = 2), OH_SH (3, 4, 5), F32, OH_LAY_CONTIG);
  view_run (VC (V_SELECT, .a = 0, .start = -1), OH_SH (3, 4, 5), F32, OH_LAY_T);
  view_run (VC (V_SELECT, .a = -1, .start = 3), OH_SH (3, 4, 5), I64, OH_LAY_T);
  view_run (VC (V_SELECT, .a = 1, .start = 0), OH_SH (4, 6), F32, OH_LAY_STEP);
  view_run (VC (V_SELECT, .a = 0, .start = 3), OH_SH (5, 2), F32, OH_LAY_EXPAND);
  view_run (VC (V_SELECT, .a = 0, .start = 1), OH_SH (3), F32, OH_LAY_CONTIG);
  view_run (VC (V_SELECT, .a = 1, .start = 1), OH_SH (0, 2), F32, OH_LAY_CONTIG);
  view_error (VC (V_SELECT, .a = 0, .start = 3), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_SELECT, .a = 0, .start = -4), OH_SH (3, 4), OH_LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_SELECT, .a = 0, .start = 0), OH_SH0, OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase select_forward[] = {
  { "index", select_fw_index },
  { NULL, NULL }
};

static void
slice_fw_steps (gconstpointer d)
{
  view_run (VC (V_SLICE, .a = 0, .start = 1, .end = 5, .step = 2), OH_SH (6, 5), F32, OH_LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 1, .start = -3, .end = G_MAXINT64, .step = 1), OH_SH (6, 5), F32, OH_LAY_T);
  view_run (VC (V_SLICE, .a = -1, .start = 0, .end = -1, .step = 3), OH_SH (4, 8), I32, OH_LAY_STEP);
  view_run (VC (V_SLICE, .a = 0, .start = -100, .end = 100, .step = 4), OH_SH (9), F32, OH_LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 0, .start = 1, .end = 3, .step = 1), OH_SH (5, 3), F32, OH_LAY_EXPAND);
  /* empty slices */
  view_run (VC (V_SLICE, .a = 0, .start = 4, .end = 2, .step = 1), OH_SH (6, 5), F32, OH_LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 1, .start = 7, .end = 9, .step = 2), OH_SH (6, 5), F32, OH_LAY_CONTIG);
  view_error (VC (V_SLICE, .a = 0, .start = 0, .end = 2, .step = 0), OH_SH (6, 5), OH_LAY_CONTIG,
              LT_ERROR_INVALID_ARGUMENT);
  view_error (VC (V_SLICE, .a = 0, .start = 0, .end = 1, .step = 1), OH_SH0, OH_LAY_CONTIG,
              LT_ERROR_INDEX);
}

static void
slice_fw_narrow (gconstpointer d)
{
  view_run (VC (V_NARROW, .a = 1, .start = 1, .end = 3), OH_SH (4, 5), F32, OH_LAY_CONTIG);
  view_run (VC (V_NARROW, .a = 0, .start = -2, .end = 2), OH_SH (4, 5), F32, OH_LAY_T);
  view_run (VC (V_NARROW, .a = 0, .start = 4, .end = 0), OH_SH (4, 5), F32, OH_LAY_CONTIG);
  view_error (VC (V_NARROW, .a = 0, .start = 3, .end = 2), OH_SH (4, 5), OH_LAY_CONTIG, LT_ERROR_INDEX);
}

static const OhCase slice_forward[] = {
  { "steps", slice_fw_steps },
  { "narrow", slice_fw_narrow },
  { NULL, NULL }
};

/* Backward through views */

static LtTensor *
gc_view (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = view_apply (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
view_bw_run (const ViewCall *c, OhShape s, OhLay lay)
{
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, OH_DIST_UNIT);

  if (oh_numel (s) == 0)
    oh_backward_shapes (gc_view, c, &x, 1);
  else
    oh_gradcheck (gc_view, c, &x, 1);
}

static void
view_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_VIEW, OH_SH (6, 4)), OH_SH (2, 3, 4), OH_LAY_CONTIG);
  view_bw_run (VC (V_VIEW, OH_SH (2, 2, 3)), OH_SH (4, 3), OH_LAY_T);
  view_bw_run (VC (V_RESHAPE, OH_SH (12)), OH_SH (3, 4), OH_LAY_T);
  view_bw_run (VC (V_FLATTEN, .a = 0, .b = -1), OH_SH (2, 3), OH_LAY_STEP);
  view_bw_run (VC (V_VIEW, OH_SH (1, 1)), OH_SH0, OH_LAY_CONTIG);
  view_bw_run (VC (V_VIEW, OH_SH (3, 0)), OH_SH (0, 3), OH_LAY_CONTIG);
}

static const OhCase view_backward[] = {
  { "shapes", view_bw_cases },
  { NULL, NULL }
};

static void
permute_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_PERMUTE, .perm = { 2, 0, 1 }), OH_SH (2, 3, 2), OH_LAY_CONTIG);
  view_bw_run (VC (V_PERMUTE, .perm = { 1, 0 }), OH_SH (3, 4), OH_LAY_T);
  view_bw_run (VC (V_PERMUTE, .perm = { 0 }), OH_SH0, OH_LAY_CONTIG);
}

static const OhCase permute_backward[] = {
  { "dims", permute_bw_cases },
  { NULL, NULL }
};

static void
transpose_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_TRANSPOSE, .a = 0, .b = 2), OH_SH (2, 3, 2), OH_LAY_CONTIG);
  view_bw_run (VC (V_T), OH_SH (3, 4), OH_LAY_T);
  view_bw_run (VC (V_T), OH_SH (4), OH_LAY_STEP);
  view_bw_run (VC (V_T_), OH_SH (3, 4), OH_LAY_CONTIG);
  view_bw_run (VC (V_T_), OH_SH (3), OH_LAY_CONTIG);
  view_bw_run (VC (V_TRANSPOSE, .a = 0, .b = 0), OH_SH0, OH_LAY_CONTIG);
}

static const OhCase transpose_backward[] = {
  { "dims", transpose_bw_cases },
  { NULL, NULL }
};

static void
expand_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_EXPAND, OH_SH (2, 3, 4)), OH_SH (3, 1), OH_LAY_CONTIG);
  view_bw_run (VC (V_EXPAND, OH_SH (3, -1)), OH_SH (1, 4), OH_LAY_T);
  view_bw_run (VC (V_EXPAND, OH_SH (4)), OH_SH0, OH_LAY_CONTIG);
  view_bw_run (VC (V_EXPAND, OH_SH (0, 3)), OH_SH (1, 3), OH_LAY_CONTIG);
}

static const OhCase expand_backward[] = {
  { "shapes", expand_bw_cases },
  { NULL, NULL }
};

static void
squeeze_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SQUEEZE), OH_SH (1, 3, 1, 2), OH_LAY_CONTIG);
  view_bw_run (VC (V_SQUEEZE_DIM, .a = -2), OH_SH (3, 1, 2), OH_LAY_STEP);
  view_bw_run (VC (V_SQUEEZE_DIM, .a = 0), OH_SH (3, 2), OH_LAY_T);
  view_bw_run (VC (V_SQUEEZE), OH_SH0, OH_LAY_CONTIG);
}

static const OhCase squeeze_backward[] = {
  { "dims", squeeze_bw_cases },
  { NULL, NULL }
};

static void
unsqueeze_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_UNSQUEEZE, .a = 1), OH_SH (3, 2), OH_LAY_T);
  view_bw_run (VC (V_UNSQUEEZE, .a = -1), OH_SH (4), OH_LAY_STEP);
  view_bw_run (VC (V_UNSQUEEZE, .a = 0), OH_SH0, OH_LAY_CONTIG);
}

static const OhCase unsqueeze_backward[] = {
  { "dims", unsqueeze_bw_cases },
  { NULL, NULL }
};

static void
select_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SELECT, .a = 1, .start = 2), OH_SH (2, 3, 2), OH_LAY_CONTIG);
  view_bw_run (VC (V_SELECT, .a = 0, .start = -1), OH_SH (3, 4), OH_LAY_T);
  view_bw_run (VC (V_SELECT, .a = 0, .start = 2), OH_SH (4), OH_LAY_STEP);
}

static const OhCase select_backward[] = {
  { "index", select_bw_cases },
  { NULL, NULL }
};

static void
slice_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SLICE, .a = 0, .start = 1, .end = 5, .step = 2), OH_SH (6, 2), OH_LAY_CONTIG);
  view_bw_run (VC (V_SLICE, .a = 1, .start = -3, .end = G_MAXINT64, .step = 2), OH_SH (3, 5), OH_LAY_T);
  view_bw_run (VC (V_NARROW, .a = 0, .start = 1, .end = 2), OH_SH (4, 3), OH_LAY_STEP);
  view_bw_run (VC (V_SLICE, .a = 0, .start = 3, .end = 3, .step = 1), OH_SH (4, 3), OH_LAY_CONTIG);
}

static const OhCase slice_backward[] = {
  { "steps", slice_bw_cases },
  { NULL, NULL }
};

/* unbind: every slice along a dim, each a view, all of one node */

/* Checks lt_tensor_unbind (@dim) of a @lay tensor against the float64
 * reference: as many outputs as positions, each the slice's values, a view
 * of the input. */
static void
unbind_run (OhShape s, gint dim, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(GPtrArray) outs = lt_tensor_unbind (x.t, dim, &error);
  guint   d = oh_norm_dim (dim, s.n);
  OhShape os = { { 0 }, 0 };
  gint64  n_out;

  g_assert_no_error (error);
  g_assert_nonnull (outs);
  g_assert_cmpuint (outs->len, ==, s.d[d]);
  for (guint i = 0; i < s.n; i++)
    if (i != d)
      os.d[os.n++] = s.d[i];
  n_out = oh_numel (os);
  for (guint k = 0; k < outs->len; k++)
    {
      LtTensor          *o = g_ptr_array_index (outs, k);
      g_autofree double *ref = g_new0 (double, MAX (n_out, 1));
      gint64             idx[LT_MAX_DIMS], oidx[LT_MAX_DIMS];

      for (gint64 j = 0; j < n_out; j++)
        {
          oh_unravel (j, os, oidx);
          for (guint i = 0, m = 0; i < s.n; i++)
            idx[i] = i == d ? (gint64) k : oidx[m++];
          ref[j] = x.v[oh_ravel (idx, s)];
        }
      oh_check (o, dt, os, ref);
      g_assert_true (lt_tensor_shares_storage (o, x.t));
      g_assert_null (lt_tensor_get_grad_fn (o));
    }
}

static void
unbind_fw_dims (gconstpointer d)
{
  unbind_run (OH_SH (3, 4, 5), 0, F32, OH_LAY_CONTIG);
  unbind_run (OH_SH (3, 4, 5), 1, F64, OH_LAY_CONTIG);
  unbind_run (OH_SH (3, 4, 5), -1, I64, OH_LAY_T);
  unbind_run (OH_SH (4, 6), 1, F32, OH_LAY_STEP);
  unbind_run (OH_SH (5, 2), 0, F32, OH_LAY_EXPAND);
  unbind_run (OH_SH (3, 7), -2, U8, OH_LAY_PAD);
  /* a dim of size 1, rank-0 outputs, a dim of size 0 (no output), a
   * size-0 tensor taken apart along another dim */
  unbind_run (OH_SH (1, 3), 0, F32, OH_LAY_CONTIG);
  unbind_run (OH_SH (4), 0, F32, OH_LAY_CONTIG);
  unbind_run (OH_SH (2, 0, 3), 1, F32, OH_LAY_CONTIG);
  unbind_run (OH_SH (2, 0, 3), 0, F32, OH_LAY_CONTIG);
}

static void
unbind_fw_errors (gconstpointer d)
{
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) s = oh_arr_new (OH_SH0, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  const gint dims[] = { 2, -3, G_MAXINT };

  for (guint i = 0; i < G_N_ELEMENTS (dims); i++)
    {
      g_autoptr(GError) error = NULL;
      GPtrArray *outs = lt_tensor_unbind (x.t, dims[i], &error);

      g_assert_null (outs);
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    }
  {
    g_autoptr(GError) error = NULL;
    GPtrArray *outs = lt_tensor_unbind (s.t, 0, &error);

    g_assert_null (outs);
    g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    g_assert_nonnull (strstr (error->message, "unbind"));
  }
}

/* One node for every output: its name, its outputs' numbers along the
 * edges of a consumer, no node for a dim of size 0 */
static void
unbind_fw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) e = oh_leaf_new (OH_SH (0, 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(GPtrArray) outs = lt_tensor_unbind (x, 0, &error);
  g_autoptr(GPtrArray) none = lt_tensor_unbind (e, 0, &error);
  g_autoptr(LtTensor) y = NULL;
  LtGradFn *node;
  guint     nr = 99;

  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  node = lt_tensor_get_grad_fn (g_ptr_array_index (outs, 0));
  g_assert_nonnull (node);
  g_assert_cmpstr (lt_grad_fn_get_name (node), ==, "UnbindBackward0");
  for (guint k = 0; k < 3; k++)
    {
      LtTensor *o = g_ptr_array_index (outs, k);

      g_assert_true (lt_tensor_get_grad_fn (o) == node);
      g_assert_true (lt_tensor_get_requires_grad (o));
    }
  y = lt_tensor_mul (g_ptr_array_index (outs, 0), g_ptr_array_index (outs, 2), &error);
  g_assert_no_error (error);
  g_assert_true (lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (y), 0, &nr) == node);
  g_assert_cmpuint (nr, ==, 0);
  g_assert_true (lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (y), 1, &nr) == node);
  g_assert_cmpuint (nr, ==, 2);
}

static const OhCase unbind_forward[] = { { "dims", unbind_fw_dims },
                                         { "errors", unbind_fw_errors },
                                         { "node", unbind_fw_node },
                                         { NULL, NULL } };

/* Backward: the outputs named by @use (positions, -1 ends the list; one
 * may repeat), each scaled by its place in the list plus 1 and squared
 * when it repeats, stacked: some outputs get no gradient, some two. */
typedef struct
{
  gint dim;
  gint use[6];
} UnbindUse;

static LtTensor *
gc_unbind (LtTensor **in, gsize n, gpointer data)
{
  const UnbindUse *u = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) outs = lt_tensor_unbind (in[0], u->dim, &error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  LtTensor *y;

  g_assert_no_error (error);
  for (guint i = 0; u->use[i] >= 0; i++)
    {
      LtTensor *o = g_ptr_array_index (outs, u->use[i]);
      gboolean  again = FALSE;

      for (guint j = 0; j < i; j++)
        again |= u->use[j] == u->use[i];
      g_ptr_array_add (parts, again ? lt_tensor_mul (o, o, &error)
                                    : lt_tensor_mul_scalar (o, i + 1.0, &error));
      g_assert_no_error (error);
    }
  y = lt_stack ((LtTensor **) parts->pdata, parts->len, 0, &error);
  g_assert_no_error (error);
  return y;
}

static void
unbind_bw_run (const UnbindUse *u, OhShape s, OhLay lay)
{
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, OH_DIST_UNIT);

  oh_gradcheck (gc_unbind, u, &x, 1);
}

#define UU(dim, ...) (&(UnbindUse){ dim, { __VA_ARGS__, -1 } })

static void
unbind_bw_cases (gconstpointer d)
{
  /* every output; some outputs only; one output twice */
  unbind_bw_run (UU (0, 0, 1, 2), OH_SH (3, 2, 2), OH_LAY_CONTIG);
  unbind_bw_run (UU (1, 2, 0), OH_SH (2, 4), OH_LAY_CONTIG);
  unbind_bw_run (UU (-1, 1, 1), OH_SH (3, 4), OH_LAY_T);
  unbind_bw_run (UU (0, 3), OH_SH (5, 2), OH_LAY_STEP);
  unbind_bw_run (UU (-2, 0), OH_SH (1, 3), OH_LAY_CONTIG);
  unbind_bw_run (UU (0, 2, 0, 2), OH_SH (4), OH_LAY_CONTIG);
}

/* The gradient of x from unbind equals the one from selecting each
 * output, element for element: the LSTM's steps gave the same gradients
 * through select. */
static void
unbind_bw_as_select (gconstpointer d)
{
  const UnbindUse *u = UU (1, 2, 0, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4, 2), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) x2 = oh_leaf_new (OH_SH (3, 4, 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = gc_unbind (&x, 1, (gpointer) u);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) y2 = NULL;
  g_autofree double *g1 = NULL, *g2 = NULL;

  {
    /* x2 holds x's values (copied under no-grad) */
    gboolean prev = lt_set_grad_enabled (FALSE);

    g_assert_true (lt_tensor_copy_ (x2, x, &error));
    lt_set_grad_enabled (prev);
  }
  for (guint i = 0; u->use[i] >= 0; i++)
    {
      g_autoptr(LtTensor) o = lt_tensor_select (x2, u->dim, u->use[i], &error);
      gboolean again = FALSE;

      for (guint j = 0; j < i; j++)
        again |= u->use[j] == u->use[i];
      g_ptr_array_add (parts, again ? lt_tensor_mul (o, o, &error)
                                    : lt_tensor_mul_scalar (o, i + 1.0, &error));
    }
  y2 = lt_stack ((LtTensor **) parts->pdata, parts->len, 0, &error);
  g_assert_no_error (error);
  oh_backward_sum (y);
  oh_backward_sum (y2);
  g1 = oh_values_of (lt_tensor_get_grad (x));
  g2 = oh_values_of (lt_tensor_get_grad (x2));
  for (gint64 k = 0; k < 24; k++)
    g_assert_cmpfloat (g1[k], ==, g2[k]);
}

static LtTensor *
double_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  (*(guint *) user_data)++;
  return lt_tensor_mul_scalar (grad, 2.0, error);
}

/* Hooks and retain_grad on one output see that output's gradient;
 * backward may start from an output; lt_autograd_grad gives an output's
 * own gradient (none for an unused one); in-place ops on an output are
 * refused. */
static void
unbind_bw_engine (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double v[6] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (3, 2));
  g_autoptr(GPtrArray) outs = lt_tensor_unbind (x, 0, &error);
  LtTensor *o0 = g_ptr_array_index (outs, 0), *o1 = g_ptr_array_index (outs, 1);
  LtTensor *o2 = g_ptr_array_index (outs, 2);
  g_autoptr(LtTensor) a = lt_tensor_mul_scalar (o0, 3.0, &error);
  g_autoptr(LtTensor) b = lt_tensor_mul (o2, o2, &error);
  g_autoptr(LtTensor) y = lt_tensor_add (a, b, &error);
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(GPtrArray) gs = NULL;
  g_autofree double *gx = NULL, *g2 = NULL;
  guint              calls = 0;
  LtTensor          *ins[2];

  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_register_hook (o2, double_hook, &calls, NULL, &error), >, 0);
  g_assert_true (lt_tensor_retain_grad (o2, &error));
  g_assert_true (lt_tensor_retain_grad (o1, &error));
  g_assert_no_error (error);
  oh_backward_sum (y);
  g_assert_cmpuint (calls, ==, 1);
  /* o0: 3; o1: none; o2: 2 * 2 * x (doubled by the hook) */
  gx = oh_values_of (lt_tensor_get_grad (x));
  {
    const double want[6] = { 3, 3, 0, 0, 20, 24 };

    for (guint k = 0; k < 6; k++)
      g_assert_cmpfloat (gx[k], ==, want[k]);
  }
  g2 = oh_values_of (lt_tensor_get_grad (o2));
  g_assert_cmpfloat (g2[0], ==, 20);
  g_assert_cmpfloat (g2[1], ==, 24);
  g_assert_null (lt_tensor_get_grad (o1));

  /* backward from an output itself, with a gradient */
  {
    const double gv[2] = { 1, -1 };
    g_autoptr(LtTensor) g = oh_build (gv, OH_SH (2), F64, OH_LAY_CONTIG);
    g_autoptr(LtTensor) x3 = oh_leaf_from (v, OH_SH (3, 2));
    g_autoptr(GPtrArray) o3 = lt_tensor_unbind (x3, 0, &error);
    g_autofree double *gx3 = NULL;

    g_assert_true (lt_tensor_backward (g_ptr_array_index (o3, 1), g, FALSE, &error));
    g_assert_no_error (error);
    gx3 = oh_values_of (lt_tensor_get_grad (x3));
    g_assert_cmpfloat (gx3[0], ==, 0);
    g_assert_cmpfloat (gx3[2], ==, 1);
    g_assert_cmpfloat (gx3[3], ==, -1);
    g_assert_cmpfloat (gx3[5], ==, 0);
  }

  /* lt_autograd_grad with respect to the outputs, and through them */
  {
    g_autoptr(LtTensor) x4 = oh_leaf_from (v, OH_SH (3, 2));
    g_autoptr(GPtrArray) o4 = lt_tensor_unbind (x4, 1, &error);
    g_autoptr(LtTensor) s =
                 lt_tensor_mul (g_ptr_array_index (o4, 1), g_ptr_array_index (o4, 1), &error);
    g_autofree double *gv = NULL;

    g_assert_no_error (error);
    z = lt_tensor_sum (s, &error);
    ins[0] = g_ptr_array_index (o4, 1);
    ins[1] = g_ptr_array_index (o4, 0);
    gs = lt_autograd_grad (&z, 1, NULL, 0, ins, 2, TRUE, FALSE, TRUE, &error);
    g_assert_no_error (error);
    gv = oh_values_of (g_ptr_array_index (gs, 0));
    oh_assert_shape (g_ptr_array_index (gs, 0), OH_SH (3));
    g_assert_cmpfloat (gv[0], ==, 4);
    g_assert_cmpfloat (gv[1], ==, 8);
    g_assert_cmpfloat (gv[2], ==, 12);
    g_assert_null (g_ptr_array_index (gs, 1));
  }

  /* in place on an output: refused, as for every view */
  {
    g_autoptr(LtTensor) x5 = oh_leaf_from (v, OH_SH (3, 2));
    g_autoptr(LtTensor) w = lt_tensor_mul_scalar (x5, 2.0, &error);
    g_autoptr(GPtrArray) o5 = lt_tensor_unbind (w, 0, &error);

    g_assert_no_error (error);
    g_assert_false (lt_tensor_fill_ (g_ptr_array_index (o5, 0), 1.0, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  }
}

static const OhCase unbind_backward[] = { { "uses", unbind_bw_cases },
                                          { "as-select", unbind_bw_as_select },
                                          { "engine", unbind_bw_engine },
                                          { NULL, NULL } };

/* clone */

static void
clone_fw_layouts (gconstpointer d)
{
  view_run (VC (V_CLONE), OH_SH (5, 7), F32, OH_LAY_T);
  view_run (VC (V_CLONE), OH_SH (4, 7), I64, OH_LAY_STEP);
  view_run (VC (V_CLONE), OH_SH (5, 3), U8, OH_LAY_EXPAND);
  view_run (VC (V_CLONE), OH_SH (13), F64, OH_LAY_CONTIG);
  view_run (VC (V_CLONE), OH_SH0, BOOL, OH_LAY_CONTIG);
  view_run (VC (V_CLONE), OH_SH (0, 4), F32, OH_LAY_T);
  view_run (VC (V_CLONE), OH_SH (263, 267), F32, OH_LAY_T);
  view_run (VC (V_CONTIGUOUS), OH_SH (3, 4), F32, OH_LAY_CONTIG);
}

static const OhCase clone_forward[] = {
  { "layouts", clone_fw_layouts },
  { NULL, NULL }
};

static void
clone_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_CLONE), OH_SH (3, 4), OH_LAY_T);
  view_bw_run (VC (V_CLONE), OH_SH (5), OH_LAY_STEP);
  view_bw_run (VC (V_CLONE), OH_SH0, OH_LAY_CONTIG);
  view_bw_run (VC (V_CONTIGUOUS), OH_SH (3, 2), OH_LAY_T);
  view_bw_run (VC (V_CLONE), OH_SH (0, 2), OH_LAY_CONTIG);
}

static const OhCase clone_backward[] = {
  { "layouts", clone_bw_cases },
  { NULL, NULL }
};

/* to_dtype: the conversions themselves are the copy spec's; here autograd */

static void
to_fw_autograd (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 2), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) f = lt_tensor_to_dtype (x, F32, &error);
  g_autoptr(LtTensor) i = lt_tensor_to_dtype (x, I64, &error);
  g_autoptr(LtTensor) same = lt_tensor_to_dtype (x, F64, &error);

  g_assert_no_error (error);
  /* a float copy is recorded (ToCopyBackward0), an integer one is not */
  g_assert_nonnull (lt_tensor_get_grad_fn (f));
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (f)), ==,
                   _lt_op_table[LT_OP_TO_DTYPE].node_name[0]);
  g_assert_cmpint (lt_tensor_get_requires_grad (i), ==, FALSE);
  g_assert_null (lt_tensor_get_grad_fn (i));
  g_assert_cmphex (GPOINTER_TO_SIZE (same), ==, GPOINTER_TO_SIZE (x));
  g_assert_cmpint (lt_tensor_get_device (f), ==, LT_DEVICE_CPU);
}

static const OhCase to_forward[] = {
  { "autograd", to_fw_autograd },
  { NULL, NULL }
};

static LtTensor *
gc_to (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) f = lt_tensor_to_dtype (in[0], F32, &error);
  g_autoptr(LtTensor) sq = f ? lt_tensor_mul (f, f, &error) : NULL;
  LtTensor *y = sq ? lt_tensor_to_dtype (sq, F64, &error) : NULL;

  g_assert_no_error (error);
  return y;
}

static void
to_bw_float32 (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 2), OH_LAY_T, OH_DIST_POS);
  g_autoptr(LtTensor) y = gc_to (&x, 1, NULL);
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *g = NULL;

  /* A float32 round trip: with eps = 1e-6 the finite differences would
   * see float32 rounding (2^-24 relative), so step by 1e-3. */
  g_assert_cmpint (lt_gradcheck (gc_to, NULL, &x, 1, 1e-3, 1e-5, 1e-3, &error), ==, TRUE);
  g_assert_no_error (error);
  /* d (x^2) / dx = 2x, in float32 precision, as a float64 gradient */
  oh_backward_sum (y);
  g = oh_grad_of (x);
  g_assert_cmpint (lt_tensor_get_grad (x)->dtype, ==, F64);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (fabs (g[k] - 2 * xv[k]), <, 1e-5);
}

static const OhCase to_backward[] = {
  { "float32", to_bw_float32 },
  { NULL, NULL }
};

/* cat and stack */

static void
cat_run (const OhShape *shapes, const LtDType *dts, const OhLay *lays, guint n, gint dim,
         gboolean stack)
{
  g_autoptr(GError) error = NULL;
  OhArr arrs[8];
  LtTensor *ts[8];
  g_autoptr(LtTensor) y = NULL;
  LtDType ct = dts[0];
  OhShape o = shapes[0];
  guint d;
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  for (guint i = 0; i < n; i++)
    {
      arrs[i] = oh_arr_new (shapes[i], dts[i], lays[i], OH_DIST_UNIT);
      ts[i] = arrs[i].t;
      ct = oh_promote (ct, dts[i]);
    }
  y = stack ? lt_stack (ts, n, dim, &error) : lt_cat (ts, n, dim, &error);
  g_assert_no_error (error);
  if (stack)
    {
      d = oh_norm_dim (dim, o.n + 1);
      for (guint i = o.n + 1; i-- > d + 1;)
        o.d[i] = o.d[i - 1];
      o.d[d] = n;
      o.n++;
    }
  else
    {
      d = oh_norm_dim (dim, o.n);
      o.d[d] = 0;
      for (guint i = 0; i < n; i++)
        o.d[d] += shapes[i].d[d];
    }
  ref = g_new0 (double, MAX (oh_numel (o), 1));
  for (gint64 k = 0; k < oh_numel (o); k++)
    {
      guint which = 0;
      gint64 in[LT_MAX_DIMS];

      oh_unravel (k, o, idx);
      if (stack)
        {
          which = (guint) idx[d];
          for (guint i = 0, j = 0; i < o.n; i++)
            if (i != d)
              in[j++] = idx[i];
        }
      else
        {
          memcpy (in, idx, sizeof in);
          while (in[d] >= shapes[which].d[d])
            in[d] -= shapes[which++].d[d];
        }
      ref[k] = oh_wrap_to (arrs[which].v[oh_ravel (in, shapes[which])], ct);
    }
  oh_check (y, ct, o, ref);
  for (guint i = 0; i < n; i++)
    oh_arr_clear (&arrs[i]);
}

static void
cat_fw_dims (gconstpointer d)
{
  const OhShape s0[] = { OH_SH (2, 3), OH_SH (4, 3), OH_SH (1, 3) };
  const OhShape s1[] = { OH_SH (2, 3), OH_SH (2, 5) };
  const LtDType f[] = { F32, F32, F32 };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  cat_run (s0, f, l, 3, 0, FALSE);
  cat_run (s1, f, l + 1, 2, 1, FALSE);
  cat_run (s1, f, l, 2, -1, FALSE);
  cat_run (s0, f, l, 1, 0, FALSE);
}

static void
cat_fw_dtypes (gconstpointer d)
{
  const OhShape s[] = { OH_SH (2, 3), OH_SH (1, 3), OH_SH (3, 3) };
  const LtDType a[] = { I32, F32, I64 }, b[] = { U8, I8, BOOL }, c[] = { F64, F32, F32 };
  const OhLay l[] = { OH_LAY_T, OH_LAY_CONTIG, OH_LAY_EXPAND };

  cat_run (s, a, l, 3, 0, FALSE);
  cat_run (s, b, l, 3, 0, FALSE);
  cat_run (s, c, l, 3, 0, FALSE);
}

static void
cat_fw_empty (gconstpointer d)
{
  const OhShape s[] = { OH_SH (0, 3), OH_SH (2, 3), OH_SH (0, 3) };
  const OhShape z[] = { OH_SH (2, 0), OH_SH (2, 0) };
  const LtDType f[] = { F32, F32, F32 };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_CONTIG };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) r = oh_arr_new (OH_SH0, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (OH_SH (2, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *two[2] = { r.t, r.t }, *bad[2] = { m.t, r.t };
  g_autoptr(LtTensor) y = NULL;

  cat_run (s, f, l, 3, 0, FALSE);
  cat_run (z, f, l, 2, 1, FALSE);
  y = lt_cat (two, 2, 0, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_cat (bad, 2, 0, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_cat (bad, 0, 0, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static void
cat_fw_parallel (gconstpointer d)
{
  const OhShape s[] = { OH_SH (200, 251), OH_SH (100, 251) };
  const LtDType f[] = { F32, F32 };
  const OhLay l[] = { OH_LAY_T, OH_LAY_CONTIG };

  cat_run (s, f, l, 2, 0, FALSE);
}

static const OhCase cat_forward[] = {
  { "dims", cat_fw_dims },
  { "dtypes", cat_fw_dtypes },
  { "empty", cat_fw_empty },
  { "parallel", cat_fw_parallel },
  { NULL, NULL }
};

static void
stack_fw_dims (gconstpointer d)
{
  const OhShape s[] = { OH_SH (2, 3), OH_SH (2, 3), OH_SH (2, 3) };
  const LtDType f[] = { F32, F64, I64 };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (gint dim = -3; dim < 3; dim++)
    cat_run (s, f, l, 3, dim, TRUE);
}

static void
stack_fw_shapes (gconstpointer d)
{
  const OhShape r[] = { OH_SH0, OH_SH0, OH_SH0, OH_SH0 };
  const OhShape e[] = { OH_SH (0, 2), OH_SH (0, 2) };
  const LtDType f[] = { F32, F32, F32, F32 };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_CONTIG, OH_LAY_CONTIG, OH_LAY_CONTIG };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (3, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *bad[2] = { a.t, b.t };
  g_autoptr(LtTensor) y = NULL;

  cat_run (r, f, l, 4, 0, TRUE);
  cat_run (e, f, l, 2, 1, TRUE);
  y = lt_stack (bad, 2, 0, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_stack (bad, 1, 3, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase stack_forward[] = {
  { "dims", stack_fw_dims },
  { "shapes", stack_fw_shapes },
  { NULL, NULL }
};

typedef struct
{
  gint dim;
  gboolean stack;
} CatCall;

static LtTensor *
gc_cat (LtTensor **in, gsize n, gpointer data)
{
  const CatCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = c->stack ? lt_stack (in, n, c->dim, &error) : lt_cat (in, n, c->dim, &error);

  g_assert_no_error (error);
  return y;
}

static void
cat_bw_run (const OhShape *shapes, const OhLay *lays, guint n, gint dim, gboolean stack)
{
  CatCall c = { dim, stack };
  LtTensor *in[8];

  for (guint i = 0; i < n; i++)
    in[i] = oh_leaf_new (shapes[i], lays[i], OH_DIST_UNIT);
  /* one input without grad: its edge is skipped */
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], FALSE, NULL), ==, TRUE);
  oh_gradcheck (gc_cat, &c, in, n);
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], TRUE, NULL), ==, TRUE);
  oh_gradcheck (gc_cat, &c, in, n);
  for (guint i = 0; i < n; i++)
    g_object_unref (in[i]);
}

static void
cat_bw_cases (gconstpointer d)
{
  /* four inputs: more than a node holds inline */
  const OhShape s[] = { OH_SH (2, 3), OH_SH (1, 3), OH_SH (0, 3), OH_SH (2, 3) };
  const OhShape t[] = { OH_SH (2, 1), OH_SH (2, 3) };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_CONTIG, OH_LAY_STEP };

  cat_bw_run (s, l, 4, 0, FALSE);
  cat_bw_run (t, l, 2, 1, FALSE);
}

static const OhCase cat_backward[] = {
  { "dims", cat_bw_cases },
  { NULL, NULL }
};

static void
stack_bw_cases (gconstpointer d)
{
  const OhShape s[] = { OH_SH (2, 3), OH_SH (2, 3), OH_SH (2, 3), OH_SH (2, 3) };
  const OhShape r[] = { OH_SH0, OH_SH0 };
  const OhLay l[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_T };

  cat_bw_run (s, l, 4, 1, TRUE);
  cat_bw_run (s, l, 2, -1, TRUE);
  cat_bw_run (r, l, 2, 0, TRUE);
}

static const OhCase stack_backward[] = {
  { "dims", stack_bw_cases },
  { NULL, NULL }
};

/* copy_ and fill_ */

static void
copy__run (OhShape sd, LtDType dd, OhLay ld, OhShape ss, LtDType ds, OhLay ls)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) dst = oh_arr_new (sd, dd, ld, OH_DIST_UNIT);
  g_auto(OhArr) src = oh_arr_new (ss, ds, ls, OH_DIST_UNIT);
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (dst.n, 1));
  guint version = lt_tensor_get_version (dst.t);

  for (gint64 k = 0; k < dst.n; k++)
    {
      oh_unravel (k, sd, idx);
      ref[k] = oh_convert (src.v[oh_bindex (idx, sd.n, ss)], dd);
    }
  g_assert_cmpint (lt_tensor_copy_ (dst.t, src.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (dst.t, dd, sd, ref);
  if (dst.n > 0)
    g_assert_cmpuint (lt_tensor_get_version (dst.t), >, version);
}

static void
copy__fw_cases (gconstpointer d)
{
  copy__run (OH_SH (4, 5), F32, OH_LAY_T, OH_SH (5), F64, OH_LAY_CONTIG);
  copy__run (OH_SH (4, 5), F64, OH_LAY_STEP, OH_SH (4, 1), F32, OH_LAY_T);
  copy__run (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_SH (3, 4), F32, OH_LAY_T);
  copy__run (OH_SH (3, 4), BOOL, OH_LAY_T, OH_SH (4), I32, OH_LAY_CONTIG);
  copy__run (OH_SH0, F32, OH_LAY_CONTIG, OH_SH0, I64, OH_LAY_CONTIG);
  copy__run (OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_SH (3), F32, OH_LAY_CONTIG);
  copy__run (OH_SH (263, 267), F32, OH_LAY_T, OH_SH (263, 267), F32, OH_LAY_CONTIG);
}

static void
copy__fw_overlap (gconstpointer d)
{
  /* x.copy_(x.t()): the source is read before it is overwritten */
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) t = lt_tensor_t (x.t, &error);
  double ref[16];

  g_assert_no_error (error);
  for (guint k = 0; k < 16; k++)
    ref[k] = x.v[(k % 4) * 4 + k / 4];
  g_assert_cmpint (lt_tensor_copy_ (x.t, t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, F32, OH_SH (4, 4), ref);

  {
    /* x[1:].copy_(x[:-1]): a shift within one storage */
    g_auto(OhArr) v = oh_arr_new (OH_SH (9), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_autoptr(LtTensor) dst = lt_tensor_slice (v.t, 0, 1, 9, 1, &error);
    g_autoptr(LtTensor) src = lt_tensor_slice (v.t, 0, 0, 8, 1, &error);
    double sref[9];

    g_assert_no_error (error);
    sref[0] = v.v[0];
    for (guint k = 1; k < 9; k++)
      sref[k] = v.v[k - 1];
    g_assert_cmpint (lt_tensor_copy_ (dst, src, &error), ==, TRUE);
    g_assert_no_error (error);
    oh_check (v.t, F64, OH_SH (9), sref);
  }
}

static void
copy__fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) y = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) e = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_EXPAND, OH_DIST_UNIT);

  g_assert_cmpint (lt_tensor_copy_ (x.t, y.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  /* an expanded tensor cannot be written: its elements share memory */
  g_assert_cmpint (lt_tensor_copy_ (e.t, y.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase copy__forward[] = {
  { "cases", copy__fw_cases },
  { "overlap", copy__fw_overlap },
  { "errors", copy__fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.copy_(b); y * a: a's gradient is y, b's the sum of a
 * over the broadcast rows */
static LtTensor *
gc_copy_ (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);
  LtTensor *out;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_copy_ (y, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  out = lt_tensor_mul (y, in[0], &error);
  g_assert_no_error (error);
  return out;
}

static void
copy__bw_cases (gconstpointer d)
{
  LtTensor *in[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (4), OH_LAY_STEP, OH_DIST_UNIT) };

  oh_gradcheck (gc_copy_, NULL, in, 2);
  g_assert_cmpint (lt_tensor_set_requires_grad (in[0], FALSE, NULL), ==, TRUE);
  oh_gradcheck (gc_copy_, NULL, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const OhCase copy__backward[] = {
  { "broadcast", copy__bw_cases },
  { NULL, NULL }
};

static void
fill__run (OhShape s, LtDType dt, OhLay lay, double value)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  gint64 nan_before = 0, nan_after = 0;
  gsize es = lt_dtype_get_element_size (dt);
  gsize nbytes = lt_storage_get_nbytes (lt_tensor_get_storage (x.t));

  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_convert (value, dt);
  /* the gaps of a stepped tensor keep their sentinels */
  for (gsize b = 0; b < nbytes / es; b++)
    nan_before += isnan (_lt_load_double ((guint8 *) x.t->storage->data + b * es, dt));
  if (value == 0)
    g_assert_cmpint (lt_tensor_zero_ (x.t, &error), ==, TRUE);
  else
    g_assert_cmpint (lt_tensor_fill_ (x.t, value, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, dt, s, ref);
  for (gsize b = 0; b < nbytes / es; b++)
    nan_after += isnan (_lt_load_double ((guint8 *) x.t->storage->data + b * es, dt));
  g_assert_cmpint (nan_after, ==, nan_before);
}

static void
fill__fw_cases (gconstpointer d)
{
  fill__run (OH_SH (4, 5), F32, OH_LAY_T, 2.5);
  fill__run (OH_SH (4, 5), F64, OH_LAY_STEP, -1.25);
  fill__run (OH_SH (3, 4), I64, OH_LAY_STEP, 7.75);
  fill__run (OH_SH (3, 4), U8, OH_LAY_T, 200);
  fill__run (OH_SH (6), BOOL, OH_LAY_CONTIG, 3);
  fill__run (OH_SH0, F32, OH_LAY_CONTIG, 0);
  fill__run (OH_SH (0, 3), F32, OH_LAY_T, 1);
  fill__run (OH_SH (263, 267), F32, OH_LAY_T, 0);
}

static void
fill__fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) e = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_EXPAND, OH_DIST_UNIT);
  g_autoptr(LtTensor) l = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);

  g_assert_cmpint (lt_tensor_fill_ (e.t, 1, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* a leaf that requires grad cannot be changed in place */
  g_assert_cmpint (lt_tensor_fill_ (l, 1, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

static const OhCase fill__forward[] = {
  { "cases", fill__fw_cases },
  { "errors", fill__fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.fill_(2.5); y * a: a's gradient is 2.5 */
static LtTensor *
gc_fill_ (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);
  LtTensor *out;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_fill_ (y, 2.5, &error), ==, TRUE);
  g_assert_no_error (error);
  out = lt_tensor_mul (y, in[0], &error);
  g_assert_no_error (error);
  return out;
}

static void
fill__bw_cases (gconstpointer d)
{
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) r = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_UNIT);

  oh_gradcheck (gc_fill_, NULL, &x, 1);
  oh_gradcheck (gc_fill_, NULL, &r, 1);
}

static const OhCase fill__backward[] = {
  { "cases", fill__bw_cases },
  { NULL, NULL }
};

/* alias: LT_OP_ALIAS has no public front end. detach() records no node
 * (as PyTorch's detach); the op's row (AliasBackward0, the identity rule)
 * serves views that keep the shape. The forward case checks detach's
 * aliasing; the backward case records an alias node by hand through the
 * private autograd API and differentiates through it. */

static void
alias_fw_detach (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) a = lt_tensor_detach (y);
  g_autofree double *before = oh_values_of (y);
  double ref[12];

  g_assert_no_error (error);
  g_assert_cmpstr (_lt_op_table[LT_OP_ALIAS].node_name[0], ==, "AliasBackward0");
  g_assert_cmpint (lt_tensor_get_requires_grad (a), ==, FALSE);
  g_assert_null (lt_tensor_get_grad_fn (a));
  g_assert_cmpint (lt_tensor_shares_storage (a, y), ==, TRUE);
  oh_check (a, F64, OH_SH (3, 4), before);
  /* writes through the alias show in the original */
  g_assert_cmpint (lt_tensor_fill_ (a, 1.5, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = 1.5;
  oh_check (y, F64, OH_SH (3, 4), ref);
}

static const OhCase alias_forward[] = {
  { "detach", alias_fw_detach },
  { NULL, NULL }
};

static LtTensor *
gc_alias (LtTensor **in, gsize n, gpointer data)
{
  LtTensor *x = in[0];
  LtTensor *v = _lt_tensor_new_view (x, x->shape, x->strides, x->ndim, x->offset);
  LtGradFn *node = _lt_autograd_record (LT_OP_ALIAS, &x, 1);

  if (node)
    {
      _lt_autograd_set_output (node, v);
      g_assert_cmpstr (lt_grad_fn_get_name (node), ==, "AliasBackward0");
    }
  return v;
}

static void
alias_bw_identity (gconstpointer d)
{
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) r = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_UNIT);

  oh_gradcheck (gc_alias, NULL, &x, 1);
  oh_gradcheck (gc_alias, NULL, &r, 1);
}

static const OhCase alias_backward[] = {
  { "identity", alias_bw_identity },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_VIEW, "view", NULL, view_forward, NULL, view_backward, NULL),
  OH_SPEC (LT_OP_PERMUTE, "permute", NULL, permute_forward, NULL, permute_backward, NULL),
  OH_SPEC (LT_OP_TRANSPOSE, "transpose", NULL, transpose_forward, NULL, transpose_backward, NULL),
  OH_SPEC (LT_OP_EXPAND, "expand", NULL, expand_forward, NULL, expand_backward, NULL),
  OH_SPEC (LT_OP_SQUEEZE, "squeeze", NULL, squeeze_forward, NULL, squeeze_backward, NULL),
  OH_SPEC (LT_OP_UNSQUEEZE, "unsqueeze", NULL, unsqueeze_forward, NULL, unsqueeze_backward, NULL),
  OH_SPEC (LT_OP_SELECT, "select", NULL, select_forward, NULL, select_backward, NULL),
  OH_SPEC (LT_OP_SLICE, "slice", NULL, slice_forward, NULL, slice_backward, NULL),
  OH_SPEC (LT_OP_UNBIND, "unbind", NULL, unbind_forward, NULL, unbind_backward, NULL),
  OH_SPEC (LT_OP_ALIAS, "alias", NULL, alias_forward, NULL, alias_backward, NULL),

  OH_SPEC (LT_OP_CLONE, "clone", NULL, clone_forward, NULL, clone_backward, NULL),
  OH_SPEC (LT_OP_TO_DTYPE, "to_dtype", NULL, to_forward, NULL, to_backward, NULL),
  OH_SPEC (LT_OP_CAT, "cat", NULL, cat_forward, NULL, cat_backward, NULL),
  OH_SPEC (LT_OP_STACK, "stack", NULL, stack_forward, NULL, stack_backward, NULL),
  OH_SPEC (LT_OP_INPLACE_COPY, "copy_", NULL, copy__forward, NULL, copy__backward, NULL),
  OH_SPEC (LT_OP_INPLACE_FILL, "fill_", NULL, fill__forward, NULL, fill__backward, NULL),
};

guint
oh_register_shape (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
