"""Plain-text rendering of an answer's view for the terminal: article text is never markup,
and the view has dropped the control characters a terminal would obey."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant import view
from assistant.citations import unescape
from assistant.models import Answer

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


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the terminal layout: its text, the columns before it, the further columns
    its continuation lines take when it is wrapped (a list item's text under its text, not
    under its dash) and a rich style for a terminal ("bold" for the direct answer line)."""

    text: str = ""
    indent: int = 0
    hang: int = 0
    style: str | None = None
    whole: bool = False  # one word never broken (a URL): moved left to fit rather than cut


ITEM = "- "  # a list item (ASCII: the piped text stays plain)
BLANK = Line()


def _text(segs: Sequence[view.Segment]) -> str:
    return "".join(s.text for s in segs)


def source_note(ref: view.Reference) -> str:
    """``paragraph 4 · claimed by Zelensky · 2 independent sources``: under a source."""
    parts = [f"paragraph {ref.place.paragraph}"]
    if ref.stance_phrase:
        parts.append(ref.stance_phrase)
    if ref.sources_count > 1:
        parts.append(f"{ref.sources_count} independent sources")
    return " · ".join(parts)


def attribution_note(ref: view.Reference) -> str:
    """ " (confirmed by Pentagon spokesperson Sabrina Singh; 2 independent sources)"."""
    parts = [ref.stance_phrase] if ref.stance_phrase else []
    if ref.sources_count > 1:
        parts.append(f"{ref.sources_count} independent sources")
    return f" ({'; '.join(parts)})" if parts else ""


def body_lines(sec: view.Section) -> list[Line]:
    """The answer as the one layout has it: the direct answer line (bold), then the quotes
    that support it as a list, each with its markers; an answer without a direct answer
    line (a refusal, an LLM's prose) as its paragraphs."""
    if not sec.lead:
        lines: list[Line] = []
        for p in sec.paragraphs:
            lines += [Line(_text(p)), BLANK]
        return lines[:-1]
    lines = [Line(_text(sec.lead), style="bold")]
    if sec.quotes:
        lines.append(BLANK)
        lines += [Line(ITEM + _text(q), indent=2, hang=len(ITEM)) for q in sec.quotes]
    return lines


def details_lines(sec: view.Section) -> list[Line]:
    """Everything under the answer: the filters the question set, one source list (outlet ·
    date · title, then paragraph, stance and URL), flagged sentences, related paragraphs."""
    lines: list[Line] = []
    if sec.scope:
        lines += [BLANK, Line(sec.scope)]
    if sec.references:
        lines += [BLANK, Line(f"{view.SOURCES_HEADING}:", style="bold")]
        for ref in sec.references:
            lines.append(Line(f"{ref.marker} {ref.place.compact}", indent=2, hang=4))
            under = 2 + len(ref.marker) + 1
            if not sec.lead:  # prose: the quote is not in the answer's list, so it is here
                lines.append(Line(f"“{ref.quote}”", indent=under))
            lines.append(Line(source_note(ref), indent=under))
            if ref.url:
                lines.append(Line(ref.url, indent=under, whole=True))
    if sec.unsupported:
        heading = sec.unsupported_heading(view.TEXT_UNSUPPORTED_HEADING)
        lines += [BLANK, Line(f"{heading}:")]
        lines += [Line(ITEM + s, indent=2, hang=len(ITEM)) for s in sec.unsupported]
    if sec.removed:
        lines += [BLANK, Line(f"{view.TEXT_REMOVED_HEADING}: {' '.join(sec.removed)}")]
    if sec.refused and sec.related:
        lines += [BLANK, Line(f"{view.RELATED_HEADING}:")]
        lines += [
            Line(f"{ITEM}{r.place.compact}, paragraph {r.place.paragraph}", 2, len(ITEM))
            for r in sec.related
        ]
    return lines


def answer_lines(answer: Answer) -> list[Line]:
    """What `briefing ask` shows of an answer, line by line (terminal-safe text)."""
    sec = view.section(answer)
    return [replace(ln, text=terminal_safe(ln.text)) for ln in body_lines(sec) + details_lines(sec)]


def wrapped(line: Line, width: int | None) -> list[str]:
    """``line`` as printed: wrapped at ``width`` columns (words kept whole unless one alone
    is wider than the line), its continuation lines indented by ``hang``; one line when
    ``width`` is None (piped: the full text, for tools that read it)."""
    first = " " * line.indent
    if not line.text:
        return [""]
    if width is None:
        return [first + line.text]
    if line.whole and line.indent + len(line.text) > width >= len(line.text):
        return [" " * (width - len(line.text)) + line.text]
    return textwrap.wrap(
        line.text,
        width=max(width, line.indent + line.hang + 20),
        initial_indent=first,
        subsequent_indent=" " * (line.indent + line.hang),
        break_on_hyphens=False,
    ) or [first]


def render(lines: Sequence[Line], width: int | None = None) -> str:
    """Lines as plain text, wrapped at ``width`` (None: not wrapped), ending in a newline."""
    return "".join(row + "\n" for line in lines for row in wrapped(line, width))


def answer_block(answer: Answer, width: int | None = None) -> str:
    """The answer and its sources as plain text: what the screen shows (``-o FILE``)."""
    return render(answer_lines(answer), width)


def answer_details(answer: Answer) -> str:
    """Everything shown after the answer text: sources, flagged sentences, related."""
    sec = view.section(answer)
    return terminal_safe(render(details_lines(sec)))


_LIST_START = re.compile(r"^(\s*)((?:\[\d+\])+ |[-*•] |\d+[.)] )?")


def text_lines(text: str) -> list[Line]:
    """Any text the CLI prints (a briefing) as lines to wrap: each keeps its indent, and a
    line that opens with a marker or a list dash wraps under its own text."""
    out = []
    for raw in text.rstrip("\n").split("\n"):
        m = _LIST_START.match(raw)
        assert m is not None  # the pattern matches the empty string
        indent, item = len(m.group(1)), m.group(2) or ""
        out.append(Line(raw[len(m.group(1)) :], indent, len(item)))
    return out


def time_left(done: int, total: int, elapsed: float) -> str | None:
    """'about 40 s left' / 'about 3 min left' from the rate so far; None before any is done
    (the CLI's progress lines and the chat's upload bar)."""
    if done <= 0 or total <= done or elapsed <= 0:
        return None
    seconds = (total - done) * elapsed / done
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"
