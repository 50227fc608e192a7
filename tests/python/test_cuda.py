#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.cuda and CUDA tensors from Python, on the CUDA backend's emulated
device (LT_CUDA_EMULATE=1, set by tests/python/meson.build): the
tutorial's spellings (.cuda(), .to('cuda'), .cpu(), Lt.cuda.*), values
computed there against Python's own arithmetic, and device errors as
GLib.Error."""

import os
import unittest

from harness import main

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402


class TestCuda(unittest.TestCase):
    def test_environment(self):
        self.assertEqual(os.environ.get('LT_CUDA_EMULATE'), '1')

    def test_device_queries(self):
        self.assertTrue(Lt.cuda.is_available())
        self.assertEqual(Lt.cuda.device_count(), 1)
        self.assertIn('Emulated', Lt.cuda.get_device_name(0))
        free, total = Lt.cuda.mem_get_info()
        self.assertGreater(total, 0)
        self.assertLessEqual(free, total)
        with self.assertRaises(GLib.Error):
            Lt.cuda_get_device_name(3)

    def test_tensors_on_the_device(self):
        a = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
        x = Lt.tensor(a).cuda()
        self.assertTrue(x.is_cuda)
        self.assertEqual(str(x.device), 'cuda:0')
        y = (x * 2 + 1).relu()
        want = [[max(v * 2 + 1, 0.0) for v in row] for row in a]
        self.assertEqual(y.cpu().tolist(), want)
        self.assertFalse(y.cpu().is_cuda)
        s = x.to('cuda').sum()
        self.assertEqual(s.item(), sum(sum(r) for r in a))
        self.assertGreater(Lt.cuda.memory_allocated(), 0)
        self.assertGreaterEqual(Lt.cuda.max_memory_allocated(), Lt.cuda.memory_allocated())
        self.assertGreaterEqual(Lt.cuda.memory_reserved(), Lt.cuda.memory_allocated())
        Lt.cuda.synchronize()

    def test_mixed_devices(self):
        x = Lt.tensor([1.0, 2.0]).cuda()
        h = Lt.tensor([1.0, 2.0])
        with self.assertRaises(GLib.Error) as cm:
            x + h
        self.assertIn('cuda', cm.exception.message)
        self.assertIn('cpu', cm.exception.message)

    def test_empty_cache(self):
        x = Lt.zeros(1000, device='cuda')
        del x
        Lt.cuda.empty_cache()
        self.assertEqual(Lt.cuda.memory_allocated(), 0)
        self.assertEqual(Lt.cuda.memory_reserved(), 0)


if __name__ == '__main__':
    main()
