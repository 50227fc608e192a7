/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op harness's specs of layer_norm, group_norm and their backward
 * kernel norm_grad. Forward values against a float64 reference written
 * here from the definition (mean and biased variance of each slice, in
 * two passes), in every layout, with and without weight and bias;
 * backward by float64 gradcheck of the input, weight and bias, node names
 * as PyTorch's; norm_grad run directly against central differences of
 * the reference.
 */

#include "ops-harness.h"
#include "ops/lt-ops-private.h"

/* One configuration: layer_norm over the last n_norm dims (groups 0), or
 * group_norm with @groups groups */
typedef struct
{
  guint  n_norm;
  gint64 groups;
} Cfg;

/* The reference: y for x (row-major values of shape @s), weight and bias
 * values or NULL */
static void
norm_ref (const Cfg    *c,
          OhShape       s,
          const double *x,
          const double *w,
          const double *b,
          double        eps,
          double       *y)
{
  gint64 n = oh_numel (s), rows, D, inner = 1, C, G;

  if (c->groups == 0)
    {
      D = 1;
      for (guint d = s.n - c->n_norm; d < s.n; d++)
        D *= s.d[d];
      G = 1;
      C = D;
    }
  else
    {
      G = c->groups;
      C = s.d[1];
      for (guint d = 2; d < s.n; d++)
        inner *= s.d[d];
      D = C / G * inner;
    }
  rows = D ? n / D : 0;
  for (gint64 r = 0; r < rows; r++)
    {
      double mean = 0, var = 0;

      for (gint64 j = 0; j < D; j++)
        mean += x[r * D + j];
      mean /= D;
      for (gint64 j = 0; j < D; j++)
        var += (x[r * D + j] - mean) * (x[r * D + j] - mean);
      var /= D;
      for (gint64 j = 0; j < D; j++)
        {
          gint64 ch = c->groups == 0 ? j : (r % G) * (C / G) + j / inner;
          double v = (x[r * D + j] - mean) / sqrt (var + eps);

          y[r * D + j] = v * (w ? w[ch] : 1.0) + (b ? b[ch] : 0.0);
        }
    }
}

static OhShape
affine_shape (const Cfg *c, OhShape s)
{
  OhShape a = OH_SH0;

  if (c->groups)
    {
      a.n = 1;
      a.d[0] = s.d[1];
    }
  else
    {
      a.n = c->n_norm;
      for (guint d = 0; d < c->n_norm; d++)
        a.d[d] = s.d[s.n - c->n_norm + d];
    }
  return a;
}

static LtTensor *
norm_apply (const Cfg *c, LtTensor *x, LtTensor *w, LtTensor *b, double eps, GError **error)
{
  if (c->groups)
    return lt_group_norm (x, c->groups, w, b, eps, error);
  return lt_layer_norm (x, x->shape + x->ndim - c->n_norm, c->n_norm, w, b, eps, error);
}

static void
norm_run (const Cfg *c, OhShape s, LtDType dt, OhLay lay, gboolean with_w, gboolean with_b)
{
  g_autoptr(GError) error = NULL;
  OhShape as = affine_shape (c, s);
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (as, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (as, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y =
               norm_apply (c, x.t, with_w ? w.t : NULL, with_b ? b.t : NULL, 1e-5, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  norm_ref (c, s, x.v, with_w ? w.v : NULL, with_b ? b.v : NULL, 1e-5, ref);
  if (dt == F32)
    oh_check_tol (y, dt, s, ref, 1e-4, 1e-5);
  else
    oh_check_tol (y, dt, s, ref, 1e-12, 1e-12);
}

static const Cfg ln1 = { 1, 0 }, ln2 = { 2, 0 }, ln3 = { 3, 0 };
static const Cfg gn1 = { 0, 1 }, gn2 = { 0, 2 }, gn3 = { 0, 3 }, gn4 = { 0, 4 };

static void
ln_fw_values (gconstpointer d)
{
  norm_run (&ln1, OH_SH (4, 5), F32, OH_LAY_CONTIG, TRUE, TRUE);
  norm_run (&ln1, OH_SH (4, 5), F64, OH_LAY_T, TRUE, TRUE);
  norm_run (&ln1, OH_SH (3, 7), F64, OH_LAY_STEP, FALSE, FALSE);
  norm_run (&ln1, OH_SH (3, 6), F32, OH_LAY_PAD, TRUE, FALSE);
  norm_run (&ln1, OH_SH (2, 3), F64, OH_LAY_EXPAND, FALSE, TRUE);
  norm_run (&ln2, OH_SH (2, 3, 4), F64, OH_LAY_TPAD, TRUE, TRUE);
  norm_run (&ln3, OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, TRUE, TRUE);
  norm_run (&ln1, OH_SH (5), F64, OH_LAY_CONTIG, TRUE, TRUE);
  norm_run (&ln1, OH_SH (0, 5), F32, OH_LAY_CONTIG, TRUE, TRUE);
  /* rows long and many enough for the thread pool */
  norm_run (&ln1, OH_SH (300, 257), F32, OH_LAY_CONTIG, TRUE, TRUE);
}

static void
gn_fw_values (gconstpointer d)
{
  norm_run (&gn3, OH_SH (2, 6, 3), F32, OH_LAY_CONTIG, TRUE, TRUE);
  norm_run (&gn2, OH_SH (2, 4, 2, 3), F64, OH_LAY_T, TRUE, TRUE);
  norm_run (&gn1, OH_SH (3, 4), F64, OH_LAY_STEP, FALSE, FALSE);
  norm_run (&gn4, OH_SH (3, 4), F32, OH_LAY_PAD, TRUE, FALSE);
  norm_run (&gn2, OH_SH (2, 4, 5), F64, OH_LAY_EXPAND, FALSE, TRUE);
  norm_run (&gn2, OH_SH (0, 4, 5), F64, OH_LAY_CONTIG, TRUE, TRUE);
  norm_run (&gn4, OH_SH (8, 16, 30, 20), F32, OH_LAY_CONTIG, TRUE, TRUE);
}

/* A constant slice: variance 0, so (x - mean) / sqrt (eps) = 0 */
static void
norm_fw_constant (gconstpointer d)
{
  const double v[6] = { 3, 3, 3, -1, -1, -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build (v, OH_SH (2, 3), F32, OH_LAY_CONTIG);
  gint64 ns = 3;
  g_autoptr(LtTensor) y = lt_layer_norm (x, &ns, 1, NULL, NULL, 1e-5, &error);
  g_autoptr(LtTensor) z = lt_group_norm (x, 1, NULL, NULL, 1e-5, &error);
  const double zero[6] = { 0 };

  g_assert_no_error (error);
  oh_check_tol (y, F32, OH_SH (2, 3), zero, 0, 0);
  oh_check_tol (z, F32, OH_SH (2, 3), zero, 0, 0);
}

static void
ln_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (2, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w5 = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w4d = oh_arr_new (OH_SH (4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  gint64    ns5 = 5, ns4 = 4, ns34[2] = { 3, 4 }, ns234x[4] = { 1, 2, 3, 4 };
  LtTensor *y;

  y = lt_layer_norm (x.t, &ns5, 1, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "layer_norm"));
  g_assert_nonnull (strstr (error->message, "[2, 3, 4]"));
  g_assert_nonnull (strstr (error->message, "[5]"));
  g_clear_error (&error);
  y = lt_layer_norm (x.t, ns234x, 4, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_layer_norm (x.t, ns34, 2, w5.t, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "weight"));
  g_clear_error (&error);
  y = lt_layer_norm (x.t, &ns4, 1, NULL, w4d.t, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, "bias"));
  g_clear_error (&error);
  y = lt_layer_norm (xi.t, &ns4, 1, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_layer_norm (x.t, &ns4, 1, NULL, NULL, -1, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static void
gn_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 6, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) x1 = oh_arr_new (OH_SH (6), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w4 = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y;

  y = lt_group_norm (x.t, 4, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "group_norm"));
  g_assert_nonnull (strstr (error->message, "[2, 6, 4]"));
  g_clear_error (&error);
  y = lt_group_norm (x1.t, 2, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_group_norm (x.t, 2, w4.t, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_group_norm (x.t, 0, NULL, NULL, 1e-5, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase ln_forward[] = { { "values", ln_fw_values },
                                     { "errors", ln_fw_errors },
                                     { NULL, NULL } };
static const OhCase gn_forward[] = { { "values", gn_fw_values },
                                     { "errors", gn_fw_errors },
                                     { NULL, NULL } };
static const OhCase norm_forward_extra[] = { { "constant", norm_fw_constant }, { NULL, NULL } };

/* Backward */

typedef struct
{
  const Cfg *c;
  gboolean   with_w, with_b;
} GcData;

static LtTensor *
gc_norm (LtTensor **in, gsize n, gpointer data)
{
  const GcData *g = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = norm_apply (g->c, in[0], g->with_w ? in[1] : NULL,
                            g->with_b ? in[g->with_w ? 2 : 1] : NULL, 1e-5, &error);

  g_assert_no_error (error);
  return y;
}

static void
norm_bw_case (const Cfg  *c,
              OhShape     s,
              OhLay       lay,
              gboolean    with_w,
              gboolean    with_b,
              const char *node)
{
  GcData  gd = { c, with_w, with_b };
  OhShape as = affine_shape (c, s);
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) w = oh_leaf_new (as, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) b = oh_leaf_new (as, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *in[3];
  gsize     n = 0;

  in[n++] = x;
  if (with_w)
    in[n++] = w;
  if (with_b)
    in[n++] = b;
  if (oh_numel (s) == 0)
    {
      oh_backward_shapes (gc_norm, &gd, in, n);
      return;
    }
  oh_gradcheck (gc_norm, &gd, in, n);
  {
    g_autoptr(LtTensor) y = gc_norm (in, n, &gd);

    g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, node);
  }
}

static void
ln_bw_values (gconstpointer d)
{
  const char *node = "NativeLayerNormBackward0";

  norm_bw_case (&ln1, OH_SH (3, 4), OH_LAY_CONTIG, TRUE, TRUE, node);
  norm_bw_case (&ln1, OH_SH (4, 3), OH_LAY_T, FALSE, FALSE, node);
  norm_bw_case (&ln2, OH_SH (2, 3, 2), OH_LAY_CONTIG, TRUE, FALSE, node);
  norm_bw_case (&ln1, OH_SH (2, 5), OH_LAY_STEP, FALSE, TRUE, node);
  norm_bw_case (&ln1, OH_SH (0, 4), OH_LAY_CONTIG, TRUE, TRUE, node);
}

static void
gn_bw_values (gconstpointer d)
{
  const char *node = "NativeGroupNormBackward0";

  norm_bw_case (&gn2, OH_SH (2, 4, 3), OH_LAY_CONTIG, TRUE, TRUE, node);
  norm_bw_case (&gn3, OH_SH (2, 3, 2, 2), OH_LAY_CONTIG, FALSE, FALSE, node);
  norm_bw_case (&gn1, OH_SH (3, 4), OH_LAY_T, TRUE, FALSE, node);
  norm_bw_case (&gn2, OH_SH (2, 4), OH_LAY_PAD, FALSE, TRUE, node);
  norm_bw_case (&gn2, OH_SH (0, 4, 3), OH_LAY_CONTIG, TRUE, TRUE, node);
}

static const OhCase ln_backward[] = { { "values", ln_bw_values }, { NULL, NULL } };
static const OhCase gn_backward[] = { { "values", gn_bw_values }, { NULL, NULL } };

/* norm_grad, run directly: dx, dweight and dbias of sum (dy * y) against
 * central differences of the reference */
static void
normgrad_run (const Cfg *c, OhShape s)
{
  g_autoptr(GError) error = NULL;
  OhShape as = affine_shape (c, s);
  gint64  n = oh_numel (s), C = oh_numel (as), ashape[2] = { 2, C };
  g_auto(OhArr) x = oh_arr_new (s, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) dy = oh_arr_new (s, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (as, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (as, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) stats = NULL;
  g_autoptr(LtTensor) dx = lt_empty (x.t->shape, x.t->ndim, F64, &error);
  g_autoptr(LtTensor) ga = lt_empty (ashape, 2, F64, &error);
  g_autofree double *y = g_new0 (double, n);
  g_autofree double *rdx = g_new0 (double, n);
  g_autofree double *rga = g_new0 (double, 2 * C);
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  LtTensor *in[4];
  double    h = 1e-6;

  g_assert_no_error (error);
  /* the forward's stats, from its node */
  g_assert_true (lt_tensor_set_requires_grad (x.t, TRUE, &error));
  out = norm_apply (c, x.t, w.t, b.t, 1e-5, &error);
  g_assert_no_error (error);
  node = lt_tensor_get_grad_fn (out);
  stats = _lt_grad_fn_get_saved (node, LT_SAVED_AUX, &error);
  g_assert_no_error (error);
  g_object_ref (stats);
  in[0] = dy.t;
  in[1] = x.t;
  in[2] = stats;
  in[3] = w.t;
  g_assert_true (_lt_run (LT_OP_NORM_GRAD, dx, ga, in, 4, &node->params, &error));
  g_assert_no_error (error);
  for (gint64 k = 0; k < n + 2 * C; k++)
    {
      double *v = k < n ? &x.v[k] : k < n + C ? &w.v[k - n] : &b.v[k - n - C];
      double  save = *v, lp = 0, lm = 0;

      *v = save + h;
      norm_ref (c, s, x.v, w.v, b.v, 1e-5, y);
      for (gint64 i = 0; i < n; i++)
        lp += dy.v[i] * y[i];
      *v = save - h;
      norm_ref (c, s, x.v, w.v, b.v, 1e-5, y);
      for (gint64 i = 0; i < n; i++)
        lm += dy.v[i] * y[i];
      *v = save;
      if (k < n)
        rdx[k] = (lp - lm) / (2 * h);
      else
        rga[k - n] = (lp - lm) / (2 * h);
    }
  oh_check_tol (dx, F64, s, rdx, 1e-5, 1e-6);
  oh_check_tol (ga, F64, OH_SH (2, C), rga, 1e-5, 1e-6);
}

static void
normgrad_fw_values (gconstpointer d)
{
  normgrad_run (&ln1, OH_SH (3, 5));
  normgrad_run (&ln2, OH_SH (2, 2, 3));
  normgrad_run (&gn2, OH_SH (2, 4, 3));
  normgrad_run (&gn3, OH_SH (3, 3, 2, 2));
}

static const OhCase normgrad_forward[] = { { "values", normgrad_fw_values }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_LAYER_NORM, "layer_norm", NULL, ln_forward, norm_forward_extra, ln_backward, NULL),
  OH_SPEC (LT_OP_GROUP_NORM, "group_norm", NULL, gn_forward, NULL, gn_backward, NULL),
  OH_SPEC (LT_OP_NORM_GRAD, "norm_grad", NULL, normgrad_forward, NULL, NULL, NULL),
};

guint
oh_register_norm (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
