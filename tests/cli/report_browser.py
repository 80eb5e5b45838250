#!/usr/bin/env python3
"""Loads an `edlc report` page in headless Chromium and asserts on its DOM.

Drives Chromium through the DevTools protocol over a pipe (--remote-debugging-pipe:
commands on fd 3, replies on fd 4, each a NUL-terminated JSON message), so it needs
nothing beyond Python's standard library and Debian's chromium.

Checks, against the data the page embeds (itself checked against the store by
tests/cli/report.sh):
  - no console error, uncaught exception or failed load while the page loads;
  - each chart the data calls for is present with one point element per value;
  - every image decodes;
  - at a phone's width (390 CSS pixels) nothing makes the page wider than the screen.
Writes a desktop and a phone screenshot.

Usage: report_browser.py CHROMIUM PAGE.html OUT_DIR
Prints one line per check; exits 1 when one fails.
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def pipes_on_3_and_4():
            # Copies first: a pipe may already sit on 3 or 4, and dup2 onto
            # itself would leave it close-on-exec.
            read, write = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=pipes_on_3_and_4)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe (did it start?)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        for k, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(k)
        while True:
            e = self._read_message(deadline)
            if e.get("method") == method:
                return e
            self.events.append(e)

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# What the page holds, read in the browser after it loaded.
PROBE = r"""JSON.stringify((() => {
  const charts = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    charts[svg.id] = {points: svg.querySelectorAll('.pt').length, declared: Number(svg.dataset.points),
                      width: svg.getBoundingClientRect().width};
  }
  const images = [...document.images];
  return {
    charts,
    data: JSON.parse(document.getElementById('edl-report-data').textContent),
    images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    sections: [...document.querySelectorAll('section')].map(s => s.id),
    title: document.title,
  };
})())"""


def slug(text):
    return re.sub(r"[^A-Za-z0-9]", "-", text)


def expected_charts(runs):
    """Chart id -> the number of point elements the data calls for."""
    out = {}
    for run in runs:
        prefix = f"r{run['run']['id']}-"
        for t in run["trains"]:
            names = {n for e in t["epochs"] for n in e if n.startswith(("train.", "val."))}
            metrics = [n for n in names if not n.endswith(".loss")]
            if metrics:
                out[prefix + slug(t["task"]) + "-metrics"] = sum(1 for e in t["epochs"] for n in metrics if n in e)
            losses = [n for n in names if n.endswith(".loss")]
            if losses:
                out[prefix + slug(t["task"]) + "-loss"] = sum(1 for e in t["epochs"] for n in losses if n in e)
        for s in run["searches"]:
            searched = [t for t in s["trials"]
                        if not t["status"].startswith("baseline:") and t["value"] is not None]
            out[prefix + slug(s["task"]) + "-trials"] = len(searched)
            if searched and any(isinstance(v, (int, float)) for v in searched[0]["params"].values()):
                out[prefix + slug(s["task"]) + "-parallel"] = len(searched)
        for e in run["evaluations"]:
            if "confusion" in e:
                out[prefix + slug(e["task"]) + "-confusion"] = len(e["classes"]) ** 2
        for c in run["label_curves"]:
            out[prefix + slug(c["label"]) + "-label"] = len(c["points"]) + len(c["baseline"])
        out[prefix + "timeline"] = sum(1 for t in run["tasks"] if t["finished"] > 0)
    return out


def main():
    chromium, page, out_dir = sys.argv[1:4]
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(chromium, profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                browser.call(domain + ".enable", session=session)
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
            browser.call("Page.navigate", {"url": "file://" + os.path.abspath(page)}, session)
            browser.wait_for("Page.loadEventFired")
            desktop = json.loads(browser.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True},
                                              session)["result"]["value"])
            height = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]["height"]
            shot = browser.call("Page.captureScreenshot",
                                {"format": "png", "captureBeyondViewport": True,
                                 "clip": {"x": 0, "y": 0, "width": 1100, "height": min(height, 6000), "scale": 1}},
                                session)
            with open(os.path.join(out_dir, "report-desktop.png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}, session)
            phone = json.loads(browser.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True},
                                            session)["result"]["value"])
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
            with open(os.path.join(out_dir, "report-phone.png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            # Anything logged while loading and laying out arrived as events.
            browser.call("Runtime.evaluate", {"expression": "1"}, session)
            problems = []
            for e in browser.events:
                m, p = e.get("method"), e.get("params", {})
                if m == "Runtime.exceptionThrown":
                    problems.append("exception: " + p["exceptionDetails"].get("text", ""))
                elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                    problems.append("console.error: " + json.dumps(p.get("args")))
                elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                    problems.append("log: " + p["entry"].get("text", ""))
        finally:
            browser.close()

    check(not problems, "no console errors, exceptions or failed loads" + ("".join("\n     " + p for p in problems)))
    runs = desktop["data"]
    expected = expected_charts(runs)
    for chart_id, points in sorted(expected.items()):
        got = desktop["charts"].get(chart_id)
        check(got is not None and got["points"] == points,
              f"chart {chart_id}: {points} points" + ("" if got and got["points"] == points
                                                       else f" (page: {got['points'] if got else 'missing'})"))
    check(all(c["points"] == c["declared"] for c in desktop["charts"].values()),
          f"every chart's data-points matches its point elements ({len(desktop['charts'])} charts)")
    check(all(c["width"] > 200 for c in desktop["charts"].values()), "every chart is laid out wider than 200 px")
    check(not desktop["broken"], f"all {desktop['images']} images decode" +
          ("" if not desktop["broken"] else f" (broken: {desktop['broken'][:3]})"))
    check(phone["innerWidth"] == 390 and phone["scrollWidth"] <= phone["innerWidth"],
          f"phone width: page {phone['scrollWidth']} px wide in a {phone['innerWidth']} px screen")
    print(json.dumps({"charts": len(desktop["charts"]), "images": desktop["images"], "sections": desktop["sections"]}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
