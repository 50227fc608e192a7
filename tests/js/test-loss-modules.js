// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The loss modules over the composed losses (libtensor/nn/lt-loss-composite.c)
// from gjs: their options as properties, values worked out by hand, the
// pair losses through compute_pair, a gradient, and the errors. Run with
// `gjs -m`; exits 1 when a check fails.

import Lt, {tensor, toArray} from '../../gi/js/lt.js';
import {assertEqual, assertThrows, test, run} from './harness.js';

// the values of a tensor of any rank (a 0-dim one too) as a flat array
const flat = t => [toArray(t)].flat(Infinity);

const near = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-9);
const F = {dtype: Lt.DType.FLOAT64};
const f = (data, opts = {}) => tensor(data, {...F, ...opts});

test('SmoothL1Loss and HuberLoss: options as properties, values by hand', () => {
    const s = Lt.SmoothL1Loss.new(Lt.Reduction.NONE, 2.0);
    assertEqual(s.beta, 2.0, 'beta');
    // 0.5 d^2 / beta below beta, d - beta / 2 above
    const v = s.compute(f([0, 1, 3]), f([0, 0, 0]));
    assertEqual(near(flat(v), [0, 0.25, 2]), true, `smooth_l1 ${flat(v)}`);
    const h = new Lt.HuberLoss({delta: 0.5, reduction: Lt.Reduction.SUM});
    assertEqual(h.get_delta(), 0.5, 'delta');
    // 0.5 * 0.25^2 + 0.5 * (2 - 0.25)
    const hv = h.compute(f([0.25, 2]), f([0, 0]));
    assertEqual(near(flat(hv), [0.03125 + 0.875]), true, `huber ${flat(hv)}`);
    assertThrows(() => Lt.HuberLoss.new(Lt.Reduction.MEAN, 0).compute(f([1]), f([0])),
        e => e.message.includes('delta'), 'delta 0');
});

test('KLDivLoss: batchmean divides the sum by the batch size', () => {
    const logp = f([[Math.log(0.5), Math.log(0.5)], [Math.log(0.25), Math.log(0.75)]]);
    const t = f([[0.25, 0.75], [0.5, 0.5]]);
    const kl = (p, q) => p * (Math.log(p) - Math.log(q));
    const total = kl(0.25, 0.5) + kl(0.75, 0.5) + kl(0.5, 0.25) + kl(0.5, 0.75);
    const m = Lt.KLDivLoss.new(Lt.Reduction.SUM, true, false);
    assertEqual(m.batch_mean, true, 'batch-mean');
    assertEqual(near(flat(m.compute(logp, t)), [total / 2]), true, 'batchmean');
    const mean = Lt.KLDivLoss.new(Lt.Reduction.MEAN, false, false);
    assertEqual(near(flat(mean.compute(logp, t)), [total / 4]), true, 'mean');
    const lt = Lt.KLDivLoss.new(Lt.Reduction.SUM, false, true);
    assertEqual(near(flat(lt.compute(logp, t.log())), [total]), true, 'log_target');
});

test('BCELoss with a weight buffer, and its gradient', () => {
    const m = Lt.BCELoss.new(f([1, 2]), Lt.Reduction.SUM);
    assertEqual(near(flat(m.get_buffer('weight')), [1, 2]), true, 'weight buffer');
    const p = f([0.5, 0.25], {requiresGrad: true});
    const loss = m.compute(p, f([1, 0]));
    assertEqual(near(flat(loss), [Math.log(2) - 2 * Math.log(0.75)]), true, `bce ${flat(loss)}`);
    loss.backward(null, false);
    // -1/p for target 1, 1/(1 - p) for target 0, times the weight
    assertEqual(near(flat(p.get_grad()), [-2, 2 * 4 / 3]), true, `grad ${flat(p.get_grad())}`);
});

test('the pair losses run through compute_pair', () => {
    const r = Lt.MarginRankingLoss.new(0.5, Lt.Reduction.NONE);
    assertEqual(r.margin, 0.5, 'margin');
    const v = r.compute_pair(f([1, 2]), f([2, 1]), f([1, 1]));
    assertEqual(near(flat(v), [1.5, 0]), true, `margin ranking ${flat(v)}`);
    const c = Lt.CosineEmbeddingLoss.new(0.0, Lt.Reduction.NONE);
    const cv = c.compute_pair(f([[1, 0], [1, 1]]), f([[0, 1], [2, 2]]), f([1, -1]));
    // 1 - cos for target 1 (cos 0), max(0, cos) for -1 (cos 1)
    assertEqual(near(flat(cv), [1, 1]), true, `cosine embedding ${flat(cv)}`);
    assertThrows(() => c.compute(f([1]), f([1])),
        e => e.message.includes('compute_pair'), 'compute on a pair loss');
    assertThrows(() => Lt.BCELoss.new(null, Lt.Reduction.MEAN).compute_pair(f([0.5]), f([0.5]),
        f([1])), e => e.message.includes('not a pair'), 'compute_pair on BCELoss');
    assertEqual(c.to_string(), 'CosineEmbeddingLoss()', 'printed');
});

run();
