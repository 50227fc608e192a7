/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libtensor-gtk: the viewer's views as GTK 4 widgets, for any program or
 * GObject-Introspection language (namespace LtGtk, version 1.0) that
 * trains with an LtTrainer.
 *
 * - LtGtkLossView: the live loss and accuracy curves of every run;
 * - LtGtkImageView: a batch of images with their classes, and the
 *   predictions after an epoch;
 * - LtGtkGraphView: the autograd graph of the loss, grouped by module;
 * - LtGtkAccuracyView: per-class accuracy and the confusion matrix, with
 *   the test images of a selected cell;
 * - LtGtkTrainerWindow: all four over one trainer, in one call
 *   (lt_gtk_show_trainer ()).
 *
 * Each view follows a trainer bound to it and draws through the same
 * Cairo renderers `lt-train --plots` uses. Runs (and their colours) are
 * shared by the views through an LtGtkRunRegistry.
 *
 * A window with the loss plot of a trainer, in C:
 *
 *   GtkWidget *window = gtk_window_new ();
 *   GtkWidget *view = lt_gtk_loss_view_new ();
 *
 *   lt_gtk_loss_view_bind_trainer (LT_GTK_LOSS_VIEW (view), trainer);
 *   gtk_window_set_child (GTK_WINDOW (window), view);
 *   gtk_window_present (GTK_WINDOW (window));
 *   lt_trainer_start (trainer, NULL, &error);   // trains in a worker thread
 *
 * or every view over it: lt_gtk_show_trainer (trainer).
 *
 * Include only this header; link with `pkg-config --libs libtensor-gtk-1`.
 */

#define LT_GTK_INSIDE

#include "lt-gtk-macros.h"
#include "lt-gtk-types.h"
#include "lt-gtk-enum-types.h"
#include "lt-gtk-run-registry.h"
#include "lt-gtk-loss-view.h"
#include "lt-gtk-image-view.h"
#include "lt-gtk-graph-view.h"
#include "lt-gtk-accuracy-view.h"
#include "lt-gtk-trainer-window.h"

#undef LT_GTK_INSIDE
