#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every translation in po/LINGUAS is complete for the sources as they are
now: the strings of every file po/POTFILES.in lists (C, .ui, the desktop
file, the metainfo and the settings schema) are extracted as
`ninja libtensor-pot` extracts them, merged into the language's .po, and
msgfmt --statistics must count no untranslated and no fuzzy message. Then
the merged desktop file and metainfo in the build folder must carry the
translations (so `LANGUAGE=zh_CN lt-viewer` is Chinese in the shell too).

Usage: check-translations.py SOURCE_ROOT BUILD_ROOT"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

root, build = sys.argv[1], sys.argv[2]
problems = []


def tool(name):
    path = shutil.which(name)
    if path is None:
        print('%s is missing: apt-get install gettext' % name)
        sys.exit(1)
    return path


xgettext, msgmerge, msgfmt, msgattrib = (tool(t) for t in
                                         ('xgettext', 'msgmerge', 'msgfmt', 'msgattrib'))
po_dir = os.path.join(root, 'po')
with open(os.path.join(po_dir, 'LINGUAS')) as f:
    languages = f.read().split()

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'libtensor.pot')
    # The keywords of meson's i18n 'glib' preset
    subprocess.run([xgettext, '--package-name=libtensor', '--from-code=UTF-8', '--add-comments',
                    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
                    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
                    '--keyword=g_dpgettext2:2c,3', '--flag=N_:1:pass-c-format',
                    '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
                    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
                    '--flag=g_string_printf:2:c-format', '--flag=g_set_error:4:c-format',
                    '-D', root, '-f', os.path.join(po_dir, 'POTFILES.in'), '-o', pot],
                   check=True)
    for lang in languages:
        po = os.path.join(po_dir, lang + '.po')
        merged = os.path.join(tmp, lang + '.po')
        subprocess.run([msgmerge, '--quiet', '-o', merged, po, pot], check=True)
        stats = subprocess.run([msgfmt, '-c', '--statistics', '-o', os.devnull, merged],
                               capture_output=True, text=True)
        line = (stats.stderr or stats.stdout).strip()
        print('%s: %s' % (lang, line))
        if stats.returncode != 0:
            problems.append('%s: msgfmt -c fails: %s' % (lang, line))
        if re.search(r'\d+ (untranslated|fuzzy)', line):
            for flag in ('--untranslated', '--only-fuzzy'):
                out = subprocess.run([msgattrib, flag, '--no-obsolete', merged],
                                     capture_output=True, text=True).stdout
                for m in re.finditer(r'\nmsgid "(.*)"', out):
                    if m.group(1):
                        problems.append('%s: %s: "%s"' % (lang, flag.strip('-'), m.group(1)))

    # The merged desktop file and metainfo carry every language
    desktop = glob.glob(os.path.join(build, 'data', '*.desktop'))
    metainfo = glob.glob(os.path.join(build, 'data', '*.metainfo.xml'))
    if not desktop or not metainfo:
        problems.append('no desktop file or metainfo in %s/data: build first' % build)
    for lang in languages:
        for path in desktop:
            with open(path, encoding='utf-8') as f:
                if 'Name[%s]=' % lang not in f.read():
                    problems.append('%s has no Name[%s]' % (path, lang))
        for path in metainfo:
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if 'xml:lang="%s"' % lang not in text and 'xml:lang="%s"' % lang.replace('_', '-') not in text:
                problems.append('%s has nothing in %s' % (path, lang))

for p in problems:
    print(p)
print('%d languages, %d problems' % (len(languages), len(problems)))
sys.exit(1 if problems else 0)
