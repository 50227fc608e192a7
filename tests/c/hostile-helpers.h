/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the hostile-input probes (test-hostile-io.c) share; see
 * hostile-helpers.c.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datasets-fixtures.h"

#define WATCHDOG_S 60

/* Runs the rest of the test in a subprocess (which must pass) watched for
 * hangs. */
#define IN_SUBPROCESS()                                                                            \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (!g_test_subprocess ())                                                                     \
      {                                                                                            \
        g_test_trap_subprocess (NULL, (guint64) WATCHDOG_S *G_USEC_PER_SEC,                        \
                                G_TEST_SUBPROCESS_INHERIT_STDOUT |                                 \
                                  G_TEST_SUBPROCESS_INHERIT_STDERR);                               \
        g_test_trap_assert_passed ();                                                              \
        return;                                                                                    \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

void assert_lt_error (const GError *error, LtError code, const char *a, const char *b);

/* Checkpoints */
LtStateDict *small_dict (double value);
void         save_ok (LtStateDict *sd, const char *path);
char        *version_at (const char *path);

/* Special files */
char  *make_fifo (const char *dir, const char *name);
mode_t mode_of (const char *path);

/* Reads a FIFO to its end in a thread. The FIFO is opened (without
 * blocking) before the thread starts, so that a writer finds a reader at
 * once; the thread waits for the first bytes, then reads until the writer
 * closes. */
typedef struct
{
  int         fd;
  GByteArray *got;
  GThread    *thread;
} FifoReader;

FifoReader *fifo_reader_start (const char *path);
GBytes     *fifo_reader_finish (FifoReader *r);

/* Runs @func in a child process as the user nobody when we are root (who
 * may write anywhere), and returns its exit status. */
int as_unprivileged (void (*func) (gpointer), gpointer data);

void limit_address_space (guint64 extra_mb);
void unlimit_address_space (void);

/* Bombs */
GBytes *zlib_repeat_after (GZlibCompressorFormat format,
                           const guint8         *prefix,
                           gsize                 prefix_len,
                           const guint8         *row,
                           gsize                 row_len,
                           guint64               reps);
GBytes *zlib_repeat (GZlibCompressorFormat format, const guint8 *row, gsize row_len, guint64 reps);
GBytes *png_bomb (guint32 w, guint32 h);
GBytes *jpeg_declaring (const char *dir, guint16 w, guint16 h);

/* A dataset of n items: item i is a float vector of @dim values
 * @value * (i + 1) with the class i % 2; @on_item (when set) runs first,
 * on whatever thread reads the item. */
typedef struct _HostileDataset HostileDataset;
typedef void (*ItemHook) (HostileDataset *self, gint64 index);

struct _HostileDataset
{
  GObject parent_instance;

  gint64   n;
  gint64   dim;
  double   value;
  ItemHook on_item;
  gpointer hook_data;
};

typedef GObjectClass HostileDatasetClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostileDataset, g_object_unref)

GType           hostile_dataset_get_type (void);
HostileDataset *hostile_dataset_new (gint64 n, gint64 dim, double value);
LtTrainer      *hostile_trainer_new (HostileDataset *ds, double lr, guint epochs);
