/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-process-group-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"

/**
 * LtWork:
 *
 * A collective under way, as the work handle `torch.distributed`'s
 * `async_op=True` calls return: the `_async` functions of
 * #LtProcessGroup start a collective and return at once; lt_work_wait()
 * waits for it, and its tensors must not be read or written before.
 *
 * A work always ends: with its result, or with a GError when a peer was
 * lost (%LT_ERROR_PEER_LOST) or the group's timeout passed
 * (%LT_ERROR_TIMED_OUT).
 */

G_DEFINE_FINAL_TYPE (LtWork, lt_work, G_TYPE_OBJECT)

/* How long a waiter gives the progress thread past a work's deadline
 * before it concludes that the thread is stuck inside the backend. */
#define STUCK_GRACE_US (5 * G_USEC_PER_SEC)
/* The longest the progress thread sleeps between polls of running
 * collectives: shorter while a thread waits for one. */
#define POLL_MAX_US 500
#define POLL_MAX_WAITED_US 50

static void
lt_work_finalize (GObject *object)
{
  LtWork *self = LT_WORK (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->tensors); i++)
    g_clear_object (&self->tensors[i]);
  g_clear_error (&self->error);
  g_clear_object (&self->group);
  g_free (self->what);
  G_OBJECT_CLASS (lt_work_parent_class)->finalize (object);
}

static void
lt_work_class_init (LtWorkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_work_finalize;
}

static void
lt_work_init (LtWork *self)
{
}

/* Under the lock: ends @work with @error (a copy, prefixed by what the work
 * was). */
static void
fail_work_locked (LtWork *work, const GError *error)
{
  if (work->state == LT_WORK_DONE || work->state == LT_WORK_FAILED)
    return;
  work->state = LT_WORK_FAILED;
  work->error = g_error_new (error->domain, error->code, "%s: %s", work->what, error->message);
}

/* Under the lock, on the progress thread: ends every work after a failure.
 * Running ones are abandoned: the backend may still touch their buffers,
 * so they are kept for the life of the process. */
static void
abandon_all_locked (LtProcessGroup *self)
{
  LtWork *w;

  while ((w = g_queue_pop_head (&self->queue)))
    {
      fail_work_locked (w, self->failure);
      g_object_unref (w);
    }
  for (guint i = 0; i < self->running->len; i++)
    {
      w = g_ptr_array_index (self->running, i);
      fail_work_locked (w, self->failure);
      g_ptr_array_add (self->abandoned, w);
    }
  g_ptr_array_set_size (self->running, 0);
  g_cond_broadcast (&self->cond);
}

/**
 * _lt_process_group_fail:
 * @self: a process group
 * @error: (transfer full): what broke it
 *
 * Marks the group broken (the first failure wins): every work under way
 * and every later call fails with @error. Any thread.
 */
void
_lt_process_group_fail (LtProcessGroup *self, GError *error)
{
  g_mutex_lock (&self->lock);
  if (self->failure == NULL)
    self->failure = error;
  else
    g_error_free (error);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static GError *
timeout_error (LtProcessGroup *self, LtWork *work)
{
  g_autoptr(GString) why = g_string_new (NULL);
  double worst = 0;
  int    worst_rank = -1;

  for (int r = 0; r < self->size; r++)
    {
      double s = self->liveness ? _lt_dist_liveness_silence (self->liveness, r) : 0;

      if (s > worst)
        {
          worst = s;
          worst_rank = r;
        }
    }
  g_mutex_lock (&self->lock);
  for (int r = 0; r < self->size; r++)
    if (self->left[r])
      g_string_append_printf (why, "%srank %d left the group", why->len ? ", " : "", r);
  g_mutex_unlock (&self->lock);
  if (why->len == 0)
    g_string_printf (why,
                     "every peer is alive (the longest silence: %.1f s, rank %d): a rank may be "
                     "in another collective, or not have called this one",
                     worst, worst_rank);
  return g_error_new (LT_ERROR, LT_ERROR_TIMED_OUT, "did not complete within %g s: %s",
                      self->timeout, why->str);
}

/* AVG: the sum divided by the number of ranks, in the tensor's type. */
static void
average (LtWork *work, int size)
{
  gint64 n = work->call.count; /* all_reduce's tensor, reduce_scatter's output */

  if (work->call.dtype == LT_DTYPE_FLOAT32)
    {
      float *x = work->call.recv;

      for (gint64 i = 0; i < n; i++)
        x[i] /= (float) size;
    }
  else if (work->call.dtype == LT_DTYPE_FLOAT64)
    {
      double *x = work->call.recv;

      for (gint64 i = 0; i < n; i++)
        x[i] /= (double) size;
    }
}

/* Starts what was submitted; FALSE when the group failed. */
static gboolean
start_works (LtProcessGroup *self, GPtrArray *starting)
{
  for (guint i = 0; i < starting->len; i++)
    {
      LtWork *w = g_ptr_array_index (starting, i);
      GError *local = NULL;

      w->request = self->backend->start (self->comm, &w->call, &local);
      if (w->request == NULL)
        {
          /* The others started it: this rank is out of step for good. */
          g_prefix_error (&local, "%s: the %s backend could not start it: ", w->what,
                          self->backend->name);
          _lt_process_group_fail (self, local);
          /* The rest are not started: they fail without being abandoned. */
          g_mutex_lock (&self->lock);
          for (guint j = i; j < starting->len; j++)
            {
              LtWork *rest = g_ptr_array_index (starting, j);

              fail_work_locked (rest, self->failure);
              g_object_unref (rest);
            }
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->lock);
          g_ptr_array_set_size (starting, 0);
          return FALSE;
        }
      g_ptr_array_add (self->running, w);
    }
  g_ptr_array_set_size (starting, 0);
  return TRUE;
}

/* Polls the running works once; TRUE when one completed. */
static gboolean
poll_works (LtProcessGroup *self)
{
  gboolean progressed = FALSE;
  gint64   now = g_get_monotonic_time ();

  for (guint i = 0; i < self->running->len;)
    {
      LtWork  *w = g_ptr_array_index (self->running, i);
      GError  *local = NULL;
      gboolean done = FALSE;

      if (!self->backend->test (self->comm, w->request, &done, &local))
        {
          _lt_process_group_fail (self, local);
          return progressed;
        }
      if (!done)
        {
          if (now > w->deadline)
            {
              _lt_process_group_fail (self, timeout_error (self, w));
              return progressed;
            }
          i++;
          continue;
        }
      self->backend->free_request (w->request);
      w->request = NULL;
      if (w->average)
        average (w, self->size);
      g_ptr_array_remove_index (self->running, i);
      g_mutex_lock (&self->lock);
      if (w->state == LT_WORK_RUNNING)
        w->state = LT_WORK_DONE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_object_unref (w);
      progressed = TRUE;
    }
  return progressed;
}

/*
 * The progress thread: initialises the backend, then starts the submitted
 * collectives in submission order (the same on every rank) and polls the
 * running ones until each completes, fails, or passes its deadline. Open
 * MPI progresses non-blocking collectives only inside MPI calls, so
 * polling here is what makes them move while the caller computes. Polls
 * back off from none to POLL_MAX_US between tests, to leave the cores to
 * the computation; a thread waiting in lt_work_wait () shortens that.
 */
gpointer
_lt_process_group_progress_main (gpointer data)
{
  LtProcessGroup *self = data;
  g_autoptr(GPtrArray) starting = g_ptr_array_new ();
  GError  *init_error = NULL;
  gint64   sleep_us = 0;
  gboolean failed;

  self->comm = self->backend->init (&self->rank, &self->size, &init_error);
  g_mutex_lock (&self->lock);
  self->init_done = TRUE;
  self->init_error = init_error;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->comm == NULL)
    return NULL;

  for (;;)
    {
      LtWork  *w;
      gboolean waited;

      g_mutex_lock (&self->lock);
      while (!self->stopping && self->failure == NULL && self->queue.length == 0 &&
             self->running->len == 0)
        g_cond_wait (&self->cond, &self->lock);
      if (self->failure)
        abandon_all_locked (self);
      if (self->stopping && self->queue.length == 0 && self->running->len == 0)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      while ((w = g_queue_pop_head (&self->queue)))
        {
          w->state = LT_WORK_RUNNING;
          g_ptr_array_add (starting, w);
        }
      waited = self->waiters > 0;
      g_mutex_unlock (&self->lock);

      if (starting->len > 0)
        {
          sleep_us = 0;
          if (!start_works (self, starting))
            continue;
        }
      if (poll_works (self))
        sleep_us = 0;
      else if (self->running->len > 0)
        {
          gint64 limit = waited ? POLL_MAX_WAITED_US : POLL_MAX_US;

          sleep_us = MIN (MAX (sleep_us * 2, 1), limit);
          g_mutex_lock (&self->lock);
          if (self->queue.length == 0 && self->failure == NULL && !self->stopping)
            g_cond_wait_until (&self->cond, &self->lock, g_get_monotonic_time () + sleep_us);
          g_mutex_unlock (&self->lock);
        }
    }

  g_mutex_lock (&self->lock);
  failed = self->failure != NULL;
  g_mutex_unlock (&self->lock);
  if (failed)
    self->backend->abandon (self->comm);
  else
    self->backend->finalize (self->comm);
  self->comm = NULL;
  return NULL;
}

/**
 * _lt_process_group_submit:
 * @self: a process group
 * @call: the collective, checked
 * @read: (nullable): the tensor it reads, kept alive until it ends
 * @written: (nullable): the tensor it writes, kept alive until it ends
 * @average: divide the result by the group's size
 * @what: the collective, for messages
 * @error: return location for a #GError
 *
 * Queues a collective for the progress thread.
 *
 * Returns: (transfer full): its work, or %NULL when the group is broken,
 *   destroyed, or a rank left it
 */
LtWork *
_lt_process_group_submit (LtProcessGroup   *self,
                          const LtDistCall *call,
                          LtTensor         *read,
                          LtTensor         *written,
                          gboolean          average_result,
                          const char       *what,
                          GError          **error)
{
  LtWork *work;

  g_mutex_lock (&self->lock);
  if (self->destroyed || self->stopping)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the process group was destroyed (destroy_process_group)", what);
      return NULL;
    }
  if (self->failure)
    {
      g_set_error (error, self->failure->domain, self->failure->code, "%s: %s", what,
                   self->failure->message);
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  for (int r = 0; r < self->size; r++)
    if (self->left[r])
      {
        g_mutex_unlock (&self->lock);
        g_set_error (error, LT_ERROR, LT_ERROR_PEER_LOST,
                     "%s: rank %d (pid %" G_GINT64_FORMAT " on %s) left the group: no "
                     "collective can complete without it",
                     what, r, self->pids[r], self->hosts[r]);
        return NULL;
      }
  work = g_object_new (LT_TYPE_WORK, NULL);
  work->group = g_object_ref (self);
  work->call = *call;
  work->average = average_result;
  work->what = g_strdup (what);
  work->tensors[0] = read ? g_object_ref (read) : NULL;
  work->tensors[1] = written ? g_object_ref (written) : NULL;
  work->deadline = g_get_monotonic_time () + (gint64) (self->timeout * G_USEC_PER_SEC);
  work->state = LT_WORK_QUEUED;
  if (written)
    _lt_tensor_bump_version (written);
  g_queue_push_tail (&self->queue, g_object_ref (work));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return work;
}

/**
 * lt_work_wait:
 * @self: a work
 * @error: return location for a #GError
 *
 * Waits for the collective to complete, as `Work.wait()`. It always ends:
 * at the latest when the group's timeout passes, with
 * %LT_ERROR_TIMED_OUT, and at once when a peer is lost, with
 * %LT_ERROR_PEER_LOST naming the rank, its process id and its host.
 * After a failure the group is broken: every later collective fails with
 * the same error.
 *
 * Returns: %TRUE when the collective completed and its output tensors
 *   hold the result; %FALSE with @error set otherwise
 */
gboolean
lt_work_wait (LtWork *self, GError **error)
{
  LtProcessGroup *group;
  gboolean        ok;

  g_return_val_if_fail (LT_IS_WORK (self), FALSE);

  group = self->group;
  g_mutex_lock (&group->lock);
  group->waiters++;
  g_cond_broadcast (&group->cond);
  while (self->state == LT_WORK_QUEUED || self->state == LT_WORK_RUNNING)
    {
      if (!g_cond_wait_until (&group->cond, &group->lock, self->deadline + STUCK_GRACE_US) &&
          g_get_monotonic_time () >= self->deadline + STUCK_GRACE_US &&
          (self->state == LT_WORK_QUEUED || self->state == LT_WORK_RUNNING))
        {
          /* The progress thread did not act on the deadline: it is stuck in
           * the backend. Its buffers stay alive with the group. */
          if (group->failure == NULL)
            group->failure =
              g_error_new (LT_ERROR, LT_ERROR_TIMED_OUT,
                           "the %s backend did not return for %g s past the "
                           "deadline of a collective",
                           group->backend->name, (double) STUCK_GRACE_US / G_USEC_PER_SEC);
          fail_work_locked (self, group->failure);
          g_ptr_array_add (group->abandoned, g_object_ref (self));
          g_cond_broadcast (&group->cond);
        }
    }
  group->waiters--;
  ok = self->state == LT_WORK_DONE;
  if (!ok && error)
    *error = g_error_copy (self->error);
  g_mutex_unlock (&group->lock);
  return ok;
}

/**
 * lt_work_is_completed:
 * @self: a work
 *
 * Whether the collective has ended, as `Work.is_completed()`: with its
 * result or with an error that lt_work_wait() gives.
 *
 * Returns: %TRUE once it has ended
 */
gboolean
lt_work_is_completed (LtWork *self)
{
  gboolean done;

  g_return_val_if_fail (LT_IS_WORK (self), FALSE);
  g_mutex_lock (&self->group->lock);
  done = self->state == LT_WORK_DONE || self->state == LT_WORK_FAILED;
  g_mutex_unlock (&self->group->lock);
  return done;
}

gboolean
_lt_process_group_exchange (LtProcessGroup  *self,
                            LtDistCollective kind,
                            gpointer         send,
                            gpointer         recv,
                            gsize            nbytes,
                            GError         **error)
{
  LtDistCall call = { .kind = kind, .dtype = LT_DTYPE_UINT8, .count = (gint64) nbytes };
  g_autoptr(LtWork) work = NULL;

  call.send = kind == LT_DIST_ALL_GATHER ? send : NULL;
  call.recv = recv;
  call.root = 0;
  call.host = TRUE;
  work = _lt_process_group_submit (self, &call, NULL, NULL, FALSE, "init_process_group", error);
  return work && lt_work_wait (work, error);
}
