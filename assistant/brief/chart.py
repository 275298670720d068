"""The small chart of a measure over time: each figure a dot at its date and value (a range a
bar), each source's figures joined by a line, the scale from zero. Drawn the same way as
SVG (the chat, HTML), as a PNG (DOCX) and with fpdf2's lines (PDF), from ``plot``'s marks;
``sparkline`` is the terminal's and Markdown's one-line version."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from assistant.brief.document import Point, Table

WIDTH, HEIGHT = 220, 64  # the chart's box, in pixels (SVG, PNG) or tenths of mm (PDF)
PAD = 6
COLOURS = ("#2060c0", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#566573")
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Marks:
    """Where to draw: dots (x, y, colour, label), bars (x, y_low, y_high, colour), lines
    (x1, y1, x2, y2, colour), in a WIDTH × HEIGHT box with y down; the axis labels."""

    dots: tuple[tuple[float, float, str, str], ...]
    bars: tuple[tuple[float, float, float, str], ...]
    lines: tuple[tuple[float, float, float, float, str], ...]
    first: str  # the first date
    last: str  # the last date
    top: str  # the largest value, as shown


def _day(text: str) -> int:
    try:
        return dt.date.fromisoformat(text[:10]).toordinal()
    except ValueError:
        return 0


def plot(points: Sequence[Point]) -> Marks | None:
    """The marks of ``points`` (None when there is nothing to chart: no dated figure)."""
    dated = [p for p in points if _day(p.date)]
    if not dated:
        return None
    days = [_day(p.date) for p in dated]
    d0, d1 = min(days), max(days)
    top = max(p.high for p in dated)
    bottom = min(0.0, min(p.low for p in dated))
    span_x = max(1, d1 - d0)
    span_y = (top - bottom) or 1.0

    def x(day: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * ((day - d0) / span_x if d1 > d0 else 0.5)

    def y(value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - bottom) / span_y

    colour = {
        s: COLOURS[i % len(COLOURS)] for i, s in enumerate(dict.fromkeys(p.series for p in dated))
    }
    dots, bars, lines = [], [], []
    last: dict[str, tuple[float, float]] = {}
    for p in sorted(dated, key=lambda p: (_day(p.date), p.low)):
        px, mid = x(_day(p.date)), y((p.low + p.high) / 2)
        c = colour[p.series]
        if p.high > p.low:
            bars.append((px, y(p.low), y(p.high), c))
        dots.append((px, mid, c, f"{p.series}: {_value(p)} ({p.date})"))
        if p.series in last:
            lines.append((*last[p.series], px, mid, c))
        last[p.series] = (px, mid)
    first = dt.date.fromordinal(d0).isoformat()
    end = dt.date.fromordinal(d1).isoformat()
    return Marks(tuple(dots), tuple(bars), tuple(lines), first, end, _number(top))


def _number(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"


def _value(p: Point) -> str:
    return _number(p.low) if p.low == p.high else f"{_number(p.low)}–{_number(p.high)}"


def svg(table: Table) -> str:
    """The chart as an inline SVG (every label escaped), "" when there is nothing to chart."""
    marks = plot(table.points)
    if marks is None:
        return ""
    out = [
        f'<svg class="briefing-chart" role="img" width="{WIDTH}" height="{HEIGHT + 14}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + 14}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(table.heading)} over time</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#bbb" stroke-width="1"/>',
    ]
    for x1, y1, x2, y2, c in marks.lines:
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{c}" '
            'stroke-width="1.5" stroke-opacity="0.6"/>'
        )
    for bx, lo, hi, c in marks.bars:
        out.append(
            f'<line x1="{bx:.1f}" y1="{lo:.1f}" x2="{bx:.1f}" y2="{hi:.1f}" stroke="{c}" '
            'stroke-width="3"/>'
        )
    for dx, dy, c, label in marks.dots:
        out.append(
            f'<circle cx="{dx:.1f}" cy="{dy:.1f}" r="3.5" fill="{c}"><title>{escape(label)}'
            "</title></circle>"
        )
    # the labels last, with a white halo: a dot under the top value's label leaves it legible
    text = 'font-size="9" font-family="sans-serif" fill="#555" stroke="#fff" stroke-width="2.5" '
    text += 'paint-order="stroke"'
    out.append(f'<text x="{PAD}" y="{HEIGHT + 10}" {text}>{escape(marks.first)}</text>')
    if marks.last != marks.first:
        out.append(
            f'<text x="{WIDTH - PAD}" y="{HEIGHT + 10}" {text} '
            f'text-anchor="end">{escape(marks.last)}</text>'
        )
    out.append(f'<text x="{PAD + 6}" y="{PAD + 3}" {text}>{escape(marks.top)}</text>')
    out.append("</svg>")
    return "".join(out)


def img(table: Table) -> str:
    """The chart as an ``<img>`` whose source is the SVG as a data: URI, "" when there is
    nothing to chart: for ``st.html``, whose sanitiser (DOMPurify's HTML profile) drops
    inline ``<svg>`` but keeps a data: image. The dots' values go in the image's title."""
    drawn = svg(table)
    if not drawn:
        return ""
    marks = plot(table.points)
    values = "; ".join(label for *_, label in marks.dots) if marks else ""
    data = base64.b64encode(drawn.encode("utf-8")).decode("ascii")
    return (
        f'<img class="briefing-chart" width="{WIDTH}" height="{HEIGHT + 14}" '
        f'alt="{escape(table.heading)} over time" title="{escape(values)}" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


def png(table: Table, scale: int = 3) -> bytes | None:
    """The chart as a PNG (Pillow, which Streamlit already needs), None when there is
    nothing to chart."""
    marks = plot(table.points)
    if marks is None:
        return None
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH * scale, (HEIGHT + 14) * scale), "white")
    draw = ImageDraw.Draw(image)

    def s(v: float) -> float:
        return v * scale

    draw.line(
        [s(PAD), s(HEIGHT - PAD), s(WIDTH - PAD), s(HEIGHT - PAD)], fill="#bbbbbb", width=scale
    )
    for x1, y1, x2, y2, c in marks.lines:
        draw.line([s(x1), s(y1), s(x2), s(y2)], fill=c, width=scale)
    for bx, lo, hi, c in marks.bars:
        draw.line([s(bx), s(lo), s(bx), s(hi)], fill=c, width=3 * scale)
    for dx, dy, c, _label in marks.dots:
        r = 3.5 * scale
        draw.ellipse([s(dx) - r, s(dy) - r, s(dx) + r, s(dy) + r], fill=c)
    draw.text((s(PAD), s(HEIGHT + 2)), marks.first, fill="#666666")
    if marks.last != marks.first:
        width = draw.textlength(marks.last)
        draw.text((s(WIDTH - PAD) - width, s(HEIGHT + 2)), marks.last, fill="#666666")
    draw.text((s(PAD), 0), marks.top, fill="#666666")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sparkline(table: Table) -> str:
    """ "▂▅▇▆ 12,000 → 11,000 (2024-10-18 to 2024-11-20)": the figures by date as bars."""
    dated = sorted((p for p in table.points if _day(p.date)), key=lambda p: (_day(p.date), p.low))
    if len(dated) < 2:
        return ""
    top = max(p.high for p in dated) or 1.0
    bars = "".join(_BARS[min(7, max(0, round(7 * p.high / top)))] for p in dated)
    return f"{bars} {_value(dated[0])} → {_value(dated[-1])} ({dated[0].date} to {dated[-1].date})"
