/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Autograd: the tutorial's numbers, accumulation, retain_graph, version
 * checks, grad mode, detach, retain_grad, hooks, the node structure, the
 * graph walk and its DOT text, gradcheck, and gradients through
 * broadcasting, views and indexing. Expected gradients are worked out by
 * hand from the derivative of each expression; node names are PyTorch's.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "autograd/lt-engine-private.h"
#include "test-helpers.h"

static LtTensor *
leaf_of (const double *v,
         gsize         n,
         const gint64 *shape,
         gsize         n_dims)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = tensor_of (v, n, shape, n_dims, LT_DTYPE_FLOAT32);

  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
  g_assert_no_error (error);
  return t;
}

static void
assert_grad_fn (LtTensor   *t,
                const char *name)
{
  LtGradFn *fn = lt_tensor_get_grad_fn (t);

  g_assert_nonnull (fn);
  g_assert_cmpstr (lt_grad_fn_get_name (fn), ==, name);
}

/* The tutorial */

static void
test_tutorial_mean (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (2, 2), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yy = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = lt_tensor_add_scalar (x, 2, &error);
  yy = lt_tensor_mul (y, y, &error);
  z = lt_tensor_mul_scalar (yy, 3, &error);
  out = lt_tensor_mean (z, &error);
  g_assert_no_error (error);

  assert_values_rel (y, VALS (3, 3, 3, 3), 1e-6);
  assert_values_rel (z, VALS (27, 27, 27, 27), 1e-6);
  g_assert_cmpfloat (item (out), ==, 27);
  assert_grad_fn (y, "AddBackward0");
  assert_grad_fn (yy, "MulBackward0");
  assert_grad_fn (z, "MulBackward0");
  assert_grad_fn (out, "MeanBackward0");
  g_assert_null (lt_tensor_get_grad_fn (x));
  g_assert_true (lt_tensor_get_requires_grad (out));

  g_assert_null (lt_tensor_get_grad (x));
  g_assert_true (lt_tensor_backward (out, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* d out / dx_i = 3/2 (x_i + 2) = 4.5 */
  assert_shape (lt_tensor_get_grad (x), DIMS (2, 2));
  assert_values_rel (lt_tensor_get_grad (x), VALS (4.5, 4.5, 4.5, 4.5), 1e-6);
  /* non-leaves keep no gradient unless asked */
  g_assert_null (lt_tensor_get_grad (y));
  g_assert_null (lt_tensor_get_grad (z));
}

static void
test_tutorial_doubling (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) gradients = tensor_of (VALS (0.1, 1.0, 0.0001), DIMS (3), LT_DTYPE_FLOAT32);
  g_autofree double *xv = NULL;
  double k_pow = 2;
  guint k = 1;
  gsize n;

  lt_manual_seed (1);
  x = lt_randn (DIMS (3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  xv = lt_tensor_to_doubles (x, &n, &error);

  y = lt_tensor_mul_scalar (x, 2, &error);
  for (;;)
    {
      g_autoptr(LtTensor) norm = lt_tensor_norm (y, 2, &error);
      LtTensor *next;

      g_assert_no_error (error);
      if (item (norm) >= 1000)
        break;
      next = lt_tensor_mul_scalar (y, 2, &error);
      g_assert_no_error (error);
      g_object_unref (y);
      y = next;
      k++;
      k_pow *= 2;
    }
  assert_grad_fn (y, "MulBackward0");
  /* the loop stops at the first power of two that takes the norm past
   * 1000, so ||x|| 2^(k-1) < 1000 <= ||x|| 2^k */
  {
    double xnorm = sqrt (xv[0] * xv[0] + xv[1] * xv[1] + xv[2] * xv[2]);

    g_assert_cmpfloat (xnorm * k_pow, >=, 1000);
    g_assert_cmpfloat (xnorm * k_pow / 2, <, 1000);
  }
  /* scaling by powers of two is exact */
  assert_values_rel (y, VALS (xv[0] * k_pow, xv[1] * k_pow, xv[2] * k_pow), 0);

  g_assert_true (lt_tensor_backward (y, gradients, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (0.1 * k_pow, 1.0 * k_pow, 0.0001 * k_pow), 1e-6);
}

/* Accumulation and graph lifetime */

static void
test_accumulate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, -2, 3), DIMS (3));
  g_autoptr(LtTensor) sq = lt_tensor_mul (x, x, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (sq, &error);
  g_autoptr(LtTensor) t3 = lt_tensor_mul_scalar (x, 3, &error);
  g_autoptr(LtTensor) s3 = lt_tensor_sum (t3, &error);

  g_assert_no_error (error);
  /* d sum(x^2) = 2x, twice through the same graph */
  g_assert_true (lt_tensor_backward (s, NULL, TRUE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (2, -4, 6), 1e-6);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (4, -8, 12), 1e-6);
  /* and a second graph adds 3 */
  g_assert_true (lt_tensor_backward (s3, NULL, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (7, -5, 15), 1e-6);

  /* clearing the gradient starts over */
  g_assert_true (lt_tensor_set_grad (x, NULL, &error));
  g_assert_null (lt_tensor_get_grad (x));
}

static void
test_retain_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) sq = lt_tensor_mul (x, x, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (sq, &error);
  g_autoptr(LtTensor) p1 = lt_tensor_add_scalar (x, 1, &error);
  g_autoptr(LtTensor) s1 = lt_tensor_sum (p1, &error);

  g_assert_no_error (error);
  g_assert_false (lt_grad_fn_get_released (lt_tensor_get_grad_fn (sq)));
  g_assert_cmpuint (lt_grad_fn_get_n_saved_tensors (lt_tensor_get_grad_fn (sq)), ==, 2);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lt_grad_fn_get_released (lt_tensor_get_grad_fn (sq)));
  assert_values_rel (lt_tensor_get_grad (x), VALS (2, 4), 1e-6);

  /* MulBackward0 needs x, which is gone */
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  /* the failed pass left the gradient alone */
  assert_values_rel (lt_tensor_get_grad (x), VALS (2, 4), 1e-6);

  /* a graph that saved nothing runs twice, as in torch */
  g_assert_true (lt_tensor_backward (s1, NULL, FALSE, &error));
  g_assert_true (lt_tensor_backward (s1, NULL, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (4, 6), 1e-6);
}

static void
test_nonscalar_backward (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4), DIMS (2, 2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) g = tensor_of (VALS (1, 0, 0, 1), DIMS (2, 2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) plain = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);

  g_assert_false (lt_tensor_backward (y, NULL, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "[2, 2]"));
  g_clear_error (&error);
  g_assert_null (lt_tensor_get_grad (x));

  g_assert_true (lt_tensor_backward (y, g, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (2, 0, 0, 2), 1e-6);

  /* a tensor without history cannot be differentiated */
  g_assert_false (lt_tensor_backward (plain, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

/* Version counters */

static void
test_saved_modified (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) z = lt_tensor_mul (y, y, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (z, &error);
  g_autoptr(LtTensor) e = lt_tensor_exp (x, &error);
  g_autoptr(LtTensor) es = lt_tensor_sum (e, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_version (y), ==, 0);
  /* y is not a leaf: modifying it in place is allowed and recorded */
  g_assert_true (lt_tensor_add_scalar_ (y, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_version (y), ==, 1);
  assert_grad_fn (y, "AddBackward0");

  /* but z = y * y saved y at version 0 */
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "MulBackward0"));
  g_assert_nonnull (strstr (error->message, "version 1"));
  g_assert_nonnull (strstr (error->message, "version 0"));
  g_clear_error (&error);
  g_assert_null (lt_tensor_get_grad (x));

  /* exp saves its output; changing the output breaks its backward */
  {
    g_autoptr(LtTensor) ed = lt_tensor_detach (e);

    g_assert_true (lt_tensor_mul_scalar_ (ed, 2, &error));
    g_assert_no_error (error);
    g_assert_false (lt_tensor_backward (es, NULL, FALSE, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
    g_assert_nonnull (strstr (error->message, "ExpBackward0"));
  }
}

static void
test_inplace_leaf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  gboolean prev;

  g_assert_false (lt_tensor_add_scalar_ (x, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  g_assert_false (lt_tensor_fill_ (x, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  assert_values_rel (x, VALS (1, 2), 1e-6);
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 0);

  /* allowed under no-grad, as torch's `with torch.no_grad(): x.add_(1)` */
  prev = lt_set_grad_enabled (FALSE);
  g_assert_true (prev);
  g_assert_true (lt_tensor_add_scalar_ (x, 1, &error));
  g_assert_no_error (error);
  lt_set_grad_enabled (prev);
  assert_values_rel (x, VALS (2, 3), 1e-6);
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 1);
  g_assert_null (lt_tensor_get_grad_fn (x));
}

/* Grad mode, detach, requires_grad */

typedef struct
{
  LtTensor *x;
  LtTensor *y;
  gboolean enabled_inside;
} NoGradData;

static void
no_grad_body (gpointer user_data)
{
  NoGradData *d = user_data;

  d->enabled_inside = lt_is_grad_enabled ();
  d->y = lt_tensor_mul_scalar (d->x, 2, NULL);
}

static void
test_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = NULL;
  NoGradData d = { x, NULL, TRUE };

  g_assert_true (lt_is_grad_enabled ());
  g_assert_true (lt_set_grad_enabled (FALSE));
  g_assert_false (lt_is_grad_enabled ());
  y = lt_tensor_mul_scalar (x, 2, &error);
  g_assert_false (lt_set_grad_enabled (TRUE));
  g_assert_no_error (error);
  g_assert_false (lt_tensor_get_requires_grad (y));
  g_assert_null (lt_tensor_get_grad_fn (y));
  g_assert_true (lt_tensor_is_leaf (y));
  assert_values_rel (y, VALS (2, 4), 1e-6);

  lt_no_grad (no_grad_body, &d);
  g_assert_true (lt_is_grad_enabled ());
  g_assert_false (d.enabled_inside);
  g_assert_nonnull (d.y);
  g_assert_false (lt_tensor_get_requires_grad (d.y));
  g_assert_null (lt_tensor_get_grad_fn (d.y));
  g_object_unref (d.y);

  /* nested: lt_no_grad restores the state it found */
  lt_set_grad_enabled (FALSE);
  d.y = NULL;
  lt_no_grad (no_grad_body, &d);
  g_assert_false (lt_is_grad_enabled ());
  lt_set_grad_enabled (TRUE);
  g_clear_object (&d.y);
}

static void
test_detach (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3), DIMS (3));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) d = lt_tensor_detach (y);
  g_autoptr(LtTensor) z = NULL;

  g_assert_no_error (error);
  g_assert_true (lt_tensor_shares_storage (d, y));
  g_assert_false (lt_tensor_get_requires_grad (d));
  g_assert_null (lt_tensor_get_grad_fn (d));
  g_assert_true (lt_tensor_is_leaf (d));
  assert_values_rel (d, VALS (2, 4, 6), 1e-6);

  /* ops on the detached tensor record nothing */
  z = lt_tensor_mul (d, d, &error);
  g_assert_false (lt_tensor_get_requires_grad (z));

  /* it shares memory: writes show in y */
  g_assert_true (lt_tensor_zero_ (d, &error));
  g_assert_no_error (error);
  assert_values_rel (y, VALS (0, 0, 0), 1e-6);
}

static void
test_detach_in_place (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3), DIMS (3));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(LtTensor) v = NULL;
  g_autoptr(LtTensor) z = NULL;

  g_test_summary ("lt_tensor_detach_ drops the node and requires_grad of a tensor in place; "
                  "the graph already recorded still runs; views are refused");
  g_assert_no_error (error);
  g_assert_true (lt_tensor_detach_ (y, &error));
  g_assert_no_error (error);
  g_assert_false (lt_tensor_get_requires_grad (y));
  g_assert_null (lt_tensor_get_grad_fn (y));
  g_assert_true (lt_tensor_is_leaf (y));
  z = lt_tensor_mul (y, y, &error);
  g_assert_false (lt_tensor_get_requires_grad (z));
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  assert_values_rel (lt_tensor_get_grad (x), VALS (2, 2, 2), 1e-12);

  /* a view: refused, left as it was */
  g_clear_object (&y);
  y = lt_tensor_mul_scalar (x, 3, &error);
  v = lt_tensor_slice (y, 0, 1, 3, 1, &error);
  g_assert_no_error (error);
  g_assert_false (lt_tensor_detach_ (v, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_true (lt_tensor_get_requires_grad (v));
  g_assert_nonnull (lt_tensor_get_grad_fn (v));
}

static void
test_requires_grad_int (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) i = lt_ones (DIMS (2), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);

  g_assert_null (lt_tensor_requires_grad_ (i, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  g_assert_false (lt_tensor_get_requires_grad (i));

  /* a non-leaf cannot stop requiring grad (torch: "you can only change
   * requires_grad flags of leaf variables") */
  g_assert_false (lt_tensor_set_requires_grad (y, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_true (lt_tensor_get_requires_grad (y));
}

static void
test_retain_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) z = lt_tensor_mul (y, y, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (z, &error);
  g_autoptr(LtTensor) plain = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);

  g_assert_false (lt_tensor_get_retains_grad (y));
  g_assert_true (lt_tensor_retain_grad (y, &error));
  g_assert_no_error (error);
  g_assert_true (lt_tensor_get_retains_grad (y));
  /* a leaf keeps its gradient anyway; retains_grad stays FALSE as torch */
  g_assert_true (lt_tensor_retain_grad (x, &error));
  g_assert_false (lt_tensor_get_retains_grad (x));

  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* s = sum (2x)^2: ds/dy = 2y = 4x; ds/dx = 8x */
  assert_values_rel (lt_tensor_get_grad (y), VALS (4, 8), 1e-6);
  assert_values_rel (lt_tensor_get_grad (x), VALS (8, 16), 1e-6);
  g_assert_null (lt_tensor_get_grad (z));

  g_assert_false (lt_tensor_retain_grad (plain, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

/* Where two gradients meet at a node, the engine adds one into the other
 * when that one owns its memory; a gradient the caller holds (here the
 * one given to backward, which add's rule passes on as it is) is never
 * written. */
static void
test_backward_joins (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) g = tensor_of (VALS (1, 1), DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);

  /* two gradients of their own: d/dy (3y + y^2) = 3 + 2y */
  {
    g_autoptr(LtTensor) a = lt_tensor_mul_scalar (y, 3, &error);
    g_autoptr(LtTensor) b = lt_tensor_mul (y, y, &error);
    g_autoptr(LtTensor) c = lt_tensor_add (a, b, &error);
    g_autoptr(LtTensor) s = lt_tensor_sum (c, &error);

    g_assert_true (lt_tensor_backward (s, NULL, TRUE, &error));
    g_assert_no_error (error);
    assert_values_rel (lt_tensor_get_grad (x), VALS (14, 22), 1e-6);
  }
  /* the caller's g, and a gradient of its own: d/dy (y + y^2) = 1 + 2y */
  {
    g_autoptr(LtTensor) b = lt_tensor_mul (y, y, &error);
    g_autoptr(LtTensor) c = lt_tensor_add (y, b, &error);

    g_assert_true (lt_tensor_set_grad (x, NULL, &error));
    g_assert_true (lt_tensor_backward (c, g, TRUE, &error));
    g_assert_no_error (error);
    assert_values_rel (lt_tensor_get_grad (x), VALS (10, 18), 1e-6);
    assert_values_rel (g, VALS (1, 1), 0);
  }
  /* the caller's g twice: d/dy (y + y) = 2 */
  {
    g_autoptr(LtTensor) c = lt_tensor_add (y, y, &error);

    g_assert_true (lt_tensor_set_grad (x, NULL, &error));
    g_assert_true (lt_tensor_backward (c, g, TRUE, &error));
    g_assert_no_error (error);
    assert_values_rel (lt_tensor_get_grad (x), VALS (4, 4), 1e-6);
    assert_values_rel (g, VALS (1, 1), 0);
  }
}

/* Hooks */

typedef struct
{
  double factor;
  guint calls;
  double seen[4];
  gsize n_seen;
  guint destroyed;
} HookData;

static LtTensor *
scale_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  HookData *h = user_data;
  g_autofree double *v = NULL;

  h->calls++;
  v = lt_tensor_to_doubles (grad, &h->n_seen, NULL);
  for (gsize i = 0; i < MIN (h->n_seen, 4); i++)
    h->seen[i] = v[i];
  if (h->factor == 1)
    return NULL;
  return lt_tensor_mul_scalar (grad, h->factor, NULL);
}

static void
hook_destroy (gpointer user_data)
{
  ((HookData *) user_data)->destroyed++;
}

static void
test_hooks_leaf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) plain = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);
  HookData reader = { 1, 0, { 0 }, 0, 0 };
  HookData scaler = { 10, 0, { 0 }, 0, 0 };
  guint id_reader, id_scaler;

  id_reader = lt_tensor_register_hook (x, scale_hook, &reader, hook_destroy, &error);
  id_scaler = lt_tensor_register_hook (x, scale_hook, &scaler, hook_destroy, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id_reader, !=, 0);
  g_assert_cmpuint (id_scaler, !=, id_reader);

  {
    g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 3, &error);
    g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);

    g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
    g_assert_no_error (error);
  }
  /* the reader saw d s / dx = 3; the scaler made it 30 */
  g_assert_cmpuint (reader.calls, ==, 1);
  g_assert_cmpuint (reader.n_seen, ==, 2);
  g_assert_cmpfloat (reader.seen[0], ==, 3);
  g_assert_cmpfloat (reader.seen[1], ==, 3);
  g_assert_cmpuint (scaler.calls, ==, 1);
  assert_values_rel (lt_tensor_get_grad (x), VALS (30, 30), 1e-6);

  /* removal: the scaler no longer runs; its data is freed */
  g_assert_true (lt_tensor_remove_hook (x, id_scaler));
  g_assert_cmpuint (scaler.destroyed, ==, 1);
  g_assert_false (lt_tensor_remove_hook (x, id_scaler));
  g_assert_true (lt_tensor_set_grad (x, NULL, &error));
  {
    g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 3, &error);
    g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);

    g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (reader.calls, ==, 2);
  g_assert_cmpuint (scaler.calls, ==, 1);
  assert_values_rel (lt_tensor_get_grad (x), VALS (3, 3), 1e-6);

  /* a tensor that does not require grad takes no hooks */
  g_assert_cmpuint (lt_tensor_register_hook (plain, scale_hook, &reader, NULL, &error), ==, 0);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);

  /* the remaining hook's data is freed with the tensor */
  g_assert_cmpuint (reader.destroyed, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&x));
  g_assert_cmpuint (reader.destroyed, ==, 1);
}

typedef struct
{
  guint    calls;
  double   seen[2]; /* .grad when the hook ran */
  guint    destroyed;
  gboolean fail;
} PostHookData;

static gboolean
post_hook (LtTensor *t, gpointer user_data, GError **error)
{
  PostHookData      *h = user_data;
  gsize              n = 0;
  g_autofree double *v = lt_tensor_to_doubles (lt_tensor_get_grad (t), &n, NULL);

  h->calls++;
  h->seen[0] = v[0];
  h->seen[1] = v[1];
  if (h->fail)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "no thanks");
      return FALSE;
    }
  return TRUE;
}

static void
post_hook_destroy (gpointer user_data)
{
  ((PostHookData *) user_data)->destroyed++;
}

static void
test_hooks_post_accumulate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) plain = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);
  PostHookData h = { 0 }, bad = { .fail = TRUE };
  guint        id;

  g_test_summary ("a post-accumulate-grad hook runs once per pass, after .grad was "
                  "accumulated (earlier passes included), as torch's "
                  "register_post_accumulate_grad_hook");
  id = lt_tensor_register_post_accumulate_grad_hook (x, post_hook, &h, post_hook_destroy, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id, !=, 0);
  for (int pass = 1; pass <= 2; pass++)
    {
      g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 3, &error);
      g_autoptr(LtTensor) z = lt_tensor_mul (y, x, &error); /* x reached twice: 6x */
      g_autoptr(LtTensor) s = lt_tensor_sum (z, &error);

      g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
      g_assert_no_error (error);
      /* once per pass, seeing the sum over the passes so far */
      g_assert_cmpuint (h.calls, ==, (guint) pass);
      g_assert_cmpfloat (h.seen[0], ==, 6 * pass);
      g_assert_cmpfloat (h.seen[1], ==, 12 * pass);
    }

  /* a failing hook fails the pass, with what it was registered on */
  g_assert_cmpuint (
    lt_tensor_register_post_accumulate_grad_hook (x, post_hook, &bad, post_hook_destroy, &error),
    !=, 0);
  {
    g_autoptr(LtTensor) s = lt_tensor_sum (x, &error);

    g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==,
                     "backward: a post-accumulate-grad hook on a leaf of shape [2] failed: "
                     "no thanks");
    g_clear_error (&error);
  }

  /* removal frees the data; only leaves that require grad take one */
  g_assert_true (lt_tensor_remove_hook (x, id));
  g_assert_cmpuint (h.destroyed, ==, 1);
  g_assert_false (lt_tensor_remove_hook (x, id));
  g_assert_cmpuint (
    lt_tensor_register_post_accumulate_grad_hook (plain, post_hook, &h, NULL, &error), ==, 0);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  {
    g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);

    g_assert_cmpuint (lt_tensor_register_post_accumulate_grad_hook (y, post_hook, &h, NULL, &error),
                      ==, 0);
    g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
    g_assert_nonnull (strstr (error->message, "not a leaf"));
  }
  g_assert_finalize_object (g_steal_pointer (&x));
  g_assert_cmpuint (bad.destroyed, ==, 1);
}

static void
test_hooks_nonleaf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) z = lt_tensor_mul (y, y, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (z, &error);
  HookData h = { -1, 0, { 0 }, 0, 0 };
  guint id;

  id = lt_tensor_register_hook (y, scale_hook, &h, hook_destroy, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_retain_grad (y, &error));
  g_assert_true (lt_tensor_backward (s, NULL, TRUE, &error));
  g_assert_no_error (error);
  /* the hook saw ds/dy = 2y = [4, 8] and negated it before it went on */
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpfloat (h.seen[0], ==, 4);
  g_assert_cmpfloat (h.seen[1], ==, 8);
  assert_values_rel (lt_tensor_get_grad (y), VALS (-4, -8), 1e-6);
  assert_values_rel (lt_tensor_get_grad (x), VALS (-8, -16), 1e-6);

  g_assert_true (lt_tensor_remove_hook (y, id));
  g_assert_cmpuint (h.destroyed, ==, 1);
  g_assert_true (lt_tensor_set_grad (x, NULL, &error));
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.calls, ==, 1);
  assert_values_rel (lt_tensor_get_grad (x), VALS (8, 16), 1e-6);
}

/* The engine's observer */

typedef struct
{
  GPtrArray *names; /* node names, in the order the observer saw them */
  GPtrArray *grads; /* copies of the gradients it saw */
  GThread   *thread;
} Observed;

static void
record_grad (LtGradFn *node, LtTensor *grad, gpointer user_data)
{
  Observed *o = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (o->thread == g_thread_self ());
  g_ptr_array_add (o->names, g_strdup (lt_grad_fn_get_name (node)));
  g_ptr_array_add (o->grads, lt_tensor_clone (grad, &error));
  g_assert_no_error (error);
}

static LtTensor *
plus_one_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  return lt_tensor_add_scalar (grad, 1, NULL);
}

static guint
observed_index (Observed *o, const char *name)
{
  guint found = G_MAXUINT;

  for (guint i = 0; i < o->names->len; i++)
    if (g_str_equal (g_ptr_array_index (o->names, i), name))
      {
        g_assert_cmpuint (found, ==, G_MAXUINT); /* seen once */
        found = i;
      }
  g_assert_cmpuint (found, !=, G_MAXUINT);
  return found;
}

static void
test_observer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) a = lt_tensor_mul_scalar (w, 2, &error);
  g_autoptr(LtTensor) b = lt_tensor_add (a, a, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (b, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) grads = g_ptr_array_new_with_free_func (g_object_unref);
  HookData h = { 10, 0, { 0 }, 0, 0 };
  Observed o = { names, grads, g_thread_self () };

  g_test_summary ("_lt_engine_backward calls its observer once per node, with the "
                  "node's complete gradient after the hooks, before the rule runs");
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_register_hook (a, scale_hook, &h, NULL, &error), >, 0);
  g_assert_cmpuint (lt_tensor_register_hook (w, plus_one_hook, NULL, NULL, &error), >, 0);
  g_assert_true (_lt_engine_backward (s, NULL, FALSE, record_grad, &o, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (names->len, ==, 4);
  /* newest first; the leaf last */
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "SumBackward0");
  g_assert_cmpstr (g_ptr_array_index (names, 3), ==, "AccumulateGrad");
  assert_values (g_ptr_array_index (grads, observed_index (&o, "SumBackward0")), VALS (1));
  assert_values (g_ptr_array_index (grads, observed_index (&o, "AddBackward0")), VALS (1, 1));
  /* a's gradient is the sum of both of add's edges (2), then its hook's x10 */
  g_assert_cmpuint (h.calls, ==, 1);
  g_assert_cmpfloat (h.seen[0], ==, 2);
  assert_values (g_ptr_array_index (grads, observed_index (&o, "MulBackward0")), VALS (20, 20));
  /* the leaf's: after its hook, what is accumulated */
  assert_values (g_ptr_array_index (grads, observed_index (&o, "AccumulateGrad")), VALS (41, 41));
  assert_values (lt_tensor_get_grad (w), VALS (41, 41));

  /* without an observer it is lt_tensor_backward() */
  {
    g_autoptr(LtTensor) w2 = leaf_of (VALS (1, 2), DIMS (2));
    g_autoptr(LtTensor) y = lt_tensor_mul (w2, w2, &error);
    g_autoptr(LtTensor) s2 = lt_tensor_sum (y, &error);

    g_assert_true (_lt_engine_backward (s2, NULL, TRUE, NULL, NULL, &error));
    g_assert_no_error (error);
    assert_values (lt_tensor_get_grad (w2), VALS (2, 4));
    /* retained: a second pass adds again */
    g_assert_true (_lt_engine_backward (s2, NULL, FALSE, NULL, NULL, &error));
    assert_values (lt_tensor_get_grad (w2), VALS (4, 8));
  }
}

/* Node structure */

static void
test_next_functions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4, 5, 6), DIMS (2, 3));
  g_autoptr(LtTensor) w = lt_ones (DIMS (2, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) xx = lt_tensor_mul (x, x, &error);
  g_autoptr(LtTensor) z = lt_tensor_add (xx, w, &error);
  LtGradFn *add, *mul, *acc0, *acc1;
  guint nr = 99;
  guint nd;
  const gint64 *shape;

  g_assert_no_error (error);
  add = lt_tensor_get_grad_fn (z);
  g_assert_cmpstr (lt_grad_fn_get_name (add), ==, "AddBackward0");
  /* ((MulBackward0, 0), (None, 0)) */
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (add), ==, 2);
  mul = lt_grad_fn_get_next_function (add, 0, &nr);
  g_assert_true (mul == lt_tensor_get_grad_fn (xx));
  g_assert_cmpuint (nr, ==, 0);
  g_assert_null (lt_grad_fn_get_next_function (add, 1, NULL));

  /* x * x: both edges reach the same AccumulateGrad of x */
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (mul), ==, 2);
  acc0 = lt_grad_fn_get_next_function (mul, 0, NULL);
  acc1 = lt_grad_fn_get_next_function (mul, 1, NULL);
  g_assert_nonnull (acc0);
  g_assert_true (acc0 == acc1);
  g_assert_cmpstr (lt_grad_fn_get_name (acc0), ==, "AccumulateGrad");
  g_assert_true (lt_grad_fn_get_variable (acc0) == x);
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (acc0), ==, 0);
  g_assert_null (lt_grad_fn_get_variable (mul));

  /* MulBackward0 saved both operands, of x's shape */
  g_assert_cmpuint (lt_grad_fn_get_n_saved_tensors (mul), ==, 2);
  shape = lt_grad_fn_get_saved_shape (mul, 0, &nd);
  g_assert_cmpuint (nd, ==, 2);
  g_assert_cmpint (shape[0], ==, 2);
  g_assert_cmpint (shape[1], ==, 3);

  /* later nodes have higher sequence numbers */
  g_assert_cmpuint (lt_grad_fn_get_sequence_number (add), >, lt_grad_fn_get_sequence_number (mul));
}

static void
test_node_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4), DIMS (2, 2));
  struct { LtTensor *t; const char *name; } cases[] = {
    { lt_tensor_t (x, &error), "TBackward0" },
    { lt_tensor_select (x, 0, 1, &error), "SelectBackward0" },
    { lt_tensor_view (x, DIMS (4), &error), "ViewBackward0" },
    { lt_tensor_sum (x, &error), "SumBackward0" },
    { lt_tensor_mm (x, x, &error), "MmBackward0" },
    { lt_tensor_expand (x, DIMS (2, 2, 2), &error), "ExpandBackward0" },
    { lt_tensor_div_scalar (x, 2, &error), "DivBackward0" },
    { lt_tensor_sub (x, x, &error), "SubBackward0" },
    { lt_tensor_clone (x, &error), "CloneBackward0" },
    { lt_tensor_exp (x, &error), "ExpBackward0" },
    { lt_tensor_neg (x, &error), "NegBackward0" },
    { lt_tensor_permute (x, (const gint[]) { 1, 0 }, 2, &error), "PermuteBackward0" },
    { lt_tensor_unsqueeze (x, 0, &error), "UnsqueezeBackward0" },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      assert_grad_fn (cases[i].t, cases[i].name);
      g_object_unref (cases[i].t);
    }
}

/* The graph walk */

static void
test_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4, 5, 6), DIMS (2, 3));
  g_autoptr(LtTensor) w = lt_ones (DIMS (3, 4), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) r = NULL;
  g_autoptr(LtTensor) out = NULL;
  autofinal LtGraph *graph = NULL;
  g_autofree char *dot = NULL;
  guint n_nodes, n_edges, arrows = 0;
  gboolean seen_param = FALSE, seen_x = FALSE;

  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  lt_tensor_set_is_parameter (w, TRUE);
  g_assert_true (lt_tensor_get_is_parameter (w));
  h = lt_tensor_mm (x, w, &error);
  r = lt_tensor_relu (h, &error);
  out = lt_tensor_mean (r, &error);
  g_assert_no_error (error);

  graph = lt_graph_new (out);
  g_assert_true (lt_graph_get_output (graph) == out);
  /* AccumulateGrad x, AccumulateGrad w, MmBackward0, ReluBackward0,
   * MeanBackward0 */
  n_nodes = lt_graph_get_n_nodes (graph);
  g_assert_cmpuint (n_nodes, ==, 5);
  g_assert_true (lt_graph_get_node (graph, n_nodes - 1) == lt_tensor_get_grad_fn (out));
  g_assert_cmpint (lt_graph_find_node (graph, lt_tensor_get_grad_fn (h)), >=, 0);
  g_assert_cmpint (lt_graph_find_node (graph, lt_tensor_get_grad_fn (x)), ==, -1);

  /* every edge goes forward in the order: producers first */
  n_edges = lt_graph_get_n_edges (graph);
  g_assert_cmpuint (n_edges, ==, 4);
  for (guint e = 0; e < n_edges; e++)
    {
      guint from, to;

      g_assert_true (lt_graph_get_edge (graph, e, &from, &to));
      g_assert_cmpuint (from, <, to);
      g_assert_cmpuint (to, <, n_nodes);
    }
  {
    guint from, to;
    g_assert_false (lt_graph_get_edge (graph, n_edges, &from, &to));
  }
  /* the edges are those of the nodes' next functions */
  for (guint i = 0; i < n_nodes; i++)
    {
      LtGradFn *fn = lt_graph_get_node (graph, i);

      for (guint k = 0; k < lt_grad_fn_get_n_next_functions (fn); k++)
        {
          LtGradFn *next = lt_grad_fn_get_next_function (fn, k, NULL);
          gboolean found = FALSE;

          if (next == NULL)
            continue;
          for (guint e = 0; e < n_edges; e++)
            {
              guint from, to;

              lt_graph_get_edge (graph, e, &from, &to);
              found |= from == (guint) lt_graph_find_node (graph, next) && to == i;
            }
          g_assert_true (found);
        }
    }

  g_assert_cmpuint (lt_graph_get_n_leaves (graph), ==, 2);
  for (guint l = 0; l < 2; l++)
    {
      guint node = 99;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);
      guint nd;
      const gint64 *shape = lt_tensor_get_shape (leaf, &nd);

      g_assert_cmpuint (node, <, n_nodes);
      g_assert_cmpstr (lt_grad_fn_get_name (lt_graph_get_node (graph, node)), ==, "AccumulateGrad");
      g_assert_cmpuint (nd, ==, 2);
      if (leaf == w)
        {
          g_assert_true (lt_tensor_get_is_parameter (leaf));
          g_assert_cmpint (shape[0], ==, 3);
          g_assert_cmpint (shape[1], ==, 4);
          seen_param = TRUE;
        }
      else
        {
          g_assert_true (leaf == x);
          g_assert_false (lt_tensor_get_is_parameter (leaf));
          g_assert_cmpint (shape[0], ==, 2);
          g_assert_cmpint (shape[1], ==, 3);
          seen_x = TRUE;
        }
    }
  g_assert_true (seen_param && seen_x);
  g_assert_null (lt_graph_get_leaf (graph, 2, NULL));

  dot = lt_graph_to_dot (graph);
  g_assert_true (g_str_has_prefix (dot, "digraph {"));
  g_assert_true (g_str_has_suffix (dot, "}\n"));
  g_assert_nonnull (strstr (dot, "MmBackward0"));
  g_assert_nonnull (strstr (dot, "ReluBackward0"));
  g_assert_nonnull (strstr (dot, "MeanBackward0"));
  g_assert_nonnull (strstr (dot, "(3, 4)"));
  g_assert_nonnull (strstr (dot, "(2, 3)"));
  g_assert_nonnull (strstr (dot, "lightblue"));
  /* one arrow per edge, per leaf and to the output */
  for (const char *p = dot; (p = strstr (p, "->")) != NULL; p += 2)
    arrows++;
  g_assert_cmpuint (arrows, ==, n_edges + 2 + 1);

  /* the graph outlives the tensors it was made from */
  g_clear_object (&out);
  g_clear_object (&r);
  g_clear_object (&h);
  g_assert_cmpuint (lt_graph_get_n_nodes (graph), ==, 5);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_graph_get_node (graph, 4)), ==, "MeanBackward0");

  /* a tensor without history gives an empty graph */
  {
    g_autoptr(LtTensor) plain = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);
    autofinal LtGraph *empty = lt_graph_new (plain);

    g_assert_cmpuint (lt_graph_get_n_nodes (empty), ==, 0);
    g_assert_cmpuint (lt_graph_get_n_leaves (empty), ==, 0);
  }
}

/* gradcheck */

static LtTensor *
sin_times_x (LtTensor **inputs,
             gsize      n_inputs,
             gpointer   user_data)
{
  g_autoptr(LtTensor) s = lt_tensor_sin (inputs[0], NULL);

  return lt_tensor_mul (s, inputs[1], NULL);
}

static LtTensor *
double_grad_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  return lt_tensor_mul_scalar (grad, 2, NULL);
}

/* exp(x) whose backward is doubled by a hook: a wrong gradient */
static LtTensor *
wrong_exp (LtTensor **inputs,
           gsize      n_inputs,
           gpointer   user_data)
{
  LtTensor *y = lt_tensor_exp (inputs[0], NULL);

  if (lt_tensor_get_requires_grad (y))
    lt_tensor_register_hook (y, double_grad_hook, NULL, NULL, NULL);
  return y;
}

/* exp of a transposed view, then a mean: a right gradient */
static LtTensor *
exp_transposed_mean (LtTensor **inputs,
                     gsize      n_inputs,
                     gpointer   user_data)
{
  g_autoptr(LtTensor) t = lt_tensor_t (inputs[0], NULL);
  g_autoptr(LtTensor) e = lt_tensor_exp (t, NULL);

  return lt_tensor_mean_dim (e, 1, FALSE, NULL);
}

static void
test_gradcheck (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = tensor_of (VALS (0.3, -1.2, 2.0, 0.7, -0.4, 1.1), DIMS (2, 3),
                                     LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) b = tensor_of (VALS (1.5, 0.2, -0.8), DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) f32 = tensor_of (VALS (1, 2), DIMS (2), LT_DTYPE_FLOAT32);
  LtTensor *inputs[2] = { a, b };

  g_assert_true (lt_tensor_set_requires_grad (a, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  g_assert_true (lt_gradcheck (sin_times_x, NULL, inputs, 2, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
  /* gradcheck leaves .grad as it found it */
  g_assert_null (lt_tensor_get_grad (a));

  g_assert_true (lt_gradcheck (exp_transposed_mean, NULL, inputs, 1, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);

  /* a doubled gradient is caught */
  g_assert_false (lt_gradcheck (wrong_exp, NULL, inputs, 1, 1e-6, 1e-5, 1e-3, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "mismatch"));
  g_clear_error (&error);

  /* float32 inputs are refused: finite differences need float64 */
  g_assert_true (lt_tensor_set_requires_grad (f32, TRUE, &error));
  inputs[0] = f32;
  g_assert_false (lt_gradcheck (wrong_exp, NULL, inputs, 1, 1e-6, 1e-5, 1e-3, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
}

/* Gradients through broadcasting, views, indexing, matmul */

static void
test_grad_broadcast (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = leaf_of (VALS (1, 2, 3), DIMS (3, 1));
  g_autoptr(LtTensor) b = leaf_of (VALS (10, 20, 30, 40), DIMS (1, 4));
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4, 5, 6), DIMS (2, 3));
  g_autoptr(LtTensor) bias = leaf_of (VALS (0.5, 0.5, 0.5), DIMS (3));
  g_autoptr(LtTensor) c = lt_tensor_mul (a, b, &error);
  g_autoptr(LtTensor) cs = lt_tensor_sum (c, &error);
  g_autoptr(LtTensor) y = lt_tensor_add (x, bias, &error);
  g_autoptr(LtTensor) yy = lt_tensor_mul (y, y, &error);
  g_autoptr(LtTensor) ys = lt_tensor_sum (yy, &error);

  g_assert_no_error (error);
  assert_shape (c, DIMS (3, 4));
  g_assert_true (lt_tensor_backward (cs, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* d sum(a_i b_j) / da_i = sum_j b_j = 100; / db_j = sum_i a_i = 6 */
  assert_shape (lt_tensor_get_grad (a), DIMS (3, 1));
  assert_values_rel (lt_tensor_get_grad (a), VALS (100, 100, 100), 1e-6);
  assert_shape (lt_tensor_get_grad (b), DIMS (1, 4));
  assert_values_rel (lt_tensor_get_grad (b), VALS (6, 6, 6, 6), 1e-6);

  g_assert_true (lt_tensor_backward (ys, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* d sum (x + b)^2 / db_j = sum_i 2 (x_ij + b_j) */
  assert_shape (lt_tensor_get_grad (bias), DIMS (3));
  assert_values_rel (lt_tensor_get_grad (bias),
                     VALS (2 * (1.5 + 4.5), 2 * (2.5 + 5.5), 2 * (3.5 + 6.5)), 1e-6);
  assert_values_rel (lt_tensor_get_grad (x), VALS (3, 5, 7, 9, 11, 13), 1e-6);
}

static void
test_grad_views (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), DIMS (3, 4));
  g_autoptr(LtTensor) col = lt_tensor_select (x, 1, 2, &error);
  g_autoptr(LtTensor) rows = lt_tensor_narrow (x, 0, 1, 2, &error);
  g_autoptr(LtTensor) odd = lt_tensor_slice (x, 1, 1, 4, 2, &error);
  g_autoptr(LtTensor) xt = lt_tensor_t (x, &error);
  g_autoptr(LtTensor) flat = lt_tensor_view (x, DIMS (12), &error);
  g_autoptr(LtTensor) first = lt_tensor_narrow (flat, 0, 0, 1, &error);
  g_autoptr(LtTensor) s1 = lt_tensor_sum (col, &error);
  g_autoptr(LtTensor) r2 = lt_tensor_mul_scalar (rows, 2, &error);
  g_autoptr(LtTensor) s2 = lt_tensor_sum (r2, &error);
  g_autoptr(LtTensor) osq = lt_tensor_mul (odd, odd, &error);
  g_autoptr(LtTensor) s3 = lt_tensor_sum (osq, &error);
  g_autoptr(LtTensor) trow = lt_tensor_select (xt, 0, 3, &error);   /* x[:, 3] */
  g_autoptr(LtTensor) s4 = lt_tensor_sum (trow, &error);
  g_autoptr(LtTensor) f10 = lt_tensor_mul_scalar (first, 10, &error);
  g_autoptr(LtTensor) s5 = lt_tensor_sum (f10, &error);
  LtTensor *parts[] = { s1, s2, s3, s4, s5 };
  g_autoptr(LtTensor) st = lt_stack (parts, 5, 0, &error);
  g_autoptr(LtTensor) total = lt_tensor_sum (st, &error);

  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (total, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* x[:,2] -> +1; rows 1,2 -> +2; cols 1,3 -> +2x; x[:,3] -> +1;
   * x[0,0] -> +10 */
  assert_values_rel (lt_tensor_get_grad (x), VALS (10, 2, 1, 2 * 3 + 1,
                                                   2, 2 + 2 * 5, 3, 2 + 2 * 7 + 1,
                                                   2, 2 + 2 * 9, 3, 2 + 2 * 11 + 1), 1e-6);
}

static void
test_grad_indexing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf_of (VALS (1, 2, 3, 4, 5, 6), DIMS (3, 2));
  const gint64 idx_v[] = { 0, 2, 0 };
  const gint64 gidx_v[] = { 1, 0, 1, 1, 0, 0 };
  g_autoptr(LtTensor) idx = lt_tensor_new_from_int64s (idx_v, 3, DIMS (3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) gidx = lt_tensor_new_from_int64s (gidx_v, 6, DIMS (3, 2), LT_DTYPE_INT64,
                                                       &error);
  g_autoptr(LtTensor) sel = lt_tensor_index_select (x, 0, idx, &error);
  g_autoptr(LtTensor) s1 = lt_tensor_sum (sel, &error);
  g_autoptr(LtTensor) gat = lt_tensor_gather (x, 1, gidx, &error);
  g_autoptr(LtTensor) w = tensor_of (VALS (1, 10, 100, 1000, 10000, 100000), DIMS (3, 2),
                                     LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) gw = lt_tensor_mul (gat, w, &error);
  g_autoptr(LtTensor) s2 = lt_tensor_sum (gw, &error);
  g_autoptr(LtTensor) total = lt_tensor_add (s1, s2, &error);
  g_autoptr(LtTensor) e = leaf_of (VALS (1, 2, 3), DIMS (3, 1));
  g_autoptr(LtTensor) ex = lt_tensor_expand (e, DIMS (3, 4), &error);
  g_autoptr(LtTensor) es = lt_tensor_sum (ex, &error);

  g_assert_no_error (error);
  assert_values_rel (sel, VALS (1, 2, 5, 6, 1, 2), 1e-6);
  /* gather along dim 1: out[i][j] = x[i][gidx[i][j]] */
  assert_values_rel (gat, VALS (2, 1, 4, 4, 5, 5), 1e-6);
  g_assert_true (lt_tensor_backward (total, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* index_select: row 0 twice, row 2 once. gather: x[0][1] += 1,
   * x[0][0] += 10, x[1][1] += 100 + 1000, x[2][0] += 10000 + 100000 */
  assert_values_rel (lt_tensor_get_grad (x), VALS (2 + 10, 2 + 1, 0, 1100, 1 + 110000, 1), 1e-6);

  g_assert_true (lt_tensor_backward (es, NULL, FALSE, &error));
  assert_shape (lt_tensor_get_grad (e), DIMS (3, 1));
  assert_values_rel (lt_tensor_get_grad (e), VALS (4, 4, 4), 1e-6);
}

static void
test_grad_mm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = leaf_of (VALS (1, 2, 3, 4, 5, 6), DIMS (2, 3));
  g_autoptr(LtTensor) b = leaf_of (VALS (1, -1, 2, 0, 0.5, 3), DIMS (3, 2));
  g_autoptr(LtTensor) c = lt_tensor_mm (a, b, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (c, &error);

  g_assert_no_error (error);
  /* c = [[1 + 4 + 1.5, -1 + 0 + 9], [4 + 10 + 3, -4 + 0 + 18]] */
  assert_values_rel (c, VALS (6.5, 8, 17, 14), 1e-6);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* dA = 1 B^T: row sums of B; dB = A^T 1: column sums of A */
  assert_values_rel (lt_tensor_get_grad (a), VALS (0, 2, 3.5, 0, 2, 3.5), 1e-6);
  assert_values_rel (lt_tensor_get_grad (b), VALS (5, 5, 7, 7, 9, 9), 1e-6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Autograd: the tutorial, the engine, hooks, graphs and gradcheck");

  g_test_add_func ("/autograd/tutorial/mean", test_tutorial_mean);
  g_test_add_func ("/autograd/tutorial/doubling", test_tutorial_doubling);
  g_test_add_func ("/autograd/backward/accumulate", test_accumulate);
  g_test_add_func ("/autograd/backward/joins", test_backward_joins);
  g_test_add_func ("/autograd/backward/retain-graph", test_retain_graph);
  g_test_add_func ("/autograd/backward/non-scalar", test_nonscalar_backward);
  g_test_add_func ("/autograd/version/saved-modified", test_saved_modified);
  g_test_add_func ("/autograd/version/inplace-leaf", test_inplace_leaf);
  g_test_add_func ("/autograd/mode/no-grad", test_no_grad);
  g_test_add_func ("/autograd/mode/detach", test_detach);
  g_test_add_func ("/autograd/mode/requires-grad", test_requires_grad_int);
  g_test_add_func ("/autograd/retain-grad", test_retain_grad);
  g_test_add_func ("/autograd/hooks/leaf", test_hooks_leaf);
  g_test_add_func ("/autograd/hooks/non-leaf", test_hooks_nonleaf);
  g_test_add_func ("/autograd/hooks/post-accumulate", test_hooks_post_accumulate);
  g_test_add_func ("/autograd/engine/observer", test_observer);
  g_test_add_func ("/autograd/nodes/next-functions", test_next_functions);
  g_test_add_func ("/autograd/nodes/names", test_node_names);
  g_test_add_func ("/autograd/graph", test_graph);
  g_test_add_func ("/autograd/gradcheck", test_gradcheck);
  g_test_add_func ("/autograd/grad/broadcast", test_grad_broadcast);
  g_test_add_func ("/autograd/grad/views", test_grad_views);
  g_test_add_func ("/autograd/detach-in-place", test_detach_in_place);
  g_test_add_func ("/autograd/grad/indexing", test_grad_indexing);
  g_test_add_func ("/autograd/grad/mm", test_grad_mm);

  return g_test_run ();
}
