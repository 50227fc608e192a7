#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.Generator against torch.Generator (PyTorch 1.13): the same API
(manual_seed returning the generator, seed, initial_seed, get_state and
set_state restoring a stream), two generators seeded alike giving the same
streams through every function that takes generator=, independence from
the global generator, the samplers, random_split and the DataLoader, and
bernoulli and multinomial: statistics at a fixed seed (chi-square bounds
at p = 0.001) and the exception types of their errors side by side with
torch.
"""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

COMPARED = [0]

# chi-square quantiles at 0.999 by degrees of freedom
CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27, 5: 20.52, 11: 31.26}


def chi2(counts, expected):
    return sum((c - e) ** 2 / e for c, e in zip(counts, expected))


def draws(g):
    """One of every function that takes generator=, as plain lists."""
    x = Lt.zeros(4)
    return [Lt.rand(3, generator=g).tolist(),
            Lt.randn(2, 2, generator=g).tolist(),
            Lt.randint(0, 100, (5,), generator=g).tolist(),
            Lt.randint(7, (3,), generator=g).tolist(),
            Lt.randperm(9, generator=g).tolist(),
            Lt.normal(1.0, 2.0, (3,), generator=g).tolist(),
            Lt.normal(Lt.zeros(3), Lt.ones(3), generator=g).tolist(),
            Lt.bernoulli(Lt.full([6], 0.5), generator=g).tolist(),
            Lt.full([6], 0.5).bernoulli(generator=g).tolist(),
            Lt.zeros(6).bernoulli_(0.5, generator=g).tolist(),
            Lt.multinomial(Lt.tensor([1., 2., 3.]), 2, generator=g).tolist(),
            Lt.tensor([[1., 2.], [3., 4.]]).multinomial(5, True, generator=g).tolist(),
            x.normal_(generator=g).tolist(),
            x.uniform_(-1, 1, generator=g).tolist()]


class GeneratorApi(unittest.TestCase):
    def test_like_torch(self):
        for m in (torch, Lt):
            g = m.Generator()
            COMPARED[0] += 4
            self.assertEqual(g.initial_seed(), 67280421310721)
            self.assertIs(g.manual_seed(42), g)
            self.assertEqual(g.initial_seed(), 42)
            s = g.seed()
            self.assertIsInstance(s, int)
            self.assertEqual(g.initial_seed(), s)
            g.manual_seed(7)
            state = g.get_state()
            self.assertEqual(str(state.dtype).split('.')[-1], 'uint8')
            a = m.rand(5, generator=g).tolist()
            self.assertIs(g.set_state(state), g)
            self.assertEqual(m.rand(5, generator=g).tolist(), a)
            self.assertNotEqual(m.rand(5, generator=g).tolist(), a)
            self.assertEqual(str(g.device), 'cpu')
            g.manual_seed(-1)   # as torch: wraps to 2**64 - 1
            self.assertEqual(g.initial_seed(), 2 ** 64 - 1)

    def test_set_state_errors(self):
        COMPARED[0] += 1
        with self.assertRaises(RuntimeError):
            torch.Generator().set_state(torch.zeros(3, dtype=torch.uint8))
        with self.assertRaises(RuntimeError) as c:
            Lt.Generator().set_state(Lt.zeros(3, dtype=Lt.uint8))
        self.assertIsInstance(c.exception, GLib.Error)
        with self.assertRaises(TypeError):
            Lt.rand(3, generator=torch.Generator())


class Streams(unittest.TestCase):
    def test_seeded_alike_same_streams(self):
        a = draws(Lt.Generator().manual_seed(123))
        b = draws(Lt.Generator().manual_seed(123))
        c = draws(Lt.Generator().manual_seed(124))
        self.assertEqual(a, b)
        for x, y in zip(a[:8], c[:8]):
            self.assertNotEqual(x, y)

    def test_independent_of_the_global_generator(self):
        Lt.manual_seed(5)
        before = Lt.random_get_state()
        draws(Lt.Generator().manual_seed(1))
        self.assertEqual(Lt.random_get_state(), before)
        want = Lt.rand(4).tolist()
        Lt.manual_seed(5)
        g = Lt.Generator().manual_seed(5)
        self.assertEqual(Lt.rand(4, generator=g).tolist(), want)  # the same seed, the same stream
        self.assertEqual(Lt.rand(4).tolist(), want)
        # interleaving two generators leaves each its own stream
        g1, g2 = Lt.Generator().manual_seed(9), Lt.Generator().manual_seed(9)
        alone = [Lt.rand(2, generator=g1).tolist() for _ in range(3)]
        g1.manual_seed(9)
        mixed = []
        for _ in range(3):
            mixed.append(Lt.rand(2, generator=g1).tolist())
            Lt.rand(5, generator=g2)
            Lt.rand(1)
        self.assertEqual(mixed, alone)

    def test_samplers_and_split(self):
        data = list(range(20))
        U = Lt.utils.data

        def orders(seed):
            g = lambda: Lt.Generator().manual_seed(seed)  # noqa: E731
            return [list(U.RandomSampler(data, generator=g())),
                    list(U.RandomSampler(data, replacement=True, num_samples=7, generator=g())),
                    list(U.SubsetRandomSampler([3, 5, 7, 11], generator=g())),
                    list(U.WeightedRandomSampler([1., 2., 3.], 10, generator=g())),
                    [list(s) for s in U.random_split(data, [15, 5], generator=g())],
                    [b[0].tolist() for b in U.DataLoader(U.TensorDataset(Lt.arange(10)),
                                                      batch_size=4, shuffle=True,
                                                      generator=g())]]
        Lt.manual_seed(0)
        before = Lt.random_get_state()
        a, b, c = orders(3), orders(3), orders(4)
        self.assertEqual(Lt.random_get_state(), before)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertEqual(sorted(a[0]), data)


class Distributions(unittest.TestCase):
    def test_bernoulli_statistics(self):
        g = Lt.Generator().manual_seed(2026)
        n = 20000
        for p in (0.3, 0.5, 0.9):
            for dtype in (Lt.float32, Lt.float64):
                ones = Lt.full([n], p, dtype=dtype).bernoulli(generator=g).sum().item()
                self.assertLess(chi2([ones, n - ones], [n * p, n * (1 - p)]), CHI2_999[1])
        x = Lt.bernoulli(Lt.tensor([0., 1., 0., 1.]))
        self.assertEqual(x.tolist(), [0., 1., 0., 1.])
        y = Lt.zeros(2, 3, dtype=Lt.float64).bernoulli_(Lt.tensor([0., 1., 1.]))
        self.assertEqual(y.tolist(), [[0., 1., 1.]] * 2)
        self.assertEqual(y.dtype, Lt.float64)

    def test_multinomial_statistics(self):
        g = Lt.Generator().manual_seed(7)
        w = [1., 2., 3., 4.]
        n = 20000
        s = Lt.tensor(w).multinomial(n, replacement=True, generator=g).tolist()
        counts = [s.count(i) for i in range(4)]
        self.assertLess(chi2(counts, [n * x / 10 for x in w]), CHI2_999[3])
        # without replacement: two distinct of four; the pairs' frequencies
        # are p_i p_j / (1 - p_i)
        rows = 5000
        pairs = Lt.tensor([w] * rows).multinomial(2, generator=g).tolist()
        self.assertTrue(all(a != b for a, b in pairs))
        p = [x / 10 for x in w]
        keys = [(i, j) for i in range(4) for j in range(4) if i != j]
        counts = [pairs.count([i, j]) for i, j in keys]
        expected = [rows * p[i] * p[j] / (1 - p[i]) for i, j in keys]
        self.assertLess(chi2(counts, expected), CHI2_999[11])
        # all of them without replacement: a permutation
        perm = Lt.tensor(w).multinomial(4, generator=g).tolist()
        self.assertEqual(sorted(perm), [0, 1, 2, 3])
        # zero weights are never drawn
        z = Lt.tensor([0., 1., 0., 1.]).multinomial(1000, True, generator=g).tolist()
        self.assertEqual(set(z), {1, 3})

    def test_errors_like_torch(self):
        for name, call in (
                ('bernoulli p > 1', lambda m: m.bernoulli(m.tensor([0.5, 1.5]))),
                ('bernoulli p < 0', lambda m: m.bernoulli(m.tensor([-0.5]))),
                ('bernoulli of integers', lambda m: m.bernoulli(m.tensor([1, 0]))),
                ('multinomial too many', lambda m: m.multinomial(m.tensor([1., 2.]), 3)),
                ('multinomial 0 samples', lambda m: m.multinomial(m.tensor([1., 2.]), 0)),
                ('multinomial negative', lambda m: m.multinomial(m.tensor([1., -2.]), 1)),
                ('multinomial zero sum', lambda m: m.multinomial(m.tensor([0., 0.]), 1)),
                ('multinomial nan', lambda m: m.multinomial(m.tensor([1., float('nan')]), 1)),
                ('multinomial 3-d', lambda m: m.multinomial(m.ones(2, 2, 2), 1)),
                ('multinomial of integers', lambda m: m.multinomial(m.tensor([1, 2]), 1))):
            with self.subTest(name):
                COMPARED[0] += 1
                with self.assertRaises(Exception) as ct:
                    call(torch)
                with self.assertRaises(Exception) as cl:
                    call(Lt)
                self.assertIsInstance(cl.exception, type(ct.exception),
                                      'torch raised %r, Lt %r' % (ct.exception, cl.exception))
                self.assertIsInstance(cl.exception, GLib.Error)

    def test_shapes_like_torch(self):
        for m in (torch, Lt):
            w = m.tensor([[1., 2., 3.], [3., 2., 1.]])
            COMPARED[0] += 3
            self.assertEqual(list(m.multinomial(w, 2).shape), [2, 2])
            self.assertEqual(list(m.multinomial(w[0], 3).shape), [3])
            self.assertEqual(str(m.multinomial(w, 2).dtype).split('.')[-1], 'int64')


if __name__ == '__main__':
    import atexit
    atexit.register(lambda: print('# %d comparisons with torch' % COMPARED[0]))
    main()
