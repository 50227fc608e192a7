/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The communication backend vtable of the process group. A backend moves
 * the bytes of collectives between the processes of a job with an engine
 * clusters already run (MPI for CPU tensors, NCCL for CUDA tensors); the
 * process group (lt-process-group.c) does everything else: it checks the
 * tensors, queues the collectives in the order the caller made them, polls
 * them from its progress thread with a deadline, and turns a lost peer or
 * a deadline into a GError (lt-dist-liveness.c tells it who was lost).
 *
 * Every slot is called on the group's progress thread only, one call at a
 * time, so a backend needs no locking and MPI needs no more than
 * MPI_THREAD_SERIALIZED.
 *
 * The registry (lt-dist-registry.c) is the only file that knows which
 * backends were built. To add one: fill an LtDistBackend, return it from
 * the registry under its build option, and run tests/distributed against
 * it.
 */

#include "core/lt-tensor-private.h"
#include "distributed/lt-process-group.h"

G_BEGIN_DECLS

typedef enum {
  LT_DIST_ALL_REDUCE,
  LT_DIST_BROADCAST,
  LT_DIST_ALL_GATHER,
  LT_DIST_REDUCE_SCATTER,
  LT_DIST_BARRIER,
} LtDistCollective;

/* One collective, as the process group hands it to a backend: contiguous
 * buffers of one dtype on the backend's device, checked by the group. */
typedef struct
{
  LtDistCollective kind;
  LtReduceOp op;    /* all_reduce, reduce_scatter; AVG arrives as SUM (the group divides) */
  LtDType    dtype;
  gpointer   send;  /* all_gather, reduce_scatter: the input; NULL otherwise (in place) */
  gpointer   recv;  /* the tensor written: all_reduce and broadcast in place, the outputs */
  gint64     count; /* elements: of the tensor (all_reduce, broadcast); per rank
                     * (all_gather: the input's, reduce_scatter: the output's) */
  int        root;  /* broadcast */
  gboolean   host;  /* the buffers are in host memory whatever the backend's device: the
                     * group's own exchanges at initialisation (a GPU backend bootstraps
                     * them through MPI) */
} LtDistCall;

typedef struct _LtDistBackend LtDistBackend;

struct _LtDistBackend
{
  const char *name; /* "mpi", "nccl" */

  /* Starts the backend in this process from the launcher's environment and
   * gives this process's rank and the number of processes (required).
   * Returns the backend's communicator, or NULL with @error set. */
  gpointer (*init)         (int      *rank,
                            int      *size,
                            GError  **error);

  /* Whether the backend can work on @tensor, or FALSE with an error whose
   * message starts with @op (required). */
  gboolean (*check_tensor) (gpointer   comm,
                            LtTensor  *tensor,
                            const char *op,
                            GError   **error);

  /* Starts @call (required): a request for test(), or NULL with @error. A
   * started request may read and write the call's buffers until test()
   * says it is done; a request the group abandons (a lost peer, a
   * deadline) is never freed, nor are its buffers. */
  gpointer (*start)        (gpointer          comm,
                            const LtDistCall *call,
                            GError          **error);

  /* Polls @request (required): TRUE with *done, or FALSE with @error (the
   * collective failed). A request that is done is freed by free_request. */
  gboolean (*test)         (gpointer   comm,
                            gpointer   request,
                            gboolean  *done,
                            GError   **error);
  void     (*free_request) (gpointer   request);

  /* Ends the communicator in order, every process taking part
   * (destroy_process_group, after a barrier) (required). */
  void     (*finalize)     (gpointer   comm);

  /* Lets go of a communicator with abandoned requests without a
   * collective call, which could wait for a lost peer (required). */
  void     (*abandon)      (gpointer   comm);
};

/* Registry: the backend called @name, or NULL with @error saying why it is
 * not there (not built, not known). */
const LtDistBackend *_lt_dist_backend_lookup (const char *name,
                                              GError    **error);
gboolean             _lt_dist_backend_built  (const char *name);

/* Constructors the registry calls */
const LtDistBackend *_lt_dist_mpi_backend    (void);
const LtDistBackend *_lt_dist_nccl_backend   (void);

/* At process exit (the registry's atexit handler): MPI_Finalize when the
 * MPI backend initialised MPI and no group is failed. */
void                 _lt_dist_mpi_at_exit    (gboolean   failed);

/* lt-dist-device.c: the CUDA device of an NCCL rank */
struct _LtBackend;
/* The local rank from the launcher's environment (@rank without one) */
int                      _lt_dist_local_rank        (int          rank);
/* cuda:(local rank modulo the devices), made current: its backend, or
 * NULL with @error set ("nccl: " and why) */
const struct _LtBackend *_lt_dist_nccl_pick_device  (int          rank,
                                                     int         *device,
                                                     GError     **error);
/* Whether @tensor is on cuda:@device; else a GError naming both devices */
gboolean                 _lt_dist_nccl_check_device (LtTensor    *tensor,
                                                     int          device,
                                                     const char  *op,
                                                     GError     **error);

G_END_DECLS
