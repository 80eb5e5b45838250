#!/usr/bin/env bash
# What adversarial tries found: non-regular files as sources, fmt on
# folders, links and modes, paths too long for the file system, SIGTERM
# during a run, and bad entries in data folders.
# Usage: hardening.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

# --- only regular files are read as sources, and never more than 16 MiB ---
imports() {  # imports NAME TARGET: a project importing TARGET stops at once with E0201 and a reason
  printf 'import "%s"\nproject "p" {}\n' "$2" >"$work/imp.edl"
  expect "import of $1" 1 timeout 20 "$edlc" check "$work/imp.edl"
  contains "import of $1 is E0201" err "error[E0201]: cannot read imported file"
}
imports /dev/zero /dev/zero
contains "/dev/zero is not a regular file" err "it is not a regular file"
imports "a folder" "."
mkfifo "$work/fifo.edl"
imports "a FIFO (would block)" "$work/fifo.edl"
imports /proc/self/mem /proc/self/mem
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$work/huge.edl"
imports "a 17 MiB file" "$work/huge.edl"
contains "the size limit is named" err "larger than 16 MiB"
expect "fmt --stdout /dev/zero" 1 timeout 20 "$edlc" fmt --stdout /dev/zero
contains "fmt says why" err "cannot read file '/dev/zero': it is not a regular file"
expect "check of a folder" 1 "$edlc" check "$work"
contains "check of a folder says why" err "it is not a regular file"

# --- fmt: folders, links, permissions, diffs ---
mkdir -p "$work/tree/sub" "$work/empty"
printf 'project "p" {seed=1}\n' >"$work/tree/sub/a.edl"
printf 'project "q" {\n  seed = 2\n}\n' >"$work/tree/b.edl"
chmod 640 "$work/tree/sub/a.edl"
ln -s sub/a.edl "$work/tree/link.edl"
expect "fmt --check of a folder finds the unformatted file" 1 "$edlc" fmt --check "$work/tree"
contains "it prints a unified diff" out '-project "p" {seed=1}'
contains "with the new text" out '+  seed = 1'
contains "and a hunk header" out '@@ -1,1 +1,3 @@'
expect "fmt of a folder without .edl files" 1 "$edlc" fmt "$work/empty"
contains "says there is none" err "no .edl file under"
expect "fmt through a link" 0 "$edlc" fmt "$work/tree/link.edl"
if [ -L "$work/tree/link.edl" ]; then pass=$((pass + 1)); else echo "FAIL fmt replaced the link"; failures=$((failures + 1)); fi
contains "the target is formatted" tree/sub/a.edl "  seed = 1"
if [ "$(stat -c %a "$work/tree/sub/a.edl")" = 640 ]; then pass=$((pass + 1)); else
  echo "FAIL fmt changed the mode to $(stat -c %a "$work/tree/sub/a.edl")"; failures=$((failures + 1)); fi
expect "fmt --check of the folder now passes" 0 "$edlc" fmt --check "$work/tree"

# --- a path no file system can hold is a diagnostic, not exit 3 ---
long=$(printf 'x%.0s' $(seq 300))
printf 'project "p" { store = "%s.db" }\n' "$long" >"$work/long.edl"
for cmd in check plan runs; do
  expect "$cmd with a 300-byte store name" 1 "$edlc" $cmd "$work/long.edl"
  contains "$cmd says E0510" err "error[E0510]"
done

# --- SIGTERM is Ctrl-C: the run is recorded as interrupted and resumes ---
cat >"$work/term.edl" <<EDL
project "term" {
  seed  = 3
  store = "runs/store.db"
}
dataset digits {
  source = image_folder("$src/data/digits")
  image  = { size = 16x16, channels = 1 }
}
model net { backbone = cnn(channels = [8]) }
train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = 0.05, momentum = 0.9)
  epochs    = 40
}
EDL
db="$work/runs/store.db"
"$edlc" run "$work/term.edl" >"$work/term.out" 2>"$work/term.err" &
pid=$!
for _ in $(seq 600); do  # until the first epoch is recorded (at most 60 s)
  [ "$(sql "$db" "SELECT COUNT(*) FROM metrics")" -gt 0 ] 2>/dev/null && break
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 143 ]; then pass=$((pass + 1)); else echo "FAIL SIGTERM: exit $rc, wanted 143"; failures=$((failures + 1)); fi
contains "says how to resume" term.err "is recorded as interrupted"
expect_sql "the run is interrupted" "$db" "SELECT status FROM runs" "interrupted"
expect "the next run resumes it" 0 "$edlc" run --quiet "$work/term.edl"
expect_sql "the same run, now done" "$db" "SELECT COUNT(*) || ' ' || MAX(status) FROM runs" "1 done"
expect_sql "every epoch once" "$db" "SELECT COUNT(DISTINCT epoch) || '/' || COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id
  WHERE t.name = 'train:main' AND m.name = 'val.accuracy'" "40/40"
# checkpoint.keep defaults to 1: 40 epochs leave the last epoch's files and
# the best epoch's model.pt, not 40 checkpoints; the store lists what is there.
check_files() {  # check_files NAME GOT WANTED
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: $2, wanted $3"; failures=$((failures + 1)); fi
}
check_files "one epoch checkpoint kept" "$(ls "$work"/runs/artifacts/run-1/main/ | grep -c '^epoch-.*\.pt$')" 1
check_files "and model.pt" "$(ls "$work"/runs/artifacts/run-1/main/ | grep -c '^model\.pt$')" 1
expect_sql "the store lists only the kept checkpoint" "$db" "SELECT COUNT(*) || ' ' || MAX(epoch) FROM artifacts WHERE kind = 'checkpoint'" "1 40"
expect "runs show reports the disk the run's artifacts take" 0 "$edlc" runs show 1 "$work/term.edl"
contains "in MiB" out "  artifacts: "
sed -i 's/epochs    = 40/epochs    = 6\n  checkpoint = { every = 2, keep = all }/' "$work/term.edl"
expect "a run that keeps every checkpoint" 0 "$edlc" run --quiet "$work/term.edl"
check_files "keep = all keeps epochs 2, 4 and 6" "$(ls "$work"/runs/artifacts/run-2/main/ | grep '^epoch-.*\.pt$' | sort -V | tr '\n' ' ')" "epoch-2.pt epoch-4.pt epoch-6.pt "

# --- bad entries in a data folder are skipped with a reason; names that
# are not UTF-8 never break JSON output ---
mkdir -p "$work/bad/$(printf 'seven\xff')" "$work/bad/one"
cp "$src"/data/digits/7/*.png "$work/bad/$(printf 'seven\xff')/"
cp "$src"/data/digits/1/*.png "$work/bad/one/"
cp "$(ls "$src"/data/digits/1/*.png | head -1)" "$work/bad/one/$(printf 'name\xfe').png"
ln -s loop "$work/bad/loop"
ln -s nowhere.png "$work/bad/one/lost.png"
: >"$work/bad/one/empty.png"
printf 'project "p" {}\ndataset d { source = image_folder("bad"); image = { size = 8x8, channels = 1 } }\nmodel m { backbone = mlp(hidden = 4) }\ntrain t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n' >"$work/bad.edl"
expect "data of a folder with a loop, a dangling link, an empty file and non-UTF-8 names" 0 "$edlc" data --no-cache "$work/bad.edl"
contains "the loop is named" out "symbolic link loop"
contains "the dangling link is named" out "dangling symbolic link"
contains "the empty file is named" out "empty file"
expect "the same as JSON" 0 "$edlc" data --no-cache --format json "$work/bad.edl"
cp "$work/out" "$work/bad.json"
expect "the JSON is valid, the bad bytes replaced" 0 /usr/bin/python3 -c "
import json, sys
d = json.load(open('$work/bad.json'))
classes = d[0]['classes'] if isinstance(d, list) else d['datasets'][0]['classes']
sys.exit(0 if '\ufffd' in ''.join(classes) else 1)"

# --- one fresh store, opened by several runs at once ---
mkdir -p "$work/race"
for name in a b; do
  printf 'project "%s" { store = "shared/store.db" }\ndataset d { source = image_folder("%s/data/digits"); image = { size = 8x8, channels = 1 } }\nmodel m { backbone = mlp(hidden = 4) }\ntrain t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n' "$name" "$src" >"$work/race/$name.edl"
done
locked=0 both_ran=0 as_documented=0
for round in 1 2 3 4 5 6; do  # two projects creating one store: both run
  rm -rf "$work/race/shared"
  "$edlc" run --quiet "$work/race/a.edl" >"$work/race/1.out" 2>&1 & p1=$!
  "$edlc" run --quiet "$work/race/b.edl" >"$work/race/2.out" 2>&1 & p2=$!
  wait $p1 && wait $p2 && both_ran=$((both_ran + 1))
  grep -q "database is locked" "$work"/race/*.out && locked=$((locked + 1))
done
for round in 1 2 3 4; do  # one project twice at once: one runs; the other is refused, or runs after it
  rm -rf "$work/race/shared"
  "$edlc" run --quiet "$work/race/a.edl" >"$work/race/1.out" 2>&1 & p1=$!
  "$edlc" run --quiet "$work/race/a.edl" >"$work/race/2.out" 2>&1 & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  if { [ $((r1 + r2)) -eq 1 ] && grep -q "another 'edlc run' of this project is using the store" "$work"/race/*.out; } ||
     [ $((r1 + r2)) -eq 0 ]; then
    as_documented=$((as_documented + 1))
  fi
  grep -q "database is locked" "$work"/race/*.out && locked=$((locked + 1))
done
# While one run certainly works, a second of the same project is refused.
rm -rf "$work/race/shared"
sed 's/epochs = 1/epochs = 400/' "$work/race/a.edl" >"$work/race/long.edl"
"$edlc" run --quiet "$work/race/long.edl" >"$work/race/1.out" 2>&1 & p1=$!
for _ in $(seq 600); do
  [ "$(sql "$work/race/shared/store.db" "SELECT COUNT(*) FROM metrics")" -gt 0 ] 2>/dev/null && break
  sleep 0.1
done
expect "a second run of a running project is refused" 1 "$edlc" run --quiet "$work/race/long.edl"
contains "with the lock's reason" err "another 'edlc run' of this project is using the store"
kill -INT $p1
wait $p1
check_count() {  # check_count NAME GOT WANTED
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: $2, wanted $3"; failures=$((failures + 1)); fi
}
check_count "two projects creating one store at once both ran (rounds)" "$both_ran" 6
check_count "one project twice at once: as documented (rounds)" "$as_documented" 4
check_count "rounds that said 'database is locked'" "$locked" 0

echo "hardening: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
