/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"

/*
 * einsum (torch.einsum) over public ops, so that the gradient flows through
 * them: repeated subscripts of one operand become diagonals, every operand
 * is permuted and given size-1 dims until all follow one order of the
 * subscripts, subscripts no longer needed are summed out, and the operands
 * are multiplied left to right, each pair as one bmm of (batch, rows,
 * contracted) by (batch, contracted, columns).
 *
 * Subscripts: the letters (52 of them) and the dims an ellipsis stands for
 * (after them); at most LT_MAX_DIMS different ones in one equation.
 */

#define N_LETTERS 52

typedef struct
{
  LtTensor *t;   /* owned: K dims, one per subscript of the equation */
  guint64   has; /* the subscripts it holds */
} Operand;

static gint
letter_id (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return 26 + c - 'a';
  return -1;
}

/* Parses one term into subscript ids; an ellipsis gives N_LETTERS + the
 * position of its dims among the @n_ell dims, right aligned. */
static gboolean
parse_term (const char *term,
            gsize       len,
            guint       ndim,
            gboolean    is_output,
            guint      *n_ell,
            gint       *ids,
            guint      *n_ids,
            GError    **error)
{
  guint    letters = 0;
  gboolean ell = FALSE;

  for (gsize i = 0; i < len; i++)
    if (letter_id (term[i]) >= 0)
      letters++;
    else if (term[i] == '.' && i + 2 < len && term[i + 1] == '.' && term[i + 2] == '.' && !ell)
      {
        ell = TRUE;
        i += 2;
      }
    else
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "einsum: '%.*s' is not a valid term: subscripts are letters and one "
                     "ellipsis",
                     (int) len, term);
        return FALSE;
      }
  if (!is_output && (ell ? letters > ndim : letters != ndim))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "einsum: the term '%.*s' has %u subscripts for an operand of %u dimensions",
                   (int) len, term, letters, ndim);
      return FALSE;
    }
  if (!is_output && ell && ndim - letters > *n_ell)
    *n_ell = ndim - letters;
  *n_ids = 0;
  for (gsize i = 0; i < len; i++)
    if (letter_id (term[i]) >= 0)
      ids[(*n_ids)++] = letter_id (term[i]);
    else
      {
        guint e = is_output ? *n_ell : ndim - letters;

        for (guint k = 0; k < e; k++)
          ids[(*n_ids)++] = -1 - (gint) (e - k); /* resolved once n_ell is known */
        i += 2;
      }
  return TRUE;
}

static void
operand_clear (Operand *o)
{
  g_clear_object (&o->t);
}

/* Sums @o over the subscripts of @drop it holds */
static gboolean
sum_out (Operand *o, guint64 drop, guint K, GError **error)
{
  gint      dims[LT_MAX_DIMS];
  guint     n = 0;
  LtTensor *s;

  for (guint k = 0; k < K; k++)
    if ((o->has & drop) >> k & 1)
      dims[n++] = (gint) k;
  if (n == 0)
    return TRUE;
  s = lt_tensor_sum_dims (o->t, dims, n, TRUE, error);
  if (s == NULL)
    return FALSE;
  g_object_unref (o->t);
  o->t = s;
  o->has &= ~drop;
  return TRUE;
}

/* @t permuted to @order, expanded to @sizes where @grow, reshaped to @shape */
static LtTensor *
arrange (LtTensor     *t,
         const gint   *order,
         guint         K,
         const gint64 *sizes,
         guint64       grow,
         const gint64 *shape,
         guint         n_shape,
         GError      **error)
{
  gint64 wide[LT_MAX_DIMS];
  g_autoptr(LtTensor) p = lt_tensor_permute (t, order, K, error);
  g_autoptr(LtTensor) e = NULL;

  if (p == NULL)
    return NULL;
  for (guint i = 0; i < K; i++)
    wide[i] = (grow >> order[i] & 1) ? sizes[order[i]] : p->shape[i];
  e = lt_tensor_expand (p, wide, K, error);
  return e ? lt_tensor_reshape (e, shape, n_shape, error) : NULL;
}

/* A times B, both of K dims in subscript order: the result holds @keep */
static gboolean
contract (Operand *a, Operand *b, guint64 keep, guint K, const gint64 *sizes, GError **error)
{
  guint64 batch = a->has & b->has & keep, contr = a->has & b->has & ~keep;
  guint64 aonly = a->has & ~b->has, bonly = b->has & ~a->has;
  gint    oa[LT_MAX_DIMS], ob[LT_MAX_DIMS], oc[LT_MAX_DIMS], inv[LT_MAX_DIMS];
  gint64  Bt = 1, M = 1, Kc = 1, N = 1, sa[3], sb[3], sc[LT_MAX_DIMS];
  guint   na = 0, nb = 0, nc = 0;
  g_autoptr(LtTensor) a3 = NULL;
  g_autoptr(LtTensor) b3 = NULL;
  g_autoptr(LtTensor) c3 = NULL;
  g_autoptr(LtTensor) c = NULL;
  LtTensor *r;

  /* A: batch, rows, contracted, the rest; B: batch, contracted, columns */
  for (guint k = 0; k < K; k++)
    if (batch >> k & 1)
      {
        oa[na++] = ob[nb++] = oc[nc++] = (gint) k;
        Bt *= sizes[k];
      }
  for (guint k = 0; k < K; k++)
    if (aonly >> k & 1)
      {
        oa[na++] = oc[nc++] = (gint) k;
        M *= sizes[k];
      }
  for (guint k = 0; k < K; k++)
    if (contr >> k & 1)
      {
        oa[na++] = ob[nb++] = (gint) k;
        Kc *= sizes[k];
      }
  for (guint k = 0; k < K; k++)
    if (bonly >> k & 1)
      {
        ob[nb++] = oc[nc++] = (gint) k;
        N *= sizes[k];
      }
  /* then the subscripts each does not hold (size 1) */
  for (guint k = 0; k < K; k++)
    {
      if (!(a->has >> k & 1))
        oa[na++] = (gint) k;
      if (!(b->has >> k & 1))
        ob[nb++] = (gint) k;
      if (!((batch | aonly | bonly) >> k & 1))
        oc[nc++] = (gint) k;
    }
  sa[0] = sb[0] = Bt;
  sa[1] = M;
  sa[2] = sb[1] = Kc;
  sb[2] = N;
  a3 = arrange (a->t, oa, K, sizes, a->has, sa, 3, error);
  b3 = a3 ? arrange (b->t, ob, K, sizes, b->has, sb, 3, error) : NULL;
  c3 = b3 ? lt_tensor_bmm (a3, b3, error) : NULL;
  if (c3 == NULL)
    return FALSE;
  /* (Bt, M, N) -> batch, rows, columns, then size-1 dims, in subscript order */
  for (guint i = 0; i < K; i++)
    {
      sc[i] = ((batch | aonly | bonly) >> oc[i] & 1) ? sizes[oc[i]] : 1;
      inv[oc[i]] = (gint) i;
    }
  c = lt_tensor_reshape (c3, sc, K, error);
  r = c ? lt_tensor_permute (c, inv, K, error) : NULL;
  if (r == NULL)
    return FALSE;
  g_object_unref (a->t);
  a->t = r;
  a->has = batch | aonly | bonly;
  return TRUE;
}

/**
 * lt_einsum:
 * @equation: the subscripts of the operands and, after `->`, of the result,
 *   as `torch.einsum` takes them: `"ij,jk->ik"`, `"bij,bjk"`, `"ii"`,
 *   `"...ij,...jk->...ik"`
 * @operands: (array length=n_operands): one tensor per term of @equation,
 *   all of one dtype and device
 * @n_operands: the number of operands
 * @error: return location for a #GError
 *
 * Einstein summation, as `torch.einsum (equation, *operands)`: subscripts
 * repeated within an operand take its diagonal, subscripts missing from
 * the result are summed over, and without `->` the result has the
 * ellipsis dims and then the subscripts that appear once, in alphabetical
 * order. Computed with diagonal, permute, reshape, sums and bmm, so the
 * gradient flows through those. At most 8 different subscripts (ellipsis
 * dims included).
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an equation that does not match the operands, sizes that differ
 *   for one subscript, or operands of different dtypes
 */
LtTensor *
lt_einsum (const char *equation, LtTensor **operands, gsize n_operands, GError **error)
{
  g_autofree char *eq = NULL;
  const char      *arrow, *term;
  gint             ids[LT_MAX_DIMS + 1][LT_MAX_DIMS + N_LETTERS];
  guint            n_ids[LT_MAX_DIMS + 1], n_ell = 0, K = 0, count[N_LETTERS + LT_MAX_DIMS] = { 0 };
  gint             slot[N_LETTERS + LT_MAX_DIMS];
  gint64           sizes[LT_MAX_DIMS];
  gint             out_ids[N_LETTERS + LT_MAX_DIMS];
  guint            n_out = 0;
  guint64          out_mask = 0;
  Operand          ops[LT_MAX_DIMS] = { { 0 } };
  gboolean         ok = FALSE;
  LtTensor        *result = NULL;

  g_return_val_if_fail (equation != NULL, NULL);
  if (n_operands == 0 || n_operands > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "einsum: %" G_GSIZE_FORMAT " operands given; it takes 1 to %d", n_operands,
                   LT_MAX_DIMS);
      return NULL;
    }
  for (gsize i = 0; i < n_operands; i++)
    {
      g_return_val_if_fail (LT_IS_TENSOR (operands[i]), NULL);
      if (operands[i]->dtype != operands[0]->dtype)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                       "einsum: the operands must have one dtype, not %s and %s",
                       lt_dtype_get_name (operands[0]->dtype),
                       lt_dtype_get_name (operands[i]->dtype));
          return NULL;
        }
    }
  /* without spaces */
  eq = g_malloc (strlen (equation) + 1);
  {
    gsize n = 0;

    for (const char *c = equation; *c; c++)
      if (*c != ' ')
        eq[n++] = *c;
    eq[n] = '\0';
  }
  arrow = strstr (eq, "->");
  term = eq;
  for (gsize i = 0; i <= n_operands; i++)
    {
      const char *end = i < n_operands ? strchr (term, ',') : NULL;
      gsize       len;

      if (i == n_operands)
        break;
      if (i == n_operands - 1)
        end = arrow ? arrow : term + strlen (term);
      if (end == NULL || (arrow && end > arrow))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "einsum: the equation '%s' has fewer terms than the %" G_GSIZE_FORMAT
                       " operands",
                       equation, n_operands);
          return NULL;
        }
      len = (gsize) (end - term);
      if (!parse_term (term, len, operands[i]->ndim, FALSE, &n_ell, ids[i], &n_ids[i], error))
        return NULL;
      term = end + 1;
    }
  if ((arrow ? (gsize) (arrow - eq) : strlen (eq)) != (gsize) (term - 1 - eq))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "einsum: the equation '%s' has more terms than the %" G_GSIZE_FORMAT " operands",
                   equation, n_operands);
      return NULL;
    }
  /* ellipsis dims get ids N_LETTERS.., right aligned */
  for (gsize i = 0; i < n_operands; i++)
    for (guint k = 0; k < n_ids[i]; k++)
      if (ids[i][k] < 0)
        ids[i][k] = N_LETTERS + (gint) n_ell + ids[i][k];
  for (gsize i = 0; i < n_operands; i++)
    for (guint k = 0; k < n_ids[i]; k++)
      count[ids[i][k]]++;
  if (arrow)
    {
      if (!parse_term (arrow + 2, strlen (arrow + 2), 0, TRUE, &n_ell, out_ids, &n_out, error))
        return NULL;
      for (guint k = 0; k < n_out; k++)
        {
          if (out_ids[k] < 0)
            out_ids[k] = N_LETTERS + (gint) n_ell + out_ids[k];
          if (count[out_ids[k]] == 0)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "einsum: an output subscript of '%s' appears in no operand", equation);
              return NULL;
            }
          for (guint j = 0; j < k; j++)
            if (out_ids[j] == out_ids[k])
              {
                g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                             "einsum: the output subscripts of '%s' repeat one", equation);
                return NULL;
              }
        }
    }
  else
    {
      for (guint e = 0; e < n_ell; e++)
        out_ids[n_out++] = N_LETTERS + (gint) e;
      for (gint l = 0; l < N_LETTERS; l++)
        if (count[l] == 1) /* torch's order: upper case letters first */
          out_ids[n_out++] = l;
    }
  /* one slot per subscript: the output's first */
  for (guint l = 0; l < N_LETTERS + LT_MAX_DIMS; l++)
    slot[l] = -1;
  for (guint k = 0; k < n_out; k++)
    slot[out_ids[k]] = (gint) K++;
  for (gsize i = 0; i < n_operands; i++)
    for (guint k = 0; k < n_ids[i]; k++)
      if (slot[ids[i][k]] < 0)
        {
          if (K == LT_MAX_DIMS)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                           "einsum: '%s' has more than %d different subscripts", equation,
                           LT_MAX_DIMS);
              return NULL;
            }
          slot[ids[i][k]] = (gint) K++;
        }
  for (guint k = 0; k < n_out; k++)
    out_mask |= (guint64) 1 << k;
  for (guint k = 0; k < K; k++)
    sizes[k] = 1;

  /* every operand: diagonals of repeated subscripts, then K dims in slot order */
  for (gsize i = 0; i < n_operands; i++)
    {
      g_autoptr(LtTensor) t = g_object_ref (operands[i]);
      gint   s[LT_MAX_DIMS];
      guint  n = n_ids[i];
      gint   order[LT_MAX_DIMS], pos[LT_MAX_DIMS];
      gint64 shape[LT_MAX_DIMS];
      g_autoptr(LtTensor) p = NULL;
      guint m = 0;

      for (guint k = 0; k < n; k++)
        s[k] = slot[ids[i][k]];
      for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++)
          if (s[a] == s[b])
            {
              LtTensor *d;

              if (t->shape[a] != t->shape[b])
                {
                  g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                               "einsum: subscript %u of operand %" G_GSIZE_FORMAT
                               " is repeated over dims of sizes %" G_GINT64_FORMAT
                               " and %" G_GINT64_FORMAT,
                               (guint) s[a], i, t->shape[a], t->shape[b]);
                  goto out;
                }
              d = lt_tensor_diagonal (t, 0, (gint) a, (gint) b, error);
              if (d == NULL)
                goto out;
              g_object_unref (t);
              t = d;
              /* the diagonal is now the last dim */
              {
                gint  keep = s[a];
                guint w = 0;

                for (guint k = 0; k < n; k++)
                  if (k != a && k != b)
                    s[w++] = s[k];
                s[w++] = keep;
                n = w;
              }
              a = (guint) -1;
              break;
            }
      ops[i].has = 0;
      for (guint k = 0; k < n; k++)
        {
          gint64 sz = t->shape[k];

          ops[i].has |= (guint64) 1 << s[k];
          if (sz != 1 && sizes[s[k]] != 1 && sizes[s[k]] != sz)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "einsum: operand %" G_GSIZE_FORMAT " has size %" G_GINT64_FORMAT
                           " for a subscript whose size is %" G_GINT64_FORMAT " elsewhere",
                           i, sz, sizes[s[k]]);
              goto out;
            }
          if (sz != 1)
            sizes[s[k]] = sz;
        }
      /* permute the held dims into slot order, then insert the others as 1 */
      for (guint k = 0; k < K; k++)
        pos[k] = -1;
      for (guint k = 0; k < n; k++)
        pos[s[k]] = (gint) k;
      for (guint k = 0; k < K; k++)
        if (pos[k] >= 0)
          order[m++] = pos[k];
      p = lt_tensor_permute (t, order, n, error);
      if (p == NULL)
        goto out;
      for (guint k = 0; k < K; k++)
        shape[k] = pos[k] >= 0 ? t->shape[pos[k]] : 1;
      ops[i].t = lt_tensor_reshape (p, shape, K, error);
      if (ops[i].t == NULL)
        goto out;
    }

  /* left to right */
  for (gsize i = 0; i < n_operands; i++)
    {
      guint64 later = out_mask;

      for (gsize j = i + 1; j < n_operands; j++)
        later |= ops[j].has;
      if (i == 0)
        {
          if (!sum_out (&ops[0], ~later, K, error))
            goto out;
          continue;
        }
      if (!sum_out (&ops[i], ~(later | ops[0].has), K, error) ||
          !contract (&ops[0], &ops[i], later, K, sizes, error))
        goto out;
    }
  {
    gint64 oshape[LT_MAX_DIMS];
    g_autoptr(LtTensor) e = NULL;

    for (guint k = 0; k < K; k++)
      oshape[k] = k < n_out ? sizes[k] : 1;
    e = lt_tensor_expand (ops[0].t, oshape, K, error);
    result = e ? lt_tensor_reshape (e, oshape, n_out, error) : NULL;
  }
  ok = result != NULL;

out:
  for (gsize i = 0; i < n_operands; i++)
    operand_clear (&ops[i]);
  return ok ? result : NULL;
}
