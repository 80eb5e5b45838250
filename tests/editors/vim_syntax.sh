#!/usr/bin/env bash
# Checks editors/vim: a .edl file gets filetype edl, and each token class its
# syntax group. Usage: vim_syntax.sh SOURCE_DIR (skips, exit 0, without vim)
set -euo pipefail
src="$1"
if ! command -v vim >/dev/null 2>&1; then
  echo "vim not installed: skipped"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/t.edl" <<'EDL'
/// doc comment
project "p" { seed = 1_000 }
dataset d { split = { train = 80%, val = 20% }; image = { size = 32x32 } }
op f(k: float) = x^2 * k
train t { budget = 30m; stop = val.accuracy >= 0.9 and not x; s = "a\qb" }
augment a { maybe(p = 0.5) { rotate(degrees = 1e-3) } }
// plain comment
EDL
# line:col:expected-group
expectations=(
  "1:1:edlDocComment" "2:1:edlDeclaration" "2:15:edlProperty" "2:22:edlNumber"
  "3:9:edlDeclName" "3:23:edlProperty" "3:31:edlPercent" "3:67:edlSize"
  "4:19:edlOperator" "4:10:edlParamType" "5:20:edlDuration" "5:36:edlMember" "5:53:edlLogical"
  "5:69:edlBadEscape" "6:13:edlControl" "6:30:edlCall" "6:47:edlNumber" "7:1:edlComment"
)
script="$work/probe.vim"
{
  echo "set nocompatible"
  echo "let &rtp = '$src/editors/vim,' . &rtp"
  echo "filetype on"
  echo "syntax on"
  echo "edit $work/t.edl"
  echo "let out = ['filetype=' . &filetype]"
  for e in "${expectations[@]}"; do
    IFS=: read -r l c g <<<"$e"
    echo "call add(out, '$l:$c:' . synIDattr(synID($l, $c, 1), 'name'))"
  done
  echo "call writefile(out, '$work/out')"
  echo "qa!"
} >"$script"
vim -Nu NONE -i NONE -n -es -S "$script" </dev/null >/dev/null 2>&1 || true
failures=0
grep -qx "filetype=edl" "$work/out" || { echo "FAIL: filetype is not edl"; failures=$((failures + 1)); }
for e in "${expectations[@]}"; do
  IFS=: read -r l c g <<<"$e"
  got=$(grep "^$l:$c:" "$work/out" | cut -d: -f3)
  if [ "$got" != "$g" ]; then
    echo "FAIL: line $l col $c is '$got', wanted '$g'"
    failures=$((failures + 1))
  fi
done
echo "$(( ${#expectations[@]} + 1 - failures )) passed, $failures failed"
[ "$failures" -eq 0 ]
