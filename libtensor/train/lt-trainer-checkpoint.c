/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lt-trainer-private.h"
#include "core/lt-error.h"
#include "core/lt-random.h"
#include "core/lt-version.h"
#include "io/lt-state-dict.h"

/*
 * Checkpoints: one safetensors file holding the model's tensors under
 * "model.", the optimizer's under "optimizer." (their metadata, such as
 * the optimizer's "param_groups", under the same prefixes), and the
 * trainer's position as metadata strings (FORMAT_KEY, "libtensor.version" and the "trainer.",
 * "rng.", "train_loader." and "test_loader." keys below). Numbers are
 * written in decimal; the loss sums with 17 significant digits, which
 * read back to the same doubles.
 */

#define FORMAT_KEY "libtensor.format"
#define FORMAT_VALUE "trainer-checkpoint-1"

void
_lt_trainer_take_snapshot (LtTrainer         *self,
                           LtTrainerSnapshot *snapshot)
{
  g_mutex_lock (&self->lock);
  *snapshot = self->progress;
  g_mutex_unlock (&self->lock);
  lt_random_get_state (&snapshot->rng_seed, &snapshot->rng_offset);
  lt_data_loader_get_position (self->train_loader, &snapshot->train_epoch, &snapshot->train_seed,
                               &snapshot->train_offset, &snapshot->train_batch);
  snapshot->test_epoch = 0;
  if (self->test_loader)
    lt_data_loader_get_position (self->test_loader, &snapshot->test_epoch, NULL, NULL, NULL);
}

gboolean
_lt_trainer_apply_snapshot (LtTrainer               *self,
                            const LtTrainerSnapshot *snapshot,
                            GError                 **error)
{
  if (!lt_data_loader_set_position (self->train_loader, snapshot->train_epoch,
                                    snapshot->train_seed, snapshot->train_offset,
                                    snapshot->train_batch, error))
    return FALSE;
  if (self->test_loader &&
      !lt_data_loader_set_position (self->test_loader, snapshot->test_epoch, 0, 0, -1, error))
    return FALSE;
  lt_random_set_state (snapshot->rng_seed, snapshot->rng_offset);
  g_mutex_lock (&self->lock);
  self->progress = *snapshot;
  g_mutex_unlock (&self->lock);
  self->snapshot = *snapshot;
  self->has_snapshot = TRUE;
  return TRUE;
}

/* Copies @from's tensors and metadata into @to, under @prefix. */
static void
add_prefixed (LtStateDict *to,
              LtStateDict *from,
              const char  *prefix)
{
  guint n = lt_state_dict_get_n_tensors (from);
  g_auto(GStrv) keys = lt_state_dict_get_metadata_keys (from);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strconcat (prefix, lt_state_dict_get_name (from, i), NULL);

      lt_state_dict_insert (to, name, lt_state_dict_get_tensor (from, i));
    }
  for (guint i = 0; keys && keys[i]; i++)
    {
      g_autofree char *key = g_strconcat (prefix, keys[i], NULL);

      lt_state_dict_set_metadata (to, key, lt_state_dict_get_metadata (from, keys[i]));
    }
}

/* The part of @from under @prefix, with the prefix taken off. */
static LtStateDict *
take_prefixed (LtStateDict *from,
               const char  *prefix)
{
  LtStateDict *to = lt_state_dict_new ();
  guint n = lt_state_dict_get_n_tensors (from);
  g_auto(GStrv) keys = lt_state_dict_get_metadata_keys (from);
  gsize len = strlen (prefix);

  for (guint i = 0; i < n; i++)
    {
      const char *name = lt_state_dict_get_name (from, i);

      if (g_str_has_prefix (name, prefix))
        lt_state_dict_insert (to, name + len, lt_state_dict_get_tensor (from, i));
    }
  for (guint i = 0; keys && keys[i]; i++)
    if (g_str_has_prefix (keys[i], prefix))
      lt_state_dict_set_metadata (to, keys[i] + len, lt_state_dict_get_metadata (from, keys[i]));
  return to;
}

static void
set_u64 (LtStateDict *state,
         const char  *key,
         guint64      value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  lt_state_dict_set_metadata (state, key, buf);
}

static void
set_i64 (LtStateDict *state,
         const char  *key,
         gint64       value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  lt_state_dict_set_metadata (state, key, buf);
}

static void
set_double (LtStateDict *state,
            const char  *key,
            double       value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  lt_state_dict_set_metadata (state, key, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

static LtStateDict *
build_checkpoint (LtTrainer               *self,
                  const LtTrainerSnapshot *s)
{
  LtStateDict *state = lt_state_dict_new ();
  g_autoptr(LtStateDict) model = lt_module_state_dict (self->model);
  g_autoptr(LtStateDict) optimizer = lt_optimizer_state_dict (self->optimizer);

  add_prefixed (state, model, "model.");
  add_prefixed (state, optimizer, "optimizer.");
  lt_state_dict_set_metadata (state, FORMAT_KEY, FORMAT_VALUE);
  lt_state_dict_set_metadata (state, "libtensor.version", LT_VERSION_S);
  set_u64 (state, "trainer.epoch", s->epoch);
  set_i64 (state, "trainer.iteration", s->iteration);
  set_u64 (state, "trainer.step", s->step);
  set_double (state, "trainer.running_loss", s->running_loss);
  set_i64 (state, "trainer.running_count", s->running_count);
  set_double (state, "trainer.epoch_loss", s->epoch_loss);
  set_i64 (state, "trainer.batch_size", lt_data_loader_get_batch_size (self->train_loader));
  set_i64 (state, "trainer.train_length",
           lt_dataset_get_length (lt_data_loader_get_dataset (self->train_loader)));
  set_u64 (state, "rng.seed", s->rng_seed);
  set_u64 (state, "rng.offset", s->rng_offset);
  set_u64 (state, "train_loader.epoch", s->train_epoch);
  set_u64 (state, "train_loader.seed", s->train_seed);
  set_u64 (state, "train_loader.offset", s->train_offset);
  set_i64 (state, "train_loader.batch", s->train_batch);
  set_u64 (state, "test_loader.epoch", s->test_epoch);
  return state;
}

gboolean
_lt_trainer_write_checkpoint (LtTrainer               *self,
                              const LtTrainerSnapshot *snapshot,
                              const char              *path,
                              GError                 **error)
{
  g_autoptr(LtStateDict) state = build_checkpoint (self, snapshot);

  if (!lt_state_dict_save (state, path, error))
    {
      g_prefix_error (error, "trainer: cannot write the checkpoint: ");
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_trainer_save_checkpoint:
 * @self: a trainer
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes a checkpoint of where the trainer is now (see #LtTrainer for
 * what it holds), atomically. A running trainer is saved as it was after
 * its last mini-batch; the worker waits meanwhile.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the file cannot
 *   be written
 */
gboolean
lt_trainer_save_checkpoint (LtTrainer   *self,
                            const char  *path,
                            GError     **error)
{
  LtTrainerSnapshot now;
  gboolean ok;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  g_mutex_lock (&self->model_lock);
  if (self->has_snapshot)
    now = self->snapshot;
  else
    _lt_trainer_take_snapshot (self, &now);
  ok = _lt_trainer_write_checkpoint (self, &now, path, error);
  g_mutex_unlock (&self->model_lock);
  return ok;
}

/* Reading the metadata back */

typedef struct
{
  LtStateDict *state;
  const char *path;
  GError **error;
  gboolean ok;
} Reader;

static const char *
get_string (Reader     *r,
            const char *key)
{
  const char *v;

  if (!r->ok)
    return NULL;
  v = lt_state_dict_get_metadata (r->state, key);
  if (v == NULL)
    {
      g_set_error (r->error, LT_ERROR, LT_ERROR_FORMAT,
                   "trainer: %s: the checkpoint has no \"%s\" in its metadata", r->path, key);
      r->ok = FALSE;
    }
  return v;
}

static void
bad_number (Reader     *r,
            const char *key,
            const char *v)
{
  g_set_error (r->error, LT_ERROR, LT_ERROR_FORMAT,
               "trainer: %s: the checkpoint's \"%s\" is \"%s\", not a number it can hold",
               r->path, key, v);
  r->ok = FALSE;
}

static guint64
get_u64 (Reader     *r,
         const char *key,
         guint64     max)
{
  const char *v = get_string (r, key);
  guint64 out;

  if (v == NULL)
    return 0;
  if (!g_ascii_string_to_unsigned (v, 10, 0, max, &out, NULL))
    {
      bad_number (r, key, v);
      return 0;
    }
  return out;
}

static gint64
get_i64 (Reader     *r,
         const char *key,
         gint64      min)
{
  const char *v = get_string (r, key);
  gint64 out;

  if (v == NULL)
    return 0;
  if (!g_ascii_string_to_signed (v, 10, min, G_MAXINT64, &out, NULL))
    {
      bad_number (r, key, v);
      return 0;
    }
  return out;
}

static double
get_double (Reader     *r,
            const char *key)
{
  const char *v = get_string (r, key);
  char *end = NULL;
  double out;

  if (v == NULL)
    return 0;
  errno = 0;
  out = g_ascii_strtod (v, &end);
  if (end == v || *end != '\0' || errno == ERANGE)
    {
      bad_number (r, key, v);
      return 0;
    }
  return out;
}

/**
 * lt_trainer_resume_from:
 * @self: a trainer that is not running, built as the one that wrote the
 *   checkpoint was: the same model structure, optimizer kind, loss and
 *   loaders (dataset length and batch size)
 * @path: (type filename): a checkpoint written by a trainer
 * @error: return location for a #GError
 *
 * Puts the trainer where the checkpoint says: the model's parameters and
 * buffers, the optimizer's state and options, the epoch, mini-batch and
 * step, the loss sums under way, the global random generator and the data
 * loaders' positions (the shuffled order of the epoch under way and how
 * far into it). lt_trainer_start() then continues exactly as the trainer
 * that wrote the checkpoint would have gone on.
 *
 * Everything is checked before anything changes, except that a failure
 * of the optimizer's part after the model's has loaded leaves the model
 * loaded.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the file cannot
 *   be read, is not a trainer checkpoint, or does not fit this trainer
 */
gboolean
lt_trainer_resume_from (LtTrainer   *self,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(LtStateDict) state = NULL;
  g_autoptr(LtStateDict) model = NULL;
  g_autoptr(LtStateDict) optimizer = NULL;
  LtTrainerSnapshot s = { 0 };
  Reader r;
  const char *format;
  gint64 batch_size, length;
  gboolean ok;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->running)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "trainer: cannot resume from %s while training runs", path);
      return FALSE;
    }
  state = lt_state_dict_load (path, error);
  if (state == NULL)
    return FALSE;

  r = (Reader) { state, path, error, TRUE };
  format = lt_state_dict_get_metadata (state, FORMAT_KEY);
  if (g_strcmp0 (format, FORMAT_VALUE) != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "trainer: %s is not a trainer checkpoint (its \"%s\" is %s%s%s, not \"%s\")",
                   path, FORMAT_KEY, format ? "\"" : "", format ? format : "missing",
                   format ? "\"" : "", FORMAT_VALUE);
      return FALSE;
    }
  s.epoch = (guint) get_u64 (&r, "trainer.epoch", G_MAXUINT);
  s.iteration = get_i64 (&r, "trainer.iteration", 0);
  s.step = get_u64 (&r, "trainer.step", G_MAXUINT64);
  s.running_loss = get_double (&r, "trainer.running_loss");
  s.running_count = get_i64 (&r, "trainer.running_count", 0);
  s.epoch_loss = get_double (&r, "trainer.epoch_loss");
  s.rng_seed = get_u64 (&r, "rng.seed", G_MAXUINT64);
  s.rng_offset = get_u64 (&r, "rng.offset", G_MAXUINT64);
  s.train_epoch = get_u64 (&r, "train_loader.epoch", G_MAXUINT64);
  s.train_seed = get_u64 (&r, "train_loader.seed", G_MAXUINT64);
  s.train_offset = get_u64 (&r, "train_loader.offset", G_MAXUINT64);
  s.train_batch = get_i64 (&r, "train_loader.batch", -1);
  s.test_epoch = get_u64 (&r, "test_loader.epoch", G_MAXUINT64);
  batch_size = get_i64 (&r, "trainer.batch_size", 1);
  length = get_i64 (&r, "trainer.train_length", 0);
  if (!r.ok)
    return FALSE;

  if (batch_size != lt_data_loader_get_batch_size (self->train_loader))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "trainer: %s was made with batch size %" G_GINT64_FORMAT ", not %"
                   G_GINT64_FORMAT ": the epoch under way would not continue as it was",
                   path, batch_size, lt_data_loader_get_batch_size (self->train_loader));
      return FALSE;
    }
  if (length != lt_dataset_get_length (lt_data_loader_get_dataset (self->train_loader)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "trainer: %s was made with a training set of %" G_GINT64_FORMAT
                   " items, not %" G_GINT64_FORMAT, path, length,
                   lt_dataset_get_length (lt_data_loader_get_dataset (self->train_loader)));
      return FALSE;
    }

  model = take_prefixed (state, "model.");
  optimizer = take_prefixed (state, "optimizer.");
  g_mutex_lock (&self->model_lock);
  ok = lt_module_load_state_dict (self->model, model, TRUE, NULL, NULL, error) &&
       lt_optimizer_load_state_dict (self->optimizer, optimizer, error) &&
       _lt_trainer_apply_snapshot (self, &s, error);
  g_mutex_unlock (&self->model_lock);
  if (!ok)
    {
      g_prefix_error (error, "trainer: %s: ", path);
      return FALSE;
    }
  return TRUE;
}
