#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How tensors print, against PyTorch 1.13: repr() of the same tensor on
Lt and on torch is the same text (with ``torch.`` spelled ``Lt.``) for
float, integer and bool tensors, 0-d and empty ones, values that need
scientific notation, integral floats, nan and inf, summarised large
tensors, requires_grad and grad_fn, under the print options
(precision, threshold, edgeitems, linewidth, sci_mode, profiles); and
``Lt.set_printoptions(legacy=True)`` gives the tutorial's older form.
"""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

rng = np.random.default_rng(20261206)

DTYPES = {'float32': (Lt.float32, torch.float32), 'float64': (Lt.float64, torch.float64),
          'int64': (Lt.int64, torch.int64), 'int32': (Lt.int32, torch.int32),
          'uint8': (Lt.uint8, torch.uint8), 'bool': (Lt.bool, torch.bool)}


def arrays():
    """(name, numpy array, dtype name) to print."""
    f = rng.standard_normal
    yield 'scalar', np.array(3.25), 'float32'
    yield 'int scalar', np.array(-7), 'int64'
    yield 'bool scalar', np.array(True), 'bool'
    yield 'empty vector', np.zeros(0), 'float32'
    yield 'empty matrix', np.zeros((0, 3)), 'float32'
    yield 'empty int', np.zeros((2, 0)), 'int64'
    yield 'vector', f(5), 'float32'
    yield 'matrix', f((3, 4)), 'float32'
    yield 'float64 matrix', f((2, 3)), 'float64'
    yield '3-d', f((2, 3, 4)), 'float32'
    yield '4-d', f((2, 2, 2, 3)), 'float32'
    yield 'integral floats', np.array([[1., 2.], [-3., 40.]]), 'float32'
    yield 'zeros', np.zeros((2, 2)), 'float32'
    yield 'tiny', f(4) * 1e-6, 'float32'
    yield 'huge', f(4) * 1e9, 'float64'
    yield 'wide range', np.array([1e-3, 5., 2e3]), 'float32'
    yield 'wide integral', np.array([1., 2000.]), 'float32'
    yield 'nan inf', np.array([np.nan, np.inf, -np.inf, 1.5]), 'float32'
    yield 'only nan', np.array([np.nan, np.nan]), 'float32'
    yield 'ints', rng.integers(-1000, 1000, (3, 5)), 'int64'
    yield 'int32', rng.integers(-5, 5, (4,)), 'int32'
    yield 'uint8', rng.integers(0, 255, (2, 3)), 'uint8'
    yield 'bools', rng.integers(0, 2, (2, 3)).astype(bool), 'bool'
    yield 'long row', f(40), 'float32'
    yield 'long int row', rng.integers(0, 10**6, (50,)), 'int64'
    yield 'summarised vector', f(2000), 'float32'
    yield 'summarised matrix', f((100, 50)), 'float32'
    yield 'summarised 3-d', f((20, 10, 10)), 'float64'
    yield 'summarised ints', rng.integers(0, 100, (40, 40)), 'int64'
    yield 'summarised narrow', f((1001, 2)), 'float32'


def both(a, dtype):
    lt_dtype, torch_dtype = DTYPES[dtype]
    return Lt.tensor(a.tolist(), dtype=lt_dtype), torch.tensor(a.tolist(), dtype=torch_dtype)


def torch_text(t):
    return repr(t).replace('torch.', 'Lt.')


class Repr(unittest.TestCase):

    def tearDown(self):
        Lt.set_printoptions(profile='default')
        torch.set_printoptions(profile='default')

    def check_all(self):
        n = 0
        for name, a, dtype in arrays():
            with self.subTest(name):
                ours, theirs = both(a, dtype)
                self.assertEqual(repr(ours), torch_text(theirs))
                self.assertEqual(str(ours), torch_text(theirs))
                n += 1
        self.assertEqual(n, 30)

    def test_default_options(self):
        self.check_all()

    def test_options(self):
        for opts in (dict(precision=2), dict(precision=8), dict(threshold=10),
                     dict(edgeitems=1, threshold=5), dict(linewidth=40),
                     dict(sci_mode=True), dict(sci_mode=False), dict(profile='short'),
                     dict(profile='full')):
            with self.subTest(**opts):
                Lt.set_printoptions(**opts)
                torch.set_printoptions(**opts)
                self.check_all()

    def test_autograd_suffixes(self):
        a = rng.standard_normal((2, 3)).astype(np.float32)
        x, tx = Lt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        self.assertEqual(repr(x), torch_text(tx))
        self.assertIn('requires_grad=True', repr(x))
        for f in (lambda t: t + 1, lambda t: t * t, lambda t: t.sum(), lambda t: t.t(),
                  lambda t: t.mean(1), lambda t: t.relu(), lambda t: t.double()):
            self.assertEqual(repr(f(x)), torch_text(f(tx)))
        self.assertTrue(repr(x + 1).endswith('grad_fn=<AddBackward0>)'))
        d = Lt.tensor([[1., 2.]], requires_grad=True)
        self.assertEqual(repr(d), 'tensor([[1., 2.]], requires_grad=True)')
        self.assertEqual(repr(Lt.zeros(2, dtype=Lt.float64, requires_grad=True)),
                         torch_text(torch.zeros(2, dtype=torch.float64, requires_grad=True)))

    def test_parameters(self):
        a = rng.standard_normal((2, 3)).astype(np.float32)
        ours, theirs = Lt.nn.Parameter(Lt.tensor(a)), torch.nn.Parameter(torch.tensor(a))
        self.assertEqual(repr(ours), torch_text(theirs))
        self.assertTrue(repr(ours).startswith('Parameter containing:\ntensor([['))
        ours = Lt.nn.Parameter(Lt.tensor(a), requires_grad=False)
        theirs = torch.nn.Parameter(torch.tensor(a), requires_grad=False)
        self.assertEqual(repr(ours), torch_text(theirs))
        # a result computed from a parameter is a plain tensor
        self.assertEqual(repr(ours * 2), torch_text(theirs * 2))

    def test_size_and_dtype(self):
        self.assertEqual(repr(Lt.zeros(2, 3).size()), 'Lt.Size([2, 3])')
        self.assertEqual(repr(Lt.zeros(2, 3).shape), torch_text(torch.zeros(2, 3).shape))
        for lt_dtype, torch_dtype in DTYPES.values():
            self.assertEqual(repr(lt_dtype), torch_text(torch_dtype))
            self.assertEqual(str(lt_dtype), torch_text(torch_dtype))

    def test_legacy_form(self):
        x = Lt.ones(2, 2)
        Lt.set_printoptions(legacy=True)
        self.assertEqual(repr(x), ' 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n')
        Lt.set_printoptions(precision=2)      # leaves legacy as it was
        self.assertTrue(repr(x).endswith('[Lt.FloatTensor of size 2x2]\n'))
        Lt.set_printoptions(legacy=False)
        self.assertEqual(repr(x), 'tensor([[1., 1.],\n        [1., 1.]])')
        self.assertFalse(Lt.get_printoptions()['legacy'])
        with self.assertRaises(ValueError):
            Lt.set_printoptions(profile='long')


if __name__ == '__main__':
    main(verbosity=2)
