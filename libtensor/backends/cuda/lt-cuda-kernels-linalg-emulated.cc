/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The emulated device's linear algebra and batch_norm kernels:
 * lt-cuda-kernels-linalg.cu compiled by the host's C++ compiler through the
 * launch shim (lt-cuda-shim-private.h).
 */

#include "lt-cuda-kernels-linalg.cu"
