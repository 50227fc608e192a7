/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The NCCL backend in a build with the CUDA backend and MPI: without a GPU
 * init_process_group ("nccl") is a GError that says why (no usable CUDA
 * device; or, with the emulated device, that its tensors are in host
 * memory, which NCCL cannot reach), and nothing is initialised. On a GPU,
 * a group of one process all-reduces a CUDA tensor. Each rank's device is
 * cuda:local_rank (modulo the devices), checked on two emulated devices,
 * and a tensor on another device than the group's is a GError naming both.
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"
#include "distributed/lt-dist-backend-private.h"

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

/* The rank's device: cuda:(OMPI_COMM_WORLD_LOCAL_RANK modulo the devices) */
static void
test_local_device (void)
{
  g_autoptr(GError) error = NULL;
  int device = -1;

  _lt_cuda_emulated_set_device_count (2);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  g_setenv ("OMPI_COMM_WORLD_LOCAL_RANK", "1", TRUE);
  g_assert_cmpint (_lt_dist_local_rank (5), ==, 1);
  g_assert_nonnull (_lt_dist_nccl_pick_device (5, &device, &error));
  g_assert_no_error (error);
  g_assert_cmpint (device, ==, 1);
  g_setenv ("OMPI_COMM_WORLD_LOCAL_RANK", "3", TRUE);
  g_assert_nonnull (_lt_dist_nccl_pick_device (3, &device, &error));
  g_assert_cmpint (device, ==, 1);
  g_setenv ("OMPI_COMM_WORLD_LOCAL_RANK", "2", TRUE);
  g_assert_nonnull (_lt_dist_nccl_pick_device (2, &device, &error));
  g_assert_cmpint (device, ==, 0);

  /* init picks it before it finds the device emulated */
  g_setenv ("OMPI_COMM_WORLD_LOCAL_RANK", "1", TRUE);
  g_assert_false (lt_init_process_group ("nccl", 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  assert_message (error, "this rank's is cuda:1");
  g_clear_error (&error);
  g_unsetenv ("OMPI_COMM_WORLD_LOCAL_RANK");
  g_assert_cmpint (_lt_dist_local_rank (4), ==, 4);

  /* a tensor on another device than the group's */
  {
    double v[2] = { 1, 2 };
    gint64 n = 2;
    g_autoptr(LtTensor) host = lt_tensor_new_from_doubles (v, 2, &n, 1, LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) t0 = lt_tensor_to_device_index (host, LT_DEVICE_CUDA, 0, &error);
    g_autoptr(LtTensor) t1 = lt_tensor_to_device_index (host, LT_DEVICE_CUDA, 1, &error);

    g_assert_no_error (error);
    g_assert_true (_lt_dist_nccl_check_device (t1, 1, "all_reduce", &error));
    g_assert_no_error (error);
    g_assert_false (_lt_dist_nccl_check_device (t0, 1, "all_reduce", &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
    assert_message (error, "all_reduce: expected the tensor on the process group's device cuda:1");
    assert_message (error, "found it on cuda:0");
    g_clear_error (&error);
    g_assert_false (_lt_dist_nccl_check_device (host, 1, "broadcast", &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
    assert_message (error, "works on CUDA tensors, this one is on cpu");
    g_clear_error (&error);
  }
  _lt_cuda_emulated_set_device_count (0);
  _lt_cuda_backend_set_runtime (NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dist/nccl/emulated", test_emulated);
  g_test_add_func ("/dist/nccl/local-device", test_local_device);
  g_test_add_func ("/dist/nccl/real", test_real);
  return g_test_run ();
}
