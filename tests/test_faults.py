"""Faults: the Chroma server stops or hangs mid-query, the indexer is killed mid-run on a
server, the data dir is read-only or unusable, another run holds the index. Each gives a
clear BriefingError (never a traceback) and the system recovers without a restart."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.store_support import (
    BRIEFING,
    ChromaServer,
    briefing,
    check_consistent,
    cli_env,
    collection_name,
    index_counts,
    start_briefing,
    start_server,
    write_articles,
)

needs_cli = pytest.mark.skipif(not Path(BRIEFING).exists(), reason="needs the briefing script")
QUESTION = "How many North Korean troops are in the Kursk region?"


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> ChromaServer:
    return start_server(request, tmp_path / "chroma-server")


def team_assistant(server: ChromaServer, tmp_path: Path, **extra: Any) -> Any:
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    return BriefingAssistant(
        Settings(
            data_dir=tmp_path / "data",
            embedding_model="fake",
            collection=collection_name(),
            chroma_host="127.0.0.1",
            chroma_port=server.port,
            **extra,
        )
    )


def restart(server: ChromaServer) -> None:
    """The same server (path, port) back, as an operator would bring it back."""
    for _ in range(50):  # the port may linger for a moment after the old process exits
        try:
            server.start(timeout=30)
            return
        except RuntimeError:
            server.stop()
            time.sleep(0.2)
    raise RuntimeError(server.log_tail())


@pytest.mark.integration
def test_server_stopping_mid_query_is_a_clear_error_and_recovers(
    server: ChromaServer, tmp_path: Path
) -> None:
    from assistant.errors import StoreUnavailable

    assistant = team_assistant(server, tmp_path)
    assistant.indexer().index([SAMPLES])
    before = assistant.ask(QUESTION)
    assert before.citations

    outcomes: list[Any] = []
    stop = threading.Event()

    def ask_until_stopped() -> None:
        while not stop.is_set():
            try:
                outcomes.append(assistant.ask(QUESTION))
            except BaseException as exc:  # everything is recorded, judged below
                outcomes.append(exc)

    threads = [threading.Thread(target=ask_until_stopped) for _ in range(3)]
    for t in threads:
        t.start()
    while len(outcomes) < 6:
        time.sleep(0.01)
    server.stop()  # SIGTERM while questions are in flight
    failed_at = len(outcomes)
    while len(outcomes) < failed_at + 6:
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join(60)

    kinds = {type(o).__name__ for o in outcomes}
    assert kinds <= {"Answer", "StoreUnavailable"}, kinds
    assert "StoreUnavailable" in kinds
    with pytest.raises(StoreUnavailable, match=r"Chroma server at 127\.0\.0\.1:\d+ did not answer"):
        assistant.ask(QUESTION)
    with pytest.raises(StoreUnavailable):
        assistant.status()

    restart(server)  # same process, same assistant: it simply works again
    after = assistant.ask(QUESTION)
    assert [c.passage.id for c in after.citations] == [c.passage.id for c in before.citations]
    assert assistant.status().articles == 8


@pytest.mark.integration
def test_hung_server_times_out_with_a_clear_error(server: ChromaServer, tmp_path: Path) -> None:
    from assistant.errors import StoreUnavailable

    assistant = team_assistant(server, tmp_path, chroma_timeout=2.0)
    assistant.indexer().index([SAMPLES])
    server.freeze()  # SIGSTOP: the port accepts, nothing answers
    try:
        with pytest.raises(StoreUnavailable, match="did not answer"):
            assistant.ask(QUESTION)
    finally:
        server.thaw()
    assert assistant.ask(QUESTION).citations


@pytest.mark.integration
@needs_cli
def test_indexer_killed_mid_run_on_a_server_converges(server: ChromaServer, tmp_path: Path) -> None:
    """SIGKILL `briefing index` while a batch is half written on the server; the rerun takes
    over the dead run's lease at once (a short lock timeout proves it did not wait), clears
    what it left pending and ends where a clean run ends."""
    import chromadb

    corpus = tmp_path / "corpus"
    write_articles(corpus, range(600))
    killed, clean = collection_name(), collection_name()
    env = cli_env(tmp_path / "machine", BRIEFING_LOCK_TIMEOUT="5", **server.env(killed))
    manifest = None
    proc = start_briefing(["index", str(corpus)], env)
    try:
        client = chromadb.HttpClient(
            host="127.0.0.1",
            port=server.port,
            settings=chromadb.config.Settings(anonymized_telemetry=False),
        )
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            if manifest is None:
                names = {c.name for c in client.list_collections()}
                if f"{killed}-manifest" in names:
                    manifest = client.get_collection(f"{killed}-manifest", embedding_function=None)
                continue
            states = [
                m.get("state")
                for m in manifest.get(where={"tbl": "articles"}, include=["metadatas"])["metadatas"]
            ]
            if "pending" in states and states.count("done") > 40:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed mid-batch"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()

    rerun = briefing(["index", str(corpus)], env)
    assert rerun.returncode == 0, rerun.stderr
    reference = briefing(["index", str(corpus)], cli_env(tmp_path / "other", **server.env(clean)))
    assert reference.returncode == 0, reference.stderr

    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    def state(collection: str) -> tuple[dict[str, int], dict[str, str]]:
        a = BriefingAssistant(
            Settings(
                data_dir=tmp_path / "check",
                embedding_model="fake",
                collection=collection,
                chroma_host="127.0.0.1",
                chroma_port=server.port,
            )
        )
        return check_consistent(a), a.manifest.done_hashes()

    assert state(killed) == state(clean)
    assert len(state(killed)[0]) == 600


# -- the data dir ------------------------------------------------------------------------------
def _read_only_runner(folder: Path) -> list[str] | None:
    """A command prefix that runs a command with ``folder`` read-only. As root, mode bits do
    not stop writes, so a private mount namespace bind-mounts the folder read-only (EROFS,
    like a read-only disk); as another user, clearing the write bits does it. None: neither
    is possible here."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    prefix = [unshare, "--mount", "sh", "-c", script, str(folder)]
    probe = subprocess.run([*prefix, "touch", str(folder / ".probe")], capture_output=True)
    if probe.returncode == 0 or b"Read-only file system" not in probe.stderr:
        return None
    return prefix


@needs_cli
def test_read_only_data_dir_is_asked_not_indexed_and_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = cli_env(data)
    assert briefing(["index", str(SAMPLES)], env).returncode == 0
    runner = _read_only_runner(data)
    if runner is None:
        pytest.skip("cannot make a folder read-only here (no mount namespace as root)")
    if not runner:
        data.chmod(0o555)
    try:
        # A read-only copy of an index can be asked (#16 case 10), not indexed.
        runs = {}
        for args in (["status"], ["ask", QUESTION], ["index", str(SAMPLES)]):
            runs[args[0]] = done = subprocess.run(
                [*runner, BRIEFING, *args],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert "Traceback" not in done.stderr
        assert runs["status"].returncode == 0, runs["status"].stderr
        assert "articles: 8" in " ".join(runs["status"].stdout.split())
        assert runs["ask"].returncode == 0 and "[1]" in runs["ask"].stdout
        assert "not saved" in runs["ask"].stderr
        assert runs["index"].returncode == 2
        assert f"error: the data dir {data} is read-only" in runs["index"].stderr
    finally:
        data.chmod(0o755)
    # writable again: everything is still there
    again = briefing(["index", str(SAMPLES)], env)
    assert again.returncode == 0
    assert index_counts(again.stdout)["unchanged"] == 8
    status = briefing(["status"], env)
    assert "articles: 8" in " ".join(status.stdout.split())


def test_data_dir_that_cannot_exist_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.errors import DataDirError
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataDirError, match=r"cannot write to data dir .*a-file/data: Not a dir"):
        BriefingAssistant(Settings(data_dir=blocker / "data", embedding_model="fake"))


@needs_cli
def test_second_indexing_run_on_one_data_dir_waits_then_gives_up_clearly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from vectorstore.locks import FileLock;"
            "assert FileLock.at(Path(sys.argv[1]) / 'index.lock').acquire(10);"
            "print('held', flush=True); time.sleep(120)",
            str(data),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = briefing(["index", str(SAMPLES)], cli_env(data, BRIEFING_LOCK_TIMEOUT="0.5"))
        assert done.returncode == 2
        assert "another indexing run is writing to this index (" in done.stderr
        assert f"pid {holder.pid}" in done.stderr
        assert "hint: Another `briefing index`" in done.stderr
    finally:
        holder.kill()
        holder.wait()
    assert briefing(["index", str(SAMPLES)], cli_env(data)).returncode == 0


def test_damaged_store_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.errors import BriefingError
    from assistant.service import BriefingAssistant
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", embedding_model="fake")
    BriefingAssistant(settings).indexer().index([SAMPLES])
    (tmp_path / "data" / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 50)
    with pytest.raises(BriefingError) as caught:
        BriefingAssistant(settings).ask(QUESTION)
    assert str(caught.value) and caught.value.hint


@pytest.mark.integration
def test_chat_keeps_running_while_the_server_is_away(
    server: ChromaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Streamlit app (AppTest, same process): an answer; the server stops: the next
    question gets an error message, not a traceback; it is back: the page answers again in
    the same session, without restarting anything."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT as repo

    collection = collection_name()
    for key, value in server.env(collection).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("BRIEFING_MIN_SUPPORT", "0.05")
    indexed = briefing(["index", str(SAMPLES)], cli_env(tmp_path / "cli", **server.env(collection)))
    assert indexed.returncode == 0
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(repo / "ui" / "app.py"), default_timeout=120).run()
        assert not at.exception
        at.chat_input[0].set_value(QUESTION).run()
        assert not at.exception and len(at.session_state["turns"]) == 1

        server.stop()
        at.chat_input[0].set_value(QUESTION).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(str(e.value) for e in at.error)
        assert "did not answer" in shown and "Traceback" not in shown

        restart(server)
        at.run()  # the next interaction (or a reload) reruns the page: the chat is back
        assert not at.exception and at.chat_input
        at.chat_input[0].set_value(QUESTION).run()
        assert not at.exception
        assert len(at.session_state["turns"]) == 2
    finally:
        st.cache_resource.clear()
