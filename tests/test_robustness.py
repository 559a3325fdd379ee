"""Any text gives a valid result: property-based tests over arbitrary Unicode (hypothesis)."""

from __future__ import annotations

import json

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
