/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The emulated device's sorting, scan and recurrent-cell kernels:
 * lt-cuda-kernels-scan.cu compiled by the host's C++ compiler through the
 * launch shim (lt-cuda-shim-private.h).
 */

#include "lt-cuda-kernels-scan.cu"
