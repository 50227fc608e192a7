/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <glib.h>

/**
 * LT_GTK_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as part of the public API of every libtensor-gtk version.
 */
#ifndef _LT_GTK_EXTERN
#define _LT_GTK_EXTERN __attribute__ ((visibility ("default"))) extern
#endif

#define LT_GTK_AVAILABLE_IN_ALL _LT_GTK_EXTERN
