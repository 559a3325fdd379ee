"""The shipped model rebuilt as plain scikit-learn objects, from its arrays, with public calls only.

This is the reference the fast numpy path is checked against, and a way to use the model inside
scikit-learn tooling. It needs no pickle: vocabulary, idf and weights come from the model files.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .model import ThemeModel
from .training import make_vectorizer


def to_sklearn(model: ThemeModel):
    """(TF-IDF vectorizer or FeatureUnion, [LogisticRegression per theme]) with the model's parameters."""
    from sklearn.linear_model import LogisticRegression

    vec = make_vectorizer(model.features, vocabulary=model.vocabulary)
    blocks = [v for _, v in vec.transformer_list] if hasattr(vec, "transformer_list") else [vec]
    start = 0
    for block in blocks:
        size = len(block.vocabulary)
        block.idf_ = model.idf[start : start + size]
        start += size
    classifiers = []
    for k in range(len(model.themes)):
        clf = LogisticRegression()
        clf.classes_ = np.array([0, 1])
        clf.coef_ = model.coef[k : k + 1].copy()
        clf.intercept_ = model.intercept[k : k + 1].copy()
        clf.n_features_in_ = len(model.vocabulary)
        classifiers.append(clf)
    return vec, classifiers


def reference_proba(model: ThemeModel, texts: Sequence[str]) -> np.ndarray:
    """Calibrated theme probabilities computed by scikit-learn objects (slow, for checking)."""
    vec, classifiers = to_sklearn(model)
    x = vec.transform(list(texts))
    logits = np.column_stack([clf.decision_function(x) for clf in classifiers])
    return 1.0 / (1.0 + np.exp(-(model.calib_a * logits + model.calib_b)))
