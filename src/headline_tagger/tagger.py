"""Tagging: one headline or many, with language and themes, through a loaded model."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from .language import UND, LanguageDetector, default_detector
from .model import ThemeExplanation, ThemeModel
from .runs import RunTable

#: Decimals kept in probabilities: batch and one-by-one paths agree to far more than this.
SCORE_DECIMALS = 6

#: Headlines scored together in one vectorised pass (larger batches are cut into slices).
BATCH_ROWS = 4096

#: Longest text (in characters) read for language and themes; longer input is truncated and flagged.
MAX_CHARS = 2000

#: Values of :attr:`HeadlineTags.status`.
STATUS_OK = "ok"
STATUS_EMPTY = "empty"
STATUS_NO_LETTERS = "no_letters"
STATUS_UNSUPPORTED = "unsupported_language"


class ThemeScores(Mapping[str, float]):
    """Read-only mapping theme id -> probability, backed by one row of a batch's score matrix.

    A batch shares one numpy matrix instead of building a dict per headline (a tenth of the
    memory); ``dict(scores)`` gives a plain dict.
    """

    __slots__ = ("_index", "_matrix", "_row")

    def __init__(self, index: Mapping[str, int], matrix: np.ndarray, row: int) -> None:
        self._index = index
        self._matrix = matrix
        self._row = row

    def __getitem__(self, theme: str) -> float:
        return float(self._matrix[self._row, self._index[theme]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True, slots=True)
class HeadlineTags:
    """The tagging of one headline: its language, its themes and every theme's probability.

    ``status`` says why ``themes`` may be empty besides "no theme applies": ``empty`` (no text),
    ``no_letters`` (digits, punctuation, emoji only) or ``unsupported_language`` (the model was
    not trained on the detected language, so it does not guess themes).
    """

    headline: str
    language: str
    language_score: float
    themes: tuple[str, ...]
    scores: Mapping[str, float] = field(repr=False)
    status: str = STATUS_OK
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return {
            "headline": self.headline,
            "language": self.language,
            "language_score": self.language_score,
            "themes": list(self.themes),
            "scores": dict(self.scores),
            "status": self.status,
            "truncated": self.truncated,
        }


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a batch (or a file) builds its results.

    A batch allocates a few small objects per headline, none of them in a reference cycle, and
    each allocation counts towards the collector's next pass over every live object: on 100,000
    headlines those passes took a fifth of the time and found nothing (a file's rows, read and
    written as lists of strings, are the same). Reference counting still frees everything at
    once; the collector's own state is restored when the last pause ends.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def default_model_path() -> Path:
    """Folder of the model shipped inside the package."""
    return Path(str(resources.files("headline_tagger") / "models" / "default"))


def _check_text(text: object, where: str) -> str:
    """Return ``text`` if it is a str, else raise TypeError naming what was given."""
    if not isinstance(text, str):
        raise TypeError(f"{where} expects a str headline, got {type(text).__name__}: {text!r:.60}")
    return text


class Tagger:
    """A theme model plus a language detector: the object behind :func:`tag_headline`."""

    def __init__(self, model: ThemeModel, detector: LanguageDetector | None = None) -> None:
        self.model = model
        self.detector = detector or default_detector()
        self._runs: tuple[LanguageDetector, ThemeModel, RunTable] | None = None
        self._runs_lock = threading.Lock()
        self._singles: tuple[ThemeModel, np.ndarray] | None = None

    def _run_table(self) -> RunTable | None:
        """The word-run table shared by this detector and model (None: the model reads characters)."""
        detector, model = self.detector, self.model
        current = self._runs
        if current is None or current[0] is not detector or current[1] is not model:
            if not model.reads_runs:
                return None
            with self._runs_lock:  # one table per (detector, model), even if they were replaced
                current = self._runs
                if current is None or current[0] is not detector or current[1] is not model:
                    current = (detector, model, RunTable(
                        lambda runs: {**detector.run_columns(runs), **model.run_columns(runs)}))
                    self._runs = current
        return current[2]

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, trust_pickle: bool = False) -> Tagger:
        """Load a model folder (the bundled default when ``path`` is None).

        Pickle/joblib files can run code when loaded: they are refused unless ``trust_pickle``.
        """
        return cls(ThemeModel.load(default_model_path() if path is None else path, trust_pickle=trust_pickle))

    def prepare_batches(self) -> None:
        """Import what batch tagging needs (scipy.sparse) now rather than during the first batch.

        Long runs call this first: Ctrl-C landing while an extension module is being imported can
        make CPython end the process by SIGINT even though the interrupt was handled.
        """
        import scipy.sparse  # noqa: F401

    @property
    def themes(self) -> tuple[str, ...]:
        """The theme ids this tagger's model knows."""
        return self.model.themes

    def tag(self, text: str) -> HeadlineTags:
        """Tag one headline."""
        text = _check_text(text, "tag()")
        probe = text[:MAX_CHARS]
        language, lscore = self.detector.detect(probe)
        return self._result(text, language, lscore, np.round(self.model.proba_one(probe), SCORE_DECIMALS))

    def tag_many(self, texts: Iterable[str]) -> list[HeadlineTags]:
        """Tag many headlines at once (vectorised); same answers as :meth:`tag` one by one."""
        results: list[HeadlineTags] = []
        index = self.model.theme_index
        with paused_gc():
            for part, languages, lscores, probs, themes, statuses in self._batches(texts, "tag_many()"):
                results.extend(
                    HeadlineTags(t, lang, ls, th, ThemeScores(index, probs, i), st, len(t) > MAX_CHARS)
                    for i, (t, lang, ls, th, st) in enumerate(zip(part, languages, lscores.tolist(), themes, statuses)))
        return results

    def tag_columns(self, texts: Iterable[str]) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
        """Languages, themes and statuses of many headlines as three lists: the answers of
        :meth:`tag_many` without a result object per headline (what files and tables need)."""
        languages: list[str] = []
        themes: list[tuple[str, ...]] = []
        statuses: list[str] = []
        with paused_gc():
            for _, part_languages, _, _, part_themes, part_statuses in self._batches(texts, "tag_columns()"):
                languages.extend(part_languages)
                themes.extend(part_themes)
                statuses.extend(part_statuses)
        return languages, themes, statuses

    def _batches(self, texts: Iterable[str], where: str) -> Iterator[tuple[list[str], list[str], np.ndarray,
                                                                          np.ndarray, list[tuple[str, ...]], list[str]]]:
        """Check the input, then per slice of :data:`BATCH_ROWS`: texts, languages, language
        scores, rounded probabilities, themes and statuses (slices keep the working memory flat)."""
        if isinstance(texts, (str, bytes)):
            raise TypeError(f"{where} expects an iterable of str headlines, not a single "
                            f"{type(texts).__name__}; use tag() for one headline")
        items = list(texts)
        if not all(map(isinstance, items, repeat(str))):
            i, t = next((i, t) for i, t in enumerate(items) if not isinstance(t, str))
            raise TypeError(f"{where} expects str headlines; item {i} is {type(t).__name__}: {t!r:.60}")
        for start in range(0, len(items), BATCH_ROWS):
            part = items[start : start + BATCH_ROWS]
            long = max(map(len, part), default=0) > MAX_CHARS
            languages, lscores, probs = self._score([t[:MAX_CHARS] for t in part] if long else part)
            probs = np.round(probs, SCORE_DECIMALS)
            yield (part, languages, lscores, probs, *self._themes(part, languages, probs))

    def _score(self, texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Languages, language scores and theme probabilities of a batch, through one shared
        tokenisation where it is exact (see :mod:`headline_tagger.runs`), else separately."""
        table = self._run_table()
        if table is None:
            return (*self.detector.detect_many(texts), self.model.predict_proba(texts))
        batch, odd = table.split(texts)
        languages, lscores = self.detector.detect_runs(batch)
        probs = self.model.predict_proba_runs(batch)
        if not odd:
            return languages, lscores, probs
        odd_texts = [texts[i] for i in odd]
        separate = (*self.detector.detect_many(odd_texts), self.model.predict_proba(odd_texts))
        served = np.ones(len(texts), dtype=bool)
        served[odd] = False
        merged = []
        for shared_part, odd_part in zip((languages, lscores, probs), separate):  # back in input order
            column = np.empty((len(texts), *np.shape(shared_part)[1:]),
                              dtype=object if isinstance(shared_part, list) else np.float64)
            column[served], column[~served] = shared_part, odd_part
            merged.append(column)
        return merged[0].tolist(), merged[1], merged[2]

    def _status(self, text: str, language: str) -> str:
        """Why themes may be withheld: empty text, no letters, a language the model was not trained on."""
        if language == UND:
            return STATUS_NO_LETTERS if text.strip() else STATUS_EMPTY
        return STATUS_OK if language in self.model.languages else STATUS_UNSUPPORTED

    def _themes(self, texts: list[str], languages: list[str],
                probs: np.ndarray) -> tuple[list[tuple[str, ...]], list[str]]:
        """Themes (over their thresholds, best first) and status of each text of a batch.

        Rows are grouped by their theme set in numpy: one tuple is made per distinct set, not per row.
        """
        model = self.model
        n = len(texts)
        status_of = {lang: self._status("", lang) for lang in set(languages) if lang != UND}
        statuses = list(map(status_of.get, languages))
        if None in statuses:  # no letters: empty or not, text by text
            statuses = [s or self._status(t, lang) for t, lang, s in zip(texts, languages, statuses)]
        hits = probs >= model.thresholds
        hits &= np.fromiter(map(STATUS_OK.__eq__, statuses), dtype=bool, count=n)[:, None]
        n_hits = hits.sum(axis=1)
        themes = np.empty(n, dtype=object)
        themes[:] = [()]
        one = np.flatnonzero(n_hits == 1)  # the usual themed case: no sorting needed
        themes[one] = self._theme_sets()[hits[one].argmax(axis=1)]
        rows = np.flatnonzero(n_hits > 1)
        if rows.size:
            # hits first, best first, ties in taxonomy order; then padding
            ranked = np.argsort(np.where(hits[rows], -probs[rows], np.inf), axis=1, kind="stable")
            ranked[np.arange(ranked.shape[1]) >= n_hits[rows][:, None]] = -1
            sets, which = np.unique(ranked, axis=0, return_inverse=True)
            made = np.empty(len(sets), dtype=object)
            made[:] = [tuple(model.themes[k] for k in ks if k >= 0) for ks in sets.tolist()]
            themes[rows] = made[which.reshape(-1)]
        return themes.tolist(), statuses

    def _theme_sets(self) -> np.ndarray:
        """One-theme tuples of the model's themes, as an object array (made once per model)."""
        model = self.model
        cached = self._singles
        if cached is None or cached[0] is not model:
            singles = np.empty(len(model.themes), dtype=object)
            singles[:] = [(name,) for name in model.themes]
            cached = self._singles = (model, singles)
        return cached[1]

    def _result(self, text: str, language: str, lscore: float, probs: np.ndarray) -> HeadlineTags:
        """Assemble one result with the rules of :meth:`_results`, in plain Python (no batch overhead)."""
        model = self.model
        status = self._status(text, language)
        plist = probs.tolist()
        themes: tuple[str, ...] = ()
        if status == STATUS_OK:
            hits = [k for k, (p, t) in enumerate(zip(plist, model.thresholds_list)) if p >= t]
            hits.sort(key=lambda k: -plist[k])  # stable: ties in taxonomy order
            themes = tuple(model.themes[k] for k in hits)
        return HeadlineTags(text, language, float(lscore), themes,
                            ThemeScores(model.theme_index, probs.reshape(1, -1), 0), status, len(text) > MAX_CHARS)

    def explain(self, text: str, top: int = 8, runners_up: int = 2) -> list[ThemeExplanation]:
        """Why each theme was given (and the ``runners_up`` best themes that were not)."""
        text = _check_text(text, "explain()")
        result = self.tag(text)
        ranked = sorted(result.scores, key=lambda t: -result.scores[t])
        given = list(result.themes)
        extra = [t for t in ranked if t not in given][:runners_up]
        return self.model.explain(text[:MAX_CHARS], top=top, themes=given + extra)


_default: Tagger | None = None
_default_lock = threading.Lock()


def default_tagger() -> Tagger:
    """The bundled model, loaded on first use, once, thread-safely."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Tagger.load()
    return _default


def tag_headline(text: str) -> HeadlineTags:
    """Tag one headline with the bundled model."""
    return default_tagger().tag(_check_text(text, "tag_headline()"))


def tag_headlines(texts: Sequence[str]) -> list[HeadlineTags]:
    """Tag many headlines with the bundled model, batched and vectorised."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("tag_headlines() expects a list of str headlines, not a single "
                        f"{type(texts).__name__}; use tag_headline() for one headline")
    return default_tagger().tag_many(texts)


def explain(text: str, top: int = 8) -> list[ThemeExplanation]:
    """Explain the bundled model's themes for one headline: the features that pushed each score."""
    return default_tagger().explain(text, top=top)
