/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The tutorial's GPU steps ("在GPU上训练"): the tutorial's CIFAR-10 network
 * moved to the device (net.to (device)), each batch moved there before its
 * step (inputs, labels = data[0].to (device), data[1].to (device)), trained
 * with CrossEntropyLoss and SGD with momentum: its losses and final
 * parameters match the same network trained on the CPU from the same
 * initial weights on the same batches, within float32 tolerance.
 *
 * The batches are synthetic and deterministic (random normal images and
 * random labels drawn from a fixed seed per step): the GPU machine that
 * bench/cuda/run.sh runs this on has no dataset, and the comparison is of
 * the same arithmetic on two devices, which real images would not change.
 * Here meson runs it on the emulated device (LT_CUDA_EMULATE=1); on a GPU
 * it runs on cuda:0; without a device it is skipped (exit 77).
 *
 * Tolerance: every step's loss within 1e-4 relative of the CPU's, and the
 * trained parameters within 1e-4 in normalised mean squared error
 * (|gpu - cpu|^2 / |cpu|^2): float32 sums in another order drift by a few
 * ulps a step, far below either bound; a wrong kernel moves both by orders
 * of magnitude.
 */

#include <math.h>

#include <libtensor.h>

#include "../../viewer/cli/lt-train-net.h"

#define BATCH 16
#define STEPS 8
#define LOSS_RTOL 1e-4
#define PARAM_NMSE 1e-4

typedef struct
{
  LtModule    *net;
  LtOptimizer *opt;
  LtLoss      *loss;
  LtDevice     device;
} Run;

static void
run_init (Run *r, LtDevice device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;

  lt_manual_seed (42); /* the same initial weights on both devices */
  r->net = LT_MODULE (lt_train_net_new (3, &error));
  g_assert_no_error (error);
  g_assert_true (lt_module_to_device (r->net, device, &error));
  g_assert_no_error (error);
  /* the optimizer over the parameters as they are on the device */
  params = lt_module_parameters (r->net);
  r->opt = LT_OPTIMIZER (lt_sgd_new (params, 0.01, 0.9, 0, 0, FALSE, &error));
  g_assert_no_error (error);
  r->loss = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, &error));
  g_assert_no_error (error);
  r->device = device;
}

static void
run_clear (Run *r)
{
  g_clear_object (&r->net);
  g_clear_object (&r->opt);
  g_clear_object (&r->loss);
}

/* The batch of step @step, on the CPU */
static void
batch (int step, LtTensor **images, LtTensor **labels)
{
  g_autoptr(GError) error = NULL;
  gint64 ishape[4] = { BATCH, 3, 32, 32 }, lshape[1] = { BATCH };

  lt_manual_seed (1000 + step);
  *images = lt_randn (ishape, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  *labels = lt_randint (0, 10, lshape, 1, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
}

/* optimizer.zero_grad (); outputs = net (inputs); loss = criterion
 * (outputs, labels); loss.backward (); optimizer.step (); the inputs moved
 * to the run's device first */
static double
step (Run *r, LtTensor *images, LtTensor *labels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_tensor_to_device (images, r->device, &error);
  g_autoptr(LtTensor) y = lt_tensor_to_device (labels, r->device, &error);
  g_autoptr(LtTensor) out = NULL, loss = NULL;
  double value = NAN;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (x), ==, r->device);
  lt_optimizer_zero_grad (r->opt, FALSE);
  out = lt_module_forward (r->net, x, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (out), ==, r->device);
  loss = lt_loss_compute (r->loss, out, y, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lt_optimizer_step (r->opt, &error));
  g_assert_no_error (error);
  g_assert_true (lt_tensor_item (loss, &value, &error));
  g_assert_no_error (error);
  return value;
}

static void
test_train (void)
{
  Run cpu = { 0 }, gpu = { 0 };
  g_autoptr(GPtrArray) pc = NULL, pg = NULL;
  double num = 0, den = 0;

  run_init (&cpu, LT_DEVICE_CPU);
  run_init (&gpu, LT_DEVICE_CUDA);
  for (int s = 0; s < STEPS; s++)
    {
      g_autoptr(LtTensor) images = NULL, labels = NULL;
      double lc, lg;

      batch (s, &images, &labels);
      lc = step (&cpu, images, labels);
      lg = step (&gpu, images, labels);
      g_test_message ("step %d: loss cpu %.8f, cuda %.8f", s, lc, lg);
      g_assert_true (isfinite (lc) && isfinite (lg));
      if (fabs (lg - lc) > LOSS_RTOL * fabs (lc))
        g_error ("step %d: the loss on the device, %.8g, is not the CPU's %.8g within %g", s, lg,
                 lc, LOSS_RTOL);
    }

  /* the trained parameters */
  pc = lt_module_parameters (cpu.net);
  pg = lt_module_parameters (gpu.net);
  g_assert_cmpuint (pc->len, ==, pg->len);
  g_assert_cmpuint (pc->len, ==, 10);
  for (guint i = 0; i < pc->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize              nc = 0, ng = 0;
      g_autofree double *vc = lt_tensor_to_doubles (pc->pdata[i], &nc, &error);
      g_autofree double *vg = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (lt_tensor_get_device (pg->pdata[i]), ==, LT_DEVICE_CUDA);
      vg = lt_tensor_to_doubles (pg->pdata[i], &ng, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (nc, ==, ng);
      for (gsize k = 0; k < nc; k++)
        {
          num += (vg[k] - vc[k]) * (vg[k] - vc[k]);
          den += vc[k] * vc[k];
        }
    }
  g_test_message ("parameters: normalised MSE %.3g", num / den);
  g_assert_cmpfloat (den, >, 0);
  g_assert_cmpfloat (num / den, <, PARAM_NMSE);
  run_clear (&cpu);
  run_clear (&gpu);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The tutorial's network trained on the CUDA device gives the CPU's losses");
  if (!lt_cuda_init (&error))
    {
      g_printerr ("skipped: no CUDA device: %s\n", error->message);
      return 77;
    }
  g_test_add_func ("/cuda/tutorial/train", test_train);
  return g_test_run ();
}
