#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The "Deep Learning with PyTorch: A 60 Minute Blitz", section by section,
in Python with libtensor through PyGObject and its overrides
(gi/overrides/Lt.py): the tutorial's own code with `torch` spelled `Lt`.

    /usr/bin/python3 examples/blitz.py             run every section
    /usr/bin/python3 examples/blitz.py autograd    run the named sections only
    /usr/bin/python3 examples/blitz.py --data DIR --epochs 2 --log-interval 2000 classifier

The classifier reads CIFAR-10 from --data (default ./data: the folder that
holds cifar-10-batches-bin/, or the archive cifar-10-binary.tar.gz) and
trains for --epochs epochs, printing the running loss every --log-interval
mini-batches; it saves the batches it shows as PNG pictures in --output
(default .). Without the data it says so and goes on.

Uninstalled, set GI_TYPELIB_PATH and LD_LIBRARY_PATH to build/libtensor and
PYTHONPATH to the source root (or use `meson devenv -C build`). Every
section seeds the generator, so the numbers are the same as lt-blitz's
(examples/blitz.c). A libtensor error ends the program with its message and
status 1; a bad option, with status 2. Where the languages do the same thing,
lt-blitz, blitz.py and blitz.js print the same, line for line, and write
the same pictures (the tests compare them).
"""

import argparse
import os
import sys

import gi

gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

import numpy as np  # noqa: E402

from tutorial_net import classifier_net, nn_net  # noqa: E402

# The tutorial's tensors print in the form of its PyTorch (0.3):
# [Lt.FloatTensor of size 5x3].
Lt.set_printoptions(legacy=True)


def heading(title, underline):
    print(f'{title}\n{underline * len(title)}\n')


def step(what, python):
    """A step of the tutorial: what it does and its Python code."""
    if what:
        print(what)
    print(f'>>> {python}')


# ---- What is PyTorch? Tensors ----

def section_tensors():
    step('Construct a 5x3 matrix, uninitialized:', 'x = torch.Tensor(5, 3)')
    x = Lt.Tensor(5, 3)
    print(x)

    step('Construct a randomly initialized matrix:', 'x = torch.rand(5, 3)')
    x = Lt.rand(5, 3)
    print(x)

    step('Get its size:', 'print(x.size())')
    print(x.size())
    print()

    heading('Operations', '-')
    step('Addition: syntax 1', 'y = torch.rand(5, 3); print(x + y)')
    y = Lt.rand(5, 3)
    print(x + y)

    step('Addition: syntax 2', 'print(torch.add(x, y))')
    print(Lt.add(x, y))

    step('Addition: giving an output tensor',
         'result = torch.Tensor(5, 3); torch.add(x, y, out=result); print(result)')
    result = Lt.Tensor(5, 3)
    Lt.add(x, y, out=result)
    print(result)

    step('Addition: in-place (adds x to y)', 'y.add_(x); print(y)')
    y.add_(x)
    print(y)

    step('Standard NumPy-like indexing: the second column, a view of x', 'print(x[:, 1])')
    print(x[:, 1])


# ---- NumPy Bridge ----

def section_numpy_bridge():
    step('Converting a Torch Tensor to a NumPy array', 'a = torch.ones(5); print(a)')
    a = Lt.ones(5)
    print(a)

    step(None, 'b = a.numpy(); print(b)')
    b = a.numpy()
    print(b)
    print()

    step('See how the numpy array changed in value:', 'a.add_(1); print(a); print(b)')
    a.add_(1)
    print(a)
    print(b)
    print()

    step('Converting a NumPy array to a Torch Tensor',
         'a = np.ones(5); b = torch.from_numpy(a); np.add(a, 1, out=a); print(a); print(b)')
    a = np.ones(5)
    b = Lt.from_numpy(a)
    np.add(a, 1, out=a)
    print(a)
    print()
    print(b)


# ---- CUDA Tensors ----

def section_cuda():
    step('Tensors move to the GPU with .cuda(), when CUDA is available:',
         'if torch.cuda.is_available(): x = x.cuda(); y = y.cuda(); x + y')
    x = Lt.rand(5, 3)
    y = Lt.rand(5, 3)
    try:
        x = x.to_device(Lt.Device.CUDA)
    except GLib.Error as e:
        if not e.matches(Lt.error_quark(), Lt.Error.DEVICE):
            raise
        print(f'CUDA is not available: {e.message}\n')
        return
    y = y.to_device(Lt.Device.CUDA)
    print(x + y)


# ---- Autograd: automatic differentiation ----

def section_autograd():
    step('Create a tensor that records its history:',
         'x = Variable(torch.ones(2, 2), requires_grad=True); print(x)')
    x = Lt.ones(2, 2, requires_grad=True)
    print(x)

    step('Do an operation on it:', 'y = x + 2; print(y)')
    y = x + 2
    print(y)

    step('y was created as the result of an operation, so it has a creator:',
         'print(y.grad_fn)')
    print(y.grad_fn)
    print()

    step('Do more operations on y:', 'z = y * y * 3; out = z.mean(); print(z, out)')
    z = y * y * 3
    out = z.mean()
    print(z)
    print(out)

    heading('Gradients', '-')
    step('Backprop, then the gradients d(out)/dx: a matrix of 4.5',
         'out.backward(); print(x.grad)')
    out.backward()
    print(x.grad)

    step('You can do many crazy things with autograd!',
         'x = Variable(torch.randn(3), requires_grad=True)\n'
         '>>> y = x * 2\n'
         '>>> while y.data.norm() < 1000: y = y * 2\n'
         '>>> print(y)')
    # Seed 0 gives randn values that take ten doublings, as the tutorial's.
    Lt.manual_seed(0)
    x = Lt.randn(3, requires_grad=True)
    y = x * 2
    doublings = 1
    while y.norm().item() < 1000:
        y = y * 2
        doublings += 1
    print(y)

    step(None, 'gradients = torch.FloatTensor([0.1, 1.0, 0.0001]); y.backward(gradients); '
         'print(x.grad)')
    gradients = Lt.tensor([0.1, 1.0, 0.0001])
    y.backward(gradients)
    print(x.grad)
    print(f'(y = x * 2^{doublings}, so x.grad = 2^{doublings} * gradients)\n')

    step('Stop autograd from tracking history on tensors that require grad:',
         'print(x.requires_grad); print((x ** 2).requires_grad)')
    print(x.requires_grad)
    print((x ** 2).requires_grad)
    step(None, 'with torch.no_grad(): print((x ** 2).requires_grad)')
    with Lt.no_grad():
        print((x ** 2).requires_grad)
    print()


# ---- Neural Networks ----

nn = Lt.nn
F = Lt.nn.functional
optim = Lt.optim


# class Net(nn.Module): the tutorial's network, in examples/tutorial_net.py
# (shared with the tests and the benches, and buildable on PyTorch too).
Net = nn_net(Lt)


def section_neural_networks():
    heading('Define the network', '-')
    step('A subclass of nn.Module: conv1 1->6 5x5, conv2 6->16 5x5, fc1 400->120, '
         'fc2 120->84, fc3 84->10', 'net = Net(); print(net)')
    net = Net()
    print(net)
    print()

    step('The learnable parameters are returned by net.parameters():',
         "params = list(net.parameters()); print(len(params)); print(params[0].size())  "
         "# conv1's .weight")
    params = list(net.parameters())
    print(len(params))
    print(params[0].size())
    print()

    step('The input of forward is a tensor, so is the output:',
         'input = Variable(torch.randn(1, 1, 32, 32)); out = net(input); print(out)')
    input = Lt.randn(1, 1, 32, 32)
    out = net(input)
    print(out)

    step('Zero the gradient buffers of all parameters and backprop with random gradients:',
         'net.zero_grad(); out.backward(torch.randn(1, 10))')
    net.zero_grad()
    out.backward(Lt.randn(1, 10))
    print()

    heading('Loss Function', '-')
    step('nn.MSELoss computes the mean-squared error between the input and the target:',
         'output = net(input); target = Variable(torch.arange(1, 11)); '
         'criterion = nn.MSELoss(); loss = criterion(output, target); print(loss)')
    output = net(input)
    target = Lt.arange(1., 11.)  # a dummy target, for example
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    print(loss)

    step('Following loss backwards through its grad_fn: MSELoss, linear (addmm), '
         'then the bias of fc3 (the tutorial\'s .creator is .grad_fn):',
         'print(loss.grad_fn); print(loss.grad_fn.next_functions[0][0]); '
         'print(loss.grad_fn.next_functions[0][0].next_functions[0][0])')
    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # the bias of fc3
    print()

    heading('Backprop', '-')
    step('Clear the existing gradients, then look at conv1\'s bias gradient before and '
         'after backward:',
         "net.zero_grad(); print('conv1.bias.grad before backward'); "
         "print(net.conv1.bias.grad); loss.backward(); "
         "print('conv1.bias.grad after backward'); print(net.conv1.bias.grad)")
    net.zero_grad()  # zeroes the gradient buffers of all parameters
    print('conv1.bias.grad before backward')
    print(net.conv1.bias.grad)
    loss.backward()
    print('conv1.bias.grad after backward')
    print(net.conv1.bias.grad)

    heading('Update the weights', '-')
    step('The simplest update rule, stochastic gradient descent: '
         'weight = weight - learning_rate * gradient',
         'learning_rate = 0.01\n'
         '>>> for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate)')
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    print('loss before the update: %.4f, after: %.4f\n'
          % (loss.item(), criterion(net(input), target).item()))

    step('The same with torch.optim:',
         'optimizer = optim.SGD(net.parameters(), lr=0.01)\n'
         '>>> optimizer.zero_grad(); output = net(input); loss = criterion(output, target); '
         'loss.backward(); optimizer.step()')
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()  # zero the gradient buffers
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()  # does the update
    print('loss before the step: %.4f, after: %.4f\n'
          % (loss.item(), criterion(net(input), target).item()))


# ---- Training a classifier ----

transforms = Lt.transforms
datasets = Lt.datasets

classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')


# The network of "Neural Networks", taking 3-channel images; the tutorial
# calls it Net too (examples/tutorial_net.py).
CifarNet = classifier_net(Lt)


def imshow(img, name):
    """The tutorial shows the grid with matplotlib; here it goes to a PNG."""
    os.makedirs(OPTIONS.output, exist_ok=True)
    path = os.path.join(OPTIONS.output, name)
    Lt.utils.save_image(img / 2 + 0.5, path)  # unnormalize
    print('(the grid is in %s)' % path)


def section_classifier():
    opts = OPTIONS
    heading('1. Loading and normalizing CIFAR10', '-')
    step('Tensors of normalized range [-1, 1]:',
         'transform = transforms.Compose([transforms.ToTensor(), '
         'transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n'
         ">>> trainset = torchvision.datasets.CIFAR10(root='%s', train=True, transform=transform)\n"
         '>>> trainloader = torch.utils.data.DataLoader(trainset, batch_size=%d, shuffle=True, '
         'num_workers=%d)\n'
         ">>> testset = torchvision.datasets.CIFAR10(root='%s', train=False, transform=transform)\n"
         '>>> testloader = torch.utils.data.DataLoader(testset, batch_size=%d, shuffle=True, '
         'num_workers=%d)'
         % (opts.data, opts.batch_size, opts.workers, opts.data, opts.batch_size, opts.workers))
    transform = transforms.Compose(
        [transforms.ToTensor(),
         transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    try:
        trainset = datasets.CIFAR10(root=opts.data, train=True, transform=transform)
        testset = datasets.CIFAR10(root=opts.data, train=False, transform=transform)
    except GLib.Error as e:
        if not e.matches(Lt.error_quark(), Lt.Error.IO):
            raise
        print('Skipping this section: %s' % e.message)
        print('(pass --data with the folder that holds cifar-10-batches-bin/ or '
              'cifar-10-binary.tar.gz)\n')
        return
    trainloader = Lt.utils.data.DataLoader(trainset, batch_size=opts.batch_size,
                                           shuffle=True, num_workers=opts.workers)
    testloader = Lt.utils.data.DataLoader(testset, batch_size=opts.batch_size,
                                          shuffle=True, num_workers=opts.workers)
    print('%d training images, %d test images\n' % (len(trainset), len(testset)))

    step('Some of the training images:',
         'dataiter = iter(trainloader); images, labels = dataiter.next()\n'
         '>>> imshow(torchvision.utils.make_grid(images))\n'
         ">>> print(' '.join('%5s' % classes[labels[j]] for j in range(4)))")
    dataiter = iter(trainloader)
    images, labels = next(dataiter)
    imshow(Lt.utils.make_grid(images), 'cifar-train-batch.png')
    print(' '.join('%5s' % classes[labels[j]] for j in range(labels.size(0))))
    print()

    heading('2. Define a Convolutional Neural Network', '-')
    step('The network of "Neural Networks", taking 3-channel images:', 'net = Net(); print(net)')
    net = CifarNet()
    print(net)
    print()

    heading('3. Define a Loss function and optimizer', '-')
    step('Classification Cross-Entropy loss and SGD with momentum:',
         'criterion = nn.CrossEntropyLoss(); '
         'optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)')
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    print()

    heading('4. Train the network', '-')
    step('Loop over the data, feed the inputs to the network and optimize '
         '(%d epochs, the loss every %d mini-batches):' % (opts.epochs, opts.log_interval),
         'for epoch in range(%d): for i, data in enumerate(trainloader, 0): ...'
         % opts.epochs)
    interval = opts.log_interval
    for epoch in range(opts.epochs):  # loop over the dataset multiple times
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            # get the inputs
            inputs, labels = data

            # zero the parameter gradients
            optimizer.zero_grad()

            # forward + backward + optimize
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            # print statistics
            running_loss += loss.item()
            if i % interval == interval - 1:  # print every `interval` mini-batches
                print('[%d, %5d] loss: %.3f' % (epoch + 1, i + 1, running_loss / interval))
                running_loss = 0.0

    print('Finished Training')
    print()

    heading('5. Test the network on the test data', '-')
    step('Some images of the test set and their labels:',
         'dataiter = iter(testloader); images, labels = dataiter.next()\n'
         '>>> imshow(torchvision.utils.make_grid(images))\n'
         ">>> print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(4)))")
    dataiter = iter(testloader)
    images, labels = next(dataiter)
    imshow(Lt.utils.make_grid(images), 'cifar-test-batch.png')
    n = labels.size(0)
    print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(n)))

    step('What the network thinks they are: the class of the highest energy',
         'outputs = net(Variable(images)); _, predicted = torch.max(outputs.data, 1)\n'
         ">>> print('Predicted: ', ' '.join('%5s' % classes[predicted[j]] for j in range(4)))")
    outputs = net(images)
    _, predicted = Lt.max(outputs.data, 1)
    print('Predicted: ', ' '.join('%5s' % classes[predicted[j]] for j in range(n)))
    print()

    step('How the network performs on the whole dataset:',
         'for data in testloader: ... correct += (predicted == labels).sum()')
    correct = 0
    total = 0
    with Lt.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predicted = Lt.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()

    print('Accuracy of the network on the %d test images: %d %%' % (total, 100 * correct / total))
    print()

    step('The classes that performed well, and those that did not:',
         'c = (predicted == labels).squeeze(); class_correct[label] += c[i]; ...')
    class_correct = list(0. for i in range(10))
    class_total = list(0. for i in range(10))
    with Lt.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predicted = Lt.max(outputs, 1)
            c = (predicted == labels).squeeze(0)
            for i in range(labels.size(0)):
                label = labels[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1

    for i in range(10):
        if class_total[i] == 0:
            print('Accuracy of %5s: no test images' % classes[i])
            continue
        print('Accuracy of %5s: %2d %%' % (classes[i], 100 * class_correct[i] / class_total[i]))
    print()


# ---- Training on GPU ----

def section_gpu():
    step('The network moves to the GPU like a tensor, and so must every batch:',
         'device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu"); '
         'print(device)\n'
         '>>> net.to(device); inputs, labels = inputs.to(device), labels.to(device)')
    device = Lt.device('cuda:0' if Lt.cuda.is_available() else 'cpu')
    print(device)
    try:
        Lt.zeros(1).to('cuda')
    except GLib.Error as e:
        if not e.matches(Lt.error_quark(), Lt.Error.DEVICE):
            raise
        print('CUDA is not available: %s\n' % e.message)
        return
    net = CifarNet().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    inputs = Lt.randn(4, 3, 32, 32).to(device)
    labels = Lt.tensor([0, 1, 2, 3]).to(device)
    optimizer.zero_grad()
    loss = criterion(net(inputs), labels)
    loss.backward()
    optimizer.step()
    print('one step on %s: loss %.3f\n' % (device, loss.item()))


# The tutorial's sections, in its order.
SECTIONS = [
    ('tensors', 'What is PyTorch? Tensors', section_tensors),
    ('numpy', 'NumPy Bridge', section_numpy_bridge),
    ('cuda', 'CUDA Tensors', section_cuda),
    ('autograd', 'Autograd: automatic differentiation', section_autograd),
    ('nn', 'Neural Networks', section_neural_networks),
    ('classifier', 'Training a classifier', section_classifier),
    ('gpu', 'Training on GPU', section_gpu),
]

# The command line's options, for the sections that take some.
OPTIONS = None


def positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError('%r is not a positive integer' % text)
    return value


def count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('%r is not a count (0 or more)' % text)
    return value


def parse_args(argv):
    names = [name for name, _, _ in SECTIONS]
    parser = argparse.ArgumentParser(
        prog='blitz.py', description='The 60 minute blitz, section by section: %s.'
        % ', '.join(names))
    parser.add_argument('sections', nargs='*', metavar='SECTION',
                        help='the sections to run (all by default)')
    parser.add_argument('--data', default='data',
                        help='the folder that holds CIFAR-10 (default: ./data)')
    parser.add_argument('--epochs', type=positive, default=2,
                        help='passes over the training set (default: 2)')
    parser.add_argument('--log-interval', type=positive, default=2000,
                        help='print the running loss every N mini-batches (default: 2000)')
    parser.add_argument('--batch-size', type=positive, default=4,
                        help='images per mini-batch (default: 4)')
    parser.add_argument('--workers', type=count, default=2,
                        help='threads that read the data ahead (default: 2)')
    parser.add_argument('--output', default='.',
                        help='the folder for the pictures of the batches (default: .)')
    args = parser.parse_args(argv)
    for name in args.sections:
        if name not in names:
            parser.error("no section '%s'; the sections are: %s" % (name, ' '.join(names)))
    return args


def main(argv):
    global OPTIONS
    OPTIONS = parse_args(argv)
    try:
        for name, title, run in SECTIONS:
            if OPTIONS.sections and name not in OPTIONS.sections:
                continue
            heading(title, '=')
            Lt.manual_seed(0)
            run()
    except GLib.Error as e:
        print(f'blitz.py: {e.message}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
