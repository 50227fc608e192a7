/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Out of memory in the CPU backend. lt-cpu-alloc.c can fail the n-th
 * allocation after it is armed (_lt_cpu_alloc_fail_after (), tests only),
 * as the system would with no memory left: the tensors' storage and every
 * kernel's scratch come through it. A convolution's forward and backward
 * run with the n-th allocation failing, for every n until one runs
 * through, in each layout its kernels take: wide and shifted rows and the
 * grad input as a forward convolution, the phases of a strided image,
 * Winograd, depthwise planes, unfolded columns. Each failure must be a
 * GError (LT_ERROR_OUT_OF_MEMORY) saying what could not be allocated,
 * never a crash; the inputs keep their values; and a run after all the
 * failures gives the same bits as one before them (no cached buffer was
 * left half made). Under ASan nothing may leak. One case puts a
 * BatchNorm (training) after the convolution: its scratch for the rows'
 * sums and the channels' coefficients comes through the same allocator.
 */

#include "test-helpers.h"
#include "backends/cpu/lt-cpu-private.h"

typedef struct
{
  const char *name;
  ConvShape   s;
  gboolean    batch_norm; /* a BatchNorm (training) on the convolution's output */
} OomCase;

static const OomCase cases[] = {
  /* shifted wide rows (forward, grad weight), the grad input as a forward */
  { "shifted", { 3, 12, 9, 13, 16, 5, 1, 2, 1, 1 } },
  /* the image's phases (forward, grad weight), the grad input by phases */
  { "phases", { 4, 13, 9, 9, 8, 3, 2, 1, 1, 1 } },
  /* Winograd (its rules take 32 channels at 16 x 16) */
  { "winograd", { 4, 32, 16, 16, 32, 3, 1, 1, 1, 1 } },
  /* depthwise planes */
  { "depthwise", { 2, 8, 10, 10, 8, 3, 1, 1, 1, 8 } },
  /* unfolded columns (a 1x1 filter at stride 2) */
  { "columns", { 3, 5, 9, 9, 7, 1, 2, 0, 1, 1 } },
  /* shifted wide rows, then BatchNorm (forward and backward) */
  { "batch-norm", { 3, 12, 9, 13, 16, 5, 1, 2, 1, 1 }, TRUE },
};

typedef struct
{
  double *y, *dx, *dw, *db;
  gsize   ny, nx, nw, nb;
} OomResult;

static void
result_clear (OomResult *r)
{
  g_clear_pointer (&r->y, g_free);
  g_clear_pointer (&r->dx, g_free);
  g_clear_pointer (&r->dw, g_free);
  g_clear_pointer (&r->db, g_free);
}

static void
assert_same (const double *a, const double *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (a[i], ==, b[i]);
}

/* @got has the bits of @want: the output and every gradient */
static void
assert_results_same (const OomResult *got, const OomResult *want)
{
  assert_same (got->y, want->y, want->ny);
  assert_same (got->dx, want->dx, want->nx);
  assert_same (got->dw, want->dw, want->nw);
  assert_same (got->db, want->db, want->nb);
}

/* One forward and backward of @c on the values given, the allocation
 * armed after @fail_after more (-1: none) failing. TRUE with the results
 * in @r; FALSE with @error set. *@fired: whether the armed failure came. */
static gboolean
run_case (const OomCase *oc,
          const double  *xv,
          const double  *wv,
          const double  *bv,
          const double  *dyv,
          gint           fail_after,
          gboolean      *fired,
          OomResult     *r,
          GError       **error)
{
  const ConvShape *c = &oc->s;
  gint64           OH = conv_out_size (c, c->H), OW = conv_out_size (c, c->W);
  gint64           nx = c->N * c->C * c->H * c->W, nw = c->O * (c->C / c->groups) * c->k * c->k;
  gint64           ny = c->N * c->O * OH * OW;
  const gint64     stride[2] = { c->stride, c->stride }, padding[2] = { c->padding, c->padding };
  const gint64     dilation[2] = { c->dilation, c->dilation };
  g_autoptr(LtTensor) x = tensor_of (xv, nx, DIMS (c->N, c->C, c->H, c->W), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) w =
               tensor_of (wv, nw, DIMS (c->O, c->C / c->groups, c->k, c->k), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) b = tensor_of (bv, c->O, DIMS (c->O), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) dy = tensor_of (dyv, ny, DIMS (c->N, c->O, OH, OW), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *after = NULL;
  gsize              n_after;
  gboolean           ok;

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, NULL));
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, NULL));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, NULL));
  _lt_cpu_alloc_fail_after (fail_after);
  y = lt_conv2d (x, w, b, stride, padding, dilation, c->groups, error);
  if (y != NULL && oc->batch_norm)
    {
      LtTensor *z = lt_batch_norm (y, NULL, NULL, NULL, NULL, TRUE, 0.1, 1e-5, error);

      g_object_unref (y);
      y = z;
    }
  ok = y != NULL && lt_tensor_backward (y, dy, FALSE, error);
  *fired = fail_after >= 0 && !_lt_cpu_alloc_fail_pending ();
  _lt_cpu_alloc_fail_after (-1);

  /* the input is as it was, whatever happened */
  after = values (x, &n_after);
  g_assert_cmpuint (n_after, ==, (gsize) nx);
  for (gint64 i = 0; i < nx; i++)
    g_assert_cmpfloat (after[i], ==, (double) (float) xv[i]);
  if (!ok)
    return FALSE;
  r->y = values (y, &r->ny);
  r->dx = values (lt_tensor_get_grad (x), &r->nx);
  r->dw = values (lt_tensor_get_grad (w), &r->nw);
  r->db = values (lt_tensor_get_grad (b), &r->nb);
  return TRUE;
}

static void
test_oom (gconstpointer data)
{
  const OomCase   *oc = data;
  const ConvShape *c = &oc->s;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  gint64             OH = conv_out_size (c, c->H), OW = conv_out_size (c, c->W);
  gint64             nx = c->N * c->C * c->H * c->W;
  gint64             nw = c->O * (c->C / c->groups) * c->k * c->k, ny = c->N * c->O * OH * OW;
  g_autofree double *xv = random_values (rng, nx, -1, 1);
  g_autofree double *wv = random_values (rng, nw, -1, 1);
  g_autofree double *bv = random_values (rng, c->O, -1, 1);
  g_autofree double *dyv = random_values (rng, ny, -1, 1);
  OomResult          want = { 0 }, got = { 0 };
  gboolean           fired;
  int                failures = 0, n, saved = lt_get_num_threads ();

  for (int threads = 1; threads <= 2; threads++)
    {
      lt_set_num_threads (threads);
      g_assert_true (run_case (oc, xv, wv, bv, dyv, -1, &fired, &want, NULL));
      for (n = 0; n < 1000; n++)
        {
          g_autoptr(GError) error = NULL;

          if (!run_case (oc, xv, wv, bv, dyv, n, &fired, &got, &error))
            {
              g_assert_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY);
              g_assert_nonnull (strstr (error->message, "could not allocate"));
              g_assert_true (fired);
              g_test_message ("allocation %d: %s", n, error->message);
              failures++;
              continue;
            }
          /* a failure the op got around (a product that falls back to
           * another kernel) must not change the bits */
          assert_results_same (&got, &want);
          result_clear (&got);
          if (!fired)
            break;
        }
      g_assert_cmpint (n, <, 1000);
      /* after every failure, the same bits again */
      g_assert_true (run_case (oc, xv, wv, bv, dyv, -1, &fired, &got, NULL));
      assert_results_same (&got, &want);
      result_clear (&got);
      result_clear (&want);
      g_test_message ("%s on %d threads: %d allocations failed in turn", oc->name, threads, n);
    }
  g_assert_cmpint (failures, >, 0);
  lt_set_num_threads (saved);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cpu-oom/conv2d/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_oom);
    }
  return g_test_run ();
}
