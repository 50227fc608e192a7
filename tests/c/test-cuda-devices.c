/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * CUDA device indices and pinned host buffers, on two emulated devices
 * (LT_CUDA_EMULATE=2 as _lt_cuda_emulated_set_device_count (2)) and the
 * fake runtime: cuda:N on storage, per-device allocator pools, streams and
 * error words, copies between two devices, the GError of an op whose
 * inputs are on different devices, modules and the trainer on cuda:1,
 * lt_device_parse, and pin_memory (asynchronous uploads that keep the
 * buffer alive until the stream is synchronised; a GError without a
 * device).
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"

static void
assert_message (const GError *error, const char *expect)
{
  g_assert_nonnull (error);
  if (strstr (error->message, expect) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect, error->message);
}

static void
use_emulated (int n)
{
  _lt_cuda_emulated_set_device_count (n);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
}

static LtTensor *
host_from (const double *v, gsize n, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64    shape[1] = { (gint64) n };
  LtTensor *t = lt_tensor_new_from_doubles (v, n, shape, 1, dt, &error);

  g_assert_no_error (error);
  return t;
}

static LtTensor *
on (LtTensor *t, LtDevice device, int index)
{
  g_autoptr(GError) error = NULL;
  LtTensor *r = lt_tensor_to_device_index (t, device, index, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpint (lt_tensor_get_device (r), ==, device);
  g_assert_cmpint (lt_tensor_get_device_index (r), ==, device == LT_DEVICE_CPU ? -1 : index);
  return r;
}

static void
assert_values (LtTensor *t, const double *want, gsize n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) h = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);
  g_autoptr(LtTensor) d = NULL;

  g_assert_no_error (error);
  d = lt_tensor_to_dtype (h, LT_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_numel (d), ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (((const double *) lt_tensor_get_data_ptr (d))[i], ==, want[i]);
}

static void
test_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *n0 = NULL, *n1 = NULL, *n2 = NULL;
  gsize            f = 0, t = 0;

  use_emulated (2);
  g_assert_cmpint (lt_cuda_device_count (), ==, 2);
  n0 = lt_cuda_get_device_name (0, &error);
  g_assert_no_error (error);
  n1 = lt_cuda_get_device_name (1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (n0, !=, n1);
  n2 = lt_cuda_get_device_name (2, &error);
  g_assert_null (n2);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);

  g_assert_true (lt_cuda_device_mem_get_info (1, &f, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (t, >, 0);
  g_assert_cmpuint (f, <=, t);
  g_assert_false (lt_cuda_device_mem_get_info (2, &f, &t, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "cuda:2: invalid device index: there are 2 CUDA devices");
  g_clear_error (&error);
  g_assert_false (lt_cuda_device_mem_get_info (-1, &f, &t, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);

  /* one device: cuda:1 is not there */
  use_emulated (1);
  g_assert_cmpint (lt_cuda_device_count (), ==, 1);
  {
    double v[2] = { 1, 2 };
    g_autoptr(LtTensor) h = host_from (v, 2, LT_DTYPE_FLOAT32);
    g_autoptr(LtTensor) d = lt_tensor_to_device_index (h, LT_DEVICE_CUDA, 1, &error);

    g_assert_null (d);
    g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
    assert_message (error, "cuda:1: invalid device index: there is 1 CUDA device");
  }
  _lt_cuda_emulated_set_device_count (0);
  _lt_cuda_backend_set_runtime (NULL);
}

/* Tensors on cuda:1: ops keep them there, each device has its own
 * allocator pools, and copies between the devices carry the values. */
static void
test_to_index (void)
{
  g_autoptr(GError) error = NULL;
  double v[4] = { 1, -2, 3.5, 4 }, twice[4] = { 2, -4, 7, 8 };
  g_autoptr(LtTensor) h = host_from (v, 4, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) d1 = NULL, d0 = NULL, back = NULL, sum = NULL, d1b = NULL;
  guint64 a0, r0, p0, a1, r1, p1;

  use_emulated (2);
  d1 = on (h, LT_DEVICE_CUDA, 1);
  assert_values (d1, v, 4);
  /* the same device: the same tensor */
  d1b = lt_tensor_to_device_index (d1, LT_DEVICE_CUDA, 1, &error);
  g_assert_true (d1b == d1);

  sum = lt_tensor_add (d1, d1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device_index (sum), ==, 1);
  assert_values (sum, twice, 4);

  g_assert_true (lt_cuda_device_memory_stats (1, &a1, &r1, &p1, &error));
  g_assert_true (lt_cuda_device_memory_stats (0, &a0, &r0, &p0, &error));
  g_assert_no_error (error);
  /* d1 and sum are on cuda:1; cuda:0 holds only what setting it up made */
  g_assert_cmpuint (a1, >=, 2 * 512);
  g_assert_cmpuint (a0, ==, 0);
  g_assert_cmpuint (lt_cuda_memory_allocated (), ==, 0);

  /* cuda:1 to cuda:0 and back to the host */
  d0 = on (sum, LT_DEVICE_CUDA, 0);
  assert_values (d0, twice, 4);
  g_assert_true (lt_cuda_device_memory_stats (0, &a0, &r0, &p0, &error));
  g_assert_cmpuint (a0, ==, 512);
  back = on (d0, LT_DEVICE_CPU, -1);
  assert_values (back, twice, 4);
  /* the old spelling is index 0 */
  g_clear_object (&d0);
  d0 = lt_tensor_to_device (d1, LT_DEVICE_CUDA, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device_index (d0), ==, 0);

  /* a freed block goes back to cuda:1's pool */
  g_clear_object (&sum);
  g_assert_true (lt_cuda_device_memory_stats (1, &a1, &r1, &p1, &error));
  g_assert_cmpuint (a1, ==, 512);
  g_assert_true (lt_cuda_device_synchronize (1, &error));
  g_assert_no_error (error);

  /* bad indices */
  g_assert_null (lt_tensor_to_device_index (h, LT_DEVICE_CUDA, 16, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);
  g_assert_null (lt_tensor_to_device_index (h, LT_DEVICE_CPU, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);
  g_clear_object (&d1b);
  g_clear_object (&d1);
  g_clear_object (&d0);
  g_clear_object (&back);
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

static void
test_mismatch (void)
{
  g_autoptr(GError) error = NULL;
  double v[3] = { 1, 2, 3 };
  g_autoptr(LtTensor) h = host_from (v, 3, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) a = NULL, b = NULL, r = NULL;

  use_emulated (2);
  a = on (h, LT_DEVICE_CUDA, 0);
  b = on (h, LT_DEVICE_CUDA, 1);

  r = lt_tensor_add (a, b, &error);
  g_assert_null (r);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "add: expected all tensors on the same device, found cuda:0 and cuda:1");
  g_clear_error (&error);

  r = lt_tensor_mul (h, b, &error);
  g_assert_null (r);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "found cpu and cuda:1");
  g_clear_error (&error);

  /* copy_ between two devices moves the values */
  {
    double z[3] = { 0, 0, 0 };
    g_autoptr(LtTensor) hz = host_from (z, 3, LT_DTYPE_FLOAT32);
    g_autoptr(LtTensor) dst = on (hz, LT_DEVICE_CUDA, 1);

    g_assert_true (lt_tensor_copy_ (dst, a, &error));
    g_assert_no_error (error);
    assert_values (dst, v, 3);
  }
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

/* The data-dependent error word is per device: an integer division by
 * zero on cuda:1 is raised by cuda:1's synchronisation, and names it. */
static void
test_error_word (void)
{
  g_autoptr(GError) error = NULL;
  double v[2] = { 7, 8 }, z[2] = { 1, 0 };
  g_autoptr(LtTensor) hv = host_from (v, 2, LT_DTYPE_INT64);
  g_autoptr(LtTensor) hz = host_from (z, 2, LT_DTYPE_INT64);
  g_autoptr(LtTensor) a = NULL, b = NULL, q = NULL;

  use_emulated (2);
  a = on (hv, LT_DEVICE_CUDA, 1);
  b = on (hz, LT_DEVICE_CUDA, 1);
  q = lt_tensor_floor_divide (a, b, &error);
  g_assert_no_error (error);
  g_assert_true (lt_cuda_device_synchronize (0, &error));
  g_assert_no_error (error);
  g_assert_false (lt_cuda_device_synchronize (1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  assert_message (error, "on cuda:1");
  g_clear_error (&error);
  /* reported once */
  g_assert_true (lt_cuda_device_synchronize (1, &error));
  g_assert_no_error (error);
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

/* Autograd across devices: the gradient of a copy to cuda:1 comes back to
 * cuda:0, and a leaf on cuda:1 gets its gradient there. */
static void
test_autograd (void)
{
  g_autoptr(GError) error = NULL;
  double v[3] = { 1, 2, 3 }, want[3] = { 2, 4, 6 };
  g_autoptr(LtTensor) h = host_from (v, 3, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) x = NULL, y = NULL, sq = NULL, s = NULL;
  LtTensor *g;

  use_emulated (2);
  x = on (h, LT_DEVICE_CUDA, 0);
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = lt_tensor_to_device_index (x, LT_DEVICE_CUDA, 1, &error);
  g_assert_no_error (error);
  sq = lt_tensor_mul (y, y, &error);
  s = lt_tensor_sum (sq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device_index (s), ==, 1);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  g = lt_tensor_get_grad (x);
  g_assert_nonnull (g);
  g_assert_cmpint (lt_tensor_get_device_index (g), ==, 0);
  assert_values (g, want, 3);
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

static void
test_module (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) lin = NULL;
  g_autoptr(GPtrArray) params = NULL;
  double v[3] = { 1, 2, 3 };
  g_autoptr(LtTensor) h = host_from (v, 3, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) x1 = NULL, x0 = NULL, out = NULL, bad = NULL;

  use_emulated (2);
  lin = lt_linear_new (3, 2, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (lt_module_to_device_index (LT_MODULE (lin), LT_DEVICE_CUDA, 1, &error));
  g_assert_no_error (error);
  params = lt_module_parameters (LT_MODULE (lin));
  for (guint i = 0; i < params->len; i++)
    g_assert_cmpint (lt_tensor_get_device_index (params->pdata[i]), ==, 1);
  x1 = on (h, LT_DEVICE_CUDA, 1);
  out = lt_module_forward (LT_MODULE (lin), x1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device_index (out), ==, 1);
  x0 = on (h, LT_DEVICE_CUDA, 0);
  bad = lt_module_forward (LT_MODULE (lin), x0, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "cuda:1");
  assert_message (error, "cuda:0");
  g_clear_error (&error);
  /* a missing device moves nothing */
  g_assert_false (lt_module_to_device_index (LT_MODULE (lin), LT_DEVICE_CUDA, 5, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);
  for (guint i = 0; i < params->len; i++)
    g_assert_cmpint (lt_tensor_get_device_index (params->pdata[i]), ==, 1);
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

static void
test_parse (void)
{
  static const char *const bad[] = { "gpu",     "cuda:", "cuda:x", "cuda:1x", "cuda:-1",
                                     "cuda:16", "cpu:1", "cud",    "" };
  g_autoptr(GError) error = NULL;
  LtDevice d = LT_DEVICE_CPU;
  int      i = -5;

  g_assert_true (lt_device_parse ("cuda:1", &d, &i, &error));
  g_assert_cmpint (d, ==, LT_DEVICE_CUDA);
  g_assert_cmpint (i, ==, 1);
  g_assert_true (lt_device_parse ("cuda", &d, &i, &error));
  g_assert_cmpint (d, ==, LT_DEVICE_CUDA);
  g_assert_cmpint (i, ==, 0);
  g_assert_true (lt_device_parse ("cpu", &d, &i, &error));
  g_assert_cmpint (d, ==, LT_DEVICE_CPU);
  g_assert_true (lt_device_parse ("cpu:0", &d, &i, &error));
  g_assert_true (lt_device_parse ("cuda:15", &d, &i, &error));
  g_assert_cmpint (i, ==, 15);
  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_assert_false (lt_device_parse (bad[k], &d, &i, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
      g_clear_error (&error);
    }
}

static void
test_trainer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTrainer) trainer = g_object_new (LT_TYPE_TRAINER, NULL);

  g_assert_cmpint (lt_trainer_get_device_index (trainer), ==, -1);
  g_assert_true (lt_trainer_set_device_index (trainer, LT_DEVICE_CUDA, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lt_trainer_get_device (trainer), ==, LT_DEVICE_CUDA);
  g_assert_cmpint (lt_trainer_get_device_index (trainer), ==, 1);
  g_assert_false (lt_trainer_set_device_index (trainer, LT_DEVICE_CPU, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);
  lt_trainer_set_device (trainer, LT_DEVICE_CUDA);
  g_assert_cmpint (lt_trainer_get_device_index (trainer), ==, 0);
}

/* pin_memory: page-locked buffers from the runtime; an upload from one is
 * queued without a synchronisation and keeps the buffer until the stream
 * is synchronised. */
static void
test_pinned (void)
{
  g_autoptr(GError) error = NULL;
  LtCudaFakeConfig config = { 0 };
  LtCudaFakeCounts c0, c1;
  double           v[5] = { 1, 2, 3, 4, 5 };
  g_autoptr(LtTensor) h = host_from (v, 5, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) pinned = NULL, again = NULL, d = NULL, d2 = NULL, bad = NULL;
  gsize base;

  _lt_cuda_emulated_set_device_count (2);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_fake (&config));
  g_assert_false (lt_tensor_is_pinned (h));
  base = _lt_cuda_emulated_n_host_buffers ();
  pinned = lt_tensor_pin_memory (h, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_is_pinned (pinned));
  g_assert_cmpint (lt_tensor_get_device (pinned), ==, LT_DEVICE_CPU);
  g_assert_cmpuint (_lt_cuda_emulated_n_host_buffers (), ==, base + 1);
  assert_values (pinned, v, 5);
  again = lt_tensor_pin_memory (pinned, &error);
  g_assert_true (again == pinned);
  g_clear_object (&again);

  /* an upload from pageable memory waits (this one also sets cuda:1 up) */
  _lt_cuda_fake_get_counts (&c0);
  d2 = on (h, LT_DEVICE_CUDA, 1);
  _lt_cuda_fake_get_counts (&c1);
  g_assert_cmpuint (c1.n_sync, >, c0.n_sync);

  /* the upload from pinned memory does not wait for the stream */
  _lt_cuda_fake_get_counts (&c0);
  d = on (pinned, LT_DEVICE_CUDA, 1);
  _lt_cuda_fake_get_counts (&c1);
  g_assert_cmpuint (c1.n_sync, ==, c0.n_sync);
  /* ... and holds the buffer: dropping the tensor frees nothing yet */
  g_clear_object (&pinned);
  g_assert_cmpuint (_lt_cuda_emulated_n_host_buffers (), ==, base + 1);
  g_assert_true (lt_cuda_device_synchronize (1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_lt_cuda_emulated_n_host_buffers (), ==, base);
  assert_values (d, v, 5);

  /* only CPU tensors can be pinned */
  bad = lt_tensor_pin_memory (d2, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "only CPU tensors can be pinned");
  g_clear_error (&error);
  /* the tensors go with the function's end: the next test resets the
   * runtime */
}

/* Without a device (the real runtime on a machine without a GPU), pinned
 * memory is a GError that says why. */
static void
test_pinned_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  double v[2] = { 1, 2 };
  g_autoptr(LtTensor) h = host_from (v, 2, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) p = NULL;
  int n = 0;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_real ());
  if (_lt_cuda_runtime_real ()->device_count (&n) == LT_CU_OK && n > 0)
    {
      p = lt_tensor_pin_memory (h, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_is_pinned (p));
    }
  else
    {
      p = lt_tensor_pin_memory (h, &error);
      g_assert_null (p);
      g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
      assert_message (error,
                      "pin_memory: pinned memory needs a CUDA device: CUDA is not available");
    }
  g_clear_object (&p);
  _lt_cuda_backend_set_runtime (NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuda/devices/count", test_count);
  g_test_add_func ("/cuda/devices/to-index", test_to_index);
  g_test_add_func ("/cuda/devices/mismatch", test_mismatch);
  g_test_add_func ("/cuda/devices/error-word", test_error_word);
  g_test_add_func ("/cuda/devices/autograd", test_autograd);
  g_test_add_func ("/cuda/devices/module", test_module);
  g_test_add_func ("/cuda/devices/parse", test_parse);
  g_test_add_func ("/cuda/devices/trainer", test_trainer);
  g_test_add_func ("/cuda/devices/pinned", test_pinned);
  g_test_add_func ("/cuda/devices/pinned-unavailable", test_pinned_unavailable);
  return g_test_run ();
}
