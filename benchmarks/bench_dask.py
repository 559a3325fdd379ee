"""Dask scale-out: 1 against 2 worker processes on a generated input of many files.

    python -m pip install -e ".[dask,bench]" && python benchmarks/bench_dask.py [--rows 1000000] [--files 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import headlines  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    from headline_tagger.dask import tag_files_dask

    tmp = Path(tempfile.mkdtemp(prefix="ht-dask-"))
    texts = headlines(50_000)
    rng = np.random.default_rng(0)
    per = args.rows // args.files
    for i in range(args.files):
        pick = rng.integers(0, len(texts), per)
        pd.DataFrame({"id": np.arange(i * per, (i + 1) * per), "headline": [texts[j] for j in pick]}) \
            .to_csv(tmp / f"feed{i:02d}.csv", index=False)
    times = {}
    for workers in (1, 2):
        start = time.perf_counter()
        summary = tag_files_dask([str(tmp / "feed*.csv")], tmp / f"out{workers}", workers=workers)
        times[workers] = time.perf_counter() - start
        assert summary.rows == per * args.files
    same = all((tmp / "out1" / f.name).read_bytes() == (tmp / "out2" / f.name).read_bytes()
               for f in sorted(tmp.glob("feed*.csv")))
    rows = per * args.files
    print(f"Dask local cluster, {rows:,} rows in {args.files} CSV files (one task per file), cluster start included")
    print(f"{'workers':>8} {'seconds':>9} {'rows/s':>10}")
    for w, t in times.items():
        print(f"{w:>8} {t:>9.1f} {rows / t:>10,.0f}")
    print(f"2 workers vs 1: {times[1] / times[2]:.2f}x faster; identical output: {same}")
    for p in sorted(tmp.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
