// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The widgets of libtensor-gtk-1 (LtGtk 1.0) from gjs: a window with the
// loss plot bound to a trainer whose model and dataset are written in
// JavaScript (trained on the main thread: the trainer() helper), whose
// point count grows with every logged step; the whole viewer over a
// trainer in one call (LtGtk.show_trainer), whose image view reads the
// JavaScript dataset on the main thread; an export to a folder that does
// not exist throws an Lt.Error. Needs a display: tests/gtk/run-ui.sh
// starts Xvfb when there is none; without one this exits 77 (skipped).
// Run with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import System from 'system';

if (!GLib.getenv('DISPLAY') && !GLib.getenv('WAYLAND_DISPLAY')) {
    print('no display (DISPLAY and WAYLAND_DISPLAY are unset): run under xvfb-run');
    System.exit(77);
}

const {default: Gtk} = await import('gi://Gtk?version=4.0');
const {default: LtGtk} = await import('gi://LtGtk?version=1.0');
const {default: Lt, trainer} = await import('../../gi/js/lt.js');
const {assert, assertEqual, test, run} = await import('../js/harness.js');

Gtk.init();

const F32 = Lt.DType.FLOAT32;
const N = 24, CLASSES = 3, BATCH = 4;

// Images (3, 6, 6) in 3 classes
const Images = GObject.registerClass({
    Implements: [Lt.Dataset],
}, class Images extends GObject.Object {
    constructor() {
        super();
        Lt.manual_seed(11);
        this.x = Lt.randn([N, 3, 6, 6], F32);
    }

    vfunc_get_length() {
        return N;
    }

    vfunc_get_item(i) {
        return [true, this.x.select(0, i), Lt.scalar_int(i % CLASSES)];
    }
});

const Net = GObject.registerClass(class Net extends Lt.Module {
    constructor() {
        super();
        this.fc1 = Lt.Linear.new(3 * 6 * 6, 8, true);
        this.fc2 = Lt.Linear.new(8, CLASSES, true);
        this.register_module('fc1', this.fc1);
        this.register_module('fc2', this.fc2);
    }

    vfunc_forward(x) {
        return this.fc2.forward(this.fc1.forward(x.flatten(1, -1)).relu());
    }
});

function makeTrainer() {
    Lt.manual_seed(2);
    const net = new Net();
    const train = Lt.DataLoader.new(new Images(), BATCH, true, false, 0);
    const testLoader = Lt.DataLoader.new(new Images(), BATCH, false, false, 0);
    const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
    const optimizer = Lt.SGD.new(net.parameters(), 0.01, 0.9, 0, 0, false);
    return trainer(net, criterion, optimizer, train, testLoader, {epochs: 1, logInterval: 1});
}

function spin(ms) {
    const context = GLib.MainContext.default();
    const end = GLib.get_monotonic_time() + ms * 1000;
    while (GLib.get_monotonic_time() < end)
        context.iteration(false);
}

test('a loss view bound to a trainer grows while it trains', () => {
    const t = makeTrainer();
    const registry = LtGtk.RunRegistry.new();
    const view = new LtGtk.LossView({registry});
    view.bind_trainer(t);
    assert(view.get_trainer() === t, 'bound');
    const window = new Gtk.Window({default_width: 640, default_height: 420});
    window.set_child(view);
    window.present();

    const counts = [];
    t.connect('log', () => counts.push(view.get_n_points()));
    assert(t.run(null), 'run() returns true');
    spin(100);
    assertEqual(counts.length, N / BATCH, 'one count per logged step');
    for (let i = 1; i < counts.length; i++)
        assert(counts[i] > counts[i - 1], `counts grow: ${counts}`);
    const r = registry.lookup_trainer(t);
    assertEqual(r.get_n_points(LtGtk.Series.TRAIN_LOSS), N / BATCH, 'training losses');
    assertEqual(r.get_n_points(LtGtk.Series.TEST_ACCURACY), 1, 'one accuracy');

    const bad = GLib.build_filenamev([GLib.get_tmp_dir(), 'lt-gtk-no-such-folder', 'loss.png']);
    let caught = null;
    try {
        view.export(bad, 0, 0);
    } catch (e) {
        caught = e;
    }
    assert(caught !== null, 'an export to a missing folder throws');
    assert(caught.matches(Lt.Error, Lt.Error.IO), `an Lt.Error IO: ${caught}`);
    assert(caught.message.includes(bad), 'the message names the path');
    window.destroy();
});

test('the whole viewer in one call', () => {
    const t = makeTrainer();
    const window = LtGtk.show_trainer(t);
    assert(window instanceof LtGtk.TrainerWindow, 'a trainer window');
    assert(window.get_trainer() === t, 'its trainer');
    assert(t.run(null), 'run() returns true');
    spin(300);
    assert(window.get_status().includes('Finished'), `status: ${window.get_status()}`);
    assert(window.get_loss_view().get_n_points() > 0, 'points');
    const graph = window.get_graph_view();
    assert(graph.get_n_nodes() > 0, 'a graph');
    assert(graph.dup_modules().includes('fc1'), `modules: ${graph.dup_modules()}`);
    const accuracy = window.get_accuracy_view();
    let total = 0;
    for (let r = 0; r < CLASSES; r++) {
        for (let c = 0; c < CLASSES; c++)
            total += accuracy.get_count(r, c);
    }
    assertEqual(total, N, 'every test sample counted');
    const images = window.get_image_view();
    assertEqual(images.get_n_images(), BATCH, 'a batch of images');
    assertEqual([0, 1, 2, 3].map(i => images.get_label(i)), [0, 1, 2, 0], 'its labels');
    assert(images.get_prediction(0) >= 0, 'predicted after the epoch');
    window.destroy();
});

test('run colours from a palette', () => {
    const registry = LtGtk.RunRegistry.new();
    const first = registry.add_run('first');
    assertEqual(registry.dup_palette()[0], '#0072b2', 'the default palette');
    assert(registry.set_palette(['#FF0000']), 'set_palette() returns true');
    assertEqual(registry.palette, ['#ff0000'], 'the palette property');
    assertEqual(first.get_color().to_string(), 'rgb(255,0,0)', 'the run recoloured');
    let caught = null;
    try {
        registry.set_palette(['green']);
    } catch (e) {
        caught = e;
    }
    assert(caught !== null && caught.matches(Lt.Error, Lt.Error.INVALID_ARGUMENT),
        `a bad colour throws an Lt.Error: ${caught}`);
    assert(caught.message.includes('green'), 'the message names it');
    registry.palette = [];
    assertEqual(first.color.to_string(), 'rgb(0,114,178)', 'the default again');
});

run();
