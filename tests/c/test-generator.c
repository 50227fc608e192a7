/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * LtGenerator (core/lt-generator.c): generators seeded alike give the same
 * streams, independent of the global generator and of each other when
 * pushed in turn or nested; get_state/set_state restore a stream; threads
 * sharing one generator never draw the same numbers. And the samplers of
 * ops/lt-distributions.c: bernoulli and multinomial, their draws and their
 * errors.
 */

#include <string.h>

#include <libtensor.h>

static double *
draw (LtGenerator *g, gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = NULL;
  gsize   n_values;
  double *v;

  if (g)
    lt_generator_push (g);
  t = lt_rand (&n, 1, LT_DTYPE_FLOAT64, &error);
  if (g)
    lt_generator_pop (g);
  g_assert_no_error (error);
  v = lt_tensor_to_doubles (t, &n_values, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_values, ==, (gsize) n);
  return v;
}

static void
assert_same (const double *a, const double *b, gint64 n, gboolean same)
{
  gint64 equal = 0;

  for (gint64 i = 0; i < n; i++)
    equal += a[i] == b[i];
  g_assert_cmpint (equal, ==, same ? n : 0);
}

static void
test_generator_streams (void)
{
  g_autoptr(LtGenerator) a = lt_generator_new ();
  g_autoptr(LtGenerator) b = lt_generator_new ();
  g_autoptr(LtGenerator) c = lt_generator_new ();
  guint64 seed, offset, seed2, offset2;

  g_assert_cmpuint (lt_generator_initial_seed (a), ==, G_GUINT64_CONSTANT (67280421310721));
  lt_generator_manual_seed (a, 11);
  lt_generator_manual_seed (b, 11);
  lt_generator_manual_seed (c, 12);
  lt_manual_seed (11);
  lt_random_get_state (&seed, &offset);
  {
    g_autofree double *a1 = draw (a, 50);
    g_autofree double *a2 = draw (a, 50);
    g_autofree double *b1 = draw (b, 50);
    g_autofree double *b2 = draw (b, 50);
    g_autofree double *c1 = draw (c, 50);
    g_autofree double *global = NULL;

    assert_same (a1, b1, 50, TRUE);
    assert_same (a2, b2, 50, TRUE);
    assert_same (a1, a2, 50, FALSE);
    assert_same (a1, c1, 50, FALSE);
    /* the global generator has not moved, and gives the same stream */
    lt_random_get_state (&seed2, &offset2);
    g_assert_cmpuint (seed2, ==, seed);
    g_assert_cmpuint (offset2, ==, offset);
    global = draw (NULL, 50);
    assert_same (global, a1, 50, TRUE);
  }
}

static void
test_generator_state (void)
{
  g_autoptr(LtGenerator) g = lt_generator_new ();
  guint64 seed, offset, fresh;

  lt_generator_manual_seed (g, 3);
  g_free (draw (g, 7));
  lt_generator_get_state (g, &seed, &offset);
  g_assert_cmpuint (seed, ==, 3);
  g_assert_cmpuint (offset, >, 0);
  {
    g_autofree double *x = draw (g, 20);
    g_autofree double *y = NULL;

    lt_generator_set_state (g, seed, offset);
    y = draw (g, 20);
    assert_same (x, y, 20, TRUE);
  }
  fresh = lt_generator_seed (g);
  g_assert_cmpuint (lt_generator_initial_seed (g), ==, fresh);
  lt_generator_get_state (g, &seed, &offset);
  g_assert_cmpuint (offset, ==, 0);
}

/* Pushing another generator inside a push: each keeps its own stream */
static void
test_generator_nested (void)
{
  g_autoptr(LtGenerator) outer = lt_generator_new ();
  g_autoptr(LtGenerator) inner = lt_generator_new ();
  g_autoptr(LtGenerator) ref = lt_generator_new ();
  g_autofree double *o1 = NULL;
  g_autofree double *i1 = NULL;
  g_autofree double *o2 = NULL;
  g_autofree double *r1 = NULL;
  g_autofree double *r2 = NULL;

  lt_generator_manual_seed (outer, 1);
  lt_generator_manual_seed (ref, 1);
  lt_generator_manual_seed (inner, 2);
  lt_generator_push (outer);
  o1 = draw (NULL, 10);
  i1 = draw (inner, 10);
  o2 = draw (NULL, 10);
  lt_generator_pop (outer);
  r1 = draw (ref, 10);
  r2 = draw (ref, 10);
  assert_same (o1, r1, 10, TRUE);
  assert_same (o2, r2, 10, TRUE);
  assert_same (i1, r1, 10, FALSE);
}

typedef struct
{
  LtGenerator *g;
  double      *values;
} Job;

static gpointer
thread_draws (gpointer data)
{
  Job *job = data;

  for (int i = 0; i < 20; i++)
    {
      g_autofree double *v = draw (job->g, 10);

      memcpy (job->values + i * 10, v, sizeof (double) * 10);
    }
  return NULL;
}

/* Two threads sharing a generator take turns: 400 draws, all distinct */
static void
test_generator_threads (void)
{
  g_autoptr(LtGenerator) g = lt_generator_new ();
  g_autofree double *all = g_new (double, 400);
  Job                jobs[2] = { { g, all }, { g, all + 200 } };
  GThread           *t[2];
  g_autoptr(GHashTable) seen = g_hash_table_new (g_double_hash, g_double_equal);

  for (int i = 0; i < 2; i++)
    t[i] = g_thread_new ("draw", thread_draws, &jobs[i]);
  for (int i = 0; i < 2; i++)
    g_thread_join (t[i]);
  for (int i = 0; i < 400; i++)
    g_hash_table_add (seen, &all[i]);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 400);
}

static void
test_bernoulli (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtGenerator) g = lt_generator_new ();
  gint64 n = 10000;
  g_autoptr(LtTensor) p = lt_full (&n, 1, 0.25, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) total = NULL;
  g_autoptr(LtTensor) bad = NULL;
  g_autoptr(LtTensor) ints = lt_zeros (&n, 1, LT_DTYPE_INT64, &error);
  double ones, chi2;

  lt_generator_manual_seed (g, 99);
  lt_generator_push (g);
  x = lt_tensor_bernoulli (p, &error);
  lt_generator_pop (g);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (x), ==, LT_DTYPE_FLOAT32);
  total = lt_tensor_sum (x, &error);
  g_assert_true (lt_tensor_item (total, &ones, &error));
  /* chi-square, one degree of freedom, below its 0.999 quantile */
  chi2 = (ones - 2500) * (ones - 2500) / 2500 + (ones - 2500) * (ones - 2500) / 7500;
  g_assert_cmpfloat (chi2, <, 10.83);

  g_assert_true (lt_tensor_fill_ (p, 1.5, &error));
  bad = lt_tensor_bernoulli (p, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "1.5"));
  g_clear_error (&error);
  bad = lt_tensor_bernoulli (ints, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
}

static void
test_multinomial (void)
{
  g_autoptr(GError) error = NULL;
  double w[] = { 0, 1, 3, 0, 6 };
  gint64 shape = 5, n3[3] = { 2, 2, 2 };
  g_autoptr(LtTensor) weights =
               lt_tensor_new_from_doubles (w, 5, &shape, 1, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) cube = lt_ones (n3, 3, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) s = lt_tensor_multinomial (weights, 20000, TRUE, &error);
  g_autoptr(LtTensor) perm = NULL;
  g_autofree gint64 *v = NULL;
  gsize              n;
  gint64             counts[5] = { 0 };
  double             chi2 = 0;
  LtTensor          *bad;

  g_assert_no_error (error);
  v = lt_tensor_to_int64s (s, &n, &error);
  for (gsize i = 0; i < n; i++)
    counts[v[i]]++;
  g_assert_cmpint (counts[0] + counts[3], ==, 0);
  for (int c = 1; c < 5; c++)
    if (w[c] > 0)
      chi2 += (counts[c] - 2000.0 * w[c]) * (counts[c] - 2000.0 * w[c]) / (2000.0 * w[c]);
  g_assert_cmpfloat (chi2, <, 13.82); /* two degrees of freedom, 0.999 */

  perm = lt_tensor_multinomial (weights, 3, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&v, g_free);
  v = lt_tensor_to_int64s (perm, &n, &error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (v[0] + v[1] + v[2], ==, 1 + 2 + 4);

  bad = lt_tensor_multinomial (weights, 4, FALSE, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_tensor_multinomial (weights, 6, FALSE, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "without replacement"));
  g_clear_error (&error);
  bad = lt_tensor_multinomial (cube, 1, TRUE, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("LtGenerator's streams and the bernoulli and multinomial samplers");
  g_test_add_func ("/generator/streams", test_generator_streams);
  g_test_add_func ("/generator/state", test_generator_state);
  g_test_add_func ("/generator/nested", test_generator_nested);
  g_test_add_func ("/generator/threads", test_generator_threads);
  g_test_add_func ("/generator/bernoulli", test_bernoulli);
  g_test_add_func ("/generator/multinomial", test_multinomial);
  return g_test_run ();
}
