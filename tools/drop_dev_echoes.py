"""Remove corpus rows that echo a news_dev headline (the false-alarm check must stay unseen).

A row is dropped when it shares 4+ content words with a news_dev headline, or 3+ words making at
least 60% of the shorter headline's content words; for the wave-5, wave-11 and wave-14 parts
(v, w, x, aq-av, bm-bo), whose briefs named word families found in news_dev false alarms, 3
shared words or 2 making half are enough.
Usage: python tools/drop_dev_echoes.py [--dry-run]
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

from headline_tagger.corpus import corpus_dir
from headline_tagger.features import normalize

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEADLINE_TAGGER_SHARED", ROOT.parent / "shared"))
STOP = set("the a an of in on to for and or is are with by at from as its it after over into new how why "
           "what who this that be has have will de la le les des du et en un une au aux pour sur dans par "
           "qui que est son sa ses".split())
STRICT = ("v_", "w_", "x_", "aq_", "ar_", "as_", "at_", "au_", "av_", "bm_", "bn_", "bo_")  # briefs informed by news_dev errors


def content(text: str) -> set[str]:
    return {t for t in re.findall(r"\w+", normalize(text)) if len(t) > 2 and t not in STOP}


def echoes(row: set[str], dev: list[set[str]], strict: bool) -> bool:
    for d in dev:
        k = len(row & d)
        small = min(len(row), len(d)) or 1
        if k >= 4 or (k >= 3 and k / small >= 0.6):
            return True
        if strict and (k >= 3 or (k >= 2 and k / small >= 0.5)):
            return True
    return False


def main() -> int:
    dry = "--dry-run" in sys.argv
    with open(SHARED / "data" / "news_dev" / "masakhanews_dev.csv", encoding="utf-8", newline="") as fh:
        dev = [content(r["headline"]) for r in csv.DictReader(fh)]
    total = 0
    for path in sorted(corpus_dir().glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            cols, rows = reader.fieldnames, list(reader)
        strict = path.name.startswith(STRICT)
        kept, gone = [], []
        for r in rows:
            (gone if echoes(content(r["headline"]), dev, strict) else kept).append(r)
        # a pair stays complete or goes whole
        broken = {r["pair_id"] for r in gone if r["pair_id"]}
        gone += [r for r in kept if r["pair_id"] in broken]
        kept = [r for r in kept if r["pair_id"] not in broken]
        for r in gone:
            print(f"{path.name}: {r['headline']}")
        total += len(gone)
        if gone and not dry:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=cols)
                w.writeheader()
                w.writerows(kept)
    print(f"{'would drop' if dry else 'dropped'} {total} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
