/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt_tensor_to_string() against the text PyTorch 0.3's _tensor_str.py
 * prints for the same values (without the leading newline torch's __repr__
 * adds). Where the tutorial shows an output, the expected string is the
 * tutorial's, with "torch." replaced by "Lt."; the others follow the
 * format rules by hand: one format for the whole tensor from the largest
 * and smallest magnitudes (width = digits + 1 for integers, digits + 6 for
 * fixed point, 11 for scientific), a scale line when all values are tiny
 * or huge, columns cut at 80 characters, matrices of more than two
 * dimensions under "(i ,.,.) = " headers, summaries from 1,000 elements.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

/* The tutorial's outputs */

static void
test_tutorial_uninitialised (void)
{
  /* torch.Tensor(5, 3) in the tutorial held tiny garbage around 1e-28 */
  g_autoptr(LtTensor) x = tensor_of (VALS (0, 0.2524e-28, 0,
                                           0.2524e-28, 2.8715e-28, 0,
                                           2.9158e-28, 0, 2.9157e-28,
                                           0, 2.9158e-28, 0,
                                           0.0003e-28, 0, 0), DIMS (5, 3), LT_DTYPE_FLOAT32);

  assert_prints (x,
                 "1.00000e-28 *\n"
                 "  0.0000  0.2524  0.0000\n"
                 "  0.2524  2.8715  0.0000\n"
                 "  2.9158  0.0000  2.9157\n"
                 "  0.0000  2.9158  0.0000\n"
                 "  0.0003  0.0000  0.0000\n"
                 "[Lt.FloatTensor of size 5x3]\n");
}

static void
test_tutorial_rand (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = tensor_of (VALS (0.5453, 0.4855, 0.7236,
                                           0.3199, 0.4525, 0.4917,
                                           0.6965, 0.8742, 0.9948,
                                           0.9029, 0.1873, 0.0018,
                                           0.3080, 0.2953, 0.4313), DIMS (5, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) sum = tensor_of (VALS (1.1177, 0.8514, 1.1459,
                                             1.1878, 0.9249, 0.5759,
                                             1.3508, 1.4628, 1.2833,
                                             1.8678, 0.8499, 0.2941,
                                             0.9718, 1.0785, 0.6914), DIMS (5, 3),
                                       LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) col = lt_tensor_select (x, 1, 1, &error);

  g_assert_no_error (error);
  assert_prints (x,
                 " 0.5453  0.4855  0.7236\n"
                 " 0.3199  0.4525  0.4917\n"
                 " 0.6965  0.8742  0.9948\n"
                 " 0.9029  0.1873  0.0018\n"
                 " 0.3080  0.2953  0.4313\n"
                 "[Lt.FloatTensor of size 5x3]\n");
  assert_prints (sum,
                 " 1.1177  0.8514  1.1459\n"
                 " 1.1878  0.9249  0.5759\n"
                 " 1.3508  1.4628  1.2833\n"
                 " 1.8678  0.8499  0.2941\n"
                 " 0.9718  1.0785  0.6914\n"
                 "[Lt.FloatTensor of size 5x3]\n");
  /* x[:, 1], a non-contiguous view */
  assert_prints (col,
                 " 0.4855\n"
                 " 0.4525\n"
                 " 0.8742\n"
                 " 0.1873\n"
                 " 0.2953\n"
                 "[Lt.FloatTensor of size 5]\n");
}

static void
test_tutorial_vectors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = lt_ones (DIMS (5), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) b = lt_full (DIMS (5), 2, LT_DTYPE_FLOAT64, &error);

  g_assert_no_error (error);
  assert_prints (a, " 1\n 1\n 1\n 1\n 1\n[Lt.FloatTensor of size 5]\n");
  assert_prints (b, " 2\n 2\n 2\n 2\n 2\n[Lt.DoubleTensor of size 5]\n");
}

static void
test_tutorial_autograd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ones = lt_ones (DIMS (2, 2), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) threes = lt_full (DIMS (2, 2), 3, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) z = lt_full (DIMS (2, 2), 27, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) grad = lt_full (DIMS (2, 2), 4.5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = tensor_of (VALS (596.2775, -807.4459, -550.6819), DIMS (3),
                                     LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) xg = tensor_of (VALS (102.4, 1024, 0.1024), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) out = tensor_of (VALS (27), DIMS (1), LT_DTYPE_FLOAT32);

  g_assert_no_error (error);
  assert_prints (ones, " 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n");
  assert_prints (threes, " 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n");
  assert_prints (z, " 27  27\n 27  27\n[Lt.FloatTensor of size 2x2]\n");
  assert_prints (out, " 27\n[Lt.FloatTensor of size 1]\n");
  assert_prints (grad, " 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n");
  assert_prints (y, " 596.2775\n-807.4459\n-550.6819\n[Lt.FloatTensor of size 3]\n");
  assert_prints (xg, "  102.4000\n 1024.0000\n    0.1024\n[Lt.FloatTensor of size 3]\n");
}

/* Formats */

static void
test_integers (void)
{
  g_autoptr(LtTensor) m = iota (DIMS (2, 3), LT_DTYPE_INT64);
  g_autoptr(LtTensor) neg = tensor_of (VALS (-10, 5), DIMS (2), LT_DTYPE_INT32);
  g_autoptr(LtTensor) big = tensor_of (VALS (1e6, 1), DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) five = tensor_of (VALS (99999, -1), DIMS (2), LT_DTYPE_INT64);
  g_autoptr(LtTensor) u8 = tensor_of (VALS (0, 255, 7), DIMS (3), LT_DTYPE_UINT8);

  assert_prints (m, " 0  1  2\n 3  4  5\n[Lt.LongTensor of size 2x3]\n");
  assert_prints (neg, "-10\n  5\n[Lt.IntTensor of size 2]\n");
  /* integers of more than 5 digits go scientific */
  assert_prints (big, " 1.0000e+06\n 1.0000e+00\n[Lt.FloatTensor of size 2]\n");
  assert_prints (five, " 99999\n    -1\n[Lt.LongTensor of size 2]\n");
  assert_prints (u8, "   0\n 255\n   7\n[Lt.ByteTensor of size 3]\n");
}

static void
test_floats (void)
{
  g_autoptr(LtTensor) sci = tensor_of (VALS (1e-5, 1, 12345), DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) huge = tensor_of (VALS (123456.7, 200000.25), DIMS (2), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) tens = tensor_of (VALS (12.5, -3.25), DIMS (2), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) small = tensor_of (VALS (0.05, 0.01), DIMS (2), LT_DTYPE_FLOAT64);

  /* magnitudes spanning more than 4 decades */
  assert_prints (sci, " 1.0000e-05\n 1.0000e+00\n 1.2345e+04\n[Lt.FloatTensor of size 3]\n");
  /* all above 10^5: a scale line, each value one space further in */
  assert_prints (huge, "1.00000e+05 *\n  1.2346\n  2.0000\n[Lt.DoubleTensor of size 2]\n");
  /* two integer digits: width 8 */
  assert_prints (tens, " 12.5000\n -3.2500\n[Lt.DoubleTensor of size 2]\n");
  /* all below 0.1: scale 10^-2 */
  assert_prints (small, "1.00000e-02 *\n  5.0000\n  1.0000\n[Lt.DoubleTensor of size 2]\n");
}

static void
test_nan_inf (void)
{
  g_autoptr(LtTensor) f = tensor_of (VALS (1.5, NAN, INFINITY, -INFINITY), DIMS (4),
                                     LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) i = tensor_of (VALS (1, NAN, 2), DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) all = tensor_of (VALS (NAN, NAN), DIMS (1, 2), LT_DTYPE_FLOAT32);

  assert_prints (f, " 1.5000\n    nan\n    inf\n   -inf\n[Lt.FloatTensor of size 4]\n");
  /* integers with a nan: width at least 3 */
  assert_prints (i, "  1\nnan\n  2\n[Lt.DoubleTensor of size 3]\n");
  assert_prints (all, "nan nan\n[Lt.FloatTensor of size 1x2]\n");
}

static void
test_three_dims (void)
{
  g_autoptr(LtTensor) t = iota (DIMS (2, 3, 4), LT_DTYPE_FLOAT32);
  g_autoptr(GError) error = NULL;

  /* one format for all: 23 has 2 digits, width 3; one space of indent */
  assert_prints (t,
                 "(0 ,.,.) = \n"
                 "   0   1   2   3\n"
                 "   4   5   6   7\n"
                 "   8   9  10  11\n"
                 "\n"
                 "(1 ,.,.) = \n"
                 "  12  13  14  15\n"
                 "  16  17  18  19\n"
                 "  20  21  22  23\n"
                 "[Lt.FloatTensor of size 2x3x4]\n");

  /* 4-D, doubles: every index centred in 2 columns */
  {
    g_autoptr(LtTensor) v = lt_tensor_view (t, DIMS (2, 2, 2, 3), &error);
    g_autoptr(LtTensor) q = lt_tensor_div_scalar (v, 4, &error);

    g_assert_no_error (error);
    assert_prints (q,
                   "(0 ,0 ,.,.) = \n"
                   "  0.0000  0.2500  0.5000\n"
                   "  0.7500  1.0000  1.2500\n"
                   "\n"
                   "(0 ,1 ,.,.) = \n"
                   "  1.5000  1.7500  2.0000\n"
                   "  2.2500  2.5000  2.7500\n"
                   "\n"
                   "(1 ,0 ,.,.) = \n"
                   "  3.0000  3.2500  3.5000\n"
                   "  3.7500  4.0000  4.2500\n"
                   "\n"
                   "(1 ,1 ,.,.) = \n"
                   "  4.5000  4.7500  5.0000\n"
                   "  5.2500  5.5000  5.7500\n"
                   "[Lt.FloatTensor of size 2x2x2x3]\n");
  }
}

static void
test_wide_matrices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) ones = lt_ones (DIMS (2, 7), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) q = iota (DIMS (2, 20), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) quarters = lt_tensor_div_scalar (q, 4, &error);

  g_assert_no_error (error);
  /* more than 6 columns: width at least 5 */
  assert_prints (ones,
                 "    1     1     1     1     1     1     1\n"
                 "    1     1     1     1     1     1     1\n"
                 "[Lt.LongTensor of size 2x7]\n");
  /* width 7: 10 columns fit in 80 characters */
  assert_prints (quarters,
                 "\n"
                 "Columns 0 to 9 \n"
                 " 0.0000  0.2500  0.5000  0.7500  1.0000  1.2500  1.5000  1.7500  2.0000  2.2500\n"
                 " 5.0000  5.2500  5.5000  5.7500  6.0000  6.2500  6.5000  6.7500  7.0000  7.2500\n"
                 "\n"
                 "Columns 10 to 19 \n"
                 " 2.5000  2.7500  3.0000  3.2500  3.5000  3.7500  4.0000  4.2500  4.5000  4.7500\n"
                 " 7.5000  7.7500  8.0000  8.2500  8.5000  8.7500  9.0000  9.2500  9.5000  9.7500\n"
                 "[Lt.DoubleTensor of size 2x20]\n");
}

/* Summaries */

static guint
count_lines (const char *s)
{
  guint n = 0;

  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void
test_summary_vector (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) v = lt_arange (0, 2000, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) v999 = lt_arange (0, 999, 1, LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) v1000 = lt_arange (0, 1000, 1, LT_DTYPE_INT64, &error);
  g_autofree char *s999 = NULL;

  g_assert_no_error (error);
  /* width 5 (4 digits); the vertical ellipsis centred in it */
  assert_prints (v,
                 "    0\n"
                 "    1\n"
                 "    2\n"
                 "  \u22ee  \n"
                 " 1997\n"
                 " 1998\n"
                 " 1999\n"
                 "[Lt.FloatTensor of size 2000]\n");
  /* 999 elements print in full; 1000 are summarised */
  s999 = lt_tensor_to_string (v999);
  g_assert_cmpuint (count_lines (s999), ==, 1000);
  assert_prints (v1000,
                 "   0\n   1\n   2\n \u22ee  \n 997\n 998\n 999\n[Lt.LongTensor of size 1000]\n");
}

static void
test_summary_matrix (void)
{
  g_autoptr(LtTensor) m = iota (DIMS (40, 30), LT_DTYPE_INT64);
  g_autoptr(LtTensor) tall = iota (DIMS (400, 3), LT_DTYPE_INT64);
  g_autoptr(LtTensor) wide = iota (DIMS (3, 400), LT_DTYPE_INT64);

  /* width 5 (4 digits, and at least 5 for a summarised matrix); the
   * dots centred over 3 columns of 6 characters less one, the diagonal
   * ellipsis over 5 */
  assert_prints (m,
                 "    0     1     2  ...     27    28    29\n"
                 "   30    31    32  ...     57    58    59\n"
                 "   60    61    62  ...     87    88    89\n"
                 "       ...          \u22f1          ...       \n"
                 " 1110  1111  1112  ...   1137  1138  1139\n"
                 " 1140  1141  1142  ...   1167  1168  1169\n"
                 " 1170  1171  1172  ...   1197  1198  1199\n"
                 "[Lt.LongTensor of size 40x30]\n");
  /* rows of 3 values: the ellipsis centred in 3 * 6 characters */
  assert_prints (tall,
                 "    0     1     2\n"
                 "    3     4     5\n"
                 "    6     7     8\n"
                 "        \u22ee         \n"
                 " 1191  1192  1193\n"
                 " 1194  1195  1196\n"
                 " 1197  1198  1199\n"
                 "[Lt.LongTensor of size 400x3]\n");
  assert_prints (wide,
                 "    0     1     2  ...    397   398   399\n"
                 "  400   401   402  ...    797   798   799\n"
                 "  800   801   802  ...   1197  1198  1199\n"
                 "[Lt.LongTensor of size 3x400]\n");
}

static void
test_summary_tensor (void)
{
  g_autoptr(LtTensor) t = iota (DIMS (1000, 1, 1), LT_DTYPE_INT64);

  /* indices centred in 4 columns (the width of "1000"); a "..." line
   * where matrices are skipped */
  assert_prints (t,
                 "( 0  ,.,.) = \n"
                 "    0\n"
                 "\n"
                 "( 1  ,.,.) = \n"
                 "    1\n"
                 "\n"
                 "( 2  ,.,.) = \n"
                 "    2\n"
                 " ... \n"
                 "\n"
                 "(997 ,.,.) = \n"
                 "  997\n"
                 "\n"
                 "(998 ,.,.) = \n"
                 "  998\n"
                 "\n"
                 "(999 ,.,.) = \n"
                 "  999\n"
                 "[Lt.LongTensor of size 1000x1x1]\n");
}

/* Type lines, 0-dim and empty tensors */

static void
test_type_lines (void)
{
  static const struct { LtDType dtype; const char *name; } names[] = {
    { LT_DTYPE_FLOAT32, "Lt.FloatTensor" },
    { LT_DTYPE_FLOAT64, "Lt.DoubleTensor" },
    { LT_DTYPE_INT64, "Lt.LongTensor" },
    { LT_DTYPE_INT32, "Lt.IntTensor" },
    { LT_DTYPE_INT16, "Lt.ShortTensor" },
    { LT_DTYPE_INT8, "Lt.CharTensor" },
    { LT_DTYPE_UINT8, "Lt.ByteTensor" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) t = lt_ones (DIMS (1, 2), names[i].dtype, &error);
      g_autofree char *want = g_strdup_printf (" 1  1\n[%s of size 1x2]\n", names[i].name);
      g_autofree char *type_name = lt_tensor_get_type_name (t);

      g_assert_no_error (error);
      g_assert_cmpstr (type_name, ==, names[i].name);
      assert_prints (t, want);
    }
}

static void
test_zero_dim_and_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) s = lt_scalar_tensor (27, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) e = lt_zeros (DIMS (0), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) e2 = lt_zeros (DIMS (2, 0), LT_DTYPE_INT64, &error);
  g_autofree char *text = lt_tensor_to_string (s);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_no_error (error);
  /* the value as a one-element vector, then the type line */
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==, " 27");
  g_assert_true (g_str_has_prefix (lines[1], "[Lt.FloatTensor of size "));
  g_assert_cmpstr (lines[2], ==, "");

  /* no values: only the type line */
  assert_prints (e, "[Lt.FloatTensor of size 0]\n");
  assert_prints (e2, "[Lt.LongTensor of size 2x0]\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("lt_tensor_to_string() in the format of PyTorch 0.3 and the tutorial");

  g_test_add_func ("/print/tutorial/uninitialised", test_tutorial_uninitialised);
  g_test_add_func ("/print/tutorial/rand", test_tutorial_rand);
  g_test_add_func ("/print/tutorial/vectors", test_tutorial_vectors);
  g_test_add_func ("/print/tutorial/autograd", test_tutorial_autograd);
  g_test_add_func ("/print/format/integers", test_integers);
  g_test_add_func ("/print/format/floats", test_floats);
  g_test_add_func ("/print/format/nan-inf", test_nan_inf);
  g_test_add_func ("/print/format/three-dims", test_three_dims);
  g_test_add_func ("/print/format/wide", test_wide_matrices);
  g_test_add_func ("/print/summary/vector", test_summary_vector);
  g_test_add_func ("/print/summary/matrix", test_summary_matrix);
  g_test_add_func ("/print/summary/tensor", test_summary_tensor);
  g_test_add_func ("/print/type-lines", test_type_lines);
  g_test_add_func ("/print/zero-dim-and-empty", test_zero_dim_and_empty);

  return g_test_run ();
}
