/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the dataset tests (test-datasets.c, test-datasets-cifar.c,
 * test-download.c) share beyond test-helpers.h: checks of errors, gzip,
 * and CIFAR-10 written in its exact binary format (the record layout of
 * ENVIRONMENT.md: 1 label byte, then 1,024 R, 1,024 G, 1,024 B bytes) as a
 * folder and as a tar.gz made with libarchive's writer. Pixels and labels
 * come from the formulas cifar_pixel () and cifar_label (), which the
 * checks use too.
 */
#pragma once

#include <string.h>
#include <glib/gstdio.h>
#include <archive.h>
#include <archive_entry.h>

#include <libtensor.h>

#include "test-helpers.h"

#include "core/lt-tensor-private.h"
#include "data/lt-datasets-private.h"

/* Helpers */

void
assert_error_mentions (const GError *error,
                       GQuark        domain,
                       gint          code,
                       const char   *s1,
                       const char   *s2);

GBytes *
gzip_bytes (const void *data,
            gsize       len);

/* CIFAR-10 files */

extern const char *const cifar_classes[10];

/* Records per file: data_batch_1..5, test_batch */
extern const gint64 batch_records[6];
extern const char *const batch_files[6];

guint8
cifar_pixel (gint64 global, guint c, guint y, guint x);

guint8
cifar_label (gint64 global);

guint8 *
cifar_bin (gint64  first,
           gint64  n,
           gsize  *len);

char *
cifar_meta (void);

gint64
batch_first (int b);

char *
write_cifar_folder (const char *root);

/* A tar.gz member */
typedef struct
{
  const char *name;
  const void *data;
  gsize len;
  int type;           /* AE_IFREG, AE_IFDIR */
} Member;

void
write_tar_gz (const char   *path,
              const Member *members,
              guint         n);

void
write_cifar_archive (const char *path,
                     const int  *order,
                     guint       n_order,
                     const char *prefix);

void
check_cifar (LtCifar10 *ds,
             gboolean   train);

/* The members' order in the official archive (-1: the meta file) */
extern const int official_order[7];
