#!/usr/bin/env bash
# Resume after SIGKILL: a search (on a 90% proxy, so the final training is
# a training of its own) is killed while its third trial is running
# (two finished, the running one checkpointed); the second `edlc run`
# continues the same run, keeps the finished trials, continues the running
# one from its checkpoint, and ends with exactly `trials` trials and no
# duplicate rows. A second kill during the final training is resumed too.
# Usage: resume.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

cat >"$work/p.edl" <<EDL
project "resume" {
  seed  = 7
  store = "runs/store.db"
}

dataset digits {
  source = image_folder("$src/data/digits")
  split  = { train = 80%, val = 20% }
  image  = { size = 32x32, channels = 1 }
}

model net {
  backbone = cnn(channels = [8, 16])
}

space hp {
  lr = loguniform(0.001, 0.1)
}

train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = hp.lr, momentum = 0.9)
  epochs    = 6
  batch     = 32
  search    = random(objective = maximize(val.accuracy), trials = 4, proxy = { subset = 90% })
}
EDL
db="$work/runs/store.db"

query() { sql "$db" "$1"; }  # one value from the store ('' while it does not exist yet)

# kill_when SQL: runs edlc in the background and SIGKILLs it once SQL
# returns 1 (polled every 0.1 s, at most 300 s).
kill_when() {
  "$edlc" run "$work/p.edl" >"$work/killed.out" 2>&1 &
  local pid=$! waited=0
  while [ "$(query "$1")" != "1" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL edlc ended before the kill point"; failures=$((failures + 1)); return; fi
    sleep 0.1
    waited=$((waited + 1))
    [ "$waited" -gt 3000 ] && break
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  pass=$((pass + 1))
}

running_trial_checkpointed="SELECT (SELECT COUNT(*) FROM trials WHERE status = 'done') >= 2 AND EXISTS (
  SELECT 1 FROM artifacts a JOIN trials t ON t.id = a.trial_id WHERE t.status = 'running' AND a.kind = 'checkpoint')"
kill_when "$running_trial_checkpointed"
before=$(query "SELECT GROUP_CONCAT(number || ':' || value, ' ') FROM trials WHERE status = 'done' ORDER BY number")
echo "killed with trials done: $before"

expect "resumed search" 0 "$edlc" run "$work/p.edl"
contains "the same run continues" out "resume run 1 "
contains "finished trials are kept" out "(finished before)"
contains "the running trial continues from its checkpoint" out "continues after epoch"
contains "the final training ran" out "evaluate main on val"

check() { expect_sql "$1" "$db" "$2" "$3"; }  # check NAME SQL WANTED
check "one run" "SELECT COUNT(*) FROM runs" 1
check "the run is done" "SELECT status FROM runs" done
check "exactly 4 trials" "SELECT COUNT(*) FROM trials" 4
check "numbers 1..4 once each" "SELECT COUNT(DISTINCT number) || '/' || MIN(number) || '/' || MAX(number) FROM trials" "4/1/4"
check "every trial finished" "SELECT COUNT(*) FROM trials WHERE status NOT IN ('done', 'pruned')" 0
check "one task row per task" "SELECT COUNT(*) - COUNT(DISTINCT name) FROM tasks" 0
check "no epoch recorded twice" "SELECT COUNT(*) FROM (SELECT 1 FROM metrics GROUP BY task_id, trial_id, epoch, name HAVING COUNT(*) > 1)" 0
check "every trial has all its epochs" "SELECT COUNT(*) FROM (SELECT trial_id FROM metrics WHERE trial_id IS NOT NULL AND name = 'val.accuracy' GROUP BY trial_id HAVING COUNT(*) = 6)" 4
check "the trials task was attempted twice" "SELECT attempt FROM tasks WHERE name = 'trial:main'" 2
kept=$(query "SELECT GROUP_CONCAT(number || ':' || value, ' ') FROM (SELECT number, value FROM trials ORDER BY number LIMIT $(echo "$before" | wc -w))")
if [ "$kept" = "$before" ]; then pass=$((pass + 1)); else
  echo "FAIL finished trials changed: '$before' -> '$kept'"
  failures=$((failures + 1))
fi

values="SELECT GROUP_CONCAT(printf('%.4f', value), ' ') FROM (SELECT tr.value FROM trials tr JOIN tasks t ON t.id = tr.task_id
  WHERE t.run_id = (SELECT MAX(id) FROM runs) ORDER BY tr.number)"
resumed_values=$(query "$values")

# A second kill, in the final training after its second epoch; the rerun
# continues it, keeps the search, and the run ends with 6 epochs recorded.
rm -rf "$work/runs"
kill_when "SELECT EXISTS (SELECT 1 FROM artifacts a JOIN tasks t ON t.id = a.task_id
  WHERE t.name = 'train:main' AND t.status = 'running' AND a.kind = 'checkpoint' AND a.epoch >= 2)"
expect "resumed training" 0 "$edlc" run "$work/p.edl"
contains "the search is kept" out "trial:main: done before this run was stopped; kept"
contains "the training continues" out "train main: continues after epoch"
check "still one run" "SELECT COUNT(*) FROM runs" 1
check "still 4 trials" "SELECT COUNT(*) FROM trials" 4
check "final training has 6 epochs, once each" "SELECT COUNT(DISTINCT epoch) || '/' || COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:main' AND m.name = 'val.accuracy'" "6/6"
check "evaluated once" "SELECT COUNT(*) FROM tasks WHERE name = 'evaluate:main' AND status = 'done'" 1

# --fresh starts over; a finished run is never resumed.
expect "fresh run" 0 "$edlc" run --quiet --fresh "$work/p.edl"
check "a second run" "SELECT COUNT(*) FROM runs" 2
# Same seed, same data order, weights and optimizer state restored: the
# killed and resumed search found what an uninterrupted one finds.
check "resumed trials equal uninterrupted ones" "$values" "$resumed_values"

echo "resume: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
