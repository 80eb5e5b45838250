#!/usr/bin/env bash
# Search strategies end to end on real digits: gp trials, pbt (members copy
# the better members' weights and go on from there, perturbed), parallel
# trials that really overlap in time, and a wall-clock budget that stops
# starting trials.
# Usage: search_contract.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

# project NAME SEARCH: a small digits job searched by SEARCH.
project() {
  mkdir -p "$work/$1"
  cat >"$work/$1/p.edl" <<EDL
project "$1" {
  seed  = 11
  store = "runs/store.db"
}

dataset digits {
  source = image_folder("$src/data/digits")
  split  = { train = 80%, val = 20% }
  image  = { size = 16x16, channels = 1 }
}

model net {
  backbone = cnn(channels = [8])
}

space hp {
  lr = loguniform(0.001, 0.3)
}

train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = hp.lr, momentum = 0.9)
  epochs    = 6
  batch     = 32
  search    = $2
}
EDL
}

query() { sql "$work/$1/runs/store.db" "$2"; }  # query PROJECT SQL

check() { expect_sql "$1" "$work/$2/runs/store.db" "$3" "$4"; }  # check NAME PROJECT SQL WANTED

project gp "gp(objective = maximize(val.accuracy), trials = 8)"
expect "gp search" 0 "$edlc" run "$work/gp/p.edl"
contains "gp ran all its trials" out "trial 8/8"
check "gp: 8 finished trials" gp "SELECT COUNT(*) FROM trials WHERE status = 'done'" 8
check "gp: the best trial trains the final model" gp \
  "SELECT json_extract(outputs, '$.best_value') >= 0.95 FROM tasks WHERE name = 'trial:main'" 1

project pbt "pbt(population = 4, interval = 2, objective = maximize(val.accuracy), trials = 8)"
expect "pbt search" 0 "$edlc" run "$work/pbt/p.edl"
contains "pbt exploits" out "exploit: #5 replaces"
contains "pbt names its best member" out "best member #"
check "pbt: 4 members finish" pbt "SELECT COUNT(*) FROM trials WHERE status = 'done'" 4
check "pbt: every replaced member is recorded" pbt \
  "SELECT COUNT(*) = (SELECT COUNT(*) FROM trials) - 4 FROM trials WHERE status = 'exploited'" 1
check "pbt: lineage for each new member" pbt \
  "SELECT json_array_length(outputs, '$.lineage') = (SELECT COUNT(*) FROM trials) - 4 FROM tasks WHERE name = 'trial:main'" 1
# A new member starts after the epoch it copied: no earlier epochs of its
# own, and its first epoch is as good as the copied weights were (a model
# trained from scratch for one epoch would not be), within one epoch's noise.
lineage=$(query pbt "SELECT json_extract(outputs, '$.lineage[0].trial') || ' ' || json_extract(outputs, '$.lineage[0].copies') || ' ' || json_extract(outputs, '$.lineage[0].epoch') FROM tasks WHERE name = 'trial:main'")
read -r child parent at <<<"$lineage"
check "pbt: the copy starts after epoch $at" pbt \
  "SELECT MIN(m.epoch) FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.number = $child AND m.name = 'val.accuracy'" $((at + 1))
check "pbt: the copy goes on from the parent's accuracy" pbt \
  "SELECT (SELECT m.value FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.number = $child AND m.epoch = $((at + 1)) AND m.name = 'val.accuracy')
        >= (SELECT m.value FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.number = $parent AND m.epoch = $at AND m.name = 'val.accuracy') - 0.03" 1
check "pbt: the perturbed rate is the parent's times 0.8 or 1.2" pbt \
  "SELECT (SELECT ROUND(json_extract(c.params, '$.\"hp.lr\"') / json_extract(p.params, '$.\"hp.lr\"'), 6) FROM trials c, trials p WHERE c.number = $child AND p.number = $parent) IN (0.8, 1.2)" 1

project parallel "random(objective = maximize(val.accuracy), trials = 4, parallel = 2)"
expect "parallel search" 0 "$edlc" run "$work/parallel/p.edl"
contains "parallel says how the cores are shared" out "2 at a time, 1 thread(s) each"
check "parallel: 4 trials, numbers once each" parallel "SELECT COUNT(DISTINCT number) || '/' || COUNT(*) FROM trials" "4/4"
check "parallel: trials overlap in time" parallel \
  "SELECT COUNT(*) > 0 FROM trials a, trials b WHERE a.number < b.number AND a.started < b.finished AND b.started < a.finished" 1
check "parallel: no epoch recorded twice" parallel \
  "SELECT COUNT(*) FROM (SELECT 1 FROM metrics GROUP BY task_id, trial_id, epoch, name HAVING COUNT(*) > 1)" 0

project budget "random(objective = maximize(val.accuracy), trials = 200, budget = 2s)"
expect "budgeted search" 0 "$edlc" run "$work/budget/p.edl"
contains "the budget stops new trials" out "budget of 2 s spent: no more trials start"
ran=$(query budget "SELECT COUNT(*) FROM trials")
if [ "${ran:-0}" -ge 1 ] && [ "${ran:-0}" -lt 200 ]; then pass=$((pass + 1)); else
  echo "FAIL budget: $ran trials ran"
  failures=$((failures + 1))
fi

# An augmentation search: randaugment's magnitude is searched; the report
# puts the no-augmentation and trivialaugment baselines next to it.
project augment "tpe(objective = maximize(val.accuracy), trials = 4, proxy = { epochs = 2, subset = 50% })"
sed -i 's/^model net {/space aug {\n  m = int(0, 20)\n}\n\naugment policy {\n  randaugment(n = 1, m = aug.m)\n}\n\nmodel net {/; s/^  model     = net/  augment   = policy\n  model     = net/' "$work/augment/p.edl"
expect "augmentation search" 0 "$edlc" run "$work/augment/p.edl"
contains "baseline without augmentation" out "    none  "
contains "trivialaugment baseline" out "    trivialaugment  "
contains "the searched policy next to them" out "    searched  "
check "augment: baselines are trials after the searched ones" augment \
  "SELECT GROUP_CONCAT(number || ' ' || status, ', ') FROM trials WHERE number > 4" "5 baseline:none, 6 baseline:trivialaugment"
check "augment: the baselines train at the best values" augment \
  "SELECT json_extract(params, '$.\"aug.m\"') = (SELECT json_extract(outputs, '$.best.\"aug.m\"') FROM tasks WHERE name = 'trial:main') FROM trials WHERE number = 5" 1
check "augment: the report is in the store" augment \
  "SELECT json_type(outputs, '$.augment_baselines.trivialaugment') FROM tasks WHERE name = 'trial:main'" real
contains "the adoption is said" out "adopted for the final training: "
# The best of the three by the objective is what the final training used.
check "augment: the best of the three is adopted" augment \
  "SELECT CASE WHEN json_extract(o, '$.augment_baselines.none') > MAX(s, json_extract(o, '$.augment_baselines.trivialaugment')) THEN 'none'
               WHEN json_extract(o, '$.augment_baselines.trivialaugment') > MAX(s, json_extract(o, '$.augment_baselines.none')) THEN 'trivialaugment'
               ELSE 'searched' END = json_extract(o, '$.augment_adopted')
   FROM (SELECT outputs AS o, json_extract(outputs, '$.augment_baselines.searched') AS s FROM tasks WHERE name = 'trial:main')" 1
check "augment: the final training used it" augment \
  "SELECT json_extract(t.outputs, '$.augment') = CASE json_extract(s.outputs, '$.augment_adopted') WHEN 'searched' THEN 'policy'
                                                   ELSE json_extract(s.outputs, '$.augment_adopted') END
   FROM tasks t, tasks s WHERE t.name = 'train:main' AND s.name = 'trial:main'" 1
expect "runs show the augmentation report" 0 "$edlc" runs show 1 "$work/augment/p.edl"
contains "runs show lists the baselines" out "augmentation: none "

# space = limits the search to the spaces named; the others keep their defaults.
project spaces "random(objective = maximize(val.accuracy), trials = 2, space = hp)"
sed -i 's/^model net {/space other {\n  momentum = uniform(0.5, 0.9)\n}\n\nmodel net {/; s/momentum = 0.9)/momentum = other.momentum)/' "$work/spaces/p.edl"
expect "search limited to one space" 0 "$edlc" run "$work/spaces/p.edl"
if grep -qx "search main: random over hp.lr" "$work/out"; then pass=$((pass + 1)); else
  echo "FAIL only hp is searched"
  failures=$((failures + 1))
fi
check "spaces: trials carry only hp" spaces "SELECT COUNT(*) FROM trials WHERE params LIKE '%other.momentum%'" 0
# Without a proxy the best trial ran the final recipe: its weights are the
# final model, which is not trained a second time, and the run says so.
contains "the best trial's weights are the final model" out "trained this very recipe (no proxy, every epoch, the whole training split)"
check "spaces: the final training names the trial it took" spaces \
  "SELECT json_extract(t.outputs, '$.from_trial') = json_extract(s.outputs, '$.final_from_trial.trial') FROM tasks t, tasks s
   WHERE t.name = 'train:main' AND s.name = 'trial:main'" 1
check "spaces: and trained no epoch itself" spaces \
  "SELECT COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:main'" 0
check "spaces: its evaluation equals that trial's best epoch" spaces \
  "SELECT ROUND(e.v, 6) = ROUND(b.v, 6) FROM
     (SELECT json_extract(outputs, '$.val.accuracy') AS v FROM tasks WHERE name = 'train:main') e,
     (SELECT MAX(m.value) AS v FROM metrics m JOIN trials tr ON tr.id = m.trial_id JOIN tasks s ON s.id = tr.task_id
      WHERE s.name = 'trial:main' AND m.name = 'val.accuracy'
        AND tr.number = (SELECT json_extract(outputs, '$.final_from_trial.trial') FROM tasks WHERE name = 'trial:main')) b" 1

# Trials that learn nothing (a learning rate near 0) are flagged, with numbers.
project chance "random(objective = maximize(val.accuracy), trials = 2, proxy = { epochs = 1 })"
sed -i 's/loguniform(0.001, 0.3)/loguniform(0.0000001, 0.0000002)/' "$work/chance/p.edl"
expect "a search whose trials stay at chance" 0 "$edlc" run "$work/chance/p.edl"
contains "it warns that the trials compared nothing" out "warning: every trial scored within noise of chance"
contains "with the numbers" out "chance 0.1000 on 10 classes, 359 validation samples"
check "chance: the warning is in the store" chance \
  "SELECT json_extract(outputs, '$.warning') LIKE 'every trial scored within noise of chance%' FROM tasks WHERE name = 'trial:main'" 1

project short "pbt(population = 4, interval = 2, objective = maximize(val.accuracy), trials = 3)"
expect "pbt with too few trials" 1 "$edlc" run "$work/short/p.edl"
contains "says why" err "pbt needs trials >= population (3 < 4)"

echo "search: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
