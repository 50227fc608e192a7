/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * conv2d's CPU kernels (libtensor/backends/cpu/lt-cpu-conv.c) over a sweep
 * of the shapes where their ways of cutting the work change: batches of 1
 * to 8 images, channel counts on both sides of the register blocks (6
 * rows) and of the blocks of rows a small batch is split into (12 rows),
 * on 1, 2 and 3 threads; the forward, the grad input and the grad weight
 * (with the bias) through autograd, against the definition as loops over
 * doubles. The tutorial's two layers (5x5 on 32x32 and 14x14 images) are
 * among them, as lt-train runs them, and a stride-2 3x3 layer with
 * padding (the image's phases). tests/meson.build runs it again under
 * every narrower LT_CPU_ISA; the ASan build checks that no kernel reads or
 * writes outside its buffers.
 *
 * Then the boundaries of the chunks of images that the forward and the
 * grad input take side by side (/conv/chunks): batches that no chunk
 * divides, images narrower than one vector (the phases' rows and the fold
 * of stride 2 a vector at a time), odd sizes, padding 0 and 1, stride 2
 * with dilation, groups, float64; each on 1 to 3 threads, whose results
 * must be the same to the bit. Strided layers of 6 input channels a group
 * or more take the grad input by phases; the smaller ones fold unfolded
 * columns back.
 *
 * Every buffer of the backend comes out of its allocator filled with NaN
 * here (_lt_cpu_alloc_poison (), tests only): scratch a kernel reads
 * without having written it turns its results into NaN, where a fresh
 * page's zeros would hide it.
 */

#include "test-helpers.h"
#include "backends/cpu/lt-cpu-private.h"

typedef struct
{
  gint64 C, H, k, stride, padding;
} Layer;

static const Layer layers[] = {
  /* the tutorial's layers */
  { 1, 32, 5, 1, 0 },
  { 6, 14, 5, 1, 0 },
  /* stride 2 through the phases (forward, grad weight), unfolded (grad input) */
  { 5, 13, 3, 2, 1 },
  /* the grad input by phases (6 channels and more): 13 channels, which a
   * small batch splits into blocks of 12 and 1 */
  { 13, 9, 3, 2, 1 },
  /* 1x1: unfolded columns one row deep */
  { 7, 9, 1, 1, 0 },
  /* wide rows whose outputs and images are shorter than, as long as and
   * longer than every instruction set's vector (the rows copied out of
   * and into the columns, dB folded back): outputs 3 to 20 columns wide,
   * images 7 to 20, with padding (filters other than 3x3, which
   * Winograd's file may take); the first, 3 outputs on a row of 7, takes
   * the unfolded columns instead */
  { 2, 7, 5, 1, 0 },
  { 2, 8, 5, 1, 0 },
  { 3, 6, 4, 1, 1 },
  { 2, 10, 5, 1, 0 },
  { 1, 8, 4, 1, 2 },
  { 2, 11, 5, 1, 2 },
  { 3, 16, 4, 1, 1 },
  { 2, 16, 5, 1, 2 },
  { 2, 20, 5, 1, 2 },
};

static const gint64 out_channels[] = { 1, 5, 6, 7, 11, 12, 13, 16, 17, 25 };

/* float32 against the float64 definition: relative to the terms' scale */
static void
assert_close (const char      *what,
              const ConvShape *r,
              LtTensor        *t,
              const double    *want,
              gint64           n,
              double           scale)
{
  gsize              got_n;
  g_autofree double *got = values (t, &got_n);

  g_assert_cmpint ((gint64) got_n, ==, n);
  for (gint64 i = 0; i < n; i++)
    if (fabs (got[i] - want[i]) > 1e-4 * scale)
      g_error ("%s of N=%" G_GINT64_FORMAT " C=%" G_GINT64_FORMAT " H=%" G_GINT64_FORMAT
               " O=%" G_GINT64_FORMAT " k=%" G_GINT64_FORMAT " stride %" G_GINT64_FORMAT
               " on %d threads: element %" G_GINT64_FORMAT " is %g, want %g",
               what, r->N, r->C, r->H, r->O, r->k, r->stride, lt_get_num_threads (), i, got[i],
               want[i]);
}

static void
check (GRand *rng, const Layer *l, gint64 N, gint64 O)
{
  g_autoptr(GError) error = NULL;
  gint64             OH = (l->H + 2 * l->padding - l->k) / l->stride + 1;
  gint64             K = l->C * l->k * l->k;
  gint64             nx = N * l->C * l->H * l->H, ny = N * O * OH * OH, nw = O * K;
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  g_autofree double *y = g_new (double, ny);
  g_autofree double *dx = g_new (double, nx);
  g_autofree double *dw = g_new (double, nw);
  g_autofree double *db = g_new (double, O);
  g_autoptr(LtTensor) x = tensor_of (xv, nx, DIMS (N, l->C, l->H, l->H), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) w = tensor_of (wv, nw, DIMS (O, l->C, l->k, l->k), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) b = tensor_of (bv, O, DIMS (O), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) dy = tensor_of (dyv, ny, DIMS (N, O, OH, OH), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) out = NULL;
  const gint64 stride[2] = { l->stride, l->stride }, padding[2] = { l->padding, l->padding };
  const gint64 dilation[2] = { 1, 1 };
  ConvShape    cs = { N, l->C, l->H, l->H, O, l->k, l->stride, l->padding, 1, 1 };

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  out = lt_conv2d (x, w, b, stride, padding, dilation, 1, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (out, dy, FALSE, &error));
  g_assert_no_error (error);
  conv_reference (&cs, xv, wv, bv, dyv, y, dx, dw, db);
  /* each value is a sum of K (forward), O k k (dx) or N OH OW (dw, db)
   * products of numbers in [-1, 1] */
  assert_close ("forward", &cs, out, y, ny, K);
  assert_close ("grad input", &cs, lt_tensor_get_grad (x), dx, nx, O * l->k * l->k);
  assert_close ("grad weight", &cs, lt_tensor_get_grad (w), dw, nw, N * OH * OH);
  assert_close ("grad bias", &cs, lt_tensor_get_grad (b), db, O, N * OH * OH);
}

static void
test_sweep (gconstpointer data)
{
  const Layer *l = data;
  int          threads = lt_get_num_threads ();
  g_autoptr(GRand) rng = g_rand_new_with_seed (12);

  for (int t = 1; t <= 3; t++)
    {
      lt_set_num_threads (t);
      for (gint64 N = 1; N <= 8; N++)
        for (guint i = 0; i < G_N_ELEMENTS (out_channels); i++)
          check (rng, l, N, out_channels[i]);
    }
  lt_set_num_threads (threads);
}

/* Layers for the chunks of images: N, C, H, W, O, k, stride, padding,
 * dilation, groups */
static const ConvShape chunk_layers[] = {
  /* the CNN's stride-2 layers, as run_conv.py's cnn bench takes them */
  { 64, 1, 28, 28, 16, 3, 2, 1, 1, 1 },
  { 64, 16, 14, 14, 16, 3, 2, 1, 1, 1 },
  /* batches no chunk divides; rows of 2 to 7 pixels at stride 2 */
  { 37, 16, 14, 14, 16, 3, 2, 1, 1, 1 },
  { 13, 6, 7, 5, 7, 3, 2, 1, 1, 1 },
  { 17, 5, 5, 3, 9, 3, 2, 1, 1, 1 },
  { 23, 3, 4, 4, 8, 3, 2, 1, 1, 1 },
  /* odd sizes; padding 0 (no phase row is padding) and 2 */
  { 11, 4, 13, 9, 6, 3, 2, 0, 1, 1 },
  { 9, 4, 12, 10, 6, 3, 2, 0, 1, 1 },
  { 7, 2, 9, 17, 5, 5, 2, 2, 1, 1 },
  /* stride 2 with dilation 2 (unfolded), and a stride-2 1x1 */
  { 19, 3, 11, 9, 6, 3, 2, 2, 2, 1 },
  { 21, 8, 9, 7, 12, 1, 2, 0, 1, 1 },
  /* two groups; a ResNet stage start */
  { 10, 8, 10, 6, 6, 3, 2, 1, 1, 2 },
  { 5, 16, 32, 32, 32, 3, 2, 1, 1, 1 },
  /* stride 1 through the wide rows: the grad input folds a whole chunk */
  { 27, 2, 7, 9, 5, 5, 1, 2, 1, 1 },
  { 15, 3, 6, 6, 4, 3, 1, 1, 1, 1 },
  /* stride 3 (scalar phase rows) */
  { 9, 4, 11, 10, 5, 3, 3, 1, 1, 1 },
  /* the grad input by phases (at least 6 channels a group): padding 0 on
   * odd sizes, 5x5 with padding 2, dilation 2, two groups, stride 3, a
   * 7x7 with padding 3 on rows longer than a vector, 2x2 (one tap a
   * phase), 25 outputs, images of 1 x 2 and 2 x 1 (phases without a
   * pixel) */
  { 11, 6, 13, 9, 6, 3, 2, 0, 1, 1 },
  { 7, 6, 9, 17, 5, 5, 2, 2, 1, 1 },
  { 19, 6, 11, 9, 6, 3, 2, 2, 2, 1 },
  { 10, 12, 10, 6, 6, 3, 2, 1, 1, 2 },
  { 9, 7, 11, 10, 5, 3, 3, 1, 1, 1 },
  { 3, 6, 20, 37, 5, 7, 2, 3, 1, 1 },
  { 6, 8, 8, 8, 5, 2, 2, 0, 1, 1 },
  { 12, 16, 7, 7, 25, 3, 2, 1, 1, 1 },
  { 5, 6, 1, 2, 4, 3, 2, 1, 1, 1 },
  { 5, 6, 2, 1, 4, 3, 2, 1, 1, 1 },
  /* weight gradients whose vector sums outgrow a part's share of the
   * cache on several threads (O K x 16 lanes > CONV_MAX_PART_SUMS): the
   * lanes added at the end of each block instead */
  { 6, 32, 9, 9, 32, 3, 2, 1, 1, 1 },
  { 3, 16, 10, 10, 24, 5, 1, 2, 1, 1 },
  /* shifted wide rows (stride 1, at least 12 outputs a group: the forward
   * and the weight gradient read kW shifted copies of the image): 5x5
   * with padding 2 on odd sizes, dilation 2 with 13 outputs, two groups
   * of 12 on rows longer than a vector, a 4x4 with rows of 4 outputs */
  { 11, 5, 9, 13, 16, 5, 1, 2, 1, 1 },
  { 7, 4, 12, 10, 13, 3, 1, 2, 2, 1 },
  { 6, 6, 8, 30, 24, 3, 1, 1, 1, 2 },
  { 5, 3, 9, 5, 12, 4, 1, 1, 1, 1 },
  /* the grad input as a forward convolution of dy with w flipped
   * (grad_input_as_forward (): filters above 3x3 or dilated, at least 12
   * input channels a group): 5x5 with padding 2 on odd sizes, dilation 2
   * with 13 channels (blocks of 6, 6 and 1), two groups of 12 (each
   * group's channels swapped in w), a 4x4 with padding 1 */
  { 6, 12, 9, 13, 16, 5, 1, 2, 1, 1 },
  { 7, 13, 12, 10, 6, 3, 1, 2, 2, 1 },
  { 5, 24, 9, 11, 8, 5, 1, 2, 1, 2 },
  { 4, 12, 7, 5, 12, 4, 1, 1, 1, 1 },
  /* the weight gradient as dy @ B^T (chunks of a few vectors of columns,
   * dw_chunk ()), its sums written into dw by a part's first chunk and
   * added to it by the next (prime batches: chunks of one image): K of
   * whole vectors (16 x 3 x 3 = 144, and 64 for a 1x1 on one image) and
   * not (13 x 3 x 3, whose last columns go through a buffer) */
  { 13, 16, 7, 7, 10, 3, 2, 1, 1, 1 },
  { 1, 64, 7, 7, 20, 1, 1, 0, 1, 1 },
  { 13, 13, 9, 9, 16, 3, 2, 1, 1, 1 },
};

typedef struct
{
  const ConvShape *s;
  LtDType          dtype;
} ChunkCase;

static void
check_chunks (const ChunkCase *cc)
{
  const ConvShape *s = cc->s;
  int              threads = lt_get_num_threads ();
  g_autoptr(GRand) rng = g_rand_new_with_seed (34);
  gint64             OH = conv_out_size (s, s->H), OW = conv_out_size (s, s->W);
  gint64             K = s->C / s->groups * s->k * s->k;
  gint64             nx = s->N * s->C * s->H * s->W, ny = s->N * s->O * OH * OW, nw = s->O * K;
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, s->O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  g_autofree double *y = g_new (double, ny);
  g_autofree double *dx = g_new (double, nx);
  g_autofree double *dw = g_new (double, nw);
  g_autofree double *db = g_new (double, s->O);
  double            *first[2] = { NULL, NULL };
  const gint64       stride[2] = { s->stride, s->stride }, padding[2] = { s->padding, s->padding };
  const gint64       dilation[2] = { s->dilation, s->dilation };
  double             tol = cc->dtype == LT_DTYPE_FLOAT64 ? 1e-12 : 1e-4;

  conv_reference (s, xv, wv, bv, dyv, y, dx, dw, db);
  for (int t = 1; t <= 3; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = tensor_of (xv, nx, DIMS (s->N, s->C, s->H, s->W), cc->dtype);
      g_autoptr(LtTensor) w =
                   tensor_of (wv, nw, DIMS (s->O, s->C / s->groups, s->k, s->k), cc->dtype);
      g_autoptr(LtTensor) b = tensor_of (bv, s->O, DIMS (s->O), cc->dtype);
      g_autoptr(LtTensor) dyt = tensor_of (dyv, ny, DIMS (s->N, s->O, OH, OW), cc->dtype);
      g_autoptr(LtTensor) out = NULL;
      LtTensor     *got[3];
      const double *want[3] = { y, dx, dw };
      const gint64  n[3] = { ny, nx, nw };
      /* each value is a sum of K (forward), O k k (dx) or N OH OW (dw)
       * products of numbers in [-1, 1] */
      const double scale[3] = { K, s->O * s->k * s->k, s->N * OH * OW };
      const char  *what[3] = { "forward", "grad input", "grad weight" };

      lt_set_num_threads (t);
      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
      g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
      out = lt_conv2d (x, w, b, stride, padding, dilation, s->groups, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_backward (out, dyt, FALSE, &error));
      g_assert_no_error (error);
      got[0] = out;
      got[1] = lt_tensor_get_grad (x);
      got[2] = lt_tensor_get_grad (w);
      for (int q = 0; q < 3; q++)
        {
          gsize              got_n;
          g_autofree double *v = values (got[q], &got_n);

          g_assert_cmpint ((gint64) got_n, ==, n[q]);
          for (gint64 i = 0; i < n[q]; i++)
            if (fabs (v[i] - want[q][i]) > tol * scale[q])
              g_error ("%s of N=%" G_GINT64_FORMAT " C=%" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                       "x%" G_GINT64_FORMAT " O=%" G_GINT64_FORMAT " k=%" G_GINT64_FORMAT
                       " stride %" G_GINT64_FORMAT " padding %" G_GINT64_FORMAT
                       " dilation %" G_GINT64_FORMAT " groups %" G_GINT64_FORMAT
                       " on %d threads: element %" G_GINT64_FORMAT " is %g, want %g",
                       what[q], s->N, s->C, s->H, s->W, s->O, s->k, s->stride, s->padding,
                       s->dilation, s->groups, t, i, v[i], want[q][i]);
          /* the forward and the grad input do not depend on the threads */
          if (q == 2)
            continue;
          if (t == 1)
            first[q] = g_steal_pointer (&v);
          else
            for (gint64 i = 0; i < n[q]; i++)
              if (v[i] != first[q][i])
                g_error ("%s on %d threads: element %" G_GINT64_FORMAT
                         " is %.17g, on 1 thread %.17g",
                         what[q], t, i, v[i], first[q][i]);
        }
    }
  g_free (first[0]);
  g_free (first[1]);
  lt_set_num_threads (threads);
}

static void
test_chunks (gconstpointer data)
{
  check_chunks (data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  _lt_cpu_alloc_poison (TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const Layer     *l = &layers[i];
      g_autofree char *path = g_strdup_printf ("/conv/sweep/%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                                               "-k%" G_GINT64_FORMAT "-s%" G_GINT64_FORMAT,
                                               l->C, l->H, l->k, l->stride);

      g_test_add_data_func (path, l, test_sweep);
    }
  for (guint i = 0; i < G_N_ELEMENTS (chunk_layers); i++)
    for (int f64 = 0; f64 < 2; f64++)
      {
        const ConvShape *s = &chunk_layers[i];
        ChunkCase       *cc;
        g_autofree char *path = NULL;

        /* float64 on the smaller layers */
        if (f64 && s->N * s->C * s->H * s->W > 20000)
          continue;
        cc = g_new (ChunkCase, 1);
        cc->s = s;
        cc->dtype = f64 ? LT_DTYPE_FLOAT64 : LT_DTYPE_FLOAT32;
        path = g_strdup_printf ("/conv/chunks/%s/n%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                                "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "-o%" G_GINT64_FORMAT
                                "-k%" G_GINT64_FORMAT "s%" G_GINT64_FORMAT "p%" G_GINT64_FORMAT
                                "d%" G_GINT64_FORMAT "g%" G_GINT64_FORMAT,
                                f64 ? "f64" : "f32", s->N, s->C, s->H, s->W, s->O, s->k, s->stride,
                                s->padding, s->dilation, s->groups);
        g_test_add_data_func_full (path, cc, test_chunks, g_free);
      }
  return g_test_run ();
}
