/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-op-private.h"
#include "lt-backward-private.h"

/*
 * One row per op: its name, the name PyTorch gives its autograd node, and
 * its backward rule (NULL: not differentiable). Adding an op is adding an
 * enum value and a row here; backends add its kernel to their table.
 */

#define OP(id, name, node, bw) [id] = { name, node, bw }

const LtOpInfo _lt_op_table[LT_OP_COUNT] = {
  OP (LT_OP_FILL, "fill", NULL, NULL),
  OP (LT_OP_COPY, "copy", NULL, NULL),
  OP (LT_OP_UNIFORM, "uniform", NULL, NULL),
  OP (LT_OP_NORMAL, "normal", NULL, NULL),
  OP (LT_OP_RANDINT, "randint", NULL, NULL),
  OP (LT_OP_ARANGE, "arange", NULL, NULL),
  OP (LT_OP_LINSPACE, "linspace", NULL, NULL),
  OP (LT_OP_RANDPERM, "randperm", NULL, NULL),

  OP (LT_OP_NEG, "neg", "NegBackward0", _lt_backward_neg),
  OP (LT_OP_ABS, "abs", "AbsBackward0", _lt_backward_abs),
  OP (LT_OP_SIGN, "sign", "SignBackward0", _lt_backward_sign),
  OP (LT_OP_EXP, "exp", "ExpBackward0", _lt_backward_exp),
  OP (LT_OP_LOG, "log", "LogBackward0", _lt_backward_log),
  OP (LT_OP_SQRT, "sqrt", "SqrtBackward0", _lt_backward_sqrt),
  OP (LT_OP_RSQRT, "rsqrt", "RsqrtBackward0", _lt_backward_rsqrt),
  OP (LT_OP_SIN, "sin", "SinBackward0", _lt_backward_sin),
  OP (LT_OP_COS, "cos", "CosBackward0", _lt_backward_cos),
  OP (LT_OP_TANH, "tanh", "TanhBackward0", _lt_backward_tanh),
  OP (LT_OP_SIGMOID, "sigmoid", "SigmoidBackward0", _lt_backward_sigmoid),
  OP (LT_OP_RELU, "relu", "ReluBackward0", _lt_backward_relu),
  OP (LT_OP_CLAMP, "clamp", "ClampBackward1", _lt_backward_clamp),
  OP (LT_OP_LOGICAL_NOT, "logical_not", NULL, NULL),

  OP (LT_OP_ADD, "add", "AddBackward0", _lt_backward_add),
  OP (LT_OP_SUB, "sub", "SubBackward0", _lt_backward_sub),
  OP (LT_OP_MUL, "mul", "MulBackward0", _lt_backward_mul),
  OP (LT_OP_DIV, "div", "DivBackward0", _lt_backward_div),
  OP (LT_OP_POW, "pow", "PowBackward1", _lt_backward_pow),
  OP (LT_OP_MAXIMUM, "maximum", "MaximumBackward0", _lt_backward_maximum),
  OP (LT_OP_MINIMUM, "minimum", "MinimumBackward0", _lt_backward_minimum),
  OP (LT_OP_FLOOR_DIVIDE, "floor_divide", NULL, NULL),
  OP (LT_OP_REMAINDER, "remainder", "RemainderBackward0", _lt_backward_remainder),
  OP (LT_OP_EQ, "eq", NULL, NULL),
  OP (LT_OP_NE, "ne", NULL, NULL),
  OP (LT_OP_LT, "lt", NULL, NULL),
  OP (LT_OP_LE, "le", NULL, NULL),
  OP (LT_OP_GT, "gt", NULL, NULL),
  OP (LT_OP_GE, "ge", NULL, NULL),
  OP (LT_OP_LOGICAL_AND, "logical_and", NULL, NULL),
  OP (LT_OP_LOGICAL_OR, "logical_or", NULL, NULL),

  OP (LT_OP_WHERE, "where", "WhereBackward0", _lt_backward_where),

  OP (LT_OP_SUM, "sum", "SumBackward0", _lt_backward_sum),
  OP (LT_OP_MEAN, "mean", "MeanBackward0", _lt_backward_mean),
  OP (LT_OP_MAX, "max", "MaxBackward1", _lt_backward_max),
  OP (LT_OP_MIN, "min", "MinBackward1", _lt_backward_max),
  OP (LT_OP_MAX_DIM, "max", "MaxBackward0", _lt_backward_max_dim),
  OP (LT_OP_MIN_DIM, "min", "MinBackward0", _lt_backward_max_dim),
  OP (LT_OP_ARGMAX, "argmax", NULL, NULL),
  OP (LT_OP_ARGMIN, "argmin", NULL, NULL),
  OP (LT_OP_VAR, "var", "VarBackward0", _lt_backward_var),
  OP (LT_OP_STD, "std", "StdBackward0", _lt_backward_std),
  OP (LT_OP_NORM, "norm", "NormBackward1", _lt_backward_norm),
  OP (LT_OP_ANY, "any", NULL, NULL),
  OP (LT_OP_ALL, "all", NULL, NULL),

  OP (LT_OP_SOFTMAX, "softmax", "SoftmaxBackward0", _lt_backward_softmax),
  OP (LT_OP_LOG_SOFTMAX, "log_softmax", "LogSoftmaxBackward0", _lt_backward_log_softmax),

  OP (LT_OP_MM, "mm", "MmBackward0", _lt_backward_mm),
  OP (LT_OP_BMM, "bmm", "BmmBackward0", _lt_backward_bmm),
  OP (LT_OP_ADDMM, "addmm", "AddmmBackward0", _lt_backward_addmm),

  OP (LT_OP_VIEW, "view", "ViewBackward0", _lt_backward_view),
  OP (LT_OP_PERMUTE, "permute", "PermuteBackward0", _lt_backward_permute),
  OP (LT_OP_TRANSPOSE, "transpose", "TransposeBackward0", _lt_backward_transpose),
  OP (LT_OP_EXPAND, "expand", "ExpandBackward0", _lt_backward_expand),
  OP (LT_OP_SQUEEZE, "squeeze", "SqueezeBackward0", _lt_backward_view),
  OP (LT_OP_UNSQUEEZE, "unsqueeze", "UnsqueezeBackward0", _lt_backward_view),
  OP (LT_OP_SELECT, "select", "SelectBackward0", _lt_backward_select),
  OP (LT_OP_SLICE, "slice", "SliceBackward0", _lt_backward_slice),
  OP (LT_OP_ALIAS, "alias", "AliasBackward0", _lt_backward_identity),

  OP (LT_OP_CLONE, "clone", "CloneBackward0", _lt_backward_identity),
  OP (LT_OP_TO_DTYPE, "to", "ToCopyBackward0", _lt_backward_identity),
  OP (LT_OP_CAT, "cat", "CatBackward0", _lt_backward_cat),
  OP (LT_OP_STACK, "stack", "StackBackward0", _lt_backward_stack),
  OP (LT_OP_COPY_, "copy_", "CopyBackwards", _lt_backward_copy_),
  OP (LT_OP_FILL_, "fill_", "FillBackward0", _lt_backward_fill_),

  OP (LT_OP_INDEX_SELECT, "index_select", "IndexSelectBackward0", _lt_backward_index_select),
  OP (LT_OP_INDEX_ADD, "index_add", "IndexAddBackward0", _lt_backward_index_add),
  OP (LT_OP_GATHER, "gather", "GatherBackward0", _lt_backward_gather),
  OP (LT_OP_SCATTER_ADD, "scatter_add", "ScatterAddBackward0", _lt_backward_scatter_add),
  OP (LT_OP_MASKED_FILL, "masked_fill", "MaskedFillBackward0", _lt_backward_masked_fill),
  OP (LT_OP_MASKED_SELECT, "masked_select", "MaskedSelectBackward0", _lt_backward_masked_select),
  OP (LT_OP_MASKED_SCATTER, "masked_scatter", "MaskedScatterBackward0", _lt_backward_masked_scatter),
  OP (LT_OP_ONE_HOT, "one_hot", NULL, NULL),

  /* Backward rules of the rows below are filled in with their front ends. */
  OP (LT_OP_CONV2D, "conv2d", "ConvolutionBackward0", _lt_backward_conv2d),
  OP (LT_OP_CONV2D_GRAD_INPUT, "conv2d_grad_input", NULL, NULL),
  OP (LT_OP_CONV2D_GRAD_WEIGHT, "conv2d_grad_weight", NULL, NULL),
  OP (LT_OP_MAX_POOL2D, "max_pool2d", "MaxPool2DWithIndicesBackward0",
      _lt_backward_max_pool2d),
  OP (LT_OP_MAX_POOL2D_GRAD, "max_pool2d_grad", NULL, NULL),
  OP (LT_OP_AVG_POOL2D, "avg_pool2d", "AvgPool2DBackward0", _lt_backward_avg_pool2d),
  OP (LT_OP_AVG_POOL2D_GRAD, "avg_pool2d_grad", NULL, NULL),
  OP (LT_OP_ADAPTIVE_AVG_POOL2D, "adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0",
      _lt_backward_adaptive_avg_pool2d),
  OP (LT_OP_ADAPTIVE_AVG_POOL2D_GRAD, "adaptive_avg_pool2d_grad", NULL, NULL),

  OP (LT_OP_LEAKY_RELU, "leaky_relu", "LeakyReluBackward0", _lt_backward_leaky_relu),
  OP (LT_OP_MSE_LOSS, "mse_loss", "MseLossBackward0", _lt_backward_mse_loss),
  OP (LT_OP_L1_LOSS, "l1_loss", "L1LossBackward0", _lt_backward_l1_loss),
  OP (LT_OP_NLL_LOSS, "nll_loss", "NllLossBackward0", _lt_backward_nll_loss),
  OP (LT_OP_BCE_WITH_LOGITS, "binary_cross_entropy_with_logits",
      "BinaryCrossEntropyWithLogitsBackward0", _lt_backward_bce_with_logits),
  OP (LT_OP_NLL_LOSS_GRAD, "nll_loss_grad", NULL, NULL),
  OP (LT_OP_RELU_GRAD, "relu_grad", NULL, NULL),

  OP (LT_OP_SGD_UPDATE, "sgd_update", NULL, NULL),

  OP (LT_OP_ACCUMULATE_GRAD, "accumulate_grad", "AccumulateGrad", NULL),
};

G_STATIC_ASSERT (G_N_ELEMENTS (_lt_op_table) == LT_OP_COUNT);
