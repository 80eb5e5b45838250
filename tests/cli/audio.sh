#!/usr/bin/env bash
# Sound classification end to end on spoken words (data/words: ten words by
# 96 espeak-ng speakers with noise, built by scripts/fetch-data.sh):
#  - `edlc data` counts the clips per class and split, the split keeping
#    each speaker's clips together (split.group);
#  - `edlc run` trains an audio_cnn on log-mel features computed by the
#    compiled kernel, for real: the held-out speakers' test accuracy is what
#    `edlc run` printed and is far above chance (0.1);
#  - what cannot work stops with its diagnostic: a sound model on images and
#    a text model on sound (E0520), audio settings on images (E0521), a bad
#    group pattern (E0523), augmenting or deploying sound (E0901), and an
#    n_fft the clip cannot hold (E0802 when the run starts).
# Usage: audio.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

words="$src/data/words"
[ -f "$words/.complete" ] || { echo "data/words is missing: run scripts/fetch-data.sh words"; exit 1; }
cd "$work"

cat > words.edl <<EDL
project "words" { seed = 3 }
dataset words {
  source = audio_folder("$words")
  split  = { train = 70%, val = 15%, test = 15%, group = "(.+)__" }
  audio  = { sample_rate = 16000, duration = 1s, features = log_mel(n_mels = 40, n_fft = 400, hop = 160) }
}
model listener { backbone = audio_cnn(channels = [16, 32, 64]) }
train hear {
  data      = words
  model     = listener
  optimizer = adam(lr = 0.002)
  epochs    = 8
  batch     = 32
  metrics   = [accuracy, f1]
}
EDL
expect "data on a folder of clips" 0 "$edlc" data words.edl
contains "clip count" out "3,840"
expect "the test split's files" 0 "$edlc" data words.edl --files test
/usr/bin/python3 - out <<'PY' > speakers 2>&1
import os, sys
test = {os.path.basename(l.strip()).split("__")[0] for l in open(sys.argv[1]) if l.strip()}
print(f"{len(test)} test speakers")
PY
"$edlc" data words.edl --files train > train.files 2>/dev/null
/usr/bin/python3 - train.files out <<'PY' >> speakers 2>&1
import os, sys
speakers = lambda f: {os.path.basename(l.strip()).split("__")[0] for l in open(f) if l.strip()}
shared = speakers(sys.argv[1]) & speakers(sys.argv[2])
print("no speaker in both train and test" if not shared else f"shared speakers: {sorted(shared)[:5]}")
PY
contains "speakers held out" speakers "no speaker in both train and test"

expect "a sound model trains" 0 "$edlc" run words.edl
contains "the features' kernel" out "features words: log-mel 40 x 101 per clip"
accuracy=$(sql .edl/store.db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:hear' AND m.name = 'test.accuracy'")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$accuracy' or 0) > 0.6 else 1)" && pass=$((pass + 1)) ||
  { echo "FAIL the listener learned: test accuracy '$accuracy' on held-out speakers"; failures=$((failures + 1)); }
contains "printed accuracy is the stored one" out "accuracy $(printf '%.4f' "$accuracy")"

sed 's/n_fft = 400/n_fft = 65536/' words.edl > long.edl
expect "an n_fft the clip cannot hold" 1 "$edlc" run long.edl
contains "E0802 says why" err "longer than twice the clip"

cat > kinds.edl <<EDL
project "kinds" { seed = 1 }
dataset photos {
  source = image_folder("$src/data/digits")
  audio  = { sample_rate = 8000 }
}
dataset words { source = audio_folder("$words") }
model listener { backbone = audio_cnn() }
model reader { backbone = text_cnn() }
train a { data = photos; model = listener; optimizer = adam(lr = 0.01); epochs = 1 }
train b { data = words; model = reader; optimizer = adam(lr = 0.01); epochs = 1 }
EDL
expect "kinds that do not fit" 1 "$edlc" check kinds.edl
contains "a sound model on images" err "model 'listener' reads sound, but dataset 'photos' holds images"
contains "a text model on sound" err "model 'reader' reads text, but dataset 'words' holds sound"
contains "audio settings on images" err "error[E0521]"
sed -e '/^train b/d' -e 's/data = photos/data = words/' -e '/audio  = { sample_rate = 8000 }/d' kinds.edl > later.edl
cat >> later.edl <<'EDL'
augment louder { gain(db = 3) }
deploy ship { from = a; targets = [torchscript()] }
EDL
sed -i 's/ model = listener;/ augment = louder; model = listener;/' later.edl
expect "not yet: augmenting and deploying sound" 1 "$edlc" check later.edl
contains "augmentation of sound" err "augmentation of sound"
contains "deploying sound" err "deployment of a sound model"

echo "audio: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
