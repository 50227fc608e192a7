#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what libtensor needs to build and test on Debian 12 (run as root),
# then a virtual environment .venv in the source root holding the reference
# `safetensors` package (from PyPI) on top of Debian's gi, numpy and torch.
# Quiet when everything is already there; safe to run again. lt-viewer
# needs GTK 4 and libadwaita; its tests a virtual X server (xvfb, xauth)
# with a session bus (dbus), desktop-file-utils and appstream to validate
# data/, and a font with Chinese glyphs for the zh_CN translation.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

# Everything the build, the tests and .ci/run use: a test never skips
# because something here is missing, it fails (tests/python/harness.py,
# tests/c/test-helpers.h), so CI needs all of it.
packages="
  git bash
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev clang-format valgrind
  libglib2.0-dev libglib2.0-bin libgirepository1.0-dev gobject-introspection gi-docgen
  libopenblas-dev
  libarchive-dev libsoup-3.0-dev libgdk-pixbuf-2.0-dev glib-networking
  libcairo2-dev
  libpango1.0-dev libgraphviz-dev fonts-dejavu-core fonts-wqy-microhei
  dataset-fashion-mnist
  gettext
  graphviz
  libopenmpi-dev openmpi-bin
  libgtk-4-dev libadwaita-1-dev
  xvfb xauth dbus desktop-file-utils appstream fonts-wqy-microhei
  python3 python3-dev python3-gi python-gi-dev python3-gi-cairo python3-numpy python3-venv
  python3-torch python3-torchvision python3-pil
  gjs
  libgtk-4-dev gir1.2-gtk-4.0 adwaita-icon-theme xvfb xauth dbus-daemon
"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi

# The safetensors interoperability tests run with .venv/bin/python when it
# exists. --system-site-packages keeps Debian's gi, numpy and torch (PyPI's
# torch wheels are gigabytes of CUDA libraries).
venv="$root/.venv"
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c 'import safetensors' >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input \
    --root-user-action=ignore safetensors
fi
