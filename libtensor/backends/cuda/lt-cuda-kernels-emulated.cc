/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The emulated device's kernels: lt-cuda-kernels.cu compiled by the host's
 * C++ compiler through the launch shim (lt-cuda-shim-private.h), which sees no
 * __CUDACC__ and so runs every launch on the host.
 */

#include "lt-cuda-kernels.cu"
