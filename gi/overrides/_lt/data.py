# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data for libtensor from Python: ``Lt.utils.data``, ``Lt.transforms``,
``Lt.datasets`` and ``Lt.utils.make_grid`` / ``save_image``.

Part of gi/overrides/Lt.py, which exports its ``utils``, ``transforms``
and ``datasets``.  The tutorial's data steps read as they do
with torch and torchvision::

    from gi.repository import Lt as torch
    transforms, datasets = torch.transforms, torch.datasets

    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = datasets.CIFAR10(root='./data', train=True, download=True, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True,
                                              num_workers=2)
    images, labels = next(iter(trainloader))
    torch.utils.save_image(torch.utils.make_grid(images / 2 + 0.5), 'batch.png')

The transforms, datasets and the loader are the C objects (LtTransform,
LtDataset, LtDataLoader): worker threads run in C, and take the GIL only
to call Python code (a Python dataset's ``__getitem__``, a Python
callable used as a transform).  A subclass of ``Lt.utils.data.Dataset``
is a GObject implementing LtDataset, so C code reads it too; any object
with ``__len__`` and ``__getitem__`` is accepted by DataLoader.  An
exception raised in Python code that the loader runs reaches the caller of
``next()`` as a ``GLib.Error`` ("ValueError: ..." in the Lt.Error domain)
whose ``__cause__`` is the original exception.
"""

from __future__ import annotations

import numbers
import os
import sys
from typing import Any, Callable, Iterator

from gi.repository import GLib, GObject

from .common import (IntPair, Lt, Tensor, callable_name as _callable_name, carry as _carry,
                     loaded_numpy, namespace, override, reraise_carried as _reraise)
from .common import crosses_c
from .common import IndexError_, NotImplementedError_, RuntimeError_, TypeError_, ValueError_
from . import sampling as _sampling
from . import vision as _vision
from .creation import tensor as _tensor

_GITensor = Lt.Tensor

__all__ = ['utils', 'transforms', 'datasets']


def _to_tensor_value(v, what):
    """A value a Python dataset or transform returned, as a tensor: numpy
    arrays and PIL images are copied, numbers become 0-dim tensors."""
    if isinstance(v, _GITensor):
        return v
    np = loaded_numpy()
    if np is not None and isinstance(v, (np.ndarray, np.generic)):
        return _GITensor.clone(_tensor(v))
    if isinstance(v, bool):
        return _tensor(v)
    if isinstance(v, numbers.Integral):
        return Lt.scalar_tensor(float(v), Lt.DType.INT64) if abs(v) < 2 ** 53 \
            else _tensor(int(v))
    if isinstance(v, numbers.Real):
        return Lt.scalar_tensor(float(v), Lt.DType.FLOAT32)
    if type(v).__module__.startswith('PIL.'):
        import numpy
        return _GITensor.clone(_tensor(numpy.asarray(v)))
    if isinstance(v, (list, tuple)):
        return _tensor(v)
    raise TypeError_('%s is a %s, not a tensor, an array or a number'
                    % (what, type(v).__name__))


# ---------------------------------------------------------------------------
# Transforms

def _transform_call(self, x):
    """t(x): applies the transform (numpy arrays and PIL images are
    converted to tensors first); a Python transform's exception comes
    through itself."""
    x = _to_tensor_value(x, 'the input of %s' % type(self).__name__)
    try:
        return self.apply(x)
    except GLib.Error as e:
        _reraise(e)


Lt.Transform.__call__ = _transform_call


class _CallableTransform(GObject.Object, Lt.Transform):
    """A Python callable (a function, a lambda, an object with __call__)
    as an LtTransform, so that C datasets and Compose run it."""

    __gtype_name__ = 'LtPyCallableTransform'
    __module__ = 'Lt.transforms'      # registered as a GType (not an override)

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def do_apply(self, input):
        try:
            out = self.fn(input)
            return _to_tensor_value(out, 'the result of %r' % (self.fn,))
        except GLib.Error as e:
            if crosses_c(e):
                raise
            raise _carry('transform %s' % _callable_name(self.fn), e) from None
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry('transform %s' % _callable_name(self.fn), e) from None

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        return repr(self.fn)


def _as_transform(t, name='transform'):
    if t is None or isinstance(t, Lt.Transform):
        return t
    if callable(t):
        return _CallableTransform(t)
    raise TypeError_('%s must be an Lt.Transform or a callable, not %s' % (name, type(t).__name__))


def _floats(v, name):
    if isinstance(v, numbers.Real):
        return [float(v)]
    if isinstance(v, _GITensor):
        v = v.tolist()
    out = [float(x) for x in v]
    if not out:
        raise ValueError_('%s must not be empty' % name)
    return out


def _size2(size, name='size'):
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    size = tuple(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError_('Please provide only two dimensions (h, w) for %s.' % name)
    return int(size[0]), int(size[1])


def _padding(padding):
    if padding is None:
        return []
    if isinstance(padding, numbers.Integral):
        return [int(padding)]
    padding = [int(p) for p in padding]
    if len(padding) not in (1, 2, 4):
        raise ValueError_('Padding must be an int or a 1, 2, or 4 element tuple, not a %d '
                         'element tuple' % len(padding))
    return padding


_PADDING_MODES = {
    'constant': Lt.PaddingMode.CONSTANT,
    'edge': Lt.PaddingMode.EDGE,
    'reflect': Lt.PaddingMode.REFLECT,
    'symmetric': Lt.PaddingMode.SYMMETRIC,
}


def _padding_mode(mode):
    if isinstance(mode, Lt.PaddingMode):
        return mode
    try:
        return _PADDING_MODES[mode]
    except (KeyError, TypeError):
        raise ValueError_('Padding mode should be either constant, edge, reflect or symmetric') \
            from None


def _fill(fill):
    if fill is None:
        return 0.0
    if isinstance(fill, (tuple, list)):
        if len(set(fill)) > 1:
            raise ValueError_('a fill value per channel is not supported; give one number')
        fill = fill[0]
    return float(fill)


class _TransformBase:
    """Construction from Python: ``__new__`` builds the C object with its
    C constructor; ``__init__`` only keeps the arguments for ``repr``."""

    def __init__(self, *args, **kwargs):
        pass

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, getattr(self, '_lt_repr', ''))


def _set_repr(obj, text):
    obj._lt_repr = text
    return obj


@override
class ToTensor(_TransformBase, Lt.ToTensor):
    """uint8 (C, H, W), (H, W, C) or (H, W) images -> float32 (C, H, W) in
    [0, 1], as torchvision.transforms.ToTensor."""

    def __new__(cls):
        return Lt.ToTensor.new()


@override
class Normalize(_TransformBase, Lt.Normalize):
    """(x - mean) / std per channel, as torchvision.transforms.Normalize."""

    def __new__(cls, mean, std, inplace=False):
        m, s = _floats(mean, 'mean'), _floats(std, 'std')
        return _set_repr(Lt.Normalize.new(m, s), 'mean=%s, std=%s' % (tuple(m), tuple(s)))


@override
class RandomCrop(_TransformBase, Lt.RandomCrop):
    """A random crop after optional padding, as torchvision's RandomCrop."""

    def __new__(cls, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        h, w = _size2(size)
        t = Lt.RandomCrop.new(h, w, _padding(padding), bool(pad_if_needed), _fill(fill),
                              _padding_mode(padding_mode))
        return _set_repr(t, 'size=%s, padding=%s' % ((h, w), padding))

    def get_params(self, img: Tensor,
                   output_size: IntPair | None = None) -> tuple[int, int, int, int]:
        """(top, left, height, width) of the crop apply() would make of img
        (already padded) with the generator as it is."""
        shape = img.get_shape()
        ok, top, left = Lt.RandomCrop.get_params(self, shape[-2], shape[-1])
        h, w = _size2(output_size) if output_size is not None else (None, None)
        return top, left, h, w


@override
class RandomHorizontalFlip(_TransformBase, Lt.RandomHorizontalFlip):
    """A left-right flip with probability p, as torchvision's
    RandomHorizontalFlip."""

    def __new__(cls, p=0.5):
        return _set_repr(Lt.RandomHorizontalFlip.new(float(p)), 'p=%s' % p)


@override
class Resize(_TransformBase, Lt.Resize):
    """Bilinear resize of tensors (torchvision's Resize with
    antialias=False): an int resizes the smaller edge."""

    def __new__(cls, size, interpolation=None, max_size=None, antialias=None):
        if max_size is not None:
            raise ValueError_('Resize: max_size is not supported')
        if antialias:
            raise ValueError_('Resize: antialias=True is not supported (tensors resize without '
                             'antialiasing, as torchvision does by default)')
        if interpolation is not None and str(interpolation).lower().split('.')[-1] != 'bilinear':
            raise ValueError_('Resize: only bilinear interpolation is supported')
        sizes = [int(size)] if isinstance(size, numbers.Integral) else [int(s) for s in size]
        return _set_repr(Lt.Resize.new(sizes), 'size=%s' % (size,))


@override
class CenterCrop(_TransformBase, Lt.CenterCrop):
    """The center of an image, as torchvision's CenterCrop."""

    def __new__(cls, size):
        h, w = _size2(size)
        return _set_repr(Lt.CenterCrop.new(h, w), 'size=%s' % ((h, w),))


@override
class Grayscale(_TransformBase, Lt.Grayscale):
    """RGB to gray, 0.2989 R + 0.587 G + 0.114 B, as torchvision's
    Grayscale."""

    def __new__(cls, num_output_channels=1):
        n = int(num_output_channels)
        if n not in (1, 3):
            raise ValueError_('num_output_channels should be either 1 or 3')
        return _set_repr(Lt.Grayscale.new(n), 'num_output_channels=%d' % n)


@override
class Compose(_TransformBase, Lt.Compose):
    """Transforms applied in order; Python callables are welcome."""

    def __new__(cls, transforms):
        items = [_as_transform(t, 'Compose item') for t in transforms]
        return Lt.Compose.new(items)

    @property
    def transforms(self) -> list[Any]:
        return [self.get_transform(i) for i in range(self.get_n_transforms())]

    def __repr__(self):
        lines = ['Compose(']
        lines += ['    %r' % (t,) for t in self.transforms]
        lines.append(')')
        return '\n'.join(lines)


class Lambda:
    """A user function as a transform, as torchvision's Lambda."""

    def __new__(cls, lambd):
        if not callable(lambd):
            raise TypeError_('Argument lambd should be callable, got %r' % type(lambd).__name__)
        return _CallableTransform(lambd)


def _f_pad(img, padding, fill=0, padding_mode='constant'):
    return Lt.transforms_pad(img, _padding(padding), _fill(fill), _padding_mode(padding_mode))


def _f_crop(img, top, left, height, width):
    return Lt.transforms_crop(img, int(top), int(left), int(height), int(width))


def _f_center_crop(img, output_size):
    h, w = _size2(output_size, 'output_size')
    return Lt.transforms_center_crop(img, h, w)


def _f_resize(img, size, interpolation=None, max_size=None, antialias=None):
    if isinstance(size, numbers.Integral) or len(size) == 1:
        return Resize(size, interpolation, max_size, antialias).apply(img)
    return Lt.transforms_resize(img, int(size[0]), int(size[1]))


def _f_normalize(tensor, mean, std, inplace=False):
    return Lt.transforms_normalize(tensor, _floats(mean, 'mean'), _floats(std, 'std'))


def _f_to_tensor(pic):
    return Lt.transforms_to_tensor(_to_tensor_value(pic, 'pic'))


functional = namespace('Lt.transforms.functional',
                        'The transforms as functions (torchvision.transforms.functional).', {
                            'to_tensor': _f_to_tensor,
                            'normalize': _f_normalize,
                            'pad': _f_pad,
                            'crop': _f_crop,
                            'center_crop': _f_center_crop,
                            'hflip': lambda img: Lt.transforms_hflip(img),
                            'resize': _f_resize,
                            'rgb_to_grayscale': lambda img, num_output_channels=1:
                                Lt.transforms_rgb_to_grayscale(img, int(num_output_channels)),
                            **_vision.vision_functional,
                        })

transforms = namespace('Lt.transforms', 'torchvision.transforms for libtensor.', {
    'Compose': Compose, 'ToTensor': ToTensor, 'Normalize': Normalize,
    'RandomCrop': RandomCrop, 'RandomHorizontalFlip': RandomHorizontalFlip,
    'Resize': Resize, 'CenterCrop': CenterCrop, 'Grayscale': Grayscale, 'Lambda': Lambda,
    'functional': functional, **_vision.vision_transforms,
})


# ---------------------------------------------------------------------------
# Datasets

def _dataset_len(self):
    return self.get_length()


def _dataset_getitem(self, index):
    """dataset[i]: (input, target), or input alone for a dataset without
    targets; negative indices count from the end."""
    if not isinstance(index, numbers.Integral):
        raise TypeError_('dataset indices must be integers, not %s' % type(index).__name__)
    n = self.get_length()
    i = int(index)
    if i < 0:
        i += n
    if i < 0 or i >= n:
        raise IndexError_('index %d is out of range for a dataset of %d items' % (index, n))
    try:
        ok, x, y = Lt.Dataset.get_item(self, i)
    except GLib.Error as e:
        _reraise(e)     # a transform's own exception, itself
    return x if y is None else (x, y)


Lt.Dataset.__len__ = _dataset_len
Lt.Dataset.__getitem__ = _dataset_getitem


def _ensure_gobject(obj):
    try:
        obj.__gpointer__
    except ValueError:
        GObject.Object.__init__(obj)


def _item_to_c(self, index):
    item = self[index]
    if isinstance(item, (tuple, list)):
        if len(item) != 2:
            raise TypeError_('an item must be (input, target) or an input, not a %d-tuple'
                            % len(item))
        x, y = item
    else:
        x, y = item, None
    x = _to_tensor_value(x, 'the input of item %d' % index)
    y = None if y is None else _to_tensor_value(y, 'the target of item %d' % index)
    return True, x, y


class Dataset(GObject.Object, Lt.Dataset):
    """The base of map-style datasets written in Python, as
    torch.utils.data.Dataset: define ``__len__`` and ``__getitem__``
    (returning ``(input, target)`` or an input; tensors, numpy arrays or
    numbers).  It is a GObject implementing LtDataset: data loaders (and
    their worker threads) read it through C."""

    __gtype_name__ = 'LtPyDataset'
    __module__ = 'Lt.utils.data'      # registered as a GType (not an override)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ('do_get_item', 'do_get_length'):
            if name in cls.__dict__:
                # A subclass shares its parent's LtDataset vtable: a vfunc
                # defined here would replace the one of every Dataset.
                raise TypeError_('%s: define __getitem__ and __len__, not %s'
                                % (cls.__name__, name))
        user_init = cls.__dict__.get('__init__')
        if user_init is not None:
            # torch's subclasses need not call super().__init__()
            def __init__(self, *args, **kw):
                _ensure_gobject(self)
                user_init(self, *args, **kw)
            __init__.__doc__ = user_init.__doc__
            __init__.__qualname__ = user_init.__qualname__
            cls.__init__ = __init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _ensure_gobject(self)

    def __len__(self) -> int:
        raise NotImplementedError_('%s must define __len__' % type(self).__name__)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError_('%s must define __getitem__' % type(self).__name__)

    def do_get_length(self) -> int:
        try:
            return int(len(self))
        except BaseException as e:  # noqa: B902 - no way to report it through C
            sys.excepthook(type(e), e, e.__traceback__)
            return 0

    def do_get_item(self, index: int) -> Any:
        try:
            return _item_to_c(self, index)
        except GLib.Error as e:
            if crosses_c(e):
                raise
            raise _carry('%s[%d]' % (self._lt_name(), index), e) from None
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry('%s[%d]' % (self._lt_name(), index), e) from None

    def _lt_name(self):
        return type(self).__name__

    def __add__(self, other: Any) -> Any:
        return _sampling.ConcatDataset([self, other])


class _Adapter(Dataset):
    """Any object with __len__ and __getitem__, as a Dataset."""

    __gtype_name__ = 'LtPyDatasetAdapter'
    __module__ = 'Lt.utils.data'

    def __init__(self, obj):
        super().__init__()
        self.obj = obj

    def __len__(self):
        return len(self.obj)

    def __getitem__(self, index):
        return self.obj[index]

    def _lt_name(self):
        return type(self.obj).__name__


def _as_dataset(dataset):
    if isinstance(dataset, Lt.Dataset):
        return dataset
    if hasattr(dataset, '__len__') and hasattr(dataset, '__getitem__'):
        return _Adapter(dataset)
    raise TypeError_('a dataset needs __len__ and __getitem__ (%s has not)'
                    % type(dataset).__name__)


class TensorDataset(Dataset):
    """Items are the i-th rows of tensors of one length, as
    torch.utils.data.TensorDataset: a tuple with one row of each; a slice
    or an index tensor gives a tuple of those rows."""

    __gtype_name__ = 'LtPyTensorDataset'
    __module__ = 'Lt.utils.data'

    def __init__(self, *tensors: Any) -> None:
        n = {t.get_shape()[0] if t.get_n_dims() else None for t in tensors}
        if len(n) != 1 or None in n:
            raise ValueError_('Size mismatch between tensors')
        self.tensors = tensors

    def __len__(self) -> int:
        return self.tensors[0].get_shape()[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)


def _dataset_slice(self, index):
    """dataset[a:b] and dataset[index tensor or list]: a list of items, for
    datasets that index by integers only."""
    n = len(self)
    if isinstance(index, slice):
        return [self[i] for i in range(*index.indices(n))]
    if isinstance(index, _GITensor):
        index = index.tolist()
    return [self[int(i)] for i in index]


_c_getitem = Lt.Dataset.__getitem__


def _dataset_getitem_any(self, index):
    if isinstance(index, (slice, list, tuple, _GITensor)):
        return _dataset_slice(self, index)
    return _c_getitem(self, index)


Lt.Dataset.__getitem__ = _dataset_getitem_any


def _subset(dataset, indices):
    return Lt.Subset.new(_as_dataset(dataset), [int(i) for i in indices])


def _random_split(dataset, lengths, generator=None):
    from .generator import drawing
    with drawing(generator):
        return list(Lt.random_split(_as_dataset(dataset), [int(n) for n in lengths]))


def _is_pair_value(v):
    np = loaded_numpy()
    return isinstance(v, (_GITensor, numbers.Integral)) and not isinstance(v, bool) or \
        (np is not None and isinstance(v, np.ndarray) and v.dtype.kind in 'biuf')


def _pairs(dataset):
    """Whether the C loader batches the items of @dataset as torch's
    default_collate would: (input, target) pairs of tensors, arrays or ints,
    or single tensors or arrays."""
    if isinstance(dataset, TensorDataset):
        return len(dataset.tensors) == 2
    if isinstance(dataset, Lt.Dataset) and not isinstance(dataset, Dataset):
        return True                         # a C dataset: (input, target) tensors
    if isinstance(dataset, _sampling.ConcatDataset):
        return all(_pairs(d) for d in dataset.datasets)
    if len(dataset) == 0:
        return True
    try:
        item = dataset[0]                   # the items' structure, from the first
    except Exception:                       # noqa: BLE001 - raised again by next()
        return True
    if type(item) in (tuple, list):
        return len(item) == 2 and all(_is_pair_value(v) for v in item)
    return _is_pair_value(item) and not isinstance(item, numbers.Integral)


class DataLoader:
    """Mini-batches of a dataset, as torch.utils.data.DataLoader: ``for
    inputs, labels in loader``, ``next(iter(loader))``, ``len(loader)``.

    For (input, target) items in order or shuffled, the C loader
    (LtDataLoader) reads them: num_workers threads read ahead, and the same
    Lt.manual_seed gives the same batches for any num_workers.  A
    ``collate_fn``, a Python ``sampler`` or ``batch_sampler``, a
    ``worker_init_fn``, a ``generator``, ``batch_size=None``, an
    ``IterableDataset`` or items of another structure (tuples of any
    length, dicts, nested) are read by torch's algorithm in Python
    (Lt.utils.data's module ``_lt.sampling``), with num_workers threads."""

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = '') -> None:
        if int(num_workers) < 0:
            raise ValueError_('num_workers option should be non-negative')
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError_('prefetch_factor option could only be specified in '
                             'multiprocessing.let num_workers > 0 to enable multiprocessing.')
        if persistent_workers and num_workers == 0:
            raise ValueError_('persistent_workers option needs num_workers > 0')
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError_('batch_sampler option is mutually exclusive with batch_size, '
                                 'shuffle, sampler, and drop_last')
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError_('batch_size=None option disables auto-batching and is mutually '
                             'exclusive with drop_last')
        if sampler is not None and shuffle:
            raise ValueError_('sampler option is mutually exclusive with shuffle')
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = bool(drop_last)
        self.num_workers = int(num_workers)
        self.shuffle = bool(shuffle)
        self.collate_fn = collate_fn
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.persistent_workers = bool(persistent_workers)
        self.prefetch_factor = prefetch_factor
        self.timeout = timeout
        self.pin_memory = bool(pin_memory)
        if self.pin_memory and not Lt.cuda_is_available():
            import warnings
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.")
            self.pin_memory = False
        c_sampler = getattr(sampler, '_lt_sampler', sampler) if sampler is not None else None
        iterable = isinstance(dataset, _sampling.IterableDataset)
        use_python = (collate_fn is not None or batch_sampler is not None or
                      worker_init_fn is not None or generator is not None or
                      self.batch_size is None or iterable or
                      (sampler is not None and not isinstance(c_sampler, Lt.Sampler)))
        if not use_python:
            # The length now, where an exception can reach the caller: read
            # by the loader at every epoch, through C, a __len__ that raises
            # could only be printed (and read as an empty dataset).
            len(dataset)
            use_python = not _pairs(dataset)
        self._loader = None
        self._py = None
        if use_python:
            self._py = _sampling.PyLoader(dataset, self.batch_size, self.shuffle, sampler,
                                          batch_sampler, self.num_workers, collate_fn,
                                          self.drop_last, worker_init_fn, generator,
                                          self.persistent_workers, prefetch_factor)
            self.sampler = self._py.sampler
            self.batch_sampler = self._py.batch_sampler
            self.collate_fn = self._py.collate_fn
            return
        self._dataset = _as_dataset(dataset)
        self._loader = Lt.DataLoader.new(self._dataset, self.batch_size, self.shuffle,
                                         self.drop_last, self.num_workers)
        self.sampler = sampler
        self.batch_sampler = None
        if sampler is not None:
            self._loader.set_sampler(c_sampler)

    def __len__(self) -> int:
        if self._py is not None:
            return len(self._py)
        return self._loader.get_length()

    def __iter__(self) -> Iterator[Any]:
        it = iter(self._py) if self._py is not None else _loader_iter(self._loader)
        if self.pin_memory:
            return (_pin_batch(b) for b in it)
        return it

    def close(self) -> None:
        """Stops the workers of the current epoch (also done when the loader
        is garbage-collected)."""
        loader = self.__dict__.get('_loader')
        if loader is not None:
            loader.reset()
        py = self.__dict__.get('_py')
        if py is not None:
            py.close()

    def __del__(self):
        # The workers stop in a C call, which releases the GIL for the
        # Python code they may be running.
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _LoaderIter:
    """One epoch of an LtDataLoader.  A loader reads one epoch at a time: a
    newer iter() abandons the epoch of an older iterator, which then
    raises."""

    def __init__(self, loader, generation):
        self._loader = loader
        self._generation = generation
        self._done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        if self._loader._lt_generation != self._generation:
            self._done = True
            raise RuntimeError_('this DataLoader iterator was abandoned by a newer iter() of '
                               'its loader (a loader reads one epoch at a time)')
        try:
            _, inputs, targets = self._loader.next()
        except GLib.Error as e:
            self._done = True
            _reraise(e)
        if inputs is None:                      # the end of the epoch
            self._done = True
            raise StopIteration
        return inputs if targets is None else (inputs, targets)

    # the tutorial's ``dataiter.next()`` (Python 2's spelling of next(dataiter))
    next = __next__

    def __len__(self):
        return self._loader.get_length()


# Lt.DataLoader stays the introspected class (iterable too); the torch-like
# one is Lt.utils.data.DataLoader.

def _pin_batch(batch):
    """A batch with its tensors copied to pinned host memory, as
    torch.utils.data's pin_memory: tensors in tuples, lists and dicts."""
    if isinstance(batch, Lt.Tensor):
        return batch.pin_memory()
    if isinstance(batch, tuple) and hasattr(batch, '_fields'):
        return type(batch)(*(_pin_batch(b) for b in batch))
    if isinstance(batch, (tuple, list)):
        return type(batch)(_pin_batch(b) for b in batch)
    if isinstance(batch, dict):
        return {k: _pin_batch(v) for k, v in batch.items()}
    return batch


def _loader_iter(self):
    """iter(loader): a new epoch (reshuffled), read by the iterator."""
    self.reset()
    self._lt_generation = getattr(self, '_lt_generation', 0) + 1
    return _LoaderIter(self, self._lt_generation)


Lt.DataLoader.__iter__ = _loader_iter
Lt.DataLoader.__len__ = lambda self: self.get_length()


# The datasets of the C library, with torchvision's signatures

def _root(root):
    import os
    return os.fspath(os.path.expanduser(os.fspath(root)))


def CIFAR10(root: str, train: bool = True, transform: Callable[[Any], Any] | None = None,
            target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> Any:
    """CIFAR-10 (binary version) from root/cifar-10-batches-bin or
    root/cifar-10-binary.tar.gz, downloaded there with download=True."""
    return Lt.Cifar10.new(_root(root), bool(train), _as_transform(transform),
                          _as_transform(target_transform, 'target_transform'), bool(download),
                          None)


def MNIST(root: str, train: bool = True, transform: Callable[[Any], Any] | None = None,
          target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> Any:
    """MNIST from IDX files (raw or .gz) in root/MNIST/raw or root; with
    download=True, the files already there are used, and those missing are
    downloaded to root/MNIST/raw (from MNIST.mirrors, checked against the
    MD5s of MNIST.resources)."""
    folder = _vision.mnist_root(_root(root), 'MNIST', bool(train), bool(download),
                                MNIST.mirrors, MNIST.resources)
    return Lt.Mnist.new(folder, bool(train), Lt.MnistVariant.MNIST,
                        _as_transform(transform), _as_transform(target_transform,
                                                                'target_transform'))


MNIST.mirrors = list(_vision.MNIST_MIRRORS)
MNIST.resources = list(_vision.MNIST_RESOURCES)


def FashionMNIST(root: str | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> Any:
    """Fashion-MNIST from IDX files in root/FashionMNIST/raw or root (by
    default Debian's /usr/share/datasets/fashion-mnist); with
    download=True, the files already there are used, and those missing are
    downloaded to root/FashionMNIST/raw (FashionMNIST.mirrors and
    .resources)."""
    folder = None if root is None else _vision.mnist_root(
        _root(root), 'FashionMNIST', bool(train), bool(download), FashionMNIST.mirrors,
        FashionMNIST.resources)
    return Lt.Mnist.new(folder, bool(train), Lt.MnistVariant.FASHION_MNIST,
                        _as_transform(transform), _as_transform(target_transform,
                                                                'target_transform'))


FashionMNIST.mirrors = list(_vision.FASHION_MIRRORS)
FashionMNIST.resources = list(_vision.FASHION_RESOURCES)


def ImageFolder(root: str, transform: Callable[[Any], Any] | None = None,
                target_transform: Callable[[Any], Any] | None = None) -> Any:
    """One subfolder of PNG/JPEG images per class, as torchvision's
    ImageFolder (items are uint8 (C, H, W) before the transform)."""
    return Lt.ImageFolder.new(_root(root), _as_transform(transform),
                              _as_transform(target_transform, 'target_transform'))


def _dataset_classes(self):
    return list(self.get_classes())


for _name in ('Cifar10', 'Mnist', 'ImageFolder'):
    _cls = getattr(Lt, _name, None)
    if _cls is not None:
        _cls.classes = property(_dataset_classes)

datasets = namespace('Lt.datasets', 'torchvision.datasets for libtensor.', {
    'CIFAR10': CIFAR10, 'MNIST': MNIST, 'FashionMNIST': FashionMNIST,
    'ImageFolder': ImageFolder,
})


# ---------------------------------------------------------------------------
# Images

def _value_range(value_range, range=None):
    if value_range is None:
        value_range = range
    if value_range is None:
        return None
    lo, hi = value_range
    return [float(lo), float(hi)]


def _stack_list(tensor):
    if isinstance(tensor, (list, tuple)):
        return Lt.stack(list(tensor), 0)
    return tensor


def make_grid(tensor: Tensor, nrow: int = 8, padding: IntPair = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0, range: tuple[float, float] | None = None) -> Tensor:
    """Images (B, C, H, W) (or a list of (C, H, W)) laid out in a grid, as
    torchvision.utils.make_grid."""
    return Lt.make_grid(_stack_list(tensor), int(nrow), int(padding), bool(normalize),
                        _value_range(value_range, range), bool(scale_each), float(pad_value))


def save_image(tensor: Tensor, fp: str | os.PathLike[str], format: str | None = None, nrow: int = 8,
               padding: IntPair = 2, normalize: bool = False,
               value_range: tuple[float, float] | None = None, scale_each: bool = False,
               pad_value: float = 0.0, range: tuple[float, float] | None = None) -> None:
    """Writes images as one grid to a PNG or JPEG file, as
    torchvision.utils.save_image."""
    import os
    path = os.fspath(fp)
    if format is not None:
        ext = {'png': '.png', 'jpeg': '.jpg', 'jpg': '.jpg'}.get(str(format).lower())
        if ext is None:
            raise ValueError_('save_image: unknown format %r' % (format,))
        if not path.lower().endswith(('.png', '.jpg', '.jpeg')):
            raise ValueError_('save_image: name the file with the %s extension' % ext)
    Lt.save_image(_stack_list(tensor), path, int(nrow), int(padding), bool(normalize),
                  _value_range(value_range, range), bool(scale_each), float(pad_value))


def load_image(path: str | os.PathLike[str]) -> Tensor:
    """An image file as a uint8 tensor (C, H, W), as
    torchvision.io.read_image."""
    import os
    return Lt.load_image(os.fspath(path))


class DistributedSampler:
    """Each rank's shard of a dataset, as
    torch.utils.data.distributed.DistributedSampler (on LtDistributedSampler):
    ``len(sampler)`` indices per rank and epoch, ``iter(sampler)``,
    ``set_epoch(epoch)``.  num_replicas and rank default to the default
    process group's (Lt.distributed.init_process_group).  Given to a
    DataLoader, it reshuffles every epoch by itself (it follows the
    loader's epoch) unless set_epoch pins one; the permutation of a seed
    is Philox's, not torch's."""

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is not None and int(num_replicas) <= 0:
            raise ValueError_('DistributedSampler: num_replicas must be positive, not %d'
                             % int(num_replicas))
        if rank is not None and (int(rank) < 0 or (num_replicas is not None
                                                   and int(rank) >= int(num_replicas))):
            raise ValueError_('Invalid rank {}, rank should be in the interval [0, {}]'.format(
                int(rank), (int(num_replicas) if num_replicas is not None else 0) - 1))
        self.dataset = dataset
        self._lt_sampler = Lt.DistributedSampler.new(
            0 if num_replicas is None else int(num_replicas), -1 if rank is None else int(rank),
            bool(shuffle), int(seed), bool(drop_last))

    num_replicas = property(lambda self: self._lt_sampler.get_num_replicas())
    rank = property(lambda self: self._lt_sampler.get_rank())
    shuffle = property(lambda self: self._lt_sampler.get_shuffle())
    seed = property(lambda self: self._lt_sampler.get_seed())
    drop_last = property(lambda self: self._lt_sampler.get_drop_last())

    @property
    def epoch(self) -> int:
        return max(self._lt_sampler.get_epoch(), 0)

    @property
    def num_samples(self) -> int:
        return len(self)

    @property
    def total_size(self) -> int:
        return len(self) * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        self._lt_sampler.set_epoch(int(epoch))

    def __len__(self) -> int:
        return self._lt_sampler.get_num_samples(len(self.dataset))

    def __iter__(self) -> Iterator[int]:
        indices = self._lt_sampler.get_indices(len(self.dataset), self.epoch)
        return iter(int(i) for i in indices.tolist())


data = namespace('Lt.utils.data', 'torch.utils.data for libtensor.', {
    'Dataset': Dataset, 'DataLoader': DataLoader, 'TensorDataset': TensorDataset,
    'Subset': _subset, 'random_split': _random_split,
    **{name: getattr(_sampling, name) for name in (
        'Sampler', 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler',
        'WeightedRandomSampler', 'BatchSampler', 'default_collate', 'default_convert',
        'ConcatDataset', 'IterableDataset', 'ChainDataset', 'get_worker_info')},
    'distributed': namespace('Lt.utils.data.distributed',
                             'torch.utils.data.distributed for libtensor.',
                             {'DistributedSampler': DistributedSampler}),
})

utils = namespace('Lt.utils', 'torch.utils.data and torchvision.utils for libtensor.', {
    'data': data, 'make_grid': make_grid, 'save_image': save_image, 'load_image': load_image,
})
