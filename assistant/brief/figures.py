"""Figures of a sentence normalised for comparison, the quote kept verbatim.

"10,000", "ten thousand", "10k", "about 8,000", "11,000 to 12,000", "between 11,000 and
12,000", "1e9", "-5,000", "1.2 million", "$3.5 million", "30%": each, read whole, becomes a
range ``low..high`` with a flag for hedged figures, and knows what it counts:

- its **measure**: troops, deserters, deaths, cases, dollars, percent, bags ... from the noun
  it counts, what happened to them ("18 soldiers deserted" counts deserters), a kind named
  before the noun ("special forces"), its currency or unit, and for money, percentages and
  units what they are of ("an emergency budget of $3.5 million", "30% of the crop", "exports
  would fall to 2.1 million bags");
- its **scope**: whose ("Marvian troops", "Pyongyang could send 12,000 troops") and where
  ("in Ostmark province", "nationwide", "worldwide");
- its **time**: the date the sentence gives it ("on Tuesday", "last season"), else the
  article's.

The text of the claim is never rewritten. Words are read with text2num; dates, years and
times (spaCy's entities) are not figures. The vocabularies are data
(assistant/reader/lexicon/: measures, measure_events, measure_kinds, measure_units,
currencies, scopes, time_words, whose_verbs; ``assistant.brief.vocab`` reads them).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from text_to_num import text2num

from assistant.brief import vocab
from assistant.reader import lexicon

if TYPE_CHECKING:
    from collections.abc import Sequence

    from spacy.tokens import Doc, Span, Token

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
_SKIP_ENTS = frozenset({"DATE", "TIME", "ORDINAL"})
# Nouns that say which group, not what is counted ("of them", "of the residents").
_OF_WORDS = frozenset({"of"})
_PARTITIVE = re.compile(r"\s+of\s+(?:them|those|these|whom|which)\b", re.I)
_PERCENT = re.compile(r"\s*(?:%|percent\b|per\s+cent\b)", re.I)
_MONEY_BEFORE = re.compile(r"(US\$|\$|€|£|¥)\s*$", re.I)
_MONEY_AFTER = re.compile(r"\s+(dollars?|euros?|usd|eur|gbp|sterling|yen)\b", re.I)
_NOT_PLACES = frozenset({"the", "a", "an", "'s", "’s"})
_PLACE_PREPS = frozenset({"in", "across", "inside", "within", "throughout", "into", "at"})
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC", "NORP"})
_WHOSE_ENTS = frozenset({"GPE", "NORP"})
_SIDES = frozenset({"north", "south", "east", "west"})
_SINCE = frozenset({"since", "from", "until", "till", "after", "before", "between"})
REGION = "~"  # "in the province": a region the sentence does not name ("~province")
TOLERANCE = 0.02  # hedged figures within 2 % read as the same figure


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as written (``text``), as a comparable range, and what it counts."""

    text: str
    low: float
    high: float
    approximate: bool
    counted: str  # the noun's quantity ("troops", "people", or the noun's lemma; "" unknown)
    measure: str = ""  # what it counts ("troops", "deserters", "dollars", "bags"; "" unknown)
    of: str = ""  # what money, a percentage or a unit is of ("budget", "crop", "exports")
    whose: str = ""  # whose they are, as written ("marvian", "north korean")
    where: str = ""  # where they are counted ("ostmark", "world", "national"; "" unsaid)
    when: str = ""  # the ISO date the sentence gives the figure ("" the article's)
    said_by: str = ""  # who the sentence says gave it, as written ("" its claim's speaker)

    def same_value(self, other: Figure) -> bool:
        """The two figures state the same number (hedged ones within ``TOLERANCE``)."""
        slack = (
            TOLERANCE * max(self.high, other.high) if self.approximate or other.approximate else 0
        )
        return self.low <= other.high + slack and other.low <= self.high + slack

    def comparable(self, other: Figure) -> bool:
        """Both count the same thing as far as their words tell (an unknown measure is
        compared with any; conflicts ask more: ``analysis`` compares measure and scope)."""
        if self.measure and other.measure:
            return self.measure == other.measure and (
                not self.of or not other.of or self.of == other.of
            )
        return not self.counted or not other.counted or self.counted == other.counted

    @property
    def value(self) -> str:
        """The normalised number: "10,000", "11,000–12,000"."""
        low, high = _show(self.low), _show(self.high)
        return low if low == high else f"{low}–{high}"

    @property
    def label(self) -> str:
        """What it counts, for a reader: "troops", "dollars (budget)", "percent of crop"."""
        if not self.measure:
            return self.counted
        if self.measure == "percent":
            return f"percent of {self.of}" if self.of else "percent"
        return f"{self.measure} ({self.of})" if self.of else self.measure

    @property
    def shown(self) -> str:
        """The value with its unit: "$3,500,000", "30%", "2,100,000 bags", "10,000"."""
        if self.measure == "percent":
            return f"{self.value}%"
        sign = {"dollars": "$", "euros": "€", "pounds-sterling": "£"}.get(self.measure.split()[0])
        if sign and self.measure.split()[0] == self.measure.split(" a ")[0].split()[0]:
            per = self.measure.partition(" a ")[2]
            return f"{sign}{_money(self.low, self.high)}" + (f" a {per}" if per else "")
        return self.value


def _show(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.1f}"


def _money(low: float, high: float) -> str:
    def one(x: float) -> str:
        return f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"

    return one(low) if low == high else f"{one(low)}–{one(high)}"


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
    doc: Doc,
    start: int,
    end: int,
    ents: Sequence[Span] | None = None,
    published: str | None = None,
    before: Figure | None = None,
) -> tuple[Figure, ...]:
    """The figures of the sentence ``doc.text[start:end]`` with what each counts, its scope
    and time; dates, years, times and ordinals left out, and lone one-word numbers below
    ten ("two officials") too, which are not the figures a briefing compares, and figures the
    sentence calls untrue ("It is false that 20,000 fled"). A figure is read whole: "1e9",
    "-5,000", "1.2 million", "11,000 to 12,000". ``ents``: ``doc.ents`` when the caller reads
    several sentences of one doc (spaCy builds them anew on each access); ``published``:
    the article's date, which "on Tuesday" and "last week" count from; ``before``: the
    paragraph's last figure before the sentence ("8,000 of them" counts what it counted)."""
    text = doc.text
    ents = doc.ents if ents is None else ents
    skip = [
        (e.start_char, e.end_char)
        for e in ents
        if e.label_ in _SKIP_ENTS and e.start_char < end and e.end_char > start
    ]
    dates = [e for e in ents if e.label_ == "DATE" and start <= e.start_char < end]
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
        earlier = out[-1] if out else before
        out.append(_read(doc, m.start(), m.end(), figure, earlier, dates, published))
    return tuple(out)


def _said_untrue(doc: Doc, start: int, end: int) -> bool:
    """ "It is false that 20,000 residents fled": a figure the sentence calls untrue is no
    figure it states (``attribution.said_untrue``)."""
    from assistant import attribution

    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and len(span) > 0 and attribution.said_untrue(span.root)


def _counted(doc: Doc, after: int) -> str:
    """The noun a figure ending at character ``after`` counts, as a quantity."""
    head = _counted_token(doc, after)
    if head is None:
        return ""
    lemma = head.lemma_.lower()
    return QUANTITIES.get(lemma, lemma)


def _counted_token(doc: Doc, after: int) -> Token | None:
    """The noun a figure ending at character ``after`` counts: the head it modifies, else the
    first noun within four words ("10k evacuated residents"); "of them" counts nothing known."""
    span = doc.char_span(max(0, after - 1), after, alignment_mode="expand")
    if span is None:
        return None
    token = span[-1]
    head = token.head if token.dep_ in ("nummod", "quantmod", "compound") else None
    while head is not None and head.dep_ == "compound" and head.pos_ == "NUM":
        head = head.head  # "2.1 million bags": 2.1 → million → bags
    if head is not None and head.pos_ == "NUM" and head.dep_ == "nummod":
        head = head.head
    if head is None or head.pos_ not in ("NOUN", "PROPN"):
        head = None
        for t in doc[token.i + 1 : token.i + 5]:
            if t.lower_ in _OF_WORDS or t.is_punct or t.pos_ == "ADP":
                break
            if t.pos_ in ("VERB", "AUX") and t.dep_ in ("conj", "ccomp", "ROOT", "advcl", "xcomp"):
                following = doc[t.i + 1] if t.i + 1 < len(doc) else None
                if following is None or following.pos_ not in ("NOUN", "PROPN"):
                    break  # "... and 300 wounded in three days": no noun of its own
            if t.pos_ in ("NOUN", "PROPN"):
                head = t
                break
    return head


# -- what a figure counts, its scope and its time --------------------------------------------
def _read(
    doc: Doc,
    start: int,
    end: int,
    figure: Figure,
    earlier: Figure | None,
    dates: Sequence[Span],
    published: str | None,
) -> Figure:
    """``figure`` with its measure, what it is of, whose, where and when."""
    text = doc.text
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return figure
    number = span[-1]
    after = text[end : end + 24]
    currency = _currency(text[max(0, start - 4) : start], after)
    measure, of, noun = "", "", None
    if _PERCENT.match(after):
        percent = next((t for t in doc[number.i + 1 : number.i + 3] if t.text == "%"), number)
        measure, of = "percent", _of(percent)
        noun = percent
    elif currency:
        per = _per_unit(number)
        measure = f"{currency} a {per}" if per else currency
        of = _of(number)
        noun = number
    elif earlier is not None and _PARTITIVE.match(after):
        # "about 8,000 of them": what the figure before counted, where and whose it was
        reporter, said_by = _reporter(number)
        return _with(figure, earlier, _when(doc, dates, number, None, published, reporter), said_by)
    else:
        noun = _counted_token(doc, end)
        if noun is not None:
            lemma = noun.lemma_.lower()
            if lemma in vocab.units():
                measure, of = _plural(noun), _of(noun)
            else:
                measure = _count_measure(noun, number)
        elif (event := _event(number)) is not None:
            measure = event  # "... and 300 wounded"
    whose = _whose(noun) if noun is not None else ""
    where = _where(noun, number) if noun is not None else ""
    if of and noun is not None:
        owner = _of_token(noun if noun is not number else number)
        if owner is not None:
            whose = whose or _whose(owner)
            where = where or _where(owner, owner)
    verb = _verb(noun if noun is not None else number)
    reporter, said_by = _reporter(number)
    return Figure(
        figure.text,
        figure.low,
        figure.high,
        figure.approximate,
        figure.counted,
        measure=measure,
        of=of,
        whose=whose,
        where=where,
        when=_when(doc, dates, number, verb, published, reporter),
        said_by=said_by,
    )


def _reporter(number: Token) -> tuple[Token | None, str]:
    """The nearest reporting verb above a figure that has a subject, and its subject as
    written: in "Zelensky accused North Korea of sending 10,000 troops, while the NIS
    estimated that 12,000 could be sent" the 12,000 are the NIS's."""
    from assistant.attribution import REPORTING_VERBS

    for verb in number.ancestors:
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in REPORTING_VERBS:
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is None:
            continue
        first, last = subject.left_edge.i, subject.i
        for t in subject.doc[subject.i + 1 : subject.right_edge.i + 1]:
            if t.is_punct or t.dep_ in ("relcl", "acl"):
                break
            last = t.i
        return verb, subject.doc[first : last + 1].text
    return None, ""


def _with(figure: Figure, like: Figure, when: str, said_by: str) -> Figure:
    return Figure(
        figure.text,
        figure.low,
        figure.high,
        figure.approximate,
        like.counted,
        measure=like.measure,
        of=like.of,
        whose=like.whose,
        where=like.where,
        when=when or like.when,
        said_by=said_by,
    )


def _currency(before: str, after: str) -> str:
    names = vocab.currencies()
    m = _MONEY_BEFORE.search(before)
    if m:
        return names.get(m.group(1).lower(), "")
    m = _MONEY_AFTER.match(after)
    return names.get(m.group(1).lower(), "") if m else ""


def _per_unit(number: Token) -> str:
    """ "$3.40 a pound": the unit a price is per."""
    for t in number.doc[number.i + 1 : number.i + 4]:
        if t.lower_ in ("a", "an", "per", "each") and t.i + 1 < len(t.doc):
            nxt = t.doc[t.i + 1]
            if nxt.pos_ == "NOUN":
                return nxt.lemma_.lower()
        if t.pos_ not in ("NUM", "SYM") and t.lower_ not in ("million", "billion", "thousand"):
            break
    return ""


def _plural(noun: Token) -> str:
    lemma = noun.lemma_.lower()
    return lemma if lemma.endswith("s") else lemma + "s"


def _count_measure(noun: Token, number: Token) -> str:
    """What a count counts: the measure of its noun, what happened to them (the verb they
    are subject or object of), or a kind of it named before the noun."""
    lemma = noun.lemma_.lower()
    base = vocab.measure_of_noun().get(lemma) or _plural(noun)
    words = {t.lemma_.lower() for t in noun.children if t.dep_ in ("amod", "compound")}
    words |= {t.lemma_.lower() for t in noun.doc[max(0, noun.i - 3) : noun.i]}
    for kind, (of, named) in vocab.kinds().items():
        if base == of and words & named:
            base = kind
    event = _event(noun)
    if event is not None and base in ("people", "troops", "special-forces", "patients", base):
        if base in vocab.measures() and vocab.measures()[base].scope == "whose":
            return event if event in ("deserters", "deaths", "injured", "arrests") else base
        return event
    return base


def _event(token: Token) -> str | None:
    """The measure the verb of ``token`` (its subject or object) names: "deserted",
    "had been killed", "fled"."""
    if token.dep_ not in ("nsubj", "nsubjpass", "dobj"):
        return None
    verb = token.head
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    return vocab.events().get(verb.lemma_.lower())


def _verb(token: Token) -> Token | None:
    """The verb a figure's noun belongs to (through a preposition: "fall to 2.1 million")."""
    t = token
    for _ in range(3):
        if t.pos_ in ("VERB", "AUX"):
            return t
        if t.head is t:
            return None
        t = t.head
    return t if t.pos_ in ("VERB", "AUX") else None


def _of_token(token: Token) -> Token | None:
    """What money, a percentage or a unit is of: "a budget of $3.5 million" (the noun the
    figure is the object of), "30% of the crop" (its of-object), "$3.5 million budget" (the
    noun it modifies), "exports would fall to 2.1 million bags" (the verb's subject)."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            pobj = [c for c in child.children if c.dep_ == "pobj"]
            if pobj and pobj[0].pos_ in ("NOUN", "PROPN"):
                return pobj[0]
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":
        return head.head
    if (
        token.dep_ in ("nummod", "compound", "quantmod", "nmod")
        and head.pos_ == "NOUN"
        and head.lemma_.lower() not in vocab.units()
        and head.text != "%"
    ):
        return head
    verb = _verb(token)
    if verb is not None:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and subjects[0].pos_ == "NOUN":
            return subjects[0]
        # "raised its estimate of coffee exports to 2.3 million bags": what the estimate is of
        for obj in (c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"):
            of = [p for p in obj.children if p.dep_ == "prep" and p.lower_ == "of"]
            pobj = [c for p in of for c in p.children if c.dep_ == "pobj" and c.pos_ == "NOUN"]
            return pobj[0] if pobj else obj
    return None


def _of(token: Token) -> str:
    owner = _of_token(token)
    return owner.lemma_.lower() if owner is not None else ""


def _whose(noun: Token) -> str:
    """Whose the counted are: "Marvian troops", "Marvia's soldiers", "North Korean special
    forces"; else, for troops sent or deployed, the sender ("Pyongyang could send ...")."""
    for child in noun.children:
        if child.dep_ in ("amod", "compound", "poss", "nmod") and child.i < noun.i:
            name = _entity_text(child, _WHOSE_ENTS)
            if name:
                return name
    verb = noun.head
    if noun.dep_ == "dobj" and verb.lemma_.lower() in vocab.whose_verbs():
        for child in verb.children:
            if child.dep_ == "nsubj":
                name = _entity_text(child, _WHOSE_ENTS)
                if name:
                    return name
    return ""


def _entity_text(token: Token, labels: frozenset[str]) -> str:
    """The name ``token`` is part of, when it is an entity of ``labels`` or a nation's word
    ("North Korean", "Marvia"), lower case, without "the" and a possessive."""
    words, _seats = lexicon.nations()
    if token.ent_type_ in labels:
        doc = token.doc
        start = end = token.i
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        while end + 1 < len(doc) and doc[end + 1].ent_iob_ == "I":
            end += 1
        return " ".join(t.lower_ for t in doc[start : end + 1] if t.lower_ not in _NOT_PLACES)
    if token.lower_ in words:
        side = [c.lower_ for c in token.children if c.lower_ in _SIDES]
        return " ".join([*side, token.lower_])
    return ""


def _where(noun: Token, number: Token) -> str:
    """Where the counted are: "nationwide", "worldwide", "world coffee output", "in Ostmark
    province", "across Veldora", "in the country"; from the noun, the figure and its verb
    (never from another branch: in "640 cases nationwide, most of them in Ostmark" the 640
    are national)."""
    words = vocab.scope_words()
    holders = [noun, number]
    verb = _verb(noun)
    if verb is not None:
        holders.append(verb)
    for holder in holders:
        for child in holder.children:
            low = child.lower_
            if child.dep_ in ("advmod", "amod", "compound", "npadvmod"):
                if low in words["world"]:
                    return "world"
                if low in words["national"]:
                    return "national"
            if child.dep_ == "prep" and low in _PLACE_PREPS:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        place = _place(pobj)
                        if place:
                            return place
    for child in noun.children:
        if child.dep_ == "poss":
            place = _place(child)
            if place and place not in ("world", "national"):
                return place
    return ""


def _place(token: Token) -> str:
    """The place ``token`` names: "world", "national" ("the country"), or a place's name
    ("ostmark" of "Ostmark province", "kursk" of "Russia's Kursk border region")."""
    words = vocab.scope_words()
    low = token.lemma_.lower()
    if token.ent_type_ in ("DATE", "TIME"):
        return ""  # "shipments in July"
    if any(c.dep_ == "nummod" for c in token.children):
        return ""  # "14 hospitals in 11 regions": a count, not a place
    if low in ("world", "globe"):
        return "world"
    if low in ("country", "nation"):
        return "national"
    if low in words["region"] or token.pos_ == "NOUN":
        names = [
            c
            for c in token.children
            if c.dep_ in ("compound", "amod") and (c.pos_ == "PROPN" or c.ent_type_)
        ]
        if names:
            return " ".join(_name(c) for c in names)
        owners = [c for c in token.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
        if owners:
            return _name(owners[0])
        return REGION + low if low in words["region"] else ""
    if token.ent_type_ in _PLACE_ENTS or token.pos_ == "PROPN":
        return _name(token)
    return ""


def _name(token: Token) -> str:
    """A place's name as written, lower case, its region word and "the" left out."""
    words = vocab.scope_words()["region"]
    parts = [c for c in token.subtree if c.dep_ in ("compound",) and c.i < token.i]
    names = [t.lower_ for t in [*parts, token] if t.lower_ not in _NOT_PLACES]
    names = [n for n in names if n not in words] or names
    return " ".join(names)


def place_key(name: str) -> str:
    """One key for the words of one place or people: "Marvian" and "Marvia", "North Korean"
    and "Pyongyang" (a nation's words, lexicon/nations.txt), "the country"."""
    words, _seats = lexicon.nations()
    parts = name.lower().replace("’s", "").replace("'s", "").split()
    if not parts:
        return ""
    side = [p for p in parts if p in _SIDES]
    for p in reversed(parts):
        if p in words:
            return " ".join([*side, f"nation-{words[p]}"])
    last = parts[-1]
    for suffix in ("ians", "ian", "ans", "ean", "an"):
        if last.endswith(suffix) and len(last) > len(suffix) + 2:
            last = last[: -len(suffix)] + suffix[: -1 if suffix.endswith("n") else -2]
            break
    return " ".join([*parts[:-1], last])


# -- time ---------------------------------------------------------------------------------------
def _when(
    doc: Doc,
    dates: Sequence[Span],
    number: Token,
    verb: Token | None,
    published: str | None,
    reporter: Token | None = None,
) -> str:
    """The date the sentence gives the figure: a date attached to the figure's own words
    ("2.9 million bags last season"), else to its verb or the sentence's reporting verb ("said
    on Monday"), nearest first; "since the last week of May" is when a count began, not its
    date. "" when the sentence says none (or none the article's date resolves)."""
    if not published or not dates:
        return ""
    try:
        day = dt.date.fromisoformat(published[:10])
    except ValueError:
        return ""
    root = number.sent.root
    own = {number.i, *(t.i for t in number.ancestors if t.pos_ in ("NOUN", "NUM"))}
    ranked: list[tuple[int, int, str]] = []
    for e in dates:
        first = doc[e.start]
        if e.start > 0 and doc[e.start - 1].lower_ in _SINCE:
            continue
        if first.i > 0 and first.lower_ == "the" and doc[e.start - 1].lower_ in _SINCE:
            continue
        when = resolve(e.text, day)
        if when is None:
            continue
        anchor = e.root.head
        if anchor.pos_ == "ADP":
            anchor = anchor.head
        rank = 0 if anchor.i in own else 1 if anchor in (verb, reporter) else 2
        if rank == 2 and anchor != root and e.root.dep_ not in ("npadvmod", "pobj"):
            continue  # "last week's frost": the frost's time, not the figure's
        if rank == 2 and reporter is not None and anchor != reporter and _reports(anchor):
            continue  # "X said on October 18 ..., while Y claimed that 10,000 ...": X's date
        ranked.append((rank, abs(e.start - number.i), when.isoformat()))
    return min(ranked)[2] if ranked else ""


def _reports(token: Token) -> bool:
    from assistant.attribution import REPORTING_VERBS

    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_VERBS


def resolve(text: str, published: dt.date) -> dt.date | None:
    """The date a phrase of time names, counted from the article's date: "Tuesday" (the last
    Tuesday up to it), "October 18", "18 October", "in October", "last week", "last season"."""
    words = [w for w in re.findall(r"[a-z]+|\d+", text.lower()) if w not in ("on", "in", "s")]
    if not words:
        return None
    phrase = " ".join(w for w in words if w != "the")
    offsets = vocab.time_words()
    if phrase in offsets:
        return published - dt.timedelta(days=offsets[phrase])
    days = [w for (w,) in lexicon.rows("weekdays")]  # Monday first, as date.weekday()
    if len(words) == 1 and words[0] in days:
        back = (published.weekday() - days.index(words[0])) % 7
        return published - dt.timedelta(days=back)
    months = lexicon.months()
    month = next((months[w] for w in words if w in months), None)
    if month is None:
        return None
    numbers = [int(w) for w in words if w.isdigit()]
    day_of = next((n for n in numbers if 1 <= n <= 31), None)
    year = next((n for n in numbers if 1900 <= n <= 2100), None)
    if year is None:
        year = published.year if month <= published.month else published.year - 1
    try:
        if day_of is None:  # "in October": too vague to tell a conflict from an update
            return published if (year, month) == (published.year, published.month) else None
        return dt.date(year, month, day_of)
    except ValueError:
        return None


def counted_by(noun: Token) -> tuple[str, str]:
    """(measure, whose) of a noun that counts something a vocabulary knows, without a
    figure ("any Marvian soldiers" → troops, marvian); ("", "") for any other noun."""
    if noun.pos_ not in ("NOUN", "PROPN") or noun.lemma_.lower() not in vocab.measure_of_noun():
        return "", ""
    return _count_measure(noun, noun), _whose(noun)
