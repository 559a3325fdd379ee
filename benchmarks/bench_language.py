"""Benchmark language detection: accuracy on lingua's EN/FR test set and batch throughput.

Run: python benchmarks/bench_language.py   (about 1-2 minutes; needs lingua-language-detector
and langdetect for the comparison rows).  Data: ../shared/data/lid relative to the repository,
or $HEADLINE_TAGGER_SHARED/data/lid.

Prints one table: accuracy (EN and FR pooled; any answer but the right code is wrong) on single
words / word pairs / sentences, texts per second for batch detection on one core over all 6000
test items, and our default detector's throughput relative to lingua EN/FR and langdetect.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from headline_tagger.language import LanguageDetector  # noqa: E402

SHARED = Path(os.environ.get("HEADLINE_TAGGER_SHARED", ROOT.parent / "shared"))
KINDS = ("single-words", "word-pairs", "sentences")
LANGDETECT_TIMING_SAMPLE = 1500  # langdetect is slow: time it on a subsample (accuracy uses all)

Batch = Callable[[Sequence[str]], list[str]]


def load_lid() -> dict[str, tuple[list[str], list[str]]]:
    """The six lid files as {kind: (texts, gold codes)}, split on "\\n" only."""
    base = SHARED / "data" / "lid"
    if not base.is_dir():
        sys.exit(f"lid data not found at {base}; set HEADLINE_TAGGER_SHARED")
    data = {}
    for kind in KINDS:
        texts, gold = [], []
        for code in ("en", "fr"):
            items = [t for t in (base / f"{kind}-{code}.txt").read_text(encoding="utf-8").split("\n") if t]
            texts += items
            gold += [code] * len(items)
        data[kind] = (texts, gold)
    return data


def ours(languages: Sequence[str] | None) -> Batch:
    """Our detector's batch call."""
    det = LanguageDetector(languages)
    det.detect_many(["warm up"])
    return lambda texts: det.detect_many(texts)[0]


def lingua(all_languages: bool) -> Batch | None:
    """lingua, one text after another on one core (None if not installed)."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    builder = (LanguageDetectorBuilder.from_all_languages() if all_languages
               else LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.FRENCH))
    det = builder.with_preloaded_language_models().build()

    def run(texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            lang = det.detect_language_of(t)
            out.append(lang.iso_code_639_1.name.lower() if lang is not None else "und")
        return out
    return run


def langdetect_seeded() -> Batch | None:
    """langdetect with a fixed seed, all profiles (None if not installed)."""
    try:
        from langdetect import DetectorFactory, LangDetectException, detect
    except ImportError:
        return None
    DetectorFactory.seed = 0

    def run(texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            try:
                out.append(detect(t))
            except LangDetectException:
                out.append("und")
        return out
    return run


def throughput(fn: Batch, texts: list[str], repeats: int) -> float:
    """Best-of-n texts per second."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def main() -> None:
    """Measure every detector and print the table."""
    data = load_lid()
    pooled = [t for kind in KINDS for t in data[kind][0]]
    rows: list[tuple[str, list[float], float, str]] = []
    candidates: list[tuple[str, Callable[[], Batch | None], int, int | None]] = [
        ("ours (default, all languages)", lambda: ours(None), 7, None),
        ("ours (restricted to en/fr)", lambda: ours(("en", "fr")), 7, None),
        ("lingua (EN/FR)", lambda: lingua(False), 2, None),
        ("lingua (all languages)", lambda: lingua(True), 1, None),
        ("langdetect (seeded, all profiles)", langdetect_seeded, 1, LANGDETECT_TIMING_SAMPLE),
    ]
    for name, make, repeats, sample in candidates:
        fn = make()
        if fn is None:
            rows.append((name, [], float("nan"), "not installed"))
            continue
        accs = []
        for kind in KINDS:
            texts, gold = data[kind]
            pred = fn(texts)
            accs.append(100.0 * sum(p == g for p, g in zip(pred, gold)) / len(gold))
        timed = pooled if sample is None else pooled[::max(1, len(pooled) // sample)]
        note = "" if sample is None else f"timed on {len(timed)} items"
        rows.append((name, accs, throughput(fn, timed, repeats), note))

    speeds = {name: tps for name, _, tps, _ in rows}
    ref_lingua = speeds.get("lingua (EN/FR)", float("nan"))
    ref_ld = speeds.get("langdetect (seeded, all profiles)", float("nan"))
    head = (f"{'detector':<36}{'words %':>9}{'pairs %':>9}{'sent. %':>9}{'texts/s':>11}"
            f"{'x lingua EN/FR':>16}{'x langdetect':>14}  note")
    print(f"Language detection on lid (EN+FR pooled, 2000 items per column); throughput: batch on "
          f"one core over all {len(pooled)} items")
    print(head)
    print("-" * len(head))
    for name, accs, tps, note in rows:
        acc_s = "".join(f"{a:>9.2f}" for a in accs) if accs else f"{'-':>9}" * 3
        print(f"{name:<36}{acc_s}{tps:>11,.0f}{tps / ref_lingua:>16.1f}{tps / ref_ld:>14.1f}  {note}")


if __name__ == "__main__":
    main()
