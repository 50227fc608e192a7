#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch's side of bench/accuracy.py: the tutorial's classifier section
("训练一个分类器", shared/seed/) on Fashion-MNIST, as lt-train runs it.

The network is the tutorial's with a 1-channel first convolution, and the
images get what lt-train gives them (viewer/cli/lt-train-data.c): Pad(2) on the
28x28 uint8 image (zeros, so the border is -1 after Normalize), ToTensor,
Normalize((0.5,), (0.5,)). The recipe is the tutorial's: CrossEntropyLoss,
SGD lr 0.001 momentum 0.9, batch 4, shuffled, num_workers 0,
torch.manual_seed(seed) before the network is made. After every epoch the
test set is evaluated (batch 4, in order), as LtTrainer does.

Prints one JSON object on stdout: the accuracy after every epoch, each
epoch's training and test seconds (wall, and the process's CPU time), the
running losses every 200 and every 2000 mini-batches. Run with
/usr/bin/python3; --root is a folder holding FashionMNIST/raw/ with the four
IDX files uncompressed (accuracy.py makes one from Debian's package).
"""

import argparse
import json
import time

import torch
import torch.nn as nn
import torch.optim as optim
import torchvision
import torchvision.transforms as transforms

from bench_common import tutorial_net


# The tutorial's classifier network (examples/tutorial_net.py), with a
# 1-channel first convolution.
Net = tutorial_net().classifier_net(torch, in_channels=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--root', required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--fine', type=int, default=200, help='the finer curve\'s interval')
    ap.add_argument('--coarse', type=int, default=2000, help='the tutorial\'s interval')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    transform = transforms.Compose([transforms.Pad(2), transforms.ToTensor(),
                                    transforms.Normalize((0.5,), (0.5,))])
    trainset = torchvision.datasets.FashionMNIST(root=args.root, train=True, download=False,
                                                 transform=transform)
    testset = torchvision.datasets.FashionMNIST(root=args.root, train=False, download=False,
                                                transform=transform)

    torch.manual_seed(args.seed)
    net = Net()
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=4, shuffle=True,
                                              num_workers=0)
    testloader = torch.utils.data.DataLoader(testset, batch_size=4, shuffle=False,
                                             num_workers=0)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    fine, coarse, epochs = [], [], []
    for epoch in range(args.epochs):
        c0, t0 = time.process_time(), time.perf_counter()
        running_fine = running_coarse = 0.0
        for i, (inputs, labels) in enumerate(trainloader):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            value = loss.item()
            running_fine += value
            running_coarse += value
            if (i + 1) % args.fine == 0:
                fine.append([epoch + 1, i + 1, running_fine / args.fine])
                running_fine = 0.0
            if (i + 1) % args.coarse == 0:
                coarse.append([epoch + 1, i + 1, running_coarse / args.coarse])
                running_coarse = 0.0
        c1, t1 = time.process_time(), time.perf_counter()

        correct = total = 0
        with torch.no_grad():
            for images, labels in testloader:
                _, predicted = torch.max(net(images).data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        c2, t2 = time.process_time(), time.perf_counter()
        epochs.append(dict(epoch=epoch + 1, accuracy=100.0 * correct / total,
                           train_s=t1 - t0, train_cpu_s=c1 - c0,
                           test_s=t2 - t1, test_cpu_s=c2 - c1, steps=i + 1))

    print(json.dumps(dict(impl='torch', version=torch.__version__, seed=args.seed,
                          threads=torch.get_num_threads(), epochs=epochs,
                          accuracy=epochs[-1]['accuracy'], fine=fine, coarse=coarse)),
          flush=True)


if __name__ == '__main__':
    main()
