/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Files as every reader and writer of the library opens them
 * (io/lt-file.c).
 *
 * Readers open with _lt_file_open_read(): O_NONBLOCK, then fstat, so that a
 * FIFO, a folder or a device given where a file is expected is an error
 * naming what it is, before any read can block.
 *
 * Writers go through LtFileWriter: the bytes go to a temporary file beside
 * the target (named .<name>.tmp-<host>-<pid>-XXXXXX), which is flushed and
 * renamed over it; a symbolic link is followed and its target replaced; a
 * FIFO or a device (/dev/stdout) is written in place; an existing file
 * keeps its mode. Temporary files that a killed writer left behind are
 * removed by the next writer only when they are provably stale: made on
 * this host by a process that no longer exists.
 */

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* "a folder", "a FIFO (named pipe)", ... for a file type that is not a
 * regular file's. */
const char   *_lt_file_type_name         (mode_t         mode);

/* A file descriptor open for reading on the regular file @path, or -1
 * with @error set (LT_ERROR_IO): "@what: cannot read @path: it is a
 * FIFO (named pipe), not a file" ("@path: it is ..." when @what is NULL).
 * @st receives its fstat(). */
int           _lt_file_open_read         (const char    *path,
                                          const char    *what,
                                          struct stat   *st,
                                          GError       **error);

/* The whole regular file @path, refused when it is over @max_size bytes
 * (0: no limit); @what starts the messages. */
GBytes       *_lt_file_read              (const char    *path,
                                          const char    *what,
                                          guint64        max_size,
                                          GCancellable  *cancellable,
                                          GError       **error);

typedef struct _LtFileWriter LtFileWriter;

/* Starts writing @path; NULL with @error set (LT_ERROR_IO) when it cannot
 * be written: a folder, a read-only file, a folder where no file can be
 * created. */
LtFileWriter *_lt_file_writer_new        (const char    *path,
                                          GError       **error);
gboolean      _lt_file_writer_write      (LtFileWriter  *self,
                                          gconstpointer  data,
                                          gsize          n,
                                          GError       **error);
/* Flushes and renames the temporary file over the target (or closes the
 * device written in place), and frees @self. On an error the temporary
 * file is removed and the target is as it was. */
gboolean      _lt_file_writer_finish     (LtFileWriter  *self,
                                          GError       **error);
/* Removes the temporary file and frees @self. */
void          _lt_file_writer_abort      (LtFileWriter  *self);
/* The file the writer replaces, after following symbolic links. */
const char   *_lt_file_writer_get_target (LtFileWriter  *self);

G_END_DECLS
