/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The op table: one enum, one typed parameter union, one row per op with
 * its name, its autograd node name and its backward rule. Backends index
 * their kernels by the same enum (backends/lt-backend-private.h); the test
 * harness walks the same enum (tests/c/test-ops*.c) and fails for an op it
 * has no sample for.
 */

#include "core/lt-tensor-private.h"

G_BEGIN_DECLS

typedef enum {
  /* Data movement and creation (kernels, not differentiable) */
  LT_OP_FILL,
  LT_OP_COPY,          /* strided copy with dtype conversion */
  LT_OP_UNIFORM,
  LT_OP_NORMAL,
  LT_OP_RANDINT,
  LT_OP_ARANGE,
  LT_OP_LINSPACE,
  LT_OP_RANDPERM,      /* random keys from Philox, sorted (ops/lt-creation.c) */

  /* Pointwise, one input */
  LT_OP_NEG,
  LT_OP_ABS,
  LT_OP_SIGN,
  LT_OP_EXP,
  LT_OP_LOG,
  LT_OP_SQRT,
  LT_OP_RSQRT,
  LT_OP_SIN,
  LT_OP_COS,
  LT_OP_TANH,
  LT_OP_SIGMOID,
  LT_OP_RELU,
  LT_OP_CLAMP,
  LT_OP_LOGICAL_NOT,

  /* Pointwise, two inputs (broadcasting) */
  LT_OP_ADD,
  LT_OP_SUB,
  LT_OP_MUL,
  LT_OP_DIV,
  LT_OP_POW,
  LT_OP_MAXIMUM,
  LT_OP_MINIMUM,
  LT_OP_FLOOR_DIVIDE,
  LT_OP_REMAINDER,
  LT_OP_EQ,
  LT_OP_NE,
  LT_OP_LT,
  LT_OP_LE,
  LT_OP_GT,
  LT_OP_GE,
  LT_OP_LOGICAL_AND,
  LT_OP_LOGICAL_OR,

  /* Pointwise, three inputs */
  LT_OP_WHERE,

  /* Reductions */
  LT_OP_SUM,
  LT_OP_MEAN,
  LT_OP_MAX,           /* max over everything, no indices */
  LT_OP_MIN,
  LT_OP_MAX_DIM,       /* max along one dim, with indices */
  LT_OP_MIN_DIM,
  LT_OP_ARGMAX,
  LT_OP_ARGMIN,
  LT_OP_VAR,
  LT_OP_STD,
  LT_OP_NORM,
  LT_OP_ANY,
  LT_OP_ALL,

  /* Along one dimension */
  LT_OP_SOFTMAX,
  LT_OP_LOG_SOFTMAX,

  /* Matrix products (BLAS) */
  LT_OP_MM,
  LT_OP_BMM,
  LT_OP_ADDMM,

  /* Views: no kernel, new strides over the same storage */
  LT_OP_VIEW,
  LT_OP_PERMUTE,
  LT_OP_TRANSPOSE,
  LT_OP_EXPAND,
  LT_OP_SQUEEZE,
  LT_OP_UNSQUEEZE,
  LT_OP_SELECT,
  LT_OP_SLICE,
  LT_OP_ALIAS,         /* detach() and views that keep the shape */

  /* Copies that autograd sees */
  LT_OP_CLONE,
  LT_OP_TO_DTYPE,
  LT_OP_CAT,
  LT_OP_STACK,
  LT_OP_COPY_,         /* dst.copy_(src) */
  LT_OP_FILL_,         /* dst.fill_(v), dst.zero_() */

  /* Indexing */
  LT_OP_INDEX_SELECT,
  LT_OP_INDEX_ADD,
  LT_OP_GATHER,
  LT_OP_SCATTER_ADD,
  LT_OP_MASKED_FILL,
  LT_OP_MASKED_SELECT,
  LT_OP_MASKED_SCATTER,
  LT_OP_ONE_HOT,

  /* Neural-network ops: convolution and pooling (ops/lt-conv.c,
   * ops/lt-pool.c); the _GRAD ops are the kernels of their backward rules */
  LT_OP_CONV2D,
  LT_OP_CONV2D_GRAD_INPUT,
  LT_OP_CONV2D_GRAD_WEIGHT,
  LT_OP_MAX_POOL2D,
  LT_OP_MAX_POOL2D_GRAD,
  LT_OP_AVG_POOL2D,
  LT_OP_AVG_POOL2D_GRAD,
  LT_OP_ADAPTIVE_AVG_POOL2D,
  LT_OP_ADAPTIVE_AVG_POOL2D_GRAD,

  /* Activations and losses with a node of their own (ops/lt-loss.c) */
  LT_OP_LEAKY_RELU,
  LT_OP_MSE_LOSS,
  LT_OP_L1_LOSS,
  LT_OP_NLL_LOSS,
  LT_OP_BCE_WITH_LOGITS,
  LT_OP_NLL_LOSS_GRAD,        /* the kernel of nll_loss's backward rule */
  LT_OP_RELU_GRAD,            /* the kernel of relu's backward rule: the gradient
                               * where the output is not <= 0, else 0 (ops/lt-pointwise.c) */

  /* Fused optimizer updates, in place, not differentiable (optim/) */
  LT_OP_SGD_UPDATE,

  /* Autograd's leaf node */
  LT_OP_ACCUMULATE_GRAD,

  LT_OP_COUNT
} LtOp;

/* Typed parameters, one struct per family. */
typedef struct { double value; } LtFillParams;
typedef struct { guint64 seed; guint64 offset; double a; double b; } LtRandomParams;
typedef struct { double start; double step; double end; gint64 steps; } LtRangeParams;
typedef struct { double min; double max; gboolean has_min; gboolean has_max; } LtClampParams;
typedef struct
{
  guint dims[LT_MAX_DIMS];   /* normalised, ascending */
  guint n_dims;              /* 0 with @all: over everything */
  gboolean all;
  gboolean keepdim;
  double correction;         /* var/std: divisor N - correction */
  double p;                  /* norm */
} LtReduceParams;
typedef struct { guint dim; } LtDimParams;
typedef struct
{
  double alpha;
  double beta;
  guint column_major;          /* autograd: bit i set when matrix input i is stored
                                * column by column (its gradient is made so too) */
} LtGemmParams;
typedef struct
{
  guint dim;
  gint64 start;
  gint64 end;
  gint64 step;
  gint64 index;
  guint perm[LT_MAX_DIMS];
  guint dim1;
} LtViewParams;
typedef struct { gint64 num_classes; } LtOneHotParams;
typedef struct
{
  gint64 stride[2];
  gint64 padding[2];
  gint64 dilation[2];
  gint64 groups;
} LtConvParams;
typedef struct
{
  gint64 kernel[2];
  gint64 stride[2];
  gint64 padding[2];
  gint64 dilation[2];
  gboolean ceil_mode;
  gboolean count_include_pad;
  gint64 divisor_override;     /* 0: none */
  gint64 output_size[2];       /* adaptive pooling */
} LtPoolParams;
typedef struct
{
  int reduction;               /* LtReduction */
  gint64 ignore_index;
  double label_smoothing;
  double negative_slope;       /* leaky_relu */
} LtLossParams;
typedef struct
{
  double lr;
  double momentum;
  double dampening;
  double weight_decay;
  gboolean nesterov;
  gboolean maximize;
  gboolean first;              /* the momentum buffer starts as the update */
} LtOptimParams;

typedef union
{
  LtFillParams fill;
  LtRandomParams random;
  LtRangeParams range;
  LtClampParams clamp;
  LtReduceParams reduce;
  LtDimParams dim;
  LtGemmParams gemm;
  LtViewParams view;
  LtOneHotParams one_hot;
  LtConvParams conv;
  LtPoolParams pool;
  LtLossParams loss;
  LtOptimParams optim;
} LtOpParams;

/* What a kernel gets: outputs, inputs, parameters. Every tensor is on the
 * backend's device; shapes and dtypes were checked by the op's front end. */
typedef struct
{
  LtOp op;
  LtTensor *out;
  LtTensor *out2;            /* indices of max/min along a dim, else NULL */
  LtTensor *in[3];
  guint n_in;
  const LtOpParams *params;
} LtKernelArgs;

typedef gboolean (*LtKernel) (const LtKernelArgs *args,
                              GError            **error);

/* Backward rule: given the gradient of the node's output, fill
 * @grad_inputs[i] for every input whose edge is live
 * (_lt_grad_fn_needs_input_grad); shapes are reduced and dtypes converted
 * to the inputs' afterwards by the engine. */
typedef gboolean (*LtBackwardFunc) (LtGradFn  *node,
                                    LtTensor  *grad_output,
                                    LtTensor **grad_inputs,
                                    GError   **error);

typedef struct
{
  const char *name;           /* "add" */
  const char *node_name;      /* "AddBackward0"; NULL when not differentiable */
  LtBackwardFunc backward;
} LtOpInfo;

extern const LtOpInfo _lt_op_table[LT_OP_COUNT];

/* Runs @args->op on the backend of @args->out's device. */
gboolean _lt_dispatch (const LtKernelArgs *args,
                       GError            **error);

G_END_DECLS
