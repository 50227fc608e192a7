/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the math functions of
 * ops/lt-math.c. The pointwise functions of one input run the shared
 * cases of ops-unary.h (every layout, dtype, in-place form and gradcheck);
 * square (x ** 2), the bitwise ops and clamp with tensor bounds have their
 * own cases here.
 */

#include "ops-unary.h"

/* Pointwise, one input */

static double
ref_frac (double x)
{
  return x - trunc (x);
}
static double
ref_reciprocal (double x)
{
  return 1 / x;
}

#define MATH(name, ref, dist, gdist, keeps_int, float_only)                                        \
  static const UnaryDef un_##name = {                                                              \
    LT_OP_##name##_ID, lt_tensor_##name, lt_tensor_##name##_, ref, dist, gdist,                    \
    keeps_int,         float_only                                                                  \
  }

#define LT_OP_ceil_ID LT_OP_CEIL
#define LT_OP_floor_ID LT_OP_FLOOR
#define LT_OP_round_ID LT_OP_ROUND
#define LT_OP_trunc_ID LT_OP_TRUNC
#define LT_OP_frac_ID LT_OP_FRAC
#define LT_OP_log1p_ID LT_OP_LOG1P
#define LT_OP_expm1_ID LT_OP_EXPM1
#define LT_OP_asin_ID LT_OP_ASIN
#define LT_OP_acos_ID LT_OP_ACOS
#define LT_OP_atan_ID LT_OP_ATAN
#define LT_OP_sinh_ID LT_OP_SINH
#define LT_OP_cosh_ID LT_OP_COSH
#define LT_OP_asinh_ID LT_OP_ASINH
#define LT_OP_acosh_ID LT_OP_ACOSH
#define LT_OP_atanh_ID LT_OP_ATANH
#define LT_OP_tan_ID LT_OP_TAN
#define LT_OP_erf_ID LT_OP_ERF
#define LT_OP_erfc_ID LT_OP_ERFC
#define LT_OP_log2_ID LT_OP_LOG2
#define LT_OP_log10_ID LT_OP_LOG10
#define LT_OP_exp2_ID LT_OP_EXP2
#define LT_OP_reciprocal_ID LT_OP_RECIPROCAL

/* rounding: halves in the forward inputs (round goes to even), gradcheck
 * away from integers and halves; integers keep their dtype */
MATH (ceil, ceil, OH_DIST_GRID, OH_DIST_AWAY, TRUE, FALSE);
MATH (floor, floor, OH_DIST_GRID, OH_DIST_AWAY, TRUE, FALSE);
MATH (round, nearbyint, OH_DIST_GRID, OH_DIST_AWAY, TRUE, FALSE);
MATH (trunc, trunc, OH_DIST_GRID, OH_DIST_AWAY, TRUE, FALSE);
MATH (frac, ref_frac, OH_DIST_UNIT, OH_DIST_AWAY, FALSE, TRUE);
MATH (log1p, log1p, OH_DIST_OPEN1, OH_DIST_OPEN1, FALSE, FALSE);
MATH (expm1, expm1, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (asin, asin, OH_DIST_OPEN1, OH_DIST_OPEN1, FALSE, FALSE);
MATH (acos, acos, OH_DIST_OPEN1, OH_DIST_OPEN1, FALSE, FALSE);
MATH (atan, atan, OH_DIST_WIDE, OH_DIST_UNIT, FALSE, FALSE);
MATH (sinh, sinh, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (cosh, cosh, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (asinh, asinh, OH_DIST_WIDE, OH_DIST_UNIT, FALSE, FALSE);
MATH (acosh, acosh, OH_DIST_GT1, OH_DIST_GT1, FALSE, FALSE);
MATH (atanh, atanh, OH_DIST_OPEN1, OH_DIST_OPEN1, FALSE, FALSE);
MATH (tan, tan, OH_DIST_UNIT, OH_DIST_OPEN1, FALSE, FALSE);
MATH (erf, erf, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (erfc, erfc, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (log2, log2, OH_DIST_POS, OH_DIST_POS, FALSE, FALSE);
MATH (log10, log10, OH_DIST_POS, OH_DIST_POS, FALSE, FALSE);
MATH (exp2, exp2, OH_DIST_UNIT, OH_DIST_UNIT, FALSE, FALSE);
MATH (reciprocal, ref_reciprocal, OH_DIST_AWAY, OH_DIST_AWAY, FALSE, FALSE);

/* Values outside a function's domain give NaN (asin, acosh, log1p, ...)
 * and the ends give infinities, as in PyTorch. */
static void
math_fw_domain (gconstpointer d)
{
  static const double x[] = { -2, -1, 0, 1, 2, NAN, INFINITY, -INFINITY };
  static const struct
  {
    LtTensor *(*fn) (LtTensor *, GError **);
    double (*ref) (double);
  } fns[] = {
    { lt_tensor_asin, asin },   { lt_tensor_acos, acos },
    { lt_tensor_atanh, atanh }, { lt_tensor_acosh, acosh },
    { lt_tensor_log1p, log1p }, { lt_tensor_log2, log2 },
    { lt_tensor_log10, log10 }, { lt_tensor_reciprocal, ref_reciprocal },
    { lt_tensor_ceil, ceil },   { lt_tensor_frac, ref_frac },
    { lt_tensor_erfc, erfc },
  };

  for (guint j = 0; j < G_N_ELEMENTS (fns); j++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) t = oh_build (x, OH_SH (8), F64, OH_LAY_CONTIG);
      g_autoptr(LtTensor) y = fns[j].fn (t, &error);
      double ref[8];

      g_assert_no_error (error);
      for (guint k = 0; k < 8; k++)
        ref[k] = isinf (x[k]) && fns[j].ref == ref_frac ? NAN : fns[j].ref (x[k]);
      oh_check (y, F64, OH_SH (8), ref);
    }
}

static const OhCase math_domain_forward[] = { { "domain", math_fw_domain }, { NULL, NULL } };

/* square: pow with the integer exponent 2 (PowBackward0); not an op of its
 * own, so its cases are registered beside pow's spec */

static void
square_fw (gconstpointer d)
{
  const LtDType dts[] = { F32, F64, I64, I32, I16, I8, U8 };

  for (guint j = 0; j < G_N_ELEMENTS (dts); j++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (OH_SH (4, 5), dts[j], OH_LAY_T, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = lt_tensor_square (x.t, &error);
      double ref[20];

      g_assert_no_error (error);
      for (guint k = 0; k < 20; k++)
        ref[k] = oh_wrap_to (x.v[k] * x.v[k], dts[j]);
      oh_check (y, dts[j], OH_SH (4, 5), ref);
      g_assert_cmpint (lt_tensor_square_ (x.t, &error), ==, TRUE);
      g_assert_no_error (error);
      oh_check (x.t, dts[j], OH_SH (4, 5), ref);
    }
  {
    /* bool gives int64, as torch.square; in place it is an error */
    g_autoptr(GError) error = NULL;
    g_auto(OhArr) b = oh_arr_new (OH_SH (6), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_autoptr(LtTensor) y = lt_tensor_square (b.t, &error);

    g_assert_no_error (error);
    oh_check (y, I64, OH_SH (6), b.v);
    g_assert_cmpint (lt_tensor_square_ (b.t, &error), ==, FALSE);
    g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  }
}

static LtTensor *
gc_square (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_square (in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
square_bw (gconstpointer d)
{
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = gc_square (&x, 1, NULL);

  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "PowBackward0");
  oh_gradcheck (gc_square, NULL, &x, 1);
}

/* Bitwise ops: integer and bool tensors */

typedef struct
{
  LtOp op;
  LtTensor *(*fn) (LtTensor *, LtTensor *, GError **);
  gboolean (*fn_) (LtTensor *, LtTensor *, GError **);
  gint64 (*ref) (gint64, gint64);
} BitwiseDef;

static gint64
ref_and (gint64 a, gint64 b)
{
  return a & b;
}
static gint64
ref_or (gint64 a, gint64 b)
{
  return a | b;
}
static gint64
ref_xor (gint64 a, gint64 b)
{
  return a ^ b;
}

static const BitwiseDef bit_and = { LT_OP_BITWISE_AND, lt_tensor_bitwise_and,
                                    lt_tensor_bitwise_and_, ref_and };
static const BitwiseDef bit_or = { LT_OP_BITWISE_OR, lt_tensor_bitwise_or, lt_tensor_bitwise_or_,
                                   ref_or };
static const BitwiseDef bit_xor = { LT_OP_BITWISE_XOR, lt_tensor_bitwise_xor,
                                    lt_tensor_bitwise_xor_, ref_xor };

static void
bitwise_run (const BitwiseDef *b,
             OhShape           sa,
             LtDType           da,
             OhLay             la,
             OhShape           sb,
             LtDType           db,
             OhLay             lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sa, da, la, OH_DIST_WIDE);
  g_auto(OhArr) y = oh_arr_new (sb, db, lb, OH_DIST_WIDE);
  g_autoptr(LtTensor) r = b->fn (x.t, y.t, &error);
  OhShape            so = oh_broadcast (sa, sb);
  LtDType            odt = oh_promote (da, db);
  gint64             n = oh_numel (so);
  g_autofree double *ref = g_new0 (double, MAX (n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      gint64 idx[LT_MAX_DIMS];
      double va, vb;

      oh_unravel (k, so, idx);
      /* the operands in the result's dtype, as two's complement */
      va = oh_convert (x.v[oh_bindex (idx, so.n, sa)], odt);
      vb = oh_convert (y.v[oh_bindex (idx, so.n, sb)], odt);
      ref[k] = oh_wrap_to ((double) b->ref ((gint64) va, (gint64) vb), odt);
    }
  oh_check (r, odt, so, ref);
}

static void
bitwise_fw_dtypes (gconstpointer d)
{
  const LtDType dts[] = { I64, I32, I16, I8, U8, BOOL };

  for (guint j = 0; j < G_N_ELEMENTS (dts); j++)
    bitwise_run (d, OH_SH (13), dts[j], OH_LAY_CONTIG, OH_SH (13), dts[j], OH_LAY_CONTIG);
}

static void
bitwise_fw_layouts (gconstpointer d)
{
  bitwise_run (d, OH_SH (5, 7), I64, OH_LAY_T, OH_SH (5, 7), I64, OH_LAY_STEP);
  bitwise_run (d, OH_SH (4, 7), I32, OH_LAY_PAD, OH_SH (7), I32, OH_LAY_CONTIG);
  bitwise_run (d, OH_SH (5, 3), I16, OH_LAY_EXPAND, OH_SH (5, 1), I16, OH_LAY_CONTIG);
  bitwise_run (d, OH_SH0, U8, OH_LAY_CONTIG, OH_SH (0, 3), U8, OH_LAY_T);
  bitwise_run (d, OH_SH (OH_BIG), I32, OH_LAY_CONTIG, OH_SH (1), I32, OH_LAY_CONTIG);
}

static void
bitwise_fw_promote (gconstpointer d)
{
  bitwise_run (d, OH_SH (3, 4), I32, OH_LAY_CONTIG, OH_SH (4), I64, OH_LAY_CONTIG);
  bitwise_run (d, OH_SH (3, 4), BOOL, OH_LAY_CONTIG, OH_SH (4), I8, OH_LAY_CONTIG);
  bitwise_run (d, OH_SH (3, 4), U8, OH_LAY_T, OH_SH (4), I8, OH_LAY_CONTIG);
}

static void
bitwise_fw_errors (gconstpointer d)
{
  const BitwiseDef *b = d;
  g_auto(OhArr) f = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) j = oh_arr_new (OH_SH (2), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(LtTensor) r1 = b->fn (f.t, i.t, &e1);
  g_autoptr(LtTensor) r2 = b->fn (i.t, f.t, &e2);
  g_autoptr(LtTensor) r3 = b->fn (i.t, j.t, &e3);

  oh_check_error (r1, e1, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (e1->message, _lt_op_table[b->op].name));
  oh_check_error (r2, e2, LT_ERROR_DTYPE);
  oh_check_error (r3, e3, LT_ERROR_SHAPE);
}

static void
bitwise_fw_inplace (gconstpointer d)
{
  const BitwiseDef *b = d;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 6), I32, OH_LAY_T, OH_DIST_WIDE);
  g_auto(OhArr) y = oh_arr_new (OH_SH (6), I32, OH_LAY_CONTIG, OH_DIST_WIDE);
  g_auto(OhArr) w = oh_arr_new (OH_SH (6), I64, OH_LAY_CONTIG, OH_DIST_WIDE);
  guint  version = lt_tensor_get_version (x.t);
  double ref[24];

  for (guint k = 0; k < 24; k++)
    ref[k] = oh_wrap_to ((double) b->ref ((gint64) x.v[k], (gint64) y.v[k % 6]), I32);
  g_assert_cmpint (b->fn_ (x.t, y.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, I32, OH_SH (4, 6), ref);
  g_assert_cmpuint (lt_tensor_get_version (x.t), >, version);
  /* an int64 operand promotes to int64, which fits int32 (as torch) */
  g_assert_cmpint (b->fn_ (x.t, w.t, &error), ==, TRUE);
  g_assert_no_error (error);
  {
    /* a bool tensor cannot hold an integer result */
    g_auto(OhArr) bt = oh_arr_new (OH_SH (6), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);

    g_assert_cmpint (b->fn_ (bt.t, y.t, &error), ==, FALSE);
    g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  }
}

static const OhCase bitwise_forward[] = {
  { "dtypes", bitwise_fw_dtypes },   { "layouts", bitwise_fw_layouts },
  { "promote", bitwise_fw_promote }, { "errors", bitwise_fw_errors },
  { "inplace", bitwise_fw_inplace }, { NULL, NULL }
};

static double
ref_bitnot (double x, LtDType dt)
{
  return dt == BOOL ? (x == 0) : oh_wrap_to ((double) ~(gint64) x, dt);
}

static void
bitnot_fw (gconstpointer d)
{
  const LtDType dts[] = { I64, I32, I16, I8, U8, BOOL };
  const OhLay   lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_EXPAND };

  for (guint j = 0; j < G_N_ELEMENTS (dts); j++)
    for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
      {
        g_autoptr(GError) error = NULL;
        g_auto(OhArr) x = oh_arr_new (OH_SH (5, 3), dts[j], lays[l], OH_DIST_WIDE);
        g_autoptr(LtTensor) y = lt_tensor_bitwise_not (x.t, &error);
        double ref[15];

        g_assert_no_error (error);
        for (guint k = 0; k < 15; k++)
          ref[k] = ref_bitnot (x.v[k], dts[j]);
        oh_check (y, dts[j], OH_SH (5, 3), ref);
        if (lays[l] != OH_LAY_EXPAND)
          {
            g_assert_cmpint (lt_tensor_bitwise_not_ (x.t, &error), ==, TRUE);
            g_assert_no_error (error);
            oh_check (x.t, dts[j], OH_SH (5, 3), ref);
          }
      }
}

static void
bitnot_fw_edges (gconstpointer d)
{
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_auto(OhArr) f = oh_arr_new (OH_SH (3), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) z = oh_arr_new (OH_SH (0, 2), I64, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) big = oh_arr_new (OH_SH (OH_BIG), I8, OH_LAY_CONTIG, OH_DIST_WIDE);
  g_autoptr(LtTensor) r1 = lt_tensor_bitwise_not (f.t, &e1);
  g_autoptr(LtTensor) r2 = lt_tensor_bitwise_not (z.t, &e2);
  g_autoptr(LtTensor) r3 = lt_tensor_bitwise_not (big.t, &e2);
  g_autofree double *ref = g_new (double, OH_BIG);

  oh_check_error (r1, e1, LT_ERROR_DTYPE);
  g_clear_error (&e1);
  g_assert_cmpint (lt_tensor_bitwise_not_ (f.t, &e1), ==, FALSE);
  g_assert_error (e1, LT_ERROR, LT_ERROR_DTYPE);
  g_assert_no_error (e2);
  oh_check (r2, I64, OH_SH (0, 2), NULL);
  for (gint64 k = 0; k < OH_BIG; k++)
    ref[k] = ref_bitnot (big.v[k], I8);
  oh_check (r3, I8, OH_SH (OH_BIG), ref);
}

static const OhCase bitnot_forward[] = { { "dtypes", bitnot_fw },
                                         { "edges", bitnot_fw_edges },
                                         { NULL, NULL } };

/* clamp with tensor bounds */

static double
ref_clamp3 (double x, double lo, double hi)
{
  double r = x;

  if (!isnan (lo) && (r < lo || isnan (r)))
    r = isnan (r) ? r : lo;
  if (!isnan (hi) && r > hi)
    r = hi;
  return r;
}

/* x (sx) clamped to lo (sl) and hi (sh); a bound of rank 8 is none */
static void
clamp_run (OhShape sx, LtDType dx, OhLay lx, OhShape sl, OhShape sh, LtDType db)
{
  gboolean has_lo = sl.n != LT_MAX_DIMS, has_hi = sh.n != LT_MAX_DIMS;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sx, dx, lx, OH_DIST_GRID);
  g_auto(OhArr) lo = oh_arr_new (has_lo ? sl : OH_SH0, db, OH_LAY_CONTIG, OH_DIST_GRID);
  g_auto(OhArr) hi = oh_arr_new (has_hi ? sh : OH_SH0, db, OH_LAY_CONTIG, OH_DIST_GRID);
  g_autoptr(LtTensor) y =
               lt_tensor_clamp_tensor (x.t, has_lo ? lo.t : NULL, has_hi ? hi.t : NULL, &error);
  OhShape            so = sx;
  LtDType            odt = dx;
  gint64             n;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (has_lo)
    {
      so = oh_broadcast (so, sl);
      odt = oh_promote (odt, db);
    }
  if (has_hi)
    {
      so = oh_broadcast (so, sh);
      odt = oh_promote (odt, db);
    }
  n = oh_numel (so);
  ref = g_new0 (double, MAX (n, 1));
  for (gint64 k = 0; k < n; k++)
    {
      gint64 idx[LT_MAX_DIMS];

      oh_unravel (k, so, idx);
      ref[k] =
        ref_clamp3 (x.v[oh_bindex (idx, so.n, sx)], has_lo ? lo.v[oh_bindex (idx, so.n, sl)] : NAN,
                    has_hi ? hi.v[oh_bindex (idx, so.n, sh)] : NAN);
    }
  oh_check (y, odt, so, ref);
}

#define NONE ((OhShape){ { 0 }, LT_MAX_DIMS })

static void
clamp_fw_shapes (gconstpointer d)
{
  clamp_run (OH_SH (4, 5), F32, OH_LAY_CONTIG, OH_SH (5), OH_SH (4, 1), F32);
  clamp_run (OH_SH (4, 5), F32, OH_LAY_T, OH_SH (4, 5), NONE, F32);
  clamp_run (OH_SH (4, 5), F64, OH_LAY_STEP, NONE, OH_SH (1), F64);
  clamp_run (OH_SH (5, 3), F32, OH_LAY_EXPAND, OH_SH (2, 1, 1), OH_SH (3), F32);
  clamp_run (OH_SH (3), F32, OH_LAY_CONTIG, OH_SH (4, 3), OH_SH (4, 1), F32);
  clamp_run (OH_SH0, F32, OH_LAY_CONTIG, OH_SH0, OH_SH0, F32);
  clamp_run (OH_SH (0, 3), F32, OH_LAY_T, OH_SH (3), OH_SH (3), F32);
  clamp_run (OH_SH (OH_BIG), F32, OH_LAY_CONTIG, OH_SH (1), OH_SH (OH_BIG), F32);
}

static void
clamp_fw_dtypes (gconstpointer d)
{
  clamp_run (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_SH (4), OH_SH (3, 1), I64);
  clamp_run (OH_SH (3, 4), I32, OH_LAY_T, OH_SH (4), OH_SH (3, 1), U8);
  /* integers clamped to float bounds give floats */
  clamp_run (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_SH (4), NONE, F32);
  clamp_run (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_SH (4), OH_SH (4), F64);
}

static void
clamp_fw_crossed (gconstpointer d)
{
  /* lo > hi: hi wins; NaN spreads from x */
  static const double xv[] = { -3, 0, 3, NAN };
  static const double lov[] = { 1, 1, 1, 1 };
  static const double hiv[] = { -1, -1, -1, -1 };
  static const double ref[] = { -1, -1, -1, NAN };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build (xv, OH_SH (4), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) lo = oh_build (lov, OH_SH (4), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) hi = oh_build (hiv, OH_SH (4), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_clamp_tensor (x, lo, hi, &error);

  g_assert_no_error (error);
  oh_check (y, F32, OH_SH (4), ref);
}

static void
clamp_fw_errors (gconstpointer d)
{
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) bad = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (4), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) wide = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;
  g_autoptr(LtTensor) r1 = lt_tensor_clamp_tensor (x.t, NULL, NULL, &e1);
  g_autoptr(LtTensor) r2 = lt_tensor_clamp_tensor (x.t, bad.t, NULL, &e2);
  g_autoptr(LtTensor) r3 = lt_tensor_clamp_tensor (x.t, NULL, b.t, &e3);
  double ref[12];

  oh_check_error (r1, e1, LT_ERROR_INVALID_ARGUMENT);
  oh_check_error (r2, e2, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (e2->message, "[3]"));
  /* bool bounds are 0 and 1, as in torch */
  g_assert_no_error (e3);
  for (guint k = 0; k < 12; k++)
    ref[k] = MIN (x.v[k], b.v[k % 4]);
  oh_check (r3, F32, OH_SH (3, 4), ref);
  /* in place: the result must keep @self's shape and fit its dtype */
  g_assert_cmpint (lt_tensor_clamp_tensor_ (x.t, wide.t, NULL, &e4), ==, FALSE);
  g_assert_error (e4, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&e4);
  g_assert_cmpint (lt_tensor_clamp_tensor_ (xi.t, bad.t, NULL, &e4), ==, FALSE);
  g_assert_error (e4, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&e4);
  g_assert_cmpint (lt_tensor_clamp_tensor_ (xi.t, x.t, NULL, &e4), ==, FALSE);
  g_assert_error (e4, LT_ERROR, LT_ERROR_DTYPE);
  {
    /* nothing was written */
    g_autofree double *v = oh_values_of (xi.t);

    for (guint k = 0; k < 12; k++)
      g_assert_cmpfloat (v[k], ==, xi.v[k]);
  }
}

static void
clamp_fw_inplace (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 5), F32, OH_LAY_T, OH_DIST_GRID);
  g_auto(OhArr) lo = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_GRID);
  g_auto(OhArr) hi = oh_arr_new (OH_SH (4, 1), F32, OH_LAY_CONTIG, OH_DIST_GRID);
  guint  version = lt_tensor_get_version (x.t);
  double ref[20];

  for (guint k = 0; k < 20; k++)
    ref[k] = ref_clamp3 (x.v[k], lo.v[k % 5], hi.v[k / 5]);
  g_assert_cmpint (lt_tensor_clamp_tensor_ (x.t, lo.t, hi.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, F32, OH_SH (4, 5), ref);
  g_assert_cmpuint (lt_tensor_get_version (x.t), >, version);
}

static void
clamp_fw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) lo = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_clamp_tensor (x, lo, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "ClampBackward0");
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (lt_tensor_get_grad_fn (y)), ==, 3);
}

static const OhCase clamp_forward[] = { { "shapes", clamp_fw_shapes },
                                        { "dtypes", clamp_fw_dtypes },
                                        { "crossed", clamp_fw_crossed },
                                        { "errors", clamp_fw_errors },
                                        { "inplace", clamp_fw_inplace },
                                        { "node", clamp_fw_node },
                                        { NULL, NULL } };

typedef struct
{
  gboolean lo, hi;
} ClampBounds;

static LtTensor *
gc_clamp (LtTensor **in, gsize n, gpointer data)
{
  const ClampBounds *b = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y =
    lt_tensor_clamp_tensor (in[0], b->lo ? in[1] : NULL, b->hi ? in[b->lo ? 2 : 1] : NULL, &error);

  g_assert_no_error (error);
  return y;
}

/* x away from the bounds: x in [-2, 2] on a grid of 0.1 + 0.05, bounds
 * near -0.5 and 0.5 (lower above upper in a few elements) */
static LtTensor *
bound_leaf (OhShape s, double centre, gboolean crossed)
{
  gint64             n = oh_numel (s);
  g_autofree double *v = g_new (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = (crossed && k % 3 == 0 ? -centre : centre) + g_rand_double_range (oh_rng, -0.2, 0.2);
  return oh_leaf_from (v, s);
}

static void
clamp_bw_both (gconstpointer d)
{
  static const ClampBounds both = { TRUE, TRUE };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (4, 5), OH_LAY_T, OH_DIST_AWAY);
  g_autoptr(LtTensor) lo = bound_leaf (OH_SH (5), -0.5, FALSE);
  g_autoptr(LtTensor) hi = bound_leaf (OH_SH (4, 1), 0.5, FALSE);
  LtTensor *in[3] = { x, lo, hi };

  oh_gradcheck (gc_clamp, &both, in, 3);
}

static void
clamp_bw_crossed (gconstpointer d)
{
  static const ClampBounds both = { TRUE, TRUE };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (6), OH_LAY_CONTIG, OH_DIST_AWAY);
  g_autoptr(LtTensor) lo = bound_leaf (OH_SH (6), -0.5, TRUE);
  g_autoptr(LtTensor) hi = bound_leaf (OH_SH (6), 0.5, TRUE);
  LtTensor *in[3] = { x, lo, hi };

  oh_gradcheck (gc_clamp, &both, in, 3);
}

static void
clamp_bw_one (gconstpointer d)
{
  static const ClampBounds lo_only = { TRUE, FALSE };
  static const ClampBounds hi_only = { FALSE, TRUE };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_STEP, OH_DIST_AWAY);
  g_autoptr(LtTensor) lo = bound_leaf (OH_SH (3, 1), -0.5, FALSE);
  g_autoptr(LtTensor) hi = bound_leaf (OH_SH0, 0.5, FALSE);
  LtTensor *in1[2] = { x, lo };
  LtTensor *in2[2] = { x, hi };

  oh_gradcheck (gc_clamp, &lo_only, in1, 2);
  oh_gradcheck (gc_clamp, &hi_only, in2, 2);
}

static void
clamp_bw_empty (gconstpointer d)
{
  static const ClampBounds both = { TRUE, TRUE };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (0, 3), OH_LAY_T, OH_DIST_AWAY);
  g_autoptr(LtTensor) lo = bound_leaf (OH_SH (3), -0.5, FALSE);
  g_autoptr(LtTensor) hi = bound_leaf (OH_SH (1), 0.5, FALSE);
  LtTensor *in[3] = { x, lo, hi };

  oh_backward_shapes (gc_clamp, &both, in, 3);
}

static const OhCase clamp_backward[] = { { "both", clamp_bw_both },
                                         { "crossed", clamp_bw_crossed },
                                         { "one_bound", clamp_bw_one },
                                         { "empty", clamp_bw_empty },
                                         { NULL, NULL } };

#define UNARY(op, path, def)                                                                       \
  OH_SPEC (op, path, &def, oh_unary_forward, oh_unary_forward_inplace, oh_unary_backward, NULL)

static const OhSpec math_specs[] = {
  UNARY (LT_OP_CEIL, "ceil", un_ceil),
  UNARY (LT_OP_FLOOR, "floor", un_floor),
  UNARY (LT_OP_ROUND, "round", un_round),
  UNARY (LT_OP_TRUNC, "trunc", un_trunc),
  UNARY (LT_OP_FRAC, "frac", un_frac),
  UNARY (LT_OP_LOG1P, "log1p", un_log1p),
  UNARY (LT_OP_EXPM1, "expm1", un_expm1),
  OH_SPEC (LT_OP_ASIN,
           "asin",
           &un_asin,
           oh_unary_forward,
           math_domain_forward,
           oh_unary_backward,
           NULL),
  UNARY (LT_OP_ACOS, "acos", un_acos),
  UNARY (LT_OP_ATAN, "atan", un_atan),
  UNARY (LT_OP_SINH, "sinh", un_sinh),
  UNARY (LT_OP_COSH, "cosh", un_cosh),
  UNARY (LT_OP_ASINH, "asinh", un_asinh),
  UNARY (LT_OP_ACOSH, "acosh", un_acosh),
  UNARY (LT_OP_ATANH, "atanh", un_atanh),
  UNARY (LT_OP_TAN, "tan", un_tan),
  UNARY (LT_OP_ERF, "erf", un_erf),
  UNARY (LT_OP_ERFC, "erfc", un_erfc),
  UNARY (LT_OP_LOG2, "log2", un_log2),
  UNARY (LT_OP_LOG10, "log10", un_log10),
  UNARY (LT_OP_EXP2, "exp2", un_exp2),
  UNARY (LT_OP_RECIPROCAL, "reciprocal", un_reciprocal),
  OH_SPEC (LT_OP_BITWISE_NOT, "bitwise_not", NULL, bitnot_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_BITWISE_AND, "bitwise_and", &bit_and, bitwise_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_BITWISE_OR, "bitwise_or", &bit_or, bitwise_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_BITWISE_XOR, "bitwise_xor", &bit_xor, bitwise_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_CLAMP_TENSOR, "clamp_tensor", NULL, clamp_forward, NULL, clamp_backward, NULL),
};

/* var and std with a correction and several dims: the var and std ops
 * with other parameters, so their cases run beside those ops' specs */

static void
var_correction_fw (gconstpointer d)
{
  static const double corrections[] = { 0, 1, 2, 0.5 };
  static const gint   dims[] = { 0, -1 };
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 3, 5), F64, OH_LAY_T, OH_DIST_UNIT);

  for (guint c = 0; c < G_N_ELEMENTS (corrections); c++)
    for (guint is_std = 0; is_std < 2; is_std++)
      for (guint keep = 0; keep < 2; keep++)
        {
          g_autoptr(GError) error = NULL;
          LtTensor *(*fn) (LtTensor *, const gint *, gsize, double, gboolean, GError **) =
            is_std ? lt_tensor_std_correction : lt_tensor_var_correction;
          /* over dims 0 and 2 of (4, 3, 5): 20 elements per output */
          g_autoptr(LtTensor) y = fn (x.t, dims, 2, corrections[c], keep, &error);
          g_autoptr(LtTensor) all = fn (x.t, NULL, 0, corrections[c], keep, &error);
          double ref[3], mean_all = 0, ss_all = 0, ref_all;

          g_assert_no_error (error);
          for (gint64 k = 0; k < 60; k++)
            mean_all += x.v[k] / 60;
          for (gint64 k = 0; k < 60; k++)
            ss_all += (x.v[k] - mean_all) * (x.v[k] - mean_all);
          ref_all = ss_all / (60 - corrections[c]);
          for (guint j = 0; j < 3; j++)
            {
              double mean = 0, ss = 0;

              for (guint a = 0; a < 4; a++)
                for (guint b = 0; b < 5; b++)
                  mean += x.v[a * 15 + j * 5 + b] / 20;
              for (guint a = 0; a < 4; a++)
                for (guint b = 0; b < 5; b++)
                  ss += (x.v[a * 15 + j * 5 + b] - mean) * (x.v[a * 15 + j * 5 + b] - mean);
              ref[j] = ss / (20 - corrections[c]);
              if (is_std)
                ref[j] = sqrt (ref[j]);
            }
          oh_check (y, F64, keep ? OH_SH (1, 3, 1) : OH_SH (3), ref);
          if (is_std)
            ref_all = sqrt (ref_all);
          oh_check (all, F64, keep ? OH_SH (1, 1, 1) : OH_SH0, &ref_all);
        }
  {
    /* N - correction <= 0: infinity (or NaN for 0 / 0), as torch */
    g_autoptr(GError) error = NULL;
    g_auto(OhArr) one = oh_arr_new (OH_SH (2, 1), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
    g_auto(OhArr) xi = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
    static const gint   d1[] = { 1 };
    static const double nan2[] = { NAN, NAN };
    g_autoptr(LtTensor) y = lt_tensor_var_correction (one.t, d1, 1, 1, FALSE, &error);
    g_autoptr(LtTensor) bad = NULL;

    g_assert_no_error (error);
    oh_check (y, F32, OH_SH (2), nan2);
    bad = lt_tensor_var_correction (xi.t, NULL, 0, 1, FALSE, &error);
    oh_check_error (bad, error, LT_ERROR_DTYPE);
  }
}

typedef struct
{
  gboolean is_std;
  double   correction;
} VarCase;

static LtTensor *
gc_var (LtTensor **in, gsize n, gpointer data)
{
  const VarCase    *v = data;
  static const gint dims[] = { 1, 0 };
  g_autoptr(GError) error = NULL;
  LtTensor *y = (v->is_std ? lt_tensor_std_correction : lt_tensor_var_correction) (
    in[0], dims, 2, v->correction, TRUE, &error);

  g_assert_no_error (error);
  return y;
}

static void
var_correction_bw (gconstpointer d)
{
  static const VarCase cases[] = { { FALSE, 0 }, { FALSE, 2 }, { TRUE, 0 }, { TRUE, 1.5 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4, 2), OH_LAY_T, OH_DIST_UNIT);

      oh_gradcheck (gc_var, &cases[i], &x, 1);
    }
}

/* Cases that are not an op's spec (square is pow, var_correction var) run
 * as the specs' do, with a random stream of their own */
static void
square_case (gconstpointer d)
{
  guint seed = g_str_hash (g_test_get_path ());

  oh_rng = g_rand_new_with_seed (seed);
  lt_manual_seed (seed);
  ((OhCaseFunc) d) (NULL);
  g_clear_pointer (&oh_rng, g_rand_free);
}

guint
oh_register_math (void)
{
  g_test_add_data_func ("/ops/pow/square/forward", square_fw, square_case);
  g_test_add_data_func ("/ops/pow/square/backward", square_bw, square_case);
  g_test_add_data_func ("/ops/var/correction/forward", var_correction_fw, square_case);
  g_test_add_data_func ("/ops/var/correction/backward", var_correction_bw, square_case);
  return oh_add_specs (math_specs, G_N_ELEMENTS (math_specs)) + 4;
}
