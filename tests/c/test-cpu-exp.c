/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CPU backend's float32 exp in vectors (backends/cpu/lt-cpu-exp.c), on
 * every instruction set this machine runs: within 1 ulp of libm's exp in
 * double over a sweep of the whole float range and at the edges (overflow,
 * the subnormal results, NaN and infinities); an element's result the
 * same bits wherever it sits (alone, in a vector, in a tail, read with a
 * stride); the AVX2 and AVX-512 builds the same bits as each other; the
 * row sums the same bits read at once or in strided chunks, and within
 * float64 rounding of the exact sum; sigmoid and tanh within 3 and 2 ulp.
 */

#include <float.h>
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"

static const char *const isa_names[] = { "base", "avx2", "avx512" };

static guint32
bits (float f)
{
  guint32 u;

  memcpy (&u, &f, sizeof u);
  return u;
}

static float
from_bits (guint32 u)
{
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

/* |y - ref| in units of the last place of ref rounded to float (2^-149 in
 * the subnormal range) */
static double
ulp_error_of (double ref, float y)
{
  float rf = fabsf ((float) ref);
  int   e;

  if (isinf (rf))
    return isinf (y) ? 0 : (double) INFINITY;
  if (rf < FLT_MIN)
    return fabs ((double) y - ref) / ldexp (1, -149);
  frexpf (rf, &e);
  return fabs ((double) y - ref) / ldexp (1, e - 24);
}

static double
ulp_error (float x, float y)
{
  return ulp_error_of (exp ((double) x), y);
}

/* every 4099th float bit pattern: about a million values over the whole
 * range, both signs */
static void
test_accuracy (void)
{
  enum
  {
    STEP = 4099,
    BLOCK = 4096
  };
  g_autofree float *x = g_new (float, BLOCK);
  g_autofree float *y = g_new (float, BLOCK);

  for (int isa = 0; isa <= (int) _lt_cpu_isa (); isa++)
    {
      const LtCpuExpF32 *k = _lt_cpu_exp_f32_isa (isa);
      double             worst = 0;
      float              worst_x = 0;
      guint64            u = 0, checked = 0;

      while (u <= G_MAXUINT32)
        {
          int n = 0;

          for (; n < BLOCK && u <= G_MAXUINT32; u += STEP)
            if (!isnan (from_bits ((guint32) u)))
              x[n++] = from_bits ((guint32) u);
          k->exp (x, y, n);
          for (int i = 0; i < n; i++)
            {
              double err = ulp_error (x[i], y[i]);

              if (err > worst)
                worst = err, worst_x = x[i];
            }
          checked += n;
        }
      g_test_message ("%s: %" G_GUINT64_FORMAT " values, worst %.3f ulp at %a", isa_names[isa],
                      checked, worst, worst_x);
      if (worst > 1)
        g_error ("%s: exp (%a) is %.3f ulp from the exact value", isa_names[isa], worst_x, worst);
    }
}

/* sigmoid and tanh (the LSTM's gates) over the same sweep, within 3 and 2 ulp;
 * their limits, signs and NaN */
static void
test_sigmoid_tanh (void)
{
  enum
  {
    STEP = 4099,
    BLOCK = 4096
  };
  g_autofree float *x = g_new (float, BLOCK);
  g_autofree float *ys = g_new (float, BLOCK);
  g_autofree float *yt = g_new (float, BLOCK);

  for (int isa = 0; isa <= (int) _lt_cpu_isa (); isa++)
    {
      const LtCpuExpF32 *k = _lt_cpu_exp_f32_isa (isa);
      double             ws = 0, wt = 0;
      float              wsx = 0, wtx = 0;
      const float        special[] = { NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 100.0f, -100.0f };
      float              s[7], t[7];
      guint64            u = 0;

      while (u <= G_MAXUINT32)
        {
          int n = 0;

          for (; n < BLOCK && u <= G_MAXUINT32; u += STEP)
            if (!isnan (from_bits ((guint32) u)))
              x[n++] = from_bits ((guint32) u);
          k->sigmoid (x, ys, n);
          k->tanh (x, yt, n);
          for (int i = 0; i < n; i++)
            {
              double es = ulp_error_of (1 / (1 + exp (-(double) x[i])), ys[i]);
              double et = ulp_error_of (tanh ((double) x[i]), yt[i]);

              if (es > ws)
                ws = es, wsx = x[i];
              if (et > wt)
                wt = et, wtx = x[i];
            }
        }
      g_test_message ("%s: sigmoid worst %.3f ulp at %a, tanh worst %.3f ulp at %a", isa_names[isa],
                      ws, wsx, wt, wtx);
      if (ws > 3 || wt > 2)
        g_error ("%s: sigmoid %.3f ulp at %a, tanh %.3f ulp at %a", isa_names[isa], ws, wsx, wt,
                 wtx);
      k->sigmoid (special, s, 7);
      k->tanh (special, t, 7);
      g_assert_true (isnan (s[0]) && isnan (t[0]));
      g_assert_true (s[1] == 1 && s[2] == 0 && s[3] == 0.5f && s[5] == 1);
      g_assert_true (s[6] > 0 && s[6] < 1e-43f); /* e^-100, a subnormal */
      g_assert_true (t[1] == 1 && t[2] == -1 && t[5] == 1 && t[6] == -1);
      g_assert_true (t[3] == 0 && !signbit (t[3]) && t[4] == 0 && signbit (t[4]));
    }
}

/* the edges: special values, overflow, the last normal and the subnormal
 * results, and values around each */
static void
test_edges (void)
{
  const float xs[] = {
    0.0f,      -0.0f,      1.0f,       -1.0f,  0x1p-30f, -0x1p-30f, 88.0f,       88.7228f,
    88.72283f, 88.72284f,  88.7229f,   89.0f,  89.5f,    100.0f,    1e30f,       FLT_MAX,
    -87.0f,    -87.33654f, -87.33655f, -87.4f, -95.0f,   -103.0f,   -103.27893f, -103.97f,
    -104.0f,   -104.5f,    -120.0f,    -1e30f, -FLT_MAX,
  };
  float y[G_N_ELEMENTS (xs)];

  for (int isa = 0; isa <= (int) _lt_cpu_isa (); isa++)
    {
      const LtCpuExpF32 *k = _lt_cpu_exp_f32_isa (isa);
      const float        special[] = { NAN, -NAN, INFINITY, -INFINITY };
      float              ys[4];

      k->exp (xs, y, G_N_ELEMENTS (xs));
      for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
        {
          double err = ulp_error (xs[i], y[i]);

          if (err > 1)
            g_error ("%s: exp (%a) = %a, %.3f ulp from the exact value", isa_names[isa], xs[i],
                     y[i], err);
        }
      g_assert_cmpfloat (y[0], ==, 1.0f);
      g_assert_cmpfloat (y[1], ==, 1.0f);
      g_assert_true (isinf (y[10]) && isinf (y[12]) && isinf (y[15]));
      g_assert_true (y[27] == 0 && y[28] == 0 && !signbit (y[27]));
      k->exp (special, ys, 4);
      g_assert_true (isnan (ys[0]) && isnan (ys[1]));
      g_assert_cmpfloat (ys[2], ==, INFINITY);
      g_assert_true (ys[3] == 0 && !signbit (ys[3]));
    }
}

/* random values of @n, spread over [-120, 95] */
static float *
random_values (gint64 n, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  float *x = g_new (float, n);

  for (gint64 i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (r, -120, 95);
  g_rand_free (r);
  return x;
}

/* the same bits alone, in a vector or a tail, read with a stride; and
 * 0 - exp (x) s as the exp, a product and a difference round */
static void
test_place (void)
{
  enum
  {
    N = 53,
    STRIDE = 3
  };
  g_autofree float *x = random_values (N, 7);
  float             y[N], one, sx[N * STRIDE], sy[N * STRIDE], ns[N];

  for (int isa = 0; isa <= (int) _lt_cpu_isa (); isa++)
    {
      const LtCpuExpF32 *k = _lt_cpu_exp_f32_isa (isa);

      k->exp (x, y, N);
      for (int i = 0; i < N; i++)
        {
          k->exp (x + i, &one, 1);
          g_assert_cmpuint (bits (one), ==, bits (y[i]));
          sx[i * STRIDE] = x[i];
        }
      /* the tail of a block that starts mid-array */
      k->exp (x + 5, sy, N - 5);
      g_assert_cmpmem (sy, (N - 5) * sizeof (float), y + 5, (N - 5) * sizeof (float));
      if (isa == (int) _lt_cpu_isa ())
        {
          _lt_cpu_exp_strided_f32 (sx, STRIDE * sizeof (float), sy, STRIDE * sizeof (float), N,
                                   FALSE, 0);
          for (int i = 0; i < N; i++)
            g_assert_cmpuint (bits (sy[i * STRIDE]), ==, bits (y[i]));
        }
      k->exp_neg_scale (x, ns, N, -0.37f);
      for (int i = 0; i < N; i++)
        {
          volatile float p = y[i] * -0.37f;

          g_assert_cmpuint (bits (ns[i]), ==, bits (0.0f - p));
        }
    }
}

/* AVX2 and AVX-512 fuse the same products: the same bits */
static void
test_fma_builds_agree (void)
{
  enum
  {
    N = 100003
  };
  g_autofree float *x = random_values (N, 11);
  g_autofree float *a = g_new (float, N);
  g_autofree float *b = g_new (float, N);

  if (_lt_cpu_isa () < LT_CPU_ISA_AVX512)
    {
      g_test_skip ("this CPU has no AVX-512");
      return;
    }
  _lt_cpu_exp_f32_isa (LT_CPU_ISA_AVX2)->exp (x, a, N);
  _lt_cpu_exp_f32_isa (LT_CPU_ISA_AVX512)->exp (x, b, N);
  g_assert_cmpmem (a, N * sizeof (float), b, N * sizeof (float));
}

/* a row's maximum and sum of exp (x - m): the same bits at once and in
 * strided chunks (rows longer than a chunk, and with tails), close to the
 * exact sum; NaN passed over by the maximum */
static void
test_row_sums (void)
{
  const gint64 sizes[] = { 1, 15, 16, 17, 255, 256, 257, 1000, 10000 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint64            n = sizes[s];
      g_autofree float *x = random_values (n, 100 + s);
      g_autofree float *sx = g_new0 (float, n * 2);
      g_autofree float *e = g_new (float, n);
      g_autofree float *se = g_new0 (float, n * 2);
      double            sum, ssum, ref = 0, em = -INFINITY;
      float             m, sm, one;

      for (gint64 i = 0; i < n; i++)
        {
          x[i] *= 0.05f; /* sums of many terms, not one */
          sx[2 * i] = x[i];
          em = MAX (em, x[i]);
        }
      sum = _lt_cpu_exp_row_f32 (x, n, 1, e, &m);
      ssum = _lt_cpu_exp_row_f32 (sx, n, 2, se, &sm);
      g_assert_cmpfloat (m, ==, em);
      g_assert_cmpuint (bits (sm), ==, bits (m));
      g_assert_cmpmem (&ssum, sizeof ssum, &sum, sizeof sum);
      for (gint64 i = 0; i < n; i++)
        {
          float d = x[i] - m;

          _lt_cpu_exp_f32 ()->exp (&d, &one, 1);
          g_assert_cmpuint (bits (e[i]), ==, bits (one));
          g_assert_cmpuint (bits (se[2 * i]), ==, bits (one));
          ref += e[i];
        }
      g_assert_cmpfloat (fabs (sum - ref), <=, 1e-13 * ref);
    }

  {
    float  x[40];
    float  m;
    double sum;

    for (int i = 0; i < 40; i++)
      x[i] = (float) i;
    x[33] = NAN;
    sum = _lt_cpu_exp_row_f32 (x, 40, 1, NULL, &m);
    g_assert_cmpfloat (m, ==, 39.0f);
    g_assert_true (isnan (sum));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cpu-exp/accuracy", test_accuracy);
  g_test_add_func ("/cpu-exp/edges", test_edges);
  g_test_add_func ("/cpu-exp/sigmoid-tanh", test_sigmoid_tanh);
  g_test_add_func ("/cpu-exp/place", test_place);
  g_test_add_func ("/cpu-exp/fma-builds-agree", test_fma_builds_agree);
  g_test_add_func ("/cpu-exp/row-sums", test_row_sums);
  return g_test_run ();
}
