/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-viewer-application.h"

G_BEGIN_DECLS

struct _LtViewerApplication
{
  AdwApplication parent_instance;

  /* Owned */
  GSettings *settings;
};

GSettings *_lt_viewer_settings_new (void);
void       _lt_viewer_i18n_init    (void);

G_END_DECLS
