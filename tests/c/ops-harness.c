/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness's shared part: see ops-harness.h and, for the
 * overview, test-ops.c.
 */

#include "ops-harness.h"
#include <stdio.h>

/* Shapes */

gint64
oh_numel (OhShape s)
{
  gint64 n = 1;

  for (guint i = 0; i < s.n; i++)
    n *= s.d[i];
  return n;
}

void
oh_unravel (gint64 k, OhShape s, gint64 *idx)
{
  for (guint d = s.n; d-- > 0;)
    {
      idx[d] = s.d[d] ? k % s.d[d] : 0;
      k = s.d[d] ? k / s.d[d] : 0;
    }
}

gint64
oh_ravel (const gint64 *idx, OhShape s)
{
  gint64 k = 0;

  for (guint d = 0; d < s.n; d++)
    k = k * s.d[d] + idx[d];
  return k;
}

/* NumPy's broadcasting rule, written out here. */
OhShape
oh_broadcast (OhShape a, OhShape b)
{
  OhShape o = { { 0 }, MAX (a.n, b.n) };

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
gint64
oh_bindex (const gint64 *idx, guint nout, OhShape s)
{
  gint64 k = 0;

  for (guint d = 0; d < s.n; d++)
    k = k * s.d[d] + (s.d[d] == 1 ? 0 : idx[nout - s.n + d]);
  return k;
}

OhShape
oh_shape_of (LtTensor *t)
{
  OhShape s = { { 0 }, t->ndim };

  memcpy (s.d, t->shape, t->ndim * sizeof (gint64));
  return s;
}

/* A dim of a tensor of @n dims counted from 0 (@d < 0 counts from the
 * end; 0-dim tensors take dims 0 and -1). */
guint
oh_norm_dim (gint d, guint n)
{
  return d < 0 ? (guint) (d + (gint) MAX (n, 1)) : (guint) d;
}

/* Random values */

GRand *oh_rng;

gboolean
oh_is_float (LtDType dt)
{
  return dt == F32 || dt == F64;
}

/* @v as a @dt element holds it, for values the dtype can represent (and
 * wrapping around like two's complement for integers out of range). */
double
oh_wrap_to (double v, LtDType dt)
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

/* Conversion of @v from one dtype to @to, as C (and PyTorch) do it:
 * toward zero for float -> integer, != 0 for bool. */
double
oh_convert (double v, LtDType to)
{
  if (to == BOOL)
    return v != 0;
  if (!oh_is_float (to))
    return oh_wrap_to (trunc (v), to);
  return oh_wrap_to (v, to);
}

double
oh_draw (OhDist dist, LtDType dt)
{
  double v;

  if (dt == BOOL)
    return g_rand_int_range (oh_rng, 0, 2);
  if (!oh_is_float (dt))
    {
      switch (dist)
        {
        case OH_DIST_POS:
          v = g_rand_int_range (oh_rng, 1, 21);
          break;
        case OH_DIST_AWAY:
          v = g_rand_int_range (oh_rng, 1, 10) * (g_rand_boolean (oh_rng) ? 1 : -1);
          break;
        case OH_DIST_GRID:
          v = g_rand_int_range (oh_rng, -3, 4);
          break;
        case OH_DIST_EXPO:
          v = g_rand_int_range (oh_rng, 0, 5);
          break;
        case OH_DIST_OPEN1:
          v = g_rand_int_range (oh_rng, -1, 2);
          break;
        case OH_DIST_GT1:
          v = g_rand_int_range (oh_rng, 1, 6);
          break;
        default:
          v = g_rand_int_range (oh_rng, -20, 21);
          break;
        }
      return dt == U8 ? fabs (v) : v;
    }
  switch (dist)
    {
    case OH_DIST_POS:
      v = g_rand_double_range (oh_rng, 0.5, 2.5);
      break;
    case OH_DIST_AWAY:
      v = g_rand_int_range (oh_rng, -20, 20) / 10.0 + 0.05 + g_rand_double_range (oh_rng, -0.02, 0.02);
      break;
    case OH_DIST_GRID:
      v = g_rand_int_range (oh_rng, -6, 7) * 0.5;
      break;
    case OH_DIST_WIDE:
      v = g_rand_double_range (oh_rng, -30, 30);
      break;
    case OH_DIST_OPEN1:
      v = g_rand_double_range (oh_rng, -0.9, 0.9);
      break;
    case OH_DIST_GT1:
      v = g_rand_double_range (oh_rng, 1.1, 3);
      break;
    default:
      v = g_rand_double_range (oh_rng, -2, 2);
      break;
    }
  return oh_wrap_to (v, dt);
}

/* Tensors with their reference values */

void
oh_arr_clear (OhArr *a)
{
  g_clear_object (&a->t);
  g_clear_pointer (&a->v, g_free);
}

/* What the gaps of a OH_LAY_STEP tensor hold: a kernel reading them shows. */
double
oh_sentinel (LtDType dt)
{
  return oh_is_float (dt) ? NAN : (dt == BOOL ? 1 : 99);
}

/* The device the harness builds its tensors on: the CPU, or CUDA with
 * OH_DEVICE=cuda (tests/c/meson.build runs it so on the emulated device). */
LtDevice oh_device = LT_DEVICE_CPU;

static LtTensor *
new_on_device (const double *v,
               gsize         n,
               const gint64 *shape,
               gsize         ndim,
               LtDType       dt,
               GError      **error)
{
  g_autoptr(LtTensor) t = lt_tensor_new_from_doubles (v, n, shape, ndim, dt, error);

  if (t == NULL || oh_device == LT_DEVICE_CPU)
    return g_steal_pointer (&t);
  return lt_tensor_to_device (t, oh_device, error);
}

/* A tensor of logical values @v laid out as @lay. */
LtTensor *
oh_build (const double *v, OhShape s, LtDType dt, OhLay lay)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) base = NULL;
  g_autofree double *b = NULL;
  gint64 n = oh_numel (s), idx[LT_MAX_DIMS], t;
  OhShape bs = s;
  LtTensor *out = NULL;

  if (s.n == 0 || (lay == OH_LAY_EXPAND && s.d[0] == 0))
    lay = OH_LAY_CONTIG;
  if (lay == OH_LAY_T && s.n < 2)
    lay = OH_LAY_STEP;
  if (lay == OH_LAY_TPAD && s.n < 2)
    lay = OH_LAY_PAD;
  switch (lay)
    {
    case OH_LAY_CONTIG:
      out = new_on_device (v, n, s.d, s.n, dt, &error);
      break;
    case OH_LAY_T:
      bs.d[s.n - 2] = s.d[s.n - 1];
      bs.d[s.n - 1] = s.d[s.n - 2];
      b = g_new (double, MAX (n, 1));
      for (gint64 k = 0; k < n; k++)
        {
          oh_unravel (k, s, idx);
          t = idx[s.n - 2];
          idx[s.n - 2] = idx[s.n - 1];
          idx[s.n - 1] = t;
          b[oh_ravel (idx, bs)] = v[k];
        }
      base = new_on_device (b, n, bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_transpose (base, -2, -1, &error);
      break;
    case OH_LAY_STEP:
      bs.d[s.n - 1] = 2 * s.d[s.n - 1] + 1;
      b = g_new (double, MAX (oh_numel (bs), 1));
      for (gint64 k = 0; k < oh_numel (bs); k++)
        b[k] = oh_sentinel (dt);
      for (gint64 k = 0; k < n; k++)
        {
          oh_unravel (k, s, idx);
          idx[s.n - 1] = 2 * idx[s.n - 1] + 1;
          b[oh_ravel (idx, bs)] = v[k];
        }
      base = new_on_device (b, oh_numel (bs), bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_slice (base, -1, 1, bs.d[s.n - 1], 2, &error);
      break;
    case OH_LAY_PAD:
    case OH_LAY_TPAD:
      if (lay == OH_LAY_TPAD)
        {
          bs.d[s.n - 2] = s.d[s.n - 1];
          bs.d[s.n - 1] = s.d[s.n - 2];
        }
      bs.d[s.n - 1] += 3;
      b = g_new (double, MAX (oh_numel (bs), 1));
      for (gint64 k = 0; k < oh_numel (bs); k++)
        b[k] = oh_sentinel (dt);
      for (gint64 k = 0; k < n; k++)
        {
          oh_unravel (k, s, idx);
          if (lay == OH_LAY_TPAD)
            {
              t = idx[s.n - 2];
              idx[s.n - 2] = idx[s.n - 1];
              idx[s.n - 1] = t;
            }
          idx[s.n - 1] += 1;
          b[oh_ravel (idx, bs)] = v[k];
        }
      base = new_on_device (b, oh_numel (bs), bs.d, bs.n, dt, &error);
      g_assert_no_error (error);
      out = lt_tensor_slice (base, -1, 1, bs.d[s.n - 1] - 2, 1, &error);
      if (out && lay == OH_LAY_TPAD)
        {
          LtTensor *tr = lt_tensor_transpose (out, -2, -1, &error);

          g_object_unref (out);
          out = tr;
        }
      break;
    case OH_LAY_EXPAND:
      bs.d[0] = 1;
      base = new_on_device (v, oh_numel (bs), bs.d, bs.n, dt, &error);
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

OhArr
oh_arr_from (const double *v, OhShape s, LtDType dt, OhLay lay)
{
  OhArr a = { NULL, NULL, s, oh_numel (s) };

  a.v = g_new0 (double, MAX (a.n, 1));
  for (gint64 k = 0; k < a.n; k++)
    a.v[k] = oh_wrap_to (v[k], dt);
  a.t = oh_build (a.v, s, dt, lay);
  return a;
}

OhArr
oh_arr_new (OhShape s, LtDType dt, OhLay lay, OhDist dist)
{
  gint64 n = oh_numel (s);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 k = 0; k < n; k++)
    v[k] = oh_draw (dist, dt);
  if (lay == OH_LAY_EXPAND && s.n > 0 && s.d[0] > 0)
    for (gint64 k = 0; k < n; k++)
      v[k] = v[k % (n / s.d[0])];
  return oh_arr_from (v, s, dt, lay);
}

/* A float64 leaf that requires grad, sharing the layout's storage but
 * with no history (as `x.detach().requires_grad_()`). */
LtTensor *
oh_leaf_new (OhShape s, OhLay lay, OhDist dist)
{
  g_auto(OhArr) a = oh_arr_new (s, F64, lay, dist);
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_detach (a.t);

  g_assert_cmpint (lt_tensor_set_requires_grad (t, TRUE, &error), ==, TRUE);
  g_assert_no_error (error);
  return t;
}

LtTensor *
oh_leaf_from (const double *v, OhShape s)
{
  g_autoptr(LtTensor) t = oh_build (v, s, F64, OH_LAY_CONTIG);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (lt_tensor_set_requires_grad (t, TRUE, &error), ==, TRUE);
  g_assert_no_error (error);
  return g_steal_pointer (&t);
}

/* Reading results: straight from the storage through the strides, so a
 * check does not depend on the library's copy kernel. */
double *
oh_values_of (LtTensor *t)
{
  gsize es = lt_dtype_get_element_size (t->dtype);
  double *out = g_new0 (double, MAX (t->numel, 1));
  OhShape s = oh_shape_of (t);
  gint64 idx[LT_MAX_DIMS];
  g_autoptr(LtTensor) host = NULL;

  if (lt_tensor_get_device (t) != LT_DEVICE_CPU)
    {
      g_autoptr(GError) error = NULL;

      host = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);
      g_assert_no_error (error);
      t = host;
    }
  for (gint64 k = 0; k < t->numel; k++)
    {
      gint64 off = t->offset;

      oh_unravel (k, s, idx);
      for (guint d = 0; d < t->ndim; d++)
        off += idx[d] * t->strides[d];
      out[k] = _lt_load_double ((const guint8 *) t->storage->data + off * es, t->dtype);
    }
  return out;
}

double
oh_value_at (LtTensor *t, gint64 k)
{
  g_autofree double *v = oh_values_of (t);

  g_assert_cmpint (k, <, MAX (t->numel, 1));
  return v[k];
}

/* Checks */

void
oh_assert_shape (LtTensor *t, OhShape s)
{
  g_assert_cmpuint (t->ndim, ==, s.n);
  for (guint d = 0; d < s.n; d++)
    g_assert_cmpint (t->shape[d], ==, s.d[d]);
  g_assert_cmpint (t->numel, ==, oh_numel (s));
}

void
oh_assert_values (LtTensor *t, const double *ref, double rtol, double atol)
{
  g_autofree double *got = oh_values_of (t);
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

void
oh_check_tol (LtTensor *t, LtDType dt, OhShape s, const double *ref, double rtol, double atol)
{
  g_assert_nonnull (t);
  g_assert_cmpstr (lt_dtype_get_name (t->dtype), ==, lt_dtype_get_name (dt));
  oh_assert_shape (t, s);
  oh_assert_values (t, ref, rtol, atol);
}

/* Float results within a few units in the last place of the dtype
 * (float32 kernels call float libm functions); integers exactly. */
void
oh_check (LtTensor *t, LtDType dt, OhShape s, const double *ref)
{
  if (dt == F32)
    oh_check_tol (t, dt, s, ref, 1e-5, 1e-6);
  else if (dt == F64)
    oh_check_tol (t, dt, s, ref, 1e-10, 1e-12);
  else
    oh_check_tol (t, dt, s, ref, 0, 0);
}

/* @a and @b hold the same values (@same), or differ in most elements. */
void
oh_assert_same_values (LtTensor *a, LtTensor *b, gboolean same)
{
  g_autofree double *va = oh_values_of (a);
  g_autofree double *vb = oh_values_of (b);
  gint64 differ = 0;

  g_assert_cmpint (a->numel, ==, b->numel);
  for (gint64 k = 0; k < a->numel; k++)
    differ += va[k] != vb[k];
  if (same)
    g_assert_cmpint (differ, ==, 0);
  else
    g_assert_cmpint (differ, >, a->numel / 2);
}

void
oh_check_error (LtTensor *t, GError *error, LtError code)
{
  g_assert_null (t);
  g_assert_error (error, LT_ERROR, (gint) code);
  g_assert_cmpstr (error->message, !=, "");
}

/* PyTorch's promotion of two tensors with dimensions (torch.promote_types). */
LtDType
oh_promote (LtDType a, LtDType b)
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

/* On a device: f and its gradients there against the same on the CPU
 * (whose gradients the CPU run checks numerically). The gradient of the
 * output is not all ones, so a rule that mixes elements up shows. */
static void
grad_against_cpu (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cpu_in = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) y_dev = NULL;
  g_autoptr(LtTensor) y_cpu = NULL;
  LtTensor *ys[2];
  gboolean  ok;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(LtTensor) h = lt_tensor_to_device (inputs[i], LT_DEVICE_CPU, &error);
      LtTensor *leaf;

      g_assert_no_error (error);
      leaf = lt_tensor_detach (h);
      if (inputs[i]->requires_grad)
        g_assert_true (lt_tensor_set_requires_grad (leaf, TRUE, &error));
      g_ptr_array_add (cpu_in, leaf);
    }
  y_dev = func (inputs, n, (gpointer) data);
  y_cpu = func ((LtTensor **) cpu_in->pdata, n, (gpointer) data);
  g_assert_nonnull (y_dev);
  g_assert_nonnull (y_cpu);
  {
    g_autofree double *want = oh_values_of (y_cpu);
    oh_assert_values (y_dev, want, 1e-9, 1e-12);
  }
  ys[0] = y_dev;
  ys[1] = y_cpu;
  for (guint k = 0; k < 2; k++)
    {
      OhShape            s = oh_shape_of (ys[k]);
      gint64             m = oh_numel (s);
      g_autofree double *wv = g_new (double, MAX (m, 1));
      g_autoptr(LtTensor) w = NULL;
      g_autoptr(LtTensor) prod = NULL;
      g_autoptr(LtTensor) total = NULL;
      LtDevice saved = oh_device;

      for (gint64 j = 0; j < m; j++)
        wv[j] = 0.5 + (double) (j % 7) / 8;
      oh_device = lt_tensor_get_device (ys[k]);
      w = new_on_device (wv, m, s.d, s.n, ys[k]->dtype, &error);
      oh_device = saved;
      g_assert_no_error (error);
      prod = lt_tensor_mul (ys[k], w, &error);
      g_assert_no_error (error);
      total = lt_tensor_sum (prod, &error);
      g_assert_no_error (error);
      ok = lt_tensor_backward (total, NULL, FALSE, &error);
      if (!ok && g_error_matches (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED))
        {
          /* the backward rule runs an op the device has no kernel for:
           * reported as incomplete, with the op's name */
          g_test_incomplete_printf ("backward on %s: %s", lt_device_get_name (oh_device),
                                    error->message);
          return;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  for (gsize i = 0; i < n; i++)
    {
      LtTensor *gc, *gd;

      if (!inputs[i]->requires_grad)
        continue;
      gd = lt_tensor_get_grad (inputs[i]);
      gc = lt_tensor_get_grad (cpu_in->pdata[i]);
      g_assert_true ((gd == NULL) == (gc == NULL));
      if (gc)
        {
          g_autofree double *want = oh_values_of (gc);

          g_assert_cmpint (lt_tensor_get_device (gd), ==, lt_tensor_get_device (inputs[i]));
          oh_assert_shape (gd, oh_shape_of (gc));
          oh_assert_values (gd, want, 1e-9, 1e-12);
        }
      /* as gradcheck, which leaves .grad alone */
      g_assert_true (lt_tensor_set_grad (inputs[i], NULL, &error));
    }
}

/* lt_gradcheck with PyTorch's defaults, on f and on f's transposed output */
/* Second derivatives (create_graph): right, or an error that says the op's
 * backward cannot be differentiated twice. LT_OH_GRADGRAD_LOG=1 prints
 * which. */
void
oh_gradgradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = lt_gradgradcheck (func, (gpointer) data, inputs, n, 1e-6, 1e-5, 1e-3, &error);

  if (g_getenv ("LT_OH_GRADGRAD_LOG"))
    g_printerr ("gradgradcheck %s: %s\n", g_test_get_path (), ok ? "ok" : error->message);
  if (!ok && g_error_matches (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED) &&
      strstr (error->message, "cannot be differentiated again") != NULL)
    return;
  g_assert_no_error (error);
  g_assert_cmpint (ok, ==, TRUE);
}

void
oh_gradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (oh_device != LT_DEVICE_CPU)
    {
      grad_against_cpu (func, data, inputs, n);
      return;
    }
  ok = lt_gradcheck (func, (gpointer) data, inputs, n, 1e-6, 1e-5, 1e-3, &error);
  Wrapped w = { func, (gpointer) data };
  g_autoptr(LtTensor) y = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ok, ==, TRUE);
  oh_gradgradcheck (func, data, inputs, n);
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
void
oh_backward_shapes (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n)
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
      oh_assert_shape (g, oh_shape_of (inputs[i]));
      g_assert_cmpint (g->dtype, ==, inputs[i]->dtype);
      {
        g_autofree double *v = oh_values_of (g);
        for (gint64 k = 0; k < g->numel; k++)
          g_assert_cmpint (isfinite (v[k]), !=, 0);
      }
    }
}

/* Reads the gradient of a leaf. */
double *
oh_grad_of (LtTensor *t)
{
  LtTensor *g = lt_tensor_get_grad (t);

  g_assert_nonnull (g);
  oh_assert_shape (g, oh_shape_of (t));
  return oh_values_of (g);
}

void
oh_backward_sum (LtTensor *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) total = lt_tensor_sum (out, &error);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (total, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
}

const LtDType oh_all_dtypes[8] = { F32, F64, I64, I32, I16, I8, U8, BOOL };

/* Registration */

static GPtrArray *registered_specs;

guint
oh_count_cases (const OhCase *cases)
{
  guint n = 0;

  while (cases && cases[n].name)
    n++;
  return n;
}

typedef struct
{
  OhCaseFunc func;
  gconstpointer data;
} Registered;

/* Each case runs with its own reproducible random streams. */
static void
run_case (gconstpointer user_data)
{
  const Registered *r = user_data;
  guint seed = g_str_hash (g_test_get_path ());

  oh_rng = g_rand_new_with_seed (seed);
  lt_manual_seed (seed);
  r->func (r->data);
  g_clear_pointer (&oh_rng, g_rand_free);
}

/* Cases that do not run on a device other than the CPU, and why (listed
 * by /ops/device/skipped, not left out silently). */
static const struct
{
  const char *pattern;
  const char *why;
} device_exclusions[] = {
  { "/ops/*/forward/promotion",
    "mixes a CPU 0-dim tensor (lt_scalar_tensor) with a device tensor: PyTorch accepts it, "
    "libtensor's front ends report the two devices" },
  { "/ops/to_dtype/forward/autograd", "the case asserts its result is on the CPU" },
  { "/ops/to_dtype/backward/float32", "lt_gradcheck takes CPU tensors only" },
};

GPtrArray *oh_cases_excluded;

static const char *
device_excluded (const char *path)
{
  if (oh_device == LT_DEVICE_CPU)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (device_exclusions); i++)
    if (g_pattern_match_simple (device_exclusions[i].pattern, path))
      return device_exclusions[i].why;
  return NULL;
}

/* OH_SHARD=K/N (1 <= K <= N): this process registers only every N-th case,
 * starting at the K-th, so that N processes run the harness between them
 * (tests/c/meson.build splits test-ops so, which halves its wall time under
 * valgrind). The table checks run in every shard. */
static guint shard_k, shard_n = 1;
static guint shard_next;

static void
shard_init (void)
{
  const char *s = g_getenv ("OH_SHARD");
  guint       k = 0, n = 0;

  if (s == NULL || *s == '\0')
    return;
  if (sscanf (s, "%u/%u", &k, &n) != 2 || n == 0 || k == 0 || k > n)
    g_error ("OH_SHARD=%s: expected K/N with 1 <= K <= N", s);
  shard_k = k - 1;
  shard_n = n;
}

static guint
add_cases (const OhSpec *spec, const char *kind, const OhCase *cases)
{
  guint n = oh_count_cases (cases);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/ops/%s/%s/%s", spec->path, kind, cases[i].name);
      const char      *why = device_excluded (path);
      Registered      *r;

      if (why)
        {
          g_ptr_array_add (oh_cases_excluded, g_strdup_printf ("%s: %s", path, why));
          continue;
        }
      if (shard_next++ % shard_n != shard_k)
        continue;
      r = g_new (Registered, 1);

      r->func = cases[i].func;
      r->data = spec->data;
      g_test_add_data_func_full (path, r, run_case, g_free);
    }
  return n;
}

GPtrArray *oh_ops_without_kernel;

/* OH_DEVICE=cuda: the harness runs on the CUDA backend (the emulated
 * device without a GPU); an op whose row says it has a kernel but which has
 * none there is listed (oh_ops_without_kernel), not run. */
static void
device_init (void)
{
  const char *dev = g_getenv ("OH_DEVICE");
  g_autoptr(GError) error = NULL;

  if (oh_ops_without_kernel)
    return;
  oh_ops_without_kernel = g_ptr_array_new ();
  oh_cases_excluded = g_ptr_array_new_with_free_func (g_free);
  shard_init ();
  if (dev == NULL || g_strcmp0 (dev, "cpu") == 0)
    return;
  g_assert_cmpstr (dev, ==, "cuda");
  oh_device = LT_DEVICE_CUDA;
  g_assert_true (lt_cuda_init (&error));
  g_assert_no_error (error);
}

gboolean
oh_device_has_kernel (LtOp op)
{
  const LtBackend *b;

  if (oh_device == LT_DEVICE_CPU || !(_lt_op_table[op].flags & LT_OPF_HAS_KERNEL))
    return TRUE;
  b = _lt_backend_get (oh_device, NULL);
  return b != NULL && b->kernels[op] != NULL;
}

/* OH_OPS=mm,bmm,...: this process registers only the cases of the specs
 * with these paths (tests/c/meson.build runs the matrix products' cases so
 * with each side of the product rule forced); GLib's -p would leave the
 * data of the cases it skips unfreed. The table checks run whatever it
 * says. */
static gboolean
op_selected (const char *path)
{
  const char *only = g_getenv ("OH_OPS");
  g_auto (GStrv) names = NULL;

  if (only == NULL || *only == '\0')
    return TRUE;
  names = g_strsplit (only, ",", -1);
  return g_strv_contains ((const char *const *) names, path);
}

guint
oh_add_specs (const OhSpec *specs, guint n_specs)
{
  guint n = 0;

  device_init ();
  if (registered_specs == NULL)
    registered_specs = g_ptr_array_new ();
  for (guint i = 0; i < n_specs; i++)
    {
      g_ptr_array_add (registered_specs, (gpointer) &specs[i]);
      if (!oh_device_has_kernel (specs[i].op))
        {
          g_ptr_array_add (oh_ops_without_kernel, (gpointer) _lt_op_table[specs[i].op].name);
          continue;
        }
      if (!op_selected (specs[i].path))
        continue;
      n += add_cases (&specs[i], "forward", specs[i].forward);
      n += add_cases (&specs[i], "forward", specs[i].forward_extra);
      n += add_cases (&specs[i], "backward", specs[i].backward);
      n += add_cases (&specs[i], "backward", specs[i].backward_extra);
    }
  return n;
}

const OhSpec *const *
oh_get_specs (guint *n_specs)
{
  *n_specs = registered_specs ? registered_specs->len : 0;
  return registered_specs ? (const OhSpec *const *) registered_specs->pdata : NULL;
}
