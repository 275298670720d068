"""The briefing's vocabularies, read from the shared lexicon folder (assistant/reader/lexicon/,
one text file each): what a figure counts, what happened to what it counts, the units and
currencies it is written in, the words that set its scope and its time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.reader import lexicon


@dataclass(frozen=True, slots=True)
class Measure:
    name: str  # "troops", "cases"
    scope: str  # "whose", "where" or "both": what besides the measure makes two counts one
    days: int  # figures of two sources this many days apart or fewer are of the same time


DEFAULT_DAYS = 7
# money, percentages and units: scoped by whose and where, a week apart the same time
OTHER = Measure("", "both", DEFAULT_DAYS)


@cache
def measures() -> dict[str, Measure]:
    """Measure name → Measure."""
    return {
        name: Measure(name, scope, int(days)) for name, scope, days, *_ in lexicon.rows("measures")
    }


@cache
def measure_of_noun() -> dict[str, str]:
    """Noun lemma → the measure it counts ("soldier" → "troops")."""
    rows = lexicon.rows("measures")
    return {noun: name for name, _scope, _days, *nouns in rows for noun in nouns}


def measure(name: str) -> Measure:
    """The Measure of ``name``: a listed one, or a count of an unlisted noun ("tickets"),
    money, a percentage or a unit (scoped by whose and where, ``DEFAULT_DAYS``)."""
    return measures().get(name) or Measure(name, OTHER.scope, OTHER.days)


@cache
def events() -> dict[str, str]:
    """Verb lemma → the measure of the people it happens to ("desert" → "deserters")."""
    return {verb: name for verb, name in lexicon.rows("measure_events")}


@cache
def kinds() -> dict[str, tuple[str, frozenset[str]]]:
    """Kind of a measure → (the measure, the words before its noun that name the kind)."""
    return {kind: (of, frozenset(words)) for kind, of, *words in lexicon.rows("measure_kinds")}


@cache
def units() -> frozenset[str]:
    return frozenset(w for (w,) in lexicon.rows("measure_units"))


@cache
def currencies() -> dict[str, str]:
    """A sign or word of money ("$", "euros") → the currency ("dollars", "euros")."""
    return {w: name for w, name in lexicon.rows("currencies")}


@cache
def scope_words() -> dict[str, frozenset[str]]:
    """ "world", "national", "region" → their words."""
    return {name: frozenset(words) for name, *words in lexicon.rows("scopes")}


@cache
def time_words() -> dict[str, int]:
    """A phrase of time ("last week") → days before the article's date."""
    return {" ".join(row[:-1]): int(row[-1]) for row in lexicon.rows("time_words")}


@cache
def whose_verbs() -> frozenset[str]:
    return frozenset(w for (w,) in lexicon.rows("whose_verbs"))
