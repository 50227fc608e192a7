/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "core/lt-shape-private.h"
#include "core/lt-tensor-private.h"
#include "lt-loss.h"
#include "lt-ops-private.h"

/*
 * The losses that are compositions of public ops: binary cross entropy on
 * probabilities, smooth L1, Huber, KL divergence, cosine similarity and the
 * cosine-embedding and margin-ranking losses. Autograd records the ops they
 * are made of, so their gradients are those of the compositions; each
 * composition is the one of PyTorch's reference formula, and the Python
 * suite compares values and gradients with PyTorch's.
 */

/* Each step of a composition: the new tensor, or NULL once a step failed. */
#define STEP(var, call) g_autoptr (LtTensor) var = (call)

static gboolean
check_same_shape (const char *op,
                  const char *what,
                  LtTensor   *t,
                  LtTensor   *input,
                  GError    **error)
{
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  if (_lt_shape_equal (t->shape, t->ndim, input->shape, input->ndim))
    return TRUE;
  s1 = LT_SHAPE_STR (t);
  s2 = LT_SHAPE_STR (input);
  g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: the %s's shape %s must be the input's %s",
               op, what, s1, s2);
  return FALSE;
}

/* log(@x) clamped at -100, as PyTorch's binary_cross_entropy: where @x is
 * not positive the result is -100 and its gradient 0 (the logarithm is not
 * taken there, so no NaN reaches the gradient). */
static LtTensor *
clamped_log (LtTensor *x,
             GError  **error)
{
  STEP (pos, lt_tensor_gt_scalar (x, 0, error));
  STEP (one, pos ? lt_ones_like (x, error) : NULL);
  STEP (safe, one ? lt_where (pos, x, one, error) : NULL);
  STEP (log, safe ? lt_tensor_log (safe, error) : NULL);
  STEP (clamped, log ? lt_tensor_clamp (log, -100, INFINITY, error) : NULL);
  STEP (low, clamped ? lt_full_like (x, -100, error) : NULL);

  return low ? lt_where (pos, clamped, low, error) : NULL;
}

/* Checks every element of @x lies in [0, 1] (NaN does not). */
static gboolean
check_probabilities (const char *op,
                     LtTensor   *x,
                     GError    **error)
{
  double lo, hi;

  if (x->numel == 0)
    return TRUE;
  {
    gboolean prev = lt_set_grad_enabled (FALSE);
    STEP (mn, lt_tensor_min (x, error));
    STEP (mx, mn ? lt_tensor_max (x, error) : NULL);

    lt_set_grad_enabled (prev);
    if (mx == NULL || !lt_tensor_item (mn, &lo, error) || !lt_tensor_item (mx, &hi, error))
      return FALSE;
  }
  if (lo >= 0 && hi <= 1)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s: all elements of input should be between 0 and 1 (they lie in [%g, %g]); "
               "give probabilities, or logits to binary_cross_entropy_with_logits",
               op, lo, hi);
  return FALSE;
}

/**
 * lt_binary_cross_entropy:
 * @input: probabilities, any shape, every element in [0, 1]
 * @target: probabilities of @input's shape
 * @weight: (nullable): a weight that broadcasts to @input's shape
 * @reduction: how to combine the losses of the elements
 * @error: return location for a #GError
 *
 * Computes `-(t log x + (1 - t) log(1 - x))` with both logarithms clamped
 * at -100, times @weight, as `torch.nn.functional.binary_cross_entropy()`.
 * For logits, lt_binary_cross_entropy_with_logits() is the stable form.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a target or weight of another shape, integer tensors, or an input
 *   outside [0, 1]
 */
LtTensor *
lt_binary_cross_entropy (LtTensor    *input,
                         LtTensor    *target,
                         LtTensor    *weight,
                         LtReduction  reduction,
                         GError     **error)
{
  const char *op = "binary_cross_entropy";

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error) ||
      !_lt_loss_check_float (op, "target", target, error) ||
      !check_same_shape (op, "target", target, input, error) ||
      (weight && !_lt_loss_check_broadcasts_to (op, "weight", weight, input, error)) ||
      !check_probabilities (op, input, error))
    return NULL;
  {
    STEP (log_x, clamped_log (input, error));
    STEP (one_minus_x, log_x ? lt_tensor_rsub_scalar (input, 1, error) : NULL);
    STEP (log_1mx, one_minus_x ? clamped_log (one_minus_x, error) : NULL);
    STEP (one_minus_t, log_1mx ? lt_tensor_rsub_scalar (target, 1, error) : NULL);
    STEP (a, one_minus_t ? lt_tensor_mul (target, log_x, error) : NULL);
    STEP (b, a ? lt_tensor_mul (one_minus_t, log_1mx, error) : NULL);
    STEP (sum, b ? lt_tensor_add (a, b, error) : NULL);
    STEP (loss, sum ? lt_tensor_neg (sum, error) : NULL);
    STEP (weighted, loss && weight ? lt_tensor_mul (loss, weight, error) : NULL);

    if (loss == NULL || (weight && weighted == NULL))
      return NULL;
    return _lt_loss_reduce (weight ? weighted : loss, reduction, error);
  }
}

/* |input - target| after the shared checks of the regression losses */
static LtTensor *
abs_diff (const char *op,
          LtTensor   *input,
          LtTensor   *target,
          LtReduction reduction,
          GError    **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error) ||
      !check_same_shape (op, "target", target, input, error))
    return NULL;
  {
    STEP (d, lt_tensor_sub (input, target, error));

    return d ? lt_tensor_abs (d, error) : NULL;
  }
}

/* where(d < limit, d * d * quad, (d - shift) * scale), reduced */
static LtTensor *
piecewise_loss (LtTensor   *d,
                double      limit,
                double      quad,
                double      shift,
                double      scale,
                LtReduction reduction,
                GError    **error)
{
  STEP (small, lt_tensor_lt_scalar (d, limit, error));
  STEP (sq, small ? lt_tensor_mul (d, d, error) : NULL);
  STEP (inner, sq ? lt_tensor_mul_scalar (sq, quad, error) : NULL);
  STEP (shifted, inner ? lt_tensor_sub_scalar (d, shift, error) : NULL);
  STEP (outer, shifted ? lt_tensor_mul_scalar (shifted, scale, error) : NULL);
  STEP (loss, outer ? lt_where (small, inner, outer, error) : NULL);

  return loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
}

/**
 * lt_smooth_l1_loss:
 * @input: the predictions, floating point
 * @target: the targets, of @input's shape
 * @reduction: how to combine the losses of the elements
 * @beta: where the loss turns from quadratic to linear, not negative
 *   (PyTorch's default: 1.0)
 * @error: return location for a #GError
 *
 * Computes `0.5 d² / beta` where `d = |input - target| < beta` and
 * `d - 0.5 beta` elsewhere (the L1 loss for @beta 0), as
 * `torch.nn.functional.smooth_l1_loss()`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_smooth_l1_loss (LtTensor    *input,
                   LtTensor    *target,
                   LtReduction  reduction,
                   double       beta,
                   GError     **error)
{
  const char *op = "smooth_l1_loss";

  if (!(beta >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s does not support negative values for beta (got %g)", op, beta);
      return NULL;
    }
  {
    STEP (d, abs_diff (op, input, target, reduction, error));

    if (d == NULL)
      return NULL;
    if (beta == 0)
      return _lt_loss_reduce (d, reduction, error);
    return piecewise_loss (d, beta, 0.5 / beta, 0.5 * beta, 1, reduction, error);
  }
}

/**
 * lt_huber_loss:
 * @input: the predictions, floating point
 * @target: the targets, of @input's shape
 * @reduction: how to combine the losses of the elements
 * @delta: where the loss turns from quadratic to linear, positive
 *   (PyTorch's default: 1.0)
 * @error: return location for a #GError
 *
 * Computes `0.5 d²` where `d = |input - target| < delta` and
 * `delta (d - 0.5 delta)` elsewhere, as
 * `torch.nn.functional.huber_loss()`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_huber_loss (LtTensor    *input,
               LtTensor    *target,
               LtReduction  reduction,
               double       delta,
               GError     **error)
{
  const char *op = "huber_loss";

  if (!(delta > 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s does not support non-positive values for delta (got %g)", op, delta);
      return NULL;
    }
  {
    STEP (d, abs_diff (op, input, target, reduction, error));

    return d ? piecewise_loss (d, delta, 0.5, 0.5 * delta, delta, reduction, error) : NULL;
  }
}

/**
 * lt_kl_div:
 * @input: log-probabilities, floating point
 * @target: probabilities (or log-probabilities with @log_target) that
 *   broadcast with @input
 * @reduction: how to combine the losses of the elements; PyTorch's
 *   "batchmean" is %LT_REDUCTION_SUM divided by the batch size
 * @log_target: whether @target holds log-probabilities
 * @error: return location for a #GError
 *
 * Computes the pointwise Kullback-Leibler divergence
 * `target (log target - input)`, 0 where target is 0, or with @log_target
 * `exp(target) (target - input)`, as `torch.nn.functional.kl_div()`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_kl_div (LtTensor    *input,
           LtTensor    *target,
           LtReduction  reduction,
           gboolean     log_target,
           GError     **error)
{
  const char *op = "kl_div";

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error))
    return NULL;
  if (log_target)
    {
      STEP (p, lt_tensor_exp (target, error));
      STEP (d, p ? lt_tensor_sub (target, input, error) : NULL);
      STEP (loss, d ? lt_tensor_mul (p, d, error) : NULL);

      return loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
    }
  else
    {
      STEP (pos, lt_tensor_gt_scalar (target, 0, error));
      STEP (one, pos ? lt_ones_like (target, error) : NULL);
      STEP (safe, one ? lt_where (pos, target, one, error) : NULL);
      STEP (log, safe ? lt_tensor_log (safe, error) : NULL);
      STEP (d, log ? lt_tensor_sub (log, input, error) : NULL);
      STEP (terms, d ? lt_tensor_mul (target, d, error) : NULL);
      STEP (zeros, terms ? lt_zeros_like (terms, error) : NULL);
      STEP (loss, zeros ? lt_where (pos, terms, zeros, error) : NULL);

      return loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
    }
}

static gboolean
check_dim (const char *op,
           LtTensor   *t,
           gint64     *dim,
           GError    **error)
{
  gint64 n = MAX (t->ndim, 1);

  if (*dim < -n || *dim >= n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: dimension %" G_GINT64_FORMAT " is out of range for a %u-D tensor "
                   "(expected one in [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "])",
                   op, *dim, t->ndim, -n, n - 1);
      return FALSE;
    }
  if (*dim < 0)
    *dim += n;
  return TRUE;
}

/* sum(x1 * x2, dim) / sqrt(sum(x1², dim) * sum(x2², dim) combined by
 * @combine_eps): cosine similarity as @op computes it. With @squared_eps,
 * the product of the squared norms is clamped at eps² (cosine_similarity);
 * else eps is added to each squared norm (cosine_embedding_loss). */
static LtTensor *
cosine (const char *op,
        LtTensor   *x1,
        LtTensor   *x2,
        gint64      dim,
        double      eps,
        gboolean    squared_eps,
        GError    **error)
{
  if (!_lt_loss_check_float (op, "input1", x1, error) ||
      !_lt_loss_check_float (op, "input2", x2, error) || !check_dim (op, x1, &dim, error))
    return NULL;
  {
    STEP (prod, lt_tensor_mul (x1, x2, error));
    STEP (w12, prod ? lt_tensor_sum_dim (prod, (gint) dim, FALSE, error) : NULL);
    STEP (sq1, w12 ? lt_tensor_mul (x1, x1, error) : NULL);
    STEP (n1, sq1 ? lt_tensor_sum_dim (sq1, (gint) dim, FALSE, error) : NULL);
    STEP (sq2, n1 ? lt_tensor_mul (x2, x2, error) : NULL);
    STEP (n2, sq2 ? lt_tensor_sum_dim (sq2, (gint) dim, FALSE, error) : NULL);
    g_autoptr (LtTensor) denom = NULL;

    if (n2 == NULL)
      return NULL;
    if (squared_eps)
      {
        STEP (nn, lt_tensor_mul (n1, n2, error));
        STEP (clamped, nn ? lt_tensor_clamp (nn, eps * eps, INFINITY, error) : NULL);

        denom = clamped ? lt_tensor_sqrt (clamped, error) : NULL;
      }
    else
      {
        STEP (m1, lt_tensor_add_scalar (n1, eps, error));
        STEP (m2, m1 ? lt_tensor_add_scalar (n2, eps, error) : NULL);
        STEP (mm, m2 ? lt_tensor_mul (m1, m2, error) : NULL);

        denom = mm ? lt_tensor_sqrt (mm, error) : NULL;
      }
    return denom ? lt_tensor_div (w12, denom, error) : NULL;
  }
}

/**
 * lt_cosine_similarity:
 * @x1: a floating-point tensor
 * @x2: a tensor that broadcasts with @x1
 * @dim: the dimension along which the vectors lie (negative counts from
 *   the end; PyTorch's default: 1)
 * @eps: the smallest norm product, against division by zero (PyTorch's
 *   default: 1e-8)
 * @error: return location for a #GError
 *
 * Computes `sum(x1 x2) / sqrt(max(|x1|² |x2|², eps²))` along @dim, as
 * `torch.nn.functional.cosine_similarity()`.
 *
 * Returns: (transfer full) (nullable): the similarities, or %NULL with
 *   @error set
 */
LtTensor *
lt_cosine_similarity (LtTensor *x1,
                      LtTensor *x2,
                      gint64    dim,
                      double    eps,
                      GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (x1), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (x2), NULL);
  return cosine ("cosine_similarity", x1, x2, dim, eps, TRUE, error);
}

/* cosine_embedding_loss's checks: inputs of one shape, a target with one
 * element per pair (the inputs' shape without their last dimension). */
static gboolean
check_pair_loss (const char *op,
                 LtTensor   *input1,
                 LtTensor   *input2,
                 LtTensor   *target,
                 LtReduction reduction,
                 GError    **error)
{
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  guint n = input1->ndim > 0 ? input1->ndim - 1 : 0;

  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !check_same_shape (op, "input2", input2, input1, error))
    return FALSE;
  if (_lt_shape_equal (target->shape, target->ndim, input1->shape, n))
    return TRUE;
  s1 = LT_SHAPE_STR (target);
  s2 = _lt_shape_to_string (input1->shape, n);
  g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: the target's shape %s must be %s", op, s1,
               s2);
  return FALSE;
}

/**
 * lt_cosine_embedding_loss:
 * @input1: vectors along the last dimension (1-D or 2-D), floating point
 * @input2: vectors of @input1's shape
 * @target: 1 for pairs that should be alike, -1 for pairs that should not,
 *   one per vector
 * @margin: the similarity below which unlike pairs cost nothing (PyTorch's
 *   default: 0)
 * @reduction: how to combine the losses of the pairs
 * @error: return location for a #GError
 *
 * Computes `1 - cos(x1, x2)` where the target is 1 and
 * `max(0, cos(x1, x2) - margin)` where it is -1 (0 for other targets), with
 * the cosine as PyTorch's loss takes it (1e-12 added to each squared norm),
 * as `torch.nn.functional.cosine_embedding_loss()`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_cosine_embedding_loss (LtTensor    *input1,
                          LtTensor    *input2,
                          LtTensor    *target,
                          double       margin,
                          LtReduction  reduction,
                          GError     **error)
{
  const char *op = "cosine_embedding_loss";

  g_return_val_if_fail (LT_IS_TENSOR (input1), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input2), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  if (!check_pair_loss (op, input1, input2, target, reduction, error))
    return NULL;
  {
    STEP (cos, cosine (op, input1, input2, -1, 1e-12, FALSE, error));
    STEP (zeros, cos ? lt_zeros_like (cos, error) : NULL);
    STEP (is_pos, zeros ? lt_tensor_eq_scalar (target, 1, error) : NULL);
    STEP (one_minus, is_pos ? lt_tensor_rsub_scalar (cos, 1, error) : NULL);
    STEP (pos, one_minus ? lt_where (is_pos, one_minus, zeros, error) : NULL);
    STEP (is_neg, pos ? lt_tensor_eq_scalar (target, -1, error) : NULL);
    STEP (over, is_neg ? lt_tensor_sub_scalar (cos, margin, error) : NULL);
    STEP (hinge, over ? lt_tensor_clamp (over, 0, INFINITY, error) : NULL);
    STEP (neg, hinge ? lt_where (is_neg, hinge, zeros, error) : NULL);
    STEP (loss, neg ? lt_tensor_add (pos, neg, error) : NULL);

    return loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
  }
}

/**
 * lt_margin_ranking_loss:
 * @input1: scores, floating point
 * @input2: scores of @input1's shape
 * @target: 1 where @input1 should rank higher, -1 where @input2 should,
 *   of @input1's shape
 * @margin: the lead the higher score needs (PyTorch's default: 0)
 * @reduction: how to combine the losses of the pairs
 * @error: return location for a #GError
 *
 * Computes `max(0, -target (input1 - input2) + margin)`, as
 * `torch.nn.functional.margin_ranking_loss()`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_margin_ranking_loss (LtTensor    *input1,
                        LtTensor    *input2,
                        LtTensor    *target,
                        double       margin,
                        LtReduction  reduction,
                        GError     **error)
{
  const char *op = "margin_ranking_loss";

  g_return_val_if_fail (LT_IS_TENSOR (input1), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input2), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input1", input1, error))
    return NULL;
  if (input1->ndim != input2->ndim || input1->ndim != target->ndim)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input1);
      g_autofree char *s2 = LT_SHAPE_STR (input2);
      g_autofree char *s3 = LT_SHAPE_STR (target);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: all input tensors should have the same number of dimensions but got "
                   "input1 %s, input2 %s, target %s",
                   op, s1, s2, s3);
      return NULL;
    }
  {
    STEP (d, lt_tensor_sub (input1, input2, error));
    STEP (neg_t, d ? lt_tensor_neg (target, error) : NULL);
    STEP (prod, neg_t ? lt_tensor_mul (neg_t, d, error) : NULL);
    STEP (shifted, prod ? lt_tensor_add_scalar (prod, margin, error) : NULL);
    STEP (loss, shifted ? lt_tensor_clamp (shifted, 0, INFINITY, error) : NULL);

    return loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
  }
}
