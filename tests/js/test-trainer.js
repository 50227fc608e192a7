// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Lt.Trainer from gjs: a model (vfunc_forward) and a dataset written in
// JavaScript, trained by the library's loop on the main thread (the
// trainer() helper: threaded off). It must give the parameters a
// hand-written JavaScript loop gives, bit for bit; emit its signals in
// order; pause (a timeout resumes it) and stop from a handler; end a run
// whose JavaScript forward throws with that error; and, left threaded,
// fail with a message that says to turn threading off (run in a child
// gjs, since gjs logs a critical when it refuses a call from the worker).
// Run with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import System from 'system';

import Lt, {trainer, toArray, noGrad} from '../../gi/js/lt.js';
import {assert, assertEqual, flat, test, run} from './harness.js';

const F32 = Lt.DType.FLOAT32;
const N = 48, FEATURES = 4, BATCH = 6;

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
        return N;
    }

    vfunc_get_item(i) {
        return [true, this.x.select(0, i), Lt.scalar_int(this.labels[i])];
    }
});

const Net = GObject.registerClass(class Net extends Lt.Module {
    constructor(failAt = -1) {
        super();
        this.fc1 = Lt.Linear.new(FEATURES, 12, true);
        this.fc2 = Lt.Linear.new(12, 3, true);
        this.register_module('fc1', this.fc1);
        this.register_module('fc2', this.fc2);
        this.forwards = 0;
        this.failAt = failAt;
    }

    vfunc_forward(x) {
        this.forwards++;
        if (this.forwards === this.failAt)
            throw new Error(`forward ${this.forwards} fails`);
        return this.fc2.forward(this.fc1.forward(x).relu());
    }
});

function makeData() {
    Lt.manual_seed(31);
    return Lt.randn([N, FEATURES], F32);
}

function setup(x, seed, failAt = -1) {
    Lt.manual_seed(seed);
    const net = new Net(failAt);
    const train = Lt.DataLoader.new(new Points(x), BATCH, true, false, 0);
    const test = Lt.DataLoader.new(new Points(x), 16, false, false, 0);
    const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
    const optimizer = Lt.SGD.new(net.parameters(), 0.05, 0.9, 0, 0, false);
    return {net, train, test, criterion, optimizer};
}

function params(net) {
    return net.parameters().map(p => flat(p));
}

function record(t) {
    const events = [];
    t.connect('step', (_t, epoch, i) => events.push(`step ${epoch} ${i}`));
    t.connect('log', (_t, epoch, i) => events.push(`log ${epoch} ${i}`));
    t.connect('epoch-finished', (_t, epoch) => events.push(`epoch ${epoch}`));
    t.connect('finished', () => events.push('finished'));
    t.connect('stopped', (_t, epoch, i) => events.push(`stopped ${epoch} ${i}`));
    t.connect('failed', (_t, err) => events.push(`failed ${err.message}`));
    return events;
}

test('the trainer gives what a JavaScript loop gives', () => {
    const x = makeData();
    const epochs = 2;

    // the loop by hand, reading the test set after every epoch as the
    // trainer does (each pass of a loader draws its epoch's seed)
    const a = setup(x, 5);
    for (let e = 0; e < epochs; e++) {
        for (const [inputs, labels] of a.train) {
            a.optimizer.zero_grad(true);
            const loss = a.criterion.compute(a.net.forward(inputs), labels);
            loss.backward(null, false);
            a.optimizer.step();
        }
        noGrad(() => {
            for (const [inputs] of a.test)
                a.net.forward(inputs);
        });
    }

    const b = setup(x, 5);
    const t = trainer(b.net, b.criterion, b.optimizer, b.train, b.test,
        {epochs, logInterval: 4});
    assert(!t.threaded, 'the helper runs the loop on the main thread');
    const events = record(t);
    assert(t.run(null), 'run() returns true');
    assertEqual(t.get_state(), Lt.TrainerState.FINISHED, 'state');
    assertEqual(t.get_step(), epochs * N / BATCH, 'steps');
    const want = [];
    for (let e = 1; e <= epochs; e++) {
        for (let i = 1; i <= N / BATCH; i++) {
            want.push(`step ${e} ${i}`);
            if (i % 4 === 0)
                want.push(`log ${e} ${i}`);
        }
        want.push(`epoch ${e}`);
    }
    want.push('finished');
    assertEqual(events, want, 'signals');
    assertEqual(params(b.net), params(a.net), 'parameters');

    const [ok, accuracy, perClass, confusion] = t.evaluate(b.test, null);
    assert(ok && accuracy >= 0 && accuracy <= 1, `accuracy ${accuracy}`);
    assertEqual(toArray(confusion).flat().reduce((s, v) => s + v, 0), N, 'confusion total');
    assertEqual(perClass.get_size(0), 3, 'per-class accuracy');
});

test('pause, resume from a timeout, stop from a handler', () => {
    const x = makeData();
    const s = setup(x, 6);
    const t = trainer(s.net, s.criterion, s.optimizer, s.train, null, {epochs: 3});
    const events = record(t);
    const states = [];
    let atPause = -1, whilePaused = -1;
    t.connect('notify::state', () => states.push(t.get_state()));
    t.connect('step', (_t, epoch, i) => {
        if (epoch === 1 && i === 2) {
            t.pause();
            atPause = s.net.forwards;
            GLib.timeout_add(GLib.PRIORITY_DEFAULT, 60, () => {
                whilePaused = s.net.forwards;
                t.resume();
                return GLib.SOURCE_REMOVE;
            });
        }
        if (epoch === 2 && i === 3)
            t.stop();
    });
    assert(t.run(null), 'run() returns true after a stop');
    assertEqual(atPause, 2, 'forwards at the pause');
    assertEqual(whilePaused, 2, 'no forward while paused');
    assertEqual(states, [Lt.TrainerState.RUNNING, Lt.TrainerState.PAUSED,
        Lt.TrainerState.RUNNING, Lt.TrainerState.STOPPED], 'states');
    assertEqual(t.get_step(), N / BATCH + 3, 'stopped after the handler\'s mini-batch');
    assertEqual(s.net.forwards, N / BATCH + 3, 'forwards');
    assertEqual(events[events.length - 1], 'stopped 2 3', 'last signal');
});

test('a JavaScript forward that throws ends the run', () => {
    const x = makeData();
    const s = setup(x, 7, 5);
    const t = trainer(s.net, s.criterion, s.optimizer, s.train, s.test, {epochs: 1});
    const events = record(t);
    let caught = null;
    try {
        t.run(null);
    } catch (e) {
        caught = e;
    }
    assert(caught !== null, 'run() throws');
    assert(caught.message.includes('forward 5 fails'), caught.message);
    assertEqual(t.get_state(), Lt.TrainerState.FAILED, 'state');
    assertEqual(events.slice(0, 4), ['step 1 1', 'step 1 2', 'step 1 3', 'step 1 4'],
        'steps before the failure');
    assert(events[4].startsWith('failed ') && events[4].includes('forward 5 fails'),
        events[4]);
    assertEqual(events.length, 5, 'nothing after failed');
});

test ('a loss that becomes NaN ends the run with DIVERGED', () => {
  const x = makeData ();
  const s = setup (x, 7, -1);
  // A learning rate that blows the parameters up within a few steps.
  const optimizer = Lt.SGD.new(s.net.parameters(), 1e30, 0, 0, 0, false);
  const t = trainer (s.net, s.criterion, optimizer, s.train, null, { epochs : 3 });
  const events = record (t);
  let   caught = null;
  try
    {
      t.run(null);
    }
  catch (e)
    {
      caught = e;
    }
  assert (caught !== null, 'run() throws');
  assert (caught.matches(Lt.Error, Lt.Error.DIVERGED), caught.message);
  assert (/diverged at step [0-9]+ \(epoch [0-9]+, mini-batch [0-9]+\)/.test(caught.message),
          caught.message);
  assertEqual (t.get_state(), Lt.TrainerState.FAILED, 'state');
  assert (events[events.length - 1].startsWith('failed '), events[events.length - 1]);
  // Every step before it had a finite loss.
  const steps = events.filter(e => e.startsWith('step '));
  assert (steps.length < 3 * N / BATCH, `${steps.length} steps`);

  // Turned off, the same run trains on, as PyTorch's loop does.
  const s2 = setup (x, 7, -1);
  const t2 = trainer (s2.net, s2.criterion, Lt.SGD.new(s2.net.parameters(), 1e30, 0, 0, 0, false),
                      s2.train, null, { epochs : 3, stopOnDivergence : false });
  assert (t2.run(null), 'run() returns true');
  assertEqual (t2.get_state(), Lt.TrainerState.FINISHED, 'state');
});

test('left threaded, a JavaScript dataset fails with advice', () => {
    const env = GLib.get_environ().filter(v => !v.startsWith('G_DEBUG='));
    const me = GLib.filename_from_uri(import.meta.url)[0];
    const [, out, err, status] = GLib.spawn_sync(null,
        ['gjs', '-m', me, 'threaded-child'], env, GLib.SpawnFlags.SEARCH_PATH, null);
    const text = new TextDecoder().decode(out);
    const errText = new TextDecoder().decode(err);
    assert(GLib.spawn_check_wait_status(status), `child: ${text}\n${errText}`);
    assert(text.includes('no mini-batch in epoch 1'), text);
    assert(text.includes('threaded property off'), text);
});

if (ARGV[0] === 'threaded-child') {
    const x = makeData();
    const s = setup(x, 8);
    const t = trainer(s.net, s.criterion, s.optimizer, s.train, null,
        {epochs: 1, threaded: true});
    try {
        t.run(null);
        print('no error');
    } catch (e) {
        print(`error: ${e.message}`);
    }
    System.exit(0);
}

run();
