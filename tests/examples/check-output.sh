#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs an example and checks what it prints and the pictures it writes.
#
#   check-output.sh [--expect TEXT | --match REGEX]... [--png FILE]... -- CMD [ARG]...
#     CMD must exit 0 and its output (stdout and stderr) must contain every
#     TEXT (a fixed string) and match every REGEX (grep -E, whole line when
#     anchored with ^...$), in the order given: each on the line of the
#     previous one's match or a later line. Every FILE must then be a PNG
#     picture that CMD wrote.
#
#   check-output.sh --same -- CMD1 [ARG]... -- CMD2 [ARG]...
#     Both commands must exit 0, print the same output and write the same
#     files with the same bytes.
#
# Each command runs in a new empty folder, its working directory (relative
# paths in its arguments resolve there), removed afterwards.
set -u

die() { echo "check-output: $*" >&2; exit 1; }

checks=()
pngs=()
same=0
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) [ $# -ge 2 ] || die "--expect needs a text"; checks+=("F$2"); shift 2 ;;
    --match) [ $# -ge 2 ] || die "--match needs a regular expression"; checks+=("E$2"); shift 2 ;;
    --png) [ $# -ge 2 ] || die "--png needs a file name"; pngs+=("$2"); shift 2 ;;
    --same) same=1; shift ;;
    --) shift; break ;;
    *) die "unknown option '$1'" ;;
  esac
done
[ $# -gt 0 ] || die "no command given"

workdirs=()
cleanup() { [ ${#workdirs[@]} -eq 0 ] || rm -rf "${workdirs[@]}"; }
trap cleanup EXIT

# Runs "$@" in a new folder ($workdir), keeps its output in $output, fails
# on a non-zero status. A relative command path (meson gives the examples'
# so) is taken from the current folder.
run() {
  local cmd=$1
  shift
  case "$cmd" in
    /*) ;;
    */*) cmd=$PWD/$cmd ;;
  esac
  workdir=$(mktemp -d "${TMPDIR:-/tmp}/check-output.XXXXXX") || die "cannot make a folder"
  workdirs+=("$workdir")
  output=$(cd "$workdir" && "$cmd" "$@" 2>&1)
  local status=$?
  printf '%s\n' "$output"
  [ $status -eq 0 ] || die "'$*' exited with status $status"
}

if [ $same -eq 1 ]; then
  cmd1=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmd1+=("$1"); shift; done
  [ $# -gt 1 ] || die "--same needs two commands separated by --"
  shift
  run "${cmd1[@]}"; out1=$output; dir1=$workdir
  run "$@"; out2=$output; dir2=$workdir
  if [ "$out1" != "$out2" ]; then
    diff <(printf '%s\n' "$out1") <(printf '%s\n' "$out2") >&2
    die "'${cmd1[*]}' and '$*' print different output"
  fi
  diff -r "$dir1" "$dir2" >&2 || die "'${cmd1[*]}' and '$*' write different files"
  n_files=$(find "$dir1" -type f | wc -l)
  echo "check-output: both commands print the same ${#out1} characters and write the same $n_files files"
  exit 0
fi

run "$@"
line=1
for check in "${checks[@]}"; do
  kind=${check:0:1}
  text=${check:1}
  if [ "$kind" = F ]; then
    found=$(printf '%s\n' "$output" | tail -n "+$line" | grep -n -F -m 1 -e "$text" | cut -d: -f1)
    [ -n "$found" ] || die "no line containing '$text' (at or after line $line)"
  else
    found=$(printf '%s\n' "$output" | tail -n "+$line" | grep -n -E -m 1 -e "$text" | cut -d: -f1)
    [ -n "$found" ] || die "no line matching /$text/ (at or after line $line)"
  fi
  line=$((line + found - 1))
done
for png in "${pngs[@]}"; do
  [ -f "$workdir/$png" ] || die "no picture $png was written"
  signature=$(head -c 8 "$workdir/$png" | od -An -tx1 | tr -d ' \n')
  [ "$signature" = 89504e470d0a1a0a ] || die "$png is not a PNG file"
done
echo "check-output: all ${#checks[@]} expected lines found in order; ${#pngs[@]} pictures written"
