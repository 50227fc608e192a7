/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lt-cuda-private.h"
#include "ops/lt-op-private.h"
#include "core/lt-dtype-private.h"
#include "core/lt-shape-private.h"

/*
 * The CUDA backend: the devices of the runtime chosen at the first use (the
 * real one; the emulated devices only with LT_CUDA_EMULATE=N; the tests'
 * fake through _lt_cuda_backend_set_runtime), one stream per device, the
 * caching allocator, and the glue that turns kernel arguments into the
 * launchers' plain structs and their statuses into GErrors.
 *
 * Devices: each has its own stream, error word, sticky error, allocator
 * pools (and, in the real runtime, cuBLAS handle), set up at its first use.
 * As in CUDA itself, every thread has a current device: the registry makes
 * the device of the tensors an op works on current before it allocates,
 * copies or launches (_lt_cuda_backend_get_device), and everything here is
 * about the current device. Frees go to the device a block came from.
 *
 * Errors: every runtime call and launch is checked. A sticky error (the
 * context is lost) marks the device unusable: every later call is a GError
 * that repeats the first failure; nothing aborts. Data-dependent failures
 * (integer division by zero) are recorded by the kernels in the device-side
 * error word and raised at the next synchronisation (a copy to the host,
 * synchronize); LT_CUDA_SYNC=1 in the environment synchronises and checks
 * after every op.
 */

G_STATIC_ASSERT ((int) LT_CU_F32 == (int) LT_DTYPE_FLOAT32 &&
                 (int) LT_CU_F64 == (int) LT_DTYPE_FLOAT64 &&
                 (int) LT_CU_I64 == (int) LT_DTYPE_INT64 &&
                 (int) LT_CU_I32 == (int) LT_DTYPE_INT32 &&
                 (int) LT_CU_I16 == (int) LT_DTYPE_INT16 && (int) LT_CU_I8 == (int) LT_DTYPE_INT8 &&
                 (int) LT_CU_U8 == (int) LT_DTYPE_UINT8 && (int) LT_CU_BOOL == (int) LT_DTYPE_BOOL);
G_STATIC_ASSERT (LT_CU_MAX_DIMS == LT_MAX_DIMS);

typedef struct
{
  gboolean       ready;  /* stream and error word made */
  char          *broken; /* the sticky error that lost the device, or NULL */
  void          *stream;
  LtCuErrorWord *err_word; /* device memory */
  GPtrArray     *pending;  /* LtStorage of pinned buffers read by queued copies */
} PerDevice;

typedef struct
{
  gboolean             initialised;
  const LtCudaRuntime *rt;
  char                *unavailable; /* why there is no device, or NULL */
  gboolean             sync_every_op;
  int                  n_devices;
  PerDevice            per[LT_MAX_DEVICE_INDEX];
} Device;

static GMutex            dev_lock;
static Device            dev;
static _Thread_local int current; /* the calling thread's device */

static inline PerDevice *
cur (void)
{
  return &dev.per[current];
}

int
_lt_cuda_current_device (void)
{
  return current;
}
static const LtCudaRuntime *override_rt;
static LtBackend            backend;

static const char *
rt_string (int status)
{
  return dev.rt ? dev.rt->error_string (status) : "unknown error";
}

gboolean
_lt_cuda_check (int status, const char *what, GError **error)
{
  if (status == LT_CU_OK)
    return TRUE;
  if (status == LT_CU_UNSUPPORTED)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cuda backend has no kernel for these element types", what);
      return FALSE;
    }
  if (_lt_cuda_status_is_sticky (status))
    {
      g_mutex_lock (&dev_lock);
      if (cur ()->broken == NULL)
        cur ()->broken =
          g_strdup_printf ("%s failed: %s (CUDA error %d)", what, rt_string (status), status);
      g_mutex_unlock (&dev_lock);
      g_set_error (error, LT_ERROR, LT_ERROR_CUDA,
                   "cuda:%d: %s failed: %s (CUDA error %d); the device is unusable until the "
                   "process restarts",
                   current, what, rt_string (status), status);
      return FALSE;
    }
  if (status == LT_CU_ERR_MEMORY_ALLOCATION)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY, "cuda:%d: %s: %s", current, what,
                   rt_string (status));
      return FALSE;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_CUDA, "cuda:%d: %s failed: %s (CUDA error %d)", current,
               what, rt_string (status), status);
  return FALSE;
}

static gboolean
usable (GError **error)
{
  gboolean ok;

  g_mutex_lock (&dev_lock);
  ok = cur ()->broken == NULL;
  if (!ok)
    g_set_error (error, LT_ERROR, LT_ERROR_CUDA, "cuda:%d is unusable after an earlier error: %s",
                 current, cur ()->broken);
  g_mutex_unlock (&dev_lock);
  return ok;
}

/* ---- the device ---- */

static void
device_clear (void)
{
  for (int i = 0; i < LT_MAX_DEVICE_INDEX; i++)
    {
      PerDevice *d = &dev.per[i];

      if (dev.rt && d->err_word)
        dev.rt->free (d->err_word);
      /* called locked: the pending buffers go without release_pending */
      for (guint k = 0; d->pending && k < d->pending->len; k++)
        lt_storage_unref (d->pending->pdata[k]);
      g_clear_pointer (&d->pending, g_ptr_array_unref);
      g_clear_pointer (&d->broken, g_free);
    }
  _lt_cuda_alloc_reset ();
  g_clear_pointer (&dev.unavailable, g_free);
  memset (&dev, 0, sizeof dev);
  current = 0;
}

/* Makes device @index's stream and error word. Called locked; leaves the
 * runtime's current device at @index. */
static int
device_setup (int index)
{
  PerDevice *d = &dev.per[index];
  void      *word = NULL;
  int        status = LT_CU_OK;

  if (dev.rt->set_device)
    status = dev.rt->set_device (index);
  else if (index != 0)
    status = LT_CU_ERR_INVALID_VALUE;
  if (status == LT_CU_OK)
    status = dev.rt->stream_create (&d->stream);
  if (status == LT_CU_OK)
    status = dev.rt->malloc (&word, sizeof (LtCuErrorWord));
  if (status == LT_CU_OK)
    status = dev.rt->memset_async (word, 0, sizeof (LtCuErrorWord), d->stream);
  if (status == LT_CU_OK)
    status = dev.rt->stream_synchronize (d->stream);
  if (status != LT_CU_OK)
    {
      if (word)
        dev.rt->free (word);
      return status;
    }
  d->err_word = word;
  d->pending = g_ptr_array_new ();
  d->ready = TRUE;
  return LT_CU_OK;
}

void
_lt_cuda_backend_set_runtime (const LtCudaRuntime *runtime)
{
  g_mutex_lock (&dev_lock);
  override_rt = runtime;
  device_clear ();
  g_mutex_unlock (&dev_lock);
}

/* Called locked */
static void
device_init (void)
{
  const char *emu = g_getenv ("LT_CUDA_EMULATE");
  const char *sync = g_getenv ("LT_CUDA_SYNC");
  int         n = 0, status;

  dev.initialised = TRUE;
  dev.sync_every_op = sync && *sync && strcmp (sync, "0") != 0;
  if (override_rt)
    dev.rt = override_rt;
  else if (emu && *emu && strcmp (emu, "0") != 0)
    dev.rt = _lt_cuda_runtime_emulated ();
  else
    dev.rt = _lt_cuda_runtime_real ();

  status = dev.rt->device_count (&n);
  if (status != LT_CU_OK || n <= 0)
    {
      dev.unavailable = g_strdup_printf (
        "CUDA is not available: %s (cudaGetDeviceCount: %s); set LT_CUDA_EMULATE=1 to run the "
        "CUDA backend on the emulated device",
        status != LT_CU_OK ? "no usable driver or device" : "no device",
        status != LT_CU_OK ? dev.rt->error_string (status) : "0 devices");
      dev.rt->get_last_error ();
      return;
    }
  dev.n_devices = MIN (n, LT_MAX_DEVICE_INDEX);
  _lt_cuda_alloc_init (dev.rt);
  /* device 0 at once: CUDA is available when it works */
  status = device_setup (0);
  if (status == LT_CU_OK && current != 0 && dev.rt->set_device)
    status = dev.rt->set_device (current);
  if (status != LT_CU_OK)
    dev.unavailable = g_strdup_printf ("CUDA is not available: setting up device 0 failed: %s",
                                       dev.rt->error_string (status));
}

static gboolean
device_ready (GError **error)
{
  g_mutex_lock (&dev_lock);
  if (!dev.initialised)
    device_init ();
  if (dev.unavailable)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_DEVICE, dev.unavailable);
      g_mutex_unlock (&dev_lock);
      return FALSE;
    }
  g_mutex_unlock (&dev_lock);
  return TRUE;
}

/* Drops the references that queued copies held on pinned host buffers
 * (their stream has been synchronised) */
static void
release_pending (PerDevice *d)
{
  g_autoptr(GPtrArray) done = NULL;

  g_mutex_lock (&dev_lock);
  if (d->pending && d->pending->len)
    {
      done = d->pending;
      d->pending = g_ptr_array_new ();
    }
  g_mutex_unlock (&dev_lock);
  for (guint i = 0; done && i < done->len; i++)
    lt_storage_unref (done->pdata[i]);
}

/* Waits for the stream, then raises what the kernels recorded. */
static gboolean
cuda_synchronize (GError **error)
{
  LtCuErrorWord word;

  if (!usable (error) ||
      !_lt_cuda_check (dev.rt->stream_synchronize (cur ()->stream), "cudaStreamSynchronize", error))
    return FALSE;
  /* the copies queued from pinned buffers are done */
  release_pending (cur ());
  if (!_lt_cuda_check (
        dev.rt->memcpy_async (&word, cur ()->err_word, sizeof word, LT_CUDA_D2H, cur ()->stream),
        "cudaMemcpyAsync", error) ||
      !_lt_cuda_check (dev.rt->stream_synchronize (cur ()->stream), "cudaStreamSynchronize", error))
    return FALSE;
  if (word.code == LT_CU_ERRW_NONE)
    return TRUE;
  /* reported once: the word starts again from zero */
  if (!_lt_cuda_check (dev.rt->memset_async (cur ()->err_word, 0, sizeof word, cur ()->stream),
                       "cudaMemsetAsync", error))
    return FALSE;
  switch (word.code)
    {
      case LT_CU_ERRW_DIV_BY_ZERO:
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: integer division by zero (of %" G_GINT64_FORMAT ", on cuda:%d)",
                     word.op == LT_CU_FLOOR_DIVIDE ? "floor_divide" : "remainder", word.value,
                     current);
        break;
      case LT_CU_ERRW_CLASS_TARGET:
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "target %" G_GINT64_FORMAT " is out of bounds: class indices must be in "
                     "[0, %d) or equal ignore_index (found by %s on cuda:%d)",
                     word.value, word.op,
                     word.bound > 0 && word.bound < LT_OP_COUNT ? _lt_op_table[word.bound].name
                                                                : "nll_loss",
                     current);
        break;
      case LT_CU_ERRW_MASK_COUNT:
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "%s: the mask selects %" G_GINT64_FORMAT " elements but the source has only "
                     "%" G_GINT64_FORMAT " (found on cuda:%d)",
                     word.op >= 0 && word.op < LT_OP_COUNT ? _lt_op_table[word.op].name : "?",
                     word.value, word.bound, current);
        break;
      case LT_CU_ERRW_LINALG:
        _lt_cuda_linalg_error (&word, error);
        break;
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "%s: index %" G_GINT64_FORMAT
                     " is out of bounds for a dimension of size %" G_GINT64_FORMAT
                     " (found on cuda:%d)",
                     word.op >= 0 && word.op < LT_OP_COUNT ? _lt_op_table[word.op].name : "?",
                     word.value, word.bound, current);
    }
  return FALSE;
}

/* After every op: the launch's status, and with LT_CUDA_SYNC=1 a
 * synchronisation. */
static gboolean
after_launch (int status, LtOp op, GError **error)
{
  if (!_lt_cuda_check (status, _lt_op_table[op].name, error))
    return FALSE;
  if (dev.sync_every_op)
    return cuda_synchronize (error);
  return TRUE;
}

gboolean
_lt_cuda_launch_begin (LtCudaLaunch *launch, GError **error)
{
  if (!usable (error))
    return FALSE;
  launch->rt = dev.rt;
  launch->stream = cur ()->stream;
  launch->err_word = cur ()->err_word;
  return TRUE;
}

gboolean
_lt_cuda_after_launch (int status, LtOp op, GError **error)
{
  return after_launch (status, op, error);
}

int
_lt_cuda_gemm (const LtCuGemm *g)
{
  int status = dev.rt->blas_gemm ? dev.rt->blas_gemm (cur ()->stream, g) : LT_CU_UNSUPPORTED;

  if (status == LT_CU_UNSUPPORTED)
    status = dev.rt->kernels->gemm (cur ()->stream, g);
  else
    _lt_cu_note_launch (); /* a cuBLAS call */
  return status;
}

static gpointer
cuda_alloc (gsize nbytes, GError **error)
{
  if (!usable (error))
    return NULL;
  return _lt_cuda_alloc (nbytes, error);
}

static void
cuda_free (gpointer data, gsize nbytes)
{
  (void) nbytes;
  _lt_cuda_free (data);
}

static gboolean
cuda_upload (gpointer dst, gconstpointer src, gsize nbytes, GError **error)
{
  /* the host buffer may go as soon as this returns: wait for the copy */
  return usable (error) &&
         _lt_cuda_check (dev.rt->memcpy_async (dst, src, nbytes, LT_CUDA_H2D, cur ()->stream),
                         "cudaMemcpyAsync (host to device)", error) &&
         _lt_cuda_check (dev.rt->stream_synchronize (cur ()->stream), "cudaStreamSynchronize",
                         error);
}

/* At most this many copies from pinned buffers are queued before the
 * stream is waited for (which lets their buffers go) */
#define MAX_PENDING 64

/* From page-locked memory the copy is queued and the call returns at once:
 * @keep (the buffer's storage) stays referenced until the stream is next
 * synchronised, so the buffer outlives the copy. */
static gboolean
cuda_upload_async (gpointer dst, gconstpointer src, gsize nbytes, LtStorage *keep, GError **error)
{
  guint n;

  if (!usable (error) ||
      !_lt_cuda_check (dev.rt->memcpy_async (dst, src, nbytes, LT_CUDA_H2D, cur ()->stream),
                       "cudaMemcpyAsync (pinned host to device)", error))
    return FALSE;
  g_mutex_lock (&dev_lock);
  g_ptr_array_add (cur ()->pending, lt_storage_ref (keep));
  n = cur ()->pending->len;
  g_mutex_unlock (&dev_lock);
  if (n >= MAX_PENDING || dev.sync_every_op)
    return cuda_synchronize (error);
  return TRUE;
}

/* Between two devices: the source's device is waited for (its queued
 * kernels wrote @src), then the copy runs on the destination's stream and
 * is waited for, since @src may go back to its device's cache as soon as
 * this returns. The current device is @dst_index's. */
static gboolean
cuda_copy_peer (gpointer      dst,
                int           dst_index,
                gconstpointer src,
                int           src_index,
                gsize         nbytes,
                GError      **error)
{
  int saved = current;
  int status;

  if (dev.rt->memcpy_peer_async == NULL || dev.rt->set_device == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "cuda:%d to cuda:%d: the %s runtime cannot copy between devices", src_index,
                   dst_index, dev.rt->name);
      return FALSE;
    }
  /* the source's stream */
  current = src_index;
  status = dev.rt->set_device (src_index);
  if (!_lt_cuda_check (status, "cudaSetDevice", error) || !cuda_synchronize (error))
    {
      current = saved;
      dev.rt->set_device (saved);
      return FALSE;
    }
  current = dst_index;
  if (!_lt_cuda_check (dev.rt->set_device (dst_index), "cudaSetDevice", error) || !usable (error) ||
      !_lt_cuda_check (
        dev.rt->memcpy_peer_async (dst, dst_index, src, src_index, nbytes, cur ()->stream),
        "cudaMemcpyPeerAsync", error) ||
      !_lt_cuda_check (dev.rt->stream_synchronize (cur ()->stream), "cudaStreamSynchronize", error))
    return FALSE;
  return TRUE;
}

/* Page-locked host memory: the device need not be current */
static gpointer
cuda_host_alloc (gsize nbytes, GError **error)
{
  void *ptr = NULL;
  int   status;

  if (dev.rt->host_alloc == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "pin_memory: the %s runtime has no page-locked host memory", dev.rt->name);
      return NULL;
    }
  status = dev.rt->host_alloc (&ptr, MAX (nbytes, 1));
  if (status == LT_CU_ERR_MEMORY_ALLOCATION)
    {
      dev.rt->get_last_error ();
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "pin_memory: cudaHostAlloc could not lock %" G_GSIZE_FORMAT " bytes of host "
                   "memory",
                   nbytes);
      return NULL;
    }
  if (!_lt_cuda_check (status, "cudaHostAlloc", error))
    return NULL;
  return ptr;
}

static void
cuda_host_free (gpointer ptr)
{
  int status = dev.rt ? dev.rt->host_free (ptr) : LT_CU_OK;

  if (status != LT_CU_OK)
    g_warning ("cuda: cudaFreeHost: %s", rt_string (status));
}

static gboolean
cuda_download (gpointer dst, gconstpointer src, gsize nbytes, GError **error)
{
  return usable (error) &&
         _lt_cuda_check (dev.rt->memcpy_async (dst, src, nbytes, LT_CUDA_D2H, cur ()->stream),
                         "cudaMemcpyAsync (device to host)", error) &&
         cuda_synchronize (error);
}

/* ---- kernel glue ---- */

static void
iter_build (LtCuIter *it, LtTensor **ops, guint n)
{
  LtTensor *out = ops[0];

  memset (it, 0, sizeof *it);
  it->ndim = (int32_t) out->ndim;
  it->n_operands = (int32_t) n;
  it->numel = out->numel;
  for (guint d = 0; d < out->ndim; d++)
    it->shape[d] = out->shape[d];
  for (guint k = 0; k < n; k++)
    {
      gint64   strides[LT_MAX_DIMS];
      gint64   expect = 1;
      gboolean contiguous = TRUE;

      _lt_broadcast_strides (ops[k], out->shape, out->ndim, strides);
      for (gint d = (gint) out->ndim - 1; d >= 0; d--)
        {
          it->stride[k][d] = strides[d];
          if (out->shape[d] != 1 && strides[d] != expect)
            contiguous = FALSE;
          expect *= out->shape[d];
        }
      it->contiguous[k] = contiguous;
      it->data[k] = _lt_tensor_data (ops[k]);
      it->dtype[k] = (int32_t) ops[k]->dtype;
    }
}

static gboolean
k_fill (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[1] = { args->out };
  guint64   bits = 0;
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, 1);
  _lt_store_double (&bits, args->out->dtype, args->params->fill.value);
  return after_launch (
    dev.rt->kernels->fill (cur ()->stream, &it, args->params->fill.value, (int64_t) bits), args->op,
    error);
}

static gboolean
k_copy (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[2] = { args->out, args->in[0] };
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, 2);
  return after_launch (dev.rt->kernels->copy (cur ()->stream, &it), args->op, error);
}

static int
unary_code (LtOp op)
{
  switch (op)
    {
      case LT_OP_NEG:
        return LT_CU_NEG;
      case LT_OP_ABS:
        return LT_CU_ABS;
      case LT_OP_SIGN:
        return LT_CU_SIGN;
      case LT_OP_EXP:
        return LT_CU_EXP;
      case LT_OP_LOG:
        return LT_CU_LOG;
      case LT_OP_SQRT:
        return LT_CU_SQRT;
      case LT_OP_RSQRT:
        return LT_CU_RSQRT;
      case LT_OP_SIN:
        return LT_CU_SIN;
      case LT_OP_COS:
        return LT_CU_COS;
      case LT_OP_TANH:
        return LT_CU_TANH;
      case LT_OP_SIGMOID:
        return LT_CU_SIGMOID;
      case LT_OP_RELU:
        return LT_CU_RELU;
      case LT_OP_CLAMP:
        return LT_CU_CLAMP;
      case LT_OP_LOGICAL_NOT:
        return LT_CU_LOGICAL_NOT;
      default:
        return -1;
    }
}

static int
binary_code (LtOp op)
{
  switch (op)
    {
      case LT_OP_ADD:
        return LT_CU_ADD;
      case LT_OP_SUB:
        return LT_CU_SUB;
      case LT_OP_MUL:
        return LT_CU_MUL;
      case LT_OP_DIV:
        return LT_CU_DIV;
      case LT_OP_POW:
        return LT_CU_POW;
      case LT_OP_MAXIMUM:
        return LT_CU_MAXIMUM;
      case LT_OP_MINIMUM:
        return LT_CU_MINIMUM;
      case LT_OP_FLOOR_DIVIDE:
        return LT_CU_FLOOR_DIVIDE;
      case LT_OP_REMAINDER:
        return LT_CU_REMAINDER;
      case LT_OP_EQ:
        return LT_CU_EQ;
      case LT_OP_NE:
        return LT_CU_NE;
      case LT_OP_LT:
        return LT_CU_LT;
      case LT_OP_LE:
        return LT_CU_LE;
      case LT_OP_GT:
        return LT_CU_GT;
      case LT_OP_GE:
        return LT_CU_GE;
      case LT_OP_LOGICAL_AND:
        return LT_CU_LOGICAL_AND;
      case LT_OP_LOGICAL_OR:
        return LT_CU_LOGICAL_OR;
      case LT_OP_RELU_GRAD:
        return LT_CU_RELU_GRAD;
      default:
        return -1;
    }
}

static gboolean
k_unary (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[2] = { args->out, args->in[0] };
  double    lo = -INFINITY, hi = INFINITY;
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, 2);
  if (args->op == LT_OP_CLAMP)
    {
      if (args->params->clamp.has_min)
        lo = args->params->clamp.min;
      if (args->params->clamp.has_max)
        hi = args->params->clamp.max;
    }
  return after_launch (dev.rt->kernels->unary (cur ()->stream, &it, unary_code (args->op), lo, hi),
                       args->op, error);
}

static gboolean
k_binary (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[3] = { args->out, args->in[0], args->in[1] };
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, 3);
  return after_launch (
    dev.rt->kernels->binary (cur ()->stream, &it, binary_code (args->op), cur ()->err_word),
    args->op, error);
}

static gboolean
k_where (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[4] = { args->out, args->in[0], args->in[1], args->in[2] };
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, 4);
  return after_launch (dev.rt->kernels->where (cur ()->stream, &it), args->op, error);
}

void
_lt_cuda_reduce_geometry (LtCuReduce  *r,
                          LtTensor    *x,
                          LtTensor    *out,
                          LtTensor    *idx,
                          gboolean     all,
                          const guint *dims,
                          guint        n_dims)
{
  gboolean reduced[LT_MAX_DIMS] = { FALSE };

  memset (r, 0, sizeof *r);
  if (all)
    for (guint d = 0; d < x->ndim; d++)
      reduced[d] = TRUE;
  else
    for (guint i = 0; i < n_dims; i++)
      reduced[dims[i]] = TRUE;
  r->n_out = r->n_red = 1;
  for (guint d = 0; d < x->ndim; d++)
    if (reduced[d])
      {
        r->red_shape[r->red_ndim] = x->shape[d];
        r->red_stride[r->red_ndim++] = x->strides[d];
        r->n_red *= x->shape[d];
      }
    else
      {
        r->keep_shape[r->keep_ndim] = x->shape[d];
        r->keep_in_stride[r->keep_ndim] = x->strides[d];
        r->keep_out_stride[r->keep_ndim] = out->strides[d];
        r->keep_idx_stride[r->keep_ndim++] = idx ? idx->strides[d] : 0;
        r->n_out *= x->shape[d];
      }
  r->in = _lt_tensor_data (x);
  r->out = _lt_tensor_data (out);
  r->indices = idx ? (int64_t *) _lt_tensor_data (idx) : NULL;
  r->in_dtype = x->dtype;
  r->out_dtype = out->dtype;
}

static gboolean
k_reduce (const LtKernelArgs *args, GError **error)
{
  const LtReduceParams *p = &args->params->reduce;
  LtTensor             *x = args->in[0], *out = args->out, *idx = NULL;
  LtDType               want;
  LtCuReduce            r;
  int                   code;

  switch (args->op)
    {
      case LT_OP_SUM:
        code = LT_CU_R_SUM;
        break;
      case LT_OP_MEAN:
        code = LT_CU_R_MEAN;
        break;
      case LT_OP_MAX:
      case LT_OP_MAX_DIM:
        code = LT_CU_R_MAX;
        break;
      case LT_OP_MIN:
      case LT_OP_MIN_DIM:
        code = LT_CU_R_MIN;
        break;
      case LT_OP_ARGMAX:
        code = LT_CU_R_ARGMAX;
        break;
      case LT_OP_ARGMIN:
        code = LT_CU_R_ARGMIN;
        break;
      case LT_OP_ANY:
        code = LT_CU_R_ANY;
        break;
      case LT_OP_ALL:
        code = LT_CU_R_ALL;
        break;
      default:
        code = -1;
    }
  switch (code)
    {
      case LT_CU_R_SUM:
        want = _lt_dtype_is_float (x->dtype) ? x->dtype : LT_DTYPE_INT64;
        break;
      case LT_CU_R_ARGMAX:
      case LT_CU_R_ARGMIN:
        want = LT_DTYPE_INT64;
        break;
      case LT_CU_R_ANY:
      case LT_CU_R_ALL:
        want = LT_DTYPE_BOOL;
        break;
      default:
        want = x->dtype;
    }
  if (code < 0 || out->dtype != want)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cuda backend has no kernel from %s to %s", _lt_op_table[args->op].name,
                   lt_dtype_get_name (x->dtype), lt_dtype_get_name (out->dtype));
      return FALSE;
    }
  if (!usable (error))
    return FALSE;
  if (args->op == LT_OP_MAX_DIM || args->op == LT_OP_MIN_DIM)
    idx = args->indices;

  _lt_cuda_reduce_geometry (&r, x, out, idx, p->all, p->dims, p->n_dims);
  return after_launch (dev.rt->kernels->reduce (cur ()->stream, &r, code), args->op, error);
}

static gboolean
k_softmax (const LtKernelArgs *args, GError **error)
{
  LtTensor   *x = args->in[0], *out = args->out;
  guint       dim = args->params->dim.dim;
  LtCuSoftmax s;

  if (out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  memset (&s, 0, sizeof s);
  s.len = x->ndim ? x->shape[dim] : 1;
  s.in_stride = x->ndim ? x->strides[dim] : 0;
  s.out_stride = out->ndim ? out->strides[dim] : 0;
  s.n_rows = 1;
  for (guint d = 0; d < x->ndim; d++)
    if (d != dim)
      {
        s.outer_shape[s.outer_ndim] = x->shape[d];
        s.outer_in_stride[s.outer_ndim] = x->strides[d];
        s.outer_out_stride[s.outer_ndim++] = out->strides[d];
        s.n_rows *= x->shape[d];
      }
  s.in = _lt_tensor_data (x);
  s.out = _lt_tensor_data (out);
  s.dtype = x->dtype;
  s.log = args->op == LT_OP_LOG_SOFTMAX;
  return after_launch (dev.rt->kernels->softmax (cur ()->stream, &s), args->op, error);
}

static gboolean
k_gemm (const LtKernelArgs *args, GError **error)
{
  LtTensor *out = args->out, *a, *b;
  LtCuGemm  g;
  int       status;

  if (!usable (error))
    return FALSE;
  memset (&g, 0, sizeof g);
  g.alpha = 1.0;
  g.beta = 0.0;
  g.dtype = out->dtype;
  if (args->op == LT_OP_BMM)
    {
      a = args->in[0];
      b = args->in[1];
      g.batch = a->shape[0];
      g.a_bs = a->strides[0];
      g.b_bs = b->strides[0];
      g.c_bs = out->strides[0];
      g.m = a->shape[1];
      g.k = a->shape[2];
      g.n = b->shape[2];
      g.a_rs = a->strides[1];
      g.a_cs = a->strides[2];
      g.b_rs = b->strides[1];
      g.b_cs = b->strides[2];
      g.c_rs = out->strides[1];
      g.c_cs = out->strides[2];
    }
  else
    {
      guint ai = args->op == LT_OP_ADDMM ? 1 : 0;

      a = args->in[ai];
      b = args->in[ai + 1];
      g.batch = 1;
      g.m = a->shape[0];
      g.k = a->shape[1];
      g.n = b->shape[1];
      g.a_rs = a->strides[0];
      g.a_cs = a->strides[1];
      g.b_rs = b->strides[0];
      g.b_cs = b->strides[1];
      g.c_rs = out->strides[0];
      g.c_cs = out->strides[1];
      if (args->op == LT_OP_ADDMM)
        {
          g.alpha = args->params->gemm.alpha;
          g.beta = args->params->gemm.beta;
          if (g.beta != 0 && out->numel > 0)
            {
              LtKernelArgs copy = {
                .op = LT_OP_STRIDED_COPY, .out = out, .in = { args->in[0] }, .n_in = 1
              };

              if (!k_copy (&copy, error))
                return FALSE;
            }
        }
    }
  if (out->numel == 0)
    return TRUE;
  g.a = _lt_tensor_data (a);
  g.b = _lt_tensor_data (b);
  g.c = _lt_tensor_data (out);
  status = _lt_cuda_gemm (&g);
  return after_launch (status, args->op, error);
}

static gboolean
k_sgd_update (const LtKernelArgs *args, GError **error)
{
  const LtOptimParams *p = &args->params->optim;
  LtTensor            *ops[3] = { args->out, args->in[0], args->momentum };
  LtCuIter             it;

  if (args->out->numel == 0)
    return TRUE;
  if (!usable (error))
    return FALSE;
  iter_build (&it, ops, args->momentum ? 3 : 2);
  return after_launch (dev.rt->kernels->sgd (cur ()->stream, &it, p->lr, p->momentum, p->dampening,
                                             p->weight_decay, p->nesterov, p->maximize, p->first),
                       args->op, error);
}

/* The glue's helpers for the backend's other files (lt-cuda-private.h) */

gboolean
_lt_cuda_usable (GError **error)
{
  return usable (error);
}

void
_lt_cuda_iter_build (LtCuIter *it, LtTensor **ops, guint n)
{
  iter_build (it, ops, n);
}

const LtCudaRuntime *
_lt_cuda_runtime (void)
{
  return dev.rt;
}

void *
_lt_cuda_stream (void)
{
  return cur ()->stream;
}

LtCuErrorWord *
_lt_cuda_error_word (void)
{
  return cur ()->err_word;
}

/* ---- the device's information (lt-cuda.h) ---- */

static int
cuda_device_count (void)
{
  return device_ready (NULL) ? dev.n_devices : 0;
}

static gboolean
cuda_device_name (int index, char **name, GError **error)
{
  char buf[256] = "";

  if (!device_ready (error) || !usable (error) ||
      !_lt_cuda_check (dev.rt->device_name (index, buf, sizeof buf), "cudaGetDeviceProperties",
                       error))
    return FALSE;
  *name = g_strdup (buf);
  return TRUE;
}

static gboolean
cuda_memory_info (gsize *free_bytes, gsize *total_bytes, GError **error)
{
  size_t f = 0, t = 0;

  if (!device_ready (error) || !usable (error) ||
      !_lt_cuda_check (dev.rt->mem_get_info (&f, &t), "cudaMemGetInfo", error))
    return FALSE;
  *free_bytes = f;
  *total_bytes = t;
  return TRUE;
}

static void
cuda_memory_stats (guint64 *allocated, guint64 *reserved, guint64 *peak)
{
  LtCudaAllocStats s;

  _lt_cuda_alloc_get_stats (&s);
  *allocated = s.allocated;
  *reserved = s.reserved;
  *peak = s.peak_allocated;
}

static void
cuda_empty_cache (void)
{
  _lt_cuda_alloc_empty_cache ();
}

/* The emulated and fake runtimes keep device buffers in host memory */
static gboolean
cuda_memory_is_host (void)
{
  return dev.rt != NULL && strcmp (dev.rt->name, "cuda") != 0;
}

static gpointer
backend_init (gpointer data)
{
  (void) data;
  backend.name = "cuda";
  backend.device = LT_DEVICE_CUDA;
  backend.alloc = cuda_alloc;
  backend.free = cuda_free;
  backend.upload = cuda_upload;
  backend.upload_async = cuda_upload_async;
  backend.copy_peer = cuda_copy_peer;
  backend.host_alloc = cuda_host_alloc;
  backend.host_free = cuda_host_free;
  backend.download = cuda_download;
  backend.synchronize = cuda_synchronize;
  backend.device_count = cuda_device_count;
  backend.device_name = cuda_device_name;
  backend.memory_info = cuda_memory_info;
  backend.memory_stats = cuda_memory_stats;
  backend.empty_cache = cuda_empty_cache;
  backend.memory_is_host = cuda_memory_is_host;

  backend.kernels[LT_OP_FILL] = k_fill;
  backend.kernels[LT_OP_STRIDED_COPY] = k_copy;
  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      if (unary_code (op) >= 0)
        backend.kernels[op] = k_unary;
      if (binary_code (op) >= 0)
        backend.kernels[op] = k_binary;
    }
  backend.kernels[LT_OP_WHERE] = k_where;
  backend.kernels[LT_OP_SUM] = k_reduce;
  backend.kernels[LT_OP_MEAN] = k_reduce;
  backend.kernels[LT_OP_MAX] = k_reduce;
  backend.kernels[LT_OP_MIN] = k_reduce;
  backend.kernels[LT_OP_MAX_DIM] = k_reduce;
  backend.kernels[LT_OP_MIN_DIM] = k_reduce;
  backend.kernels[LT_OP_ARGMAX] = k_reduce;
  backend.kernels[LT_OP_ARGMIN] = k_reduce;
  backend.kernels[LT_OP_ANY] = k_reduce;
  backend.kernels[LT_OP_ALL] = k_reduce;
  backend.kernels[LT_OP_SOFTMAX] = k_softmax;
  backend.kernels[LT_OP_LOG_SOFTMAX] = k_softmax;
  backend.kernels[LT_OP_MM] = k_gemm;
  backend.kernels[LT_OP_BMM] = k_gemm;
  backend.kernels[LT_OP_ADDMM] = k_gemm;
  backend.kernels[LT_OP_SGD_UPDATE] = k_sgd_update;
  _lt_cuda_backend_math_init (&backend);
  _lt_cuda_backend_index_init (&backend);
  _lt_cuda_backend_scan_init (&backend);
  _lt_cuda_backend_fused_init (&backend);
  _lt_cuda_backend_linalg_init (&backend);
  return NULL;
}

const LtBackend *
_lt_cuda_backend_get (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, backend_init, NULL);
  if (!device_ready (error))
    return NULL;
  return &backend;
}

const LtBackend *
_lt_cuda_backend_get_device (int index, GError **error)
{
  const LtBackend *b = _lt_cuda_backend_get (error);
  int              status = LT_CU_OK;

  if (b == NULL)
    return NULL;
  if (index == current && dev.per[index].ready)
    return b;
  g_mutex_lock (&dev_lock);
  if (index < 0 || index >= dev.n_devices)
    {
      g_mutex_unlock (&dev_lock);
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "cuda:%d: invalid device index: there %s %d CUDA device%s (cuda:0 to cuda:%d)",
                   index, dev.n_devices == 1 ? "is" : "are", dev.n_devices,
                   dev.n_devices == 1 ? "" : "s", dev.n_devices - 1);
      return NULL;
    }
  if (!dev.per[index].ready)
    status = device_setup (index);
  else if (dev.rt->set_device)
    status = dev.rt->set_device (index);
  g_mutex_unlock (&dev_lock);
  if (status != LT_CU_OK)
    {
      if (dev.rt->set_device)
        dev.rt->set_device (current);
      if (_lt_cuda_status_is_sticky (status))
        {
          /* the device's context is lost (perhaps by another thread's
           * launch): it stays unusable, the others go on */
          g_mutex_lock (&dev_lock);
          if (dev.per[index].broken == NULL)
            dev.per[index].broken = g_strdup_printf ("cudaSetDevice failed: %s (CUDA error %d)",
                                                     rt_string (status), status);
          g_set_error (error, LT_ERROR, LT_ERROR_CUDA,
                       "cuda:%d is unusable after an earlier error: %s", index,
                       dev.per[index].broken);
          g_mutex_unlock (&dev_lock);
          return NULL;
        }
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "cuda:%d: setting up the device failed: %s",
                   index, rt_string (status));
      return NULL;
    }
  current = index;
  return b;
}
