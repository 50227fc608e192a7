/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the in-place view ops
 * of ops/lt-shape-inplace.c, unsqueeze_, squeeze_ and transpose_. Each
 * must leave @self with the shape and strides of the out-of-place view
 * over the same elements, write nothing, and chain its node.
 */

#include "ops-harness.h"

typedef enum
{
  IP_UNSQUEEZE,
  IP_SQUEEZE,
  IP_SQUEEZE_DIM,
  IP_TRANSPOSE,
} IpKind;

typedef struct
{
  LtOp   op;
  IpKind kind;
} IpDef;

static const IpDef ip_unsqueeze = { LT_OP_UNSQUEEZE_INPLACE, IP_UNSQUEEZE };
static const IpDef ip_squeeze = { LT_OP_SQUEEZE_INPLACE, IP_SQUEEZE };
static const IpDef ip_transpose = { LT_OP_TRANSPOSE_INPLACE, IP_TRANSPOSE };

/* The out-of-place view and the in-place op of @kind on @a, @b */
static LtTensor *
ip_view (IpKind kind, LtTensor *t, gint a, gint b, GError **error)
{
  switch (kind)
    {
      case IP_UNSQUEEZE:
        return lt_tensor_unsqueeze (t, a, error);
      case IP_SQUEEZE:
        return lt_tensor_squeeze (t, error);
      case IP_SQUEEZE_DIM:
        return lt_tensor_squeeze_dim (t, a, error);
      default:
        return lt_tensor_transpose (t, a, b, error);
    }
}

static gboolean
ip_apply (IpKind kind, LtTensor *t, gint a, gint b, GError **error)
{
  switch (kind)
    {
      case IP_UNSQUEEZE:
        return lt_tensor_unsqueeze_ (t, a, error);
      case IP_SQUEEZE:
        return lt_tensor_squeeze_ (t, error);
      case IP_SQUEEZE_DIM:
        return lt_tensor_squeeze_dim_ (t, a, error);
      default:
        return lt_tensor_transpose_ (t, a, b, error);
    }
}

/* @self after the op equals the out-of-place view: shape, strides,
 * offset, the same storage, the same values */
static void
ip_check (IpKind kind, OhShape s, OhLay lay, gint a, gint b)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, F32, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) view = ip_view (kind, x.t, a, b, &error);
  LtStorage         *storage = x.t->storage;
  gint64             offset = x.t->offset;
  guint              version = lt_tensor_get_version (x.t);
  g_autofree double *want = NULL;
  g_autofree double *got = NULL;

  g_assert_no_error (error);
  want = oh_values_of (view);
  g_assert_cmpint (ip_apply (kind, x.t, a, b, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_assert_shape (x.t, oh_shape_of (view));
  for (guint i = 0; i < view->ndim; i++)
    g_assert_cmpint (x.t->strides[i], ==, view->strides[i]);
  g_assert_true (x.t->storage == storage);
  g_assert_cmpint (x.t->offset, ==, offset);
  g_assert_cmpuint (lt_tensor_get_version (x.t), ==, version);
  got = oh_values_of (x.t);
  for (gint64 k = 0; k < view->numel; k++)
    g_assert_cmpfloat (got[k], ==, want[k]);
}

static void
ip_fw_layouts (gconstpointer d)
{
  const IpDef *p = d;

  switch (p->kind)
    {
      case IP_UNSQUEEZE:
        ip_check (IP_UNSQUEEZE, OH_SH (3, 4), OH_LAY_CONTIG, 0, 0);
        ip_check (IP_UNSQUEEZE, OH_SH (3, 4), OH_LAY_T, -1, 0);
        ip_check (IP_UNSQUEEZE, OH_SH (3, 4), OH_LAY_STEP, 1, 0);
        ip_check (IP_UNSQUEEZE, OH_SH (5, 3), OH_LAY_EXPAND, 2, 0);
        ip_check (IP_UNSQUEEZE, OH_SH0, OH_LAY_CONTIG, 0, 0);
        ip_check (IP_UNSQUEEZE, OH_SH (0, 3), OH_LAY_T, -2, 0);
        break;
      case IP_SQUEEZE:
        ip_check (IP_SQUEEZE, OH_SH (3, 1, 4, 1), OH_LAY_CONTIG, 0, 0);
        ip_check (IP_SQUEEZE, OH_SH (1, 4, 1), OH_LAY_T, 0, 0);
        ip_check (IP_SQUEEZE, OH_SH (1), OH_LAY_CONTIG, 0, 0);
        ip_check (IP_SQUEEZE, OH_SH (3, 4), OH_LAY_STEP, 0, 0);
        ip_check (IP_SQUEEZE_DIM, OH_SH (3, 1, 4), OH_LAY_CONTIG, 1, 0);
        ip_check (IP_SQUEEZE_DIM, OH_SH (3, 1, 4), OH_LAY_T, -2, 0);
        /* a dimension whose size is not 1 stays */
        ip_check (IP_SQUEEZE_DIM, OH_SH (3, 4), OH_LAY_PAD, 0, 0);
        ip_check (IP_SQUEEZE_DIM, OH_SH (0, 1), OH_LAY_CONTIG, 1, 0);
        break;
      default:
        ip_check (IP_TRANSPOSE, OH_SH (3, 4), OH_LAY_CONTIG, 0, 1);
        ip_check (IP_TRANSPOSE, OH_SH (2, 3, 4), OH_LAY_TPAD, 0, -1);
        ip_check (IP_TRANSPOSE, OH_SH (3, 4), OH_LAY_T, 1, 1);
        ip_check (IP_TRANSPOSE, OH_SH (5, 3), OH_LAY_EXPAND, -1, 0);
        ip_check (IP_TRANSPOSE, OH_SH (0, 3), OH_LAY_CONTIG, 0, 1);
        break;
    }
}

/* A bad dimension is an error and leaves @self as it was */
static void
ip_fw_errors (gconstpointer d)
{
  const IpDef *p = d;
  IpKind       kind = p->kind == IP_SQUEEZE ? IP_SQUEEZE_DIM : p->kind;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_T, OH_DIST_UNIT);
  gint64 strides[2] = { x.t->strides[0], x.t->strides[1] };

  g_assert_cmpint (ip_apply (kind, x.t, 3, 0, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "3"));
  oh_assert_shape (x.t, OH_SH (3, 4));
  g_assert_cmpint (x.t->strides[0], ==, strides[0]);
  g_assert_cmpint (x.t->strides[1], ==, strides[1]);
}

/* A leaf that requires grad is refused (and accepted under no-grad); a
 * view of a tensor that requires grad is not: no element changes */
static void
ip_fw_autograd (gconstpointer d)
{
  const IpDef *p = d;
  IpKind       kind = p->kind == IP_SQUEEZE ? IP_SQUEEZE_DIM : p->kind;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) leaf = oh_leaf_new (OH_SH (3, 1), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (leaf, 2.0, &error);
  g_autoptr(LtTensor) v = lt_tensor_select (y, 0, 1, &error);
  LtGradFn *before = lt_tensor_get_grad_fn (v);
  LtGradFn *node;
  gboolean  prev;

  g_assert_no_error (error);
  g_assert_cmpint (ip_apply (kind, leaf, 0, 0, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  oh_assert_shape (leaf, OH_SH (3, 1));

  g_assert_cmpint (ip_apply (kind, v, 0, 0, &error), ==, TRUE);
  g_assert_no_error (error);
  node = lt_tensor_get_grad_fn (v);
  g_assert_cmpstr (lt_grad_fn_get_name (node), ==,
                   kind == IP_UNSQUEEZE     ? "UnsqueezeBackward1"
                   : kind == IP_SQUEEZE_DIM ? "SqueezeBackward3"
                                            : "TransposeBackward1");
  g_assert_true (lt_grad_fn_get_next_function (node, 0, NULL) == before);

  prev = lt_set_grad_enabled (FALSE);
  g_assert_cmpint (ip_apply (kind, leaf, 0, 0, &error), ==, TRUE);
  lt_set_grad_enabled (prev);
  g_assert_no_error (error);
}

static void
ip_fw_squeeze_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) leaf = oh_leaf_new (OH_SH (3, 1), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (leaf, 2.0, &error);

  g_assert_cmpint (lt_tensor_squeeze_ (y, &error), ==, TRUE);
  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "SqueezeBackward2");
}

static const OhCase ip_forward[] = { { "layouts", ip_fw_layouts },
                                     { "errors", ip_fw_errors },
                                     { "autograd", ip_fw_autograd },
                                     { NULL, NULL } };

static const OhCase ip_squeeze_forward_extra[] = { { "node", ip_fw_squeeze_node }, { NULL, NULL } };

/* Backward: y = (x * 1) with the op in place, then an op that reads the
 * new layout */

typedef struct
{
  IpKind   kind;
  gint     a, b;
  gboolean through_view; /* apply it to a view (select) of x * 1 */
} IpGrad;

static LtTensor *
gc_ip (LtTensor **in, gsize n, gpointer data)
{
  const IpGrad *g = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (in[0], 1.5, &error);
  g_autoptr(LtTensor) v = g->through_view ? lt_tensor_select (y, 0, 1, &error) : g_object_ref (y);
  g_autoptr(LtTensor) w = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ip_apply (g->kind, v, g->a, g->b, &error), ==, TRUE);
  g_assert_no_error (error);
  /* something that depends on the new layout: a weighted contiguous copy */
  w = lt_tensor_contiguous (v, &error);
  g_assert_no_error (error);
  return lt_tensor_mul (w, w, &error);
}

static void
ip_bw_gradcheck (gconstpointer d)
{
  const IpDef *p = d;
  IpGrad       cases[3];
  OhShape      shapes[3];
  guint        n = 0;

  switch (p->kind)
    {
      case IP_UNSQUEEZE:
        cases[n] = (IpGrad){ IP_UNSQUEEZE, 1, 0, FALSE }, shapes[n++] = OH_SH (3, 4);
        cases[n] = (IpGrad){ IP_UNSQUEEZE, -1, 0, TRUE }, shapes[n++] = OH_SH (2, 3, 4);
        break;
      case IP_SQUEEZE:
        cases[n] = (IpGrad){ IP_SQUEEZE, 0, 0, FALSE }, shapes[n++] = OH_SH (3, 1, 4);
        cases[n] = (IpGrad){ IP_SQUEEZE_DIM, 1, 0, FALSE }, shapes[n++] = OH_SH (3, 1, 4);
        cases[n] = (IpGrad){ IP_SQUEEZE_DIM, 0, 0, TRUE }, shapes[n++] = OH_SH (2, 1, 4);
        break;
      default:
        cases[n] = (IpGrad){ IP_TRANSPOSE, 0, 1, FALSE }, shapes[n++] = OH_SH (3, 4);
        cases[n] = (IpGrad){ IP_TRANSPOSE, 0, -1, TRUE }, shapes[n++] = OH_SH (2, 3, 4);
        break;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtTensor) x = oh_leaf_new (shapes[i], OH_LAY_T, OH_DIST_UNIT);

      oh_gradcheck (gc_ip, &cases[i], &x, 1);
    }
}

static const OhCase ip_backward[] = { { "gradcheck", ip_bw_gradcheck }, { NULL, NULL } };

static const OhSpec shape_inplace_specs[] = {
  OH_SPEC (LT_OP_UNSQUEEZE_INPLACE,
           "unsqueeze_",
           &ip_unsqueeze,
           ip_forward,
           NULL,
           ip_backward,
           NULL),
  OH_SPEC (LT_OP_SQUEEZE_INPLACE,
           "squeeze_",
           &ip_squeeze,
           ip_forward,
           ip_squeeze_forward_extra,
           ip_backward,
           NULL),
  OH_SPEC (LT_OP_TRANSPOSE_INPLACE,
           "transpose_",
           &ip_transpose,
           ip_forward,
           NULL,
           ip_backward,
           NULL),
};

guint
oh_register_shape_inplace (void)
{
  return oh_add_specs (shape_inplace_specs, G_N_ELEMENTS (shape_inplace_specs));
}
