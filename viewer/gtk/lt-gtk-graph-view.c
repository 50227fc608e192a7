/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lt-gtk-canvas-private.h"
#include "lt-gtk-graph-view-private.h"
#include "lt-gtk-private.h"

/**
 * LtGtkGraphView:
 *
 * The autograd graph of a loss, from an #LtGraph: operations named by op
 * (`ConvolutionBackward0`, `ReluBackward0`, ...), top to bottom with the
 * loss at the bottom; parameters coloured apart with their names, shapes
 * and element counts; the shapes of the tensors on the edges; nodes
 * grouped in boxes by the module that made them.
 *
 * A click on a group's header folds the group into one box, a click on a
 * folded box unfolds it. A click on a node selects it and shows its
 * shapes and, when the graph went through lt_graph_backward(), the
 * statistics of its gradient (mean, std, min, max, norm) beside the
 * graph. Scrolling zooms around the pointer and dragging pans.
 *
 * From the keyboard: `n` and `p` (or Page Down and Page Up) select the
 * next and previous node, Enter folds the selected node's module (or
 * unfolds the folded box it is in), Escape clears the selection, the
 * arrows pan, `+`, `-` and `0` zoom, `f` folds every module and `u`
 * unfolds them, Ctrl+E exports.
 *
 * Bound to a trainer (lt_gtk_graph_view_bind_trainer()), the view shows
 * the graph of the trainer's #LtTrainer::graph signal. The layout is
 * computed by graphviz in a worker thread, never on the UI thread, and is
 * cached per graph structure and fold state (the graphs of a run share
 * one), so a large graph does not freeze the window.
 *
 * ## Actions
 *
 * `graph.zoom-in`, `graph.zoom-out`, `graph.zoom-fit`, `graph.fold-all`,
 * `graph.unfold-all` and `graph.export` (asks for a DOT, SVG or PNG file).
 */

struct _LtGtkGraphView
{
  GtkWidget parent_instance;

  /* Owned */
  LtTrainer           *trainer;
  LtGraph             *graph;        /* the graph asked for */
  LtRenderGraph       *render_graph; /* its description, once made */
  LtRenderGraphLayout *layout;       /* the layout drawn */
  GPtrArray           *folded;       /* of char *, NULL-terminated */
  GCancellable        *cancellable;

  /* Borrowed: children */
  GtkWidget *controls;
  GtkWidget *canvas;
  GtkWidget *details;
  GtkWidget *details_label;

  LtRenderGraphView view;
  gboolean          need_fit;
  gboolean          moved; /* zoomed or panned by the user since the last fit */
  double            pointer_x;
  double            pointer_y;
  double            drag_x;
  double            drag_y;
  gboolean          layout_dark;

  guint64  request_serial;
  guint64  layout_serial;
  gboolean laying_out;
};

enum
{
  PROP_0,
  PROP_TRAINER,
  PROP_GRAPH,
  PROP_N_NODES,
  PROP_SELECTED,
  PROP_SHOW_CONTROLS,
  PROP_LAYING_OUT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LtGtkGraphView, lt_gtk_graph_view, GTK_TYPE_WIDGET)

static void request_layout (LtGtkGraphView *self);
static void update_details (LtGtkGraphView *self);

/* Layout, in a worker */

typedef struct
{
  LtGraph       *graph;        /* to describe, or NULL */
  LtRenderGraph *render_graph; /* described already */
  char         **folded;
  LtRenderTheme  theme;
  guint64        serial;

  LtRenderGraphLayout *layout; /* the result */
} LayoutJob;

static void
layout_job_free (LayoutJob *job)
{
  g_clear_object (&job->graph);
  g_clear_pointer (&job->render_graph, lt_render_graph_unref);
  g_strfreev (job->folded);
  g_clear_pointer (&job->layout, lt_render_graph_layout_unref);
  g_free (job);
}

static void
layout_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  LayoutJob *job = task_data;
  GError    *error = NULL;

  if (job->render_graph == NULL)
    job->render_graph = lt_render_graph_new_from_graph (job->graph);
  job->layout = lt_render_graph_layout_new (job->render_graph, (const char *const *) job->folded,
                                            &job->theme, &error);
  if (job->layout == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_laying_out (LtGtkGraphView *self, gboolean laying_out)
{
  if (self->laying_out == laying_out)
    return;
  self->laying_out = laying_out;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAYING_OUT]);
}

static void start_layout (LtGtkGraphView *self);

static void
layout_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LtGtkGraphView *self = LT_GTK_GRAPH_VIEW (source);
  LayoutJob      *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean same_size = FALSE;
  guint    n_before = lt_gtk_graph_view_get_n_nodes (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* keep the description: the next layout of this graph reuses it */
  if (job->graph == self->graph && self->render_graph == NULL)
    self->render_graph = lt_render_graph_ref (job->render_graph);

  if (job->serial != self->request_serial)
    {
      start_layout (self);
      return;
    }
  set_laying_out (self, FALSE);
  self->layout_serial = job->serial;
  if (error)
    {
      _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
      return;
    }

  if (self->layout)
    {
      double w0, h0, w1, h1;

      lt_render_graph_layout_get_size (self->layout, &w0, &h0);
      lt_render_graph_layout_get_size (job->layout, &w1, &h1);
      same_size = w0 == w1 && h0 == h1;
    }
  g_clear_pointer (&self->layout, lt_render_graph_layout_unref);
  self->layout = g_steal_pointer (&job->layout);
  self->layout_dark = job->theme.dark;
  /* a new structure is shown whole, unless the user moved the view */
  if (!same_size && !self->moved)
    self->need_fit = TRUE;
  if (self->view.selected >= 0 &&
      (guint) self->view.selected >= lt_render_graph_get_n_nodes (job->render_graph))
    {
      self->view.selected = -1;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SELECTED]);
    }
  update_details (self);
  gtk_widget_queue_draw (self->canvas);
  if (n_before != lt_gtk_graph_view_get_n_nodes (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_NODES]);
}

static void
start_layout (LtGtkGraphView *self)
{
  g_autoptr (GTask) task = NULL;
  LayoutJob *job;

  if (self->graph == NULL)
    {
      set_laying_out (self, FALSE);
      return;
    }
  job = g_new0 (LayoutJob, 1);
  job->graph = g_object_ref (self->graph);
  if (self->render_graph)
    job->render_graph = lt_render_graph_ref (self->render_graph);
  g_ptr_array_add (self->folded, NULL);
  job->folded = g_strdupv ((char **) self->folded->pdata);
  g_ptr_array_set_size (self->folded, self->folded->len - 1);
  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &job->theme);
  job->serial = self->request_serial;

  set_laying_out (self, TRUE);
  task = g_task_new (self, self->cancellable, layout_done, NULL);
  g_task_set_source_tag (task, start_layout);
  g_task_set_task_data (task, job, (GDestroyNotify) layout_job_free);
  g_task_run_in_thread (task, layout_thread);
}

static void
request_layout (LtGtkGraphView *self)
{
  self->request_serial++;
  if (!self->laying_out)
    start_layout (self);
}

/* Drawing */

static void
draw_canvas (GtkWidget *canvas, cairo_t *cr, int width, int height, gpointer user_data)
{
  LtGtkGraphView *self = user_data;
  LtRenderTheme   theme;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  if (self->layout && self->layout_dark != theme.dark && !self->laying_out)
    request_layout (self);
  if (self->layout == NULL)
    {
      lt_render_set_color (cr, &theme.background);
      cairo_paint (cr);
      lt_render_text (cr, &theme, 0, FALSE, &theme.muted, width / 2.0,
                      height / 2.0 - theme.font_size, 0.5,
                      self->laying_out ? _ ("Laying out the graph…") : _ ("No graph yet"));
      return;
    }
  if (self->need_fit)
    {
      lt_render_graph_view_fit (&self->view, self->layout, width, height);
      self->need_fit = FALSE;
    }
  lt_render_graph_draw (self->layout, &self->view, cr, width, height);
}

static void
update_details (LtGtkGraphView *self)
{
  g_autofree char *text = NULL;

  if (self->view.selected >= 0)
    text = lt_gtk_graph_view_dup_node_description (self, (guint) self->view.selected);
  /* the pane keeps its place, so that selecting does not move the graph */
  gtk_label_set_text (GTK_LABEL (self->details_label),
                      text ? text
                           : _ ("Select a node to see its shapes and the statistics of its "
                                "gradient."));
  if (text)
    gtk_widget_remove_css_class (self->details_label, "dim-label");
  else
    gtk_widget_add_css_class (self->details_label, "dim-label");
}

/* Gestures */

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LtGtkGraphView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, LtGtkGraphView *self)
{
  if (self->layout == NULL || dy == 0)
    return FALSE;
  lt_render_graph_view_zoom (&self->view, pow (1.2, -dy), self->pointer_x, self->pointer_y);
  self->moved = TRUE;
  gtk_widget_queue_draw (self->canvas);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LtGtkGraphView *self)
{
  self->drag_x = 0;
  self->drag_y = 0;
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, LtGtkGraphView *self)
{
  if (self->layout == NULL)
    return;
  lt_render_graph_view_pan (&self->view, offset_x - self->drag_x, offset_y - self->drag_y);
  self->drag_x = offset_x;
  self->drag_y = offset_y;
  self->moved = TRUE;
  gtk_widget_queue_draw (self->canvas);
}

/* What a click at (@x, @y) does: select a node, fold or unfold a group. */
static void
click_at (LtGtkGraphView *self, double x, double y)
{
  LtRenderGraphHit hit;

  if (self->layout == NULL)
    return;
  if (!lt_render_graph_hit_test (self->layout, &self->view, x, y, &hit))
    {
      lt_gtk_graph_view_set_selected (self, -1);
      return;
    }
  switch (hit.kind)
    {
      case LT_RENDER_GRAPH_HIT_NODE:
        lt_gtk_graph_view_set_selected (self, (gint) hit.node);
        break;
      case LT_RENDER_GRAPH_HIT_GROUP_HEADER:
        lt_gtk_graph_view_set_module_folded (self, hit.module, TRUE);
        break;
      case LT_RENDER_GRAPH_HIT_FOLDED_GROUP:
        lt_gtk_graph_view_set_module_folded (self, hit.module, FALSE);
        break;
      case LT_RENDER_GRAPH_HIT_NONE:
      default:
        lt_gtk_graph_view_set_selected (self, -1);
        break;
    }
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, LtGtkGraphView *self)
{
  gtk_widget_grab_focus (self->canvas);
  click_at (self, x, y);
}

static gboolean
on_query_tooltip (GtkWidget      *canvas,
                  int             x,
                  int             y,
                  gboolean        keyboard,
                  GtkTooltip     *tooltip,
                  LtGtkGraphView *self)
{
  LtRenderGraphHit hit;
  g_autofree char *text = NULL;

  if (self->layout == NULL || keyboard ||
      !lt_render_graph_hit_test (self->layout, &self->view, x, y, &hit))
    return FALSE;
  switch (hit.kind)
    {
      case LT_RENDER_GRAPH_HIT_NODE:
        text =
          lt_render_graph_describe_node (lt_render_graph_layout_get_graph (self->layout), hit.node);
        break;
      case LT_RENDER_GRAPH_HIT_GROUP_HEADER:
        /* TRANSLATORS: a tooltip over a module's group in the graph */
        text = g_strdup_printf (_ ("%s: click to fold"), hit.module);
        break;
      case LT_RENDER_GRAPH_HIT_FOLDED_GROUP:
        /* TRANSLATORS: a tooltip over a folded module in the graph */
        text = g_strdup_printf (_ ("%s: click to unfold"), hit.module);
        break;
      case LT_RENDER_GRAPH_HIT_NONE:
      default:
        return FALSE;
    }
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                LtGtkGraphView        *self)
{
  double dx = 0, dy = 0;

  switch (keyval)
    {
      case GDK_KEY_Left:
        dx = 40;
        break;
      case GDK_KEY_Right:
        dx = -40;
        break;
      case GDK_KEY_Up:
        dy = 40;
        break;
      case GDK_KEY_Down:
        dy = -40;
        break;
      case GDK_KEY_Escape:
        lt_gtk_graph_view_set_selected (self, -1);
        return TRUE;
      case GDK_KEY_n:
      case GDK_KEY_Page_Down:
      case GDK_KEY_p:
      case GDK_KEY_Page_Up:
        {
          guint n = lt_gtk_graph_view_get_n_nodes (self);
          gint  step = keyval == GDK_KEY_n || keyval == GDK_KEY_Page_Down ? 1 : -1;

          if (n > 0)
            lt_gtk_graph_view_set_selected (
              self, self->view.selected < 0 ? (step > 0 ? 0 : (gint) n - 1)
                                            : (gint) ((self->view.selected + step + n) % n));
          return TRUE;
        }
      case GDK_KEY_Return:
      case GDK_KEY_KP_Enter:
      case GDK_KEY_space:
        /* folds the selected node's module, or unfolds the box it is in */
        if (self->layout && self->view.selected >= 0)
          {
            const char *group =
              lt_render_graph_layout_get_group_of (self->layout, (guint) self->view.selected);
            const LtRenderGraphNode *node = lt_render_graph_get_node (
              lt_render_graph_layout_get_graph (self->layout), (guint) self->view.selected);

            if (group)
              lt_gtk_graph_view_set_module_folded (self, group, FALSE);
            else if (node && node->module)
              lt_gtk_graph_view_set_module_folded (self, node->module, TRUE);
          }
        return TRUE;
      default:
        return FALSE;
    }
  lt_render_graph_view_pan (&self->view, dx, dy);
  self->moved = TRUE;
  gtk_widget_queue_draw (self->canvas);
  return TRUE;
}

/* The trainer */

static void
on_trainer_graph (LtTrainer *trainer, LtGraph *graph, LtGtkGraphView *self)
{
  lt_gtk_graph_view_set_graph (self, graph);
}

/* Actions */

static void
zoom_in_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_graph_view_zoom (LT_GTK_GRAPH_VIEW (widget), 1.25);
}

static void
zoom_out_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_graph_view_zoom (LT_GTK_GRAPH_VIEW (widget), 0.8);
}

static void
zoom_fit_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_graph_view_zoom_to_fit (LT_GTK_GRAPH_VIEW (widget));
}

static void
fold_all_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_graph_view_fold_all (LT_GTK_GRAPH_VIEW (widget), TRUE);
}

static void
unfold_all_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_graph_view_fold_all (LT_GTK_GRAPH_VIEW (widget), FALSE);
}

static void
export_chosen (GtkWidget *widget, const char *path, gpointer user_data)
{
  if (path != NULL)
    _lt_gtk_graph_view_export_to (LT_GTK_GRAPH_VIEW (widget), path);
}

static void
export_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _lt_gtk_choose_export_path (widget, _ ("Export the Graph"), "graph.svg", export_chosen, NULL);
}

/* Controls */

static GtkWidget *
controls_new (LtGtkGraphView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *button;

  gtk_widget_add_css_class (box, "toolbar");
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("zoom-out-symbolic", "graph.zoom-out", _ ("Zoom Out")));
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("zoom-in-symbolic", "graph.zoom-in", _ ("Zoom In")));
  gtk_box_append (GTK_BOX (box), _lt_gtk_icon_button_new ("zoom-fit-best-symbolic",
                                                          "graph.zoom-fit", _ ("Show All")));
  button = gtk_button_new_with_mnemonic (_ ("_Fold Modules"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "graph.fold-all");
  gtk_widget_set_tooltip_text (button, _ ("Show every module as one box"));
  gtk_box_append (GTK_BOX (box), button);
  button = gtk_button_new_with_mnemonic (_ ("_Unfold Modules"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "graph.unfold-all");
  gtk_widget_set_tooltip_text (button, _ ("Show the operations of every module"));
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("document-save-as-symbolic", "graph.export",
                                           _ ("Export as DOT, SVG or PNG")));
  return box;
}

static GtkWidget *
details_new (LtGtkGraphView *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->details_label = gtk_label_new (NULL);
  gtk_label_set_selectable (GTK_LABEL (self->details_label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (self->details_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->details_label), 0);
  gtk_label_set_yalign (GTK_LABEL (self->details_label), 0);
  gtk_widget_set_margin_start (self->details_label, 12);
  gtk_widget_set_margin_end (self->details_label, 12);
  gtk_widget_set_margin_top (self->details_label, 12);
  gtk_widget_set_margin_bottom (self->details_label, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->details_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("The selected node"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->details_label);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (scroller, 240, -1);
  return scroller;
}

/* GObject */

static void
lt_gtk_graph_view_dispose (GObject *object)
{
  LtGtkGraphView *self = LT_GTK_GRAPH_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_clear_object (&self->trainer);
  g_clear_pointer (&self->controls, gtk_widget_unparent);
  if (self->canvas)
    {
      GtkWidget *body = gtk_widget_get_parent (self->canvas);
      self->canvas = NULL;
      gtk_widget_unparent (body);
    }

  G_OBJECT_CLASS (lt_gtk_graph_view_parent_class)->dispose (object);
}

static void
lt_gtk_graph_view_finalize (GObject *object)
{
  LtGtkGraphView *self = LT_GTK_GRAPH_VIEW (object);

  g_clear_object (&self->graph);
  g_clear_pointer (&self->render_graph, lt_render_graph_unref);
  g_clear_pointer (&self->layout, lt_render_graph_layout_unref);
  g_ptr_array_unref (self->folded);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lt_gtk_graph_view_parent_class)->finalize (object);
}

static void
lt_gtk_graph_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkGraphView *self = LT_GTK_GRAPH_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        g_value_set_object (value, self->trainer);
        break;
      case PROP_GRAPH:
        g_value_set_object (value, self->graph);
        break;
      case PROP_N_NODES:
        g_value_set_uint (value, lt_gtk_graph_view_get_n_nodes (self));
        break;
      case PROP_SELECTED:
        g_value_set_int (value, self->view.selected);
        break;
      case PROP_SHOW_CONTROLS:
        g_value_set_boolean (value, lt_gtk_graph_view_get_show_controls (self));
        break;
      case PROP_LAYING_OUT:
        g_value_set_boolean (value, self->laying_out);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_graph_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LtGtkGraphView *self = LT_GTK_GRAPH_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        lt_gtk_graph_view_bind_trainer (self, g_value_get_object (value));
        break;
      case PROP_GRAPH:
        lt_gtk_graph_view_set_graph (self, g_value_get_object (value));
        break;
      case PROP_SELECTED:
        lt_gtk_graph_view_set_selected (self, g_value_get_int (value));
        break;
      case PROP_SHOW_CONTROLS:
        lt_gtk_graph_view_set_show_controls (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_graph_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lt_gtk_graph_view_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (LT_GTK_GRAPH_VIEW (widget)->canvas);
}

static void
lt_gtk_graph_view_class_init (LtGtkGraphViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _lt_gtk_ensure_i18n ();

  object_class->dispose = lt_gtk_graph_view_dispose;
  object_class->finalize = lt_gtk_graph_view_finalize;
  object_class->get_property = lt_gtk_graph_view_get_property;
  object_class->set_property = lt_gtk_graph_view_set_property;
  widget_class->css_changed = lt_gtk_graph_view_css_changed;

  /**
   * LtGtkGraphView:trainer:
   *
   * The trainer whose graphs the view shows (see
   * lt_gtk_graph_view_bind_trainer()).
   */
  props[PROP_TRAINER] =
    g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkGraphView:graph:
   *
   * The graph shown (see lt_gtk_graph_view_set_graph()).
   */
  props[PROP_GRAPH] =
    g_param_spec_object ("graph", NULL, NULL, LT_TYPE_GRAPH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkGraphView:n-nodes:
   *
   * The number of nodes of the graph laid out (folded or not).
   */
  props[PROP_N_NODES] = g_param_spec_uint ("n-nodes", NULL, NULL, 0, G_MAXUINT, 0,
                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkGraphView:selected:
   *
   * The selected node (an index of the #LtGraph), or -1.
   */
  props[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkGraphView:show-controls:
   *
   * Whether the view shows its own bar of controls (zoom, folding,
   * export) above the graph.
   */
  props[PROP_SHOW_CONTROLS] =
    g_param_spec_boolean ("show-controls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkGraphView:laying-out:
   *
   * Whether graphviz is laying the graph out in the background.
   */
  props[PROP_LAYING_OUT] = g_param_spec_boolean ("laying-out", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LtGtkGraphView::error:
   * @self: the view
   * @error: what went wrong
   *
   * Emitted when a graph cannot be laid out or an export from the view's
   * own controls fails. A handler that shows the message itself returns
   * %TRUE; otherwise the view shows it in a dialog over its window.
   *
   * Returns: %TRUE when the error was shown
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_ERROR);

  gtk_widget_class_install_action (widget_class, "graph.zoom-in", NULL, zoom_in_cb);
  gtk_widget_class_install_action (widget_class, "graph.zoom-out", NULL, zoom_out_cb);
  gtk_widget_class_install_action (widget_class, "graph.zoom-fit", NULL, zoom_fit_cb);
  gtk_widget_class_install_action (widget_class, "graph.fold-all", NULL, fold_all_cb);
  gtk_widget_class_install_action (widget_class, "graph.unfold-all", NULL, unfold_all_cb);
  gtk_widget_class_install_action (widget_class, "graph.export", NULL, export_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "graph.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "graph.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "graph.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "graph.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "graph.fold-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, 0, "graph.unfold-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "graph.export",
                                       NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ltgraphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lt_gtk_graph_view_init (LtGtkGraphView *self)
{
  GtkEventController *controller;
  GtkGesture         *gesture;
  GtkWidget          *body;

  self->cancellable = g_cancellable_new ();
  self->folded = g_ptr_array_new_with_free_func (g_free);
  lt_render_graph_view_init (&self->view);
  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);

  self->controls = controls_new (self);
  gtk_widget_set_parent (self->controls, GTK_WIDGET (self));

  body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_vexpand (body, TRUE);
  self->canvas = _lt_gtk_canvas_new (draw_canvas, self);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), 480, 480);
  gtk_widget_set_has_tooltip (self->canvas, TRUE);
  g_signal_connect (self->canvas, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Autograd graph"), -1);
  gtk_box_append (GTK_BOX (body), self->canvas);
  self->details = details_new (self);
  gtk_box_append (GTK_BOX (body), self->details);
  update_details (self);
  gtk_widget_set_parent (body, GTK_WIDGET (self));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (self->canvas, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (self->canvas, controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (self->canvas, controller);
}

/**
 * lt_gtk_graph_view_new:
 *
 * Creates a graph view with no graph.
 *
 * Returns: (transfer floating): a new #LtGtkGraphView
 */
GtkWidget *
lt_gtk_graph_view_new (void)
{
  return g_object_new (LT_GTK_TYPE_GRAPH_VIEW, NULL);
}

/**
 * lt_gtk_graph_view_bind_trainer:
 * @self: a graph view
 * @trainer: (nullable): the trainer whose graphs to show, or %NULL
 *
 * Shows the graph of every #LtTrainer::graph signal of @trainer: the
 * autograd graph of a step's loss with its gradient statistics. A trainer
 * whose #LtTrainer:graph-interval is 0 (no graphs) is set to send one
 * every %LT_GTK_GRAPH_VIEW_DEFAULT_INTERVAL steps (and on the first step
 * of a run). The view keeps a reference to the trainer.
 */
void
lt_gtk_graph_view_bind_trainer (LtGtkGraphView *self, LtTrainer *trainer)
{
  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));
  g_return_if_fail (trainer == NULL || LT_IS_TRAINER (trainer));

  if (self->trainer == trainer)
    return;
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_set_object (&self->trainer, trainer);
  if (trainer)
    {
      if (lt_trainer_get_graph_interval (trainer) == 0)
        lt_trainer_set_graph_interval (trainer, LT_GTK_GRAPH_VIEW_DEFAULT_INTERVAL);
      g_signal_connect (trainer, "graph", G_CALLBACK (on_trainer_graph), self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRAINER]);
}

/**
 * lt_gtk_graph_view_get_trainer:
 * @self: a graph view
 *
 * Gets the trainer whose graphs the view shows.
 *
 * Returns: (transfer none) (nullable): the trainer
 */
LtTrainer *
lt_gtk_graph_view_get_trainer (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), NULL);
  return self->trainer;
}

/**
 * lt_gtk_graph_view_set_graph:
 * @self: a graph view
 * @graph: (nullable): the graph to show, or %NULL for none
 *
 * Shows a graph: it is described and laid out in a worker thread (from
 * the cache when a graph of the same structure and fold state was laid
 * out before) and drawn when ready; the previous graph stays on screen
 * meanwhile. The zoom and the selection stay when the structure does.
 * The view keeps a reference to @graph.
 */
void
lt_gtk_graph_view_set_graph (LtGtkGraphView *self, LtGraph *graph)
{
  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));
  g_return_if_fail (graph == NULL || LT_IS_GRAPH (graph));

  if (!g_set_object (&self->graph, graph))
    return;
  g_clear_pointer (&self->render_graph, lt_render_graph_unref);
  if (graph == NULL)
    {
      self->request_serial++;
      g_clear_pointer (&self->layout, lt_render_graph_layout_unref);
      self->view.selected = -1;
      update_details (self);
      gtk_widget_queue_draw (self->canvas);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_NODES]);
    }
  else
    request_layout (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_GRAPH]);
}

/**
 * lt_gtk_graph_view_get_graph:
 * @self: a graph view
 *
 * Gets the graph the view shows (or is laying out).
 *
 * Returns: (transfer none) (nullable): the graph
 */
LtGraph *
lt_gtk_graph_view_get_graph (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), NULL);
  return self->graph;
}

/**
 * lt_gtk_graph_view_get_n_nodes:
 * @self: a graph view
 *
 * Counts the nodes of the graph drawn, folded or not: the nodes of its
 * #LtGraph (lt_graph_get_n_nodes()).
 *
 * Returns: the number of nodes; 0 before the first layout
 */
guint
lt_gtk_graph_view_get_n_nodes (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), 0);
  if (self->layout == NULL)
    return 0;
  return lt_render_graph_get_n_nodes (lt_render_graph_layout_get_graph (self->layout));
}

/**
 * lt_gtk_graph_view_get_n_visible_nodes:
 * @self: a graph view
 *
 * Counts the nodes drawn as boxes of their own: those not hidden in a
 * folded module.
 *
 * Returns: the number of visible nodes
 */
guint
lt_gtk_graph_view_get_n_visible_nodes (LtGtkGraphView *self)
{
  guint        n = 0, total;
  LtRenderRect rect;

  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), 0);
  total = lt_gtk_graph_view_get_n_nodes (self);
  for (guint i = 0; i < total; i++)
    n += lt_render_graph_layout_get_node_rect (self->layout, i, &rect);
  return n;
}

/**
 * lt_gtk_graph_view_dup_modules:
 * @self: a graph view
 *
 * Lists the modules that group nodes of the graph drawn (with the modules
 * above them: "features" for "features.0"), in the order of their first
 * node.
 *
 * Returns: (transfer full) (array zero-terminated=1): the dotted module
 *   paths; empty before the first layout
 */
char **
lt_gtk_graph_view_dup_modules (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), NULL);
  if (self->layout == NULL)
    return g_new0 (char *, 1);
  return lt_render_graph_dup_modules (lt_render_graph_layout_get_graph (self->layout));
}

static gint
find_folded (LtGtkGraphView *self, const char *module)
{
  for (guint i = 0; i < self->folded->len; i++)
    if (g_str_equal (g_ptr_array_index (self->folded, i), module))
      return (gint) i;
  return -1;
}

/**
 * lt_gtk_graph_view_get_module_folded:
 * @self: a graph view
 * @module: a dotted module path ("conv1", "features.0")
 *
 * Gets whether a module's group is folded into one box.
 *
 * Returns: %TRUE when it is folded
 */
gboolean
lt_gtk_graph_view_get_module_folded (LtGtkGraphView *self, const char *module)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), FALSE);
  g_return_val_if_fail (module != NULL, FALSE);
  return find_folded (self, module) >= 0;
}

/**
 * lt_gtk_graph_view_set_module_folded:
 * @self: a graph view
 * @module: a dotted module path ("conv1", "features.0")
 * @folded: whether to fold it
 *
 * Folds a module's group into one box (the edges that crossed its border
 * re-routed to the box; the groups inside it hidden too) or unfolds it,
 * and lays the graph out again in a worker. The fold state stays for the
 * graphs that follow.
 */
void
lt_gtk_graph_view_set_module_folded (LtGtkGraphView *self, const char *module, gboolean folded)
{
  gint at;

  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));
  g_return_if_fail (module != NULL);

  at = find_folded (self, module);
  if ((at >= 0) == !!folded)
    return;
  if (folded)
    g_ptr_array_add (self->folded, g_strdup (module));
  else
    g_ptr_array_remove_index (self->folded, (guint) at);
  request_layout (self);
}

/**
 * lt_gtk_graph_view_fold_all:
 * @self: a graph view
 * @folded: %TRUE to fold every module, %FALSE to unfold them all
 *
 * Folds or unfolds every module of the graph drawn.
 */
void
lt_gtk_graph_view_fold_all (LtGtkGraphView *self, gboolean folded)
{
  g_auto (GStrv) modules = NULL;

  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));

  g_ptr_array_set_size (self->folded, 0);
  if (folded)
    {
      modules = lt_gtk_graph_view_dup_modules (self);
      for (guint i = 0; modules[i]; i++)
        g_ptr_array_add (self->folded, g_strdup (modules[i]));
    }
  request_layout (self);
}

/**
 * lt_gtk_graph_view_get_selected:
 * @self: a graph view
 *
 * Gets the selected node.
 *
 * Returns: the node's index in the #LtGraph, or -1
 */
gint
lt_gtk_graph_view_get_selected (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), -1);
  return self->view.selected;
}

/**
 * lt_gtk_graph_view_set_selected:
 * @self: a graph view
 * @node: a node's index in the #LtGraph, or -1 for none
 *
 * Selects a node: it is drawn highlighted and its description (op,
 * module, shapes, and the gradient statistics when the graph went
 * through lt_graph_backward()) is shown beside the graph.
 */
void
lt_gtk_graph_view_set_selected (LtGtkGraphView *self, gint node)
{
  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));

  if (node < -1 || (node >= 0 && (guint) node >= lt_gtk_graph_view_get_n_nodes (self)))
    node = -1;
  if (self->view.selected == node)
    return;
  self->view.selected = node;
  update_details (self);
  gtk_widget_queue_draw (self->canvas);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SELECTED]);
}

/**
 * lt_gtk_graph_view_dup_node_description:
 * @self: a graph view
 * @node: a node's index in the #LtGraph
 *
 * Describes a node as the view shows it when selected: its op, its
 * module, the shape of its output, a leaf's name, shape and element
 * count, and the statistics of its gradient when they were recorded.
 *
 * Returns: (transfer full) (nullable): several lines of text, or %NULL
 *   when there is no node @node
 */
char *
lt_gtk_graph_view_dup_node_description (LtGtkGraphView *self, guint node)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), NULL);
  if (node >= lt_gtk_graph_view_get_n_nodes (self))
    return NULL;
  return lt_render_graph_describe_node (lt_render_graph_layout_get_graph (self->layout), node);
}

/**
 * lt_gtk_graph_view_zoom:
 * @self: a graph view
 * @factor: above 1 zooms in, below 1 out
 *
 * Zooms around the centre of the view.
 */
void
lt_gtk_graph_view_zoom (LtGtkGraphView *self, double factor)
{
  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));
  g_return_if_fail (factor > 0);

  lt_render_graph_view_zoom (&self->view, factor, gtk_widget_get_width (self->canvas) / 2.0,
                             gtk_widget_get_height (self->canvas) / 2.0);
  self->moved = TRUE;
  gtk_widget_queue_draw (self->canvas);
}

/**
 * lt_gtk_graph_view_zoom_to_fit:
 * @self: a graph view
 *
 * Shows the whole graph (at most at its natural size), centred.
 */
void
lt_gtk_graph_view_zoom_to_fit (LtGtkGraphView *self)
{
  int width, height;

  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));

  self->moved = FALSE;
  width = gtk_widget_get_width (self->canvas);
  height = gtk_widget_get_height (self->canvas);
  if (self->layout && width > 0 && height > 0)
    lt_render_graph_view_fit (&self->view, self->layout, width, height);
  else
    self->need_fit = TRUE; /* when it is drawn */
  gtk_widget_queue_draw (self->canvas);
}

/**
 * lt_gtk_graph_view_get_laying_out:
 * @self: a graph view
 *
 * Gets whether a layout is being computed in the background.
 *
 * Returns: %TRUE while graphviz works
 */
gboolean
lt_gtk_graph_view_get_laying_out (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), FALSE);
  return self->laying_out;
}

/**
 * lt_gtk_graph_view_get_show_controls:
 * @self: a graph view
 *
 * Gets whether the view shows its bar of controls.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_graph_view_get_show_controls (LtGtkGraphView *self)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->controls);
}

/**
 * lt_gtk_graph_view_set_show_controls:
 * @self: a graph view
 * @show_controls: whether to show the bar of controls
 *
 * Shows or hides the view's own controls above the graph.
 */
void
lt_gtk_graph_view_set_show_controls (LtGtkGraphView *self, gboolean show_controls)
{
  g_return_if_fail (LT_GTK_IS_GRAPH_VIEW (self));

  if (gtk_widget_get_visible (self->controls) == !!show_controls)
    return;
  gtk_widget_set_visible (self->controls, show_controls);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHOW_CONTROLS]);
}

/**
 * lt_gtk_graph_view_export:
 * @self: a graph view
 * @path: (type filename): the file to write: `.dot` (or `.gv`), `.svg`
 *   or `.png`
 * @error: return location for a #GError
 *
 * Writes the graph drawn, as folded now, into a DOT file (one cluster per
 * module), or the whole layout at zoom 1 with the selection into an SVG
 * or PNG file, chosen by @path's extension. The file is written beside
 * @path and renamed into place.
 *
 * Returns: %TRUE on success; %FALSE with an %LT_ERROR_INVALID_ARGUMENT
 *   error when there is no graph yet or for another extension, or an
 *   %LT_ERROR_IO error naming the path and the reason
 */
gboolean
lt_gtk_graph_view_export (LtGtkGraphView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LT_GTK_IS_GRAPH_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->layout == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "graph view: no graph to export to %s yet", path);
      return FALSE;
    }
  return lt_render_graph_write (self->layout, &self->view, path, error);
}

/* Private */

void
_lt_gtk_graph_view_export_to (LtGtkGraphView *self, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!lt_gtk_graph_view_export (self, path, &error))
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
}

GtkWidget *
_lt_gtk_graph_view_get_canvas (LtGtkGraphView *self)
{
  return self->canvas;
}

LtRenderGraphLayout *
_lt_gtk_graph_view_get_layout (LtGtkGraphView *self)
{
  return self->layout;
}

const LtRenderGraphView *
_lt_gtk_graph_view_get_view (LtGtkGraphView *self)
{
  return &self->view;
}

gboolean
_lt_gtk_graph_view_is_settled (LtGtkGraphView *self)
{
  return !self->laying_out && self->layout_serial == self->request_serial;
}

void
_lt_gtk_graph_view_click (LtGtkGraphView *self, double x, double y)
{
  click_at (self, x, y);
}

const char *
_lt_gtk_graph_view_get_details_text (LtGtkGraphView *self)
{
  return self->view.selected >= 0 ? gtk_label_get_text (GTK_LABEL (self->details_label)) : NULL;
}
