"""Debian's fortune cookies as one CSV for `csv(path, text, label)`: a
topic classification set of short, varied English texts.

Each quotation of nine categories of the Debian package `fortunes`
(/usr/share/games/fortunes: computers, education, law, literature,
politics, science, startrek, wisdom, work; 147 to 1,050 quotations each)
becomes a row: its text with line breaks kept, and the category as its
label. Exact duplicates are kept once (the first category wins), so no
quotation is in two classes.
"""
import csv
import os

FORTUNES = "/usr/share/games/fortunes"
CATEGORIES = ["computers", "education", "law", "literature", "politics", "science", "startrek", "wisdom", "work"]


def quotations(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for part in text.split("\n%\n"):
        part = part.strip("%\n").strip()
        if part:
            yield part


def make_fortunes(path):
    """Writes path/fortunes.csv; returns how many rows."""
    os.makedirs(path, exist_ok=True)
    seen = set()
    rows = []
    for category in CATEGORIES:
        source = os.path.join(FORTUNES, category)
        if not os.path.exists(source):
            raise RuntimeError(f"{source} is missing: install the Debian package fortunes")
        for text in quotations(source):
            if text not in seen:
                seen.add(text)
                rows.append((text, category))
    with open(os.path.join(path, "fortunes.csv"), "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["text", "label"])
        out.writerows(rows)
    return len(rows)
