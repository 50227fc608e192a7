/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <gdk/gdk.h>
#include <libtensor.h>

#include "lt-gtk-macros.h"
#include "lt-gtk-types.h"

G_BEGIN_DECLS

#define LT_GTK_TYPE_RUN (lt_gtk_run_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkRun, lt_gtk_run, LT_GTK, RUN, GObject)

LT_GTK_AVAILABLE_IN_ALL
guint             lt_gtk_run_get_index               (LtGtkRun          *self);
LT_GTK_AVAILABLE_IN_ALL
const char       *lt_gtk_run_get_name                (LtGtkRun          *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_run_set_name                (LtGtkRun          *self,
                                                      const char        *name);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_run_get_color               (LtGtkRun          *self,
                                                      GdkRGBA           *color);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer        *lt_gtk_run_dup_trainer             (LtGtkRun          *self);
LT_GTK_AVAILABLE_IN_ALL
guint64           lt_gtk_run_get_steps_per_epoch     (LtGtkRun          *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_run_append                  (LtGtkRun          *self,
                                                      LtGtkSeries        series,
                                                      double             step,
                                                      double             value);
LT_GTK_AVAILABLE_IN_ALL
guint             lt_gtk_run_get_n_points            (LtGtkRun          *self,
                                                      LtGtkSeries        series);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_run_get_point               (LtGtkRun          *self,
                                                      LtGtkSeries        series,
                                                      guint              index,
                                                      double            *step,
                                                      double            *value);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_run_clear                   (LtGtkRun          *self);

#define LT_GTK_TYPE_RUN_REGISTRY (lt_gtk_run_registry_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkRunRegistry, lt_gtk_run_registry, LT_GTK, RUN_REGISTRY, GObject)

LT_GTK_AVAILABLE_IN_ALL
LtGtkRunRegistry *lt_gtk_run_registry_new            (void);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRunRegistry *lt_gtk_run_registry_get_default    (void);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRun         *lt_gtk_run_registry_add_run        (LtGtkRunRegistry  *self,
                                                      const char        *name);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRun         *lt_gtk_run_registry_add_trainer    (LtGtkRunRegistry  *self,
                                                      LtTrainer         *trainer,
                                                      const char        *name);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRun         *lt_gtk_run_registry_lookup_trainer (LtGtkRunRegistry  *self,
                                                      LtTrainer         *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRun         *lt_gtk_run_registry_get_run        (LtGtkRunRegistry  *self,
                                                      guint              index);
LT_GTK_AVAILABLE_IN_ALL
guint             lt_gtk_run_registry_get_n_runs     (LtGtkRunRegistry  *self);
LT_GTK_AVAILABLE_IN_ALL
guint             lt_gtk_run_registry_get_n_points   (LtGtkRunRegistry  *self);
LT_GTK_AVAILABLE_IN_ALL
guint64           lt_gtk_run_registry_get_serial     (LtGtkRunRegistry  *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_run_registry_set_palette    (LtGtkRunRegistry  *self,
                                                      const char *const *colors,
                                                      GError           **error);
LT_GTK_AVAILABLE_IN_ALL
char            **lt_gtk_run_registry_dup_palette    (LtGtkRunRegistry  *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_run_registry_write_csv      (LtGtkRunRegistry  *self,
                                                      const char        *path,
                                                      GError           **error);

G_END_DECLS
