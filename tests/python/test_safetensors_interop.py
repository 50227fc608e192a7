#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checkpoints against the reference safetensors package (from PyPI, in the
source root's .venv) and PyTorch:

- files Lt writes load with safetensors.torch.load_file and
  safetensors.numpy.load_file to identical values, for every dtype, 0-dim and
  empty tensors, names with non-ASCII and escaped characters, metadata;
- files the reference writes (torch and numpy writers, with and without
  metadata, F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL) load in Lt; F16 and BF16
  become float32 holding exactly torch's .float() of them;
- Lt -> torch -> safetensors.torch.save_file gives our bytes back, and
  save_file -> Lt -> save gives the reference's bytes back;
- state dicts of torch's nn.Linear, nn.Conv2d, nn.BatchNorm2d and a small
  Net load into LtModules built with the same names, and ours load into
  torch's load_state_dict (strict), with identical values.

Run by .venv/bin/python (tools/install-deps.sh makes it); fails with what
to install when the venv, safetensors or torch is missing."""

import os
import tempfile
import unittest

from harness import main, require, require_from_venv

require_from_venv('safetensors')
torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')
import safetensors.numpy  # noqa: E402
import safetensors.torch  # noqa: E402
from safetensors import safe_open  # noqa: E402

import gi
gi.require_version('Lt', '1.0')
from gi.module import get_introspection_module  # noqa: E402
from gi.repository import GLib, Lt  # noqa: E402

# The introspected classes themselves: the Python overrides may wrap Module
# in a torch-like class; these tests speak to the C API.
GI = get_introspection_module('Lt')

torch.manual_seed(20240607)
rng = np.random.default_rng(20240607)

# Our dtypes, their numpy and torch types and safetensors names.
DTYPES = [
    (Lt.DType.FLOAT32, np.float32, torch.float32, 'F32'),
    (Lt.DType.FLOAT64, np.float64, torch.float64, 'F64'),
    (Lt.DType.INT64, np.int64, torch.int64, 'I64'),
    (Lt.DType.INT32, np.int32, torch.int32, 'I32'),
    (Lt.DType.INT16, np.int16, torch.int16, 'I16'),
    (Lt.DType.INT8, np.int8, torch.int8, 'I8'),
    (Lt.DType.UINT8, np.uint8, torch.uint8, 'U8'),
    (Lt.DType.BOOL, np.bool_, torch.bool, 'BOOL'),
]
TORCH_TO_NP = {t: n for _, n, t, _ in DTYPES}


def values(np_type, shape):
    """Random values of a dtype, with its extremes and (for floats) the
    special values in the first elements."""
    n = int(np.prod(shape)) if shape else 1
    if np_type == np.bool_:
        a = rng.random(n) > 0.5
    elif np.issubdtype(np_type, np.floating):
        a = rng.standard_normal(n).astype(np_type)
        special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, np.finfo(np_type).max,
                            np.finfo(np_type).tiny, np.finfo(np_type).smallest_subnormal],
                           dtype=np_type)
        a[:min(n, len(special))] = special[:n]
    else:
        info = np.iinfo(np_type)
        a = rng.integers(info.min, info.max, n, dtype=np_type, endpoint=True)
        a[:min(n, 2)] = [info.min, info.max][:n]
    return a.reshape(shape)


def lt_tensor(a):
    """An Lt tensor holding a copy of a numpy array (0-dim stays 0-dim)."""
    return Lt.from_numpy(np.array(a, copy=True, order='C'))


def to_numpy(t):
    """A numpy copy of an Lt tensor."""
    return np.array(t.detach().numpy() if t.get_requires_grad() else t.numpy(), copy=True)


def same(a, b):
    """Equal dtype, shape and bits (NaNs included)."""
    a = np.asarray(a)
    b = np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def lt_state_dict(arrays, metadata=None):
    sd = Lt.StateDict.new()
    for name, a in arrays.items():
        sd.insert(name, lt_tensor(a))
    for k, v in (metadata or {}).items():
        sd.set_metadata(k, v)
    return sd


def lt_load(path):
    sd = Lt.StateDict.load(path)
    out = {sd.get_name(i): to_numpy(sd.get_tensor(i)) for i in range(sd.get_n_tensors())}
    meta = {k: sd.get_metadata(k) for k in sd.get_metadata_keys()}
    return out, meta


def read(path):
    with open(path, 'rb') as f:
        return f.read()


class Case(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix='lt-interop-')
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


class TestOursInReference(Case):
    """Files Lt writes, read by the reference."""

    def arrays(self):
        out = {}
        for _, np_type, _, st in DTYPES:
            out['%s.matrix' % st.lower()] = values(np_type, (3, 5))
            out['%s.scalar' % st.lower()] = values(np_type, ())
            out['%s.empty' % st.lower()] = values(np_type, (0, 4))
        out['nest.é.层.😀'] = values(np.float32, (2, 1, 2))
        out['esc"\\\n\t\x01/'] = values(np.int64, (2,))
        return out

    def test_every_dtype(self):
        arrays = self.arrays()
        meta = {'epoch': '7', 'step': '1200', 'note': 'é "q"\n'}
        path = self.path('ours.safetensors')
        lt_state_dict(arrays, meta).save(path)

        got_np = safetensors.numpy.load_file(path)
        got_pt = safetensors.torch.load_file(path)
        self.assertEqual(set(got_np), set(arrays))
        self.assertEqual(set(got_pt), set(arrays))
        for name, a in arrays.items():
            self.assertTrue(same(got_np[name], a), name)
            t = got_pt[name]
            self.assertEqual(TORCH_TO_NP[t.dtype], a.dtype.type, name)
            self.assertTrue(same(t.numpy(), a), name)
        with safe_open(path, framework='pt') as f:
            self.assertEqual(f.metadata(), meta)
            self.assertEqual(set(f.keys()), set(arrays))

    def test_serialize_matches_save(self):
        arrays = self.arrays()
        sd = lt_state_dict(arrays)
        path = self.path('ours.safetensors')
        sd.save(path)
        data = bytes(sd.serialize().get_data())
        self.assertEqual(data, read(path))
        loaded = safetensors.numpy.load(data)
        for name, a in arrays.items():
            self.assertTrue(same(loaded[name], a), name)

    def test_empty_state_dict(self):
        path = self.path('empty.safetensors')
        Lt.StateDict.new().save(path)
        self.assertEqual(read(path), b'\x08\x00\x00\x00\x00\x00\x00\x00{}      ')
        self.assertEqual(safetensors.torch.load_file(path), {})


class TestReferenceInOurs(Case):
    """Files the reference writes, read by Lt."""

    def torch_tensors(self):
        out = {}
        for _, np_type, torch_type, st in DTYPES:
            out[st.lower()] = torch.from_numpy(values(np_type, (4, 3)))
            out[st.lower() + '.scalar'] = torch.from_numpy(values(np_type, ()))
            out[st.lower() + '.empty'] = torch.from_numpy(values(np_type, (2, 0)))
        # Half types: normal, subnormal, infinite and NaN values.
        f16 = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035e-05, 5.96e-08, float('inf'),
                            float('-inf'), float('nan'), 0.1, 1000.5], dtype=torch.float16)
        out['f16'] = f16.reshape(3, 4)
        out['f16.random'] = torch.randn(5, 7).half()
        bf16 = torch.tensor([0.0, -0.0, 1.0, -2.5, 3.3895e38, 1e-38, 9.2e-41, float('inf'),
                             float('nan'), 0.1, 1000.5, -7.0], dtype=torch.bfloat16)
        out['bf16'] = bf16.reshape(4, 3)
        out['bf16.random'] = torch.randn(2, 3, 4).bfloat16()
        out['bf16.scalar'] = torch.tensor(1.5, dtype=torch.bfloat16)
        return out

    def check(self, path, tensors, metadata):
        got, meta = lt_load(path)
        self.assertEqual(meta, metadata or {})
        self.assertEqual(set(got), set(tensors))
        for name, t in tensors.items():
            g = got[name]
            if t.dtype in (torch.float16, torch.bfloat16):
                # Converted to float32 exactly as torch converts them.
                self.assertEqual(g.dtype, np.float32, name)
                self.assertTrue(same(g, t.float().numpy()), name)
            else:
                self.assertTrue(same(g, t.numpy()), name)

    def test_torch_writer(self):
        tensors = self.torch_tensors()
        for metadata in (None, {'format': 'pt'}, {'epoch': '3', 'lib': 'torch', 'é': 'ü'}):
            path = self.path('ref.safetensors')
            safetensors.torch.save_file(tensors, path, metadata=metadata)
            self.check(path, tensors, metadata)

    def test_numpy_writer(self):
        arrays = {st: values(np_type, (3, 2)) for _, np_type, _, st in DTYPES}
        arrays['F16'] = values(np.float16, (9,))
        for metadata in (None, {'source': 'numpy'}):
            path = self.path('np.safetensors')
            safetensors.numpy.save_file(arrays, path, metadata=metadata)
            got, meta = lt_load(path)
            self.assertEqual(meta, metadata or {})
            for name, a in arrays.items():
                want = a.astype(np.float32) if a.dtype == np.float16 else a
                self.assertTrue(same(got[name], want), name)

    def test_reference_bytes_load_in_memory(self):
        tensors = self.torch_tensors()
        data = safetensors.torch.save(tensors, metadata={'k': 'v'})
        sd = Lt.StateDict.deserialize(GLib.Bytes.new(data), 'reference bytes')
        self.assertEqual(sd.get_n_tensors(), len(tensors))
        self.assertEqual(sd.get_metadata('k'), 'v')


class TestByteIdentity(Case):
    """Our writer and the reference's give the same bytes."""

    def arrays(self):
        out = {}
        for _, np_type, _, st in DTYPES:
            out['layer.%s.w' % st] = values(np_type, (2, 3))
            out['%s.b' % st] = values(np_type, (3,))
            out['%s.s' % st] = values(np_type, ())
        out['empty'] = values(np.float32, (0,))
        out['zz.é'] = values(np.float64, (1, 1, 1))
        return out

    def test_ours_through_torch(self):
        for metadata in (None, {'epoch': '12'}):
            ours = self.path('ours.safetensors')
            theirs = self.path('theirs.safetensors')
            lt_state_dict(self.arrays(), metadata).save(ours)
            safetensors.torch.save_file(safetensors.torch.load_file(ours), theirs,
                                        metadata=metadata)
            self.assertEqual(read(ours), read(theirs))

    def test_theirs_through_ours(self):
        tensors = {k: torch.from_numpy(v) for k, v in self.arrays().items()}
        for metadata in (None, {'format': 'pt'}):
            theirs = self.path('theirs.safetensors')
            ours = self.path('ours.safetensors')
            safetensors.torch.save_file(tensors, theirs, metadata=metadata)
            Lt.StateDict.load(theirs).save(ours)
            self.assertEqual(read(ours), read(theirs))

    def test_numpy_writer_bytes(self):
        arrays = self.arrays()
        theirs = self.path('np.safetensors')
        ours = self.path('ours.safetensors')
        safetensors.numpy.save_file(arrays, theirs)
        lt_state_dict(arrays).save(ours)
        self.assertEqual(read(ours), read(theirs))


def lt_module(params, buffers=(), children=()):
    """An LtModule with the given parameters and buffers (name -> numpy
    array) and children (name -> module), registered in that order."""
    m = GI.Module()
    for name, a in params.items():
        GI.Module.register_parameter(m, name, lt_tensor(a))
    for name, a in dict(buffers).items():
        GI.Module.register_buffer(m, name, lt_tensor(a))
    for name, child in dict(children).items():
        GI.Module.register_module(m, name, child)
    return m


def lt_module_like(torch_module):
    """An LtModule with the names and shapes of a torch module's own
    parameters and buffers (zeros), and its children likewise."""
    params = {n: np.zeros(tuple(p.shape), TORCH_TO_NP[p.dtype])
              for n, p in torch_module.named_parameters(recurse=False)}
    buffers = {n: np.zeros(tuple(b.shape), TORCH_TO_NP[b.dtype])
               for n, b in torch_module.named_buffers(recurse=False)}
    children = {n: lt_module_like(c) for n, c in torch_module.named_children()}
    return lt_module(params, buffers, children)


def lt_module_state(m):
    sd = GI.Module.state_dict(m)
    return {sd.get_name(i): to_numpy(sd.get_tensor(i)) for i in range(sd.get_n_tensors())}


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5)
        self.bn = torch.nn.BatchNorm2d(6)
        self.fc1 = torch.nn.Linear(6 * 4 * 4, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.bn(self.conv1(x))), 2)
        return self.fc1(torch.flatten(x, 1))


class TestModules(Case):
    """torch's modules and LtModules exchange their state."""

    def torch_modules(self):
        bn = torch.nn.BatchNorm2d(3)
        bn.train()
        bn(torch.randn(4, 3, 5, 5))       # running statistics and num_batches_tracked move
        net = Net()
        net.train()
        net(torch.randn(2, 1, 12, 12))
        return {
            'linear': torch.nn.Linear(5, 3),
            'linear-nobias': torch.nn.Linear(4, 2, bias=False),
            'conv2d': torch.nn.Conv2d(2, 4, 3, stride=2, padding=1),
            'conv2d-groups': torch.nn.Conv2d(4, 6, (3, 2), groups=2, bias=False),
            'batchnorm2d': bn,
            'net': net,
        }

    def test_torch_into_lt(self):
        for label, tm in self.torch_modules().items():
            path = self.path(label + '.safetensors')
            safetensors.torch.save_file(tm.state_dict(), path)
            m = lt_module_like(tm)
            self.assertEqual(list(lt_module_state(m)), list(tm.state_dict()), label)
            GI.Module.load(m, path, True)
            got = lt_module_state(m)
            for name, t in tm.state_dict().items():
                self.assertTrue(same(got[name], t.numpy()), '%s: %s' % (label, name))

    def test_lt_into_torch(self):
        for label, tm in self.torch_modules().items():
            ref = tm.state_dict()
            # Our module: the same names, other values.
            m = lt_module_like(tm)
            state = Lt.StateDict.new()
            want = {}
            for name, t in ref.items():
                a = values(TORCH_TO_NP[t.dtype], tuple(t.shape))
                if t.dtype == torch.int64:
                    a = np.asarray(rng.integers(0, 1000), dtype=np.int64).reshape(tuple(t.shape))
                want[name] = a
                state.insert(name, lt_tensor(a))
            GI.Module.load_state_dict(m, state, True)
            path = self.path(label + '.safetensors')
            GI.Module.save(m, path)

            result = tm.load_state_dict(safetensors.torch.load_file(path), strict=True)
            self.assertEqual((result.missing_keys, result.unexpected_keys), ([], []), label)
            for name, t in tm.state_dict().items():
                self.assertTrue(same(t.numpy(), want[name]), '%s: %s' % (label, name))

    def test_forward_after_loading(self):
        # A Linear's weights from Lt give torch the numpy answer.
        m = lt_module({'weight': rng.standard_normal((3, 5)).astype(np.float32),
                       'bias': rng.standard_normal(3).astype(np.float32)})
        path = self.path('linear.safetensors')
        GI.Module.save(m, path)
        lin = torch.nn.Linear(5, 3)
        lin.load_state_dict(safetensors.torch.load_file(path))
        x = rng.standard_normal((4, 5)).astype(np.float32)
        state = lt_module_state(m)
        want = x.astype(np.float64) @ state['weight'].T.astype(np.float64) + state['bias']
        with torch.no_grad():
            got = lin(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)

    def test_mismatches(self):
        lin = torch.nn.Linear(5, 3)
        path = self.path('linear.safetensors')
        safetensors.torch.save_file(lin.state_dict(), path)

        # A module expecting another shape: SHAPE error, nothing changed.
        w = np.full((5, 3), 7, np.float32)
        m = lt_module({'weight': w, 'bias': np.zeros(3, np.float32)})
        with self.assertRaises(GLib.Error) as cm:
            GI.Module.load(m, path, False)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.SHAPE))
        self.assertIn('weight', cm.exception.message)
        self.assertTrue(same(lt_module_state(m)['weight'], w))

        # Missing and unexpected keys: strict refuses, non-strict reports.
        m = lt_module({'weight': np.zeros((3, 5), np.float32),
                       'scale': np.ones(1, np.float32)})
        with self.assertRaises(GLib.Error) as cm:
            GI.Module.load(m, path, True)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INVALID_ARGUMENT))
        self.assertIn('"scale"', cm.exception.message)
        self.assertIn('"bias"', cm.exception.message)
        r = GI.Module.load_state_dict(m, Lt.StateDict.load(path), False)
        r = [x for x in r if not isinstance(x, bool)]
        self.assertEqual([list(r[0]), list(r[1])], [['scale'], ['bias']])
        self.assertTrue(same(lt_module_state(m)['weight'], lin.weight.detach().numpy()))


if __name__ == '__main__':
    main(verbosity=2)
