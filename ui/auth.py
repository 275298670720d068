"""Optional sign-in for the chat through Streamlit's OpenID Connect (``st.login``, ``st.user``;
the provider is configured in ``.streamlit/secrets.toml`` under ``[auth]``), and who may add
articles.

Off by default (``BRIEFING_SIGNIN=false``): a single analyst's chat asks nobody to sign in and
lets them upload. On: the page asks to sign in before anything else; only the addresses in
``BRIEFING_EDITORS``, verified by the provider, may upload and index or rename and delete
saved conversations (readers read; editors change); every change (an upload's indexing run,
a conversation renamed or deleted) is appended to the audit log with who did it, with
sign-in off too: the data dir's ``audit.jsonl``, or in team mode (``BRIEFING_POSTGRES_DSN``)
the table ``audit_log`` of PostgreSQL (``audit_log`` chooses). The rules and the audit
record are plain functions (testable without Streamlit); ``gate`` is the only Streamlit part.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import BriefingError
from vectorstore.indexing import IndexReport, Progress

if TYPE_CHECKING:
    from assistant.settings import Settings

AUDIT_FILE = "audit.jsonl"
AUDIT_TABLE = "audit_log"
NOBODY_SIGNED_IN = "(sign-in off)"
NOT_AN_EDITOR = (
    "Only the team's editors can add articles or rename and delete conversations here; "
    "you can ask about the articles."
)
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is using the chat: signed in through the provider, or nobody (sign-in off)."""

    signed_in: bool = False
    email: str | None = None
    name: str | None = None
    email_verified: bool | None = None  # the provider's claim, when it sends one

    @property
    def label(self) -> str:
        return self.email or self.name or NOBODY_SIGNED_IN


def editor_set(editors: str) -> frozenset[str]:
    """The editors' addresses of ``BRIEFING_EDITORS`` ("a@x.org, b@y.org"), case-folded."""
    return frozenset(e.strip().casefold() for e in editors.split(",") if e.strip())


def may_edit(signin: bool, editors: str, viewer: Viewer) -> bool:
    """Whether ``viewer`` may change what the team shares (upload and index, rename and
    delete saved conversations): anyone when sign-in is off; when on, a signed-in editor
    whose address the provider says is verified. A provider that sends no
    ``email_verified`` claim has not verified the address: unverified means unverified."""
    if not signin:
        return True
    if not viewer.signed_in or not viewer.email or viewer.email_verified is not True:
        return False
    return viewer.email.casefold() in editor_set(editors)


def viewer_of(user: Mapping[str, Any]) -> Viewer:
    """The Viewer of ``st.user`` (its identity claims, as the provider sent them)."""
    verified = user.get("email_verified")
    return Viewer(
        signed_in=bool(user.get("is_logged_in")),
        email=str(user["email"]) if user.get("email") else None,
        name=str(user["name"]) if user.get("name") else None,
        email_verified=verified if isinstance(verified, bool) else None,
    )


def provider_problem(auth: Mapping[str, Any] | None) -> str | None:
    """What ``[auth]`` of secrets.toml lacks for ``st.login()`` (None when complete)."""
    if not auth:
        return "sign-in is on (BRIEFING_SIGNIN) but .streamlit/secrets.toml has no [auth]"
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    missing += [k for k in _PROVIDER_KEYS if not auth.get(k)]
    if missing:
        return f"[auth] of .streamlit/secrets.toml lacks {', '.join(missing)}"
    return None


# -- the audit log ---------------------------------------------------------------------------
class AuditLogError(BriefingError):
    hint = "Check that the PostgreSQL server of BRIEFING_POSTGRES_DSN is running and reachable."


class AuditLog(Protocol):
    """Where changes are recorded; ``append`` adds one record (when, who, what)."""

    def append(self, entry: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class AuditFile:
    """The data dir's ``audit.jsonl``: a line of JSON per record."""

    data_dir: Path

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # one write of one line with O_APPEND: concurrent sessions never interleave lines
        fd = os.open(self.data_dir / AUDIT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


_AUDIT_TABLE_SQL = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    record JSONB NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class AuditTable:
    """Team mode: the table ``audit_log`` in the collection's schema of PostgreSQL, a row
    per record: its time, who, the action, and the whole record (what a line of
    ``audit.jsonl`` holds) as jsonb. A connection per record: changes are few."""

    dsn: str
    collection: str
    timeout: float = 30.0

    def append(self, entry: dict[str, Any]) -> None:
        from vectorstore.postgres import Database, describe_dsn, import_psycopg

        psycopg = import_psycopg()
        db = Database(self.dsn, self.collection, self.timeout)
        try:
            with db.transaction() as conn:
                # records appended at once on a new database would race to create the table
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))",
                    (f".{AUDIT_TABLE}",),
                )
                conn.execute(_AUDIT_TABLE_SQL)
                conn.execute(
                    f"INSERT INTO {AUDIT_TABLE} (at, who, action, record)"
                    " VALUES (%s::timestamptz, %s, %s, %s::jsonb)",
                    (entry["at"], entry["who"], entry["action"], json.dumps(entry)),
                )
        except psycopg.Error as exc:
            raise AuditLogError(f"the audit log in {describe_dsn(self.dsn)}: {exc}") from exc
        finally:
            db.close()


def audit_log(settings: Settings) -> AuditLog:
    """Where these settings record changes, the one place that chooses: with
    ``BRIEFING_POSTGRES_DSN`` (team mode) the team's table in PostgreSQL, else the data
    dir's ``audit.jsonl``."""
    if settings.postgres_dsn:
        return AuditTable(settings.postgres_dsn, settings.collection)
    return AuditFile(settings.data_dir)


def record(log: AuditLog, who: str, action: str, **details: Any) -> None:
    """Append one record to the audit log: when, who, what."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    log.append({"at": at, "who": who, "action": action, **details})


def audited(
    index: Callable[[list[str], Progress], IndexReport], log: AuditLog, viewer: Viewer
) -> Callable[[list[str], Progress], IndexReport]:
    """``index`` that records each run (files, outcome) with who asked for it."""

    def run(paths: list[str], progress: Progress) -> IndexReport:
        report = index(paths, progress)
        record(
            log,
            viewer.label,
            "index upload",
            files=[Path(p).name for p in paths],
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            failed=[str(getattr(e, "reason", e)) for e in report.failed],
        )
        return report

    return run


# -- Streamlit ------------------------------------------------------------------------------
def gate(signin: bool) -> Viewer:
    """With sign-in on: the sign-in page until the viewer has signed in (the script stops
    there), then "signed in as" and a sign-out button in the sidebar. Off: nobody."""
    import streamlit as st

    if not signin:
        return Viewer()
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all
        auth = None
    if problem := provider_problem(auth):
        st.error(f"Sign-in is not configured: {problem}.")
        st.caption("See the README's Team mode section.")
        st.stop()
    if not st.user.is_logged_in:
        st.title("Briefing assistant")
        st.info("Sign in to ask about the team's articles.")
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    from ui.render import escape_md

    viewer = viewer_of(st.user.to_dict())
    with st.sidebar:
        st.caption(f"Signed in as {escape_md(viewer.label)}")
        st.button("Sign out", on_click=st.logout)
    return viewer
