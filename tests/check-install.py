#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`meson install` into a scratch DESTDIR, then Python and gjs use what was
installed, and nothing from the source tree:

- the Python overrides (gi/overrides/Lt.py and its private package _lt/,
  with its C methods _fast) land in the overrides folder and load from
  there;
- gi/js/lt.js lands in <datadir>/libtensor-1/js, where the pkg-config
  variable jsdir points, and a gjs program imports it by its file:// URI;
- the typelib and the library come from the install too.

    check-install.py MESON BUILD_DIR
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

MESON, BUILD = sys.argv[1], sys.argv[2]


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def run(cmd, env=None, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)
    if r.returncode != 0:
        fail('%s exited with %d:\n%s%s' % (' '.join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def installed_path(installed, dest, suffix):
    """Where the file whose source path ends with suffix is installed,
    inside dest."""
    hits = [dst for src, dst in installed.items() if src.endswith(suffix)]
    if len(hits) != 1:
        fail('meson introspect --installed lists %d files for %s' % (len(hits), suffix))
    path = dest + hits[0]
    if not os.path.isfile(path):
        fail('%s was not installed (%s is missing)' % (suffix, path))
    return path


with tempfile.TemporaryDirectory(prefix='lt-install-') as dest:
    # Without --no-rebuild: `meson test` builds only what tests depend on,
    # and the install needs every installed target (lt-viewer, ...). The
    # build runs without the sanitizer runtime a sanitized suite preloads.
    build_env = {k: v for k, v in os.environ.items() if k != 'LD_PRELOAD'}
    run([MESON, 'install', '-C', BUILD, '--destdir', dest, '--quiet'], env=build_env)
    installed = json.loads(run([MESON, 'introspect', '--installed', BUILD]))

    lt_py = installed_path(installed, dest, '/gi/overrides/Lt.py')
    overrides = os.path.dirname(lt_py)
    # The private package is installed as a folder: every module of the
    # source tree's package must be there.
    source_pkg = os.path.join(os.environ['LT_SOURCE_DIR'], 'gi', 'overrides', '_lt')
    modules = sorted(n for n in os.listdir(source_pkg) if n.endswith('.py'))
    if '__init__.py' not in modules or 'common.py' not in modules:
        fail('%s does not look like the overrides package' % source_pkg)
    for name in modules:
        if not os.path.isfile(os.path.join(overrides, '_lt', name)):
            fail('gi/overrides/_lt/%s was not installed beside Lt.py' % name)
    fast = [n for n in os.listdir(os.path.join(overrides, '_lt'))
            if n.startswith('_fast.') and n.endswith('.so')]
    if len(fast) != 1:
        fail('the C methods gi/overrides/_lt/_fast were not installed beside the package '
             '(found %s)' % fast)
    for name in ('meson.build', '_fast.c'):
        if os.path.exists(os.path.join(overrides, '_lt', name)):
            fail('gi/overrides/_lt/%s (a build file) was installed' % name)
    lt_js = installed_path(installed, dest, '/gi/js/lt.js')
    typelib = installed_path(installed, dest, '/Lt-1.0.typelib')
    library = [dest + d for s, d in installed.items() if d.endswith('/libtensor-1.so')]
    pc = installed_path(installed, dest, '/libtensor-1.pc')

    env = dict(os.environ)
    env['PYTHONPATH'] = os.path.dirname(os.path.dirname(overrides))   # holds gi/overrides
    env['GI_TYPELIB_PATH'] = os.path.dirname(typelib)
    env['LD_LIBRARY_PATH'] = os.path.dirname(library[0]) if library else ''
    env.pop('LT_SOURCE_DIR', None)
    env.pop('LT_PYTHON_NO_FAST', None)

    # Python: the installed overrides, and nothing from the source tree.
    out = run(['/usr/bin/python3', '-c', textwrap.dedent('''
        import gi
        gi.require_version('Lt', '1.0')
        from gi.repository import Lt
        import gi.overrides.Lt as ov
        import gi.overrides._lt.common as common
        print(ov.__file__)
        print(common.__file__)
        net = Lt.nn.Linear(2, 3)
        print(tuple(net(Lt.ones(4, 2)).shape))
        print(ov._fast.__file__ if ov._fast else None)
        print((2 - Lt.ones(2))[0].item())
        ''')], env=env, cwd=dest).split('\n')
    if out[0] != lt_py or os.path.dirname(out[1]) != os.path.join(overrides, '_lt'):
        fail('the overrides were loaded from %s and %s, not from the install (%s)'
             % (out[0], out[1], overrides))
    if out[2] != '(4, 3)':
        fail('the installed overrides computed %r, not (4, 3)' % out[2])
    if out[3] != os.path.join(overrides, '_lt', fast[0]):
        fail('the overrides\' C methods were loaded from %s, not from the install (%s)'
             % (out[3], os.path.join(overrides, '_lt', fast[0])))
    if out[4] != '1.0':
        fail('the installed C methods computed %r, not 1.0' % out[4])
    print('ok - Python loads the installed overrides from %s' % overrides)

    # pkg-config names the folder of lt.js.
    prefix = run(['pkg-config', '--variable=prefix', pc]).strip()
    jsdir = run(['pkg-config', '--define-variable=prefix=' + dest + prefix,
                 '--variable=jsdir', pc]).strip()
    if os.path.join(jsdir, 'lt.js') != lt_js:
        fail('pkg-config --variable=jsdir gives %s, but lt.js is %s' % (jsdir, lt_js))
    print('ok - pkg-config --variable=jsdir libtensor-1 names the folder of lt.js')

    # gjs: lt.js by its file:// URI.
    script = os.path.join(dest, 'use-lt.js')
    with open(script, 'w') as f:
        f.write(textwrap.dedent('''
            import Lt, {tensor, toArray} from 'file://%s';
            const x = tensor([[1, 2], [3, 4]], {dtype: Lt.DType.FLOAT32});
            print(JSON.stringify(toArray(x.mul(x))));
            ''' % lt_js))
    out = run(['gjs', '-m', script], env=env, cwd=dest).strip()
    if out != '[[1,4],[9,16]]':
        fail('gjs with the installed lt.js printed %r, not [[1,4],[9,16]]' % out)
    print('ok - gjs imports the installed lt.js from its file:// URI')
