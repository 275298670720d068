"""Word tokens for lexical matching: lower-cased, English stop words dropped, stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’][A-Za-z0-9]+)*")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t don also than said says say""".split()  # noqa: SIM905
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (numbers keep inner separators: 10,000 stays one)."""
    return [w.replace(",", "").replace("’", "'").lower() for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """Stemmed content words: what lexical scoring compares."""
    return [_stem(w) for w in words(text) if w not in STOP_WORDS]
