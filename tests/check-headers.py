#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the public headers of libtensor.

- No public header includes a private (*-private.h) header.
- libtensor/libtensor.h includes every public header: every .h under
  libtensor/ that is not -private.h (and not the umbrella itself), plus the
  generated core/lt-enum-types.h and core/lt-version.h; and nothing else.
- Every public header (and the lt-version.h.in template) has the SPDX line,
  #pragma once, and, except the umbrella, the "Only <libtensor.h> can be
  included directly" guard.
- Every function declaration in a public header (including those inside
  macros that declare functions, and G_DECLARE_*_TYPE) is preceded by
  LT_AVAILABLE_IN_ALL.

Usage: check-headers.py [SOURCE_DIR/libtensor [BUILD_DIR/libtensor]]
With a build directory, the generated headers are checked for
LT_AVAILABLE_IN_ALL too. Exits 1 and lists every problem when one is found.
"""

import os
import re
import sys

UMBRELLA = 'libtensor.h'
GENERATED = ('core/lt-enum-types.h', 'core/lt-version.h')
SPDX = '/* SPDX-License-Identifier: LGPL-2.1-or-later */'
GUARD = re.compile(r'#if\s+!defined\s*\(\s*LT_INSIDE\s*\)\s*&&\s*!defined\s*\(\s*LT_COMPILATION\s*\)\s*\n'
                   r'\s*#error\s+"Only <libtensor\.h> can be included directly\."\s*\n'
                   r'\s*#endif')
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
DECORATOR = 'LT_AVAILABLE_IN_ALL'
# Macros that declare exported functions and need the decorator in front
DECLARE_MACROS = ('G_DECLARE_FINAL_TYPE', 'G_DECLARE_DERIVABLE_TYPE', 'G_DECLARE_INTERFACE')

problems = []


def problem(path, message):
    problems.append('{}: {}'.format(path, message))


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def split_preprocessor(text):
    """Returns (code without preprocessor lines, [bodies of #defines])."""
    code, defines = [], []
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith('#'):
            directive = line
            while directive.endswith('\\') and i + 1 < len(lines):
                i += 1
                directive = directive[:-1] + ' ' + lines[i]
            m = re.match(r'\s*#\s*define\s+\w+(\([^)]*\))?\s*(.*)', directive)
            if m:
                defines.append(m.group(2))
            code.append('')
        else:
            code.append(line)
        i += 1
    return '\n'.join(code), defines


TOKEN = re.compile(r'[A-Za-z_]\w*|##|\S')


def statements(code):
    """Splits top-level C code into statements: up to a ';' outside
    parentheses and braces, after a closing brace of a function body, or
    after the argument list of a bare macro invocation (NAME (...))."""
    code = code.replace('G_BEGIN_DECLS', ' ').replace('G_END_DECLS', ' ')
    tokens = TOKEN.findall(code)
    out, cur, paren, brace = [], [], 0, 0
    for tok in tokens:
        cur.append(tok)
        if tok == '(':
            paren += 1
        elif tok == ')':
            paren -= 1
            if paren == 0 and brace == 0:
                # NAME (...) or LT_AVAILABLE_IN_ALL NAME (...): a macro call
                heads = [t for t in cur[:cur.index('(')] if t != DECORATOR]
                if len(heads) == 1 and heads[0].isupper():
                    out.append(cur)
                    cur = []
        elif tok == '{':
            brace += 1
        elif tok == '}':
            brace -= 1
            if brace == 0 and paren == 0 and cur and cur[0] == 'static':
                out.append(cur)
                cur = []
        elif tok == ';' and paren == 0 and brace == 0:
            out.append(cur)
            cur = []
    if any(t.strip() for t in cur):
        out.append(cur)
    return out


def check_declarations(path, text):
    code, defines = split_preprocessor(strip_comments(text))
    for stmt in statements(code):
        if not stmt or stmt[0] in ('typedef', 'struct', 'enum', 'union', 'static', 'extern'):
            if stmt and stmt[0] == 'extern':
                problem(path, 'a bare extern declaration: {}'.format(' '.join(stmt[:6])))
            continue
        if '(' not in stmt:
            continue
        first_paren = stmt.index('(')
        name = stmt[first_paren - 1] if first_paren > 0 else ''
        if name in DECLARE_MACROS:
            if DECORATOR not in stmt[:first_paren]:
                problem(path, '{} ({}) is not preceded by {}'.format(
                    name, stmt[first_paren + 1] if len(stmt) > first_paren + 1 else '', DECORATOR))
            continue
        if name.isupper():
            continue   # a macro that declares nothing exported, e.g. G_DEFINE_AUTOPTR_CLEANUP_FUNC
        if not re.match(r'[A-Za-z_]\w*$', name):
            continue
        if stmt[0] != DECORATOR:
            problem(path, 'the function {} is not preceded by {}'.format(name, DECORATOR))

    # Function declarations inside macro bodies (LT_DECLARE_BINARY, ...):
    # a type name before an lt_ name and its parameter list
    for body in defines:
        for piece in body.split(';'):
            for m in re.finditer(r'([A-Za-z_]\w*)\s*\**\s*((?:lt|_lt)_[\w#]*)\s*\(', piece):
                if m.group(1) in ('return', 'sizeof'):
                    continue
                if DECORATOR not in piece[:m.start()]:
                    problem(path, 'the function {} declared in a macro is not preceded by {}'.format(
                        m.group(2), DECORATOR))


def public_headers(libdir):
    found = []
    for root, dirs, files in os.walk(libdir):
        dirs.sort()
        for f in sorted(files):
            if (f.endswith('.h') or f.endswith('.h.in')) and not f.endswith('-private.h'):
                found.append(os.path.relpath(os.path.join(root, f), libdir))
    return found


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    libdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'libtensor')
    builddir = sys.argv[2] if len(sys.argv) > 2 else None
    libdir = os.path.normpath(libdir)

    headers = public_headers(libdir)
    if UMBRELLA not in headers:
        problem(UMBRELLA, 'missing')
        report()

    expected = set()
    for h in headers:
        if h == UMBRELLA:
            continue
        expected.add(h[:-3] if h.endswith('.h.in') else h)
    expected.update(GENERATED)

    for h in headers:
        path = os.path.join(libdir, h)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        lines = text.split('\n')

        if not lines or lines[0].strip() != SPDX:
            problem(h, 'the first line is not "{}"'.format(SPDX))
        if not re.search(r'^#pragma once\s*$', text, re.M):
            problem(h, 'no "#pragma once"')
        if h != UMBRELLA and not GUARD.search(text):
            problem(h, 'no "Only <libtensor.h> can be included directly" guard '
                       '(#if !defined(LT_INSIDE) && !defined(LT_COMPILATION) ... #error ... #endif)')
        for inc in INCLUDE.findall(text):
            if inc.endswith('-private.h'):
                problem(h, 'includes the private header {}'.format(inc))
        check_declarations(h, text)

    # The umbrella lists every public header, once, and nothing else
    with open(os.path.join(libdir, UMBRELLA), encoding='utf-8') as f:
        umbrella = f.read()
    included = [inc for inc in INCLUDE.findall(umbrella) if not inc.startswith(('glib', 'gio'))]
    seen = set()
    for inc in included:
        if inc in seen:
            problem(UMBRELLA, 'includes {} twice'.format(inc))
        seen.add(inc)
        if inc not in expected:
            problem(UMBRELLA, 'includes {}, which is not a public header'.format(inc))
    for h in sorted(expected - seen):
        problem(UMBRELLA, 'does not include the public header {}'.format(h))

    # Generated headers: exported functions are decorated
    if builddir:
        for g in GENERATED:
            path = os.path.join(builddir, g)
            if not os.path.exists(path):
                problem(g, 'not generated in {}'.format(builddir))
                continue
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if not re.search(r'^#pragma once\s*$', text, re.M):
                problem(g, 'no "#pragma once"')
            for inc in INCLUDE.findall(text):
                if inc.endswith('-private.h'):
                    problem(g, 'includes the private header {}'.format(inc))
            check_declarations(g, text)

    report()


def report():
    if problems:
        for p in problems:
            print(p)
        print('{} problem(s) in the public headers'.format(len(problems)))
        sys.exit(1)
    print('public headers: OK')
    sys.exit(0)


if __name__ == '__main__':
    main()
