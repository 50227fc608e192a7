#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails when gi-docgen finds an undocumented public symbol in the GIR.

gi-docgen check prints warnings but always exits 0; this turns its warnings
into a failing test. Usage: check-docs.py Lt-1.0.gir [GI-DOCGEN OPTIONS...]
(for instance --add-include-path=BUILD/libtensor for a GIR that includes
Lt-1.0).
"""
import shutil
import subprocess
import sys

if len(sys.argv) < 2:
    sys.exit("usage: check-docs.py GIR [GI-DOCGEN OPTIONS...]")
exe = shutil.which("gi-docgen")
if exe is None:
    print("gi-docgen is not installed (apt-get install gi-docgen); cannot check the docs")
    sys.exit(77)
run = subprocess.run([exe, "check"] + sys.argv[2:] + [sys.argv[1]], capture_output=True,
                     text=True)
out = run.stdout + run.stderr
warnings = [line for line in out.splitlines() if "WARNING" in line]
for line in warnings:
    print(line)
print(f"{len(warnings)} undocumented symbols or parameters")
sys.exit(1 if warnings or run.returncode != 0 else 0)
