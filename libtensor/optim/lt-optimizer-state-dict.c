/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-optimizer-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-tensor-private.h"
#include "io/lt-json-private.h"
#include "ops/lt-creation.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/* LtOptimizer's state dict (lt_optimizer_state_dict() and
 * lt_optimizer_load_state_dict()), in PyTorch's structure: the
 * per-parameter state tensors named state.<i>.<name>, and the groups'
 * options as the JSON of PyTorch's "param_groups" list in the metadata.
 * It reads and changes the optimizer through lt-optimizer-private.h. */

/* PyTorch keys of param groups that have no meaning here, accepted and
 * ignored by lt_optimizer_load_state_dict() */
static const char *const ignored_keys[] = {
  "foreach", "capturable", "differentiable", "fused", "initial_lr",
};

/* state_dict: the tensors and the "param_groups" JSON */

static void
append_number (GString *s, double v)
{
  char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* the shortest text that reads back as @v, as Python's repr() */
  for (int prec = 1; prec <= 17; prec++)
    {
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

static char *
param_groups_json (LtOptimizer *self)
{
  gint                     b1 = _lt_optimizer_find_option (self, "beta1");
  gint                     b2 = _lt_optimizer_find_option (self, "beta2");
  gboolean                 betas = b1 >= 0 && b2 >= 0;
  guint                    n_options;
  const LtOptimizerOption *options = _lt_optimizer_get_options (self, &n_options);
  GString                 *s = g_string_new ("[");
  guint                    index = 0;

  for (guint gi = 0; gi < lt_optimizer_get_n_param_groups (self); gi++)
    {
      GPtrArray    *params = _lt_optimizer_get_group_params (self, gi);
      const double *values = _lt_optimizer_group_values (self, gi);
      gboolean      first = TRUE;

      g_string_append (s, gi ? ", {" : "{");
      for (guint i = 0; i < n_options; i++)
        {
          const LtOptimizerOption *o = &options[i];
          double                   v = values[i];

          if (betas && (gint) i == b2)
            continue;
          if (!first)
            g_string_append (s, ", ");
          first = FALSE;
          if (betas && (gint) i == b1)
            {
              g_string_append (s, "\"betas\": [");
              append_number (s, v);
              g_string_append (s, ", ");
              append_number (s, values[b2]);
              g_string_append_c (s, ']');
              continue;
            }
          _lt_json_append_string (s, o->name);
          g_string_append (s, ": ");
          if (o->is_boolean)
            g_string_append (s, v != 0 ? "true" : "false");
          else
            append_number (s, v);
        }
      g_string_append (s, first ? "\"params\": [" : ", \"params\": [");
      for (guint i = 0; i < params->len; i++)
        g_string_append_printf (s, "%s%u", i ? ", " : "", index++);
      g_string_append (s, "]}");
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/**
 * lt_optimizer_state_dict:
 * @self: an optimizer
 *
 * Gets the optimizer's state in the structure of PyTorch's
 * `optimizer.state_dict()`, as an #LtStateDict that lt_state_dict_save()
 * writes as safetensors:
 *
 * - `state`: each state tensor of the parameter numbered `i` (numbering
 *   the parameters of all groups in order from 0, as PyTorch packs them)
 *   is named `state.<i>.<name>`: `state.0.momentum_buffer`,
 *   `state.3.exp_avg`, `state.3.exp_avg_sq`, `state.3.step` (a 0-dim
 *   float32 counter), ... Parameters without state (never updated) have
 *   no entry.
 * - `param_groups`: the metadata key "param_groups" holds PyTorch's list
 *   of group dicts as JSON, each with its options and the numbers of its
 *   parameters, e.g. `[{"lr": 0.01, "momentum": 0.9, "dampening": 0,
 *   "weight_decay": 0, "nesterov": false, "maximize": false, "params": [0,
 *   1]}]`. Flags are JSON booleans; Adam's "beta1" and "beta2" are written
 *   as PyTorch's pair "betas".
 *
 * The tensors are the optimizer's own, not copies.
 *
 * Returns: (transfer full): the state
 */
LtStateDict *
lt_optimizer_state_dict (LtOptimizer *self)
{
  LtStateDict     *out;
  g_autofree char *groups = NULL;
  guint            index = 0;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NULL);
  out = lt_state_dict_new ();
  for (guint gi = 0; gi < lt_optimizer_get_n_param_groups (self); gi++)
    {
      GPtrArray *params = _lt_optimizer_get_group_params (self, gi);

      for (guint i = 0; i < params->len; i++, index++)
        {
          LtStateDict *st = _lt_optimizer_lookup_state (self, g_ptr_array_index (params, i));
          guint        n = st ? lt_state_dict_get_n_tensors (st) : 0;

          for (guint k = 0; k < n; k++)
            {
              g_autofree char *name =
                g_strdup_printf ("state.%u.%s", index, lt_state_dict_get_name (st, k));

              lt_state_dict_insert (out, name, lt_state_dict_get_tensor (st, k));
            }
        }
    }
  groups = param_groups_json (self);
  lt_state_dict_set_metadata (out, "param_groups", groups);
  return out;
}

/* load_state_dict: parsing "param_groups" */

typedef struct
{
  GArray   *ids;    /* gint64: the saved numbers of the parameters */
  double   *values; /* one per option */
  gboolean *seen;
} SavedGroup;

static void
saved_group_free (gpointer data)
{
  SavedGroup *g = data;

  g_array_unref (g->ids);
  g_free (g->values);
  g_free (g->seen);
  g_free (g);
}

static gboolean bad_groups (GError **error, LtOptimizer *self, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
bad_groups (GError **error, LtOptimizer *self, const char *format, ...)
{
  va_list          args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: load_state_dict: %s",
               G_OBJECT_TYPE_NAME (self), msg);
  return FALSE;
}

static gboolean
read_literal (LtJsonReader *r, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (r->end - r->p) >= n && memcmp (r->p, word, n) == 0)
    {
      r->p += n;
      return TRUE;
    }
  return FALSE;
}

static gboolean
read_double (LtJsonReader *r, double *out, GError **error)
{
  LtJsonNumber     n;
  const char      *start;
  g_autofree char *text = NULL;

  _lt_json_reader_peek (r);
  start = r->p;
  if (!_lt_json_reader_number (r, &n, error))
    return FALSE;
  text = g_strndup (start, r->p - start);
  *out = g_ascii_strtod (text, NULL);
  return TRUE;
}

/* A JSON scalar (a number, a string, true, false or null), skipped. */
static gboolean
skip_scalar (LtJsonReader *r, GError **error)
{
  char   c = _lt_json_reader_peek (r);
  double d;

  if (c == '"')
    {
      g_autofree char *s = _lt_json_reader_string (r, error);
      return s != NULL;
    }
  if (read_literal (r, "true") || read_literal (r, "false") || read_literal (r, "null"))
    return TRUE;
  if (c == '-' || g_ascii_isdigit (c))
    return read_double (r, &d, error);
  return _lt_json_reader_fail (r, error, "expected a number, a string, a boolean or null");
}

static gboolean
read_option_value (LtOptimizer             *self,
                   LtJsonReader            *r,
                   const LtOptimizerOption *o,
                   double                  *value,
                   GError                 **error)
{
  char c = _lt_json_reader_peek (r);

  if (o->is_boolean)
    {
      if (read_literal (r, "true"))
        *value = 1;
      else if (read_literal (r, "false"))
        *value = 0;
      else
        return bad_groups (error, self, "the flag \"%s\" is %s, not a boolean", o->name,
                           _lt_json_reader_kind (r));
      return TRUE;
    }
  if (c != '-' && !g_ascii_isdigit (c))
    return bad_groups (error, self, "the option \"%s\" is %s, not a number", o->name,
                       _lt_json_reader_kind (r));
  if (!read_double (r, value, error))
    return FALSE;
  return _lt_optimizer_check_value (self, o, *value, error);
}

static GPtrArray *
parse_param_groups (LtOptimizer *self, const char *text, GError **error)
{
  gint                     b1 = _lt_optimizer_find_option (self, "beta1");
  gint                     b2 = _lt_optimizer_find_option (self, "beta2");
  guint                    n_options;
  const LtOptimizerOption *options = _lt_optimizer_get_options (self, &n_options);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (saved_group_free);
  LtJsonReader r;
  gboolean     first = TRUE, more;

  if (!_lt_json_reader_init (&r, text, strlen (text), 0, error) ||
      !_lt_json_reader_expect (&r, '[', error))
    return NULL;
  for (;;)
    {
      SavedGroup *g;
      gboolean    mfirst = TRUE, mmore, has_params = FALSE;

      if (!_lt_json_reader_next (&r, ']', &first, &more, error))
        return NULL;
      if (!more)
        break;
      if (!_lt_json_reader_expect (&r, '{', error))
        return NULL;
      g = g_new0 (SavedGroup, 1);
      g->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g->values = g_new0 (double, n_options);
      g->seen = g_new0 (gboolean, n_options);
      g_ptr_array_add (groups, g);
      for (;;)
        {
          g_autofree char *key = NULL;
          gint             oi;

          if (!_lt_json_reader_next (&r, '}', &mfirst, &mmore, error))
            return NULL;
          if (!mmore)
            break;
          key = _lt_json_reader_string (&r, error);
          if (key == NULL || !_lt_json_reader_expect (&r, ':', error))
            return NULL;
          if (strcmp (key, "params") == 0)
            {
              gboolean pfirst = TRUE, pmore;

              has_params = TRUE;
              if (!_lt_json_reader_expect (&r, '[', error))
                return NULL;
              for (;;)
                {
                  LtJsonNumber n;
                  gint64       id;

                  if (!_lt_json_reader_next (&r, ']', &pfirst, &pmore, error))
                    return NULL;
                  if (!pmore)
                    break;
                  if (!_lt_json_reader_number (&r, &n, error))
                    return NULL;
                  if (!n.is_integer || n.negative || n.overflow || n.magnitude > G_MAXINT32)
                    {
                      bad_groups (error, self,
                                  "group %u: a parameter number is not an "
                                  "integer in [0, 2^31)",
                                  groups->len - 1);
                      return NULL;
                    }
                  id = (gint64) n.magnitude;
                  g_array_append_val (g->ids, id);
                }
              continue;
            }
          if (strcmp (key, "betas") == 0 && b1 >= 0 && b2 >= 0)
            {
              const LtOptimizerOption *o1 = &options[b1];
              const LtOptimizerOption *o2 = &options[b2];

              if (!_lt_json_reader_expect (&r, '[', error) ||
                  !read_option_value (self, &r, o1, &g->values[b1], error) ||
                  !_lt_json_reader_expect (&r, ',', error) ||
                  !read_option_value (self, &r, o2, &g->values[b2], error) ||
                  !_lt_json_reader_expect (&r, ']', error))
                return NULL;
              g->seen[b1] = g->seen[b2] = TRUE;
              continue;
            }
          oi = _lt_optimizer_find_option (self, key);
          if (oi < 0)
            {
              gboolean ignored = FALSE;

              for (guint k = 0; k < G_N_ELEMENTS (ignored_keys); k++)
                ignored = ignored || strcmp (key, ignored_keys[k]) == 0;
              if (!ignored)
                {
                  _lt_optimizer_unknown_option (self, key, error);
                  return NULL;
                }
              if (!skip_scalar (&r, error))
                return NULL;
              continue;
            }
          if (g->seen[oi])
            {
              bad_groups (error, self, "group %u: the option \"%s\" appears twice", groups->len - 1,
                          key);
              return NULL;
            }
          if (!read_option_value (self, &r, &options[oi], &g->values[oi], error))
            return NULL;
          g->seen[oi] = TRUE;
        }
      if (!has_params)
        {
          bad_groups (error, self, "group %u has no \"params\"", groups->len - 1);
          return NULL;
        }
    }
  if (!_lt_json_reader_end (&r, error))
    return NULL;
  return g_steal_pointer (&groups);
}

/* The state tensors that have their parameter's shape */
static gboolean
is_buffer_name (const char *name)
{
  static const char *const names[] = {
    "momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg", "grad_avg",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A copy of @t for the state of @param: the parameter's dtype and device
 * for buffers, a 0-dim float32 tensor for "step". */
static LtTensor *
state_tensor_copy (LtOptimizer *self,
                   const char  *key,
                   const char  *name,
                   LtTensor    *t,
                   LtTensor    *param,
                   GError     **error)
{
  g_autoptr(LtTensor) conv = NULL;
  g_autoptr(LtTensor) moved = NULL;

  if (strcmp (name, "step") == 0)
    {
      double v;

      if (lt_tensor_numel (t) != 1 || !lt_tensor_item (t, &v, error))
        {
          g_clear_error (error);
          bad_groups (error, self, "\"%s\" must hold one number", key);
          return NULL;
        }
      return lt_scalar_tensor (v, LT_DTYPE_FLOAT32);
    }
  if (is_buffer_name (name))
    {
      guint         n1, n2;
      const gint64 *s1 = lt_tensor_get_shape (t, &n1);
      const gint64 *s2 = lt_tensor_get_shape (param, &n2);

      if (!_lt_shape_equal (s1, n1, s2, n2) || !lt_tensor_is_floating_point (t))
        {
          g_autofree char *st = LT_SHAPE_STR (t);
          g_autofree char *sp = LT_SHAPE_STR (param);
          bad_groups (error, self, "\"%s\" is %s of shape %s, but its parameter is of shape %s",
                      key, lt_dtype_get_name (lt_tensor_get_dtype (t)), st, sp);
          return NULL;
        }
      conv = lt_tensor_to_dtype (t, lt_tensor_get_dtype (param), error);
    }
  else
    conv = g_object_ref (t);
  moved = conv ? lt_tensor_to_device (conv, param->storage->device, error) : NULL;
  return moved ? lt_tensor_clone (moved, error) : NULL;
}

/**
 * lt_optimizer_load_state_dict:
 * @self: an optimizer
 * @state: a state made by lt_optimizer_state_dict() (or loaded from its
 *   file) for an optimizer of the same kind over the same parameters
 * @error: return location for a #GError
 *
 * Restores the options of every group and the per-parameter state, as
 * PyTorch's `optimizer.load_state_dict()`: the saved parameters map to this
 * optimizer's in order. Everything is checked first: the groups' count
 * and sizes, the option names and types, the state names
 * (`state.<i>.<name>` with a known parameter `i`) and the shapes of the
 * buffers; on error nothing changes. The tensors are copied to the
 * parameters' types and devices.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_optimizer_load_state_dict (LtOptimizer *self, LtStateDict *state, GError **error)
{
  guint       n_options;
  const char *json;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GHashTable) by_id = NULL;     /* saved number -> LtTensor (borrowed) */
  g_autoptr(GHashTable) new_state = NULL; /* LtTensor -> LtStateDict */
  gboolean prev, ok = TRUE;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (LT_IS_STATE_DICT (state), FALSE);
  _lt_optimizer_get_options (self, &n_options);

  json = lt_state_dict_get_metadata (state, "param_groups");
  if (json == NULL)
    return bad_groups (error, self, "the state has no \"param_groups\" metadata");
  saved = parse_param_groups (self, json, error);
  if (saved == NULL)
    return FALSE;
  if (saved->len != lt_optimizer_get_n_param_groups (self))
    return bad_groups (error, self, "the state has %u parameter groups, the optimizer %u",
                       saved->len, lt_optimizer_get_n_param_groups (self));
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint gi = 0; gi < saved->len; gi++)
    {
      SavedGroup *sg = g_ptr_array_index (saved, gi);
      GPtrArray  *params = _lt_optimizer_get_group_params (self, gi);

      if (sg->ids->len != params->len)
        return bad_groups (error, self,
                           "group %u of the state has %u parameters, the "
                           "optimizer's has %u",
                           gi, sg->ids->len, params->len);
      for (guint i = 0; i < sg->ids->len; i++)
        {
          gint64 *id = &g_array_index (sg->ids, gint64, i);

          if (g_hash_table_contains (by_id, id))
            return bad_groups (
              error, self,
              "parameter number %" G_GINT64_FORMAT " appears twice in the state's groups", *id);
          g_hash_table_insert (by_id, id, g_ptr_array_index (params, i));
        }
    }

  /* the per-parameter state, copied */
  new_state = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  prev = lt_set_grad_enabled (FALSE);
  for (guint k = 0; ok && k < lt_state_dict_get_n_tensors (state); k++)
    {
      const char  *key = lt_state_dict_get_name (state, k);
      const char  *rest, *dot;
      char        *end;
      gint64       id;
      LtTensor    *param;
      LtStateDict *st;
      g_autoptr(LtTensor) copy = NULL;

      if (!g_str_has_prefix (key, "state.") || !g_ascii_isdigit (key[6]))
        {
          ok = bad_groups (error, self,
                           "unexpected tensor \"%s\" (names are "
                           "state.<parameter number>.<name>)",
                           key);
          break;
        }
      rest = key + 6;
      id = g_ascii_strtoll (rest, &end, 10);
      dot = end;
      if (*dot != '.' || dot[1] == '\0' || (rest[0] == '0' && end - rest > 1))
        {
          ok = bad_groups (error, self,
                           "unexpected tensor \"%s\" (names are "
                           "state.<parameter number>.<name>)",
                           key);
          break;
        }
      param = g_hash_table_lookup (by_id, &id);
      if (param == NULL)
        {
          ok = bad_groups (error, self, "\"%s\" belongs to no parameter of the param groups", key);
          break;
        }
      copy =
        state_tensor_copy (self, key, dot + 1, lt_state_dict_get_tensor (state, k), param, error);
      if (copy == NULL)
        {
          ok = FALSE;
          break;
        }
      st = g_hash_table_lookup (new_state, param);
      if (st == NULL)
        {
          st = lt_state_dict_new ();
          g_hash_table_insert (new_state, param, st);
        }
      lt_state_dict_insert (st, dot + 1, copy);
    }
  lt_set_grad_enabled (prev);
  if (!ok)
    return FALSE;

  /* commit */
  for (guint gi = 0; gi < saved->len; gi++)
    {
      SavedGroup *sg = g_ptr_array_index (saved, gi);

      for (guint i = 0; i < n_options; i++)
        if (sg->seen[i])
          _lt_optimizer_set_group_value (self, gi, i, sg->values[i]);
    }
  _lt_optimizer_replace_state (self, g_steal_pointer (&new_state));
  return TRUE;
}
