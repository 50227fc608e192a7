/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Second derivatives (create_graph, then the gradient of the gradient)
 * through the ops whose rules run a fused kernel: prod (over everything,
 * along a dim, keepdim), cumprod, lstm_cell and gru_cell. Float64
 * gradgradcheck must pass (not merely report that the op cannot be
 * differentiated twice), inputs with zeros included for the products; the
 * gradients under create_graph equal the kernels' first gradients; and a
 * backward without create_graph still refuses a second pass, naming the
 * op. The Python reference suite compares the same with PyTorch.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"
#include "ops/lt-ops-private.h"
#include "ops/lt-rnn-private.h"

static GRand *rng;

typedef enum
{
  F_PROD_ALL,
  F_PROD_DIM0,
  F_PROD_DIM1_KEEP,
  F_CUMPROD0,
  F_CUMPROD1,
  F_LSTM,
  F_GRU,
} Fn;

static LtTensor *
run (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = NULL;

  switch (GPOINTER_TO_INT (data))
    {
      case F_PROD_ALL:
        y = lt_tensor_prod (in[0], &error);
        break;
      case F_PROD_DIM0:
        y = lt_tensor_prod_dim (in[0], 0, FALSE, &error);
        break;
      case F_PROD_DIM1_KEEP:
        y = lt_tensor_prod_dim (in[0], -1, TRUE, &error);
        break;
      case F_CUMPROD0:
        y = lt_tensor_cumprod (in[0], 0, &error);
        break;
      case F_CUMPROD1:
        y = lt_tensor_cumprod (in[0], 1, &error);
        break;
      case F_LSTM:
        y = _lt_lstm_cell_fused (in[0], in[1], in[2], &error);
        break;
      case F_GRU:
        y = _lt_gru_cell_fused (in[0], in[1], in[2], &error);
        break;
      default:
        g_assert_not_reached ();
    }
  g_assert_no_error (error);
  return y;
}

/* uniform in [lo, hi), with the first @n_zeros positions of @zeros set to 0 */
static LtTensor *
random_input_zeros (const gint64 *shape,
                    gsize         nd,
                    double        lo,
                    double        hi,
                    const guint  *zeros,
                    guint         n_zeros)
{
  g_autofree double *v = random_values (rng, shape_numel (shape, nd), lo, hi);
  LtTensor          *t;

  for (guint i = 0; i < n_zeros; i++)
    v[zeros[i]] = 0.0;
  t = tensor_of_shape (v, shape, nd, LT_DTYPE_FLOAT64);
  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, NULL));
  return t;
}

static LtTensor *
random_input (const gint64 *shape, gsize nd, double lo, double hi)
{
  return random_input_zeros (shape, nd, lo, hi, NULL, 0);
}

static void
assert_gradgrad (Fn fn, LtTensor **in, gsize n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_gradcheck (run, GINT_TO_POINTER (fn), in, n, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
  g_assert_true (lt_gradgradcheck (run, GINT_TO_POINTER (fn), in, n, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
}

/* The gradient with create_graph (public ops) equals the kernel's */
static void
assert_same_first_grad (Fn fn, LtTensor **in, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = run (in, n, GINT_TO_POINTER (fn));
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(GPtrArray) plain = NULL;
  g_autoptr(GPtrArray) graph = NULL;

  plain = lt_autograd_grad (&s, 1, NULL, 0, in, n, TRUE, FALSE, FALSE, &error);
  g_assert_no_error (error);
  graph = lt_autograd_grad (&s, 1, NULL, 0, in, n, TRUE, TRUE, FALSE, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      gsize              nv = 0;
      g_autofree double *want = values (plain->pdata[i], &nv);

      g_assert_true (lt_tensor_get_requires_grad (graph->pdata[i]));
      assert_allclose (graph->pdata[i], want, nv, 1e-12, 1e-12);
    }
}

static void
test_products (void)
{
  const gint64 shape[2] = { 3, 4 };
  Fn           fns[] = { F_PROD_ALL, F_PROD_DIM0, F_PROD_DIM1_KEEP, F_CUMPROD0, F_CUMPROD1 };

  for (guint zeros = 0; zeros < 3; zeros++)
    for (guint k = 0; k < G_N_ELEMENTS (fns); k++)
      {
        /* no zero, one zero, then two more: two in row 1, two in column 1 */
        static const guint at[3] = { 5, 6, 9 };
        g_autoptr(LtTensor) x =
                     random_input_zeros (shape, 2, 0.5, 1.5, at, zeros == 0 ? 0 : 2 * zeros - 1);

        assert_gradgrad (fns[k], &x, 1);
        assert_same_first_grad (fns[k], &x, 1);
      }
}

static void
test_product_scalar_and_view (void)
{
  /* a 0-dim input and a transposed (non-contiguous) one */
  g_autoptr(GError) error = NULL;
  const gint64 shape[2] = { 4, 3 };
  g_autoptr(LtTensor) s = random_input (NULL, 0, 0.5, 1.5);
  g_autoptr(LtTensor) base = random_input (shape, 2, 0.5, 1.5);

  assert_gradgrad (F_PROD_ALL, &s, 1);
  assert_gradgrad (F_CUMPROD0, &s, 1);
  {
    g_autoptr(LtTensor) t = lt_tensor_transpose (base, 0, 1, &error);
    g_autoptr(LtTensor) leaf = lt_tensor_detach (t);

    g_assert_no_error (error);
    g_assert_true (lt_tensor_set_requires_grad (leaf, TRUE, NULL));
    assert_gradgrad (F_PROD_DIM0, &leaf, 1);
    assert_gradgrad (F_CUMPROD1, &leaf, 1);
  }
}

static void
test_cells (void)
{
  const gint64 N = 2, H = 3;

  for (guint G = 3; G <= 4; G++)
    {
      const gint64 gshape[2] = { N, G * H }, sshape[2] = { N, H };
      LtTensor    *in[3];
      Fn           fn = G == 4 ? F_LSTM : F_GRU;

      in[0] = random_input (gshape, 2, -1.5, 1.5);
      in[1] = random_input (gshape, 2, -1.5, 1.5);
      in[2] = random_input (sshape, 2, -1.0, 1.0);
      assert_gradgrad (fn, in, 3);
      assert_same_first_grad (fn, in, 3);
      /* only the state needs a gradient */
      g_assert_true (lt_tensor_set_requires_grad (in[0], FALSE, NULL));
      g_assert_true (lt_tensor_set_requires_grad (in[1], FALSE, NULL));
      assert_gradgrad (fn, in, 3);
      for (guint i = 0; i < 3; i++)
        g_object_unref (in[i]);
    }
}

/* A first gradient made without create_graph has no history to
 * differentiate; one made under grad mode through a kernel says so */
static void
test_without_create_graph (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[1] = { 4 };
  g_autoptr(LtTensor) x = random_input (shape, 1, 0.5, 1.5);
  g_autoptr(LtTensor) y = lt_tensor_cumprod (x, 0, &error);
  g_autoptr(LtTensor) s = lt_tensor_sum (y, &error);
  g_autoptr(GPtrArray) g = lt_autograd_grad (&s, 1, NULL, 0, &x, 1, FALSE, FALSE, FALSE, &error);

  g_assert_no_error (error);
  g_assert_false (lt_tensor_get_requires_grad (g->pdata[0]));
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (11);
  g_test_add_func ("/double-backward/products", test_products);
  g_test_add_func ("/double-backward/product-scalar-and-view", test_product_scalar_and_view);
  g_test_add_func ("/double-backward/cells", test_cells);
  g_test_add_func ("/double-backward/without-create-graph", test_without_create_graph);
  rc = g_test_run ();
  g_rand_free (rng);
  return rc;
}
