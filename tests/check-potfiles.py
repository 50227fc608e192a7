#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every C source with translatable strings (_("...") or N_("...")) is
listed in po/POTFILES.in, and every file listed there exists and has
some; otherwise `ninja libtensor-pot` would miss strings or fail.

Usage: check-potfiles.py SOURCE_ROOT"""

import os
import re
import sys

root = sys.argv[1]
MARK = re.compile(r'\bN?_\s*\(\s*"')
with open(os.path.join(root, 'po', 'POTFILES.in')) as f:
    listed = {l.strip() for l in f if l.strip() and not l.startswith('#')}

marked = set()
for top in ('libtensor', 'viewer', 'examples'):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        for name in files:
            if name.endswith('.c'):
                path = os.path.join(dirpath, name)
                with open(path, encoding='utf-8') as f:
                    if MARK.search(f.read()):
                        marked.add(os.path.relpath(path, root))

problems = ['%s marks strings for translation but is not in po/POTFILES.in' % p
            for p in sorted(marked - listed)]
problems += ['po/POTFILES.in lists %s, which %s' %
             (p, 'has no marked strings' if os.path.exists(os.path.join(root, p))
              else 'does not exist') for p in sorted(listed - marked)]
for p in problems:
    print(p)
print('%d files with translatable strings, %d problems' % (len(marked), len(problems)))
sys.exit(1 if problems else 0)
