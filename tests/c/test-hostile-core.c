/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile inputs against the core ops and autograd: what a careless or
 * malicious caller passes (sizes and dimensions that overflow, negative or
 * huge arguments, NaN and infinities, aliasing in-place ops, backward
 * twice, hooks that misbehave, threads). Each probe is one test case; each
 * expects what PyTorch 1.13 does with the same input, or a GError naming
 * the op where PyTorch raises, and never a crash, a hang or wrong numbers.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <libtensor.h>

#include "autograd/lt-grad-fn-private.h"
#include "test-helpers.h"

static LtTensor *
leaf_of (const double *v, gsize n, const gint64 *shape, gsize n_dims)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = tensor_of (v, n, shape, n_dims, LT_DTYPE_FLOAT32);

  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
  g_assert_no_error (error);
  return t;
}

/* Autograd: threads */

#define N_THREADS 4
#define N_PASSES 1000

typedef struct
{
  LtTensor *w;   /* the shared leaf */
  LtTensor *out; /* a shared output (retain_graph), or NULL */
  double    scale;
  gboolean  ok;
  char     *message;
} PassData;

/* Builds its own graph through the shared leaf and runs backward on it,
 * N_PASSES times (or runs backward through a shared graph). */
static gpointer
backward_thread (gpointer user_data)
{
  PassData *d = user_data;

  d->ok = TRUE;
  for (guint k = 0; k < N_PASSES && d->ok; k++)
    {
      g_autoptr(GError) error = NULL;

      if (d->out)
        d->ok = lt_tensor_backward (d->out, NULL, TRUE, &error);
      else
        {
          g_autoptr(LtTensor) y = lt_tensor_mul_scalar (d->w, d->scale, &error);
          g_autoptr(LtTensor) z = y ? lt_tensor_mul (y, d->w, &error) : NULL;
          g_autoptr(LtTensor) s = z ? lt_tensor_sum (z, &error) : NULL;

          d->ok = s && lt_tensor_backward (s, NULL, FALSE, &error);
        }
      if (!d->ok)
        d->message = g_strdup (error ? error->message : "(no error)");
    }
  return NULL;
}

static void
test_threads_shared_leaf (void)
{
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2, 3), DIMS (3));
  PassData data[N_THREADS];
  GThread *threads[N_THREADS];
  double   want_factor = 0;
  double   want[3];

  g_test_summary ("Threads running backward through their own graphs over one "
                  "leaf: every pass is added into its .grad");
  for (guint t = 0; t < N_THREADS; t++)
    {
      data[t] = (PassData){ w, NULL, t + 1, FALSE, NULL };
      want_factor += 2.0 * (t + 1) * N_PASSES;
    }
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("backward", backward_thread, &data[t]);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_assert_cmpstr (data[t].message, ==, NULL);
      g_assert_true (data[t].ok);
    }
  /* d/dw sum (c w^2) = 2 c w */
  for (guint i = 0; i < 3; i++)
    want[i] = want_factor * (i + 1);
  assert_values_rel (lt_tensor_get_grad (w), want, 3, 1e-6);
}

static void
test_threads_shared_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2, 3), DIMS (3));
  g_autoptr(LtTensor) y = lt_tensor_mul (w, w, &error);
  g_autoptr(LtTensor) out = lt_tensor_sum (y, &error);
  PassData data[N_THREADS];
  GThread *threads[N_THREADS];
  double   want[3];

  g_test_summary ("Threads running backward (retain_graph) through one shared graph");
  g_assert_no_error (error);
  for (guint t = 0; t < N_THREADS; t++)
    data[t] = (PassData){ w, out, 0, FALSE, NULL };
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("backward", backward_thread, &data[t]);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_assert_cmpstr (data[t].message, ==, NULL);
      g_assert_true (data[t].ok);
    }
  for (guint i = 0; i < 3; i++)
    want[i] = 2.0 * (i + 1) * N_THREADS * N_PASSES;
  assert_values_rel (lt_tensor_get_grad (w), want, 3, 1e-6);
}

/* One thread frees the graph's saved tensors (no retain_graph) while the
 * others run backward through it with retain_graph: each pass either
 * completes or fails with "backward a second time"; nothing is read after
 * it was freed. */
typedef struct
{
  LtTensor *out;
  gboolean  retain;
  guint     ok, freed;
  char     *other;
} RaceData;

static gpointer
race_thread (gpointer user_data)
{
  RaceData *d = user_data;

  for (guint k = 0; k < 50; k++)
    {
      g_autoptr(GError) error = NULL;

      if (lt_tensor_backward (d->out, NULL, d->retain, &error))
        d->ok++;
      else if (g_error_matches (error, LT_ERROR, LT_ERROR_AUTOGRAD) &&
               strstr (error->message, "second time"))
        d->freed++;
      else if (d->other == NULL)
        d->other = g_strdup (error->message);
    }
  return NULL;
}

static void
test_threads_release_race (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2, 3), DIMS (3));
  g_autoptr(LtTensor) y = lt_tensor_mul (w, w, &error);
  g_autoptr(LtTensor) z = lt_tensor_exp (y, &error);
  g_autoptr(LtTensor) out = lt_tensor_sum (z, &error);
  RaceData data[N_THREADS];
  GThread *threads[N_THREADS];
  guint    ok = 0;

  g_test_summary ("A pass freeing the graph while other threads run backward through it: "
                  "each completes or reports the freed graph");
  g_assert_no_error (error);
  for (guint t = 0; t < N_THREADS; t++)
    data[t] = (RaceData){ out, t != 0, 0, 0, NULL };
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("backward", race_thread, &data[t]);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_assert_cmpstr (data[t].other, ==, NULL);
      g_assert_cmpuint (data[t].ok + data[t].freed, ==, 50);
      ok += data[t].ok;
    }
  /* the freeing thread's first pass ran; every completed pass added its
   * gradient 2 w exp (w^2) */
  g_assert_cmpuint (data[0].ok, >=, 1);
  {
    g_autofree double *g = NULL;
    gsize              n;

    g = lt_tensor_to_doubles (lt_tensor_get_grad (w), &n, &error);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpfloat_with_epsilon (g[i] / (ok * 2.0 * (i + 1) * exp ((i + 1.0) * (i + 1.0))),
                                      1.0, 1e-5);
  }
}

static gpointer
no_grad_thread (gpointer user_data)
{
  GMutex  *m = user_data;
  gboolean prev = lt_set_grad_enabled (FALSE);

  g_mutex_lock (m); /* held by the main thread until it has checked */
  g_mutex_unlock (m);
  lt_set_grad_enabled (prev);
  return GINT_TO_POINTER (prev);
}

static void
test_grad_mode_per_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1), DIMS (1));
  GMutex   m;
  GThread *t;

  g_test_summary ("lt_set_grad_enabled (FALSE) on one thread leaves another recording");
  g_mutex_init (&m);
  g_mutex_lock (&m);
  t = g_thread_new ("no-grad", no_grad_thread, &m);
  g_usleep (10000);
  {
    g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 2, &error);

    g_assert_true (lt_is_grad_enabled ());
    g_assert_nonnull (lt_tensor_get_grad_fn (y));
  }
  g_mutex_unlock (&m);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (t)));
  g_mutex_clear (&m);
}

static void
test_set_grad_mismatch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) g3 = lt_zeros (DIMS (3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) g64 = lt_zeros (DIMS (2), LT_DTYPE_FLOAT64, &error);

  g_test_summary ("A .grad of another shape or dtype is refused (as torch), so backward "
                  "never adds into it");
  g_assert_false (lt_tensor_set_grad (w, g3, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_tensor_set_grad (w, g64, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_null (lt_tensor_get_grad (w));
}

/* Autograd: backward from inside a hook */

typedef struct
{
  LtTensor *other; /* the output the hook runs backward on */
  gboolean  ok;
  guint     calls;
} ReentrantData;

static LtTensor *
backward_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  ReentrantData *d = user_data;

  /* a failure would fail the outer pass */
  d->calls++;
  d->ok = lt_tensor_backward (d->other, NULL, FALSE, error);
  return NULL;
}

static void
test_backward_in_hook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(LtTensor) y2 = lt_tensor_mul_scalar (w, 5, &error);
  g_autoptr(LtTensor) s2 = lt_tensor_sum (y2, &error);
  ReentrantData d = { s2, FALSE, 0 };

  g_test_summary ("A gradient hook running backward through another graph over "
                  "the same leaf");
  g_assert_cmpuint (lt_tensor_register_hook (y, backward_hook, &d, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.calls, ==, 1);
  g_assert_true (d.ok);
  /* 3 from s, 5 from s2 (run inside the hook) */
  assert_values_rel (lt_tensor_get_grad (w), VALS (8, 8), 1e-6);
}

static void
test_backward_in_leaf_hook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) v = leaf_of (VALS (4, 4), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul (w, v, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(LtTensor) y2 = lt_tensor_mul_scalar (v, 7, &error);
  g_autoptr(LtTensor) s2 = lt_tensor_sum (y2, &error);
  ReentrantData d = { s2, FALSE, 0 };

  g_test_summary ("A leaf's gradient hook running backward into a leaf of the "
                  "running pass");
  g_assert_cmpuint (lt_tensor_register_hook (w, backward_hook, &d, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.calls, ==, 1);
  assert_values_rel (lt_tensor_get_grad (w), VALS (4, 4), 1e-6);
  assert_values_rel (lt_tensor_get_grad (v), VALS (8, 9), 1e-6);
}

static LtTensor *
backward_once_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  ReentrantData *d = user_data;

  if (d->calls++ > 0)
    return NULL;
  d->ok = lt_tensor_backward (d->other, NULL, TRUE, error);
  return NULL;
}

static void
test_backward_in_hook_same_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  ReentrantData d = { s, FALSE, 0 };

  g_test_summary ("A gradient hook running backward (retain_graph) through the graph "
                  "whose backward is running");
  g_assert_cmpuint (lt_tensor_register_hook (y, backward_once_hook, &d, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, TRUE, &error));
  g_assert_no_error (error);
  /* the outer pass ran the hook, whose pass ran it again */
  g_assert_cmpuint (d.calls, ==, 2);
  g_assert_true (d.ok);
  assert_values_rel (lt_tensor_get_grad (w), VALS (6, 6), 1e-6);
}

/* Autograd: hooks that change the hook lists while they run */

typedef struct
{
  LtTensor *t;
  guint     id;
  guint     calls;
  guint     destroyed;
} SelfRemovingData;

static LtTensor *
self_removing_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  SelfRemovingData *d = user_data;

  d->calls++;
  g_assert_true (lt_tensor_remove_hook (d->t, d->id));
  /* the hook's data stays valid until it returns */
  g_assert_cmpuint (d->destroyed, ==, 0);
  return lt_tensor_mul_scalar (grad, 2, NULL);
}

static void
self_removing_destroy (gpointer user_data)
{
  ((SelfRemovingData *) user_data)->destroyed++;
}

static LtTensor *
adding_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  SelfRemovingData *d = user_data;

  SelfRemovingData other = { 0 };
  guint            ids[64];

  d->calls++;
  /* enough new hooks to move the list's memory, then removed again */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    ids[i] = lt_tensor_register_hook (d->t, self_removing_hook, &other, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_true (lt_tensor_remove_hook (d->t, ids[i]));
  g_assert_cmpuint (other.calls, ==, 0);
  return NULL;
}

static void
test_hook_removes_itself (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  SelfRemovingData d = { y, 0, 0, 0 };
  SelfRemovingData dw = { w, 0, 0, 0 };

  g_test_summary ("Gradient hooks that remove themselves while they run");
  d.id = lt_tensor_register_hook (y, self_removing_hook, &d, self_removing_destroy, &error);
  dw.id = lt_tensor_register_hook (w, self_removing_hook, &dw, self_removing_destroy, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.calls, ==, 1);
  g_assert_cmpuint (d.destroyed, ==, 1);
  g_assert_cmpuint (dw.calls, ==, 1);
  g_assert_cmpuint (dw.destroyed, ==, 1);
  assert_values_rel (lt_tensor_get_grad (w), VALS (12, 12), 1e-6);
}

static void
test_hook_adds_hooks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  SelfRemovingData d = { y, 0, 0, 0 };

  g_test_summary ("A gradient hook that registers and removes hooks while it runs");
  d.id = lt_tensor_register_hook (y, adding_hook, &d, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (d.calls, ==, 1);
  assert_values_rel (lt_tensor_get_grad (w), VALS (3, 3), 1e-6);
}

/* Autograd: hooks that fail or return the wrong thing */

static LtTensor *
failing_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  guint *calls = user_data;

  (*calls)++;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the hook's own failure");
  return NULL;
}

static LtTensor *
double_dtype_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  return lt_tensor_to_dtype (grad, LT_DTYPE_FLOAT64, error);
}

static LtTensor *
narrow_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  return lt_tensor_narrow (grad, 0, 0, 1, error);
}

static void
test_hook_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  guint calls = 0;

  g_test_summary ("A hook that sets its GError fails the backward pass with it");
  g_assert_cmpuint (lt_tensor_register_hook (y, failing_hook, &calls, NULL, &error), >, 0);
  g_assert_false (lt_tensor_backward (s, NULL, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "the hook's own failure"));
  g_assert_nonnull (strstr (error->message, "MulBackward0"));
  g_assert_cmpuint (calls, ==, 1);
  /* the pass stopped there: nothing reached the leaf */
  g_assert_null (lt_tensor_get_grad (w));
}

static void
test_leaf_hook_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(LtTensor) g = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);
  guint calls = 0;

  g_test_summary ("A leaf's hook that fails fails the pass, also on the leaf itself");
  g_assert_cmpuint (lt_tensor_register_hook (w, failing_hook, &calls, NULL, &error), >, 0);
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "a leaf of shape [2]"));
  g_clear_error (&error);
  g_assert_false (lt_tensor_backward (w, g, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (calls, ==, 2);
  g_assert_null (lt_tensor_get_grad (w));
}

static void
test_hook_changes_dtype (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);

  g_test_summary ("A hook that returns a gradient of another dtype is an error (as torch)");
  g_assert_cmpuint (lt_tensor_register_hook (y, double_dtype_hook, NULL, NULL, &error), >, 0);
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "float64"));
  g_assert_null (lt_tensor_get_grad (w));
}

static void
test_hook_changes_shape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (w, 3, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);

  g_test_summary ("A hook that returns a gradient of another shape is an error");
  g_assert_cmpuint (lt_tensor_register_hook (w, narrow_hook, NULL, NULL, &error), >, 0);
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "[1]"));
  g_assert_null (lt_tensor_get_grad (w));
}

/* Autograd: backward twice */

static void
test_backward_twice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1, 2), DIMS (2));
  g_autoptr(LtTensor) y = lt_tensor_mul (w, w, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);

  g_test_summary ("A second backward through a freed graph is an error naming the node");
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "MulBackward0"));
  g_assert_nonnull (strstr (error->message, "second time"));
  /* the first pass's gradient is still there, and not doubled */
  assert_values_rel (lt_tensor_get_grad (w), VALS (2, 4), 1e-6);
}

/* Autograd: long histories */

static void
test_long_chain_free (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) loss = leaf_of (VALS (1), DIMS (1));
  LtTensor   *total = lt_zeros (DIMS (1), LT_DTYPE_FLOAT32, &error);
  const guint n = 10 * 1000 * 1000;
  LtGradFn   *first;

  g_test_summary ("A history of ten million additions (total = total + loss without "
                  ".item()) is freed without exhausting the stack");
  g_assert_no_error (error);
  /* The graph lt_tensor_add() records, without its arithmetic (the test
   * is about the history, and ten million kernels take long): each step's
   * tensor is a view of the same storage holding a new AddBackward0 node. */
  for (guint i = 0; i < n; i++)
    {
      LtTensor *inputs[2] = { total, loss };
      LtGradFn *node = _lt_autograd_record (LT_OP_ADD, inputs, 2);
      LtTensor *next = lt_tensor_detach (total);

      g_assert_nonnull (node);
      _lt_autograd_set_output (node, next);
      g_object_unref (total);
      total = next;
    }
  /* the chain is whole: ten million nodes down to the first addition */
  first = lt_tensor_get_grad_fn (total);
  for (guint i = 1; i < n; i++)
    first = lt_grad_fn_get_next_function (first, 0, NULL);
  g_assert_cmpstr (lt_grad_fn_get_name (first), ==, "AddBackward0");
  g_assert_null (lt_grad_fn_get_next_function (first, 0, NULL));
  g_assert_cmpstr (lt_grad_fn_get_name (lt_grad_fn_get_next_function (first, 1, NULL)), ==,
                   "AccumulateGrad");
  g_assert_finalize_object (total);
  g_assert_finalize_object (g_steal_pointer (&loss));
}

static void
test_long_chain_backward (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1), DIMS (1));
  LtTensor   *total = lt_zeros (DIMS (1), LT_DTYPE_FLOAT32, &error);
  const guint n = 200 * 1000;

  g_test_summary ("Backward through a chain of 200,000 nodes");
  for (guint i = 0; i < n; i++)
    {
      LtTensor *next = lt_tensor_add (total, w, &error);

      g_object_unref (total);
      total = next;
    }
  g_assert_true (lt_tensor_backward (total, NULL, FALSE, &error));
  g_assert_no_error (error);
  assert_values (lt_tensor_get_grad (w), VALS (n));
  g_object_unref (total);
}

static void
test_wide_backward (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = leaf_of (VALS (1), DIMS (1));
  const guint n = 20000;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) all = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autofree double *want = g_new (double, 1);

  g_test_summary ("Backward through a node with 20,000 inputs that become ready at "
                  "once (the ready queue must not be sorted on every insertion)");
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (parts, lt_tensor_mul_scalar (w, i % 7, &error));
  all = lt_cat ((LtTensor **) parts->pdata, n, 0, &error);
  g_assert_no_error (error);
  s = lt_tensor_sum (all, &error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  want[0] = 0;
  for (guint i = 0; i < n; i++)
    want[0] += i % 7;
  assert_values (lt_tensor_get_grad (w), want, 1);
}

/* Shapes: sizes and strides near 2^63 */

#define BIG G_MAXINT64

/* Fails unless @t is NULL and @error an LT_ERROR of @code whose message
 * holds every needle (NULL-terminated). */
static void
assert_fails (LtTensor *t, GError *error, gint code, const char *needle, ...)
{
  va_list ap;

  g_assert_null (t);
  g_assert_error (error, LT_ERROR, code);
  va_start (ap, needle);
  for (const char *n = needle; n; n = va_arg (ap, const char *))
    if (strstr (error->message, n) == NULL)
      g_error ("\"%s\" not in the message \"%s\"", n, error->message);
  va_end (ap);
}

static void
test_view_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) empty = lt_zeros (DIMS (0), LT_DTYPE_FLOAT32, &error);
  LtTensor *v;

  g_test_summary ("A view whose sizes multiply past 2^63 is refused, even when the "
                  "product wraps around to the 0 elements of an empty tensor");
  v =
    lt_tensor_view (empty, DIMS (G_GINT64_CONSTANT (1) << 32, G_GINT64_CONSTANT (1) << 32), &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "view", "[4294967296, 4294967296]", NULL);
  g_clear_error (&error);
  v = lt_tensor_view (empty, DIMS (G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40, 0),
                      &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "view", "1099511627776", NULL);
  g_clear_error (&error);
  v = lt_tensor_view (empty, DIMS (-1, G_GINT64_CONSTANT (1) << 32, G_GINT64_CONSTANT (1) << 32),
                      &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "view", NULL);
}

static void
test_reshape_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) empty = lt_zeros (DIMS (0, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) t = NULL;
  LtTensor *v;

  g_test_summary ("reshape of a non-contiguous empty tensor to sizes past 2^63");
  t = lt_tensor_t (empty, &error);
  v = lt_tensor_reshape (t, DIMS (G_GINT64_CONSTANT (1) << 62, 8), &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "reshape", "[4611686018427387904, 8]", NULL);
}

static void
test_expand_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) one = lt_ones (DIMS (1), LT_DTYPE_FLOAT32, &error);
  LtTensor *v;

  g_test_summary ("expand to sizes whose product passes 2^63");
  v =
    lt_tensor_expand (one, DIMS (G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40), &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "expand", "[1099511627776, 1099511627776]", NULL);
  g_clear_error (&error);
  v = lt_tensor_expand (one, DIMS (-2), &error);
  assert_fails (v, error, LT_ERROR_SHAPE, "expand", "-2", NULL);
}

static void
test_slice_huge_step (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (10), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) m = iota (DIMS (10, 3), LT_DTYPE_FLOAT32);

  g_test_summary ("x[::2**63-1] is x's first element (one, as Python's lists), from any "
                  "start, along any dimension");
  for (gint64 start = 0; start < 10; start++)
    {
      g_autoptr(LtTensor) s = lt_tensor_slice (x, 0, start, BIG, BIG, &error);

      g_assert_no_error (error);
      assert_shape (s, DIMS (1));
      g_assert_cmpfloat (item (s), ==, start);
    }
  {
    g_autoptr(LtTensor) s = lt_tensor_slice (m, 0, 8, 10, BIG - 1, &error);
    g_autoptr(LtTensor) s2 = lt_tensor_slice (m, 1, 1, BIG, BIG, &error);
    g_autoptr(LtTensor) s3 = lt_tensor_slice (x, 0, 3, 9, G_GINT64_CONSTANT (1) << 62, &error);
    g_autoptr(LtTensor) s4 = lt_tensor_slice (x, 0, 10, BIG, BIG, &error);

    g_assert_no_error (error);
    assert_shape (s, DIMS (1, 3));
    assert_values (s, VALS (24, 25, 26));
    assert_shape (s2, DIMS (10, 1));
    assert_shape (s3, DIMS (1));
    assert_shape (s4, DIMS (0));
  }
}

static void
test_cat_huge_step (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (10), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) s = lt_tensor_slice (x, 0, 8, 10, BIG, &error);
  g_autoptr(LtTensor) y = iota (DIMS (3), LT_DTYPE_FLOAT32);
  LtTensor *parts[2] = { s, y };
  g_autoptr(LtTensor) c = lt_cat (parts, 2, 0, &error);

  g_test_summary ("cat of a slice with a huge step keeps every row");
  g_assert_no_error (error);
  assert_shape (c, DIMS (4));
  assert_values (c, VALS (8, 0, 1, 2));
}

static void
test_cat_size_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) one = lt_ones (DIMS (1), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) big = lt_tensor_expand (one, DIMS (G_GINT64_CONSTANT (1) << 62), &error);
  LtTensor *parts[3] = { big, big, big };
  LtTensor *c;

  g_test_summary ("cat whose sizes along the dimension add up past 2^63");
  g_assert_no_error (error);
  c = lt_cat (parts, 3, 0, &error);
  assert_fails (c, error, LT_ERROR_SHAPE, "cat", NULL);
  g_clear_error (&error);
  c = lt_stack (parts, 3, 0, &error);
  assert_fails (c, error, LT_ERROR_SHAPE, "stack", NULL);
}

static void
test_narrow_overflow (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (10), LT_DTYPE_FLOAT32);
  LtTensor *n;

  g_test_summary ("narrow whose start + length passes 2^63");
  n = lt_tensor_narrow (x, 0, BIG, 2, &error);
  assert_fails (n, error, LT_ERROR_INDEX, "narrow", "9223372036854775807", NULL);
  g_clear_error (&error);
  n = lt_tensor_narrow (x, 0, 5, BIG, &error);
  assert_fails (n, error, LT_ERROR_INDEX, "narrow", "9223372036854775807", NULL);
}

static void
test_wrap_stride_overflow (void)
{
  g_autoptr(GError) error = NULL;
  static float data[4] = { 1, 2, 3, 4 };
  LtTensor    *t;

  g_test_summary ("lt_tensor_new_wrap with strides that reach past 2^63 (and wrap to "
                  "inside the block)");
  t =
    lt_tensor_new_wrap ((guintptr) data, sizeof data, DIMS (3), DIMS (G_GINT64_CONSTANT (1) << 62),
                        LT_DTYPE_FLOAT32, NULL, NULL, NULL, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "from_blob", NULL);
  g_clear_error (&error);
  t = lt_tensor_new_wrap ((guintptr) data, sizeof data, DIMS (2), DIMS (BIG / 2), LT_DTYPE_FLOAT32,
                          NULL, NULL, NULL, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "from_blob", NULL);
}

static void
test_conv_huge_stride (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (1, 1, 3, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) w = lt_ones (DIMS (1, 1, 2, 2), LT_DTYPE_FLOAT32, &error);
  const gint64 stride[2] = { BIG, BIG };
  g_autoptr(LtTensor) y = lt_conv2d (x, w, NULL, stride, NULL, NULL, 1, &error);

  g_test_summary ("conv2d with a stride near 2^63: one window, the sum of its four ones");
  g_assert_no_error (error);
  assert_shape (y, DIMS (1, 1, 1, 1));
  assert_values (y, VALS (4));
}

static void
test_conv_huge_padding (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (1, 1, 3, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) w = lt_ones (DIMS (1, 1, 2, 2), LT_DTYPE_FLOAT32, &error);
  const gint64 padding[2] = { G_GINT64_CONSTANT (1) << 62, 0 };
  const gint64 dilation[2] = { 1, G_GINT64_CONSTANT (1) << 62 };
  LtTensor    *y;

  g_test_summary ("conv2d with a padding or dilation whose padded input or filter passes "
                  "2^63");
  y = lt_conv2d (x, w, NULL, NULL, padding, NULL, 1, &error);
  assert_fails (y, error, LT_ERROR_INVALID_ARGUMENT, "conv2d", "4611686018427387904", NULL);
  g_clear_error (&error);
  {
    g_autoptr(LtTensor) w3 = lt_ones (DIMS (1, 1, 1, 3), LT_DTYPE_FLOAT32, &error);

    y = lt_conv2d (x, w3, NULL, NULL, NULL, dilation, 1, &error);
    assert_fails (y, error, LT_ERROR_INVALID_ARGUMENT, "conv2d", "4611686018427387904", NULL);
  }
}

static void
test_pool_huge_dilation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (1, 1, 3, 3), LT_DTYPE_FLOAT32, &error);
  const gint64 kernel[2] = { 3, 3 };
  const gint64 padding[2] = { 1, 1 };
  const gint64 dilation[2] = { G_GINT64_CONSTANT (1) << 62, G_GINT64_CONSTANT (1) << 62 };
  LtTensor    *y;

  g_test_summary ("max_pool2d whose dilated window passes 2^63 (and wraps around)");
  y = lt_max_pool2d (x, kernel, NULL, padding, dilation, FALSE, NULL, &error);
  assert_fails (y, error, LT_ERROR_SHAPE, "max_pool2d", "too small", NULL);
  g_clear_error (&error);
  y = lt_max_pool2d (x, kernel, NULL, padding, dilation, TRUE, NULL, &error);
  assert_fails (y, error, LT_ERROR_SHAPE, "max_pool2d", "too small", NULL);
}

static void
test_pool_huge_stride (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (1, 1, 3, 3), LT_DTYPE_FLOAT32);
  const gint64 kernel[2] = { 2, 2 };
  const gint64 stride[2] = { BIG, BIG };
  const gint64 padding[2] = { 1, 1 };

  g_test_summary ("max_pool2d and avg_pool2d with a stride near 2^63: one window");
  for (guint ceil_mode = 0; ceil_mode < 2; ceil_mode++)
    {
      g_autoptr(LtTensor) mx =
                   lt_max_pool2d (x, kernel, stride, NULL, NULL, ceil_mode, NULL, &error);
      g_autoptr(LtTensor) av = lt_avg_pool2d (x, kernel, stride, NULL, ceil_mode, TRUE, 0, &error);
      g_autoptr(LtTensor) avp =
                   lt_avg_pool2d (x, kernel, stride, padding, ceil_mode, TRUE, 0, &error);

      g_assert_no_error (error);
      assert_values (mx, VALS (4));
      assert_values (av, VALS (2));
      assert_values (avp, VALS (0));
    }
}

static void
test_alloc_names_op (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) cls = iota (DIMS (2), LT_DTYPE_INT64);
  g_autoptr(LtTensor) img = lt_ones (DIMS (1, 1, 3, 3), LT_DTYPE_FLOAT32, &error);
  const gint64 huge[2] = { G_GINT64_CONSTANT (1) << 62, G_GINT64_CONSTANT (1) << 62 };
  LtTensor    *t;

  g_test_summary ("Outputs too large for memory or 64 bits are errors naming the op");
  t = lt_tensor_one_hot (cls, G_GINT64_CONSTANT (1) << 62, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "one_hot", "[2, 4611686018427387904]", NULL);
  g_clear_error (&error);
  t = lt_tensor_one_hot (cls, G_GINT64_CONSTANT (1) << 60, &error);
  assert_fails (t, error, LT_ERROR_OUT_OF_MEMORY, "one_hot", NULL);
  g_clear_error (&error);
  t = lt_adaptive_avg_pool2d (img, huge, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "adaptive_avg_pool2d", NULL);
  g_clear_error (&error);
  t = lt_linspace (0, 1, G_GINT64_CONSTANT (1) << 62, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_OUT_OF_MEMORY, "linspace", NULL);
  g_clear_error (&error);
  t = lt_zeros (DIMS (G_GINT64_CONSTANT (1) << 62), LT_DTYPE_FLOAT64, &error);
  assert_fails (t, error, LT_ERROR_OUT_OF_MEMORY, "zeros", NULL);
  g_clear_error (&error);
  t = lt_randn (DIMS (G_GINT64_CONSTANT (1) << 32, G_GINT64_CONSTANT (1) << 32), LT_DTYPE_FLOAT32,
                &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "randn", NULL);
}

static void
test_sum_expanded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) one = lt_ones (DIMS (1), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) big = lt_tensor_expand (one, DIMS (G_GINT64_CONSTANT (1) << 62), &error);
  LtTensor *s;

  g_test_summary ("sum and mean of an expanded tensor of 2^62 elements: an error, not an "
                  "abort in the partial sums' allocation");
  g_assert_no_error (error);
  s = lt_tensor_sum (big, &error);
  assert_fails (s, error, LT_ERROR_OUT_OF_MEMORY, "sum", NULL);
  g_clear_error (&error);
  s = lt_tensor_mean (big, &error);
  assert_fails (s, error, LT_ERROR_OUT_OF_MEMORY, "mean", NULL);
}

/* Arguments PyTorch refuses */

static void
test_one_hot_negative (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) cls = iota (DIMS (3), LT_DTYPE_INT64);
  LtTensor *t;

  g_test_summary ("one_hot (t, -5) is refused (it was taken as -1); -1 infers the count");
  t = lt_tensor_one_hot (cls, -5, &error);
  assert_fails (t, error, LT_ERROR_INVALID_ARGUMENT, "one_hot", "-5", NULL);
  g_clear_error (&error);
  t = lt_tensor_one_hot (cls, -1, &error);
  g_assert_no_error (error);
  assert_shape (t, DIMS (3, 3));
  g_object_unref (t);
}

static void
test_eye_negative (void)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t;

  g_test_summary ("eye (3, -5) is refused (it was taken as -1, a square matrix)");
  t = lt_eye (3, -5, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "eye", "-5", NULL);
  g_clear_error (&error);
  t = lt_eye (-2, 3, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_SHAPE, "eye", "-2", NULL);
}

static void
test_clamp_min_above_max (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = tensor_of (VALS (1, 2, 3, NAN), DIMS (4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) xi = iota (DIMS (5), LT_DTYPE_INT64);
  g_autoptr(LtTensor) y = lt_tensor_clamp (x, 3, 1, &error);
  g_autoptr(LtTensor) yi = lt_tensor_clamp (xi, 3, 1, &error);
  g_autofree double *v = NULL;
  gsize              n;

  g_test_summary ("clamp with min above max gives max everywhere, as torch (min (max (x, "
                  "lo), hi)); NaN stays NaN");
  g_assert_no_error (error);
  v = lt_tensor_to_doubles (y, &n, &error);
  g_assert_cmpfloat (v[0], ==, 1);
  g_assert_cmpfloat (v[1], ==, 1);
  g_assert_cmpfloat (v[2], ==, 1);
  g_assert_true (isnan (v[3]));
  assert_values (yi, VALS (1, 1, 1, 1, 1));
}

static void
test_print_int64_exact (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 vals[] = { G_GINT64_CONSTANT (123456789012345678), G_MININT64, 5 };
  g_autoptr(LtTensor) t = lt_tensor_new_from_int64s (vals, 3, DIMS (3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) m = NULL;

  g_test_summary ("int64 tensors print their values exactly, never in floating point");
  g_assert_no_error (error);
  assert_prints (t, "  123456789012345678\n"
                    "-9223372036854775808\n"
                    "                   5\n"
                    "[Lt.LongTensor of size 3]\n");
  m = lt_tensor_view (t, DIMS (3, 1), &error);
  g_assert_no_error (error);
  assert_prints (m, "  123456789012345678\n"
                    "-9223372036854775808\n"
                    "                   5\n"
                    "[Lt.LongTensor of size 3x1]\n");
}

/* In-place ops whose inputs alias what they write */

static void
test_index_add_aliased_index (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 xv[] = { 1, 0, 0, 0 }, sv[] = { 100, 7 };

  g_test_summary ("index_add_ and scatter_add_ whose index is a view of the tensor they "
                  "add into: the index is read as it was (it was re-read after the "
                  "additions had changed it, and pointed 100 elements past the end)");
  for (guint scatter = 0; scatter < 2; scatter++)
    {
      g_autoptr(LtTensor) x = lt_tensor_new_from_int64s (xv, 4, DIMS (4), LT_DTYPE_INT64, &error);
      g_autoptr(LtTensor) src =
                   lt_tensor_new_from_int64s (sv, 2, DIMS (2), LT_DTYPE_INT64, &error);
      g_autoptr(LtTensor) idx = lt_tensor_narrow (x, 0, 0, 2, &error);

      g_assert_no_error (error);
      if (scatter)
        g_assert_true (lt_tensor_scatter_add_ (x, 0, idx, src, &error));
      else
        g_assert_true (lt_tensor_index_add_ (x, 0, idx, src, &error));
      g_assert_no_error (error);
      assert_values (x, VALS (8, 100, 0, 0));
    }
}

static void
test_index_add_aliased_source (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 iv[] = { 1, 2 };

  g_test_summary ("index_add_ and scatter_add_ whose source is a view of the tensor they "
                  "add into add the source as it was");
  for (guint scatter = 0; scatter < 2; scatter++)
    {
      g_autoptr(LtTensor) x = lt_ones (DIMS (4), LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) idx =
                   lt_tensor_new_from_int64s (iv, 2, DIMS (2), LT_DTYPE_INT64, &error);
      g_autoptr(LtTensor) src = lt_tensor_narrow (x, 0, 0, 2, &error);

      g_assert_no_error (error);
      if (scatter)
        g_assert_true (lt_tensor_scatter_add_ (x, 0, idx, src, &error));
      else
        g_assert_true (lt_tensor_index_add_ (x, 0, idx, src, &error));
      g_assert_no_error (error);
      assert_values (x, VALS (1, 2, 2, 1));
    }
}

static void
test_inplace_overlap (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = iota (DIMS (2, 2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) xt = lt_tensor_t (x, &error);
  g_autoptr(LtTensor) v = iota (DIMS (6), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) head = lt_tensor_narrow (v, 0, 0, 5, &error);
  g_autoptr(LtTensor) tail = lt_tensor_narrow (v, 0, 1, 5, &error);

  g_test_summary ("In-place ops reading a partly overlapping view of what they write see "
                  "it as it was (x += x.t(); x[1:] = x[:-1])");
  g_assert_true (lt_tensor_add_ (x, xt, &error));
  g_assert_no_error (error);
  assert_values (x, VALS (0, 3, 3, 6));
  g_assert_true (lt_tensor_copy_ (tail, head, &error));
  g_assert_no_error (error);
  assert_values (v, VALS (0, 0, 1, 2, 3, 4));
}

static void
test_inplace_expanded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_zeros (DIMS (3, 1), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) e = lt_tensor_expand (x, DIMS (3, 3), &error);

  g_test_summary ("An in-place op on an expanded tensor is refused (its elements share "
                  "memory), as torch; the tensor is unchanged");
  g_assert_false (lt_tensor_add_scalar_ (e, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  assert_values (x, VALS (0, 0, 0));
}

/* NaN and infinity */

static void
test_nan_propagation (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = tensor_of (VALS (1, NAN, 3), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) inf = tensor_of (VALS (INFINITY, 1), DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) mx = lt_tensor_max (x, &error);
  g_autoptr(LtTensor) mn = lt_tensor_min (x, &error);
  g_autoptr(LtTensor) am = lt_tensor_argmax (x, &error);
  g_autoptr(LtTensor) sm = lt_tensor_softmax (inf, 0, &error);
  g_autoptr(LtTensor) rl = lt_tensor_relu (x, &error);
  g_autofree double *v = NULL;
  gsize              n;

  g_test_summary ("NaN and infinity propagate as in torch: max, min, argmax, softmax, relu");
  g_assert_no_error (error);
  g_assert_true (isnan (item (mx)));
  g_assert_true (isnan (item (mn)));
  g_assert_cmpfloat (item (am), ==, 1);
  v = lt_tensor_to_doubles (sm, &n, &error);
  g_assert_true (isnan (v[0]) && isnan (v[1]));
  g_free (g_steal_pointer (&v));
  v = lt_tensor_to_doubles (rl, &n, &error);
  g_assert_true (v[0] == 1 && isnan (v[1]) && v[2] == 3);
}

static void
test_nan_arguments (void)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t;

  g_test_summary ("NaN or infinite arguments where a count is derived from them are errors");
  t = lt_arange (0, NAN, 1, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_INVALID_ARGUMENT, "arange", NULL);
  g_clear_error (&error);
  t = lt_arange (0, INFINITY, 1, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_INVALID_ARGUMENT, "arange", NULL);
  g_clear_error (&error);
  t = lt_arange (0, 10, 0, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_INVALID_ARGUMENT, "arange", NULL);
  g_clear_error (&error);
  t = lt_arange (0, 1e300, 1e-300, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_OUT_OF_MEMORY, "arange", NULL);
  g_clear_error (&error);
  t = lt_linspace (0, 1, -1, LT_DTYPE_FLOAT32, &error);
  assert_fails (t, error, LT_ERROR_INVALID_ARGUMENT, "linspace", NULL);
  g_clear_error (&error);
  t = lt_linspace (NAN, 1, 3, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  {
    g_autofree double *v = NULL;
    gsize              n;

    v = lt_tensor_to_doubles (t, &n, &error);
    g_assert_cmpuint (n, ==, 3);
    g_assert_true (isnan (v[0]) && isnan (v[1]));
  }
  g_object_unref (t);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/core/autograd/threads-shared-leaf", test_threads_shared_leaf);
  g_test_add_func ("/hostile/core/autograd/threads-shared-graph", test_threads_shared_graph);
  g_test_add_func ("/hostile/core/autograd/threads-release-race", test_threads_release_race);
  g_test_add_func ("/hostile/core/autograd/grad-mode-per-thread", test_grad_mode_per_thread);
  g_test_add_func ("/hostile/core/autograd/set-grad-mismatch", test_set_grad_mismatch);
  g_test_add_func ("/hostile/core/autograd/backward-in-hook", test_backward_in_hook);
  g_test_add_func ("/hostile/core/autograd/backward-in-leaf-hook", test_backward_in_leaf_hook);
  g_test_add_func ("/hostile/core/autograd/backward-in-hook-same-graph",
                   test_backward_in_hook_same_graph);
  g_test_add_func ("/hostile/core/autograd/hook-removes-itself", test_hook_removes_itself);
  g_test_add_func ("/hostile/core/autograd/hook-adds-hooks", test_hook_adds_hooks);
  g_test_add_func ("/hostile/core/autograd/hook-fails", test_hook_fails);
  g_test_add_func ("/hostile/core/autograd/leaf-hook-fails", test_leaf_hook_fails);
  g_test_add_func ("/hostile/core/autograd/hook-changes-dtype", test_hook_changes_dtype);
  g_test_add_func ("/hostile/core/autograd/hook-changes-shape", test_hook_changes_shape);
  g_test_add_func ("/hostile/core/autograd/backward-twice", test_backward_twice);
  g_test_add_func ("/hostile/core/autograd/long-chain-free", test_long_chain_free);
  g_test_add_func ("/hostile/core/autograd/long-chain-backward", test_long_chain_backward);
  g_test_add_func ("/hostile/core/autograd/wide-backward", test_wide_backward);

  g_test_add_func ("/hostile/core/shape/view-overflow", test_view_overflow);
  g_test_add_func ("/hostile/core/shape/reshape-overflow", test_reshape_overflow);
  g_test_add_func ("/hostile/core/shape/expand-overflow", test_expand_overflow);
  g_test_add_func ("/hostile/core/shape/slice-huge-step", test_slice_huge_step);
  g_test_add_func ("/hostile/core/shape/cat-huge-step", test_cat_huge_step);
  g_test_add_func ("/hostile/core/shape/cat-size-overflow", test_cat_size_overflow);
  g_test_add_func ("/hostile/core/shape/narrow-overflow", test_narrow_overflow);
  g_test_add_func ("/hostile/core/shape/wrap-stride-overflow", test_wrap_stride_overflow);
  g_test_add_func ("/hostile/core/conv/huge-stride", test_conv_huge_stride);
  g_test_add_func ("/hostile/core/conv/huge-padding", test_conv_huge_padding);
  g_test_add_func ("/hostile/core/pool/huge-dilation", test_pool_huge_dilation);
  g_test_add_func ("/hostile/core/pool/huge-stride", test_pool_huge_stride);
  g_test_add_func ("/hostile/core/alloc/names-op", test_alloc_names_op);
  g_test_add_func ("/hostile/core/alloc/sum-expanded", test_sum_expanded);

  g_test_add_func ("/hostile/core/args/one-hot-negative", test_one_hot_negative);
  g_test_add_func ("/hostile/core/args/eye-negative", test_eye_negative);
  g_test_add_func ("/hostile/core/args/clamp-min-above-max", test_clamp_min_above_max);
  g_test_add_func ("/hostile/core/print/int64-exact", test_print_int64_exact);

  g_test_add_func ("/hostile/core/inplace/index-add-aliased-index", test_index_add_aliased_index);
  g_test_add_func ("/hostile/core/inplace/index-add-aliased-source", test_index_add_aliased_source);
  g_test_add_func ("/hostile/core/inplace/overlap", test_inplace_overlap);
  g_test_add_func ("/hostile/core/inplace/expanded", test_inplace_expanded);

  g_test_add_func ("/hostile/core/nan/propagation", test_nan_propagation);
  g_test_add_func ("/hostile/core/nan/arguments", test_nan_arguments);

  return g_test_run ();
}
