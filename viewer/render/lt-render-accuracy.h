/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

#include "lt-render-common.h"

G_BEGIN_DECLS

/*
 * Accuracy after an epoch: one bar per class (its accuracy, the correct
 * share of its test images) and the confusion matrix (rows: true classes,
 * columns: predicted classes; each cell's count, coloured by its share of
 * the row), class names on both axes of the matrix and under the bars.
 */

typedef struct _LtRenderAccuracy LtRenderAccuracy;

/* lt_render_accuracy_new: prepares a confusion matrix (K, K) of integer
 * counts (any integer dtype; rows the true classes) for drawing (any
 * thread). @classes: (nullable) NULL-terminated names (a class without a
 * name is drawn as its number). Errors (LT_ERROR): a tensor that is not
 * square, not of integers, or holds a negative count.
 * lt_render_accuracy_new_from_predictions: the matrix of int64 (N,)
 * @predictions against @targets over @n_classes classes; errors for
 * lengths that differ or a class outside [0, @n_classes). */
LtRenderAccuracy *lt_render_accuracy_new                  (LtTensor             *confusion,
                                                           const char *const    *classes,
                                                           const LtRenderTheme  *theme,
                                                           GError              **error);
LtRenderAccuracy *lt_render_accuracy_new_from_predictions (LtTensor             *predictions,
                                                           LtTensor             *targets,
                                                           guint                 n_classes,
                                                           const char *const    *classes,
                                                           const LtRenderTheme  *theme,
                                                           GError              **error);
LtRenderAccuracy *lt_render_accuracy_ref                  (LtRenderAccuracy     *self);
void              lt_render_accuracy_unref                (LtRenderAccuracy     *self);

/* The numbers: the class count, a cell's count, a class's accuracy (NAN
 * for a class with no test images), the overall accuracy (NAN for none),
 * a class's name (transfer full). */
guint   lt_render_accuracy_get_n_classes      (LtRenderAccuracy *self);
gint64  lt_render_accuracy_get_count          (LtRenderAccuracy *self,
                                               guint             true_class,
                                               guint             predicted_class);
double  lt_render_accuracy_get_class_accuracy (LtRenderAccuracy *self,
                                               guint             klass);
double  lt_render_accuracy_get_accuracy       (LtRenderAccuracy *self);
char   *lt_render_accuracy_dup_class_name     (LtRenderAccuracy *self,
                                               guint             klass);

/**
 * LtRenderAccuracyParts:
 * @LT_RENDER_ACCURACY_BARS: the per-class bars
 * @LT_RENDER_ACCURACY_MATRIX: the confusion matrix
 * @LT_RENDER_ACCURACY_BOTH: both, the bars above the matrix
 *
 * What an accuracy view shows.
 */
typedef enum
{
  LT_RENDER_ACCURACY_BARS = 1 << 0,
  LT_RENDER_ACCURACY_MATRIX = 1 << 1,
  LT_RENDER_ACCURACY_BOTH = LT_RENDER_ACCURACY_BARS | LT_RENDER_ACCURACY_MATRIX,
} LtRenderAccuracyParts;

/**
 * LtRenderAccuracyView:
 * @parts: what to show (default both)
 * @selected_row: the true class of the selected cell, or -1 (default)
 * @selected_col: the predicted class of the selected cell, or -1
 *
 * The caller's view state of an accuracy view.
 */
typedef struct
{
  LtRenderAccuracyParts parts;
  gint                  selected_row;
  gint                  selected_col;
} LtRenderAccuracyView;

/**
 * LtRenderAccuracyHitKind:
 * @LT_RENDER_ACCURACY_HIT_NONE: nothing there
 * @LT_RENDER_ACCURACY_HIT_BAR: a class's bar (@row is the class)
 * @LT_RENDER_ACCURACY_HIT_CELL: a cell of the matrix (@row, @col)
 *
 * What lies under a point of the accuracy view.
 */
typedef enum
{
  LT_RENDER_ACCURACY_HIT_NONE,
  LT_RENDER_ACCURACY_HIT_BAR,
  LT_RENDER_ACCURACY_HIT_CELL,
} LtRenderAccuracyHitKind;

/**
 * LtRenderAccuracyHit:
 * @kind: what was hit
 * @row: the true class (the class of a bar)
 * @col: the predicted class (cells only)
 *
 * The result of lt_render_accuracy_hit_test().
 */
typedef struct
{
  LtRenderAccuracyHitKind kind;
  guint                   row;
  guint                   col;
} LtRenderAccuracyHit;

/* Layout and drawing, in an area of @width x @height: the parts scale to
 * fill it (cells stay square); the natural size is a comfortable one
 * for the class count. lt_render_accuracy_get_cell_rect: where cell
 * (@row, @col) is drawn (FALSE without a matrix or out of range). */
void     lt_render_accuracy_view_init        (LtRenderAccuracyView       *view);
void     lt_render_accuracy_get_natural_size (LtRenderAccuracy           *self,
                                              const LtRenderAccuracyView *view,
                                              int                        *width,
                                              int                        *height);
gboolean lt_render_accuracy_get_cell_rect    (LtRenderAccuracy           *self,
                                              const LtRenderAccuracyView *view,
                                              int                         width,
                                              int                         height,
                                              guint                       row,
                                              guint                       col,
                                              LtRenderRect               *rect);
gboolean lt_render_accuracy_hit_test         (LtRenderAccuracy           *self,
                                              const LtRenderAccuracyView *view,
                                              int                         width,
                                              int                         height,
                                              double                      x,
                                              double                      y,
                                              LtRenderAccuracyHit        *hit);
void     lt_render_accuracy_draw             (LtRenderAccuracy           *self,
                                              const LtRenderAccuracyView *view,
                                              cairo_t                    *cr,
                                              int                         width,
                                              int                         height);

/* Writes the view at its natural size as PNG or SVG (by @path's
 * extension); errors as lt_render_write(). */
gboolean lt_render_accuracy_write (LtRenderAccuracy            *self,
                                   const LtRenderAccuracyView  *view,
                                   const char                  *path,
                                   GError                     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderAccuracy, lt_render_accuracy_unref)

G_END_DECLS
