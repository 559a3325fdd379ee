"""Train the model shipped in the package, cross-validate it, and write its model card.

Run from the repository: ``python tools/train_default_model.py``. Uses the shipped corpus (EN/FR
rows) and, when ../shared is beside the repository, records the seed and news_dev figures in the
card. It calls the same library functions as ``headline-tagger train``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from headline_tagger.corpus import read_labelled, training_corpus
from headline_tagger.tagger import Tagger, default_model_path
from headline_tagger.training import TrainingConfig, cross_validate, evaluate, model_card, train

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEADLINE_TAGGER_SHARED", ROOT.parent / "shared"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", default=str(default_model_path()))
    parser.add_argument("--config", help="JSON TrainingConfig (default: the library's defaults)")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation (faster)")
    args = parser.parse_args()
    config = (TrainingConfig.from_dict(json.loads(Path(args.config).read_text()))
              if args.config else TrainingConfig())
    rows = training_corpus()
    metrics: dict = {}
    if not args.no_cv:
        t0 = time.time()
        cv = cross_validate(rows, config)
        metrics["cross_validation"] = cv.to_dict()
        print(cv.format(), f"\n(cross-validation took {time.time() - t0:.0f} s)\n", file=sys.stderr)
    model = train(rows, config)
    tagger = Tagger(model)
    for name, rel in [("seed", "data/seed_headlines.csv"), ("news_dev", "data/news_dev/masakhanews_dev.csv")]:
        path = SHARED / rel
        if path.is_file():
            report = evaluate(tagger, read_labelled(path))
            metrics[name] = report.to_dict()
            print(f"== {name}\n{report.summary_table().round(3).to_string(index=False)}\n", file=sys.stderr)
    model.save(args.output, card=model_card(model, rows, config, metrics))
    print(f"saved to {args.output}: {len(model.vocabulary)} features, {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
