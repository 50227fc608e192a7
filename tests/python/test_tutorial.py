#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The tutorial's "Tensors", "numpy bridge" and "Autograd" sections, written
as a user would write them with `from gi.repository import Lt as torch`.
The expected text is the tutorial's (with `Lt.` where it prints `torch.`);
the expected numbers come from its arithmetic: d(out)/dx = 3/2 (x + 2) = 4.5
at x = 1, and after k doublings x.grad = 2^k * the gradient passed in."""

import contextlib
import io
import math
import re
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt as torch  # noqa: E402

# The tutorial prints tensors in PyTorch 0.3's form, as these tests check.
torch.set_printoptions(legacy=True)

np = require('numpy', 'python3-numpy')

Variable = torch.autograd.Variable


def run(fn):
    """What fn prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue()


class TestTensors(unittest.TestCase):

    def test_uninitialised(self):
        def section():
            x = torch.Tensor(5, 3)
            print(x)
        text = run(section)
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 5x3]\n\n'), text)
        # five rows of three numbers, after an optional scale line such as `1.00000e-28 *`
        rows = [line for line in text.splitlines()
                if line and not line.startswith('[') and not line.endswith('*')]
        self.assertEqual([len(r.split()) for r in rows], [3] * 5)

    def test_rand_and_size(self):
        lines = []

        def section():
            x = torch.rand(5, 3)
            print(x)
            print(x.size())
            lines.extend(x.tolist())
        text = run(section)
        rows = text.splitlines()
        self.assertEqual(rows[5], '[Lt.FloatTensor of size 5x3]')
        self.assertEqual(rows[-1], 'Lt.Size([5, 3])')
        for printed, row in zip(rows[:5], lines):
            values = [float(v) for v in printed.split()]
            self.assertEqual(len(values), 3)
            for p, v in zip(values, row):
                self.assertAlmostEqual(p, v, places=4)
                self.assertTrue(0.0 <= v < 1.0)
        self.assertRegex(rows[0], r'^ \d\.\d{4}  \d\.\d{4}  \d\.\d{4}$')

    def test_size_is_a_tuple(self):
        x = torch.rand(5, 3)
        rows, cols = x.size()
        self.assertEqual((rows, cols), (5, 3))
        self.assertEqual(x.size(), (5, 3))

    def test_addition_four_ways(self):
        x = torch.rand(5, 3)
        y = torch.rand(5, 3)
        want = [[a + b for a, b in zip(r, s)] for r, s in zip(x.tolist(), y.tolist())]

        def close(t):
            for r, w in zip(t.tolist(), want):
                for a, b in zip(r, w):
                    self.assertAlmostEqual(a, b, places=6)
        close(x + y)
        close(torch.add(x, y))
        result = torch.Tensor(5, 3)
        torch.add(x, y, out=result)
        close(result)
        before = y.data_ptr()
        y.add_(x)               # adds x to y
        close(y)
        self.assertEqual(y.data_ptr(), before)
        text = run(lambda: print(x + y))
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 5x3]\n\n'))

    def test_inplace_suffix(self):
        x = torch.rand(5, 3)
        y = torch.rand(5, 3)
        x.copy_(y)
        self.assertEqual(x.tolist(), y.tolist())
        x.t_()
        self.assertEqual(x.size(), (3, 5))

    def test_numpy_like_indexing(self):
        x = torch.rand(5, 3)
        col = x[:, 1]
        text = run(lambda: print(x[:, 1]))
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 5]\n\n'))
        self.assertEqual(col.tolist(), [r[1] for r in x.tolist()])
        # a view: writing through it changes x
        col.fill_(2.0)
        self.assertEqual([r[1] for r in x.tolist()], [2.0] * 5)
        self.assertTrue(col.shares_storage(x))

    def test_cuda_guarded(self):
        x, y = torch.rand(5, 3), torch.rand(5, 3)
        if torch.cuda.is_available():
            x = x.cuda()
            y = y.cuda()
            x + y
        self.assertEqual(str(x.device), 'cuda:0' if torch.cuda.is_available() else 'cpu')


class TestNumpyBridge(unittest.TestCase):

    def test_tensor_to_numpy(self):
        out = {}

        def section():
            a = torch.ones(5)
            print(a)
            b = a.numpy()
            print(b)
            a.add_(1)
            print(a)
            print(b)
            out['b'] = b
        text = run(section)
        self.assertEqual(text, ' 1\n 1\n 1\n 1\n 1\n[Lt.FloatTensor of size 5]\n\n'
                               '[1. 1. 1. 1. 1.]\n'
                               ' 2\n 2\n 2\n 2\n 2\n[Lt.FloatTensor of size 5]\n\n'
                               '[2. 2. 2. 2. 2.]\n')
        self.assertEqual(out['b'].tolist(), [2.0] * 5)

    def test_numpy_to_tensor(self):
        def section():
            a = np.ones(5)
            b = torch.from_numpy(a)
            np.add(a, 1, out=a)
            print(a)
            print(b)
        text = run(section)
        self.assertEqual(text, '[2. 2. 2. 2. 2.]\n'
                               ' 2\n 2\n 2\n 2\n 2\n[Lt.DoubleTensor of size 5]\n\n')


class TestAutograd(unittest.TestCase):

    def test_variable_and_gradients(self):
        x = Variable(torch.ones(2, 2), requires_grad=True)
        self.assertEqual(run(lambda: print(x)), ' 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n\n')
        y = x + 2
        self.assertEqual(run(lambda: print(y)), ' 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n\n')
        self.assertRegex(run(lambda: print(y.grad_fn)),
                         r'^<AddBackward0 object at 0x[0-9a-f]+>\n$')
        z = y * y * 3
        out = z.mean()
        text = run(lambda: print(z, out))
        self.assertTrue(text.startswith(' 27  27\n 27  27\n[Lt.FloatTensor of size 2x2]\n'), text)
        self.assertIn(' 27\n', text)
        self.assertEqual(z.grad_fn.name(), 'MulBackward0')
        self.assertEqual(out.grad_fn.name(), 'MeanBackward0')
        self.assertEqual(out.item(), 27.0)
        out.backward()
        self.assertEqual(x.grad.tolist(), [[1.5 * (1 + 2)] * 2] * 2)    # 4.5
        self.assertEqual(run(lambda: print(x.grad)),
                         ' 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n\n')

    def test_torch_style_ones(self):
        x = torch.ones(2, 2, requires_grad=True)
        out = ((x + 2) * (x + 2) * 3).mean()
        out.backward(torch.tensor(1.0))
        self.assertEqual(x.grad.tolist(), [[4.5, 4.5], [4.5, 4.5]])

    def test_doubling_loop(self):
        for seed in (0, 1, 2):
            with self.subTest(seed=seed):
                torch.manual_seed(seed)
                x = torch.randn(3)
                x = Variable(x, requires_grad=True)
                y = x * 2
                k = 1
                while y.data.norm() < 1000:
                    y = y * 2
                    k += 1
                xs = x.tolist()
                norm = math.sqrt(sum(v * v for v in xs))
                # the loop stops at the first power of two taking the norm past 1000
                self.assertGreaterEqual(norm * 2 ** k, 1000 * (1 - 1e-6))
                self.assertLess(norm * 2 ** (k - 1), 1000 * (1 + 1e-6))
                text = run(lambda: print(y))
                self.assertTrue(text.endswith('[Lt.FloatTensor of size 3]\n\n'))
                gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
                y.backward(gradients)
                for g, w in zip(x.grad.tolist(), (0.1, 1.0, 0.0001)):
                    self.assertAlmostEqual(g, 2 ** k * w, delta=2 ** k * w * 1e-6)
                self.assertEqual(y.grad_fn.name(), 'MulBackward0')

    def test_doubling_gradient_list(self):
        torch.manual_seed(0)
        x = torch.randn(3, requires_grad=True)
        y = x * 2
        k = 1
        while y.norm() < 1000:
            y = y * 2
            k += 1
        y.backward(torch.tensor([0.1, 1.0, 0.0001]))
        g = x.grad.tolist()
        x.grad = None
        y2 = x * 2 ** k
        y2.backward([0.1, 1.0, 0.0001])
        self.assertEqual(x.grad.tolist(), g)
        text = run(lambda: print(x.grad))
        self.assertRegex(text.splitlines()[0], r'^ +\d+\.\d{4}$')

    def test_creator_chain(self):
        x = torch.ones(2, 2, requires_grad=True)
        out = ((x + 2) * 3).mean()
        names = []
        fn = out.grad_fn
        while fn is not None:
            names.append(fn.name())
            fn = fn.next_functions[0][0] if fn.next_functions else None
        self.assertEqual(names, ['MeanBackward0', 'MulBackward0', 'AddBackward0',
                                 'AccumulateGrad'])

    def test_weight_update(self):
        w = torch.ones(3, requires_grad=True)
        loss = (w * torch.tensor([1.0, 2.0, 3.0])).sum()
        loss.backward()
        learning_rate = 0.01
        w.data.sub_(w.grad.data * learning_rate)
        for v, g in zip(w.tolist(), (1.0, 2.0, 3.0)):
            self.assertAlmostEqual(v, 1.0 - learning_rate * g, places=6)
        self.assertTrue(w.requires_grad and w.is_leaf)

    def test_no_grad(self):
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad():
            y = x * 2
        self.assertFalse(y.requires_grad)
        self.assertTrue((x * 2).requires_grad)

    def test_max_and_accuracy_idioms(self):
        outputs = torch.tensor([[0.1, 2.0, 0.3], [5.0, 0.0, 1.0], [0.0, 0.1, 0.2],
                                [1.0, 0.5, 3.0]])
        labels = torch.tensor([1, 0, 0, 2])
        _, predicted = torch.max(outputs.data, 1)
        self.assertEqual(predicted.tolist(), [1, 0, 2, 2])
        correct = (predicted == labels).sum()
        self.assertEqual(correct.item(), 3)
        self.assertEqual(100 * correct.item() / labels.size(0), 75.0)
        classes = ('plane', 'car', 'bird')
        self.assertEqual(' '.join('%5s' % classes[predicted[j]] for j in range(4)),
                         '  car plane  bird  bird')
        class_correct = list(0. for i in range(3))
        c = (predicted == labels).squeeze()
        for i in range(4):
            label = labels[i]
            class_correct[label] += c[i].item()
        self.assertEqual(class_correct, [1.0, 1.0, 1.0])
        self.assertTrue(re.match(r'^\[1, +2000\] loss: 1\.184$',
                                 '[%d, %5d] loss: %.3f' % (1, 2000, torch.tensor(1.1843))))


if __name__ == '__main__':
    main(verbosity=1)
