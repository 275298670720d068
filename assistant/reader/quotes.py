"""The quotes under the lead: the best sentences by the model's score, one per claim, each
with the other articles that carry the same claim (corroboration), a sentence that leans on
the one before ("It appoints ...") quoted with it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant import attribution
from assistant.attribution import Claim
from assistant.citations import supports
from assistant.reader.evidence import Scored
from assistant.sentences import Sentence, quoted_spans
from ingest.text import sentence_spans, words

SAME_COPY = 0.8  # shared word pairs at which one sentence is a copy of another (wire copy)
QUOTE_FLOOR = 0.5  # a quote scores at least this share of the best sentence's score
MAX_JOINED = 3  # sentences one quote may join


@dataclass(slots=True)
class Group:
    """One claim of the answer: its best sentence and the same claim in other articles."""

    members: list[Scored]
    claim: Claim = field(default=attribution.NOBODY)

    @property
    def head(self) -> Scored:
        return self.members[0]


def same_claim(head: Sentence, other: Sentence) -> bool:
    """``other`` states the claim of ``head``, and ``head`` that of ``other``: content words,
    figures and negation each way."""
    return supports(other.text, head.text) and supports(head.text, other.text)


def select(scored: Sequence[Scored], limit: int, floor: float) -> list[Group]:
    """The best sentences, one per claim, down to ``QUOTE_FLOOR`` of the best score and never
    below ``floor`` (the refusal threshold: a quote the model would not answer from is no
    support); then each claim's copies in other articles join it."""
    if not scored:
        return []
    low = max(floor, scored[0].score * QUOTE_FLOOR)
    groups: list[Group] = []
    for cand in scored:
        if len(groups) >= limit:
            break
        if groups and cand.score < low:
            break
        if any(same_claim(g.head.sentence, cand.sentence) for g in groups):
            continue
        groups.append(Group([cand]))
    for g in groups:
        for cand in scored:
            articles = {m.sentence.hit.article.id for m in g.members}
            if cand.sentence.hit.article.id not in articles and same_claim(
                g.head.sentence, cand.sentence
            ):
                g.members.append(cand)
    return groups


# A sentence that opens on one of these words leans on the sentence before it ("It
# appoints the commissioners.", "The result was a depreciation ..."): quoted alone, it does
# not say who, what or why.
_ANAPHOR = re.compile(
    r"(?:It|Its|This|These|Those|That|They|Their|He|His|She|Her|Such|Both|Thus|Hence"
    r"|Therefore|Consequently|Instead|All (?:of )?this|The (?:result|former|latter)"
    r"|As (?:a result|such)|In effect)\b"
    r"|[^,.]{1,40},\s+(?:it|its|this|these|they|their|he|his|she|her)\b"
)


def with_antecedents(scored: list[Scored]) -> list[Scored]:
    """Each sentence that opens with a pronoun read together with the sentences before it
    in its paragraph (at most ``MAX_JOINED`` in all), as one quote scored as the best of
    them; its parts no longer stand alone. Best first, as given."""
    by_key = {(c.sentence.hit.id, c.sentence.start, c.sentence.end): c for c in scored}
    joined: dict[tuple[str, int, int], Scored] = {}
    done: set[str] = set()
    for c in scored:
        hit = c.sentence.hit
        if hit.id in done or not _ANAPHOR.match(c.sentence.text):
            continue
        done.add(hit.id)
        runs: list[list[tuple[int, int]]] = []
        for a, b in quoted_spans(hit.text, sentence_spans(hit.text)):
            if runs and len(runs[-1]) < MAX_JOINED and _ANAPHOR.match(hit.text[a:b]):
                runs[-1].append((a, b))
            else:
                runs.append([(a, b)])
        for run in runs:
            members = [by_key[k] for k in ((hit.id, a, b) for a, b in run) if k in by_key]
            if len(run) < 2 or not members:
                continue
            best = max(members, key=lambda m: m.score)
            whole = Sentence(hit, best.sentence.rank, run[0][0], run[-1][1])
            shift = best.sentence.start - whole.start
            span = (best.span[0] + shift, best.span[1] + shift) if best.span else None
            one = replace(best, sentence=whole, span=span)
            for a, b in run:
                joined[(hit.id, a, b)] = one
    if not joined:
        return scored
    out: list[Scored] = []
    for c in scored:
        one = joined.get((c.sentence.hit.id, c.sentence.start, c.sentence.end), c)
        if all(one is not o for o in out):
            out.append(one)
    out.sort(key=lambda c: c.score, reverse=True)
    return out


def _pairs(text: str) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words(text)))


def _copied(a: str, b: str) -> bool:
    """One sentence is a copy of the other: the same words in the same order (shared word
    pairs), as when an outlet republishes a wire story."""
    pa, pb = _pairs(a), _pairs(b)
    return bool(pa and pb) and len(pa & pb) / len(pa | pb) >= SAME_COPY


def independent_sources(items: Sequence[tuple[str, str]]) -> int:
    """Outlets carrying a claim, from (outlet, sentence) pairs: a copy of another outlet's
    sentence (wire copy) and a second article of the same outlet count once."""
    clusters: list[list[tuple[str, str]]] = []
    for source, text in items:
        home = next(
            (c for c in clusters if any(o == source or _copied(t, text) for o, t in c)),
            None,
        )
        if home is None:
            clusters.append([(source, text)])
        else:
            home.append((source, text))
    return len(clusters)
