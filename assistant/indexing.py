"""Incremental indexing: read sources, skip unchanged articles, replace changed ones.

Order of writes, so a run killed at any moment converges on the next run:
manifest ``pending`` → old vectors deleted, new vectors upserted → manifest ``done``.
A run first clears what an interrupted run left ``pending``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import iter_sources, read_source
from ingest.manifest import Manifest
from ingest.models import Article
from vectorstore.store import ParagraphStore

FLUSH_PARAGRAPHS = 512


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


class Indexer:
    def __init__(
        self,
        store: ParagraphStore,
        manifest: Manifest,
        max_file_bytes: int = 20 * 1024 * 1024,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.manifest = manifest
        self.max_file_bytes = max_file_bytes
        self.on_change = on_change
        self._orphans: set[str] = set()

    def recover(self) -> int:
        """Drop half-written articles of an interrupted run; their sources re-add them."""
        pending = self.manifest.pending()
        for article_id in pending:
            self.store.delete_article(article_id)
            self.manifest.remove(article_id)
        return len(pending)

    def index(self, paths: Iterable[str | Path], progress: Progress | None = None) -> IndexReport:
        progress = progress or Progress()
        report = IndexReport()
        report.removed += self.recover()
        sources = list(iter_sources(paths))
        progress.start(len(sources))
        done = self.manifest.done_hashes()
        batch: list[tuple[Article, str]] = []
        seen: set[str] = set()

        def flush() -> None:
            articles = [a for a, _ in batch]
            self.manifest.begin(articles)
            written = self.store.add_articles(articles)
            self.manifest.commit([a.id for a in articles])
            for article, status in batch:
                self._relocate(article)
                setattr(report, status, getattr(report, status) + 1)
                done[article.id] = article.content_hash
            report.paragraphs += written
            progress.paragraphs_done(written)
            batch.clear()

        for source in sources:
            if isinstance(source, IngestError):
                report.failed.append(source)
                continue
            for item in read_source(source, self.max_file_bytes):
                if isinstance(item, IngestError):
                    report.failed.append(item)
                    continue
                if item.id in seen or done.get(item.id) == item.content_hash:
                    if item.id not in seen:
                        report.unchanged += 1
                    seen.add(item.id)
                    self._relocate(item)
                    continue
                seen.add(item.id)
                batch.append((item, "updated" if item.id in done else "new"))
                if sum(len(a.paragraphs) for a, _ in batch) >= FLUSH_PARAGRAPHS:
                    flush()
            progress.file_done(str(source))
        if batch:
            flush()
        for article_id in self._orphans - seen:
            if not self.manifest.locations_of(article_id) and self.remove(article_id):
                report.removed += 1
        self._orphans.clear()
        if report.changed and self.on_change:
            self.on_change()
        return report

    def _relocate(self, article: Article) -> None:
        """Point the article's location at it; what it held before may be orphaned, which
        is decided at the end of the run (a record may just have moved within a file)."""
        if article.location is None:
            return
        previous = self.manifest.article_at(article.location)
        self.manifest.set_location(article.location, article.id)
        if previous and previous != article.id:
            self._orphans.add(previous)

    def remove(self, article_id: str) -> bool:
        if self.manifest.get(article_id) is None:
            return False
        self.store.delete_article(article_id)
        self.manifest.remove(article_id)
        return True
