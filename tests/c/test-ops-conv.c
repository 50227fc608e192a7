/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): conv2d and the kernels
 * of its backward rule (conv2d_grad_input, conv2d_grad_weight), and
 * conv_transpose2d, made of them.
 */

#include "ops-harness.h"

/* conv2d and the kernels of its backward rules. The references below are
 * the definition of torch.nn.functional's conv2d written as plain loops
 * over doubles. */

typedef struct
{
  gint64 N, C, H, W, O, kh, kw;
  gint64 stride[2], padding[2], dilation[2], groups;
  gboolean bias, batched;
} ConvCase;

static const ConvCase conv_cases[] = {
  /* N, C, H, W, O, kh, kw, stride, padding, dilation, groups, bias, batched */
  { 2, 3, 7, 9, 4, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 3, 4, 8, 7, 6, 3, 2, { 2, 1 }, { 1, 0 }, { 1, 2 }, 2, TRUE, TRUE },
  { 2, 4, 9, 6, 4, 2, 3, { 1, 3 }, { 2, 1 }, { 3, 1 }, 4, FALSE, TRUE },
  { 1, 3, 6, 5, 2, 2, 3, { 3, 2 }, { 2, 1 }, { 2, 1 }, 1, TRUE, FALSE },
  { 5, 4, 3, 5, 2, 1, 1, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 2, 4, 4, 3, 4, 4, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 70, 2, 6, 6, 3, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 1, FALSE, TRUE },
  { 3, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 5, 6, 14, 14, 16, 5, 5, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 3, 4, 9, 10, 6, 3, 3, { 1, 1 }, { 2, 1 }, { 2, 2 }, 2, TRUE, TRUE },
  /* strides whose phases the filter does not all meet: unfolded columns */
  { 2, 6, 7, 8, 5, 1, 1, { 2, 2 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 3, 9, 9, 4, 3, 3, { 2, 2 }, { 2, 2 }, { 2, 2 }, 1, TRUE, TRUE },
  /* stride 2 over rows long enough for the vector (de)interleaving of the
   * unfolded columns, every instruction set's width */
  { 2, 1, 5, 40, 3, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 4, 6, 37, 4, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 4, TRUE, TRUE },
  /* stride 2 and 3 on wide rows through the image's phases */
  { 3, 5, 14, 13, 7, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 1, TRUE, TRUE },
  /* the grad input by phases (6 input channels a group and more): strides
   * 2 by 3, dilation 2 by 1, two groups; a stride-2 4x4 without batch */
  { 2, 12, 11, 13, 4, 3, 3, { 2, 3 }, { 1, 2 }, { 2, 1 }, 2, TRUE, TRUE },
  { 1, 7, 9, 8, 5, 4, 4, { 2, 2 }, { 1, 1 }, { 1, 1 }, 1, FALSE, FALSE },
  { 2, 3, 17, 16, 4, 7, 7, { 2, 3 }, { 3, 3 }, { 1, 1 }, 1, TRUE, TRUE },
  /* depthwise (groups = channels): the CPU backend's direct kernels; 3x3
   * at stride 1 and 2, dilated, rows past a vector and a 1x1 at stride 2 */
  { 2, 5, 14, 13, 5, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 5, TRUE, TRUE },
  { 3, 6, 15, 18, 6, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 6, TRUE, TRUE },
  { 2, 4, 11, 9, 4, 3, 3, { 1, 2 }, { 2, 1 }, { 2, 2 }, 4, FALSE, TRUE },
  { 1, 3, 7, 35, 3, 3, 3, { 2, 1 }, { 1, 1 }, { 1, 1 }, 3, TRUE, FALSE },
  { 2, 4, 6, 6, 4, 1, 1, { 2, 2 }, { 0, 0 }, { 1, 1 }, 4, TRUE, TRUE },
  /* an empty batch: last (conv2d_bw_size0) */
  { 0, 3, 5, 5, 2, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
};

/* Small enough for gradcheck: every parameter in at least one case, on
 * both of the CPU kernel's column layouts (stride 1: wide rows; other
 * strides: unfolded columns) */
static const ConvCase conv_gc_cases[] = {
  { 2, 2, 5, 4, 3, 3, 2, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 4, 6, 5, 4, 3, 2, { 2, 1 }, { 1, 1 }, { 1, 2 }, 2, TRUE, TRUE },
  { 1, 2, 5, 6, 2, 2, 2, { 1, 2 }, { 0, 1 }, { 2, 1 }, 2, FALSE, TRUE },
  { 1, 2, 4, 5, 3, 2, 3, { 2, 2 }, { 1, 2 }, { 1, 1 }, 1, TRUE, FALSE },
  { 2, 4, 6, 7, 4, 3, 2, { 1, 1 }, { 1, 2 }, { 2, 1 }, 2, TRUE, TRUE },
  { 1, 2, 5, 4, 2, 2, 2, { 1, 1 }, { 1, 1 }, { 1, 1 }, 1, FALSE, FALSE },
  /* the grad input by phases: 6 input channels, strides 2 by 3 */
  { 1, 6, 5, 7, 2, 3, 2, { 2, 3 }, { 1, 1 }, { 1, 2 }, 1, TRUE, TRUE },
  /* depthwise: 3x3 at stride 1 and 2 with padding 1, dilated 3x3 */
  { 2, 3, 5, 6, 3, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 3, TRUE, TRUE },
  { 2, 2, 6, 5, 2, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 2, TRUE, TRUE },
  { 1, 2, 6, 6, 2, 3, 3, { 1, 1 }, { 2, 2 }, { 2, 2 }, 2, FALSE, TRUE },
};

static OhShape
conv_in_shape (const ConvCase *c)
{
  return c->batched ? OH_SH (c->N, c->C, c->H, c->W) : OH_SH (c->C, c->H, c->W);
}

static gint64
conv_oh (const ConvCase *c, guint i)
{
  gint64 in = i == 0 ? c->H : c->W, k = i == 0 ? c->kh : c->kw;

  return (in + 2 * c->padding[i] - c->dilation[i] * (k - 1) - 1) / c->stride[i] + 1;
}

static OhShape
conv_out_shape (const ConvCase *c)
{
  return c->batched ? OH_SH (c->N, c->O, conv_oh (c, 0), conv_oh (c, 1))
                    : OH_SH (c->O, conv_oh (c, 0), conv_oh (c, 1));
}

/* Calls @visit for every (output, weight, input) triple of the sum that
 * defines y[n, o, oh, ow]; padding positions are skipped. */
typedef void (*ConvVisit) (gint64 yi, gint64 wi, gint64 xi, gint64 o, gpointer data);

static void
conv_walk (const ConvCase *c, ConvVisit visit, gpointer data)
{
  gint64 OH = conv_oh (c, 0), OW = conv_oh (c, 1), Cg = c->C / c->groups, Og = c->O / c->groups;

  for (gint64 n = 0; n < c->N; n++)
    for (gint64 o = 0; o < c->O; o++)
      for (gint64 oh = 0; oh < OH; oh++)
        for (gint64 ow = 0; ow < OW; ow++)
          {
            gint64 yi = ((n * c->O + o) * OH + oh) * OW + ow;

            visit (yi, -1, -1, o, data);
            for (gint64 ci = 0; ci < Cg; ci++)
              for (gint64 i = 0; i < c->kh; i++)
                for (gint64 j = 0; j < c->kw; j++)
                  {
                    gint64 ih = oh * c->stride[0] - c->padding[0] + i * c->dilation[0];
                    gint64 iw = ow * c->stride[1] - c->padding[1] + j * c->dilation[1];
                    gint64 ch = (o / Og) * Cg + ci;

                    if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                      continue;
                    visit (yi, ((o * Cg + ci) * c->kh + i) * c->kw + j,
                           ((n * c->C + ch) * c->H + ih) * c->W + iw, o, data);
                  }
          }
}

typedef struct
{
  const double *x, *w, *b, *dy;
  double *y, *dx, *dw, *db;
} ConvRef;

static void
conv_ref_visit (gint64 yi, gint64 wi, gint64 xi, gint64 o, gpointer data)
{
  ConvRef *r = data;

  if (wi < 0)
    {
      if (r->y)
        r->y[yi] = r->b ? r->b[o] : 0;
      if (r->db)
        r->db[o] += r->dy[yi];
      return;
    }
  if (r->y)
    r->y[yi] += r->w[wi] * r->x[xi];
  if (r->dx)
    r->dx[xi] += r->w[wi] * r->dy[yi];
  if (r->dw)
    r->dw[wi] += r->x[xi] * r->dy[yi];
}

static double *
ref_conv2d (const ConvCase *c, const double *x, const double *w, const double *b)
{
  ConvRef r = { .x = x, .w = w, .b = b };

  r.y = g_new0 (double, MAX (oh_numel (conv_out_shape (c)), 1));
  conv_walk (c, conv_ref_visit, &r);
  return r.y;
}

static OhShape
conv_w_shape (const ConvCase *c)
{
  return OH_SH (c->O, c->C / c->groups, c->kh, c->kw);
}

static LtTensor *
conv_call (const ConvCase *c, LtTensor *x, LtTensor *w, LtTensor *b, GError **error)
{
  return lt_conv2d (x, w, c->bias ? b : NULL, c->stride, c->padding, c->dilation, c->groups,
                    error);
}

static void
conv2d_fw_values (gconstpointer data)
{
  static const LtDType dts[] = { F32, F64 };
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    for (guint di = 0; di < G_N_ELEMENTS (dts); di++)
      for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
        {
          const ConvCase *c = &conv_cases[ci];
          LtDType dt = dts[di];
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) x = oh_arr_new (conv_in_shape (c), dt, lays[li], OH_DIST_UNIT);
          g_auto(OhArr) w = oh_arr_new (conv_w_shape (c), dt, lays[(li + 1) % 3], OH_DIST_UNIT);
          g_auto(OhArr) b = oh_arr_new (OH_SH (c->O), dt, lays[li], OH_DIST_UNIT);
          g_autoptr(LtTensor) y = conv_call (c, x.t, w.t, b.t, &error);
          g_autofree double *ref = ref_conv2d (c, x.v, w.v, c->bias ? b.v : NULL);

          g_test_message ("case %u, %s, layout %u", ci, lt_dtype_get_name (dt), li);
          g_assert_no_error (error);
          if (dt == F32)
            oh_check_tol (y, dt, conv_out_shape (c), ref, 1e-4, 1e-5);
          else
            oh_check_tol (y, dt, conv_out_shape (c), ref, 1e-10, 1e-12);
          g_assert_cmpint (lt_tensor_is_contiguous (y), ==, TRUE);
        }
}

/* Above the pool's threshold: the unfolding and the copies run in parts */
static void
conv2d_fw_big (gconstpointer data)
{
  const ConvCase c = { 24, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 2, 1 }, { 1, 1 }, 1, TRUE, TRUE };
  const ConvCase c2 = { 64, 8, 12, 12, 8, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 2, TRUE, TRUE };
  const ConvCase *cs[] = { &c, &c2 };

  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (conv_in_shape (cs[i]), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_auto(OhArr) w = oh_arr_new (conv_w_shape (cs[i]), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_auto(OhArr) b = oh_arr_new (OH_SH (cs[i]->O), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = conv_call (cs[i], x.t, w.t, b.t, &error);
      g_autofree double *ref = ref_conv2d (cs[i], x.v, w.v, b.v);

      g_assert_no_error (error);
      g_assert_cmpint (oh_numel (conv_in_shape (cs[i])), >, OH_BIG);
      oh_check_tol (y, F32, conv_out_shape (cs[i]), ref, 1e-4, 1e-5);
    }
}

static void
conv_expect_error (const ConvCase *c, OhShape xs, OhShape ws, gint64 nb, LtDType xdt, LtDType wdt,
                   LtDType bdt, LtError code)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (xs, xdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (ws, wdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (nb), bdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *before = oh_values_of (x.t);
  g_autofree double *after = NULL;
  LtTensor *y = lt_conv2d (x.t, w.t, b.t, c->stride, c->padding, c->dilation, c->groups, &error);

  oh_check_error (y, error, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "conv2d: "));
  if (code == LT_ERROR_SHAPE)
    g_assert_nonnull (strchr (error->message, '['));
  after = oh_values_of (x.t);
  g_assert_cmpmem (before, x.n * sizeof (double), after, x.n * sizeof (double));
}

static void
conv2d_fw_errors (gconstpointer data)
{
  const ConvCase ok = { 2, 4, 6, 6, 4, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 2, TRUE, TRUE };
  ConvCase c;
  OhShape xs = OH_SH (2, 4, 6, 6), ws = OH_SH (4, 2, 3, 3);

  conv_expect_error (&ok, OH_SH (4, 6), ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, OH_SH (1, 2, 4, 6, 6), ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, OH_SH (4, 2, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, ws, 4, I64, I64, I64, LT_ERROR_DTYPE);
  conv_expect_error (&ok, xs, ws, 4, F32, F64, F32, LT_ERROR_DTYPE);
  conv_expect_error (&ok, xs, ws, 4, F64, F64, F32, LT_ERROR_DTYPE);
  /* channels: 4 input channels, groups 2, weight expects 2 x 3 */
  conv_expect_error (&ok, xs, OH_SH (4, 3, 3, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  /* 3 output channels in 2 groups */
  conv_expect_error (&ok, xs, OH_SH (3, 2, 3, 3), 3, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, OH_SH (0, 2, 3, 3), 0, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, ws, 5, F32, F32, F32, LT_ERROR_SHAPE);
  /* a filter larger than the image */
  conv_expect_error (&ok, xs, OH_SH (4, 2, 7, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  c = ok;
  c.dilation[1] = 3;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  c = ok;
  c.stride[0] = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.padding[1] = -1;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.dilation[0] = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.groups = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c.groups = -2;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  {
    /* a 2-D bias */
    g_autoptr(GError) error = NULL;
    g_auto(OhArr) x = oh_arr_new (xs, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto(OhArr) w = oh_arr_new (ws, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto(OhArr) b = oh_arr_new (OH_SH (1, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    LtTensor *y = lt_conv2d (x.t, w.t, b.t, NULL, NULL, NULL, 2, &error);

    oh_check_error (y, error, LT_ERROR_SHAPE);
  }
}

/* NULL stride, padding and dilation mean (1, 1), (0, 0), (1, 1); the node */
static void
conv2d_fw_defaults (gconstpointer data)
{
  const ConvCase c = { 2, 3, 6, 5, 4, 3, 2, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, FALSE, TRUE };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (conv_in_shape (&c), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) w = oh_leaf_new (conv_w_shape (&c), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autofree double *wv = oh_values_of (w);
  g_autoptr(LtTensor) y = lt_conv2d (x.t, w, NULL, NULL, NULL, NULL, 1, &error);
  g_autofree double *ref = ref_conv2d (&c, x.v, wv, NULL);

  g_assert_no_error (error);
  oh_check (y, F64, conv_out_shape (&c), ref);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "ConvolutionBackward0");
  /* the images need no gradient: the weight is not kept for one */
  g_assert_null (lt_tensor_get_grad_fn (y)->saved[1]);
  g_assert_nonnull (lt_tensor_get_grad_fn (y)->saved[0]);
  {
    /* no input requires grad: no node */
    g_autoptr(LtTensor) wd = lt_tensor_detach (w);
    g_autoptr(LtTensor) y2 = lt_conv2d (x.t, wd, NULL, NULL, NULL, NULL, 1, &error);

    g_assert_no_error (error);
    g_assert_null (lt_tensor_get_grad_fn (y2));
  }
}

/* A batch of one or two images on 2 threads, above the pool's threshold:
 * fewer images than parts, so the CPU kernels cut each product into blocks
 * of rows (output channels for the forward and the weight's gradient,
 * input channels for the input's), and the weight's gradient over a few
 * vectors of columns is dy @ B^T; wide rows, unfolded columns, 1x1,
 * dilation and groups */
static const ConvCase conv_small_batch_cases[] = {
  { 1, 32, 7, 7, 40, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 24, 9, 8, 48, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, 1, TRUE, TRUE },
  { 1, 128, 5, 5, 128, 1, 1, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 1, 32, 10, 10, 36, 3, 3, { 1, 1 }, { 2, 2 }, { 2, 2 }, 2, FALSE, TRUE },
};

static void
conv2d_fw_small_batch (gconstpointer data)
{
  int threads = lt_get_num_threads ();

  lt_set_num_threads (2);
  for (guint i = 0; i < G_N_ELEMENTS (conv_small_batch_cases); i++)
    for (guint di = 0; di < 2; di++)
      {
        const ConvCase *c = &conv_small_batch_cases[i];
        LtDType         dt = di ? F64 : F32;
        g_autoptr(GError) error = NULL;
        g_auto(OhArr) x = oh_arr_new (conv_in_shape (c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) w = oh_arr_new (conv_w_shape (c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) b = oh_arr_new (OH_SH (c->O), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_autoptr(LtTensor) y = conv_call (c, x.t, w.t, b.t, &error);
        g_autofree double *ref = ref_conv2d (c, x.v, w.v, c->bias ? b.v : NULL);

        g_test_message ("case %u, %s", i, lt_dtype_get_name (dt));
        g_assert_no_error (error);
        if (dt == F32)
          oh_check_tol (y, dt, conv_out_shape (c), ref, 1e-4, 1e-5);
        else
          oh_check_tol (y, dt, conv_out_shape (c), ref, 1e-10, 1e-12);
      }
  lt_set_num_threads (threads);
}

static const OhCase conv2d_forward[] = {
  { "values", conv2d_fw_values },           { "big", conv2d_fw_big },
  { "small-batch", conv2d_fw_small_batch }, { "errors", conv2d_fw_errors },
  { "defaults", conv2d_fw_defaults },       { NULL, NULL }
};

/* The gradients of y = conv2d (x, w, b) for an upstream gradient dy, against
 * the reference; @which: bit 0 x, bit 1 w, bit 2 b require grad. */
static void
conv_grads_check (const ConvCase *c, LtDType dt, OhLay lay, guint which)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) xa = oh_arr_new (conv_in_shape (c), dt, lay, OH_DIST_UNIT);
  g_auto(OhArr) wa = oh_arr_new (conv_w_shape (c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) ba = oh_arr_new (OH_SH (c->O), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) dya = oh_arr_new (conv_out_shape (c), dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
  g_autoptr(LtTensor) w = lt_tensor_detach (wa.t);
  g_autoptr(LtTensor) b = lt_tensor_detach (ba.t);
  g_autoptr(LtTensor) y = NULL;
  LtGradFn *node;
  ConvRef r = { .x = xa.v, .w = wa.v, .dy = dya.v };
  /* float32 sums of N OH OW terms (the weight's gradient) round by about
   * sqrt (terms) units of the terms' size */
  double terms = MAX (1.0, (double) (c->N * conv_oh (c, 0) * conv_oh (c, 1)));
  double rtol = dt == F32 ? 1e-4 : 1e-10;
  double atol = dt == F32 ? 1e-4 * MAX (1.0, sqrt (terms) / 30) : 1e-12;
  LtTensor *ts[3] = { x, w, b };

  for (guint i = 0; i < 3; i++)
    if (which & (1u << i))
      g_assert_true (lt_tensor_set_requires_grad (ts[i], TRUE, &error));
  y = conv_call (c, x, w, b, &error);
  g_assert_no_error (error);
  node = lt_tensor_get_grad_fn (y);
  g_assert_nonnull (node);
  /* what nobody needs is not kept */
  if (!(which & 1))
    g_assert_null (node->saved[1]);
  if (!(which & 2))
    g_assert_null (node->saved[0]);
  g_assert_true (lt_tensor_backward (y, dya.t, FALSE, &error));
  g_assert_no_error (error);

  r.dx = which & 1 ? g_new0 (double, MAX (xa.n, 1)) : NULL;
  r.dw = which & 2 ? g_new0 (double, MAX (wa.n, 1)) : NULL;
  r.db = which & 4 && c->bias ? g_new0 (double, c->O) : NULL;
  conv_walk (c, conv_ref_visit, &r);
  if (r.dx)
    oh_check_tol (lt_tensor_get_grad (x), dt, xa.s, r.dx, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (x));
  if (r.dw)
    oh_check_tol (lt_tensor_get_grad (w), dt, wa.s, r.dw, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (w));
  if (r.db)
    oh_check_tol (lt_tensor_get_grad (b), dt, ba.s, r.db, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (b));
  g_free (r.dx);
  g_free (r.dw);
  g_free (r.db);
}

static void
conv2d_grad_input_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    {
      g_test_message ("case %u", ci);
      conv_grads_check (&conv_cases[ci], F64, ci % 2 ? OH_LAY_T : OH_LAY_CONTIG, 1);
      conv_grads_check (&conv_cases[ci], F32, OH_LAY_STEP, 1 | 4);
    }
}

static void
conv2d_grad_weight_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    {
      g_test_message ("case %u", ci);
      conv_grads_check (&conv_cases[ci], F64, ci % 2 ? OH_LAY_CONTIG : OH_LAY_T, 2 | 4);
      conv_grads_check (&conv_cases[ci], F32, OH_LAY_CONTIG, 1 | 2 | 4);
      conv_grads_check (&conv_cases[ci], F64, OH_LAY_STEP, 2);
    }
  /* the bias alone */
  conv_grads_check (&conv_cases[1], F64, OH_LAY_CONTIG, 4);
}

static void
conv2d_grad_fw_big (gconstpointer data)
{
  const ConvCase c = { 24, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 2, 1 }, { 1, 1 }, 1, TRUE, TRUE };

  conv_grads_check (&c, F32, OH_LAY_CONTIG, 1 | 2 | 4);
}

static void
conv2d_grad_fw_small_batch (gconstpointer data)
{
  int threads = lt_get_num_threads ();

  lt_set_num_threads (2);
  for (guint i = 0; i < G_N_ELEMENTS (conv_small_batch_cases); i++)
    {
      g_test_message ("case %u", i);
      conv_grads_check (&conv_small_batch_cases[i], F32, OH_LAY_CONTIG, 1 | 2 | 4);
      conv_grads_check (&conv_small_batch_cases[i], F64, OH_LAY_T, 1 | 2 | 4);
    }
  lt_set_num_threads (threads);
}

static const OhCase conv2d_grad_input_forward[] = { { "values", conv2d_grad_input_fw_values },
                                                    { "big", conv2d_grad_fw_big },
                                                    { "small-batch", conv2d_grad_fw_small_batch },
                                                    { NULL, NULL } };

static const OhCase conv2d_grad_weight_forward[] = { { "values", conv2d_grad_weight_fw_values },
                                                     { "big", conv2d_grad_fw_big },
                                                     { "small-batch", conv2d_grad_fw_small_batch },
                                                     { NULL, NULL } };

static LtTensor *
gc_conv2d (LtTensor **in, gsize n, gpointer data)
{
  const ConvCase *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = conv_call (c, in[0], in[1], n > 2 ? in[2] : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
conv2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_gc_cases); ci++)
    {
      const ConvCase *c = &conv_gc_cases[ci];
      LtTensor *in[3];
      gsize n = c->bias ? 3 : 2;

      g_test_message ("case %u", ci);
      in[0] = oh_leaf_new (conv_in_shape (c), ci % 2 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
      in[1] = oh_leaf_new (conv_w_shape (c), ci % 2 ? OH_LAY_CONTIG : OH_LAY_STEP, OH_DIST_UNIT);
      in[2] = oh_leaf_new (OH_SH (c->O), OH_LAY_CONTIG, OH_DIST_UNIT);
      oh_gradcheck (gc_conv2d, c, in, n);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

/* Only the weight or only the images require grad */
static void
conv2d_bw_partial (gconstpointer data)
{
  const ConvCase *c = &conv_gc_cases[1];

  for (guint which = 0; which < 2; which++)
    {
      LtTensor *in[3];

      in[0] = oh_leaf_new (conv_in_shape (c), OH_LAY_CONTIG, OH_DIST_UNIT);
      in[1] = oh_leaf_new (conv_w_shape (c), OH_LAY_CONTIG, OH_DIST_UNIT);
      in[2] = oh_leaf_new (OH_SH (c->O), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_assert_true (lt_tensor_set_requires_grad (in[which], FALSE, NULL));
      g_assert_true (lt_tensor_set_requires_grad (in[2], FALSE, NULL));
      oh_gradcheck (gc_conv2d, c, in, 3);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

static void
conv2d_bw_size0 (gconstpointer data)
{
  const ConvCase *c = &conv_cases[G_N_ELEMENTS (conv_cases) - 1];
  LtTensor *in[3];

  g_assert_cmpint (c->N, ==, 0);
  in[0] = oh_leaf_new (conv_in_shape (c), OH_LAY_CONTIG, OH_DIST_UNIT);
  in[1] = oh_leaf_new (conv_w_shape (c), OH_LAY_CONTIG, OH_DIST_UNIT);
  in[2] = oh_leaf_new (OH_SH (c->O), OH_LAY_CONTIG, OH_DIST_UNIT);
  oh_backward_shapes (gc_conv2d, c, in, 3);
  {
    g_autofree double *gw = oh_grad_of (in[1]);
    g_autofree double *gb = oh_grad_of (in[2]);

    for (gint64 k = 0; k < in[1]->numel; k++)
      g_assert_cmpfloat (gw[k], ==, 0);
    for (gint64 k = 0; k < c->O; k++)
      g_assert_cmpfloat (gb[k], ==, 0);
  }
  for (guint i = 0; i < 3; i++)
    g_object_unref (in[i]);
}

static const OhCase conv2d_backward[] = {
  { "gradcheck", conv2d_bw_gradcheck },
  { "partial", conv2d_bw_partial },
  { "size0", conv2d_bw_size0 },
  { NULL, NULL }
};

/* conv_transpose2d: the definition of torch.nn.functional's
 * conv_transpose2d written as plain loops over doubles, each input pixel
 * spreading its values over the output. */

typedef struct
{
  gint64   N, C, H, W, O, kh, kw;
  gint64   stride[2], padding[2], output_padding[2], dilation[2], groups;
  gboolean bias, batched;
} ConvTCase;

static const ConvTCase convt_cases[] = {
  /* N, C, H, W, O, kh, kw, stride, padding, output_padding, dilation, groups, bias, batched */
  { 2, 3, 5, 4, 4, 3, 3, { 1, 1 }, { 0, 0 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 4, 4, 5, 6, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, 2, TRUE, TRUE },
  { 3, 4, 3, 4, 2, 2, 3, { 3, 2 }, { 1, 2 }, { 2, 0 }, { 2, 1 }, 2, FALSE, TRUE },
  { 1, 2, 4, 3, 3, 3, 2, { 2, 1 }, { 0, 1 }, { 1, 0 }, { 1, 2 }, 1, TRUE, FALSE },
  /* an output padding past the stride, below the dilation: the input's
   * gradient drops the convolution's extra row */
  { 2, 2, 4, 4, 3, 2, 2, { 1, 1 }, { 1, 0 }, { 1, 1 }, { 2, 2 }, 1, TRUE, TRUE },
  { 2, 4, 6, 5, 4, 1, 1, { 2, 3 }, { 0, 0 }, { 1, 2 }, { 1, 1 }, 4, TRUE, TRUE },
  { 4, 8, 7, 6, 6, 4, 4, { 2, 2 }, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 0, 3, 4, 4, 2, 3, 3, { 1, 1 }, { 0, 0 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
};

static gint64
convt_oh (const ConvTCase *c, guint i)
{
  return ((i ? c->W : c->H) - 1) * c->stride[i] - 2 * c->padding[i] +
         c->dilation[i] * ((i ? c->kw : c->kh) - 1) + c->output_padding[i] + 1;
}

static OhShape
convt_in_shape (const ConvTCase *c)
{
  return c->batched ? OH_SH (c->N, c->C, c->H, c->W) : OH_SH (c->C, c->H, c->W);
}

static OhShape
convt_out_shape (const ConvTCase *c)
{
  return c->batched ? OH_SH (c->N, c->O, convt_oh (c, 0), convt_oh (c, 1))
                    : OH_SH (c->O, convt_oh (c, 0), convt_oh (c, 1));
}

static OhShape
convt_w_shape (const ConvTCase *c)
{
  return OH_SH (c->C, c->O / c->groups, c->kh, c->kw);
}

/* The forward (y, when dy is NULL) or the three gradients for dy (dx, dw,
 * db, each optional) */
static void
convt_ref (const ConvTCase *c,
           const double    *x,
           const double    *w,
           const double    *b,
           double          *y,
           const double    *dy,
           double          *dx,
           double          *dw,
           double          *db)
{
  gint64 OH = convt_oh (c, 0), OW = convt_oh (c, 1), Cg = c->C / c->groups;
  gint64 Og = c->O / c->groups;

  for (gint64 n = 0; n < c->N; n++)
    {
      for (gint64 o = 0; o < c->O; o++)
        for (gint64 k = 0; k < OH * OW; k++)
          {
            gint64 yi = (n * c->O + o) * OH * OW + k;
            if (dy == NULL)
              y[yi] = b ? b[o] : 0;
            else if (db)
              db[o] += dy[yi];
          }
      for (gint64 ci = 0; ci < c->C; ci++)
        for (gint64 h = 0; h < c->H; h++)
          for (gint64 ww = 0; ww < c->W; ww++)
            for (gint64 o = 0; o < Og; o++)
              for (gint64 i = 0; i < c->kh; i++)
                for (gint64 j = 0; j < c->kw; j++)
                  {
                    gint64 oy = h * c->stride[0] - c->padding[0] + i * c->dilation[0];
                    gint64 ox = ww * c->stride[1] - c->padding[1] + j * c->dilation[1];
                    gint64 xi = ((n * c->C + ci) * c->H + h) * c->W + ww;
                    gint64 wi = ((ci * Og + o) * c->kh + i) * c->kw + j;
                    gint64 yi;

                    if (oy < 0 || oy >= OH || ox < 0 || ox >= OW)
                      continue;
                    yi = ((n * c->O + ci / Cg * Og + o) * OH + oy) * OW + ox;
                    if (dy == NULL)
                      y[yi] += x[xi] * w[wi];
                    else
                      {
                        if (dx)
                          dx[xi] += dy[yi] * w[wi];
                        if (dw)
                          dw[wi] += dy[yi] * x[xi];
                      }
                  }
    }
}

static LtTensor *
convt_call (const ConvTCase *c, LtTensor *x, LtTensor *w, LtTensor *b, GError **error)
{
  return lt_conv_transpose2d (x, w, c->bias ? b : NULL, c->stride, c->padding, c->output_padding,
                              c->dilation, c->groups, error);
}

static void
convt_fw_values (gconstpointer data)
{
  const OhLay lays[3] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (convt_cases); ci++)
    for (guint li = 0; li < 3; li++)
      for (guint di = 0; di < 2; di++)
        {
          const ConvTCase *c = &convt_cases[ci];
          LtDType          dt = di ? F64 : F32;
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) x = oh_arr_new (convt_in_shape (c), dt, lays[li], OH_DIST_UNIT);
          g_auto(OhArr) w = oh_arr_new (convt_w_shape (c), dt, lays[(li + 1) % 3], OH_DIST_UNIT);
          g_auto(OhArr) b = oh_arr_new (OH_SH (c->O), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
          g_autoptr(LtTensor) y = convt_call (c, x.t, w.t, b.t, &error);
          g_autofree double *ref = g_new0 (double, MAX (oh_numel (convt_out_shape (c)), 1));

          g_test_message ("case %u, layout %u, %s", ci, li, lt_dtype_get_name (dt));
          g_assert_no_error (error);
          convt_ref (c, x.v, w.v, c->bias ? b.v : NULL, ref, NULL, NULL, NULL, NULL);
          if (dt == F32)
            oh_check_tol (y, dt, convt_out_shape (c), ref, 1e-4, 1e-5);
          else
            oh_check_tol (y, dt, convt_out_shape (c), ref, 1e-10, 1e-12);
        }
}

static void
convt_expect_error (const ConvTCase *c,
                    OhShape          xs,
                    OhShape          ws,
                    gint64           nb,
                    LtDType          xdt,
                    LtDType          wdt,
                    LtError          code)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (xs, xdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (ws, wdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (nb), wdt, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y = lt_conv_transpose2d (x.t, w.t, b.t, c->stride, c->padding, c->output_padding,
                                     c->dilation, c->groups, &error);

  oh_check_error (y, error, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "conv_transpose2d: "));
}

static void
convt_fw_errors (gconstpointer data)
{
  const ConvTCase ok = {
    2, 4, 5, 5, 6, 3, 3, { 2, 2 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, 2, TRUE, TRUE
  };
  OhShape   xs = OH_SH (2, 4, 5, 5), ws = OH_SH (4, 3, 3, 3);
  ConvTCase c;

  convt_expect_error (&ok, OH_SH (4, 5), ws, 6, F32, F32, LT_ERROR_SHAPE);
  convt_expect_error (&ok, xs, OH_SH (4, 3, 3), 6, F32, F32, LT_ERROR_SHAPE);
  convt_expect_error (&ok, xs, ws, 6, I64, I64, LT_ERROR_DTYPE);
  convt_expect_error (&ok, xs, ws, 6, F32, F64, LT_ERROR_DTYPE);
  /* input channels other than the weight's first size */
  convt_expect_error (&ok, OH_SH (2, 3, 5, 5), ws, 6, F32, F32, LT_ERROR_SHAPE);
  /* weight's channels not divisible by groups */
  c = ok;
  c.groups = 3;
  convt_expect_error (&c, xs, ws, 9, F32, F32, LT_ERROR_SHAPE);
  /* a bias of the wrong size */
  convt_expect_error (&ok, xs, ws, 3, F32, F32, LT_ERROR_SHAPE);
  /* output padding not below the stride nor the dilation */
  c = ok;
  c.output_padding[1] = 2;
  convt_expect_error (&c, xs, ws, 6, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.stride[0] = 0;
  convt_expect_error (&c, xs, ws, 6, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.padding[1] = -1;
  convt_expect_error (&c, xs, ws, 6, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.groups = 0;
  convt_expect_error (&c, xs, ws, 6, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  /* an output without rows */
  c = ok;
  c.stride[0] = 1;
  c.output_padding[0] = 0;
  c.padding[0] = 4;
  convt_expect_error (&c, xs, ws, 6, F32, F32, LT_ERROR_SHAPE);
}

static const OhCase convt_forward[] = { { "values", convt_fw_values },
                                        { "errors", convt_fw_errors },
                                        { NULL, NULL } };

/* The three gradients against the reference, for every subset of inputs
 * that require grad (bit 0 x, bit 1 w, bit 2 b) */
static void
convt_bw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (convt_cases); ci++)
    for (guint which = 1; which < 8; which++)
      {
        const ConvTCase *c = &convt_cases[ci];
        LtDType          dt = which % 2 ? F64 : F32;
        g_autoptr(GError) error = NULL;
        g_auto(OhArr) xa = oh_arr_new (convt_in_shape (c), dt, OH_LAY_T, OH_DIST_UNIT);
        g_auto(OhArr) wa = oh_arr_new (convt_w_shape (c), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) ba = oh_arr_new (OH_SH (c->O), dt, OH_LAY_CONTIG, OH_DIST_UNIT);
        g_auto(OhArr) dya = oh_arr_new (convt_out_shape (c), dt, OH_LAY_STEP, OH_DIST_UNIT);
        g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
        g_autoptr(LtTensor) w = lt_tensor_detach (wa.t);
        g_autoptr(LtTensor) b = lt_tensor_detach (ba.t);
        g_autoptr(LtTensor) y = NULL;
        g_autofree double *dx = g_new0 (double, MAX (xa.n, 1));
        g_autofree double *dw = g_new0 (double, MAX (wa.n, 1));
        g_autofree double *db = g_new0 (double, c->O);
        double             rtol = dt == F32 ? 1e-4 : 1e-10, atol = dt == F32 ? 1e-4 : 1e-12;
        LtTensor          *ts[3] = { x, w, b };

        g_test_message ("case %u, inputs %u", ci, which);
        for (guint i = 0; i < 3; i++)
          if (which & (1u << i))
            g_assert_true (lt_tensor_set_requires_grad (ts[i], TRUE, &error));
        y = convt_call (c, x, w, b, &error);
        g_assert_no_error (error);
        if (!(which & 3) && !c->bias)
          {
            g_assert_null (lt_tensor_get_grad_fn (y));
            continue;
          }
        g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                         "ConvolutionBackward0");
        /* what nobody needs is not kept */
        if (!(which & 1))
          g_assert_null (lt_tensor_get_grad_fn (y)->saved[1]);
        if (!(which & 2))
          g_assert_null (lt_tensor_get_grad_fn (y)->saved[0]);
        g_assert_true (lt_tensor_backward (y, dya.t, FALSE, &error));
        g_assert_no_error (error);
        convt_ref (c, xa.v, wa.v, NULL, NULL, dya.v, dx, dw, db);
        if (which & 1)
          oh_check_tol (lt_tensor_get_grad (x), dt, xa.s, dx, rtol, atol);
        else
          g_assert_null (lt_tensor_get_grad (x));
        if (which & 2)
          oh_check_tol (lt_tensor_get_grad (w), dt, wa.s, dw, rtol, atol);
        else
          g_assert_null (lt_tensor_get_grad (w));
        if (which & 4 && c->bias)
          oh_check_tol (lt_tensor_get_grad (b), dt, ba.s, db, rtol, atol);
        else
          g_assert_null (lt_tensor_get_grad (b));
      }
}

static LtTensor *
gc_convt (LtTensor **in, gsize n, gpointer data)
{
  const ConvTCase *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = convt_call (c, in[0], in[1], n > 2 ? in[2] : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
convt_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (convt_cases) - 2; ci++)
    {
      const ConvTCase *c = &convt_cases[ci];
      LtTensor        *in[3];
      gsize            n = c->bias ? 3 : 2;

      g_test_message ("case %u", ci);
      in[0] = oh_leaf_new (convt_in_shape (c), ci % 2 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
      in[1] = oh_leaf_new (convt_w_shape (c), ci % 2 ? OH_LAY_CONTIG : OH_LAY_STEP, OH_DIST_UNIT);
      in[2] = oh_leaf_new (OH_SH (c->O), OH_LAY_CONTIG, OH_DIST_UNIT);
      oh_gradcheck (gc_convt, c, in, n);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

static const OhCase convt_backward[] = { { "values", convt_bw_values },
                                         { "gradcheck", convt_bw_gradcheck },
                                         { NULL, NULL } };

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_CONV2D, "conv2d", NULL, conv2d_forward, NULL, conv2d_backward, NULL),
  OH_SPEC (LT_OP_CONV2D_GRAD_INPUT,
           "conv2d_grad_input",
           NULL,
           conv2d_grad_input_forward,
           NULL,
           NULL,
           NULL),
  OH_SPEC (LT_OP_CONV2D_GRAD_WEIGHT,
           "conv2d_grad_weight",
           NULL,
           conv2d_grad_weight_forward,
           NULL,
           NULL,
           NULL),
  OH_SPEC (LT_OP_CONV_TRANSPOSE2D,
           "conv_transpose2d",
           NULL,
           convt_forward,
           NULL,
           convt_backward,
           NULL),
};

guint
oh_register_conv (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
