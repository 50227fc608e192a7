#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.Trainer from Python: the C training loop driven by a Python module,
an Lt.nn loss or a Python criterion, an Lt.optim optimizer and
Lt.utils.data loaders (Python datasets read by worker threads included).

It must give the parameters a hand-written Python loop gives (the same
batches, the same updates, bit for bit), emit its signals in order, pause,
resume and stop within one mini-batch, resume from its checkpoint exactly,
and end a run whose Python code raises with that code's own exception."""

import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from harness import main

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

nn = Lt.nn
F = Lt.nn.functional
optim = Lt.optim
data = Lt.utils.data

N, FEATURES, CLASSES, BATCH = 96, 6, 3, 8


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(FEATURES, 16)
        self.fc2 = nn.Linear(16, CLASSES)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Points(data.Dataset):
    """A Python dataset (read through the C loader by its workers)."""

    def __init__(self, x, y, fail_at=None):
        self.x, self.y, self.fail_at = x, y, fail_at

    def __len__(self):
        return self.x.size(0)

    def __getitem__(self, i):
        if i == self.fail_at:
            self.raised = KeyError('sample %d is missing' % i)
            raise self.raised
        return self.x[i], int(self.y[i])


def make_data(seed=123):
    Lt.manual_seed(seed)
    x = Lt.randn(N, FEATURES)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return x, y


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def same(a, b):
    return len(a) == len(b) and all(Lt.equal(p, q) for p, q in zip(a, b))


def manual_training(x, y, epochs, seed, workers=0):
    """The tutorial's loop, written out in Python, with the test set read
    after every epoch as the trainer reads it (every pass of a loader draws
    its epoch's seed from the generator, as in PyTorch)."""
    Lt.manual_seed(seed)
    net = Net()
    loader = data.DataLoader(Points(x, y), batch_size=BATCH, shuffle=True,
                             num_workers=workers)
    test_loader = data.DataLoader(Points(x, y), batch_size=32)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(epochs):
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with Lt.no_grad():
            for inputs, labels in test_loader:
                net(inputs)
    return params(net), losses


def make_trainer(x, y, epochs, seed, criterion=None, workers=0, test=True, dataset=None,
                 model=None, **options):
    Lt.manual_seed(seed)
    net = model if model is not None else Net()
    train_loader = data.DataLoader(dataset or Points(x, y), batch_size=BATCH, shuffle=True,
                                   num_workers=workers)
    test_loader = data.DataLoader(Points(x, y), batch_size=32) if test else None
    trainer = Lt.Trainer(net, criterion if criterion is not None else nn.CrossEntropyLoss(),
                         optim.SGD(net.parameters(), lr=0.05, momentum=0.9),
                         train_loader, test_loader, epochs=epochs, **options)
    return trainer, net


class Recorder:
    def __init__(self, trainer):
        self.events = []
        self.losses = []
        trainer.connect('step', self.on_step)
        trainer.connect('log', lambda t, e, i, loss: self.events.append(('log', e, i)))
        trainer.connect('epoch-finished', self.on_epoch)
        trainer.connect('finished', lambda t: self.events.append(('finished',)))
        trainer.connect('stopped', lambda t, e, i: self.events.append(('stopped', e, i)))
        trainer.connect('failed', lambda t, err: self.events.append(('failed', err.message)))

    def on_step(self, trainer, epoch, iteration, loss):
        self.events.append(('step', epoch, iteration))
        self.losses.append(loss)

    def on_epoch(self, trainer, epoch, train_loss, accuracy, per_class, confusion):
        self.events.append(('epoch', epoch))
        self.accuracy = accuracy
        self.per_class = per_class
        self.confusion = confusion


class TestTrainer(unittest.TestCase):
    def setUp(self):
        self.x, self.y = make_data()
        self.steps = N // BATCH

    def test_same_as_the_python_loop(self):
        expected, losses = manual_training(self.x, self.y, 2, seed=5)
        for workers, threaded in ((0, True), (2, True), (0, False), (2, False)):
            trainer, net = make_trainer(self.x, self.y, 2, seed=5, workers=workers,
                                        threaded=threaded)
            self.assertEqual(trainer.props.threaded, threaded)
            rec = Recorder(trainer)
            self.assertTrue(trainer.run())
            self.assertEqual(trainer.state, Lt.TrainerState.FINISHED)
            self.assertEqual(trainer.step_count, 2 * self.steps)
            self.assertTrue(same(params(net), expected),
                            'workers=%d threaded=%s' % (workers, threaded))
            # the step signal's loss is the loss of that mini-batch
            self.assertEqual(len(rec.losses), len(losses))
            for a, b in zip(rec.losses, losses):
                self.assertAlmostEqual(a, b, places=5)

    def test_signals_in_order(self):
        trainer, net = make_trainer(self.x, self.y, 2, seed=1, log_interval=4)
        rec = Recorder(trainer)
        trainer.run()
        expected = []
        for epoch in (1, 2):
            for i in range(1, self.steps + 1):
                expected.append(('step', epoch, i))
                if i % 4 == 0:
                    expected.append(('log', epoch, i))
            expected.append(('epoch', epoch))
        expected.append(('finished',))
        self.assertEqual(rec.events, expected)
        # the epoch's evaluation agrees with evaluate() and predict()
        accuracy, per_class, confusion = trainer.evaluate(data.DataLoader(Points(self.x, self.y),
                                                                          batch_size=32))
        self.assertAlmostEqual(accuracy, rec.accuracy, places=12)
        self.assertEqual(confusion.tolist(), rec.confusion.tolist())
        self.assertEqual(int(confusion.sum()), N)
        predicted = trainer.predict(self.x)
        with Lt.no_grad():
            _, mine = Lt.max(net(self.x), 1)
        self.assertEqual(predicted.tolist(), mine.tolist())
        self.assertAlmostEqual(accuracy, float((mine == self.y).sum()) / N, places=12)
        self.assertEqual(per_class.size(), Lt.Size([CLASSES]))

    def test_learns(self):
        trainer, net = make_trainer(self.x, self.y, 8, seed=2)
        rec = Recorder(trainer)
        trainer.run()
        first = sum(rec.losses[:self.steps]) / self.steps
        last = sum(rec.losses[-self.steps:]) / self.steps
        self.assertLess(last, 0.7 * first)
        self.assertGreater(rec.accuracy, 0.8)

    def test_python_criterion(self):
        """Any callable f(output, target) is a criterion, and gives what the
        same loss as an Lt.nn module gives."""
        a, net_a = make_trainer(self.x, self.y, 1, seed=3)
        a.run()
        b, net_b = make_trainer(self.x, self.y, 1, seed=3, criterion=F.cross_entropy)
        b.run()
        self.assertTrue(same(params(net_a), params(net_b)))
        c, net_c = make_trainer(self.x, self.y, 1, seed=3,
                                criterion=lambda out, t: F.mse_loss(out, F.one_hot(t, CLASSES).float()))
        c.run()
        self.assertFalse(same(params(net_a), params(net_c)))

    def test_python_loaders_kept_alive(self):
        Lt.manual_seed(4)
        net = Net()
        trainer = Lt.Trainer(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.05),
                             data.DataLoader(Points(self.x, self.y), batch_size=BATCH,
                                             shuffle=True, num_workers=2),
                             data.DataLoader(Points(self.x, self.y), batch_size=32), epochs=2)
        gc.collect()
        self.assertTrue(trainer.run())
        self.assertEqual(trainer.step_count, 2 * self.steps)

    def test_pause_resume_and_stop_within_one_batch(self):
        """pause() and stop() take effect after the mini-batch the worker
        has under way when they are called (the signals on the main context
        may lag behind the worker: the forwards are counted where they
        run)."""
        class Counting(Net):
            forwards = 0

            def forward(self, x):
                Counting.forwards += 1
                return super().forward(x)

        # max_lag=1: the worker waits for each step signal, so the handler
        # below pauses and stops it at the steps it names, however late the
        # main loop runs on a loaded machine (with no bound it once finished
        # all 36 steps before the handler of step 3 ran)
        trainer, _ = make_trainer(self.x, self.y, 3, seed=6, test=False, model=Counting(),
                                  max_lag=1)
        rec = Recorder(trainer)
        seen = {}

        def check_paused():
            seen['state'] = trainer.state
            seen['later'] = Counting.forwards
            trainer.resume()
            return GLib.SOURCE_REMOVE

        def paused_a_while():
            seen['paused'] = Counting.forwards
            GLib.timeout_add(100, check_paused)
            return GLib.SOURCE_REMOVE

        def on_step(t, epoch, iteration, loss):
            if epoch == 1 and iteration == 3 and 'at_pause' not in seen:
                seen['at_pause'] = Counting.forwards
                t.pause()
                GLib.timeout_add(100, paused_a_while)
            if epoch == 2 and iteration == 5:
                seen['at_stop'] = Counting.forwards
                t.stop()
        trainer.connect('step', on_step)
        self.assertTrue(trainer.run())
        self.assertEqual(seen['state'], Lt.TrainerState.PAUSED)
        self.assertEqual(seen['at_pause'], 3)                # in step with the worker
        self.assertEqual(seen['paused'], seen['at_pause'])
        self.assertEqual(seen['later'], seen['paused'])      # nothing ran while paused
        self.assertEqual(trainer.state, Lt.TrainerState.STOPPED)
        self.assertEqual(seen['at_stop'], 12 + 5)
        self.assertEqual(trainer.step_count, seen['at_stop'])
        self.assertEqual(Counting.forwards, trainer.step_count)
        steps = [e for e in rec.events if e[0] == 'step']
        self.assertEqual(len(steps), trainer.step_count)
        self.assertEqual(rec.events[-1], ('stopped',) + steps[-1][1:])

    def test_resume_equals_uninterrupted(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'run.safetensors')
            full, net_full = make_trainer(self.x, self.y, 2, seed=7, workers=2)
            full.run()

            first, _ = make_trainer(self.x, self.y, 2, seed=7, workers=2,
                                    checkpoint_path=path, max_steps=self.steps + 3)
            first.run()
            self.assertEqual(first.step_count, self.steps + 3)
            self.assertTrue(os.path.exists(path))
            # random numbers drawn in between do not matter
            Lt.rand(100)

            second, net_second = make_trainer(self.x, self.y, 2, seed=99, workers=2)
            self.assertTrue(second.resume_from(path))
            self.assertEqual(second.step_count, self.steps + 3)
            second.run()
            self.assertEqual(second.step_count, 2 * self.steps)
            self.assertTrue(same(params(net_second), params(net_full)))

    def test_ctrl_c_stops_with_a_checkpoint(self):
        """SIGINT during run(): the run stops after the mini-batch under
        way, writes its checkpoint and raises KeyboardInterrupt."""
        script = textwrap.dedent('''
            import os, signal, sys, time
            sys.path.insert(0, %r)
            from test_trainer import *
            x, y = make_data()
            trainer, _ = make_trainer(x, y, 1000, seed=12, checkpoint_path=sys.argv[1])
            def on_step(t, epoch, iteration, loss):
                if epoch == 1 and iteration == 2:
                    os.kill(os.getpid(), signal.SIGINT)
            trainer.connect('step', on_step)
            try:
                trainer.run()
                print('no interrupt')
            except KeyboardInterrupt:
                print('interrupted', trainer.state.value_nick, trainer.step_count,
                      trainer.props.epochs * len(trainer.get_train_loader()))
            # after run(), Ctrl-C is Python's again
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
                print('ignored')
            except KeyboardInterrupt:
                print('raised')
        ''' % os.path.dirname(os.path.abspath(__file__)))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'ckpt.safetensors')
            r = subprocess.run([sys.executable, '-c', script, path], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            words = r.stdout.split()
            self.assertEqual(words[:2], ['interrupted', 'stopped'], r.stdout + r.stderr)
            self.assertEqual(words[4:], ['raised'], r.stdout + r.stderr)
            done, total = int(words[2]), int(words[3])
            self.assertGreaterEqual(done, 2)
            self.assertLess(done, total)
            self.assertEqual(os.listdir(tmp), ['ckpt.safetensors'])
            # the checkpoint holds the run where it stopped
            again, _ = make_trainer(self.x, self.y, 1000, seed=0)
            self.assertTrue(again.resume_from(path))
            self.assertEqual(again.step_count, done)

    def test_forward_exception_fails_the_run(self):
        class Broken(Net):
            def forward(self, x):
                if x.size(0) != BATCH:
                    return super().forward(x)
                self.raised = ValueError('forward cannot take %d samples' % x.size(0))
                raise self.raised

        broken = Broken()
        trainer, _ = make_trainer(self.x, self.y, 1, seed=8, model=broken)
        rec = Recorder(trainer)
        with self.assertRaises(ValueError) as cm:
            trainer.run()
        self.assertIs(cm.exception, broken.raised)
        self.assertEqual(trainer.state, Lt.TrainerState.FAILED)
        self.assertEqual(len(rec.events), 1)
        self.assertEqual(rec.events[0][0], 'failed')
        self.assertIn('Broken.forward: ValueError: forward cannot take 8 samples',
                      rec.events[0][1])

    def test_dataset_exception_fails_the_run(self):
        for workers in (0, 2):
            points = Points(self.x, self.y, fail_at=17)
            trainer, _ = make_trainer(self.x, self.y, 1, seed=9, workers=workers,
                                      dataset=points)
            rec = Recorder(trainer)
            with self.assertRaises(KeyError) as cm:
                trainer.run()
            self.assertIs(cm.exception, points.raised)
            self.assertIn("KeyError: 'sample 17 is missing'", rec.events[-1][1])
            self.assertEqual(rec.events[-1][0], 'failed')
            self.assertLess(len([e for e in rec.events if e[0] == 'step']), self.steps)

    def test_criterion_exception_and_bad_result(self):
        raised = RuntimeError('no loss today')

        def bad(out, target):
            raise raised
        trainer, _ = make_trainer(self.x, self.y, 1, seed=10, criterion=bad)
        with self.assertRaises(RuntimeError) as cm:
            trainer.run()
        self.assertIs(cm.exception, raised)
        self.assertNotIsInstance(cm.exception, GLib.Error)

        trainer, _ = make_trainer(self.x, self.y, 1, seed=10, criterion=lambda o, t: 1.5)
        with self.assertRaises(GLib.Error) as cm:
            trainer.run()
        self.assertIn('returned float, not a tensor', cm.exception.message)

    def test_bad_arguments(self):
        net = Net()
        loader = data.DataLoader(Points(self.x, self.y), batch_size=BATCH)
        sgd = optim.SGD(net.parameters(), lr=0.1)
        cases = [
            ((object(), nn.CrossEntropyLoss(), sgd, loader), {}, 'model must be'),
            ((net, 3, sgd, loader), {}, 'criterion must be'),
            ((net, nn.CrossEntropyLoss(), [1], loader), {}, 'optimizer must be'),
            ((net, nn.CrossEntropyLoss(), sgd, [1, 2]), {}, 'train_loader must be'),
            ((net, nn.CrossEntropyLoss(), sgd, loader, 'test'), {}, 'test_loader must be'),
        ]
        for args, kwargs, message in cases:
            with self.assertRaises(TypeError) as cm:
                Lt.Trainer(*args, **kwargs)
            self.assertIn(message, str(cm.exception))
        with self.assertRaises(ValueError):
            Lt.Trainer(net, nn.CrossEntropyLoss(), sgd, loader, epochs=-1)
        with self.assertRaises(ValueError):
            Lt.Trainer(net, nn.CrossEntropyLoss(), sgd, loader, log_interval=-5)
        with self.assertRaises(ValueError):
            Lt.Trainer(net, nn.CrossEntropyLoss(), sgd, loader, max_steps=-1)
        trainer = Lt.Trainer(net, nn.CrossEntropyLoss(), sgd, loader)
        with self.assertRaises(TypeError) as cm:
            trainer.evaluate([(self.x, self.y)])
        self.assertIn('loader must be', str(cm.exception))
        with self.assertRaises(GLib.Error) as cm:
            trainer.predict(Lt.zeros(2, 5))         # 5 features for a 6-feature model
        self.assertIn('linear', cm.exception.message.lower())
        # a GPU that is not there: the run fails with a message, nothing crashes
        if not Lt.cuda.is_available():
            trainer = Lt.Trainer(net, nn.CrossEntropyLoss(), sgd, loader, device='cuda')
            with self.assertRaises(GLib.Error) as cm:
                trainer.run()
            self.assertIn('cuda', cm.exception.message.lower())

    def test_options(self):
        trainer, _ = make_trainer(self.x, self.y, 3, seed=11, log_interval=5, max_steps=7,
                                  checkpoint_every_epoch=False)
        self.assertEqual(trainer.props.log_interval, 5)
        self.assertEqual(trainer.props.epochs, 3)
        self.assertFalse(trainer.props.checkpoint_every_epoch)
        trainer.run()
        self.assertEqual(trainer.step_count, 7)


if __name__ == '__main__':
    main(verbosity=2)
