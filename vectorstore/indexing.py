"""Incremental indexing: read sources, skip unchanged articles, replace changed ones.

Order of writes, so that a run killed at any moment converges on the next run to what a
clean run gives:

1. manifest ``pending`` for the articles of a batch;
2. their old vectors deleted, the new ones upserted (Chroma);
3. manifest ``done`` together with their locations (one transaction);
4. per source read: locations it no longer holds dropped, its fingerprint stored;
5. articles that no location holds any more are removed (pending without a location →
   vectors → row).

A run starts by recovering what an interrupted run left ``pending``: its half-written
vectors go; an article without a location (being added or removed) goes, its source re-adds
it if it is still there; an article the manifest knows where to read (being replaced or
repaired) is kept, ``done`` without vectors, and read again like any article the store check
finds missing. Nothing a later run could not read again is ever deleted: a repair killed
anywhere loses nothing. Every run then compares every stored paragraph with the manifest in
content (``check_store``), deletes vectors of no article and reads again the articles whose
vectors are missing. Every run holds the index's writer lock from start to end
(``IndexHandle.writing``), so that cleanup only ever clears what a dead run left.

Per source, what changes is planned without touching the index (``vectorstore.plan``);
the run applies the plans in batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError, MissingPath, Unreadable
from ingest.loaders import fetch_source, iter_sources, parse_source
from ingest.loaders.raw import Limits, RawSource
from ingest.loaders.url import is_url
from ingest.models import Article, ArticleRef
from vectorstore.errors import IndexDamaged
from vectorstore.index import IndexHandle, check_store, recover
from vectorstore.manifest import Location, Manifest, SourceRead
from vectorstore.models import Passage
from vectorstore.plan import SourcePlan, plan_source
from vectorstore.store import UPSERT_BATCH, ParagraphStore

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
    repaired: int = 0  # articles whose lost vectors were written again
    orphans: int = 0  # stored paragraphs of no indexed article, deleted
    adopted: int = 0  # articles of a lost manifest kept from the store, their files unknown

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.removed)


class Progress:
    """Callbacks for a progress display; the default does nothing.

    ``start`` gives the sources found; ``records_read`` counts the articles read so far from
    the source being read (a JSONL or JSON file holds many); ``paragraphs_planned`` adds to
    the paragraphs this run will embed, which ``paragraphs_done`` then counts off, one
    upsert batch at a time, so a long file shows counts and time left while it is embedded."""

    def start(self, files: int) -> None: ...
    def file_done(self, location: str) -> None: ...
    def records_read(self, location: str, count: int) -> None: ...
    def paragraphs_planned(self, count: int) -> None: ...
    def paragraphs_done(self, count: int) -> None: ...


@dataclass(slots=True)
class _Batch:
    """Plans applied but not yet written: their articles go through pending → vectors →
    done together, then their sources are recorded."""

    writes: list[tuple[Article, str]] = field(default_factory=list)  # (article, change)
    locations: list[Location] = field(default_factory=list)
    sources: list[SourceRead] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    paragraphs: int = 0

    @property
    def full(self) -> bool:
        return self.paragraphs >= FLUSH_PARAGRAPHS or len(self.sources) >= FLUSH_SOURCES


class Indexer:
    """Indexes sources into an index, removes articles from it; each call is one run under
    the index's writer lock, on its current store."""

    def __init__(
        self,
        index: IndexHandle,
        max_file_bytes: int = 20 * 1024 * 1024,
        fetch_timeout: float = 30.0,
        limits: Limits | None = None,
    ) -> None:
        self.index_handle = index
        self.limits = limits or Limits(max_file_bytes=max_file_bytes)
        self.max_file_bytes = self.limits.max_file_bytes
        self.fetch_timeout = fetch_timeout

    def recover(self) -> int:
        """Finish what an interrupted run left: half-written vectors go, articles no location
        holds go (their sources, if still there, re-add them); articles the manifest knows
        where to read are kept, to be written again (``vectorstore.index.recover``)."""
        with self.index_handle.writing():
            return _Writer(self.index_handle).recover()

    def index(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        *,
        prune: bool = False,
    ) -> IndexReport:
        """Index files, folders and URLs. With ``prune``, articles whose files under
        ``paths`` are gone are removed too. URLs are fetched before the writer lock is
        taken: a slow server never keeps other runs waiting."""
        paths = list(paths)
        fetched = self._fetch_urls(paths)
        with self.index_handle.writing():
            run = _Run(
                _Writer(self.index_handle),
                progress or Progress(),
                self.limits,
                self.fetch_timeout,
                fetched,
            )
            return run.run(paths, prune)

    def repair(
        self, paths: Iterable[str | Path] = (), progress: Progress | None = None
    ) -> IndexReport:
        """Make the store agree with the manifest, checking every stored paragraph in
        content: the articles whose vectors are missing or of another version are read again
        from their sources, vectors no article owns are deleted; ``paths`` are indexed too
        (the only way back when the manifest itself was lost). As crash-safe as ``index``:
        killed anywhere, the next run goes on from where it was (``recover``)."""
        paths = list(paths)
        fetched = self._fetch_urls(paths)
        with self.index_handle.writing():
            run = _Run(
                _Writer(self.index_handle),
                progress or Progress(),
                self.limits,
                self.fetch_timeout,
                fetched,
            )
            return run.run(paths, prune=False)

    def _fetch_urls(self, paths: list[str | Path]) -> dict[str, RawSource | IngestError]:
        """The URLs among ``paths``, fetched (or the error of each), before any lock."""
        fetched: dict[str, RawSource | IngestError] = {}
        for path in paths:
            if isinstance(path, str) and is_url(path) and path not in fetched:
                try:
                    fetched[path] = fetch_source(
                        path, self.limits.max_file_bytes, self.fetch_timeout
                    )
                except IngestError as exc:
                    fetched[path] = exc
        return fetched

    def remove(self, article_id: str) -> bool:
        with self.index_handle.writing():
            writer = _Writer(self.index_handle)
            if writer.manifest.get(article_id) is None:
                return False
            writer.discard([article_id])
            return True


class _Writer:
    """The write protocol on the store and manifest current for this run."""

    def __init__(self, index: IndexHandle) -> None:
        self.store: ParagraphStore = index.store  # reopened by ``writing()`` if stale
        self.manifest: Manifest = index.manifest

    def recover(self) -> int:
        return recover(self.manifest, self.store) + self.discard(self.manifest.unlocated())

    def discard(self, article_ids: list[str]) -> int:
        """Remove articles so that a crash at any point leaves them ``pending`` without a
        location, which ``recover`` removes."""
        if not article_ids:
            return 0
        self.manifest.mark_removing(article_ids)
        self.store.delete_articles(article_ids)
        self.manifest.remove_many(article_ids)
        return len(article_ids)

    def write(self, batch: _Batch, embedded: Callable[[int], None] = lambda n: None) -> int:
        """A batch's articles pending → vectors → done with their locations, then its
        sources recorded; returns the paragraphs written. ``embedded(n)`` after each chunk
        of about one upsert batch of paragraphs."""
        written = 0
        articles = [a for a, _ in batch.writes]
        if articles:
            self.manifest.begin(articles)
            for chunk in _chunks(articles, UPSERT_BATCH):
                count = self.store.add_articles(chunk)
                written += count
                embedded(count)
            self.manifest.commit([a.id for a in articles], batch.locations)
        if batch.sources:
            self.manifest.finish_sources(batch.sources)
        return written


class _Run:
    """One ``Indexer.index`` call: find the sources, plan each, apply the plans in batches."""

    def __init__(
        self,
        writer: _Writer,
        progress: Progress,
        limits: Limits,
        fetch_timeout: float,
        fetched: dict[str, RawSource | IngestError] | None = None,
    ) -> None:
        self.writer = writer
        self.fetched = dict(fetched or {})  # URLs fetched before the lock was taken
        self.manifest = writer.manifest
        self.progress = progress
        self.limits = limits
        self.fetch_timeout = fetch_timeout
        self.report = IndexReport()
        self.done: dict[str, str] = {}
        self.seen: set[str] = set()
        self.repairing: set[str] = set()
        self.batch = _Batch()

    def run(self, paths: list[str | Path], prune: bool) -> IndexReport:
        writer = self.writer
        recover(self.manifest, writer.store)  # what it keeps is written again below
        self.report.removed += writer.discard(self.manifest.unlocated())
        found = list(iter_sources(paths))
        if prune:
            found = [s for s in found if not self._pruned_path(s)]
        self.done = self.manifest.done_hashes()
        found += self._repair(not paths, {s for s in found if isinstance(s, str)})
        self.progress.start(len(found))
        for source in found:
            self._source(source)
            if self.batch.full:
                self._flush()
            self.progress.file_done(source if isinstance(source, str) else source.location)
        self._flush()
        if prune:
            self.manifest.forget_sources(self._gone_sources(paths, found))
        self.report.removed += writer.discard(self.manifest.unlocated())
        return self.report

    def _repair(self, no_paths: bool, found: set[str]) -> list[str]:
        """Make the store agree with the manifest, every stored paragraph compared in content
        (equal counts prove nothing): delete vectors no article owns, and return the sources
        to read again for articles whose vectors are missing or of another version (their
        fingerprints forgotten, their ids out of ``done``: they are written again)."""
        store = self.writer.store
        check = check_store(self.manifest, store)
        if check.manifest_lost and no_paths:
            raise IndexDamaged(
                "; ".join(check.problems()),
                hint="Give the folders and files you indexed: `briefing repair PATH...` "
                "indexes them again and keeps the other articles the store holds.",
            )
        if check.manifest_lost:
            # Never deleted for not being under the paths given: kept, until a run reads
            # them from their files (or `remove` drops them).
            self.report.adopted = self._adopt(check.orphans)
            self.done = self.manifest.done_hashes()
            check = check_store(self.manifest, store)
        if check.orphans:
            store.delete_paragraphs(check.orphans)
            self.report.orphans = len(check.orphans)
        if not check.missing:
            return []
        self.repairing = set(check.missing)
        for article_id in self.repairing:
            self.done.pop(article_id, None)
        sources = self.manifest.sources_of(self.repairing)
        self.manifest.forget_fingerprints(sources)
        for article_id in sorted(self.repairing - self.manifest.located(self.repairing, True)):
            self.report.failed.append(
                IngestError(
                    f"article {article_id}",
                    "its vectors are incomplete and no file of it is known (the manifest was "
                    "lost); give its file or folder to `briefing repair PATH`",
                )
            )
        return sorted(sources - found)

    def _adopt(self, orphans: tuple[str, ...], chunk: int = 2000) -> int:
        """The articles of these stored paragraphs into the manifest, as their paragraphs'
        metadata describe them (one transaction): before a lost manifest's vectors are
        compared with the paths given, so that a crash after it loses nothing either."""
        found: dict[str, tuple[ArticleRef, int]] = {}
        passages: list[Passage] = []
        for start in range(0, len(orphans), chunk):
            for passage in self.writer.store.get(orphans[start : start + chunk]):
                passages.append(passage)
                ref, index = passage.article, passage.paragraph.index
                seen = found.get(ref.id)
                if seen is None or index == 0:
                    found[ref.id] = (ref, max(index + 1, seen[1] if seen else 0))
                else:
                    found[ref.id] = (seen[0], max(index + 1, seen[1]))
        self.manifest.adopt(found.values(), passages)
        return len(found)

    def _source(self, source: str | IngestError) -> None:
        """Read one source and apply its plan to the batch."""
        if isinstance(source, IngestError):
            self.report.failed.append(source)
            return
        try:
            raw = self.fetched.pop(source, None) or fetch_source(
                source, self.limits.max_file_bytes, self.fetch_timeout
            )
            if isinstance(raw, IngestError):
                raise raw
        except IngestError as exc:
            self.report.failed.append(exc)
            return
        kept = self.manifest.unchanged_source(raw.location, raw.fingerprint)
        if kept is not None:  # same bytes as last time: nothing to parse
            self.report.unchanged += len(set(kept) - self.seen)
            self.seen.update(kept)
            return
        items = self._counted(raw.location, parse_source(raw, self.limits))
        plan = plan_source(raw.location, raw.fingerprint, items, self.done, self.seen)
        self._apply(plan)

    def _counted(
        self, location: str, items: Iterable[Article | IngestError]
    ) -> Iterator[Article | IngestError]:
        for count, item in enumerate(items, start=1):
            self.progress.records_read(location, count)
            yield item

    def _apply(self, plan: SourcePlan) -> None:
        report, batch = self.report, self.batch
        report.failed.extend(plan.failed)
        report.unchanged += len(plan.unchanged)
        self.seen |= plan.article_ids
        for write in plan.writes:
            batch.writes.append((write.article, write.change.value))
            batch.locations.append(write.location)
            batch.ids.add(write.article.id)
            batch.paragraphs += len(write.article.paragraphs)
        self.progress.paragraphs_planned(sum(len(w.article.paragraphs) for w in plan.writes))
        for location in plan.kept:
            if location.article_id in batch.ids:  # its location is written with it
                batch.locations.append(location)
            else:
                self.manifest.set_locations([location])
        batch.sources.append(plan.read)

    def _flush(self) -> None:
        batch, report = self.batch, self.report
        written = self.writer.write(batch, self.progress.paragraphs_done)
        for article, change in batch.writes:
            if article.id in self.repairing:
                change = "repaired"
            setattr(report, change, getattr(report, change) + 1)
            self.done[article.id] = article.content_hash
        if batch.writes:
            report.paragraphs += written
        self.batch = _Batch()

    def _pruned_path(self, source: str | IngestError) -> bool:
        """A given path that no longer exists is what --prune is for, not a failure, when
        the manifest holds sources under it."""
        if not isinstance(source, MissingPath):
            return False
        return bool(_under(self.manifest.sources(), os.path.abspath(source.location)))

    def _gone_sources(self, paths: list[str | Path], found: list[str | IngestError]) -> set[str]:
        """Indexed files under ``paths`` that this run did not find; never one at or under
        a path it could not list or stat (what that holds is unknown, not gone)."""
        present = {s for s in found if isinstance(s, str)}
        known = self.manifest.sources()
        gone: set[str] = set()
        for path in paths:
            if isinstance(path, str) and is_url(path):
                continue
            gone |= _under(known, os.path.abspath(path)) - present
        for failed in found:
            if isinstance(failed, Unreadable):
                gone -= _under(gone, failed.location)
        return gone


def _chunks(articles: list[Article], paragraphs: int) -> Iterator[list[Article]]:
    """Consecutive runs of articles holding about ``paragraphs`` paragraphs each (an article
    is never split: its old paragraphs are replaced in one go)."""
    chunk: list[Article] = []
    size = 0
    for article in articles:
        chunk.append(article)
        size += len(article.paragraphs)
        if size >= paragraphs:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _under(sources: set[str], folder: str) -> set[str]:
    """Sources that are ``folder`` itself or files below it (URLs never are)."""
    prefix = folder.rstrip(os.sep) + os.sep
    return {s for s in sources if not is_url(s) and (s == folder or s.startswith(prefix))}
