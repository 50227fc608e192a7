/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>
#include <libtensor-gtk.h>

#include "lt-train-data.h"
#include "lt-viewer-window.h"

G_BEGIN_DECLS

/* Where the window is, as its actions see it */
typedef enum {
  LT_VIEWER_STATE_IDLE,           /* no training under way: the settings can change */
  LT_VIEWER_STATE_LOADING,        /* reading (or downloading) the data */
  LT_VIEWER_STATE_RUNNING,
  LT_VIEWER_STATE_PAUSED,
  LT_VIEWER_STATE_STOPPING,       /* asked to stop: the mini-batch under way ends first */
} LtViewerState;

/* What to do once the data is loaded */
typedef enum {
  LT_VIEWER_AFTER_LOAD_START,
  LT_VIEWER_AFTER_LOAD_OPEN_CHECKPOINT,
} LtViewerAfterLoad;

typedef struct _LtViewerLoad LtViewerLoad;

struct _LtViewerWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack *view_stack;
  AdwFlap *flap;
  GtkInfoBar *error_bar;
  GtkLabel *error_label;
  GtkWidget *settings_page;
  AdwComboRow *dataset_row;
  AdwActionRow *folder_row;
  GtkProgressBar *download_bar;
  AdwActionRow *device_row;
  GtkToggleButton *cpu_button;
  GtkToggleButton *cuda_button;
  AdwComboRow *optimizer_row;
  GtkSpinButton *lr_spin;
  AdwActionRow *momentum_row;
  GtkSpinButton *momentum_spin;
  GtkSpinButton *weight_decay_spin;
  GtkSpinButton *batch_spin;
  GtkSpinButton *epochs_spin;
  GtkSpinButton *seed_spin;
  GtkSpinButton *workers_spin;
  GtkStack *pause_stack;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  AdwBin *images_bin;
  AdwBin *loss_bin;
  AdwBin *graph_bin;
  AdwBin *accuracy_bin;

  /* Borrowed: the views, children of the bins */
  LtGtkImageView *image_view;
  LtGtkLossView *loss_view;
  LtGtkGraphView *graph_view;
  LtGtkAccuracyView *accuracy_view;

  /* Owned */
  GSettings *settings;
  LtGtkRunRegistry *registry;     /* the runs the views show */
  LtTrainData data;               /* the dataset loaded last (data.train NULL: none) */
  char *data_key;                 /* which: "<dataset>\n<folder>" */
  LtViewerLoad *load;             /* the load under way, or NULL */
  GFile *pending_checkpoint;      /* to open once the data is loaded */
  LtTrainer *trainer;             /* the run's trainer, or NULL */
  char *trainer_config;           /* the settings it was built with */
  char *checkpoint_path;          /* where the trainer writes its checkpoint */
  char *last_error;               /* the message shown in the error bar */

  /* Borrowed */
  AdwToast *toast;                /* the last note shown (weak) */

  LtViewerState state;
  LtViewerAfterLoad after_load;
  gboolean show_settings;
  gboolean closing;               /* close once the training has stopped */
  gboolean cuda_available;
  guint run;                      /* the current run, from 1; 0 before the first */

  /* The status line, refreshed by a timeout while training (the signal
   * handlers only record) */
  guint status_source;
  guint epoch;                    /* from 1 */
  guint epochs;
  gint64 iteration;               /* within the epoch, from 1 */
  gint64 steps_per_epoch;
  gint64 batch_size;
  gint64 rate_time[16];           /* (monotonic µs, trainer's steps) samples for images/s */
  guint64 rate_steps[16];
  guint rate_head;
  guint rate_len;
};

/* lt-viewer-window.c */
void          _lt_viewer_window_show_error        (LtViewerWindow *self,
                                                   const char     *what,
                                                   const GError   *error);
void          _lt_viewer_window_show_toast        (LtViewerWindow *self,
                                                   const char     *message);
void          _lt_viewer_window_dismiss_toast     (LtViewerWindow *self);
const char   *_lt_viewer_window_get_error_message (LtViewerWindow *self);
void          _lt_viewer_window_set_state         (LtViewerWindow *self,
                                                   LtViewerState   state);
char         *_lt_viewer_window_dup_data_folder   (LtViewerWindow *self);

/* lt-viewer-window-actions.c */
void          _lt_viewer_window_class_actions_init (LtViewerWindowClass *klass);
void          _lt_viewer_window_actions_update     (LtViewerWindow      *self);

/* lt-viewer-window-training.c */
void          _lt_viewer_window_training_init      (LtViewerWindow *self);
void          _lt_viewer_window_training_dispose   (LtViewerWindow *self);
void          _lt_viewer_window_start              (LtViewerWindow *self);
void          _lt_viewer_window_pause              (LtViewerWindow *self);
void          _lt_viewer_window_resume             (LtViewerWindow *self);
void          _lt_viewer_window_stop               (LtViewerWindow *self);
gboolean      _lt_viewer_window_save_checkpoint    (LtViewerWindow *self,
                                                    GFile          *file,
                                                    GError        **error);
gboolean      _lt_viewer_window_save_checkpoint_to (LtViewerWindow *self,
                                                    GFile          *file);
void          _lt_viewer_window_open_checkpoint    (LtViewerWindow *self,
                                                    GFile          *file);
LtTrainer    *_lt_viewer_window_get_trainer        (LtViewerWindow *self);
const char   *_lt_viewer_window_get_checkpoint_path (LtViewerWindow *self);
const char   *_lt_viewer_window_get_status         (LtViewerWindow *self);

G_END_DECLS
