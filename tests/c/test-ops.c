/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness, after ggml's tests/test-backend-ops.cpp: every
 * LtOp of _lt_op_table (ops/lt-op-table.c) has a spec here, and
 * /ops/table/complete fails for an op without one, so adding an op without
 * a test fails CI.
 *
 * Forward: each op runs on random inputs of several layouts (contiguous,
 * transposed, sliced with a step, expanded with stride 0), with
 * broadcasting, size-0 and rank-0 tensors, odd lengths and lengths above
 * the CPU backend's parallel threshold; the result is compared with a
 * float64 reference computed here with plain loops over doubles (never by
 * the library), element by element within tolerances that follow the
 * dtype. Integer results must match exactly.
 *
 * Backward: every op with a backward rule goes through lt_gradcheck()
 * (float64 leaves, eps 1e-6, atol 1e-5, rtol 1e-3) on the same kinds of
 * inputs, away from points where the op is not differentiable, except for
 * the dedicated tie tests that pin PyTorch's choices.
 *
 * Ops that only internal code reaches (fill, copy, the random kernels,
 * arange, linspace, index_add, masked_scatter, alias, accumulate_grad) are
 * exercised through the public functions that use them.
 */

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "ops/lt-op-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "core/lt-philox-private.h"

#define F32 LT_DTYPE_FLOAT32
#define F64 LT_DTYPE_FLOAT64
#define I64 LT_DTYPE_INT64
#define I32 LT_DTYPE_INT32
#define I16 LT_DTYPE_INT16
#define I8 LT_DTYPE_INT8
#define U8 LT_DTYPE_UINT8
#define BOOL LT_DTYPE_BOOL

/* Above LT_CPU_GRAIN * 2 = 65536 elements the CPU backend splits loops
 * across threads; full reductions split above 2 * 65536. */
#define BIG 70001
#define BIG_REDUCE 140001

#define ALL_DIMS G_MININT

/* Shapes */

typedef struct
{
  gint64 d[LT_MAX_DIMS];
  guint n;
} Shape;

#define SH(...) ((Shape) { { __VA_ARGS__ }, sizeof ((gint64[]) { __VA_ARGS__ }) / sizeof (gint64) })
#define SH0 ((Shape) { { 0 }, 0 })

static gint64
numel (Shape s)
{
  gint64 n = 1;

  for (guint i = 0; i < s.n; i++)
    n *= s.d[i];
  return n;
}

static void
unravel (gint64 k, Shape s, gint64 *idx)
{
  for (guint d = s.n; d-- > 0;)
    {
      idx[d] = s.d[d] ? k % s.d[d] : 0;
      k = s.d[d] ? k / s.d[d] : 0;
    }
}

static gint64
ravel (const gint64 *idx, Shape s)
{
  gint64 k = 0;

  for (guint d = 0; d < s.n; d++)
    k = k * s.d[d] + idx[d];
  return k;
}

/* NumPy's broadcasting rule, written out here. */
static Shape
broadcast (Shape a, Shape b)
{
  Shape o = { { 0 }, MAX (a.n, b.n) };

  for (guint i = 0; i < o.n; i++)
    {
      gint64 da = i < o.n - a.n ? 1 : a.d[i - (o.n - a.n)];
      gint64 db = i < o.n - b.n ? 1 : b.d[i - (o.n - b.n)];

      g_assert_cmpint (da == db || da == 1 || db == 1, ==, TRUE);
      o.d[i] = da == 1 ? db : da;
    }
  return o;
}

/* Row-major position in an operand of shape @s of the output index @idx
 * (of @nout dims) it broadcasts to. */
static gint64
bindex (const gint64 *idx, guint nout, Shape s)
{
  gint64 k = 0;

  for (guint d = 0; d < s.n; d++)
    k = k * s.d[d] + (s.d[d] == 1 ? 0 : idx[nout - s.n + d]);
  return k;
}

static Shape
shape_of (LtTensor *t)
{
  Shape s = { { 0 }, t->ndim };

  memcpy (s.d, t->shape, t->ndim * sizeof (gint64));
  return s;
}

/* Random values */

static GRand *rng;

typedef enum {
  DIST_UNIT,     /* uniform in [-2, 2] */
  DIST_POS,      /* uniform in [0.5, 2.5]: logarithms, roots, divisors */
  DIST_AWAY,     /* k / 10 + 0.05 +- 0.02: never near 0 or a multiple of 0.1 */
  DIST_GRID,     /* multiples of 0.5 in [-3, 3]: ties and equal elements */
  DIST_WIDE,     /* uniform in [-30, 30] */
  DIST_EXPO,     /* exponents: uniform in [-2, 2]; integers 0 to 4 */
} Dist;

static gboolean
is_float (LtDType dt)
{
  return dt == F32 || dt == F64;
}

/* @v as a @dt element holds it, for values the dtype can represent (and
 * wrapping around like two's complement for integers out of range). */
static double
wrap_to (double v, LtDType dt)
{
  switch (dt)
    {
    case F32: return (float) v;
    case F64: return v;
    case I64: return (double) (gint64) v;
    case I32: return (gint32) (gint64) v;
    case I16: return (gint16) (gint64) v;
    case I8: return (gint8) (gint64) v;
    case U8: return (guint8) (gint64) v;
    case BOOL: return v != 0;
    default: g_assert_not_reached ();
    }
  return 0;
}

static double
draw (Dist dist, LtDType dt)
{
  double v;

  if (dt == BOOL)
    return g_rand_int_range (rng, 0, 2);
  if (!is_float (dt))
    {
      switch (dist)
        {
        case DIST_POS:
          v = g_rand_int_range (rng, 1, 21);
          break;
        case DIST_AWAY:
          v = g_rand_int_range (rng, 1, 10) * (g_rand_boolean (rng) ? 1 : -1);
          break;
        case DIST_GRID:
          v = g_rand_int_range (rng, -3, 4);
          break;
        case DIST_EXPO:
          v = g_rand_int_range (rng, 0, 5);
          break;
        default:
          v = g_rand_int_range (rng, -20, 21);
          break;
        }
      return dt == U8 ? fabs (v) : v;
    }
  switch (dist)
    {
    case DIST_POS:
      v = g_rand_double_range (rng, 0.5, 2.5);
      break;
    case DIST_AWAY:
      v = g_rand_int_range (rng, -20, 20) / 10.0 + 0.05 + g_rand_double_range (rng, -0.02, 0.02);
      break;
    case DIST_GRID:
      v = g_rand_int_range (rng, -6, 7) * 0.5;
      break;
    case DIST_WIDE:
      v = g_rand_double_range (rng, -30, 30);
      break;
    default:
      v = g_rand_double_range (rng, -2, 2);
      break;
    }
  return wrap_to (v, dt);
}

/* Tensors with their reference values */

typedef enum {
  LAY_CONTIG,   /* row-major */
  LAY_T,        /* the transpose of a row-major tensor (last two dims) */
  LAY_STEP,     /* every other element of a wider tensor, from offset 1 */
  LAY_EXPAND,   /* dim 0 expanded from 1 with stride 0 */
  LAY_PAD,      /* rows narrowed out of wider rows: unit stride, rows apart */
  LAY_TPAD,     /* the transpose of a LAY_PAD tensor */
} Lay;

typedef struct
{
  LtTensor *t;
  double *v;     /* the logical values, row-major */
  Shape s;
  gint64 n;
} Arr;

static void
arr_clear (Arr *a)
{
  g_clear_object (&a->t);
  g_clear_pointer (&a->v, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Arr, arr_clear)

/* What the gaps of a LAY_STEP tensor hold: a kernel reading them shows. */
static double
sentinel (LtDType dt)
{
  return is_float (dt) ? NAN : (dt == BOOL ? 1 : 99);
}

/* A tensor of logical values @v laid out as @lay. */
static LtTensor *
build (const double *v, Shape s, LtDType dt, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = NULL;
  g_autofree double *b = NULL;
  gint64 n = numel (s), idx[LT_MAX_DIMS], t;
  Shape bs = s;
  LtTensor *out = NULL;

  if (s.n == 0 || (lay == LAY_EXPAND && s.d[0] == 0))
    lay = LAY_CONTIG;
  if (lay == LAY_T && s.n < 2)
    lay = LAY_STEP;
  if (lay == LAY_TPAD && s.n < 2)
    lay = LAY_PAD;
  switch (lay)
    {
    case LAY_CONTIG:
      out = lt_tensor_new_from_doubles (v, n, s.d, s.n, dt, &error);
      break;
    case LAY_T:
      bs.d[s.n - 2] = s.d[s.n - 1];
      bs.d[s.n - 1] = s.d[s.n - 2];
      b = g_new (double, MAX (n, 1));
      for (gint64 k = 0; k < n; k++)
        {
          unravel (k, s, idx);
          t = idx[s.n - 2];
          idx[s.n - 2] = idx[s.n - 1];
          idx[s.n - 1] = t;
          b[ravel (idx, bs)] = v[k];
        }
      base = lt_tensor_new_from_doubles (b, n, bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_transpose (base, -2, -1, &error);
      break;
    case LAY_STEP:
      bs.d[s.n - 1] = 2 * s.d[s.n - 1] + 1;
      b = g_new (double, MAX (numel (bs), 1));
      for (gint64 k = 0; k < numel (bs); k++)
        b[k] = sentinel (dt);
      for (gint64 k = 0; k < n; k++)
        {
          unravel (k, s, idx);
          idx[s.n - 1] = 2 * idx[s.n - 1] + 1;
          b[ravel (idx, bs)] = v[k];
        }
      base = lt_tensor_new_from_doubles (b, numel (bs), bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_slice (base, -1, 1, bs.d[s.n - 1], 2, &error);
      break;
    case LAY_PAD:
    case LAY_TPAD:
      if (lay == LAY_TPAD)
        {
          bs.d[s.n - 2] = s.d[s.n - 1];
          bs.d[s.n - 1] = s.d[s.n - 2];
        }
      bs.d[s.n - 1] += 3;
      b = g_new (double, MAX (numel (bs), 1));
      for (gint64 k = 0; k < numel (bs); k++)
        b[k] = sentinel (dt);
      for (gint64 k = 0; k < n; k++)
        {
          unravel (k, s, idx);
          if (lay == LAY_TPAD)
            {
              t = idx[s.n - 2];
              idx[s.n - 2] = idx[s.n - 1];
              idx[s.n - 1] = t;
            }
          idx[s.n - 1] += 1;
          b[ravel (idx, bs)] = v[k];
        }
      base = lt_tensor_new_from_doubles (b, numel (bs), bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_slice (base, -1, 1, bs.d[s.n - 1] - 2, 1, &error);
      if (out && lay == LAY_TPAD)
        {
          LtTensor *tr = lt_tensor_transpose (out, -2, -1, &error);

          g_object_unref (out);
          out = tr;
        }
      break;
    case LAY_EXPAND:
      bs.d[0] = 1;
      base = lt_tensor_new_from_doubles (v, numel (bs), bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_expand (base, s.d, s.n, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpint (out->dtype, ==, dt);
  return out;
}

static Arr
arr_from (const double *v, Shape s, LtDType dt, Lay lay)
{
  Arr a = { NULL, NULL, s, numel (s) };

  a.v = g_new0 (double, MAX (a.n, 1));
  for (gint64 k = 0; k < a.n; k++)
    a.v[k] = wrap_to (v[k], dt);
  a.t = build (a.v, s, dt, lay);
  return a;
}

static Arr
arr_new (Shape s, LtDType dt, Lay lay, Dist dist)
{
  gint64 n = numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = draw (dist, dt);
  if (lay == LAY_EXPAND && s.n > 0 && s.d[0] > 0)
    for (gint64 k = 0; k < n; k++)
      v[k] = v[k % (n / s.d[0])];
  return arr_from (v, s, dt, lay);
}

/* A float64 leaf that requires grad, sharing the layout's storage but
 * with no history (as `x.detach().requires_grad_()`). */
static LtTensor *
leaf_new (Shape s, Lay lay, Dist dist)
{
  g_auto(Arr) a = arr_new (s, F64, lay, dist);
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_detach (a.t);

  g_assert_cmpint (lt_tensor_set_requires_grad (t, TRUE, &error), ==, TRUE);
  g_assert_no_error (error);
  return t;
}

static LtTensor *
leaf_from (const double *v, Shape s)
{
  g_autoptr(LtTensor) t = build (v, s, F64, LAY_CONTIG);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (lt_tensor_set_requires_grad (t, TRUE, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&t);
}

/* Reading results: straight from the storage through the strides, so a
 * check does not depend on the library's copy kernel. */
static double *
values_of (LtTensor *t)
{
  gsize es = lt_dtype_get_element_size (t->dtype);
  double *out = g_new0 (double, MAX (t->numel, 1));
  Shape s = shape_of (t);
  gint64 idx[LT_MAX_DIMS];

  g_assert_cmpint (lt_tensor_get_device (t), ==, LT_DEVICE_CPU);
  for (gint64 k = 0; k < t->numel; k++)
    {
      gint64 off = t->offset;

      unravel (k, s, idx);
      for (guint d = 0; d < t->ndim; d++)
        off += idx[d] * t->strides[d];
      out[k] = _lt_load_double ((const guint8 *) t->storage->data + off * es, t->dtype);
    }
  return out;
}

static double
value_at (LtTensor *t, gint64 k)
{
  g_autofree double *v = values_of (t);

  g_assert_cmpint (k, <, MAX (t->numel, 1));
  return v[k];
}

/* Checks */

static void
assert_shape (LtTensor *t, Shape s)
{
  g_assert_cmpuint (t->ndim, ==, s.n);
  for (guint d = 0; d < s.n; d++)
    g_assert_cmpint (t->shape[d], ==, s.d[d]);
  g_assert_cmpint (t->numel, ==, numel (s));
}

static void
assert_values (LtTensor *t, const double *ref, double rtol, double atol)
{
  g_autofree double *got = values_of (t);
  double num = 0, den = 0;

  for (gint64 k = 0; k < t->numel; k++)
    {
      if (isnan (ref[k]))
        {
          if (!isnan (got[k]))
            g_test_message ("element %" G_GINT64_FORMAT ": got %.9g, expected NaN", k, got[k]);
          g_assert_cmpint (isnan (got[k]), !=, 0);
        }
      else if (isinf (ref[k]) || rtol == 0)
        {
          if (got[k] != ref[k])
            g_test_message ("element %" G_GINT64_FORMAT ": got %.17g, expected %.17g", k,
                            got[k], ref[k]);
          g_assert_cmpfloat (got[k], ==, ref[k]);
        }
      else
        {
          double err = fabs (got[k] - ref[k]);
          double lim = atol + rtol * fabs (ref[k]);

          if (!(err <= lim))
            g_test_message ("element %" G_GINT64_FORMAT ": got %.9g, expected %.9g", k,
                            got[k], ref[k]);
          g_assert_cmpfloat (err, <=, lim);
          num += err * err;
          den += ref[k] * ref[k];
        }
    }
  /* ggml's criterion on top: the normalised mean squared error. */
  if (den > 0)
    g_assert_cmpfloat (num / den, <=, rtol * rtol);
}

static void
check_tol (LtTensor *t, LtDType dt, Shape s, const double *ref, double rtol, double atol)
{
  g_assert_nonnull (t);
  g_assert_cmpstr (lt_dtype_get_name (t->dtype), ==, lt_dtype_get_name (dt));
  assert_shape (t, s);
  assert_values (t, ref, rtol, atol);
}

/* Float results within a few units in the last place of the dtype
 * (float32 kernels call float libm functions); integers exactly. */
static void
check (LtTensor *t, LtDType dt, Shape s, const double *ref)
{
  if (dt == F32)
    check_tol (t, dt, s, ref, 1e-5, 1e-6);
  else if (dt == F64)
    check_tol (t, dt, s, ref, 1e-10, 1e-12);
  else
    check_tol (t, dt, s, ref, 0, 0);
}

static void
check_error (LtTensor *t, GError *error, LtError code)
{
  g_assert_null (t);
  g_assert_error (error, LT_ERROR, (gint) code);
  g_assert_cmpstr (error->message, !=, "");
}

/* PyTorch's promotion of two tensors with dimensions (torch.promote_types). */
static LtDType
promote (LtDType a, LtDType b)
{
  static const int size[] = { [I64] = 8, [I32] = 4, [I16] = 2, [I8] = 1, [U8] = 1 };

  if (a == b)
    return a;
  if (a == F64 || b == F64)
    return F64;
  if (a == F32 || b == F32)
    return F32;
  if (a == BOOL)
    return b;
  if (b == BOOL)
    return a;
  if (a == U8 || b == U8)
    {
      LtDType s = a == U8 ? b : a;
      return s == I8 ? I16 : s;
    }
  return size[a] >= size[b] ? a : b;
}

/* Gradients */

typedef struct
{
  LtGradcheckFunc func;
  gpointer data;
} Wrapped;

/* f(inputs) transposed: backward rules then get a non-contiguous gradient */
static LtTensor *
gc_transposed_output (LtTensor **in, gsize n, gpointer data)
{
  const Wrapped *w = data;
  g_autoptr(LtTensor) y = w->func (in, n, w->data);

  if (y == NULL || y->ndim < 2)
    return g_steal_pointer (&y);
  return lt_tensor_transpose (y, 0, -1, NULL);
}

/* lt_gradcheck with PyTorch's defaults, on f and on f's transposed output */
static void
gradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = lt_gradcheck (func, (gpointer) data, inputs, n, 1e-6, 1e-5, 1e-3, &error);
  Wrapped w = { func, (gpointer) data };
  g_autoptr(LtTensor) y = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ok, ==, TRUE);
  y = func (inputs, n, (gpointer) data);
  if (y->ndim < 2)
    return;
  ok = lt_gradcheck (gc_transposed_output, &w, inputs, n, 1e-6, 1e-5, 1e-3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ok, ==, TRUE);
}

/* out = f(inputs); out.sum().backward(); every input that requires grad
 * gets a gradient of its own shape and dtype. For size-0 tensors, where
 * gradcheck has no element to perturb. */
static void
backward_shapes (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) out = func (inputs, n, (gpointer) data);
  g_autoptr(LtTensor) total = NULL;

  g_assert_nonnull (out);
  total = lt_tensor_sum (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (total, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      LtTensor *g;

      if (!inputs[i]->requires_grad)
        continue;
      g = lt_tensor_get_grad (inputs[i]);
      g_assert_nonnull (g);
      assert_shape (g, shape_of (inputs[i]));
      g_assert_cmpint (g->dtype, ==, inputs[i]->dtype);
      {
        g_autofree double *v = values_of (g);
        for (gint64 k = 0; k < g->numel; k++)
          g_assert_cmpint (isfinite (v[k]), !=, 0);
      }
    }
}

/* Reads the gradient of a leaf. */
static double *
grad_of (LtTensor *t)
{
  LtTensor *g = lt_tensor_get_grad (t);

  g_assert_nonnull (g);
  assert_shape (g, shape_of (t));
  return values_of (g);
}

static void
backward_sum (LtTensor *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) total = lt_tensor_sum (out, &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (total, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
}

/* Specs: one per op, each with lists of forward and backward cases. */

typedef void (*CaseFunc) (gconstpointer data);

typedef struct
{
  const char *name;
  CaseFunc func;
} Case;

typedef struct
{
  LtOp op;
  const char *path;          /* /ops/<path>/... */
  gconstpointer data;        /* handed to every case */
  const Case *forward;       /* NULL-terminated lists */
  const Case *forward_extra;
  const Case *backward;
  const Case *backward_extra;
} OpSpec;

static const LtDType all_dtypes[] = { F32, F64, I64, I32, I16, I8, U8, BOOL };

/* fill: lt_zeros, lt_ones, lt_full, lt_full_like, lt_eye, fill_ */

static void
fill_forward_values (gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_dtypes); i++)
    {
      LtDType dt = all_dtypes[i];
      g_autoptr(GError) error = NULL;
      Shape s = SH (3, 5);
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
          rf[k] = is_float (dt) ? 2.5 : (dt == BOOL ? 1 : 2);
        }
      check (z, dt, s, rz);
      check (o, dt, s, ro);
      check (f, dt, s, rf);
      g_assert_cmpint (lt_tensor_is_contiguous (f), ==, TRUE);
    }
}

static void
fill_forward_shapes (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Shape s0 = SH (0, 3);
  g_autoptr(LtTensor) e = lt_full (s0.d, s0.n, 4, F32, &error);
  g_autoptr(LtTensor) r = lt_full (NULL, 0, -7.25, F64, &error);
  g_auto(Arr) like = arr_new (SH (4, 6), F64, LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) fl = lt_full_like (like.t, 3.5, &error);
  double ref[24], one = -7.25;
  gint64 bad[] = { 2, -3 };
  LtTensor *err;

  g_assert_no_error (error);
  check (e, F32, s0, NULL);
  check (r, F64, SH0, &one);
  for (guint k = 0; k < 24; k++)
    ref[k] = 3.5;
  check (fl, F64, SH (4, 6), ref);
  g_assert_cmpint (lt_tensor_is_contiguous (fl), ==, TRUE);
  err = lt_full (bad, 2, 1, F32, &error);
  check_error (err, error, LT_ERROR_SHAPE);
}

static void
fill_forward_parallel (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Shape s = SH (BIG);
  g_autoptr(LtTensor) f = lt_full (s.d, s.n, 7, F32, &error);
  g_autofree double *ref = g_new (double, BIG);

  g_assert_no_error (error);
  for (gint64 k = 0; k < BIG; k++)
    ref[k] = 7;
  check (f, F32, s, ref);
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
  check (a, F32, SH (3, 5), ra);
  check (b, I64, SH (4, 4), rb);
  check (c, F32, SH (0, 3), NULL);
}

static const Case fill_forward[] = {
  { "dtypes", fill_forward_values },
  { "shapes", fill_forward_shapes },
  { "parallel", fill_forward_parallel },
  { "eye", fill_forward_eye },
  { NULL, NULL }
};

/* copy: contiguous(), clone's kernel, to_dtype() */

static void
copy_contiguous_one (Shape s, LtDType dt, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  g_autoptr(LtTensor) c = lt_tensor_contiguous (x.t, &error);

  g_assert_no_error (error);
  check (c, dt, s, x.v);
  g_assert_cmpint (lt_tensor_is_contiguous (c), ==, TRUE);
  if (lt_tensor_is_contiguous (x.t))
    g_assert_cmphex (GPOINTER_TO_SIZE (c), ==, GPOINTER_TO_SIZE (x.t));
  else
    g_assert_cmpint (lt_tensor_shares_storage (c, x.t), ==, FALSE);
}

static void
copy_forward_layouts (gconstpointer data)
{
  copy_contiguous_one (SH (5, 7), F32, LAY_T);
  copy_contiguous_one (SH (4, 7), F32, LAY_STEP);
  copy_contiguous_one (SH (5, 3), F32, LAY_EXPAND);
  copy_contiguous_one (SH (5, 3), F32, LAY_PAD);
  copy_contiguous_one (SH (2, 5, 3), F64, LAY_TPAD);
  copy_contiguous_one (SH (3, 4, 5), F64, LAY_T);
  copy_contiguous_one (SH (13), I64, LAY_STEP);
  copy_contiguous_one (SH (6, 2), U8, LAY_T);
  copy_contiguous_one (SH (6, 2), BOOL, LAY_T);
  copy_contiguous_one (SH (2, 3), I16, LAY_CONTIG);
  copy_contiguous_one (SH (0, 3), F32, LAY_T);
  copy_contiguous_one (SH0, F32, LAY_T);
}

static void
copy_forward_parallel (gconstpointer data)
{
  copy_contiguous_one (SH (263, 267), F32, LAY_T);
  copy_contiguous_one (SH (3, 97, 71), F64, LAY_TPAD);
  copy_contiguous_one (SH (BIG), F64, LAY_STEP);
}

/* Conversion of @v from one dtype to @to, as C (and PyTorch) do it:
 * toward zero for float -> integer, != 0 for bool. */
static double
convert (double v, LtDType to)
{
  if (to == BOOL)
    return v != 0;
  if (!is_float (to))
    return wrap_to (trunc (v), to);
  return wrap_to (v, to);
}

static void
copy_forward_dtypes (gconstpointer data)
{
  /* Values every dtype holds (after truncation for the integer ones). */
  static const double vals[] = { 0, 1, 2.75, 100, 7.5, 0.25, 42, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (all_dtypes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (all_dtypes); j++)
      {
        LtDType from = all_dtypes[i], to = all_dtypes[j];
        g_autoptr(GError) error = NULL;
        double src[8], ref[8];
        g_auto(Arr) x = { NULL };
        g_autoptr(LtTensor) y = NULL;

        for (guint k = 0; k < 8; k++)
          src[k] = convert (vals[k], from);
        x = arr_from (src, SH (2, 4), from, LAY_T);
        y = lt_tensor_to_dtype (x.t, to, &error);
        g_assert_no_error (error);
        for (guint k = 0; k < 8; k++)
          ref[k] = convert (x.v[k], to);
        check (y, to, SH (2, 4), ref);
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
  g_auto(Arr) a = arr_from (src, SH (5), F64, LAY_CONTIG);
  g_auto(Arr) b = arr_from (src, SH (4), I64, LAY_CONTIG);
  g_autoptr(LtTensor) bu = lt_tensor_to_dtype (b.t, U8, &error);
  g_autoptr(LtTensor) bi = lt_tensor_to_dtype (b.t, I8, &error);
  g_autoptr(LtTensor) ai = lt_tensor_to_dtype (a.t, I64, &error);
  double ref_ai[] = { 300, -1, 256, -2, 1 };

  g_assert_no_error (error);
  check (bu, U8, SH (4), to_u8);
  check (bi, I8, SH (4), to_i8);
  check (ai, I64, SH (5), ref_ai);
}

static const Case copy_forward[] = {
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
  g_autofree double *v = values_of (t);
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
assert_same_values (LtTensor *a, LtTensor *b, gboolean same)
{
  g_autofree double *va = values_of (a);
  g_autofree double *vb = values_of (b);
  gint64 differ = 0;

  g_assert_cmpint (a->numel, ==, b->numel);
  for (gint64 k = 0; k < a->numel; k++)
    differ += va[k] != vb[k];
  if (same)
    g_assert_cmpint (differ, ==, 0);
  else
    g_assert_cmpint (differ, >, a->numel / 2);
}

static void
uniform_forward_statistics (gconstpointer data)
{
  const LtDType dts[] = { F32, F64 };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      Shape s = SH (BIG_REDUCE);
      g_autoptr(LtTensor) u = lt_rand (s.d, s.n, dts[i], &error);
      double mean, var, lo, hi, n = BIG_REDUCE;

      g_assert_no_error (error);
      assert_shape (u, s);
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
  Shape s = SH (BIG);
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
  assert_same_values (a, c, TRUE);
  assert_same_values (a, b, FALSE);
  assert_same_values (a, d, FALSE);
}

static void
uniform_forward_like (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 0), F64, LAY_T, DIST_UNIT);
  g_auto(Arr) y = arr_new (SH (4, 6), F64, LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) e = lt_rand_like (x.t, &error);
  g_autoptr(LtTensor) r = lt_rand_like (y.t, &error);
  g_autoptr(LtTensor) z = lt_rand (NULL, 0, F32, &error);
  g_autoptr(LtTensor) bad = NULL;
  Shape s = SH (3);

  g_assert_no_error (error);
  check (e, F64, SH (3, 0), NULL);
  assert_shape (r, SH (4, 6));
  g_assert_cmpint (lt_tensor_is_contiguous (r), ==, TRUE);
  assert_shape (z, SH0);
  bad = lt_rand (s.d, s.n, I64, &error);
  check_error (bad, error, LT_ERROR_DTYPE);
}

static const Case uniform_forward[] = {
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
      Shape s = SH (BIG_REDUCE);
      g_autoptr(LtTensor) z = lt_randn (s.d, s.n, dts[i], &error);
      g_autofree double *v = NULL;
      double mean, var, lo, hi, n = BIG_REDUCE, within = 0;

      g_assert_no_error (error);
      assert_shape (z, s);
      moments (z, &mean, &var, &lo, &hi);
      g_assert_cmpfloat (fabs (mean), <, 5 / sqrt (n));
      g_assert_cmpfloat (fabs (var - 1), <, 5 * sqrt (2 / n));
      g_assert_cmpfloat (lo, <, -3.5);
      g_assert_cmpfloat (hi, >, 3.5);
      v = values_of (z);
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
  g_auto(Arr) y = arr_new (SH (5, 3), F32, LAY_EXPAND, DIST_UNIT);
  g_autoptr(LtTensor) r = lt_randn_like (y.t, &error);
  g_autoptr(LtTensor) bad = NULL;
  Shape s = SH (2);

  g_assert_no_error (error);
  assert_shape (r, SH (5, 3));
  g_assert_cmpint (r->strides[0], ==, 3);
  bad = lt_randn (s.d, s.n, U8, &error);
  check_error (bad, error, LT_ERROR_DTYPE);
}

static const Case normal_forward[] = {
  { "statistics", normal_forward_statistics },
  { "like", normal_forward_like },
  { NULL, NULL }
};

static void
randint_one (gint64 low, gint64 high, LtDType dt, gint64 n)
{
  g_autoptr(GError) error = NULL;
  Shape s = SH (n);
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
  Shape s = SH (3);
  g_autoptr(LtTensor) bad = NULL;

  randint_one (0, 10, I64, 5001);
  randint_one (-7, 6, I32, 5001);
  randint_one (3, 200, U8, 20001);
  randint_one (-3, 4, F32, 999);
  randint_one (0, 2, BOOL, 99);
  /* above 2^32: 64 random bits per value */
  randint_one (-G_GINT64_CONSTANT (5000000000), G_GINT64_CONSTANT (9000000000), I64, 20001);
  bad = lt_randint (5, 5, s.d, s.n, I64, &error);
  check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static void
randint_forward_parallel (gconstpointer data)
{
  randint_one (-50, 50, I64, BIG_REDUCE);
}

static const Case randint_forward[] = {
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
    ref[i] = is_float (dt) ? start + i * step : trunc (start) + i * trunc (step);
  check (t, dt, SH (n), ref);
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
  arange_one (0, BIG, 1, F32);
  bad = lt_arange (0, 1, 0, F32, &error);
  check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_arange (0, 1, -1, F32, &error);
  check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static const Case arange_forward[] = {
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
      ref[i] = is_float (dt) ? v : trunc (v);
    }
  check (t, dt, SH (steps), ref);
  /* both ends exact, as torch.linspace */
  if (steps > 0)
    g_assert_cmpfloat (value_at (t, 0), ==, wrap_to (is_float (dt) ? start : trunc (start), dt));
  if (steps > 1)
    g_assert_cmpfloat (value_at (t, steps - 1), ==,
                       wrap_to (is_float (dt) ? end : trunc (end), dt));
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
  check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
}

static const Case linspace_forward[] = {
  { "values", linspace_forward_values },
  { NULL, NULL }
};

/* Pointwise, one input */

typedef struct
{
  LtOp op;
  LtTensor *(*fn) (LtTensor *, GError **);
  gboolean (*fn_) (LtTensor *, GError **);
  double (*ref) (double);
  Dist dist;        /* forward inputs */
  Dist gdist;       /* gradcheck inputs, away from kinks */
  gboolean keeps_int;   /* integer inputs keep their dtype, else float32 */
} UnaryDef;

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
                                 DIST_UNIT, DIST_UNIT, TRUE };
static const UnaryDef un_abs = { LT_OP_ABS,
                                 lt_tensor_abs, lt_tensor_abs_, ref_abs,
                                 DIST_UNIT, DIST_AWAY, TRUE };
static const UnaryDef un_sign = { LT_OP_SIGN,
                                  lt_tensor_sign, lt_tensor_sign_, ref_sign,
                                  DIST_GRID, DIST_AWAY, TRUE };
static const UnaryDef un_exp = { LT_OP_EXP,
                                 lt_tensor_exp, lt_tensor_exp_, exp,
                                 DIST_UNIT, DIST_UNIT, FALSE };
static const UnaryDef un_log = { LT_OP_LOG,
                                 lt_tensor_log, lt_tensor_log_, log,
                                 DIST_POS, DIST_POS, FALSE };
static const UnaryDef un_sqrt = { LT_OP_SQRT,
                                  lt_tensor_sqrt, lt_tensor_sqrt_, ref_sqrt,
                                  DIST_POS, DIST_POS, FALSE };
static const UnaryDef un_rsqrt = { LT_OP_RSQRT,
                                   lt_tensor_rsqrt, lt_tensor_rsqrt_, ref_rsqrt,
                                   DIST_POS, DIST_POS, FALSE };
static const UnaryDef un_sin = { LT_OP_SIN,
                                 lt_tensor_sin, lt_tensor_sin_, sin,
                                 DIST_UNIT, DIST_UNIT, FALSE };
static const UnaryDef un_cos = { LT_OP_COS,
                                 lt_tensor_cos, lt_tensor_cos_, cos,
                                 DIST_UNIT, DIST_UNIT, FALSE };
static const UnaryDef un_tanh = { LT_OP_TANH,
                                  lt_tensor_tanh, lt_tensor_tanh_, tanh,
                                  DIST_UNIT, DIST_UNIT, FALSE };
static const UnaryDef un_sigmoid = { LT_OP_SIGMOID,
                                     lt_tensor_sigmoid, lt_tensor_sigmoid_, ref_sigmoid,
                                     DIST_WIDE, DIST_UNIT, FALSE };
static const UnaryDef un_relu = { LT_OP_RELU,
                                  lt_tensor_relu, lt_tensor_relu_, ref_relu,
                                  DIST_GRID, DIST_AWAY, TRUE };
static const UnaryDef un_clamp = { LT_OP_CLAMP,
                                   clamp_fn, clamp_fn_, ref_clamp,
                                   DIST_UNIT, DIST_AWAY, TRUE };
static const UnaryDef un_not = { LT_OP_LOGICAL_NOT,
                                 lt_tensor_logical_not, NULL, ref_not,
                                 DIST_GRID, DIST_UNIT, TRUE };

static LtDType
unary_out_dtype (const UnaryDef *u, LtDType dt)
{
  if (u->op == LT_OP_LOGICAL_NOT)
    return BOOL;
  return is_float (dt) || u->keeps_int ? dt : F32;
}

static void
unary_run (const UnaryDef *u, Shape s, LtDType dt, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, u->dist);
  g_autoptr(LtTensor) y = u->fn (x.t, &error);
  LtDType odt = unary_out_dtype (u, dt);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (u->ref (x.v[k]), odt);
  check (y, odt, s, ref);
  /* As in PyTorch, the result is row-major, or keeps the memory order of a
   * dense input (a transposed input gives a transposed result). */
  if (!lt_tensor_is_contiguous (y))
    {
      guint n;
      const gint64 *ys = lt_tensor_get_strides (y, &n);
      const gint64 *xs = lt_tensor_get_strides (x.t, NULL);

      g_assert_cmpint (lay, ==, LAY_T);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (ys[i], ==, xs[i]);
    }
}

static void
unary_fw_contiguous (gconstpointer d)
{
  unary_run (d, SH (13), F32, LAY_CONTIG);
}

static void
unary_fw_transposed (gconstpointer d)
{
  unary_run (d, SH (5, 7), F32, LAY_T);
}

static void
unary_fw_strided (gconstpointer d)
{
  unary_run (d, SH (4, 7), F32, LAY_STEP);
  unary_run (d, SH (4, 7), F32, LAY_PAD);
  unary_run (d, SH (2, 4, 7), F32, LAY_TPAD);
}

static void
unary_fw_expanded (gconstpointer d)
{
  unary_run (d, SH (5, 3), F32, LAY_EXPAND);
}

static void
unary_fw_rank0 (gconstpointer d)
{
  unary_run (d, SH0, F32, LAY_CONTIG);
}

static void
unary_fw_empty (gconstpointer d)
{
  unary_run (d, SH (0, 3), F32, LAY_T);
}

static void
unary_fw_parallel (gconstpointer d)
{
  unary_run (d, SH (BIG), F32, LAY_CONTIG);
}

static void
unary_fw_parallel_transposed (gconstpointer d)
{
  unary_run (d, SH (263, 267), F32, LAY_T);
  unary_run (d, SH (3, 97, 71), F32, LAY_TPAD);
}

static void
unary_fw_float64 (gconstpointer d)
{
  unary_run (d, SH (6, 5), F64, LAY_T);
  unary_run (d, SH (3, 1, 5), F64, LAY_STEP);
}

static void
unary_fw_integer (gconstpointer d)
{
  const UnaryDef *u = d;

  unary_run (u, SH (9), I64, LAY_CONTIG);
  unary_run (u, SH (3, 4), I32, LAY_T);
  unary_run (u, SH (7), I16, LAY_STEP);
  unary_run (u, SH (7), I8, LAY_CONTIG);
  unary_run (u, SH (2, 5), U8, LAY_T);
  if (u->op == LT_OP_LOGICAL_NOT || u->op == LT_OP_ABS || u->op == LT_OP_SIGN || !u->keeps_int)
    unary_run (u, SH (6), BOOL, LAY_CONTIG);
  else
    {
      /* neg, relu and clamp of bool tensors are errors, as in torch */
      g_autoptr(GError) error = NULL;
      g_auto(Arr) b = arr_new (SH (6), BOOL, LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) y = u->fn (b.t, &error);

      check_error (y, error, LT_ERROR_DTYPE);
    }
}

static void
unary_fw_inplace_big (gconstpointer d)
{
  const UnaryDef *u = d;
  g_autoptr(GError) error = NULL;
  /* writing through a transposed view, in tiles, on several threads */
  g_auto(Arr) x = arr_new (SH (263, 267), F32, LAY_T, u->dist);
  g_autofree double *ref = g_new (double, x.n);

  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (u->ref (x.v[k]), F32);
  g_assert_cmpint (u->fn_ (x.t, &error), ==, TRUE);
  g_assert_no_error (error);
  check (x.t, F32, x.s, ref);
}

static void
unary_fw_inplace (gconstpointer d)
{
  const UnaryDef *u = d;
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (4, 6), F32, LAY_T, u->dist);
  g_auto(Arr) i = arr_new (SH (3), I64, LAY_CONTIG, u->dist);
  double ref[24];
  guint version = lt_tensor_get_version (x.t);

  g_assert_cmpint (u->fn_ (x.t, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 24; k++)
    ref[k] = wrap_to (u->ref (x.v[k]), F32);
  check (x.t, F32, SH (4, 6), ref);
  g_assert_cmpuint (lt_tensor_get_version (x.t), >, version);
  /* an integer tensor cannot hold a float result */
  if (!u->keeps_int)
    {
      g_assert_cmpint (u->fn_ (i.t, &error), ==, FALSE);
      g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
    }
}

static const Case unary_forward[] = {
  { "contiguous", unary_fw_contiguous },
  { "transposed", unary_fw_transposed },
  { "strided", unary_fw_strided },
  { "expanded", unary_fw_expanded },
  { "rank0", unary_fw_rank0 },
  { "empty", unary_fw_empty },
  { "parallel", unary_fw_parallel },
  { "parallel_transposed", unary_fw_parallel_transposed },
  { "float64", unary_fw_float64 },
  { "integer", unary_fw_integer },
  { NULL, NULL }
};

static const Case unary_forward_inplace[] = {
  { "inplace", unary_fw_inplace },
  { "inplace_parallel", unary_fw_inplace_big },
  { NULL, NULL }
};

static void
clamp_fw_bounds (gconstpointer d)
{
  struct { double lo, hi; } b[] = {
    { -INFINITY, 0.5 }, { 0.25, INFINITY }, { -0.5, -0.5 }, { 0.5, 0.75 },
  };
  g_auto(Arr) x = arr_new (SH (4, 5), F32, LAY_T, DIST_GRID);
  g_auto(Arr) xi = arr_new (SH (9), U8, LAY_CONTIG, DIST_UNIT);

  for (guint j = 0; j < G_N_ELEMENTS (b); j++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = lt_tensor_clamp (x.t, b[j].lo, b[j].hi, &error);
      double ref[20];

      g_assert_no_error (error);
      for (guint k = 0; k < 20; k++)
        ref[k] = wrap_to (x.v[k] < b[j].lo ? b[j].lo : (x.v[k] > b[j].hi ? b[j].hi : x.v[k]), F32);
      check (y, F32, SH (4, 5), ref);
    }
  {
    /* uint8 with integer bounds, as torch.clamp(x, 3, 12) */
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) y = lt_tensor_clamp (xi.t, 3, 12, &error);
    double ref[9];

    g_assert_no_error (error);
    for (guint k = 0; k < 9; k++)
      ref[k] = CLAMP (xi.v[k], 3, 12);
    check (y, U8, SH (9), ref);
  }
}

static const Case clamp_forward_extra[] = {
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
unary_bw_run (const UnaryDef *u, Shape s, Lay lay)
{
  g_autoptr(LtTensor) x = leaf_new (s, lay, u->gdist);

  gradcheck (gc_unary, u, &x, 1);
}

static void
unary_bw_contiguous (gconstpointer d)
{
  unary_bw_run (d, SH (3, 4), LAY_CONTIG);
}

static void
unary_bw_transposed (gconstpointer d)
{
  unary_bw_run (d, SH (4, 3), LAY_T);
}

static void
unary_bw_strided (gconstpointer d)
{
  unary_bw_run (d, SH (2, 5), LAY_STEP);
}

static void
unary_bw_rank0 (gconstpointer d)
{
  unary_bw_run (d, SH0, LAY_CONTIG);
}

static void
unary_bw_empty (gconstpointer d)
{
  g_autoptr(LtTensor) x = leaf_new (SH (0, 3), LAY_T, DIST_POS);

  backward_shapes (gc_unary, d, &x, 1);
}

static void
unary_bw_inplace (gconstpointer d)
{
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, ((const UnaryDef *) d)->gdist);

  gradcheck (gc_unary_inplace, d, &x, 1);
}

static const Case unary_backward[] = {
  { "contiguous", unary_bw_contiguous },
  { "transposed", unary_bw_transposed },
  { "strided", unary_bw_strided },
  { "rank0", unary_bw_rank0 },
  { "empty", unary_bw_empty },
  { "inplace", unary_bw_inplace },
  { NULL, NULL }
};

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
  Dist da, db;       /* forward inputs */
  Dist ga, gb;       /* gradcheck inputs */
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
                                   DIST_UNIT, DIST_UNIT, DIST_UNIT, DIST_UNIT,
                                   0.75, TRUE };
static const BinaryDef bin_sub = { LT_OP_SUB,
                                   lt_tensor_sub, lt_tensor_sub_scalar,
                                   lt_tensor_rsub_scalar, lt_tensor_sub_,
                                   ref_sub, BIN_ARITH,
                                   DIST_UNIT, DIST_UNIT, DIST_UNIT, DIST_UNIT,
                                   0.75, FALSE };
static const BinaryDef bin_mul = { LT_OP_MUL,
                                   lt_tensor_mul, lt_tensor_mul_scalar,
                                   NULL, lt_tensor_mul_,
                                   ref_mul, BIN_ARITH,
                                   DIST_UNIT, DIST_UNIT, DIST_UNIT, DIST_UNIT,
                                   -1.5, TRUE };
static const BinaryDef bin_div = { LT_OP_DIV,
                                   lt_tensor_div, lt_tensor_div_scalar,
                                   lt_tensor_rdiv_scalar, lt_tensor_div_,
                                   ref_div, BIN_DIV,
                                   DIST_UNIT, DIST_AWAY, DIST_UNIT, DIST_AWAY,
                                   0.75, FALSE };
static const BinaryDef bin_pow = { LT_OP_POW,
                                   lt_tensor_pow, lt_tensor_pow_scalar,
                                   lt_tensor_rpow_scalar, lt_tensor_pow_,
                                   pow, BIN_ARITH,
                                   DIST_POS, DIST_EXPO, DIST_POS, DIST_EXPO,
                                   1.5, FALSE };
static const BinaryDef bin_maximum = { LT_OP_MAXIMUM,
                                       lt_tensor_maximum, lt_tensor_maximum_scalar,
                                       NULL, NULL,
                                       ref_max, BIN_ARITH,
                                       DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                       0.5, TRUE };
static const BinaryDef bin_minimum = { LT_OP_MINIMUM,
                                       lt_tensor_minimum, lt_tensor_minimum_scalar,
                                       NULL, NULL,
                                       ref_min, BIN_ARITH,
                                       DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                       0.5, TRUE };
static const BinaryDef bin_floordiv = { LT_OP_FLOOR_DIVIDE,
                                        lt_tensor_floor_divide, lt_tensor_floor_divide_scalar,
                                        NULL, lt_tensor_floor_divide_,
                                        ref_floordiv, BIN_ARITH,
                                        DIST_WIDE, DIST_AWAY, DIST_UNIT, DIST_AWAY,
                                        -0.75, FALSE };
static const BinaryDef bin_remainder = { LT_OP_REMAINDER,
                                         lt_tensor_remainder, lt_tensor_remainder_scalar,
                                         NULL, lt_tensor_remainder_,
                                         ref_remainder, BIN_ARITH,
                                         DIST_WIDE, DIST_AWAY, DIST_UNIT, DIST_POS,
                                         -0.75, FALSE };
static const BinaryDef bin_eq = { LT_OP_EQ,
                                  lt_tensor_eq, lt_tensor_eq_scalar,
                                  NULL, NULL,
                                  ref_eq, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_ne = { LT_OP_NE,
                                  lt_tensor_ne, lt_tensor_ne_scalar,
                                  NULL, NULL,
                                  ref_ne, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_lt = { LT_OP_LT,
                                  lt_tensor_lt, lt_tensor_lt_scalar,
                                  NULL, NULL,
                                  ref_lt, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_le = { LT_OP_LE,
                                  lt_tensor_le, lt_tensor_le_scalar,
                                  NULL, NULL,
                                  ref_le, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_gt = { LT_OP_GT,
                                  lt_tensor_gt, lt_tensor_gt_scalar,
                                  NULL, NULL,
                                  ref_gt, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_ge = { LT_OP_GE,
                                  lt_tensor_ge, lt_tensor_ge_scalar,
                                  NULL, NULL,
                                  ref_ge, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0.5, TRUE };
static const BinaryDef bin_and = { LT_OP_LOGICAL_AND,
                                   lt_tensor_logical_and, NULL,
                                   NULL, NULL,
                                   ref_and, BIN_COMPARE,
                                   DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                   0, TRUE };
static const BinaryDef bin_or = { LT_OP_LOGICAL_OR,
                                  lt_tensor_logical_or, NULL,
                                  NULL, NULL,
                                  ref_or, BIN_COMPARE,
                                  DIST_GRID, DIST_GRID, DIST_UNIT, DIST_UNIT,
                                  0, TRUE };

static LtDType
binary_out_dtype (const BinaryDef *b, LtDType ct)
{
  if (b->kind == BIN_COMPARE)
    return BOOL;
  if (b->kind == BIN_DIV && !is_float (ct))
    return F32;
  return ct;
}

/* Reference of @b over broadcast operands, rounded to @odt, computed in
 * @ct (the inputs are exact in it). */
static double *
binary_ref (const BinaryDef *b, const Arr *x, const Arr *y, LtDType ct, LtDType odt, Shape *out)
{
  Shape o = broadcast (x->s, y->s);
  gint64 n = numel (o), idx[LT_MAX_DIMS];
  double *ref = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    {
      double a, c;

      unravel (k, o, idx);
      a = wrap_to (x->v[bindex (idx, o.n, x->s)], ct);
      c = wrap_to (y->v[bindex (idx, o.n, y->s)], ct);
      ref[k] = wrap_to (b->ref (a, c), odt);
    }
  *out = o;
  return ref;
}

static void
binary_check (const BinaryDef *b, const Arr *x, const Arr *y, LtDType ct)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) z = b->fn (x->t, y->t, &error);
  LtDType odt = binary_out_dtype (b, ct);
  Shape o;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  ref = binary_ref (b, x, y, ct, odt, &o);
  check (z, odt, o, ref);
}

static void
binary_run (const BinaryDef *b, Shape sa, LtDType da, Lay la, Shape sb, LtDType db, Lay lb)
{
  g_auto(Arr) x = arr_new (sa, da, la, b->da);
  g_auto(Arr) y = arr_new (sb, db, lb, b->db);

  binary_check (b, &x, &y, promote (da, db));
}

static void
bin_fw_contiguous (gconstpointer d)
{
  binary_run (d, SH (13), F32, LAY_CONTIG, SH (13), F32, LAY_CONTIG);
}

static void
bin_fw_broadcast (gconstpointer d)
{
  binary_run (d, SH (2, 1, 4, 1), F32, LAY_CONTIG, SH (3, 1, 5), F32, LAY_TPAD);
  binary_run (d, SH (4, 1, 5), F32, LAY_CONTIG, SH (3, 1), F32, LAY_CONTIG);
  binary_run (d, SH (7), F32, LAY_CONTIG, SH (2, 3, 1), F32, LAY_T);
}

static void
bin_fw_transposed (gconstpointer d)
{
  binary_run (d, SH (5, 7), F32, LAY_T, SH (5, 7), F32, LAY_STEP);
  binary_run (d, SH (5, 7), F32, LAY_TPAD, SH (5, 7), F32, LAY_PAD);
}

static void
bin_fw_expanded (gconstpointer d)
{
  binary_run (d, SH (6, 5), F32, LAY_EXPAND, SH (6, 5), F32, LAY_T);
  binary_run (d, SH (6, 5), F32, LAY_T, SH (6, 5), F32, LAY_EXPAND);
}

static void
bin_fw_rank0 (gconstpointer d)
{
  binary_run (d, SH0, F32, LAY_CONTIG, SH (6), F32, LAY_CONTIG);
  binary_run (d, SH (2, 3), F32, LAY_T, SH0, F32, LAY_CONTIG);
  binary_run (d, SH0, F64, LAY_CONTIG, SH0, F64, LAY_CONTIG);
}

static void
bin_fw_empty (gconstpointer d)
{
  binary_run (d, SH (0, 4), F32, LAY_CONTIG, SH (4), F32, LAY_CONTIG);
  binary_run (d, SH (3, 0), F32, LAY_T, SH (3, 1), F32, LAY_CONTIG);
}

static void
bin_fw_parallel (gconstpointer d)
{
  binary_run (d, SH (BIG), F32, LAY_CONTIG, SH (BIG), F32, LAY_CONTIG);
}

static void
bin_fw_parallel_broadcast (gconstpointer d)
{
  binary_run (d, SH (280, 251), F32, LAY_T, SH (251), F32, LAY_CONTIG);
  binary_run (d, SH (251, 1), F32, LAY_CONTIG, SH (251, 280), F32, LAY_STEP);
  binary_run (d, SH (3, 97, 71), F32, LAY_TPAD, SH (97, 1), F32, LAY_CONTIG);
  binary_run (d, SH (300, 251), F32, LAY_EXPAND, SH (300, 251), F32, LAY_T);
}

static void
bin_fw_float64 (gconstpointer d)
{
  binary_run (d, SH (5, 3), F64, LAY_T, SH (3), F64, LAY_CONTIG);
}

static void
bin_fw_integer (gconstpointer d)
{
  const BinaryDef *b = d;
  const LtDType dts[] = { I64, I32, I16, I8, U8 };

  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      binary_run (b, SH (4, 5), dts[i], LAY_T, SH (5), dts[i], LAY_CONTIG);
      binary_run (b, SH (3, 1), dts[i], LAY_CONTIG, SH (3, 4), dts[i], LAY_STEP);
    }
  if (b->bool_ok)
    binary_run (b, SH (3, 4), BOOL, LAY_T, SH (4), BOOL, LAY_CONTIG);
  else if (b->op == LT_OP_SUB)
    {
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (SH (3), BOOL, LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) z = b->fn (x.t, x.t, &error);

      check_error (z, error, LT_ERROR_DTYPE);
    }
  if (b->op == LT_OP_FLOOR_DIVIDE || b->op == LT_OP_REMAINDER)
    {
      /* integer division by zero is an error, not a signal */
      static const double num[] = { 3, 4 }, den[] = { 1, 0 };
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_from (num, SH (2), I64, LAY_CONTIG);
      g_auto(Arr) y = arr_from (den, SH (2), I64, LAY_CONTIG);
      g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

      check_error (z, error, LT_ERROR_INVALID_ARGUMENT);
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
      binary_run (b, SH (4, 3), pairs[i].a, LAY_T, SH (3), pairs[i].b, LAY_CONTIG);
    }
  for (guint i = 0; i < G_N_ELEMENTS (zero_dim); i++)
    {
      g_auto(Arr) x = arr_new (SH (2, 3), zero_dim[i].a, LAY_CONTIG, b->da);
      g_auto(Arr) y = { NULL };
      double v = zero_dim[i].b == -1 ? 1.5
                 : zero_dim[i].b == -2 ? 2
                 : draw (b->db, zero_dim[i].b);

      y.s = SH0;
      y.n = 1;
      y.v = g_new (double, 1);
      y.v[0] = v;
      if (zero_dim[i].b == -1)
        y.t = lt_scalar (v);
      else if (zero_dim[i].b == -2)
        y.t = lt_scalar_int ((gint64) v);
      else
        {
          y.v[0] = wrap_to (v, zero_dim[i].b);
          y.t = lt_scalar_tensor (y.v[0], zero_dim[i].b);
        }
      if (b->op == LT_OP_SUB && zero_dim[i].a == BOOL)
        {
          /* as torch: a bool operand of a subtraction is an error */
          g_autoptr(GError) error = NULL;
          g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

          check_error (z, error, LT_ERROR_DTYPE);
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
      g_auto(Arr) x = arr_new (SH (3, 4), dts[i], LAY_T, b->op == LT_OP_POW ? DIST_POS : b->da);
      /* a Python float: integer tensors compute in float32 */
      LtDType ct = is_float (dts[i]) ? dts[i] : F32;
      LtDType odt = binary_out_dtype (b, ct);
      g_autoptr(LtTensor) z = b->fn_scalar (x.t, b->scalar, &error);
      g_autoptr(LtTensor) r = NULL;
      double ref[12], rref[12];
      double s = wrap_to (b->scalar, ct);

      g_assert_no_error (error);
      for (guint k = 0; k < 12; k++)
        {
          ref[k] = wrap_to (b->ref (x.v[k], s), odt);
          rref[k] = wrap_to (b->ref (s, x.v[k]), odt);
        }
      check (z, odt, SH (3, 4), ref);
      if (b->fn_rscalar)
        {
          r = b->fn_rscalar (x.t, b->scalar, &error);
          g_assert_no_error (error);
          check (r, odt, SH (3, 4), rref);
        }
    }
}

static void
bin_fw_inplace (gconstpointer d)
{
  const BinaryDef *b = d;
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (4, 6), F32, LAY_T, b->da);
  g_auto(Arr) y = arr_new (SH (6), F64, LAY_CONTIG, b->db);
  g_auto(Arr) i = arr_new (SH (6), I64, LAY_CONTIG, b->da);
  g_auto(Arr) s = arr_new (SH (6), I32, LAY_CONTIG, b->db);
  double ref[24], iref[6];

  /* self (a transposed view) op= a broadcast float64 tensor: float32 result */
  for (guint k = 0; k < 24; k++)
    ref[k] = wrap_to (b->ref (x.v[k], y.v[k % 6]), F32);
  g_assert_cmpint (b->fn_ (x.t, y.t, &error), ==, TRUE);
  g_assert_no_error (error);
  check_tol (x.t, F32, SH (4, 6), ref, 1e-5, 1e-5);

  /* int64 op= int32 stays int64; true division cannot */
  for (guint k = 0; k < 6; k++)
    iref[k] = wrap_to (b->ref (i.v[k], s.v[k]), I64);
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
      check (i.t, I64, SH (6), iref);
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
    g_auto(Arr) big = arr_new (SH (280, 251), F32, LAY_T, b->da);
    g_auto(Arr) row = arr_new (SH (251), F32, LAY_CONTIG, b->db);
    g_autofree double *bref = g_new (double, big.n);

    for (gint64 k = 0; k < big.n; k++)
      bref[k] = wrap_to (b->ref (big.v[k], row.v[k % 251]), F32);
    g_assert_cmpint (b->fn_ (big.t, row.t, &error), ==, TRUE);
    g_assert_no_error (error);
    check (big.t, F32, big.s, bref);
  }
}

static void
bin_fw_shape_error (gconstpointer d)
{
  const BinaryDef *b = d;
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (5, 3), F32, LAY_CONTIG, DIST_POS);
  g_auto(Arr) y = arr_new (SH (4), F32, LAY_CONTIG, DIST_POS);
  g_autoptr(LtTensor) z = b->fn (x.t, y.t, &error);

  check_error (z, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5, 3]"));
}

static const Case binary_forward[] = {
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

static const Case binary_forward_scalar[] = {
  { "scalar", bin_fw_scalar },
  { NULL, NULL }
};

static const Case binary_forward_scalar_inplace[] = {
  { "scalar", bin_fw_scalar },
  { "inplace", bin_fw_inplace },
  { NULL, NULL }
};

static void
add_fw_out_scaled (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), F32, LAY_T, DIST_UNIT);
  g_auto(Arr) y = arr_new (SH (4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) o = arr_new (SH (3, 4), F64, LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) s = lt_tensor_add_scaled (x.t, y.t, -2.5, &error);
  double ref[12], sref[12];

  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    {
      ref[k] = x.v[k] + y.v[k % 4];
      sref[k] = wrap_to (x.v[k] + wrap_to (-2.5 * y.v[k % 4], F32), F32);
    }
  check (s, F32, SH (3, 4), sref);
  /* out= into a float64 transposed tensor */
  g_assert_cmpint (lt_tensor_add_out (x.t, y.t, o.t, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = wrap_to (ref[k], F32);
  check (o.t, F64, SH (3, 4), ref);
  g_assert_cmpint (lt_tensor_add_scaled_ (x.t, y.t, 2, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = wrap_to (x.v[k] + wrap_to (2 * y.v[k % 4], F32), F32);
  check (x.t, F32, SH (3, 4), ref);
}

static const Case add_forward_extra[] = {
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
binary_bw_run (const BinaryDef *b, Shape sa, Lay la, Shape sb, Lay lb)
{
  LtTensor *in[2] = { leaf_new (sa, la, b->ga), leaf_new (sb, lb, b->gb) };

  gradcheck (gc_binary, b, in, 2);
  /* one side only */
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], FALSE, NULL), ==, TRUE);
  gradcheck (gc_binary, b, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
bin_bw_contiguous (gconstpointer d)
{
  binary_bw_run (d, SH (3, 4), LAY_CONTIG, SH (3, 4), LAY_CONTIG);
}

static void
bin_bw_broadcast (gconstpointer d)
{
  binary_bw_run (d, SH (3, 1, 4), LAY_CONTIG, SH (2, 1), LAY_CONTIG);
  binary_bw_run (d, SH (4), LAY_CONTIG, SH (3, 4), LAY_T);
}

static void
bin_bw_transposed (gconstpointer d)
{
  binary_bw_run (d, SH (4, 3), LAY_T, SH (4, 3), LAY_STEP);
}

static void
bin_bw_rank0 (gconstpointer d)
{
  binary_bw_run (d, SH (2, 3), LAY_CONTIG, SH0, LAY_CONTIG);
  binary_bw_run (d, SH0, LAY_CONTIG, SH0, LAY_CONTIG);
}

static void
bin_bw_empty (gconstpointer d)
{
  const BinaryDef *b = d;
  LtTensor *in[2] = { leaf_new (SH (0, 3), LAY_CONTIG, b->ga),
                      leaf_new (SH (3), LAY_CONTIG, b->gb) };

  backward_shapes (gc_binary, b, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
bin_bw_scalar (gconstpointer d)
{
  const BinaryDef *b = d;
  Dist dist = b->op == LT_OP_POW ? DIST_POS : (b->fn_rscalar ? b->gb : b->ga);
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, dist);

  gradcheck (gc_binary_scalar, b, &x, 1);
}

static void
bin_bw_inplace (gconstpointer d)
{
  const BinaryDef *b = d;
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, b->ga), leaf_new (SH (4), LAY_CONTIG, b->gb) };

  gradcheck (gc_binary_inplace, b, in, 2);
  gradcheck (gc_binary_inplace_self, b, in, 1);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case binary_backward[] = {
  { "contiguous", bin_bw_contiguous },
  { "broadcast", bin_bw_broadcast },
  { "transposed", bin_bw_transposed },
  { "rank0", bin_bw_rank0 },
  { "empty", bin_bw_empty },
  { "scalar", bin_bw_scalar },
  { NULL, NULL }
};

static const Case binary_backward_inplace[] = {
  { "inplace", bin_bw_inplace },
  { NULL, NULL }
};

/* maximum/minimum split the gradient in half on ties, as PyTorch 1.13. */
static void
extremum_bw_ties (gconstpointer d)
{
  const BinaryDef *b = d;
  static const double va[] = { 1, 2, 3, -1 }, vb[] = { 1, 0, 4, -1 };
  g_autoptr(LtTensor) a = leaf_from (va, SH (4));
  g_autoptr(LtTensor) c = leaf_from (vb, SH (4));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) z = b->fn (a, c, &error);
  g_autofree double *ga = NULL;
  g_autofree double *gb = NULL;
  gboolean is_max = b->op == LT_OP_MAXIMUM;

  g_assert_no_error (error);
  backward_sum (z);
  ga = grad_of (a);
  gb = grad_of (c);
  for (guint k = 0; k < 4; k++)
    {
      double wa = va[k] == vb[k] ? 0.5 : ((va[k] > vb[k]) == is_max ? 1 : 0);

      g_assert_cmpfloat (ga[k], ==, wa);
      g_assert_cmpfloat (gb[k], ==, 1 - wa);
    }
}

static const Case extremum_backward_extra[] = {
  { "ties", extremum_bw_ties },
  { NULL, NULL }
};

/* where (cond, a, b) and masked_fill (x, mask, v) */

static void
where_run (Shape sc, Lay lc, Shape sa, LtDType da, Lay la, Shape sb, LtDType db, Lay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) c = arr_new (sc, BOOL, lc, DIST_UNIT);
  g_auto(Arr) a = arr_new (sa, da, la, DIST_UNIT);
  g_auto(Arr) b = arr_new (sb, db, lb, DIST_UNIT);
  g_autoptr(LtTensor) z = lt_where (c.t, a.t, b.t, &error);
  LtDType ct = promote (da, db);
  Shape o = broadcast (sc, broadcast (sa, sb));
  gint64 n = numel (o), idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      unravel (k, o, idx);
      ref[k] = c.v[bindex (idx, o.n, sc)] ? a.v[bindex (idx, o.n, sa)] : b.v[bindex (idx, o.n, sb)];
      ref[k] = wrap_to (ref[k], ct);
    }
  check (z, ct, o, ref);
}

static void
where_fw_broadcast (gconstpointer d)
{
  where_run (SH (4, 1), LAY_CONTIG, SH (1, 5), F32, LAY_CONTIG, SH (4, 5), F32, LAY_CONTIG);
  where_run (SH (5), LAY_CONTIG, SH (3, 1, 5), F32, LAY_T, SH (2, 1), F32, LAY_CONTIG);
}

static void
where_fw_transposed (gconstpointer d)
{
  where_run (SH (5, 6), LAY_T, SH (5, 6), F32, LAY_STEP, SH (5, 6), F32, LAY_T);
}

static void
where_fw_expanded (gconstpointer d)
{
  where_run (SH (4, 6), LAY_EXPAND, SH (4, 6), F32, LAY_T, SH (4, 6), F32, LAY_EXPAND);
}

static void
where_fw_rank0 (gconstpointer d)
{
  where_run (SH0, LAY_CONTIG, SH (3), F32, LAY_CONTIG, SH0, F32, LAY_CONTIG);
  where_run (SH0, LAY_CONTIG, SH0, F64, LAY_CONTIG, SH0, F64, LAY_CONTIG);
}

static void
where_fw_empty (gconstpointer d)
{
  where_run (SH (0, 3), LAY_CONTIG, SH (3), F32, LAY_CONTIG, SH (1), F32, LAY_CONTIG);
}

static void
where_fw_parallel (gconstpointer d)
{
  where_run (SH (300, 251), LAY_T, SH (251), F32, LAY_CONTIG, SH (300, 1), F32, LAY_CONTIG);
}

static void
where_fw_dtypes (gconstpointer d)
{
  where_run (SH (3, 4), LAY_CONTIG, SH (4), I32, LAY_CONTIG, SH (3, 4), F64, LAY_T);
  where_run (SH (3, 4), LAY_T, SH (3, 4), I64, LAY_CONTIG, SH (3, 4), I64, LAY_STEP);
  where_run (SH (7), LAY_CONTIG, SH (7), U8, LAY_CONTIG, SH (7), I8, LAY_CONTIG);
  where_run (SH (7), LAY_CONTIG, SH (7), BOOL, LAY_CONTIG, SH (7), BOOL, LAY_STEP);
  where_run (SH (2, 7), LAY_CONTIG, SH (7), I16, LAY_CONTIG, SH (2, 7), I16, LAY_T);
}

static void
where_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) c = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (4), BOOL, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) z = lt_where (c.t, c.t, c.t, &error);

  check_error (z, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  z = lt_where (m.t, c.t, c.t, &error);
  check_error (z, error, LT_ERROR_SHAPE);
}

static const Case where_forward[] = {
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
where_bw_run (Shape sc, Shape sa, Lay la, Shape sb, Lay lb)
{
  g_auto(Arr) c = arr_new (sc, BOOL, LAY_T, DIST_UNIT);
  LtTensor *in[3] = { c.t, leaf_new (sa, la, DIST_UNIT), leaf_new (sb, lb, DIST_UNIT) };

  gradcheck (gc_where, NULL, in, 3);
  g_object_unref (in[1]);
  g_object_unref (in[2]);
}

static void
where_bw_broadcast (gconstpointer d)
{
  where_bw_run (SH (3, 4), SH (3, 1), LAY_CONTIG, SH (1, 4), LAY_CONTIG);
  where_bw_run (SH (4), SH (2, 4), LAY_CONTIG, SH (1), LAY_CONTIG);
}

static void
where_bw_transposed (gconstpointer d)
{
  where_bw_run (SH (4, 3), SH (4, 3), LAY_T, SH (4, 3), LAY_STEP);
}

static void
where_bw_rank0 (gconstpointer d)
{
  where_bw_run (SH (2, 3), SH0, LAY_CONTIG, SH (2, 3), LAY_CONTIG);
}

static void
where_bw_empty (gconstpointer d)
{
  g_auto(Arr) c = arr_new (SH (0, 3), BOOL, LAY_T, DIST_UNIT);
  LtTensor *in[3] = { c.t, leaf_new (SH (3), LAY_CONTIG, DIST_UNIT),
                      leaf_new (SH (0, 1), LAY_CONTIG, DIST_UNIT) };

  backward_shapes (gc_where, NULL, in, 3);
  g_object_unref (in[1]);
  g_object_unref (in[2]);
}

static const Case where_backward[] = {
  { "broadcast", where_bw_broadcast },
  { "transposed", where_bw_transposed },
  { "rank0", where_bw_rank0 },
  { "empty", where_bw_empty },
  { NULL, NULL }
};

/* masked_fill */

static void
masked_fill_run (Shape sx, LtDType dt, Lay lx, Shape sm, Lay lm, double value, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, lm, DIST_UNIT);
  g_autoptr(LtTensor) z = NULL;
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  for (gint64 k = 0; k < x.n; k++)
    {
      unravel (k, sx, idx);
      if (m.v[bindex (idx, sx.n, sm)])
        ref[k] = wrap_to (is_float (dt) ? value : trunc (value), dt);
      else
        ref[k] = x.v[k];
    }
  if (inplace)
    {
      g_assert_cmpint (lt_tensor_masked_fill_ (x.t, m.t, value, &error), ==, TRUE);
      z = g_object_ref (x.t);
    }
  else
    z = lt_tensor_masked_fill (x.t, m.t, value, &error);
  g_assert_no_error (error);
  check (z, dt, sx, ref);
}

static void
masked_fill_fw_broadcast (gconstpointer d)
{
  masked_fill_run (SH (4, 5), F32, LAY_CONTIG, SH (5), LAY_CONTIG, -1.25, FALSE);
  masked_fill_run (SH (2, 3, 4), F64, LAY_CONTIG, SH (3, 1), LAY_CONTIG, 7, FALSE);
}

static void
masked_fill_fw_transposed (gconstpointer d)
{
  masked_fill_run (SH (5, 6), F32, LAY_T, SH (5, 6), LAY_STEP, 2.5, FALSE);
}

static void
masked_fill_fw_inplace (gconstpointer d)
{
  masked_fill_run (SH (5, 6), F32, LAY_T, SH (6), LAY_CONTIG, 2.5, TRUE);
  masked_fill_run (SH (4, 7), I64, LAY_STEP, SH (4, 1), LAY_CONTIG, -3, TRUE);
}

static void
masked_fill_fw_rank0 (gconstpointer d)
{
  masked_fill_run (SH0, F32, LAY_CONTIG, SH0, LAY_CONTIG, 9, FALSE);
  masked_fill_run (SH (3), F32, LAY_CONTIG, SH0, LAY_CONTIG, 9, FALSE);
}

static void
masked_fill_fw_empty (gconstpointer d)
{
  masked_fill_run (SH (0, 4), F32, LAY_CONTIG, SH (4), LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_parallel (gconstpointer d)
{
  masked_fill_run (SH (300, 251), F32, LAY_T, SH (251), LAY_CONTIG, 0.5, FALSE);
}

static void
masked_fill_fw_integer (gconstpointer d)
{
  masked_fill_run (SH (3, 4), I32, LAY_T, SH (3, 4), LAY_CONTIG, 5.75, FALSE);
  masked_fill_run (SH (6), U8, LAY_CONTIG, SH (6), LAY_CONTIG, 200, FALSE);
  masked_fill_run (SH (6), BOOL, LAY_CONTIG, SH (6), LAY_CONTIG, 1, FALSE);
}

static void
masked_fill_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (2, 3), BOOL, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) z = lt_tensor_masked_fill (x.t, m.t, 1, &error);

  /* the mask may not grow the tensor */
  check_error (z, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  z = lt_tensor_masked_fill (x.t, x.t, 1, &error);
  check_error (z, error, LT_ERROR_DTYPE);
}

static const Case masked_fill_forward[] = {
  { "broadcast", masked_fill_fw_broadcast },
  { "transposed", masked_fill_fw_transposed },
  { "inplace", masked_fill_fw_inplace },
  { "rank0", masked_fill_fw_rank0 },
  { "empty", masked_fill_fw_empty },
  { "parallel", masked_fill_fw_parallel },
  { "integer", masked_fill_fw_integer },
  { "errors", masked_fill_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_masked_fill (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *z = lt_tensor_masked_fill (in[0], in[1], 3, &error);

  g_assert_no_error (error);
  return z;
}

static LtTensor *
gc_masked_fill_inplace (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_masked_fill_ (y, in[1], 3, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
masked_fill_bw_run (LtGradcheckFunc f, Shape sx, Lay lx, Shape sm)
{
  g_auto(Arr) m = arr_new (sm, BOOL, LAY_CONTIG, DIST_UNIT);
  LtTensor *in[2] = { leaf_new (sx, lx, DIST_UNIT), m.t };

  gradcheck (f, NULL, in, 2);
  g_object_unref (in[0]);
}

static void
masked_fill_bw_broadcast (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH (3, 4), LAY_CONTIG, SH (4));
}

static void
masked_fill_bw_transposed (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH (4, 3), LAY_T, SH (4, 3));
}

static void
masked_fill_bw_rank0 (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill, SH0, LAY_CONTIG, SH0);
}

static void
masked_fill_bw_inplace (gconstpointer d)
{
  masked_fill_bw_run (gc_masked_fill_inplace, SH (4, 3), LAY_T, SH (3));
}

static void
masked_fill_bw_empty (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (3), BOOL, LAY_CONTIG, DIST_UNIT);
  LtTensor *in[2] = { leaf_new (SH (0, 3), LAY_CONTIG, DIST_UNIT), m.t };

  backward_shapes (gc_masked_fill, NULL, in, 2);
  g_object_unref (in[0]);
}

static const Case masked_fill_backward[] = {
  { "broadcast", masked_fill_bw_broadcast },
  { "transposed", masked_fill_bw_transposed },
  { "rank0", masked_fill_bw_rank0 },
  { "inplace", masked_fill_bw_inplace },
  { "empty", masked_fill_bw_empty },
  { NULL, NULL }
};

/* Reductions */

typedef struct
{
  LtOp op;
  double param;          /* var/std: correction; norm: p */
  gboolean has_dim;      /* a form along one dim exists */
  gboolean float_only;   /* integer inputs are an error */
  Dist dist;
} ReduceDef;

static const ReduceDef red_sum = { LT_OP_SUM, 0, TRUE, FALSE, DIST_UNIT };
static const ReduceDef red_mean = { LT_OP_MEAN, 0, TRUE, TRUE, DIST_UNIT };
static const ReduceDef red_max = { LT_OP_MAX, 0, FALSE, FALSE, DIST_UNIT };
static const ReduceDef red_min = { LT_OP_MIN, 0, FALSE, FALSE, DIST_UNIT };
static const ReduceDef red_max_dim = { LT_OP_MAX_DIM, 0, TRUE, FALSE, DIST_GRID };
static const ReduceDef red_min_dim = { LT_OP_MIN_DIM, 0, TRUE, FALSE, DIST_GRID };
static const ReduceDef red_argmax = { LT_OP_ARGMAX, 0, TRUE, FALSE, DIST_GRID };
static const ReduceDef red_argmin = { LT_OP_ARGMIN, 0, TRUE, FALSE, DIST_GRID };
static const ReduceDef red_var = { LT_OP_VAR, 1, TRUE, TRUE, DIST_UNIT };
static const ReduceDef red_std = { LT_OP_STD, 1, TRUE, TRUE, DIST_UNIT };
static const ReduceDef red_norm = { LT_OP_NORM, 2, TRUE, TRUE, DIST_UNIT };
static const ReduceDef red_any = { LT_OP_ANY, 0, FALSE, FALSE, DIST_GRID };
static const ReduceDef red_all = { LT_OP_ALL, 0, FALSE, FALSE, DIST_GRID };

/* The reduction of the list @v of @n values (row-major order of the
 * reduced dims); @index gets the position of max/min (first on ties, NaN
 * wins). */
static double
reduce_list (LtOp op, const double *v, gint64 n, double param, gint64 *index)
{
  double acc = 0, best;
  gint64 bi = 0;
  gboolean want_max = op == LT_OP_MAX || op == LT_OP_MAX_DIM || op == LT_OP_ARGMAX;

  switch (op)
    {
    case LT_OP_SUM:
      for (gint64 i = 0; i < n; i++)
        acc += v[i];
      return acc;
    case LT_OP_MEAN:
      for (gint64 i = 0; i < n; i++)
        acc += v[i];
      return acc / n;
    case LT_OP_MAX:
    case LT_OP_MIN:
    case LT_OP_MAX_DIM:
    case LT_OP_MIN_DIM:
    case LT_OP_ARGMAX:
    case LT_OP_ARGMIN:
      best = v[0];
      for (gint64 i = 1; i < n && !isnan (best); i++)
        if (isnan (v[i]) || (want_max ? v[i] > best : v[i] < best))
          {
            best = v[i];
            bi = i;
          }
      *index = bi;
      return op == LT_OP_ARGMAX || op == LT_OP_ARGMIN ? bi : best;
    case LT_OP_VAR:
    case LT_OP_STD:
      {
        double mean = 0;

        for (gint64 i = 0; i < n; i++)
          mean += v[i];
        mean /= n;
        for (gint64 i = 0; i < n; i++)
          acc += (v[i] - mean) * (v[i] - mean);
        /* torch: NaN when N - correction <= 0 */
        acc = n - param > 0 ? acc / (n - param) : NAN;
        return op == LT_OP_STD ? sqrt (acc) : acc;
      }
    case LT_OP_NORM:
      if (isinf (param))
        {
          acc = param > 0 ? 0 : INFINITY;
          for (gint64 i = 0; i < n; i++)
            acc = param > 0 ? MAX (acc, fabs (v[i])) : MIN (acc, fabs (v[i]));
          return acc;
        }
      for (gint64 i = 0; i < n; i++)
        acc += param == 0 ? (v[i] != 0) : pow (fabs (v[i]), param);
      return param == 0 ? acc : pow (acc, 1 / param);
    case LT_OP_ANY:
      for (gint64 i = 0; i < n; i++)
        if (v[i] != 0)
          return 1;
      return 0;
    case LT_OP_ALL:
      for (gint64 i = 0; i < n; i++)
        if (v[i] == 0)
          return 0;
      return 1;
    default:
      g_assert_not_reached ();
    }
  return 0;
}

/* Reduces @x over the dims set in @mask; @keep receives the keepdim
 * shape and @idx the indices of max/min. */
static double *
reduce_ref_mask (LtOp op, const Arr *x, guint mask, double param, Shape *keep, double **idx)
{
  Shape ks = x->s, rs = { { 0 }, 0 };
  guint rdims[LT_MAX_DIMS], nr = 0;
  gint64 nk, n, kidx[LT_MAX_DIMS], ridx[LT_MAX_DIMS];
  double *out;
  g_autofree double *buf = NULL;

  for (guint d = 0; d < x->s.n; d++)
    if (mask & (1u << d))
      {
        rdims[nr] = d;
        rs.d[nr++] = x->s.d[d];
        ks.d[d] = 1;
      }
  rs.n = nr;
  nk = numel (ks);
  n = numel (rs);
  out = g_new0 (double, MAX (nk, 1));
  *idx = g_new0 (double, MAX (nk, 1));
  buf = g_new0 (double, MAX (n, 1));
  for (gint64 o = 0; o < nk; o++)
    {
      gint64 bi = 0;

      unravel (o, ks, kidx);
      for (gint64 r = 0; r < n; r++)
        {
          unravel (r, rs, ridx);
          for (guint i = 0; i < nr; i++)
            kidx[rdims[i]] = ridx[i];
          buf[r] = x->v[ravel (kidx, x->s)];
        }
      out[o] = reduce_list (op, buf, n, param, &bi);
      (*idx)[o] = bi;
    }
  *keep = ks;
  return out;
}

/* The same over @dim (ALL_DIMS: every dim) */
static double *
reduce_ref (LtOp op, const Arr *x, gint dim, double param, Shape *keep, double **idx)
{
  guint mask = 0;

  for (guint d = 0; d < x->s.n; d++)
    if (dim == ALL_DIMS || d == (guint) (dim < 0 ? dim + (gint) x->s.n : dim))
      mask |= 1u << d;
  return reduce_ref_mask (op, x, mask, param, keep, idx);
}

static LtDType
reduce_out_dtype (LtOp op, LtDType dt)
{
  switch (op)
    {
    case LT_OP_SUM:
      return is_float (dt) ? dt : I64;
    case LT_OP_ARGMAX:
    case LT_OP_ARGMIN:
      return I64;
    case LT_OP_ANY:
    case LT_OP_ALL:
      return BOOL;
    default:
      return dt;
    }
}

/* The library call: @dim ALL_DIMS for the whole-tensor form. */
static LtTensor *
reduce_call (LtOp op, LtTensor *x, gint dim, gboolean keepdim, double param,
             LtTensor **indices, GError **error)
{
  gboolean all = dim == ALL_DIMS;
  gboolean unbiased = param != 0;

  switch (op)
    {
    case LT_OP_SUM:
      return all ? lt_tensor_sum (x, error) : lt_tensor_sum_dim (x, dim, keepdim, error);
    case LT_OP_MEAN:
      return all ? lt_tensor_mean (x, error) : lt_tensor_mean_dim (x, dim, keepdim, error);
    case LT_OP_MAX:
      return lt_tensor_max (x, error);
    case LT_OP_MIN:
      return lt_tensor_min (x, error);
    case LT_OP_MAX_DIM:
      return lt_tensor_max_dim (x, dim, keepdim, indices, error);
    case LT_OP_MIN_DIM:
      return lt_tensor_min_dim (x, dim, keepdim, indices, error);
    case LT_OP_ARGMAX:
      return all ? lt_tensor_argmax (x, error) : lt_tensor_argmax_dim (x, dim, keepdim, error);
    case LT_OP_ARGMIN:
      return all ? lt_tensor_argmin (x, error) : lt_tensor_argmin_dim (x, dim, keepdim, error);
    case LT_OP_VAR:
      return all ? lt_tensor_var (x, unbiased, error)
                 : lt_tensor_var_dim (x, dim, unbiased, keepdim, error);
    case LT_OP_STD:
      return all ? lt_tensor_std (x, unbiased, error)
                 : lt_tensor_std_dim (x, dim, unbiased, keepdim, error);
    case LT_OP_NORM:
      return all ? lt_tensor_norm (x, param, error)
                 : lt_tensor_norm_dim (x, param, dim, keepdim, error);
    case LT_OP_ANY:
      return lt_tensor_any (x, error);
    case LT_OP_ALL:
      return lt_tensor_all (x, error);
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static gboolean
is_dim_only (LtOp op)
{
  return op == LT_OP_MAX_DIM || op == LT_OP_MIN_DIM;
}

static void
reduce_check (const ReduceDef *r, const Arr *x, gint dim, gboolean keepdim, double param)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) indices = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *idx = NULL;
  g_autofree double *ref = NULL;
  LtDType dt = x->t->dtype, odt = reduce_out_dtype (r->op, dt);
  Shape ks, os = { { 0 }, 0 };
  double maxabs = 0, rtol, atol;
  gint64 nred;

  if (dim == ALL_DIMS && is_dim_only (r->op))
    dim = 0;
  y = reduce_call (r->op, x->t, dim, keepdim, param, is_dim_only (r->op) ? &indices : NULL, &error);
  g_assert_no_error (error);
  ref = reduce_ref (r->op, x, dim, param, &ks, &idx);
  /* the result shape: keepdim, or without the reduced dims */
  if (keepdim)
    os = ks;
  else if (dim != ALL_DIMS)
    for (guint d = 0; d < x->s.n; d++)
      if (d != (guint) (dim < 0 ? dim + (gint) x->s.n : dim))
        os.d[os.n++] = x->s.d[d];
  nred = MAX (x->n, 1) / MAX (numel (ks), 1);
  for (gint64 k = 0; k < x->n; k++)
    if (isfinite (x->v[k]))
      maxabs = MAX (maxabs, fabs (x->v[k]));
  /* sums accumulate rounding errors: bound them by the magnitude of the
   * terms (float32 kernels add blocks in float) */
  rtol = odt == F32 ? 1e-5 : (odt == F64 ? 1e-10 : 0);
  if (odt == F32)
    atol = 1e-6 + 1e-6 * nred * maxabs;
  else if (odt == F64)
    atol = 1e-12 + 1e-13 * nred * maxabs;
  else
    atol = 0;
  if (r->op == LT_OP_MEAN)
    atol /= MAX (nred, 1);
  check_tol (y, odt, os, ref, rtol, atol);
  if (indices)
    check (indices, I64, os, idx);
}

static void
reduce_run (const ReduceDef *r, Shape s, LtDType dt, Lay lay, gint dim, gboolean keepdim)
{
  g_auto(Arr) x = arr_new (s, dt, lay, r->dist);

  if (dim != ALL_DIMS && !r->has_dim)
    {
      dim = ALL_DIMS;
      keepdim = FALSE;
    }
  reduce_check (r, &x, dim, keepdim, r->param);
}

static void
red_fw_all (gconstpointer d)
{
  reduce_run (d, SH (5, 7), F32, LAY_CONTIG, ALL_DIMS, FALSE);
  reduce_run (d, SH (13), F32, LAY_CONTIG, ALL_DIMS, FALSE);
}

static void
red_fw_dim (gconstpointer d)
{
  reduce_run (d, SH (4, 5, 6), F32, LAY_CONTIG, 1, FALSE);
  reduce_run (d, SH (4, 5, 6), F32, LAY_CONTIG, -1, TRUE);
  reduce_run (d, SH (4, 5, 6), F32, LAY_CONTIG, 0, FALSE);
  reduce_run (d, SH (3, 1, 7), F32, LAY_CONTIG, 1, FALSE);
}

static void
red_fw_transposed (gconstpointer d)
{
  reduce_run (d, SH (6, 7), F32, LAY_T, 0, FALSE);
  reduce_run (d, SH (6, 7), F32, LAY_T, 1, TRUE);
  reduce_run (d, SH (6, 7), F32, LAY_T, ALL_DIMS, FALSE);
  reduce_run (d, SH (2, 6, 7), F32, LAY_T, 1, FALSE);
}

static void
red_fw_strided (gconstpointer d)
{
  reduce_run (d, SH (5, 9), F32, LAY_STEP, 1, FALSE);
  reduce_run (d, SH (5, 9), F32, LAY_STEP, 0, FALSE);
  reduce_run (d, SH (5, 9), F32, LAY_STEP, ALL_DIMS, FALSE);
  reduce_run (d, SH (5, 9), F32, LAY_PAD, 1, FALSE);
  reduce_run (d, SH (5, 9), F32, LAY_TPAD, 0, TRUE);
  reduce_run (d, SH (2, 5, 9), F32, LAY_TPAD, ALL_DIMS, FALSE);
}

static void
red_fw_expanded (gconstpointer d)
{
  reduce_run (d, SH (4, 5), F32, LAY_EXPAND, 0, FALSE);
  reduce_run (d, SH (4, 5), F32, LAY_EXPAND, 1, FALSE);
  reduce_run (d, SH (4, 5), F32, LAY_EXPAND, ALL_DIMS, FALSE);
}

static void
red_fw_rank0 (gconstpointer d)
{
  const ReduceDef *r = d;

  /* a one-element variance with Bessel's correction is NaN (0 / 0) */
  reduce_run (r, SH0, F32, LAY_CONTIG, ALL_DIMS, FALSE);
  reduce_run (r, SH0, F32, LAY_CONTIG, 0, FALSE);
  reduce_run (r, SH0, F64, LAY_CONTIG, -1, TRUE);
}

static void
red_fw_empty (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean needs_elements = r->op == LT_OP_MAX || r->op == LT_OP_MIN || is_dim_only (r->op) ||
                            r->op == LT_OP_ARGMAX || r->op == LT_OP_ARGMIN;

  if (needs_elements)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) ind = NULL;
      g_auto(Arr) x = arr_new (SH (0, 3), F32, LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) y = reduce_call (r->op, x.t, is_dim_only (r->op) ? 0 : ALL_DIMS, FALSE, 0,
                                           is_dim_only (r->op) ? &ind : NULL, &error);

      check_error (y, error, LT_ERROR_SHAPE);
      g_assert_null (ind);
      if (r->has_dim)
        reduce_run (r, SH (0, 3), F32, LAY_CONTIG, 1, FALSE);
      return;
    }
  reduce_run (r, SH (0, 3), F32, LAY_CONTIG, ALL_DIMS, FALSE);
  reduce_run (r, SH (0, 3), F32, LAY_T, 0, FALSE);
  reduce_run (r, SH (0, 3), F32, LAY_CONTIG, 1, TRUE);
}

static void
red_fw_parallel (gconstpointer d)
{
  reduce_run (d, SH (BIG_REDUCE), F32, LAY_CONTIG, ALL_DIMS, FALSE);
  reduce_run (d, SH (BIG_REDUCE), F64, LAY_CONTIG, ALL_DIMS, FALSE);
  reduce_run (d, SH (300, 251), F32, LAY_CONTIG, 1, FALSE);
  reduce_run (d, SH (300, 251), F32, LAY_CONTIG, 0, TRUE);
  reduce_run (d, SH (300, 251), F32, LAY_T, 1, FALSE);
}

/* A reduction gives the same bits on one thread as on several. */
static void
red_fw_threads (gconstpointer d)
{
  const ReduceDef *r = d;
  g_auto(Arr) x = arr_new (SH (BIG_REDUCE), F32, LAY_CONTIG, r->dist);
  int threads = lt_get_num_threads ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) ia = NULL;
  g_autoptr(LtTensor) ib = NULL;
  gint dim = is_dim_only (r->op) ? 0 : ALL_DIMS;

  a = reduce_call (r->op, x.t, dim, FALSE, r->param, is_dim_only (r->op) ? &ia : NULL, &error);
  lt_set_num_threads (1);
  b = reduce_call (r->op, x.t, dim, FALSE, r->param, is_dim_only (r->op) ? &ib : NULL, &error);
  lt_set_num_threads (threads);
  g_assert_no_error (error);
  assert_same_values (a, b, TRUE);
}

static void
red_fw_float64 (gconstpointer d)
{
  reduce_run (d, SH (6, 5), F64, LAY_T, 0, FALSE);
  reduce_run (d, SH (6, 5), F64, LAY_STEP, ALL_DIMS, FALSE);
}

static void
red_fw_integer (gconstpointer d)
{
  const ReduceDef *r = d;
  const LtDType dts[] = { I64, I32, I16, I8, U8, BOOL };

  if (r->float_only)
    {
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (SH (3, 4), I64, LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) y = reduce_call (r->op, x.t, ALL_DIMS, FALSE, r->param, NULL, &error);

      check_error (y, error, LT_ERROR_DTYPE);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      reduce_run (r, SH (4, 5), dts[i], LAY_T, ALL_DIMS, FALSE);
      reduce_run (r, SH (4, 5), dts[i], LAY_CONTIG, 1, FALSE);
      reduce_run (r, SH (3, 4, 2), dts[i], LAY_STEP, 0, TRUE);
    }
}

/* NaN propagates through max/min and wins argmax/argmin. */
static void
red_fw_nan (gconstpointer d)
{
  const ReduceDef *r = d;
  static const double v[] = { 1, 2, NAN, 5, NAN, 0, 3, 4, -1, 7, 2, 9 };
  g_auto(Arr) x = arr_from (v, SH (3, 4), F32, LAY_CONTIG);
  g_auto(Arr) xt = arr_from (v, SH (4, 3), F64, LAY_T);

  reduce_check (r, &x, ALL_DIMS, FALSE, r->param);
  reduce_check (r, &xt, ALL_DIMS, FALSE, r->param);
  if (r->has_dim)
    {
      reduce_check (r, &x, 1, FALSE, r->param);
      reduce_check (r, &xt, 0, TRUE, r->param);
    }
}

static const Case reduce_forward[] = {
  { "all", red_fw_all },
  { "dim", red_fw_dim },
  { "transposed", red_fw_transposed },
  { "strided", red_fw_strided },
  { "expanded", red_fw_expanded },
  { "rank0", red_fw_rank0 },
  { "empty", red_fw_empty },
  { "parallel", red_fw_parallel },
  { "threads", red_fw_threads },
  { "float64", red_fw_float64 },
  { "integer", red_fw_integer },
  { NULL, NULL }
};

static const Case reduce_forward_nan[] = {
  { "nan", red_fw_nan },
  { NULL, NULL }
};

static void
sum_fw_dims (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4, 5), F64, LAY_T, DIST_UNIT);
  const gint dims[] = { 2, 0 };
  g_autoptr(LtTensor) y = lt_tensor_sum_dims (x.t, dims, 2, FALSE, &error);
  g_autoptr(LtTensor) m = lt_tensor_mean_dims (x.t, dims, 2, TRUE, &error);
  g_autoptr(LtTensor) a = lt_tensor_sum_dims (x.t, NULL, 0, FALSE, &error);
  double ref[4] = { 0 }, total = 0;
  const gint bad[] = { 1, -2 };
  LtTensor *e;

  g_assert_no_error (error);
  for (gint64 k = 0; k < 60; k++)
    {
      ref[(k / 5) % 4] += x.v[k];
      total += x.v[k];
    }
  check (y, F64, SH (4), ref);
  for (guint i = 0; i < 4; i++)
    ref[i] /= 15;
  check (m, F64, SH (1, 4, 1), ref);
  check (a, F64, SH0, &total);
  e = lt_tensor_sum_dims (x.t, bad, 2, FALSE, &error);
  check_error (e, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  e = lt_tensor_sum_dim (x.t, 3, FALSE, &error);
  check_error (e, error, LT_ERROR_INDEX);
}

/* Every subset of the dims of a 4-D tensor, in several layouts: the
 * kernel's splitting and coalescing of kept and reduced dims. */
static void
sum_fw_subsets (gconstpointer d)
{
  const Lay lays[] = { LAY_CONTIG, LAY_TPAD, LAY_STEP, LAY_EXPAND };

  for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
    {
      g_auto(Arr) x = arr_new (SH (2, 3, 4, 5), F64, lays[l], DIST_UNIT);

      for (guint mask = 1; mask < 16; mask++)
        {
          g_autoptr(GError) error = NULL;
          gint dims[4];
          gsize n = 0;
          g_autoptr(LtTensor) y = NULL;
          g_autoptr(LtTensor) m = NULL;
          g_autofree double *ref = NULL;
          g_autofree double *idx = NULL;
          Shape ks, os = { { 0 }, 0 };

          for (guint i = 0; i < 4; i++)
            if (mask & (1u << i))
              dims[n++] = (gint) i - (i % 2 ? 4 : 0);   /* negative dims too */
            else
              os.d[os.n++] = x.s.d[i];
          y = lt_tensor_sum_dims (x.t, dims, n, FALSE, &error);
          m = lt_tensor_mean_dims (x.t, dims, n, TRUE, &error);
          g_assert_no_error (error);
          ref = reduce_ref_mask (LT_OP_SUM, &x, mask, 0, &ks, &idx);
          check (y, F64, os, ref);
          g_clear_pointer (&ref, g_free);
          g_clear_pointer (&idx, g_free);
          ref = reduce_ref_mask (LT_OP_MEAN, &x, mask, 0, &ks, &idx);
          check (m, F64, ks, ref);
        }
    }
}

static const Case sum_forward_extra[] = {
  { "dims", sum_fw_dims },
  { "dim_subsets", sum_fw_subsets },
  { NULL, NULL }
};

static void
var_fw_biased (gconstpointer d)
{
  const ReduceDef *r = d;
  g_auto(Arr) x = arr_new (SH (4, 6), F32, LAY_T, DIST_UNIT);
  g_auto(Arr) one = arr_new (SH (1, 3), F64, LAY_CONTIG, DIST_UNIT);

  reduce_check (r, &x, ALL_DIMS, FALSE, 0);
  reduce_check (r, &x, 1, FALSE, 0);
  reduce_check (r, &x, 0, TRUE, 1);
  /* one element per group: NaN with the correction, 0 without */
  reduce_check (r, &one, 0, FALSE, 1);
  reduce_check (r, &one, 0, FALSE, 0);
}

static const Case var_forward_extra[] = {
  { "biased", var_fw_biased },
  { NULL, NULL }
};

static void
norm_fw_p (gconstpointer d)
{
  const ReduceDef *r = d;
  const double ps[] = { 1, 3, 0.5, INFINITY, -INFINITY, 0 };
  g_auto(Arr) x = arr_new (SH (4, 6), F32, LAY_T, DIST_GRID);
  g_auto(Arr) z = arr_new (SH (0, 2), F64, LAY_CONTIG, DIST_GRID);

  for (guint i = 0; i < G_N_ELEMENTS (ps); i++)
    {
      reduce_check (r, &x, ALL_DIMS, FALSE, ps[i]);
      reduce_check (r, &x, 1, FALSE, ps[i]);
      reduce_check (r, &x, 0, TRUE, ps[i]);
      if (ps[i] >= 0)
        reduce_check (r, &z, 0, FALSE, ps[i]);
    }
}

static const Case norm_forward_extra[] = {
  { "p", norm_fw_p },
  { NULL, NULL }
};

/* Backward */

typedef struct
{
  LtOp op;
  gint dim;
  gboolean keepdim;
  double param;
} ReduceCall;

static LtTensor *
gc_reduce (LtTensor **in, gsize n, gpointer data)
{
  const ReduceCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ind = NULL;
  LtTensor *y = reduce_call (c->op, in[0], c->dim, c->keepdim, c->param,
                             is_dim_only (c->op) ? &ind : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
reduce_bw_run (const ReduceDef *r, Shape s, Lay lay, gint dim, gboolean keepdim, double param)
{
  ReduceCall c = { r->op, dim, keepdim, param };
  g_autoptr(LtTensor) x = leaf_new (s, lay,
                                    r->op == LT_OP_NORM && param <= 1 ? DIST_AWAY : DIST_UNIT);

  if (is_dim_only (r->op) && dim == ALL_DIMS)
    c.dim = 0;
  if (!r->has_dim)
    c.dim = ALL_DIMS;
  gradcheck (gc_reduce, &c, &x, 1);
}

static void
red_bw_all (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, SH (3, 4), LAY_CONTIG, ALL_DIMS, FALSE, r->param);
  reduce_bw_run (r, SH (7), LAY_STEP, ALL_DIMS, FALSE, r->param);
}

static void
red_bw_dim (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, SH (3, 4), LAY_CONTIG, 1, FALSE, r->param);
  reduce_bw_run (r, SH (3, 4), LAY_CONTIG, 0, TRUE, r->param);
  reduce_bw_run (r, SH (2, 3, 2), LAY_CONTIG, -2, FALSE, r->param);
}

static void
red_bw_transposed (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, SH (4, 3), LAY_T, 0, FALSE, r->param);
  reduce_bw_run (r, SH (4, 3), LAY_T, ALL_DIMS, FALSE, r->param);
}

static void
red_bw_rank0 (gconstpointer d)
{
  const ReduceDef *r = d;

  if (r->op == LT_OP_VAR || r->op == LT_OP_STD)
    {
      /* biased: a one-element variance is 0, its gradient 0 (std: NaN) */
      if (r->op == LT_OP_VAR)
        reduce_bw_run (r, SH0, LAY_CONTIG, ALL_DIMS, FALSE, 0);
      return;
    }
  reduce_bw_run (r, SH0, LAY_CONTIG, ALL_DIMS, FALSE, r->param);
  if (r->has_dim)
    reduce_bw_run (r, SH0, LAY_CONTIG, 0, TRUE, r->param);
}

static void
red_bw_empty (gconstpointer d)
{
  const ReduceDef *r = d;
  ReduceCall c = { r->op, r->has_dim ? 1 : ALL_DIMS, FALSE, r->param };
  g_autoptr(LtTensor) x = leaf_new (SH (0, 3), LAY_CONTIG, DIST_UNIT);

  if (r->op == LT_OP_MAX || r->op == LT_OP_MIN)
    return;
  backward_shapes (gc_reduce, &c, &x, 1);
}

static const Case reduce_backward[] = {
  { "all", red_bw_all },
  { "dim", red_bw_dim },
  { "transposed", red_bw_transposed },
  { "rank0", red_bw_rank0 },
  { "empty", red_bw_empty },
  { NULL, NULL }
};

static void
var_bw_biased (gconstpointer d)
{
  const ReduceDef *r = d;

  reduce_bw_run (r, SH (3, 4), LAY_T, ALL_DIMS, FALSE, 0);
  reduce_bw_run (r, SH (3, 4), LAY_CONTIG, 1, TRUE, 0);
}

static const Case var_backward_extra[] = {
  { "biased", var_bw_biased },
  { NULL, NULL }
};

static void
norm_bw_p (gconstpointer d)
{
  const ReduceDef *r = d;
  const double ps[] = { 1, 3, 1.5, INFINITY, -INFINITY, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (ps); i++)
    {
      reduce_bw_run (r, SH (3, 4), LAY_T, ALL_DIMS, FALSE, ps[i]);
      reduce_bw_run (r, SH (3, 4), LAY_CONTIG, 1, FALSE, ps[i]);
    }
}

static const Case norm_backward_extra[] = {
  { "p", norm_bw_p },
  { NULL, NULL }
};

/* max/min over everything: ties share the gradient evenly (PyTorch's
 * evenly_distribute_backward). */
static void
extreme_bw_ties (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean is_max = r->op == LT_OP_MAX;
  static const double v[] = { 1, 3, -2, 3, 0, -2, 3, 1 };
  g_autoptr(LtTensor) x = leaf_from (v, SH (2, 4));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = reduce_call (r->op, x, ALL_DIMS, FALSE, 0, NULL, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat (value_at (y, 0), ==, is_max ? 3 : -2);
  backward_sum (y);
  g = grad_of (x);
  for (guint k = 0; k < 8; k++)
    g_assert_cmpfloat (g[k], ==, v[k] == (is_max ? 3 : -2) ? (is_max ? 1.0 / 3 : 0.5) : 0);
}

/* max/min along a dim: the gradient goes to the returned index only. */
static void
extreme_dim_bw_ties (gconstpointer d)
{
  const ReduceDef *r = d;
  gboolean is_max = r->op == LT_OP_MAX_DIM;
  static const double v[] = { 1, 3, 3, 2, 2, 0, -1, -1, 5 };
  g_autoptr(LtTensor) x = leaf_from (v, SH (3, 3));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ind = NULL;
  g_autoptr(LtTensor) y = reduce_call (r->op, x, 1, FALSE, 0, &ind, &error);
  g_autofree double *g = NULL;
  g_autofree double *iv = NULL;
  /* the first of the tied extremes */
  const double want_max[] = { 1, 0, 2 }, want_min[] = { 0, 2, 0 };
  const double *want = is_max ? want_max : want_min;

  g_assert_no_error (error);
  iv = values_of (ind);
  backward_sum (y);
  g = grad_of (x);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (iv[i], ==, want[i]);
      for (guint j = 0; j < 3; j++)
        g_assert_cmpfloat (g[i * 3 + j], ==, j == want[i] ? 1 : 0);
    }
}

static const Case extreme_backward_extra[] = {
  { "ties", extreme_bw_ties },
  { NULL, NULL }
};

static const Case extreme_dim_backward_extra[] = {
  { "ties", extreme_dim_bw_ties },
  { NULL, NULL }
};

/* softmax and log_softmax along one dim */

static void
softmax_run (LtOp op, Shape s, LtDType dt, Lay lay, gint dim)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_WIDE);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, dim, &error)
                                             : lt_tensor_log_softmax (x.t, dim, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  guint d = s.n == 0 ? 0 : (guint) (dim < 0 ? dim + (gint) s.n : dim);
  gint64 D = s.n ? s.d[d] : 1, inner = 1, idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (guint i = d + 1; i < s.n; i++)
    inner *= s.d[i];
  for (gint64 k = 0; k < x.n; k++)
    {
      /* the row of k along dim: first element and stride @inner */
      gint64 first, pos;
      double m = -INFINITY, sum = 0;

      unravel (k, s, idx);
      pos = s.n ? idx[d] : 0;
      first = k - pos * inner;
      for (gint64 j = 0; j < D; j++)
        m = MAX (m, x.v[first + j * inner]);
      for (gint64 j = 0; j < D; j++)
        sum += exp (x.v[first + j * inner] - m);
      ref[k] = op == LT_OP_SOFTMAX ? exp (x.v[k] - m) / sum : x.v[k] - m - log (sum);
    }
  check_tol (y, dt, s, ref, dt == F32 ? 1e-5 : 1e-10, dt == F32 ? 1e-6 : 1e-12);
}

static void
softmax_fw_dim (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  for (gint dim = -1; dim < 3; dim++)
    softmax_run (op, SH (4, 5, 6), F32, LAY_CONTIG, dim);
}

static void
softmax_fw_transposed (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH (7, 5), F32, LAY_T, 0);
  softmax_run (GPOINTER_TO_INT (d), SH (7, 5), F32, LAY_T, 1);
}

static void
softmax_fw_strided (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH (3, 9), F32, LAY_STEP, 1);
  softmax_run (GPOINTER_TO_INT (d), SH (4, 3), F32, LAY_EXPAND, 0);
  softmax_run (GPOINTER_TO_INT (d), SH (4, 6), F32, LAY_TPAD, 1);
}

static void
softmax_fw_rank0 (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH0, F32, LAY_CONTIG, 0);
  softmax_run (GPOINTER_TO_INT (d), SH0, F64, LAY_CONTIG, -1);
}

static void
softmax_fw_empty (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH (0, 5), F32, LAY_CONTIG, 1);
  softmax_run (GPOINTER_TO_INT (d), SH (3, 0), F32, LAY_CONTIG, 1);
}

static void
softmax_fw_parallel (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH (300, 251), F32, LAY_CONTIG, 1);
  softmax_run (GPOINTER_TO_INT (d), SH (300, 251), F32, LAY_T, 0);
}

static void
softmax_fw_float64 (gconstpointer d)
{
  softmax_run (GPOINTER_TO_INT (d), SH (6, 5), F64, LAY_T, 1);
}

/* -inf elements get 0 (log: -inf); a row of -inf, or holding +inf or
 * NaN, is NaN, as torch.softmax */
static void
softmax_fw_special (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  const double v[] = { 1, -INFINITY, 2, -INFINITY, -INFINITY, -INFINITY,
                       INFINITY, 0, 1, NAN, 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_from (v, SH (4, 3), F32, LAY_CONTIG);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 1, &error)
                                             : lt_tensor_log_softmax (x.t, 1, &error);
  double e = exp (-1) / (1 + exp (-1)), ref[12];

  g_assert_no_error (error);
  for (guint k = 3; k < 12; k++)
    ref[k] = NAN;
  ref[0] = op == LT_OP_SOFTMAX ? e : log (e);
  ref[1] = op == LT_OP_SOFTMAX ? 0 : -INFINITY;
  ref[2] = op == LT_OP_SOFTMAX ? 1 - e : log (1 - e);
  check (y, F32, SH (4, 3), ref);
}

static void
softmax_fw_errors (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), I64, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 1, &error)
                                             : lt_tensor_log_softmax (x.t, 1, &error);

  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = op == LT_OP_SOFTMAX ? lt_tensor_softmax (x.t, 2, &error)
                          : lt_tensor_log_softmax (x.t, 2, &error);
  check_error (y, error, LT_ERROR_INDEX);
}

static const Case softmax_forward[] = {
  { "dim", softmax_fw_dim },
  { "transposed", softmax_fw_transposed },
  { "strided", softmax_fw_strided },
  { "rank0", softmax_fw_rank0 },
  { "empty", softmax_fw_empty },
  { "parallel", softmax_fw_parallel },
  { "float64", softmax_fw_float64 },
  { "special", softmax_fw_special },
  { "errors", softmax_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  LtOp op;
  gint dim;
} SoftmaxCall;

static LtTensor *
gc_softmax (LtTensor **in, gsize n, gpointer data)
{
  const SoftmaxCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = c->op == LT_OP_SOFTMAX ? lt_tensor_softmax (in[0], c->dim, &error)
                                       : lt_tensor_log_softmax (in[0], c->dim, &error);

  g_assert_no_error (error);
  return y;
}

static void
softmax_bw_run (LtOp op, Shape s, Lay lay, gint dim)
{
  SoftmaxCall c = { op, dim };
  g_autoptr(LtTensor) x = leaf_new (s, lay, DIST_UNIT);

  gradcheck (gc_softmax, &c, &x, 1);
}

static void
softmax_bw_dim (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), SH (3, 4), LAY_CONTIG, 0);
  softmax_bw_run (GPOINTER_TO_INT (d), SH (2, 3, 2), LAY_CONTIG, -1);
}

static void
softmax_bw_transposed (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), SH (4, 3), LAY_T, 1);
  softmax_bw_run (GPOINTER_TO_INT (d), SH (3, 4), LAY_STEP, 0);
}

static void
softmax_bw_rank0 (gconstpointer d)
{
  softmax_bw_run (GPOINTER_TO_INT (d), SH0, LAY_CONTIG, 0);
}

static void
softmax_bw_empty (gconstpointer d)
{
  SoftmaxCall c = { GPOINTER_TO_INT (d), 1 };
  g_autoptr(LtTensor) x = leaf_new (SH (0, 3), LAY_CONTIG, DIST_UNIT);

  backward_shapes (gc_softmax, &c, &x, 1);
}

static const Case softmax_backward[] = {
  { "dim", softmax_bw_dim },
  { "transposed", softmax_bw_transposed },
  { "rank0", softmax_bw_rank0 },
  { "empty", softmax_bw_empty },
  { NULL, NULL }
};

/* Matrix products */

/* out[b] = beta * bias + alpha * a[b] @ c[b], batches of 2-D row-major
 * matrices; @bias is broadcast to (M, N) or NULL. */
static double *
matmul_ref (const double *a, const double *c, gint64 B, gint64 M, gint64 K, gint64 N,
            const Arr *bias, double beta, double alpha)
{
  double *out = g_new0 (double, MAX (B * M * N, 1));

  for (gint64 b = 0; b < B; b++)
    for (gint64 i = 0; i < M; i++)
      for (gint64 j = 0; j < N; j++)
        {
          double acc = 0;

          for (gint64 k = 0; k < K; k++)
            acc += a[(b * M + i) * K + k] * c[(b * K + k) * N + j];
          out[(b * M + i) * N + j] = alpha * acc;
          if (bias && beta != 0)
            {
              gint64 idx[2] = { i, j };
              out[(b * M + i) * N + j] += beta * bias->v[bindex (idx, 2, bias->s)];
            }
        }
  return out;
}

/* Integer products wrap around like the dtype. */
static void
check_product (LtTensor *y, LtDType dt, Shape s, double *ref, gint64 K)
{
  if (dt == F32)
    check_tol (y, dt, s, ref, 1e-5, 1e-6 * MAX (K, 1) * 16);
  else if (dt == F64)
    check_tol (y, dt, s, ref, 1e-10, 1e-12 * MAX (K, 1) * 16);
  else
    {
      for (gint64 k = 0; k < numel (s); k++)
        ref[k] = wrap_to (ref[k], dt);
      check (y, dt, s, ref);
    }
}

static void
mm_run (gint64 M, gint64 K, gint64 N, LtDType dt, Lay la, Lay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (SH (M, K), dt, la, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (K, N), dt, lb, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mm (a.t, b.t, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, M, K, N, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (y, dt, SH (M, N), ref, K);
}

static void
mm_fw_contiguous (gconstpointer d)
{
  mm_run (7, 13, 5, F32, LAY_CONTIG, LAY_CONTIG);
  mm_run (1, 5, 1, F32, LAY_CONTIG, LAY_CONTIG);
}

static void
mm_fw_transposed (gconstpointer d)
{
  mm_run (7, 13, 5, F32, LAY_T, LAY_T);
  mm_run (6, 3, 4, F32, LAY_T, LAY_CONTIG);
  mm_run (1, 4, 3, F32, LAY_T, LAY_T);
  mm_run (3, 4, 1, F32, LAY_T, LAY_T);
}

static void
mm_fw_strided (gconstpointer d)
{
  mm_run (5, 6, 7, F32, LAY_STEP, LAY_STEP);
  mm_run (5, 6, 7, F32, LAY_EXPAND, LAY_T);
  mm_run (5, 6, 7, F32, LAY_CONTIG, LAY_EXPAND);
}

/* rows apart: BLAS's leading dimension exceeds the matrix width */
static void
mm_fw_padded (gconstpointer d)
{
  mm_run (5, 6, 7, F32, LAY_TPAD, LAY_PAD);
  mm_run (5, 6, 7, F64, LAY_PAD, LAY_TPAD);
  mm_run (1, 6, 7, F32, LAY_TPAD, LAY_TPAD);
  mm_run (5, 6, 1, F32, LAY_PAD, LAY_PAD);
  mm_run (4, 3, 5, I32, LAY_TPAD, LAY_PAD);
}

static void
mm_fw_empty (gconstpointer d)
{
  mm_run (0, 4, 3, F32, LAY_CONTIG, LAY_CONTIG);
  mm_run (3, 0, 4, F32, LAY_CONTIG, LAY_T);
  mm_run (3, 4, 0, F64, LAY_T, LAY_CONTIG);
}

static void
mm_fw_large (gconstpointer d)
{
  mm_run (300, 20, 251, F32, LAY_CONTIG, LAY_T);
}

/* Shapes around the register blocks and vector lengths of the CPU
 * backend's small float32 products (lt-cpu-blas.c: rows of 6, vectors of 8
 * or 16, blocks of up to 4 vectors; dot products in blocks of 4 x 4 or 2 x
 * 4 with a masked last vector), in both of their forms (B with a unit
 * stride along N; A and B with a unit stride along K), the form that goes
 * to BLAS (both transposed), rows split across threads, and B too large
 * for them */
static void
mm_fw_blocks (gconstpointer d)
{
  static const gint64 ms[] = { 1, 5, 7, 13 }, ns[] = { 1, 9, 17, 65, 120 };
  static const gint64 ks[] = { 1, 7, 33, 84 };
  static const Lay lays[][2] = {
    { LAY_CONTIG, LAY_CONTIG }, { LAY_T, LAY_CONTIG }, { LAY_CONTIG, LAY_T }, { LAY_T, LAY_T },
    { LAY_PAD, LAY_TPAD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    for (guint j = 0; j < G_N_ELEMENTS (ns); j++)
      for (guint k = 0; k < G_N_ELEMENTS (ks); k++)
        for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
          mm_run (ms[i], ks[k], ns[j], F32, lays[l][0], lays[l][1]);
  mm_run (256, 400, 120, F32, LAY_CONTIG, LAY_T);
  mm_run (120, 256, 400, F32, LAY_T, LAY_CONTIG);
  mm_run (64, 700, 500, F32, LAY_CONTIG, LAY_T);
}

static void
mm_fw_float64 (gconstpointer d)
{
  mm_run (7, 13, 5, F64, LAY_T, LAY_STEP);
}

static void
mm_fw_integer (gconstpointer d)
{
  const LtDType dts[] = { I64, I32, I16, I8, U8 };

  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      mm_run (4, 5, 3, dts[i], LAY_CONTIG, LAY_CONTIG);
      mm_run (4, 5, 3, dts[i], LAY_T, LAY_STEP);
    }
}

static void
mm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) c = arr_new (SH (4, 2), F64, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) v = arr_new (SH (4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (2, 2), BOOL, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mm (a.t, b.t, &error);

  check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[3, 4]"));
  g_clear_error (&error);
  y = lt_tensor_mm (a.t, c.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_mm (a.t, v.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_mm (m.t, m.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
}

/* matmul of vectors and matrices goes through mul + sum or mm */
static void
mm_fw_matmul (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) u = arr_new (SH (5), F32, LAY_STEP, DIST_UNIT);
  g_auto(Arr) v = arr_new (SH (5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (3, 5), F32, LAY_T, DIST_UNIT);
  g_auto(Arr) n = arr_new (SH (5, 2), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) dot = lt_tensor_matmul (u.t, v.t, &error);
  g_autoptr(LtTensor) mv = lt_tensor_matmul (m.t, v.t, &error);
  g_autoptr(LtTensor) vm = lt_tensor_matmul (u.t, n.t, &error);
  g_autofree double *rdot = matmul_ref (u.v, v.v, 1, 1, 5, 1, NULL, 0, 1);
  g_autofree double *rmv = matmul_ref (m.v, v.v, 1, 3, 5, 1, NULL, 0, 1);
  g_autofree double *rvm = matmul_ref (u.v, n.v, 1, 1, 5, 2, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (dot, F32, SH0, rdot, 5);
  check_product (mv, F32, SH (3), rmv, 5);
  check_product (vm, F32, SH (2), rvm, 5);
}

static const Case mm_forward[] = {
  { "blocks", mm_fw_blocks },
  { "contiguous", mm_fw_contiguous },
  { "transposed", mm_fw_transposed },
  { "strided", mm_fw_strided },
  { "padded", mm_fw_padded },
  { "empty", mm_fw_empty },
  { "large", mm_fw_large },
  { "float64", mm_fw_float64 },
  { "integer", mm_fw_integer },
  { "errors", mm_fw_errors },
  { "matmul", mm_fw_matmul },
  { NULL, NULL }
};

static void
bmm_run (gint64 B, gint64 M, gint64 K, gint64 N, LtDType dt, Lay la, Lay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (SH (B, M, K), dt, la, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (B, K, N), dt, lb, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_bmm (a.t, b.t, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, B, M, K, N, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (y, dt, SH (B, M, N), ref, K);
}

static void
bmm_fw_contiguous (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, LAY_CONTIG, LAY_CONTIG);
}

static void
bmm_fw_transposed (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, LAY_T, LAY_T);
  bmm_run (2, 3, 7, 5, F32, LAY_CONTIG, LAY_T);
}

static void
bmm_fw_strided (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, LAY_STEP, LAY_CONTIG);
  bmm_run (3, 4, 5, 2, F32, LAY_TPAD, LAY_PAD);
  bmm_run (2, 4, 5, 3, F64, LAY_PAD, LAY_TPAD);
}

static void
bmm_fw_expanded (gconstpointer d)
{
  bmm_run (4, 3, 5, 2, F32, LAY_EXPAND, LAY_CONTIG);
  bmm_run (4, 3, 5, 2, F32, LAY_T, LAY_EXPAND);
}

static void
bmm_fw_empty (gconstpointer d)
{
  bmm_run (0, 3, 4, 2, F32, LAY_CONTIG, LAY_CONTIG);
  bmm_run (2, 3, 0, 2, F32, LAY_CONTIG, LAY_CONTIG);
  bmm_run (2, 0, 3, 2, F64, LAY_T, LAY_CONTIG);
}

static void
bmm_fw_float64 (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F64, LAY_T, LAY_STEP);
}

static void
bmm_fw_integer (gconstpointer d)
{
  bmm_run (2, 3, 4, 2, I64, LAY_T, LAY_CONTIG);
  bmm_run (2, 3, 4, 2, I32, LAY_CONTIG, LAY_STEP);
  bmm_run (2, 3, 4, 2, U8, LAY_CONTIG, LAY_T);
}

/* matmul with batch dims broadcast, through bmm */
static void
bmm_matmul_one (Shape sa, Shape sb)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (sa, F64, LAY_T, DIST_UNIT);
  g_auto(Arr) b = arr_new (sb, F64, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_matmul (a.t, b.t, &error);
  /* vectors become matrices, batch dims broadcast */
  Shape ma = sa.n == 1 ? SH (1, sa.d[0]) : sa;
  Shape mb = sb.n == 1 ? SH (sb.d[0], 1) : sb;
  Shape ba = { { 0 }, ma.n - 2 }, bb = { { 0 }, mb.n - 2 }, batch, os;
  gint64 M = ma.d[ma.n - 2], K = ma.d[ma.n - 1], N = mb.d[mb.n - 1], B, idx[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  memcpy (ba.d, ma.d, ba.n * sizeof (gint64));
  memcpy (bb.d, mb.d, bb.n * sizeof (gint64));
  batch = broadcast (ba, bb);
  B = numel (batch);
  ref = g_new0 (double, MAX (B * M * N, 1));
  for (gint64 k = 0; k < B; k++)
    {
      g_autofree double *r = NULL;

      unravel (k, batch, idx);
      r = matmul_ref (a.v + bindex (idx, batch.n, ba) * M * K,
                      b.v + bindex (idx, batch.n, bb) * K * N, 1, M, K, N, NULL, 0, 1);
      memcpy (ref + k * M * N, r, M * N * sizeof (double));
    }
  os = batch;
  if (sa.n > 1)
    os.d[os.n++] = M;
  if (sb.n > 1)
    os.d[os.n++] = N;
  check_product (y, F64, os, ref, K);
}

static void
bmm_fw_matmul (gconstpointer d)
{
  bmm_matmul_one (SH (3, 4, 5), SH (5, 2));
  bmm_matmul_one (SH (2, 1, 4, 5), SH (3, 5, 2));
  bmm_matmul_one (SH (4), SH (2, 4, 3));
  bmm_matmul_one (SH (2, 3, 4), SH (4));
  bmm_matmul_one (SH (3, 4), SH (2, 1, 4, 2));
}

static void
bmm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (SH (2, 3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (3, 4, 2), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) c = arr_new (SH (4, 2), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) s = arr_new (SH0, F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_bmm (a.t, b.t, &error);

  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_bmm (a.t, c.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_matmul (s.t, c.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case bmm_forward[] = {
  { "contiguous", bmm_fw_contiguous },
  { "transposed", bmm_fw_transposed },
  { "strided", bmm_fw_strided },
  { "expanded", bmm_fw_expanded },
  { "empty", bmm_fw_empty },
  { "float64", bmm_fw_float64 },
  { "integer", bmm_fw_integer },
  { "matmul", bmm_fw_matmul },
  { "errors", bmm_fw_errors },
  { NULL, NULL }
};

static void
addmm_run (Shape sbias, gint64 M, gint64 K, gint64 N, double beta, double alpha, LtDType dt,
           Lay la, Lay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) c = arr_new (sbias, dt, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) a = arr_new (SH (M, K), dt, la, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (K, N), dt, lb, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, beta, alpha, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, M, K, N, &c, beta, alpha);

  g_assert_no_error (error);
  check_product (y, dt, SH (M, N), ref, K + 1);
}

static void
addmm_fw_bias (gconstpointer d)
{
  addmm_run (SH (4, 3), 4, 5, 3, 1, 1, F32, LAY_CONTIG, LAY_CONTIG);
  addmm_run (SH (3), 4, 5, 3, 1, 1, F32, LAY_CONTIG, LAY_CONTIG);
  addmm_run (SH (4, 1), 4, 5, 3, 1, 1, F32, LAY_T, LAY_CONTIG);
  addmm_run (SH0, 4, 5, 3, 1, 1, F32, LAY_CONTIG, LAY_T);
}

static void
addmm_fw_alpha_beta (gconstpointer d)
{
  addmm_run (SH (3), 4, 5, 3, 0.5, 2, F32, LAY_T, LAY_T);
  addmm_run (SH (4, 3), 4, 5, 3, -1, 0.25, F64, LAY_STEP, LAY_CONTIG);
  addmm_run (SH (4, 1), 4, 5, 3, 2, -1, F32, LAY_TPAD, LAY_PAD);
}

/* a linear layer's shapes (x @ W^T + b) on the small float32 products,
 * and alpha and beta on both of their forms */
static void
addmm_fw_linear (gconstpointer d)
{
  static const gint64 shapes[][3] = { { 4, 400, 120 }, { 64, 120, 84 }, { 5, 84, 10 },
                                      { 7, 17, 33 } };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      gint64 M = shapes[i][0], K = shapes[i][1], N = shapes[i][2];

      addmm_run (SH (N), M, K, N, 1, 1, F32, LAY_CONTIG, LAY_T);
      addmm_run (SH (N), M, K, N, 0.5, 2, F32, LAY_CONTIG, LAY_CONTIG);
      addmm_run (SH (M, N), M, K, N, -1, 0.25, F32, LAY_T, LAY_CONTIG);
      addmm_run (SH (M, 1), M, K, N, 2, -1, F32, LAY_CONTIG, LAY_T);
    }
}

static void
addmm_fw_empty (gconstpointer d)
{
  addmm_run (SH (3), 4, 0, 3, 0.5, 2, F32, LAY_CONTIG, LAY_CONTIG);
  addmm_run (SH (3), 0, 2, 3, 1, 1, F32, LAY_CONTIG, LAY_CONTIG);
}

static void
addmm_fw_integer (gconstpointer d)
{
  addmm_run (SH (3), 4, 5, 3, 1, 2, I64, LAY_T, LAY_CONTIG);
  addmm_run (SH (4, 3), 4, 5, 3, 1, 1, I32, LAY_CONTIG, LAY_STEP);
}

/* beta = 0 ignores the added tensor, NaN included (torch.addmm) */
static void
addmm_fw_beta_zero (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  double nan3[] = { NAN, NAN, NAN };
  g_auto(Arr) c = arr_from (nan3, SH (3), F32, LAY_CONTIG);
  g_auto(Arr) a = arr_new (SH (4, 5), F32, LAY_T, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (5, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, 0, 1.5, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, 4, 5, 3, NULL, 0, 1.5);

  g_assert_no_error (error);
  check_product (y, F32, SH (4, 3), ref, 5);
}

static void
addmm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) c = arr_new (SH (2), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) a = arr_new (SH (4, 5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (5, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, 1, 1, &error);

  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case addmm_forward[] = {
  { "linear", addmm_fw_linear },
  { "bias", addmm_fw_bias },
  { "alpha_beta", addmm_fw_alpha_beta },
  { "empty", addmm_fw_empty },
  { "integer", addmm_fw_integer },
  { "beta_zero", addmm_fw_beta_zero },
  { "errors", addmm_fw_errors },
  { NULL, NULL }
};

/* Backward */

static LtTensor *
gc_mm (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtOp op = GPOINTER_TO_INT (data);
  LtTensor *y = op == LT_OP_MM ? lt_tensor_mm (in[0], in[1], &error)
              : op == LT_OP_BMM ? lt_tensor_bmm (in[0], in[1], &error)
              : lt_tensor_matmul (in[0], in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
product_bw_run (LtOp op, Shape sa, Lay la, Shape sb, Lay lb)
{
  LtTensor *in[2] = { leaf_new (sa, la, DIST_UNIT), leaf_new (sb, lb, DIST_UNIT) };

  if (numel (sa) == 0 || numel (sb) == 0)
    backward_shapes (gc_mm, GINT_TO_POINTER (op), in, 2);
  else
    gradcheck (gc_mm, GINT_TO_POINTER (op), in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
mm_bw_contiguous (gconstpointer d)
{
  product_bw_run (LT_OP_MM, SH (3, 4), LAY_CONTIG, SH (4, 2), LAY_CONTIG);
}

static void
mm_bw_transposed (gconstpointer d)
{
  product_bw_run (LT_OP_MM, SH (3, 4), LAY_T, SH (4, 2), LAY_T);
  product_bw_run (LT_OP_MM, SH (3, 4), LAY_STEP, SH (4, 2), LAY_CONTIG);
  product_bw_run (LT_OP_MM, SH (3, 4), LAY_TPAD, SH (4, 2), LAY_PAD);
}

static void
mm_bw_empty (gconstpointer d)
{
  product_bw_run (LT_OP_MM, SH (0, 3), LAY_CONTIG, SH (3, 2), LAY_CONTIG);
  product_bw_run (LT_OP_MM, SH (2, 0), LAY_CONTIG, SH (0, 3), LAY_CONTIG);
}

static void
mm_bw_matmul (gconstpointer d)
{
  product_bw_run (0, SH (4), LAY_CONTIG, SH (4, 3), LAY_T);
  product_bw_run (0, SH (3, 4), LAY_T, SH (4), LAY_CONTIG);
  product_bw_run (0, SH (3), LAY_STEP, SH (3), LAY_CONTIG);
}

/* A gradient comes in its input's layout (PyTorch's mm_mat1_backward and
 * mm_mat2_backward): for x (stored transposed) @ w.t (), as in a linear
 * layer, the gradients of x and of w.t () are stored column by column, so
 * w's own gradient is contiguous; hooks see the strides, the values are
 * checked against sums computed here. */
static LtTensor *
layout_hook (LtTensor *grad, gpointer data)
{
  gint64 *strides = data;
  guint nd;
  const gint64 *st = lt_tensor_get_strides (grad, &nd);

  g_assert_cmpuint (nd, ==, 2);
  strides[0] = st[0];
  strides[1] = st[1];
  return NULL;
}

static void
mm_bw_layout (gconstpointer d)
{
  for (guint with_bias = 0; with_bias < 2; with_bias++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
      g_autoptr(LtTensor) w = leaf_new (SH (5, 4), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) b = leaf_new (SH (5), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) wt = lt_tensor_t (w, &error);
      g_autoptr(LtTensor) y = NULL;
      g_auto(Arr) g = arr_new (SH (3, 5), F64, LAY_CONTIG, DIST_UNIT);
      g_autofree double *xv = values_of (x);
      g_autofree double *wv = values_of (w);
      double gx[12] = { 0 }, gw[20] = { 0 };
      gint64 xs[2] = { 0 }, ws[2] = { 0 };

      g_assert_no_error (error);
      g_assert_cmpuint (lt_tensor_register_hook (x, layout_hook, xs, NULL, &error), >, 0);
      g_assert_cmpuint (lt_tensor_register_hook (wt, layout_hook, ws, NULL, &error), >, 0);
      y = with_bias ? lt_tensor_addmm (b, x, wt, 1.0, 1.0, &error) : lt_tensor_mm (x, wt, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
      g_assert_no_error (error);
      /* x (3, 4) and w.t () (4, 5): unit stride down the columns */
      g_assert_cmpint (xs[0], ==, 1);
      g_assert_cmpint (xs[1], ==, 3);
      g_assert_cmpint (ws[0], ==, 1);
      g_assert_cmpint (ws[1], ==, 4);
      g_assert_true (lt_tensor_is_contiguous (lt_tensor_get_grad (w)));
      for (int m = 0; m < 3; m++)
        for (int o = 0; o < 5; o++)
          for (int i = 0; i < 4; i++)
            {
              gx[m * 4 + i] += g.v[m * 5 + o] * wv[o * 4 + i];
              gw[o * 4 + i] += g.v[m * 5 + o] * xv[m * 4 + i];
            }
      check (lt_tensor_get_grad (x), F64, SH (3, 4), gx);
      check (lt_tensor_get_grad (w), F64, SH (5, 4), gw);
    }
}

static const Case mm_backward[] = {
  { "contiguous", mm_bw_contiguous },
  { "layout", mm_bw_layout },
  { "transposed", mm_bw_transposed },
  { "empty", mm_bw_empty },
  { "matmul", mm_bw_matmul },
  { NULL, NULL }
};

static void
bmm_bw_contiguous (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, SH (2, 3, 4), LAY_CONTIG, SH (2, 4, 2), LAY_CONTIG);
}

static void
bmm_bw_transposed (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, SH (2, 3, 4), LAY_T, SH (2, 4, 2), LAY_STEP);
}

static void
bmm_bw_empty (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, SH (0, 3, 4), LAY_CONTIG, SH (0, 4, 2), LAY_CONTIG);
}

static void
bmm_bw_matmul (gconstpointer d)
{
  product_bw_run (0, SH (2, 1, 3, 2), LAY_T, SH (3, 2, 2), LAY_CONTIG);
  product_bw_run (0, SH (2, 3, 4), LAY_CONTIG, SH (4), LAY_CONTIG);
}

static const Case bmm_backward[] = {
  { "contiguous", bmm_bw_contiguous },
  { "transposed", bmm_bw_transposed },
  { "empty", bmm_bw_empty },
  { "matmul", bmm_bw_matmul },
  { NULL, NULL }
};

typedef struct
{
  double beta, alpha;
} AddmmCall;

static LtTensor *
gc_addmm (LtTensor **in, gsize n, gpointer data)
{
  const AddmmCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_addmm (in[0], in[1], in[2], c->beta, c->alpha, &error);

  g_assert_no_error (error);
  return y;
}

static void
addmm_bw_run (Shape sbias, Lay la, Lay lb, double beta, double alpha)
{
  AddmmCall c = { beta, alpha };
  LtTensor *in[3] = { leaf_new (sbias, LAY_CONTIG, DIST_UNIT), leaf_new (SH (3, 4), la, DIST_UNIT),
                      leaf_new (SH (4, 2), lb, DIST_UNIT) };

  gradcheck (gc_addmm, &c, in, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (in[i]);
}

static void
addmm_bw_bias (gconstpointer d)
{
  addmm_bw_run (SH (3, 2), LAY_CONTIG, LAY_CONTIG, 1, 1);
  addmm_bw_run (SH (2), LAY_CONTIG, LAY_CONTIG, 1, 1);
  addmm_bw_run (SH0, LAY_CONTIG, LAY_CONTIG, 1, 1);
}

static void
addmm_bw_alpha_beta (gconstpointer d)
{
  addmm_bw_run (SH (3, 1), LAY_CONTIG, LAY_CONTIG, 0.5, -2);
  addmm_bw_run (SH (2), LAY_CONTIG, LAY_CONTIG, 0, 3);
}

static void
addmm_bw_transposed (gconstpointer d)
{
  addmm_bw_run (SH (2), LAY_T, LAY_T, 2, 0.5);
}

static const Case addmm_backward[] = {
  { "bias", addmm_bw_bias },
  { "alpha_beta", addmm_bw_alpha_beta },
  { "transposed", addmm_bw_transposed },
  { NULL, NULL }
};

/* Views: no kernel, new strides over the same storage */

typedef enum {
  V_VIEW, V_RESHAPE, V_FLATTEN, V_PERMUTE, V_TRANSPOSE, V_T, V_T_, V_EXPAND, V_SQUEEZE,
  V_SQUEEZE_DIM, V_UNSQUEEZE, V_SELECT, V_SLICE, V_NARROW, V_CLONE, V_CONTIGUOUS,
} ViewKind;

typedef struct
{
  ViewKind kind;
  Shape shape;          /* view, reshape, expand */
  gint perm[LT_MAX_DIMS];
  gint a, b;            /* dims */
  gint64 start, end, step;
} ViewCall;

static guint
norm_dim (gint d, guint n)
{
  return d < 0 ? (guint) (d + (gint) MAX (n, 1)) : (guint) d;
}

static LtTensor *
view_apply (const ViewCall *c, LtTensor *x, GError **error)
{
  switch (c->kind)
    {
    case V_VIEW: return lt_tensor_view (x, c->shape.d, c->shape.n, error);
    case V_RESHAPE: return lt_tensor_reshape (x, c->shape.d, c->shape.n, error);
    case V_FLATTEN: return lt_tensor_flatten (x, c->a, c->b, error);
    case V_PERMUTE: return lt_tensor_permute (x, c->perm, x->ndim, error);
    case V_TRANSPOSE: return lt_tensor_transpose (x, c->a, c->b, error);
    case V_T: return lt_tensor_t (x, error);
    case V_T_:
      {
        g_autoptr(LtTensor) y = lt_tensor_clone (x, error);

        if (y == NULL || !lt_tensor_t_ (y, error))
          return NULL;
        return g_steal_pointer (&y);
      }
    case V_EXPAND: return lt_tensor_expand (x, c->shape.d, c->shape.n, error);
    case V_SQUEEZE: return lt_tensor_squeeze (x, error);
    case V_SQUEEZE_DIM: return lt_tensor_squeeze_dim (x, c->a, error);
    case V_UNSQUEEZE: return lt_tensor_unsqueeze (x, c->a, error);
    case V_SELECT: return lt_tensor_select (x, c->a, c->start, error);
    case V_SLICE: return lt_tensor_slice (x, c->a, c->start, c->end, c->step, error);
    case V_NARROW: return lt_tensor_narrow (x, c->a, c->start, c->end, error);
    case V_CLONE: return lt_tensor_clone (x, error);
    case V_CONTIGUOUS: return lt_tensor_contiguous (x, error);
    default: g_assert_not_reached ();
    }
  return NULL;
}

/* The output shape and values of @c on @x, from index arithmetic. */
static double *
view_ref (const ViewCall *c, const Arr *x, Shape *os)
{
  Shape s = x->s, o = { { 0 }, 0 };
  gint64 idx[LT_MAX_DIMS], in[LT_MAX_DIMS], n;
  double *ref;
  guint d;

  switch (c->kind)
    {
    case V_VIEW:
    case V_RESHAPE:
      {
        gint64 known = 1;
        gint infer = -1;

        o = c->shape;
        for (guint i = 0; i < o.n; i++)
          if (o.d[i] == -1)
            infer = (gint) i;
          else
            known *= o.d[i];
        if (infer >= 0)
          o.d[infer] = x->n / known;
        break;
      }
    case V_FLATTEN:
      if (s.n == 0)
        o = SH (1);
      for (guint i = 0; i < s.n; i++)
        {
          if (i <= norm_dim (c->a, s.n) || i > norm_dim (c->b, s.n))
            o.d[o.n++] = s.d[i];
          else
            o.d[o.n - 1] *= s.d[i];
        }
      break;
    case V_SQUEEZE:
      for (guint i = 0; i < s.n; i++)
        if (s.d[i] != 1)
          o.d[o.n++] = s.d[i];
      break;
    case V_SQUEEZE_DIM:
      for (guint i = 0; i < s.n; i++)
        if (i != norm_dim (c->a, s.n) || s.d[i] != 1)
          o.d[o.n++] = s.d[i];
      break;
    case V_UNSQUEEZE:
      d = c->a < 0 ? (guint) (c->a + (gint) s.n + 1) : (guint) c->a;
      for (guint i = 0, k = 0; i <= s.n; i++)
        o.d[o.n++] = i == d ? 1 : s.d[k++];
      break;
    case V_CLONE:
    case V_CONTIGUOUS:
      o = s;
      break;
    default:
      break;
    }
  switch (c->kind)
    {
    case V_VIEW: case V_RESHAPE: case V_FLATTEN: case V_SQUEEZE: case V_SQUEEZE_DIM:
    case V_UNSQUEEZE: case V_CLONE: case V_CONTIGUOUS:
      /* the row-major order is kept */
      g_assert_cmpint (numel (o), ==, x->n);
      *os = o;
      return g_memdup2 (x->v, MAX (x->n, 1) * sizeof (double));
    default:
      break;
    }

  /* the others map each output index to an input index */
  switch (c->kind)
    {
    case V_PERMUTE:
      o.n = s.n;
      for (guint i = 0; i < s.n; i++)
        o.d[i] = s.d[norm_dim (c->perm[i], s.n)];
      break;
    case V_TRANSPOSE:
    case V_T:
    case V_T_:
      o = s;
      if (s.n >= 2)
        {
          guint a = c->kind == V_TRANSPOSE ? norm_dim (c->a, s.n) : 0;
          guint b = c->kind == V_TRANSPOSE ? norm_dim (c->b, s.n) : 1;

          o.d[a] = s.d[b];
          o.d[b] = s.d[a];
        }
      break;
    case V_EXPAND:
      o = c->shape;
      for (guint i = 0; i < o.n; i++)
        if (o.d[i] == -1)
          o.d[i] = s.d[i - (o.n - s.n)];
      break;
    case V_SELECT:
      for (guint i = 0; i < s.n; i++)
        if (i != norm_dim (c->a, s.n))
          o.d[o.n++] = s.d[i];
      break;
    case V_SLICE:
    case V_NARROW:
      {
        guint dd = norm_dim (c->a, s.n);
        gint64 size = s.d[dd], st = c->start, en, step = c->kind == V_SLICE ? c->step : 1;

        if (st < 0)
          st += size;
        en = c->kind == V_SLICE ? c->end : st + c->end;
        if (en < 0)
          en += size;
        st = CLAMP (st, 0, size);
        en = CLAMP (en, st, size);
        o = s;
        o.d[dd] = (en - st + step - 1) / step;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  n = numel (o);
  ref = g_new0 (double, MAX (n, 1));
  for (gint64 k = 0; k < n; k++)
    {
      unravel (k, o, idx);
      switch (c->kind)
        {
        case V_PERMUTE:
          for (guint i = 0; i < s.n; i++)
            in[norm_dim (c->perm[i], s.n)] = idx[i];
          break;
        case V_TRANSPOSE:
        case V_T:
        case V_T_:
          memcpy (in, idx, sizeof in);
          if (s.n >= 2)
            {
              guint a = c->kind == V_TRANSPOSE ? norm_dim (c->a, s.n) : 0;
              guint b = c->kind == V_TRANSPOSE ? norm_dim (c->b, s.n) : 1;

              in[a] = idx[b];
              in[b] = idx[a];
            }
          break;
        case V_EXPAND:
          ref[k] = x->v[bindex (idx, o.n, s)];
          continue;
        case V_SELECT:
          for (guint i = 0, j = 0; i < s.n; i++)
            in[i] = i == norm_dim (c->a,
                                   s.n) ? (c->start < 0 ? c->start + s.d[i] : c->start) : idx[j++];
          break;
        case V_SLICE:
        case V_NARROW:
          {
            guint dd = norm_dim (c->a, s.n);
            gint64 st = c->start < 0 ? c->start + s.d[dd] : c->start;

            memcpy (in, idx, sizeof in);
            in[dd] = CLAMP (st, 0, s.d[dd]) + idx[dd] * (c->kind == V_SLICE ? c->step : 1);
          }
          break;
        default:
          g_assert_not_reached ();
        }
      ref[k] = x->v[ravel (in, s)];
    }
  *os = o;
  return ref;
}

/* Runs @c on a @lay tensor: values, shape, and whether it is a view. */
static void
view_run (const ViewCall *c, Shape s, LtDType dt, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  g_autoptr(LtTensor) y = view_apply (c, x.t, &error);
  Shape os;
  g_autofree double *ref = view_ref (c, &x, &os);
  gboolean copies = c->kind == V_CLONE || c->kind == V_T_ ||
                    (c->kind == V_CONTIGUOUS && !lt_tensor_is_contiguous (x.t));

  g_assert_no_error (error);
  check (y, dt, os, ref);
  /* reshape and flatten copy when no view fits */
  if (c->kind == V_RESHAPE || c->kind == V_FLATTEN)
    return;
  g_assert_cmpint (lt_tensor_shares_storage (y, x.t), ==, !copies);
  if (c->kind == V_CLONE || c->kind == V_CONTIGUOUS)
    g_assert_cmpint (lt_tensor_is_contiguous (y), ==, TRUE);
}

static void
view_error (const ViewCall *c, Shape s, Lay lay, LtError code)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, F32, lay, DIST_UNIT);
  g_autoptr(LtTensor) y = view_apply (c, x.t, &error);

  check_error (y, error, code);
}

#define VC(...) (&(ViewCall) { __VA_ARGS__ })

static void
view_fw_view (gconstpointer d)
{
  view_run (VC (V_VIEW, SH (6, 4)), SH (2, 3, 4), F32, LAY_CONTIG);
  view_run (VC (V_VIEW, SH (4, -1, 2)), SH (2, 3, 4), F64, LAY_CONTIG);
  view_run (VC (V_VIEW, SH (-1)), SH (2, 3, 4), I64, LAY_CONTIG);
  /* splitting a dim of a transposed tensor needs no copy */
  view_run (VC (V_VIEW, SH (2, 2, 5)), SH (4, 5), F32, LAY_T);
  view_run (VC (V_VIEW, SH (2, 2, 1, 9)), SH (4, 9), F32, LAY_STEP);
  view_run (VC (V_VIEW, SH (5, 1, 3)), SH (5, 3), F32, LAY_EXPAND);
}

static void
view_fw_reshape (gconstpointer d)
{
  view_run (VC (V_RESHAPE, SH (12)), SH (3, 4), F32, LAY_T);
  view_run (VC (V_RESHAPE, SH (3, -1)), SH (4, 9), F32, LAY_STEP);
  view_run (VC (V_RESHAPE, SH (15)), SH (5, 3), U8, LAY_EXPAND);
  view_run (VC (V_RESHAPE, SH (2, 6)), SH (3, 4), F32, LAY_CONTIG);
}

static void
view_fw_flatten (gconstpointer d)
{
  view_run (VC (V_FLATTEN, .a = 1, .b = -1), SH (2, 3, 4), F32, LAY_CONTIG);
  view_run (VC (V_FLATTEN, .a = 0, .b = 1), SH (2, 3, 4), F32, LAY_T);
  view_run (VC (V_FLATTEN, .a = 0, .b = -1), SH0, F32, LAY_CONTIG);
}

static void
view_fw_rank0 (gconstpointer d)
{
  view_run (VC (V_VIEW, SH (1)), SH0, F32, LAY_CONTIG);
  view_run (VC (V_VIEW, SH (1, 1)), SH0, F32, LAY_CONTIG);
  view_run (VC (V_VIEW, SH0), SH (1), F32, LAY_CONTIG);
  view_run (VC (V_VIEW, SH (-1)), SH0, F32, LAY_CONTIG);
}

static void
view_fw_empty (gconstpointer d)
{
  view_run (VC (V_VIEW, SH (3, 0)), SH (0, 3), F32, LAY_CONTIG);
  view_run (VC (V_VIEW, SH (2, 3, 0)), SH (2, 0, 3), F32, LAY_T);
  /* -1 could be anything next to a 0 */
  view_error (VC (V_VIEW, SH (0, -1)), SH (0, 3), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, SH (2, -1, 0)), SH (2, 0, 3), LAY_CONTIG, LT_ERROR_SHAPE);
}

static void
view_fw_errors (gconstpointer d)
{
  view_error (VC (V_VIEW, SH (12)), SH (3, 4), LAY_T, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, SH (5)), SH (3, 4), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_VIEW, SH (-1, -1)), SH (3, 4), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_RESHAPE, SH (-1, 5)), SH (3, 4), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_FLATTEN, .a = 2, .b = 1), SH (2, 3, 4), LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case view_forward[] = {
  { "view", view_fw_view },
  { "reshape", view_fw_reshape },
  { "flatten", view_fw_flatten },
  { "rank0", view_fw_rank0 },
  { "empty", view_fw_empty },
  { "errors", view_fw_errors },
  { NULL, NULL }
};

static void
permute_fw_dims (gconstpointer d)
{
  view_run (VC (V_PERMUTE, .perm = { 2, 0, 1 }), SH (2, 3, 4), F32, LAY_CONTIG);
  view_run (VC (V_PERMUTE, .perm = { -1, -3, -2 }), SH (2, 3, 4), I32, LAY_T);
  view_run (VC (V_PERMUTE, .perm = { 1, 0 }), SH (5, 3), F32, LAY_EXPAND);
  view_run (VC (V_PERMUTE, .perm = { 0 }), SH (7), F32, LAY_STEP);
  view_run (VC (V_PERMUTE, .perm = { 0 }), SH0, F32, LAY_CONTIG);
  view_run (VC (V_PERMUTE, .perm = { 2, 1, 0 }), SH (0, 2, 3), F32, LAY_CONTIG);
  view_error (VC (V_PERMUTE, .perm = { 0, 0 }), SH (2, 2), LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_PERMUTE, .perm = { 0, 2 }), SH (2, 2), LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case permute_forward[] = {
  { "dims", permute_fw_dims },
  { NULL, NULL }
};

static void
transpose_fw_dims (gconstpointer d)
{
  view_run (VC (V_TRANSPOSE, .a = 0, .b = 2), SH (2, 3, 4), F32, LAY_CONTIG);
  view_run (VC (V_TRANSPOSE, .a = -1, .b = 0), SH (2, 3, 4), F64, LAY_T);
  view_run (VC (V_TRANSPOSE, .a = 1, .b = 1), SH (2, 3), F32, LAY_STEP);
  view_run (VC (V_TRANSPOSE, .a = 0, .b = -1), SH0, F32, LAY_CONTIG);
  view_error (VC (V_TRANSPOSE, .a = 0, .b = 3), SH (2, 3, 4), LAY_CONTIG, LT_ERROR_INDEX);
}

static void
transpose_fw_t (gconstpointer d)
{
  view_run (VC (V_T), SH (3, 5), F32, LAY_CONTIG);
  view_run (VC (V_T), SH (3, 5), F32, LAY_T);
  view_run (VC (V_T), SH (5), F32, LAY_STEP);
  view_run (VC (V_T), SH0, F32, LAY_CONTIG);
  view_run (VC (V_T_), SH (3, 5), F32, LAY_T);
  view_run (VC (V_T_), SH (4), I64, LAY_CONTIG);
  view_error (VC (V_T), SH (2, 3, 4), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_T_), SH (2, 3, 4), LAY_CONTIG, LT_ERROR_SHAPE);
}

static const Case transpose_forward[] = {
  { "dims", transpose_fw_dims },
  { "t", transpose_fw_t },
  { NULL, NULL }
};

static void
expand_fw_shapes (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 1), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) o = arr_new (SH (2, 3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_expand_as (x.t, o.t, &error);

  g_assert_no_error (error);
  assert_shape (y, SH (2, 3, 4));
  g_assert_cmpint (y->strides[0], ==, 0);
  g_assert_cmpint (y->strides[2], ==, 0);
  view_run (VC (V_EXPAND, SH (2, 3, 4)), SH (3, 1), F32, LAY_CONTIG);
  view_run (VC (V_EXPAND, SH (-1, 4)), SH (3, 1), I64, LAY_STEP);
  view_run (VC (V_EXPAND, SH (5)), SH (1), F32, LAY_CONTIG);
  view_run (VC (V_EXPAND, SH (2, 3)), SH0, F32, LAY_CONTIG);
  view_run (VC (V_EXPAND, SH (0, 4)), SH (1, 4), F32, LAY_T);
  view_run (VC (V_EXPAND, SH (2, 5, 3)), SH (5, 3), F32, LAY_EXPAND);
  view_error (VC (V_EXPAND, SH (3, 4)), SH (2, 1), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_EXPAND, SH (4)), SH (2, 1), LAY_CONTIG, LT_ERROR_SHAPE);
  view_error (VC (V_EXPAND, SH (-1, 2, 1)), SH (2, 1), LAY_CONTIG, LT_ERROR_SHAPE);
}

static const Case expand_forward[] = {
  { "shapes", expand_fw_shapes },
  { NULL, NULL }
};

static void
squeeze_fw_dims (gconstpointer d)
{
  view_run (VC (V_SQUEEZE), SH (1, 3, 1, 2), F32, LAY_CONTIG);
  view_run (VC (V_SQUEEZE), SH (1, 3, 1, 2), F32, LAY_T);
  view_run (VC (V_SQUEEZE), SH0, F32, LAY_CONTIG);
  view_run (VC (V_SQUEEZE), SH (1, 0, 1), F32, LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = 0), SH (1, 3, 1, 2), F32, LAY_STEP);
  view_run (VC (V_SQUEEZE_DIM, .a = 1), SH (1, 3, 1, 2), I32, LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = -2), SH (1, 3, 1, 2), F32, LAY_CONTIG);
  view_run (VC (V_SQUEEZE_DIM, .a = 0), SH0, F32, LAY_CONTIG);
  view_error (VC (V_SQUEEZE_DIM, .a = 4), SH (1, 3, 1, 2), LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case squeeze_forward[] = {
  { "dims", squeeze_fw_dims },
  { NULL, NULL }
};

static void
unsqueeze_fw_dims (gconstpointer d)
{
  view_run (VC (V_UNSQUEEZE, .a = 0), SH (3, 4), F32, LAY_CONTIG);
  view_run (VC (V_UNSQUEEZE, .a = 1), SH (3, 4), F32, LAY_T);
  view_run (VC (V_UNSQUEEZE, .a = -1), SH (3, 4), F64, LAY_STEP);
  view_run (VC (V_UNSQUEEZE, .a = 2), SH (3, 4), F32, LAY_EXPAND);
  view_run (VC (V_UNSQUEEZE, .a = 0), SH0, F32, LAY_CONTIG);
  view_run (VC (V_UNSQUEEZE, .a = 1), SH (0, 2), F32, LAY_CONTIG);
  view_error (VC (V_UNSQUEEZE, .a = 3), SH (3, 4), LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case unsqueeze_forward[] = {
  { "dims", unsqueeze_fw_dims },
  { NULL, NULL }
};

static void
select_fw_index (gconstpointer d)
{
  view_run (VC (V_SELECT, .a = 1, .start = 2), SH (3, 4, 5), F32, LAY_CONTIG);
  view_run (VC (V_SELECT, .a = 0, .start = -1), SH (3, 4, 5), F32, LAY_T);
  view_run (VC (V_SELECT, .a = -1, .start = 3), SH (3, 4, 5), I64, LAY_T);
  view_run (VC (V_SELECT, .a = 1, .start = 0), SH (4, 6), F32, LAY_STEP);
  view_run (VC (V_SELECT, .a = 0, .start = 3), SH (5, 2), F32, LAY_EXPAND);
  view_run (VC (V_SELECT, .a = 0, .start = 1), SH (3), F32, LAY_CONTIG);
  view_run (VC (V_SELECT, .a = 1, .start = 1), SH (0, 2), F32, LAY_CONTIG);
  view_error (VC (V_SELECT, .a = 0, .start = 3), SH (3, 4), LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_SELECT, .a = 0, .start = -4), SH (3, 4), LAY_CONTIG, LT_ERROR_INDEX);
  view_error (VC (V_SELECT, .a = 0, .start = 0), SH0, LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case select_forward[] = {
  { "index", select_fw_index },
  { NULL, NULL }
};

static void
slice_fw_steps (gconstpointer d)
{
  view_run (VC (V_SLICE, .a = 0, .start = 1, .end = 5, .step = 2), SH (6, 5), F32, LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 1, .start = -3, .end = G_MAXINT64, .step = 1), SH (6, 5), F32, LAY_T);
  view_run (VC (V_SLICE, .a = -1, .start = 0, .end = -1, .step = 3), SH (4, 8), I32, LAY_STEP);
  view_run (VC (V_SLICE, .a = 0, .start = -100, .end = 100, .step = 4), SH (9), F32, LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 0, .start = 1, .end = 3, .step = 1), SH (5, 3), F32, LAY_EXPAND);
  /* empty slices */
  view_run (VC (V_SLICE, .a = 0, .start = 4, .end = 2, .step = 1), SH (6, 5), F32, LAY_CONTIG);
  view_run (VC (V_SLICE, .a = 1, .start = 7, .end = 9, .step = 2), SH (6, 5), F32, LAY_CONTIG);
  view_error (VC (V_SLICE, .a = 0, .start = 0, .end = 2, .step = 0), SH (6, 5), LAY_CONTIG,
              LT_ERROR_INVALID_ARGUMENT);
  view_error (VC (V_SLICE, .a = 0, .start = 0, .end = 1, .step = 1), SH0, LAY_CONTIG,
              LT_ERROR_INDEX);
}

static void
slice_fw_narrow (gconstpointer d)
{
  view_run (VC (V_NARROW, .a = 1, .start = 1, .end = 3), SH (4, 5), F32, LAY_CONTIG);
  view_run (VC (V_NARROW, .a = 0, .start = -2, .end = 2), SH (4, 5), F32, LAY_T);
  view_run (VC (V_NARROW, .a = 0, .start = 4, .end = 0), SH (4, 5), F32, LAY_CONTIG);
  view_error (VC (V_NARROW, .a = 0, .start = 3, .end = 2), SH (4, 5), LAY_CONTIG, LT_ERROR_INDEX);
}

static const Case slice_forward[] = {
  { "steps", slice_fw_steps },
  { "narrow", slice_fw_narrow },
  { NULL, NULL }
};

/* Backward through views */

static LtTensor *
gc_view (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = view_apply (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
view_bw_run (const ViewCall *c, Shape s, Lay lay)
{
  g_autoptr(LtTensor) x = leaf_new (s, lay, DIST_UNIT);

  if (numel (s) == 0)
    backward_shapes (gc_view, c, &x, 1);
  else
    gradcheck (gc_view, c, &x, 1);
}

static void
view_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_VIEW, SH (6, 4)), SH (2, 3, 4), LAY_CONTIG);
  view_bw_run (VC (V_VIEW, SH (2, 2, 3)), SH (4, 3), LAY_T);
  view_bw_run (VC (V_RESHAPE, SH (12)), SH (3, 4), LAY_T);
  view_bw_run (VC (V_FLATTEN, .a = 0, .b = -1), SH (2, 3), LAY_STEP);
  view_bw_run (VC (V_VIEW, SH (1, 1)), SH0, LAY_CONTIG);
  view_bw_run (VC (V_VIEW, SH (3, 0)), SH (0, 3), LAY_CONTIG);
}

static const Case view_backward[] = {
  { "shapes", view_bw_cases },
  { NULL, NULL }
};

static void
permute_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_PERMUTE, .perm = { 2, 0, 1 }), SH (2, 3, 2), LAY_CONTIG);
  view_bw_run (VC (V_PERMUTE, .perm = { 1, 0 }), SH (3, 4), LAY_T);
  view_bw_run (VC (V_PERMUTE, .perm = { 0 }), SH0, LAY_CONTIG);
}

static const Case permute_backward[] = {
  { "dims", permute_bw_cases },
  { NULL, NULL }
};

static void
transpose_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_TRANSPOSE, .a = 0, .b = 2), SH (2, 3, 2), LAY_CONTIG);
  view_bw_run (VC (V_T), SH (3, 4), LAY_T);
  view_bw_run (VC (V_T), SH (4), LAY_STEP);
  view_bw_run (VC (V_T_), SH (3, 4), LAY_CONTIG);
  view_bw_run (VC (V_T_), SH (3), LAY_CONTIG);
  view_bw_run (VC (V_TRANSPOSE, .a = 0, .b = 0), SH0, LAY_CONTIG);
}

static const Case transpose_backward[] = {
  { "dims", transpose_bw_cases },
  { NULL, NULL }
};

static void
expand_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_EXPAND, SH (2, 3, 4)), SH (3, 1), LAY_CONTIG);
  view_bw_run (VC (V_EXPAND, SH (3, -1)), SH (1, 4), LAY_T);
  view_bw_run (VC (V_EXPAND, SH (4)), SH0, LAY_CONTIG);
  view_bw_run (VC (V_EXPAND, SH (0, 3)), SH (1, 3), LAY_CONTIG);
}

static const Case expand_backward[] = {
  { "shapes", expand_bw_cases },
  { NULL, NULL }
};

static void
squeeze_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SQUEEZE), SH (1, 3, 1, 2), LAY_CONTIG);
  view_bw_run (VC (V_SQUEEZE_DIM, .a = -2), SH (3, 1, 2), LAY_STEP);
  view_bw_run (VC (V_SQUEEZE_DIM, .a = 0), SH (3, 2), LAY_T);
  view_bw_run (VC (V_SQUEEZE), SH0, LAY_CONTIG);
}

static const Case squeeze_backward[] = {
  { "dims", squeeze_bw_cases },
  { NULL, NULL }
};

static void
unsqueeze_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_UNSQUEEZE, .a = 1), SH (3, 2), LAY_T);
  view_bw_run (VC (V_UNSQUEEZE, .a = -1), SH (4), LAY_STEP);
  view_bw_run (VC (V_UNSQUEEZE, .a = 0), SH0, LAY_CONTIG);
}

static const Case unsqueeze_backward[] = {
  { "dims", unsqueeze_bw_cases },
  { NULL, NULL }
};

static void
select_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SELECT, .a = 1, .start = 2), SH (2, 3, 2), LAY_CONTIG);
  view_bw_run (VC (V_SELECT, .a = 0, .start = -1), SH (3, 4), LAY_T);
  view_bw_run (VC (V_SELECT, .a = 0, .start = 2), SH (4), LAY_STEP);
}

static const Case select_backward[] = {
  { "index", select_bw_cases },
  { NULL, NULL }
};

static void
slice_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_SLICE, .a = 0, .start = 1, .end = 5, .step = 2), SH (6, 2), LAY_CONTIG);
  view_bw_run (VC (V_SLICE, .a = 1, .start = -3, .end = G_MAXINT64, .step = 2), SH (3, 5), LAY_T);
  view_bw_run (VC (V_NARROW, .a = 0, .start = 1, .end = 2), SH (4, 3), LAY_STEP);
  view_bw_run (VC (V_SLICE, .a = 0, .start = 3, .end = 3, .step = 1), SH (4, 3), LAY_CONTIG);
}

static const Case slice_backward[] = {
  { "steps", slice_bw_cases },
  { NULL, NULL }
};

/* clone */

static void
clone_fw_layouts (gconstpointer d)
{
  view_run (VC (V_CLONE), SH (5, 7), F32, LAY_T);
  view_run (VC (V_CLONE), SH (4, 7), I64, LAY_STEP);
  view_run (VC (V_CLONE), SH (5, 3), U8, LAY_EXPAND);
  view_run (VC (V_CLONE), SH (13), F64, LAY_CONTIG);
  view_run (VC (V_CLONE), SH0, BOOL, LAY_CONTIG);
  view_run (VC (V_CLONE), SH (0, 4), F32, LAY_T);
  view_run (VC (V_CLONE), SH (263, 267), F32, LAY_T);
  view_run (VC (V_CONTIGUOUS), SH (3, 4), F32, LAY_CONTIG);
}

static const Case clone_forward[] = {
  { "layouts", clone_fw_layouts },
  { NULL, NULL }
};

static void
clone_bw_cases (gconstpointer d)
{
  view_bw_run (VC (V_CLONE), SH (3, 4), LAY_T);
  view_bw_run (VC (V_CLONE), SH (5), LAY_STEP);
  view_bw_run (VC (V_CLONE), SH0, LAY_CONTIG);
  view_bw_run (VC (V_CONTIGUOUS), SH (3, 2), LAY_T);
  view_bw_run (VC (V_CLONE), SH (0, 2), LAY_CONTIG);
}

static const Case clone_backward[] = {
  { "layouts", clone_bw_cases },
  { NULL, NULL }
};

/* to_dtype: the conversions themselves are the copy spec's; here autograd */

static void
to_fw_autograd (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (3, 2), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) f = lt_tensor_to_dtype (x, F32, &error);
  g_autoptr(LtTensor) i = lt_tensor_to_dtype (x, I64, &error);
  g_autoptr(LtTensor) same = lt_tensor_to_dtype (x, F64, &error);

  g_assert_no_error (error);
  /* a float copy is recorded (ToCopyBackward0), an integer one is not */
  g_assert_nonnull (lt_tensor_get_grad_fn (f));
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (f)), ==,
                   _lt_op_table[LT_OP_TO_DTYPE].node_name);
  g_assert_cmpint (lt_tensor_get_requires_grad (i), ==, FALSE);
  g_assert_null (lt_tensor_get_grad_fn (i));
  g_assert_cmphex (GPOINTER_TO_SIZE (same), ==, GPOINTER_TO_SIZE (x));
  g_assert_cmpint (lt_tensor_get_device (f), ==, LT_DEVICE_CPU);
}

static const Case to_forward[] = {
  { "autograd", to_fw_autograd },
  { NULL, NULL }
};

static LtTensor *
gc_to (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) f = lt_tensor_to_dtype (in[0], F32, &error);
  g_autoptr(LtTensor) sq = f ? lt_tensor_mul (f, f, &error) : NULL;
  LtTensor *y = sq ? lt_tensor_to_dtype (sq, F64, &error) : NULL;

  g_assert_no_error (error);
  return y;
}

static void
to_bw_float32 (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (3, 2), LAY_T, DIST_POS);
  g_autoptr(LtTensor) y = gc_to (&x, 1, NULL);
  g_autofree double *xv = values_of (x);
  g_autofree double *g = NULL;

  /* A float32 round trip: with eps = 1e-6 the finite differences would
   * see float32 rounding (2^-24 relative), so step by 1e-3. */
  g_assert_cmpint (lt_gradcheck (gc_to, NULL, &x, 1, 1e-3, 1e-5, 1e-3, &error), ==, TRUE);
  g_assert_no_error (error);
  /* d (x^2) / dx = 2x, in float32 precision, as a float64 gradient */
  backward_sum (y);
  g = grad_of (x);
  g_assert_cmpint (lt_tensor_get_grad (x)->dtype, ==, F64);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (fabs (g[k] - 2 * xv[k]), <, 1e-5);
}

static const Case to_backward[] = {
  { "float32", to_bw_float32 },
  { NULL, NULL }
};

/* cat and stack */

static void
cat_run (const Shape *shapes, const LtDType *dts, const Lay *lays, guint n, gint dim,
         gboolean stack)
{
  g_autoptr(GError) error = NULL;
  Arr arrs[8];
  LtTensor *ts[8];
  g_autoptr(LtTensor) y = NULL;
  LtDType ct = dts[0];
  Shape o = shapes[0];
  guint d;
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  for (guint i = 0; i < n; i++)
    {
      arrs[i] = arr_new (shapes[i], dts[i], lays[i], DIST_UNIT);
      ts[i] = arrs[i].t;
      ct = promote (ct, dts[i]);
    }
  y = stack ? lt_stack (ts, n, dim, &error) : lt_cat (ts, n, dim, &error);
  g_assert_no_error (error);
  if (stack)
    {
      d = norm_dim (dim, o.n + 1);
      for (guint i = o.n + 1; i-- > d + 1;)
        o.d[i] = o.d[i - 1];
      o.d[d] = n;
      o.n++;
    }
  else
    {
      d = norm_dim (dim, o.n);
      o.d[d] = 0;
      for (guint i = 0; i < n; i++)
        o.d[d] += shapes[i].d[d];
    }
  ref = g_new0 (double, MAX (numel (o), 1));
  for (gint64 k = 0; k < numel (o); k++)
    {
      guint which = 0;
      gint64 in[LT_MAX_DIMS];

      unravel (k, o, idx);
      if (stack)
        {
          which = (guint) idx[d];
          for (guint i = 0, j = 0; i < o.n; i++)
            if (i != d)
              in[j++] = idx[i];
        }
      else
        {
          memcpy (in, idx, sizeof in);
          while (in[d] >= shapes[which].d[d])
            in[d] -= shapes[which++].d[d];
        }
      ref[k] = wrap_to (arrs[which].v[ravel (in, shapes[which])], ct);
    }
  check (y, ct, o, ref);
  for (guint i = 0; i < n; i++)
    arr_clear (&arrs[i]);
}

static void
cat_fw_dims (gconstpointer d)
{
  const Shape s0[] = { SH (2, 3), SH (4, 3), SH (1, 3) };
  const Shape s1[] = { SH (2, 3), SH (2, 5) };
  const LtDType f[] = { F32, F32, F32 };
  const Lay l[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  cat_run (s0, f, l, 3, 0, FALSE);
  cat_run (s1, f, l + 1, 2, 1, FALSE);
  cat_run (s1, f, l, 2, -1, FALSE);
  cat_run (s0, f, l, 1, 0, FALSE);
}

static void
cat_fw_dtypes (gconstpointer d)
{
  const Shape s[] = { SH (2, 3), SH (1, 3), SH (3, 3) };
  const LtDType a[] = { I32, F32, I64 }, b[] = { U8, I8, BOOL }, c[] = { F64, F32, F32 };
  const Lay l[] = { LAY_T, LAY_CONTIG, LAY_EXPAND };

  cat_run (s, a, l, 3, 0, FALSE);
  cat_run (s, b, l, 3, 0, FALSE);
  cat_run (s, c, l, 3, 0, FALSE);
}

static void
cat_fw_empty (gconstpointer d)
{
  const Shape s[] = { SH (0, 3), SH (2, 3), SH (0, 3) };
  const Shape z[] = { SH (2, 0), SH (2, 0) };
  const LtDType f[] = { F32, F32, F32 };
  const Lay l[] = { LAY_CONTIG, LAY_T, LAY_CONTIG };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) r = arr_new (SH0, F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_new (SH (2, 4), F32, LAY_CONTIG, DIST_UNIT);
  LtTensor *two[2] = { r.t, r.t }, *bad[2] = { m.t, r.t };
  g_autoptr(LtTensor) y = NULL;

  cat_run (s, f, l, 3, 0, FALSE);
  cat_run (z, f, l, 2, 1, FALSE);
  y = lt_cat (two, 2, 0, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_cat (bad, 2, 0, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_cat (bad, 0, 0, &error);
  check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static void
cat_fw_parallel (gconstpointer d)
{
  const Shape s[] = { SH (200, 251), SH (100, 251) };
  const LtDType f[] = { F32, F32 };
  const Lay l[] = { LAY_T, LAY_CONTIG };

  cat_run (s, f, l, 2, 0, FALSE);
}

static const Case cat_forward[] = {
  { "dims", cat_fw_dims },
  { "dtypes", cat_fw_dtypes },
  { "empty", cat_fw_empty },
  { "parallel", cat_fw_parallel },
  { NULL, NULL }
};

static void
stack_fw_dims (gconstpointer d)
{
  const Shape s[] = { SH (2, 3), SH (2, 3), SH (2, 3) };
  const LtDType f[] = { F32, F64, I64 };
  const Lay l[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  for (gint dim = -3; dim < 3; dim++)
    cat_run (s, f, l, 3, dim, TRUE);
}

static void
stack_fw_shapes (gconstpointer d)
{
  const Shape r[] = { SH0, SH0, SH0, SH0 };
  const Shape e[] = { SH (0, 2), SH (0, 2) };
  const LtDType f[] = { F32, F32, F32, F32 };
  const Lay l[] = { LAY_CONTIG, LAY_CONTIG, LAY_CONTIG, LAY_CONTIG };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) a = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (3, 2), F32, LAY_CONTIG, DIST_UNIT);
  LtTensor *bad[2] = { a.t, b.t };
  g_autoptr(LtTensor) y = NULL;

  cat_run (r, f, l, 4, 0, TRUE);
  cat_run (e, f, l, 2, 1, TRUE);
  y = lt_stack (bad, 2, 0, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_stack (bad, 1, 3, &error);
  check_error (y, error, LT_ERROR_INDEX);
}

static const Case stack_forward[] = {
  { "dims", stack_fw_dims },
  { "shapes", stack_fw_shapes },
  { NULL, NULL }
};

typedef struct
{
  gint dim;
  gboolean stack;
} CatCall;

static LtTensor *
gc_cat (LtTensor **in, gsize n, gpointer data)
{
  const CatCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = c->stack ? lt_stack (in, n, c->dim, &error) : lt_cat (in, n, c->dim, &error);

  g_assert_no_error (error);
  return y;
}

static void
cat_bw_run (const Shape *shapes, const Lay *lays, guint n, gint dim, gboolean stack)
{
  CatCall c = { dim, stack };
  LtTensor *in[8];

  for (guint i = 0; i < n; i++)
    in[i] = leaf_new (shapes[i], lays[i], DIST_UNIT);
  /* one input without grad: its edge is skipped */
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], FALSE, NULL), ==, TRUE);
  gradcheck (gc_cat, &c, in, n);
  g_assert_cmpint (lt_tensor_set_requires_grad (in[1], TRUE, NULL), ==, TRUE);
  gradcheck (gc_cat, &c, in, n);
  for (guint i = 0; i < n; i++)
    g_object_unref (in[i]);
}

static void
cat_bw_cases (gconstpointer d)
{
  /* four inputs: more than a node holds inline */
  const Shape s[] = { SH (2, 3), SH (1, 3), SH (0, 3), SH (2, 3) };
  const Shape t[] = { SH (2, 1), SH (2, 3) };
  const Lay l[] = { LAY_CONTIG, LAY_T, LAY_CONTIG, LAY_STEP };

  cat_bw_run (s, l, 4, 0, FALSE);
  cat_bw_run (t, l, 2, 1, FALSE);
}

static const Case cat_backward[] = {
  { "dims", cat_bw_cases },
  { NULL, NULL }
};

static void
stack_bw_cases (gconstpointer d)
{
  const Shape s[] = { SH (2, 3), SH (2, 3), SH (2, 3), SH (2, 3) };
  const Shape r[] = { SH0, SH0 };
  const Lay l[] = { LAY_CONTIG, LAY_T, LAY_STEP, LAY_T };

  cat_bw_run (s, l, 4, 1, TRUE);
  cat_bw_run (s, l, 2, -1, TRUE);
  cat_bw_run (r, l, 2, 0, TRUE);
}

static const Case stack_backward[] = {
  { "dims", stack_bw_cases },
  { NULL, NULL }
};

/* copy_ and fill_ */

static void
copy__run (Shape sd, LtDType dd, Lay ld, Shape ss, LtDType ds, Lay ls)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) dst = arr_new (sd, dd, ld, DIST_UNIT);
  g_auto(Arr) src = arr_new (ss, ds, ls, DIST_UNIT);
  gint64 idx[LT_MAX_DIMS];
  g_autofree double *ref = g_new0 (double, MAX (dst.n, 1));
  guint version = lt_tensor_get_version (dst.t);

  for (gint64 k = 0; k < dst.n; k++)
    {
      unravel (k, sd, idx);
      ref[k] = convert (src.v[bindex (idx, sd.n, ss)], dd);
    }
  g_assert_cmpint (lt_tensor_copy_ (dst.t, src.t, &error), ==, TRUE);
  g_assert_no_error (error);
  check (dst.t, dd, sd, ref);
  if (dst.n > 0)
    g_assert_cmpuint (lt_tensor_get_version (dst.t), >, version);
}

static void
copy__fw_cases (gconstpointer d)
{
  copy__run (SH (4, 5), F32, LAY_T, SH (5), F64, LAY_CONTIG);
  copy__run (SH (4, 5), F64, LAY_STEP, SH (4, 1), F32, LAY_T);
  copy__run (SH (3, 4), I64, LAY_CONTIG, SH (3, 4), F32, LAY_T);
  copy__run (SH (3, 4), BOOL, LAY_T, SH (4), I32, LAY_CONTIG);
  copy__run (SH0, F32, LAY_CONTIG, SH0, I64, LAY_CONTIG);
  copy__run (SH (0, 3), F32, LAY_CONTIG, SH (3), F32, LAY_CONTIG);
  copy__run (SH (263, 267), F32, LAY_T, SH (263, 267), F32, LAY_CONTIG);
}

static void
copy__fw_overlap (gconstpointer d)
{
  /* x.copy_(x.t()): the source is read before it is overwritten */
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (4, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) t = lt_tensor_t (x.t, &error);
  double ref[16];

  g_assert_no_error (error);
  for (guint k = 0; k < 16; k++)
    ref[k] = x.v[(k % 4) * 4 + k / 4];
  g_assert_cmpint (lt_tensor_copy_ (x.t, t, &error), ==, TRUE);
  g_assert_no_error (error);
  check (x.t, F32, SH (4, 4), ref);

  {
    /* x[1:].copy_(x[:-1]): a shift within one storage */
    g_auto(Arr) v = arr_new (SH (9), F64, LAY_CONTIG, DIST_UNIT);
    g_autoptr(LtTensor) dst = lt_tensor_slice (v.t, 0, 1, 9, 1, &error);
    g_autoptr(LtTensor) src = lt_tensor_slice (v.t, 0, 0, 8, 1, &error);
    double sref[9];

    g_assert_no_error (error);
    sref[0] = v.v[0];
    for (guint k = 1; k < 9; k++)
      sref[k] = v.v[k - 1];
    g_assert_cmpint (lt_tensor_copy_ (dst, src, &error), ==, TRUE);
    g_assert_no_error (error);
    check (v.t, F64, SH (9), sref);
  }
}

static void
copy__fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) y = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) e = arr_new (SH (2, 3), F32, LAY_EXPAND, DIST_UNIT);

  g_assert_cmpint (lt_tensor_copy_ (x.t, y.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  /* an expanded tensor cannot be written: its elements share memory */
  g_assert_cmpint (lt_tensor_copy_ (e.t, y.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static const Case copy__forward[] = {
  { "cases", copy__fw_cases },
  { "overlap", copy__fw_overlap },
  { "errors", copy__fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.copy_(b); y * a: a's gradient is y, b's the sum of a
 * over the broadcast rows */
static LtTensor *
gc_copy_ (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);
  LtTensor *out;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_copy_ (y, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  out = lt_tensor_mul (y, in[0], &error);
  g_assert_no_error (error);
  return out;
}

static void
copy__bw_cases (gconstpointer d)
{
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, DIST_UNIT),
                      leaf_new (SH (4), LAY_STEP, DIST_UNIT) };

  gradcheck (gc_copy_, NULL, in, 2);
  g_assert_cmpint (lt_tensor_set_requires_grad (in[0], FALSE, NULL), ==, TRUE);
  gradcheck (gc_copy_, NULL, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case copy__backward[] = {
  { "broadcast", copy__bw_cases },
  { NULL, NULL }
};

static void
fill__run (Shape s, LtDType dt, Lay lay, double value)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  gint64 nan_before = 0, nan_after = 0;
  gsize es = lt_dtype_get_element_size (dt);
  gsize nbytes = lt_storage_get_nbytes (lt_tensor_get_storage (x.t));

  for (gint64 k = 0; k < x.n; k++)
    ref[k] = convert (value, dt);
  /* the gaps of a stepped tensor keep their sentinels */
  for (gsize b = 0; b < nbytes / es; b++)
    nan_before += isnan (_lt_load_double ((guint8 *) x.t->storage->data + b * es, dt));
  if (value == 0)
    g_assert_cmpint (lt_tensor_zero_ (x.t, &error), ==, TRUE);
  else
    g_assert_cmpint (lt_tensor_fill_ (x.t, value, &error), ==, TRUE);
  g_assert_no_error (error);
  check (x.t, dt, s, ref);
  for (gsize b = 0; b < nbytes / es; b++)
    nan_after += isnan (_lt_load_double ((guint8 *) x.t->storage->data + b * es, dt));
  g_assert_cmpint (nan_after, ==, nan_before);
}

static void
fill__fw_cases (gconstpointer d)
{
  fill__run (SH (4, 5), F32, LAY_T, 2.5);
  fill__run (SH (4, 5), F64, LAY_STEP, -1.25);
  fill__run (SH (3, 4), I64, LAY_STEP, 7.75);
  fill__run (SH (3, 4), U8, LAY_T, 200);
  fill__run (SH (6), BOOL, LAY_CONTIG, 3);
  fill__run (SH0, F32, LAY_CONTIG, 0);
  fill__run (SH (0, 3), F32, LAY_T, 1);
  fill__run (SH (263, 267), F32, LAY_T, 0);
}

static void
fill__fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) e = arr_new (SH (2, 3), F32, LAY_EXPAND, DIST_UNIT);
  g_autoptr(LtTensor) l = leaf_new (SH (3), LAY_CONTIG, DIST_UNIT);

  g_assert_cmpint (lt_tensor_fill_ (e.t, 1, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* a leaf that requires grad cannot be changed in place */
  g_assert_cmpint (lt_tensor_fill_ (l, 1, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

static const Case fill__forward[] = {
  { "cases", fill__fw_cases },
  { "errors", fill__fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.fill_(2.5); y * a: a's gradient is 2.5 */
static LtTensor *
gc_fill_ (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);
  LtTensor *out;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_fill_ (y, 2.5, &error), ==, TRUE);
  g_assert_no_error (error);
  out = lt_tensor_mul (y, in[0], &error);
  g_assert_no_error (error);
  return out;
}

static void
fill__bw_cases (gconstpointer d)
{
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) r = leaf_new (SH0, LAY_CONTIG, DIST_UNIT);

  gradcheck (gc_fill_, NULL, &x, 1);
  gradcheck (gc_fill_, NULL, &r, 1);
}

static const Case fill__backward[] = {
  { "cases", fill__bw_cases },
  { NULL, NULL }
};

/* Indexing */

/* Random indices in [0, size) */
static Arr
index_new (Shape s, gint64 size, LtDType dt, Lay lay)
{
  gint64 n = numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = g_rand_int_range (rng, 0, (gint32) size);
  return arr_from (v, s, dt, lay);
}

/* index_select */

static void
index_select_check (const Arr *x, gint dim, const Arr *idx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_index_select (x->t, dim, idx->t, &error);
  guint d = norm_dim (dim, x->s.n);
  Shape o = x->s;
  gint64 in[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (o.n > 0)
    o.d[d] = idx->n;
  ref = g_new0 (double, MAX (numel (o), 1));
  for (gint64 k = 0; k < numel (o); k++)
    {
      unravel (k, o, in);
      if (o.n > 0)
        in[d] = (gint64) idx->v[in[d]];
      ref[k] = x->v[ravel (in, x->s)];
    }
  check (y, x->t->dtype, o, ref);
}

static void
index_select_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, LtDType idt, Lay li)
{
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[norm_dim (dim, s.n)] : 1, idt, li);

  index_select_check (&x, dim, &idx);
}

static void
index_select_fw_dims (gconstpointer d)
{
  index_select_run (SH (5, 4), F32, LAY_CONTIG, 0, SH (7), I64, LAY_CONTIG);
  index_select_run (SH (5, 4), F32, LAY_T, 1, SH (3), I32, LAY_STEP);
  index_select_run (SH (2, 3, 4), F64, LAY_STEP, -1, SH (5), I16, LAY_CONTIG);
  index_select_run (SH (6, 2), I64, LAY_EXPAND, 0, SH (4), U8, LAY_CONTIG);
  index_select_run (SH (6), BOOL, LAY_CONTIG, 0, SH (4), I64, LAY_CONTIG);
}

static void
index_select_fw_shapes (gconstpointer d)
{
  /* an empty index, an empty tensor, a 0-dim index, a 0-dim tensor */
  index_select_run (SH (5, 4), F32, LAY_CONTIG, 0, SH (0), I64, LAY_CONTIG);
  index_select_run (SH (0, 4), F32, LAY_CONTIG, 1, SH (3), I64, LAY_CONTIG);
  index_select_run (SH (5), F32, LAY_CONTIG, 0, SH0, I64, LAY_CONTIG);
  index_select_run (SH0, F32, LAY_CONTIG, 0, SH0, I64, LAY_CONTIG);
}

static void
index_select_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (5, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) f = arr_from (bad, SH (2), F32, LAY_CONTIG);
  g_auto(Arr) m = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_index_select (x.t, 0, i.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, f.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 0, m.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_index_select (x.t, 2, i.t, &error);
  check_error (y, error, LT_ERROR_INDEX);
}

static const Case index_select_forward[] = {
  { "dims", index_select_fw_dims },
  { "shapes", index_select_fw_shapes },
  { "errors", index_select_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  gint dim;
  LtTensor *index;
  LtTensor *mask;
} IndexCall;

static LtTensor *
gc_index_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_index_select (in[0], c->dim, c->index, &error);

  g_assert_no_error (error);
  return y;
}

static void
index_select_bw_cases (gconstpointer d)
{
  static const double rep[] = { 1, 4, 1, 0 };
  g_auto(Arr) i = arr_from (rep, SH (4), I64, LAY_CONTIG);
  g_auto(Arr) z = arr_from (rep, SH (0), I64, LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { 1, i.t }, ce = { 0, z.t };
  g_autoptr(LtTensor) x = leaf_new (SH (5, 3), LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) t = leaf_new (SH (2, 5), LAY_T, DIST_UNIT);

  /* repeated indices add up */
  gradcheck (gc_index_select, &c0, &x, 1);
  gradcheck (gc_index_select, &c1, &t, 1);
  backward_shapes (gc_index_select, &ce, &x, 1);
}

static const Case index_select_backward[] = {
  { "repeats", index_select_bw_cases },
  { NULL, NULL }
};

/* index_add_ */

static void
index_add_run (Shape s, LtDType dt, Lay lay, gint dim, gint64 ni, Lay lsrc)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (SH (ni), s.d[d], I64, LAY_CONTIG);
  Shape ss = s;
  g_auto(Arr) src = { NULL };
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 in[LT_MAX_DIMS];

  ss.d[d] = ni;
  src = arr_new (ss, dt, lsrc, DIST_UNIT);
  for (gint64 k = 0; k < src.n; k++)
    {
      unravel (k, ss, in);
      in[d] = (gint64) idx.v[in[d]];
      ref[ravel (in, s)] += src.v[k];
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (ref[k], dt);
  g_assert_cmpint (lt_tensor_index_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
  g_assert_no_error (error);
  check (x.t, dt, s, ref);
}

static void
index_add_fw_dims (gconstpointer d)
{
  index_add_run (SH (5, 3), F32, LAY_CONTIG, 0, 7, LAY_CONTIG);
  index_add_run (SH (4, 5), F32, LAY_T, 1, 3, LAY_STEP);
  index_add_run (SH (2, 3, 4), F64, LAY_STEP, -2, 5, LAY_T);
  index_add_run (SH (6, 2), I64, LAY_CONTIG, 0, 4, LAY_EXPAND);
  index_add_run (SH (6), I32, LAY_CONTIG, 0, 9, LAY_CONTIG);
  index_add_run (SH (5, 3), F32, LAY_CONTIG, 0, 0, LAY_CONTIG);
}

static void
index_add_fw_errors (gconstpointer d)
{
  static const double iv[] = { 0, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (5, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (iv, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (3, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) e = arr_new (SH (5, 3), F32, LAY_EXPAND, DIST_UNIT);
  g_auto(Arr) s2 = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);

  g_assert_cmpint (lt_tensor_index_add_ (x.t, 0, i.t, s.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_cmpint (lt_tensor_index_add_ (e.t, 0, i.t, s2.t, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static const Case index_add_forward[] = {
  { "dims", index_add_fw_dims },
  { "errors", index_add_fw_errors },
  { NULL, NULL }
};

/* y = a.clone(); y.index_add_(dim, idx, src) */
static LtTensor *
gc_index_add (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_index_add_ (y, c->dim, c->index, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
index_add_bw_cases (gconstpointer d)
{
  static const double rep[] = { 2, 0, 2 };
  g_auto(Arr) i = arr_from (rep, SH (3), I64, LAY_CONTIG);
  IndexCall c0 = { 0, i.t }, c1 = { -1, i.t };
  LtTensor *in0[2] = { leaf_new (SH (4, 2), LAY_T, DIST_UNIT),
                       leaf_new (SH (3, 2), LAY_STEP, DIST_UNIT) };
  LtTensor *in1[2] = { leaf_new (SH (2, 4), LAY_CONTIG, DIST_UNIT),
                       leaf_new (SH (2, 3), LAY_T, DIST_UNIT) };

  gradcheck (gc_index_add, &c0, in0, 2);
  gradcheck (gc_index_add, &c1, in1, 2);
  for (guint k = 0; k < 2; k++)
    {
      g_object_unref (in0[k]);
      g_object_unref (in1[k]);
    }
}

static const Case index_add_backward[] = {
  { "repeats", index_add_bw_cases },
  { NULL, NULL }
};

/* gather */

static void
gather_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, LtDType idt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[d] : 1, idt, LAY_T);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, dim, idx.t, &error);
  g_autofree double *ref = g_new0 (double, MAX (idx.n, 1));
  gint64 in[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 k = 0; k < idx.n; k++)
    {
      unravel (k, si, in);
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[k] = x.v[ravel (in, s)];
    }
  check (y, dt, si, ref);
}

static void
gather_fw_dims (gconstpointer d)
{
  gather_run (SH (3, 4), F32, LAY_CONTIG, 1, SH (3, 2), I64);
  gather_run (SH (3, 4), F32, LAY_T, 0, SH (5, 4), I32);
  gather_run (SH (3, 4), F32, LAY_TPAD, 1, SH (2, 6), I64);
  gather_run (SH (3, 4, 5), F64, LAY_STEP, -1, SH (2, 3, 7), I64);
  gather_run (SH (4, 3), I64, LAY_EXPAND, 0, SH (2, 3), I64);
  gather_run (SH0, F32, LAY_CONTIG, 0, SH0, I64);
  gather_run (SH (3, 4), F32, LAY_CONTIG, 1, SH (0, 4), I64);
}

static void
gather_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 4 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_auto(Arr) f = arr_from (bad, SH (2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_gather (x.t, 1, i.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_gather (x.t, 0, f.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case gather_forward[] = {
  { "dims", gather_fw_dims },
  { "errors", gather_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_gather (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_gather (in[0], c->dim, c->index, &error);

  g_assert_no_error (error);
  return y;
}

static void
gather_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(Arr) i = arr_from (iv, SH (3, 2), I64, LAY_CONTIG);
  g_auto(Arr) j = arr_from (iv, SH (2, 3), I64, LAY_T);
  IndexCall c1 = { 1, i.t }, c0 = { 0, j.t };
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) y = leaf_new (SH (4, 3), LAY_STEP, DIST_UNIT);

  gradcheck (gc_gather, &c1, &x, 1);
  gradcheck (gc_gather, &c0, &y, 1);
}

static const Case gather_backward[] = {
  { "repeats", gather_bw_cases },
  { NULL, NULL }
};

/* scatter_add */

static void
scatter_add_run (Shape s, LtDType dt, Lay lay, gint dim, Shape si, Shape ss, gboolean inplace)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_UNIT);
  guint d = norm_dim (dim, s.n);
  g_auto(Arr) idx = index_new (si, s.n ? s.d[d] : 1, I64, LAY_CONTIG);
  g_auto(Arr) src = arr_new (ss, dt, LAY_T, DIST_UNIT);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  g_autoptr(LtTensor) y = NULL;
  gint64 in[LT_MAX_DIMS];

  for (gint64 k = 0; k < idx.n; k++)
    {
      double v;

      unravel (k, si, in);
      v = src.v[ravel (in, ss)];
      if (s.n > 0)
        in[d] = (gint64) idx.v[k];
      ref[ravel (in, s)] += v;
    }
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = wrap_to (ref[k], dt);
  if (inplace)
    {
      g_assert_cmpint (lt_tensor_scatter_add_ (x.t, dim, idx.t, src.t, &error), ==, TRUE);
      y = g_object_ref (x.t);
    }
  else
    y = lt_tensor_scatter_add (x.t, dim, idx.t, src.t, &error);
  g_assert_no_error (error);
  check (y, dt, s, ref);
}

static void
scatter_add_fw_dims (gconstpointer d)
{
  scatter_add_run (SH (3, 5), F32, LAY_CONTIG, 1, SH (3, 4), SH (3, 6), FALSE);
  scatter_add_run (SH (4, 3), F32, LAY_T, 0, SH (6, 2), SH (7, 3), FALSE);
  scatter_add_run (SH (2, 3, 4), F64, LAY_STEP, -1, SH (2, 2, 9), SH (2, 3, 9), FALSE);
  scatter_add_run (SH (4, 3), I64, LAY_CONTIG, 0, SH (5, 3), SH (5, 3), FALSE);
  scatter_add_run (SH0, F32, LAY_CONTIG, 0, SH0, SH0, FALSE);
  scatter_add_run (SH (3, 5), F32, LAY_CONTIG, 1, SH (0, 5), SH (3, 5), FALSE);
}

static void
scatter_add_fw_inplace (gconstpointer d)
{
  scatter_add_run (SH (3, 5), F32, LAY_T, 1, SH (3, 4), SH (3, 6), TRUE);
  scatter_add_run (SH (4, 5), F64, LAY_CONTIG, 0, SH (6, 5), SH (6, 5), TRUE);
}

static void
scatter_add_fw_errors (gconstpointer d)
{
  static const double bad[] = { 0, 5 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_from (bad, SH (1, 2), I64, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (1, 2), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) small = arr_new (SH (1, 1), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_scatter_add (x.t, 1, i.t, s.t, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_scatter_add (x.t, 0, i.t, small.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case scatter_add_forward[] = {
  { "dims", scatter_add_fw_dims },
  { "inplace", scatter_add_fw_inplace },
  { "errors", scatter_add_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_scatter_add (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_scatter_add (in[0], c->dim, c->index, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
gc_scatter_add_ (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = lt_tensor_clone (in[0], &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_scatter_add_ (y, c->dim, c->index, in[1], &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&y);
}

static void
scatter_add_bw_cases (gconstpointer d)
{
  static const double iv[] = { 0, 3, 3, 3, 1, 0 };
  g_auto(Arr) i = arr_from (iv, SH (3, 2), I64, LAY_CONTIG);
  IndexCall c = { 1, i.t };
  /* a source larger than the index: its other elements get no gradient */
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, DIST_UNIT),
                      leaf_new (SH (3, 3), LAY_STEP, DIST_UNIT) };

  gradcheck (gc_scatter_add, &c, in, 2);
  gradcheck (gc_scatter_add_, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case scatter_add_backward[] = {
  { "repeats", scatter_add_bw_cases },
  { NULL, NULL }
};

/* masked_select */

static void
masked_select_run (Shape sx, Lay lx, Shape sm, Lay lm, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, lm, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);
  Shape o = broadcast (sx, sm);
  gint64 idx[LT_MAX_DIMS], n = 0;
  g_autofree double *ref = g_new0 (double, MAX (numel (o), 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < numel (o); k++)
    {
      unravel (k, o, idx);
      if (m.v[bindex (idx, o.n, sm)])
        ref[n++] = x.v[bindex (idx, o.n, sx)];
    }
  check (y, dt, SH (n), ref);
}

static void
masked_select_fw_cases (gconstpointer d)
{
  masked_select_run (SH (4, 5), LAY_T, SH (5), LAY_CONTIG, F32);
  masked_select_run (SH (5), LAY_STEP, SH (4, 5), LAY_T, F64);
  masked_select_run (SH (3, 4), LAY_CONTIG, SH (3, 4), LAY_STEP, I64);
  masked_select_run (SH0, LAY_CONTIG, SH0, LAY_CONTIG, F32);
  masked_select_run (SH (0, 3), LAY_CONTIG, SH (3), LAY_CONTIG, F32);
  masked_select_run (SH (300, 251), LAY_T, SH (251), LAY_CONTIG, F32);
}

static void
masked_select_fw_none (gconstpointer d)
{
  double zeros[6] = { 0 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_from (zeros, SH (2, 3), BOOL, LAY_CONTIG);
  g_auto(Arr) f = arr_from (zeros, SH (2, 3), F32, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_masked_select (x.t, m.t, &error);

  g_assert_no_error (error);
  check (y, F32, SH (0), NULL);
  g_clear_object (&y);
  y = lt_tensor_masked_select (x.t, f.t, &error);
  check_error (y, error, LT_ERROR_DTYPE);
}

static const Case masked_select_forward[] = {
  { "cases", masked_select_fw_cases },
  { "none", masked_select_fw_none },
  { NULL, NULL }
};

static LtTensor *
gc_masked_select (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_masked_select (in[0], c->mask, &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_select_bw_cases (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (3, 4), BOOL, LAY_T, DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) b = leaf_new (SH (4), LAY_STEP, DIST_UNIT);
  g_autoptr(LtTensor) r = leaf_new (SH0, LAY_CONTIG, DIST_UNIT);

  gradcheck (gc_masked_select, &c, &x, 1);
  /* x broadcast to the mask: its gradient sums over the rows */
  gradcheck (gc_masked_select, &c, &b, 1);
  gradcheck (gc_masked_select, &c, &r, 1);
}

static const Case masked_select_backward[] = {
  { "broadcast", masked_select_bw_cases },
  { NULL, NULL }
};

/* masked_scatter */

static void
masked_scatter_run (Shape sx, Lay lx, Shape sm, Shape ss, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dt, lx, DIST_UNIT);
  g_auto(Arr) m = arr_new (sm, BOOL, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) src = arr_new (ss, dt, LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, src.t, &error);
  g_autofree double *ref = g_memdup2 (x.v, MAX (x.n, 1) * sizeof (double));
  gint64 idx[LT_MAX_DIMS], used = 0;

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      unravel (k, sx, idx);
      if (m.v[bindex (idx, sx.n, sm)])
        ref[k] = src.v[used++];
    }
  g_assert_cmpint (used, <=, src.n);
  check (y, dt, sx, ref);
}

static void
masked_scatter_fw_cases (gconstpointer d)
{
  masked_scatter_run (SH (4, 5), LAY_T, SH (4, 5), SH (6, 5), F32);
  masked_scatter_run (SH (4, 5), LAY_STEP, SH (5), SH (25), F64);
  masked_scatter_run (SH (3, 4), LAY_CONTIG, SH (3, 1), SH (4, 3), I64);
  masked_scatter_run (SH0, LAY_CONTIG, SH0, SH (2), F32);
  masked_scatter_run (SH (0, 3), LAY_CONTIG, SH (3), SH (0), F32);
}

static void
masked_scatter_fw_errors (gconstpointer d)
{
  double ones[6] = { 1, 1, 1, 1, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) m = arr_from (ones, SH (2, 3), BOOL, LAY_CONTIG);
  g_auto(Arr) s = arr_new (SH (5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) v = arr_new (SH (3), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_masked_scatter (x.t, m.t, s.t, &error);

  /* six elements selected, five given */
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  /* the mask may not grow the tensor */
  y = lt_tensor_masked_scatter (v.t, m.t, x.t, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case masked_scatter_forward[] = {
  { "cases", masked_scatter_fw_cases },
  { "errors", masked_scatter_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_masked_scatter (LtTensor **in, gsize n, gpointer data)
{
  const IndexCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_masked_scatter (in[0], c->mask, in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
masked_scatter_bw_cases (gconstpointer d)
{
  g_auto(Arr) m = arr_new (SH (4), BOOL, LAY_CONTIG, DIST_UNIT);
  IndexCall c = { 0, NULL, m.t };
  LtTensor *in[2] = { leaf_new (SH (3, 4), LAY_T, DIST_UNIT),
                      leaf_new (SH (3, 5), LAY_STEP, DIST_UNIT) };

  gradcheck (gc_masked_scatter, &c, in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static const Case masked_scatter_backward[] = {
  { "broadcast", masked_scatter_bw_cases },
  { NULL, NULL }
};

/* one_hot */

static void
one_hot_run (Shape s, gint64 classes, Lay lay)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = index_new (s, 4, I64, lay);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (x.t, classes, &error);
  gint64 c = classes;
  Shape o = s;
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  if (c < 0)
    {
      c = 0;
      for (gint64 k = 0; k < x.n; k++)
        c = MAX (c, (gint64) x.v[k] + 1);
    }
  o.d[o.n++] = c;
  ref = g_new0 (double, MAX (numel (o), 1));
  for (gint64 k = 0; k < x.n; k++)
    ref[k * c + (gint64) x.v[k]] = 1;
  check (y, I64, o, ref);
}

static void
one_hot_fw_cases (gconstpointer d)
{
  one_hot_run (SH (9), 4, LAY_CONTIG);
  one_hot_run (SH (9), 6, LAY_STEP);
  one_hot_run (SH (2, 3), -1, LAY_T);
  one_hot_run (SH0, 5, LAY_CONTIG);
  one_hot_run (SH (0), 3, LAY_CONTIG);
}

static void
one_hot_fw_errors (gconstpointer d)
{
  static const double neg[] = { 1, -1 }, big[] = { 0, 3 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) n = arr_from (neg, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) b = arr_from (big, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) i = arr_from (big, SH (2), I32, LAY_CONTIG);
  g_auto(Arr) e = arr_from (big, SH (0), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_one_hot (n.t, 3, &error);

  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (b.t, 3, &error);
  check_error (y, error, LT_ERROR_INDEX);
  g_clear_error (&error);
  y = lt_tensor_one_hot (i.t, 4, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_one_hot (e.t, -1, &error);
  check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const Case one_hot_forward[] = {
  { "cases", one_hot_fw_cases },
  { "errors", one_hot_fw_errors },
  { NULL, NULL }
};

/* alias: LT_OP_ALIAS has no public front end. detach() records no node
 * (as PyTorch's detach); the op's row (AliasBackward0, the identity rule)
 * serves views that keep the shape. The forward case checks detach's
 * aliasing; the backward case records an alias node by hand through the
 * private autograd API and differentiates through it. */

static void
alias_fw_detach (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) a = lt_tensor_detach (y);
  g_autofree double *before = values_of (y);
  double ref[12];

  g_assert_no_error (error);
  g_assert_cmpstr (_lt_op_table[LT_OP_ALIAS].node_name, ==, "AliasBackward0");
  g_assert_cmpint (lt_tensor_get_requires_grad (a), ==, FALSE);
  g_assert_null (lt_tensor_get_grad_fn (a));
  g_assert_cmpint (lt_tensor_shares_storage (a, y), ==, TRUE);
  check (a, F64, SH (3, 4), before);
  /* writes through the alias show in the original */
  g_assert_cmpint (lt_tensor_fill_ (a, 1.5, &error), ==, TRUE);
  g_assert_no_error (error);
  for (guint k = 0; k < 12; k++)
    ref[k] = 1.5;
  check (y, F64, SH (3, 4), ref);
}

static const Case alias_forward[] = {
  { "detach", alias_fw_detach },
  { NULL, NULL }
};

static LtTensor *
gc_alias (LtTensor **in, gsize n, gpointer data)
{
  LtTensor *x = in[0];
  LtTensor *v = _lt_tensor_new_view (x, x->shape, x->strides, x->ndim, x->offset);
  LtGradFn *node = _lt_autograd_record (LT_OP_ALIAS, &x, 1);

  if (node)
    {
      _lt_autograd_set_output (node, v);
      g_assert_cmpstr (lt_grad_fn_get_name (node), ==, "AliasBackward0");
    }
  return v;
}

static void
alias_bw_identity (gconstpointer d)
{
  g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
  g_autoptr(LtTensor) r = leaf_new (SH0, LAY_CONTIG, DIST_UNIT);

  gradcheck (gc_alias, NULL, &x, 1);
  gradcheck (gc_alias, NULL, &r, 1);
}

static const Case alias_backward[] = {
  { "identity", alias_bw_identity },
  { NULL, NULL }
};

/* accumulate_grad: the leaf's node, no kernel and no backward rule: the
 * engine adds the gradient into the leaf's .grad. */

static void
accumulate_fw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (3), LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) z = lt_tensor_mul_scalar (x, 3, &error);
  LtGradFn *ny, *nz, *acc;

  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (x));
  ny = lt_tensor_get_grad_fn (y);
  nz = lt_tensor_get_grad_fn (z);
  g_assert_nonnull (ny);
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (ny), ==, 2);
  acc = lt_grad_fn_get_next_function (ny, 0, NULL);
  g_assert_nonnull (acc);
  g_assert_null (lt_grad_fn_get_next_function (ny, 1, NULL));
  g_assert_cmpstr (lt_grad_fn_get_name (acc), ==, _lt_op_table[LT_OP_ACCUMULATE_GRAD].node_name);
  g_assert_cmphex (GPOINTER_TO_SIZE (lt_grad_fn_get_variable (acc)), ==, GPOINTER_TO_SIZE (x));
  /* one accumulator per leaf, shared by every use */
  g_assert_cmphex (GPOINTER_TO_SIZE (lt_grad_fn_get_next_function (nz, 0, NULL)), ==,
                   GPOINTER_TO_SIZE (acc));
}

static const Case accumulate_forward[] = {
  { "node", accumulate_fw_node },
  { NULL, NULL }
};

static LtTensor *
gc_twice (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) sq = lt_tensor_mul (in[0], in[0], &error);
  LtTensor *y = sq ? lt_tensor_add (sq, in[0], &error) : NULL;

  g_assert_no_error (error);
  return y;
}

static void
accumulate_bw_sum (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (2, 3), LAY_T, DIST_UNIT);
  g_autofree double *xv = values_of (x);

  /* x used three times in one graph */
  gradcheck (gc_twice, NULL, &x, 1);
  for (guint pass = 1; pass <= 2; pass++)
    {
      g_autoptr(LtTensor) y = gc_twice (&x, 1, NULL);
      g_autofree double *g = NULL;

      /* each backward adds 2x + 1 into .grad */
      backward_sum (y);
      g = grad_of (x);
      for (guint k = 0; k < 6; k++)
        g_assert_cmpfloat (fabs (g[k] - pass * (2 * xv[k] + 1)), <, 1e-12);
    }
  g_assert_cmpint (lt_tensor_get_grad (x)->dtype, ==, F64);
  g_assert_no_error (error);
}

static void
accumulate_bw_retain (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH0, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_exp (x, &error);
  double xv = value_at (x, 0);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (y, NULL, TRUE, &error), ==, TRUE);
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (value_at (lt_tensor_get_grad (x), 0) - 2 * exp (xv)), <, 1e-12);
  /* the graph is freed now */
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

static const Case accumulate_backward[] = {
  { "sum", accumulate_bw_sum },
  { "retain", accumulate_bw_retain },
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
  check (p, dt, SH (n), ref);
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
  randperm_one (BIG, I64);

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
  check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_randperm (257, U8, &error);
  check_error (bad, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  bad = lt_randperm (3, BOOL, &error);
  check_error (bad, error, LT_ERROR_DTYPE);
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

static const Case randperm_forward[] = {
  { "values", randperm_forward_values },
  { "uniform", randperm_forward_uniform },
  { NULL, NULL }
};

/* conv2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d and the kernels of
 * their backward rules. The references below are the definitions of
 * torch.nn.functional's ops written as plain loops over doubles. */

typedef struct
{
  gint64 N, C, H, W, O, kh, kw;
  gint64 stride[2], padding[2], dilation[2], groups;
  gboolean bias, batched;
} ConvCase;

static const ConvCase conv_cases[] = {
  /* N, C, H, W, O, kh, kw, stride, padding, dilation, groups, bias, batched */
  { 2, 3, 7, 9, 4, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 3, 4, 8, 7, 6, 3, 2, { 2, 1 }, { 1, 0 }, { 1, 2 }, 2, TRUE, TRUE },
  { 2, 4, 9, 6, 4, 2, 3, { 1, 3 }, { 2, 1 }, { 3, 1 }, 4, FALSE, TRUE },
  { 1, 3, 6, 5, 2, 2, 3, { 3, 2 }, { 2, 1 }, { 2, 1 }, 1, TRUE, FALSE },
  { 5, 4, 3, 5, 2, 1, 1, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 2, 4, 4, 3, 4, 4, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 70, 2, 6, 6, 3, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 1, FALSE, TRUE },
  { 3, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 5, 6, 14, 14, 16, 5, 5, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 3, 4, 9, 10, 6, 3, 3, { 1, 1 }, { 2, 1 }, { 2, 2 }, 2, TRUE, TRUE },
  { 0, 3, 5, 5, 2, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
};

/* Small enough for gradcheck: every parameter in at least one case, on
 * both of the CPU kernel's column layouts (stride 1: wide rows; other
 * strides: unfolded columns) */
static const ConvCase conv_gc_cases[] = {
  { 2, 2, 5, 4, 3, 3, 2, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, TRUE, TRUE },
  { 2, 4, 6, 5, 4, 3, 2, { 2, 1 }, { 1, 1 }, { 1, 2 }, 2, TRUE, TRUE },
  { 1, 2, 5, 6, 2, 2, 2, { 1, 2 }, { 0, 1 }, { 2, 1 }, 2, FALSE, TRUE },
  { 1, 2, 4, 5, 3, 2, 3, { 2, 2 }, { 1, 2 }, { 1, 1 }, 1, TRUE, FALSE },
  { 2, 4, 6, 7, 4, 3, 2, { 1, 1 }, { 1, 2 }, { 2, 1 }, 2, TRUE, TRUE },
  { 1, 2, 5, 4, 2, 2, 2, { 1, 1 }, { 1, 1 }, { 1, 1 }, 1, FALSE, FALSE },
};

static Shape
conv_in_shape (const ConvCase *c)
{
  return c->batched ? SH (c->N, c->C, c->H, c->W) : SH (c->C, c->H, c->W);
}

static gint64
conv_oh (const ConvCase *c, guint i)
{
  gint64 in = i == 0 ? c->H : c->W, k = i == 0 ? c->kh : c->kw;

  return (in + 2 * c->padding[i] - c->dilation[i] * (k - 1) - 1) / c->stride[i] + 1;
}

static Shape
conv_out_shape (const ConvCase *c)
{
  return c->batched ? SH (c->N, c->O, conv_oh (c, 0), conv_oh (c, 1))
                    : SH (c->O, conv_oh (c, 0), conv_oh (c, 1));
}

/* Calls @visit for every (output, weight, input) triple of the sum that
 * defines y[n, o, oh, ow]; padding positions are skipped. */
typedef void (*ConvVisit) (gint64 yi, gint64 wi, gint64 xi, gint64 o, gpointer data);

static void
conv_walk (const ConvCase *c, ConvVisit visit, gpointer data)
{
  gint64 OH = conv_oh (c, 0), OW = conv_oh (c, 1), Cg = c->C / c->groups, Og = c->O / c->groups;

  for (gint64 n = 0; n < c->N; n++)
    for (gint64 o = 0; o < c->O; o++)
      for (gint64 oh = 0; oh < OH; oh++)
        for (gint64 ow = 0; ow < OW; ow++)
          {
            gint64 yi = ((n * c->O + o) * OH + oh) * OW + ow;

            visit (yi, -1, -1, o, data);
            for (gint64 ci = 0; ci < Cg; ci++)
              for (gint64 i = 0; i < c->kh; i++)
                for (gint64 j = 0; j < c->kw; j++)
                  {
                    gint64 ih = oh * c->stride[0] - c->padding[0] + i * c->dilation[0];
                    gint64 iw = ow * c->stride[1] - c->padding[1] + j * c->dilation[1];
                    gint64 ch = (o / Og) * Cg + ci;

                    if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                      continue;
                    visit (yi, ((o * Cg + ci) * c->kh + i) * c->kw + j,
                           ((n * c->C + ch) * c->H + ih) * c->W + iw, o, data);
                  }
          }
}

typedef struct
{
  const double *x, *w, *b, *dy;
  double *y, *dx, *dw, *db;
} ConvRef;

static void
conv_ref_visit (gint64 yi, gint64 wi, gint64 xi, gint64 o, gpointer data)
{
  ConvRef *r = data;

  if (wi < 0)
    {
      if (r->y)
        r->y[yi] = r->b ? r->b[o] : 0;
      if (r->db)
        r->db[o] += r->dy[yi];
      return;
    }
  if (r->y)
    r->y[yi] += r->w[wi] * r->x[xi];
  if (r->dx)
    r->dx[xi] += r->w[wi] * r->dy[yi];
  if (r->dw)
    r->dw[wi] += r->x[xi] * r->dy[yi];
}

static double *
ref_conv2d (const ConvCase *c, const double *x, const double *w, const double *b)
{
  ConvRef r = { .x = x, .w = w, .b = b };

  r.y = g_new0 (double, MAX (numel (conv_out_shape (c)), 1));
  conv_walk (c, conv_ref_visit, &r);
  return r.y;
}

static Shape
conv_w_shape (const ConvCase *c)
{
  return SH (c->O, c->C / c->groups, c->kh, c->kw);
}

static LtTensor *
conv_call (const ConvCase *c, LtTensor *x, LtTensor *w, LtTensor *b, GError **error)
{
  return lt_conv2d (x, w, c->bias ? b : NULL, c->stride, c->padding, c->dilation, c->groups,
                    error);
}

static void
conv2d_fw_values (gconstpointer data)
{
  static const LtDType dts[] = { F32, F64 };
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    for (guint di = 0; di < G_N_ELEMENTS (dts); di++)
      for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
        {
          const ConvCase *c = &conv_cases[ci];
          LtDType dt = dts[di];
          g_autoptr(GError) error = NULL;
          g_auto(Arr) x = arr_new (conv_in_shape (c), dt, lays[li], DIST_UNIT);
          g_auto(Arr) w = arr_new (conv_w_shape (c), dt, lays[(li + 1) % 3], DIST_UNIT);
          g_auto(Arr) b = arr_new (SH (c->O), dt, lays[li], DIST_UNIT);
          g_autoptr(LtTensor) y = conv_call (c, x.t, w.t, b.t, &error);
          g_autofree double *ref = ref_conv2d (c, x.v, w.v, c->bias ? b.v : NULL);

          g_test_message ("case %u, %s, layout %u", ci, lt_dtype_get_name (dt), li);
          g_assert_no_error (error);
          if (dt == F32)
            check_tol (y, dt, conv_out_shape (c), ref, 1e-4, 1e-5);
          else
            check_tol (y, dt, conv_out_shape (c), ref, 1e-10, 1e-12);
          g_assert_cmpint (lt_tensor_is_contiguous (y), ==, TRUE);
        }
}

/* Above the pool's threshold: the unfolding and the copies run in parts */
static void
conv2d_fw_big (gconstpointer data)
{
  const ConvCase c = { 24, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 2, 1 }, { 1, 1 }, 1, TRUE, TRUE };
  const ConvCase c2 = { 64, 8, 12, 12, 8, 3, 3, { 1, 1 }, { 1, 1 }, { 1, 1 }, 2, TRUE, TRUE };
  const ConvCase *cs[] = { &c, &c2 };

  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (conv_in_shape (cs[i]), F32, LAY_CONTIG, DIST_UNIT);
      g_auto(Arr) w = arr_new (conv_w_shape (cs[i]), F32, LAY_CONTIG, DIST_UNIT);
      g_auto(Arr) b = arr_new (SH (cs[i]->O), F32, LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) y = conv_call (cs[i], x.t, w.t, b.t, &error);
      g_autofree double *ref = ref_conv2d (cs[i], x.v, w.v, b.v);

      g_assert_no_error (error);
      g_assert_cmpint (numel (conv_in_shape (cs[i])), >, BIG);
      check_tol (y, F32, conv_out_shape (cs[i]), ref, 1e-4, 1e-5);
    }
}

static void
conv_expect_error (const ConvCase *c, Shape xs, Shape ws, gint64 nb, LtDType xdt, LtDType wdt,
                   LtDType bdt, LtError code)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (xs, xdt, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) w = arr_new (ws, wdt, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) b = arr_new (SH (nb), bdt, LAY_CONTIG, DIST_UNIT);
  g_autofree double *before = values_of (x.t);
  g_autofree double *after = NULL;
  LtTensor *y = lt_conv2d (x.t, w.t, b.t, c->stride, c->padding, c->dilation, c->groups, &error);

  check_error (y, error, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "conv2d: "));
  if (code == LT_ERROR_SHAPE)
    g_assert_nonnull (strchr (error->message, '['));
  after = values_of (x.t);
  g_assert_cmpmem (before, x.n * sizeof (double), after, x.n * sizeof (double));
}

static void
conv2d_fw_errors (gconstpointer data)
{
  const ConvCase ok = { 2, 4, 6, 6, 4, 3, 3, { 1, 1 }, { 0, 0 }, { 1, 1 }, 2, TRUE, TRUE };
  ConvCase c;
  Shape xs = SH (2, 4, 6, 6), ws = SH (4, 2, 3, 3);

  conv_expect_error (&ok, SH (4, 6), ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, SH (1, 2, 4, 6, 6), ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, SH (4, 2, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, ws, 4, I64, I64, I64, LT_ERROR_DTYPE);
  conv_expect_error (&ok, xs, ws, 4, F32, F64, F32, LT_ERROR_DTYPE);
  conv_expect_error (&ok, xs, ws, 4, F64, F64, F32, LT_ERROR_DTYPE);
  /* channels: 4 input channels, groups 2, weight expects 2 x 3 */
  conv_expect_error (&ok, xs, SH (4, 3, 3, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  /* 3 output channels in 2 groups */
  conv_expect_error (&ok, xs, SH (3, 2, 3, 3), 3, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, SH (0, 2, 3, 3), 0, F32, F32, F32, LT_ERROR_SHAPE);
  conv_expect_error (&ok, xs, ws, 5, F32, F32, F32, LT_ERROR_SHAPE);
  /* a filter larger than the image */
  conv_expect_error (&ok, xs, SH (4, 2, 7, 3), 4, F32, F32, F32, LT_ERROR_SHAPE);
  c = ok;
  c.dilation[1] = 3;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_SHAPE);
  c = ok;
  c.stride[0] = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.padding[1] = -1;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.dilation[0] = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c = ok;
  c.groups = 0;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  c.groups = -2;
  conv_expect_error (&c, xs, ws, 4, F32, F32, F32, LT_ERROR_INVALID_ARGUMENT);
  {
    /* a 2-D bias */
    g_autoptr(GError) error = NULL;
    g_auto(Arr) x = arr_new (xs, F32, LAY_CONTIG, DIST_UNIT);
    g_auto(Arr) w = arr_new (ws, F32, LAY_CONTIG, DIST_UNIT);
    g_auto(Arr) b = arr_new (SH (1, 4), F32, LAY_CONTIG, DIST_UNIT);
    LtTensor *y = lt_conv2d (x.t, w.t, b.t, NULL, NULL, NULL, 2, &error);

    check_error (y, error, LT_ERROR_SHAPE);
  }
}

/* NULL stride, padding and dilation mean (1, 1), (0, 0), (1, 1); the node */
static void
conv2d_fw_defaults (gconstpointer data)
{
  const ConvCase c = { 2, 3, 6, 5, 4, 3, 2, { 1, 1 }, { 0, 0 }, { 1, 1 }, 1, FALSE, TRUE };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (conv_in_shape (&c), F64, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) w = leaf_new (conv_w_shape (&c), LAY_CONTIG, DIST_UNIT);
  g_autofree double *wv = values_of (w);
  g_autoptr(LtTensor) y = lt_conv2d (x.t, w, NULL, NULL, NULL, NULL, 1, &error);
  g_autofree double *ref = ref_conv2d (&c, x.v, wv, NULL);

  g_assert_no_error (error);
  check (y, F64, conv_out_shape (&c), ref);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "ConvolutionBackward0");
  /* the images need no gradient: the weight is not kept for one */
  g_assert_null (lt_tensor_get_grad_fn (y)->saved[1]);
  g_assert_nonnull (lt_tensor_get_grad_fn (y)->saved[0]);
  {
    /* no input requires grad: no node */
    g_autoptr(LtTensor) wd = lt_tensor_detach (w);
    g_autoptr(LtTensor) y2 = lt_conv2d (x.t, wd, NULL, NULL, NULL, NULL, 1, &error);

    g_assert_no_error (error);
    g_assert_null (lt_tensor_get_grad_fn (y2));
  }
}

static const Case conv2d_forward[] = {
  { "values", conv2d_fw_values },
  { "big", conv2d_fw_big },
  { "errors", conv2d_fw_errors },
  { "defaults", conv2d_fw_defaults },
  { NULL, NULL }
};

/* The gradients of y = conv2d (x, w, b) for an upstream gradient dy, against
 * the reference; @which: bit 0 x, bit 1 w, bit 2 b require grad. */
static void
conv_grads_check (const ConvCase *c, LtDType dt, Lay lay, guint which)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) xa = arr_new (conv_in_shape (c), dt, lay, DIST_UNIT);
  g_auto(Arr) wa = arr_new (conv_w_shape (c), dt, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) ba = arr_new (SH (c->O), dt, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) dya = arr_new (conv_out_shape (c), dt, lay, DIST_UNIT);
  g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
  g_autoptr(LtTensor) w = lt_tensor_detach (wa.t);
  g_autoptr(LtTensor) b = lt_tensor_detach (ba.t);
  g_autoptr(LtTensor) y = NULL;
  LtGradFn *node;
  ConvRef r = { .x = xa.v, .w = wa.v, .dy = dya.v };
  /* float32 sums of N OH OW terms (the weight's gradient) round by about
   * sqrt (terms) units of the terms' size */
  double terms = MAX (1.0, (double) (c->N * conv_oh (c, 0) * conv_oh (c, 1)));
  double rtol = dt == F32 ? 1e-4 : 1e-10;
  double atol = dt == F32 ? 1e-4 * MAX (1.0, sqrt (terms) / 30) : 1e-12;
  LtTensor *ts[3] = { x, w, b };

  for (guint i = 0; i < 3; i++)
    if (which & (1u << i))
      g_assert_true (lt_tensor_set_requires_grad (ts[i], TRUE, &error));
  y = conv_call (c, x, w, b, &error);
  g_assert_no_error (error);
  node = lt_tensor_get_grad_fn (y);
  g_assert_nonnull (node);
  /* what nobody needs is not kept */
  if (!(which & 1))
    g_assert_null (node->saved[1]);
  if (!(which & 2))
    g_assert_null (node->saved[0]);
  g_assert_true (lt_tensor_backward (y, dya.t, FALSE, &error));
  g_assert_no_error (error);

  r.dx = which & 1 ? g_new0 (double, MAX (xa.n, 1)) : NULL;
  r.dw = which & 2 ? g_new0 (double, MAX (wa.n, 1)) : NULL;
  r.db = which & 4 && c->bias ? g_new0 (double, c->O) : NULL;
  conv_walk (c, conv_ref_visit, &r);
  if (r.dx)
    check_tol (lt_tensor_get_grad (x), dt, xa.s, r.dx, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (x));
  if (r.dw)
    check_tol (lt_tensor_get_grad (w), dt, wa.s, r.dw, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (w));
  if (r.db)
    check_tol (lt_tensor_get_grad (b), dt, ba.s, r.db, rtol, atol);
  else
    g_assert_null (lt_tensor_get_grad (b));
  g_free (r.dx);
  g_free (r.dw);
  g_free (r.db);
}

static void
conv2d_grad_input_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    {
      g_test_message ("case %u", ci);
      conv_grads_check (&conv_cases[ci], F64, ci % 2 ? LAY_T : LAY_CONTIG, 1);
      conv_grads_check (&conv_cases[ci], F32, LAY_STEP, 1 | 4);
    }
}

static void
conv2d_grad_weight_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_cases); ci++)
    {
      g_test_message ("case %u", ci);
      conv_grads_check (&conv_cases[ci], F64, ci % 2 ? LAY_CONTIG : LAY_T, 2 | 4);
      conv_grads_check (&conv_cases[ci], F32, LAY_CONTIG, 1 | 2 | 4);
      conv_grads_check (&conv_cases[ci], F64, LAY_STEP, 2);
    }
  /* the bias alone */
  conv_grads_check (&conv_cases[1], F64, LAY_CONTIG, 4);
}

static void
conv2d_grad_fw_big (gconstpointer data)
{
  const ConvCase c = { 24, 3, 32, 32, 6, 5, 5, { 1, 1 }, { 2, 1 }, { 1, 1 }, 1, TRUE, TRUE };

  conv_grads_check (&c, F32, LAY_CONTIG, 1 | 2 | 4);
}

static const Case conv2d_grad_input_forward[] = {
  { "values", conv2d_grad_input_fw_values },
  { "big", conv2d_grad_fw_big },
  { NULL, NULL }
};

static const Case conv2d_grad_weight_forward[] = {
  { "values", conv2d_grad_weight_fw_values },
  { "big", conv2d_grad_fw_big },
  { NULL, NULL }
};

static LtTensor *
gc_conv2d (LtTensor **in, gsize n, gpointer data)
{
  const ConvCase *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = conv_call (c, in[0], in[1], n > 2 ? in[2] : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
conv2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (conv_gc_cases); ci++)
    {
      const ConvCase *c = &conv_gc_cases[ci];
      LtTensor *in[3];
      gsize n = c->bias ? 3 : 2;

      g_test_message ("case %u", ci);
      in[0] = leaf_new (conv_in_shape (c), ci % 2 ? LAY_T : LAY_CONTIG, DIST_UNIT);
      in[1] = leaf_new (conv_w_shape (c), ci % 2 ? LAY_CONTIG : LAY_STEP, DIST_UNIT);
      in[2] = leaf_new (SH (c->O), LAY_CONTIG, DIST_UNIT);
      gradcheck (gc_conv2d, c, in, n);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

/* Only the weight or only the images require grad */
static void
conv2d_bw_partial (gconstpointer data)
{
  const ConvCase *c = &conv_gc_cases[1];

  for (guint which = 0; which < 2; which++)
    {
      LtTensor *in[3];

      in[0] = leaf_new (conv_in_shape (c), LAY_CONTIG, DIST_UNIT);
      in[1] = leaf_new (conv_w_shape (c), LAY_CONTIG, DIST_UNIT);
      in[2] = leaf_new (SH (c->O), LAY_CONTIG, DIST_UNIT);
      g_assert_true (lt_tensor_set_requires_grad (in[which], FALSE, NULL));
      g_assert_true (lt_tensor_set_requires_grad (in[2], FALSE, NULL));
      gradcheck (gc_conv2d, c, in, 3);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

static void
conv2d_bw_size0 (gconstpointer data)
{
  const ConvCase *c = &conv_cases[G_N_ELEMENTS (conv_cases) - 1];
  LtTensor *in[3];

  g_assert_cmpint (c->N, ==, 0);
  in[0] = leaf_new (conv_in_shape (c), LAY_CONTIG, DIST_UNIT);
  in[1] = leaf_new (conv_w_shape (c), LAY_CONTIG, DIST_UNIT);
  in[2] = leaf_new (SH (c->O), LAY_CONTIG, DIST_UNIT);
  backward_shapes (gc_conv2d, c, in, 3);
  {
    g_autofree double *gw = grad_of (in[1]);
    g_autofree double *gb = grad_of (in[2]);

    for (gint64 k = 0; k < in[1]->numel; k++)
      g_assert_cmpfloat (gw[k], ==, 0);
    for (gint64 k = 0; k < c->O; k++)
      g_assert_cmpfloat (gb[k], ==, 0);
  }
  for (guint i = 0; i < 3; i++)
    g_object_unref (in[i]);
}

static const Case conv2d_backward[] = {
  { "gradcheck", conv2d_bw_gradcheck },
  { "partial", conv2d_bw_partial },
  { "size0", conv2d_bw_size0 },
  { NULL, NULL }
};

/* Pooling */

typedef struct
{
  gint64 N, C, H, W;
  gint64 k[2], s[2], p[2], d[2];
  gboolean ceil_mode, count_include_pad;
  gint64 divisor;
  gboolean batched;
} PoolCase;

static const PoolCase pool_cases[] = {
  /* N, C, H, W, kernel, stride, padding, dilation, ceil, count_include_pad, divisor, batched */
  { 2, 3, 8, 8, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
  { 2, 2, 7, 9, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, TRUE, TRUE, 0, TRUE },
  { 1, 2, 7, 8, { 3, 2 }, { 2, 1 }, { 1, 1 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
  { 2, 1, 9, 7, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, FALSE, 0, TRUE },
  { 1, 3, 6, 7, { 3, 2 }, { 1, 3 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE },
  { 2, 2, 5, 6, { 2, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, FALSE, FALSE, 5, FALSE },
  { 3, 2, 10, 9, { 3, 2 }, { 2, 2 }, { 1, 0 }, { 2, 3 }, TRUE, TRUE, 0, TRUE },
  { 1, 4, 5, 5, { 5, 5 }, { 1, 1 }, { 2, 2 }, { 1, 1 }, FALSE, FALSE, 0, FALSE },
  { 2, 2, 6, 6, { 2, 2 }, { 1, 1 }, { 1, 0 }, { 1, 1 }, TRUE, TRUE, -3, TRUE },
  { 0, 2, 6, 6, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE },
};

static gint64
pool_floor_div (gint64 a, gint64 b)
{
  return (gint64) floor ((double) a / (double) b);
}

/* PyTorch's pooling_output_shape */
static gint64
pool_out (const PoolCase *c, guint i, gboolean dilated)
{
  gint64 in = i == 0 ? c->H : c->W, d = dilated ? c->d[i] : 1;
  gint64 o = pool_floor_div (in + 2 * c->p[i] - d * (c->k[i] - 1) - 1 +
                             (c->ceil_mode ? c->s[i] - 1 : 0), c->s[i]) + 1;

  if (c->ceil_mode && (o - 1) * c->s[i] >= in + c->p[i])
    o--;
  return o;
}

static Shape
pool_in_shape (const PoolCase *c)
{
  return c->batched ? SH (c->N, c->C, c->H, c->W) : SH (c->C, c->H, c->W);
}

static Shape
pool_shape_out (const PoolCase *c, gint64 OH, gint64 OW)
{
  return c->batched ? SH (c->N, c->C, OH, OW) : SH (c->C, OH, OW);
}

static gint64
pool_planes (const PoolCase *c)
{
  return c->batched ? c->N * c->C : c->C;
}

/* max pool: the window of (oh, ow) has rows oh s - p + i d, i < k, inside
 * the image; the first maximum in row-major order wins, a NaN always wins
 * (each later NaN takes over) */
static void
ref_max_pool (const PoolCase *c, const double *x, double *y, double *idx)
{
  gint64 OH = pool_out (c, 0, TRUE), OW = pool_out (c, 1, TRUE);

  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          double m = 0;
          gint64 best = -1;

          for (gint64 i = 0; i < c->k[0]; i++)
            for (gint64 j = 0; j < c->k[1]; j++)
              {
                gint64 ih = oh * c->s[0] - c->p[0] + i * c->d[0];
                gint64 iw = ow * c->s[1] - c->p[1] + j * c->d[1];
                double v;

                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                  continue;
                v = x[pl * c->H * c->W + ih * c->W + iw];
                if (best < 0 || isnan (v) || (!isnan (m) && v > m))
                  {
                    m = v;
                    best = ih * c->W + iw;
                  }
              }
          g_assert_cmpint (best, >=, 0);
          y[(pl * OH + oh) * OW + ow] = m;
          idx[(pl * OH + oh) * OW + ow] = (double) best;
        }
}

/* avg pool: the window clipped to the padded image gives the divisor with
 * count_include_pad; the sum runs over the part inside the image */
static void
ref_avg_pool (const PoolCase *c, const double *x, double *y, const double *dy, double *dx)
{
  gint64 OH = pool_out (c, 0, FALSE), OW = pool_out (c, 1, FALSE);

  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          gint64 h0 = oh * c->s[0] - c->p[0], w0 = ow * c->s[1] - c->p[1];
          gint64 padded = 0, inside = 0;
          double sum = 0, div;

          for (gint64 ih = h0; ih < h0 + c->k[0]; ih++)
            for (gint64 iw = w0; iw < w0 + c->k[1]; iw++)
              {
                if (ih < c->H + c->p[0] && iw < c->W + c->p[1])
                  padded++;
                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                  continue;
                inside++;
                if (x)
                  sum += x[pl * c->H * c->W + ih * c->W + iw];
              }
          div = c->divisor ? (double) c->divisor : (double) (c->count_include_pad ? padded : inside);
          if (y)
            y[(pl * OH + oh) * OW + ow] = inside ? sum / div : 0;
          if (dx)
            for (gint64 ih = MAX (h0, 0); ih < MIN (h0 + c->k[0], c->H); ih++)
              for (gint64 iw = MAX (w0, 0); iw < MIN (w0 + c->k[1], c->W); iw++)
                dx[pl * c->H * c->W + ih * c->W + iw] += dy[(pl * OH + oh) * OW + ow] / div;
        }
}

/* adaptive avg pool: rows floor (oh H / OH) to ceil ((oh + 1) H / OH) */
static void
ref_adaptive (const PoolCase *c, gint64 OH, gint64 OW, const double *x, double *y,
              const double *dy, double *dx)
{
  for (gint64 pl = 0; pl < pool_planes (c); pl++)
    for (gint64 oh = 0; oh < OH; oh++)
      for (gint64 ow = 0; ow < OW; ow++)
        {
          gint64 h0 = (gint64) floor ((double) (oh * c->H) / OH);
          gint64 h1 = (gint64) ceil ((double) ((oh + 1) * c->H) / OH);
          gint64 w0 = (gint64) floor ((double) (ow * c->W) / OW);
          gint64 w1 = (gint64) ceil ((double) ((ow + 1) * c->W) / OW);
          double sum = 0, cnt = (double) ((h1 - h0) * (w1 - w0));

          for (gint64 ih = h0; ih < h1; ih++)
            for (gint64 iw = w0; iw < w1; iw++)
              {
                if (x)
                  sum += x[pl * c->H * c->W + ih * c->W + iw];
                if (dx)
                  dx[pl * c->H * c->W + ih * c->W + iw] += dy[(pl * OH + oh) * OW + ow] / cnt;
              }
          if (y)
            y[(pl * OH + oh) * OW + ow] = sum / cnt;
        }
}

static LtTensor *
max_pool_call (const PoolCase *c, LtTensor *x, LtTensor **idx, GError **error)
{
  return lt_max_pool2d (x, c->k, c->s, c->p, c->d, c->ceil_mode, idx, error);
}

static LtTensor *
avg_pool_call (const PoolCase *c, LtTensor *x, GError **error)
{
  return lt_avg_pool2d (x, c->k, c->s, c->p, c->ceil_mode, c->count_include_pad, c->divisor,
                        error);
}

static void
max_pool2d_fw_values (gconstpointer data)
{
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
      for (LtDType dt = F32; dt <= F64; dt++)
        {
          const PoolCase *c = &pool_cases[ci];
          Shape os = pool_shape_out (c, pool_out (c, 0, TRUE), pool_out (c, 1, TRUE));
          g_autoptr(GError) error = NULL;
          /* a grid of few values: ties everywhere */
          g_auto(Arr) x = arr_new (pool_in_shape (c), dt, lays[li], DIST_GRID);
          g_autofree double *ref = g_new0 (double, MAX (numel (os), 1));
          g_autofree double *ridx = g_new0 (double, MAX (numel (os), 1));
          g_autoptr(LtTensor) idx = NULL;
          g_autoptr(LtTensor) y = max_pool_call (c, x.t, &idx, &error);

          g_test_message ("case %u, layout %u, %s", ci, li, lt_dtype_get_name (dt));
          g_assert_no_error (error);
          ref_max_pool (c, x.v, ref, ridx);
          check (y, dt, os, ref);
          check (idx, I64, os, ridx);
        }
}

static void
max_pool2d_fw_nan (gconstpointer data)
{
  const PoolCase c = { 1, 2, 4, 6, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 1, 2, 4, 6, { 3, 3 }, { 1, 2 }, { 1, 1 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase *cs[] = { &c, &c3 };
  double v[48];

  for (guint k = 0; k < 48; k++)
    v[k] = (double) ((k * 7) % 11) - 5;
  v[1] = NAN;
  v[6] = NAN;         /* two NaN in a window: the later one */
  v[9] = -INFINITY;
  v[15] = INFINITY;
  v[27] = NAN;
  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      Shape os = pool_shape_out (cs[i], pool_out (cs[i], 0, TRUE), pool_out (cs[i], 1, TRUE));
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_from (v, pool_in_shape (cs[i]), F32, LAY_CONTIG);
      double ref[48], ridx[48];
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = max_pool_call (cs[i], x.t, &idx, &error);

      g_assert_no_error (error);
      ref_max_pool (cs[i], x.v, ref, ridx);
      check (y, F32, os, ref);
      check (idx, I64, os, ridx);
    }
}

static void
max_pool2d_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 16, 6, 28, 28, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE };
  const PoolCase *cs[] = { &c, &c3 };

  for (guint i = 0; i < G_N_ELEMENTS (cs); i++)
    {
      Shape os = pool_shape_out (cs[i], pool_out (cs[i], 0, TRUE), pool_out (cs[i], 1, TRUE));
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (pool_in_shape (cs[i]), F32, LAY_CONTIG, DIST_GRID);
      g_autofree double *ref = g_new0 (double, numel (os));
      g_autofree double *ridx = g_new0 (double, numel (os));
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = max_pool_call (cs[i], x.t, &idx, &error);

      g_assert_no_error (error);
      g_assert_cmpint (x.n, >, BIG);
      ref_max_pool (cs[i], x.v, ref, ridx);
      check (y, F32, os, ref);
      check (idx, I64, os, ridx);
    }
}

/* Every bad argument: a GError naming the op; NULL stride means the kernel */
static void
pool_expect_error (const char *op, LtTensor *y, GError *error, LtError code)
{
  check_error (y, error, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, op));
}

static void
pool_fw_errors_for (const char *op)
{
  const gint64 k2[2] = { 2, 2 }, k0[2] = { 0, 2 }, s0[2] = { 2, 0 }, pbig[2] = { 2, 1 };
  const gint64 pneg[2] = { -1, 0 }, d0[2] = { 1, 0 }, k3[2] = { 3, 3 }, p1[2] = { 1, 1 };
  const gint64 d3[2] = { 3, 3 };
  gboolean is_max = g_str_equal (op, "max_pool2d");
  struct { Shape s; LtDType dt; const gint64 *k, *st, *p, *d; LtError code; } bad[] = {
    { SH (6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { SH (1, 2, 3, 6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { SH (2, 0, 6, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { SH (2, 3, 0, 6), F32, k2, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { SH (2, 3, 6, 6), I64, k2, NULL, NULL, NULL, LT_ERROR_DTYPE },
    { SH (2, 3, 6, 6), F32, k0, NULL, NULL, NULL, LT_ERROR_INVALID_ARGUMENT },
    { SH (2, 3, 6, 6), F32, k2, s0, NULL, NULL, LT_ERROR_INVALID_ARGUMENT },
    { SH (2, 3, 6, 6), F32, k2, NULL, pbig, NULL, LT_ERROR_INVALID_ARGUMENT },
    { SH (2, 3, 6, 6), F32, k2, NULL, pneg, NULL, LT_ERROR_INVALID_ARGUMENT },
    { SH (2, 3, 2, 2), F32, k3, NULL, NULL, NULL, LT_ERROR_SHAPE },
    { SH (2, 3, 6, 6), F32, k2, NULL, NULL, d0, LT_ERROR_INVALID_ARGUMENT },
    { SH (1, 2, 2), F32, k3, NULL, p1, d3, LT_ERROR_SHAPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (bad[i].s, bad[i].dt, LAY_CONTIG, DIST_UNIT);
      LtTensor *idx = NULL;
      LtTensor *y;

      if (!is_max && bad[i].d)
        {
          if (bad[i].code != LT_ERROR_SHAPE)
            continue;
          /* no dilation for average pooling: the same small image */
          y = lt_avg_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, FALSE, TRUE, 0, &error);
          g_assert_nonnull (y);
          g_object_unref (y);
          continue;
        }
      if (is_max)
        y = lt_max_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, bad[i].d, FALSE, &idx, &error);
      else
        y = lt_avg_pool2d (x.t, bad[i].k, bad[i].st, bad[i].p, FALSE, TRUE, 0, &error);
      pool_expect_error (op, y, error, bad[i].code);
      g_assert_null (idx);
    }
}

static void
max_pool2d_fw_errors (gconstpointer data)
{
  pool_fw_errors_for ("max_pool2d");
}

/* Defaults: NULL stride is the kernel size, NULL padding 0, NULL dilation
 * 1; @indices is optional; the node's name */
static void
max_pool2d_fw_defaults (gconstpointer data)
{
  const PoolCase c = { 2, 3, 7, 6, { 3, 2 }, { 3, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  Shape os = pool_shape_out (&c, pool_out (&c, 0, TRUE), pool_out (&c, 1, TRUE));
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (pool_in_shape (&c), LAY_CONTIG, DIST_UNIT);
  g_autofree double *xv = values_of (x);
  g_autofree double *ref = g_new0 (double, numel (os));
  g_autofree double *ridx = g_new0 (double, numel (os));
  g_autoptr(LtTensor) y = lt_max_pool2d (x, c.k, NULL, NULL, NULL, FALSE, NULL, &error);

  g_assert_no_error (error);
  ref_max_pool (&c, xv, ref, ridx);
  check (y, F64, os, ref);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   "MaxPool2DWithIndicesBackward0");
}

/* 2 x 2 windows, stride 2, on rows of 1 to 33 windows: the CPU backend's
 * row kernels take up to 16 windows a vector, the last ones masked; ties
 * (a grid of few values) and NaNs, float32 and float64, values and
 * indices, odd widths that leave a column out */
static void
max_pool2d_fw_widths (gconstpointer data)
{
  static const gint64 widths[] = { 2, 3, 10, 28, 30, 32, 33, 34, 66 };

  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const PoolCase c = { 2, 3, 5, widths[wi], { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 },
                             FALSE, TRUE, 0, TRUE };
        Shape is = pool_in_shape (&c);
        Shape os = pool_shape_out (&c, pool_out (&c, 0, TRUE), pool_out (&c, 1, TRUE));
        g_autoptr(GError) error = NULL;
        g_autofree double *v = g_new0 (double, numel (is));
        g_autofree double *ref = g_new0 (double, MAX (numel (os), 1));
        g_autofree double *ridx = g_new0 (double, MAX (numel (os), 1));
        g_auto(Arr) x = { NULL };
        g_autoptr(LtTensor) idx = NULL;
        g_autoptr(LtTensor) y = NULL;

        for (gint64 k = 0; k < numel (is); k++)
          v[k] = k % 23 == 7 ? NAN : draw (DIST_GRID, dt);
        x = arr_from (v, is, dt, LAY_CONTIG);
        y = max_pool_call (&c, x.t, &idx, &error);
        g_assert_no_error (error);
        ref_max_pool (&c, x.v, ref, ridx);
        check (y, dt, os, ref);
        check (idx, I64, os, ridx);
      }
}

static const Case max_pool2d_forward[] = {
  { "widths", max_pool2d_fw_widths },
  { "values", max_pool2d_fw_values },
  { "nan", max_pool2d_fw_nan },
  { "big", max_pool2d_fw_big },
  { "errors", max_pool2d_fw_errors },
  { "defaults", max_pool2d_fw_defaults },
  { NULL, NULL }
};

static LtTensor *
gc_max_pool (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = max_pool_call (data, in[0], NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
max_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    {
      g_autoptr(LtTensor) x = NULL;

      if (pool_cases[ci].N == 0)
        continue;
      /* distinct values: the maxima do not move under the finite differences */
      x = leaf_new (pool_in_shape (&pool_cases[ci]), ci % 2 ? LAY_T : LAY_CONTIG, DIST_UNIT);
      gradcheck (gc_max_pool, &pool_cases[ci], &x, 1);
    }
}

/* The gradient of y = max_pool2d (x) for an upstream gradient dy goes to
 * the first maximum of each window in row-major order, as PyTorch's index;
 * overlapping windows add up. */
static void
max_pool_grads_check (const PoolCase *c, LtDType dt, Lay lay, Dist dist)
{
  Shape os = pool_shape_out (c, pool_out (c, 0, TRUE), pool_out (c, 1, TRUE));
  g_autoptr(GError) error = NULL;
  g_auto(Arr) xa = arr_new (pool_in_shape (c), dt, LAY_CONTIG, dist);
  g_auto(Arr) dy = arr_new (os, dt, lay, DIST_UNIT);
  g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *ref = g_new0 (double, MAX (numel (os), 1));
  g_autofree double *ridx = g_new0 (double, MAX (numel (os), 1));
  g_autofree double *rdx = g_new0 (double, MAX (xa.n, 1));
  gint64 OHW = pool_out (c, 0, TRUE) * pool_out (c, 1, TRUE);

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = max_pool_call (c, x, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
  g_assert_no_error (error);
  ref_max_pool (c, xa.v, ref, ridx);
  for (gint64 k = 0; k < numel (os); k++)
    rdx[(k / OHW) * c->H * c->W + (gint64) ridx[k]] += dy.v[k];
  check (lt_tensor_get_grad (x), dt, xa.s, rdx);
}

static void
max_pool2d_bw_ties (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    max_pool_grads_check (&pool_cases[ci], F64, LAY_T, DIST_GRID);
}

static const Case max_pool2d_backward[] = {
  { "gradcheck", max_pool2d_bw_gradcheck },
  { "ties", max_pool2d_bw_ties },
  { NULL, NULL }
};

/* max_pool2d_grad: dy sent to the indices, every layout of dy */
static void
max_pool2d_grad_fw_values (gconstpointer data)
{
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (LtDType dt = F32; dt <= F64; dt++)
      for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
        max_pool_grads_check (&pool_cases[ci], dt, lays[li], li == 1 ? DIST_UNIT : DIST_GRID);
}

static void
max_pool2d_grad_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 }, FALSE, TRUE, 0, TRUE };
  const PoolCase c3 = { 16, 6, 29, 27, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, TRUE, 0, TRUE };

  max_pool_grads_check (&c, F32, LAY_CONTIG, DIST_GRID);
  max_pool_grads_check (&c3, F64, LAY_CONTIG, DIST_UNIT);
}

/* Indices changed behind the library's back: an error, not a write out of
 * the plane */
static void
max_pool2d_grad_fw_bad_index (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 }, k3[2] = { 3, 3 }, s1[2] = { 1, 1 };
  const gint64 *ks[] = { k, k3 };

  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = leaf_new (SH (1, 2, 4, 4), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = lt_max_pool2d (x, ks[i], i ? s1 : NULL, NULL, NULL, FALSE, &idx,
                                             &error);
      g_autoptr(LtTensor) total = NULL;

      g_assert_no_error (error);
      ((gint64 *) lt_tensor_get_data_ptr (idx))[1] = i ? -1 : 16;
      total = lt_tensor_sum (y, &error);
      g_assert_false (lt_tensor_backward (total, NULL, FALSE, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    }
}

/* the gradient on rows of 1 to 33 windows (see max_pool2d_fw_widths) */
static void
max_pool2d_grad_fw_widths (gconstpointer data)
{
  static const gint64 widths[] = { 2, 3, 10, 28, 30, 32, 33, 34, 66 };

  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const PoolCase c = { 2, 3, 5, widths[wi], { 2, 2 }, { 2, 2 }, { 0, 0 }, { 1, 1 },
                             FALSE, TRUE, 0, TRUE };

        max_pool_grads_check (&c, dt, LAY_CONTIG, DIST_GRID);
        max_pool_grads_check (&c, dt, LAY_T, DIST_UNIT);
      }
}

/* An index moved to the other window of its row (a valid place in the
 * plane, outside its own window), in each position of a 16-window row */
static void
max_pool2d_grad_fw_wrong_window (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 };

  for (gint64 q = 0; q < 16; q++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = leaf_new (SH (1, 1, 2, 32), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) idx = NULL;
      g_autoptr(LtTensor) y = lt_max_pool2d (x, k, NULL, NULL, NULL, FALSE, &idx, &error);
      g_autoptr(LtTensor) total = NULL;
      gint64 *ip = (gint64 *) lt_tensor_get_data_ptr (idx);

      g_assert_no_error (error);
      ip[q] = (ip[q] + 2) % 32;
      total = lt_tensor_sum (y, &error);
      g_assert_false (lt_tensor_backward (total, NULL, FALSE, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
    }
}

static const Case max_pool2d_grad_forward[] = {
  { "widths", max_pool2d_grad_fw_widths },
  { "wrong-window", max_pool2d_grad_fw_wrong_window },
  { "values", max_pool2d_grad_fw_values },
  { "big", max_pool2d_grad_fw_big },
  { "bad-index", max_pool2d_grad_fw_bad_index },
  { NULL, NULL }
};

static void
avg_pool2d_fw_values (gconstpointer data)
{
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_STEP };

  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint li = 0; li < G_N_ELEMENTS (lays); li++)
      for (LtDType dt = F32; dt <= F64; dt++)
        for (guint cip = 0; cip < 2; cip++)
          {
            PoolCase c = pool_cases[ci];
            Shape os;
            g_autoptr(GError) error = NULL;
            g_auto(Arr) x = arr_new (pool_in_shape (&c), dt, lays[li], DIST_UNIT);
            g_autofree double *ref = NULL;
            g_autoptr(LtTensor) y = NULL;

            c.count_include_pad = cip;
            os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
            ref = g_new0 (double, MAX (numel (os), 1));
            y = avg_pool_call (&c, x.t, &error);
            g_test_message ("case %u, layout %u, %s, %u", ci, li, lt_dtype_get_name (dt), cip);
            g_assert_no_error (error);
            ref_avg_pool (&c, x.v, ref, NULL, NULL);
            check (y, dt, os, ref);
          }
}

static void
avg_pool2d_fw_big (gconstpointer data)
{
  const PoolCase c = { 16, 6, 28, 28, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, TRUE, FALSE, 0, TRUE };
  Shape os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (pool_in_shape (&c), F32, LAY_CONTIG, DIST_UNIT);
  g_autofree double *ref = g_new0 (double, numel (os));
  g_autoptr(LtTensor) y = avg_pool_call (&c, x.t, &error);

  g_assert_no_error (error);
  ref_avg_pool (&c, x.v, ref, NULL, NULL);
  check (y, F32, os, ref);
}

static void
avg_pool2d_fw_errors (gconstpointer data)
{
  const gint64 k[2] = { 2, 2 };
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (1, 2, 4, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = NULL;

  pool_fw_errors_for ("avg_pool2d");
  /* divisor_override 0 means none; negative divisors are PyTorch's too */
  y = lt_avg_pool2d (x.t, k, NULL, NULL, FALSE, TRUE, 0, &error);
  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (y));
}

static const Case avg_pool2d_forward[] = {
  { "values", avg_pool2d_fw_values },
  { "big", avg_pool2d_fw_big },
  { "errors", avg_pool2d_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_avg_pool (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = avg_pool_call (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

static void
avg_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (guint cip = 0; cip < 2; cip++)
      {
        PoolCase c = pool_cases[ci];
        g_autoptr(LtTensor) x = NULL;

        if (c.N == 0)
          continue;
        c.count_include_pad = cip;
        x = leaf_new (pool_in_shape (&c), ci % 2 ? LAY_STEP : LAY_CONTIG, DIST_UNIT);
        gradcheck (gc_avg_pool, &c, &x, 1);
      }
}

static void
avg_pool2d_bw_node (gconstpointer data)
{
  const PoolCase *c = &pool_cases[3];
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (pool_in_shape (c), LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = avg_pool_call (c, x, &error);
  g_autoptr(LtTensor) x0 = leaf_new (pool_in_shape (&pool_cases[G_N_ELEMENTS (pool_cases) - 1]),
                                     LAY_CONTIG, DIST_UNIT);

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "AvgPool2DBackward0");
  g_assert_cmpint (x0->numel, ==, 0);
  backward_shapes (gc_avg_pool, &pool_cases[G_N_ELEMENTS (pool_cases) - 1], &x0, 1);
}

static const Case avg_pool2d_backward[] = {
  { "gradcheck", avg_pool2d_bw_gradcheck },
  { "node", avg_pool2d_bw_node },
  { NULL, NULL }
};

/* avg_pool2d_grad: the gradient spread over the windows */
static void
avg_pool2d_grad_fw_values (gconstpointer data)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (pool_cases); ci++)
    for (LtDType dt = F32; dt <= F64; dt++)
      for (guint cip = 0; cip < 2; cip++)
        {
          PoolCase c = pool_cases[ci];
          Shape os;
          g_autoptr(GError) error = NULL;
          g_auto(Arr) xa = arr_new (pool_in_shape (&c), dt, LAY_CONTIG, DIST_UNIT);
          g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
          g_autoptr(LtTensor) y = NULL;
          g_autofree double *rdx = g_new0 (double, MAX (xa.n, 1));

          c.count_include_pad = cip;
          os = pool_shape_out (&c, pool_out (&c, 0, FALSE), pool_out (&c, 1, FALSE));
          {
            g_auto(Arr) dy = arr_new (os, dt, cip ? LAY_T : LAY_CONTIG, DIST_UNIT);

            g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
            y = avg_pool_call (&c, x, &error);
            g_assert_no_error (error);
            g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
            g_assert_no_error (error);
            ref_avg_pool (&c, NULL, NULL, dy.v, rdx);
            check (lt_tensor_get_grad (x), dt, xa.s, rdx);
          }
        }
}

static const Case avg_pool2d_grad_forward[] = {
  { "values", avg_pool2d_grad_fw_values },
  { NULL, NULL }
};

/* adaptive_avg_pool2d: output sizes that divide the input and that do
 * not, larger than the input, 1, and 0 */
static const gint64 adaptive_sizes[][2] = {
  { 4, 3 }, { 3, 5 }, { 1, 1 }, { 7, 9 }, { 9, 2 }, { 2, 12 }, { 0, 3 },
};

static void
adaptive_avg_pool2d_fw_values (gconstpointer data)
{
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_PAD };
  const PoolCase base[] = {
    { 2, 3, 8, 6, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE },
    { 1, 2, 7, 9, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, FALSE },
    { 16, 6, 29, 29, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE },
  };

  for (guint bi = 0; bi < G_N_ELEMENTS (base); bi++)
    for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
      for (LtDType dt = F32; dt <= F64; dt++)
        {
          const PoolCase *c = &base[bi];
          const gint64 *osz = adaptive_sizes[si];
          Shape os = pool_shape_out (c, osz[0], osz[1]);
          g_autoptr(GError) error = NULL;
          g_auto(Arr) x = arr_new (pool_in_shape (c), dt, lays[si % 3], DIST_UNIT);
          g_autofree double *ref = g_new0 (double, MAX (numel (os), 1));
          g_autoptr(LtTensor) y = lt_adaptive_avg_pool2d (x.t, osz, &error);

          g_assert_no_error (error);
          ref_adaptive (c, osz[0], osz[1], x.v, ref, NULL, NULL);
          check (y, dt, os, ref);
        }
}

static void
adaptive_avg_pool2d_fw_errors (gconstpointer data)
{
  const gint64 ok[2] = { 2, 2 }, neg[2] = { 2, -1 };
  struct { Shape s; LtDType dt; const gint64 *o; LtError code; } bad[] = {
    { SH (6, 6), F32, ok, LT_ERROR_SHAPE },
    { SH (1, 2, 3, 6, 6), F32, ok, LT_ERROR_SHAPE },
    { SH (1, 2, 0, 6), F32, ok, LT_ERROR_SHAPE },
    { SH (1, 2, 6, 6), I32, ok, LT_ERROR_DTYPE },
    { SH (1, 2, 6, 6), F32, neg, LT_ERROR_INVALID_ARGUMENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(Arr) x = arr_new (bad[i].s, bad[i].dt, LAY_CONTIG, DIST_UNIT);
      LtTensor *y = lt_adaptive_avg_pool2d (x.t, bad[i].o, &error);

      pool_expect_error ("adaptive_avg_pool2d", y, error, bad[i].code);
    }
}

static const Case adaptive_avg_pool2d_forward[] = {
  { "values", adaptive_avg_pool2d_fw_values },
  { "errors", adaptive_avg_pool2d_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_adaptive (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_adaptive_avg_pool2d (in[0], data, &error);

  g_assert_no_error (error);
  return y;
}

static void
adaptive_avg_pool2d_bw_gradcheck (gconstpointer data)
{
  for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
    {
      g_autoptr(LtTensor) x = leaf_new (si % 2 ? SH (2, 2, 7, 6) : SH (3, 5, 8), LAY_T, DIST_UNIT);
      g_autoptr(LtTensor) y = gc_adaptive (&x, 1, (gpointer) adaptive_sizes[si]);

      g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                       "AdaptiveAvgPool2DBackward0");
      if (y->numel == 0)
        backward_shapes (gc_adaptive, adaptive_sizes[si], &x, 1);
      else
        gradcheck (gc_adaptive, adaptive_sizes[si], &x, 1);
    }
}

static const Case adaptive_avg_pool2d_backward[] = {
  { "gradcheck", adaptive_avg_pool2d_bw_gradcheck },
  { NULL, NULL }
};

static void
adaptive_avg_pool2d_grad_fw_values (gconstpointer data)
{
  const PoolCase c = { 2, 3, 9, 7, { 0 }, { 0 }, { 0 }, { 0 }, FALSE, FALSE, 0, TRUE };

  for (guint si = 0; si < G_N_ELEMENTS (adaptive_sizes); si++)
    for (LtDType dt = F32; dt <= F64; dt++)
      {
        const gint64 *osz = adaptive_sizes[si];
        Shape os = pool_shape_out (&c, osz[0], osz[1]);
        g_autoptr(GError) error = NULL;
        g_auto(Arr) xa = arr_new (pool_in_shape (&c), dt, LAY_CONTIG, DIST_UNIT);
        g_auto(Arr) dy = arr_new (os, dt, LAY_T, DIST_UNIT);
        g_autoptr(LtTensor) x = lt_tensor_detach (xa.t);
        g_autoptr(LtTensor) y = NULL;
        g_autofree double *rdx = g_new0 (double, xa.n);

        g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
        y = lt_adaptive_avg_pool2d (x, osz, &error);
        g_assert_no_error (error);
        g_assert_true (lt_tensor_backward (y, dy.t, FALSE, &error));
        g_assert_no_error (error);
        ref_adaptive (&c, osz[0], osz[1], NULL, NULL, dy.v, rdx);
        check (lt_tensor_get_grad (x), dt, xa.s, rdx);
      }
}

static const Case adaptive_avg_pool2d_grad_forward[] = {
  { "values", adaptive_avg_pool2d_grad_fw_values },
  { NULL, NULL }
};

/* leaky_relu, mse_loss, l1_loss, nll_loss, binary_cross_entropy_with_logits
 * (ops/lt-loss.c). The references are PyTorch's definitions written as
 * plain loops over doubles. */

static double
ref_reduce (const double *elem, gint64 n, LtReduction r, const double *weights)
{
  double s = 0, w = 0;

  for (gint64 k = 0; k < n; k++)
    {
      s += elem[k];
      w += weights ? weights[k] : 1;
    }
  if (r == LT_REDUCTION_SUM)
    return s;
  return s / w;         /* NaN for nothing to average, as torch */
}

/* Checks a loss against per-element references @elem (shape @s, the
 * result of LT_REDUCTION_NONE) reduced as @r; @weights divide the mean. */
static void
check_loss (LtTensor *y, LtDType dt, Shape s, const double *elem, LtReduction r,
            const double *weights)
{
  double rtol = dt == F32 ? 1e-5 : 1e-10, atol = dt == F32 ? 1e-5 : 1e-12;

  if (r == LT_REDUCTION_NONE)
    {
      check_tol (y, dt, s, elem, rtol, atol);
      return;
    }
  {
    double v = ref_reduce (elem, numel (s), r, weights);

    check_tol (y, dt, SH0, &v, rtol, atol);
  }
}

static const LtReduction all_reductions[] = {
  LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM
};

/* leaky_relu */

static void
leaky_run (Shape s, LtDType dt, Lay lay, double slope)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (s, dt, lay, DIST_GRID);
  g_autoptr(LtTensor) y = lt_leaky_relu (x.t, slope, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));

  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    ref[k] = x.v[k] > 0 ? x.v[k] : x.v[k] * slope;
  check (y, dt, s, ref);
}

static void
leaky_fw_values (gconstpointer d)
{
  leaky_run (SH (4, 5), F32, LAY_CONTIG, 0.01);
  leaky_run (SH (4, 5), F32, LAY_T, 0.2);
  leaky_run (SH (3, 7), F64, LAY_STEP, -0.5);
  leaky_run (SH (2, 3), F32, LAY_EXPAND, 1.5);
  leaky_run (SH0, F64, LAY_CONTIG, 0.1);
  leaky_run (SH (0, 4), F32, LAY_CONTIG, 0.1);
  leaky_run (SH (BIG), F32, LAY_CONTIG, 0.01);
}

static void
leaky_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3), I64, LAY_CONTIG, DIST_UNIT);
  LtTensor *y = lt_leaky_relu (x.t, 0.1, &error);

  check_error (y, error, LT_ERROR_DTYPE);
}

static const Case leaky_relu_forward[] = {
  { "values", leaky_fw_values },
  { "errors", leaky_fw_errors },
  { NULL, NULL }
};

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
      g_autoptr(LtTensor) x = leaf_new (SH (3, 4), i == 1 ? LAY_T : LAY_CONTIG, DIST_AWAY);
      g_autoptr(LtTensor) x0 = leaf_new (SH0, LAY_CONTIG, DIST_AWAY);

      gradcheck (gc_leaky, &slopes[i], &x, 1);
      gradcheck (gc_leaky, &slopes[i], &x0, 1);
    }
}

/* At 0 the gradient is the slope's, as PyTorch's (x > 0 ? g : g * slope) */
static void
leaky_bw_zero (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double v[] = { -1, 0, 2 };
  g_autoptr(LtTensor) x = leaf_from (v, SH (3));
  g_autoptr(LtTensor) y = lt_leaky_relu (x, 0.25, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "LeakyReluBackward0");
  backward_sum (y);
  g = grad_of (x);
  g_assert_cmpfloat (g[0], ==, 0.25);
  g_assert_cmpfloat (g[1], ==, 0.25);
  g_assert_cmpfloat (g[2], ==, 1);
}

static const Case leaky_relu_backward[] = {
  { "values", leaky_bw_values },
  { "zero", leaky_bw_zero },
  { NULL, NULL }
};

/* mse_loss and l1_loss; the spec's data is the op */

static LtTensor *
pointwise_loss_call (LtOp op, LtTensor *x, LtTensor *t, LtReduction r, GError **error)
{
  return op == LT_OP_MSE_LOSS ? lt_mse_loss (x, t, r, error) : lt_l1_loss (x, t, r, error);
}

static void
pointwise_loss_run (LtOp op, Shape sx, LtDType dx, Lay lx, Shape st, LtDType dtt, Lay lt_,
                    LtReduction r)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (sx, dx, lx, DIST_UNIT);
  g_auto(Arr) t = arr_new (st, dtt, lt_, DIST_UNIT);
  g_autoptr(LtTensor) y = pointwise_loss_call (op, x.t, t.t, r, &error);
  Shape so = broadcast (sx, st);
  gint64 n = numel (so), idx[LT_MAX_DIMS];
  g_autofree double *elem = g_new0 (double, MAX (n, 1));
  LtDType out = promote (dx, dtt);

  g_assert_no_error (error);
  if (!is_float (out))
    out = dx;
  for (gint64 k = 0; k < n; k++)
    {
      double dd;

      unravel (k, so, idx);
      dd = x.v[bindex (idx, so.n, sx)] - t.v[bindex (idx, so.n, st)];
      elem[k] = op == LT_OP_MSE_LOSS ? dd * dd : fabs (dd);
    }
  check_loss (y, out, so, elem, r, NULL);
}

static void
pointwise_loss_fw_values (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  for (guint i = 0; i < G_N_ELEMENTS (all_reductions); i++)
    {
      LtReduction r = all_reductions[i];

      pointwise_loss_run (op, SH (3, 4), F32, LAY_CONTIG, SH (3, 4), F32, LAY_T, r);
      pointwise_loss_run (op, SH (5, 2), F64, LAY_STEP, SH (5, 2), F64, LAY_PAD, r);
      /* the tutorial's case: a (1, 10) output against a (10) target */
      pointwise_loss_run (op, SH (1, 10), F32, LAY_CONTIG, SH (10), F32, LAY_CONTIG, r);
      /* an int64 target, as torch.arange(1, 11), promotes */
      pointwise_loss_run (op, SH (1, 10), F32, LAY_CONTIG, SH (10), I64, LAY_CONTIG, r);
      pointwise_loss_run (op, SH0, F32, LAY_CONTIG, SH0, F32, LAY_CONTIG, r);
      pointwise_loss_run (op, SH (0, 3), F32, LAY_CONTIG, SH (3), F32, LAY_CONTIG, r);
      pointwise_loss_run (op, SH (BIG), F32, LAY_CONTIG, SH (BIG), F32, LAY_CONTIG, r);
    }
}

static void
pointwise_loss_fw_errors (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_new (SH (5), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) i = arr_new (SH (3, 4), I64, LAY_CONTIG, DIST_UNIT);
  LtTensor *y = pointwise_loss_call (op, x.t, t.t, LT_REDUCTION_MEAN, &error);

  check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5]"));
  g_clear_error (&error);
  y = pointwise_loss_call (op, i.t, i.t, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = pointwise_loss_call (op, x.t, x.t, (LtReduction) 7, &error);
  check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const Case pointwise_loss_forward[] = {
  { "values", pointwise_loss_fw_values },
  { "errors", pointwise_loss_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  LtOp op;
  LtReduction r;
} PointwiseLossCall;

static LtTensor *
gc_pointwise_loss (LtTensor **in, gsize n, gpointer data)
{
  const PointwiseLossCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = pointwise_loss_call (c->op, in[0], in[1], c->r, &error);

  g_assert_no_error (error);
  return y;
}

static void
pointwise_loss_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_reductions); i++)
    {
      PointwiseLossCall c = { GPOINTER_TO_INT (d), all_reductions[i] };
      LtTensor *in[2];
      g_autoptr(LtTensor) x = leaf_new (SH (3, 4), LAY_T, DIST_UNIT);
      g_autoptr(LtTensor) t = leaf_new (SH (3, 4), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) x1 = leaf_new (SH (1, 10), LAY_CONTIG, DIST_UNIT);
      g_autoptr(LtTensor) t1 = leaf_new (SH (10), LAY_STEP, DIST_UNIT);

      in[0] = x, in[1] = t;
      gradcheck (gc_pointwise_loss, &c, in, 2);
      /* broadcast target: its gradient is summed back to (10) */
      in[0] = x1, in[1] = t1;
      gradcheck (gc_pointwise_loss, &c, in, 2);
    }
}

static void
pointwise_loss_bw_node (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (1, 10), LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_new (SH (10), I64, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) y = pointwise_loss_call (op, x, t.t, LT_REDUCTION_MEAN, &error);
  g_autofree double *xv = values_of (x);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   _lt_op_table[op].node_name);
  /* an integer target needs no gradient: backward works (PyTorch 1.13 fails) */
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  g = grad_of (x);
  for (guint k = 0; k < 10; k++)
    {
      double dd = xv[k] - t.v[k];
      double ref = op == LT_OP_MSE_LOSS ? 2 * dd / 10 : (dd > 0) - (dd < 0);

      if (op == LT_OP_L1_LOSS)
        ref /= 10;
      g_assert_cmpfloat (fabs (g[k] - ref), <, 1e-12);
    }
}

static const Case pointwise_loss_backward[] = {
  { "values", pointwise_loss_bw_values },
  { "node", pointwise_loss_bw_node },
  { NULL, NULL }
};

/* nll_loss */

/* Per-target losses of nll_loss for x (N, C, R...) flattened to (N, C, R)
 * and t (N, R); @wt receives each target's weight (0 when ignored). */
static double *
ref_nll (const double *x, const double *t, const double *w, gint64 N, gint64 C, gint64 R,
         gint64 ignore, double *wt)
{
  double *out = g_new0 (double, MAX (N * R, 1));

  for (gint64 i = 0; i < N; i++)
    for (gint64 r = 0; r < R; r++)
      {
        gint64 c = (gint64) t[i * R + r];
        double wc;

        if (c == ignore)
          {
            wt[i * R + r] = 0;
            continue;
          }
        wc = w ? w[c] : 1;
        wt[i * R + r] = wc;
        out[i * R + r] = -wc * x[(i * C + c) * R + r];
      }
  return out;
}

typedef struct
{
  Shape sx;          /* (N, C, d...) or (C) */
  gboolean weighted;
  gint64 ignore;     /* targets equal to it are drawn at some positions */
} NllCase;

/* Random class targets for @c (some ignored) and an optional weight */
static void
nll_inputs (const NllCase *c, Arr *t, Arr *w, gint64 *N, gint64 *C, gint64 *R, Shape *st)
{
  gint64 n;
  g_autofree double *tv = NULL;
  double wv[64];

  *st = SH0;
  if (c->sx.n == 1)
    *N = 1, *C = c->sx.d[0], *R = 1;
  else
    {
      *N = c->sx.d[0], *C = c->sx.d[1], *R = 1;
      st->d[st->n++] = c->sx.d[0];
      for (guint k = 2; k < c->sx.n; k++)
        {
          *R *= c->sx.d[k];
          st->d[st->n++] = c->sx.d[k];
        }
    }
  n = numel (*st);
  tv = g_new0 (double, MAX (n, 1));
  for (gint64 k = 0; k < n; k++)
    tv[k] = k % 3 == 1 && c->ignore != G_MININT64 ? (double) c->ignore
                                                   : g_rand_int_range (rng, 0, (gint32) *C);
  *t = arr_from (tv, *st, I64, LAY_CONTIG);
  g_assert_cmpint (*C, <=, 64);
  for (gint64 k = 0; k < *C; k++)
    wv[k] = g_rand_double_range (rng, 0.2, 2);
  if (c->weighted)
    *w = arr_from (wv, SH (*C), F64, LAY_CONTIG);
}

static void
nll_run (const NllCase *c, LtDType dt, Lay lay, LtReduction r)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (c->sx, dt, lay, DIST_WIDE);
  g_auto(Arr) t = { NULL };
  g_auto(Arr) w = { NULL };
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *elem = NULL;
  g_autofree double *wt = NULL;
  gint64 N, C, R;
  Shape st;

  nll_inputs (c, &t, &w, &N, &C, &R, &st);
  y = lt_nll_loss (x.t, t.t, w.t, c->ignore == G_MININT64 ? -100 : c->ignore, r, &error);
  g_assert_no_error (error);
  wt = g_new0 (double, MAX (N * R, 1));
  elem = ref_nll (x.v, t.v, w.v, N, C, R, c->ignore, wt);
  check_loss (y, dt, st, elem, r, wt);
}

static const NllCase nll_cases[] = {
  { SH (5, 4), FALSE, G_MININT64 },
  { SH (5, 4), TRUE, -100 },
  { SH (6, 3), TRUE, 2 },             /* a valid class as ignore_index */
  { SH (3, 4, 2, 3), TRUE, -1 },      /* (N, C, d1, d2) */
  { SH (2, 3, 5), FALSE, -100 },      /* (N, C, d) */
  { SH (7), TRUE, G_MININT64 },       /* (C) with a 0-dim target */
};

static void
nll_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        nll_run (&nll_cases[i], F32, LAY_CONTIG, all_reductions[k]);
        nll_run (&nll_cases[i], F64, LAY_T, all_reductions[k]);
      }
}

/* Every target ignored: the mean is 0/0 = NaN, the sum 0; an empty batch
 * likewise, as torch */
static void
nll_fw_ignored (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { -100, -100 };
  g_auto(Arr) x = arr_new (SH (2, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_from (tv, SH (2), I64, LAY_CONTIG);
  g_auto(Arr) x0 = arr_new (SH (0, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t0 = arr_new (SH (0), I64, LAY_CONTIG, DIST_UNIT);
  g_autoptr(LtTensor) m = lt_nll_loss (x.t, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autoptr(LtTensor) s = lt_nll_loss (x.t, t.t, NULL, -100, LT_REDUCTION_SUM, &error);
  g_autoptr(LtTensor) m0 = lt_nll_loss (x0.t, t0.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autoptr(LtTensor) n0 = lt_nll_loss (x0.t, t0.t, NULL, -100, LT_REDUCTION_NONE, &error);
  const double nan = NAN, zero = 0;

  g_assert_no_error (error);
  check (m, F32, SH0, &nan);
  check (s, F32, SH0, &zero);
  check (m0, F32, SH0, &nan);
  assert_shape (n0, SH (0));
}

static void
nll_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double good[] = { 0, 2, 1 }, high[] = { 0, 3, 1 }, low[] = { 0, -2, 1 };
  g_auto(Arr) x = arr_new (SH (3, 3), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) tf = arr_from (good, SH (3), F32, LAY_CONTIG);
  g_auto(Arr) t2 = arr_from (good, SH (1, 3), I64, LAY_CONTIG);
  g_auto(Arr) th = arr_from (high, SH (3), I64, LAY_CONTIG);
  g_auto(Arr) tl = arr_from (low, SH (3), I64, LAY_CONTIG);
  g_auto(Arr) tg = arr_from (good, SH (3), I64, LAY_CONTIG);
  g_auto(Arr) w = arr_new (SH (4), F32, LAY_CONTIG, DIST_POS);
  g_auto(Arr) xi = arr_new (SH (3, 3), I64, LAY_CONTIG, DIST_UNIT);
  LtTensor *y;

  y = lt_nll_loss (x.t, tf.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, "int64"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, t2.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[3]"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, th.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "3"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, tl.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "-2"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, tg.t, w.t, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_nll_loss (xi.t, tg.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_DTYPE);
}

static const Case nll_loss_forward[] = {
  { "values", nll_fw_values },
  { "ignored", nll_fw_ignored },
  { "errors", nll_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  LtTensor *t;
  LtTensor *w;
  gint64 ignore;
  LtReduction r;
} NllCall;

static LtTensor *
gc_nll (LtTensor **in, gsize n, gpointer data)
{
  const NllCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_nll_loss (in[0], c->t, c->w, c->ignore, c->r, &error);

  g_assert_no_error (error);
  return y;
}

static void
nll_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        const NllCase *nc = &nll_cases[i];
        g_auto(Arr) t = { NULL };
        g_auto(Arr) w = { NULL };
        g_autoptr(LtTensor) x = leaf_new (nc->sx, k == 1 ? LAY_T : LAY_CONTIG, DIST_UNIT);
        gint64 N, C, R;
        Shape st;
        NllCall c;

        nll_inputs (nc, &t, &w, &N, &C, &R, &st);
        c = (NllCall) { t.t, w.t, nc->ignore == G_MININT64 ? -100 : nc->ignore,
                        all_reductions[k] };
        gradcheck (gc_nll, &c, &x, 1);
      }
}

static void
nll_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { 1, 0 };
  g_autoptr(LtTensor) x = leaf_new (SH (2, 3), LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_from (tv, SH (2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_nll_loss (x, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autofree double *g = NULL;
  const double ref[] = { 0, -0.5, 0, -0.5, 0, 0 };

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "NllLossBackward0");
  backward_sum (y);
  g = grad_of (x);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (g[k], ==, ref[k]);
}

/* Every target ignored: the mean is NaN, but the gradient is 0, as torch's
 * (ignored targets get nothing even when the total weight is 0) */
static void
nll_bw_ignored (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { -100, -100 };
  g_autoptr(LtTensor) x = leaf_new (SH (2, 3), LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_from (tv, SH (2), I64, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_nll_loss (x, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_true (isnan (value_at (y, 0)));
  backward_sum (y);
  g = grad_of (x);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (g[k], ==, 0);
}

static const Case nll_loss_backward[] = {
  { "values", nll_bw_values },
  { "node", nll_bw_node },
  { "ignored", nll_bw_ignored },
  { NULL, NULL }
};

/* nll_loss_grad: the kernel of nll_loss's backward rule, reached through
 * lt_tensor_backward(); the reference is d loss / d input written out:
 * -w[t] g at the target class (g / total weight for mean), 0 elsewhere */
static void
nll_grad_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      for (guint dt = 0; dt < 2; dt++)
        {
          const NllCase *nc = &nll_cases[i];
          LtReduction r = all_reductions[k];
          g_autoptr(GError) error = NULL;
          g_auto(Arr) t = { NULL };
          g_auto(Arr) w = { NULL };
          g_auto(Arr) x = arr_new (nc->sx, dt ? F64 : F32, LAY_CONTIG, DIST_UNIT);
          g_autoptr(LtTensor) xl = lt_tensor_detach (x.t);
          g_autoptr(LtTensor) y = NULL;
          g_autoptr(LtTensor) gy = NULL;
          g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
          g_autofree double *gv = NULL;
          double total = 0;
          gint64 N, C, R, ignore = nc->ignore == G_MININT64 ? -100 : nc->ignore;
          Shape st;

          nll_inputs (nc, &t, &w, &N, &C, &R, &st);
          g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
          y = lt_nll_loss (xl, t.t, w.t, ignore, r, &error);
          g_assert_no_error (error);
          gy = lt_tensor_detach (y);
          {
            g_auto(Arr) g = arr_new (shape_of (y), dt ? F64 : F32, LAY_CONTIG, DIST_UNIT);

            gv = g_memdup2 (g.v, MAX (g.n, 1) * sizeof (double));
            g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
            g_assert_no_error (error);
          }
          for (gint64 q = 0; q < N * R; q++)
            if ((gint64) t.v[q] != ignore)
              total += w.t ? w.v[(gint64) t.v[q]] : 1;
          for (gint64 n = 0; n < N; n++)
            for (gint64 rr = 0; rr < R; rr++)
              {
                gint64 c = (gint64) t.v[n * R + rr];
                double gg = r == LT_REDUCTION_NONE ? gv[n * R + rr] : gv[0];

                if (c == ignore)
                  continue;
                if (r == LT_REDUCTION_MEAN)
                  gg /= total;
                ref[(n * C + c) * R + rr] = -(w.t ? w.v[c] : 1) * gg;
              }
          check (lt_tensor_get_grad (xl), dt ? F64 : F32, nc->sx, ref);
        }
}

static const Case nll_loss_grad_forward[] = {
  { "values", nll_grad_fw_values },
  { NULL, NULL }
};

/* binary_cross_entropy_with_logits */

/* (1 - t) x + lw (log1p(exp(-|x|)) + max(-x, 0)), lw = 1 + (pw - 1) t, times w */
static double
ref_bce (double x, double t, double w, double pw)
{
  double lw = 1 + (pw - 1) * t;

  return w * ((1 - t) * x + lw * (log1p (exp (-fabs (x))) + MAX (-x, 0)));
}

typedef struct
{
  Shape s;
  Shape sw;          /* weight shape; n == 0 and d[0] == 0: none */
  Shape spw;         /* pos_weight shape, likewise */
} BceCase;

static gboolean
shape_given (Shape s)
{
  return s.n > 0;
}

static const BceCase bce_cases[] = {
  { SH (4, 3), SH0, SH0 },
  { SH (4, 3), SH (4, 3), SH0 },
  { SH (4, 3), SH0, SH (3) },
  { SH (2, 3, 5), SH (3, 1), SH (5) },
  { SH (6), SH (1), SH (6) },
};

static void
bce_run (const BceCase *c, LtDType dt, Lay lay, LtReduction r, Dist dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (c->s, dt, lay, dist);
  g_auto(Arr) t = { NULL };
  g_auto(Arr) w = { NULL };
  g_auto(Arr) pw = { NULL };
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *tv = g_new0 (double, MAX (x.n, 1));
  g_autofree double *elem = g_new0 (double, MAX (x.n, 1));
  gint64 idx[LT_MAX_DIMS];

  for (gint64 k = 0; k < x.n; k++)
    tv[k] = g_rand_double (rng);
  t = arr_from (tv, c->s, dt, LAY_CONTIG);
  if (shape_given (c->sw))
    w = arr_new (c->sw, dt, LAY_CONTIG, DIST_POS);
  if (shape_given (c->spw))
    pw = arr_new (c->spw, dt, LAY_CONTIG, DIST_POS);
  y = lt_binary_cross_entropy_with_logits (x.t, t.t, w.t, pw.t, r, &error);
  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      unravel (k, c->s, idx);
      elem[k] = ref_bce (x.v[k], t.v[k], w.t ? w.v[bindex (idx, c->s.n, c->sw)] : 1,
                         pw.t ? pw.v[bindex (idx, c->s.n, c->spw)] : 1);
    }
  check_loss (y, dt, c->s, elem, r, NULL);
}

static void
bce_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (bce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        bce_run (&bce_cases[i], F32, LAY_CONTIG, all_reductions[k], DIST_UNIT);
        bce_run (&bce_cases[i], F64, bce_cases[i].s.n > 1 ? LAY_T : LAY_STEP,
                 all_reductions[k], DIST_WIDE);
      }
}

/* Logits of +-1000 give finite losses |x| (1 - t) or |x| t */
static void
bce_fw_large (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1000, -1000, 1000, -1000, 88, -104 }, tv[] = { 0, 1, 1, 0, 0, 1 };
  g_auto(Arr) x = arr_from (xv, SH (6), F32, LAY_CONTIG);
  g_auto(Arr) t = arr_from (tv, SH (6), F32, LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_binary_cross_entropy_with_logits (x.t, t.t, NULL, NULL,
                                                               LT_REDUCTION_NONE, &error);
  double ref[6];

  g_assert_no_error (error);
  for (guint k = 0; k < 6; k++)
    ref[k] = ref_bce (xv[k], tv[k], 1, 1);
  g_assert_cmpfloat (ref[0], ==, 1000);
  check (y, F32, SH (6), ref);
}

static void
bce_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) x = arr_new (SH (3, 4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_new (SH (4), F32, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) ti = arr_new (SH (3, 4), I64, LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) w = arr_new (SH (2, 4), F32, LAY_CONTIG, DIST_POS);
  LtTensor *y;

  y = lt_binary_cross_entropy_with_logits (x.t, t.t, NULL, NULL, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, ti.t, NULL, NULL, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, x.t, w.t, NULL, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, x.t, NULL, w.t, LT_REDUCTION_MEAN, &error);
  check_error (y, error, LT_ERROR_SHAPE);
}

static const Case bce_forward[] = {
  { "values", bce_fw_values },
  { "large", bce_fw_large },
  { "errors", bce_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_bce (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_binary_cross_entropy_with_logits (in[0], in[1], n > 2 ? in[2] : NULL,
                                                     n > 3 ? in[3] : NULL,
                                                     *(const LtReduction *) data, &error);

  g_assert_no_error (error);
  return y;
}

/* Every input differentiated: logits, targets, weight and pos_weight */
static void
bce_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (bce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        const BceCase *c = &bce_cases[i];
        Shape sw = shape_given (c->sw) ? c->sw : SH (1);
        Shape spw = shape_given (c->spw) ? c->spw : SH (1);
        g_autoptr(LtTensor) x = leaf_new (c->s, c->s.n > 1 ? LAY_T : LAY_CONTIG, DIST_WIDE);
        g_autoptr(LtTensor) t = leaf_new (c->s, LAY_CONTIG, DIST_POS);
        g_autoptr(LtTensor) w = leaf_new (sw, LAY_CONTIG, DIST_POS);
        g_autoptr(LtTensor) pw = leaf_new (spw, LAY_CONTIG, DIST_POS);
        LtTensor *in[4] = { x, t, w, pw };
        guint n = shape_given (c->spw) ? 4 : shape_given (c->sw) ? 3 : 2;

        gradcheck (gc_bce, &all_reductions[k], in, n);
      }
}

static void
bce_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_new (SH (3), LAY_CONTIG, DIST_UNIT);
  g_auto(Arr) t = arr_new (SH (3), F64, LAY_CONTIG, DIST_POS);
  g_autoptr(LtTensor) y = lt_binary_cross_entropy_with_logits (x, t.t, NULL, NULL,
                                                               LT_REDUCTION_SUM, &error);
  g_autofree double *xv = values_of (x);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   "BinaryCrossEntropyWithLogitsBackward0");
  backward_sum (y);
  g = grad_of (x);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (fabs (g[k] - (1 / (1 + exp (-xv[k])) - t.v[k])), <, 1e-12);
}

static const Case bce_backward[] = {
  { "values", bce_bw_values },
  { "node", bce_bw_node },
  { NULL, NULL }
};

/* sgd_update: the fused kernel of LtSGD's step, reached through
 * lt_optimizer_step(); the reference is PyTorch's _single_tensor_sgd in
 * doubles */

typedef struct
{
  double lr, momentum, dampening, weight_decay;
  gboolean nesterov, maximize;
} SgdConf;

static void
sgd_update_run (const SgdConf *c, LtDType dt, Shape s, Lay lp, Lay lg)
{
  g_autoptr(GError) error = NULL;
  g_auto(Arr) p0 = arr_new (s, dt, lp, DIST_UNIT);
  g_autoptr(LtTensor) param = lt_tensor_detach (p0.t);
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(LtSGD) opt = NULL;
  g_autofree double *p = g_memdup2 (p0.v, MAX (p0.n, 1) * sizeof (double));
  g_autofree double *buf = g_new0 (double, MAX (p0.n, 1));
  guint version;

  g_ptr_array_add (params, param);
  g_assert_true (lt_tensor_set_requires_grad (param, TRUE, &error));
  opt = lt_sgd_new (params, c->lr, c->momentum, c->dampening, c->weight_decay, c->nesterov,
                    &error);
  g_assert_no_error (error);
  g_assert_true (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "maximize", c->maximize,
                                          &error));
  for (guint step = 0; step < 3; step++)
    {
      g_auto(Arr) g = arr_new (s, dt, lg, DIST_UNIT);
      g_autoptr(LtTensor) gc = lt_tensor_detach (g.t);

      g_assert_true (lt_tensor_set_grad (param, gc, &error));
      version = lt_tensor_get_version (param);
      g_assert_true (lt_optimizer_step (LT_OPTIMIZER (opt), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (lt_tensor_get_version (param), >, version);
      for (gint64 k = 0; k < p0.n; k++)
        {
          double d = c->maximize ? -g.v[k] : g.v[k];

          if (c->weight_decay != 0)
            d += c->weight_decay * p[k];
          if (c->momentum != 0)
            {
              buf[k] = step == 0 ? d : c->momentum * buf[k] + (1 - c->dampening) * d;
              d = c->nesterov ? d + c->momentum * buf[k] : buf[k];
            }
          p[k] -= c->lr * d;
        }
      check_tol (param, dt, s, p, dt == F32 ? 1e-5 : 1e-12, dt == F32 ? 1e-6 : 1e-14);
    }
}

static const SgdConf sgd_confs[] = {
  { 0.1, 0, 0, 0, FALSE, FALSE },
  { 0.1, 0.9, 0, 0, FALSE, FALSE },
  { 0.05, 0.8, 0.3, 0, FALSE, FALSE },
  { 0.1, 0.9, 0, 0, TRUE, FALSE },
  { 0.1, 0.9, 0, 0.01, FALSE, FALSE },
  { 0.1, 0, 0, 0.1, FALSE, TRUE },
  { 0.01, 0.5, 0, 0.2, TRUE, TRUE },
};

static void
sgd_update_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (sgd_confs); i++)
    {
      sgd_update_run (&sgd_confs[i], F32, SH (6, 5), LAY_CONTIG, LAY_CONTIG);
      sgd_update_run (&sgd_confs[i], F64, SH (4, 7), LAY_T, LAY_STEP);
      sgd_update_run (&sgd_confs[i], F32, SH0, LAY_CONTIG, LAY_CONTIG);
      sgd_update_run (&sgd_confs[i], F32, SH (0, 3), LAY_CONTIG, LAY_CONTIG);
    }
}

static void
sgd_update_fw_parallel (gconstpointer d)
{
  sgd_update_run (&sgd_confs[1], F32, SH (BIG), LAY_CONTIG, LAY_CONTIG);
  sgd_update_run (&sgd_confs[6], F32, SH (300, 251), LAY_T, LAY_CONTIG);
}

static const Case sgd_update_forward[] = {
  { "values", sgd_update_fw_values },
  { "parallel", sgd_update_fw_parallel },
  { NULL, NULL }
};

/* relu_grad: the kernel of relu's backward rule, reached through
 * relu (x).backward (g): x.grad must be g where relu (x) is not <= 0 (x > 0
 * or NaN) and 0 elsewhere, zeros and negative zeros included; the layouts of
 * x (relu's output follows its memory order) and of g are the kernel's
 * operands' */

static void
relu_grad_run (Shape s, LtDType dt, Lay xlay, Lay glay)
{
  g_autoptr(GError) error = NULL;
  gint64 n = numel (s);
  g_autofree double *xv = g_new0 (double, MAX (n, 1));
  g_autofree double *ref = g_new0 (double, MAX (n, 1));
  g_auto(Arr) x = { NULL };
  g_auto(Arr) g = arr_new (s, dt, glay, DIST_UNIT);
  g_autoptr(LtTensor) xl = NULL;
  g_autoptr(LtTensor) y = NULL;
  gint64 passed = 0;

  /* multiples of 0.5 from -3 to 3 (zeros among them), -0.0 and NaN */
  for (gint64 k = 0; k < n; k++)
    xv[k] = k % 13 == 5 ? NAN : k % 17 == 3 ? -0.0 : draw (DIST_GRID, dt);
  x = arr_from (xv, s, dt, xlay);
  xl = lt_tensor_detach (x.t);
  g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
  y = lt_tensor_relu (xl, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      gboolean pass = x.v[k] > 0 || isnan (x.v[k]);

      ref[k] = pass ? g.v[k] : 0;
      passed += pass;
    }
  /* both kinds of element occur */
  if (n > 20)
    g_assert_true (passed > 0 && passed < n);
  check (lt_tensor_get_grad (xl), dt, s, ref);
}

static void
relu_grad_fw_values (gconstpointer d)
{
  relu_grad_run (SH (5, 7), F32, LAY_CONTIG, LAY_CONTIG);
  relu_grad_run (SH (2, 3, 9), F64, LAY_CONTIG, LAY_CONTIG);
  relu_grad_run (SH (37), F32, LAY_CONTIG, LAY_CONTIG);
  relu_grad_run (SH0, F32, LAY_CONTIG, LAY_CONTIG);
  relu_grad_run (SH (0, 3), F32, LAY_CONTIG, LAY_CONTIG);
}

static void
relu_grad_fw_layouts (gconstpointer d)
{
  static const Lay lays[] = { LAY_CONTIG, LAY_T, LAY_STEP, LAY_TPAD };

  for (guint i = 0; i < G_N_ELEMENTS (lays); i++)
    for (guint j = 0; j < G_N_ELEMENTS (lays); j++)
      {
        relu_grad_run (SH (6, 11), F32, lays[i], lays[j]);
        relu_grad_run (SH (3, 5, 4), F64, lays[i], lays[j]);
      }
  /* an expanded gradient: one row broadcast over dim 0 */
  relu_grad_run (SH (7, 9), F32, LAY_CONTIG, LAY_EXPAND);
  relu_grad_run (SH (7, 9), F64, LAY_T, LAY_EXPAND);
}

static void
relu_grad_fw_parallel (gconstpointer d)
{
  relu_grad_run (SH (BIG), F32, LAY_CONTIG, LAY_CONTIG);
  relu_grad_run (SH (300, 251), F32, LAY_T, LAY_CONTIG);
  relu_grad_run (SH (300, 251), F64, LAY_CONTIG, LAY_T);
}

static const Case relu_grad_forward[] = {
  { "values", relu_grad_fw_values },
  { "layouts", relu_grad_fw_layouts },
  { "parallel", relu_grad_fw_parallel },
  { NULL, NULL }
};

/* The specs, one per op of the table */

#define SPEC(op, path, data, fw, fwx, bw, bwx) { op, path, data, fw, fwx, bw, bwx }
#define UNARY(op, path, def) \
  SPEC (op, path, &def, unary_forward, unary_forward_inplace, unary_backward, NULL)
#define BINARY(op, path, def, fwx, bwx) \
  SPEC (op, path, &def, binary_forward, fwx, binary_backward, bwx)
#define COMPARE(op, path, def) \
  SPEC (op, path, &def, binary_forward, binary_forward_scalar, NULL, NULL)
#define REDUCE(op, path, def, fwx, bw, bwx) SPEC (op, path, &def, reduce_forward, fwx, bw, bwx)

static const OpSpec specs[] = {
  SPEC (LT_OP_FILL, "fill", NULL, fill_forward, NULL, NULL, NULL),
  SPEC (LT_OP_COPY, "copy", NULL, copy_forward, NULL, NULL, NULL),
  SPEC (LT_OP_UNIFORM, "uniform", NULL, uniform_forward, NULL, NULL, NULL),
  SPEC (LT_OP_NORMAL, "normal", NULL, normal_forward, NULL, NULL, NULL),
  SPEC (LT_OP_RANDINT, "randint", NULL, randint_forward, NULL, NULL, NULL),
  SPEC (LT_OP_ARANGE, "arange", NULL, arange_forward, NULL, NULL, NULL),
  SPEC (LT_OP_LINSPACE, "linspace", NULL, linspace_forward, NULL, NULL, NULL),
  SPEC (LT_OP_RANDPERM, "randperm", NULL, randperm_forward, NULL, NULL, NULL),

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
  SPEC (LT_OP_CLAMP, "clamp", &un_clamp, unary_forward, clamp_forward_extra, unary_backward, NULL),
  SPEC (LT_OP_LOGICAL_NOT, "logical_not", &un_not, unary_forward, NULL, NULL, NULL),

  BINARY (LT_OP_ADD, "add", bin_add, add_forward_extra, binary_backward_inplace),
  BINARY (LT_OP_SUB, "sub", bin_sub, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_MUL, "mul", bin_mul, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_DIV, "div", bin_div, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_POW, "pow", bin_pow, binary_forward_scalar_inplace, binary_backward_inplace),
  BINARY (LT_OP_MAXIMUM, "maximum", bin_maximum, binary_forward_scalar, extremum_backward_extra),
  BINARY (LT_OP_MINIMUM, "minimum", bin_minimum, binary_forward_scalar, extremum_backward_extra),
  SPEC (LT_OP_FLOOR_DIVIDE, "floor_divide", &bin_floordiv, binary_forward,
        binary_forward_scalar_inplace, NULL, NULL),
  BINARY (LT_OP_REMAINDER, "remainder", bin_remainder, binary_forward_scalar_inplace,
          binary_backward_inplace),
  COMPARE (LT_OP_EQ, "eq", bin_eq),
  COMPARE (LT_OP_NE, "ne", bin_ne),
  COMPARE (LT_OP_LT, "lt", bin_lt),
  COMPARE (LT_OP_LE, "le", bin_le),
  COMPARE (LT_OP_GT, "gt", bin_gt),
  COMPARE (LT_OP_GE, "ge", bin_ge),
  SPEC (LT_OP_LOGICAL_AND, "logical_and", &bin_and, binary_forward, NULL, NULL, NULL),
  SPEC (LT_OP_LOGICAL_OR, "logical_or", &bin_or, binary_forward, NULL, NULL, NULL),

  SPEC (LT_OP_WHERE, "where", NULL, where_forward, NULL, where_backward, NULL),

  REDUCE (LT_OP_SUM, "sum", red_sum, sum_forward_extra, reduce_backward, NULL),
  SPEC (LT_OP_MEAN, "mean", &red_mean, reduce_forward, NULL, reduce_backward, NULL),
  REDUCE (LT_OP_MAX, "max", red_max, reduce_forward_nan, reduce_backward, extreme_backward_extra),
  REDUCE (LT_OP_MIN, "min", red_min, reduce_forward_nan, reduce_backward, extreme_backward_extra),
  REDUCE (LT_OP_MAX_DIM, "max_dim", red_max_dim, reduce_forward_nan, reduce_backward,
          extreme_dim_backward_extra),
  REDUCE (LT_OP_MIN_DIM, "min_dim", red_min_dim, reduce_forward_nan, reduce_backward,
          extreme_dim_backward_extra),
  REDUCE (LT_OP_ARGMAX, "argmax", red_argmax, reduce_forward_nan, NULL, NULL),
  REDUCE (LT_OP_ARGMIN, "argmin", red_argmin, reduce_forward_nan, NULL, NULL),
  REDUCE (LT_OP_VAR, "var", red_var, var_forward_extra, reduce_backward, var_backward_extra),
  REDUCE (LT_OP_STD, "std", red_std, var_forward_extra, reduce_backward, var_backward_extra),
  REDUCE (LT_OP_NORM, "norm", red_norm, norm_forward_extra, reduce_backward, norm_backward_extra),
  REDUCE (LT_OP_ANY, "any", red_any, NULL, NULL, NULL),
  REDUCE (LT_OP_ALL, "all", red_all, NULL, NULL, NULL),

  SPEC (LT_OP_SOFTMAX, "softmax", GINT_TO_POINTER (LT_OP_SOFTMAX), softmax_forward, NULL,
        softmax_backward, NULL),
  SPEC (LT_OP_LOG_SOFTMAX, "log_softmax", GINT_TO_POINTER (LT_OP_LOG_SOFTMAX), softmax_forward,
        NULL, softmax_backward, NULL),

  SPEC (LT_OP_MM, "mm", NULL, mm_forward, NULL, mm_backward, NULL),
  SPEC (LT_OP_BMM, "bmm", NULL, bmm_forward, NULL, bmm_backward, NULL),
  SPEC (LT_OP_ADDMM, "addmm", NULL, addmm_forward, NULL, addmm_backward, NULL),

  SPEC (LT_OP_VIEW, "view", NULL, view_forward, NULL, view_backward, NULL),
  SPEC (LT_OP_PERMUTE, "permute", NULL, permute_forward, NULL, permute_backward, NULL),
  SPEC (LT_OP_TRANSPOSE, "transpose", NULL, transpose_forward, NULL, transpose_backward, NULL),
  SPEC (LT_OP_EXPAND, "expand", NULL, expand_forward, NULL, expand_backward, NULL),
  SPEC (LT_OP_SQUEEZE, "squeeze", NULL, squeeze_forward, NULL, squeeze_backward, NULL),
  SPEC (LT_OP_UNSQUEEZE, "unsqueeze", NULL, unsqueeze_forward, NULL, unsqueeze_backward, NULL),
  SPEC (LT_OP_SELECT, "select", NULL, select_forward, NULL, select_backward, NULL),
  SPEC (LT_OP_SLICE, "slice", NULL, slice_forward, NULL, slice_backward, NULL),
  SPEC (LT_OP_ALIAS, "alias", NULL, alias_forward, NULL, alias_backward, NULL),

  SPEC (LT_OP_CLONE, "clone", NULL, clone_forward, NULL, clone_backward, NULL),
  SPEC (LT_OP_TO_DTYPE, "to_dtype", NULL, to_forward, NULL, to_backward, NULL),
  SPEC (LT_OP_CAT, "cat", NULL, cat_forward, NULL, cat_backward, NULL),
  SPEC (LT_OP_STACK, "stack", NULL, stack_forward, NULL, stack_backward, NULL),
  SPEC (LT_OP_COPY_, "copy_", NULL, copy__forward, NULL, copy__backward, NULL),
  SPEC (LT_OP_FILL_, "fill_", NULL, fill__forward, NULL, fill__backward, NULL),

  SPEC (LT_OP_INDEX_SELECT, "index_select", NULL, index_select_forward, NULL,
        index_select_backward, NULL),
  SPEC (LT_OP_INDEX_ADD, "index_add", NULL, index_add_forward, NULL, index_add_backward, NULL),
  SPEC (LT_OP_GATHER, "gather", NULL, gather_forward, NULL, gather_backward, NULL),
  SPEC (LT_OP_SCATTER_ADD, "scatter_add", NULL, scatter_add_forward, NULL, scatter_add_backward,
        NULL),
  SPEC (LT_OP_MASKED_FILL, "masked_fill", NULL, masked_fill_forward, NULL, masked_fill_backward,
        NULL),
  SPEC (LT_OP_MASKED_SELECT, "masked_select", NULL, masked_select_forward, NULL,
        masked_select_backward, NULL),
  SPEC (LT_OP_MASKED_SCATTER, "masked_scatter", NULL, masked_scatter_forward, NULL,
        masked_scatter_backward, NULL),
  SPEC (LT_OP_ONE_HOT, "one_hot", NULL, one_hot_forward, NULL, NULL, NULL),

  SPEC (LT_OP_CONV2D, "conv2d", NULL, conv2d_forward, NULL, conv2d_backward, NULL),
  SPEC (LT_OP_CONV2D_GRAD_INPUT, "conv2d_grad_input", NULL, conv2d_grad_input_forward, NULL,
        NULL, NULL),
  SPEC (LT_OP_CONV2D_GRAD_WEIGHT, "conv2d_grad_weight", NULL, conv2d_grad_weight_forward, NULL,
        NULL, NULL),
  SPEC (LT_OP_MAX_POOL2D, "max_pool2d", NULL, max_pool2d_forward, NULL, max_pool2d_backward,
        NULL),
  SPEC (LT_OP_MAX_POOL2D_GRAD, "max_pool2d_grad", NULL, max_pool2d_grad_forward, NULL, NULL,
        NULL),
  SPEC (LT_OP_AVG_POOL2D, "avg_pool2d", NULL, avg_pool2d_forward, NULL, avg_pool2d_backward,
        NULL),
  SPEC (LT_OP_AVG_POOL2D_GRAD, "avg_pool2d_grad", NULL, avg_pool2d_grad_forward, NULL, NULL,
        NULL),
  SPEC (LT_OP_ADAPTIVE_AVG_POOL2D, "adaptive_avg_pool2d", NULL, adaptive_avg_pool2d_forward,
        NULL, adaptive_avg_pool2d_backward, NULL),
  SPEC (LT_OP_ADAPTIVE_AVG_POOL2D_GRAD, "adaptive_avg_pool2d_grad", NULL,
        adaptive_avg_pool2d_grad_forward, NULL, NULL, NULL),

  SPEC (LT_OP_LEAKY_RELU, "leaky_relu", NULL, leaky_relu_forward, NULL, leaky_relu_backward,
        NULL),
  SPEC (LT_OP_MSE_LOSS, "mse_loss", GINT_TO_POINTER (LT_OP_MSE_LOSS), pointwise_loss_forward,
        NULL, pointwise_loss_backward, NULL),
  SPEC (LT_OP_L1_LOSS, "l1_loss", GINT_TO_POINTER (LT_OP_L1_LOSS), pointwise_loss_forward,
        NULL, pointwise_loss_backward, NULL),
  SPEC (LT_OP_NLL_LOSS, "nll_loss", NULL, nll_loss_forward, NULL, nll_loss_backward, NULL),
  SPEC (LT_OP_BCE_WITH_LOGITS, "bce_with_logits", NULL, bce_forward, NULL, bce_backward, NULL),
  SPEC (LT_OP_NLL_LOSS_GRAD, "nll_loss_grad", NULL, nll_loss_grad_forward, NULL, NULL, NULL),
  SPEC (LT_OP_RELU_GRAD, "relu_grad", NULL, relu_grad_forward, NULL, NULL, NULL),
  SPEC (LT_OP_SGD_UPDATE, "sgd_update", NULL, sgd_update_forward, NULL, NULL, NULL),

  SPEC (LT_OP_ACCUMULATE_GRAD, "accumulate_grad", NULL, accumulate_forward, NULL,
        accumulate_backward, NULL),
};

static guint
count_cases (const Case *cases)
{
  guint n = 0;

  while (cases && cases[n].name)
    n++;
  return n;
}

/* Every op of the table has exactly one spec, with forward cases, and
 * backward cases exactly when the op is differentiable. */
static void
test_table_complete (void)
{
  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      const LtOpInfo *info = &_lt_op_table[op];
      const OpSpec *spec = NULL;
      guint found = 0, nbw;

      g_assert_nonnull (info->name);
      for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
        if (specs[i].op == op)
          {
            spec = &specs[i];
            found++;
          }
      if (found != 1)
        g_test_message ("op %u (\"%s\") has %u specs in tests/c/test-ops.c; add one", op,
                        info->name, found);
      g_assert_cmpuint (found, ==, 1);
      g_assert_cmpuint (count_cases (spec->forward) + count_cases (spec->forward_extra), >, 0);
      nbw = count_cases (spec->backward) + count_cases (spec->backward_extra);
      /* a backward rule comes with the name of its node */
      if (info->backward)
        g_assert_nonnull (info->node_name);
      if (info->node_name)
        {
          if (nbw == 0)
            g_test_message ("op \"%s\" is differentiable but has no backward case", info->name);
          g_assert_cmpuint (nbw, >, 0);
        }
      else
        g_assert_cmpuint (nbw, ==, 0);
    }
  g_assert_cmpuint (G_N_ELEMENTS (specs), ==, LT_OP_COUNT);
}

typedef struct
{
  CaseFunc func;
  gconstpointer data;
} Registered;

/* Each case runs with its own reproducible random streams. */
static void
run_case (gconstpointer user_data)
{
  const Registered *r = user_data;
  guint seed = g_str_hash (g_test_get_path ());

  rng = g_rand_new_with_seed (seed);
  lt_manual_seed (seed);
  r->func (r->data);
  g_clear_pointer (&rng, g_rand_free);
}

static guint
add_cases (const OpSpec *spec, const char *kind, const Case *cases)
{
  guint n = count_cases (cases);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ops/%s/%s/%s", spec->path, kind, cases[i].name);
      Registered *r = g_new (Registered, 1);

      r->func = cases[i].func;
      r->data = spec->data;
      g_test_add_data_func_full (path, r, run_case, g_free);
    }
  return n;
}

int
main (int argc, char *argv[])
{
  guint n = 1;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Every op of the op table, forward against float64 references and "
                  "backward through gradcheck");
  g_test_add_func ("/ops/table/complete", test_table_complete);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      n += add_cases (&specs[i], "forward", specs[i].forward);
      n += add_cases (&specs[i], "forward", specs[i].forward_extra);
      n += add_cases (&specs[i], "backward", specs[i].backward);
      n += add_cases (&specs[i], "backward", specs[i].backward_extra);
    }
  g_debug ("%u test cases", n);
  return g_test_run ();
}
