#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The "Deep Learning with PyTorch: A 60 Minute Blitz", section by section,
in Python with libtensor through PyGObject and its overrides
(gi/overrides/Lt.py): the tutorial's own code with `torch` spelled `Lt`.

    /usr/bin/python3 examples/blitz.py             run every section
    /usr/bin/python3 examples/blitz.py autograd    run the named sections only

Uninstalled, set GI_TYPELIB_PATH and LD_LIBRARY_PATH to build/libtensor and
PYTHONPATH to the source root (or use `meson devenv -C build`). Every
section seeds the generator, so the numbers are the same as lt-blitz's
(examples/blitz.c). A libtensor error ends the program with its message and
status 1.

A later section is one more function appended below and one more row in
SECTIONS.
"""

import sys

import gi

gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

import numpy as np  # noqa: E402


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


# The tutorial's sections, in its order. Later sections (neural networks,
# training a classifier) append their rows here.
SECTIONS = [
    ('tensors', 'What is PyTorch? Tensors', section_tensors),
    ('numpy', 'NumPy Bridge', section_numpy_bridge),
    ('cuda', 'CUDA Tensors', section_cuda),
    ('autograd', 'Autograd: automatic differentiation', section_autograd),
]


def main(argv):
    names = [name for name, _, _ in SECTIONS]
    for arg in argv:
        if arg not in names:
            print(f"blitz.py: no section '{arg}'; the sections are: {' '.join(names)}",
                  file=sys.stderr)
            return 1
    try:
        for name, title, run in SECTIONS:
            if argv and name not in argv:
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
