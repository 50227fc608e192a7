/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LtGtkImageView's bar of controls (the split, the batch buttons and
 * label, the Live toggle, the zoom and export), the zoom steps its keys
 * and its menu walk through, and how the controls follow the view.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lt-gtk-image-view-private.h"
#include "lt-gtk-private.h"

static const LtGtkImageZoom zooms[] = { LT_GTK_IMAGE_ZOOM_FIT, LT_GTK_IMAGE_ZOOM_1X,
                                        LT_GTK_IMAGE_ZOOM_2X, LT_GTK_IMAGE_ZOOM_4X };

guint
_lt_gtk_image_zoom_position (LtGtkImageZoom zoom)
{
  for (guint i = 0; i < G_N_ELEMENTS (zooms); i++)
    if (zooms[i] == zoom)
      return i;
  return 0;
}

void
_lt_gtk_image_view_zoom_in_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (widget);
  guint           at = _lt_gtk_image_zoom_position ((LtGtkImageZoom) self->view.zoom);

  if (at + 1 < G_N_ELEMENTS (zooms))
    lt_gtk_image_view_set_zoom (self, zooms[at + 1]);
}

void
_lt_gtk_image_view_zoom_out_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (widget);
  guint           at = _lt_gtk_image_zoom_position ((LtGtkImageZoom) self->view.zoom);

  if (at > 0)
    lt_gtk_image_view_set_zoom (self, zooms[at - 1]);
}

/* Controls */

void
_lt_gtk_image_view_update_controls (LtGtkImageView *self)
{
  guint            n = lt_gtk_image_view_get_n_batches (self);
  g_autofree char *text = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.previous-batch",
                                 self->trainer && self->batch_index > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.next-batch",
                                 self->trainer && self->batch_index + 1 < n);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.zoom-in",
                                 self->view.zoom != LT_RENDER_GRID_ZOOM_4X);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.zoom-out",
                                 self->view.zoom != LT_RENDER_GRID_ZOOM_FIT);
  if (self->follow && self->follow_epoch > 0)
    {
      g_autofree char *iteration = g_strdup_printf ("%" G_GINT64_FORMAT, self->follow_iteration);
      /* TRANSLATORS: the training batch the view shows while it follows
       * the training: its epoch and its number in the epoch */
      text = g_strdup_printf (_ ("Epoch %u, batch %s"), self->follow_epoch, iteration);
    }
  else if (n > 0)
    /* TRANSLATORS: which batch of images the view shows */
    text = g_strdup_printf (_ ("Batch %u of %u"), self->batch_index + 1, n);
  gtk_label_set_text (GTK_LABEL (self->batch_label), text ? text : "");
  gtk_widget_set_sensitive (self->split_dropdown, self->trainer != NULL);
}

static void
on_split_selected (GtkDropDown *dropdown, GParamSpec *pspec, LtGtkImageView *self)
{
  lt_gtk_image_view_set_split (
    self, gtk_drop_down_get_selected (dropdown) == 1 ? LT_GTK_SPLIT_TEST : LT_GTK_SPLIT_TRAIN);
}

static void
on_zoom_selected (GtkDropDown *dropdown, GParamSpec *pspec, LtGtkImageView *self)
{
  guint at = gtk_drop_down_get_selected (dropdown);

  if (at < G_N_ELEMENTS (zooms))
    lt_gtk_image_view_set_zoom (self, zooms[at]);
}

static GtkWidget *
dropdown_new (const char *const *items, const char *tooltip)
{
  GtkWidget *dropdown = gtk_drop_down_new_from_strings (items);

  gtk_widget_set_tooltip_text (dropdown, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  return dropdown;
}

GtkWidget *
_lt_gtk_image_view_controls_new (LtGtkImageView *self)
{
  GtkWidget  *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *splits[] = { _ ("Training Set"), _ ("Test Set"), NULL };
  /* TRANSLATORS: zoom levels of the image grid */
  const char *zoom_names[] = { _ ("Fit"), _ ("1×"), _ ("2×"), _ ("4×"), NULL };

  gtk_widget_add_css_class (box, "toolbar");

  self->split_dropdown = dropdown_new (splits, _ ("The images to show"));
  g_signal_connect (self->split_dropdown, "notify::selected", G_CALLBACK (on_split_selected), self);
  gtk_box_append (GTK_BOX (box), self->split_dropdown);

  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("go-previous-symbolic", "images.previous-batch",
                                           _ ("Previous Batch")));
  self->batch_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (self->batch_label), 16);
  gtk_box_append (GTK_BOX (box), self->batch_label);
  gtk_box_append (GTK_BOX (box), _lt_gtk_icon_button_new ("go-next-symbolic", "images.next-batch",
                                                          _ ("Next Batch")));

  {
    GtkWidget *live = gtk_toggle_button_new_with_mnemonic (_ ("_Live"));

    gtk_actionable_set_action_name (GTK_ACTIONABLE (live), "images.follow-training");
    gtk_widget_set_tooltip_text (live, _ ("Show the batches the network trains on, as it "
                                          "trains, with its predictions (L)"));
    gtk_box_append (GTK_BOX (box), live);
  }

  self->zoom_dropdown = dropdown_new (zoom_names, _ ("Zoom"));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->zoom_dropdown),
                              _lt_gtk_image_zoom_position ((LtGtkImageZoom) self->view.zoom));
  g_signal_connect (self->zoom_dropdown, "notify::selected", G_CALLBACK (on_zoom_selected), self);
  gtk_box_append (GTK_BOX (box), self->zoom_dropdown);

  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("document-save-as-symbolic", "images.export",
                                           _ ("Export as PNG or SVG")));
  return box;
}
