"""The chromadb client: embedded (PersistentClient) by default, HttpClient for a team server."""

from __future__ import annotations

import os
import sqlite3
import weakref
from pathlib import Path
from typing import Any

from vectorstore.layout import CHROMA

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Embedded clients opened with ``fresh=True`` → the chromadb System only they use.
_OWN_SYSTEMS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def make_client(
    data_dir: Path | None = None,
    *,
    host: str | None = None,
    port: int = 8000,
    ssl: bool = False,
    token: str | None = None,
    timeout: float | None = 30.0,
    fresh: bool = False,
) -> Any:
    """A chromadb client with telemetry off; a server when ``host`` is set, whose requests
    give up after ``timeout`` seconds (chromadb waits forever on a hung server) and carry
    ``token`` as ``Authorization: Bearer`` (what Chroma's token authentication reads).

    Embedded, chromadb shares one System (and its in-memory vector index) among the clients
    of a path in a process, and that index never sees other processes' writes. ``fresh``
    gives a client its own System, read from the files now; close it with ``close_client``.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            client = chromadb.HttpClient(
                host=host, port=port, ssl=ssl, headers=headers, settings=settings
            )
        except ValueError as exc:  # how chromadb says it could not reach the server
            raise ConnectionError(str(exc)) from exc
        if timeout is not None:
            _set_http_timeout(client, timeout)
        return client
    if data_dir is None:
        raise ValueError("data_dir is required for the embedded store")
    path = Path(data_dir) / CHROMA
    path.mkdir(parents=True, exist_ok=True)
    if fresh:
        _forget_system(str(path))
    client = chromadb.PersistentClient(path=str(path), settings=settings)
    if fresh:
        _OWN_SYSTEMS[client] = client._system  # type: ignore[attr-defined]
    return client


def _forget_system(identifier: str) -> None:
    """Make chromadb build a new System for this path; clients of the old one keep it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _set_http_timeout(client: Any, seconds: float) -> None:
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def load_collections(client: Any) -> None:
    """Load every collection of an embedded store now. Loading rewrites its vector files,
    so it must happen while the store lock is held, not at a first query."""
    for collection in client.list_collections():
        collection.count()


def close_client(client: Any) -> None:
    """Release a client; a ``fresh`` one stops its own System (nobody else uses it, and its
    path may by now belong to a newer one, which ``close()`` would stop)."""
    system = _OWN_SYSTEMS.pop(client, None)
    if system is not None:
        system.stop()
        return
    close = getattr(client, "close", None)
    if close is not None:
        close()


def is_auth_error(exc: BaseException) -> bool:
    """Whether the Chroma server refused the request for its credentials (no token, or one
    it does not accept): chromadb raises its AuthError for a 401/403 answer."""
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if isinstance(exc, ChromaAuthError | AuthorizationError):
        return True
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in (401, 403)


def token_problem(exc: BaseException, token: str | None) -> tuple[str, str] | None:
    """(message, hint) when ``exc`` is the server refusing our token; None otherwise."""
    if not is_auth_error(exc):
        return None
    if token:
        return (
            "the Chroma server refused the token in BRIEFING_CHROMA_TOKEN",
            "Set BRIEFING_CHROMA_TOKEN to a token the team's Chroma server accepts.",
        )
    return (
        "the Chroma server requires a token and BRIEFING_CHROMA_TOKEN is not set",
        "Set BRIEFING_CHROMA_TOKEN to the token of the team's Chroma server.",
    )


def is_store_error(exc: BaseException) -> bool:
    """Whether ``exc`` means the store did not answer or failed (server down, hung or
    erroring; embedded files unusable), as opposed to a bug in our code."""
    import httpx
    from chromadb.errors import ChromaError

    if isinstance(exc, httpx.HTTPError | ChromaError | sqlite3.Error | ConnectionError):
        return True
    if isinstance(exc, TimeoutError | OSError):
        return True
    # HttpClient raises a bare ValueError when no server answers at construction.
    if type(exc) is ValueError and "Chroma server" in str(exc):
        return True
    # chromadb raises a bare Exception(response text) for HTTP errors it has no class for.
    return type(exc) is Exception
