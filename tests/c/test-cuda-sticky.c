/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Sticky errors are per device: on two devices of the fake runtime, a
 * launch that loses the context of cuda:1 leaves cuda:0 usable (ops,
 * copies, synchronisation), and the reverse; every later use of the lost
 * device is a GError that names it, and a copy between the lost device
 * and the other one fails without touching the other's state.
 */

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"

static void
assert_message (const GError *error, const char *expect)
{
  g_assert_nonnull (error);
  if (strstr (error->message, expect) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect, error->message);
}

static LtTensor *
on_device (int index, double v0, double v1)
{
  g_autoptr(GError) error = NULL;
  double v[2] = { v0, v1 };
  gint64 shape[1] = { 2 };
  g_autoptr(LtTensor) h = lt_tensor_new_from_doubles (v, 2, shape, 1, LT_DTYPE_FLOAT32, &error);
  LtTensor *d;

  g_assert_no_error (error);
  d = lt_tensor_to_device_index (h, LT_DEVICE_CUDA, index, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

/* The values of @t, read back to the host; FALSE with @error set */
static gboolean
read_back (LtTensor *t, double out[2], GError **error)
{
  g_autoptr(LtTensor) h = lt_tensor_to_device (t, LT_DEVICE_CPU, error);
  g_autoptr(LtTensor) d = NULL;

  if (h == NULL)
    return FALSE;
  d = lt_tensor_to_dtype (h, LT_DTYPE_FLOAT64, error);
  if (d == NULL)
    return FALSE;
  memcpy (out, (const void *) lt_tensor_get_data_ptr (d), 2 * sizeof (double));
  return TRUE;
}

/* Loses the context of cuda:@lose by a launch there, then checks that
 * cuda:@keep goes on and that cuda:@lose answers with GErrors naming it. */
static void
lose_one_keep_other (int lose, int keep)
{
  LtCudaFakeConfig config = { 0 };
  LtCudaFakeConfig arm = { .sticky_at_launch = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a_lost = NULL, a_kept = NULL, r = NULL, s = NULL, t = NULL, moved = NULL;
  g_autofree char *lost_name = g_strdup_printf ("cuda:%d", lose);
  g_autofree char *kept_name = g_strdup_printf ("cuda:%d", keep);
  double           got[2];

  _lt_cuda_emulated_set_device_count (2);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_fake (&config));
  a_lost = on_device (lose, 1, 2);
  a_kept = on_device (keep, 3, 4);

  /* the next launch, on cuda:@lose, loses its context */
  _lt_cuda_fake_arm (&arm);
  r = lt_tensor_add (a_lost, a_lost, &error);
  g_assert_null (r);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  assert_message (error, lost_name);
  assert_message (error, "illegal memory access");
  assert_message (error, "unusable");
  g_clear_error (&error);

  /* cuda:@keep is untouched: ops, reading back and synchronising work */
  s = lt_tensor_mul (a_kept, a_kept, &error);
  g_assert_no_error (error);
  g_assert_true (read_back (s, got, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (got[0], ==, 9);
  g_assert_cmpfloat (got[1], ==, 16);
  g_assert_true (lt_cuda_device_synchronize (keep, &error));
  g_assert_no_error (error);

  /* cuda:@lose stays unusable, and every error names it */
  t = lt_tensor_add (a_lost, a_lost, &error);
  g_assert_null (t);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  assert_message (error, lost_name);
  assert_message (error, "unusable after an earlier error");
  g_clear_error (&error);
  g_assert_false (read_back (a_lost, got, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  assert_message (error, lost_name);
  g_clear_error (&error);
  g_assert_false (lt_cuda_device_synchronize (lose, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  assert_message (error, lost_name);
  g_clear_error (&error);

  /* a copy from the lost device to the kept one fails, naming a device */
  moved = lt_tensor_to_device_index (a_lost, LT_DEVICE_CUDA, keep, &error);
  g_assert_null (moved);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  g_assert_true (strstr (error->message, lost_name) != NULL ||
                 strstr (error->message, kept_name) != NULL);
  g_clear_error (&error);

  /* ... and cuda:@keep still works after it: a new tensor there, an op on
   * it, its values */
  {
    g_autoptr(LtTensor) b = on_device (keep, -1, 0.5);
    g_autoptr(LtTensor) c = lt_tensor_add (b, a_kept, &error);

    g_assert_no_error (error);
    g_assert_true (read_back (c, got, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (got[0], ==, 2);
    g_assert_cmpfloat (got[1], ==, 4.5);
  }

  g_clear_object (&a_lost);
  g_clear_object (&a_kept);
  g_clear_object (&s);
  _lt_cuda_emulated_set_device_count (0);
  _lt_cuda_backend_set_runtime (NULL);
}

static void
test_lose_1_keep_0 (void)
{
  lose_one_keep_other (1, 0);
}

static void
test_lose_0_keep_1 (void)
{
  lose_one_keep_other (0, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Sticky CUDA errors are per device (fake runtime, two devices)");
  g_test_add_func ("/cuda/sticky/lose-1-keep-0", test_lose_1_keep_0);
  g_test_add_func ("/cuda/sticky/lose-0-keep-1", test_lose_0_keep_1);
  return g_test_run ();
}
