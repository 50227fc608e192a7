/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_IDENTITY (lt_identity_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtIdentity, lt_identity, LT, IDENTITY, LtModule)

#define LT_TYPE_MODULE_LIST (lt_module_list_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtModuleList, lt_module_list, LT, MODULE_LIST, LtModule)

#define LT_TYPE_MODULE_DICT (lt_module_dict_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtModuleDict, lt_module_dict, LT, MODULE_DICT, LtModule)

#define LT_TYPE_PARAMETER_LIST (lt_parameter_list_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtParameterList, lt_parameter_list, LT, PARAMETER_LIST, LtModule)

#define LT_TYPE_PARAMETER_DICT (lt_parameter_dict_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtParameterDict, lt_parameter_dict, LT, PARAMETER_DICT, LtModule)

LT_AVAILABLE_IN_ALL
LtIdentity      *lt_identity_new              (void) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtModuleList    *lt_module_list_new           (LtModule       **modules,
                                               gsize            n) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean         lt_module_list_append        (LtModuleList    *self,
                                               LtModule        *module,
                                               GError         **error);

LT_AVAILABLE_IN_ALL
LtModuleDict    *lt_module_dict_new           (void) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtParameterList *lt_parameter_list_new        (LtTensor       **parameters,
                                               gsize            n,
                                               GError         **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean         lt_parameter_list_append     (LtParameterList *self,
                                               LtTensor        *parameter,
                                               GError         **error);

LT_AVAILABLE_IN_ALL
LtParameterDict *lt_parameter_dict_new        (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
