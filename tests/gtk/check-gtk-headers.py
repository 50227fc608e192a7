#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the public headers of libtensor-gtk as tests/check-headers.py
checks libtensor's: no private includes, the umbrella <libtensor-gtk.h>
includes every public header and nothing else, the SPDX line, #pragma
once and the "Only <libtensor-gtk.h>" guard everywhere, every function
exported with LT_GTK_AVAILABLE_IN_ALL (the generated enum header too).

Usage: check-gtk-headers.py SOURCE_DIR/viewer/gtk BUILD_DIR/viewer/gtk
"""

import importlib.util
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('check_headers',
                                              os.path.join(here, '..', 'check-headers.py'))
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

check.UMBRELLA = 'libtensor-gtk.h'
check.GENERATED = ('lt-gtk-enum-types.h',)
check.GUARD = re.compile(
    r'#if\s+!defined\s*\(\s*LT_GTK_INSIDE\s*\)\s*&&\s*!defined\s*\(\s*LT_GTK_COMPILATION\s*\)\s*\n'
    r'\s*#error\s+"Only <libtensor-gtk\.h> can be included directly\."\s*\n'
    r'\s*#endif')
check.DECORATOR = 'LT_GTK_AVAILABLE_IN_ALL'

if len(sys.argv) != 3:
    sys.exit(__doc__)
check.main()
