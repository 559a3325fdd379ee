"""Training, thresholds, folds and evaluation metrics."""

from __future__ import annotations

import numpy as np
import pytest

from headline_tagger import Tagger, TrainingError
from headline_tagger.training import (
    TrainingConfig,
    best_threshold,
    cross_validate,
    evaluate,
    group_folds,
    score_predictions,
    threshold_curve,
    train,
)


def test_training_is_reproducible(small_rows, small_model):
    again = train(small_rows, TrainingConfig(cv_folds=3))
    for name in ("idf", "coef", "intercept", "calib_a", "calib_b", "thresholds"):
        np.testing.assert_array_equal(getattr(again, name), getattr(small_model, name))
    assert again.vocabulary == small_model.vocabulary


def test_group_folds_keep_groups_together_and_are_deterministic():
    groups = [f"g{i % 17}" for i in range(200)]
    folds = group_folds(groups, 5, seed=3)
    assert (folds == group_folds(groups, 5, seed=3)).all()
    for g in set(groups):
        assert len({f for f, gg in zip(folds, groups) if gg == g}) == 1
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 12
    with pytest.raises(TrainingError):
        group_folds(["a", "b"], 5)


def test_best_threshold_maximises_f1():
    probs = np.array([0.1, 0.2, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    t = best_threshold(probs, y)
    assert 0.35 < t <= 0.4
    assert best_threshold(probs, y, floor=0.5) >= 0.5
    curve = threshold_curve(probs, y)
    assert curve.loc[curve["f1"].idxmax(), "threshold"] == pytest.approx(0.36, abs=0.05)


def test_thresholds_and_calibration_are_sane(small_model):
    assert ((small_model.thresholds >= 0.45) & (small_model.thresholds <= 0.95)).all()
    assert (small_model.calib_a > 0).all()  # higher raw score, higher probability


def test_score_predictions_by_hand():
    true = [("a",), ("a", "b"), (), ()]
    pred = [("a",), ("a",), ("b",), ()]
    m = score_predictions(true, pred, ["a", "b"])
    assert m["per_theme"]["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2, "predicted": 2}
    assert m["per_theme"]["b"]["f1"] == 0.0
    assert m["exact_match"] == 0.5 and m["no_theme_clean"] == 0.5
    assert m["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))


def test_custom_label_set_trains_and_tags_with_its_own_ids(small_rows):
    mapping = {"migrant_smuggling": "smuggling", "migration": "people_on_the_move"}
    rows = small_rows.assign(themes=[tuple(mapping[t] for t in ts if t in mapping) for ts in small_rows["themes"]])
    model = train(rows, TrainingConfig(cv_folds=3))
    assert model.themes == ("people_on_the_move", "smuggling")
    tagger = Tagger(model)
    r = tagger.tag("Smugglers jailed after 40 migrants found in a lorry")
    assert set(r.scores) == {"people_on_the_move", "smuggling"}
    assert set(r.themes) <= {"people_on_the_move", "smuggling"} and r.themes
    report = evaluate(tagger, rows)
    assert set(report.overall["per_theme"]) == {"people_on_the_move", "smuggling"}


def test_training_refuses_themes_without_examples(small_rows):
    rows = small_rows.assign(themes=[("only_one",) if i == 0 else () for i in range(len(small_rows))])
    with pytest.raises(TrainingError, match="only_one"):
        train(rows)


@pytest.mark.slow
def test_cross_validation_reports_per_language(small_rows):
    report = cross_validate(small_rows, TrainingConfig(cv_folds=3), folds=3)
    assert set(report.per_language) == {"en", "fr"}
    # 1,200 rows in 3 folds: far below the full corpus's figure, far above chance (about 0.1).
    assert 0.3 < report.overall["macro_f1"] <= 1.0
    assert len(report.predictions) == len(small_rows)
    table = report.theme_table()
    assert {"language", "theme", "precision", "recall", "f1", "support"} <= set(table.columns)
    assert "F1 per theme" in report.format()


def test_calibration_error_by_hand():
    from headline_tagger.training import calibration_error

    assert calibration_error(np.array([0.05, 0.95]), np.array([0, 1])) == pytest.approx(0.05)
    assert calibration_error(np.array([0.55, 0.55]), np.array([0, 1])) == pytest.approx(0.05)


def test_class_weights_for_rare_themes():
    from headline_tagger.training import _class_weight

    y = np.array([1] * 10 + [0] * 90)
    assert _class_weight("sqrt_balanced", y) == {0: 1.0, 1: 3.0}  # sqrt(90 / 10)
    assert _class_weight("balanced", y) == "balanced"
    assert _class_weight(None, y) is None
    assert _class_weight("sqrt_balanced", np.zeros(5)) is None  # one class only: nothing to weigh


def test_nb_mixing_averages_plain_and_naive_bayes_scaled_weights(small_rows):
    from headline_tagger.training import (
        _fit_linear,
        _label_matrix,
        _nb_ratio,
        label_set,
    )

    texts = small_rows["headline"].tolist()
    y = _label_matrix(small_rows, label_set(small_rows))
    fits = {mix: _fit_linear(texts, y, TrainingConfig(nb_mix=mix)) for mix in (0.0, 0.3, 1.0)}
    plain, mixed, pure = (fits[m][1:] for m in (0.0, 0.3, 1.0))
    np.testing.assert_allclose(mixed[0], 0.7 * plain[0] + 0.3 * pure[0], atol=1e-12)
    np.testing.assert_allclose(mixed[1], 0.7 * plain[1] + 0.3 * pure[1], atol=1e-12)
    assert not np.allclose(plain[0], pure[0])
    present = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0]], dtype=float)
    ratio = _nb_ratio(present, np.array([1, 1, 0, 0]))
    assert ratio[0] > 0 > ratio[1] and ratio[2] == pytest.approx(0.0)  # for, against, neutral
    with pytest.raises(TrainingError, match="nb_mix"):
        TrainingConfig(nb_mix=1.5)
