/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The NCCL backend in a build with the CUDA backend and MPI: without a GPU
 * init_process_group ("nccl") is a GError that says why (no usable CUDA
 * device; or, with the emulated device, that its tensors are in host
 * memory, which NCCL cannot reach), and nothing is initialised. On a GPU,
 * a group of one process all-reduces a CUDA tensor.
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"

static void
assert_message (const GError *error, const char *expect)
{
  if (strstr (error->message, expect) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect, error->message);
}

static void
test_emulated (void)
{
  g_autoptr(GError) error = NULL;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  g_assert_true (lt_cuda_is_available ());
  g_assert_true (lt_distributed_is_available ("nccl"));
  g_assert_false (lt_init_process_group ("nccl", 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "nccl: the CUDA backend runs on the emulated device");
  assert_message (error, "NCCL cannot reach");
  g_assert_false (lt_distributed_is_initialized ());
  _lt_cuda_backend_set_runtime (NULL);
}

static void
test_real (void)
{
  g_autoptr(GError) error = NULL;

  g_unsetenv ("LT_CUDA_EMULATE");
  _lt_cuda_backend_set_runtime (NULL);
  if (!lt_cuda_is_available ())
    {
      /* this machine has no GPU: the error names the missing device */
      g_assert_false (lt_init_process_group ("nccl", 0, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
      assert_message (error, "nccl: CUDA is not available");
      g_assert_false (lt_distributed_is_initialized ());
      return;
    }
  {
    double v[3] = { 1, 2, 3 };
    gint64 n = 3;
    g_autoptr(LtTensor) host = lt_tensor_new_from_doubles (v, 3, &n, 1, LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) t = lt_tensor_to_device (host, LT_DEVICE_CUDA, &error);
    g_autoptr(LtTensor) back = NULL;

    g_assert_no_error (error);
    g_assert_true (lt_init_process_group ("nccl", 0, &error));
    g_assert_no_error (error);
    g_assert_true (
      lt_process_group_all_reduce (lt_process_group_get_default (), t, LT_REDUCE_OP_SUM, &error));
    g_assert_no_error (error);
    back = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (((const float *) lt_tensor_get_data_ptr (back))[2], ==, 3);
    g_assert_true (lt_destroy_process_group (&error));
    g_assert_no_error (error);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dist/nccl/emulated", test_emulated);
  g_test_add_func ("/dist/nccl/real", test_real);
  return g_test_run ();
}
