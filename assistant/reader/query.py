"""The question, read once: what was asked, what is read and retrieved (a follow-up carries
its subject), its kind, and the dates or outlet it names ("since 2 November", "according to
Reuters"), which become filters that the answer says it applied."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.backends.base import Turn
from assistant.followup import rewrite
from assistant.question import Question, analyse
from assistant.reader import lexicon
from vectorstore.filters import Filters

_MONTH = r"(?:" + "|".join(sorted(lexicon.months(), key=len, reverse=True)) + r")\b\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE = (
    rf"(?:{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_YEAR}|{_YEAR}-\d\d-\d\d|{_MONTH}(?!\s+\d))"
)
# Only words that bound a range of time: "on 2 November" or "in November" name when a thing
# happened, which articles report the days after, so they are no filter on publication dates.
_SCOPED = re.compile(rf"\b(since|after|from|before|until|till|by)\s+(?:the\s+)?({_DATE})\b", re.I)


@dataclass(frozen=True, slots=True)
class Scope:
    """Dates and outlets the question itself names, as filters, and how to say so."""

    filters: Filters
    said: str  # "articles since 2 November 2024, as the question asks"


@dataclass(frozen=True, slots=True)
class Query:
    asked: str  # as the analyst typed it
    text: str  # what is read and retrieved (a follow-up with its subject)
    question: Question = field(compare=False)
    said: str = ""  # the last answer, which a follow-up asks beyond
    scope: Scope | None = None

    @property
    def is_followup(self) -> bool:
        return self.text != self.asked


def read(
    question: str,
    history: Sequence[Turn] = (),
    outlets: Iterable[str] = (),
    latest: dt.date | None = None,
) -> Query:
    """The question analysed once. ``outlets`` are the indexed articles' publishers and
    ``latest`` the newest article's date (a date without a year is read in its year)."""
    asked = " ".join(question.split())
    text = rewrite(asked, history)
    said = history[-1].answer if history and text != asked else ""
    return Query(asked, text, analyse(text), said, scope_of(asked, outlets, latest))


def scope_of(
    question: str, outlets: Iterable[str] = (), latest: dt.date | None = None
) -> Scope | None:
    """The filters a question names: "since/after/from DATE", "before/until/by DATE" (only
    over a dated corpus: ``latest`` is None when no article has a date), and an indexed
    outlet named in it."""
    since = until = None
    said: list[str] = []
    for m in _SCOPED.finditer(question) if latest is not None else ():
        word, text = m.group(1).lower(), m.group(2)
        span = _dates(text, latest)
        if span is None:
            continue
        first, last = span
        if word in ("since", "after", "from"):
            since = first if word != "after" else last + dt.timedelta(days=1)
        else:
            until = last if word != "before" else first - dt.timedelta(days=1)
        said.append(f"{word} {text}")
    low = f" {question.lower()} "
    sources = tuple(
        o for o in outlets if len(o) >= 3 and re.search(rf"\W{re.escape(o.lower())}\W", low)
    )
    if sources:
        said.append("from " + " and ".join(sources))
    if since is None and until is None and not sources:
        return None
    return Scope(
        Filters(sources=sources, since=since, until=until),
        "Only articles " + ", ".join(said) + " were read, as the question asks.",
    )


def _dates(text: str, latest: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day ``text`` names ("2 November" is one day, "November 2024" a
    month); without a year, the year of ``latest`` (the year before, for a later month)."""
    low = text.lower().replace(",", " ").replace(".", " ")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", low.strip()):
        try:
            day = dt.date.fromisoformat(low.strip())
        except ValueError:
            return None
        return day, day
    month = next((lexicon.months()[w] for w in low.split() if w in lexicon.months()), None)
    if month is None:
        return None
    year_m = re.search(_YEAR, low)
    day_m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", re.sub(_YEAR, " ", low))
    ref = latest or dt.date.today()
    year = int(year_m.group()) if year_m else (ref.year if month <= ref.month else ref.year - 1)
    if day_m:
        try:
            day = dt.date(year, month, int(day_m.group(1)))
        except ValueError:
            return None
        return day, day
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def merged(asked: Filters | None, scope: Scope | None) -> Filters | None:
    """The analyst's filters with the question's: each field the analyst left open takes
    the question's value."""
    if scope is None:
        return asked
    base = asked or Filters()
    q = scope.filters
    return Filters(
        sources=base.sources or q.sources,
        since=base.since or q.since,
        until=base.until or q.until,
        article_ids=base.article_ids,
    )
