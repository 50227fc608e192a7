/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib.h>

/**
 * LT_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as part of the public API of every libtensor version.
 */
#ifndef _LT_EXTERN
#define _LT_EXTERN __attribute__((visibility ("default"))) extern
#endif

#define LT_AVAILABLE_IN_ALL _LT_EXTERN

/**
 * LT_MAX_DIMS:
 *
 * The largest number of dimensions a tensor may have.
 */
#define LT_MAX_DIMS 8
