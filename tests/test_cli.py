"""The headline-tagger command: CSV round trip, column finding, errors, other commands."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from headline_tagger import __version__
from headline_tagger.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "interpol_headlines.csv"


def read_csv_text(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_tag_example_to_stdout_keeps_rows_and_columns(capsys):
    assert main(["tag", str(EXAMPLE)]) == 0
    out, err = capsys.readouterr()
    rows = read_csv_text(out)
    src = list(csv.DictReader(open(EXAMPLE, encoding="utf-8")))
    assert len(rows) == len(src) == 35
    assert list(rows[0].keys()) == ["date", "headline", "language", "themes", "tag_status"]
    for got, orig in zip(rows, src):
        assert (got["date"], got["headline"]) == (orig["date"], orig["headline"])
        assert got["language"] in ("en", "fr")
    assert "tagged 35 rows" in err


def test_tag_to_file_with_named_column(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,Titre,note\n1,Des passeurs arrêtés à Calais,x\n2,,y\n3,Frontex renforce ses patrouilles,\n",
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["tag", str(src), "-o", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["note"] for r in rows] == ["x", "y", ""]
    assert rows[1]["tag_status"] == "empty" and rows[1]["themes"] == ""
    assert "migrant_smuggling" in rows[0]["themes"].split(";")
    assert main(["tag", str(src), "-o", str(out), "--quiet", "--column", "note"]) == 0


def test_existing_output_column_names_are_not_overwritten(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("headline,language,themes\nSmugglers held in Dover,english?,mine\n", encoding="utf-8")
    assert main(["tag", str(src), "-q"]) == 0
    row = read_csv_text(capsys.readouterr().out)[0]
    assert (row["language"], row["themes"]) == ("english?", "mine")
    assert row["tagged_language"] == "en"


def test_missing_column_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,hello\n", encoding="utf-8")
    assert main(["tag", str(src)]) == 2
    err = capsys.readouterr().err
    assert "columns found: ['id', 'body']" in err
    assert main(["tag", str(src), "--column", "nope"]) == 2
    assert "'nope' not found" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_missing_input_file_is_a_clear_error(tmp_path, capsys):
    assert main(["tag", str(tmp_path / "absent.csv")]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_stdin_to_stdout_through_the_console_script():
    exe = Path(sys.executable).with_name("headline-tagger")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "headline_tagger"]
    proc = subprocess.run(cmd + ["tag", "-", "-o", "-", "-q"], input="title\nINTERPOL backs International Migrants Day\n",
                          capture_output=True, text=True, check=True)
    rows = read_csv_text(proc.stdout)
    assert rows == [{"title": "INTERPOL backs International Migrants Day", "language": "en",
                     "themes": "migration", "tag_status": "ok"}]
    version = subprocess.run(cmd + ["--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"headline-tagger {__version__}"


def test_explain_command(capsys):
    assert main(["explain", "Gang jailed for smuggling migrants in lorries"]) == 0
    out = capsys.readouterr().out
    assert "migrant_smuggling" in out and "smuggl" in out
    assert main(["explain", "--json", "Frontex"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["result"]["headline"] == "Frontex" and data["explanations"]


@pytest.mark.slow
def test_train_and_evaluate_commands_on_a_users_csv(tmp_path, capsys, small_rows):
    data = tmp_path / "mine.csv"
    frame = small_rows.assign(themes=[";".join(t) for t in small_rows["themes"]])
    frame[["headline", "language", "themes"]].to_csv(data, index=False)
    model_dir = tmp_path / "model"
    assert main(["train", "--no-corpus", "--data", str(data), "-o", str(model_dir)]) == 0
    assert (model_dir / "model_card.json").is_file()
    assert main(["evaluate", "--data", str(data), "--model", str(model_dir),
                 "--json", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert "macro_f1" in out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["overall"]["micro_f1"] > 0.8  # evaluated on its own training rows
    assert main(["tag", str(EXAMPLE), "--model", str(model_dir), "-q"]) == 0


@pytest.mark.slow
def test_interrupted_run_leaves_no_output(running_tag_command, tmp_path):
    import signal

    proc, out = running_tag_command
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err
    assert not out.exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
