"""A read-only map from integer keys to int64 values, for whole numpy arrays of queries.

Open addressing with linear probing: each slot holds a key and its value side by side, so a
query costs one or two random reads, done for all queries together in a few numpy passes (a
sorted array with ``np.searchsorted`` costs a binary search, about 16 reads, per query). A key is
one int64 or a row of several (the packed bytes of a word, say). A table never changes once
built: :meth:`IntTable.added` returns a larger copy, so readers in other threads always see a
whole table.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: multiply, keep the top bits
_MIX = (np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9), np.uint64(0xFF51AFD7ED558CCD))
_EMPTY = -1  # in a slot's last key word (last key words are non-negative)


def _as_keys(keys: np.ndarray) -> np.ndarray:
    """Keys as a 2-d int64 array, one row per key (a 1-d array is one word per key)."""
    keys = np.asarray(keys)
    if keys.dtype == np.uint64:
        keys = keys.view(np.int64)
    keys = keys.astype(np.int64, copy=False)
    return keys.reshape(-1, 1) if keys.ndim == 1 else keys


def _checked(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys (2-d) and values as int64 arrays; refused unless there is one value per key and
    every key's last word is non-negative."""
    values = np.asarray(values, dtype=np.int64)
    if np.ndim(keys) not in (1, 2) or values.ndim != 1 or len(keys) != len(values):
        raise ValueError("keys and values must be arrays of the same length (keys: 1-d, or 2-d rows)")
    keys = _as_keys(keys)
    if len(keys) and keys[:, -1].min() < 0:
        raise ValueError("keys must be non-negative (in their last word)")
    return keys, values


class IntTable:
    """Map integer keys (int64, or rows of int64 words) to int64 values; :meth:`get` answers a
    whole array of queries."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys, values = _checked(keys, values)
        if len(np.unique(keys, axis=0)) != len(keys):
            raise ValueError("keys must be unique")
        self._allocate(len(keys), keys.shape[1])
        self._place(keys, values)

    def _allocate(self, n: int, width: int) -> None:
        """Empty slots (key words, then the value) for ``n`` keys, at most a third full."""
        self._width = width
        self._bits = max(4, (3 * n).bit_length())
        self._mask = (1 << self._bits) - 1
        self._slots = np.full((1 << self._bits, width + 1), _EMPTY, dtype=np.int64)
        self._size = 0

    def _home(self, keys: np.ndarray) -> np.ndarray:
        """First slot to try for each key (2-d keys)."""
        words = keys.view(np.uint64)
        h = words[:, 0].copy()
        for i in range(1, words.shape[1]):
            h ^= words[:, i] * _MIX[(i - 1) % len(_MIX)]
            h ^= h >> np.uint64(29)
        h *= _GOLDEN
        h >>= np.uint64(64 - self._bits)
        return h.view(np.int64)

    def _matches(self, slots: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Which slots hold which keys (row by row)."""
        hit = slots[:, 0] == keys[:, 0]
        for i in range(1, self._width):
            hit &= slots[:, i] == keys[:, i]
        return hit

    def _place(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Put distinct keys in their slots; a key already in the table keeps its value."""
        if keys.shape[1] != self._width:
            raise ValueError(f"keys of {keys.shape[1]} words for a table of {self._width}-word keys")
        pos = self._home(keys)
        pending = np.arange(len(keys))
        slots, w = self._slots, self._width
        while pending.size:  # place every key whose slot is free (the first one if several want it)
            pending = pending[~self._matches(np.take(slots, pos[pending], axis=0), keys[pending])]  # already there
            want = pos[pending]
            free = slots[want, w - 1] == _EMPTY
            _, first = np.unique(want[free], return_index=True)
            placed = pending[free][first]
            slots[pos[placed], :w] = keys[placed]
            slots[pos[placed], w] = values[placed]
            self._size += len(placed)
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            pos[pending] = (pos[pending] + 1) & self._mask  # the rest try the next slot

    def added(self, keys: np.ndarray, values: np.ndarray) -> IntTable:
        """A new table holding this one's items and these (keys already present keep their value;
        of repeated new keys the first counts). This table is left unchanged."""
        keys, values = _checked(keys, values)
        keys, first = np.unique(keys, axis=0, return_index=True)
        values = values[first]
        new = object.__new__(IntTable)
        if 3 * (self._size + len(keys)) < len(self._slots):
            new._width, new._bits, new._mask, new._size = self._width, self._bits, self._mask, self._size
            new._slots = self._slots.copy()
        else:
            used = self._slots[:, -2] != _EMPTY
            new._allocate(self._size + len(keys), self._width)
            new._place(self._slots[used, :-1], self._slots[used, -1])
        new._place(keys, values)
        return new

    def __len__(self) -> int:
        return self._size

    def get(self, queries: np.ndarray, default: int = -1) -> np.ndarray:
        """The value of each query key, ``default`` where the key is absent."""
        queries = _as_keys(queries)
        pos = self._home(queries)
        slots = np.take(self._slots, pos, axis=0)  # whole rows: much faster than fancy indexing
        hit = self._matches(slots, queries)
        out = np.where(hit, slots[:, -1], default)  # most keys sit in their first slot
        active = np.flatnonzero(~hit & (slots[:, -2] != _EMPTY))
        pos = (pos[active] + 1) & self._mask
        while active.size:  # the others: the next slots, until their key or an empty slot
            slots = np.take(self._slots, pos, axis=0)
            hit = self._matches(slots, queries[active])
            out[active[hit]] = slots[hit, -1]
            go_on = ~hit & (slots[:, -2] != _EMPTY)
            active, pos = active[go_on], (pos[go_on] + 1) & self._mask
        return out
