/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Depthwise conv2d (groups = channels), which the CPU backend computes
 * directly (libtensor/backends/cpu/lt-cpu-conv-depthwise.c), against the
 * definition as loops over doubles: the forward, the grad input and the
 * grad weight (with the bias) through autograd, in float32 and float64,
 * on 1 to 3 threads. The layers: 3x3 at stride 1 and 2 with padding 1,
 * dilated 3x3, 5x5 and 1x1, over image widths on both sides of every
 * instruction set's vector (4, 8 and 16 floats) and batches of 1 to 3;
 * and, beside them, groups that are not depthwise (a channel multiplier
 * of 2, groups of 2 channels), which keep the column products.
 * tests/c/meson.build runs it again under every narrower LT_CPU_ISA; the
 * ASan build checks that no kernel reads or writes outside its buffers.
 * Every buffer of the backend comes out of its allocator filled with NaN
 * (_lt_cpu_alloc_poison ()), so that scratch read before it is written
 * shows.
 */

#include "test-helpers.h"
#include "backends/cpu/lt-cpu-private.h"

typedef struct
{
  gint64 C, H, W, O, groups, k, stride, padding, dilation;
} Layer;

static const Layer layers[] = {
  /* C, H, W, O, groups, k, stride, padding, dilation */
  { 16, 14, 14, 16, 16, 3, 1, 1, 1 },
  { 16, 14, 14, 16, 16, 3, 2, 1, 1 },
  { 3, 7, 7, 3, 3, 3, 1, 1, 1 },
  { 3, 7, 7, 3, 3, 3, 2, 1, 1 },
  { 5, 17, 33, 5, 5, 3, 1, 1, 1 },
  { 5, 17, 33, 5, 5, 3, 2, 1, 1 },
  { 4, 12, 9, 4, 4, 3, 1, 2, 2 },
  { 4, 15, 16, 4, 4, 3, 2, 2, 2 },
  { 6, 11, 13, 6, 6, 3, 1, 0, 1 },
  { 2, 9, 18, 2, 2, 5, 1, 2, 1 },
  { 2, 10, 10, 2, 2, 5, 2, 2, 1 },
  { 8, 8, 8, 8, 8, 1, 2, 0, 1 },
  { 3, 9, 11, 3, 3, 3, 3, 1, 1 },
  /* not depthwise: a channel multiplier of 2, groups of two channels */
  { 4, 9, 9, 8, 4, 3, 1, 1, 1 },
  { 4, 9, 9, 4, 2, 3, 2, 1, 1 },
};

/* against the float64 definition, relative to the terms' scale */
static void
assert_close (const char      *what,
              const ConvShape *r,
              LtDType          dt,
              LtTensor        *t,
              const double    *want,
              gint64           n,
              double           scale)
{
  gsize              got_n;
  g_autofree double *got = values (t, &got_n);
  double             tol = (dt == LT_DTYPE_FLOAT32 ? 1e-4 : 1e-11) * scale;

  g_assert_cmpint ((gint64) got_n, ==, n);
  for (gint64 i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > tol)
      g_error ("%s, %s, N=%" G_GINT64_FORMAT " C=%" G_GINT64_FORMAT " %" G_GINT64_FORMAT
               "x%" G_GINT64_FORMAT " O=%" G_GINT64_FORMAT " groups %" G_GINT64_FORMAT
               " k=%" G_GINT64_FORMAT " stride %" G_GINT64_FORMAT " padding %" G_GINT64_FORMAT
               " dilation %" G_GINT64_FORMAT " on %d threads: element %" G_GINT64_FORMAT
               " is %.17g, want %.17g",
               what, lt_dtype_get_name (dt), r->N, r->C, r->H, r->W, r->O, r->groups, r->k,
               r->stride, r->padding, r->dilation, lt_get_num_threads (), i, got[i], want[i]);
}

static void
check (GRand *rng, const Layer *l, gint64 N, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64 reach = l->dilation * (l->k - 1) + 1;
  gint64 OH = (l->H + 2 * l->padding - reach) / l->stride + 1;
  gint64 OW = (l->W + 2 * l->padding - reach) / l->stride + 1;
  gint64 Cg = l->C / l->groups;
  gint64 nx = N * l->C * l->H * l->W, ny = N * l->O * OH * OW, nw = l->O * Cg * l->k * l->k;
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, l->O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  g_autofree double *y = g_new (double, ny);
  g_autofree double *dx = g_new (double, nx);
  g_autofree double *dw = g_new (double, nw);
  g_autofree double *db = g_new (double, l->O);
  g_autoptr(LtTensor) x = tensor_of (xv, nx, DIMS (N, l->C, l->H, l->W), dt);
  g_autoptr(LtTensor) w = tensor_of (wv, nw, DIMS (l->O, Cg, l->k, l->k), dt);
  g_autoptr(LtTensor) b = tensor_of (bv, l->O, DIMS (l->O), dt);
  g_autoptr(LtTensor) dy = tensor_of (dyv, ny, DIMS (N, l->O, OH, OW), dt);
  g_autoptr(LtTensor) out = NULL;
  const gint64 stride[2] = { l->stride, l->stride }, padding[2] = { l->padding, l->padding };
  const gint64 dilation[2] = { l->dilation, l->dilation };
  ConvShape cs = { N, l->C, l->H, l->W, l->O, l->k, l->stride, l->padding, l->dilation, l->groups };

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  out = lt_conv2d (x, w, b, stride, padding, dilation, l->groups, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (out, dy, FALSE, &error));
  g_assert_no_error (error);
  conv_reference (&cs, xv, wv, bv, dyv, y, dx, dw, db);
  /* each value is a sum of Cg k k (forward), Og k k (dx) or N OH OW (dw,
   * db) products of numbers in [-1, 1] */
  assert_close ("forward", &cs, dt, out, y, ny, Cg * l->k * l->k);
  assert_close ("grad input", &cs, dt, lt_tensor_get_grad (x), dx, nx,
                l->O / l->groups * l->k * l->k);
  assert_close ("grad weight", &cs, dt, lt_tensor_get_grad (w), dw, nw, N * OH * OW);
  assert_close ("grad bias", &cs, dt, lt_tensor_get_grad (b), db, l->O, N * OH * OW);
}

static void
test_layer (gconstpointer data)
{
  const Layer *l = data;
  int          threads = lt_get_num_threads ();
  g_autoptr(GRand) rng = g_rand_new_with_seed (31);

  for (int t = 1; t <= 3; t++)
    {
      lt_set_num_threads (t);
      for (gint64 N = 1; N <= 3; N++)
        {
          check (rng, l, N, LT_DTYPE_FLOAT32);
          check (rng, l, N, LT_DTYPE_FLOAT64);
        }
    }
  lt_set_num_threads (threads);
}

/* A batch large enough that every thread takes planes (and channels) of
 * its own: the split across the pool, the same sums on any thread count */
static void
test_large (void)
{
  static const Layer l = { 32, 28, 28, 32, 32, 3, 2, 1, 1 };
  int                threads = lt_get_num_threads ();
  g_autoptr(GRand) rng = g_rand_new_with_seed (32);

  for (int t = 1; t <= 2; t++)
    {
      lt_set_num_threads (t);
      check (rng, &l, 8, LT_DTYPE_FLOAT32);
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
        "/conv/depthwise/c%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
        "-o%" G_GINT64_FORMAT "-g%" G_GINT64_FORMAT "-k%" G_GINT64_FORMAT "-s%" G_GINT64_FORMAT
        "-p%" G_GINT64_FORMAT "-d%" G_GINT64_FORMAT,
        l->C, l->H, l->W, l->O, l->groups, l->k, l->stride, l->padding, l->dilation);

      g_test_add_data_func (path, l, test_layer);
    }
  g_test_add_func ("/conv/depthwise/large", test_large);
  return g_test_run ();
}
