/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* Decodes the image file @path (lt_load_image() and LtImageFolder): a
 * regular file (a FIFO is refused before it is read), whose declared size
 * is within lt_image_get_max_pixels() (checked from the header, before
 * the pixels are decoded). Errors start with "@what: " and name @path:
 * LT_ERROR_IO for a file that cannot be read, LT_ERROR_FORMAT for one
 * that is no image or too large. */
GdkPixbuf *_lt_image_decode_file (const char  *path,
                                  const char  *what,
                                  GError     **error);

G_END_DECLS
