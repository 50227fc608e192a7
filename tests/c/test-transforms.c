/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libtensor.h>

#include "test-helpers.h"
#include "core/lt-random-private.h"

/* Transforms against values computed here by hand or by plain formulas
 * (torchvision's definitions); the PyTorch comparison is
 * tests/python/test_data_reference.py. */

static LtTensor *
tensor_u8 (const guint8 *data,
           const gint64 *shape,
           guint         ndim)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_data (data, shape_numel (shape, ndim), shape, ndim,
                                         LT_DTYPE_UINT8, &error);

  g_assert_no_error (error);
  return t;
}

static gboolean
tensors_equal (LtTensor *a,
               LtTensor *b)
{
  gsize na, nb;
  g_autofree double *va = values (a, &na);
  g_autofree double *vb = values (b, &nb);
  guint da, db;
  const gint64 *sa = lt_tensor_get_shape (a, &da);
  const gint64 *sb = lt_tensor_get_shape (b, &db);

  if (da != db || memcmp (sa, sb, da * sizeof (gint64)) != 0 || na != nb)
    return FALSE;
  for (gsize i = 0; i < na; i++)
    if (va[i] != vb[i])
      return FALSE;
  return TRUE;
}

static void
test_to_tensor_layouts (void)
{
  g_autoptr(GError) error = NULL;
  guint8 chw[12], hwc[12];
  gint64 s_chw[] = { 3, 2, 2 }, s_hwc[] = { 2, 2, 3 }, s_gray[] = { 2, 6 };
  g_autoptr(LtTensor) a = NULL, b = NULL, g = NULL;
  g_autoptr(LtTensor) ta = NULL, tb = NULL, tg = NULL;
  autofinal LtTransform *to_tensor = lt_to_tensor_new ();
  g_autofree double *va = NULL, *vb = NULL, *vg = NULL;
  gsize n;

  g_test_summary ("ToTensor divides uint8 by 255 into float32 (C, H, W) from CHW, HWC and gray");
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < 4; i++)
      {
        guint8 v = (guint8) (c * 100 + i * 17 + 3);

        chw[c * 4 + i] = v;
        hwc[i * 3 + c] = v;
      }
  a = tensor_u8 (chw, s_chw, 3);
  b = tensor_u8 (hwc, s_hwc, 3);
  g = tensor_u8 (chw, s_gray, 2);
  ta = lt_transform_apply (to_tensor, a, &error);
  g_assert_no_error (error);
  tb = lt_transform_apply (to_tensor, b, &error);
  g_assert_no_error (error);
  tg = lt_transform_apply (to_tensor, g, &error);
  g_assert_no_error (error);

  g_assert_cmpint (lt_tensor_get_dtype (ta), ==, LT_DTYPE_FLOAT32);
  assert_shape (ta, s_chw, 3);
  assert_shape (tb, s_chw, 3);
  {
    gint64 s[] = { 1, 2, 6 };
    assert_shape (tg, s, 3);
  }
  va = values (ta, &n);
  vb = values (tb, &n);
  vg = values (tg, &n);
  for (int i = 0; i < 12; i++)
    {
      g_assert_cmpfloat (va[i], ==, (double) ((float) chw[i] / 255.0f));
      g_assert_cmpfloat (vb[i], ==, va[i]);
      g_assert_cmpfloat (vg[i], ==, va[i]);
    }
  g_assert_cmpfloat_with_epsilon (va[11], chw[11] / 255.0, 1e-7);
}

static void
test_to_tensor_float_and_errors (void)
{
  g_autoptr(GError) error = NULL;
  double data[] = { 0.5, 2, -1, 300 };
  gint64 s[] = { 1, 2, 2 }, bad[] = { 5, 5, 5 };
  g_autoptr(LtTensor) x = tensor_of_shape (data, s, 3, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = lt_transforms_to_tensor (x, &error);
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autofree double *v = NULL;
  gsize n;

  g_test_summary ("ToTensor keeps the values of non-uint8 images; rejects shapes that are not "
                  "images");
  g_assert_no_error (error);
  v = values (y, &n);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (v[i], ==, data[i]);

  z = lt_zeros (bad, 3, LT_DTYPE_UINT8, &error);
  g_assert_no_error (error);
  w = lt_transforms_to_tensor (z, &error);
  g_assert_null (w);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5, 5, 5]"));
}

static void
test_normalize (void)
{
  g_autoptr(GError) error = NULL;
  double data[12];
  double mean[] = { 0.5, 0.25, -1 }, std[] = { 0.5, 2, 0.1 };
  gint64 s[] = { 3, 2, 2 };
  g_autoptr(LtTensor) x = NULL, y = NULL, u8 = NULL, bad = NULL;
  autofinal LtTransform *norm = NULL;
  g_autofree double *v = NULL;
  gsize n;
  double zero_std[] = { 1, 0, 1 };
  double two[] = { 1, 2 };

  g_test_summary ("Normalize computes (x - mean) / std per channel in float32");
  for (int i = 0; i < 12; i++)
    data[i] = i / 11.0;
  x = tensor_of_shape (data, s, 3, LT_DTYPE_FLOAT32);
  norm = lt_normalize_new (mean, 3, std, 3, &error);
  g_assert_no_error (error);
  y = lt_transform_apply (norm, x, &error);
  g_assert_no_error (error);
  v = values (y, &n);
  g_assert_cmpuint (n, ==, 12);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < 4; i++)
      {
        float xf = (float) data[c * 4 + i];
        float expect = (xf - (float) mean[c]) / (float) std[c];

        g_assert_cmpfloat (v[c * 4 + i], ==, (double) expect);
        g_assert_cmpfloat_with_epsilon (v[c * 4 + i], (data[c * 4 + i] - mean[c]) / std[c], 1e-5);
      }
  /* the input is untouched */
  g_clear_pointer (&v, g_free);
  v = values (x, &n);
  g_assert_cmpfloat (v[5], ==, (double) (float) data[5]);

  /* errors */
  g_clear_object (&norm);
  norm = lt_normalize_new (mean, 3, zero_std, 3, &error);
  g_assert_null (norm);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  u8 = lt_zeros (s, 3, LT_DTYPE_UINT8, &error);
  bad = lt_transforms_normalize (u8, mean, 3, std, 3, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);

  bad = lt_transforms_normalize (x, two, 2, two, 2, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
}

static void
check_row (LtTensor     *t,
           const double *expect,
           gsize         n_expect)
{
  gsize n;
  g_autofree double *v = values (t, &n);

  g_assert_cmpuint (n, ==, n_expect);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (v[i], ==, expect[i]);
}

static void
test_pad_modes (void)
{
  g_autoptr(GError) error = NULL;
  double row[] = { 1, 2, 3, 4 };
  gint64 s[] = { 1, 1, 4 };
  gint64 lr2[] = { 2, 0 };
  g_autoptr(LtTensor) x = tensor_of_shape (row, s, 3, LT_DTYPE_FLOAT32);
  struct {
    LtPaddingMode mode;
    double expect[8];
  } cases[] = {
    { LT_PADDING_MODE_CONSTANT, { 9, 9, 1, 2, 3, 4, 9, 9 } },
    { LT_PADDING_MODE_EDGE, { 1, 1, 1, 2, 3, 4, 4, 4 } },
    { LT_PADDING_MODE_REFLECT, { 3, 2, 1, 2, 3, 4, 3, 2 } },
    { LT_PADDING_MODE_SYMMETRIC, { 2, 1, 1, 2, 3, 4, 4, 3 } },
  };

  g_test_summary ("pad: constant, edge, reflect and symmetric borders (torchvision's examples)");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LtTensor) y = lt_transforms_pad (x, lr2, 2, 9, cases[i].mode, &error);
      gint64 expect_shape[] = { 1, 1, 8 };

      g_assert_no_error (error);
      assert_shape (y, expect_shape, 3);
      check_row (y, cases[i].expect, 8);
    }

  /* reflect needs padding below the size, symmetric at most the size */
  {
    gint64 four[] = { 4 };
    g_autoptr(LtTensor) y = lt_transforms_pad (x, four, 1, 0, LT_PADDING_MODE_REFLECT, &error);
    g_autoptr(LtTensor) z = NULL;

    g_assert_null (y);
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    z = lt_transforms_pad (x, lr2, 3, 0, LT_PADDING_MODE_CONSTANT, &error);
    g_assert_null (z);
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_pad_2d (void)
{
  g_autoptr(GError) error = NULL;
  double img[6] = { 1, 2, 3, 4, 5, 6 };     /* 2 x 3 */
  gint64 s[] = { 1, 2, 3 };
  gint64 ltrb[] = { 1, 0, 0, 2 };
  g_autoptr(LtTensor) x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = lt_transforms_pad (x, ltrb, 4, 0, LT_PADDING_MODE_SYMMETRIC, &error);
  gint64 expect_shape[] = { 1, 4, 4 };
  /* columns: symmetric left 1 -> [c0, c0, c1, c2]; rows: bottom 2 -> [r0, r1, r1, r0] */
  double expect[] = { 1, 1, 2, 3,
                      4, 4, 5, 6,
                      4, 4, 5, 6,
                      1, 1, 2, 3 };

  g_test_summary ("pad: four values are left, top, right, bottom");
  g_assert_no_error (error);
  assert_shape (y, expect_shape, 3);
  check_row (y, expect, 16);
}

static void
test_crop_and_flip (void)
{
  g_autoptr(GError) error = NULL;
  double img[12];
  gint64 s[] = { 1, 3, 4 };
  g_autoptr(LtTensor) x = NULL, c = NULL, o = NULL, f = NULL;

  g_test_summary ("crop takes a rectangle (zeros outside the image); hflip mirrors the columns");
  for (int i = 0; i < 12; i++)
    img[i] = i + 1;
  x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);

  c = lt_transforms_crop (x, 1, 1, 2, 2, &error);
  g_assert_no_error (error);
  {
    double expect[] = { 6, 7, 10, 11 };
    check_row (c, expect, 4);
  }
  o = lt_transforms_crop (x, -1, 3, 2, 2, &error);
  g_assert_no_error (error);
  {
    double expect[] = { 0, 0, 4, 0 };
    check_row (o, expect, 4);
  }
  f = lt_transforms_hflip (x, &error);
  g_assert_no_error (error);
  {
    double expect[] = { 4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9 };
    check_row (f, expect, 12);
  }
}

static void
test_center_crop (void)
{
  g_autoptr(GError) error = NULL;
  double img[25];
  gint64 s[] = { 1, 5, 5 };
  g_autoptr(LtTensor) x = NULL;
  autofinal LtTransform *cc2 = NULL, *cc7 = NULL;
  g_autoptr(LtTensor) a = NULL, b = NULL;

  g_test_summary ("CenterCrop: offset round ((H - h) / 2) half to even, zero padding when larger");
  for (int i = 0; i < 25; i++)
    img[i] = i + 1;
  x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);
  cc2 = lt_center_crop_new (2, 2, &error);
  g_assert_no_error (error);
  /* (5 - 2) / 2 = 1.5 rounds to 2 */
  a = lt_transform_apply (cc2, x, &error);
  g_assert_no_error (error);
  {
    double expect[] = { 13, 14, 18, 19 };
    check_row (a, expect, 4);
  }
  /* 7 > 5: padding (7 - 5) / 2 = 1 on each side, then the whole */
  cc7 = lt_center_crop_new (7, 6, &error);
  g_assert_no_error (error);
  b = lt_transform_apply (cc7, x, &error);
  g_assert_no_error (error);
  {
    gint64 es[] = { 1, 7, 6 };
    gsize n;
    g_autofree double *v = values (b, &n);

    assert_shape (b, es, 3);
    /* width 6: pad left (6-5)/2 = 0, right 1 */
    for (int y = 0; y < 7; y++)
      for (int xx = 0; xx < 6; xx++)
        {
          double expect = (y >= 1 && y <= 5 && xx <= 4) ? img[(y - 1) * 5 + xx] : 0;
          g_assert_cmpfloat (v[y * 6 + xx], ==, expect);
        }
  }
}

static void
test_random_crop_params (void)
{
  g_autoptr(GError) error = NULL;
  guint8 img[3 * 6 * 5];
  gint64 s[] = { 3, 6, 5 };
  gint64 pad[] = { 2 };
  g_autoptr(LtTensor) x = NULL;
  autofinal LtTransform *rc = NULL;
  gboolean seen_top[7] = { FALSE }, seen_left[6] = { FALSE };

  g_test_summary ("RandomCrop crops the padded image where get_params says, and every offset "
                  "is drawn");
  for (guint i = 0; i < sizeof img; i++)
    img[i] = (guint8) (i * 7 + 1);
  x = tensor_u8 (img, s, 3);
  rc = lt_random_crop_new (4, 4, pad, 1, FALSE, 17, LT_PADDING_MODE_CONSTANT, &error);
  g_assert_no_error (error);

  for (int k = 0; k < 200; k++)
    {
      gint64 top = -1, left = -1;
      g_autoptr(LtTensor) y = NULL, p = NULL, expect = NULL;

      lt_manual_seed (1000 + k);
      g_assert_true (lt_random_crop_get_params (LT_RANDOM_CROP (rc), 10, 9, &top, &left, &error));
      g_assert_no_error (error);
      g_assert_cmpint (top, >=, 0);
      g_assert_cmpint (top, <=, 6);
      g_assert_cmpint (left, >=, 0);
      g_assert_cmpint (left, <=, 5);
      seen_top[top] = TRUE;
      seen_left[left] = TRUE;

      lt_manual_seed (1000 + k);
      y = lt_transform_apply (rc, x, &error);
      g_assert_no_error (error);
      p = lt_transforms_pad (x, pad, 1, 17, LT_PADDING_MODE_CONSTANT, &error);
      g_assert_no_error (error);
      expect = lt_transforms_crop (p, top, left, 4, 4, &error);
      g_assert_no_error (error);
      g_assert_true (tensors_equal (y, expect));
    }
  for (int i = 0; i < 7; i++)
    g_assert_true (seen_top[i]);
  for (int i = 0; i < 6; i++)
    g_assert_true (seen_left[i]);

  /* a crop larger than the padded image */
  {
    autofinal LtTransform *big =
      lt_random_crop_new (20, 4, NULL, 0, FALSE, 0, LT_PADDING_MODE_CONSTANT, &error);
    g_autoptr(LtTensor) y = NULL;

    g_assert_no_error (error);
    y = lt_transform_apply (big, x, &error);
    g_assert_null (y);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  }
}

static void
test_random_crop_pad_if_needed (void)
{
  g_autoptr(GError) error = NULL;
  double img[6] = { 1, 2, 3, 4, 5, 6 };     /* 2 x 3 */
  gint64 s[] = { 1, 2, 3 };
  g_autoptr(LtTensor) x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);
  LtPaddingMode modes[] = { LT_PADDING_MODE_CONSTANT, LT_PADDING_MODE_EDGE,
                            LT_PADDING_MODE_REFLECT, LT_PADDING_MODE_SYMMETRIC };

  g_test_summary ("RandomCrop pad_if_needed pads width then height on both sides, as "
                  "successive pads");
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (int k = 0; k < 20; k++)
      {
        gint64 pad1[] = { 1 };
        autofinal LtTransform *rc = lt_random_crop_new (5, 6, pad1, 1, TRUE, -3, modes[m], &error);
        g_autoptr(LtTensor) y = NULL, p1 = NULL, p2 = NULL, p3 = NULL, expect = NULL;
        gint64 top, left;
        /* padded by 1: 4 x 5; width 5 < 6: pad (1, 0) -> 4 x 7; height 4 < 5:
         * pad (0, 1) -> 6 x 7 */
        gint64 pw[] = { 1, 0 }, ph[] = { 0, 1 };

        g_assert_no_error (error);
        lt_manual_seed (k);
        g_assert_true (lt_random_crop_get_params (LT_RANDOM_CROP (rc), 6, 7, &top, &left, &error));
        lt_manual_seed (k);
        y = lt_transform_apply (rc, x, &error);
        g_assert_no_error (error);

        p1 = lt_transforms_pad (x, pad1, 1, -3, modes[m], &error);
        g_assert_no_error (error);
        p2 = lt_transforms_pad (p1, pw, 2, -3, modes[m], &error);
        g_assert_no_error (error);
        p3 = lt_transforms_pad (p2, ph, 2, -3, modes[m], &error);
        g_assert_no_error (error);
        expect = lt_transforms_crop (p3, top, left, 5, 6, &error);
        g_assert_no_error (error);
        g_assert_true (tensors_equal (y, expect));
      }
}

static void
test_random_flip (void)
{
  g_autoptr(GError) error = NULL;
  double img[6] = { 1, 2, 3, 4, 5, 6 };
  gint64 s[] = { 1, 2, 3 };
  g_autoptr(LtTensor) x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) flipped = lt_transforms_hflip (x, &error);
  autofinal LtTransform *never = lt_random_horizontal_flip_new (0);
  autofinal LtTransform *always = lt_random_horizontal_flip_new (1);
  autofinal LtTransform *half = lt_random_horizontal_flip_new (0.5);
  int n_flips = 0;

  g_test_summary ("RandomHorizontalFlip flips with probability p, as get_params draws");
  lt_manual_seed (7);
  for (int k = 0; k < 1000; k++)
    {
      g_autoptr(LtTensor) a = lt_transform_apply (never, x, &error);
      g_autoptr(LtTensor) b = lt_transform_apply (always, x, &error);
      g_autoptr(LtTensor) c = NULL;
      guint64 seed, offset;
      gboolean flip;

      g_assert_true (tensors_equal (a, x));
      g_assert_true (tensors_equal (b, flipped));

      lt_random_get_state (&seed, &offset);
      flip = lt_random_horizontal_flip_get_params (LT_RANDOM_HORIZONTAL_FLIP (half));
      lt_random_set_state (seed, offset);
      c = lt_transform_apply (half, x, &error);
      g_assert_no_error (error);
      g_assert_true (tensors_equal (c, flip ? flipped : x));
      n_flips += flip;
    }
  /* Binomial (1000, 0.5): 6 standard deviations is 95 */
  g_assert_cmpint (n_flips, >, 405);
  g_assert_cmpint (n_flips, <, 595);
}

/* Bilinear, align_corners=False, from the definition (in double) */
static double
bilinear_ref (const double *src,
              int           in_h,
              int           in_w,
              int           out_h,
              int           out_w,
              int           y,
              int           x)
{
  double sy = MAX ((y + 0.5) * in_h / out_h - 0.5, 0);
  double sx = MAX ((x + 0.5) * in_w / out_w - 0.5, 0);
  int y0 = (int) sy, x0 = (int) sx;
  int y1 = MIN (y0 + 1, in_h - 1), x1 = MIN (x0 + 1, in_w - 1);
  double ly = sy - y0, lx = sx - x0;

  if (in_h == out_h)
    ly = 0, y0 = y1 = y;
  if (in_w == out_w)
    lx = 0, x0 = x1 = x;
  return (1 - ly) * ((1 - lx) * src[y0 * in_w + x0] + lx * src[y0 * in_w + x1])
         + ly * ((1 - lx) * src[y1 * in_w + x0] + lx * src[y1 * in_w + x1]);
}

static void
test_resize (void)
{
  g_autoptr(GError) error = NULL;
  double img[12] = { 0, 1, 5, 2, 3, 7, 8, 1, 9, 4, 4, 0 };   /* 3 x 4 */
  gint64 s[] = { 1, 3, 4 };
  g_autoptr(LtTensor) x = tensor_of_shape (img, s, 3, LT_DTYPE_FLOAT32);
  int sizes[][2] = { { 6, 8 }, { 2, 2 }, { 5, 3 }, { 3, 4 }, { 1, 7 } };

  g_test_summary ("Resize is bilinear interpolation with align_corners=False");
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      int oh = sizes[k][0], ow = sizes[k][1];
      g_autoptr(LtTensor) y = lt_transforms_resize (x, oh, ow, &error);
      gsize n;
      g_autofree double *v = NULL;

      g_assert_no_error (error);
      v = values (y, &n);
      g_assert_cmpuint (n, ==, (gsize) (oh * ow));
      for (int yy = 0; yy < oh; yy++)
        for (int xx = 0; xx < ow; xx++)
          g_assert_cmpfloat_with_epsilon (v[yy * ow + xx],
                                          bilinear_ref (img, 3, 4, oh, ow, yy, xx), 1e-5);
    }

  /* uint8: interpolated in float, rounded half to even */
  {
    guint8 px[] = { 0, 1, 10, 21 };     /* 1 x 4 */
    gint64 s2[] = { 1, 1, 4 };
    g_autoptr(LtTensor) u = tensor_u8 (px, s2, 3);
    g_autoptr(LtTensor) y = lt_transforms_resize (u, 1, 2, &error);
    /* 4 -> 2: source x = 0.5 and 2.5: (0 + 1) / 2 = 0.5 -> 0, (10 + 21) / 2 = 15.5 -> 16 */
    double expect[] = { 0, 16 };

    g_assert_no_error (error);
    g_assert_cmpint (lt_tensor_get_dtype (y), ==, LT_DTYPE_UINT8);
    check_row (y, expect, 2);
  }

  /* one size: the smaller edge */
  {
    gint64 one[] = { 6 };
    gint64 big[] = { 3, 9, 20 };
    autofinal LtTransform *r = lt_resize_new (one, 1, &error);
    g_autoptr(LtTensor) z = NULL, y = NULL;

    g_assert_no_error (error);
    z = lt_zeros (big, 3, LT_DTYPE_FLOAT32, &error);
    y = lt_transform_apply (r, z, &error);
    g_assert_no_error (error);
    {
      /* 20 * 6 / 9 = 13.33 -> 13 */
      gint64 es[] = { 3, 6, 13 };
      assert_shape (y, es, 3);
    }
  }
}

static void
test_grayscale (void)
{
  g_autoptr(GError) error = NULL;
  guint8 px[] = { 255, 10, 0, 100,      /* R */
                  255, 20, 0, 100,      /* G */
                  255, 30, 255, 100 };  /* B */
  gint64 s[] = { 3, 2, 2 };
  g_autoptr(LtTensor) x = tensor_u8 (px, s, 3);
  autofinal LtTransform *g1 = lt_grayscale_new (1, &error);
  autofinal LtTransform *g3 = lt_grayscale_new (3, &error);
  g_autoptr(LtTensor) y1 = NULL, y3 = NULL, f = NULL, fy = NULL;
  gsize n;
  g_autofree double *v1 = NULL, *v3 = NULL, *vf = NULL;

  g_test_summary ("Grayscale is 0.2989 R + 0.587 G + 0.114 B, truncated for uint8");
  g_assert_no_error (error);
  y1 = lt_transform_apply (g1, x, &error);
  g_assert_no_error (error);
  y3 = lt_transform_apply (g3, x, &error);
  g_assert_no_error (error);
  v1 = values (y1, &n);
  g_assert_cmpuint (n, ==, 4);
  v3 = values (y3, &n);
  g_assert_cmpuint (n, ==, 12);
  for (int i = 0; i < 4; i++)
    {
      double l = 0.2989 * px[i] + 0.587 * px[4 + i] + 0.114 * px[8 + i];

      g_assert_cmpfloat (v1[i], ==, floor (l));
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (v3[c * 4 + i], ==, v1[i]);
    }
  /* 255 * 0.9999 = 254.97 truncates to 254 */
  g_assert_cmpfloat (v1[0], ==, 254);

  f = lt_transforms_to_tensor (x, &error);
  fy = lt_transforms_rgb_to_grayscale (f, 1, &error);
  g_assert_no_error (error);
  vf = values (fy, &n);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (vf[i], (0.2989 * px[i] + 0.587 * px[4 + i]
                                            + 0.114 * px[8 + i]) / 255.0, 1e-6);
}

static void
test_compose (void)
{
  g_autoptr(GError) error = NULL;
  guint8 px[12];
  gint64 s[] = { 3, 2, 2 };
  double half[] = { 0.5, 0.5, 0.5 };
  g_autoptr(LtTensor) x = NULL, y = NULL;
  LtTransform *list[2];
  autofinal LtTransform *compose = NULL;
  gsize n;
  g_autofree double *v = NULL;

  g_test_summary ("Compose applies its transforms in order: the tutorial's ToTensor + "
                  "Normalize maps [0, 255] to [-1, 1]");
  for (int i = 0; i < 12; i++)
    px[i] = (guint8) (i * 23);
  x = tensor_u8 (px, s, 3);
  list[0] = lt_to_tensor_new ();
  list[1] = lt_normalize_new (half, 3, half, 3, &error);
  g_assert_no_error (error);
  compose = lt_compose_new (list, 2);
  g_object_unref (list[0]);
  g_object_unref (list[1]);
  g_assert_cmpuint (lt_compose_get_n_transforms (LT_COMPOSE (compose)), ==, 2);
  g_assert_true (LT_IS_NORMALIZE (lt_compose_get_transform (LT_COMPOSE (compose), 1)));
  g_assert_null (lt_compose_get_transform (LT_COMPOSE (compose), 2));

  y = lt_transform_apply (compose, x, &error);
  g_assert_no_error (error);
  v = values (y, &n);
  for (int i = 0; i < 12; i++)
    {
      g_assert_cmpfloat_with_epsilon (v[i], px[i] / 255.0 * 2 - 1, 1e-6);
      g_assert_cmpfloat (v[i], >=, -1);
      g_assert_cmpfloat (v[i], <=, 1);
    }
}

static LtTensor *
augment (LtTransform *t,
         LtTensor    *x)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_transform_apply (t, x, &error);

  g_assert_no_error (error);
  return y;
}

static LtTransform *
cifar_augmentation (void)
{
  g_autoptr(GError) error = NULL;
  gint64 pad[] = { 4 };
  double half[] = { 0.5, 0.5, 0.5 };
  LtTransform *list[4] = {
    lt_to_tensor_new (),
    lt_normalize_new (half, 3, half, 3, &error),
    lt_random_crop_new (32, 32, pad, 1, FALSE, 0, LT_PADDING_MODE_CONSTANT, &error),
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
test_seed_reproducible (void)
{
  g_autoptr(GError) error = NULL;
  gint64 s[] = { 3, 32, 32 };
  g_autoptr(LtTensor) img = NULL;
  autofinal LtTransform *aug = cifar_augmentation ();
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func (g_object_unref);
  int n_diff = 0;

  g_test_summary ("The same seed gives the same augmented images; another seed others");
  lt_manual_seed (3);
  img = lt_randint (0, 256, s, 3, LT_DTYPE_UINT8, &error);
  g_assert_no_error (error);

  lt_manual_seed (42);
  for (int k = 0; k < 20; k++)
    g_ptr_array_add (first, augment (aug, img));
  lt_manual_seed (42);
  for (int k = 0; k < 20; k++)
    {
      g_autoptr(LtTensor) again = augment (aug, img);
      g_assert_true (tensors_equal (again, first->pdata[k]));
    }
  lt_manual_seed (43);
  for (int k = 0; k < 20; k++)
    {
      g_autoptr(LtTensor) other = augment (aug, img);
      n_diff += !tensors_equal (other, first->pdata[k]);
    }
  g_assert_cmpint (n_diff, >, 10);
}

static void
test_thread_streams (void)
{
  g_autoptr(GError) error = NULL;
  gint64 s[] = { 8 };
  g_autoptr(LtTensor) a = NULL, b = NULL, c = NULL, d = NULL;
  guint64 seed, offset, seed2, offset2;

  g_test_summary ("A pushed stream takes the place of the global generator on its thread only");
  lt_manual_seed (5);
  lt_random_get_state (&seed, &offset);

  _lt_random_push_stream (77, 0);
  a = lt_rand (s, 1, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  _lt_random_pop_stream ();
  /* the global generator did not move */
  lt_random_get_state (&seed2, &offset2);
  g_assert_cmpuint (seed2, ==, seed);
  g_assert_cmpuint (offset2, ==, offset);

  /* the same stream gives the same numbers whatever the global state */
  lt_manual_seed (999);
  c = lt_rand (s, 1, LT_DTYPE_FLOAT32, &error);
  _lt_random_push_stream (77, 0);
  b = lt_rand (s, 1, LT_DTYPE_FLOAT32, &error);
  _lt_random_pop_stream ();
  g_assert_true (tensors_equal (a, b));
  g_assert_false (tensors_equal (a, c));

  /* and is the global generator's numbers for that seed */
  lt_manual_seed (77);
  d = lt_rand (s, 1, LT_DTYPE_FLOAT32, &error);
  g_assert_true (tensors_equal (a, d));
}

/* A transform that fails without reporting an error, as a binding whose
 * exception is not a GLib.Error does. */
typedef struct
{
  GObject parent_instance;
} SilentFail;

typedef GObjectClass SilentFailClass;

static void silent_fail_iface_init (LtTransformInterface *iface);
static GType silent_fail_get_type (void);

G_DEFINE_TYPE_WITH_CODE (SilentFail, silent_fail, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, silent_fail_iface_init))

static LtTensor *
silent_fail_apply (LtTransform *self,
                   LtTensor    *input,
                   GError     **error)
{
  return NULL;
}

static void
silent_fail_iface_init (LtTransformInterface *iface)
{
  iface->apply = silent_fail_apply;
}

static void
silent_fail_class_init (SilentFailClass *klass)
{
}

static void
silent_fail_init (SilentFail *self)
{
}

static void
test_silent_failure (void)
{
  g_autoptr(GError) error = NULL;
  gint64 s[] = { 1, 2, 2 };
  g_autoptr(LtTensor) x = lt_zeros (s, 3, LT_DTYPE_FLOAT32, &error);
  autofinal LtTransform *t = g_object_new (silent_fail_get_type (), NULL);
  LtTransform *list[2] = { lt_to_tensor_new (), t };
  autofinal LtTransform *compose = lt_compose_new (list, 2);
  g_autoptr(LtTensor) y = lt_transform_apply (compose, x, &error);

  g_test_summary ("A transform that fails without an error still gives the caller one");
  g_object_unref (list[0]);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "SilentFail"));
}

static void
test_no_leak (void)
{
  g_autoptr(GError) error = NULL;
  gint64 s[] = { 3, 8, 8 };
  g_autoptr(LtTensor) x = lt_zeros (s, 3, LT_DTYPE_UINT8, &error);
  LtTransform *aug = cifar_augmentation ();
  LtTensor *y;

  g_test_summary ("Transforms and their results are freed with their last reference");
  {
    gint64 pad[] = { 4 };
    LtTransform *rc = lt_random_crop_new (8, 8, pad, 1, FALSE, 0, LT_PADDING_MODE_REFLECT, &error);
    g_assert_no_error (error);
    y = lt_transform_apply (rc, x, &error);
    g_assert_no_error (error);
    g_assert_finalize_object (y);
    g_assert_finalize_object (rc);
  }
  g_assert_finalize_object (aug);
}

static void
test_make_grid (void)
{
  g_autoptr(GError) error = NULL;
  gint64 s[] = { 3, 1, 2, 2 };
  double v[12];
  g_autoptr(LtTensor) x = NULL, grid = NULL, none = NULL, empty = NULL;
  gsize n;
  g_autofree double *g = NULL;
  double range[2] = { 0, 11 };

  g_test_summary ("make_grid lays images out in rows with padding; one channel becomes three");
  for (int i = 0; i < 12; i++)
    v[i] = i;
  x = tensor_of_shape (v, s, 4, LT_DTYPE_FLOAT32);
  grid = lt_make_grid (x, 2, 1, FALSE, NULL, FALSE, -1, &error);
  g_assert_no_error (error);
  {
    /* 2 per row: 2 rows; (2 + 1) * 2 + 1 = 7 each way */
    gint64 es[] = { 3, 7, 7 };
    assert_shape (grid, es, 3);
  }
  g = values (grid, &n);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 7; y++)
      for (int xx = 0; xx < 7; xx++)
        {
          int k = (y / 3) * 2 + xx / 3, yi = y % 3 - 1, xi = xx % 3 - 1;
          double expect = (yi < 0 || xi < 0 || k >= 3) ? -1 : v[k * 4 + yi * 2 + xi];

          g_assert_cmpfloat (g[(c * 7 + y) * 7 + xx], ==, expect);
        }

  /* one image: no padding; normalize by a value range */
  {
    gint64 s1[] = { 1, 1, 2, 2 };
    g_autoptr(LtTensor) single = tensor_of_shape (v + 4, s1, 4, LT_DTYPE_FLOAT32);
    g_autoptr(LtTensor) sg = lt_make_grid (single, 8, 2, TRUE, range, FALSE, 0, &error);
    g_autofree double *sv = NULL;
    gint64 es[] = { 3, 2, 2 };

    g_assert_no_error (error);
    assert_shape (sg, es, 3);
    sv = values (sg, &n);
    for (int i = 0; i < 4; i++)
      g_assert_cmpfloat_with_epsilon (sv[i], (4 + i) / 11.0, 1e-6);
  }

  /* an empty batch */
  {
    gint64 s0[] = { 0, 3, 2, 2 };
    empty = lt_zeros (s0, 4, LT_DTYPE_FLOAT32, &error);
    none = lt_make_grid (empty, 8, 2, FALSE, NULL, FALSE, 0, &error);
    g_assert_null (none);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  }
}

static void
test_image_files_and_surfaces (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lt-image-XXXXXX", &error);
  g_autofree char *path = NULL;
  guint8 px[3 * 5 * 4];
  gint64 s[] = { 3, 5, 4 };
  g_autoptr(LtTensor) img = NULL, back = NULL, from_surface = NULL, f = NULL;
  cairo_surface_t *surface;

  g_test_summary ("save_image and load_image round-trip uint8 pixels through PNG; tensors "
                  "round-trip through Cairo surfaces");
  g_assert_no_error (error);
  for (guint i = 0; i < sizeof px; i++)
    px[i] = (guint8) (i * 37 + 11);
  img = tensor_u8 (px, s, 3);
  path = g_build_filename (dir, "x.png", NULL);
  g_assert_true (lt_save_image (img, path, 8, 2, FALSE, NULL, FALSE, 0, &error));
  g_assert_no_error (error);
  back = lt_load_image (path, &error);
  g_assert_no_error (error);
  g_assert_true (tensors_equal (back, img));

  /* float in [0, 1] becomes round (x * 255) */
  f = lt_transforms_to_tensor (img, &error);
  g_assert_true (lt_save_image (f, path, 8, 2, FALSE, NULL, FALSE, 0, &error));
  g_clear_object (&back);
  back = lt_load_image (path, &error);
  g_assert_no_error (error);
  g_assert_true (tensors_equal (back, img));

  surface = lt_tensor_to_cairo_surface (img, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 4);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 5);
  from_surface = lt_tensor_new_from_cairo_surface (surface, &error);
  g_assert_no_error (error);
  g_assert_true (tensors_equal (from_surface, img));
  cairo_surface_destroy (surface);

  g_clear_object (&back);
  back = lt_load_image (dir, &error);
  g_assert_null (back);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (lt_save_image (img, "x.tiffy", 8, 2, FALSE, NULL, FALSE, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transforms/to-tensor/layouts", test_to_tensor_layouts);
  g_test_add_func ("/transforms/to-tensor/float-and-errors", test_to_tensor_float_and_errors);
  g_test_add_func ("/transforms/normalize", test_normalize);
  g_test_add_func ("/transforms/pad/modes", test_pad_modes);
  g_test_add_func ("/transforms/pad/2d", test_pad_2d);
  g_test_add_func ("/transforms/crop-and-flip", test_crop_and_flip);
  g_test_add_func ("/transforms/center-crop", test_center_crop);
  g_test_add_func ("/transforms/random-crop/params", test_random_crop_params);
  g_test_add_func ("/transforms/random-crop/pad-if-needed", test_random_crop_pad_if_needed);
  g_test_add_func ("/transforms/random-flip", test_random_flip);
  g_test_add_func ("/transforms/resize", test_resize);
  g_test_add_func ("/transforms/grayscale", test_grayscale);
  g_test_add_func ("/transforms/compose", test_compose);
  g_test_add_func ("/transforms/seed", test_seed_reproducible);
  g_test_add_func ("/transforms/thread-streams", test_thread_streams);
  g_test_add_func ("/transforms/silent-failure", test_silent_failure);
  g_test_add_func ("/transforms/no-leak", test_no_leak);
  g_test_add_func ("/image/make-grid", test_make_grid);
  g_test_add_func ("/image/files-and-surfaces", test_image_files_and_surfaces);

  return g_test_run ();
}
