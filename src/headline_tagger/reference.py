"""The shipped model rebuilt as plain scikit-learn objects, from its arrays, with public calls only.

This is the reference the fast numpy path is checked against, and a way to use the model inside
scikit-learn tooling. It needs no pickle: vocabulary, idf and weights come from the model files.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .features import Analyzer
from .model import ThemeModel


def to_sklearn(model: ThemeModel):
    """(TfidfVectorizer, [LogisticRegression per theme]) carrying the model's exact parameters."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=Analyzer(model.features), sublinear_tf=True, norm="l2",
                          vocabulary={f: i for i, f in enumerate(model.vocabulary)}, dtype=np.float64)
    vec.idf_ = model.idf
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
    z = model.calib_a * logits + model.calib_b
    return 1.0 / (1.0 + np.exp(-z))
