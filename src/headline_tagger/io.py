"""Batch tagging of tables and files: every row kept, in order, with its columns unchanged."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterator

from .corpus import find_column
from .errors import InputError
from .tagger import Tagger, default_tagger
from .themes import join_themes

if TYPE_CHECKING:
    import pandas as pd

#: Columns added to the user's table.
OUTPUT_COLUMNS = ("language", "themes", "tag_status")
CHUNK_ROWS = 50_000
_SAMPLE_BYTES = 1 << 16


@dataclass
class TagSummary:
    """What a batch run did: rows, and counts per language, theme and status."""

    rows: int = 0
    languages: Counter = field(default_factory=Counter)
    themes: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    columns: dict[str, str] = field(default_factory=dict)

    def add(self, languages: list[str], themes: list[tuple[str, ...]], statuses: list[str]) -> None:
        """Count one chunk's results."""
        self.rows += len(statuses)
        self.languages.update(languages)
        self.themes.update(t for ts in themes for t in ts)
        self.statuses.update(statuses)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return {"rows": self.rows, "languages": dict(self.languages.most_common()),
                "themes": dict(self.themes.most_common()), "statuses": dict(self.statuses.most_common()),
                "columns": self.columns}


def _output_names(existing: list[str]) -> dict[str, str]:
    """Names of the added columns, renamed (``tagged_language``...) when the input already has them."""
    taken = set(existing)
    names = {}
    for col in OUTPUT_COLUMNS:
        name = col
        while name in taken:
            name = "tagged_" + name
        taken.add(name)
        names[col] = name
    return names


def tag_dataframe(df: "pd.DataFrame", column: str | None = None, *, tagger: Tagger | None = None,
                  names: dict[str, str] | None = None) -> "pd.DataFrame":
    """A copy of ``df`` with ``language``, ``themes`` and ``tag_status`` columns added.

    Missing cells (NaN/None) are kept and flagged ``empty``; non-text cells (numbers, bytes...)
    are kept and flagged ``not_text``. No row is dropped or reordered.
    """
    tagger = tagger or default_tagger()
    col = find_column(list(df.columns), column)
    names = names or _output_names([str(c) for c in df.columns])
    cells = df[col].tolist()
    texts = [c if isinstance(c, str) else "" for c in cells]
    results = tagger.tag_many(texts)
    statuses = [r.status if isinstance(c, str) else ("empty" if _is_missing(c) else "not_text")
                for c, r in zip(cells, results)]
    out = df.copy()
    out[names["language"]] = [r.language for r in results]
    out[names["themes"]] = [join_themes(r.themes) for r in results]
    out[names["tag_status"]] = statuses
    return out


def _is_missing(value: object) -> bool:
    """True for None and float NaN (pandas' missing cells)."""
    return value is None or (isinstance(value, float) and value != value)


# -- reading files -----------------------------------------------------------------------------
def detect_encoding(sample: bytes) -> str:
    """Encoding of a file from its first bytes: UTF-8 (with or without BOM), else cp1252, else a guess.

    English and French spreadsheet exports are cp1252 when they are not UTF-8, so cp1252 is tried
    before any statistical guess (which mistakes short French text for cp1250).
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) >= _SAMPLE_BYTES:
            return "utf-8"  # only a character cut at the sample's edge
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def sniff_separator(text: str) -> str:
    """Field separator of a CSV sample: one of , ; TAB |, by csv.Sniffer, ',' when unsure."""
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _chunks(source: IO[bytes], *, sep: str | None, encoding: str | None,
            chunksize: int) -> tuple[Iterator["pd.DataFrame"], str, str]:
    """An iterator of string-typed chunks, plus the separator and encoding used."""
    import io as _io

    import pandas as pd

    head = source.peek(_SAMPLE_BYTES)[:_SAMPLE_BYTES] if hasattr(source, "peek") else b""
    enc = encoding or detect_encoding(head)
    if sep is None:
        sep = sniff_separator(head.decode(enc, errors="replace"))
    stream = _io.TextIOWrapper(source, encoding=enc, newline="")
    try:
        reader = pd.read_csv(stream, sep=sep, dtype=str, keep_default_na=False, chunksize=chunksize,
                             engine="c", skip_blank_lines=False)
    except pd.errors.EmptyDataError as exc:
        raise InputError("the input is empty (no header row)") from exc
    return reader, sep, enc


def tag_file(source: str | os.PathLike[str] | IO[bytes], output: str | os.PathLike[str] | IO[str] | None,
             *, column: str | None = None, sep: str | None = None, encoding: str | None = None,
             tagger: Tagger | None = None, chunksize: int = CHUNK_ROWS,
             on_chunk: Callable[[int], None] | None = None) -> TagSummary:
    """Tag a CSV/TSV file chunk by chunk into ``output`` (a path, written atomically, or a text stream).

    Every input row comes out, in order, with its columns unchanged, plus the tagging columns.
    ``on_chunk(n_rows)`` is called after each chunk (for progress bars).
    """
    import pandas as pd

    tagger = tagger or default_tagger()
    opened = None
    if isinstance(source, (str, os.PathLike)):
        try:
            opened = open(source, "rb")
        except OSError as exc:
            raise InputError(f"cannot open {source}: {exc.strerror or exc}") from exc
        binary: IO[bytes] = opened
    else:
        binary = source
    import io as _io

    if not hasattr(binary, "peek"):
        binary = _io.BufferedReader(binary)  # type: ignore[arg-type]
    summary = TagSummary()
    try:
        reader, used_sep, _enc = _chunks(binary, sep=sep, encoding=encoding, chunksize=chunksize)
        with _atomic_text_output(output) as out:
            first = True
            try:
                for chunk in reader:
                    if first:
                        names = _output_names([str(c) for c in chunk.columns])
                        summary.columns = {"headline": find_column(list(chunk.columns), column), **names}
                    tagged = tag_dataframe(chunk, column, tagger=tagger, names=names)
                    tagged.to_csv(out, index=False, header=first, sep=used_sep, lineterminator="\n")
                    summary.add(tagged[names["language"]].tolist(),
                                [tuple(filter(None, t.split(";"))) for t in tagged[names["themes"]]],
                                tagged[names["tag_status"]].tolist())
                    first = False
                    if on_chunk is not None:
                        on_chunk(len(chunk))
            except UnicodeDecodeError as exc:
                raise InputError(f"the input is not valid {_enc} text ({exc.reason} at byte {exc.start}); "
                                 "name its encoding with --encoding") from exc
            except pd.errors.ParserError as exc:
                raise InputError(f"malformed CSV input: {exc}") from exc
            except pd.errors.EmptyDataError as exc:
                raise InputError("the input is empty (no header row)") from exc
            if first:
                raise InputError("the input has no header row")
    finally:
        if opened is not None:
            opened.close()
    return summary


class _atomic_text_output:
    """Context manager: a text stream that becomes ``target`` only if the block completes."""

    def __init__(self, target: str | os.PathLike[str] | IO[str] | None) -> None:
        self.target = target
        self.tmp: Path | None = None
        self.fh: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.target is None or self.target == "-":
            return sys.stdout
        if not isinstance(self.target, (str, os.PathLike)):
            return self.target
        target = Path(self.target)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent if str(target.parent) else ".")
        except OSError as exc:
            raise InputError(f"cannot write to {target.parent}: {exc.strerror or exc}") from exc
        self.tmp = Path(name)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.fh is None:
            return
        try:
            if exc_type is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
            self.fh.close()
            if exc_type is None:
                os.replace(self.tmp, Path(self.target))  # type: ignore[arg-type]
        except OSError as err:
            self.tmp.unlink(missing_ok=True)  # type: ignore[union-attr]
            raise InputError(f"cannot write {self.target}: {err.strerror or err}") from err
        finally:
            if exc_type is not None:
                self.tmp.unlink(missing_ok=True)  # type: ignore[union-attr]
