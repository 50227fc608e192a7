/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Out of memory on the device as it is: on a GPU (bench/cuda/run.sh runs
 * this test there) an allocation past the card's memory is the OOM GError
 * with the sizes asked, free and total, and the next allocation works;
 * blocks the caching allocator holds are given back and the allocation
 * retried when a request does not fit beside them. Here it runs on the
 * emulated device (LT_CUDA_EMULATE=1, as meson sets it) with a capacity of
 * 256 MiB, so running out behaves as on a card without taking the host's
 * memory. Without a device it is skipped (exit 77).
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"

#define EMULATED_CAPACITY ((gsize) 256 << 20)

static void
assert_message (const GError *error, const char *expect)
{
  g_assert_nonnull (error);
  if (strstr (error->message, expect) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect, error->message);
}

/* @nbytes of device memory, as a uint8 tensor on cuda:0 */
static LtTensor *
device_bytes (gsize nbytes, GError **error)
{
  gint64 shape[1] = { (gint64) nbytes };

  return _lt_tensor_new_empty (shape, 1, LT_DTYPE_UINT8, LT_DEVICE_CUDA, error);
}

/* A small computation on the device whose values are read back: the
 * device works */
static void
assert_device_works (void)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1 << 18;
  g_autoptr(LtTensor) h = lt_arange (0, (double) n, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) d = NULL, twice = NULL, back = NULL;
  const float *v;

  g_assert_no_error (error);
  d = lt_tensor_to_device (h, LT_DEVICE_CUDA, &error);
  g_assert_no_error (error);
  twice = lt_tensor_add (d, d, &error);
  g_assert_no_error (error);
  back = lt_tensor_to_device (twice, LT_DEVICE_CPU, &error);
  g_assert_no_error (error);
  v = (const float *) lt_tensor_get_data_ptr (back);
  g_assert_cmpfloat (v[0], ==, 0);
  g_assert_cmpfloat (v[12345], ==, 24690);
  g_assert_cmpfloat (v[n - 1], ==, 2.0 * (n - 1));
}

/* An allocation past the card's memory: the OOM GError names the device
 * and the bytes asked, free and total; the next allocation works. */
static void
test_past_the_card (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) big = NULL, after = NULL;
  gsize            free_b = 0, total = 0, ask;
  g_autofree char *asked = NULL, *of_total = NULL;

  g_assert_true (lt_cuda_mem_get_info (&free_b, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, >, 0);
  ask = total + total / 8;
  big = device_bytes (ask, &error);
  g_assert_null (big);
  g_assert_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY);
  g_test_message ("%s", error->message);
  assert_message (error, "cuda:0: out of memory");
  asked = g_strdup_printf ("tried to allocate %" G_GSIZE_FORMAT " bytes", ask);
  assert_message (error, asked);
  of_total = g_strdup_printf (" of %" G_GSIZE_FORMAT, total);
  assert_message (error, of_total);
  g_clear_error (&error);

  /* the device is still usable: a tensor of a tenth of what is free, then
   * a computation */
  g_assert_true (lt_cuda_mem_get_info (&free_b, &total, &error));
  after = device_bytes (free_b / 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (after);
  assert_device_works ();
}

/* Cached blocks do not cause an OOM: what the allocator holds for reuse is
 * given back when a request does not fit beside it. */
static void
test_cache_given_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL, b = NULL;
  gsize free_b = 0, total = 0, first, second;

  lt_cuda_empty_cache ();
  g_assert_true (lt_cuda_mem_get_info (&free_b, &total, &error));
  g_assert_no_error (error);
  first = free_b / 100 * 45;
  second = free_b / 100 * 70;
  a = device_bytes (first, &error);
  g_assert_no_error (error);
  g_clear_object (&a);
  /* the block stays in the cache */
  g_assert_cmpuint (lt_cuda_memory_reserved (), >=, first);
  /* 45% cached + 70% asked do not fit: the cache goes back, the retry
   * succeeds */
  b = device_bytes (second, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_assert_cmpuint (lt_cuda_memory_reserved (), <, first + second);
  g_clear_object (&b);
  lt_cuda_empty_cache ();
  g_assert_cmpuint (lt_cuda_memory_allocated (), <, (guint64) 1 << 20);
  assert_device_works ();
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Out of memory on the device: a GError with the sizes, then the device works");
  if (g_getenv ("LT_CUDA_EMULATE") != NULL)
    _lt_cuda_emulated_set_capacity (EMULATED_CAPACITY);
  if (!lt_cuda_init (&error))
    {
      g_printerr ("skipped: no CUDA device: %s\n", error->message);
      return 77;
    }
  g_test_add_func ("/cuda/oom/past-the-card", test_past_the_card);
  g_test_add_func ("/cuda/oom/cache-given-back", test_cache_given_back);
  return g_test_run ();
}
