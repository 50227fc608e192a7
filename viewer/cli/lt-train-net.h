/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

G_BEGIN_DECLS

#define LT_TRAIN_TYPE_NET (lt_train_net_get_type ())

G_DECLARE_FINAL_TYPE (LtTrainNet, lt_train_net, LT_TRAIN, NET, LtModule)

LtTrainNet *lt_train_net_new    (gint64   in_channels,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;
LtTrainNet *lt_train_net_new_nn (GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
