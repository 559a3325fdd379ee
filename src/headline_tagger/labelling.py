"""Active learning: find the headlines a model is least sure of, and fold new labels back in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .corpus import find_column, read_labelled
from .tagger import Tagger, default_tagger
from .themes import join_themes

if TYPE_CHECKING:
    import pandas as pd


def least_certain(frame: "pd.DataFrame", column: str | None = None, n: int = 20,
                  tagger: Tagger | None = None) -> "pd.DataFrame":
    """The ``n`` rows whose theme decisions are closest to a threshold, ready to be labelled.

    Certainty of a row is the smallest distance between a theme's probability and that theme's
    threshold (on the log-odds scale, so 0.49 vs 0.5 counts as close as 0.01 vs 0.0098). Rows
    in languages the model does not cover are left out: their labels would not teach it.
    Returns the chosen rows (all their columns) plus ``suggested_themes`` (the model's answer),
    ``closest_theme``, ``margin`` and an empty ``themes`` column for the analyst to fill.
    """
    tagger = tagger or default_tagger()
    col = find_column([str(c) for c in frame.columns], column)
    results = tagger.tag_many(frame[col].fillna("").astype(str).tolist())
    probs = np.array([[r.scores[t] for t in tagger.themes] for r in results])
    eps = 1e-6
    logit = lambda p: np.log(np.clip(p, eps, 1 - eps) / np.clip(1 - p, eps, 1 - eps))  # noqa: E731
    gap = np.abs(logit(probs) - logit(tagger.model.thresholds))
    closest = gap.argmin(axis=1)
    out = frame.copy()
    out["suggested_themes"] = [join_themes(r.themes) for r in results]
    out["closest_theme"] = [tagger.themes[k] for k in closest]
    out["margin"] = gap.min(axis=1).round(4)
    out["themes"] = ""
    keep = [r.status == "ok" for r in results]
    return out[keep].sort_values("margin", kind="stable").head(n)


def merge_labels(base: "pd.DataFrame", new: "pd.DataFrame") -> "pd.DataFrame":
    """Labelled rows of ``base`` plus ``new`` (both as :func:`read_labelled` frames or files).

    A headline present in both keeps the new label: the analyst's correction wins.
    """
    import pandas as pd

    base = base if isinstance(base, pd.DataFrame) and "group" in base else read_labelled(base)
    new = new if isinstance(new, pd.DataFrame) and "group" in new else read_labelled(new)
    merged = pd.concat([base[~base["headline"].isin(set(new["headline"]))], new], ignore_index=True)
    return merged.reset_index(drop=True)
