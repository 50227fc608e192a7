/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <adwaita.h>

#include "lt-viewer-application.h"

G_BEGIN_DECLS

#define LT_VIEWER_TYPE_WINDOW (lt_viewer_window_get_type ())

G_DECLARE_FINAL_TYPE (LtViewerWindow, lt_viewer_window, LT_VIEWER, WINDOW, AdwApplicationWindow)

LtViewerWindow *lt_viewer_window_new (LtViewerApplication *application);

G_END_DECLS
