"""Pure helpers behind the chat page: turns, the saved conversation in the URL, filters from
widget values, uploads, errors.
No Streamlit import here, so all of it is testable on its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.conversations import CLI, Conversation, ConversationSummary, title_for
from assistant.errors import BriefingError
from assistant.models import Answer
from assistant.render_text import time_left
from ingest.loaders import SUPPORTED_SUFFIXES
from ui import auth
from vectorstore.filters import Filters
from vectorstore.indexing import IndexReport, Progress

log = logging.getLogger("briefing.ui")

# What the upload box accepts (the loaders say which of these they can read; a format they
# cannot read yet is reported for that file like any other bad input).
UPLOAD_TYPES = sorted(
    {"txt", "md", "markdown", "html", "htm", "pdf", "docx", "json", "jsonl"}
    | {s.lstrip(".") for s in SUPPORTED_SUFFIXES}
)


@dataclass(slots=True)
class ChatTurn:
    """One question and its answer, with the filters it was asked under."""

    question: str
    result: Answer
    filters: Filters = field(default_factory=Filters)

    @property
    def answer(self) -> str:
        """The answer text (what backends read as conversation history)."""
        return self.result.text


# -- the saved conversation ---------------------------------------------------------------
# The page URL names the conversation on it (?c=ID), so a reload, which starts a new
# Streamlit session, reopens it from the conversation store.
CONVERSATION_PARAM = "c"


def conversation_param(value: str | None) -> int | None:
    """The conversation id in the URL's query value; None when absent or not an id."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def chat_turns(conversation: Conversation) -> list[ChatTurn]:
    """A saved conversation's turns as the page shows them (the filters they were asked
    under are not saved, so they show without the filter caption)."""
    return [ChatTurn(t.question, t.answer) for t in conversation.turns]


def conversation_label(title: str, turns: int) -> str:
    """A saved conversation in the sidebar list: its title and how many questions."""
    return f"{title} ({turns})"


TODAY, YESTERDAY, EARLIER = "Today", "Yesterday", "Earlier"
FROM_THE_CLI = "Asked with `briefing ask`"


def local_time(stamp: str | None, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """A recorded time (ISO, UTC) in the viewer's time zone (the server's when unknown)."""
    if not stamp:
        return None
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(tz) if tz else when.astimezone()


def when_label(when: dt.datetime | None, today: dt.date) -> str:
    """``09:31`` today, ``yesterday 17:02``, ``5 Nov`` this year, ``5 Nov 2023`` before."""
    if when is None:
        return "undated"
    day = when.date()
    if day == today:
        return when.strftime("%H:%M")
    if day == today - dt.timedelta(days=1):
        return "yesterday " + when.strftime("%H:%M")
    label = f"{day.day} {when.strftime('%b')}"
    return label if day.year == today.year else f"{label} {day.year}"


@dataclass(frozen=True, slots=True)
class ListedConversation:
    """A saved conversation as the sidebar lists it: its summary and when it was last used,
    said for the viewer ("09:31", "5 Nov")."""

    summary: ConversationSummary
    when: str


def conversation_groups(
    summaries: Sequence[ConversationSummary],
    now: dt.datetime,
    limit: int = 30,
) -> list[tuple[str, list[ListedConversation]]]:
    """The sidebar's conversations, newest first, grouped by when they were last used
    (today, yesterday, earlier: in ``now``'s time zone), each dated; those started with
    `briefing ask` are a group of their own at the end, so that the command line's many
    one-off questions do not crowd the chat's. At most ``limit`` in each group."""
    today = now.date()
    groups: dict[str, list[ListedConversation]] = {TODAY: [], YESTERDAY: [], EARLIER: []}
    cli: list[ListedConversation] = []
    for c in summaries:
        when = local_time(c.updated_at or c.created_at, now.tzinfo)
        item = ListedConversation(c, when_label(when, today))
        if c.origin == CLI:
            cli.append(item)
        elif when is not None and when.date() == today:
            groups[TODAY].append(item)
        elif when is not None and when.date() == today - dt.timedelta(days=1):
            groups[YESTERDAY].append(item)
        else:
            groups[EARLIER].append(item)
    found = [(label, items[:limit]) for label, items in groups.items() if items]
    return found + ([(FROM_THE_CLI, cli[:limit])] if cli else [])


class _Conversations(Protocol):
    def list(self) -> list[ConversationSummary]: ...
    def rename(self, conversation_id: int, title: str) -> bool: ...
    def delete(self, conversation_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class ConversationChanges:
    """Renaming and deleting saved conversations, as the sidebar offers them. Readers read,
    editors change: without ``allowed`` (``auth.may_edit`` of the viewer) nothing changes,
    whatever calls it; every change made is a record of the audit log naming who made it,
    the conversation and its title before. Each returns whether it changed one."""

    store: _Conversations
    audit: auth.AuditLog
    viewer: auth.Viewer
    allowed: bool

    def _saved(self, conversation_id: int) -> ConversationSummary | None:
        return next((c for c in self.store.list() if c.id == conversation_id), None)

    def rename(self, conversation_id: int, title: str) -> bool:
        if not self.allowed or not title.strip():
            return False
        before = self._saved(conversation_id)
        if before is None or title_for(title) == before.title:
            return False
        if not self.store.rename(conversation_id, title):
            return False
        auth.record(
            self.audit,
            self.viewer.label,
            "rename conversation",
            conversation=conversation_id,
            title_before=before.title,
            title=title_for(title),
        )
        return True

    def delete(self, conversation_id: int) -> bool:
        if not self.allowed:
            return False
        before = self._saved(conversation_id)
        if before is None or not self.store.delete(conversation_id):
            return False
        auth.record(
            self.audit,
            self.viewer.label,
            "delete conversation",
            conversation=conversation_id,
            title=before.title,
            turns=before.turns,
        )
        return True


# -- filters -------------------------------------------------------------------------------
def publisher_options(sources: Iterable[str]) -> list[str]:
    return sorted({s for s in sources if s}, key=str.casefold)


def date_bounds(dates: Iterable[str | None]) -> tuple[dt.date, dt.date] | None:
    """First and last publication day of the indexed articles (None when none is dated)."""
    days = []
    for raw in dates:
        if not raw:
            continue
        try:
            days.append(dt.date.fromisoformat(raw[:10]))
        except ValueError:
            continue
    return (min(days), max(days)) if days else None


def make_filters(
    sources: Sequence[str],
    date_range: Sequence[dt.date] | dt.date | None,
    bounds: tuple[dt.date, dt.date] | None,
) -> Filters:
    """Filters from the sidebar widgets. An end of the range left at the corpus bound is no
    limit, so undated articles stay searchable until the analyst narrows the range; a
    half-picked range (one day chosen) filters from that day on."""
    if isinstance(date_range, dt.date):
        date_range = (date_range,)
    picked = tuple(date_range or ())
    since = until = None
    if picked and bounds:
        if picked[0] > bounds[0]:
            since = picked[0]
        if len(picked) > 1 and picked[1] < bounds[1]:
            until = picked[1]
    return Filters(sources=tuple(sources), since=since, until=until)


def carry_range(
    picked: Sequence[dt.date] | dt.date | None,
    old: tuple[dt.date, dt.date] | None,
    new: tuple[dt.date, dt.date],
) -> tuple[dt.date, dt.date]:
    """The analyst's date range once the corpus bounds moved (an upload added days): an end
    left at the old corpus bound follows the new bound, a narrowed end stays where it was
    (within the new bounds)."""
    if isinstance(picked, dt.date):
        picked = (picked,)
    picked = tuple(picked or ())
    if not picked or old is None:
        return new
    start = new[0] if picked[0] <= old[0] else min(max(picked[0], new[0]), new[1])
    end = picked[1] if len(picked) > 1 else old[1]
    end = new[1] if end >= old[1] else max(min(end, new[1]), start)
    return start, end


# -- backends ------------------------------------------------------------------------------
def backend_options(configured: str, extra: Iterable[str] = ()) -> list[str]:
    """The configured backend first, then the offline extractive one, then any others."""
    options = [configured, "extractive", *extra]
    return list(dict.fromkeys(o for o in options if o))


# -- uploads -------------------------------------------------------------------------------
def upload_limit_mb(max_file_bytes: int) -> int:
    """The upload widget's limit in MB (Streamlit's unit), never above the indexer's."""
    return max(1, max_file_bytes // (1024 * 1024))


# Letters and digits of any script stay ("报告.txt", "Отчёт.docx"): \w is Unicode-aware.
_UNSAFE_NAME = re.compile(r"[^\w. -]+")


def safe_file_name(name: str) -> str:
    """A file name that stays inside the uploads folder and keeps its suffix and its
    letters, whatever their script."""
    base = Path(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    base = _UNSAFE_NAME.sub("_", base).strip(" .") or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Write an uploaded file into ``folder`` and return where. An earlier upload is never
    overwritten: a file of the same name with other content (another analyst's, or an
    edited version) is saved beside it under the name plus a content-hash prefix, so the
    indexer sees a new article rather than a replacement of the earlier one; the same file
    uploaded again is the same path."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = safe_file_name(name)
    digest = hashlib.sha256(data).hexdigest()
    candidates = [safe, f"{digest[:12]}-{safe}"]
    candidates += [f"{digest[:12]}-{n}-{safe}" for n in range(2, 100)]
    for candidate in candidates:
        path = folder / candidate
        try:
            with path.open("xb") as f:  # exclusive: two sessions never write one file
                f.write(data)
            return path
        except FileExistsError:
            if path.read_bytes() == data:
                return path
    raise OSError(f"{safe}: too many different uploads of this name")


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What became of one uploaded file: "new", "updated", "unchanged" or "failed" (with
    the reasons), and its articles (a JSON Lines file holds several) and paragraphs."""

    name: str
    outcome: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    paragraphs: int = 0
    reasons: tuple[str, ...] = ()

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged


class _OneOfMany(Progress):
    """Progress of one file's run within a batch: the batch was started once already."""

    def __init__(self, batch: Progress) -> None:
        self.batch = batch

    def file_done(self, location: str) -> None:
        self.batch.file_done(location)

    def paragraphs_done(self, count: int) -> None:
        self.batch.paragraphs_done(count)


def index_uploads(
    index: Callable[[list[str], Progress], IndexReport],
    files: Sequence[tuple[str, Path]],
    progress: Progress,
) -> list[UploadOutcome]:
    """Index the saved uploads (name as uploaded, saved path) one file at a time, so that
    every file's outcome is known and reported, not only the batch's totals."""
    progress.start(len(files))
    outcomes = []
    for name, path in files:
        report = index([str(path)], _OneOfMany(progress))
        reasons = tuple(reason for _file, reason in failed_files(report.failed))
        if report.failed and not (report.new or report.updated or report.unchanged):
            outcome = "failed"
        elif report.new:
            outcome = "new"
        elif report.updated:
            outcome = "updated"
        else:
            outcome = "unchanged"
        counts = (report.new, report.updated, report.unchanged, report.paragraphs)
        outcomes.append(UploadOutcome(name, outcome, *counts, reasons=reasons))
    return outcomes


class UploadProgress(Progress):
    """Indexer progress → ``update(fraction, text)`` (a Streamlit progress bar in the app):
    files read, articles read inside a multi-record file (JSONL), paragraphs embedded out of
    those planned, with time left. Record counts are shown at most every ``every`` seconds,
    so a file of thousands of records does not send thousands of page updates."""

    def __init__(
        self,
        update: Callable[[float, str], object],
        clock: Callable[[], float] = time.monotonic,
        every: float = 0.25,
    ) -> None:
        self.update = update
        self.clock = clock
        self.every = every
        self.files = 0
        self.done = 0
        self.planned = 0
        self.embedded = 0
        self.embedding_since: float | None = None
        self.last_shown = float("-inf")

    def _fraction(self) -> float:
        if self.planned:
            return min(self.embedded / self.planned, 1.0)
        return min(self.done / self.files, 1.0) if self.files else 1.0

    def start(self, files: int) -> None:
        self.files = files
        self.update(0.0, f"Reading {files} file(s)…")

    def records_read(self, location: str, count: int) -> None:
        now = self.clock()
        if count < 2 or now - self.last_shown < self.every:
            return
        self.last_shown = now
        name = Path(location.partition("#")[0]).name
        self.update(self._fraction(), f"Read {count} articles of {name}…")

    def file_done(self, location: str) -> None:
        self.done += 1
        name = Path(location.partition("#")[0]).name
        self.update(self._fraction(), f"Read {name} ({self.done}/{self.files} files)")

    def paragraphs_planned(self, count: int) -> None:
        if count and self.embedding_since is None:
            self.embedding_since = self.clock()
        self.planned += count

    def paragraphs_done(self, count: int) -> None:
        self.embedded += count
        elapsed = self.clock() - (self.embedding_since or self.clock())
        text = f"Embedded {self.embedded}/{self.planned} paragraphs"
        left = time_left(self.embedded, self.planned, elapsed)
        self.update(self._fraction(), f"{text} · {left}" if left else text)


def failed_files(failed: Iterable[object]) -> list[tuple[str, str]]:
    """(file name, reason) of each IngestError, without the server's folder names."""
    rows = []
    for err in failed:
        location = str(getattr(err, "location", "?"))
        reason = str(getattr(err, "reason", err))
        name, sep, rest = location.partition("#")  # "file.jsonl#3": a record in a file
        rows.append((Path(name).name + sep + rest, reason))
    return rows


# -- errors --------------------------------------------------------------------------------
def describe_error(exc: BaseException) -> tuple[str, str]:
    """(what went wrong, what to do) for the page; tracebacks go to the server log only."""
    if isinstance(exc, BriefingError):
        return str(exc), exc.hint or "See the server log for details."
    log.error("unexpected error in the chat", exc_info=exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    what = f"Unexpected error ({type(exc).__name__})" + (f": {text[:300]}" if text else "")
    return what, (
        "Reload the page to retry. If you use a Chroma server (BRIEFING_CHROMA_HOST) or an "
        "LLM backend, check that it runs; details are in the server log."
    )
