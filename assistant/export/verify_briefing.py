"""A briefing export read again from the index: every claim, group, conflict, timeline step
and section line it shows must be what the indexed paragraphs give.

The briefing is rebuilt from the paragraphs its claims quote, as ``briefing brief`` built
it: the claims of each of those paragraphs extracted anew (speaker, stance, figures, outlet,
date), scored against the topic by the reader model whose fingerprint the export records
(``relevance_model``: a claim's article the model does not read as about the topic is left
out, as ``briefing brief`` leaves it out; a model replaced since is a change of the
installation, reported as CHANGED, and the scores are then not checked), marked new by the
export's ``new_since`` (a date given with ``--new-since`` counts
publication dates, the time of the last briefing counts when each article was indexed),
then grouped, counted, opposed and ordered, and laid out as its sections. Anything of the
export that differs from the rebuilt briefing was edited: a figure, a speaker, a stance, a
count of independent sources, a conflict emptied, a timeline date, a "new" flag, a section
line or a citation number. A paragraph states every claim it has: one it does not state, or
one of its claims left out, is reported too.

What the analyst asked is not a fact of the index, and is checked only for consistency:
the topic (each article with claims is about it, the conflicts are read with its words),
the filters (each claim's article passes them), ``new_since`` (the "new" flags and the
heading follow from it) and ``generated_at`` (not checked). Which paragraphs retrieval
chose is not re-run either: a paragraph whose claims were all removed from the export,
with every reference to them, is not noticed. ``corpus`` is compared with the index's
counts: a difference after articles were indexed since the briefing is a change of the
index, not of the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from assistant.export.schema import BriefingOut
from vectorstore.filters import Filters
from vectorstore.manifest import ManifestEntry
from vectorstore.models import Hit, Passage

MAX_SHOWN = 12  # differences listed one by one; the rest are counted

# the parameters of the briefing: compared for consistency, not rebuilt
_PARAMETERS = (
    "schema_version",
    "kind",
    "topic",
    "generated_at",
    "filters",
    "new_since",
    "corpus",
    "relevance_model",
)


class _Store(Protocol):
    def get(self, paragraph_ids: Sequence[str]) -> list[Passage]: ...


class _Manifest(Protocol):
    def get(self, article_id: str) -> ManifestEntry | None: ...
    def entries(self) -> list[ManifestEntry]: ...
    def counts(self) -> tuple[int, int]: ...


def _filters(doc: BriefingOut) -> tuple[Filters | None, str]:
    """The export's filters as Filters, or None and what is wrong with them."""
    raw = doc.filters
    sources = raw.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        return None, f"filters.sources {sources!r} is not a list of publishers"
    days: list[dt.date | None] = []
    for name in ("since", "until"):
        value = raw.get(name)
        if value is None:
            days.append(None)
            continue
        try:
            days.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            return None, f"filters.{name} {value!r} is not a date"
    return Filters(sources=tuple(sources), since=days[0], until=days[1]), ""


def _since_mode(new_since: str | None) -> tuple[str | None, bool]:
    """(since, counted by index time): a date given with --new-since counts publication
    dates; the time of the last briefing (a timestamp) counts when articles were indexed."""
    if new_since is None:
        return None, False
    return new_since, len(new_since) > 10


def briefing_problems(
    doc: BriefingOut,
    stored: dict[str, Passage],
    store: _Store,
    manifest: _Manifest,
    quotes_ok: Callable[[], bool] = lambda: True,
) -> list[tuple[str, str]]:
    """(status, detail) of each thing the briefing ``doc`` shows that its quoted paragraphs
    do not give. ``stored``: the cited paragraphs as indexed (by id); ``quotes_ok``: whether
    the articles the export cites are unchanged (a changed article's claims are reported by
    the citation checks, and the briefing is not rebuilt over them)."""
    from assistant.export.verify import ALTERED, CHANGED

    found: list[tuple[str, str]] = []
    entries = {e.id: e for e in manifest.entries()}
    articles, paragraphs = manifest.counts()
    corpus = (doc.corpus.get("articles"), doc.corpus.get("paragraphs"))
    if corpus != (articles, paragraphs):
        later = any(e.indexed_at > doc.generated_at for e in entries.values())
        found.append(
            (
                CHANGED if later else ALTERED,
                f"corpus: the export says {corpus[0]} articles, {corpus[1]} paragraphs; the "
                f"index holds {articles}, {paragraphs}"
                + (
                    " (articles were indexed since the briefing)"
                    if later
                    else " (the export was edited, or articles were removed since)"
                ),
            )
        )
    filters, bad = _filters(doc)
    if filters is None:
        return [*found, (ALTERED, bad)]
    if not quotes_ok():
        return found  # the index changed under the briefing: its citations say where
    if doc.relevance_model and _model_of(doc.relevance_model) is None:
        return [
            *found,
            (
                CHANGED,
                f"relevance_model: the claims were scored by reader model "
                f"{doc.relevance_model!r}, not by the one installed; the claims it kept and "
                "their scores are not checked",
            ),
        ]
    ids = list(dict.fromkeys(c.paragraph_id for c in doc.claims))
    passages = {**stored, **{p.id: p for p in store.get([i for i in ids if i not in stored])}}
    lost = [i for i in ids if i not in passages]
    if lost:
        return [*found, (ALTERED, f"claims quote paragraphs the index does not hold: {lost}")]
    rebuilt, problems = _rebuild(doc, [passages[i] for i in ids], store, entries, filters)
    found += [(ALTERED, p) for p in problems]
    if rebuilt is not None:
        found += [(ALTERED, p) for p in _differences(doc, rebuilt)]
    return found


def _rebuild(
    doc: BriefingOut,
    passages: list[Passage],
    store: _Store,
    entries: dict[str, ManifestEntry],
    filters: Filters,
) -> tuple[BriefingOut | None, list[str]]:
    """The briefing the quoted paragraphs give, and what keeps them from giving it."""
    from assistant.brief import document, relevance
    from assistant.brief.build import EARLIER_PARAGRAPHS, assemble, is_new
    from assistant.brief.claims import extract, topic_terms

    def earlier(p: Passage) -> list[Passage]:
        i = p.paragraph.index
        wanted = [
            f"{p.article.id}:{j}" for j in range(i - 1, max(-1, i - 1 - EARLIER_PARAGRAPHS), -1)
        ]
        got = {q.id: q for q in store.get(wanted)} if wanted else {}
        return [got[x] for x in wanted if x in got]

    def indexed_at(article_id: str) -> str | None:
        entry = entries.get(article_id)
        return entry.indexed_at if entry else None

    # every claim of each quoted paragraph (the topic chose the articles, not the claims),
    # scored by the reader model that scored them (its fingerprint is in the export)
    claims = extract([Hit(p) for p in passages], "", earlier, indexed_at)
    problems: list[str] = []
    off_topic: dict[tuple[str, int, int], float] = {}
    if doc.relevance_model:
        model = _model_of(doc.relevance_model)
        if model is None:
            return None, []  # said by briefing_problems, as a change
        scored = relevance.score(claims, doc.topic, model)
        claims = relevance.relevant(scored)
        kept = {c.key for c in claims}
        best: dict[str, float] = {}
        for c in scored:
            best[c.article_id] = max(best.get(c.article_id, 0.0), c.relevance or 0.0)
        off_topic = {c.key: best[c.article_id] for c in scored if c.key not in kept}
    keys = {c.key: c for c in claims}
    exported = {(c.paragraph_id, c.quote_start, c.quote_end): c for c in doc.claims}
    for key, out in exported.items():
        if key in off_topic:
            problems.append(
                f"claim {out.id} {out.proposition[:80]!r}: its article is not about the topic "
                f"{doc.topic!r} as the reader model reads it (best claim "
                f"{off_topic[key]:.3f} < {relevance.MIN_ARTICLE})"
            )
        elif key not in keys:
            problems.append(
                f"claim {out.id} {out.proposition[:80]!r} is not a claim paragraph "
                f"{key[0]} states at {key[1]}:{key[2]}"
            )
    for key, c in keys.items():
        if key not in exported:
            problems.append(
                f"paragraph {key[0]} states a claim the briefing leaves out: {c.proposition[:80]!r}"
            )
    wanted = topic_terms(doc.topic)
    for article_id in dict.fromkeys(c.article_id for c in claims):
        if not filters.accepts(_article_of(claims, article_id)):
            problems.append(f"article {article_id} is outside the briefing's filters")
        if wanted and not _about(article_id, wanted, claims, store, entries):
            problems.append(f"article {article_id} says nothing about the topic {doc.topic!r}")
    if problems:
        return None, problems
    since, by_index_time = _since_mode(doc.new_since)
    if since is not None:
        claims = [replace(c, new=is_new(c, since, by_index_time)) for c in claims]
    briefing = assemble(
        claims,
        topic=doc.topic,
        generated_at=doc.generated_at,
        filters=filters,
        articles=int(doc.corpus.get("articles", 0)),
        paragraphs=int(doc.corpus.get("paragraphs", 0)),
        new_since=since,
        new_since_source="last briefing" if by_index_time else ("option" if since else ""),
        relevance_model=doc.relevance_model,
    )
    return document.briefing_out(briefing), []


def _model_of(fingerprint: str) -> Any:
    """The installed reader model when its fingerprint is ``fingerprint``, else None."""
    from assistant.brief import relevance
    from assistant.reader.model import ReaderModel

    model = ReaderModel()
    return model if relevance.fingerprint(model) == fingerprint else None


def _article_of(claims: Sequence[Any], article_id: str) -> Any:
    return next(c.passage.article for c in claims if c.article_id == article_id)


def _about(
    article_id: str,
    wanted: set[str],
    claims: Sequence[Any],
    store: _Store,
    entries: dict[str, ManifestEntry],
) -> bool:
    """The article shares a word with the topic in its title or one of its paragraphs (the
    retrieved one that made it part of the briefing may state no claim)."""
    from ingest.text import terms

    mine = [c.passage for c in claims if c.article_id == article_id]
    text = " ".join([mine[0].article.title, *(p.text for p in mine)])
    if wanted & set(terms(text)):
        return True
    entry = entries.get(article_id)
    count = entry.paragraphs if entry else 0
    rest = store.get([f"{article_id}:{i}" for i in range(count)])
    return any(wanted & set(terms(p.text)) for p in rest)


def _differences(doc: BriefingOut, rebuilt: BriefingOut) -> list[str]:
    """What ``doc`` shows that the rebuilt briefing does not, as readable lines."""
    got = doc.model_dump(mode="json")
    want = rebuilt.model_dump(mode="json")
    lines: list[str] = []
    for name in want:
        if name in _PARAMETERS:
            continue
        _diff(name, got.get(name), want[name], lines)
    if len(lines) > MAX_SHOWN:
        lines = [*lines[:MAX_SHOWN], f"and {len(lines) - MAX_SHOWN} more differences"]
    return [f"{line} (the quoted paragraphs give that; the export was edited)" for line in lines]


def _diff(path: str, got: Any, want: Any, out: list[str]) -> None:
    if isinstance(want, dict) and isinstance(got, dict):
        for k in dict.fromkeys([*want, *got]):
            _diff(f"{path}.{k}", got.get(k), want.get(k), out)
        return
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        if want and not isinstance(want[0], dict | list):
            if got != want:
                out.append(f"{path} is {_show(got)}, not {_show(want)}")
            return
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _diff(f"{path}[{i}]", g, w, out)
        return
    if isinstance(want, list) and isinstance(got, list):
        out.append(f"{path} has {len(got)} entries, not {len(want)}")
        return
    if got != want:
        out.append(f"{path} is {_show(got)}, not {_show(want)}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "…"
