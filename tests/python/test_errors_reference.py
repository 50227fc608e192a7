#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Exceptions against PyTorch 1.13: the same call on Lt and on torch raises
the same builtin exception class (IndexError, ValueError, RuntimeError,
NotImplementedError, FileNotFoundError), and on Lt it is also a
GLib.Error of the Lt domain, so `except IndexError` and `except
GLib.Error` both catch it.  A Python exception raised in a forward, a
dataset, a transform or a criterion reaches the caller itself.
"""

import unittest
import warnings

from harness import main, require

torch = require('torch', 'python3-torch')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

warnings.filterwarnings('ignore')

BUILTINS = (IndexError, ValueError, NotImplementedError, FileNotFoundError, OSError,
            TypeError, RuntimeError)


def builtin_class(exc):
    """The most derived builtin exception class `exc` is an instance of."""
    for cls in BUILTINS:
        if isinstance(exc, cls):
            return cls
    return type(exc)


# Cases that the overrides check in Python before any call into C: they
# raise the builtin exception only.
RAISED_IN_PYTHON = {'SGD learning rate', 'item of many elements'}


def cases(L):
    """(name, call) pairs that fail, written once for torch and for Lt
    (`L` is the module)."""
    nn, F = L.nn, L.nn.functional
    x = L.zeros(3, 4)

    def opt(**kw):
        return L.optim.SGD([L.zeros(1, requires_grad=True)], **kw)

    return [
        ('sum over a dimension out of range', lambda: x.sum(5)),
        ('select out of range', lambda: x.select(0, 5)),
        ('x[5]', lambda: x[5]),
        ('narrow over a dimension out of range', lambda: x.narrow(5, 0, 1)),
        ('index_select out of range', lambda: x.index_select(0, L.tensor([7]))),
        ('gather out of range', lambda: x.gather(0, L.tensor([[7]]))),
        ('one_hot class out of range', lambda: F.one_hot(L.tensor([5]), 3)),
        ('transpose out of range', lambda: x.transpose(0, 4)),
        ('unsqueeze out of range', lambda: x.unsqueeze(5)),
        ('softmax dimension out of range', lambda: x.softmax(5)),
        ('flatten out of range', lambda: x.flatten(3)),
        ('size out of range', lambda: x.size(5)),
        ('view to a wrong size', lambda: x.view(5)),
        ('reshape to a wrong size', lambda: x.reshape(7)),
        ('add shapes', lambda: x + L.zeros(5)),
        ('mm shapes', lambda: x.mm(x)),
        ('linear shapes', lambda: nn.Linear(5, 2)(x)),
        ('cat shapes', lambda: L.cat([L.zeros(2, 3), L.zeros(2, 4)])),
        ('stack shapes', lambda: L.stack([L.zeros(2), L.zeros(3)])),
        ('expand', lambda: x.expand(5, 4)),
        ('arange step 0', lambda: L.arange(0, 10, 0)),
        ('randint low >= high', lambda: L.randint(5, 2, (3,))),
        ('zeros of a negative size', lambda: L.zeros(-1)),
        ('Conv2d groups', lambda: nn.Conv2d(3, 4, 3, groups=2)),
        ('Dropout p', lambda: nn.Dropout(2)),
        ('SGD learning rate', lambda: opt(lr=-1)),
        ('DataLoader batch size', lambda: L.utils.data.DataLoader(
            L.utils.data.TensorDataset(L.zeros(2)), batch_size=0)),
        ('cross_entropy batch sizes', lambda: F.cross_entropy(
            L.zeros(3, 4), L.zeros(2, dtype=L.int64))),
        ('nll_loss target out of range', lambda: F.nll_loss(
            L.zeros(3, 4), L.tensor([0, 1, 9]))),
        ('backward of a tensor without grad', lambda: L.ones(2).sum().backward()),
        ('backward of a non-scalar', lambda: (L.ones(2, requires_grad=True) * 2).backward()),
        ('in-place on a leaf that requires grad',
         lambda: L.ones(2, requires_grad=True).add_(1)),
        ('item of many elements', lambda: float(x)),
        ('conv2d channels', lambda: F.conv2d(L.zeros(1, 2, 5, 5), L.zeros(3, 3, 3, 3))),
    ]


class SameExceptions(unittest.TestCase):

    def test_same_class_as_torch(self):
        ours, theirs = cases(Lt), cases(torch)
        self.assertEqual([n for n, _ in ours], [n for n, _ in theirs])
        checked = 0
        for (name, lt_call), (_, torch_call) in zip(ours, theirs):
            with self.subTest(name):
                try:
                    torch_call()
                except Exception as e:       # noqa: B902 - any class, compared below
                    expected = builtin_class(e)
                else:
                    self.fail('torch raises nothing for ' + name)
                try:
                    lt_call()
                except Exception as e:       # noqa: B902
                    got = e
                else:
                    self.fail('Lt raises nothing for ' + name)
                self.assertIs(builtin_class(got), expected,
                              '%s: Lt raises %r, torch %s' % (name, got, expected.__name__))
                # a library error is also a GLib.Error of the Lt domain
                # (checks that the overrides make in Python raise the
                # builtin class alone)
                if name not in RAISED_IN_PYTHON:
                    self.assertIsInstance(got, GLib.Error, name)
                    self.assertEqual(got.domain, GLib.quark_to_string(Lt.error_quark()), name)
                checked += 1
        self.assertEqual(checked, len(ours))

    def test_library_errors_are_both(self):
        x = Lt.zeros(3, 4)
        for call, cls, code in ((lambda: x.sum(5), IndexError, Lt.Error.INDEX),
                                (lambda: x.view(5), RuntimeError, Lt.Error.SHAPE),
                                (lambda: Lt.nn.Dropout(2), ValueError,
                                 Lt.Error.INVALID_ARGUMENT)):
            with self.assertRaises(cls) as cm:
                call()
            self.assertIsInstance(cm.exception, GLib.Error)
            self.assertTrue(cm.exception.matches(Lt.error_quark(), code), cm.exception)
            with self.assertRaises(GLib.Error):
                call()
        # errors of other domains are made as before
        with self.assertRaises(GLib.Error) as cm:
            GLib.file_get_contents('/nonexistent/file')
        self.assertIs(type(cm.exception), GLib.Error)
        # and the class survives copy()
        e = GLib.Error.new_literal(Lt.error_quark(), 'select: index 9 is out of range',
                                   Lt.Error.INDEX)
        self.assertIsInstance(e, IndexError)
        self.assertIsInstance(e.copy(), IndexError)
        self.assertEqual(e.message, 'select: index 9 is out of range')


class OwnExceptions(unittest.TestCase):
    """A Python exception raised in user code that the library calls comes
    back to the caller itself, as torch lets it through."""

    def test_forward(self):
        class Bad(Lt.nn.Module):
            def forward(self, x):
                self.raised = ZeroDivisionError('no forward today')
                raise self.raised

        for model in (Bad(), Lt.nn.Sequential(Lt.nn.Linear(2, 2), Bad())):
            with self.assertRaises(ZeroDivisionError) as cm:
                model(Lt.zeros(1, 2))
            bad = model if isinstance(model, Bad) else model[1]
            self.assertIs(cm.exception, bad.raised)

    def test_dataset_and_transform(self):
        raised = []

        class Items(Lt.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                if i == 2:
                    raised.append(LookupError('item %d' % i))
                    raise raised[-1]
                return Lt.zeros(2), i

        for workers in (0, 2):
            with self.assertRaises(LookupError) as cm:
                list(Lt.utils.data.DataLoader(Items(), batch_size=1, num_workers=workers))
            self.assertIs(cm.exception, raised[-1])

        # a Python transform inside a C Compose, called directly and by a loader
        def transform(img):
            raised.append(ArithmeticError('transform'))
            raise raised[-1]
        t = Lt.transforms.Compose([Lt.transforms.Normalize([0.5], [0.5]), transform])
        with self.assertRaises(ArithmeticError) as cm:
            t(Lt.zeros(1, 2, 2))
        self.assertIs(cm.exception, raised[-1])

        class Images(Items):
            def __getitem__(self, i):
                return t(Lt.zeros(1, 2, 2)), i
        for workers in (0, 2):
            del raised[:]
            with self.assertRaises(ArithmeticError) as cm:
                list(Lt.utils.data.DataLoader(Images(), batch_size=1, num_workers=workers))
            # workers fetch ahead: a later item may have raised too, after
            # the one whose batch came first
            self.assertTrue(any(cm.exception is e for e in raised), cm.exception)

    def test_carried_same_message_two_threads(self):
        """Two threads carry exceptions with the same message at once (two
        loader workers whose transform fails alike): each takes back its
        own, whichever takes first, and none is lost."""
        import threading
        from gi.overrides._lt.common import carry, take_carried
        msg_ready, b_took = threading.Event(), threading.Event()
        got = {}

        def worker_a():
            err = carry('transform t', ArithmeticError('same'))
            msg_ready.set()
            b_took.wait(10)
            got['a'] = take_carried(err)

        a = threading.Thread(target=worker_a)
        a.start()
        msg_ready.wait(10)
        exc_b = ArithmeticError('same')
        err_b = carry('transform t', exc_b)
        got['b'] = take_carried(err_b)
        b_took.set()
        a.join(10)
        self.assertIs(got['b'], exc_b)
        self.assertIsInstance(got['a'], ArithmeticError)
        self.assertIsNot(got['a'], exc_b)
        self.assertIsNone(take_carried(err_b))

    def test_collate_fn(self):
        raised = []

        def collate(batch):
            raised.append(OverflowError('collate'))
            raise raised[-1]
        data = Lt.utils.data.TensorDataset(Lt.zeros(4, 2), Lt.zeros(4))
        for workers in (0, 2):
            del raised[:]
            with self.assertRaises(OverflowError) as cm:
                list(Lt.utils.data.DataLoader(data, batch_size=2, collate_fn=collate,
                                              num_workers=workers))
            self.assertTrue(any(cm.exception is e for e in raised), cm.exception)
            self.assertNotIsInstance(cm.exception, GLib.Error)

    def test_criterion(self):
        raised = KeyError('criterion')

        def criterion(out, target):
            raise raised
        x, y = Lt.randn(8, 2), Lt.zeros(8, dtype=Lt.int64)
        net = Lt.nn.Linear(2, 2)
        loader = Lt.utils.data.DataLoader(Lt.utils.data.TensorDataset(x, y), batch_size=4)
        trainer = Lt.Trainer(net, criterion, Lt.optim.SGD(net.parameters(), lr=0.1), loader,
                             epochs=1)
        with self.assertRaises(KeyError) as cm:
            trainer.run()
        self.assertIs(cm.exception, raised)


if __name__ == '__main__':
    main(verbosity=2)
