#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The recurrent layers side by side with PyTorch 1.13 (/usr/bin/python3's
torch): RNN (tanh, relu), LSTM (with a projection) and GRU over every
combination of num_layers, bias, batch_first and bidirectional, batched
and unbatched, with and without initial states, and their cells: a
torch state_dict loaded into Lt gives the same outputs, final states and
gradients (input, states, every parameter); parameter names, shapes,
initialisation range and printed forms; dropout between layers; errors;
nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence) and the layers over packed sequences."""

import atexit
import collections
import itertools
import math
import unittest
import warnings

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')
trnn = require('torch.nn.utils.rnn', 'python3-torch')

nn = Lt.nn

# The number of comparisons with PyTorch made, printed at the end
COMPARED = collections.Counter()


def to_np(t):
    return np.array(t.detach().numpy(), copy=True)


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


def load(ours, theirs):
    sd = collections.OrderedDict((k, to_lt(v)) for k, v in theirs.state_dict().items())
    result = ours.load_state_dict(sd)
    assert not result.missing_keys and not result.unexpected_keys, result


class Case(unittest.TestCase):
    def close(self, ours, theirs, what, tol):
        COMPARED[type(self).__name__] += 1
        a = to_np(ours)
        b = theirs.detach().numpy()
        self.assertEqual(a.shape, b.shape, what)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


def make_pair(kind, dtype, **kw):
    """The same layer in Lt and torch, Lt's loaded from torch's state_dict."""
    if kind in ('RNN_TANH', 'RNN_RELU'):
        kw['nonlinearity'] = 'tanh' if kind == 'RNN_TANH' else 'relu'
        kind = 'RNN'
    theirs = getattr(tnn, kind)(**kw)
    ours = getattr(nn, kind)(**kw)
    if dtype == 'float64':
        theirs = theirs.double()
        ours = ours.double()
    load(ours, theirs)
    return ours, theirs


class TestLayers(Case):
    def run_case(self, kind, num_layers, bias, batch_first, bidirectional, with_h0, batched,
                 proj_size=0, dtype='float32'):
        torch.manual_seed(1)
        I, H, T, N = 3, 4, 5, 2
        kw = dict(input_size=I, hidden_size=H, num_layers=num_layers, bias=bias,
                  batch_first=batch_first, bidirectional=bidirectional)
        if proj_size:
            kw['proj_size'] = proj_size
        ours, theirs = make_pair(kind, dtype, **kw)
        tdt = torch.float64 if dtype == 'float64' else torch.float32
        D = 2 if bidirectional else 1
        Hout = proj_size or H
        if batched:
            shape = (N, T, I) if batch_first else (T, N, I)
            hshape, cshape = (num_layers * D, N, Hout), (num_layers * D, N, H)
        else:
            shape, hshape, cshape = (T, I), (num_layers * D, Hout), (num_layers * D, H)
        x_t = torch.randn(*shape, dtype=tdt, requires_grad=True)
        x = Lt.tensor(x_t.detach().numpy()).requires_grad_(True)
        args_t, args = [x_t], [x]
        states_t = states = []
        if with_h0:
            states_t = [torch.randn(*hshape, dtype=tdt, requires_grad=True)]
            if kind == 'LSTM':
                states_t.append(torch.randn(*cshape, dtype=tdt, requires_grad=True))
            states = [Lt.tensor(s.detach().numpy()).requires_grad_(True) for s in states_t]
            if kind == 'LSTM':
                args_t.append(tuple(states_t))
                args.append(tuple(states))
            else:
                args_t.append(states_t[0])
                args.append(states[0])
        out_t, hn_t = theirs(*args_t)
        out, hn = ours(*args)
        tol = 1e-10 if dtype == 'float64' else 2e-5
        what = '%s %r' % (kind, kw)
        self.close(out, out_t, what + ' output', tol)
        if kind == 'LSTM':
            self.assertIsInstance(hn, tuple)
            self.close(hn[0], hn_t[0], what + ' h_n', tol)
            self.close(hn[1], hn_t[1], what + ' c_n', tol)
            finals_t, finals = list(hn_t), list(hn)
        else:
            self.close(hn, hn_t, what + ' h_n', tol)
            finals_t, finals = [hn_t], [hn]
        # a loss that weighs every output and final state differently
        loss_t = (out_t * torch.linspace(-1, 1, out_t.numel(), dtype=tdt).view(out_t.shape)).sum()
        loss = (out * Lt.tensor(np.linspace(-1, 1, out_t.numel()).reshape(out_t.shape)
                                .astype(np.float64 if dtype == 'float64' else np.float32))).sum()
        for f_t, f in zip(finals_t, finals):
            loss_t = loss_t + (f_t * f_t).sum()
            loss = loss + (f * f).sum()
        loss_t.backward()
        loss.backward()
        gtol = 1e-9 if dtype == 'float64' else 1e-4
        self.close(x.grad, x_t.grad, what + ' input grad', gtol)
        for s, s_t in zip(states, states_t):
            self.close(s.grad, s_t.grad, what + ' state grad', gtol)
        ours_p = dict(ours.named_parameters())
        for name, p_t in theirs.named_parameters():
            self.close(ours_p[name].grad, p_t.grad, what + ' grad of ' + name, gtol)

    def test_all_options(self):
        for kind in ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'):
            for num_layers, bias, batch_first, bidirectional, with_h0 in itertools.product(
                    (1, 2), (True, False), (False, True), (False, True), (False, True)):
                with self.subTest(kind=kind, num_layers=num_layers, bias=bias,
                                  batch_first=batch_first, bidirectional=bidirectional,
                                  with_h0=with_h0):
                    self.run_case(kind, num_layers, bias, batch_first, bidirectional, with_h0,
                                  True)

    def test_unbatched(self):
        for kind in ('RNN_TANH', 'LSTM', 'GRU'):
            for num_layers, bidirectional, with_h0 in itertools.product((1, 2), (False, True),
                                                                        (False, True)):
                with self.subTest(kind=kind, num_layers=num_layers, bidirectional=bidirectional,
                                  with_h0=with_h0):
                    self.run_case(kind, num_layers, True, False, bidirectional, with_h0, False)

    def test_projection(self):
        for num_layers, bidirectional, with_h0, batch_first in itertools.product(
                (1, 2), (False, True), (False, True), (False, True)):
            with self.subTest(num_layers=num_layers, bidirectional=bidirectional,
                              with_h0=with_h0, batch_first=batch_first):
                self.run_case('LSTM', num_layers, True, batch_first, bidirectional, with_h0,
                              True, proj_size=2)
        self.run_case('LSTM', 2, True, False, True, True, False, proj_size=3)

    def test_float64(self):
        for kind in ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'):
            with self.subTest(kind=kind):
                self.run_case(kind, 2, True, True, True, True, True, dtype='float64')
        self.run_case('LSTM', 2, True, False, True, True, True, proj_size=2, dtype='float64')

    def test_long_sequence(self):
        # enough rows for the fused steps' threads, and a long history
        torch.manual_seed(3)
        for kind in ('LSTM', 'GRU'):
            ours, theirs = make_pair(kind, 'float32', input_size=8, hidden_size=64,
                                     num_layers=1)
            x_t = torch.randn(40, 128, 8)
            out_t, _ = theirs(x_t)
            out, _ = ours(to_lt(x_t))
            self.close(out, out_t, kind + ' long', 1e-4)

    def test_names_shapes_repr(self):
        for kind, kw in (('RNN', dict(num_layers=2, nonlinearity='relu', bidirectional=True)),
                         ('LSTM', dict(num_layers=2, bias=False, batch_first=True,
                                       dropout=0.25, proj_size=3)),
                         ('LSTM', dict(bidirectional=True, proj_size=2)),
                         ('GRU', dict(num_layers=3, dropout=0.5, bidirectional=True)),
                         ('GRU', dict())):
            with self.subTest(kind=kind, kw=kw):
                theirs = getattr(tnn, kind)(5, 4, **kw)
                ours = getattr(nn, kind)(5, 4, **kw)
                COMPARED['names'] += 1
                self.assertEqual([(n, tuple(p.shape)) for n, p in ours.named_parameters()],
                                 [(n, tuple(p.shape)) for n, p in theirs.named_parameters()])
                self.assertEqual(list(ours.state_dict().keys()),
                                 list(theirs.state_dict().keys()))
                self.assertEqual(repr(ours), repr(theirs))
                for attr in ('input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first',
                             'dropout', 'bidirectional', 'proj_size', 'mode'):
                    self.assertEqual(getattr(ours, attr), getattr(theirs, attr), attr)
                self.assertEqual(ours._flat_weights_names, theirs._flat_weights_names)
                self.assertEqual([[tuple(w.shape) for w in ws] for ws in ours.all_weights],
                                 [[tuple(w.shape) for w in ws] for ws in theirs.all_weights])
        self.assertEqual(nn.RNN(2, 3, 1, 'relu').nonlinearity, 'relu')
        self.assertEqual(repr(nn.RNN(2, 3, nonlinearity='relu')),
                         repr(tnn.RNN(2, 3, nonlinearity='relu')))

    def test_initialisation(self):
        Lt.manual_seed(0)
        for m in (nn.LSTM(10, 25, 2), nn.GRU(7, 100, bidirectional=True),
                  nn.RNN(3, 16, bias=True)):
            k = 1 / math.sqrt(m.hidden_size)
            for name, p in m.named_parameters():
                v = to_np(p)
                self.assertTrue(p.requires_grad)
                self.assertLessEqual(abs(v).max(), k, name)
                # uniform: the standard deviation of U(-k, k) is k / sqrt(3)
                if v.size >= 400:
                    self.assertAlmostEqual(v.std() / (k / math.sqrt(3)), 1, delta=0.15)
                    self.assertGreater(abs(v).max(), 0.9 * k)

    def test_dropout(self):
        torch.manual_seed(2)
        ours, theirs = make_pair('LSTM', 'float32', input_size=3, hidden_size=8, num_layers=3,
                                 dropout=0.5)
        x_t = torch.randn(6, 4, 3)
        x = to_lt(x_t)
        ours.eval()
        theirs.eval()
        self.close(ours(x)[0], theirs(x_t)[0], 'eval with dropout', 2e-5)
        ours.train()
        a = to_np(ours(x)[0])
        b = to_np(ours(x)[0])
        ev = to_np(ours.eval()(x)[0])
        self.assertFalse(np.allclose(a, ev))
        self.assertFalse(np.allclose(a, b))
        # the last layer has no dropout: no output is zeroed by it
        self.assertEqual(int((a == 0).sum()), 0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            nn.GRU(2, 3, dropout=0.2)
        self.assertTrue(any('dropout' in str(x.message) for x in w))

    def test_errors(self):
        lstm = nn.LSTM(3, 4, 2)
        tl = tnn.LSTM(3, 4, 2)
        x = Lt.randn(5, 2, 3)
        for ours, theirs in (
                (lambda: lstm(Lt.randn(5, 2, 7)), lambda: tl(torch.randn(5, 2, 7))),
                (lambda: lstm(x, (Lt.zeros(1, 2, 4), Lt.zeros(2, 2, 4))),
                 lambda: tl(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4),
                                                   torch.zeros(2, 2, 4)))),
                (lambda: lstm(x, (Lt.zeros(2, 2, 4), Lt.zeros(2, 3, 4))),
                 lambda: tl(torch.randn(5, 2, 3), (torch.zeros(2, 2, 4),
                                                   torch.zeros(2, 3, 4)))),
                (lambda: nn.GRU(3, 4)(x, Lt.zeros(1, 2, 5)),
                 lambda: tnn.GRU(3, 4)(torch.randn(5, 2, 3), torch.zeros(1, 2, 5))),
                (lambda: nn.LSTMCell(3, 4)(Lt.randn(2, 5)),
                 lambda: tnn.LSTMCell(3, 4)(torch.randn(2, 5))),
        ):
            COMPARED['errors'] += 1
            with self.assertRaises(RuntimeError) as cm_t:
                theirs()
            with self.assertRaises(RuntimeError) as cm:
                ours()
            self.assertIsInstance(cm.exception, GLib.Error)
        for ours, theirs in ((lambda: nn.LSTM(3, 4, dropout=1.5),
                              lambda: tnn.LSTM(3, 4, dropout=1.5)),
                             (lambda: nn.RNN(3, 4, nonlinearity='sigmoid'),
                              lambda: tnn.RNN(3, 4, nonlinearity='sigmoid')),
                             (lambda: nn.LSTM(3, 4, proj_size=4),
                              lambda: tnn.LSTM(3, 4, proj_size=4)),
                             ):
            COMPARED['errors'] += 1
            self.assertRaises(ValueError, theirs)
            self.assertRaises(ValueError, ours)
        with self.assertRaises(GLib.Error):
            nn.LSTM(3, 4).double()(x)       # float32 input, float64 parameters
        # PyTorch takes an unknown nonlinearity and fails at the first step
        with self.assertRaises(RuntimeError):
            tnn.RNNCell(3, 4, nonlinearity='gelu')(torch.randn(2, 3))
        self.assertRaises(ValueError, nn.RNNCell, 3, 4, nonlinearity='gelu')
        with self.assertRaises(RuntimeError):
            tnn.LSTM(3, 4)(torch.randn(0, 2, 3))
        with self.assertRaises(RuntimeError):
            nn.LSTM(3, 4)(Lt.randn(0, 2, 3))


class TestCells(Case):
    def run_cell(self, kind, bias, batched, with_h, dtype='float32'):
        torch.manual_seed(4)
        kw = dict(input_size=3, hidden_size=5, bias=bias)
        if kind in ('RNN_TANH', 'RNN_RELU'):
            kw['nonlinearity'] = 'tanh' if kind == 'RNN_TANH' else 'relu'
            name = 'RNNCell'
        else:
            name = kind + 'Cell'
        theirs = getattr(tnn, name)(**kw)
        ours = getattr(nn, name)(**kw)
        if dtype == 'float64':
            theirs, ours = theirs.double(), ours.double()
        load(ours, theirs)
        tdt = torch.float64 if dtype == 'float64' else torch.float32
        N = 4
        x_t = torch.randn(*((N, 3) if batched else (3,)), dtype=tdt, requires_grad=True)
        x = to_lt(x_t).requires_grad_(True)
        hs = (N, 5) if batched else (5,)
        states_t = []
        if with_h:
            states_t = [torch.randn(*hs, dtype=tdt, requires_grad=True)]
            if kind == 'LSTM':
                states_t.append(torch.randn(*hs, dtype=tdt, requires_grad=True))
        states = [to_lt(s).requires_grad_(True) for s in states_t]
        if kind == 'LSTM':
            out_t = theirs(x_t, tuple(states_t) if with_h else None)
            out = ours(x, tuple(states) if with_h else None)
            self.assertIsInstance(out, tuple)
        else:
            out_t = (theirs(x_t, states_t[0] if with_h else None),)
            out = (ours(x, states[0] if with_h else None),)
        tol = 1e-10 if dtype == 'float64' else 2e-5
        what = '%s %r batched=%s' % (name, kw, batched)
        loss_t = 0
        loss = 0
        for i, (o, o_t) in enumerate(zip(out, out_t)):
            self.close(o, o_t, what + ' output %d' % i, tol)
            loss_t = loss_t + (o_t * o_t).sum() * (i + 1)
            loss = loss + (o * o).sum() * (i + 1)
        loss_t.backward()
        loss.backward()
        self.close(x.grad, x_t.grad, what + ' input grad', 10 * tol)
        for s, s_t in zip(states, states_t):
            self.close(s.grad, s_t.grad, what + ' state grad', 10 * tol)
        ours_p = dict(ours.named_parameters())
        for pname, p_t in theirs.named_parameters():
            self.close(ours_p[pname].grad, p_t.grad, what + ' grad of ' + pname, 10 * tol)

    def test_cells(self):
        for kind in ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'):
            for bias, batched, with_h in itertools.product((True, False), (True, False),
                                                           (True, False)):
                with self.subTest(kind=kind, bias=bias, batched=batched, with_h=with_h):
                    self.run_cell(kind, bias, batched, with_h)
            with self.subTest(kind=kind, dtype='float64'):
                self.run_cell(kind, True, True, True, dtype='float64')

    def test_names_repr(self):
        for name, kw in (('RNNCell', dict(nonlinearity='relu')), ('RNNCell', dict(bias=False)),
                         ('LSTMCell', dict()), ('GRUCell', dict(bias=False))):
            theirs = getattr(tnn, name)(5, 4, **kw)
            ours = getattr(nn, name)(5, 4, **kw)
            COMPARED['names'] += 1
            self.assertEqual([(n, tuple(p.shape)) for n, p in ours.named_parameters()],
                             [(n, tuple(p.shape)) for n, p in theirs.named_parameters()])
            self.assertEqual(repr(ours), repr(theirs))
            for attr in ('input_size', 'hidden_size', 'bias'):
                self.assertEqual(getattr(ours, attr), getattr(theirs, attr))

    def test_sequence_of_cells(self):
        # an LSTMCell stepped by hand gives the LSTM layer's outputs
        torch.manual_seed(5)
        layer = tnn.LSTM(3, 4)
        cell = nn.LSTMCell(3, 4)
        cell.load_state_dict({k[:-3]: to_lt(v) for k, v in layer.state_dict().items()})
        x_t = torch.randn(6, 2, 3)
        out_t, _ = layer(x_t)
        h = c = Lt.zeros(2, 4)
        for t in range(6):
            h, c = cell(to_lt(x_t[t]), (h, c))
            self.close(h, out_t[t], 'step %d' % t, 2e-5)


class TestPacked(Case):
    def seqs(self):
        torch.manual_seed(6)
        lengths = [3, 5, 2, 5]
        s_t = [torch.randn(n, 3) for n in lengths]
        return s_t, [to_lt(s) for s in s_t], lengths

    def test_pad_sequence(self):
        s_t, s, _ = self.seqs()
        for batch_first in (False, True):
            self.close(nn.utils.rnn.pad_sequence(s, batch_first=batch_first, padding_value=-1),
                       trnn.pad_sequence(s_t, batch_first=batch_first, padding_value=-1),
                       'pad_sequence', 0)
        self.close(nn.utils.rnn.pad_sequence(s, batch_first=True),
                   trnn.pad_sequence(s_t, batch_first=True), 'pad_sequence', 0)

    def test_pack_and_pad(self):
        s_t, s, lengths = self.seqs()
        for batch_first in (False, True):
            padded_t = trnn.pad_sequence(s_t, batch_first=batch_first)
            padded = nn.utils.rnn.pad_sequence(s, batch_first=batch_first)
            p_t = trnn.pack_padded_sequence(padded_t, lengths, batch_first=batch_first,
                                            enforce_sorted=False)
            p = nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=batch_first,
                                                  enforce_sorted=False)
            self.close(p.data, p_t.data, 'packed data', 0)
            self.close(p.batch_sizes, p_t.batch_sizes, 'batch_sizes', 0)
            self.close(p.sorted_indices, p_t.sorted_indices, 'sorted_indices', 0)
            self.close(p.unsorted_indices, p_t.unsorted_indices, 'unsorted_indices', 0)
            back_t, len_t = trnn.pad_packed_sequence(p_t, batch_first=batch_first,
                                                     total_length=7)
            back, ln = nn.utils.rnn.pad_packed_sequence(p, batch_first=batch_first,
                                                        total_length=7)
            self.close(back, back_t, 'pad_packed_sequence', 0)
            self.close(ln, len_t, 'lengths', 0)
        srt = sorted(s, key=lambda t: -t.shape[0])
        srt_t = sorted(s_t, key=lambda t: -t.shape[0])
        p = nn.utils.rnn.pack_sequence(srt)
        p_t = trnn.pack_sequence(srt_t)
        self.close(p.data, p_t.data, 'pack_sequence', 0)
        self.assertIsNone(p.sorted_indices)
        with self.assertRaises(RuntimeError):
            nn.utils.rnn.pack_sequence(s)       # not sorted

    def test_layers_on_packed(self):
        s_t, s, lengths = self.seqs()
        for kind, bidirectional in (('LSTM', False), ('GRU', True), ('RNN_TANH', False)):
            with self.subTest(kind=kind, bidirectional=bidirectional):
                ours, theirs = make_pair(kind, 'float32', input_size=3, hidden_size=4,
                                         num_layers=2, bidirectional=bidirectional)
                p_t = trnn.pack_sequence(s_t, enforce_sorted=False)
                p = nn.utils.rnn.pack_sequence(s, enforce_sorted=False)
                out_t, h_t = theirs(p_t)
                out, h = ours(p)
                self.assertIsInstance(out, nn.utils.rnn.PackedSequence)
                self.close(out.data, out_t.data, kind + ' packed output', 2e-5)
                self.close(out.batch_sizes, out_t.batch_sizes, 'batch_sizes', 0)
                if kind == 'LSTM':
                    self.close(h[0], h_t[0], 'h_n', 2e-5)
                    self.close(h[1], h_t[1], 'c_n', 2e-5)
                else:
                    self.close(h, h_t, 'h_n', 2e-5)
                padded_t, _ = trnn.pad_packed_sequence(out_t)
                padded, _ = nn.utils.rnn.pad_packed_sequence(out)
                self.close(padded, padded_t, 'padded output', 2e-5)


def _print_count():
    print('comparisons with PyTorch: %d (%s)'
          % (sum(COMPARED.values()), dict(sorted(COMPARED.items()))))


if __name__ == '__main__':
    atexit.register(_print_count)
    main()
