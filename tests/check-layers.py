#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that libtensor's layers include only from below.

The layers, bottom first (docs/ARCHITECTURE.md explains them):

  0  backends/        the backend vtable and the registry (the files directly
                      in backends/; core's storage allocates through them)
  1  core/            tensors, storage, dtypes, shapes, the generator
  2  ops/ autograd/   the op table and the front ends, the engine; and the
                      backends' kernels (backends/<name>/), which implement
                      the ops
  3  io/ data/        checkpoints, JSON, images; datasets, transforms, loaders
  4  nn/ optim/       modules and losses, optimizers and schedules
  5  train/           the trainer
  6  libtensor.h      the umbrella header

A file may include headers of its own layer and of the layers below. Besides
that:

- The vocabulary headers (VOCABULARY below: the public enums, the error
  domain, the macros and the list of ops, an X-macro) are below every layer;
  they may include only one another.
- A backend's own folder (backends/<name>/) is private to it: nothing outside
  includes its headers, and its kernels see the vtable, core and the op
  table's kernel arguments (ops/lt-op-private.h), no other header of ops/ and
  nothing of autograd/.

Usage: check-layers.py [SOURCE_DIR/libtensor]
       check-layers.py --self-test
Exits 1 and lists every include that reaches up. --self-test runs the check
on a small tree with known faults and exits 1 unless it finds each of them.
"""

import os
import re
import sys

LAYERS = {
    'backends': 0,
    'core': 1,
    'ops': 2,
    'autograd': 2,
    'io': 3,
    'data': 3,
    'nn': 4,
    'optim': 4,
    'train': 5,
    '.': 6,
}
LAYER_NAMES = ['the backend vtable', 'core', 'ops and autograd', 'io and data', 'nn and optim',
               'train', 'the umbrella header']

VOCABULARY = {
    'core/lt-macros.h',
    'core/lt-types.h',
    'core/lt-error.h',
    'core/lt-enum-types.h',
    'core/lt-version.h',
    'ops/lt-op-list-private.h',
}
# Generated headers (in the build tree) and where they belong
GENERATED = {'lt-enum-types.h': 'core/lt-enum-types.h', 'lt-version.h': 'core/lt-version.h'}
BACKEND_KERNEL_ARGS = 'ops/lt-op-private.h'

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)

problems = []


def folder_of(path):
    """The folder that decides the layer of @path (relative to libtensor/):
    backends/<name> for a backend's own files."""
    parts = path.split('/')
    if len(parts) == 1:
        return '.'
    if parts[0] == 'backends' and len(parts) > 2:
        return 'backends/' + parts[1]
    return parts[0]


def layer_of(folder):
    if folder.startswith('backends/'):
        return LAYERS['ops']
    return LAYERS.get(folder)


def resolve(libdir, including, inc):
    """The path (relative to libtensor/) of the header @inc included from
    @including, or None for a header outside the library (config.h)."""
    if inc in GENERATED:
        return GENERATED[inc]
    here = os.path.dirname(including)
    for base in (here, '', 'core'):
        candidate = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(libdir, candidate)):
            return candidate
    return None


def check_file(libdir, path, text):
    src_folder = folder_of(path)
    src_layer = layer_of(src_folder)
    if src_layer is None:
        problems.append('{}: in a folder that has no layer; add it to LAYERS in {}'.format(
            path, os.path.basename(__file__)))
        return
    for inc in INCLUDE.findall(text):
        target = resolve(libdir, path, inc)
        if target is None:
            continue
        dst_folder = folder_of(target)
        if path in VOCABULARY:
            if target not in VOCABULARY:
                problems.append('{}: a vocabulary header includes {}, which is not one'.format(
                    path, target))
            continue
        if target in VOCABULARY:
            continue
        if dst_folder.startswith('backends/') and dst_folder != src_folder:
            problems.append('{}: includes {}, a header private to its backend'.format(path, target))
            continue
        if src_folder.startswith('backends/') and dst_folder in ('ops', 'autograd') and \
                target != BACKEND_KERNEL_ARGS:
            problems.append('{}: a backend kernel includes {}; kernels see only the kernel '
                            'arguments of {}'.format(path, target, BACKEND_KERNEL_ARGS))
            continue
        dst_layer = layer_of(dst_folder)
        if dst_layer is None:
            problems.append('{}: includes {}, in a folder that has no layer'.format(path, target))
        elif dst_layer > src_layer:
            problems.append('{}: includes {}: {} ({}/) reaches up into {} ({}/)'.format(
                path, target, LAYER_NAMES[src_layer], src_folder, LAYER_NAMES[dst_layer],
                dst_folder))


def check_tree(libdir):
    n = 0
    for root, dirs, files in os.walk(libdir):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith(('.c', '.h', '.h.in', '.cu', '.cuh')):
                continue
            path = os.path.relpath(os.path.join(root, f), libdir)
            if path.endswith('.h.in'):
                path = path[:-3]
            with open(os.path.join(root, f), encoding='utf-8') as fp:
                check_file(libdir, path, fp.read())
            n += 1
    return n


def self_test():
    """A tree with one fault of each kind the check knows, and files that
    are right; the check must report exactly the faults."""
    import tempfile

    tree = {
        'core/lt-types.h': '',
        'core/lt-error.h': '#include "lt-types.h"\n',
        'core/lt-tensor-private.h': '#include "lt-types.h"\n#include "backends/lt-backend-private.h"\n',
        'core/lt-tensor.c': '#include "lt-tensor-private.h"\n#include "autograd/lt-grad-fn-private.h"\n',
        'backends/lt-backend-private.h': '#include "core/lt-types.h"\n#include "ops/lt-op-list-private.h"\n',
        'backends/lt-backend-registry.c': '#include "lt-backend-private.h"\n#include "core/lt-tensor-private.h"\n',
        'backends/cpu/lt-cpu-private.h': '#include "ops/lt-op-private.h"\n#include "core/lt-tensor-private.h"\n',
        'backends/cpu/lt-cpu-add.c': '#include "lt-cpu-private.h"\n#include "ops/lt-ops-private.h"\n',
        'ops/lt-op-list-private.h': '#include "core/lt-error.h"\n#include "core/lt-tensor-private.h"\n',
        'ops/lt-op-private.h': '#include "lt-op-list-private.h"\n#include "backends/lt-backend-private.h"\n',
        'ops/lt-ops-private.h': '#include "lt-op-private.h"\n#include "autograd/lt-grad-fn-private.h"\n',
        'ops/lt-add.c': '#include "lt-ops-private.h"\n#include "backends/cpu/lt-cpu-private.h"\n',
        'autograd/lt-grad-fn-private.h': '#include "ops/lt-op-private.h"\n',
        'io/lt-json-private.h': '#include "core/lt-error.h"\n',
        'nn/lt-module.h': '#include "io/lt-json-private.h"\n',
        'data/lt-loader.c': '#include "nn/lt-module.h"\n#include "ops/lt-ops-private.h"\n',
        'train/lt-trainer.c': '#include "nn/lt-module.h"\n#include "data/lt-loader.c"\n',
    }
    expected = [
        'core/lt-tensor.c: includes autograd/lt-grad-fn-private.h',
        'backends/lt-backend-registry.c: includes core/lt-tensor-private.h',
        'backends/cpu/lt-cpu-add.c: a backend kernel includes ops/lt-ops-private.h',
        'ops/lt-op-list-private.h: a vocabulary header includes core/lt-tensor-private.h',
        'ops/lt-add.c: includes backends/cpu/lt-cpu-private.h, a header private',
        'data/lt-loader.c: includes nn/lt-module.h',
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in tree.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(tmp, path), 'w', encoding='utf-8') as fp:
                fp.write(text)
        check_tree(tmp)
    missed = [e for e in expected if not any(p.startswith(e) for p in problems)]
    extra = [p for p in problems if not any(p.startswith(e) for e in expected)]
    for m in missed:
        print('not reported: ' + m)
    for x in extra:
        print('reported wrongly: ' + x)
    if missed or extra:
        sys.exit(1)
    print('self-test: the {} faults were reported, nothing else'.format(len(expected)))
    sys.exit(0)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--self-test':
        self_test()
    here = os.path.dirname(os.path.abspath(__file__))
    libdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'libtensor')
    n = check_tree(os.path.normpath(libdir))
    if problems:
        for p in problems:
            print(p)
        print('{} include(s) reach up a layer (docs/ARCHITECTURE.md, "Layers")'.format(
            len(problems)))
        sys.exit(1)
    print('layers: {} files, no include reaches up'.format(n))
    sys.exit(0)


if __name__ == '__main__':
    main()
