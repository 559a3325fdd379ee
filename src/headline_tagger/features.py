"""Text normalisation and the features the theme model reads (shared by training and inference).

One analyser serves both the scikit-learn reference pipeline (as a callable ``analyzer``) and
the fast numpy path, so the two see exactly the same features.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

#: Invisible characters folding deletes (zero-width spaces and joiners, BOM, soft hyphen).
FOLD_DELETES = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _build_fold_table() -> dict[int, str]:
    """Map typographic variants, accents and digits to plain forms (é->e, ’->', 7->0, NBSP->space)."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):  # Latin-1 Supplement letters and Latin Extended-A/B
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and base != ch and base.isascii():
            table[code] = base.lower()
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae", ord("ß"): "ss"})
    for ch in "’‘‛`´′ʼ":
        table[ord(ch)] = "'"
    for ch in "«»“”„‟″":
        table[ord(ch)] = '"'
    for ch in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000\t\r\n\x0b\x0c\u0085\u2028\u2029":
        table[ord(ch)] = " "
    for ch in FOLD_DELETES:
        table[ord(ch)] = ""
    for ch in "–—―‐‑":
        table[ord(ch)] = "-"
    for d in "123456789":
        table[ord(d)] = "0"
    return table


_FOLD = _build_fold_table()
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WORD_CHAR = re.compile(r"\w")

#: Characters whose folding moves word boundaries: deleted ones, and word characters folded to
#: punctuation (U+02BC modifier apostrophe -> ').  Folding any other character keeps its side.
BOUNDARY_CHANGERS = "".join(sorted(
    chr(code) for code, out in _FOLD.items()
    if not out or any(bool(_WORD_CHAR.match(c)) != bool(_WORD_CHAR.match(chr(code))) for c in out)))


#: Whole words of two or three capitals: acronyms, kept apart from the words they spell once
#: lower-cased ("IS" the group is not "is", "UN" is not French "un", "US" is not "us").
_ACRONYM = re.compile(r"\b[A-Z]{2,3}\b")
_TWO_CAPITALS = re.compile(r"[A-Z][A-Z]")  # a cheap scan first: most headlines have no acronym


def normalize(text: str, *, acronyms: bool | None = None) -> str:
    """Lower-case and fold a headline so spelling variants meet (accents, quotes, digits, spaces);
    two- and three-capital acronyms get a trailing underscore so they stay distinct words.

    ``acronyms=None`` decides by the text: a headline written in capitals throughout ("UN
    PASSEUR ARRÊTÉ") has no acronyms to tell apart, its short words are words. Callers that
    join many headlines into one text decide for them (see :func:`tokenize_batch`).
    """
    if acronyms is None:
        acronyms = not text.isupper()
    if acronyms and _TWO_CAPITALS.search(text):
        text = _ACRONYM.sub(r"\g<0>_", text)
    return text.lower().translate(_FOLD)


def tokenize(text: str) -> list[str]:
    """Word tokens of an already normalised text (two or more word characters, as scikit-learn)."""
    return _TOKEN.findall(text)


#: Separator between texts in :func:`tokenize_batch` (a control character folding keeps).
BATCH_SEPARATOR = "\x1f"
_TOKEN_OR_SEP = re.compile(r"(?u)\b\w\w+\b|\x1f")


def tokenize_batch(texts: list[str]) -> list[str]:
    """Tokens of many texts in one pass, texts separated by :data:`BATCH_SEPARATOR` tokens.

    Same tokens as ``tokenize(normalize(t))`` for each text, without a Python call per text
    (text by text only when a text itself holds the separator character, or is written in
    capitals throughout, which changes its acronym rule).
    """
    joined = BATCH_SEPARATOR.join(texts)
    if joined.count(BATCH_SEPARATOR) == len(texts) - 1 and not any(map(str.isupper, texts)):
        return _TOKEN_OR_SEP.findall(normalize(joined, acronyms=True))
    tokens: list[str] = []
    for i, text in enumerate(texts):
        if i:
            tokens.append(BATCH_SEPARATOR)
        tokens.extend(tokenize(normalize(text)))
    return tokens


@dataclass(frozen=True)
class FeatureConfig:
    """Which features the theme model reads.

    Two TF-IDF blocks, each l2-normalised on its own (as scikit-learn's ``FeatureUnion`` of two
    vectorizers): words (word n-grams up to ``word_ngrams`` and a ``prefix_length``-letter prefix
    of longer words, a cheap stem) and, when ``char_ngrams`` is set, character n-grams inside
    word boundaries (scikit-learn's ``char_wb``), which carry spelling variants and unseen words.
    """

    word_ngrams: int = 2
    prefix_length: int = 5
    char_ngrams: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.char_ngrams is not None:  # JSON gives a list
            lo, hi = (int(v) for v in self.char_ngrams)
            if not 1 <= lo <= hi:
                raise ValueError(f"char_ngrams must be (low, high) with 1 <= low <= high, got {self.char_ngrams}")
            object.__setattr__(self, "char_ngrams", (lo, hi))

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON model files."""
        d = asdict(self)
        d["char_ngrams"] = list(self.char_ngrams) if self.char_ngrams else None
        return d


def token_features(token: str, config: FeatureConfig) -> list[str]:
    """Features one token contributes on its own: the word, and its prefix when the word is longer."""
    feats = ["w:" + token]
    p = config.prefix_length
    if p and len(token) > p:
        feats.append("p:" + token[:p])
    return feats


def analyze_tokens(tokens: list[str], config: FeatureConfig) -> list[str]:
    """All features of a token list: per-token features, then word n-grams (n >= 2)."""
    feats: list[str] = []
    for tok in tokens:
        feats.extend(token_features(tok, config))
    for n in range(2, config.word_ngrams + 1):
        feats.extend("b:" + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return feats


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """Character n-grams of one space-free word padded with spaces, exactly as scikit-learn's char_wb."""
    w = " " + word + " "
    size = len(w)
    grams: list[str] = []
    for n in range(low, high + 1):
        if size <= n:  # a word no longer than n counts once, whole, and ends the word
            grams.append(w)
            break
        grams.extend(w[i : i + n] for i in range(size - n + 1))
    return grams


def char_features(word: str, config: FeatureConfig) -> list[str]:
    """Character-block features of one space-free normalised word ('c:' + its char_wb n-grams)."""
    low, high = config.char_ngrams  # type: ignore[misc]
    return ["c:" + g for g in char_wb_ngrams(word, low, high)]


class Analyzer:
    """Callable text -> word-block features, usable as ``TfidfVectorizer(analyzer=...)``."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()

    def __call__(self, text: str) -> list[str]:
        return analyze_tokens(tokenize(normalize(text)), self.config)


class CharAnalyzer:
    """Callable text -> character-block features ('c:' + char_wb n-gram of the normalised text)."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        if self.config.char_ngrams is None:
            raise ValueError("this feature configuration has no character n-grams")

    def __call__(self, text: str) -> list[str]:
        return [f for w in normalize(text).split() for f in char_features(w, self.config)]
