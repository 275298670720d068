"""What the corpus holds, for the chat's landing page: articles, paragraphs, outlets, the
days they cover, the people, organisations and places named most often, and a few questions
to start with. Pure data; ui/ renders it.

Entities come from the one spaCy pipeline (ingest.text), its entity recogniser alone, over
each article's title and first two paragraphs (where news names who and where), counted once
per article. Parsing is the slow part (1,560 articles' titles and first three paragraphs took
80 s on this busy 2-core machine), so
each article's entities are kept in the data dir by content hash and only new or edited
articles are parsed; the whole overview is kept too, named by the index version
(vectorstore.lexical.index_key), so an unchanged index opens its landing page from one file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.attribution import REPORTING_VERBS
from ingest.text import parse_all
from vectorstore.filters import Filters
from vectorstore.lexical import index_key
from vectorstore.manifest import ManifestEntry

LEAD_PARAGRAPHS = 2  # paragraphs per article read for entities, after the title
TOP = 8  # entities shown per kind
QUESTIONS = 4
_FORMAT = 1  # bump when what is cached changes
_KINDS = {"PERSON": "people", "ORG": "organisations", "GPE": "places", "LOC": "places"}
_POSSESSIVE = re.compile(r"[’']s$")
_IRREGULAR_PAST = {"say": "said", "tell": "told", "write": "wrote", "admit": "admitted"}


def _past(lemma: str) -> str:
    if lemma in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


# "confirmed" → "confirm": the reporting verbs as news writes them after a name.
_PAST_TO_LEMMA = {_past(v): v for v in REPORTING_VERBS}


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ArticleEntities:
    """Named entities of one article (each once) and the reporting verbs right after a
    person or organisation ("the Pentagon confirmed" → ("the Pentagon", "confirm"))."""

    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    speakers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CorpusOverview:
    articles: int
    paragraphs: int
    outlets: tuple[Count, ...]  # most articles first
    first_day: str | None
    last_day: str | None
    per_day: tuple[Count, ...]  # ISO day → articles, in day order (days without any left out)
    undated: int
    people: tuple[Count, ...] = ()
    organisations: tuple[Count, ...] = ()
    places: tuple[Count, ...] = ()
    questions: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CorpusOverview:
        counts = ("outlets", "per_day", "people", "organisations", "places")
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in counts:
            values[name] = tuple(Count(c["name"], c["count"]) for c in values.get(name, ()))
        values["questions"] = tuple(values.get("questions", ()))
        return cls(**values)


# -- entities ------------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = _POSSESSIVE.sub("", " ".join(text.split()))
    return text.strip(" .,;:\"'“”‘’()")


def article_entities(texts: Sequence[str]) -> list[ArticleEntities]:
    """Entities of each article, given as its title and lead paragraphs joined by blank
    lines (one pipeline batch for all of them)."""
    found = []
    for doc in parse_all(texts, only=("ner",)):
        kinds: dict[str, dict[str, None]] = {"people": {}, "organisations": {}, "places": {}}
        speakers: dict[tuple[str, str], None] = {}
        for ent in doc.ents:
            kind = _KINDS.get(ent.label_)
            name = _clean(ent.text)
            the = ent.start > 0 and doc[ent.start - 1].lower_ == "the"
            if name[:4] in ("The ", "the "):
                name, the = name[4:], True
            if kind is None or len(name) < 2 or not name[0].isupper():
                continue
            kinds[kind][name] = None
            if kind == "places" or ent.end >= len(doc):
                continue
            verb = _PAST_TO_LEMMA.get(doc[ent.end].lower_)
            if verb is not None and not ent.text.endswith(("’s", "'s")):
                speakers[(f"the {name}" if the else name, verb)] = None
        found.append(
            ArticleEntities(
                tuple(kinds["people"]),
                tuple(kinds["organisations"]),
                tuple(kinds["places"]),
                tuple(speakers),
            )
        )
    return found


def _full_names(people: Iterable[str]) -> dict[str, str]:
    """'Putin' → 'Vladimir Putin' when that is the only full name in the corpus ending so."""
    full: dict[str, set[str]] = {}
    for name in people:
        if " " in name:
            full.setdefault(name.split()[-1], set()).add(name)
    return {last: next(iter(names)) for last, names in full.items() if len(names) == 1}


def _merged(counts: Counter[str], full: Mapping[str, str]) -> Counter[str]:
    merged: Counter[str] = Counter()
    for name, n in counts.items():
        merged[full.get(name, name)] += n
    return merged


def _top(counts: Counter[str], n: int = TOP) -> tuple[Count, ...]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return tuple(Count(name, c) for name, c in ranked[:n])


def _topic(speaker: str, places: Counter[str], df: Mapping[str, int], articles: int) -> str | None:
    """The place named most often beside a speaker (the more common one in the corpus of a
    tie: a question the corpus holds answers to), leaving out a
    place every article names when there is another: a question about what all articles
    mention asks about nothing in particular."""
    names = set(speaker.split())
    candidates = [p for p in places if not names & set(p.split())]
    rare = [p for p in candidates if df.get(p, 0) < articles] or candidates
    if not rare:
        return None
    return min(rare, key=lambda p: (-places[p], -df.get(p, 0), p))


def example_questions(
    speakers: Counter[tuple[str, str]],
    topics: Mapping[tuple[str, str], str | None],
    people: Sequence[Count],
    limit: int = 2 * QUESTIONS,
) -> list[str]:
    """A few questions the corpus can answer: what the people and bodies quoted most often
    said, confirmed or denied, each about the place named most with them; one question per
    speaker; the most named people when no reporting verb follows a name."""
    questions: list[str] = []
    asked: set[str] = set()
    ranked = sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
    for (speaker, verb), _ in ranked:
        key = speaker.casefold().removeprefix("the ")
        if key in asked:
            continue
        asked.add(key)
        topic = topics.get((speaker, verb))
        questions.append(f"What did {speaker} {verb}" + (f" about {topic}?" if topic else "?"))
        if len(questions) == limit:
            return questions
    for person in people:
        if person.name.casefold() not in asked:
            asked.add(person.name.casefold())
            questions.append(f"What did {person.name} say?")
            if len(questions) == limit:
                break
    return questions


# -- the overview --------------------------------------------------------------------------
def _day(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        return None


def build_overview(
    entries: Sequence[ManifestEntry],
    entities: Mapping[str, ArticleEntities],
    answered: Callable[[str], bool] = lambda q: True,
) -> CorpusOverview:
    """The overview of the completely indexed ``entries``; ``entities`` by article id. Of
    the candidate questions, the first few that ``answered`` accepts are kept (the chat
    asks its backend: an example that gets a refusal teaches nothing)."""
    done = [e for e in entries if e.state == "done"]
    outlets = Counter(e.source for e in done if e.source)
    days = Counter(d for d in (_day(e.published_at) for e in done) if d)
    kinds: dict[str, Counter[str]] = {k: Counter() for k in ("people", "organisations", "places")}
    found = [entities.get(e.id, ArticleEntities()) for e in done]
    for f in found:
        kinds["people"].update(f.people)
        kinds["organisations"].update(f.organisations)
        kinds["places"].update(f.places)
    full = _full_names(kinds["people"])
    people = _top(_merged(kinds["people"], full))
    speakers: Counter[tuple[str, str]] = Counter()
    near: dict[tuple[str, str], Counter[str]] = {}
    for f in found:
        for s, v in dict.fromkeys((full.get(s, s), v) for s, v in f.speakers):
            speakers[(s, v)] += 1
            near.setdefault((s, v), Counter()).update(f.places)
    topics = {k: _topic(k[0], c, kinds["places"], len(done)) for k, c in near.items()}
    return CorpusOverview(
        articles=len(done),
        paragraphs=sum(e.paragraphs for e in done),
        outlets=_top(outlets, n=len(outlets)),
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        per_day=tuple(Count(d, days[d]) for d in sorted(days)),
        undated=len(done) - sum(days.values()),
        people=people,
        organisations=_top(kinds["organisations"]),
        places=_top(kinds["places"]),
        questions=tuple(
            itertools.islice(
                (q for q in example_questions(speakers, topics, people) if answered(q)),
                QUESTIONS,
            )
        ),
    )


LeadTexts = Callable[[Sequence[ManifestEntry]], Mapping[str, str]]


class OverviewCache:
    """The overview of an index, kept in ``folder`` (a data dir's overview/): entities per
    article by content hash, and the last overview by index version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(
        self,
        entries: Sequence[ManifestEntry],
        lead_texts: LeadTexts,
        answered: Callable[[str], bool] = lambda q: True,
    ) -> CorpusOverview:
        """The overview of ``entries``; ``lead_texts(entries)`` gives, by article id, the
        title and first paragraphs of articles whose entities are not kept yet; example
        questions are kept when ``answered`` (build_overview)."""
        done = [e for e in entries if e.state == "done"]
        version = index_key({e.id: e.content_hash for e in done})[:32]
        saved = self._read(f"overview-{_FORMAT}-{version}.json")
        if saved is not None:
            try:
                return CorpusOverview.from_json(saved)
            except (TypeError, KeyError):
                pass  # written by another version: computed again
        kept = self._read(f"entities-{_FORMAT}.json") or {}
        entities: dict[str, ArticleEntities] = {}
        for e in done:
            row = kept.get(e.id)
            if row and row.get("hash") == e.content_hash:
                entities[e.id] = _entities_from(row)
        missing = [e for e in done if e.id not in entities]
        if missing:
            texts = lead_texts(missing)
            parsed = article_entities([texts.get(e.id, e.title) for e in missing])
            entities.update(zip((e.id for e in missing), parsed, strict=True))
            rows = {e.id: {"hash": e.content_hash, **asdict(entities[e.id])} for e in done}
            self._write(f"entities-{_FORMAT}.json", rows)
        overview = build_overview(done, entities, answered)
        for old in self.folder.glob("overview-*.json"):
            old.unlink(missing_ok=True)
        self._write(f"overview-{_FORMAT}-{version}.json", overview.to_json())
        return overview

    def _read(self, name: str) -> Any:
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, name: str, data: object) -> None:
        """Atomically (a page served in another thread may be reading it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, self.folder / name)


def _entities_from(row: Mapping[str, Any]) -> ArticleEntities:
    return ArticleEntities(
        tuple(row.get("people", ())),
        tuple(row.get("organisations", ())),
        tuple(row.get("places", ())),
        tuple((s, v) for s, v in row.get("speakers", ())),
    )


def lead_paragraph_ids(entries: Iterable[ManifestEntry]) -> list[str]:
    """Ids of the first paragraphs of each article (``{article_id}:{index}``)."""
    return [f"{e.id}:{i}" for e in entries for i in range(min(LEAD_PARAGRAPHS, e.paragraphs))]


# -- filters that match nothing ------------------------------------------------------------
def _names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def empty_filter_message(filters: Filters, entries: Sequence[ManifestEntry]) -> str | None:
    """Why no indexed article can answer under ``filters`` ("No articles from Reuters are
    indexed", "0 articles match these dates ..."), or None when some article matches.
    Said instead of "the articles do not answer this", which blames the articles."""
    if not filters:
        return None
    done = [e for e in entries if e.state == "done"]
    if filters.sources and not {e.source for e in done} & set(filters.sources):
        return f"No articles from {_names(filters.sources)} are indexed."
    if filters.article_ids and not {e.id for e in done} & set(filters.article_ids):
        return f"No article with the id {_names(filters.article_ids)} is indexed."
    chosen = [
        e
        for e in done
        if (not filters.sources or e.source in filters.sources)
        and (not filters.article_ids or e.id in filters.article_ids)
    ]
    if not (filters.since or filters.until):
        return None
    since, until = filters.since or dt.date.min, filters.until or dt.date.max
    if any(
        d is not None and since.isoformat() <= d <= until.isoformat()
        for d in map(_day, (e.published_at for e in chosen))
    ):
        return None
    span = f"{filters.since or '…'} to {filters.until or '…'}"
    among = f" from {_names(filters.sources)}" if filters.sources else ""
    return f"0 articles{among} match these dates ({span})."
