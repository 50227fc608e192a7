#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a UI test (the command line given) on a display: the one there is,
# or, without one, a fresh Xvfb server in its own D-Bus session, so that
# `meson test` runs the UI tests for real on a machine with no display.
# Without a display and without xvfb-run the test itself exits 77 (skip).
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$@"
fi
if command -v xvfb-run >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1; then
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -noreset" "$@"
fi
exec "$@"
