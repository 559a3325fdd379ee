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
