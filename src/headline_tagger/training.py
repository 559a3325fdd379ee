"""Training the theme model, cross-validating it and evaluating any tagger on labelled rows.

The CLI (``headline-tagger train`` / ``evaluate``) and the notebooks call these functions; no
model code lives anywhere else. scikit-learn is imported here only, never on the tagging path.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import __version__
from .corpus import data_hash, label_set
from .errors import TrainingError
from .features import Analyzer, CharAnalyzer, FeatureConfig
from .model import ThemeModel
from .tagger import Tagger

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of a training run; saved in the model card so a run can be repeated exactly."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    min_df: int = 2
    C: float = 48.0  # cross-validated on the shipped corpus: F1 is flat from C=16 to 256
    class_weight: str | None = "sqrt_balanced"  # "balanced" made shared words ("boys") strong cues
    cv_folds: int = 5
    min_threshold: float = 0.45
    seed: int = 0
    # Share of naive-Bayes-scaled weights averaged into the plain ones (NB-LR, as in Wang and
    # Manning's NB-SVM): 0.2 raised cross-validated F1, pair agreement, the seed and published
    # headlines without one more false alarm on ordinary news (0.3-0.5 raised them).
    nb_mix: float = 0.2

    def __post_init__(self) -> None:
        if not 0.0 <= self.nb_mix <= 1.0:
            raise TrainingError(f"nb_mix is a share between 0 and 1, got {self.nb_mix}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainingConfig":
        """Inverse of :meth:`to_dict` (unknown keys are an error)."""
        data = dict(data)
        feats = FeatureConfig(**data.pop("features", {}))
        return cls(features=feats, **data)


# -- folds -------------------------------------------------------------------------------------
def group_folds(groups: Sequence[str], k: int, seed: int = 0) -> np.ndarray:
    """Fold number of each row; rows of one group share a fold; sizes balanced; deterministic."""
    names, inverse, sizes = np.unique(np.asarray(groups, dtype=str), return_inverse=True,
                                      return_counts=True)
    if len(names) < k:
        raise TrainingError(f"{len(names)} groups cannot fill {k} folds")
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.permutation(len(names)), -sizes))  # big groups first, ties shuffled
    load = np.zeros(k, dtype=np.int64)
    fold_of = np.empty(len(names), dtype=np.int64)
    for g in order:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += sizes[g]
    return fold_of[inverse]


# -- fitting -----------------------------------------------------------------------------------
def _label_matrix(rows: "pd.DataFrame", themes: Sequence[str]) -> np.ndarray:
    """Binary (n_rows, n_themes) matrix of the rows' themes."""
    index = {t: k for k, t in enumerate(themes)}
    y = np.zeros((len(rows), len(themes)), dtype=np.int8)
    for i, ts in enumerate(rows["themes"]):
        for t in ts:
            if t in index:
                y[i, index[t]] = 1
    return y


def make_vectorizer(features: FeatureConfig, min_df: int = 1, vocabulary: Sequence[str] | None = None):
    """The scikit-learn TF-IDF features of the model: a word block and, if configured, a char block.

    With ``vocabulary`` (a model's feature list), the vectorizers are fixed to it instead of fitted.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    def block(analyzer, vocab):
        return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min_df, norm="l2",
                               dtype=np.float64, vocabulary=vocab)

    words = chars = None
    if vocabulary is not None:
        words = [f for f in vocabulary if not f.startswith("c:")]
        chars = [f for f in vocabulary if f.startswith("c:")]
    if features.char_ngrams is None:
        return block(Analyzer(features), words)
    return FeatureUnion([("words", block(Analyzer(features), words)),
                         ("chars", block(CharAnalyzer(features), chars))])


def vectorizer_vocabulary_idf(vec) -> tuple[list[str], np.ndarray]:
    """Feature names (word block first) and idf weights of a fitted :func:`make_vectorizer`."""
    parts = [v for _, v in vec.transformer_list] if hasattr(vec, "transformer_list") else [vec]
    names = [n for v in parts for n in v.get_feature_names_out().tolist()]
    return names, np.concatenate([v.idf_ for v in parts])


def _class_weight(kind: str | None, y: np.ndarray) -> str | dict[int, float] | None:
    """scikit-learn's class weights for one theme: ``"balanced"`` (rare themes weigh as much as
    the rest), ``"sqrt_balanced"`` (the square root of that: rare themes count more without
    turning every word they share with ordinary news into a strong cue) or None."""
    if kind != "sqrt_balanced":
        return kind
    pos = int(y.sum())
    if pos == 0 or pos == len(y):
        return None
    return {0: 1.0, 1: float(np.sqrt((len(y) - pos) / pos))}


def _fit_linear(texts: list[str], y: np.ndarray, config: TrainingConfig):
    """TF-IDF features and one logistic regression per theme (scikit-learn).

    With ``nb_mix``, a second regression per theme reads the features scaled by their naive-Bayes
    log-count ratio for that theme, and its weights (scaled back, so they apply to the plain
    features) are averaged into the first: still one linear scorer per theme, in the same format.
    """
    from scipy import sparse

    vec = make_vectorizer(config.features, config.min_df)
    x = vec.fit_transform(texts).tocsr()
    present = (x > 0).astype(np.float64).tocsr() if config.nb_mix else None
    coef = np.zeros((y.shape[1], x.shape[1]))
    intercept = np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        coef[k], intercept[k] = _logistic(x, y[:, k], config)
        if present is not None:
            scale = _nb_ratio(present, y[:, k])
            nb_coef, nb_intercept = _logistic(x @ sparse.diags(scale), y[:, k], config)
            coef[k] = (1 - config.nb_mix) * coef[k] + config.nb_mix * nb_coef * scale
            intercept[k] = (1 - config.nb_mix) * intercept[k] + config.nb_mix * nb_intercept
    return vec, coef, intercept


def _logistic(x, y: np.ndarray, config: TrainingConfig) -> tuple[np.ndarray, float]:
    """Weights and intercept of one theme's logistic regression (scikit-learn, liblinear)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=config.C, class_weight=_class_weight(config.class_weight, y),
                             solver="liblinear", random_state=config.seed, max_iter=1000)
    clf.fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def _nb_ratio(present, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio of each feature for one theme (Wang and Manning's NB-SVM)."""
    pos = alpha + np.asarray(present[y == 1].sum(axis=0)).ravel()
    neg = alpha + np.asarray(present[y == 0].sum(axis=0)).ravel()
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid a, b with P(y=1) = 1/(1+exp(-(a*s+b))), fitted on out-of-fold scores (Platt)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    clf.fit(scores.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def best_threshold(probs: np.ndarray, y: np.ndarray, floor: float = 0.0) -> float:
    """Probability cut that maximises F1 on (out-of-fold) probabilities; ties go to the higher cut."""
    grid = np.round(np.arange(max(floor, 0.05), 0.951, 0.01), 2)
    pred = probs[:, None] >= grid[None, :]
    tp = (pred & (y[:, None] == 1)).sum(0)
    fp = (pred & (y[:, None] == 0)).sum(0)
    fn = ((~pred) & (y[:, None] == 1)).sum(0)
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    return float(grid[best[len(best) // 2]])  # middle of the best plateau: stable, not on an edge


def threshold_curve(probs: np.ndarray, y: np.ndarray) -> "pd.DataFrame":
    """Precision, recall and F1 of one theme at every threshold from 0.01 to 0.99."""
    import pandas as pd

    rows = []
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        pred = probs >= t
        tp = int((pred & (y == 1)).sum()); fp = int((pred & (y == 0)).sum()); fn = int((~pred & (y == 1)).sum())
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows.append({"threshold": t, "precision": p, "recall": r,
                     "f1": 2 * p * r / (p + r) if p + r else 0.0})
    return pd.DataFrame(rows)


def _decisions(texts: list[str], vec, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Raw log-odds of texts under a fitted vectorizer and weights."""
    return np.asarray(vec.transform(texts) @ coef.T) + intercept


def out_of_fold_decisions(rows: "pd.DataFrame", themes: Sequence[str], config: TrainingConfig) -> np.ndarray:
    """Each row's raw scores from a model that never saw its group (for calibration and thresholds)."""
    texts = rows["headline"].tolist()
    y = _label_matrix(rows, themes)
    folds = group_folds(rows["group"].tolist(), config.cv_folds, config.seed)
    oof = np.zeros(y.shape, dtype=np.float64)
    for f in range(config.cv_folds):
        test = folds == f
        train_idx = np.flatnonzero(~test)
        vec, coef, intercept = _fit_linear([texts[i] for i in train_idx], y[train_idx], config)
        oof[test] = _decisions([t for t, m in zip(texts, test) if m], vec, coef, intercept)
    return oof


def train(rows: "pd.DataFrame", config: TrainingConfig | None = None,
          themes: Sequence[str] | None = None) -> ThemeModel:
    """Train a model on labelled rows (see :func:`headline_tagger.corpus.read_labelled`).

    Calibration (Platt) and per-theme thresholds come from out-of-fold scores of a group
    k-fold inside ``rows``, never from rows the scorer was fitted on.
    """
    config = config or TrainingConfig()
    themes = tuple(themes) if themes is not None else label_set(rows)
    if not themes:
        raise TrainingError("the training rows carry no theme at all")
    y = _label_matrix(rows, themes)
    pos = y.sum(0)
    thin = [t for t, n in zip(themes, pos) if n < config.cv_folds or n > len(rows) - config.cv_folds]
    if thin:
        raise TrainingError(f"themes {thin} need at least {config.cv_folds} positive and negative rows")
    oof = out_of_fold_decisions(rows, themes, config)
    calib = [_platt(oof[:, k], y[:, k]) for k in range(len(themes))]
    calib_a = np.array([a for a, _ in calib]); calib_b = np.array([b for _, b in calib])
    probs = 1.0 / (1.0 + np.exp(-(calib_a * oof + calib_b)))
    thresholds = np.array([best_threshold(probs[:, k], y[:, k], config.min_threshold)
                           for k in range(len(themes))])
    vec, coef, intercept = _fit_linear(rows["headline"].tolist(), y, config)
    vocabulary, idf = vectorizer_vocabulary_idf(vec)
    languages = sorted({lang for lang in rows["language"] if lang}) or ["en", "fr"]
    return ThemeModel(
        themes=themes, vocabulary=vocabulary, idf=idf, coef=coef,
        intercept=intercept, calib_a=calib_a, calib_b=calib_b, thresholds=thresholds,
        features=config.features, languages=languages,
        metadata={"config": config.to_dict(), "training_rows": len(rows),
                  "training_data_sha256": data_hash(rows)},
    )


# -- evaluation --------------------------------------------------------------------------------
def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_predictions(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                      themes: Sequence[str]) -> dict[str, Any]:
    """Per-theme precision/recall/F1 and micro/macro F1, exact-match rate, no-theme clean share."""
    per_theme = {}
    tps = fps = fns = 0
    for t in themes:
        tp = sum(1 for a, b in zip(true, pred) if t in a and t in b)
        fp = sum(1 for a, b in zip(true, pred) if t not in a and t in b)
        fn = sum(1 for a, b in zip(true, pred) if t in a and t not in b)
        p, r, f = _prf(tp, fp, fn)
        per_theme[t] = {"precision": p, "recall": r, "f1": f, "support": tp + fn, "predicted": tp + fp}
        tps, fps, fns = tps + tp, fps + fp, fns + fn
    scored = [m["f1"] for m in per_theme.values() if m["support"] or m["predicted"]]
    none_rows = [b for a, b in zip(true, pred) if not a]
    return {
        "rows": len(true),
        "micro_f1": _prf(tps, fps, fns)[2],
        "macro_f1": float(np.mean(scored)) if scored else 0.0,
        "exact_match": float(np.mean([set(a) == set(b) for a, b in zip(true, pred)])) if true else 0.0,
        "no_theme_rows": len(none_rows),
        "no_theme_clean": float(np.mean([not b for b in none_rows])) if none_rows else 1.0,
        "per_theme": per_theme,
    }


@dataclass
class EvaluationReport:
    """Metrics of a tagger on labelled rows: overall, per language, per theme; plus the predictions."""

    overall: dict[str, Any]
    per_language: dict[str, dict[str, Any]]
    predictions: "pd.DataFrame"

    def theme_table(self) -> "pd.DataFrame":
        """One row per (language, theme): precision, recall, F1, support."""
        import pandas as pd

        rows = []
        for lang, metrics in [("all", self.overall), *self.per_language.items()]:
            for theme, m in metrics["per_theme"].items():
                rows.append({"language": lang, "theme": theme, **m})
        return pd.DataFrame(rows)

    def summary_table(self) -> "pd.DataFrame":
        """One row per language (and 'all'): micro/macro F1, exact match, no-theme clean share."""
        import pandas as pd

        keys = ("rows", "micro_f1", "macro_f1", "exact_match", "no_theme_clean", "language_accuracy",
                "pair_consistency", "brier", "calibration_error")
        return pd.DataFrame([{"language": lang, **{k: m[k] for k in keys if k in m}}
                             for lang, m in [("all", self.overall), *self.per_language.items()]])

    def confusion(self) -> "pd.DataFrame":
        """Rows: true theme (or '(none)'); columns: predicted theme (or '(none)'); cells: row counts.

        A row with true themes A and B predicted as A and C adds one to (A, A), (A, C), (B, A) and
        (B, C): where the model's themes land for each true theme.
        """
        import pandas as pd

        counts: dict[tuple[str, str], int] = {}
        for true, pred in zip(self.predictions["true_themes"], self.predictions["predicted_themes"]):
            ts = [t for t in true.split(";") if t] or ["(none)"]
            ps = [p for p in pred.split(";") if p] or ["(none)"]
            for t in ts:
                for p in ps:
                    counts[(t, p)] = counts.get((t, p), 0) + 1
        labels = sorted({k for pair in counts for k in pair}, key=lambda x: (x == "(none)", x))
        return pd.DataFrame([[counts.get((t, p), 0) for p in labels] for t in labels],
                            index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable metrics (without the predictions)."""
        return {"overall": self.overall, "per_language": self.per_language}

    def format(self) -> str:
        """Text tables for a terminal."""
        import pandas as pd

        with pd.option_context("display.width", 160, "display.max_rows", 500):
            table = self.theme_table().pivot(index="theme", columns="language", values="f1")
            return (self.summary_table().round(3).to_string(index=False) + "\n\nF1 per theme\n"
                    + table.round(3).to_string())


def compare_reports(reports: dict[str, EvaluationReport], language: str = "all") -> "pd.DataFrame":
    """Per-theme F1 of several evaluations side by side (one column per named report)."""
    import pandas as pd

    columns = {}
    for name, report in reports.items():
        metrics = report.overall if language == "all" else report.per_language[language]
        columns[name] = {t: m["f1"] for t, m in metrics["per_theme"].items()}
    return pd.DataFrame(columns)


def pair_consistency(rows: "pd.DataFrame", predicted: Sequence[Sequence[str]]) -> float | None:
    """Share of EN/FR parallel pairs (``pair_id``) whose two rows got the same predicted theme set."""
    if "pair_id" not in rows:
        return None
    sets: dict[str, list[frozenset[str]]] = {}
    for pid, pred in zip(rows["pair_id"], predicted):
        if pid:
            sets.setdefault(pid, []).append(frozenset(pred))
    pairs = [v for v in sets.values() if len(v) == 2]
    return float(np.mean([a == b for a, b in pairs])) if pairs else None


def calibration_error(probs: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: mean |predicted probability - observed rate| over equal-width bins."""
    probs = probs.ravel(); y = y.ravel()
    idx = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(float(probs[m].mean()) - float(y[m].mean()))
    return total / max(len(probs), 1)


def report_from_predictions(rows: "pd.DataFrame", tags: Sequence[Any], themes: Sequence[str]) -> EvaluationReport:
    """Build an :class:`EvaluationReport` from labelled rows and the tagger's results for them."""
    import pandas as pd

    pred = [r.themes for r in tags]
    true = rows["themes"].tolist()
    overall = score_predictions(true, pred, themes)
    langs = rows["language"].tolist()
    if any(langs):
        overall["language_accuracy"] = float(np.mean([r.language == l for r, l in zip(tags, langs) if l]))
    supported = [i for i, r in enumerate(tags) if r.status == "ok"]
    if supported:
        probs = np.array([[tags[i].scores[t] for t in themes] for i in supported])
        y = _label_matrix(rows.iloc[supported], themes)
        overall["brier"] = float(np.mean((probs - y) ** 2))
        overall["calibration_error"] = calibration_error(probs, y)
    pc = pair_consistency(rows, pred)
    if pc is not None:
        overall["pair_consistency"] = pc
    per_language = {}
    for lang in sorted({l for l in langs if l}):
        idx = [i for i, l in enumerate(langs) if l == lang]
        m = score_predictions([true[i] for i in idx], [pred[i] for i in idx], themes)
        m["language_accuracy"] = float(np.mean([tags[i].language == lang for i in idx]))
        per_language[lang] = m
    predictions = pd.DataFrame({
        "headline": rows["headline"].tolist(),
        "language": langs,
        "true_themes": [";".join(t) for t in true],
        "predicted_language": [r.language for r in tags],
        "predicted_themes": [";".join(p) for p in pred],
        "status": [r.status for r in tags],
    })
    for k, t in enumerate(themes):
        predictions["p_" + t] = [r.scores.get(t, np.nan) for r in tags]
    return EvaluationReport(overall, per_language, predictions)


def evaluate(tagger: Tagger | ThemeModel, rows: "pd.DataFrame") -> EvaluationReport:
    """Evaluate a tagger (or a bare model with the default language detector) on labelled rows."""
    if isinstance(tagger, ThemeModel):
        tagger = Tagger(tagger)
    tags = tagger.tag_many(rows["headline"].tolist())
    return report_from_predictions(rows, tags, tagger.themes)


def cross_validate(rows: "pd.DataFrame", config: TrainingConfig | None = None,
                   themes: Sequence[str] | None = None, folds: int | None = None) -> EvaluationReport:
    """Group k-fold estimate of how the model does on rows it never saw (whole groups held out)."""
    config = config or TrainingConfig()
    themes = tuple(themes) if themes is not None else label_set(rows)
    k = folds or config.cv_folds
    fold = group_folds(rows["group"].tolist(), k, config.seed + 1)
    tags: list[Any] = [None] * len(rows)
    for f in range(k):
        test = np.flatnonzero(fold == f)
        model = train(rows.iloc[np.flatnonzero(fold != f)].reset_index(drop=True), config, themes)
        for i, r in zip(test, Tagger(model).tag_many(rows["headline"].iloc[test].tolist())):
            tags[i] = r
    return report_from_predictions(rows, tags, themes)


def model_card(model: ThemeModel, rows: "pd.DataFrame", config: TrainingConfig,
               metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON card saved beside a model: version, data hash, config, library versions, metrics."""
    import sklearn

    return {
        "model": "headline-tagger theme model",
        "headline_tagger_version": __version__,
        "themes": list(model.themes),
        "languages": list(model.languages),
        "training_rows": len(rows),
        "training_data_sha256": data_hash(rows),
        "config": config.to_dict(),
        "vocabulary_size": len(model.vocabulary),
        "thresholds": dict(zip(model.themes, model.thresholds.round(4).tolist())),
        "libraries": {"python": platform.python_version(), "numpy": np.__version__,
                      "scikit-learn": sklearn.__version__},
        "metrics": metrics or {},
    }
