#!/usr/bin/env bash
# edlc serve under load: builds the digits package (cnn [32, 64], 1x32x32),
# starts `edlc serve`, and runs build/bench/edl_serve_load from a second
# process: first the bare in-process batch-1 rate of the same package, then
# batch-1 requests from CLIENTS keep-alive clients for SECONDS.
# Usage: bench/serve_bench.sh [SECONDS] [CLIENTS] [MAX_BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
clients="${2:-16}"
max_batch="${3:-32}"
out=bench/out/serve
rm -rf "$out"
mkdir -p "$out"
cat >"$out/p.edl" <<EDL
project "serve-bench" {
  seed  = 1
  store = "store.db"
}

dataset digits {
  source = image_folder("$PWD/data/digits")
  split  = { train = 80%, val = 20% }
  image  = { size = 32x32, channels = 1 }
}

model net {
  backbone = cnn(channels = [32, 64])
  head     = classifier(hidden = [128])
}

train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = 0.05, momentum = 0.9)
  epochs    = 2
}

deploy api {
  from    = main
  targets = [server()]
}
EDL
build/tools/edlc/edlc build --quiet "$out/p.edl"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
build/tools/edlc/edlc serve "$out/dist/api.tar.gz" --port "$port" --max-batch "$max_batch" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do grep -q serving "$out/serve.log" && break; sleep 0.1; done
build/bench/edl_serve_load "$out/dist/api.tar.gz" data/digits/3/3_0000.png "$port" "$seconds" "$clients"
curl_metrics=$(/usr/bin/python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/metrics').read().decode())")
echo "$curl_metrics" | grep -E '^edl_(batches|batched_images)_total'
