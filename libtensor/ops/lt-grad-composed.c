/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-grad-composed-private.h"
#include "lt-ops-private.h"

/*
 * The gradients of prod, cumprod, lstm_cell and gru_cell made of public
 * ops. Their rules run a fused kernel without a derivative; under
 * create_graph they call these instead, so that the gradient has a history
 * and torch.autograd.grad(..., create_graph=True) can be taken again.
 *
 * Each function keeps its intermediate tensors in an arena of its own,
 * released when it returns; a NULL step stops the chain with @error set.
 */

#define ARENA_SIZE 48

typedef struct
{
  LtTensor *t[ARENA_SIZE];
  guint     n;
} Arena;

static void
arena_clear (Arena *a)
{
  for (guint i = 0; i < a->n; i++)
    g_clear_object (&a->t[i]);
  a->n = 0;
}

/* Keeps @t (may be NULL) for release with the arena, and gives it back */
static LtTensor *
keep (Arena *a, LtTensor *t)
{
  g_assert (a->n < ARENA_SIZE);
  a->t[a->n++] = t;
  return t;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Arena, arena_clear)

/* The steps: each returns NULL when an argument is NULL (an earlier step
 * failed and set the error) */
#define K(expr) keep (&arena, (expr))

static LtTensor *
mul (Arena *arena_, LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? keep (arena_, lt_tensor_mul (a, b, error)) : NULL;
}

static LtTensor *
add (Arena *arena_, LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? keep (arena_, lt_tensor_add (a, b, error)) : NULL;
}

static LtTensor *
sub (Arena *arena_, LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? keep (arena_, lt_tensor_sub (a, b, error)) : NULL;
}

/* 1 - a */
static LtTensor *
one_minus (Arena *arena_, LtTensor *a, GError **error)
{
  return a ? keep (arena_, lt_tensor_rsub_scalar (a, 1.0, error)) : NULL;
}

/* the derivative of sigmoid at its output s: s (1 - s) */
static LtTensor *
dsigmoid (Arena *arena_, LtTensor *s, GError **error)
{
  return mul (arena_, s, one_minus (arena_, s, error), error);
}

/* the derivative of tanh at its output t: 1 - t² */
static LtTensor *
dtanh (Arena *arena_, LtTensor *t, GError **error)
{
  return one_minus (arena_, mul (arena_, t, t, error), error);
}

static LtTensor *
block (Arena *arena_, LtTensor *t, gint64 k, gint64 H, GError **error)
{
  return t ? keep (arena_, lt_tensor_narrow (t, 1, k * H, H, error)) : NULL;
}

LtTensor *
_lt_product_grad_composed (LtTensor *x, LtTensor *g, guint dim, gboolean cumulative, GError **error)
{
  g_auto (Arena) arena = { 0 };
  gint      last = (gint) x->ndim - 1;
  gint64    n = x->shape[dim];
  gint64    nn[2] = { n, n };
  LtTensor *xt, *gt, *eye, *mask, *one, *rows, *X, *dxt;

  /* with the dim last: row k of X is x with x_k replaced by 1, so that
   * prod (X) along the last dim is the product of the others, and
   * cumprod (X) the running products without x_k */
  xt = K (lt_tensor_transpose (x, (gint) dim, last, error));
  gt = xt ? K (lt_tensor_transpose (g, (gint) dim, last, error)) : NULL;
  eye = gt ? K (lt_eye (n, n, x->dtype, error)) : NULL;
  if (eye && x->storage->device != LT_DEVICE_CPU)
    eye = K (lt_tensor_to_device (eye, x->storage->device, error));
  mask = eye ? K (lt_tensor_eq_scalar (eye, 1.0, error)) : NULL;
  one = mask ? K (lt_full (NULL, 0, 1.0, x->dtype, error)) : NULL;
  if (one && x->storage->device != LT_DEVICE_CPU)
    one = K (lt_tensor_to_device (one, x->storage->device, error));
  rows = one ? K (lt_tensor_unsqueeze (xt, last, error)) : NULL;
  X = rows ? K (lt_where (mask, one, rows, error)) : NULL;
  if (X == NULL)
    return NULL;
  if (!cumulative)
    {
      LtTensor *others = K (lt_tensor_prod_dim (X, -1, FALSE, error));

      dxt = mul (&arena, others, gt, error);
    }
  else
    {
      /* dx_k = sum over j >= k of g_j prod (x_i, i <= j, i != k) */
      LtTensor *C = K (lt_tensor_cumprod (X, -1, error));
      LtTensor *ones = C ? K (lt_ones (nn, 2, x->dtype, error)) : NULL;
      LtTensor *upper, *gj, *terms;

      if (ones && x->storage->device != LT_DEVICE_CPU)
        ones = K (lt_tensor_to_device (ones, x->storage->device, error));
      upper = ones ? K (lt_tensor_triu (ones, 0, error)) : NULL;
      gj = upper ? K (lt_tensor_unsqueeze (gt, last, error)) : NULL;
      terms = mul (&arena, mul (&arena, C, gj, error), upper, error);
      dxt = terms ? K (lt_tensor_sum_dim (terms, -1, FALSE, error)) : NULL;
    }
  return dxt ? lt_tensor_transpose (dxt, (gint) dim, last, error) : NULL;
}

gboolean
_lt_lstm_cell_grad_composed (LtTensor  *igates,
                             LtTensor  *hgates,
                             LtTensor  *cx,
                             LtTensor  *g,
                             guint      needs,
                             LtTensor **gi,
                             GError   **error)
{
  g_auto (Arena) arena = { 0 };
  gint64    H = cx->shape[1];
  LtTensor *a, *i, *f, *gg, *o, *cy, *tc, *dh, *dcy, *dc, *parts[4];

  a = K (lt_tensor_add (igates, hgates, error));
  i = block (&arena, a, 0, H, error);
  f = block (&arena, a, 1, H, error);
  gg = block (&arena, a, 2, H, error);
  o = block (&arena, a, 3, H, error);
  i = i ? K (lt_tensor_sigmoid (i, error)) : NULL;
  f = f ? K (lt_tensor_sigmoid (f, error)) : NULL;
  gg = gg ? K (lt_tensor_tanh (gg, error)) : NULL;
  o = o ? K (lt_tensor_sigmoid (o, error)) : NULL;
  cy = add (&arena, mul (&arena, f, cx, error), mul (&arena, i, gg, error), error);
  tc = cy ? K (lt_tensor_tanh (cy, error)) : NULL;
  dh = tc ? K (lt_tensor_select (g, 0, 0, error)) : NULL;
  dcy = dh ? K (lt_tensor_select (g, 0, 1, error)) : NULL;
  /* dc = dcy + dh o (1 - tanh² c') */
  dc = add (&arena, dcy, mul (&arena, mul (&arena, dh, o, error), dtanh (&arena, tc, error), error),
            error);
  parts[0] = mul (&arena, mul (&arena, dc, gg, error), dsigmoid (&arena, i, error), error);
  parts[1] = mul (&arena, mul (&arena, dc, cx, error), dsigmoid (&arena, f, error), error);
  parts[2] = mul (&arena, mul (&arena, dc, i, error), dtanh (&arena, gg, error), error);
  parts[3] = mul (&arena, mul (&arena, dh, tc, error), dsigmoid (&arena, o, error), error);
  if (parts[0] == NULL || parts[1] == NULL || parts[2] == NULL || parts[3] == NULL)
    return FALSE;
  if (needs & 3)
    {
      LtTensor *d = lt_cat (parts, 4, 1, error);

      if (d == NULL)
        return FALSE;
      gi[0] = needs & 1 ? g_object_ref (d) : NULL;
      gi[1] = needs & 2 ? g_object_ref (d) : NULL;
      g_object_unref (d);
    }
  if ((needs & 4) && (gi[2] = lt_tensor_mul (dc, f, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_gru_cell_grad_composed (LtTensor  *igates,
                            LtTensor  *hgates,
                            LtTensor  *hx,
                            LtTensor  *g,
                            guint      needs,
                            LtTensor **gi,
                            GError   **error)
{
  g_auto (Arena) arena = { 0 };
  gint64    H = hx->shape[1];
  LtTensor *r, *z, *hn, *n, *dz, *dn, *dr, *parts[3];

  /* r = σ(ig_r + hg_r), z = σ(ig_z + hg_z), n = tanh(ig_n + r hg_n),
   * h' = (1 - z) n + z hx */
  r = add (&arena, block (&arena, igates, 0, H, error), block (&arena, hgates, 0, H, error), error);
  z = add (&arena, block (&arena, igates, 1, H, error), block (&arena, hgates, 1, H, error), error);
  hn = block (&arena, hgates, 2, H, error);
  r = r ? K (lt_tensor_sigmoid (r, error)) : NULL;
  z = z ? K (lt_tensor_sigmoid (z, error)) : NULL;
  n = add (&arena, block (&arena, igates, 2, H, error), mul (&arena, r, hn, error), error);
  n = n ? K (lt_tensor_tanh (n, error)) : NULL;
  dz = mul (&arena, mul (&arena, g, sub (&arena, hx, n, error), error), dsigmoid (&arena, z, error),
            error);
  dn = mul (&arena, mul (&arena, g, one_minus (&arena, z, error), error), dtanh (&arena, n, error),
            error);
  dr = mul (&arena, mul (&arena, dn, hn, error), dsigmoid (&arena, r, error), error);
  if (dz == NULL || dn == NULL || dr == NULL)
    return FALSE;
  parts[0] = dr;
  parts[1] = dz;
  parts[2] = dn;
  if ((needs & 1) && (gi[0] = lt_cat (parts, 3, 1, error)) == NULL)
    return FALSE;
  if (needs & 2)
    {
      parts[2] = mul (&arena, dn, r, error);
      if (parts[2] == NULL || (gi[1] = lt_cat (parts, 3, 1, error)) == NULL)
        return FALSE;
    }
  if ((needs & 4) && (gi[2] = lt_tensor_mul (g, z, error)) == NULL)
    return FALSE;
  return TRUE;
}
