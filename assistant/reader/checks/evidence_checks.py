"""The checks on the evidence and the lead, each a named unit (see ``checks/__init__.py``).

Each was a rule of the hand-written reader; they stay only while the ablation on held-out
articles shows they pay (``bench/answers.py --ablate``; figures in README "Reader").
"""

from __future__ import annotations

from dataclasses import replace

from assistant import attribution
from assistant.citations import negated
from assistant.contrast import contrast
from assistant.question import Question
from assistant.reader import lead as leads
from assistant.reader.checks import Check, Evidence
from assistant.reader.speakers import asked_speaker, speaking
from ingest.text import terms

# words that say how a count is made, not what is counted ("How many total judges ...?")
_COUNTING_WORDS = frozenset(
    ["total", "overall", "different", "separate", "individual", "additional", "other", "more"]
)


def _texts(ev: Evidence, top: int = 8) -> list[str]:
    return list(
        dict.fromkeys(
            t for c in ev.scored[:top] for t in (c.sentence.hit.text, c.sentence.hit.article.title)
        )
    )


def names_missing(ev: Evidence) -> str | None:
    """A name the question asks about that no retrieved paragraph or title mentions."""
    missing = leads.missing_names(ev.query.question, _texts(ev), attribution.parsed)
    return ", ".join(missing) if missing else None


def figures_missing(ev: Evidence) -> str | None:
    """A figure of the question ("up to 33 pence") that no retrieved paragraph states."""
    question = replace(ev.query.question, text=ev.query.unscoped)
    missing = leads.missing_figures(question, _texts(ev))
    return ", ".join(missing) if missing else None


def negation_unmatched(ev: Evidence) -> str | None:
    """ "Which country was not hit?" answered by a sentence that negates nothing."""
    best = ev.best
    if best is None or not negated(ev.query.text) or negated(best.sentence.text):
        return None
    return "not"


def grain_missing(ev: Evidence) -> str | None:
    """ "On what date ...?" led by a sentence that gives no date."""
    best = ev.best
    return None if best is None else leads.grain_missing(ev.query.question, best.sentence.text)


def contradicted(ev: Evidence) -> str | None:
    """The lead sentence states the opposite, another month, nation or figure beside the
    same word ("increase" over "reduce")."""
    best = ev.best
    if best is None:
        return None
    found = contrast(ev.query.text, best.sentence.text)
    return " / ".join(found) if found else None


def uncounted(ev: Evidence) -> str | None:
    """ "How many female judges?" over articles that never say "female"."""
    best = ev.best
    q = ev.query.question
    if best is None or q.kind != "how_many":
        return None
    hit = best.sentence.hit
    same = {
        c.sentence.hit.id: c.sentence.hit.text
        for c in ev.scored
        if c.sentence.hit.article.id == hit.article.id
    }
    kinds = _counted_kinds(q)
    said = set(terms(" ".join([hit.article.title, hit.text, *same.values()])))
    missing = [k for k in kinds if terms(k) and terms(k)[0] not in said]
    return ", ".join(missing) if missing else None


def _counted_kinds(q: Question) -> list[str]:
    doc = attribution.parsed(q.text)
    many = next(
        (t for t in doc if t.lower_ == "many" and t.i > 0 and doc[t.i - 1].lower_ == "how"), None
    )
    if many is None or many.head.pos_ not in ("NOUN", "PROPN"):
        return []
    return [
        c.text
        for c in many.head.children
        if c.dep_ in ("amod", "compound") and c.i != many.i and c.lower_ not in _COUNTING_WORDS
    ]


def lead_figures_missing(ev: Evidence) -> str | None:
    """ "Developed in 1995?" led by a paragraph that speaks of 1985."""
    if ev.lead is None or len(ev.lead.parts) != 1 or ev.best is None:
        return None
    hit = ev.best.sentence.hit
    texts = [hit.text, hit.article.title, hit.article.published_at or ""]
    missing = leads.missing_figures(ev.query.question, texts, dates=False)
    return ", ".join(missing) if missing else None


def speaker_silent(ev: Evidence) -> str | None:
    """ "What did X say?" when no retrieved sentence gives X's words."""
    speaker = asked_speaker(ev.query.question)
    best = ev.best
    if speaker is None or best is None or speaking(best, speaker, ev.hits):
        return None
    return speaker


def action_missing(ev: Evidence) -> str | None:
    """ "How many were killed?" led by a sentence that never states killing."""
    q = ev.query.question
    best = ev.best
    if q.kind != "how_many" or best is None:
        return None
    action = leads.question_action(q, attribution.parsed)
    if not action or action & set(terms(best.sentence.text)):
        return None
    return ", ".join(sorted(action))


CHECKS: tuple[Check, ...] = (
    Check("names_missing", "No retrieved article mentions {detail}.", names_missing),
    Check("figures_missing", "No retrieved article states the figure {detail}.", figures_missing),
    Check(
        "negation_unmatched",
        "The question asks what did not happen; the best sentence says what did.",
        negation_unmatched,
    ),
    Check("grain_missing", "The best sentence gives no {detail}.", grain_missing),
    Check("contradicted", "The best sentence says {detail}, not what was asked.", contradicted),
    Check("uncounted", "The articles never say which are {detail}.", uncounted),
    Check(
        "lead_figures_missing",
        "The best paragraph does not state {detail}.",
        lead_figures_missing,
    ),
    Check("speaker_silent", "No retrieved sentence gives the words of {detail}.", speaker_silent),
    Check(
        "action_missing", "The best sentence counts something else, not {detail}.", action_missing
    ),
)
