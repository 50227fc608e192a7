/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A reader of zip archives in memory whose members are stored
 * (uncompressed), as torch.save writes them (io/lt-zip.c): the central
 * directory, ZIP64 included, is read and every member's local header,
 * name, offset and size is checked against the archive's bytes.
 */

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LtZip LtZip;

/* The members of the archive @data (@size bytes), or NULL with @error
 * set (LT_ERROR_FORMAT, messages starting with "@source: "). A member
 * that is compressed or a name given twice is an error. @data must
 * outlive the result. */
LtZip        *_lt_zip_open          (const guint8 *data,
                                     gsize         size,
                                     const char   *source,
                                     GError      **error);
void          _lt_zip_free          (LtZip        *zip);
guint         _lt_zip_get_n_members (LtZip        *zip);
const char   *_lt_zip_get_name      (LtZip        *zip,
                                     guint         index);
/* The bytes of the member @name, or NULL (and *@size 0) when there is
 * none. */
const guint8 *_lt_zip_lookup        (LtZip        *zip,
                                     const char   *name,
                                     gsize        *size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtZip, _lt_zip_free)

G_END_DECLS
