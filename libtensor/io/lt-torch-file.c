/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-torch-file.h"
#include "lt-file-private.h"
#include "lt-json-private.h"
#include "lt-safetensors-private.h"
#include "lt-zip-private.h"
#include "core/lt-error.h"
#include "core/lt-shape-private.h"
#include "core/lt-storage-private.h"
#include "core/lt-tensor-private.h"

/*
 * The files torch.save writes, read without Python: the zip format (a
 * member data.pkl, the pickle, and one member data/<key> per storage,
 * its raw little-endian bytes) and the legacy format (five pickles in a
 * row: a magic number, the protocol version 1001, the system's
 * description, the object, the sorted list of storage keys; then each
 * storage as an int64 element count and its bytes).
 *
 * The pickles run on a small virtual machine of the opcodes of protocols
 * 2 to 4 that Python's pickler writes for torch's objects, with hard
 * limits (stack, memo, values, nesting), that builds only what
 * torch.load (weights_only=True) accepts: None, booleans, integers of up
 * to 64 bits, floats, strings, bytes, lists, tuples, dicts and
 * OrderedDicts, storages (persistent ids) and tensors
 * (torch._utils._rebuild_tensor_v2, _rebuild_parameter). A global other
 * than these, such as os.system, is refused with an error naming it,
 * before anything is called: nothing in a file runs code.
 *
 * Values live in an arena that the load frees at its end, so memo cycles
 * cost nothing; walking the result for the structure refuses nesting
 * deeper than MAX_DEPTH, which also ends cycles.
 *
 * The result is an LtStateDict of the tensors by name (the path of keys
 * and indices to them, joined by dots: "fc.weight", "state.0.exp_avg")
 * and the structure as JSON: null, booleans, numbers (integers without a
 * point, floats with one or an exponent), strings and lists as
 * themselves; {"tuple": [...]}, {"dict": [[key, value], ...]} (with
 * "ordered": true for an OrderedDict),
 * {"tensor": "name"}, {"bytes": "base64"}, {"float": "nan"} (or "inf",
 * "-inf"). Tensors that were views of one storage share one LtStorage.
 */

#define MAX_STACK (1 << 20)
#define MAX_MEMO (1 << 20)
#define MAX_VALUES (1 << 22)
#define MAX_VISITS (1 << 22)         /* values walked for the result */
#define MAX_OUTPUT ((gsize) 1 << 28) /* bytes of its JSON */
#define MAX_DEPTH 100

typedef enum
{
  V_NONE,
  V_BOOL,
  V_INT,
  V_FLOAT,
  V_STR,
  V_BYTES,
  V_LIST,
  V_TUPLE,
  V_DICT,
  V_GLOBAL,
  V_STORAGE,
  V_TENSOR,
  V_MARK,
} Kind;

typedef enum
{
  G_ORDERED_DICT,
  G_REBUILD_TENSOR,
  G_REBUILD_PARAMETER,
  G_STORAGE_TYPE,
} GlobalKind;

typedef enum
{
  SRC_PLAIN, /* the bytes are the dtype's */
  SRC_HALF,  /* float16, read as float32 */
  SRC_BF16,  /* bfloat16, read as float32 */
} Source;

typedef struct
{
  char      *key;
  LtDType    dtype;
  Source     src;
  gsize      src_size; /* bytes per element in the file */
  gint64     numel;
  LtStorage *storage; /* once read */
} Storage;

typedef struct
{
  Storage  *storage;
  gint64    offset;
  gint64    shape[LT_MAX_DIMS];
  gint64    strides[LT_MAX_DIMS];
  guint     ndim;
  gboolean  requires_grad;
  LtTensor *made;
  char     *name;
} PendingTensor;

typedef struct _Value Value;
struct _Value
{
  Kind        kind;
  gboolean    ordered; /* an OrderedDict */
  GHashTable *index;   /* a dict's keys (key_text ()) -> position + 1 */
  union
  {
    gboolean b;
    gint64   i;
    double   f;
    struct
    {
      char *data;
      gsize len;
    } s;
    GPtrArray *items; /* list, tuple; a dict's keys and values in turn */
    struct
    {
      GlobalKind  kind;
      LtDType     dtype;
      Source      src;
      gsize       src_size;
      const char *name;
    } g;
    Storage       *storage;
    PendingTensor *tensor;
  };
};

typedef struct
{
  const char *source;
  GPtrArray  *values;   /* the arena: every Value */
  GPtrArray  *storages; /* Storage */
  GHashTable *storage_by_key;
  /* one pickle */
  const guint8 *p, *start, *end;
  const char   *what; /* "data.pkl", "the legacy pickle" */
  GPtrArray    *stack;
  GArray       *marks; /* stack depths */
  GHashTable   *memo;  /* index -> Value */
  guint         visits;
  GError      **error;
} Vm;

static gboolean vm_fail (Vm *vm, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
vm_fail (Vm *vm, const char *fmt, ...)
{
  va_list          ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (vm->start != NULL)
    g_set_error (vm->error, LT_ERROR, LT_ERROR_FORMAT, "load: %s: %s, byte %td: %s", vm->source,
                 vm->what, vm->p - vm->start, msg);
  else
    g_set_error (vm->error, LT_ERROR, LT_ERROR_FORMAT, "load: %s: %s", vm->source, msg);
  return FALSE;
}

static void
value_free (gpointer p)
{
  Value *v = p;

  switch (v->kind)
    {
      case V_STR:
      case V_BYTES:
        g_free (v->s.data);
        break;
      case V_LIST:
      case V_TUPLE:
      case V_DICT:
        g_ptr_array_unref (v->items);
        g_clear_pointer (&v->index, g_hash_table_unref);
        break;
      case V_TENSOR:
        g_clear_object (&v->tensor->made);
        g_free (v->tensor->name);
        g_free (v->tensor);
        break;
      default:
        break;
    }
  g_free (v);
}

static void
storage_free (gpointer p)
{
  Storage *s = p;

  g_free (s->key);
  if (s->storage != NULL)
    lt_storage_unref (s->storage);
  g_free (s);
}

static Value *
vm_new (Vm *vm, Kind kind)
{
  Value *v;

  if (vm->values->len >= MAX_VALUES)
    {
      vm_fail (vm, "more than %d values", MAX_VALUES);
      return NULL;
    }
  v = g_new0 (Value, 1);
  v->kind = kind;
  if (kind == V_LIST || kind == V_TUPLE || kind == V_DICT)
    v->items = g_ptr_array_new ();
  g_ptr_array_add (vm->values, v);
  return v;
}

static gboolean
vm_push (Vm *vm, Value *v)
{
  if (v == NULL)
    return FALSE;
  if (vm->stack->len >= MAX_STACK)
    return vm_fail (vm, "the stack holds more than %d values", MAX_STACK);
  g_ptr_array_add (vm->stack, v);
  return TRUE;
}

static Value *
vm_pop (Vm *vm)
{
  guint base = vm->marks->len ? g_array_index (vm->marks, guint, vm->marks->len - 1) : 0;

  if (vm->stack->len <= base)
    {
      vm_fail (vm, "the stack is empty");
      return NULL;
    }
  return g_ptr_array_steal_index (vm->stack, vm->stack->len - 1);
}

static Value *
vm_top (Vm *vm)
{
  guint base = vm->marks->len ? g_array_index (vm->marks, guint, vm->marks->len - 1) : 0;

  if (vm->stack->len <= base)
    {
      vm_fail (vm, "the stack is empty");
      return NULL;
    }
  return vm->stack->pdata[vm->stack->len - 1];
}

/* Pops the values above the last mark into @into's items (or drops them). */
static gboolean
vm_pop_mark (Vm *vm, GPtrArray *into)
{
  guint at;

  if (vm->marks->len == 0)
    return vm_fail (vm, "no mark on the stack");
  at = g_array_index (vm->marks, guint, vm->marks->len - 1);
  g_array_set_size (vm->marks, vm->marks->len - 1);
  for (guint i = at; i < vm->stack->len; i++)
    if (into != NULL)
      g_ptr_array_add (into, vm->stack->pdata[i]);
  g_ptr_array_set_size (vm->stack, at);
  return TRUE;
}

static gboolean
vm_take (Vm *vm, gsize n, const guint8 **out)
{
  if ((gsize) (vm->end - vm->p) < n)
    return vm_fail (vm,
                    "the pickle ends inside an opcode's argument (%" G_GSIZE_FORMAT
                    " bytes wanted, %td left)",
                    n, vm->end - vm->p);
  *out = vm->p;
  vm->p += n;
  return TRUE;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint64
le64 (const guint8 *p)
{
  return (guint64) le32 (p) | ((guint64) le32 (p + 4) << 32);
}

static gboolean
vm_push_string (Vm *vm, Kind kind, gsize n)
{
  const guint8 *d = NULL;
  Value        *v;

  if (!vm_take (vm, n, &d))
    return FALSE;
  if (kind == V_STR && !g_utf8_validate_len ((const char *) d, n, NULL))
    return vm_fail (vm, "a string is not valid UTF-8");
  if (kind == V_STR && memchr (d, '\0', n) != NULL)
    return vm_fail (vm, "a string holds a NUL character");
  v = vm_new (vm, kind);
  if (v == NULL)
    return FALSE;
  v->s.data = g_malloc (n + 1);
  memcpy (v->s.data, d, n);
  v->s.data[n] = '\0';
  v->s.len = n;
  return vm_push (vm, v);
}

/* What a global of the file is, or NULL (with an error naming it) when it
 * is not one that loading allows. */
static Value *
vm_global (Vm *vm, const char *module, const char *name)
{
  static const struct
  {
    const char *name;
    LtDType     dtype;
    Source      src;
    gsize       size;
  } storages[] = {
    { "FloatStorage", LT_DTYPE_FLOAT32, SRC_PLAIN, 4 },
    { "DoubleStorage", LT_DTYPE_FLOAT64, SRC_PLAIN, 8 },
    { "HalfStorage", LT_DTYPE_FLOAT32, SRC_HALF, 2 },
    { "BFloat16Storage", LT_DTYPE_FLOAT32, SRC_BF16, 2 },
    { "LongStorage", LT_DTYPE_INT64, SRC_PLAIN, 8 },
    { "IntStorage", LT_DTYPE_INT32, SRC_PLAIN, 4 },
    { "ShortStorage", LT_DTYPE_INT16, SRC_PLAIN, 2 },
    { "CharStorage", LT_DTYPE_INT8, SRC_PLAIN, 1 },
    { "ByteStorage", LT_DTYPE_UINT8, SRC_PLAIN, 1 },
    { "BoolStorage", LT_DTYPE_BOOL, SRC_PLAIN, 1 },
  };
  Value *v;

  if (strcmp (module, "torch") == 0)
    for (guint i = 0; i < G_N_ELEMENTS (storages); i++)
      if (strcmp (name, storages[i].name) == 0)
        {
          v = vm_new (vm, V_GLOBAL);
          if (v == NULL)
            return NULL;
          v->g.kind = G_STORAGE_TYPE;
          v->g.dtype = storages[i].dtype;
          v->g.src = storages[i].src;
          v->g.src_size = storages[i].size;
          v->g.name = storages[i].name;
          return v;
        }
  if (strcmp (module, "collections") == 0 && strcmp (name, "OrderedDict") == 0)
    {
      v = vm_new (vm, V_GLOBAL);
      if (v != NULL)
        v->g.kind = G_ORDERED_DICT;
      return v;
    }
  if (strcmp (module, "torch._utils") == 0 &&
      (strcmp (name, "_rebuild_tensor_v2") == 0 || strcmp (name, "_rebuild_parameter") == 0))
    {
      v = vm_new (vm, V_GLOBAL);
      if (v != NULL)
        v->g.kind = name[9] == 't' ? G_REBUILD_TENSOR : G_REBUILD_PARAMETER;
      return v;
    }
  vm_fail (vm,
           "the pickle refers to %s.%s, which loading does not allow: only tensors, storages, "
           "containers (dict, OrderedDict, list, tuple), numbers, strings and None are read "
           "(as torch.load (weights_only=True) reads them)",
           module, name);
  return NULL;
}

static gboolean
vm_int_list (Vm *vm, Value *v, gint64 *out, guint *n, const char *what)
{
  if (v->kind != V_TUPLE && v->kind != V_LIST)
    return vm_fail (vm, "a tensor's %s is not a tuple", what);
  if (v->items->len > LT_MAX_DIMS)
    return vm_fail (vm, "a tensor has %u dimensions; at most %d are supported", v->items->len,
                    LT_MAX_DIMS);
  for (guint i = 0; i < v->items->len; i++)
    {
      Value *x = v->items->pdata[i];

      if (x->kind != V_INT || x->i < 0)
        return vm_fail (vm, "a tensor's %s holds something other than a non-negative integer",
                        what);
      out[i] = x->i;
    }
  *n = v->items->len;
  return TRUE;
}

/* _rebuild_tensor_v2 (storage, offset, size, stride, requires_grad,
 * backward_hooks[, metadata]) */
static Value *
vm_rebuild_tensor (Vm *vm, Value *args)
{
  PendingTensor *t;
  Value         *v, **a = (Value **) args->items->pdata;
  guint          n_stride = 0;
  gint64         numel, last = 0;

  if (args->items->len != 6 && args->items->len != 7)
    {
      vm_fail (vm, "_rebuild_tensor_v2 takes 6 or 7 arguments, not %u", args->items->len);
      return NULL;
    }
  if (a[0]->kind != V_STORAGE || a[1]->kind != V_INT || a[1]->i < 0 || a[4]->kind != V_BOOL)
    {
      vm_fail (vm, "_rebuild_tensor_v2's arguments are not (storage, offset, size, stride, "
                   "requires_grad, hooks)");
      return NULL;
    }
  if (a[5]->kind != V_DICT || a[5]->items->len != 0)
    {
      vm_fail (vm, "a tensor has backward hooks, which are not loaded");
      return NULL;
    }
  t = g_new0 (PendingTensor, 1);
  v = vm_new (vm, V_TENSOR);
  if (v == NULL)
    {
      g_free (t);
      return NULL;
    }
  v->tensor = t;
  t->storage = a[0]->storage;
  t->offset = a[1]->i;
  t->requires_grad = a[4]->b;
  if (!vm_int_list (vm, a[2], t->shape, &t->ndim, "size") ||
      !vm_int_list (vm, a[3], t->strides, &n_stride, "stride"))
    return NULL;
  if (n_stride != t->ndim)
    {
      vm_fail (vm, "a tensor has %u sizes but %u strides", t->ndim, n_stride);
      return NULL;
    }
  if (!_lt_shape_numel (t->shape, t->ndim, &numel, "load", vm->error))
    return NULL;
  if (t->offset > t->storage->numel)
    {
      vm_fail (vm,
               "a tensor starts at element %" G_GINT64_FORMAT
               " of storage %s, which has %" G_GINT64_FORMAT,
               t->offset, t->storage->key, t->storage->numel);
      return NULL;
    }
  /* the last element it reads must be in the storage */
  if (numel > 0)
    {
      last = t->offset;
      for (guint d = 0; d < t->ndim; d++)
        {
          gint64 span;

          if (__builtin_mul_overflow (t->shape[d] - 1, t->strides[d], &span) ||
              __builtin_add_overflow (last, span, &last))
            last = G_MAXINT64;
        }
      if (last >= t->storage->numel)
        {
          vm_fail (vm,
                   "a tensor of offset %" G_GINT64_FORMAT
                   " and %u dimensions reaches element %" G_GINT64_FORMAT
                   " of storage %s, which has %" G_GINT64_FORMAT,
                   t->offset, t->ndim, last, t->storage->key, t->storage->numel);
          return NULL;
        }
    }
  return v;
}

static gboolean
vm_reduce (Vm *vm)
{
  Value *args = vm_pop (vm), *fn, *v;

  if (args == NULL || (fn = vm_pop (vm)) == NULL)
    return FALSE;
  if (fn->kind != V_GLOBAL || fn->g.kind == G_STORAGE_TYPE)
    return vm_fail (vm, "REDUCE calls something that is not a function loading allows");
  if (args->kind != V_TUPLE)
    return vm_fail (vm, "REDUCE's arguments are not a tuple");
  switch (fn->g.kind)
    {
      case G_ORDERED_DICT:
        if (args->items->len != 0)
          return vm_fail (vm, "OrderedDict is called with arguments");
        v = vm_new (vm, V_DICT);
        if (v != NULL)
          v->ordered = TRUE;
        return vm_push (vm, v);
      case G_REBUILD_TENSOR:
        return vm_push (vm, vm_rebuild_tensor (vm, args));
      case G_REBUILD_PARAMETER:
        {
          Value **a = (Value **) args->items->pdata;

          if (args->items->len != 3 || a[0]->kind != V_TENSOR || a[1]->kind != V_BOOL)
            return vm_fail (
              vm, "_rebuild_parameter's arguments are not (tensor, requires_grad, hooks)");
          if (a[2]->kind != V_DICT || a[2]->items->len != 0)
            return vm_fail (vm, "a parameter has backward hooks, which are not loaded");
          a[0]->tensor->requires_grad = a[1]->b;
          return vm_push (vm, a[0]);
        }
      case G_STORAGE_TYPE:
      default:
        g_assert_not_reached ();
    }
  return FALSE;
}

/* BINPERSID: ('storage', storage_type, key, location, numel[, view]) */
static gboolean
vm_persistent (Vm *vm)
{
  Value   *pid = vm_pop (vm), **a, *v;
  Storage *s;

  if (pid == NULL)
    return FALSE;
  a = pid->kind == V_TUPLE ? (Value **) pid->items->pdata : NULL;
  if (a == NULL || (pid->items->len != 5 && pid->items->len != 6) || a[0]->kind != V_STR ||
      strcmp (a[0]->s.data, "storage") != 0 || a[1]->kind != V_GLOBAL ||
      a[1]->g.kind != G_STORAGE_TYPE || a[2]->kind != V_STR || a[3]->kind != V_STR ||
      a[4]->kind != V_INT || a[4]->i < 0)
    return vm_fail (vm, "a persistent id is not ('storage', type, key, location, size)");
  if (pid->items->len == 6 && a[5]->kind != V_NONE)
    return vm_fail (vm, "storage %s is a view of another storage (an old format that is not read)",
                    a[2]->s.data);
  s = g_hash_table_lookup (vm->storage_by_key, a[2]->s.data);
  if (s == NULL)
    {
      if (vm->storages->len >= MAX_MEMO)
        return vm_fail (vm, "more than %d storages", MAX_MEMO);
      s = g_new0 (Storage, 1);
      s->key = g_strdup (a[2]->s.data);
      s->dtype = a[1]->g.dtype;
      s->src = a[1]->g.src;
      s->src_size = a[1]->g.src_size;
      s->numel = a[4]->i;
      g_ptr_array_add (vm->storages, s);
      g_hash_table_insert (vm->storage_by_key, s->key, s);
    }
  else if (s->numel != a[4]->i || s->src_size != a[1]->g.src_size || s->dtype != a[1]->g.dtype)
    return vm_fail (vm, "storage %s is given twice with different types or sizes", s->key);
  v = vm_new (vm, V_STORAGE);
  if (v == NULL)
    return FALSE;
  v->storage = s;
  return vm_push (vm, v);
}

static gboolean
vm_setitems (Vm *vm, Value *dict, GPtrArray *kv)
{
  if (dict->kind != V_DICT)
    return vm_fail (vm, "SETITEM on something that is not a dict");
  if (kv->len % 2)
    return vm_fail (vm, "SETITEMS with a key without a value");
  for (guint i = 0; i < kv->len; i += 2)
    {
      Value *k = kv->pdata[i];
      char  *text;
      guint  j;

      switch (k->kind)
        {
          case V_STR:
            text = g_strconcat ("s", k->s.data, NULL);
            break;
          case V_INT:
            text = g_strdup_printf ("i%" G_GINT64_FORMAT, k->i);
            break;
          case V_BOOL:
            text = g_strdup (k->b ? "b1" : "b0");
            break;
          case V_FLOAT:
            text = g_strdup_printf ("f%.17g", k->f);
            break;
          case V_NONE:
            text = g_strdup ("n");
            break;
          default:
            return vm_fail (vm, "a dict key is not a string, a number or None");
        }
      if (dict->index == NULL)
        dict->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      /* a key given again replaces its value, as in Python */
      j = GPOINTER_TO_UINT (g_hash_table_lookup (dict->index, text));
      if (j > 0)
        {
          dict->items->pdata[j] = kv->pdata[i + 1];
          g_free (text);
        }
      else
        {
          g_ptr_array_add (dict->items, k);
          g_ptr_array_add (dict->items, kv->pdata[i + 1]);
          g_hash_table_insert (dict->index, text, GUINT_TO_POINTER (dict->items->len - 1));
        }
    }
  return TRUE;
}

static gboolean
vm_memo_put (Vm *vm, guint64 index)
{
  Value *top = vm_top (vm);

  if (top == NULL)
    return FALSE;
  if (index >= MAX_MEMO)
    return vm_fail (vm, "memo index %" G_GUINT64_FORMAT " is over the limit of %d", index,
                    MAX_MEMO);
  g_hash_table_insert (vm->memo, GUINT_TO_POINTER ((guint) index), top);
  return TRUE;
}

static gboolean
vm_memo_get (Vm *vm, guint64 index)
{
  Value *v =
    index < MAX_MEMO ? g_hash_table_lookup (vm->memo, GUINT_TO_POINTER ((guint) index)) : NULL;

  if (v == NULL)
    return vm_fail (vm, "memo index %" G_GUINT64_FORMAT " was never set", index);
  return vm_push (vm, v);
}

static gboolean
vm_long (Vm *vm, gsize n)
{
  const guint8 *d = NULL;
  Value        *v;
  guint64       u = 0;

  if (!vm_take (vm, n, &d))
    return FALSE;
  if (n > 8)
    {
      /* torch's legacy magic number: 0x1950a86a20f9469cfc6c */
      static const guint8 magic[] = { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

      if (n == sizeof magic && memcmp (d, magic, n) == 0)
        {
          v = vm_new (vm, V_BYTES); /* stands for the magic number */
          if (v == NULL)
            return FALSE;
          v->s.data = g_strdup ("magic");
          v->s.len = 5;
          return vm_push (vm, v);
        }
      return vm_fail (vm, "an integer of %" G_GSIZE_FORMAT " bytes does not fit 64 bits", n);
    }
  for (gsize i = 0; i < n; i++)
    u |= (guint64) d[i] << (8 * i);
  if (n > 0 && n < 8 && (d[n - 1] & 0x80))
    u |= ~(guint64) 0 << (8 * n); /* sign-extend */
  v = vm_new (vm, V_INT);
  if (v == NULL)
    return FALSE;
  v->i = (gint64) u;
  return vm_push (vm, v);
}

static gboolean
vm_tuple (Vm *vm, guint n)
{
  Value *v = vm_new (vm, V_TUPLE);

  if (v == NULL)
    return FALSE;
  g_ptr_array_set_size (v->items, n);
  for (guint i = n; i-- > 0;)
    if ((v->items->pdata[i] = vm_pop (vm)) == NULL)
      return FALSE;
  return vm_push (vm, v);
}

/* Runs one pickle from @data (@size bytes); its result is *@result and
 * the bytes it used *@used. */
static gboolean
vm_run (Vm *vm, const guint8 *data, gsize size, const char *what, Value **result, gsize *used)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) memo = g_hash_table_new (NULL, NULL);

  vm->stack = stack;
  vm->marks = marks;
  vm->memo = memo;
  vm->start = vm->p = data;
  vm->end = data + size;
  vm->what = what;
  while (vm->p < vm->end)
    {
      const guint8 *a = NULL;
      guint8        op = *vm->p++;
      Value        *v, *x;

      switch (op)
        {
          case 0x80: /* PROTO */
            if (!vm_take (vm, 1, &a))
              return FALSE;
            if (a[0] < 2 || a[0] > 5)
              return vm_fail (vm, "pickle protocol %u is not read (2 to 5 are)", a[0]);
            break;
          case 0x95: /* FRAME */
            if (!vm_take (vm, 8, &a))
              return FALSE;
            break;
          case '.': /* STOP */
            if (vm->marks->len != 0 || vm->stack->len != 1)
              return vm_fail (vm, "STOP with %u values and %u marks on the stack", vm->stack->len,
                              vm->marks->len);
            *result = vm->stack->pdata[0];
            *used = (gsize) (vm->p - data);
            vm->start = NULL;
            return TRUE;
          case '(': /* MARK */
            if (vm->marks->len >= MAX_STACK)
              return vm_fail (vm, "too many marks");
            g_array_append_val (vm->marks, vm->stack->len);
            break;
          case '0': /* POP */
            if (vm_pop (vm) == NULL)
              return FALSE;
            break;
          case '1': /* POP_MARK */
            if (!vm_pop_mark (vm, NULL))
              return FALSE;
            break;
          case '2': /* DUP */
            if ((v = vm_top (vm)) == NULL || !vm_push (vm, v))
              return FALSE;
            break;
          case 'N':
            if (!vm_push (vm, vm_new (vm, V_NONE)))
              return FALSE;
            break;
          case 0x88: /* NEWTRUE */
          case 0x89: /* NEWFALSE */
            if ((v = vm_new (vm, V_BOOL)) == NULL)
              return FALSE;
            v->b = op == 0x88;
            if (!vm_push (vm, v))
              return FALSE;
            break;
          case 'J': /* BININT */
          case 'K': /* BININT1 */
          case 'M': /* BININT2 */
            {
              gsize n = op == 'J' ? 4 : op == 'K' ? 1 : 2;

              if (!vm_take (vm, n, &a) || (v = vm_new (vm, V_INT)) == NULL)
                return FALSE;
              v->i = op == 'J' ? (gint32) le32 (a) : op == 'K' ? a[0] : (a[0] | (a[1] << 8));
              if (!vm_push (vm, v))
                return FALSE;
              break;
            }
          case 0x8a: /* LONG1 */
            if (!vm_take (vm, 1, &a) || !vm_long (vm, a[0]))
              return FALSE;
            break;
          case 0x8b: /* LONG4 */
            if (!vm_take (vm, 4, &a))
              return FALSE;
            if (le32 (a) > 16)
              return vm_fail (vm, "an integer of %u bytes does not fit 64 bits", le32 (a));
            if (!vm_long (vm, le32 (a)))
              return FALSE;
            break;
          case 'G': /* BINFLOAT, big-endian */
            {
              guint64 bits = 0;

              if (!vm_take (vm, 8, &a) || (v = vm_new (vm, V_FLOAT)) == NULL)
                return FALSE;
              for (int i = 0; i < 8; i++)
                bits = (bits << 8) | a[i];
              memcpy (&v->f, &bits, 8);
              if (!vm_push (vm, v))
                return FALSE;
              break;
            }
          case 'X': /* BINUNICODE */
          case 'T': /* BINSTRING */
          case 'B': /* BINBYTES */
            if (!vm_take (vm, 4, &a) || !vm_push_string (vm, op == 'B' ? V_BYTES : V_STR, le32 (a)))
              return FALSE;
            break;
          case 0x8c: /* SHORT_BINUNICODE */
          case 'U':  /* SHORT_BINSTRING */
          case 'C':  /* SHORT_BINBYTES */
            if (!vm_take (vm, 1, &a) || !vm_push_string (vm, op == 'C' ? V_BYTES : V_STR, a[0]))
              return FALSE;
            break;
          case 0x8d: /* BINUNICODE8 */
          case 0x8e: /* BINBYTES8 */
            if (!vm_take (vm, 8, &a))
              return FALSE;
            if (le64 (a) > (guint64) (vm->end - vm->p))
              return vm_fail (vm, "a string of %" G_GUINT64_FORMAT " bytes runs past the pickle",
                              le64 (a));
            if (!vm_push_string (vm, op == 0x8e ? V_BYTES : V_STR, (gsize) le64 (a)))
              return FALSE;
            break;
          case '}': /* EMPTY_DICT */
          case ']': /* EMPTY_LIST */
          case ')': /* EMPTY_TUPLE */
            if (!vm_push (vm, vm_new (vm, op == '}' ? V_DICT : op == ']' ? V_LIST : V_TUPLE)))
              return FALSE;
            break;
          case 0x85: /* TUPLE1 */
          case 0x86: /* TUPLE2 */
          case 0x87: /* TUPLE3 */
            if (!vm_tuple (vm, op - 0x84))
              return FALSE;
            break;
          case 't': /* TUPLE */
          case 'l': /* LIST */
            if ((v = vm_new (vm, op == 't' ? V_TUPLE : V_LIST)) == NULL ||
                !vm_pop_mark (vm, v->items) || !vm_push (vm, v))
              return FALSE;
            break;
          case 'd': /* DICT */
            {
              g_autoptr(GPtrArray) kv = g_ptr_array_new ();

              if ((v = vm_new (vm, V_DICT)) == NULL || !vm_pop_mark (vm, kv) ||
                  !vm_setitems (vm, v, kv) || !vm_push (vm, v))
                return FALSE;
              break;
            }
          case 'a': /* APPEND */
            if ((x = vm_pop (vm)) == NULL || (v = vm_top (vm)) == NULL)
              return FALSE;
            if (v->kind != V_LIST)
              return vm_fail (vm, "APPEND to something that is not a list");
            g_ptr_array_add (v->items, x);
            break;
          case 'e': /* APPENDS */
            {
              g_autoptr(GPtrArray) items = g_ptr_array_new ();

              if (!vm_pop_mark (vm, items) || (v = vm_top (vm)) == NULL)
                return FALSE;
              if (v->kind != V_LIST)
                return vm_fail (vm, "APPENDS to something that is not a list");
              g_ptr_array_extend (v->items, items, NULL, NULL);
              break;
            }
          case 's': /* SETITEM */
          case 'u': /* SETITEMS */
            {
              g_autoptr(GPtrArray) kv = g_ptr_array_new ();

              if (op == 's')
                {
                  Value *val = vm_pop (vm), *key = val ? vm_pop (vm) : NULL;

                  if (key == NULL)
                    return FALSE;
                  g_ptr_array_add (kv, key);
                  g_ptr_array_add (kv, val);
                }
              else if (!vm_pop_mark (vm, kv))
                return FALSE;
              if ((v = vm_top (vm)) == NULL || !vm_setitems (vm, v, kv))
                return FALSE;
              break;
            }
          case 'c': /* GLOBAL: "module\nname\n" */
            {
              const guint8    *nl1, *nl2;
              g_autofree char *module = NULL, *name = NULL;

              nl1 = memchr (vm->p, '\n', (gsize) (vm->end - vm->p));
              nl2 = nl1 ? memchr (nl1 + 1, '\n', (gsize) (vm->end - nl1 - 1)) : NULL;
              if (nl2 == NULL)
                return vm_fail (vm, "GLOBAL without its module and name");
              module = g_strndup ((const char *) vm->p, (gsize) (nl1 - vm->p));
              name = g_strndup ((const char *) nl1 + 1, (gsize) (nl2 - nl1 - 1));
              vm->p = nl2 + 1;
              if (!g_utf8_validate (module, -1, NULL) || !g_utf8_validate (name, -1, NULL))
                return vm_fail (vm, "a global's name is not valid UTF-8");
              if (!vm_push (vm, vm_global (vm, module, name)))
                return FALSE;
              break;
            }
          case 0x93: /* STACK_GLOBAL */
            {
              Value *name = vm_pop (vm), *module = name ? vm_pop (vm) : NULL;

              if (module == NULL)
                return FALSE;
              if (module->kind != V_STR || name->kind != V_STR)
                return vm_fail (vm, "STACK_GLOBAL without a module and a name");
              if (!vm_push (vm, vm_global (vm, module->s.data, name->s.data)))
                return FALSE;
              break;
            }
          case 'Q': /* BINPERSID */
            if (!vm_persistent (vm))
              return FALSE;
            break;
          case 'R': /* REDUCE */
            if (!vm_reduce (vm))
              return FALSE;
            break;
          case 0x81: /* NEWOBJ: only OrderedDict () */
            {
              Value *args = vm_pop (vm), *cls = args ? vm_pop (vm) : NULL;

              if (cls == NULL)
                return FALSE;
              if (cls->kind != V_GLOBAL || cls->g.kind != G_ORDERED_DICT || args->kind != V_TUPLE ||
                  args->items->len != 0)
                return vm_fail (vm, "NEWOBJ makes something other than an OrderedDict");
              if ((v = vm_new (vm, V_DICT)) == NULL)
                return FALSE;
              v->ordered = TRUE;
              if (!vm_push (vm, v))
                return FALSE;
              break;
            }
          case 'b': /* BUILD: the state of an OrderedDict (its _metadata) or an empty one */
            {
              Value *state = vm_pop (vm);

              if (state == NULL || (v = vm_top (vm)) == NULL)
                return FALSE;
              if (v->kind == V_DICT && (state->kind == V_DICT || state->kind == V_NONE))
                break; /* module state dicts carry _metadata: not needed */
              if (v->kind == V_TENSOR &&
                  (state->kind == V_NONE || (state->kind == V_DICT && state->items->len == 0)))
                break;
              return vm_fail (vm, "BUILD sets the state of something that loading does not allow");
            }
          case 'q': /* BINPUT */
            if (!vm_take (vm, 1, &a) || !vm_memo_put (vm, a[0]))
              return FALSE;
            break;
          case 'r': /* LONG_BINPUT */
            if (!vm_take (vm, 4, &a) || !vm_memo_put (vm, le32 (a)))
              return FALSE;
            break;
          case 0x94: /* MEMOIZE */
            if (!vm_memo_put (vm, g_hash_table_size (vm->memo)))
              return FALSE;
            break;
          case 'h': /* BINGET */
            if (!vm_take (vm, 1, &a) || !vm_memo_get (vm, a[0]))
              return FALSE;
            break;
          case 'j': /* LONG_BINGET */
            if (!vm_take (vm, 4, &a) || !vm_memo_get (vm, le32 (a)))
              return FALSE;
            break;
          default:
            vm->p--;
            return vm_fail (
              vm, "opcode 0x%02x is not read (only those of the pickles torch.save writes)", op);
        }
    }
  return vm_fail (vm, "the pickle ends without STOP");
}

/* -- storages -------------------------------------------------------------- */

static gboolean
vm_read_storage (Vm *vm, Storage *s, const guint8 *data, gsize size)
{
  gsize elsize = lt_dtype_get_element_size (s->dtype), n = (gsize) s->numel;

  if (s->numel < 0 || (guint64) s->numel > G_MAXSIZE / 8 || size / s->src_size < n)
    return vm_fail (vm,
                    "storage %s has %" G_GSIZE_FORMAT " bytes, fewer than its %" G_GINT64_FORMAT
                    " elements need",
                    s->key, size, s->numel);
  s->storage = _lt_storage_new (LT_DEVICE_CPU, MAX (n * elsize, 1), vm->error);
  if (s->storage == NULL)
    return FALSE;
  if (s->src == SRC_PLAIN)
    {
      if (n > 0)
        memcpy (s->storage->data, data, n * elsize);
      if (s->dtype == LT_DTYPE_BOOL)
        for (gsize i = 0; i < n; i++)
          ((guint8 *) s->storage->data)[i] = data[i] != 0;
    }
  else
    {
      float *f = s->storage->data;

      for (gsize i = 0; i < n; i++)
        {
          guint16 h = (guint16) (data[2 * i] | (data[2 * i + 1] << 8));

          if (s->src == SRC_HALF)
            f[i] = _lt_half_to_float (h);
          else
            {
              guint32 bits = (guint32) h << 16;

              memcpy (&f[i], &bits, 4);
            }
        }
    }
  return TRUE;
}

/* -- the result -------------------------------------------------------------- */

static void
append_double (GString *out, double f)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (f))
    g_string_append (out, "{\"float\": \"nan\"}");
  else if (isinf (f))
    g_string_append (out, f > 0 ? "{\"float\": \"inf\"}" : "{\"float\": \"-inf\"}");
  else
    {
      g_ascii_dtostr (buf, sizeof buf, f);
      g_string_append (out, buf);
      if (strpbrk (buf, ".eEn") == NULL)
        g_string_append (out, ".0");
    }
}

static gboolean
walk (Vm *vm, Value *v, GString *path, guint depth, GString *out, LtStateDict *dict)
{
  if (++vm->visits > MAX_VISITS || out->len > MAX_OUTPUT)
    return vm_fail (vm,
                    "the object is too large once its shared parts are written out "
                    "(more than %d values or %" G_GSIZE_FORMAT " bytes)",
                    MAX_VISITS, MAX_OUTPUT);
  if (depth > MAX_DEPTH)
    return vm_fail (vm, "containers nested more than %d deep (or a container inside itself)",
                    MAX_DEPTH);
  switch (v->kind)
    {
      case V_NONE:
        g_string_append (out, "null");
        return TRUE;
      case V_BOOL:
        g_string_append (out, v->b ? "true" : "false");
        return TRUE;
      case V_INT:
        g_string_append_printf (out, "%" G_GINT64_FORMAT, v->i);
        return TRUE;
      case V_FLOAT:
        append_double (out, v->f);
        return TRUE;
      case V_STR:
        _lt_json_append_string (out, v->s.data);
        return TRUE;
      case V_BYTES:
        {
          g_autofree char *b64 = g_base64_encode ((const guchar *) v->s.data, v->s.len);

          g_string_append_printf (out, "{\"bytes\": \"%s\"}", b64);
          return TRUE;
        }
      case V_LIST:
      case V_TUPLE:
      case V_DICT:
        {
          gsize base = path->len;
          guint step = v->kind == V_DICT ? 2 : 1;

          g_string_append (out, v->kind == V_LIST    ? "["
                                : v->kind == V_TUPLE ? "{\"tuple\": ["
                                                     : "{\"dict\": [");
          for (guint i = 0; i < v->items->len; i += step)
            {
              Value *item = v->items->pdata[i + step - 1];

              if (i > 0)
                g_string_append (out, ", ");
              if (base > 0)
                g_string_append_c (path, '.');
              if (v->kind != V_DICT)
                g_string_append_printf (path, "%u", i);
              else
                {
                  Value *k = v->items->pdata[i];

                  if (k->kind == V_STR)
                    g_string_append (path, k->s.data);
                  else if (k->kind == V_INT)
                    g_string_append_printf (path, "%" G_GINT64_FORMAT, k->i);
                  else
                    g_string_append_printf (path, "%u", i / 2);
                  g_string_append_c (out, '[');
                  if (!walk (vm, k, path, depth + 1, out, NULL))
                    return FALSE;
                  g_string_append (out, ", ");
                }
              if (!walk (vm, item, path, depth + 1, out, dict))
                return FALSE;
              if (v->kind == V_DICT)
                g_string_append_c (out, ']');
              g_string_truncate (path, base);
            }
          g_string_append (out, v->kind == V_LIST                   ? "]"
                                : v->kind == V_TUPLE || !v->ordered ? "]}"
                                                                    : "], \"ordered\": true}");
          return TRUE;
        }
      case V_TENSOR:
        {
          PendingTensor *t = v->tensor;

          if (dict == NULL)
            return vm_fail (vm, "a dict key is a tensor");
          if (t->made == NULL)
            {
              g_autofree char *name = g_strdup (path->len ? path->str : "tensor");

              for (guint n = 1; lt_state_dict_lookup (dict, name) != NULL; n++)
                {
                  g_free (name);
                  name = g_strdup_printf ("%s#%u", path->len ? path->str : "tensor", n);
                }
              t->made = _lt_tensor_new_with_storage (t->storage->storage, t->shape, t->strides,
                                                     t->ndim, t->offset, t->storage->dtype);
              if (t->requires_grad && !lt_tensor_set_requires_grad (t->made, TRUE, vm->error))
                return FALSE;
              t->name = g_steal_pointer (&name);
              lt_state_dict_insert (dict, t->name, t->made);
            }
          g_string_append (out, "{\"tensor\": ");
          _lt_json_append_string (out, t->name);
          g_string_append_c (out, '}');
          return TRUE;
        }
      case V_STORAGE:
        return vm_fail (vm, "storage %s is given by itself, not in a tensor", v->storage->key);
      case V_GLOBAL:
        return vm_fail (vm, "the result holds a class or a function, not a value");
      case V_MARK:
      default:
        return vm_fail (vm, "the result holds something that is not a value");
    }
}

/* -- the formats ------------------------------------------------------------- */

static gboolean
has_suffix_member (LtZip *zip, char **prefix)
{
  for (guint i = 0; i < _lt_zip_get_n_members (zip); i++)
    {
      const char *name = _lt_zip_get_name (zip, i);
      const char *slash = strchr (name, '/');

      if (slash != NULL && strcmp (slash, "/data.pkl") == 0)
        {
          *prefix = g_strndup (name, (gsize) (slash - name));
          return TRUE;
        }
    }
  return FALSE;
}

static Value *
load_zip (Vm *vm, const guint8 *data, gsize size)
{
  g_autofree char *where = g_strdup_printf ("load: %s", vm->source);
  g_autoptr(LtZip) zip = _lt_zip_open (data, size, where, vm->error);
  g_autofree char *prefix = NULL, *pkl_name = NULL;
  const guint8    *pkl;
  gsize            pkl_size, used;
  Value           *result = NULL;

  if (zip == NULL)
    return NULL;
  if (!has_suffix_member (zip, &prefix))
    {
      vm_fail (vm, "the zip archive has no <name>/data.pkl member: not a file of torch.save");
      return NULL;
    }
  pkl_name = g_strdup_printf ("%s/data.pkl", prefix);
  pkl = _lt_zip_lookup (zip, pkl_name, &pkl_size);
  if (!vm_run (vm, pkl, pkl_size, "data.pkl", &result, &used))
    return NULL;
  if (used != pkl_size)
    {
      vm_fail (vm, "data.pkl has %" G_GSIZE_FORMAT " bytes after its end", pkl_size - used);
      return NULL;
    }
  for (guint i = 0; i < vm->storages->len; i++)
    {
      Storage         *s = vm->storages->pdata[i];
      g_autofree char *member = g_strdup_printf ("%s/data/%s", prefix, s->key);
      gsize            n;
      const guint8    *bytes = _lt_zip_lookup (zip, member, &n);

      if (bytes == NULL)
        {
          vm_fail (vm, "storage %s has no member %s", s->key, member);
          return NULL;
        }
      if (!vm_read_storage (vm, s, bytes, n))
        return NULL;
    }
  return result;
}

static Value *
load_legacy (Vm *vm, const guint8 *data, gsize size)
{
  Value *magic, *version, *info, *result, *keys;
  gsize  used, pos = 0;

  if (!vm_run (vm, data, size, "the magic number", &magic, &used))
    return NULL;
  pos += used;
  if (magic->kind != V_BYTES || strcmp (magic->s.data, "magic") != 0)
    {
      vm_fail (vm, "the file does not start with torch's magic number");
      return NULL;
    }
  if (!vm_run (vm, data + pos, size - pos, "the protocol version", &version, &used))
    return NULL;
  pos += used;
  if (version->kind != V_INT || version->i != 1001)
    {
      vm_fail (vm, "legacy protocol version %" G_GINT64_FORMAT " is not read (1001 is)",
               version->kind == V_INT ? version->i : -1);
      return NULL;
    }
  if (!vm_run (vm, data + pos, size - pos, "the system description", &info, &used))
    return NULL;
  pos += used;
  if (info->kind != V_DICT)
    {
      vm_fail (vm, "the system description is not a dict");
      return NULL;
    }
  if (!vm_run (vm, data + pos, size - pos, "the object's pickle", &result, &used))
    return NULL;
  pos += used;
  if (!vm_run (vm, data + pos, size - pos, "the storage keys", &keys, &used))
    return NULL;
  pos += used;
  if (keys->kind != V_LIST)
    {
      vm_fail (vm, "the storage keys are not a list");
      return NULL;
    }
  for (guint i = 0; i < keys->items->len; i++)
    {
      Value   *k = keys->items->pdata[i];
      Storage *s = k->kind == V_STR ? g_hash_table_lookup (vm->storage_by_key, k->s.data) : NULL;
      gint64   numel;

      if (s == NULL)
        {
          vm_fail (vm, "storage key %u names no storage of the pickle", i);
          return NULL;
        }
      if (s->storage != NULL)
        {
          vm_fail (vm, "storage %s is listed twice", s->key);
          return NULL;
        }
      if (size - pos < 8)
        {
          vm_fail (vm, "the file ends before storage %s (byte %" G_GSIZE_FORMAT ")", s->key, pos);
          return NULL;
        }
      numel = (gint64) le64 (data + pos);
      pos += 8;
      if (numel != s->numel)
        {
          vm_fail (vm,
                   "storage %s has %" G_GINT64_FORMAT
                   " elements in the pickle but %" G_GINT64_FORMAT " in the data",
                   s->key, s->numel, numel);
          return NULL;
        }
      if (!vm_read_storage (vm, s, data + pos, size - pos))
        return NULL;
      pos += (gsize) s->numel * s->src_size;
    }
  for (guint i = 0; i < vm->storages->len; i++)
    if (((Storage *) vm->storages->pdata[i])->storage == NULL)
      {
        vm_fail (vm, "storage %s has no data", ((Storage *) vm->storages->pdata[i])->key);
        return NULL;
      }
  return result;
}

/**
 * lt_torch_load_bytes:
 * @bytes: the contents of a file that torch.save wrote
 * @source: (nullable): how messages name it (a file name); "torch data"
 *   when %NULL
 * @structure: (out) (optional) (transfer full): the structure of the
 *   object as JSON, with each tensor as `{"tensor": "name"}`
 * @error: return location for a #GError
 *
 * Reads a `.pt`/`.pth` file of PyTorch: the zip format of torch.save and
 * the legacy one (`_use_new_zipfile_serialization=False`). Only what
 * `torch.load (weights_only=True)` accepts is read: tensors, storages,
 * dicts, OrderedDicts, lists, tuples, numbers, strings, bytes and None;
 * any other class or function the pickle names (such as `os.system`) is
 * an error naming it, and nothing of the file is run. Every size, offset
 * and count is checked against the data, under hard limits.
 *
 * The tensors are named by the path of keys and indices that leads to
 * them, joined by dots (`fc.weight` for a state dict, `state.0.exp_avg`
 * for an optimizer's); @structure holds the rest: JSON where dicts are
 * `{"dict": [[key, value], ...]}` (with `"ordered": true` for an
 * OrderedDict), tuples `{"tuple": [...]}`, lists
 * arrays, floats always with a point or an exponent (non-finite ones as
 * `{"float": "nan"}`), bytes `{"bytes": "<base64>"}`. Tensors that viewed
 * one storage share one storage; float16 and bfloat16 become float32.
 *
 * Returns: (transfer full) (nullable): the tensors by name, or %NULL with
 *   @error set (%LT_ERROR_FORMAT naming the file, the part of it and the
 *   byte at fault)
 */
LtStateDict *
lt_torch_load_bytes (GBytes *bytes, const char *source, char **structure, GError **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (value_free);
  g_autoptr(GPtrArray) storages = g_ptr_array_new_with_free_func (storage_free);
  g_autoptr(GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(LtStateDict) dict = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) path = NULL;
  Vm            vm = { 0 };
  const guint8 *data;
  gsize         size;
  Value        *result;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  vm.source = source != NULL ? source : "torch data";
  vm.values = values;
  vm.storages = storages;
  vm.storage_by_key = by_key;
  vm.error = error;
  data = g_bytes_get_data (bytes, &size);
  if (size >= 4 && memcmp (data, "PK\3\4", 4) == 0)
    result = load_zip (&vm, data, size);
  else if (size >= 2 && data[0] == 0x80 && data[1] == 0x02)
    result = load_legacy (&vm, data, size);
  else
    {
      vm_fail (&vm, "not a file of torch.save (neither a zip archive nor a legacy pickle)");
      return NULL;
    }
  if (result == NULL)
    return NULL;
  dict = lt_state_dict_new ();
  out = g_string_new (NULL);
  path = g_string_new (NULL);
  if (!walk (&vm, result, path, 0, out, dict))
    return NULL;
  if (structure != NULL)
    *structure = g_string_free (g_steal_pointer (&out), FALSE);
  return g_steal_pointer (&dict);
}

/**
 * lt_torch_load:
 * @path: (type filename): a `.pt` or `.pth` file that torch.save wrote
 * @structure: (out) (optional) (transfer full): the structure of the
 *   object as JSON (see lt_torch_load_bytes())
 * @error: return location for a #GError
 *
 * Reads a file of torch.save as lt_torch_load_bytes() reads its bytes.
 * `model.load_state_dict (lt_torch_load (...))` is the C form of
 * PyTorch's `model.load_state_dict (torch.load (path))`.
 *
 * Returns: (transfer full) (nullable): the tensors by name, or %NULL with
 *   @error set (%LT_ERROR_IO when the file cannot be read)
 */
LtStateDict *
lt_torch_load (const char *path, char **structure, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  bytes = _lt_file_read (path, "load", 0, NULL, error);
  if (bytes == NULL)
    return NULL;
  return lt_torch_load_bytes (bytes, path, structure, error);
}
