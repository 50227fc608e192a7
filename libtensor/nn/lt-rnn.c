/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-rnn.h"
#include "lt-functional.h"
#include "lt-init.h"
#include "lt-nn-private.h"
#include "core/lt-error.h"
#include "ops/lt-ops-private.h"
#include "ops/lt-rnn-private.h"

/*
 * The recurrent layers, as torch.nn's RNN, LSTM and GRU (over sequences)
 * and RNNCell, LSTMCell and GRUCell (one step), with PyTorch's parameter
 * names, shapes and initialisation, so that a PyTorch state_dict loads and
 * gives the same outputs.
 *
 * A step is two gate products (x W_ih^T + b_ih, h W_hh^T + b_hh, one gemm
 * each) and the fused pointwise step of ops/lt-rnn-ops.c (LSTM, GRU), or
 * tanh / relu of their sum (RNN). Over a sequence, the input's products of
 * all time steps are one gemm per layer and direction; only the hidden
 * state's are made step by step.
 */

typedef enum
{
  MODE_RNN_TANH,
  MODE_RNN_RELU,
  MODE_LSTM,
  MODE_GRU,
} Mode;

static const char *const mode_names[] = { "RNN_TANH", "RNN_RELU", "LSTM", "GRU" };
static const char *const mode_layers[] = { "RNN", "RNN", "LSTM", "GRU" };

/* gates per hidden unit */
static gint64
mode_gates (Mode mode)
{
  return mode == MODE_LSTM ? 4 : mode == MODE_GRU ? 3 : 1;
}

/* One step: the new h (and for LSTM c) from the gates' products @ig, @hg,
 * the state @h, @c and the projection @w_hr (LSTM, optional). */
static gboolean
cell_step (Mode       mode,
           LtTensor  *ig,
           LtTensor  *hg,
           LtTensor  *h,
           LtTensor  *c,
           LtTensor  *w_hr,
           LtTensor **h_out,
           LtTensor **c_out,
           GError   **error)
{
  switch (mode)
    {
      case MODE_RNN_TANH:
      case MODE_RNN_RELU:
        {
          g_autoptr(LtTensor) sum = lt_tensor_add (ig, hg, error);

          if (sum == NULL)
            return FALSE;
          *h_out =
            mode == MODE_RNN_TANH ? lt_tensor_tanh (sum, error) : lt_tensor_relu (sum, error);
          return *h_out != NULL;
        }
      case MODE_GRU:
        *h_out = _lt_gru_cell_fused (ig, hg, h, error);
        return *h_out != NULL;
      case MODE_LSTM:
      default:
        {
          /* h over c: one node gathers both gradients */
          g_autoptr(LtTensor) state = _lt_lstm_cell_fused (ig, hg, c, error);
          g_autoptr(GPtrArray) hc = state ? lt_tensor_unbind (state, 0, error) : NULL;

          if (hc == NULL)
            return FALSE;
          *c_out = g_object_ref (g_ptr_array_index (hc, 1));
          *h_out = w_hr ? lt_linear (g_ptr_array_index (hc, 0), w_hr, NULL, error)
                        : g_object_ref (g_ptr_array_index (hc, 0));
          return *h_out != NULL;
        }
    }
}

static LtTensor *
zeros_like_dtype (gint64 a, gint64 b, gint64 c, guint ndim, LtTensor *like, GError **error)
{
  gint64 shape[3] = { a, b, c };
  g_autoptr(LtTensor) z = lt_zeros (shape, ndim, like->dtype, error);

  if (z == NULL || like->storage->device == LT_DEVICE_CPU)
    return g_steal_pointer (&z);
  return lt_tensor_to_device (z, like->storage->device, error);
}

static gboolean
check_size (const char *layer, const char *what, gint64 v, GError **error)
{
  if (v < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %s must be greater than zero, not %" G_GINT64_FORMAT, layer, what, v);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_nonlinearity (const char *layer, const char *nonlinearity, Mode *mode, GError **error)
{
  if (nonlinearity == NULL || strcmp (nonlinearity, "tanh") == 0)
    *mode = MODE_RNN_TANH;
  else if (strcmp (nonlinearity, "relu") == 0)
    *mode = MODE_RNN_RELU;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: unknown nonlinearity '%s' (tanh or relu)", layer, nonlinearity);
      return FALSE;
    }
  return TRUE;
}

/* A parameter drawn from U(-k, k), k = 1 / sqrt (hidden_size), registered */
static gboolean
add_param (LtModule     *self,
           const char   *name,
           const gint64 *shape,
           guint         ndim,
           double        k,
           GError      **error)
{
  g_autoptr(LtTensor) t = lt_empty (shape, ndim, LT_DTYPE_FLOAT32, error);

  return t != NULL && lt_init_uniform_ (t, -k, k, error) &&
         lt_module_register_parameter (self, name, t, error);
}

static LtTensor *
get_param (LtModule *self, const char *layer, const char *name, GError **error)
{
  LtTensor *t = lt_module_get_parameter (self, name);

  if (t == NULL)
    g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s: the parameter %s was removed", layer, name);
  return t;
}

/* ---------------------------------------------------------------------------
 * RNNBase */

typedef struct
{
  Mode     mode;
  gint64   input_size, hidden_size, num_layers, proj_size;
  gboolean bias, batch_first, bidirectional;
  double   dropout;
} LtRNNBasePrivate;

/**
 * LtRNNBase:
 *
 * The recurrent layers over sequences, as `torch.nn.RNNBase`: #LtRNN,
 * #LtLSTM and #LtGRU. Each of their @num_layers layers (two directions
 * each when bidirectional) has the parameters `weight_ih_l{k}`,
 * `weight_hh_l{k}`, `bias_ih_l{k}` and `bias_hh_l{k}` (`_reverse` after
 * the layer number for the backward direction; `weight_hr_l{k}` for an
 * LSTM with a projection), with PyTorch's shapes and order, drawn from
 * U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
 *
 * lt_rnn_base_forward_full() takes the input, (L, N, input_size), or
 * (N, L, input_size) with batch_first, or (L, input_size) unbatched, and
 * optional initial states, and gives the last layer's output at every
 * step and each layer's final states, as PyTorch's `(output, h_n)` or
 * `(output, (h_n, c_n))`. The module's forward gives the output alone.
 */
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LtRNNBase, lt_rnn_base, LT_TYPE_MODULE)

/**
 * LtRNN:
 *
 * An Elman recurrent layer, as `torch.nn.RNN`: h' = tanh (x W_ih^T + b_ih
 * + h W_hh^T + b_hh), or relu.
 */
struct _LtRNN
{
  LtRNNBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtRNN, lt_rnn, LT_TYPE_RNN_BASE)

/**
 * LtLSTM:
 *
 * A long short-term memory layer, as `torch.nn.LSTM`, with gates i, f, g,
 * o in that order in its weights' rows; with a projection, h is
 * projected to proj_size by `weight_hr_l{k}`.
 */
struct _LtLSTM
{
  LtRNNBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtLSTM, lt_lstm, LT_TYPE_RNN_BASE)

/**
 * LtGRU:
 *
 * A gated recurrent unit layer, as `torch.nn.GRU`, with gates r, z, n in
 * that order in its weights' rows.
 */
struct _LtGRU
{
  LtRNNBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtGRU, lt_gru, LT_TYPE_RNN_BASE)

/* One direction of one layer over the whole sequence @x (T, N, I): the
 * outputs (T, N, Hout) and the final states. */
static LtTensor *
run_direction (LtModule   *module,
               Mode        mode,
               LtTensor   *x,
               const char *sfx,
               LtTensor   *h0,
               LtTensor   *c0,
               gboolean    reverse,
               LtTensor  **h_last,
               LtTensor  **c_last,
               GError    **error)
{
  const char       *layer = mode_layers[mode];
  gint64            T = x->shape[0], N = x->shape[1];
  g_autofree char  *n_wih = g_strdup_printf ("weight_ih_l%s", sfx);
  g_autofree char  *n_whh = g_strdup_printf ("weight_hh_l%s", sfx);
  g_autofree char  *n_bih = g_strdup_printf ("bias_ih_l%s", sfx);
  g_autofree char  *n_bhh = g_strdup_printf ("bias_hh_l%s", sfx);
  g_autofree char  *n_whr = g_strdup_printf ("weight_hr_l%s", sfx);
  LtRNNBasePrivate *priv = lt_rnn_base_get_instance_private (LT_RNN_BASE (module));
  LtTensor         *w_ih, *w_hh, *b_ih = NULL, *b_hh = NULL, *w_hr = NULL;
  g_autoptr(LtTensor) x2 = NULL;
  g_autoptr(LtTensor) ig2 = NULL;
  g_autoptr(LtTensor) ig_all = NULL;
  g_autoptr(GPtrArray) igs = NULL;
  g_autoptr(LtTensor) h = g_object_ref (h0);
  g_autoptr(LtTensor) c = c0 ? g_object_ref (c0) : NULL;
  g_autoptr(GPtrArray) outs = g_ptr_array_new_full ((guint) T, g_object_unref);
  LtTensor *out;
  gint64    shape[3];

  if ((w_ih = get_param (module, layer, n_wih, error)) == NULL ||
      (w_hh = get_param (module, layer, n_whh, error)) == NULL)
    return NULL;
  if (priv->bias && ((b_ih = get_param (module, layer, n_bih, error)) == NULL ||
                     (b_hh = get_param (module, layer, n_bhh, error)) == NULL))
    return NULL;
  if (priv->proj_size > 0 && (w_hr = get_param (module, layer, n_whr, error)) == NULL)
    return NULL;
  shape[0] = T * N;
  shape[1] = x->shape[2];
  if ((x2 = lt_tensor_reshape (x, shape, 2, error)) == NULL ||
      (ig2 = lt_linear (x2, w_ih, b_ih, error)) == NULL)
    return NULL;
  shape[0] = T;
  shape[1] = N;
  shape[2] = ig2->shape[1];
  /* the steps' input products as one unbind: their gradients go into one
   * (T, N, G * H) tensor, not each into a zeroed tensor of that size */
  if ((ig_all = lt_tensor_reshape (ig2, shape, 3, error)) == NULL ||
      (igs = lt_tensor_unbind (ig_all, 0, error)) == NULL)
    return NULL;
  g_ptr_array_set_size (outs, (guint) T);
  for (gint64 s = 0; s < T; s++)
    {
      gint64    t = reverse ? T - 1 - s : s;
      LtTensor *ig = g_ptr_array_index (igs, t);
      g_autoptr(LtTensor) hg = lt_linear (h, w_hh, b_hh, error);
      LtTensor *hn = NULL, *cn = NULL;

      if (hg == NULL || !cell_step (mode, ig, hg, h, c, w_hr, &hn, &cn, error))
        {
          g_clear_object (&hn);
          g_clear_object (&cn);
          return NULL;
        }
      g_object_unref (h);
      h = hn;
      if (cn)
        {
          g_clear_object (&c);
          c = cn;
        }
      g_ptr_array_index (outs, t) = g_object_ref (h);
    }
  out = lt_stack ((LtTensor **) outs->pdata, outs->len, 0, error);
  if (out == NULL)
    return NULL;
  *h_last = g_steal_pointer (&h);
  *c_last = g_steal_pointer (&c);
  return out;
}

/* @given (or zeros): (L * D, N, size), or (L * D, size) unbatched */
static LtTensor *
initial_state (const char *layer,
               const char *what,
               LtTensor   *given,
               gboolean    batched,
               gint64      layers,
               gint64      N,
               gint64      size,
               LtTensor   *x,
               GError    **error)
{
  if (given == NULL)
    return zeros_like_dtype (layers, N, size, 3, x, error);
  if (given->ndim != (batched ? 3u : 2u) || given->shape[0] != layers ||
      given->shape[given->ndim - 1] != size || (batched && given->shape[1] != N))
    {
      g_autofree char *s = LT_SHAPE_STR (given);
      g_autofree char *e =
        batched
          ? g_strdup_printf ("(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                             layers, N, size)
          : g_strdup_printf ("(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", layers, size);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: expected %s of shape %s, got %s", layer,
                   what, e, s);
      return NULL;
    }
  if (given->dtype != x->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input is %s but %s is %s; they must have the same dtype", layer,
                   lt_dtype_get_name (x->dtype), what, lt_dtype_get_name (given->dtype));
      return NULL;
    }
  return batched ? g_object_ref (given) : lt_tensor_unsqueeze (given, 1, error);
}

/* @t without dim 1 when the input was unbatched */
static LtTensor *
unbatch (LtTensor *t, gboolean batched, GError **error)
{
  return batched ? g_object_ref (t) : lt_tensor_squeeze_dim (t, 1, error);
}

/**
 * lt_rnn_base_forward_full:
 * @self: a recurrent layer
 * @input: the sequence: (L, N, input_size), (N, L, input_size) when the
 *   layer is batch_first, or (L, input_size) unbatched
 * @hx: (nullable): the initial hidden state, (num_layers * directions, N,
 *   hidden_size) (proj_size for an LSTM with a projection), or
 *   (num_layers * directions, hidden_size) unbatched; %NULL for zeros
 * @cx: (nullable): an LSTM's initial cell state, shaped as @hx with
 *   hidden_size; %NULL for zeros (ignored by RNN and GRU)
 * @h_n: (out) (optional) (transfer full): the final hidden state of every
 *   layer and direction, shaped as @hx
 * @c_n: (out) (optional) (transfer full) (nullable): an LSTM's final cell
 *   states; %NULL for RNN and GRU
 * @error: return location for a #GError
 *
 * Runs the layer over a sequence, as PyTorch's `rnn(input, hx)`: the
 * layers one after the other (with dropout between them in training), the
 * backward direction of a bidirectional layer over the reversed sequence,
 * its outputs after the forward direction's in the last dimension.
 *
 * Errors: an input of another number of dimensions or another last size,
 * states of the wrong shape (%LT_ERROR_SHAPE); an input or states whose
 * dtype is not the parameters' (%LT_ERROR_DTYPE); an empty sequence
 * (%LT_ERROR_SHAPE).
 *
 * Returns: (transfer full) (nullable): the last layer's output at every
 *   step, (L, N, directions * hidden_size) (N first when batch_first;
 *   without N unbatched), or %NULL with @error set
 */
LtTensor *
lt_rnn_base_forward_full (LtRNNBase *self,
                          LtTensor  *input,
                          LtTensor  *hx,
                          LtTensor  *cx,
                          LtTensor **h_n,
                          LtTensor **c_n,
                          GError   **error)
{
  LtRNNBasePrivate *p;
  const char       *layer;
  gboolean          batched, lstm;
  gint64            D, Hout, N;
  LtTensor         *w0;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) h0 = NULL;
  g_autoptr(LtTensor) c0 = NULL;
  g_autoptr(LtTensor) layer_in = NULL;
  g_autoptr(GPtrArray) hs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) cs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) hcat = NULL;
  g_autoptr(LtTensor) ccat = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_return_val_if_fail (LT_IS_RNN_BASE (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  p = lt_rnn_base_get_instance_private (self);
  layer = mode_layers[p->mode];
  lstm = p->mode == MODE_LSTM;
  D = p->bidirectional ? 2 : 1;
  Hout = p->proj_size > 0 ? p->proj_size : p->hidden_size;
  if (h_n)
    *h_n = NULL;
  if (c_n)
    *c_n = NULL;
  if (input->ndim != 2 && input->ndim != 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected the input to be 2-D or 3-D but received %u-D tensor", layer,
                   input->ndim);
      return NULL;
    }
  batched = input->ndim == 3;
  if (input->shape[input->ndim - 1] != p->input_size)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: input.size(-1) must be equal to input_size. Expected %" G_GINT64_FORMAT
                   ", got %" G_GINT64_FORMAT,
                   layer, p->input_size, input->shape[input->ndim - 1]);
      return NULL;
    }
  if ((w0 = get_param (LT_MODULE (self), layer, "weight_ih_l0", error)) == NULL)
    return NULL;
  if (input->dtype != w0->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input is %s but the parameters are %s; they must have the same dtype",
                   layer, lt_dtype_get_name (input->dtype), lt_dtype_get_name (w0->dtype));
      return NULL;
    }
  if (!batched)
    x = lt_tensor_unsqueeze (input, 1, error);
  else if (p->batch_first)
    x = lt_tensor_transpose (input, 0, 1, error);
  else
    x = g_object_ref (input);
  if (x == NULL)
    return NULL;
  if (x->shape[0] == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: the input sequence has no step", layer);
      return NULL;
    }
  N = x->shape[1];
  h0 = initial_state (layer, lstm ? "hx[0] (h_0)" : "hx (h_0)", hx, batched, p->num_layers * D, N,
                      Hout, x, error);
  if (h0 == NULL)
    return NULL;
  if (lstm && (c0 = initial_state (layer, "hx[1] (c_0)", cx, batched, p->num_layers * D, N,
                                   p->hidden_size, x, error)) == NULL)
    return NULL;
  layer_in = g_object_ref (x);
  for (gint64 l = 0; l < p->num_layers; l++)
    {
      LtTensor *dir_out[2] = { NULL, NULL };
      g_autoptr(LtTensor) lout = NULL;
      gboolean ok = TRUE;

      for (gint64 d = 0; ok && d < D; d++)
        {
          g_autofree char *sfx = g_strdup_printf ("%" G_GINT64_FORMAT "%s", l, d ? "_reverse" : "");
          g_autoptr(LtTensor) hk = lt_tensor_select (h0, 0, l * D + d, error);
          g_autoptr(LtTensor) ck = c0 && hk ? lt_tensor_select (c0, 0, l * D + d, error) : NULL;
          LtTensor *hl = NULL, *cl = NULL;

          ok = hk != NULL && (!lstm || ck != NULL);
          if (ok)
            dir_out[d] = run_direction (LT_MODULE (self), p->mode, layer_in, sfx, hk, ck, d == 1,
                                        &hl, &cl, error);
          ok = ok && dir_out[d] != NULL;
          if (ok)
            {
              g_ptr_array_add (hs, hl);
              if (cl)
                g_ptr_array_add (cs, cl);
            }
        }
      if (ok)
        lout = D == 2 ? lt_cat (dir_out, 2, 2, error) : g_object_ref (dir_out[0]);
      g_clear_object (&dir_out[0]);
      g_clear_object (&dir_out[1]);
      if (lout == NULL)
        return NULL;
      g_object_unref (layer_in);
      if (l < p->num_layers - 1 && p->dropout > 0 && lt_module_is_training (LT_MODULE (self)))
        {
          layer_in = lt_dropout (lout, p->dropout, TRUE, error);
          if (layer_in == NULL)
            return NULL;
        }
      else
        layer_in = g_steal_pointer (&lout);
    }
  hcat = lt_stack ((LtTensor **) hs->pdata, hs->len, 0, error);
  if (hcat == NULL)
    return NULL;
  if (lstm && (ccat = lt_stack ((LtTensor **) cs->pdata, cs->len, 0, error)) == NULL)
    return NULL;
  if (!batched)
    out = lt_tensor_squeeze_dim (layer_in, 1, error);
  else if (p->batch_first)
    out = lt_tensor_transpose (layer_in, 0, 1, error);
  else
    out = g_object_ref (layer_in);
  if (out == NULL)
    return NULL;
  if (h_n && (*h_n = unbatch (hcat, batched, error)) == NULL)
    return NULL;
  if (c_n && lstm && (*c_n = unbatch (ccat, batched, error)) == NULL)
    {
      g_clear_object (h_n);
      return NULL;
    }
  return g_steal_pointer (&out);
}

static LtTensor *
lt_rnn_base_forward (LtModule *module, LtTensor *input, GError **error)
{
  return lt_rnn_base_forward_full (LT_RNN_BASE (module), input, NULL, NULL, NULL, NULL, error);
}

static char *
lt_rnn_base_extra_repr (LtModule *module)
{
  LtRNNBasePrivate *p = lt_rnn_base_get_instance_private (LT_RNN_BASE (module));
  GString          *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, p->input_size,
                          p->hidden_size);
  if (p->proj_size != 0)
    g_string_append_printf (s, ", proj_size=%" G_GINT64_FORMAT, p->proj_size);
  if (p->num_layers != 1)
    g_string_append_printf (s, ", num_layers=%" G_GINT64_FORMAT, p->num_layers);
  if (!p->bias)
    g_string_append (s, ", bias=False");
  if (p->batch_first)
    g_string_append (s, ", batch_first=True");
  if (p->dropout != 0)
    {
      g_autofree char *v = _lt_py_float_repr (p->dropout);

      g_string_append_printf (s, ", dropout=%s", v);
    }
  if (p->bidirectional)
    g_string_append (s, ", bidirectional=True");
  return g_string_free (s, FALSE);
}

static void
lt_rnn_base_class_init (LtRNNBaseClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_rnn_base_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_rnn_base_extra_repr;
}

static void
lt_rnn_base_init (LtRNNBase *self)
{
}

static void
lt_rnn_class_init (LtRNNClass *klass)
{
}

static void
lt_rnn_init (LtRNN *self)
{
}

static void
lt_lstm_class_init (LtLSTMClass *klass)
{
}

static void
lt_lstm_init (LtLSTM *self)
{
}

static void
lt_gru_class_init (LtGRUClass *klass)
{
}

static void
lt_gru_init (LtGRU *self)
{
}

/* Checks the options, keeps them and registers the parameters in
 * PyTorch's order, each drawn as PyTorch's reset_parameters does. */
static gboolean
rnn_base_setup (LtRNNBase *self,
                Mode       mode,
                gint64     input_size,
                gint64     hidden_size,
                gint64     num_layers,
                gboolean   bias,
                gboolean   batch_first,
                double     dropout,
                gboolean   bidirectional,
                gint64     proj_size,
                GError   **error)
{
  LtRNNBasePrivate *p = lt_rnn_base_get_instance_private (self);
  const char       *layer = mode_layers[mode];
  gint64            G = mode_gates (mode), D = bidirectional ? 2 : 1;
  gint64            Hout = proj_size > 0 ? proj_size : hidden_size;
  double            k;

  if (!check_size (layer, "input_size", input_size, error) ||
      !check_size (layer, "hidden_size", hidden_size, error) ||
      !check_size (layer, "num_layers", num_layers, error))
    return FALSE;
  if (!(dropout >= 0 && dropout <= 1))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: dropout should be a number in range [0, 1] representing the probability "
                   "of an element being zeroed, not %g",
                   layer, dropout);
      return FALSE;
    }
  if (proj_size < 0 || (proj_size > 0 && proj_size >= hidden_size))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: proj_size (%" G_GINT64_FORMAT ") must be at least 0 and smaller than "
                   "hidden_size (%" G_GINT64_FORMAT ")",
                   layer, proj_size, hidden_size);
      return FALSE;
    }
  p->mode = mode;
  p->input_size = input_size;
  p->hidden_size = hidden_size;
  p->num_layers = num_layers;
  p->bias = bias;
  p->batch_first = batch_first;
  p->dropout = dropout;
  p->bidirectional = bidirectional;
  p->proj_size = proj_size;
  k = 1.0 / sqrt ((double) hidden_size);
  for (gint64 l = 0; l < num_layers; l++)
    for (gint64 d = 0; d < D; d++)
      {
        const char      *rev = d ? "_reverse" : "";
        gint64           in = l == 0 ? input_size : Hout * D;
        gint64           wih[2] = { G * hidden_size, in };
        gint64           whh[2] = { G * hidden_size, Hout };
        gint64           whr[2] = { proj_size, hidden_size };
        g_autofree char *n_wih = g_strdup_printf ("weight_ih_l%" G_GINT64_FORMAT "%s", l, rev);
        g_autofree char *n_whh = g_strdup_printf ("weight_hh_l%" G_GINT64_FORMAT "%s", l, rev);
        g_autofree char *n_bih = g_strdup_printf ("bias_ih_l%" G_GINT64_FORMAT "%s", l, rev);
        g_autofree char *n_bhh = g_strdup_printf ("bias_hh_l%" G_GINT64_FORMAT "%s", l, rev);
        g_autofree char *n_whr = g_strdup_printf ("weight_hr_l%" G_GINT64_FORMAT "%s", l, rev);

        if (!add_param (LT_MODULE (self), n_wih, wih, 2, k, error) ||
            !add_param (LT_MODULE (self), n_whh, whh, 2, k, error))
          return FALSE;
        if (bias && (!add_param (LT_MODULE (self), n_bih, wih, 1, k, error) ||
                     !add_param (LT_MODULE (self), n_bhh, wih, 1, k, error)))
          return FALSE;
        if (proj_size > 0 && !add_param (LT_MODULE (self), n_whr, whr, 2, k, error))
          return FALSE;
      }
  return TRUE;
}

/**
 * lt_rnn_new:
 * @input_size: the size of an input step
 * @hidden_size: the size of the hidden state
 * @num_layers: the number of stacked layers
 * @nonlinearity: (nullable): "tanh" (%NULL) or "relu"
 * @bias: whether the layers have the biases b_ih and b_hh
 * @batch_first: whether the input and output are (N, L, features) rather
 *   than (L, N, features)
 * @dropout: the probability of dropout on the outputs of every layer but
 *   the last, in training
 * @bidirectional: whether every layer also runs over the reversed sequence
 * @error: return location for a #GError
 *
 * Creates an Elman recurrent layer, as `nn.RNN(input_size, hidden_size,
 * num_layers, nonlinearity, bias, batch_first, dropout, bidirectional)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1, a @dropout outside
 *   [0, 1] or an unknown @nonlinearity
 */
LtRNN *
lt_rnn_new (gint64      input_size,
            gint64      hidden_size,
            gint64      num_layers,
            const char *nonlinearity,
            gboolean    bias,
            gboolean    batch_first,
            double      dropout,
            gboolean    bidirectional,
            GError    **error)
{
  g_autoptr(LtRNN) self = NULL;
  Mode mode;

  if (!parse_nonlinearity ("RNN", nonlinearity, &mode, error))
    return NULL;
  self = g_object_new (LT_TYPE_RNN, NULL);
  if (!rnn_base_setup (LT_RNN_BASE (self), mode, input_size, hidden_size, num_layers, bias,
                       batch_first, dropout, bidirectional, 0, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_lstm_new:
 * @input_size: the size of an input step
 * @hidden_size: the size of the cell state (and of the hidden state
 *   without a projection)
 * @num_layers: the number of stacked layers
 * @bias: whether the layers have the biases b_ih and b_hh
 * @batch_first: whether the input and output are (N, L, features) rather
 *   than (L, N, features)
 * @dropout: the probability of dropout on the outputs of every layer but
 *   the last, in training
 * @bidirectional: whether every layer also runs over the reversed sequence
 * @proj_size: the size h is projected to at every step (0: none)
 * @error: return location for a #GError
 *
 * Creates a long short-term memory layer, as `nn.LSTM(input_size,
 * hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
 * proj_size)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1, a @dropout outside
 *   [0, 1] or a @proj_size that is negative or not below @hidden_size
 */
LtLSTM *
lt_lstm_new (gint64   input_size,
             gint64   hidden_size,
             gint64   num_layers,
             gboolean bias,
             gboolean batch_first,
             double   dropout,
             gboolean bidirectional,
             gint64   proj_size,
             GError **error)
{
  g_autoptr(LtLSTM) self = g_object_new (LT_TYPE_LSTM, NULL);

  if (!rnn_base_setup (LT_RNN_BASE (self), MODE_LSTM, input_size, hidden_size, num_layers, bias,
                       batch_first, dropout, bidirectional, proj_size, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_gru_new:
 * @input_size: the size of an input step
 * @hidden_size: the size of the hidden state
 * @num_layers: the number of stacked layers
 * @bias: whether the layers have the biases b_ih and b_hh
 * @batch_first: whether the input and output are (N, L, features) rather
 *   than (L, N, features)
 * @dropout: the probability of dropout on the outputs of every layer but
 *   the last, in training
 * @bidirectional: whether every layer also runs over the reversed sequence
 * @error: return location for a #GError
 *
 * Creates a gated recurrent unit layer, as `nn.GRU(input_size,
 * hidden_size, num_layers, bias, batch_first, dropout, bidirectional)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1 or a @dropout outside
 *   [0, 1]
 */
LtGRU *
lt_gru_new (gint64   input_size,
            gint64   hidden_size,
            gint64   num_layers,
            gboolean bias,
            gboolean batch_first,
            double   dropout,
            gboolean bidirectional,
            GError **error)
{
  g_autoptr(LtGRU) self = g_object_new (LT_TYPE_GRU, NULL);

  if (!rnn_base_setup (LT_RNN_BASE (self), MODE_GRU, input_size, hidden_size, num_layers, bias,
                       batch_first, dropout, bidirectional, 0, error))
    return NULL;
  return g_steal_pointer (&self);
}

#define RNN_BASE_GETTER(type, field, fallback, what)                                               \
  type lt_rnn_base_get_##field (LtRNNBase *self)                                                   \
  {                                                                                                \
    g_return_val_if_fail (LT_IS_RNN_BASE (self), fallback);                                        \
    return ((LtRNNBasePrivate *) lt_rnn_base_get_instance_private (self))->field;                  \
  }

/**
 * lt_rnn_base_get_input_size:
 * @self: a recurrent layer
 *
 * Gets the size of an input step.
 *
 * Returns: input_size
 */
RNN_BASE_GETTER (gint64, input_size, 0, "input_size")

/**
 * lt_rnn_base_get_hidden_size:
 * @self: a recurrent layer
 *
 * Gets the size of the hidden state (an LSTM's cell state).
 *
 * Returns: hidden_size
 */
RNN_BASE_GETTER (gint64, hidden_size, 0, "hidden_size")

/**
 * lt_rnn_base_get_num_layers:
 * @self: a recurrent layer
 *
 * Gets the number of stacked layers.
 *
 * Returns: num_layers
 */
RNN_BASE_GETTER (gint64, num_layers, 0, "num_layers")

/**
 * lt_rnn_base_get_bias:
 * @self: a recurrent layer
 *
 * Gets whether the layers have biases.
 *
 * Returns: bias
 */
RNN_BASE_GETTER (gboolean, bias, FALSE, "bias")

/**
 * lt_rnn_base_get_batch_first:
 * @self: a recurrent layer
 *
 * Gets whether the input and output have the batch first.
 *
 * Returns: batch_first
 */
RNN_BASE_GETTER (gboolean, batch_first, FALSE, "batch_first")

/**
 * lt_rnn_base_get_dropout:
 * @self: a recurrent layer
 *
 * Gets the probability of dropout between layers.
 *
 * Returns: dropout
 */
RNN_BASE_GETTER (double, dropout, 0.0, "dropout")

/**
 * lt_rnn_base_get_bidirectional:
 * @self: a recurrent layer
 *
 * Gets whether the layers run in both directions.
 *
 * Returns: bidirectional
 */
RNN_BASE_GETTER (gboolean, bidirectional, FALSE, "bidirectional")

/**
 * lt_rnn_base_get_proj_size:
 * @self: a recurrent layer
 *
 * Gets the size of an LSTM's projection.
 *
 * Returns: proj_size, 0 for none
 */
RNN_BASE_GETTER (gint64, proj_size, 0, "proj_size")

/**
 * lt_rnn_base_get_mode:
 * @self: a recurrent layer
 *
 * Gets the kind of layer, as PyTorch's `mode`.
 *
 * Returns: (transfer none): "RNN_TANH", "RNN_RELU", "LSTM" or "GRU"
 */
const char *
lt_rnn_base_get_mode (LtRNNBase *self)
{
  g_return_val_if_fail (LT_IS_RNN_BASE (self), NULL);
  return mode_names[((LtRNNBasePrivate *) lt_rnn_base_get_instance_private (self))->mode];
}
