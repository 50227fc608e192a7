/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The pointwise front ends shared by lt-pointwise.c (the machinery and the
 * backward rules) and lt-pointwise-api.c (the public functions). */

#include "lt-ops-private.h"

G_BEGIN_DECLS

/* Where a pointwise front end writes its result */
typedef enum {
  LT_WRITE_NEW,       /* a new tensor */
  LT_WRITE_INPLACE,   /* into its first input (add_ ...) */
  LT_WRITE_OUT,       /* into a given tensor (the out= forms; binary ops only) */
} LtWriteMode;

LtTensor *_lt_pw_binary_op             (LtOp              op,
                                        LtTensor         *a,
                                        LtTensor         *b,
                                        LtTensor         *dest,
                                        LtWriteMode       mode,
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
                                        LtWriteMode       mode,
                                        const LtOpParams *params,
                                        GError          **error);
LtTensor *_lt_pw_unary_new             (LtOp              op,
                                        LtTensor         *a,
                                        GError          **error);
gboolean  _lt_pw_unary_inplace         (LtOp              op,
                                        LtTensor         *a,
                                        GError          **error);

G_END_DECLS
