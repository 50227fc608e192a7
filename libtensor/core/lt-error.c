/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-error.h"

/**
 * lt_error_quark:
 *
 * Gets the error domain of libtensor.
 *
 * Returns: the quark of %LT_ERROR
 */
G_DEFINE_QUARK (lt-error-quark, lt_error)
