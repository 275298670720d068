"""Which chat messages ask for a briefing rather than an answer.

"Summarize what happened", "What happened with North Korean troops in Russia?", "What's new
on the Dornet floods?", "Catch me up on X", "Brief me on X": these ask for the story, not for
one fact, and the chat answers them with a briefing (a short summary in the chat, the full
one in the Briefing view) instead of refusing them. ``route(message)`` says so: the topic
(``""`` when the message names none: the whole corpus's story), or None for an ordinary
question ("What happened in Kursk on November 4?" asks for one day's fact; "Who said what
about X?" is the reader's).
"""

from __future__ import annotations

import re

# The openings that ask for a briefing, each followed by what it is about (or nothing).
_OPENINGS = (
    r"(?:please\s+|can you\s+|could you\s+)?"
    r"(?:summari[sz]e|sum up|brief me|catch me up|bring me up to (?:date|speed)|update me"
    r"|recap|give me (?:a |the )?(?:summary|recap|rundown|briefing|brief)"
    r"|(?:a |the )?(?:summary|recap|rundown|overview|briefing|brief)"
    r"|what(?:'s| is| has) (?:new|the latest|happening|been happening)"
    r"|what(?:'s| has)? happened|what went on|any (?:news|updates?)"
    r"|tell me (?:about|what happened)|what do we know)"
)
_LINKS = r"(?:\s+(?:on|about|with|to|of|in|regarding|for|around|re))?"
_ROUTE = re.compile(rf"^\s*{_OPENINGS}{_LINKS}(?P<rest>.*)$", re.I | re.S)
# "what happened in Kursk on November 4": a dated question is a question of fact
_DATED = re.compile(
    r"\b(?:on|in|since|during|by)\s+(?:\d{1,2}\s+)?(?:january|february|march|april|may|june"
    r"|july|august|september|october|november|december|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|\d{4})\b|\b(?:yesterday|today|last (?:night|week|month))\b",
    re.I,
)
# "what happened after Putin spoke?": a question of what followed, not a story to brief
_QUESTION = re.compile(r"^(?:after|before|when|since|because|between|if|then)\b", re.I)
# what a request says about the whole story, without naming it
_WHOLE = re.compile(
    r"^(?:(?:what|everything|all)(?: (?:has |have )?(?:happened|is new|went on|'s new))?"
    r"|it|this|that|things|so far|the (?:news|story|articles?|coverage|corpus|situation)"
    r"|(?:the )?(?:latest|news)|everything so far|the (?:day|week|month|year))$",
    re.I,
)
# words before the topic that name the coverage, not the topic ("the coverage of X")
_COVERAGE = re.compile(
    r"^(?:(?:the |all )?(?:news|coverage|reports?|reporting|articles?|stories|story|latest)"
    r"\s+(?:on|about|of|regarding)\s+|what (?:has )?happened (?:with|to|in|on)\s+)",
    re.I,
)
_TAIL = re.compile(r"(?:\s*(?:,?\s*please|so far|for me|lately|recently))*[\s?.!]*$", re.I)


def route(message: str) -> str | None:
    """The topic ``message`` asks a briefing on ("" for the whole corpus), or None when it is
    an ordinary question."""
    m = _ROUTE.match(message or "")
    if m is None:
        return None
    raw = m.group("rest")
    if raw[:1].isalnum():
        return None  # "summarizes", "briefly": another word that begins the same
    rest = " ".join(raw.split())
    if _DATED.search(rest) or _QUESTION.match(rest):
        return None
    rest = _TAIL.sub("", rest).strip(" ,:;-")
    rest = _COVERAGE.sub("", rest).strip()
    rest = _TAIL.sub("", rest).strip(" ,:;-")
    if not rest or _WHOLE.match(rest):
        return ""
    return rest
