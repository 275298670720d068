"""PDF export (fpdf2): each marker is an internal link to its reference.

Text is drawn with an embedded Unicode TrueType font (DejaVu Sans, Debian's
``fonts-dejavu-core``; ``make pdf-fonts`` installs it) so curly quotes, dashes and accents
come out as written and extract verbatim. Without such a font the PDF falls back to the
built-in Latin-1 Helvetica, and text is transliterated (“ → ", — → -, é stays, 한 → ?).
fpdf2 draws article text as text only (no Markdown, no HTML), so it cannot become markup.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from assistant.view import (
    APPENDIX_HEADING,
    APPENDIX_NOTE,
    SOURCES_HEADING,
    Document,
    Reference,
    Section,
    Segment,
)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/share/fonts/dejavu"),
    Path("/Library/Fonts"),
)
LINE = 5.5  # mm, body line height
LINK_RGB = (31, 95, 191)

_LATIN1 = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "″": '"',
        "—": "-",
        "–": "-",
        "‑": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "•": "*",
        "€": "EUR",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
    }
)


@dataclass(frozen=True, slots=True)
class Fonts:
    regular: Path
    bold: Path


def find_fonts() -> Fonts | None:
    """DejaVu Sans (regular and bold) from the system, or from matplotlib if installed."""
    dirs = list(FONT_DIRS)
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        dirs += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations]
    for d in dirs:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return Fonts(regular, bold)
    return None


def latin1(text: str) -> str:
    """Text the built-in PDF fonts can draw: typographic punctuation made ASCII, accented
    letters kept, everything else decomposed to its base letter or replaced by '?'."""
    out = []
    for ch in text.translate(_LATIN1):
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


class _Writer:
    def __init__(self, fonts: Fonts | None) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(18, 18, 18)
        self.pdf.set_auto_page_break(True, margin=18)
        self.text: Callable[[str], str]
        if fonts:
            self.pdf.add_font("Body", "", str(fonts.regular))
            self.pdf.add_font("Body", "B", str(fonts.bold))
            self.family, self.text = "Body", str
        else:
            self.family, self.text = "helvetica", latin1
        self.pdf.add_page()

    def font(self, size: float, bold: bool = False, rgb: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*rgb)

    def para(
        self,
        text: str,
        size: float = 10.5,
        bold: bool = False,
        gap: float = 1.5,
        rgb: tuple[int, int, int] = (0, 0, 0),
        indent: float = 0,
    ) -> None:
        self.font(size, bold, rgb)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(
            0,
            max(4.0, size * 0.52),
            self.text(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.ln(gap)

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (so a link target and its
        text land on the same page)."""
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()


def _run(
    w: _Writer, sec: Section, segs: tuple[Segment, ...], links: dict[str, int], bold: bool = False
) -> None:
    for seg in segs:
        if seg.marker is None:
            w.font(10.5, bold=bold)
            w.pdf.write(LINE, w.text(seg.text))
        else:
            w.font(10.5, bold=True, rgb=LINK_RGB)
            w.pdf.write(LINE, w.text(seg.text), link=links[sec.anchor_of(seg.marker)])
    w.pdf.ln(LINE)


def _answer(w: _Writer, sec: Section, links: dict[str, int]) -> None:
    """The one answer layout: the direct answer line bold, then the quotes as a list; an
    answer without one keeps its paragraphs."""
    pdf = w.pdf
    if sec.lead:
        _run(w, sec, sec.lead, links, bold=True)
        pdf.ln(1.5)
        for quote in sec.quotes:
            w.font(10.5)
            pdf.set_x(pdf.l_margin + 2)
            pdf.write(LINE, w.text("• "))
            # continuation lines start at the margin: fpdf's write() has no hanging indent
            _run(w, sec, quote, links)
            pdf.ln(1)
    else:
        for i, p in enumerate(sec.paragraphs):
            if i:
                pdf.ln(2)
            _run(w, sec, p, links)
    pdf.ln(2)


def _reference(w: _Writer, ref: Reference, link: int) -> None:
    w.keep(45)  # mm: a reference block (heading, quote, details) stays on one page
    w.pdf.set_link(link, y=w.pdf.get_y(), page=w.pdf.page_no())
    w.para(f"{ref.marker} {ref.place.compact}", size=10.5, bold=True, gap=0.5)
    w.para(ref.quote, size=10.5, indent=4, gap=0.5, rgb=(40, 40, 110))
    for label, value in ref.fields():
        w.para(f"{label}: {value}", size=8.5, indent=4, gap=0, rgb=(70, 70, 70))
    w.font(8.5, rgb=(70, 70, 70))
    w.pdf.set_x(w.pdf.l_margin + 4)
    if ref.link_url:
        w.pdf.write(LINE, "URL: ")
        w.font(8.5, rgb=LINK_RGB)
        w.pdf.write(LINE, w.text(ref.link_url), link=ref.link_url)
    else:
        w.pdf.write(LINE, w.text(f"URL: {ref.url} (not a web link)" if ref.url else "URL: none"))
    w.pdf.ln(LINE)
    w.pdf.ln(3)


def _section(w: _Writer, sec: Section, conversation: bool) -> None:
    links = {r.anchor: w.pdf.add_link() for r in sec.references}
    if conversation:
        w.keep(3 * LINE)
        when = f" ({sec.asked_at})" if sec.asked_at else ""
        w.para(f"{sec.number}. {sec.question}{when}", size=13, bold=True, gap=1)
    else:
        w.para(f"Question: {sec.question}", bold=True, gap=1)
    _answer(w, sec, links)
    for heading, items in sec.notes():
        w.para(f"{heading}:", size=9.5, bold=True, gap=0)
        for item in items:
            w.para(f"- {item}", size=9.5, indent=4, gap=0)
        w.pdf.ln(2)
    if sec.references:
        w.keep(5 * LINE)
        w.para(SOURCES_HEADING, size=12, bold=True, gap=1)
        for ref in sec.references:
            _reference(w, ref, links[ref.anchor])


def render(doc: Document, fonts: Fonts | None = None, *, builtin_font: bool = False) -> bytes:
    """The PDF; ``fonts`` defaults to DejaVu found on the system (``builtin_font`` forces the
    Latin-1 fallback)."""
    w = _Writer(None if builtin_font else (fonts or find_fonts()))
    w.pdf.set_title(w.text(doc.title))
    w.pdf.set_creator("Briefing assistant")
    w.para(doc.title, size=16, bold=True, gap=1)
    if doc.subtitle:
        w.para(doc.subtitle, size=9.5, rgb=(85, 85, 85), gap=2)
    if doc.provenance:
        for label, value in doc.provenance.rows():
            w.para(f"{label}: {value}", size=9, rgb=(70, 70, 70), gap=0)
        w.pdf.ln(3)
    for sec in doc.sections:
        _section(w, sec, doc.conversation)
    if hashes := doc.hash_rows():
        w.keep(5 * LINE)
        w.para(APPENDIX_HEADING, size=12, bold=True, gap=1)
        w.para(APPENDIX_NOTE, size=8.5, rgb=(70, 70, 70), gap=1)
        for label, article, content_hash in hashes:
            w.para(f"{label} {article}: {content_hash}", size=7.5, rgb=(70, 70, 70), gap=0)
    return bytes(w.pdf.output())
