/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "lt-render.h"

G_BEGIN_DECLS

typedef struct _LtTrainReport LtTrainReport;

LtTrainReport *lt_train_report_new         (gboolean        progress_bar,
                                            gint64          batch_size,
                                            gint64          batches_per_epoch,
                                            guint           epochs);
void           lt_train_report_free        (LtTrainReport  *self);
void           lt_train_report_start       (LtTrainReport  *self,
                                            guint           epoch,
                                            gint64          iteration);
void           lt_train_report_step        (LtTrainReport  *self,
                                            guint           epoch,
                                            gint64          iteration,
                                            double          loss);
void           lt_train_report_log         (LtTrainReport  *self,
                                            guint           epoch,
                                            gint64          iteration,
                                            double          running_loss);
void           lt_train_report_epoch       (LtTrainReport  *self,
                                            guint           epoch,
                                            double          train_loss,
                                            double          accuracy);
void           lt_train_report_evaluated   (LtTrainReport  *self,
                                            guint           epoch,
                                            double          test_loss,
                                            double          accuracy);
void           lt_train_report_clear_bar   (LtTrainReport  *self);
LtRenderLossData *lt_train_report_loss_data (LtTrainReport *self,
                                            double         *smoothing);
gboolean       lt_train_report_write_csv   (LtTrainReport  *self,
                                            const char     *path,
                                            GError        **error);
gboolean       lt_train_report_write_plot  (LtTrainReport  *self,
                                            const char     *path,
                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtTrainReport, lt_train_report_free)

G_END_DECLS
