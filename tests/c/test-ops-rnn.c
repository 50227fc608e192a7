/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op harness's specs of the recurrent cells' fused steps (lstm_cell,
 * gru_cell) and their backward kernels (lstm_cell_grad, gru_cell_grad):
 * forward values against a float64 reference of PyTorch's formulas, in
 * every layout, float32 and float64; errors; float64 gradcheck of the
 * steps; the backward kernels run directly against central differences
 * of the reference.
 */

#include "ops-harness.h"
#include "ops/lt-ops-private.h"
#include "ops/lt-rnn-private.h"

/* The reference: @out gets (2, N, H) h over c (lstm) or (N, H) h (gru),
 * @ws the gates, as the kernels' AUX */
static double
sig (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

static void
lstm_ref (gint64 N, gint64 H, const double *ig, const double *hg, const double *cx, double *out)
{
  for (gint64 r = 0; r < N; r++)
    for (gint64 j = 0; j < H; j++)
      {
        const double *a = ig + r * 4 * H, *b = hg + r * 4 * H;
        double        i = sig (a[j] + b[j]), f = sig (a[H + j] + b[H + j]);
        double        g = tanh (a[2 * H + j] + b[2 * H + j]), o = sig (a[3 * H + j] + b[3 * H + j]);
        double        c = f * cx[r * H + j] + i * g;

        out[r * H + j] = o * tanh (c);
        out[(N + r) * H + j] = c;
      }
}

static void
gru_ref (gint64 N, gint64 H, const double *ig, const double *hg, const double *hx, double *out)
{
  for (gint64 r = 0; r < N; r++)
    for (gint64 j = 0; j < H; j++)
      {
        const double *a = ig + r * 3 * H, *b = hg + r * 3 * H;
        double        rg = sig (a[j] + b[j]), z = sig (a[H + j] + b[H + j]);
        double        n = tanh (a[2 * H + j] + rg * b[2 * H + j]);

        out[r * H + j] = (1 - z) * n + z * hx[r * H + j];
      }
}

typedef struct
{
  gboolean lstm;
  guint    G;
} Cell;

static const Cell cell_lstm = { TRUE, 4 };
static const Cell cell_gru = { FALSE, 3 };

static LtTensor *
cell_apply (const Cell *c, LtTensor *ig, LtTensor *hg, LtTensor *st, GError **error)
{
  return c->lstm ? _lt_lstm_cell_fused (ig, hg, st, error) : _lt_gru_cell_fused (ig, hg, st, error);
}

static void
cell_ref (const Cell   *c,
          gint64        N,
          gint64        H,
          const double *ig,
          const double *hg,
          const double *st,
          double       *out)
{
  if (c->lstm)
    lstm_ref (N, H, ig, hg, st, out);
  else
    gru_ref (N, H, ig, hg, st, out);
}

static void
cell_fw_run (const Cell *c, gint64 N, gint64 H, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) ig = oh_arr_new (OH_SH (N, c->G * H), dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) hg = oh_arr_new (OH_SH (N, c->G * H), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) st = oh_arr_new (OH_SH (N, H), dt, lay, OH_DIST_UNIT);
  g_autofree double *ref = g_new0 (double, MAX (2 * N * H, 1));
  g_autoptr(LtTensor) y = cell_apply (c, ig.t, hg.t, st.t, &error);

  g_assert_no_error (error);
  cell_ref (c, N, H, ig.v, hg.v, st.v, ref);
  if (c->lstm)
    oh_check (y, dt, OH_SH (2, N, H), ref);
  else
    oh_check (y, dt, OH_SH (N, H), ref);
}

static void
cell_fw_values (gconstpointer d)
{
  const Cell *c = d;
  const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_PAD };

  for (guint i = 0; i < G_N_ELEMENTS (lays); i++)
    {
      cell_fw_run (c, 3, 5, F32, lays[i]);
      cell_fw_run (c, 2, 4, F64, lays[i]);
    }
  cell_fw_run (c, 1, 1, F32, OH_LAY_CONTIG);
  cell_fw_run (c, 0, 3, F32, OH_LAY_CONTIG);
  /* enough rows to run on several threads */
  cell_fw_run (c, 64, 300, F32, OH_LAY_CONTIG);
}

static void
cell_fw_errors (gconstpointer d)
{
  const Cell *c = d;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) ig = oh_arr_new (OH_SH (2, c->G * 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) st = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) st4 = oh_arr_new (OH_SH (2, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) st64 = oh_arr_new (OH_SH (2, 3), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) sti = oh_arr_new (OH_SH (2, 3), I32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) igi = oh_arr_new (OH_SH (2, c->G * 3), I32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y;

  y = cell_apply (c, ig.t, ig.t, st4.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, c->lstm ? "lstm_cell" : "gru_cell"));
  g_clear_error (&error);
  y = cell_apply (c, ig.t, st.t, st.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = cell_apply (c, ig.t, ig.t, st64.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = cell_apply (c, igi.t, igi.t, sti.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
}

static const OhCase cell_forward[] = { { "values", cell_fw_values },
                                       { "errors", cell_fw_errors },
                                       { NULL, NULL } };

static LtTensor *
gc_cell (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = cell_apply (data, in[0], in[1], in[2], &error);

  g_assert_no_error (error);
  return y;
}

static void
cell_bw_values (gconstpointer d)
{
  const Cell *c = d;
  g_autoptr(LtTensor) ig = oh_leaf_new (OH_SH (3, c->G * 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) hg = oh_leaf_new (OH_SH (3, c->G * 2), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) st = oh_leaf_new (OH_SH (3, 2), OH_LAY_STEP, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;
  LtTensor *in[3] = { ig, hg, st };
  g_autoptr(GError) error = NULL;

  oh_gradcheck (gc_cell, c, in, 3);
  y = gc_cell (in, 3, (gpointer) c);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   c->lstm ? "ThnnFusedLstmCellBackward0" : "ThnnFusedGruCellBackward0");
  /* only some inputs require grad */
  g_assert_true (lt_tensor_set_requires_grad (hg, FALSE, &error));
  g_assert_true (lt_tensor_set_requires_grad (st, FALSE, &error));
  oh_gradcheck (gc_cell, c, in, 3);
  /* the inputs of a float32 cell get float32 gradients of their shapes */
  {
    g_auto(OhArr) i32 = oh_arr_new (OH_SH (2, c->G * 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto(OhArr) h32 = oh_arr_new (OH_SH (2, c->G * 3), F32, OH_LAY_T, OH_DIST_UNIT);
    g_auto(OhArr) s32 = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    LtTensor *in32[3] = { i32.t, h32.t, s32.t };

    for (guint i = 0; i < 3; i++)
      g_assert_true (lt_tensor_set_requires_grad (in32[i], TRUE, &error));
    oh_backward_shapes (gc_cell, c, in32, 3);
  }
}

static void
cell_bw_empty (gconstpointer d)
{
  const Cell *c = d;
  g_autoptr(LtTensor) ig = oh_leaf_new (OH_SH (0, c->G * 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) hg = oh_leaf_new (OH_SH (0, c->G * 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) st = oh_leaf_new (OH_SH (0, 2), OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *in[3] = { ig, hg, st };

  oh_backward_shapes (gc_cell, c, in, 3);
}

static const OhCase cell_backward[] = { { "values", cell_bw_values },
                                        { "empty", cell_bw_empty },
                                        { NULL, NULL } };

/* The layers (nn/lt-rnn.c) take their steps' input products, and the
 * LSTM its h and c, apart with unbind; the same layer written with one
 * select per step gives the same outputs and gradients, element for
 * element: @c's layer of two layers, float32, against that formula on the
 * layer's own parameters. */
static LtTensor *
layer_as_select (const Cell *c, LtModule *m, LtTensor *x, gint64 H, GError **error)
{
  gint64 T = x->shape[0], N = x->shape[1];
  g_autoptr(LtTensor) in = g_object_ref (x);

  for (guint l = 0; l < 2; l++)
    {
      g_autofree char *n_wih = g_strdup_printf ("weight_ih_l%u", l);
      g_autofree char *n_whh = g_strdup_printf ("weight_hh_l%u", l);
      g_autofree char *n_bih = g_strdup_printf ("bias_ih_l%u", l);
      g_autofree char *n_bhh = g_strdup_printf ("bias_hh_l%u", l);
      gint64 s2[2] = { T * N, in->shape[2] }, s3[3] = { T, N, c->G * H }, sh[2] = { N, H };
      g_autoptr(LtTensor) x2 = lt_tensor_reshape (in, s2, 2, error);
      g_autoptr(LtTensor) ig2 = lt_linear (x2, lt_module_get_parameter (m, n_wih),
                                            lt_module_get_parameter (m, n_bih), error);
      g_autoptr(LtTensor) ig_all = lt_tensor_reshape (ig2, s3, 3, error);
      g_autoptr(LtTensor) z = lt_zeros (sh, 2, LT_DTYPE_FLOAT32, error);
      g_autoptr(LtTensor) h = lt_tensor_to_device (z, oh_device, error);
      g_autoptr(LtTensor) cs = g_object_ref (h);
      g_autoptr(GPtrArray) outs = g_ptr_array_new_with_free_func (g_object_unref);

      for (gint64 t = 0; t < T; t++)
        {
          g_autoptr(LtTensor) ig = lt_tensor_select (ig_all, 0, t, error);
          g_autoptr(LtTensor) hg = lt_linear (h, lt_module_get_parameter (m, n_whh),
                                               lt_module_get_parameter (m, n_bhh), error);
          g_autoptr(LtTensor) st = cell_apply (c, ig, hg, c->lstm ? cs : h, error);

          g_assert_nonnull (st);
          g_clear_object (&h);
          if (c->lstm)
            {
              h = lt_tensor_select (st, 0, 0, error);
              g_clear_object (&cs);
              cs = lt_tensor_select (st, 0, 1, error);
            }
          else
            h = g_object_ref (st);
          g_ptr_array_add (outs, g_object_ref (h));
        }
      g_clear_object (&in);
      in = lt_stack ((LtTensor **) outs->pdata, outs->len, 0, error);
    }
  return g_steal_pointer (&in);
}

static void
cell_bw_layer (gconstpointer d)
{
  const Cell  *c = d;
  const gint64 T = 5, N = 3, I = 4, H = 6;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtModule) m = c->lstm
                             ? LT_MODULE (lt_lstm_new (I, H, 2, TRUE, FALSE, 0.0, FALSE, 0, &error))
                             : LT_MODULE (lt_gru_new (I, H, 2, TRUE, FALSE, 0.0, FALSE, &error));
  g_auto(OhArr) xa = oh_arr_new (OH_SH (T, N, I), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) wa = oh_arr_new (OH_SH (T, N, H), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  const char *names[] = { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                          "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1" };
  LtTensor   *ins[9];
  LtTensor   *ys[2];
  GPtrArray  *gs[2];

  g_assert_no_error (error);
  g_assert_true (lt_module_to_device (m, oh_device, &error));
  g_assert_true (lt_tensor_set_requires_grad (xa.t, TRUE, &error));
  ins[0] = xa.t;
  for (guint i = 0; i < 8; i++)
    g_assert_nonnull (ins[i + 1] = lt_module_get_parameter (m, names[i]));
  ys[0] = lt_rnn_base_forward_full (LT_RNN_BASE (m), xa.t, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ys[1] = layer_as_select (c, m, xa.t, H, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < 2; r++)
    {
      /* sum (y * w * y): a gradient that differs from step to step */
      g_autoptr(LtTensor) yw = lt_tensor_mul (ys[r], wa.t, &error);
      g_autoptr(LtTensor) yy = lt_tensor_mul (yw, ys[r], &error);
      g_autoptr(LtTensor) loss = lt_tensor_sum (yy, &error);

      g_assert_no_error (error);
      gs[r] = lt_autograd_grad (&loss, 1, NULL, 0, ins, 9, FALSE, FALSE, FALSE, &error);
      g_assert_no_error (error);
    }
  oh_assert_same_values (ys[0], ys[1], TRUE);
  for (guint i = 0; i < 9; i++)
    oh_assert_same_values (g_ptr_array_index (gs[0], i), g_ptr_array_index (gs[1], i), TRUE);
  for (guint r = 0; r < 2; r++)
    {
      g_object_unref (ys[r]);
      g_ptr_array_unref (gs[r]);
    }
}

static const OhCase cell_backward_extra[] = { { "layer", cell_bw_layer }, { NULL, NULL } };

/* lstm_cell_grad, gru_cell_grad run directly: the gradients of sum (g *
 * out) against central differences of the reference */
static void
cellgrad_run_dt (const Cell *c, gint64 N, gint64 H, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64 GH = c->G * H, width = c->lstm ? 5 : 7, nout = (c->lstm ? 2 : 1) * N * H;
  g_auto(OhArr) ig = oh_arr_new (OH_SH (N, GH), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) hg = oh_arr_new (OH_SH (N, GH), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) st = oh_arr_new (OH_SH (N, H), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) g = c->lstm ? oh_arr_new (OH_SH (2, N, H), dt, OH_LAY_CONTIG, OH_DIST_UNIT)
                             : oh_arr_new (OH_SH (N, H), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) d = lt_empty ((gint64[]){ N, width * H }, 2, dt, &error);
  g_autofree double *y = g_new0 (double, nout);
  g_autofree double *ref = g_new0 (double, N *width *H);
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) ws = NULL;
  LtTensor *in[3];
  double    h = 1e-6;

  g_assert_no_error (error);
  g_assert_true (lt_tensor_set_requires_grad (ig.t, TRUE, &error));
  out = cell_apply (c, ig.t, hg.t, st.t, &error);
  g_assert_no_error (error);
  ws = _lt_grad_fn_get_saved (lt_tensor_get_grad_fn (out), LT_SAVED_AUX, &error);
  g_assert_no_error (error);
  g_object_ref (ws);
  in[0] = g.t;
  in[1] = ws;
  in[2] = st.t;
  g_assert_true (
    _lt_run (c->lstm ? LT_OP_LSTM_CELL_GRAD : LT_OP_GRU_CELL_GRAD, d, NULL, in, 3, NULL, &error));
  g_assert_no_error (error);
  /* column blocks: d igates (G H), d hgates (G H, gru only), d state (H) */
  for (gint64 r = 0; r < N; r++)
    for (gint64 col = 0; col < width * H; col++)
      {
        gboolean hid = !c->lstm && col >= GH && col < 2 * GH;
        gboolean state = col >= (width - 1) * H;
        double  *v = state ? &st.v[r * H + col - (width - 1) * H]
                     : hid ? &hg.v[r * GH + col - GH]
                           : &ig.v[r * GH + col];
        double   save = *v, lp = 0, lm = 0;

        *v = save + h;
        cell_ref (c, N, H, ig.v, hg.v, st.v, y);
        for (gint64 i = 0; i < nout; i++)
          lp += g.v[i] * y[i];
        *v = save - h;
        cell_ref (c, N, H, ig.v, hg.v, st.v, y);
        for (gint64 i = 0; i < nout; i++)
          lm += g.v[i] * y[i];
        *v = save;
        ref[r * width * H + col] = (lp - lm) / (2 * h);
      }
  oh_check_tol (d, dt, OH_SH (N, width * H), ref, dt == F64 ? 1e-5 : 1e-4, dt == F64 ? 1e-6 : 1e-5);
}

static void
cellgrad_run (const Cell *c, gint64 N, gint64 H)
{
  cellgrad_run_dt (c, N, H, F64);
}

static void
cellgrad_fw_values (gconstpointer d)
{
  cellgrad_run (d, 2, 3);
  cellgrad_run (d, 1, 1);
  cellgrad_run (d, 3, 2);
  /* float32: rows longer than the kernels' chunks, with a tail */
  cellgrad_run_dt (d, 1, 300, F32);
  cellgrad_run_dt (d, 2, 21, F32);
}

static const OhCase cellgrad_forward[] = { { "values", cellgrad_fw_values }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_LSTM_CELL,
           "lstm_cell",
           &cell_lstm,
           cell_forward,
           NULL,
           cell_backward,
           cell_backward_extra),
  OH_SPEC (LT_OP_LSTM_CELL_GRAD, "lstm_cell_grad", &cell_lstm, cellgrad_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_GRU_CELL,
           "gru_cell",
           &cell_gru,
           cell_forward,
           NULL,
           cell_backward,
           cell_backward_extra),
  OH_SPEC (LT_OP_GRU_CELL_GRAD, "gru_cell_grad", &cell_gru, cellgrad_forward, NULL, NULL, NULL),
};

guint
oh_register_rnn (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
