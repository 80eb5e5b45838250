#!/usr/bin/env bash
# The workflow engine end to end on real digits: work already done is not
# repeated (a second run executes nothing; editing the augment block or
# adding an image reruns exactly what depends on it, and `edlc plan` says
# so beforehand); failed tasks are retried with backoff, their attempts'
# errors and logs kept; over the limit the run fails and nothing downstream
# runs; a user error is not retried; a SIGKILL during the data load is
# resumed; two train jobs run side by side.
# Usage: workflow.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"
mkdir -p "$work/data"
cp -r "$src/data/digits" "$work/data/digits"

# project NAME EXTRA_PROJECT_LINES AUGMENT_LINE [DATA]: a small digits job.
project() {
  mkdir -p "$work/$1"
  cat >"$work/$1/p.edl" <<EDL
project "$1" {
  seed  = 3
  store = "runs/store.db"
  $2
}

dataset digits {
  source   = image_folder("${4:-$work/data/digits}")
  split    = { train = 80%, val = 20% }
  image    = { size = 16x16, channels = 1 }
  on_error = fail
}

augment light {
  $3
}

model net {
  backbone = cnn(channels = [8])
}

train main {
  data      = digits
  augment   = light
  model     = net
  optimizer = sgd(lr = 0.03, momentum = 0.9)
  epochs    = 2
  batch     = 32
}
EDL
}

query() { sql "$work/$1/runs/store.db" "$2"; }  # query PROJECT SQL

check() { expect_sql "$1" "$work/$2/runs/store.db" "$3" "$4"; }  # check NAME PROJECT SQL WANTED

statuses="SELECT GROUP_CONCAT(name || '=' || status, ' ') FROM (SELECT name, status FROM tasks WHERE run_id = (SELECT MAX(id) FROM runs) ORDER BY id)"

# --- idempotency
project same "" "rotate(degrees = uniform(-10, 10))"
expect "first run" 0 "$edlc" run "$work/same/p.edl"
expect "plan after the first run" 0 "$edlc" plan "$work/same/p.edl"
contains "plan: everything cached" out "3 cached, 0 to run"
expect "second run" 0 "$edlc" run "$work/same/p.edl"
check "second run executes nothing" same "$statuses" "load:digits=cached train:main=cached evaluate:main=cached"
check "no attempt in the second run" same \
  "SELECT COUNT(*) FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.run_id = 2" 0
sed -i 's/uniform(-10, 10)/uniform(-15, 15)/' "$work/same/p.edl"
expect "plan after editing the augment block" 0 "$edlc" plan "$work/same/p.edl"
contains "plan: the load stays cached" out "cached (run 1)"
contains "plan: training and evaluation will run" out "1 cached, 2 to run"
expect "run after editing the augment block" 0 "$edlc" run "$work/same/p.edl"
check "only what depends on the augment block reran" same "$statuses" \
  "load:digits=cached train:main=done evaluate:main=done"
cp "$work/data/digits/0/$(ls "$work/data/digits/0" | head -1)" "$work/data/digits/0/extra-copy.png"
expect "run after adding an image" 0 "$edlc" run "$work/same/p.edl"
check "a new image reloads the data and retrains" same "$statuses" \
  "load:digits=done train:main=done evaluate:main=done"
contains "the new image is counted" out "1798 samples"
rm "$work/data/digits/0/extra-copy.png"

# --- retries with backoff
project retry "workflow = { retries = 3, backoff = 1s }" "flip_horizontal()"
EDL_FAIL_TASK="train:main=2" expect "two failures, then success" 0 "$edlc" run "$work/retry/p.edl"
contains "the first failure is retried after 1 s" out "train:main: attempt 1 failed (injected failure 1 of 2 (EDL_FAIL_TASK)); retrying in 1 s"
contains "the second after 2 s" out "attempt 2 failed (injected failure 2 of 2 (EDL_FAIL_TASK)); retrying in 2 s"
check "three attempts recorded" retry \
  "SELECT GROUP_CONCAT(a.attempt || ':' || a.status, ' ') FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.name = 'train:main'" \
  "1:failed 2:failed 3:done"
check "the backoff was waited" retry \
  "SELECT (SELECT started FROM attempts WHERE attempt = 3) - (SELECT finished FROM attempts WHERE attempt = 1) >= 3.0" 1
check "one task row, attempt 3" retry "SELECT COUNT(*) || ':' || MAX(attempt) FROM tasks WHERE name = 'train:main'" "1:3"
expect "runs show --task" 0 "$edlc" runs show 1 "$work/retry/p.edl" --task train:main
contains "attempt errors shown" out "attempt 1: failed"
contains "attempt log shown" out "    | epoch 2/2: train loss"

project limit "workflow = { retries = 1, backoff = 1s }" "flip_horizontal()"
EDL_FAIL_TASK="train:main=5" expect "over the retry limit" 1 "$edlc" run "$work/limit/p.edl"
contains "says the task failed after its attempts" err "train:main failed after 2 attempts (injected failure 2 of 5 (EDL_FAIL_TASK))"
contains "says where to look" err "edlc runs show 1 --task train:main"
contains "downstream is skipped" out "skip evaluate:main: train:main did not succeed"
check "evaluation never ran" limit "SELECT COUNT(*) FROM tasks WHERE name = 'evaluate:main'" 0
check "the run failed" limit "SELECT status FROM runs" failed

# --- a user error is not retried
mkdir -p "$work/bad/0" "$work/bad/1"
cp "$work/data/digits/0/"*.png "$work/bad/0/"
cp "$work/data/digits/1/"*.png "$work/bad/1/"
printf 'not a png' >"$work/bad/1/broken.png"
project baddata "workflow = { retries = 3, backoff = 1s }" "flip_horizontal()" "$work/bad"
expect "bad data under on_error = fail" 1 "$edlc" run "$work/baddata/p.edl"
contains "the bad file is named" err "broken.png"
contains "as a diagnostic of the catalogue" err "error[E0810]"
check "no retry of a user error" baddata "SELECT COUNT(*) FROM attempts" 1

# --- SIGKILL during the data load, then resume
project crash "" "flip_horizontal()"
rm -rf "$work/crash-data" && cp -r "$work/data/digits" "$work/crash-data"
sed -i "s|$work/data/digits|$work/crash-data|" "$work/crash/p.edl"
# The load task holds 30 s once its row is open (a test hook), so the kill
# lands inside it.
EDL_DELAY_TASK="load:digits=30" "$edlc" run "$work/crash/p.edl" >"$work/crash.out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [ "$(query crash "SELECT status FROM tasks WHERE name = 'load:digits'")" = "running" ] && break
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
expect "resumed after a kill during the load" 0 "$edlc" run "$work/crash/p.edl"
check "one run" crash "SELECT COUNT(*) FROM runs" 1
contains "the same run is resumed" out "resume run 1 "
check "every task once, all done" crash "$statuses" "load:digits=done train:main=done evaluate:main=done"
check "no epoch recorded twice" crash \
  "SELECT COUNT(*) FROM (SELECT 1 FROM metrics GROUP BY task_id, trial_id, epoch, name HAVING COUNT(*) > 1)" 0
accuracy="SELECT printf('%.6f', json_extract(outputs, '$.metrics.accuracy')) FROM tasks WHERE name = 'evaluate:main' AND status = 'done' ORDER BY id DESC LIMIT 1"
resumed=$(query crash "$accuracy")
expect "an uninterrupted run of the same project" 0 "$edlc" run --fresh --quiet "$work/crash/p.edl"
check "the resumed run's result equals the uninterrupted one's" crash "$accuracy" "$resumed"

# --- two train jobs: side by side with parallel = 2; one at a time, the
# higher priority first, with parallel = 1
pair() {  # pair NAME PARALLEL
  project "$1" "workflow = { parallel = $2 }" "flip_horizontal()"
  cat >>"$work/$1/p.edl" <<'EDL'

train second {
  data      = digits
  model     = net
  optimizer = sgd(lr = 0.03, momentum = 0.9)
  epochs    = 3
  batch     = 32
  priority  = 5
}
EDL
  expect "two train jobs, parallel = $2" 0 "$edlc" run "$work/$1/p.edl"
}
pair pair 2
check "both trainings overlap in time" pair \
  "SELECT a.started < b.finished AND b.started < a.finished FROM tasks a, tasks b WHERE a.name = 'train:main' AND b.name = 'train:second'" 1
pair serial 1
check "one at a time, the higher priority first" serial \
  "SELECT (SELECT finished FROM tasks WHERE name = 'evaluate:second') <= (SELECT started FROM tasks WHERE name = 'train:main')" 1

echo "workflow: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
