#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that no layer of libtensor reaches up.

The folders of libtensor/ form layers (docs/ARCHITECTURE.md), each
depending only on those below it:

  train/                     the training loop
  distributed/               process groups, data parallelism
  nn/  optim/  data/         side by side: none includes another
  io/                        checkpoints, images, files
  core/ backends/ ops/ autograd/   the base: one layer in four folders,
                             which call each other (ARCHITECTURE.md,
                             "Who calls whom")

Every #include "..." of a .c or .h file under libtensor/<folder>/ must name
a header of its own folder, of a folder of a lower layer, or (in the base)
of another base folder. A bare "lt-x.h" is looked up in the file's own
folder, then in core/ (the include path the build gives). An include that
names no file of the tree (config.h, a generated header) is left alone.

Usage: check-layers.py [SOURCE_DIR/libtensor]
Exits 1 and lists every include that reaches up or sideways.
"""

import os
import re
import sys

TIERS = [
    ('core', 'backends', 'ops', 'autograd'),
    ('io',),
    ('nn', 'optim', 'data'),
    ('distributed',),
    ('train',),
]
TIER = {folder: i for i, folders in enumerate(TIERS) for folder in folders}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def resolve(root, folder, name):
    """The folder of libtensor/ that holds the included header, or None."""
    first = name.split('/')[0]
    if '/' in name:
        return first if first in TIER and os.path.exists(os.path.join(root, name)) else None
    if os.path.exists(os.path.join(root, folder, name)):
        return folder
    if os.path.exists(os.path.join(root, 'core', name)):
        return 'core'
    return None


def allowed(src, dst):
    if src == dst:
        return True
    if TIER[dst] < TIER[src]:
        return True
    return TIER[src] == 0 and TIER[dst] == 0


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'libtensor')
    problems = []
    seen = set()
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            continue
        if folder not in TIER:
            problems.append('libtensor/%s/: a folder no layer lists (add it to TIERS in %s '
                            'and to docs/ARCHITECTURE.md)' % (folder, os.path.basename(__file__)))
            continue
        for dirpath, _dirs, files in os.walk(path):
            for f in sorted(files):
                if not f.endswith(('.c', '.h')):
                    continue
                file_path = os.path.join(dirpath, f)
                with open(file_path, encoding='utf-8') as fh:
                    text = fh.read()
                for name in INCLUDE.findall(text):
                    dst = resolve(root, folder, name)
                    if dst is None:
                        continue
                    seen.add(folder)
                    if not allowed(folder, dst):
                        rel = os.path.relpath(file_path, os.path.dirname(root))
                        problems.append('%s includes "%s": %s/ (layer %d) may not depend on '
                                        '%s/ (layer %d)' % (rel, name, folder, TIER[folder],
                                                            dst, TIER[dst]))
    for folder in TIER:
        if not os.path.isdir(os.path.join(root, folder)):
            problems.append('libtensor/%s/: listed in TIERS but missing' % folder)
    if problems:
        print('\n'.join(problems))
        return 1
    print('check-layers: %d folders, no include reaches up or sideways' % len(seen))
    return 0


if __name__ == '__main__':
    sys.exit(main())
