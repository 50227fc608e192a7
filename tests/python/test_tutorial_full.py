#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The whole 60 minute blitz (shared/seed/), written as a user writes it
with libtensor: the tutorial's code with its imports changed to

    from gi.repository import Lt as torch
    nn = torch.nn                       # import torch.nn as nn
    F = torch.nn.functional             # import torch.nn.functional as F
    optim = torch.optim                 # import torch.optim as optim
    torchvision = torch                 # torchvision.datasets, .transforms, .utils
    transforms = torch.transforms       # import torchvision.transforms as transforms
    Variable = torch.autograd.Variable  # from torch.autograd import Variable

Every section runs and is checked: its printed forms (the tutorial's, with
`Lt.` where it prints `torch.`), and its numbers against an independent
source: arithmetic (4.5; 2^k times the gradient), numpy, or PyTorch 1.13 and
torchvision run on the same weights and inputs.  The classifier trains on a
generated CIFAR-10 in the real binary format (tests/
make-train-fixtures.py), checked against the bytes of its files.

Three lines of the 2017 tutorial changed in PyTorch itself since and are
written as PyTorch 1.13 has them: `loss.item()` for `loss.data[0]` and
`predicted[j]` for `predicted[j][0]` (losses and max() results have no
dimension of size 1 any more), and `out.backward()` for
`out.backward(torch.Tensor([1.0]))`.  The old spellings that still make
sense work: `y.creator`, `previous_functions`, `dataiter.next()`.
"""

import contextlib
import io
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

from harness import main, require, tutorial_net

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib  # noqa: E402
from gi.repository import Lt as torch  # noqa: E402

# The tutorial prints tensors in PyTorch 0.3's form, as these tests check.
torch.set_printoptions(legacy=True)

np = require('numpy', 'python3-numpy')

nn = torch.nn
F = torch.nn.functional
optim = torch.optim
torchvision = torch
transforms = torch.transforms
Variable = torch.autograd.Variable

real_torch = require('torch', 'python3-torch')
real_tvu = require('torchvision.utils', 'python3-torchvision')

SOURCE_DIR = os.environ.get('LT_SOURCE_DIR',
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
FIXTURE_SCRIPT = os.path.join(SOURCE_DIR, 'tests', 'make-train-fixtures.py')

classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')

# PyTorch 1.13's print(net) for the tutorial's first Net
NET_TEXT = ('Net(\n'
            '  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n'
            '  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))\n'
            '  (fc1): Linear(in_features=400, out_features=120, bias=True)\n'
            '  (fc2): Linear(in_features=120, out_features=84, bias=True)\n'
            '  (fc3): Linear(in_features=84, out_features=10, bias=True)\n'
            ')')


def printed(fn):
    """What fn prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue()


# ---------------------------------------------------------------------------
# The tutorial's networks, defined as it defines them, for either library


# examples/tutorial_net.py, on Lt here and on PyTorch to compare
Net = tutorial_net().nn_net(torch)
CifarNet = tutorial_net().classifier_net(torch)


def torch_copy(net, real_net):
    """The weights of our net into PyTorch's net of the same class."""
    state = {k: real_torch.from_numpy(v.detach().numpy().copy())
             for k, v in net.state_dict().items()}
    real_net.load_state_dict(state)
    return real_net


# ---------------------------------------------------------------------------
# What is PyTorch?


class TestTensors(unittest.TestCase):

    def setUp(self):
        torch.manual_seed(0)

    def test_construct(self):
        # x = torch.Tensor(5, 3); print(x)
        text = printed(lambda: print(torch.Tensor(5, 3)))
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 5x3]\n\n'), text)

        # x = torch.rand(5, 3); print(x); print(x.size())
        x = torch.rand(5, 3)
        lines = printed(lambda: (print(x), print(x.size()))).splitlines()
        self.assertEqual(lines[5], '[Lt.FloatTensor of size 5x3]')
        self.assertEqual(lines[-1], 'Lt.Size([5, 3])')
        values = [[float(v) for v in line.split()] for line in lines[:5]]
        np.testing.assert_allclose(values, x.numpy(), atol=5e-5)
        self.assertTrue(((x.numpy() >= 0) & (x.numpy() < 1)).all())
        # torch.Size is a tuple
        self.assertIsInstance(x.size(), tuple)
        rows, cols = x.size()
        self.assertEqual((rows, cols), (5, 3))

    def test_operations(self):
        x = torch.rand(5, 3)
        y = torch.rand(5, 3)
        want = x.numpy() + y.numpy()
        np.testing.assert_array_equal((x + y).numpy(), want)          # syntax 1
        np.testing.assert_array_equal(torch.add(x, y).numpy(), want)  # syntax 2
        result = torch.Tensor(5, 3)                                    # output tensor
        torch.add(x, y, out=result)
        np.testing.assert_array_equal(result.numpy(), want)
        text = printed(lambda: print(result))
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 5x3]\n\n'), text)
        y.add_(x)                                                      # in-place
        np.testing.assert_array_equal(y.numpy(), want)

        # numpy-like indexing: x[:, 1] is a view of the second column
        col = x[:, 1]
        self.assertTrue(printed(lambda: print(col)).endswith('[Lt.FloatTensor of size 5]\n\n'))
        np.testing.assert_array_equal(col.numpy(), x.numpy()[:, 1])
        x[2, 1] = 42
        self.assertEqual(col[2].item(), 42)

        # any operation that mutates in place ends with _: x.copy_(y), x.t_()
        x.copy_(y)
        np.testing.assert_array_equal(x.numpy(), y.numpy())
        x.t_()
        self.assertEqual(x.size(), torch.Size([3, 5]))

    def test_numpy_bridge(self):
        a = torch.ones(5)
        self.assertTrue(printed(lambda: print(a)).endswith('[Lt.FloatTensor of size 5]\n\n'))
        b = a.numpy()
        self.assertEqual(str(b), '[1. 1. 1. 1. 1.]')
        a.add_(1)
        self.assertEqual(str(b), '[2. 2. 2. 2. 2.]')        # b changed with a

        a = np.ones(5)
        b = torch.from_numpy(a)
        np.add(a, 1, out=a)
        self.assertEqual(str(a), '[2. 2. 2. 2. 2.]')
        self.assertEqual(printed(lambda: print(b)), ' 2\n 2\n 2\n 2\n 2\n'
                         '[Lt.DoubleTensor of size 5]\n\n')  # b changed with a

    def test_cuda_tensors(self):
        x, y = torch.rand(5, 3), torch.rand(5, 3)
        # let us run this cell only if CUDA is available
        if torch.cuda.is_available():
            x = x.cuda()
            y = y.cuda()
            self.assertEqual((x + y).device.type, 'cuda')
            return
        with self.assertRaises(GLib.Error) as cm:
            x.cuda()
        self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.DEVICE))
        self.assertIn('cuda', cm.exception.message.lower())   # says why


# ---------------------------------------------------------------------------
# Autograd


class TestAutograd(unittest.TestCase):

    def test_variable_and_gradients(self):
        x = Variable(torch.ones(2, 2), requires_grad=True)
        self.assertEqual(printed(lambda: print(x)), ' 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n\n')
        y = x + 2
        self.assertEqual(printed(lambda: print(y)), ' 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n\n')
        # y was created as a result of an operation, so it has a creator
        self.assertEqual(y.grad_fn.name(), 'AddBackward0')
        self.assertIs(y.creator, y.grad_fn)
        self.assertRegex(printed(lambda: print(y.creator)),
                         r'^<AddBackward0 object at 0x[0-9a-f]+>\n$')

        z = y * y * 3
        out = z.mean()
        self.assertEqual(printed(lambda: print(z, out)),
                         ' 27  27\n 27  27\n[Lt.FloatTensor of size 2x2]\n'
                         '  27\n[Lt.FloatTensor of size ()]\n\n')

        out.backward()
        # d(out)/dx = 3/2 (x + 2) = 4.5 at x = 1
        self.assertEqual(printed(lambda: print(x.grad)),
                         ' 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n\n')
        np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 1.5 * (1 + 2)))

    def test_crazy_things(self):
        for seed in range(5):
            torch.manual_seed(seed)
            x = torch.randn(3)
            x = Variable(x, requires_grad=True)

            y = x * 2
            doublings = 1
            while y.data.norm() < 1000:
                y = y * 2
                doublings += 1
            self.assertGreaterEqual(y.data.norm().item(), 1000)
            self.assertLess((y.data / 2).norm().item(), 1000)

            gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
            y.backward(gradients)
            # y = x * 2^k, so x.grad = 2^k * gradients (exact in float32)
            want = np.float32([0.1, 1.0, 0.0001]) * np.float32(2 ** doublings)
            np.testing.assert_array_equal(x.grad.numpy(), want)
            if seed == 0:
                # the tutorial's own numbers: ten doublings
                self.assertEqual(doublings, 10)
                self.assertEqual(printed(lambda: print(x.grad)),
                                 '  102.4000\n 1024.0000\n    0.1024\n'
                                 '[Lt.FloatTensor of size 3]\n\n')

    def test_no_grad(self):
        x = torch.randn(3, requires_grad=True)
        self.assertTrue((x ** 2).requires_grad)
        with torch.no_grad():
            self.assertFalse((x ** 2).requires_grad)
        self.assertTrue((x ** 2).requires_grad)


# ---------------------------------------------------------------------------
# Neural networks


class TestNeuralNetworks(unittest.TestCase):

    def setUp(self):
        torch.manual_seed(0)
        self.net = Net()

    def test_define(self):
        net = self.net
        self.assertEqual(printed(lambda: print(net)), NET_TEXT + '\n')
        params = list(net.parameters())
        self.assertEqual(printed(lambda: (print(len(params)), print(params[0].size()))),
                         '10\nLt.Size([6, 1, 5, 5])\n')          # conv1's .weight
        self.assertEqual(str(net), str(tutorial_net().nn_net(real_torch)()))

    def test_forward_backward(self):
        net = self.net
        input = Variable(torch.randn(1, 1, 32, 32))
        out = net(input)
        self.assertRegex(printed(lambda: print(out)),
                         r'^ *-?[0-9]+\.[0-9]{4}( +-?[0-9]+\.[0-9]{4}){9}\n'
                         r'\[Lt\.FloatTensor of size 1x10\]\n\n$')
        net.zero_grad()
        grad = torch.randn(1, 10)
        out.backward(grad)
        np.testing.assert_array_equal(net.fc3.bias.grad.numpy(), grad.numpy()[0])
        # a single sample gets a fake batch dimension
        self.assertEqual(net(torch.randn(1, 32, 32).unsqueeze(0)).size(), torch.Size([1, 10]))

    def test_loss_backprop_update_against_pytorch(self):
        net = self.net
        real_net = torch_copy(net, tutorial_net().nn_net(real_torch)())
        input = Variable(torch.randn(1, 1, 32, 32))
        real_input = real_torch.from_numpy(input.numpy().copy())
        # the step before: backprop with random gradients (so the
        # parameters have gradients for zero_grad() to zero)
        net.zero_grad()
        net(input).backward(torch.randn(1, 10))

        output = net(input)
        target = Variable(torch.arange(1, 11))  # a dummy target, for example
        criterion = nn.MSELoss()
        loss = criterion(output, target)
        real_loss = real_torch.nn.MSELoss()(real_net(real_input),
                                            real_torch.arange(1, 11).float().view(1, -1))
        self.assertAlmostEqual(loss.item(), real_loss.item(), places=4)
        self.assertRegex(printed(lambda: print(loss)),
                         r'^ +[0-9]+\.[0-9]{4}\n\[Lt\.FloatTensor of size \(\)\]\n\n$')

        # following loss backwards: the same nodes as PyTorch's
        chain = [loss.creator, loss.creator.previous_functions[0][0],
                 loss.creator.previous_functions[0][0].previous_functions[0][0]]
        real_fn = real_loss.grad_fn
        real_chain = [real_fn, real_fn.next_functions[0][0],
                      real_fn.next_functions[0][0].next_functions[0][0]]
        # (PyTorch prints its nodes by their Python class names)
        self.assertEqual([f.name() for f in chain], [type(f).__name__ for f in real_chain])
        self.assertEqual([f.name() for f in chain],
                         ['MseLossBackward0', 'AddmmBackward0', 'AccumulateGrad'])
        self.assertIs(chain[2].variable, net.fc3.bias)
        self.assertRegex(printed(lambda: print(loss.grad_fn)),
                         r'^<MseLossBackward0 object at 0x[0-9a-f]+>\n$')

        # backprop: conv1.bias.grad before and after
        net.zero_grad()     # zeroes the gradient buffers of all parameters
        before = printed(lambda: (print('conv1.bias.grad before backward'),
                                  print(net.conv1.bias.grad)))
        self.assertEqual(before, 'conv1.bias.grad before backward\n'
                         + ' 0\n' * 6 + '[Lt.FloatTensor of size 6]\n\n')
        loss.backward()
        real_net.zero_grad()
        real_loss.backward()
        np.testing.assert_allclose(net.conv1.bias.grad.numpy(),
                                   real_net.conv1.bias.grad.numpy(), rtol=1e-4, atol=1e-6)
        after = printed(lambda: print(net.conv1.bias.grad))
        self.assertTrue(after.endswith('[Lt.FloatTensor of size 6]\n\n'), after)

        # update the weights by hand ...
        learning_rate = 0.01
        for f in net.parameters():
            f.data.sub_(f.grad.data * learning_rate)
        with real_torch.no_grad():
            for f in real_net.parameters():
                f.sub_(f.grad * learning_rate)
        for (name, p), real_p in zip(net.named_parameters(), real_net.parameters()):
            np.testing.assert_allclose(p.detach().numpy(), real_p.detach().numpy(),
                                       rtol=1e-4, atol=1e-6, err_msg=name)

        # ... and with optim.SGD
        optimizer = optim.SGD(net.parameters(), lr=0.01)
        real_optimizer = real_torch.optim.SGD(real_net.parameters(), lr=0.01)
        optimizer.zero_grad()   # zero the gradient buffers
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()        # does the update
        real_optimizer.zero_grad()
        real_torch.nn.MSELoss()(real_net(real_input),
                                real_torch.arange(1, 11).float().view(1, -1)).backward()
        real_optimizer.step()
        for (name, p), real_p in zip(net.named_parameters(), real_net.parameters()):
            np.testing.assert_allclose(p.detach().numpy(), real_p.detach().numpy(),
                                       rtol=1e-4, atol=1e-6, err_msg=name)


# ---------------------------------------------------------------------------
# Training a classifier, on a generated CIFAR-10

FIXTURE = None
TMP = None


def setUpModule():
    global FIXTURE, TMP
    TMP = tempfile.TemporaryDirectory(prefix='lt-tutorial-')
    FIXTURE = os.path.join(TMP.name, 'data')
    subprocess.run([sys.executable, FIXTURE_SCRIPT, FIXTURE], check=True)


def tearDownModule():
    TMP.cleanup()


def fixture_records(name):
    """(labels, images uint8 (N, 3, 32, 32)) read from a fixture file."""
    with open(os.path.join(FIXTURE, 'cifar-10-batches-bin', name), 'rb') as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8).reshape(-1, 3073)
    return raw[:, 0].astype(np.int64), raw[:, 1:].reshape(-1, 3, 32, 32)


def png_size(path):
    """(width, height) from a PNG file's IHDR chunk, after checking its
    signature and the chunk's CRC."""
    with open(path, 'rb') as f:
        data = f.read(33)
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG file'
    length, kind = struct.unpack('>I4s', data[8:16])
    assert kind == b'IHDR' and length == 13
    assert struct.unpack('>I', data[29:33])[0] == zlib.crc32(data[12:29])
    return struct.unpack('>II', data[16:24])


LABELS4 = r'( {2}(car|cat|dog)| (bird|deer|frog|ship)|plane|horse|truck)' \
    r'( ( {2}(car|cat|dog)| (bird|deer|frog|ship)|plane|horse|truck)){3}'


class TestClassifier(unittest.TestCase):

    def setUp(self):
        torch.manual_seed(0)
        # 1. Loading and normalizing CIFAR10
        self.transform = transforms.Compose(
            [transforms.ToTensor(),
             transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

        self.trainset = torchvision.datasets.CIFAR10(root=FIXTURE, train=True,
                                                     download=True, transform=self.transform)
        self.trainloader = torch.utils.data.DataLoader(self.trainset, batch_size=4,
                                                       shuffle=True, num_workers=2)

        self.testset = torchvision.datasets.CIFAR10(root=FIXTURE, train=False,
                                                    download=True, transform=self.transform)
        self.testloader = torch.utils.data.DataLoader(self.testset, batch_size=4,
                                                      shuffle=True, num_workers=2)

    def test_load_and_normalize(self):
        labels, images = fixture_records('test_batch.bin')
        self.assertEqual(len(self.testset), len(labels))
        self.assertEqual(len(self.trainset), 5 * 40)
        self.assertEqual(len(self.testloader), len(labels) // 4)
        for i in (0, 7, len(labels) - 1):
            image, label = self.testset[i]
            self.assertEqual(int(label), labels[i])
            self.assertEqual(image.size(), torch.Size([3, 32, 32]))
            # ToTensor then Normalize(0.5, 0.5): [0, 255] -> [-1, 1]
            np.testing.assert_allclose(image.numpy(), (images[i] / 255.0 - 0.5) / 0.5,
                                       atol=1e-6)

    def test_show_some_images(self):
        # get some random training images
        dataiter = iter(self.trainloader)
        images, labels = dataiter.next()
        self.assertEqual(images.size(), torch.Size([4, 3, 32, 32]))
        self.assertEqual(labels.size(), torch.Size([4]))
        grid = torchvision.utils.make_grid(images)
        self.assertEqual(grid.size(), torch.Size([3, 36, 138]))
        want = real_tvu.make_grid(real_torch.from_numpy(images.numpy().copy()))
        np.testing.assert_array_equal(grid.numpy(), want.numpy())

        # imshow: img / 2 + 0.5 (unnormalize), then a picture
        img = grid / 2 + 0.5
        npimg = img.numpy()
        self.assertEqual(np.transpose(npimg, (1, 2, 0)).shape, (36, 138, 3))
        path = os.path.join(TMP.name, 'batch.png')
        torchvision.utils.save_image(img, path)
        self.assertEqual(png_size(path), (138, 36))

        line = printed(lambda: print(' '.join('%5s' % classes[labels[j]] for j in range(4))))
        self.assertRegex(line, '^' + LABELS4 + '\n$')
        self.assertEqual(line.split(), [classes[i] for i in labels.tolist()])

        # next(iter(loader)) gives a batch too; a new epoch is reshuffled
        images2, labels2 = next(iter(self.trainloader))
        self.assertEqual(images2.size(), images.size())

    def test_train_and_test(self):
        net = CifarNet()
        self.assertRegex(str(net), r'^Net\(\n')
        self.assertIn('  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, '
                      'ceil_mode=False)\n', str(net))

        # 3. Define a Loss function and optimizer
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

        # 4. Train the network: 8 epochs of 50 mini-batches, the loss every 25
        trainloader = self.trainloader

        def train():
            for epoch in range(8):  # loop over the dataset multiple times
                running_loss = 0.0
                for i, data in enumerate(trainloader, 0):
                    # get the inputs
                    inputs, labels = data

                    # wrap them in Variable
                    inputs, labels = Variable(inputs), Variable(labels)

                    # zero the parameter gradients
                    optimizer.zero_grad()

                    # forward + backward + optimize
                    outputs = net(inputs)
                    loss = criterion(outputs, labels)
                    loss.backward()
                    optimizer.step()

                    # print statistics
                    running_loss += loss.item()
                    if i % 25 == 24:    # print every 25 mini-batches
                        print('[%d, %5d] loss: %.3f' %
                              (epoch + 1, i + 1, running_loss / 25))
                        running_loss = 0.0

            print('Finished Training')

        lines = printed(train).splitlines()
        self.assertEqual(lines[-1], 'Finished Training')
        self.assertEqual(len(lines), 8 * 2 + 1)
        losses = []
        for n, line in enumerate(lines[:-1]):
            m = re.match(r'^\[(\d+), +(\d+)\] loss: (\d+\.\d{3})$', line)
            self.assertIsNotNone(m, line)
            self.assertEqual(line[:10], '[%d, %5d]' % (n // 2 + 1, 25 * (n % 2 + 1)))
            losses.append(float(m.group(3)))
        self.assertAlmostEqual(losses[0], math.log(10), delta=0.05)   # chance at the start
        self.assertLess(max(losses[-2:]), losses[0] - 0.3)            # and it learned

        # 5. Test the network on the test data
        dataiter = iter(self.testloader)
        images, labels = dataiter.next()
        ground = printed(lambda: print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]]
                                                                 for j in range(4))))
        self.assertRegex(ground, '^GroundTruth:  ' + LABELS4 + '\n$')

        outputs = net(Variable(images))
        _, predicted = torch.max(outputs.data, 1)
        pred = printed(lambda: print('Predicted: ', ' '.join('%5s' % classes[predicted[j]]
                                                             for j in range(4))))
        self.assertRegex(pred, '^Predicted:  ' + LABELS4 + '\n$')
        self.assertEqual(pred.split()[1:],
                         [classes[i] for i in outputs.detach().numpy().argmax(axis=1)])

        # the whole test set: the tutorial's loop ...
        correct = 0
        total = 0
        for data in self.testloader:
            images, labels = data
            outputs = net(Variable(images))
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum()
        text = printed(lambda: print('Accuracy of the network on the %d test images: %d %%'
                                     % (total, 100 * correct / total)))
        m = re.match(r'^Accuracy of the network on the 40 test images: (\d+) %\n$', text)
        self.assertIsNotNone(m, text)

        # ... against numpy on the same outputs, in dataset order
        images_all = torch.stack([self.testset[i][0] for i in range(len(self.testset))])
        labels_all = np.array([int(self.testset[i][1]) for i in range(len(self.testset))])
        with torch.no_grad():
            pred_all = net(images_all).numpy().argmax(axis=1)
        n_correct = int((pred_all == labels_all).sum())
        self.assertEqual(int(correct), n_correct)
        self.assertEqual(int(m.group(1)), int(100 * n_correct / len(labels_all)))
        self.assertGreater(n_correct, 0.3 * len(labels_all))   # chance is 10 %

        # per class, as the tutorial counts them (class_correct[label] with a
        # 0-dim label tensor as the index)
        class_correct = list(0. for i in range(10))
        class_total = list(0. for i in range(10))
        for data in self.testloader:
            images, labels = data
            outputs = net(Variable(images))
            _, predicted = torch.max(outputs.data, 1)
            c = (predicted == labels).squeeze()
            for i in range(4):
                label = labels[i]
                class_correct[label] += c[i]
                class_total[label] += 1

        lines = printed(lambda: [print('Accuracy of %5s: %2d %%' % (
            classes[i], 100 * class_correct[i] / class_total[i])) for i in range(10)])
        for i, line in enumerate(lines.splitlines()):
            want_total = int((labels_all == i).sum())
            want_correct = int(((labels_all == i) & (pred_all == i)).sum())
            self.assertEqual(class_total[i], want_total)
            self.assertEqual(line, 'Accuracy of %5s: %2d %%'
                             % (classes[i], 100 * want_correct / want_total))

    def test_training_on_gpu(self):
        net = CifarNet()
        device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')
        self.assertEqual(str(device), 'cuda:0' if torch.cuda.is_available() else 'cpu')
        net.to(device)
        inputs, labels = next(iter(self.trainloader))
        inputs, labels = inputs.to(device), labels.to(device)
        self.assertEqual(net(inputs).size(), torch.Size([4, 10]))
        if not torch.cuda.is_available():
            # net.cuda(), inputs.cuda(): an error that says why
            for move in (net.cuda, inputs.cuda):
                with self.assertRaises(GLib.Error) as cm:
                    move()
                self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.DEVICE))
                self.assertIn('cuda', cm.exception.message.lower())


# ---------------------------------------------------------------------------
# Errors, as a Python user meets them


class TestErrors(unittest.TestCase):

    def test_shape_mistakes_name_the_op_and_shapes(self):
        with self.assertRaises(GLib.Error) as cm:
            torch.rand(5, 3) + torch.rand(4)
        self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.SHAPE))
        self.assertIn('add', cm.exception.message)
        self.assertIn('[5, 3]', cm.exception.message)
        self.assertIn('[4]', cm.exception.message)

        with self.assertRaises(GLib.Error) as cm:
            torch.rand(2, 3) @ torch.rand(4, 5)
        self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.SHAPE))
        self.assertRegex(cm.exception.message, r'(matmul|mm).*\[2, 3\].*\[4, 5\]')

        # the classifier's network given the first network's 1-channel images
        net = CifarNet()
        with self.assertRaises(GLib.Error) as cm:
            net(torch.randn(1, 1, 32, 32))
        self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.SHAPE))
        self.assertIn('conv2d', cm.exception.message)
        self.assertIn('[1, 1, 32, 32]', cm.exception.message)

        # a view that does not fit
        with self.assertRaises(GLib.Error) as cm:
            torch.rand(4, 16, 4, 4).view(-1, 16 * 5 * 5)
        self.assertIn('view', cm.exception.message)
        self.assertIn('[4, 16, 4, 4]', cm.exception.message)

    def test_old_spellings(self):
        # losses have no dimension any more: loss.data[0] says what to do
        loss = nn.MSELoss()(torch.zeros(3), torch.ones(3))
        with self.assertRaises(GLib.Error) as cm:
            loss.data[0]
        self.assertTrue(cm.exception.matches(torch.error_quark(), torch.Error.INDEX))
        self.assertIn('item()', cm.exception.message)
        self.assertEqual(loss.item(), 1.0)

    def test_exception_in_forward_reaches_the_caller(self):
        class Broken(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                if x.size(1) != 4:
                    raise ValueError('expected 4 features, got %d' % x.size(1))
                return self.fc(x)

        net = Broken()
        self.assertEqual(net(torch.randn(3, 4)).size(), torch.Size([3, 2]))
        # the forward's own exception, as torch lets it through
        with self.assertRaises(ValueError) as cm:
            net(torch.randn(3, 5))
        self.assertNotIsInstance(cm.exception, GLib.Error)
        self.assertEqual(str(cm.exception), 'expected 4 features, got 5')

        # also from inside a container run by C
        seq = nn.Sequential(nn.Linear(5, 5), Broken())
        with self.assertRaises(ValueError) as cm:
            seq(torch.randn(3, 5))
        self.assertEqual(str(cm.exception), 'expected 4 features, got 5')


if __name__ == '__main__':
    main(verbosity=2)
