/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "lt-download.h"
#include "core/lt-error.h"

/*
 * Downloads over HTTP(S) with libsoup 3, synchronously (callers that must
 * not block run it in a thread). The bytes go to "<path>.part"; an
 * interrupted download leaves it there and the next attempt (the same
 * call retries a connection that broke after some progress, and a later
 * call starts where the file ends) asks only for the rest with an HTTP
 * Range request. When the file is whole, its MD5 is checked; a mismatch
 * removes it, a match renames it to @path after an fsync, so @path never
 * holds a partial or corrupt file.
 */

#define CHUNK_SIZE (64 * 1024)
#define MAX_ATTEMPTS 4

typedef enum {
  FETCH_DONE,
  FETCH_FAILED,         /* give up */
  FETCH_RETRY,          /* a broken connection after some progress */
} FetchResult;

typedef struct
{
  const char *url;
  const char *path;
  const char *part;
  LtDownloadProgressFunc progress;
  gpointer user_data;
  GCancellable *cancellable;
} Download;

static gboolean
write_all (int           fd,
           const guint8 *buf,
           gsize         len,
           const char   *part,
           GError      **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot write %s: %s",
                       part, g_strerror (saved));
          return FALSE;
        }
      buf += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return 0;
  return (guint64) st.st_size;
}

static FetchResult
fetch_once (Download    *d,
            SoupSession *session,
            GError     **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree guint8 *buf = NULL;
  GError *local = NULL;
  SoupMessageHeaders *headers;
  guint64 start = file_size (d->part), received, total = 0, this_attempt = 0;
  guint status;
  int fd, flags;
  gboolean ok = TRUE;

  msg = soup_message_new ("GET", d->url);
  if (msg == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "download: %s is not an http or https URL", d->url);
      return FETCH_FAILED;
    }
  if (start > 0)
    soup_message_headers_set_range (soup_message_get_request_headers (msg), (goffset) start, -1);

  stream = soup_session_send (session, msg, d->cancellable, &local);
  if (stream == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, local);
      else
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot fetch %s: %s",
                       d->url, local->message);
          g_error_free (local);
        }
      return FETCH_FAILED;
    }

  status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  if (status == SOUP_STATUS_PARTIAL_CONTENT && start > 0)
    {
      goffset rs, re, rt;

      if (!soup_message_headers_get_content_range (headers, &rs, &re, &rt) || (guint64) rs != start)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "download: %s answered a request for the bytes from %" G_GUINT64_FORMAT
                       " with another range", d->url, start);
          return FETCH_FAILED;
        }
      total = rt > 0 ? (guint64) rt : 0;
      flags = O_WRONLY | O_APPEND | O_CLOEXEC;
    }
  else if (status == SOUP_STATUS_OK)
    {
      /* A whole file: the server ignored the range, or there was none. */
      start = 0;
      if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
        total = (guint64) soup_message_headers_get_content_length (headers);
      flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    }
  else if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && start > 0)
    {
      const char *range = soup_message_headers_get_one (headers, "Content-Range");

      /* The part may hold the whole file already: the server names the size only. */
      if (range != NULL && g_str_has_prefix (range, "bytes */")
          && g_ascii_strtoull (range + 8, NULL, 10) == start)
        {
          if (d->progress)
            d->progress (start, start, d->user_data);
          return FETCH_DONE;
        }
      /* Otherwise it is longer than the file now is: start again. */
      g_unlink (d->part);
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "download: %s refused the range from byte %" G_GUINT64_FORMAT, d->url, start);
      return FETCH_RETRY;
    }
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: %s answered HTTP %u %s",
                   d->url, status, soup_message_get_reason_phrase (msg));
      return FETCH_FAILED;
    }

  fd = g_open (d->part, flags, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot write %s: %s",
                   d->part, g_strerror (saved));
      return FETCH_FAILED;
    }

  received = start;
  if (d->progress)
    d->progress (received, total, d->user_data);
  buf = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buf, CHUNK_SIZE, d->cancellable, &local);

      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      if (n == 0)
        break;
      if (!write_all (fd, buf, (gsize) n, d->part, &local))
        {
          ok = FALSE;
          break;
        }
      received += (guint64) n;
      this_attempt += (guint64) n;
      if (d->progress)
        d->progress (received, total, d->user_data);
    }
  if (ok && total > 0 && received != total)
    {
      ok = FALSE;
      local = g_error_new (LT_ERROR, LT_ERROR_IO, "the connection closed after %" G_GUINT64_FORMAT
                           " of %" G_GUINT64_FORMAT " bytes", received, total);
    }
  if (ok && fsync (fd) != 0)
    {
      int saved = errno;

      ok = FALSE;
      local = g_error_new (LT_ERROR, LT_ERROR_IO, "cannot write %s: %s", d->part,
                           g_strerror (saved));
    }
  close (fd);
  g_input_stream_close (stream, NULL, NULL);

  if (ok)
    return FETCH_DONE;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local);
      return FETCH_FAILED;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_IO,
               "download: %s broke off after %" G_GUINT64_FORMAT " bytes (%s); %s keeps them "
               "for the next attempt", d->url, received, local->message, d->part);
  g_error_free (local);
  return this_attempt > 0 ? FETCH_RETRY : FETCH_FAILED;
}

static char *
file_md5 (const char   *path,
          GCancellable *cancellable,
          GError      **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree guint8 *buf = g_malloc (1 << 20);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot read %s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  for (;;)
    {
      ssize_t n = read (fd, buf, 1 << 20);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot read %s: %s", path,
                       g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      g_checksum_update (sum, buf, n);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }
    }
  close (fd);
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
md5_is_valid (const char *md5)
{
  if (strlen (md5) != 32)
    return FALSE;
  for (const char *c = md5; *c; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

static void
sync_folder (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int dfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
}

/**
 * lt_download_file:
 * @url: an http:// or https:// URL
 * @path: where the file goes
 * @md5: (nullable): the MD5 the file must have, as 32 hexadecimal digits,
 *   or %NULL not to check it
 * @progress: (scope call) (closure user_data) (nullable): called as the
 *   bytes arrive
 * @user_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Downloads @url to @path with libsoup, resumably and atomically: the bytes
 * go to "@path.part"; a connection that breaks after some progress is
 * retried (a few times) with an HTTP Range request for the rest, and so is a
 * later call after a failure, a crash or a cancellation. When the file is
 * whole its MD5 is compared with @md5: a mismatch removes the part file and
 * fails; a match renames it to @path. A @path that exists already and
 * matches @md5 (or any, when @md5 is %NULL) is kept without a request.
 *
 * This blocks; run it in a thread (a #GTask) from a user interface.
 *
 * Returns: %TRUE when @path holds the file; %FALSE with @error set:
 *   %LT_ERROR_IO for a network failure or an HTTP error status (the message
 *   names the URL and the status), %LT_ERROR_FORMAT for a checksum mismatch,
 *   %LT_ERROR_INVALID_ARGUMENT for a bad URL or MD5, or %G_IO_ERROR_CANCELLED
 *   in the %G_IO_ERROR domain when @cancellable was cancelled (the part file
 *   stays for a later call)
 */
gboolean
lt_download_file (const char             *url,
                  const char             *path,
                  const char             *md5,
                  LtDownloadProgressFunc  progress,
                  gpointer                user_data,
                  GCancellable           *cancellable,
                  GError                **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *part = NULL;
  g_autofree char *got = NULL;
  Download d;

  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  if (md5 != NULL && !md5_is_valid (md5))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "download: \"%s\" is not an MD5 (32 hexadecimal digits)", md5);
      return FALSE;
    }
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "download: %s is not an http or https URL", url);
      return FALSE;
    }

  /* A file that is already there and right is kept. */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *have = md5 ? file_md5 (path, cancellable, NULL) : NULL;

      if (md5 == NULL || (have != NULL && g_ascii_strcasecmp (have, md5) == 0))
        {
          guint64 size = file_size (path);

          if (progress)
            progress (size, size, user_data);
          return TRUE;
        }
    }

  part = g_strconcat (path, ".part", NULL);
  d = (Download) { url, path, part, progress, user_data, cancellable };
  session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60,
                                           "user-agent", "libtensor/" PACKAGE_VERSION, NULL);
  for (guint attempt = 1;; attempt++)
    {
      GError *local = NULL;
      FetchResult r = fetch_once (&d, session, &local);

      if (r == FETCH_DONE)
        break;
      if (r == FETCH_FAILED || attempt == MAX_ATTEMPTS)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      g_debug ("%s; trying again", local->message);
      g_error_free (local);
    }

  if (md5 != NULL)
    {
      got = file_md5 (part, cancellable, error);
      if (got == NULL)
        return FALSE;
      if (g_ascii_strcasecmp (got, md5) != 0)
        {
          g_unlink (part);
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "download: %s has MD5 %s, not %s as expected; the file was removed",
                       url, got, md5);
          return FALSE;
        }
    }
  if (g_rename (part, path) != 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "download: cannot rename %s to %s: %s",
                   part, path, g_strerror (saved));
      return FALSE;
    }
  sync_folder (path);
  return TRUE;
}
