# Helpers the CLI contract scripts share; sourced after `set -uo pipefail`
# with $1 = EDLC and $2 = SOURCE_DIR. Counts checks in $pass and $failures;
# command output lands in $work/out and $work/err.
edlc="$1"
src="$2"
work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
failures=0
pass=0

expect() {  # expect NAME WANTED_RC COMMAND...
  local name="$1" want="$2"
  shift 2
  local started=$SECONDS
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  # CHECK_TIMES=1 shows where a contract spends its time.
  [ -z "${CHECK_TIMES:-}" ] || echo "[$((SECONDS - started)) s] $name" >&2
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, wanted $want"
    sed 's/^/  | /' "$work/err" | head -20
    failures=$((failures + 1))
  else
    pass=$((pass + 1))
  fi
}

contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$work/$2"; then pass=$((pass + 1)); else
    echo "FAIL $1: '$3' not in $2"
    sed 's/^/  | /' "$work/$2" | head -20
    failures=$((failures + 1))
  fi
}

sql() {  # sql DB QUERY: the first column of QUERY's first row in the SQLite file DB ('' if none)
  /usr/bin/python3 - "$1" "$2" <<'PY' 2>/dev/null
import sqlite3, sys
row = sqlite3.connect(sys.argv[1], timeout=60).execute(sys.argv[2]).fetchone()
print("" if row is None or row[0] is None else row[0])
PY
}

expect_sql() {  # expect_sql NAME DB QUERY WANTED
  local got
  got=$(sql "$2" "$3")
  if [ "$got" = "$4" ]; then pass=$((pass + 1)); else
    echo "FAIL $1: got '$got', wanted '$4'"
    failures=$((failures + 1))
  fi
}

wait_for_checkpoint() {  # wait_for_checkpoint DB PID: until DB records an epoch's checkpoint, PID ends, or 5 minutes pass
  local waited=0
  until [ "$(sql "$1" "SELECT EXISTS (SELECT 1 FROM artifacts WHERE kind = 'checkpoint' AND epoch >= 1)")" = "1" ]; do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 0.2
    waited=$((waited + 1))
    [ $waited -gt 1500 ] && return 0
  done
}

fashion_slice() {  # fashion_slice NAME FIRST COUNT: $work/NAME with COUNT Fashion-MNIST images per class, from the FIRST-th on (sorted), linked
  local class label
  for class in "$src"/data/fashion/*/; do
    label=$(basename "$class")
    mkdir -p "$work/$1/$label"
    ls "$class" | sort | sed -n "$2,$(($2 + $3 - 1))p" | while read -r f; do ln -s "$class$f" "$work/$1/$label/$f"; done
  done
}
