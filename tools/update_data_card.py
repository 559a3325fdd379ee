"""Rewrite the counts section of the corpus's DATA.md from the corpus itself.

Run after any corpus change: ``python tools/update_data_card.py`` (a test fails when DATA.md is stale).
"""

from __future__ import annotations

import sys

from headline_tagger.corpus import COUNTS_BEGIN, COUNTS_END, corpus_dir, counts_markdown, load_corpus


def main() -> int:
    path = corpus_dir() / "DATA.md"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(COUNTS_BEGIN)
    _, _, tail = rest.partition(COUNTS_END)
    path.write_text(f"{head}{COUNTS_BEGIN}\n{counts_markdown(load_corpus())}\n{COUNTS_END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
