"""The theme model: TF-IDF weights and per-theme linear scorers, stored without pickle.

A model is a folder of three files: ``model.json`` (settings, themes, vocabulary),
``weights.npz`` (numpy arrays, loaded with ``allow_pickle=False``) and ``manifest.json`` (their
SHA-256). Scoring is plain numpy, batched over the whole input, so inference never imports
scikit-learn; :mod:`headline_tagger.reference` rebuilds the same model with public scikit-learn
calls to prove both agree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError, ModelIntegrityError, UntrustedModelError
from .features import (
    BATCH_SEPARATOR,
    FeatureConfig,
    char_features,
    normalize,
    token_features,
    tokenize,
    tokenize_batch,
)
from .inttable import IntTable
from .runs import RunBatch

FORMAT = "headline-tagger-model"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "model_card.json"
_ARRAYS = ("idf", "coef", "intercept", "calib_a", "calib_b", "thresholds")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav")
_SEP_ID = -2  # token id of the batch separator
_RUN_SEP = "\x00"  # joins word runs for one normalisation pass
_CACHE_LIMIT = 200_000  # entries of each per-token column cache


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Contribution:
    """One feature's push on one theme's score (log-odds units, before calibration)."""

    feature: str
    weight: float


@dataclass(frozen=True)
class ThemeExplanation:
    """Why a theme got its score: the features that pushed it, strongest first."""

    theme: str
    probability: float
    threshold: float
    assigned: bool
    bias: float
    contributions: tuple[Contribution, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return {
            "theme": self.theme,
            "probability": self.probability,
            "threshold": self.threshold,
            "assigned": self.assigned,
            "bias": self.bias,
            "contributions": [{"feature": c.feature, "weight": c.weight} for c in self.contributions],
        }


def describe_feature(feature: str) -> str:
    """Readable feature name: word, "bigram", prefix…, ‹char n-gram› (spaces mark word edges)."""
    kind, _, value = feature.partition(":")
    return {"w": value, "b": f'"{value}"', "p": value + "…", "c": f"‹{value}›"}.get(kind, feature)


class ThemeModel:
    """TF-IDF (sublinear tf, l2 norm) + one logistic scorer, Platt calibration and threshold per theme."""

    def __init__(
        self,
        *,
        themes: Sequence[str],
        vocabulary: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        calib_a: np.ndarray,
        calib_b: np.ndarray,
        thresholds: np.ndarray,
        features: FeatureConfig | None = None,
        languages: Sequence[str] = ("en", "fr"),
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.themes = tuple(themes)
        self.vocabulary = tuple(vocabulary)
        self.features = features or FeatureConfig()
        self.languages = tuple(languages)
        self.metadata = dict(metadata or {})
        k, f = len(self.themes), len(self.vocabulary)
        self.idf = np.ascontiguousarray(idf, dtype=np.float64)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = np.ascontiguousarray(intercept, dtype=np.float64)
        self.calib_a = np.ascontiguousarray(calib_a, dtype=np.float64)
        self.calib_b = np.ascontiguousarray(calib_b, dtype=np.float64)
        self.thresholds = np.ascontiguousarray(thresholds, dtype=np.float64)
        expected = {"idf": (f,), "coef": (k, f), "intercept": (k,), "calib_a": (k,),
                    "calib_b": (k,), "thresholds": (k,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ModelIntegrityError(
                    f"model array {name!r} has shape {getattr(self, name).shape}, expected {shape}")
        if not k:
            raise ModelIntegrityError("a model needs at least one theme")
        if len(set(self.themes)) != k or len(set(self.vocabulary)) != f:
            raise ModelIntegrityError("theme ids and vocabulary entries must be unique")
        if self.features.word_ngrams not in (1, 2):
            raise ModelIntegrityError("word_ngrams must be 1 or 2")
        self._build_index()

    # -- lookup tables -------------------------------------------------------------------------
    def _build_index(self) -> None:
        """Tables for the fast path: token ids, per-token columns, a bigram key table, char n-grams."""
        self.feature_index = {feat: i for i, feat in enumerate(self.vocabulary)}
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self.thresholds_list: list[float] = self.thresholds.tolist()
        self.theme_index: dict[str, int] = {t: k for k, t in enumerate(self.themes)}
        n_word = sum(1 for f in self.vocabulary if not f.startswith("c:"))
        if any(f.startswith("c:") for f in self.vocabulary[:n_word]):
            raise ModelIntegrityError("character features must follow the word features in the vocabulary")
        if n_word < len(self.vocabulary) and self.features.char_ngrams is None:
            raise ModelIntegrityError("the vocabulary has character features but the config has no char_ngrams")
        self._blocks = [(0, n_word)] + ([(n_word, len(self.vocabulary))] if n_word < len(self.vocabulary) else [])
        # Each block's vector has unit length, so |log-odds| <= |intercept| + the block norms of
        # the weights: when no calibrated score can reach exp()'s range, clipping is skipped.
        reach = np.abs(self.intercept) + sum(np.linalg.norm(self.coef[:, lo:hi], axis=1) for lo, hi in self._blocks)
        self._may_overflow = bool((np.abs(self.calib_a) * reach + np.abs(self.calib_b)).max() >= 500.0)
        tokens: dict[str, int] = {}
        prefix_cols: dict[str, int] = {}
        bigrams: list[tuple[str, str, int]] = []
        for col, feat in enumerate(self.vocabulary[:n_word]):
            kind, _, value = feat.partition(":")
            if kind == "w":
                tokens.setdefault(value, len(tokens))
            elif kind == "p":
                prefix_cols[value] = col
            elif kind == "b":
                first, _, second = value.partition(" ")
                tokens.setdefault(first, len(tokens))
                tokens.setdefault(second, len(tokens))
                bigrams.append((first, second, col))
            else:
                raise ModelIntegrityError(f"unknown feature kind in vocabulary: {feat!r}")
        p = self.features.prefix_length
        word_col = np.full(len(tokens), -1, dtype=np.int64)
        prefix_col = np.full(len(tokens), -1, dtype=np.int64)
        for tok, tid in tokens.items():
            word_col[tid] = self.feature_index.get("w:" + tok, -1)
            if p and len(tok) > p:
                prefix_col[tid] = prefix_cols.get(tok[:p], -1)
        n_tok = max(len(tokens), 1)
        keys = np.array([tokens[a] * n_tok + tokens[b] for a, b, _ in bigrams], dtype=np.int64)
        self._tokens = tokens
        self._prefix_cols = prefix_cols
        self._word_col = word_col
        self._prefix_col = prefix_col
        self._n_tok = n_tok
        self._bigram_pairs = {(a, b): col for a, b, col in bigrams}  # the one-headline path's lookup
        self._bigrams = IntTable(keys, np.array([c for _, _, c in bigrams], dtype=np.int64))
        self._starts_bigram = np.zeros(n_tok, dtype=bool)  # quick filters before the table lookup
        self._ends_bigram = np.zeros(n_tok, dtype=bool)
        self._starts_bigram[keys // n_tok] = True
        self._ends_bigram[keys % n_tok] = True
        self._char_cache: dict[str, tuple[int, ...]] = {}
        self._token_cache: dict[str, tuple[int, ...]] = {}
        self._tokens[BATCH_SEPARATOR] = _SEP_ID  # never a word token: \x1f is not a word character

    # -- features of a batch -------------------------------------------------------------------
    def _word_entries(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column) of every word-block feature occurrence in raw texts."""
        flat = tokenize_batch(list(texts))
        get = self._tokens.get
        tids = np.fromiter((get(t, -1) for t in flat), dtype=np.int64, count=len(flat))
        words = tids != _SEP_ID
        doc = np.cumsum(~words)[words]
        tids = tids[words]
        where = np.flatnonzero(words)  # position in flat of each word token
        return self._token_entries(doc, tids, *self._columns_of_tokens(tids, flat, where).T)

    def _columns_of_tokens(self, tids: np.ndarray, tokens: Sequence[str], where: np.ndarray) -> np.ndarray:
        """Word and prefix columns (n_tokens x 2, -1: none) of tokens by their ids; the token of
        id ``i`` is ``tokens[where[i]]``, read only for unknown ids (they can share a known prefix)."""
        known = tids >= 0
        safe = np.where(known, tids, 0)
        cols = np.stack([np.where(known, self._word_col[safe], -1), np.where(known, self._prefix_col[safe], -1)], axis=1)
        p = self.features.prefix_length
        if p and not known.all():
            pget = self._prefix_cols.get
            unknown = np.flatnonzero(~known)
            cols[unknown, 1] = [pget(tok[:p], -1) if len(tok) > p else -1
                                for tok in map(tokens.__getitem__, where[unknown].tolist())]
        return cols

    def run_columns(self, runs: list[str]) -> dict[str, np.ndarray]:
        """Theme token id and per-token feature columns of word runs (see :mod:`.runs`).

        A run is one theme token once normalised, unless it is a single character (no token).
        Runs hold no NUL, so one normalisation of them all joined by NULs splits back run by run
        (with the acronym rule on: texts in capitals throughout do not reach the run table).
        """
        toks = normalize(_RUN_SEP.join(runs), acronyms=True).split(_RUN_SEP) if runs else []
        get = self._tokens.get
        tids = np.fromiter(map(get, toks, repeat(-1)), dtype=np.int64, count=len(toks))  # -1: unknown
        cols = self._columns_of_tokens(tids, toks, np.arange(len(toks)))
        has_token = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks)) > 1
        cache = self._token_cache  # what _token_cols would find, for the one-headline path
        if len(cache) + len(toks) >= _CACHE_LIMIT:
            cache.clear()
        cache.update((tok, tuple(c for c in row if c >= 0))
                     for tok, row, has in zip(toks, cols.tolist(), has_token.tolist()) if has)
        return {"theme_has_token": has_token, "theme_token": tids,
                "theme_word_col": np.ascontiguousarray(cols[:, 0]), "theme_prefix_col": np.ascontiguousarray(cols[:, 1])}

    def _run_entries(self, batch: RunBatch) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column) of every word-block feature occurrence, from a batch's shared runs."""
        has = batch.occurrences("theme_has_token")
        rows = batch.row[has]
        columns = batch.columns
        return self._token_entries(batch.doc[has], columns["theme_token"][rows],
                                   columns["theme_word_col"][rows], columns["theme_prefix_col"][rows])

    def _token_entries(self, doc: np.ndarray, tids: np.ndarray,
                       *token_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column) entries from per-token ids and per-token columns (-1: none), plus known bigrams."""
        kept = [c >= 0 for c in token_cols]
        docs = [doc[k] for k in kept]
        cols = [c[k] for c, k in zip(token_cols, kept)]
        if self.features.word_ngrams >= 2 and len(tids) > 1 and len(self._bigram_pairs):
            safe = np.maximum(tids, 0)  # unknown tokens (-1) start and end no bigram
            ok = (doc[1:] == doc[:-1]) & self._starts_bigram[safe[:-1]] & self._ends_bigram[safe[1:]]
            ok &= (tids[1:] >= 0) & (tids[:-1] >= 0)
            found = self._bigrams.get(tids[:-1][ok] * self._n_tok + tids[1:][ok])
            hit = found >= 0
            docs.append(doc[:-1][ok][hit])
            cols.append(found[hit])
        return np.concatenate(docs), np.concatenate(cols)

    def _cached_cols(self, cache: dict[str, tuple[int, ...]], key: str,
                     features: Callable[[str, FeatureConfig], list[str]]) -> tuple[int, ...]:
        """Columns of the features of one token or word, cached (bounded) in ``cache``."""
        cols = cache.get(key)
        if cols is None:
            get = self.feature_index.get
            cols = tuple(c for c in map(get, features(key, self.features)) if c is not None)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[key] = cols
        return cols

    def _token_cols(self, token: str) -> tuple[int, ...]:
        """Word and prefix columns of one token: the per-token part of the word block."""
        return self._cached_cols(self._token_cache, token, token_features)

    def _char_cols(self, word: str) -> tuple[int, ...]:
        """Columns of the character n-grams of one whitespace-separated word."""
        return self._cached_cols(self._char_cache, word, char_features)

    def _char_entries(self, norm: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column) of every character-block feature occurrence in normalised texts."""
        words = [t.split() for t in norm]
        per_word = [self._char_cols(w) for w in chain.from_iterable(words)]
        sizes = np.fromiter(map(len, per_word), dtype=np.int64, count=len(per_word))
        word_doc = np.repeat(np.arange(len(words), dtype=np.int64),
                             np.fromiter(map(len, words), dtype=np.int64, count=len(words)))
        cols = np.fromiter(chain.from_iterable(per_word), dtype=np.int64, count=int(sizes.sum()))
        return np.repeat(word_doc, sizes), cols

    # -- scoring -------------------------------------------------------------------------------
    def _calibrate(self, logits: np.ndarray) -> np.ndarray:
        """Platt-scaled probabilities from raw log-odds."""
        z = self.calib_a * logits + self.calib_b
        if self._may_overflow:
            z = np.clip(z, -500.0, 500.0)
        return 1.0 / (1.0 + np.exp(-z))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Raw per-theme log-odds, shape (n_texts, n_themes), for a whole batch at once."""
        entries = [self._word_entries(texts)] if len(texts) else []
        if len(self._blocks) > 1 and len(texts):
            entries.append(self._char_entries([normalize(t) for t in texts]))
        return self._logits(len(texts), entries)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of every theme, shape (n_texts, n_themes)."""
        return self._calibrate(self.decision_function(texts))

    @property
    def reads_runs(self) -> bool:
        """Whether :meth:`predict_proba_runs` serves this model (word features only)."""
        return len(self._blocks) == 1

    def predict_proba_runs(self, batch: RunBatch) -> np.ndarray:
        """:meth:`predict_proba` from a batch's shared word runs (models with word features only)."""
        if not self.reads_runs:
            raise ModelError("a model with character features cannot score from word runs")
        return self._calibrate(self._logits(batch.n_texts, [self._run_entries(batch)]))

    def _logits(self, n: int, entries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Log-odds from (doc, column) occurrences per block: sublinear tf-idf, l2 per block, linear.

        The occurrences are counted by sorting (doc, column) keys, which lays them out in the
        order of a CSR matrix with sorted indices: scipy then only multiplies.
        """
        from scipy import sparse  # batch path only: one-headline tagging stays numpy-only

        out = np.tile(self.intercept, (n, 1))
        for (doc, col), (lo, hi) in zip(entries, self._blocks):
            if not len(doc):
                continue
            bits = max(hi - lo - 1, 1).bit_length()
            keys = np.sort((doc << bits) | (col - lo))
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            tf = np.diff(starts, append=len(keys))
            keys = keys[starts]
            rows, cols = keys >> bits, keys & ((1 << bits) - 1)
            val = self.idf[lo:hi][cols]
            repeated = np.flatnonzero(tf > 1)  # sublinear tf: 1 + log(tf), which is 1 for most
            val[repeated] *= 1.0 + np.log(tf[repeated])
            val /= np.sqrt(np.bincount(rows, val * val, minlength=n))[rows]
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
            out += sparse.csr_matrix((val, cols, indptr), shape=(n, hi - lo)) @ self._coef_t[lo:hi]
        return out

    def _vector(self, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per block: the columns and l2-normalised tf-idf values of one text (dicts, no scipy)."""
        norm = normalize(text)
        toks = tokenize(norm)
        cached = self._token_cache.get
        words = [c for tok in toks for c in (cached(tok) or self._token_cols(tok))]
        if self.features.word_ngrams >= 2:
            words.extend(c for c in map(self._bigram_pairs.get, zip(toks, toks[1:])) if c is not None)
        blocks = [words]
        if len(self._blocks) > 1:
            blocks.append(list(chain.from_iterable(map(self._char_cols, norm.split()))))
        result = []
        for found in blocks:
            if not found:
                continue
            if len(set(found)) == len(found):  # the usual case: every feature once (tf = 1)
                cols = np.array(found, dtype=np.int64)
                val = self.idf[cols]
            else:
                counts = Counter(found)
                cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                val = (1.0 + np.log(tf)) * self.idf[cols]
            result.append((cols, val / np.sqrt(val @ val)))
        return result

    def _proba_of(self, blocks: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Calibrated probabilities from the per-block vectors of :meth:`_vector`."""
        logits = self.intercept.copy()
        for cols, val in blocks:
            logits += val @ self._coef_t[cols]
        return self._calibrate(logits)

    def proba_one(self, text: str) -> np.ndarray:
        """Calibrated probabilities for one text, without batch overhead (agrees with predict_proba)."""
        return self._proba_of(self._vector(text))

    def explain(self, text: str, top: int = 8, themes: Sequence[str] | None = None) -> list[ThemeExplanation]:
        """Per-theme feature contributions for ``text`` (all themes, or ``themes``), best score first."""
        blocks = self._vector(text)
        cols = np.concatenate([c for c, _ in blocks]) if blocks else np.empty(0, dtype=np.int64)
        val = np.concatenate([v for _, v in blocks]) if blocks else np.empty(0)
        probs = self._proba_of(blocks)
        wanted = range(len(self.themes)) if themes is None else [self.themes.index(t) for t in themes]
        result = []
        for k in wanted:
            contrib = val * self.coef[k, cols]
            order = np.argsort(-np.abs(contrib), kind="stable")[:top]
            result.append(ThemeExplanation(
                theme=self.themes[k],
                probability=float(probs[k]),
                threshold=float(self.thresholds[k]),
                assigned=bool(probs[k] >= self.thresholds[k]),
                bias=float(self.intercept[k]),
                contributions=tuple(
                    Contribution(describe_feature(self.vocabulary[cols[i]]), float(contrib[i]))
                    for i in order),
            ))
        result.sort(key=lambda e: -e.probability)
        return result

    # -- files ---------------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str], card: dict[str, Any] | None = None) -> Path:
        """Write the model (JSON + npz + SHA-256 manifest, and a model card when given) to ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        spec = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "themes": list(self.themes),
            "languages": list(self.languages),
            "features": self.features.to_dict(),
            "vocabulary": list(self.vocabulary),
            "metadata": self.metadata,
        }
        (folder / MODEL_FILE).write_text(json.dumps(spec, ensure_ascii=False, indent=0), encoding="utf-8")
        with open(folder / WEIGHTS_FILE, "wb") as fh:
            np.savez_compressed(fh, **{name: getattr(self, name) for name in _ARRAYS})
        manifest = {name: sha256_file(folder / name) for name in (MODEL_FILE, WEIGHTS_FILE)}
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if card is not None:
            (folder / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, trust_pickle: bool = False) -> ThemeModel:
        """Load a model folder (or its model.json); pickle files only when ``trust_pickle`` is True."""
        path = Path(path)
        if path.is_file() and path.name != MODEL_FILE:
            return cls._load_pickle(path, trust_pickle)
        folder = path.parent if path.is_file() else path
        if not (folder / MODEL_FILE).is_file():
            raise ModelError(f"no model found at {path} (expected a folder holding {MODEL_FILE})")
        try:
            manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelIntegrityError(f"model at {folder} has no readable {MANIFEST_FILE}: {exc}") from exc
        for name in (MODEL_FILE, WEIGHTS_FILE):
            expected = manifest.get(name) if isinstance(manifest, dict) else None
            if not (folder / name).is_file():
                raise ModelIntegrityError(f"model at {folder} is missing {name}")
            actual = sha256_file(folder / name)
            if actual != expected:
                raise ModelIntegrityError(
                    f"{folder / name} fails its integrity check (SHA-256 {actual[:12]}…, manifest says "
                    f"{str(expected)[:12]}…): the file is damaged or was altered; refusing to load it")
        try:
            spec = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
            if spec.get("format") != FORMAT:
                raise ModelIntegrityError(f"{folder / MODEL_FILE} is not a headline-tagger model")
            if spec.get("format_version") != FORMAT_VERSION:
                raise ModelIntegrityError(
                    f"model format version {spec.get('format_version')} is not supported "
                    f"(this library reads version {FORMAT_VERSION})")
            with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in _ARRAYS}
            return cls(themes=spec["themes"], vocabulary=spec["vocabulary"],
                       features=FeatureConfig(**spec["features"]), languages=spec["languages"],
                       metadata=spec.get("metadata", {}), **arrays)
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise ModelIntegrityError(f"model at {folder} is malformed: {exc!r}") from exc

    @staticmethod
    def _load_pickle(path: Path, trust_pickle: bool) -> ThemeModel:
        """Load a pickled/joblib ThemeModel, refused unless the caller trusts the file."""
        with open(path, "rb") as fh:
            head = fh.read(2)
        looks_pickled = path.suffix.lower() in _PICKLE_SUFFIXES or head[:1] == b"\x80"
        if not looks_pickled:
            raise ModelError(f"{path} is not a model folder, model.json or pickle file")
        if not trust_pickle:
            raise UntrustedModelError(
                f"{path} is a pickle/joblib file: loading it can run arbitrary code. Refused. "
                "Load it only if you trust its author, with Tagger.load(path, trust_pickle=True), "
                "or re-save it as a pickle-free model folder.")
        import joblib  # only for explicitly trusted files

        obj = joblib.load(path)
        if not isinstance(obj, ThemeModel):
            raise ModelError(f"{path} holds a {type(obj).__name__}, not a ThemeModel")
        return obj
