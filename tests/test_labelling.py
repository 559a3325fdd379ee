"""Active learning helpers: ranking by uncertainty and folding labels back in."""

from __future__ import annotations

import pandas as pd

from headline_tagger import least_certain, merge_labels
from headline_tagger.corpus import read_labelled
from headline_tagger.tagger import default_tagger


def test_least_certain_ranks_by_distance_to_a_threshold():
    feed = pd.DataFrame({"headline": ["Des passeurs arrêtés à Calais", "Rain again in Leeds",
                                      "Teenagers found working nights in a car wash", "Border queues at Dover",
                                      "Detenidos doce traficantes en Madrid", ""], "id": range(6)})
    picked = least_certain(feed, n=3)
    assert len(picked) == 3
    assert list(picked["margin"]) == sorted(picked["margin"])
    assert {"suggested_themes", "closest_theme", "margin", "themes"} <= set(picked.columns)
    assert (picked["themes"] == "").all()
    assert set(picked["closest_theme"]) <= set(default_tagger().themes)
    every = least_certain(feed, n=10)
    assert 4 not in set(every["id"]) and 5 not in set(every["id"])  # Spanish and empty rows are left out
    assert picked["margin"].iloc[0] == every["margin"].min()


def test_merge_labels_lets_new_labels_win():
    base = read_labelled(pd.DataFrame({"headline": ["a b c", "d e f"], "themes": ["migration", ""]}))
    new = read_labelled(pd.DataFrame({"headline": ["d e f", "g h i"], "themes": ["terrorism", "cybercrime"]}))
    merged = merge_labels(base, new)
    assert merged["headline"].tolist() == ["a b c", "d e f", "g h i"]
    assert merged["themes"].tolist() == [("migration",), ("terrorism",), ("cybercrime",)]
