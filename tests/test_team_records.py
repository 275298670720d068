"""Issue #29, team mode: with BRIEFING_POSTGRES_DSN set, saved conversations, the briefing
memory and the audit log live in PostgreSQL (tables ``conversations``/``turns``,
``briefings`` and ``audit_log`` of the collection's schema) instead of the data dir. The
same table of cases runs on both stores of conversations, and of the briefing memory, and
must give the same results, exports included; against a real server (tests/pg_support.py),
no mocks."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from assistant.brief.build import MEMORY_FILE, BriefingMemory, briefing_memory
from assistant.cli import app
from assistant.conversations import (
    CHAT,
    CLI,
    FILE_NAME,
    ConversationStore,
    conversations_kept,
    open_conversations,
)
from assistant.errors import ConversationNotFound, ConversationStoreError
from assistant.export import export_conversation
from assistant.models import Answer
from assistant.settings import Settings
from tests.golden.answers import golden_answer, injected_answer, refused_answer
from tests.pg_support import PostgresServer
from ui import auth
from ui.session import ConversationChanges

COLLECTION = "briefing"
T1, T2, T3, T4 = (f"2024-01-0{d}T00:00:00+00:00" for d in range(1, 5))


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:  # no PostgreSQL binaries here: `make postgres-deps`
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dsn(pg: PostgresServer) -> str:
    return pg.database()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    """Each backend's store, empty: the data dir's file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        opened = ConversationStore.in_data_dir(tmp_path / "data")
    else:
        opened = ConversationStore.in_postgres(request.getfixturevalue("dsn"), COLLECTION)
    yield opened
    opened.close()


def _saved(store: ConversationStore, answers: list[Answer]) -> int:
    """One conversation of ``answers``, its times fixed (T1, then a day per turn)."""
    cid = store.create(answers[0].question, created_at=T1, origin=CLI)
    for day, answer in enumerate(answers, start=2):
        store.add_turn(cid, answer, asked_at=f"2024-01-{day:02d}T00:00:00+00:00")
    return cid


def _two(store: ConversationStore) -> tuple[int, int]:
    """Two conversations: the first created first but asked last."""
    first = _saved(store, [golden_answer(), refused_answer()])  # asked T2, T3
    second = store.create("Second\n  question ", created_at=T2, origin=CHAT)
    return first, second


def _listed(store: ConversationStore) -> list[tuple[Any, ...]]:
    return [(c.id, c.title, c.created_at, c.turns, c.updated_at, c.origin) for c in store.list()]


def _raised(call: Callable[[], object]) -> str:
    try:
        call()
    except (ConversationNotFound, ConversationStoreError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return "nothing raised"


def _round_trip(store: ConversationStore) -> object:
    cid, first = store.save(golden_answer())
    again = store.save(injected_answer(), cid)
    conv = store.get(cid)
    answers = [t.answer for t in conv.turns]
    return (cid, first), again, answers == [golden_answer(), injected_answer()], conv.title


def _renamed(store: ConversationStore) -> object:
    first, _ = _two(store)
    done = (store.rename(first, "  A new\n title "), store.rename(99, "x"), store.rename(0, "x"))
    return done, _listed(store)[0][1]


def _deleted(store: ConversationStore) -> object:
    first, second = _two(store)
    done = (store.delete(first), store.delete(first), store.delete(-1))
    left = store.get(second)
    return done, _raised(lambda: store.get(first)), (left.id, left.title, left.turns)


# (case, what is done with an empty store, what it gives: the same on both backends)
CASES: list[tuple[str, Callable[[ConversationStore], object], object]] = [
    (
        "round trip",
        _round_trip,
        ((1, 1), (1, 2), True, golden_answer().question),
    ),
    (
        "list, most recently asked first",
        lambda s: (_two(s), _listed(s))[1],
        [(1, golden_answer().question, T1, 2, T3, CLI), (2, "Second question", T2, 0, None, CHAT)],
    ),
    ("rename", _renamed, ((True, False, False), "A new title")),
    (
        "delete",
        _deleted,
        (
            (True, False, False),
            "ConversationNotFound: no conversation 1",
            (2, "Second question", ()),
        ),
    ),
    (
        "unknown ids",
        lambda s: [
            _raised(lambda: s.get(42)),
            _raised(lambda: s.add_turn(42, golden_answer())),
            _raised(lambda: s.get(2**63)),
        ],
        ["ConversationNotFound: no conversation 42"] * 2
        + [f"ConversationNotFound: no conversation {2**63}"],
    ),
    (
        "saved answers in order",
        lambda s: [(c, p) for c, p, _ in (_two(s), s.saved_answers())[1]],
        [(1, 1), (1, 2)],
    ),
    (
        "history",
        lambda s: [t.answer for t in s.get(_saved(s, [golden_answer()])).history()],
        [golden_answer().text],
    ),
]


@pytest.mark.parametrize(("case", "run", "expected"), CASES, ids=[c[0] for c in CASES])
def test_conversation_cases(
    store: ConversationStore,
    case: str,
    run: Callable[[ConversationStore], object],
    expected: object,
) -> None:
    assert run(store) == expected


@pytest.mark.parametrize(
    "answers",
    [[golden_answer()], [golden_answer(), refused_answer(), injected_answer()]],
    ids=["one turn", "three turns"],
)
def test_export_is_the_same_from_postgres_as_from_sqlite(
    dsn: str, tmp_path: Path, answers: list[Answer]
) -> None:
    exports = []
    for store in (
        ConversationStore.in_data_dir(tmp_path),
        ConversationStore.in_postgres(dsn, COLLECTION),
    ):
        exports.append(export_conversation(store.get(_saved(store, answers)), "json"))
        store.close()
    assert exports[0] == exports[1]
    assert len(json.loads(exports[1])["turns"]) == len(answers)


@pytest.mark.parametrize(("stores", "threads"), [(1, 4), (2, 4)], ids=["one store", "two stores"])
def test_concurrent_turns_are_all_kept(dsn: str, stores: int, threads: int) -> None:
    """Threads appending to one conversation at once, through one store (a connection per
    thread) or two (as two analysts' processes): no turn lost, positions 1..N."""
    opened = [ConversationStore.in_postgres(dsn, COLLECTION) for _ in range(stores)]
    cid = opened[0].create("Shared")
    per_thread, start = 10, threading.Barrier(threads)
    positions: list[int] = []
    failures: list[BaseException] = []

    def append(store: ConversationStore, n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                answer = Answer(f"Q{n}-{i}?", "The articles do not answer this.", refused=True)
                positions.append(store.add_turn(cid, answer))
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [
        threading.Thread(target=append, args=(opened[n % stores], n)) for n in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not failures, failures
    total = per_thread * threads
    assert sorted(positions) == list(range(1, total + 1))
    turns = opened[-1].get(cid).turns
    assert len(turns) == total
    assert {t.question for t in turns} == {
        f"Q{n}-{i}?" for n in range(threads) for i in range(per_thread)
    }
    for store in opened:
        store.close()


def test_settings_choose_where_conversations_are_saved(dsn: str, tmp_path: Path) -> None:
    local = Settings(data_dir=tmp_path / "local", embedding_model="fake")
    team = Settings(data_dir=tmp_path / "team", embedding_model="fake", postgres_dsn=dsn)
    assert not conversations_kept(local) and conversations_kept(team)
    for settings in (local, team):
        store = open_conversations(settings)
        store.save(golden_answer())
        store.close()
    assert (local.data_dir / FILE_NAME).exists() and conversations_kept(local)
    assert not (team.data_dir / FILE_NAME).exists()  # the team's are in PostgreSQL only
    another = ConversationStore.in_postgres(dsn, COLLECTION)  # another analyst sees it
    assert [c.title for c in another.list()] == [golden_answer().question]
    another.close()


# -- the briefing memory ("since the last briefing") ---------------------------------------
OpenMemory = Callable[[], BriefingMemory]


@pytest.fixture(params=["sqlite", "postgres"])
def open_memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenMemory]:
    """Opens a BriefingMemory of one place per backend, empty at first: the data dir's file,
    or a fresh PostgreSQL database; each call another object (another analyst's)."""
    dsn = request.getfixturevalue("dsn") if request.param == "postgres" else None
    opened: list[BriefingMemory] = []

    def open_one() -> BriefingMemory:
        if dsn is None:
            opened.append(BriefingMemory(tmp_path))
        else:
            opened.append(BriefingMemory.in_postgres(dsn, COLLECTION))
        return opened[-1]

    yield open_one
    for memory in opened:
        memory.close()


def _remembered(memory: BriefingMemory, *records: tuple[str, str]) -> BriefingMemory:
    for topic, at in records:
        memory.remember(topic, at)
    return memory


def _two_analysts(open_memory: OpenMemory) -> object:
    ana, ben = open_memory(), open_memory()
    seen = [ben.last("floods")]
    ana.remember("Floods", T1)
    seen.append(ben.last("floods"))
    ben.remember("floods", T2)
    return [*seen, ana.last("FLOODS"), open_memory().last("floods")]


# (case, what is done with an empty memory, what it gives: the same on both backends)
MEMORY_CASES: list[tuple[str, Callable[[OpenMemory], object], object]] = [
    ("unknown topic", lambda o: o().last("floods in Dornet"), None),
    (
        "remembered",
        lambda o: _remembered(o(), ("floods in Dornet", T1)).last("floods in Dornet"),
        T1,
    ),
    (
        "topic keys normalised",
        lambda o: [
            _remembered(o(), ("  Floods in DORNET! ", T1)).last("floods in dornet"),
            o().last("floods, in-Dornet"),
            o().last("floods in Dornet's"),
        ],
        [T1, T1, None],
    ),
    (
        "a second remember overwrites",
        lambda o: _remembered(o(), ("floods", T1), ("Floods", T3), ("drought", T2)).last("floods"),
        T3,
    ),
    ("two analysts see each other's", _two_analysts, [None, T1, T2, T2]),
]


@pytest.mark.parametrize(
    ("case", "run", "expected"), MEMORY_CASES, ids=[c[0] for c in MEMORY_CASES]
)
def test_briefing_memory_cases(
    open_memory: OpenMemory, case: str, run: Callable[[OpenMemory], object], expected: object
) -> None:
    assert run(open_memory) == expected


def test_settings_choose_where_briefings_are_remembered(dsn: str, tmp_path: Path) -> None:
    local = Settings(data_dir=tmp_path / "local", embedding_model="fake")
    team = [
        Settings(data_dir=tmp_path / name, embedding_model="fake", postgres_dsn=dsn)
        for name in ("ana", "ben")  # two analysts, each their own data dir
    ]
    for settings in (local, *team):
        settings.data_dir.mkdir()
    for settings, at in ((local, T1), (team[0], T2)):
        memory = briefing_memory(settings)
        memory.remember("floods", at)
        memory.close()
    assert (local.data_dir / MEMORY_FILE).exists()
    assert not (team[0].data_dir / MEMORY_FILE).exists()  # the team's is in PostgreSQL only
    memory = briefing_memory(team[1])
    assert memory.last("floods") == T2  # the other analyst's last briefing
    memory.close()
    with psycopg.connect(dsn) as db:
        rows = db.execute(f'SELECT topic, generated_at FROM "{COLLECTION}".briefings').fetchall()
    assert rows == [("floods", T2)]


# -- the audit log --------------------------------------------------------------------------
def _audit_rows(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as db:
        return db.execute(
            f'SELECT at, who, action, record FROM "{COLLECTION}".audit_log ORDER BY id'
        ).fetchall()


def _but_at(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "at"}  # each sink's own second


def test_audit_records_land_in_postgres_as_in_the_file(dsn: str, tmp_path: Path) -> None:
    team = Settings(data_dir=tmp_path / "data", embedding_model="fake", postgres_dsn=dsn)
    local = Settings(data_dir=tmp_path / "data", embedding_model="fake")
    assert auth.audit_log(local) == auth.AuditFile(local.data_dir)
    for settings in (local, team):
        log = auth.audit_log(settings)
        auth.record(log, "a@x.org", "index upload", files=["报告.txt"], new=1)
        auth.record(log, "b@x.org", "rename conversation", conversation=1, title="T")
    lines = (local.data_dir / auth.AUDIT_FILE).read_text().splitlines()
    assert len(lines) == 2  # the team's records went to PostgreSQL only
    rows = _audit_rows(dsn)
    records = [r[3] for r in rows]
    assert [_but_at(r) for r in records] == [_but_at(json.loads(line)) for line in lines]
    for at, who, action, entry in rows:
        assert (who, action) == (entry["who"], entry["action"])
        assert at == dt.datetime.fromisoformat(entry["at"])  # timestamptz, the same instant


def test_conversation_changes_in_team_mode_are_audited_in_postgres(
    dsn: str, tmp_path: Path
) -> None:
    team = Settings(data_dir=tmp_path / "data", embedding_model="fake", postgres_dsn=dsn)
    store = open_conversations(team)
    cid = _saved(store, [golden_answer()])
    viewer = auth.Viewer(True, "ana@x.org", email_verified=True)
    changes = ConversationChanges(store, auth.audit_log(team), viewer, True)
    assert changes.rename(cid, "Ferry terminal") and changes.delete(cid)
    assert store.list() == []
    records = [r[3] for r in _audit_rows(dsn)]
    assert [(r["who"], r["action"], r["conversation"]) for r in records] == [
        ("ana@x.org", "rename conversation", cid),
        ("ana@x.org", "delete conversation", cid),
    ]
    assert records[0]["title_before"] == golden_answer().question
    assert not (team.data_dir / auth.AUDIT_FILE).exists()
    store.close()


# -- a server that stops --------------------------------------------------------------------
def test_a_stopped_server_is_a_clear_error_and_service_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped: ConversationStoreError naming PostgreSQL (the CLI prints it, exit 2, no
    traceback), the audit log likewise; started again, the same store works again."""
    try:
        server = PostgresServer(tmp_path / "pg").start()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    try:
        dsn = server.database()
        store = ConversationStore.in_postgres(dsn, COLLECTION, timeout=5)
        cid, _ = store.save(golden_answer())
        memory = BriefingMemory.in_postgres(dsn, COLLECTION, timeout=5)
        memory.remember("floods", T1)
        server.stop()
        errors = [
            _raised(store.list),
            _raised(lambda: store.save(refused_answer(), cid)),
            _raised(lambda: ConversationStore.in_postgres(dsn, COLLECTION, timeout=5)),
            _raised(lambda: memory.last("floods")),
            _raised(lambda: memory.remember("floods", T2)),
        ]
        for error in errors:
            assert (
                error.startswith("ConversationStoreError: ") and "PostgreSQL at 127.0.0.1" in error
            )
        assert "cannot open conversations in PostgreSQL" in errors[2]
        assert all("briefing memory in PostgreSQL at 127.0.0.1" in e for e in errors[3:])
        with pytest.raises(auth.AuditLogError, match=r"audit log in PostgreSQL at 127\.0\.0\.1"):
            auth.record(auth.AuditTable(dsn, COLLECTION, timeout=5), "a@x.org", "index upload")

        monkeypatch.setenv("BRIEFING_POSTGRES_DSN", dsn)
        result = CliRunner().invoke(app, ["conversations"])
        assert result.exit_code == 2
        assert "error: cannot open conversations in PostgreSQL at 127.0.0.1" in result.output
        assert "hint: Check that the PostgreSQL server" in result.output
        assert "Traceback" not in result.output

        server.start()
        assert [c.id for c in store.list()] == [cid]  # reconnected, nothing reopened
        assert store.save(refused_answer(), cid) == (cid, 2)
        assert memory.last("floods") == T1
        store.close()
        memory.close()
    finally:
        server.stop()
