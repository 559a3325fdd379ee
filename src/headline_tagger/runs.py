"""Word runs: one tokenisation pass per batch, shared by language detection and theme features.

A batch is split once into runs of word characters (``\\w+``). Each distinct run gets a row in a
table, and what the language table and the theme model need from it (per-language scores,
theme-feature columns) is worked out once per run and cached, so a batch costs one regex pass
and one dict lookup per run instead of two of each plus normalising the whole text. Both
consumers read the same runs their own tokenisers would have found:

* language words are the letter runs of NFC, lower-cased text, and each lies inside one run
  (lower-casing a run alone gives the same letters, except where the length changes or for the
  capital sigma, whose lower case depends on its neighbours);
* theme tokens are the runs of two or more word characters of normalised text: acronym marks
  depend only on the run, and folding maps word characters to word characters and the rest to
  the rest, except for the few characters of :data:`~headline_tagger.features.BOUNDARY_CHANGERS`.

So the shared path is exact only for NFC text without the separator, those characters, a capital
sigma or a letter whose lower case is longer; :meth:`RunTable.split` leaves any other text out
and lists it, and the caller tags it through the separate paths, which give the same answers.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .features import BOUNDARY_CHANGERS

#: Separator between the texts of a batch (a control character: never inside a run).
SEPARATOR = "\x00"
_RUN_OR_SEP = re.compile(r"\w+|\x00")
_SEP_ROW = -2
_LOWER_IS_LOCAL = "\u03a3"  # capital sigma: the one letter whose lower case depends on its neighbours
_MISSING = -1

#: What a consumer derives from new runs: column name -> array with one row per run.
Derive = Callable[[list[str]], dict[str, np.ndarray]]


def fits(text: str) -> bool:
    """Whether the shared runs give exactly the separate paths' answers for this text."""
    return (not any(c in text for c in BOUNDARY_CHANGERS) and unicodedata.is_normalized("NFC", text)
            and _LOWER_IS_LOCAL not in text and len(text.lower()) == len(text))


@dataclass
class _State:
    """Known runs and their derived columns; columns only grow, so readers never see a gap."""

    columns: dict[str, np.ndarray]
    index: dict[str, int] = field(default_factory=lambda: {SEPARATOR: _SEP_ROW})

    @property
    def size(self) -> int:
        return len(self.index) - 1


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
        odd: list[int] = []
        if not fits(SEPARATOR.join(texts)) or any(SEPARATOR in t for t in texts):
            odd = [i for i, t in enumerate(texts) if SEPARATOR in t or not fits(t)]
            skip = set(odd)
            texts = [t for i, t in enumerate(texts) if i not in skip]
        runs = _RUN_OR_SEP.findall(SEPARATOR.join(texts))
        state = self._current()
        get = state.index.get
        rows = np.fromiter([get(r, _MISSING) for r in runs], dtype=np.int64, count=len(runs))
        missing = np.flatnonzero(rows == _MISSING)
        if missing.size:
            self._add(state, list(dict.fromkeys(runs[k] for k in missing.tolist())))
            index = state.index
            rows[missing] = [index[runs[k]] for k in missing.tolist()]
        is_run = rows != _SEP_ROW
        return RunBatch(len(texts), np.cumsum(~is_run)[is_run], rows[is_run], state.columns), odd

    def _current(self) -> _State:
        """The live state, replaced by an empty one once it holds more than ``limit`` runs."""
        state = self._state
        if state.size > self._limit:
            with self._lock:
                if self._state is state:
                    self._state = _State(self._derive([]))
                state = self._state
        return state

    def _add(self, state: _State, runs: list[str]) -> None:
        """Derive the columns of new runs and append them: arrays first, then the index."""
        with self._lock:
            runs = [r for r in runs if r not in state.index]
            if not runs:
                return
            derived = self._derive(runs)
            state.columns = {k: np.concatenate([state.columns[k], v]) for k, v in derived.items()}
            start = state.size
            state.index.update(zip(runs, range(start, start + len(runs))))
