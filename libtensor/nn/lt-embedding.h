/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_EMBEDDING (lt_embedding_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtEmbedding, lt_embedding, LT, EMBEDDING, LtModule)

LT_AVAILABLE_IN_ALL
LtEmbedding *lt_embedding_new                (gint64       num_embeddings,
                                              gint64       embedding_dim,
                                              gint64       padding_idx,
                                              double       max_norm,
                                              double       norm_type,
                                              GError     **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64       lt_embedding_get_num_embeddings (LtEmbedding *self);
LT_AVAILABLE_IN_ALL
gint64       lt_embedding_get_embedding_dim  (LtEmbedding *self);
LT_AVAILABLE_IN_ALL
gint64       lt_embedding_get_padding_idx    (LtEmbedding *self);
LT_AVAILABLE_IN_ALL
double       lt_embedding_get_max_norm       (LtEmbedding *self);

G_END_DECLS
