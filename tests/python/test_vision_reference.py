#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.transforms' ColorJitter, GaussianBlur, RandomErasing,
RandomResizedCrop, RandomRotation, RandomAffine, PILToTensor and
ToPILImage and their functionals
against torchvision 0.14's (tensor functionals, float and uint8 images):
the same values for the same parameters, the same ValueErrors; the random
transforms' parameters within torchvision's ranges. MNIST and
FashionMNIST with download=True use the files already there, and download
the missing ones (from a local HTTP server standing for the mirrors,
checking their MD5s). Lt.backends.cudnn and Lt.backends.mps say they are
not available, so the examples' device-selection lines run as written.
"""

import hashlib
import http.server
import os
import shutil
import tempfile
import threading
import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
TF = require('torchvision.transforms.functional', 'python3-torchvision')
TT = require('torchvision.transforms', 'python3-torchvision')
np = require('numpy', 'python3-numpy')
PIL = require('PIL.Image', 'python3-pil')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

LF = Lt.transforms.functional
rng = np.random.default_rng(7)
FASHION = '/usr/share/datasets/fashion-mnist'


def images():
    f = rng.random((3, 9, 11), dtype=np.float32)
    u = (rng.random((3, 9, 11)) * 255).astype(np.uint8)
    return [('float', f), ('uint8', u)]


def both(fn_l, fn_t, a, **kw):
    got = fn_l(Lt.tensor(a), **kw).numpy()
    want = fn_t(torch.tensor(a), **kw).numpy()
    return got, want


class Functionals(unittest.TestCase):
    def check(self, got, want, kind):
        self.assertEqual(got.dtype, want.dtype)
        if kind == 'uint8':
            # rounding of a float32 value that falls on .5 may differ by one
            self.assertLessEqual(np.abs(got.astype(int) - want.astype(int)).max(), 1)
            self.assertLess((got != want).mean(), 0.02)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    def test_colour_adjustments(self):
        for kind, a in images():
            for name, factor in (('adjust_brightness', 1.4), ('adjust_brightness', 0.3),
                                 ('adjust_contrast', 0.5), ('adjust_contrast', 1.7),
                                 ('adjust_saturation', 0.2), ('adjust_saturation', 1.8),
                                 ('adjust_hue', 0.2), ('adjust_hue', -0.45), ('adjust_hue', 0)):
                with self.subTest(kind, fn=name, factor=factor):
                    got, want = (getattr(LF, name)(Lt.tensor(a), factor).numpy(),
                                 getattr(TF, name)(torch.tensor(a), factor).numpy())
                    self.check(got, want, kind)
        with self.assertRaises(ValueError):
            LF.adjust_hue(Lt.tensor(images()[0][1]), 0.7)
        with self.assertRaises(ValueError):
            LF.adjust_brightness(Lt.tensor(images()[0][1]), -1)

    def test_gaussian_blur(self):
        for kind, a in images():
            for ks, sigma in ((3, None), ([5, 3], [1.5, 0.7]), (7, 2.0), ([1, 5], None)):
                with self.subTest(kind, kernel_size=ks, sigma=sigma):
                    got = LF.gaussian_blur(Lt.tensor(a), ks, sigma).numpy()
                    want = TF.gaussian_blur(torch.tensor(a), ks, sigma).numpy()
                    self.check(got, want, kind)
        # the transform with a fixed sigma
        a = images()[0][1]
        np.testing.assert_allclose(Lt.transforms.GaussianBlur(5, 1.3)(Lt.tensor(a)).numpy(),
                                   TT.GaussianBlur(5, 1.3)(torch.tensor(a)).numpy(), rtol=1e-5,
                                   atol=1e-6)
        for bad in (dict(kernel_size=4), dict(kernel_size=3, sigma=0),
                    dict(kernel_size=3, sigma=(2.0, 1.0))):
            with self.assertRaises(ValueError):
                TT.GaussianBlur(**bad)
            with self.assertRaises(ValueError):
                Lt.transforms.GaussianBlur(**bad)

    def test_erase_and_resized_crop(self):
        for kind, a in images():
            v = np.array([[[0.5]], [[0.25]], [[1.0]]], dtype=a.dtype) if kind == 'float' else \
                np.array([[[7]], [[8]], [[9]]], dtype=np.uint8)
            got = LF.erase(Lt.tensor(a), 2, 3, 4, 5, Lt.tensor(v)).numpy()
            want = TF.erase(torch.tensor(a), 2, 3, 4, 5, torch.tensor(v)).numpy()
            np.testing.assert_array_equal(got, want)
        a = images()[0][1]
        got = LF.resized_crop(Lt.tensor(a), 1, 2, 6, 7, [12, 5]).numpy()
        want = TF.resized_crop(torch.tensor(a), 1, 2, 6, 7, [12, 5], antialias=False).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    def test_colour_jitter(self):
        a = images()[0][1]
        # ranges of one value: the result does not depend on the order
        got = Lt.transforms.ColorJitter(brightness=(1.3, 1.3))(Lt.tensor(a)).numpy()
        np.testing.assert_allclose(got, TF.adjust_brightness(torch.tensor(a), 1.3).numpy(),
                                   rtol=1e-6)
        got = Lt.transforms.ColorJitter(hue=(0.1, 0.1))(Lt.tensor(a)).numpy()
        np.testing.assert_allclose(got, TF.adjust_hue(torch.tensor(a), 0.1).numpy(), rtol=1e-5,
                                   atol=1e-6)
        cj_l, cj_t = Lt.transforms.ColorJitter(0.4, 0.3, 0.2, 0.1), TT.ColorJitter(0.4, 0.3, 0.2,
                                                                                 0.1)
        self.assertEqual((cj_l.brightness, cj_l.contrast, cj_l.saturation, cj_l.hue),
                         (cj_t.brightness, cj_t.contrast, cj_t.saturation, cj_t.hue))
        Lt.manual_seed(0)
        for _ in range(20):
            order, b, c, s, h = cj_l.get_params(cj_l.brightness, cj_l.contrast, cj_l.saturation,
                                                cj_l.hue)
            self.assertEqual(sorted(order), [0, 1, 2, 3])
            self.assertTrue(0.6 <= b <= 1.4 and 0.7 <= c <= 1.3 and 0.8 <= s <= 1.2)
            self.assertTrue(-0.1 <= h <= 0.1)
        self.assertEqual(cj_l(Lt.tensor(a)).get_shape(), [3, 9, 11])
        for bad in (dict(brightness=-1), dict(hue=(0.2, 0.7)), dict(contrast=(2, 1))):
            with self.assertRaises(ValueError):
                TT.ColorJitter(**bad)
            with self.assertRaises(ValueError):
                Lt.transforms.ColorJitter(**bad)

    def test_random_erasing(self):
        a = images()[0][1]
        np.testing.assert_array_equal(Lt.transforms.RandomErasing(p=0)(Lt.tensor(a)).numpy(), a)
        Lt.manual_seed(1)
        for value in (0, (0.1, 0.2, 0.3), 'random'):
            out = Lt.transforms.RandomErasing(p=1, value=value)(Lt.tensor(a)).numpy()
            changed = np.argwhere((out != a).any(axis=0))
            self.assertGreater(len(changed), 0)
            (i0, j0), (i1, j1) = changed.min(axis=0), changed.max(axis=0)
            area = (i1 - i0 + 1) * (j1 - j0 + 1)
            self.assertLessEqual(area, 0.33 * 99 + 1)
            if value != 'random':
                v = np.broadcast_to(np.array(value, dtype=np.float32).reshape(-1, 1, 1),
                                    (3, i1 - i0 + 1, j1 - j0 + 1))
                np.testing.assert_array_equal(out[:, i0:i1 + 1, j0:j1 + 1], v)
        for bad in (dict(p=2), dict(value='noise'), dict(scale=(0, 2))):
            with self.assertRaises(ValueError):
                TT.RandomErasing(**bad)
            with self.assertRaises(ValueError):
                Lt.transforms.RandomErasing(**bad)

    def test_random_resized_crop(self):
        a = images()[0][1]
        t = Lt.transforms.RandomResizedCrop(5)
        Lt.manual_seed(2)
        for _ in range(20):
            i, j, h, w = t.get_params(Lt.tensor(a), t.scale, t.ratio)
            self.assertTrue(0 <= i and i + h <= 9 and 0 <= j and j + w <= 11)
            self.assertTrue(0 < h and 0 < w)
        self.assertEqual(t(Lt.tensor(a)).get_shape(), [3, 5, 5])
        self.assertEqual(Lt.transforms.RandomResizedCrop((4, 6))(Lt.tensor(a)).get_shape(),
                         [3, 4, 6])
        with self.assertWarnsRegex(UserWarning, 'Scale and ratio'):
            Lt.transforms.RandomResizedCrop(5, scale=(1.0, 0.5))

    def test_rotate_and_affine(self):
        IM = TT.InterpolationMode
        for kind, a in images():
            for kw in (dict(angle=30.), dict(angle=-75., interpolation=IM.BILINEAR),
                       dict(angle=45., expand=True), dict(angle=10., fill=[0.5, 0.2, 0.1]),
                       dict(angle=20., interpolation=IM.BILINEAR, fill=1.0),
                       dict(angle=33., center=[2, 3]), dict(angle=90.)):
                with self.subTest(kind + ' rotate', **{k: str(v) for k, v in kw.items()}):
                    got = LF.rotate(Lt.tensor(a), **kw).numpy()
                    want = TF.rotate(torch.tensor(a), **kw).numpy()
                    self.assertEqual(got.shape, want.shape)
                    self.check(got, want, kind)
            for kw in (dict(angle=30., translate=[2, -1], scale=1.2, shear=[10., 5.]),
                       dict(angle=-10., translate=[0, 3], scale=0.8, shear=15.,
                            interpolation=IM.BILINEAR, fill=[0.3, 0.3, 0.3]),
                       dict(angle=0., translate=[1, 1], scale=1.0, shear=[0.]),
                       dict(angle=5., translate=[0, 0], scale=2.0, shear=0., center=[1, 7])):
                with self.subTest(kind + ' affine', **{k: str(v) for k, v in kw.items()}):
                    got = LF.affine(Lt.tensor(a), **kw).numpy()
                    want = TF.affine(torch.tensor(a), **kw).numpy()
                    self.check(got, want, kind)
        # the transforms with one possible angle (and nothing else random)
        a = images()[0][1]
        np.testing.assert_array_equal(
            Lt.transforms.RandomRotation((40, 40))(Lt.tensor(a)).numpy(),
            TT.RandomRotation((40, 40))(torch.tensor(a)).numpy())
        np.testing.assert_array_equal(
            Lt.transforms.RandomAffine((-20, -20), scale=(1.5, 1.5), shear=(8, 8, 3, 3))(
                Lt.tensor(a)).numpy(),
            TT.RandomAffine((-20, -20), scale=(1.5, 1.5), shear=(8, 8, 3, 3))(
                torch.tensor(a)).numpy())
        t = Lt.transforms.RandomAffine(10, translate=(0.1, 0.2), scale=(0.9, 1.1), shear=5)
        Lt.manual_seed(4)
        for _ in range(20):
            angle, (tx, ty), scale, (sx, sy) = t.get_params(t.degrees, t.translate, t.scale,
                                                            t.shear, [11, 9])
            self.assertTrue(-10 <= angle <= 10 and abs(tx) <= 1 and abs(ty) <= 2)
            self.assertTrue(0.9 <= scale <= 1.1 and -5 <= sx <= 5 and sy == 0)
        for bad in (dict(degrees=-1), dict(degrees=(1, 2, 3)), dict(degrees=5, translate=(2, 0)),
                    dict(degrees=5, scale=(0, 1)), dict(degrees=5, shear=(1, 2, 3))):
            with self.assertRaises(ValueError):
                TT.RandomAffine(**bad)
            with self.assertRaises(ValueError):
                Lt.transforms.RandomAffine(**bad)
        with self.assertRaises(ValueError):
            Lt.transforms.RandomRotation(-3)

    def test_pil(self):
        u = (rng.random((3, 6, 4)) * 255).astype(np.uint8)
        pic_t = TF.to_pil_image(torch.tensor(u))
        pic_l = Lt.transforms.ToPILImage()(Lt.tensor(u))
        self.assertEqual(pic_l.mode, pic_t.mode)
        self.assertEqual(pic_l.tobytes(), pic_t.tobytes())
        f = rng.random((1, 5, 5), dtype=np.float32)
        self.assertEqual(LF.to_pil_image(Lt.tensor(f)).tobytes(),
                         TF.to_pil_image(torch.tensor(f)).tobytes())
        for pic in (pic_t, pic_t.convert('L')):
            np.testing.assert_array_equal(Lt.transforms.PILToTensor()(pic).numpy(),
                                          TT.PILToTensor()(pic).numpy())
        # in a Compose, as the tutorials write it
        tf = Lt.transforms.Compose([Lt.transforms.PILToTensor(),
                                    Lt.transforms.Lambda(lambda t: t.float() / 255)])
        np.testing.assert_allclose(tf(pic_t).numpy(), u / 255, rtol=1e-6)


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Downloads(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_files_already_there(self):
        raw = os.path.join(self.tmp, 'FashionMNIST', 'raw')
        os.makedirs(raw)
        for name in ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'):
            shutil.copy(os.path.join(FASHION, name), raw)
        # no network request: the mirrors point nowhere
        saved = Lt.datasets.FashionMNIST.mirrors
        Lt.datasets.FashionMNIST.mirrors = ['http://127.0.0.1:9/']
        try:
            ds = Lt.datasets.FashionMNIST(self.tmp, train=False, download=True)
        finally:
            Lt.datasets.FashionMNIST.mirrors = saved
        self.assertEqual(len(ds), 10000)
        # the training files are not there and cannot be downloaded
        Lt.datasets.FashionMNIST.mirrors = ['http://127.0.0.1:9/']
        try:
            with self.assertRaisesRegex(RuntimeError, 'could not be downloaded'):
                Lt.datasets.FashionMNIST(self.tmp, train=True, download=True)
        finally:
            Lt.datasets.FashionMNIST.mirrors = saved

    def test_download_from_a_mirror(self):
        served = os.path.join(self.tmp, 'served')
        os.makedirs(served)
        resources = []
        for name in ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz',
                     'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'):
            shutil.copy(os.path.join(FASHION, name), served)
            with open(os.path.join(served, name), 'rb') as f:
                resources.append((name, hashlib.md5(f.read()).hexdigest()))
        server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), lambda *a: Handler(*a, directory=served))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        saved = (Lt.datasets.MNIST.mirrors, Lt.datasets.MNIST.resources)
        try:
            Lt.datasets.MNIST.mirrors = ['http://127.0.0.1:9/',      # refused: the next one
                                         'http://127.0.0.1:%d/' % server.server_port]
            Lt.datasets.MNIST.resources = resources
            root = os.path.join(self.tmp, 'data')
            ds = Lt.datasets.MNIST(root, train=False, download=True)
            self.assertEqual(len(ds), 10000)
            self.assertTrue(os.path.isfile(os.path.join(root, 'MNIST', 'raw',
                                                        't10k-images-idx3-ubyte.gz')))
            x, y = ds[0]
            self.assertEqual(x.get_shape(), [1, 28, 28])
            # a file whose MD5 does not match is refused
            Lt.datasets.MNIST.resources = [(n, '0' * 32) for n, _ in resources]
            with self.assertRaisesRegex(RuntimeError, 'could not be downloaded'):
                Lt.datasets.MNIST(os.path.join(self.tmp, 'other'), train=False, download=True)
        finally:
            Lt.datasets.MNIST.mirrors, Lt.datasets.MNIST.resources = saved
            server.shutdown()
            server.server_close()


class Backends(unittest.TestCase):
    def test_device_selection_lines(self):
        self.assertFalse(Lt.backends.cudnn.is_available())
        self.assertFalse(Lt.backends.mps.is_available())
        self.assertFalse(Lt.backends.mps.is_built())
        Lt.backends.cudnn.benchmark = True          # examples set it; nothing changes
        Lt.backends.cudnn.deterministic = True
        device = ('cuda' if Lt.cuda.is_available() else
                  'mps' if Lt.backends.mps.is_available() else 'cpu')
        self.assertIn(device, ('cuda', 'cpu'))
        Lt.ones(2).to(device)


if __name__ == '__main__':
    main()
