/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lt-render-graph-private.h"

/*
 * The graph's view state (zoom, pan, selection), hit-testing, drawing and
 * files.
 */

#define MIN_ZOOM 0.02
#define MAX_ZOOM 8.0
#define TEXT_MIN_ZOOM 0.3      /* below this, boxes without text */
#define MAX_IMAGE_SIDE 16384.0 /* a PNG of a huge graph is scaled down */

void
lt_render_graph_view_init (LtRenderGraphView *view)
{
  view->zoom = 1;
  view->x = 0;
  view->y = 0;
  view->selected = -1;
}

void
lt_render_graph_view_fit (LtRenderGraphView   *view,
                          LtRenderGraphLayout *layout,
                          int                  width,
                          int                  height)
{
  double lw, lh;

  lt_render_graph_layout_get_size (layout, &lw, &lh);
  view->zoom = CLAMP (MIN (1, MIN (width / lw, height / lh)), MIN_ZOOM, MAX_ZOOM);
  view->x = lw / 2 - width / view->zoom / 2;
  view->y = lh / 2 - height / view->zoom / 2;
}

void
lt_render_graph_view_zoom (LtRenderGraphView *view, double factor, double px, double py)
{
  double x = view->x + px / view->zoom, y = view->y + py / view->zoom;

  g_return_if_fail (factor > 0);
  view->zoom = CLAMP (view->zoom * factor, MIN_ZOOM, MAX_ZOOM);
  view->x = x - px / view->zoom;
  view->y = y - py / view->zoom;
}

void
lt_render_graph_view_pan (LtRenderGraphView *view, double dx, double dy)
{
  view->x -= dx / view->zoom;
  view->y -= dy / view->zoom;
}

void
lt_render_graph_view_to_pixel (const LtRenderGraphView *view,
                               double                   x,
                               double                   y,
                               double                  *px,
                               double                  *py)
{
  *px = (x - view->x) * view->zoom;
  *py = (y - view->y) * view->zoom;
}

void
lt_render_graph_view_from_pixel (const LtRenderGraphView *view,
                                 double                   px,
                                 double                   py,
                                 double                  *x,
                                 double                  *y)
{
  *x = view->x + px / view->zoom;
  *y = view->y + py / view->zoom;
}

/* Hit-testing */

gboolean
lt_render_graph_hit_test (LtRenderGraphLayout     *layout,
                          const LtRenderGraphView *view,
                          double                   px,
                          double                   py,
                          LtRenderGraphHit        *hit)
{
  const RenderGeometry *geom = layout->geom;
  LtRenderGraphHit      h = { LT_RENDER_GRAPH_HIT_NONE, 0, NULL };
  double                x, y;

  lt_render_graph_view_from_pixel (view, px, py, &x, &y);
  for (guint i = 0; i < geom->n_nodes && h.kind == LT_RENDER_GRAPH_HIT_NONE; i++)
    if (geom->node_rect[i].width >= 0 && lt_render_rect_contains (&geom->node_rect[i], x, y))
      {
        h.kind = LT_RENDER_GRAPH_HIT_NODE;
        h.node = i;
      }
  for (guint k = 0; k < geom->groups->len && h.kind == LT_RENDER_GRAPH_HIT_NONE; k++)
    {
      const GeomGroup *g = &g_array_index (geom->groups, GeomGroup, k);

      if (g->drawn && g->folded && lt_render_rect_contains (&g->rect, x, y))
        {
          h.kind = LT_RENDER_GRAPH_HIT_FOLDED_GROUP;
          h.module = g->module;
        }
    }
  /* Headers: the innermost group's first (children follow parents) */
  for (guint k = geom->groups->len; k-- > 0 && h.kind == LT_RENDER_GRAPH_HIT_NONE;)
    {
      const GeomGroup *g = &g_array_index (geom->groups, GeomGroup, k);
      LtRenderRect     header;

      if (!g->drawn || g->folded)
        continue;
      header = g->rect;
      header.height = g->header;
      if (lt_render_rect_contains (&header, x, y))
        {
          h.kind = LT_RENDER_GRAPH_HIT_GROUP_HEADER;
          h.module = g->module;
        }
    }
  if (hit)
    *hit = h;
  return h.kind != LT_RENDER_GRAPH_HIT_NONE;
}

/* Drawing */

static void
rounded_rect (cairo_t *cr, const LtRenderRect *r, double radius)
{
  double x = r->x, y = r->y, w = r->width, h = r->height;

  radius = MIN (radius, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static gboolean
visible (const LtRenderRect *r, const LtRenderRect *area)
{
  return r->x < area->x + area->width && r->x + r->width > area->x &&
         r->y < area->y + area->height && r->y + r->height > area->y;
}

/* The lines of a box, centred; the first one the title */
static void
draw_lines (cairo_t             *cr,
            const LtRenderTheme *t,
            const LtRenderRect  *r,
            char               **lines,
            gboolean             bold_title)
{
  double total = 0, y;
  double heights[8];
  guint  n = MIN (g_strv_length (lines), G_N_ELEMENTS (heights));

  for (guint i = 0; i < n; i++)
    {
      lt_render_text_size (t, i == 0 ? GRAPH_TITLE_SIZE (t) : GRAPH_SMALL_SIZE (t),
                           i == 0 && bold_title, lines[i], NULL, &heights[i]);
      heights[i] = ceil (heights[i]);
      total += heights[i];
    }
  y = r->y + (r->height - total) / 2;
  for (guint i = 0; i < n; i++)
    {
      lt_render_text (cr, t, i == 0 ? GRAPH_TITLE_SIZE (t) : GRAPH_SMALL_SIZE (t),
                      i == 0 && bold_title, i == 0 ? &t->foreground : &t->muted,
                      r->x + r->width / 2, y, 0.5, lines[i]);
      y += heights[i];
    }
}

static void
draw_groups (LtRenderGraphLayout *layout, cairo_t *cr, const LtRenderRect *area, gboolean text)
{
  const LtRenderTheme *t = &layout->theme;
  GArray              *groups = layout->geom->groups;

  for (guint k = 0; k < groups->len; k++)
    {
      const GeomGroup *g = &g_array_index (groups, GeomGroup, k);
      LtRenderColor    fill = t->panel;

      if (!g->drawn || g->folded || !visible (&g->rect, area))
        continue;
      /* nested groups a shade deeper */
      fill.alpha = MIN (1, 0.55 + 0.2 * g->depth);
      rounded_rect (cr, &g->rect, 6);
      lt_render_set_color (cr, &fill);
      cairo_fill_preserve (cr);
      lt_render_set_color (cr, &t->grid);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      if (text)
        {
          g_autofree char *title = g_strdup_printf ("\u25be %s", g->module);

          cairo_save (cr);
          cairo_rectangle (cr, g->rect.x, g->rect.y, g->rect.width, g->header);
          cairo_clip (cr);
          lt_render_text (cr, t, GRAPH_TITLE_SIZE (t), TRUE, &t->muted, g->rect.x + 8,
                          g->rect.y + 3, 0, title);
          cairo_restore (cr);
        }
    }
}

static void
draw_edges (LtRenderGraphLayout *layout, cairo_t *cr, const LtRenderRect *area, gboolean text)
{
  const LtRenderTheme *t = &layout->theme;
  GArray              *edges = layout->geom->edges;

  cairo_set_line_width (cr, 1.2);
  for (guint i = 0; i < edges->len; i++)
    {
      const GeomEdge *e = &g_array_index (edges, GeomEdge, i);
      const double   *p = e->points;

      lt_render_set_color (cr, &t->muted);
      cairo_move_to (cr, p[0], p[1]);
      for (guint k = 1; k + 2 < e->n_points; k += 3)
        cairo_curve_to (cr, p[2 * k], p[2 * k + 1], p[2 * k + 2], p[2 * k + 3], p[2 * k + 4],
                        p[2 * k + 5]);
      if (e->arrow)
        cairo_line_to (cr, e->ax, e->ay);
      cairo_stroke (cr);
      if (e->arrow)
        {
          /* A head from the curve's end to the tip */
          double ex = p[2 * (e->n_points - 1)], ey = p[2 * (e->n_points - 1) + 1];
          double dx = e->ax - ex, dy = e->ay - ey, len = hypot (dx, dy);

          if (len > 0)
            {
              double ux = dx / len, uy = dy / len, size = 7;

              cairo_move_to (cr, e->ax, e->ay);
              cairo_line_to (cr, e->ax - size * ux + size * 0.45 * uy,
                             e->ay - size * uy - size * 0.45 * ux);
              cairo_line_to (cr, e->ax - size * ux - size * 0.45 * uy,
                             e->ay - size * uy + size * 0.45 * ux);
              cairo_close_path (cr);
              cairo_fill (cr);
            }
        }
    }
  if (!text)
    return;
  /* The shapes, over the curves, on a patch of background */
  for (guint i = 0; i < edges->len; i++)
    {
      const GeomEdge          *e = &g_array_index (edges, GeomEdge, i);
      const LtRenderGraphEdge *ge =
        &g_array_index (layout->graph->edges, LtRenderGraphEdge, e->edge);
      g_autofree char *shape = NULL;
      LtRenderColor    halo = t->background;
      double           w, h;
      LtRenderRect     r;

      if (!ge->has_shape)
        continue;
      shape = lt_render_format_shape (ge->shape, ge->n_dims);
      lt_render_text_size (t, GRAPH_SMALL_SIZE (t), FALSE, shape, &w, &h);
      r.x = e->lx + 4;
      r.y = e->ly - h / 2;
      r.width = w;
      r.height = h;
      if (!visible (&r, area))
        continue;
      halo.alpha = 0.8;
      lt_render_set_color (cr, &halo);
      cairo_rectangle (cr, r.x - 1, r.y, r.width + 2, r.height);
      cairo_fill (cr);
      lt_render_text (cr, t, GRAPH_SMALL_SIZE (t), FALSE, &t->muted, r.x, r.y, 0, shape);
    }
}

static void
draw_nodes (LtRenderGraphLayout     *layout,
            const LtRenderGraphView *view,
            cairo_t                 *cr,
            const LtRenderRect      *area,
            gboolean                 text)
{
  const RenderGeometry *geom = layout->geom;
  const LtRenderTheme  *t = &layout->theme;
  gint                  output = lt_render_graph_get_output (layout->graph);

  for (guint i = 0; i < geom->n_nodes; i++)
    {
      const LtRenderRect      *r = &geom->node_rect[i];
      const LtRenderGraphNode *n = &g_array_index (layout->graph->nodes, LtRenderGraphNode, i);
      const LtRenderColor     *fill;
      LtRenderColor            border = t->muted;
      gboolean selected = view && view->selected >= 0 && (guint) view->selected == i;

      if (r->width < 0 || !visible (r, area))
        continue;
      fill = n->is_leaf           ? (n->is_parameter ? &t->param_fill : &t->leaf_fill)
             : (gint) i == output ? &t->output_fill
                                  : &t->op_fill;
      rounded_rect (cr, r, 4);
      lt_render_set_color (cr, fill);
      cairo_fill_preserve (cr);
      border.alpha = 0.6;
      lt_render_set_color (cr, selected ? &t->accent : &border);
      cairo_set_line_width (cr, selected ? 3 : 1);
      cairo_stroke (cr);
      if (text)
        {
          g_auto(GStrv) lines = _lt_render_graph_node_lines (layout->graph, i);

          draw_lines (cr, t, r, lines, n->is_leaf || (gint) i == output);
        }
    }
  for (guint k = 0; k < geom->groups->len; k++)
    {
      const GeomGroup *g = &g_array_index (geom->groups, GeomGroup, k);
      LtRenderRect     back;

      if (!g->drawn || !g->folded || !visible (&g->rect, area))
        continue;
      /* A stack of boxes: several nodes in one */
      back = g->rect;
      back.x += 3;
      back.y -= 3;
      for (int layer = 0; layer < 2; layer++)
        {
          rounded_rect (cr, layer == 0 ? &back : &g->rect, 4);
          lt_render_set_color (cr, &t->panel);
          cairo_fill_preserve (cr);
          lt_render_set_color (cr, &t->muted);
          cairo_set_line_width (cr, 1.2);
          cairo_stroke (cr);
        }
      if (text)
        {
          RenderGroup rg = { g->module, g->parent, g->depth, TRUE, FALSE, g->n_nodes };
          g_auto(GStrv) lines = _lt_render_graph_folded_lines (&rg);

          draw_lines (cr, t, &g->rect, lines, TRUE);
        }
    }
}

void
lt_render_graph_draw (LtRenderGraphLayout     *layout,
                      const LtRenderGraphView *view,
                      cairo_t                 *cr,
                      int                      width,
                      int                      height)
{
  LtRenderRect area;
  gboolean     text;

  g_return_if_fail (layout != NULL && view != NULL && view->zoom > 0);
  cairo_save (cr);
  lt_render_set_color (cr, &layout->theme.background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  /* What of the layout the area shows */
  lt_render_graph_view_from_pixel (view, 0, 0, &area.x, &area.y);
  area.width = width / view->zoom;
  area.height = height / view->zoom;
  text = view->zoom >= TEXT_MIN_ZOOM;
  cairo_scale (cr, view->zoom, view->zoom);
  cairo_translate (cr, -view->x, -view->y);
  draw_groups (layout, cr, &area, text);
  draw_edges (layout, cr, &area, text);
  draw_nodes (layout, view, cr, &area, text);
  cairo_restore (cr);
}

/* Files */

typedef struct
{
  LtRenderGraphLayout *layout;
  LtRenderGraphView    view;
} DrawData;

static void
draw_cb (cairo_t *cr, int width, int height, gpointer user_data)
{
  DrawData *d = user_data;

  lt_render_graph_draw (d->layout, &d->view, cr, width, height);
}

gboolean
lt_render_graph_write (LtRenderGraphLayout     *layout,
                       const LtRenderGraphView *view,
                       const char              *path,
                       GError                 **error)
{
  const char    *dot = strrchr (path, '.');
  DrawData       d = { layout };
  LtRenderFormat format;
  double         w, h, scale;

  g_return_val_if_fail (layout != NULL, FALSE);
  if (dot && (g_ascii_strcasecmp (dot, ".dot") == 0 || g_ascii_strcasecmp (dot, ".gv") == 0))
    {
      /* The fold state of the layout: its folded groups that show */
      g_autoptr(GPtrArray) folded = g_ptr_array_new ();

      for (guint k = 0; k < layout->geom->groups->len; k++)
        {
          const GeomGroup *g = &g_array_index (layout->geom->groups, GeomGroup, k);

          if (g->folded)
            g_ptr_array_add (folded, g->module);
        }
      g_ptr_array_add (folded, NULL);
      return lt_render_graph_write_dot (layout->graph, (const char *const *) folded->pdata, path,
                                        error);
    }
  if (!lt_render_format_for_path (path, &format, error))
    {
      g_clear_error (error);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   _ ("cannot write %s: the name must end in .png, .svg, .dot or .gv"), path);
      return FALSE;
    }
  lt_render_graph_layout_get_size (layout, &w, &h);
  scale = format == LT_RENDER_FORMAT_PNG ? MIN (1, MAX_IMAGE_SIDE / MAX (w, h)) : 1;
  lt_render_graph_view_init (&d.view);
  d.view.zoom = scale;
  d.view.selected = view ? view->selected : -1;
  return lt_render_write (path, format, (int) ceil (w * scale), (int) ceil (h * scale), draw_cb, &d,
                          error);
}
