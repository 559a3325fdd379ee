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
blanked with ``bytes.translate`` and ``bytes.split`` cuts it into chunks. A chunk is usually one
run; one holding a non-ASCII non-word character (``l’immigration``, ``«``) is split by the regex
once, when first seen, and the table remembers its runs (possibly none, possibly several).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from .features import BOUNDARY_CHANGERS

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


@dataclass
class _State:
    """Known runs and chunks; columns and lists only grow, so readers never see a gap.

    ``chunks`` maps a chunk to its run's row, to ``_SEP_ROW``, or to ``_MULTI - k`` for the
    ``k``-th chunk that is not exactly one run (its rows: ``multi_rows[multi_start[k]:][:multi_len[k]]``).
    """

    columns: dict[str, np.ndarray]
    runs: dict[str, int] = field(default_factory=dict)
    chunks: dict[bytes, int] = field(default_factory=lambda: {_SEP_CHUNK: _SEP_ROW})
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
        chunks = _encode(_JOIN.join(texts)).translate(_BLANK_ASCII).split()
        state = self._current()
        values = np.fromiter(map(state.chunks.get, chunks, repeat(_MISSING)), dtype=np.int64, count=len(chunks))
        missing = np.flatnonzero(values == _MISSING)
        if missing.size:
            self._add(state, list(dict.fromkeys(chunks[k] for k in missing.tolist())))
            known = state.chunks
            values[missing] = [known[chunks[k]] for k in missing.tolist()]
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
            state.chunks.update(zip(chunks, values))
