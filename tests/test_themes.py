"""The public theme ids and their ';'-joined cells."""

import re

import pytest

from headline_tagger import THEMES
from headline_tagger.themes import join_themes, parse_themes


def test_themes_are_the_taxonomy_ids_in_order(shared):
    text = (shared / "taxonomy.md").read_text(encoding="utf-8")
    ids = tuple(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.M))
    assert THEMES == ids
    assert len(THEMES) == 11


def test_parse_and_join_round_trip():
    assert parse_themes(" migration ;organized_crime;;migration") == ("migration", "organized_crime")
    assert join_themes(("a", "b")) == "a;b"
    assert parse_themes("") == ()


def test_parse_rejects_unknown_ids():
    with pytest.raises(ValueError, match="unknown theme"):
        parse_themes("migration;smuggling", THEMES)
