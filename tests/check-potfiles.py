#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every file with translatable strings is listed in po/POTFILES.in, and
every file listed there exists and has some; otherwise `ninja
libtensor-pot` would miss strings or fail. Translatable are: C sources
with _("...") or N_("...") (and the C_/NC_ forms), GtkBuilder files with
translatable="yes", and the desktop file, AppStream metainfo and
GSettings schema templates in data/ (gettext's ITS rules pick their
strings).

Usage: check-potfiles.py SOURCE_ROOT"""

import os
import re
import sys

root = sys.argv[1]
MARK = re.compile(r'\b(N?C?_|ngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable="yes"')
DATA_SUFFIXES = ('.desktop.in.in', '.desktop.in', '.metainfo.xml.in.in', '.metainfo.xml.in',
                 '.gschema.xml')
with open(os.path.join(root, 'po', 'POTFILES.in')) as f:
    listed = {l.strip() for l in f if l.strip() and not l.startswith('#')}

marked = set()
for top in ('libtensor', 'viewer', 'examples'):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        for name in files:
            path = os.path.join(dirpath, name)
            mark = MARK if name.endswith('.c') else UI_MARK if name.endswith('.ui') else None
            if mark:
                with open(path, encoding='utf-8') as f:
                    if mark.search(f.read()):
                        marked.add(os.path.relpath(path, root))
for name in os.listdir(os.path.join(root, 'data')):
    if name.endswith(DATA_SUFFIXES):
        marked.add(os.path.join('data', name))

problems = ['%s marks strings for translation but is not in po/POTFILES.in' % p
            for p in sorted(marked - listed)]
problems += ['po/POTFILES.in lists %s, which %s' %
             (p, 'has no marked strings' if os.path.exists(os.path.join(root, p))
              else 'does not exist') for p in sorted(listed - marked)]
for p in problems:
    print(p)
print('%d files with translatable strings, %d problems' % (len(marked), len(problems)))
sys.exit(1 if problems else 0)
