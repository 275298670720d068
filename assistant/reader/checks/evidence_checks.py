"""The checks on the evidence and the lead, each a named unit (see ``checks/__init__.py``).

Each was a rule of the hand-written reader; they stay only while the ablation on held-out
articles shows they pay (``bench/answers.py --ablate``; figures in docs/answers.md). Seven
others (figures_missing, negation_unmatched, grain_missing, contradicted, uncounted,
speaker_silent, action_missing) refused more answerable questions than unanswerable ones on
the held-out Wikipedia articles and news tweets together, and were deleted.
"""

from __future__ import annotations

from assistant import attribution
from assistant.reader import lead as leads
from assistant.reader.checks import Check, Evidence


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


def lead_figures_missing(ev: Evidence) -> str | None:
    """ "Developed in 1995?" led by a paragraph that speaks of 1985."""
    if ev.lead is None or len(ev.lead.parts) != 1 or ev.best is None:
        return None
    hit = ev.best.sentence.hit
    texts = [hit.text, hit.article.title, hit.article.published_at or ""]
    missing = leads.missing_figures(ev.query.question, texts, dates=False)
    return ", ".join(missing) if missing else None


CHECKS: tuple[Check, ...] = (
    Check("names_missing", "No retrieved article mentions {detail}.", names_missing),
    Check(
        "lead_figures_missing",
        "The best paragraph does not state {detail}.",
        lead_figures_missing,
    ),
)
