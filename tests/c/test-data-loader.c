/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

/*
 * LtDataLoader over a small dataset defined here: item i is a uint8 image
 * (3, H, W) whose pixels encode i (so every batch says which items it
 * holds), with label i % 10, optionally passed through a transform, and
 * with switches to fail, to fail silently or to be slow.
 */

typedef struct
{
  GObject parent_instance;

  gint64 n;
  gint64 size;              /* H = W */
  LtTransform *transform;   /* owned, nullable */
  gint64 fail_at;           /* -1: never */
  gboolean fail_silently;
  gboolean no_targets;
  gint64 odd_shape_at;      /* -1: never */
  gulong sleep_us;
  gint n_reads;             /* atomic */
} TestDataset;

typedef GObjectClass TestDatasetClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDataset, g_object_unref)

static void test_dataset_iface_init (LtDatasetInterface *iface);
static GType test_dataset_get_type (void);

G_DEFINE_TYPE_WITH_CODE (TestDataset, test_dataset, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, test_dataset_iface_init))

static gint64
test_dataset_get_length (LtDataset *dataset)
{
  return ((TestDataset *) dataset)->n;
}

static gboolean
test_dataset_get_item (LtDataset *dataset,
                       gint64     index,
                       LtTensor **input,
                       LtTensor **target,
                       GError   **error)
{
  TestDataset *self = (TestDataset *) dataset;
  gint64 size = index == self->odd_shape_at ? self->size + 1 : self->size;
  gint64 shape[] = { 3, size, size };
  g_autoptr(LtTensor) image = NULL;
  guint8 *p;

  g_atomic_int_inc (&self->n_reads);
  if (self->sleep_us)
    g_usleep (self->sleep_us);
  if (index == self->fail_at)
    {
      if (!self->fail_silently)
        g_set_error (error, LT_ERROR, LT_ERROR_IO, "test dataset: item %" G_GINT64_FORMAT
                     " is unreadable", index);
      return FALSE;
    }
  image = lt_empty (shape, 3, LT_DTYPE_UINT8, error);
  if (image == NULL)
    return FALSE;
  p = (guint8 *) lt_tensor_get_data_ptr (image);
  for (gint64 i = 0; i < 3 * size * size; i++)
    p[i] = (guint8) ((index * 7 + i) % 251);
  p[0] = (guint8) (index % 256);
  p[1] = (guint8) (index / 256);
  if (self->transform)
    {
      *input = lt_transform_apply (self->transform, image, error);
      if (*input == NULL)
        return FALSE;
    }
  else
    *input = g_steal_pointer (&image);
  *target = self->no_targets ? NULL : lt_scalar_tensor ((double) (index % 10), LT_DTYPE_UINT8);
  return TRUE;
}

static void
test_dataset_iface_init (LtDatasetInterface *iface)
{
  iface->get_length = test_dataset_get_length;
  iface->get_item = test_dataset_get_item;
}

static void
test_dataset_finalize (GObject *object)
{
  g_clear_object (&((TestDataset *) object)->transform);
  G_OBJECT_CLASS (test_dataset_parent_class)->finalize (object);
}

static void
test_dataset_class_init (TestDatasetClass *klass)
{
  klass->finalize = test_dataset_finalize;
}

static void
test_dataset_init (TestDataset *self)
{
  self->fail_at = -1;
  self->odd_shape_at = -1;
  self->size = 4;
}

static TestDataset *
test_dataset_new (gint64       n,
                  LtTransform *transform)
{
  TestDataset *self = g_object_new (test_dataset_get_type (), NULL);

  self->n = n;
  self->transform = transform ? g_object_ref (transform) : NULL;
  return self;
}

/* The item index of every image of a uint8 batch (N, 3, H, W). */
static GArray *
batch_indices (LtTensor *inputs)
{
  const gint64 *shape = lt_tensor_get_shape (inputs, NULL);
  const guint8 *p = (const guint8 *) lt_tensor_get_data_ptr (inputs);
  gint64 per = shape[1] * shape[2] * shape[3];
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_cmpint (lt_tensor_get_dtype (inputs), ==, LT_DTYPE_UINT8);
  for (gint64 i = 0; i < shape[0]; i++)
    {
      gint64 index = p[i * per] + 256 * p[i * per + 1];
      g_array_append_val (out, index);
    }
  return out;
}

/* Reads one whole epoch; returns the item order. */
static GArray *
read_epoch (LtDataLoader *loader,
            gint64        expect_batches,
            gint64        batch_size)
{
  g_autoptr(GError) error = NULL;
  GArray *order = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 n_batches = 0;

  for (;;)
    {
      g_autoptr(LtTensor) inputs = NULL;
      g_autoptr(LtTensor) targets = NULL;
      g_autoptr(GArray) idx = NULL;
      g_autofree gint64 *labels = NULL;
      gsize n_labels;

      g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
      g_assert_no_error (error);
      if (inputs == NULL)
        {
          g_assert_null (targets);
          break;
        }
      n_batches++;
      idx = batch_indices (inputs);
      g_assert_cmpuint (idx->len, <=, batch_size);
      g_assert_cmpint (lt_tensor_get_dtype (targets), ==, LT_DTYPE_INT64);
      g_assert_cmpuint (lt_tensor_get_n_dims (targets), ==, 1);
      labels = lt_tensor_to_int64s (targets, &n_labels, &error);
      g_assert_cmpuint (n_labels, ==, idx->len);
      for (guint i = 0; i < idx->len; i++)
        g_assert_cmpint (labels[i], ==, g_array_index (idx, gint64, i) % 10);
      g_array_append_vals (order, idx->data, idx->len);
    }
  g_assert_no_error (error);
  g_assert_cmpint (n_batches, ==, expect_batches);
  return order;
}

static void
assert_permutation (GArray *order,
                    gint64  n)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n);

  g_assert_cmpuint (order->len, ==, n);
  for (guint i = 0; i < order->len; i++)
    {
      gint64 k = g_array_index (order, gint64, i);

      g_assert_cmpint (k, >=, 0);
      g_assert_cmpint (k, <, n);
      g_assert_false (seen[k]);
      seen[k] = TRUE;
    }
}

static gboolean
arrays_equal (GArray *a,
              GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (gint64)) == 0;
}

static void
test_basic (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (10, NULL);
  autofinal LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 4, FALSE, FALSE, 0, &error);
  g_autoptr(LtTensor) inputs = NULL;
  g_autoptr(LtTensor) targets = NULL;
  g_autoptr(GArray) order = NULL;
  const gint64 *shape;
  guint nd;

  g_test_summary ("Batches stack items (N, 3, H, W) and labels int64 (N); the epoch ends with "
                  "FALSE and no error, and the next call starts the next epoch");
  g_assert_no_error (error);
  g_assert_cmpint (lt_data_loader_get_length (loader), ==, 3);
  g_assert_cmpint (lt_data_loader_get_batch_size (loader), ==, 4);
  g_assert_true (lt_data_loader_get_dataset (loader) == LT_DATASET (ds));

  g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
  g_assert_no_error (error);
  shape = lt_tensor_get_shape (inputs, &nd);
  g_assert_cmpuint (nd, ==, 4);
  g_assert_cmpint (shape[0], ==, 4);
  g_assert_cmpint (shape[1], ==, 3);
  g_assert_cmpint (shape[2], ==, 4);
  g_assert_cmpint (shape[3], ==, 4);
  g_assert_cmpint (lt_data_loader_get_epoch (loader), ==, 1);
  {
    g_autoptr(GArray) idx = batch_indices (inputs);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (g_array_index (idx, gint64, i), ==, i);
  }
  lt_data_loader_reset (loader);

  order = read_epoch (loader, 3, 4);
  g_assert_cmpint (lt_data_loader_get_epoch (loader), ==, 2);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (g_array_index (order, gint64, i), ==, i);
  /* after the end, a new epoch */
  g_clear_pointer (&order, g_array_unref);
  order = read_epoch (loader, 3, 4);
  g_assert_cmpint (lt_data_loader_get_epoch (loader), ==, 3);
  assert_permutation (order, 10);
}

static void
test_drop_last (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (10, NULL);
  autofinal LtDataLoader *a = lt_data_loader_new (LT_DATASET (ds), 4, TRUE, TRUE, 0, &error);
  autofinal LtDataLoader *b = lt_data_loader_new (LT_DATASET (ds), 4, FALSE, TRUE, 2, &error);
  autofinal LtDataLoader *c = lt_data_loader_new (LT_DATASET (ds), 20, FALSE, TRUE, 0, &error);
  g_autoptr(GArray) oa = NULL, ob = NULL, oc = NULL;

  g_test_summary ("drop_last drops the incomplete last batch, from len() too");
  g_assert_no_error (error);
  g_assert_cmpint (lt_data_loader_get_length (a), ==, 2);
  g_assert_cmpint (lt_data_loader_get_length (c), ==, 0);
  oa = read_epoch (a, 2, 4);
  ob = read_epoch (b, 2, 4);
  oc = read_epoch (c, 0, 20);
  g_assert_cmpuint (oa->len, ==, 8);
  g_assert_cmpuint (ob->len, ==, 8);
  g_assert_cmpuint (oc->len, ==, 0);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (g_array_index (ob, gint64, i), ==, i);
}

static void
test_shuffle (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (50, NULL);
  autofinal LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 8, TRUE, FALSE, 0, &error);
  autofinal LtDataLoader *other = lt_data_loader_new (LT_DATASET (ds), 8, TRUE, FALSE, 0, &error);
  g_autoptr(GArray) e1 = NULL, e2 = NULL, f1 = NULL, f2 = NULL, g1 = NULL;
  gboolean sorted = TRUE;

  g_test_summary ("Shuffling gives every item once per epoch, a new order every epoch, and the "
                  "same orders for the same seed");
  g_assert_no_error (error);
  lt_manual_seed (11);
  e1 = read_epoch (loader, 7, 8);
  e2 = read_epoch (loader, 7, 8);
  assert_permutation (e1, 50);
  assert_permutation (e2, 50);
  g_assert_false (arrays_equal (e1, e2));
  for (guint i = 1; i < e1->len; i++)
    sorted = sorted && g_array_index (e1, gint64, i - 1) < g_array_index (e1, gint64, i);
  g_assert_false (sorted);

  lt_manual_seed (11);
  f1 = read_epoch (other, 7, 8);
  f2 = read_epoch (other, 7, 8);
  g_assert_true (arrays_equal (e1, f1));
  g_assert_true (arrays_equal (e2, f2));

  lt_manual_seed (12);
  g1 = read_epoch (other, 7, 8);
  g_assert_false (arrays_equal (e1, g1));
}

/* Every batch of @n_epochs epochs of a loader, as tensors */
static GPtrArray *
all_batches (LtDataLoader *loader,
             int           n_epochs)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (int e = 0; e < n_epochs; e++)
    {
      LtTensor *inputs = NULL, *targets = NULL;

      while (lt_data_loader_next (loader, &inputs, &targets, &error) && inputs != NULL)
        {
          g_ptr_array_add (out, inputs);
          g_ptr_array_add (out, targets);
        }
      g_assert_no_error (error);
    }
  return out;
}

static gboolean
same_tensors (LtTensor *a,
              LtTensor *b)
{
  g_autoptr(GBytes) ba = lt_tensor_to_bytes (a, NULL);
  g_autoptr(GBytes) bb = lt_tensor_to_bytes (b, NULL);
  guint na, nb;
  const gint64 *sa = lt_tensor_get_shape (a, &na);
  const gint64 *sb = lt_tensor_get_shape (b, &nb);

  return lt_tensor_get_dtype (a) == lt_tensor_get_dtype (b) && na == nb &&
         memcmp (sa, sb, na * sizeof (gint64)) == 0 && g_bytes_equal (ba, bb);
}

static LtTransform *
augmentation (void)
{
  g_autoptr(GError) error = NULL;
  gint64 pad[] = { 2 };
  double half[] = { 0.5 };
  LtTransform *list[4] = {
    lt_to_tensor_new (),
    lt_normalize_new (half, 1, half, 1, &error),
    lt_random_crop_new (6, 6, pad, 1, FALSE, 0, LT_PADDING_MODE_REFLECT, &error),
    lt_random_horizontal_flip_new (0.5),
  };
  LtTransform *c;

  g_assert_no_error (error);
  c = lt_compose_new (list, 4);
  for (int i = 0; i < 4; i++)
    g_object_unref (list[i]);
  return c;
}

static void
test_workers_identical (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTransform *aug = augmentation ();
  autofinal TestDataset *ds = test_dataset_new (37, aug);
  guint workers[] = { 0, 1, 2, 3 };
  g_autoptr(GPtrArray) reference = NULL;

  g_test_summary ("num_workers 0, 1, 2 and 3 give identical batches, random transforms and "
                  "shuffling included, over several epochs");
  ds->size = 6;
  for (guint w = 0; w < G_N_ELEMENTS (workers); w++)
    {
      autofinal LtDataLoader *loader =
        lt_data_loader_new (LT_DATASET (ds), 5, TRUE, FALSE, workers[w], &error);
      g_autoptr(GPtrArray) batches = NULL;

      g_assert_no_error (error);
      lt_manual_seed (2024);
      batches = all_batches (loader, 3);
      g_assert_cmpuint (batches->len, ==, 2 * 3 * 8);
      {
        const gint64 *shape = lt_tensor_get_shape (batches->pdata[0], NULL);

        g_assert_cmpint (lt_tensor_get_dtype (batches->pdata[0]), ==, LT_DTYPE_FLOAT32);
        g_assert_cmpint (shape[0], ==, 5);
        g_assert_cmpint (shape[1], ==, 3);
        g_assert_cmpint (shape[2], ==, 6);
      }
      if (reference == NULL)
        reference = g_ptr_array_ref (batches);
      else
        for (guint i = 0; i < batches->len; i++)
          g_assert_true (same_tensors (batches->pdata[i], reference->pdata[i]));
    }
  /* the augmentation is random: two epochs differ beyond their order */
  g_assert_false (same_tensors (reference->pdata[0], reference->pdata[16]));
}

static void
test_caller_random_ops (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTransform  *aug = augmentation ();
  autofinal TestDataset  *ds = test_dataset_new (12, aug);
  autofinal LtDataLoader *a = lt_data_loader_new (LT_DATASET (ds), 4, TRUE, FALSE, 0, &error);
  autofinal LtDataLoader *b = lt_data_loader_new (LT_DATASET (ds), 4, TRUE, FALSE, 0, &error);
  g_autoptr(GPtrArray) plain = NULL;
  g_autoptr(GPtrArray) mixed = g_ptr_array_new_with_free_func (g_object_unref);
  LtTensor *inputs, *targets;
  gint64 s[] = { 100 };

  g_test_summary ("Random ops of the caller during an epoch do not change its batches");
  ds->size = 6;
  lt_manual_seed (8);
  plain = all_batches (a, 1);
  lt_manual_seed (8);
  while (lt_data_loader_next (b, &inputs, &targets, &error) && inputs != NULL)
    {
      g_autoptr(LtTensor) noise = lt_randn (s, 1, LT_DTYPE_FLOAT32, &error);

      g_assert_nonnull (noise);
      g_ptr_array_add (mixed, inputs);
      g_ptr_array_add (mixed, targets);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (mixed->len, ==, plain->len);
  for (guint i = 0; i < plain->len; i++)
    g_assert_true (same_tensors (plain->pdata[i], mixed->pdata[i]));
}

static void
check_failure (guint    num_workers,
               gboolean silently,
               gboolean in_transform)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (20, NULL);
  autofinal LtDataLoader *loader =
    lt_data_loader_new (LT_DATASET (ds), 4, FALSE, FALSE, num_workers, &error);
  int n_ok = 0;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_no_error (error);
  if (in_transform)
    {
      /* RandomCrop larger than the image fails in the transform */
      ds->transform = lt_random_crop_new (9, 9, NULL, 0, FALSE, 0, LT_PADDING_MODE_CONSTANT,
                                          &error);
      g_assert_no_error (error);
    }
  else
    {
      ds->fail_at = 13;
      ds->fail_silently = silently;
    }

  for (;;)
    {
      g_autoptr(LtTensor) inputs = NULL;
      g_autoptr(LtTensor) targets = NULL;

      if (!lt_data_loader_next (loader, &inputs, &targets, &error))
        break;
      g_assert_nonnull (inputs); /* it fails before the end */
      n_ok++;
    }
  g_assert_nonnull (error);
  g_assert_cmpint (n_ok, ==, in_transform ? 0 : 3);
  g_assert_true (error->domain == LT_ERROR);
  if (in_transform)
    g_assert_nonnull (strstr (error->message, "RandomCrop"));
  else if (silently)
    g_assert_cmpint (error->code, ==, LT_ERROR_FAILED);
  else
    {
      g_assert_cmpint (error->code, ==, LT_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "item 13 is unreadable"));
      g_assert_nonnull (strstr (error->message, "sample 13"));
    }
  g_clear_error (&error);

  /* the next call starts a new epoch, which fails at the same place */
  if (!in_transform)
    {
      g_autoptr(LtTensor) inputs = NULL;

      g_assert_true (lt_data_loader_next (loader, &inputs, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (lt_data_loader_get_epoch (loader), ==, 2);
    }
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
}

static void
test_failures (void)
{
  g_test_summary ("A failing dataset or transform gives a GError on the call that reaches its "
                  "batch, with 0 or 2 workers, and no hang");
  for (guint w = 0; w <= 2; w += 2)
    {
      check_failure (w, FALSE, FALSE);
      check_failure (w, TRUE, FALSE);
      check_failure (w, FALSE, TRUE);
    }
}

static void
test_collate_errors (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (6, NULL);
  autofinal LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 3, FALSE, FALSE, 2, &error);
  autofinal LtDataLoader *bad = NULL;
  g_autoptr(LtTensor) inputs = NULL;
  g_autoptr(LtTensor) targets = NULL;

  g_test_summary ("Items of different shapes cannot be stacked; a dataset without targets "
                  "gives NULL targets; bad arguments are errors");
  g_assert_no_error (error);
  ds->odd_shape_at = 4;
  g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
  g_assert_no_error (error);
  g_clear_object (&inputs);
  g_clear_object (&targets);
  g_assert_false (lt_data_loader_next (loader, &inputs, &targets, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[3, 5, 5]"));
  g_clear_error (&error);

  ds->odd_shape_at = -1;
  ds->no_targets = TRUE;
  g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
  g_assert_no_error (error);
  g_assert_nonnull (inputs);
  g_assert_null (targets);

  bad = lt_data_loader_new (LT_DATASET (ds), 0, FALSE, FALSE, 0, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  bad = lt_data_loader_new (LT_DATASET (ds), 1, FALSE, FALSE, 1000, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static void
test_free_mid_epoch (void)
{
  g_autoptr(GError) error = NULL;
  TestDataset *ds = test_dataset_new (400, NULL);
  LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 4, TRUE, FALSE, 2, &error);
  g_autoptr(LtTensor) inputs = NULL;
  gint64 t0;
  gint reads;

  g_test_summary ("Freeing a loader mid-epoch joins its workers within a second, and they "
                  "read no further");
  g_assert_no_error (error);
  ds->sleep_us = 20000;     /* 20 ms an item: the epoch would take 4 s */
  g_assert_true (lt_data_loader_next (loader, &inputs, NULL, &error));
  g_assert_no_error (error);
  g_usleep (50000);

  t0 = g_get_monotonic_time ();
  g_assert_finalize_object (loader);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);

  /* the workers are gone: the dataset is read no more */
  reads = g_atomic_int_get (&ds->n_reads);
  g_assert_cmpint (reads, <, 400);
  g_usleep (100000);
  g_assert_cmpint (g_atomic_int_get (&ds->n_reads), ==, reads);
  /* and dropped their references to it */
  g_assert_finalize_object (ds);
}

static void
test_reset_mid_epoch (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (30, NULL);
  autofinal LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 4, FALSE, FALSE, 2, &error);
  g_autoptr(GArray) order = NULL;

  g_test_summary ("reset abandons the epoch: the next call starts over");
  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(LtTensor) inputs = NULL;

      g_assert_true (lt_data_loader_next (loader, &inputs, NULL, &error));
      g_assert_no_error (error);
    }
  lt_data_loader_reset (loader);
  order = read_epoch (loader, 8, 4);
  assert_permutation (order, 30);
  g_assert_cmpint (g_array_index (order, gint64, 0), ==, 0);
  g_assert_cmpint (lt_data_loader_get_epoch (loader), ==, 2);
}

/* As g_file_enumerator_iterate(): FALSE always comes with an error; the
 * end of an epoch is TRUE with NULL outputs. */
static void
test_end_of_epoch (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset *ds = test_dataset_new (5, NULL);
  autofinal TestDataset *empty = test_dataset_new (0, NULL);
  LtDataLoader *loader = lt_data_loader_new (LT_DATASET (ds), 2, FALSE, FALSE, 0, &error);
  LtDataLoader *none = lt_data_loader_new (LT_DATASET (empty), 2, FALSE, FALSE, 2, &error);

  g_test_summary ("The end of an epoch is TRUE with NULL outputs and no error; the next call "
                  "starts the next epoch; an empty dataset ends at once");
  g_assert_no_error (error);
  for (guint epoch = 1; epoch <= 2; epoch++)
    {
      for (int i = 0; i < 3; i++)
        {
          g_autoptr(LtTensor) inputs = NULL;
          g_autoptr(LtTensor) targets = NULL;

          g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
          g_assert_no_error (error);
          g_assert_nonnull (inputs);
          g_assert_nonnull (targets);
          g_assert_cmpuint (lt_data_loader_get_epoch (loader), ==, epoch);
        }
      {
        LtTensor *inputs = lt_scalar (1.0), *targets = lt_scalar (2.0);
        LtTensor *was_inputs = inputs, *was_targets = targets;

        /* the out values are overwritten, not freed */
        g_assert_true (lt_data_loader_next (loader, &inputs, &targets, &error));
        g_assert_no_error (error);
        g_assert_null (inputs);
        g_assert_null (targets);
        g_assert_finalize_object (was_inputs);
        g_assert_finalize_object (was_targets);
      }
    }

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(LtTensor) inputs = NULL;

      g_assert_true (lt_data_loader_next (none, &inputs, NULL, &error));
      g_assert_no_error (error);
      g_assert_null (inputs);
    }
  g_assert_finalize_object (loader);
  g_assert_finalize_object (none);
}

static void
test_properties (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *ds = test_dataset_new (9, NULL);
  autofinal LtDataLoader *loader =
    g_object_new (LT_TYPE_DATA_LOADER, "dataset", ds, "batch-size", (gint64) 2, "drop-last", TRUE,
                  "num-workers", 2u, NULL);
  g_autoptr(GArray) order = NULL;

  g_test_summary ("The settings are construct properties");
  g_assert_cmpint (lt_data_loader_get_length (loader), ==, 4);
  g_assert_true (lt_data_loader_get_drop_last (loader));
  g_assert_false (lt_data_loader_get_shuffle (loader));
  g_assert_cmpuint (lt_data_loader_get_num_workers (loader), ==, 2);
  order = read_epoch (loader, 4, 2);
  g_assert_cmpuint (order->len, ==, 8);
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/data-loader/basic", test_basic);
  g_test_add_func ("/data-loader/drop-last", test_drop_last);
  g_test_add_func ("/data-loader/shuffle", test_shuffle);
  g_test_add_func ("/data-loader/workers-identical", test_workers_identical);
  g_test_add_func ("/data-loader/caller-random-ops", test_caller_random_ops);
  g_test_add_func ("/data-loader/failures", test_failures);
  g_test_add_func ("/data-loader/collate-errors", test_collate_errors);
  g_test_add_func ("/data-loader/free-mid-epoch", test_free_mid_epoch);
  g_test_add_func ("/data-loader/reset-mid-epoch", test_reset_mid_epoch);
  g_test_add_func ("/data-loader/end-of-epoch", test_end_of_epoch);
  g_test_add_func ("/data-loader/properties", test_properties);

  return g_test_run ();
}
