"""Plain-text rendering of an answer for the terminal (article text is never markup)."""

from __future__ import annotations

from assistant.models import Answer, Citation


def source_line(n: int, title: str, source: str, date: str | None, index: int) -> str:
    return f"[{n}] {title} — {source}, {date or 'undated'}, paragraph {index + 1}"


def attribution_note(c: Citation) -> str:
    """ " (confirmed — Pentagon spokesperson Sabrina Singh; 2 independent sources)"."""
    parts = []
    if c.stance != "unattributed" or c.speaker:
        parts.append(f"{c.stance} — {c.speaker}" if c.speaker else c.stance)
    if c.sources_count > 1:
        parts.append(f"{c.sources_count} independent sources")
    return f" ({'; '.join(parts)})" if parts else ""


def answer_details(answer: Answer) -> str:
    """Everything shown after the answer text: sources, flagged sentences, related."""
    lines = ["", ""]
    if answer.citations:
        lines.append("Sources:")
        for c in answer.citations:
            a = c.passage.article
            index = c.passage.paragraph.index
            lines.append(source_line(c.number, a.title, a.source, a.published_at, index))
            lines.append(f"    “{c.quote}”{attribution_note(c)}")
            if a.url:
                lines.append(f"    {a.url}")
    if answer.unsupported:
        lines.append("")
        lines.append("Not supported by the cited paragraphs (left out of the answer):")
        lines.extend(f"    - {s}" for s in answer.unsupported)
    if answer.removed_markers:
        lines.append("")
        numbers = " ".join(f"[{n}]" for n in answer.removed_markers)
        lines.append(f"Markers removed (they cited no provided or supporting source): {numbers}")
    if answer.refused and answer.related:
        lines.append("")
        lines.append("Related paragraphs (not citations):")
        for r in answer.related:
            lines.append(
                f"  - {r.article.title} — {r.article.source}, "
                f"{r.article.published_at or 'undated'}, paragraph {r.paragraph.index + 1}"
            )
    return "\n".join(lines).rstrip() + "\n"


def answer_text(answer: Answer) -> str:
    return answer.text + answer_details(answer)
