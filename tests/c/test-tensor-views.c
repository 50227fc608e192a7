/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LtTensor: views, dtype conversion and promotion, in-place ops and
 * version counters (test-tensor.c has creation, properties and the Philox
 * generator). Expected values come from the mathematics of each function
 * or from what PyTorch 1.13 does for the same call.
 */
#include "test-helpers.h"

/* Views */

static void
test_view_select (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = iota (DIMS (3, 4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) col = lt_tensor_select (base, 1, 2, &error);
  g_autoptr(LtTensor) row = lt_tensor_select (base, 0, -1, &error);
  g_autoptr(LtTensor) elem = lt_tensor_select (row, 0, 1, &error);

  g_assert_no_error (error);
  g_assert_true (lt_tensor_shares_storage (col, base));
  assert_shape (col, DIMS (3));
  assert_strides (col, DIMS (4));
  g_assert_cmpint (lt_tensor_get_storage_offset (col), ==, 2);
  g_assert_false (lt_tensor_is_contiguous (col));
  assert_values (col, VALS (2, 6, 10));
  assert_values (row, VALS (8, 9, 10, 11));
  g_assert_cmpint (lt_tensor_get_storage_offset (row), ==, 8);
  g_assert_cmpuint (lt_tensor_get_n_dims (elem), ==, 0);
  g_assert_cmpfloat (item (elem), ==, 9);

  /* writing through the view changes the base */
  g_assert_true (lt_tensor_fill_ (col, -1, &error));
  g_assert_no_error (error);
  assert_values (base, VALS (0, 1, -1, 3, 4, 5, -1, 7, 8, 9, -1, 11));
  /* and the base's version, which views share */
  g_assert_cmpuint (lt_tensor_get_version (base), ==, 1);
  g_assert_cmpuint (lt_tensor_get_version (row), ==, 1);
}

static void
test_view_narrow_slice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = iota (DIMS (4, 5), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) rows = lt_tensor_narrow (base, 0, 1, 2, &error);
  g_autoptr(LtTensor) every2 = lt_tensor_slice (base, 1, 0, 5, 2, &error);
  g_autoptr(LtTensor) tail = lt_tensor_slice (base, 1, 3, G_MAXINT64, 1, &error);
  g_autoptr(LtTensor) neg = lt_tensor_slice (base, 0, -2, 4, 1, &error);

  g_assert_no_error (error);
  assert_shape (rows, DIMS (2, 5));
  g_assert_cmpint (lt_tensor_get_storage_offset (rows), ==, 5);
  assert_values (rows, VALS (5, 6, 7, 8, 9, 10, 11, 12, 13, 14));

  /* x[:, 0:5:2] */
  assert_shape (every2, DIMS (4, 3));
  assert_strides (every2, DIMS (5, 2));
  assert_values (every2, VALS (0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19));
  /* x[:, 3:] */
  assert_shape (tail, DIMS (4, 2));
  assert_values (tail, VALS (3, 4, 8, 9, 13, 14, 18, 19));
  /* x[-2:4] */
  assert_shape (neg, DIMS (2, 5));
  assert_values (neg, VALS (10, 11, 12, 13, 14, 15, 16, 17, 18, 19));

  g_assert_true (lt_tensor_shares_storage (rows, base));
  g_assert_true (lt_tensor_shares_storage (every2, base));
  g_assert_true (lt_tensor_mul_scalar_ (every2, -1, &error));
  g_assert_no_error (error);
  assert_values (base, VALS (-0., 1, -2, 3, -4, -5, 6, -7, 8, -9, -10, 11, -12, 13, -14,
                             -15, 16, -17, 18, -19));
  g_assert_true (lt_tensor_zero_ (rows, &error));
  assert_values (base, VALS (-0., 1, -2, 3, -4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             -15, 16, -17, 18, -19));
}

static void
test_view_transpose_permute (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = iota (DIMS (2, 3, 4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) tr = lt_tensor_transpose (base, 0, 2, &error);
  g_autoptr(LtTensor) pm = lt_tensor_permute (base, (const gint[]) { 1, 2, 0 }, 3, &error);
  g_autoptr(LtTensor) m = iota (DIMS (2, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) mt = lt_tensor_t (m, &error);
  g_autofree double *v = NULL;
  gsize n;

  g_assert_no_error (error);
  assert_shape (tr, DIMS (4, 3, 2));
  assert_strides (tr, DIMS (1, 4, 12));
  assert_shape (pm, DIMS (3, 4, 2));
  assert_strides (pm, DIMS (4, 1, 12));
  g_assert_true (lt_tensor_shares_storage (pm, base));
  /* pm[i][j][k] = base[k][i][j] = 12k + 4i + j */
  v = lt_tensor_to_doubles (pm, &n, &error);
  for (gint i = 0; i < 3; i++)
    for (gint j = 0; j < 4; j++)
      for (gint k = 0; k < 2; k++)
        g_assert_cmpfloat (v[(i * 4 + j) * 2 + k], ==, 12 * k + 4 * i + j);

  assert_shape (mt, DIMS (3, 2));
  assert_values (mt, VALS (0, 3, 1, 4, 2, 5));
  g_assert_true (lt_tensor_shares_storage (mt, m));
  /* pm[2] is base[:, 2, :]: 8..11 and 20..23 become negative */
  {
    g_autoptr(LtTensor) p2 = lt_tensor_select (pm, 0, 2, &error);

    g_assert_true (lt_tensor_neg_ (p2, &error));
    g_assert_no_error (error);
    g_clear_pointer (&v, g_free);
    v = lt_tensor_to_doubles (base, &n, &error);
    for (gsize k = 0; k < n; k++)
      g_assert_cmpfloat (v[k], ==, ((k / 4) % 3 == 2) ? -(double) k : (double) k);
  }
  /* base[1][2][3] through the transposed view: tr[3][2][1] */
  {
    g_autoptr(LtTensor) a = lt_tensor_select (tr, 0, 3, &error);
    g_autoptr(LtTensor) b = lt_tensor_select (a, 0, 2, &error);
    g_autoptr(LtTensor) c = lt_tensor_select (b, 0, 1, &error);

    g_assert_true (lt_tensor_fill_ (c, 100, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(LtTensor) a = lt_tensor_select (base, 0, 1, &error);
    g_autoptr(LtTensor) b = lt_tensor_select (a, 0, 2, &error);
    g_autoptr(LtTensor) c = lt_tensor_select (b, 0, 3, &error);

    g_assert_cmpfloat (item (c), ==, 100);
  }

  /* t_ transposes in place: metadata only */
  g_assert_true (lt_tensor_t_ (m, &error));
  g_assert_no_error (error);
  assert_shape (m, DIMS (3, 2));
  assert_strides (m, DIMS (1, 3));
  assert_values (m, VALS (0, 3, 1, 4, 2, 5));
}

static void
test_view_expand_unsqueeze (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) v = tensor_of (VALS (1, 2, 3), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) u0 = lt_tensor_unsqueeze (v, 0, &error);
  g_autoptr(LtTensor) u1 = lt_tensor_unsqueeze (v, -1, &error);
  g_autoptr(LtTensor) ex = lt_tensor_expand (u0, DIMS (2, 3), &error);
  g_autoptr(LtTensor) ex1 = lt_tensor_expand (u1, DIMS (3, -1), &error);
  g_autoptr(LtTensor) ex2 = lt_tensor_expand (u1, DIMS (3, 4), &error);
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) sd = NULL;
  g_autoptr(LtTensor) sd_keep = NULL;
  g_autoptr(LtTensor) ones = lt_zeros (DIMS (1, 3, 1, 2), LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  assert_shape (u0, DIMS (1, 3));
  assert_shape (u1, DIMS (3, 1));
  assert_shape (ex, DIMS (2, 3));
  assert_strides (ex, DIMS (0, 1));
  assert_values (ex, VALS (1, 2, 3, 1, 2, 3));
  assert_shape (ex1, DIMS (3, 1));
  assert_shape (ex2, DIMS (3, 4));
  assert_values (ex2, VALS (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
  g_assert_true (lt_tensor_shares_storage (ex2, v));

  /* a write to the base shows in every expanded position */
  g_assert_true (lt_tensor_mul_scalar_ (v, 10, &error));
  assert_values (ex, VALS (10, 20, 30, 10, 20, 30));
  assert_values (u1, VALS (10, 20, 30));
  /* and a write through an unsqueezed view shows in the base */
  {
    g_autoptr(LtTensor) row = lt_tensor_select (u1, 0, 2, &error);

    g_assert_true (lt_tensor_fill_ (row, -7, &error));
    g_assert_no_error (error);
    assert_values (v, VALS (10, 20, -7));
    assert_values (ex, VALS (10, 20, -7, 10, 20, -7));
  }

  s = lt_tensor_squeeze (ones, &error);
  sd = lt_tensor_squeeze_dim (ones, 2, &error);
  sd_keep = lt_tensor_squeeze_dim (ones, 1, &error);
  g_assert_no_error (error);
  assert_shape (s, DIMS (3, 2));
  assert_shape (sd, DIMS (1, 3, 2));
  assert_shape (sd_keep, DIMS (1, 3, 1, 2));
  g_assert_true (lt_tensor_shares_storage (s, ones));
  g_assert_true (lt_tensor_fill_ (s, 4, &error));
  assert_values (ones, VALS (4, 4, 4, 4, 4, 4));
}

static void
test_view_reshape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = iota (DIMS (2, 6), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) v = lt_tensor_view (base, DIMS (3, -1), &error);
  g_autoptr(LtTensor) f = lt_tensor_flatten (v, 0, -1, &error);
  g_autoptr(LtTensor) t = lt_tensor_t (base, &error);
  g_autoptr(LtTensor) bad = NULL;
  g_autoptr(LtTensor) r = NULL;
  g_autoptr(LtTensor) rv = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(LtTensor) col = NULL;
  g_autoptr(LtTensor) colv = NULL;

  g_assert_no_error (error);
  assert_shape (v, DIMS (3, 4));
  g_assert_true (lt_tensor_shares_storage (v, base));
  assert_shape (f, DIMS (12));
  g_assert_true (lt_tensor_shares_storage (f, base));

  /* writing through the view changes the base */
  {
    g_autoptr(LtTensor) e = lt_tensor_select (v, 0, 2, &error);
    g_assert_true (lt_tensor_fill_ (e, 0, &error));
    assert_values (base, VALS (0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0));
  }

  /* a transposed tensor cannot be viewed flat without a copy */
  bad = lt_tensor_view (t, DIMS (12), &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "view"));
  g_assert_nonnull (strstr (error->message, "[6, 2]"));
  g_clear_error (&error);

  /* reshape copies instead */
  r = lt_tensor_reshape (t, DIMS (12), &error);
  g_assert_no_error (error);
  g_assert_false (lt_tensor_shares_storage (r, base));
  assert_values (r, VALS (0, 6, 1, 7, 2, 0, 3, 0, 4, 0, 5, 0));
  /* and views when it can */
  rv = lt_tensor_reshape (base, DIMS (4, 3), &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_shares_storage (rv, base));

  /* contiguous() of a transposed tensor copies into row-major order */
  c = lt_tensor_contiguous (t, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_is_contiguous (c));
  g_assert_false (lt_tensor_shares_storage (c, base));
  assert_values (c, VALS (0, 6, 1, 7, 2, 0, 3, 0, 4, 0, 5, 0));

  /* a column (stride 6, size 1 in the other dim) can still be viewed */
  col = lt_tensor_narrow (base, 1, 1, 1, &error);
  colv = lt_tensor_view (col, DIMS (2), &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_shares_storage (colv, base));
  assert_values (colv, VALS (1, 7));

  /* the number of elements must match */
  g_clear_object (&bad);
  bad = lt_tensor_view (base, DIMS (5, -1), &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
}

/* dtype conversion and promotion */

static void
test_dtype_conversion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) f = tensor_of (VALS (2.7, -2.7, 0.5, 0), DIMS (4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) i = lt_tensor_to_dtype (f, LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) b = lt_tensor_to_dtype (f, LT_DTYPE_BOOL, &error);
  g_autoptr(LtTensor) d = lt_tensor_to_dtype (f, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) neg = tensor_of (VALS (-1, 256), DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) u8 = lt_tensor_to_dtype (neg, LT_DTYPE_UINT8, &error);
  g_autoptr(LtTensor) bools = tensor_of (VALS (1, 0, 1), DIMS (3), LT_DTYPE_BOOL);
  g_autoptr(LtTensor) bf = lt_tensor_to_dtype (bools, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) ints = tensor_of (VALS (1, 0, 3), DIMS (3), LT_DTYPE_INT64);
  g_autoptr(LtTensor) ib = lt_tensor_to_dtype (ints, LT_DTYPE_BOOL, &error);
  g_autoptr(LtTensor) pi64 = tensor_of (VALS (G_PI), DIMS (1), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) pi32 = lt_tensor_to_dtype (pi64, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) fti = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (i), ==, LT_DTYPE_INT64);
  /* truncation toward zero: torch.tensor([2.7, -2.7, 0.5, 0]).long() */
  assert_values (i, VALS (2, -2, 0, 0));
  assert_values (b, VALS (1, 1, 1, 0));
  assert_values_tol (d, VALS (2.7, -2.7, 0.5, 0), 1e-6);
  /* torch.tensor([-1., 256.]).to(torch.uint8) wraps: [255, 0] */
  assert_values (u8, VALS (255, 0));
  assert_values (bf, VALS (1, 0, 1));
  assert_values (ib, VALS (1, 0, 1));
  g_assert_cmpint (lt_tensor_get_dtype (ib), ==, LT_DTYPE_BOOL);
  /* float64 -> float32 rounds to the nearest float */
  assert_values_tol (pi32, VALS ((double) (float) G_PI), 0);

  /* conversion of a non-contiguous tensor keeps the logical order */
  {
    g_autoptr(LtTensor) m = lt_tensor_view (f, DIMS (2, 2), &error);
    g_autoptr(LtTensor) mt = lt_tensor_t (m, &error);

    fti = lt_tensor_to_dtype (mt, LT_DTYPE_INT32, &error);
    g_assert_no_error (error);
    assert_values (fti, VALS (2, 0, -2, 0));
  }
}

static const LtDType all_dtypes[LT_N_DTYPES] = {
  LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64, LT_DTYPE_INT64, LT_DTYPE_INT32,
  LT_DTYPE_INT16, LT_DTYPE_INT8, LT_DTYPE_UINT8, LT_DTYPE_BOOL,
};

static void
test_dtype_promote_table (void)
{
#define F32 LT_DTYPE_FLOAT32
#define F64 LT_DTYPE_FLOAT64
#define I64 LT_DTYPE_INT64
#define I32 LT_DTYPE_INT32
#define I16 LT_DTYPE_INT16
#define I8 LT_DTYPE_INT8
#define U8 LT_DTYPE_UINT8
#define B LT_DTYPE_BOOL
  /* torch.promote_types(a, b) for a, b in (float32, float64, int64, int32,
   * int16, int8, uint8, bool), from PyTorch 1.13 */
  static const LtDType table[LT_N_DTYPES][LT_N_DTYPES] = {
    { F32, F64, F32, F32, F32, F32, F32, F32 },
    { F64, F64, F64, F64, F64, F64, F64, F64 },
    { F32, F64, I64, I64, I64, I64, I64, I64 },
    { F32, F64, I64, I32, I32, I32, I32, I32 },
    { F32, F64, I64, I32, I16, I16, I16, I16 },
    { F32, F64, I64, I32, I16, I8, I16, I8 },
    { F32, F64, I64, I32, I16, I16, U8, U8 },
    { F32, F64, I64, I32, I16, I8, U8, B },
  };
#undef F32
#undef F64
#undef I64
#undef I32
#undef I16
#undef I8
#undef U8
#undef B

  for (guint a = 0; a < LT_N_DTYPES; a++)
    for (guint b = 0; b < LT_N_DTYPES; b++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(LtTensor) ta = lt_ones (DIMS (2), all_dtypes[a], &error);
        g_autoptr(LtTensor) tb = lt_ones (DIMS (2), all_dtypes[b], &error);
        g_autoptr(LtTensor) sum = NULL;
        g_autoptr(LtTensor) prod = NULL;

        g_assert_cmpint (lt_dtype_promote (all_dtypes[a], all_dtypes[b]), ==, table[a][b]);
        /* and the ops follow the table (bool + bool stays bool) */
        sum = lt_tensor_add (ta, tb, &error);
        g_assert_no_error (error);
        g_assert_cmpint (lt_tensor_get_dtype (sum), ==, table[a][b]);
        prod = lt_tensor_mul (ta, tb, &error);
        g_assert_no_error (error);
        g_assert_cmpint (lt_tensor_get_dtype (prod), ==, table[a][b]);
      }
}

static LtDType
add_dtype (LtTensor *a,
           LtTensor *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = lt_tensor_add (a, b, &error);

  g_assert_no_error (error);
  return lt_tensor_get_dtype (r);
}

static void
test_dtype_promote_scalars (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) u8 = lt_ones (DIMS (3), LT_DTYPE_UINT8, &error);
  g_autoptr(LtTensor) i8 = lt_ones (DIMS (3), LT_DTYPE_INT8, &error);
  g_autoptr(LtTensor) i32 = lt_ones (DIMS (3), LT_DTYPE_INT32, &error);
  g_autoptr(LtTensor) f32 = lt_ones (DIMS (3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) f64 = lt_ones (DIMS (3), LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) bo = lt_ones (DIMS (3), LT_DTYPE_BOOL, &error);
  g_autoptr(LtTensor) i64 = lt_ones (DIMS (3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) s_float = lt_scalar (2.5);
  g_autoptr(LtTensor) s_int = lt_scalar_int (2);
  g_autoptr(LtTensor) zd_f64 = lt_scalar_tensor (1, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) zd_f32 = lt_scalar_tensor (1, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) zd_i64 = lt_scalar_tensor (1, LT_DTYPE_INT64);
  g_autoptr(LtTensor) zd_i32 = lt_scalar_tensor (1, LT_DTYPE_INT32);
  g_autoptr(LtTensor) r = NULL;

  g_assert_no_error (error);
  /* the torch results for the same expressions */
  g_assert_cmpint (add_dtype (u8, i8), ==, LT_DTYPE_INT16);
  g_assert_cmpint (add_dtype (i32, s_float), ==, LT_DTYPE_FLOAT32);     /* int32 + 2.5 */
  g_assert_cmpint (add_dtype (i32, s_int), ==, LT_DTYPE_INT32);         /* int32 + 2 */
  g_assert_cmpint (add_dtype (f32, zd_f64), ==, LT_DTYPE_FLOAT32);
  g_assert_cmpint (add_dtype (bo, bo), ==, LT_DTYPE_BOOL);
  g_assert_cmpint (add_dtype (i32, zd_f64), ==, LT_DTYPE_FLOAT64);     /* higher category wins */
  g_assert_cmpint (add_dtype (u8, zd_i64), ==, LT_DTYPE_UINT8);
  g_assert_cmpint (add_dtype (bo, s_int), ==, LT_DTYPE_INT64);          /* bool + 2 */
  g_assert_cmpint (add_dtype (bo, s_float), ==, LT_DTYPE_FLOAT32);      /* bool + 2.5 */
  g_assert_cmpint (add_dtype (f64, s_float), ==, LT_DTYPE_FLOAT64);
  g_assert_cmpint (add_dtype (i8, zd_f32), ==, LT_DTYPE_FLOAT32);
  g_assert_cmpint (add_dtype (zd_i32, zd_f64), ==, LT_DTYPE_FLOAT64);  /* both 0-dim */
  g_assert_cmpint (add_dtype (s_int, i64), ==, LT_DTYPE_INT64);
  g_assert_cmpint (add_dtype (s_float, u8), ==, LT_DTYPE_FLOAT32);      /* 2.5 + uint8 */

  /* the _scalar forms promote as a Python float */
  r = lt_tensor_add_scalar (i32, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_FLOAT32);
  assert_values (r, VALS (3, 3, 3));
  g_clear_object (&r);

  /* int32 + 2 computes in int32 */
  r = lt_tensor_add (i32, s_int, &error);
  assert_values (r, VALS (3, 3, 3));
  g_clear_object (&r);

  /* true division of integers gives float32; comparisons give bool */
  r = lt_tensor_div (i64, i64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_FLOAT32);
  g_clear_object (&r);
  r = lt_tensor_lt_scalar (i32, 2.5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_BOOL);
  assert_values (r, VALS (1, 1, 1));
  g_clear_object (&r);

  /* uint8 arithmetic wraps as torch's: 1 - 2 = 255 */
  {
    g_autoptr(LtTensor) two = lt_full (DIMS (3), 2, LT_DTYPE_UINT8, &error);

    r = lt_tensor_sub (u8, two, &error);
    g_assert_no_error (error);
    g_assert_cmpint (lt_tensor_get_dtype (r), ==, LT_DTYPE_UINT8);
    assert_values (r, VALS (255, 255, 255));
  }
}

/* In-place ops and versions */

static void
test_inplace_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = tensor_of (VALS (1, 2, 3, 4), DIMS (2, 2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = tensor_of (VALS (10, 20), DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) row = lt_tensor_select (x, 0, 1, &error);
  g_autoptr(LtTensor) src = tensor_of (VALS (7, 8, 9, 10), DIMS (2, 2), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) i = lt_ones (DIMS (2), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) r = NULL;
  guint v0;

  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 0);

  /* y broadcasts over the rows */
  g_assert_true (lt_tensor_add_ (x, y, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (11, 22, 13, 24));
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 1);
  /* y was only read */
  g_assert_cmpuint (lt_tensor_get_version (y), ==, 0);

  g_assert_true (lt_tensor_sub_scalar_ (x, 1, &error));
  g_assert_true (lt_tensor_div_scalar_ (x, 2, &error));
  g_assert_true (lt_tensor_pow_scalar_ (x, 2, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (25, 110.25, 36, 132.25));
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 4);

  /* through a view: same counter */
  g_assert_true (lt_tensor_neg_ (row, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (25, 110.25, -36, -132.25));
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 5);
  g_assert_cmpuint (lt_tensor_get_version (row), ==, 5);

  /* copy_ converts and bumps; fill_, zero_, clamp_ too */
  g_assert_true (lt_tensor_copy_ (x, src, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (7, 8, 9, 10));
  g_assert_true (lt_tensor_clamp_ (x, 7.5, 9.5, &error));
  assert_values (x, VALS (7.5, 8, 9, 9.5));
  g_assert_true (lt_tensor_fill_ (row, 1, &error));
  g_assert_true (lt_tensor_zero_ (x, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (0, 0, 0, 0));
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 9);

  /* out-of-place ops leave the version alone */
  v0 = lt_tensor_get_version (x);
  r = lt_tensor_add (x, y, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_version (x), ==, v0);
  g_assert_cmpuint (lt_tensor_get_version (r), ==, 0);

  /* an int tensor cannot hold a float result in place (torch: "result type
   * Float can't be cast to the desired output type Long"): nothing changes */
  g_assert_false (lt_tensor_add_scalar_ (i, 0.5, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  assert_values (i, VALS (1, 1));
  g_assert_cmpuint (lt_tensor_get_version (i), ==, 0);
  /* so is i.mul_(3.0); with a Python-int 3 it works */
  g_assert_false (lt_tensor_mul_scalar_ (i, 3, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  g_assert_cmpuint (lt_tensor_get_version (i), ==, 0);
  {
    g_autoptr(LtTensor) three = lt_scalar_int (3);

    g_assert_true (lt_tensor_mul_ (i, three, &error));
    g_assert_no_error (error);
  }
  assert_values (i, VALS (3, 3));
  g_assert_cmpuint (lt_tensor_get_version (i), ==, 1);
}

static void
test_inplace_add_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = tensor_of (VALS (1, 2, 3), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = tensor_of (VALS (0.5, 0.25, 0.125), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) out = lt_zeros (DIMS (3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) out64 = lt_zeros (DIMS (3), LT_DTYPE_FLOAT64, &error);

  g_assert_true (lt_tensor_add_out (x, y, out, &error));
  g_assert_no_error (error);
  assert_values (out, VALS (1.5, 2.25, 3.125));
  g_assert_cmpuint (lt_tensor_get_version (out), ==, 1);
  /* a float32 result stored into float64 is a safe cast */
  g_assert_true (lt_tensor_add_out (x, y, out64, &error));
  g_assert_no_error (error);
  assert_values (out64, VALS (1.5, 2.25, 3.125));

  /* x + alpha * y */
  {
    g_autoptr(LtTensor) r = lt_tensor_add_scaled (x, y, -4, &error);
    g_assert_no_error (error);
    assert_values (r, VALS (-1, 1, 2.5));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("LtTensor: views, dtypes, in-place ops");

  g_test_add_func ("/tensor/view/select", test_view_select);
  g_test_add_func ("/tensor/view/narrow-slice", test_view_narrow_slice);
  g_test_add_func ("/tensor/view/transpose-permute", test_view_transpose_permute);
  g_test_add_func ("/tensor/view/expand-unsqueeze", test_view_expand_unsqueeze);
  g_test_add_func ("/tensor/view/reshape", test_view_reshape);
  g_test_add_func ("/tensor/dtype/conversion", test_dtype_conversion);
  g_test_add_func ("/tensor/dtype/promote-table", test_dtype_promote_table);
  g_test_add_func ("/tensor/dtype/promote-scalars", test_dtype_promote_scalars);
  g_test_add_func ("/tensor/inplace/version", test_inplace_version);
  g_test_add_func ("/tensor/inplace/add-out", test_inplace_add_out);
  return g_test_run ();
}
