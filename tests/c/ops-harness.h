/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness's shared part (tests/c/test-ops.c has the overview):
 * shapes, random values, tensors of every layout with their float64
 * reference values, the checks, the gradcheck drivers and the specs. Every
 * test-ops-<family>.c holds the specs of one family of ops and registers
 * them with its ops_register_<family> (); test-ops.c calls those in the
 * order of the op table's families.
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
#define BIG 70001
#define BIG_REDUCE 140001

#define ALL_DIMS G_MININT

/* Shapes */

typedef struct
{
  gint64 d[LT_MAX_DIMS];
  guint n;
} Shape;

#define SH(...) ((Shape) { { __VA_ARGS__ }, sizeof ((gint64[]) { __VA_ARGS__ }) / sizeof (gint64) })
#define SH0 ((Shape) { { 0 }, 0 })

gint64 numel (Shape s);
void unravel (gint64 k, Shape s, gint64 *idx);
gint64 ravel (const gint64 *idx, Shape s);
Shape broadcast (Shape a, Shape b);
gint64 bindex (const gint64 *idx, guint nout, Shape s);
Shape shape_of (LtTensor *t);
guint norm_dim (gint d, guint n);

/* Random values: every case gets its own reproducible stream in @rng. */

extern GRand *rng;

typedef enum {
  DIST_UNIT,     /* uniform in [-2, 2] */
  DIST_POS,      /* uniform in [0.5, 2.5]: logarithms, roots, divisors */
  DIST_AWAY,     /* k / 10 + 0.05 +- 0.02: never near 0 or a multiple of 0.1 */
  DIST_GRID,     /* multiples of 0.5 in [-3, 3]: ties and equal elements */
  DIST_WIDE,     /* uniform in [-30, 30] */
  DIST_EXPO,     /* exponents: uniform in [-2, 2]; integers 0 to 4 */
} Dist;

gboolean is_float (LtDType dt);
double wrap_to (double v, LtDType dt);
double convert (double v, LtDType to);
double draw (Dist dist, LtDType dt);

/* Tensors with their reference values */

typedef enum {
  LAY_CONTIG,   /* row-major */
  LAY_T,        /* the transpose of a row-major tensor (last two dims) */
  LAY_STEP,     /* every other element of a wider tensor, from offset 1 */
  LAY_EXPAND,   /* dim 0 expanded from 1 with stride 0 */
  LAY_PAD,      /* rows narrowed out of wider rows: unit stride, rows apart */
  LAY_TPAD,     /* the transpose of a LAY_PAD tensor */
} Lay;

typedef struct
{
  LtTensor *t;
  double *v;     /* the logical values, row-major */
  Shape s;
  gint64 n;
} Arr;

void arr_clear (Arr *a);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Arr, arr_clear)

double sentinel (LtDType dt);
LtTensor *build (const double *v, Shape s, LtDType dt, Lay lay);
Arr arr_from (const double *v, Shape s, LtDType dt, Lay lay);
Arr arr_new (Shape s, LtDType dt, Lay lay, Dist dist);
LtTensor *leaf_new (Shape s, Lay lay, Dist dist);
LtTensor *leaf_from (const double *v, Shape s);
double *values_of (LtTensor *t);
double value_at (LtTensor *t, gint64 k);

/* Checks */

void assert_shape (LtTensor *t, Shape s);
void assert_values (LtTensor *t, const double *ref, double rtol, double atol);
void check_tol (LtTensor *t, LtDType dt, Shape s, const double *ref, double rtol, double atol);
void check (LtTensor *t, LtDType dt, Shape s, const double *ref);
void assert_same_values (LtTensor *a, LtTensor *b, gboolean same);
void check_error (LtTensor *t, GError *error, LtError code);
LtDType promote (LtDType a, LtDType b);

/* Gradients */

void gradcheck (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n);
void backward_shapes (LtGradcheckFunc func, gconstpointer data, LtTensor **inputs, gsize n);
double *grad_of (LtTensor *t);
void backward_sum (LtTensor *out);

/* Specs: one per op, each with lists of forward and backward cases. */

typedef void (*CaseFunc) (gconstpointer data);

typedef struct
{
  const char *name;
  CaseFunc func;
} Case;

typedef struct
{
  LtOp op;
  const char *path;          /* /ops/<path>/... */
  gconstpointer data;        /* handed to every case */
  const Case *forward;       /* NULL-terminated lists */
  const Case *forward_extra;
  const Case *backward;
  const Case *backward_extra;
} OpSpec;

#define SPEC(op, path, data, fw, fwx, bw, bwx) { op, path, data, fw, fwx, bw, bwx }

extern const LtDType all_dtypes[8];

/* Registration: ops_add_specs () registers every case of @specs as
 * /ops/<path>/{forward,backward}/<case> and keeps the specs for
 * ops_get_specs (); both return counts (of cases, of specs). */
guint ops_add_specs (const OpSpec *specs, guint n_specs);
const OpSpec *const *ops_get_specs (guint *n_specs);
guint ops_count_cases (const Case *cases);

/* One per family file, in the order test-ops.c calls them; each returns
 * the number of cases it registered. */
guint ops_register_creation (void);
guint ops_register_pointwise (void);
guint ops_register_reduce (void);
guint ops_register_linalg (void);
guint ops_register_shape (void);
guint ops_register_index (void);
guint ops_register_conv (void);
guint ops_register_pool (void);
guint ops_register_loss (void);
