"""Build the language-detection table shipped in src/headline_tagger/data/language/.

Reproducible: the output depends only on the installed wordfreq data (version recorded in
the JSON) and the constants below.  Needs wordfreq at build time; the runtime needs numpy only.

Usage: PYTHONPATH=src python tools/build_language_model.py [--out DIR]

Writes language_model.json (settings, languages, scripts), language_model.npz (arrays, no
pickles), manifest.json (SHA-256 of both) and NOTICE.md (wordfreq attribution, CC BY-SA 4.0).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import json
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from headline_tagger.language import (  # noqa: E402
    FORMAT_VERSION, MANIFEST, MODEL_JSON, MODEL_NPZ, _char_ngrams, tokenize,
)

UNIT = 0.05                 # one score unit = 0.05 Zipf
UNKNOWN_ZIPF = 0.5          # a word a language does not list scores 0.5 Zipf there
BONUS_ZIPF = {"en": 0.8, "fr": 0.8}   # per-word prior for the languages this library reads most
EN_FR_MIN_ZIPF = 2.0        # en/fr keep every word down to this frequency ...
OTHER_TOP_WORDS = 8000      # ... other languages keep their most frequent words
WORDLESS = {"zh", "ja"}     # no spaces between words: scored by characters only
CHAR_ORDERS = (1, 2, 3, 4)
CHAR_TYPES = 30000          # character model trained on each language's most frequent word types
CHAR_TOP_PER_ORDER = {1: 1500, 2: 1500, 3: 1500, 4: 1500}
CHAR_SCALE_DIVISOR = 5      # (logp units 0.01) -> score units (0.05 Zipf): 1 Zipf per log10 unit
SCRIPT_BONUS_ZIPF = 5.0     # per word, for each language that writes the word's script
OOV_FLOOR_ZIPF = 10.0       # an unlisted word scores at most this far below its best language
SCRIPT_MIN_SHARE = 0.03     # a language uses a script if this share of its word frequency is in it

# Writing systems as code point ranges; "Other" (anything not listed) is ignored at run time.
SCRIPTS: list[tuple[str, list[tuple[int, int]]]] = [
    ("Other", []),
    ("Latin", [(0x41, 0x5A), (0x61, 0x7A), (0xAA, 0xAA), (0xBA, 0xBA), (0xC0, 0x2AF),
               (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F), (0xA720, 0xA7FF),
               (0xAB30, 0xAB6F), (0xFB00, 0xFB06), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)]),
    ("Greek", [(0x370, 0x3FF), (0x1F00, 0x1FFF)]),
    ("Cyrillic", [(0x400, 0x52F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)]),
    ("Armenian", [(0x530, 0x58F), (0xFB13, 0xFB17)]),
    ("Hebrew", [(0x590, 0x5FF), (0xFB1D, 0xFB4F)]),
    ("Arabic", [(0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
    ("Devanagari", [(0x900, 0x97F), (0xA8E0, 0xA8FF)]),
    ("Bengali", [(0x980, 0x9FF)]),
    ("Gurmukhi", [(0xA00, 0xA7F)]),
    ("Gujarati", [(0xA80, 0xAFF)]),
    ("Oriya", [(0xB00, 0xB7F)]),
    ("Tamil", [(0xB80, 0xBFF)]),
    ("Telugu", [(0xC00, 0xC7F)]),
    ("Kannada", [(0xC80, 0xCFF)]),
    ("Malayalam", [(0xD00, 0xD7F)]),
    ("Sinhala", [(0xD80, 0xDFF)]),
    ("Thai", [(0xE00, 0xE7F)]),
    ("Lao", [(0xE80, 0xEFF)]),
    ("Tibetan", [(0xF00, 0xFFF)]),
    ("Myanmar", [(0x1000, 0x109F)]),
    ("Georgian", [(0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F)]),
    ("Hangul", [(0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF),
                (0xD7B0, 0xD7FF), (0xFFA0, 0xFFDC)]),
    ("Ethiopic", [(0x1200, 0x139F), (0x2D80, 0x2DDF)]),
    ("Khmer", [(0x1780, 0x17FF)]),
    ("Kana", [(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)]),
    ("Han", [(0x3005, 0x3007), (0x3021, 0x3029), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
             (0xF900, 0xFAFF), (0x20000, 0x323AF)]),
]
# Languages recognised by their own script alone (no word list needed).
SCRIPT_ONLY = {"am": "Ethiopic", "bo": "Tibetan", "gu": "Gujarati", "hy": "Armenian",
               "ka": "Georgian", "km": "Khmer", "kn": "Kannada", "lo": "Lao", "ml": "Malayalam",
               "my": "Myanmar", "or": "Oriya", "pa": "Gurmukhi", "si": "Sinhala", "te": "Telugu",
               "th": "Thai"}

NOTICE = """# Notice: language-detection table

`language_model.json` and `language_model.npz` in this folder are derived from the word
frequency data of **wordfreq** {version} by Robyn Speer and contributors
(https://github.com/rspeer/wordfreq).

- wordfreq's code is licensed Apache-2.0; its **data is licensed CC BY-SA 4.0**
  (https://creativecommons.org/licenses/by-sa/4.0/). wordfreq's data in turn is built
  from many corpora (e.g. Wikipedia, OpenSubtitles, SUBTLEX, Google Books Ngrams); see
  wordfreq's README for the full list of sources and their credits.
- Changes: word frequencies were re-tokenised (letter runs only), quantised to 0.05 Zipf,
  truncated (en/fr down to Zipf {en_min}; {top} most frequent words for other languages)
  and turned into character 1-4-gram log-probabilities.
- These two derived files are therefore distributed under **CC BY-SA 4.0** (share alike),
  independently of the licence of the surrounding code.

Rebuild with `python tools/build_language_model.py` (needs `wordfreq`).
"""


def script_table() -> tuple[list[int], list[int], list[int]]:
    """Sorted range starts/ends/script ids for bisecting a character's script."""
    ranges = sorted((a, b, i) for i, (_, rs) in enumerate(SCRIPTS) for a, b in rs)
    return [r[0] for r in ranges], [r[1] for r in ranges], [r[2] for r in ranges]


def main() -> None:
    """Build and write the table, its manifest and NOTICE."""
    import bisect

    import wordfreq

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src/headline_tagger/data/language")
    args = parser.parse_args()

    starts, ends, ids = script_table()

    def script_of(ch: str) -> int:
        cp = ord(ch)
        k = bisect.bisect_right(starts, cp) - 1
        return ids[k] if k >= 0 and cp <= ends[k] else 0

    word_langs = sorted(wordfreq.available_languages(wordlist="best"))
    # Table order = tie-break order: en, fr, then alphabetical.
    all_langs = ["en", "fr"] + sorted((set(word_langs) | set(SCRIPT_ONLY)) - {"en", "fr"})
    char_langs = [c for c in all_langs if c in word_langs]

    freqs: dict[str, dict[str, float]] = {}
    for code in word_langs:
        acc: dict[str, float] = collections.defaultdict(float)
        for word, f in wordfreq.get_frequency_dict(code, wordlist="best").items():
            for tok in tokenize(word):
                acc[tok] += f
        freqs[code] = dict(acc)
        print(f"{code}: {len(acc)} tokens", file=sys.stderr)

    def ranked(code: str) -> list[tuple[str, float]]:
        return sorted(freqs[code].items(), key=lambda kv: (-kv[1], kv[0]))

    # Scripts used by each language.
    lang_scripts: dict[str, list[str]] = {}
    for code in all_langs:
        if code in SCRIPT_ONLY:
            lang_scripts[code] = [SCRIPT_ONLY[code]]
            continue
        share: dict[int, float] = collections.defaultdict(float)
        for tok, f in freqs[code].items():
            share[script_of(tok[0])] += f
        total = sum(share.values())
        lang_scripts[code] = [SCRIPTS[s][0] for s in sorted(share)
                              if s != 0 and share[s] / total >= SCRIPT_MIN_SHARE]

    # Word table.
    zipf_units: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for code in char_langs:
        if code in WORDLESS:
            continue
        items = ranked(code)
        if code in ("en", "fr"):
            items = [kv for kv in items if math.log10(kv[1] * 1e9) >= EN_FR_MIN_ZIPF]
        else:
            items = items[:OTHER_TOP_WORDS]
        li = all_langs.index(code)
        for tok, f in items:
            q = int(round(math.log10(f * 1e9) / UNIT))
            zipf_units[tok][str(li)] = min(255, max(int(round(UNKNOWN_ZIPF / UNIT)), q))
    words = sorted(zipf_units)
    row_len, e_lang, e_q, w_script = [], [], [], []
    for w in words:
        entries = sorted((int(k), v) for k, v in zipf_units[w].items())
        row_len.append(len(entries))
        e_lang.extend(k for k, _ in entries)
        e_q.extend(v for _, v in entries)
        w_script.append(script_of(w[0]))

    # Character n-gram model.
    char_counts: dict[str, collections.Counter[str]] = {}
    order_totals: dict[str, collections.Counter[int]] = {}
    for code in char_langs:
        counts: collections.Counter[str] = collections.Counter()
        for tok, _ in ranked(code)[:CHAR_TYPES]:
            counts.update(_char_ngrams(tok, CHAR_ORDERS))
        char_counts[code] = counts
        order_totals[code] = collections.Counter()
        for g, c in counts.items():
            order_totals[code][len(g)] += c
    kept: set[str] = set()
    for code in char_langs:
        for order in CHAR_ORDERS:
            top = sorted(((g, c) for g, c in char_counts[code].items() if len(g) == order),
                         key=lambda gc: (-gc[1], gc[0]))[:CHAR_TOP_PER_ORDER[order]]
            kept.update(g for g, _ in top)
    grams = sorted(kept)
    floor = np.zeros((len(CHAR_ORDERS), len(char_langs)), dtype=np.int16)
    for j, code in enumerate(char_langs):
        for k, order in enumerate(CHAR_ORDERS):
            floor[k, j] = int(round(100 * math.log10(0.5 / max(1, order_totals[code][order]))))
    logp = np.empty((len(grams), len(char_langs)), dtype=np.int16)
    for i, g in enumerate(grams):
        k = CHAR_ORDERS.index(len(g))
        for j, code in enumerate(char_langs):
            c = char_counts[code].get(g, 0)
            logp[i, j] = (int(round(100 * math.log10(c / order_totals[code][len(g)])))
                          if c else floor[k, j])

    # wordfreq names Filipino "fil" (ISO 639-2); report ISO 639-1 codes everywhere.
    iso1 = {"fil": "tl"}
    all_langs = [iso1.get(c, c) for c in all_langs]
    char_langs = [iso1.get(c, c) for c in char_langs]
    lang_scripts = {iso1.get(c, c): v for c, v in lang_scripts.items()}
    meta = {
        "format_version": FORMAT_VERSION,
        "description": "headline-tagger language table: word Zipf frequencies and character "
                       "n-gram log-probabilities derived from wordfreq data (CC BY-SA 4.0)",
        "source": {"wordfreq_version": wordfreq.__version__ if hasattr(wordfreq, "__version__")
                   else _dist_version("wordfreq"), "wordlist": "best"},
        "languages": all_langs,
        "char_languages": char_langs,
        "language_scripts": lang_scripts,
        "unit": UNIT,
        "unknown_units": int(round(UNKNOWN_ZIPF / UNIT)),
        "bonus_units": {k: int(round(v / UNIT)) for k, v in BONUS_ZIPF.items()},
        "char_orders": list(CHAR_ORDERS),
        "char_scale_divisor": CHAR_SCALE_DIVISOR,
        "script_bonus_units": int(round(SCRIPT_BONUS_ZIPF / UNIT)),
        "oov_floor_units": int(round(OOV_FLOOR_ZIPF / UNIT)),
        "skip_script": "Other",
        "scripts": [{"name": n, "ranges": [[a, b] for a, b in rs]} for n, rs in SCRIPTS],
        "build": {"en_fr_min_zipf": EN_FR_MIN_ZIPF, "other_top_words": OTHER_TOP_WORDS,
                  "char_types": CHAR_TYPES, "char_top_per_order": CHAR_TOP_PER_ORDER},
    }
    arrays = {
        "words_utf8": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        "word_row_len": np.asarray(row_len, dtype=np.uint8),
        "entry_lang": np.asarray(e_lang, dtype=np.uint8),
        "entry_zipf_units": np.asarray(e_q, dtype=np.uint8),
        "word_script": np.asarray(w_script, dtype=np.uint8),
        "ngrams_utf8": np.frombuffer("\n".join(grams).encode("utf-8"), dtype=np.uint8),
        "ngram_logp": logp,
        "ngram_floor": floor,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    json_bytes = (json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    npz_bytes = _deterministic_npz(arrays)
    (args.out / MODEL_JSON).write_bytes(json_bytes)
    (args.out / MODEL_NPZ).write_bytes(npz_bytes)
    manifest = {"format_version": FORMAT_VERSION,
                "files": {MODEL_JSON: hashlib.sha256(json_bytes).hexdigest(),
                          MODEL_NPZ: hashlib.sha256(npz_bytes).hexdigest()}}
    (args.out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (args.out / "NOTICE.md").write_text(NOTICE.format(version=meta["source"]["wordfreq_version"],
                                                      en_min=EN_FR_MIN_ZIPF, top=OTHER_TOP_WORDS))
    print(f"{len(all_langs)} languages, {len(words)} words, {len(e_lang)} entries, "
          f"{len(grams)} n-grams; npz {len(npz_bytes) / 1e6:.2f} MB -> {args.out}", file=sys.stderr)


def _dist_version(name: str) -> str:
    """Installed distribution version (for the provenance record)."""
    from importlib.metadata import version
    return version(name)


def _deterministic_npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (zip of .npy) with fixed timestamps, so rebuilding gives identical bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


if __name__ == "__main__":
    main()
