#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Double backward side by side with PyTorch 1.13 (/usr/bin/python3's
torch): Lt.autograd.grad(..., create_graph=True), then the gradient of that
gradient, through prod (over everything and along a dim, inputs with zeros),
cumprod, nn.LSTMCell and nn.GRUCell (whose fused steps have kernels of their
own; their rules compose public ops under create_graph), in float64:
first and second derivatives with respect to the inputs and the cells'
weights equal torch's, and Lt.autograd.gradgradcheck passes."""

import collections
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')

nn = Lt.nn


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


def close(test, ours, theirs, what):
    test.assertEqual(tuple(ours.shape), tuple(theirs.shape), what)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-9,
                               atol=1e-11, err_msg=what)


def second_order(test, f_ours, f_theirs, inputs, what, wrt_extra=((), ())):
    """y = f(x...); g = grad(sum(y v), x, create_graph); h = grad(sum(g w),
    x + extra): both against torch."""
    ts = [t.clone().requires_grad_() for t in inputs]
    os_ = [to_lt(t).requires_grad_() for t in inputs]
    y_t, y_o = f_theirs(*ts), f_ours(*os_)
    close(test, y_o, y_t, what + ' value')
    torch.manual_seed(3)
    v = torch.randn(y_t.shape, dtype=torch.float64)
    g_t = torch.autograd.grad((y_t * v).sum(), ts, create_graph=True)
    g_o = Lt.autograd.grad((y_o * to_lt(v)).sum(), os_, create_graph=True)
    ws = [torch.randn(t.shape, dtype=torch.float64) for t in ts]
    for a, b in zip(g_o, g_t):
        close(test, a, b, what + ' first')
    s_t = sum((g * w).sum() for g, w in zip(g_t, ws))
    s_o = sum((g * to_lt(w)).sum() for g, w in zip(g_o, ws))
    extra_o, extra_t = list(wrt_extra[0]), list(wrt_extra[1])
    if not s_t.requires_grad:
        # torch's first derivative is constant there (a product with two
        # zeros): ours has no other second derivative than 0
        for a in Lt.autograd.grad(s_o, os_ + extra_o, allow_unused=True):
            test.assertTrue(a is None or a.abs().sum().item() == 0, what)
        return
    h_t = torch.autograd.grad(s_t, ts + extra_t, allow_unused=True)
    h_o = Lt.autograd.grad(s_o, os_ + extra_o, allow_unused=True)
    for i, (a, b) in enumerate(zip(h_o, h_t)):
        if b is None:
            test.assertTrue(a is None or not a.abs().sum().item(), what)
            continue
        close(test, a, b, '%s second %d' % (what, i))


class DoubleBackward(unittest.TestCase):
    def test_products(self):
        torch.manual_seed(0)
        base = torch.rand(3, 4, dtype=torch.float64) + 0.5
        one_zero = base.clone()
        one_zero[1, 2] = 0.0
        two_zeros = one_zero.clone()
        two_zeros[1, 0] = 0.0
        two_zeros[2, 2] = 0.0
        fns = {
            'prod': (lambda x: x.prod(), lambda x: x.prod()),
            'prod dim 0': (lambda x: x.prod(0), lambda x: x.prod(0)),
            'prod dim 1 keepdim': (lambda x: x.prod(1, keepdim=True),
                                   lambda x: x.prod(1, keepdim=True)),
            'cumprod 0': (lambda x: x.cumprod(0), lambda x: x.cumprod(0)),
            'cumprod 1': (lambda x: x.cumprod(1), lambda x: x.cumprod(1)),
            'cumprod -1 of t': (lambda x: x.t().cumprod(-1), lambda x: x.t().cumprod(-1)),
        }
        for name, (fo, ft) in fns.items():
            for zeros, x in (('no zero', base), ('one zero', one_zero),
                             ('two zeros', two_zeros)):
                with self.subTest(name, zeros=zeros):
                    second_order(self, fo, ft, [x], '%s %s' % (name, zeros))

    def test_third_derivative_of_cumprod(self):
        x = torch.tensor([0.5, 2.0, 0.0, 1.5], dtype=torch.float64)

        def f(m, x):
            y = (x.cumprod(0) * m.arange(1, 5, dtype=x.dtype)).sum()
            g, = m.autograd.grad(y, x, create_graph=True)
            h, = m.autograd.grad((g * g).sum(), x, create_graph=True)
            return m.autograd.grad(h.sum(), x)[0]
        theirs = f(torch, x.clone().requires_grad_())
        ours = f(Lt, to_lt(x).requires_grad_())
        close(self, ours, theirs, 'third derivative')

    def test_cells(self):
        for kind in ('LSTMCell', 'GRUCell'):
            torch.manual_seed(1)
            m_t = getattr(tnn, kind)(3, 4).double()
            m_o = getattr(nn, kind)(3, 4, dtype=Lt.float64)
            sd = collections.OrderedDict((k, to_lt(v)) for k, v in m_t.state_dict().items())
            m_o.load_state_dict(sd)
            x = torch.randn(2, 3, dtype=torch.float64)
            h = torch.randn(2, 4, dtype=torch.float64)
            c = torch.randn(2, 4, dtype=torch.float64)
            params = ([p for _, p in m_o.named_parameters()],
                      [p for _, p in m_t.named_parameters()])
            if kind == 'LSTMCell':
                second_order(self, lambda x, h, c: Lt.stack(list(m_o(x, (h, c)))),
                             lambda x, h, c: torch.stack(list(m_t(x, (h, c)))),
                             [x, h, c], kind, params)
            else:
                second_order(self, lambda x, h: m_o(x, h), lambda x, h: m_t(x, h), [x, h], kind,
                             params)

    def test_gradgradcheck(self):
        x = Lt.rand(3, 4, dtype=Lt.float64) + 0.5
        x[1, 2] = 0.0
        x.requires_grad_()
        for f in (lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.cumprod(0)):
            self.assertTrue(Lt.autograd.gradgradcheck(f, (x,)))
        cell = nn.GRUCell(2, 3, dtype=Lt.float64)
        inp = Lt.randn(2, 2, dtype=Lt.float64, requires_grad=True)
        hx = Lt.randn(2, 3, dtype=Lt.float64, requires_grad=True)
        self.assertTrue(Lt.autograd.gradgradcheck(lambda a, b: cell(a, b), (inp, hx)))
        lstm = nn.LSTMCell(2, 3, dtype=Lt.float64)
        cx = Lt.randn(2, 3, dtype=Lt.float64, requires_grad=True)
        self.assertTrue(Lt.autograd.gradgradcheck(
            lambda a, b, c: Lt.stack(list(lstm(a, (b, c)))), (inp, hx, cx)))


if __name__ == '__main__':
    main()
