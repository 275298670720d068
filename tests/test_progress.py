"""Indexing progress events: counts while one multi-record file is read and embedded, for
every kind of source, checked on the events the CLI's bar and the chat's bar are fed."""

import json
from pathlib import Path

import pytest

from vectorstore import indexing
from vectorstore.indexing import Progress

TOPICS = ("harbour", "ferry", "grain", "rail", "bridge", "pier", "canal")


def body(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return "\n\n".join(
        f"Inspectors of the {topic} office number {i} filed report {j} on Monday, "
        f"noting {i * 3 + j} items for the port council to review."
        for j in range(3)
    )


def record(i: int) -> dict[str, str]:
    return {
        "title": f"Port note {i}",
        "source": "Harbour Ledger",
        "published_at": f"2024-03-{1 + i % 28:02d}",
        "body": body(i),
    }


def write_jsonl(folder: Path, n: int) -> list[Path]:
    path = folder / "feed.jsonl"
    path.write_text("\n".join(json.dumps(record(i)) for i in range(n)) + "\n")
    return [path]


def write_json(folder: Path, n: int) -> list[Path]:
    path = folder / "feed.json"
    path.write_text(json.dumps([record(i) for i in range(n)]))
    return [path]


def write_markdown(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = folder / f"note-{i}.md"
        path.write_text(f"# Port note {i}\n\n{body(i)}\n")
        paths.append(path)
    return paths


class Recorder(Progress):
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, files: int) -> None:
        self.events.append(("start", files))

    def file_done(self, location: str) -> None:
        self.events.append(("file", Path(location).name))

    def records_read(self, location: str, count: int) -> None:
        self.events.append(("records", count))

    def paragraphs_planned(self, count: int) -> None:
        self.events.append(("planned", count))

    def paragraphs_done(self, count: int) -> None:
        self.events.append(("embedded", count))

    def of(self, kind: str) -> list[object]:
        return [v for k, v in self.events if k == kind]


@pytest.mark.parametrize(
    ("write", "files", "records_per_file"),
    [(write_jsonl, 1, 30), (write_json, 1, 30), (write_markdown, 6, 1)],
    ids=["jsonl", "json", "markdown"],
)
def test_progress_counts_records_and_embedded_paragraphs(  # type: ignore[no-untyped-def]
    assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write, files, records_per_file
) -> None:
    monkeypatch.setattr(indexing, "UPSERT_BATCH", 8)  # several embedding steps on small data
    folder = tmp_path / "in"
    folder.mkdir()
    paths = write(folder, files * records_per_file)
    seen = Recorder()
    report = assistant.indexer().index(paths, seen)
    assert report.new == files * records_per_file and not report.failed

    assert seen.events[0] == ("start", files)
    assert len(seen.of("file")) == files
    # Records are counted one by one inside a file: 1, 2, …, n for each file.
    assert seen.of("records") == list(range(1, records_per_file + 1)) * files
    # What is embedded is announced first, then counted off in steps up to that total.
    planned, embedded = seen.of("planned"), seen.of("embedded")
    assert sum(planned) == sum(embedded) == report.paragraphs  # type: ignore[arg-type]
    assert len(embedded) >= report.paragraphs // 8 // 2  # steps, not one jump at the end
    total = done = 0
    for kind, value in seen.events:
        if kind == "planned":
            total += value  # type: ignore[operator]
        elif kind == "embedded":
            done += value  # type: ignore[operator]
            assert 0 < done <= total


def test_unchanged_file_plans_nothing(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_jsonl(tmp_path, 5)
    assistant.indexer().index(paths)
    seen = Recorder()
    report = assistant.indexer().index(paths, seen)
    assert report.unchanged == 5
    assert sum(seen.of("planned")) == 0 and seen.of("embedded") == []  # type: ignore[arg-type]
