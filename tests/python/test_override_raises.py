#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python overrides raise the library's exception classes, never the
builtin ones: each `raise ValueError_(...)`, `TypeError_`, `IndexError_`,
`RuntimeError_`, `NotImplementedError_` (gi/overrides/_lt/common.py) is
both the exception PyTorch raises and a GLib.Error of the Lt domain, so
`except ValueError` and `except GLib.Error` both catch it.

This test reads the source of gi/overrides/ and fails on any builtin
exception class that is raised or made there (`raise ValueError (...)`,
`carry (where, TypeError (...))`), except re-raises (`raise`, `raise e`)
and the deliberate ones listed in DELIBERATE, each with why.  It also
checks, by running them, that a few of the converted raises are both
classes.
"""

import ast
import builtins
import os
import unittest

from harness import main, source_dir

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

# (file, function, exception class): why that builtin class is raised.
_ATTRIBUTE = ('the attribute protocol: getattr () with a default and hasattr () '
              'expect AttributeError, and torch.nn.Module raises it')
_MAPPING = 'the mapping protocol, as torch\'s ModuleDict and ParameterDict'
_ABSTRACT = ('an abstract method a subclass must override, a bare '
             'NotImplementedError as in torch')
DELIBERATE = {
    ('Lt.py', '__getattr__', 'AttributeError'): 'a module attribute that does not exist, '
                                                 'as Python modules raise it',
    ('nn.py', '__getattr__', 'AttributeError'): _ATTRIBUTE,
    ('nn.py', '__setattr__', 'AttributeError'): _ATTRIBUTE,
    ('nn.py', 'get_submodule', 'AttributeError'): 'torch.nn.Module.get_submodule raises '
                                                   'AttributeError',
    ('nn_containers.py', '__getitem__', 'KeyError'): _MAPPING,
    ('nn_containers.py', '__delitem__', 'KeyError'): _MAPPING,
    ('optim.py', '__init__', 'KeyError'): 'torch.optim.lr_scheduler raises KeyError '
                                           'for a missing initial_lr',
    ('optim.py', 'get_lr', 'NotImplementedError'): _ABSTRACT,
    ('sampling.py', '__iter__', 'NotImplementedError'): _ABSTRACT,
    ('nn_layers.py', '_padding_idx', 'AssertionError'): 'torch.nn.Embedding asserts it',
    ('nn_layers.py', 'from_pretrained', 'AssertionError'): 'torch.nn.Embedding asserts it',
    ('nn_layers.py', '__new__', 'AssertionError'): 'torch.nn.Embedding asserts it',
    ('sampling.py', '__init__', 'AssertionError'): 'torch\'s ConcatDataset asserts it',
    ('data.py', '__next__', 'StopIteration'): 'the iterator protocol',
    ('train.py', 'run', 'KeyboardInterrupt'): 'the user\'s Ctrl-C, delivered again '
                                              'after the worker stopped',
}


def _is_builtin_exception(name):
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


def builtin_raises(path):
    """(line, function, class name, how) for each builtin exception class
    raised or made in the file at `path`."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    owner = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                owner[id(node)] = fn.name     # the innermost function wins (walked last)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and _is_builtin_exception(node.func.id):
            found.append((node.lineno, owner.get(id(node)), node.func.id, 'made'))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name) \
                and _is_builtin_exception(node.exc.id):
            found.append((node.lineno, owner.get(id(node)), node.exc.id, 'raised'))
    return found


class TestOverrideRaises(unittest.TestCase):

    def overrides(self):
        folder = os.path.join(source_dir(), 'gi', 'overrides')
        paths = [os.path.join(folder, 'Lt.py')]
        sub = os.path.join(folder, '_lt')
        paths += sorted(os.path.join(sub, n) for n in os.listdir(sub) if n.endswith('.py'))
        self.assertGreater(len(paths), 15)
        return paths

    def test_no_builtin_raises(self):
        bad, used = [], set()
        for path in self.overrides():
            name = os.path.basename(path)
            for line, fn, cls, how in builtin_raises(path):
                key = (name, fn, cls)
                if key in DELIBERATE:
                    used.add(key)
                else:
                    bad.append('%s:%d: %s %s in %s ()' % (name, line, cls, how, fn))
        self.assertEqual(bad, [], 'raise the classes of gi/overrides/_lt/common.py '
                                  '(ValueError_, TypeError_, ...) instead')
        # the list stays true: each deliberate entry still exists
        self.assertEqual(sorted(set(DELIBERATE) - used), [])

    def test_the_scan_finds_them(self):
        """builtin_raises () sees a plain raise, a made exception and a bare
        class, and not the library's classes or a re-raise."""
        import tempfile
        with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as f:
            f.write('def f(x):\n'
                    '    if x: raise ValueError("a")\n'
                    '    carry("w", TypeError("b"))\n'
                    '    raise NotImplementedError\n'
                    'def g():\n'
                    '    try:\n'
                    '        pass\n'
                    '    except Exception as e:\n'
                    '        raise\n'
                    '    raise ValueError_("c")\n')
        try:
            found = builtin_raises(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(sorted(found), [(2, 'f', 'ValueError', 'made'),
                                         (3, 'f', 'TypeError', 'made'),
                                         (4, 'f', 'NotImplementedError', 'raised')])

    def test_raised_as_both(self):
        """Converted raises, run: each is the builtin class PyTorch raises,
        and a GLib.Error in the Lt domain with the message as written."""
        cases = [
            (ValueError, lambda: Lt.optim.SGD([Lt.zeros(2, requires_grad=True)], lr=-1),
             'Invalid learning rate: -1'),
            (TypeError, lambda: Lt.nn.Parameter(3), 'Parameter: expected a tensor, got int'),
            (ValueError, lambda: Lt.nn.functional.mse_loss(Lt.zeros(2), Lt.zeros(2),
                                                           reduction='bad'),
             'bad is not a valid value for reduction'),
            (IndexError, lambda: Lt.nn.Sequential(Lt.nn.ReLU())[3], None),
        ]
        for cls, fn, message in cases:
            with self.subTest(cls=cls.__name__, message=message):
                with self.assertRaises(cls) as cm:
                    fn()
                self.assertIsInstance(cm.exception, GLib.Error)
                self.assertTrue(cm.exception.matches(Lt.error_quark(), cm.exception.code))
                if message is not None:
                    self.assertEqual(cm.exception.message, message)

    def test_through_a_forward(self):
        """Raised in a module's forward, which C calls, they reach the
        caller as the same class (a TypeError_ crosses C carried: as a
        plain GError it would come back as the class of its code)."""
        class Net(Lt.nn.Module):
            def __init__(self, fail):
                super().__init__()
                self.fail = fail

            def forward(self, x):
                self.fail()
                return x

        for cls, fail in ((TypeError, lambda: Lt.nn.Parameter(3)),
                          (ValueError, lambda: Lt.optim.SGD([Lt.zeros(2)], lr=-1))):
            with self.subTest(cls=cls.__name__):
                with self.assertRaises(cls) as cm:
                    Net(fail)(Lt.zeros(2))
                self.assertIsInstance(cm.exception, GLib.Error)


if __name__ == '__main__':
    main()
