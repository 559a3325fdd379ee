"""The default theme taxonomy (v1): its ids are the library's public label names."""

from __future__ import annotations

#: The 11 theme ids of the default taxonomy, in the taxonomy's order.
THEMES: tuple[str, ...] = (
    "migrant_smuggling",
    "human_trafficking",
    "child_labour",
    "forced_labour",
    "border_security",
    "document_fraud",
    "illicit_goods",
    "organized_crime",
    "terrorism",
    "cybercrime",
    "migration",
)

#: Separator between theme ids in files (CSV cells, corpus rows).
THEME_SEPARATOR = ";"


def parse_themes(cell: str, known: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Split a ';'-joined theme cell into ids, checking them against ``known`` when given."""
    ids = tuple(dict.fromkeys(t.strip() for t in cell.split(THEME_SEPARATOR) if t.strip()))
    if known is not None:
        unknown = [t for t in ids if t not in known]
        if unknown:
            raise ValueError(f"unknown theme id(s) {unknown}; known ids: {list(known)}")
    return ids


def join_themes(themes: tuple[str, ...] | list[str]) -> str:
    """Join theme ids into one ';'-separated cell ('' when there are none)."""
    return THEME_SEPARATOR.join(themes)
