/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The newer layers and containers from C (libtensor/nn/lt-containers.c,
 * lt-nonlinear.c, lt-embedding.c, Dropout2d): the printed forms, as
 * PyTorch 1.13 prints the same modules (the strings below are torch's
 * own), output shapes, parameters, errors, and float64 gradcheck through
 * the layers. tests/python/test_nn_reference.py compares values and
 * gradients with torch side by side.
 */

#include <math.h>

#include <libtensor.h>

static void
assert_repr (gpointer module, const char *want)
{
  g_autofree char *s = lt_module_to_string (LT_MODULE (module));

  g_assert_cmpstr (s, ==, want);
  g_object_unref (module);
}

static void
test_printed (void)
{
  g_autoptr(GError) error = NULL;

  assert_repr (lt_gelu_new (NULL, &error), "GELU(approximate='none')");
  assert_repr (lt_gelu_new ("tanh", &error), "GELU(approximate='tanh')");
  assert_repr (lt_silu_new (FALSE), "SiLU()");
  assert_repr (lt_silu_new (TRUE), "SiLU(inplace=True)");
  assert_repr (lt_elu_new (1.0, FALSE), "ELU(alpha=1.0)");
  assert_repr (lt_elu_new (0.5, TRUE), "ELU(alpha=0.5, inplace=True)");
  assert_repr (lt_softplus_new (1, 20, &error), "Softplus(beta=1, threshold=20)");
  assert_repr (lt_softplus_new (0.5, 20, &error), "Softplus(beta=0.5, threshold=20)");
  assert_repr (lt_hardtanh_new (-1, 1, FALSE, &error), "Hardtanh(min_val=-1.0, max_val=1.0)");
  assert_repr (lt_prelu_new (3, 0.25, &error), "PReLU(num_parameters=3)");
  assert_repr (lt_dropout2d_new (0.5, FALSE, &error), "Dropout2d(p=0.5, inplace=False)");
  assert_repr (lt_embedding_new (10, 3, G_MININT64, -1, 2, &error), "Embedding(10, 3)");
  assert_repr (lt_embedding_new (10, 3, -1, 1.0, 2, &error),
               "Embedding(10, 3, padding_idx=9, max_norm=1.0)");
  assert_repr (lt_identity_new (), "Identity()");
  assert_repr (lt_upsample_new (NULL, 0, (double[]){ 2 }, 1, "nearest", FALSE, &error),
               "Upsample(scale_factor=2.0, mode=nearest)");
  assert_repr (lt_upsample_new ((gint64[]){ 4, 5 }, 2, NULL, 0, "bilinear", FALSE, &error),
               "Upsample(size=(4, 5), mode=bilinear)");
  assert_repr (lt_upsample_new ((gint64[]){ 4 }, 1, NULL, 0, "bilinear", TRUE, &error),
               "Upsample(size=4, mode=bilinear)");
  assert_repr (lt_upsample_new (NULL, 0, (double[]){ 2, 1.5, 3 }, 3, "trilinear", FALSE, &error),
               "Upsample(scale_factor=(2.0, 1.5, 3.0), mode=trilinear)");
  assert_repr (lt_module_list_new (NULL, 0), "ModuleList()");
  g_assert_no_error (error);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (lt_gelu_new ("fast", &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_softplus_new (0, 20, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_hardtanh_new (1, -1, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_prelu_new (0, 0.25, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_dropout2d_new (1.5, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_embedding_new (4, 2, 4, -1, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_embedding_new (0, 2, G_MININT64, -1, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_upsample_new (NULL, 0, NULL, 0, "nearest", FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_upsample_new ((gint64[]){ 4 }, 1, NULL, 0, "lanczos", FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED);
}

/* The parameters and their PyTorch defaults */
static void
test_parameters (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtPReLU) prelu = lt_prelu_new (4, 0.1, &error);
  g_autoptr(LtEmbedding) emb = lt_embedding_new (6, 3, 2, -1, 2, &error);
  g_autoptr(LtTensor) row = NULL;
  g_autofree double *v = NULL;
  gsize              n = 0;

  g_assert_no_error (error);
  v = lt_tensor_to_doubles (lt_module_get_parameter (LT_MODULE (prelu), "weight"), &n, &error);
  g_assert_cmpuint (n, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat (fabs (v[i] - 0.1), <, 1e-7);
  g_clear_pointer (&v, g_free);
  g_assert_cmpint (lt_embedding_get_padding_idx (emb), ==, 2);
  g_assert_true (isnan (lt_embedding_get_max_norm (emb)));
  row = lt_tensor_select (lt_module_get_parameter (LT_MODULE (emb), "weight"), 0, 2, &error);
  v = lt_tensor_to_doubles (row, &n, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (v[i], ==, 0);
}

static LtTensor *
gc_module (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_module_forward (data, in[0], &error);

  g_assert_no_error (error);
  return y;
}

/* float64 gradcheck through each layer, inputs away from the kinks */
static void
test_gradcheck (void)
{
  g_autoptr(GError) error = NULL;
  LtModule *layers[] = {
    LT_MODULE (lt_gelu_new ("none", &error)),
    LT_MODULE (lt_gelu_new ("tanh", &error)),
    LT_MODULE (lt_silu_new (FALSE)),
    LT_MODULE (lt_elu_new (0.8, FALSE)),
    LT_MODULE (lt_softplus_new (2, 1, &error)),
    LT_MODULE (lt_hardtanh_new (-0.3, 0.3, FALSE, &error)),
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      g_autoptr(LtTensor) x = lt_randn ((gint64[]){ 2, 3, 4 }, 3, LT_DTYPE_FLOAT64, &error);
      gboolean ok;

      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
      ok = lt_gradcheck (gc_module, layers[i], &x, 1, 1e-6, 1e-5, 1e-3, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_object_unref (layers[i]);
    }
}

/* Shapes through an embedding and a channel dropout */
static void
test_shapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtEmbedding) emb = lt_embedding_new (10, 4, G_MININT64, -1, 2, &error);
  const gint64 idx[] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(LtTensor) i = lt_tensor_new_from_data (idx, sizeof idx, (gint64[]){ 2, 3 }, 2,
                                                    LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) y = lt_module_forward (LT_MODULE (emb), i, &error);
  g_autoptr(LtDropout2d) drop = lt_dropout2d_new (0.5, FALSE, &error);
  g_autoptr(LtTensor) x = lt_ones ((gint64[]){ 2, 3, 4, 4 }, 4, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) z = NULL;
  guint         nd;
  const gint64 *shape;

  g_assert_no_error (error);
  shape = lt_tensor_get_shape (y, &nd);
  g_assert_cmpuint (nd, ==, 3);
  g_assert_cmpint (shape[0], ==, 2);
  g_assert_cmpint (shape[1], ==, 3);
  g_assert_cmpint (shape[2], ==, 4);
  z = lt_module_forward (LT_MODULE (drop), x, &error);
  g_assert_no_error (error);
  shape = lt_tensor_get_shape (z, &nd);
  g_assert_cmpuint (nd, ==, 4);
  lt_module_eval (LT_MODULE (drop));
  g_clear_object (&z);
  z = lt_module_forward (LT_MODULE (drop), x, &error);
  g_assert_true (z == x);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The newer layers and containers: printed forms, parameters, errors, "
                  "gradcheck");
  lt_manual_seed (0);
  g_test_add_func ("/nn-layers/printed", test_printed);
  g_test_add_func ("/nn-layers/errors", test_errors);
  g_test_add_func ("/nn-layers/parameters", test_parameters);
  g_test_add_func ("/nn-layers/gradcheck", test_gradcheck);
  g_test_add_func ("/nn-layers/shapes", test_shapes);
  return g_test_run ();
}
