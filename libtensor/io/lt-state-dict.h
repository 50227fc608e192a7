/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_TYPE_STATE_DICT (lt_state_dict_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtStateDict, lt_state_dict, LT, STATE_DICT, GObject)

LT_AVAILABLE_IN_ALL
LtStateDict  *lt_state_dict_new               (void) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
void          lt_state_dict_insert            (LtStateDict *self,
                                               const char  *name,
                                               LtTensor    *tensor);
LT_AVAILABLE_IN_ALL
gboolean      lt_state_dict_remove            (LtStateDict *self,
                                               const char  *name);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_state_dict_lookup            (LtStateDict *self,
                                               const char  *name);
LT_AVAILABLE_IN_ALL
guint         lt_state_dict_get_n_tensors     (LtStateDict *self);
LT_AVAILABLE_IN_ALL
const char   *lt_state_dict_get_name          (LtStateDict *self,
                                               guint        index);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_state_dict_get_tensor        (LtStateDict *self,
                                               guint        index);
LT_AVAILABLE_IN_ALL
void          lt_state_dict_set_metadata      (LtStateDict *self,
                                               const char  *key,
                                               const char  *value);
LT_AVAILABLE_IN_ALL
const char   *lt_state_dict_get_metadata      (LtStateDict *self,
                                               const char  *key);
LT_AVAILABLE_IN_ALL
char        **lt_state_dict_get_metadata_keys (LtStateDict *self);

LT_AVAILABLE_IN_ALL
GBytes       *lt_state_dict_serialize         (LtStateDict *self,
                                               GError     **error);
LT_AVAILABLE_IN_ALL
LtStateDict  *lt_state_dict_deserialize       (GBytes      *bytes,
                                               const char  *source,
                                               GError     **error);
LT_AVAILABLE_IN_ALL
gboolean      lt_state_dict_save              (LtStateDict *self,
                                               const char  *path,
                                               GError     **error);
LT_AVAILABLE_IN_ALL
LtStateDict  *lt_state_dict_load              (const char  *path,
                                               GError     **error);

G_END_DECLS
