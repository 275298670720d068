"""The nations a text names, by any of their words: "the Kremlin" and "Moscow" speak for
Russia, "US" and "American" are one nation (lexicon/nations.txt). What a question asks of
one nation is not answered by another's words.

(The module once held the "contradicted" check, the question's opposites, months and figures
against the best sentence's; the ablation on held-out articles showed it refused more
answerable questions than unanswerable ones, and it was deleted.)
"""

from __future__ import annotations

import re

from assistant.reader import lexicon

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.,'’][A-Za-z0-9]+)*")  # as ingest.text.words
NATIONS, _SEATS = lexicon.nations()
# nations named in two words, read as one
_JOINED_NAMES = {
    "united states": "USA",
    "united kingdom": "UK",
    "soviet union": "USSR",
    "white house": "Washington",
    "downing street": "London",
}
_JOINED_NAME = re.compile(
    r"\b(?:" + "|".join(n.replace(" ", r"\s+") for n in _JOINED_NAMES) + r")\b", re.I
)


def _words(text: str) -> list[str]:
    """Lower-cased words, two-word nations joined; "US" the country, "us" the pronoun."""
    joined = _JOINED_NAME.sub(lambda m: _JOINED_NAMES[" ".join(m.group(0).lower().split())], text)
    return ["usa" if w == "US" else w.replace(",", "").lower() for w in _WORD.findall(joined)]


def nations_in(text: str, seats: bool = True) -> set[int]:
    """The nations ``text`` names, by any of their words (the Kremlin is Russia's; without
    ``seats``, a seat of power names only itself)."""
    return {NATIONS[w] for w in _words(text) if w in NATIONS and (seats or w not in _SEATS)}
