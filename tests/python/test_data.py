#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.utils.data, Lt.transforms and the image helpers from Python: Python
datasets read by the C loader (with worker threads), torch's iteration
forms, errors raised in Python code surfacing from next(), no deadlock with
the GIL, images to files and Cairo surfaces and back."""

import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest

from harness import main, require, require_path

np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

T = Lt.transforms
data = Lt.utils.data


class Pictures(data.Dataset):
    """Item i: an (H, W, 3) uint8 array whose first pixel encodes i (as
    torchvision datasets hand numpy images to their transform); label
    i % 10.  No super().__init__() call, as in many torch datasets."""

    def __init__(self, n, transform=None, fail_at=None, size=8, work=0):
        self.n = n
        self.transform = transform
        self.fail_at = fail_at
        self.size = size
        self.work = work

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        if index == self.fail_at:
            self.raised = ValueError('picture %d is broken' % index)
            raise self.raised
        for _ in range(self.work):          # pure Python work, holding the GIL
            pass
        rng = np.random.RandomState(index)
        img = rng.randint(0, 256, (self.size, self.size, 3)).astype(np.uint8)
        img[0, 0, 0] = index % 256
        img[0, 0, 1] = index // 256
        if self.transform is not None:
            img = self.transform(img)
        return img, index % 10


def indices_of(batch):
    a = batch.numpy()
    if a.shape[-1] == 3 and a.dtype == np.uint8:          # (N, H, W, C)
        return [int(x[0, 0, 0]) + 256 * int(x[0, 0, 1]) for x in a]
    raise AssertionError('not a batch of raw pictures')


class TestIteration(unittest.TestCase):

    def test_enumerate_len_next(self):
        loader = data.DataLoader(Pictures(10), batch_size=4)
        self.assertEqual(len(loader), 3)
        seen = []
        for i, (inputs, labels) in enumerate(loader):
            self.assertEqual(tuple(inputs.shape)[1:], (8, 8, 3))
            self.assertEqual(labels.dtype, Lt.int64)
            idx = indices_of(inputs)
            self.assertEqual(labels.tolist(), [k % 10 for k in idx])
            seen += idx
        self.assertEqual(i, 2)
        self.assertEqual(seen, list(range(10)))
        images, labels = next(iter(loader))
        self.assertEqual(indices_of(images), [0, 1, 2, 3])

    def test_to_tensor_normalize_batches(self):
        tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
        ds = Pictures(6, transform=tf)
        images, labels = next(iter(data.DataLoader(ds, batch_size=6)))
        self.assertEqual(tuple(images.shape), (6, 3, 8, 8))
        self.assertEqual(images.dtype, Lt.float32)
        raw = np.stack([Pictures(6)[i][0] for i in range(6)])     # (N, H, W, C)
        want = (raw.transpose(0, 3, 1, 2).astype(np.float32) / 255 - 0.5) / 0.5
        np.testing.assert_allclose(images.numpy(), want, rtol=0, atol=1e-6)
        self.assertEqual(labels.tolist(), [0, 1, 2, 3, 4, 5])

    def test_shuffle_every_item_once_and_seeded(self):
        loader = data.DataLoader(Pictures(50), batch_size=7, shuffle=True, num_workers=2)
        Lt.manual_seed(5)
        e1 = [k for x, _ in loader for k in indices_of(x)]
        e2 = [k for x, _ in loader for k in indices_of(x)]
        self.assertEqual(sorted(e1), list(range(50)))
        self.assertEqual(sorted(e2), list(range(50)))
        self.assertNotEqual(e1, e2)
        self.assertNotEqual(e1, sorted(e1))
        Lt.manual_seed(5)
        again = [k for x, _ in loader for k in indices_of(x)]
        self.assertEqual(again, e1)

    def test_drop_last(self):
        loader = data.DataLoader(Pictures(10), batch_size=4, drop_last=True)
        self.assertEqual(len(loader), 2)
        self.assertEqual(sum(len(indices_of(x)) for x, _ in loader), 8)

    def test_workers_give_identical_batches(self):
        tf = T.Compose([T.ToTensor(), T.RandomCrop(8, padding=2, padding_mode='reflect'),
                        T.RandomHorizontalFlip(), lambda t: t * 3])
        runs = []
        for workers in (0, 2, 3):
            loader = data.DataLoader(Pictures(23, transform=tf), batch_size=4, shuffle=True,
                                     num_workers=workers)
            Lt.manual_seed(77)
            runs.append([(x.numpy().copy(), y.numpy().copy())
                         for _ in range(2) for x, y in loader])
        for other in runs[1:]:
            self.assertEqual(len(other), len(runs[0]))
            for (x0, y0), (x1, y1) in zip(runs[0], other):
                np.testing.assert_array_equal(x0, x1)
                np.testing.assert_array_equal(y0, y1)

    def test_plain_objects_and_tensor_dataset(self):
        pairs = [(np.full((2, 2), i, dtype=np.float32), i) for i in range(5)]
        x, y = next(iter(data.DataLoader(pairs, batch_size=5)))
        self.assertEqual(x.numpy()[:, 0, 0].tolist(), [0, 1, 2, 3, 4])
        self.assertEqual(y.tolist(), [0, 1, 2, 3, 4])

        features = Lt.arange(12.0).view(6, 2)
        targets = Lt.tensor([1, 0, 1, 0, 1, 0])
        td = data.TensorDataset(features, targets)
        self.assertEqual(len(td), 6)
        batches = list(data.DataLoader(td, batch_size=4))
        self.assertEqual([tuple(b[0].shape) for b in batches], [(4, 2), (2, 2)])
        self.assertEqual(batches[1][1].tolist(), [1, 0])

    def test_new_iterator_abandons_the_old_one(self):
        loader = data.DataLoader(Pictures(9), batch_size=3, num_workers=2)
        it1 = iter(loader)
        self.assertEqual(indices_of(next(it1)[0]), [0, 1, 2])
        it2 = iter(loader)
        with self.assertRaises(RuntimeError):
            next(it1)
        self.assertEqual([indices_of(x) for x, _ in it2], [[0, 1, 2], [3, 4, 5], [6, 7, 8]])

    def test_c_loader_is_iterable(self):
        ds = Pictures(5)
        loader = Lt.DataLoader.new(ds, 2, False, False, 0)
        self.assertEqual(len(loader), 3)
        self.assertEqual(sum(len(indices_of(x)) for x, _ in loader), 5)
        self.assertEqual(len(ds), 5)
        ok, img, label = ds.get_item(4)       # through LtDataset, as C reads it
        self.assertEqual(tuple(img.shape), (8, 8, 3))
        self.assertEqual((label.dtype, label.item()), (Lt.int64, 4))
        with self.assertRaises(GLib.Error):
            ds.get_item(5)


class TestErrors(unittest.TestCase):

    def check_python_error(self, workers):
        pictures = Pictures(12, fail_at=9)
        loader = data.DataLoader(pictures, batch_size=4, num_workers=workers)
        got = []
        # The dataset's own exception reaches the caller, that same object
        # (from a worker thread too), as with torch.
        with self.assertRaises(ValueError) as cm:
            for x, _ in loader:
                got += indices_of(x)
        self.assertEqual(got, list(range(8)))
        self.assertIs(cm.exception, pictures.raised)
        self.assertNotIsInstance(cm.exception, GLib.Error)
        # the loader still works: a new epoch
        x, _ = next(iter(data.DataLoader(Pictures(3), batch_size=3, num_workers=workers)))
        self.assertEqual(indices_of(x), [0, 1, 2])

    def test_getitem_error_no_workers(self):
        self.check_python_error(0)

    def test_getitem_error_two_workers(self):
        self.check_python_error(2)

    def test_transform_error(self):
        raised = RuntimeError('no good')

        def bad(t):
            raise raised
        tf = T.Compose([T.ToTensor(), bad])
        loader = data.DataLoader(Pictures(4, transform=tf), batch_size=2, num_workers=2)
        # the transform's own exception, from a worker thread
        with self.assertRaises(RuntimeError) as cm:
            next(iter(loader))
        self.assertIs(cm.exception, raised)

    def test_bad_arguments(self):
        with self.assertRaises(GLib.Error):
            data.DataLoader(Pictures(4), batch_size=0)
        with self.assertRaises(ValueError):
            data.DataLoader(Pictures(4), batch_sampler=[[0]], batch_size=2)
        with self.assertRaises(TypeError):
            class Bad(data.Dataset):
                def do_get_item(self, index):
                    return True, None, None
        with self.assertRaises(GLib.Error):
            T.Normalize((0.5,), (0,))


class TestThreads(unittest.TestCase):

    def test_caller_in_a_python_thread(self):
        """The loader's workers take the GIL for __getitem__ while the caller
        is a Python thread waiting in next(): no deadlock."""
        result = {}

        def run():
            loader = data.DataLoader(Pictures(40, work=2000), batch_size=4, shuffle=True,
                                     num_workers=2)
            result['n'] = sum(len(indices_of(x)) for x, _ in loader)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
            self.assertFalse(t.is_alive(), 'the loader hung')
        self.assertEqual(result['n'], 40)

    def test_drop_mid_epoch(self):
        """Dropping a loader (the torch-like one or the GObject) while its
        workers run Python code returns within a second."""
        script = textwrap.dedent('''
            import gc, sys, time
            sys.path.insert(0, %r)
            from test_data import Pictures, data, Lt
            for make in (lambda ds: data.DataLoader(ds, batch_size=2, num_workers=2),
                         lambda ds: Lt.DataLoader.new(ds, 2, False, False, 2)):
                loader = make(Pictures(2000, work=20000))
                it = iter(loader)
                next(it)
                time.sleep(0.05)
                t0 = time.monotonic()
                del it, loader
                gc.collect()
                dt = time.monotonic() - t0
                assert dt < 1.0, dt
            print('ok')
        ''' % os.path.dirname(os.path.abspath(__file__)))
        r = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                           env=os.environ, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), 'ok')


class TestDatasets(unittest.TestCase):

    def test_cifar10_wrapper(self):
        """Lt.datasets.CIFAR10 over generated files in CIFAR-10's layout, its
        Python transform and target_transform run by the C dataset."""
        rng = np.random.RandomState(3)
        n = 20
        labels = rng.randint(0, 10, n).astype(np.uint8)
        pixels = rng.randint(0, 256, (n, 3072)).astype(np.uint8)
        names = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
        with tempfile.TemporaryDirectory() as root:
            folder = os.path.join(root, 'cifar-10-batches-bin')
            os.makedirs(folder)
            np.concatenate([labels[:, None], pixels], axis=1).tofile(
                os.path.join(folder, 'test_batch.bin'))
            with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
                f.write('\n'.join(names) + '\n')
            tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
            ds = Lt.datasets.CIFAR10(root, train=False, transform=tf,
                                     target_transform=lambda y: y + 100)
            self.assertEqual(len(ds), n)
            self.assertEqual(ds.classes, names)
            img, label = ds[2]
            self.assertEqual(tuple(img.shape), (3, 32, 32))
            self.assertEqual(label.item(), int(labels[2]) + 100)
            want = (pixels.reshape(n, 3, 32, 32).astype(np.float32) / 255 - 0.5) / 0.5
            loader = data.DataLoader(ds, batch_size=8, num_workers=2)
            got_x, got_y = [], []
            for x, y in loader:
                got_x.append(x.numpy())
                got_y += y.tolist()
            np.testing.assert_allclose(np.concatenate(got_x), want, rtol=0, atol=1e-6)
            self.assertEqual(got_y, [int(v) + 100 for v in labels])
            with self.assertRaises(GLib.Error):
                Lt.datasets.CIFAR10(os.path.join(root, 'nowhere'), train=False)

    def test_fashion_mnist(self):
        require_path('/usr/share/datasets/fashion-mnist', 'dataset-fashion-mnist')
        ds = Lt.datasets.FashionMNIST(train=False, transform=T.ToTensor())
        self.assertEqual(len(ds), 10000)
        x, y = next(iter(data.DataLoader(ds, batch_size=16, shuffle=True)))
        self.assertEqual(tuple(x.shape), (16, 1, 28, 28))
        self.assertEqual(x.dtype, Lt.float32)
        self.assertTrue(0 <= float(x.min()) and float(x.max()) <= 1)
        self.assertTrue(all(0 <= v < 10 for v in y.tolist()))


class TestImages(unittest.TestCase):

    def test_make_grid_layout(self):
        imgs = Lt.rand(5, 1, 3, 4)
        grid = Lt.utils.make_grid(imgs, nrow=2, padding=1, pad_value=0.25)
        self.assertEqual(tuple(grid.shape), (3, 3 * 4 + 1, 2 * 5 + 1))
        g, a = grid.numpy(), imgs.numpy()
        for k in range(5):
            y, x = divmod(k, 2)
            for c in range(3):
                np.testing.assert_array_equal(
                    g[c, 1 + y * 4:1 + y * 4 + 3, 1 + x * 5:1 + x * 5 + 4], a[k, 0])
        self.assertEqual(float(g[0, 0, 0]), 0.25)
        self.assertEqual(float(g[2, -1, -1]), 0.25)       # the empty sixth cell

    def test_save_and_load_png(self):
        rng = np.random.RandomState(0)
        pixels = rng.randint(0, 256, (3, 6, 7)).astype(np.uint8)
        img = Lt.from_numpy(pixels.astype(np.float32) / 255)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'x.png')
            Lt.utils.save_image(img, path)
            back = Lt.utils.load_image(path)
            np.testing.assert_array_equal(back.numpy(), pixels)
            # 4 channels: alpha kept without premultiplication loss
            rgba = rng.randint(0, 256, (4, 5, 5)).astype(np.uint8)
            path4 = os.path.join(d, 'y.png')
            Lt.utils.save_image(Lt.from_numpy(rgba.astype(np.float64) / 255), path4)
            np.testing.assert_array_equal(Lt.utils.load_image(path4).numpy(), rgba)
            with self.assertRaises(GLib.Error):
                Lt.utils.save_image(img, os.path.join(d, 'x.bmpx'))
            with self.assertRaises(GLib.Error) as cm:
                Lt.utils.load_image(os.path.join(d, 'missing.png'))
            self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.IO))

    def test_cairo_surface_round_trip(self):
        cairo = require('cairo', 'python3-gi-cairo')
        rng = np.random.RandomState(1)
        rgb = rng.randint(0, 256, (3, 4, 5)).astype(np.uint8)
        surface = Lt.from_numpy(rgb).to_cairo_surface()
        self.assertIsInstance(surface, cairo.ImageSurface)
        self.assertEqual((surface.get_width(), surface.get_height()), (5, 4))
        self.assertEqual(surface.get_format(), cairo.FORMAT_RGB24)
        back = Lt.Tensor.new_from_cairo_surface(surface)
        np.testing.assert_array_equal(back.numpy(), rgb)
        # a surface drawn by Cairo
        s = cairo.ImageSurface(cairo.FORMAT_RGB24, 3, 2)
        cr = cairo.Context(s)
        cr.set_source_rgb(1, 0, 0)
        cr.paint()
        t = Lt.Tensor.new_from_cairo_surface(s).numpy()
        self.assertEqual(t.shape, (3, 2, 3))
        self.assertTrue((t[0] == 255).all() and (t[1:] == 0).all())


if __name__ == '__main__':
    main(verbosity=1)
