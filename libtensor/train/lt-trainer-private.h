/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the trainer's files share: the instance structure (lt-trainer.c
 * runs the loop, lt-trainer-accessors.c gets and sets, lt-trainer-checkpoint.c
 * saves and restores, lt-trainer-eval.c evaluates and predicts).
 */

#include "lt-trainer.h"
#include "autograd/lt-graph.h"

G_BEGIN_DECLS

/* LtTrainer:max-lag by default: mini-batches the worker may run ahead of
 * the step signals delivered on the main context */
#define LT_TRAINER_DEFAULT_MAX_LAG 256

/* Everything a checkpoint needs besides the model's and the optimizer's
 * tensors: where the loop is, the generator, the loaders. Taken by the
 * worker between mini-batches, where stopping is possible. */
typedef struct
{
  guint epoch;                /* epochs completed */
  gint64 iteration;           /* mini-batches done in the current epoch */
  guint64 step;               /* mini-batches done in all */
  double running_loss;        /* sum since the last log line */
  gint64 running_count;       /* mini-batches in that sum */
  double epoch_loss;          /* sum over the current epoch */
  guint64 rng_seed;
  guint64 rng_offset;
  guint64 train_epoch;        /* lt_data_loader_get_position() of the train loader */
  guint64 train_seed;
  guint64 train_offset;
  gint64 train_batch;
  guint64 test_epoch;         /* epochs the test loader started */
} LtTrainerSnapshot;

struct _LtTrainer
{
  GObject parent_instance;

  /* Owned */
  LtModule *model;
  LtLoss *loss;
  LtOptimizer *optimizer;
  LtDataLoader *train_loader;
  LtDataLoader *test_loader;          /* nullable */
  char *checkpoint_path;              /* nullable */
  GThread *thread;                    /* the worker while it runs */
  GMainContext *context;              /* where the signals go, from start */
  GCancellable *cancellable;          /* the caller's, nullable */
  gulong cancelled_id;
  GTask *task;                        /* lt_trainer_run_async(), nullable */
  GQueue events;                      /* Event *, under lock */
  GError *end_error;                  /* the failure, for run() and run_finish() */

  /* Settings (under lock while the worker runs) */
  guint epochs;
  LtDevice device;
  gint64 log_interval;
  gboolean checkpoint_every_epoch;
  guint64 max_steps;
  gboolean threaded;
  guint64 graph_interval;
  guint64 batch_interval;
  gboolean stop_on_divergence;
  guint64 max_lag;

  /* Control, under lock */
  GMutex lock;
  GCond cond;
  gboolean pause_requested;
  gboolean stop_requested;
  gboolean dispatch_pending;
  guint64 steps_undelivered;          /* step events queued or being emitted */
  gboolean inline_active;             /* the loop runs in lt_trainer_run() */
  gboolean caller_grad;               /* its caller's grad mode, for the handlers */

  /* Held by whoever uses the model: the worker for a mini-batch, the
   * public evaluate, predict and save for their whole run. */
  GMutex model_lock;

  /* Mini-batches done in the current run (the worker's own) */
  guint64 run_steps;

  /* The loop's position: written by the worker (under lock), read by
   * everyone; snapshot is the last point where stopping is possible. */
  LtTrainerSnapshot progress;
  LtTrainerSnapshot snapshot;
  gboolean has_snapshot;

  /* Main context side */
  LtTrainerState state;
  gboolean running;                   /* from start to the end event */
};

/* lt-trainer-checkpoint.c */

/* Takes the snapshot of the current position (the caller holds
 * model_lock or is the worker, and not lock). */
void          _lt_trainer_take_snapshot      (LtTrainer               *self,
                                              LtTrainerSnapshot       *snapshot);
gboolean      _lt_trainer_write_checkpoint   (LtTrainer               *self,
                                              const LtTrainerSnapshot *snapshot,
                                              const char              *path,
                                              GError                 **error);

/* Puts the generator and the loaders where @snapshot says. */
gboolean      _lt_trainer_apply_snapshot     (LtTrainer               *self,
                                              const LtTrainerSnapshot *snapshot,
                                              GError                 **error);

/* lt-trainer-step.c */

/* One mini-batch: what to capture, what it gave. */
typedef struct
{
  gboolean want_graph;        /* build the loss's graph with statistics */
  gboolean want_batch;        /* copy the batch and the predictions */
  double loss;
  LtGraph *graph;             /* owned, with want_graph */
  LtTensor *inputs;           /* owned copies, with want_batch */
  LtTensor *targets;
  LtTensor *predictions;      /* nullable: an output that is not (N, classes) */
} LtTrainerStep;

void          _lt_trainer_step_clear         (LtTrainerStep           *step);

/* zero_grad, forward, loss, backward (through lt_graph_backward() with
 * want_graph), optimizer step; the caller holds model_lock. */
gboolean      _lt_trainer_train_step         (LtTrainer               *self,
                                              LtTensor                *inputs,
                                              LtTensor                *targets,
                                              LtDevice                 device,
                                              LtTrainerStep           *step,
                                              GError                 **error);

/* lt-trainer-eval.c */

/* What an evaluation gives. */
typedef struct
{
  double accuracy;            /* NaN for no samples */
  double loss;                /* the criterion's mean per sample; NaN unless full */
  LtTensor *class_accuracy;   /* float64 (classes) */
  LtTensor *confusion;        /* int64 (classes, classes): rows targets, columns predictions */
  LtTensor *predictions;      /* int64 (N), in the loader's order; NULL unless full */
  LtTensor *targets;          /* int64 (N); NULL unless full */
} LtTrainerEvaluation;

void          _lt_trainer_evaluation_clear   (LtTrainerEvaluation     *evaluation);

/* Runs @loader's next epoch through the model in eval mode without
 * gradients; counts into a confusion matrix. @full: also the criterion's
 * loss and every prediction and target. @control: called between batches;
 * returns FALSE to abandon the evaluation (then @error is not set and the
 * function returns FALSE). On success @result holds references the caller
 * clears with _lt_trainer_evaluation_clear(). */
typedef gboolean (*LtTrainerControlFunc) (LtTrainer *self,
                                          gpointer   user_data);

gboolean      _lt_trainer_evaluate_loader    (LtTrainer               *self,
                                              LtDataLoader            *loader,
                                              gboolean                 lock_per_batch,
                                              LtTrainerControlFunc     control,
                                              gpointer                 control_data,
                                              GCancellable            *cancellable,
                                              gboolean                 full,
                                              LtTrainerEvaluation     *result,
                                              GError                 **error);

/* The predicted classes (argmax over dimension 1) of a model's output
 * (N, classes) as int64 (N) on the CPU; an error for another shape. */
LtTensor     *_lt_trainer_classify_output    (LtTensor                *out,
                                              gint64                  *n_classes,
                                              GError                 **error);

/* The device of the model's parameters (the CPU for a model without any). */
LtDevice      _lt_trainer_model_device       (LtTrainer               *self);

G_END_DECLS
