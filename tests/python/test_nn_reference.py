#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The newer parts of Lt.nn side by side with PyTorch 1.13 (/usr/bin/python3's
torch): the containers and nn.Parameter (names, printed forms, state_dict,
gradients), the activations and simple layers, with the same weights in
and the same outputs and gradients out, their autograd node names, and
float64 gradcheck of the new ops; LayerNorm and GroupNorm; nn.utils and the composed initialisers of
nn.init; Conv1d and ConvTranspose2d (outputs, gradients, printed forms,
errors)."""

import collections
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')
TF = require('torch.nn.functional', 'python3-torch')

nn = Lt.nn
F = Lt.nn.functional


def to_torch(t):
    return torch.from_numpy(np.array(t.numpy(), copy=True))


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


def copy_weights(ours, theirs):
    sd = collections.OrderedDict((k, to_lt(v)) for k, v in theirs.state_dict().items())
    result = ours.load_state_dict(sd)
    assert not result.missing_keys and not result.unexpected_keys, result


def lt_repr(text):
    """PyTorch's printed form as Lt prints it (Lt.float32 for torch.float32)."""
    return text.replace('torch.', 'Lt.')


def containers_net(nn):
    """One structure with every container, on nn (Lt.nn or torch.nn)."""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 4)])
            self.layers.append(nn.Linear(4, 2))
            self.heads = nn.ModuleDict(collections.OrderedDict(
                [('act', nn.Tanh()), ('skip', nn.Identity())]))
            self.scales = nn.ParameterList([nn.Parameter(torch_like(nn).ones(4)),
                                            nn.Parameter(torch_like(nn).ones(4))])
            self.extra = nn.ParameterDict(collections.OrderedDict(
                [('shift', nn.Parameter(torch_like(nn).zeros(2)))]))
            self.gain = nn.Parameter(torch_like(nn).ones(1))

        def forward(self, x):
            for i, layer in enumerate(self.layers):
                x = layer(x)
                if i < len(self.scales):
                    x = self.heads['act'](x * self.scales[i])
            return self.heads['skip'](x) * self.gain + self.extra['shift']
    return Net()


def torch_like(nn):
    return Lt if nn is Lt.nn else torch


class TestContainers(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def test_names_and_print_match_torch(self):
        ours, theirs = containers_net(nn), containers_net(tnn)
        self.assertEqual([n for n, _ in ours.named_parameters()],
                         [n for n, _ in theirs.named_parameters()])
        self.assertEqual(list(ours.state_dict()), list(theirs.state_dict()))
        self.assertEqual(str(ours), lt_repr(str(theirs)))
        self.assertEqual([n for n, _ in ours.named_modules()],
                         [n for n, _ in theirs.named_modules()])

    def test_same_weights_same_outputs_and_gradients(self):
        ours, theirs = containers_net(nn), containers_net(tnn)
        copy_weights(ours, theirs)
        x = torch.randn(5, 3)
        y_t = theirs(x)
        y_o = ours(to_lt(x))
        np.testing.assert_allclose(y_o.detach().numpy(), y_t.detach().numpy(), rtol=1e-5, atol=1e-6)
        y_t.pow(2).sum().backward()
        y_o.pow(2).sum().backward()
        grads_t = dict((n, p.grad) for n, p in theirs.named_parameters())
        for n, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), grads_t[n].numpy(), rtol=1e-4,
                                       atol=1e-6, err_msg=n)

    def test_module_list_operations(self):
        for lib in (nn, tnn):
            ml = lib.ModuleList([lib.ReLU(), lib.Tanh(), lib.Sigmoid()])
            ml.insert(1, lib.Identity())
            del ml[0]
            ml[2] = lib.ReLU()
            ml += [lib.Tanh()]
            ml.extend([lib.Sigmoid()])
            got = [type(m).__name__ for m in ml]
            self.assertEqual(got, ['Identity', 'Tanh', 'ReLU', 'Tanh', 'Sigmoid'], lib)
            self.assertEqual(len(ml[1:3]), 2)
            self.assertEqual(type(ml[-1]).__name__, 'Sigmoid')
            self.assertEqual(type(ml.pop(0)).__name__, 'Identity')
            self.assertEqual([n for n, _ in ml.named_children()], ['0', '1', '2', '3'])
            with self.assertRaises(IndexError):
                ml[10]
            with self.assertRaises(TypeError):
                ml.append(3)
        self.assertEqual(str(nn.ModuleList([nn.ReLU(), nn.Linear(2, 3)])),
                         str(tnn.ModuleList([tnn.ReLU(), tnn.Linear(2, 3)])))
        self.assertEqual(str(nn.ModuleList()), str(tnn.ModuleList()))

    def test_module_dict_operations(self):
        for lib in (nn, tnn):
            md = lib.ModuleDict({'b': lib.ReLU(), 'a': lib.Tanh()})
            md['c'] = lib.Identity()
            md.update([('d', lib.Sigmoid())])
            self.assertEqual(list(md.keys()), ['b', 'a', 'c', 'd'], lib)
            self.assertIn('a', md)
            self.assertNotIn('z', md)
            self.assertEqual(type(md.pop('a')).__name__, 'Tanh')
            del md['b']
            self.assertEqual([k for k in md], ['c', 'd'])
            self.assertEqual([type(v).__name__ for v in md.values()], ['Identity', 'Sigmoid'])
            self.assertEqual(len(md), 2)
            with self.assertRaises(KeyError):
                md['zz']
            md.clear()
            self.assertEqual(len(md), 0)
        self.assertEqual(str(nn.ModuleDict({'x': nn.ReLU()})), str(tnn.ModuleDict({'x': tnn.ReLU()})))
        with self.assertRaises(GLib.Error) as cm:
            nn.ModuleDict()(Lt.ones(2))
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.NOT_SUPPORTED))

    def test_parameter_list_and_dict(self):
        pl_o = nn.ParameterList([nn.Parameter(Lt.randn(2, 3)), Lt.randn(4)])
        pl_t = tnn.ParameterList([tnn.Parameter(torch.randn(2, 3)), torch.randn(4)])
        self.assertEqual(str(pl_o), lt_repr(str(pl_t)))
        self.assertTrue(all(isinstance(p, nn.Parameter) and p.requires_grad for p in pl_o))
        self.assertEqual(len(pl_o), 2)
        pl_o.append(Lt.zeros(1, dtype=Lt.float64))
        pl_t.append(torch.zeros(1, dtype=torch.float64))
        self.assertEqual(str(pl_o), lt_repr(str(pl_t)))
        self.assertEqual([tuple(p.shape) for p in pl_o[1:]], [(4,), (1,)])
        pd_o = nn.ParameterDict({'w': nn.Parameter(Lt.randn(2, 3).double()), 'b': Lt.randn(4)})
        pd_t = tnn.ParameterDict({'w': tnn.Parameter(torch.randn(2, 3).double()),
                                  'b': torch.randn(4)})
        self.assertEqual(list(pd_o.keys()), list(pd_t.keys()))
        self.assertEqual(str(pd_o), lt_repr(str(pd_t)))
        pd_o['c'] = Lt.ones(1)
        self.assertEqual(pd_o.get('c').shape, Lt.Size([1]))
        self.assertIsNone(pd_o.get('zz'))
        del pd_o['c']
        self.assertEqual(list(pd_o), ['b', 'w'])
        self.assertEqual(str(nn.ParameterList()), str(tnn.ParameterList()))
        with self.assertRaises(TypeError):
            nn.ParameterList([3])

    def test_parameter_in_all_its_uses(self):
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(Lt.ones(2, 2))
                self.frozen = nn.Parameter(Lt.ones(2), requires_grad=False)
                self.register_parameter('b', nn.Parameter(Lt.zeros(2)))
                self.register_parameter('none', None)
                self.plain = Lt.ones(2)     # a tensor attribute is not a parameter

        m = M()
        self.assertEqual([n for n, _ in m.named_parameters()], ['w', 'frozen', 'b'])
        self.assertEqual(list(m.state_dict()), ['w', 'frozen', 'b'])
        self.assertTrue(m.w.requires_grad)
        self.assertFalse(m.frozen.requires_grad)
        self.assertTrue(isinstance(m.w, nn.Parameter))
        self.assertFalse(isinstance(m.plain, nn.Parameter))
        self.assertFalse(isinstance(Lt.ones(1), nn.Parameter))
        self.assertIsNone(m.none)
        # a Parameter shares the memory of the tensor it was made from
        t = Lt.zeros(3)
        p = nn.Parameter(t)
        with Lt.no_grad():
            p.add_(1)
        self.assertEqual(t.tolist(), [1.0, 1.0, 1.0])
        # replacing a C layer's parameter, and the optimizer sees the new one
        lin = nn.Linear(2, 2)
        lin.weight = nn.Parameter(Lt.eye(2))
        self.assertEqual(lin.weight.tolist(), [[1.0, 0.0], [0.0, 1.0]])
        self.assertEqual(sum(1 for _ in lin.parameters()), 2)
        opt = Lt.optim.SGD(m.parameters(), lr=0.5)
        (m.w.sum() + m.b.sum()).backward()
        opt.step()
        self.assertEqual(m.w.tolist(), [[0.5, 0.5], [0.5, 0.5]])
        self.assertEqual(m.frozen.tolist(), [1.0, 1.0])
        with self.assertRaises(TypeError):
            m.w = Lt.ones(2, 2)
        with self.assertRaises(TypeError):
            m.register_parameter('x', Lt.ones(2))

    def test_identity(self):
        x = Lt.randn(2, 3)
        self.assertIs(nn.Identity(54, unused='x')(x), x)
        self.assertEqual(str(nn.Identity()), str(tnn.Identity()))


def same_values(test, ours, theirs, rtol=1e-5, atol=1e-6, msg=None):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=atol, err_msg=msg)


# (Lt.nn module, torch.nn module) built the same way: f(nn) -> module
ACTIVATION_LAYERS = [
    lambda nn: nn.GELU(),
    lambda nn: nn.GELU(approximate='tanh'),
    lambda nn: nn.SiLU(),
    lambda nn: nn.ELU(),
    lambda nn: nn.ELU(alpha=0.5),
    lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(beta=2, threshold=3),
    lambda nn: nn.Hardtanh(),
    lambda nn: nn.Hardtanh(-2.0, 0.5),
    lambda nn: nn.PReLU(),
    lambda nn: nn.PReLU(3, init=0.1),
]

# (Lt functional, torch functional, node name) over the same input
ACTIVATION_FUNCTIONS = [
    (lambda F, x: F.gelu(x), 'GeluBackward0'),
    (lambda F, x: F.gelu(x, approximate='tanh'), 'GeluBackward0'),
    (lambda F, x: F.silu(x), 'SiluBackward0'),
    (lambda F, x: F.elu(x, 0.7), 'EluBackward0'),
    (lambda F, x: F.selu(x), 'EluBackward0'),
    (lambda F, x: F.celu(x, 0.5), 'CeluBackward0'),
    (lambda F, x: F.softplus(x, beta=0.5, threshold=2), 'SoftplusBackward0'),
    (lambda F, x: F.hardtanh(x, -0.5, 0.5), 'HardtanhBackward0'),
    (lambda F, x: F.relu6(x * 4), 'HardtanhBackward0'),
]


class TestActivations(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def test_layers_match_torch(self):
        for make in ACTIVATION_LAYERS:
            ours, theirs = make(nn), make(tnn)
            self.assertEqual(str(ours), str(theirs))
            copy_weights(ours, theirs)
            for dtype in (torch.float32, torch.float64):
                ours.to(dtype=Lt.float64 if dtype == torch.float64 else Lt.float32)
                theirs.to(dtype)
                x_t = (torch.randn(4, 3, 5, dtype=dtype) * 3).requires_grad_()
                x_o = to_lt(x_t).requires_grad_()
                y_t, y_o = theirs(x_t), ours(x_o)
                self.assertEqual(y_o.grad_fn.name(), y_t.grad_fn.name(), str(theirs))
                tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else \
                    dict(rtol=1e-12, atol=1e-12)
                same_values(self, y_o, y_t, msg=str(theirs), **tol)
                w = torch.randn(4, 3, 5, dtype=dtype)
                ours.zero_grad(set_to_none=True)
                theirs.zero_grad(set_to_none=True)
                y_t.backward(w)
                y_o.backward(to_lt(w))
                same_values(self, x_o.grad, x_t.grad, msg=str(theirs), **tol)
                for (n, p_o), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
                    same_values(self, p_o.grad, p_t.grad, msg=n, **tol)

    def test_functional_match_torch(self):
        for f, node in ACTIVATION_FUNCTIONS:
            x_t = (torch.randn(3, 7, dtype=torch.float64) * 3).requires_grad_()
            x_o = to_lt(x_t).requires_grad_()
            y_t, y_o = f(TF, x_t), f(F, x_o)
            self.assertEqual(y_t.grad_fn.name(), node)
            self.assertEqual(y_o.grad_fn.name(), node)
            same_values(self, y_o, y_t, rtol=1e-12, atol=1e-12, msg=node)
            y_t.sum().backward()
            y_o.sum().backward()
            same_values(self, x_o.grad, x_t.grad, rtol=1e-12, atol=1e-12, msg=node)
            self.assertTrue(Lt.autograd.gradcheck(lambda x: f(F, x), (x_o.detach().requires_grad_(),)))

    def test_inplace_and_errors(self):
        x = Lt.tensor([-2.0, 0.5, 3.0])
        y = F.hardtanh(x, inplace=True)
        self.assertIs(y, x)
        self.assertEqual(x.tolist(), [-1.0, 0.5, 1.0])
        self.assertEqual(str(nn.SiLU(inplace=True)), str(tnn.SiLU(inplace=True)))
        self.assertEqual(str(nn.ELU(inplace=True)), str(tnn.ELU(inplace=True)))
        self.assertEqual(str(nn.Hardtanh(inplace=True)), str(tnn.Hardtanh(inplace=True)))
        with self.assertRaises(GLib.Error):
            F.gelu(Lt.tensor([1, 2]))
        with self.assertRaises(GLib.Error):
            nn.GELU(approximate='fast')
        with self.assertRaises(GLib.Error):
            F.prelu(Lt.randn(2, 3), Lt.ones(2))
        with self.assertRaises(GLib.Error):
            nn.PReLU(0)


class TestSimpleLayers(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def test_embedding_matches_torch(self):
        for kwargs in ({}, {'padding_idx': 1}, {'padding_idx': -2}):
            ours, theirs = nn.Embedding(6, 4, **kwargs), tnn.Embedding(6, 4, **kwargs)
            self.assertEqual(str(ours), str(theirs))
            self.assertEqual(ours.padding_idx, theirs.padding_idx)
            if theirs.padding_idx is not None:
                self.assertEqual(ours.weight[theirs.padding_idx].tolist(), [0.0] * 4)
            copy_weights(ours, theirs)
            idx = torch.tensor([[1, 4, 4], [0, 1, 5]])
            y_t, y_o = theirs(idx), ours(to_lt(idx))
            self.assertEqual(y_o.grad_fn.name(), 'EmbeddingBackward0')
            self.assertEqual(tuple(y_o.shape), (2, 3, 4))
            same_values(self, y_o, y_t)
            g = torch.randn(2, 3, 4)
            y_t.backward(g)
            y_o.backward(to_lt(g))
            same_values(self, ours.weight.grad, theirs.weight.grad)
        # int32 indices, and F.embedding
        w = torch.randn(5, 2, dtype=torch.float64, requires_grad=True)
        w_o = to_lt(w).requires_grad_()
        idx = torch.tensor([3, 3, 0], dtype=torch.int32)
        same_values(self, F.embedding(to_lt(idx), w_o, padding_idx=3),
                    TF.embedding(idx, w, padding_idx=3))
        with self.assertRaises(GLib.Error) as cm:
            nn.Embedding(3, 2)(Lt.tensor([3]))
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.INDEX))
        with self.assertRaises(AssertionError):
            nn.Embedding(3, 2, padding_idx=3)

    def test_embedding_max_norm_and_pretrained(self):
        ours, theirs = nn.Embedding(5, 3, max_norm=1.0), tnn.Embedding(5, 3, max_norm=1.0)
        self.assertEqual(str(ours), str(theirs))
        copy_weights(ours, theirs)
        idx = torch.tensor([0, 2, 2, 4])
        y_t, y_o = theirs(idx), ours(to_lt(idx))
        same_values(self, y_o, y_t)
        # the rows looked up were scaled in place, the others kept
        same_values(self, ours.weight, theirs.weight)
        pre = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        e = nn.Embedding.from_pretrained(pre)
        self.assertFalse(e.weight.requires_grad)
        self.assertEqual(e(Lt.tensor([1])).tolist(), [[3.0, 4.0]])
        self.assertTrue(nn.Embedding.from_pretrained(pre, freeze=False).weight.requires_grad)

    def test_dropout2d(self):
        self.assertEqual(str(nn.Dropout2d()), str(tnn.Dropout2d()))
        self.assertEqual(str(nn.Dropout2d(0.2, inplace=True)), str(tnn.Dropout2d(0.2, True)))
        m = nn.Dropout2d(0.5)
        x = Lt.ones(8, 16, 3, 3)
        y = m(x).numpy()
        # every channel is all zero or all 2
        per_channel = y.reshape(8, 16, 9)
        self.assertTrue(np.all((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2)))
        zeroed = (per_channel == 0).all(axis=2).mean()
        self.assertGreater(zeroed, 0.3)
        self.assertLess(zeroed, 0.7)
        m.eval()
        self.assertIs(m(x), x)
        x3 = Lt.ones(4, 8, 5, requires_grad=True)
        y3 = F.dropout2d(x3, 0.5)
        y3.sum().backward()
        self.assertTrue(np.all((y3.detach().numpy() == x3.grad.numpy())))
        with self.assertRaises(ValueError):
            F.dropout2d(x, 1.5)
        with self.assertRaises(GLib.Error):
            F.dropout2d(Lt.ones(3), 0.5)


    def test_upsample_and_interpolate_match_torch(self):
        cases = [dict(scale_factor=2), dict(scale_factor=(2, 3)), dict(size=(5, 7)),
                 dict(size=4), dict(scale_factor=1.7), dict(size=(2, 3)),
                 dict(scale_factor=2, mode='bilinear'),
                 dict(size=(5, 7), mode='bilinear'),
                 dict(size=(7, 4), mode='bilinear', align_corners=True),
                 dict(scale_factor=0.6, mode='bilinear'),
                 dict(scale_factor=2.5, mode='bilinear', recompute_scale_factor=True),
                 dict(size=1, mode='bilinear', align_corners=True)]
        for kw in cases:
            for dtype in (torch.float32, torch.float64):
                x_t = torch.randn(2, 3, 4, 5, dtype=dtype, requires_grad=True)
                x_o = to_lt(x_t).requires_grad_()
                y_t = TF.interpolate(x_t, **kw)
                y_o = F.interpolate(x_o, **kw)
                self.assertEqual(tuple(y_o.shape), tuple(y_t.shape), kw)
                self.assertEqual(y_o.grad_fn.name(), y_t.grad_fn.name(), kw)
                tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else \
                    dict(rtol=1e-12, atol=1e-12)
                same_values(self, y_o, y_t, msg=str(kw), **tol)
                g = torch.randn(y_t.shape, dtype=dtype)
                y_t.backward(g)
                y_o.backward(to_lt(g))
                same_values(self, x_o.grad, x_t.grad, msg=str(kw), **tol)
            kw.pop('recompute_scale_factor', None)
            self.assertEqual(str(nn.Upsample(**kw)), str(tnn.Upsample(**kw)))
            m_t, m_o = tnn.Upsample(**kw), nn.Upsample(**kw)
            x = torch.randn(1, 2, 3, 3)
            same_values(self, m_o(to_lt(x)), m_t(x))
        x = Lt.randn(1, 1, 3, 3, dtype=Lt.float64, requires_grad=True)
        self.assertTrue(Lt.autograd.gradcheck(
            lambda x: F.interpolate(x, size=(5, 4), mode='bilinear'), (x,)))
        with self.assertRaises(ValueError):
            F.interpolate(x, size=4, scale_factor=2)
        # area: adaptive average pooling, as torch's (more in test_interpolate_reference)
        same_values(self, F.interpolate(x, size=(2, 2), mode='area'),
                    TF.interpolate(torch.from_numpy(x.detach().numpy()), size=(2, 2), mode='area'))
        with self.assertRaises(GLib.Error):
            nn.Upsample()



class TestUtils(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def nets_with_grads(self):
        theirs = tnn.Sequential(tnn.Linear(4, 5), tnn.Tanh(), tnn.Linear(5, 3))
        ours = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
        copy_weights(ours, theirs)
        x = torch.randn(6, 4) * 3
        (theirs(x) ** 2).sum().backward()
        (ours(to_lt(x)) ** 2).sum().backward()
        return ours, theirs

    def test_clip_grad_norm_matches_torch(self):
        for max_norm, norm_type in ((1.0, 2.0), (0.5, 1.0), (0.1, float('inf')),
                                    (1e6, 2.0), (2.0, 3.0)):
            ours, theirs = self.nets_with_grads()
            n_t = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm, norm_type)
            n_o = nn.utils.clip_grad_norm_(ours.parameters(), max_norm, norm_type)
            self.assertAlmostEqual(n_o.item(), n_t.item(), places=3)
            for p_o, p_t in zip(ours.parameters(), theirs.parameters()):
                same_values(self, p_o.grad, p_t.grad, rtol=1e-4, atol=1e-6,
                            msg=(max_norm, norm_type))
        p = nn.Parameter(Lt.ones(2))
        p.grad = Lt.tensor([float('nan'), 1.0])
        with self.assertRaises(RuntimeError):
            nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        self.assertEqual(nn.utils.clip_grad_norm_([nn.Parameter(Lt.ones(1))], 1.0).item(), 0.0)

    def test_clip_grad_value_matches_torch(self):
        ours, theirs = self.nets_with_grads()
        torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.3)
        self.assertIsNone(nn.utils.clip_grad_value_(ours.parameters(), 0.3))
        for p_o, p_t in zip(ours.parameters(), theirs.parameters()):
            same_values(self, p_o.grad, p_t.grad)

    def test_parameter_vectors(self):
        ours, theirs = self.nets_with_grads()
        v_t = torch.nn.utils.parameters_to_vector(theirs.parameters())
        v_o = nn.utils.parameters_to_vector(ours.parameters())
        self.assertEqual(tuple(v_o.shape), tuple(v_t.shape))
        same_values(self, v_o, v_t)
        self.assertTrue(v_o.requires_grad)
        nn.utils.vector_to_parameters(Lt.arange(v_o.numel()).float(), ours.parameters())
        torch.nn.utils.vector_to_parameters(torch.arange(v_t.numel()).float(),
                                            theirs.parameters())
        for p_o, p_t in zip(ours.parameters(), theirs.parameters()):
            same_values(self, p_o, p_t)
        with self.assertRaises(TypeError):
            nn.utils.vector_to_parameters([1.0], ours.parameters())
        with self.assertRaises(RuntimeError):
            nn.utils.vector_to_parameters(Lt.zeros(3), ours.parameters())

    def test_init_eye_dirac_match_torch(self):
        for shape in ((3, 5), (4, 2)):
            t = torch.empty(shape)
            same_values(self, nn.init.eye_(Lt.empty(*shape)), tnn.init.eye_(t))
        for shape, groups in (((4, 2, 3), 1), ((6, 2, 3, 3), 2), ((2, 3, 3, 3, 3), 1)):
            t = torch.empty(shape)
            same_values(self, nn.init.dirac_(Lt.empty(*shape), groups),
                        tnn.init.dirac_(t, groups))
        with self.assertRaises(ValueError):
            nn.init.eye_(Lt.empty(2, 2, 2))
        with self.assertRaises(ValueError):
            nn.init.dirac_(Lt.empty(3, 2, 3), 2)

    def test_init_distributions(self):
        # trunc_normal_: inside [a, b], mean and std of the truncated normal
        t = nn.init.trunc_normal_(Lt.empty(20000), mean=0.5, std=1.0, a=0.0, b=2.0)
        v = t.numpy()
        self.assertGreaterEqual(v.min(), 0.0)
        self.assertLessEqual(v.max(), 2.0)
        ref = tnn.init.trunc_normal_(torch.empty(200000, dtype=torch.float64), 0.5, 1.0, 0.0,
                                     2.0).numpy()
        self.assertAlmostEqual(v.mean(), ref.mean(), delta=0.02)
        self.assertAlmostEqual(v.std(), ref.std(), delta=0.02)
        # sparse_: the fraction of zeros of every column, the others N(0, std)
        s = nn.init.sparse_(Lt.empty(10, 400), 0.3, std=0.5).numpy()
        self.assertTrue(np.all((s == 0).sum(axis=0) == 3))
        self.assertAlmostEqual(s[s != 0].std(), 0.5, delta=0.03)
        with self.assertRaises(ValueError):
            nn.init.sparse_(Lt.empty(3), 0.1)



class TestLossesAndFunctional(unittest.TestCase):
    """The losses and functional forms composed in Python
    (gi/overrides/_lt/nn_losses.py): values and gradients as torch's."""

    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def compare(self, f_ours, f_theirs, inputs, msg, rtol=1e-10, atol=1e-12, n_grad=None):
        """inputs: torch float64 tensors; the first n_grad (all) require grad."""
        n_grad = len(inputs) if n_grad is None else n_grad
        ts = [t.clone().requires_grad_(i < n_grad) for i, t in enumerate(inputs)]
        os_ = [to_lt(t) for t in inputs]
        for o, t in zip(os_, ts):
            if t.requires_grad:
                o.requires_grad_()
        y_t, y_o = f_theirs(*ts), f_ours(*os_)
        same_values(self, y_o, y_t, rtol=rtol, atol=atol, msg=msg)
        g = torch.randn(y_t.shape, dtype=y_t.dtype)
        y_t.backward(g)
        y_o.backward(to_lt(g))
        for o, t in zip(os_, ts):
            if t.requires_grad:
                same_values(self, o.grad, t.grad, rtol=1e-8, atol=1e-10, msg=msg)

    def test_losses_match_torch(self):
        d = torch.float64
        p = torch.rand(4, 5, dtype=d) * 0.98 + 0.01
        q = torch.rand(4, 5, dtype=d)
        a, b = torch.randn(4, 5, dtype=d) * 2, torch.randn(4, 5, dtype=d) * 2
        logp = torch.log_softmax(torch.randn(4, 5, dtype=d), 1)
        tgt = torch.softmax(torch.randn(4, 5, dtype=d), 1)
        tgt[0, 1] = 0.0
        sign = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=d)
        x1, x2 = torch.randn(4, 5, dtype=d), torch.randn(4, 5, dtype=d)
        r1, r2 = torch.randn(4, dtype=d), torch.randn(4, dtype=d)
        for red in ('mean', 'sum', 'none'):
            cases = [
                ('BCELoss', {}, (p, q)),
                ('BCELoss', {'weight': torch.rand(5, dtype=d)}, (p, q)),
                ('SmoothL1Loss', {}, (a, b)), ('SmoothL1Loss', {'beta': 0.5}, (a, b)),
                ('SmoothL1Loss', {'beta': 0.0}, (a, b)),
                ('HuberLoss', {}, (a, b)), ('HuberLoss', {'delta': 2.5}, (a, b)),
                ('KLDivLoss', {}, (logp, tgt)),
                ('KLDivLoss', {'log_target': True}, (logp, torch.log(tgt + 0.1))),
                ('CosineEmbeddingLoss', {}, (x1, x2, sign)),
                ('CosineEmbeddingLoss', {'margin': 0.2}, (x1, x2, sign)),
                ('MarginRankingLoss', {}, (r1, r2, sign)),
                ('MarginRankingLoss', {'margin': 0.5}, (r1, r2, sign)),
            ]
            for name, kw, ins in cases:
                kw_o = dict(kw)
                if 'weight' in kw:
                    kw_o['weight'] = to_lt(kw['weight'])
                m_t = getattr(tnn, name)(reduction=red, **kw)
                m_o = getattr(nn, name)(reduction=red, **kw_o)
                self.assertEqual(str(m_o), str(m_t))
                with warnings_ignored():
                    # the inputs' gradients (torch's of a zero KL target is NaN)
                    self.compare(m_o, m_t, ins, '%s %s %s' % (name, kw, red),
                                 n_grad=1 if name == 'KLDivLoss' else 2)
        self.compare(lambda x, y: F.kl_div(x, y, reduction='batchmean'),
                     lambda x, y: TF.kl_div(x, y, reduction='batchmean'), (logp, tgt), 'batchmean',
                     n_grad=1)
        # the modules are the C losses (LtLoss), KLDivLoss's batchmean included
        for log_target, t in ((False, tgt), (True, torch.log(tgt + 0.1))):
            m_o = nn.KLDivLoss(reduction='batchmean', log_target=log_target)
            m_t = tnn.KLDivLoss(reduction='batchmean', log_target=log_target)
            self.assertIsInstance(m_o, Lt.Loss)
            self.assertEqual((m_o.reduction, m_o.log_target), ('batchmean', log_target))
            self.compare(m_o, m_t, (logp, t), 'KLDivLoss batchmean %s' % log_target, n_grad=1)
        self.assertEqual(nn.SmoothL1Loss(beta=0.5).beta, 0.5)
        self.assertEqual(nn.HuberLoss(delta=2.5).delta, 2.5)
        self.assertEqual(nn.MarginRankingLoss(margin=0.3).margin, 0.3)
        self.assertEqual(nn.CosineEmbeddingLoss(0.2, reduction='sum').reduction, 'sum')
        for name in ('BCELoss', 'SmoothL1Loss', 'HuberLoss', 'KLDivLoss', 'CosineEmbeddingLoss',
                     'MarginRankingLoss'):
            self.assertIsInstance(getattr(nn, name)(), Lt.Loss)
        # torch checks beta and delta when the loss is computed: RuntimeError in both
        for bad_o, bad_t in ((nn.SmoothL1Loss(beta=-1.0), tnn.SmoothL1Loss(beta=-1.0)),
                             (nn.HuberLoss(delta=0.0), tnn.HuberLoss(delta=0.0))):
            with self.assertRaises(RuntimeError):
                bad_t(torch.rand(3), torch.rand(3))
            with self.assertRaises(RuntimeError):
                bad_o(Lt.rand(3), Lt.rand(3))
        # probabilities of exactly 0 and 1: the logarithms clamped at -100 (values only:
        # there torch's gradient is its formula's (x - t) / max(x (1 - x), 1e-12))
        x01 = torch.tensor([0.0, 1.0, 0.5, 0.0, 1.0], dtype=d)
        t01 = torch.tensor([0.0, 1.0, 1.0, 1.0, 0.0], dtype=d)
        for red in ('none', 'mean'):
            same_values(self, F.binary_cross_entropy(to_lt(x01), to_lt(t01), reduction=red),
                        TF.binary_cross_entropy(x01, t01, reduction=red), rtol=1e-12, atol=0)
        with self.assertRaises(ValueError):
            F.binary_cross_entropy(Lt.rand(3), Lt.rand(4))
        # probabilities outside [0, 1] (NaN too): RuntimeError in both
        for bad in ([0.5, 1.5], [-0.1, 0.5], [float('nan'), 0.5]):
            with self.assertRaises(RuntimeError):
                TF.binary_cross_entropy(torch.tensor(bad), torch.tensor([0.0, 1.0]))
            with self.assertRaises(RuntimeError):
                F.binary_cross_entropy(Lt.tensor(bad), Lt.tensor([0.0, 1.0]))
        # the pairwise losses' shapes: RuntimeError in both
        with self.assertRaises(RuntimeError):
            TF.margin_ranking_loss(torch.rand(3), torch.rand(3), torch.ones(3, 1))
        with self.assertRaises(RuntimeError):
            F.margin_ranking_loss(Lt.rand(3), Lt.rand(3), Lt.ones(3, 1))
        with self.assertRaises(ValueError):
            nn.SmoothL1Loss(reduction='avg')(Lt.rand(3), Lt.rand(3))

    def test_functional_match_torch(self):
        d = torch.float64
        x = torch.randn(2, 3, 4, 5, dtype=d)
        for pad, value in (((1, 2), None), ((1, 1, 2, 0), 3.5), ((0, 0, 0, 0, 1, 1), None),
                           ((-1, 2), None), ((2, -3, -1, 1), 0.5)):
            self.compare(lambda t: F.pad(t, pad, value=value),
                         lambda t: TF.pad(t, pad, value=0.0 if value is None else value),
                         (x,), 'pad %s' % (pad,))
        for p, dim in ((2.0, 1), (1.0, -1), (3.0, 0)):
            self.compare(lambda t: F.normalize(t, p, dim), lambda t: TF.normalize(t, p, dim),
                         (x,), 'normalize %s %s' % (p, dim))
        y = torch.randn(2, 3, 4, 5, dtype=d)
        self.compare(lambda a, b: F.cosine_similarity(a, b, dim=1),
                     lambda a, b: TF.cosine_similarity(a, b, dim=1), (x, y), 'cosine_similarity')
        with self.assertRaises(NotImplementedError):
            F.pad(Lt.randn(2, 2), (1, 1), mode='mirror')
        with self.assertRaises(ValueError):
            F.pad(Lt.randn(2, 2), (1,))


# (Lt.nn or torch.nn) -> module, input shape
NORM_LAYERS = [
    (lambda nn: nn.LayerNorm(5), (4, 3, 5)),
    (lambda nn: nn.LayerNorm([3, 5], eps=1e-3), (4, 3, 5)),
    (lambda nn: nn.LayerNorm((5,), elementwise_affine=False), (2, 5)),
    (lambda nn: nn.GroupNorm(2, 6), (3, 6, 4)),
    (lambda nn: nn.GroupNorm(3, 6, eps=1e-4, affine=False), (2, 6, 2, 3)),
    (lambda nn: nn.GroupNorm(1, 4), (5, 4)),
    (lambda nn: nn.GroupNorm(4, 4), (2, 4, 3, 3)),
]


class TestNormalization(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def test_layers_match_torch(self):
        for make, shape in NORM_LAYERS:
            ours, theirs = make(nn), make(tnn)
            self.assertEqual(str(ours), str(theirs))
            attrs = ('normalized_shape', 'eps', 'elementwise_affine') \
                if isinstance(theirs, tnn.LayerNorm) else ('num_groups', 'num_channels', 'eps',
                                                          'affine')
            for a in attrs:
                self.assertEqual(getattr(ours, a), getattr(theirs, a), a)
            self.assertEqual([n for n, _ in ours.named_parameters()],
                             [n for n, _ in theirs.named_parameters()])
            with torch.no_grad():
                for p in theirs.parameters():
                    p.copy_(torch.randn_like(p))
            copy_weights(ours, theirs)
            for dtype in (torch.float32, torch.float64):
                ours.to(dtype=Lt.float64 if dtype == torch.float64 else Lt.float32)
                theirs.to(dtype)
                x_t = (torch.randn(*shape, dtype=dtype) * 3 + 1).requires_grad_()
                x_o = to_lt(x_t).requires_grad_()
                y_t, y_o = theirs(x_t), ours(x_o)
                self.assertEqual(y_o.grad_fn.name(), y_t.grad_fn.name(), str(theirs))
                tol = dict(rtol=1e-4, atol=1e-5) if dtype == torch.float32 else \
                    dict(rtol=1e-10, atol=1e-11)
                same_values(self, y_o, y_t, msg=str(theirs), **tol)
                w = torch.randn(*shape, dtype=dtype)
                ours.zero_grad(set_to_none=True)
                theirs.zero_grad(set_to_none=True)
                y_t.backward(w)
                y_o.backward(to_lt(w))
                same_values(self, x_o.grad, x_t.grad, msg=str(theirs), **tol)
                for (n, p_o), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
                    same_values(self, p_o.grad, p_t.grad, msg=n, **tol)

    def test_functional_match_torch(self):
        x_t = torch.randn(3, 4, 5, dtype=torch.float64, requires_grad=True)
        w_t = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
        b_t = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
        g_t = torch.randn(4, dtype=torch.float64, requires_grad=True)
        c_t = torch.randn(4, dtype=torch.float64, requires_grad=True)
        cases = [
            (lambda F, x, w, b, g, c: F.layer_norm(x, (4, 5), w, b, eps=1e-3),
             'NativeLayerNormBackward0'),
            (lambda F, x, w, b, g, c: F.layer_norm(x, [5]), 'NativeLayerNormBackward0'),
            (lambda F, x, w, b, g, c: F.group_norm(x, 2, g, c), 'NativeGroupNormBackward0'),
            (lambda F, x, w, b, g, c: F.group_norm(x, 4, weight=g), 'NativeGroupNormBackward0'),
            # torch 1.13's backward fails for a bias without a weight ("tensor does
            # not have a device"): it is given the weight of ones, the same function
            (lambda F, x, w, b, g, c: F.group_norm(
                x, 1, weight=torch.ones(4, dtype=torch.float64) if F is TF else None, bias=c),
             'NativeGroupNormBackward0'),
        ]
        for f, node in cases:
            ts = [t.detach().clone().requires_grad_() for t in (x_t, w_t, b_t, g_t, c_t)]
            os_ = [to_lt(t).requires_grad_() for t in ts]
            y_t, y_o = f(TF, *ts), f(F, *os_)
            self.assertEqual(y_t.grad_fn.name(), node)
            self.assertEqual(y_o.grad_fn.name(), node)
            same_values(self, y_o, y_t, rtol=1e-10, atol=1e-11, msg=node)
            w = torch.randn(3, 4, 5, dtype=torch.float64)
            y_t.backward(w)
            y_o.backward(to_lt(w))
            for t, o in zip(ts, os_):
                self.assertEqual(o.grad is None, t.grad is None, node)
                if t.grad is not None:
                    same_values(self, o.grad, t.grad, rtol=1e-10, atol=1e-11, msg=node)
            ins = tuple(o.detach().requires_grad_() for o in os_)
            self.assertTrue(Lt.autograd.gradcheck(lambda *a: f(F, *a), ins))

    def test_errors_like_torch(self):
        x = Lt.randn(2, 6, 4)
        for call, exc in ((lambda: F.layer_norm(x, (5,)), RuntimeError),
                          (lambda: F.layer_norm(x, (4,), Lt.ones(5)), RuntimeError),
                          (lambda: F.group_norm(x, 4), RuntimeError),
                          (lambda: nn.GroupNorm(4, 6), ValueError),
                          (lambda: nn.LayerNorm(4)(x[:, :, :3]), RuntimeError)):
            with self.assertRaises(exc):
                call()
        with self.assertRaises(RuntimeError):
            TF.layer_norm(torch.randn(2, 6, 4), (5,))
        with self.assertRaises(RuntimeError):
            TF.group_norm(torch.randn(2, 6, 4), 4)
        with self.assertRaises(ValueError):
            tnn.GroupNorm(4, 6)
        with self.assertRaises(GLib.Error) as cm:
            F.layer_norm(x, (5,))
        self.assertIn('[2, 6, 4]', cm.exception.message)
        self.assertIn('[5]', cm.exception.message)
        with self.assertRaises(GLib.Error) as cm:
            F.group_norm(x, 4)
        self.assertIn('[2, 6, 4]', cm.exception.message)


# (Lt.nn / torch.nn) -> layer, and the input's shape
CONV_LAYERS = [
    (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 9)),
    (lambda nn: nn.Conv1d(4, 6, 2, stride=2, padding=1, dilation=2, groups=2), (3, 4, 11)),
    (lambda nn: nn.Conv1d(2, 3, (4,), stride=(3,), padding=(2,), bias=False), (2, 10)),
    (lambda nn: nn.ConvTranspose2d(3, 4, 3), (2, 3, 5, 4)),
    (lambda nn: nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 3), padding=1,
                                   output_padding=(1, 2), groups=2), (2, 4, 4, 5)),
    (lambda nn: nn.ConvTranspose2d(2, 3, 2, stride=1, padding=(1, 0), output_padding=1,
                                   dilation=2, bias=False), (2, 2, 4, 3)),
    (lambda nn: nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, output_padding=1,
                                   groups=2), (2, 5, 5)),
]


class TestConvLayers(unittest.TestCase):
    def setUp(self):
        Lt.manual_seed(0)
        torch.manual_seed(0)

    def test_layers_match_torch(self):
        for make, shape in CONV_LAYERS:
            ours, theirs = make(nn), make(tnn)
            msg = str(theirs)
            self.assertEqual(str(ours), str(theirs))
            self.assertEqual([(k, tuple(v.shape)) for k, v in ours.state_dict().items()],
                             [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()])
            # PyTorch's initialisation bounds: 1/sqrt(fan_in), fan_in from the weight
            bound = 1 / np.sqrt(np.prod(theirs.weight.shape[1:]))
            self.assertLessEqual(float(np.abs(ours.weight.detach().numpy()).max()), bound)
            copy_weights(ours, theirs)
            x_t = torch.randn(*shape, requires_grad=True)
            x_o = to_lt(x_t).requires_grad_()
            y_t, y_o = theirs(x_t), ours(x_o)
            self.assertEqual(tuple(y_o.shape), tuple(y_t.shape), msg)
            same_values(self, y_o, y_t, msg=msg)
            g = torch.randn(*y_t.shape)
            y_t.backward(g)
            y_o.backward(to_lt(g))
            same_values(self, x_o.grad, x_t.grad, msg=msg)
            same_values(self, ours.weight.grad, theirs.weight.grad, msg=msg)
            if theirs.bias is not None:
                same_values(self, ours.bias.grad, theirs.bias.grad, msg=msg)
            if isinstance(theirs, tnn.ConvTranspose2d):
                self.assertEqual(y_o.grad_fn.name(), 'ConvolutionBackward0')

    def test_functional_match_torch_float64(self):
        cases = [
            (lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=2, dilation=2, groups=2),
             (2, 4, 9), (6, 2, 3), 6),
            (lambda F, x, w, b: F.conv1d(x, w, None, 1, 0), (3, 5), (2, 3, 2), None),
            (lambda F, x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=(1, 0),
                                                   output_padding=(1, 0), groups=2,
                                                   dilation=(1, 2)),
             (2, 4, 3, 4), (4, 3, 3, 2), 6),
            (lambda F, x, w, b: F.conv_transpose2d(x, w, b, 3, 1, 2), (2, 2, 3), (2, 2, 3, 3),
             2),
        ]
        for f, xs, ws, nb in cases:
            ts = [torch.randn(*xs, dtype=torch.float64, requires_grad=True),
                  torch.randn(*ws, dtype=torch.float64, requires_grad=True)]
            if nb:
                ts.append(torch.randn(nb, dtype=torch.float64, requires_grad=True))
            os_ = [to_lt(t).requires_grad_() for t in ts]
            y_t = f(TF, *ts, *([None] * (3 - len(ts))))
            y_o = f(F, *os_, *([None] * (3 - len(os_))))
            self.assertEqual(tuple(y_o.shape), tuple(y_t.shape))
            same_values(self, y_o, y_t, rtol=1e-10, atol=1e-12)
            g = torch.randn(*y_t.shape, dtype=torch.float64)
            y_t.backward(g)
            y_o.backward(to_lt(g))
            for o, t in zip(os_, ts):
                same_values(self, o.grad, t.grad, rtol=1e-10, atol=1e-12)
            # float64 gradcheck of ours
            n = len(os_)
            inputs = [to_lt(t.detach()).requires_grad_() for t in ts]
            self.assertTrue(Lt.autograd.gradcheck(lambda *a: f(F, *a, *([None] * (3 - n))),
                                                  inputs))

    def test_errors_match_torch(self):
        bad = [
            # input channels other than the weight's
            lambda F, T: F.conv_transpose2d(T.randn(1, 3, 4, 4), T.randn(4, 2, 3, 3)),
            # output padding not below the stride nor the dilation
            lambda F, T: F.conv_transpose2d(T.randn(1, 4, 4, 4), T.randn(4, 2, 3, 3),
                                            stride=2, output_padding=2),
            # a bias of the wrong size
            lambda F, T: F.conv_transpose2d(T.randn(1, 4, 4, 4), T.randn(4, 2, 3, 3),
                                            T.randn(3), groups=2),
            # an output too small
            lambda F, T: F.conv_transpose2d(T.randn(1, 4, 2, 2), T.randn(4, 2, 1, 1),
                                            padding=1),
            # a 4-D input for conv1d, channels not matching
            lambda F, T: F.conv1d(T.randn(1, 2, 3, 4), T.randn(3, 2, 2)),
            lambda F, T: F.conv1d(T.randn(1, 3, 5), T.randn(3, 2, 2)),
            # a filter longer than the padded sequence
            lambda F, T: F.conv1d(T.randn(1, 2, 3), T.randn(3, 2, 5)),
        ]
        for i, f in enumerate(bad):
            with self.assertRaises(RuntimeError, msg='torch %d' % i):
                f(TF, torch)
            with self.assertRaises(GLib.Error, msg='ours %d' % i):
                f(F, Lt)
        for make in (lambda nn: nn.ConvTranspose2d(2, 2, 3, stride=1, output_padding=1),
                     lambda nn: nn.Conv1d(3, 2, 2, groups=2),
                     lambda nn: nn.ConvTranspose2d(3, 2, 2, groups=2)):
            # PyTorch checks the output padding in the forward, we when the
            # layer is made
            with self.assertRaises((ValueError, RuntimeError)):
                make(tnn)(torch.randn(1, 2, 4, 4))
            with self.assertRaises(GLib.Error):
                make(nn)


class warnings_ignored:
    def __enter__(self):
        import warnings
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter('ignore')

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


if __name__ == '__main__':
    main()
