# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the tutorial ports in this folder share: the harness of the folder
above, and a scratch working folder where the tutorials' own
`root="data"` finds Debian's Fashion-MNIST.

PyTorch's tutorials load Fashion-MNIST with
`datasets.FashionMNIST(root="data", download=True, ...)`: torchvision
uses the IDX files already in data/FashionMNIST/raw and downloads only
the missing ones.  `in_tutorial_folder()` makes a scratch folder whose
data/FashionMNIST/raw links to Debian's files (dataset-fashion-mnist)
and makes it the working folder, so that line runs as written without a
network; `model.pth` and the other files a tutorial writes land there
too and go with it.
"""

import contextlib
import io
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import main, require, require_path  # noqa: E402,F401

FASHION_DIR = '/usr/share/datasets/fashion-mnist'
FASHION_FILES = ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
                 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')


@contextlib.contextmanager
def in_tutorial_folder():
    """A scratch working folder holding data/FashionMNIST/raw (links to
    Debian's Fashion-MNIST); the previous folder is restored and the
    scratch one removed afterwards."""
    folder = tempfile.mkdtemp(prefix='lt-tutorial-')
    raw = os.path.join(folder, 'data', 'FashionMNIST', 'raw')
    os.makedirs(raw)
    for name in FASHION_FILES:
        os.symlink(require_path(os.path.join(FASHION_DIR, name), 'dataset-fashion-mnist'),
                   os.path.join(raw, name))
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(previous)
        shutil.rmtree(folder, ignore_errors=True)


def printed(fn, *args):
    """Runs fn(*args); returns (its result, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args)
    return result, out.getvalue()
