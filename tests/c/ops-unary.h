/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness's cases of pointwise ops of one input, shared by
 * test-ops-pointwise.c (which defines them) and test-ops-math.c: a spec
 * whose data is a UnaryDef runs these lists.
 */

#pragma once

#include "ops-harness.h"

typedef struct
{
  LtOp op;
  LtTensor *(*fn) (LtTensor *, GError **);
  gboolean (*fn_) (LtTensor *, GError **);
  double (*ref) (double);
  OhDist dist;        /* forward inputs */
  OhDist gdist;       /* gradcheck inputs, away from kinks */
  gboolean keeps_int;   /* integer inputs keep their dtype, else float32 */
  gboolean float_only;  /* integer and bool inputs are errors */
} UnaryDef;

extern const OhCase oh_unary_forward[];
extern const OhCase oh_unary_forward_inplace[];
extern const OhCase oh_unary_backward[];
