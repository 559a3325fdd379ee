"""Speed and memory of headline-tagger against the alternatives a user would build, in one run.

    python -m pip install -e ".[bench]" && python benchmarks/run.py [--rows 1000000] [--quick]

Prints one table: each figure, what it is compared with (measured in the same run) and the ratio.
Core figures use corpus headlines (real lengths); the file figures use a generated CSV.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def headlines(n: int) -> list[str]:
    """n real-length headlines from the shipped corpus (repeated to size, deterministic)."""
    from headline_tagger.corpus import load_corpus

    texts = load_corpus()["headline"].tolist()
    return [texts[i % len(texts)] for i in range(n)]


_PEAK = ("\nimport sys\nfor line in open('/proc/self/status'):\n"
         "    if line.startswith('VmHWM:'): sys.stdout.write('\\n' + line.split()[1])\n")


def run_process(code: str) -> tuple[float, int]:
    """Wall time of a new Python process running ``code``, and its own peak RSS (VmHWM) in MB."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code + _PEAK], capture_output=True, text=True,
                         cwd=tempfile.gettempdir())
    if out.returncode:
        raise RuntimeError(f"benchmark process failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return time.perf_counter() - start, int(out.stdout.strip().splitlines()[-1]) // 1024


def core(rows: list[tuple], quick: bool) -> None:
    from headline_tagger import tag_headline, tag_headlines
    from headline_tagger.reference import to_sklearn
    from headline_tagger.tagger import default_model_path, default_tagger

    n = 20_000 if quick else 100_000
    texts = headlines(n)
    tag_headlines(texts[:2000])  # load and warm
    rates = []
    for _ in range(3):  # the first pass fills the word-run table; later passes find it warm
        t0 = time.perf_counter(); tag_headlines(texts); rates.append(n / (time.perf_counter() - t0))
    ours, steady = rates[0], max(rates[1:])

    try:
        import langdetect
        from langdetect import DetectorFactory, detect
        DetectorFactory.seed = 0
    except ImportError:
        langdetect = None
    model = default_tagger().model
    vec, classifiers = to_sklearn(model)
    sample = texts[:1000 if quick else 2000]

    def naive(text: str) -> None:
        if langdetect is not None:
            try:
                detect(text)
            except Exception:
                pass
        x = vec.transform([text])
        [clf.predict(x) for clf in classifiers]

    t0 = time.perf_counter()
    for t in sample:
        naive(t)
    naive_rate = len(sample) / (time.perf_counter() - t0)
    rows.append((f"tag_headlines, {n // 1000}k headlines (1 core)", f"{ours:,.0f} /s",
                 f"naive langdetect + sklearn predict per headline: {naive_rate:,.0f} /s", f"{ours / naive_rate:,.0f}x"))
    rows.append(("same, steady state (best of 2 more passes)", f"{steady:,.0f} /s",
                 f"first pass: {ours:,.0f} /s", f"{steady / naive_rate:,.0f}x naive"))

    single = texts[:3000]
    lat = []
    for t in single:
        s = time.perf_counter(); tag_headline(t); lat.append(time.perf_counter() - s)
    ours_us = statistics.median(lat) * 1e6
    if langdetect is not None:
        lat = []
        for t in single[:500]:
            s = time.perf_counter()
            try:
                detect(t)
            except Exception:
                pass
            lat.append(time.perf_counter() - s)
        ld_us = statistics.median(lat) * 1e6
        rows.append(("tag_headline, median latency", f"{ours_us:,.0f} us", f"langdetect.detect alone: {ld_us:,.0f} us",
                     f"{ld_us / ours_us:,.0f}x faster"))
    else:
        rows.append(("tag_headline, median latency", f"{ours_us:,.0f} us", "langdetect not installed", "-"))

    cold = [run_process("from headline_tagger import tag_headline; tag_headline('Frontex boosts patrols')")[0]
            for _ in range(3)]
    sk = [run_process("import sklearn")[0] for _ in range(3)]
    rows.append(("cold start: import, load, tag one", f"{min(cold):.2f} s", f"python -c 'import sklearn': {min(sk):.2f} s",
                 f"{min(sk) / min(cold):.2f}x"))

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(t.replace("\n", " ") for t in texts))
    read = f"texts = open({fh.name!r}, encoding='utf-8').read().split('\\n')\n"
    _, rss = run_process(read + "from headline_tagger import tag_headlines\nr = tag_headlines(texts)")
    _, rss_py = run_process(read + "import numpy")
    os.unlink(fh.name)
    rows.append((f"peak memory, process tagging {n // 1000}k", f"{rss} MB",
                 f"process that only reads the headlines (+numpy): {rss_py} MB", "limit 300 MB"))
    size = sum(p.stat().st_size for p in default_model_path().iterdir())
    lang = sum(p.stat().st_size for p in (default_model_path().parents[1] / "data" / "language").iterdir())
    rows.append(("model files on disk", f"{(size + lang) / 1e6:.1f} MB", f"themes {size / 1e6:.1f} MB + language {lang / 1e6:.1f} MB",
                 "limit 20 MB"))


def files(rows: list[tuple], n_rows: int) -> None:
    import pandas as pd

    tmp = Path(tempfile.mkdtemp(prefix="ht-bench-"))
    src = tmp / "feed.csv"
    texts = headlines(50_000)
    rng = np.random.default_rng(0)
    pick = rng.integers(0, len(texts), n_rows)
    pd.DataFrame({"id": np.arange(n_rows), "date": "2026-11-28", "headline": [texts[i] for i in pick],
                  "source": "bench"}).to_csv(src, index=False)
    t0 = time.perf_counter()
    pd.read_csv(src, dtype=str, keep_default_na=False).to_csv(tmp / "pandas.csv", index=False)
    floor = time.perf_counter() - t0
    times, peaks = {}, {}
    for jobs in (1, 2):
        out = tmp / f"out{jobs}.csv"
        times[jobs], peaks[jobs] = run_process(
            f"import sys\nfrom headline_tagger.cli import main\nrc = main(['tag', {str(src)!r}, '-o', {str(out)!r}, '-q', "
            f"'--jobs', '{jobs}'])\nif rc:\n    sys.exit(rc)")
    same = (tmp / "out1.csv").read_bytes() == (tmp / "out2.csv").read_bytes()
    rss = peaks[1]
    k = f"{n_rows // 1000}k"
    rows.append((f"tag a {k}-row CSV, 1 job", f"{times[1]:.1f} s", f"pandas read+write only: {floor:.1f} s",
                 f"{times[1] / floor:.1f}x the floor"))
    rows.append((f"tag a {k}-row CSV, 2 jobs", f"{times[2]:.1f} s", f"1 job: {times[1]:.1f} s",
                 f"{times[1] / times[2]:.2f}x faster; identical output: {same}"))
    rows.append((f"peak memory, tagging the {k}-row CSV", f"{rss} MB", f"2 jobs, main process: {peaks[2]} MB",
                 "limit 500 MB"))
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated CSV")
    parser.add_argument("--quick", action="store_true", help="smaller samples (a smoke run)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    rows: list[tuple] = []
    core(rows, args.quick)
    files(rows, 100_000 if args.quick else args.rows)
    print(f"headline-tagger benchmarks on {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}")
    widths = [max(len(str(r[i])) for r in rows + [("figure", "ours", "compared with (same run)", "ratio")])
              for i in range(4)]
    for r in [("figure", "ours", "compared with (same run)", "ratio")] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
