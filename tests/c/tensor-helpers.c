/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tensor tests' shared helpers (tensor-helpers.h).
 */
#include "tensor-helpers.h"

void
assert_shape (LtTensor     *t,
              const gint64 *shape,
              gsize         n_dims)
{
  guint nd;
  const gint64 *s = lt_tensor_get_shape (t, &nd);

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

void
assert_values_tol (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol)
{
  g_autoptr(GError) error = NULL;
  gsize got_n = 0;
  g_autofree double *got = lt_tensor_to_doubles (t, &got_n, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (got_n, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (want[i]))
        g_assert_true (isnan (got[i]));
      else if (tol == 0)
        g_assert_cmpfloat (got[i], ==, want[i]);
      else
        g_assert_cmpfloat_with_epsilon (got[i], want[i], tol);
    }
}

void
assert_values (LtTensor     *t,
               const double *want,
               gsize         n)
{
  assert_values_tol (t, want, n, 1e-6);
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

/* 0, 1, ..., n-1 as float32 of @shape */
LtTensor *
iota (const gint64 *shape,
      gsize         n_dims,
      LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) flat = NULL;
  LtTensor *t;
  gint64 n = 1;

  for (gsize i = 0; i < n_dims; i++)
    n *= shape[i];
  flat = lt_arange (0, (double) n, 1, dtype, &error);
  g_assert_no_error (error);
  t = lt_tensor_view (flat, shape, n_dims, &error);
  g_assert_no_error (error);
  return t;
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
