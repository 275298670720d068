"""Issue #26 item 12: a conversation id that no conversation can have (beyond SQLite's
64-bit integers, zero, negative, not a number) is one clear line and exit status 2 for
`ask --conversation` and `export`, never an OverflowError traceback; a real id still works."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.conversations import ConversationStore
from assistant.errors import ConversationNotFound
from assistant.models import Answer
from tests.test_settings_bounds import briefing, one_clean_line

HUGE = "99999999999999999999999"
BAD_IDS = [HUGE, str(2**63), "0", "-5", "abc", "1.5", ""]
COMMANDS = {
    "ask": lambda cid: ["ask", "Who confirmed the troop numbers?", "--conversation", cid],
    "ask -c": lambda cid: ["ask", "Who confirmed the troop numbers?", "-c", cid],
    "export": lambda cid: ["export", "--", cid],
}


@pytest.mark.parametrize("cid", BAD_IDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_impossible_conversation_id_is_one_clear_line(
    command: str, cid: str, tmp_path: Path
) -> None:
    line = one_clean_line(briefing(COMMANDS[command](cid), tmp_path, {}))
    option = "CONVERSATION_ID" if command == "export" else "--conversation"
    assert line.startswith(f"error: {option} {cid!r} is not a conversation id: "), line
    assert "briefing conversations" in line


def _saved(tmp_path: Path) -> int:
    store = ConversationStore.in_data_dir(tmp_path / "data")
    try:
        return store.save(Answer("What happened?", "Nothing yet.", refused=True))[0]
    finally:
        store.close()


def test_a_real_id_still_exports_and_a_missing_one_is_not_found(tmp_path: Path) -> None:
    cid = _saved(tmp_path)
    done = briefing(["export", str(cid)], tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert "What happened?" in done.stdout
    done = briefing(["export", str(cid + 1)], tmp_path, {})
    assert done.returncode == 2 and f"error: no conversation {cid + 1}" in done.stderr


@pytest.mark.parametrize("cid", [2**63, 10**30, -(2**63) - 1, 0, -1])
def test_the_store_says_not_found_for_ids_it_cannot_hold(cid: int, tmp_path: Path) -> None:
    store = ConversationStore.in_data_dir(tmp_path / "data")
    try:
        with pytest.raises(ConversationNotFound, match=f"no conversation {cid}"):
            store.get(cid)
        with pytest.raises(ConversationNotFound, match=f"no conversation {cid}"):
            store.add_turn(cid, Answer("q", "a", refused=True))
        assert store.rename(cid, "title") is False
        assert store.delete(cid) is False
    finally:
        store.close()
