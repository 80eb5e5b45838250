#!/usr/bin/env bash
# Sound classification end to end on spoken words (data/words: ten words by
# 96 espeak-ng speakers with noise, built by scripts/fetch-data.sh):
#  - `edlc data` counts the clips per class and split, the split keeping
#    each speaker's clips together (split.group);
#  - `edlc run` trains an audio_cnn on log-mel features computed by the
#    compiled kernel, with SpecAugment-style augmentation, for real: the
#    held-out speakers' test accuracy is what `edlc run` printed and is far
#    above chance (0.1);
#  - the deployed package reads WAV files: `edlc predict` on the test split
#    scores what the evaluation stored, `edlc serve` answers audio/wav and
#    multipart bodies as predict did, and the C++ SDK (features compiled
#    ahead of time) gives predict's classes and scores;
#  - MFCC features and the 1-D audio_cnn train too;
#  - what cannot work stops with its diagnostic: a sound model on images and
#    a text model on sound (E0520), audio settings on images (E0521), image
#    ops on sound (E0522), a bad group pattern (E0523), labeling sound
#    (E0901), and an n_fft the clip cannot hold (E0802 when the run starts).
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
augment heard {
  time_shift(fraction = uniform(-0.1, 0.1))
  gain(db = uniform(-6, 6))
  maybe(p = 0.3) { noise(std = 0.003) }
  time_mask(width = 6)
  freq_mask(width = 4)
}
model listener { backbone = audio_cnn(channels = [16, 32, 64]) }
train hear {
  data      = words
  augment   = heard
  model     = listener
  optimizer = adam(lr = 0.002)
  epochs    = 8
  batch     = 32
  metrics   = [accuracy, f1]
}
deploy ship { from = hear; targets = [torchscript(), server(), sdk(lang = "cpp")] }
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
contains "augmented on the host" out "augment heard: audio ops on the host, per clip"
accuracy=$(sql .edl/store.db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:hear' AND m.name = 'test.accuracy'")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$accuracy' or 0) > 0.6 else 1)" && pass=$((pass + 1)) ||
  { echo "FAIL the listener learned: test accuracy '$accuracy' on held-out speakers"; failures=$((failures + 1)); }
contains "printed accuracy is the stored one" out "accuracy $(printf '%.4f' "$accuracy")"

contains "the package written" out "package ship: $work/dist/ship.tar.gz (torchscript(), server(), sdk()"

# The package reads WAV files: the test split through `edlc predict` scores
# what the evaluation stored (the same decoding, kernel and normalisation).
mkdir -p unpacked && tar -xzf dist/ship.tar.gz -C unpacked
/usr/bin/python3 - unpacked/manifest.json <<'PY' > manifest 2>&1
import json, sys
m = json.load(open(sys.argv[1]))
assert m["input"] == {"kind": "audio", "sample_rate": 16000, "samples": 16000,
                      "layout": "N x 1 x n_mels x frames float32 log-mel"}, m["input"]
f = m["preprocessing"]["features"]
assert (f["kind"], f["n_fft"], f["hop"], f["n_mels"], f["frames"]) == ("log_mel", 400, 160, 40, 101), f
assert len(m["preprocessing"]["normalize"]["mean"]) == 1, m["preprocessing"]
print("manifest: a sound model with its features")
PY
contains "the manifest says sound" manifest "a sound model with its features"
"$edlc" data words.edl --files test > test.files 2>/dev/null
expect "predict classifies WAV files" 0 "$edlc" predict dist/ship.tar.gz $(cat test.files) --json --top 2
cp out predicted.json
/usr/bin/python3 - predicted.json "$accuracy" <<'PY' > predicted 2>&1
import json, os, sys
answers = json.load(open(sys.argv[1]))
assert len(answers) == 600 and all(len(a["top"]) == 2 for a in answers), len(answers)
right = sum(a["top"][0]["label"] == os.path.basename(os.path.dirname(a["file"])) for a in answers)
stored = round(float(sys.argv[2]) * 600)
assert abs(right - stored) <= 1, (right, stored)
print(f"predict: {right} of 600 test clips right, the evaluation stored {stored}")
PY
contains "predict = the evaluation" predicted "test clips right, the evaluation stored"
first=$(head -1 test.files)
image=$(ls "$src"/data/digits/0/* | head -1)
expect "predict on an image" 1 "$edlc" predict dist/ship.tar.gz "$image" "$first"
contains "the image named" err "$image: cannot decode audio"
expect "predict --text on sound" 1 "$edlc" predict dist/ship.tar.gz --text "yes"
contains "says what the model reads" err "holds a sound model: --text and --lines are for text models"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$edlc" serve dist/ship.tar.gz --port "$port" > serve.out 2>&1 &
server=$!
for _ in $(seq 1200); do grep -q "^serving " serve.out 2>/dev/null && break; kill -0 $server 2>/dev/null || break; sleep 0.1; done
/usr/bin/python3 - "$port" predicted.json <<'PY' > served 2>&1
import json, sys, urllib.error, urllib.request, uuid
url = f"http://127.0.0.1:{sys.argv[1]}/v1/predict?top=2"
def post(body, kind):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": kind})
    try:
        return 200, json.load(urllib.request.urlopen(request, timeout=60))
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
def multipart(field, data):
    b = uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"clip.wav\"\r\n"
            f"Content-Type: audio/wav\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return post(body, f"multipart/form-data; boundary={b}")
def same(got, w):
    assert [t["label"] for t in got["top"]] == [t["label"] for t in w["top"]], (got, w)
    assert all(abs(a["score"] - b["score"]) < 1e-5 for a, b in zip(got["top"], w["top"])), (got, w)
want = json.load(open(sys.argv[2]))
for w in want[:20]:
    status, got = post(open(w["file"], "rb").read(), "audio/wav")
    assert status == 200, (status, got)
    same(got, w)
for w in want[20:25]:
    status, got = multipart("audio", open(w["file"], "rb").read())
    assert status == 200, (status, got)
    same(got, w)
status, error = post(b"\x89PNG", "image/png")
assert status == 415 and "reads sound" in error["error"], (status, error)
status, error = post(b"RIFF....WAVE", "audio/wav")
assert status == 400 and "cannot decode audio" in error["error"], (status, error)
status, error = multipart("image", open(want[0]["file"], "rb").read())
assert status == 400 and '"audio"' in error["error"], (status, error)
print("served as predict answered: 20 audio/wav, 5 multipart")
PY
kill -INT $server; wait $server 2>/dev/null
contains "serve = predict" served "served as predict answered"

expect "the sound SDK configures" 0 cmake -S unpacked/sdk/example -B sdk-build -DCMAKE_BUILD_TYPE=Release
expect "the sound SDK builds" 0 cmake --build sdk-build -j 2
expect "the SDK classifies audio files" 0 sdk-build/classify_audio unpacked $(head -30 test.files)
/usr/bin/python3 - out predicted.json <<'PY' > sdk 2>&1
import json, sys
lines = [l.split() for l in open(sys.argv[1])]
want = json.load(open(sys.argv[2]))[:30]
assert len(lines) == 30, len(lines)
for (f, label, score), w in zip(lines, want):
    assert f == w["file"] and label == w["top"][0]["label"] and abs(float(score) - w["top"][0]["score"]) < 1e-4, (f, label, score, w)
print("the SDK gave the same 30 classes")
PY
contains "SDK = predict" sdk "the SDK gave the same 30 classes"

# MFCC features and convolutions over time, the bands as channels.
sed -e 's/features = log_mel(n_mels = 40, n_fft = 400, hop = 160)/features = mfcc(n_mfcc = 20, n_mels = 40)/' \
    -e 's/audio_cnn(channels = \[16, 32, 64\])/audio_cnn(channels = [64, 64], dims = 1)/' -e '/^deploy/d' words.edl > mfcc.edl
expect "MFCC and a 1-D model train" 0 "$edlc" run mfcc.edl
contains "the MFCC kernel" out "features words: mfcc 20 x 101 per clip"
accuracy=$(sql .edl/store.db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:hear' AND m.name = 'test.accuracy' ORDER BY m.id DESC LIMIT 1")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$accuracy' or 0) > 0.5 else 1)" && pass=$((pass + 1)) ||
  { echo "FAIL the 1-D MFCC listener learned: test accuracy '$accuracy' on held-out speakers"; failures=$((failures + 1)); }

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
augment mixed { gain(db = 3); flip_horizontal() }
label transcribe { pool = words; model = a; oracle = folder("labels") }
EDL
sed -i 's/ model = listener;/ augment = mixed; model = listener;/' later.edl
expect "image ops on sound, labeling sound" 1 "$edlc" check later.edl
contains "an image op on sound" err "'flip_horizontal' works on images, but train 'a' augments sound with it"
contains "not yet: labeling sound" err "smart labeling of sound, label 'transcribe' is not supported"

echo "audio: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
