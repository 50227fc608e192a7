/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-op-private.h"
#include "lt-backward-private.h"

/*
 * The op table: one row per entry of the list of ops (ops/lt-op-list-private.h),
 * generated from it, so no op can lack a row. Adding an op is adding an
 * entry to the list; backends add its kernel to their table.
 */

#define LT_OP_ROW_(id, name_, family_, flags_)                                                     \
  [LT_OP_##id] = { .name = name_, .family = LT_OP_FAMILY_##family_, .flags = (flags_) },
#define LT_GRAD_OP_ROW_(id, name_, family_, flags_, saves_, node0, node1, rule)                    \
  [LT_OP_##id] = { .name = name_,                                                                  \
                   .family = LT_OP_FAMILY_##family_,                                               \
                   .flags = (flags_) | LT_OPF_DIFFERENTIABLE,                                      \
                   .saves = (saves_),                                                              \
                   .node_name = { node0, node1 },                                                  \
                   .backward = _lt_backward_##rule },

const LtOpInfo _lt_op_table[] = { LT_OP_LIST (LT_OP_ROW_, LT_GRAD_OP_ROW_) };

G_STATIC_ASSERT (G_N_ELEMENTS (_lt_op_table) == LT_OP_COUNT);

/* Per row, checked while compiling: a backward rule saves at most what a
 * node holds (LT_GRAD_FN_MAX_SAVED), and no row has flags that contradict
 * each other. */

#define LT_SAVES_COUNT_(s)                                                                         \
  (!!LT_SAVES_NIBBLE_ (s, 0) + !!LT_SAVES_NIBBLE_ (s, 1) + !!LT_SAVES_NIBBLE_ (s, 2) +             \
   !!LT_SAVES_NIBBLE_ (s, 3) + !!LT_SAVES_NIBBLE_ (s, 4) + !!LT_SAVES_NIBBLE_ (s, 5))
#define LT_SAVES_NIBBLE_(s, k) (((s) >> (4 * (k))) & 0xf)
#define LT_ROW_FLAGS_OK_(f)                                                                        \
  (!((LT_OPF_BOOL_RESULT & (f)) && ((LT_OPF_FLOAT_RESULT | LT_OPF_INDEX_RESULT) & (f))) &&         \
   !((LT_OPF_VIEW & (f)) && (LT_OPF_HAS_KERNEL & (f))))

#define LT_OP_CHECK_(id, name_, family_, flags_) G_STATIC_ASSERT (LT_ROW_FLAGS_OK_ (flags_));
#define LT_GRAD_OP_CHECK_(id, name_, family_, flags_, saves_, node0, node1, rule)                  \
  G_STATIC_ASSERT (LT_ROW_FLAGS_OK_ (flags_));                                                     \
  G_STATIC_ASSERT (LT_SAVES_COUNT_ (saves_) <= LT_GRAD_FN_MAX_SAVED);

LT_OP_LIST (LT_OP_CHECK_, LT_GRAD_OP_CHECK_)
