/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-gradcheck.h"
#include "lt-autograd.h"
#include "lt-grad-fn-private.h"
#include "ops/lt-ops-private.h"

/*
 * torch.autograd.gradcheck: the Jacobian from central finite differences
 * (perturbing each input element in its storage) against the Jacobian from
 * backward passes with one-hot output gradients.
 */

static double *
eval_flat (LtGradcheckFunc func,
           gpointer        user_data,
           LtTensor      **inputs,
           gsize           n_inputs,
           gsize          *n_out,
           GError        **error)
{
  g_autoptr(LtTensor) out = NULL;
  gboolean prev = lt_set_grad_enabled (FALSE);

  out = func (inputs, n_inputs, user_data);
  lt_set_grad_enabled (prev);
  if (out == NULL)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_FAILED,
                           "gradcheck: the function returned no tensor");
      return NULL;
    }
  return lt_tensor_to_doubles (out, n_out, error);
}

/* Address of logical element @k of a CPU float64 tensor. */
static double *
element_ptr (LtTensor *t,
             gint64    k)
{
  gint64 off = t->offset;

  for (guint d = t->ndim; d-- > 0;)
    {
      off += (k % t->shape[d]) * t->strides[d];
      k /= t->shape[d];
    }
  return (double *) t->storage->data + off;
}

/**
 * lt_gradcheck:
 * @func: (scope call) (closure user_data): computes an output from @inputs
 * @user_data: data for @func
 * @inputs: (array length=n_inputs): the inputs; those that require grad
 *   must be float64 CPU tensors whose elements do not share memory
 * @n_inputs: the number of inputs
 * @eps: the finite-difference step (1e-6 as PyTorch's default)
 * @atol: the absolute tolerance (1e-5)
 * @rtol: the relative tolerance (1e-3)
 * @error: return location for a #GError
 *
 * Checks the gradients autograd computes for @func against finite
 * differences, as `torch.autograd.gradcheck`: every entry of the analytic
 * Jacobian must be within @atol + @rtol * |numerical| of the numerical one.
 * The inputs' #LtTensor:grad is left as it was.
 *
 * Returns: %TRUE when the Jacobians agree; %FALSE with @error set
 *   (%LT_ERROR_AUTOGRAD) naming the first entry that differs
 */
gboolean
lt_gradcheck (LtGradcheckFunc func,
              gpointer        user_data,
              LtTensor      **inputs,
              gsize           n_inputs,
              double          eps,
              double          atol,
              double          rtol,
              GError        **error)
{
  g_autofree double *f0 = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(GPtrArray) saved_grads = NULL;
  gsize n_out;
  gboolean ok = TRUE;

  g_return_val_if_fail (func != NULL, FALSE);

  for (gsize i = 0; i < n_inputs; i++)
    {
      LtTensor *t = inputs[i];

      if (!t->requires_grad)
        continue;
      if (t->dtype != LT_DTYPE_FLOAT64 || t->storage->device != LT_DEVICE_CPU)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                       "gradcheck: input %" G_GSIZE_FORMAT " is %s on %s; use float64 CPU "
                       "inputs", i, lt_dtype_get_name (t->dtype),
                       lt_device_get_name (t->storage->device));
          return FALSE;
        }
      for (guint d = 0; d < t->ndim; d++)
        if (t->strides[d] == 0 && t->shape[d] > 1)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                         "gradcheck: input %" G_GSIZE_FORMAT " has elements that share memory "
                         "(an expanded tensor); clone it", i);
            return FALSE;
          }
    }

  f0 = eval_flat (func, user_data, inputs, n_inputs, &n_out, error);
  if (f0 == NULL)
    return FALSE;

  saved_grads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);
  for (gsize i = 0; i < n_inputs; i++)
    g_ptr_array_add (saved_grads, inputs[i]->grad ? g_object_ref (inputs[i]->grad)
                                                  : g_object_ref (inputs[i]));

  out = func (inputs, n_inputs, user_data);
  if (out == NULL)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_FAILED,
                           "gradcheck: the function returned no tensor");
      ok = FALSE;
      goto restore;
    }
  if (!out->requires_grad)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "gradcheck: the output does not require grad; no input requiring "
                           "grad reached it");
      ok = FALSE;
      goto restore;
    }

  for (gsize i = 0; ok && i < n_inputs; i++)
    {
      LtTensor *t = inputs[i];
      g_autofree double *analytic = NULL;

      if (!t->requires_grad)
        continue;
      /* Analytic: row k of d out / d input i, one backward per output element. */
      analytic = g_new0 (double, MAX (n_out * t->numel, 1));
      for (gsize k = 0; ok && k < n_out; k++)
        {
          g_autoptr(LtTensor) go = lt_zeros_like (out, error);
          gsize ng;
          g_autofree double *grow = NULL;

          if (go == NULL)
            {
              ok = FALSE;
              break;
            }
          *element_ptr (go, (gint64) k) = 1.0;
          g_clear_object (&t->grad);
          if (!lt_tensor_backward (out, go, TRUE, error))
            {
              ok = FALSE;
              break;
            }
          if (t->grad == NULL)
            continue;
          grow = lt_tensor_to_doubles (t->grad, &ng, error);
          if (grow == NULL)
            {
              ok = FALSE;
              break;
            }
          for (gsize j = 0; j < ng; j++)
            analytic[k * t->numel + j] = grow[j];
        }

      /* Numerical: central differences, one element at a time. */
      for (gint64 j = 0; ok && j < t->numel; j++)
        {
          double *p = element_ptr (t, j);
          double orig = *p;
          g_autofree double *fp = NULL;
          g_autofree double *fm = NULL;
          gsize n1, n2;

          *p = orig + eps;
          fp = eval_flat (func, user_data, inputs, n_inputs, &n1, error);
          *p = orig - eps;
          fm = fp ? eval_flat (func, user_data, inputs, n_inputs, &n2, error) : NULL;
          *p = orig;
          if (fm == NULL)
            {
              ok = FALSE;
              break;
            }
          for (gsize k = 0; k < n_out; k++)
            {
              double num = (fp[k] - fm[k]) / (2 * eps);
              double ana = analytic[k * t->numel + j];

              if (!(fabs (ana - num) <= atol + rtol * fabs (num)))
                {
                  g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                               "gradcheck: Jacobian mismatch for output element %" G_GSIZE_FORMAT
                               " with respect to element %" G_GINT64_FORMAT " of input %"
                               G_GSIZE_FORMAT ": numerical %.10g, analytical %.10g",
                               k, j, i, num, ana);
                  ok = FALSE;
                  break;
                }
            }
        }
    }

restore:
  for (gsize i = 0; i < n_inputs; i++)
    {
      LtTensor *g = g_ptr_array_index (saved_grads, i);

      g_clear_object (&inputs[i]->grad);
      if (g != inputs[i])
        inputs[i]->grad = g_object_ref (g);
    }
  return ok;
}

/* What lt_gradgradcheck() differentiates: the first derivative of the
 * user's function, weighted by the output gradient (the last input), as
 * one flat tensor. */
typedef struct
{
  LtGradcheckFunc func;
  gpointer        user_data;
  GError         *error; /* the first failure of a first derivative */
} GradOfFunc;

static LtTensor *
grad_of (LtTensor **inputs, gsize n_inputs, gpointer data)
{
  GradOfFunc *gf = data;
  gsize       n = n_inputs - 1;
  LtTensor   *v = inputs[n];
  g_autoptr(GPtrArray) wrt = g_ptr_array_new ();
  g_autoptr(GPtrArray) grads = NULL;
  g_autoptr(GPtrArray) flat = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) out = NULL;
  GError   *error = NULL;
  LtTensor *result = NULL;
  gboolean  prev = lt_set_grad_enabled (TRUE);

  out = gf->func (inputs, n, gf->user_data);
  for (gsize i = 0; i < n; i++)
    if (inputs[i]->requires_grad)
      g_ptr_array_add (wrt, inputs[i]);
  if (out != NULL && out->requires_grad)
    grads = lt_autograd_grad (&out, 1, &v, 1, (LtTensor **) wrt->pdata, wrt->len, TRUE, TRUE, TRUE,
                              &error);
  else if (out != NULL)
    {
      grads = g_ptr_array_new_full (wrt->len, NULL);
      g_ptr_array_set_size (grads, wrt->len);
    }
  for (guint i = 0; grads && i < wrt->len; i++)
    {
      LtTensor *g = g_ptr_array_index (grads, i);
      LtTensor *t = g_ptr_array_index (wrt, i);
      g_autoptr(LtTensor) z = g ? NULL : lt_zeros_like (t, NULL);

      g_ptr_array_add (flat, lt_tensor_reshape (g ? g : z, (gint64[]){ -1 }, 1, NULL));
    }
  if (grads && flat->len > 0)
    result = lt_cat ((LtTensor **) flat->pdata, flat->len, 0, &error);
  if (error && gf->error == NULL)
    gf->error = error;
  else
    g_clear_error (&error);
  lt_set_grad_enabled (prev);
  return result;
}

/**
 * lt_gradgradcheck:
 * @func: (scope call) (closure user_data): computes an output from @inputs
 * @user_data: data for @func
 * @inputs: (array length=n_inputs): the inputs; those that require grad
 *   must be float64 CPU tensors whose elements do not share memory
 * @n_inputs: the number of inputs
 * @eps: the finite-difference step (1e-6 as PyTorch's default)
 * @atol: the absolute tolerance (1e-5)
 * @rtol: the relative tolerance (1e-3)
 * @error: return location for a #GError
 *
 * Checks second derivatives, as `torch.autograd.gradgradcheck`: with a
 * fixed output gradient v, the first derivatives of @func that
 * lt_autograd_grad() computes with create_graph are themselves checked with
 * lt_gradcheck() against finite differences, with respect to the inputs
 * and to v.
 *
 * Returns: %TRUE when the second derivatives agree; %FALSE with @error
 *   set naming the first entry that differs, or the error of a backward
 *   rule that cannot be differentiated twice (%LT_ERROR_NOT_SUPPORTED)
 */
gboolean
lt_gradgradcheck (LtGradcheckFunc func,
                  gpointer        user_data,
                  LtTensor      **inputs,
                  gsize           n_inputs,
                  double          eps,
                  double          atol,
                  double          rtol,
                  GError        **error)
{
  GradOfFunc gf = { func, user_data, NULL };
  gboolean   ok;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) v = NULL;
  g_autofree LtTensor **all = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (20261206);
  gboolean prev;

  g_return_val_if_fail (func != NULL, FALSE);
  prev = lt_set_grad_enabled (FALSE);
  out = func (inputs, n_inputs, user_data);
  lt_set_grad_enabled (prev);
  if (out == NULL)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_FAILED,
                           "gradgradcheck: the function returned no tensor");
      return FALSE;
    }
  v = lt_zeros (out->shape, out->ndim, LT_DTYPE_FLOAT64, error);
  if (v == NULL)
    return FALSE;
  for (gint64 k = 0; k < v->numel; k++)
    *element_ptr (v, k) = g_rand_double_range (rng, -1.0, 1.0);
  if (!lt_tensor_set_requires_grad (v, TRUE, error))
    return FALSE;
  all = g_new (LtTensor *, n_inputs + 1);
  for (gsize i = 0; i < n_inputs; i++)
    all[i] = inputs[i];
  all[n_inputs] = v;
  ok = lt_gradcheck (grad_of, &gf, all, n_inputs + 1, eps, atol, rtol, gf.error ? NULL : error);
  if (gf.error != NULL)
    {
      g_propagate_prefixed_error (error, gf.error, "gradgradcheck: ");
      return FALSE;
    }
  return ok;
}
