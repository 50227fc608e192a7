#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The remaining PyTorch API items of the tutorials' first hour, side by
side with PyTorch 1.13: custom autograd Functions with several outputs
(forward returning a tuple, one gradient per output in backward, zeros for
the unused and the non-differentiable ones, mark_non_differentiable),
first and second derivatives, and the errors.
"""

import unittest

from harness import main, require
from pairs import both, npy

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261206)
COMPARED = [0]


class Case(unittest.TestCase):
    def close(self, t, lt, tol=1e-12):
        COMPARED[0] += 1
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        self.assertEqual(str(lt.dtype).split('.')[-1], str(t.dtype).split('.')[-1])
        np.testing.assert_allclose(npy(lt), npy(t), rtol=tol, atol=tol)


def functions(m):
    """The same custom functions written against torch or Lt (m)."""
    class SinCos(m.autograd.Function):
        """Two differentiable outputs; the backward gets both gradients."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            ctx.seen = (gs, gc)
            x, = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    class SortLike(m.autograd.Function):
        """Values and integer positions (non-differentiable), plus a
        number that is not a tensor."""
        @staticmethod
        def forward(ctx, x, scale):
            v, i = x.sort(-1)
            ctx.save_for_backward(i)
            ctx.mark_non_differentiable(i)
            ctx.x_shape = x.shape
            return v * scale, i, 'tag'

        @staticmethod
        def backward(ctx, gv, gi, gtag):
            ctx.gi = gi
            ctx.gtag = gtag
            i, = ctx.saved_tensors
            g = gv.new_zeros(ctx.x_shape) if hasattr(gv, 'new_zeros') else None
            return g.scatter_add(-1, i, gv) * 3.0, None

    class MulAdd(m.autograd.Function):
        """Two inputs, two outputs that each use both, one marked
        non-differentiable although it is a float."""
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            p, s, d = a * b, a + b, a - b
            ctx.mark_non_differentiable(d)
            return p, s, d

        @staticmethod
        def backward(ctx, gp, gs, gd):
            ctx.gd = gd
            a, b = ctx.saved_tensors
            return gp * b + gs, gp * a + gs

    class Cube2(m.autograd.Function):
        """Saves one of its outputs; differentiable twice."""
        @staticmethod
        def forward(ctx, x):
            y = x * x
            z = y * x
            ctx.save_for_backward(x, y)
            return y, z

        @staticmethod
        def backward(ctx, gy, gz):
            x, y = ctx.saved_tensors
            return gy * 2 * x + gz * 3 * y

    class Passthrough(m.autograd.Function):
        """Returns its input unchanged beside a new tensor."""
        @staticmethod
        def forward(ctx, x):
            return x, x * 2

        @staticmethod
        def backward(ctx, g0, g1):
            return g0 + 2 * g1

    return SinCos, SortLike, MulAdd, Cube2, Passthrough


class FunctionOutputs(Case):
    def test_two_outputs(self):
        (ts, *_), (ls, *_) = functions(torch), functions(Lt)
        data = rng.standard_normal((3, 4))
        t, lt = both(data, requires_grad=True)
        rt, rl = ts.apply(t), ls.apply(lt)
        self.assertIsInstance(rl, tuple)
        self.assertEqual(len(rl), 2)
        for a, b in zip(rt, rl):
            self.close(a, b)
            self.assertTrue(b.requires_grad)
            self.assertEqual(b.grad_fn.name(), type(a.grad_fn).__name__)
        # both used
        w1, w2 = rng.standard_normal((2, 3, 4))
        (rt[0] * torch.tensor(w1) + rt[1] * torch.tensor(w2)).sum().backward()
        (rl[0] * Lt.tensor(w1.tolist(), dtype=Lt.float64)
         + rl[1] * Lt.tensor(w2.tolist(), dtype=Lt.float64)).sum().backward()
        self.close(t.grad, lt.grad)

    def test_unused_output_gets_zeros(self):
        (ts, *_), (ls, *_) = functions(torch), functions(Lt)
        for used in (0, 1):
            t, lt = both(rng.standard_normal(5), requires_grad=True)
            rt, rl = ts.apply(t), ls.apply(lt)
            rt[used].sum().backward()
            rl[used].sum().backward()
            self.close(t.grad, lt.grad)
            # what the backward got for the other output: zeros of its shape
            ctx_t, ctx_l = rt[used].grad_fn, rl[used].grad_fn
            del ctx_t, ctx_l

    def test_unused_grad_seen_by_backward(self):
        seen = {}

        def make(m):
            class Two(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2, x * 3

                @staticmethod
                def backward(ctx, g0, g1):
                    seen[m.__name__] = (npy(g0).copy(), npy(g1).copy())
                    return g0 * 2 + g1 * 3
            return Two

        for m, x in zip((torch, Lt), both(rng.standard_normal(4), requires_grad=True)):
            y0, y1 = make(m).apply(x)
            y1.sum().backward()
        COMPARED[0] += 1
        for a, b in zip(seen['torch'], seen['gi.repository.Lt']):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(seen['torch'][0], np.zeros(4))

    def test_non_differentiable_outputs(self):
        _, tsort, tmul, *_ = functions(torch)
        _, lsort, lmul, *_ = functions(Lt)
        data = rng.permutation(12).reshape(3, 4) / 3.0
        t, lt = both(data, requires_grad=True)
        rt, rl = tsort.apply(t, 2.0), lsort.apply(lt, 2.0)
        self.assertEqual(len(rl), 3)
        self.assertEqual(rl[2], 'tag')
        self.close(rt[0], rl[0])
        self.close(rt[1], rl[1])
        self.assertFalse(rl[1].requires_grad)
        self.assertIsNone(rl[1].grad_fn)
        self.assertTrue(rl[0].requires_grad)
        w = rng.standard_normal((3, 4))
        (rt[0] * torch.tensor(w)).sum().backward()
        (rl[0] * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum().backward()
        self.close(t.grad, lt.grad)

        (ta, la), (tb, lb) = (both(rng.standard_normal((2, 3)), requires_grad=True)
                              for _ in range(2))
        rt, rl = tmul.apply(ta, tb), lmul.apply(la, lb)
        for a, b in zip(rt, rl):
            self.close(a, b)
            self.assertEqual(b.requires_grad, a.requires_grad)
        self.assertFalse(rl[2].requires_grad)
        (rt[0].sum() + (rt[1] ** 2).sum()).backward()
        (rl[0].sum() + (rl[1] ** 2).sum()).backward()
        self.close(ta.grad, la.grad)
        self.close(tb.grad, lb.grad)

    def test_second_derivative_through_saved_output(self):
        *_, tcube, _ = functions(torch)
        *_, lcube, _ = functions(Lt)
        t, lt = both(rng.standard_normal(6), requires_grad=True)
        for m, x, f in ((torch, t, tcube), (Lt, lt, lcube)):
            y, z = f.apply(x)
            loss = (y * 1.5 + z).sum()
            g, = m.autograd.grad(loss, x, create_graph=True)
            (g * g).sum().backward()
        self.close(t.grad, lt.grad)

    def test_gradcheck(self):
        *_, lcube, _ = functions(Lt)
        ls, *_ = functions(Lt)
        x = Lt.tensor(rng.standard_normal(5).tolist(), dtype=Lt.float64, requires_grad=True)
        COMPARED[0] += 1
        self.assertTrue(Lt.autograd.gradcheck(lambda v: lcube.apply(v), (x,)))
        self.assertTrue(Lt.autograd.gradgradcheck(lambda v: lcube.apply(v), (x,)))
        self.assertTrue(Lt.autograd.gradcheck(lambda v: ls.apply(v), (x,)))

    def test_input_returned(self):
        *_, tpass = functions(torch)
        *_, lpass = functions(Lt)
        t, lt = both(rng.standard_normal(3), requires_grad=True)
        rt, rl = tpass.apply(t), lpass.apply(lt)
        self.assertIsNot(rl[0], lt)
        self.close(rt[0], rl[0])
        (rt[0].sum() + rt[1].sum()).backward()
        (rl[0].sum() + rl[1].sum()).backward()
        self.close(t.grad, lt.grad)

    def test_one_tuple_and_no_grad(self):
        def make(m):
            class One(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return (x * 2,)

                @staticmethod
                def backward(ctx, g):
                    return g * 2
            return One
        t, lt = both(rng.standard_normal(3), requires_grad=True)
        rt, rl = make(torch).apply(t), make(Lt).apply(lt)
        self.assertIsInstance(rl, tuple)
        self.assertEqual(len(rl), len(rt))
        rt[0].sum().backward()
        rl[0].sum().backward()
        self.close(t.grad, lt.grad)
        ls, *_ = functions(Lt)
        with Lt.no_grad():
            a, b = ls.apply(lt)
        self.assertFalse(a.requires_grad or b.requires_grad)

    def test_errors(self):
        def make(m, n_grads):
            class Bad(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2, x * 3

                @staticmethod
                def backward(ctx, g0, g1):
                    return (g0,) * n_grads
            return Bad
        for n in (2,):
            t, lt = both(rng.standard_normal(3), requires_grad=True)
            COMPARED[0] += 1
            with self.assertRaises(RuntimeError):
                sum(make(torch, n).apply(t)).sum().backward()
            with self.assertRaises(RuntimeError) as cm:
                sum(make(Lt, n).apply(lt)).sum().backward()
            self.assertIsInstance(cm.exception, GLib.Error)

        def bad_forward(m):
            class BadForward(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return 3, 'x'

                @staticmethod
                def backward(ctx, *g):
                    return None
            return BadForward
        _, lt = both(rng.standard_normal(3), requires_grad=True)
        with self.assertRaises(TypeError):
            bad_forward(Lt).apply(lt)


class RecurrentHooks(Case):
    """Forward hooks and pre-hooks on the recurrent layers' tuple call."""

    def layers(self, m, name, **kw):
        m.manual_seed(0)
        return getattr(m.nn, name)(3, 4, **kw)

    def test_forward_hooks_see_tuples(self):
        data = rng.standard_normal((5, 2, 3))
        for name in ('RNN', 'LSTM', 'GRU'):
            t, lt = both(data, 'float32')
            mt, ml = self.layers(torch, name), self.layers(Lt, name)
            ml.load_state_dict({k: Lt.tensor(v.detach().numpy().tolist())
                                for k, v in mt.state_dict().items()})
            logs = {}
            for m, mod, x in (('t', mt, t), ('l', ml, lt)):
                log = logs[m] = []

                def pre(module, args, log=log):
                    log.append(('pre', type(args).__name__, len(args)))

                def post(module, args, out, log=log):
                    log.append(('post', type(args).__name__, len(args), type(out).__name__,
                                len(out), type(out[1]).__name__))

                h1 = mod.register_forward_pre_hook(pre)
                h2 = mod.register_forward_hook(post)
                out = mod(x)
                out_hx = mod(x, out[1])
                h1.remove()
                mod(x)
                h2.remove()
                mod(x)
                logs[m + 'out'] = (out, out_hx)
            COMPARED[0] += 1
            self.assertEqual(logs['t'], logs['l'])
            self.close(logs['tout'][1][0], logs['lout'][1][0], 1e-5)

    def test_hooks_replace_arguments_and_output(self):
        data = rng.standard_normal((4, 1, 3))
        for name in ('LSTM', 'GRU'):
            t, lt = both(data, 'float32')
            mt, ml = self.layers(torch, name), self.layers(Lt, name)
            ml.load_state_dict({k: Lt.tensor(v.detach().numpy().tolist())
                                for k, v in mt.state_dict().items()})
            res = []
            for mod, x in ((mt, t), (ml, lt)):
                mod.register_forward_pre_hook(lambda module, args: args[0] * 2)
                mod.register_forward_hook(lambda module, args, out: (out[0] + 1, out[1]))
                res.append(mod(x)[0])
            self.close(res[0], res[1], 1e-5)
        # a cell: its hooks fire too, and an exception a hook raises reaches
        # the caller as that exception
        cell = Lt.nn.LSTMCell(3, 4)
        seen = []
        cell.register_forward_hook(lambda module, args, out: seen.append(len(out)))
        cell(Lt.randn(2, 3))
        self.assertEqual(seen, [2])

        class Stop(Exception):
            pass

        def stop(module, args):
            raise Stop()
        rnn = Lt.nn.GRU(3, 4)
        rnn.register_forward_pre_hook(stop)
        with self.assertRaises(Stop):
            rnn(Lt.randn(2, 1, 3))


if __name__ == '__main__':
    import atexit
    atexit.register(lambda: print('# %d comparisons with torch' % COMPARED[0]))
    main()
