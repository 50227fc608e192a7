/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* accept4 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "lt-dist-liveness-private.h"
#include "core/lt-error.h"

/*
 * Who is still there: a side channel beside the communication backend.
 *
 * Why one is needed. Open MPI 4.1 (Debian 12) has no fault tolerance in its
 * MPI layer (ULFM arrives with 5.0): with MPI_ERRORS_RETURN a collective
 * whose peer died does not fail, it waits for ever (checked: shared memory
 * and TCP alike), and nothing in MPI says which rank is gone. Run under
 * `mpirun --enable-recovery` the surviving processes are not killed when
 * one dies, so the process group polls non-blocking collectives against a
 * deadline (lt-process-group.c) and this channel tells it who was lost, at
 * once for a process that ended (the kernel closes its sockets) and within
 * the silence limit for one that hangs, is stopped or whose host went
 * away. The same holds under NCCL, which reports a failed peer late or not
 * at all without a watchdog.
 *
 * Shape: a star over TCP. Rank 0 listens (its address and a random token
 * are broadcast through the backend at initialisation, while every rank is
 * known to be alive); the others connect and say hello with the token.
 * Every side sends a 40-byte heartbeat each interval (a quarter of the
 * silence limit, at most a second). A connection that closes without a
 * goodbye, fails, or stays silent past the limit is a lost peer; rank 0
 * relays what it learns about a rank to all the others, so every surviving
 * rank names the same lost peer. When rank 0 itself is lost, every other
 * rank sees it directly. One thread per process runs the channel,
 * independent of the backend, so a process blocked in MPI still answers.
 *
 * LT_DIST_HUB_ADDR names the address of rank 0's host that the others
 * should use when the addresses rank 0 finds on its own interfaces do not
 * reach it (a NAT, a firewall per interface).
 */

#define FRAME_MAGIC 0x4c54444cu /* "LTDL" */

enum
{
  FRAME_HELLO = 1, /* rank, token: a new connection says who it is */
  FRAME_READY,     /* rank 0 to all: everyone is connected */
  FRAME_BEAT,      /* heartbeat */
  FRAME_BYE,       /* the sender leaves in order */
  FRAME_PEER,      /* rank 0 to all: rank, event, silence_ms */
};

typedef struct
{
  guint32 magic;
  guint32 type;
  gint32  rank;
  guint32 event;
  guint32 silence_ms;
  guint32 reserved;
  guint8  token[16];
} Frame;

G_STATIC_ASSERT (sizeof (Frame) == 40);

typedef struct
{
  int      fd;   /* -1 when closed */
  int      rank; /* the peer's rank */
  guint8   buf[sizeof (Frame)];
  gsize    have;
  gboolean said_bye;
} Conn;

struct _LtDistLiveness
{
  int            rank;
  int            size;
  double         silence_s;
  LtDistPeerFunc func;
  gpointer       user_data;

  int    listen_fd;
  guint8 token[16];

  /* rank 0: one per other rank; the others: one, to rank 0 */
  Conn *conns;
  int   n_conns;

  GMutex    lock;       /* guards last_heard and reported */
  gint64   *last_heard; /* per rank, monotonic µs */
  gboolean *reported;   /* per rank: func was called for it */

  GThread *thread;
  int      wake[2]; /* a pipe that stops the thread */
};

const char *
_lt_dist_peer_event_describe (LtDistPeerEvent event)
{
  switch (event)
    {
      case LT_DIST_PEER_CLOSED:
        return "its connection closed without a goodbye: the process ended";
      case LT_DIST_PEER_SILENT:
        return "it stopped answering (hung, stopped, or its host is unreachable)";
      case LT_DIST_PEER_ERROR:
        return "its connection failed (reset or unreachable)";
      case LT_DIST_PEER_LEFT:
        return "it left the group";
      default:
        return "unknown";
    }
}

LtDistLiveness *
_lt_dist_liveness_new (int            rank,
                       int            size,
                       double         silence_s,
                       LtDistPeerFunc func,
                       gpointer       user_data)
{
  LtDistLiveness *self = g_new0 (LtDistLiveness, 1);
  gint64          now = g_get_monotonic_time ();

  self->rank = rank;
  self->size = size;
  self->silence_s = silence_s;
  self->func = func;
  self->user_data = user_data;
  self->listen_fd = -1;
  self->wake[0] = self->wake[1] = -1;
  self->n_conns = rank == 0 ? size - 1 : 1;
  self->conns = g_new0 (Conn, MAX (self->n_conns, 1));
  for (int i = 0; i < self->n_conns; i++)
    {
      self->conns[i].fd = -1;
      self->conns[i].rank = rank == 0 ? -1 : 0;
    }
  self->last_heard = g_new (gint64, size);
  for (int i = 0; i < size; i++)
    self->last_heard[i] = now;
  self->reported = g_new0 (gboolean, size);
  g_mutex_init (&self->lock);
  return self;
}

static void
set_io_error (GError **error, const char *what, int errsv)
{
  g_set_error (error, LT_ERROR, LT_ERROR_IO, "init_process_group: the liveness channel: %s: %s",
               what, g_strerror (errsv));
}

/* The IPv4 addresses of this host's interfaces that are up, loopback last. */
static guint
local_addresses (guint32 *addrs, guint max)
{
  struct ifaddrs *list = NULL;
  guint           n = 0;

  if (getifaddrs (&list) == 0)
    {
      for (int pass = 0; pass < 2; pass++)
        for (struct ifaddrs *a = list; a && n < max; a = a->ifa_next)
          {
            guint32  ip;
            gboolean loopback;

            if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
                !(a->ifa_flags & IFF_UP))
              continue;
            ip = ((struct sockaddr_in *) a->ifa_addr)->sin_addr.s_addr;
            loopback = (ntohl (ip) >> 24) == 127;
            if (loopback == (pass == 0))
              continue;
            addrs[n++] = ip;
          }
      freeifaddrs (list);
    }
  if (n == 0 && max > 0)
    addrs[n++] = htonl (INADDR_LOOPBACK);
  return n;
}

gboolean
_lt_dist_liveness_listen (LtDistLiveness *self, LtDistHubAddress *hub, GError **error)
{
  struct sockaddr_in sa = { 0 };
  socklen_t          len = sizeof sa;
  int                fd;

  memset (hub, 0, sizeof *hub);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      set_io_error (error, "socket", errno);
      return FALSE;
    }
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_ANY);
  sa.sin_port = 0;
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (fd, 128) < 0 ||
      getsockname (fd, (struct sockaddr *) &sa, &len) < 0)
    {
      int errsv = errno;

      close (fd);
      set_io_error (error, "listening on a TCP port", errsv);
      return FALSE;
    }
  self->listen_fd = fd;
  for (guint i = 0; i < sizeof self->token; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (self->token + i, &r, 4);
    }
  memcpy (hub->token, self->token, sizeof hub->token);
  hub->port = sa.sin_port;
  hub->n_addrs = local_addresses (hub->addrs, LT_DIST_HUB_MAX_ADDRS);
  if (gethostname (hub->host, sizeof hub->host - 1) < 0)
    g_strlcpy (hub->host, "?", sizeof hub->host);
  return TRUE;
}

static void
frame_fill (Frame        *f,
            guint32       type,
            int           rank,
            guint32       event,
            guint32       silence_ms,
            const guint8 *token)
{
  memset (f, 0, sizeof *f);
  f->magic = htonl (FRAME_MAGIC);
  f->type = htonl (type);
  f->rank = (gint32) htonl ((guint32) rank);
  f->event = htonl (event);
  f->silence_ms = htonl (silence_ms);
  if (token)
    memcpy (f->token, token, sizeof f->token);
}

static void
frame_decode (Frame *f)
{
  f->magic = ntohl (f->magic);
  f->type = ntohl (f->type);
  f->rank = (gint32) ntohl ((guint32) f->rank);
  f->event = ntohl (f->event);
  f->silence_ms = ntohl (f->silence_ms);
}

/* Sends one frame without blocking; FALSE when the connection failed or
 * its buffer is full (a peer that stopped reading long ago). */
static gboolean
send_frame (int fd, const Frame *f)
{
  ssize_t n;

  do
    n = send (fd, f, sizeof *f, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof *f;
}

/* Waits for @fd to be ready for @events until @deadline. */
static gboolean
wait_fd (int fd, short events, gint64 deadline)
{
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = events };
      gint64        left = deadline - g_get_monotonic_time ();
      int           r;

      if (left <= 0)
        return FALSE;
      r = poll (&p, 1, (int) MIN ((left + 999) / 1000, 1000));
      if (r > 0)
        return TRUE;
      if (r < 0 && errno != EINTR)
        return FALSE;
    }
}

/* Reads one whole frame from a blocking-style exchange before @deadline. */
static gboolean
read_frame (int fd, Frame *f, gint64 deadline)
{
  gsize have = 0;

  while (have < sizeof *f)
    {
      ssize_t n;

      if (!wait_fd (fd, POLLIN, deadline))
        return FALSE;
      n = recv (fd, (guint8 *) f + have, sizeof *f - have, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        return FALSE;
      if (n > 0)
        have += (gsize) n;
    }
  frame_decode (f);
  return TRUE;
}

static void
tune_socket (int fd)
{
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Rank 0: accepts a connection from every other rank (each proving itself
 * with the token), then tells them all that everyone is there. */
static gboolean
accept_peers (LtDistLiveness *self, gint64 deadline, GError **error)
{
  int joined = 0;

  while (joined < self->size - 1)
    {
      Frame f;
      int   fd;

      if (!wait_fd (self->listen_fd, POLLIN, deadline))
        {
          g_autoptr(GString) missing = g_string_new (NULL);

          for (int r = 1; r < self->size; r++)
            if (self->conns[r - 1].fd < 0)
              g_string_append_printf (missing, "%s%d", missing->len ? ", " : "", r);
          g_set_error (error, LT_ERROR, LT_ERROR_TIMED_OUT,
                       "init_process_group: rank %s did not connect to rank 0's liveness "
                       "channel in time (set LT_DIST_HUB_ADDR to an address of rank 0's host "
                       "that the others reach)",
                       missing->str);
          return FALSE;
        }
      fd = accept4 (self->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0)
        continue;
      /* A connection that does not say hello with the token at once is not
       * one of ours. */
      if (!read_frame (fd, &f, MIN (deadline, g_get_monotonic_time () + 5 * G_USEC_PER_SEC)) ||
          f.magic != FRAME_MAGIC || f.type != FRAME_HELLO ||
          memcmp (f.token, self->token, sizeof f.token) != 0 || f.rank < 1 ||
          f.rank >= self->size || self->conns[f.rank - 1].fd >= 0)
        {
          close (fd);
          continue;
        }
      tune_socket (fd);
      self->conns[f.rank - 1].fd = fd;
      self->conns[f.rank - 1].rank = f.rank;
      joined++;
    }
  close (self->listen_fd);
  self->listen_fd = -1;
  for (int i = 0; i < self->n_conns; i++)
    {
      Frame ready;

      frame_fill (&ready, FRAME_READY, 0, 0, 0, NULL);
      if (!send_frame (self->conns[i].fd, &ready))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_PEER_LOST,
                       "init_process_group: rank %d closed its liveness connection during "
                       "initialisation",
                       self->conns[i].rank);
          return FALSE;
        }
    }
  return TRUE;
}

/* Connects to @addr:@port before @deadline. */
static int
connect_to (guint32 addr, guint16 port, gint64 deadline)
{
  struct sockaddr_in sa = { 0 };
  int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int                err = 0;
  socklen_t          len = sizeof err;

  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = addr;
  sa.sin_port = port;
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0 && errno != EINPROGRESS)
    {
      close (fd);
      return -1;
    }
  if (!wait_fd (fd, POLLOUT, deadline) || getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
      err != 0)
    {
      close (fd);
      return -1;
    }
  tune_socket (fd);
  return fd;
}

/* The addresses to try for rank 0, best first. */
static guint
hub_candidates (const LtDistHubAddress *hub, guint32 *out, guint max, GError **error)
{
  const char *forced = g_getenv ("LT_DIST_HUB_ADDR");
  char        host[64] = { 0 };
  guint       n = 0;

  if (forced && *forced)
    {
      struct addrinfo  hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
      struct addrinfo *res = NULL;
      int              r = getaddrinfo (forced, NULL, &hints, &res);

      if (r != 0 || res == NULL)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "init_process_group: LT_DIST_HUB_ADDR=%s: %s", forced, gai_strerror (r));
          return 0;
        }
      for (struct addrinfo *a = res; a && n < max; a = a->ai_next)
        out[n++] = ((struct sockaddr_in *) a->ai_addr)->sin_addr.s_addr;
      freeaddrinfo (res);
      return n;
    }
  /* On rank 0's own host the loopback always reaches it. */
  if (gethostname (host, sizeof host - 1) == 0 && g_strcmp0 (host, hub->host) == 0)
    out[n++] = htonl (INADDR_LOOPBACK);
  for (guint i = 0; i < hub->n_addrs && i < LT_DIST_HUB_MAX_ADDRS && n < max; i++)
    out[n++] = hub->addrs[i];
  return n;
}

static gboolean
connect_hub (LtDistLiveness *self, const LtDistHubAddress *hub, gint64 deadline, GError **error)
{
  guint32 candidates[LT_DIST_HUB_MAX_ADDRS + 1];
  guint   n = hub_candidates (hub, candidates, G_N_ELEMENTS (candidates), error);
  Frame   f;
  int     fd = -1;

  if (n == 0)
    return FALSE;
  for (guint i = 0; i < n && fd < 0; i++)
    fd = connect_to (candidates[i], hub->port,
                     MIN (deadline, g_get_monotonic_time () + 5 * G_USEC_PER_SEC));
  if (fd < 0)
    {
      char text[INET_ADDRSTRLEN] = "?";

      inet_ntop (AF_INET, &candidates[0], text, sizeof text);
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "init_process_group: cannot reach rank 0's liveness channel on %s (first "
                   "address tried: %s, port %u); set LT_DIST_HUB_ADDR to an address of that "
                   "host that this one reaches",
                   hub->host, text, ntohs (hub->port));
      return FALSE;
    }
  frame_fill (&f, FRAME_HELLO, self->rank, 0, 0, hub->token);
  if (!send_frame (fd, &f) || !read_frame (fd, &f, deadline) || f.magic != FRAME_MAGIC ||
      f.type != FRAME_READY)
    {
      close (fd);
      g_set_error (error, LT_ERROR, LT_ERROR_TIMED_OUT,
                   "init_process_group: rank 0 did not confirm that every rank joined its "
                   "liveness channel in time");
      return FALSE;
    }
  self->conns[0].fd = fd;
  self->conns[0].rank = 0;
  return TRUE;
}

/* Calls func for @rank once. Rank 0 tells the others. */
static void
report (LtDistLiveness *self, int rank, LtDistPeerEvent event, double silent_s)
{
  gboolean first;

  g_mutex_lock (&self->lock);
  first = !self->reported[rank];
  self->reported[rank] = TRUE;
  g_mutex_unlock (&self->lock);
  if (!first)
    return;
  if (self->rank == 0)
    for (int i = 0; i < self->n_conns; i++)
      {
        Frame f;

        if (self->conns[i].fd < 0 || self->conns[i].rank == rank)
          continue;
        frame_fill (&f, FRAME_PEER, rank, event, (guint32) MIN (silent_s * 1000, G_MAXUINT32),
                    NULL);
        send_frame (self->conns[i].fd, &f);
      }
  self->func (rank, event, silent_s, self->user_data);
}

static double
silence_of (LtDistLiveness *self, int rank, gint64 now)
{
  gint64 last;

  g_mutex_lock (&self->lock);
  last = self->last_heard[rank];
  g_mutex_unlock (&self->lock);
  return (double) (now - last) / G_USEC_PER_SEC;
}

double
_lt_dist_liveness_silence (LtDistLiveness *self, int rank)
{
  if (rank == self->rank || rank < 0 || rank >= self->size)
    return 0;
  /* The others hear about ranks other than 0 through rank 0 only. */
  return silence_of (self, self->rank == 0 ? rank : 0, g_get_monotonic_time ());
}

static void
conn_close (LtDistLiveness *self, Conn *c, LtDistPeerEvent event, gint64 now)
{
  double silent = silence_of (self, c->rank, now);

  close (c->fd);
  c->fd = -1;
  report (self, c->rank, c->said_bye ? LT_DIST_PEER_LEFT : event, silent);
}

static void
handle_frame (LtDistLiveness *self, Conn *c, Frame *f, gint64 now)
{
  frame_decode (f);
  if (f->magic != FRAME_MAGIC)
    {
      conn_close (self, c, LT_DIST_PEER_ERROR, now);
      return;
    }
  g_mutex_lock (&self->lock);
  self->last_heard[c->rank] = now;
  g_mutex_unlock (&self->lock);
  switch (f->type)
    {
      case FRAME_BYE:
        c->said_bye = TRUE;
        break;
      case FRAME_PEER:
        /* From rank 0: about another rank */
        if (self->rank != 0 && f->rank > 0 && f->rank < self->size && f->rank != self->rank &&
            f->event <= LT_DIST_PEER_LEFT)
          report (self, f->rank, (LtDistPeerEvent) f->event, f->silence_ms / 1000.0);
        break;
      default:
        break;
    }
}

static void
read_conn (LtDistLiveness *self, Conn *c, gint64 now)
{
  for (;;)
    {
      ssize_t n = recv (c->fd, c->buf + c->have, sizeof c->buf - c->have, MSG_DONTWAIT);

      if (n == 0)
        {
          conn_close (self, c, LT_DIST_PEER_CLOSED, now);
          return;
        }
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            conn_close (self, c, errno == ECONNRESET ? LT_DIST_PEER_CLOSED : LT_DIST_PEER_ERROR,
                        now);
          return;
        }
      c->have += (gsize) n;
      if (c->have == sizeof c->buf)
        {
          Frame f;

          memcpy (&f, c->buf, sizeof f);
          c->have = 0;
          handle_frame (self, c, &f, now);
          if (c->fd < 0)
            return;
        }
    }
}

static gpointer
liveness_main (gpointer data)
{
  LtDistLiveness *self = data;
  gint64          interval = (gint64) (MIN (1.0, self->silence_s / 4) * G_USEC_PER_SEC);
  gint64          next_beat = 0;
  struct pollfd  *fds = g_new (struct pollfd, self->n_conns + 1);

  interval = MAX (interval, 10000);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      int    nfds = 0, r;

      if (now >= next_beat)
        {
          for (int i = 0; i < self->n_conns; i++)
            {
              Conn *c = &self->conns[i];
              Frame f;

              if (c->fd < 0)
                continue;
              frame_fill (&f, FRAME_BEAT, self->rank, 0, 0, NULL);
              if (!send_frame (c->fd, &f))
                conn_close (self, c, LT_DIST_PEER_ERROR, now);
            }
          next_beat = now + interval;
        }
      for (int i = 0; i < self->n_conns; i++)
        {
          Conn *c = &self->conns[i];

          if (c->fd >= 0 && silence_of (self, c->rank, now) > self->silence_s)
            conn_close (self, c, LT_DIST_PEER_SILENT, now);
        }

      fds[nfds++] = (struct pollfd){ .fd = self->wake[0], .events = POLLIN };
      for (int i = 0; i < self->n_conns; i++)
        fds[nfds++] = (struct pollfd){ .fd = self->conns[i].fd, .events = POLLIN };
      r = poll (fds, nfds, (int) MAX ((next_beat - now) / 1000, 1));
      if (r < 0 && errno != EINTR)
        break;
      if (fds[0].revents)
        break;
      now = g_get_monotonic_time ();
      for (int i = 0; i < self->n_conns; i++)
        if (self->conns[i].fd >= 0 && fds[i + 1].revents)
          read_conn (self, &self->conns[i], now);
    }
  g_free (fds);
  return NULL;
}

gboolean
_lt_dist_liveness_join (LtDistLiveness         *self,
                        const LtDistHubAddress *hub,
                        gint64                  deadline,
                        GError                **error)
{
  GError *local = NULL;

  if (self->size > 1)
    {
      if (self->rank == 0 ? !accept_peers (self, deadline, error)
                          : !connect_hub (self, hub, deadline, error))
        return FALSE;
    }
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &local))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "init_process_group: %s", local->message);
      g_error_free (local);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  for (int i = 0; i < self->size; i++)
    self->last_heard[i] = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  self->thread = g_thread_try_new ("lt-dist-liveness", liveness_main, self, error);
  if (self->thread == NULL)
    {
      g_prefix_error (error, "init_process_group: ");
      return FALSE;
    }
  return TRUE;
}

void
_lt_dist_liveness_free (LtDistLiveness *self, gboolean goodbye)
{
  if (self == NULL)
    return;
  if (self->thread)
    {
      char byte = 1;

      while (write (self->wake[1], &byte, 1) < 0 && errno == EINTR)
        ;
      g_thread_join (self->thread);
    }
  for (int i = 0; i < self->n_conns; i++)
    {
      Conn *c = &self->conns[i];

      if (c->fd < 0)
        continue;
      if (goodbye)
        {
          Frame f;

          frame_fill (&f, FRAME_BYE, self->rank, 0, 0, NULL);
          send_frame (c->fd, &f);
        }
      close (c->fd);
    }
  if (self->listen_fd >= 0)
    close (self->listen_fd);
  for (int i = 0; i < 2; i++)
    if (self->wake[i] >= 0)
      close (self->wake[i]);
  g_mutex_clear (&self->lock);
  g_free (self->conns);
  g_free (self->last_heard);
  g_free (self->reported);
  g_free (self);
}
