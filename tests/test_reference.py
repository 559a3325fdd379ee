"""The fast numpy path gives the same probabilities as the model rebuilt in scikit-learn."""

import numpy as np

from headline_tagger.corpus import load_corpus, read_labelled
from headline_tagger.reference import reference_proba
from headline_tagger.tagger import default_tagger


def test_fast_path_matches_scikit_learn_on_the_whole_corpus():
    model = default_tagger().model
    texts = read_labelled(load_corpus())["headline"].tolist()
    texts += ["", "   ", "12 345", "Smugglers smugglers smugglers!", "x" * 5000]
    np.testing.assert_allclose(model.predict_proba(texts), reference_proba(model, texts), rtol=0, atol=1e-10)


def test_single_path_matches_scikit_learn():
    model = default_tagger().model
    texts = ["Des passeurs interpellés à Calais", "Ransomware gang hits hospital", "Match nul à Lens"]
    ref = reference_proba(model, texts)
    for text, row in zip(texts, ref):
        np.testing.assert_allclose(model.proba_one(text), row, rtol=0, atol=1e-10)


def test_character_block_matches_scikit_learn(small_rows, tmp_path):
    from headline_tagger.features import FeatureConfig
    from headline_tagger.model import ThemeModel
    from headline_tagger.training import TrainingConfig, train

    rows = small_rows.iloc[:600].reset_index(drop=True)
    model = train(rows, TrainingConfig(features=FeatureConfig(char_ngrams=(2, 4)), cv_folds=3))
    assert any(f.startswith("c:") for f in model.vocabulary)
    model = ThemeModel.load(model.save(tmp_path / "m"))
    texts = rows["headline"].tolist() + ["", "a", "Des  passeurs\tarrêtés", "x" * 3000]
    batch = model.predict_proba(texts)
    np.testing.assert_allclose(batch, reference_proba(model, texts), rtol=0, atol=1e-10)
    one = np.array([model.proba_one(t) for t in texts])
    np.testing.assert_allclose(one, batch, rtol=0, atol=1e-12)
    assert any(c.feature.startswith("‹") for e in model.explain(texts[0], top=500) for c in e.contributions)
