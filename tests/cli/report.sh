#!/usr/bin/env bash
# edlc report and edlc runs compare on real digits: two runs of a project
# that searches (with augmentation baselines), evaluates, labels and
# deploys, one setting changed between them. The page's embedded data is
# checked against the store (`edlc runs show --format json`), then loaded
# in headless Chromium, which must show every chart with its points, no
# console error, and no overflow at a phone's width (screenshots kept in
# $REPORT_ARTIFACTS, default build/report-artifacts).
# Usage: report.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"
artifacts="${REPORT_ARTIFACTS:-$(dirname "$edlc")/../../report-artifacts}"
mkdir -p "$artifacts"

project() {  # project EPOCHS: the project, trained EPOCHS epochs a trial
  cat >"$work/p.edl" <<EDL
project "reported" {
  seed  = 5
  store = "runs/store.db"
}

dataset digits {
  source = image_folder("$src/data/digits")
  split  = { train = 70%, val = 15%, test = 15% }
  image  = { size = 16x16, channels = 1 }
}

space aug {
  m = int(1, 6)
}

augment light {
  rotate(degrees = uniform(-10, 10))
  randaugment(n = 1, m = aug.m, ops = [brightness, contrast])
}

model net {
  backbone = cnn(channels = [8, 16])
  head     = classifier()
}

space hp {
  lr = loguniform(0.001, 0.03)
}

train main {
  data      = digits
  augment   = light
  model     = net
  optimizer = adam(lr = hp.lr)
  epochs    = $1
  batch     = 64
  search    = random(trials = 3, objective = maximize(val.accuracy), prune = asha())
}

label smart {
  pool        = digits
  model       = main
  strategy    = margin
  seed_labels = 40
  batch       = 40
  rounds      = 2
  steps       = 40
  oracle      = folder("$src/data/digits")
}

deploy release {
  from    = main
  targets = [torchscript(), edge(arch = x86_64, quantize = int8)]
  package = "dist/reported.tar.gz"
}
EDL
}

project 2
expect "first run" 0 "$edlc" run "$work/p.edl"
project 3
expect "second run, epochs changed" 0 "$edlc" run "$work/p.edl"

# One run: the newest by default.
expect "report of the newest run" 0 "$edlc" report "$work/p.edl" --out "$work/one.html"
contains "report names what it wrote" out "wrote $work/one.html"
contains "report is of run 2" out "run 2 of 'reported'"
expect "report of two runs" 0 "$edlc" report "$work/p.edl" 1 2 --out "$work/two.html"
contains "report of two runs names both" out "run 1, 2 of 'reported'"
cp "$work/one.html" "$work/two.html" "$artifacts/"
size=$(stat -c %s "$work/one.html")
echo "report sizes: one run $((size / 1024)) KiB, two runs $(($(stat -c %s "$work/two.html") / 1024)) KiB"
if [ "$size" -lt 1048576 ]; then pass=$((pass + 1)); else
  echo "FAIL one run's report is $size bytes, over 1 MiB"
  failures=$((failures + 1))
fi

# The page is self-contained: nothing it loads comes from elsewhere.
if grep -qiE '(src|href)="(https?:)?//' "$work/one.html" "$work/two.html"; then
  echo "FAIL the report refers to the network"
  failures=$((failures + 1))
else
  pass=$((pass + 1))
fi

# The data the page embeds is the store's, as `runs show` reads it.
expect "runs show 2 as json" 0 "$edlc" runs show 2 "$work/p.edl" --format json
cp "$work/out" "$work/show2.json"
golden=$(/usr/bin/python3 - "$work/one.html" "$work/show2.json" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
data = json.loads(re.search(r'<script type="application/json" id="edl-report-data">(.*?)</script>', page, re.S)
                  .group(1))[0]
show = json.load(open(sys.argv[2]))
problems = []
def same(what, a, b):
    if a != b:
        problems.append(f"{what}: page {a!r} != store {b!r}")
tasks = {t["name"]: t for t in show["tasks"]}
same("run id", data["run"]["id"], show["id"])
same("task names", [t["name"] for t in data["tasks"]], [t["name"] for t in show["tasks"]])
for t in data["trains"]:
    stored = {}
    # A final model taken from a trial shows that trial's epochs.
    trial = t.get("epochs_from_trial")
    source = tasks["trial:" + t["task"].split(":", 1)[1]] if trial else tasks[t["task"]]
    for m in source["metrics"]:
        if m["trial"] == trial:
            stored.setdefault(m["epoch"], {"epoch": m["epoch"]})[m["name"]] = m["value"]
    if not stored:
        problems.append(t["task"] + ": no epochs in the store")
    same(t["task"] + " epochs", t["epochs"], [stored[e] for e in sorted(stored)])
for s in data["searches"]:
    stored = tasks[s["task"]]["trials"]
    same(s["task"] + " trials", [(x["number"], x["status"], x["value"], x["params"]) for x in s["trials"]],
         [(x["number"], x["status"], x["value"], x["params"]) for x in stored])
    same(s["task"] + " best", s.get("best"), tasks[s["task"]]["outputs"].get("best"))
for e in data["evaluations"]:
    out = tasks[e["task"]]["outputs"]
    same(e["task"] + " metrics", e["metrics"], out["metrics"])
    same(e["task"] + " confusion", e["confusion"], out["confusion"])
    for k, c in enumerate(e["per_class"]):
        row = out["confusion"][k]
        column = sum(r[k] for r in out["confusion"])
        same(e["task"] + " recall " + c["class"], round(c["recall"], 12), round(row[k] / sum(row), 12) if sum(row) else 0)
        same(e["task"] + " precision " + c["class"], round(c["precision"], 12), round(row[k] / column, 12) if column else 0)
same("label rounds", data["label_rounds"], show["label_rounds"])
for p in data["packages"]:
    same(p["task"] + " bytes", p["bytes"], tasks[p["task"]]["outputs"]["bytes"])
counts = (len(data["trains"]), len(data["searches"]), len(data["evaluations"]), len(data["label_curves"]), len(data["packages"]))
if 0 in counts:
    problems.append(f"a part is missing (trains, searches, evaluations, label curves, packages): {counts}")
print("\n".join(problems) if problems else "same")
PY
)
if [ "$golden" = "same" ]; then pass=$((pass + 1)); else
  echo "FAIL the page's data differs from the store:"
  echo "$golden" | sed 's/^/  | /' | head -20
  failures=$((failures + 1))
fi
contains "the page has the most confused pairs with images" one.html 'class="example"'
contains "the page has the augmentation preview" one.html 'class="preview"'
contains "the page shows the int8 agreement" one.html '>agreement<'
contains "two runs: the changed setting" two.html 'train:main epochs'
contains "two runs: the overlaid curves" two.html 'id="compare-train-main-val-accuracy"'

# runs compare in the terminal, and as JSON.
expect "runs compare" 0 "$edlc" runs compare 1 2 "$work/p.edl"
contains "compare names the changed setting" out "train:main epochs"
contains "compare shows the test accuracy of both" out "evaluate:main test.accuracy"
expect "runs compare as json" 0 "$edlc" runs compare 1 2 "$work/p.edl" --format json
compared=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
epochs = [x["values"] for x in d["differences"] if x["setting"] == "train:main epochs"]
print(epochs[0] if epochs else "missing")' "$work/out")
if [ "$compared" = "['2', '3']" ]; then pass=$((pass + 1)); else
  echo "FAIL runs compare --format json: epochs difference $compared"
  failures=$((failures + 1))
fi

# What a user can get wrong ends in a message and exit 1.
expect "report of an unknown run" 1 "$edlc" report "$work/p.edl" 9 --out "$work/x.html"
contains "unknown run named" err "no run 9"
expect "compare with an unknown run" 1 "$edlc" runs compare 1 9 "$work/p.edl"
contains "compare's unknown run named" err "no run 9"
expect "report without a store" 1 "$edlc" report --store "$work/none.db"
contains "missing store named" err "no store at $work/none.db"
expect "report into a missing folder" 1 "$edlc" report "$work/p.edl" --out "$work/no/such/dir/r.html"
contains "unwritable output named" err "cannot write"
expect "report with neither file nor store" 2 "$edlc" report
expect "report from a store, run ids only" 0 "$edlc" report --store "$work/runs/store.db" 1 --out "$work/store.html"
[ -f "$work/x.html" ] && { echo "FAIL a failed report left a file"; failures=$((failures + 1)); }

# In a real browser.
chromium=$(command -v chromium || true)
if [ -n "$chromium" ]; then
  for page in one two; do
    mkdir -p "$artifacts/$page"
    if /usr/bin/python3 "$src/tests/cli/report_browser.py" "$chromium" "$work/$page.html" "$artifacts/$page" >"$work/browser" 2>&1; then
      pass=$((pass + 1))
    else
      echo "FAIL $page.html in Chromium:"
      failures=$((failures + 1))
    fi
    sed 's/^/  | /' "$work/browser"
  done
else
  echo "FAIL chromium is not installed (scripts/install-deps.sh installs it)"
  failures=$((failures + 1))
fi

echo "report: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
