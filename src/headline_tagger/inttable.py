"""A read-only int -> int map for whole numpy arrays of queries (open addressing, linear probing).

The batch path looks up hundreds of thousands of keys at once. A sorted array with
``np.searchsorted`` costs a binary search per key (about 16 random reads); a table at most
a third full costs one or two reads per key, done for all keys together in a few numpy passes.
A table never changes once built: :meth:`IntTable.added` returns a larger copy, so readers in
other threads always see a whole table.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits
_EMPTY = -1


def _checked(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys and values as int64 arrays, refused unless 1-d, of one length, keys non-negative."""
    keys = np.asarray(keys, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    if keys.shape != values.shape or keys.ndim != 1:
        raise ValueError("keys and values must be 1-d arrays of the same length")
    if len(keys) and keys.min() < 0:
        raise ValueError("keys must be non-negative")
    return keys, values


class IntTable:
    """Map non-negative int64 keys to int64 values; :meth:`get` answers a whole array of queries."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys, values = _checked(keys, values)
        if len(np.unique(keys)) != len(keys):
            raise ValueError("keys must be unique")
        self._allocate(len(keys))
        self._place(keys, values)

    def _allocate(self, n: int) -> None:
        """Empty slots for ``n`` keys, at most a third full."""
        self._bits = max(4, (3 * n).bit_length())
        self._mask = (1 << self._bits) - 1
        self._keys = np.full(1 << self._bits, _EMPTY, dtype=np.int64)
        self._values = np.full(1 << self._bits, _EMPTY, dtype=np.int64)
        self._size = 0

    def _place(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Put distinct keys in their slots; a key already in the table keeps its value."""
        pos = self._home(keys)
        pending = np.arange(len(keys))
        while pending.size:  # place every key whose slot is free (the first one if several want it)
            want = pos[pending]
            found = self._keys[want]
            pending = pending[found != keys[pending]]  # drop the keys already there
            want = pos[pending]
            free = self._keys[want] == _EMPTY
            _, first = np.unique(want[free], return_index=True)
            placed = pending[free][first]
            self._keys[pos[placed]] = keys[placed]
            self._values[pos[placed]] = values[placed]
            self._size += len(placed)
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            pos[pending] = (pos[pending] + 1) & self._mask  # the rest try the next slot

    def added(self, keys: np.ndarray, values: np.ndarray) -> IntTable:
        """A new table holding this one's items and these (keys already present keep their value;
        of repeated new keys the first counts). This table is left unchanged."""
        keys, values = _checked(keys, values)
        keys, first = np.unique(keys, return_index=True)
        values = values[first]
        new = object.__new__(IntTable)
        if 3 * (self._size + len(keys)) < (1 << self._bits):
            new._bits, new._mask, new._size = self._bits, self._mask, self._size
            new._keys, new._values = self._keys.copy(), self._values.copy()
        else:
            used = self._keys != _EMPTY
            new._allocate(self._size + len(keys))
            new._place(self._keys[used], self._values[used])
        new._place(keys, values)
        return new

    def __len__(self) -> int:
        return self._size

    def _home(self, keys: np.ndarray) -> np.ndarray:
        """First slot to try for each key."""
        home = keys.view(np.uint64) * _GOLDEN  # keys are non-negative int64: the same bits
        home >>= np.uint64(64 - self._bits)
        return home.view(np.int64)

    def get(self, queries: np.ndarray, default: int = -1) -> np.ndarray:
        """The value of each query key, ``default`` where the key is absent."""
        queries = np.asarray(queries, dtype=np.int64)
        pos = self._home(queries)
        found = self._keys[pos]
        hit = found == queries
        out = np.where(hit, self._values[pos], default)  # most keys sit in their first slot
        active = np.flatnonzero(~hit & (found != _EMPTY))
        pos = (pos[active] + 1) & self._mask
        while active.size:
            found = self._keys[pos]
            hit = found == queries[active]
            out[active[hit]] = self._values[pos[hit]]
            go_on = ~hit & (found != _EMPTY)
            active = active[go_on]
            pos = (pos[go_on] + 1) & self._mask
        return out
