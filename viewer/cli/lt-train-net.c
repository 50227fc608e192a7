/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lt-train-net.h"

/*
 * The tutorial's CIFAR-10 network ("2. 定义一个卷积神经网络"), with the
 * parameter names PyTorch gives it (conv1.weight, ..., fc3.bias), so a
 * checkpoint's "model." part loads into torch's Net too:
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
 */

struct _LtTrainNet
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtTrainNet, lt_train_net, LT_TYPE_MODULE)

static LtTensor *
child (LtModule   *self,
       const char *name,
       LtTensor   *x,
       GError    **error)
{
  return lt_module_forward (lt_module_get_child (self, name), x, error);
}

static LtTensor *
lt_train_net_forward (LtModule *self,
                      LtTensor *input,
                      GError  **error)
{
  static const gint64 flat_shape[2] = { -1, 16 * 5 * 5 };
  g_autoptr(LtTensor) c1 = NULL, r1 = NULL, p1 = NULL, c2 = NULL, r2 = NULL, p2 = NULL;
  g_autoptr(LtTensor) flat = NULL, f1 = NULL, a1 = NULL, f2 = NULL, a2 = NULL;

  if (!(c1 = child (self, "conv1", input, error)) ||
      !(r1 = lt_tensor_relu (c1, error)) ||
      !(p1 = child (self, "pool", r1, error)) ||
      !(c2 = child (self, "conv2", p1, error)) ||
      !(r2 = lt_tensor_relu (c2, error)) ||
      !(p2 = child (self, "pool", r2, error)) ||
      !(flat = lt_tensor_view (p2, flat_shape, 2, error)) ||
      !(f1 = child (self, "fc1", flat, error)) ||
      !(a1 = lt_tensor_relu (f1, error)) ||
      !(f2 = child (self, "fc2", a1, error)) ||
      !(a2 = lt_tensor_relu (f2, error)))
    return NULL;
  return child (self, "fc3", a2, error);
}

static void
lt_train_net_class_init (LtTrainNetClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_train_net_forward;
}

static void
lt_train_net_init (LtTrainNet *self)
{
}

/* Builds the layers in the tutorial's order, so the same seed gives the
 * same initial weights as the same program written with the library
 * anywhere else. */
LtTrainNet *
lt_train_net_new (gint64   in_channels,
                  GError **error)
{
  static const gint64 k5[2] = { 5, 5 };
  static const gint64 two[2] = { 2, 2 };
  g_autoptr(LtTrainNet) self = g_object_new (LT_TRAIN_TYPE_NET, NULL);
  LtModule *m = LT_MODULE (self);
  g_autoptr(LtConv2d) conv1 = NULL;
  g_autoptr(LtMaxPool2d) pool = NULL;
  g_autoptr(LtConv2d) conv2 = NULL;
  g_autoptr(LtLinear) fc1 = NULL, fc2 = NULL, fc3 = NULL;

  if (!(conv1 = lt_conv2d_new (in_channels, 6, k5, NULL, NULL, NULL, 1, TRUE, error)) ||
      !lt_module_register_module (m, "conv1", LT_MODULE (conv1), error) ||
      !(pool = lt_max_pool2d_new (two, 2, two, 2, NULL, 0, NULL, 0, FALSE, error)) ||
      !lt_module_register_module (m, "pool", LT_MODULE (pool), error) ||
      !(conv2 = lt_conv2d_new (6, 16, k5, NULL, NULL, NULL, 1, TRUE, error)) ||
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
