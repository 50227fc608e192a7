# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.save (obj, path)`` and ``Lt.load (path)``.

Saving writes safetensors (lt_state_dict_save()): a dict of tensors by
name as it is; anything else made of tensors, containers (dict,
OrderedDict, list, tuple), numbers, strings, bytes and None (an
optimizer's state_dict(), a checkpoint dict) as its tensors, named by the
path of keys to them, and its structure as JSON in the metadata key
``lt.structure``.

Loading reads those files, and the ``.pt``/``.pth`` files of torch.save
(zip and legacy formats) through lt_torch_load(), the library's reader,
which accepts only what torch.load (weights_only=True) accepts.  Both give
the structure in the same JSON form, which this module turns back into
Python objects: ``{"dict": [[k, v], ...]}`` a dict (an OrderedDict with
``"ordered": true``, as PyTorch's state dicts are), ``{"tuple": [...]}`` a tuple, ``{"tensor": name}``
the tensor, ``{"float": "nan"}`` a non-finite float, ``{"bytes": b64}``
bytes.
"""

from __future__ import annotations

import base64
import collections
import json
import math
import os
from typing import Any

from .common import NotImplementedError_, TypeError_, ValueError_, Lt, Tensor, error, exporter

__all__: list[str] = []
export = exporter(__all__)

STRUCTURE_KEY = 'lt.structure'
_PT_MAGIC = (b'PK\x03\x04', b'\x80\x02')


def _encode(obj: Any, path: str, sd: Any, seen: dict[int, str], depth: int) -> Any:
    """The JSON form of `obj`; its tensors go into `sd` under their path."""
    if depth > 100:
        raise ValueError_('save: containers nested more than 100 deep (or one inside itself)')
    if isinstance(obj, Tensor):
        name = seen.get(id(obj))
        if name is None:
            name = path or 'tensor'
            n = 1
            while sd.lookup(name) is not None:
                name = '%s#%d' % (path or 'tensor', n)
                n += 1
            t = obj.detach()
            if t.get_device() != Lt.Device.CPU:
                t = t.to('cpu')
            sd.insert(name, t)
            seen[id(obj)] = name
        return {'tensor': name}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        if not -2**63 <= obj < 2**63:
            raise ValueError_('save: %s: the integer %d does not fit 64 bits' % (path, obj))
        return int(obj)
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return {'float': 'nan' if math.isnan(obj) else 'inf' if obj > 0 else '-inf'}
    if isinstance(obj, bytes):
        return {'bytes': base64.b64encode(obj).decode('ascii')}

    def sub(key):
        return '%s.%s' % (path, key) if path else str(key)
    if isinstance(obj, list):
        return [_encode(v, sub(i), sd, seen, depth + 1) for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return {'tuple': [_encode(v, sub(i), sd, seen, depth + 1) for i, v in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for i, (k, v) in enumerate(obj.items()):
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError_('save: %s: a dict key of type %s cannot be saved (strings, '
                                'numbers and None can)' % (path or 'the object', type(k).__name__))
            key_path = sub(k if isinstance(k, (str, int)) else i)
            items.append([_encode(k, key_path, sd, seen, depth + 1),
                          _encode(v, key_path, sd, seen, depth + 1)])
        out = {'dict': items}
        if isinstance(obj, collections.OrderedDict):
            out['ordered'] = True
        return out
    raise TypeError_('save: %s is a %s, which Lt.save does not write: it saves tensors, '
                    'containers (dict, OrderedDict, list, tuple), numbers, strings, bytes and '
                    'None (save a model\'s state_dict(), not the model)'
                    % (path or 'the object', type(obj).__name__))


def _decode(value: Any, sd: Any, source: str) -> Any:
    if isinstance(value, list):
        return [_decode(v, sd, source) for v in value]
    if not isinstance(value, dict):
        return value
    if 'tensor' in value:
        t = sd.lookup(value['tensor'])
        if t is None:
            raise error('load: %s: the structure names a tensor %r that the file does not hold'
                        % (source, value['tensor']), Lt.Error.FORMAT)
        return t
    if 'tuple' in value:
        return tuple(_decode(v, sd, source) for v in value['tuple'])
    if 'dict' in value:
        pairs = [(_decode(k, sd, source), _decode(v, sd, source)) for k, v in value['dict']]
        return collections.OrderedDict(pairs) if value.get('ordered') else dict(pairs)
    if 'float' in value:
        return float(value['float'])
    if 'bytes' in value:
        return base64.b64decode(value['bytes'])
    raise error('load: %s: the structure holds an object of unknown kind %s'
                % (source, sorted(value)), Lt.Error.FORMAT)


@export
def save(obj: Any, f: str | os.PathLike[str], pickle_module: Any = None,
         pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True) -> None:
    """torch.save: writes `obj` (a state dict, an optimizer's state_dict(),
    a dict of those and numbers) to the file `f` as safetensors."""
    path = os.fspath(f)
    sd = Lt.StateDict.new()
    if (isinstance(obj, dict) and obj and all(isinstance(k, str) for k in obj)
            and all(isinstance(v, Tensor) for v in obj.values())
            and len({id(v) for v in obj.values()}) == len(obj)):
        for k, v in obj.items():      # tensors by name: the file is just those
            t = v.detach()
            sd.insert(k, t if t.get_device() == Lt.Device.CPU else t.to('cpu'))
    else:
        structure = _encode(obj, '', sd, {}, 0)
        sd.set_metadata(STRUCTURE_KEY, json.dumps(structure, allow_nan=False))
    sd.save(path)


@export
def load(f: str | os.PathLike[str], map_location: Any = None, pickle_module: Any = None,
         weights_only: bool | None = None, **pickle_load_args: Any) -> Any:
    """torch.load: what Lt.save wrote, a safetensors file (a dict of its
    tensors by name), or a .pt/.pth file of torch.save.  Everything is
    loaded on the CPU; `map_location` may only say so."""
    if map_location not in (None, 'cpu') and str(map_location) != 'cpu':
        raise NotImplementedError_('load: map_location=%r: tensors load on the CPU; move them '
                                  'with .to() afterwards' % (map_location,))
    path = os.fspath(f)
    with open(path, 'rb') as fp:           # FileNotFoundError, as torch.load raises
        head = fp.read(4)
    if head.startswith(_PT_MAGIC[0]) or head.startswith(_PT_MAGIC[1]):
        sd, structure = Lt.torch_load(path)
    else:
        sd = Lt.StateDict.load(path)
        structure = sd.get_metadata(STRUCTURE_KEY)
    if structure is None:
        return collections.OrderedDict(
            (sd.get_name(i), sd.get_tensor(i)) for i in range(sd.get_n_tensors()))
    try:
        return _decode(json.loads(structure), sd, path)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
        raise error('load: %s: the structure in its metadata %r is not valid (%s)'
                    % (path, STRUCTURE_KEY, e), Lt.Error.FORMAT) from None
