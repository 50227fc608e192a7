/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's fused kernels (lt-cuda-kernels-fused.cu) and its
 * launch counter, on the emulated device:
 * - a training step of the tutorial's network ("Training a classifier":
 *   two conv layers, three linear, SGD with momentum, cross-entropy) makes
 *   at most a bound of launches derived from its layers, fewer than without
 *   the fused kernels (the multi-tensor zeroing and step, cross_entropy
 *   in one kernel each way, Linear then ReLU as a product and bias_relu),
 *   and gives the same losses and parameters bit
 *   for bit (the fused kernels repeat the unfused arithmetic in order);
 * - the multi-tensor optimizer steps (SGD with momentum, dampening,
 *   Nesterov, weight decay, maximize; Adam and AdamW with and without
 *   amsgrad; RMSprop plain, centered, with momentum) give the parameters
 *   and states of the one-tensor-at-a-time updates bit for bit, in float32
 *   and float64, over lists longer than one launch's chunk and tensors
 *   larger than one block's reach, in one launch per chunk;
 * - zero_grad (set_to_none FALSE) zeroes every gradient in one launch and
 *   bumps their versions; a gradient the kernel cannot take (not
 *   contiguous) is zeroed on its own;
 * - bias_relu takes one launch forward and one backward, one fewer each
 *   way than the add and relu without the kernel, with the same output and
 *   gradients bit for bit;
 * - a Linear then a ReLU in an LtSequential (ops/lt-fused-linear.c) gives
 *   the unfused output and gradients bit for bit at odd shapes, the
 *   bias's sum made by a thread or by a block per channel as the reduce
 *   kernel makes it;
 * - a Conv2d then a ReLU in an LtSequential (LtConvParams.relu: the
 *   bias's pass after the product stores relu (v)) gives the unfused
 *   output, gradients and parameters after SGD steps bit for bit, in
 *   float32 and float64, with one launch fewer forward where the layer has
 *   a bias, as many without.
 */

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "backends/cuda/lt-cuda-kernels-fused-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-fused-private.h"
#include "optim-cases.h"
#include "linear-relu-cases.h"

static void
use_emulated (void)
{
  g_autoptr(GError) error = NULL;

  g_unsetenv ("LT_CUDA_SYNC");
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  g_assert_nonnull (_lt_cuda_backend_get (&error));
  g_assert_no_error (error);
  _lt_cuda_set_fused (TRUE);
}

static guint64
launches (void)
{
  return _lt_cuda_launch_count (0);
}

static LtTensor *
to_host (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  LtTensor *h = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);

  g_assert_no_error (error);
  return h;
}

static LtTensor *
to_cuda (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  LtTensor *d = lt_tensor_to_device (t, LT_DEVICE_CUDA, &error);

  g_assert_no_error (error);
  return d;
}

/* ---- the tutorial's training step ---- */

/* conv1 (3 -> 6, 5x5), relu, max_pool 2, conv2 (6 -> 16, 5x5), relu,
 * max_pool 2, flatten, fc1 (400 -> 120), relu, fc2 (120 -> 84), relu,
 * fc3 (84 -> 10) */
#define N_CONV 2
#define N_LINEAR 3
#define N_RELU 4
#define N_POOL 2
/* fc1 and fc2, each followed by a ReLU: one fused pair each */
#define N_LINEAR_RELU 2
/* conv1 and conv2, each followed by a ReLU: one fused pair each */
#define N_CONV_RELU 2

static LtModule *
tutorial_net (void)
{
  g_autoptr(GError) error = NULL;
  LtSequential *net = tutorial_sequential ();

  g_assert_true (lt_module_to_device (LT_MODULE (net), LT_DEVICE_CUDA, &error));
  g_assert_no_error (error);
  return LT_MODULE (net);
}

typedef struct
{
  LtModule    *net;
  LtOptimizer *opt;
  LtLoss      *loss;
} Trainer;

static void
trainer_init (Trainer *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;

  lt_manual_seed (7);
  t->net = tutorial_net ();
  params = lt_module_parameters (t->net);
  g_assert_cmpuint (params->len, ==, 2 * (N_CONV + N_LINEAR));
  /* the tutorial's optim.SGD(net.parameters(), lr=0.001, momentum=0.9) */
  t->opt = LT_OPTIMIZER (lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, &error));
  t->loss = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, &error));
  g_assert_no_error (error);
}

static void
trainer_clear (Trainer *t)
{
  g_clear_object (&t->net);
  g_clear_object (&t->opt);
  g_clear_object (&t->loss);
}

/* One step of the tutorial's loop: the batch (made on the host) moved to
 * the device, zero_grad (PyTorch 1.13's default: fill with zeros),
 * forward, loss, backward, step. Returns the launches it made. */
static guint64
train_step (Trainer *t, guint step, double *loss_value)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[4] = { 4, 3, 32, 32 }, ys[1] = { 4 };
  g_autoptr(LtTensor) xh = NULL;
  g_autoptr(LtTensor) yh = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) loss = NULL;
  guint64 before;

  lt_manual_seed (100 + step);
  xh = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
  yh = lt_randint (0, 10, ys, 1, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);

  before = launches ();
  x = to_cuda (xh);
  y = to_cuda (yh);
  lt_optimizer_zero_grad (t->opt, FALSE);
  out = lt_module_forward (t->net, x, &error);
  g_assert_no_error (error);
  loss = lt_loss_compute (t->loss, out, y, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lt_optimizer_step (t->opt, &error));
  g_assert_no_error (error);
  g_assert_true (lt_tensor_item (loss, loss_value, &error));
  g_assert_no_error (error);
  return launches () - before;
}

static void
test_training_step_launches (void)
{
  Trainer fused = { NULL }, unfused = { NULL };
  g_autoptr(GPtrArray) pf = NULL;
  g_autoptr(GPtrArray) pu = NULL;
  guint64 n_fused = 0, n_unfused = 0, bound;
  guint   n_params = 2 * (N_CONV + N_LINEAR);

  use_emulated ();
  trainer_init (&fused);
  trainer_init (&unfused);
  for (guint step = 0; step < 3; step++)
    {
      double lf, lu;

      _lt_cuda_set_fused (FALSE);
      n_unfused = train_step (&unfused, step, &lu);
      _lt_cuda_set_fused (TRUE);
      n_fused = train_step (&fused, step, &lf);
      g_assert_true (isfinite (lf));
      g_assert_cmpfloat (lf, ==, lu);
    }
  pf = lt_module_parameters (fused.net);
  pu = lt_module_parameters (unfused.net);
  for (guint i = 0; i < pf->len; i++)
    assert_same_bits (g_ptr_array_index (pf, i), g_ptr_array_index (pu, i),
                      "a parameter after three steps, fused and unfused");

  /* The bound, from the layers of the network: the launches of a step in
   * the steady state (copies to and from the host are not launches), as
   * the backend makes them:
   *   zero_grad: one multi-tensor launch;
   *   each conv layer: forward im2col, gemm, bias = 3; backward the
   *     weight's im2col, copy, gemm and the bias's sum = 4, and the
   *     input's gemm and col2im (conv2; conv1's input needs no gradient)
   *     = 2: at most 9 each;
   *   each linear layer: forward the bias's copy and gemm = 2; backward
   *     two gemms and the bias's sum = 3: 5 each;
   *   each relu and each max_pool: forward 1, backward 1: 2 each;
   *   each Linear directly followed by a ReLU in the Sequential runs
   *     fused (nn/lt-sequential-fuse.c): forward the gemm and bias_relu,
   *     backward bias_relu_grad and two gemms, 5 for the pair where the
   *     terms above count 5 + 2 = 7: 2 fewer each;
   *   each Conv2d directly followed by a ReLU runs fused too: the bias's
   *     pass stores relu (v) (LtConvParams.relu), so the ReLU's forward
   *     launch goes (its backward, relu_grad, stays): 1 fewer each;
   *   the loss: the fused cross_entropy = 1; backward the seed (a fill)
   *     and cross_entropy_grad (the mean's scale inside) = 2: 3 (unfused:
   *     log_softmax and nll_loss = 2, backward the seed, the mean's scale,
   *     nll_loss_grad and log_softmax's sum, exp, mul and sub = 7: 9);
   *   the gradients added into .grad (zeroed, not dropped): 1 each;
   *   the optimizer step: one multi-tensor launch (n_params <=
   *     LT_CU_MT_MAX).
   * Without the fused kernels zero_grad and the step take one launch per
   * parameter each, the loss 6 launches more, each Linear and ReLU pair
   * 2 more and each Conv2d and ReLU pair 1 more. Measured on the emulated
   * device: 64 launches a step before the loss was fused (bound 66), 58
   * after (bound 60), 54 with the Linear and ReLU pairs fused (bound 56),
   * 52 with the Conv2d and ReLU pairs fused too (bound 54); 82 unfused. */
  g_assert_cmpuint (n_params, <=, LT_CU_MT_MAX);
  bound = 1 + 9 * N_CONV + 5 * N_LINEAR + 2 * (N_RELU + N_POOL) + 3 + n_params + 1 -
          2 * N_LINEAR_RELU - N_CONV_RELU;
  g_test_message (
    "launches per training step of the tutorial's network (batch 4): %" G_GUINT64_FORMAT
    " with the fused kernels, %" G_GUINT64_FORMAT " without; bound %" G_GUINT64_FORMAT,
    n_fused, n_unfused, bound);
  g_print ("# launches per step: fused %" G_GUINT64_FORMAT ", unfused %" G_GUINT64_FORMAT
           ", bound %" G_GUINT64_FORMAT "\n",
           n_fused, n_unfused, bound);
  g_assert_cmpuint (n_fused, <=, bound);
  /* zero_grad and the step each save a launch per parameter but one, the
   * loss 6, each Linear and ReLU pair 2, each Conv2d and ReLU pair 1 */
  g_assert_cmpuint (n_fused + 2 * (n_params - 1) + 6 + 2 * N_LINEAR_RELU + N_CONV_RELU, ==,
                    n_unfused);
  trainer_clear (&fused);
  trainer_clear (&unfused);
}

/* ---- the multi-tensor optimizer steps ---- */

/* 30 parameters (more than LT_CU_MT_MAX, so two launches a step): a 0-dim
 * one, small ones, and in float32 one of 530,000 elements (more than the
 * 2048 blocks of 256 threads one tensor gets in a launch) */
#define N_OPT_PARAMS 30

static void
opt_shape (guint i, LtDType dt, gint64 *shape, gsize *n_dims)
{
  if (i == 0)
    *n_dims = 0;
  else if (i == 1 && dt == LT_DTYPE_FLOAT32)
    {
      shape[0] = 530;
      shape[1] = 1000;
      *n_dims = 2;
    }
  else
    {
      shape[0] = i;
      shape[1] = 3 + i % 5;
      *n_dims = 2;
    }
}

static LtTensor *
opt_randn (guint i, LtDType dt, LtDevice device)
{
  g_autoptr(GError) error = NULL;
  gint64 shape[2];
  gsize  n_dims;
  g_autoptr(LtTensor) h = NULL;

  opt_shape (i, dt, shape, &n_dims);
  h = lt_randn (shape, n_dims, dt, &error);
  g_assert_no_error (error);
  return device == LT_DEVICE_CUDA ? to_cuda (h) : g_object_ref (h);
}

/* Three steps of @c over the same parameters and gradients: the
 * parameters and the optimizer after them; @n_last: the launches of the
 * last step. */
static LtOptimizer *
run_optimizer (const OptCase *c,
               LtDType        dt,
               LtDevice       device,
               gboolean       fused,
               GPtrArray    **params_out,
               guint64       *n_last)
{
  g_autoptr(GError) error = NULL;
  GPtrArray   *params = g_ptr_array_new_with_free_func (g_object_unref);
  LtOptimizer *opt;

  _lt_cuda_set_fused (fused);
  lt_manual_seed (3);
  for (guint i = 0; i < N_OPT_PARAMS; i++)
    {
      LtTensor *p = opt_randn (i, dt, device);

      g_assert_true (lt_tensor_set_requires_grad (p, TRUE, &error));
      g_ptr_array_add (params, p);
    }
  opt = optim_case_new (c, params);
  for (guint step = 0; step < 3; step++)
    {
      guint64 before;

      lt_manual_seed (50 + step);
      for (guint i = 0; i < N_OPT_PARAMS; i++)
        {
          g_autoptr(LtTensor) g = opt_randn (i, dt, device);

          g_assert_true (lt_tensor_set_grad (g_ptr_array_index (params, i), g, &error));
          g_assert_no_error (error);
        }
      before = launches ();
      g_assert_true (lt_optimizer_step (opt, &error));
      g_assert_no_error (error);
      *n_last = launches () - before;
    }
  _lt_cuda_set_fused (TRUE);
  *params_out = params;
  return opt;
}

/* The fused step of every case gives the unfused step's bits, and the
 * CPU's values; it takes one launch per LT_CU_MT_MAX parameters. */
static void
test_optimizers (gconstpointer data)
{
  LtDType dt = GPOINTER_TO_INT (data);

  use_emulated ();
  for (guint k = 0; k < n_opt_cases; k++)
    {
      const OptCase *c = &opt_cases[k];
      g_autoptr(GPtrArray) pf = NULL;
      g_autoptr(GPtrArray) pu = NULL;
      g_autoptr(GPtrArray) pc = NULL;
      g_autoptr(LtOptimizer) of = NULL;
      g_autoptr(LtOptimizer) ou = NULL;
      g_autoptr(LtOptimizer) oc = NULL;
      guint64 n_fused, n_unfused, n_cpu;

      of = run_optimizer (c, dt, LT_DEVICE_CUDA, TRUE, &pf, &n_fused);
      ou = run_optimizer (c, dt, LT_DEVICE_CUDA, FALSE, &pu, &n_unfused);
      oc = run_optimizer (c, dt, LT_DEVICE_CPU, TRUE, &pc, &n_cpu);
      g_test_message ("%s (%s): %" G_GUINT64_FORMAT " launches a step fused, %" G_GUINT64_FORMAT
                      " unfused",
                      c->name, lt_dtype_get_name (dt), n_fused, n_unfused);
      g_assert_cmpuint (n_cpu, ==, 0);
      g_assert_cmpuint (n_fused, ==, (N_OPT_PARAMS + LT_CU_MT_MAX - 1) / LT_CU_MT_MAX);
      g_assert_cmpuint (n_unfused, >=, N_OPT_PARAMS);
      for (guint i = 0; i < N_OPT_PARAMS; i++)
        {
          LtTensor    *p = g_ptr_array_index (pf, i);
          LtTensor    *q = g_ptr_array_index (pu, i);
          LtTensor    *r = g_ptr_array_index (pc, i);
          LtStateDict *sf = lt_optimizer_get_state (of, p);
          LtStateDict *su = lt_optimizer_get_state (ou, q);
          LtStateDict *sc = lt_optimizer_get_state (oc, r);

          assert_same_bits (p, q, c->name);
          assert_same_bits (p, r, c->name);
          g_assert_cmpuint (lt_state_dict_get_n_tensors (sf), ==, lt_state_dict_get_n_tensors (su));
          for (guint j = 0; c->states[j]; j++)
            {
              LtTensor *a = lt_state_dict_lookup (sf, c->states[j]);
              LtTensor *b = lt_state_dict_lookup (su, c->states[j]);
              LtTensor *d = lt_state_dict_lookup (sc, c->states[j]);

              g_assert_nonnull (a);
              g_assert_nonnull (b);
              g_assert_nonnull (d);
              assert_same_bits (a, b, c->states[j]);
              assert_same_bits (a, d, c->states[j]);
            }
        }
    }
}

/* ---- zero_grad ---- */

static void
test_zero_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtOptimizer) opt = NULL;
  g_autofree guint *versions = g_new0 (guint, N_OPT_PARAMS);
  guint64           before;

  use_emulated ();
  lt_manual_seed (5);
  for (guint i = 0; i < N_OPT_PARAMS; i++)
    {
      LtTensor *p = opt_randn (i, i % 2 ? LT_DTYPE_FLOAT64 : LT_DTYPE_FLOAT32, LT_DEVICE_CUDA);
      g_autoptr(LtTensor) g = opt_randn (i, p->dtype, LT_DEVICE_CUDA);

      g_assert_true (lt_tensor_set_requires_grad (p, TRUE, &error));
      g_assert_true (lt_tensor_set_grad (p, g, &error));
      g_assert_no_error (error);
      g_ptr_array_add (params, p);
    }
  /* parameter 2's gradient is a transposed view: zeroed on its own */
  {
    LtTensor *p = g_ptr_array_index (params, 2);
    gint64    shape[2] = { p->shape[1], p->shape[0] };
    g_autoptr(LtTensor) h = NULL;
    g_autoptr(LtTensor) g = NULL;
    g_autoptr(LtTensor) gt = NULL;

    h = lt_randn (shape, 2, p->dtype, &error);
    g = to_cuda (h);
    gt = lt_tensor_t (g, &error);
    g_assert_no_error (error);
    g_assert_false (lt_tensor_is_contiguous (gt));
    g_assert_true (lt_tensor_set_grad (p, gt, &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < N_OPT_PARAMS; i++)
    versions[i] = lt_tensor_get_version (lt_tensor_get_grad (g_ptr_array_index (params, i)));
  opt = LT_OPTIMIZER (lt_sgd_new (params, 0.1, 0, 0, 0, FALSE, &error));
  g_assert_no_error (error);
  before = launches ();
  lt_optimizer_zero_grad (opt, FALSE);
  /* float32 (15 gradients) and float64 (14 in one launch), the view on its own */
  g_assert_cmpuint (launches () - before, ==, 3);
  for (guint i = 0; i < N_OPT_PARAMS; i++)
    {
      LtTensor *g = lt_tensor_get_grad (g_ptr_array_index (params, i));
      g_autoptr(LtTensor) h = to_host (g);
      g_autoptr(LtTensor) c = lt_tensor_contiguous (h, NULL);

      g_assert_nonnull (g);
      g_assert_cmpuint (lt_tensor_get_version (g), >, versions[i]);
      for (gint64 e = 0; e < c->numel; e++)
        g_assert_cmpfloat (
          _lt_load_double ((char *) _lt_tensor_data (c) + e * lt_dtype_get_element_size (c->dtype),
                           c->dtype),
          ==, 0);
    }
}

/* ---- bias + relu ---- */

/* bias_relu (ops/lt-fused-act.c) on a Conv2d's output shape: one launch
 * forward and one backward (relu's gradient and the bias's), one launch
 * fewer each way than the add and relu it replaces (the path without the
 * kernel), with the same output and input gradient bit for bit */
static guint64
bias_relu_run (LtTensor  *xh,
               LtTensor  *bh,
               LtTensor  *gh,
               LtTensor **y,
               LtTensor **dx,
               LtTensor **db,
               guint64   *n_backward)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = to_cuda (xh);
  g_autoptr(LtTensor) b = to_cuda (bh);
  g_autoptr(LtTensor) g = to_cuda (gh);
  guint64 before, n_forward;

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  before = launches ();
  *y = _lt_bias_relu (x, b, &error);
  g_assert_no_error (error);
  n_forward = launches () - before;
  before = launches ();
  g_assert_true (lt_tensor_backward (*y, g, FALSE, &error));
  g_assert_no_error (error);
  *n_backward = launches () - before;
  *dx = g_object_ref (lt_tensor_get_grad (x));
  *db = g_object_ref (lt_tensor_get_grad (b));
  return n_forward;
}

static void
test_bias_relu (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[4] = { 4, 6, 7, 7 }, bs[1] = { 6 };
  g_autoptr(LtTensor) xh = NULL;
  g_autoptr(LtTensor) bh = NULL;
  g_autoptr(LtTensor) gh = NULL;
  LtTensor *y[2], *dx[2], *db[2];
  guint64   fw[2], bw[2];

  use_emulated ();
  lt_manual_seed (11);
  xh = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
  bh = lt_randn (bs, 1, LT_DTYPE_FLOAT32, &error);
  gh = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  for (guint fused = 0; fused < 2; fused++)
    {
      _lt_cuda_set_fused (fused);
      fw[fused] = bias_relu_run (xh, bh, gh, &y[fused], &dx[fused], &db[fused], &bw[fused]);
    }
  g_print ("# bias_relu launches: fused %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT
           ", unfused %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT "\n",
           fw[1], bw[1], fw[0], bw[0]);
  g_assert_cmpuint (fw[1], ==, 1);
  g_assert_cmpuint (fw[1] + 1, ==, fw[0]);
  g_assert_cmpuint (bw[1] + 1, ==, bw[0]);
  assert_same_bits (y[1], y[0], "bias_relu's output, fused and unfused");
  assert_same_bits (dx[1], dx[0], "bias_relu's input gradient, fused and unfused");
  /* the bias's sum in the reduce kernel's order (a block's tree here:
   * 4 * 49 elements a channel, 6 channels) */
  assert_same_bits (db[1], db[0], "bias_relu's bias gradient, fused and unfused");
  for (guint i = 0; i < 2; i++)
    {
      g_object_unref (y[i]);
      g_object_unref (dx[i]);
      g_object_unref (db[i]);
    }
  _lt_cuda_set_fused (TRUE);
}

/* A Linear then a ReLU in a Sequential on the device: the bits of the
 * modules run one by one, the bias's sum by a thread per channel (short
 * batches) or by a block per channel (N >= 4096, or N >= 256 with fewer
 * than 64 channels), as the reduce kernel sums the unfused gradient */
static void
test_linear_relu (void)
{
  static const gint64 shapes[][3] = {
    { 4, 400, 120 }, { 1, 3, 2 },    { 3, 5, 7 }, { 300, 9, 5 },
    { 300, 9, 70 },  { 4100, 3, 2 }, { 0, 4, 3 },
  };

  use_emulated ();
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    g_assert_true (
      linear_relu_check (LT_DEVICE_CUDA, shapes[i][0], shapes[i][1], shapes[i][2], 20 + i));
  /* without the kernels: the modules' own path, the same bits */
  _lt_cuda_set_fused (FALSE);
  g_assert_false (linear_relu_check (LT_DEVICE_CUDA, 3, 5, 7, 20));
  _lt_cuda_set_fused (TRUE);
}

/* A Conv2d then a ReLU in a Sequential on the device: the bits of the
 * modules run one by one (linear-relu-cases.c), with groups, stride 2, no
 * bias, a padding mode and an empty batch, in float32 and float64; the
 * forward one launch shorter with a bias, as long without one (the
 * relu-only pass replaces relu's) */
static void
test_conv_relu (void)
{
  g_autoptr(GError) error = NULL;
  static const ConvReluCase cases[] = {
    { 4, 3, 32, 32, 6, 5, 1, 0, 1, TRUE, NULL }, { 2, 4, 7, 9, 6, 3, 1, 1, 2, TRUE, NULL },
    { 3, 3, 9, 8, 5, 3, 2, 1, 1, TRUE, NULL },   { 2, 3, 6, 6, 4, 3, 1, 0, 1, FALSE, NULL },
    { 2, 6, 9, 9, 6, 3, 1, 1, 6, TRUE, NULL },   { 2, 3, 6, 7, 4, 3, 1, 1, 1, TRUE, "reflect" },
    { -1, 3, 6, 5, 4, 3, 1, 1, 1, TRUE, NULL },  { 0, 3, 6, 5, 4, 3, 1, 1, 1, TRUE, NULL },
  };
  static const gint64 xs[4] = { 2, 3, 8, 8 }, k3[2] = { 3, 3 };

  use_emulated ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (conv_relu_check (LT_DEVICE_CUDA, LT_DTYPE_FLOAT32, &cases[i], 40 + i));
      g_assert_true (conv_relu_check (LT_DEVICE_CUDA, LT_DTYPE_FLOAT64, &cases[i], 40 + i));
    }
  /* without the fused kernels: the modules' own path, the same bits */
  _lt_cuda_set_fused (FALSE);
  g_assert_false (conv_relu_check (LT_DEVICE_CUDA, LT_DTYPE_FLOAT32, &cases[1], 40));
  _lt_cuda_set_fused (TRUE);

  for (int bias = 0; bias < 2; bias++)
    {
      g_autoptr(LtConv2d) c = lt_conv2d_new (3, 4, k3, NULL, NULL, NULL, 1, bias, &error);
      g_autoptr(LtReLU) r = lt_relu_new (FALSE);
      LtModule *m[2] = { LT_MODULE (c), LT_MODULE (r) };
      g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
      g_autoptr(LtTensor) xh = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) x = NULL;
      guint64 n[2];

      g_assert_no_error (error);
      g_assert_true (lt_module_to_device (LT_MODULE (seq), LT_DEVICE_CUDA, &error));
      g_assert_no_error (error);
      x = to_cuda (xh);
      for (int fused = 0; fused < 2; fused++)
        {
          g_autoptr(LtTensor) y = NULL;
          guint64 before;

          _lt_cuda_set_fused (fused);
          before = launches ();
          y = lt_module_forward (LT_MODULE (seq), x, &error);
          g_assert_no_error (error);
          n[fused] = launches () - before;
        }
      _lt_cuda_set_fused (TRUE);
      g_print ("# conv+relu forward launches (bias %d): fused %" G_GUINT64_FORMAT
               ", unfused %" G_GUINT64_FORMAT "\n",
               bias, n[1], n[0]);
      g_assert_cmpuint (n[1] + (bias ? 1 : 0), ==, n[0]);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The CUDA backend's fused kernels and launch counter on the emulated device");
  g_test_add_func ("/cuda/fused/training-step-launches", test_training_step_launches);
  g_test_add_data_func ("/cuda/fused/optimizers/float32", GINT_TO_POINTER (LT_DTYPE_FLOAT32),
                        test_optimizers);
  g_test_add_data_func ("/cuda/fused/optimizers/float64", GINT_TO_POINTER (LT_DTYPE_FLOAT64),
                        test_optimizers);
  g_test_add_func ("/cuda/fused/zero-grad", test_zero_grad);
  g_test_add_func ("/cuda/fused/bias-relu", test_bias_relu);
  g_test_add_func ("/cuda/fused/linear-relu", test_linear_relu);
  g_test_add_func ("/cuda/fused/conv-relu", test_conv_relu);
  return g_test_run ();
}
