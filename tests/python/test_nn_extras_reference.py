#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nn's padding side by side with PyTorch 1.13 (/usr/bin/python3's torch):
F.pad's reflect, replicate and circular modes (values, gradients, float64
gradcheck, errors), the padding modes of Conv1d and Conv2d and their
padding 'same' and 'valid' (a torch state_dict loaded gives the same
outputs and gradients; printed forms; errors), and F.conv1d / F.conv2d
with string paddings; nn.init.orthogonal_ against PyTorch's steps on the
same Gaussian matrix."""

import collections
import itertools
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')
TF = require('torch.nn.functional', 'python3-torch')

nn = Lt.nn
F = Lt.nn.functional


def to_np(t):
    return np.array(t.detach().numpy(), copy=True)


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


class Case(unittest.TestCase):
    def close(self, ours, theirs, what, tol=1e-6):
        a = to_np(ours)
        b = theirs.detach().numpy()
        self.assertEqual(a.shape, b.shape, what)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


class TestPad(Case):
    CASES = [
        ((2, 3, 5), (2, 1)), ((2, 3, 5), (0, 4)), ((3, 5), (1, 2)),
        ((2, 3, 4, 5), (1, 2, 3, 0)), ((3, 4, 5), (2, 2, 1, 1)),
        ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)), ((2, 3, 4, 5), (-1, 2, 1, -2)),
        ((2, 3, 5), (-2, 1)),
    ]

    def test_modes(self):
        torch.manual_seed(0)
        for mode in ('reflect', 'replicate', 'circular'):
            for shape, pad in self.CASES:
                if mode == 'circular' and len(pad) != 2 * (len(shape) - 2):
                    continue    # PyTorch pads all but the batch and channel dims
                with self.subTest(mode=mode, shape=shape, pad=pad):
                    x_t = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
                    x = to_lt(x_t).requires_grad_(True)
                    y_t = TF.pad(x_t, pad, mode=mode)
                    y = F.pad(x, pad, mode=mode)
                    self.close(y, y_t, 'forward')
                    w = torch.randn(*y_t.shape, dtype=torch.float64)
                    (y_t * w).sum().backward()
                    (y * to_lt(w)).sum().backward()
                    self.close(x.grad, x_t.grad, 'gradient')
        x = Lt.randn(2, 3, 4, dtype=Lt.float64, requires_grad=True)
        for mode in ('reflect', 'replicate', 'circular'):
            self.assertTrue(Lt.autograd.gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode),
                                                  (x,)))
        # float32, and the C function itself
        x_t = torch.randn(2, 2, 3, 4)
        self.close(Lt.pad(to_lt(x_t), [1, 2, 2, 1], 'reflect', 0.0),
                   TF.pad(x_t, (1, 2, 2, 1), mode='reflect'), 'Lt.pad')

    def test_errors(self):
        x_t = torch.randn(1, 2, 3)
        x = to_lt(x_t)
        for args, kwargs in ((((3, 0),), {'mode': 'reflect'}),
                             (((4, 0),), {'mode': 'circular'}),
                             (((1, 1),), {'mode': 'reflect', 'value': 1.0})):
            with self.subTest(args=args, kwargs=kwargs):
                self.assertRaises(RuntimeError, TF.pad, x_t, *args, **kwargs)
                self.assertRaises(RuntimeError, F.pad, x, *args, **kwargs)
        self.assertRaises(NotImplementedError, TF.pad, x_t, (1, 1), mode='foo')
        self.assertRaises(NotImplementedError, F.pad, x, (1, 1), mode='foo')
        with self.assertRaises(GLib.Error):
            Lt.pad(x, [1, 1, 1], 'reflect', 0.0)


class TestConvPadding(Case):
    def pair(self, cls, args, kwargs):
        theirs = getattr(tnn, cls)(*args, **kwargs).double()
        ours = getattr(nn, cls)(*args, **kwargs).double()
        ours.load_state_dict(collections.OrderedDict(
            (k, to_lt(v)) for k, v in theirs.state_dict().items()))
        return ours, theirs

    def test_modes_and_same(self):
        torch.manual_seed(1)
        for (cls, shape), mode, padding, k, d in itertools.product(
                (('Conv2d', (2, 3, 9, 8)), ('Conv1d', (2, 3, 9))),
                ('zeros', 'reflect', 'replicate', 'circular'),
                (0, 1, 2, 'same', 'valid'), (3, 4), (1, 2)):
            with self.subTest(cls=cls, mode=mode, padding=padding, k=k, d=d):
                ours, theirs = self.pair(cls, (3, 4, k), dict(padding=padding,
                                                              padding_mode=mode, dilation=d))
                self.assertEqual(repr(ours), repr(theirs))
                self.assertEqual(ours.padding_mode, theirs.padding_mode)
                x_t = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
                x = to_lt(x_t).requires_grad_(True)
                y_t = theirs(x_t)
                y = ours(x)
                self.close(y, y_t, 'output', 1e-10)
                y_t.pow(2).sum().backward()
                y.pow(2).sum().backward()
                self.close(x.grad, x_t.grad, 'input grad', 1e-9)
                self.close(ours.weight.grad, theirs.weight.grad, 'weight grad', 1e-9)
        # in a C Sequential, whose forward calls the layer's from C
        torch.manual_seed(2)
        conv, conv_t = self.pair('Conv2d', (3, 2, 3), dict(padding=1, padding_mode='reflect'))
        seq = nn.Sequential(conv, nn.ReLU())
        x_t = torch.randn(1, 3, 5, 5, dtype=torch.float64)
        self.close(seq(to_lt(x_t)), torch.relu(conv_t(x_t)), 'Sequential')

    def test_functional(self):
        torch.manual_seed(3)
        for n, k, d in itertools.product((1, 2), (2, 3, 4), (1, 3)):
            shape = (2, 3) + (10,) * n
            x_t = torch.randn(*shape, dtype=torch.float64)
            w_t = torch.randn(*((4, 3) + (k,) * n), dtype=torch.float64)
            tf, f = (TF.conv1d, F.conv1d) if n == 1 else (TF.conv2d, F.conv2d)
            for padding in ('same', 'valid'):
                with self.subTest(n=n, k=k, d=d, padding=padding):
                    self.close(f(to_lt(x_t), to_lt(w_t), padding=padding, dilation=d),
                               tf(x_t, w_t, padding=padding, dilation=d), 'F.conv', 1e-10)

    def test_errors(self):
        for kwargs in (dict(padding_mode='foo'), dict(padding='full'),
                       dict(padding='same', stride=2)):
            with self.subTest(kwargs=kwargs):
                self.assertRaises(ValueError, tnn.Conv2d, 1, 2, 3, **kwargs)
                self.assertRaises(ValueError, nn.Conv2d, 1, 2, 3, **kwargs)
                self.assertRaises(ValueError, tnn.Conv1d, 1, 2, 3, **kwargs)
                self.assertRaises(ValueError, nn.Conv1d, 1, 2, 3, **kwargs)
        with self.assertRaises(GLib.Error):
            Lt.conv_set_padding_mode(nn.Linear(2, 3), 'reflect', None)
        with self.assertRaises(GLib.Error):
            Lt.conv_set_padding_mode(nn.Conv2d(1, 2, 3, padding=1), 'zeros', 'same')
        # reflect padding needs an input larger than the padding
        conv = nn.Conv2d(1, 1, 5, padding=3, padding_mode='reflect')
        with self.assertRaises(RuntimeError):
            conv(Lt.randn(1, 1, 3, 3))


class TestOrthogonal(Case):
    def torch_orthogonal(self, g, shape, gain):
        """PyTorch 1.13's orthogonal_, step by step, on the Gaussian matrix g."""
        rows = shape[0]
        cols = int(np.prod(shape)) // rows
        flattened = torch.from_numpy(g)
        if rows < cols:
            flattened.t_()
        q, r = torch.linalg.qr(flattened)
        q *= torch.diag(r, 0).sign()
        if rows < cols:
            q.t_()
        return (q * gain).reshape(shape)

    def test_values(self):
        for shape, gain, seed in (((5, 3), 1.0, 0), ((3, 5), 2.0, 1), ((4, 2, 3), 1.0, 2),
                                  ((6, 6), 0.5, 3), ((1, 7), 1.0, 4), ((16, 4, 3, 3), 1.0, 5)):
            with self.subTest(shape=shape, gain=gain):
                t = Lt.empty(*shape, requires_grad=True)
                Lt.manual_seed(seed)
                self.assertIs(nn.init.orthogonal_(t, gain=gain), t)
                # the Gaussian it drew, drawn again from the same seed
                rows = shape[0]
                cols = int(np.prod(shape)) // rows
                Lt.manual_seed(seed)
                g = nn.init.normal_(Lt.empty(rows, cols, dtype=Lt.float64))
                self.close(t, self.torch_orthogonal(to_np(g), shape, gain), 'orthogonal_', 1e-6)
                w = to_np(t).reshape(rows, cols).astype(np.float64)
                gram = w @ w.T if rows <= cols else w.T @ w
                np.testing.assert_allclose(gram, gain * gain * np.eye(min(rows, cols)),
                                           atol=1e-5)
                self.assertTrue(t.requires_grad)
                self.assertIsNone(t.grad_fn)
        # float64 tensors and torch's own result agree on the property
        t_t = tnn.init.orthogonal_(torch.empty(8, 3, dtype=torch.float64))
        t = nn.init.orthogonal_(Lt.empty(8, 3, dtype=Lt.float64))
        for w in (t_t.numpy(), to_np(t)):
            np.testing.assert_allclose(w.T @ w, np.eye(3), atol=1e-12)

    def test_errors(self):
        self.assertRaises(ValueError, tnn.init.orthogonal_, torch.empty(5))
        self.assertRaises(ValueError, nn.init.orthogonal_, Lt.empty(5))
        with self.assertRaises(GLib.Error):
            nn.init.orthogonal_(Lt.zeros(3, 3, dtype=Lt.int64))
        empty = Lt.empty(0, 3)
        self.assertIs(nn.init.orthogonal_(empty), empty)


if __name__ == '__main__':
    main()
