"""The labelled corpus shipped with the package, and reading labelled CSV files of one's own."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .errors import ColumnNotFoundError, InputError
from .themes import THEMES, parse_themes

if TYPE_CHECKING:  # pandas is imported lazily: inference does not need it
    import pandas as pd

#: Names tried, in order, when looking for the headline column of a file.
HEADLINE_COLUMNS = ("headline", "title", "titre", "text")
LABEL_COLUMNS = ("themes", "labels")


def corpus_dir() -> Path:
    """Folder of the shipped corpus CSV files."""
    return Path(str(resources.files("headline_tagger") / "data" / "corpus"))


def find_column(columns: Sequence[str], wanted: str | None = None,
                candidates: Sequence[str] = HEADLINE_COLUMNS) -> str:
    """The column to read: ``wanted`` if given, else the first candidate name present (any case)."""
    cols = [str(c) for c in columns]
    if wanted is not None:
        if wanted in cols:
            return wanted
        raise ColumnNotFoundError(f"column {wanted!r} not found; columns found: {cols}")
    lower = {c.strip().lower(): c for c in reversed(cols)}
    for name in candidates:
        if name in lower:
            return lower[name]
    raise ColumnNotFoundError(
        f"no column named {' / '.join(candidates)}; columns found: {cols}. "
        "Name the column with --column (or column=...).")


def read_labelled(source: "str | os.PathLike[str] | pd.DataFrame", *, column: str | None = None,
                  themes: Sequence[str] | None = None) -> "pd.DataFrame":
    """Labelled rows as a frame: ``headline``, ``themes`` (tuples), ``language``, ``group``.

    ``themes`` lists the allowed ids (None: any id found in the file is a theme). ``group``
    keeps rows that must not be split across cross-validation folds together: the ``pair_id``
    when there is one, else the ``source``, else the row itself.
    """
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        try:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"cannot read labelled file {source}: {exc}") from exc
    text_col = find_column(frame.columns, column)
    label_col = find_column(frame.columns, None, LABEL_COLUMNS)
    known = tuple(themes) if themes is not None else None
    out = pd.DataFrame({"headline": frame[text_col].astype(str)})
    try:
        out["themes"] = [parse_themes(str(c), known) for c in frame[label_col].fillna("")]
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    out["language"] = frame["language"].astype(str) if "language" in frame else ""
    pair = frame["pair_id"].astype(str) if "pair_id" in frame else pd.Series([""] * len(frame))
    src = frame["source"].astype(str) if "source" in frame else pd.Series([""] * len(frame))
    out["group"] = [
        f"pair:{p}" if p else (f"source:{s}" if s else f"row:{i}")
        for i, (p, s) in enumerate(zip(pair.tolist(), src.tolist()))
    ]
    for extra in ("pair_id", "source", "part"):
        if extra in frame:
            out[extra] = frame[extra].astype(str).tolist()
    empty = out["headline"].str.strip() == ""
    if empty.any():
        raise InputError(f"{int(empty.sum())} labelled row(s) have no headline text "
                         f"(first at row {int(empty.idxmax()) + 1})")
    return out.reset_index(drop=True)


def label_set(frame: "pd.DataFrame") -> tuple[str, ...]:
    """Theme ids found in labelled rows: the default order when they are default themes."""
    found = {t for ts in frame["themes"] for t in ts}
    ordered = [t for t in THEMES if t in found]
    return tuple(ordered + sorted(found - set(THEMES)))


def load_corpus(path: "str | os.PathLike[str] | None" = None) -> "pd.DataFrame":
    """The shipped corpus (every CSV of the corpus folder, or of ``path``), as raw string columns."""
    import pandas as pd

    folder = Path(path) if path is not None else corpus_dir()
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else [folder]
    if not files:
        raise InputError(f"no corpus CSV files in {folder}")
    frames = []
    for f in files:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8")
        frame["part"] = f.stem
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def training_corpus(languages: Sequence[str] = ("en", "fr")) -> "pd.DataFrame":
    """The shipped corpus as labelled rows, in the languages the theme model is trained on."""
    rows = read_labelled(load_corpus(), themes=THEMES)
    return rows[rows["language"].isin(list(languages))].reset_index(drop=True)


def data_hash(frame: "pd.DataFrame") -> str:
    """SHA-256 of labelled rows (text, themes, language), to record what a model was trained on."""
    h = hashlib.sha256()
    for text, themes, lang in zip(frame["headline"], frame["themes"], frame["language"]):
        h.update(f"{text}\t{';'.join(sorted(themes))}\t{lang}\n".encode("utf-8"))
    return h.hexdigest()


COUNTS_BEGIN = "<!-- counts:begin -->"
COUNTS_END = "<!-- counts:end -->"


def counts_markdown(corpus: "pd.DataFrame") -> str:
    """Markdown tables of rows, themes, multi-theme share and pairs per language (deterministic)."""
    langs = ["en", "fr"]
    sub = {lang: corpus[corpus["language"] == lang] for lang in langs}
    labels = {lang: [[t for t in cell.split(";") if t] for cell in sub[lang]["themes"]] for lang in langs}
    lines = ["| | " + " | ".join(langs) + " |", "|---|" + "---|" * len(langs)]
    lines.append("| rows | " + " | ".join(str(len(sub[l])) for l in langs) + " |")
    for name, fn in [
        ("rows with no theme", lambda ls: sum(1 for x in ls if not x)),
        ("rows with one theme", lambda ls: sum(1 for x in ls if len(x) == 1)),
        ("rows with two or more themes", lambda ls: sum(1 for x in ls if len(x) >= 2)),
    ]:
        lines.append(f"| {name} | " + " | ".join(str(fn(labels[l])) for l in langs) + " |")
    for theme in THEMES:
        lines.append(f"| `{theme}` | " + " | ".join(
            str(sum(1 for x in labels[l] if theme in x)) for l in langs) + " |")
    pairs = corpus[corpus["pair_id"] != ""]["pair_id"].nunique()
    other = corpus[~corpus["language"].isin(langs)]
    other_counts = ", ".join(f"{k} {v}" for k, v in sorted(Counter(other["language"]).items()))
    sources = ", ".join(f"{k} {v}" for k, v in sorted(Counter(corpus["source"]).items()))
    parts = ", ".join(f"`{k}` {v}" for k, v in sorted(Counter(corpus["part"]).items()))
    return "\n".join(lines + [
        "",
        f"- Parallel EN/FR pairs: {pairs}",
        f"- Other languages: {len(other)} rows ({other_counts})",
        f"- Sources (voices): {sources}",
        f"- Files: {parts}",
    ])
