#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Datasets from Python: a dataset implemented in Python through the
Lt.Dataset interface and read back through C (Lt.Subset, lt_random_split,
lt_dataset_get_item); and Fashion-MNIST read by Lt.Mnist compared with
torchvision.datasets.FashionMNIST reading the same files."""

import gzip
import os
import shutil
import tempfile
import time
import unittest

from harness import main, require, require_path

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, GObject, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torchvision = require('torchvision', 'python3-torchvision')

FASHION_ROOT = '/usr/share/datasets/fashion-mnist'
intro = Lt._introspection_module


class Squares(GObject.Object, Lt.Dataset):
    """Item i: the float64 tensor [i, i * i] and the int64 label i % 4."""

    def __init__(self, n, fail_at=None, raise_glib_at=None):
        super().__init__()
        self.n = n
        self.fail_at = fail_at
        self.raise_glib_at = raise_glib_at
        self.calls = []

    def do_get_length(self):
        return self.n

    def do_get_item(self, index):
        self.calls.append(index)
        if index == self.fail_at:
            raise ValueError('not a GLib.Error')
        if index == self.raise_glib_at:
            raise GLib.Error.new_literal(Lt.error_quark(), 'item %d is missing' % index,
                                         int(Lt.Error.IO))
        x = intro.Tensor.new_from_doubles([index, index * index], [2], Lt.DType.FLOAT64)
        y = intro.Tensor.new_from_int64s([index % 4], [], Lt.DType.INT64)
        return True, x, y


def get_item(dataset, index):
    """lt_dataset_get_item() called through C: (input, target)."""
    result = intro.Dataset.get_item(dataset, index)
    if len(result) == 3:
        ok, x, y = result
        assert ok
    else:
        x, y = result
    return x, y


class TestPythonDataset(unittest.TestCase):

    def test_length_and_items_through_c(self):
        ds = Squares(6)
        self.assertEqual(intro.Dataset.get_length(ds), 6)
        x, y = get_item(ds, 4)
        self.assertEqual(x.tolist(), [4.0, 16.0])
        self.assertEqual(y.tolist(), 0)
        self.assertEqual(ds.calls, [4])

    def test_index_checked_in_c(self):
        ds = Squares(3)
        for bad in (3, -1, 100):
            with self.assertRaises(GLib.Error) as cm:
                get_item(ds, bad)
            self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INDEX))
        self.assertEqual(ds.calls, [])

    def test_errors_reach_c(self):
        ds = Squares(5, fail_at=1, raise_glib_at=2)
        # A GLib.Error raised in Python is the GError C sees.
        with self.assertRaises(GLib.Error) as cm:
            get_item(ds, 2)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.IO))
        self.assertIn('item 2 is missing', cm.exception.message)
        # Any other exception becomes a failure with a message, never a crash.
        with self.assertRaises(GLib.Error) as cm:
            get_item(ds, 1)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.FAILED))

    def test_subset_of_python_dataset(self):
        ds = Squares(10)
        sub = Lt.Subset.new(ds, [7, 0, 7, 3])
        self.assertEqual(intro.Dataset.get_length(sub), 4)
        got = [get_item(sub, i)[0].tolist()[0] for i in range(4)]
        self.assertEqual(got, [7.0, 0.0, 7.0, 3.0])
        self.assertEqual(ds.calls, [7, 0, 7, 3])
        self.assertIs(sub.get_dataset(), ds)
        self.assertEqual(list(sub.get_indices()), [7, 0, 7, 3])
        with self.assertRaises(GLib.Error) as cm:
            Lt.Subset.new(ds, [10])
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INDEX))

    def test_random_split_reproducible(self):
        ds = Squares(30)
        Lt.manual_seed(11)
        a = Lt.random_split(ds, [10, 15, 5])
        Lt.manual_seed(11)
        b = Lt.random_split(ds, [10, 15, 5])
        Lt.manual_seed(11)
        perm = intro.randperm(30, Lt.DType.INT64).tolist()
        self.assertEqual([len(p.get_indices()) for p in a], [10, 15, 5])
        flat_a = [i for p in a for i in p.get_indices()]
        flat_b = [i for p in b for i in p.get_indices()]
        self.assertEqual(flat_a, flat_b)
        self.assertEqual(flat_a, perm)
        self.assertEqual(sorted(flat_a), list(range(30)))
        # Items of a part come from the Python dataset through C.
        part = a[2]
        for i, idx in enumerate(part.get_indices()):
            self.assertEqual(get_item(part, i)[0].tolist(), [idx, idx * idx])
        with self.assertRaises(GLib.Error):
            Lt.random_split(ds, [10, 10])


class TestFashionMnist(unittest.TestCase):

    def setUp(self):
        require_path(FASHION_ROOT, 'dataset-fashion-mnist')

    def test_counts_and_first_label(self):
        t0 = time.monotonic()
        train = Lt.Mnist.new(None, True, Lt.MnistVariant.FASHION_MNIST, None, None)
        print('# Fashion-MNIST training set loaded in %.3f s' % (time.monotonic() - t0))
        test = Lt.Mnist.new(None, False, Lt.MnistVariant.FASHION_MNIST, None, None)
        self.assertEqual(intro.Dataset.get_length(train), 60000)
        self.assertEqual(intro.Dataset.get_length(test), 10000)
        labels = train.get_labels().numpy()
        self.assertEqual(np.bincount(labels, minlength=10).tolist(), [6000] * 10)
        self.assertEqual(np.bincount(test.get_labels().numpy(), minlength=10).tolist(),
                         [1000] * 10)
        self.assertEqual(labels[0], 9)
        self.assertEqual(train.get_classes()[9], 'Ankle boot')
        self.assertEqual(Lt.MnistVariant.get_classes(Lt.MnistVariant.MNIST)[3], '3 - three')

    def test_same_as_torchvision(self):
        tmp = tempfile.mkdtemp()
        try:
            # torchvision 0.14 reads the unpacked files from root/FashionMNIST/raw.
            raw = os.path.join(tmp, 'FashionMNIST', 'raw')
            os.makedirs(raw)
            for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
                with gzip.open(os.path.join(FASHION_ROOT, name + '.gz'), 'rb') as src, \
                        open(os.path.join(raw, name), 'wb') as dst:
                    shutil.copyfileobj(src, dst)
            for train in (True, False):
                ref = torchvision.datasets.FashionMNIST(tmp, train=train, download=False)
                ours = Lt.Mnist.new(None, train, Lt.MnistVariant.FASHION_MNIST, None, None)
                # The same files again, unpacked, in torchvision's layout.
                ours_raw = Lt.Mnist.new(tmp, train, Lt.MnistVariant.FASHION_MNIST, None, None)
                want_images = ref.data.numpy()
                want_labels = ref.targets.numpy()
                for ds in (ours, ours_raw):
                    images = ds.get_images().numpy()
                    self.assertEqual(images.dtype, np.uint8)
                    self.assertEqual(images.shape, want_images.shape)
                    self.assertTrue(np.array_equal(images, want_images))
                    self.assertTrue(np.array_equal(ds.get_labels().numpy(), want_labels))
                self.assertEqual(list(ours.get_classes()), ref.classes)
                # Items: (1, 28, 28) views against torchvision's PIL images.
                for i in (0, 1, len(ref) - 1):
                    x, y = get_item(ours, i)
                    pil, label = ref[i]
                    self.assertEqual(tuple(x.get_shape()), (1, 28, 28))
                    self.assertTrue(np.array_equal(x.numpy()[0], np.asarray(pil)))
                    self.assertEqual(y.tolist(), label)
        finally:
            shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
