/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Downloads (libtensor/data/lt-download.h) from an HTTP server on 127.0.0.1
 * run by this program, and lt_cifar10_new's download from a mirror
 * serving a CIFAR-10 archive written here (datasets-fixtures.h).
 *
 * The expected pixels and labels are the formulas the files were written
 * from, never the library's own output.
 */
#include "datasets-fixtures.h"

/* Downloads, from an HTTP server on 127.0.0.1 run in a thread of this
 * program: it serves one file at /file (with Range requests), 404 for
 * anything else, and can cut every response after some bytes. */

typedef struct
{
  GSocketListener *listener;
  GCancellable *stop;
  GThread *thread;
  guint16 port;
  GBytes *body;
  gsize cut_after;        /* 0: never */
  GMutex lock;
  GPtrArray *ranges;      /* the Range header of each request, "" for none */
} Server;

static void
server_send (GOutputStream *out,
             const char    *head,
             const guint8  *body,
             gsize          len)
{
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  if (len > 0)
    g_output_stream_write_all (out, body, len, NULL, NULL, NULL);
}

static void
server_handle (Server            *server,
               GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autofree char *request = NULL;
  g_autofree char *range = g_strdup ("");
  gsize size, start = 0, len;
  const guint8 *data = g_bytes_get_data (server->body, &size);
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      g_strchomp (line);
      if (line[0] == '\0')
        {
          g_free (line);
          break;
        }
      if (request == NULL)
        request = g_steal_pointer (&line);
      else if (g_ascii_strncasecmp (line, "Range:", 6) == 0)
        {
          g_free (range);
          range = g_strstrip (g_strdup (line + 6));
        }
      g_free (line);
    }
  if (request == NULL)
    return;
  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->ranges, g_strdup (range));
  g_mutex_unlock (&server->lock);

  if (!g_str_has_prefix (request, "GET /file "))
    {
      server_send (out, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n",
                   (const guint8 *) "not found", 9);
      return;
    }
  if (g_str_has_prefix (range, "bytes="))
    start = g_ascii_strtoull (range + 6, NULL, 10);
  if (range[0] && start >= size)
    {
      g_autofree char *head = g_strdup_printf ("HTTP/1.1 416 Range Not Satisfiable\r\n"
                                               "Content-Range: bytes */%" G_GSIZE_FORMAT "\r\n"
                                               "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                               size);
      server_send (out, head, NULL, 0);
      return;
    }
  len = size - start;
  {
    g_autofree char *head = NULL;

    if (range[0])
      head = g_strdup_printf ("HTTP/1.1 206 Partial Content\r\nContent-Length: %" G_GSIZE_FORMAT
                              "\r\nContent-Range: bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT
                              "/%" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                              len, start, size - 1, size);
    else
      head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT
                              "\r\nContent-Type: application/gzip\r\nConnection: close\r\n\r\n",
                              len);
    /* A cut connection: fewer bytes than promised, then close. */
    server_send (out, head, data + start, server->cut_after ? MIN (len, server->cut_after) : len);
  }
}

static gpointer
server_main (gpointer data)
{
  Server *server = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) conn =
        g_socket_listener_accept (server->listener, NULL, server->stop, NULL);

      if (conn == NULL)
        break;
      server_handle (server, conn);
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    }
  return NULL;
}

static Server *
server_new (GBytes *body)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->listener = g_socket_listener_new ();
  g_socket_listener_add_address (server->listener, any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->stop = g_cancellable_new ();
  server->body = g_bytes_ref (body);
  server->ranges = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&server->lock);
  server->thread = g_thread_new ("http-server", server_main, server);
  return server;
}

static void
server_free (Server *server)
{
  g_cancellable_cancel (server->stop);
  g_thread_join (server->thread);
  g_socket_listener_close (server->listener);
  g_object_unref (server->listener);
  g_object_unref (server->stop);
  g_bytes_unref (server->body);
  g_ptr_array_unref (server->ranges);
  g_mutex_clear (&server->lock);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static char *
server_url (Server     *server,
            const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);
}

static guint
server_n_requests (Server *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->ranges->len;
  g_mutex_unlock (&server->lock);
  return n;
}

static const char *
server_range (Server *server,
              guint   i)
{
  const char *r;

  g_mutex_lock (&server->lock);
  r = i < server->ranges->len ? server->ranges->pdata[i] : NULL;
  g_mutex_unlock (&server->lock);
  return r;
}

static GBytes *
test_body (gsize n)
{
  guint8 *d = g_malloc (n);
  g_autoptr(GRand) r = g_rand_new_with_seed (5);

  for (gsize i = 0; i < n; i++)
    d[i] = (guint8) g_rand_int (r);
  return g_bytes_new_take (d, n);
}

typedef struct
{
  guint64 last;
  guint64 total;
  guint calls;
  gboolean monotonic;
  guint64 cancel_at;      /* 0: never */
  GCancellable *cancellable;
} Progress;

static void
on_progress (guint64  received,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  if (p->calls > 0 && received < p->last)
    p->monotonic = FALSE;
  p->calls++;
  p->last = received;
  p->total = total;
  if (p->cancel_at && received >= p->cancel_at)
    g_cancellable_cancel (p->cancellable);
}

static void
assert_file_is (const char *path,
                GBytes     *want)
{
  g_autofree char *got = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &got, &len, NULL));
  g_assert_cmpmem (got, len, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
}

static char *
md5_of (GBytes *b)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_MD5, b);
}

static void
test_download_ok (void)
{
  g_autoptr(GBytes) body = test_body (300000);
  g_autoptr(Server) server = server_new (body);
  g_autofree char *url = server_url (server, "/file");
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *md5 = md5_of (body);
  g_autoptr(GError) error = NULL;
  Progress p = { .monotonic = TRUE };

  g_assert_true (lt_download_file (url, dest, md5, on_progress, &p, NULL, &error));
  g_assert_no_error (error);
  assert_file_is (dest, body);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_true (p.monotonic);
  g_assert_cmpuint (p.calls, >=, 2);
  g_assert_cmpuint (p.last, ==, 300000);
  g_assert_cmpuint (p.total, ==, 300000);
  g_assert_cmpuint (server_n_requests (server), ==, 1);
  g_assert_cmpstr (server_range (server, 0), ==, "");

  /* There and right: no request. Upper-case MD5 digits are fine. */
  {
    g_autofree char *upper = g_ascii_strup (md5, -1);

    g_assert_true (lt_download_file (url, dest, upper, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (server_n_requests (server), ==, 1);
  }

  /* Bad arguments. */
  g_assert_false (lt_download_file (url, dest, "not-an-md5", NULL, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_download_file ("ftp://example.org/x", dest, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  remove_tree (root);
}

static void
test_download_bad_checksum (void)
{
  g_autoptr(GBytes) body = test_body (100000);
  g_autoptr(Server) server = server_new (body);
  g_autofree char *url = server_url (server, "/file");
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *md5 = md5_of (body);
  g_autoptr(GError) error = NULL;
  const char *wrong = "0123456789abcdef0123456789abcdef";

  g_assert_false (lt_download_file (url, dest, wrong, NULL, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, wrong, md5);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  remove_tree (root);
}

static void
test_download_resume (void)
{
  g_autoptr(GBytes) body = test_body (240000);
  g_autoptr(Server) server = server_new (body);
  g_autofree char *url = server_url (server, "/file");
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *md5 = md5_of (body);
  g_autoptr(GError) error = NULL;
  Progress p = { .monotonic = TRUE };
  GStatBuf st;

  /* Every response breaks off after 100,000 bytes: the call goes on with
   * Range requests for the rest. */
  server->cut_after = 100000;
  g_assert_true (lt_download_file (url, dest, md5, on_progress, &p, NULL, &error));
  g_assert_no_error (error);
  assert_file_is (dest, body);
  g_assert_cmpuint (server_n_requests (server), ==, 3);
  g_assert_cmpstr (server_range (server, 0), ==, "");
  g_assert_cmpstr (server_range (server, 1), ==, "bytes=100000-");
  g_assert_cmpstr (server_range (server, 2), ==, "bytes=200000-");
  g_assert_true (p.monotonic);
  g_assert_cmpuint (p.last, ==, 240000);
  g_unlink (dest);

  /* After 30,000 bytes a response: four attempts are not enough; the part
   * stays, and the next call resumes from its end. */
  server->cut_after = 30000;
  g_assert_false (lt_download_file (url, dest, md5, NULL, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, url, part);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 120000);
  server->cut_after = 0;
  g_assert_true (lt_download_file (url, dest, md5, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (server_range (server, server_n_requests (server) - 1), ==, "bytes=120000-");
  assert_file_is (dest, body);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* A part that is the whole file already (the server answers 416). */
  g_rename (dest, part);
  g_assert_true (lt_download_file (url, dest, md5, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (server_range (server, server_n_requests (server) - 1), ==, "bytes=240000-");
  assert_file_is (dest, body);
  remove_tree (root);
}

static void
test_download_not_found (void)
{
  g_autoptr(GBytes) body = test_body (1000);
  g_autoptr(Server) server = server_new (body);
  g_autofree char *url = server_url (server, "/missing.tar.gz");
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (lt_download_file (url, dest, NULL, NULL, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, url, "404");
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (server_n_requests (server), ==, 1);
  remove_tree (root);
}

static void
test_download_cancel (void)
{
  g_autoptr(GBytes) body = test_body (400000);
  g_autoptr(Server) server = server_new (body);
  g_autofree char *url = server_url (server, "/file");
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autofree char *part = g_strconcat (dest, ".part", NULL);
  g_autofree char *md5 = md5_of (body);
  g_autofree char *want_range = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Progress p = { .monotonic = TRUE, .cancel_at = 1, .cancellable = cancellable };
  GStatBuf st;

  g_assert_false (lt_download_file (url, dest, md5, on_progress, &p, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  /* The bytes read before the cancellation wait for the next call. */
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  g_assert_cmpint (st.st_size, <, 400000);
  g_assert_cmpuint (server_n_requests (server), ==, 1);

  /* Cancelled before it starts. */
  g_assert_false (lt_download_file (url, dest, md5, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_true (lt_download_file (url, dest, md5, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  want_range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", (gint64) st.st_size);
  g_assert_cmpstr (server_range (server, server_n_requests (server) - 1), ==, want_range);
  assert_file_is (dest, body);
  remove_tree (root);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) l = g_socket_listener_new ();
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_socket_listener_add_address (l, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &bound, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (l);
  return port;
}

static void
test_download_offline (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/cifar-10-binary.tar.gz",
                                          closed_port ());
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *sub = g_build_filename (root, "data", NULL);
  g_autofree char *dest = g_build_filename (root, "f.bin", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (lt_download_file (url, dest, NULL, NULL, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, "cannot fetch", url);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  /* CIFAR-10's download says where to put the archive by hand. */
  g_setenv ("LT_CIFAR10_URL", url, TRUE);
  g_assert_false (lt_cifar10_download (sub, NULL, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, LT_CIFAR10_URL, sub);
  g_assert_nonnull (strstr (error->message, "by hand"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_null (lt_cifar10_new (sub, TRUE, NULL, NULL, TRUE, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, "by hand", url);
  g_unsetenv ("LT_CIFAR10_URL");
  remove_tree (root);
}

/* lt_cifar10_new with download, from a mirror (LT_CIFAR10_URL) serving a
 * generated archive: its MD5 is not the official one, so it is refused
 * and removed; an archive put there by hand is read without a request. */
static void
test_cifar_download (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *src = g_build_filename (root, "src.tar.gz", NULL);
  g_autofree char *data = g_build_filename (root, "data", NULL);
  g_autofree char *archive = g_build_filename (data, LT_CIFAR10_ARCHIVE, NULL);
  g_autofree char *part = g_strconcat (archive, ".part", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(Server) server = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  autofinal LtCifar10 *ds = NULL;
  gsize len;

  write_cifar_archive (src, official_order, G_N_ELEMENTS (official_order), "");
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  body = g_bytes_new (contents, len);
  server = server_new (body);
  url = server_url (server, "/file");
  g_setenv ("LT_CIFAR10_URL", url, TRUE);

  g_assert_null (lt_cifar10_new (data, TRUE, NULL, NULL, TRUE, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, LT_CIFAR10_MD5, "by hand");
  g_clear_error (&error);
  g_assert_cmpuint (server_n_requests (server), ==, 1);
  g_assert_false (g_file_test (archive, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  write_file (archive, contents, len);
  ds = lt_cifar10_new (data, TRUE, NULL, NULL, TRUE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (ds, TRUE);
  g_assert_cmpuint (server_n_requests (server), ==, 1);
  g_unsetenv ("LT_CIFAR10_URL");
  remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Downloads from a local HTTP server, and CIFAR-10 from a mirror");

  g_test_add_func ("/datasets/cifar10/download", test_cifar_download);
  g_test_add_func ("/download/ok", test_download_ok);
  g_test_add_func ("/download/bad-checksum", test_download_bad_checksum);
  g_test_add_func ("/download/resume", test_download_resume);
  g_test_add_func ("/download/not-found", test_download_not_found);
  g_test_add_func ("/download/cancel", test_download_cancel);
  g_test_add_func ("/download/offline", test_download_offline);
  return g_test_run ();
}
