"""Batch tagging of tables and files: rows, order, columns and odd files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headline_tagger import InputError, tag_dataframe, tag_file
from headline_tagger.io import detect_encoding, sniff_separator


def read(path) -> list[dict[str, str]]:
    return list(csv.DictReader(open(path, encoding="utf-8", newline="")))


def test_tag_dataframe_keeps_everything_and_flags_non_text():
    df = pd.DataFrame({"headline": ["Frontex patrols the Aegean", None, 42, "", "Des passeurs arrêtés"],
                       "n": [1, 2, 3, 4, 5]}, index=[10, 11, 12, 13, 14])
    out = tag_dataframe(df)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out["n"].tolist() == [1, 2, 3, 4, 5]
    assert out["tag_status"].tolist() == ["ok", "empty", "not_text: int", "empty", "ok"]
    assert df.columns.tolist() == ["headline", "n"]  # the caller's frame is untouched


def test_utf8_bom_cp1252_and_semicolons(tmp_path):
    text = "id;titre\n1;Démantèlement d’un réseau de passeurs à Calais\n2;Coupe du monde : la France gagne\n"
    for enc, name in [("utf-8-sig", "bom.csv"), ("cp1252", "cp.csv")]:
        src = tmp_path / name
        src.write_bytes(text.encode(enc))
        out = tmp_path / ("out-" + name)
        summary = tag_file(src, out)
        rows = list(csv.DictReader(open(out, encoding="utf-8"), delimiter=";"))
        assert [r["titre"] for r in rows] == ["Démantèlement d’un réseau de passeurs à Calais",
                                              "Coupe du monde : la France gagne"]
        assert list(rows[0]) == ["id", "titre", "language", "themes", "tag_status"]
        assert summary.rows == 2 and summary.statuses["ok"] == 2


def test_embedded_newlines_and_quotes_survive(tmp_path):
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["headline", "body"])
        w.writerow(["Smugglers jailed", 'line one\nline "two"'])
        w.writerow(["Storm hits coast", ""])
    out = tmp_path / "out.csv"
    tag_file(src, out)
    rows = read(out)
    assert rows[0]["body"] == 'line one\nline "two"' and len(rows) == 2


def test_chunks_give_the_same_output_as_one_piece(tmp_path):
    src = tmp_path / "in.csv"
    heads = ["Frontex boosts patrols", "", "Traite des êtres humains : trois interpellations", "Rain again"] * 30
    pd.DataFrame({"headline": heads, "k": range(len(heads))}).to_csv(src, index=False)
    tag_file(src, tmp_path / "a.csv", chunksize=7)
    tag_file(src, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert len(read(tmp_path / "a.csv")) == len(heads)


def test_failure_leaves_no_output_file(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"headline": ["a b c"] * 50}).to_csv(src, index=False)
    out = tmp_path / "out.csv"

    class Boom(Exception):
        pass

    def fail(_n: int) -> None:
        raise Boom()

    with pytest.raises(Boom):
        tag_file(src, out, chunksize=10, on_chunk=fail)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_empty_input_is_a_clear_error(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        tag_file(src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_stream_input_and_output():
    out = io.StringIO()
    tag_file(io.BytesIO(b"text\nFrontex\n"), out)
    assert out.getvalue().splitlines()[0] == "text,language,themes,tag_status"


def test_detectors_of_encoding_and_separator():
    assert detect_encoding("é".encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa") == "utf-8-sig"
    assert detect_encoding("Démantèlement d’un réseau".encode("cp1252")) == "cp1252"
    assert sniff_separator("a;b;c\n1;2;3\n") == ";"
    assert sniff_separator("a\tb\n1\t2\n") == "\t"
    assert sniff_separator("just one column\n") == ","


def test_a_character_cut_at_the_sample_edge_is_still_utf8():
    cut = "Réseau".encode("utf-8")[:2]  # "R" and the first byte of "é"
    assert detect_encoding(cut, complete=False) == "utf-8"
    assert detect_encoding(cut) != "utf-8"  # the whole input: a cut character is an error


class _Trickle(io.RawIOBase):
    """A pipe-like stream that hands out at most 4,000 bytes per read (short peeks)."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), len(self._data), 4000)
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


@pytest.mark.parametrize("reader", ["file", "pipe"])
@pytest.mark.parametrize("edge", [4000, 4096, io.DEFAULT_BUFFER_SIZE, 1 << 16])
def test_utf8_whose_first_accent_straddles_a_buffer_edge_is_read_as_utf8(tmp_path, reader, edge):
    """An ASCII start whose first accented letter is cut by the detection sample, a file buffer
    or a pipe's short read must not be mistaken for cp1252."""
    lines = ["id,headline"]
    while sum(len(x) + 1 for x in lines) < edge - 100:
        lines.append(f"{len(lines)},Frontex patrols the Aegean")
    ascii_part = ("\n".join(lines) + "\n").encode()
    filler = b"9999," + b"x" * (edge - 1 - len(ascii_part) - 5)
    data = ascii_part + filler + "é passeurs arrêtés à Calais\n".encode()
    assert data[edge - 1:edge + 1] == "é".encode()  # the letter's two bytes sit on both sides of the edge
    if reader == "file":
        (tmp_path / "in.csv").write_bytes(data)
        source = tmp_path / "in.csv"
    else:
        source = io.BufferedReader(_Trickle(data))
    out = io.StringIO()
    tag_file(source, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == len(lines) and rows[-1]["headline"].endswith("é passeurs arrêtés à Calais")


def test_output_file_gets_ordinary_permissions(tmp_path):
    import os
    import stat

    src = tmp_path / "in.csv"
    src.write_text("headline\nFrontex\n", encoding="utf-8")
    mask = os.umask(0o022)
    try:
        tag_file(src, tmp_path / "new.csv")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644  # not mkstemp's private 0600
        (tmp_path / "new.csv").chmod(0o640)
        tag_file(src, tmp_path / "new.csv")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640  # a replaced file keeps its mode
    finally:
        os.umask(mask)


def test_ragged_short_and_blank_rows_are_kept_and_flagged(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,headline,note\n1,Frontex patrols,a\n2,Smugglers held,b,EXTRA,MORE\n3,Short row\n\n"
                   "4,Des passeurs arrêtés,d\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = tag_file(src, out)
    rows = read(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "", "4"]
    assert rows[1]["tag_status"].startswith("ragged_row: 5 fields for 3 columns")
    assert '["EXTRA", "MORE"]' in rows[1]["tag_status"]
    assert rows[1]["note"] == "b" and rows[1]["themes"] != ""
    assert rows[2]["tag_status"].startswith("short_row") and rows[2]["note"] == ""
    assert rows[3]["tag_status"] == "blank_line"
    assert summary.rows == 5
    assert summary.statuses == {"ok": 2, "ragged_row": 1, "short_row": 1, "blank_line": 1}


MIXED = ('id,headline,note\r\n'
         '1,"Frontex patrols the Aegean",plain\r\n'      # needless quotes, CRLF
         '2,Smugglers held in Calais,"two\nlines"\n'      # a cell spanning lines
         '3,"Passeurs, trafiquants : 12 arrestations",x\r'  # a quoted comma, a lone CR
         '4,Short row\n'
         '\n'
         '5,Storm hits the coast,"say ""hi"""\n'
         '6,Rain again,last')                                # no line ending at the end


@pytest.mark.parametrize("chunksize", [1, 2, 3, 1000])
def test_rows_come_out_as_they_came_whatever_the_chunks(tmp_path, chunksize):
    src = tmp_path / "in.csv"
    src.write_bytes(MIXED.encode("utf-8"))
    out = tmp_path / "out.csv"
    tag_file(src, out, chunksize=chunksize)
    text = out.read_text(encoding="utf-8")
    assert text == tag_file_text(tmp_path, 1000)  # per-row choices: the chunking changes nothing
    lines = text.splitlines()
    assert lines[1].startswith('1,"Frontex patrols the Aegean",plain,en,')  # written as it came
    assert lines[7].startswith('5,Storm hits the coast,"say ""hi""",en,')
    rows = list(csv.reader(io.StringIO(text, newline="")))
    expected = list(csv.reader(io.StringIO(MIXED, newline="")))
    assert [r[:3] for r in rows[1:] if r[0] not in ("4", "")] == [r for r in expected[1:] if r and r[0] != "4"]
    assert [r[-1] for r in rows[1:]] == ["ok", "ok", "ok", "short_row: 2 fields for 3 columns", "blank_line", "ok", "ok"]
    assert all(len(r) == 6 for r in rows)


def tag_file_text(tmp_path, chunksize):
    src = tmp_path / "again.csv"
    src.write_bytes(MIXED.encode("utf-8"))
    tag_file(src, tmp_path / "again-out.csv", chunksize=chunksize)
    return (tmp_path / "again-out.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("ending", ["", "\n"])
def test_input_ending_inside_a_quoted_cell_keeps_the_cell(tmp_path, ending):
    src = tmp_path / "in.csv"
    src.write_text(f'headline,n\nSmugglers held,1\nFrontex patrols,"7{ending}', encoding="utf-8")
    out = tmp_path / "out.csv"
    tag_file(src, out)
    rows = read(out)
    assert [r["n"] for r in rows] == ["1", "7" + ending]
    assert [r["tag_status"] for r in rows] == ["ok", "ok"] and rows[1]["language"] == "en"


def test_added_cells_holding_the_separator_are_quoted(tmp_path):
    src = tmp_path / "in.csv"
    heads = ["Child trafficking ring smuggled migrants across the border with forged passports",
             "Rain again"]
    src.write_text("headline;n\n" + "".join(f"{h};{i}\n" for i, h in enumerate(heads)), encoding="utf-8")
    out = tmp_path / "out.csv"
    tag_file(src, out, sep=";")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline=""), delimiter=";"))
    assert [r["headline"] for r in rows] == heads and [r["n"] for r in rows] == ["0", "1"]
    assert ";" in rows[0]["themes"] and rows[1]["themes"] == ""
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith(f'{heads[0]};0;en;"')


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.text(alphabet='ab ,;"\n\ré’', max_size=6), min_size=2, max_size=2), min_size=1, max_size=8),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans(), st.integers(1, 4))
def test_any_csv_round_trips_its_values(rows, quoting, ending, cut_last_ending, chunksize):
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting, lineterminator=ending).writerows([["headline", "n"], *rows])
    text = buffer.getvalue()
    if cut_last_ending:
        text = text[: -len(ending)]
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    out = io.StringIO()
    tag_file(io.BytesIO(text.encode("utf-8")), out, sep=",", chunksize=chunksize)
    got = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert got[0] == ["headline", "n", "language", "themes", "tag_status"]
    assert len(got) - 1 == len(expected)
    for row, before in zip(got[1:], expected):
        assert len(row) == 5
        assert row[:2] == (before + ["", ""])[:2]  # short rows padded, ragged ones cut (and flagged)


def test_huge_cell_and_tsv(tmp_path):
    src = tmp_path / "in.tsv"
    huge = "smugglers " * 100_000
    src.write_text(f"headline\tn\n{huge}\t1\nFrontex\t2\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    limit = csv.field_size_limit()
    tag_file(src, out)
    assert csv.field_size_limit() == limit  # the reader restored the module's limit
    frame = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert frame["headline"].tolist() == [huge, "Frontex"] and frame["n"].tolist() == ["1", "2"]


def test_json_lines_with_a_broken_line(tmp_path):
    import json

    src = tmp_path / "in.jsonl"
    src.write_text('{"title": "Frontex boosts patrols", "id": 1}\nnot json\n[1, 2]\n'
                   '{"title": "Des passeurs arrêtés à Calais", "id": 4}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = tag_file(src, out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4 and summary.rows == 4
    assert rows[0]["id"] == 1 and rows[0]["language"] == "en"
    assert rows[1]["raw_line"] == "not json" and rows[1]["tag_status"].startswith("malformed_json")
    assert rows[2]["tag_status"] == "not_an_object: list"
    assert "migrant_smuggling" in rows[3]["themes"]


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    pd.DataFrame({"headline": ["Frontex boosts patrols", None, "Des passeurs arrêtés"], "n": [1, 2, 3]}) \
        .to_parquet(src, index=False)
    out = tmp_path / "out.parquet"
    tag_file(src, out, chunksize=2)
    frame = pd.read_parquet(out)
    assert frame["n"].tolist() == [1, 2, 3]
    assert frame["tag_status"].tolist() == ["ok", "empty", "ok"]
    with pytest.raises(InputError, match="file path"):
        tag_file(src, "-")


def test_parquet_with_two_jobs_and_with_no_rows(tmp_path):
    pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    heads = ["Frontex boosts patrols", None, "Des passeurs arrêtés", "", "Rain again"] * 9
    pd.DataFrame({"headline": heads, "n": range(len(heads))}).to_parquet(src, index=False)
    tag_file(src, tmp_path / "one.parquet", chunksize=4, jobs=1)
    tag_file(src, tmp_path / "two.parquet", chunksize=4, jobs=2)
    one, two = pd.read_parquet(tmp_path / "one.parquet"), pd.read_parquet(tmp_path / "two.parquet")
    pd.testing.assert_frame_equal(one, two)
    assert one["n"].tolist() == list(range(len(heads)))
    assert one["tag_status"].tolist()[:5] == ["ok", "empty", "ok", "empty", "ok"]
    empty = tmp_path / "empty.parquet"
    pd.DataFrame({"headline": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")}).to_parquet(empty)
    tag_file(empty, tmp_path / "empty-out.parquet")
    assert pd.read_parquet(tmp_path / "empty-out.parquet").columns.tolist() == [
        "headline", "n", "language", "themes", "tag_status"]


def test_two_jobs_give_identical_output(tmp_path):
    src = tmp_path / "in.csv"
    heads = ["Frontex boosts patrols", "", "Traite des êtres humains : trois interpellations", "Rain again",
             "Ransomware gang hits hospital"] * 60
    pd.DataFrame({"headline": heads, "k": range(len(heads))}).to_csv(src, index=False)
    tag_file(src, tmp_path / "one.csv", chunksize=37, jobs=1)
    tag_file(src, tmp_path / "two.csv", chunksize=37, jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_two_jobs_tag_with_the_callers_own_model_and_detector(tmp_path, monkeypatch):
    import tempfile

    import numpy as np

    from headline_tagger.language import LanguageDetector
    from headline_tagger.model import ThemeModel
    from headline_tagger.tagger import Tagger, default_tagger

    base = default_tagger().model
    eager = ThemeModel(themes=base.themes, vocabulary=base.vocabulary, idf=base.idf, coef=base.coef,
                       intercept=base.intercept, calib_a=base.calib_a, calib_b=base.calib_b,
                       thresholds=np.zeros(len(base.themes)), features=base.features, languages=base.languages)
    tagger = Tagger(eager, LanguageDetector(["en", "de"]))
    src = tmp_path / "in.csv"
    src.write_text("headline\nFrontex boosts patrols\nDes passeurs arrêtés à Calais\n", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    tag_file(src, tmp_path / "one.csv", tagger=tagger, jobs=1)
    tag_file(src, tmp_path / "two.csv", tagger=tagger, jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    rows = read(tmp_path / "two.csv")
    assert [r["language"] for r in rows] == ["en", "en"]  # French is not a candidate of this detector
    assert all(len(r["themes"].split(";")) == len(base.themes) for r in rows)  # this model gives every theme
    assert list(scratch.iterdir()) == []  # the model copy for the processes is gone


def test_processes_never_run_more_than_two_chunks_ahead_of_the_output():
    """With several processes, chunks are read only as results are written (memory stays flat)."""
    from headline_tagger.io import _mapper, _WorkerSpec
    from headline_tagger.tagger import default_tagger

    read = []

    def chunks():
        for i in range(12):
            read.append(i)
            yield [f"Frontex patrol number {i}", "Passeurs arrêtés"]

    written = 0
    for languages, _, statuses in _mapper(default_tagger(), 2, _WorkerSpec(None, None))(chunks()):
        assert len(read) - written <= 2 * 2 + 1
        assert languages == ["en", "fr"] and statuses == ["ok", "ok"]
        written += 1
    assert written == 12


def test_missing_column_lists_columns_and_leaves_no_file(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"columns found: \['a', 'b'\]"):
        tag_file(src, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("headline\nFrontex\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        tag_file(src, tmp_path / "no" / "such" / "dir" / "out.csv")


def test_read_only_folder_and_full_disk_are_clear_errors(tmp_path):
    import os

    src = tmp_path / "in.csv"
    src.write_text("headline\nFrontex\n", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a folder that is a file
            with pytest.raises(InputError, match="cannot write"):
                tag_file(src, src / "out.csv")
        else:
            with pytest.raises(InputError, match="cannot write"):
                tag_file(src, locked / "out.csv")
    finally:
        locked.chmod(0o700)
    if Path("/proc/self").exists():  # a folder read-only even for root
        with pytest.raises(InputError, match="cannot write to /proc"):
            tag_file(src, "/proc/headline-tagger-out.csv")
    if Path("/dev/full").exists():  # a full disk: the error reaches the caller, the device stays a device
        with pytest.raises(InputError, match="No space left"):
            tag_file(src, "/dev/full")
        assert not Path("/dev/full").is_file()


@pytest.mark.slow
def test_killed_run_leaves_nothing_at_the_target(running_tag_command):
    import signal

    proc, out = running_tag_command
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert not out.exists()  # only the hidden .partial file beside it, never a half output
