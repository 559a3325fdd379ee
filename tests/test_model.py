"""The pickle-free model files: round trip, integrity check, refusing untrusted pickles."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from headline_tagger import Tagger, ThemeModel
from headline_tagger.errors import ModelError, ModelIntegrityError, UntrustedModelError
from headline_tagger.model import MANIFEST_FILE, MODEL_FILE, WEIGHTS_FILE

TEXTS = ["Smuggling gang jailed for Channel crossings", "Le PSG s'impose face à Lyon", "", "1234"]


def test_save_load_round_trip(small_model, tmp_path):
    small_model.save(tmp_path / "m")
    loaded = ThemeModel.load(tmp_path / "m")
    assert loaded.themes == small_model.themes
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), small_model.predict_proba(TEXTS))
    assert ThemeModel.load(tmp_path / "m" / MODEL_FILE).vocabulary == small_model.vocabulary


def test_batch_single_and_explain_agree(small_model):
    batch = small_model.predict_proba(TEXTS)
    for text, row in zip(TEXTS, batch):
        np.testing.assert_allclose(small_model.proba_one(text), row, rtol=0, atol=1e-12)
    text = TEXTS[0]
    for e in small_model.explain(text, top=10_000):
        k = small_model.themes.index(e.theme)
        logit = e.bias + sum(c.weight for c in e.contributions)
        p = 1 / (1 + np.exp(-(small_model.calib_a[k] * logit + small_model.calib_b[k])))
        assert p == pytest.approx(e.probability, abs=1e-12)


@pytest.mark.parametrize("victim", [MODEL_FILE, WEIGHTS_FILE])
def test_altered_file_is_refused(small_model, tmp_path, victim):
    folder = small_model.save(tmp_path / "m")
    data = bytearray((folder / victim).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / victim).write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="integrity check"):
        Tagger.load(folder)


def test_truncated_and_incomplete_models_are_refused(small_model, tmp_path):
    folder = small_model.save(tmp_path / "m")
    weights = (folder / WEIGHTS_FILE).read_bytes()
    (folder / WEIGHTS_FILE).write_bytes(weights[: len(weights) // 3])
    with pytest.raises(ModelIntegrityError):
        ThemeModel.load(folder)
    (folder / MANIFEST_FILE).unlink()
    with pytest.raises(ModelIntegrityError, match="manifest"):
        ThemeModel.load(folder)
    with pytest.raises(ModelError, match="no model found"):
        ThemeModel.load(tmp_path / "nowhere")


def test_consistent_but_malformed_model_is_refused(small_model, tmp_path):
    folder = small_model.save(tmp_path / "m")
    spec = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    spec["themes"] = spec["themes"][:-1]  # shapes no longer match the arrays
    (folder / MODEL_FILE).write_text(json.dumps(spec), encoding="utf-8")
    from headline_tagger.model import sha256_file

    manifest = {n: sha256_file(folder / n) for n in (MODEL_FILE, WEIGHTS_FILE)}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="shape"):
        ThemeModel.load(folder)


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))  # creates a file if it is ever unpickled


@pytest.mark.parametrize("suffix", [".pkl", ".joblib", ".bin"])
def test_untrusted_pickle_is_refused_without_running_it(tmp_path, suffix):
    marker = tmp_path / "payload-ran"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps(_Payload(str(marker)), protocol=4))
    with pytest.raises(UntrustedModelError, match="trust_pickle=True"):
        Tagger.load(path)
    assert not marker.exists()


def test_trusted_pickle_loads(small_model, tmp_path):
    import joblib

    path = tmp_path / "model.joblib"
    joblib.dump(small_model, path)
    tagger = Tagger.load(path, trust_pickle=True)
    assert tagger.themes == small_model.themes


def test_trusted_pickle_of_something_else_is_an_error(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(ModelError, match="not a ThemeModel"):
        Tagger.load(path, trust_pickle=True)


def test_inference_never_imports_scikit_learn():
    code = ("import sys; from headline_tagger import tag_headline, tag_headlines; "
            "tag_headline('Frontex boosts patrols'); tag_headlines(['a b c', 'Des passeurs arrêtés']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'pandas', 'joblib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_model_files_hold_no_pickles():
    from headline_tagger.tagger import default_model_path

    folder = default_model_path()
    with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)
    json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
