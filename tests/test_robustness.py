"""Any text gives a valid result: property-based tests over arbitrary Unicode (hypothesis)."""

from __future__ import annotations

import json

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headline_tagger import THEMES, tag_headline, tag_headlines
from headline_tagger.language import detect_language

NASTY = st.sampled_from(["\x00", "\ud800", "\udfff", "\u200b", "\u202e", "\u0301", "&amp;", "<b>", "\ufeff",
                         "Ã©tÃ©", "مهاجرين", "🙂", "\x1f", "\n", "\r\n", "\u2028", "ß", "İ", "ﬁ", "\u00a0"])
TEXT = st.lists(st.one_of(st.text(max_size=40), NASTY), max_size=12).map("".join)


def check(result, text: str) -> None:
    assert result.headline == text
    assert isinstance(result.language, str) and result.language
    assert 0.0 <= result.language_score <= 1.0
    assert set(result.themes) <= set(THEMES)
    assert set(result.scores) == set(THEMES)
    assert all(0.0 <= p <= 1.0 for p in result.scores.values())
    json.dumps(result.to_dict(), ensure_ascii=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_gives_a_valid_result(text):
    one = tag_headline(text)
    check(one, text)
    assert tag_headlines([text])[0] == one
    assert detect_language(text)[0] == one.language


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, max_size=20))
def test_batches_of_any_text_match_one_by_one(texts):
    batch = tag_headlines(texts)
    assert len(batch) == len(texts)
    assert [r.to_dict() for r in batch] == [tag_headline(t).to_dict() for t in texts]


def test_a_megabyte_string_is_truncated_and_flagged():
    text = "Smugglers held at the border with forged passports. " * 20_000
    result = tag_headline(text)
    assert result.truncated and len(result.headline) == len(text)
    check(result, text)


def test_eight_threads_agree_with_one():
    from concurrent.futures import ThreadPoolExecutor

    from headline_tagger.corpus import load_corpus

    texts = load_corpus()["headline"].tolist()[:10_000]
    expected = [r.to_dict() for r in tag_headlines(texts)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parts = list(pool.map(lambda i: tag_headlines(texts[i::8]), range(8)))
        singles = list(pool.map(lambda t: tag_headline(t).to_dict(), texts[:400]))
    got = [None] * len(texts)
    for i, part in enumerate(parts):
        got[i::8] = [r.to_dict() for r in part]
    assert got == expected
    assert singles == expected[:400]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.text(max_size=30), NASTY), min_size=0, max_size=5), max_size=15),
       st.sampled_from([",", ";", "\t"]))
def test_csv_reading_never_crashes_nor_loses_rows(rows, sep):
    """Arbitrary cells, ragged rows, quotes, separators and newlines: every record comes out."""
    import csv
    import io

    from headline_tagger import InputError, tag_file

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["id", "headline"])
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8", errors="surrogatepass")
    out = io.StringIO()
    try:
        summary = tag_file(io.BytesIO(data), out, sep=sep)
    except InputError:
        return  # a clear error (e.g. bytes that are not text in any encoding) is allowed
    records = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=sep))
    text = data.decode("utf-8", errors="surrogatepass")
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))  # a bare CR ends a line too
    assert summary.rows == len(expected) - 1 == len(records) - 1
    assert all(len(r) == 5 for r in records)


def test_same_results_under_other_hash_seeds():
    import subprocess
    import sys

    code = ("import json; from headline_tagger import tag_headlines; "
            "print(json.dumps([r.to_dict() for r in tag_headlines(['Des passeurs arrêtés à Calais', "
            "'Frontex boosts patrols', 'Polizei fasst Schleuser', 'Cyberattack on a hospital', '']) ]))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("0", "1", "12345")}
    assert len(outs) == 1


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXT)
def test_fuzz_tag_headline(text):
    """The fuzzing run: thousands of hostile strings, bounded by the example count."""
    check(tag_headline(text), text)


@pytest.mark.slow
@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400))
def test_fuzz_file_reading_with_raw_bytes(data):
    """Arbitrary bytes as a CSV or JSON Lines file: a result or a clear InputError, never a crash."""
    import io

    from headline_tagger import InputError, tag_file

    for fmt in ("csv", "jsonl"):
        try:
            tag_file(io.BytesIO(b"headline\n" + data if fmt == "csv" else data), io.StringIO(), fmt=fmt)
        except InputError:
            pass
