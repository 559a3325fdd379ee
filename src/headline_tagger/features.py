"""Text normalisation and the features the theme model reads (shared by training and inference).

One analyser serves both the scikit-learn reference pipeline (as a callable ``analyzer``) and
the fast numpy path, so the two see exactly the same features.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass


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
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
        table[ord(ch)] = ""
    for ch in "–—―‐‑":
        table[ord(ch)] = "-"
    for d in "123456789":
        table[ord(d)] = "0"
    return table


_FOLD = _build_fold_table()
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def normalize(text: str) -> str:
    """Lower-case and fold a headline so spelling variants meet (accents, quotes, digits, spaces)."""
    return text.lower().translate(_FOLD)


def tokenize(text: str) -> list[str]:
    """Word tokens of an already normalised text (two or more word characters, as scikit-learn)."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class FeatureConfig:
    """Which features the theme model reads: word n-grams and word-prefix ("stem") features."""

    word_ngrams: int = 2
    prefix_length: int = 5

    def to_dict(self) -> dict[str, int]:
        """Plain dict for JSON model files."""
        return asdict(self)


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


class Analyzer:
    """Callable text -> feature list, usable as scikit-learn's ``TfidfVectorizer(analyzer=...)``."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()

    def __call__(self, text: str) -> list[str]:
        return analyze_tokens(tokenize(normalize(text)), self.config)
