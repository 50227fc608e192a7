// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The losses composed of public ops (libtensor/ops/lt-loss-composite.c)
// from gjs: values worked out by hand, a gradient, and an error. Run with
// `gjs -m`; exits 1 when a check fails.

import Lt, {tensor} from '../../gi/js/lt.js';
import {assertEqual, assertThrows, flat, test, run} from './harness.js';

const near = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
const F = {dtype: Lt.DType.FLOAT64};
const f = (data, opts = {}) => tensor(data, {...F, ...opts});

test('smooth_l1 and huber: quadratic below beta/delta, linear above', () => {
    const x = f([0, 0.5, 3]), t = f([0, 0, 0]);
    const s = Lt.smooth_l1_loss(x, t, Lt.Reduction.NONE, 1.0);
    assertEqual(near(flat(s), [0, 0.125, 2.5]), true, `smooth_l1 ${flat(s)}`);
    const h = Lt.huber_loss(x, t, Lt.Reduction.NONE, 2.0);
    // 0.5 d^2 below delta, delta (d - delta / 2) above
    assertEqual(near(flat(h), [0, 0.125, 4]), true, `huber ${flat(h)}`);
});

test('binary_cross_entropy: -log p of the right class, and its gradient', () => {
    const p = f([0.5, 0.25], {requiresGrad: true});
    const loss = Lt.binary_cross_entropy(p, f([1, 0]), null, Lt.Reduction.NONE);
    assertEqual(near(flat(loss), [Math.log(2), -Math.log(0.75)]), true, `bce ${flat(loss)}`);
    loss.sum().backward(null, false);
    // d/dp of -log p is -1/p; of -log(1 - p) is 1/(1 - p)
    assertEqual(near(flat(p.get_grad()), [-2, 4 / 3]), true, `grad ${flat(p.get_grad())}`);
});

test('margin_ranking and cosine_similarity', () => {
    const m = Lt.margin_ranking_loss(f([1, 2]), f([2, 1]), f([1, 1]), 0.5,
        Lt.Reduction.NONE);
    assertEqual(near(flat(m), [1.5, 0]), true, `margin ${flat(m)}`);
    const c = Lt.cosine_similarity(f([[1, 0], [1, 1]]), f([[0, 1], [2, 2]]), 1, 1e-8);
    assertEqual(near(flat(c), [0, 1]), true, `cosine ${flat(c)}`);
});

test('errors name the loss', () => {
    assertThrows(() => Lt.binary_cross_entropy(f([1.5]), f([1]), null,
        Lt.Reduction.MEAN), e => e.message.includes('between 0 and 1'), 'out of [0, 1]');
});

run();
