/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-optimizer-private.h"
#include "ops/lt-multi-tensor-private.h"

/*
 * The step of the library's optimizers over whole groups: where a group's
 * parameters, their gradients and the states they already have can all go
 * to one multi-tensor launch (one device with multi-tensor kernels, one
 * float dtype, contiguous, shapes matching, no storage shared between a
 * parameter, its gradient and its states), the optimizer's multi-step
 * updates the group at once; otherwise every parameter takes the
 * optimizer's update, one by one. Both give the same values: the
 * multi-tensor kernels repeat the updates' arithmetic.
 */

static gboolean
group_qualifies (LtOptimizer       *self,
                 GPtrArray         *all,
                 const char *const *state_names,
                 GPtrArray         *params,
                 GPtrArray         *grads)
{
  LtTensor *first = NULL;

  for (guint i = 0; i < all->len; i++)
    {
      LtTensor    *p = g_ptr_array_index (all, i);
      LtTensor    *grad = lt_tensor_get_grad (p);
      LtStateDict *state;

      if (grad == NULL)
        continue;
      if (!_lt_multi_tensor_supported (p) ||
          (first && (p->storage->device != first->storage->device || p->dtype != first->dtype)) ||
          !_lt_multi_tensor_pair_ok (p, grad))
        return FALSE;
      state = _lt_optimizer_lookup_state (self, p);
      for (guint k = 0; state && state_names[k]; k++)
        {
          LtTensor *s = lt_state_dict_lookup (state, state_names[k]);

          if (s && (!_lt_multi_tensor_pair_ok (p, s) || lt_tensor_shares_storage (s, grad)))
            return FALSE;
        }
      if (first == NULL)
        first = p;
      g_ptr_array_add (params, p);
      g_ptr_array_add (grads, grad);
    }
  return TRUE;
}

gboolean
_lt_optimizer_step_multi (LtOptimizer         *self,
                          const char *const   *state_names,
                          LtOptimizerMultiStep multi,
                          GError             **error)
{
  GPtrArray *all;

  for (guint gi = 0; (all = _lt_optimizer_get_group_params (self, gi)) != NULL; gi++)
    {
      g_autoptr(GPtrArray) params = g_ptr_array_new ();
      g_autoptr(GPtrArray) grads = g_ptr_array_new ();

      if (group_qualifies (self, all, state_names, params, grads))
        {
          if (params->len > 0 && !multi (self, gi, params, grads, error))
            return FALSE;
        }
      else if (!_lt_optimizer_step_group (self, gi, error))
        return FALSE;
    }
  return TRUE;
}
