"""Quick checks for one corpus part file (schema, labels, duplicates, near-duplicates, counts).

Usage: python tools/check_corpus_part.py src/headline_tagger/data/corpus/<part>.csv
"""
from __future__ import annotations

import csv
import re
import sys
from collections import Counter

THEMES = (
    "migrant_smuggling", "human_trafficking", "child_labour", "forced_labour",
    "border_security", "document_fraud", "illicit_goods", "organized_crime",
    "terrorism", "cybercrime", "migration",
)
SOURCES = {"wire", "broadsheet", "tabloid", "local", "broadcaster", "magazine", "police",
           "customs", "government", "court", "un", "ngo", "interpol", "europol"}
SEED = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data" / "seed_headlines.csv")


def tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def main(path: str) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    problems = []
    cols = ["headline", "language", "themes", "pair_id", "source"]
    if rows and list(rows[0].keys()) != cols:
        problems.append(f"columns must be exactly {cols}, got {list(rows[0].keys())}")
    seed = {r["headline"].strip().lower() for r in csv.DictReader(open(SEED, encoding="utf-8"))}
    seen = {}
    for i, r in enumerate(rows, start=2):
        h = r["headline"]
        if not h or h != h.strip():
            problems.append(f"line {i}: empty headline or leading/trailing spaces")
        if h.strip().lower() in seed:
            problems.append(f"line {i}: seed headline reproduced")
        key = h.strip().lower()
        if key in seen:
            problems.append(f"line {i}: duplicate of line {seen[key]}")
        seen[key] = i
        for t in filter(None, r["themes"].split(";")):
            if t not in THEMES:
                problems.append(f"line {i}: unknown theme {t!r}")
        if r["source"] not in SOURCES:
            problems.append(f"line {i}: unknown source {r['source']!r}")
        if not re.fullmatch(r"[a-z]{2}", r["language"]):
            problems.append(f"line {i}: bad language {r['language']!r}")
        n = len(h.split())
        if n < 3 or n > 35:
            problems.append(f"line {i}: {n} words (3..35 allowed)")
    # near duplicates: >= 80% of the smaller token set shared (Jaccard-like on the union)
    toks = [tokens(r["headline"]) for r in rows]
    near = set()
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            a, b = toks[i], toks[j]
            if a and b and len(a & b) / len(a | b) >= 0.8:
                near.add(i); near.add(j)
                problems.append(f"near-duplicate: line {i+2} ~ line {j+2}")
    pairs = Counter(r["pair_id"] for r in rows if r["pair_id"])
    for pid, n in pairs.items():
        langs = sorted(r["language"] for r in rows if r["pair_id"] == pid)
        th = {r["themes"] for r in rows if r["pair_id"] == pid}
        if langs != ["en", "fr"] or len(th) != 1:
            problems.append(f"pair {pid}: needs exactly one en and one fr row with identical themes")
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(rows)} rows; near-duplicate rows: {len(near)} ({100*len(near)/max(1,len(rows)):.1f}%)")
    for lang in sorted({r['language'] for r in rows}):
        sub = [r for r in rows if r["language"] == lang]
        none = sum(1 for r in sub if not r["themes"])
        themed = [r for r in sub if r["themes"]]
        multi = sum(1 for r in themed if ";" in r["themes"])
        c = Counter(t for r in sub for t in filter(None, r["themes"].split(";")))
        print(f"[{lang}] rows={len(sub)} no-theme={none} themed={len(themed)} multi-theme={multi}"
              f" ({100*multi/max(1,len(themed)):.0f}% of themed)")
        print("   ", dict(sorted(c.items())))
    print(f"pairs: {len(pairs)}")
    print("sources:", dict(Counter(r["source"] for r in rows)))


if __name__ == "__main__":
    main(sys.argv[1])
