/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-dropout.h"
#include "lt-functional.h"
#include "lt-nn-private.h"
#include "ops/lt-ops-private.h"

/* What both layers share: the result written into the input with
 * "inplace", the printed options, the check of p. */
static LtTensor *
finish_inplace (LtTensor *input, LtTensor *out, gboolean inplace, GError **error)
{
  if (out == NULL || !inplace || out == input)
    return out;
  if (!lt_tensor_copy_ (input, out, error))
    {
      g_object_unref (out);
      return NULL;
    }
  g_object_unref (out);
  return g_object_ref (input);
}

static char *
options_repr (double p, gboolean inplace)
{
  g_autofree char *text = _lt_py_float_repr (p);

  return g_strdup_printf ("p=%s, inplace=%s", text, _lt_py_bool (inplace));
}

static gboolean
check_p (const char *type, double p, GError **error)
{
  g_autofree char *text = NULL;

  if (p >= 0 && p <= 1)
    return TRUE;
  text = _lt_py_float_repr (p);
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s: dropout probability has to be between 0 and 1, but got %s", type, text);
  return FALSE;
}

/**
 * LtDropout:
 *
 * Dropout as a layer, as `torch.nn.Dropout`: in training mode each element
 * is zeroed with probability p (drawn from the generator lt_manual_seed()
 * seeds) and the others are scaled by 1 / (1 - p); in evaluation mode
 * (lt_module_eval()) the input passes unchanged. lt_dropout() computes the
 * output. Printed `Dropout(p=0.5, inplace=False)`.
 */
struct _LtDropout
{
  LtModule parent_instance;

  double p;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtDropout, lt_dropout, LT_TYPE_MODULE)

static LtTensor *
lt_dropout_forward (LtModule *module,
                    LtTensor *input,
                    GError  **error)
{
  LtDropout *self = LT_DROPOUT (module);

  return finish_inplace (input, lt_dropout (input, self->p, lt_module_is_training (module), error),
                         self->inplace, error);
}

static char *
lt_dropout_extra_repr (LtModule *module)
{
  LtDropout *self = LT_DROPOUT (module);

  return options_repr (self->p, self->inplace);
}

static void
lt_dropout_class_init (LtDropoutClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_dropout_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_dropout_extra_repr;
}

static void
lt_dropout_init (LtDropout *self)
{
}

/**
 * lt_dropout_new:
 * @p: the probability of zeroing an element, in [0, 1] (PyTorch's default
 *   is 0.5)
 * @inplace: write the result into the input
 * @error: return location for a #GError
 *
 * Creates a dropout layer, as `nn.Dropout(p, inplace)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a probability outside [0, 1]
 */
LtDropout *
lt_dropout_new (double    p,
                gboolean  inplace,
                GError  **error)
{
  LtDropout *self;

  if (!check_p ("Dropout", p, error))
    return NULL;
  self = g_object_new (LT_TYPE_DROPOUT, NULL);
  self->p = p;
  self->inplace = !!inplace;
  return self;
}

/**
 * lt_dropout_get_p:
 * @self: a Dropout layer
 *
 * Gets the probability of zeroing an element.
 *
 * Returns: p
 */
double
lt_dropout_get_p (LtDropout *self)
{
  g_return_val_if_fail (LT_IS_DROPOUT (self), 0);
  return self->p;
}

/**
 * lt_dropout_get_inplace:
 * @self: a Dropout layer
 *
 * Tells whether the layer writes its result into its input.
 *
 * Returns: the inplace flag
 */
gboolean
lt_dropout_get_inplace (LtDropout *self)
{
  g_return_val_if_fail (LT_IS_DROPOUT (self), FALSE);
  return self->inplace;
}

/**
 * LtDropout2d:
 *
 * Channel dropout, as `torch.nn.Dropout2d`: in training mode each channel
 * `input[n, c]` is zeroed with probability p and the others are scaled by
 * 1 / (1 - p); in evaluation mode the input passes unchanged.
 */
struct _LtDropout2d
{
  LtModule parent_instance;

  double   p;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtDropout2d, lt_dropout2d, LT_TYPE_MODULE)

static LtTensor *
lt_dropout2d_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtDropout2d *self = LT_DROPOUT2D (module);

  return finish_inplace (input,
                         lt_dropout2d (input, self->p, lt_module_is_training (module), error),
                         self->inplace, error);
}

static char *
lt_dropout2d_extra_repr (LtModule *module)
{
  LtDropout2d *self = LT_DROPOUT2D (module);

  return options_repr (self->p, self->inplace);
}

static void
lt_dropout2d_class_init (LtDropout2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_dropout2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_dropout2d_extra_repr;
}

static void
lt_dropout2d_init (LtDropout2d *self)
{
}

/**
 * lt_dropout2d_new:
 * @p: the probability of zeroing a channel, in [0, 1] (PyTorch's default
 *   is 0.5)
 * @inplace: write the result into the input
 * @error: return location for a #GError
 *
 * Creates a channel dropout layer, as `nn.Dropout2d(p, inplace)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a probability outside [0, 1]
 */
LtDropout2d *
lt_dropout2d_new (double p, gboolean inplace, GError **error)
{
  LtDropout2d *self;

  if (!check_p ("Dropout2d", p, error))
    return NULL;
  self = g_object_new (LT_TYPE_DROPOUT2D, NULL);
  self->p = p;
  self->inplace = !!inplace;
  return self;
}
