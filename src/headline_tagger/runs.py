"""Word runs: one tokenisation pass per batch, shared by language detection and theme features.

A batch is split once into runs of word characters (``\\w+``). Each distinct run gets a row in a
table, and what the language table and the theme model need from it (per-language scores,
theme-feature columns) is worked out once per run and cached, so a batch costs one split and
one dict lookup per chunk instead of two regex passes, two lookups per word and normalising the
whole text. Both consumers read the same runs their own tokenisers would have found:

* language words are the letter runs of NFC, lower-cased text, and each lies inside one run
  (lower-casing a run alone gives the same letters, except where the length changes or for the
  capital sigma, whose lower case depends on its neighbours);
* theme tokens are the runs of two or more word characters of normalised text: acronym marks
  depend only on the run, and folding maps word characters to word characters and the rest to
  the rest, except for the few characters of :data:`~headline_tagger.features.BOUNDARY_CHANGERS`.

So the shared path is exact only for NFC text without the separator, those characters, a capital
sigma or a letter whose lower case is longer, and not written in capitals throughout (whose short
words are not acronyms: the one rule that depends on the whole text); :meth:`RunTable.split`
leaves any other text out and lists it, and the caller tags it through the separate paths, which
give the same answers.

The split itself avoids the regex engine: the batch is encoded as UTF-8, ASCII non-word bytes are
blanked with ``bytes.translate`` and numpy cuts it into chunks at the blanks. A chunk is usually
one run; one holding a non-ASCII non-word character (``l’immigration``, ``«``) is split by the
regex once, when first seen, and the table remembers its runs (possibly none, possibly several).
Known chunks of up to 16 bytes (nearly all of them) are found by numpy too: their bytes, packed
in two 64-bit words, are looked up in a hash table and compared whole, so no Python object is
made per chunk; longer or new chunks go through a dict of their bytes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .features import BOUNDARY_CHANGERS
from .inttable import IntTable

#: Separator between the texts of a batch (a control character: never inside a run).
SEPARATOR = "\x00"
_JOIN = f" {SEPARATOR} "  # blanks around it make it a chunk of its own
_SEP_CHUNK = SEPARATOR.encode()
_RUN = re.compile(r"\w+")
#: ASCII bytes that are not word characters (all but letters, digits, "_") become spaces; the
#: separator and the bytes of non-ASCII characters are kept.
_BLANK_ASCII = bytes(b if b == 0 or chr(b).isalnum() or b == ord("_") else 32 for b in range(128)) + bytes(range(128, 256))
_SEP_ROW = -2
_MULTI = -3  # chunk values <= _MULTI stand for entry _MULTI - value of the several-run list
_LOWER_IS_LOCAL = "\u03a3"  # capital sigma: the one letter whose lower case depends on its neighbours
LONGER_LOWER = "\u0130"  # the letters whose lower case is longer (İ -> i + combining dot); a test checks
_MISSING = -1
_BLANK = 32
PACKED_BYTES = 16  # chunks up to this long are found by their packed bytes
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [2**64 - 1], dtype=np.uint64)  # keep the low i bytes
_MIX = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xFF51AFD7ED558CCD))

#: What a consumer derives from new runs: column name -> array with one row per run.
Derive = Callable[[list[str]], dict[str, np.ndarray]]


def fits(text: str) -> bool:
    """Whether the shared runs give exactly the separate paths' answers for this text.

    For texts joined by :data:`SEPARATOR`, ``fits(joined)`` means every text fits except
    possibly by being in capitals throughout, which :meth:`RunTable.split` checks text by text.
    """
    return (not any(c in text for c in BOUNDARY_CHANGERS) and unicodedata.is_normalized("NFC", text)
            and _LOWER_IS_LOCAL not in text and not any(c in text for c in LONGER_LOWER)
            and not text.isupper())


def _odd_texts(texts: list[str], lo: int, hi: int) -> list[int]:
    """Positions of the texts in ``texts[lo:hi]`` the shared runs cannot serve, by halving: a
    slice whose joined text fits is done in one check (odd texts are rare; most batches have none)."""
    joined = SEPARATOR.join(texts[lo:hi])
    if joined.count(SEPARATOR) == max(hi - lo - 1, 0) and fits(joined):
        return []
    if hi - lo == 1:
        return [lo]
    mid = (lo + hi) // 2
    return _odd_texts(texts, lo, mid) + _odd_texts(texts, mid, hi)


def _encode(text: str) -> bytes:
    """UTF-8 bytes of any str (lone surrogates included, so no input makes the split fail)."""
    return text.encode("utf-8", "surrogatepass")


def _chunk_spans(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the chunks (maximal runs of non-blank bytes) of blanked bytes
    that begin and end with a blank."""
    filled = np.frombuffer(data, dtype=np.uint8) != _BLANK
    edges = np.flatnonzero(filled[1:] != filled[:-1]) + 1
    return edges[0::2], edges[1::2]


def _packed_words(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each chunk's bytes 0-7 and 8-15 as little-endian 64-bit words, zero past its end."""
    padded = data + bytes(PACKED_BYTES)
    words = np.ndarray((len(data) + PACKED_BYTES - 7,), dtype="<u8", buffer=padded, strides=(1,))  # one per offset
    return (words[starts] & _MASKS[np.minimum(lengths, 8)],
            words[starts + 8] & _MASKS[np.clip(lengths - 8, 0, 8)])


def _mix(low: np.ndarray, high: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A 63-bit hash of packed chunks (only a hint: entries are checked against the words)."""
    h = (low * _MIX[0]) ^ (high * _MIX[1]) ^ (lengths.astype(np.uint64) * _MIX[2])
    h ^= h >> np.uint64(31)
    h *= _MIX[3]
    return (h >> np.uint64(1)).astype(np.int64)


@dataclass(frozen=True)
class _Packed:
    """Known chunks of at most :data:`PACKED_BYTES` bytes, by their packed bytes: a hash table
    from :func:`_mix` to an entry, and each entry's words, length and value (copied when added to).
    Entry 0 is always the batch separator, so an entry lookup never meets an empty array."""

    table: IntTable
    low: np.ndarray
    high: np.ndarray
    lengths: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, chunks: dict[bytes, int]) -> _Packed:
        """The short chunks of ``chunks`` (chunk -> value), after the separator."""
        none = np.zeros(0, dtype=np.int64)
        empty = cls(IntTable(none, none), none.astype(np.uint64), none.astype(np.uint64), none, none)
        return empty.added({_SEP_CHUNK: _SEP_ROW, **chunks})

    def find(self, low: np.ndarray, high: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The value of each packed chunk, ``_MISSING`` where it is not known."""
        entry = self.table.get(_mix(low, high, lengths))
        found = entry >= 0
        e = np.where(found, entry, 0)
        found &= (self.low[e] == low) & (self.high[e] == high) & (self.lengths[e] == lengths)
        return np.where(found, self.values[e], _MISSING)

    def added(self, chunks: dict[bytes, int]) -> _Packed:
        """A copy that also knows the chunks of at most :data:`PACKED_BYTES` bytes of ``chunks``.
        A chunk whose hash an entry already holds stays out (the dict still finds it)."""
        short = [c for c in chunks if len(c) <= PACKED_BYTES]
        if not short:
            return self
        data = b" " + b" ".join(short) + b" "
        starts, ends = _chunk_spans(data)
        lengths = (ends - starts).astype(np.int64)
        low, high = _packed_words(data, starts, lengths)
        first = len(self.values)
        return _Packed(self.table.added(_mix(low, high, lengths), np.arange(first, first + len(short))),
                       np.concatenate([self.low, low]), np.concatenate([self.high, high]),
                       np.concatenate([self.lengths, lengths]),
                       np.concatenate([self.values, np.array([chunks[c] for c in short], dtype=np.int64)]))


@dataclass
class _State:
    """Known runs and chunks; columns and lists only grow, so readers never see a gap.

    ``chunks`` maps a chunk to its run's row, to ``_SEP_ROW``, or to ``_MULTI - k`` for the
    ``k``-th chunk that is not exactly one run (its rows: ``multi_rows[multi_start[k]:][:multi_len[k]]``);
    ``packed`` holds the same values for the short chunks.
    """

    columns: dict[str, np.ndarray]
    runs: dict[str, int] = field(default_factory=dict)
    chunks: dict[bytes, int] = field(default_factory=lambda: {_SEP_CHUNK: _SEP_ROW})
    packed: _Packed = field(default_factory=lambda: _Packed.of({}))
    multi_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    multi_len: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    multi_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        return len(self.runs)


@dataclass(frozen=True)
class RunBatch:
    """The runs of a batch: for each run occurrence its text (``doc``) and table row (``row``)."""

    n_texts: int
    doc: np.ndarray
    row: np.ndarray
    columns: dict[str, np.ndarray]

    def occurrences(self, name: str) -> np.ndarray:
        """Column ``name`` for every run occurrence, in text order."""
        return self.columns[name][self.row]


class RunTable:
    """The distinct runs seen so far, with the columns ``derive`` gives for them (thread-safe).

    The table is bounded: past ``limit`` runs the next batch starts a fresh one, so memory stays
    flat on endless streams while a news vocabulary (a few tens of thousands of runs) stays warm.
    """

    def __init__(self, derive: Derive, limit: int = 100_000) -> None:
        self._derive = derive
        self._limit = limit
        self._lock = threading.Lock()
        self._state = _State(derive([]))

    def split(self, texts: list[str]) -> tuple[RunBatch, list[int]]:
        """The runs of ``texts``, leaving out (and listing) the texts the shared path cannot serve."""
        odd = _odd_texts(texts, 0, len(texts))
        shouting = [i for i, upper in enumerate(map(str.isupper, texts)) if upper]
        if shouting:
            odd = sorted(set(odd).union(shouting))
        if odd:
            skip = set(odd)
            texts = [t for i, t in enumerate(texts) if i not in skip]
        data = _encode(f" {_JOIN.join(texts)} ").translate(_BLANK_ASCII)
        starts, ends = _chunk_spans(data)
        lengths = ends - starts
        state = self._current()
        values = np.full(len(starts), _MISSING, dtype=np.int64)
        short = np.flatnonzero(lengths <= PACKED_BYTES)
        values[short] = state.packed.find(*_packed_words(data, starts[short], lengths[short]), lengths[short])
        missing = np.flatnonzero(values == _MISSING)  # long chunks and new ones
        if missing.size:
            chunks = [data[a:b] for a, b in zip(starts[missing].tolist(), ends[missing].tolist())]
            known = state.chunks
            new = [c for c in chunks if c not in known]
            if new:
                self._add(state, list(dict.fromkeys(new)))
            values[missing] = [known[c] for c in chunks]
        rows = self._expand(state, values)
        is_run = rows != _SEP_ROW
        return RunBatch(len(texts), np.cumsum(~is_run)[is_run], rows[is_run], state.columns), odd

    @staticmethod
    def _expand(state: _State, values: np.ndarray) -> np.ndarray:
        """Rows of the runs of chunks, in order: chunks that are not exactly one run are replaced
        by their list of rows (which may be empty)."""
        multi = np.flatnonzero(values <= _MULTI)
        if not multi.size:
            return values
        k = _MULTI - values[multi]
        lens = state.multi_len[k]
        counts = np.ones(len(values), dtype=np.int64)
        counts[multi] = lens
        rows = np.repeat(values, counts)
        within = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        first = np.cumsum(counts)[multi] - lens  # where each several-run chunk's rows go
        rows[np.repeat(first, lens) + within] = state.multi_rows[np.repeat(state.multi_start[k], lens) + within]
        return rows

    def _current(self) -> _State:
        """The live state, replaced by an empty one once it holds more than ``limit`` runs or chunks."""
        state = self._state
        if state.size > self._limit or len(state.chunks) > self._limit:
            with self._lock:
                if self._state is state:
                    self._state = _State(self._derive([]))
                state = self._state
        return state

    def _add(self, state: _State, chunks: list[bytes]) -> None:
        """Register new chunks: derive and append the columns of their new runs, then the
        several-run lists, then the chunk index (so a reader that finds a chunk finds its rows)."""
        with self._lock:
            chunks = [c for c in chunks if c not in state.chunks]
            if not chunks:
                return
            texts = [c.decode("utf-8", "surrogatepass") for c in chunks]
            found = [_RUN.findall(t) for t in texts]
            runs = state.runs
            new = list(dict.fromkeys(r for rs in found for r in rs if r not in runs))
            if new:
                derived = self._derive(new)
                state.columns = {k: np.concatenate([state.columns[k], v]) for k, v in derived.items()}
                runs.update(zip(new, range(len(runs), len(runs) + len(new))))
            values: list[int] = []
            starts, lens, rows = [], [], []
            n_multi, n_rows = len(state.multi_len), len(state.multi_rows)
            for text, rs in zip(texts, found):
                if len(rs) == 1 and rs[0] == text:
                    values.append(runs[text])
                    continue
                values.append(_MULTI - n_multi - len(lens))
                starts.append(n_rows + len(rows))
                lens.append(len(rs))
                rows.extend(runs[r] for r in rs)
            if lens:
                state.multi_rows = np.concatenate([state.multi_rows, np.array(rows, dtype=np.int64)])
                state.multi_start = np.concatenate([state.multi_start, np.array(starts, dtype=np.int64)])
                state.multi_len = np.concatenate([state.multi_len, np.array(lens, dtype=np.int64)])
            state.packed = state.packed.added(dict(zip(chunks, values)))
            state.chunks.update(zip(chunks, values))
