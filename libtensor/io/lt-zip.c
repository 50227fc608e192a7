/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-zip-private.h"
#include "core/lt-error.h"

/*
 * Zip archives as PyTorch's writer makes them: members stored without
 * compression, data aligned by padding in the local header's extra field,
 * ZIP64 records when the archive or a member is large. Only what such a
 * reader needs: the end of central directory record (and its ZIP64
 * locator and record), the central directory's entries (and their ZIP64
 * extra field), and each member's local header, which gives where its data
 * starts. Every offset and size is checked against the buffer before it
 * is used.
 */

#define EOCD_SIZE 22
#define ZIP64_LOC_SIZE 20
#define ZIP64_EOCD_SIZE 56
#define CDIR_SIZE 46
#define LOCAL_SIZE 30
#define MAX_MEMBERS (1u << 20)

typedef struct
{
  char         *name;
  const guint8 *data;
  gsize         size;
} Member;

struct _LtZip
{
  GArray     *members; /* Member */
  GHashTable *by_name; /* name -> index + 1 */
};

static guint16
u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint64
u64 (const guint8 *p)
{
  return (guint64) u32 (p) | ((guint64) u32 (p + 4) << 32);
}

static gboolean fail (GError **error, const char *source, const char *fmt, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *source, const char *fmt, ...)
{
  va_list          ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: %s", source, msg);
  return FALSE;
}

static void
member_clear (gpointer p)
{
  g_free (((Member *) p)->name);
}

void
_lt_zip_free (LtZip *zip)
{
  if (zip == NULL)
    return;
  g_array_unref (zip->members);
  g_hash_table_unref (zip->by_name);
  g_free (zip);
}

/* The ZIP64 extra field of a central directory entry: the 64-bit values
 * of the fields that are 0xffffffff, in order. */
static gboolean
read_zip64_extra (const guint8 *extra,
                  gsize         len,
                  guint64      *usize,
                  guint64      *csize,
                  guint64      *offset,
                  const char   *source,
                  GError      **error)
{
  gsize pos = 0;

  while (pos + 4 <= len)
    {
      guint16 id = u16 (extra + pos), n = u16 (extra + pos + 2);
      gsize   at = pos + 4;

      if (n > len - at)
        return fail (error, source, "zip: an extra field runs past its entry");
      if (id == 1)
        {
          guint64 *fields[] = { usize, csize, offset };

          for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
            {
              if (*fields[i] != 0xffffffffu)
                continue;
              if (at + 8 > pos + 4 + n)
                return fail (error, source, "zip: the ZIP64 extra field is too short");
              *fields[i] = u64 (extra + at);
              at += 8;
            }
          return TRUE;
        }
      pos = at + n;
    }
  return TRUE;
}

LtZip *
_lt_zip_open (const guint8 *data, gsize size, const char *source, GError **error)
{
  g_autoptr(LtZip) zip = NULL;
  gsize    eocd = 0;
  gboolean found = FALSE;
  guint64  n_entries, cd_size, cd_offset, pos;

  if (size < EOCD_SIZE)
    {
      fail (error, source, "zip: %" G_GSIZE_FORMAT " bytes are too few for an archive", size);
      return NULL;
    }
  /* The end record is the last 22 bytes but for a comment of up to 64 KiB. */
  for (gsize i = size - EOCD_SIZE + 1; i-- > 0 && size - i <= EOCD_SIZE + 0xffff;)
    if (memcmp (data + i, "PK\5\6", 4) == 0 && i + EOCD_SIZE + u16 (data + i + 20) == size)
      {
        eocd = i;
        found = TRUE;
        break;
      }
  if (!found)
    {
      fail (error, source, "zip: no end of central directory record (a truncated file?)");
      return NULL;
    }
  n_entries = u16 (data + eocd + 10);
  cd_size = u32 (data + eocd + 12);
  cd_offset = u32 (data + eocd + 16);
  if (n_entries == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu)
    {
      guint64 rec;

      if (eocd < ZIP64_LOC_SIZE || memcmp (data + eocd - ZIP64_LOC_SIZE, "PK\6\7", 4) != 0)
        {
          fail (error, source, "zip: the ZIP64 end of central directory locator is missing");
          return NULL;
        }
      rec = u64 (data + eocd - ZIP64_LOC_SIZE + 8);
      if (rec > size || size - rec < ZIP64_EOCD_SIZE || memcmp (data + rec, "PK\6\6", 4) != 0)
        {
          fail (error, source,
                "zip: no ZIP64 end of central directory record at byte %" G_GUINT64_FORMAT, rec);
          return NULL;
        }
      n_entries = u64 (data + rec + 32);
      cd_size = u64 (data + rec + 40);
      cd_offset = u64 (data + rec + 48);
    }
  if (cd_offset > size || cd_size > size - cd_offset)
    {
      fail (error, source,
            "zip: the central directory (%" G_GUINT64_FORMAT " bytes at byte %" G_GUINT64_FORMAT
            ") is outside the file of %" G_GSIZE_FORMAT " bytes",
            cd_size, cd_offset, size);
      return NULL;
    }
  if (n_entries > MAX_MEMBERS || n_entries > cd_size / CDIR_SIZE)
    {
      fail (error, source,
            "zip: %" G_GUINT64_FORMAT
            " members cannot fit a central directory of %" G_GUINT64_FORMAT " bytes",
            n_entries, cd_size);
      return NULL;
    }

  zip = g_new0 (LtZip, 1);
  zip->members = g_array_new (FALSE, FALSE, sizeof (Member));
  g_array_set_clear_func (zip->members, member_clear);
  zip->by_name = g_hash_table_new (g_str_hash, g_str_equal);

  pos = cd_offset;
  for (guint64 k = 0; k < n_entries; k++)
    {
      const guint8 *e = data + pos, *local;
      guint16       method, name_len, extra_len, comment_len;
      guint64       csize, usize, local_off, start;
      Member        m = { 0 };

      if (cd_offset + cd_size - pos < CDIR_SIZE || memcmp (e, "PK\1\2", 4) != 0)
        {
          fail (error, source,
                "zip: central directory entry %" G_GUINT64_FORMAT " at byte %" G_GUINT64_FORMAT
                " is damaged",
                k, pos);
          return NULL;
        }
      method = u16 (e + 10);
      csize = u32 (e + 20);
      usize = u32 (e + 24);
      name_len = u16 (e + 28);
      extra_len = u16 (e + 30);
      comment_len = u16 (e + 32);
      local_off = u32 (e + 42);
      if ((guint64) CDIR_SIZE + name_len + extra_len + comment_len > cd_offset + cd_size - pos)
        {
          fail (error, source,
                "zip: central directory entry %" G_GUINT64_FORMAT " runs past the directory", k);
          return NULL;
        }
      if (name_len == 0 || memchr (e + CDIR_SIZE, '\0', name_len) != NULL)
        {
          fail (error, source,
                "zip: member %" G_GUINT64_FORMAT " has an empty name or one with a NUL byte", k);
          return NULL;
        }
      m.name = g_strndup ((const char *) e + CDIR_SIZE, name_len);
      if (!read_zip64_extra (e + CDIR_SIZE + name_len, extra_len, &usize, &csize, &local_off,
                             source, error))
        {
          g_free (m.name);
          return NULL;
        }
      if (method != 0 || csize != usize)
        {
          fail (error, source,
                "zip: member %s is compressed (method %u); only stored members are read", m.name,
                method);
          g_free (m.name);
          return NULL;
        }
      if (local_off > size || size - local_off < LOCAL_SIZE ||
          memcmp (data + local_off, "PK\3\4", 4) != 0)
        {
          fail (error, source,
                "zip: the local header of member %s (byte %" G_GUINT64_FORMAT ") is missing",
                m.name, local_off);
          g_free (m.name);
          return NULL;
        }
      local = data + local_off;
      start = local_off + LOCAL_SIZE + u16 (local + 26) + u16 (local + 28);
      if (start > size || usize > size - start)
        {
          fail (error, source,
                "zip: the %" G_GUINT64_FORMAT " bytes of member %s at byte %" G_GUINT64_FORMAT
                " run past the end of the file (%" G_GSIZE_FORMAT " bytes)",
                usize, m.name, start, size);
          g_free (m.name);
          return NULL;
        }
      if (g_hash_table_contains (zip->by_name, m.name))
        {
          fail (error, source, "zip: member %s is given twice", m.name);
          g_free (m.name);
          return NULL;
        }
      m.data = data + start;
      m.size = (gsize) usize;
      g_array_append_val (zip->members, m);
      g_hash_table_insert (zip->by_name, m.name, GUINT_TO_POINTER (zip->members->len));
      pos += CDIR_SIZE + (guint64) name_len + extra_len + comment_len;
    }
  return g_steal_pointer (&zip);
}

guint
_lt_zip_get_n_members (LtZip *zip)
{
  return zip->members->len;
}

const char *
_lt_zip_get_name (LtZip *zip, guint index)
{
  g_return_val_if_fail (index < zip->members->len, NULL);
  return g_array_index (zip->members, Member, index).name;
}

const guint8 *
_lt_zip_lookup (LtZip *zip, const char *name, gsize *size)
{
  guint   i = GPOINTER_TO_UINT (g_hash_table_lookup (zip->by_name, name));
  Member *m;

  *size = 0;
  if (i == 0)
    return NULL;
  m = &g_array_index (zip->members, Member, i - 1);
  *size = m->size;
  return m->data;
}
