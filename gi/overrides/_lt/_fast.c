/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * _fast: the hottest methods of the Python Tensor class in C.
 *
 * gi/overrides/Lt.py defines every Tensor method in Python on top of
 * GObject-Introspection; a call such as `x + y` then runs the Python
 * operator, which calls the introspected lt_tensor_add() through
 * PyGObject's generic invoker. This module does the same calls directly:
 * install() puts method descriptors on the Tensor class in place of
 * the Python ones for the operators (+ - * / // % ** @, the comparisons,
 * their reflected and in-place forms), unary minus, `x[i]` with an int,
 * item() and backward() without arguments.
 *
 * Each C method handles the common operands itself (a tensor, a Python
 * int, float or bool, wrapped as a 0-dim tensor exactly as the Python
 * path wraps them, so broadcasting and dtype promotion are the library's
 * in both) and calls the Python method it replaces for anything else
 * (numpy values, other types, keyword arguments, ints beyond int64),
 * so that both paths accept, return and raise the same.  A GError
 * becomes a Python exception through PyGObject's own conversion
 * (pyg_error_check), which makes the same GLib.Error subclass as an
 * introspected call does (gi/overrides/_lt/common.py picks it).
 *
 * Lt.py imports this module unless LT_PYTHON_NO_FAST is set, and keeps
 * the pure-Python methods when it cannot be imported.
 */

#include <Python.h>
#include <pygobject.h>

#include <libtensor.h>

/* The wrapper class of LtTensor (Lt.Tensor as introspected; the
 * overrides' Tensor derives from it), set by install(). */
static PyTypeObject *tensor_type;
/* backward()'s error handler: takes the GLib.Error and returns the
 * exception to raise (a hook's own exception that the error carries). */
static PyObject *backward_error;

/* The Python methods that the C ones replace, by slot (install()). */
enum
{
  SLOT_ADD,
  SLOT_RADD,
  SLOT_SUB,
  SLOT_RSUB,
  SLOT_MUL,
  SLOT_RMUL,
  SLOT_TRUEDIV,
  SLOT_RTRUEDIV,
  SLOT_FLOORDIV,
  SLOT_RFLOORDIV,
  SLOT_MOD,
  SLOT_RMOD,
  SLOT_POW,
  SLOT_RPOW,
  SLOT_MATMUL,
  SLOT_RMATMUL,
  SLOT_EQ,
  SLOT_NE,
  SLOT_LT,
  SLOT_LE,
  SLOT_GT,
  SLOT_GE,
  SLOT_IADD,
  SLOT_ISUB,
  SLOT_IMUL,
  SLOT_ITRUEDIV,
  SLOT_IFLOORDIV,
  SLOT_IMOD,
  SLOT_IPOW,
  SLOT_NEG,
  SLOT_GETITEM,
  SLOT_ITEM,
  SLOT_BACKWARD,
  N_SLOTS
};

static PyObject *fallback[N_SLOTS];

typedef LtTensor *(*BinaryFunc) (LtTensor *, LtTensor *, GError **);
typedef gboolean (*InplaceFunc) (LtTensor *, LtTensor *, GError **);

/* The LtTensor of a Python object when it is a tensor, else NULL. */
static LtTensor *
as_tensor (PyObject *obj)
{
  if (!PyObject_TypeCheck (obj, tensor_type))
    return NULL;
  GObject *gobj = pygobject_get (obj);
  return gobj != NULL && LT_IS_TENSOR (gobj) ? LT_TENSOR (gobj) : NULL;
}

/* The operand `other` as a tensor, as the Python path's _operand() makes
 * it (a new reference in *owned for a wrapped number): a tensor as it is,
 * a bool as a 0-dim bool tensor, an int with lt_scalar_int(), a float
 * with lt_scalar(). NULL for anything else, which the Python method
 * handles. */
static LtTensor *
operand (PyObject *other, LtTensor **owned)
{
  *owned = NULL;
  if (PyFloat_CheckExact (other))
    return *owned = lt_scalar (PyFloat_AS_DOUBLE (other));
  if (PyBool_Check (other))
    return *owned = lt_scalar_tensor (other == Py_True ? 1.0 : 0.0, LT_DTYPE_BOOL);
  if (PyLong_CheckExact (other))
    {
      int       overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow (other, &overflow);
      if (overflow != 0 || (v == -1 && PyErr_Occurred ()))
        {
          PyErr_Clear ();
          return NULL;
        }
      return *owned = lt_scalar_int ((gint64) v);
    }
  return as_tensor (other);
}

/* A new tensor returned with its reference (transfer full) as a Python
 * object, or the exception of `error`. */
static PyObject *
tensor_result (LtTensor *result, GError *error)
{
  if (pyg_error_check (&error))
    {
      g_clear_object (&result);
      return NULL;
    }
  if (result == NULL)
    Py_RETURN_NONE;
  return pygobject_new_full (G_OBJECT (result), TRUE, NULL);
}

static PyObject *
call_fallback (int slot, PyObject *self, PyObject *arg)
{
  PyObject *args[2] = { self, arg };
  return PyObject_Vectorcall (fallback[slot], args, arg ? 2 : 1, NULL);
}

static PyObject *
binary (int slot, BinaryFunc fn, gboolean reflected, PyObject *self, PyObject *other)
{
  LtTensor *a = as_tensor (self);
  LtTensor *owned = NULL;
  LtTensor *b = a ? operand (other, &owned) : NULL;
  if (b == NULL)
    return call_fallback (slot, self, other);

  GError   *error = NULL;
  LtTensor *result;
  Py_BEGIN_ALLOW_THREADS;
  result = reflected ? fn (b, a, &error) : fn (a, b, &error);
  g_clear_object (&owned);
  Py_END_ALLOW_THREADS;
  return tensor_result (result, error);
}

static PyObject *
inplace (int slot, InplaceFunc fn, PyObject *self, PyObject *other)
{
  LtTensor *a = as_tensor (self);
  LtTensor *owned = NULL;
  LtTensor *b = a ? operand (other, &owned) : NULL;
  if (b == NULL)
    return call_fallback (slot, self, other);

  GError *error = NULL;
  Py_BEGIN_ALLOW_THREADS;
  fn (a, b, &error);
  g_clear_object (&owned);
  Py_END_ALLOW_THREADS;
  if (pyg_error_check (&error))
    return NULL;
  return Py_NewRef (self);
}

#define BINARY(name, SLOT, fn)                                                                     \
  static PyObject *fast_##name (PyObject *self, PyObject *other)                                   \
  {                                                                                                \
    return binary (SLOT_##SLOT, fn, FALSE, self, other);                                           \
  }
#define REFLECTED(name, SLOT, fn)                                                                  \
  BINARY (name, SLOT, fn)                                                                          \
  static PyObject *fast_r##name (PyObject *self, PyObject *other)                                  \
  {                                                                                                \
    return binary (SLOT_R##SLOT, fn, TRUE, self, other);                                           \
  }
#define INPLACE(name, SLOT, fn)                                                                    \
  static PyObject *fast_i##name (PyObject *self, PyObject *other)                                  \
  {                                                                                                \
    return inplace (SLOT_I##SLOT, fn, self, other);                                                \
  }

REFLECTED (add, ADD, lt_tensor_add)
REFLECTED (sub, SUB, lt_tensor_sub)
REFLECTED (mul, MUL, lt_tensor_mul)
REFLECTED (truediv, TRUEDIV, lt_tensor_div)
REFLECTED (floordiv, FLOORDIV, lt_tensor_floor_divide)
REFLECTED (mod, MOD, lt_tensor_remainder)
REFLECTED (pow, POW, lt_tensor_pow)
REFLECTED (matmul, MATMUL, lt_tensor_matmul)
BINARY (eq, EQ, lt_tensor_eq)
BINARY (ne, NE, lt_tensor_ne)
BINARY (lt, LT, lt_tensor_lt)
BINARY (le, LE, lt_tensor_le)
BINARY (gt, GT, lt_tensor_gt)
BINARY (ge, GE, lt_tensor_ge)
INPLACE (add, ADD, lt_tensor_add_)
INPLACE (sub, SUB, lt_tensor_sub_)
INPLACE (mul, MUL, lt_tensor_mul_)
INPLACE (truediv, TRUEDIV, lt_tensor_div_)
INPLACE (floordiv, FLOORDIV, lt_tensor_floor_divide_)
INPLACE (mod, MOD, lt_tensor_remainder_)
INPLACE (pow, POW, lt_tensor_pow_)

static PyObject *
fast_neg (PyObject *self, PyObject *unused)
{
  LtTensor *a = as_tensor (self);
  if (a == NULL)
    return call_fallback (SLOT_NEG, self, NULL);

  GError   *error = NULL;
  LtTensor *result;
  Py_BEGIN_ALLOW_THREADS;
  result = lt_tensor_neg (a, &error);
  Py_END_ALLOW_THREADS;
  return tensor_result (result, error);
}

/* x[i] with an int i on a tensor of one dimension or more: the view
 * lt_tensor_select() makes, as the Python path does. */
static PyObject *
fast_getitem (PyObject *self, PyObject *key)
{
  LtTensor *a = as_tensor (self);
  if (a == NULL || !PyLong_CheckExact (key) || lt_tensor_get_n_dims (a) == 0)
    return call_fallback (SLOT_GETITEM, self, key);
  int       overflow = 0;
  long long index = PyLong_AsLongLongAndOverflow (key, &overflow);
  if (overflow != 0 || (index == -1 && PyErr_Occurred ()))
    {
      PyErr_Clear ();
      return call_fallback (SLOT_GETITEM, self, key);
    }

  GError   *error = NULL;
  LtTensor *result;
  Py_BEGIN_ALLOW_THREADS;
  result = lt_tensor_select (a, 0, (gint64) index, &error);
  Py_END_ALLOW_THREADS;
  return tensor_result (result, error);
}

/* item(): a float for a floating tensor, a bool for a bool one, else an
 * int. */
static PyObject *
fast_item (PyObject *self, PyObject *unused)
{
  LtTensor *a = as_tensor (self);
  if (a == NULL)
    return call_fallback (SLOT_ITEM, self, NULL);

  GError *error = NULL;
  LtDType dtype = lt_tensor_get_dtype (a);
  if (dtype == LT_DTYPE_FLOAT32 || dtype == LT_DTYPE_FLOAT64)
    {
      double   v = 0;
      gboolean ok;
      Py_BEGIN_ALLOW_THREADS;
      ok = lt_tensor_item (a, &v, &error);
      Py_END_ALLOW_THREADS;
      if (!ok && pyg_error_check (&error))
        return NULL;
      return PyFloat_FromDouble (v);
    }
  gint64   v = 0;
  gboolean ok;
  Py_BEGIN_ALLOW_THREADS;
  ok = lt_tensor_item_int64 (a, &v, &error);
  Py_END_ALLOW_THREADS;
  if (!ok && pyg_error_check (&error))
    return NULL;
  if (dtype == LT_DTYPE_BOOL)
    return PyBool_FromLong (v != 0);
  return PyLong_FromLongLong ((long long) v);
}

/* backward() without arguments: lt_tensor_backward (self, NULL, FALSE);
 * with any argument, the Python method. */
static PyObject *
fast_backward (PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  LtTensor  *a = as_tensor (self);
  Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE (kwnames) : 0;
  if (a == NULL || nargs != 0 || nkw != 0)
    {
      /* self, then the arguments as they came */
      PyObject  *stack[8];
      Py_ssize_t n = 1 + nargs + nkw;
      PyObject **all = n <= 8 ? stack : PyMem_New (PyObject *, (size_t) n);
      if (all == NULL)
        return PyErr_NoMemory ();
      all[0] = self;
      for (Py_ssize_t i = 0; i < nargs + nkw; i++)
        all[i + 1] = args[i];
      PyObject *res = PyObject_Vectorcall (fallback[SLOT_BACKWARD], all, 1 + nargs, kwnames);
      if (all != stack)
        PyMem_Free (all);
      return res;
    }

  GError  *error = NULL;
  gboolean ok;
  Py_BEGIN_ALLOW_THREADS;
  ok = lt_tensor_backward (a, NULL, FALSE, &error);
  Py_END_ALLOW_THREADS;
  if (ok || !pyg_error_check (&error))
    Py_RETURN_NONE;

  /* A hook's exception that the GError carries is raised as itself, not
   * inside the GLib.Error (no __context__: nothing is being handled). */
  PyObject *type, *value, *tb;
  PyErr_Fetch (&type, &value, &tb);
  PyErr_NormalizeException (&type, &value, &tb);
  PyObject *exc = PyObject_CallOneArg (backward_error, value);
  if (exc != NULL && exc != value)
    {
      Py_XDECREF (type);
      Py_XDECREF (value);
      Py_XDECREF (tb);
      PyErr_SetObject ((PyObject *) Py_TYPE (exc), exc);
      Py_DECREF (exc);
      return NULL;
    }
  Py_XDECREF (exc);
  if (exc == NULL)
    {
      /* the handler failed: its exception wins */
      Py_XDECREF (type);
      Py_XDECREF (value);
      Py_XDECREF (tb);
      return NULL;
    }
  PyErr_Restore (type, value, tb);
  return NULL;
}

typedef struct
{
  int         slot;
  PyMethodDef def;
} FastMethod;

#define M_O(SLOT, name, doc)                                                                       \
  {                                                                                                \
    SLOT_##SLOT, { "__" #name "__", fast_##name, METH_O, doc }                                     \
  }

static FastMethod methods[] = {
  M_O (ADD, add, "self + other"),
  M_O (RADD, radd, "other + self"),
  M_O (SUB, sub, "self - other"),
  M_O (RSUB, rsub, "other - self"),
  M_O (MUL, mul, "self * other"),
  M_O (RMUL, rmul, "other * self"),
  M_O (TRUEDIV, truediv, "self / other"),
  M_O (RTRUEDIV, rtruediv, "other / self"),
  M_O (FLOORDIV, floordiv, "self // other"),
  M_O (RFLOORDIV, rfloordiv, "other // self"),
  M_O (MOD, mod, "self % other"),
  M_O (RMOD, rmod, "other % self"),
  M_O (POW, pow, "self ** other"),
  M_O (RPOW, rpow, "other ** self"),
  M_O (MATMUL, matmul, "self @ other"),
  M_O (RMATMUL, rmatmul, "other @ self"),
  M_O (EQ, eq, "self == other, elementwise"),
  M_O (NE, ne, "self != other, elementwise"),
  M_O (LT, lt, "self < other, elementwise"),
  M_O (LE, le, "self <= other, elementwise"),
  M_O (GT, gt, "self > other, elementwise"),
  M_O (GE, ge, "self >= other, elementwise"),
  M_O (IADD, iadd, "self += other"),
  M_O (ISUB, isub, "self -= other"),
  M_O (IMUL, imul, "self *= other"),
  M_O (ITRUEDIV, itruediv, "self /= other"),
  M_O (IFLOORDIV, ifloordiv, "self //= other"),
  M_O (IMOD, imod, "self %= other"),
  M_O (IPOW, ipow, "self **= other"),
  { SLOT_NEG, { "__neg__", fast_neg, METH_NOARGS, "-self" } },
  M_O (GETITEM, getitem, "self[key]"),
  { SLOT_ITEM,
    { "item", fast_item, METH_NOARGS, "The value of a one-element tensor as a Python number." } },
  { SLOT_BACKWARD,
    { "backward", (PyCFunction) (void (*) (void)) fast_backward, METH_FASTCALL | METH_KEYWORDS,
      "Computes the gradients of this tensor with respect to the leaves." } },
};

G_STATIC_ASSERT (G_N_ELEMENTS (methods) == N_SLOTS);

/* install(cls, gi_class, backward_error): replaces the methods of the
 * Python class `cls` (a subclass of the introspected `gi_class`) named
 * in `methods` with the C ones; each keeps the Python method it replaces
 * for the operands it does not handle. */
static PyObject *
fast_install (PyObject *module, PyObject *args)
{
  PyTypeObject *cls, *gi_class;
  PyObject     *on_backward_error;
  if (!PyArg_ParseTuple (args, "O!O!O:install", &PyType_Type, &cls, &PyType_Type, &gi_class,
                         &on_backward_error))
    return NULL;
  if (tensor_type != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "install: the C methods are installed already");
      return NULL;
    }
  if (!PyType_IsSubtype (cls, gi_class) || !PyType_IsSubtype (gi_class, &PyGObject_Type) ||
      pyg_type_from_object ((PyObject *) gi_class) != LT_TYPE_TENSOR)
    {
      PyErr_SetString (PyExc_TypeError,
                       "install: expected the Tensor class and Lt.Tensor's wrapper class");
      return NULL;
    }

  PyObject *found[N_SLOTS] = { NULL };
  PyObject *descrs[N_SLOTS] = { NULL };
  gboolean  ok = TRUE;
  for (int i = 0; i < N_SLOTS && ok; i++)
    {
      const char *name = methods[i].def.ml_name;
      found[i] = PyObject_GetAttrString ((PyObject *) cls, name);
      descrs[i] = found[i] ? PyDescr_NewMethod (cls, &methods[i].def) : NULL;
      ok = descrs[i] != NULL;
    }
  for (int i = 0; i < N_SLOTS && ok; i++)
    ok = PyObject_SetAttrString ((PyObject *) cls, methods[i].def.ml_name, descrs[i]) == 0;
  if (!ok)
    {
      /* put back what was replaced */
      PyObject *exc_type, *exc_value, *exc_tb;
      PyErr_Fetch (&exc_type, &exc_value, &exc_tb);
      for (int i = 0; i < N_SLOTS; i++)
        {
          if (found[i] != NULL &&
              PyObject_SetAttrString ((PyObject *) cls, methods[i].def.ml_name, found[i]) < 0)
            PyErr_Clear ();
          Py_XDECREF (found[i]);
          Py_XDECREF (descrs[i]);
        }
      PyErr_Restore (exc_type, exc_value, exc_tb);
      return NULL;
    }
  for (int i = 0; i < N_SLOTS; i++)
    {
      fallback[methods[i].slot] = found[i];
      Py_DECREF (descrs[i]);
    }
  tensor_type = (PyTypeObject *) Py_NewRef (gi_class);
  backward_error = Py_NewRef (on_backward_error);
  Py_RETURN_NONE;
}

/* names(): the methods install() replaces. */
static PyObject *
fast_names (PyObject *module, PyObject *unused)
{
  PyObject *list = PyList_New (N_SLOTS);
  if (list == NULL)
    return NULL;
  for (int i = 0; i < N_SLOTS; i++)
    {
      PyObject *name = PyUnicode_FromString (methods[i].def.ml_name);
      if (name == NULL)
        {
          Py_DECREF (list);
          return NULL;
        }
      PyList_SET_ITEM (list, i, name);
    }
  return list;
}

static PyMethodDef module_methods[] = {
  { "install", fast_install, METH_VARARGS,
    "install(cls, gi_class, backward_error): puts the C methods on cls." },
  { "names", fast_names, METH_NOARGS, "names(): the methods install() replaces." },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_fast",
  .m_doc = "The hottest Tensor methods of the Lt overrides, in C.",
  .m_size = -1,
  .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__fast (void);

PyMODINIT_FUNC
PyInit__fast (void)
{
  PyObject *gobject = pygobject_init (3, 0, 0);
  if (gobject == NULL)
    return NULL;
  Py_DECREF (gobject);
  return PyModule_Create (&module_def);
}
