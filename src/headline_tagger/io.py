"""Batch tagging of files (CSV/TSV, JSON Lines, Parquet): streamed, every row kept, atomic output.

Each input row comes out, in order, with its values unchanged, plus ``language``, ``themes`` and
``tag_status``. Rows the reader finds broken (ragged, short, not JSON) are kept and flagged in
``tag_status`` rather than dropped. The output appears at its path only once complete.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import secrets
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from .corpus import find_column
from .errors import InputError
from .model import ThemeModel
from .table import TagSummary, output_names, tag_cells, tag_dataframe
from .tagger import Tagger, default_tagger, paused_gc

__all__ = [
    "FORMATS",
    "TagSummary",
    "detect_encoding",
    "detect_format",
    "sniff_separator",
    "tag_dataframe",
    "tag_file",
]

CHUNK_ROWS = 20_000
FORMATS = ("csv", "jsonl", "parquet")
_SAMPLE_BYTES = 1 << 16
_LINE_BLOCK = 1 << 20  # characters of whole lines read at once by the CSV path
_LINES_KEPT = 1 << 14  # claimed lines dropped from the CSV line log once this many have piled up
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".jsonl": "jsonl",
               ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}



# -- detection ---------------------------------------------------------------------------------
def detect_format(path: str | os.PathLike[str] | None, fmt: str | None = None) -> str:
    """The file format: ``fmt`` when given, else from the extension (CSV for stdin and unknown ones)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    if path is None or str(path) == "-":
        return "csv"
    return _EXTENSIONS.get(Path(str(path)).suffix.lower(), "csv")


def detect_encoding(sample: bytes, *, complete: bool = True) -> str:
    """Encoding of a file from its first bytes: UTF-8 (with or without BOM), else cp1252, else a guess.

    English and French spreadsheet exports are cp1252 when they are not UTF-8, so cp1252 is tried
    before any statistical guess (which mistakes short French text for cp1250). ``complete=False``
    says the sample is only the start of the input, so a character cut at its end is not an error.
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "latin-1"


def sniff_separator(text: str) -> str:
    """Field separator of a CSV sample: one of , ; TAB |; ',' when unsure.

    The header line decides when one candidate is clearly the most frequent there; otherwise
    csv.Sniffer looks at the consistency over the whole sample.
    """
    header = text.split("\n", 1)[0]
    counts = sorted(((header.count(c), c) for c in ",;\t|"), reverse=True)
    if counts[0][0] and counts[0][0] > counts[1][0]:
        return counts[0][1]
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# -- reading -----------------------------------------------------------------------------------
@contextmanager
def _open_binary(source: Any) -> Iterator[IO[bytes]]:
    """A buffered binary stream for a path or an open stream (closed afterwards only if we opened it)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise InputError(f"cannot open {source}: {exc.strerror or exc}") from exc
        with fh:
            yield fh
    else:
        yield source if isinstance(source, io.BufferedIOBase) else io.BufferedReader(source)


class _Prefixed(io.RawIOBase):
    """A raw stream serving ``head`` and then the rest of ``stream``: the sample read for detection is not lost."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sampled(binary: IO[bytes]) -> tuple[bytes, bool, IO[bytes]]:
    """The first bytes of a stream, whether they are the whole input, and a stream that still
    starts at the beginning (``peek``, or one ``read`` of a pipe, may see only a small buffer)."""
    parts: list[bytes] = []
    size = 0
    while size < _SAMPLE_BYTES and (part := binary.read(_SAMPLE_BYTES - size)):
        parts.append(part)
        size += len(part)
    head = b"".join(parts)
    complete = size < _SAMPLE_BYTES
    if binary.seekable():
        binary.seek(-len(head), io.SEEK_CUR)
        return head, complete, binary
    return head, complete, io.BufferedReader(_Prefixed(head, binary), buffer_size=1 << 20)


@contextmanager
def _big_fields() -> Iterator[None]:
    """Let the csv module read cells of any size (huge cells are data, not errors)."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _chunked(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


class _LineLog:
    """The physical lines a CSV reader reads, in blocks, kept until claimed: a record that is
    exactly one line can then be written back as it came instead of re-quoted field by field."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lines: list[str] = []
        self._used = 0

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[list[str]]:
        while block := self._stream.readlines(_LINE_BLOCK):
            self._lines.extend(block)
            yield block

    def take(self, n: int) -> list[str]:
        """The next ``n`` lines read (those of the records parsed since the last call)."""
        lines = self._lines[self._used : self._used + n]
        self._used += n
        if self._used >= _LINES_KEPT:
            del self._lines[: self._used]
            self._used = 0
        return lines


_ENDS = ("\n", "\r")


def _row_lines(rows: list[list[str]], lines: list[str], sep: str) -> list[str | None]:
    """The line each row came as, or None for a row to write re-quoted: one whose quoted cell spans
    lines, or a last line without a line ending (text appended to it could fall inside its cell)."""
    if len(lines) != len(rows):  # some records span lines: parse again, record by record, to see which
        again = csv.reader(lines, delimiter=sep, strict=False)
        ends = [again.line_num for _ in again]
        if len(ends) != len(rows):  # not the same records: let the csv module write them all
            return [None] * len(rows)
        lines = [lines[end - 1] if end - start == 1 else None for start, end in zip([0, *ends], ends)]
    last, row = lines[-1], rows[-1]
    if last is not None and (not last.endswith(_ENDS) or (row and row[-1].endswith(_ENDS))):
        lines[-1] = None  # the input ended without a line ending, or inside a quoted cell
    return lines  # type: ignore[return-value]


def _csv_batches(stream: IO[str], sep: str,
                 chunksize: int) -> tuple[list[str], Iterator[tuple[list[list[str]], list[str | None]]]]:
    """Header and batches of rows from a CSV text stream (rows as lists of strings), each row with
    the line it came as (see :func:`_row_lines`)."""
    log = _LineLog(stream)
    reader = csv.reader(iter(log), delimiter=sep, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the input is empty (no header row)") from None
    log.take(reader.line_num)

    def batches() -> Iterator[tuple[list[list[str]], list[str | None]]]:
        seen = reader.line_num
        while rows := list(islice(reader, chunksize)):
            lines = log.take(reader.line_num - seen)
            seen = reader.line_num
            yield rows, _row_lines(rows, lines, sep)

    return header, batches()


class _RowWriter:
    """Writes tagged rows: a row that came as one line is that line as it came plus the added
    cells (quoted as the csv module quotes them); any other row is written by the csv module.

    The csv module leaves a lone carriage return unquoted when lines end in a bare newline, which
    would cut the row in two when read back: a row with one in a cell has every cell quoted.
    """

    def __init__(self, out: IO[str], sep: str) -> None:
        self._out = out
        self._sep = sep
        self._buffer = io.StringIO()
        self._writers = {quoting: csv.writer(self._buffer, delimiter=sep, lineterminator="\n", quoting=quoting)
                         for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL)}
        self._quoted: dict[str, str] = {}

    def _csv_text(self, row: Sequence[str]) -> str:
        """One row as the csv module writes it (every cell quoted if one holds a carriage return)."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writers[csv.QUOTE_ALL if any("\r" in cell for cell in row) else csv.QUOTE_MINIMAL].writerow(row)
        return self._buffer.getvalue()

    def header(self, names: list[str]) -> None:
        """Write the header row."""
        self._out.write(self._csv_text(names))

    def _cells(self, cells: list[str]) -> list[str]:
        """The cells as they are written (most need no quotes: then the same list)."""
        quoted = self._quoted
        distinct = set(cells)
        for cell in distinct.difference(quoted):
            quoted[cell] = self._csv_text(("x", cell))[2:-1]  # a plain first cell: the second quoted as in a row
        if all(quoted[c] == c for c in distinct):
            return cells
        return list(map(quoted.__getitem__, cells))

    def _lines_text(self, lines: list[str], columns: tuple[list[str], ...]) -> str:
        """Each line without its line ending, then the separator and its cell of each column."""
        width = 2 * len(columns) + 2
        parts: list[str | None] = [None] * (width * len(lines))
        parts[0::width] = map(str.rstrip, lines, repeat("\r\n"))
        for k, column in enumerate(columns):
            parts[2 * k + 1 :: width] = repeat(self._sep, len(lines))
            parts[2 * k + 2 :: width] = self._cells(column)
        parts[width - 1 :: width] = repeat("\n", len(lines))
        return "".join(parts)  # type: ignore[arg-type]

    def write(self, rows: list[list[str]], lines: list[str | None], *columns: list[str]) -> None:
        """Write ``rows`` with ``columns`` appended (``lines``: the line each row came as, or None)."""
        if None not in lines:  # the usual batch: every row was one line
            self._out.write(self._lines_text(lines, columns))  # type: ignore[arg-type]
            return
        added = list(zip(*columns))
        self._out.write("".join(
            self._lines_text([line], tuple([c] for c in cells)) if line is not None
            else self._csv_text([*row, *cells])
            for row, line, cells in zip(rows, lines, added)))


def _fit_row(row: list[str], width: int) -> tuple[list[str], str | None]:
    """A row made as wide as the header, and what was wrong with it (None: nothing)."""
    if len(row) == width:
        return row, None
    if not row:
        return [""] * width, "blank_line"
    if len(row) < width:
        return row + [""] * (width - len(row)), f"short_row: {len(row)} fields for {width} columns"
    extra = json.dumps(row[width:], ensure_ascii=False)
    return row[:width], f"ragged_row: {len(row)} fields for {width} columns; extra fields {extra}"


# -- tagging in worker processes ---------------------------------------------------------------
@dataclass(frozen=True)
class _WorkerSpec:
    """How a worker process rebuilds the caller's tagger: its model folder (None: the shipped
    model) and its detector's candidate languages (None: every language of the shipped table)."""

    model: str | None
    languages: tuple[str, ...] | None

    def tagger(self) -> Tagger:
        """The tagger this spec describes (loaded once per process)."""
        tagger = _worker_taggers.get(self)
        if tagger is None:
            from .language import shared_detector

            model = default_tagger().model if self.model is None else ThemeModel.load(self.model)
            tagger = _worker_taggers[self] = Tagger(model, shared_detector(self.languages))
        return tagger


_worker_taggers: dict[_WorkerSpec, Tagger] = {}


def _tag_texts(cells: Sequence[object], spec: _WorkerSpec) -> tuple[list[str], list[str], list[str]]:
    """Worker-side tagging of one chunk's headline cells."""
    return tag_cells(cells, spec.tagger())


@contextmanager
def _worker_spec(tagger: Tagger, model_path: str | None) -> Iterator[_WorkerSpec]:
    """What worker processes need to tag exactly as ``tagger`` does. A model other than the
    shipped one is read from ``model_path`` when that is a model folder, else from a copy saved
    for the run (pickle-free: workers never unpickle a model file)."""
    from .language import portable_languages

    languages = portable_languages(tagger.detector)
    if tagger.model is default_tagger().model:
        yield _WorkerSpec(None, languages)
    elif model_path is not None and Path(model_path).is_dir():
        yield _WorkerSpec(str(Path(model_path).resolve()), languages)
    else:
        with tempfile.TemporaryDirectory(prefix="headline-tagger-model-") as folder:
            yield _WorkerSpec(str(tagger.model.save(folder)), languages)


def _mapper(tagger: Tagger | None, jobs: int,
            spec: _WorkerSpec | None) -> Callable[[Iterator[list[object]]], Iterator[tuple]]:
    """A function mapping chunks of cells to tagging results, in order: in this process with
    ``tagger`` (no ``spec``), or in ``jobs`` processes that rebuild their tagger from ``spec``."""
    if spec is None:
        if tagger is None:
            raise ValueError("tagging in this process needs a tagger")
        return lambda chunks: (tag_cells(c, tagger) for c in chunks)

    def run(chunks: Iterator[list[object]]) -> Iterator[tuple]:
        """Chunks go to joblib's reusable process pool (loky), at most two per process ahead of
        the results written: memory stays flat however fast the processes are."""
        from joblib.externals.loky import get_reusable_executor

        executor = get_reusable_executor(max_workers=jobs)
        ahead: deque = deque(executor.submit(_tag_texts, c, spec) for c in islice(chunks, 2 * jobs))
        try:
            while ahead:
                result = ahead.popleft().result()
                for chunk in islice(chunks, 1):
                    ahead.append(executor.submit(_tag_texts, chunk, spec))
                yield result
        finally:
            for future in ahead:  # an error or an interrupt: drop the work not started
                future.cancel()

    return run


# -- the formats -------------------------------------------------------------------------------
def _drain(results: Iterator[tuple], pending: deque, emit: Callable[..., None], summary: TagSummary,
           on_chunk: Callable[[int], None] | None) -> None:
    """Write each tagged chunk in input order; a problem the reader found overrides the status."""
    for languages, themes, statuses in results:
        items, problems = pending.popleft()
        if any(problems):
            statuses = [p or s for p, s in zip(problems, statuses)]
        emit(items, languages, themes, statuses)
        summary.add(languages, themes, statuses)
        if on_chunk is not None:
            on_chunk(len(items))


def _decode_error(exc: UnicodeDecodeError, encoding: str) -> InputError:
    """The error for a file that is not in the encoding it was read with."""
    return InputError(f"the input is not valid {encoding} text ({exc.reason} at byte {exc.start}); "
                      "name its encoding with --encoding")


def _run_csv(binary: IO[bytes], out: IO[str], *, column: str | None, sep: str | None, encoding: str | None,
             chunksize: int, mapper, summary: TagSummary, on_chunk) -> None:
    head, complete, binary = _sampled(binary)
    enc = encoding or detect_encoding(head, complete=complete)
    sep = sep or sniff_separator(head.decode(enc, errors="replace"))
    stream = io.TextIOWrapper(binary, encoding=enc, newline="")
    try:
        header, batches = _csv_batches(stream, sep, chunksize)
        width = len(header)
        col = header.index(find_column(header, column))
        names = output_names(header)
        summary.columns = {"headline": header[col], **names}
        writer = _RowWriter(out, sep)
        writer.header(header + [names["language"], names["themes"], names["tag_status"]])
        pending: deque = deque()
        row_lines: deque = deque()  # the line each pending row came as (None: write it re-quoted)

        def cells() -> Iterator[list[object]]:
            for batch, lines in batches:
                if set(map(len, batch)) == {width}:  # the usual chunk: every row as wide as the header
                    pending.append((batch, [None] * len(batch)))
                    row_lines.append(lines)
                    yield list(map(itemgetter(col), batch))
                    continue
                fitted = [_fit_row(r, width) for r in batch]
                pending.append(([r for r, _ in fitted], [p for _, p in fitted]))
                row_lines.append([line if p is None else None for line, (_, p) in zip(lines, fitted)])
                yield [r[col] for r, _ in fitted]

        def emit(rows: list[list[str]], languages, themes, statuses) -> None:
            writer.write(rows, row_lines.popleft(), languages, themes, statuses)

        _drain(mapper(cells()), pending, emit, summary, on_chunk)
    except UnicodeDecodeError as exc:
        raise _decode_error(exc, enc) from exc
    except csv.Error as exc:
        raise InputError(f"malformed CSV input: {exc}") from exc
    finally:
        stream.detach()


def _run_jsonl(binary: IO[bytes], out: IO[str], *, column: str | None, encoding: str | None,
               chunksize: int, mapper, summary: TagSummary, on_chunk, **_: Any) -> None:
    head, complete, binary = _sampled(binary)
    enc = encoding or detect_encoding(head, complete=complete)
    stream = io.TextIOWrapper(binary, encoding=enc, newline="")
    state: dict[str, Any] = {}
    pending: deque = deque()

    def parse(line: str) -> tuple[Any, str | None]:
        try:
            obj = json.loads(line)
        except ValueError as exc:
            return {"raw_line": line.rstrip("\r\n")}, f"malformed_json: {exc.msg} at column {exc.colno}"
        if not isinstance(obj, dict):
            return {"raw_line": line.rstrip("\r\n")}, f"not_an_object: {type(obj).__name__}"
        return obj, None

    def cells() -> Iterator[list[object]]:
        parsed = (parse(line) if line.strip() else ({}, "blank_line") for line in stream)
        for batch in _chunked(parsed, chunksize):
            if "column" not in state:
                keys = next((list(o) for o, p in batch if p is None), [])
                state["column"] = find_column(keys, column)
                state["names"] = output_names(keys)
                summary.columns = {"headline": state["column"], **state["names"]}
            pending.append(([o for o, _ in batch], [p for _, p in batch]))
            yield [o.get(state["column"]) if p is None else "" for o, p in batch]

    def emit(objs: list[dict], languages, themes, statuses) -> None:
        names = state["names"]
        for obj, lang, th, st in zip(objs, languages, themes, statuses):
            row = dict(obj)
            row[names["language"]], row[names["themes"]], row[names["tag_status"]] = lang, th, st
            out.write(json.dumps(row, ensure_ascii=False) + "\n")

    try:
        _drain(mapper(cells()), pending, emit, summary, on_chunk)
    except UnicodeDecodeError as exc:
        raise _decode_error(exc, enc) from exc
    finally:
        stream.detach()
    if "column" not in state:
        raise InputError("the input is empty (no JSON lines)")


def _run_parquet(source: Any, target: Path, *, column: str | None, chunksize: int, mapper,
                 summary: TagSummary, on_chunk) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError('Parquet needs pyarrow: pip install "headline-tagger[parquet]"') from exc
    try:
        reader = pq.ParquetFile(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"cannot read Parquet input {source}: {exc}") from exc
    names = output_names(reader.schema_arrow.names)
    col = find_column(reader.schema_arrow.names, column)
    summary.columns = {"headline": col, **names}
    pending: deque = deque()
    state: dict[str, Any] = {}

    def cells() -> Iterator[list[object]]:
        for batch in reader.iter_batches(batch_size=chunksize):
            frame = batch.to_pandas()
            pending.append((frame, [None] * len(frame)))
            yield frame[col].tolist()

    def emit(frame, languages, themes, statuses) -> None:
        frame[names["language"]], frame[names["themes"]], frame[names["tag_status"]] = languages, themes, statuses
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if "writer" not in state:
            state["writer"] = pq.ParquetWriter(target, table.schema)
        state["writer"].write_table(table)

    try:
        _drain(mapper(cells()), pending, emit, summary, on_chunk)
        if "writer" not in state:  # no rows: still write the schema, with the added columns
            import pandas as pd

            empty = reader.schema_arrow.empty_table().to_pandas()
            for name in names.values():
                empty[name] = pd.Series(dtype="object")
            pq.write_table(pa.Table.from_pandas(empty, preserve_index=False), target)
    finally:
        if "writer" in state:
            state["writer"].close()


# -- output ------------------------------------------------------------------------------------
def _new_file_beside(target: Path) -> Path:
    """A new empty file with a unique name beside ``target``, created with the permissions an
    ordinary new file gets (0666 less the umask; ``mkstemp`` would make it private)."""
    folder = target.parent
    for _ in range(100):
        path = folder / f".{target.name}.{secrets.token_hex(6)}.partial"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    raise InputError(f"cannot create a temporary file in {folder}")


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block completes (a file
    it replaces keeps its permissions)."""
    target = Path(target)
    tmp = _new_file_beside(target)
    try:
        yield tmp
        try:
            if target.is_file():
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _text_output(target: str | os.PathLike[str] | IO[str] | None) -> Iterator[IO[str]]:
    """A text stream: stdout, the caller's stream, or a file written atomically."""
    if target is None or str(target) == "-":
        yield sys.stdout
    elif not isinstance(target, (str, os.PathLike)):
        yield target
    elif Path(target).exists() and not Path(target).is_file():  # a device or pipe: write in place
        try:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                yield fh
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    else:
        with atomic_path(target) as tmp:
            try:
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    yield fh
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc


def tag_file(source: Any, output: str | os.PathLike[str] | IO[str] | None, *, column: str | None = None,
             sep: str | None = None, encoding: str | None = None, fmt: str | None = None,
             tagger: Tagger | None = None, model_path: str | None = None, jobs: int = 1,
             chunksize: int = CHUNK_ROWS, on_chunk: Callable[[int], None] | None = None) -> TagSummary:
    """Tag a CSV/TSV, JSON Lines or Parquet file chunk by chunk into ``output``.

    ``output`` is a path (written beside the target and renamed when complete, so an interrupted
    run leaves nothing at the target), a text stream, or None/'-' for stdout. ``jobs`` > 1 spreads
    chunks over that many processes, each rebuilding ``tagger`` (the output is identical).
    ``on_chunk(n_rows)`` is called after each chunk (for progress bars).
    """
    kind = detect_format(source if isinstance(source, (str, os.PathLike)) else None, fmt)
    if kind == "parquet" and (not isinstance(output, (str, os.PathLike)) or str(output) == "-"):
        raise InputError("Parquet output needs a file path (-o FILE.parquet)")
    shipped_only = tagger is None and model_path is None and jobs > 1
    if not shipped_only:  # (processes tagging with the shipped model need nothing loaded here)
        if tagger is None:
            tagger = default_tagger() if model_path is None else Tagger.load(model_path)
        tagger.prepare_batches()  # before the output exists: an interrupt then only meets our own code
    summary = TagSummary()
    with ExitStack() as stack:
        spec = (_WorkerSpec(None, None) if shipped_only
                else stack.enter_context(_worker_spec(tagger, model_path)) if jobs > 1 else None)
        mapper = _mapper(tagger, jobs, spec)
        stack.enter_context(paused_gc())
        if kind == "parquet":
            _run_parquet(source, stack.enter_context(atomic_path(output)), column=column,  # type: ignore[arg-type]
                         chunksize=chunksize, mapper=mapper, summary=summary, on_chunk=on_chunk)
            return summary
        binary = stack.enter_context(_open_binary(source))
        out = stack.enter_context(_text_output(output))
        stack.enter_context(_big_fields())
        run = _run_csv if kind == "csv" else _run_jsonl
        run(binary, out, column=column, sep=sep, encoding=encoding, chunksize=chunksize,
            mapper=mapper, summary=summary, on_chunk=on_chunk)
    return summary
