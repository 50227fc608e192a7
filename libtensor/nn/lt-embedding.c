/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-embedding.h"
#include "lt-init.h"
#include "lt-nn-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-embedding.h"
#include "ops/lt-shape.h"

/**
 * LtEmbedding:
 *
 * A lookup table, as `torch.nn.Embedding`: its parameter "weight"
 * (num_embeddings, embedding_dim) is drawn from N(0, 1), with the padding
 * row (if any) zero; the forward takes integer indices of any shape and
 * returns their rows (lt_embedding()). With a max_norm, the rows looked up
 * are first scaled down in place to that norm (lt_tensor_embedding_renorm_()).
 */
struct _LtEmbedding
{
  LtModule parent_instance;

  gint64 num_embeddings;
  gint64 embedding_dim;
  gint64 padding_idx; /* -1: none */
  double max_norm;    /* NAN: none */
  double norm_type;
};

G_DEFINE_FINAL_TYPE (LtEmbedding, lt_embedding, LT_TYPE_MODULE)

static LtTensor *
lt_embedding_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtEmbedding *self = LT_EMBEDDING (module);
  LtTensor    *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "Embedding: the weight was removed");
      return NULL;
    }
  if (!isnan (self->max_norm) &&
      !lt_tensor_embedding_renorm_ (weight, input, self->max_norm, self->norm_type, error))
    return NULL;
  return lt_embedding (weight, input, self->padding_idx, error);
}

static char *
lt_embedding_extra_repr (LtModule *module)
{
  LtEmbedding *self = LT_EMBEDDING (module);
  GString     *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, self->num_embeddings,
                          self->embedding_dim);
  if (self->padding_idx >= 0)
    g_string_append_printf (s, ", padding_idx=%" G_GINT64_FORMAT, self->padding_idx);
  if (!isnan (self->max_norm))
    {
      g_autofree char *v = _lt_py_float_repr (self->max_norm);

      g_string_append_printf (s, ", max_norm=%s", v);
    }
  if (self->norm_type != 2.0)
    {
      g_autofree char *v = _lt_py_float_repr (self->norm_type);

      g_string_append_printf (s, ", norm_type=%s", v);
    }
  return g_string_free (s, FALSE);
}

static void
lt_embedding_class_init (LtEmbeddingClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_embedding_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_embedding_extra_repr;
}

static void
lt_embedding_init (LtEmbedding *self)
{
  self->padding_idx = -1;
  self->max_norm = NAN;
  self->norm_type = 2.0;
}

/**
 * lt_embedding_new:
 * @num_embeddings: the number of rows
 * @embedding_dim: the size of a row
 * @padding_idx: a row kept at zero whose gradient stays zero, in
 *   -num_embeddings .. num_embeddings - 1 (negative counts from the end),
 *   or G_MININT64 for none
 * @max_norm: the largest norm a looked-up row keeps, or NAN (or a
 *   negative value) for none
 * @norm_type: the p of the norm @max_norm bounds (PyTorch's default: 2)
 * @error: return location for a #GError
 *
 * Creates an embedding layer, as `nn.Embedding(num_embeddings,
 * embedding_dim, padding_idx, max_norm, norm_type)`; its weight is drawn
 * from the global generator.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for sizes below 1 or a @padding_idx out of range
 */
LtEmbedding *
lt_embedding_new (gint64   num_embeddings,
                  gint64   embedding_dim,
                  gint64   padding_idx,
                  double   max_norm,
                  double   norm_type,
                  GError **error)
{
  g_autoptr(LtEmbedding) self = NULL;
  g_autoptr(LtTensor) weight = NULL;
  gint64 shape[2] = { num_embeddings, embedding_dim };

  if (num_embeddings < 1 || embedding_dim < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Embedding: num_embeddings (%" G_GINT64_FORMAT
                   ") and embedding_dim (%" G_GINT64_FORMAT ") must be at least 1",
                   num_embeddings, embedding_dim);
      return NULL;
    }
  if (padding_idx != G_MININT64 && (padding_idx >= num_embeddings || padding_idx < -num_embeddings))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Embedding: padding_idx (%" G_GINT64_FORMAT ") must be within "
                   "num_embeddings (%" G_GINT64_FORMAT ")",
                   padding_idx, num_embeddings);
      return NULL;
    }
  self = g_object_new (LT_TYPE_EMBEDDING, NULL);
  self->num_embeddings = num_embeddings;
  self->embedding_dim = embedding_dim;
  self->padding_idx = padding_idx == G_MININT64 ? -1
                      : padding_idx < 0         ? padding_idx + num_embeddings
                                                : padding_idx;
  self->max_norm = max_norm >= 0 ? max_norm : NAN;
  self->norm_type = norm_type;
  weight = lt_empty (shape, 2, LT_DTYPE_FLOAT32, error);
  if (weight == NULL || !lt_init_normal_ (weight, 0.0, 1.0, error))
    return NULL;
  if (self->padding_idx >= 0)
    {
      g_autoptr(LtTensor) row = lt_tensor_select (weight, 0, self->padding_idx, error);

      if (row == NULL || !lt_tensor_fill_ (row, 0.0, error))
        return NULL;
    }
  if (!lt_module_register_parameter (LT_MODULE (self), "weight", weight, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_embedding_get_num_embeddings:
 * @self: an Embedding layer
 *
 * Gets the number of rows of the table.
 *
 * Returns: num_embeddings
 */
gint64
lt_embedding_get_num_embeddings (LtEmbedding *self)
{
  g_return_val_if_fail (LT_IS_EMBEDDING (self), 0);
  return self->num_embeddings;
}

/**
 * lt_embedding_get_embedding_dim:
 * @self: an Embedding layer
 *
 * Gets the size of a row.
 *
 * Returns: embedding_dim
 */
gint64
lt_embedding_get_embedding_dim (LtEmbedding *self)
{
  g_return_val_if_fail (LT_IS_EMBEDDING (self), 0);
  return self->embedding_dim;
}

/**
 * lt_embedding_get_padding_idx:
 * @self: an Embedding layer
 *
 * Gets the padding row.
 *
 * Returns: padding_idx (from 0), or -1 for none
 */
gint64
lt_embedding_get_padding_idx (LtEmbedding *self)
{
  g_return_val_if_fail (LT_IS_EMBEDDING (self), -1);
  return self->padding_idx;
}

/**
 * lt_embedding_get_max_norm:
 * @self: an Embedding layer
 *
 * Gets the largest norm a looked-up row keeps.
 *
 * Returns: max_norm, or NAN for none
 */
double
lt_embedding_get_max_norm (LtEmbedding *self)
{
  g_return_val_if_fail (LT_IS_EMBEDDING (self), NAN);
  return self->max_norm;
}
