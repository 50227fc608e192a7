/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LT_VIEWER_TYPE_APPLICATION (lt_viewer_application_get_type ())

G_DECLARE_FINAL_TYPE (LtViewerApplication, lt_viewer_application, LT_VIEWER, APPLICATION,
                      AdwApplication)

LtViewerApplication *lt_viewer_application_new          (void);
GSettings           *lt_viewer_application_get_settings (LtViewerApplication *self);

G_END_DECLS
