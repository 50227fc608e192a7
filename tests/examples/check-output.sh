#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs an example and checks what it prints.
#
#   check-output.sh [--expect TEXT]... -- CMD [ARG]...
#     CMD must exit 0 and its output (stdout and stderr) must contain every
#     TEXT, in the order given: each TEXT on the line of the previous one's
#     match or a later line.
#
#   check-output.sh --same -- CMD1 [ARG]... -- CMD2 [ARG]...
#     Both commands must exit 0 and print the same output.
set -u

die() { echo "check-output: $*" >&2; exit 1; }

expects=()
same=0
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) [ $# -ge 2 ] || die "--expect needs a text"; expects+=("$2"); shift 2 ;;
    --same) same=1; shift ;;
    --) shift; break ;;
    *) die "unknown option '$1'" ;;
  esac
done
[ $# -gt 0 ] || die "no command given"

# Runs "$@", keeps its output in $output, fails on a non-zero status.
run() {
  output=$("$@" 2>&1)
  local status=$?
  printf '%s\n' "$output"
  [ $status -eq 0 ] || die "'$*' exited with status $status"
}

if [ $same -eq 1 ]; then
  cmd1=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmd1+=("$1"); shift; done
  [ $# -gt 1 ] || die "--same needs two commands separated by --"
  shift
  run "${cmd1[@]}"; out1=$output
  run "$@"; out2=$output
  if [ "$out1" != "$out2" ]; then
    diff <(printf '%s\n' "$out1") <(printf '%s\n' "$out2") >&2
    die "'${cmd1[*]}' and '$*' print different output"
  fi
  echo "check-output: both commands print the same ${#out1} characters"
  exit 0
fi

run "$@"
line=1
for text in "${expects[@]}"; do
  found=$(printf '%s\n' "$output" | tail -n "+$line" | grep -n -F -m 1 -e "$text" | cut -d: -f1)
  [ -n "$found" ] || die "no line containing '$text' (at or after line $line)"
  line=$((line + found - 1))
done
echo "check-output: all ${#expects[@]} expected texts found in order"
