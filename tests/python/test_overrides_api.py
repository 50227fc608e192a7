#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python overrides' public surface: every public function and method
(of Lt.py's exports, Lt.nn, Lt.optim, Lt.utils, Lt.transforms,
Lt.datasets and their classes) has type hints, and the overrides' modules
live in the private package gi.overrides._lt."""

import inspect
import types
import unittest

from harness import main

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402
import gi.overrides.Lt as ov  # noqa: E402


def overrides_module(obj):
    return getattr(obj, '__module__', '') or ''


def public_callables():
    """(qualified name, function) of every public function and method the
    overrides define."""
    seen = set()
    todo = [(name, getattr(ov, name)) for name in ov.__all__]
    while todo:
        name, obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, types.ModuleType):
            todo += [('%s.%s' % (name, k), getattr(obj, k)) for k in obj.__all__]
        elif inspect.isclass(obj) and overrides_module(obj).startswith('gi.overrides'):
            for k, v in vars(obj).items():
                if isinstance(v, property):
                    v = v.fget
                # property(lambda self: self.get_x()): an attribute read
                # from the C object, typed by its getter's GI signature
                if inspect.isfunction(v) and (not k.startswith('_') or k == '__init__') \
                        and v.__name__ != '<lambda>':
                    yield '%s.%s' % (name, k), v
        elif inspect.isfunction(obj) and overrides_module(obj).startswith('gi.overrides') \
                and not obj.__name__.startswith('_') and obj.__name__ != '<lambda>':
            yield name, obj


class PublicSurface(unittest.TestCase):

    def test_type_hints(self):
        missing = []
        n = 0
        for name, fn in public_callables():
            n += 1
            sig = inspect.signature(fn)
            params = [p for p in sig.parameters.values() if p.name not in ('self', 'cls')]
            if 'return' not in fn.__annotations__ or \
                    any(p.annotation is inspect.Parameter.empty for p in params):
                missing.append(name)
        self.assertGreater(n, 200)
        self.assertEqual(missing, [], 'public functions without type hints')

    def test_private_package(self):
        import gi.overrides._lt.common as common
        for obj in (Lt.nn.Linear, Lt.optim.SGD, Lt.utils.data.DataLoader, Lt.Trainer,
                    Lt.GradFn, Lt.tensor):
            self.assertTrue(overrides_module(obj).startswith('gi.overrides._lt.'), obj)
        # one error helper: a GLib.Error in the Lt domain
        err = common.error('x: broken', Lt.Error.SHAPE)
        self.assertTrue(err.matches(Lt.error_quark(), Lt.Error.SHAPE))


if __name__ == '__main__':
    main(verbosity=1)
