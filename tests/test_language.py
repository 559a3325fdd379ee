"""Tests of headline_tagger.language: determinism, "und", other languages, restriction, integrity."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from headline_tagger.errors import ModelIntegrityError
from headline_tagger.language import (
    UND, LanguageDetector, default_detector, detect_language, load_language_model,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEADLINE_TAGGER_SHARED", REPO.parent / "shared"))
MODEL_DIR = REPO / "src" / "headline_tagger" / "data" / "language"

OTHER_LANGUAGE_HEADLINES = [
    ("es", "La policía detiene a 30 personas por tráfico de migrantes en la frontera"),
    ("es", "El Gobierno aprueba una nueva ley contra la trata de seres humanos"),
    ("it", "La polizia arresta venti persone per traffico di migranti in Sicilia"),
    ("it", "Sequestrate tonnellate di droga nel porto di Gioia Tauro"),
    ("de", "Polizei nimmt mutmaßliche Schleuser an der Grenze zu Österreich fest"),
    ("de", "Bundesregierung beschließt neues Gesetz gegen Menschenhandel"),
    ("pt", "Polícia Federal prende quadrilha de tráfico de pessoas em São Paulo"),
    ("pt", "Governo anuncia novas medidas contra o trabalho infantil"),
    ("nl", "Politie arresteert mensensmokkelaars in de haven van Rotterdam"),
    ("nl", "Kabinet wil strengere straffen voor mensenhandel"),
    ("ar", "الشرطة تعتقل عصابة لتهريب المهاجرين على الحدود"),
    ("ar", "الحكومة تعلن إجراءات جديدة لمكافحة الاتجار بالبشر"),
    ("ru", "Полиция задержала группу контрабандистов на границе"),
    ("el", "Η αστυνομία συνέλαβε διακινητές μεταναστών στον Έβρο"),
    ("zh", "警方在边境逮捕了一个人口贩运团伙"),
    ("ja", "警察は国境で密輸組織のメンバーを逮捕した"),
    ("ko", "경찰, 국경에서 밀수 조직원 체포"),
    ("th", "ตำรวจจับกุมขบวนการค้ามนุษย์ที่ชายแดน"),
    ("pl", "Policja zatrzymała przemytników ludzi na granicy z Białorusią"),
    ("tr", "Polis sınırda göçmen kaçakçılarını yakaladı"),
]
SAMPLES = [t for _, t in OTHER_LANGUAGE_HEADLINES] + [
    "INTERPOL backs International Migrants Day",
    "Forum INTERPOL/EUROPOL contre les réseaux de trafic de migrants",
    "Le chef says hello", "", "   ", "2016-07-12", "🙂🙂", "Ω", "ᏣᎳᎩ", "a\x00b",
    "hello " * 300,
]


@pytest.fixture(scope="module")
def det() -> LanguageDetector:
    """The shared all-languages detector."""
    return default_detector()


@pytest.mark.parametrize("text", ["", "   ", "2016-07-12", "!!!", "🙂🙂", "12345", "\n\t", "ᏣᎳᎩ"])
def test_und_without_letters(det: LanguageDetector, text: str) -> None:
    assert det.detect(text) == (UND, 0.0)
    assert detect_language(text) == (UND, 0.0)


@pytest.mark.parametrize("code,text", OTHER_LANGUAGE_HEADLINES)
def test_other_languages_are_themselves(det: LanguageDetector, code: str, text: str) -> None:
    got, score = det.detect(text)
    assert got not in ("en", "fr")
    assert got == code
    assert 0.0 < score <= 1.0


def test_restriction_option() -> None:
    enfr = LanguageDetector(languages=("fr", "en"))
    assert enfr.languages == ("en", "fr")
    assert enfr.detect("Polizei nimmt mutmaßliche Schleuser fest")[0] in ("en", "fr")
    assert enfr.detect("Le trafic de migrants est une entreprise multinationale")[0] == "fr"
    assert detect_language("Border security focus of training", languages=["en", "fr"])[0] == "en"
    with pytest.raises(ValueError, match="known codes"):
        LanguageDetector(languages=("en", "xx"))
    with pytest.raises(ValueError):
        LanguageDetector(languages=())


def test_languages_property(det: LanguageDetector) -> None:
    assert det.languages[:2] == ("en", "fr")
    assert {"es", "it", "de", "pt", "nl", "ar", "ru", "el", "zh", "ja"} <= set(det.languages)


def test_scores_are_honest(det: LanguageDetector) -> None:
    clear = det.detect("The police arrested the smugglers at the border on Monday")
    mixed = det.detect("Le chef says hello")
    assert clear[0] == "en" and 0.9 < clear[1] <= 1.0
    assert 0.0 < mixed[1] < clear[1]


def test_type_errors(det: LanguageDetector) -> None:
    with pytest.raises(TypeError, match="bytes"):
        det.detect(b"hello")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="NoneType"):
        detect_language(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        det.detect_many(["ok", 3])  # type: ignore[list-item]


def test_unlisted_words_score_the_same_alone_and_in_batches() -> None:
    """oov_vector (one word, the single-text path) and oov_matrix (batches) share one arithmetic."""
    from headline_tagger.corpus import load_corpus
    from headline_tagger.language import load_language_model, tokenize

    model = load_language_model()
    words = sorted({w for h in load_corpus()["headline"] for w in tokenize(h) if w not in model.index})
    words += ["ß", "ǆ", "中文", "ქართული", "😀x", "a"]
    valid, mat = model.oov_matrix(words)
    for word, ok, row in zip(words, valid.tolist(), mat):
        one = model.oov_vector(word)
        assert (one is not None) == ok, word
        if one is not None:
            assert one[1].tolist() == row.tolist(), word


def test_detect_many_equals_detect(det: LanguageDetector) -> None:
    for d in (det, LanguageDetector(("en", "fr")), LanguageDetector(("es", "it", "pt"))):
        codes, scores = d.detect_many(SAMPLES)
        assert isinstance(scores, np.ndarray) and scores.dtype == np.float64
        assert [(c, float(s)) for c, s in zip(codes, scores)] == [d.detect(t) for t in SAMPLES]
        assert ((scores >= 0) & (scores <= 1)).all()
    assert det.detect_many([]) == ([], pytest.approx(np.zeros(0)))


def test_same_answers_across_calls_and_threads(det: LanguageDetector) -> None:
    expected = [det.detect(t) for t in SAMPLES]
    assert [det.detect(t) for t in SAMPLES] == expected
    results: list[list[tuple[str, float]]] = []

    def work() -> None:
        results.append([LanguageDetector().detect(t) for t in SAMPLES])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_same_answers_across_processes_and_hash_seeds(det: LanguageDetector) -> None:
    script = ("import json, sys\nfrom headline_tagger.language import detect_language\n"
              "texts = json.loads(sys.stdin.read())\n"
              "print(json.dumps([detect_language(t) for t in texts]))\n")
    outputs = []
    for seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed,
                   PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
        proc = subprocess.run([sys.executable, "-c", script], input=json.dumps(SAMPLES),
                              capture_output=True, text=True, env=env, check=True, timeout=120)
        outputs.append([tuple(x) for x in json.loads(proc.stdout)])
    assert outputs[0] == outputs[1] == [det.detect(t) for t in SAMPLES]


def test_damaged_data_file_is_refused(tmp_path: Path) -> None:
    for name in ("language_model.npz", "language_model.json"):
        target = tmp_path / name.replace(".", "_")
        shutil.copytree(MODEL_DIR, target)
        data = bytearray((target / name).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (target / name).write_bytes(bytes(data))
        with pytest.raises(ModelIntegrityError, match=name):
            load_language_model(target)
        with pytest.raises(ModelIntegrityError):
            LanguageDetector(model=target)
    missing = tmp_path / "missing"
    shutil.copytree(MODEL_DIR, missing)
    (missing / "language_model.npz").unlink()
    with pytest.raises(ModelIntegrityError):
        load_language_model(missing)


def test_intact_copy_loads(tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "ok")
    d = LanguageDetector(model=tmp_path / "ok")
    assert d.detect("INTERPOL backs International Migrants Day")[0] == "en"


def _shared(path: str) -> Path:
    p = SHARED / path
    if not p.exists():
        pytest.skip(f"shared data {p} is absent (set HEADLINE_TAGGER_SHARED to its folder)")
    return p


def test_seed_headlines(det: LanguageDetector) -> None:
    with _shared("data/seed_headlines.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 35
    wrong = [(r["language"], det.detect(r["headline"]), r["headline"]) for r in rows
             if det.detect(r["headline"])[0] != r["language"]]
    assert wrong == []


@pytest.mark.slow
def test_lid_accuracy_targets(det: LanguageDetector) -> None:
    base = _shared("data/lid")
    targets = {"single-words": 0.90, "word-pairs": 0.98, "sentences": 0.999}
    for kind, target in targets.items():
        texts, gold = [], []
        for code in ("en", "fr"):
            items = [t for t in (base / f"{kind}-{code}.txt").read_text(encoding="utf-8").split("\n") if t]
            texts += items
            gold += [code] * len(items)
        codes, _ = det.detect_many(texts)
        acc = sum(c == g for c, g in zip(codes, gold)) / len(gold)
        assert acc >= target, f"{kind}: {acc:.4f} < {target}"
