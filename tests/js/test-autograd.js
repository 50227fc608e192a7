// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Autograd from JavaScript: a custom function (an LtFunction subclass with
// vfunc_forward and vfunc_backward, PyTorch's LegendrePolynomial3 and
// Exp), higher-order gradients with Lt.autograd_grad, and module hooks.
// Run with `gjs -m`; exits 1 when a check fails.

import GObject from 'gi://GObject';
import GLib from 'gi://GLib';

import Lt, {tensor, toArray} from '../../gi/js/lt.js';
import {assert, assertEqual, assertThrows, test, run} from './harness.js';

const close = (got, want, what) => {
    assertEqual(got.length, want.length, `${what}: length`);
    for (let i = 0; i < want.length; i++)
        assert(Math.abs(got[i] - want[i]) <= 1e-9 * (1 + Math.abs(want[i])),
            `${what}[${i}]: ${got[i]} != ${want[i]}`);
};

const Legendre3 = GObject.registerClass({GTypeName: 'JsLegendrePolynomial3'},
    class Legendre3 extends Lt.Function {
        vfunc_forward(ctx, inputs) {
            const [x] = inputs;
            ctx.save_for_backward([x]);
            // 0.5 (5 x^3 - 3 x)
            return x.pow_scalar(3).mul_scalar(5).sub(x.mul_scalar(3)).mul_scalar(0.5);
        }

        vfunc_backward(ctx, grad) {
            const [x] = ctx.get_saved_tensors();
            // 1.5 (5 x^2 - 1)
            const d = x.pow_scalar(2).mul_scalar(5).sub_scalar(1).mul_scalar(1.5);
            ctx.set_grad_input(0, grad.mul(d));
            return true;
        }
    });

const Exp = GObject.registerClass({GTypeName: 'JsExp'},
    class Exp extends Lt.Function {
        vfunc_forward(ctx, inputs) {
            const result = inputs[0].exp();
            ctx.save_for_backward([result]);
            return result;
        }

        vfunc_backward(ctx, grad) {
            const [result] = ctx.get_saved_tensors();
            ctx.set_grad_input(0, grad.mul(result));
            return true;
        }
    });

const Failing = GObject.registerClass({GTypeName: 'JsFailing'},
    class Failing extends Lt.Function {
        vfunc_forward(ctx, inputs) {
            return inputs[0].mul_scalar(2);
        }

        vfunc_backward(ctx, grad) {
            throw new GLib.Error(Lt.error_quark(), Lt.Error.FAILED, 'refused by the test');
        }
    });

// Two outputs, sin and cos, and a third marked non-differentiable: the
// backward gets a gradient for each (zeros for the unused and the
// non-differentiable ones).
let seenGrads = null;
const SinCos = GObject.registerClass({GTypeName: 'JsSinCos'},
    class SinCos extends Lt.Function {
        vfunc_forward(ctx, inputs) {
            const [x] = inputs;
            ctx.save_for_backward([x]);
            const outs = [x.sin(), x.cos(), x.mul_scalar(2)];
            ctx.mark_non_differentiable(outs[2]);
            ctx.set_outputs(outs);
            return outs[0];
        }

        vfunc_backward_outputs(ctx, grads) {
            seenGrads = grads.map(g => toArray(g));
            const [x] = ctx.get_saved_tensors();
            ctx.set_grad_input(0, grads[0].mul(x.cos()).sub(grads[1].mul(x.sin())));
            return true;
        }
    });

const xs = [0.5, -1, 2];
const leaf = () => {
    const x = tensor(xs, {dtype: Lt.DType.FLOAT64});
    x.set_requires_grad(true);
    return x;
};

test('a custom function subclassed in JS: forward, node, backward', () => {
    const x = leaf();
    const y = new Legendre3().apply([x]);
    close(toArray(y), xs.map(v => 0.5 * (5 * v ** 3 - 3 * v)), 'P3(x)');
    assertEqual(y.get_grad_fn().get_name(), 'JsLegendrePolynomial3Backward', 'node name');
    y.sum().backward(null, false);
    close(toArray(x.get_grad()), xs.map(v => 1.5 * (5 * v * v - 1)), 'P3\'(x)');
});

test('a JS function with several outputs: one gradient per output', () => {
    const x = leaf();
    const [s, c, d] = new SinCos().apply_outputs([x]);
    close(toArray(s), xs.map(Math.sin), 'sin');
    close(toArray(c), xs.map(Math.cos), 'cos');
    assert(s.get_requires_grad() && c.get_requires_grad(), 'sin and cos require grad');
    assert(!d.get_requires_grad(), 'the marked output does not');
    assertEqual(c.get_grad_fn().get_name(), 'JsSinCosBackward', 'node name');
    c.sum().backward(null, false);
    close(toArray(x.get_grad()), xs.map(v => -Math.sin(v)), 'd/dx sum cos');
    close(seenGrads[0], [0, 0, 0], 'zeros for the unused output');
    close(seenGrads[1], [1, 1, 1], 'the gradient of cos');
    close(seenGrads[2], [0, 0, 0], 'zeros for the non-differentiable output');
    const fn = new SinCos();
    assert(Lt.gradcheck(inputs => fn.apply_outputs(inputs)[1], [leaf()], 1e-6, 1e-5, 1e-3),
        'gradcheck');
});

test('gradcheck and gradgradcheck of JS functions', () => {
    const fn = new Legendre3();
    assert(Lt.gradcheck(inputs => fn.apply(inputs), [leaf()], 1e-6, 1e-5, 1e-3), 'gradcheck');
    assert(Lt.gradgradcheck(inputs => new Exp().apply(inputs), [leaf()], 1e-6, 1e-5, 1e-3),
        'gradgradcheck');
});

test('second derivative through a JS function (create_graph)', () => {
    const x = leaf();
    const y = new Exp().apply([x]).sum();
    const [g] = Lt.autograd_grad([y], null, [x], true, true, false);
    close(toArray(g), xs.map(Math.exp), 'exp\'');
    const [h] = Lt.autograd_grad([g.mul(g).sum()], null, [x], false, false, false);
    close(toArray(h), xs.map(v => 2 * Math.exp(2 * v)), 'd/dx sum exp(x)^2');
});

test('an error in a JS backward fails the backward pass', () => {
    const x = leaf();
    const y = new Failing().apply([x]).sum();
    assertThrows(() => y.backward(null, false),
        e => e instanceof GLib.Error && e.message.includes('refused by the test'),
        'the error crosses the pass');
});

test('unbind: the slices of one node, the gradient of the ones used', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]], {dtype: Lt.DType.FLOAT64});
    x.set_requires_grad(true);
    const outs = x.unbind(0);
    assertEqual(outs.length, 3, 'one slice a row');
    assertEqual(toArray(outs[1]), [3, 4], 'the second row');
    assertEqual(outs[2].get_grad_fn().get_name(), 'UnbindBackward0', 'the node');
    assert(outs[0].get_grad_fn() === outs[2].get_grad_fn(), 'one node for all');
    outs[0].mul(outs[2]).sum().backward(null, false);
    assertEqual(toArray(x.get_grad()), [[5, 6], [0, 0], [1, 2]], 'zeros for the unused row');
    assertThrows(() => x.unbind(2), e => e.matches(Lt.Error, Lt.Error.INDEX), 'a bad dim');
});

test('module hooks from JS', () => {
    const lin = Lt.Linear.new(3, 2, true);
    const x = tensor([[0.5, -1, 2]]);
    x.set_requires_grad(true);
    let seen = null;
    const pre = lin.register_forward_pre_hook((module, input) => input.mul_scalar(2));
    lin.register_full_backward_hook((module, gradInput, gradOutput) => {
        seen = toArray(gradOutput);
        return gradInput.mul_scalar(0);
    });
    const doubled = lin.forward(x);
    assert(lin.remove_hook(pre), 'the pre-hook is removed');
    const once = lin.forward(x.detach());
    const twice = lin.forward(x.detach().mul_scalar(2));
    close(toArray(doubled)[0], toArray(twice)[0], 'the pre-hook doubled the input');
    assert(toArray(once)[0][0] !== toArray(twice)[0][0], 'and no longer does');
    doubled.sum().backward(null, false);
    close(seen[0], [1, 1], 'grad_output');
    close(toArray(x.get_grad())[0], [0, 0, 0], 'the hook replaced grad_input');
});

run();
