/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): a Linear layer then a
 * ReLU as a product and bias_relu (ops/lt-fused-linear.c), the two rows of
 * its graph. linear_bias_relu (AddmmBackward0): the output against a
 * float64 reference and against lt_linear () then relu bit for bit, which
 * operands it takes; gradcheck and gradgradcheck (under create_graph the
 * rules are addmm's and relu's), and every gradient bit for bit against
 * the unfused ops. linear_relu (ReluBackward0): the node and its
 * neighbours, and the fallback when the addmm node's bias needs no
 * gradient.
 */

#include <string.h>

#include "ops-harness.h"
#include "ops/lt-fused-private.h"

/* N, K (in features), C (out features) */
static const gint64 lbr_shapes[][3] = {
  { 5, 4, 3 }, { 1, 3, 2 }, { 7, 300, 40 }, { 0, 4, 3 }, { 3, 0, 2 },
};

static LtTensor *
lbr_unfused (LtTensor *x, LtTensor *w, LtTensor *b, GError **error)
{
  g_autoptr(LtTensor) h = lt_linear (x, w, b, error);

  return h ? lt_tensor_relu (h, error) : NULL;
}

static void
lbr_run (const gint64 *sh, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (sh[0], sh[1]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (sh[2], sh[1]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (sh[2]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yu = NULL;
  g_autofree double *ref = g_new0 (double, MAX (sh[0] * sh[2], 1));

  g_assert_true (_lt_linear_bias_relu_applies (x.t, w.t, b.t));
  y = _lt_linear_bias_relu (x.t, w.t, b.t, &error);
  g_assert_no_error (error);
  for (gint64 n = 0; n < sh[0]; n++)
    for (gint64 c = 0; c < sh[2]; c++)
      {
        double s = b.v[c];

        for (gint64 k = 0; k < sh[1]; k++)
          s += x.v[n * sh[1] + k] * w.v[c * sh[1] + k];
        ref[n * sh[2] + c] = MAX (s, 0.0);
      }
  oh_check_tol (y, dt, OH_SH (sh[0], sh[2]), ref, dt == F32 ? 1e-5 : 1e-12,
                dt == F32 ? 1e-5 : 1e-12);
  yu = lbr_unfused (x.t, w.t, b.t, &error);
  g_assert_no_error (error);
  oh_assert_same_values (y, yu, TRUE);
}

static void
lbr_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (lbr_shapes); i++)
    {
      lbr_run (lbr_shapes[i], F32);
      lbr_run (lbr_shapes[i], F64);
    }
}

/* What it takes: 2-D contiguous operands of one float dtype, a bias, two
 * out features or more */
static void
lbr_fw_applies (gconstpointer d)
{
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) x3 = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xt = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) xd = oh_arr_new (OH_SH (3, 4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (2, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w1 = oh_arr_new (OH_SH (1, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b1 = oh_arr_new (OH_SH (1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b3 = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);

  g_assert_true (_lt_linear_bias_relu_applies (x.t, w.t, b.t));
  g_assert_false (_lt_linear_bias_relu_applies (x.t, w.t, NULL));
  g_assert_false (_lt_linear_bias_relu_applies (x3.t, w.t, b.t));
  g_assert_false (_lt_linear_bias_relu_applies (xt.t, w.t, b.t));
  g_assert_false (_lt_linear_bias_relu_applies (xd.t, w.t, b.t));
  g_assert_false (_lt_linear_bias_relu_applies (x.t, w1.t, b1.t));
  g_assert_false (_lt_linear_bias_relu_applies (x.t, w.t, b3.t));
}

static const OhCase lbr_forward[] = { { "values", lbr_fw_values },
                                      { "applies", lbr_fw_applies },
                                      { NULL, NULL } };

static LtTensor *
gc_lbr (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = _lt_linear_bias_relu (in[0], in[1], in[2], &error);

  g_assert_no_error (error);
  return y;
}

static void
lbr_bw_gradcheck (gconstpointer d)
{
  static const gint64 sh[][3] = { { 4, 3, 5 }, { 1, 2, 2 }, { 0, 3, 2 } };

  for (guint i = 0; i < G_N_ELEMENTS (sh); i++)
    {
      g_autoptr(LtTensor) x =
                   oh_leaf_new (OH_SH (sh[i][0], sh[i][1]), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) w =
                   oh_leaf_new (OH_SH (sh[i][2], sh[i][1]), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) b = oh_leaf_new (OH_SH (sh[i][2]), OH_LAY_CONTIG, OH_DIST_UNIT);
      LtTensor *in[3] = { x, w, b };

      if (sh[i][0] == 0)
        oh_backward_shapes (gc_lbr, NULL, in, 3);
      else
        {
          oh_gradcheck (gc_lbr, NULL, in, 3);
          /* lt_gradcheck's second order takes CPU inputs only */
          if (oh_device == LT_DEVICE_CPU)
            oh_gradgradcheck (gc_lbr, NULL, in, 3);
        }
    }
}

/* Every gradient (the bias's from bias_relu_grad) with the unfused ops'
 * bits */
static void
lbr_bw_bits (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (lbr_shapes); i++)
    for (guint f = 0; f < 2; f++)
      {
        g_autoptr(GError) error = NULL;
        const gint64 *sh = lbr_shapes[i];
        LtDType       dt = f ? F64 : F32;
        g_auto(OhArr) x = oh_arr_new (OH_SH (sh[0], sh[1]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) w = oh_arr_new (OH_SH (sh[2], sh[1]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) b = oh_arr_new (OH_SH (sh[2]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) g = oh_arr_new (OH_SH (sh[0], sh[2]), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        LtTensor *grads[2][3];

        for (guint fused = 0; fused < 2; fused++)
          {
            LtTensor *in[3] = { lt_tensor_detach (x.t), lt_tensor_detach (w.t),
                                lt_tensor_detach (b.t) };
            g_autoptr(LtTensor) y = NULL;

            for (guint k = 0; k < 3; k++)
              g_assert_true (lt_tensor_set_requires_grad (in[k], TRUE, &error));
            y = fused ? _lt_linear_bias_relu (in[0], in[1], in[2], &error)
                      : lbr_unfused (in[0], in[1], in[2], &error);
            g_assert_no_error (error);
            g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
            g_assert_no_error (error);
            for (guint k = 0; k < 3; k++)
              {
                grads[fused][k] = g_object_ref (lt_tensor_get_grad (in[k]));
                g_object_unref (in[k]);
              }
          }
        for (guint k = 0; k < 3; k++)
          {
            oh_assert_same_values (grads[1][k], grads[0][k], TRUE);
            g_object_unref (grads[0][k]);
            g_object_unref (grads[1][k]);
          }
      }
}

static const OhCase lbr_backward[] = { { "gradcheck", lbr_bw_gradcheck },
                                       { "bits", lbr_bw_bits },
                                       { NULL, NULL } };

/* The ReLU's node over the addmm node, and their neighbours, as
 * relu (lt_linear ()) makes them */
static void
lr_fw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (2, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) w = oh_leaf_new (OH_SH (4, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) b = oh_leaf_new (OH_SH (4), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = _lt_linear_bias_relu (x, w, b, &error);
  g_autoptr(LtTensor) yu = lbr_unfused (x, w, b, &error);
  LtGradFn *fn[2] = { lt_tensor_get_grad_fn (y), lt_tensor_get_grad_fn (yu) };

  g_assert_no_error (error);
  for (guint depth = 0; depth < 3; depth++)
    {
      g_assert_cmpstr (lt_grad_fn_get_name (fn[0]), ==, lt_grad_fn_get_name (fn[1]));
      g_assert_cmpuint (lt_grad_fn_get_n_next_functions (fn[0]), ==,
                        lt_grad_fn_get_n_next_functions (fn[1]));
      g_assert_cmpuint (lt_grad_fn_get_n_saved_tensors (fn[0]), ==,
                        lt_grad_fn_get_n_saved_tensors (fn[1]));
      if (depth == 2)
        break;
      /* ReluBackward0 -> AddmmBackward0 -> TBackward0 */
      fn[0] = lt_grad_fn_get_next_function (fn[0], depth == 0 ? 0 : 2, NULL);
      fn[1] = lt_grad_fn_get_next_function (fn[1], depth == 0 ? 0 : 2, NULL);
    }
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "ReluBackward0");
}

static const OhCase lr_forward[] = { { "node", lr_fw_node }, { NULL, NULL } };

/* A bias that needs no gradient: relu's rule, the same gradients */
static void
lr_bw_no_bias_grad (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (5, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *grads[2];

  for (guint fused = 0; fused < 2; fused++)
    {
      g_autoptr(LtTensor) xl = lt_tensor_detach (x.t);
      g_autoptr(LtTensor) y = NULL;

      g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
      y = fused ? _lt_linear_bias_relu (xl, w.t, b.t, &error) : lbr_unfused (xl, w.t, b.t, &error);
      g_assert_no_error (error);
      oh_backward_sum (y);
      grads[fused] = g_object_ref (lt_tensor_get_grad (xl));
    }
  oh_assert_same_values (grads[1], grads[0], TRUE);
  g_object_unref (grads[0]);
  g_object_unref (grads[1]);
}

static const OhCase lr_backward[] = { { "no-bias-grad", lr_bw_no_bias_grad }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_LINEAR_BIAS_RELU, "linear_bias_relu", NULL, lbr_forward, NULL, lbr_backward, NULL),
  OH_SPEC (LT_OP_LINEAR_RELU, "linear_relu", NULL, lr_forward, NULL, lr_backward, NULL),
};

guint
oh_register_fused_linear (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
