#!/usr/bin/env bash
# Text classification against scikit-learn (issue: text and sound), in one
# run on SpamAssassin's emails (data/spam/spam.csv: 5,919 rows, 70% train /
# 15% val / 15% test as edlc splits them):
#   - edlc trains, on word tokens learnt from the training rows (min_count
#     2; Adam, batch 64, 2 threads, one job at a time): text_cnn (embed 128,
#     100 channels per kernel width) on each email's first 600 tokens (30,000
#     words, 8 epochs), with and without token_dropout(rate = 0.1); and a
#     bidirectional lstm and a transformer encoder on the first 200 tokens
#     (20,000 words, 4 epochs; both are far slower per token); each scores
#     the test rows (the two datasets split alike: same seed, same rows);
#   - bench/text_sklearn.py fits TF-IDF (min_df 2, 20,000 words, sublinear
#     tf) + logistic regression on the same training rows (`edlc data
#     --files train`) and scores the same test rows: the baseline to beat;
#   - tokenization speed: `edlc data` (parse the CSV, learn the vocabulary,
#     encode every row) against TfidfVectorizer.fit_transform, in MB of
#     training text a second (edlc's includes its process start and the CSV parse).
# `bench/text_bench.sh fortunes` does the same on Debian's fortunes
# (data/fortunes/fortunes.csv: 4,330 quotations of nine topics, the same
# 70/15/15 split) with a text_cnn of narrow kernels (1, 2 and 3 words, 128
# channels each, embed 64; every word of the training rows, the first 200
# tokens; Adam with weight decay, batch 32, 20 epochs), with and without
# token dropout: a small set, where TF-IDF is strong.
# Usage: bench/text_bench.sh [spam|fortunes]
set -euo pipefail
cd "$(dirname "$0")/.."
edlc=$PWD/build/tools/edlc/edlc
set_name=${1:-spam}
out=bench/out/text-$set_name
rm -rf "$out"
mkdir -p "$out"
csv="$PWD/data/$set_name/$set_name.csv"
[ -f "$csv" ] || { echo "data/$set_name is missing: run scripts/fetch-data.sh $set_name"; exit 1; }

if [ "$set_name" = fortunes ]; then
  cat >"$out/text.edl" <<EDL
project "text-bench" {
  seed     = 29
  store    = "store.db"
  threads  = 2
  workflow = { parallel = 1 }
}
dataset quotes {
  source = csv("$csv", text = "text", label = "label")
  split  = { train = 70%, val = 15%, test = 15% }
  text   = { tokenizer = word(min_count = 1, max_vocab = 40000), max_len = 200 }
}
model cnn_net { backbone = text_cnn(embed = 64, kernels = [1, 2, 3], channels = 128); head = classifier(dropout = 0.5) }
augment noisy { token_dropout(rate = 0.1) }
train cnn_job { data = quotes; model = cnn_net; optimizer = adam(lr = 0.002, weight_decay = 0.0001); epochs = 20; batch = 32; metrics = [accuracy, f1] }
train noisy_cnn_job { data = quotes; augment = noisy; model = cnn_net; optimizer = adam(lr = 0.002, weight_decay = 0.0001); epochs = 20; batch = 32; metrics = [accuracy, f1] }
EDL
else
cat >"$out/text.edl" <<EDL
project "text-bench" {
  seed     = 29
  store    = "store.db"
  threads  = 2
  workflow = { parallel = 1 }
}
dataset emails {
  source = csv("$csv", text = "text", label = "label")
  split  = { train = 70%, val = 15%, test = 15% }
  text   = { tokenizer = word(min_count = 2, max_vocab = 30000), max_len = 600 }
}
dataset openings {
  source = csv("$csv", text = "text", label = "label")
  split  = { train = 70%, val = 15%, test = 15% }
  text   = { tokenizer = word(min_count = 2, max_vocab = 20000), max_len = 200 }
}
model cnn_net { backbone = text_cnn(embed = 128, kernels = [3, 4, 5], channels = 100); head = classifier(dropout = 0.5) }
model lstm_net { backbone = lstm(hidden = 64, bidirectional = true, embed = 64) }
model attention_net { backbone = transformer(embed = 64, heads = 4, layers = 2, ff = 128) }
augment noisy { token_dropout(rate = 0.1) }
train cnn_job { data = emails; model = cnn_net; optimizer = adam(lr = 0.001); epochs = 8; batch = 64; metrics = [accuracy, f1] }
train noisy_cnn_job { data = emails; augment = noisy; model = cnn_net; optimizer = adam(lr = 0.001); epochs = 8; batch = 64; metrics = [accuracy, f1] }
train lstm_job { data = openings; model = lstm_net; optimizer = adam(lr = 0.003); epochs = 4; batch = 64; metrics = [accuracy, f1] }
train transformer_job { data = openings; model = attention_net; optimizer = adam(lr = 0.001); epochs = 4; batch = 64; metrics = [accuracy, f1] }
EDL
fi

# The first dataset alone: its split (the second's is the same) and its tokenization time.
sed -e '/^dataset openings/,$d' -e '/^model/,$d' "$out/text.edl" >"$out/tokenize.edl"
"$edlc" data "$out/tokenize.edl" --files train >"$out/train.txt"
"$edlc" data "$out/tokenize.edl" --files test >"$out/test.txt"
now() { /usr/bin/python3 -c 'import time; print(time.time())'; }
start=$(now)
"$edlc" data "$out/tokenize.edl" --no-cache >/dev/null
edlc_tokenize=$(/usr/bin/python3 -c "print($(now) - $start)")
"$edlc" run "$out/text.edl" >"$out/edlc.log"
/usr/bin/python3 bench/text_sklearn.py "$csv" "$out/train.txt" "$out/test.txt" >"$out/sklearn.json"

"$edlc" runs show 1 --store "$out/store.db" --format json >"$out/run.json"
/usr/bin/python3 - "$out/run.json" "$out/sklearn.json" "$csv" "$edlc_tokenize" "$(wc -l <"$out/test.txt")" "$set_name" <<'PY'
import csv, json, statistics, sys
run = json.load(open(sys.argv[1]))
peer = json.load(open(sys.argv[2]))
csv.field_size_limit(sys.maxsize)
megabytes = sum(len(r["text"].encode("utf-8")) for r in csv.DictReader(open(sys.argv[3], newline="", encoding="utf-8"))) / 1e6
def metric(task, name, epochs=False):
    values = [m["value"] for t in run["tasks"] if t["name"] == task for m in t["metrics"]
              if m["name"] == name and (not epochs or m["epoch"] > 1)]
    return statistics.median(values) if epochs else values[-1]
spam = sys.argv[6] == "spam"
title = f"SpamAssassin, {sys.argv[5]} test emails" if spam else f"fortunes, {sys.argv[5]} test quotations"
print(f"{title:<40} {'accuracy':>9} {'macro F1':>9} {'train rows/s':>13}")
rows = []
jobs = ((("cnn_job", "edlc text_cnn, 600 tokens"), ("noisy_cnn_job", "edlc text_cnn + token_dropout"),
         ("lstm_job", "edlc lstm (bidir.), 200 tokens"), ("transformer_job", "edlc transformer, 200 tokens"))
        if spam else (("cnn_job", "edlc text_cnn [1, 2, 3], 200 tokens"), ("noisy_cnn_job", "edlc text_cnn + token_dropout")))
for job, name in jobs:
    acc, f1 = metric("evaluate:" + job, "test.accuracy"), metric("evaluate:" + job, "test.f1")
    rate = metric("train:" + job, "images_per_second", True)
    rows.append((name, acc, f1))
    print(f"{name:<40} {acc:>9.4f} {f1:>9.4f} {rate:>13.0f}")
print(f"{'scikit-learn TF-IDF + logistic regr.':<40} {peer['accuracy']:>9.4f} {peer['f1']:>9.4f} {'':>13}")
for name, acc, f1 in rows:
    print(f"{name} vs TF-IDF + LR: accuracy {acc / peer['accuracy']:.3f}x, macro F1 {f1 / peer['f1']:.3f}x")
edlc_rate = megabytes / float(sys.argv[4])
print(f"tokenization: edlc data {edlc_rate:.1f} MB/s (whole file: parse, learn, encode, process start), "
      f"TfidfVectorizer.fit_transform {peer['vectorizer_mb_per_second']:.1f} MB/s (training rows): "
      f"{edlc_rate / peer['vectorizer_mb_per_second']:.2f}x")
PY
