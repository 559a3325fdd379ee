"""Language detection for short texts (headlines) from a shipped word/character table.

How it scores (a naive-Bayes style sum, in the spirit of langid.py and lingua, kept small):

* Text is NFC-normalised, lower-cased and split into runs of letters; digits, punctuation,
  emoji and symbols are ignored, so a text without letters is ``"und"`` with score 0.0.
* Each known word adds, per language, its Zipf frequency in that language (from wordfreq),
  or 0.5 when the language does not list it.  English and French get a small per-word prior
  bonus (this library reads mostly English and French news).
* A word the table does not know is scored by a character 1-4-gram model per language
  (mean log-probability, relative to the best language), so names and rare words still count.
* Every word also gives a script allowance (5 Zipf) to the languages that write its script
  (a Cyrillic word cannot be English; a Thai word can only be Thai); letters of scripts no
  language uses are ignored.
* The best language wins; ties go to the fixed table order (en, fr, then alphabetical).
  All scores are integers (units of 0.05 Zipf), so answers do not depend on summation order,
  threads, processes or PYTHONHASHSEED.  The reported score is the posterior of the winner
  under a per-word-averaged softmax: near 1 for clear text, lower for mixed or ambiguous text.

The table is built by ``tools/build_language_model.py``; only numpy is needed at run time.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import json
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Sequence
from importlib import resources
from itertools import chain
from operator import lshift
from pathlib import Path
from typing import Any

import numpy as np

from headline_tagger.errors import ModelError, ModelIntegrityError
from headline_tagger.runs import RunBatch

__all__ = ["UND", "LanguageDetector", "LanguageModel", "default_detector", "detect_language",
           "load_language_model", "tokenize"]

UND: str = "und"

MODEL_JSON = "language_model.json"
MODEL_NPZ = "language_model.npz"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1

_TOKEN = re.compile(r"[^\W\d_]+")
_TOKEN_OR_SEP = re.compile(r"[^\W\d_]+|\x00")
_SEP = "\x00"
_SEP_ID = -2
_OOV_ID = -1
_CACHE_LIMIT = 50_000
_NOT_CACHED = object()
_CHUNK = 16_384
_PACKED_MAX_WORDS = 200  # 16-bit lanes hold 200 words of at most 327 units each


def tokenize(text: str) -> list[str]:
    """Split text into lower-case letter runs (NFC); the same rule built the shipped table."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def _char_ngrams(token: str, orders: Sequence[int]) -> list[str]:
    """Character n-grams of ``^token$`` (boundary markers are never letters, so never tokens)."""
    padded = "^" + token + "$"
    size = len(padded)
    return [padded[i:i + n] for n in orders for i in range(size - n + 1) if n > 1 or 0 < i < size - 1]


class LanguageModel:
    """The loaded, verified table: word index, per-word entries, char n-grams, script rules.

    Every word adds a non-negative integer to each language's score (units of 0.05 Zipf):
    its frequency there above the "unknown" level, a script allowance for languages that
    write its script, and the English/French prior.  Words the table lacks get a
    character-model score instead.  The single-text path packs the per-language integers
    into one Python int (16-bit lanes) so a word costs one addition.
    """

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Build the lookup structures once from the parsed JSON and the npz arrays."""
        try:
            self.languages: tuple[str, ...] = tuple(meta["languages"])
            self.unit: float = float(meta["unit"])
            unknown = int(meta["unknown_units"])
            self.char_scale_div: int = int(meta["char_scale_divisor"])
            self.oov_floor: int = int(meta["oov_floor_units"])
            self.orders: tuple[int, ...] = tuple(int(o) for o in meta["char_orders"])
            scripts = meta["scripts"]
            self.script_names: tuple[str, ...] = tuple(s["name"] for s in scripts)
            ranges = sorted((int(a), int(b), i) for i, s in enumerate(scripts) for a, b in s["ranges"])
            self._range_starts = [r[0] for r in ranges]
            self._range_ends = [r[1] for r in ranges]
            self._range_script = [r[2] for r in ranges]
            self.skip_script: int = self.script_names.index(meta["skip_script"])
            n_lang = len(self.languages)
            n_script = len(self.script_names)
            if n_lang > 63 or n_script > 31:
                raise ValueError("too many languages or scripts for this format")
            allow = np.zeros((n_script, n_lang), dtype=np.int64)
            for j, code in enumerate(self.languages):
                for name in meta["language_scripts"][code]:
                    allow[self.script_names.index(name), j] = int(meta["script_bonus_units"])
            allow[self.skip_script, :] = 0
            self.bonus = np.zeros(n_lang, dtype=np.int64)
            for code, units in meta["bonus_units"].items():
                self.bonus[self.languages.index(code)] = int(units)
            self.script_allow = allow + self.bonus  # per-word constant part, by script

            words = bytes(arrays["words_utf8"]).decode("utf-8").split("\n")
            row_len = arrays["word_row_len"].astype(np.int64)
            self.e_lang = arrays["entry_lang"].astype(np.int64)
            self.e_delta = np.maximum(arrays["entry_zipf_units"].astype(np.int64) - unknown, 0)
            row_script = arrays["word_script"].astype(np.int64)
            if not (len(words) == len(row_len) == len(row_script)
                    and int(row_len.sum()) == len(self.e_lang) == len(self.e_delta)):
                raise ValueError("word arrays have inconsistent lengths")
            if self.e_lang.size and int(self.e_lang.max()) >= n_lang:
                raise ValueError("entry language out of range")
            starts = np.cumsum(row_len) - row_len
            # One int per word: entry start << 11 | script << 6 | entry count.
            codes = (starts << 11) | (row_script << 6) | row_len
            self.index: dict[str, int] = dict(zip(words, codes.tolist()))
            if len(self.index) != len(words) or _SEP in self.index:
                raise ValueError("duplicate or invalid words in the table")
            self.index[_SEP] = _SEP_ID  # never produced by tokenize(); marks text ends in batches
            del words, codes, starts
            self._py_lang = self.e_lang.tolist()
            self._py_delta = self.e_delta.tolist()
            worst = int(self.script_allow.max()) + max(int(self.e_delta.max(initial=0)), self.oov_floor)
            if worst * _PACKED_MAX_WORDS >= 1 << 16:
                raise ValueError("per-word scores too large for 16-bit packing")
            self._shift = [16 * j for j in range(n_lang)]
            self._allow_packed = [self._pack(row) for row in self.script_allow.tolist()]
            self._unpack = struct.Struct(f"<{n_lang}H").unpack
            self._nbytes = 2 * n_lang

            grams = bytes(arrays["ngrams_utf8"]).decode("utf-8").split("\n")
            self.gram_index: dict[str, int] = dict(zip(grams, range(len(grams))))
            self.gram_logp = np.ascontiguousarray(arrays["ngram_logp"], dtype=np.int16)
            self.gram_floor = arrays["ngram_floor"].astype(np.int64)  # (n_orders, n_char_langs)
            self.char_cols = np.asarray([self.languages.index(c) for c in meta["char_languages"]],
                                        dtype=np.int64)
            if self.gram_logp.shape != (len(grams), len(self.char_cols)) or \
                    self.gram_floor.shape != (len(self.orders), len(self.char_cols)):
                raise ValueError("n-gram arrays have inconsistent shapes")
        except (KeyError, ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
            raise ModelIntegrityError(f"language model is malformed: {exc}") from exc
        self._oov_cache: dict[str, tuple[int, np.ndarray] | None] = {}
        self._row_cache: dict[int, int] = {}

    def _pack(self, values: Sequence[int]) -> int:
        """Pack small non-negative per-language integers into one int (16 bits each)."""
        return sum(map(lshift, map(int, values), self._shift))

    def script_of(self, ch: str) -> int:
        """Index of the writing system of one character (the skip script when unknown)."""
        cp = ord(ch)
        k = bisect.bisect_right(self._range_starts, cp) - 1
        if k >= 0 and cp <= self._range_ends[k]:
            return self._range_script[k]
        return self.skip_script

    def oov_vector(self, token: str) -> tuple[int, np.ndarray] | None:
        """Packed and array score of a word the table does not list (None: unknown script), cached."""
        cache = self._oov_cache
        hit = cache.get(token, _NOT_CACHED)  # one lookup: another thread may clear the cache
        if hit is not _NOT_CACHED:
            return hit
        script = self.script_of(token[0])
        result = None
        if script != self.skip_script:  # the arithmetic of oov_matrix, for one word without batch overhead
            grams = _char_ngrams(token, self.orders)
            index = self.gram_index
            total = np.zeros(len(self.char_cols), dtype=np.int64)
            known = [index[g] for g in grams if g in index]
            if known:
                total += self.gram_logp[known].sum(axis=0, dtype=np.int64)
            for k, order in enumerate(self.orders):
                missing = sum(1 for g in grams if len(g) == order and g not in index)
                if missing:
                    total += missing * self.gram_floor[k]
            rel = (total - total.max()) // (self.char_scale_div * len(grams))
            vec = np.full(len(self.languages), self.oov_floor, dtype=np.int64)
            vec[self.char_cols] += np.maximum(rel, -self.oov_floor)
            vec += self.script_allow[script]
            result = (self._pack(vec.tolist()), vec)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[token] = result
        return result

    def _oov_rows(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`oov_matrix` of distinct words, through the cache the single-text path shares:
        words seen before are looked up, new ones scored together and remembered."""
        cache = self._oov_cache
        found = {w: hit for w in words if (hit := cache.get(w, _NOT_CACHED)) is not _NOT_CACHED}
        new = [w for w in words if w not in found]
        if len(new) >= _CACHE_LIMIT:
            return self.oov_matrix(words)
        if new:
            if len(cache) + len(new) >= _CACHE_LIMIT:  # bounded: start afresh
                cache.clear()
            valid, mat = self.oov_matrix(new)
            pack = self._pack
            for word, ok, row in zip(new, valid.tolist(), mat):
                found[word] = cache[word] = (pack(row.tolist()), row.copy()) if ok else None
        hits = [found[w] for w in words]
        valid = np.fromiter((h is not None for h in hits), dtype=bool, count=len(hits))
        mat = np.zeros((len(words), len(self.languages)), dtype=np.int64)
        for i, h in enumerate(hits):
            if h is not None:
                mat[i] = h[1]
        return valid, mat

    def oov_matrix(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n_words x n_languages, int64) of words the table does not list, by their
        character n-grams, and which words count (False: a script no language writes)."""
        n_lang = len(self.languages)
        scripts = np.fromiter(map(self.script_of, (w[0] for w in words)), dtype=np.int64, count=len(words))
        valid = scripts != self.skip_script
        mat = np.zeros((len(words), n_lang), dtype=np.int64)
        use = np.flatnonzero(valid)
        if not use.size:
            return valid, mat
        grams = [_char_ngrams(words[i], self.orders) for i in use.tolist()]
        sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        flat = list(chain.from_iterable(grams))
        get = self.gram_index.get
        ids = np.fromiter((get(g, -1) for g in flat), dtype=np.int64, count=len(flat))
        word_of = np.repeat(np.arange(len(use)), sizes)
        known = ids >= 0
        # Sum of the known n-grams' log-probabilities per word, by differences of a running sum.
        running = np.zeros((int(known.sum()) + 1, len(self.char_cols)), dtype=np.int64)
        np.cumsum(self.gram_logp[ids[known]], axis=0, dtype=np.int64, out=running[1:])
        ends = np.cumsum(np.bincount(word_of[known], minlength=len(use)))
        starts = np.concatenate([[0], ends[:-1]])
        total = running[ends] - running[starts]
        # Each unknown n-gram scores its order's floor.
        order_of = np.zeros(max(self.orders) + 1, dtype=np.int64)
        order_of[list(self.orders)] = np.arange(len(self.orders))
        gram_order = order_of[np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))]
        n_orders = len(self.orders)
        missing = np.bincount(word_of[~known] * n_orders + gram_order[~known],
                              minlength=len(use) * n_orders).reshape(len(use), n_orders)
        total += missing @ self.gram_floor
        rel = (total - total.max(axis=1, keepdims=True)) // (self.char_scale_div * sizes)[:, None]
        vec = np.full((len(use), n_lang), self.oov_floor, dtype=np.int64)
        vec[:, self.char_cols] += np.maximum(rel, -self.oov_floor)
        vec += self.script_allow[scripts[use]]
        mat[use] = vec
        return valid, mat

    def _row_packed(self, code: int) -> int:
        """Packed per-language score of one listed word (cached)."""
        packed = self._row_cache.get(code)
        if packed is None:
            start = code >> 11
            end = start + (code & 63)
            packed = self._allow_packed[(code >> 6) & 31] + sum(
                map(lshift, self._py_delta[start:end], map(self._shift.__getitem__, self._py_lang[start:end])))
            if len(self._row_cache) >= _CACHE_LIMIT:
                self._row_cache.clear()
            self._row_cache[code] = packed
        return packed

    def score_one(self, text: str) -> tuple[Sequence[int | float], int]:
        """Integer scores of every language for one text, and the number of words scored."""
        tokens = tokenize(text)
        if len(tokens) > _PACKED_MAX_WORDS:  # 16-bit lanes could overflow: use the batch path
            scores, counts = self.score_many([text])
            return scores[0].tolist(), int(counts[0])
        get = self.index.get
        row_cache = self._row_cache
        acc = 0
        n = 0
        for tok in tokens:
            code = get(tok)
            if code is None:
                vec = self.oov_vector(tok)
                if vec is None:
                    continue
                acc += vec[0]
            else:
                packed = row_cache.get(code)
                acc += packed if packed is not None else self._row_packed(code)
            n += 1
        if n == 0:
            return (), 0
        return self._unpack(acc.to_bytes(self._nbytes, "little")), n

    def score_many(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Integer scores (n_texts x n_languages, float64) and word counts for a batch."""
        joined = _SEP.join(texts)
        if joined.count(_SEP) != len(texts) - 1:  # a text contains NUL: tokenise one by one
            toks: list[str] = []
            for i, t in enumerate(texts):
                if i:
                    toks.append(_SEP)
                toks.extend(tokenize(t))
        else:
            toks = _TOKEN_OR_SEP.findall(unicodedata.normalize("NFC", joined).lower())
        return self._score_tokens(toks, len(texts))

    def run_columns(self, runs: list[str]) -> dict[str, np.ndarray]:
        """Per-language scores and word counts of NFC word runs (see :mod:`.runs`).

        Values are integers well under 2**24, so float32 sums of them stay exact.
        """
        toks = _TOKEN_OR_SEP.findall(_SEP.join(runs).lower()) if runs else []
        scores, counts = self._score_tokens(toks, len(runs))
        return {"lang_table": np.column_stack([scores, counts]).astype(np.float32)}  # counts last

    def score_runs(self, batch: RunBatch) -> tuple[np.ndarray, np.ndarray]:
        """Scores and word counts of a batch's texts from its shared runs: the same as score_many."""
        from scipy import sparse

        indptr = np.zeros(batch.n_texts + 1, dtype=np.int64)
        np.cumsum(np.bincount(batch.doc, minlength=batch.n_texts), out=indptr[1:])
        table = batch.columns["lang_table"]
        per_text = sparse.csr_matrix((np.ones(len(batch.row), dtype=np.float32), batch.row, indptr),
                                     shape=(batch.n_texts, table.shape[0]))
        both = (per_text @ table).astype(np.float64)
        scores, counts = both[:, :-1], both[:, -1]
        return scores, counts

    def _score_tokens(self, toks: list[str], n_texts: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores and word counts from the letter runs of ``n_texts`` texts, separated by NUL tokens."""
        n_lang = len(self.languages)
        get = self.index.get
        codes = np.fromiter([get(t, _OOV_ID) for t in toks], dtype=np.int64, count=len(toks))
        text_of = np.cumsum(codes == _SEP_ID)
        scores = np.zeros(n_texts * n_lang, dtype=np.float64)
        counts = np.zeros(n_texts, dtype=np.float64)

        known = codes >= 0
        rows = codes[known]
        if rows.size:
            tid = text_of[known]
            lens = rows & 63
            total = int(lens.sum())
            ends = np.cumsum(lens)
            offs = np.arange(total, dtype=np.int64) + np.repeat((rows >> 11) - (ends - lens), lens)
            flat = np.repeat(tid, lens) * n_lang + self.e_lang[offs]
            scores += np.bincount(flat, weights=self.e_delta[offs], minlength=n_texts * n_lang)
            n_script = len(self.script_names)
            by_script = np.bincount(tid * n_script + ((rows >> 6) & 31),
                                    minlength=n_texts * n_script).reshape(n_texts, n_script)
            scores += (by_script @ self.script_allow).ravel()
            counts += np.bincount(tid, minlength=n_texts)
        scores = scores.reshape(n_texts, n_lang)

        oov_pos = np.flatnonzero(codes == _OOV_ID)
        if oov_pos.size:
            uniq: dict[str, int] = {}
            inv = [uniq.setdefault(toks[k], len(uniq)) for k in oov_pos.tolist()]
            valid, mat = self._oov_rows(list(uniq))
            if valid.any():
                inv_arr = np.asarray(inv, dtype=np.int64)
                keep = valid[inv_arr]
                tids = text_of[oov_pos][keep]
                np.add.at(scores, tids, mat[inv_arr[keep]])
                counts += np.bincount(tids, minlength=n_texts)
        return scores, counts


def _read_verified(base: Any, name: str, expected: dict[str, str]) -> bytes:
    """Read one model file and check it against the manifest's SHA-256."""
    try:
        data = (base / name).read_bytes()
    except OSError as exc:
        raise ModelIntegrityError(f"language model file {name!r} cannot be read: {exc}") from exc
    want = expected.get(name)
    got = hashlib.sha256(data).hexdigest()
    if want != got:
        raise ModelIntegrityError(
            f"language model file {name!r} failed its integrity check (SHA-256 {got}, manifest "
            f"expects {want}); reinstall headline-tagger or rebuild with "
            "tools/build_language_model.py")
    return data


def load_language_model(path: str | Path | None = None) -> LanguageModel:
    """Load and verify the table from a directory (default: the one shipped in the package)."""
    base: Any = resources.files("headline_tagger") / "data" / "language" if path is None else Path(path)
    try:
        manifest = json.loads((base / MANIFEST).read_bytes())
        expected = {str(k): str(v) for k, v in manifest["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelIntegrityError(f"language model manifest in {base} is missing or damaged: {exc}") from exc
    meta_bytes = _read_verified(base, MODEL_JSON, expected)
    npz_bytes = _read_verified(base, MODEL_NPZ, expected)
    try:
        meta = json.loads(meta_bytes)
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version {meta.get('format_version')!r}, expected {FORMAT_VERSION}")
        with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, KeyError) as exc:
        raise ModelIntegrityError(f"language model in {base} cannot be parsed: {exc}") from exc
    return LanguageModel(meta, arrays)


_DEFAULT_MODEL: LanguageModel | None = None
_DEFAULT_DETECTOR: LanguageDetector | None = None
_LOCK = threading.Lock()


def _default_model() -> LanguageModel:
    """The shipped table, loaded once (thread-safe) on first use."""
    global _DEFAULT_MODEL
    model = _DEFAULT_MODEL
    if model is None:
        with _LOCK:
            if _DEFAULT_MODEL is None:
                _DEFAULT_MODEL = load_language_model()
            model = _DEFAULT_MODEL
    return model


class LanguageDetector:
    """Detects the language of short texts from a shipped word/char table."""

    def __init__(self, languages: Sequence[str] | None = None, *,
                 model: LanguageModel | str | Path | None = None) -> None:
        """Choose the candidate languages (None = all the table knows) and the table to use."""
        if model is None:
            self._model = _default_model()
        elif isinstance(model, LanguageModel):
            self._model = model
        else:
            self._model = load_language_model(model)
        known = self._model.languages
        if languages is None:
            cand = list(range(len(known)))
        else:
            if isinstance(languages, str):
                raise TypeError("languages must be a sequence of codes such as ('en', 'fr'), not a str")
            wanted = [str(c).lower() for c in languages]
            unknown = [c for c in wanted if c not in known]
            if unknown or not wanted:
                raise ValueError(f"unknown language code(s) {unknown or '(none given)'}; "
                                 f"known codes: {', '.join(known)}")
            cand = sorted({known.index(c) for c in wanted})
        self._cand = cand
        self._all = cand == list(range(len(known)))
        self._cand_arr = np.asarray(cand, dtype=np.int64)
        self._codes = tuple(known[j] for j in cand)
        self._k = math.log(10.0) * self._model.unit
        self._names = np.asarray(self._codes + (UND,), dtype=object)

    @property
    def languages(self) -> tuple[str, ...]:
        """The candidate language codes, in the fixed tie-break order."""
        return self._codes

    @property
    def table(self) -> LanguageModel:
        """The word/char table this detector reads."""
        return self._model

    def detect(self, text: str) -> tuple[str, float]:
        """Return (language code, posterior score in [0, 1]); ("und", 0.0) when no letters."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        scores, n = self._model.score_one(text)
        if n == 0:
            return UND, 0.0
        if self._all:
            sub = scores
            best = max(sub)
            best_j = sub.index(best)  # first maximum = fixed table order
        else:
            sub = [scores[j] for j in self._cand]
            best = max(sub)
            best_j = self._cand[sub.index(best)]
        k = self._k / n
        exp = math.exp
        total = 0.0
        for s in sub:  # plain left-to-right sum, as in detect_many
            total += exp((s - best) * k)
        return self._model.languages[best_j], round(1e6 / total) / 1e6

    def detect_many(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Detect a batch: codes and float64 scores, the same answers as detect() one by one."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] must be str, not {type(t).__name__}")
        codes: list[str] = []
        out = np.zeros(len(texts), dtype=np.float64)
        for start in range(0, len(texts), _CHUNK):
            chunk_codes, out[start:start + _CHUNK] = self._decide(*self._model.score_many(texts[start:start + _CHUNK]))
            codes.extend(chunk_codes)
        return codes, out

    def run_columns(self, runs: list[str]) -> dict[str, np.ndarray]:
        """What this detector needs per shared word run (see :mod:`headline_tagger.runs`)."""
        return self._model.run_columns(runs)

    def detect_runs(self, batch: RunBatch) -> tuple[list[str], np.ndarray]:
        """Detect a batch from its shared word runs: the same answers as :meth:`detect_many`."""
        return self._decide(*self._model.score_runs(batch))

    def _decide(self, scores: np.ndarray, counts: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Best candidate language and its posterior per row of scores; ``und`` for no words."""
        n = len(counts)
        sc = scores if self._all else scores[:, self._cand_arr]
        best = np.argmax(sc, axis=1)
        top = sc[np.arange(n), best]
        safe = np.where(counts > 0, counts, 1.0)
        terms = np.exp((sc - top[:, None]) * (self._k / safe)[:, None])
        total = np.zeros(n, dtype=np.float64)
        for column in np.ascontiguousarray(terms.T):  # same summation order as detect()
            total += column
        post = np.rint(1e6 / total) / 1e6
        none = counts == 0
        post[none] = 0.0
        best[none] = len(self._codes)
        return self._names[best].tolist(), post


def default_detector() -> LanguageDetector:
    """The shared all-languages detector, created once (thread-safe)."""
    global _DEFAULT_DETECTOR
    det = _DEFAULT_DETECTOR
    if det is None:
        model = _default_model()
        with _LOCK:
            if _DEFAULT_DETECTOR is None:
                _DEFAULT_DETECTOR = LanguageDetector(model=model)
            det = _DEFAULT_DETECTOR
    return det


def portable_languages(detector: LanguageDetector) -> tuple[str, ...] | None:
    """What another process needs to rebuild ``detector`` from its own installed table: the
    candidate languages (None: all of them). A detector on another table cannot travel so."""
    shipped = default_detector()
    if detector.table is not shipped.table:
        raise ModelError("other processes rebuild the language detector from the shipped table; "
                         "a detector on another table works in one process only")
    return None if detector.languages == shipped.languages else detector.languages


_RESTRICTED: dict[tuple[str, ...], LanguageDetector] = {}


def shared_detector(languages: Sequence[str] | None = None) -> LanguageDetector:
    """A detector on the shipped table among ``languages`` (None: all of them), made once per
    language set (up to 64 sets kept): the inverse of :func:`portable_languages`."""
    if languages is None:
        return default_detector()
    if isinstance(languages, str):  # refused by the constructor, with its message
        return LanguageDetector(languages)
    key = tuple(languages)
    det = _RESTRICTED.get(key)
    if det is None:
        det = LanguageDetector(key)
        if len(_RESTRICTED) < 64:
            _RESTRICTED[key] = det
    return det


def detect_language(text: str, languages: Sequence[str] | None = None) -> tuple[str, float]:
    """Detect one text's language with the shared table (optionally among given codes)."""
    return shared_detector(languages).detect(text)
