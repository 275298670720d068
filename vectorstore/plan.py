"""What an indexing run changes, decided without touching the index: for one source read,
which of its articles are new, updated or unchanged, given what the manifest says is done.

Pure: the indexer (``vectorstore.indexing``) reads the sources and applies the plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from enum import StrEnum

from ingest.errors import IngestError
from ingest.models import Article
from vectorstore.manifest import Location, SourceRead


class Change(StrEnum):
    """What happens to an article read again (its name is the report's counter)."""

    NEW = "new"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class Write:
    """An article whose paragraphs are (re)written, at ``location``."""

    article: Article
    change: Change
    location: Location


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """What one source read changes. ``writes`` go through pending → vectors → done;
    ``kept`` are locations of articles already indexed in this version (or written earlier
    in this run); ``read`` is what the manifest records about the source afterwards."""

    writes: tuple[Write, ...]
    kept: tuple[Location, ...]
    unchanged: tuple[str, ...]  # article ids first met in this run, already indexed
    failed: tuple[IngestError, ...]
    read: SourceRead

    @property
    def article_ids(self) -> set[str]:
        """Every article this source holds (as far as it could be parsed)."""
        return {w.article.id for w in self.writes} | {loc.article_id for loc in self.kept}


def plan_source(
    source: str,
    fingerprint: str,
    items: Iterable[Article | IngestError],
    done: Mapping[str, str],
    seen: Set[str],
) -> SourcePlan:
    """The plan for ``items`` parsed from ``source`` (with this ``fingerprint``); ``done``
    maps indexed article ids to their content hash, ``seen`` holds the ids met earlier in
    this run (an article is written once per run, however many places hold it)."""
    writes: list[Write] = []
    kept: list[Location] = []
    unchanged: list[str] = []
    failed: list[IngestError] = []
    met = set(seen)
    for item in items:
        if isinstance(item, IngestError):
            failed.append(item)
            continue
        location = Location(item.location or source, source, item.id)
        if item.id in met or done.get(item.id) == item.content_hash:
            if item.id not in met:
                unchanged.append(item.id)
                met.add(item.id)
            kept.append(location)
            continue
        met.add(item.id)
        writes.append(Write(item, Change.UPDATED if item.id in done else Change.NEW, location))
    # A source read without errors is authoritative for what it holds; with errors its old
    # articles stay (nothing already indexed is lost to a bad edit).
    ok = not failed
    holds = frozenset(loc.location for loc in [*(w.location for w in writes), *kept])
    read = SourceRead(source, fingerprint if ok else None, holds if ok else None)
    return SourcePlan(tuple(writes), tuple(kept), tuple(unchanged), tuple(failed), read)
