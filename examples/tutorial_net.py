# SPDX-License-Identifier: LGPL-2.1-or-later
"""The tutorial's two networks, defined once in Python for the examples,
the tests and the benches.

Each function makes the class ``Net`` (the tutorial's name for both) on a
torch-like namespace: libtensor's (``from gi.repository import Lt as
torch``) or PyTorch itself, so the same lines build the network in both
libraries and a test can compare them::

    from tutorial_net import nn_net, classifier_net
    Net = nn_net(torch)            # "Neural Networks": 1x32x32 images
    net = Net()
    CifarNet = classifier_net(torch)   # "Training a classifier": 3x32x32

The C definition is viewer/cli/lt-train-net.c, the JavaScript one
examples/tutorial-net.js.
"""

from types import ModuleType


def nn_net(torch: ModuleType) -> type:
    """The network of "Neural Networks": 1x32x32 images, max pooling with
    F.max_pool2d, the flattened size from num_flat_features."""
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):

        def __init__(self):
            super(Net, self).__init__()
            # 1 input image channel, 6 output channels, 5x5 square convolution kernel
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            # an affine operation: y = Wx + b
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            # Max pooling over a (2, 2) window
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            # If the size is a square you can only specify a single number
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

        def num_flat_features(self, x):
            size = x.size()[1:]  # all dimensions except the batch dimension
            num_features = 1
            for s in size:
                num_features *= s
            return num_features

    return Net


def classifier_net(torch: ModuleType, in_channels: int = 3) -> type:
    """The network of "Training a classifier": the same layers for 3x32x32
    images (`in_channels` 1 for Fashion-MNIST padded to 32x32), with its
    pooling as a module, self.pool."""
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(in_channels, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    return Net
