/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lt-process-group-private.h"
#include "core/lt-error.h"

/**
 * LtProcessGroup:
 *
 * The processes of a data-parallel job and the collectives between them,
 * as `torch.distributed`'s default process group: every rank runs the
 * same program, and lt_init_process_group() joins them from the
 * launcher's environment:
 *
 * ```sh
 * mpirun -np 4 --enable-recovery ./train
 * ```
 *
 * ```c
 * if (!lt_init_process_group ("mpi", 60, error))   // 60 s: the collectives' timeout
 *   return FALSE;
 * LtProcessGroup *world = lt_process_group_get_default ();
 * lt_process_group_all_reduce (world, grad, LT_REDUCE_OP_AVG, error);
 * ...
 * lt_destroy_process_group (error);
 * ```
 *
 * Backends: "mpi" (Open MPI or any MPI-3 library; CPU tensors) and "nccl"
 * (CUDA tensors; it needs the CUDA backend). The collectives are
 * all_reduce, broadcast, all_gather, reduce_scatter and barrier, each
 * with an `_async` form that returns an #LtWork. They work on contiguous
 * tensors of any dtype, in place or into outputs of the caller's; every
 * rank must call the same collectives in the same order.
 *
 * ## Failures
 *
 * A collective never hangs. Every collective has the group's timeout as
 * its deadline, and a side channel between the processes (a heartbeat
 * over TCP to rank 0, which relays) learns at once that a process ended,
 * and within half the timeout (at most a minute) that one hung or became
 * unreachable. Either way every surviving rank gets a GError:
 * %LT_ERROR_PEER_LOST naming the lost rank, its process id and host, or
 * %LT_ERROR_TIMED_OUT when every peer is alive but the collective did not
 * complete (a rank called another collective, or none). The group is then
 * broken: its later calls fail with the same error, and the process
 * should save what it needs and exit. Open MPI ends every process of a
 * job when one dies unless mpirun is given `--enable-recovery` (mpirun
 * then exits with 0 whatever the ranks did: read their output).
 *
 * MPI is initialised by lt_init_process_group(), never when the library
 * is loaded, and finalised when the process exits (not when the group is
 * destroyed: MPI cannot be initialised twice, and a new group may follow).
 */

/* The default group: lt_init_process_group () makes it. */
G_LOCK_DEFINE_STATIC (default_group);
static LtProcessGroup *default_group;
/* A group of this process lost a peer: MPI cannot recover from that, so no
 * new group can be made, and MPI is not finalised at exit. */
static gboolean job_failed;
/* Works a destroyed broken group abandoned: the backend may still write
 * their buffers, so they live as long as the process. */
static GPtrArray *graveyard;
static gboolean   at_exit_registered;

G_DEFINE_FINAL_TYPE (LtProcessGroup, lt_process_group, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (LtReduceOp,
                    lt_reduce_op,
                    G_DEFINE_ENUM_VALUE (LT_REDUCE_OP_SUM, "sum"),
                    G_DEFINE_ENUM_VALUE (LT_REDUCE_OP_AVG, "avg"),
                    G_DEFINE_ENUM_VALUE (LT_REDUCE_OP_MAX, "max"),
                    G_DEFINE_ENUM_VALUE (LT_REDUCE_OP_MIN, "min"))

static void
lt_process_group_finalize (GObject *object)
{
  LtProcessGroup *self = LT_PROCESS_GROUP (object);

  /* Only a group that was never started, or was shut down, gets here: the
   * default group holds a reference while its threads run. */
  g_warn_if_fail (self->progress == NULL);
  g_strfreev (self->hosts);
  g_free (self->pids);
  g_free (self->left);
  g_clear_error (&self->failure);
  g_clear_error (&self->init_error);
  g_clear_pointer (&self->running, g_ptr_array_unref);
  if (self->abandoned && self->abandoned->len > 0)
    {
      if (graveyard == NULL)
        graveyard = g_ptr_array_new ();
      for (guint i = 0; i < self->abandoned->len; i++)
        g_ptr_array_add (graveyard, g_ptr_array_index (self->abandoned, i));
      g_ptr_array_set_free_func (self->abandoned, NULL);
    }
  g_clear_pointer (&self->abandoned, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (lt_process_group_parent_class)->finalize (object);
}

static void
lt_process_group_class_init (LtProcessGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_process_group_finalize;
}

static void
lt_process_group_init (LtProcessGroup *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  self->running = g_ptr_array_new ();
  self->abandoned = g_ptr_array_new_with_free_func (g_object_unref);
  self->local_size = 1;
  self->size = 1;
}

/* What rank @r is, for messages: "rank 1 (pid 4242 on node3)". */
static char *
describe_rank (LtProcessGroup *self, int r)
{
  if (self->hosts && self->hosts[r])
    return g_strdup_printf ("rank %d (pid %" G_GINT64_FORMAT " on %s)", r, self->pids[r],
                            self->hosts[r]);
  return g_strdup_printf ("rank %d", r);
}

/* The liveness channel's news, on its thread. */
static void
on_peer (int rank, LtDistPeerEvent event, double silent_s, gpointer user_data)
{
  LtProcessGroup  *self = user_data;
  g_autofree char *who = describe_rank (self, rank);

  if (event == LT_DIST_PEER_LEFT)
    {
      /* Collectives under way go on (a destroy's barrier completes on some
       * ranks before others); new ones fail at once. */
      g_mutex_lock (&self->lock);
      self->left[rank] = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      return;
    }
  if (event == LT_DIST_PEER_SILENT)
    _lt_process_group_fail (self,
                            g_error_new (LT_ERROR, LT_ERROR_PEER_LOST, "%s was lost: %s for %.1f s",
                                         who, _lt_dist_peer_event_describe (event), silent_s));
  else
    _lt_process_group_fail (self, g_error_new (LT_ERROR, LT_ERROR_PEER_LOST, "%s was lost: %s", who,
                                               _lt_dist_peer_event_describe (event)));
}

/* Stops the threads of a started group. The progress thread ends the
 * collectives under way (each has its deadline) and then finalises the
 * backend's communicator, or abandons it in a broken group; the liveness
 * channel goes last, saying goodbye, so that a peer still completing a
 * collective with this rank is told it left, not that it was lost. */
static void
shut_down (LtProcessGroup *self)
{
  gboolean healthy;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->progress)
    {
      g_thread_join (self->progress);
      self->progress = NULL;
    }
  g_mutex_lock (&self->lock);
  healthy = self->failure == NULL;
  if (!healthy)
    job_failed = TRUE;
  self->destroyed = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  /* A goodbye also from a broken group: this process leaves on purpose,
   * and its peers should say so rather than that it was lost. */
  if (self->liveness)
    {
      _lt_dist_liveness_free (self->liveness, TRUE);
      self->liveness = NULL;
    }
}

/* At process exit: a group still there is shut down (no barrier: the
 * other ranks may be gone or busy), then MPI is finalised unless a group
 * lost a peer. */
static void
at_exit (void)
{
  LtProcessGroup *group;

  G_LOCK (default_group);
  group = g_steal_pointer (&default_group);
  G_UNLOCK (default_group);
  if (group)
    {
      shut_down (group);
      g_object_unref (group);
    }
#if LT_HAVE_MPI
  /* Only in builds with MPI: without it the MPI backend's file is not
   * compiled, and the call would not link. */
  _lt_dist_mpi_at_exit (job_failed);
#endif
}

/* Who is where: every rank's process id and host name. */
typedef struct
{
  gint64 pid;
  char   host[64];
} PeerInfo;

static gboolean
exchange_peers (LtProcessGroup *self, GError **error)
{
  PeerInfo             mine = { 0 };
  g_autofree PeerInfo *all = g_new0 (PeerInfo, self->size);

  mine.pid = (gint64) getpid ();
  if (gethostname (mine.host, sizeof mine.host - 1) < 0)
    g_strlcpy (mine.host, "?", sizeof mine.host);
  if (!_lt_process_group_exchange (self, LT_DIST_ALL_GATHER, &mine, all, sizeof mine, error))
    return FALSE;
  self->hosts = g_new0 (char *, self->size + 1);
  self->pids = g_new0 (gint64, self->size);
  self->local_rank = 0;
  self->local_size = 0;
  for (int r = 0; r < self->size; r++)
    {
      all[r].host[sizeof all[r].host - 1] = '\0';
      self->hosts[r] = g_strdup (all[r].host);
      self->pids[r] = all[r].pid;
      if (strcmp (all[r].host, mine.host) == 0)
        {
          if (r < self->rank)
            self->local_rank++;
          self->local_size++;
        }
    }
  return TRUE;
}

/* Starts the liveness channel: rank 0 listens, its address goes to the
 * others through the backend, everyone joins. */
static gboolean
start_liveness (LtProcessGroup *self, GError **error)
{
  LtDistHubAddress hub = { 0 };
  g_autoptr(GError) listen_error = NULL;
  double silence = CLAMP (self->timeout / 2, 0.5, 60.0);

  self->liveness = _lt_dist_liveness_new (self->rank, self->size, silence, on_peer, self);
  if (self->rank == 0 && !_lt_dist_liveness_listen (self->liveness, &hub, &listen_error))
    hub.port = 0; /* tells the others, who would wait otherwise */
  if (!_lt_process_group_exchange (self, LT_DIST_BROADCAST, NULL, &hub, sizeof hub, error))
    return FALSE;
  if (listen_error)
    {
      g_propagate_error (error, g_steal_pointer (&listen_error));
      return FALSE;
    }
  if (hub.port == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "init_process_group: rank 0 could not open its liveness channel (see its "
                   "error)");
      return FALSE;
    }
  hub.host[sizeof hub.host - 1] = '\0';
  hub.n_addrs = MIN (hub.n_addrs, LT_DIST_HUB_MAX_ADDRS);
  return _lt_dist_liveness_join (
    self->liveness, &hub,
    g_get_monotonic_time () + (gint64) (MIN (self->timeout, 300) * G_USEC_PER_SEC), error);
}

/**
 * lt_init_process_group:
 * @backend: "mpi" (CPU tensors) or "nccl" (CUDA tensors)
 * @timeout: the deadline of every collective, in seconds; 0 or less for
 *   %LT_DISTRIBUTED_DEFAULT_TIMEOUT (30 minutes)
 * @error: return location for a #GError
 *
 * Joins the processes of the job into the default process group, as
 * `torch.distributed.init_process_group (backend)`. The rank and the
 * number of processes come from the launcher's environment (`mpirun`,
 * `srun`); every process must call it. A process started without a
 * launcher makes a group of one.
 *
 * Errors: %LT_ERROR_NOT_SUPPORTED when libtensor was built without
 * @backend (lt_distributed_is_available()) or a group exists already;
 * the backend's own failure (%LT_ERROR_FAILED); %LT_ERROR_TIMED_OUT or
 * %LT_ERROR_IO when the processes cannot reach each other.
 *
 * Returns: %TRUE when the group is ready
 */
gboolean
lt_init_process_group (const char *backend, double timeout, GError **error)
{
  const LtDistBackend *impl;
  g_autoptr(LtProcessGroup) self = NULL;
  GError *local = NULL;

  g_return_val_if_fail (backend != NULL, FALSE);

  if (!(timeout <= 0 || (timeout >= 0.001 && timeout <= 1e7)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "init_process_group: a timeout of %g s is outside 0.001 to 1e7 s", timeout);
      return FALSE;
    }
  impl = _lt_dist_backend_lookup (backend, error);
  if (impl == NULL)
    return FALSE;

  G_LOCK (default_group);
  if (default_group)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "init_process_group: the default process group is already initialised "
                   "(backend \"%s\"); call destroy_process_group first",
                   default_group->backend->name);
      G_UNLOCK (default_group);
      return FALSE;
    }
  if (job_failed)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "init_process_group: a process group of this job lost a peer; MPI cannot "
                   "go on without it: restart the job (from its last checkpoint)");
      G_UNLOCK (default_group);
      return FALSE;
    }

  self = g_object_new (LT_TYPE_PROCESS_GROUP, NULL);
  self->backend = impl;
  self->timeout = timeout > 0 ? timeout : LT_DISTRIBUTED_DEFAULT_TIMEOUT;
  self->progress =
    g_thread_try_new ("lt-dist-progress", _lt_process_group_progress_main, self, error);
  if (self->progress == NULL)
    {
      G_UNLOCK (default_group);
      g_prefix_error (error, "init_process_group: ");
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  while (!self->init_done)
    g_cond_wait (&self->cond, &self->lock);
  local = g_steal_pointer (&self->init_error);
  g_mutex_unlock (&self->lock);
  if (local)
    {
      g_thread_join (self->progress);
      self->progress = NULL;
      G_UNLOCK (default_group);
      g_propagate_prefixed_error (error, local, "init_process_group: ");
      return FALSE;
    }
  self->left = g_new0 (gboolean, self->size);
  if (!exchange_peers (self, error) || !start_liveness (self, error))
    {
      /* The others fail the same step or time out: this group is unusable. */
      g_mutex_lock (&self->lock);
      if (self->failure == NULL)
        self->failure = g_error_new_literal (LT_ERROR, LT_ERROR_FAILED, "initialisation failed");
      g_mutex_unlock (&self->lock);
      shut_down (self);
      G_UNLOCK (default_group);
      return FALSE;
    }
  default_group = g_steal_pointer (&self);
  if (!at_exit_registered)
    {
      at_exit_registered = TRUE;
      atexit (at_exit);
    }
  G_UNLOCK (default_group);
  return TRUE;
}

/**
 * lt_destroy_process_group:
 * @error: return location for a #GError
 *
 * Ends the default process group, as
 * `torch.distributed.destroy_process_group ()`: a barrier (every rank
 * calls it), then the group's threads and communicator end and the peers
 * learn that this rank left in order. A broken group (a lost peer, a
 * timeout) ends without the barrier. Objects that still hold the group
 * (a #LtDistributedDataParallel) get an error from their collectives.
 * A new group may be initialised afterwards, unless a peer was lost.
 *
 * Returns: %TRUE; %FALSE with @error set when there was no group or the
 *   barrier failed (the group is ended all the same)
 */
gboolean
lt_destroy_process_group (GError **error)
{
  LtProcessGroup *self;
  gboolean        ok = TRUE;

  G_LOCK (default_group);
  self = g_steal_pointer (&default_group);
  G_UNLOCK (default_group);
  if (self == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "destroy_process_group: no process group is initialised");
      return FALSE;
    }
  if (lt_process_group_check (self, NULL))
    ok = lt_process_group_barrier (self, error);
  else
    ok = lt_process_group_check (self, error);
  shut_down (self);
  g_object_unref (self);
  if (!ok)
    g_prefix_error (error, "destroy_process_group: ");
  return ok;
}

/**
 * lt_process_group_get_default:
 *
 * Gets the default process group, made by lt_init_process_group().
 *
 * Returns: (transfer none) (nullable): the group, or %NULL when none is
 *   initialised
 */
LtProcessGroup *
lt_process_group_get_default (void)
{
  LtProcessGroup *group;

  G_LOCK (default_group);
  group = default_group;
  G_UNLOCK (default_group);
  return group;
}

/**
 * lt_distributed_is_initialized:
 *
 * Whether the default process group exists, as
 * `torch.distributed.is_initialized ()`.
 *
 * Returns: %TRUE between lt_init_process_group() and
 *   lt_destroy_process_group()
 */
gboolean
lt_distributed_is_initialized (void)
{
  return lt_process_group_get_default () != NULL;
}

/**
 * lt_distributed_is_available:
 * @backend: (nullable): "mpi", "nccl", or %NULL for any
 *
 * Whether libtensor was built with @backend (with any backend for
 * %NULL), as `torch.distributed.is_available ()` and
 * `is_mpi_available ()`. "nccl" is built with the CUDA backend and MPI.
 *
 * Returns: %TRUE when lt_init_process_group() can use it
 */
gboolean
lt_distributed_is_available (const char *backend)
{
  if (backend == NULL)
    return _lt_dist_backend_built ("mpi") || _lt_dist_backend_built ("nccl");
  return _lt_dist_backend_built (backend);
}

/**
 * lt_distributed_is_launched:
 *
 * Whether this process was started by a launcher of a job of several
 * processes (`mpirun`, `srun`): its environment names a rank and a size
 * above one. lt-train and #LtTrainer run distributed then.
 *
 * Returns: %TRUE under a launcher with more than one process
 */
gboolean
lt_distributed_is_launched (void)
{
  static const char *const sizes[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE",     "PMIX_SIZE",
                                       "MV2_COMM_WORLD_SIZE",  "SLURM_NTASKS", "WORLD_SIZE" };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      const char *v = g_getenv (sizes[i]);

      if (v && g_ascii_strtoll (v, NULL, 10) > 1)
        return TRUE;
    }
  return FALSE;
}

/**
 * lt_process_group_get_rank:
 * @self: a process group
 *
 * Gets this process's rank, as `torch.distributed.get_rank ()`.
 *
 * Returns: the rank, from 0 to the size less one
 */
int
lt_process_group_get_rank (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), 0);
  return self->rank;
}

/**
 * lt_process_group_get_size:
 * @self: a process group
 *
 * Gets the number of processes, as `torch.distributed.get_world_size ()`.
 *
 * Returns: the number of ranks
 */
int
lt_process_group_get_size (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), 1);
  return self->size;
}

/**
 * lt_process_group_get_local_rank:
 * @self: a process group
 *
 * Gets this process's rank among those on its host (`LOCAL_RANK`): the
 * GPU a process uses is usually its local rank.
 *
 * Returns: the local rank
 */
int
lt_process_group_get_local_rank (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), 0);
  return self->local_rank;
}

/**
 * lt_process_group_get_local_size:
 * @self: a process group
 *
 * Gets the number of processes of the group on this process's host.
 *
 * Returns: the local size
 */
int
lt_process_group_get_local_size (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), 1);
  return self->local_size;
}

/**
 * lt_process_group_get_backend:
 * @self: a process group
 *
 * Gets the backend's name, as `torch.distributed.get_backend ()`.
 *
 * Returns: "mpi" or "nccl"
 */
const char *
lt_process_group_get_backend (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  return self->backend->name;
}

/**
 * lt_process_group_get_timeout:
 * @self: a process group
 *
 * Gets the deadline of every collective.
 *
 * Returns: the timeout in seconds
 */
double
lt_process_group_get_timeout (LtProcessGroup *self)
{
  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), 0);
  return self->timeout;
}

/**
 * lt_process_group_check:
 * @self: a process group
 * @error: return location for a #GError
 *
 * Whether the group can still run collectives: %FALSE with the error that
 * broke it (a lost peer, a timeout), or when it was destroyed or a rank
 * left it.
 *
 * Returns: %TRUE when the group is healthy
 */
gboolean
lt_process_group_check (LtProcessGroup *self, GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), FALSE);
  g_mutex_lock (&self->lock);
  if (self->failure)
    {
      g_set_error_literal (error, self->failure->domain, self->failure->code,
                           self->failure->message);
      ok = FALSE;
    }
  else if (self->destroyed || self->stopping)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "the process group was destroyed (destroy_process_group)");
      ok = FALSE;
    }
  else
    for (int r = 0; r < self->size && ok; r++)
      if (self->left && self->left[r])
        {
          g_set_error (error, LT_ERROR, LT_ERROR_PEER_LOST, "rank %d left the group", r);
          ok = FALSE;
        }
  g_mutex_unlock (&self->lock);
  return ok;
}
