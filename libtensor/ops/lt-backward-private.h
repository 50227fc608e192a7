/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The backward rules of the op table, one per differentiable op; each lives
 * beside its op's front end. */

#include "lt-op-private.h"

G_BEGIN_DECLS

#define LT_DECLARE_BACKWARD(name) \
  gboolean _lt_backward_##name (LtGradFn *node, LtTensor *grad_output, \
                                LtTensor **grad_inputs, GError **error)

/* lt-pointwise.c */
LT_DECLARE_BACKWARD (neg);
LT_DECLARE_BACKWARD (abs);
LT_DECLARE_BACKWARD (sign);
LT_DECLARE_BACKWARD (exp);
LT_DECLARE_BACKWARD (log);
LT_DECLARE_BACKWARD (sqrt);
LT_DECLARE_BACKWARD (rsqrt);
LT_DECLARE_BACKWARD (sin);
LT_DECLARE_BACKWARD (cos);
LT_DECLARE_BACKWARD (tanh);
LT_DECLARE_BACKWARD (sigmoid);
LT_DECLARE_BACKWARD (relu);
LT_DECLARE_BACKWARD (clamp);
LT_DECLARE_BACKWARD (add);
LT_DECLARE_BACKWARD (sub);
LT_DECLARE_BACKWARD (mul);
LT_DECLARE_BACKWARD (div);
LT_DECLARE_BACKWARD (pow);
LT_DECLARE_BACKWARD (maximum);
LT_DECLARE_BACKWARD (minimum);
LT_DECLARE_BACKWARD (remainder);
LT_DECLARE_BACKWARD (where);
LT_DECLARE_BACKWARD (masked_fill);

/* lt-reduce.c */
LT_DECLARE_BACKWARD (sum);
LT_DECLARE_BACKWARD (mean);
LT_DECLARE_BACKWARD (max);
LT_DECLARE_BACKWARD (max_dim);
LT_DECLARE_BACKWARD (var);
LT_DECLARE_BACKWARD (std);
LT_DECLARE_BACKWARD (norm);
LT_DECLARE_BACKWARD (softmax);
LT_DECLARE_BACKWARD (log_softmax);

/* lt-linalg.c */
LT_DECLARE_BACKWARD (mm);
LT_DECLARE_BACKWARD (bmm);
LT_DECLARE_BACKWARD (addmm);

/* lt-shape.c */
LT_DECLARE_BACKWARD (view);
LT_DECLARE_BACKWARD (permute);
LT_DECLARE_BACKWARD (transpose);
LT_DECLARE_BACKWARD (expand);
LT_DECLARE_BACKWARD (select);
LT_DECLARE_BACKWARD (slice);
LT_DECLARE_BACKWARD (identity);
LT_DECLARE_BACKWARD (cat);
LT_DECLARE_BACKWARD (stack);
LT_DECLARE_BACKWARD (copy_);
LT_DECLARE_BACKWARD (fill_);

/* lt-index.c */
LT_DECLARE_BACKWARD (index_select);
LT_DECLARE_BACKWARD (index_add);
LT_DECLARE_BACKWARD (gather);
LT_DECLARE_BACKWARD (scatter_add);
LT_DECLARE_BACKWARD (masked_select);
LT_DECLARE_BACKWARD (masked_scatter);

/* lt-conv.c */
LT_DECLARE_BACKWARD (conv2d);

/* lt-pool.c */
LT_DECLARE_BACKWARD (max_pool2d);
LT_DECLARE_BACKWARD (avg_pool2d);
LT_DECLARE_BACKWARD (adaptive_avg_pool2d);

/* lt-loss.c */
LT_DECLARE_BACKWARD (leaky_relu);
LT_DECLARE_BACKWARD (mse_loss);
LT_DECLARE_BACKWARD (l1_loss);
LT_DECLARE_BACKWARD (nll_loss);
LT_DECLARE_BACKWARD (bce_with_logits);

G_END_DECLS
