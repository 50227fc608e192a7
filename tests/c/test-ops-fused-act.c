/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): bias + relu in one
 * kernel each way (ops/lt-fused-act.c). bias_relu against a float64
 * reference and against the unfused ops (add of the bias viewed over the
 * channel dim, then relu) bit for bit, its errors, its gradients by
 * gradcheck and gradgradcheck, and the kernel of its backward rule,
 * bias_relu_grad (relu's gradient and the bias's in one pass), against a
 * float64 reference.
 */

#include <string.h>

#include "ops-harness.h"
#include "ops/lt-fused-private.h"

static const OhShape br_shapes[] = {
  OH_SH (5, 4),       /* Linear's (N, out_features) */
  OH_SH (7, 37),      /* along the rows: vectors and a remainder */
  OH_SH (2, 3, 4, 5), /* Conv2d's (N, C, H, W) */
  OH_SH (3, 6, 7),    /* (N, C, L) */
  OH_SH (4),          /* one sample of a Linear: (C) */
  OH_SH (0, 3),       /* an empty batch */
};

static gint64
br_channels (OhShape s)
{
  return s.d[s.n == 1 ? 0 : 1];
}

static gint64
br_channel_of (OhShape s, gint64 k)
{
  gint64 R = 1;

  if (s.n == 1)
    return k;
  for (guint d = 2; d < s.n; d++)
    R *= s.d[d];
  return (k / R) % s.d[1];
}

/* add and relu, the bias viewed as (C, 1, ...) */
static LtTensor *
br_unfused (LtTensor *x, LtTensor *b, GError **error)
{
  gint64 bs[LT_MAX_DIMS];
  guint  nb = x->ndim <= 1 ? 1 : x->ndim - 1;
  g_autoptr(LtTensor) bv = NULL;
  g_autoptr(LtTensor) s = NULL;

  bs[0] = b->shape[0];
  for (guint d = 1; d < nb; d++)
    bs[d] = 1;
  bv = lt_tensor_reshape (b, bs, nb, error);
  s = bv ? lt_tensor_add (x, bv, error) : NULL;
  return s ? lt_tensor_relu (s, error) : NULL;
}

static void
br_run (OhShape s, LtDType dt, OhLay lay, OhDist dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, dist);
  g_auto(OhArr) b = oh_arr_new (OH_SH (br_channels (s)), dt, OH_LAY_CONTIG, dist);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yu = NULL;
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  y = _lt_bias_relu (x.t, b.t, &error);
  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = MAX (x.v[k] + b.v[br_channel_of (s, k)], 0.0);
  oh_check (y, dt, s, ref);
  /* the unfused ops' bits */
  yu = br_unfused (x.t, b.t, &error);
  g_assert_no_error (error);
  oh_assert_same_values (y, yu, TRUE);
}

static void
br_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (br_shapes); i++)
    {
      br_run (br_shapes[i], F32, OH_LAY_CONTIG, OH_DIST_UNIT);
      br_run (br_shapes[i], F64, OH_LAY_CONTIG, OH_DIST_WIDE);
      if (br_shapes[i].n >= 2)
        br_run (br_shapes[i], F32, OH_LAY_T, OH_DIST_GRID); /* exact zeros: -b + b */
    }
}

/* Channels split over the CPU's threads */
static void
br_fw_parallel (gconstpointer d)
{
  br_run (OH_SH (8, 16, 30, 30), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  br_run (OH_SH (300, 400), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  br_run (OH_SH (130, 600), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
}

static void
br_fw_errors (gconstpointer d)
{
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b3 = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b4d = oh_arr_new (OH_SH (4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (3, 4), LT_DTYPE_INT64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) bi = oh_arr_new (OH_SH (4), LT_DTYPE_INT64, OH_LAY_CONTIG, OH_DIST_UNIT);
  struct
  {
    LtTensor *x, *b;
    LtError   code;
  } bad[] = { { x.t, b3.t, LT_ERROR_SHAPE },
              { b3.t, x.t, LT_ERROR_SHAPE },
              { x.t, b4d.t, LT_ERROR_DTYPE },
              { xi.t, bi.t, LT_ERROR_DTYPE } };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = _lt_bias_relu (bad[i].x, bad[i].b, &error);

      oh_check_error (y, error, bad[i].code);
      g_assert_nonnull (strstr (error->message, "bias_relu"));
    }
}

static const OhCase br_forward[] = { { "values", br_fw_values },
                                     { "parallel", br_fw_parallel },
                                     { "errors", br_fw_errors },
                                     { NULL, NULL } };

static LtTensor *
gc_br (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = _lt_bias_relu (in[0], in[1], &error);

  g_assert_no_error (error);
  return y;
}

/* x + b at least 0.03 away from relu's kink: x of OH_DIST_AWAY (never near
 * a multiple of 0.1) and a bias of multiples of 0.1 */
static void
br_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (br_shapes); i++)
    {
      OhShape            s = br_shapes[i];
      gint64             C = br_channels (s);
      g_autofree double *bv = g_new0 (double, C);
      g_autoptr(LtTensor) x = oh_leaf_new (s, s.n >= 2 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_AWAY);
      g_autoptr(LtTensor) b = NULL;
      LtTensor *in[2];

      for (gint64 c = 0; c < C; c++)
        bv[c] = 0.1 * (double) (c % 5 - 2);
      b = oh_leaf_from (bv, OH_SH (C));
      in[0] = x, in[1] = b;
      if (x->numel == 0)
        oh_backward_shapes (gc_br, NULL, in, 2);
      else
        oh_gradcheck (gc_br, NULL, in, 2);
    }
}

/* The node: one over both inputs, relu's result saved */
static void
br_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (2, 3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) b = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = _lt_bias_relu (x, b, &error);
  LtGradFn *fn;

  g_assert_no_error (error);
  fn = lt_tensor_get_grad_fn (y);
  g_assert_cmpstr (lt_grad_fn_get_name (fn), ==, "BiasReluBackward0");
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (fn), ==, 2);
}

static const OhCase br_backward[] = { { "values", br_bw_values },
                                      { "node", br_bw_node },
                                      { NULL, NULL } };

/* bias_relu_grad, run through the node's rule: dx = g where y > 0, db its
 * sum over every dim but the channel dim */
static void
br_grad_run (OhShape s, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, OH_LAY_CONTIG, OH_DIST_GRID);
  g_auto(OhArr) b = oh_arr_new (OH_SH (br_channels (s)), dt, OH_LAY_CONTIG, OH_DIST_GRID);
  g_autoptr(LtTensor) xl = lt_tensor_detach (x.t);
  g_autoptr(LtTensor) bl = lt_tensor_detach (b.t);
  g_autoptr(LtTensor) y = NULL;
  gint64             C = br_channels (s);
  g_autofree double *rx = g_new0 (double, MAX (x.n, 1));
  g_autofree double *rb = g_new0 (double, C);

  g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (bl, TRUE, &error));
  y = _lt_bias_relu (xl, bl, &error);
  g_assert_no_error (error);
  {
    g_auto(OhArr) g = oh_arr_new (s, dt, OH_LAY_CONTIG, OH_DIST_UNIT);

    g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
    g_assert_no_error (error);
    for (gint64 k = 0; k < x.n; k++)
      {
        gint64 c = br_channel_of (s, k);

        /* relu's rule on the rounded sum (a -b + b of GRID is 0: no gradient) */
        rx[k] = oh_convert (x.v[k] + b.v[c], dt) > 0 ? g.v[k] : 0;
        rb[c] += rx[k];
      }
  }
  oh_check (lt_tensor_get_grad (xl), dt, s, rx);
  oh_check (lt_tensor_get_grad (bl), dt, OH_SH (C), rb);
}

static void
br_grad_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (br_shapes); i++)
    {
      br_grad_run (br_shapes[i], F32);
      br_grad_run (br_shapes[i], F64);
    }
  /* channels split over the CPU's threads, long sums */
  br_grad_run (OH_SH (8, 16, 30, 30), F32);
  /* a linear layer's: more channels than one block of sums (BR_SUMS),
   * split over the threads */
  br_grad_run (OH_SH (130, 600), F32);
  br_grad_run (OH_SH (130, 600), F64);
}

static const OhCase br_grad_forward[] = { { "values", br_grad_fw_values }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_BIAS_RELU, "bias_relu", NULL, br_forward, NULL, br_backward, NULL),
  OH_SPEC (LT_OP_BIAS_RELU_GRAD, "bias_relu_grad", NULL, br_grad_forward, NULL, NULL, NULL),
};

guint
oh_register_fused_act (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
