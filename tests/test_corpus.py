"""The shipped training corpus keeps the rules of issue 3 (schema, counts, originality, pairs)."""

from __future__ import annotations

import re
from pathlib import Path
from collections import Counter

import numpy as np
import pytest

from headline_tagger import THEMES
from headline_tagger.corpus import corpus_dir, load_corpus
from headline_tagger.features import normalize

COLUMNS = ["headline", "language", "themes", "pair_id", "source"]
SOURCES = {"wire", "broadsheet", "tabloid", "local", "broadcaster", "magazine", "police", "customs",
           "government", "court", "un", "ngo", "interpol", "europol"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def themes_of(cell: str) -> list[str]:
    return [t for t in cell.split(";") if t]


def test_schema_ids_and_codes(corpus):
    for path in sorted(corpus_dir().glob("*.csv")):
        assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == COLUMNS, path.name
    assert corpus["headline"].str.strip().eq(corpus["headline"]).all()
    assert (corpus["headline"].str.len() > 0).all()
    assert corpus["language"].str.fullmatch(r"[a-z]{2}").all()
    bad = {t for cell in corpus["themes"] for t in themes_of(cell)} - set(THEMES)
    assert not bad, f"unknown theme ids {bad}"
    assert set(corpus["source"]) <= SOURCES
    words = corpus["headline"].str.split().str.len()
    assert words.min() >= 3 and words.max() <= 35


def test_no_duplicates(corpus):
    keys = corpus["headline"].map(lambda h: " ".join(normalize(h).split()))
    dupes = keys[keys.duplicated(keep=False)]
    assert dupes.empty, f"duplicates: {sorted(set(dupes))[:10]}"


def test_no_seed_headline(corpus, seed_rows):
    def key(h: str) -> str:
        return re.sub(r"\W+", " ", normalize(h)).strip()

    seed = {key(r["headline"]) for r in seed_rows}
    found = [h for h in corpus["headline"] if key(h) in seed]
    assert not found, found


def test_no_fresh_test_headline_nor_a_near_copy(corpus):
    """The fresh sets in tests/data measure generalisation: no corpus row may share 80% of its words."""
    import csv

    def words(h: str) -> set[str]:
        return set(re.findall(r"\w+", normalize(h)))

    fresh = []
    for path in sorted((Path(__file__).parent / "data").glob("fresh_headlines*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            fresh += [words(r["headline"]) for r in csv.DictReader(fh)]
    close = [h for h in corpus["headline"] for f in fresh
             if (w := words(h)) and len(w & f) >= 0.8 * min(len(w), len(f))]
    assert not close, close[:5]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_counts_per_language(corpus, lang):
    sub = corpus[corpus["language"] == lang]
    assert len(sub) >= 2500
    labels = sub["themes"].map(themes_of)
    counts = Counter(t for ts in labels for t in ts)
    thin = {t: counts[t] for t in THEMES if counts[t] < 150}
    assert not thin, f"themes under 150 positives in {lang}: {thin}"
    themed = labels[labels.map(len) > 0]
    assert (themed.map(len) >= 2).mean() >= 0.20
    assert (labels.map(len) == 0).mean() >= 0.40


def test_other_languages(corpus):
    other = corpus[~corpus["language"].isin(["en", "fr"])]
    assert len(other) >= 150
    assert other["language"].nunique() >= 5


def test_parallel_pairs_are_complete(corpus):
    pairs = corpus[corpus["pair_id"] != ""].groupby("pair_id")
    assert pairs.ngroups >= 300
    for pid, group in pairs:
        assert sorted(group["language"]) == ["en", "fr"], pid
        assert len({frozenset(themes_of(c)) for c in group["themes"]}) == 1, pid


def test_near_duplicate_rate(corpus):
    """At most 2% of rows may share 80% or more of their word tokens with another row."""
    from scipy import sparse

    token_sets = [sorted(set(re.findall(r"\w+", normalize(h)))) for h in corpus["headline"]]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, toks in enumerate(token_sets):
        for t in toks:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(token_sets), len(vocab)))
    overlap = (x @ x.T).tocoo()
    sizes = np.array([len(t) for t in token_sets], dtype=float)
    off = overlap.row != overlap.col
    share = overlap.data[off] / sizes[overlap.row[off]]
    near = set(overlap.row[off][share >= 0.8].tolist())
    rate = len(near) / len(token_sets)
    examples = [corpus["headline"].iloc[i] for i in sorted(near)[:5]]
    assert rate <= 0.02, f"{rate:.1%} near-duplicate rows, e.g. {examples}"


HARD = {
    "en": r"\b(frontex|coast ?guard|border (police|force|guard)|iom|international organization for migration|unhcr|"
          r"smuggl\w*|traffick\w*|child\w*|minors?|forced labour|slavery)\b",
    "fr": r"\b(trafic de migrants|trafic illicite|trafic d.etres humains|traite|trafic de (drogue|stupefiants|cocaine|"
          r"cannabis|armes)|frontex|garde.cotes|police aux frontieres|oim|hcr|enfants?|mineurs?|travail force)\b",
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hard_cases_per_language(corpus, lang):
    """Rows that need the taxonomy's rules (cue words that decide between themes): 100+ each."""
    sub = corpus[corpus["language"] == lang]
    hard = sub["headline"].map(lambda h: bool(re.search(HARD[lang], normalize(h))))
    assert hard.sum() >= 100


def test_data_card_counts_are_current(corpus):
    """DATA.md's counts section is what tools/update_data_card.py computes from the corpus now."""
    from headline_tagger.corpus import COUNTS_BEGIN, COUNTS_END, counts_markdown

    text = (corpus_dir() / "DATA.md").read_text(encoding="utf-8")
    assert "Known gaps" in text and "How it was written" in text
    section = text.split(COUNTS_BEGIN)[1].split(COUNTS_END)[0].strip()
    assert section == counts_markdown(corpus).strip(), "DATA.md is stale: run tools/update_data_card.py"
