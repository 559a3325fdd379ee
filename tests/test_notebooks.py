"""The notebooks run top to bottom on the installed library (slow: each starts a kernel and trains)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MODELS = NOTEBOOKS.parent / "models"


def run_notebook(name: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()


def test_notebooks_are_stored_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        assert '"output_type"' not in path.read_text(encoding="utf-8"), f"{path.name} has stored outputs"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_tag_and_explore.ipynb", "02_retrain.ipynb", "04_label_more.ipynb"])
def test_notebook_runs(name):
    run_notebook(name)


@pytest.mark.slow
def test_custom_theme_notebook_model_loads_and_tags_with_its_own_ids():
    run_notebook("03_custom_themes.ipynb")
    from headline_tagger import Tagger

    tagger = Tagger.load(MODELS / "custom-routes")
    assert tagger.themes == ("air_route", "land_route", "sea_route")
    result = tagger.tag("Coastguard intercepts a dinghy carrying 40 people off the Kent coast")
    assert set(result.scores) == set(tagger.themes)
    assert set(result.themes) <= set(tagger.themes)
    assert "sea_route" in result.themes
