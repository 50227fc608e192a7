/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every fuzz target shares: the entry point libFuzzer (and replay.c)
 * calls, a check that aborts (so that libFuzzer records the input as a
 * crash), the rule that a parser's FALSE/NULL comes with an LT_ERROR GError
 * naming the input and a success with none, and a walk over a result
 * tensor's bytes (AddressSanitizer then proves they are all there).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtensor.h>

#include "core/lt-tensor-private.h"
#include "core/lt-storage-private.h"

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

G_END_DECLS

#define FUZZ_CHECK(cond)                                                  \
  G_STMT_START {                                                          \
    if (G_UNLIKELY (!(cond)))                                             \
      fuzz_fail (__FILE__, __LINE__, #cond, NULL);                        \
  } G_STMT_END

static inline G_NORETURN void
fuzz_fail (const char   *file,
           int           line,
           const char   *what,
           const GError *error)
{
  fprintf (stderr, "%s:%d: check failed: %s%s%s\n", file, line, what,
           error ? "\n  error: " : "", error ? error->message : "");
  fflush (stderr);
  abort ();
}

/* The input being run, for the checks on error messages. */
static G_GNUC_UNUSED const uint8_t *fuzz_input;
static G_GNUC_UNUSED size_t fuzz_input_size;

/* Remembers the input; the first time, makes criticals and warnings (a
 * g_return_if_fail that fired, a GLib misuse) fatal: failures too. */
static inline void
fuzz_init (const uint8_t *data,
           size_t         size)
{
  static gboolean done;

  fuzz_input = data;
  fuzz_input_size = size;
  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* @message holds @pattern, which the input (that messages quote) does not
 * hold. */
static inline gboolean
fuzz_message_has (const char *message,
                  const char *pattern)
{
  size_t n = strlen (pattern);

  if (strstr (message, pattern) == NULL)
    return FALSE;
  for (size_t i = 0; fuzz_input != NULL && i + n <= fuzz_input_size; i++)
    if (memcmp (fuzz_input + i, pattern, n) == 0)
      return FALSE;
  return TRUE;
}

/* A parser's result: @ok with no error, or a failure with an LT_ERROR
 * whose message names the input (@name, when given). */
static inline void
fuzz_check_result (const char   *file,
                   int           line,
                   gboolean      ok,
                   const GError *error,
                   const char   *name)
{
  static int verbose = -1;

  /* LT_FUZZ_VERBOSE=1 shows what each parser made of the input (to check
   * that a seed reaches the paths it was written for). */
  if (verbose < 0)
    verbose = g_getenv ("LT_FUZZ_VERBOSE") != NULL;
  if (verbose)
    fprintf (stderr, "  %s:%d: %s%s\n", file, line, ok ? "accepted" : "rejected: ",
             ok || error == NULL ? "" : error->message);
  if (ok && error != NULL)
    fuzz_fail (file, line, "a success that sets an error", error);
  if (!ok && error == NULL)
    fuzz_fail (file, line, "a failure without an error", NULL);
  if (ok)
    return;
  if (error->domain != LT_ERROR)
    fuzz_fail (file, line, "the error is not in the LT_ERROR domain", error);
  if (error->message == NULL || error->message[0] == '\0')
    fuzz_fail (file, line, "an empty error message", error);
  if (!g_utf8_validate (error->message, -1, NULL))
    fuzz_fail (file, line, "an error message that is not UTF-8", NULL);
  if (name != NULL && strstr (error->message, name) == NULL)
    fuzz_fail (file, line, "the error message does not name the input", error);
}

#define FUZZ_CHECK_RESULT(ok, error, name) \
  fuzz_check_result (__FILE__, __LINE__, (ok), (error), (name))

/* A CPU tensor of @dtype whose shape is @shape (@ndim dimensions), laid
 * out contiguously inside its storage; every byte is read. Returns the sum
 * of the bytes so that the reads are not optimised away. */
static inline guint64
fuzz_check_tensor (LtTensor     *t,
                   LtDType       dtype,
                   const gint64 *shape,
                   guint         ndim)
{
  gsize es = lt_dtype_get_element_size (dtype);
  gint64 numel = 1, stride = 1;
  gboolean empty = FALSE;
  const guint8 *p;
  guint64 sum = 0;

  FUZZ_CHECK (LT_IS_TENSOR (t));
  FUZZ_CHECK (t->dtype == dtype);
  FUZZ_CHECK (t->ndim == ndim);
  for (guint d = 0; d < ndim; d++)
    {
      FUZZ_CHECK (t->shape[d] == shape[d]);
      FUZZ_CHECK (shape[d] >= 0);
      empty = empty || shape[d] == 0;
    }
  /* A tensor with elements fits in memory, so the product of its
   * dimensions cannot overflow; an empty one has no layout to check. */
  for (guint d = 0; d < ndim && !empty; d++)
    FUZZ_CHECK (!__builtin_mul_overflow (numel, shape[d], &numel));
  if (empty)
    numel = 0;
  FUZZ_CHECK (t->numel == numel);
  for (guint d = ndim; d-- > 0 && !empty;)
    {
      FUZZ_CHECK (t->shape[d] == 1 || t->strides[d] == stride);
      stride *= t->shape[d];
    }
  FUZZ_CHECK (lt_storage_get_device (t->storage) == LT_DEVICE_CPU);
  FUZZ_CHECK (t->offset >= 0);
  FUZZ_CHECK ((guint64) (t->offset + numel) * es <= t->storage->nbytes);
  p = _lt_tensor_data (t);
  for (gint64 i = 0; i < numel * (gint64) es; i++)
    sum += p[i];
  return sum;
}

/* Feeds bytes to a parser in pieces of varying sizes, the same for the same
 * input: a small xorshift generator seeded from the input. */
static inline guint32
fuzz_seed (const uint8_t *data,
           size_t         size)
{
  guint32 h = 2166136261u;

  for (size_t i = 0; i < MIN (size, (size_t) 64); i++)
    h = (h ^ data[i]) * 16777619u;
  return (h ^ (guint32) size) | 1;
}

static inline guint32
fuzz_next (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}
