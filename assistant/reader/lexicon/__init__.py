"""The vocabularies the reader, attribution, citation checks and briefings share, each
defined once as a text file beside this module (a line per entry, ``#`` for comments)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The entries of ``name``.txt, each split at spaces."""
    out = []
    for line in (_HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(tuple(line.split()))
    return tuple(out)


@cache
def number_words() -> dict[str, int | None]:
    """Figures in words and their values (None: a figure with no one value, "dozens")."""
    return {w: None if v == "-" else int(v) for w, v in rows("number_words")}


@cache
def months() -> dict[str, int]:
    """Month names and abbreviations → the month's number."""
    return {w: i for i, row in enumerate(rows("months"), start=1) for w in row}


@cache
def weekdays() -> frozenset[str]:
    return frozenset(w for (w,) in rows("weekdays"))


@cache
def pronouns() -> frozenset[str]:
    return frozenset(w for (w,) in rows("pronouns"))


@cache
def stance_verbs() -> dict[str, str]:
    """Reporting verb lemmas → the stance word they carry."""
    return {verb: stance for verb, stance in rows("stance_verbs")}


@cache
def nations() -> tuple[dict[str, int], frozenset[str]]:
    """Words naming a nation → the nation's number; and the seats of power among them."""
    words = {w.lstrip("*"): n for n, row in enumerate(rows("nations")) for w in row}
    seats = frozenset(w.lstrip("*") for row in rows("nations") for w in row if w[0] == "*")
    return words, seats
