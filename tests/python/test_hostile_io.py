#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile input against the Python data API, files and checkpoints: one
test per probe.  Each does what a careless or hostile user would (special
files where files are expected, links, modes, a tiny file size limit,
read-only memory, a failing run retried in a loop, a loss that diverges)
and checks that Python gets an exception it can catch, never a hang, a
crash or a file destroyed.

Probes that hung or crashed the interpreter before their fix run in a
child interpreter with a generous timeout."""

import gc
import os
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zlib

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

import numpy as np  # noqa: E402

nn = Lt.nn
data = Lt.utils.data

WATCHDOG_S = 120


def lt_error(err, code):
    return isinstance(err, GLib.Error) and err.matches(Lt.error_quark(), code)


CHILD_PRELUDE = '''
import gc, os, sys, resource, signal, stat, time
import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt
import numpy as np
nn = Lt.nn
data = Lt.utils.data
def lt_error(err, code):
    return isinstance(err, GLib.Error) and err.matches(Lt.error_quark(), code)
'''


def run_child(test, script, *args):
    """Runs script (after CHILD_PRELUDE) in a child interpreter; fails the
    test unless it exits 0 in time.  Returns its stdout."""
    try:
        r = subprocess.run([sys.executable, '-c', CHILD_PRELUDE + textwrap.dedent(script)]
                           + list(args),
                           capture_output=True, text=True, timeout=WATCHDOG_S)
    except subprocess.TimeoutExpired:
        test.fail('the child hung (no answer in %d s)' % WATCHDOG_S)
    test.assertEqual(r.returncode, 0, 'exit %d\nstdout: %s\nstderr: %s'
                     % (r.returncode, r.stdout[-2000:], r.stderr[-4000:]))
    return r.stdout


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def png_declaring(width, height):
    """A PNG whose header declares width x height grey pixels, followed by
    a few bytes of pixel data."""
    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body
                + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff))
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr)
            + chunk(b'IDAT', zlib.compress(b'\0' * 1000)) + chunk(b'IEND', b''))


class Files(unittest.TestCase):
    """Checkpoints and images through special files and links."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='lt-hostile-')
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def state_dict(self, value):
        sd = Lt.StateDict.new()
        sd.insert('weight', Lt.full([4, 3], float(value)))
        sd.set_metadata('version', str(value))
        return sd

    def test_state_dict_load_fifo(self):
        fifo = self.path('model.safetensors')
        os.mkfifo(fifo)
        out = run_child(self, '''
            try:
                Lt.StateDict.load(sys.argv[1])
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.IO) and 'FIFO' in e.message, e.message
                print('refused')
            ''', fifo)
        self.assertEqual(out.strip(), 'refused')

    def test_state_dict_save_through_symlink_keeps_link_and_mode(self):
        real, link = self.path('real.safetensors'), self.path('link.safetensors')
        self.state_dict(1).save(real)
        os.chmod(real, 0o600)
        os.symlink('real.safetensors', link)
        self.state_dict(2).save(link)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(stat.S_IMODE(os.stat(real).st_mode), 0o600)
        self.assertEqual(Lt.StateDict.load(real).get_metadata('version'), '2')

    def test_state_dict_save_to_fifo_writes_through_it(self):
        fifo = self.path('stream.safetensors')
        os.mkfifo(fifo)
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            sd = self.state_dict(3)
            sd.save(fifo)
            got = b''
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            os.close(fd)
        self.assertEqual(got, bytes(sd.serialize().get_data()))
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))

    def test_state_dict_save_on_full_disk(self):
        path = self.path('model.safetensors')
        self.state_dict(1).save(path)
        before = read_bytes(path)
        out = run_child(self, '''
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
            sd = Lt.StateDict.new()
            sd.insert('weight', Lt.zeros(100000))
            try:
                sd.save(sys.argv[1])
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.IO) and 'File too large' in e.message, e.message
                print('refused')
            ''', path)
        self.assertEqual(out.strip(), 'refused')
        self.assertEqual(read_bytes(path), before)
        self.assertEqual(os.listdir(self.dir), ['model.safetensors'])

    def test_file_set_contents_through_symlink_to_fifo_and_mode(self):
        real, link = self.path('curve.csv'), self.path('link.csv')
        with open(real, 'w') as f:
            f.write('old')
        os.chmod(real, 0o640)
        os.symlink(real, link)
        self.assertTrue(Lt.file_set_contents(link, b'epoch,loss\n1,0.5\n'))
        self.assertTrue(os.path.islink(link))
        self.assertEqual(read_bytes(real), b'epoch,loss\n1,0.5\n')
        self.assertEqual(stat.S_IMODE(os.stat(real).st_mode), 0o640)

    def test_file_check_writable(self):
        with self.assertRaises(GLib.Error) as cm:
            Lt.file_check_writable(self.dir)
        self.assertTrue(lt_error(cm.exception, Lt.Error.IO))
        self.assertIn('folder', cm.exception.message)
        with self.assertRaises(GLib.Error):
            Lt.file_check_writable('')
        with self.assertRaises(GLib.Error):
            Lt.file_check_writable(os.path.join(self.dir, 'no', 'such', 'place'))
        self.assertTrue(Lt.file_check_writable(self.path('fine.bin')))
        self.assertEqual(os.listdir(self.dir), [])

    def test_save_image_through_symlink(self):
        real, link = self.path('grid.png'), self.path('link.png')
        with open(real, 'wb') as f:
            f.write(b'old')
        os.symlink('grid.png', link)
        Lt.utils.save_image(Lt.full([3, 8, 8], 0.5), link)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(list(Lt.utils.load_image(real).get_shape()), [3, 8, 8])

    def test_load_image_fifo(self):
        fifo = self.path('picture.png')
        os.mkfifo(fifo)
        out = run_child(self, '''
            try:
                Lt.utils.load_image(sys.argv[1])
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.IO) and 'FIFO' in e.message, e.message
                print('refused')
            ''', fifo)
        self.assertEqual(out.strip(), 'refused')

    def test_load_image_declaring_too_many_pixels(self):
        path = self.path('bomb.png')
        with open(path, 'wb') as f:
            f.write(png_declaring(20000, 20000))
        with self.assertRaises(GLib.Error) as cm:
            Lt.utils.load_image(path)
        self.assertTrue(lt_error(cm.exception, Lt.Error.FORMAT))
        self.assertIn('20000 x 20000', cm.exception.message)
        self.assertIn('limit', cm.exception.message)

    def test_image_folder_item_declaring_too_many_pixels(self):
        os.mkdir(self.path('cats'))
        with open(self.path('cats/bomb.png'), 'wb') as f:
            f.write(png_declaring(30000, 10000))
        ds = Lt.datasets.ImageFolder(self.dir)
        with self.assertRaises(GLib.Error) as cm:
            ds[0]
        self.assertIn('limit', cm.exception.message)


class Datasets(unittest.TestCase):
    """The datasets' files, as the Python API reaches them."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='lt-hostile-')
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write_mnist(self, skip=None):
        images = bytes([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 28, 0, 0, 0, 28]) + bytes(4 * 784)
        labels = bytes([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4])
        for prefix in ('train', 't10k'):
            for kind, body in (('images-idx3', images), ('labels-idx1', labels)):
                name = '%s-%s-ubyte' % (prefix, kind)
                if name != skip:
                    with open(os.path.join(self.dir, name), 'wb') as f:
                        f.write(body)
        return os.path.join(self.dir, skip) if skip else None

    def test_mnist_file_is_fifo(self):
        fifo = self.write_mnist(skip='train-images-idx3-ubyte')
        os.mkfifo(fifo)
        out = run_child(self, '''
            try:
                Lt.datasets.MNIST(sys.argv[1])
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.IO) and 'FIFO' in e.message, e.message
                print('refused')
            ''', self.dir)
        self.assertEqual(out.strip(), 'refused')

    def test_mnist_file_is_folder(self):
        folder = self.write_mnist(skip='t10k-labels-idx1-ubyte')
        os.mkdir(folder)
        with self.assertRaises(GLib.Error) as cm:
            Lt.datasets.MNIST(self.dir, train=False)
        self.assertIn('folder', cm.exception.message)

    def test_mnist_gzip_bomb(self):
        self.write_mnist(skip='train-images-idx3-ubyte')
        header = bytes([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 28, 0, 0, 0, 28])
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        gz = z.compress(header)
        block = bytes(1 << 20)
        for _ in range(64):
            gz += z.compress(block)
        gz += z.flush()
        path = os.path.join(self.dir, 'train-images-idx3-ubyte.gz')
        with open(path, 'wb') as f:
            f.write(gz)
        out = run_child(self, '''
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            vm = int(open('/proc/self/status').read().split('VmSize:')[1].split()[0])
            resource.setrlimit(resource.RLIMIT_AS, (vm * 1024 + (32 << 20), hard))
            try:
                Lt.datasets.MNIST(sys.argv[1])
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.FORMAT), e.message
                assert 'more than' in e.message, e.message
                print('refused')
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            ''', self.dir)
        self.assertEqual(out.strip(), 'refused')

    def write_cifar(self, empty=None):
        folder = os.path.join(self.dir, 'cifar-10-batches-bin')
        os.mkdir(folder)
        record = bytes([3]) + bytes(3072)
        for name in ['data_batch_%d.bin' % i for i in range(1, 6)] + ['test_batch.bin']:
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(b'' if name == empty else record * 2)
        with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
            f.write('\n'.join('class%d' % i for i in range(10)) + '\n')
        return folder

    def test_cifar_empty_test_batch(self):
        folder = self.write_cifar(empty='test_batch.bin')
        with self.assertRaises(GLib.Error) as cm:
            Lt.datasets.CIFAR10(self.dir, train=False)
        self.assertTrue(lt_error(cm.exception, Lt.Error.FORMAT))
        self.assertIn(os.path.join(folder, 'test_batch.bin'), cm.exception.message)
        self.assertIn('byte offset 0', cm.exception.message)

    def test_cifar_empty_data_batch(self):
        self.write_cifar(empty='data_batch_5.bin')
        with self.assertRaises(GLib.Error) as cm:
            Lt.datasets.CIFAR10(self.dir, train=True)
        self.assertIn('data_batch_5.bin', cm.exception.message)
        # the test set, whose files are whole, still loads
        self.assertEqual(len(Lt.datasets.CIFAR10(self.dir, train=False)), 2)


class ReadOnlyMemory(unittest.TestCase):
    """from_numpy and as_tensor on memory that must not be written."""

    def test_read_only_memmap_in_place_op(self):
        with tempfile.TemporaryDirectory(prefix='lt-hostile-') as tmp:
            path = os.path.join(tmp, 'weights.npy')
            np.save(path, np.arange(6, dtype=np.float32))
            out = run_child(self, '''
                mm = np.load(sys.argv[1], mmap_mode='r')
                try:
                    t = Lt.from_numpy(mm)
                    t.add_(1)
                    print('written')
                except ValueError as e:
                    assert 'read-only' in str(e) and 'copy' in str(e), e
                    print('refused')
                # The ways that copy work, and never write into the file.
                t = Lt.tensor(mm)
                t.add_(1)
                u = Lt.as_tensor(mm)
                u.mul_(2)
                print(mm.tolist(), t.tolist(), u.tolist())
                ''', path)
            self.assertEqual(out.split('\n')[0], 'refused')
            self.assertIn('[0.0, 1.0, 2.0, 3.0, 4.0, 5.0] [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] '
                          '[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]', out)
            np.testing.assert_array_equal(np.load(path), np.arange(6, dtype=np.float32))

    def test_frombuffer_of_bytes(self):
        out = run_child(self, '''
            b = bytes(range(16))
            a = np.frombuffer(b, dtype=np.float32)
            try:
                Lt.from_numpy(a).zero_()
                print('written')
            except ValueError as e:
                print('refused')
            assert b == bytes(range(16)), b
            ''')
        self.assertEqual(out.strip(), 'refused')

    def test_broadcast_view(self):
        a = np.broadcast_to(np.arange(3.0), (4, 3))
        with self.assertRaises(ValueError):
            Lt.from_numpy(a)
        t = Lt.as_tensor(a)
        t.add_(1)
        np.testing.assert_array_equal(a, np.broadcast_to(np.arange(3.0), (4, 3)))

    def test_writable_array_still_shared(self):
        a = np.zeros(4, np.float32)
        Lt.from_numpy(a).add_(2)
        np.testing.assert_array_equal(a, [2, 2, 2, 2])
        a.setflags(write=False)
        with self.assertRaises(ValueError):
            Lt.from_numpy(a)


class Loaders(unittest.TestCase):
    """Loaders and trainers used the wrong way round."""

    def test_failing_trainer_run_retried_in_a_loop(self):
        # Each failed run leaves its loader, trainer and dataset in a
        # reference cycle (the trainer refers to itself) that the garbage
        # collector frees on whichever thread runs it: here, the loader's
        # own workers, which run gc.collect() in __getitem__.
        out = run_child(self, '''
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)
                def forward(self, x):
                    raise ValueError('boom')

            class Points(data.Dataset):
                def __init__(self):
                    self.x = Lt.randn(64, 4)
                def __len__(self):
                    return 64
                def __getitem__(self, i):
                    time.sleep(0.01)
                    gc.collect()
                    return self.x[i], i % 2

            failures = 0
            for attempt in range(8):
                net = Net()
                loader = data.DataLoader(Points(), batch_size=2, num_workers=2)
                trainer = Lt.Trainer(net, nn.CrossEntropyLoss(),
                                     Lt.optim.SGD(net.parameters(), lr=0.1), loader, epochs=1)
                trainer.cycle = trainer
                try:
                    trainer.run()
                except ValueError as e:     # the dataset's own exception
                    assert not isinstance(e, GLib.Error), e
                    failures += 1
            del net, loader, trainer
            gc.collect()
            print(failures)
            ''')
        self.assertEqual(out.strip(), '8')

    def test_dataset_len_raises(self):
        class NoLength(data.Dataset):
            def __len__(self):
                raise RuntimeError('the index file is gone')

            def __getitem__(self, i):
                return Lt.zeros(2), 0
        with self.assertRaises(RuntimeError):
            data.DataLoader(NoLength(), batch_size=2)

    def test_dataset_len_negative(self):
        class Negative(data.Dataset):
            def __len__(self):
                return -3

            def __getitem__(self, i):
                return Lt.zeros(2), 0
        with self.assertRaises(ValueError):
            data.DataLoader(Negative(), batch_size=2)

    def test_dataset_len_too_large_for_memory(self):
        out = run_child(self, '''
            class Huge(data.Dataset):
                def __len__(self):
                    return 2 ** 62
                def __getitem__(self, i):
                    return Lt.zeros(2), 0
            try:
                next(iter(data.DataLoader(Huge(), batch_size=2, shuffle=True)))
            except GLib.Error as e:
                assert lt_error(e, Lt.Error.OUT_OF_MEMORY), e.message
                print('refused')
            ''')
        self.assertEqual(out.strip(), 'refused')

    def test_negative_num_workers(self):
        with self.assertRaises(ValueError):
            data.DataLoader(data.TensorDataset(Lt.zeros(4, 2)), num_workers=-1)

    def test_second_ctrl_c_ends_a_run_that_cannot_stop(self):
        # The dataset blocks in the middle of a mini-batch: the first
        # Ctrl-C asks for a stop the loop never reaches; the second ends
        # the process, as Ctrl-C does without a handler.
        script = CHILD_PRELUDE + textwrap.dedent('''
            import threading
            class Stuck(data.Dataset):
                def __len__(self):
                    return 64
                def __getitem__(self, i):
                    if i == 9:
                        print('blocked', flush=True)
                        threading.Event().wait()
                    return Lt.zeros(4), i % 2
            net = nn.Linear(4, 2)
            trainer = Lt.Trainer(net, nn.CrossEntropyLoss(), Lt.optim.SGD(net.parameters(), lr=0.1),
                                 data.DataLoader(Stuck(), batch_size=4), epochs=1)
            trainer.run()
            print('returned')
            ''')
        p = subprocess.Popen([sys.executable, '-c', script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(p.stdout.readline().strip(), 'blocked')
            p.send_signal(signal.SIGINT)
            with self.assertRaises(subprocess.TimeoutExpired):
                p.wait(timeout=1)
            p.send_signal(signal.SIGINT)
            p.wait(timeout=WATCHDOG_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail('a second Ctrl-C did not end the blocked run')
        out, err = p.communicate()
        self.assertEqual(p.returncode, -signal.SIGINT, err)
        self.assertIn('interrupted again', err)
        self.assertNotIn('returned', out)

    def make_trainer(self, lr, **kwargs):
        Lt.manual_seed(3)
        x = Lt.randn(32, 4)
        y = (x[:, 0] > 0).long()
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        loader = data.DataLoader(data.TensorDataset(x, y), batch_size=4)
        return net, Lt.Trainer(net, nn.CrossEntropyLoss(), Lt.optim.SGD(net.parameters(), lr=lr),
                               loader, epochs=3, **kwargs)

    def test_diverging_loss_raises(self):
        net, trainer = self.make_trainer(1e38)
        steps = []
        trainer.connect('step', lambda t, epoch, i, loss: steps.append(loss))
        with self.assertRaises(GLib.Error) as cm:
            trainer.run()
        self.assertTrue(lt_error(cm.exception, Lt.Error.DIVERGED), cm.exception.message)
        self.assertRegex(cm.exception.message,
                         r'diverged at step %d \(epoch \d+, mini-batch \d+\)' % (len(steps) + 1))
        self.assertTrue(all(np.isfinite(v) for v in steps))
        self.assertEqual(trainer.state, Lt.TrainerState.FAILED)

    def test_diverging_loss_check_off(self):
        net, trainer = self.make_trainer(1e38, stop_on_divergence=False)
        self.assertTrue(trainer.run())
        self.assertEqual(trainer.state, Lt.TrainerState.FINISHED)


if __name__ == '__main__':
    unittest.main()
