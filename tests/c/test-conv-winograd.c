/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CPU backend's Winograd F(2x2, 3x3) convolution
 * (libtensor/backends/cpu/lt-cpu-conv-winograd.c): the forward (with the
 * bias), the grad input and the grad weight (with the bias's gradient) of
 * 3x3 stride-1 layers, forced on, against the definition as loops over
 * doubles, in float32 and float64; the same bits on 1, 2 and 3 threads;
 * and the rules that pick it for ResNet-20's layers and not for thin
 * ones. The shapes: heights and widths odd and even (a
 * last row or column of tiles half outside the output), 1x1 and 3x3
 * images, batches of 1 to 8, 1 and 3 channels, padding 0, 1 and 2, and
 * enough rows of tiles for several blocks. tests/c/meson.build runs it
 * again under every narrower LT_CPU_ISA. Every buffer of the backend comes
 * out of its allocator filled with NaN (_lt_cpu_alloc_poison ()), so that
 * scratch read before it is written shows.
 */

#include <float.h>

#include "test-helpers.h"

#include "backends/cpu/lt-cpu-private.h"

typedef struct
{
  gint64 N, C, O, H, W, p;
} Layer;

static const Layer layers[] = {
  /* N, C, O, H, W, padding */
  { 2, 16, 16, 32, 32, 1 }, { 1, 3, 8, 7, 9, 1 },   { 3, 1, 1, 5, 6, 0 },
  { 1, 8, 5, 1, 1, 1 },     { 2, 7, 13, 11, 4, 1 }, { 1, 4, 6, 3, 3, 0 },
  { 1, 9, 6, 17, 33, 2 },   { 4, 32, 32, 8, 8, 1 }, { 5, 6, 7, 20, 19, 1 },
  { 2, 64, 16, 16, 16, 1 }, { 1, 64, 64, 8, 8, 1 }, { 6, 16, 24, 30, 30, 1 },
  { 3, 20, 40, 13, 28, 0 },
};

/* y, dx, dw and db of the definition, in doubles */
static void
reference (const Layer  *l,
           const double *x,
           const double *w,
           const double *b,
           const double *dy,
           double       *y,
           double       *dx,
           double       *dw,
           double       *db)
{
  ConvShape cs = { l->N, l->C, l->H, l->W, l->O, 3, 1, l->p, 1, 1 };

  conv_reference (&cs, x, w, b, dy, y, dx, dw, db);
}

/*
 * Against the definition, relative to @scale, the number of products in a
 * value (9 C for y, 9 O for dx, N OH OW for dw and db; every factor in
 * [-1, 1]). The direct sum's
 * rounding error is below scale x eps or so; Winograd's is larger by the
 * transforms' norms: an input tile's transformed values are sums of up to
 * 4 inputs, a filter's up to 9 weights times 1/4 (2.25 at most), and each
 * output adds up 9 products of the transformed domain; the bound grows to
 * some 9 x scale x eps. 16 x scale x eps leaves room for the roundings of
 * the transforms themselves, and stays 50 times tighter than the 1e-4
 * x scale of the direct kernels' sweep (test-conv-sweep.c).
 */
static void
assert_close (const char   *what,
              const Layer  *l,
              LtTensor     *t,
              const double *want,
              gint64        n,
              double        scale)
{
  gsize              got_n;
  g_autofree double *got = values (t, &got_n);
  double             eps = lt_tensor_get_dtype (t) == LT_DTYPE_FLOAT32 ? FLT_EPSILON : DBL_EPSILON;

  g_assert_cmpint ((gint64) got_n, ==, n);
  for (gint64 i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > 16 * eps * scale)
      g_error ("%s of N=%" G_GINT64_FORMAT " C=%" G_GINT64_FORMAT " O=%" G_GINT64_FORMAT
               " %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " padding %" G_GINT64_FORMAT
               " on %d threads: element %" G_GINT64_FORMAT " is %.17g, want %.17g",
               what, l->N, l->C, l->O, l->H, l->W, l->p, lt_get_num_threads (), i, got[i], want[i]);
}

static void
assert_same_bits (const char *what, LtTensor *a, LtTensor *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ba = lt_tensor_to_bytes (a, &error);
  g_autoptr(GBytes) bb = lt_tensor_to_bytes (b, &error);

  g_assert_no_error (error);
  if (!g_bytes_equal (ba, bb))
    g_error ("%s on %d threads differs from 1 thread", what, lt_get_num_threads ());
}

typedef struct
{
  LtTensor *y, *dx, *dw, *db;
} Result;

static void
result_clear (Result *r)
{
  g_clear_object (&r->y);
  g_clear_object (&r->dx);
  g_clear_object (&r->dw);
  g_clear_object (&r->db);
}

/* y = conv2d (x, w, b) and the gradients of x, w and b for dy, through
 * autograd; returns how many convolutions ran by Winograd */
static guint64
run (const Layer  *l,
     LtDType       dt,
     const double *xv,
     const double *wv,
     const double *bv,
     const double *dyv,
     Result       *r)
{
  g_autoptr(GError) error = NULL;
  gint64       OH = l->H + 2 * l->p - 2, OW = l->W + 2 * l->p - 2;
  gint64       nx = l->N * l->C * l->H * l->W, nw = l->O * l->C * 9;
  gint64       ny = l->N * l->O * OH * OW;
  const gint64 stride[2] = { 1, 1 }, padding[2] = { l->p, l->p }, dilation[2] = { 1, 1 };
  g_autoptr(LtTensor) x = tensor_of (xv, nx, DIMS (l->N, l->C, l->H, l->W), dt);
  g_autoptr(LtTensor) w = tensor_of (wv, nw, DIMS (l->O, l->C, 3, 3), dt);
  g_autoptr(LtTensor) b = tensor_of (bv, l->O, DIMS (l->O), dt);
  g_autoptr(LtTensor) dy = tensor_of (dyv, ny, DIMS (l->N, l->O, OH, OW), dt);
  guint64 calls = _lt_cpu_conv_winograd_calls ();

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  r->y = lt_conv2d (x, w, b, stride, padding, dilation, 1, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (r->y, dy, FALSE, &error));
  g_assert_no_error (error);
  r->dx = g_object_ref (lt_tensor_get_grad (x));
  r->dw = g_object_ref (lt_tensor_get_grad (w));
  r->db = g_object_ref (lt_tensor_get_grad (b));
  return _lt_cpu_conv_winograd_calls () - calls;
}

static void
test_layer (gconstpointer data)
{
  const Layer *l = data;
  int          threads = lt_get_num_threads ();
  gint64       OH = l->H + 2 * l->p - 2, OW = l->W + 2 * l->p - 2;
  gint64       nx = l->N * l->C * l->H * l->W, ny = l->N * l->O * OH * OW;
  gint64       nw = l->O * l->C * 9;
  g_autoptr(GRand) rng = g_rand_new_with_seed (12);
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, l->O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  g_autofree double *y = g_new (double, ny);
  g_autofree double *dx = g_new (double, nx);
  g_autofree double *dw = g_new (double, nw);
  g_autofree double *db = g_new (double, l->O);

  reference (l, xv, wv, bv, dyv, y, dx, dw, db);
  _lt_cpu_conv_set_winograd (1);
  for (int f64 = 0; f64 <= 1; f64++)
    {
      LtDType dt = f64 ? LT_DTYPE_FLOAT64 : LT_DTYPE_FLOAT32;
      Result  one = { 0 };

      for (int t = 1; t <= 3; t++)
        {
          Result r = { 0 };

          lt_set_num_threads (t);
          /* the forward, the grad input and the grad weight */
          g_assert_cmpuint (run (l, dt, xv, wv, bv, dyv, &r), ==, 3);
          assert_close ("forward", l, r.y, y, ny, 9 * l->C);
          assert_close ("grad input", l, r.dx, dx, nx, 9 * l->O);
          assert_close ("grad weight", l, r.dw, dw, nw, l->N * OH * OW);
          assert_close ("grad bias", l, r.db, db, l->O, l->N * OH * OW);
          if (t == 1)
            one = r;
          else
            {
              assert_same_bits ("forward", r.y, one.y);
              assert_same_bits ("grad input", r.dx, one.dx);
              assert_same_bits ("grad weight", r.dw, one.dw);
              assert_same_bits ("grad bias", r.db, one.db);
              result_clear (&r);
            }
        }
      result_clear (&one);
    }
  _lt_cpu_conv_set_winograd (-1);
  lt_set_num_threads (threads);
}

/* Forced off, the same layers take the columns; the two agree. The grad
 * weight's switch alone: off under the others forced on, and on under the
 * others forced off */
static void
test_off (void)
{
  const Layer *l = &layers[0];
  gint64       OH = l->H + 2 * l->p - 2, OW = l->W + 2 * l->p - 2;
  gint64       nx = l->N * l->C * l->H * l->W, ny = l->N * l->O * OH * OW;
  gint64       nw = l->O * l->C * 9;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, l->O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  g_autofree double *y = g_new (double, ny);
  g_autofree double *dx = g_new (double, nx);
  g_autofree double *dw = g_new (double, nw);
  g_autofree double *db = g_new (double, l->O);
  static const struct
  {
    int     all, gw;
    guint64 calls;
  } modes[] = { { 0, -2, 0 }, { 1, 0, 2 }, { 0, 1, 1 } };

  reference (l, xv, wv, bv, dyv, y, dx, dw, db);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      Result r = { 0 };

      _lt_cpu_conv_set_winograd (modes[i].all);
      _lt_cpu_conv_set_winograd_grad_weight (modes[i].gw);
      g_assert_cmpuint (run (l, LT_DTYPE_FLOAT32, xv, wv, bv, dyv, &r), ==, modes[i].calls);
      assert_close ("forward", l, r.y, y, ny, 9 * l->C);
      assert_close ("grad input", l, r.dx, dx, nx, 9 * l->O);
      assert_close ("grad weight", l, r.dw, dw, nw, l->N * OH * OW);
      assert_close ("grad bias", l, r.db, db, l->O, l->N * OH * OW);
      result_clear (&r);
    }
  _lt_cpu_conv_set_winograd (-1);
}

/* The rules (winograd_wins (), winograd_gw_wins ()): ResNet-20's stride-1
 * layers at batch 32 (16, 32 and 64 channels on 32, 16 and 8 pixels) and
 * wide layers take it for the forward and the grad input, and from 32
 * channels for the grad weight; 12 channels for the grad input only; a
 * first layer of 3 channels, 8 channels, stride 2, dilation and groups do
 * not. Too few output pixels over the batch (under 192 on 1 thread), and
 * images of 3 x 3 and odd 5 x 5, keep the columns for the forward and the
 * grad input but take Winograd for the grad weight of 64 channels, unless
 * there are fewer than 32 tiles; from 192 pixels the grad input takes it,
 * and the forward where the tiles are whole (not 7 x 7) and the channels
 * at most 256 x 256. That is on 1 thread; on 2, the forward and the grad
 * input want 1,024 pixels, and a grad weight whose tiles make one block
 * (one or two small images) takes the columns, which split its output
 * channels between the threads (the last cases) */
static void
test_rule (void)
{
  static const struct
  {
    gint64 N, C, O, H, s, d, groups;
    guint  calls; /* of the forward, the grad input and the grad weight */
    int    threads;
  } cases[] = {
    { 32, 16, 16, 32, 1, 1, 1, 2 },
    { 32, 32, 32, 16, 1, 1, 1, 3 },
    { 32, 64, 64, 8, 1, 1, 1, 3 },
    { 2, 128, 128, 28, 1, 1, 1, 3 },
    { 32, 16, 32, 16, 1, 1, 1, 2 },
    { 32, 12, 12, 32, 1, 1, 1, 1 },
    { 32, 3, 16, 32, 1, 1, 1, 0 },
    { 32, 8, 8, 32, 1, 1, 1, 0 },
    { 2, 64, 64, 8, 1, 1, 1, 1 },
    { 1, 256, 256, 14, 1, 1, 1, 3 },
    { 1, 128, 128, 12, 1, 1, 1, 1 },
    { 4, 128, 128, 7, 1, 1, 1, 2 },
    { 1, 512, 512, 14, 1, 1, 1, 2 },
    { 32, 64, 64, 3, 1, 1, 1, 1 },
    { 32, 64, 64, 5, 1, 1, 1, 1 },
    { 1, 512, 512, 7, 1, 1, 1, 0 },
    { 32, 16, 32, 32, 2, 1, 1, 0 },
    { 32, 16, 16, 32, 1, 2, 1, 0 },
    { 32, 16, 16, 32, 1, 1, 2, 0 },
    /* 2 threads: 49 tiles in one block, and 2 x 16; 32 images of 8 x 8 make 4 blocks */
    { 1, 256, 256, 14, 1, 1, 1, 0, 2 },
    { 2, 64, 64, 8, 1, 1, 1, 0, 2 },
    { 32, 64, 64, 8, 1, 1, 1, 3, 2 },
  };
  int threads = lt_get_num_threads ();

  _lt_cpu_conv_set_winograd (-1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      const gint64 stride[2] = { cases[i].s, cases[i].s }, padding[2] = { cases[i].d, cases[i].d };
      const gint64 dilation[2] = { cases[i].d, cases[i].d };
      g_autoptr(LtTensor) x = lt_zeros (DIMS (cases[i].N, cases[i].C, cases[i].H, cases[i].H),
                                         LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) w = lt_zeros (DIMS (cases[i].O, cases[i].C / cases[i].groups, 3, 3),
                                         LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) dy = NULL;
      guint64 calls = _lt_cpu_conv_winograd_calls ();

      lt_set_num_threads (MAX (cases[i].threads, 1));
      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
      g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
      y = lt_conv2d (x, w, NULL, stride, padding, dilation, cases[i].groups, &error);
      g_assert_no_error (error);
      dy = lt_ones_like (y, &error);
      g_assert_true (lt_tensor_backward (y, dy, FALSE, &error));
      g_assert_no_error (error);
      if (_lt_cpu_conv_winograd_calls () - calls != cases[i].calls)
        g_error ("case %u (%" G_GINT64_FORMAT " images, %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
                 " channels on %" G_GINT64_FORMAT " pixels): %u convolutions by Winograd, want %u",
                 i, cases[i].N, cases[i].C, cases[i].O, cases[i].H,
                 (guint) (_lt_cpu_conv_winograd_calls () - calls), cases[i].calls);
    }
  lt_set_num_threads (threads);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  _lt_cpu_alloc_poison (TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const Layer     *l = &layers[i];
      g_autofree char *path = g_strdup_printf (
        "/conv/winograd/n%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "to%" G_GINT64_FORMAT
        "-%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "-p%" G_GINT64_FORMAT,
        l->N, l->C, l->O, l->H, l->W, l->p);

      g_test_add_data_func (path, l, test_layer);
    }
  g_test_add_func ("/conv/winograd/off", test_off);
  g_test_add_func ("/conv/winograd/rule", test_rule);
  return g_test_run ();
}
