/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): fill, copy, the random
 * kernels (uniform, normal, randint, randperm), arange and linspace: ops
 * that internal code reaches through the creation functions.
 */

#include "ops-harness.h"

/* fill: lt_zeros, lt_ones, lt_full, lt_full_like, lt_eye, fill_ */

static void
fill_forward_values (gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (oh_all_dtypes); i++)
    {
      LtDType dt = oh_all_dtypes[i];
      g_autoptr(GError) error = NULL;
      OhShape s = OH_SH (3, 5);
      g_autoptr(LtTensor) z = lt_zeros (s.d, s.n, dt, &error);
      g_autoptr(LtTensor) o = lt_ones (s.d, s.n, dt, &error);
      g_autoptr(LtTensor) f = lt_full (s.d, s.n, 2.5, dt, &error);
      double rz[15], ro[15], rf[15];

      g_assert_no_error (error);
      for (guint k = 0; k < 15; k++)
        {
          rz[k] = 0;
          ro[k] = 1;
          /* float -> integer conversion truncates toward zero */
          rf[k] = oh_is_float (dt) ? 2.5 : (dt == BOOL ? 1 : 2);
        }
      oh_check (z, dt, s, rz);
      oh_check (o, dt, s, ro);
      oh_check (f, dt, s, rf);
      g_assert_cmpint (lt_tensor_is_contiguous (f), ==, TRUE);
    }
}

static void
fill_forward_shapes (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  OhShape s0 = OH_SH (0, 3);
  g_autoptr(LtTensor) e = lt_full (s0.d, s0.n, 4, F32, &error);
  g_autoptr(LtTensor) r = lt_full (NULL, 0, -7.25, F64, &error);
  g_auto(OhArr) like = oh_arr_new (OH_SH (4, 6), F64, OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) fl = lt_full_like (like.t, 3.5, &error);
  double ref[24], one = -7.25;
  gint64 bad[] = { 2, -3 };
  LtTensor *err;

  g_assert_no_error (error);
  oh_check (e, F32, s0, NULL);
  oh_check (r, F64, OH_SH0, &one);
  for (guint k = 0; k < 24; k++)
    ref[k] = 3.5;
  oh_check (fl, F64, OH_SH (4, 6), ref);
  g_assert_cmpint (lt_tensor_is_contiguous (fl), ==, TRUE);
  err = lt_full (bad, 2, 1, F32, &error);
  oh_check_error (err, error, LT_ERROR_SHAPE);
}

static void
fill_forward_parallel (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  OhShape s = OH_SH (OH_BIG);
  g_autoptr(LtTensor) f = lt_full (s.d, s.n, 7, F32, &error);
  g_autofree double *ref = g_new (double, OH_BIG);

  g_assert_no_error (error);
  for (gint64 k = 0; k < OH_BIG; k++)
    ref[k] = 7;
  oh_check (f, F32, s, ref);
}

static void
fill_forward_eye (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = lt_eye (3, 5, F32, &error);
  g_autoptr(LtTensor) b = lt_eye (4, -1, I64, &error);
  g_autoptr(LtTensor) c = lt_eye (0, 3, F32, &error);
  double ra[15], rb[16];

  g_assert_no_error (error);
  for (gint64 k = 0; k < 15; k++)
    ra[k] = k / 5 == k % 5;
  for (gint64 k = 0; k < 16; k++)
    rb[k] = k / 4 == k % 4;
  oh_check (a, F32, OH_SH (3, 5), ra);
  oh_check (b, I64, OH_SH (4, 4), rb);
  oh_check (c, F32, OH_SH (0, 3), NULL);
}

static const OhCase fill_forward[] = {
  { "dtypes", fill_forward_values },
  { "shapes", fill_forward_shapes },
  { "parallel", fill_forward_parallel },
  { "eye", fill_forward_eye },
  { NULL, NULL }
};

/* copy: contiguous(), clone's kernel, to_dtype() */

static void
copy_contiguous_one (OhShape s, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) c = lt_tensor_contiguous (x.t, &error);

  g_assert_no_error (error);
  oh_check (c, dt, s, x.v);
  g_assert_cmpint (lt_tensor_is_contiguous (c), ==, TRUE);
  if (lt_tensor_is_contiguous (x.t))
    g_assert_cmphex (GPOINTER_TO_SIZE (c), ==, GPOINTER_TO_SIZE (x.t));
  else
    g_assert_cmpint (lt_tensor_shares_storage (c, x.t), ==, FALSE);
}

static void
copy_forward_layouts (gconstpointer data)
{
  copy_contiguous_one (OH_SH (5, 7), F32, OH_LAY_T);
  copy_contiguous_one (OH_SH (4, 7), F32, OH_LAY_STEP);
  copy_contiguous_one (OH_SH (5, 3), F32, OH_LAY_EXPAND);
  copy_contiguous_one (OH_SH (5, 3), F32, OH_LAY_PAD);
  copy_contiguous_one (OH_SH (2, 5, 3), F64, OH_LAY_TPAD);
  copy_contiguous_one (OH_SH (3, 4, 5), F64, OH_LAY_T);
  copy_contiguous_one (OH_SH (13), I64, OH_LAY_STEP);
  copy_contiguous_one (OH_SH (6, 2), U8, OH_LAY_T);
  copy_contiguous_one (OH_SH (6, 2), BOOL, OH_LAY_T);
  copy_contiguous_one (OH_SH (2, 3), I16, OH_LAY_CONTIG);
  copy_contiguous_one (OH_SH (0, 3), F32, OH_LAY_T);
  copy_contiguous_one (OH_SH0, F32, OH_LAY_T);
}

static void
copy_forward_parallel (gconstpointer data)
{
  copy_contiguous_one (OH_SH (263, 267), F32, OH_LAY_T);
  copy_contiguous_one (OH_SH (3, 97, 71), F64, OH_LAY_TPAD);
  copy_contiguous_one (OH_SH (OH_BIG), F64, OH_LAY_STEP);
}

static void
copy_forward_dtypes (gconstpointer data)
{
  /* Values every dtype holds (after truncation for the integer ones). */
  static const double vals[] = { 0, 1, 2.75, 100, 7.5, 0.25, 42, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (oh_all_dtypes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (oh_all_dtypes); j++)
      {
        LtDType from = oh_all_dtypes[i], to = oh_all_dtypes[j];
        g_autoptr(GError) error = NULL;
        double src[8], ref[8];
        g_auto(OhArr) x = { NULL };
        g_autoptr(LtTensor) y = NULL;

        for (guint k = 0; k < 8; k++)
          src[k] = oh_convert (vals[k], from);
        x = oh_arr_from (src, OH_SH (2, 4), from, OH_LAY_T);
        y = lt_tensor_to_dtype (x.t, to, &error);
        g_assert_no_error (error);
        for (guint k = 0; k < 8; k++)
          ref[k] = oh_convert (x.v[k], to);
        oh_check (y, to, OH_SH (2, 4), ref);
        if (from == to)
          g_assert_cmphex (GPOINTER_TO_SIZE (y), ==, GPOINTER_TO_SIZE (x.t));
      }
}

static void
copy_forward_wrap (gconstpointer data)
{
  /* Out-of-range conversions as PyTorch gives them. */
  static const double src[] = { 300, -1, 256, -2.7, 1.5 };
  static const double to_u8[] = { 44, 255, 0, 254, 1 };
  static const double to_i8[] = { 44, -1, 0, -2, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_from (src, OH_SH (5), F64, OH_LAY_CONTIG);
  g_auto(OhArr) b = oh_arr_from (src, OH_SH (4), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) bu = lt_tensor_to_dtype (b.t, U8, &error);
  g_autoptr(LtTensor) bi = lt_tensor_to_dtype (b.t, I8, &error);
  g_autoptr(LtTensor) ai = lt_tensor_to_dtype (a.t, I64, &error);
  double ref_ai[] = { 300, -1, 256, -2, 1 };

  g_assert_no_error (error);
  oh_check (bu, U8, OH_SH (4), to_u8);
  oh_check (bi, I8, OH_SH (4), to_i8);
  oh_check (ai, I64, OH_SH (5), ref_ai);
}

static const OhCase copy_forward[] = {
  { "layouts", copy_forward_layouts },
  { "parallel", copy_forward_parallel },
  { "dtypes", copy_forward_dtypes },
  { "wrap", copy_forward_wrap },
  { NULL, NULL }
};

/* The random kernels: statistics of lt_rand, lt_randn, lt_randint. */

static void
moments (LtTensor *t, double *mean, double *var, double *lo, double *hi)
{
  g_autofree double *v = oh_values_of (t);
  double m = 0, s = 0;

  *lo = INFINITY;
  *hi = -INFINITY;
  for (gint64 k = 0; k < t->numel; k++)
    {
      m += v[k];
      *lo = MIN (*lo, v[k]);
      *hi = MAX (*hi, v[k]);
    }
  m /= t->numel;
  for (gint64 k = 0; k < t->numel; k++)
    s += (v[k] - m) * (v[k] - m);
  *mean = m;
  *var = s / (t->numel - 1);
}

static void
uniform_forward_statistics (gconstpointer data)
{
  const LtDType dts[] = { F32, F64 };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      OhShape s = OH_SH (OH_BIG_REDUCE);
      g_autoptr(LtTensor) u = lt_rand (s.d, s.n, dts[i], &error);
      double mean, var, lo, hi, n = OH_BIG_REDUCE;

      g_assert_no_error (error);
      oh_assert_shape (u, s);
      g_assert_cmpint (u->dtype, ==, dts[i]);
      moments (u, &mean, &var, &lo, &hi);
      /* U(0, 1): mean 1/2, variance 1/12; 5 standard errors */
      g_assert_cmpfloat (fabs (mean - 0.5), <, 5 * sqrt (1.0 / 12 / n));
      g_assert_cmpfloat (fabs (var - 1.0 / 12), <, 5 * sqrt (1.0 / 180 / n));
      g_assert_cmpfloat (lo, >=, 0);
      g_assert_cmpfloat (lo, <, 1e-3);
      g_assert_cmpfloat (hi, <, 1);
      g_assert_cmpfloat (hi, >, 1 - 1e-3);
    }
}

static void
uniform_forward_seed (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  OhShape s = OH_SH (OH_BIG);
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(LtTensor) d = NULL;
  int threads = lt_get_num_threads ();

  lt_manual_seed (1234);
  a = lt_rand (s.d, s.n, F32, &error);
  b = lt_rand (s.d, s.n, F32, &error);
  /* the same stream on one thread as on several */
  lt_set_num_threads (1);
  lt_manual_seed (1234);
  c = lt_rand (s.d, s.n, F32, &error);
  lt_set_num_threads (threads);
  lt_manual_seed (99);
  d = lt_rand (s.d, s.n, F32, &error);
  g_assert_no_error (error);
  oh_assert_same_values (a, c, TRUE);
  oh_assert_same_values (a, b, FALSE);
  oh_assert_same_values (a, d, FALSE);
}

static void
uniform_forward_like (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 0), F64, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) y = oh_arr_new (OH_SH (4, 6), F64, OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) e = lt_rand_like (x.t, &error);
  g_autoptr(LtTensor) r = lt_rand_like (y.t, &error);
  g_autoptr(LtTensor) z = lt_rand (NULL, 0, F32, &error);
  g_autoptr(LtTensor) bad = NULL;
  OhShape s = OH_SH (3);

  g_assert_no_error (error);
  oh_check (e, F64, OH_SH (3, 0), NULL);
  oh_assert_shape (r, OH_SH (4, 6));
  g_assert_cmpint (lt_tensor_is_contiguous (r), ==, TRUE);
  oh_assert_shape (z, OH_SH0);
  bad = lt_rand (s.d, s.n, I64, &error);
  oh_check_error (bad, error, LT_ERROR_DTYPE);
}

static const OhCase uniform_forward[] = {
  { "statistics", uniform_forward_statistics },
  { "seed", uniform_forward_seed },
  { "like", uniform_forward_like },
  { NULL, NULL }
};

static void
normal_forward_statistics (gconstpointer data)
{
  const LtDType dts[] = { F32, F64 };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      OhShape s = OH_SH (OH_BIG_REDUCE);
      g_autoptr(LtTensor) z = lt_randn (s.d, s.n, dts[i], &error);
      g_autofree double *v = NULL;
      double mean, var, lo, hi, n = OH_BIG_REDUCE, within = 0;

      g_assert_no_error (error);
      oh_assert_shape (z, s);
      moments (z, &mean, &var, &lo, &hi);
      g_assert_cmpfloat (fabs (mean), <, 5 / sqrt (n));
      g_assert_cmpfloat (fabs (var - 1), <, 5 * sqrt (2 / n));
      g_assert_cmpfloat (lo, <, -3.5);
      g_assert_cmpfloat (hi, >, 3.5);
      v = oh_values_of (z);
      for (gint64 k = 0; k < z->numel; k++)
        within += fabs (v[k]) < 1;
      /* P(|Z| < 1) = erf(1 / sqrt 2) */
      g_assert_cmpfloat (fabs (within / n - erf (M_SQRT1_2)), <, 5 * sqrt (0.25 / n));
    }
}

static void
normal_forward_like (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) y = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_EXPAND, OH_DIST_UNIT);
  g_autoptr(LtTensor) r = lt_randn_like (y.t, &error);
  g_autoptr(LtTensor) bad = NULL;
  OhShape s = OH_SH (2);

  g_assert_no_error (error);
  oh_assert_shape (r, OH_SH (5, 3));
  g_assert_cmpint (r->strides[0], ==, 3);
  bad = lt_randn (s.d, s.n, U8, &error);
  oh_check_error (bad, error, LT_ERROR_DTYPE);
}

static const OhCase normal_forward[] = {
  { "statistics", normal_forward_statistics },
  { "like", normal_forward_like },
  { NULL, NULL }
};

static void
randint_one (gint64 low, gint64 high, LtDType dt, gint64 n)
{
  g_autoptr(GError) error = NULL;
  OhShape s = OH_SH (n);
  g_autoptr(LtTensor) r = lt_randint (low, high, s.d, s.n, dt, &error);
  g_autofree gint64 *v = NULL;
  g_autofree guint *hits = NULL;
  gsize nv;
  gint64 range = high - low;
  double mean = 0;

  g_assert_no_error (error);
  g_assert_cmpint (r->dtype, ==, dt);
  v = lt_tensor_to_int64s (r, &nv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nv, ==, n);
  if (range <= 1000)
    hits = g_new0 (guint, range);
  for (gsize k = 0; k < nv; k++)
    {
      g_assert_cmpint (v[k], >=, low);
      g_assert_cmpint (v[k], <, high);
      if (hits)
        hits[v[k] - low]++;
      mean += ((double) v[k] - low) / range;
    }
  for (gint64 i = 0; hits && i < range; i++)
    g_assert_cmpuint (hits[i], >, 0);
  mean /= n;
  g_assert_cmpfloat (fabs (mean - 0.5 + 0.5 / range), <, 5 * sqrt (1.0 / 12 / n));
}

static void
randint_forward_ranges (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  OhShape s = OH_SH (3);
  g_autoptr(LtTensor) bad = NULL;

  randint_one (0, 10, I64, 5001);
  randint_one (-7, 6, I32, 5001);
  randint_one (3, 200, U8, 20001);
  randint_one (-3, 4, F32, 999);
  randint_one (0, 2, BOOL, 99);
  /* above 2^32: 64 random bits per value */
  randint_one (-G_GINT64_CONSTANT (5000000000), G_GINT64_CONSTANT (9000000000), I64, 20001);
  bad = lt_randint (5, 5, s.d, s.n, I64, &error);
  oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static void
randint_forward_parallel (gconstpointer data)
{
  randint_one (-50, 50, I64, OH_BIG_REDUCE);
}

static const OhCase randint_forward[] = {
  { "ranges", randint_forward_ranges },
  { "parallel", randint_forward_parallel },
  { NULL, NULL }
};

/* arange and linspace */

static void
arange_one (double start, double end, double step, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_arange (start, end, step, dt, &error);
  gint64 n = (gint64) ceil ((end - start) / step);
  g_autofree double *ref = g_new0 (double, MAX (n, 1));

  g_assert_no_error (error);
  for (gint64 i = 0; i < n; i++)
    ref[i] = oh_is_float (dt) ? start + i * step : trunc (start) + i * trunc (step);
  oh_check (t, dt, OH_SH (n), ref);
}

static void
arange_forward_values (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *bad;

  arange_one (0, 10, 1, F32);
  arange_one (1, 2.5, 0.5, F32);
  arange_one (5, -1, -1.5, F64);
  arange_one (-3, 3, 1.5, I32);
  arange_one (0, 10, 3, I64);
  arange_one (3, 3, 1, F32);
  arange_one (0, OH_BIG, 1, F32);
  bad = lt_arange (0, 1, 0, F32, &error);
  oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_arange (0, 1, -1, F32, &error);
  oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase arange_forward[] = {
  { "values", arange_forward_values },
  { NULL, NULL }
};

static void
linspace_one (double start, double end, gint64 steps, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_linspace (start, end, steps, dt, &error);
  g_autofree double *ref = g_new0 (double, MAX (steps, 1));

  g_assert_no_error (error);
  for (gint64 i = 0; i < steps; i++)
    {
      double v = steps == 1 ? start : start + (end - start) * i / (double) (steps - 1);
      ref[i] = oh_is_float (dt) ? v : trunc (v);
    }
  oh_check (t, dt, OH_SH (steps), ref);
  /* both ends exact, as torch.linspace */
  if (steps > 0)
    g_assert_cmpfloat (oh_value_at (t, 0), ==, oh_wrap_to (oh_is_float (dt) ? start : trunc (start), dt));
  if (steps > 1)
    g_assert_cmpfloat (oh_value_at (t, steps - 1), ==,
                       oh_wrap_to (oh_is_float (dt) ? end : trunc (end), dt));
}

static void
linspace_forward_values (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *bad;

  linspace_one (0, 1, 5, F32);
  linspace_one (-1, 1, 7, F32);
  linspace_one (2, 3, 101, F64);
  linspace_one (0, 10, 5, I64);
  linspace_one (3, -4, 2, F32);
  linspace_one (2, 5, 1, F32);
  linspace_one (2, 5, 0, F32);
  bad = lt_linspace (0, 1, -1, F32, &error);
  oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase linspace_forward[] = {
  { "values", linspace_forward_values },
  { NULL, NULL }
};

/* randperm: lt_randperm (data/ shuffles with it) */

typedef struct
{
  guint64 key;
  gint64 index;
} RefPermKey;

static int
ref_perm_compare (const void *a, const void *b)
{
  const RefPermKey *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* The documented draw: index i takes the 64-bit key of lanes 2 (i % 2) and
 * 2 (i % 2) + 1 of Philox block offset + i / 2; indices sorted by key. */
static double *
ref_randperm (gint64 n, guint64 seed, guint64 offset)
{
  g_autofree RefPermKey *keys = g_new0 (RefPermKey, MAX (n, 1));
  double *ref = g_new0 (double, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    {
      LtPhilox4 r = _lt_philox4x32_10 (seed, offset + (guint64) i / 2);
      guint l = (guint) (i % 2);

      keys[i].key = ((guint64) r.v[2 * l] << 32) | r.v[2 * l + 1];
      keys[i].index = i;
    }
  qsort (keys, (gsize) n, sizeof (RefPermKey), ref_perm_compare);
  for (gint64 i = 0; i < n; i++)
    ref[i] = (double) keys[i].index;
  return ref;
}

static void
randperm_one (gint64 n, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) p = NULL;
  g_autofree double *ref = NULL;
  g_autofree gboolean *seen = g_new0 (gboolean, MAX (n, 1));
  g_autofree gint64 *v = NULL;
  guint64 seed, offset, after;
  gsize nv;

  lt_random_get_state (&seed, &offset);
  p = lt_randperm (n, dt, &error);
  g_assert_no_error (error);
  lt_random_get_state (NULL, &after);
  g_assert_cmpuint (after - offset, ==, (guint64) (n + 1) / 2);
  ref = ref_randperm (n, seed, offset);
  oh_check (p, dt, OH_SH (n), ref);
  v = lt_tensor_to_int64s (p, &nv, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < nv; i++)
    {
      g_assert_cmpint (v[i], >=, 0);
      g_assert_cmpint (v[i], <, n);
      g_assert_false (seen[v[i]]);
      seen[v[i]] = TRUE;
    }
}

static void
randperm_forward_values (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autofree gint64 *va = NULL;
  g_autofree gint64 *vb = NULL;
  gsize na, nb;
  LtTensor *bad;

  lt_manual_seed (7);
  randperm_one (0, I64);
  randperm_one (1, I64);
  randperm_one (10, I64);
  randperm_one (1001, I32);
  randperm_one (256, U8);
  randperm_one (128, I8);
  randperm_one (77, F32);
  randperm_one (333, F64);
  randperm_one (OH_BIG, I64);

  /* the same seed, the same permutation */
  lt_manual_seed (1234);
  a = lt_randperm (500, I64, &error);
  lt_manual_seed (1234);
  b = lt_randperm (500, I64, &error);
  g_assert_no_error (error);
  va = lt_tensor_to_int64s (a, &na, &error);
  vb = lt_tensor_to_int64s (b, &nb, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (va, na * sizeof (gint64), vb, nb * sizeof (gint64));

  bad = lt_randperm (-1, I64, &error);
  oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_randperm (257, U8, &error);
  oh_check_error (bad, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  bad = lt_randperm (3, BOOL, &error);
  oh_check_error (bad, error, LT_ERROR_DTYPE);
}

/* Every value lands at every position equally often: 6 positions, 12,000
 * draws, each count within 5 standard deviations of 2,000. */
static void
randperm_forward_uniform (gconstpointer data)
{
  guint counts[6][6] = { { 0 } };
  const guint draws = 12000;
  double expect = draws / 6.0, sd = sqrt (draws * (1 / 6.0) * (5 / 6.0));

  lt_manual_seed (99);
  for (guint d = 0; d < draws; d++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) p = lt_randperm (6, I64, &error);
      const gint64 *v;

      g_assert_no_error (error);
      v = (const gint64 *) lt_tensor_get_data_ptr (p);
      for (guint i = 0; i < 6; i++)
        counts[i][v[i]]++;
    }
  for (guint i = 0; i < 6; i++)
    for (guint k = 0; k < 6; k++)
      g_assert_cmpfloat (fabs (counts[i][k] - expect), <, 5 * sd);
}

static const OhCase randperm_forward[] = {
  { "values", randperm_forward_values },
  { "uniform", randperm_forward_uniform },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_FILL, "fill", NULL, fill_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_STRIDED_COPY, "copy", NULL, copy_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_UNIFORM, "uniform", NULL, uniform_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_NORMAL, "normal", NULL, normal_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_RANDINT, "randint", NULL, randint_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_ARANGE, "arange", NULL, arange_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_LINSPACE, "linspace", NULL, linspace_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_RANDPERM, "randperm", NULL, randperm_forward, NULL, NULL, NULL),
};

guint
oh_register_creation (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
