"""The ``briefing`` command line: index, ask, status, list, remove, conversations, export,
brief, verify, ui, llm serve."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from assistant.errors import BriefingError, IndexOutdated
from assistant.export import FORMATS

# Imported where used: a command loads only what it needs (`briefing list` reads the
# manifest and never imports Chroma, LangChain or a model; bench/startup.py measures it).
if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.table import Table

    from assistant.render_text import Line
    from assistant.service import BriefingAssistant
    from vectorstore.manifest import ManifestEntry

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# The model's "Loading weights" bar would garble the indexing progress bar.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

app = typer.Typer(
    help="Briefing assistant: answers about your news articles, every claim cited.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # docstrings rewrapped to the terminal, not cut at their breaks
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder (default: BRIEFING_DATA_DIR or user data dir)."),
]
# The filters `ask` and `brief` share.
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only this publisher (repeatable).")
]
SinceOption = Annotated[str | None, typer.Option(help="Only articles from this date.")]
UntilOption = Annotated[str | None, typer.Option(help="Only articles up to this date.")]


# typer offers an option's choices from an Enum: both are built from the export registry
# (mypy cannot follow an Enum built from a variable, hence the ignores).
TEXT = "text"  # `ask` only: the answer and its sources as plain text
Format = StrEnum("Format", [(n, n) for n in (TEXT, *FORMATS)])  # type: ignore[misc]
ExportFormatName = StrEnum("ExportFormatName", [(n, n) for n in FORMATS])  # type: ignore[misc]


Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file. Without it md, json, html and text go to standard output; "
        "docx and pdf (binary) go to a new file named after the question or conversation "
        "in the current folder.",
    ),
]


def _settings(data_dir: Path | None):  # type: ignore[no-untyped-def]
    """The settings; a bad one ends the command with one line per bad setting (its
    variable, its value, what is allowed) and exit status 2."""
    from assistant.errors import SettingsInvalid
    from assistant.settings import load_settings

    try:
        return load_settings(data_dir=data_dir) if data_dir else load_settings()
    except SettingsInvalid as exc:
        for problem in exc.problems:
            err.print(f"error: {_safe(problem)}", markup=False)
        raise typer.Exit(2) from None


def _assistant(data_dir: Path | None) -> BriefingAssistant:
    settings = _settings(data_dir)  # before the service's imports: a bad setting fails fast
    from assistant.service import BriefingAssistant

    return BriefingAssistant(settings)


# -- what the screen shows ---------------------------------------------------------------
def _width() -> int | None:
    """The terminal's columns when standard output is one; None when piped or redirected
    (then nothing is wrapped: the full text, one line per line, for the tools that read
    it)."""
    return out.width if out.is_terminal else None


def _show(lines: Sequence[Line]) -> None:
    """Lines of the terminal layout (assistant.render_text), wrapped to the terminal, the
    direct answer line bold; plain full lines when piped."""
    from assistant.render_text import wrapped

    width = _width()
    for line in lines:
        for row in wrapped(line, width):
            out.print(Text(row, style=line.style or ""), soft_wrap=True)


@contextmanager
def _working(message: str) -> Iterator[None]:
    """A spinner on the terminal's standard error while a command works; nothing when
    standard error is not a terminal."""
    if not err.is_terminal:
        yield
        return
    with err.status(message, spinner="dots"):
        yield


NO_ARTICLES = "no articles are indexed in {where}"
INDEX_HINT = (
    "add articles with `briefing index PATH` (files, folders or http(s) URLs; "
    "`briefing index samples/` indexes the demo corpus)"
)


def _require_articles(assistant: BriefingAssistant) -> None:
    """An empty index cannot answer: say how to add articles, exit 1 (not a refusal)."""
    if assistant.status().articles:
        return
    err.print(f"error: {_safe(NO_ARTICLES.format(where=assistant.index.where))}", markup=False)
    err.print(f"hint: {INDEX_HINT}", markup=False)
    raise typer.Exit(1)


def _safe(text: object) -> str:
    """Untrusted text for the terminal: no control characters (assistant.render_text)."""
    from assistant.render_text import terminal_safe

    return terminal_safe(str(text))


def _failed_line(failure) -> str:  # type: ignore[no-untyped-def]
    """``failed: LOCATION: REASON`` on one line: a file name (which may hold a newline, a
    terminal escape or a bidi control) and the reason naming it are shown escaped, so no
    name forges a second line."""
    from assistant.render_text import one_line

    return f"failed: {one_line(str(failure.location))}: {one_line(str(failure.reason))}"


def _cells(*values: object) -> list[Text]:
    """Table cells shown as text: rich would read "[link=...]" in a title as markup."""
    return [Text(_safe(v)) for v in values]


def _fail(exc: BriefingError) -> NoReturn:
    err.print(f"error: {_safe(exc)}", markup=False)
    if exc.hint:
        err.print(f"hint: {_safe(exc.hint)}", markup=False)
    raise typer.Exit(2)


class _BarProgress:
    """Files, the articles read from the current file (many in a JSONL file) and paragraphs
    embedded out of those planned so far, with the time elapsed and the time left: for a
    terminal."""

    def __init__(self, bar: RichProgress) -> None:
        self.bar = bar
        self.files = bar.add_task("files", total=None)
        self.records = bar.add_task("articles read", total=None, visible=False)
        self.paras = bar.add_task("paragraphs embedded", total=None)
        self.planned = 0

    def start(self, files: int) -> None:
        self.bar.update(self.files, total=files)

    def file_done(self, location: str) -> None:
        self.bar.advance(self.files)

    def records_read(self, location: str, count: int) -> None:
        name = Path(location.partition("#")[0]).name
        self.bar.update(
            self.records, completed=count, visible=count > 1, description=f"articles in {name}"
        )

    def paragraphs_planned(self, count: int) -> None:
        self.planned += count
        self.bar.update(self.paras, total=self.planned)

    def paragraphs_done(self, count: int) -> None:
        self.bar.advance(self.paras, count)


def _bar(console: Console) -> RichProgress:
    """The terminal's bar: ``done/total`` (``done`` alone while the total is unknown: the
    articles of a JSONL file), the time elapsed and, once known, the time left."""
    from rich.progress import (
        BarColumn,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    class Count(ProgressColumn):
        def render(self, task):  # type: ignore[no-untyped-def]
            done = int(task.completed)
            return Text(f"{done}/{int(task.total)}" if task.total is not None else str(done))

    return RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        Count(),
        TimeElapsedColumn(),
        TextColumn("elapsed ·"),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=console,
        transient=True,
    )


class LineProgress:
    """Progress for a pipe or a log file, where a bar prints nothing: one line every
    ``every`` seconds with the counts so far and the embedding rate, and a last line when
    the run ends (``finish``). ``emit`` writes a line; ``clock`` gives seconds."""

    def __init__(
        self,
        emit: Callable[[str], object],
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.emit, self.every, self.clock = emit, every, clock
        self.began = clock()
        self.last = self.began
        self.files = self.done = self.records = 0
        self.reading = ""
        self.planned = self.embedded = 0
        self.embedding_since: float | None = None

    def start(self, files: int) -> None:
        self.files = files
        self.emit(f"indexing: {files} {'source' if files == 1 else 'sources'}")

    def file_done(self, location: str) -> None:
        self.done += 1
        self.records = 0
        self._tick()

    def records_read(self, location: str, count: int) -> None:
        self.records, self.reading = count, Path(location.partition("#")[0]).name
        self._tick()

    def paragraphs_planned(self, count: int) -> None:
        if count and self.embedding_since is None:
            self.embedding_since = self.clock()
        self.planned += count

    def paragraphs_done(self, count: int) -> None:
        self.embedded += count
        self._tick()

    def _tick(self) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.emit(self.line(now))

    def line(self, now: float) -> str:
        """``indexing: 3/8 files · 150 articles read from feed.jsonl · 1200/5000 paragraphs
        embedded (85/s) · 0:14 elapsed, about 45 s left``."""
        from assistant.render_text import time_left

        parts = [f"{self.done}/{self.files} files"]
        if self.records > 1:
            parts.append(f"{self.records} articles read from {self.reading}")
        if self.planned:
            since = self.embedding_since or self.began
            rate = self.embedded / (now - since) if now > since else 0.0
            parts.append(f"{self.embedded}/{self.planned} paragraphs embedded ({rate:.0f}/s)")
        left = time_left(self.embedded, self.planned, now - (self.embedding_since or now))
        when = f"{_clock(now - self.began)} elapsed" + (f", {left}" if left else "")
        return "indexing: " + " · ".join([*parts, when])

    def finish(self) -> None:
        now = self.clock()
        took = now - self.began
        rate = f" ({self.embedded / took:.0f} paragraphs/s)" if self.embedded and took else ""
        self.emit(
            f"indexed: {self.done}/{self.files} files, {self.embedded} paragraphs embedded "
            f"in {_clock(took)}{rate}"
        )


def _clock(seconds: float) -> str:
    """``0:14``, ``12:05``, ``1:02:09``."""
    s = int(seconds)
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


@contextmanager
def _progress() -> Iterator[object]:
    """The indexer's progress: a bar on a terminal's standard error, else lines."""
    if err.is_terminal:
        with _bar(err) as bar:
            yield _BarProgress(bar)
        return
    lines = LineProgress(lambda text: err.print(text, markup=False, soft_wrap=True))
    yield lines
    lines.finish()


@app.command()
def index(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (read recursively) or http(s) URLs.")
    ],
    prune: Annotated[
        bool, typer.Option("--prune", help="Also remove articles whose files under PATHS are gone.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Index articles (txt, md, html, pdf, docx, json, jsonl, URLs); unchanged ones are
    skipped, edited ones replaced."""
    try:
        try:
            assistant = _assistant(data_dir)
        except IndexOutdated as exc:
            from assistant.service import index_config
            from vectorstore.upgrade import upgrade

            done = upgrade(index_config(_settings(data_dir)), exc)  # a team index: raised
            gone = f" ({done.missing} no longer exist)" if done.missing else ""
            err.print(
                f"{exc}: re-indexing the {len(done.sources)} sources it held{gone} into the "
                f"new layout; the old index is kept in {done.backup}",
                markup=False,
            )
            assistant = _assistant(data_dir)
            paths = done.paths(paths)
        with _progress() as progress:
            report = assistant.indexer().index(paths, progress, prune=prune)  # type: ignore[arg-type]
    except BriefingError as exc:
        _fail(exc)
    for failure in report.failed:
        err.print(_failed_line(failure), markup=False)
    from rich.table import Table

    table = Table(title="Indexed")
    for name in ("new", "updated", "unchanged", "removed", "failed", "paragraphs"):
        table.add_column(name, justify="right")
    table.add_row(
        *(
            str(x)
            for x in (
                report.new,
                report.updated,
                report.unchanged,
                report.removed,
                len(report.failed),
                report.paragraphs,
            )
        )
    )
    out.print(table)
    _print_repairs(report)
    if report.failed:
        raise typer.Exit(1)


def _print_repairs(report) -> None:  # type: ignore[no-untyped-def]
    """What a run mended of a store that disagreed with its manifest (#16)."""
    if report.repaired or report.orphans:
        err.print(
            f"repaired: {report.repaired} articles whose vectors were missing written again, "
            f"{report.orphans} stored paragraphs of no indexed article deleted",
            markup=False,
        )


@app.command()
def repair(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Also index these (needed when the manifest itself was lost)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check every stored paragraph against the manifest: read again the articles whose
    vectors are missing or of another version, delete vectors no article owns; a damaged
    store is set aside and rebuilt from the manifest and the sources."""
    from vectorstore.errors import StoreDamaged

    try:
        try:
            report = _assistant(data_dir).indexer().repair(paths or ())
        except StoreDamaged as exc:  # at opening, or found while checking it
            from assistant.service import index_config
            from vectorstore.upgrade import set_aside_store

            backup = set_aside_store(index_config(_settings(data_dir)), exc)
            err.print(
                _safe(f"{exc}: rebuilding it from the manifest and the sources; the damaged "
                      f"store is kept in {backup}"),
                markup=False,
            )  # fmt: skip
            report = _assistant(data_dir).indexer().repair(paths or ())
    except BriefingError as exc:
        _fail(exc)
    for failure in report.failed:
        err.print(_failed_line(failure), markup=False)
    _print_repairs(report)
    out.print(
        f"repaired {report.repaired} articles, deleted {report.orphans} orphan paragraphs"
        + (f", indexed {report.new} new" if report.new else ""),
        markup=False,
    )
    if report.adopted:
        err.print(
            f"kept: {report.adopted} articles the store holds that the paths given do not; "
            "their files are unknown until indexed again (`briefing index PATH`)",
            markup=False,
        )
    if report.failed:
        raise typer.Exit(1)


def _conversation_id(value: str | None, name: str) -> int | None:
    """A conversation id as given on the command line; one that no conversation can have
    (not a whole number, below 1, beyond SQLite's integers) ends the command in one line."""
    from assistant.conversations import MAX_ID

    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    err.print(
        f"error: {name} {_safe(repr(value))} is not a conversation id: ids are whole numbers "
        f"from 1 to {MAX_ID} (see `briefing conversations`)",
        markup=False,
    )
    raise typer.Exit(2)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format[TEXT],
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    article: Annotated[
        list[str] | None,
        typer.Option("--article", help="Only this article id (repeatable; see `briefing list`)."),
    ] = None,
    output: Output = None,
    conversation: Annotated[
        str | None,
        typer.Option(
            "--conversation",
            "-c",
            metavar="ID",
            help="Continue this saved conversation (its id).",
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option(help="Save the question and answer as a conversation turn.")
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Answer a question from the indexed articles, with numbered citations. Each question is
    saved as a new conversation, or as the next turn of --conversation ID."""
    from assistant.conversations import CLI, ConversationHandle
    from vectorstore.filters import Filters

    filters = Filters(
        sources=tuple(source or ()),
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        article_ids=tuple(article or ()),
    )
    conversation_id = _conversation_id(conversation, "--conversation")
    # the service saves the turn; marked as asked here, so the chat lists it apart
    handle = ConversationHandle(conversation_id, save=save, origin=CLI)
    try:
        assistant = _assistant(data_dir)
        _require_articles(assistant)
        if assistant.read_only and save:
            handle.save = False
            err.print("note: the data dir is read-only: this question is not saved", markup=False)
        with _working("Searching the articles…"):
            answer = assistant.ask(question, filters=filters, conversation=handle)
    except BriefingError as exc:
        _fail(exc)
    if format == TEXT and output is None:
        from assistant.render_text import answer_lines

        _show(answer_lines(answer))
    elif format == "json" and output is None:
        from assistant.export.schema import answer_json

        sys.stdout.write(answer_json(answer) + "\n")
    else:
        _write_answer(answer, format.value, output, assistant.provenance(filters))
    if saved := handle.saved:
        err.print(
            f"saved: conversation {saved[0]}, turn {saved[1]} "
            f"(continue with --conversation {saved[0]})",
            markup=False,
        )


class ListFormat(StrEnum):
    table = "table"
    json = "json"


ListFormatOption = Annotated[
    ListFormat, typer.Option("--format", "-f", help="table, or json for scripts.")
]


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@app.command()
def status(data_dir: DataDir = None, format: ListFormatOption = ListFormat.table) -> None:
    """Show what is indexed and where; exit 1 when the store disagrees with the manifest."""
    try:
        assistant = _assistant(data_dir)
        s = assistant.status()
        check = assistant.index.check()
    except BriefingError as exc:
        _fail(exc)
    if format == ListFormat.json:
        _print_json(
            {
                "articles": s.articles,
                "paragraphs": s.paragraphs,
                "vectors": s.vectors,
                "data_dir": s.data_dir,
                "store": s.store,
                "model": s.model,
                "last_indexed_at": s.last_indexed_at,
                "intact": check.ok,
                "problems": list(check.problems()),
            }
        )
        if not check.ok:
            raise typer.Exit(1)
        return
    for label, value in (
        ("articles", s.articles),
        ("paragraphs", s.paragraphs),
        ("vectors", s.vectors),
        ("data dir", s.data_dir),
        ("store", s.store),
        ("model", s.model),
        ("last indexed", s.last_indexed_at or "never"),
    ):
        out.print(f"{label:>13}: {_safe(value)}", markup=False)
    if not s.articles:
        err.print(f"hint: {INDEX_HINT}", markup=False)
    if not check.ok:
        for problem in check.problems():
            err.print(f"damaged: {problem}", markup=False)
        err.print(
            "hint: run `briefing repair` (with the folders you indexed if the manifest was lost)",
            markup=False,
        )
        raise typer.Exit(1)


def _print_table(table: Table) -> None:
    """A table at the terminal's width; piped, at its full width (nothing wrapped or cut),
    without the padding a terminal needs."""
    if out.is_terminal:
        out.print(table)
        return
    import io

    from rich.measure import Measurement

    wide = Console(width=100_000, highlight=False, color_system=None)
    natural = Measurement.get(wide, wide.options, table).maximum
    text = io.StringIO()
    Console(file=text, width=max(1, natural), highlight=False, color_system=None).print(table)
    rows = [row.rstrip() for row in text.getvalue().splitlines()]
    sys.stdout.write("".join(row + "\n" for row in rows if row))


def _entries(data_dir: Path | None) -> list[ManifestEntry]:
    """The indexed articles. An embedded index's manifest is read alone (no store, no model:
    `briefing list` starts at once); a team index, a read-only data dir or a manifest with
    an interrupted run to recover go through the whole index."""
    settings = _settings(data_dir)
    from vectorstore.layout import IndexFiles

    path = IndexFiles(settings.data_dir, settings.collection).manifest
    if not settings.chroma_host and path.is_file() and os.access(settings.data_dir, os.W_OK):
        from vectorstore.manifest import Manifest

        manifest = Manifest(path)
        try:
            if not manifest.pending():
                return manifest.entries()
        finally:
            manifest.close()
    return _assistant(data_dir).manifest.entries()


def _minutes(stamp: str | None) -> str:
    """``2024-11-05 09:30`` of an ISO time (UTC, as recorded)."""
    return (stamp or "").replace("T", " ")[:16]


@app.command("list")
def list_articles(data_dir: DataDir = None, format: ListFormatOption = ListFormat.table) -> None:
    """List indexed articles with their full ids (for --article and remove): one line each
    in a terminal (long titles cut), full titles when piped or with --format json."""
    try:
        entries = _entries(data_dir)
    except BriefingError as exc:
        _fail(exc)
    if format == ListFormat.json:
        fields = ("id", "title", "source", "url", "published_at", "author", "paragraphs")
        _print_json(
            [{**{f: getattr(e, f) for f in fields}, "indexed_at": e.indexed_at} for e in entries]
        )
        return
    if not entries:
        err.print("No articles are indexed yet.", markup=False)
        err.print(f"hint: {INDEX_HINT}", markup=False)
        return
    from rich import box
    from rich.table import Table

    wide = not out.is_terminal or out.width >= 140
    # A terminal gets one line per article: the columns take what they need (the id whole:
    # it is copied into --article and `remove`), the title the rest, cut with "…".
    fixed = {
        "id": max(len(e.id) for e in entries),
        "date": 10,
        "source": min(20, max(len(e.source) for e in entries)),
        "paras": 5,
        "indexed (UTC)": 16,
    }
    if not wide:
        del fixed["indexed (UTC)"]
    room = out.width - sum(fixed.values()) - 2 * len(fixed) - 1
    title = max(20, room) if out.is_terminal else None
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for name, size in fixed.items():
        cut = "ellipsis" if name == "source" else "ignore"
        right = "right" if name == "paras" else "left"
        size_or_none = size if out.is_terminal else None
        table.add_column(name, justify=right, no_wrap=True, overflow=cut, width=size_or_none)  # type: ignore[arg-type]
    table.add_column("title", no_wrap=True, overflow="ellipsis", width=title)
    for e in entries:
        cells = [e.id, (e.published_at or "")[:10], e.source, e.paragraphs]
        cells += [_minutes(e.indexed_at)] if wide else []
        table.add_row(*_cells(*cells, e.title))
    _print_table(table)


@app.command()
def remove(
    article_ids: Annotated[list[str], typer.Argument(help="Article ids (see `briefing list`).")],
    data_dir: DataDir = None,
) -> None:
    """Remove articles from the index."""
    try:
        indexer = _assistant(data_dir).indexer()
    except BriefingError as exc:
        _fail(exc)
    missing = [a for a in article_ids if not indexer.remove(a)]
    for a in missing:
        err.print(f"not indexed: {_safe(a)}", markup=False)
    if missing:
        raise typer.Exit(1)


def _conversations(settings):  # type: ignore[no-untyped-def]
    from assistant.conversations import open_conversations

    return open_conversations(settings)


def _write(data: bytes, binary: bool, output: Path | None, default_name: str) -> None:
    """To ``output``, else text to standard output and binary to a new file in the cwd."""
    if output is None and not binary:
        text = data.decode("utf-8")
        # a terminal, not a pipe: the exports keep C1 controls of article text, it must not
        sys.stdout.write(_safe(text) if sys.stdout.isatty() else text)
        return
    path = output
    if path is None:
        path = Path(default_name)
        stem, suffix, n = path.stem, path.suffix, 2
        while path.exists():  # a default name never overwrites a file
            path, n = Path(f"{stem}-{n}{suffix}"), n + 1
    try:
        path.write_bytes(data)
    except OSError as exc:
        from assistant.errors import ExportError

        _fail(ExportError(f"{path}: cannot write ({exc.strerror})"))
    err.print(f"wrote {path}", markup=False)


def _write_answer(answer, fmt: str, output: Path | None, header=None) -> None:  # type: ignore[no-untyped-def]
    from assistant.export import export_answer, export_format, file_name
    from assistant.render_text import answer_block

    if fmt == TEXT:  # what the screen shows: the answer, its quotes and its sources
        _write(answer_block(answer).encode("utf-8"), False, output, "")
        return
    try:
        data = export_answer(answer, fmt, header)
    except BriefingError as exc:
        _fail(exc)
    _write(data, export_format(fmt).binary, output, file_name(answer.question, fmt))


@app.command("conversations")
def list_conversations(data_dir: DataDir = None) -> None:
    """List saved conversations, from `briefing ask` and the chat alike (newest first);
    export one with `briefing export ID`."""
    try:
        summaries = _conversations(_settings(data_dir)).list()
    except BriefingError as exc:
        _fail(exc)
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("last asked (UTC)", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("questions", justify="right", no_wrap=True)
    table.add_column("title", overflow="fold")
    for c in summaries:
        when = _minutes(c.updated_at or c.created_at)
        table.add_row(*_cells(c.id, when, c.origin or "", c.turns, c.title))
    _print_table(table)


@app.command("export")
def export_conversation(
    conversation: Annotated[
        str,
        typer.Argument(metavar="CONVERSATION_ID", help="Conversation id (see `conversations`)."),
    ],
    format: Annotated[
        ExportFormatName, typer.Option("--format", "-f", help="File format.")
    ] = ExportFormatName["md"],
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """Export a saved conversation as a briefing (every answer with its numbered sources)."""
    from assistant.conversations import now
    from assistant.export import export_conversation as render
    from assistant.export import export_format
    from assistant.view import Provenance

    conversation_id = _conversation_id(conversation, "CONVERSATION_ID")
    fmt = format.value
    settings = _settings(data_dir)
    header = Provenance(  # without opening the index: a saved conversation exports alone
        generated_at=now(),
        corpus="the index the conversation was asked of",
        filters="not saved with the conversation",
        backend=settings.backend,
    )
    try:
        conv = _conversations(settings).get(conversation_id)
        data = render(conv, fmt, header)
    except BriefingError as exc:
        _fail(exc)
    binary = export_format(fmt).binary
    _write(data, binary, output, f"briefing-{conversation_id}{export_format(fmt).extension}")


@app.command()
def brief(
    topic: Annotated[str, typer.Argument(help="What the briefing is about.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format[TEXT],
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    new_since: Annotated[
        str | None,
        typer.Option(
            help="Mark as new the claims of articles published after this date (default: "
            "those indexed since the last briefing on the same topic)."
        ),
    ] = None,
    output: Output = None,
    data_dir: DataDir = None,
) -> None:
    """A briefing on a topic: key claims with who stands behind them, conflicts, a timeline,
    what is new and the sources, every line cited."""
    from assistant.brief import document
    from assistant.brief.build import build
    from assistant.export import export_briefing, export_format, file_name
    from vectorstore.filters import Filters

    if not topic.strip():
        raise typer.BadParameter("the topic is empty", param_hint="TOPIC")
    filters = Filters(
        sources=tuple(source or ()), since=_date(since, "--since"), until=_date(until, "--until")
    )
    after = _date(new_since, "--new-since")
    fmt = format.value
    try:
        assistant = _assistant(data_dir)
        _require_articles(assistant)
        with _working(f"Reading who said what about {topic}…"):
            briefing = build(assistant, topic, filters, new_since=after)
        if fmt == TEXT and output is None:
            from assistant.render_text import text_lines

            # on a terminal wrapped to its width, each line under its own start
            _show(text_lines(_safe(document.text(briefing))))
            return
        data = (
            document.text(briefing).encode("utf-8")
            if fmt == TEXT
            else export_briefing(briefing, fmt)
        )
    except BriefingError as exc:
        _fail(exc)
    binary = fmt != TEXT and export_format(fmt).binary
    _write(data, binary, output, file_name(f"briefing {topic}", fmt) if fmt != TEXT else "")


@app.command()
def verify(
    file: Annotated[
        Path, typer.Argument(help="An answer, conversation or briefing exported as JSON.")
    ],
    data_dir: DataDir = None,
) -> None:
    """Re-check a JSON export against the current index: every quote, its article's
    title, publisher, date, URL, stance and speaker; an answer's text, question, scope,
    direct answer line, refusal and related paragraphs (and the answer saved in the data
    dir's conversations, when it was saved); a briefing's claims, groups, conflicts,
    timeline and sections, rebuilt from the paragraphs it quotes. Exit 1 when anything
    changed, vanished or was altered; 2 when the file cannot be read."""
    from assistant.conversations import conversations_kept
    from assistant.export.schema import BriefingOut
    from assistant.export.verify import AnswerCheck, QuoteCheck, check_document, read_document

    try:
        doc = read_document(file)
        assistant = _assistant(data_dir)
        saved = conversations_kept(assistant.settings)
        conversations = assistant.conversations if saved else None  # (none created here)
        report = check_document(doc, assistant.store, assistant.manifest, conversations)
    except BriefingError as exc:
        _fail(exc)
    checks: list[QuoteCheck | AnswerCheck] = [*report.quotes, *report.answers]
    turns = len({c.turn for c in checks if c.turn}) > 1
    unit = "section" if isinstance(doc, BriefingOut) else "question"
    for c in checks:
        where = f"{unit} {c.turn} " if turns and c.turn else ""
        line = f"{c.status.upper():>8}  {where}{c.label}: {c.detail}"
        (out if c.ok else err).print(_safe(line), markup=False)
    bad = [c for c in report.quotes if not c.ok]
    out.print(
        f"{len(report.quotes)} quotes checked: {len(report.quotes) - len(bad)} ok, "
        f"{len(bad)} not ok; {len(report.answers)} problem(s) in the answer text",
        markup=False,
    )
    if not report.ok:
        raise typer.Exit(1)


def ui_command(port: int, max_file_bytes: int = 20 * 1024 * 1024) -> list[str]:
    """The Streamlit command serving the chat on 127.0.0.1:``port`` (no usage stats); the
    server refuses uploads over the indexer's file limit too, not only the widget."""
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    flags = {
        "server.maxUploadSize": str(max(1, max_file_bytes // (1024 * 1024))),  # in MB
        "server.headless": "true",
        "server.address": "127.0.0.1",
        "server.port": str(port),
        "browser.gatherUsageStats": "false",
        "server.fileWatcherType": "none",
        "client.toolbarMode": "minimal",
    }
    args = [item for key, value in flags.items() for item in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(app_path), *args]


# How long `briefing ui` waits for Streamlit to stop after passing a signal on.
UI_STOP_GRACE_S = 4.0


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def serve(cmd: list[str], env: dict[str, str], grace: float = UI_STOP_GRACE_S) -> int:
    """Run the server ``cmd`` until it exits; SIGTERM or SIGINT to this process is passed on
    to it, and it is killed if it has not stopped ``grace`` seconds later (without this, a
    SIGTERM ended the CLI and left Streamlit serving)."""

    def stop(signum: int, _frame: object) -> None:
        raise _Stop(signum)

    proc = subprocess.Popen(cmd, env=env)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return proc.wait()
    except _Stop as exc:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 128 + exc.signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501,
    data_dir: DataDir = None,
) -> None:
    """Start the browser chat (Streamlit) on 127.0.0.1; SIGTERM or Ctrl-C stops it."""
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    if data_dir:
        env["BRIEFING_DATA_DIR"] = str(data_dir)
    cmd = ui_command(port, _settings(data_dir).max_file_bytes)
    out.print(f"Briefing chat on http://127.0.0.1:{port}", markup=False)
    raise typer.Exit(serve(cmd, env))


# -- a local model for written answers ------------------------------------------------------
llm_app = typer.Typer(
    help="A local GGUF model for written answers.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(llm_app, name="llm")


@llm_app.command("serve")
def llm_serve(
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="GGUF model file (default: the file of a llamacpp: backend setting, else the "
            "bundled SmolLM2 test model).",
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=0, max=65535, help="Port on 127.0.0.1 (default BRIEFING_LLM_PORT)."
        ),
    ] = None,
) -> None:
    """Serve a GGUF model as an OpenAI-compatible server on 127.0.0.1 (Ctrl-C stops it)."""
    from assistant.backends.llamacpp import ModelConfig
    from assistant.llm_server import MODEL_NAME, default_model, serve

    settings = _settings(None)
    try:
        path = model or default_model(settings)
        config = ModelConfig(
            path,
            settings.llm_threads,
            settings.llm_context,
            settings.llm_port if port is None else port,
            settings.llm_api_key,
        )

        def ready(url: str) -> None:
            out.print(f"Serving {path.name} at {url} (Ctrl-C stops it). Answer with it:")
            out.print(f"  BRIEFING_BACKEND=openai:{MODEL_NAME} BRIEFING_LLM_BASE_URL={url}")
            sys.stdout.flush()

        serve(config, ready)
    except BriefingError as exc:
        _fail(exc)


if __name__ == "__main__":
    app()
