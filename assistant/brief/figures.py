"""Figures of a sentence normalised for comparison, the quote kept verbatim.

"10,000", "ten thousand", "10k", "about 8,000", "11,000 to 12,000", "between 11,000 and
12,000", "1e9", "-5,000", "1.2 million": each, read whole, becomes a range ``low..high`` with
a flag for hedged figures and the noun it counts, so "about 10,000 troops" and "ten thousand
soldiers" compare equal while the text of the claim is never rewritten. Words are read with
text2num; dates, years and times (spaCy's entities) are not figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from text_to_num import text2num

from assistant.reader import lexicon

if TYPE_CHECKING:
    from collections.abc import Sequence

    from spacy.tokens import Doc, Span

# cardinal words text2num reads (lexicon/number_words.txt; not "dozens" or "half")
_NUMBER_WORDS = [w for w, v in lexicon.number_words().items() if v is not None]
_WORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")"
# one figure, read whole: a sign ("-5,000"), digits with separators, a decimal exponent
# ("1e9") and a scale ("1.2 million"), or a run of number words
_ONE = (
    r"(?:[-\u2212](?=\d))?"
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[-+]?\d+\b)?)"
    r"(?:\s*(?:k|K)\b|\s+(?:thousand|million|billion)\b)?"
    r"|" + _WORD + r"(?:[\s-]+(?:and\s+)?" + _WORD + r")*\b"
)
_HEDGES = (
    r"about|some|roughly|around|nearly|almost|approximately|an estimated|estimated|up to"
    r"|as many as|more than|over|at least|fewer than|less than|close to|perhaps|possibly"
)
_FIGURE = re.compile(
    r"(?i)(?<![\w.,\-\u2212])(?P<hedge>(?:" + _HEDGES + r")\s+)?"
    r"(?:between\s+(?P<low2>" + _ONE + r")\s+and\s+(?P<high2>" + _ONE + r")"
    r"|(?P<low>" + _ONE + r")(?:\s*(?:to|-|–|—)\s*(?P<high>" + _ONE + r"))?)"
)
_SCALED = re.compile(r"\d,\d{3}|\dk\b|thousand|million|billion", re.I)
_SCALES = {"k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}
# What a figure counts, read as one quantity: "troops", "soldiers" and "personnel" are one
# count in a story about a deployment; "people" and "residents" one in a story about a flood.
QUANTITIES: dict[str, str] = {
    **dict.fromkeys(
        ["troop", "soldier", "personnel", "serviceman", "servicemen", "fighter", "force"],
        "troops",
    ),
    **dict.fromkeys(["people", "person", "resident", "evacuee", "inhabitant"], "people"),
}
_SKIP_ENTS = frozenset({"DATE", "TIME", "ORDINAL", "MONEY", "PERCENT"})
# Nouns that say which group, not what is counted ("of them", "of the residents").
_OF_WORDS = frozenset({"of"})
TOLERANCE = 0.02  # hedged figures within 2 % read as the same figure


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as written (``text``) and as a comparable range."""

    text: str
    low: float
    high: float
    approximate: bool
    counted: str  # the quantity it counts ("troops", "people", or the noun's lemma; "" unknown)

    def same_value(self, other: Figure) -> bool:
        """The two figures state the same number (hedged ones within ``TOLERANCE``)."""
        slack = (
            TOLERANCE * max(self.high, other.high) if self.approximate or other.approximate else 0
        )
        return self.low <= other.high + slack and other.low <= self.high + slack

    def comparable(self, other: Figure) -> bool:
        """Both count the same quantity (an unknown one is compared with any)."""
        return not self.counted or not other.counted or self.counted == other.counted

    @property
    def value(self) -> str:
        """The normalised number: "10,000", "11,000–12,000"."""
        low, high = _show(self.low), _show(self.high)
        return low if low == high else f"{low}–{high}"


def _show(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"


def number(text: str) -> float | None:
    """One figure as a number: "10,000" 10000, "10k" 10000, "2.5 million", "ten thousand"."""
    t = text.strip().lower().replace("\u2212", "-")
    m = re.fullmatch(r"(-?)([\d,]*\d(?:\.\d+)?(?:e[-+]?\d+)?)\s*(k|thousand|million|billion)?", t)
    if m:
        value = float(m.group(2).replace(",", "")) * _SCALES.get(m.group(3) or "", 1.0)
        value = -value if m.group(1) else value
        return value if math.isfinite(value) else None  # "1e999" is no figure
    try:
        return float(text2num(re.sub(r"\s+", " ", t.replace("-", " ")), "en"))
    except ValueError:
        return None


def parse(text: str) -> Figure | None:
    """The first figure of ``text`` ("about 8,000" → 8,000, approximate), counting nothing."""
    m = _FIGURE.search(text)
    return _figure(m, "") if m else None


def _figure(m: re.Match[str], counted: str) -> Figure | None:
    low_text = m.group("low") or m.group("low2")
    high_text = m.group("high") or m.group("high2")
    low = number(low_text)
    high = number(high_text) if high_text else low
    if low is None or high is None:
        return None
    # "11 to 12 thousand": the scale of the second figure applies to the first
    if high_text and 0 < low < high / 100 and high >= 1000:
        scale = 10 ** (len(str(int(high))) - len(str(int(low))))
        low *= scale if low * scale <= high else 1
    low, high = min(low, high), max(low, high)
    return Figure(m.group(0).strip(), low, high, bool(m.group("hedge")), counted)


def figures(
    doc: Doc, start: int, end: int, ents: Sequence[Span] | None = None
) -> tuple[Figure, ...]:
    """The figures of the sentence ``doc.text[start:end]`` with what each counts; dates,
    years, times, ordinals, money and percentages left out, and lone one-word numbers below
    ten ("two officials") too, which are not the figures a briefing compares, and figures the
    sentence calls untrue ("It is false that 20,000 fled"). A figure is read whole: "1e9",
    "-5,000", "1.2 million", "11,000 to 12,000". ``ents``: ``doc.ents`` when the caller reads
    several sentences of one doc (spaCy builds them anew on each access)."""
    text = doc.text
    skip = [
        (e.start_char, e.end_char)
        for e in (doc.ents if ents is None else ents)
        if e.label_ in _SKIP_ENTS and e.start_char < end and e.end_char > start
    ]
    out: list[Figure] = []
    for m in _FIGURE.finditer(text, start, end):
        scaled = bool(_SCALED.search(m.group(0)))  # "10k" is no date, whatever spaCy says
        if not scaled and any(s <= m.start() < e for s, e in skip):
            continue
        figure = _figure(m, _counted(doc, m.end()))
        if figure is None or _said_untrue(doc, m.start(), m.end()):
            continue
        if figure.high < 10 and not any(c.isdigit() for c in m.group(0)):
            continue
        if 1900 <= figure.low <= 2100 and figure.low == figure.high and "," not in m.group(0):
            continue  # a year the entity recogniser missed
        out.append(figure)
    return tuple(out)


def _said_untrue(doc: Doc, start: int, end: int) -> bool:
    """ "It is false that 20,000 residents fled": a figure the sentence calls untrue is no
    figure it states (``attribution.said_untrue``)."""
    from assistant import attribution

    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and len(span) > 0 and attribution.said_untrue(span.root)


def _counted(doc: Doc, after: int) -> str:
    """The noun a figure ending at character ``after`` counts: the head it modifies, else the
    first noun within four words ("10k evacuated residents"); "of them" counts nothing known."""
    span = doc.char_span(max(0, after - 1), after, alignment_mode="expand")
    if span is None:
        return ""
    token = span[-1]
    head = token.head if token.dep_ in ("nummod", "quantmod", "compound") else None
    if head is None or head.pos_ not in ("NOUN", "PROPN"):
        head = None
        for t in doc[token.i + 1 : token.i + 5]:
            if t.lower_ in _OF_WORDS or t.is_punct:
                break
            if t.pos_ in ("NOUN", "PROPN"):
                head = t
                break
    if head is None:
        return ""
    lemma = head.lemma_.lower()
    return QUANTITIES.get(lemma, lemma)
