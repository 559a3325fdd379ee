"""The ``headline-tagger`` command: a thin layer over the library (tag, explain, train, evaluate)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import __version__
from .errors import HeadlineTaggerError


def _tagger(args: argparse.Namespace):
    from .tagger import Tagger, default_tagger

    if args.model is None:
        return default_tagger()
    return Tagger.load(args.model, trust_pickle=args.trust_pickle)


@contextmanager
def _progress(args: argparse.Namespace, unit: str, total: int | None = None) -> Iterator[Callable[[int], Any] | None]:
    """A tqdm bar's update function on a terminal (None when piped or --quiet); closed afterwards."""
    if args.quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=f" {unit}", file=sys.stderr, desc="tagging") as bar:
        yield bar.update


def _cmd_tag_dask(args: argparse.Namespace) -> int:
    from .dask import expand_inputs, tag_files_dask

    if not args.output or args.output == "-":
        raise HeadlineTaggerError("--engine dask writes one output file per input: give -o FOLDER")
    files = expand_inputs(args.input)
    with _progress(args, "files", total=len(files)) as update:
        summary = tag_files_dask(files, args.output, column=args.column, sep=args.sep, encoding=args.encoding,
                                 fmt=args.format, tagger=_tagger(args), scheduler=args.scheduler,
                                 workers=args.jobs if args.jobs > 1 else 2,
                                 on_file=(lambda _done: update(1)) if update else None)
    return _report(args, summary)


def _report(args: argparse.Namespace, summary) -> int:
    """The run's summary on stderr (unless --quiet) and in --summary-json."""
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary.to_dict(), indent=2), encoding="utf-8")
    if not args.quiet:
        def fmt(counter) -> str:
            return ", ".join(f"{k or '(none)'} {v}" for k, v in counter.most_common()) or "-"
        print(f"tagged {summary.rows} rows | languages: {fmt(summary.languages)} | "
              f"themes: {fmt(summary.themes)} | status: {fmt(summary.statuses)}", file=sys.stderr)
    return 0


def _cmd_tag(args: argparse.Namespace) -> int:
    from .io import tag_file

    if args.engine == "dask":
        return _cmd_tag_dask(args)
    if len(args.input) != 1:
        raise HeadlineTaggerError("several inputs need --engine dask (or one run per file)")
    args.input = args.input[0]

    source = sys.stdin.buffer if args.input == "-" else args.input
    output = sys.stdout if args.output in (None, "-") else args.output
    fmt = args.format or (None if args.input != "-" else "csv")
    with _progress(args, "rows") as update:
        summary = tag_file(source, output, column=args.column, sep=args.sep, encoding=args.encoding,
                           fmt=fmt, tagger=None if args.model is None else _tagger(args),
                           model_path=args.model, jobs=args.jobs, on_chunk=update)
    return _report(args, summary)


def _cmd_explain(args: argparse.Namespace) -> int:
    tagger = _tagger(args)
    result = tagger.tag(args.text)
    explanations = tagger.explain(args.text, top=args.top)
    if args.json:
        print(json.dumps({"result": result.to_dict(),
                          "explanations": [e.to_dict() for e in explanations]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"language: {result.language} ({result.language_score:.2f})   status: {result.status}")
    print(f"themes:   {', '.join(result.themes) or '(none)'}")
    for e in explanations:
        mark = "GIVEN " if e.assigned and result.status == "ok" else "runner-up"
        print(f"\n{mark} {e.theme}: p={e.probability:.3f} (threshold {e.threshold:.2f}, bias {e.bias:+.2f})")
        for c in e.contributions:
            print(f"    {c.weight:+.3f}  {c.feature}")
    return 0


def _read_rows(args: argparse.Namespace, themes=None):
    """Labelled rows: the shipped corpus (unless --no-corpus) plus every --data file."""
    import pandas as pd

    from .corpus import read_labelled, training_corpus

    frames = []
    if not getattr(args, "no_corpus", True):
        frames.append(training_corpus())
    for path in args.data or []:
        frames.append(read_labelled(path, column=args.column, themes=themes))
    if not frames:
        raise HeadlineTaggerError("no training rows: give --data FILE or drop --no-corpus")
    return pd.concat(frames, ignore_index=True)


def _cmd_train(args: argparse.Namespace) -> int:
    from .training import TrainingConfig, cross_validate, model_card, train

    config = TrainingConfig.from_dict(json.loads(Path(args.config).read_text())) if args.config else TrainingConfig()
    rows = _read_rows(args)
    metrics = {}
    if args.cv:
        report = cross_validate(rows, config)
        metrics["cross_validation"] = report.to_dict()
        print(report.format(), file=sys.stderr)
    model = train(rows, config)
    model.save(args.output, card=model_card(model, rows, config, metrics))
    print(f"saved a model of {len(model.themes)} themes, {len(model.vocabulary)} features, trained on "
          f"{len(rows)} rows, to {args.output}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .training import TrainingConfig, cross_validate, evaluate

    if args.cv:
        report = cross_validate(_read_rows(args), TrainingConfig())
    else:
        tagger = _tagger(args)
        report = evaluate(tagger, _read_rows(args, themes=None))
    print(report.format())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    if args.predictions:
        report.predictions.to_csv(args.predictions, index=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="headline-tagger",
                                     description="Tag news headlines with language and themes.")
    parser.add_argument("--version", action="version", version=f"headline-tagger {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def model_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", help="model folder (default: the bundled model)")
        p.add_argument("--trust-pickle", action="store_true",
                       help="allow loading a pickle/joblib model file (it can run code: only files you trust)")

    p = sub.add_parser("tag", help="tag a file: every row kept, plus language, themes, tag_status")
    p.add_argument("input", nargs="+", help="CSV/TSV, JSON Lines or Parquet file, or - for stdin "
                   "(several files or a quoted glob with --engine dask)")
    p.add_argument("-o", "--output", help="output file (default, or -: stdout)")
    p.add_argument("--column", help="headline column (default: headline, title, titre or text)")
    p.add_argument("--sep", help="field separator (default: sniffed)")
    p.add_argument("--encoding", help="input encoding (default: detected)")
    p.add_argument("--format", choices=("csv", "jsonl", "parquet"),
                   help="input and output format (default: from the extension; CSV for stdin)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (output identical to one job)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="dask: one task per file on a Dask cluster, outputs in the -o folder")
    p.add_argument("--scheduler", help="with --engine dask: address of an existing Dask scheduler")
    p.add_argument("--summary-json", help="write the run's summary as JSON to this file")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")
    model_opts(p)
    p.set_defaults(func=_cmd_tag)

    p = sub.add_parser("explain", help="show which words pushed each theme's score")
    p.add_argument("text")
    p.add_argument("--top", type=int, default=8, help="features shown per theme")
    p.add_argument("--json", action="store_true", help="JSON output")
    model_opts(p)
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("train", help="train a model on the shipped corpus and/or your labelled CSVs")
    p.add_argument("--data", action="append", help="labelled CSV (headline, themes[, language]); repeatable")
    p.add_argument("--no-corpus", action="store_true", help="train on --data only, not the shipped corpus")
    p.add_argument("--column", help="headline column of --data files")
    p.add_argument("--config", help="JSON file of TrainingConfig settings")
    p.add_argument("--cv", action="store_true", help="cross-validate first and store the metrics in the card")
    p.add_argument("-o", "--output", required=True, help="folder to write the model to")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="evaluate a model on labelled CSVs (or cross-validate on them)")
    p.add_argument("--data", action="append", help="labelled CSV; repeatable")
    p.add_argument("--corpus", dest="no_corpus", action="store_false",
                   help="also use the shipped corpus (meaningful with --cv)")
    p.add_argument("--column", help="headline column of --data files")
    p.add_argument("--cv", action="store_true", help="group k-fold cross-validation instead of a fixed model")
    p.add_argument("--json", help="write the metrics as JSON to this file")
    p.add_argument("--predictions", help="write per-row predictions as CSV to this file")
    model_opts(p)
    p.set_defaults(func=_cmd_evaluate, no_corpus=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a command, turning library errors into a message and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except HeadlineTaggerError as exc:
        print(f"headline-tagger: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 141
    except KeyboardInterrupt:
        print("headline-tagger: interrupted; no output file was written", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. a full disk while writing to stdout
        print(f"headline-tagger: error: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
