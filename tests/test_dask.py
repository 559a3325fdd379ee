"""Scale-out on Dask: a local cluster of 2 worker processes gives the single-process output, row for row."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("dask.distributed")

from headline_tagger import Tagger, tag_dataframe, tag_file  # noqa: E402
from headline_tagger.cli import main  # noqa: E402
from headline_tagger.tagger import default_model_path  # noqa: E402

HEADS = ["Frontex boosts patrols in the Aegean", "", "Traite des êtres humains : trois interpellations à Lyon",
         "Rain again in Leeds", "Ransomware gang hits hospital", "Detenidos doce traficantes en Madrid",
         "Des passeurs arrêtés à Calais", "12345"]


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


@pytest.fixture()
def feeds(tmp_path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    for i in range(3):
        frame = pd.DataFrame({"id": range(i * 1000, (i + 1) * 1000), "headline": [HEADS[j % len(HEADS)] for j in range(1000)]})
        frame.to_csv(folder / f"feed{i}.csv", index=False)
    (folder / "feed3.csv").write_text("id,headline,extra\n1,Smugglers held,a,RAGGED\n2,short\n", encoding="utf-8")
    return folder


@pytest.mark.slow
def test_dask_dataframe_equals_pandas_row_for_row(cluster):
    import dask.dataframe as dd
    from dask.distributed import Client

    from headline_tagger.dask import tag_dask_dataframe

    df = pd.DataFrame({"title": [HEADS[i % len(HEADS)] for i in range(4000)], "n": range(4000)})
    with Client(cluster):
        lazy = tag_dask_dataframe(dd.from_pandas(df, npartitions=5))
        assert lazy.npartitions == 5
        got = lazy.compute()
    expected = tag_dataframe(df)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)
    own = Tagger.load(default_model_path())  # a model of the caller's own travels with the graph
    with Client(cluster):
        got = tag_dask_dataframe(dd.from_pandas(df, npartitions=3), tagger=own).compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False)


@pytest.mark.slow
def test_dask_files_equal_the_single_machine_command(cluster, feeds, tmp_path):
    from headline_tagger.dask import tag_files_dask

    out = tmp_path / "out"
    summary = tag_files_dask([str(feeds / "*.csv")], out, scheduler=cluster.scheduler_address)
    assert summary.rows == 3002 and summary.statuses["ragged_row"] == 1
    for src in sorted(feeds.iterdir()):
        single = tmp_path / f"single-{src.name}"
        tag_file(src, single)
        assert (out / src.name).read_bytes() == single.read_bytes()


@pytest.mark.slow
def test_cli_engine_dask(cluster, feeds, tmp_path, capsys):
    out = tmp_path / "cli-out"
    assert main(["tag", str(feeds / "feed*.csv"), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["feed0.csv", "feed1.csv", "feed2.csv", "feed3.csv"]
    assert "tagged 3002 rows" in capsys.readouterr().err
    assert main(["tag", str(feeds / "nothing*.csv"), "--engine", "dask", "-o", str(out)]) == 2
    assert "no input files match" in capsys.readouterr().err
    assert main(["tag", str(feeds / "feed0.csv"), "--engine", "dask"]) == 2


def test_dask_dataframe_with_own_model_on_the_local_scheduler():
    import dask.dataframe as dd

    from headline_tagger.dask import tag_dask_dataframe

    df = pd.DataFrame({"title": [HEADS[i % len(HEADS)] for i in range(200)]})
    own = Tagger.load(default_model_path())
    got = tag_dask_dataframe(dd.from_pandas(df, npartitions=2), tagger=own).compute(scheduler="sync")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), tag_dataframe(df), check_dtype=False)


def test_dask_dataframe_keeps_the_callers_detector():
    import dask.dataframe as dd

    from headline_tagger.dask import tag_dask_dataframe
    from headline_tagger.language import LanguageDetector
    from headline_tagger.tagger import default_tagger

    df = pd.DataFrame({"title": [HEADS[i % len(HEADS)] for i in range(60)] + ["Des passeurs arrêtés à Calais"]})
    own = Tagger(default_tagger().model, LanguageDetector(["en", "de"]))
    got = tag_dask_dataframe(dd.from_pandas(df, npartitions=3), tagger=own).compute(scheduler="processes")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), tag_dataframe(df, tagger=own), check_dtype=False)
    assert set(got["language"]) <= {"en", "de", "und"}
