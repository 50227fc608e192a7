/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libtensor.h>

static void
test_smoke_add (void)
{
  g_autoptr(GError) error = NULL;
  gint64 shape[] = { 2, 2 };
  g_autoptr(LtTensor) a = lt_ones (shape, 2, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) b = lt_tensor_add_scalar (a, 2, &error);
  double v;

  g_assert_no_error (error);
  g_assert_true (lt_tensor_item (lt_tensor_select (lt_tensor_select (b, 0, 1, NULL), 0, 0, NULL), &v, &error));
  g_assert_cmpfloat (v, ==, 3.0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/smoke/add", test_smoke_add);
  return g_test_run ();
}
