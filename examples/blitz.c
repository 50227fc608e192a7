/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-blitz: "Deep Learning with PyTorch: A 60 Minute Blitz", section by
 * section, in C with libtensor. Each section prints what the tutorial
 * prints, in the tutorial's order, with the tutorial's Python beside each
 * step.
 *
 *   lt-blitz              run every section
 *   lt-blitz autograd     run the named sections only
 *   lt-blitz --data DIR --epochs 2 --log-interval 2000 classifier
 *
 * The classifier reads CIFAR-10 from --data (default ./data: the folder
 * that holds cifar-10-batches-bin/ or the archive cifar-10-binary.tar.gz),
 * trains for --epochs epochs, printing the running loss every
 * --log-interval mini-batches, and saves the batches it shows as PNG
 * pictures in --output (default .). Without the data it says so and goes
 * on. `lt-blitz --help` lists the options.
 *
 * Every section seeds the random generator (lt_manual_seed()) before it
 * starts, so the output is the same on every run, for any thread count,
 * whichever sections run. Any GError ends the program with its message and
 * status 1; a bad option, with status 2.
 *
 * blitz.py and blitz.js print the same, line for line, for the sections
 * where the languages do the same thing (the tests compare them).
 */

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <libtensor.h>

#include "lt-train-net.h"

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

/* ---- Neural Networks ---- */

/* The command line's options, for the sections that take some. */
static struct {
  char *data;
  char *output;
  int epochs;
  int log_interval;
  int batch_size;
  int workers;
} options = { NULL, NULL, 2, 2000, 4, 2 };

/*
 * class Net(nn.Module): the tutorial's network, defined once in C in
 * viewer/cli/lt-train-net.c (lt-train trains it; the tests and the benches
 * use it too). With in-channels 1 it is the one of "Neural Networks" (max
 * pooling with F.max_pool2d); with 3 the classifier's, which holds its
 * pooling as a module, self.pool. Both print as "Net", as in the tutorial.
 */
static LtModule *
net_new (gint64 in_channels)
{
  g_autoptr(GError) error = NULL;
  LtTrainNet *net =
    in_channels == 1 ? lt_train_net_new_nn (&error) : lt_train_net_new (in_channels, &error);

  if (net == NULL)
    g_error ("Net: %s", error->message); /* fixed sizes: cannot happen */
  return LT_MODULE (net);
}

/* print(net) */
static void
print_module (LtModule *m)
{
  g_autofree char *s = lt_module_to_string (m);

  g_print ("%s\n\n", s);
}

/* print(loss.grad_fn) and friends: the node's name */
static void
print_grad_fn (LtGradFn *fn)
{
  g_print ("<%s>\n", fn != NULL ? lt_grad_fn_get_name (fn) : "None");
}

/* The next function @index of @fn (next_functions[index][0]) */
static LtGradFn *
next_function (LtGradFn *fn,
               guint     index)
{
  guint input_nr;

  if (fn == NULL || index >= lt_grad_fn_get_n_next_functions (fn))
    return NULL;
  return lt_grad_fn_get_next_function (fn, index, &input_nr);
}

/* for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate) */
static gboolean
update_by_hand (LtModule *net,
                double    learning_rate,
                GError  **error)
{
  g_autoptr(GPtrArray) params = lt_module_parameters (net);

  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *f = g_ptr_array_index (params, i);
      g_autoptr(LtTensor) data = lt_tensor_detach (f);
      g_autoptr(LtTensor) grad = lt_tensor_detach (lt_tensor_get_grad (f));
      g_autoptr(LtTensor) step = lt_tensor_mul_scalar (grad, learning_rate, error);

      if (step == NULL || !lt_tensor_sub_ (data, step, error))
        return FALSE;
    }
  return TRUE;
}

/* criterion(net(input), target).item() */
static gboolean
loss_value (LtModule  *net,
            LtLoss    *criterion,
            LtTensor  *input,
            LtTensor  *target,
            double    *value,
            GError   **error)
{
  g_autoptr(LtTensor) output = lt_module_forward (net, input, error);
  g_autoptr(LtTensor) loss = NULL;

  if (output == NULL || !(loss = lt_loss_compute (criterion, output, target, error)))
    return FALSE;
  return lt_tensor_item (loss, value, error);
}

static gboolean
section_neural_networks (GError **error)
{
  const gint64 input_shape[] = { 1, 1, 32, 32 };
  const gint64 grad_shape[] = { 1, 10 };
  g_autoptr(LtModule) net = NULL;
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) gradient = NULL;
  g_autoptr(LtTensor) output = NULL;
  g_autoptr(LtTensor) target = NULL;
  g_autoptr(LtMSELoss) criterion = NULL;
  g_autoptr(LtTensor) loss = NULL;
  g_autoptr(LtSGD) optimizer = NULL;
  LtGradFn *fn;
  double before, after;

  subheading ("Define the network");
  step ("A subclass of nn.Module: conv1 1->6 5x5, conv2 6->16 5x5, fc1 400->120, "
        "fc2 120->84, fc3 84->10", "net = Net(); print(net)");
  net = net_new (1);
  print_module (net);

  step ("The learnable parameters are returned by net.parameters():",
        "params = list(net.parameters()); print(len(params)); print(params[0].size())  "
        "# conv1's .weight");
  params = lt_module_parameters (net);
  g_print ("%u\n", params->len);
  print_size (g_ptr_array_index (params, 0));

  step ("The input of forward is a tensor, so is the output:",
        "input = Variable(torch.randn(1, 1, 32, 32)); out = net(input); print(out)");
  input = lt_randn (input_shape, 4, F32, error);
  if (input == NULL || !(out = lt_module_forward (net, input, error)))
    return FALSE;
  print_tensor (out);

  step ("Zero the gradient buffers of all parameters and backprop with random gradients:",
        "net.zero_grad(); out.backward(torch.randn(1, 10))");
  lt_module_zero_grad (net, FALSE);
  gradient = lt_randn (grad_shape, 2, F32, error);
  if (gradient == NULL || !lt_tensor_backward (out, gradient, FALSE, error))
    return FALSE;
  g_print ("\n");

  subheading ("Loss Function");
  step ("nn.MSELoss computes the mean-squared error between the input and the target:",
        "output = net(input); target = Variable(torch.arange(1, 11)); "
        "criterion = nn.MSELoss(); loss = criterion(output, target); print(loss)");
  output = lt_module_forward (net, input, error);
  if (output == NULL)
    return FALSE;
  target = lt_arange (1, 11, 1, F32, error);   /* a dummy target, for example */
  if (target == NULL)
    return FALSE;
  criterion = lt_mse_loss_new (LT_REDUCTION_MEAN);
  loss = lt_loss_compute (LT_LOSS (criterion), output, target, error);
  if (loss == NULL)
    return FALSE;
  print_tensor (loss);

  step ("Following loss backwards through its grad_fn: MSELoss, linear (addmm), "
        "then the bias of fc3 (the tutorial's .creator is .grad_fn):",
        "print(loss.grad_fn); print(loss.grad_fn.next_functions[0][0]); "
        "print(loss.grad_fn.next_functions[0][0].next_functions[0][0])");
  fn = lt_tensor_get_grad_fn (loss);
  print_grad_fn (fn);                            /* MSELoss */
  print_grad_fn (next_function (fn, 0));         /* Linear */
  print_grad_fn (next_function (next_function (fn, 0), 0));   /* the bias of fc3 */
  g_print ("\n");

  subheading ("Backprop");
  step ("Clear the existing gradients, then look at conv1's bias gradient before and "
        "after backward:",
        "net.zero_grad(); print('conv1.bias.grad before backward'); "
        "print(net.conv1.bias.grad); loss.backward(); "
        "print('conv1.bias.grad after backward'); print(net.conv1.bias.grad)");
  lt_module_zero_grad (net, FALSE);     /* zeroes the gradient buffers of all parameters */
  g_print ("conv1.bias.grad before backward\n");
  print_tensor (lt_tensor_get_grad (lt_module_get_parameter (lt_module_get_child (net, "conv1"),
                                                             "bias")));
  if (!lt_tensor_backward (loss, NULL, FALSE, error))
    return FALSE;
  g_print ("conv1.bias.grad after backward\n");
  print_tensor (lt_tensor_get_grad (lt_module_get_parameter (lt_module_get_child (net, "conv1"),
                                                             "bias")));

  subheading ("Update the weights");
  step ("The simplest update rule, stochastic gradient descent: "
        "weight = weight - learning_rate * gradient",
        "learning_rate = 0.01\n"
        ">>> for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate)");
  if (!lt_tensor_item (loss, &before, error) ||
      !update_by_hand (net, 0.01, error) ||
      !loss_value (net, LT_LOSS (criterion), input, target, &after, error))
    return FALSE;
  g_print ("loss before the update: %.4f, after: %.4f\n\n", before, after);

  step ("The same with torch.optim:",
        "optimizer = optim.SGD(net.parameters(), lr=0.01)\n"
        ">>> optimizer.zero_grad(); output = net(input); loss = criterion(output, target); "
        "loss.backward(); optimizer.step()");
  optimizer = lt_sgd_new (params, 0.01, 0, 0, 0, FALSE, error);
  if (optimizer == NULL)
    return FALSE;
  lt_optimizer_zero_grad (LT_OPTIMIZER (optimizer), FALSE);   /* zero the gradient buffers */
  g_clear_object (&output);
  g_clear_object (&loss);
  if (!(output = lt_module_forward (net, input, error)) ||
      !(loss = lt_loss_compute (LT_LOSS (criterion), output, target, error)) ||
      !lt_tensor_backward (loss, NULL, FALSE, error) ||
      !lt_optimizer_step (LT_OPTIMIZER (optimizer), error) ||   /* does the update */
      !lt_tensor_item (loss, &before, error) ||
      !loss_value (net, LT_LOSS (criterion), input, target, &after, error))
    return FALSE;
  g_print ("loss before the step: %.4f, after: %.4f\n\n", before, after);

  return TRUE;
}

/* ---- Training a classifier ---- */

static const char *const classes[10] = {
  "plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

/* The class name of element @i of the int64 tensor @labels */
static const char *
class_name (LtTensor *labels,
            gint64    i,
            GError  **error)
{
  g_autoptr(LtTensor) element = lt_tensor_select (labels, 0, i, error);
  gint64 label;

  if (element == NULL || !lt_tensor_item_int64 (element, &label, error))
    return NULL;
  if (label < 0 || label >= (gint64) G_N_ELEMENTS (classes))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "blitz: label %" G_GINT64_FORMAT
                   " is not one of the 10 classes", label);
      return NULL;
    }
  return classes[label];
}

/* print(prefix, ' '.join('%5s' % classes[labels[j]] for j in range(4))) */
static gboolean
print_labels (const char *prefix,
              LtTensor   *labels,
              GError    **error)
{
  g_autoptr(GString) line = g_string_new (prefix);
  gint64 n = lt_tensor_get_size (labels, 0, error);

  if (n < 0)
    return FALSE;

  for (gint64 j = 0; j < n; j++)
    {
      const char *name = class_name (labels, j, error);

      if (name == NULL)
        return FALSE;
      g_string_append_printf (line, "%s%5s", j ? " " : "", name);
    }
  g_print ("%s\n", line->str);
  return TRUE;
}

/* imshow(torchvision.utils.make_grid(images)): the tutorial shows the grid
 * with matplotlib; here it goes to a PNG. */
static gboolean
imshow (LtTensor   *images,
        const char *name,
        GError    **error)
{
  g_autoptr(LtTensor) grid = lt_make_grid (images, 8, 2, FALSE, NULL, FALSE, 0, error);
  g_autoptr(LtTensor) half = NULL;
  g_autoptr(LtTensor) img = NULL;
  g_autofree char *path = g_build_filename (options.output, name, NULL);

  if (g_mkdir_with_parents (options.output, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "cannot make the folder %s: %s", options.output, g_strerror (saved_errno));
      return FALSE;
    }
  if (grid == NULL ||
      !(half = lt_tensor_div_scalar (grid, 2, error)) ||
      !(img = lt_tensor_add_scalar (half, 0.5, error)) ||      /* unnormalize */
      !lt_save_image (img, path, 8, 2, FALSE, NULL, FALSE, 0, error))
    return FALSE;
  g_print ("(the grid is in %s)\n", path);
  return TRUE;
}

/* _, predicted = torch.max(net(images), 1) */
static LtTensor *
predict (LtModule *net,
         LtTensor *images,
         GError  **error)
{
  g_autoptr(LtTensor) outputs = lt_module_forward (net, images, error);
  g_autoptr(LtTensor) values = NULL;
  LtTensor *predicted = NULL;

  if (outputs == NULL)
    return NULL;
  values = lt_tensor_max_dim (outputs, 1, FALSE, &predicted, error);
  if (values == NULL)
    return NULL;
  return predicted;
}

/* One pass over the test set: correct and total per class. */
static gboolean
evaluate (LtModule     *net,
          LtDataLoader *testloader,
          double        class_correct[10],
          double        class_total[10],
          GError      **error)
{
  lt_data_loader_reset (testloader);
  for (;;)
    {
      g_autoptr(LtTensor) images = NULL;
      g_autoptr(LtTensor) labels = NULL;
      g_autoptr(LtTensor) predicted = NULL;
      g_autofree gint64 *p = NULL;
      g_autofree gint64 *l = NULL;
      gsize n;

      if (!lt_data_loader_next (testloader, &images, &labels, error))
        return FALSE;
      if (images == NULL)
        return TRUE; /* the end of the test set */
      if (!(predicted = predict (net, images, error)) ||
          !(p = lt_tensor_to_int64s (predicted, &n, error)) ||
          !(l = lt_tensor_to_int64s (labels, &n, error)))
        return FALSE;
      for (gsize i = 0; i < n; i++)
        {
          if (l[i] < 0 || l[i] >= 10)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "blitz: label %" G_GINT64_FORMAT
                           " is not one of the 10 classes", l[i]);
              return FALSE;
            }
          class_correct[l[i]] += p[i] == l[i];
          class_total[l[i]] += 1;
        }
    }
}

static gboolean
train (LtModule     *net,
       LtDataLoader *trainloader,
       GError      **error)
{
  g_autoptr(LtCrossEntropyLoss) criterion = NULL;
  g_autoptr(LtSGD) optimizer = NULL;
  g_autoptr(GPtrArray) params = lt_module_parameters (net);
  int interval = options.log_interval;

  subheading ("3. Define a Loss function and optimizer");
  step ("Classification Cross-Entropy loss and SGD with momentum:",
        "criterion = nn.CrossEntropyLoss(); "
        "optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)");
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, error);
  if (criterion == NULL)
    return FALSE;
  optimizer = lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, error);
  if (optimizer == NULL)
    return FALSE;
  g_print ("\n");

  subheading ("4. Train the network");
  g_print ("Loop over the data, feed the inputs to the network and optimize "
           "(%d epochs, the loss every %d mini-batches):\n", options.epochs, interval);
  g_print (">>> for epoch in range(%d): for i, data in enumerate(trainloader, 0): ...\n",
           options.epochs);
  for (int epoch = 0; epoch < options.epochs; epoch++)  /* loop over the dataset multiple times */
    {
      double running_loss = 0.0;

      lt_data_loader_reset (trainloader);
      for (gint64 i = 0;; i++)
        {
          g_autoptr(LtTensor) inputs = NULL;
          g_autoptr(LtTensor) labels = NULL;
          g_autoptr(LtTensor) outputs = NULL;
          g_autoptr(LtTensor) loss = NULL;
          double value;

          /* get the inputs */
          if (!lt_data_loader_next (trainloader, &inputs, &labels, error))
            return FALSE;
          if (inputs == NULL)
            break; /* the end of the epoch */

          /* zero the parameter gradients */
          lt_optimizer_zero_grad (LT_OPTIMIZER (optimizer), FALSE);

          /* forward + backward + optimize */
          if (!(outputs = lt_module_forward (net, inputs, error)) ||
              !(loss = lt_loss_compute (LT_LOSS (criterion), outputs, labels, error)) ||
              !lt_tensor_backward (loss, NULL, FALSE, error) ||
              !lt_optimizer_step (LT_OPTIMIZER (optimizer), error))
            return FALSE;

          /* print statistics */
          if (!lt_tensor_item (loss, &value, error))
            return FALSE;
          running_loss += value;
          if (i % interval == interval - 1)  /* print every `interval` mini-batches */
            {
              g_print ("[%d, %5" G_GINT64_FORMAT "] loss: %.3f\n", epoch + 1, i + 1,
                       running_loss / interval);
              running_loss = 0.0;
            }
        }
    }
  g_print ("Finished Training\n\n");
  return TRUE;
}

static gboolean
test (LtModule     *net,
      LtDataLoader *testloader,
      GError      **error)
{
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_autoptr(LtTensor) predicted = NULL;
  double class_correct[10] = { 0 }, class_total[10] = { 0 };
  double correct = 0, total = 0;
  gboolean grad_enabled, ok;

  subheading ("5. Test the network on the test data");
  step ("Some images of the test set and their labels:",
        "dataiter = iter(testloader); images, labels = dataiter.next()\n"
        ">>> imshow(torchvision.utils.make_grid(images))\n"
        ">>> print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(4)))");
  lt_data_loader_reset (testloader);
  if (!lt_data_loader_next (testloader, &images, &labels, error))
    return FALSE;
  if (images == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "blitz: the test set is empty");
      return FALSE;
    }
  if (!imshow (images, "cifar-test-batch.png", error) ||
      !print_labels ("GroundTruth:  ", labels, error))
    return FALSE;

  step ("What the network thinks they are: the class of the highest energy",
        "outputs = net(Variable(images)); _, predicted = torch.max(outputs.data, 1)\n"
        ">>> print('Predicted: ', ' '.join('%5s' % classes[predicted[j]] for j in range(4)))");
  if (!(predicted = predict (net, images, error)) ||
      !print_labels ("Predicted:  ", predicted, error))
    return FALSE;
  g_print ("\n");

  step ("How the network performs on the whole dataset:",
        "for data in testloader: ... correct += (predicted == labels).sum()");
  grad_enabled = lt_set_grad_enabled (FALSE);   /* with torch.no_grad(): */
  ok = evaluate (net, testloader, class_correct, class_total, error);
  lt_set_grad_enabled (grad_enabled);
  if (!ok)
    return FALSE;
  for (int i = 0; i < 10; i++)
    {
      correct += class_correct[i];
      total += class_total[i];
    }
  g_print ("Accuracy of the network on the %.0f test images: %d %%\n\n", total,
           (int) (100 * correct / total));

  step ("The classes that performed well, and those that did not:",
        "c = (predicted == labels).squeeze(); class_correct[label] += c[i]; ...");
  memset (class_correct, 0, sizeof class_correct);
  memset (class_total, 0, sizeof class_total);
  grad_enabled = lt_set_grad_enabled (FALSE);
  ok = evaluate (net, testloader, class_correct, class_total, error);
  lt_set_grad_enabled (grad_enabled);
  if (!ok)
    return FALSE;
  for (int i = 0; i < 10; i++)
    {
      if (class_total[i] == 0)
        g_print ("Accuracy of %5s: no test images\n", classes[i]);
      else
        g_print ("Accuracy of %5s: %2d %%\n", classes[i],
                 (int) (100 * class_correct[i] / class_total[i]));
    }
  g_print ("\n");
  return TRUE;
}

static gboolean
section_classifier (GError **error)
{
  static const double half[3] = { 0.5, 0.5, 0.5 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LtTransform) to_tensor = NULL;
  g_autoptr(LtTransform) normalize = NULL;
  g_autoptr(LtTransform) transform = NULL;
  g_autoptr(LtCifar10) trainset = NULL;
  g_autoptr(LtCifar10) testset = NULL;
  g_autoptr(LtDataLoader) trainloader = NULL;
  g_autoptr(LtDataLoader) testloader = NULL;
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_autoptr(LtModule) net = NULL;
  LtTransform *items[2];

  subheading ("1. Loading and normalizing CIFAR10");
  g_print ("Tensors of normalized range [-1, 1]:\n");
  g_print (">>> transform = transforms.Compose([transforms.ToTensor(), "
           "transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n");
  g_print (">>> trainset = torchvision.datasets.CIFAR10(root='%s', train=True, "
           "transform=transform)\n", options.data);
  g_print (">>> trainloader = torch.utils.data.DataLoader(trainset, batch_size=%d, "
           "shuffle=True, num_workers=%d)\n", options.batch_size, options.workers);
  g_print (">>> testset = torchvision.datasets.CIFAR10(root='%s', train=False, "
           "transform=transform)\n", options.data);
  g_print (">>> testloader = torch.utils.data.DataLoader(testset, batch_size=%d, "
           "shuffle=True, num_workers=%d)\n", options.batch_size, options.workers);
  to_tensor = lt_to_tensor_new ();
  normalize = lt_normalize_new (half, 3, half, 3, error);
  if (normalize == NULL)
    return FALSE;
  items[0] = to_tensor;
  items[1] = normalize;
  transform = lt_compose_new (items, 2);
  trainset = lt_cifar10_new (options.data, TRUE, transform, NULL, FALSE, NULL, &local_error);
  if (trainset != NULL)
    testset = lt_cifar10_new (options.data, FALSE, transform, NULL, FALSE, NULL, &local_error);
  if (testset == NULL)
    {
      if (!g_error_matches (local_error, LT_ERROR, LT_ERROR_IO))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_print ("Skipping this section: %s\n", local_error->message);
      g_print ("(pass --data with the folder that holds cifar-10-batches-bin/ or "
               "cifar-10-binary.tar.gz)\n\n");
      return TRUE;
    }
  trainloader = lt_data_loader_new (LT_DATASET (trainset), options.batch_size, TRUE, FALSE,
                                    options.workers, error);
  if (trainloader == NULL)
    return FALSE;
  testloader = lt_data_loader_new (LT_DATASET (testset), options.batch_size, TRUE, FALSE,
                                   options.workers, error);
  if (testloader == NULL)
    return FALSE;
  g_print ("%" G_GINT64_FORMAT " training images, %" G_GINT64_FORMAT " test images\n\n",
           lt_dataset_get_length (LT_DATASET (trainset)),
           lt_dataset_get_length (LT_DATASET (testset)));

  step ("Some of the training images:",
        "dataiter = iter(trainloader); images, labels = dataiter.next()\n"
        ">>> imshow(torchvision.utils.make_grid(images))\n"
        ">>> print(' '.join('%5s' % classes[labels[j]] for j in range(4)))");
  lt_data_loader_reset (trainloader);
  if (!lt_data_loader_next (trainloader, &images, &labels, error))
    return FALSE;
  if (images == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "blitz: the training set is empty");
      return FALSE;
    }
  if (!imshow (images, "cifar-train-batch.png", error) || !print_labels ("", labels, error))
    return FALSE;
  g_print ("\n");

  subheading ("2. Define a Convolutional Neural Network");
  step ("The network of \"Neural Networks\", taking 3-channel images:",
        "net = Net(); print(net)");
  net = net_new (3);
  print_module (net);

  return train (net, trainloader, error) && test (net, testloader, error);
}

/* ---- Training on GPU ---- */

static gboolean
section_gpu (GError **error)
{
  const gint64 one[] = { 1 };
  const gint64 input_shape[] = { 4, 3, 32, 32 };
  const gint64 label_values[] = { 0, 1, 2, 3 };
  const gint64 label_shape[] = { 4 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(LtTensor) probe = NULL;
  g_autoptr(LtTensor) probe_cuda = NULL;
  g_autoptr(LtModule) net = NULL;
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(LtCrossEntropyLoss) criterion = NULL;
  g_autoptr(LtSGD) optimizer = NULL;
  g_autoptr(LtTensor) x = NULL, inputs = NULL, y = NULL, labels = NULL;
  g_autoptr(LtTensor) outputs = NULL, loss = NULL;
  double value;

  step ("The network moves to the GPU like a tensor, and so must every batch:",
        "device = torch.device(\"cuda:0\" if torch.cuda.is_available() else \"cpu\"); "
        "print(device)\n"
        ">>> net.to(device); inputs, labels = inputs.to(device), labels.to(device)");
  probe = lt_zeros (one, 1, F32, error);
  if (probe == NULL)
    return FALSE;
  probe_cuda = lt_tensor_to_device (probe, LT_DEVICE_CUDA, &local_error);
  g_print ("%s\n", probe_cuda != NULL ? "cuda:0" : "cpu");
  if (probe_cuda == NULL)
    {
      if (!g_error_matches (local_error, LT_ERROR, LT_ERROR_DEVICE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_print ("CUDA is not available: %s\n\n", local_error->message);
      return TRUE;
    }

  net = net_new (3);
  if (!lt_module_to_device (net, LT_DEVICE_CUDA, error))
    return FALSE;
  params = lt_module_parameters (net);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, error);
  if (criterion == NULL || !(optimizer = lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, error)))
    return FALSE;
  if (!(x = lt_randn (input_shape, 4, F32, error)) ||
      !(inputs = lt_tensor_to_device (x, LT_DEVICE_CUDA, error)) ||
      !(y = lt_tensor_new_from_int64s (label_values, 4, label_shape, 1, LT_DTYPE_INT64, error)) ||
      !(labels = lt_tensor_to_device (y, LT_DEVICE_CUDA, error)))
    return FALSE;
  lt_optimizer_zero_grad (LT_OPTIMIZER (optimizer), FALSE);
  if (!(outputs = lt_module_forward (net, inputs, error)) ||
      !(loss = lt_loss_compute (LT_LOSS (criterion), outputs, labels, error)) ||
      !lt_tensor_backward (loss, NULL, FALSE, error) ||
      !lt_optimizer_step (LT_OPTIMIZER (optimizer), error) ||
      !lt_tensor_item (loss, &value, error))
    return FALSE;
  g_print ("one step on cuda:0: loss %.3f\n\n", value);
  return TRUE;
}

/* The tutorial's sections, in its order. */
static const struct {
  const char *name;
  const char *title;
  gboolean  (*run) (GError **error);
} sections[] = {
  { "tensors", "What is PyTorch? Tensors", section_tensors },
  { "numpy", "NumPy Bridge", section_numpy_bridge },
  { "cuda", "CUDA Tensors", section_cuda },
  { "autograd", "Autograd: automatic differentiation", section_autograd },
  { "nn", "Neural Networks", section_neural_networks },
  { "classifier", "Training a classifier", section_classifier },
  { "gpu", "Training on GPU", section_gpu },
};

static gboolean
run_section (guint    i,
             GError **error)
{
  heading (sections[i].title, '=');
  lt_manual_seed (0);
  return sections[i].run (error);
}

static gboolean
is_section (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    if (g_str_equal (name, sections[i].name))
      return TRUE;
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *summary = NULL;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &options.data,
      "The folder that holds CIFAR-10 (default: ./data)", "DIR" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &options.epochs,
      "Passes over the training set (default: 2)", "N" },
    { "log-interval", 0, 0, G_OPTION_ARG_INT, &options.log_interval,
      "Print the running loss every N mini-batches (default: 2000)", "N" },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &options.batch_size,
      "Images per mini-batch (default: 4)", "N" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &options.workers,
      "Threads that read the data ahead (default: 2)", "N" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &options.output,
      "The folder for the pictures of the batches (default: .)", "DIR" },
    { NULL },
  };

  setlocale (LC_ALL, "");
  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", sections[i].name);
  summary = g_strdup_printf ("The 60 minute blitz, section by section: %s.", names->str);
  context = g_option_context_new ("[SECTION…]");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("lt-blitz: %s\n", error->message);
      return 2;
    }
  if (options.data == NULL)
    options.data = g_strdup ("data");
  if (options.output == NULL)
    options.output = g_strdup (".");
  if (options.epochs <= 0 || options.log_interval <= 0 || options.batch_size <= 0 ||
      options.workers < 0)
    {
      g_printerr ("lt-blitz: --epochs, --log-interval and --batch-size must be positive, "
                  "--workers at least 0\n");
      return 2;
    }
  for (int a = 1; a < argc; a++)
    {
      if (!is_section (argv[a]))
        {
          g_printerr ("lt-blitz: no section '%s'; the sections are:", argv[a]);
          for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
            g_printerr (" %s", sections[i].name);
          g_printerr ("\n");
          return 2;
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

  g_free (options.data);
  g_free (options.output);
  return EXIT_SUCCESS;
}
