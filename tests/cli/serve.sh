#!/usr/bin/env bash
# `edlc serve` end to end: a digits package behind the HTTP server; every
# endpoint, the bad-input list (not an image, truncated image, wrong content
# type, oversized body, bad token, bad query), 64 concurrent clients all
# answered correctly, and the server still healthy afterwards.
# Usage: serve.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

cat >"$work/p.edl" <<EDL
project "served" {
  seed  = 5
  store = "runs/store.db"
}

dataset digits {
  source = image_folder("$src/data/digits")
  split  = { train = 80%, val = 20% }
  image  = { size = 8x8, channels = 1 }
}

model net {
  backbone = cnn(channels = [16])
}

train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = 0.05, momentum = 0.9)
  epochs    = 3
}

deploy api {
  from    = main
  targets = [server(host = "127.0.0.1", port = 8080, token = "s3cret")]
}
EDL
expect "build" 0 "$edlc" build --quiet "$work/p.edl"
pkg="$work/dist/api.tar.gz"
find "$src/data/digits" -name '*.png' | sort | awk 'NR % 9 == 1' >"$work/files"
"$edlc" predict "$pkg" $(cat "$work/files") --json >"$work/expected.json"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$edlc" serve "$pkg" --port "$port" --max-body-mb 0.5 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill -9 $server 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
# Loading torch and the package takes seconds on a busy machine: wait (at
# most 120 s) until the server says it listens.
for _ in $(seq 1200); do
  grep -q "^serving " "$work/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done

cat >"$work/client.py" <<'PY'
import concurrent.futures, json, select, socket, sys, time, urllib.request, urllib.error

port, work, server_pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
base = f"http://127.0.0.1:{port}"
auth = {"Authorization": "Bearer s3cret"}
failures = 0

def call(path, body=None, headers=None, method=None):
    req = urllib.request.Request(base + path, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()

def check(name, ok, detail=""):
    global failures
    if not ok:
        failures += 1
        print(f"FAIL {name} {detail}")

for _ in range(600):  # up to 60 s more for the server to answer
    try:
        if call("/v1/health")[0] == 200:
            break
    except OSError:
        time.sleep(0.1)

files = open(f"{work}/files").read().split()
expected = {e["file"]: e["top"][0]["label"] for e in json.load(open(f"{work}/expected.json"))}
png = open(files[0], "rb").read()

status, _, body = call("/v1/health")
check("health", status == 200 and json.loads(body)["status"] == "ok", body)
status, _, body = call("/v1/info", headers=auth)
check("info is the manifest", status == 200 and json.loads(body)["format"] == "edl-package", status)
status, ctype, body = call("/v1/predict", png, {**auth, "Content-Type": "image/png"})
top = json.loads(body)["top"] if status == 200 else []
check("predict raw png", status == 200 and top and top[0]["label"] == expected[files[0]], body)
status, _, body = call("/v1/predict?top=3", png, {**auth, "Content-Type": "application/octet-stream"})
check("predict top 3", status == 200 and len(json.loads(body)["top"]) == 3, body)
boundary = "edlboundary"
multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\n"
             f"Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()
status, _, body = call("/v1/predict", multipart, {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
check("predict multipart", status == 200 and json.loads(body)["top"][0]["label"] == expected[files[0]], body)

def bad(name, want, body, headers, path="/v1/predict"):
    status, ctype, text = call(path, body, headers)
    ok = status == want and "application/json" in ctype and "error" in json.loads(text)
    check(name, ok, f"{status} {ctype} {text[:120]}")

bad("not an image", 400, b"hello, this is text", {**auth, "Content-Type": "image/png"})
bad("truncated image", 400, png[: len(png) // 2], {**auth, "Content-Type": "image/png"})
bad("wrong content type", 415, png, {**auth, "Content-Type": "text/plain"})
bad("oversized body", 413, b"\0" * (1 << 20), {**auth, "Content-Type": "image/png"})
bad("no token", 401, png, {"Content-Type": "image/png"})
bad("wrong token", 401, png, {"Authorization": "Bearer nope", "Content-Type": "image/png"})
bad("bad top", 400, png, {**auth, "Content-Type": "image/png"}, "/v1/predict?top=zero")
bad("empty body", 400, b"", {**auth, "Content-Type": "image/png"})
bad("multipart without image", 400, f"--{boundary}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--{boundary}--\r\n".encode(),
    {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
bad("unknown endpoint", 404, None, {}, "/v2/nothing")

def peak_kib():
    for line in open(f"/proc/{server_pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

def chunked(headers, total):
    """Sends up to `total` bytes chunked, stopping once the server answers; returns (status, bytes sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = "POST /v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: image/png\r\n"
    s.sendall((head + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode())
    chunk = b"%x\r\n" % (1 << 16) + b"\0" * (1 << 16) + b"\r\n"
    sent, reply = 0, b""
    try:
        while sent < total and not select.select([s], [], [], 0)[0]:
            s.sendall(chunk)
            sent += 1 << 16
    except OSError:
        pass
    try:
        s.settimeout(10)
        while b"\r\n" not in reply:
            data = s.recv(4096)
            if not data:
                break
            reply += data
    except OSError:
        pass
    s.close()
    return (int(reply.split()[1]) if reply.startswith(b"HTTP/1.1 ") else None), sent

before = peak_kib()
status, sent = chunked(auth, 1 << 30)
check("a chunked body over --max-body-mb is refused with 413", status == 413, f"{status} after {sent} bytes")
check("while it is read, not after 1 GiB", sent < 64 << 20, f"{sent} bytes sent")
grew = peak_kib() - before
check("and is never buffered whole (peak memory grew < 32 MiB)", grew < 32 << 10, f"{grew} KiB")
status, sent = chunked({}, 1 << 30)
check("without the token: 401 before the body is read", status == 401 and sent < 64 << 20, f"{status} after {sent} bytes")

# Sixteen clients that send half their headers and stall must not hold the
# server: health, metrics and predictions are answered while they linger.
stalled = []
for _ in range(16):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"POST /v1/predict HTTP/1.1\r\nHost: x\r\n")
    stalled.append(s)
time.sleep(0.5)
started = time.time()
status, _, _ = call("/v1/health")
check("health answered beside 16 stalled clients", status == 200 and time.time() - started < 2, f"{time.time() - started:.1f} s")
status, _, body = call("/v1/predict", png, {**auth, "Content-Type": "image/png"})
check("and predictions too", status == 200, body)
for s in stalled:
    s.close()

def one(path):
    status, _, body = call("/v1/predict", open(path, "rb").read(), {**auth, "Content-Type": "image/png"})
    return status == 200 and json.loads(body)["top"][0]["label"] == expected[path]

with concurrent.futures.ThreadPoolExecutor(64) as pool:
    results = list(pool.map(one, files * 2))
check("64 clients at once, every answer correct", all(results), f"{sum(results)}/{len(results)}")
status, _, body = call("/v1/health")
check("still healthy after the bad input and the load", status == 200)
status, _, metrics = call("/metrics")
text = metrics.decode()
check("metrics count requests by status", 'edl_requests_total{status="200"}' in text and 'status="400"' in text, text[:300])
check("metrics have a latency histogram", 'edl_request_seconds_bucket{le="+Inf"}' in text)
batched = [l for l in text.splitlines() if l.startswith("edl_batches_total")]
images = [l for l in text.splitlines() if l.startswith("edl_batched_images_total")]
b, i = float(batched[0].split()[1]), float(images[0].split()[1])
print(f"{len(results)} concurrent requests; {i:.0f} images in {b:.0f} forward passes ({i / b:.2f} per pass)")
check("concurrent requests were batched", i / b > 1.2, f"{i}/{b}")
sys.exit(1 if failures else 0)
PY
expect "HTTP contract" 0 /usr/bin/python3 "$work/client.py" "$port" "$work" "$server"
cat "$work/out"
contains "serve says where" serve.out "at http://127.0.0.1:$port, bearer token required"
kill -INT "$server"
for _ in $(seq 300); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done  # at most 30 s, never a hang
if kill -0 "$server" 2>/dev/null; then echo "FAIL serve still running 30 s after Ctrl-C"; kill -9 "$server"; fi
wait "$server"
rc=$?
if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL serve exit $rc after Ctrl-C"; failures=$((failures + 1)); fi
expect "serve a file that is no package" 1 "$edlc" serve "$work/p.edl"

echo "serve: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
