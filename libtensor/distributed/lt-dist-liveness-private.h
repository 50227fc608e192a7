/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Why a peer is no longer there. */
typedef enum {
  LT_DIST_PEER_CLOSED,  /* its connection closed without a goodbye: the process ended */
  LT_DIST_PEER_SILENT,  /* nothing from it for the silence limit: hung, stopped, unreachable */
  LT_DIST_PEER_ERROR,   /* its connection failed (reset, unreachable) */
  LT_DIST_PEER_LEFT,    /* it said goodbye (destroy_process_group or exit) */
} LtDistPeerEvent;

/* Called on the liveness thread, once per peer, when that peer is lost or
 * leaves. @silent_s is how long nothing came from it. */
typedef void (*LtDistPeerFunc) (int             rank,
                                LtDistPeerEvent event,
                                double          silent_s,
                                gpointer        user_data);

/* Where rank 0 listens, broadcast to the others at initialisation. */
#define LT_DIST_HUB_MAX_ADDRS 8
typedef struct
{
  guint8  token[16];   /* proves a connection comes from this job */
  guint16 port;        /* network order */
  guint16 n_addrs;
  guint32 addrs[LT_DIST_HUB_MAX_ADDRS]; /* IPv4, network order, best first */
  char    host[64];
} LtDistHubAddress;

typedef struct _LtDistLiveness LtDistLiveness;

LtDistLiveness *_lt_dist_liveness_new        (int                     rank,
                                              int                     size,
                                              double                  silence_s,
                                              LtDistPeerFunc          func,
                                              gpointer                user_data);
/* Rank 0: listens and fills @hub for the others. */
gboolean        _lt_dist_liveness_listen     (LtDistLiveness         *self,
                                              LtDistHubAddress       *hub,
                                              GError                **error);
/* Every rank, once all have @hub: rank 0 accepts the others, the others
 * connect to it; then the liveness thread starts. Gives up at @deadline
 * (g_get_monotonic_time ()). */
gboolean        _lt_dist_liveness_join       (LtDistLiveness         *self,
                                              const LtDistHubAddress *hub,
                                              gint64                  deadline,
                                              GError                **error);
/* Seconds since anything came from @rank (through rank 0 for the others). */
double          _lt_dist_liveness_silence    (LtDistLiveness         *self,
                                              int                     rank);
/* Says goodbye (the peers learn that this rank left in order), stops the
 * thread and closes the connections. */
void            _lt_dist_liveness_free       (LtDistLiveness         *self,
                                              gboolean                goodbye);

const char     *_lt_dist_peer_event_describe (LtDistPeerEvent         event);

G_END_DECLS
