"""Plain-text rendering of an answer's view for the terminal: article text is never markup,
and the view has dropped the control characters a terminal would obey."""

from __future__ import annotations

from assistant import view
from assistant.models import Answer, Stance


def attribution_note(ref: view.Reference) -> str:
    """ " (confirmed — Pentagon spokesperson Sabrina Singh; 2 independent sources)"."""
    parts: list[str] = []
    if ref.stance != Stance.UNATTRIBUTED or ref.speaker:
        parts.append(f"{ref.stance} — {ref.speaker}" if ref.speaker else ref.stance.value)
    if ref.sources_count > 1:
        parts.append(f"{ref.sources_count} independent sources")
    return f" ({'; '.join(parts)})" if parts else ""


def answer_details(answer: Answer) -> str:
    """Everything shown after the answer text: sources, flagged sentences, related."""
    sec = view.section(answer)
    lines = ["", ""]
    if sec.references:
        lines.append(f"{view.SOURCES_HEADING}:")
        for ref in sec.references:
            lines.append(f"{ref.marker} {ref.place.heading}")
            lines.append(f"    “{ref.quote}”{attribution_note(ref)}")
            if ref.url:
                lines.append(f"    {ref.url}")
    if sec.unsupported:
        lines += ["", f"{sec.unsupported_heading(view.TEXT_UNSUPPORTED_HEADING)}:"]
        lines.extend(f"    - {s}" for s in sec.unsupported)
    if sec.removed:
        lines += ["", f"{view.TEXT_REMOVED_HEADING}: {' '.join(sec.removed)}"]
    if sec.refused and sec.related:
        lines += ["", f"{view.RELATED_HEADING}:"]
        lines.extend(f"  - {r.place.heading}" for r in sec.related)
    return "\n".join(lines).rstrip() + "\n"
