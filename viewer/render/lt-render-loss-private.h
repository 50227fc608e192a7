/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-render-loss.h"

G_BEGIN_DECLS

typedef struct
{
  double step;
  double value;
} LossPoint;

typedef struct
{
  char         *name;
  GArray       *series[LT_RENDER_N_SERIES]; /* LossPoint, in step order */
  LtRenderColor color;
} LossRun;

struct _LtRenderLossData
{
  gatomicrefcount ref;
  GPtrArray      *runs; /* LossRun */
  guint64         serial;
};

const LtRenderColor *_lt_render_loss_data_run_color (LtRenderLossData *self, guint run);
GArray *_lt_render_loss_data_series (LtRenderLossData *self, guint run, LtRenderSeries series);
char   *_lt_render_loss_data_to_csv (LtRenderLossData *self);

G_END_DECLS
