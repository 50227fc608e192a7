/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The C tests' shared helpers (test-helpers.h).
 */
#include "test-helpers.h"

/* Values and tensors */

/* @n doubles drawn uniformly from [@lo, @hi) by @rng (one block even when
 * @n is 0) */
double *
random_values (GRand  *rng,
               gint64  n,
               double  lo,
               double  hi)
{
  double *v = g_new (double, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = g_rand_double_range (rng, lo, hi);
  return v;
}

gint64
shape_numel (const gint64 *shape,
             gsize         n_dims)
{
  gint64 n = 1;

  for (gsize i = 0; i < n_dims; i++)
    n *= shape[i];
  return n;
}

LtTensor *
tensor_of (const double *v,
           gsize         n,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_doubles (v, n, shape, n_dims, dtype, &error);

  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

/* tensor_of () with as many values as @shape holds */
LtTensor *
tensor_of_shape (const double *v,
                 const gint64 *shape,
                 gsize         n_dims,
                 LtDType       dtype)
{
  return tensor_of (v, (gsize) shape_numel (shape, n_dims), shape, n_dims, dtype);
}

/* 0, 1, ..., n-1 as @dtype, viewed as @shape */
LtTensor *
iota (const gint64 *shape,
      gsize         n_dims,
      LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) flat = NULL;
  LtTensor *t;

  flat = lt_arange (0, (double) shape_numel (shape, n_dims), 1, dtype, &error);
  g_assert_no_error (error);
  t = lt_tensor_view (flat, shape, n_dims, &error);
  g_assert_no_error (error);
  return t;
}

/* The elements of @t in row-major order, as doubles; their count in @n */
double *
values (LtTensor *t,
        gsize    *n)
{
  g_autoptr(GError) error = NULL;
  double *v;

  g_assert_nonnull (t);
  v = lt_tensor_to_doubles (t, n, &error);
  g_assert_no_error (error);
  return v;
}

double
item (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  double v = NAN;

  g_assert_true (lt_tensor_item (t, &v, &error));
  g_assert_no_error (error);
  return v;
}

/* Checks */

void
assert_shape (LtTensor     *t,
              const gint64 *shape,
              gsize         n_dims)
{
  guint nd;
  const gint64 *s;

  g_assert_nonnull (t);
  s = lt_tensor_get_shape (t, &nd);
  g_assert_cmpuint (nd, ==, n_dims);
  for (gsize i = 0; i < n_dims; i++)
    g_assert_cmpint (s[i], ==, shape[i]);
}

void
assert_strides (LtTensor     *t,
                const gint64 *strides,
                gsize         n_dims)
{
  guint nd;
  const gint64 *s = lt_tensor_get_strides (t, &nd);

  g_assert_cmpuint (nd, ==, n_dims);
  for (gsize i = 0; i < n_dims; i++)
    g_assert_cmpint (s[i], ==, strides[i]);
}

/* Each element of @t within @tol of @want, times max (1, |want|) when
 * @scaled; exactly equal when @tol is 0; a NaN in @want asks for a NaN. */
static void
check_values (LtTensor     *t,
              const double *want,
              gsize         n,
              double        tol,
              gboolean      scaled)
{
  gsize got_n = 0;
  g_autofree double *got = values (t, &got_n);

  g_assert_cmpuint (got_n, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (want[i]))
        g_assert_true (isnan (got[i]));
      else if (tol == 0)
        g_assert_cmpfloat (got[i], ==, want[i]);
      else
        g_assert_cmpfloat_with_epsilon (got[i], want[i],
                                        scaled ? tol * MAX (1.0, fabs (want[i])) : tol);
    }
}

/* |got - want| <= @tol for each element */
void
assert_values_tol (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol)
{
  check_values (t, want, n, tol, FALSE);
}

void
assert_values (LtTensor     *t,
               const double *want,
               gsize         n)
{
  assert_values_tol (t, want, n, 1e-6);
}

/* Like assert_values_tol (), with the tolerance scaled by the expected
 * magnitude when it exceeds 1: |got - want| <= tol * max (1, |want|). */
void
assert_values_rel (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol)
{
  check_values (t, want, n, tol, TRUE);
}

/* torch.allclose's rule, element by element: |got - want| <= atol +
 * rtol * |want|; a NaN in @want asks for a NaN. The failing element is
 * logged with full precision. */
void
assert_allclose (LtTensor     *t,
                 const double *want,
                 gsize         n,
                 double        rtol,
                 double        atol)
{
  gsize got_n = 0;
  g_autofree double *got = values (t, &got_n);

  g_assert_cmpuint (got_n, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (want[i]))
        {
          g_assert_true (isnan (got[i]));
          continue;
        }
      if (!(fabs (got[i] - want[i]) <= atol + rtol * fabs (want[i])))
        g_test_message ("element %" G_GSIZE_FORMAT ": got %.17g, expected %.17g", i, got[i],
                        want[i]);
      g_assert_cmpfloat (fabs (got[i] - want[i]), <=, atol + rtol * fabs (want[i]));
    }
}

/* lt_tensor_to_string (@t) is exactly @want */
void
assert_prints (LtTensor   *t,
               const char *want)
{
  g_autofree char *got = lt_tensor_to_string (t);

  g_assert_cmpstr (got, ==, want);
}

/* Temporary folders and files */

/* A new folder from g_dir_make_tmp (@tmpl) */
char *
make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @path: a file, a link (not what it points to) or a folder with
 * everything in it. */
void
remove_tree (const char *path)
{
  GDir *d;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (path);
}

void
write_file (const char *path,
            const void *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* Objects */

void
autofinal_cleanup (gpointer location)
{
  GObject *object = *(GObject **) location;
  guint    refs;

  if (object == NULL)
    return;
  refs = g_atomic_int_get ((int *) &object->ref_count);
  if (refs != 1)
    {
      g_autofree char *message =
        g_strdup_printf ("a %s still has %u references when its variable goes out of scope",
                         G_OBJECT_TYPE_NAME (object), refs);
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }
  g_assert_finalize_object (object);
}

/* Skips */

void
skip_gpu (const char *reason)
{
  g_autofree char *message = g_strconcat ("GPU: ", reason, NULL);

  g_test_skip (message);
}

void
skip_display (const char *reason)
{
  g_autofree char *message = g_strconcat ("display: ", reason, NULL);

  g_test_skip (message);
}

void
require_path (const char *path, const char *package)
{
  g_autofree char *message = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  message =
    g_strdup_printf ("%s is missing: install %s (tools/install-deps.sh does)", path, package);
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
}

gint64
conv_out_size (const ConvShape *s, gint64 in)
{
  return (in + 2 * s->padding - s->dilation * (s->k - 1) - 1) / s->stride + 1;
}

void
conv_reference (const ConvShape *s,
                const double    *x,
                const double    *w,
                const double    *b,
                const double    *dy,
                double          *y,
                double          *dx,
                double          *dw,
                double          *db)
{
  gint64 OH = conv_out_size (s, s->H), OW = conv_out_size (s, s->W);
  gint64 Cg = s->C / s->groups, Og = s->O / s->groups, k = s->k;

  if (dx)
    memset (dx, 0, s->N * s->C * s->H * s->W * sizeof (double));
  if (dw)
    memset (dw, 0, s->O * Cg * k * k * sizeof (double));
  if (db)
    memset (db, 0, s->O * sizeof (double));
  for (gint64 n = 0; n < s->N; n++)
    for (gint64 o = 0; o < s->O; o++)
      for (gint64 oh = 0; oh < OH; oh++)
        for (gint64 ow = 0; ow < OW; ow++)
          {
            gint64 yi = ((n * s->O + o) * OH + oh) * OW + ow;
            double acc = b ? b[o] : 0, g = dy ? dy[yi] : 0;

            if (db)
              db[o] += g;
            for (gint64 c = 0; c < Cg; c++)
              for (gint64 i = 0; i < k; i++)
                for (gint64 j = 0; j < k; j++)
                  {
                    gint64 ih = oh * s->stride - s->padding + i * s->dilation;
                    gint64 iw = ow * s->stride - s->padding + j * s->dilation;
                    gint64 wi = ((o * Cg + c) * k + i) * k + j;
                    gint64 xi = ((n * s->C + o / Og * Cg + c) * s->H + ih) * s->W + iw;

                    if (ih < 0 || ih >= s->H || iw < 0 || iw >= s->W)
                      continue;
                    acc += w[wi] * x[xi];
                    if (dx)
                      dx[xi] += w[wi] * g;
                    if (dw)
                      dw[wi] += x[xi] * g;
                  }
            y[yi] = acc;
          }
}
