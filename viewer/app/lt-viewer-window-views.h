/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-viewer-window-private.h"

G_BEGIN_DECLS

void       _lt_viewer_window_views_init             (LtViewerWindow     *self);
void       _lt_viewer_window_views_dispose          (LtViewerWindow     *self);
void       _lt_viewer_window_views_prepare_trainer  (LtViewerWindow     *self,
                                                     LtTrainer          *trainer);
void       _lt_viewer_window_views_bind             (LtViewerWindow     *self,
                                                     LtTrainer          *trainer,
                                                     guint               run,
                                                     const char *const  *classes);
GPtrArray *_lt_viewer_window_export_filters         (LtViewerWindow     *self);
char      *_lt_viewer_window_export_suggested_name  (LtViewerWindow     *self);
gboolean   _lt_viewer_window_export_view            (LtViewerWindow     *self,
                                                     GFile              *file,
                                                     GError            **error);

gboolean   _lt_viewer_window_export_view_to         (LtViewerWindow     *self,
                                                     GFile              *file);

G_END_DECLS
