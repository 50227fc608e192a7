/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What LtTrainer hands a live viewer: ::graph at the right steps, named and
 * with gradient statistics, holding none of its mini-batch's tensors alive
 * (weak references on the batch and the activations are cleared while the
 * graph is held) and changing nothing in the training; ::batch with copies
 * of the mini-batch; ::evaluated with the test loss (against a hand-computed
 * mean), the predictions and the targets, before ::epoch-finished.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

#define N_TRAIN 20
#define N_TEST 10
#define BATCH 2
#define CLASSES 3

/* A dataset of small images: item i is a (3, 8, 8) image whose pixels are
 * i / 64 plus a fixed pattern of its class i % 3, so an image tells its
 * index. */

typedef struct
{
  GObject parent_instance;
  gint64 n;
} TestImages;

typedef GObjectClass TestImagesClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestImages, g_object_unref)

static void test_images_iface_init (LtDatasetInterface *iface);
static GType test_images_get_type (void);

G_DEFINE_TYPE_WITH_CODE (TestImages, test_images, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, test_images_iface_init))

static double
pixel (gint64 item,
       gint64 k)
{
  return (double) item / 64.0 + ((k * 7 + (item % CLASSES) * 5) % 11) / 11.0;
}

static gint64
test_images_get_length (LtDataset *dataset)
{
  return ((TestImages *) dataset)->n;
}

static gboolean
test_images_get_item (LtDataset *dataset,
                      gint64     index,
                      LtTensor **input,
                      LtTensor **target,
                      GError   **error)
{
  double v[3 * 8 * 8];
  const gint64 shape[3] = { 3, 8, 8 };

  for (gint64 k = 0; k < 3 * 8 * 8; k++)
    v[k] = pixel (index, k);
  *input = lt_tensor_new_from_doubles (v, G_N_ELEMENTS (v), shape, 3, LT_DTYPE_FLOAT32, error);
  if (*input == NULL)
    return FALSE;
  *target = lt_scalar_int (index % CLASSES);
  return TRUE;
}

static void
test_images_iface_init (LtDatasetInterface *iface)
{
  iface->get_length = test_images_get_length;
  iface->get_item = test_images_get_item;
}

static void
test_images_class_init (TestImagesClass *klass)
{
}

static void
test_images_init (TestImages *self)
{
}

static TestImages *
test_images_new (gint64 n)
{
  TestImages *self = g_object_new (test_images_get_type (), NULL);

  self->n = n;
  return self;
}

/* A network that watches its tensors: conv1 -> relu -> view -> fc, with a
 * weak reference on the input, the convolution's output and the relu's
 * output of every training forward (numbered from 1). */

typedef struct
{
  LtModule parent_instance;

  GMutex lock;
  GPtrArray *watched;          /* GWeakRef[3] per training forward */
} ProbeNet;

typedef LtModuleClass ProbeNetClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProbeNet, g_object_unref)

static GType probe_net_get_type (void);

G_DEFINE_TYPE (ProbeNet, probe_net, LT_TYPE_MODULE)

static void
weak_refs_free (gpointer data)
{
  GWeakRef *refs = data;

  for (guint i = 0; i < 3; i++)
    g_weak_ref_clear (&refs[i]);
  g_free (refs);
}

static LtTensor *
probe_net_forward (LtModule *module,
                   LtTensor *input,
                   GError  **error)
{
  ProbeNet *self = (ProbeNet *) module;
  g_autoptr(LtTensor) c = NULL, r = NULL, v = NULL;
  const gint64 flat[2] = { -1, 4 * 6 * 6 };

  if (!(c = lt_module_forward (lt_module_get_child (module, "conv1"), input, error)) ||
      !(r = lt_tensor_relu (c, error)) ||
      !(v = lt_tensor_view (r, flat, 2, error)))
    return NULL;
  if (lt_module_is_training (module))
    {
      GWeakRef *refs = g_new0 (GWeakRef, 3);

      g_weak_ref_init (&refs[0], input);
      g_weak_ref_init (&refs[1], c);
      g_weak_ref_init (&refs[2], r);
      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->watched, refs);
      g_mutex_unlock (&self->lock);
    }
  return lt_module_forward (lt_module_get_child (module, "fc"), v, error);
}

static void
probe_net_finalize (GObject *object)
{
  ProbeNet *self = (ProbeNet *) object;

  g_ptr_array_unref (self->watched);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (probe_net_parent_class)->finalize (object);
}

static void
probe_net_class_init (ProbeNetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = probe_net_finalize;
  klass->forward = probe_net_forward;
}

static void
probe_net_init (ProbeNet *self)
{
  g_mutex_init (&self->lock);
  self->watched = g_ptr_array_new_with_free_func (weak_refs_free);
}

static ProbeNet *
probe_net_new (void)
{
  g_autoptr(GError) error = NULL;
  ProbeNet *self = g_object_new (probe_net_get_type (), NULL);
  g_autoptr(LtConv2d) conv1 = lt_conv2d_new (3, 4, ((const gint64[]) { 3, 3 }), NULL, NULL, NULL, 1,
                                              TRUE, &error);
  g_autoptr(LtLinear) fc = lt_linear_new (4 * 6 * 6, CLASSES, TRUE, &error);

  g_assert_no_error (error);
  g_assert_true (lt_module_register_module (LT_MODULE (self), "conv1", LT_MODULE (conv1), &error));
  g_assert_true (lt_module_register_module (LT_MODULE (self), "fc", LT_MODULE (fc), &error));
  return self;
}

/* How many of training forward @k's tensors (from 1) are alive. */
static guint
alive_of_forward (ProbeNet *net,
                  guint     k)
{
  guint alive = 0;

  g_mutex_lock (&net->lock);
  g_assert_cmpuint (k, <=, net->watched->len);
  for (guint i = 0; i < 3; i++)
    {
      GObject *t = g_weak_ref_get (&((GWeakRef *) g_ptr_array_index (net->watched, k - 1))[i]);

      if (t)
        alive++;
      g_clear_object (&t);
    }
  g_mutex_unlock (&net->lock);
  return alive;
}

/* The trainer */

typedef struct
{
  ProbeNet *net;
  LtTrainer *trainer;
  TestImages *test_set;
} Setup;

static void
setup_clear (Setup *s)
{
  g_clear_object (&s->trainer);
  g_clear_object (&s->net);
  g_clear_object (&s->test_set);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Setup, setup_clear)

static void
setup_init (Setup *s,
            guint  epochs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestImages) train_set = test_images_new (N_TRAIN);
  g_autoptr(LtDataLoader) train = NULL, test = NULL;
  g_autoptr(LtCrossEntropyLoss) loss = NULL;
  g_autoptr(LtSGD) sgd = NULL;
  g_autoptr(GPtrArray) params = NULL;

  lt_manual_seed (42);
  s->net = probe_net_new ();
  s->test_set = test_images_new (N_TEST);
  train = lt_data_loader_new (LT_DATASET (train_set), BATCH, TRUE, FALSE, 0, &error);
  test = lt_data_loader_new (LT_DATASET (s->test_set), 3, FALSE, FALSE, 0, &error);
  loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  params = lt_module_parameters (LT_MODULE (s->net));
  sgd = lt_sgd_new (params, 0.05, 0.9, 0, 0, FALSE, &error);
  g_assert_no_error (error);
  s->trainer = lt_trainer_new (LT_MODULE (s->net), LT_LOSS (loss), LT_OPTIMIZER (sgd), train, test,
                               epochs);
  lt_trainer_set_log_interval (s->trainer, 0);
}

/* What the signals said */

typedef struct
{
  ProbeNet *net;
  GString *log;
  guint steps;                 /* ::step signals seen */
  GArray *graph_steps;         /* guint: the step each ::graph came after */
  GPtrArray *graphs;           /* LtGraph, kept */
  GArray *batch_steps;         /* guint */
  GPtrArray *batches;          /* LtTensor inputs, targets, predictions, by threes */
  guint n_alive_at_graph;      /* tensors of graphed steps alive in ::graph */
  guint evaluated;
  double test_loss;
  double accuracy;
  double epoch_accuracy;
  LtTensor *predictions;
  LtTensor *targets;
} Record;

static void
record_init (Record   *r,
             ProbeNet *net)
{
  memset (r, 0, sizeof *r);
  r->net = net;
  r->log = g_string_new (NULL);
  r->graph_steps = g_array_new (FALSE, FALSE, sizeof (guint));
  r->graphs = g_ptr_array_new_with_free_func (g_object_unref);
  r->batch_steps = g_array_new (FALSE, FALSE, sizeof (guint));
  r->batches = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
record_clear (Record *r)
{
  g_string_free (r->log, TRUE);
  g_array_unref (r->graph_steps);
  g_ptr_array_unref (r->graphs);
  g_array_unref (r->batch_steps);
  g_ptr_array_unref (r->batches);
  g_clear_object (&r->predictions);
  g_clear_object (&r->targets);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

static void
on_step (LtTrainer *trainer,
         guint      epoch,
         gint64     iteration,
         double     loss,
         Record    *r)
{
  r->steps++;
  g_string_append_printf (r->log, "step %u %" G_GINT64_FORMAT "\n", epoch, iteration);
}

static void
on_graph (LtTrainer *trainer,
          LtGraph   *graph,
          Record    *r)
{
  g_string_append_printf (r->log, "graph %u\n", r->steps);
  g_array_append_val (r->graph_steps, r->steps);
  g_ptr_array_add (r->graphs, g_object_ref (graph));
  /* With the graph held, the batch and activations of its step and of
   * every step before are gone. */
  for (guint k = 1; k <= r->steps; k++)
    {
      guint alive = alive_of_forward (r->net, k);

      if (alive)
        g_test_message ("graph after step %u: %u tensors of training forward %u alive",
                        r->steps, alive, k);
      r->n_alive_at_graph += alive;
    }
}

static void
on_batch (LtTrainer *trainer,
          guint      epoch,
          gint64     iteration,
          LtTensor  *inputs,
          LtTensor  *targets,
          LtTensor  *predictions,
          Record    *r)
{
  g_string_append_printf (r->log, "batch %u\n", r->steps);
  g_array_append_val (r->batch_steps, r->steps);
  g_assert_nonnull (predictions);
  g_ptr_array_add (r->batches, g_object_ref (inputs));
  g_ptr_array_add (r->batches, g_object_ref (targets));
  g_ptr_array_add (r->batches, g_object_ref (predictions));
}

static void
on_evaluated (LtTrainer *trainer,
              guint      epoch,
              double     test_loss,
              double     accuracy,
              LtTensor  *predictions,
              LtTensor  *targets,
              Record    *r)
{
  g_string_append_printf (r->log, "evaluated %u\n", epoch);
  r->evaluated++;
  r->test_loss = test_loss;
  r->accuracy = accuracy;
  g_set_object (&r->predictions, predictions);
  g_set_object (&r->targets, targets);
}

static void
on_epoch_finished (LtTrainer *trainer,
                   guint      epoch,
                   double     train_loss,
                   double     accuracy,
                   LtTensor  *class_accuracy,
                   LtTensor  *confusion,
                   Record    *r)
{
  g_string_append_printf (r->log, "epoch %u\n", epoch);
  r->epoch_accuracy = accuracy;
}

static void
connect_record (LtTrainer *trainer,
                Record    *r)
{
  g_signal_connect (trainer, "step", G_CALLBACK (on_step), r);
  g_signal_connect (trainer, "graph", G_CALLBACK (on_graph), r);
  g_signal_connect (trainer, "batch", G_CALLBACK (on_batch), r);
  g_signal_connect (trainer, "evaluated", G_CALLBACK (on_evaluated), r);
  g_signal_connect (trainer, "epoch-finished", G_CALLBACK (on_epoch_finished), r);
}

static double *
parameter_values (LtModule *net,
                  gsize    *n)
{
  g_autoptr(GPtrArray) params = lt_module_parameters (net);
  GArray *all = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < params->len; i++)
    {
      gsize k = 0;
      g_autofree double *v = lt_tensor_to_doubles (g_ptr_array_index (params, i), &k, NULL);

      g_array_append_vals (all, v, k);
    }
  *n = all->len;
  return (double *) g_array_free (all, FALSE);
}

static void
test_graph_signal (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Setup) s = { 0 };
  g_auto(Setup) plain = { 0 };
  g_auto(Record) r;
  g_autofree double *with = NULL, *without = NULL;
  gsize n_with, n_without;
  const guint want_steps[] = { 1, 4, 7, 10 };

  g_test_summary ("::graph on the first step of the run and every graph-interval steps, after "
                  "its ::step; named, with statistics; the graphed step's batch and "
                  "activations are freed while the graph is held; training is unchanged");
  setup_init (&s, 1);
  record_init (&r, s.net);
  lt_trainer_set_graph_interval (s.trainer, 3);
  g_assert_cmpuint (lt_trainer_get_graph_interval (s.trainer), ==, 3);
  connect_record (s.trainer, &r);
  g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (r.steps, ==, N_TRAIN / BATCH);
  g_assert_cmpuint (r.graph_steps->len, ==, G_N_ELEMENTS (want_steps));
  for (guint i = 0; i < G_N_ELEMENTS (want_steps); i++)
    g_assert_cmpuint (g_array_index (r.graph_steps, guint, i), ==, want_steps[i]);
  g_assert_nonnull (strstr (r.log->str, "step 1 1\ngraph 1\nstep 1 2\n"));
  g_assert_cmpuint (r.n_alive_at_graph, ==, 0);
  g_assert_cmpuint (r.batch_steps->len, ==, 0);           /* batch-interval is 0 */

  /* The graphs: the same structure every time, named, with statistics
   * for every node, and still whole after the run. */
  for (guint g = 0; g < r.graphs->len; g++)
    {
      LtGraph *graph = g_ptr_array_index (r.graphs, g);
      LtGraph *first = g_ptr_array_index (r.graphs, 0);
      gboolean seen_conv = FALSE;

      g_assert_cmpuint (lt_graph_get_n_nodes (graph), ==, lt_graph_get_n_nodes (first));
      g_assert_cmpuint (lt_graph_get_n_leaves (graph), ==, 4);
      for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
        {
          LtGradStats st;

          g_assert_cmpstr (lt_graph_get_node_name (graph, i), ==,
                           lt_graph_get_node_name (first, i));
          g_assert_true (lt_graph_get_node_grad_stats (graph, i, &st));
          g_assert_true (isfinite (st.norm));
          if (g_str_equal (lt_graph_get_node_name (graph, i), "ConvolutionBackward0"))
            {
              guint nd;
              const gint64 *shape = lt_graph_get_node_shape (graph, i, &nd);

              g_assert_cmpstr (lt_graph_get_node_module (graph, i), ==, "conv1");
              g_assert_cmpuint (nd, ==, 4);
              g_assert_cmpint (shape[0], ==, BATCH);
              g_assert_cmpint (shape[1], ==, 4);
              seen_conv = TRUE;
            }
        }
      g_assert_true (seen_conv);
      for (guint l = 0; l < 4; l++)
        {
          guint node;
          LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);

          g_assert_true (lt_module_get_parameter (LT_MODULE (s.net),
                                                  lt_graph_get_leaf_name (graph, l)) == leaf);
          /* later steps made AccumulateGrad nodes of their own */
          if (g > 0)
            g_assert_true (lt_graph_get_node (graph, node) !=
                           lt_graph_get_node (g_ptr_array_index (r.graphs, g - 1), node));
        }
    }
  for (guint k = 1; k <= r.steps; k++)
    g_assert_cmpuint (alive_of_forward (s.net, k), ==, 0);

  /* The same training without graphs gives the same parameters, bit for
   * bit. */
  setup_init (&plain, 1);
  g_assert_true (lt_trainer_run (plain.trainer, NULL, &error));
  g_assert_no_error (error);
  with = parameter_values (LT_MODULE (s.net), &n_with);
  without = parameter_values (LT_MODULE (plain.net), &n_without);
  g_assert_cmpuint (n_with, ==, n_without);
  g_assert_cmpmem (with, n_with * sizeof (double), without, n_without * sizeof (double));
}

/* A run that stops and starts again: the first step of each run has its
 * graph. */
static void
test_graph_signal_runs (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  const guint want_steps[] = { 1, 3, 8 };

  setup_init (&s, 1);
  record_init (&r, s.net);
  g_object_set (s.trainer, "graph-interval", (guint64) 5, "max-steps", (guint64) 2, NULL);
  connect_record (s.trainer, &r);
  g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_STOPPED);
  lt_trainer_set_max_steps (s.trainer, 0);
  g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_FINISHED);
  /* run 1: steps 1-2, graph at 1; run 2: steps 3-10, graphs at 3 and 8 */
  g_assert_cmpuint (r.graph_steps->len, ==, G_N_ELEMENTS (want_steps));
  for (guint i = 0; i < G_N_ELEMENTS (want_steps); i++)
    g_assert_cmpuint (g_array_index (r.graph_steps, guint, i), ==, want_steps[i]);
  g_assert_cmpuint (r.n_alive_at_graph, ==, 0);
}

static void
test_batch_signal (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  guint64 interval = 0;

  g_test_summary ("::batch: copies of the batch, its targets and the predictions, at the "
                  "right steps");
  setup_init (&s, 1);
  record_init (&r, s.net);
  g_object_set (s.trainer, "batch-interval", (guint64) 4, NULL);
  g_object_get (s.trainer, "batch-interval", &interval, NULL);
  g_assert_cmpuint (interval, ==, 4);
  connect_record (s.trainer, &r);
  g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (r.batch_steps->len, ==, 3);          /* steps 1, 5, 9 */
  for (guint b = 0; b < 3; b++)
    {
      LtTensor *inputs = g_ptr_array_index (r.batches, b * 3);
      LtTensor *targets = g_ptr_array_index (r.batches, b * 3 + 1);
      LtTensor *predictions = g_ptr_array_index (r.batches, b * 3 + 2);
      gsize n_in, n_t, n_p;
      g_autofree double *in = lt_tensor_to_doubles (inputs, &n_in, NULL);
      g_autofree gint64 *t = lt_tensor_to_int64s (targets, &n_t, NULL);
      g_autofree gint64 *p = lt_tensor_to_int64s (predictions, &n_p, NULL);

      g_assert_cmpuint (g_array_index (r.batch_steps, guint, b), ==, 1 + 4 * b);
      assert_shape (inputs, DIMS (BATCH, 3, 8, 8));
      g_assert_cmpint (lt_tensor_get_dtype (predictions), ==, LT_DTYPE_INT64);
      g_assert_cmpuint (n_t, ==, BATCH);
      g_assert_cmpuint (n_p, ==, BATCH);
      for (gsize j = 0; j < BATCH; j++)
        {
          /* the image tells its index; its target is that item's class */
          gint64 item = -1;

          for (gint64 cand = 0; cand < N_TRAIN && item < 0; cand++)
            {
              gboolean same = TRUE;

              for (gint64 q = 0; q < 192 && same; q++)
                same = fabs (in[j * 192 + q] - pixel (cand, q)) < 1e-6;
              if (same)
                item = cand;
            }
          g_assert_cmpint (item, >=, 0);
          g_assert_cmpint (t[j], ==, item % CLASSES);
          g_assert_cmpint (p[j], >=, 0);
          g_assert_cmpint (p[j], <, CLASSES);
        }
    }
}

/* The test loss by hand: the final model (no training after the last
 * evaluation), every test image at once, log-softmax in double. */
static void
test_evaluated (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) all = NULL, logits = NULL;
  g_autofree double *z = NULL;
  g_autofree gint64 *pred = NULL, *targ = NULL;
  gsize n_z, n_pred, n_targ;
  double sum = 0;
  gint64 correct = 0;

  g_test_summary ("::evaluated: the test loss equals the mean computed by hand; predictions "
                  "and targets in the test loader's order; before ::epoch-finished");
  setup_init (&s, 2);
  record_init (&r, s.net);
  connect_record (s.trainer, &r);
  g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (r.evaluated, ==, 2);
  g_assert_nonnull (strstr (r.log->str, "step 1 10\nevaluated 1\nepoch 1\nstep 2 1\n"));
  g_assert_true (g_str_has_suffix (r.log->str, "step 2 10\nevaluated 2\nepoch 2\n"));

  for (gint64 i = 0; i < N_TEST; i++)
    {
      LtTensor *x = NULL, *y = NULL;

      g_assert_true (lt_dataset_get_item (LT_DATASET (s.test_set), i, &x, &y, &error));
      g_ptr_array_add (items, x);
      g_object_unref (y);
    }
  all = lt_stack ((LtTensor **) items->pdata, items->len, 0, &error);
  lt_module_eval (LT_MODULE (s.net));
  lt_set_grad_enabled (FALSE);
  logits = lt_module_forward (LT_MODULE (s.net), all, &error);
  lt_set_grad_enabled (TRUE);
  g_assert_no_error (error);
  z = lt_tensor_to_doubles (logits, &n_z, &error);
  pred = lt_tensor_to_int64s (r.predictions, &n_pred, &error);
  targ = lt_tensor_to_int64s (r.targets, &n_targ, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_z, ==, N_TEST * CLASSES);
  g_assert_cmpuint (n_pred, ==, N_TEST);
  g_assert_cmpuint (n_targ, ==, N_TEST);
  g_assert_cmpint (lt_tensor_get_dtype (r.predictions), ==, LT_DTYPE_INT64);
  for (gint64 i = 0; i < N_TEST; i++)
    {
      const double *row = z + i * CLASSES;
      double hi = MAX (row[0], MAX (row[1], row[2])), lse = 0;
      gint64 best = 0;

      for (gint64 c = 0; c < CLASSES; c++)
        {
          lse += exp (row[c] - hi);
          if (row[c] > row[best])
            best = c;
        }
      sum += hi + log (lse) - row[i % CLASSES];
      g_assert_cmpint (targ[i], ==, i % CLASSES);
      g_assert_cmpint (pred[i], ==, best);
      correct += best == i % CLASSES;
    }
  g_assert_cmpfloat (fabs (r.test_loss - sum / N_TEST), <=, 1e-5 * MAX (1.0, sum / N_TEST));
  g_assert_cmpfloat (r.accuracy, ==, (double) correct / N_TEST);
  g_assert_cmpfloat (r.accuracy, ==, r.epoch_accuracy);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/graph/signal", test_graph_signal);
  g_test_add_func ("/trainer/graph/runs", test_graph_signal_runs);
  g_test_add_func ("/trainer/batch/signal", test_batch_signal);
  g_test_add_func ("/trainer/evaluated", test_evaluated);
  return g_test_run ();
}
