/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-gtk-canvas-private.h"

struct _LtGtkCanvas
{
  GtkWidget parent_instance;

  /* Borrowed: the view that owns the canvas */
  LtGtkCanvasDrawFunc draw;
  gpointer            user_data;

  int   natural_width;
  int   natural_height;
  guint n_draws;
};

G_DEFINE_FINAL_TYPE (LtGtkCanvas, _lt_gtk_canvas, GTK_TYPE_WIDGET)

static void
lt_gtk_canvas_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LtGtkCanvas     *self = LT_GTK_CANVAS (widget);
  int              width = gtk_widget_get_width (widget);
  int              height = gtk_widget_get_height (widget);
  int              scale = gtk_widget_get_scale_factor (widget);
  cairo_surface_t *image;
  cairo_t         *cr;

  if (width <= 0 || height <= 0 || self->draw == NULL)
    return;

  /* The renderer draws into an image of the widget's device pixels, as
   * it does headless (lt_render_to_image ()): drawn straight into the
   * node's recording surface, shapes crossing the edges would be
   * rasterised a little differently. */
  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_surface_set_device_scale (image, scale, scale);
  cr = cairo_create (image);
  self->draw (widget, cr, width, height, self->user_data);
  cairo_destroy (cr);

  /* One node for everything, background included (see the header). */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  self->n_draws++;
}

static void
lt_gtk_canvas_measure (GtkWidget     *widget,
                       GtkOrientation orientation,
                       int            for_size,
                       int           *minimum,
                       int           *natural,
                       int           *minimum_baseline,
                       int           *natural_baseline)
{
  LtGtkCanvas *self = LT_GTK_CANVAS (widget);

  *minimum = 32;
  *natural = MAX (32, orientation == GTK_ORIENTATION_HORIZONTAL ? self->natural_width
                                                                : self->natural_height);
}

static void
_lt_gtk_canvas_class_init (LtGtkCanvasClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = lt_gtk_canvas_snapshot;
  widget_class->measure = lt_gtk_canvas_measure;
  gtk_widget_class_set_css_name (widget_class, "ltcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
_lt_gtk_canvas_init (LtGtkCanvas *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
_lt_gtk_canvas_new (LtGtkCanvasDrawFunc draw, gpointer user_data)
{
  LtGtkCanvas *self = g_object_new (LT_GTK_TYPE_CANVAS, NULL);

  self->draw = draw;
  self->user_data = user_data;
  return GTK_WIDGET (self);
}

void
_lt_gtk_canvas_set_natural_size (LtGtkCanvas *self, int width, int height)
{
  if (self->natural_width == width && self->natural_height == height)
    return;
  self->natural_width = width;
  self->natural_height = height;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
_lt_gtk_canvas_get_n_draws (LtGtkCanvas *self)
{
  return self->n_draws;
}
