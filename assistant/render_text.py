"""Plain-text rendering of an answer's view for the terminal: article text is never markup,
and the view has dropped the control characters a terminal would obey."""

from __future__ import annotations

import re

from assistant import view
from assistant.citations import unescape
from assistant.models import Answer, Stance

# What a terminal obeys rather than shows: C0 controls but newline and tab (ESC starts ANSI
# colours, OSC 52 clipboard writes and OSC 8 links; CR and BS overwrite what was printed),
# DEL, the C1 controls (U+009B is a one-character CSI), and the bidi controls (U+202E shows
# what follows it backwards).
_TERMINAL_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{view.BIDI_CONTROLS}]")


def terminal_safe(text: str) -> str:
    """``text`` without the characters a terminal would act on: untrusted text (article
    text, titles, file names, questions) printed by the CLI goes through here."""
    return _TERMINAL_CONTROL.sub("", text)


def answer_text(text: str) -> str:
    r"""Answer text (or a streamed piece of it) for the terminal: numbers quoted from an
    article, escaped in the answer as ``\[1\]`` so that no reader takes them for markers,
    are shown as the article wrote them."""
    return terminal_safe(unescape(text))


def one_line(text: str) -> str:
    r"""``text`` on one line with every character that is not plainly shown written as its
    escape: a newline as ``\n``, ESC as ``\x1b``, U+202E as ``\u202e``, a backslash as
    ``\\``. For names from the outside (file names) in lines a reader or a script splits:
    one name can neither forge a second line nor hide what it is."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ("\\\\" if ch == "\\" else repr(ch)[1:-1])
        for ch in text
    )


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
    if sec.scope:
        lines += [sec.scope, ""]
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
    return terminal_safe("\n".join(lines).rstrip()) + "\n"
