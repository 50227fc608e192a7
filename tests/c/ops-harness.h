/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness's shared part (tests/c/test-ops.c has the overview):
 * shapes, random values, tensors of every layout with their float64
 * reference values, the checks, the gradcheck drivers and the specs. Every
 * test-ops-<family>.c holds the specs of one family of ops and registers
 * them with its ops_register_<family> (); test-ops.c calls those in the
 * order of the op table's families.
 *
 * Every name the harness shares carries its prefix: functions and
 * variables oh_, types Oh, macros and enum values OH_ (the dtype
 * shorthands F32, F64, ... excepted), so a spec file's own helpers never
 * collide with them.
 */

#pragma once

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "ops/lt-op-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "core/lt-philox-private.h"

#define F32 LT_DTYPE_FLOAT32
#define F64 LT_DTYPE_FLOAT64
#define I64 LT_DTYPE_INT64
#define I32 LT_DTYPE_INT32
#define I16 LT_DTYPE_INT16
#define I8 LT_DTYPE_INT8
#define U8 LT_DTYPE_UINT8
#define BOOL LT_DTYPE_BOOL

/* Above LT_CPU_GRAIN * 2 = 65536 elements the CPU backend splits loops
 * across threads; full reductions split above 2 * 65536. */
#define OH_BIG 70001
#define OH_BIG_REDUCE 140001

#define OH_ALL_DIMS G_MININT

/* Shapes */

typedef struct
{
  gint64 d[LT_MAX_DIMS];
  guint n;
} OhShape;

#define OH_SH(...) ((OhShape) { { __VA_ARGS__ }, sizeof ((gint64[]) { __VA_ARGS__ }) / sizeof (gint64) })
#define OH_SH0 ((OhShape) { { 0 }, 0 })

gint64 oh_numel (OhShape s);
void oh_unravel (gint64 k, OhShape s, gint64 *idx);
gint64 oh_ravel (const gint64 *idx, OhShape s);
OhShape oh_broadcast (OhShape a, OhShape b);
gint64 oh_bindex (const gint64 *idx, guint nout, OhShape s);
OhShape oh_shape_of (LtTensor *t);
guint oh_norm_dim (gint d, guint n);

/* Random values: every case gets its own reproducible stream in @rng. */

extern GRand *oh_rng;

typedef enum {
  OH_DIST_UNIT,     /* uniform in [-2, 2] */
  OH_DIST_POS,      /* uniform in [0.5, 2.5]: logarithms, roots, divisors */
  OH_DIST_AWAY,     /* k / 10 + 0.05 +- 0.02: never near 0 or a multiple of 0.1 */
  OH_DIST_GRID,     /* multiples of 0.5 in [-3, 3]: ties and equal elements */
  OH_DIST_WIDE,     /* uniform in [-30, 30] */
  OH_DIST_EXPO,     /* exponents: uniform in [-2, 2]; integers 0 to 4 */
  OH_DIST_OPEN1,    /* uniform in [-0.9, 0.9]: asin, atanh; integers -1 to 1 */
  OH_DIST_GT1,      /* uniform in [1.1, 3]: acosh; integers 1 to 5 */
} OhDist;

gboolean oh_is_float (LtDType dt);
double oh_wrap_to (double v, LtDType dt);
double oh_convert (double v, LtDType to);
double oh_draw (OhDist dist, LtDType dt);

/* Tensors with their reference values */

typedef enum {
  OH_LAY_CONTIG,   /* row-major */
  OH_LAY_T,        /* the transpose of a row-major tensor (last two dims) */
  OH_LAY_STEP,     /* every other element of a wider tensor, from offset 1 */
  OH_LAY_EXPAND,   /* dim 0 expanded from 1 with stride 0 */
  OH_LAY_PAD,      /* rows narrowed out of wider rows: unit stride, rows apart */
  OH_LAY_TPAD,     /* the transpose of a OH_LAY_PAD tensor */
} OhLay;

typedef struct
{
  LtTensor *t;
  double *v;     /* the logical values, row-major */
  OhShape s;
  gint64 n;
} OhArr;

void oh_arr_clear (OhArr *a);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OhArr, oh_arr_clear)

double oh_sentinel (LtDType dt);
LtTensor *oh_build (const double *v, OhShape s, LtDType dt, OhLay lay);
OhArr oh_arr_from (const double *v, OhShape s, LtDType dt, OhLay lay);
OhArr oh_arr_new (OhShape s, LtDType dt, OhLay lay, OhDist dist);
LtTensor *oh_leaf_new (OhShape s, OhLay lay, OhDist dist);
LtTensor *oh_leaf_from (const double *v, OhShape s);
double *oh_values_of (LtTensor *t);
double oh_value_at (LtTensor *t, gint64 k);

/* Checks */

void oh_assert_shape (LtTensor *t, OhShape s);
void oh_assert_values (LtTensor *t, const double *ref, double rtol, double atol);
void oh_check_tol (LtTensor *t, LtDType dt, OhShape s, const double *ref, double rtol, double atol);
void oh_check (LtTensor *t, LtDType dt, OhShape s, const double *ref);
void oh_assert_same_values (LtTensor *a, LtTensor *b, gboolean same);
void oh_check_error (LtTensor *t, GError *error, LtError code);
LtDType oh_promote (LtDType a, LtDType b);

/* Gradients */

void oh_gradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n);
void oh_gradgradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n);
void oh_backward_shapes (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n);
double *oh_grad_of (LtTensor *t);
void oh_backward_sum (LtTensor *out);

/* The device the harness runs on (OH_DEVICE=cuda: the CUDA backend), and
 * the ops it skipped there for want of a kernel (their names). */
extern LtDevice oh_device;
extern GPtrArray *oh_ops_without_kernel;
extern GPtrArray *oh_cases_excluded;     /* "path: why" */
gboolean oh_device_has_kernel (LtOp op);

/* Specs: one per op, each with lists of forward and backward cases. */

typedef void (*OhCaseFunc) (gconstpointer data);

typedef struct
{
  const char *name;
  OhCaseFunc func;
} OhCase;

typedef struct
{
  LtOp op;
  const char *path;          /* /ops/<path>/... */
  gconstpointer data;        /* handed to every case */
  const OhCase *forward;       /* NULL-terminated lists */
  const OhCase *forward_extra;
  const OhCase *backward;
  const OhCase *backward_extra;
} OhSpec;

#define OH_SPEC(op, path, data, fw, fwx, bw, bwx) { op, path, data, fw, fwx, bw, bwx }

extern const LtDType oh_all_dtypes[8];

/* Registration: oh_add_specs () registers every case of @specs as
 * /ops/<path>/{forward,backward}/<case> and keeps the specs for
 * oh_get_specs (); both return counts (of cases, of specs). */
guint oh_add_specs (const OhSpec *specs, guint n_specs);
const OhSpec *const *oh_get_specs (guint *n_specs);
guint oh_count_cases (const OhCase *cases);

/* One per family file, in the order test-ops.c calls them; each returns
 * the number of cases it registered. */
guint oh_register_creation (void);
guint oh_register_pointwise (void);
guint oh_register_math (void);
guint oh_register_reduce (void);
guint oh_register_linalg (void);
guint oh_register_lapack (void);
guint oh_register_shape (void);
guint oh_register_shape_inplace (void);
guint oh_register_index (void);
guint oh_register_index_put (void);
guint oh_register_conv (void);
guint oh_register_pool (void);
guint oh_register_loss (void);
guint oh_register_fused (void);
guint oh_register_fused_act (void);
guint oh_register_fused_linear (void);
guint oh_register_norm (void);
guint oh_register_batch_norm (void);
guint oh_register_nn (void);
guint oh_register_extra (void);
guint oh_register_sort (void);
guint oh_register_rnn (void);
