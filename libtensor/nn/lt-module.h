/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "autograd/lt-graph.h"
#include "core/lt-tensor.h"
#include "io/lt-state-dict.h"

G_BEGIN_DECLS

#define LT_TYPE_MODULE (lt_module_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtModule, lt_module, LT, MODULE, GObject)

/**
 * LtModuleClass:
 * @parent_class: the parent class
 * @forward: computes the module's output from @input; sets @error and
 *   returns %NULL on failure
 * @extra_repr: the text between the parentheses of the module's printed
 *   form, such as "in_features=400, out_features=120, bias=True"
 *
 * The class of modules. A network is a subclass that overrides @forward:
 * in C by setting it in its class_init, in Python as `do_forward`, in
 * JavaScript as `vfunc_forward`.
 */
struct _LtModuleClass
{
  GObjectClass parent_class;

  LtTensor *(*forward)    (LtModule *self,
                           LtTensor *input,
                           GError  **error);
  char     *(*extra_repr) (LtModule *self);

  /*< private >*/
  gpointer padding[8];
};

/**
 * LtModuleFunc:
 * @module: a module
 * @user_data: the data given to lt_module_apply()
 *
 * Called by lt_module_apply() for every module of a tree.
 */
typedef void (*LtModuleFunc) (LtModule *module,
                              gpointer  user_data);

LT_AVAILABLE_IN_ALL
LtTensor    *lt_module_forward              (LtModule     *self,
                                             LtTensor     *input,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_register_parameter   (LtModule     *self,
                                             const char   *name,
                                             LtTensor     *parameter,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_register_buffer      (LtModule     *self,
                                             const char   *name,
                                             LtTensor     *buffer,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_register_module      (LtModule     *self,
                                             const char   *name,
                                             LtModule     *child,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_remove               (LtModule     *self,
                                             const char   *name);
LT_AVAILABLE_IN_ALL
char       **lt_module_get_parameter_names  (LtModule     *self);
LT_AVAILABLE_IN_ALL
char       **lt_module_get_buffer_names     (LtModule     *self);
LT_AVAILABLE_IN_ALL
LtTensor    *lt_module_get_parameter        (LtModule     *self,
                                             const char   *name);
LT_AVAILABLE_IN_ALL
LtTensor    *lt_module_get_buffer           (LtModule     *self,
                                             const char   *name);
LT_AVAILABLE_IN_ALL
LtModule    *lt_module_get_child            (LtModule     *self,
                                             const char   *name);
LT_AVAILABLE_IN_ALL
guint        lt_module_get_n_children       (LtModule     *self);
LT_AVAILABLE_IN_ALL
LtModule    *lt_module_get_child_at         (LtModule     *self,
                                             guint         index,
                                             const char  **name);
LT_AVAILABLE_IN_ALL
GPtrArray   *lt_module_parameters           (LtModule     *self);
LT_AVAILABLE_IN_ALL
LtStateDict *lt_module_named_parameters     (LtModule     *self);
LT_AVAILABLE_IN_ALL
LtStateDict *lt_module_named_buffers        (LtModule     *self);
LT_AVAILABLE_IN_ALL
GPtrArray   *lt_module_modules              (LtModule     *self);
LT_AVAILABLE_IN_ALL
gint64       lt_module_count_parameters     (LtModule     *self,
                                             gboolean      trainable_only);
LT_AVAILABLE_IN_ALL
void         lt_module_zero_grad            (LtModule     *self,
                                             gboolean      set_to_none);
LT_AVAILABLE_IN_ALL
void         lt_module_train                (LtModule     *self,
                                             gboolean      mode);
LT_AVAILABLE_IN_ALL
void         lt_module_eval                 (LtModule     *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_is_training          (LtModule     *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_to_device            (LtModule     *self,
                                             LtDevice      device,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_to_device_index      (LtModule     *self,
                                             LtDevice      device,
                                             int           index,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
void         lt_module_apply                (LtModule     *self,
                                             LtModuleFunc  func,
                                             gpointer      user_data);
LT_AVAILABLE_IN_ALL
const char  *lt_module_get_type_name        (LtModule     *self);
LT_AVAILABLE_IN_ALL
char        *lt_module_to_string            (LtModule     *self);
LT_AVAILABLE_IN_ALL
LtStateDict *lt_module_state_dict           (LtModule     *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_load_state_dict      (LtModule     *self,
                                             LtStateDict  *state,
                                             gboolean      strict,
                                             char       ***missing_keys,
                                             char       ***unexpected_keys,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_save                 (LtModule     *self,
                                             const char   *path,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_module_load                 (LtModule     *self,
                                             const char   *path,
                                             gboolean      strict,
                                             GError      **error);
LT_AVAILABLE_IN_ALL
void         lt_module_name_graph           (LtModule     *self,
                                             LtGraph      *graph);

G_END_DECLS
