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
give the same answers. All those characters are non-ASCII, so they sit inside chunks (below):
each chunk is checked once, when first seen, and a text is left out if one of its chunks is odd.
Normalisation cannot join a chunk to the ASCII around it unless the chunk starts with a character
that composes with the one before it (``<`` + U+0338 is ``≮``): such a chunk counts as odd too.

The split itself avoids the regex engine: the batch is encoded as UTF-8, ASCII non-word bytes are
blanked with ``bytes.translate`` and numpy cuts it into chunks at the blanks. A chunk is usually
one run; one holding a non-ASCII non-word character (``l’immigration``, ``«``) is split by the
regex once, when first seen, and the table remembers its runs (possibly none, possibly several).
Known chunks of up to 16 bytes (nearly all of them) are found by numpy too: their bytes, packed
in two 64-bit words with their length, are an exact key in a hash table, so no Python object is
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
_ODD = -3  # a chunk the shared runs cannot serve: its text takes the separate paths
_MULTI = -4  # chunk values <= _MULTI stand for entry _MULTI - value of the several-run list
_LOWER_IS_LOCAL = "\u03a3"  # capital sigma: the one letter whose lower case depends on its neighbours
LONGER_LOWER = "\u0130"  # the letters whose lower case is longer (İ -> i + combining dot); a test checks
_MISSING = -1
_BLANK = 32
PACKED_BYTES = 16  # chunks up to this long are found by their packed bytes
_PACK_AT_LEAST = 1024  # new short chunks wait in a dict until this many (or an eighth of the table)
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [2**64 - 1], dtype=np.uint64)  # keep the low i bytes

#: What a consumer derives from new runs: column name -> array with one row per run.
Derive = Callable[[list[str]], dict[str, np.ndarray]]


def fits(text: str) -> bool:
    """Whether the shared runs give exactly the separate paths' answers for this text (the rule
    itself; :meth:`RunTable.split` applies it chunk by chunk, leaving out at least every text
    that does not fit, which the tests check)."""
    return (not any(c in text for c in BOUNDARY_CHANGERS) and unicodedata.is_normalized("NFC", text)
            and _LOWER_IS_LOCAL not in text and not any(c in text for c in LONGER_LOWER)
            and not text.isupper())


#: Characters that compose with the character before them in NFC (the second character of a
#: two-character canonical decomposition, and the Hangul vowel and final jamo); a test checks.
COMPOSES_WITH_PREVIOUS = "".join(chr(c) for lo, hi in (
    (0x300, 0x304), (0x306, 0x30C), (0x30F, 0x30F), (0x311, 0x311), (0x313, 0x314), (0x31B, 0x31B),
    (0x323, 0x328), (0x32D, 0x32E), (0x330, 0x331), (0x338, 0x338), (0x342, 0x342), (0x345, 0x345),
    (0x5B4, 0x5B4), (0x5B7, 0x5B9), (0x5BC, 0x5BC), (0x5BF, 0x5BF), (0x5C1, 0x5C2), (0x653, 0x655),
    (0x93C, 0x93C), (0x9BC, 0x9BC), (0x9BE, 0x9BE), (0x9D7, 0x9D7), (0xA3C, 0xA3C), (0xB3C, 0xB3C),
    (0xB3E, 0xB3E), (0xB56, 0xB57), (0xBBE, 0xBBE), (0xBD7, 0xBD7), (0xC56, 0xC56), (0xCC2, 0xCC2),
    (0xCD5, 0xCD6), (0xD3E, 0xD3E), (0xD57, 0xD57), (0xDCA, 0xDCA), (0xDCF, 0xDCF), (0xDDF, 0xDDF),
    (0xF72, 0xF72), (0xF74, 0xF74), (0xF80, 0xF80), (0xFB5, 0xFB5), (0xFB7, 0xFB7), (0x102E, 0x102E),
    (0x1161, 0x1175), (0x11A8, 0x11C2), (0x1B35, 0x1B35), (0x3099, 0x309A), (0x110BA, 0x110BA),
    (0x11127, 0x11127), (0x1133E, 0x1133E), (0x11357, 0x11357), (0x114B0, 0x114B0), (0x114BA, 0x114BA),
    (0x114BD, 0x114BD), (0x115AF, 0x115AF), (0x11930, 0x11930), (0x1D165, 0x1D165), (0x1D16E, 0x1D172))
    for c in range(lo, hi + 1))


def _odd_chunk(chunk: str) -> bool:
    """Whether a chunk keeps its text off the shared runs (see the module notes): it holds a
    character :func:`fits` refuses, is not NFC, or starts with a character that composes backwards."""
    if chunk.isascii():
        return False
    return (chunk[0] in COMPOSES_WITH_PREVIOUS or not unicodedata.is_normalized("NFC", chunk)
            or any(c in chunk for c in BOUNDARY_CHANGERS) or _LOWER_IS_LOCAL in chunk
            or any(c in chunk for c in LONGER_LOWER))


def _encode(text: str) -> bytes:
    """UTF-8 bytes of any str (lone surrogates included, so no input makes the split fail)."""
    return text.encode("utf-8", "surrogatepass")


def _chunk_spans(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the chunks (maximal runs of non-blank bytes) of blanked bytes
    that begin and end with a blank."""
    filled = np.frombuffer(data, dtype=np.uint8) != _BLANK
    edges = np.flatnonzero(filled[1:] != filled[:-1]) + 1
    return edges[0::2], edges[1::2]


def _packed_keys(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each chunk as an exact three-word key: its first 16 bytes as two little-endian 64-bit
    words, zero past its end, and its length (n x 3, int64)."""
    padded = data + bytes(PACKED_BYTES)
    words = np.ndarray((len(data) + PACKED_BYTES - 7,), dtype="<u8", buffer=padded, strides=(1,))  # one per offset
    keys = np.empty((len(starts), 3), dtype=np.uint64)
    np.bitwise_and(words[starts], _MASKS[np.minimum(lengths, 8)], out=keys[:, 0])
    np.bitwise_and(words[starts + 8], _MASKS[np.clip(lengths - 8, 0, 8)], out=keys[:, 1])
    keys[:, 2] = lengths
    return keys.view(np.int64)


class _Packed:
    """Known chunks of at most :data:`PACKED_BYTES` bytes by their packed keys (copied when added to)."""

    def __init__(self, table: IntTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    @classmethod
    def of(cls, chunks: dict[bytes, int]) -> _Packed:
        """The short chunks of ``chunks`` (chunk -> value), and the separator."""
        return cls(IntTable(np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64))).added(
            {_SEP_CHUNK: _SEP_ROW, **chunks})

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The value of each packed chunk, ``_MISSING`` where it is not known."""
        return self._table.get(keys, _MISSING)

    def added(self, chunks: dict[bytes, int]) -> _Packed:
        """A copy that also knows the chunks of at most :data:`PACKED_BYTES` bytes of ``chunks``."""
        short = [c for c in chunks if len(c) <= PACKED_BYTES]
        if not short:
            return self
        data = b" " + b" ".join(short) + b" "
        starts, ends = _chunk_spans(data)
        keys = _packed_keys(data, starts, ends - starts)
        return _Packed(self._table.added(keys, np.array([chunks[c] for c in short], dtype=np.int64)))


@dataclass
class _State:
    """Known runs and chunks; columns and lists only grow, so readers never see a gap.

    ``chunks`` maps a chunk to its run's row, to ``_ODD``, to ``_SEP_ROW``, or to ``_MULTI - k``
    for the ``k``-th chunk that is not exactly one run (its rows: ``multi_rows[multi_start[k]:][:multi_len[k]]``);
    ``packed`` holds the same values for the short chunks, but for the latest ones (``unpacked``),
    which it takes in bulk (copying it for each new chunk would cost more than the dict lookups).
    The columns have room for ``capacity`` runs; the rows past the known runs are not read.
    """

    columns: dict[str, np.ndarray]
    runs: dict[str, int] = field(default_factory=dict)
    chunks: dict[bytes, int] = field(default_factory=lambda: {_SEP_CHUNK: _SEP_ROW})
    packed: _Packed = field(default_factory=lambda: _Packed.of({}))
    unpacked: dict[bytes, int] = field(default_factory=dict)
    capacity: int = 0
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
        odd = [i for i, upper in enumerate(map(str.isupper, texts)) if upper]
        joined = _JOIN.join(texts)
        if joined.count(SEPARATOR) != max(len(texts) - 1, 0):  # a text holds the separator
            odd = sorted(set(odd).union(i for i, t in enumerate(texts) if SEPARATOR in t))
        kept = list(range(len(texts)))
        if odd:
            skip = set(odd)
            kept = [i for i in kept if i not in skip]
            texts = [texts[i] for i in kept]
            joined = _JOIN.join(texts)
        data = _encode(f" {joined} ").translate(_BLANK_ASCII)
        starts, ends = _chunk_spans(data)
        lengths = ends - starts
        state = self._current()
        values = np.full(len(starts), _MISSING, dtype=np.int64)
        short = np.flatnonzero(lengths <= PACKED_BYTES)
        values[short] = state.packed.find(_packed_keys(data, starts[short], lengths[short]))
        missing = np.flatnonzero(values == _MISSING)  # long chunks and new ones
        if missing.size:
            chunks = [data[a:b] for a, b in zip(starts[missing].tolist(), ends[missing].tolist())]
            known = state.chunks
            new = [c for c in chunks if c not in known]
            if new:
                self._add(state, list(dict.fromkeys(new)))
            values[missing] = [known[c] for c in chunks]
        rows = self._expand(state, values)
        doc = np.cumsum(rows == _SEP_ROW)  # the text of each chunk's runs
        is_run = rows >= 0
        odd_chunks = rows == _ODD
        if not odd_chunks.any():
            return RunBatch(len(texts), doc[is_run], rows[is_run], state.columns), odd
        served = np.ones(len(texts), dtype=bool)  # leave out the texts holding an odd chunk
        served[doc[odd_chunks]] = False
        is_run &= served[doc]
        number = np.cumsum(served) - 1  # a served text's number among the served ones
        odd = sorted([*odd, *(kept[i] for i in np.flatnonzero(~served).tolist())])
        return RunBatch(int(served.sum()), number[doc[is_run]], rows[is_run], state.columns), odd

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
            odd = [_odd_chunk(t) for t in texts]
            found = [[] if o else _RUN.findall(t) for t, o in zip(texts, odd)]
            runs = state.runs
            new = list(dict.fromkeys(r for rs in found for r in rs if r not in runs))
            if new:
                self._extend_columns(state, self._derive(new))
                runs.update(zip(new, range(len(runs), len(runs) + len(new))))
            values: list[int] = []
            starts, lens, rows = [], [], []
            n_multi, n_rows = len(state.multi_len), len(state.multi_rows)
            for text, rs, is_odd in zip(texts, found, odd):
                if is_odd:
                    values.append(_ODD)
                    continue
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
            state.unpacked.update((c, v) for c, v in zip(chunks, values) if len(c) <= PACKED_BYTES)
            if len(state.unpacked) >= max(_PACK_AT_LEAST, len(state.packed) // 8):
                state.packed = state.packed.added(state.unpacked)
                state.unpacked = {}
            state.chunks.update(zip(chunks, values))

    @staticmethod
    def _extend_columns(state: _State, derived: dict[str, np.ndarray]) -> None:
        """Write the columns of new runs after the known ones, growing the arrays by doubling
        (a reader indexes only rows it knows, so rows written in place are never half-seen)."""
        size = len(state.runs)
        need = size + len(next(iter(derived.values()))) if derived else size
        columns = state.columns
        if need > state.capacity:
            state.capacity = max(need, 2 * state.capacity, 1024)
            columns = {}
            for name, values in derived.items():
                columns[name] = np.zeros((state.capacity, *values.shape[1:]), dtype=values.dtype)
                columns[name][:size] = state.columns[name][:size]
        for name, values in derived.items():
            columns[name][size:need] = values
        state.columns = columns
