/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the layers (nn/): PyTorch's printed forms and default
 * initialisation. */

#include "core/lt-tensor.h"
#include "nn/lt-module.h"

G_BEGIN_DECLS

/* Python's repr() of a float: "0.5", "1e-05", "2.0", "inf". */
char     *_lt_py_float_repr         (double        value);

/* Appends Python's repr() of an int or of a tuple of @n ints: "2" when
 * @as_int, otherwise "(2, 2)" (or "(2,)" for one element). */
void      _lt_append_py_ints        (GString      *s,
                                     const gint64 *values,
                                     guint         n,
                                     gboolean      as_int);

/* "True" / "False" */
static inline const char *
_lt_py_bool (gboolean b)
{
  return b ? "True" : "False";
}

/* PyTorch's reset_parameters() of Linear and Conv2d: @weight from
 * kaiming_uniform_(a=sqrt(5)), that is U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * then @bias (nullable) from the same bound; drawn in that order from the
 * global generator. */
gboolean  _lt_init_reset_parameters (LtTensor     *weight,
                                     LtTensor     *bias,
                                     GError      **error);

/* The parameters of Linear and the convolutions: a float32 "weight" of
 * shape @wshape and, with @bias, a float32 "bias" of @bias_size elements,
 * drawn by _lt_init_reset_parameters() and registered on @module. */
gboolean  _lt_module_add_weight_and_bias (LtModule     *module,
                                          const gint64 *wshape,
                                          guint         ndim,
                                          gint64        bias_size,
                                          gboolean      bias,
                                          GError      **error);

/* torch.nn.modules.conv._ConvNd.extra_repr for @n spatial dimensions;
 * @output_padding is %NULL for a layer that has none (lt-conv2d.c). */
char     *_lt_conv_extra_repr       (LtModule     *module,
                                     gint64        in_channels,
                                     gint64        out_channels,
                                     guint         n,
                                     const gint64 *kernel_size,
                                     const gint64 *stride,
                                     const gint64 *padding,
                                     const gint64 *dilation,
                                     const gint64 *output_padding,
                                     gint64        groups);

/* Conv1d's and Conv2d's padding modes (nn/lt-conv-padding.c): the input
 * the convolution runs on (padded by lt_pad() for a mode other than
 * zeros, or an asymmetric "same") and the padding it runs with; the text
 * the printed form adds ("padding=same" before the dilation, or
 * "padding_mode=reflect" at the end). */
LtTensor *_lt_conv_padded_input     (LtModule     *conv,
                                     LtTensor     *input,
                                     guint         n,
                                     const gint64 *kernel_size,
                                     const gint64 *stride,
                                     const gint64 *dilation,
                                     const gint64 *padding,
                                     gint64       *conv_padding,
                                     GError      **error);
void      _lt_conv_padding_repr     (LtModule     *conv,
                                     GString      *s,
                                     gboolean      before_padding);

/* Module scopes (nn/lt-module-scope.c): lt_module_forward() enters the
 * scope of the module it runs, so that the autograd nodes made meanwhile
 * record the module's dotted path, and leaves it after. */
void      _lt_module_scope_enter    (LtModule     *self);
void      _lt_module_scope_leave    (void);

/* Module hooks (nn/lt-module-hooks.c). The hooks live in the module's
 * private data, in the list this returns the address of (NULL until the
 * first hook). */
GPtrArray **_lt_module_hooks        (LtModule     *self);
/* lt_module_forward() without hooks, and with them. */
LtTensor *_lt_module_run_forward    (LtModule     *self,
                                     LtTensor     *input,
                                     GError      **error);
LtTensor *_lt_module_forward_hooked (LtModule     *self,
                                     LtTensor     *input,
                                     GError      **error);

/* A Conv2d's forward (nn/lt-conv2d.c), its padding and its convolution,
 * with a ReLU fused into the convolution when @relu (_lt_conv2d_relu ():
 * its operands must be ones _lt_conv2d_relu_applies () takes) */
LtTensor *_lt_conv2d_module_run     (LtModule     *module,
                                     LtTensor     *input,
                                     gboolean      relu,
                                     GError      **error);

/* An LtSequential's @layer and the @act that follows it run as one
 * (nn/lt-sequential-fuse.c): FALSE, touching nothing, where they cannot;
 * otherwise TRUE with *@out the output of both, or %NULL with @error set. */
gboolean  _lt_nn_fuse_bias_relu     (LtModule     *layer,
                                     LtModule     *act,
                                     LtTensor     *input,
                                     LtTensor    **out,
                                     GError      **error);

G_END_DECLS
