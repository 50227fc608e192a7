/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op harness's specs of the fused batch_norm and its backward kernel
 * batch_norm_grad (ops/lt-batch-norm.c). Forward values against a float64
 * reference written here from the definition (each channel's mean and
 * biased variance over every dim but 1, in two passes; or the running
 * statistics in evaluation), in several layouts, with and without weight
 * and bias; the running statistics after a step; float32 against the
 * unfused composition of ops; backward by float64 gradcheck of the input,
 * weight and bias in training and evaluation; batch_norm_grad run
 * directly against central differences of the reference.
 */

#include "ops-harness.h"
#include "ops/lt-ops-private.h"

#define BN_EPS 1e-5

/* y of the definition for x of shape @s (N, C, *); @rm and @rv the
 * running statistics (evaluation) or NULL (training, the batch's); the
 * batch's mean and biased variance go to @bm and @bv when given */
static void
bn_ref (OhShape       s,
        const double *x,
        const double *w,
        const double *b,
        const double *rm,
        const double *rv,
        double       *y,
        double       *bm,
        double       *bv)
{
  gint64 N = s.d[0], C = s.d[1], inner = 1;

  for (guint d = 2; d < s.n; d++)
    inner *= s.d[d];
  for (gint64 c = 0; c < C; c++)
    {
      double mean = 0, var = 0, M = (double) (N * inner);

      for (gint64 n = 0; n < N; n++)
        for (gint64 i = 0; i < inner; i++)
          mean += x[(n * C + c) * inner + i];
      mean /= M;
      for (gint64 n = 0; n < N; n++)
        for (gint64 i = 0; i < inner; i++)
          {
            double d = x[(n * C + c) * inner + i] - mean;
            var += d * d;
          }
      var /= M;
      if (bm)
        bm[c] = mean;
      if (bv)
        bv[c] = var;
      if (rm)
        {
          mean = rm[c];
          var = rv[c];
        }
      for (gint64 n = 0; n < N; n++)
        for (gint64 i = 0; i < inner; i++)
          {
            gint64 k = (n * C + c) * inner + i;
            y[k] = (x[k] - mean) / sqrt (var + BN_EPS) * (w ? w[c] : 1.0) + (b ? b[c] : 0.0);
          }
    }
}

static void
bn_run (OhShape s, LtDType dt, OhLay lay, gboolean training, gboolean affine)
{
  g_autoptr(GError) error = NULL;
  OhShape C = OH_SH (s.d[1]);
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) rm = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) rv = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  g_autofree double *bm = g_new0 (double, s.d[1]);
  g_autofree double *bv = g_new0 (double, s.d[1]);
  g_autofree double *rm1 = g_new0 (double, s.d[1]);
  g_autofree double *rv1 = g_new0 (double, s.d[1]);
  g_autoptr(LtTensor) y = NULL;
  double rtol = dt == F32 ? 1e-4 : 1e-11, atol = dt == F32 ? 1e-5 : 1e-11;

  /* variances away from 0 */
  for (gint64 c = 0; c < s.d[1]; c++)
    rv.v[c] = fabs (rv.v[c]) + 0.5;
  g_clear_object (&rv.t);
  rv.t = oh_build (rv.v, C, dt, OH_LAY_CONTIG);
  y = lt_batch_norm (x.t, rm.t, rv.t, affine ? w.t : NULL, affine ? b.t : NULL, training, 0.25,
                     BN_EPS, &error);
  g_assert_no_error (error);
  bn_ref (s, x.v, affine ? w.v : NULL, affine ? b.v : NULL, training ? NULL : rm.v,
          training ? NULL : rv.v, ref, bm, bv);
  oh_check_tol (y, dt, s, ref, rtol, atol);
  /* the running statistics: 0.75 old + 0.25 the batch's (unbiased
   * variance), untouched in evaluation */
  for (gint64 c = 0; c < s.d[1]; c++)
    {
      double M = (double) (oh_numel (s) / s.d[1]);

      rm1[c] = training ? 0.75 * rm.v[c] + 0.25 * bm[c] : rm.v[c];
      rv1[c] = training ? 0.75 * rv.v[c] + 0.25 * bv[c] * M / (M - 1) : rv.v[c];
    }
  oh_check_tol (rm.t, dt, C, rm1, rtol, atol);
  oh_check_tol (rv.t, dt, C, rv1, rtol, atol);
}

static void
bn_fw_values (gconstpointer d)
{
  bn_run (OH_SH (4, 3, 5, 6), F32, OH_LAY_CONTIG, TRUE, TRUE);
  bn_run (OH_SH (4, 3, 5, 6), F64, OH_LAY_CONTIG, FALSE, TRUE);
  bn_run (OH_SH (3, 4, 2, 5), F64, OH_LAY_T, TRUE, FALSE);
  bn_run (OH_SH (6, 5), F64, OH_LAY_STEP, TRUE, TRUE);
  bn_run (OH_SH (6, 5), F32, OH_LAY_PAD, FALSE, FALSE);
  bn_run (OH_SH (2, 3, 7), F64, OH_LAY_EXPAND, TRUE, TRUE);
  /* channels and images many enough for the thread pool */
  bn_run (OH_SH (16, 32, 12, 12), F32, OH_LAY_CONTIG, TRUE, TRUE);
  bn_run (OH_SH (16, 32, 12, 12), F32, OH_LAY_CONTIG, FALSE, TRUE);
}

/* float32: the fused kernel against the same steps as separate ops (the
 * unfused form): mean, centred, biased variance, rsqrt, scale, shift */
static void
bn_fw_unfused (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  OhShape s = OH_SH (8, 6, 7, 9);
  g_auto(OhArr) x = oh_arr_new (s, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (1, 6, 1, 1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (1, 6, 1, 1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  const gint dims[3] = { 0, 2, 3 };
  g_autoptr(LtTensor) xs = lt_tensor_add_scalar (x.t, 7.0, &error);
  g_autoptr(LtTensor) mean = lt_tensor_mean_dims (xs, dims, 3, TRUE, &error);
  g_autoptr(LtTensor) cen = lt_tensor_sub (xs, mean, &error);
  g_autoptr(LtTensor) sq = lt_tensor_mul (cen, cen, &error);
  g_autoptr(LtTensor) var = lt_tensor_mean_dims (sq, dims, 3, TRUE, &error);
  g_autoptr(LtTensor) ve = lt_tensor_add_scalar (var, BN_EPS, &error);
  g_autoptr(LtTensor) rs = lt_tensor_rsqrt (ve, &error);
  g_autoptr(LtTensor) nrm = lt_tensor_mul (cen, rs, &error);
  g_autoptr(LtTensor) sc = lt_tensor_mul (nrm, w.t, &error);
  g_autoptr(LtTensor) want = lt_tensor_add (sc, b.t, &error);
  g_autoptr(LtTensor) y = lt_batch_norm (xs, NULL, NULL, w.t, b.t, TRUE, 0.1, BN_EPS, &error);
  g_autofree double *want_v = NULL;

  g_assert_no_error (error);
  want_v = oh_values_of (want);
  oh_assert_values (y, want_v, 1e-5, 2e-5);
}

static LtTensor *
gc_bn (LtTensor **in, gsize n, gpointer data)
{
  const gboolean *training = data;
  g_autoptr(GError) error = NULL;
  const double zeros[2] = { 0, 0 }, ones[2] = { 1, 1 };
  LtDevice     saved = oh_device;
  LtTensor    *y;
  g_autoptr(LtTensor) rm = NULL;
  g_autoptr(LtTensor) rv = NULL;

  /* the running statistics on the inputs' device (on a device, the
   * harness runs this on the CPU too, to compare) */
  oh_device = lt_tensor_get_device (in[0]);
  rm = oh_build (zeros, OH_SH (2), F64, OH_LAY_CONTIG);
  rv = oh_build (ones, OH_SH (2), F64, OH_LAY_CONTIG);
  oh_device = saved;
  y = lt_batch_norm (in[0], *training ? NULL : rm, *training ? NULL : rv, n > 1 ? in[1] : NULL,
                     n > 2 ? in[2] : NULL, *training, 0.1, BN_EPS, &error);
  g_assert_no_error (error);
  return y;
}

static void
bn_bw_gradcheck (gconstpointer d)
{
  static const gboolean modes[2] = { TRUE, FALSE };

  for (guint m = 0; m < 2; m++)
    for (gsize n = 1; n <= 3; n += 2)
      {
        LtTensor *in[3];

        in[0] = oh_leaf_new (OH_SH (3, 2, 2, 3), m ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
        in[1] = oh_leaf_new (OH_SH (2), OH_LAY_CONTIG, OH_DIST_UNIT);
        in[2] = oh_leaf_new (OH_SH (2), OH_LAY_CONTIG, OH_DIST_UNIT);
        oh_gradcheck (gc_bn, &modes[m], in, n);
        for (guint i = 0; i < 3; i++)
          g_object_unref (in[i]);
      }
}

static void
bn_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 2, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;

  g_assert_true (lt_tensor_set_requires_grad (x.t, TRUE, &error));
  y = lt_batch_norm (x.t, NULL, NULL, NULL, NULL, TRUE, 0.1, BN_EPS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "NativeBatchNormBackward0");
}

/* The pool splits every pass by rows (n, c) and the sums are added per
 * channel in the order of n: forward and backward give the same bits on
 * 1, 2 and 3 threads, in training and evaluation, and match the float64
 * definition (which bn_fw_values and bngrad_run check on small shapes).
 * 3 x 5 x 47 x 101 = 71,205 values: enough for the pool; an odd row count,
 * and rows that do not fill whole vectors. */
#define BN_THREADS_SHAPE OH_SH (3, 5, 47, 101)

typedef struct
{
  OhArr x, dy, w, b, rm, rv;
} BnThreadsIn;

/* y, dx and the affine gradients, one after the other in *out */
static void
bn_threads_run (const BnThreadsIn *in,
                LtDType            dt,
                gboolean           training,
                gboolean           affine,
                double           **out,
                gint64            *n_out)
{
  g_autoptr(GError) error = NULL;
  OhShape s = BN_THREADS_SHAPE;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) stats = NULL;
  g_autoptr(LtTensor) dx = NULL;
  g_autoptr(LtTensor) ga = NULL;
  g_autofree double *ref = g_new (double, in->x.n);
  g_autofree double *zeros = g_new0 (double, in->x.n);
  g_autofree double *yv = NULL, *dxv = NULL, *gav = NULL;
  LtGradFn          *node;
  LtTensor          *args[4];
  gint64             n = in->x.n;

  y =
    lt_batch_norm (in->x.t, training ? NULL : in->rm.t, training ? NULL : in->rv.t,
                   affine ? in->w.t : NULL, affine ? in->b.t : NULL, training, 0.1, BN_EPS, &error);
  g_assert_no_error (error);
  bn_ref (s, in->x.v, affine ? in->w.v : NULL, affine ? in->b.v : NULL, training ? NULL : in->rm.v,
          training ? NULL : in->rv.v, ref, NULL, NULL);
  oh_check_tol (y, dt, s, ref, dt == F32 ? 1e-4 : 1e-11, dt == F32 ? 1e-5 : 1e-11);
  node = lt_tensor_get_grad_fn (y);
  stats = g_object_ref (_lt_grad_fn_get_saved (node, LT_SAVED_AUX, &error));
  g_assert_no_error (error);
  dx = oh_build (zeros, s, dt, OH_LAY_CONTIG);
  ga = oh_build (zeros, OH_SH (2, 5), dt, OH_LAY_CONTIG);
  args[0] = in->dy.t;
  args[1] = in->x.t;
  args[2] = stats;
  args[3] = in->w.t;
  g_assert_true (
    _lt_run (LT_OP_BATCH_NORM_GRAD, dx, ga, args, affine ? 4 : 3, &node->params, &error));
  g_assert_no_error (error);
  yv = oh_values_of (y);
  dxv = oh_values_of (dx);
  gav = oh_values_of (ga);
  *out = g_new (double, 2 * n + 10);
  memcpy (*out, yv, n * sizeof (double));
  memcpy (*out + n, dxv, n * sizeof (double));
  memcpy (*out + 2 * n, gav, 10 * sizeof (double));
  *n_out = 2 * n + 10;
}

static void
bn_fw_threads (gconstpointer d)
{
  int saved = lt_get_num_threads ();

  for (guint k = 0; k < 8; k++)
    {
      g_autoptr(GError) error = NULL;
      LtDType     dt = k & 1 ? F64 : F32;
      gboolean    training = (k & 2) != 0, affine = (k & 4) != 0;
      OhShape     C = OH_SH (5);
      BnThreadsIn in = {
        .x = oh_arr_new (BN_THREADS_SHAPE, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
        .dy = oh_arr_new (BN_THREADS_SHAPE, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
        .w = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
        .b = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
        .rm = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
        .rv = oh_arr_new (C, dt, OH_LAY_CONTIG, OH_DIST_UNIT),
      };
      g_autofree double *one = NULL;
      gint64             n1 = 0;

      for (gint64 c = 0; c < 5; c++)
        in.rv.v[c] = fabs (in.rv.v[c]) + 0.5;
      g_clear_object (&in.rv.t);
      in.rv.t = oh_build (in.rv.v, C, dt, OH_LAY_CONTIG);
      g_assert_true (lt_tensor_set_requires_grad (in.x.t, TRUE, &error));
      for (int t = 1; t <= 3; t++)
        {
          g_autofree double *got = NULL;
          gint64             n = 0;

          lt_set_num_threads (t);
          bn_threads_run (&in, dt, training, affine, &got, &n);
          if (t == 1)
            {
              one = g_steal_pointer (&got);
              n1 = n;
              continue;
            }
          g_assert_cmpint (n, ==, n1);
          for (gint64 i = 0; i < n; i++)
            if (memcmp (&got[i], &one[i], sizeof (double)) != 0)
              g_error ("batch_norm (%s, %s, %s) on %d threads: value %" G_GINT64_FORMAT
                       " is %.17g, on 1 thread %.17g",
                       dt == F32 ? "float32" : "float64", training ? "training" : "evaluation",
                       affine ? "affine" : "no affine", t, i, got[i], one[i]);
        }
      oh_arr_clear (&in.x);
      oh_arr_clear (&in.dy);
      oh_arr_clear (&in.w);
      oh_arr_clear (&in.b);
      oh_arr_clear (&in.rm);
      oh_arr_clear (&in.rv);
    }
  lt_set_num_threads (saved);
}

static const OhCase bn_forward[] = { { "values", bn_fw_values }, { NULL, NULL } };
static const OhCase bn_forward_extra[] = { { "unfused", bn_fw_unfused },
                                           { "threads", bn_fw_threads },
                                           { NULL, NULL } };
static const OhCase bn_backward[] = { { "gradcheck", bn_bw_gradcheck },
                                      { "node", bn_bw_node },
                                      { NULL, NULL } };

/* batch_norm_grad run directly, with the forward's statistics, against
 * central differences of the reference */
static void
bngrad_run (OhShape s, gboolean training)
{
  g_autoptr(GError) error = NULL;
  gint64 C = s.d[1], n = oh_numel (s);
  g_auto(OhArr) x = oh_arr_new (s, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (C), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (C), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) dy = oh_arr_new (s, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  double             rmv[64] = { 0 }, rvv[64];
  g_autofree double *zeros = g_new0 (double, MAX (n, 2 * C));
  g_autoptr(LtTensor) rm = NULL;
  g_autoptr(LtTensor) rv = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) stats = NULL;
  g_autoptr(LtTensor) dx = oh_build (zeros, s, F64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) ga = oh_build (zeros, OH_SH (2, C), F64, OH_LAY_CONTIG);
  g_autofree double *y = g_new (double, n);
  g_autofree double *rdx = g_new (double, n);
  g_autofree double *rga = g_new (double, 2 * C);
  LtGradFn          *node;
  LtTensor          *in[4];
  const double       h = 1e-6;

  g_assert_cmpint (C, <=, 64);
  for (gint64 c = 0; c < C; c++)
    rvv[c] = 1;
  rm = oh_build (rmv, OH_SH (C), F64, OH_LAY_CONTIG);
  rv = oh_build (rvv, OH_SH (C), F64, OH_LAY_CONTIG);
  g_assert_true (lt_tensor_set_requires_grad (x.t, TRUE, &error));
  out = lt_batch_norm (x.t, training ? NULL : rm, training ? NULL : rv, w.t, b.t, training, 0.1,
                       BN_EPS, &error);
  g_assert_no_error (error);
  node = lt_tensor_get_grad_fn (out);
  stats = _lt_grad_fn_get_saved (node, LT_SAVED_AUX, &error);
  g_assert_no_error (error);
  g_object_ref (stats);
  in[0] = dy.t;
  in[1] = x.t;
  in[2] = stats;
  in[3] = w.t;
  g_assert_true (_lt_run (LT_OP_BATCH_NORM_GRAD, dx, ga, in, 4, &node->params, &error));
  g_assert_no_error (error);
  for (gint64 k = 0; k < n + 2 * C; k++)
    {
      double *v = k < n ? &x.v[k] : k < n + C ? &w.v[k - n] : &b.v[k - n - C];
      double  save = *v, lp = 0, lm = 0;

      *v = save + h;
      bn_ref (s, x.v, w.v, b.v, training ? NULL : rmv, training ? NULL : rvv, y, NULL, NULL);
      for (gint64 i = 0; i < n; i++)
        lp += dy.v[i] * y[i];
      *v = save - h;
      bn_ref (s, x.v, w.v, b.v, training ? NULL : rmv, training ? NULL : rvv, y, NULL, NULL);
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
bngrad_fw_values (gconstpointer d)
{
  bngrad_run (OH_SH (3, 4, 5), TRUE);
  bngrad_run (OH_SH (3, 4, 5), FALSE);
  bngrad_run (OH_SH (4, 3), TRUE);
  bngrad_run (OH_SH (2, 3, 2, 3), FALSE);
}

static const OhCase bngrad_forward[] = { { "values", bngrad_fw_values }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_BATCH_NORM, "batch_norm", NULL, bn_forward, bn_forward_extra, bn_backward, NULL),
  OH_SPEC (LT_OP_BATCH_NORM_GRAD, "batch_norm_grad", NULL, bngrad_forward, NULL, NULL, NULL),
};

guint
oh_register_batch_norm (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
