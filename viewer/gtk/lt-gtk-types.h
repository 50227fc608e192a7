/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <glib-object.h>

#include "lt-gtk-macros.h"

G_BEGIN_DECLS

/**
 * LtGtkSeries:
 * @LT_GTK_SERIES_TRAIN_LOSS: the training loss, one point per logging
 *   interval (#LtTrainer::log), against the step
 * @LT_GTK_SERIES_TEST_LOSS: the test loss, one point per epoch, at the step
 *   the epoch ended
 * @LT_GTK_SERIES_TEST_ACCURACY: the test accuracy, a fraction from 0 to 1,
 *   one point per epoch, at the step the epoch ended
 *
 * The series of points a run records.
 */
typedef enum
{
  LT_GTK_SERIES_TRAIN_LOSS,
  LT_GTK_SERIES_TEST_LOSS,
  LT_GTK_SERIES_TEST_ACCURACY,
} LtGtkSeries;

/**
 * LtGtkImageZoom:
 * @LT_GTK_IMAGE_ZOOM_FIT: the largest scale at which the grid fits the view
 * @LT_GTK_IMAGE_ZOOM_1X: one screen pixel per image pixel
 * @LT_GTK_IMAGE_ZOOM_2X: two screen pixels per image pixel
 * @LT_GTK_IMAGE_ZOOM_4X: four screen pixels per image pixel
 *
 * The scale at which an #LtGtkImageView draws its images (always with
 * nearest-neighbour filtering, so small images stay sharp).
 */
typedef enum
{
  LT_GTK_IMAGE_ZOOM_FIT = 0,
  LT_GTK_IMAGE_ZOOM_1X = 1,
  LT_GTK_IMAGE_ZOOM_2X = 2,
  LT_GTK_IMAGE_ZOOM_4X = 4,
} LtGtkImageZoom;

/**
 * LtGtkSplit:
 * @LT_GTK_SPLIT_TRAIN: the training set
 * @LT_GTK_SPLIT_TEST: the test set
 *
 * Which part of a trainer's data an #LtGtkImageView shows.
 */
typedef enum
{
  LT_GTK_SPLIT_TRAIN,
  LT_GTK_SPLIT_TEST,
} LtGtkSplit;

/**
 * LtGtkAccuracyParts:
 * @LT_GTK_ACCURACY_BARS: the per-class accuracy bars
 * @LT_GTK_ACCURACY_MATRIX: the confusion matrix
 * @LT_GTK_ACCURACY_BOTH: both, the bars above the matrix
 *
 * What an #LtGtkAccuracyView shows.
 */
typedef enum
{
  LT_GTK_ACCURACY_BARS = 1,
  LT_GTK_ACCURACY_MATRIX = 2,
  LT_GTK_ACCURACY_BOTH = 3,
} LtGtkAccuracyParts;

G_END_DECLS
