/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-blitz: "Deep Learning with PyTorch: A 60 Minute Blitz", section by
 * section, in C with libtensor. Each section prints what the tutorial
 * prints, in the tutorial's order, with the tutorial's Python beside each
 * step.
 *
 *   lt-blitz              run every section
 *   lt-blitz autograd     run the named sections only
 *
 * Every section seeds the random generator (lt_manual_seed()) before it
 * starts, so the output is the same on every run, for any thread count,
 * whichever sections run. Any GError ends the program with its message and
 * status 1.
 *
 * A later section is one more function `section_<name> (GError **error)`
 * appended below and one more row in `sections[]`.
 */

#include <stdlib.h>
#include <string.h>

#include <libtensor.h>

#define F32 LT_DTYPE_FLOAT32

static void
heading (const char *title,
         char        underline)
{
  g_autofree char *rule = g_strnfill (strlen (title), underline);

  g_print ("%s\n%s\n\n", title, rule);
}

static void
subheading (const char *title)
{
  heading (title, '-');
}

/* Prints a step of the tutorial: what it does and its Python code. */
static void
step (const char *what,
      const char *python)
{
  if (what != NULL)
    g_print ("%s\n", what);
  g_print (">>> %s\n", python);
}

/* print(t): the tutorial's text form, then a blank line as Python shows. */
static void
print_tensor (LtTensor *t)
{
  g_autofree char *s = lt_tensor_to_string (t);

  g_print ("%s\n", s);
}

/* print(t.size()) */
static void
print_size (LtTensor *t)
{
  g_autoptr(GString) s = g_string_new ("Lt.Size([");
  guint n_dims;
  const gint64 *shape = lt_tensor_get_shape (t, &n_dims);

  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append (s, "])");
  g_print ("%s\n\n", s->str);
}

/* print(b) for a NumPy array, in NumPy's form: [2. 2. 2. 2. 2.] */
static void
print_array (const double *values,
             gsize         n)
{
  g_autoptr(GString) s = g_string_new ("[");

  for (gsize i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (buf, sizeof buf, "%g", values[i]);
      g_string_append_printf (s, "%s%s%s", i ? " " : "", buf,
                              strpbrk (buf, ".einf") ? "" : ".");
    }
  g_string_append (s, "]");
  g_print ("%s\n\n", s->str);
}

/* print(b) for a NumPy array of float32 */
static void
print_float_array (const float *values,
                   gsize        n)
{
  g_autofree double *d = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    d[i] = values[i];
  print_array (d, n);
}

/* ---- What is PyTorch? Tensors ---- */

static gboolean
section_tensors (GError **error)
{
  const gint64 shape[] = { 5, 3 };
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) sum = NULL;
  g_autoptr(LtTensor) result = NULL;
  g_autoptr(LtTensor) column = NULL;

  step ("Construct a 5x3 matrix, uninitialized:", "x = torch.Tensor(5, 3)");
  x = lt_empty (shape, 2, F32, error);
  if (x == NULL)
    return FALSE;
  print_tensor (x);
  g_clear_object (&x);

  step ("Construct a randomly initialized matrix:", "x = torch.rand(5, 3)");
  x = lt_rand (shape, 2, F32, error);
  if (x == NULL)
    return FALSE;
  print_tensor (x);

  step ("Get its size:", "print(x.size())");
  print_size (x);

  subheading ("Operations");
  step ("Addition: syntax 1", "y = torch.rand(5, 3); print(x + y)");
  y = lt_rand (shape, 2, F32, error);
  if (y == NULL)
    return FALSE;
  sum = lt_tensor_add (x, y, error);
  if (sum == NULL)
    return FALSE;
  print_tensor (sum);
  g_clear_object (&sum);

  step ("Addition: syntax 2", "print(torch.add(x, y))");
  sum = lt_tensor_add (x, y, error);
  if (sum == NULL)
    return FALSE;
  print_tensor (sum);

  step ("Addition: giving an output tensor",
        "result = torch.Tensor(5, 3); torch.add(x, y, out=result); print(result)");
  result = lt_empty (shape, 2, F32, error);
  if (result == NULL || !lt_tensor_add_out (x, y, result, error))
    return FALSE;
  print_tensor (result);

  step ("Addition: in-place (adds x to y)", "y.add_(x); print(y)");
  if (!lt_tensor_add_ (y, x, error))
    return FALSE;
  print_tensor (y);

  step ("Standard NumPy-like indexing: the second column, a view of x", "print(x[:, 1])");
  column = lt_tensor_select (x, 1, 1, error);
  if (column == NULL)
    return FALSE;
  print_tensor (column);

  return TRUE;
}

/* ---- NumPy Bridge: in C, a tensor and a plain array share memory ---- */

static gboolean
section_numpy_bridge (GError **error)
{
  const gint64 shape[] = { 5 };
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  const float *view;
  double array[5];

  /* In C, the NumPy array is the tensor's own memory, read through its
   * data pointer. */
  step ("Converting a Torch Tensor to a NumPy array", "a = torch.ones(5); print(a)");
  a = lt_ones (shape, 1, F32, error);
  if (a == NULL)
    return FALSE;
  print_tensor (a);

  step (NULL, "b = a.numpy(); print(b)");
  view = (const float *) lt_tensor_get_data_ptr (a);
  print_float_array (view, 5);

  step ("See how the numpy array changed in value:", "a.add_(1); print(a); print(b)");
  if (!lt_tensor_add_scalar_ (a, 1, error))
    return FALSE;
  print_tensor (a);
  print_float_array (view, 5);

  /* In C, a plain array wrapped without a copy by lt_tensor_new_wrap(). */
  step ("Converting a NumPy array to a Torch Tensor",
        "a = np.ones(5); b = torch.from_numpy(a); np.add(a, 1, out=a); print(a); print(b)");
  for (gsize i = 0; i < G_N_ELEMENTS (array); i++)
    array[i] = 1;
  b = lt_tensor_new_wrap ((guintptr) array, sizeof array, shape, 1, NULL, 0,
                          LT_DTYPE_FLOAT64, NULL, NULL, NULL, error);
  if (b == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (array); i++)
    array[i] += 1;
  print_array (array, G_N_ELEMENTS (array));
  print_tensor (b);

  return TRUE;
}

/* ---- CUDA Tensors ---- */

static gboolean
section_cuda (GError **error)
{
  const gint64 shape[] = { 5, 3 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) x_cuda = NULL;
  g_autoptr(LtTensor) y_cuda = NULL;
  g_autoptr(LtTensor) sum = NULL;

  step ("Tensors move to the GPU with .cuda(), when CUDA is available:",
        "if torch.cuda.is_available(): x = x.cuda(); y = y.cuda(); x + y");
  x = lt_rand (shape, 2, F32, error);
  if (x == NULL)
    return FALSE;
  y = lt_rand (shape, 2, F32, error);
  if (y == NULL)
    return FALSE;
  x_cuda = lt_tensor_to_device (x, LT_DEVICE_CUDA, &local_error);
  if (x_cuda == NULL)
    {
      if (!g_error_matches (local_error, LT_ERROR, LT_ERROR_DEVICE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_print ("CUDA is not available: %s\n\n", local_error->message);
      return TRUE;
    }
  y_cuda = lt_tensor_to_device (y, LT_DEVICE_CUDA, error);
  if (y_cuda == NULL)
    return FALSE;
  sum = lt_tensor_add (x_cuda, y_cuda, error);
  if (sum == NULL)
    return FALSE;
  print_tensor (sum);

  return TRUE;
}

/* ---- Autograd: automatic differentiation ---- */

static const char *
py_bool (gboolean value)
{
  return value ? "True" : "False";
}

typedef struct {
  LtTensor  *x;
  LtTensor  *result;
  GError   **error;
} SquareWork;

/* The body of `with torch.no_grad(): x ** 2`, run by lt_no_grad(). */
static void
square_in_no_grad (gpointer user_data)
{
  SquareWork *work = user_data;

  work->result = lt_tensor_pow_scalar (work->x, 2, work->error);
}

static gboolean
section_autograd (GError **error)
{
  const gint64 shape[] = { 2, 2 };
  const gint64 shape3[] = { 3 };
  const double gradient_values[] = { 0.1, 1.0, 0.0001 };
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yy = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) gradients = NULL;
  g_autoptr(LtTensor) squared = NULL;
  SquareWork work = { NULL, NULL, NULL };
  double norm = 0;
  guint doublings = 1;

  step ("Create a tensor that records its history:",
        "x = Variable(torch.ones(2, 2), requires_grad=True); print(x)");
  x = lt_ones (shape, 2, F32, error);
  if (x == NULL || !lt_tensor_set_requires_grad (x, TRUE, error))
    return FALSE;
  print_tensor (x);

  step ("Do an operation on it:", "y = x + 2; print(y)");
  y = lt_tensor_add_scalar (x, 2, error);
  if (y == NULL)
    return FALSE;
  print_tensor (y);

  step ("y was created as the result of an operation, so it has a creator:",
        "print(y.grad_fn)");
  g_print ("<%s>\n\n", lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)));

  step ("Do more operations on y:", "z = y * y * 3; out = z.mean(); print(z, out)");
  yy = lt_tensor_mul (y, y, error);
  if (yy == NULL)
    return FALSE;
  z = lt_tensor_mul_scalar (yy, 3, error);
  if (z == NULL)
    return FALSE;
  out = lt_tensor_mean (z, error);
  if (out == NULL)
    return FALSE;
  print_tensor (z);
  print_tensor (out);

  subheading ("Gradients");
  step ("Backprop, then the gradients d(out)/dx: a matrix of 4.5",
        "out.backward(); print(x.grad)");
  if (!lt_tensor_backward (out, NULL, FALSE, error))
    return FALSE;
  print_tensor (lt_tensor_get_grad (x));

  g_clear_object (&x);
  g_clear_object (&y);
  step ("You can do many crazy things with autograd!",
        "x = Variable(torch.randn(3), requires_grad=True)\n"
        ">>> y = x * 2\n"
        ">>> while y.data.norm() < 1000: y = y * 2\n"
        ">>> print(y)");
  /* Seed 0 gives randn values that take ten doublings, as the tutorial's. */
  lt_manual_seed (0);
  x = lt_randn (shape3, 1, F32, error);
  if (x == NULL || !lt_tensor_set_requires_grad (x, TRUE, error))
    return FALSE;
  y = lt_tensor_mul_scalar (x, 2, error);
  if (y == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr(LtTensor) n = lt_tensor_norm (y, 2, error);
      LtTensor *next;

      if (n == NULL || !lt_tensor_item (n, &norm, error))
        return FALSE;
      if (norm >= 1000)
        break;
      next = lt_tensor_mul_scalar (y, 2, error);
      if (next == NULL)
        return FALSE;
      g_object_unref (y);
      y = next;
      doublings++;
    }
  print_tensor (y);

  step (NULL, "gradients = torch.FloatTensor([0.1, 1.0, 0.0001]); y.backward(gradients); "
        "print(x.grad)");
  gradients = lt_tensor_new_from_doubles (gradient_values, G_N_ELEMENTS (gradient_values),
                                          shape3, 1, F32, error);
  if (gradients == NULL || !lt_tensor_backward (y, gradients, FALSE, error))
    return FALSE;
  print_tensor (lt_tensor_get_grad (x));
  g_print ("(y = x * 2^%u, so x.grad = 2^%u * gradients)\n\n", doublings, doublings);

  step ("Stop autograd from tracking history on tensors that require grad:",
        "print(x.requires_grad); print((x ** 2).requires_grad)");
  squared = lt_tensor_pow_scalar (x, 2, error);
  if (squared == NULL)
    return FALSE;
  g_print ("%s\n%s\n", py_bool (lt_tensor_get_requires_grad (x)),
           py_bool (lt_tensor_get_requires_grad (squared)));
  g_clear_object (&squared);
  step (NULL, "with torch.no_grad(): print((x ** 2).requires_grad)");
  work.x = x;
  work.error = error;
  lt_no_grad (square_in_no_grad, &work);
  if (work.result == NULL)
    return FALSE;
  g_print ("%s\n\n", py_bool (lt_tensor_get_requires_grad (work.result)));
  g_object_unref (work.result);

  return TRUE;
}

/* The tutorial's sections, in its order. Later sections (neural
 * networks, training a classifier) append their rows here. */
static const struct {
  const char *name;
  const char *title;
  gboolean  (*run) (GError **error);
} sections[] = {
  { "tensors", "What is PyTorch? Tensors", section_tensors },
  { "numpy", "NumPy Bridge", section_numpy_bridge },
  { "cuda", "CUDA Tensors", section_cuda },
  { "autograd", "Autograd: automatic differentiation", section_autograd },
};

static gboolean
run_section (guint    i,
             GError **error)
{
  heading (sections[i].title, '=');
  lt_manual_seed (0);
  return sections[i].run (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  for (int a = 1; a < argc; a++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
        found = found || g_str_equal (argv[a], sections[i].name);
      if (!found)
        {
          g_printerr ("lt-blitz: no section '%s'; the sections are:", argv[a]);
          for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
            g_printerr (" %s", sections[i].name);
          g_printerr ("\n");
          return EXIT_FAILURE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      gboolean wanted = argc == 1;

      for (int a = 1; a < argc; a++)
        wanted = wanted || g_str_equal (argv[a], sections[i].name);
      if (wanted && !run_section (i, &error))
        {
          g_printerr ("lt-blitz: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }

  return EXIT_SUCCESS;
}
