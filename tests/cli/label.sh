#!/usr/bin/env bash
# Smart labeling end to end on scikit-learn's digits:
#  - a folder oracle: rounds, the random baseline and the full-label
#    reference run; the curve `runs show` prints and its JSON equal what the
#    rounds printed and recorded; every round labels what the one before
#    asked, nothing twice; the PNG curve is written; so do coreset's;
#  - a label budget (stop = labels >= 40) ends the asking at that round,
#    and the random baseline's rounds there too;
#  - SIGKILL in the middle of a round's training: the next run continues
#    that round from its checkpoint, asks nothing twice, and ends where an
#    uninterrupted run ends;
#  - a human oracle driven by this script: the run waits (exit 4) with a CSV
#    and contact sheet, a half-filled CSV is kept and asked again, a
#    malformed fill is refused row by row (exit 1) without touching the file,
#    and the filled rounds continue to the end.
# Usage: label.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

project() {  # project ORACLE STEPS: the test project on stdout
  cat <<EDL
project "label" {
  seed  = 5
  store = "runs/store.db"
}

dataset digits {
  source = image_folder("$src/data/digits")
  split  = { train = 80%, val = 20% }
  image  = { size = 16x16, channels = 1 }
}

model small {
  backbone = cnn(channels = [8, 16])
}

train recipe {
  data      = digits
  model     = small
  optimizer = adam(lr = 0.003)
  epochs    = 3
  batch     = 32
}

label smart {
  pool        = digits
  model       = recipe
  strategy    = margin
  seed_labels = 20
  batch       = 20
  rounds      = 4
  steps       = $2
  oracle      = $1
}
EDL
}

check() { expect_sql "$1" "$db" "$2" "$3"; }  # check NAME SQL WANTED

# Each strategy round labels exactly what the previous round labeled plus
# what it asked, with no file twice: printed "ok", else what is wrong.
rounds_consistent() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sqlite3, sys
db, run = sys.argv[1], int(sys.argv[2])
rows = sqlite3.connect(db).execute(
    "SELECT name, outputs FROM tasks WHERE run_id = ? AND name LIKE 'label:smart/%' AND name NOT LIKE '%random%' "
    "AND name != 'label:smart/full'", (run,)).fetchall()
rounds = sorted((json.loads(o) for _, o in rows), key=lambda o: o["round"])
problems = []
for before, after in zip(rounds, rounds[1:]):
    want = [f for f, _ in before["labeled"]] + [q["file"] for q in before["asked"]]
    got = [f for f, _ in after["labeled"]]
    if got != want: problems.append("round %d does not label round %d's labels plus its questions" % (after["round"], before["round"]))
last = [f for f, _ in rounds[-1]["labeled"]] if rounds else []
if len(last) != len(set(last)): problems.append("a file was labeled twice")
if len(rounds) != 4: problems.append("%d rounds recorded" % len(rounds))
print("; ".join(problems) or "ok")
PY
}

# --- a folder oracle ---------------------------------------------------------
mkdir -p "$work/folder"
project "folder(\"$src/data/digits\")" 150 >"$work/folder/p.edl"
cat >>"$work/folder/p.edl" <<EDL
deploy labeled {
  from    = smart
  targets = [torchscript()]
  package = "dist/labeled.tar.gz"
}
EDL
db="$work/folder/runs/store.db"
expect "folder-oracle run" 0 "$edlc" run "$work/folder/p.edl"
cp "$work/out" "$work/folder-run.out"
contains "round 1 printed" folder-run.out "label smart round 1: 20 labels"
contains "round 4 printed" folder-run.out "label smart round 4: 80 labels"
contains "baseline printed" folder-run.out "label smart random baseline round 4: 80 labels"
contains "reference printed" folder-run.out "label smart full-label reference: 1438 labels (100.0% of the pool)"
check "every round done" "SELECT COUNT(*) FROM tasks WHERE kind = 'label' AND status = 'done'" 8
got=$(rounds_consistent "$db" 1)
if [ "$got" = ok ]; then pass=$((pass + 1)); else echo "FAIL folder rounds: $got"; failures=$((failures + 1)); fi
[ -s "$work/folder/runs/artifacts/run-1/label/smart/curve.png" ] && pass=$((pass + 1)) ||
  { echo "FAIL no learning curve PNG"; failures=$((failures + 1)); }

# deploy from = LABEL packages the last round's model.
contains "the last round is packaged" folder-run.out "package: label smart's round 4 model (80 labels)"
manifest=$(tar xzf "$work/folder/dist/labeled.tar.gz" -O ./manifest.json | /usr/bin/python3 -c \
  "import json,sys; m=json.load(sys.stdin); print(m['label'], m['metrics_split'], '%.4f' % m['metrics']['accuracy'])")
round4=$(sql "$db" "SELECT printf('%.4f', json_extract(outputs, '\$.metric')) FROM tasks WHERE name = 'label:smart/4'")
if [ "$manifest" = "smart val $round4" ]; then pass=$((pass + 1)); else echo "FAIL manifest: '$manifest' (round 4: $round4)"; failures=$((failures + 1)); fi
expect "the package predicts" 0 "$edlc" predict "$work/folder/dist/labeled.tar.gz" "$src/data/digits/3/3_0001.png"

expect "runs show" 0 "$edlc" runs show 1 "$work/folder/p.edl"
contains "curve table" out "round    labels     pool     margin     random       full"
expect "runs show json" 0 "$edlc" runs show 1 "$work/folder/p.edl" --format json
cp "$work/out" "$work/show.json"
# The curve in the JSON equals the rounds' printed lines and their store rows.
same=$(/usr/bin/python3 - "$work/show.json" "$work/folder-run.out" "$db" <<'PY'
import json, re, sqlite3, sys
show = json.load(open(sys.argv[1]))
printed = {}
for line in open(sys.argv[2]):
    m = re.match(r"label smart (round|random baseline round) (\d+): (\d+) labels .* held-out accuracy ([0-9.]+)", line)
    if m: printed[(m.group(1) == "round", int(m.group(2)))] = (int(m.group(3)), float(m.group(4)))
stored = {json.loads(o)["round"]: json.loads(o)["metric"] for (o,) in sqlite3.connect(sys.argv[3]).execute(
    "SELECT outputs FROM tasks WHERE name LIKE 'label:smart/_'")}
full = [json.loads(o)["metric"] for (o,) in sqlite3.connect(sys.argv[3]).execute(
    "SELECT outputs FROM tasks WHERE name = 'label:smart/full'")][0]
rows = show["label_rounds"]
bad = [r for r in rows if printed.get((True, r["round"])) != (r["labels"], round(r["metric"], 4))
       or abs(stored[r["round"]] - r["metric"]) > 1e-12 or abs(r["full_metric"] - full) > 1e-12
       or (r["round"] > 1 and abs(printed[(False, r["round"])][1] - r["baseline_metric"]) > 5e-5)
       or abs(r["fraction"] - r["labels"] / 1438) > 1e-12]
print("ok" if len(rows) == 4 and not bad else "mismatch: %s" % bad)
PY
)
if [ "$same" = ok ]; then pass=$((pass + 1)); else echo "FAIL label_rounds: $same"; failures=$((failures + 1)); fi

# --- an inline pool: the held-out files are never in it ----------------------
mkdir -p "$work/inline"
project "folder(\"$src/data/digits\")" 20 | sed -e "s#pool        = digits#pool        = image_folder(\"$src/data/digits\")#" \
  -e 's/rounds      = 4/rounds      = 2/' -e 's/^  steps /  baseline = false\n  steps /' >"$work/inline/p.edl"
expect "inline pool" 0 "$edlc" run "$work/inline/p.edl"
contains "the pool is every file but the validation split's" out "full-label reference: 1438 labels (100.0% of the pool)"

# --- coreset: its rounds also label what the one before asked, nothing twice ---
mkdir -p "$work/coreset"
project "folder(\"$src/data/digits\")" 20 | sed -e 's/strategy    = margin/strategy    = coreset/' \
  -e 's/^  steps /  baseline = false\n  reference = false\n  steps /' >"$work/coreset/p.edl"
expect "coreset rounds" 0 "$edlc" run "$work/coreset/p.edl"
contains "coreset's last round" out "label smart round 4: 80 labels"
got=$(rounds_consistent "$work/coreset/runs/store.db" 1)
if [ "$got" = ok ]; then pass=$((pass + 1)); else echo "FAIL coreset rounds: $got"; failures=$((failures + 1)); fi

# --- a label budget: no round after the one that reached 40 labels -------------
mkdir -p "$work/budget"
project "folder(\"$src/data/digits\")" 20 |
  sed -e 's/^  steps /  reference = false\n  stop = labels >= 40\n  steps /' >"$work/budget/p.edl"
db="$work/budget/runs/store.db"
expect "a label budget" 0 "$edlc" run "$work/budget/p.edl"
contains "the round at the budget stops the asking" out "label smart round 2: 40 labels (2.8% of the pool), held-out accuracy"
contains "the rounds after it are not needed" out "label smart round 3: not needed, the stop condition held after round 2"
contains "so are the random baseline's, at the same budget" out "label smart random baseline round 3: not needed, the stop condition held after round 2"
check "no label asked past the budget" "SELECT MAX(json_extract(outputs, '\$.labels')) FROM tasks WHERE kind = 'label'" 40

# --- SIGKILL in a round's training, then resume ------------------------------
mkdir -p "$work/kill"
# One thread a task: the same sums in the same order whether or not other
# tasks run beside a round, so the resumed run can equal an uninterrupted one.
project "folder(\"$src/data/digits\")" 600 | sed -e 's/^  steps /  baseline = false\n  reference = false\n  steps /' \
  -e 's/^  seed  = 5/  seed  = 5\n  threads = 1/' >"$work/kill/p.edl"
db="$work/kill/runs/store.db"
"$edlc" run "$work/kill/p.edl" >"$work/killed.out" 2>&1 &
pid=$! waited=0
mid_round="SELECT EXISTS (SELECT 1 FROM artifacts a JOIN tasks t ON t.id = a.task_id
  WHERE t.name = 'label:smart/3' AND t.status = 'running' AND a.kind = 'checkpoint')"
while [ "$(sql "$db" "$mid_round")" != "1" ] && kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 3000 ]; do
  sleep 0.1
  waited=$((waited + 1))
done
if kill -9 "$pid" 2>/dev/null; then pass=$((pass + 1)); else echo "FAIL edlc ended before the kill point"; failures=$((failures + 1)); fi
wait "$pid" 2>/dev/null
expect "resumed labeling" 0 "$edlc" run "$work/kill/p.edl"
contains "the same run continues" out "resume run 1 "
contains "finished rounds are kept" out "label:smart/2: done before this run was stopped; kept"
contains "the killed round continues from its checkpoint" out "label smart round 3: continues after epoch"
check "one run" "SELECT COUNT(*) FROM runs" 1
check "one task row per task" "SELECT COUNT(*) - COUNT(DISTINCT name) FROM tasks" 0
check "every round done" "SELECT COUNT(*) FROM tasks WHERE kind = 'label' AND status = 'done'" 4
got=$(rounds_consistent "$db" 1)
if [ "$got" = ok ]; then pass=$((pass + 1)); else echo "FAIL resumed rounds: $got"; failures=$((failures + 1)); fi
last="SELECT outputs FROM tasks WHERE name = 'label:smart/4' AND run_id = "
expect "uninterrupted run" 0 "$edlc" run --quiet --fresh "$work/kill/p.edl"
resumed=$(sql "$db" "SELECT json_extract(outputs, '\$.labeled') FROM tasks WHERE name = 'label:smart/4' AND run_id = 1")
fresh=$(sql "$db" "SELECT json_extract(outputs, '\$.labeled') FROM tasks WHERE name = 'label:smart/4' AND run_id = 2")
if [ -n "$resumed" ] && [ "$resumed" = "$fresh" ]; then pass=$((pass + 1)); else
  echo "FAIL the resumed rounds labeled other items than an uninterrupted run"
  failures=$((failures + 1))
fi

# --- a human oracle ----------------------------------------------------------
# The pool is a flat folder of unlabeled images (every tenth digit, as a
# person would have a folder of new photos); the held-out split is the
# digits dataset's.
mkdir -p "$work/human/photos"
ls "$src"/data/digits/*/*.png | awk 'NR % 10 == 0' | xargs -I{} cp {} "$work/human/photos/"
project "human(\"queue\")" 150 | sed -e 's/rounds      = 4/rounds      = 3/' \
  -e "s#pool        = digits#pool        = image_folder(\"$work/human/photos\")#" >"$work/human/p.edl"
db="$work/human/runs/store.db"
queue="$work/human/queue"
fill() {  # fill K [ROWS]: answers round K's first ROWS rows (all by default): a digit's file is named CLASS_N.png
  /usr/bin/python3 - "$queue/round-$1.csv" "${2:-100000}" <<'PY'
import csv, os, sys
rows = list(csv.reader(open(sys.argv[1])))
for r in rows[1:1 + int(sys.argv[2])]: r[3] = os.path.basename(r[0]).split("_")[0]
csv.writer(open(sys.argv[1], "w", newline="")).writerows(rows)
PY
}
expect "a human round waits" 4 "$edlc" run "$work/human/p.edl"
contains "it says where the questions are" err "fill in the 'label' column of $queue/round-1.csv"
[ -s "$queue/round-1.png" ] && pass=$((pass + 1)) || { echo "FAIL no contact sheet"; failures=$((failures + 1)); }
check "the run waits" "SELECT status FROM runs" waiting
expect "label status" 0 "$edlc" label status "$work/human/p.edl"
contains "status: nothing answered" out "round 1: 0 of 20 answered, waiting"

fill 1 12
expect "half answered" 4 "$edlc" run "$work/human/p.edl"
contains "the half counts" err "round 1: 12 of 20 answered"
check "still one run" "SELECT COUNT(*) FROM runs" 1

fill 1
/usr/bin/python3 - "$queue/round-1.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
rows[4][3] = "eleven"       # row 5: no such class
rows.append(list(rows[2]))  # row 22: row 3 again
csv.writer(open(sys.argv[1], "w", newline="")).writerows(rows)
PY
cp "$queue/round-1.csv" "$work/malformed.csv"
expect "a malformed fill is refused" 1 "$edlc" run "$work/human/p.edl"
contains "the unknown class is named with its row" err "round-1.csv: row 5"
contains "and why" err "'eleven' is not a class"
contains "the duplicate is named" err "row 22"
cmp -s "$queue/round-1.csv" "$work/malformed.csv" && pass=$((pass + 1)) ||
  { echo "FAIL the filled CSV was changed"; failures=$((failures + 1)); }
expect "label status names the problems" 0 "$edlc" label status "$work/human/p.edl"
contains "status: the problem" out "problem: row 5"

/usr/bin/python3 - "$queue/round-1.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))[:-1]
rows[4][3] = rows[4][0].split("/")[-1].split("_")[0]
csv.writer(open(sys.argv[1], "w", newline="")).writerows(rows)
PY
expect "round 2 is asked" 4 "$edlc" run "$work/human/p.edl"
contains "round 1 read" out "label smart round 1: 20 answers read"
suggested=$(/usr/bin/python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1])))[1:]; print(len(r), all(x[1] and 0 < float(x[2]) <= 1 for x in r))" "$queue/round-2.csv")
if [ "$suggested" = "20 True" ]; then pass=$((pass + 1)); else echo "FAIL round 2's questions: $suggested"; failures=$((failures + 1)); fi
fill 2
expect "round 3 is asked" 4 "$edlc" run "$work/human/p.edl"
fill 3
expect "the last round ends the run" 0 "$edlc" run "$work/human/p.edl"
check "every round done" "SELECT COUNT(*) FROM tasks WHERE kind = 'label' AND status = 'done' AND run_id = (SELECT MAX(id) FROM runs)" 3
asked_twice=$(cat "$queue"/round-*.csv | grep -v '^file,' | cut -d, -f1 | sort | uniq -d | wc -l)
if [ "$asked_twice" = 0 ]; then pass=$((pass + 1)); else echo "FAIL $asked_twice files asked twice"; failures=$((failures + 1)); fi
expect "runs show json" 0 "$edlc" runs show "$(sql "$db" "SELECT MAX(id) FROM runs")" "$work/human/p.edl" --format json
labels=$(/usr/bin/python3 -c "import json,sys; print(' '.join(str(r['labels']) for r in json.load(open(sys.argv[1]))['label_rounds']))" "$work/out")
if [ "$labels" = "20 40 60" ]; then pass=$((pass + 1)); else echo "FAIL human curve labels: '$labels'"; failures=$((failures + 1)); fi

echo "label: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
