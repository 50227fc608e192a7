/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "lt-file.h"
#include "lt-file-private.h"
#include "core/lt-error.h"

/*
 * Reading: every file the library reads is opened with O_NONBLOCK and
 * checked with fstat() before the first read, so a FIFO (which would block
 * until a writer comes, forever), a folder or a device given as a
 * checkpoint, an archive or a data file is an error that says what it is.
 *
 * Writing: one writer for every file the library and its programs write
 * (checkpoints, images, lt-train's outputs). A regular file is replaced
 * atomically: a temporary file in the same folder, flushed, renamed over
 * the target; the folder flushed. The target is the end of any chain of
 * symbolic links (the link stays, its file is replaced), a new file gets
 * the mode 0666 less the umask, an existing one keeps its mode (and its
 * owner, when we are root). Anything else that can be written (a FIFO, a
 * terminal, /dev/null, /dev/stdout) is written in place, never replaced.
 *
 * Temporary files are named .<name>.tmp-<host>-<pid>-XXXXXX (<host> a hash
 * of the host's name): unique per writer, so two writers never share one,
 * and a writer killed before its rename leaves one whose staleness can be
 * proved: the next writer of the same target on the same host removes
 * those of processes that no longer exist, and only those.
 */

#define MAX_LINKS 40
#define NAME_MAX_BYTES 255
#define HOST_ID_LEN 12

const char *
_lt_file_type_name (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISLNK (mode))
    return "a symbolic link";
  return "not a regular file";
}

/* Reading */

/* "@what: cannot read @path: @reason", or "@path: @reason" without @what */
static void
set_read_error (GError **error, const char *what, const char *path, const char *reason)
{
  if (what)
    g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: cannot read %s: %s", what, path, reason);
  else
    g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, reason);
}

int
_lt_file_open_read (const char *path, const char *what, struct stat *st, GError **error)
{
  struct stat local_st;
  int         fd, flags;

  if (st == NULL)
    st = &local_st;
  if (path == NULL || path[0] == '\0')
    {
      set_read_error (error, what, "\"\"", "a file with an empty name");
      return -1;
    }
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
   * writer. A regular file ignores it; it is cleared below anyway. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      set_read_error (error, what, path, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      int saved = errno;

      close (fd);
      set_read_error (error, what, path, g_strerror (saved));
      return -1;
    }
  if (!S_ISREG (st->st_mode))
    {
      g_autofree char *reason =
        g_strdup_printf ("it is %s, not a file", _lt_file_type_name (st->st_mode));

      close (fd);
      set_read_error (error, what, path, reason);
      return -1;
    }
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

GBytes *
_lt_file_read (const char   *path,
               const char   *what,
               guint64       max_size,
               GCancellable *cancellable,
               GError      **error)
{
  struct stat st;
  int         fd = _lt_file_open_read (path, what, &st, error);
  guint8     *buf;
  gsize       size, have = 0;

  if (fd < 0)
    return NULL;
  if ((max_size > 0 && (guint64) st.st_size > max_size) || (guint64) st.st_size > G_MAXSIZE - 1)
    {
      close (fd);
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "%s: %s: %" G_GUINT64_FORMAT " bytes is "
                   "more than such a file may hold (%" G_GUINT64_FORMAT ")",
                   what, path, (guint64) st.st_size, max_size);
      return NULL;
    }
  size = (gsize) st.st_size;
  buf = g_try_malloc (MAX (size, 1));
  if (buf == NULL)
    {
      close (fd);
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "%s: cannot allocate %" G_GSIZE_FORMAT " bytes to read %s", what, size, path);
      return NULL;
    }
  while (have < size)
    {
      ssize_t n = read (fd, buf + have, MIN (size - have, (gsize) 1 << 24));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "%s: cannot read %s at byte offset %" G_GSIZE_FORMAT ": %s", what, path,
                       have,
                       n == 0 ? "the file got shorter while it was read" : g_strerror (saved));
          g_free (buf);
          close (fd);
          return NULL;
        }
      have += (gsize) n;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_free (buf);
          close (fd);
          return NULL;
        }
    }
  close (fd);
  return g_bytes_new_take (buf, size);
}

/* Writing */

struct _LtFileWriter
{
  char *path;   /* as given, for messages */
  char *target; /* the file replaced (links followed) */
  char *tmp;    /* the temporary file; NULL when writing in place */
  int   fd;
};

/* A hash of the host's name: temporary files made here say so. */
static const char *
host_id (void)
{
  static char  id[HOST_ID_LEN + 1];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autofree char *sum =
        g_compute_checksum_for_string (G_CHECKSUM_SHA256, g_get_host_name (), -1);

      memcpy (id, sum, HOST_ID_LEN);
      id[HOST_ID_LEN] = '\0';
      g_once_init_leave (&done, 1);
    }
  return id;
}

/* The start of a temporary file's name for @base: ".<base>.tmp-", with
 * @base shortened (on a character boundary) so that the whole name fits
 * in NAME_MAX. */
static char *
tmp_prefix (const char *base)
{
  /* ".", ".tmp-", the host id, "-", a pid, "-XXXXXX" */
  const gsize room = NAME_MAX_BYTES - (1 + 5 + HOST_ID_LEN + 1 + 10 + 7);
  gsize       len = strlen (base);

  if (len > room)
    {
      const char *end = base + room;

      if (g_utf8_validate (base, (gssize) len, NULL))
        end = g_utf8_find_prev_char (base, base + room + 1);
      len = end ? (gsize) (end - base) : room;
    }
  return g_strdup_printf (".%.*s.tmp-", (int) len, base);
}

/* Whether @name (in @dir) is a temporary file for the target named @base
 * that a process of this host which no longer exists left behind. */
static gboolean
is_stale_temporary (const char *name, const char *prefix)
{
  gsize       plen = strlen (prefix);
  const char *p, *end;
  guint64     pid;

  if (strncmp (name, prefix, plen) != 0)
    return FALSE;
  p = name + plen;
  if (strncmp (p, host_id (), HOST_ID_LEN) != 0 || p[HOST_ID_LEN] != '-')
    return FALSE;
  p += HOST_ID_LEN + 1;
  pid = g_ascii_strtoull (p, (char **) &end, 10);
  if (end == p || *end != '-' || pid == 0 || pid > G_MAXINT32 || g_ascii_isdigit (*p) == FALSE)
    return FALSE;
  p = end + 1;
  if (strlen (p) != 6)
    return FALSE;
  for (const char *c = p; *c; c++)
    if (!g_ascii_isalnum (*c))
      return FALSE;
  /* The process is gone (a process of another user still exists: EPERM). */
  return (pid_t) pid != getpid () && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

static void
remove_stale_temporaries (const char *dir, const char *prefix)
{
  GDir       *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *full = NULL;
      struct stat      st;

      if (!is_stale_temporary (name, prefix))
        continue;
      full = g_build_filename (dir, name, NULL);
      if (lstat (full, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == geteuid ())
        g_unlink (full);
    }
  g_dir_close (d);
}

static gboolean
is_special_tree (const char *path)
{
  return g_str_has_prefix (path, "/dev/") || g_str_has_prefix (path, "/proc/");
}

/* The end of the chain of symbolic links starting at @path (@path itself
 * when it is no link), which may not exist yet; sets *@special when the
 * chain passes through /dev or /proc (/dev/stdout, /proc/self/fd/1). */
static char *
follow_links (const char *path, gboolean *special, GError **error)
{
  g_autofree char *cur = g_strdup (path);

  *special = is_special_tree (path);
  for (guint hop = 0; hop <= MAX_LINKS; hop++)
    {
      struct stat      st;
      g_autofree char *link = NULL;
      GError          *local = NULL;

      if (lstat (cur, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&cur);
      link = g_file_read_link (cur, &local);
      if (link == NULL)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, local->message);
          g_error_free (local);
          return NULL;
        }
      if (!g_path_is_absolute (link))
        {
          g_autofree char *dir = g_path_get_dirname (cur);

          g_free (cur);
          cur = g_build_filename (dir, link, NULL);
        }
      else
        {
          g_free (cur);
          cur = g_steal_pointer (&link);
        }
      *special = *special || is_special_tree (cur);
    }
  g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, g_strerror (ELOOP));
  return NULL;
}

/* Opens @path (a FIFO, a device, /dev/stdout) for writing in place: never
 * blocking on a FIFO nobody reads. */
static int
open_in_place (const char *path, mode_t mode, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_APPEND | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
  int flags;

  if (fd < 0)
    {
      int saved = errno;

      if (saved == ENXIO && S_ISFIFO (mode))
        g_set_error (error, LT_ERROR, LT_ERROR_IO,
                     "%s: it is a FIFO (named pipe) that no "
                     "process has open for reading",
                     path);
      else
        g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s (%s): %s", path, _lt_file_type_name (mode),
                     g_strerror (saved));
      return -1;
    }
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

/* What a write to @path would do: sets *@target (the file replaced, or
 * @path itself when written in place), *@in_place, and *@st / *@exists for
 * the file there now. */
static gboolean
plan_write (const char  *path,
            char       **target,
            gboolean    *in_place,
            struct stat *st,
            gboolean    *exists,
            GError     **error)
{
  gboolean special = FALSE;

  *in_place = FALSE;
  *exists = FALSE;
  if (path == NULL || path[0] == '\0')
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cannot write a file with an empty name (\"\")");
      return FALSE;
    }
  if (stat (path, st) == 0)
    {
      *exists = TRUE;
      if (S_ISDIR (st->st_mode))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: it is a folder, not a file", path);
          return FALSE;
        }
      if (!S_ISREG (st->st_mode))
        {
          *in_place = TRUE;
          *target = g_strdup (path);
          return TRUE;
        }
    }
  else if (errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  *target = follow_links (path, &special, error);
  if (*target == NULL)
    return FALSE;
  if (special && *exists)
    {
      /* /dev/stdout sent to a file: append to it, as the shell's
       * redirection would have us do, rather than replace it. */
      *in_place = TRUE;
      g_free (*target);
      *target = g_strdup (path);
      return TRUE;
    }
  if (*exists && access (*target, W_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "%s: %s (the file is there and may not be "
                   "written; its mode is %04o)",
                   path, g_strerror (saved), (guint) (st->st_mode & 07777));
      g_clear_pointer (target, g_free);
      return FALSE;
    }
  return TRUE;
}

LtFileWriter *
_lt_file_writer_new (const char *path, GError **error)
{
  LtFileWriter    *self;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *prefix = NULL;
  struct stat      st;
  gboolean         in_place, exists;

  if (!plan_write (path, &target, &in_place, &st, &exists, error))
    return NULL;
  self = g_new0 (LtFileWriter, 1);
  self->path = g_strdup (path);
  self->fd = -1;
  if (in_place)
    {
      self->target = g_steal_pointer (&target);
      self->fd = open_in_place (self->target, st.st_mode, error);
      if (self->fd < 0)
        {
          _lt_file_writer_abort (self);
          return NULL;
        }
      return self;
    }

  dir = g_path_get_dirname (target);
  base = g_path_get_basename (target);
  prefix = tmp_prefix (base);
  self->target = g_steal_pointer (&target);
  self->tmp = g_strdup_printf ("%s/%s%s-%d-XXXXXX", dir, prefix, host_id (), (int) getpid ());
  /* 0666 less the umask for a new file; an existing file's own mode,
   * set below (fchmod ignores the umask). */
  self->fd = g_mkstemp_full (self->tmp, O_WRONLY | O_CLOEXEC, exists ? 0600 : 0666);
  if (self->fd < 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: cannot create a file in %s: %s", path, dir,
                   g_strerror (saved));
      g_clear_pointer (&self->tmp, g_free);
      _lt_file_writer_abort (self);
      return NULL;
    }
  if (exists)
    {
      if (geteuid () == 0 && fchown (self->fd, st.st_uid, st.st_gid) != 0)
        g_debug ("%s: cannot keep the owner of %s: %s", self->tmp, self->target,
                 g_strerror (errno));
      if (fchmod (self->fd, st.st_mode & 07777) != 0)
        {
          int saved = errno;

          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "%s: cannot give the new file the mode "
                       "%04o: %s",
                       path, (guint) (st.st_mode & 07777), g_strerror (saved));
          _lt_file_writer_abort (self);
          return NULL;
        }
    }
  /* Temporary files of writers of this target killed before their rename
   * (their space is needed now). */
  remove_stale_temporaries (dir, prefix);
  return self;
}

const char *
_lt_file_writer_get_target (LtFileWriter *self)
{
  return self->target;
}

/* write(), with the signals a failing write raises (SIGPIPE for a FIFO
 * whose reader left, SIGXFSZ past the file size limit) turned into
 * errors: the library must not end the process. */
static ssize_t
write_no_signal (int fd, const void *data, gsize n)
{
  sigset_t block, old, pending;
  ssize_t  w;
  int      saved;

  sigemptyset (&block);
  sigaddset (&block, SIGPIPE);
  sigaddset (&block, SIGXFSZ);
  pthread_sigmask (SIG_BLOCK, &block, &old);
  sigemptyset (&pending);
  sigpending (&pending);
  w = write (fd, data, n);
  saved = errno;
  if (w < 0 && (saved == EPIPE || saved == EFBIG))
    {
      int sig = saved == EPIPE ? SIGPIPE : SIGXFSZ;

      /* Take back the signal this write raised (not one that was already
       * pending). */
      if (!sigismember (&pending, sig) && !sigismember (&old, sig))
        {
          sigset_t        one;
          struct timespec zero = { 0, 0 };

          sigemptyset (&one);
          sigaddset (&one, sig);
          while (sigtimedwait (&one, NULL, &zero) < 0 && errno == EINTR)
            ;
        }
    }
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  errno = saved;
  return w;
}

gboolean
_lt_file_writer_write (LtFileWriter *self, gconstpointer data, gsize n, GError **error)
{
  const guint8 *p = data;

  while (n > 0)
    {
      ssize_t w = write_no_signal (self->fd, p, MIN (n, (gsize) 1 << 30));

      if (w < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: writing failed: %s%s", self->path,
                       g_strerror (saved),
                       self->tmp ? "; this write did not replace the file" : "");
          return FALSE;
        }
      p += w;
      n -= (gsize) w;
    }
  return TRUE;
}

static void
sync_folder (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int              dfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
}

static void
writer_free (LtFileWriter *self)
{
  g_free (self->path);
  g_free (self->target);
  g_free (self->tmp);
  g_free (self);
}

gboolean
_lt_file_writer_finish (LtFileWriter *self, GError **error)
{
  int         saved = 0;
  const char *step = NULL;

  if (self->tmp == NULL)
    {
      if (close (self->fd) != 0 && errno != EINTR)
        {
          saved = errno;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: writing failed: %s", self->path,
                       g_strerror (saved));
        }
      self->fd = -1;
      writer_free (self);
      return saved == 0;
    }
  if (fsync (self->fd) != 0)
    {
      saved = errno;
      step = "flushing it to disk";
    }
  if (close (self->fd) != 0 && saved == 0 && errno != EINTR)
    {
      saved = errno;
      step = "closing it";
    }
  self->fd = -1;
  if (saved == 0 && g_rename (self->tmp, self->target) != 0)
    {
      saved = errno;
      step = "renaming it into place";
    }
  if (saved != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "%s: %s failed: %s; this write did not "
                   "replace %s",
                   self->path, step, g_strerror (saved), self->target);
      _lt_file_writer_abort (self);
      return FALSE;
    }
  sync_folder (self->target);
  writer_free (self);
  return TRUE;
}

void
_lt_file_writer_abort (LtFileWriter *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  if (self->tmp)
    g_unlink (self->tmp);
  writer_free (self);
}

/**
 * lt_file_set_contents:
 * @path: (type filename): the file to write
 * @contents: (array length=length) (element-type guint8): the bytes
 * @length: the number of bytes
 * @error: return location for a #GError
 *
 * Writes @contents to @path as every file of the library is written
 * (checkpoints, images; lt-train's curves and graphs), safely: a regular
 * file is replaced atomically (the bytes go to a temporary file in the
 * same folder, named `.<name>.tmp-<host>-<pid>-XXXXXX`, which is flushed
 * to disk and renamed over @path), so a crash or a full disk never leaves
 * it half written. A symbolic link is followed: the file it points to is
 * replaced and the link stays. An existing file keeps its mode (a 0600
 * file stays 0600); a new one gets 0666 less the umask. A FIFO, a
 * terminal or another device (`/dev/stdout`, `/dev/null`) is written in
 * place, never replaced; a FIFO that no process reads is an error rather
 * than a wait. A read-only file is not replaced.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%LT_ERROR_IO, naming
 *   @path; any earlier file at @path is then untouched by this write)
 */
gboolean
lt_file_set_contents (const char *path, const guint8 *contents, gsize length, GError **error)
{
  LtFileWriter *w;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  w = _lt_file_writer_new (path, error);
  if (w == NULL)
    return FALSE;
  if (length > 0 && !_lt_file_writer_write (w, contents, length, error))
    {
      _lt_file_writer_abort (w);
      return FALSE;
    }
  return _lt_file_writer_finish (w, error);
}

/**
 * lt_file_check_writable:
 * @path: (type filename): a file to be written later
 * @error: return location for a #GError
 *
 * Checks, before long work whose result goes to @path, that
 * lt_file_set_contents() (or a checkpoint save) will be able to write it:
 * @path is not empty and not a folder, an existing file there may be
 * written, and a new file can be created in its folder (one is created
 * and removed at once). A FIFO or a device is checked for write
 * permission only. Nothing at @path changes.
 *
 * Returns: %TRUE when @path can be written; %FALSE with @error set
 *   (%LT_ERROR_IO) saying why not
 */
gboolean
lt_file_check_writable (const char *path, GError **error)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *probe = NULL;
  struct stat      st;
  gboolean         in_place, exists;
  int              fd;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!plan_write (path, &target, &in_place, &st, &exists, error))
    return FALSE;
  if (in_place)
    {
      if (access (path, W_OK) != 0)
        {
          int saved = errno;

          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s (%s): %s", path,
                       _lt_file_type_name (st.st_mode), g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  dir = g_path_get_dirname (target);
  probe = g_strdup_printf ("%s/.lt-write-check-%d-XXXXXX", dir, (int) getpid ());
  fd = g_mkstemp_full (probe, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: cannot create a file in %s: %s", path, dir,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}
