/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The pointwise front ends shared by lt-pointwise.c (the machinery and the
 * backward rules) and lt-pointwise-api.c (the public functions). */

#include "lt-ops-private.h"

G_BEGIN_DECLS

typedef enum {
  MODE_NEW,
  MODE_INPLACE,
  MODE_OUT,
} Mode;

LtTensor *_lt_pw_binary_op             (LtOp              op,
                                        LtTensor         *a,
                                        LtTensor         *b,
                                        LtTensor         *dest,
                                        Mode              mode,
                                        GError          **error);
LtTensor *_lt_pw_binary_new            (LtOp              op,
                                        LtTensor         *a,
                                        LtTensor         *b,
                                        GError          **error);
LtTensor *_lt_pw_binary_scalar_new     (LtOp              op,
                                        LtTensor         *a,
                                        double            v,
                                        gboolean          reversed,
                                        GError          **error);
gboolean  _lt_pw_binary_inplace        (LtOp              op,
                                        LtTensor         *a,
                                        LtTensor         *b,
                                        GError          **error);
gboolean  _lt_pw_binary_scalar_inplace (LtOp              op,
                                        LtTensor         *a,
                                        double            v,
                                        GError          **error);
LtTensor *_lt_pw_unary_op              (LtOp              op,
                                        LtTensor         *a,
                                        Mode              mode,
                                        const LtOpParams *params,
                                        GError          **error);
LtTensor *_lt_pw_unary_new             (LtOp              op,
                                        LtTensor         *a,
                                        GError          **error);
gboolean  _lt_pw_unary_inplace         (LtOp              op,
                                        LtTensor         *a,
                                        GError          **error);

G_END_DECLS
