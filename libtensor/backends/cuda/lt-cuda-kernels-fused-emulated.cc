/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The emulated device's multi-tensor kernels: lt-cuda-kernels-fused.cu
 * compiled by the host's C++ compiler through the launch shim
 * (lt-cuda-shim-private.h).
 */

#include "lt-cuda-kernels-fused.cu"
