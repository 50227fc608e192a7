/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the C tests share: tensors from values, checks of shapes, strides,
 * values and printed forms, and temporary folders and files. Each helper
 * fails the running test (g_assert*) instead of returning an error.
 */
#pragma once

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libtensor.h>

/* DIMS (2, 3) and VALS (1, 2, 3) expand to an array and its length, for
 * the (values, n) and (shape, n_dims) argument pairs. */
#define DIMS(...) ((const gint64[]) { __VA_ARGS__ }), \
  (sizeof ((const gint64[]) { __VA_ARGS__ }) / sizeof (gint64))
#define VALS(...) ((const double[]) { __VA_ARGS__ }), \
  (sizeof ((const double[]) { __VA_ARGS__ }) / sizeof (double))

/* Objects
 *
 * `autofinal LtLinear *fc = lt_linear_new (...);` releases the object when
 * the variable goes out of scope, as g_autoptr(LtLinear) would, and the
 * variable must then hold the last reference: the object is finalized
 * there, or the test fails (g_assert_finalize_object). The C tests declare
 * the objects they make (modules, optimizers, datasets, loaders,
 * transforms, trainers, state dicts, graphs) this way, so every test ends
 * by proving that no reference leaked. Variables go out of scope in the
 * reverse order of their declarations: a container is declared after what
 * it holds, so that it is released first. (Helpers that build an object
 * and hand its parts to it keep g_autoptr for the parts.) */
#define autofinal __attribute__ ((cleanup (autofinal_cleanup)))

void
autofinal_cleanup (gpointer location);

/* Values and tensors */

double *
random_values (GRand  *rng,
               gint64  n,
               double  lo,
               double  hi);

gint64
shape_numel (const gint64 *shape,
             gsize         n_dims);

LtTensor *
tensor_of (const double *v,
           gsize         n,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype);

LtTensor *
tensor_of_shape (const double *v,
                 const gint64 *shape,
                 gsize         n_dims,
                 LtDType       dtype);

LtTensor *
iota (const gint64 *shape,
      gsize         n_dims,
      LtDType       dtype);

double *
values (LtTensor *t,
        gsize    *n);

double
item (LtTensor *t);

/* Checks */

void
assert_shape (LtTensor     *t,
              const gint64 *shape,
              gsize         n_dims);

void
assert_strides (LtTensor     *t,
                const gint64 *strides,
                gsize         n_dims);

void
assert_values_tol (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol);

void
assert_values (LtTensor     *t,
               const double *want,
               gsize         n);

void
assert_values_rel (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol);

void
assert_allclose (LtTensor     *t,
                 const double *want,
                 gsize         n,
                 double        rtol,
                 double        atol);

void
assert_prints (LtTensor   *t,
               const char *want);

/* Temporary folders and files */

char *
make_tmp_dir (const char *tmpl);

void
remove_tree (const char *path);

void
write_file (const char *path,
            const void *data,
            gsize       len);

GBytes *
read_file (const char *path);

/* Skips
 *
 * A test never skips because something it needs is missing (a reference
 * file, a data set, a tool): it fails, saying what to install. Only
 * hardware may be absent: these skip the running test with a reason that
 * starts with "GPU: " or "display: ", the only skips .ci/run accepts. */

void skip_gpu (const char *reason);

void skip_display (const char *reason);

/* Fails the running test unless `path` exists, naming the Debian `package`
 * that provides it. */
void require_path (const char *path, const char *package);

/* A conv2d layer for conv_reference (): square filters, the same stride,
 * padding and dilation along both axes */
typedef struct
{
  gint64 N, C, H, W, O, k, stride, padding, dilation, groups;
} ConvShape;

/* conv2d's definition in doubles: y = conv (x, w) + b for the (N, C, H, W)
 * input @x, the (O, C / groups, k, k) filter @w and the bias @b (NULL for
 * none); with the output's gradient @dy, the gradients @dx, @dw and @db of
 * sum (y * dy) (each NULL when not wanted; @dy NULL when none is). @y is
 * (N, O, OH, OW) with OH, OW as conv_out_size () gives. */
gint64 conv_out_size (const ConvShape *s, gint64 in);
void   conv_reference (const ConvShape *s,
                       const double    *x,
                       const double    *w,
                       const double    *b,
                       const double    *dy,
                       double          *y,
                       double          *dx,
                       double          *dw,
                       double          *db);
