/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The list of ops: the one place an op is added. It is an X-macro that
 * includes nothing, so that the backend vtable (backends/lt-backend-private.h),
 * which sits below core/, can index its kernels by LtOp; ops/lt-op-table.c
 * expands the same list into the table's rows and ops/lt-backward-private.h
 * into the declarations of the backward rules, so the enum, the rows and
 * the rules cannot drift apart.
 *
 * An op without an autograd node (a kernel that front ends or backward rules
 * run, or an op with no gradient):
 *
 *   OP (ID, "name", FAMILY, flags)
 *
 * A differentiable op, with what its backward rule saves and the rule:
 *
 *   GRAD_OP (ID, "name", FAMILY, flags, saves, "Node", "Node of the other
 *            overload" or NULL, rule)
 *
 * ID gives LT_OP_ID; FAMILY gives LT_OP_FAMILY_FAMILY; flags are LtOpFlags
 * (LT_OPF_HAS_KERNEL: the backends run a kernel for it; the others say how
 * its front end computes the result's dtype and what it refuses); saves
 * names what the backward rule reads, as ATen's derivatives.yaml formulas
 * do: LT_SAVE (WHAT, FOR) saves WHAT (ARG0..ARG3, the op's tensor arguments
 * as its kernel gets them; RESULT, its output; AUX, its second output) when
 * the gradient of input FOR (IN0..IN3, or ANY) is needed. The node names are
 * PyTorch's; the second is that of another overload (a number exponent,
 * reduction over dims, t(), squeeze(dim)), chosen by the front end. The rule
 * _lt_backward_<rule> lives beside the op's front end (ops/lt-<family>.c).
 * The types and macros are in ops/lt-op-private.h.
 */

/* clang-format off */
#define LT_OP_LIST(OP, GRAD_OP)                                                                    \
  /* Creation and data movement: kernels, not differentiable (ops/lt-creation.c) */                \
  OP (FILL, "fill", CREATE, LT_OPF_HAS_KERNEL)                                                     \
  OP (STRIDED_COPY, "copy", COPY, LT_OPF_HAS_KERNEL) /* dst <- src, any strides, converting */     \
  OP (UNIFORM, "uniform", CREATE, LT_OPF_HAS_KERNEL | LT_OPF_RANDOM | LT_OPF_FLOAT_ONLY)           \
  OP (NORMAL, "normal", CREATE, LT_OPF_HAS_KERNEL | LT_OPF_RANDOM | LT_OPF_FLOAT_ONLY)             \
  OP (RANDINT, "randint", CREATE, LT_OPF_HAS_KERNEL | LT_OPF_RANDOM)                               \
  OP (ARANGE, "arange", CREATE, LT_OPF_HAS_KERNEL)                                                 \
  OP (LINSPACE, "linspace", CREATE, LT_OPF_HAS_KERNEL)                                             \
  OP (RANDPERM, "randperm", CREATE, LT_OPF_HAS_KERNEL | LT_OPF_RANDOM)                             \
                                                                                                   \
  /* Pointwise, one input (ops/lt-pointwise.c, ops/lt-activation.c) */                             \
  GRAD_OP (NEG, "neg", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "NegBackward0", NULL, neg)    \
  GRAD_OP (ABS, "abs", UNARY, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, ANY), "AbsBackward0", NULL, abs)   \
  GRAD_OP (SIGN, "sign", UNARY, LT_OPF_HAS_KERNEL, 0, "SignBackward0", NULL, sign)                 \
  GRAD_OP (EXP, "exp", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),      \
           "ExpBackward0", NULL, exp)                                                              \
  GRAD_OP (LOG, "log", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),        \
           "LogBackward0", NULL, log)                                                              \
  GRAD_OP (SQRT, "sqrt", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),    \
           "SqrtBackward0", NULL, sqrt)                                                            \
  GRAD_OP (RSQRT, "rsqrt", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),  \
           "RsqrtBackward0", NULL, rsqrt)                                                          \
  GRAD_OP (SIN, "sin", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),        \
           "SinBackward0", NULL, sin)                                                              \
  GRAD_OP (COS, "cos", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),        \
           "CosBackward0", NULL, cos)                                                              \
  GRAD_OP (TANH, "tanh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),    \
           "TanhBackward0", NULL, tanh)                                                            \
  GRAD_OP (SIGMOID, "sigmoid", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT,                     \
           LT_SAVE (RESULT, ANY), "SigmoidBackward0", NULL, sigmoid)                               \
  GRAD_OP (RELU, "relu", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, LT_SAVE (RESULT, ANY),         \
           "ReluBackward0", NULL, relu)                                                            \
  GRAD_OP (CLAMP, "clamp", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, LT_SAVE (ARG0, ANY),         \
           "ClampBackward1", NULL, clamp)                                                          \
  OP (LOGICAL_NOT, "logical_not", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT | LT_OPF_LOGICAL)  \
  /* composes public ops, no kernel */                                                             \
  GRAD_OP (LEAKY_RELU, "leaky_relu", UNARY, LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY),                \
           "LeakyReluBackward0", NULL, leaky_relu)                                                 \
  /* Activations with kernels of their own (ops/lt-activation.c); their backward rules run */     \
  /* activation_grad, the derivative times the gradient in one pass; celu is elu's overload */     \
  GRAD_OP (GELU, "gelu", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY),         \
           "GeluBackward0", NULL, activation)                                                      \
  GRAD_OP (SILU, "silu", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY),         \
           "SiluBackward0", NULL, activation)                                                      \
  GRAD_OP (ELU, "elu", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY),           \
           "EluBackward0", "CeluBackward0", activation)                                            \
  GRAD_OP (SOFTPLUS, "softplus", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                     \
           LT_SAVE (ARG0, ANY), "SoftplusBackward0", NULL, activation)                             \
  GRAD_OP (HARDTANH, "hardtanh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                     \
           LT_SAVE (ARG0, ANY), "HardtanhBackward0", NULL, activation)                             \
  /* arguments: grad, input; params: the forward op and its parameters */                          \
  OP (ACTIVATION_GRAD, "activation_grad", BINARY, LT_OPF_HAS_KERNEL)                               \
  /* input, weight (one per channel, dim 1); composes public ops */                                \
  GRAD_OP (PRELU, "prelu", BINARY, LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY),    \
           "PreluBackward0", NULL, prelu)                                                          \
  /* Math functions (ops/lt-math.c). Rounding keeps integers, refuses bool; 0 gradient */          \
  GRAD_OP (CEIL, "ceil", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "CeilBackward0", NULL,      \
           zero)                                                                                   \
  GRAD_OP (FLOOR, "floor", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "FloorBackward0", NULL,   \
           zero)                                                                                   \
  GRAD_OP (ROUND, "round", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "RoundBackward0", NULL,   \
           zero)                                                                                   \
  GRAD_OP (TRUNC, "trunc", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "TruncBackward0", NULL,   \
           zero)                                                                                   \
  GRAD_OP (FRAC, "frac", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY, 0, "FracBackward0", NULL,   \
           identity)                                                                               \
  GRAD_OP (LOG1P, "log1p", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),    \
           "Log1PBackward0", NULL, log1p)                                                          \
  GRAD_OP (EXPM1, "expm1", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),  \
           "Expm1Backward0", NULL, expm1)                                                          \
  GRAD_OP (ASIN, "asin", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "AsinBackward0", NULL, asin)                                                            \
  GRAD_OP (ACOS, "acos", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "AcosBackward0", NULL, acos)                                                            \
  GRAD_OP (ATAN, "atan", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "AtanBackward0", NULL, atan)                                                            \
  GRAD_OP (SINH, "sinh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "SinhBackward0", NULL, sinh)                                                            \
  GRAD_OP (COSH, "cosh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "CoshBackward0", NULL, cosh)                                                            \
  GRAD_OP (ASINH, "asinh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),    \
           "AsinhBackward0", NULL, asinh)                                                          \
  GRAD_OP (ACOSH, "acosh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),    \
           "AcoshBackward0", NULL, acosh)                                                          \
  GRAD_OP (ATANH, "atanh", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),    \
           "AtanhBackward0", NULL, atanh)                                                          \
  GRAD_OP (TAN, "tan", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),      \
           "TanBackward0", NULL, tan)                                                              \
  GRAD_OP (ERF, "erf", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),        \
           "ErfBackward0", NULL, erf)                                                              \
  GRAD_OP (ERFC, "erfc", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "ErfcBackward0", NULL, erfc)                                                            \
  GRAD_OP (LOG2, "log2", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),      \
           "Log2Backward0", NULL, log2)                                                            \
  GRAD_OP (LOG10, "log10", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (ARG0, ANY),    \
           "Log10Backward0", NULL, log10)                                                          \
  GRAD_OP (EXP2, "exp2", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT, LT_SAVE (RESULT, ANY),    \
           "Exp2Backward0", NULL, exp2)                                                            \
  GRAD_OP (RECIPROCAL, "reciprocal", UNARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT,               \
           LT_SAVE (RESULT, ANY), "ReciprocalBackward0", NULL, reciprocal)                         \
  /* integers and bool only */                                                                     \
  OP (BITWISE_NOT, "bitwise_not", UNARY, LT_OPF_HAS_KERNEL)                                        \
                                                                                                   \
  /* Pointwise, two inputs, broadcasting (ops/lt-pointwise.c) */                                   \
  GRAD_OP (ADD, "add", BINARY, LT_OPF_HAS_KERNEL, 0, "AddBackward0", NULL, add)                    \
  GRAD_OP (SUB, "sub", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_NO_BOOL, 0, "SubBackward0", NULL, sub)   \
  GRAD_OP (MUL, "mul", BINARY, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN0),       \
           "MulBackward0", NULL, mul)                                                              \
  GRAD_OP (DIV, "div", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_RESULT,                            \
           LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, ANY), "DivBackward0", NULL, div)                   \
  /* PowBackward0 when the exponent is a number */                                                 \
  GRAD_OP (POW, "pow", BINARY, LT_OPF_HAS_KERNEL,                                                  \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (RESULT, IN1), "PowBackward1",      \
           "PowBackward0", pow)                                                                    \
  GRAD_OP (MAXIMUM, "maximum", BINARY, LT_OPF_HAS_KERNEL,                                          \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY), "MaximumBackward0", NULL, maximum)           \
  GRAD_OP (MINIMUM, "minimum", BINARY, LT_OPF_HAS_KERNEL,                                          \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY), "MinimumBackward0", NULL, minimum)           \
  OP (FLOOR_DIVIDE, "floor_divide", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_INT_CAN_FAIL)               \
  GRAD_OP (REMAINDER, "remainder", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_INT_CAN_FAIL,                \
           LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN1), "RemainderBackward0", NULL, remainder)       \
  OP (EQ, "eq", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (NE, "ne", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (LT, "lt", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (LE, "le", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (GT, "gt", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (GE, "ge", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT)                                    \
  OP (LOGICAL_AND, "logical_and", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT | LT_OPF_LOGICAL) \
  OP (LOGICAL_OR, "logical_or", BINARY, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT | LT_OPF_LOGICAL)   \
  /* relu's backward kernel: the gradient where the output is not <= 0 */                          \
  OP (RELU_GRAD, "relu_grad", BINARY, LT_OPF_HAS_KERNEL)                                           \
  /* integers and bool only (ops/lt-math.c) */                                                     \
  OP (BITWISE_AND, "bitwise_and", BINARY, LT_OPF_HAS_KERNEL)                                       \
  OP (BITWISE_OR, "bitwise_or", BINARY, LT_OPF_HAS_KERNEL)                                         \
  OP (BITWISE_XOR, "bitwise_xor", BINARY, LT_OPF_HAS_KERNEL)                                       \
                                                                                                   \
  /* Pointwise, three inputs (ops/lt-pointwise.c); masked_fill runs where's kernel */              \
  GRAD_OP (WHERE, "where", TERNARY, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, ANY), "WhereBackward0",      \
           NULL, where)                                                                            \
  GRAD_OP (MASKED_FILL, "masked_fill", TERNARY, 0, LT_SAVE (ARG0, ANY), "MaskedFillBackward0",     \
           NULL, masked_fill)                                                                      \
  /* clamp with tensor bounds (ops/lt-math.c): maximum and minimum, no kernel of its own */        \
  GRAD_OP (CLAMP_TENSOR, "clamp", TERNARY, 0,                                                      \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY), "ClampBackward0",      \
           NULL, clamp_tensor)                                                                     \
                                                                                                   \
  /* Reductions (ops/lt-reduce.c); the second node name: over some dims */                         \
  GRAD_OP (SUM, "sum", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_INT_TO_INT64 | LT_OPF_ANY_ORDER, 0,      \
           "SumBackward0", "SumBackward1", sum)                                                    \
  GRAD_OP (MEAN, "mean", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY | LT_OPF_ANY_ORDER, 0,      \
           "MeanBackward0", "MeanBackward1", mean)                                                 \
  /* max and min over everything, no indices */                                                    \
  GRAD_OP (MAX, "max", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS,                          \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "MaxBackward1", NULL, max_min)             \
  GRAD_OP (MIN, "min", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS,                          \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "MinBackward1", NULL, max_min)             \
  /* max and min along one dim, with indices */                                                    \
  GRAD_OP (MAX_DIM, "max", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS | LT_OPF_INDICES,     \
           LT_SAVE (AUX, ANY), "MaxBackward0", NULL, max_min_dim)                                  \
  GRAD_OP (MIN_DIM, "min", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS | LT_OPF_INDICES,     \
           LT_SAVE (AUX, ANY), "MinBackward0", NULL, max_min_dim)                                  \
  OP (ARGMAX, "argmax", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS | LT_OPF_INDEX_RESULT)   \
  OP (ARGMIN, "argmin", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_NEEDS_ELEMENTS | LT_OPF_INDEX_RESULT)   \
  GRAD_OP (VAR, "var", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY, LT_SAVE (ARG0, ANY),         \
           "VarBackward0", NULL, var)                                                              \
  GRAD_OP (STD, "std", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                              \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "StdBackward0", NULL, std)                 \
  GRAD_OP (NORM, "norm", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                            \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "NormBackward0", "NormBackward1", norm)    \
  OP (ANY, "any", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT | LT_OPF_LOGICAL)                 \
  OP (ALL, "all", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_BOOL_RESULT | LT_OPF_LOGICAL)                 \
  /* prod over one dim or all (ops/lt-scan.c, kernel in backends/cpu/lt-cpu-scan.c; its */         \
  /* rule runs cumprod_grad); logsumexp composes public ops */                                     \
  GRAD_OP (PROD, "prod", REDUCE, LT_OPF_HAS_KERNEL | LT_OPF_INT_TO_INT64, LT_SAVE (ARG0, ANY),     \
           "ProdBackward0", "ProdBackward1", prod)                                                 \
  GRAD_OP (LOGSUMEXP, "logsumexp", REDUCE, LT_OPF_FLOAT_RESULT,                                    \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "LogsumexpBackward0", NULL, logsumexp)     \
                                                                                                   \
  /* Along one dimension (ops/lt-reduce.c) */                                                      \
  GRAD_OP (SOFTMAX, "softmax", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                     \
           LT_SAVE (RESULT, ANY), "SoftmaxBackward0", NULL, softmax)                               \
  GRAD_OP (LOG_SOFTMAX, "log_softmax", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,             \
           LT_SAVE (RESULT, ANY), "LogSoftmaxBackward0", NULL, log_softmax)                        \
  /* Scans along one dimension (ops/lt-scan.c, backends/cpu/lt-cpu-scan.c); cumprod_grad is        \
   * the gradient of cumprod and prod (arguments x, g), exact where x has zeros */                 \
  GRAD_OP (CUMSUM, "cumsum", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_INT_TO_INT64, 0,                  \
           "CumsumBackward0", NULL, cumsum)                                                        \
  GRAD_OP (CUMPROD, "cumprod", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_INT_TO_INT64,                   \
           LT_SAVE (ARG0, ANY), "CumprodBackward0", NULL, cumprod)                                 \
  OP (CUMPROD_GRAD, "cumprod_grad", SOFTMAX, LT_OPF_HAS_KERNEL)                                    \
                                                                                                   \
  /* Sorting and selection along one dimension (ops/lt-sort.c); AUX: the int64 positions. */       \
  /* Their rules scatter the gradient to those positions; median over everything (the kernel */    \
  /* of median_dim on the flattened input) shares it evenly among the elements equal to it */      \
  GRAD_OP (SORT, "sort", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_INDICES, LT_SAVE (AUX, ANY),          \
           "SortBackward0", "SortBackward1", sort_select)                                          \
  GRAD_OP (TOPK, "topk", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_INDICES, LT_SAVE (AUX, ANY),          \
           "TopkBackward0", NULL, sort_select)                                                     \
  GRAD_OP (KTHVALUE, "kthvalue", SOFTMAX,                                                          \
           LT_OPF_HAS_KERNEL | LT_OPF_INDICES | LT_OPF_NEEDS_ELEMENTS, LT_SAVE (AUX, ANY),         \
           "KthvalueBackward0", NULL, sort_select)                                                 \
  GRAD_OP (MEDIAN_DIM, "median", SOFTMAX,                                                          \
           LT_OPF_HAS_KERNEL | LT_OPF_INDICES | LT_OPF_NEEDS_ELEMENTS, LT_SAVE (AUX, ANY),         \
           "MedianBackward1", NULL, sort_select)                                                   \
  GRAD_OP (MEDIAN, "median", SOFTMAX, LT_OPF_HAS_KERNEL,                                          \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "MedianBackward0", NULL, median)           \
  GRAD_OP (MODE, "mode", SOFTMAX, LT_OPF_HAS_KERNEL | LT_OPF_INDICES | LT_OPF_NEEDS_ELEMENTS,      \
           LT_SAVE (AUX, ANY), "ModeBackward0", NULL, sort_select)                                 \
  /* sorted values in, the distinct ones out; AUX (2, N): the inverse and the counts */            \
  OP (UNIQUE, "unique", SOFTMAX, LT_OPF_HAS_KERNEL)                                                \
                                                                                                   \
  /* Matrix products (ops/lt-linalg.c) */                                                          \
  GRAD_OP (MM, "mm", GEMM, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN0),           \
           "MmBackward0", NULL, mm)                                                                \
  GRAD_OP (BMM, "bmm", GEMM, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN0),         \
           "BmmBackward0", NULL, bmm)                                                              \
  GRAD_OP (ADDMM, "addmm", GEMM, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, IN2) | LT_SAVE (ARG2, IN1),     \
           "AddmmBackward0", NULL, addmm)                                                          \
  /* Linear algebra over LAPACK (ops/lt-linalg-lapack.c, backends/cpu/lt-cpu-linalg.c; no CUDA */  \
  /* kernels). A decomposition's factors are one packed output, the user's factors views of it: */ \
  /* eigh (.., n+1, n) = [w; V]; svd (.., r, m+1+n) = [U^T | S | Vh]; */                         \
  /* qr (.., q, m+n) = [Q^T | R]; */                                                               \
  /* slogdet (.., 2) = (sign, log|det|). Their rules compose differentiable public ops. */         \
  GRAD_OP (LINALG_INV, "linalg_inv", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (RESULT, ANY), "LinalgInvExBackward0", NULL, linalg_inv)                        \
  GRAD_OP (LINALG_SOLVE, "linalg_solve", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,              \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, IN0), "LinalgSolveExBackward0", NULL,            \
           linalg_solve)                                                                           \
  GRAD_OP (LINALG_DET, "linalg_det", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (ARG0, ANY) | LT_SAVE (RESULT, ANY), "LinalgDetBackward0", NULL, linalg_det)    \
  GRAD_OP (LINALG_SLOGDET, "linalg_slogdet", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,          \
           LT_SAVE (ARG0, ANY), "LinalgSlogdetBackward0", NULL, linalg_slogdet)                    \
  GRAD_OP (LINALG_CHOLESKY, "linalg_cholesky", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,        \
           LT_SAVE (RESULT, ANY), "LinalgCholeskyExBackward0", NULL, linalg_cholesky)              \
  GRAD_OP (LINALG_EIGH, "linalg_eigh", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                \
           LT_SAVE (RESULT, ANY), "LinalgEighBackward0", NULL, linalg_eigh)                        \
  GRAD_OP (LINALG_SVD, "linalg_svd", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (RESULT, ANY), "LinalgSvdBackward0", NULL, linalg_svd)                          \
  GRAD_OP (LINALG_QR, "linalg_qr", GEMM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                    \
           LT_SAVE (RESULT, ANY), "LinalgQrBackward0", NULL, linalg_qr)                            \
                                                                                                   \
  /* Views: no kernel, new strides over the same storage (ops/lt-shape.c) */                       \
  GRAD_OP (VIEW, "view", VIEW, LT_OPF_VIEW, 0, "ViewBackward0", NULL, view)                        \
  GRAD_OP (PERMUTE, "permute", VIEW, LT_OPF_VIEW, 0, "PermuteBackward0", NULL, permute)            \
  GRAD_OP (TRANSPOSE, "transpose", VIEW, LT_OPF_VIEW, 0, "TransposeBackward0", "TBackward0",       \
           transpose)                                                                              \
  GRAD_OP (EXPAND, "expand", VIEW, LT_OPF_VIEW, 0, "ExpandBackward0", NULL, expand)                \
  GRAD_OP (SQUEEZE, "squeeze", VIEW, LT_OPF_VIEW, 0, "SqueezeBackward0", "SqueezeBackward1", view) \
  GRAD_OP (UNSQUEEZE, "unsqueeze", VIEW, LT_OPF_VIEW, 0, "UnsqueezeBackward0", NULL, view)         \
  GRAD_OP (SELECT, "select", VIEW, LT_OPF_VIEW, 0, "SelectBackward0", NULL, select)                \
  GRAD_OP (SLICE, "slice", VIEW, LT_OPF_VIEW, 0, "SliceBackward0", NULL, slice)                    \
  /* every slice along a dim, one node for all (LtGradFn.n_outputs): the engine */                  \
  /* gathers the outputs' gradients into one of the input's shape */                               \
  GRAD_OP (UNBIND, "unbind", VIEW, LT_OPF_VIEW, 0, "UnbindBackward0", NULL, identity)              \
  /* detach() and views that keep the shape */                                                     \
  GRAD_OP (ALIAS, "alias", VIEW, LT_OPF_VIEW, 0, "AliasBackward0", NULL, identity)                 \
  /* the diagonal of two dims, moved to the end (ops/lt-rearrange.c) */                            \
  GRAD_OP (DIAGONAL, "diagonal", VIEW, LT_OPF_VIEW, 0, "DiagonalBackward0", NULL,                  \
           diagonal)                                                                               \
  /* x.unsqueeze_(), x.squeeze_(), x.transpose_(): new strides for x (ops/lt-shape-inplace.c) */   \
  GRAD_OP (UNSQUEEZE_INPLACE, "unsqueeze_", VIEW, LT_OPF_VIEW | LT_OPF_INPLACE, 0,                 \
           "UnsqueezeBackward1", NULL, view)                                                       \
  GRAD_OP (SQUEEZE_INPLACE, "squeeze_", VIEW, LT_OPF_VIEW | LT_OPF_INPLACE, 0,                     \
           "SqueezeBackward2", "SqueezeBackward3", view)                                           \
  GRAD_OP (TRANSPOSE_INPLACE, "transpose_", VIEW, LT_OPF_VIEW | LT_OPF_INPLACE, 0,                 \
           "TransposeBackward1", NULL, transpose)                                                  \
                                                                                                   \
  /* Copies that autograd sees; they run the fill and copy kernels (ops/lt-shape.c) */             \
  GRAD_OP (CLONE, "clone", COPY, 0, 0, "CloneBackward0", NULL, identity)                           \
  GRAD_OP (TO_DTYPE, "to", COPY, 0, 0, "ToCopyBackward0", NULL, identity)                          \
  GRAD_OP (CAT, "cat", COPY, 0, 0, "CatBackward0", NULL, cat)                                      \
  GRAD_OP (STACK, "stack", COPY, 0, 0, "StackBackward0", NULL, stack)                              \
  /* dst.copy_(src) */                                                                             \
  GRAD_OP (INPLACE_COPY, "copy_", COPY, LT_OPF_INPLACE, 0, "CopyBackwards", NULL, inplace_copy)    \
  /* dst.fill_(v), dst.zero_() */                                                                  \
  GRAD_OP (INPLACE_FILL, "fill_", COPY, LT_OPF_INPLACE, 0, "FillBackward0", NULL, inplace_fill)    \
  /* Copies that rearrange elements; they compose public ops (ops/lt-rearrange.c) */               \
  GRAD_OP (TRIL, "tril", COPY, 0, 0, "TrilBackward0", NULL, tril_triu)                             \
  GRAD_OP (TRIU, "triu", COPY, 0, 0, "TriuBackward0", NULL, tril_triu)                             \
  GRAD_OP (FLIP, "flip", COPY, 0, 0, "FlipBackward0", NULL, flip)                                  \
  GRAD_OP (ROLL, "roll", COPY, 0, 0, "RollBackward0", NULL, roll)                                  \
  GRAD_OP (REPEAT, "repeat", COPY, 0, 0, "RepeatBackward0", NULL, repeat)                          \
                                                                                                   \
  /* Indexing (ops/lt-index.c) */                                                                  \
  GRAD_OP (INDEX_SELECT, "index_select", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, ANY),            \
           "IndexSelectBackward0", NULL, index_select)                                             \
  GRAD_OP (INDEX_ADD, "index_add", INDEX, LT_OPF_HAS_KERNEL | LT_OPF_INPLACE, LT_SAVE (ARG1, IN1), \
           "IndexAddBackward0", NULL, index_add)                                                   \
  GRAD_OP (GATHER, "gather", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, ANY), "GatherBackward0",     \
           NULL, gather)                                                                           \
  GRAD_OP (SCATTER_ADD, "scatter_add", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, IN1),              \
           "ScatterAddBackward0", NULL, scatter_add)                                               \
  GRAD_OP (MASKED_SELECT, "masked_select", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, ANY),          \
           "MaskedSelectBackward0", NULL, masked_select)                                           \
  GRAD_OP (MASKED_SCATTER, "masked_scatter", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, ANY),        \
           "MaskedScatterBackward0", NULL, masked_scatter)                                         \
  OP (ONE_HOT, "one_hot", INDEX, LT_OPF_HAS_KERNEL | LT_OPF_INDEX_RESULT)                          \
  /* weight, indices: index_select's rows; its backward adds them up, skipping padding_idx */     \
  GRAD_OP (EMBEDDING, "embedding", INDEX, 0, LT_SAVE (ARG1, ANY), "EmbeddingBackward0", NULL,       \
           embedding)                                                                              \
  /* Coordinate indexing (ops/lt-index-put.c): take and index read the rows that k int64 */      \
  /* coordinates name (take over the flattened tensor), index_put writes or adds them; */         \
  /* scatter writes, adds or multiplies src along dim; nonzero lists coordinates */                \
  GRAD_OP (TAKE, "take", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, ANY), "TakeBackward0",            \
           "IndexBackward0", take)                                                                 \
  GRAD_OP (INDEX_PUT, "index_put", INDEX, LT_OPF_HAS_KERNEL | LT_OPF_INPLACE,                      \
           LT_SAVE (ARG1, ANY), "IndexPutBackward0", NULL, index_put)                              \
  GRAD_OP (SCATTER, "scatter", INDEX, LT_OPF_HAS_KERNEL, LT_SAVE (ARG1, ANY), "ScatterBackward0",   \
           "ScatterBackward1", scatter)                                                            \
  OP (NONZERO, "nonzero", INDEX, LT_OPF_HAS_KERNEL | LT_OPF_INDEX_RESULT)                          \
                                                                                                   \
  /* Convolution and pooling (ops/lt-conv.c, ops/lt-pooling.c); the _GRAD ops are the */           \
  /* kernels of their backward rules */                                                            \
  GRAD_OP (CONV2D, "conv2d", CONV, LT_OPF_HAS_KERNEL, LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN0),   \
           "ConvolutionBackward0", NULL, conv2d)                                                   \
  OP (CONV2D_GRAD_INPUT, "conv2d_grad_input", CONV, LT_OPF_HAS_KERNEL)                             \
  OP (CONV2D_GRAD_WEIGHT, "conv2d_grad_weight", CONV, LT_OPF_HAS_KERNEL)                           \
  /* conv2d_grad_input's kernel forward; conv2d and conv2d_grad_weight backward */                 \
  GRAD_OP (CONV_TRANSPOSE2D, "conv_transpose2d", CONV, 0,                                          \
           LT_SAVE (ARG0, IN1) | LT_SAVE (ARG1, IN0), "ConvolutionBackward0", NULL,                \
           conv_transpose2d)                                                                       \
  GRAD_OP (MAX_POOL2D, "max_pool2d", POOL, LT_OPF_HAS_KERNEL | LT_OPF_INDICES, LT_SAVE (AUX, ANY), \
           "MaxPool2DWithIndicesBackward0", NULL, max_pool2d)                                      \
  OP (MAX_POOL2D_GRAD, "max_pool2d_grad", POOL, LT_OPF_HAS_KERNEL)                                 \
  GRAD_OP (AVG_POOL2D, "avg_pool2d", POOL, LT_OPF_HAS_KERNEL, 0, "AvgPool2DBackward0", NULL,       \
           avg_pool2d)                                                                             \
  OP (AVG_POOL2D_GRAD, "avg_pool2d_grad", POOL, LT_OPF_HAS_KERNEL)                                 \
  GRAD_OP (ADAPTIVE_AVG_POOL2D, "adaptive_avg_pool2d", POOL, LT_OPF_HAS_KERNEL, 0,                 \
           "AdaptiveAvgPool2DBackward0", NULL, adaptive_avg_pool2d)                                \
  OP (ADAPTIVE_AVG_POOL2D_GRAD, "adaptive_avg_pool2d_grad", POOL, LT_OPF_HAS_KERNEL)               \
  /* Resampling (ops/lt-upsample.c): products with interpolation matrices, one node */           \
  GRAD_OP (UPSAMPLE_NEAREST2D, "upsample_nearest2d", POOL, LT_OPF_FLOAT_ONLY, 0,                   \
           "UpsampleNearest2DBackward1", NULL, upsample)                                           \
  GRAD_OP (UPSAMPLE_BILINEAR2D, "upsample_bilinear2d", POOL, LT_OPF_FLOAT_ONLY, 0,                 \
           "UpsampleBilinear2DBackward1", NULL, upsample)                                          \
                                                                                                   \
  /* Normalisation over the trailing elements of each row (ops/lt-norm.c): arguments input, */   \
  /* weight, bias (optional); AUX: each row's mean and 1 / std, (2, rows); the _GRAD op is */    \
  /* both rules' kernel: dx, and into its AUX the weight's and bias's gradients, (2, C) */       \
  GRAD_OP (LAYER_NORM, "layer_norm", NORM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (AUX, ANY),                         \
           "NativeLayerNormBackward0", NULL, layer_group_norm)                                     \
  GRAD_OP (GROUP_NORM, "group_norm", NORM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (AUX, ANY),                         \
           "NativeGroupNormBackward0", NULL, layer_group_norm)                                     \
  OP (NORM_GRAD, "norm_grad", NORM, LT_OPF_HAS_KERNEL)                                             \
  /* Batch normalisation, fused (ops/lt-batch-norm.c): arguments input (N, C, *), weight and */  \
  /* bias (optional), and in evaluation (norm.training FALSE) the running mean and variance */  \
  /* as one (2, C); AUX: the mean and biased variance used, (2, C); the _GRAD op gives dx and */ \
  /* into its AUX the weight's and bias's gradients, (2, C) */                                   \
  GRAD_OP (BATCH_NORM, "batch_norm", NORM, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                  \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (AUX, ANY),                         \
           "NativeBatchNormBackward0", NULL, batch_norm)                                           \
  OP (BATCH_NORM_GRAD, "batch_norm_grad", NORM, LT_OPF_HAS_KERNEL)                                 \
                                                                                                   \
  /* Recurrent cells' fused steps (ops/lt-rnn-ops.c): arguments the input's and the hidden */      \
  /* state's gate products (N, G * H) and the cell (lstm) or hidden (gru) state (N, H). */         \
  /* lstm gives (2, N, H), h over c, and AUX its gates (N, 4H); gru h and AUX r, z, n */           \
  /* and the hidden n part (N, 4H). The _GRAD ops are their rules' kernels: (N, 5H) */             \
  /* d gates and d c, (N, 7H) d igates, d hgates and d h. The gate products are saved too: */      \
  /* under create_graph the rules compose public ops (ops/lt-grad-composed.c) */                   \
  GRAD_OP (LSTM_CELL, "lstm_cell", RNN, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                     \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY) | LT_SAVE (AUX, ANY),    \
           "ThnnFusedLstmCellBackward0", NULL, lstm_cell)                                          \
  OP (LSTM_CELL_GRAD, "lstm_cell_grad", RNN, LT_OPF_HAS_KERNEL)                                    \
  GRAD_OP (GRU_CELL, "gru_cell", RNN, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                       \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY) | LT_SAVE (AUX, ANY),    \
           "ThnnFusedGruCellBackward0", NULL, gru_cell)                                            \
  OP (GRU_CELL_GRAD, "gru_cell_grad", RNN, LT_OPF_HAS_KERNEL)                                      \
                                                                                                   \
  /* Losses with a node of their own (ops/lt-loss.c); mse, l1 and bce compose public ops */        \
  GRAD_OP (MSE_LOSS, "mse_loss", LOSS, 0, LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY),               \
           "MseLossBackward0", NULL, mse_loss)                                                     \
  GRAD_OP (L1_LOSS, "l1_loss", LOSS, 0, LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY),                 \
           "L1LossBackward0", NULL, l1_loss)                                                       \
  /* arguments: input, target, weight; AUX: the total weight of the counted targets */             \
  GRAD_OP (NLL_LOSS, "nll_loss", LOSS, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                      \
           LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY) | LT_SAVE (AUX, ANY), "NllLossBackward0",     \
           NULL, nll_loss)                                                                         \
  /* arguments: input, target, weight, pos_weight */                                               \
  GRAD_OP (BCE_WITH_LOGITS, "binary_cross_entropy_with_logits", LOSS, LT_OPF_FLOAT_ONLY,           \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY) | LT_SAVE (ARG3, ANY),  \
           "BinaryCrossEntropyWithLogitsBackward0", NULL, bce_with_logits)                         \
  OP (NLL_LOSS_GRAD, "nll_loss_grad", LOSS, LT_OPF_HAS_KERNEL) /* nll_loss's backward kernel */    \
  /* cross_entropy of class-index targets without label smoothing, fused */                      \
  /* (ops/lt-fused-loss.c): the kernel's arguments input (N, C, R), target (N, R), weight; */     \
  /* AUX: the log_softmax of the input (N, C, R), then the total weight, (N * C * R + 1). Its */  \
  /* graph is PyTorch's: the loss's node (NllLossBackward0, saving the log-probabilities as */    \
  /* ARG0) over a LogSoftmaxBackward0 node (cross_entropy_log_softmax, no kernel); the _GRAD */   \
  /* op gives the input's gradient in one pass, which the second node passes on */                \
  GRAD_OP (CROSS_ENTROPY, "cross_entropy", LOSS, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,            \
           LT_SAVE (ARG0, ANY) | LT_SAVE (ARG1, ANY) | LT_SAVE (ARG2, ANY) | LT_SAVE (AUX, ANY),  \
           "NllLossBackward0", NULL, cross_entropy)                                                \
  GRAD_OP (CROSS_ENTROPY_LOG_SOFTMAX, "cross_entropy_log_softmax", LOSS, LT_OPF_FLOAT_ONLY,        \
           LT_SAVE (RESULT, ANY), "LogSoftmaxBackward0", NULL, cross_entropy_log_softmax)          \
  OP (CROSS_ENTROPY_GRAD, "cross_entropy_grad", LOSS, LT_OPF_HAS_KERNEL)                           \
  /* bias + relu in one kernel each way (ops/lt-fused-act.c): the kernel's arguments x */       \
  /* (N, C, R) and the bias b (C), contiguous; y = relu (x + b), b broadcast over the channel */  \
  /* dim 1. Its _GRAD op: in g and y (N, C, R); out dx = g where y > 0 (relu's rule, NaN */       \
  /* passing), aux db (C) the sum of dx over N and R, in one pass */                              \
  GRAD_OP (BIAS_RELU, "bias_relu", CONV, LT_OPF_HAS_KERNEL | LT_OPF_FLOAT_ONLY,                      \
           LT_SAVE (RESULT, ANY), "BiasReluBackward0", NULL, bias_relu)                            \
  OP (BIAS_RELU_GRAD, "bias_relu_grad", CONV, LT_OPF_HAS_KERNEL)                                     \
  /* a Linear with a bias then a ReLU in an LtSequential (ops/lt-fused-linear.c): x @ w.t () */ \
  /* then bias_relu's kernel, with PyTorch's two nodes: AddmmBackward0 (linear_bias_relu, no */  \
  /* kernel; addmm's arguments and saves) and ReluBackward0 (linear_relu, no kernel, relu's */    \
  /* result saved), whose rule runs bias_relu_grad and hands the bias's gradient to the first */ \
  GRAD_OP (LINEAR_BIAS_RELU, "linear_bias_relu", CONV, LT_OPF_FLOAT_ONLY,                          \
           LT_SAVE (ARG1, IN2) | LT_SAVE (ARG2, IN1), "AddmmBackward0", NULL, linear_bias_relu)   \
  GRAD_OP (LINEAR_RELU, "linear_relu", CONV, LT_OPF_FLOAT_ONLY, LT_SAVE (RESULT, ANY),              \
           "ReluBackward0", NULL, linear_relu)                                                     \
                                                                                                   \
  /* Fused optimizer updates, in place, not differentiable (optim/) */                             \
  OP (SGD_UPDATE, "sgd_update", OPTIM, LT_OPF_HAS_KERNEL | LT_OPF_INPLACE)                         \
                                                                                                   \
  /* Autograd's leaf node, AccumulateGrad: the engine adds into the leaf's .grad */                \
  OP (ACCUMULATE_GRAD, "accumulate_grad", AUTOGRAD, 0)
/* clang-format on */

#define LT_OP_ENUM_VALUE_(id, ...) LT_OP_##id,

typedef enum {
  LT_OP_LIST (LT_OP_ENUM_VALUE_, LT_OP_ENUM_VALUE_)
  LT_OP_COUNT
} LtOp;

#undef LT_OP_ENUM_VALUE_
