/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): pointwise ops of one
 * input (the unary functions, clamp, logical_not, leaky_relu) and of two
 * (arithmetic, extrema, comparisons, logical and/or), and where.
 */

#include "ops-unary.h"

/* Pointwise, one input (UnaryDef: ops-unary.h) */

static double ref_neg (double x) { return -x; }
static double ref_abs (double x) { return fabs (x); }
static double ref_sign (double x) { return isnan (x) ? x : (x > 0) - (x < 0); }
static double ref_sqrt (double x) { return sqrt (x); }
static double ref_rsqrt (double x) { return 1 / sqrt (x); }
static double ref_sigmoid (double x) { return 1 / (1 + exp (-x)); }
static double ref_relu (double x) { return x < 0 ? 0 : x; }
static double ref_clamp (double x) { return x < -1 ? -1 : (x > 1 ? 1 : x); }
static double ref_not (double x) { return x == 0; }

static LtTensor *
clamp_fn (LtTensor *x, GError **error)
{
  return lt_tensor_clamp (x, -1, 1, error);
}

static gboolean
clamp_fn_ (LtTensor *x, GError **error)
{
  return lt_tensor_clamp_ (x, -1, 1, error);
}

static const UnaryDef un_neg = { LT_OP_NEG,
                                 lt_tensor_neg, lt_tensor_neg_, ref_neg,
                                 OH_DIST_UNIT, OH_DIST_UNIT, TRUE };
static const UnaryDef un_abs = { LT_OP_ABS,
                                 lt_tensor_abs, lt_tensor_abs_, ref_abs,
                                 OH_DIST_UNIT, OH_DIST_AWAY, TRUE };
static const UnaryDef un_sign = { LT_OP_SIGN,
                                  lt_tensor_sign, lt_tensor_sign_, ref_sign,
                                  OH_DIST_GRID, OH_DIST_AWAY, TRUE };
static const UnaryDef un_exp = { LT_OP_EXP,
                                 lt_tensor_exp, lt_tensor_exp_, exp,
                                 OH_DIST_UNIT, OH_DIST_UNIT, FALSE };
static const UnaryDef un_log = { LT_OP_LOG,
                                 lt_tensor_log, lt_tensor_log_, log,
                                 OH_DIST_POS, OH_DIST_POS, FALSE };
static const UnaryDef un_sqrt = { LT_OP_SQRT,
                                  lt_tensor_sqrt, lt_tensor_sqrt_, ref_sqrt,
                                  OH_DIST_POS, OH_DIST_POS, FALSE };
static const UnaryDef un_rsqrt = { LT_OP_RSQRT,
                                   lt_tensor_rsqrt, lt_tensor_rsqrt_, ref_rsqrt,
                                   OH_DIST_POS, OH_DIST_POS, FALSE };
static const UnaryDef un_sin = { LT_OP_SIN,
                                 lt_tensor_sin, lt_tensor_sin_, sin,
                                 OH_DIST_UNIT, OH_DIST_UNIT, FALSE };
static const UnaryDef un_cos = { LT_OP_COS,
                                 lt_tensor_cos, lt_tensor_cos_, cos,
                                 OH_DIST_UNIT, OH_DIST_UNIT, FALSE };
static const UnaryDef un_tanh = { LT_OP_TANH,
                                  lt_tensor_tanh, lt_tensor_tanh_, tanh,
                                  OH_DIST_UNIT, OH_DIST_UNIT, FALSE };
static const UnaryDef un_sigmoid = { LT_OP_SIGMOID,
                                     lt_tensor_sigmoid, lt_tensor_sigmoid_, ref_sigmoid,
                                     OH_DIST_WIDE, OH_DIST_UNIT, FALSE };
static const UnaryDef un_relu = { LT_OP_RELU,
                                  lt_tensor_relu, lt_tensor_relu_, ref_relu,
                                  OH_DIST_GRID, OH_DIST_AWAY, TRUE };
static const UnaryDef un_clamp = { LT_OP_CLAMP,
                                   clamp_fn, clamp_fn_, ref_clamp,
                                   OH_DIST_UNIT, OH_DIST_AWAY, TRUE };
static const UnaryDef un_not = { LT_OP_LOGICAL_NOT,
                                 lt_tensor_logical_not,
                                 lt_tensor_logical_not_,
                                 ref_not,
                                 OH_DIST_GRID,
                                 OH_DIST_UNIT,
                                 TRUE };

static LtDType
unary_out_dtype (const UnaryDef *u, LtDType dt)
{
  if (u->op == LT_OP_LOGICAL_NOT)
    return BOOL;
  return oh_is_float (dt) || u->keeps_int ? dt : F32;
}

static void
unary_run (const UnaryDef *u, OhShape s, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, u->dist);
  g_autoptr(LtTensor) y = u->fn (x.t, &error);
  LtDType odt = unary_out_dtype (u, dt);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_wrap_to (u->ref (x.v[k]), odt);
  oh_check (y, odt, s, ref);
  /* As in PyTorch, the result is row-major, or keeps the memory order of a
   * dense input (a transposed input gives a transposed result). */
  if (!lt_tensor_is_contiguous (y))
    {
      guint n;
      const gint64 *ys = lt_tensor_get_strides (y, &n);
      const gint64 *xs = lt_tensor_get_strides (x.t, NULL);

      g_assert_cmpint (lay, ==, OH_LAY_T);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (ys[i], ==, xs[i]);
    }
}

static void
unary_fw_contiguous (gconstpointer d)
{
  unary_run (d, OH_SH (13), F32, OH_LAY_CONTIG);
}

static void
unary_fw_transposed (gconstpointer d)
{
  unary_run (d, OH_SH (5, 7), F32, OH_LAY_T);
}

static void
unary_fw_strided (gconstpointer d)
{
  unary_run (d, OH_SH (4, 7), F32, OH_LAY_STEP);
  unary_run (d, OH_SH (4, 7), F32, OH_LAY_PAD);
  unary_run (d, OH_SH (2, 4, 7), F32, OH_LAY_TPAD);
}

static void
unary_fw_expanded (gconstpointer d)
{
  unary_run (d, OH_SH (5, 3), F32, OH_LAY_EXPAND);
}

static void
unary_fw_rank0 (gconstpointer d)
{
  unary_run (d, OH_SH0, F32, OH_LAY_CONTIG);
}

static void
unary_fw_empty (gconstpointer d)
{
  unary_run (d, OH_SH (0, 3), F32, OH_LAY_T);
}

static void
unary_fw_parallel (gconstpointer d)
{
  unary_run (d, OH_SH (OH_BIG), F32, OH_LAY_CONTIG);
}

static void
unary_fw_parallel_transposed (gconstpointer d)
{
  unary_run (d, OH_SH (263, 267), F32, OH_LAY_T);
  unary_run (d, OH_SH (3, 97, 71), F32, OH_LAY_TPAD);
}

static void
unary_fw_float64 (gconstpointer d)
{
  unary_run (d, OH_SH (6, 5), F64, OH_LAY_T);
  unary_run (d, OH_SH (3, 1, 5), F64, OH_LAY_STEP);
}

static void
unary_fw_integer (gconstpointer d)
{
  const UnaryDef *u = d;

  if (u->float_only)
    {
      const LtDType dts[] = { I64, I32, U8, BOOL };

      for (guint j = 0; j < G_N_ELEMENTS (dts); j++)
        {
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) b = oh_arr_new (OH_SH (6), dts[j], OH_LAY_CONTIG, u->dist);
          g_autoptr(LtTensor) y = u->fn (b.t, &error);

          oh_check_error (y, error, LT_ERROR_DTYPE);
        }
      return;
    }
  unary_run (u, OH_SH (9), I64, OH_LAY_CONTIG);
  unary_run (u, OH_SH (3, 4), I32, OH_LAY_T);
  unary_run (u, OH_SH (7), I16, OH_LAY_STEP);
  unary_run (u, OH_SH (7), I8, OH_LAY_CONTIG);
  unary_run (u, OH_SH (2, 5), U8, OH_LAY_T);
  if (u->op == LT_OP_LOGICAL_NOT || u->op == LT_OP_ABS || u->op == LT_OP_SIGN || !u->keeps_int)
    unary_run (u, OH_SH (6), BOOL, OH_LAY_CONTIG);
  else
    {
      /* neg, relu and clamp of bool tensors are errors, as in torch */
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) b = oh_arr_new (OH_SH (6), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) y = u->fn (b.t, &error);

      oh_check_error (y, error, LT_ERROR_DTYPE);
    }
}

static void
unary_fw_inplace_big (gconstpointer d)
{
  const UnaryDef *u = d;
  g_autoptr(GError) error = NULL;
  /* writing through a transposed view, in tiles, on several threads */
  g_auto(OhArr) x = oh_arr_new (OH_SH (263, 267), F32, OH_LAY_T, u->dist);
  g_autofree double *ref = g_new (double, x.n);

  for (gint64 k = 0; k < x.n; k++)
    ref[k] = oh_wrap_to (u->ref (x.v[k]), F32);
  g_assert_cmpint (u->fn_ (x.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check (x.t, F32, x.s, ref);
}

static void
unary_fw_inplace (gconstpointer d)
{
  const UnaryDef *u = d;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 6), F32, OH_LAY_T, u->dist);
  g_auto(OhArr) i = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, u->dist);
  double ref[24];
  guint version = lt_tensor_get_version (x.t);

  g_assert_cmpint (u->fn_ (x.t, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 24; k++)
    ref[k] = oh_wrap_to (u->ref (x.v[k]), F32);
  oh_check (x.t, F32, OH_SH (4, 6), ref);
  g_assert_cmpuint (lt_tensor_get_version (x.t), >, version);
  /* an integer tensor cannot hold a float result */
  if (!u->keeps_int)
    {
      g_assert_cmpint (u->fn_ (i.t, &error), ==, FALSE);
      g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
    }
}

const OhCase oh_unary_forward[] = { { "contiguous", unary_fw_contiguous },
                                    { "transposed", unary_fw_transposed },
                                    { "strided", unary_fw_strided },
                                    { "expanded", unary_fw_expanded },
                                    { "rank0", unary_fw_rank0 },
                                    { "empty", unary_fw_empty },
                                    { "parallel", unary_fw_parallel },
                                    { "parallel_transposed", unary_fw_parallel_transposed },
                                    { "float64", unary_fw_float64 },
                                    { "integer", unary_fw_integer },
                                    { NULL, NULL } };

const OhCase oh_unary_forward_inplace[] = { { "inplace", unary_fw_inplace },
                                            { "inplace_parallel", unary_fw_inplace_big },
                                            { NULL, NULL } };

static void
clamp_fw_bounds (gconstpointer d)
{
  struct { double lo, hi; } b[] = {
    { -INFINITY, 0.5 }, { 0.25, INFINITY }, { -0.5, -0.5 }, { 0.5, 0.75 },
  };
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 5), F32, OH_LAY_T, OH_DIST_GRID);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (9), U8, OH_LAY_CONTIG, OH_DIST_UNIT);

  for (guint j = 0; j < G_N_ELEMENTS (b); j++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = lt_tensor_clamp (x.t, b[j].lo, b[j].hi, &error);
      double ref[20];

      g_assert_no_error (error);
      for (guint k = 0; k < 20; k++)
        ref[k] = oh_wrap_to (x.v[k] < b[j].lo ? b[j].lo : (x.v[k] > b[j].hi ? b[j].hi : x.v[k]), F32);
      oh_check (y, F32, OH_SH (4, 5), ref);
    }
  {
    /* uint8 with integer bounds, as torch.clamp(x, 3, 12) */
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) y = lt_tensor_clamp (xi.t, 3, 12, &error);
    double ref[9];

    g_assert_no_error (error);
    for (guint k = 0; k < 9; k++)
      ref[k] = CLAMP (xi.v[k], 3, 12);
    oh_check (y, U8, OH_SH (9), ref);
  }
}

static const OhCase clamp_forward_extra[] = {
  { "inplace", unary_fw_inplace },
  { "inplace_parallel", unary_fw_inplace_big },
  { "bounds", clamp_fw_bounds },
  { NULL, NULL }
};

/* Backward */

static LtTensor *
gc_unary (LtTensor **in, gsize n, gpointer data)
{
  const UnaryDef *u = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = u->fn (in[0], &error);

  g_assert_no_error (error);
  return y;
}

/* y = x.clone(); y.op_() */
static LtTensor *
gc_unary_inplace (LtTensor **in, gsize n, gpointer data)
{
  const UnaryDef *u = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (u->fn_ (y, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
unary_bw_run (const UnaryDef *u, OhShape s, OhLay lay)
{
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, u->gdist);

  oh_gradcheck (gc_unary, u, &x, 1);
}

static void
unary_bw_contiguous (gconstpointer d)
{
  unary_bw_run (d, OH_SH (3, 4), OH_LAY_CONTIG);
}

static void
unary_bw_transposed (gconstpointer d)
{
  unary_bw_run (d, OH_SH (4, 3), OH_LAY_T);
}

static void
unary_bw_strided (gconstpointer d)
{
  unary_bw_run (d, OH_SH (2, 5), OH_LAY_STEP);
}

static void
unary_bw_rank0 (gconstpointer d)
{
  unary_bw_run (d, OH_SH0, OH_LAY_CONTIG);
}

static void
unary_bw_empty (gconstpointer d)
{
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (0, 3), OH_LAY_T, OH_DIST_POS);

  oh_backward_shapes (gc_unary, d, &x, 1);
}

static void
unary_bw_inplace (gconstpointer d)
{
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, ((const UnaryDef *) d)->gdist);

  oh_gradcheck (gc_unary_inplace, d, &x, 1);
}

const OhCase oh_unary_backward[] = { { "contiguous", unary_bw_contiguous },
                                     { "transposed", unary_bw_transposed },
                                     { "strided", unary_bw_strided },
                                     { "rank0", unary_bw_rank0 },
                                     { "empty", unary_bw_empty },
                                     { "inplace", unary_bw_inplace },
                                     { NULL, NULL } };

/* Pointwise, two inputs */

typedef enum {
  BIN_ARITH,     /* result in the promoted dtype */
  BIN_DIV,       /* true division: integers give float32 */
  BIN_COMPARE,   /* bool result */
} BinKind;

typedef struct
{
  LtOp op;
  LtTensor *(*fn) (LtTensor *, LtTensor *, GError **);
  LtTensor *(*fn_scalar) (LtTensor *, double, GError **);
  LtTensor *(*fn_rscalar) (LtTensor *, double, GError **);   /* number op tensor */
  gboolean (*fn_) (LtTensor *, LtTensor *, GError **);
  double (*ref) (double, double);
  BinKind kind;
  OhDist da, db;       /* forward inputs */
  OhDist ga, gb;       /* gradcheck inputs */
  double scalar;     /* the number of the _scalar cases */
  gboolean bool_ok;  /* bool tensors have a kernel */
} BinaryDef;

static double ref_add (double a, double b) { return a + b; }
static double ref_sub (double a, double b) { return a - b; }
static double ref_mul (double a, double b) { return a * b; }
static double ref_div (double a, double b) { return a / b; }
static double ref_max (double a, double b) { return a > b ? a : b; }
static double ref_min (double a, double b) { return a < b ? a : b; }
static double ref_floordiv (double a, double b) { return floor (a / b); }
static double ref_remainder (double a, double b) { return a - b * floor (a / b); }
static double ref_eq (double a, double b) { return a == b; }
static double ref_ne (double a, double b) { return a != b; }
static double ref_lt (double a, double b) { return a < b; }
static double ref_le (double a, double b) { return a <= b; }
static double ref_gt (double a, double b) { return a > b; }
static double ref_ge (double a, double b) { return a >= b; }
static double ref_and (double a, double b) { return a != 0 && b != 0; }
static double ref_or (double a, double b) { return a != 0 || b != 0; }

static const BinaryDef bin_add = { LT_OP_ADD,
                                   lt_tensor_add, lt_tensor_add_scalar,
                                   NULL, lt_tensor_add_,
                                   ref_add, BIN_ARITH,
                                   OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT,
                                   0.75, TRUE };
static const BinaryDef bin_sub = { LT_OP_SUB,
                                   lt_tensor_sub, lt_tensor_sub_scalar,
                                   lt_tensor_rsub_scalar, lt_tensor_sub_,
                                   ref_sub, BIN_ARITH,
                                   OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT,
                                   0.75, FALSE };
static const BinaryDef bin_mul = { LT_OP_MUL,
                                   lt_tensor_mul, lt_tensor_mul_scalar,
                                   NULL, lt_tensor_mul_,
                                   ref_mul, BIN_ARITH,
                                   OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT, OH_DIST_UNIT,
                                   -1.5, TRUE };
static const BinaryDef bin_div = { LT_OP_DIV,
                                   lt_tensor_div, lt_tensor_div_scalar,
                                   lt_tensor_rdiv_scalar, lt_tensor_div_,
                                   ref_div, BIN_DIV,
                                   OH_DIST_UNIT, OH_DIST_AWAY, OH_DIST_UNIT, OH_DIST_AWAY,
                                   0.75, FALSE };
static const BinaryDef bin_pow = { LT_OP_POW,
                                   lt_tensor_pow, lt_tensor_pow_scalar,
                                   lt_tensor_rpow_scalar, lt_tensor_pow_,
                                   pow, BIN_ARITH,
                                   OH_DIST_POS, OH_DIST_EXPO, OH_DIST_POS, OH_DIST_EXPO,
                                   1.5, FALSE };
static const BinaryDef bin_maximum = { LT_OP_MAXIMUM,
                                       lt_tensor_maximum, lt_tensor_maximum_scalar,
                                       NULL, NULL,
                                       ref_max, BIN_ARITH,
                                       OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                       0.5, TRUE };
static const BinaryDef bin_minimum = { LT_OP_MINIMUM,
                                       lt_tensor_minimum, lt_tensor_minimum_scalar,
                                       NULL, NULL,
                                       ref_min, BIN_ARITH,
                                       OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                       0.5, TRUE };
static const BinaryDef bin_floordiv = { LT_OP_FLOOR_DIVIDE,
                                        lt_tensor_floor_divide, lt_tensor_floor_divide_scalar,
                                        NULL, lt_tensor_floor_divide_,
                                        ref_floordiv, BIN_ARITH,
                                        OH_DIST_WIDE, OH_DIST_AWAY, OH_DIST_UNIT, OH_DIST_AWAY,
                                        -0.75, FALSE };
static const BinaryDef bin_remainder = { LT_OP_REMAINDER,
                                         lt_tensor_remainder, lt_tensor_remainder_scalar,
                                         NULL, lt_tensor_remainder_,
                                         ref_remainder, BIN_ARITH,
                                         OH_DIST_WIDE, OH_DIST_AWAY, OH_DIST_UNIT, OH_DIST_POS,
                                         -0.75, FALSE };
static const BinaryDef bin_eq = { LT_OP_EQ,
                                  lt_tensor_eq, lt_tensor_eq_scalar,
                                  NULL, NULL,
                                  ref_eq, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_ne = { LT_OP_NE,
                                  lt_tensor_ne, lt_tensor_ne_scalar,
                                  NULL, NULL,
                                  ref_ne, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_lt = { LT_OP_LT,
                                  lt_tensor_lt, lt_tensor_lt_scalar,
                                  NULL, NULL,
                                  ref_lt, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_le = { LT_OP_LE,
                                  lt_tensor_le, lt_tensor_le_scalar,
                                  NULL, NULL,
                                  ref_le, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_gt = { LT_OP_GT,
                                  lt_tensor_gt, lt_tensor_gt_scalar,
                                  NULL, NULL,
                                  ref_gt, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_ge = { LT_OP_GE,
                                  lt_tensor_ge, lt_tensor_ge_scalar,
                                  NULL, NULL,
                                  ref_ge, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_and = { LT_OP_LOGICAL_AND,
                                   lt_tensor_logical_and, NULL,
                                   NULL, NULL,
                                   ref_and, BIN_COMPARE,
                                   OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                   0, TRUE };
static const BinaryDef bin_or = { LT_OP_LOGICAL_OR,
                                  lt_tensor_logical_or, NULL,
                                  NULL, NULL,
                                  ref_or, BIN_COMPARE,
                                  OH_DIST_GRID, OH_DIST_GRID, OH_DIST_UNIT, OH_DIST_UNIT,
                                  0, TRUE };

static LtDType
binary_out_dtype (const BinaryDef *b, LtDType ct)
{
  if (b->kind == BIN_COMPARE)
    return BOOL;
  if (b->kind == BIN_DIV && !oh_is_float (ct))
    return F32;
  return ct;
}

/* Reference of @b over broadcast operands, rounded to @odt, computed in
 * @ct (the inputs are exact in it). */
static double *
binary_ref (const BinaryDef *b, const OhArr *x, const OhArr *y, LtDType ct, LtDType odt, OhShape *out)
{
  OhShape o = oh_broadcast (x->s, y->s);
  gint64 n = oh_numel (o), idx[LT_MAX_DIMS];
  double *ref = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    {
      double a, c;

      oh_unravel (k, o, idx);
      a = oh_wrap_to (x->v[oh_bindex (idx, o.n, x->s)], ct);
      c = oh_wrap_to (y->v[oh_bindex (idx, o.n, y->s)], ct);
      ref[k] = oh_wrap_to (b->ref (a, c), odt);
    }
  *out = o;
  return ref;
}

static void
binary_check (const BinaryDef *b, const OhArr *x, const OhArr *y, LtDType ct)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) z = b->fn (x->t, y->t, &error);
  LtDType odt = binary_out_dtype (b, ct);
  OhShape o;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  ref = binary_ref (b, x, y, ct, odt, &o);
  oh_check (z, odt, o, ref);
}

static void
binary_run (const BinaryDef *b, OhShape sa, LtDType da, OhLay la, OhShape sb, LtDType db, OhLay lb)
{
  g_auto(OhArr) x = oh_arr_new (sa, da, la, b->da);
  g_auto(OhArr) y = oh_arr_new (sb, db, lb, b->db);

  binary_check (b, &x, &y, oh_promote (da, db));
}

static void
bin_fw_contiguous (gconstpointer d)
{
  binary_run (d, OH_SH (13), F32, OH_LAY_CONTIG, OH_SH (13), F32, OH_LAY_CONTIG);
}

static void
bin_fw_broadcast (gconstpointer d)
{
  binary_run (d, OH_SH (2, 1, 4, 1), F32, OH_LAY_CONTIG, OH_SH (3, 1, 5), F32, OH_LAY_TPAD);
  binary_run (d, OH_SH (4, 1, 5), F32, OH_LAY_CONTIG, OH_SH (3, 1), F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH (7), F32, OH_LAY_CONTIG, OH_SH (2, 3, 1), F32, OH_LAY_T);
}

static void
bin_fw_transposed (gconstpointer d)
{
  binary_run (d, OH_SH (5, 7), F32, OH_LAY_T, OH_SH (5, 7), F32, OH_LAY_STEP);
  binary_run (d, OH_SH (5, 7), F32, OH_LAY_TPAD, OH_SH (5, 7), F32, OH_LAY_PAD);
}

static void
bin_fw_expanded (gconstpointer d)
{
  binary_run (d, OH_SH (6, 5), F32, OH_LAY_EXPAND, OH_SH (6, 5), F32, OH_LAY_T);
  binary_run (d, OH_SH (6, 5), F32, OH_LAY_T, OH_SH (6, 5), F32, OH_LAY_EXPAND);
}

static void
bin_fw_rank0 (gconstpointer d)
{
  binary_run (d, OH_SH0, F32, OH_LAY_CONTIG, OH_SH (6), F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH (2, 3), F32, OH_LAY_T, OH_SH0, F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH0, F64, OH_LAY_CONTIG, OH_SH0, F64, OH_LAY_CONTIG);
}

static void
bin_fw_empty (gconstpointer d)
{
  binary_run (d, OH_SH (0, 4), F32, OH_LAY_CONTIG, OH_SH (4), F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH (3, 0), F32, OH_LAY_T, OH_SH (3, 1), F32, OH_LAY_CONTIG);
}

static void
bin_fw_parallel (gconstpointer d)
{
  binary_run (d, OH_SH (OH_BIG), F32, OH_LAY_CONTIG, OH_SH (OH_BIG), F32, OH_LAY_CONTIG);
}

static void
bin_fw_parallel_broadcast (gconstpointer d)
{
  binary_run (d, OH_SH (280, 251), F32, OH_LAY_T, OH_SH (251), F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH (251, 1), F32, OH_LAY_CONTIG, OH_SH (251, 280), F32, OH_LAY_STEP);
  binary_run (d, OH_SH (3, 97, 71), F32, OH_LAY_TPAD, OH_SH (97, 1), F32, OH_LAY_CONTIG);
  binary_run (d, OH_SH (300, 251), F32, OH_LAY_EXPAND, OH_SH (300, 251), F32, OH_LAY_T);
}

static void
bin_fw_float64 (gconstpointer d)
{
  binary_run (d, OH_SH (5, 3), F64, OH_LAY_T, OH_SH (3), F64, OH_LAY_CONTIG);
}

static void
bin_fw_integer (gconstpointer d)
{
  const BinaryDef *b = d;
  const LtDType dts[] = { I64, I32, I16, I8, U8 };

  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      binary_run (b, OH_SH (4, 5), dts[i], OH_LAY_T, OH_SH (5), dts[i], OH_LAY_CONTIG);
      binary_run (b, OH_SH (3, 1), dts[i], OH_LAY_CONTIG, OH_SH (3, 4), dts[i], OH_LAY_STEP);
    }
  if (b->bool_ok)
    binary_run (b, OH_SH (3, 4), BOOL, OH_LAY_T, OH_SH (4), BOOL, OH_LAY_CONTIG);
  else if (b->op == LT_OP_SUB)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (OH_SH (3), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) z = b->fn (x.t, x.t, &error);

      oh_check_error (z, error, LT_ERROR_DTYPE);
    }
  if (b->op == LT_OP_FLOOR_DIVIDE || b->op == LT_OP_REMAINDER)
    {
      /* integer division by zero is an error, not a signal */
      static const double num[] = { 3, 4 }, den[] = { 1, 0 };
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_from (num, OH_SH (2), I64, OH_LAY_CONTIG);
      g_auto(OhArr) y = oh_arr_from (den, OH_SH (2), I64, OH_LAY_CONTIG);
      g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

      oh_check_error (z, error, LT_ERROR_INVALID_ARGUMENT);
    }
}

/* Mixed dtypes: the result type of torch.result_type. */
static void
bin_fw_promotion (gconstpointer d)
{
  const BinaryDef *b = d;
  struct { LtDType a, b; } pairs[] = {
    { I32, F32 }, { U8, I8 }, { BOOL, I32 }, { F32, F64 }, { I64, I16 }, { U8, I64 },
    { BOOL, F64 }, { I8, I16 },
  };
  /* a 0-dim tensor or a number takes part only when of a higher category */
  struct { LtDType a; int b; LtDType ct; } zero_dim[] = {
    { I64, F64, F64 }, { F32, F64, F32 }, { I32, I64, I32 }, { U8, I8, U8 }, { BOOL, I64, I64 },
    { I64, -1, F32 },   /* -1: a wrapped float */
    { U8, -2, U8 },     /* -2: a wrapped int */
    { BOOL, -2, I64 }, { BOOL, -1, F32 }, { F64, -1, F64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      if (b->op == LT_OP_SUB && (pairs[i].a == BOOL || pairs[i].b == BOOL))
        continue;
      binary_run (b, OH_SH (4, 3), pairs[i].a, OH_LAY_T, OH_SH (3), pairs[i].b, OH_LAY_CONTIG);
    }
  for (guint i = 0; i < G_N_ELEMENTS (zero_dim); i++)
    {
      g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), zero_dim[i].a, OH_LAY_CONTIG, b->da);
      g_auto(OhArr) y = { NULL };
      double v = zero_dim[i].b == -1 ? 1.5
                 : zero_dim[i].b == -2 ? 2
                 : oh_draw (b->db, zero_dim[i].b);

      y.s = OH_SH0;
      y.n = 1;
      y.v = g_new (double, 1);
      y.v[0] = v;
      if (zero_dim[i].b == -1)
        y.t = lt_scalar (v);
      else if (zero_dim[i].b == -2)
        y.t = lt_scalar_int ((gint64) v);
      else
        {
          y.v[0] = oh_wrap_to (v, zero_dim[i].b);
          y.t = lt_scalar_tensor (y.v[0], zero_dim[i].b);
        }
      if (b->op == LT_OP_SUB && zero_dim[i].a == BOOL)
        {
          /* as torch: a bool operand of a subtraction is an error */
          g_autoptr(GError) error = NULL;
          g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

          oh_check_error (z, error, LT_ERROR_DTYPE);
          continue;
        }
      binary_check (b, &x, &y, zero_dim[i].ct);
    }
}

/* tensor op number, and number op tensor */
static void
bin_fw_scalar (gconstpointer d)
{
  const BinaryDef *b = d;
  const LtDType dts[] = { F32, F64, I64, U8 };

  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), dts[i], OH_LAY_T, b->op == LT_OP_POW ? OH_DIST_POS : b->da);
      /* a Python float: integer tensors compute in float32 */
      LtDType ct = oh_is_float (dts[i]) ? dts[i] : F32;
      LtDType odt = binary_out_dtype (b, ct);
      g_autoptr(LtTensor) z = b->fn_scalar (x.t, b->scalar, &error);
      g_autoptr(LtTensor) r = NULL;
      double ref[12], rref[12];
      double s = oh_wrap_to (b->scalar, ct);

      g_assert_no_error (error);
      for (guint k = 0; k < 12; k++)
        {
          ref[k] = oh_wrap_to (b->ref (x.v[k], s), odt);
          rref[k] = oh_wrap_to (b->ref (s, x.v[k]), odt);
        }
      oh_check (z, odt, OH_SH (3, 4), ref);
      if (b->fn_rscalar)
        {
          r = b->fn_rscalar (x.t, b->scalar, &error);
          g_assert_no_error (error);
          oh_check (r, odt, OH_SH (3, 4), rref);
        }
    }
}

static void
bin_fw_inplace (gconstpointer d)
{
  const BinaryDef *b = d;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (4, 6), F32, OH_LAY_T, b->da);
  g_auto(OhArr) y = oh_arr_new (OH_SH (6), F64, OH_LAY_CONTIG, b->db);
  g_auto(OhArr) i = oh_arr_new (OH_SH (6), I64, OH_LAY_CONTIG, b->da);
  g_auto(OhArr) s = oh_arr_new (OH_SH (6), I32, OH_LAY_CONTIG, b->db);
  double ref[24], iref[6];

  /* self (a transposed view) op= a broadcast float64 tensor: float32 result */
  for (guint k = 0; k < 24; k++)
    ref[k] = oh_wrap_to (b->ref (x.v[k], y.v[k % 6]), F32);
  g_assert_cmpint (b->fn_ (x.t, y.t, &error), ==, TRUE);
  g_assert_no_error (error);
  oh_check_tol (x.t, F32, OH_SH (4, 6), ref, 1e-5, 1e-5);

  /* int64 op= int32 stays int64; true division cannot */
  for (guint k = 0; k < 6; k++)
    iref[k] = oh_wrap_to (b->ref (i.v[k], s.v[k]), I64);
  if (b->kind == BIN_DIV)
    {
      g_assert_cmpint (b->fn_ (i.t, s.t, &error), ==, FALSE);
      g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
      g_clear_error (&error);
    }
  else
    {
      g_assert_cmpint (b->fn_ (i.t, s.t, &error), ==, TRUE);
      g_assert_no_error (error);
      oh_check (i.t, I64, OH_SH (6), iref);
    }
  /* a float result does not fit an integer tensor */
  g_assert_cmpint (b->fn_ (i.t, y.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  /* nor does a broadcast result fit a smaller self */
  g_assert_cmpint (b->fn_ (y.t, x.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);

  {
    /* a transposed self op= a broadcast row, in tiles on several threads */
    g_auto(OhArr) big = oh_arr_new (OH_SH (280, 251), F32, OH_LAY_T, b->da);
    g_auto(OhArr) row = oh_arr_new (OH_SH (251), F32, OH_LAY_CONTIG, b->db);
    g_autofree double *bref = g_new (double, big.n);

    for (gint64 k = 0; k < big.n; k++)
      bref[k] = oh_wrap_to (b->ref (big.v[k], row.v[k % 251]), F32);
    g_assert_cmpint (b->fn_ (big.t, row.t, &error), ==, TRUE);
    g_assert_no_error (error);
    oh_check (big.t, F32, big.s, bref);
  }
}

static void
bin_fw_shape_error (gconstpointer d)
{
  const BinaryDef *b = d;
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_CONTIG, OH_DIST_POS);
  g_auto(OhArr) y = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_POS);
  g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

  oh_check_error (z, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5, 3]"));
}

static const OhCase binary_forward[] = {
  { "contiguous", bin_fw_contiguous },
  { "broadcast", bin_fw_broadcast },
  { "transposed", bin_fw_transposed },
  { "expanded", bin_fw_expanded },
  { "rank0", bin_fw_rank0 },
  { "empty", bin_fw_empty },
  { "parallel", bin_fw_parallel },
  { "parallel_broadcast", bin_fw_parallel_broadcast },
  { "float64", bin_fw_float64 },
  { "integer", bin_fw_integer },
  { "promotion", bin_fw_promotion },
  { "shape_error", bin_fw_shape_error },
  { NULL, NULL }
};

static const OhCase binary_forward_scalar[] = {
  { "scalar", bin_fw_scalar },
  { NULL, NULL }
};

static const OhCase binary_forward_scalar_inplace[] = {
  { "scalar", bin_fw_scalar },
  { "inplace", bin_fw_inplace },
  { NULL, NULL }
};

static void
add_fw_out_scaled (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) y = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) o = oh_arr_new (OH_SH (3, 4), F64, OH_LAY_T, OH_DIST_UNIT);
  g_autoptr(LtTensor) s = lt_tensor_add_scaled (x.t, y.t, -2.5, &error);
  double ref[12], sref[12];

  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    {
      ref[k] = x.v[k] + y.v[k % 4];
      sref[k] = oh_wrap_to (x.v[k] + oh_wrap_to (-2.5 * y.v[k % 4], F32), F32);
    }
  oh_check (s, F32, OH_SH (3, 4), sref);
  /* out= into a float64 transposed tensor */
  g_assert_cmpint (lt_tensor_add_out (x.t, y.t, o.t, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = oh_wrap_to (ref[k], F32);
  oh_check (o.t, F64, OH_SH (3, 4), ref);
  g_assert_cmpint (lt_tensor_add_scaled_ (x.t, y.t, 2, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = oh_wrap_to (x.v[k] + oh_wrap_to (2 * y.v[k % 4], F32), F32);
  oh_check (x.t, F32, OH_SH (3, 4), ref);
}

static const OhCase add_forward_extra[] = {
  { "scalar", bin_fw_scalar },
  { "inplace", bin_fw_inplace },
  { "out_scaled", add_fw_out_scaled },
  { NULL, NULL }
};

/* Backward */

static LtTensor *
gc_binary (LtTensor **in, gsize n, gpointer data)
{
  const BinaryDef *b = data;
  g_autoptr(GError) error = NULL;
  LtTensor *z = b->fn (in[0], in[1], &error);

  g_assert_no_error (error);
  return z;
}

static LtTensor *
gc_binary_scalar (LtTensor **in, gsize n, gpointer data)
{
  const BinaryDef *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) z = b->fn_scalar (in[0], b->scalar, &error);
  g_autoptr(LtTensor) r = NULL;

  g_assert_no_error (error);
  if (b->fn_rscalar == NULL)
    return g_steal_pointer (&z);
  r = b->fn_rscalar (in[0], b->scalar, &error);
  g_assert_no_error (error);
  return lt_tensor_add (z, r, NULL);
}

/* y = a.clone(); y.op_(b) */
static LtTensor *
gc_binary_inplace (LtTensor **in, gsize n, gpointer data)
{
  const BinaryDef *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (b->fn_ (y, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

/* y = a.clone(); y.op_(y): both operands are the overwritten tensor */
static LtTensor *
gc_binary_inplace_self (LtTensor **in, gsize n, gpointer data)
{
  const BinaryDef *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (b->fn_ (y, y, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
binary_bw_run (const BinaryDef *b, OhShape sa, OhLay la, OhShape sb, OhLay lb)
{
  LtTensor *in[2] = { oh_leaf_new (sa, la, b->ga), oh_leaf_new (sb, lb, b->gb) };

  oh_gradcheck (gc_binary, b, in, 2);
  /* one side only */
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], FALSE, NULL), ==, TRUE);
  oh_gradcheck (gc_binary, b, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
bin_bw_contiguous (gconstpointer d)
{
  binary_bw_run (d, OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (3, 4), OH_LAY_CONTIG);
}

static void
bin_bw_broadcast (gconstpointer d)
{
  binary_bw_run (d, OH_SH (3, 1, 4), OH_LAY_CONTIG, OH_SH (2, 1), OH_LAY_CONTIG);
  binary_bw_run (d, OH_SH (4), OH_LAY_CONTIG, OH_SH (3, 4), OH_LAY_T);
}

static void
bin_bw_transposed (gconstpointer d)
{
  binary_bw_run (d, OH_SH (4, 3), OH_LAY_T, OH_SH (4, 3), OH_LAY_STEP);
}

static void
bin_bw_rank0 (gconstpointer d)
{
  binary_bw_run (d, OH_SH (2, 3), OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG);
  binary_bw_run (d, OH_SH0, OH_LAY_CONTIG, OH_SH0, OH_LAY_CONTIG);
}

static void
bin_bw_empty (gconstpointer d)
{
  const BinaryDef *b = d;
  LtTensor *in[2] = { oh_leaf_new (OH_SH (0, 3), OH_LAY_CONTIG, b->ga),
                      oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, b->gb) };

  oh_backward_shapes (gc_binary, b, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
bin_bw_scalar (gconstpointer d)
{
  const BinaryDef *b = d;
  OhDist dist = b->op == LT_OP_POW ? OH_DIST_POS : (b->fn_rscalar ? b->gb : b->ga);
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, dist);

  oh_gradcheck (gc_binary_scalar, b, &x, 1);
}

static void
bin_bw_inplace (gconstpointer d)
{
  const BinaryDef *b = d;
  LtTensor *in[2] = { oh_leaf_new (OH_SH (3, 4), OH_LAY_T, b->ga), oh_leaf_new (OH_SH (4), OH_LAY_CONTIG, b->gb) };

  oh_gradcheck (gc_binary_inplace, b, in, 2);
  oh_gradcheck (gc_binary_inplace_self, b, in, 1);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const OhCase binary_backward[] = {
  { "contiguous", bin_bw_contiguous },
  { "broadcast", bin_bw_broadcast },
  { "transposed", bin_bw_transposed },
  { "rank0", bin_bw_rank0 },
  { "empty", bin_bw_empty },
  { "scalar", bin_bw_scalar },
  { NULL, NULL }
};

static const OhCase binary_backward_inplace[] = {
  { "inplace", bin_bw_inplace },
  { NULL, NULL }
};

/* maximum/minimum split the gradient in half on ties, as PyTorch 1.13. */
static void
extremum_bw_ties (gconstpointer d)
{
  const BinaryDef *b = d;
  static const double va[] = { 1, 2, 3, -1 }, vb[] = { 1, 0, 4, -1 };
  g_autoptr(LtTensor) a = oh_leaf_from (va, OH_SH (4));
  g_autoptr(LtTensor) c = oh_leaf_from (vb, OH_SH (4));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) z = b->fn (a, c, &error);
  g_autofree double *ga = NULL;
  g_autofree double *gb = NULL;
  gboolean is_max = b->op == LT_OP_MAXIMUM;

  g_assert_no_error (error);
  oh_backward_sum (z);
  ga = oh_grad_of (a);
  gb = oh_grad_of (c);
  for (guint k = 0; k < 4; k++)
    {
      double wa = va[k] == vb[k] ? 0.5 : ((va[k] > vb[k]) == is_max ? 1 : 0);

      g_assert_cmpfloat (ga[k], ==, wa);
      g_assert_cmpfloat (gb[k], ==, 1 - wa);
    }
}

static const OhCase extremum_backward_extra[] = {
  { "ties", extremum_bw_ties },
  { NULL, NULL }
};

/* where (cond, a, b); masked_fill (x, mask, v) is in test-ops-index.c */

static void
where_run (OhShape sc, OhLay lc, OhShape sa, LtDType da, OhLay la, OhShape sb, LtDType db, OhLay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) c = oh_arr_new (sc, BOOL, lc, OH_DIST_UNIT);
  g_auto(OhArr) a = oh_arr_new (sa, da, la, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (sb, db, lb, OH_DIST_UNIT);
  g_autoptr(LtTensor) z = lt_where (c.t, a.t, b.t, &error);
  LtDType ct = oh_promote (da, db);
  OhShape o = oh_broadcast (sc, oh_broadcast (sa, sb));
  gint64 n = oh_numel (o), idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      oh_unravel (k, o, idx);
      ref[k] = c.v[oh_bindex (idx, o.n, sc)] ? a.v[oh_bindex (idx, o.n, sa)] : b.v[oh_bindex (idx, o.n, sb)];
      ref[k] = oh_wrap_to (ref[k], ct);
    }
  oh_check (z, ct, o, ref);
}

static void
where_fw_broadcast (gconstpointer d)
{
  where_run (OH_SH (4, 1), OH_LAY_CONTIG, OH_SH (1, 5), F32, OH_LAY_CONTIG, OH_SH (4, 5), F32, OH_LAY_CONTIG);
  where_run (OH_SH (5), OH_LAY_CONTIG, OH_SH (3, 1, 5), F32, OH_LAY_T, OH_SH (2, 1), F32, OH_LAY_CONTIG);
}

static void
where_fw_transposed (gconstpointer d)
{
  where_run (OH_SH (5, 6), OH_LAY_T, OH_SH (5, 6), F32, OH_LAY_STEP, OH_SH (5, 6), F32, OH_LAY_T);
}

static void
where_fw_expanded (gconstpointer d)
{
  where_run (OH_SH (4, 6), OH_LAY_EXPAND, OH_SH (4, 6), F32, OH_LAY_T, OH_SH (4, 6), F32, OH_LAY_EXPAND);
}

static void
where_fw_rank0 (gconstpointer d)
{
  where_run (OH_SH0, OH_LAY_CONTIG, OH_SH (3), F32, OH_LAY_CONTIG, OH_SH0, F32, OH_LAY_CONTIG);
  where_run (OH_SH0, OH_LAY_CONTIG, OH_SH0, F64, OH_LAY_CONTIG, OH_SH0, F64, OH_LAY_CONTIG);
}

static void
where_fw_empty (gconstpointer d)
{
  where_run (OH_SH (0, 3), OH_LAY_CONTIG, OH_SH (3), F32, OH_LAY_CONTIG, OH_SH (1), F32, OH_LAY_CONTIG);
}

static void
where_fw_parallel (gconstpointer d)
{
  where_run (OH_SH (300, 251), OH_LAY_T, OH_SH (251), F32, OH_LAY_CONTIG, OH_SH (300, 1), F32, OH_LAY_CONTIG);
}

static void
where_fw_dtypes (gconstpointer d)
{
  where_run (OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (4), I32, OH_LAY_CONTIG, OH_SH (3, 4), F64, OH_LAY_T);
  where_run (OH_SH (3, 4), OH_LAY_T, OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_SH (3, 4), I64, OH_LAY_STEP);
  where_run (OH_SH (7), OH_LAY_CONTIG, OH_SH (7), U8, OH_LAY_CONTIG, OH_SH (7), I8, OH_LAY_CONTIG);
  where_run (OH_SH (7), OH_LAY_CONTIG, OH_SH (7), BOOL, OH_LAY_CONTIG, OH_SH (7), BOOL, OH_LAY_STEP);
  where_run (OH_SH (2, 7), OH_LAY_CONTIG, OH_SH (7), I16, OH_LAY_CONTIG, OH_SH (2, 7), I16, OH_LAY_T);
}

static void
where_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) c = oh_arr_new (OH_SH (3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (OH_SH (4), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) z = lt_where (c.t, c.t, c.t, &error);

  oh_check_error (z, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  z = lt_where (m.t, c.t, c.t, &error);
  oh_check_error (z, error, LT_ERROR_SHAPE);
}

static const OhCase where_forward[] = {
  { "broadcast", where_fw_broadcast },
  { "transposed", where_fw_transposed },
  { "expanded", where_fw_expanded },
  { "rank0", where_fw_rank0 },
  { "empty", where_fw_empty },
  { "parallel", where_fw_parallel },
  { "dtypes", where_fw_dtypes },
  { "errors", where_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_where (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *z = lt_where (in[0], in[1], in[2], &error);

  g_assert_no_error (error);
  return z;
}

static void
where_bw_run (OhShape sc, OhShape sa, OhLay la, OhShape sb, OhLay lb)
{
  g_auto(OhArr) c = oh_arr_new (sc, BOOL, OH_LAY_T, OH_DIST_UNIT);
  LtTensor *in[3] = { c.t, oh_leaf_new (sa, la, OH_DIST_UNIT), oh_leaf_new (sb, lb, OH_DIST_UNIT) };

  oh_gradcheck (gc_where, NULL, in, 3);
  g_object_unref (in[1]);
  g_object_unref (in[2]);
}

static void
where_bw_broadcast (gconstpointer d)
{
  where_bw_run (OH_SH (3, 4), OH_SH (3, 1), OH_LAY_CONTIG, OH_SH (1, 4), OH_LAY_CONTIG);
  where_bw_run (OH_SH (4), OH_SH (2, 4), OH_LAY_CONTIG, OH_SH (1), OH_LAY_CONTIG);
}

static void
where_bw_transposed (gconstpointer d)
{
  where_bw_run (OH_SH (4, 3), OH_SH (4, 3), OH_LAY_T, OH_SH (4, 3), OH_LAY_STEP);
}

static void
where_bw_rank0 (gconstpointer d)
{
  where_bw_run (OH_SH (2, 3), OH_SH0, OH_LAY_CONTIG, OH_SH (2, 3), OH_LAY_CONTIG);
}

static void
where_bw_empty (gconstpointer d)
{
  g_auto(OhArr) c = oh_arr_new (OH_SH (0, 3), BOOL, OH_LAY_T, OH_DIST_UNIT);
  LtTensor *in[3] = { c.t, oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (0, 1), OH_LAY_CONTIG, OH_DIST_UNIT) };

  oh_backward_shapes (gc_where, NULL, in, 3);
  g_object_unref (in[1]);
  g_object_unref (in[2]);
}

static const OhCase where_backward[] = {
  { "broadcast", where_bw_broadcast },
  { "transposed", where_bw_transposed },
  { "rank0", where_bw_rank0 },
  { "empty", where_bw_empty },
  { NULL, NULL }
};

/* leaky_relu (ops/lt-activation.c): composes public ops, one node */

static void
leaky_run (OhShape s, LtDType dt, OhLay lay, double slope)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_GRID);
  g_autoptr(LtTensor) y = lt_leaky_relu (x.t, slope, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = x.v[k] > 0 ? x.v[k] : x.v[k] * slope;
  oh_check (y, dt, s, ref);
}

static void
leaky_fw_values (gconstpointer d)
{
  leaky_run (OH_SH (4, 5), F32, OH_LAY_CONTIG, 0.01);
  leaky_run (OH_SH (4, 5), F32, OH_LAY_T, 0.2);
  leaky_run (OH_SH (3, 7), F64, OH_LAY_STEP, -0.5);
  leaky_run (OH_SH (2, 3), F32, OH_LAY_EXPAND, 1.5);
  leaky_run (OH_SH0, F64, OH_LAY_CONTIG, 0.1);
  leaky_run (OH_SH (0, 4), F32, OH_LAY_CONTIG, 0.1);
  leaky_run (OH_SH (OH_BIG), F32, OH_LAY_CONTIG, 0.01);
}

static void
leaky_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y = lt_leaky_relu (x.t, 0.1, &error);

  oh_check_error (y, error, LT_ERROR_DTYPE);
}

static const OhCase leaky_relu_forward[] = { { "values", leaky_fw_values },
                                             { "errors", leaky_fw_errors },
                                             { NULL, NULL } };

static LtTensor *
gc_leaky (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_leaky_relu (in[0], *(const double *) data, &error);

  g_assert_no_error (error);
  return y;
}

static void
leaky_bw_values (gconstpointer d)
{
  static const double slopes[] = { 0.01, 0.3, -2 };

  for (guint i = 0; i < G_N_ELEMENTS (slopes); i++)
    {
      OhLay lay = i == 1 ? OH_LAY_T : OH_LAY_CONTIG;
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), lay, OH_DIST_AWAY);
      g_autoptr(LtTensor) x0 = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_AWAY);

      oh_gradcheck (gc_leaky, &slopes[i], &x, 1);
      oh_gradcheck (gc_leaky, &slopes[i], &x0, 1);
    }
}

/* At 0 the gradient is the slope's, as PyTorch's (x > 0 ? g : g * slope) */
static void
leaky_bw_zero (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double v[] = { -1, 0, 2 };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (3));
  g_autoptr(LtTensor) y = lt_leaky_relu (x, 0.25, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "LeakyReluBackward0");
  oh_backward_sum (y);
  g = oh_grad_of (x);
  g_assert_cmpfloat (g[0], ==, 0.25);
  g_assert_cmpfloat (g[1], ==, 0.25);
  g_assert_cmpfloat (g[2], ==, 1);
}

static const OhCase leaky_relu_backward[] = { { "values", leaky_bw_values },
                                              { "zero", leaky_bw_zero },
                                              { NULL, NULL } };

/* The specs, in the order of the op table */

#define UNARY(op, path, def)                                                                       \
  OH_SPEC (op, path, &def, oh_unary_forward, oh_unary_forward_inplace, oh_unary_backward, NULL)
#define BINARY(op, path, def, fwx, bwx) \
  OH_SPEC (op, path, &def, binary_forward, fwx, binary_backward, bwx)
#define COMPARE(op, path, def) \
  OH_SPEC (op, path, &def, binary_forward, binary_forward_scalar, NULL, NULL)

static const OhSpec specs[] = {
  UNARY (LT_OP_NEG, "neg", un_neg),
  UNARY (LT_OP_ABS, "abs", un_abs),
  UNARY (LT_OP_SIGN, "sign", un_sign),
  UNARY (LT_OP_EXP, "exp", un_exp),
  UNARY (LT_OP_LOG, "log", un_log),
  UNARY (LT_OP_SQRT, "sqrt", un_sqrt),
  UNARY (LT_OP_RSQRT, "rsqrt", un_rsqrt),
  UNARY (LT_OP_SIN, "sin", un_sin),
  UNARY (LT_OP_COS, "cos", un_cos),
  UNARY (LT_OP_TANH, "tanh", un_tanh),
  UNARY (LT_OP_SIGMOID, "sigmoid", un_sigmoid),
  UNARY (LT_OP_RELU, "relu", un_relu),
  OH_SPEC (LT_OP_CLAMP,
           "clamp",
           &un_clamp,
           oh_unary_forward,
           clamp_forward_extra,
           oh_unary_backward,
           NULL),
  OH_SPEC (LT_OP_LOGICAL_NOT,
           "logical_not",
           &un_not,
           oh_unary_forward,
           oh_unary_forward_inplace,
           NULL,
           NULL),
  OH_SPEC (LT_OP_LEAKY_RELU,
           "leaky_relu",
           NULL,
           leaky_relu_forward,
           NULL,
           leaky_relu_backward,
           NULL),

  BINARY (LT_OP_ADD, "add", bin_add, add_forward_extra, binary_backward_inplace),
  BINARY (LT_OP_SUB, "sub", bin_sub, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_MUL, "mul", bin_mul, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_DIV, "div", bin_div, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_POW, "pow", bin_pow, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_MAXIMUM, "maximum", bin_maximum, binary_forward_scalar, extremum_backward_extra),
  BINARY (LT_OP_MINIMUM, "minimum", bin_minimum, binary_forward_scalar, extremum_backward_extra),
  OH_SPEC (LT_OP_FLOOR_DIVIDE,
           "floor_divide",
           &bin_floordiv,
           binary_forward,
           binary_forward_scalar_inplace,
           NULL,
           NULL),
  BINARY (LT_OP_REMAINDER,
          "remainder",
          bin_remainder,
          binary_forward_scalar_inplace,
          binary_backward_inplace),
  COMPARE (LT_OP_EQ, "eq", bin_eq),
  COMPARE (LT_OP_NE, "ne", bin_ne),
  COMPARE (LT_OP_LT, "lt", bin_lt),
  COMPARE (LT_OP_LE, "le", bin_le),
  COMPARE (LT_OP_GT, "gt", bin_gt),
  COMPARE (LT_OP_GE, "ge", bin_ge),
  OH_SPEC (LT_OP_LOGICAL_AND, "logical_and", &bin_and, binary_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_LOGICAL_OR, "logical_or", &bin_or, binary_forward, NULL, NULL, NULL),

  OH_SPEC (LT_OP_WHERE, "where", NULL, where_forward, NULL, where_backward, NULL),
};

guint
oh_register_pointwise (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
