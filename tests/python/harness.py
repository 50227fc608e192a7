# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python tests in this folder share: requiring what a test
needs, the only skips allowed, and the runner each test file calls.

A test never skips because something it needs is missing: a reference
library (torch, torchvision, numpy, pycairo, safetensors), a fixture or a
data set absent from this machine FAILS the test with what to install
(tools/install-deps.sh installs all of it). Only absent hardware may skip:
a GPU (`skip_gpu`), or a display outside the headless test setup
(`skip_display`). Each skip prints one TAP line, `ok - <test> # SKIP
<kind>: <reason>`, so .ci/run can count the skips and fail on any other
kind.

    from harness import require, main
    torch = require('torch', 'python3-torch')
    ...
    if __name__ == '__main__':
        main()
"""

import importlib
import os
import sys
import unittest
from types import ModuleType
from typing import NoReturn

# The kinds of skip .ci/run accepts (it reads the TAP lines main() prints).
SKIP_KINDS = ('GPU', 'display')


def fail(message: str) -> NoReturn:
    """Fails the whole test file with `message` (exit status 1, which meson
    reports as a failure; 77 would be a skip)."""
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def require(name: str, package: str) -> ModuleType:
    """Imports the module `name` (dotted names work) or fails the test,
    naming the Debian `package` that provides it."""
    try:
        return importlib.import_module(name)
    except Exception as e:  # noqa: BLE001 - any failure means it is not usable
        fail('%s cannot import %s (%s: %s): install %s (tools/install-deps.sh does)'
             % (sys.executable, name, type(e).__name__, e, package))


def require_from_venv(name: str) -> ModuleType:
    """Imports the module `name`, which PyPI provides (safetensors): when
    this interpreter lacks it, runs the calling test again under the
    source root's .venv (tools/install-deps.sh makes it: Debian's gi, numpy
    and torch plus the PyPI packages); fails the test when that venv
    cannot import it either."""
    venv_python = os.path.join(source_dir(), '.venv', 'bin', 'python')
    try:
        return importlib.import_module(name)
    except ImportError as e:
        error = e
    if os.path.exists(venv_python) and os.environ.get('LT_TEST_VENV_REEXEC') is None:
        os.environ['LT_TEST_VENV_REEXEC'] = '1'
        script = os.path.abspath(sys.argv[0])
        os.execv(venv_python, [venv_python, script] + sys.argv[1:])
    if not os.path.exists(venv_python):
        fail('%s cannot import %s (%s) and %s does not exist: run tools/install-deps.sh '
             '(it makes the venv and installs %s from PyPI)'
             % (sys.executable, name, error, venv_python, name.split('.')[0]))
    fail('%s cannot import %s (%s): run "%s -m pip install %s" or tools/install-deps.sh'
         % (sys.executable, name, error, venv_python, name.split('.')[0]))


def require_path(path: str, package: str) -> str:
    """Returns `path` if it exists, or fails the test naming the Debian
    `package` (or the command) that provides it."""
    if not os.path.exists(path):
        fail('%s is missing: install %s (tools/install-deps.sh does)' % (path, package))
    return path


def source_dir() -> str:
    """The source root (LT_SOURCE_DIR under meson test)."""
    return os.environ.get('LT_SOURCE_DIR',
                          os.path.dirname(os.path.dirname(os.path.dirname(
                              os.path.abspath(__file__)))))


def tutorial_net() -> ModuleType:
    """examples/tutorial_net.py: the tutorial's networks, defined once for
    the examples, the tests and the benches (nn_net, classifier_net)."""
    examples = os.path.join(source_dir(), 'examples')
    if examples not in sys.path:
        sys.path.insert(0, examples)
    return importlib.import_module('tutorial_net')


def skip_gpu(reason: str) -> NoReturn:
    """Skips the running test because of the GPU (absent, or present where
    the test checks the error for an absent one)."""
    raise unittest.SkipTest('GPU: ' + reason)


def skip_display(reason: str) -> NoReturn:
    """Skips the running test because no display is reachable."""
    raise unittest.SkipTest('display: ' + reason)


class _Result(unittest.TextTestResult):
    """Prints one TAP line per skipped test, on stdout."""

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print('ok - %s # SKIP %s' % (test.id(), reason), flush=True)


class _Runner(unittest.TextTestRunner):
    resultclass = _Result


def main(verbosity: int = 1) -> None:
    """Runs the tests of the calling module (as unittest.main does), with
    every skip reported as a TAP line."""
    unittest.main(module='__main__', testRunner=_Runner, verbosity=verbosity)
