/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "distributed/lt-process-group.h"
#include "distributed/lt-dist-backend-private.h"
#include "distributed/lt-dist-liveness-private.h"

G_BEGIN_DECLS

typedef enum {
  LT_WORK_QUEUED,  /* submitted, not started by the progress thread yet */
  LT_WORK_RUNNING, /* started: the backend may read and write its buffers */
  LT_WORK_DONE,
  LT_WORK_FAILED,
} LtWorkState;

struct _LtWork
{
  GObject parent_instance;

  /* Owned */
  LtProcessGroup *group;
  LtTensor *tensors[2]; /* the buffers the call reads and writes, kept alive */
  GError *error;        /* when failed */
  char *what;           /* "all_reduce (float32, 12 elements)", for messages */

  LtDistCall call;
  gboolean average;     /* AVG: divide by the group's size once done */
  gpointer request;     /* the backend's, while running (progress thread) */
  gint64 deadline;      /* monotonic µs */
  LtWorkState state;    /* under the group's lock */
};

struct _LtProcessGroup
{
  GObject parent_instance;

  /* Borrowed */
  const LtDistBackend *backend;

  /* Owned */
  gpointer comm;           /* the backend's communicator */
  LtDistLiveness *liveness;
  GThread *progress;
  char **hosts;            /* per rank */
  gint64 *pids;            /* per rank */

  int rank;
  int size;
  int local_rank;          /* among the ranks on this host */
  int local_size;
  double timeout;          /* seconds */

  GMutex lock;             /* guards what follows */
  GCond cond;              /* any change of state below or of a work's */
  GQueue queue;            /* LtWork (a reference each): submitted, not started */
  GPtrArray *running;      /* LtWork: started (touched by the progress thread only) */
  GPtrArray *abandoned;    /* LtWork: running when the group failed, never freed */
  GError *failure;         /* set once: the group is broken */
  gboolean *left;          /* per rank: said goodbye */
  int waiters;             /* threads in lt_work_wait () */
  gboolean stopping;
  gboolean init_done;
  GError *init_error;
  gboolean destroyed;
};

/* lt-dist-work.c */
gpointer _lt_process_group_progress_main (gpointer data);
LtWork  *_lt_process_group_submit        (LtProcessGroup   *self,
                                          const LtDistCall *call,
                                          LtTensor         *read,
                                          LtTensor         *written,
                                          gboolean          average,
                                          const char       *what,
                                          GError          **error);
void     _lt_process_group_fail          (LtProcessGroup   *self,
                                          GError           *error);
/* Broadcasts (rank @src) or all-gathers a plain buffer, for the group's own
 * initialisation. */
gboolean _lt_process_group_exchange      (LtProcessGroup   *self,
                                          LtDistCollective  kind,
                                          gpointer          send,
                                          gpointer          recv,
                                          gsize             nbytes,
                                          GError          **error);

G_END_DECLS
