"""Citation markers: find them, check them, and drop the ones that point at nothing."""

from __future__ import annotations

import re

from assistant.models import Answer

MARKER = re.compile(r"\[(\d+)\]")


def markers(text: str) -> list[int]:
    """The marker numbers in ``text``, in order of appearance."""
    return [int(m.group(1)) for m in MARKER.finditer(text)]


def strip_invalid(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """``text`` without markers outside ``valid``, and the numbers that were removed."""
    removed: list[int] = []

    def keep(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n in valid:
            return match.group(0)
        removed.append(n)
        return ""

    cleaned = MARKER.sub(keep, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), removed


def problems(answer: Answer) -> list[str]:
    """What is wrong with an answer's citations (empty when every marker resolves and
    every quote is verbatim in its paragraph at its offsets)."""
    found: list[str] = []
    numbers = {c.number for c in answer.citations}
    for n in markers(answer.text):
        if n not in numbers:
            found.append(f"marker [{n}] has no citation")
    for c in answer.citations:
        if c.paragraph.text[c.quote_start : c.quote_end] != c.quote:
            found.append(f"citation [{c.number}] quote is not at its offsets in the paragraph")
        if f"[{c.number}]" not in answer.text:
            found.append(f"citation [{c.number}] is not referenced in the answer")
    return found
