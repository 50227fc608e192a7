/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every collective of LtProcessGroup against its definition, on every
 * dtype, sizes from 0 to 3 million and odd ones, on as many ranks as
 * mpirun starts (the suite runs it with 2 and with 3). Every rank computes
 * every rank's input itself (a hash of the seed, the rank and the index),
 * so each checks its result against a reference of its own: exact for
 * integers, MAX and MIN, broadcast and gather; sums against float64 with
 * a bound of n * eps * sum |x|. Reduced floats must also be the same bits
 * on every rank (data parallelism relies on it).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/lt-tensor-private.h"
#include "dist-helpers.h"

static LtProcessGroup *world;
static int             rank, size;

static const LtDType     all_dtypes[] = { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64, LT_DTYPE_INT64,
                                          LT_DTYPE_INT32,   LT_DTYPE_INT16,   LT_DTYPE_INT8,
                                          LT_DTYPE_UINT8,   LT_DTYPE_BOOL };
static const LtReduceOp  all_ops[] = { LT_REDUCE_OP_SUM, LT_REDUCE_OP_AVG, LT_REDUCE_OP_MAX,
                                       LT_REDUCE_OP_MIN };
static const char *const op_names[] = { "SUM", "AVG", "MAX", "MIN" };

static guint64
mix (guint64 x)
{
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* Element @i of rank @r's input for test @seed, as a double (exact for
 * every integer dtype: int64 values stay below 2^60 so three add up). */
static double
value (guint64 seed, int r, gint64 i, LtDType dtype)
{
  guint64 h = mix (seed * 1000003ull + (guint64) r * 7919ull + mix ((guint64) i));
  double  u = (double) (h >> 11) / 9007199254740992.0; /* [0, 1) */

  switch (dtype)
    {
      case LT_DTYPE_FLOAT32:
        return (float) (2 * u - 1);
      case LT_DTYPE_FLOAT64:
        return 2 * u - 1;
      case LT_DTYPE_INT64:
        return 0; /* set as integers: see fill */
      case LT_DTYPE_INT32:
      case LT_DTYPE_INT16:
        return floor (u * 2001) - 1000;
      case LT_DTYPE_INT8:
        return floor (u * 81) - 40;
      case LT_DTYPE_UINT8:
        return floor (u * 81);
      case LT_DTYPE_BOOL:
        return u < 0.5 ? 0 : 1;
      default:
        g_assert_not_reached ();
    }
}

static gint64
value_i64 (guint64 seed, int r, gint64 i)
{
  guint64 h = mix (seed * 1000003ull + (guint64) r * 7919ull + mix ((guint64) i));

  return (gint64) (h >> 4) - ((gint64) 1 << 59); /* |x| < 2^59 */
}

static LtTensor *
make (guint64 seed, int r, gint64 n, LtDType dtype)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_empty ((gint64[]){ n }, 1, dtype, &error);
  gpointer  p;

  g_assert_no_error (error);
  p = _lt_tensor_data (t);
  for (gint64 i = 0; i < n; i++)
    switch (dtype)
      {
        case LT_DTYPE_FLOAT32:
          ((float *) p)[i] = (float) value (seed, r, i, dtype);
          break;
        case LT_DTYPE_FLOAT64:
          ((double *) p)[i] = value (seed, r, i, dtype);
          break;
        case LT_DTYPE_INT64:
          ((gint64 *) p)[i] = value_i64 (seed, r, i);
          break;
        case LT_DTYPE_INT32:
          ((gint32 *) p)[i] = (gint32) value (seed, r, i, dtype);
          break;
        case LT_DTYPE_INT16:
          ((gint16 *) p)[i] = (gint16) value (seed, r, i, dtype);
          break;
        case LT_DTYPE_INT8:
          ((gint8 *) p)[i] = (gint8) value (seed, r, i, dtype);
          break;
        case LT_DTYPE_UINT8:
        case LT_DTYPE_BOOL:
          ((guint8 *) p)[i] = (guint8) value (seed, r, i, dtype);
          break;
        default:
          g_assert_not_reached ();
      }
  return t;
}

static gboolean
op_applies (LtReduceOp op, LtDType dtype)
{
  return op != LT_REDUCE_OP_AVG || lt_dtype_is_floating (dtype);
}

/* Checks element @i of a reduction over the ranks' inputs (element @j of
 * each) against its definition. */
static void
check_reduced (gconstpointer p,
               gint64        i,
               guint64       seed,
               gint64        j,
               LtDType       dtype,
               LtReduceOp    op,
               const char   *what)
{
  if (dtype == LT_DTYPE_INT64)
    {
      gint64 want = op == LT_REDUCE_OP_SUM ? 0 : value_i64 (seed, 0, j);
      gint64 got = ((const gint64 *) p)[i];

      for (int r = op == LT_REDUCE_OP_SUM ? 0 : 1; r < size; r++)
        {
          gint64 x = value_i64 (seed, r, j);

          want = op == LT_REDUCE_OP_SUM   ? want + x
                 : op == LT_REDUCE_OP_MAX ? MAX (want, x)
                                          : MIN (want, x);
        }
      if (got != want)
        g_error ("%s: element %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
                 ", the definition gives %" G_GINT64_FORMAT,
                 what, i, got, want);
      return;
    }

  double got, want = 0, mag = 0;

  switch (dtype)
    {
      case LT_DTYPE_FLOAT32:
        got = ((const float *) p)[i];
        break;
      case LT_DTYPE_FLOAT64:
        got = ((const double *) p)[i];
        break;
      case LT_DTYPE_INT32:
        got = ((const gint32 *) p)[i];
        break;
      case LT_DTYPE_INT16:
        got = ((const gint16 *) p)[i];
        break;
      case LT_DTYPE_INT8:
        got = ((const gint8 *) p)[i];
        break;
      default:
        got = ((const guint8 *) p)[i];
        break;
    }
  for (int r = 0; r < size; r++)
    {
      double x = value (seed, r, j, dtype);

      if (r == 0 || op == LT_REDUCE_OP_SUM || op == LT_REDUCE_OP_AVG)
        want = r == 0 ? x : want + x;
      else
        want = op == LT_REDUCE_OP_MAX ? MAX (want, x) : MIN (want, x);
      mag += fabs (x);
    }
  if (dtype == LT_DTYPE_BOOL && op == LT_REDUCE_OP_SUM)
    want = want > 0; /* any */
  if (op == LT_REDUCE_OP_AVG)
    {
      want /= size;
      mag /= size;
    }
  if (lt_dtype_is_floating (dtype) && (op == LT_REDUCE_OP_SUM || op == LT_REDUCE_OP_AVG))
    {
      double eps = dtype == LT_DTYPE_FLOAT32 ? FLT_EPSILON : DBL_EPSILON;

      if (!(fabs (got - want) <= size * eps * mag + 1e-300))
        g_error ("%s: element %" G_GINT64_FORMAT ": %.17g, the definition gives %.17g", what, i,
                 got, want);
    }
  else if (got != want)
    g_error ("%s: element %" G_GINT64_FORMAT ": %.17g, the definition gives %.17g", what, i, got,
             want);
}

/* The result must be the same bits on every rank. */
static void
check_same_everywhere (LtTensor *t, const char *what)
{
  g_autoptr(GError) error = NULL;
  gsize bytes = t->numel * lt_dtype_get_element_size (t->dtype);
  g_autoptr(LtTensor) all = lt_empty ((gint64[]){ size, t->numel }, 2, t->dtype, &error);

  g_assert_no_error (error);
  g_assert_true (lt_process_group_all_gather (world, all, t, &error));
  g_assert_no_error (error);
  for (int r = 0; r < size; r++)
    if (memcmp ((guint8 *) _lt_tensor_data (all) + r * bytes, _lt_tensor_data (t), bytes) != 0)
      g_error ("%s: rank %d got other bits than rank %d", what, r, rank);
}

static void
all_reduce_case (LtDType dtype, LtReduceOp op, gint64 n, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = make (seed, rank, n, dtype);
  g_autofree char *what = g_strdup_printf ("all_reduce %s %s n=%" G_GINT64_FORMAT,
                                           lt_dtype_get_name (dtype), op_names[op], n);
  guint64          version = lt_tensor_get_version (t);

  g_assert_true (lt_process_group_all_reduce (world, t, op, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_version (t), >, version);
  for (gint64 i = 0; i < n; i++)
    check_reduced (_lt_tensor_data (t), i, seed, i, dtype, op, what);
  if (lt_dtype_is_floating (dtype))
    check_same_everywhere (t, what);
}

static void
test_all_reduce (void)
{
  static const gint64 sizes[] = { 0, 1, 7, 1023, 65537 };
  guint64             seed = 1;

  g_test_summary ("all_reduce SUM/AVG/MAX/MIN of every dtype and odd sizes equals its "
                  "definition on every rank");
  for (guint d = 0; d < G_N_ELEMENTS (all_dtypes); d++)
    for (guint o = 0; o < G_N_ELEMENTS (all_ops); o++)
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        if (op_applies (all_ops[o], all_dtypes[d]))
          all_reduce_case (all_dtypes[d], all_ops[o], sizes[s], seed++);
}

static void
test_all_reduce_large (void)
{
  g_test_summary ("all_reduce of 3,000,001 elements (float32 every op, int32 SUM, uint8 MAX)");
  for (guint o = 0; o < G_N_ELEMENTS (all_ops); o++)
    all_reduce_case (LT_DTYPE_FLOAT32, all_ops[o], 3000001, 100 + o);
  all_reduce_case (LT_DTYPE_INT32, LT_REDUCE_OP_SUM, 3000001, 110);
  all_reduce_case (LT_DTYPE_UINT8, LT_REDUCE_OP_MAX, 3000001, 111);
}

static void
test_broadcast (void)
{
  static const gint64 sizes[] = { 0, 5, 100003 };
  guint64             seed = 200;

  g_test_summary ("broadcast from every rank copies that rank's tensor bit for bit");
  for (guint d = 0; d < G_N_ELEMENTS (all_dtypes); d++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int src = 0; src < size; src++, seed++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(LtTensor) t = make (seed, rank, sizes[s], all_dtypes[d]);
          g_autoptr(LtTensor) want = make (seed, src, sizes[s], all_dtypes[d]);

          g_assert_true (lt_process_group_broadcast (world, t, src, &error));
          g_assert_no_error (error);
          g_assert_cmpmem (_lt_tensor_data (t), sizes[s] * lt_dtype_get_element_size (t->dtype),
                           _lt_tensor_data (want), sizes[s] * lt_dtype_get_element_size (t->dtype));
        }
}

static void
test_all_gather (void)
{
  static const gint64 sizes[] = { 0, 1, 13, 200003 };
  guint64             seed = 300;

  g_test_summary ("all_gather puts every rank's tensor, in rank order, into the output of "
                  "every rank");
  for (guint d = 0; d < G_N_ELEMENTS (all_dtypes); d++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++, seed++)
      {
        g_autoptr(GError) error = NULL;
        gint64 n = sizes[s];
        gsize  bytes = n * lt_dtype_get_element_size (all_dtypes[d]);
        g_autoptr(LtTensor) in = make (seed, rank, n, all_dtypes[d]);
        g_autoptr(LtTensor) out = lt_full ((gint64[]){ size, n }, 2, 7, all_dtypes[d], &error);

        g_assert_no_error (error);
        g_assert_true (lt_process_group_all_gather (world, out, in, &error));
        g_assert_no_error (error);
        for (int r = 0; r < size; r++)
          {
            g_autoptr(LtTensor) want = make (seed, r, n, all_dtypes[d]);

            g_assert_cmpmem ((guint8 *) _lt_tensor_data (out) + r * bytes, bytes,
                             _lt_tensor_data (want), bytes);
          }
      }
}

static void
test_reduce_scatter (void)
{
  static const gint64 sizes[] = { 0, 1, 9, 100003 };
  guint64             seed = 400;

  g_test_summary ("reduce_scatter gives rank r the r-th part of the reduction of every rank's "
                  "input");
  for (guint d = 0; d < G_N_ELEMENTS (all_dtypes); d++)
    for (guint o = 0; o < G_N_ELEMENTS (all_ops); o++)
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++, seed++)
        {
          g_autoptr(GError) error = NULL;
          LtDType dtype = all_dtypes[d];
          gint64  n = sizes[s];
          g_autoptr(LtTensor) in = NULL;
          g_autoptr(LtTensor) out = NULL;
          g_autofree char *what = NULL;

          if (!op_applies (all_ops[o], dtype))
            continue;
          in = make (seed, rank, n * size, dtype);
          out = lt_zeros ((gint64[]){ n }, 1, dtype, &error);
          what = g_strdup_printf ("reduce_scatter %s %s n=%" G_GINT64_FORMAT,
                                  lt_dtype_get_name (dtype), op_names[all_ops[o]], n);
          g_assert_true (lt_process_group_reduce_scatter (world, out, in, all_ops[o], &error));
          g_assert_no_error (error);
          for (gint64 i = 0; i < n; i++)
            check_reduced (_lt_tensor_data (out), i, seed, rank * n + i, dtype, all_ops[o], what);
        }
}

static void
test_barrier (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = g_strdup_printf ("barrier-%d", rank);

  g_test_summary ("after a barrier every rank has done what it did before it");
  /* The last rank arrives late: nobody may leave the barrier before. */
  if (rank == size - 1)
    g_usleep (200000);
  dist_touch_file (mine);
  g_assert_true (lt_process_group_barrier (world, &error));
  g_assert_no_error (error);
  for (int r = 0; r < size; r++)
    {
      g_autofree char *name = g_strdup_printf ("barrier-%d", r);
      g_autofree char *path = g_build_filename (dist_shared_dir (), name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

static void
test_async (void)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t[5];
  LtWork   *w[8];
  g_autoptr(LtTensor) b = make (500, rank, 1001, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) gin = make (501, rank, 77, LT_DTYPE_INT16);
  g_autoptr(LtTensor) gout = lt_zeros ((gint64[]){ size * 77 }, 1, LT_DTYPE_INT16, &error);

  g_test_summary ("several _async collectives at once, waited for in reverse order, each give "
                  "their result");
  for (int i = 0; i < 5; i++)
    {
      t[i] = make (510 + i, rank, 10000 + i * 3333, LT_DTYPE_FLOAT32);
      w[i] = lt_process_group_all_reduce_async (world, t[i], LT_REDUCE_OP_SUM, &error);
      g_assert_no_error (error);
    }
  w[5] = lt_process_group_broadcast_async (world, b, size - 1, &error);
  g_assert_no_error (error);
  w[6] = lt_process_group_all_gather_async (world, gout, gin, &error);
  g_assert_no_error (error);
  w[7] = lt_process_group_barrier_async (world, &error);
  g_assert_no_error (error);
  for (int i = 7; i >= 0; i--)
    {
      g_assert_true (lt_work_wait (w[i], &error));
      g_assert_no_error (error);
      g_assert_true (lt_work_is_completed (w[i]));
      /* Waiting again gives the same answer. */
      g_assert_true (lt_work_wait (w[i], &error));
    }
  for (int i = 0; i < 5; i++)
    {
      for (gint64 j = 0; j < t[i]->numel; j++)
        check_reduced (_lt_tensor_data (t[i]), j, 510 + i, j, LT_DTYPE_FLOAT32, LT_REDUCE_OP_SUM,
                       "async all_reduce");
      g_object_unref (t[i]);
    }
  {
    g_autoptr(LtTensor) want = make (500, size - 1, 1001, LT_DTYPE_FLOAT64);

    g_assert_cmpmem (_lt_tensor_data (b), 1001 * 8, _lt_tensor_data (want), 1001 * 8);
  }
  for (int r = 0; r < size; r++)
    {
      g_autoptr(LtTensor) want = make (501, r, 77, LT_DTYPE_INT16);

      g_assert_cmpmem ((guint8 *) _lt_tensor_data (gout) + r * 77 * 2, 77 * 2,
                       _lt_tensor_data (want), 77 * 2);
    }
  for (int i = 0; i < 8; i++)
    g_object_unref (w[i]);
}

static void
test_bad_calls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) m = lt_zeros ((gint64[]){ 3, 4 }, 2, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) mt = lt_tensor_t (m, &error);
  g_autoptr(LtTensor) ints = lt_zeros ((gint64[]){ 4 }, 1, LT_DTYPE_INT32, &error);
  g_autoptr(LtTensor) out = lt_zeros ((gint64[]){ size * 4 + 1 }, 1, LT_DTYPE_INT32, &error);
  g_autoptr(LtTensor) outf = lt_zeros ((gint64[]){ size * 4 }, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) ok = make (600, rank, 4, LT_DTYPE_INT32);

  g_test_summary ("calls a user can get wrong are GErrors naming the collective; the group "
                  "works on afterwards");
  g_assert_false (lt_process_group_all_reduce (world, mt, LT_REDUCE_OP_SUM, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "all_reduce (float32, 12 elements): the tensor must "
                                            "be contiguous (shape [4, 3], strides [1, 4])"));
  g_clear_error (&error);

  g_assert_false (lt_process_group_all_reduce (world, ints, LT_REDUCE_OP_AVG, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, "AVG needs a floating tensor, not int32"));
  g_clear_error (&error);

  g_assert_false (lt_process_group_all_reduce (world, ints, (LtReduceOp) 9, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (lt_process_group_broadcast (world, ints, size, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "source rank"));
  g_clear_error (&error);

  g_assert_false (lt_process_group_all_gather (world, out, ints, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "the output must hold"));
  g_clear_error (&error);

  g_assert_false (lt_process_group_all_gather (world, outf, ints, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_false (lt_process_group_reduce_scatter (world, ints, out, LT_REDUCE_OP_SUM, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_false (lt_init_process_group ("mpi", 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "already initialised"));
  g_clear_error (&error);

  g_assert_false (lt_init_process_group ("nccl", 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_false (lt_init_process_group ("carrier-pigeon", 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "unknown backend \"carrier-pigeon\""));
  g_clear_error (&error);

  /* Still in step */
  g_assert_true (lt_process_group_all_reduce (world, ok, LT_REDUCE_OP_MAX, &error));
  g_assert_no_error (error);
  for (gint64 i = 0; i < 4; i++)
    check_reduced (_lt_tensor_data (ok), i, 600, i, LT_DTYPE_INT32, LT_REDUCE_OP_MAX, "after");
  g_assert_true (lt_process_group_check (world, &error));
  g_assert_no_error (error);
}

static void
test_group (void)
{
  g_test_summary ("rank, size, local rank and backend agree with the launcher");
  g_assert_cmpstr (lt_process_group_get_backend (world), ==, "mpi");
  g_assert_cmpint (size, ==, (int) g_ascii_strtoll (g_getenv ("OMPI_COMM_WORLD_SIZE"), NULL, 10));
  g_assert_cmpint (rank, ==, (int) g_ascii_strtoll (g_getenv ("OMPI_COMM_WORLD_RANK"), NULL, 10));
  g_assert_cmpint (lt_process_group_get_local_rank (world), ==,
                   (int) g_ascii_strtoll (g_getenv ("OMPI_COMM_WORLD_LOCAL_RANK"), NULL, 10));
  g_assert_cmpint (lt_process_group_get_local_size (world), ==,
                   (int) g_ascii_strtoll (g_getenv ("OMPI_COMM_WORLD_LOCAL_SIZE"), NULL, 10));
  g_assert_true (lt_distributed_is_initialized ());
  g_assert_true (lt_distributed_is_launched ());
  g_assert_true (lt_distributed_is_available ("mpi"));
  g_assert_cmpint (lt_distributed_is_available ("nccl"), ==, LT_HAVE_NCCL);
  g_assert_cmpfloat (lt_process_group_get_timeout (world), ==, 120);
}

/* Sums of 8- and 16-bit integers wrap around (modulo 2^bits) as C's and
 * PyTorch's do, also where Open MPI's AVX reductions would saturate, in
 * all_reduce and reduce_scatter. Rank r adds r + 250 (uint8), r + 120
 * (int8), r + 32760 (int16) at every element; 1,000,003 elements take
 * the vectorised paths. */
static void
test_small_int_sums_wrap (void)
{
  static const LtDType dtypes[] = { LT_DTYPE_UINT8, LT_DTYPE_INT8, LT_DTYPE_INT16 };
  static const gint64  base[] = { 250, 120, 32760 };
  const gint64         n = 1000003;

  g_test_summary ("SUM of uint8, int8 and int16 tensors wraps around, never saturates");
  for (guint d = 0; d < G_N_ELEMENTS (dtypes); d++)
    {
      g_autoptr(GError) error = NULL;
      int    bits = dtypes[d] == LT_DTYPE_INT16 ? 16 : 8;
      gint64 sum = 0, want;
      g_autoptr(LtTensor) t =
                   lt_full ((gint64[]){ n }, 1, (double) (base[d] + rank), dtypes[d], &error);
      g_autoptr(LtTensor) in = lt_full ((gint64[]){ n * size }, 1, (double) (base[d] + rank),
                                         dtypes[d], &error);
      g_autoptr(LtTensor) out = lt_zeros ((gint64[]){ n }, 1, dtypes[d], &error);

      g_assert_no_error (error);
      for (int r = 0; r < size; r++)
        sum += base[d] + r;
      /* modulo 2^bits, read back as the dtype reads it */
      want = sum & ((1 << bits) - 1);
      if (dtypes[d] != LT_DTYPE_UINT8 && want >= (1 << (bits - 1)))
        want -= 1 << bits;
      g_assert_true (lt_process_group_all_reduce (world, t, LT_REDUCE_OP_SUM, &error));
      g_assert_true (lt_process_group_reduce_scatter (world, out, in, LT_REDUCE_OP_SUM, &error));
      g_assert_no_error (error);
      for (gint64 i = 0; i < n; i += 997)
        {
          gint64 a, b;

          switch (dtypes[d])
            {
              case LT_DTYPE_UINT8:
                a = ((guint8 *) _lt_tensor_data (t))[i];
                b = ((guint8 *) _lt_tensor_data (out))[i];
                break;
              case LT_DTYPE_INT8:
                a = ((gint8 *) _lt_tensor_data (t))[i];
                b = ((gint8 *) _lt_tensor_data (out))[i];
                break;
              default:
                a = ((gint16 *) _lt_tensor_data (t))[i];
                b = ((gint16 *) _lt_tensor_data (out))[i];
                break;
            }
          if (a != want || b != want)
            g_error ("%s SUM of element %" G_GINT64_FORMAT ": all_reduce %" G_GINT64_FORMAT
                     ", reduce_scatter %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT,
                     lt_dtype_get_name (dtypes[d]), i, a, b, want);
        }
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  world = dist_init (120);
  rank = lt_process_group_get_rank (world);
  size = lt_process_group_get_size (world);

  g_test_add_func ("/distributed/group", test_group);
  g_test_add_func ("/distributed/all-reduce", test_all_reduce);
  g_test_add_func ("/distributed/all-reduce/large", test_all_reduce_large);
  g_test_add_func ("/distributed/all-reduce/small-int-sums-wrap", test_small_int_sums_wrap);
  g_test_add_func ("/distributed/broadcast", test_broadcast);
  g_test_add_func ("/distributed/all-gather", test_all_gather);
  g_test_add_func ("/distributed/reduce-scatter", test_reduce_scatter);
  g_test_add_func ("/distributed/barrier", test_barrier);
  g_test_add_func ("/distributed/async", test_async);
  g_test_add_func ("/distributed/bad-calls", test_bad_calls);
  status = g_test_run ();

  g_assert_true (lt_destroy_process_group (&error));
  g_assert_no_error (error);
  g_assert_false (lt_distributed_is_initialized ());
  if (status == 0)
    dist_pass (rank);
  return status;
}
