/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The safetensors format as LtStateDict reads and writes it
 * (lt-state-dict.c): a little-endian u64 header length N, a JSON header of
 * N bytes, then the tensors' bytes back to back.
 *
 * lt-safetensors.c holds the dtype table and the reader: each step checks
 * what it is given before anything is allocated for it, the header length
 * against the file's size (_lt_safetensors_check_header_length()), the
 * header itself (_lt_safetensors_header_parse()), then every tensor's
 * offsets against the data's length
 * (_lt_safetensors_header_check_layout()); only then are the tensors made
 * over the data (_lt_safetensors_header_build()). Errors are
 * LT_ERROR_FORMAT and start with @source (a file name).
 */

#include <glib.h>

#include "lt-state-dict.h"

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "safetensors data is little-endian; this build needs byte swapping that is not written yet"
#endif

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  int rank;            /* the reference writer's order: larger first */
  gsize size;
  int dtype;           /* LtDType, or -1 when read by conversion */
} LtSafetensorsDtype;

/* The safetensors dtype of one of ours. */
const LtSafetensorsDtype *_lt_safetensors_dtype_of (LtDType dtype);

/* A parsed header: its tensors' names, dtypes, shapes and offsets, and the
 * metadata. */
typedef struct _LtSafetensorsHeader LtSafetensorsHeader;

/* FALSE with @error set when @size bytes cannot hold the header length. */
gboolean             _lt_safetensors_check_size          (const char          *source,
                                                          guint64              size,
                                                          GError             **error);
/* FALSE with @error set when the header length @n (file bytes 0 to 7) is
 * above the limit or longer than the @available bytes after it. */
gboolean             _lt_safetensors_check_header_length (const char          *source,
                                                          guint64              n,
                                                          guint64              available,
                                                          GError             **error);
/* Parses the JSON header (file bytes 8 to 8 + @header_len). */
LtSafetensorsHeader *_lt_safetensors_header_parse        (const char          *header,
                                                          gsize                header_len,
                                                          const char          *source,
                                                          GError             **error);
/* The tensors must tile the @data_len bytes of data exactly: starting at
 * 0, no gap, no overlap, nothing past the end and nothing left over. */
gboolean             _lt_safetensors_header_check_layout (LtSafetensorsHeader *header,
                                                          const char          *source,
                                                          guint64              data_len,
                                                          GError             **error);
/* Makes the tensors of a checked header over @data (the bytes after the
 * header), in header order, with the header's metadata. */
LtStateDict         *_lt_safetensors_header_build        (LtSafetensorsHeader *header,
                                                          const char          *source,
                                                          GBytes              *data,
                                                          GError             **error);
void                 _lt_safetensors_header_free         (LtSafetensorsHeader *header);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtSafetensorsHeader, _lt_safetensors_header_free)

/* An IEEE half-precision value (its bits) as a float, exactly. */
float                _lt_half_to_float                   (guint16              h);

G_END_DECLS
