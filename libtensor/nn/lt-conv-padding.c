/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-conv-padding.h"
#include "lt-conv1d.h"
#include "lt-conv2d.h"
#include "lt-nn-private.h"
#include "core/lt-error.h"
#include "ops/lt-pad.h"

/*
 * The padding modes of Conv1d and Conv2d, as torch's _ConvNd: "zeros"
 * (the convolution's own padding), "reflect", "replicate" and "circular"
 * (lt_pad() first, then the convolution without padding), and padding
 * "same" (the output as long as the input, stride 1; an odd total split
 * with the extra element after, as PyTorch) or "valid" (none). A layer
 * keeps them as data of its own; a layer without is "zeros" with its
 * numeric padding.
 */

typedef struct
{
  const char *mode;    /* interned */
  const char *padding; /* NULL, "same" or "valid" (interned) */
} ConvPadding;

static GQuark
padding_quark (void)
{
  return g_quark_from_static_string ("lt-conv-padding");
}

/**
 * lt_conv_set_padding_mode:
 * @conv: an #LtConv1d or #LtConv2d
 * @padding_mode: "zeros", "reflect", "replicate" or "circular"
 * @padding: (nullable): "same", "valid", or %NULL to keep the layer's
 *   numeric padding
 * @error: return location for a #GError
 *
 * Sets how @conv pads its input, as the `padding_mode` and string
 * `padding` arguments of `nn.Conv1d` and `nn.Conv2d`: a mode other than
 * "zeros" pads with lt_pad() before a convolution without padding; "same"
 * pads so that the output has the input's size (its numeric padding must
 * be 0, its stride 1), "valid" does not pad. The printed form shows both
 * as PyTorch does.
 *
 * Returns: %TRUE, or %FALSE with @error set (%LT_ERROR_INVALID_ARGUMENT)
 *   for another kind of module, an unknown mode or padding, or "same" or
 *   "valid" on a layer with numeric padding
 */
gboolean
lt_conv_set_padding_mode (LtModule   *conv,
                          const char *padding_mode,
                          const char *padding,
                          GError    **error)
{
  ConvPadding  *cp;
  const gint64 *pad = NULL;
  guint         n = 0;

  g_return_val_if_fail (LT_IS_MODULE (conv), FALSE);
  g_return_val_if_fail (padding_mode != NULL, FALSE);
  if (LT_IS_CONV2D (conv))
    {
      pad = lt_conv2d_get_padding (LT_CONV2D (conv));
      n = 2;
    }
  else if (!LT_IS_CONV1D (conv))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "padding_mode: %s is not a Conv1d or Conv2d", lt_module_get_type_name (conv));
      return FALSE;
    }
  if (strcmp (padding_mode, "zeros") != 0 && strcmp (padding_mode, "reflect") != 0 &&
      strcmp (padding_mode, "replicate") != 0 && strcmp (padding_mode, "circular") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "padding_mode must be one of zeros, reflect, replicate, circular, not '%s'",
                   padding_mode);
      return FALSE;
    }
  if (padding && strcmp (padding, "same") != 0 && strcmp (padding, "valid") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Invalid padding string '%s', should be one of {'valid', 'same'}", padding);
      return FALSE;
    }
  for (guint i = 0; padding && i < n; i++)
    if (pad[i] != 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "padding '%s' replaces the layer's numeric padding, which must be 0", padding);
        return FALSE;
      }
  cp = g_new (ConvPadding, 1);
  cp->mode = g_intern_string (padding_mode);
  cp->padding = padding ? g_intern_string (padding) : NULL;
  g_object_set_qdata_full (G_OBJECT (conv), padding_quark (), cp, g_free);
  return TRUE;
}

/**
 * lt_conv_get_padding_mode:
 * @conv: an #LtConv1d or #LtConv2d
 *
 * Gets how @conv pads its input (lt_conv_set_padding_mode()).
 *
 * Returns: (transfer none): "zeros", "reflect", "replicate" or "circular"
 */
const char *
lt_conv_get_padding_mode (LtModule *conv)
{
  ConvPadding *cp;

  g_return_val_if_fail (LT_IS_MODULE (conv), NULL);
  cp = g_object_get_qdata (G_OBJECT (conv), padding_quark ());
  return cp ? cp->mode : "zeros";
}

LtTensor *
_lt_conv_padded_input (LtModule     *conv,
                       LtTensor     *input,
                       guint         n,
                       const gint64 *kernel_size,
                       const gint64 *stride,
                       const gint64 *dilation,
                       const gint64 *padding,
                       gint64       *conv_padding,
                       GError      **error)
{
  ConvPadding *cp = g_object_get_qdata (G_OBJECT (conv), padding_quark ());
  gint64       left[2], right[2], pad[4];
  gboolean     zeros, symmetric = TRUE;

  for (guint i = 0; i < n; i++)
    conv_padding[i] = padding[i];
  if (cp == NULL)
    return g_object_ref (input);
  zeros = strcmp (cp->mode, "zeros") == 0;
  for (guint i = 0; i < n; i++)
    {
      if (cp->padding && cp->padding[0] == 's')
        {
          gint64 total = dilation[i] * (kernel_size[i] - 1);

          if (stride[i] != 1)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "%s: padding='same' is not supported for strided convolutions",
                           lt_module_get_type_name (conv));
              return NULL;
            }
          left[i] = total / 2;
          right[i] = total - left[i];
        }
      else if (cp->padding)
        left[i] = right[i] = 0;
      else
        left[i] = right[i] = padding[i];
      symmetric = symmetric && left[i] == right[i];
    }
  if (zeros && symmetric)
    {
      for (guint i = 0; i < n; i++)
        conv_padding[i] = left[i];
      return g_object_ref (input);
    }
  /* lt_pad's order: the last dimension first */
  for (guint i = 0; i < n; i++)
    {
      pad[2 * (n - 1 - i)] = left[i];
      pad[2 * (n - 1 - i) + 1] = right[i];
      conv_padding[i] = 0;
    }
  return lt_pad (input, pad, 2 * n, zeros ? "constant" : cp->mode, 0.0, error);
}

void
_lt_conv_padding_repr (LtModule *conv, GString *s, gboolean before_padding)
{
  ConvPadding *cp = g_object_get_qdata (G_OBJECT (conv), padding_quark ());

  if (cp == NULL)
    return;
  if (before_padding && cp->padding)
    g_string_append_printf (s, ", padding=%s", cp->padding);
  if (!before_padding && strcmp (cp->mode, "zeros") != 0)
    g_string_append_printf (s, ", padding_mode=%s", cp->mode);
}
