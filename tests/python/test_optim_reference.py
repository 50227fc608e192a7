#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Optimizers, schedules and losses against PyTorch 1.13 (Lt.optim, the
C losses through GI).

- The same initial parameters and the same sequence of gradients go through
  our optimizers and torch's: after 5 steps of SGD (momentum, dampening,
  nesterov, weight decay), Adam, AdamW (amsgrad on and off), RMSprop
  (centered, momentum), Adagrad, Adadelta, Adamax, NAdam and RAdam (every
  option of each) the parameters agree within float32 tolerance, and so do
  the optimizers' states and state_dict() structures; a state dict saved
  mid-way (ours, through safetensors, or torch's) continues as torch's.
- LBFGS (fixed step and strong-Wolfe line search, history, max_eval,
  tolerances) minimises a small regression with the same closure as
  torch's: the same parameters, losses, number of evaluations and state.
- StepLR, MultiStepLR, CosineAnnealingLR, LambdaLR, MultiplicativeLR,
  ExponentialLR, LinearLR, CosineAnnealingWarmRestarts, OneCycleLR (and the
  momentum or beta1 it cycles), CyclicLR (every mode, a scale_fn),
  SequentialLR and ReduceLROnPlateau give torch's learning rates for 20 to
  60 steps, step(epoch) its closed forms, bad arguments its ValueErrors.
- cross_entropy, nll_loss, binary_cross_entropy_with_logits, mse_loss,
  l1_loss and leaky_relu give torch.nn.functional's values and gradients on
  random inputs, with large logits, class weights, ignore_index and label
  smoothing, under every reduction.
"""

import unittest
import warnings

from harness import main, require

torch = require('torch', 'python3-torch')
F = require('torch.nn.functional', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402
from gi.module import get_introspection_module  # noqa: E402

_gi = get_introspection_module('Lt')    # the C API, under the overrides

torch.set_num_threads(1)
warnings.filterwarnings('ignore', message='Using a target size')

rng = np.random.default_rng(20240613)
R = Lt.Reduction
REDUCTIONS = (('none', R.NONE), ('mean', R.MEAN), ('sum', R.SUM))
SHAPES = [(6, 3, 5, 5), (6,), (4, 7), (4,)]


def lt_tensor(a, requires_grad=False):
    return Lt.tensor(np.array(a, order='C'), requires_grad=requires_grad)


def np_of(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy().astype(np.float64)
    return np.asarray(t.detach().numpy(), dtype=np.float64)


class OptimizerReference(unittest.TestCase):
    """5 steps of each optimizer, ours against torch's."""

    def run_both(self, make_ours, make_torch, steps=5, groups=None, dtype='float32'):
        init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
        ours = [lt_tensor(a, requires_grad=True) for a in init]
        theirs = [torch.tensor(a, requires_grad=True) for a in init]
        if groups:
            opt_l = make_ours(groups(ours))
            opt_t = make_torch(groups(theirs))
        else:
            opt_l = make_ours(ours)
            opt_t = make_torch(theirs)
        for k in range(steps):
            for p, q, g in zip(ours, theirs, grads[k]):
                p.grad = lt_tensor(g)
                q.grad = torch.tensor(g)
            # the last parameter has no gradient at the last step: skipped by both
            if k == steps - 1:
                ours[-1].grad = None
                theirs[-1].grad = None
            opt_l.step()
            opt_t.step()
            tol = dict(rtol=2e-5, atol=2e-6) if dtype == 'float32' else dict(rtol=1e-12,
                                                                              atol=1e-13)
            for i, (p, q) in enumerate(zip(ours, theirs)):
                np.testing.assert_allclose(np_of(p), np_of(q), err_msg='step %d param %d'
                                           % (k, i), **tol)
        # the states, by PyTorch's names (torch keeps a momentum_buffer of
        # None without momentum; a state dict of tensors has no such entry)
        sd_l, sd_t = opt_l.state_dict(), opt_t.state_dict()
        sd_t['state'] = {i: {k: v for k, v in st.items() if v is not None}
                         for i, st in sd_t['state'].items()}
        sd_t['state'] = {i: st for i, st in sd_t['state'].items() if st}
        self.assertEqual(sorted(sd_l['state']), sorted(sd_t['state']))
        for i in sd_t['state']:
            self.assertEqual(sorted(sd_l['state'][i]), sorted(sd_t['state'][i]))
            for name, value in sd_t['state'][i].items():
                ours_v = sd_l['state'][i][name]
                np.testing.assert_allclose(np_of(ours_v), np.asarray(value, dtype=np.float64),
                                           rtol=1e-4, atol=1e-6, err_msg=name)
        self.assertEqual(len(sd_l['param_groups']), len(sd_t['param_groups']))
        for gl, gt in zip(sd_l['param_groups'], sd_t['param_groups']):
            self.assertEqual(gl['params'], gt['params'])
            for key, value in gl.items():
                if key in gt and key != 'params':
                    self.assertEqual(value, gt[key], key)
        return opt_l, opt_t

    def test_sgd(self):
        confs = [dict(lr=0.1), dict(lr=0.01, momentum=0.9),
                 dict(lr=0.05, momentum=0.9, dampening=0.3),
                 dict(lr=0.1, momentum=0.9, nesterov=True),
                 dict(lr=0.1, momentum=0.8, weight_decay=0.01),
                 dict(lr=0.02, momentum=0.5, weight_decay=0.1, nesterov=True),
                 dict(lr=0.1, momentum=0.9, maximize=True)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.SGD(p, **conf),
                              lambda p: torch.optim.SGD(p, **conf))
        with self.subTest('float64'):
            self.run_both(lambda p: Lt.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                          lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                          dtype='float64')

    def test_sgd_param_groups(self):
        def groups(ps):
            return [{'params': ps[:2]}, {'params': ps[2:], 'lr': 0.5, 'momentum': 0.5}]
        opt_l, opt_t = self.run_both(lambda g: Lt.optim.SGD(g, lr=0.1, momentum=0.9),
                                     lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9),
                                     groups=groups)
        self.assertEqual(opt_l.param_groups[1]['lr'], 0.5)
        self.assertEqual(opt_l.param_groups[1]['momentum'], opt_t.param_groups[1]['momentum'])

    def test_adam(self):
        confs = [dict(), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, amsgrad=True),
                 dict(lr=0.01, weight_decay=0.1, amsgrad=True), dict(lr=0.01, eps=1e-3),
                 dict(lr=0.01, maximize=True)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.Adam(p, **conf),
                              lambda p: torch.optim.Adam(p, **conf))

    def test_adamw(self):
        confs = [dict(), dict(lr=0.01, amsgrad=True), dict(lr=0.05, weight_decay=0.1),
                 dict(lr=0.05, weight_decay=0.1, amsgrad=True, betas=(0.5, 0.9))]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.AdamW(p, **conf),
                              lambda p: torch.optim.AdamW(p, **conf))

    def test_rmsprop(self):
        confs = [dict(), dict(centered=True), dict(momentum=0.9), dict(momentum=0.5, centered=True),
                 dict(lr=0.001, alpha=0.9, weight_decay=0.1, eps=1e-6)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.RMSprop(p, **conf),
                              lambda p: torch.optim.RMSprop(p, **conf))

    def test_adagrad(self):
        confs = [dict(), dict(lr=0.1, lr_decay=0.05), dict(lr=0.05, weight_decay=0.1),
                 dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6),
                 dict(lr=0.1, maximize=True, lr_decay=0.01, weight_decay=0.01)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.Adagrad(p, **conf),
                              lambda p: torch.optim.Adagrad(p, **conf))

    def test_adadelta(self):
        confs = [dict(), dict(lr=0.5, rho=0.8), dict(lr=1.0, weight_decay=0.1, eps=1e-4),
                 dict(rho=0.95, maximize=True), dict(lr=2.0, rho=1.0)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.Adadelta(p, **conf),
                              lambda p: torch.optim.Adadelta(p, **conf))

    def test_adamax(self):
        confs = [dict(), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, weight_decay=0.1),
                 dict(lr=0.05, eps=1e-3, maximize=True)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.Adamax(p, **conf),
                              lambda p: torch.optim.Adamax(p, **conf))

    def test_nadam(self):
        confs = [dict(), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.01, weight_decay=0.1),
                 dict(lr=0.05, momentum_decay=0.1, eps=1e-4), dict(momentum_decay=0)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.NAdam(p, **conf),
                              lambda p: torch.optim.NAdam(p, **conf), steps=8)

    def test_radam(self):
        # with beta2 = 0.999 the rectified update starts at step 6; with
        # beta2 = 0.9 at step 3: both branches run
        confs = [dict(), dict(lr=0.01, betas=(0.8, 0.9)), dict(lr=0.01, weight_decay=0.1),
                 dict(lr=0.05, betas=(0.5, 0.8), eps=1e-3)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda p: Lt.optim.RAdam(p, **conf),
                              lambda p: torch.optim.RAdam(p, **conf), steps=9)
        with self.subTest('float64'):
            self.run_both(lambda p: Lt.optim.RAdam(p, lr=0.01, betas=(0.8, 0.9)),
                          lambda p: torch.optim.RAdam(p, lr=0.01, betas=(0.8, 0.9)),
                          steps=6, dtype='float64')

    def test_new_optimizers_groups_and_repr(self):
        def groups(ps):
            return [{'params': ps[:2]}, {'params': ps[2:], 'lr': 0.5, 'betas': (0.7, 0.95)}]
        for name in ('Adamax', 'NAdam', 'RAdam'):
            with self.subTest(name):
                opt_l, opt_t = self.run_both(
                    lambda g: getattr(Lt.optim, name)(g, lr=0.01, weight_decay=0.01),
                    lambda g: getattr(torch.optim, name)(g, lr=0.01, weight_decay=0.01),
                    groups=groups, steps=7)
                self.assertEqual(opt_l.param_groups[1]['betas'], (0.7, 0.95))
                keys_t = set(opt_t.defaults) - {'foreach'}
                self.assertEqual(set(opt_l.defaults) - {'foreach'}, keys_t)
                self.assertEqual(repr(opt_l).replace('foreach: None\n    ', ''),
                                 repr(opt_t).replace('foreach: None\n    ', ''))
        for name in ('Adagrad', 'Adadelta'):
            with self.subTest(name):
                self.assertEqual(set(getattr(Lt.optim, name)(
                    [lt_tensor(np.ones(2, dtype='float32'), requires_grad=True)]).defaults),
                    set(getattr(torch.optim, name)([torch.ones(2, requires_grad=True)]).defaults))

    def test_new_optimizers_state_dict_round_trip(self):
        """Saved after 3 steps (ours through Lt.StateDict and safetensors, and
        torch's dict loaded into ours) and continued: torch's parameters."""
        import os
        import tempfile
        makers = [('Adagrad', dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
                  ('Adadelta', dict(lr=0.7, rho=0.8, weight_decay=0.01)),
                  ('Adamax', dict(lr=0.01, betas=(0.8, 0.95))),
                  ('NAdam', dict(lr=0.01, momentum_decay=0.05)),
                  ('RAdam', dict(lr=0.01, betas=(0.8, 0.9)))]
        for name, conf in makers:
            for source in ('ours', 'safetensors', 'torch'):
                with self.subTest(name, source=source):
                    init = [rng.standard_normal(s).astype('float32') for s in SHAPES]
                    grads = [[rng.standard_normal(s).astype('float32') for s in SHAPES]
                             for _ in range(7)]
                    ours = [lt_tensor(a, requires_grad=True) for a in init]
                    theirs = [torch.tensor(a, requires_grad=True) for a in init]
                    opt_l = getattr(Lt.optim, name)(ours, **conf)
                    opt_t = getattr(torch.optim, name)(theirs, **conf)
                    for k in range(7):
                        if k == 3:
                            fresh = getattr(Lt.optim, name)(ours, lr=0.5)
                            if source == 'ours':
                                fresh.load_state_dict(opt_l.state_dict())
                            elif source == 'safetensors':
                                with tempfile.TemporaryDirectory() as d:
                                    path = os.path.join(d, 'opt.safetensors')
                                    _gi.Optimizer.state_dict(opt_l).save(path)
                                    fresh.load_state_dict(Lt.StateDict.load(path))
                            else:
                                sd = opt_t.state_dict()
                                sd['state'] = {i: {n: (lt_tensor(v.numpy())
                                                       if isinstance(v, torch.Tensor) else v)
                                                   for n, v in st.items()}
                                               for i, st in sd['state'].items()}
                                fresh.load_state_dict(sd)
                            self.assertEqual(fresh.param_groups[0]['lr'], conf['lr'])
                            opt_l = fresh
                        for p, q, g in zip(ours, theirs, grads[k]):
                            p.grad = lt_tensor(g)
                            q.grad = torch.tensor(g)
                        opt_l.step()
                        opt_t.step()
                    for p, q in zip(ours, theirs):
                        np.testing.assert_allclose(np_of(p), np_of(q), rtol=2e-5, atol=2e-6)

    def test_new_optimizers_errors_as_torch(self):
        p = [lt_tensor(np.ones(3, dtype='float32'), requires_grad=True)]
        q = [torch.ones(3, requires_grad=True)]
        bad = [('Adagrad', dict(lr_decay=-1)), ('Adagrad', dict(initial_accumulator_value=-1)),
               ('Adagrad', dict(eps=-1)), ('Adadelta', dict(rho=1.5)),
               ('Adadelta', dict(lr=-1)), ('Adamax', dict(betas=(0.9, 1.0))),
               ('Adamax', dict(weight_decay=-1)), ('NAdam', dict(momentum_decay=-1)),
               ('NAdam', dict(betas=(-0.1, 0.9))), ('RAdam', dict(eps=-1)),
               ('RAdam', dict(lr=-0.1))]
        for name, conf in bad:
            with self.subTest(name, **conf):
                with self.assertRaises(ValueError) as want:
                    getattr(torch.optim, name)(q, **conf)
                with self.assertRaises(ValueError) as got:
                    getattr(Lt.optim, name)(p, **conf)
                # a GLib.Error too: its str() adds the domain and code
                self.assertIsInstance(got.exception, GLib.Error)
                self.assertEqual(got.exception.message, str(want.exception))
        for name in ('Adagrad', 'Adadelta', 'Adamax', 'NAdam', 'RAdam'):
            with self.assertRaises(ValueError):
                getattr(Lt.optim, name)([])

    def lbfgs_both(self, conf, steps=3, dtype='float32', tol=None):
        """A small regression with a quartic penalty, minimised by our LBFGS
        and torch's with the same closure."""
        X = rng.standard_normal((16, 3)).astype(dtype)
        Y = rng.standard_normal((16, 2)).astype(dtype)
        W0 = rng.standard_normal((3, 2)).astype(dtype)
        b0 = rng.standard_normal((2,)).astype(dtype)

        def run(make_tensor, optim_mod):
            X_, Y_ = make_tensor(X), make_tensor(Y)
            W, b = make_tensor(W0, requires_grad=True), make_tensor(b0, requires_grad=True)
            opt = optim_mod.LBFGS([W, b], **conf)
            evals = [0]

            def closure():
                evals[0] += 1
                opt.zero_grad()
                r = X_ @ W + b - Y_
                loss = (r * r).mean() + 0.05 * (W * W * W * W).sum()
                loss.backward()
                return loss
            losses = [float(opt.step(closure)) for _ in range(steps)]
            return [np_of(W), np_of(b)], losses, evals[0], opt
        ours = run(lambda a, requires_grad=False: lt_tensor(a, requires_grad), Lt.optim)
        theirs = run(lambda a, requires_grad=False: torch.tensor(a, requires_grad=requires_grad),
                     torch.optim)
        tol = tol or (dict(rtol=1e-4, atol=1e-5) if dtype == 'float32'
                      else dict(rtol=1e-9, atol=1e-11))
        for a, b in zip(ours[0], theirs[0]):
            np.testing.assert_allclose(a, b, **tol)
        np.testing.assert_allclose(ours[1], theirs[1], **tol)
        self.assertEqual(ours[2], theirs[2])        # the same number of evaluations
        st_l = ours[3].state_dict()['state'][0]
        st_t = theirs[3].state_dict()['state'][0]
        self.assertEqual(int(st_l['func_evals']), st_t['func_evals'])
        self.assertEqual(int(st_l['n_iter']), st_t['n_iter'])
        np.testing.assert_allclose(np_of(st_l['d']), np_of(st_t['d']), **tol)
        self.assertEqual(st_l['old_dirs'].shape[0] if 'old_dirs' in st_l else 0,
                         len(st_t['old_dirs']))
        return ours, theirs

    def test_lbfgs(self):
        """In float64 every iteration and evaluation is torch's, to the end
        of convergence; in float32 (where rounding decides when a converged
        run stops) the first iterations are."""
        confs = [dict(), dict(lr=0.5, max_iter=5), dict(lr=0.8, history_size=3, max_iter=10),
                 dict(max_iter=7, max_eval=5), dict(tolerance_grad=1e-2),
                 dict(tolerance_change=1e-3), dict(line_search_fn='strong_wolfe'),
                 dict(line_search_fn='strong_wolfe', history_size=2, max_iter=8)]
        for conf in confs:
            with self.subTest('float64', **conf):
                self.lbfgs_both(conf, dtype='float64')
            with self.subTest('float32', **conf):
                self.lbfgs_both(dict(conf, max_iter=min(conf.get('max_iter', 20), 4)),
                                steps=1)

    def test_lbfgs_state_dict_and_errors(self):
        W = lt_tensor(np.ones((2, 2), dtype='float32'), requires_grad=True)
        opt = Lt.optim.LBFGS([W], history_size=4, line_search_fn='strong_wolfe')
        self.assertEqual(opt.param_groups[0]['line_search_fn'], 'strong_wolfe')
        self.assertEqual(opt.param_groups[0]['max_eval'], 25)

        def closure():
            opt.zero_grad()
            loss = ((W - lt_tensor(np.eye(2, dtype='float32'))) * W).sum() + (W * W * W * W).sum()
            loss.backward()
            return loss
        opt.step(closure)
        # a state saved and loaded into a new optimizer continues as the old one
        sd = opt.state_dict()
        self.assertIn('old_dirs', sd['state'][0])
        W2 = lt_tensor(np_of(W).astype('float32'), requires_grad=True)
        other = Lt.optim.LBFGS([W2], history_size=4, line_search_fn='strong_wolfe')
        other.load_state_dict(sd)

        def closure2():
            other.zero_grad()
            loss = ((W2 - lt_tensor(np.eye(2, dtype='float32'))) * W2).sum() + \
                (W2 * W2 * W2 * W2).sum()
            loss.backward()
            return loss
        opt.step(closure)
        other.step(closure2)
        np.testing.assert_array_equal(np_of(W), np_of(W2))
        # a closure's own exception reaches the caller as it is
        class Boom(Exception):
            pass

        def bad():
            raise Boom('from the closure')
        with self.assertRaises(Boom):
            opt.step(bad)
        with self.assertRaises(TypeError):
            opt.step()
        with self.assertRaises(GLib.Error):
            Lt.Optimizer.step(opt)               # a step needs the closure
        with self.assertRaises(ValueError):
            Lt.optim.LBFGS([{'params': [W]}, {'params': [W2]}])
        with self.assertRaises(RuntimeError):
            Lt.optim.LBFGS([W], line_search_fn='armijo')

    def test_errors_as_torch(self):
        p = [lt_tensor(np.ones(3, dtype='float32'), requires_grad=True)]
        with self.assertRaises(ValueError):
            Lt.optim.SGD(p, lr=0.1, nesterov=True)
        with self.assertRaises(ValueError):
            Lt.optim.Adam(p, betas=(1.0, 0.9))
        with self.assertRaises(ValueError):
            Lt.optim.SGD([], lr=0.1)
        with self.assertRaises(ValueError):
            Lt.optim.SGD(p)                      # lr is required
        with self.assertRaises(TypeError):
            Lt.optim.SGD(p[0], lr=0.1)           # a tensor, not an iterable
        opt = Lt.optim.SGD(p, lr=0.1)
        with self.assertRaises(GLib.Error):
            opt.add_param_group({'params': p})   # in two groups
        with self.assertRaises(KeyError):
            opt.param_groups[0]['gamma']

    def test_load_state_dict_continues(self):
        """A state saved after 3 steps and loaded into a new optimizer
        continues as torch's does."""
        init = [rng.standard_normal(s).astype('float32') for s in SHAPES]
        grads = [[rng.standard_normal(s).astype('float32') for s in SHAPES] for _ in range(5)]
        ours = [lt_tensor(a, requires_grad=True) for a in init]
        theirs = [torch.tensor(a, requires_grad=True) for a in init]
        opt_l = Lt.optim.Adam(ours, lr=0.01, amsgrad=True)
        opt_t = torch.optim.Adam(theirs, lr=0.01, amsgrad=True)
        for k in range(5):
            if k == 3:
                state = opt_l.state_dict()
                opt_l = Lt.optim.Adam(ours, lr=0.5)
                opt_l.load_state_dict(state)
                self.assertEqual(opt_l.param_groups[0]['lr'], 0.01)
                self.assertTrue(opt_l.param_groups[0]['amsgrad'])
            for p, q, g in zip(ours, theirs, grads[k]):
                p.grad = lt_tensor(g)
                q.grad = torch.tensor(g)
            opt_l.step()
            opt_t.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(np_of(p), np_of(q), rtol=2e-5, atol=2e-6)


class SchedulerReference(unittest.TestCase):
    """20 steps of each schedule: our learning rates are torch's."""

    def run_both(self, make_ours, make_torch, lrs=(0.1, 0.03), steps=21, optim='SGD',
                 keys=('lr',), metrics=None, **opt_kwargs):
        ours = [lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True) for _ in lrs]
        theirs = [torch.zeros(2, requires_grad=True) for _ in lrs]
        opt_kwargs.setdefault('lr', 1)
        opt_l = getattr(Lt.optim, optim)([{'params': [p], 'lr': lr} for p, lr in zip(ours, lrs)],
                                         **opt_kwargs)
        opt_t = getattr(torch.optim, optim)([{'params': [p], 'lr': lr}
                                             for p, lr in zip(theirs, lrs)], **opt_kwargs)
        s_l, s_t = make_ours(opt_l), make_torch(opt_t)
        for k in range(steps):
            got = s_l.get_last_lr()
            # torch 1.13's ReduceLROnPlateau has no get_last_lr()
            want = (s_t.get_last_lr() if hasattr(s_t, 'get_last_lr')
                    else [g['lr'] for g in opt_t.param_groups])
            self.assertEqual(len(got), len(want))
            for a, b in zip(got, want):
                self.assertAlmostEqual(a, b, delta=1e-15 * abs(b), msg='epoch %d' % k)
            for key in keys:
                for gl, gt in zip(opt_l.param_groups, opt_t.param_groups):
                    if isinstance(gt[key], tuple):
                        np.testing.assert_allclose(gl[key], gt[key], rtol=1e-15,
                                                   err_msg='%s at epoch %d' % (key, k))
                    else:
                        self.assertAlmostEqual(gl[key], gt[key], delta=1e-15 * abs(gt[key]),
                                               msg='%s at epoch %d' % (key, k))
            self.assertEqual(s_l.last_epoch, s_t.last_epoch)
            opt_l.step()
            opt_t.step()
            if metrics is None:
                s_l.step()
                s_t.step()
            else:
                s_l.step(metrics[k])
                s_t.step(metrics[k])
                for name in ('best', 'num_bad_epochs', 'cooldown_counter'):
                    self.assertEqual(getattr(s_l, name), getattr(s_t, name), name)
        return s_l, s_t

    def test_step_lr(self):
        for step_size, gamma in ((3, 0.5), (1, 0.9), (7, 0.1)):
            self.run_both(lambda o: Lt.optim.lr_scheduler.StepLR(o, step_size, gamma=gamma),
                          lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma=gamma))

    def test_multi_step_lr(self):
        for ms in ([2, 5, 9], [4, 4, 11], [15]):
            self.run_both(lambda o: Lt.optim.lr_scheduler.MultiStepLR(o, ms, gamma=0.3),
                          lambda o: torch.optim.lr_scheduler.MultiStepLR(o, ms, gamma=0.3))

    def test_cosine_annealing_lr(self):
        for t_max, eta_min in ((5, 0), (10, 0.001), (3, 0.01), (20, 0)):
            self.run_both(
                lambda o: Lt.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min=eta_min),
                lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min=eta_min))

    def test_lambda_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        for fn in (lambda e: 0.95 ** e, [lambda e: e // 3 + 1, lambda e: 1 / (e + 1)]):
            self.run_both(lambda o: L.LambdaLR(o, fn), lambda o: T.LambdaLR(o, fn), steps=40)

    def test_multiplicative_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        for fn in (lambda e: 0.9, [lambda e: 0.99, lambda e: 1.0 + 0.01 * (e % 3)]):
            self.run_both(lambda o: L.MultiplicativeLR(o, fn),
                          lambda o: T.MultiplicativeLR(o, fn), steps=40)

    def test_exponential_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        for gamma in (0.9, 0.5, 1.02):
            self.run_both(lambda o: L.ExponentialLR(o, gamma), lambda o: T.ExponentialLR(o, gamma),
                          steps=60)

    def test_linear_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        for kw in (dict(), dict(start_factor=0.5, end_factor=0.9, total_iters=10),
                   dict(start_factor=1.0, end_factor=0.1, total_iters=4)):
            self.run_both(lambda o: L.LinearLR(o, **kw), lambda o: T.LinearLR(o, **kw), steps=30)

    def test_cosine_annealing_warm_restarts(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        for args in ((5,), (3, 2, 0.01), (1, 3), (7, 1, 0.02)):
            self.run_both(lambda o: L.CosineAnnealingWarmRestarts(o, *args),
                          lambda o: T.CosineAnnealingWarmRestarts(o, *args), steps=60)

    def test_one_cycle_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        confs = [dict(max_lr=0.5, total_steps=30), dict(max_lr=[0.5, 0.2], total_steps=41,
                                                        anneal_strategy='linear'),
                 dict(max_lr=1.0, epochs=4, steps_per_epoch=10, pct_start=0.25,
                      three_phase=True, div_factor=10., final_div_factor=100.),
                 dict(max_lr=0.3, total_steps=40, cycle_momentum=False)]
        for conf in confs:
            with self.subTest(**conf):
                self.run_both(lambda o: L.OneCycleLR(o, **conf), lambda o: T.OneCycleLR(o, **conf),
                              steps=30, keys=('lr', 'momentum'), momentum=0.9)
        with self.subTest('Adam: beta1 cycles'):
            self.run_both(lambda o: L.OneCycleLR(o, 0.1, total_steps=25),
                          lambda o: T.OneCycleLR(o, 0.1, total_steps=25), steps=25,
                          optim='Adam', keys=('lr', 'betas'))
        # past total_steps: torch's ValueError
        o = Lt.optim.SGD([lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True)], lr=1,
                         momentum=0.9)
        s = L.OneCycleLR(o, 0.1, total_steps=3)
        s.step(), s.step(), s.step()
        with self.assertRaisesRegex(ValueError, 'Tried to step 5 times'):
            s.step()
        with self.assertRaisesRegex(ValueError, 'must support momentum'):
            L.OneCycleLR(Lt.optim.Adagrad(o.param_groups[0]['params']), 0.1, total_steps=3)

    def test_cyclic_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        confs = [dict(base_lr=0.01, max_lr=0.1, step_size_up=4),
                 dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3,
                      step_size_down=5, mode='triangular2'),
                 dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode='exp_range', gamma=0.9),
                 dict(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False),
                 dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 1 / x),
                 dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 0.97 ** x,
                      scale_mode='iterations')]
        for conf in confs:
            with self.subTest(**{k: v for k, v in conf.items() if k != 'scale_fn'}):
                self.run_both(lambda o: L.CyclicLR(o, **conf), lambda o: T.CyclicLR(o, **conf),
                              steps=40, keys=('lr', 'momentum'), momentum=0.9)

    def test_sequential_lr(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler

        def chain(M):
            return [lambda o: M.SequentialLR(o, [M.LinearLR(o, start_factor=0.1, total_iters=3),
                                                 M.ExponentialLR(o, 0.9)], milestones=[4]),
                    lambda o: M.SequentialLR(o, [M.ExponentialLR(o, 0.8),
                                                 M.StepLR(o, 2, gamma=0.5),
                                                 M.CosineAnnealingLR(o, 5, eta_min=0.001)],
                                             milestones=[3, 9]),
                    lambda o: M.SequentialLR(o, [M.LambdaLR(o, lambda e: 1 / (e + 1)),
                                                 M.MultiStepLR(o, [2, 5], gamma=0.3),
                                                 M.CosineAnnealingWarmRestarts(o, 3)],
                                             milestones=[5, 12])]
        for i, (ours, theirs) in enumerate(zip(chain(L), chain(T))):
            with self.subTest(i):
                self.run_both(ours, theirs, steps=30)

    def test_reduce_lr_on_plateau(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        r = np.random.default_rng(5)
        falling = list(np.concatenate([np.linspace(1, 0.5, 10), np.full(30, 0.5)]) +
                       r.standard_normal(40) * 0.001)
        rising = [-m for m in falling]
        confs = [(dict(), falling), (dict(patience=2), falling),
                 (dict(mode='max', patience=3, factor=0.5), rising),
                 (dict(patience=1, threshold=0.01, threshold_mode='abs', cooldown=2), falling),
                 (dict(patience=0, factor=0.5, min_lr=[0.01, 0.005]), falling),
                 (dict(patience=0, factor=0.5, min_lr=0.02, eps=0.01), falling)]
        for conf, metrics in confs:
            with self.subTest(**conf):
                self.run_both(lambda o: L.ReduceLROnPlateau(o, **conf),
                              lambda o: T.ReduceLROnPlateau(o, **conf), steps=40,
                              metrics=metrics)

    def test_schedule_errors_as_torch(self):
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        o_l = Lt.optim.SGD([lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True)], lr=1,
                           momentum=0.9)
        o_t = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=1, momentum=0.9)
        bad = [('LinearLR', dict(start_factor=1.5)), ('LinearLR', dict(end_factor=-1)),
               ('CosineAnnealingWarmRestarts', dict(T_0=0)),
               ('CosineAnnealingWarmRestarts', dict(T_0=2, T_mult=0)),
               ('OneCycleLR', dict(max_lr=0.1)), ('OneCycleLR', dict(max_lr=0.1, total_steps=0)),
               ('OneCycleLR', dict(max_lr=0.1, total_steps=5, pct_start=1.5)),
               ('OneCycleLR', dict(max_lr=0.1, total_steps=5, anneal_strategy='tan')),
               ('OneCycleLR', dict(max_lr=[0.1, 0.2], total_steps=5)),
               ('CyclicLR', dict(base_lr=0.1, max_lr=0.2, mode='square')),
               ('ReduceLROnPlateau', dict(factor=1.0)), ('ReduceLROnPlateau', dict(mode='up')),
               ('ReduceLROnPlateau', dict(min_lr=[0, 0])),
               ('LambdaLR', dict(lr_lambda=[lambda e: 1, lambda e: 2]))]
        for name, kw in bad:
            with self.subTest(name, **kw):
                with self.assertRaises(ValueError) as want:
                    getattr(T, name)(o_t, **kw)
                with self.assertRaises(ValueError) as got:
                    getattr(L, name)(o_l, **kw)
                # a GLib.Error too: its str() adds the domain and code
                self.assertIsInstance(got.exception, GLib.Error)
                self.assertEqual(got.exception.message, str(want.exception))

        # an exception in a Python lr_lambda reaches the caller as it is
        class Boom(Exception):
            pass

        def boom(e):
            if e >= 2:
                raise Boom(e)
            return 1.0
        s = L.LambdaLR(o_l, boom)
        s.step()
        with self.assertRaises(Boom):
            s.step()
        self.assertEqual(s.last_epoch, 1)           # the failed step changed nothing
        s2 = L.MultiplicativeLR(o_l, lambda e: float('inf'))
        with self.assertRaises(GLib.Error):
            s2.step()
        with self.assertRaises(TypeError):
            L.SequentialLR(o_l, [object()], milestones=[])

    def test_step_to_epoch(self):
        """step(epoch) uses torch's closed forms."""
        L, T = Lt.optim.lr_scheduler, torch.optim.lr_scheduler
        makers = [lambda M, o: M.StepLR(o, 3, gamma=0.5), lambda M, o: M.ExponentialLR(o, 0.9),
                  lambda M, o: M.MultiStepLR(o, [2, 6], gamma=0.1),
                  lambda M, o: M.CosineAnnealingLR(o, 7, eta_min=0.01),
                  lambda M, o: M.LinearLR(o, 0.2, 0.8, 6)]
        for make in makers:
            o_l = Lt.optim.SGD([lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True)],
                               lr=0.5)
            o_t = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)
            s_l, s_t = make(L, o_l), make(T, o_t)
            for epoch in (5, 2, 9, 0, 13):
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    s_t.step(epoch)
                s_l.step(epoch)
                self.assertAlmostEqual(s_l.get_last_lr()[0], s_t.get_last_lr()[0], delta=1e-15)

    def test_set_lr_by_hand(self):
        p = lt_tensor(np.ones(2, dtype='float32'), requires_grad=True)
        opt = Lt.optim.SGD([p], lr=0.1)
        opt.param_groups[0]['lr'] = 0.25
        self.assertEqual(opt.get_lr(0), 0.25)
        p.grad = lt_tensor(np.ones(2, dtype='float32'))
        opt.step()
        np.testing.assert_allclose(np_of(p), [0.75, 0.75])


class PythonSubclasses(unittest.TestCase):
    """An optimizer and schedules written in Python, run by the C step."""

    def test_optimizer_do_update(self):
        class SignSGD(Lt.optim.Optimizer):
            def __init__(self, params, lr=0.1):
                super().__init__(params, dict(lr=lr, flag=False))

            def do_update(self, group, param, grad, state):
                if state.lookup('count') is None:
                    state.insert('count', Lt.zeros(1))
                state.lookup('count').add_(1)
                param.sub_(grad.sign() * self.get_option(group, 'lr'))
                return True

        w = lt_tensor(np.array([1.0, -2.0, 3.0], dtype='float32'), requires_grad=True)
        opt = SignSGD([w], lr=0.5)
        self.assertEqual(opt.param_groups[0]['flag'], False)
        w.grad = lt_tensor(np.array([0.3, -0.1, 0.0], dtype='float32'))
        opt.step()
        opt.step()
        np.testing.assert_array_equal(np_of(w), [0.0, -1.0, 3.0])
        self.assertEqual(np_of(opt.state[w]['count']).tolist(), [2.0])

    def test_scheduler_do_compute_lr(self):
        class Inverse(Lt.LRScheduler):
            def do_compute_lr(self, group):
                return self.get_base_lr(group) / (1 + self.get_last_epoch())

        w = lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True)
        opt = Lt.optim.SGD([w], lr=0.3)
        s = Inverse(optimizer=opt)
        for e in range(4):
            self.assertEqual(s.get_last_epoch(), e)
            self.assertAlmostEqual(opt.param_groups[0]['lr'], 0.3 / (1 + e), delta=1e-15)
            s.step()

    def test_scheduler_rate_not_finite(self):
        class Blowup(Lt.LRScheduler):
            first = float('nan')

            def do_compute_lr(self, group):
                e = self.get_last_epoch()
                return self.first if e == 0 else (0.5 if e == 1 else float('inf'))

        w = lt_tensor(np.zeros(2, dtype='float32'), requires_grad=True)
        opt = Lt.optim.SGD([w], lr=0.3)
        # the first step, at construction, fails: epoch -1 until a step works
        s = Blowup(optimizer=opt)
        self.assertEqual(s.get_last_epoch(), -1)
        with self.assertRaises(GLib.Error) as cm:
            s.step()
        self.assertIn('at epoch 0 the learning rate of group 0 would be nan', cm.exception.message)
        Blowup.first = 0.3
        s.step()
        s.step()
        self.assertEqual((s.get_last_epoch(), opt.param_groups[0]['lr']), (1, 0.5))
        with self.assertRaises(GLib.Error) as cm:
            s.step()
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INVALID_ARGUMENT))
        self.assertEqual((s.get_last_epoch(), opt.param_groups[0]['lr']), (1, 0.5))
        # and through the torch-style wrapper
        sched = Lt.optim.lr_scheduler.StepLR(opt, 1, gamma=1e308)
        sched.step()
        with self.assertRaises(GLib.Error):
            sched.step()
        self.assertEqual(sched.last_epoch, 1)


def both(fn_l, fn_t, arrays, grads_of, ga=None):
    """Runs a loss in both libraries: values and gradients of the arrays
    whose indices are in grads_of (backward of a random weighting)."""
    lt_in = [lt_tensor(a, requires_grad=i in grads_of) if a is not None and a.dtype.kind == 'f'
             else (lt_tensor(a) if a is not None else None) for i, a in enumerate(arrays)]
    th_in = [torch.tensor(a, requires_grad=i in grads_of) if a is not None and a.dtype.kind == 'f'
             else (torch.tensor(a) if a is not None else None) for i, a in enumerate(arrays)]
    yl, yt = fn_l(*lt_in), fn_t(*th_in)
    if ga is None:
        ga = rng.standard_normal(tuple(yt.shape)).astype(arrays[0].dtype)
    yl.backward(lt_tensor(ga))
    yt.backward(torch.tensor(ga))
    grads = [(np_of(lt_in[i].grad), np_of(th_in[i].grad)) for i in grads_of]
    return (np_of(yl), np_of(yt)), grads


class LossReference(unittest.TestCase):

    def check(self, fn_l, fn_t, arrays, grads_of=(0,), rtol=1e-5, atol=1e-5):
        (vl, vt), grads = both(fn_l, fn_t, arrays, grads_of)
        self.assertEqual(vl.shape, vt.shape)
        np.testing.assert_allclose(vl, vt, rtol=rtol, atol=atol)
        for gl, gt in grads:
            np.testing.assert_allclose(gl, gt, rtol=rtol, atol=atol)

    def test_cross_entropy(self):
        cases = [((8, 5), 1.0), ((8, 5), 30.0), ((8, 5), 1e4), ((4, 3, 2, 3), 2.0), ((2, 4, 5), 1.0),
                 ((6,), 3.0)]
        for shape, scale in cases:
            c = shape[0] if len(shape) == 1 else shape[1]
            tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
            for name, red in REDUCTIONS:
                for weighted in (False, True):
                    for ignore in (-100, 1):
                        for ls in (0.0, 0.1, 0.7):
                            x = (rng.standard_normal(shape) * scale).astype('float32')
                            t = rng.integers(0, c, tshape).astype('int64')
                            if t.ndim and ignore != -100:
                                t.flat[::3] = ignore
                            w = rng.uniform(0.2, 2, c).astype('float32') if weighted else None
                            with self.subTest(shape=shape, scale=scale, red=name, w=weighted,
                                              ignore=ignore, ls=ls):
                                self.check(
                                    lambda a, b, ww: Lt.cross_entropy(a, b, ww, ignore, red, ls),
                                    lambda a, b, ww: F.cross_entropy(a, b, weight=ww,
                                                                     ignore_index=ignore,
                                                                     reduction=name,
                                                                     label_smoothing=ls),
                                    [x, t, w], rtol=2e-5, atol=2e-5 * max(scale, 1) * 1e-2)

    def test_cross_entropy_probabilities(self):
        for shape in ((6, 4), (3, 5, 2)):
            for name, red in REDUCTIONS:
                for ls in (0.0, 0.2):
                    x = (rng.standard_normal(shape) * 5).astype('float32')
                    p = rng.random(shape).astype('float32')
                    p /= p.sum(axis=1, keepdims=True)
                    w = rng.uniform(0.5, 2, shape[1]).astype('float32')
                    with self.subTest(shape=shape, red=name, ls=ls):
                        self.check(lambda a, b, ww: Lt.cross_entropy(a, b, ww, -100, red, ls),
                                   lambda a, b, ww: F.cross_entropy(a, b, weight=ww,
                                                                    reduction=name,
                                                                    label_smoothing=ls),
                                   [x, p, w], grads_of=(0, 1))

    def test_nll_loss(self):
        for shape in ((7, 4), (3, 4, 2, 2), (2, 3, 5), (4,)):
            c = shape[0] if len(shape) == 1 else shape[1]
            tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
            for name, red in REDUCTIONS:
                x = np.log(rng.random(shape) + 0.01).astype('float32')
                t = rng.integers(0, c, tshape).astype('int64')
                if t.ndim:
                    t.flat[1::4] = -100
                w = rng.uniform(0.2, 2, c).astype('float32')
                with self.subTest(shape=shape, red=name):
                    self.check(lambda a, b, ww: Lt.nll_loss(a, b, ww, -100, red),
                               lambda a, b, ww: F.nll_loss(a, b, weight=ww, reduction=name),
                               [x, t, w])

    def test_bce_with_logits(self):
        for shape in ((5, 4), (2, 3, 4)):
            for name, red in REDUCTIONS:
                for scale in (1.0, 50.0, 1e4):
                    x = (rng.standard_normal(shape) * scale).astype('float32')
                    t = rng.random(shape).astype('float32')
                    w = rng.uniform(0.2, 2, shape[-1]).astype('float32')
                    pw = rng.uniform(0.5, 3, shape[-1]).astype('float32')
                    with self.subTest(shape=shape, red=name, scale=scale):
                        self.check(
                            lambda a, b, ww, pp: Lt.binary_cross_entropy_with_logits(a, b, ww, pp,
                                                                                     red),
                            lambda a, b, ww, pp: F.binary_cross_entropy_with_logits(
                                a, b, weight=ww, pos_weight=pp, reduction=name),
                            [x, t, w, pw], grads_of=(0, 1), rtol=2e-5, atol=1e-5 * scale)
                        self.check(
                            lambda a, b: Lt.binary_cross_entropy_with_logits(a, b, None, None,
                                                                             red),
                            lambda a, b: F.binary_cross_entropy_with_logits(a, b,
                                                                            reduction=name),
                            [x, t], grads_of=(0, 1), rtol=2e-5, atol=1e-5 * scale)

    def test_mse_and_l1(self):
        for fl, ft in ((Lt.mse_loss, F.mse_loss), (Lt.l1_loss, F.l1_loss)):
            for name, red in REDUCTIONS:
                for xs, ts in (((4, 6), (4, 6)), ((1, 10), (10,)), ((3, 1, 5), (4, 5))):
                    x = rng.standard_normal(xs).astype('float32')
                    t = rng.standard_normal(ts).astype('float32')
                    with self.subTest(fn=ft.__name__, red=name, shapes=(xs, ts)):
                        self.check(lambda a, b: fl(a, b, red),
                                   lambda a, b: ft(a, b, reduction=name), [x, t],
                                   grads_of=(0, 1))

    def test_leaky_relu(self):
        for slope in (0.01, 0.2, -0.5):
            x = rng.standard_normal((4, 5)).astype('float32')
            self.check(lambda a: Lt.leaky_relu(a, slope), lambda a: F.leaky_relu(a, slope), [x])

    def test_loss_modules(self):
        x = rng.standard_normal((4, 5)).astype('float32')
        t = rng.integers(0, 5, 4).astype('int64')
        w = rng.uniform(0.5, 2, 5).astype('float32')
        ours = Lt.CrossEntropyLoss.new(lt_tensor(w), 2, Lt.Reduction.SUM, 0.1)
        theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), ignore_index=2,
                                           reduction='sum', label_smoothing=0.1)
        self.assertEqual(ours.to_string(), repr(theirs))
        vl = np_of(ours.compute(lt_tensor(x), lt_tensor(t)))
        vt = np_of(theirs(torch.tensor(x), torch.tensor(t)))
        np.testing.assert_allclose(vl, vt, rtol=1e-5)
        self.assertEqual(Lt.MSELoss.new(Lt.Reduction.MEAN).to_string(), repr(torch.nn.MSELoss()))
        sd = ours.state_dict()
        names = (list(sd.keys()) if hasattr(sd, 'keys')
                 else [sd.get_name(i) for i in range(sd.get_n_tensors())])
        self.assertEqual(names, list(theirs.state_dict().keys()))

    def test_tutorial_mse(self):
        """MSELoss of a (1, 10) output against arange(1, 11): torch's value;
        our backward works for the integer target."""
        out = rng.standard_normal((1, 10)).astype('float32')
        target = np.arange(1, 11)
        o_l = lt_tensor(out, requires_grad=True)
        o_t = torch.tensor(out, requires_grad=True)
        loss_l = Lt.MSELoss.new(Lt.Reduction.MEAN).compute(o_l, lt_tensor(target))
        loss_t = torch.nn.MSELoss()(o_t, torch.arange(1, 11))
        np.testing.assert_allclose(np_of(loss_l), np_of(loss_t), rtol=1e-6)
        loss_l.backward()
        loss_t2 = torch.nn.MSELoss()(o_t, torch.arange(1, 11).float())
        loss_t2.backward()
        np.testing.assert_allclose(np_of(o_l.grad), np_of(o_t.grad), rtol=1e-6)


if __name__ == '__main__':
    main(verbosity=1)
