/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tutorial's "Tensors" and "Autograd" sections (the 60 minute blitz,
 * shared/seed/), step by step in C. Every printed form the tutorial shows
 * for values we can reproduce is compared with the tutorial's text, with
 * "torch." read as "Lt.".
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static float *
floats (LtTensor *t)
{
  g_assert_cmpint (lt_tensor_get_dtype (t), ==, LT_DTYPE_FLOAT32);
  g_assert_true (lt_tensor_is_contiguous (t));
  return (float *) lt_tensor_get_data_ptr (t);
}

/* Tensors */

static void
test_tensors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) sum1 = NULL;
  g_autoptr(LtTensor) sum2 = NULL;
  g_autoptr(LtTensor) result = NULL;
  g_autoptr(LtTensor) col = NULL;
  g_autofree char *text = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  g_autofree char *s3 = NULL;
  g_autofree char *s4 = NULL;
  g_autofree char *scol = NULL;
  float xv[15], yv[15];
  const gint64 *shape;
  guint nd;

  lt_manual_seed (0);

  /* x = torch.Tensor(5, 3): uninitialised */
  x = lt_empty (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  text = lt_tensor_to_string (x);
  g_assert_true (g_str_has_suffix (text, "[Lt.FloatTensor of size 5x3]\n"));
  g_clear_object (&x);

  /* x = torch.rand(5, 3) */
  x = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  memcpy (xv, floats (x), sizeof xv);
  for (guint i = 0; i < 15; i++)
    {
      g_assert_cmpfloat (xv[i], >=, 0);
      g_assert_cmpfloat (xv[i], <, 1);
    }
  /* values below 1 print as " 0.dddd" columns of width 7 */
  g_clear_pointer (&text, g_free);
  text = lt_tensor_to_string (x);
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 7);
    for (guint r = 0; r < 5; r++)
      {
        g_assert_cmpuint (strlen (lines[r]), ==, 3 * 7 + 2);
        g_assert_true (g_str_has_prefix (lines[r], " 0.") || g_str_has_prefix (lines[r], " 1."));
      }
    g_assert_cmpstr (lines[5], ==, "[Lt.FloatTensor of size 5x3]");
  }

  /* x.size() is (5, 3) */
  shape = lt_tensor_get_shape (x, &nd);
  g_assert_cmpuint (nd, ==, 2);
  g_assert_cmpint (shape[0], ==, 5);
  g_assert_cmpint (shape[1], ==, 3);
  g_assert_cmpint (lt_tensor_get_size (x, 0, &error), ==, 5);
  g_assert_cmpint (lt_tensor_get_size (x, 1, &error), ==, 3);
  g_assert_no_error (error);

  /* y = torch.rand(5, 3); x + y, three ways */
  y = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  memcpy (yv, floats (y), sizeof yv);
  sum1 = lt_tensor_add (x, y, &error);          /* x + y */
  sum2 = lt_tensor_add (x, y, &error);          /* torch.add(x, y) */
  result = lt_empty (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_true (lt_tensor_add_out (x, y, result, &error));   /* out=result */
  g_assert_no_error (error);
  for (guint i = 0; i < 15; i++)
    {
      float want = xv[i] + yv[i];

      g_assert_cmpfloat (floats (sum1)[i], ==, want);
      g_assert_cmpfloat (floats (sum2)[i], ==, want);
      g_assert_cmpfloat (floats (result)[i], ==, want);
    }

  /* y.add_(x): in place */
  g_assert_true (lt_tensor_add_ (y, x, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 15; i++)
    g_assert_cmpfloat (floats (y)[i], ==, xv[i] + yv[i]);
  g_assert_cmpuint (lt_tensor_get_version (y), ==, 1);
  /* x was only read */
  g_assert_cmpuint (lt_tensor_get_version (x), ==, 0);
  for (guint i = 0; i < 15; i++)
    g_assert_cmpfloat (floats (x)[i], ==, xv[i]);

  /* the four print the same */
  s1 = lt_tensor_to_string (sum1);
  s2 = lt_tensor_to_string (sum2);
  s3 = lt_tensor_to_string (result);
  s4 = lt_tensor_to_string (y);
  g_assert_cmpstr (s1, ==, s2);
  g_assert_cmpstr (s1, ==, s3);
  g_assert_cmpstr (s1, ==, s4);

  /* x[:, 1]: a view of the second column */
  col = lt_tensor_select (x, 1, 1, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_shares_storage (col, x));
  scol = lt_tensor_to_string (col);
  {
    g_auto(GStrv) lines = g_strsplit (scol, "\n", -1);
    g_auto(GStrv) xlines = g_strsplit (text, "\n", -1);

    /* each value is the middle column of x's rows, as the tutorial shows */
    g_assert_cmpuint (g_strv_length (lines), ==, 7);
    for (guint r = 0; r < 5; r++)
      g_assert_true (strncmp (lines[r], xlines[r] + 8, 7) == 0);
    g_assert_cmpstr (lines[5], ==, "[Lt.FloatTensor of size 5]");
  }
  g_assert_true (lt_tensor_fill_ (col, 0.25, &error));
  g_assert_no_error (error);
  for (guint r = 0; r < 5; r++)
    {
      g_assert_cmpfloat (floats (x)[r * 3 + 1], ==, 0.25);
      g_assert_cmpfloat (floats (x)[r * 3], ==, xv[r * 3]);
    }
}

/* The tutorial's numbers, for the printed forms */
static void
test_tensors_printed (void)
{
  g_autoptr(GError) error = NULL;
  const double xs[] = { 0.5453, 0.4855, 0.7236, 0.3199, 0.4525, 0.4917, 0.6965, 0.8742,
                        0.9948, 0.9029, 0.1873, 0.0018, 0.3080, 0.2953, 0.4313 };
  const double sums[] = { 1.1177, 0.8514, 1.1459, 1.1878, 0.9249, 0.5759, 1.3508, 1.4628,
                          1.2833, 1.8678, 0.8499, 0.2941, 0.9718, 1.0785, 0.6914 };
  double ys[15];
  g_autoptr(LtTensor) x = lt_tensor_new_from_doubles (xs, 15, DIMS (5, 3), LT_DTYPE_FLOAT32,
                                                     &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) sum = NULL;
  g_autoptr(LtTensor) result = lt_empty (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) col = NULL;
  const char *printed_sum =
    " 1.1177  0.8514  1.1459\n"
    " 1.1878  0.9249  0.5759\n"
    " 1.3508  1.4628  1.2833\n"
    " 1.8678  0.8499  0.2941\n"
    " 0.9718  1.0785  0.6914\n"
    "[Lt.FloatTensor of size 5x3]\n";

  /* y such that x + y is the tutorial's sum */
  for (guint i = 0; i < 15; i++)
    ys[i] = sums[i] - xs[i];
  y = lt_tensor_new_from_doubles (ys, 15, DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);

  assert_prints (x,
                 " 0.5453  0.4855  0.7236\n"
                 " 0.3199  0.4525  0.4917\n"
                 " 0.6965  0.8742  0.9948\n"
                 " 0.9029  0.1873  0.0018\n"
                 " 0.3080  0.2953  0.4313\n"
                 "[Lt.FloatTensor of size 5x3]\n");
  sum = lt_tensor_add (x, y, &error);
  g_assert_no_error (error);
  assert_prints (sum, printed_sum);
  g_assert_true (lt_tensor_add_out (x, y, result, &error));
  assert_prints (result, printed_sum);
  g_assert_true (lt_tensor_add_ (y, x, &error));
  assert_prints (y, printed_sum);
  col = lt_tensor_select (x, 1, 1, &error);
  g_assert_no_error (error);
  assert_prints (col,
                 " 0.4855\n"
                 " 0.4525\n"
                 " 0.8742\n"
                 " 0.1873\n"
                 " 0.2953\n"
                 "[Lt.FloatTensor of size 5]\n");
}

/* The numpy bridge, in C: the tensor's memory is the array's memory */

typedef struct
{
  guint released;
} Released;

static void
on_release (gpointer user_data)
{
  ((Released *) user_data)->released++;
}

static void
test_bridge (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = lt_ones (DIMS (5), LT_DTYPE_FLOAT32, &error);
  float *b;

  /* a = torch.ones(5); b = a.numpy() */
  g_assert_no_error (error);
  assert_prints (a, " 1\n 1\n 1\n 1\n 1\n[Lt.FloatTensor of size 5]\n");
  b = (float *) lt_tensor_get_data_ptr (a);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (b[i], ==, 1);

  /* a.add_(1) changes what b sees */
  g_assert_true (lt_tensor_add_scalar_ (a, 1, &error));
  g_assert_no_error (error);
  assert_prints (a, " 2\n 2\n 2\n 2\n 2\n[Lt.FloatTensor of size 5]\n");
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (b[i], ==, 2);

  /* a = np.ones(5); b = torch.from_numpy(a); np.add(a, 1, out=a) */
  {
    double arr[5] = { 1, 1, 1, 1, 1 };
    Released rel = { 0 };
    LtTensor *t = lt_tensor_new_wrap ((guintptr) arr, sizeof arr, DIMS (5), NULL, 0,
                                      LT_DTYPE_FLOAT64, on_release, &rel, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < 5; i++)
      arr[i] += 1;
    assert_prints (t, " 2\n 2\n 2\n 2\n 2\n[Lt.DoubleTensor of size 5]\n");
    g_assert_finalize_object (t);
    g_assert_cmpuint (rel.released, ==, 1);
  }
}

static void
test_cuda (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) xc = lt_tensor_to_device (x, LT_DEVICE_CUDA, &error);
  g_autoptr(LtTensor) yc = NULL;
  g_autoptr(LtTensor) sum = NULL;
  g_autoptr(LtTensor) back = NULL;
  g_autoptr(LtTensor) want = NULL;
  g_autoptr(LtTensor) eq = NULL;
  g_autoptr(LtTensor) all = NULL;
  double v;

  /* "let us run this cell only if CUDA is available" */
  if (xc == NULL)
    {
      g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
      skip_gpu ("CUDA is not available in this build or on this machine");
      return;
    }
  yc = lt_tensor_to_device (y, LT_DEVICE_CUDA, &error);
  sum = lt_tensor_add (xc, yc, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (sum), ==, LT_DEVICE_CUDA);
  back = lt_tensor_to_device (sum, LT_DEVICE_CPU, &error);
  want = lt_tensor_add (x, y, &error);
  eq = lt_tensor_eq (back, want, &error);
  all = lt_tensor_all (eq, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_item (all, &v, &error));
  g_assert_cmpfloat (v, ==, 1);
}

/* Autograd */

static void
test_autograd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_ones (DIMS (2, 2), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yy = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) out = NULL;
  double v;

  /* x = Variable(torch.ones(2, 2), requires_grad=True) */
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_no_error (error);
  assert_prints (x, " 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n");

  /* y = x + 2 */
  y = lt_tensor_add_scalar (x, 2, &error);
  g_assert_no_error (error);
  assert_prints (y, " 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n");
  /* y was created by an operation: it has a creator (grad_fn) */
  g_assert_nonnull (lt_tensor_get_grad_fn (y));
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "AddBackward0");
  g_assert_null (lt_tensor_get_grad_fn (x));

  /* z = y * y * 3; out = z.mean() */
  yy = lt_tensor_mul (y, y, &error);
  z = lt_tensor_mul_scalar (yy, 3, &error);
  out = lt_tensor_mean (z, &error);
  g_assert_no_error (error);
  assert_prints (z, " 27  27\n 27  27\n[Lt.FloatTensor of size 2x2]\n");
  g_assert_true (lt_tensor_item (out, &v, &error));
  g_assert_cmpfloat (v, ==, 27);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (z)), ==, "MulBackward0");
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (out)), ==, "MeanBackward0");

  /* out.backward(), the same as out.backward(torch.Tensor([1.0])) */
  g_assert_true (lt_tensor_backward (out, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* d(out)/dx_i = 3/2 (x_i + 2) = 9/2 */
  assert_prints (lt_tensor_get_grad (x),
                 " 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n");

  /* the same with an explicit gradient of 1 */
  {
    g_autoptr(LtTensor) x2 = lt_ones (DIMS (2, 2), LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) y2 = NULL;
    g_autoptr(LtTensor) z2 = NULL;
    g_autoptr(LtTensor) z3 = NULL;
    g_autoptr(LtTensor) out2 = NULL;
    g_autoptr(LtTensor) one = lt_scalar_tensor (1, LT_DTYPE_FLOAT32);

    g_assert_true (lt_tensor_set_requires_grad (x2, TRUE, &error));
    y2 = lt_tensor_add_scalar (x2, 2, &error);
    z2 = lt_tensor_mul (y2, y2, &error);
    z3 = lt_tensor_mul_scalar (z2, 3, &error);
    out2 = lt_tensor_mean (z3, &error);
    g_assert_true (lt_tensor_backward (out2, one, FALSE, &error));
    g_assert_no_error (error);
    assert_prints (lt_tensor_get_grad (x2),
                   " 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n");
  }
}

/* x = randn(3); y = x * 2; while y.norm() < 1000: y = y * 2;
 * y.backward([0.1, 1.0, 0.0001]) */
static guint
doubling (LtTensor  *x,
          LtTensor **y_out)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_mul_scalar (x, 2, &error);
  guint k = 1;

  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(LtTensor) norm = lt_tensor_norm (y, 2, &error);
      LtTensor *next;
      double n;

      g_assert_true (lt_tensor_item (norm, &n, &error));
      if (n >= 1000)
        break;
      next = lt_tensor_mul_scalar (y, 2, &error);
      g_assert_no_error (error);
      g_object_unref (y);
      y = next;
      k++;
    }
  *y_out = y;
  return k;
}

static void
test_autograd_doubling (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) gradients = lt_tensor_new_from_doubles (VALS (0.1, 1.0, 0.0001), DIMS (3),
                                                             LT_DTYPE_FLOAT32, &error);
  gboolean seen_tutorial_k = FALSE;

  g_assert_no_error (error);
  /* draws until one needs the tutorial's 10 doublings (||x|| between
   * 1000 / 1024 and 1000 / 512), checking every draw on the way */
  for (guint64 seed = 0; seed < 64 && !seen_tutorial_k; seed++)
    {
      g_autoptr(LtTensor) x = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autofree double *xv = NULL;
      g_autofree double *g = NULL;
      double scale, norm;
      guint k;
      gsize n;

      lt_manual_seed (seed);
      x = lt_randn (DIMS (3), LT_DTYPE_FLOAT32, &error);
      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
      g_assert_no_error (error);
      xv = lt_tensor_to_doubles (x, &n, &error);
      norm = sqrt (xv[0] * xv[0] + xv[1] * xv[1] + xv[2] * xv[2]);

      k = doubling (x, &y);
      scale = ldexp (1, (int) k);
      g_assert_cmpfloat (norm * scale, >=, 1000);
      g_assert_cmpfloat (norm * scale / 2, <, 1000);
      g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "MulBackward0");

      g_assert_true (lt_tensor_backward (y, gradients, FALSE, &error));
      g_assert_no_error (error);
      g = lt_tensor_to_doubles (lt_tensor_get_grad (x), &n, &error);
      g_assert_cmpfloat_with_epsilon (g[0], (double) 0.1f * scale, 1e-9 * scale);
      g_assert_cmpfloat_with_epsilon (g[1], 1.0 * scale, 1e-9 * scale);
      g_assert_cmpfloat_with_epsilon (g[2], (double) 0.0001f * scale, 1e-9 * scale);

      if (k == 10)
        {
          assert_prints (lt_tensor_get_grad (x),
                         "  102.4000\n"
                         " 1024.0000\n"
                         "    0.1024\n"
                         "[Lt.FloatTensor of size 3]\n");
          seen_tutorial_k = TRUE;
        }
    }
  g_assert_true (seen_tutorial_k);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The tutorial's Tensors and Autograd sections, in C");

  g_test_add_func ("/tutorial/tensors/operations", test_tensors);
  g_test_add_func ("/tutorial/tensors/printed", test_tensors_printed);
  g_test_add_func ("/tutorial/tensors/numpy-bridge", test_bridge);
  g_test_add_func ("/tutorial/tensors/cuda", test_cuda);
  g_test_add_func ("/tutorial/autograd/mean", test_autograd);
  g_test_add_func ("/tutorial/autograd/doubling", test_autograd_doubling);

  return g_test_run ();
}
