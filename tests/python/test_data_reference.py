#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Transforms, make_grid and save_image against torchvision 0.14 on the same
inputs.  The random transforms are compared under a fixed draw: Lt draws
the crop offset or the flip (get_params, with the generator state that
apply() then sees) and torchvision applies the same offset or flip."""

import os
import tempfile
import unittest
import warnings

from harness import main, require

torch = require('torch', 'python3-torch')
torchvision = require('torchvision', 'python3-torchvision')
tvt = require('torchvision.transforms', 'python3-torchvision')
TF = require('torchvision.transforms.functional', 'python3-torchvision')
tvu = require('torchvision.utils', 'python3-torchvision')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

T = Lt.transforms
torch.set_num_threads(1)
warnings.filterwarnings('ignore', category=UserWarning)
print('torchvision', torchvision.__version__)

RNG = np.random.RandomState(1234)


def images(shape, dtype):
    if dtype == 'uint8':
        return RNG.randint(0, 256, shape).astype(np.uint8)
    return RNG.rand(*shape).astype(dtype)


def both(a):
    return Lt.from_numpy(np.ascontiguousarray(a)), torch.from_numpy(np.ascontiguousarray(a))


def assert_same(test, lt, ref, atol=0.0):
    got = lt.numpy()
    want = ref.numpy()
    test.assertEqual(got.shape, want.shape)
    test.assertEqual(got.dtype, want.dtype)
    if atol == 0:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=atol)


class TestDeterministic(unittest.TestCase):

    def test_to_tensor(self):
        for shape in [(5, 7, 3), (6, 4, 1), (5, 7)]:
            a = images(shape, 'uint8')
            got = T.ToTensor()(a)
            want = tvt.ToTensor()(a)
            assert_same(self, got, want)

    def test_normalize(self):
        for dtype in ('float32', 'float64'):
            x = images((3, 5, 6), dtype)
            lt, tt = both(x)
            for mean, std in [((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
                              ((0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261)), ((0.1,), (3.0,))]:
                with self.subTest(dtype=dtype, mean=mean):
                    assert_same(self, T.Normalize(mean, std)(lt), tvt.Normalize(mean, std)(tt))
            # batched (N, C, H, W)
            xb = images((2, 3, 4, 4), dtype)
            lb, tb = both(xb)
            assert_same(self, T.Normalize((0.1, 0.2, 0.3), (1, 2, 3))(lb),
                        tvt.Normalize((0.1, 0.2, 0.3), (1, 2, 3))(tb))

    def test_resize(self):
        for dtype in ('float32', 'float64', 'uint8'):
            x = images((3, 13, 10), dtype)
            lt, tt = both(x)
            for size in [(26, 20), (7, 5), (13, 10), (32, 32), (5, 17), 8, 21]:
                with self.subTest(dtype=dtype, size=size):
                    got = T.Resize(size)(lt)
                    want = tvt.Resize(size, antialias=False)(tt)
                    if dtype == 'uint8':
                        g, w = got.numpy().astype(int), want.numpy().astype(int)
                        self.assertEqual(g.shape, w.shape)
                        # Both interpolate in float32 and round; the order of
                        # the float operations differs by an ulp, which moves
                        # exact ties (x.5, common between integer pixels) to
                        # either side: a difference is allowed only there.
                        exact = T.Resize(size)(Lt.from_numpy(x.astype(np.float32))).numpy()
                        tie = np.abs(exact - np.floor(exact) - 0.5) < 1e-3
                        self.assertLessEqual(np.abs(g - w).max(), 1)
                        self.assertTrue(((g == w) | tie).all())
                    else:
                        assert_same(self, got, want, atol=1e-5 if dtype == 'float32' else 1e-12)

    def test_center_crop(self):
        for dtype in ('float32', 'uint8'):
            x = images((3, 9, 8), dtype)
            lt, tt = both(x)
            for size in [(4, 4), (5, 3), (9, 8), (1, 1), (12, 8), (11, 13), 10]:
                with self.subTest(dtype=dtype, size=size):
                    assert_same(self, T.CenterCrop(size)(lt), tvt.CenterCrop(size)(tt))

    def test_grayscale(self):
        for dtype in ('float32', 'float64', 'uint8'):
            x = images((3, 6, 5), dtype)
            lt, tt = both(x)
            for n in (1, 3):
                with self.subTest(dtype=dtype, n=n):
                    assert_same(self, T.Grayscale(n)(lt),
                                tvt.Grayscale(n)(tt).contiguous())
        one = images((1, 4, 4), 'uint8')
        lt, tt = both(one)
        assert_same(self, T.Grayscale(3)(lt), tvt.Grayscale(3)(tt).contiguous())

    def test_pad_and_flip(self):
        x = images((2, 5, 6), 'float32')
        lt, tt = both(x)
        for padding in [1, (2, 3), (1, 0, 4, 2), (5, 4)]:
            for mode in ('constant', 'edge', 'reflect', 'symmetric'):
                with self.subTest(padding=padding, mode=mode):
                    assert_same(self, T.functional.pad(lt, padding, 0.5, mode),
                                TF.pad(tt, padding, 0.5, mode))
        assert_same(self, T.functional.hflip(lt), TF.hflip(tt))
        assert_same(self, T.functional.crop(lt, -2, 3, 6, 5), TF.crop(tt, -2, 3, 6, 5))


class TestRandomUnderFixedDraw(unittest.TestCase):

    def check_crop(self, x, size, **kwargs):
        lt, tt = both(x)
        lt_crop = T.RandomCrop(size, **kwargs)
        tv_crop = tvt.RandomCrop(size, **kwargs)
        drawn = []
        for seed in range(40):
            # the padded size apply() will see, as torchvision computes it
            padded = tt
            if kwargs.get('padding') is not None:
                padded = TF.pad(padded, kwargs['padding'], kwargs.get('fill', 0),
                                kwargs.get('padding_mode', 'constant'))
            th, tw = (size, size) if isinstance(size, int) else size
            h, w = padded.shape[-2:]
            if kwargs.get('pad_if_needed'):
                # torchvision pads the short side by the shortfall on both sides
                w = w + 2 * (tw - w) if w < tw else w
                h = h + 2 * (th - h) if h < th else h
            Lt.manual_seed(seed)
            top, left, _, _ = lt_crop.get_params(Lt.empty(1, h, w), size)
            Lt.manual_seed(seed)
            got = lt_crop(lt)
            tv_crop.get_params = lambda img, output_size: (top, left, output_size[0],
                                                           output_size[1])
            want = tv_crop(tt)
            assert_same(self, got, want)
            drawn.append((top, left))
        # the draws vary (where there is room to)
        if h > th or w > tw:
            self.assertGreater(len(set(drawn)), 1)

    def test_random_crop(self):
        for dtype in ('uint8', 'float32'):
            x = images((3, 32, 32), dtype)
            for mode in ('constant', 'edge', 'reflect', 'symmetric'):
                with self.subTest(dtype=dtype, mode=mode):
                    self.check_crop(x, 32, padding=4, padding_mode=mode, fill=7)
                    self.check_crop(x, (20, 28), padding=(1, 3), padding_mode=mode)
                    self.check_crop(x, 30, padding=(1, 2, 3, 0), padding_mode=mode)
            small = images((3, 5, 7), dtype)
            for mode in ('constant', 'edge', 'reflect', 'symmetric'):
                with self.subTest(dtype=dtype, mode=mode, pad_if_needed=True):
                    self.check_crop(small, (8, 9), pad_if_needed=True, padding_mode=mode, fill=3)
                    self.check_crop(small, (6, 6), padding=1, pad_if_needed=True,
                                    padding_mode=mode)

    def test_random_horizontal_flip(self):
        x = images((3, 4, 6), 'float32')
        lt, tt = both(x)
        flip = T.RandomHorizontalFlip(0.5)
        decisions = []
        for seed in range(60):
            Lt.manual_seed(seed)
            d = Lt.RandomHorizontalFlip.get_params(flip)
            Lt.manual_seed(seed)
            got = flip(lt)
            assert_same(self, got, TF.hflip(tt) if d else tt)
            decisions.append(d)
        self.assertIn(True, decisions)
        self.assertIn(False, decisions)


class TestGrid(unittest.TestCase):

    def test_make_grid(self):
        cases = [
            ((5, 3, 4, 6), {}),
            ((7, 3, 5, 5), dict(nrow=3, padding=1, pad_value=0.5)),
            ((4, 1, 6, 6), dict(nrow=2)),
            ((3, 3, 4, 4), dict(normalize=True)),
            ((3, 3, 4, 4), dict(normalize=True, scale_each=True)),
            ((6, 3, 4, 4), dict(normalize=True, value_range=(-1.0, 1.0), padding=0)),
            ((6, 3, 4, 4), dict(normalize=True, value_range=(0.2, 0.4), scale_each=True)),
            ((1, 3, 4, 5), dict(padding=3)),
            ((3, 6, 5), {}),
            ((1, 6, 5), {}),
            ((6, 5), {}),
            ((2, 4, 3, 3), dict(nrow=1, padding=4, pad_value=1)),
        ]
        for shape, kw in cases:
            for dtype in ('float32', 'float64'):
                with self.subTest(shape=shape, kw=kw, dtype=dtype):
                    x = (images(shape, dtype) * 4 - 2).astype(dtype)
                    lt, tt = both(x)
                    assert_same(self, Lt.utils.make_grid(lt, **kw), tvu.make_grid(tt, **kw),
                                atol=1e-6 if kw.get('normalize') else 0)
        x = images((4, 3, 2, 2), 'uint8')
        lt, tt = both(x)
        assert_same(self, Lt.utils.make_grid(lt, nrow=3, pad_value=9),
                    tvu.make_grid(tt, nrow=3, pad_value=9))

    def test_save_image(self):
        from PIL import Image
        with tempfile.TemporaryDirectory() as d:
            for shape, kw in [((5, 3, 4, 6), dict(nrow=3)), ((3, 8, 9), {}),
                              ((4, 1, 5, 5), dict(normalize=True))]:
                with self.subTest(shape=shape, kw=kw):
                    x = (images(shape, 'float32') * 1.2 - 0.1).astype(np.float32)
                    lt, tt = both(x)
                    a, b = os.path.join(d, 'lt.png'), os.path.join(d, 'tv.png')
                    Lt.utils.save_image(lt, a, **kw)
                    tvu.save_image(tt, b, **kw)
                    pa, pb = np.asarray(Image.open(a)), np.asarray(Image.open(b))
                    np.testing.assert_array_equal(pa, pb)


if __name__ == '__main__':
    main(verbosity=1)
