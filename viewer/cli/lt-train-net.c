/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lt-train-net.h"

/*
 * The tutorial's network, defined once in C: lt-train and lt-viewer train
 * it, and the examples (examples/blitz.c), the tests and the benches use
 * it too (the Python definition is examples/tutorial_net.py, the
 * JavaScript one examples/tutorial-net.js). Its type is named "Net", as
 * the tutorial's class, so it prints as PyTorch prints the tutorial's Net.
 *
 * lt_train_net_new (): the CIFAR-10 classifier of "Training a classifier"
 * ("2. 定义一个卷积神经网络"), with the parameter names PyTorch gives it
 * (conv1.weight, ..., fc3.bias), so a checkpoint's "model." part loads
 * into torch's Net too:
 *
 *   self.conv1 = nn.Conv2d(3, 6, 5)
 *   self.pool = nn.MaxPool2d(2, 2)
 *   self.conv2 = nn.Conv2d(6, 16, 5)
 *   self.fc1 = nn.Linear(16 * 5 * 5, 120)
 *   self.fc2 = nn.Linear(120, 84)
 *   self.fc3 = nn.Linear(84, 10)
 *
 *   x = self.pool(F.relu(self.conv1(x)))
 *   x = self.pool(F.relu(self.conv2(x)))
 *   x = x.view(-1, 16 * 5 * 5)
 *   x = F.relu(self.fc1(x))
 *   x = F.relu(self.fc2(x))
 *   x = self.fc3(x)
 *
 * in_channels is 3 for CIFAR-10 and 1 for Fashion-MNIST (whose 28x28
 * images are padded to 32x32, so the rest is the same).
 *
 * lt_train_net_new_nn (): the network of "Neural Networks", for 1x32x32
 * images, which pools with F.max_pool2d and holds no pooling module:
 *
 *   x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
 *   x = F.max_pool2d(F.relu(self.conv2(x)), 2)
 *   x = x.view(-1, self.num_flat_features(x))
 *   x = F.relu(self.fc1(x))
 *   x = F.relu(self.fc2(x))
 *   x = self.fc3(x)
 */

struct _LtTrainNet
{
  LtModule parent_instance;
};

static void lt_train_net_class_init (gpointer klass, gpointer data);

static void
lt_train_net_init (GTypeInstance *instance, gpointer klass)
{
}

/* G_DEFINE_FINAL_TYPE would name the type "LtTrainNet"; the tutorial's
 * class is "Net". */
GType
lt_train_net_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      GType t = g_type_register_static_simple (
        LT_TYPE_MODULE, g_intern_static_string ("Net"), sizeof (LtTrainNetClass),
        lt_train_net_class_init, sizeof (LtTrainNet), lt_train_net_init, G_TYPE_FLAG_FINAL);

      g_once_init_leave (&type, t);
    }
  return type;
}

static LtTensor *
child (LtModule   *self,
       const char *name,
       LtTensor   *x,
       GError    **error)
{
  return lt_module_forward (lt_module_get_child (self, name), x, error);
}

/* self.pool(F.relu(conv(x))), or F.max_pool2d(F.relu(conv(x)), 2) */
static LtTensor *
conv_relu_pool (LtModule *self, const char *conv, LtTensor *x, GError **error)
{
  static const gint64 window[2] = { 2, 2 };
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(LtTensor) r = NULL;

  if (!(c = child (self, conv, x, error)) || !(r = lt_tensor_relu (c, error)))
    return NULL;
  if (lt_module_get_child (self, "pool") != NULL)
    return child (self, "pool", r, error);
  return lt_max_pool2d (r, window, window, NULL, NULL, FALSE, NULL, error);
}

static LtTensor *
lt_train_net_forward (LtModule *self,
                      LtTensor *input,
                      GError  **error)
{
  g_autoptr(LtTensor) p1 = NULL, p2 = NULL, flat = NULL;
  g_autoptr(LtTensor) f1 = NULL, a1 = NULL, f2 = NULL, a2 = NULL;
  gint64 shape[2] = { -1, 16 * 5 * 5 };

  if (!(p1 = conv_relu_pool (self, "conv1", input, error)) ||
      !(p2 = conv_relu_pool (self, "conv2", p1, error)))
    return NULL;
  if (lt_module_get_child (self, "pool") == NULL)
    {
      /* self.num_flat_features(x): every dimension but the batch's */
      guint         n_dims;
      const gint64 *size = lt_tensor_get_shape (p2, &n_dims);

      shape[1] = 1;
      for (guint i = 1; i < n_dims; i++)
        shape[1] *= size[i];
    }
  if (!(flat = lt_tensor_view (p2, shape, 2, error)) || !(f1 = child (self, "fc1", flat, error)) ||
      !(a1 = lt_tensor_relu (f1, error)) || !(f2 = child (self, "fc2", a1, error)) ||
      !(a2 = lt_tensor_relu (f2, error)))
    return NULL;
  return child (self, "fc3", a2, error);
}

static void
lt_train_net_class_init (gpointer klass, gpointer data)
{
  LT_MODULE_CLASS (klass)->forward = lt_train_net_forward;
}

/* Builds the layers in the tutorial's order, so the same seed gives the
 * same initial weights as the same program written with the library
 * anywhere else (or with PyTorch's initialisation rules). */
static LtTrainNet *
net_new (gint64 in_channels, gboolean pool_module, GError **error)
{
  static const gint64 k5[2] = { 5, 5 };
  static const gint64 two[1] = { 2 }; /* nn.MaxPool2d(2, 2): prints kernel_size=2 */
  g_autoptr(LtTrainNet) self = g_object_new (LT_TRAIN_TYPE_NET, NULL);
  LtModule *m = LT_MODULE (self);
  g_autoptr(LtConv2d) conv1 = NULL;
  g_autoptr(LtMaxPool2d) pool = NULL;
  g_autoptr(LtConv2d) conv2 = NULL;
  g_autoptr(LtLinear) fc1 = NULL, fc2 = NULL, fc3 = NULL;

  if (!(conv1 = lt_conv2d_new (in_channels, 6, k5, NULL, NULL, NULL, 1, TRUE, error)) ||
      !lt_module_register_module (m, "conv1", LT_MODULE (conv1), error))
    return NULL;
  if (pool_module &&
      (!(pool = lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, error)) ||
       !lt_module_register_module (m, "pool", LT_MODULE (pool), error)))
    return NULL;
  if (!(conv2 = lt_conv2d_new (6, 16, k5, NULL, NULL, NULL, 1, TRUE, error)) ||
      !lt_module_register_module (m, "conv2", LT_MODULE (conv2), error) ||
      !(fc1 = lt_linear_new (16 * 5 * 5, 120, TRUE, error)) ||
      !lt_module_register_module (m, "fc1", LT_MODULE (fc1), error) ||
      !(fc2 = lt_linear_new (120, 84, TRUE, error)) ||
      !lt_module_register_module (m, "fc2", LT_MODULE (fc2), error) ||
      !(fc3 = lt_linear_new (84, 10, TRUE, error)) ||
      !lt_module_register_module (m, "fc3", LT_MODULE (fc3), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The classifier of "Training a classifier" for @in_channels-channel
 * 32x32 images. */
LtTrainNet *
lt_train_net_new (gint64 in_channels, GError **error)
{
  return net_new (in_channels, TRUE, error);
}

/* The network of "Neural Networks", for 1x32x32 images. */
LtTrainNet *
lt_train_net_new_nn (GError **error)
{
  return net_new (1, FALSE, error);
}
