"""The ``briefing`` command line: index, ask, status, list, remove, ui."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from assistant.errors import BriefingError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(
    help="Briefing assistant: answers about your news articles, every claim cited.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder (default: BRIEFING_DATA_DIR or user data dir)."),
]


class Format(str, Enum):
    text = "text"
    json = "json"


def _settings(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    return Settings(data_dir=data_dir) if data_dir else Settings()


def _assistant(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from assistant.service import BriefingAssistant

    return BriefingAssistant(_settings(data_dir))


def _fail(exc: BriefingError) -> NoReturn:
    err.print(f"error: {exc}", markup=False)
    if exc.hint:
        err.print(f"hint: {exc.hint}", markup=False)
    raise typer.Exit(2)


class _BarProgress:
    def __init__(self, bar: RichProgress) -> None:
        self.bar = bar
        self.files = bar.add_task("files", total=None)
        self.paras = bar.add_task("paragraphs embedded", total=None)

    def start(self, files: int) -> None:
        self.bar.update(self.files, total=files)

    def file_done(self, location: str) -> None:
        self.bar.advance(self.files)

    def paragraphs_done(self, count: int) -> None:
        self.bar.advance(self.paras, count)


@app.command()
def index(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of articles.")],
    data_dir: DataDir = None,
) -> None:
    """Index articles (txt, md, json, jsonl); unchanged ones are skipped."""
    try:
        assistant = _assistant(data_dir)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with RichProgress(*columns, console=err, transient=True) as bar:
            report = assistant.indexer().index(paths, _BarProgress(bar))
    except BriefingError as exc:
        _fail(exc)
    for failure in report.failed:
        err.print(f"failed: {failure.location}: {failure.reason}", markup=False)
    table = Table(title="Indexed")
    for name in ("new", "updated", "unchanged", "removed", "failed", "paragraphs"):
        table.add_column(name, justify="right")
    table.add_row(
        *(str(x) for x in (report.new, report.updated, report.unchanged, report.removed,
                           len(report.failed), report.paragraphs))
    )
    out.print(table)
    if report.failed:
        raise typer.Exit(1)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this publisher (repeatable).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only articles from this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Only articles up to this date.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Answer a question from the indexed articles, with numbered citations."""
    from assistant.export.schema import answer_json
    from assistant.render_text import answer_text
    from vectorstore.filters import Filters

    filters = Filters(
        sources=tuple(source or ()), since=_date(since, "--since"), until=_date(until, "--until")
    )
    try:
        answer = _assistant(data_dir).ask(question, filters=filters)
    except BriefingError as exc:
        _fail(exc)
    if format is Format.json:
        sys.stdout.write(answer_json(answer) + "\n")
    else:
        out.print(answer_text(answer), markup=False, end="")


@app.command()
def status(data_dir: DataDir = None) -> None:
    """Show what is indexed and where."""
    try:
        s = _assistant(data_dir).status()
    except BriefingError as exc:
        _fail(exc)
    for label, value in (
        ("articles", s.articles),
        ("paragraphs", s.paragraphs),
        ("vectors", s.vectors),
        ("data dir", s.data_dir),
        ("store", s.store),
        ("model", s.model),
        ("last indexed", s.last_indexed_at or "never"),
    ):
        out.print(f"{label:>13}: {value}", markup=False)


@app.command("list")
def list_articles(data_dir: DataDir = None) -> None:
    """List indexed articles."""
    try:
        entries = _assistant(data_dir).manifest.entries()
    except BriefingError as exc:
        _fail(exc)
    table = Table()
    for name in ("id", "title", "source", "date", "paragraphs", "indexed at"):
        table.add_column(name)
    for e in entries:
        table.add_row(e.id, e.title, e.source, e.published_at or "", str(e.paragraphs),
                      e.indexed_at)
    out.print(table)


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
        err.print(f"not indexed: {a}", markup=False)
    if missing:
        raise typer.Exit(1)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501,
    data_dir: DataDir = None,
) -> None:
    """Start the browser chat (Streamlit) on 127.0.0.1."""
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    if data_dir:
        env["BRIEFING_DATA_DIR"] = str(data_dir)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
    ]
    out.print(f"Briefing chat on http://127.0.0.1:{port}", markup=False)
    raise typer.Exit(subprocess.call(cmd, env=env))


if __name__ == "__main__":
    app()
