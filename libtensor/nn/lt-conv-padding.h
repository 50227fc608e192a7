/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
gboolean    lt_conv_set_padding_mode (LtModule    *conv,
                                      const char  *padding_mode,
                                      const char  *padding,
                                      GError     **error);
LT_AVAILABLE_IN_ALL
const char *lt_conv_get_padding_mode (LtModule    *conv);

G_END_DECLS
