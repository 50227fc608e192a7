/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-lbfgs.h"
#include "lt-optimizer-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/**
 * LtLBFGS:
 *
 * Limited-memory BFGS, as `torch.optim.LBFGS` (PyTorch 1.13,
 * torch/optim/lbfgs.py): each step calls a closure (#LtLossClosure) that
 * re-evaluates the model, up to "max_iter" iterations and "max_eval"
 * evaluations; the direction comes from the last "history_size" pairs of
 * steps and gradient changes, the step length is "lr" (the first
 * iteration of the first step: min(1, 1 / sum |grad|) * lr) or, with
 * "strong_wolfe", found by PyTorch's strong-Wolfe line search (cubic
 * interpolation, c1 = 1e-4, c2 = 0.9, at most 25 evaluations).
 *
 * The parameters are seen as one flat vector, in one group only. The
 * arithmetic is done in doubles, rounded to float32 where the parameters
 * are float32 (PyTorch's vectors and scalars are float32 tensors there).
 *
 * Options: "lr" (default 1), "max_iter" (20), "max_eval" (25),
 * "tolerance_grad" (1e-7), "tolerance_change" (1e-9), "history_size"
 * (100), "strong_wolfe" (PyTorch's line_search_fn="strong_wolfe"). State,
 * kept with the first parameter as PyTorch does: "func_evals", "n_iter",
 * "d", "t", "old_dirs" and "old_stps" (one row per pair), "ro",
 * "H_diag", "prev_flat_grad", "prev_loss".
 *
 * lt_optimizer_step() fails: a step needs the closure, given to
 * lt_lbfgs_step_with_closure().
 */
struct _LtLBFGS
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtLBFGS, lt_lbfgs, LT_TYPE_OPTIMIZER)

enum
{
  LR,
  MAX_ITER,
  MAX_EVAL,
  TOLERANCE_GRAD,
  TOLERANCE_CHANGE,
  HISTORY_SIZE,
  STRONG_WOLFE,
  N_OPTIONS
};

static const LtOptimizerOptionSpec options[N_OPTIONS] = {
  [LR] = { "lr", FALSE },
  [MAX_ITER] = { "max_iter", FALSE },
  [MAX_EVAL] = { "max_eval", FALSE },
  [TOLERANCE_GRAD] = { "tolerance_grad", FALSE },
  [TOLERANCE_CHANGE] = { "tolerance_change", FALSE },
  [HISTORY_SIZE] = { "history_size", FALSE },
  [STRONG_WOLFE] = { "strong_wolfe", TRUE },
};

typedef struct
{
  GPtrArray    *params; /* borrowed */
  gsize         n;      /* the number of elements of all */
  gboolean      f32;    /* every parameter is float32 */
  LtLossClosure closure;
  gpointer      user_data;
} Ctx;

static inline double
rnd (const Ctx *c, double x)
{
  return c->f32 ? (double) (float) x : x;
}

/* Python's max() and min() of two numbers (a NaN first stays). */
static inline double
py_max (double a, double b)
{
  return b > a ? b : a;
}

static inline double
py_min (double a, double b)
{
  return b < a ? b : a;
}

static double
dot (const Ctx *c, const double *a, const double *b)
{
  double s = 0;

  for (gsize i = 0; i < c->n; i++)
    s += a[i] * b[i];
  return rnd (c, s);
}

static double
abs_max (const Ctx *c, const double *a)
{
  double m = 0;

  for (gsize i = 0; i < c->n; i++)
    m = py_max (m, fabs (a[i]));
  return m;
}

static double *
dup_vec (const Ctx *c, const double *a)
{
  return g_memdup2 (a, MAX (c->n, 1) * sizeof (double));
}

/* The gradients of all parameters as one vector (zeros for a parameter
 * without one). */
static double *
gather_flat_grad (const Ctx *c, GError **error)
{
  g_autofree double *flat = g_new0 (double, MAX (c->n, 1));
  gsize              off = 0;

  for (guint i = 0; i < c->params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (c->params, i);
      LtTensor *grad = lt_tensor_get_grad (p);
      gsize     numel = (gsize) lt_tensor_numel (p), got = 0;

      if (grad != NULL)
        {
          g_autofree double *v = lt_tensor_to_doubles (grad, &got, error);

          if (v == NULL && got != 0)
            return NULL;
          if (got != numel)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "LBFGS: the gradient of parameter %u has %" G_GSIZE_FORMAT
                           " elements, the parameter %" G_GSIZE_FORMAT,
                           i, got, numel);
              return NULL;
            }
          if (numel)
            memcpy (flat + off, v, numel * sizeof (double));
        }
      off += numel;
    }
  return g_steal_pointer (&flat);
}

/* param += t * d[its slice], parameter by parameter */
static gboolean
add_grad (const Ctx *c, double t, const double *d, GError **error)
{
  gsize off = 0;

  for (guint i = 0; i < c->params->len; i++)
    {
      LtTensor     *p = g_ptr_array_index (c->params, i);
      gsize         numel = (gsize) lt_tensor_numel (p);
      guint         ndim;
      const gint64 *shape = lt_tensor_get_shape (p, &ndim);
      g_autoptr(LtTensor) slice = NULL;

      slice =
        lt_tensor_new_from_doubles (d + off, numel, shape, ndim, lt_tensor_get_dtype (p), error);
      if (slice == NULL || !lt_tensor_add_scaled_ (p, slice, t, error))
        return FALSE;
      off += numel;
    }
  return TRUE;
}

static gboolean
evaluate (const Ctx *c, double *loss, GError **error)
{
  gboolean prev = lt_set_grad_enabled (TRUE);
  gboolean ok = c->closure (loss, c->user_data);

  lt_set_grad_enabled (prev);
  if (!ok)
    g_set_error_literal (error, LT_ERROR, LT_ERROR_FAILED,
                         "LBFGS: the closure that re-evaluates the model failed");
  return ok;
}

static GPtrArray *
clone_params (const Ctx *c, GError **error)
{
  g_autoptr(GPtrArray) x = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < c->params->len; i++)
    {
      LtTensor *t = lt_tensor_clone (g_ptr_array_index (c->params, i), error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (x, t);
    }
  return g_steal_pointer (&x);
}

/* Moves to x + t d, evaluates the loss and gradient there, and restores x. */
static gboolean
directional_evaluate (const Ctx    *c,
                      GPtrArray    *x,
                      double        t,
                      const double *d,
                      double       *f,
                      double      **g,
                      GError      **error)
{
  if (!add_grad (c, t, d, error) || !evaluate (c, f, error))
    return FALSE;
  *g = gather_flat_grad (c, error);
  if (*g == NULL)
    return FALSE;
  for (guint i = 0; i < c->params->len; i++)
    if (!lt_tensor_copy_ (g_ptr_array_index (c->params, i), g_ptr_array_index (x, i), error))
      return FALSE;
  return TRUE;
}

/* The minimum of the cubic through (x1, f1) and (x2, f2) with slopes g1
 * and g2, kept within the bounds (by default the two points). */
static double
cubic_interpolate (double   x1,
                   double   f1,
                   double   g1,
                   double   x2,
                   double   f2,
                   double   g2,
                   gboolean bounded,
                   double   xmin_bound,
                   double   xmax_bound)
{
  double d1, d2_square;

  if (!bounded)
    {
      xmin_bound = x1 <= x2 ? x1 : x2;
      xmax_bound = x1 <= x2 ? x2 : x1;
    }
  d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0)
    {
      double d2 = sqrt (d2_square), min_pos;

      if (x1 <= x2)
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
      else
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
      return py_min (py_max (min_pos, xmin_bound), xmax_bound);
    }
  return (xmin_bound + xmax_bound) / 2.;
}

/* PyTorch's _strong_wolfe: from x (the parameters, restored after each
 * trial) along d, starting at step *t; gives the step, its loss and
 * gradient, and counts the evaluations. */
static gboolean
strong_wolfe (const Ctx    *c,
              GPtrArray    *x,
              double       *t_io,
              const double *d,
              double        f,
              const double *g,
              double        gtd,
              double       *f_out,
              double      **g_out,
              gint64       *evals_out,
              GError      **error)
{
  const double       c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9;
  const int          max_ls = 25;
  double             t = *t_io, d_norm = abs_max (c, d), f_new, gtd_new, t_prev, f_prev, gtd_prev;
  double             bt[2] = { 0, 0 }, bf[2] = { 0, 0 }, bgtd[2] = { 0, 0 };
  double            *bg[2] = { NULL, NULL };
  g_autofree double *g_new = NULL;
  g_autofree double *g_prev = NULL;
  gboolean           done = FALSE, insuf_progress = FALSE, ok = FALSE;
  int                ls_iter = 0, low = 0, high = 1;
  gint64             evals = 1;

  if (!directional_evaluate (c, x, t, d, &f_new, &g_new, error))
    return FALSE;
  gtd_new = dot (c, g_new, d);
  t_prev = 0, f_prev = f, g_prev = dup_vec (c, g), gtd_prev = gtd;
  while (ls_iter < max_ls)
    {
      double min_step, max_step, tmp;

      if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev) || gtd_new >= 0)
        {
          /* bracket [t_prev, t] (the first and third tests of PyTorch
           * make the same bracket) */
          bt[0] = t_prev, bt[1] = t;
          bf[0] = f_prev, bf[1] = f_new;
          bg[0] = g_steal_pointer (&g_prev), bg[1] = dup_vec (c, g_new);
          bgtd[0] = gtd_prev, bgtd[1] = gtd_new;
          if (!(f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) &&
              fabs (gtd_new) <= -c2 * gtd)
            {
              /* PyTorch tests the Wolfe condition before gtd_new >= 0 */
              g_clear_pointer (&bg[0], g_free);
              bt[0] = t, bf[0] = f_new, bg[0] = g_steal_pointer (&bg[1]);
              done = TRUE;
            }
          break;
        }
      if (fabs (gtd_new) <= -c2 * gtd)
        {
          bt[0] = t, bf[0] = f_new, bg[0] = dup_vec (c, g_new);
          done = TRUE;
          break;
        }
      /* interpolate */
      min_step = t + 0.01 * (t - t_prev);
      max_step = t * 10;
      tmp = t;
      t = cubic_interpolate (t_prev, f_prev, gtd_prev, t, f_new, gtd_new, TRUE, min_step, max_step);
      t_prev = tmp, f_prev = f_new, gtd_prev = gtd_new;
      g_free (g_prev);
      g_prev = g_steal_pointer (&g_new);
      if (!directional_evaluate (c, x, t, d, &f_new, &g_new, error))
        goto out;
      evals++;
      gtd_new = dot (c, g_new, d);
      ls_iter++;
    }
  if (ls_iter == max_ls)
    {
      bt[0] = 0, bt[1] = t;
      bf[0] = f, bf[1] = f_new;
      bg[0] = dup_vec (c, g), bg[1] = dup_vec (c, g_new);
    }

  /* zoom */
  if (!done)
    {
      low = bf[0] <= bf[1] ? 0 : 1;
      high = 1 - low;
    }
  while (!done && ls_iter < max_ls)
    {
      double bmax = py_max (bt[0], bt[1]), bmin = py_min (bt[0], bt[1]), eps;

      if (fabs (bt[1] - bt[0]) * d_norm < tolerance_change)
        break;
      t = cubic_interpolate (bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], FALSE, 0, 0);
      /* keep t at least 0.1 of the bracket away from its ends */
      eps = 0.1 * (bmax - bmin);
      if (py_min (bmax - t, t - bmin) < eps)
        {
          if (insuf_progress || t >= bmax || t <= bmin)
            {
              t = fabs (t - bmax) < fabs (t - bmin) ? bmax - eps : bmin + eps;
              insuf_progress = FALSE;
            }
          else
            insuf_progress = TRUE;
        }
      else
        insuf_progress = FALSE;
      g_clear_pointer (&g_new, g_free);
      if (!directional_evaluate (c, x, t, d, &f_new, &g_new, error))
        goto out;
      evals++;
      gtd_new = dot (c, g_new, d);
      ls_iter++;
      if (f_new > (f + c1 * t * gtd) || f_new >= bf[low])
        {
          bt[high] = t, bf[high] = f_new, bgtd[high] = gtd_new;
          g_free (bg[high]);
          bg[high] = dup_vec (c, g_new);
          low = bf[0] <= bf[1] ? 0 : 1;
          high = 1 - low;
        }
      else
        {
          if (fabs (gtd_new) <= -c2 * gtd)
            done = TRUE;
          else if (gtd_new * (bt[high] - bt[low]) >= 0)
            {
              /* the old high becomes the new low */
              bt[high] = bt[low], bf[high] = bf[low], bgtd[high] = bgtd[low];
              g_free (bg[high]);
              bg[high] = dup_vec (c, bg[low]);
            }
          bt[low] = t, bf[low] = f_new, bgtd[low] = gtd_new;
          g_free (bg[low]);
          bg[low] = dup_vec (c, g_new);
        }
    }
  *t_io = bt[low];
  *f_out = bf[low];
  *g_out = g_steal_pointer (&bg[low]);
  *evals_out = evals;
  ok = TRUE;
out:
  g_free (bg[0]);
  g_free (bg[1]);
  return ok;
}

/* The state between steps */

typedef struct
{
  gint64     func_evals, n_iter;
  double    *d; /* NULL before the first iteration */
  double     t, h_diag, prev_loss;
  double    *prev_flat_grad; /* NULL before the first iteration */
  GPtrArray *old_dirs;       /* double[n], owned */
  GPtrArray *old_stps;       /* double[n], owned */
  GArray    *ro;             /* double */
} History;

static void
history_clear (History *h)
{
  g_free (h->d);
  g_free (h->prev_flat_grad);
  g_ptr_array_unref (h->old_dirs);
  g_ptr_array_unref (h->old_stps);
  g_array_unref (h->ro);
}

static gboolean
read_scalar (LtStateDict *state, const char *name, double *value, GError **error)
{
  LtTensor *t = lt_state_dict_lookup (state, name);

  return t == NULL || lt_tensor_item (t, value, error);
}

/* A vector (or rows of vectors) of n elements each from the state. */
static gboolean
read_rows (const Ctx   *c,
           LtStateDict *state,
           const char  *name,
           GPtrArray   *rows,
           double     **single,
           GError     **error)
{
  LtTensor          *t = lt_state_dict_lookup (state, name);
  g_autofree double *v = NULL;
  gsize              got = 0;

  if (t == NULL)
    return TRUE;
  v = lt_tensor_to_doubles (t, &got, error);
  if (v == NULL && got != 0)
    return FALSE;
  if ((single && got != c->n) || (!single && c->n && got % c->n != 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "LBFGS: the state's \"%s\" has %" G_GSIZE_FORMAT " elements; the "
                   "parameters have %" G_GSIZE_FORMAT " in all",
                   name, got, c->n);
      return FALSE;
    }
  if (single)
    *single = g_steal_pointer (&v);
  else
    for (gsize r = 0; c->n && r < got / c->n; r++)
      g_ptr_array_add (rows, g_memdup2 (v + r * c->n, c->n * sizeof (double)));
  return TRUE;
}

static gboolean
history_read (const Ctx *c, LtStateDict *state, History *h, GError **error)
{
  double    func_evals = 0, n_iter = 0;
  LtTensor *ro = lt_state_dict_lookup (state, "ro");

  h->old_dirs = g_ptr_array_new_with_free_func (g_free);
  h->old_stps = g_ptr_array_new_with_free_func (g_free);
  h->ro = g_array_new (FALSE, FALSE, sizeof (double));
  h->t = 0, h->h_diag = 1, h->prev_loss = 0;
  if (!read_scalar (state, "func_evals", &func_evals, error) ||
      !read_scalar (state, "n_iter", &n_iter, error) || !read_scalar (state, "t", &h->t, error) ||
      !read_scalar (state, "H_diag", &h->h_diag, error) ||
      !read_scalar (state, "prev_loss", &h->prev_loss, error) ||
      !read_rows (c, state, "d", NULL, &h->d, error) ||
      !read_rows (c, state, "prev_flat_grad", NULL, &h->prev_flat_grad, error) ||
      !read_rows (c, state, "old_dirs", h->old_dirs, NULL, error) ||
      !read_rows (c, state, "old_stps", h->old_stps, NULL, error))
    return FALSE;
  h->func_evals = (gint64) func_evals;
  h->n_iter = (gint64) n_iter;
  if (ro != NULL)
    {
      gsize              got = 0;
      g_autofree double *v = lt_tensor_to_doubles (ro, &got, error);

      if (v == NULL && got != 0)
        return FALSE;
      if (got)
        g_array_append_vals (h->ro, v, (guint) got);
    }
  if (h->old_stps->len != h->old_dirs->len || h->ro->len != h->old_dirs->len ||
      (h->n_iter > 0 && (h->d == NULL || h->prev_flat_grad == NULL)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "LBFGS: the state is incomplete (n_iter %" G_GINT64_FORMAT ", %u "
                   "directions, %u steps, %u values of ro, %s, %s)",
                   h->n_iter, h->old_dirs->len, h->old_stps->len, h->ro->len, h->d ? "d" : "no d",
                   h->prev_flat_grad ? "prev_flat_grad" : "no prev_flat_grad");
      return FALSE;
    }
  return TRUE;
}

static gboolean
insert_vector (LtStateDict  *state,
               const char   *name,
               const double *v,
               gsize         rows,
               gsize         n,
               LtDType       dtype,
               GError      **error)
{
  const gint64 shape[2] = { (gint64) rows, (gint64) n };
  g_autoptr(LtTensor) t = NULL;

  t = rows == 1 ? lt_tensor_new_from_doubles (v, n, shape + 1, 1, dtype, error)
                : lt_tensor_new_from_doubles (v, rows * n, shape, 2, dtype, error);
  if (t == NULL)
    return FALSE;
  lt_state_dict_insert (state, name, t);
  return TRUE;
}

static void
insert_scalar (LtStateDict *state, const char *name, double value, LtDType dtype)
{
  g_autoptr(LtTensor) t = lt_scalar_tensor (value, dtype);

  lt_state_dict_insert (state, name, t);
}

static gboolean
history_write (const Ctx *c, LtStateDict *state, History *h, GError **error)
{
  LtDType            dtype = c->f32 ? LT_DTYPE_FLOAT32 : LT_DTYPE_FLOAT64;
  guint              k = h->old_dirs->len;
  g_autofree double *dirs = g_new (double, MAX (k * c->n, 1));
  g_autofree double *stps = g_new (double, MAX (k * c->n, 1));

  insert_scalar (state, "func_evals", (double) h->func_evals, LT_DTYPE_INT64);
  insert_scalar (state, "n_iter", (double) h->n_iter, LT_DTYPE_INT64);
  if (h->d == NULL)
    return TRUE;
  for (guint r = 0; r < k && c->n; r++)
    {
      memcpy (dirs + r * c->n, g_ptr_array_index (h->old_dirs, r), c->n * sizeof (double));
      memcpy (stps + r * c->n, g_ptr_array_index (h->old_stps, r), c->n * sizeof (double));
    }
  insert_scalar (state, "t", h->t, LT_DTYPE_FLOAT64);
  insert_scalar (state, "H_diag", h->h_diag, LT_DTYPE_FLOAT64);
  insert_scalar (state, "prev_loss", h->prev_loss, LT_DTYPE_FLOAT64);
  lt_state_dict_remove (state, "old_dirs");
  lt_state_dict_remove (state, "old_stps");
  lt_state_dict_remove (state, "ro");
  return insert_vector (state, "d", h->d, 1, c->n, dtype, error) &&
         insert_vector (state, "prev_flat_grad", h->prev_flat_grad, 1, c->n, dtype, error) &&
         (k == 0 || (insert_vector (state, "old_dirs", dirs, k, c->n, dtype, error) &&
                     insert_vector (state, "old_stps", stps, k, c->n, dtype, error) &&
                     insert_vector (state, "ro", (double *) (void *) h->ro->data, 1, k,
                                    LT_DTYPE_FLOAT64, error)));
}

/* The step: PyTorch's LBFGS.step, with the history in @h. */
static gboolean
lbfgs_run (const Ctx *c, const double *v, History *h, double *orig_loss, GError **error)
{
  double             lr = v[LR], tolerance_grad = v[TOLERANCE_GRAD];
  double             tolerance_change = v[TOLERANCE_CHANGE], loss;
  gint64             max_iter = (gint64) v[MAX_ITER], max_eval = (gint64) v[MAX_EVAL];
  guint              history_size = (guint) v[HISTORY_SIZE];
  gint64             n_iter = 0, current_evals = 1;
  g_autofree double *flat_grad = NULL;
  g_autofree double *al = g_new0 (double, MAX (history_size, 1));
  gboolean           opt_cond;

  if (!evaluate (c, orig_loss, error))
    return FALSE;
  loss = *orig_loss;
  h->func_evals++;
  flat_grad = gather_flat_grad (c, error);
  if (flat_grad == NULL)
    return FALSE;
  opt_cond = abs_max (c, flat_grad) <= tolerance_grad;
  if (opt_cond)
    return TRUE;

  while (n_iter < max_iter)
    {
      gint64 ls_func_evals = 0;
      double gtd;

      n_iter++;
      h->n_iter++;
      /* the descent direction */
      if (h->n_iter == 1)
        {
          g_free (h->d);
          h->d = g_new (double, MAX (c->n, 1));
          for (gsize i = 0; i < c->n; i++)
            h->d[i] = -flat_grad[i];
          g_ptr_array_set_size (h->old_dirs, 0);
          g_ptr_array_set_size (h->old_stps, 0);
          g_array_set_size (h->ro, 0);
          h->h_diag = 1;
        }
      else
        {
          double *y = g_new (double, MAX (c->n, 1)), *s = g_new (double, MAX (c->n, 1));
          double  ys, *q;
          guint   num_old;

          /* y = g - g_prev, s = d t, and the pair kept when y.s > 1e-10 */
          for (gsize i = 0; i < c->n; i++)
            {
              y[i] = rnd (c, flat_grad[i] - h->prev_flat_grad[i]);
              s[i] = rnd (c, h->d[i] * h->t);
            }
          ys = dot (c, y, s);
          if (ys > 1e-10)
            {
              double r = rnd (c, 1. / ys), yy = dot (c, y, y);

              if (history_size > 0 && h->old_dirs->len >= history_size)
                {
                  g_ptr_array_remove_index (h->old_dirs, 0);
                  g_ptr_array_remove_index (h->old_stps, 0);
                  g_array_remove_index (h->ro, 0);
                }
              if (history_size > 0)
                {
                  g_ptr_array_add (h->old_dirs, y);
                  g_ptr_array_add (h->old_stps, s);
                  g_array_append_val (h->ro, r);
                }
              else
                g_free (y), g_free (s);
              h->h_diag = rnd (c, ys / yy);
            }
          else
            g_free (y), g_free (s);
          /* the two-loop recursion: d = -H g */
          num_old = h->old_dirs->len;
          q = h->d;
          for (gsize i = 0; i < c->n; i++)
            q[i] = -flat_grad[i];
          for (guint i = num_old; i-- > 0;)
            {
              const double *os = g_ptr_array_index (h->old_stps, i);
              const double *od = g_ptr_array_index (h->old_dirs, i);

              al[i] = rnd (c, dot (c, os, q) * g_array_index (h->ro, double, i));
              for (gsize j = 0; j < c->n; j++)
                q[j] = rnd (c, q[j] - al[i] * od[j]);
            }
          for (gsize j = 0; j < c->n; j++)
            q[j] = rnd (c, q[j] * h->h_diag);
          for (guint i = 0; i < num_old; i++)
            {
              const double *os = g_ptr_array_index (h->old_stps, i);
              const double *od = g_ptr_array_index (h->old_dirs, i);
              double        be_i = rnd (c, dot (c, od, q) * g_array_index (h->ro, double, i));

              for (gsize j = 0; j < c->n; j++)
                q[j] = rnd (c, q[j] + rnd (c, al[i] - be_i) * os[j]);
            }
        }
      if (h->prev_flat_grad == NULL)
        h->prev_flat_grad = dup_vec (c, flat_grad);
      else
        memcpy (h->prev_flat_grad, flat_grad, c->n * sizeof (double));
      h->prev_loss = loss;

      /* the step length */
      if (h->n_iter == 1)
        {
          double sum = 0;

          for (gsize i = 0; i < c->n; i++)
            sum += fabs (flat_grad[i]);
          h->t = py_min (1., rnd (c, 1. / rnd (c, sum))) * lr;
        }
      else
        h->t = lr;
      gtd = dot (c, flat_grad, h->d);
      if (gtd > -tolerance_change)
        break;

      if (v[STRONG_WOLFE] != 0)
        {
          g_autoptr(GPtrArray) x = clone_params (c, error);
          double *g_new = NULL;

          if (x == NULL || !strong_wolfe (c, x, &h->t, h->d, loss, flat_grad, gtd, &loss, &g_new,
                                          &ls_func_evals, error))
            return FALSE;
          g_free (flat_grad);
          flat_grad = g_new;
          if (!add_grad (c, h->t, h->d, error))
            return FALSE;
          opt_cond = abs_max (c, flat_grad) <= tolerance_grad;
        }
      else
        {
          if (!add_grad (c, h->t, h->d, error))
            return FALSE;
          if (n_iter != max_iter)
            {
              /* re-evaluated unless this is the last iteration */
              if (!evaluate (c, &loss, error))
                return FALSE;
              g_free (flat_grad);
              flat_grad = gather_flat_grad (c, error);
              if (flat_grad == NULL)
                return FALSE;
              opt_cond = abs_max (c, flat_grad) <= tolerance_grad;
              ls_func_evals = 1;
            }
        }
      current_evals += ls_func_evals;
      h->func_evals += ls_func_evals;

      /* the conditions to stop */
      if (n_iter == max_iter || current_evals >= max_eval || opt_cond)
        break;
      if (rnd (c, abs_max (c, h->d) * fabs (h->t)) <= tolerance_change)
        break;
      if (fabs (loss - h->prev_loss) < tolerance_change)
        break;
    }
  return TRUE;
}

/**
 * lt_lbfgs_step_with_closure:
 * @self: an L-BFGS optimizer
 * @closure: (scope call): re-evaluates the model: clears the gradients,
 *   computes the loss and runs its backward pass
 * @user_data: (closure closure): data for @closure
 * @loss: (out) (optional): return location for the loss the first call of
 *   @closure gave (PyTorch's return value of `step(closure)`)
 * @error: return location for a #GError
 *
 * Performs one step, as `optimizer.step(closure)`: up to "max_iter"
 * iterations of L-BFGS, calling @closure with grad mode on and updating
 * the parameters with grad mode off.
 *
 * Returns: %TRUE; %FALSE with @error set when @closure failed, the
 *   optimizer has more than one parameter group or its state does not fit
 *   its parameters
 */
gboolean
lt_lbfgs_step_with_closure (LtLBFGS      *self,
                            LtLossClosure closure,
                            gpointer      user_data,
                            double       *loss,
                            GError      **error)
{
  LtOptimizer *opt = LT_OPTIMIZER (self);
  Ctx          c = { 0 };
  History      h = { 0 };
  LtStateDict *state;
  double       orig_loss = NAN;
  gboolean     prev, ok;

  g_return_val_if_fail (LT_IS_LBFGS (self), FALSE);
  g_return_val_if_fail (closure != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (lt_optimizer_get_n_param_groups (opt) != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "LBFGS doesn't support per-parameter options (parameter groups): it has %u",
                   lt_optimizer_get_n_param_groups (opt));
      return FALSE;
    }
  c.params = _lt_optimizer_get_group_params (opt, 0);
  c.closure = closure;
  c.user_data = user_data;
  c.f32 = TRUE;
  for (guint i = 0; i < c.params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (c.params, i);

      c.n += (gsize) lt_tensor_numel (p);
      c.f32 = c.f32 && lt_tensor_get_dtype (p) == LT_DTYPE_FLOAT32;
    }
  state = lt_optimizer_get_state (opt, g_ptr_array_index (c.params, 0));
  if (!history_read (&c, state, &h, error))
    {
      history_clear (&h);
      return FALSE;
    }
  prev = lt_set_grad_enabled (FALSE);
  ok = lbfgs_run (&c, _lt_optimizer_group_values (opt, 0), &h, &orig_loss, error);
  lt_set_grad_enabled (prev);
  ok = ok && history_write (&c, state, &h, error);
  history_clear (&h);
  if (ok && loss)
    *loss = orig_loss;
  return ok;
}

static gboolean
lt_lbfgs_step (LtOptimizer *self, GError **error)
{
  g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "LBFGS: a step needs a closure that re-evaluates the model: call "
                       "lt_lbfgs_step_with_closure() (in Python, step(closure))");
  return FALSE;
}

static void
lt_lbfgs_class_init (LtLBFGSClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->step = lt_lbfgs_step;
}

static void
lt_lbfgs_init (LtLBFGS *self)
{
  /* PyTorch's defaults */
  static const double defaults[N_OPTIONS] = { 1, 20, 25, 1e-7, 1e-9, 100, 0 };

  _lt_optimizer_install_options (LT_OPTIMIZER (self), options + 1, defaults + 1, N_OPTIONS - 1);
  lt_optimizer_set_default (LT_OPTIMIZER (self), "lr", defaults[LR], NULL);
}

/**
 * lt_lbfgs_new:
 * @params: (element-type LtTensor): the parameters to optimize (the only
 *   group)
 * @lr: the learning rate (PyTorch's default: 1)
 * @max_iter: the most iterations per step (default: 20)
 * @max_eval: the most evaluations of the closure per step; 0 or less for
 *   PyTorch's default, max_iter * 5 / 4
 * @tolerance_grad: stop when no gradient element is larger (default: 1e-7)
 * @tolerance_change: stop when the loss or the parameters change less
 *   (default: 1e-9)
 * @history_size: the number of pairs kept (default: 100)
 * @strong_wolfe: whether to search the step length with the strong-Wolfe
 *   line search (PyTorch's line_search_fn="strong_wolfe"; default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.LBFGS(params, lr, max_iter, max_eval,
 * tolerance_grad, tolerance_change, history_size, line_search_fn)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or a negative argument
 */
LtLBFGS *
lt_lbfgs_new (GPtrArray *params,
              double     lr,
              gint64     max_iter,
              gint64     max_eval,
              double     tolerance_grad,
              double     tolerance_change,
              gint64     history_size,
              gboolean   strong_wolfe,
              GError   **error)
{
  g_autoptr(LtLBFGS) self = NULL;
  double      values[N_OPTIONS];
  const char *what = NULL;
  double      value = 0;

  if (max_eval <= 0)
    max_eval = max_iter * 5 / 4;
  if (!(lr >= 0))
    what = "learning rate", value = lr;
  else if (max_iter < 0)
    what = "max_iter", value = (double) max_iter;
  else if (history_size < 0 || history_size > G_MAXUINT32)
    what = "history_size", value = (double) history_size;
  if (!_lt_optimizer_check_arg ("LBFGS", what, value, error))
    return NULL;
  values[LR] = lr, values[MAX_ITER] = (double) max_iter, values[MAX_EVAL] = (double) max_eval;
  values[TOLERANCE_GRAD] = tolerance_grad, values[TOLERANCE_CHANGE] = tolerance_change;
  values[HISTORY_SIZE] = (double) history_size, values[STRONG_WOLFE] = strong_wolfe != 0;
  self = g_object_new (LT_TYPE_LBFGS, NULL);
  for (guint i = 0; i < N_OPTIONS; i++)
    if (!lt_optimizer_set_default (LT_OPTIMIZER (self), options[i].name, values[i], error))
      return NULL;
  if (!_lt_optimizer_init_params (LT_OPTIMIZER (self), "LBFGS", params, error))
    return NULL;
  return g_steal_pointer (&self);
}
