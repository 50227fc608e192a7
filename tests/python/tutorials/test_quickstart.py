#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch's "Quickstart" tutorial (beginner_source/basics/quickstart_tutorial.py,
PyTorch 1.13's tutorials) run to the end with libtensor, on Debian's
Fashion-MNIST.

Lines changed from the tutorial, and why:
- `import torch` -> `from gi.repository import Lt as torch` (the library's
  Python module; with `import gi; gi.require_version('Lt', '1.0')`).
- `from torch import nn` -> `nn = torch.nn`,
  `from torch.utils.data import DataLoader` -> `DataLoader = torch.utils.data.DataLoader`,
  `from torchvision import datasets` -> `datasets = torch.datasets`,
  `from torchvision.transforms import ToTensor` -> `ToTensor = torch.transforms.ToTensor`:
  the same names, reached through the module (`from X import Y` needs X
  to be a Python package, and Lt's namespaces are attributes).
- `epochs = 5` -> `epochs = 2`, and the train loop stops after
  `TRAIN_BATCHES` batches (one added `if` line): the test stays short.
  The test loop runs over the whole 10,000-image test set, as written.

Everything else, including `root="data"` with `download=True` (the files
are found in data/FashionMNIST/raw, as torchvision finds them), `.to
(device)`, `torch.save (model.state_dict (), "model.pth")` and
`model.load_state_dict (torch.load ("model.pth"))`, runs as written.
"""

import re
import unittest

from tutorial_common import in_tutorial_folder, main, printed

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt as torch  # noqa: E402

TRAIN_BATCHES = 200


def quickstart():
    # ----- the tutorial, from here on -----
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    datasets = torch.datasets
    ToTensor = torch.transforms.ToTensor

    # Download training data from open datasets.
    training_data = datasets.FashionMNIST(
        root="data",
        train=True,
        download=True,
        transform=ToTensor(),
    )

    # Download test data from open datasets.
    test_data = datasets.FashionMNIST(
        root="data",
        train=False,
        download=True,
        transform=ToTensor(),
    )

    batch_size = 64

    # Create data loaders.
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    for X, y in test_dataloader:
        print(f"Shape of X [N, C, H, W]: {X.shape}")
        print(f"Shape of y: {y.shape} {y.dtype}")
        break

    # Get cpu or gpu device for training.
    device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    print(f"Using {device} device")

    # Define model
    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10)
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    print(model)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            if batch == TRAIN_BATCHES: break  # (added: a short test)
            X, y = X.to(device), y.to(device)

            # Compute prediction error
            pred = model(X)
            loss = loss_fn(pred, y)

            # Backpropagation
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            if batch % 100 == 0:
                loss, current = loss.item(), (batch + 1) * len(X)
                print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")

    epochs = 2
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer)
        test(test_dataloader, model, loss_fn)
    print("Done!")

    torch.save(model.state_dict(), "model.pth")
    print("Saved PyTorch Model State to model.pth")

    model = NeuralNetwork()
    model.load_state_dict(torch.load("model.pth"))

    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]

    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        print(f'Predicted: "{predicted}", Actual: "{actual}"')
    # ----- end of the tutorial -----
    return model, test_data


MODEL_TEXT = '''NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)'''


class TestQuickstart(unittest.TestCase):

    def test_runs_and_learns(self):
        with in_tutorial_folder():
            (model, test_data), out = printed(quickstart)
        print(out)
        lines = out.splitlines()
        # What the tutorial prints, in PyTorch's words (Lt. for torch.)
        self.assertEqual(lines[0], 'Shape of X [N, C, H, W]: Lt.Size([64, 1, 28, 28])')
        self.assertEqual(lines[1], 'Shape of y: Lt.Size([64]) Lt.int64')
        self.assertEqual(lines[2], 'Using cpu device')
        self.assertIn(MODEL_TEXT, out)
        losses = [float(v) for v in re.findall(r'^loss: +([0-9.]+)  \[', out, re.M)]
        self.assertEqual(len(losses), 2 * 2)
        self.assertRegex(out, r'loss: +[0-9.]+  \[   64/60000\]')
        self.assertRegex(out, r'loss: +[0-9.]+  \[ 6464/60000\]')
        # At the start, ln 10 (2.30) for ten classes; the loss goes down.
        self.assertAlmostEqual(losses[0], 2.30, delta=0.05)
        self.assertLess(losses[-1], losses[0] - 0.03)
        accuracies = [float(v) for v in re.findall(r'Accuracy: ([0-9.]+)%', out)]
        test_losses = [float(v) for v in re.findall(r'Avg loss: ([0-9.]+)', out)]
        self.assertEqual(len(accuracies), 2)
        # Chance is 10%; on the whole real test set after 400 SGD steps at
        # lr 1e-3 (the tutorial's slow rate) the model reaches about 30%
        # (the bound leaves room for another initialisation).
        self.assertGreater(accuracies[-1], 20.0)
        self.assertLess(test_losses[1], test_losses[0])
        self.assertTrue(out.rstrip().endswith('"'))
        self.assertIn('Done!\nSaved PyTorch Model State to model.pth\n', out)
        # The reloaded model predicts test image 0 (an ankle boot).
        m = re.search(r'Predicted: "([^"]+)", Actual: "([^"]+)"', out)
        self.assertIsNotNone(m)
        self.assertEqual(m.group(2), 'Ankle boot')   # test image 0 is label 9


if __name__ == '__main__':
    main()
