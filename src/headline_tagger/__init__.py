"""headline-tagger: language and theme tags for news headlines on smuggling, trafficking and borders.

>>> from headline_tagger import tag_headline
>>> tag_headline("INTERPOL backs International Migrants Day").themes
('migration',)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from .errors import (
    ColumnNotFoundError,
    HeadlineTaggerError,
    InputError,
    ModelError,
    ModelIntegrityError,
    TrainingError,
    UntrustedModelError,
)
from .language import LanguageDetector, detect_language
from .model import ThemeExplanation, ThemeModel
from .tagger import HeadlineTags, Tagger, ThemeScores, explain, tag_headline, tag_headlines
from .themes import THEMES

# Heavier parts (pandas, scikit-learn) load on first use, so `import headline_tagger` stays fast.
_LAZY = {
    "tag_file": "io", "tag_dataframe": "table", "TagSummary": "table",
    "train": "training", "evaluate": "training", "cross_validate": "training",
    "TrainingConfig": "training", "EvaluationReport": "training", "model_card": "training",
    "compare_reports": "training", "threshold_curve": "training",
    "read_labelled": "corpus", "load_corpus": "corpus", "training_corpus": "corpus",
    "least_certain": "labelling", "merge_labels": "labelling",
}

__all__ = [
    "THEMES", "HeadlineTags", "ThemeScores", "Tagger", "ThemeModel", "ThemeExplanation", "LanguageDetector",
    "tag_headline", "tag_headlines", "explain", "detect_language",
    "HeadlineTaggerError", "ModelError", "ModelIntegrityError", "UntrustedModelError",
    "InputError", "ColumnNotFoundError", "TrainingError", "__version__", *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'headline_tagger' has no attribute {name!r}")
