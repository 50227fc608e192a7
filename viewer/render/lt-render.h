/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lt-render: the viewer's renderers in pure Cairo (PangoCairo for text,
 * graphviz's library for the graph's layout; no GTK). A private static
 * library, linked into lt-train and libtensor-gtk-1, not installed and
 * not introspected. Every view draws from plain data into any cairo_t:
 *
 *   lt-render-common.h    colours (the run palette), the theme, text,
 *                         writing PNG/SVG/text files
 *   lt-render-scale.h     axes, ticks, smoothing, min/max decimation
 *   lt-render-grid.h      the image grid
 *   lt-render-loss.h      the loss plot
 *   lt-render-graph.h     the autograd graph
 *   lt-render-accuracy.h  per-class accuracy and the confusion matrix
 *
 * A worked example, the headless loss plot lt-train --plots writes:
 *
 *   g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
 *   guint run = lt_render_loss_data_add_run (data, "run 1");
 *   LtRenderLossView view;
 *   LtRenderTheme theme;
 *
 *   lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 2000, 2.2);
 *   lt_render_loss_view_init (&view);
 *   lt_render_theme_init (&theme, FALSE);
 *   if (!lt_render_loss_write (data, &view, &theme, "loss.svg", 800, 500, &error))
 *     ...
 *
 * Translatable text uses the gettext domain "libtensor"; the program
 * binds it.
 */

#include "lt-render-common.h"
#include "lt-render-scale.h"
#include "lt-render-grid.h"
#include "lt-render-loss.h"
#include "lt-render-graph.h"
#include "lt-render-accuracy.h"
