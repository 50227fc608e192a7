#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""F.interpolate, F.upsample and nn.Upsample side by side with PyTorch 1.13
(/usr/bin/python3's torch): every mode on each rank it takes ("nearest",
"nearest-exact" and "area" on 3-D, 4-D and 5-D inputs, "linear",
"bilinear", "bicubic", "trilinear"), align_corners both ways, sizes up and
down, scale factors (float, tuple, recompute_scale_factor, in the function
and the module), antialiased bilinear and bicubic resampling; values and
input gradients in float32 and float64, float64 gradcheck of
Lt.interpolate and Lt.interpolate_full, and the errors PyTorch raises for a
mode on the wrong rank."""

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

SHAPES = {3: (2, 3, 5), 4: (2, 3, 4, 5), 5: (1, 2, 3, 4, 5)}
RANK_OF = {'linear': 3, 'bilinear': 4, 'bicubic': 4, 'trilinear': 5}


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


def close(test, ours, theirs, dtype, msg):
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-10,
                                                                         atol=1e-12)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), err_msg=msg,
                               **tol)


def cases(dim):
    """Keyword sets for a dim-D spatial input: sizes up and down, scale
    factors as a float and a tuple, recomputed or not."""
    up = tuple(2 * n + 1 for n in SHAPES[dim + 2][2:])
    down = tuple(max(1, n - 2) for n in SHAPES[dim + 2][2:])
    return [dict(size=up), dict(size=down), dict(size=7), dict(size=1),
            dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.6),
            dict(scale_factor=tuple([2.5, 0.5, 1.3][:dim])),
            dict(scale_factor=2.3, recompute_scale_factor=True),
            dict(scale_factor=tuple([0.7, 3.0, 1.5][:dim]), recompute_scale_factor=True)]


def modes_for(rank):
    out = [('nearest', None), ('nearest-exact', None), ('area', None)]
    for mode, r in RANK_OF.items():
        if r == rank:
            out += [(mode, False), (mode, True)]
    return out


class InterpolateReference(unittest.TestCase):
    def check(self, rank, mode, align, kw, dtype):
        torch.manual_seed(len(str(kw)) + rank)
        x_t = torch.randn(SHAPES[rank], dtype=dtype, requires_grad=True)
        x_o = to_lt(x_t).requires_grad_()
        args = dict(kw, mode=mode)
        if align is not None:
            args['align_corners'] = align
        msg = '%dD %s' % (rank, args)
        y_t = TF.interpolate(x_t, **args)
        y_o = F.interpolate(x_o, **args)
        self.assertEqual(tuple(y_o.shape), tuple(y_t.shape), msg)
        close(self, y_o, y_t, dtype, msg)
        g = torch.randn(y_t.shape, dtype=dtype)
        y_t.backward(g)
        y_o.backward(to_lt(g))
        close(self, x_o.grad, x_t.grad, dtype, msg)

    def test_values_and_gradients_match_torch(self):
        for rank in (3, 4, 5):
            for mode, align in modes_for(rank):
                for kw in cases(rank - 2):
                    for dtype in (torch.float32, torch.float64):
                        self.check(rank, mode, align, kw, dtype)

    def test_upsample_function_and_module_match_torch(self):
        for rank in (3, 4, 5):
            for mode, align in modes_for(rank):
                for kw in (dict(scale_factor=2), dict(size=6),
                           dict(scale_factor=tuple([1.5, 2.0, 0.5][:rank - 2]))):
                    args = dict(kw, mode=mode)
                    if align is not None:
                        args['align_corners'] = align
                    x = torch.randn(SHAPES[rank])
                    close(self, F.upsample(to_lt(x), **args), TF.upsample(x, **args),
                          torch.float32, str(args))
                    m_t, m_o = tnn.Upsample(**args), nn.Upsample(**args)
                    if rank > 3 or not isinstance(kw.get('scale_factor'), tuple):
                        # a 1-tuple prints as its one number (the C layer keeps
                        # one factor, not the Python spelling)
                        self.assertEqual(str(m_o), str(m_t))
                    x_t = x.double().requires_grad_()
                    x_o = to_lt(x_t).requires_grad_()
                    y_t, y_o = m_t(x_t), m_o(x_o)
                    close(self, y_o, y_t, torch.float64, str(args))
                    y_t.sum().backward()
                    y_o.sum().backward()
                    close(self, x_o.grad, x_t.grad, torch.float64, str(args))

    def test_gradcheck(self):
        for rank in (3, 4, 5):
            for mode, align in modes_for(rank):
                for size in ([7, 2, 3][:rank - 2], [2, 6, 4][:rank - 2]):
                    x = Lt.randn(*SHAPES[rank], dtype=Lt.float64, requires_grad=True)
                    self.assertTrue(Lt.autograd.gradcheck(
                        lambda x: Lt.interpolate(x, mode, size, [], bool(align)), (x,)),
                        '%s %s' % (mode, size))

    def test_wrong_rank_raises_as_torch(self):
        for rank in (2, 3, 4, 5, 6):
            shape = (1, 2, 3, 3, 3, 3)[:rank]
            for mode in ('linear', 'bilinear', 'bicubic', 'trilinear', 'nearest',
                         'nearest-exact', 'area'):
                if rank in (3, 4, 5) and RANK_OF.get(mode, rank) == rank:
                    continue
                with self.assertRaises(NotImplementedError) as theirs:
                    TF.interpolate(torch.zeros(shape), scale_factor=2, mode=mode)
                with self.assertRaises(NotImplementedError) as ours:
                    F.interpolate(Lt.zeros(*shape), scale_factor=2, mode=mode)
                self.assertEqual(ours.exception.message, str(theirs.exception))
        with self.assertRaises(GLib.Error):
            Lt.interpolate(Lt.zeros(1, 1, 3), 'bilinear', [4], [], False)
        with self.assertRaises(GLib.Error):
            Lt.interpolate(Lt.zeros(1, 1, 3, 3), 'bicubic', [4], [], False)

    def test_bad_arguments_raise_as_torch(self):
        x_t, x_o = torch.zeros(1, 1, 3, 3), Lt.zeros(1, 1, 3, 3)
        for kw, exc in ((dict(size=(2, 2, 2)), ValueError),
                        (dict(scale_factor=(2,)), ValueError),
                        (dict(size=2, scale_factor=2), ValueError), (dict(), ValueError),
                        (dict(size=2, recompute_scale_factor=True), ValueError),
                        (dict(size=2, align_corners=True), ValueError),
                        (dict(size=2, mode='nearest-exact', align_corners=False), ValueError),
                        (dict(size=2, mode='linear', antialias=True), ValueError)):
            with self.assertRaises(exc, msg=str(kw)):
                TF.interpolate(x_t, **kw)
            with self.assertRaises(exc, msg=str(kw)):
                F.interpolate(x_o, **kw)
        with self.assertRaises(GLib.Error):
            Lt.interpolate(x_o, 'nearest', [0, 2], [], False)
        with self.assertRaises(GLib.Error):
            Lt.interpolate(x_o, 'nearest', [2, 2], [], True)
        with self.assertRaises(GLib.Error):
            Lt.interpolate(Lt.zeros(1, 1, 3, 3, dtype=Lt.int64), 'nearest', [2, 2], [], False)
        for kw in (dict(size=2, mode='area', align_corners=False),
                   dict(size=2, mode='area', antialias=True),
                   dict(size=2, mode='nearest', antialias=True)):
            with self.assertRaises(ValueError, msg=str(kw)):
                TF.interpolate(x_t, **kw)
            with self.assertRaises(ValueError, msg=str(kw)):
                F.interpolate(x_o, **kw)
        with self.assertRaises(GLib.Error):
            Lt.interpolate(x_o, 'area', [2, 2], [], True)
        with self.assertRaises(GLib.Error):
            Lt.interpolate_full(x_o, 'nearest', [2, 2], [], False, True)
        with self.assertRaises(ValueError):
            nn.Upsample(size=2, mode='area', align_corners=True)
        with self.assertRaises(ValueError):
            nn.Upsample(size=2, recompute_scale_factor=True)

    def test_antialias_matches_torch(self):
        """antialias=True for bilinear and bicubic: down (where the filter
        widens) and up, by size and by scale factor, align_corners both
        ways; values and input gradients."""
        for mode in ('bilinear', 'bicubic'):
            for align in (False, True):
                for kw in (dict(size=(2, 3)), dict(size=(3, 2)), dict(size=(1, 1)),
                           dict(size=(9, 11)), dict(scale_factor=0.3),
                           dict(scale_factor=(0.6, 0.45)), dict(scale_factor=1.7),
                           dict(scale_factor=0.4, recompute_scale_factor=True)):
                    for dtype in (torch.float32, torch.float64):
                        torch.manual_seed(len(str(kw)))
                        x_t = torch.randn(2, 3, 7, 9, dtype=dtype, requires_grad=True)
                        x_o = to_lt(x_t).requires_grad_()
                        args = dict(kw, mode=mode, align_corners=align, antialias=True)
                        y_t = TF.interpolate(x_t, **args)
                        y_o = F.interpolate(x_o, **args)
                        self.assertEqual(tuple(y_o.shape), tuple(y_t.shape), str(args))
                        close(self, y_o, y_t, dtype, str(args))
                        g = torch.randn(y_t.shape, dtype=dtype)
                        y_t.backward(g)
                        y_o.backward(to_lt(g))
                        close(self, x_o.grad, x_t.grad, dtype, str(args))
        for mode in ('bilinear', 'bicubic'):
            x = Lt.randn(1, 2, 6, 5, dtype=Lt.float64, requires_grad=True)
            self.assertTrue(Lt.autograd.gradcheck(
                lambda x: Lt.interpolate_full(x, mode, [3, 2], [], False, True), (x,)), mode)

    def test_upsample_recompute_scale_factor_matches_torch(self):
        for mode, align in (('nearest', None), ('bilinear', False), ('bicubic', True),
                            ('area', None)):
            for sf in (1.7, 0.6, (2.3, 0.7)):
                args = dict(scale_factor=sf, mode=mode, recompute_scale_factor=True)
                if align is not None:
                    args['align_corners'] = align
                m_t, m_o = tnn.Upsample(**args), nn.Upsample(**args)
                self.assertEqual(str(m_o), str(m_t))
                self.assertTrue(m_o.recompute_scale_factor)
                x_t = torch.randn(2, 3, 7, 9, dtype=torch.float64, requires_grad=True)
                x_o = to_lt(x_t).requires_grad_()
                y_t, y_o = m_t(x_t), m_o(x_o)
                close(self, y_o, y_t, torch.float64, str(args))
                y_t.sum().backward()
                y_o.sum().backward()
                close(self, x_o.grad, x_t.grad, torch.float64, str(args))


if __name__ == '__main__':
    main()
