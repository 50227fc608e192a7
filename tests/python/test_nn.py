#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.nn from Python: modules defined by subclassing, attribute registration,
exceptions raised in forward crossing C as GLib.Error, printed forms and
state_dict names compared with PyTorch's for the same structures, the same
weights giving PyTorch's outputs, train/eval, init and functional forms.
PyTorch 1.13 (/usr/bin/python3's torch) is the reference throughout."""

import collections
import gc
import math
import types
import unittest
import weakref

from harness import main, require, tutorial_net

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
    """Loads a torch module's state into ours, through numpy."""
    sd = collections.OrderedDict((k, to_lt(v)) for k, v in theirs.state_dict().items())
    result = ours.load_state_dict(sd)
    assert not result.missing_keys and not result.unexpected_keys, result


def is_lt_error(e, code):
    return isinstance(e, GLib.Error) and e.matches(Lt.error_quark(), code)


# Structures built the same way with both libraries: f(nn) -> module

# the tutorial's "Neural Networks" Net (examples/tutorial_net.py)
TutorialNet = tutorial_net().nn_net(Lt)


def tutorial(nn, F):
    """The same Net on nn (Lt.nn or torch.nn, whose functional is F)."""
    return tutorial_net().nn_net(types.SimpleNamespace(nn=nn))()


def bn_net(nn, F):
    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(cout)
            self.act = nn.ReLU(inplace=True)

        def forward(self, x):
            return self.act(self.bn(self.conv(x)))

    class BNNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.block1 = Block(3, 8)
            self.block2 = Block(8, 8)
            self.pool = nn.AdaptiveAvgPool2d((1, 1))
            self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(8, 4))

        def forward(self, x):
            return self.head(self.pool(self.block2(self.block1(x))))
    return BNNet()


def sequential_net(nn, F):
    return nn.Sequential(collections.OrderedDict([
        ('features', nn.Sequential(nn.Conv2d(3, 6, 5), nn.BatchNorm2d(6), nn.ReLU(),
                                   nn.MaxPool2d(2, 2), nn.Conv2d(6, 4, 3, stride=2, padding=1),
                                   nn.Tanh(), nn.AvgPool2d((2, 2)))),
        ('flat', nn.Flatten()),
        ('classifier', nn.Sequential(nn.Linear(16, 12), nn.LeakyReLU(0.2), nn.Dropout(p=0.1),
                                     nn.Linear(12, 5), nn.LogSoftmax(dim=1))),
    ]))


def mlp(nn, F):
    return nn.Sequential(nn.Linear(10, 20), nn.Sigmoid(), nn.BatchNorm1d(20, momentum=None),
                         nn.Linear(20, 3, bias=False), nn.Softmax(dim=-1))


STRUCTURES = [tutorial, bn_net, sequential_net, mlp]


class TestRegistration(unittest.TestCase):

    def test_assignment_order(self):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.b = nn.Linear(2, 3)
                self.scale = nn.Parameter(Lt.ones(3))
                self.a = nn.Linear(3, 1)
                self.note = 'not a module'
                self.count = 3

            def forward(self, x):
                return self.a(self.b(x) * self.scale)

        net = Net()
        self.assertEqual([n for n, _ in net.named_parameters()],
                         ['scale', 'b.weight', 'b.bias', 'a.weight', 'a.bias'])
        self.assertEqual([n for n, _ in net.named_children()], ['b', 'a'])
        self.assertEqual(net.note, 'not a module')
        self.assertEqual(net.count, 3)
        self.assertIsInstance(net.scale, nn.Parameter)
        self.assertNotIsInstance(Lt.ones(3), nn.Parameter)
        self.assertTrue(net.scale.requires_grad)
        self.assertIs(net.b, net.get_child('b'))
        self.assertEqual(net.b.weight.shape, Lt.Size([3, 2]))
        self.assertEqual(len(list(net.parameters())), 5)
        self.assertEqual(net.num_parameters(), 3 + 6 + 3 + 3 + 1)
        out = net(Lt.randn(4, 2))
        self.assertEqual(out.shape, Lt.Size([4, 1]))

    def test_reassign_and_delete(self):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                self.w = nn.Parameter(Lt.zeros(2))

        net = Net()
        old = net.fc
        net.fc = nn.Linear(2, 5)            # replaced in place, order kept
        self.assertIsNot(net.fc, old)
        self.assertEqual(net.fc.out_features, 5)
        self.assertEqual([n for n, _ in net.named_parameters()],
                         ['w', 'fc.weight', 'fc.bias'])
        net.w = None                         # a parameter set to None stays a (None) parameter
        self.assertIsNone(net.w)
        self.assertEqual([n for n, _ in net.named_parameters()], ['fc.weight', 'fc.bias'])
        net.w = nn.Parameter(Lt.ones(1))
        self.assertEqual(net.w.shape, Lt.Size([1]))
        with self.assertRaises(TypeError):
            net.w = Lt.ones(1)               # a plain tensor is not a parameter (as torch)
        with self.assertRaises(TypeError):
            net.fc = 3
        net.fc = nn.Parameter(Lt.ones(2))    # a child becomes a parameter
        self.assertIsInstance(net.fc, nn.Parameter)
        self.assertEqual(net.get_n_children(), 0)
        del net.fc
        with self.assertRaises(AttributeError):
            net.fc
        net.extra = nn.ReLU()
        del net.extra
        self.assertEqual(str(net), 'Net()')

    def test_assign_before_init(self):
        class Early(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(2, 2)
                super().__init__()

        with self.assertRaisesRegex(AttributeError, 'before Module.__init__'):
            Early()

    def test_python_children_keep_their_state(self):
        class Scale(nn.Module):
            def __init__(self, f):
                super().__init__()
                self.f = f

            def forward(self, x):
                return x * self.f

        def make():
            return nn.Sequential(Scale(3), nn.ReLU())

        seq = make()                         # no Python reference to Scale is left
        gc.collect()
        self.assertEqual(seq[0].f, 3)
        self.assertEqual(seq(Lt.ones(2)).tolist(), [3, 3])
        ref = weakref.ref(seq[0])
        del seq
        gc.collect()
        self.assertIsNone(ref())             # and the tree is freed with its owner

    def test_buffers(self):
        class Stats(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer('mean', Lt.zeros(3))
                self.lin = nn.Linear(3, 3)

        m = Stats()
        self.assertEqual([n for n, _ in m.named_buffers()], ['mean'])
        self.assertEqual(list(m.state_dict()), ['mean', 'lin.weight', 'lin.bias'])
        m.mean = Lt.ones(3)
        self.assertEqual(m.mean.tolist(), [1, 1, 1])
        self.assertFalse(m.mean.requires_grad)
        with self.assertRaises(TypeError):
            m.mean = 5

    def test_modules_and_children(self):
        ours = bn_net(nn, F)
        theirs = bn_net(tnn, TF)
        self.assertEqual([n for n, _ in ours.named_modules()],
                         [n for n, _ in theirs.named_modules()])
        self.assertEqual([n for n, _ in ours.named_children()],
                         [n for n, _ in theirs.named_children()])
        self.assertEqual([type(m).__name__ for m in ours.modules()],
                         [type(m).__name__ for m in theirs.modules()])
        self.assertEqual(len(ours.head), 3)
        self.assertIsInstance(ours.head[-1], nn.Linear)
        self.assertEqual(str(ours.head[1:]), str(theirs.head[1:]))
        self.assertEqual([type(m).__name__ for m in ours.head],
                         ['Flatten', 'Dropout', 'Linear'])

    def test_shared_module_listed_once(self):
        shared = nn.Linear(2, 2)
        seq = nn.Sequential(shared, nn.ReLU(), shared)
        tshared = tnn.Linear(2, 2)
        tseq = tnn.Sequential(tshared, tnn.ReLU(), tshared)
        self.assertEqual([n for n, _ in seq.named_parameters()],
                         [n for n, _ in tseq.named_parameters()])
        self.assertEqual(list(seq.state_dict()), list(tseq.state_dict()))
        self.assertEqual(str(seq), str(tseq))

    def test_apply_and_init(self):
        net = TutorialNet()
        seen = []

        def init(m):
            seen.append(type(m).__name__)
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.5)
                nn.init.zeros_(m.bias)

        self.assertIs(net.apply(init), net)
        self.assertEqual(seen, ['Conv2d', 'Conv2d', 'Linear', 'Linear', 'Linear', 'Net'])
        self.assertEqual(set(net.fc2.weight.view(-1).tolist()), {0.5})
        self.assertTrue(net.fc2.weight.is_leaf)

        def fail(m):
            raise RuntimeError('stop')
        with self.assertRaises(RuntimeError):
            net.apply(fail)


class TestForwardErrors(unittest.TestCase):

    def test_exception_becomes_gerror(self):
        class Bad(nn.Module):
            def forward(self, x):
                self.raised = ValueError('bad input of %d dims' % x.dim())
                raise self.raised

        bad = Bad()
        # the forward's own exception, that same object, as torch raises it
        with self.assertRaises(ValueError) as cm:
            bad(Lt.randn(2, 3))
        self.assertIs(cm.exception, bad.raised)
        self.assertNotIsInstance(cm.exception, GLib.Error)
        # the introspected C entry point, lt_module_forward(), gets the GError
        with self.assertRaises(GLib.Error) as cm:
            Lt.Module.forward(bad, Lt.randn(1))
        self.assertIn('ValueError: bad input of 1 dims', cm.exception.message)

    def test_exception_through_c_container(self):
        class Picky(nn.Module):
            def forward(self, x):
                return {}['missing']

        seq = nn.Sequential(nn.Linear(3, 3), Picky(), nn.ReLU())
        with self.assertRaises(KeyError) as cm:
            seq(Lt.randn(2, 3))
        self.assertNotIsInstance(cm.exception, GLib.Error)
        self.assertEqual(cm.exception.args, ('missing',))
        # the modules still work afterwards
        self.assertEqual(seq[0](Lt.randn(2, 3)).shape, Lt.Size([2, 3]))

    def test_library_errors_pass_through(self):
        class Wrong(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)

            def forward(self, x):
                return self.fc(x)

        with self.assertRaises(GLib.Error) as cm:
            Wrong()(Lt.randn(2, 4))
        self.assertTrue(is_lt_error(cm.exception, Lt.Error.SHAPE), cm.exception)

    def test_keyboard_interrupt_is_not_swallowed(self):
        class Stop(nn.Module):
            def forward(self, x):
                raise KeyboardInterrupt

        with self.assertRaises(KeyboardInterrupt):
            Stop()(Lt.ones(1))

    def test_non_tensor_results(self):
        class Pair(nn.Module):
            def forward(self, x):
                return x, x * 2

        a, b = Pair()(Lt.ones(2))
        self.assertEqual(b.tolist(), [2, 2])
        with self.assertRaises(GLib.Error) as cm:
            nn.Sequential(Pair())(Lt.ones(2))
        self.assertIn('not a tensor', cm.exception.message)

    def test_several_inputs_and_missing_forward(self):
        class Add(nn.Module):
            def forward(self, x, y):
                return x + y

        self.assertEqual(Add()(Lt.ones(2), Lt.ones(2)).tolist(), [2, 2])

        class NoForward(nn.Module):
            pass
        with self.assertRaises(GLib.Error) as cm:
            NoForward()(Lt.ones(1))
        self.assertTrue(is_lt_error(cm.exception, Lt.Error.NOT_SUPPORTED))

    def test_do_forward_vfunc(self):
        # PyGObject's own spelling of the virtual method works as well
        class Doubler(nn.Module):
            def do_forward(self, x):
                if x.dim() == 0:
                    raise IndexError('no dims')
                return x * 2

        self.assertEqual(nn.Sequential(Doubler())(Lt.ones(2)).tolist(), [2, 2])
        with self.assertRaises(IndexError) as cm:
            nn.Sequential(Doubler())(Lt.tensor(1.0))
        self.assertNotIsInstance(cm.exception, GLib.Error)
        self.assertEqual(str(cm.exception), 'no dims')


class TestPrint(unittest.TestCase):

    def test_structures(self):
        for build in STRUCTURES:
            with self.subTest(build.__name__):
                self.assertEqual(str(build(nn, F)), str(build(tnn, TF)))

    def test_layers(self):
        cases = [
            lambda nn: nn.Conv2d(4, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=(2, 3),
                                 groups=2, bias=False),
            lambda nn: nn.Conv2d(3, 6, 3, padding=1, stride=2),
            lambda nn: nn.MaxPool2d(3, (2, 1), 1, ceil_mode=True),
            lambda nn: nn.MaxPool2d((2, 2)),
            lambda nn: nn.AvgPool2d(3, stride=(1, 2)),
            lambda nn: nn.AdaptiveAvgPool2d((None, 7)),
            lambda nn: nn.AdaptiveAvgPool2d(1),
            lambda nn: nn.ReLU(True),
            lambda nn: nn.LeakyReLU(),
            lambda nn: nn.Dropout(0.3, inplace=True),
            lambda nn: nn.BatchNorm1d(32, eps=1e-3, momentum=None, affine=False,
                                      track_running_stats=False),
            lambda nn: nn.BatchNorm2d(16),
            lambda nn: nn.Flatten(0, 2),
            lambda nn: nn.Sequential(),
            lambda nn: nn.MSELoss(),
            lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1),
            lambda nn: nn.NLLLoss(),
            lambda nn: nn.L1Loss(reduction='sum'),
            lambda nn: nn.BCEWithLogitsLoss(),
        ]
        for case in cases:
            with self.subTest(str(case(tnn))):
                self.assertEqual(str(case(nn)), str(case(tnn)))

    def test_extra_repr_and_nesting(self):
        def build(nn):
            class Scale(nn.Module):
                def __init__(self, factor):
                    super().__init__()
                    self.factor = factor

                def extra_repr(self):
                    return 'factor={}'.format(self.factor)

                def forward(self, x):
                    return x * self.factor

            class Outer(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.inner = nn.Sequential(Scale(2), nn.ReLU())
                    self.scale = Scale(0.5)

                def extra_repr(self):
                    return 'two\nlines'
            return Outer()

        self.assertEqual(str(build(nn)), str(build(tnn)))
        self.assertEqual(repr(build(nn)), repr(build(tnn)))
        self.assertEqual(build(nn).inner[0](Lt.ones(1)).tolist(), [2])


class TestStateDict(unittest.TestCase):

    def test_names_match_pytorch(self):
        for build in STRUCTURES:
            with self.subTest(build.__name__):
                ours, theirs = build(nn, F), build(tnn, TF)
                self.assertEqual(list(ours.state_dict()), list(theirs.state_dict()))
                self.assertEqual([n for n, _ in ours.named_parameters()],
                                 [n for n, _ in theirs.named_parameters()])
                self.assertEqual([n for n, _ in ours.named_buffers()],
                                 [n for n, _ in theirs.named_buffers()])
                for (n, a), (_, b) in zip(ours.state_dict().items(),
                                          theirs.state_dict().items()):
                    self.assertEqual(tuple(a.shape), tuple(b.shape), n)

    def test_same_weights_same_outputs(self):
        torch.manual_seed(0)
        for build, shape in ((tutorial, (2, 1, 32, 32)), (bn_net, (3, 3, 8, 8)),
                             (sequential_net, (2, 3, 20, 20)), (mlp, (6, 10))):
            with self.subTest(build.__name__):
                ours, theirs = build(nn, F), build(tnn, TF)
                # train a step's worth of running statistics in torch first
                theirs.train()
                theirs(torch.randn(*shape))
                copy_weights(ours, theirs)
                ours.eval()
                theirs.eval()
                x = torch.randn(*shape)
                want = theirs(x).detach().numpy()
                got = ours(to_lt(x)).detach().numpy()
                np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)

    def test_load_state_dict_keys(self):
        net = TutorialNet()
        sd = net.state_dict()
        self.assertIsInstance(sd, collections.OrderedDict)
        self.assertFalse(sd['fc1.weight'].requires_grad)
        self.assertEqual(repr(net.load_state_dict(sd)), '<All keys matched successfully>')
        sd['extra'] = Lt.zeros(1)
        del sd['fc3.bias']
        with self.assertRaises(GLib.Error) as cm:
            net.load_state_dict(sd)
        self.assertIn('fc3.bias', cm.exception.message)
        self.assertIn('extra', cm.exception.message)
        r = net.load_state_dict(sd, strict=False)
        self.assertEqual(r.missing_keys, ['fc3.bias'])
        self.assertEqual(r.unexpected_keys, ['extra'])
        sd = net.state_dict()
        sd['fc1.weight'] = Lt.zeros(3, 3)
        with self.assertRaises(GLib.Error) as cm:
            net.load_state_dict(sd)
        self.assertTrue(is_lt_error(cm.exception, Lt.Error.SHAPE))


class TestModes(unittest.TestCase):

    def test_train_eval(self):
        net = bn_net(nn, F)
        self.assertTrue(net.training)
        self.assertIs(net.eval(), net)
        self.assertFalse(net.training)
        self.assertFalse(net.block1.bn.training)
        self.assertFalse(net.head[1].training)
        net.train()
        self.assertTrue(net.head[1].training)
        net.training = False            # this module only, as in torch
        self.assertFalse(net.training)
        self.assertTrue(net.block1.training)

    def test_dropout_and_batch_norm(self):
        drop = nn.Dropout(0.5)
        x = Lt.ones(1000)
        Lt.manual_seed(3)
        a = drop(x)
        Lt.manual_seed(3)
        self.assertTrue(Lt.equal(a, drop(x)))
        zeros = (a == 0).sum().item()
        self.assertTrue(400 < zeros < 600, zeros)
        self.assertEqual(set(a.tolist()), {0.0, 2.0})
        drop.eval()
        self.assertTrue(Lt.equal(drop(x), x))

        bn = nn.BatchNorm1d(3)
        tbn = tnn.BatchNorm1d(3)
        data = torch.randn(8, 3)
        np.testing.assert_allclose(bn(to_lt(data)).detach().numpy(), tbn(data).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
        for name in ('running_mean', 'running_var', 'num_batches_tracked'):
            np.testing.assert_allclose(getattr(bn, name).numpy(), getattr(tbn, name).numpy(),
                                       rtol=1e-6, atol=1e-7)
        bn.eval()
        tbn.eval()
        np.testing.assert_allclose(bn(to_lt(data)).detach().numpy(), tbn(data).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)

    def test_zero_grad_and_device(self):
        net = TutorialNet()
        net(Lt.randn(1, 1, 32, 32)).sum().backward()
        self.assertTrue(all(p.grad is not None for p in net.parameters()))
        net.zero_grad()
        self.assertTrue(all(p.grad.abs().sum().item() == 0 for p in net.parameters()))
        net.zero_grad(set_to_none=True)
        self.assertTrue(all(p.grad is None for p in net.parameters()))
        self.assertIs(net.cpu(), net)
        self.assertIs(net.to('cpu'), net)
        if not Lt.cuda.is_available():
            before = [p.data_ptr() for p in net.parameters()]
            with self.assertRaises(GLib.Error) as cm:
                net.cuda()
            self.assertTrue(is_lt_error(cm.exception, Lt.Error.DEVICE))
            self.assertEqual([p.data_ptr() for p in net.parameters()], before)
            self.assertTrue(all(p.device.type == 'cpu' for p in net.parameters()))

    def test_dtype(self):
        net = mlp(nn, F).double()
        self.assertEqual({p.dtype for p in net.parameters()}, {Lt.float64})
        self.assertEqual(net(Lt.randn(2, 10, dtype=Lt.float64)).dtype, Lt.float64)
        lin = nn.Linear(2, 3, dtype=Lt.float64)
        self.assertEqual(lin.weight.dtype, Lt.float64)


class TestInit(unittest.TestCase):

    def test_calculate_gain(self):
        for args in (('linear',), ('conv2d',), ('sigmoid',), ('tanh',), ('relu',),
                     ('leaky_relu',), ('leaky_relu', 0.2), ('selu',)):
            self.assertAlmostEqual(nn.init.calculate_gain(*args),
                                   tnn.init.calculate_gain(*args), places=12)
        with self.assertRaises(ValueError):
            nn.init.calculate_gain('swish')

    def test_fans_and_bounds(self):
        w = Lt.empty(64, 32, 3, 3)
        self.assertEqual(nn.init._calculate_fan_in_and_fan_out(w),
                         tnn.init._calculate_fan_in_and_fan_out(torch.empty(64, 32, 3, 3)))
        for fn in (nn.init.kaiming_uniform_, nn.init.xavier_uniform_, nn.init.kaiming_normal_,
                   nn.init.xavier_normal_):
            with self.assertRaises(ValueError):
                fn(Lt.empty(5))
        nn.init.kaiming_uniform_(w, mode='fan_out', nonlinearity='relu')
        bound = math.sqrt(2) * math.sqrt(3 / (64 * 9))
        self.assertLessEqual(w.abs().max().item(), bound * (1 + 1e-6))
        self.assertGreater(w.abs().max().item(), 0.9 * bound)
        nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('tanh'))
        bound = 5 / 3 * math.sqrt(6 / (32 * 9 + 64 * 9))
        self.assertLessEqual(w.abs().max().item(), bound * (1 + 1e-6))
        nn.init.normal_(w, 1.0, 0.1)
        self.assertAlmostEqual(w.mean().item(), 1.0, delta=0.01)
        self.assertAlmostEqual(w.std().item(), 0.1, delta=0.005)
        self.assertIs(nn.init.ones_(w), w)
        self.assertEqual(w.sum().item(), w.numel())

    def test_default_init(self):
        for make, fan_in in ((lambda nn: nn.Linear(50, 7), 50),
                             (lambda nn: nn.Conv2d(6, 4, (3, 2), groups=2), 3 * 3 * 2)):
            m = make(nn)
            bound = 1 / math.sqrt(fan_in)
            for p in (m.weight, m.bias):
                self.assertLessEqual(p.abs().max().item(), bound)
            # PyTorch's draws have the same law: compare the spread
            t = make(tnn)
            self.assertAlmostEqual(m.weight.std().item(), t.weight.std().item(),
                                   delta=0.35 * t.weight.std().item())
        Lt.manual_seed(9)
        a = nn.Linear(20, 20)
        Lt.manual_seed(9)
        b = nn.Linear(20, 20)
        self.assertTrue(Lt.equal(a.weight, b.weight) and Lt.equal(a.bias, b.bias))


class TestFunctional(unittest.TestCase):

    def check(self, ours, theirs, *inputs, **kw):
        got = ours(*[to_lt(i) if isinstance(i, torch.Tensor) else i for i in inputs], **kw)
        want = theirs(*inputs, **kw)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)

    def test_against_torch(self):
        torch.manual_seed(1)
        x = torch.randn(2, 3, 8, 8)
        w = torch.randn(4, 3, 3, 3)
        b = torch.randn(4)
        self.check(F.relu, TF.relu, x)
        self.check(F.leaky_relu, TF.leaky_relu, x, 0.2)
        self.check(F.sigmoid, torch.sigmoid, x)
        self.check(F.tanh, torch.tanh, x)
        self.check(F.softmax, TF.softmax, x, dim=1)
        self.check(F.log_softmax, TF.log_softmax, x, dim=-1)
        self.check(F.max_pool2d, TF.max_pool2d, x, (2, 2))
        self.check(F.max_pool2d, TF.max_pool2d, x, 2)
        self.check(F.max_pool2d, TF.max_pool2d, x, 3, stride=2, padding=1, ceil_mode=True)
        self.check(F.avg_pool2d, TF.avg_pool2d, x, 2)
        self.check(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, x, (3, 5))
        self.check(F.conv2d, TF.conv2d, x, w, b, stride=2, padding=1)
        self.check(F.linear, TF.linear, torch.randn(5, 3), torch.randn(2, 3), torch.randn(2))
        target = torch.randn(2, 3, 8, 8)
        self.check(F.mse_loss, TF.mse_loss, x, target)
        self.check(F.l1_loss, TF.l1_loss, x, target, reduction='sum')
        logits, labels = torch.randn(6, 5), torch.tensor([0, 4, 2, 1, 3, 2])
        self.check(F.cross_entropy, TF.cross_entropy, logits, labels, label_smoothing=0.1)
        self.check(F.nll_loss, TF.nll_loss, TF.log_softmax(logits, 1), labels)
        self.check(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                   logits, torch.rand(6, 5))
        self.assertEqual(F.one_hot(Lt.tensor([0, 2]), 3).tolist(), [[1, 0, 0], [0, 0, 1]])

    def test_loss_modules(self):
        out, target = torch.randn(1, 10), torch.arange(1, 11, dtype=torch.float32)
        # the tutorial's (1, 10) output against a (10,) target broadcasts
        self.assertAlmostEqual(nn.MSELoss()(to_lt(out), to_lt(target)).item(),
                               tnn.MSELoss()(out, target).item(), places=4)
        logits, labels = torch.randn(4, 3), torch.tensor([2, 0, 1, 1])
        self.assertAlmostEqual(nn.CrossEntropyLoss()(to_lt(logits), to_lt(labels)).item(),
                               tnn.CrossEntropyLoss()(logits, labels).item(), places=5)
        self.assertEqual(nn.MSELoss(reduction='sum').reduction, 'sum')
        with self.assertRaises(ValueError):
            nn.MSELoss(reduction='average')


if __name__ == '__main__':
    main(verbosity=1)
