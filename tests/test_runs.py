"""The shared word-run tokenisation gives exactly the answers of the separate language and theme paths."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from headline_tagger.features import _FOLD, BOUNDARY_CHANGERS, FOLD_DELETES
from headline_tagger.runs import (
    COMPOSES_WITH_PREVIOUS,
    LONGER_LOWER,
    SEPARATOR,
    RunTable,
    fits,
)
from headline_tagger.tagger import Tagger, default_tagger

_WORD = re.compile(r"\w")


class SeparateTagger(Tagger):
    """The same model and detector, scoring every batch through the separate paths."""

    def _run_table(self):
        return None


def _columns(results):
    return [(r.language, r.language_score, r.themes, r.status, tuple(r.scores.values())) for r in results]


def _both(texts, table_limit=None):
    shared = default_tagger() if table_limit is None else Tagger(default_tagger().model)
    if table_limit is not None:
        shared._run_table()._limit = table_limit
    separate = SeparateTagger(shared.model, shared.detector)
    return _columns(shared.tag_many(texts)), _columns(separate.tag_many(texts))


ODD = ["ΟΔΟΣ ΣΟΦΙΑΣ", "lʼimmigration clandestine", "e\u0301cole de Calais", "passeurs\u00ad arrêtés", "trafic\u200bde migrants", f"a{SEPARATOR}b",
       "Ａｍｓｔｅｒｄａｍ", "İstanbul: 12 held", "h1n1 covid19 a_b __", "l’œuvre « traite »", "",
       "UN PASSEUR ARRÊTÉ À CALAIS", "IS CLAIMS UN ATTACK", "UN envoy: IS claims attack"]


def test_fold_keeps_word_characters_apart_from_the_rest():
    """Outside BOUNDARY_CHANGERS, folding maps a word character to word characters and anything
    else to non-word characters: so folding a run equals folding it inside its text."""
    assert set(FOLD_DELETES) | {"\u02bc"} <= set(BOUNDARY_CHANGERS)
    for code, out in _FOLD.items():
        if chr(code) in BOUNDARY_CHANGERS:
            continue
        word_in = bool(_WORD.match(chr(code)))
        assert out and all(bool(_WORD.match(c)) == word_in for c in out), (chr(code), out)


def test_longer_lower_lists_every_letter_whose_lower_case_is_longer():
    import sys

    assert {chr(c) for c in range(sys.maxunicode + 1) if len(chr(c).lower()) != 1} == set(LONGER_LOWER)


def test_texts_the_runs_cannot_serve_are_listed():
    assert fits("Passeurs arrêtés à Calais")
    assert not fits("e\u0301cole") and not fits("a\u00adb") and not fits("a\u200bb") and not fits("lʼa")
    assert not fits("ΟΔΟΣ") and not fits("İstanbul") and fits("IS claims UN attack")
    assert not fits("IS CLAIMS UN ATTACK")  # capitals throughout: its short words are not acronyms
    table = RunTable(lambda runs: {"n": np.array([len(r) for r in runs], dtype=np.int64)})
    batch, odd = table.split(["Ab cd", "e\u0301f", "gh", f"x{SEPARATOR}y"])
    assert odd == [1, 3]
    assert batch.n_texts == 2
    assert batch.doc.tolist() == [0, 0, 1]
    assert batch.occurrences("n").tolist() == [2, 2, 2]


def test_composes_with_previous_lists_every_second_character_of_a_composition():
    import sys
    import unicodedata

    seconds = {chr(0x1161 + i) for i in range(21)} | {chr(0x11A8 + i) for i in range(27)}  # Hangul V, T jamo
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    assert seconds == set(COMPOSES_WITH_PREVIOUS)


def test_every_character_that_keeps_a_text_off_the_runs_is_inside_a_chunk():
    """Chunks are cut at ASCII non-word characters only: the characters checked chunk by chunk
    must all be non-ASCII, and no ASCII character may compose with the one before it."""
    assert all(ord(c) > 127 for c in BOUNDARY_CHANGERS + LONGER_LOWER + "\u03a3" + COMPOSES_WITH_PREVIOUS)


def test_a_chunk_composing_with_the_ascii_before_it_is_odd():
    table = RunTable(lambda runs: {"n": np.array([len(r) for r in runs], dtype=np.int64)})
    texts = ["a <\u0338 b", "x =\u0338y", "a \u0301b", "plain words", "ab"]
    assert not fits(texts[0]) and not fits(texts[1])  # NFC turns them into ≮ and ≠
    batch, odd = table.split(texts)
    assert odd == [0, 1, 2] and batch.n_texts == 2
    assert batch.doc.tolist() == [0, 0, 1]
    assert set(odd) >= {i for i, t in enumerate(texts) if not fits(t)}


def test_shared_runs_equal_separate_paths_on_the_corpus(seed_rows):
    from headline_tagger.corpus import load_corpus

    texts = load_corpus()["headline"].tolist() + [r["headline"] for r in seed_rows] + ODD
    shared, separate = _both(texts)
    assert shared == separate


def test_mixed_batch_merges_odd_texts_in_place():
    texts = ["Frontex boosts patrols in the Aegean"] * 3 + ODD + ["Réseau de passeurs démantelé"]
    shared, separate = _both(texts)
    assert shared == separate


def test_a_small_table_restarts_and_keeps_answers():
    from headline_tagger.corpus import load_corpus

    texts = load_corpus()["headline"].tolist()[:6000]
    shared, separate = _both(texts, table_limit=500)
    assert shared == separate


_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
_PIECES = st.sampled_from(["passeur", "trafficking", "Frontex", "é", "e\u0301", "\u00ad", "\u200b", "’", "7",
                           "<", "=", "\u0338", "\u0301", "\u1100", "\u1161", "\u11a8",
                           "İ", "ß", "Œ", "ʼ", "l'", "IS", "UN ", "Σ", "ΟΔΟΣ", "ǅ", " ", "-", "_", "\x1f", SEPARATOR, "ا", "中", "😀"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.one_of(_PIECES, st.text(_ALPHABET, max_size=6)), max_size=8).map("".join),
                max_size=12))
def test_shared_runs_equal_separate_paths_on_any_text(texts):
    shared, separate = _both(texts)
    assert shared == separate
    _, odd = RunTable(lambda runs: {}).split(texts)
    assert set(odd) >= {i for i, t in enumerate(texts) if not fits(t) or SEPARATOR in t}



def test_batches_leave_the_one_headline_caches_exact():
    """Batches fill the single-text caches (theme token columns, unlisted-word scores): every
    entry equals what the single-text path computes for itself."""
    from headline_tagger.corpus import load_corpus

    tagger = Tagger(default_tagger().model)
    model, table = tagger.model, tagger.detector._model
    model._token_cache.clear()
    table._oov_cache.clear()
    tagger.tag_many(load_corpus()["headline"].tolist()[:3000])
    tokens, words = dict(model._token_cache), dict(table._oov_cache)
    assert tokens and words
    model._token_cache.clear()
    table._oov_cache.clear()
    for token, cols in tokens.items():
        assert model._token_cols(token) == cols, token
    for word, got in words.items():
        want = table.oov_vector(word)
        assert (got is None) == (want is None), word
        if got is not None:
            assert got[0] == want[0] and got[1].tolist() == want[1].tolist(), word
