/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the checkpoint tests (test-checkpoint.c, test-checkpoint-failures.c)
 * share beyond test-helpers.h: safetensors files built byte by byte, counts
 * of folder entries, and checks of tensors and state dicts.
 */
#pragma once

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libtensor.h>

#include "test-helpers.h"

GBytes *
st_file (const char   *header,
         gssize        header_len,
         guint64       claimed,
         const guint8 *data,
         gsize         data_len);

guint
count_temporaries (const char *dir,
                   const char *base);

guint
count_entries (const char *dir);

GBytes *
tensor_bytes (LtTensor *t);

void
assert_same_tensor (LtTensor *a,
                    LtTensor *b);

LtTensor *
from_data (const void   *data,
           gsize         n_bytes,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype);

LtStateDict *
load_ok (const char *path);

void
save_ok (LtStateDict *sd,
         const char  *path);
