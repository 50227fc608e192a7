/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/* Decompositions and solvers over LAPACK (ops/lt-linalg-lapack.c) */

LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_inv       (LtTensor    *a,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_solve     (LtTensor    *a,
                               LtTensor    *b,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_det       (LtTensor    *a,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_slogdet   (LtTensor    *a,
                               LtTensor   **logabsdet,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_cholesky  (LtTensor    *a,
                               gboolean     upper,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_eigh      (LtTensor    *a,
                               const char  *uplo,
                               LtTensor   **eigenvectors,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_svd       (LtTensor    *a,
                               gboolean     full_matrices,
                               LtTensor   **s,
                               LtTensor   **vh,
                               GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_qr        (LtTensor    *a,
                               const char  *mode,
                               LtTensor   **r,
                               GError     **error);

/* Compositions (ops/lt-linalg-norms.c) */

LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_eigvalsh      (LtTensor    *a,
                                   const char  *uplo,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_svdvals       (LtTensor    *a,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_pinv          (LtTensor    *a,
                                   double       atol,
                                   double       rtol,
                                   gboolean     hermitian,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_matrix_rank   (LtTensor    *a,
                                   double       atol,
                                   double       rtol,
                                   gboolean     hermitian,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_lstsq         (LtTensor    *a,
                                   LtTensor    *b,
                                   double       rcond,
                                   LtTensor   **residuals,
                                   LtTensor   **rank,
                                   LtTensor   **singular_values,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_lstsq_driver  (LtTensor    *a,
                                   LtTensor    *b,
                                   double       rcond,
                                   const char  *driver,
                                   LtTensor   **residuals,
                                   LtTensor   **rank,
                                   LtTensor   **singular_values,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_vector_norm   (LtTensor    *x,
                                   double       ord,
                                   const gint  *dims,
                                   gsize        n_dims,
                                   gboolean     keepdim,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_matrix_norm   (LtTensor    *a,
                                   const char  *ord,
                                   gint         dim0,
                                   gint         dim1,
                                   gboolean     keepdim,
                                   GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_linalg_norm          (LtTensor    *x,
                                   const char  *ord,
                                   const gint  *dims,
                                   gsize        n_dims,
                                   gboolean     keepdim,
                                   GError     **error);

G_END_DECLS
