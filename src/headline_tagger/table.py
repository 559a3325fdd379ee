"""Tagging tables in memory: pandas DataFrames, and the summary of a batch run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

from .corpus import find_column
from .tagger import Tagger, default_tagger
from .themes import THEME_SEPARATOR

if TYPE_CHECKING:
    import pandas as pd

#: Columns added to the user's table.
OUTPUT_COLUMNS = ("language", "themes", "tag_status")


@dataclass
class TagSummary:
    """What a batch run did: rows, and counts per language, theme and status."""

    rows: int = 0
    languages: Counter = field(default_factory=Counter)
    themes: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    columns: dict[str, str] = field(default_factory=dict)

    def add(self, languages: Sequence[str], themes: Sequence[str], statuses: Sequence[str]) -> None:
        """Count one chunk's results (``themes`` as ';'-joined cells; statuses counted by kind)."""
        self.rows += len(statuses)
        self.languages.update(languages)
        for cell, n in Counter(themes).items():  # distinct cells are few: split each once
            for theme in cell.split(";"):
                if theme:
                    self.themes[theme] += n
        for status, n in Counter(statuses).items():
            self.statuses[status.split(":", 1)[0]] += n

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return {"rows": self.rows, "languages": dict(self.languages.most_common()),
                "themes": dict(self.themes.most_common()), "statuses": dict(self.statuses.most_common()),
                "columns": self.columns}


def output_names(existing: Sequence[str]) -> dict[str, str]:
    """Names of the added columns, renamed (``tagged_language``...) when the input already has them."""
    taken = {str(c) for c in existing}
    names = {}
    for col in OUTPUT_COLUMNS:
        name = col
        while name in taken:
            name = "tagged_" + name
        taken.add(name)
        names[col] = name
    return names


def is_missing(value: object) -> bool:
    """True for None and float NaN (pandas' missing cells)."""
    return value is None or (isinstance(value, float) and value != value)


def tag_cells(cells: Sequence[object], tagger: Tagger) -> tuple[list[str], list[str], list[str]]:
    """Language, ';'-joined themes and status of each cell; cells that are not text are flagged, not lost."""
    all_text = all(map(isinstance, cells, repeat(str)))
    texts = cells if all_text else [c if isinstance(c, str) else "" for c in cells]
    languages, themes, statuses = tagger.tag_columns(texts)  # type: ignore[arg-type]
    if not all_text:
        statuses = [s if isinstance(c, str) else ("empty" if is_missing(c) else f"not_text: {type(c).__name__}")
                    for c, s in zip(cells, statuses)]
    return languages, list(map(THEME_SEPARATOR.join, themes)), statuses


def tag_dataframe(df: pd.DataFrame, column: str | None = None, *, tagger: Tagger | None = None,
                  names: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with ``language``, ``themes`` and ``tag_status`` columns added.

    Missing cells (NaN/None) are kept and flagged ``empty``; non-text cells (numbers, bytes...)
    are kept and flagged ``not_text``. No row is dropped or reordered.
    """
    tagger = tagger or default_tagger()
    labels = [str(c) for c in df.columns]
    col = df.columns[labels.index(find_column(labels, column))]
    names = names or output_names(df.columns)
    languages, themes, statuses = tag_cells(df[col].tolist(), tagger)
    out = df.copy()
    out[names["language"]] = languages
    out[names["themes"]] = themes
    out[names["tag_status"]] = statuses
    return out
