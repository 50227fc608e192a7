#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The autograd graph from Python: module paths recorded by a Python
subclass network (attributes, a Python child module, Sequential children
"0", "1", ...), the graph's names, shapes and gradient statistics against
PyTorch 1.13 on the same network with the same weights, and what Lt.Trainer
hands a viewer: ::graph at the right steps, ::batch, ::evaluated with the
test loss of the final model."""

import collections
import math
import unittest

import numpy as np
import torch

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

nn = Lt.nn
F = Lt.nn.functional
data = Lt.utils.data

torch.set_num_threads(1)


def build(lib):
    """The same network on torch or Lt: a Python child module, a Sequential,
    attributes, a function in forward."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = lib.nn.Conv2d(3, 4, 3)
            self.pool = lib.nn.MaxPool2d(2, 2)

        def forward(self, x):
            return self.pool(lib.nn.functional.relu(self.conv(x)))

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = lib.nn.Sequential(lib.nn.Linear(4 * 3 * 3, 8), lib.nn.ReLU(),
                                          lib.nn.Linear(8, 3))

        def forward(self, x):
            x = self.block(x)
            return self.head(x.view(-1, 4 * 3 * 3))

    return Net()


def torch_graph(loss):
    """Names of the nodes of torch's graph behind loss, and the leaves
    (AccumulateGrad variables)."""
    names, leaves, seen, stack = [], [], set(), [loss.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(type(fn).__name__)
        if hasattr(fn, 'variable'):
            leaves.append(fn.variable)
        stack.extend(f for f, _ in fn.next_functions)
    return names, leaves


def stats_of(values):
    v = np.asarray(values, dtype=np.float64).ravel()
    return dict(mean=v.mean(), std=v.std(), min=v.min(), max=v.max(),
                norm=math.sqrt(float((v * v).sum())), numel=v.size)


class TestGraph(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.tnet = build(torch)
        Lt.manual_seed(0)
        self.net = build(Lt)
        # the same weights
        with Lt.no_grad():
            for name, p in self.tnet.named_parameters():
                mine = self.net.get_parameter(name)
                mine.copy_(Lt.tensor(p.detach().numpy().copy()))
        self.x = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
        self.y = [2, 0]

    def lt_graph(self):
        out = self.net(Lt.tensor(self.x))
        loss = F.cross_entropy(out, Lt.tensor(self.y))
        graph = Lt.Graph.new(loss)
        self.net.name_graph(graph)
        return graph, out

    def test_module_paths(self):
        graph, _ = self.lt_graph()
        got = collections.Counter((graph.get_node_name(i), graph.get_node_module(i))
                                  for i in range(graph.get_n_nodes()))
        want = collections.Counter({
            ('AccumulateGrad', 'block.conv'): 2,
            ('ConvolutionBackward0', 'block.conv'): 1,
            ('ReluBackward0', 'block'): 1,             # F.relu in Block.forward
            ('MaxPool2DWithIndicesBackward0', 'block.pool'): 1,
            ('ViewBackward0', None): 1,
            ('AccumulateGrad', 'head.0'): 2,
            ('TBackward0', 'head.0'): 1,
            ('AddmmBackward0', 'head.0'): 1,
            ('ReluBackward0', 'head.1'): 1,
            ('AccumulateGrad', 'head.2'): 2,
            ('TBackward0', 'head.2'): 1,
            ('AddmmBackward0', 'head.2'): 1,
            ('LogSoftmaxBackward0', None): 1,
            ('NllLossBackward0', None): 1,
        })
        self.assertEqual(got, want)
        # the node's own record is the same, and LtGradFn:module says it too
        for i in range(graph.get_n_nodes()):
            node = graph.get_node(i)
            if node.get_name() != 'AccumulateGrad':
                self.assertEqual(node.get_module(), graph.get_node_module(i))
                self.assertEqual(node.props.module, graph.get_node_module(i))
        names = sorted(graph.get_leaf_name(i) for i in range(graph.get_n_leaves()))
        self.assertEqual(names, sorted(n for n, _ in self.tnet.named_parameters()))

    def test_against_torch(self):
        graph, out = self.lt_graph()
        tout = self.tnet(torch.tensor(self.x))
        tloss = torch.nn.functional.cross_entropy(tout, torch.tensor(self.y))
        tnames, tleaves = torch_graph(tloss)
        self.assertEqual(collections.Counter(graph.get_node_name(i)
                                             for i in range(graph.get_n_nodes())),
                         collections.Counter(tnames))
        # shapes: the logits' node and the leaves
        top = [i for i in range(graph.get_n_nodes())
               if graph.get_node_name(i) == 'LogSoftmaxBackward0'][0]
        self.assertEqual(list(graph.get_node_shape(top)), [2, 3])
        for i in range(graph.get_n_edges()):
            ok, src, dst = graph.get_edge(i)
            self.assertTrue(ok)
            self.assertEqual(list(graph.get_edge_shape(i)), list(graph.get_node_shape(src)))
        # gradient statistics of every parameter, against torch's gradients
        self.assertTrue(graph.backward(False))
        tloss.backward()
        tgrads = {name: p.grad.numpy() for name, p in self.tnet.named_parameters()}
        self.assertEqual(len(tleaves), graph.get_n_leaves())
        for k in range(graph.get_n_leaves()):
            leaf, node = graph.get_leaf(k)
            ok, st = graph.get_node_grad_stats(node)
            self.assertTrue(ok)
            want = stats_of(tgrads[graph.get_leaf_name(k)])
            self.assertEqual(st.numel, want['numel'])
            self.assertEqual(list(graph.get_node_shape(node)), list(leaf.shape))
            scale = max(abs(want['min']), abs(want['max']), 1e-6)
            for key in ('mean', 'std', 'min', 'max', 'norm'):
                self.assertLess(abs(getattr(st, key) - want[key]), 1e-5 * scale,
                                '%s %s' % (graph.get_leaf_name(k), key))
        # the loss's own gradient is the implicit 1
        ok, st = graph.get_node_grad_stats(graph.get_n_nodes() - 1)
        self.assertEqual((st.mean, st.numel), (1.0, 1))
        # DOT: one cluster per module path and the ones above them
        dot = graph.to_dot()
        for path in ('block', 'block.conv', 'block.pool', 'head', 'head.0', 'head.1', 'head.2'):
            self.assertIn('label="%s"' % path, dot)
        self.assertEqual(dot.count('subgraph cluster_'), 7)


class Points(data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return self.x.size(0)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class TestTrainerSignals(unittest.TestCase):
    def make(self, threaded, **options):
        Lt.manual_seed(3)
        x = Lt.randn(24, 4)
        y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
        net = Small()
        trainer = Lt.Trainer(net, nn.CrossEntropyLoss(),
                             Lt.optim.SGD(net.parameters(), lr=0.1),
                             data.DataLoader(Points(x, y), batch_size=4, shuffle=True),
                             data.DataLoader(Points(x, y), batch_size=5),
                             epochs=2, log_interval=0, threaded=threaded, **options)
        return trainer, net, x, y

    def test_signals(self):
        for threaded in (True, False):
            trainer, net, x, y = self.make(threaded, graph_interval=4, batch_interval=5)
            self.assertEqual(trainer.props.graph_interval, 4)
            events, graphs, batches, evaluated = [], [], [], []
            trainer.connect('step', lambda t, e, i, loss: events.append(('step', e, i)))
            trainer.connect('graph', lambda t, g: (events.append(('graph',)), graphs.append(g)))
            trainer.connect('batch', lambda t, e, i, xs, ys, ps: (
                events.append(('batch', e, i)), batches.append((xs, ys, ps))))
            trainer.connect('evaluated', lambda t, e, loss, acc, p, tg: (
                events.append(('evaluated', e)), evaluated.append((loss, acc, p, tg))))
            trainer.connect('epoch-finished', lambda t, e, *rest: events.append(('epoch', e)))
            self.assertTrue(trainer.run())
            want = []
            for step in range(12):
                epoch, i = step // 6 + 1, step % 6 + 1
                want.append(('step', epoch, i))
                if step % 4 == 0:
                    want.append(('graph',))
                if step % 5 == 0:
                    want.append(('batch', epoch, i))
                if i == 6:
                    want += [('evaluated', epoch), ('epoch', epoch)]
            self.assertEqual(events, want, 'threaded=%s' % threaded)
            for g in graphs:
                leaves = sorted(g.get_leaf_name(k) for k in range(g.get_n_leaves()))
                self.assertEqual(leaves, ['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight'])
                modules = {g.get_node_module(k) for k in range(g.get_n_nodes())}
                self.assertEqual(modules, {'fc1', 'fc2', None})
                for k in range(g.get_n_nodes()):
                    self.assertTrue(g.get_node_grad_stats(k)[0])
            for xs, ys, ps in batches:
                self.assertEqual(list(xs.shape), [4, 4])
                self.assertEqual(ps.dtype, Lt.DType.INT64)
                self.assertEqual(ys.tolist(), [(int(r[0] > 0) + int(r[1] > 0)) for r in xs.tolist()])
            # the last evaluation: the final model's loss over the test set
            loss, acc, preds, targets = evaluated[-1]
            with Lt.no_grad():
                net.eval()
                out = net(x)
                want_loss = F.cross_entropy(out, y).item()
                _, want_preds = Lt.max(out, 1)
            self.assertAlmostEqual(loss, want_loss, places=5)
            self.assertEqual(preds.tolist(), want_preds.tolist())
            self.assertEqual(targets.tolist(), y.tolist())
            self.assertAlmostEqual(acc, float((want_preds == y).sum()) / 24, places=12)


if __name__ == '__main__':
    unittest.main()
