"""Shared fixtures: the ../shared folder (tests may read it; the product never does)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEADLINE_TAGGER_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The project's shared folder; tests that need it skip (with the reason) when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED} (set HEADLINE_TAGGER_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seed_rows(shared: Path) -> list[dict[str, str]]:
    """The 35 labelled seed headlines (evaluation only)."""
    with open(shared / "data" / "seed_headlines.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def small_rows():
    """A deterministic 1,200-row slice of the shipped corpus (EN/FR), for quick training tests."""
    from headline_tagger.corpus import training_corpus

    rows = training_corpus()
    return rows.sample(n=min(1200, len(rows)), random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def small_model(small_rows):
    """A model trained on the corpus slice (3 folds): quick, real, deterministic."""
    from headline_tagger.training import TrainingConfig, train

    return train(small_rows, TrainingConfig(cv_folds=3))


@pytest.fixture()
def running_tag_command(tmp_path):
    """Start `headline-tagger tag` on a 300k-row file; return (process, output path) once it writes."""
    import subprocess
    import sys
    import time

    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("headline\n")
        fh.writelines(f"Police in town {i} dismantle a gang smuggling migrants\n" for i in range(300_000))
    out = tmp_path / "out.csv"
    proc = subprocess.Popen([sys.executable, "-m", "headline_tagger", "tag", str(src), "-o", str(out), "-q"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()) and time.time() < deadline:
        time.sleep(0.05)
    yield proc, out
    if proc.poll() is None:
        proc.kill()
        proc.wait()
