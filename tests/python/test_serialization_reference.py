#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.save and Lt.load, and the .pt/.pth files of PyTorch 1.13.

- Files that Debian's torch.save writes here (zip format and legacy
  format): float32, float64, int64, int32, uint8, bool, half and bfloat16
  tensors, 0-d and empty ones, views into one storage (which stay views
  of one storage), nested dicts, lists and tuples of numbers, strings and
  None, model and optimizer state dicts; Lt.load gives what torch.load
  gives, value for value.
- model.load_state_dict (Lt.load (path)) on a file of torch.save gives
  the same outputs as the torch model; Lt.save then Lt.load of a model's
  and an optimizer's state dicts round-trips (the optimizer then takes
  the same steps); a dict of tensors is a plain safetensors file.
- Hostile files: every truncation of a small file (both formats), sizes
  that lie, pickles that reach for os.system, builtins.eval or any other
  global are refused with a GLib.Error naming the file and the global,
  and nothing runs.
"""

import collections
import io
import math
import os
import pickle
import struct
import tempfile
import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.manual_seed(20261206)


def values_equal(test, ours, theirs, where='obj'):
    """Lt.load's `ours` is torch.load's `theirs` (or what was saved)."""
    if isinstance(theirs, Lt.Tensor):
        test.assertIsInstance(ours, Lt.Tensor, where)
        test.assertEqual(ours.dtype, theirs.dtype, where)
        test.assertEqual(ours.tolist(), theirs.tolist(), where)
    elif isinstance(theirs, torch.Tensor):
        test.assertIsInstance(ours, Lt.Tensor, where)
        test.assertEqual(tuple(ours.shape), tuple(theirs.shape), where)
        want = theirs.detach()
        if want.dtype in (torch.float16, torch.bfloat16):
            want = want.float()
        test.assertEqual(repr(ours.dtype).replace('Lt.', ''),
                         repr(want.dtype).replace('torch.', ''), where)
        test.assertEqual(ours.requires_grad, theirs.requires_grad, where)
        np.testing.assert_array_equal(ours.detach().numpy(), want.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        test.assertEqual(type(ours), type(theirs), where)
        test.assertEqual(list(ours.keys()), list(theirs.keys()), where)
        for k in theirs:
            values_equal(test, ours[k], theirs[k], '%s[%r]' % (where, k))
    elif isinstance(theirs, (list, tuple)):
        test.assertEqual(type(ours), type(theirs), where)
        test.assertEqual(len(ours), len(theirs), where)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            values_equal(test, a, b, '%s[%d]' % (where, i))
    elif isinstance(theirs, float) and math.isnan(theirs):
        test.assertTrue(math.isnan(ours), where)
    else:
        test.assertEqual(type(ours), type(theirs), where)
        test.assertEqual(ours, theirs, where)


def mixed():
    base = torch.arange(12.0)
    return {
        'f32': torch.randn(2, 3), 'f64': torch.randn(3, dtype=torch.float64),
        'i64': torch.tensor([1, -2, 2**40]), 'i32': torch.tensor([7, -8], dtype=torch.int32),
        'u8': torch.tensor([0, 255], dtype=torch.uint8), 'bool': torch.tensor([True, False]),
        'half': torch.tensor([1.5, -2.0, 65504.0, 6e-8], dtype=torch.half),
        'bf16': torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
        'scalar': torch.tensor(3.5), 'empty': torch.zeros(0, 4),
        'base': base, 'view': base[2:8].view(2, 3), 't': base.view(3, 4).t(),
        'grad': torch.ones(2, requires_grad=True),
        'nested': {'x': [1, 2.5, None, 's', (3, True), float('inf')], 7: 'int key'},
    }


class TorchFiles(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def save_both(self, obj, name):
        """The paths of `obj` saved by torch in the zip and legacy formats."""
        paths = []
        for legacy in (False, True):
            p = self.path('%s%s.pt' % (name, '-legacy' if legacy else ''))
            torch.save(obj, p, _use_new_zipfile_serialization=not legacy)
            paths.append(p)
        return paths

    def test_dtypes_views_and_containers(self):
        obj = mixed()
        for p in self.save_both(obj, 'mixed'):
            with self.subTest(p):
                ours = Lt.load(p)
                values_equal(self, ours, torch.load(p))
                # views of one storage share it: a write shows through
                ours['base'][3] = 100.0
                self.assertEqual(ours['view'][0, 1].item(), 100.0)
                self.assertEqual(ours['t'][3, 0].item(), 100.0)

    def test_state_dicts(self):
        net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        net(torch.randn(5, 3)).sum().backward()
        opt.step()
        for obj, name in ((net.state_dict(), 'model'), (opt.state_dict(), 'optimizer'),
                          ({'model': net.state_dict(), 'epoch': 3, 'loss': 0.25}, 'checkpoint'),
                          (torch.nn.Parameter(torch.ones(2)), 'parameter')):
            for p in self.save_both(obj, name):
                with self.subTest(p):
                    values_equal(self, Lt.load(p), torch.load(p))
        self.assertIsInstance(Lt.load(self.path('model.pt')), collections.OrderedDict)

    def test_load_state_dict_of_torch(self):
        theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        for legacy in (False, True):
            p = self.path('net%d.pth' % legacy)
            torch.save(theirs.state_dict(), p, _use_new_zipfile_serialization=not legacy)
            ours = Lt.nn.Sequential(Lt.nn.Linear(3, 4), Lt.nn.ReLU(), Lt.nn.Linear(4, 2))
            ours.load_state_dict(Lt.load(p))
            x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
            np.testing.assert_allclose(ours(Lt.tensor(x)).detach().numpy(),
                                       theirs(torch.tensor(x)).detach().numpy(),
                                       rtol=1e-6, atol=1e-6)

    def test_c_entry_point(self):
        p = self.path('c.pt')
        torch.save({'w': torch.ones(2, 2), 'n': [1, 2.0]}, p)
        sd, structure = Lt.torch_load(p)
        self.assertEqual([sd.get_name(i) for i in range(sd.get_n_tensors())], ['w'])
        self.assertEqual(structure, '{"dict": [["w", {"tensor": "w"}], ["n", [1, 2.0]]]}')
        with open(p, 'rb') as f:
            sd2, structure2 = Lt.torch_load_bytes(GLib.Bytes.new(f.read()), 'c.pt')
        self.assertEqual(structure2, structure)
        self.assertEqual(sd2.lookup('w').tolist(), [[1.0, 1.0], [1.0, 1.0]])


class LtSaveLoad(unittest.TestCase):

    def test_round_trips(self):
        with tempfile.TemporaryDirectory() as d:
            net = Lt.nn.Sequential(Lt.nn.Linear(3, 4), Lt.nn.ReLU(), Lt.nn.Linear(4, 2))
            opt = Lt.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
            x = Lt.randn(6, 3)
            net(x).sum().backward()
            opt.step()
            Lt.save(net.state_dict(), os.path.join(d, 'net.safetensors'))
            Lt.save(opt.state_dict(), os.path.join(d, 'opt.pt'))
            # a dict of tensors is a plain safetensors file
            with open(os.path.join(d, 'net.safetensors'), 'rb') as f:
                n = struct.unpack('<Q', f.read(8))[0]
                self.assertIn(b'"0.weight"', f.read(n))
            net2 = Lt.nn.Sequential(Lt.nn.Linear(3, 4), Lt.nn.ReLU(), Lt.nn.Linear(4, 2))
            net2.load_state_dict(Lt.load(os.path.join(d, 'net.safetensors')))
            opt2 = Lt.optim.SGD(net2.parameters(), lr=0.5, momentum=0.1)
            loaded = Lt.load(os.path.join(d, 'opt.pt'))
            values_equal(self, loaded, opt.state_dict())
            opt2.load_state_dict(loaded)
            for model, o in ((net, opt), (net2, opt2)):
                o.zero_grad()
                model(x).sum().backward()
                o.step()
            for a, b in zip(net.parameters(), net2.parameters()):
                self.assertEqual(a.tolist(), b.tolist())

            obj = {'a': [1, 2.5, None, 'x', (True, b'raw')], 'nan': float('nan'),
                   'od': collections.OrderedDict(z=Lt.ones(2)), 3: Lt.zeros(1)}
            Lt.save(obj, os.path.join(d, 'obj.lt'))
            back = Lt.load(os.path.join(d, 'obj.lt'))
            self.assertEqual(back['a'], [1, 2.5, None, 'x', (True, b'raw')])
            self.assertTrue(math.isnan(back['nan']))
            self.assertIsInstance(back['od'], collections.OrderedDict)
            self.assertEqual(back['od']['z'].tolist(), [1.0, 1.0])
            self.assertEqual(back[3].tolist(), [0.0])

    def test_refusals(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(TypeError) as cm:
                Lt.save(Lt.nn.Linear(2, 2), os.path.join(d, 'model.pt'))
            self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INVALID_ARGUMENT))
            with self.assertRaises(TypeError):
                Lt.save({'f': len}, os.path.join(d, 'f.pt'))
            with self.assertRaises(FileNotFoundError):
                Lt.load(os.path.join(d, 'absent.pt'))
            with self.assertRaises(FileNotFoundError):
                torch.load(os.path.join(d, 'absent.pt'))


class Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class HostileFiles(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.flag = os.path.join(self.dir.name, 'ran')

    def tearDown(self):
        self.dir.cleanup()

    def refused(self, data, name, *words):
        p = os.path.join(self.dir.name, name)
        with open(p, 'wb') as f:
            f.write(data)
        with self.assertRaises(GLib.Error) as cm:
            Lt.load(p)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.FORMAT), cm.exception)
        self.assertIn(p, cm.exception.message)
        for w in words:
            self.assertIn(w, cm.exception.message)
        return cm.exception.message

    def test_globals_are_refused(self):
        for fn, args, named in ((os.system, ('touch ' + self.flag,), 'posix.system'),
                                (eval, ('1',), '__builtin__.eval'),
                                (collections.Counter, (), 'collections.Counter'),
                                (getattr, ('text', 'upper'), '__builtin__.getattr')):
            for legacy in (False, True):
                buf = io.BytesIO()
                torch.save({'w': torch.ones(1), 'x': Evil(fn, *args)}, buf,
                           _use_new_zipfile_serialization=not legacy)
                self.refused(buf.getvalue(), 'evil%d.pt' % legacy, named, 'not allow')
        self.assertFalse(os.path.exists(self.flag))
        # a pickle of protocol 2 that torch itself would run
        body = pickle.dumps(Evil(os.system, 'touch ' + self.flag), protocol=2)
        zipped = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(zipped, 'w') as z:
            z.writestr('archive/data.pkl', body)
        self.refused(zipped.getvalue(), 'plain.pt', 'posix.system')
        self.assertFalse(os.path.exists(self.flag))

    def test_every_truncation(self):
        for legacy in (False, True):
            buf = io.BytesIO()
            torch.save({'w': torch.arange(3.0), 'n': [1, 'a']}, buf,
                       _use_new_zipfile_serialization=not legacy)
            data = buf.getvalue()
            for n in range(len(data)):
                if n < 2:
                    continue    # too short to be told from other formats: tested below
                with self.subTest(legacy=legacy, n=n):
                    self.refused(data[:n], 'cut.pt')
        self.refused(b'PK\x03\x04', 'tiny.pt', 'zip')

    def test_pickles_that_cost(self):
        import zipfile

        def zipped(body):
            out = io.BytesIO()
            with zipfile.ZipFile(out, 'w') as z:
                z.writestr('archive/data.pkl', b'\x80\x02' + body + b'.')
            return out.getvalue()
        # 2**60 paths through shared lists: refused, not walked
        self.refused(zipped(b']q\x000' + b'(h\x00h\x00lq\x000' * 60 + b'h\x00'), 'shared.pt',
                     'too large')
        self.refused(zipped(b']q\x00h\x00a'), 'loop.pt', 'inside itself')
        # a key set 50,000 times is one key (in linear time)
        p = os.path.join(self.dir.name, 'keys.pt')
        with open(p, 'wb') as f:
            f.write(zipped(b'}(' + b'X\x01\x00\x00\x00kK\x01' * 50000 + b'u'))
        self.assertEqual(Lt.load(p), {'k': 1})
        # the structure of a safetensors file is checked too
        sd = Lt.StateDict.new()
        sd.set_metadata('lt.structure', '{"dict": 5}')
        p = os.path.join(self.dir.name, 'bad.safetensors')
        sd.save(p)
        with self.assertRaises(GLib.Error) as cm:
            Lt.load(p)
        self.assertIn('lt.structure', cm.exception.message)

    def test_sizes_that_lie(self):
        buf = io.BytesIO()
        torch.save({'w': torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
        data = buf.getvalue()
        # the element count before the storage's bytes
        self.refused(data[:-16] + struct.pack('<q', 1 << 60) + data[-8:], 'count.pt',
                     'elements')
        self.refused(data[:-16] + struct.pack('<q', -1) + data[-8:], 'negative.pt')
        buf = io.BytesIO()
        torch.save({'w': torch.ones(2)}, buf)
        data = bytearray(buf.getvalue())
        eocd = data.rfind(b'PK\x05\x06')
        bad = bytearray(data)
        bad[eocd + 16:eocd + 20] = struct.pack('<I', len(data) + 5)
        self.refused(bytes(bad), 'cdir.pt', 'central directory')
        bad = bytearray(data)
        bad[eocd + 10:eocd + 12] = struct.pack('<H', 60000)
        self.refused(bytes(bad), 'count2.pt', 'members')


if __name__ == '__main__':
    main(verbosity=2)
