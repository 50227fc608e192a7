/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checkpoint tests' shared helpers (checkpoint-helpers.h).
 */
#include "checkpoint-helpers.h"

/* A safetensors file: the length @claimed (or the header's own length
 * when @claimed is G_MAXUINT64), the header's @header_len bytes (strlen
 * when negative), then @data_len bytes of @data (zeros when NULL). */
GBytes *
st_file (const char   *header,
         gssize        header_len,
         guint64       claimed,
         const guint8 *data,
         gsize         data_len)
{
  GByteArray *out = g_byte_array_new ();
  gsize hl = header_len < 0 ? strlen (header) : (gsize) header_len;
  guint64 n = GUINT64_TO_LE (claimed == G_MAXUINT64 ? hl : claimed);

  g_byte_array_append (out, (const guint8 *) &n, 8);
  g_byte_array_append (out, (const guint8 *) header, (guint) hl);
  for (gsize i = 0; i < data_len; i++)
    {
      guint8 b = data ? data[i] : 0;
      g_byte_array_append (out, &b, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

/* Files in @dir whose name starts with ".<base>.tmp-". */
guint
count_temporaries (const char *dir,
                   const char *base)
{
  g_autofree char *prefix = g_strdup_printf (".%s.tmp-", base);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  g_dir_close (d);
  return n;
}

guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

GBytes *
tensor_bytes (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  GBytes *b = lt_tensor_to_bytes (t, &error);

  g_assert_no_error (error);
  return b;
}

void
assert_same_tensor (LtTensor *a,
                    LtTensor *b)
{
  g_autoptr(GBytes) x = tensor_bytes (a);
  g_autoptr(GBytes) y = tensor_bytes (b);
  guint na, nb;
  const gint64 *sa = lt_tensor_get_shape (a, &na);
  const gint64 *sb = lt_tensor_get_shape (b, &nb);

  g_assert_cmpint (lt_tensor_get_dtype (a), ==, lt_tensor_get_dtype (b));
  g_assert_cmpuint (na, ==, nb);
  for (guint d = 0; d < na; d++)
    g_assert_cmpint (sa[d], ==, sb[d]);
  g_assert_true (g_bytes_equal (x, y));
}

LtTensor *
from_data (const void   *data,
           gsize         n_bytes,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_data (data, n_bytes, shape, n_dims, dtype, &error);

  g_assert_no_error (error);
  return t;
}

LtStateDict *
load_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  LtStateDict *sd = lt_state_dict_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sd);
  return sd;
}

void
save_ok (LtStateDict *sd,
         const char  *path)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = lt_state_dict_save (sd, path, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}
