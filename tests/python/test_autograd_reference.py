#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Autograd against PyTorch: grad modes, tensor and module hooks,
Lt.autograd.grad with create_graph (higher-order gradients), and custom
Lt.autograd.Function subclasses.  Each case runs the same code on both
libraries (``m`` is torch or Lt) from the same numpy inputs and compares
values, gradients and the type of the exception raised."""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261206)


def arr(*shape):
    return rng.standard_normal(shape)


def both(a, requires_grad=False, dtype='float64'):
    """The same values as a torch and an Lt tensor."""
    a = np.asarray(a, dtype=dtype)
    t = torch.tensor(a, requires_grad=requires_grad)
    lt = Lt.tensor(a.tolist(), dtype=getattr(Lt, dtype), requires_grad=requires_grad)
    return t, lt


def npy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().tolist(), dtype='float64')


class Case(unittest.TestCase):
    def close(self, t, lt, rtol=1e-7, atol=1e-9):
        self.assertIsNotNone(lt)
        np.testing.assert_allclose(npy(lt), npy(t), rtol=rtol, atol=atol)

    def raises_like(self, fn_t, fn_lt):
        """Both raise, and Lt raises the exception type torch raises."""
        with self.assertRaises(Exception) as ct:
            fn_t()
        with self.assertRaises(Exception) as cl:
            fn_lt()
        self.assertIsInstance(cl.exception, type(ct.exception),
                              'torch raised %r, Lt %r' % (ct.exception, cl.exception))


class GradModes(Case):
    def test_set_grad_enabled_function_and_context(self):
        for m in (torch, Lt):
            x = m.ones(2, requires_grad=True)
            m.set_grad_enabled(False)
            try:
                self.assertFalse(m.is_grad_enabled())
                self.assertFalse((x * 2).requires_grad)
            finally:
                m.set_grad_enabled(True)
            self.assertTrue((x * 2).requires_grad)
            with m.set_grad_enabled(False):
                self.assertFalse((x * 2).requires_grad)
                with m.set_grad_enabled(True):
                    self.assertTrue((x * 2).requires_grad)
                self.assertFalse((x * 2).requires_grad)
            self.assertTrue(m.is_grad_enabled())

    def test_set_grad_enabled_decorator(self):
        for m in (torch, Lt):
            x = m.ones(2, requires_grad=True)

            @m.set_grad_enabled(False)
            def f(v):
                return v * 2
            # torch 1.13 sets the mode when the decorator is made, as Lt does
            self.assertFalse(m.is_grad_enabled())
            m.set_grad_enabled(True)
            self.assertFalse(f(x).requires_grad)
            self.assertTrue(m.is_grad_enabled())

    def test_enable_grad_inside_no_grad(self):
        for m in (torch, Lt):
            x = m.ones(2, requires_grad=True)
            with m.no_grad():
                with m.enable_grad():
                    self.assertTrue((x * 2).requires_grad)
                self.assertFalse((x * 2).requires_grad)

                @m.enable_grad()
                def f(v):
                    return v * 2
                self.assertTrue(f(x).requires_grad)

    def test_inference_mode(self):
        for m in (torch, Lt):
            x = m.ones(2, requires_grad=True)
            self.assertFalse(m.is_inference_mode_enabled())
            with m.inference_mode():
                self.assertTrue(m.is_inference_mode_enabled())
                self.assertFalse((x * 2).requires_grad)
                with m.inference_mode(False):
                    self.assertFalse(m.is_inference_mode_enabled())
            self.assertFalse(m.is_inference_mode_enabled())
            self.assertTrue((x * 2).requires_grad)

            @m.inference_mode()
            def f(v):
                return v * 2
            self.assertFalse(f(x).requires_grad)
            self.assertTrue((x * 2).requires_grad)

    def test_requires_grad_(self):
        for m in (torch, Lt):
            x = m.ones(2)
            self.assertIs(x.requires_grad_(), x)
            self.assertTrue(x.requires_grad)
            x.requires_grad_(False)
            self.assertFalse(x.requires_grad)
        # a non-leaf cannot stop requiring grad
        self.raises_like(lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False),
                         lambda: (Lt.ones(2, requires_grad=True) * 2).requires_grad_(False))
        # only floating tensors can require grad
        self.raises_like(lambda: torch.ones(2, dtype=torch.int64).requires_grad_(),
                         lambda: Lt.ones(2, dtype=Lt.int64).requires_grad_())


class TensorHooks(Case):
    def test_hook_replaces_and_handle_removes(self):
        a = arr(3)
        grads = {}
        for m in (torch, Lt):
            x = (torch.tensor(a, requires_grad=True) if m is torch
                 else Lt.tensor(a.tolist(), dtype=Lt.float64, requires_grad=True))
            y = x * 3
            seen = []
            h = y.register_hook(lambda g: seen.append(g.clone()) or g * 2)
            (y * y).sum().backward(retain_graph=True)
            first = npy(x.grad).copy()
            h.remove()
            x.grad = None
            (y * y).sum().backward()
            grads[m] = (first, npy(x.grad), npy(seen[0]), len(seen))
        for k in range(3):
            np.testing.assert_allclose(grads[Lt][k], grads[torch][k])
        self.assertEqual(grads[Lt][3], grads[torch][3])

    def test_hook_on_leaf(self):
        t, lt = both(arr(4), requires_grad=True)
        for x in (t, lt):
            x.register_hook(lambda g: g + 1)
            (x * x).sum().backward()
        self.close(t.grad, lt.grad)

    def test_hook_errors(self):
        self.raises_like(lambda: torch.ones(2).register_hook(lambda g: g),
                         lambda: Lt.ones(2).register_hook(lambda g: g))

        def failing(m):
            x = m.ones(2, requires_grad=True)
            y = x * 2

            def hook(g):
                raise KeyError('from the hook')
            y.register_hook(hook)
            y.sum().backward()
        self.raises_like(lambda: failing(torch), lambda: failing(Lt))


def linear_pair(n_in, n_out):
    """nn.Linear of both libraries with the same parameters (float64)."""
    w, b = arr(n_out, n_in), arr(n_out)
    tl = torch.nn.Linear(n_in, n_out).double()
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(w))
        tl.bias.copy_(torch.tensor(b))
    ll = Lt.nn.Linear(n_in, n_out, dtype=Lt.float64)
    with Lt.no_grad():
        ll.weight.copy_(Lt.tensor(w.tolist(), dtype=Lt.float64))
        ll.bias.copy_(Lt.tensor(b.tolist(), dtype=Lt.float64))
    return tl, ll


class ModuleHooks(Case):
    def test_forward_pre_hook_and_forward_hook(self):
        tl, ll = linear_pair(3, 2)
        t, lt = both(arr(4, 3))
        results = []
        for m, mod, x in ((torch, tl, t), (Lt, ll, lt)):
            log = []

            def pre(module, inputs):
                log.append(('pre', type(inputs).__name__, len(inputs)))
                return inputs[0] * 2

            def post(module, inputs, output):
                log.append(('post', npy(inputs[0]).sum().round(6), tuple(output.shape)))
                return output + 1

            h1 = mod.register_forward_pre_hook(pre)
            h2 = mod.register_forward_hook(post)
            y = mod(x)
            h1.remove()
            h2.remove()
            z = mod(x)
            results.append((log, npy(y), npy(z)))
        self.assertEqual(results[0][0], results[1][0])
        np.testing.assert_allclose(results[1][1], results[0][1])
        np.testing.assert_allclose(results[1][2], results[0][2])

    def test_hooks_inside_sequential(self):
        # the C container runs its children's Python hooks
        tl, ll = linear_pair(3, 3)
        tseq = torch.nn.Sequential(tl, torch.nn.ReLU())
        lseq = Lt.nn.Sequential(ll, Lt.nn.ReLU())
        t, lt = both(arr(2, 3))
        outs = []
        for seq, x in ((tseq, t), (lseq, lt)):
            seen = []
            seq[0].register_forward_hook(lambda mod, i, o: seen.append(npy(o)))
            seq[1].register_forward_pre_hook(lambda mod, i: -i[0])
            outs.append((seen[0] if seen else None, npy(seq(x)), seen))
        np.testing.assert_allclose(outs[1][2][0], outs[0][2][0])
        np.testing.assert_allclose(outs[1][1], outs[0][1])

    def test_full_backward_hook(self):
        tl, ll = linear_pair(3, 2)
        t, lt = both(arr(4, 3), requires_grad=True)
        results = []
        for mod, x in ((tl, t), (ll, lt)):
            seen = []

            def hook(module, grad_input, grad_output):
                seen.append((len(grad_input), len(grad_output), npy(grad_input[0]),
                             npy(grad_output[0])))
                return (grad_input[0] * 10,)

            h = mod.register_full_backward_hook(hook)
            y = mod(x * 1)
            (y * y).sum().backward()
            h.remove()
            results.append((seen, npy(x.grad), npy(mod.weight.grad)))
        (ts, tg, tw), (ls, lg, lw) = results
        self.assertEqual(len(ls), len(ts))
        self.assertEqual(ls[0][:2], ts[0][:2])
        np.testing.assert_allclose(ls[0][2], ts[0][2])
        np.testing.assert_allclose(ls[0][3], ts[0][3])
        np.testing.assert_allclose(lg, tg)
        np.testing.assert_allclose(lw, tw)

    def test_full_backward_hook_input_without_grad(self):
        tl, ll = linear_pair(3, 2)
        t, lt = both(arr(4, 3))
        results = []
        for mod, x in ((tl, t), (ll, lt)):
            seen = []
            mod.register_full_backward_hook(
                lambda module, gi, go: seen.append((gi[0], npy(go[0]))))
            mod(x).sum().backward()
            results.append(seen)
        self.assertEqual(len(results[1]), len(results[0]))
        self.assertIsNone(results[0][0][0])
        self.assertIsNone(results[1][0][0])
        np.testing.assert_allclose(results[1][0][1], results[0][0][1])

    def test_hook_exceptions(self):
        tl, ll = linear_pair(3, 2)
        t, lt = both(arr(4, 3), requires_grad=True)

        def bad_backward(module, gi, go):
            raise ValueError('backward hook')

        def bad_count(module, gi, go):
            return (gi[0], gi[0])

        for hook in (bad_backward, bad_count):
            ht = tl.register_full_backward_hook(hook)
            hl = ll.register_full_backward_hook(hook)
            self.raises_like(lambda: tl(t).sum().backward(), lambda: ll(lt).sum().backward())
            ht.remove()
            hl.remove()

        def bad_forward(module, inputs, output):
            raise KeyError('forward hook')
        tl.register_forward_hook(bad_forward)
        ll.register_forward_hook(bad_forward)
        with self.assertRaises(KeyError):
            tl(t)
        try:
            ll(lt)
        except KeyError:
            pass
        except GLib.Error as e:
            # the exception is chained, as a forward's is
            self.assertIsInstance(e.__cause__, KeyError)
        else:
            self.fail('a forward hook that raises must fail the forward')


def run_both(fn, *arrays, requires_grad=True):
    """fn(m, *tensors) on torch and on Lt with the same float64 inputs."""
    out = []
    for m in (torch, Lt):
        ts = [torch.tensor(a, requires_grad=requires_grad) if m is torch else
              Lt.tensor(np.asarray(a).tolist(), dtype=Lt.float64, requires_grad=requires_grad)
              for a in arrays]
        out.append(fn(m, *ts))
    return out


class Grad(Case):
    def test_grad_matches_and_leaves_grad_alone(self):
        def f(m, x, w):
            y = (m.tanh(x @ w) * x.sum()).sum()
            gx, gw = m.autograd.grad(y, (x, w))
            return gx, gw, x.grad, w.grad
        (tgx, tgw, tg1, tg2), (lgx, lgw, lg1, lg2) = run_both(f, arr(3, 4), arr(4, 2))
        self.close(tgx, lgx)
        self.close(tgw, lgw)
        self.assertIsNone(lg1)
        self.assertIsNone(lg2)

    def test_grad_outputs_and_several_outputs(self):
        v = arr(3)

        def f(m, x):
            y1 = x * x
            y2 = (x.exp()).sum()
            gv = m.tensor(v.tolist(), dtype=x.dtype)
            return m.autograd.grad([y1, y2], [x], grad_outputs=[gv, None])[0]
        t, lt = run_both(f, arr(3))
        self.close(t, lt)

    def test_non_leaf_input(self):
        def f(m, x):
            h = x * 3
            y = (h * h).sum()
            return m.autograd.grad(y, h)[0]
        t, lt = run_both(f, arr(4))
        self.close(t, lt)

    def test_hessian_vector_products(self):
        v = arr(5)
        fns = {
            'poly': lambda m, x: (x ** 3).sum() + (x[0] * x[1] * x[2]),
            'exp_log': lambda m, x: (m.exp(x) * m.log(x * x + 1)).sum(),
            'softmax': lambda m, x: (m.softmax(x, 0) * m.arange(5, dtype=x.dtype)).sum(),
            'sigmoid_tanh': lambda m, x: (m.sigmoid(x) * m.tanh(x)).sum(),
            'norm_var': lambda m, x: x.norm() + x.var() + x.std(),
            'matmul': lambda m, x: (x.reshape(5, 1) @ x.reshape(1, 5)).sin().sum(),
            'relu': lambda m, x: (m.relu(x) ** 2).sum(),
        }
        for name, fn in fns.items():
            def hvp(m, x, fn=fn):
                g, = m.autograd.grad(fn(m, x), x, create_graph=True)
                vt = (torch.tensor(v) if m is torch else
                      Lt.tensor(v.tolist(), dtype=Lt.float64))
                h, = m.autograd.grad((g * vt).sum(), x)
                return g, h
            (tg, th), (lg, lh) = run_both(hvp, arr(5))
            with self.subTest(name):
                self.close(tg, lg)
                self.close(th, lh)

    def test_third_derivative(self):
        def f(m, x):
            y = (x ** 4).sum()
            g, = m.autograd.grad(y, x, create_graph=True)
            h, = m.autograd.grad(g.sum(), x, create_graph=True)
            return m.autograd.grad(h.sum(), x)[0]
        t, lt = run_both(f, arr(3))
        self.close(t, lt)

    def test_gradient_penalty_through_linear_and_losses(self):
        w1, w2 = arr(4, 3), arr(3, 4)
        target = [1, 0, 2, 1, 0]

        def f(m, x):
            lin1 = (torch.nn.Linear(3, 4).double() if m is torch else
                    Lt.nn.Linear(3, 4, dtype=Lt.float64))
            lin2 = (torch.nn.Linear(4, 3).double() if m is torch else
                    Lt.nn.Linear(4, 3, dtype=Lt.float64))
            with m.no_grad():
                lin1.weight.copy_(m.tensor(w1.tolist(), dtype=m.float64))
                lin1.bias.zero_()
                lin2.weight.copy_(m.tensor(w2.tolist(), dtype=m.float64))
                lin2.bias.zero_()
            out = lin2(m.nn.functional.relu(lin1(x)))
            loss = m.nn.functional.cross_entropy(out, m.tensor(target))
            g, = m.autograd.grad(loss, x, create_graph=True)
            penalty = (g ** 2).sum()
            penalty.backward()
            return g, lin1.weight.grad, lin2.weight.grad
        t, lt = run_both(f, arr(5, 3))
        for a, b in zip(t, lt):
            self.close(a, b)

    def test_backward_create_graph_and_inputs(self):
        def f(m, x, y):
            z = (x * x * y).sum()
            z.backward(create_graph=True, inputs=[x])
            gx = x.grad
            self_grad_y = y.grad
            h, = m.autograd.grad(gx.sum(), y)
            return gx, self_grad_y, h
        (tgx, tgy, th), (lgx, lgy, lh) = run_both(f, arr(3), arr(3))
        self.close(tgx, lgx)
        self.assertIsNone(tgy)
        self.assertIsNone(lgy)
        self.close(th, lh)

    def test_autograd_backward_function(self):
        def f(m, x):
            y1, y2 = (x * 2).sum(), (x ** 2).sum()
            m.autograd.backward([y1, y2])
            return x.grad
        t, lt = run_both(f, arr(3))
        self.close(t, lt)

    def test_errors(self):
        def unused(m):
            x = m.ones(2, requires_grad=True)
            y = m.ones(2, requires_grad=True)
            return m.autograd.grad((x * 2).sum(), [x, y])
        self.raises_like(lambda: unused(torch), lambda: unused(Lt))
        t, lt = unused_ok = [m.autograd.grad((m.ones(2, requires_grad=True) * 2).sum(),
                                             [m.ones(2, requires_grad=True)],
                                             allow_unused=True) for m in (torch, Lt)]
        self.assertEqual(t, (None,))
        self.assertEqual(lt, (None,))

        def no_grad_input(m):
            x = m.ones(2, requires_grad=True)
            return m.autograd.grad((x * 2).sum(), [m.ones(2)])
        self.raises_like(lambda: no_grad_input(torch), lambda: no_grad_input(Lt))

        def non_scalar(m):
            x = m.ones(2, requires_grad=True)
            return m.autograd.grad(x * 2, x)
        self.raises_like(lambda: non_scalar(torch), lambda: non_scalar(Lt))

        def no_grad_output(m):
            x = m.ones(2, requires_grad=True)
            return m.autograd.grad(m.ones(2).sum(), x)
        self.raises_like(lambda: no_grad_output(torch), lambda: no_grad_output(Lt))

        def freed(m):
            x = m.ones(2, requires_grad=True)
            y = (x.exp()).sum()
            m.autograd.grad(y, x)
            return m.autograd.grad(y, x)
        self.raises_like(lambda: freed(torch), lambda: freed(Lt))

    def test_not_twice_differentiable_names_the_op(self):
        x = Lt.randn(1, 1, 5, 5, dtype=Lt.float64, requires_grad=True)
        w = Lt.randn(2, 1, 3, 3, dtype=Lt.float64, requires_grad=True)
        y = Lt.nn.functional.conv2d(x, w).sum()
        g, = Lt.autograd.grad(y, w, create_graph=True)
        with self.assertRaises(GLib.Error) as c:
            Lt.autograd.grad(g.sum(), x)
        self.assertIn('conv2d', c.exception.message)
        self.assertIn('double backward', c.exception.message)


def function_classes(m):
    """The classic custom Functions, written once for both libraries."""
    class LegendrePolynomial3(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    class ScaledMul(m.autograd.Function):
        """Two tensors and a number; needs_input_grad; a constant on ctx."""
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            ctx.needs = ctx.needs_input_grad
            return a * b * scale

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * b * ctx.scale if ctx.needs_input_grad[0] else None
            gb = g * a * ctx.scale if ctx.needs_input_grad[1] else None
            return ga, gb, None

    return LegendrePolynomial3, Exp, ScaledMul


class CustomFunctions(Case):
    def test_legendre_polynomial(self):
        def f(m, x):
            P3, _, _ = function_classes(m)
            y = P3.apply(x)
            (y * y).sum().backward()
            return y, x.grad, y.grad_fn.name() if m is Lt else type(y.grad_fn).__name__
        (ty, tg, tn), (ly, lg, ln) = run_both(f, arr(6))
        self.close(ty, ly)
        self.close(tg, lg)
        self.assertEqual(tn, ln)
        self.assertEqual(ln, 'LegendrePolynomial3Backward')

    def test_exp_and_its_second_derivative(self):
        def f(m, x):
            _, Exp, _ = function_classes(m)
            y = Exp.apply(x)
            g, = m.autograd.grad(y.sum(), x, create_graph=True)
            h, = m.autograd.grad((g * g).sum(), x)
            return y, g, h
        for a, b in zip(*run_both(f, arr(4))):
            self.close(a, b)

    def test_non_tensor_arguments_and_needs_input_grad(self):
        a, b = arr(3), arr(3)
        res = []
        for m in (torch, Lt):
            _, _, SM = function_classes(m)
            ta = (torch.tensor(a, requires_grad=True) if m is torch else
                  Lt.tensor(a.tolist(), dtype=Lt.float64, requires_grad=True))
            tb = (torch.tensor(b) if m is torch else Lt.tensor(b.tolist(), dtype=Lt.float64))
            y = SM.apply(ta, tb, 2.5)
            y.sum().backward()
            res.append((npy(y), npy(ta.grad), tb.grad))
        np.testing.assert_allclose(res[1][0], res[0][0])
        np.testing.assert_allclose(res[1][1], res[0][1])
        self.assertIsNone(res[0][2])
        self.assertIsNone(res[1][2])

    def test_gradcheck_and_gradgradcheck_of_custom_functions(self):
        P3, Exp, SM = function_classes(Lt)
        x = Lt.tensor(arr(4).tolist(), dtype=Lt.float64, requires_grad=True)
        y = Lt.tensor(arr(4).tolist(), dtype=Lt.float64, requires_grad=True)
        self.assertTrue(Lt.autograd.gradcheck(P3.apply, (x,)))
        self.assertTrue(Lt.autograd.gradcheck(Exp.apply, (x,)))
        self.assertTrue(Lt.autograd.gradcheck(lambda a, b: SM.apply(a, b, 0.5), (x, y)))
        self.assertTrue(Lt.autograd.gradgradcheck(P3.apply, (x,)))
        self.assertTrue(Lt.autograd.gradgradcheck(Exp.apply, (x,)))

    def test_mark_non_differentiable(self):
        for m in (torch, Lt):
            class Argmax(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    out = (x > 0).to(x.dtype)
                    ctx.mark_non_differentiable(out)
                    return out

                @staticmethod
                def backward(ctx, g):
                    return None
            x = m.ones(3, requires_grad=True)
            out = Argmax.apply(x)
            self.assertFalse(out.requires_grad)
            self.assertIsNone(out.grad_fn)

    def test_exceptions(self):
        class Boom(Exception):
            pass

        def raising_backward(m):
            class F(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    raise Boom('in backward')
            x = m.ones(2, requires_grad=True)
            F.apply(x).sum().backward()
        for m in (torch, Lt):
            with self.assertRaises(Boom):
                raising_backward(m)

        def raising_forward(m):
            class F(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    raise Boom('in forward')

                @staticmethod
                def backward(ctx, g):
                    return g
            F.apply(m.ones(2, requires_grad=True))
        for m in (torch, Lt):
            with self.assertRaises(Boom):
                raising_forward(m)

        def wrong_count(m):
            class F(m.autograd.Function):
                @staticmethod
                def forward(ctx, x, y):
                    return x * y

                @staticmethod
                def backward(ctx, g):
                    return g
            x = m.ones(2, requires_grad=True)
            F.apply(x, x).sum().backward()
        self.raises_like(lambda: wrong_count(torch), lambda: wrong_count(Lt))

        def wrong_shape(m):
            class F(m.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return m.ones(5)
            x = m.ones(2, requires_grad=True)
            F.apply(x).sum().backward()
        self.raises_like(lambda: wrong_shape(torch), lambda: wrong_shape(Lt))

        def second_backward(m):
            _, Exp, _ = function_classes(m)
            x = m.ones(2, requires_grad=True)
            y = Exp.apply(x).sum()
            y.backward()
            y.backward()
        self.raises_like(lambda: second_backward(torch), lambda: second_backward(Lt))


if __name__ == '__main__':
    main()
