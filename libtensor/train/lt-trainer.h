/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "autograd/lt-graph.h"
#include "core/lt-tensor.h"
#include "data/lt-data-loader.h"
#include "nn/lt-loss.h"
#include "nn/lt-module.h"
#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

/**
 * LtTrainerState:
 * @LT_TRAINER_STATE_IDLE: not started yet
 * @LT_TRAINER_STATE_RUNNING: training or evaluating in its worker thread
 * @LT_TRAINER_STATE_PAUSED: waiting, between two mini-batches, for
 *   lt_trainer_resume()
 * @LT_TRAINER_STATE_FINISHED: every epoch is done
 * @LT_TRAINER_STATE_STOPPED: stopped by lt_trainer_stop(), the
 *   cancellable or #LtTrainer:max-steps, after a mini-batch (the checkpoint,
 *   when there is a path for it, is written)
 * @LT_TRAINER_STATE_FAILED: ended by an error (see #LtTrainer::failed)
 *
 * Where an #LtTrainer is, as seen from the main context its signals go to.
 */
typedef enum {
  LT_TRAINER_STATE_IDLE,
  LT_TRAINER_STATE_RUNNING,
  LT_TRAINER_STATE_PAUSED,
  LT_TRAINER_STATE_FINISHED,
  LT_TRAINER_STATE_STOPPED,
  LT_TRAINER_STATE_FAILED,
} LtTrainerState;

#define LT_TYPE_TRAINER_STATE (lt_trainer_state_get_type ())
LT_AVAILABLE_IN_ALL
GType lt_trainer_state_get_type (void) G_GNUC_CONST;

/**
 * LT_TRAINER_DEFAULT_LOG_INTERVAL:
 *
 * The default #LtTrainer:log-interval: every 2000 mini-batches, as the
 * tutorial prints.
 */
#define LT_TRAINER_DEFAULT_LOG_INTERVAL 2000

#define LT_TYPE_TRAINER (lt_trainer_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtTrainer, lt_trainer, LT, TRAINER, GObject)

LT_AVAILABLE_IN_ALL
LtTrainer      *lt_trainer_new                        (LtModule             *model,
                                                       LtLoss               *loss,
                                                       LtOptimizer          *optimizer,
                                                       LtDataLoader         *train_loader,
                                                       LtDataLoader         *test_loader,
                                                       guint                 epochs)
  G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtModule       *lt_trainer_get_model                  (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
LtLoss         *lt_trainer_get_loss                   (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
LtOptimizer    *lt_trainer_get_optimizer              (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
LtDataLoader   *lt_trainer_get_train_loader           (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
LtDataLoader   *lt_trainer_get_test_loader            (LtTrainer            *self);

LT_AVAILABLE_IN_ALL
guint           lt_trainer_get_epochs                 (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_epochs                 (LtTrainer            *self,
                                                       guint                 epochs);
LT_AVAILABLE_IN_ALL
LtDevice        lt_trainer_get_device                 (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_device                 (LtTrainer            *self,
                                                       LtDevice              device);
LT_AVAILABLE_IN_ALL
int             lt_trainer_get_device_index           (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_set_device_index           (LtTrainer            *self,
                                                       LtDevice              device,
                                                       int                   index,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
gint64          lt_trainer_get_log_interval           (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_log_interval           (LtTrainer            *self,
                                                       gint64                interval);
LT_AVAILABLE_IN_ALL
const char     *lt_trainer_get_checkpoint_path        (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_checkpoint_path        (LtTrainer            *self,
                                                       const char           *path);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_get_checkpoint_every_epoch (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_checkpoint_every_epoch (LtTrainer            *self,
                                                       gboolean              every_epoch);
LT_AVAILABLE_IN_ALL
guint64         lt_trainer_get_max_steps              (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_max_steps              (LtTrainer            *self,
                                                       guint64               max_steps);
LT_AVAILABLE_IN_ALL
guint64         lt_trainer_get_graph_interval         (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_graph_interval         (LtTrainer            *self,
                                                       guint64               interval);
LT_AVAILABLE_IN_ALL
guint64         lt_trainer_get_batch_interval         (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_batch_interval         (LtTrainer            *self,
                                                       guint64               interval);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_get_threaded               (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_threaded               (LtTrainer            *self,
                                                       gboolean              threaded);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_get_stop_on_divergence     (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_stop_on_divergence     (LtTrainer            *self,
                                                       gboolean              stop);
LT_AVAILABLE_IN_ALL
guint64         lt_trainer_get_max_lag                (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_set_max_lag                (LtTrainer            *self,
                                                       guint64               lag);

LT_AVAILABLE_IN_ALL
LtTrainerState  lt_trainer_get_state                  (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
guint           lt_trainer_get_epoch                  (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
gint64          lt_trainer_get_iteration              (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
guint64         lt_trainer_get_step                   (LtTrainer            *self);

LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_start                      (LtTrainer            *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
void            lt_trainer_run_async                  (LtTrainer            *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_run_finish                 (LtTrainer            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_run                        (LtTrainer            *self,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
void            lt_trainer_pause                      (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_resume                     (LtTrainer            *self);
LT_AVAILABLE_IN_ALL
void            lt_trainer_stop                       (LtTrainer            *self);

LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_save_checkpoint            (LtTrainer            *self,
                                                       const char           *path,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_resume_from                (LtTrainer            *self,
                                                       const char           *path,
                                                       GError              **error);

LT_AVAILABLE_IN_ALL
gboolean        lt_trainer_evaluate                   (LtTrainer            *self,
                                                       LtDataLoader         *loader,
                                                       double               *accuracy,
                                                       LtTensor            **class_accuracy,
                                                       LtTensor            **confusion,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
LT_AVAILABLE_IN_ALL
LtTensor       *lt_trainer_predict                    (LtTrainer            *self,
                                                       LtTensor             *inputs,
                                                       GError              **error);

G_END_DECLS
