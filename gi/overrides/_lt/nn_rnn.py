# SPDX-License-Identifier: LGPL-2.1-or-later
"""The recurrent layers of ``Lt.nn``: RNN, LSTM, GRU and their cells
RNNCell, LSTMCell, GRUCell (the C layers of libtensor/nn/lt-rnn.c and
lt-rnn-cell.c) with PyTorch's arguments, calls and results, and
``Lt.nn.utils.rnn``: pad_sequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence and PackedSequence.

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
MEMBERS to ``Lt.nn`` and RNN_UTILS to ``Lt.nn.utils.rnn``.
"""

from __future__ import annotations

import collections
import numbers
import operator
import warnings
from typing import Any, Mapping

from .common import Lt as _GILt
from .common import RuntimeError_, Tensor, TypeError_, ValueError_, namespace, override
from .nn import _device_dtype, _module_base


class _LtProxy:
    """The overridden Lt (Lt.tensor, Lt.cat, ...), looked up when used: this
    file is imported while Lt.py is still being imported."""

    def __getattr__(self, name):
        from gi.repository import Lt as lt
        return getattr(lt, name)


Lt = _LtProxy()


def _flag(v, name):
    if not isinstance(v, (bool, numbers.Integral)):
        raise TypeError_('%s must be a bool, not %s' % (name, type(v).__name__))
    return bool(v)


def _dropout(dropout, num_layers):
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or \
            not 0 <= dropout <= 1:
        raise ValueError_('dropout should be a number in range [0, 1] representing the '
                          'probability of an element being zeroed')
    if dropout > 0 and num_layers == 1:
        warnings.warn('dropout option adds dropout after all but last recurrent layer, so '
                      'non-zero dropout expects num_layers greater than 1, but got '
                      'dropout={} and num_layers={}'.format(dropout, num_layers))
    return float(dropout)


class _HookHandle:
    """What a recurrent layer's ``register_forward_*hook`` returns, as
    torch's RemovableHandle: ``remove()``, or a ``with`` block."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _TupleHooks:
    """Forward hooks of the layers called with several arguments and
    returning tuples (the recurrent layers and cells): kept and run here,
    as torch's Module._call_impl, since the C hooks take one tensor. A
    pre-hook gets the arguments as a tuple and may return replacements (a
    tuple, or one value); a forward hook gets them and the output (the
    layer's tuple) and may return a replacement output."""

    def _hooks(self, kind):
        return self.__dict__.setdefault(kind, collections.OrderedDict())

    def register_forward_pre_hook(self, hook: Any) -> _HookHandle:
        hooks = self._hooks('_tuple_pre_hooks')
        handle = _HookHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Any) -> _HookHandle:
        hooks = self._hooks('_tuple_forward_hooks')
        handle = _HookHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _call_hooked(self, args):
        for hook in list(self._hooks('_tuple_pre_hooks').values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args)
        for hook in list(self._hooks('_tuple_forward_hooks').values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def __call__(self, input: Any, *args: Any, **kwargs: Any) -> Any:
        if 'hx' in kwargs:
            args = args + (kwargs.pop('hx'),)
        if kwargs:
            raise TypeError_('%s() got an unexpected keyword argument %r'
                             % (type(self).__name__, next(iter(kwargs))))
        return self._call_hooked((input,) + args)


class _RNNCommon(_TupleHooks):
    """What RNN, LSTM and GRU share in Python: PyTorch's call, its
    attributes and packed sequences."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    input_size = property(lambda self: self.get_input_size())
    hidden_size = property(lambda self: self.get_hidden_size())
    num_layers = property(lambda self: self.get_num_layers())
    bias = property(lambda self: self.get_bias())
    batch_first = property(lambda self: self.get_batch_first())
    dropout = property(lambda self: self.get_dropout())
    bidirectional = property(lambda self: self.get_bidirectional())
    proj_size = property(lambda self: self.get_proj_size())
    mode = property(lambda self: self.get_mode())

    @property
    def _flat_weights_names(self):
        return list(self.get_parameter_names())

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        names = self._flat_weights_names
        per = len(names) // (self.num_layers * (2 if self.bidirectional else 1))
        return [[getattr(self, n) for n in names[i:i + per]]
                for i in range(0, len(names), per)]

    def flatten_parameters(self) -> None:
        """Does nothing: the parameters need no flattening here (as PyTorch
        on the CPU)."""

    def _states(self, hx):
        if self.mode == 'LSTM':
            if hx is None:
                return None, None
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError_('LSTM: hx must be a tuple (h_0, c_0), not %s'
                                 % type(hx).__name__)
            return hx[0], hx[1]
        if isinstance(hx, (tuple, list)):
            raise TypeError_('%s: hx must be a tensor, not %s'
                             % (type(self).__name__, type(hx).__name__))
        return hx, None

    def forward(self, input: Any, hx: Any = None) -> Any:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        h0, c0 = self._states(hx)
        out, h_n, c_n = Lt.RNNBase.forward_full(self, input, h0, c0)
        if self.mode == 'LSTM':
            return out, (h_n, c_n)
        return out, h_n

    def _forward_packed(self, packed, hx):
        """A PackedSequence: each sequence runs alone, unpadded, and the
        outputs are packed again in the input's order; the states are in
        the caller's order, as PyTorch's."""
        padded, lengths = pad_packed_sequence(packed, batch_first=False)
        h0, c0 = self._states(hx)
        outs, hs, cs = [], [], []
        for b, n in enumerate(lengths.tolist()):
            x = padded[:n, b:b + 1]
            hb = None if h0 is None else h0[:, b:b + 1]
            cb = None if c0 is None else c0[:, b:b + 1]
            if self.batch_first:
                x = x.transpose(0, 1)
            out, h_n, c_n = Lt.RNNBase.forward_full(self, x, hb, cb)
            if self.batch_first:
                out = out.transpose(0, 1)
            outs.append(out[:, 0])
            hs.append(h_n)
            cs.append(c_n)
        if packed.sorted_indices is not None:
            outs = [outs[i] for i in packed.sorted_indices.tolist()]
        out = pack_sequence(outs, enforce_sorted=True)
        out = PackedSequence(out.data, packed.batch_sizes, packed.sorted_indices,
                             packed.unsorted_indices)
        h_n = Lt.cat(hs, 1)
        if self.mode == 'LSTM':
            return out, (h_n, Lt.cat(cs, 1))
        return out, h_n


def _layer_args(name, args, kwargs, names, defaults):
    if len(args) > len(names):
        raise TypeError_('%s takes at most %d positional arguments (%d given)'
                         % (name, len(names), len(args)))
    values = dict(defaults)
    for n, v in zip(names, args):
        values[n] = v
    for k, v in kwargs.items():
        if k not in values and k not in names:
            raise TypeError_("%s got an unexpected keyword argument '%s'" % (name, k))
        if k in names[:len(args)]:
            raise TypeError_("%s got multiple values for argument '%s'" % (name, k))
        values[k] = v
    for n in names:
        if n not in values:
            raise TypeError_("%s missing required argument '%s'" % (name, n))
    return values


_COMMON_DEFAULTS = {'num_layers': 1, 'bias': True, 'batch_first': False, 'dropout': 0.0,
                    'bidirectional': False, 'device': None, 'dtype': None}


@override
class RNN(_RNNCommon, _module_base(_GILt.RNN)):
    """``nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False)``;
    ``rnn(input, h_0=None)`` gives ``(output, h_n)``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        v = _layer_args('RNN', args, kwargs,
                        ['input_size', 'hidden_size', 'num_layers', 'nonlinearity', 'bias',
                         'batch_first', 'dropout', 'bidirectional', 'device', 'dtype'],
                        dict(_COMMON_DEFAULTS, nonlinearity='tanh'))
        if v['nonlinearity'] not in ('tanh', 'relu'):
            raise ValueError_("Unknown nonlinearity '{}'".format(v['nonlinearity']))
        num_layers = operator.index(v['num_layers'])
        m = Lt.RNN.new(operator.index(v['input_size']), operator.index(v['hidden_size']),
                       num_layers, v['nonlinearity'], _flag(v['bias'], 'bias'),
                       _flag(v['batch_first'], 'batch_first'),
                       _dropout(v['dropout'], num_layers),
                       _flag(v['bidirectional'], 'bidirectional'))
        return _device_dtype(m, v['device'], v['dtype'])

    nonlinearity = property(lambda self: 'relu' if self.get_mode() == 'RNN_RELU' else 'tanh')


@override
class LSTM(_RNNCommon, _module_base(_GILt.LSTM)):
    """``nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, proj_size=0)``;
    ``lstm(input, (h_0, c_0)=None)`` gives ``(output, (h_n, c_n))``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        v = _layer_args('LSTM', args, kwargs,
                        ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first',
                         'dropout', 'bidirectional', 'proj_size', 'device', 'dtype'],
                        dict(_COMMON_DEFAULTS, proj_size=0))
        num_layers = operator.index(v['num_layers'])
        proj = operator.index(v['proj_size'])
        hidden = operator.index(v['hidden_size'])
        if proj < 0:
            raise ValueError_('proj_size should be a positive integer or zero to disable '
                              'projections')
        if proj >= hidden:
            raise ValueError_('proj_size has to be smaller than hidden_size')
        m = Lt.LSTM.new(operator.index(v['input_size']), hidden, num_layers,
                        _flag(v['bias'], 'bias'), _flag(v['batch_first'], 'batch_first'),
                        _dropout(v['dropout'], num_layers),
                        _flag(v['bidirectional'], 'bidirectional'), proj)
        return _device_dtype(m, v['device'], v['dtype'])


@override
class GRU(_RNNCommon, _module_base(_GILt.GRU)):
    """``nn.GRU(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; ``gru(input,
    h_0=None)`` gives ``(output, h_n)``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        v = _layer_args('GRU', args, kwargs,
                        ['input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first',
                         'dropout', 'bidirectional', 'device', 'dtype'],
                        dict(_COMMON_DEFAULTS))
        num_layers = operator.index(v['num_layers'])
        m = Lt.GRU.new(operator.index(v['input_size']), operator.index(v['hidden_size']),
                       num_layers, _flag(v['bias'], 'bias'),
                       _flag(v['batch_first'], 'batch_first'),
                       _dropout(v['dropout'], num_layers),
                       _flag(v['bidirectional'], 'bidirectional'))
        return _device_dtype(m, v['device'], v['dtype'])


class _CellCommon(_TupleHooks):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    input_size = property(lambda self: self.get_input_size())
    hidden_size = property(lambda self: self.get_hidden_size())
    bias = property(lambda self: self.get_bias())

    def forward(self, input: Any, hx: Any = None) -> Any:
        if self.get_mode() == 'LSTM':
            if hx is None:
                h0 = c0 = None
            elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError_('LSTMCell: hx must be a tuple (h_0, c_0), not %s'
                                 % type(hx).__name__)
            else:
                h0, c0 = hx
            h, c = Lt.RNNCellBase.forward_full(self, input, h0, c0)
            return h, c
        if isinstance(hx, (tuple, list)):
            raise TypeError_('%s: hx must be a tensor, not %s'
                             % (type(self).__name__, type(hx).__name__))
        h, _ = Lt.RNNCellBase.forward_full(self, input, hx, None)
        return h


@override
class RNNCell(_CellCommon, _module_base(_GILt.RNNCell)):
    """``nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')``;
    ``cell(input, hx=None)`` gives h'."""

    def __new__(cls, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None,
                dtype=None):
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError_("Unknown nonlinearity: {}".format(nonlinearity))
        m = Lt.RNNCell.new(operator.index(input_size), operator.index(hidden_size),
                           _flag(bias, 'bias'), nonlinearity)
        return _device_dtype(m, device, dtype)

    nonlinearity = property(lambda self: 'relu' if self.get_mode() == 'RNN_RELU' else 'tanh')


@override
class LSTMCell(_CellCommon, _module_base(_GILt.LSTMCell)):
    """``nn.LSTMCell(input_size, hidden_size, bias=True)``; ``cell(input,
    (h_0, c_0)=None)`` gives ``(h', c')``."""

    def __new__(cls, input_size, hidden_size, bias=True, device=None, dtype=None):
        m = Lt.LSTMCell.new(operator.index(input_size), operator.index(hidden_size),
                            _flag(bias, 'bias'))
        return _device_dtype(m, device, dtype)


@override
class GRUCell(_CellCommon, _module_base(_GILt.GRUCell)):
    """``nn.GRUCell(input_size, hidden_size, bias=True)``; ``cell(input,
    hx=None)`` gives h'."""

    def __new__(cls, input_size, hidden_size, bias=True, device=None, dtype=None):
        m = Lt.GRUCell.new(operator.index(input_size), operator.index(hidden_size),
                           _flag(bias, 'bias'))
        return _device_dtype(m, device, dtype)


# ---------------------------------------------------------------------------
# nn.utils.rnn, as PyTorch's: a PackedSequence holds the steps of every
# sequence, time step by time step, longest sequences first.

_PackedSequenceBase = collections.namedtuple(
    'PackedSequence', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])


class PackedSequence(_PackedSequenceBase):
    """``nn.utils.rnn.PackedSequence(data, batch_sizes, sorted_indices,
    unsorted_indices)``: data (sum of lengths, *) holds step 0 of every
    sequence, then step 1 of those that have it, ...; batch_sizes (int64,
    on the CPU) how many sequences each step has."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> 'PackedSequence':
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _invert_permutation(p):
    order = [int(v) for v in p.tolist()]
    inv = [0] * len(order)
    for i, k in enumerate(order):
        inv[k] = i
    return Lt.tensor(inv, dtype=Lt.int64)


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise ValueError_('lengths must be a 1-D tensor, not %d-D' % lengths.dim())
        return [int(v) for v in lengths.tolist()]
    return [operator.index(v) for v in lengths]


def pad_sequence(sequences: Any, batch_first: bool = False,
                 padding_value: float = 0.0) -> Tensor:
    """``pad_sequence(sequences, batch_first=False, padding_value=0.0)``:
    tensors (L_i, *) padded to (max L, B, *) (or (B, max L, *))."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError_('received an empty list of sequences')
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError_('The size of tensor a (%s) must match the size of tensor b (%s) '
                               'at non-singleton dimension 1'
                               % (list(trailing), list(s.shape[1:])))
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        n = s.shape[0]
        if n < longest:
            pad = Lt.full((longest - n,) + trailing, float(padding_value), dtype=s.dtype)
            s = Lt.cat([s, pad], 0)
        rows.append(s)
    return Lt.stack(rows, 0 if batch_first else 1)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(input, lengths, batch_first=False,
    enforce_sorted=True)``: the padded batch (T, B, *) (or (B, T, *))
    packed by lengths."""
    lens = _lengths_list(lengths)
    if enforce_sorted:
        if any(lens[i] < lens[i + 1] for i in range(len(lens) - 1)):
            raise RuntimeError_('`lengths` array must be sorted in decreasing order when '
                               '`enforce_sorted` is True. You can pass `enforce_sorted=False` '
                               'to pack_padded_sequence and/or pack_sequence to sidestep this '
                               'requirement if you do not need ONNX exportability.')
        sorted_indices = None
        order = list(range(len(lens)))
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])
        sorted_indices = Lt.tensor(order, dtype=Lt.int64)
    if batch_first:
        input = input.transpose(0, 1)
    if any(n <= 0 for n in lens):
        raise RuntimeError_('Length of all samples has to be greater than 0, but found an '
                           'element in \'lengths\' that is <= 0')
    if lens and max(lens) > input.shape[0]:
        raise RuntimeError_('pack_padded_sequence: a length (%d) is longer than the padded '
                           'sequences (%d)' % (max(lens), input.shape[0]))
    sorted_lens = [lens[i] for i in order]
    batch_sizes = []
    steps = []
    idx = Lt.tensor(order, dtype=Lt.int64)
    for t in range(sorted_lens[0] if sorted_lens else 0):
        b = sum(1 for n in sorted_lens if n > t)
        batch_sizes.append(b)
        steps.append(input[t].index_select(0, idx[:b]))
    data = Lt.cat(steps, 0)
    return PackedSequence(data, Lt.tensor(batch_sizes, dtype=Lt.int64), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """``pad_packed_sequence(sequence, batch_first=False, padding_value=0.0,
    total_length=None)``: the padded batch and the lengths (int64), in the
    order the sequences were packed from."""
    data, batch_sizes = sequence.data, [int(v) for v in sequence.batch_sizes.tolist()]
    T = len(batch_sizes)
    if total_length is not None:
        if total_length < T:
            raise ValueError_('Expected total_length to be at least the length of the longest '
                              'sequence in input, but got total_length=%d and max sequence '
                              'length being %d' % (total_length, T))
    else:
        total_length = T
    B = batch_sizes[0] if batch_sizes else 0
    trailing = tuple(data.shape[1:])
    steps = []
    offset = 0
    for t in range(total_length):
        b = batch_sizes[t] if t < T else 0
        part = data[offset:offset + b]
        offset += b
        if b < B:
            pad = Lt.full((B - b,) + trailing, float(padding_value), dtype=data.dtype)
            part = Lt.cat([part, pad], 0) if b > 0 else pad
        steps.append(part)
    padded = Lt.stack(steps, 0)
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(B)]
    lengths_t = Lt.tensor(lengths, dtype=Lt.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths_t = lengths_t.index_select(0, sequence.unsorted_indices)
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths_t


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """``pack_sequence(sequences, enforce_sorted=True)``: tensors (L_i, *)
    packed."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


MEMBERS: Mapping[str, Any] = {
    'RNN': RNN, 'LSTM': LSTM, 'GRU': GRU, 'RNNCell': RNNCell, 'LSTMCell': LSTMCell,
    'GRUCell': GRUCell, 'RNNBase': _GILt.RNNBase, 'RNNCellBase': _GILt.RNNCellBase,
}

rnn = namespace('Lt.nn.utils.rnn', 'torch.nn.utils.rnn for libtensor: padded and packed '
                'sequences.', {
                    'PackedSequence': PackedSequence, 'pad_sequence': pad_sequence,
                    'pack_padded_sequence': pack_padded_sequence,
                    'pad_packed_sequence': pad_packed_sequence,
                    'pack_sequence': pack_sequence,
                })
