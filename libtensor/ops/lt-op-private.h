/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The op table: the typed parameters of ops, what a kernel receives, and one
 * row per op (ops/lt-op-table.c) generated from the list of ops
 * (ops/lt-op-list-private.h): its name, family, flags, what its backward rule saves,
 * its autograd node's names and its backward rule. Backends index their
 * kernels by the same enum (backends/lt-backend-private.h); the test harness
 * walks the same table (tests/c/test-ops*.c) and fails for an op it has no
 * sample for.
 */

#include "lt-op-list-private.h"
#include "core/lt-tensor-private.h"
#include "backends/lt-backend-private.h"

G_BEGIN_DECLS

/* What kind of op a row is: its front end's family, and for a backend the
 * kind of kernel it needs. */
typedef enum {
  LT_OP_FAMILY_CREATE,     /* fills, ranges, random numbers */
  LT_OP_FAMILY_COPY,       /* the strided copy kernel and the copies autograd sees */
  LT_OP_FAMILY_UNARY,      /* pointwise, one input */
  LT_OP_FAMILY_BINARY,     /* pointwise, two inputs, broadcasting */
  LT_OP_FAMILY_TERNARY,    /* where and masked_fill */
  LT_OP_FAMILY_REDUCE,
  LT_OP_FAMILY_SOFTMAX,    /* along one dimension */
  LT_OP_FAMILY_GEMM,       /* matrix products */
  LT_OP_FAMILY_VIEW,       /* new strides over the same storage */
  LT_OP_FAMILY_INDEX,
  LT_OP_FAMILY_CONV,
  LT_OP_FAMILY_POOL,
  LT_OP_FAMILY_LOSS,
  LT_OP_FAMILY_NORM,       /* layer and group normalisation */
  LT_OP_FAMILY_OPTIM,      /* fused optimizer updates */
  LT_OP_FAMILY_AUTOGRAD,   /* the engine's own node */
  LT_OP_FAMILY_RNN,        /* recurrent cells' fused steps */
  LT_OP_N_FAMILIES
} LtOpFamily;

/* What a row says about its op. The front ends of a family read them
 * instead of testing for particular ops. */
typedef enum {
  LT_OPF_DIFFERENTIABLE = 1 << 0,   /* has an autograd node and a backward rule (GRAD_OP rows) */
  LT_OPF_HAS_KERNEL = 1 << 1,       /* backends run a kernel for it (the CPU backend has all) */
  LT_OPF_BOOL_RESULT = 1 << 2,      /* the result is bool (comparisons, logical ops) */
  LT_OPF_LOGICAL = 1 << 3,          /* reads its inputs as truth values */
  LT_OPF_FLOAT_RESULT = 1 << 4,     /* integer and bool inputs give a float32 result */
  LT_OPF_FLOAT_ONLY = 1 << 5,      /* a non-floating-point input (or, for a creation op,
                                    * output) is an error */
  LT_OPF_NO_BOOL = 1 << 6,          /* a bool input is an error */
  LT_OPF_INT_TO_INT64 = 1 << 7,     /* integer and bool inputs give an int64 result (sum) */
  LT_OPF_INDEX_RESULT = 1 << 8,     /* the result is int64 positions (argmax, one_hot) */
  LT_OPF_INDICES = 1 << 9,          /* a second output: the int64 positions of the result */
  LT_OPF_NEEDS_ELEMENTS = 1 << 10,  /* reducing zero elements is an error (no identity) */
  LT_OPF_ANY_ORDER = 1 << 11,       /* a full reduction reads its input in memory order */
  LT_OPF_INT_CAN_FAIL = 1 << 12,    /* the integer kernel can fail (division by zero): an
                                    * in-place form computes into a new tensor first */
  LT_OPF_INPLACE = 1 << 13,         /* writes into its first argument */
  LT_OPF_VIEW = 1 << 14,            /* the result shares its input's storage */
  LT_OPF_RANDOM = 1 << 15,          /* draws from the Philox generator (core/lt-random.c) */
} LtOpFlags;

/* What a backward rule can save (the SAVED of ops/lt-backward-private.h
 * names them): the op's tensor arguments as its kernel gets them, in order,
 * its result and its second output. */
typedef enum {
  LT_SAVED_ARG0,
  LT_SAVED_ARG1,
  LT_SAVED_ARG2,
  LT_SAVED_ARG3,
  LT_SAVED_RESULT,
  LT_SAVED_AUX,
  LT_SAVED_N_KINDS
} LtSaved;

/* The saves column of a row: four bits per LtSaved, the inputs whose
 * gradient reads it; the tensor is saved when one of them needs a gradient. */
#define LT_SAVE_FOR_IN0 0x1u
#define LT_SAVE_FOR_IN1 0x2u
#define LT_SAVE_FOR_IN2 0x4u
#define LT_SAVE_FOR_IN3 0x8u
#define LT_SAVE_FOR_ANY 0xfu
#define LT_SAVE(what, for) ((guint32) LT_SAVE_FOR_##for << (4 * LT_SAVED_##what))

/* The inputs (bits 0 to 3) whose gradient reads saved tensor @what */
static inline guint
_lt_saves_for (guint32 saves,
               LtSaved what)
{
  return (saves >> (4 * what)) & 0xf;
}

/* Typed parameters, one struct per family. */
typedef struct { double value; } LtFillParams;
typedef struct { guint64 seed; guint64 offset; double a; double b; } LtRandomParams;
typedef struct { double start; double step; double end; } LtRangeParams;
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
/* cumsum, cumprod, cumprod_grad and prod along @dim (reverse: cumsum from the
 * end); prod and logsumexp also over everything (@all), keeping dims */
typedef struct { guint dim; gboolean reverse; gboolean all; gboolean keepdim; } LtScanParams;
/* tril, triu (k: the diagonal), diagonal (k: the offset, between dims dim0
 * and dim1), flip (dims), roll (shifts along dims; n 0: the flattened
 * tensor by shifts[0]), repeat (n repeats, sizes) */
typedef struct
{
  gint64 k;
  guint dim0, dim1;
  guint n;
  guint dims[LT_MAX_DIMS];
  gint64 sizes[LT_MAX_DIMS];
} LtRearrangeParams;
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
/* take, index, index_put: k coordinates index the leading dimensions (flat:
 * of the flattened tensor), their broadcast shape is bshape; scatter: along
 * dim; mode: what a write does */
typedef enum { LT_INDEX_MODE_COPY, LT_INDEX_MODE_ADD, LT_INDEX_MODE_MULTIPLY } LtIndexMode;
typedef struct
{
  guint k;
  guint dim;
  gboolean flat;
  LtIndexMode mode;
  guint bndim;
  gint64 bshape[LT_MAX_DIMS];
} LtIndexPutParams;
typedef struct
{
  gint64 stride[2];
  gint64 padding[2];
  gint64 dilation[2];
  gint64 groups;
  gint64 output_padding[2]; /* conv_transpose2d only */
  /* conv2d's kernel only: store relu (v) (v < 0 ? 0 : v, relu's rule) of
   * each output v after the bias, for a ReLU fused after the convolution
   * (_lt_conv2d_relu ()); FALSE in the nodes */
  gboolean relu;
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
/* layer_norm, group_norm and norm_grad: the input is contiguous, viewed as
 * (rows, D); element j of row r is scaled by weight[c] and shifted by
 * bias[c], c = (r % groups) * (channels / groups) + j / inner (layer_norm:
 * groups 1, inner 1, channels D). */
typedef struct
{
  gint64 rows, D;
  gint64 groups, channels, inner;
  double eps;
  gboolean training;           /* batch_norm: the batch's statistics, else the running ones */
} LtNormParams;
typedef struct
{
  int reduction;               /* LtReduction */
  gint64 ignore_index;
} LtLossParams;
typedef struct { double negative_slope; } LtLeakyReluParams;
/* gelu: tanh (the approximation); elu: a = alpha, b = scale, c = input_scale;
 * softplus: a = beta, b = threshold; hardtanh: a = min, b = max. For
 * activation_grad, op is the forward op. */
typedef struct { LtOp op; double a; double b; double c; gboolean tanh; } LtActivationParams;
typedef struct { gint64 padding_idx; gint64 num_weights; } LtEmbeddingParams;
/* scale_h, scale_w: the scale factors given (0: from the sizes) */
typedef struct
{
  gint64 in_h, in_w, out_h, out_w;
  double scale_h, scale_w;
  gboolean align_corners;
} LtUpsampleParams;
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

/* sort, topk, kthvalue, median, mode (ops/lt-sort.c): along @dim (0 for a
 * tensor without dimensions); @k: topk's count, kthvalue's rank (1-based);
 * @descending: sort's order, topk's largest; @stable: sort's overload;
 * @keepdim: the reductions keep @dim with size 1 */
typedef struct
{
  guint dim;
  gint64 k;
  gboolean descending;
  gboolean stable;
  gboolean keepdim;
} LtSortParams;

/* The LAPACK-backed linear algebra ops (ops/lt-linalg-lapack.c): @upper:
 * eigh reads the upper triangle; @full: svd's full_matrices; @mode: qr's
 * (0 reduced, 1 complete, 2 r); @m: the rows of svd's and qr's input, which
 * their backward rules read */
typedef struct
{
  gboolean upper;
  gboolean full;
  int mode;
  gint64 m;
} LtLinalgParams;

typedef union
{
  LtFillParams fill;
  LtRandomParams random;
  LtRangeParams range;
  LtClampParams clamp;
  LtReduceParams reduce;
  LtDimParams dim;
  LtScanParams scan;
  LtRearrangeParams rearrange;
  LtGemmParams gemm;
  LtViewParams view;
  LtOneHotParams one_hot;
  LtIndexPutParams index_put;
  LtConvParams conv;
  LtPoolParams pool;
  LtNormParams norm;
  LtLossParams loss;
  LtLeakyReluParams leaky_relu;
  LtActivationParams activation;
  LtEmbeddingParams embedding;
  LtUpsampleParams upsample;
  LtOptimParams optim;
  LtSortParams sort;
  LtLinalgParams linalg;
} LtOpParams;

#define LT_KERNEL_MAX_INPUTS 4

/* What a kernel gets (LtKernel, backends/lt-backend-private.h): outputs,
 * inputs, parameters. Every tensor is on the backend's device; shapes and
 * dtypes were checked by the op's front end. */
struct _LtKernelArgs
{
  LtOp op;
  LtTensor *out;
  /* The op's second output, NULL when it has none; each kernel names it
   * for what it is. */
  union
  {
    LtTensor *aux;
    LtTensor *indices;         /* max/min along a dim, max_pool2d: int64 positions */
    LtTensor *grad_bias;       /* conv2d_grad_weight: the bias's gradient (optional) */
    LtTensor *stats;           /* layer_norm, group_norm: (2, rows), each row's mean and
                                * 1 / std */
    LtTensor *grad_affine;     /* norm_grad: (2, C), the weight's and bias's gradients
                                * (optional) */
    LtTensor *total_weight;    /* nll_loss: the total weight of the counted targets */
    LtTensor *momentum;        /* sgd_update: the momentum buffer, read and written
                                * (optional) */
  };
  LtTensor *in[LT_KERNEL_MAX_INPUTS];
  guint n_in;
  const LtOpParams *params;
};

/* What a backend's multi-tensor kernel gets (LtBackend.multi_tensor;
 * ops/lt-multi-tensor-private.h): lists of contiguous float tensors of one
 * device and dtype, the tensors at one index of the lists of one shape. */
typedef enum
{
  LT_MULTI_ZERO,    /* lists: the tensors */
  LT_MULTI_SGD,     /* lists: params, grads, momentum buffers (has_momentum) */
  LT_MULTI_ADAM,    /* lists: params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad) */
  LT_MULTI_RMSPROP, /* lists: params, grads, square_avg, grad_avg (centered),
                     * momentum buffers (has_momentum) */
} LtMultiKind;

#define LT_MULTI_MAX_LISTS 5

struct _LtMultiTensorArgs
{
  LtMultiKind kind;
  guint       n;                          /* tensors in each list */
  LtTensor  **lists[LT_MULTI_MAX_LISTS];  /* NULL for a list the update does not use */
  /* the update's hyper-parameters, as the optimizer's options (optim/) */
  gboolean    maximize, nesterov, first, decoupled, amsgrad, centered, has_momentum;
  double      lr, weight_decay, momentum, dampening, beta1, beta2, eps;
  double      step_size, bias_correction2_sqrt;
};

/* Backward rule: given the gradient of the node's output, fill
 * @grad_inputs[i] for every input whose edge is live
 * (_lt_grad_fn_needs_input_grad); shapes are reduced and dtypes converted
 * to the inputs' afterwards by the engine. */
typedef gboolean (*LtBackwardFunc) (LtGradFn  *node,
                                    LtTensor  *grad_output,
                                    LtTensor **grad_inputs,
                                    GError   **error);

/* One row of the op table, generated from ops/lt-op-list-private.h */
typedef struct
{
  const char *name;            /* "add" */
  LtOpFamily family;
  LtOpFlags flags;
  guint32 saves;               /* LT_SAVE () terms: what the backward rule reads */
  const char *node_name[2];    /* PyTorch's name for its autograd node ("AddBackward0"),
                                * and the name for another overload, or NULL */
  LtBackwardFunc backward;     /* NULL when not differentiable */
} LtOpInfo;

extern const LtOpInfo _lt_op_table[LT_OP_COUNT];

/* V, the values a random kernel takes from one Philox block
 * (core/lt-random.c): element i of the output uses lane i % V of block
 * offset + i / V, on every backend. */
static inline guint
_lt_random_values_per_block (LtOp                  op,
                             LtDType               dtype,
                             const LtRandomParams *params)
{
  switch (op)
    {
    case LT_OP_UNIFORM:
    case LT_OP_NORMAL:
      return dtype == LT_DTYPE_FLOAT64 ? 2 : 4;
    case LT_OP_RANDINT:
      return (params->b - params->a) > 4294967296.0 ? 2 : 4;
    default:
      return 4;
    }
}

G_END_DECLS
