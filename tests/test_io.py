"""Batch tagging of tables and files: rows, order, columns and odd files."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

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
    assert out["tag_status"].tolist() == ["ok", "empty", "not_text", "empty", "ok"]
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
