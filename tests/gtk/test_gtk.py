#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The widgets of libtensor-gtk-1 (LtGtk 1.0) from Python: a window with
the loss plot bound to a trainer that trains a few steps (the plot's point
count grows with every logged step), the whole viewer over a trainer in
one call (LtGtk.show_trainer), a batch of images set from Python, and an
export to a folder that does not exist (a GLib.Error in LT_ERROR, not a
crash). Needs a display: tests/gtk/run-ui.sh starts Xvfb when there is
none; without one this exits 77 (skipped)."""

import os
import sys
import tempfile
import unittest

if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
    print('no display (DISPLAY and WAYLAND_DISPLAY are unset): run under xvfb-run')
    sys.exit(77)

import gi  # noqa: E402
gi.require_version('Gtk', '4.0')
gi.require_version('Lt', '1.0')
gi.require_version('LtGtk', '1.0')
from gi.repository import GLib, Gtk, Lt, LtGtk  # noqa: E402

nn = Lt.nn
F = Lt.nn.functional
data = Lt.utils.data

N, CLASSES, BATCH = 32, 4, 4


class Images(data.Dataset):
    """Images (3, 8, 8) in 4 classes, written in Python."""

    def __init__(self):
        Lt.manual_seed(7)
        self.x = Lt.randn(N, 3, 8, 8)
        self.y = [i % CLASSES for i in range(N)]

    def __len__(self):
        return N

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, CLASSES)

    def forward(self, x):
        return self.fc(F.relu(self.conv(x)).flatten(1))


def make_trainer(epochs=1):
    Lt.manual_seed(1)
    net = Net()
    train = data.DataLoader(Images(), batch_size=BATCH, shuffle=True)
    test = data.DataLoader(Images(), batch_size=BATCH)
    return Lt.Trainer(net, nn.CrossEntropyLoss(), Lt.optim.SGD(net.parameters(), lr=0.01),
                      train, test, epochs=epochs, log_interval=1)


def spin(ms=100):
    """Runs the main loop for a while."""
    context = GLib.MainContext.default()
    end = GLib.get_monotonic_time() + ms * 1000
    while GLib.get_monotonic_time() < end:
        context.iteration(False)


class TestWidgets(unittest.TestCase):
    def test_loss_view_bound_to_a_trainer(self):
        trainer = make_trainer()
        registry = LtGtk.RunRegistry.new()
        view = LtGtk.LossView(registry=registry)
        view.props.trainer = trainer  # the property binds it too
        self.assertIs(view.get_trainer(), trainer)
        window = Gtk.Window(default_width=640, default_height=420)
        window.set_child(view)
        window.present()

        counts = []
        trainer.connect('log', lambda *args: counts.append(view.get_n_points()))
        self.assertTrue(trainer.run())
        spin()
        steps = N // BATCH
        self.assertEqual(len(counts), steps)
        self.assertTrue(all(b > a for a, b in zip(counts, counts[1:])), counts)
        run = registry.lookup_trainer(trainer)
        self.assertEqual(run.get_n_points(LtGtk.Series.TRAIN_LOSS), steps)
        self.assertEqual(run.get_n_points(LtGtk.Series.TEST_LOSS), 1)
        self.assertEqual(run.get_steps_per_epoch(), steps)
        ok, step, value = run.get_point(LtGtk.Series.TRAIN_LOSS, steps - 1)
        self.assertTrue(ok)
        self.assertEqual(step, steps)
        self.assertGreater(value, 0)
        self.assertEqual(view.props.n_points, registry.get_n_points())

        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, 'loss.csv')
            self.assertTrue(view.export(csv, 0, 0))
            with open(csv) as f:
                self.assertEqual(f.readline(), 'run,name,series,step,value\n')
            bad = os.path.join(tmp, 'missing', 'loss.png')
            with self.assertRaises(GLib.Error) as caught:
                view.export(bad, 0, 0)
            self.assertTrue(caught.exception.matches(Lt.Error.quark(), Lt.Error.IO))
            self.assertIn(bad, caught.exception.message)
        window.destroy()

    def test_show_trainer(self):
        trainer = make_trainer()
        window = LtGtk.show_trainer(trainer)
        self.assertIsInstance(window, LtGtk.TrainerWindow)
        self.assertIs(window.get_trainer(), trainer)
        self.assertTrue(trainer.run())
        spin(300)
        self.assertIn('Finished', window.get_status())
        self.assertGreater(window.get_loss_view().get_n_points(), 0)
        graph_view = window.get_graph_view()
        self.assertGreater(graph_view.get_n_nodes(), 0)
        self.assertIn('conv', graph_view.dup_modules())
        accuracy = window.get_accuracy_view()
        self.assertEqual(accuracy.get_n_classes(), CLASSES)
        total = sum(accuracy.get_count(r, c) for r in range(CLASSES) for c in range(CLASSES))
        self.assertEqual(total, N)
        images = window.get_image_view()
        self.assertEqual(images.get_n_images(), BATCH)
        self.assertEqual([images.get_label(i) for i in range(BATCH)], [0, 1, 2, 3])
        window.destroy()

    def test_image_view_batch_from_python(self):
        view = LtGtk.ImageView()
        view.set_classes(['zero', 'one', 'two'])
        images = Lt.rand(5, 3, 4, 4) * 2 - 1
        labels = Lt.tensor([0, 1, 2, 1, 0])
        predicted = Lt.tensor([0, 2, 2, 1, 1])
        self.assertTrue(view.set_batch(images, labels, predicted))
        self.assertEqual(view.get_n_images(), 5)
        self.assertEqual([view.get_prediction(i) for i in range(5)], [0, 2, 2, 1, 1])
        self.assertEqual(view.dup_class_name(2), 'two')
        with self.assertRaises(GLib.Error):
            view.set_batch(images, Lt.tensor([0, 1]), None)
        self.assertEqual(view.get_n_images(), 5)

    def test_run_palette_from_python(self):
        registry = LtGtk.RunRegistry.new()
        first = registry.add_run('first')
        self.assertEqual(registry.dup_palette()[0], '#0072b2')
        self.assertTrue(registry.set_palette(['#FF0000', '#00ff00']))
        self.assertEqual(registry.props.palette, ['#ff0000', '#00ff00'])
        self.assertEqual(first.get_color().to_string(), 'rgb(255,0,0)')
        with self.assertRaises(GLib.Error) as caught:
            registry.set_palette(['#0000ff', 'green'])
        self.assertTrue(caught.exception.matches(Lt.Error.quark(), Lt.Error.INVALID_ARGUMENT))
        self.assertIn('green', caught.exception.message)
        self.assertEqual(first.props.color.to_string(), 'rgb(255,0,0)')
        registry.props.palette = []
        self.assertEqual(first.get_color().to_string(), 'rgb(0,114,178)')


if __name__ == '__main__':
    unittest.main()
