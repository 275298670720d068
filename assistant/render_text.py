"""Plain-text rendering of an answer for the terminal (article text is never markup)."""

from __future__ import annotations

from assistant.models import Answer


def source_line(n: int, title: str, source: str, date: str | None, index: int) -> str:
    return f"[{n}] {title} — {source}, {date or 'undated'}, paragraph {index + 1}"


def answer_text(answer: Answer) -> str:
    lines = [answer.text, ""]
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            p = c.paragraph
            lines.append(source_line(c.number, p.title, p.source, p.published_at, p.index))
            label = f" ({c.stance}{', ' + c.speaker if c.speaker else ''})" if c.speaker else ""
            lines.append(f"    “{c.quote}”{label}")
            if p.url:
                lines.append(f"    {p.url}")
    if answer.unsupported:
        lines.append("")
        lines.append("Not supported by the cited paragraphs (removed):")
        lines.extend(f"    - {s}" for s in answer.unsupported)
    if answer.refused and answer.related:
        lines.append("Related paragraphs (not citations):")
        for h in answer.related:
            lines.append(f"  - {h.title} — {h.source}, {h.published_at or 'undated'}, "
                         f"paragraph {h.index + 1}")
    return "\n".join(lines).rstrip() + "\n"
