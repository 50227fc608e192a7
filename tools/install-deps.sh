#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what libtensor needs to build and test on Debian 12 (run as root).
set -eu

packages="
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libglib2.0-dev libglib2.0-bin libgirepository1.0-dev gobject-introspection gi-docgen
  libopenblas-dev
  python3 python3-gi python-gi-dev python3-numpy python3-torch
  gjs
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
