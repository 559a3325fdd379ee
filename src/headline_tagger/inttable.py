"""A read-only int -> int map for whole numpy arrays of queries (open addressing, linear probing).

The batch path looks up hundreds of thousands of word-pair keys at once. A sorted array with
``np.searchsorted`` costs a binary search per key (about 16 random reads); a table at most
a third full costs one or two reads per key, done for all keys together in a few numpy passes.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits
_EMPTY = -1


class IntTable:
    """Map non-negative int64 keys to int64 values; :meth:`get` answers a whole array of queries."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        if keys.shape != values.shape or keys.ndim != 1:
            raise ValueError("keys and values must be 1-d arrays of the same length")
        if len(keys) and keys.min() < 0:
            raise ValueError("keys must be non-negative")
        if len(np.unique(keys)) != len(keys):
            raise ValueError("keys must be unique")
        self._bits = max(4, (3 * len(keys)).bit_length())
        self._mask = (1 << self._bits) - 1
        self._keys = np.full(1 << self._bits, _EMPTY, dtype=np.int64)
        self._values = np.full(1 << self._bits, _EMPTY, dtype=np.int64)
        pos = self._home(keys)
        pending = np.arange(len(keys))
        while pending.size:  # place every key whose slot is free (the first one if several want it)
            want = pos[pending]
            free = self._keys[want] == _EMPTY
            _, first = np.unique(want[free], return_index=True)
            placed = pending[free][first]
            self._keys[pos[placed]] = keys[placed]
            self._values[pos[placed]] = values[placed]
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            pos[pending] = (pos[pending] + 1) & self._mask  # the rest try the next slot

    def __len__(self) -> int:
        return int((self._keys != _EMPTY).sum())

    def _home(self, keys: np.ndarray) -> np.ndarray:
        """First slot to try for each key."""
        return ((keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - self._bits)).astype(np.int64)

    def get(self, queries: np.ndarray, default: int = -1) -> np.ndarray:
        """The value of each query key, ``default`` where the key is absent."""
        queries = np.asarray(queries, dtype=np.int64)
        out = np.full(len(queries), default, dtype=np.int64)
        active = np.arange(len(queries))
        pos = self._home(queries)
        while active.size:
            found = self._keys[pos]
            hit = found == queries[active]
            out[active[hit]] = self._values[pos[hit]]
            go_on = ~hit & (found != _EMPTY)
            active = active[go_on]
            pos = (pos[go_on] + 1) & self._mask
        return out
