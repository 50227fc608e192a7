/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-transform.h"

G_BEGIN_DECLS

/* Padding as left, top, right, bottom from torchvision's 1, 2 or 4 values. */
gboolean  _lt_transforms_parse_padding (const gint64  *padding,
                                        gsize          n_padding,
                                        gint64         ltrb[4],
                                        const char    *op,
                                        GError       **error);

/* crop (pad (input, ltrb, fill, mode), top, left, height, width) in one pass;
 * the crop lies inside the padded image. */
LtTensor *_lt_transforms_pad_crop      (LtTensor      *input,
                                        const gint64   ltrb[4],
                                        double         fill,
                                        LtPaddingMode  mode,
                                        gint64         top,
                                        gint64         left,
                                        gint64         height,
                                        gint64         width,
                                        const char    *op,
                                        GError       **error);

/* Checks that @input is an image: at least 2 dims, on any device. */
gboolean  _lt_transforms_check_image   (LtTensor      *input,
                                        const char    *op,
                                        GError       **error);

/* Four random 32-bit words from the calling thread's stream (or the global
 * generator). */
void      _lt_transforms_draw          (guint32        words[4]);

G_END_DECLS
