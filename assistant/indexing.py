"""Incremental indexing: read sources, skip unchanged articles, replace changed ones.

Order of writes, so that a run killed at any moment converges on the next run to what a
clean run gives:

1. manifest ``pending`` for the articles of a batch;
2. their old vectors deleted, the new ones upserted (Chroma);
3. manifest ``done`` together with their locations (one transaction);
4. per source read: locations it no longer holds dropped, its fingerprint stored;
5. articles that no location holds any more are removed (pending → vectors → row).

A run starts by removing what an interrupted run left ``pending`` or without a location;
the sources re-add whatever is still theirs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import fetch_source, iter_sources, parse_source
from ingest.loaders.url import is_url
from ingest.manifest import Location, Manifest, SourceRead
from ingest.models import Article
from vectorstore.store import ParagraphStore

# Paragraphs embedded and written per batch, and sources read per batch at most (manifest
# transactions are per batch; a killed run redoes at most one batch).
FLUSH_PARAGRAPHS = 512
FLUSH_SOURCES = 200


@dataclass(slots=True)
class IndexReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    paragraphs: int = 0
    failed: list[IngestError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.removed)


class Progress:
    """Callbacks for a progress display; the default does nothing."""

    def start(self, files: int) -> None: ...
    def file_done(self, location: str) -> None: ...
    def paragraphs_done(self, count: int) -> None: ...


@dataclass(slots=True)
class _Batch:
    articles: list[tuple[Article, str]] = field(default_factory=list)  # (article, status)
    locations: list[Location] = field(default_factory=list)
    sources: list[SourceRead] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    paragraphs: int = 0

    def add(self, article: Article, status: str, location: Location) -> None:
        self.articles.append((article, status))
        self.locations.append(location)
        self.ids.add(article.id)
        self.paragraphs += len(article.paragraphs)


class Indexer:
    def __init__(
        self,
        store: ParagraphStore,
        manifest: Manifest,
        max_file_bytes: int = 20 * 1024 * 1024,
        on_change: Callable[[], None] | None = None,
        fetch_timeout: float = 30.0,
    ) -> None:
        self.store = store
        self.manifest = manifest
        self.max_file_bytes = max_file_bytes
        self.fetch_timeout = fetch_timeout
        self.on_change = on_change

    def recover(self) -> int:
        """Finish what an interrupted run left: drop half-written articles and articles no
        location holds; their sources, if still there, re-add them."""
        return self._discard(self.manifest.pending()) + self._discard(self.manifest.unlocated())

    def index(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        *,
        prune: bool = False,
    ) -> IndexReport:
        """Index files, folders and URLs. With ``prune``, articles whose files under
        ``paths`` are gone are removed too."""
        paths = list(paths)
        progress = progress or Progress()
        report = IndexReport()
        self._discard(self.manifest.pending())  # re-added below if their sources still hold them
        report.removed += self._discard(self.manifest.unlocated())
        found = list(iter_sources(paths))
        if prune:
            found = [s for s in found if not self._pruned_path(s)]
        progress.start(len(found))
        done = self.manifest.done_hashes()
        seen: set[str] = set()
        batch = _Batch()

        def flush() -> None:
            nonlocal batch
            articles = [a for a, _ in batch.articles]
            if articles:
                self.manifest.begin(articles)
                written = self.store.add_articles(articles)
                self.manifest.commit([a.id for a in articles], batch.locations)
                for article, status in batch.articles:
                    setattr(report, status, getattr(report, status) + 1)
                    done[article.id] = article.content_hash
                report.paragraphs += written
                progress.paragraphs_done(written)
            if batch.sources:
                self.manifest.finish_sources(batch.sources)
            batch = _Batch()

        for source in found:
            if isinstance(source, IngestError):
                report.failed.append(source)
                progress.file_done(source.location)
                continue
            try:
                raw = fetch_source(source, self.max_file_bytes, self.fetch_timeout)
            except IngestError as exc:
                report.failed.append(exc)
                progress.file_done(source)
                continue
            kept = self.manifest.unchanged_source(raw.location, raw.fingerprint)
            if kept is not None:  # same bytes as last time: nothing to parse
                report.unchanged += len(set(kept) - seen)
                seen.update(kept)
                progress.file_done(source)
                continue
            holds: list[str] = []
            ok = True
            for item in parse_source(raw):
                if isinstance(item, IngestError):
                    report.failed.append(item)
                    ok = False
                    continue
                location = Location(item.location or raw.location, raw.location, item.id)
                holds.append(location.location)
                if item.id in seen or done.get(item.id) == item.content_hash:
                    if item.id not in seen:
                        report.unchanged += 1
                        seen.add(item.id)
                    if item.id in batch.ids:  # its location is written with it
                        batch.locations.append(location)
                    else:
                        self.manifest.set_locations([location])
                    continue
                seen.add(item.id)
                batch.add(item, "updated" if item.id in done else "new", location)
            # A source read without errors is authoritative for what it holds; with errors
            # its old articles stay (nothing already indexed is lost to a bad edit).
            batch.sources.append(
                SourceRead(
                    raw.location, raw.fingerprint if ok else None, frozenset(holds) if ok else None
                )
            )
            if batch.paragraphs >= FLUSH_PARAGRAPHS or len(batch.sources) >= FLUSH_SOURCES:
                flush()
            progress.file_done(source)
        flush()
        if prune:
            self.manifest.forget_sources(self._gone_sources(paths, found))
        report.removed += self._discard(self.manifest.unlocated())
        if report.changed and self.on_change:
            self.on_change()
        return report

    def _pruned_path(self, source: str | IngestError) -> bool:
        """A given path that no longer exists is what --prune is for, not a failure, when
        the manifest holds sources under it."""
        if not isinstance(source, IngestError):
            return False
        return bool(_under(self.manifest.sources(), os.path.abspath(source.location)))

    def _gone_sources(self, paths: list[str | Path], found: list[str | IngestError]) -> set[str]:
        """Indexed files under ``paths`` that this run did not find."""
        present = {s for s in found if isinstance(s, str)}
        known = self.manifest.sources()
        gone: set[str] = set()
        for path in paths:
            if isinstance(path, str) and is_url(path):
                continue
            gone |= _under(known, os.path.abspath(path)) - present
        return gone

    def remove(self, article_id: str) -> bool:
        if self.manifest.get(article_id) is None:
            return False
        self._discard([article_id])
        return True

    def _discard(self, article_ids: list[str]) -> int:
        """Remove articles so that a crash at any point leaves them ``pending``."""
        if not article_ids:
            return 0
        self.manifest.mark_pending(article_ids)
        self.store.delete_articles(article_ids)
        self.manifest.remove_many(article_ids)
        return len(article_ids)


def _under(sources: set[str], folder: str) -> set[str]:
    """Sources that are ``folder`` itself or files below it (URLs never are)."""
    prefix = folder.rstrip(os.sep) + os.sep
    return {s for s in sources if not is_url(s) and (s == folder or s.startswith(prefix))}
