"""Scale-out on Dask: tag dask DataFrames partition by partition, or many files on a cluster.

Install with ``pip install "headline-tagger[dask]"``. Each worker loads the language table, and
the bundled theme model, from its own installed package; a model of the caller's own travels to
each worker once (as one graph key, or scattered on a cluster).
"""

from __future__ import annotations

import glob as _glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import tagger as tagger_module
from .errors import InputError
from .language import portable_languages, shared_detector
from .model import ThemeModel
from .table import OUTPUT_COLUMNS, TagSummary, output_names, tag_dataframe
from .tagger import Tagger, default_tagger

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["tag_dask_dataframe", "tag_files_dask", "expand_inputs"]

_taggers: dict[tuple[int, tuple[str, ...] | None], Tagger] = {}


@dataclass(frozen=True)
class _Shipped:
    """What a worker needs to rebuild the caller's tagger: the theme model (None: the bundled one)
    and the detector's candidate languages (None: all the shipped table knows). One object, so
    a cluster scatters it whole."""

    model: ThemeModel | None
    languages: tuple[str, ...] | None


def _tagger_for(shipped: _Shipped) -> Tagger:
    """One Tagger per model and detector per worker process (loaded by the worker when bundled)."""
    model, languages = shipped.model, shipped.languages
    if model is None and languages is None:
        return default_tagger()
    model = model if model is not None else default_tagger().model
    tagger = _taggers.get((id(model), languages))
    if tagger is None or tagger.model is not model:
        tagger = _taggers[(id(model), languages)] = Tagger(model, shared_detector(languages))
    return tagger


def _shipped(tagger: Tagger | None) -> _Shipped:
    """What to send to the workers: no model for the bundled one (each worker has it installed)."""
    if tagger is None:
        return _Shipped(None, None)
    bundled = tagger_module._default  # the bundled tagger, if this process has loaded it
    model = None if bundled is not None and tagger.model is bundled.model else tagger.model
    return _Shipped(model, portable_languages(tagger.detector))


def _tag_partition(df, column: str | None, names: dict[str, str], shipped: _Shipped):
    return tag_dataframe(df, column, tagger=_tagger_for(shipped), names=names)


def tag_dask_dataframe(ddf: "dd.DataFrame", column: str | None = None, *,
                       tagger: Tagger | None = None) -> "dd.DataFrame":
    """``ddf`` with ``language``, ``themes`` and ``tag_status`` added, lazily, partition by partition."""
    import dask
    import pandas as pd

    names = output_names([str(c) for c in ddf.columns])
    meta = ddf._meta.copy()
    for col in OUTPUT_COLUMNS:
        meta[names[col]] = pd.Series(dtype="object")
    shipped: Any = _shipped(tagger)
    if shipped.model is not None:
        try:  # on a cluster: scattered, sent once to each worker, outside the graph
            from distributed import get_client

            shipped = get_client().scatter(shipped, broadcast=True)
        except (ImportError, ValueError):  # local schedulers: one graph key
            shipped = dask.delayed(shipped, pure=True)
    return ddf.map_partitions(_tag_partition, column, names, shipped, meta=meta)


def expand_inputs(patterns: Sequence[str]) -> list[str]:
    """Files named by paths or glob patterns, sorted, without repeats; an error if none match."""
    files: list[str] = []
    for pattern in patterns:
        matches = sorted(_glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
        files.extend(m for m in matches if m not in files)
    missing = [f for f in files if not os.path.isfile(f)]
    if not files or missing:
        raise InputError(f"no input files match {list(patterns)}" if not files else f"not a file: {missing}")
    return files


def _tag_one_file(source: str, target: str, shipped: _Shipped, options: dict[str, Any]) -> dict[str, Any]:
    from .io import tag_file

    return tag_file(source, target, tagger=_tagger_for(shipped), **options).to_dict()


def tag_files_dask(patterns: Sequence[str], out_dir: str | os.PathLike[str], *, column: str | None = None,
                   sep: str | None = None, encoding: str | None = None, fmt: str | None = None,
                   tagger: Tagger | None = None, scheduler: str | None = None, workers: int = 2,
                   on_file: Callable[[int], None] | None = None) -> TagSummary:
    """Tag many files on Dask, one task per file, into ``out_dir`` (same names, same statuses).

    Each file goes through :func:`headline_tagger.io.tag_file`, so its output has exactly the
    columns and statuses of the single-machine command. ``scheduler`` is the address of an existing
    cluster ("tcp://host:8786"); without it a local cluster of ``workers`` processes is started.
    ``on_file(n_done)`` is called as files complete.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    files = expand_inputs(patterns)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = [str(out / Path(f).name) for f in files]
    if len(set(targets)) != len(targets):
        raise InputError("two input files share a name; their outputs would collide in one folder")
    options = {"column": column, "sep": sep, "encoding": encoding, "fmt": fmt}
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    summary = TagSummary()
    try:
        with Client(scheduler or cluster) as client:
            shipped: Any = _shipped(tagger)
            if shipped.model is not None:
                shipped = client.scatter(shipped, broadcast=True)  # sent once to each worker
            futures = [client.submit(_tag_one_file, f, t, shipped, options, pure=False)
                       for f, t in zip(files, targets)]
            for done, future in enumerate(as_completed(futures), start=1):
                part = future.result()
                summary.rows += part["rows"]
                summary.languages.update(part["languages"])
                summary.themes.update(part["themes"])
                summary.statuses.update(part["statuses"])
                summary.columns = part["columns"]
                if on_file is not None:
                    on_file(done)
    finally:
        if cluster is not None:
            cluster.close()
    return summary
