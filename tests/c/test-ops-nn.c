/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op harness's specs of the ops of the nn layers: the activations
 * with kernels of their own (gelu, silu, elu, softplus, hardtanh) and
 * their backward kernel activation_grad, prelu, embedding and the
 * resampling of interpolate (upsample_nearest2d, upsample_bilinear2d). Forward
 * values against float64 references written here from the definitions
 * (not from the kernels' expressions: gelu through erfc, softplus through
 * log, ...), in every layout; backward by float64 gradcheck and against
 * the derivative's reference; node names as PyTorch's.
 */

#include "ops-harness.h"
#include "ops/lt-ops-private.h"

typedef struct
{
  LtOp        op;
  const char *node;
  double      a, b, c; /* the op's parameters, as LtActivationParams */
  gboolean    tanh;
} Act;

static const Act act_gelu = { LT_OP_GELU, "GeluBackward0", 0, 0, 0, FALSE };
static const Act act_gelu_tanh = { LT_OP_GELU, "GeluBackward0", 0, 0, 0, TRUE };
static const Act act_silu = { LT_OP_SILU, "SiluBackward0", 0, 0, 0, FALSE };
static const Act act_elu = { LT_OP_ELU, "EluBackward0", 1.0, 1.0, 1.0, FALSE };
static const Act act_selu = { LT_OP_ELU, "EluBackward0", 1.6732632423543772, 1.0507009873554805,
                              1.0,       FALSE };
static const Act act_softplus = { LT_OP_SOFTPLUS, "SoftplusBackward0", 1.0, 20.0, 0, FALSE };
static const Act act_softplus_b = { LT_OP_SOFTPLUS, "SoftplusBackward0", 2.0, 3.0, 0, FALSE };
static const Act act_hardtanh = { LT_OP_HARDTANH, "HardtanhBackward0", -1.0, 1.0, 0, FALSE };
static const Act act_relu6 = { LT_OP_HARDTANH, "HardtanhBackward0", 0.0, 6.0, 0, FALSE };

static LtTensor *
act_apply (const Act *a, LtTensor *x, GError **error)
{
  switch (a->op)
    {
      case LT_OP_GELU:
        return lt_gelu (x, a->tanh ? "tanh" : "none", error);
      case LT_OP_SILU:
        return lt_silu (x, error);
      case LT_OP_ELU:
        return lt_elu (x, a->a, a->b, a->c, error);
      case LT_OP_SOFTPLUS:
        return lt_softplus (x, a->a, a->b, error);
      case LT_OP_HARDTANH:
        return lt_hardtanh (x, a->a, a->b, error);
      default:
        g_assert_not_reached ();
    }
}

static double
act_ref (const Act *a, double x)
{
  switch (a->op)
    {
      case LT_OP_GELU:
        if (a->tanh)
          return x / (1.0 + exp (-2.0 * sqrt (2.0 / G_PI) * (x + 0.044715 * x * x * x)));
        return 0.5 * x * erfc (-x / sqrt (2.0));
      case LT_OP_SILU:
        return x * 0.5 * (1.0 + tanh (x / 2.0));
      case LT_OP_ELU:
        return a->b * (x > 0 ? x : a->a * (exp (x * a->c) - 1.0));
      case LT_OP_SOFTPLUS:
        return x * a->a > a->b ? x : log (1.0 + exp (a->a * x)) / a->a;
      case LT_OP_HARDTANH:
        return MIN (MAX (x, a->a), a->b);
      default:
        g_assert_not_reached ();
    }
}

/* The derivative by a central difference of the reference, away from the
 * kinks, which the cases avoid (OH_DIST_AWAY) */
static double
act_ref_grad (const Act *a, double x)
{
  double h = 1e-6;

  if (a->op == LT_OP_HARDTANH && (x <= a->a || x >= a->b))
    return 0;
  return (act_ref (a, x + h) - act_ref (a, x - h)) / (2 * h);
}

static void
act_run (const Act *a, OhShape s, LtDType dt, OhLay lay, OhDist dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, dist);
  g_autoptr(LtTensor) y = act_apply (a, x.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = act_ref (a, x.v[k]);
  if (dt == F32)
    oh_check_tol (y, dt, s, ref, 1e-5, 1e-6);
  else
    oh_check_tol (y, dt, s, ref, 1e-12, 1e-13);
}

static void
act_fw_values_one (const Act *d)
{
  const Act *a = d;

  act_run (a, OH_SH (4, 5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  act_run (a, OH_SH (4, 5), F32, OH_LAY_T, OH_DIST_WIDE);
  act_run (a, OH_SH (3, 7), F64, OH_LAY_STEP, OH_DIST_UNIT);
  act_run (a, OH_SH (2, 3), F32, OH_LAY_EXPAND, OH_DIST_GRID);
  act_run (a, OH_SH (3, 4), F64, OH_LAY_PAD, OH_DIST_WIDE);
  act_run (a, OH_SH0, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  act_run (a, OH_SH (0, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  act_run (a, OH_SH (OH_BIG), F32, OH_LAY_CONTIG, OH_DIST_WIDE);
}

static void
act_fw_errors_one (const Act *d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y = act_apply (d, x.t, &error);

  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, _lt_op_table[d->op].name));
}

/* Each spec's data: its variants, NULL-terminated */
#define EACH_VARIANT(name)                                                                         \
  static void name (gconstpointer d)                                                               \
  {                                                                                                \
    for (const Act *const *a = d; *a; a++)                                                         \
      name##_one (*a);                                                                             \
  }
EACH_VARIANT (act_fw_values)
EACH_VARIANT (act_fw_errors)

static const OhCase act_forward[] = { { "values", act_fw_values },
                                      { "errors", act_fw_errors },
                                      { NULL, NULL } };

/* Bad parameters, NaN and the other forms */
static void
act_fw_params (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  const double nan_in[] = { NAN, -INFINITY, INFINITY };
  g_autoptr(LtTensor) xn = oh_build (nan_in, OH_SH (3), F64, OH_LAY_CONTIG);
  LtTensor *y;

  y = lt_gelu (x.t, "fast", &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_softplus (x.t, 0.0, 20, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_hardtanh (x.t, 1.0, -1.0, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_celu (x.t, 0.0, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_elu (x.t, NAN, 1, 1, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* NaN stays NaN; the infinities go where the functions go */
  for (guint i = 0; i < 5; i++)
    {
      static const Act *acts[] = { &act_gelu, &act_silu, &act_elu, &act_softplus, &act_hardtanh };
      g_autoptr(LtTensor) r = act_apply (acts[i], xn, &error);
      g_autofree double *v = NULL;

      g_assert_no_error (error);
      v = oh_values_of (r);
      g_assert_true (isnan (v[0]));
      /* as PyTorch: gelu and silu give NaN at -inf (-inf times 0) */
      if (acts[i]->op == LT_OP_GELU || acts[i]->op == LT_OP_SILU)
        g_assert_true (isnan (v[1]));
      else
        g_assert_cmpfloat (v[1], ==, acts[i]->op == LT_OP_SOFTPLUS ? 0.0 : -1.0);
      g_assert_cmpfloat (v[2], ==, acts[i]->op == LT_OP_HARDTANH ? 1.0 : INFINITY);
    }
}

static const OhCase act_forward_extra[] = { { "params", act_fw_params }, { NULL, NULL } };

static LtTensor *
gc_act (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = act_apply (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
act_bw_values_one (const Act *d)
{
  const Act *a = d;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_AWAY);
  g_autoptr(LtTensor) xt = oh_leaf_new (OH_SH (4, 3), OH_LAY_T, OH_DIST_AWAY);
  g_autoptr(LtTensor) x0 = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_AWAY);
  g_autoptr(LtTensor) xe = oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, OH_DIST_AWAY);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *g = NULL;

  oh_gradcheck (gc_act, a, &x, 1);
  oh_gradcheck (gc_act, a, &xt, 1);
  oh_gradcheck (gc_act, a, &x0, 1);
  oh_backward_shapes (gc_act, a, &xe, 1);
  /* the node, and the gradient against the reference's derivative */
  g_assert_true (lt_tensor_set_grad (x, NULL, NULL));
  y = act_apply (a, x, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, a->node);
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 12; k++)
    g_assert_cmpfloat (fabs (g[k] - act_ref_grad (a, xv[k])), <, 1e-6);
}

/* float32 gradients, and at the kinks: hardtanh's is 0 at its bounds */
static void
act_bw_kinks_one (const Act *d)
{
  const Act   *a = d;
  const double v[] = { -1, 0, 1, 6, -3, 3 };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (6));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = act_apply (a, x, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 6; k++)
    {
      double want =
        a->op == LT_OP_HARDTANH && (v[k] <= a->a || v[k] >= a->b) ? 0.0 : act_ref_grad (a, v[k]);

      if (a->op == LT_OP_ELU && v[k] == 0)
        want = a->b * a->a * a->c; /* the x <= 0 branch, as PyTorch */
      g_assert_cmpfloat (fabs (g[k] - want), <, 1e-6);
    }
}

EACH_VARIANT (act_bw_values)
EACH_VARIANT (act_bw_kinks)

static const OhCase act_backward[] = { { "values", act_bw_values },
                                       { "kinks", act_bw_kinks },
                                       { NULL, NULL } };

/* celu: elu's overload, CeluBackward0 */
static void
celu_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (5), OH_LAY_CONTIG, OH_DIST_AWAY);
  g_autoptr(LtTensor) y = lt_celu (x, 0.5, &error);
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *yv = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "CeluBackward0");
  yv = oh_values_of (y);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpfloat (fabs (yv[k] - (MAX (0, xv[k]) + MIN (0, 0.5 * expm1 (xv[k] / 0.5)))), <,
                       1e-12);
}

static const OhCase elu_backward_extra[] = { { "celu", celu_bw_node }, { NULL, NULL } };

/* activation_grad: run by the rules above; directly, with broadcasting and
 * a gradient of another layout */
static void
actgrad_fw_values (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) g = oh_arr_new (OH_SH (3, 4), F64, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F64, OH_LAY_STEP, OH_DIST_AWAY);
  g_autoptr(LtTensor) out = lt_empty ((gint64[]){ 3, 4 }, 2, F64, &error);
  LtOpParams p = { .activation = { .op = LT_OP_SILU } };
  LtTensor  *in[2] = { g.t, x.t };
  double     ref[12];

  g_assert_no_error (error);
  g_assert_true (_lt_run (LT_OP_ACTIVATION_GRAD, out, NULL, in, 2, &p, &error));
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = g.v[k] * act_ref_grad (&act_silu, x.v[k]);
  oh_check_tol (out, F64, OH_SH (3, 4), ref, 1e-8, 1e-9);
}

static void
actgrad_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) g = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) out = lt_empty ((gint64[]){ 3 }, 1, I64, &error);
  LtOpParams p = { .activation = { .op = LT_OP_GELU } };
  LtTensor  *in[2] = { g.t, g.t };

  g_assert_false (_lt_run (LT_OP_ACTIVATION_GRAD, out, NULL, in, 2, &p, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
}

static const OhCase actgrad_forward[] = { { "values", actgrad_fw_values },
                                          { "errors", actgrad_fw_errors },
                                          { NULL, NULL } };

/* prelu */

static void
prelu_run (OhShape s, LtDType dt, OhLay lay, gint64 nw)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (nw), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_prelu (x.t, w.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  gint64             idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      gint64 c = 0;

      oh_unravel (k, s, idx);
      if (nw > 1)
        c = idx[1];
      ref[k] = x.v[k] > 0 ? x.v[k] : w.v[c] * x.v[k];
    }
  oh_check (y, dt, s, ref);
}

static void
prelu_fw_values (gconstpointer d)
{
  prelu_run (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, 3);
  prelu_run (OH_SH (2, 3, 4, 5), F64, OH_LAY_T, 3);
  prelu_run (OH_SH (4, 5), F32, OH_LAY_STEP, 5);
  prelu_run (OH_SH (4, 5), F32, OH_LAY_CONTIG, 1);
  prelu_run (OH_SH (7), F64, OH_LAY_CONTIG, 1);
  prelu_run (OH_SH0, F64, OH_LAY_CONTIG, 1);
  prelu_run (OH_SH (0, 3), F32, OH_LAY_CONTIG, 3);
}

static void
prelu_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w2 = oh_arr_new (OH_SH (2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w64 = oh_arr_new (OH_SH (3), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (2, 3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y;

  y = lt_prelu (x.t, w2.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "3 channels"));
  g_clear_error (&error);
  y = lt_prelu (x.t, w64.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_prelu (xi.t, xi.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
}

static const OhCase prelu_forward[] = { { "values", prelu_fw_values },
                                        { "errors", prelu_fw_errors },
                                        { NULL, NULL } };

static LtTensor *
gc_prelu (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_prelu (in[0], in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
prelu_bw_values (gconstpointer d)
{
  LtTensor *in[2] = { oh_leaf_new (OH_SH (2, 3, 4), OH_LAY_CONTIG, OH_DIST_AWAY),
                      oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_AWAY) };
  LtTensor *one[2] = { oh_leaf_new (OH_SH (4, 3), OH_LAY_T, OH_DIST_AWAY),
                       oh_leaf_new (OH_SH (1), OH_LAY_CONTIG, OH_DIST_AWAY) };
  g_autoptr(LtTensor) y = NULL;

  oh_gradcheck (gc_prelu, NULL, in, 2);
  oh_gradcheck (gc_prelu, NULL, one, 2);
  y = gc_prelu (in, 2, NULL);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "PreluBackward0");
  for (guint i = 0; i < 2; i++)
    {
      g_object_unref (in[i]);
      g_object_unref (one[i]);
    }
}

static const OhCase prelu_backward[] = { { "values", prelu_bw_values }, { NULL, NULL } };

/* embedding */

static void
embedding_run (OhShape ws, const gint64 *idx, OhShape is, LtDType dt, LtDType it, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) w = oh_arr_new (ws, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) i64 = lt_tensor_new_from_data (idx, oh_numel (is) * sizeof (gint64), is.d,
                                                      is.n, I64, &error);
  g_autoptr(LtTensor) ic = i64 ? lt_tensor_to_dtype (i64, it, &error) : NULL;
  g_autoptr(LtTensor) indices = ic ? lt_tensor_to_device (ic, oh_device, &error) : NULL;
  g_autoptr(LtTensor) y = indices ? lt_embedding (w.t, indices, -1, &error) : NULL;
  OhShape            os = is;
  gint64             n = oh_numel (is);
  g_autofree double *ref = g_new0 (double, MAX (n * ws.d[1], 1));

  g_assert_no_error (error);
  os.d[os.n++] = ws.d[1];
  for (gint64 k = 0; k < n; k++)
    for (gint64 j = 0; j < ws.d[1]; j++)
      ref[k * ws.d[1] + j] = w.v[idx[k] * ws.d[1] + j];
  oh_check (y, dt, os, ref);
}

static void
embedding_fw_values (gconstpointer d)
{
  const gint64 idx[] = { 3, 0, 4, 4, 1, 0 };

  embedding_run (OH_SH (5, 3), idx, OH_SH (2, 3), F32, I64, OH_LAY_CONTIG);
  embedding_run (OH_SH (5, 4), idx, OH_SH (6), F64, I32, OH_LAY_T);
  embedding_run (OH_SH (5, 2), idx, OH_SH (3, 1, 2), F32, I64, OH_LAY_STEP);
  embedding_run (OH_SH (5, 2), idx, OH_SH0, F32, I64, OH_LAY_CONTIG);
  embedding_run (OH_SH (5, 2), idx, OH_SH (0, 2), F32, I64, OH_LAY_CONTIG);
}

static void
embedding_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) w = oh_arr_new (OH_SH (4, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w1 = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) fidx = oh_arr_new (OH_SH (2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  const gint64 bad[] = { 1, 4 };
  g_autoptr(LtTensor) host_idx =
               lt_tensor_new_from_data (bad, sizeof bad, (gint64[]){ 2 }, 1, I64, NULL);
  g_autoptr(LtTensor) idx = lt_tensor_to_device (host_idx, oh_device, NULL);
  LtTensor *y;

  y = lt_embedding (w.t, idx, -1, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "embedding"));
  g_clear_error (&error);
  y = lt_embedding (w1.t, idx, -1, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_embedding (w.t, fidx.t, -1, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_embedding (w.t, idx, 4, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase embedding_forward[] = { { "values", embedding_fw_values },
                                            { "errors", embedding_fw_errors },
                                            { NULL, NULL } };

static LtTensor *
gc_embedding (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  const gint64 idx[] = { 2, 0, 2, 3, 1, 2 };
  g_autoptr(LtTensor) host_indices =
               lt_tensor_new_from_data (idx, sizeof idx, (gint64[]){ 2, 3 }, 2, I64, &error);
  g_autoptr(LtTensor) indices =
               lt_tensor_to_device (host_indices, lt_tensor_get_device (in[0]), &error);
  LtTensor *y = lt_embedding (in[0], indices, data ? *(const gint64 *) data : -1, &error);

  g_assert_no_error (error);
  return y;
}

static void
embedding_bw_values (gconstpointer d)
{
  static const gint64 pad = 2;
  g_autoptr(LtTensor) w = oh_leaf_new (OH_SH (4, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *g = NULL;

  oh_gradcheck (gc_embedding, NULL, &w, 1);
  /* the padding row gets no gradient; the others count their uses */
  y = gc_embedding (&w, 1, (gpointer) &pad);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "EmbeddingBackward0");
  oh_backward_sum (y);
  g = oh_grad_of (w);
  for (guint j = 0; j < 3; j++)
    {
      g_assert_cmpfloat (g[0 * 3 + j], ==, 1);
      g_assert_cmpfloat (g[1 * 3 + j], ==, 1);
      g_assert_cmpfloat (g[2 * 3 + j], ==, 0);
      g_assert_cmpfloat (g[3 * 3 + j], ==, 1);
    }
}

static const OhCase embedding_backward[] = { { "values", embedding_bw_values }, { NULL, NULL } };

/* upsample_nearest2d, upsample_bilinear2d: references pixel by pixel */

typedef struct
{
  gboolean bilinear;
  gboolean align_corners;
  gint64   oh, ow;
  double   sh, sw;
} Ups;

static LtTensor *
ups_apply (const Ups *u, LtTensor *x, GError **error)
{
  if (u->bilinear)
    return lt_interpolate_bilinear2d (x, u->oh, u->ow, u->align_corners, u->sh, u->sw, error);
  return lt_interpolate_nearest2d (x, u->oh, u->ow, u->sh, u->sw, error);
}

/* source coordinate of output pixel d along an axis of @in pixels */
static double
ups_src (const Ups *u, gint64 d, gint64 in, gint64 out, double given)
{
  if (u->bilinear && u->align_corners)
    return out > 1 ? d * (double) (in - 1) / (out - 1) : 0;
  if (u->bilinear)
    {
      double r = given > 0 ? 1 / given : (double) in / out;

      return MAX ((d + 0.5) * r - 0.5, 0);
    }
  return MIN (floorf ((float) d * (float) (given > 0 ? 1 / given : (double) in / out)), in - 1);
}

static double
ups_at (const double *v, gint64 w, gint64 h, gint64 x)
{
  return v[h * w + x];
}

static void
ups_run (const Ups *u, OhShape s, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = ups_apply (u, x.t, &error);
  gint64             planes = s.d[0] * s.d[1], H = s.d[2], W = s.d[3];
  g_autofree double *ref = g_new0 (double, MAX (planes * u->oh * u->ow, 1));

  g_assert_no_error (error);
  for (gint64 p = 0; p < planes; p++)
    for (gint64 i = 0; i < u->oh; i++)
      for (gint64 j = 0; j < u->ow; j++)
        {
          const double *plane = x.v + p * H * W;
          double        sy = ups_src (u, i, H, u->oh, u->sh), sx = ups_src (u, j, W, u->ow, u->sw);
          double        r;

          if (!u->bilinear)
            r = ups_at (plane, W, (gint64) sy, (gint64) sx);
          else
            {
              gint64 y0 = (gint64) sy, x0 = (gint64) sx;
              gint64 y1 = MIN (y0 + 1, H - 1), x1 = MIN (x0 + 1, W - 1);
              double ly = sy - y0, lx = sx - x0;

              r =
                (1 - ly) * ((1 - lx) * ups_at (plane, W, y0, x0) + lx * ups_at (plane, W, y0, x1)) +
                ly * ((1 - lx) * ups_at (plane, W, y1, x0) + lx * ups_at (plane, W, y1, x1));
            }
          ref[(p * u->oh + i) * u->ow + j] = r;
        }
  oh_check_tol (y, dt, OH_SH (s.d[0], s.d[1], u->oh, u->ow), ref, dt == F32 ? 1e-5 : 1e-12,
                dt == F32 ? 1e-6 : 1e-12);
}

static const Ups ups_cases[] = {
  { FALSE, FALSE, 6, 10, 2, 2 },    { FALSE, FALSE, 5, 7, 0, 0 },    { FALSE, FALSE, 2, 3, 0, 0 },
  { FALSE, FALSE, 5, 8, 1.7, 1.7 }, { TRUE, FALSE, 6, 10, 2, 2 },    { TRUE, FALSE, 5, 7, 0, 0 },
  { TRUE, TRUE, 7, 4, 0, 0 },       { TRUE, FALSE, 2, 3, 0.6, 0.6 }, { TRUE, TRUE, 1, 1, 0, 0 },
};

static void
ups_fw_values (gconstpointer d)
{
  gboolean bilinear = GPOINTER_TO_INT (d);

  for (guint i = 0; i < G_N_ELEMENTS (ups_cases); i++)
    if (ups_cases[i].bilinear == bilinear)
      {
        ups_run (&ups_cases[i], OH_SH (2, 3, 3, 5), F32, OH_LAY_CONTIG);
        ups_run (&ups_cases[i], OH_SH (1, 2, 3, 5), F64, OH_LAY_T);
        ups_run (&ups_cases[i], OH_SH (2, 1, 3, 5), F64, OH_LAY_STEP);
        ups_run (&ups_cases[i], OH_SH (0, 2, 3, 5), F32, OH_LAY_CONTIG);
      }
}

static void
ups_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  Ups u = { GPOINTER_TO_INT (d), FALSE, 4, 4, 0, 0 };
  Ups bad = { GPOINTER_TO_INT (d), FALSE, 0, 4, 0, 0 };
  g_auto(OhArr) x3 = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (1, 1, 2, 2), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) x = oh_arr_new (OH_SH (1, 1, 2, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y;

  y = ups_apply (&u, x3.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = ups_apply (&u, xi.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = ups_apply (&bad, x.t, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase ups_forward[] = { { "values", ups_fw_values },
                                      { "errors", ups_fw_errors },
                                      { NULL, NULL } };

static LtTensor *
gc_ups (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = ups_apply (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
ups_bw_values (gconstpointer d)
{
  gboolean bilinear = GPOINTER_TO_INT (d);

  for (guint i = 0; i < G_N_ELEMENTS (ups_cases); i++)
    if (ups_cases[i].bilinear == bilinear)
      {
        g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (1, 2, 3, 5), OH_LAY_CONTIG, OH_DIST_UNIT);
        g_autoptr(LtTensor) y = NULL;

        oh_gradcheck (gc_ups, (gpointer) &ups_cases[i], &x, 1);
        y = gc_ups (&x, 1, (gpointer) &ups_cases[i]);
        g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                         bilinear ? "UpsampleBilinear2DBackward1" : "UpsampleNearest2DBackward1");
      }
}

static const OhCase ups_backward[] = { { "values", ups_bw_values }, { NULL, NULL } };

static const Act *const gelu_variants[] = { &act_gelu, &act_gelu_tanh, NULL };
static const Act *const silu_variants[] = { &act_silu, NULL };
static const Act *const elu_variants[] = { &act_elu, &act_selu, NULL };
static const Act *const softplus_variants[] = { &act_softplus, &act_softplus_b, NULL };
static const Act *const hardtanh_variants[] = { &act_hardtanh, &act_relu6, NULL };

#define ACT(op, path, variants, bwx)                                                               \
  OH_SPEC (op, path, variants, act_forward, act_forward_extra, act_backward, bwx)

static const OhSpec specs[] = {
  ACT (LT_OP_GELU, "gelu", gelu_variants, NULL),
  ACT (LT_OP_SILU, "silu", silu_variants, NULL),
  ACT (LT_OP_ELU, "elu", elu_variants, elu_backward_extra),
  ACT (LT_OP_SOFTPLUS, "softplus", softplus_variants, NULL),
  ACT (LT_OP_HARDTANH, "hardtanh", hardtanh_variants, NULL),
  OH_SPEC (LT_OP_ACTIVATION_GRAD, "activation_grad", NULL, actgrad_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_PRELU, "prelu", NULL, prelu_forward, NULL, prelu_backward, NULL),
  OH_SPEC (LT_OP_EMBEDDING, "embedding", NULL, embedding_forward, NULL, embedding_backward, NULL),
  OH_SPEC (LT_OP_UPSAMPLE_NEAREST2D,
           "upsample_nearest2d",
           GINT_TO_POINTER (FALSE),
           ups_forward,
           NULL,
           ups_backward,
           NULL),
  OH_SPEC (LT_OP_UPSAMPLE_BILINEAR2D,
           "upsample_bilinear2d",
           GINT_TO_POINTER (TRUE),
           ups_forward,
           NULL,
           ups_backward,
           NULL),
};

guint
oh_register_nn (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
