/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LtTensor: creation, metadata and properties, the Philox generator
 * (test-tensor-views.c has views, dtypes and in-place ops).
 * Expected values come from the mathematics of each function or from what
 * PyTorch 1.13 does for the same call.
 */
#include "test-helpers.h"

#include "core/lt-philox-private.h"

/* Creation */

static void
test_create_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_empty (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) e = NULL;
  g_autoptr(LtTensor) bad = NULL;

  g_assert_no_error (error);
  assert_shape (x, DIMS (5, 3));
  assert_strides (x, DIMS (3, 1));
  g_assert_cmpint (lt_tensor_numel (x), ==, 15);
  g_assert_cmpint (lt_tensor_get_dtype (x), ==, LT_DTYPE_FLOAT32);
  g_assert_cmpint (lt_tensor_get_device (x), ==, LT_DEVICE_CPU);
  g_assert_cmpuint (lt_tensor_get_element_size (x), ==, 4);
  g_assert_cmpint (lt_tensor_get_storage_offset (x), ==, 0);
  g_assert_cmpuint (lt_storage_get_nbytes (lt_tensor_get_storage (x)), >=, 60);
  g_assert_true (lt_tensor_is_contiguous (x));
  g_assert_true (lt_tensor_is_floating_point (x));
  g_assert_cmpint (lt_tensor_get_size (x, 0, &error), ==, 5);
  g_assert_cmpint (lt_tensor_get_size (x, -1, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_size (x, 2, &error), ==, -1);
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_cmpuint (lt_tensor_get_data_ptr (x), !=, 0);

  /* A size of zero is fine: no elements */
  e = lt_empty (DIMS (0, 4), LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_numel (e), ==, 0);
  assert_shape (e, DIMS (0, 4));

  /* A negative size is not */
  bad = lt_empty (DIMS (2, -1), LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
}

static void
test_create_filled (void)
{
  static const LtDType dtypes[] = {
    LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64, LT_DTYPE_INT64, LT_DTYPE_INT32,
    LT_DTYPE_INT16, LT_DTYPE_INT8, LT_DTYPE_UINT8, LT_DTYPE_BOOL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) z = lt_zeros (DIMS (2, 3), dtypes[i], &error);
      g_autoptr(LtTensor) o = lt_ones (DIMS (2, 3), dtypes[i], &error);
      double want_f = dtypes[i] == LT_DTYPE_BOOL ? 1 : 7;
      g_autoptr(LtTensor) f = lt_full (DIMS (3), want_f, dtypes[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (lt_tensor_get_dtype (z), ==, dtypes[i]);
      g_assert_cmpint (lt_tensor_get_dtype (o), ==, dtypes[i]);
      g_assert_cmpint (lt_tensor_get_dtype (f), ==, dtypes[i]);
      g_assert_cmpuint (lt_tensor_get_element_size (z), ==, lt_dtype_get_element_size (dtypes[i]));
      assert_values (z, VALS (0, 0, 0, 0, 0, 0));
      assert_values (o, VALS (1, 1, 1, 1, 1, 1));
      assert_values (f, VALS (want_f, want_f, want_f));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) f = lt_full (DIMS (2), -2.5, LT_DTYPE_FLOAT64, &error);

    g_assert_no_error (error);
    assert_values (f, VALS (-2.5, -2.5));
  }
}

static void
test_create_rand (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = NULL;
  g_autoptr(LtTensor) r64 = NULL;
  g_autoptr(LtTensor) bad = NULL;
  g_autofree double *v = NULL;
  gsize n;

  r = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  assert_shape (r, DIMS (5, 3));
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_FLOAT32);
  v = lt_tensor_to_doubles (r, &n, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpfloat (v[i], >=, 0.0);
      g_assert_cmpfloat (v[i], <, 1.0);
    }

  r64 = lt_rand (DIMS (4), LT_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r64), ==, LT_DTYPE_FLOAT64);

  /* rand has no integer form (torch: "not implemented for 'Long'") */
  bad = lt_rand (DIMS (3), LT_DTYPE_INT64, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
}

static void
test_create_randint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = lt_randint (-2, 3, DIMS (10000), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) r8 = NULL;
  g_autoptr(LtTensor) bad = NULL;
  g_autofree gint64 *v = NULL;
  guint seen[5] = { 0 };
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_INT64);
  v = lt_tensor_to_int64s (r, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 10000);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpint (v[i], >=, -2);
      g_assert_cmpint (v[i], <, 3);
      seen[v[i] + 2]++;
    }
  /* each of the 5 values has probability 1/5: 2000 expected, sd 40 */
  for (guint k = 0; k < 5; k++)
    g_assert_cmpuint (ABS ((gint) seen[k] - 2000), <, 250);

  r8 = lt_randint (0, 256, DIMS (100), LT_DTYPE_UINT8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r8), ==, LT_DTYPE_UINT8);

  bad = lt_randint (3, 3, DIMS (2), LT_DTYPE_INT64, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static void
test_create_ranges (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = lt_arange (0, 5, 1, LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) b = lt_arange (1, 2.5, 0.5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) c = lt_arange (5, 0, -2, LT_DTYPE_INT32, &error);
  g_autoptr(LtTensor) d = lt_arange (0, 1, 0.3, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) l = lt_linspace (0, 1, 5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) l1 = lt_linspace (-3, 7, 1, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) l0 = lt_linspace (0, 1, 0, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) l3 = lt_linspace (10, -10, 3, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) e3 = lt_eye (3, -1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) e23 = lt_eye (2, 3, LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) bad = NULL;

  g_assert_no_error (error);
  assert_shape (a, DIMS (5));
  g_assert_cmpint (lt_tensor_get_dtype (a), ==, LT_DTYPE_INT64);
  assert_values (a, VALS (0, 1, 2, 3, 4));
  assert_values (b, VALS (1, 1.5, 2));
  assert_values (c, VALS (5, 3, 1));
  g_assert_cmpint (lt_tensor_get_dtype (c), ==, LT_DTYPE_INT32);
  /* ceil((1 - 0) / 0.3) = 4 values */
  assert_values (d, VALS (0, 0.3, 0.6, 0.9));

  assert_values (l, VALS (0, 0.25, 0.5, 0.75, 1));
  assert_values (l1, VALS (-3));
  g_assert_cmpint (lt_tensor_numel (l0), ==, 0);
  assert_values (l3, VALS (10, 0, -10));

  assert_shape (e3, DIMS (3, 3));
  assert_values (e3, VALS (1, 0, 0, 0, 1, 0, 0, 0, 1));
  assert_shape (e23, DIMS (2, 3));
  assert_values (e23, VALS (1, 0, 0, 0, 1, 0));

  bad = lt_arange (0, 5, 0, LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_arange (0, 5, -1, LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_linspace (0, 1, -1, LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static void
test_create_from_host (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 big[] = { G_GINT64_CONSTANT (4611686018427387905), -7, G_MAXINT64 };
  const float raw[] = { 1.5f, -2.0f, 3.25f, 0.0f };
  g_autoptr(LtTensor) d = tensor_of (VALS (1.5, -2, 3.25, 4), DIMS (2, 2), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) di = tensor_of (VALS (1.9, -1.9, 300), DIMS (3), LT_DTYPE_INT32);
  g_autoptr(LtTensor) i = lt_tensor_new_from_int64s (big, 3, DIMS (3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) r = lt_tensor_new_from_data (raw, sizeof raw, DIMS (2, 2), LT_DTYPE_FLOAT32,
                                                   &error);
  g_autoptr(GBytes) bytes = g_bytes_new (raw, sizeof raw);
  g_autoptr(LtTensor) b = lt_tensor_new_from_bytes (bytes, DIMS (4), LT_DTYPE_FLOAT32, &error);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(LtTensor) bad = NULL;
  g_autofree gint64 *iv = NULL;
  gsize n;

  g_assert_no_error (error);
  assert_shape (d, DIMS (2, 2));
  assert_values (d, VALS (1.5, -2, 3.25, 4));
  /* conversion to an integer type truncates toward zero, as torch */
  assert_values (di, VALS (1, -1, 300));

  /* int64 values beyond 2^53 stay exact */
  iv = lt_tensor_to_int64s (i, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (iv[0], ==, G_GINT64_CONSTANT (4611686018427387905));
  g_assert_cmpint (iv[1], ==, -7);
  g_assert_cmpint (iv[2], ==, G_MAXINT64);

  assert_values (r, VALS (1.5, -2, 3.25, 0));
  assert_values (b, VALS (1.5, -2, 3.25, 0));
  /* copies: the tensor does not point into the caller's memory */
  g_assert_cmpuint (lt_tensor_get_data_ptr (r), !=, (guintptr) raw);

  back = lt_tensor_to_bytes (r, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), raw, sizeof raw);

  bad = lt_tensor_new_from_doubles ((const double[]) { 1, 2, 3 }, 3, DIMS (2, 2),
                                    LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  bad = lt_tensor_new_from_data (raw, sizeof raw - 1, DIMS (2, 2), LT_DTYPE_FLOAT32, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
}

typedef struct
{
  guint released;
  guint destroyed;
} WrapCounts;

static void
wrap_release (gpointer user_data)
{
  WrapCounts *c = user_data;

  g_assert_cmpuint (c->destroyed, ==, 0);
  c->released++;
}

static void
wrap_destroy (gpointer user_data)
{
  WrapCounts *c = user_data;

  c->destroyed++;
}

static void
test_create_wrap (void)
{
  g_autoptr(GError) error = NULL;
  double mem[6] = { 0, 1, 2, 3, 4, 5 };
  WrapCounts counts = { 0, 0 };
  LtTensor *t;
  LtTensor *col;

  t = lt_tensor_new_wrap ((guintptr) mem, sizeof mem, DIMS (2, 3), NULL, 0, LT_DTYPE_FLOAT64,
                          wrap_release, &counts, wrap_destroy, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  g_assert_cmpuint (lt_tensor_get_data_ptr (t), ==, (guintptr) mem);
  assert_values (t, VALS (0, 1, 2, 3, 4, 5));

  /* writes go both ways */
  mem[4] = 40;
  g_assert_cmpfloat (mem[4], ==, 40);
  assert_values (t, VALS (0, 1, 2, 3, 40, 5));
  g_assert_true (lt_tensor_fill_ (t, 9, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (mem[0], ==, 9);
  g_assert_cmpfloat (mem[5], ==, 9);

  /* a view keeps the memory in use after the tensor is gone */
  col = lt_tensor_select (t, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (t);
  g_assert_cmpuint (counts.released, ==, 0);
  g_assert_cmpuint (counts.destroyed, ==, 0);
  mem[2] = -1;
  assert_values (col, VALS (-1, 9));
  g_assert_finalize_object (col);
  g_assert_cmpuint (counts.released, ==, 1);
  g_assert_cmpuint (counts.destroyed, ==, 1);

  /* custom strides: a transposed view of the same block */
  {
    WrapCounts c2 = { 0, 0 };
    double m2[6] = { 0, 1, 2, 3, 4, 5 };
    g_autoptr(LtTensor) tt = lt_tensor_new_wrap ((guintptr) m2, sizeof m2, DIMS (3, 2),
                                                 DIMS (1, 3), LT_DTYPE_FLOAT64, wrap_release,
                                                 &c2, NULL, &error);

    g_assert_no_error (error);
    g_assert_false (lt_tensor_is_contiguous (tt));
    assert_values (tt, VALS (0, 3, 1, 4, 2, 5));
    g_clear_object (&tt);
    g_assert_cmpuint (c2.released, ==, 1);
  }

  /* a shape reaching outside the block fails; the data is released once
   * through destroy, never through release */
  {
    WrapCounts c3 = { 0, 0 };
    g_autoptr(LtTensor) bad = lt_tensor_new_wrap ((guintptr) mem, sizeof mem, DIMS (7),
                                                  NULL, 0, LT_DTYPE_FLOAT64, wrap_release,
                                                  &c3, wrap_destroy, &error);

    g_assert_null (bad);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_cmpuint (c3.released, ==, 0);
    g_assert_cmpuint (c3.destroyed, ==, 1);
  }
}

static void
test_create_wrap_owned (void)
{
  g_autoptr(GError) error = NULL;
  double    mem[6] = { 0, 1, 2, 3, 4, 5 };
  GObject  *owner = g_object_new (G_TYPE_OBJECT, NULL);
  LtTensor *t;
  LtTensor *row;

  g_test_summary ("lt_tensor_new_wrap_owned keeps a reference on the owner while a tensor "
                  "or a view uses the memory, and drops it once, without a callback");
  g_object_add_weak_pointer (owner, (gpointer *) &owner);
  t = lt_tensor_new_wrap_owned ((guintptr) mem, sizeof mem, DIMS (2, 3), NULL, 0, LT_DTYPE_FLOAT64,
                                owner, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_data_ptr (t), ==, (guintptr) mem);
  assert_values (t, VALS (0, 1, 2, 3, 4, 5));
  row = lt_tensor_select (t, 0, 1, &error);
  g_assert_no_error (error);
  g_object_unref (owner);   /* the caller's reference */
  g_assert_nonnull (owner); /* the memory's is left */
  g_assert_finalize_object (t);
  g_assert_nonnull (owner); /* the view still uses the memory */
  mem[3] = 30;
  assert_values (row, VALS (30, 4, 5));
  g_assert_finalize_object (row);
  g_assert_null (owner);

  /* a failed call drops the reference it took */
  owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_add_weak_pointer (owner, (gpointer *) &owner);
  t = lt_tensor_new_wrap_owned ((guintptr) mem, sizeof mem, DIMS (7), NULL, 0, LT_DTYPE_FLOAT64,
                                owner, &error);
  g_assert_null (t);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_finalize_object (owner);
}

static void
test_create_like (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) m = lt_zeros (DIMS (2, 3), LT_DTYPE_INT32, &error);
  g_autoptr(LtTensor) f = lt_zeros (DIMS (4, 1), LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) e = lt_empty_like (m, &error);
  g_autoptr(LtTensor) z = lt_zeros_like (m, &error);
  g_autoptr(LtTensor) o = lt_ones_like (m, &error);
  g_autoptr(LtTensor) fl = lt_full_like (m, 5, &error);
  g_autoptr(LtTensor) r = lt_rand_like (f, &error);
  g_autoptr(LtTensor) rn = lt_randn_like (f, &error);
  g_autoptr(LtTensor) bad = NULL;
  LtTensor *all[] = { e, z, o, fl };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      assert_shape (all[i], DIMS (2, 3));
      g_assert_cmpint (lt_tensor_get_dtype (all[i]), ==, LT_DTYPE_INT32);
      g_assert_false (lt_tensor_shares_storage (all[i], m));
    }
  assert_values (z, VALS (0, 0, 0, 0, 0, 0));
  assert_values (o, VALS (1, 1, 1, 1, 1, 1));
  assert_values (fl, VALS (5, 5, 5, 5, 5, 5));
  assert_shape (r, DIMS (4, 1));
  assert_shape (rn, DIMS (4, 1));
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_FLOAT64);
  g_assert_cmpint (lt_tensor_get_dtype (rn), ==, LT_DTYPE_FLOAT64);

  bad = lt_rand_like (m, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
}

static void
test_create_clone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (2, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) xt = lt_tensor_t (x, &error);
  g_autoptr(LtTensor) c = lt_tensor_clone (xt, &error);

  g_assert_no_error (error);
  g_assert_false (lt_tensor_shares_storage (c, x));
  g_assert_true (lt_tensor_is_contiguous (c));
  assert_shape (c, DIMS (3, 2));
  assert_strides (c, DIMS (2, 1));
  assert_values (c, VALS (0, 3, 1, 4, 2, 5));
  /* independent memory */
  g_assert_true (lt_tensor_fill_ (c, 7, &error));
  assert_values (x, VALS (0, 1, 2, 3, 4, 5));
}

/* Metadata and properties */

static void
test_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (2, 3, 4), LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(GVariant) shape = NULL;
  g_autoptr(LtTensor) grad = NULL;
  g_autoptr(LtGradFn) grad_fn = NULL;
  LtDType dtype;
  LtDevice device;
  gboolean requires_grad, is_leaf;
  guint version;
  const gint64 *s;
  gsize n;

  g_assert_no_error (error);
  g_object_get (x, "shape", &shape, "dtype", &dtype, "device", &device,
                "requires-grad", &requires_grad, "grad", &grad, "grad-fn", &grad_fn,
                "is-leaf", &is_leaf, "version", &version, NULL);
  g_assert_true (g_variant_is_of_type (shape, G_VARIANT_TYPE ("ax")));
  s = g_variant_get_fixed_array (shape, &n, sizeof (gint64));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (s[0], ==, 2);
  g_assert_cmpint (s[1], ==, 3);
  g_assert_cmpint (s[2], ==, 4);
  g_assert_cmpint (dtype, ==, LT_DTYPE_FLOAT64);
  g_assert_cmpint (device, ==, LT_DEVICE_CPU);
  g_assert_false (requires_grad);
  g_assert_null (grad);
  g_assert_null (grad_fn);
  g_assert_true (is_leaf);
  g_assert_cmpuint (version, ==, 0);
  assert_strides (x, DIMS (12, 4, 1));

  /* requires-grad is writable as a property */
  g_object_set (x, "requires-grad", TRUE, NULL);
  g_assert_true (lt_tensor_get_requires_grad (x));
  g_assert_true (lt_tensor_is_leaf (x));

  y = lt_tensor_mul_scalar (x, 2, &error);
  g_assert_no_error (error);
  g_object_get (y, "requires-grad", &requires_grad, "grad-fn", &grad_fn, "is-leaf", &is_leaf, NULL);
  g_assert_true (requires_grad);
  g_assert_nonnull (grad_fn);
  g_assert_true (grad_fn == lt_tensor_get_grad_fn (y));
  g_assert_cmpstr (lt_grad_fn_get_name (grad_fn), ==, "MulBackward0");
  g_assert_false (is_leaf);
  g_assert_false (lt_tensor_is_leaf (y));

  /* grad after a backward, through the property */
  {
    g_autoptr(LtTensor) s1 = lt_tensor_sum (y, &error);
    g_autoptr(LtTensor) g = NULL;

    g_assert_true (lt_tensor_backward (s1, NULL, FALSE, &error));
    g_assert_no_error (error);
    g_object_get (x, "grad", &g, NULL);
    g_assert_nonnull (g);
    g_assert_true (g == lt_tensor_get_grad (x));
    assert_shape (g, DIMS (2, 3, 4));
    {
      /* d sum(2x) / dx = 2 everywhere: 24 elements */
      g_autoptr(LtTensor) gs = lt_tensor_sum (g, &error);
      g_assert_cmpfloat (item (gs), ==, 48);
    }
  }

  /* version through the property follows in-place ops */
  {
    g_autoptr(LtTensor) z = lt_zeros (DIMS (3), LT_DTYPE_FLOAT32, &error);

    g_assert_true (lt_tensor_add_scalar_ (z, 1, &error));
    g_assert_true (lt_tensor_mul_scalar_ (z, 3, &error));
    g_object_get (z, "version", &version, NULL);
    g_assert_cmpuint (version, ==, 2);
    g_assert_cmpuint (lt_tensor_get_version (z), ==, 2);
  }
}

static void
notify_count (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_properties_notify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_zeros (DIMS (2), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) i = lt_zeros (DIMS (2), LT_DTYPE_INT64, &error);
  guint n = 0;

  g_signal_connect (x, "notify::requires-grad", G_CALLBACK (notify_count), &n);
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_cmpuint (n, ==, 1);
  /* no change, no notification */
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (lt_tensor_requires_grad_ (x, FALSE, &error) == x);
  g_assert_cmpuint (n, ==, 2);
  g_assert_false (lt_tensor_get_requires_grad (x));

  /* integer tensors cannot require grad */
  g_assert_false (lt_tensor_set_requires_grad (i, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_assert_false (lt_tensor_get_requires_grad (i));
}

/* The random generator */

static void
test_philox_known_answers (void)
{
  /* Random123's kat_vectors for philox4x32 with 10 rounds */
  static const struct
  {
    uint32_t ctr[4], key[2], out[4];
  } kat[] = {
    { { 0, 0, 0, 0 }, { 0, 0 }, { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 } },
    { { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, { 0xffffffff, 0xffffffff },
      { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd } },
    { { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 }, { 0xa4093822, 0x299f31d0 },
      { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kat); i++)
    {
      LtPhilox4 r = _lt_philox4x32_10_raw (kat[i].ctr, kat[i].key);

      for (guint l = 0; l < 4; l++)
        g_assert_cmphex (r.v[l], ==, kat[i].out[l]);
    }
}

/* After lt_manual_seed() the stream starts at counter 0: element i of a
 * float32 rand tensor is lane i % 4 of block i / 4, 24 bits over 2^24. */
static void
test_philox_stream_layout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = NULL;
  g_autoptr(LtTensor) r2 = NULL;
  g_autofree double *v = NULL;
  g_autofree double *v2 = NULL;
  const guint64 seed = G_GUINT64_CONSTANT (0x123456789abcdef);
  gsize n, n2;

  lt_manual_seed (seed);
  g_assert_cmpuint (lt_initial_seed (), ==, seed);
  r = lt_rand (DIMS (10), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  v = lt_tensor_to_doubles (r, &n, &error);
  for (gsize i = 0; i < n; i++)
    {
      uint32_t ctr[4] = { (uint32_t) (i / 4), 0, 0, 0 };
      uint32_t key[2] = { (uint32_t) seed, (uint32_t) (seed >> 32) };
      LtPhilox4 b = _lt_philox4x32_10_raw (ctr, key);
      double want = (double) (b.v[i % 4] >> 8) / 16777216.0;

      g_assert_cmpfloat (v[i], ==, want);
    }

  /* the next tensor continues after the 3 blocks the first one used */
  r2 = lt_rand (DIMS (1), LT_DTYPE_FLOAT32, &error);
  v2 = lt_tensor_to_doubles (r2, &n2, &error);
  {
    uint32_t ctr[4] = { 3, 0, 0, 0 };
    uint32_t key[2] = { (uint32_t) seed, (uint32_t) (seed >> 32) };
    LtPhilox4 b = _lt_philox4x32_10_raw (ctr, key);

    g_assert_cmpfloat (v2[0], ==, (double) (b.v[0] >> 8) / 16777216.0);
  }
}

typedef LtTensor *(*MakeRandom) (gint64 n, GError **error);

static LtTensor *
make_rand (gint64 n, GError **error)
{
  return lt_rand (&n, 1, LT_DTYPE_FLOAT32, error);
}

static LtTensor *
make_rand64 (gint64 n, GError **error)
{
  return lt_rand (&n, 1, LT_DTYPE_FLOAT64, error);
}

static LtTensor *
make_randn (gint64 n, GError **error)
{
  return lt_randn (&n, 1, LT_DTYPE_FLOAT32, error);
}

static LtTensor *
make_randn64 (gint64 n, GError **error)
{
  return lt_randn (&n, 1, LT_DTYPE_FLOAT64, error);
}

static LtTensor *
make_randint (gint64 n, GError **error)
{
  return lt_randint (-1000, 1000, &n, 1, LT_DTYPE_INT64, error);
}

static LtTensor *
make_randint_wide (gint64 n, GError **error)
{
  return lt_randint (0, G_GINT64_CONSTANT (1) << 40, &n, 1, LT_DTYPE_INT64, error);
}

static GBytes *
draw (MakeRandom make,
      guint64    seed,
      int        n_threads,
      gint64     n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = NULL;
  GBytes *b;

  lt_set_num_threads (n_threads);
  g_assert_cmpint (lt_get_num_threads (), ==, n_threads);
  lt_manual_seed (seed);
  t = make (n, &error);
  g_assert_no_error (error);
  b = lt_tensor_to_bytes (t, &error);
  g_assert_no_error (error);
  return b;
}

static void
test_philox_threads (void)
{
  static const MakeRandom makers[] = {
    make_rand, make_rand64, make_randn, make_randn64, make_randint, make_randint_wide,
  };
  int saved = lt_get_num_threads ();
  const gint64 n = 100003;   /* above 65536 so that two threads share the work */

  for (guint m = 0; m < G_N_ELEMENTS (makers); m++)
    {
      g_autoptr(GBytes) one = draw (makers[m], 2024, 1, n);
      g_autoptr(GBytes) two = draw (makers[m], 2024, 2, n);
      g_autoptr(GBytes) other = draw (makers[m], 2025, 2, n);

      g_assert_true (g_bytes_equal (one, two));
      g_assert_false (g_bytes_equal (one, other));
    }
  lt_set_num_threads (saved);
}

static void
test_philox_state (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) warm = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(GBytes) ba = NULL;
  g_autoptr(GBytes) bb = NULL;
  g_autoptr(GBytes) bc = NULL;
  guint64 seed, offset, seed2, offset2;

  lt_manual_seed (7);
  lt_random_get_state (&seed, &offset);
  g_assert_cmpuint (seed, ==, 7);
  g_assert_cmpuint (offset, ==, 0);
  warm = lt_randn (DIMS (1001), LT_DTYPE_FLOAT32, &error);
  lt_random_get_state (&seed, &offset);
  g_assert_cmpuint (seed, ==, 7);
  /* 1001 values, 4 per block */
  g_assert_cmpuint (offset, ==, 251);

  a = lt_rand (DIMS (500), LT_DTYPE_FLOAT64, &error);
  lt_random_get_state (&seed2, &offset2);
  g_assert_cmpuint (offset2, ==, 251 + 250);
  lt_random_set_state (seed, offset);
  b = lt_rand (DIMS (500), LT_DTYPE_FLOAT64, &error);
  c = lt_rand (DIMS (500), LT_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  ba = lt_tensor_to_bytes (a, &error);
  bb = lt_tensor_to_bytes (b, &error);
  bc = lt_tensor_to_bytes (c, &error);
  g_assert_true (g_bytes_equal (ba, bb));
  g_assert_false (g_bytes_equal (ba, bc));
}

static void
moments (LtTensor *t,
         double   *mean,
         double   *sd)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = NULL;
  gsize n;
  double s = 0, s2 = 0;

  v = lt_tensor_to_doubles (t, &n, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    s += v[i];
  *mean = s / n;
  for (gsize i = 0; i < n; i++)
    s2 += (v[i] - *mean) * (v[i] - *mean);
  *sd = sqrt (s2 / (n - 1));
}

static void
test_random_statistics (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 n = 200000;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) z64 = NULL;
  double mean, sd;

  lt_manual_seed (12345);
  u = lt_rand (&n, 1, LT_DTYPE_FLOAT32, &error);
  z = lt_randn (&n, 1, LT_DTYPE_FLOAT32, &error);
  z64 = lt_randn (&n, 1, LT_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);

  /* U(0, 1): mean 1/2, sd 1/sqrt(12); the mean's own sd is 0.00065 */
  moments (u, &mean, &sd);
  g_assert_cmpfloat_with_epsilon (mean, 0.5, 0.005);
  g_assert_cmpfloat_with_epsilon (sd, 1 / sqrt (12), 0.005);
  /* N(0, 1): the mean's sd is 0.0022 */
  moments (z, &mean, &sd);
  g_assert_cmpfloat_with_epsilon (mean, 0, 0.015);
  g_assert_cmpfloat_with_epsilon (sd, 1, 0.015);
  moments (z64, &mean, &sd);
  g_assert_cmpfloat_with_epsilon (mean, 0, 0.015);
  g_assert_cmpfloat_with_epsilon (sd, 1, 0.015);

  /* about 68.3% within one sd, 95.4% within two */
  {
    g_autofree double *v = NULL;
    gsize m, in1 = 0, in2 = 0;

    v = lt_tensor_to_doubles (z, &m, &error);
    for (gsize i = 0; i < m; i++)
      {
        in1 += fabs (v[i]) < 1;
        in2 += fabs (v[i]) < 2;
      }
    g_assert_cmpfloat_with_epsilon ((double) in1 / m, 0.6827, 0.01);
    g_assert_cmpfloat_with_epsilon ((double) in2 / m, 0.9545, 0.005);
  }
}

/* lt_tensor_get_bytes(): the tensor's memory, shared, kept alive by the
 * bytes; a copy's is not. */
static void
test_get_bytes (void)
{
  static const gint64 shape[] = { 2, 3 };
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_arange (0, 6, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) view = NULL;
  g_autoptr(LtTensor) row = NULL;
  g_autoptr(LtTensor) transposed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) row_bytes = NULL;
  g_autoptr(GBytes) none = NULL;
  const float *data;
  gsize size;

  g_assert_no_error (error);
  bytes = lt_tensor_get_bytes (t, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, 6 * sizeof (float));
  g_assert_true (data == (const float *) lt_tensor_get_data_ptr (t));
  g_assert_cmpfloat (data[5], ==, 5);
  g_assert_true (lt_tensor_add_scalar_ (t, 10, &error));
  g_assert_cmpfloat (data[5], ==, 15);                  /* shared, not copied */

  /* a contiguous view: its own elements only */
  view = lt_tensor_view (t, shape, 2, &error);
  g_assert_no_error (error);
  row = lt_tensor_select (view, 0, 1, &error);
  g_assert_no_error (error);
  row_bytes = lt_tensor_get_bytes (row, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (row_bytes), ==, 3 * sizeof (float));
  g_assert_cmpfloat (((const float *) g_bytes_get_data (row_bytes, NULL))[0], ==, 13);

  /* not contiguous: an error that says so */
  transposed = lt_tensor_t (view, &error);
  g_assert_no_error (error);
  none = lt_tensor_get_bytes (transposed, &error);
  g_assert_null (none);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not contiguous"));
  g_clear_error (&error);

  /* the bytes keep the memory alive after the tensors are gone */
  g_clear_object (&row);
  g_clear_object (&view);
  g_clear_object (&transposed);
  g_assert_finalize_object (t);
  g_assert_cmpfloat (data[0], ==, 10);
  g_assert_cmpfloat (data[5], ==, 15);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("LtTensor: creation, metadata, random numbers");

  g_test_add_func ("/tensor/create/empty", test_create_empty);
  g_test_add_func ("/tensor/create/filled", test_create_filled);
  g_test_add_func ("/tensor/create/rand", test_create_rand);
  g_test_add_func ("/tensor/create/randint", test_create_randint);
  g_test_add_func ("/tensor/create/ranges", test_create_ranges);
  g_test_add_func ("/tensor/create/from-host", test_create_from_host);
  g_test_add_func ("/tensor/create/wrap", test_create_wrap);
  g_test_add_func ("/tensor/create/wrap-owned", test_create_wrap_owned);
  g_test_add_func ("/tensor/create/get-bytes", test_get_bytes);
  g_test_add_func ("/tensor/create/like", test_create_like);
  g_test_add_func ("/tensor/create/clone", test_create_clone);
  g_test_add_func ("/tensor/properties/get", test_properties);
  g_test_add_func ("/tensor/properties/notify", test_properties_notify);
  g_test_add_func ("/tensor/random/philox-kat", test_philox_known_answers);
  g_test_add_func ("/tensor/random/stream-layout", test_philox_stream_layout);
  g_test_add_func ("/tensor/random/threads", test_philox_threads);
  g_test_add_func ("/tensor/random/state", test_philox_state);
  g_test_add_func ("/tensor/random/statistics", test_random_statistics);
  return g_test_run ();
}
