/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User mistakes: each one returns NULL/FALSE with a GError in LT_ERROR
 * whose message starts with the op's name and names the shapes involved;
 * no input changes (neither its values nor its version); nothing warns or
 * criticises (g_test_init() makes both fatal); and no input keeps an extra
 * reference (g_assert_finalize_object() at the end of each group). The
 * cases are the ones PyTorch rejects too.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

#define INTS(...) ((const gint64[]) { __VA_ARGS__ }), \
  (sizeof ((const gint64[]) { __VA_ARGS__ }) / sizeof (gint64))

/* The tensors every case may use; all are checked to be unchanged after
 * each case. */
typedef struct
{
  LtTensor *a;        /* [5, 3] float32, random */
  LtTensor *at;       /* a transposed: [3, 5], a view */
  LtTensor *acol;     /* a[:, 1]: [5], a view */
  LtTensor *b;        /* [4] float32 */
  LtTensor *v3;       /* [3] float32 */
  LtTensor *c23;      /* [2, 3] float32 */
  LtTensor *c24;      /* [2, 4] float32 */
  LtTensor *d;        /* [3, 2] float64 */
  LtTensor *i;        /* [3] int64: 1 2 3 */
  LtTensor *zi;       /* [3] int64: 0 1 0 */
  LtTensor *mask;     /* [5, 3] bool */
  LtTensor *bools;    /* [2] bool */
  LtTensor *leaf;     /* [3] float32 requiring grad */
  LtTensor *y;        /* leaf * 2: [3], with history */
  LtTensor *ex;       /* v3 expanded to [4, 3] */
  LtTensor *all[24];
  GBytes *bytes[24];
  guint versions[24];
  guint n;
} Fixture;

static void
fixture_add (Fixture  *f,
             LtTensor *t)
{
  g_assert_nonnull (t);
  g_assert_cmpuint (f->n, <, G_N_ELEMENTS (f->all));
  f->all[f->n++] = t;
}

static void
fixture_snapshot (Fixture *f)
{
  for (guint k = 0; k < f->n; k++)
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&f->bytes[k], g_bytes_unref);
      f->bytes[k] = lt_tensor_to_bytes (f->all[k], &error);
      g_assert_no_error (error);
      f->versions[k] = lt_tensor_get_version (f->all[k]);
    }
}

static void
fixture_assert_unchanged (Fixture *f)
{
  for (guint k = 0; k < f->n; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) now = lt_tensor_to_bytes (f->all[k], &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (now, f->bytes[k]));
      g_assert_cmpuint (lt_tensor_get_version (f->all[k]), ==, f->versions[k]);
    }
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  lt_manual_seed (3);
  f->a = lt_rand (DIMS (5, 3), LT_DTYPE_FLOAT32, &error);
  f->at = lt_tensor_t (f->a, &error);
  f->acol = lt_tensor_select (f->a, 1, 1, &error);
  f->b = lt_rand (DIMS (4), LT_DTYPE_FLOAT32, &error);
  f->v3 = tensor_of (VALS (1, 2, 3), DIMS (3), LT_DTYPE_FLOAT32);
  f->c23 = lt_ones (DIMS (2, 3), LT_DTYPE_FLOAT32, &error);
  f->c24 = lt_ones (DIMS (2, 4), LT_DTYPE_FLOAT32, &error);
  f->d = lt_ones (DIMS (3, 2), LT_DTYPE_FLOAT64, &error);
  f->i = tensor_of (VALS (1, 2, 3), DIMS (3), LT_DTYPE_INT64);
  f->zi = tensor_of (VALS (0, 1, 0), DIMS (3), LT_DTYPE_INT64);
  f->mask = lt_tensor_gt_scalar (f->a, 0.5, &error);
  f->bools = tensor_of (VALS (1, 0), DIMS (2), LT_DTYPE_BOOL);
  f->leaf = tensor_of (VALS (1, 2, 3), DIMS (3), LT_DTYPE_FLOAT32);
  g_assert_true (lt_tensor_set_requires_grad (f->leaf, TRUE, &error));
  f->y = lt_tensor_mul_scalar (f->leaf, 2, &error);
  f->ex = lt_tensor_expand (f->v3, DIMS (4, 3), &error);
  g_assert_no_error (error);

  fixture_add (f, f->a);
  fixture_add (f, f->at);
  fixture_add (f, f->acol);
  fixture_add (f, f->b);
  fixture_add (f, f->v3);
  fixture_add (f, f->c23);
  fixture_add (f, f->c24);
  fixture_add (f, f->d);
  fixture_add (f, f->i);
  fixture_add (f, f->zi);
  fixture_add (f, f->mask);
  fixture_add (f, f->bools);
  fixture_add (f, f->leaf);
  fixture_add (f, f->y);
  fixture_add (f, f->ex);
  fixture_snapshot (f);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  for (guint k = 0; k < f->n; k++)
    g_clear_pointer (&f->bytes[k], g_bytes_unref);
  /* no failed call kept a reference: views first, then their bases */
  g_assert_finalize_object (f->ex);
  g_assert_finalize_object (f->y);
  g_assert_finalize_object (f->leaf);
  g_assert_finalize_object (f->bools);
  g_assert_finalize_object (f->mask);
  g_assert_finalize_object (f->zi);
  g_assert_finalize_object (f->i);
  g_assert_finalize_object (f->d);
  g_assert_finalize_object (f->c24);
  g_assert_finalize_object (f->c23);
  g_assert_finalize_object (f->v3);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->acol);
  g_assert_finalize_object (f->at);
  g_assert_finalize_object (f->a);
}

/* Checks the error of a failed call: its domain and code, the op's name
 * in front, and each of the NULL-terminated strings in the message. */
static void
assert_error (GError     *error,
              gint        code,
              const char *op,
              ...)
{
  g_autofree char *prefix = g_strconcat (op, ": ", NULL);
  const char *part;
  va_list ap;

  g_assert_error (error, LT_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("the message \"%s\" does not start with \"%s\"", error->message, prefix);
  va_start (ap, op);
  while ((part = va_arg (ap, const char *)) != NULL)
    if (strstr (error->message, part) == NULL)
      g_error ("the message \"%s\" does not mention \"%s\"", error->message, part);
  va_end (ap);
}

/* Fails the test if a call that must fail returned a tensor. */
#define FAILS_T(f, expr)                                  \
  G_STMT_START {                                          \
    LtTensor *r_ = (expr);                                \
    if (r_ != NULL)                                       \
      {                                                   \
        g_object_unref (r_);                              \
        g_error ("%s succeeded", #expr);                  \
      }                                                   \
    fixture_assert_unchanged (f);                         \
  } G_STMT_END
#define FAILS_B(f, expr)                                  \
  G_STMT_START {                                          \
    if (expr)                                             \
      g_error ("%s succeeded", #expr);                    \
    fixture_assert_unchanged (f);                         \
  } G_STMT_END

/* Broadcasting */

static void
test_broadcast (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  FAILS_T (f, lt_tensor_add (f->a, f->b, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_cmpstr (error->message, ==, "add: shapes [5, 3] and [4] cannot be broadcast");
  g_clear_error (&error);

  FAILS_T (f, lt_tensor_sub (f->a, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "sub", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_mul (f->b, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "mul", "[4]", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_div (f->a, f->c23, &error));
  assert_error (error, LT_ERROR_SHAPE, "div", "[5, 3]", "[2, 3]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_pow (f->a, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "pow", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_maximum (f->a, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "maximum", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_lt (f->a, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "lt", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_eq (f->c24, f->c23, &error));
  assert_error (error, LT_ERROR_SHAPE, "eq", "[2, 4]", "[2, 3]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_where (f->mask, f->a, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "where", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_masked_select (f->a, f->bools, &error));
  assert_error (error, LT_ERROR_SHAPE, "masked_select", "[5, 3]", "[2]", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_masked_fill_ (f->a, f->bools, 1, &error));
  assert_error (error, LT_ERROR_SHAPE, "masked_fill", "[5, 3]", "[2]", NULL);
  g_clear_error (&error);

  /* in place: the inputs do not broadcast, or the result is larger than
   * self (torch: "output with shape [3] doesn't match the broadcast shape
   * [5, 3]") */
  FAILS_B (f, lt_tensor_add_ (f->b, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "add", "[4]", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_mul_ (f->v3, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "mul", "[3]", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_copy_ (f->b, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "copy_", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
}

/* dtypes */

static void
test_dtype (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) half = lt_scalar (0.5);

  /* torch.mm: "expected scalar type Float but found Double" */
  FAILS_T (f, lt_tensor_mm (f->a, f->d, &error));
  assert_error (error, LT_ERROR_DTYPE, "mm", "float32", "float64", NULL);
  g_clear_error (&error);

  /* in-place results that the tensor cannot hold (torch: "result type
   * Float can't be cast to the desired output type Long") */
  FAILS_B (f, lt_tensor_add_ (f->i, half, &error));
  assert_error (error, LT_ERROR_DTYPE, "add", "float32", "int64", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_add_scalar_ (f->i, 0.5, &error));
  assert_error (error, LT_ERROR_DTYPE, "add", "int64", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_mul_ (f->bools, f->i, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);   /* [2] and [3] */
  g_clear_error (&error);
  {
    g_autoptr(LtTensor) two = lt_scalar_int (2);

    FAILS_B (f, lt_tensor_mul_ (f->bools, two, &error));
    assert_error (error, LT_ERROR_DTYPE, "mul", "int64", "bool", NULL);
    g_clear_error (&error);
  }
  FAILS_B (f, lt_tensor_log_ (f->i, &error));
  assert_error (error, LT_ERROR_DTYPE, "log_", "float32", "int64", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_div_ (f->i, f->i, &error));
  assert_error (error, LT_ERROR_DTYPE, "div", "float32", "int64", NULL);
  g_clear_error (&error);

  /* masks must be bool */
  FAILS_T (f, lt_tensor_masked_fill (f->a, f->a, 1, &error));
  assert_error (error, LT_ERROR_DTYPE, "masked_fill", "float32", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_where (f->a, f->a, f->a, &error));
  assert_error (error, LT_ERROR_DTYPE, "where", "float32", NULL);
  g_clear_error (&error);

  /* index tensors must be integers */
  {
    g_autoptr(LtTensor) fidx = lt_zeros (DIMS (1), LT_DTYPE_FLOAT32, &error);

    fixture_snapshot (f);
    FAILS_T (f, lt_tensor_index_select (f->a, 0, fidx, &error));
    assert_error (error, LT_ERROR_DTYPE, "index_select", "float32", NULL);
    g_clear_error (&error);
    FAILS_T (f, lt_tensor_one_hot (f->v3, 4, &error));
    assert_error (error, LT_ERROR_DTYPE, "one_hot", "float32", NULL);
    g_clear_error (&error);
  }

  /* floating-point only ops */
  FAILS_T (f, lt_tensor_mean (f->i, &error));
  assert_error (error, LT_ERROR_DTYPE, "mean", "int64", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_softmax (f->i, 0, &error));
  assert_error (error, LT_ERROR_DTYPE, "softmax", "int64", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_norm (f->i, 2, &error));
  assert_error (error, LT_ERROR_DTYPE, "norm", "int64", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_sub (f->bools, f->bools, &error));
  assert_error (error, LT_ERROR_DTYPE, "sub", "bool", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_neg (f->bools, &error));
  assert_error (error, LT_ERROR_DTYPE, "neg", "bool", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_rand (DIMS (2), LT_DTYPE_INT64, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);

  /* only floating-point tensors can require grad */
  FAILS_T (f, lt_tensor_requires_grad_ (f->i, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_assert_false (lt_tensor_get_requires_grad (f->i));
}

/* Devices */

static void
test_device (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* this build has no CUDA backend */
  FAILS_T (f, lt_tensor_to_device (f->a, LT_DEVICE_CUDA, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "CUDA"));
  g_clear_error (&error);

  /* to the device it is on: a tensor with the same values */
  {
    g_autoptr(LtTensor) same = lt_tensor_to_device (f->a, LT_DEVICE_CPU, &error);

    g_assert_no_error (error);
    g_assert_nonnull (same);
    g_assert_cmpint (lt_tensor_get_device (same), ==, LT_DEVICE_CPU);
  }
}

/* Indices and dimensions */

static void
test_index (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) idx5 = lt_tensor_new_from_int64s (INTS (0, 5), DIMS (2), LT_DTYPE_INT64,
                                                       &error);
  g_autoptr(LtTensor) idx1 = lt_tensor_new_from_int64s (INTS (5), DIMS (1), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) gidx = lt_zeros (DIMS (5, 3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) one = lt_ones (DIMS (1), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) dst = lt_zeros (DIMS (3), LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  /* gidx[0][1] = 3: out of range for a dimension of size 3 */
  {
    g_autoptr(LtTensor) e = lt_tensor_select (gidx, 0, 0, &error);
    g_autoptr(LtTensor) e1 = lt_tensor_select (e, 0, 1, &error);
    g_assert_true (lt_tensor_fill_ (e1, 3, &error));
  }
  fixture_add (f, dst);
  fixture_snapshot (f);

  FAILS_T (f, lt_tensor_select (f->a, 0, 5, &error));
  assert_error (error, LT_ERROR_INDEX, "select", "5", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_select (f->a, 1, -4, &error));
  assert_error (error, LT_ERROR_INDEX, "select", "-4", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_index_select (f->a, 0, idx5, &error));
  assert_error (error, LT_ERROR_INDEX, "index_select", "5", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_gather (f->a, 1, gidx, &error));
  assert_error (error, LT_ERROR_INDEX, "gather", "3", NULL);
  g_clear_error (&error);
  /* torch: "Class values must be smaller than num_classes." */
  FAILS_T (f, lt_tensor_one_hot (f->i, 3, &error));
  assert_error (error, LT_ERROR_INDEX, "one_hot", "3", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_scatter_add (dst, 0, idx1, one, &error));
  assert_error (error, LT_ERROR_INDEX, "scatter_add", "5", NULL);
  g_clear_error (&error);
  /* the in-place forms check every index before they write */
  FAILS_B (f, lt_tensor_index_add_ (dst, 0, idx1, one, &error));
  assert_error (error, LT_ERROR_INDEX, "index_add", "5", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_scatter_add_ (dst, 0, idx1, one, &error));
  assert_error (error, LT_ERROR_INDEX, "scatter_add", "5", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_narrow (f->a, 0, 3, 3, &error));
  assert_error (error, LT_ERROR_INDEX, "narrow", NULL);
  g_clear_error (&error);

  /* dimensions out of range */
  FAILS_T (f, lt_tensor_select (f->a, 2, 0, &error));
  assert_error (error, LT_ERROR_INDEX, "select", "2", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_sum_dim (f->a, 2, FALSE, &error));
  assert_error (error, LT_ERROR_INDEX, "sum", "2", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_transpose (f->a, 0, 5, &error));
  assert_error (error, LT_ERROR_INDEX, "transpose", "5", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_unsqueeze (f->a, 4, &error));
  assert_error (error, LT_ERROR_INDEX, "unsqueeze", "4", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_softmax (f->a, -3, &error));
  assert_error (error, LT_ERROR_INDEX, "softmax", "-3", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_max_dim (f->a, 2, FALSE, NULL, &error));
  assert_error (error, LT_ERROR_INDEX, "max", "2", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_permute (f->a, (const gint[]) { 0, 0 }, 2, &error));
  assert_error (error, LT_ERROR_INDEX, "permute", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_squeeze_dim (f->a, 2, &error));
  assert_error (error, LT_ERROR_INDEX, "squeeze", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_index_select (f->a, 3, idx1, &error));
  assert_error (error, LT_ERROR_INDEX, "index_select", "3", NULL);
  g_clear_error (&error);
  g_assert_cmpint (lt_tensor_get_size (f->a, 5, &error), ==, -1);
  assert_error (error, LT_ERROR_INDEX, "size", "5", NULL);
  g_clear_error (&error);
}

/* Shapes of views, expand, cat, matrix products */

static void
test_shapes (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *mismatched[] = { f->c23, f->c24 };
  LtTensor *stacked[] = { f->c23, f->d };

  /* a view of a transposed tensor would need a copy */
  FAILS_T (f, lt_tensor_view (f->at, DIMS (15), &error));
  assert_error (error, LT_ERROR_SHAPE, "view", "[3, 5]", "[15]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_view (f->a, DIMS (-1, -1), &error));
  assert_error (error, LT_ERROR_SHAPE, "view", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_reshape (f->a, DIMS (4, 4), &error));
  assert_error (error, LT_ERROR_SHAPE, "reshape", "[4, 4]", "[5, 3]", NULL);
  g_clear_error (&error);

  /* expand: a size other than 1 cannot grow */
  FAILS_T (f, lt_tensor_expand (f->b, DIMS (2, 5), &error));
  assert_error (error, LT_ERROR_SHAPE, "expand", "[4]", "[2, 5]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_expand (f->a, DIMS (3), &error));
  assert_error (error, LT_ERROR_SHAPE, "expand", "[5, 3]", "[3]", NULL);
  g_clear_error (&error);

  /* cat and stack */
  FAILS_T (f, lt_cat (mismatched, 2, 0, &error));
  assert_error (error, LT_ERROR_SHAPE, "cat", "[2, 3]", "[2, 4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_cat (mismatched, 0, 0, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "cat", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_cat (mismatched, 2, 2, &error));
  assert_error (error, LT_ERROR_INDEX, "cat", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_stack (stacked, 2, 0, &error));
  assert_error (error, LT_ERROR_SHAPE, "stack", "[2, 3]", "[3, 2]", NULL);
  g_clear_error (&error);

  /* matrix products */
  FAILS_T (f, lt_tensor_mm (f->a, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "mm", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_mm (f->b, f->b, &error));
  assert_error (error, LT_ERROR_SHAPE, "mm", "[4]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_bmm (f->a, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "bmm", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_matmul (f->a, f->c24, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5, 3]"));
  g_assert_nonnull (strstr (error->message, "[2, 4]"));
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_addmm (f->c23, f->a, f->a, 1, 1, &error));
  assert_error (error, LT_ERROR_SHAPE, "addmm", "[5, 3]", NULL);
  g_clear_error (&error);

  /* t() is for matrices */
  {
    g_autoptr(LtTensor) cube = lt_zeros (DIMS (2, 2, 2), LT_DTYPE_FLOAT32, &error);

    FAILS_T (f, lt_tensor_t (cube, &error));
    assert_error (error, LT_ERROR_SHAPE, "t", NULL);
    g_clear_error (&error);
  }

  /* item needs one element */
  {
    double v = -1;

    FAILS_B (f, lt_tensor_item (f->a, &v, &error));
    assert_error (error, LT_ERROR_SHAPE, "item", "[5, 3]", NULL);
    g_assert_cmpfloat (v, ==, -1);
    g_clear_error (&error);
  }

  /* reductions over nothing */
  {
    g_autoptr(LtTensor) empty = lt_zeros (DIMS (0), LT_DTYPE_FLOAT32, &error);

    FAILS_T (f, lt_tensor_max (empty, &error));
    assert_error (error, LT_ERROR_SHAPE, "max", "[0]", NULL);
    g_clear_error (&error);
  }
}

/* Creation */

static void
test_creation (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const float raw[3] = { 1, 2, 3 };

  FAILS_T (f, lt_zeros (DIMS (2, -2), LT_DTYPE_FLOAT32, &error));
  assert_error (error, LT_ERROR_SHAPE, "zeros", "-2", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_zeros (DIMS (1, 1, 1, 1, 1, 1, 1, 1, 1), LT_DTYPE_FLOAT32, &error));
  assert_error (error, LT_ERROR_SHAPE, "zeros", "9", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_new_from_doubles ((const double[]) { 1, 2, 3 }, 3, DIMS (2, 2),
                                          LT_DTYPE_FLOAT32, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[2, 2]"));
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_new_from_data (raw, sizeof raw, DIMS (2, 2), LT_DTYPE_FLOAT32, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  FAILS_T (f, lt_randint (5, 5, DIMS (2), LT_DTYPE_INT64, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "randint", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_arange (0, 1, 0, LT_DTYPE_FLOAT32, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "arange", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_linspace (0, 1, -2, LT_DTYPE_FLOAT32, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "linspace", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_eye (-1, 2, LT_DTYPE_FLOAT32, &error));
  assert_error (error, LT_ERROR_SHAPE, "eye", "-1", NULL);
  g_clear_error (&error);
}

/* Integer division by zero: torch raises ZeroDivisionError */

static void
test_division_by_zero (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) zero = lt_scalar_int (0);

  FAILS_T (f, lt_tensor_floor_divide (f->i, f->zi, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "floor_divide", "zero", NULL);
  g_clear_error (&error);
  FAILS_T (f, lt_tensor_remainder (f->i, zero, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "remainder", "zero", NULL);
  g_clear_error (&error);
  /* in place: nothing written */
  FAILS_B (f, lt_tensor_floor_divide_ (f->i, f->zi, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "floor_divide", "zero", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_remainder_ (f->i, f->zi, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "remainder", "zero", NULL);
  g_clear_error (&error);

  /* true division is floating point: 1 / 0 = inf, no error */
  {
    g_autoptr(LtTensor) q = lt_tensor_div (f->i, f->zi, &error);
    g_autofree double *v = NULL;
    gsize n;

    g_assert_no_error (error);
    v = lt_tensor_to_doubles (q, &n, &error);
    g_assert_true (isinf (v[0]) && v[0] > 0);
    g_assert_cmpfloat (v[1], ==, 2);
  }
}

/* out= */

static void
test_out (Fixture      *f,
          gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) wrong = lt_zeros (DIMS (3, 5), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) ints = lt_zeros (DIMS (5, 3), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) out3 = lt_zeros (DIMS (3), LT_DTYPE_FLOAT32, &error);

  fixture_add (f, wrong);
  fixture_add (f, ints);
  fixture_add (f, out3);
  fixture_snapshot (f);

  FAILS_B (f, lt_tensor_add_out (f->a, f->a, wrong, &error));
  assert_error (error, LT_ERROR_SHAPE, "add", "[3, 5]", "[5, 3]", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_add_out (f->a, f->a, ints, &error));
  assert_error (error, LT_ERROR_DTYPE, "add", "float32", "int64", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_add_out (f->a, f->b, f->a, &error));
  assert_error (error, LT_ERROR_SHAPE, "add", "[5, 3]", "[4]", NULL);
  g_clear_error (&error);
  /* torch: "add(): functions with out=... arguments don't support
   * automatic differentiation" */
  FAILS_B (f, lt_tensor_add_out (f->leaf, f->v3, out3, &error));
  assert_error (error, LT_ERROR_AUTOGRAD, "add", NULL);
  g_clear_error (&error);
}

/* Autograd mistakes */

static void
test_autograd (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) g2 = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);

  /* in place on a leaf that requires grad */
  FAILS_B (f, lt_tensor_add_scalar_ (f->leaf, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_zero_ (f->leaf, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  /* in place into an expanded tensor: elements share memory */
  FAILS_B (f, lt_tensor_add_ (f->ex, f->ex, &error));
  assert_error (error, LT_ERROR_INVALID_ARGUMENT, "add", NULL);
  g_clear_error (&error);

  /* backward needs a gradient of the output's shape */
  FAILS_B (f, lt_tensor_backward (f->y, NULL, TRUE, &error));
  assert_error (error, LT_ERROR_AUTOGRAD, "backward", "[3]", NULL);
  g_clear_error (&error);
  FAILS_B (f, lt_tensor_backward (f->y, g2, TRUE, &error));
  assert_error (error, LT_ERROR_SHAPE, "backward", "[2]", "[3]", NULL);
  g_clear_error (&error);
  g_assert_null (lt_tensor_get_grad (f->leaf));
  FAILS_B (f, lt_tensor_backward (f->a, NULL, FALSE, &error));
  assert_error (error, LT_ERROR_AUTOGRAD, "backward", NULL);
  g_clear_error (&error);

  /* a gradient of another shape cannot be assigned */
  FAILS_B (f, lt_tensor_set_grad (f->leaf, g2, &error));
  assert_error (error, LT_ERROR_SHAPE, "grad", "[2]", "[3]", NULL);
  g_clear_error (&error);
  g_assert_null (lt_tensor_get_grad (f->leaf));

  /* a non-leaf keeps requiring grad */
  FAILS_B (f, lt_tensor_set_requires_grad (f->y, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);
  g_assert_true (lt_tensor_get_requires_grad (f->y));
}

/* g_assert_finalize_object() on the results of failed and successful
 * calls alike: nothing holds a hidden reference */
static void
test_no_leaks (void)
{
  g_autoptr(GError) error = NULL;
  LtTensor *x = lt_ones (DIMS (2, 3), LT_DTYPE_FLOAT32, &error);
  LtTensor *w = lt_ones (DIMS (3, 4), LT_DTYPE_FLOAT32, &error);
  LtTensor *h, *s, *v, *bad;

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  h = lt_tensor_mm (x, w, &error);
  s = lt_tensor_sum (h, &error);
  v = lt_tensor_select (h, 0, 1, &error);
  g_assert_no_error (error);
  bad = lt_tensor_add (h, w, &error);
  g_assert_null (bad);
  g_clear_error (&error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);

  /* the graph holds what it needs; releasing in any order frees all */
  g_assert_finalize_object (s);
  g_assert_finalize_object (v);
  g_assert_finalize_object (h);
  g_assert_finalize_object (w);
  g_assert_finalize_object (x);
}

static void
test_empty_with_huge_sizes (void)
{
  g_autoptr(GError) error = NULL;
  gint64 shape[] = { 0, G_GINT64_CONSTANT (1) << 32, G_GINT64_CONSTANT (1) << 32,
                     G_GINT64_CONSTANT (1) << 32 };
  g_autoptr(LtTensor) t = NULL;

  g_test_summary ("An empty shape whose other sizes multiply past 64 bits is refused: its "
                  "strides could not be represented");
  t = lt_empty (shape, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_null (t);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "empty: "));
  g_clear_error (&error);
  t = lt_zeros (shape, 2, LT_DTYPE_FLOAT32, &error);   /* [0, 2^32] is fine */
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_numel (t), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Every user mistake is a GError in LT_ERROR naming the op and the shapes; "
                  "inputs stay unchanged");

  g_test_add ("/errors/broadcast", Fixture, NULL, fixture_setup, test_broadcast, fixture_teardown);
  g_test_add ("/errors/dtype", Fixture, NULL, fixture_setup, test_dtype, fixture_teardown);
  g_test_add ("/errors/device", Fixture, NULL, fixture_setup, test_device, fixture_teardown);
  g_test_add ("/errors/index", Fixture, NULL, fixture_setup, test_index, fixture_teardown);
  g_test_add ("/errors/shapes", Fixture, NULL, fixture_setup, test_shapes, fixture_teardown);
  g_test_add ("/errors/creation", Fixture, NULL, fixture_setup, test_creation, fixture_teardown);
  g_test_add ("/errors/division-by-zero", Fixture, NULL, fixture_setup, test_division_by_zero,
              fixture_teardown);
  g_test_add ("/errors/out", Fixture, NULL, fixture_setup, test_out, fixture_teardown);
  g_test_add ("/errors/autograd", Fixture, NULL, fixture_setup, test_autograd, fixture_teardown);
  g_test_add_func ("/errors/no-leaks", test_no_leaks);
  g_test_add_func ("/errors/empty-with-huge-sizes", test_empty_with_huge_sizes);

  return g_test_run ();
}
