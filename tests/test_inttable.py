"""IntTable answers whole arrays of queries exactly as a dict would."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headline_tagger.inttable import IntTable


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.integers(0, 2**62), st.integers(0, 2**40), max_size=300),
       st.lists(st.integers(-5, 2**62), max_size=300))
def test_get_equals_a_dict(mapping, extra):
    table = IntTable(np.array(list(mapping), dtype=np.int64), np.array(list(mapping.values()), dtype=np.int64))
    queries = list(mapping) + extra
    got = table.get(np.array(queries, dtype=np.int64))
    assert got.tolist() == [mapping.get(q, -1) for q in queries]
    assert len(table) == len(mapping)


def test_colliding_keys_are_all_found():
    keys = np.arange(0, 2**20, 2**14, dtype=np.int64)  # many share their top hash bits' neighbours
    table = IntTable(keys, keys * 3)
    assert table.get(keys).tolist() == (keys * 3).tolist()
    assert table.get(keys + 1).tolist() == [-1] * len(keys)
    assert table.get(np.zeros(0, dtype=np.int64)).tolist() == []


def test_bad_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        IntTable(np.array([1, 1]), np.array([2, 3]))
    with pytest.raises(ValueError, match="non-negative"):
        IntTable(np.array([-1]), np.array([2]))
    with pytest.raises(ValueError, match="same length"):
        IntTable(np.array([1, 2]), np.array([2]))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.dictionaries(st.integers(0, 2**62), st.integers(0, 2**40), max_size=200),
       st.lists(st.tuples(st.integers(0, 2**62), st.integers(0, 2**40)), max_size=200))
def test_added_equals_a_dict_updated_with_new_keys_only(mapping, items):
    table = IntTable(np.array(list(mapping), dtype=np.int64), np.array(list(mapping.values()), dtype=np.int64))
    grown = table.added(np.array([k for k, _ in items], dtype=np.int64), np.array([v for _, v in items], dtype=np.int64))
    expected = dict(mapping)
    for k, v in items:
        expected.setdefault(k, v)
    queries = list(expected) + [k + 1 for k in expected]
    assert grown.get(np.array(queries, dtype=np.int64)).tolist() == [expected.get(q, -1) for q in queries]
    assert len(grown) == len(expected)
    assert table.get(np.array(list(mapping), dtype=np.int64)).tolist() == list(mapping.values())  # unchanged
    assert len(table) == len(mapping)


def test_added_grows_past_a_third_full():
    table = IntTable(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    for start in range(0, 5000, 500):
        keys = np.arange(start, start + 500, dtype=np.int64) * 7919
        table = table.added(keys, keys + 1)
    keys = np.arange(5000, dtype=np.int64) * 7919
    assert table.get(keys).tolist() == (keys + 1).tolist()
    assert len(table) == 5000 and 3 * len(table) < len(table._slots)
