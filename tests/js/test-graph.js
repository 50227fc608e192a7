// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The autograd graph from gjs: module paths recorded by a JavaScript
// subclass network (children registered with register_module, a
// JavaScript child module, an Lt.Sequential with children "0", "1"), leaf
// names, shapes and gradient statistics; the trainer's ::graph,
// ::batch and ::evaluated signals with a JavaScript model on the main
// thread. Run with `gjs -m`; exits 1 when a check fails.

import GObject from 'gi://GObject';

import Lt, {trainer, toArray, noGrad} from '../../gi/js/lt.js';
import {assert, assertEqual, test, run} from './harness.js';

const F32 = Lt.DType.FLOAT32;

const Block = GObject.registerClass(class Block extends Lt.Module {
    constructor() {
        super();
        this.register_module('fc', Lt.Linear.new(4, 6, true));
    }

    vfunc_forward(x) {
        return this.get_child('fc').forward(x).relu();
    }
});

const Net = GObject.registerClass(class Net extends Lt.Module {
    constructor() {
        super();
        this.register_module('block', new Block());
        this.register_module('head', Lt.Sequential.new([Lt.Linear.new(6, 5, true),
            Lt.ReLU.new(false), Lt.Linear.new(5, 3, true)]));
    }

    vfunc_forward(x) {
        return this.get_child('head').forward(this.get_child('block').forward(x).tanh());
    }
});

function nodeModules(graph) {
    const items = [];
    for (let i = 0; i < graph.get_n_nodes(); i++)
        items.push(`${graph.get_node_name(i)}@${graph.get_node_module(i) ?? '-'}`);
    return items.sort();
}

test('a JavaScript network records its module paths', () => {
    Lt.manual_seed(1);
    const net = new Net();
    const x = Lt.randn([2, 4], F32);
    const out = net.forward(x);
    const loss = out.sum();
    const graph = Lt.Graph.new(loss);
    net.name_graph(graph);
    assertEqual(nodeModules(graph), [
        'AccumulateGrad@block.fc', 'AccumulateGrad@block.fc',
        'AccumulateGrad@head.0', 'AccumulateGrad@head.0',
        'AccumulateGrad@head.2', 'AccumulateGrad@head.2',
        'AddmmBackward0@block.fc', 'AddmmBackward0@head.0', 'AddmmBackward0@head.2',
        'ReluBackward0@block', 'ReluBackward0@head.1',
        'SumBackward0@-',
        'TBackward0@block.fc', 'TBackward0@head.0', 'TBackward0@head.2',
        'TanhBackward0@-',
    ], 'node modules');
    const names = [];
    for (let l = 0; l < graph.get_n_leaves(); l++)
        names.push(graph.get_leaf_name(l));
    assertEqual(names.sort(), ['block.fc.bias', 'block.fc.weight', 'head.0.bias',
        'head.0.weight', 'head.2.bias', 'head.2.weight'], 'leaf names');

    // shapes: the output's node, every edge carries its producer's output
    const top = graph.get_n_nodes() - 1;
    assertEqual(graph.get_node_shape(top), [], 'the sum is a scalar');
    for (let e = 0; e < graph.get_n_edges(); e++) {
        const [ok, from] = graph.get_edge(e);
        assert(ok, `edge ${e}`);
        assertEqual(graph.get_edge_shape(e), graph.get_node_shape(from), `edge ${e} shape`);
    }

    // statistics: a parameter's are those of its gradient
    net.zero_grad(true);
    assert(graph.backward(false), 'backward');
    for (let l = 0; l < graph.get_n_leaves(); l++) {
        const [leaf, node] = graph.get_leaf(l);
        const [ok, st] = graph.get_node_grad_stats(node);
        const g = toArray(leaf.grad).flat();
        const mean = g.reduce((s, v) => s + v, 0) / g.length;
        const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
        assert(ok, `statistics of ${graph.get_leaf_name(l)}`);
        assertEqual(st.numel, g.length, 'numel');
        assert(Math.abs(st.mean - mean) <= 1e-9 * Math.max(norm, 1e-30), `mean ${st.mean} ${mean}`);
        assert(Math.abs(st.norm - norm) <= 1e-9 * Math.max(norm, 1e-30), `norm ${st.norm} ${norm}`);
        assertEqual(st.min, Math.min(...g), 'min');
        assertEqual(st.max, Math.max(...g), 'max');
    }
    assert(graph.to_dot().includes('label="head.2"'), 'DOT clusters');
});

// Item i: a row of a fixed random matrix, class (x0 > 0) + (x1 > 0).
const Points = GObject.registerClass({
    Implements: [Lt.Dataset],
}, class Points extends GObject.Object {
    constructor(x) {
        super();
        this.x = x;
        this.labels = toArray(x).map(r => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0));
    }

    vfunc_get_length() {
        return this.labels.length;
    }

    vfunc_get_item(i) {
        return [true, this.x.select(0, i), Lt.scalar_int(this.labels[i])];
    }
});

test('the trainer hands the graph, a batch and the evaluation to JavaScript', () => {
    Lt.manual_seed(2);
    const x = Lt.randn([20, 4], F32);
    const net = new Net();
    const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
    const optimizer = Lt.SGD.new(net.parameters(), 0.05, 0.9, 0, 0, false);
    const trainLoader = Lt.DataLoader.new(new Points(x), 4, true, false, 0);
    const testLoader = Lt.DataLoader.new(new Points(x), 6, false, false, 0);
    const t = trainer(net, criterion, optimizer, trainLoader, testLoader,
        {epochs: 1, logInterval: 0, graphInterval: 2, batchInterval: 3});
    assertEqual(t.graph_interval, 2, 'graph-interval');
    const events = [];
    const graphs = [];
    let evaluation = null;
    t.connect('step', (_t, epoch, i) => events.push(`step ${i}`));
    t.connect('graph', (_t, graph) => {
        events.push('graph');
        graphs.push(graph);
    });
    t.connect('batch', (_t, epoch, i, inputs, targets, predictions) => {
        events.push(`batch ${i}`);
        assertEqual(inputs.get_shape(), [4, 4], 'batch inputs');
        assertEqual(toArray(targets),
            toArray(inputs).map(r => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0)), 'targets');
        assertEqual(predictions.get_shape(), [4], 'predictions');
    });
    t.connect('evaluated', (_t, epoch, loss, accuracy, predictions, targets) => {
        events.push(`evaluated ${epoch}`);
        evaluation = {loss, accuracy, predictions, targets};
    });
    t.connect('epoch-finished', (_t, epoch) => events.push(`epoch ${epoch}`));
    assert(t.run(null), 'run');
    assertEqual(events, ['step 1', 'graph', 'batch 1', 'step 2', 'step 3', 'graph',
        'step 4', 'batch 4', 'step 5', 'graph', 'evaluated 1', 'epoch 1'], 'signals');
    for (const graph of graphs) {
        assertEqual(nodeModules(graph).filter(s => s.startsWith('AccumulateGrad')),
            ['AccumulateGrad@block.fc', 'AccumulateGrad@block.fc', 'AccumulateGrad@head.0',
                'AccumulateGrad@head.0', 'AccumulateGrad@head.2', 'AccumulateGrad@head.2'],
            'parameters in their modules');
        for (let i = 0; i < graph.get_n_nodes(); i++)
            assert(graph.get_node_grad_stats(i)[0], `statistics of node ${i}`);
    }
    // the final model's loss over the test set
    const [want, predicted] = noGrad(() => {
        net.eval();
        const out = net.forward(x);
        const labels = Lt.Tensor.new_from_int64s(new Points(x).labels, [20], Lt.DType.INT64);
        return [criterion.compute(out, labels).item()[1], out.argmax_dim(1, false)];
    });
    assert(Math.abs(evaluation.loss - want) <= 1e-5 * Math.max(1, want),
        `test loss ${evaluation.loss}, want ${want}`);
    assertEqual(toArray(evaluation.predictions), toArray(predicted), 'predictions');
    assertEqual(toArray(evaluation.targets), new Points(x).labels, 'targets');
});

run();
