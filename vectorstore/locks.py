"""Locks that keep one store consistent across threads, processes and machines.

- ``FileLock``: exclusive between processes (``flock`` on a file in the data dir) and between
  threads of one process; re-entrant within a thread. Embedded Chroma is not process-safe:
  a process that opens a store rewrites its vector files, so opening and every write take
  this lock, and one indexing run at a time takes another.
- ``ChromaLease``: one indexing run at a time on a Chroma server, team-wide. A record added
  only if absent (Chroma's ``add`` skips ids it already holds, so the first writer wins),
  renewed while held, and taken over once it expires or its holder's process is gone.
- ``Gate``: many threads read the store at once; swapping it for a fresh one waits for none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

POLL_SECONDS = 0.05


class LockTimeout(Exception):
    """The lock stayed held by someone else; the message says by whom."""


class ReentrantLock:
    """Re-entrant within a thread, exclusive between threads; a subclass says how the lock is
    taken from (``_take``) and given back to (``_give``) other processes."""

    def __init__(self) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0

    def _take(self, deadline: float) -> bool:
        raise NotImplementedError

    def _give(self) -> None:
        raise NotImplementedError

    def held_message(self) -> str:
        raise NotImplementedError

    def describe(self) -> str:
        """Who holds the lock, for a message."""
        raise NotImplementedError

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=_thread_timeout(timeout)):
            return False
        if self._depth:
            self._depth += 1
            return True
        try:
            taken = self._take(deadline)
        except BaseException:
            self._thread_lock.release()
            raise
        if not taken:
            self._thread_lock.release()
            return False
        self._depth = 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._give()
        self._thread_lock.release()

    @contextlib.contextmanager
    def hold(self, timeout: float) -> Iterator[None]:
        if not self.acquire(timeout):
            raise LockTimeout(self.held_message())
        try:
            yield
        finally:
            self.release()


class FileLock(ReentrantLock):
    """One instance per path and process (``FileLock.at``): ``flock`` locks belong to an open
    file, so two handles in one process would block each other."""

    _instances: ClassVar[dict[str, FileLock]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None

    @classmethod
    def at(cls, path: Path) -> FileLock:
        key = os.path.abspath(path)
        with cls._instances_lock:
            if key not in cls._instances:
                cls._instances[key] = cls(Path(key))
            return cls._instances[key]

    def _take(self, deadline: float) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL_SECONDS)
        with contextlib.suppress(OSError):  # only for the message of whoever waits
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{socket.gethostname()} pid {os.getpid()}".encode(), 0)
        self._fd = fd
        return True

    def _give(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
        except OSError:
            return "unknown"

    def describe(self) -> str:
        return self.holder()

    def held_message(self) -> str:
        return f"{self.path.name} is held by {self.holder()}"

    def bounded(self, timeout: float) -> BoundedLock:
        """A reusable ``with`` form that gives up after ``timeout`` seconds."""
        return BoundedLock(self, timeout)


class BoundedLock:
    def __init__(self, lock: FileLock, timeout: float) -> None:
        self.lock = lock
        self.timeout = timeout

    def __enter__(self) -> None:
        if not self.lock.acquire(self.timeout):
            raise LockTimeout(self.lock.held_message())

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _thread_timeout(timeout: float) -> float:
    return -1 if math.isinf(timeout) else max(timeout, 0.0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dummy_vector(key: str) -> list[float]:
    """Chroma stores a vector with every record; bookkeeping records get a spread-out one."""
    digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return [digest[0] / 255 + 0.01, digest[1] / 255 + 0.01]


class ChromaLease(ReentrantLock):
    """The writer lease of a team collection, kept as a record in ``collection``."""

    RECORD = "__writer__"

    def __init__(self, collection: Any, ttl: float = 30.0) -> None:
        super().__init__()
        self.collection = collection
        self.ttl = ttl
        self.host = socket.gethostname()
        self.owner = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def holder(self) -> dict[str, Any] | None:
        got = self.collection.get(ids=[self.RECORD], include=["metadatas"])
        metas = got.get("metadatas") or []
        return dict(metas[0]) if got["ids"] and metas and metas[0] else None

    def _stale(self, held: dict[str, Any]) -> bool:
        if float(held.get("expires_at", 0)) < time.time():
            return True
        # The holder's process is gone (killed on this machine): no need to wait for expiry.
        pid = int(held.get("pid", -1))
        return held.get("host") == self.host and pid != os.getpid() and not _alive(pid)

    def _try_take(self) -> bool:
        held = self.holder()
        if held is not None:
            if not self._stale(held):
                return False
            self.collection.delete(ids=[self.RECORD], where={"owner": held["owner"]})
        now = time.time()
        self.collection.add(
            ids=[self.RECORD],
            embeddings=[dummy_vector(self.RECORD)],
            metadatas=[
                {
                    "owner": self.owner,
                    "host": self.host,
                    "pid": os.getpid(),
                    "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "expires_at": now + self.ttl,
                }
            ],
        )
        held = self.holder()  # of two concurrent adds, the one Chroma kept wins
        return held is not None and held.get("owner") == self.owner

    def _take(self, deadline: float) -> bool:
        while not self._try_take():
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.5, max(POLL_SECONDS, self.ttl / 20)))
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name="lease-renewer", daemon=True)
        self._renewer.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                held = self.holder()
                if held is None or held.get("owner") != self.owner:
                    return  # lost it (expired while the server was away): writes will tell
                self.collection.update(
                    ids=[self.RECORD], metadatas=[{"expires_at": time.time() + self.ttl}]
                )
            except Exception:  # server away: the run's own writes fail and say so
                continue

    def _give(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with contextlib.suppress(Exception):  # unreachable server: the lease expires
            self.collection.delete(ids=[self.RECORD], where={"owner": self.owner})

    def describe(self) -> str:
        try:
            held = self.holder()
        except Exception:
            return "unknown"
        if not held:
            return "nobody"
        return f"{held.get('host')} pid {held.get('pid')} since {held.get('since')}"

    def held_message(self) -> str:
        return f"another indexing run holds the server: {self.describe()}"


class Gate:
    """Shared for reading the store, exclusive for swapping it for a fresh one. A waiting
    swap holds back new readers (so it cannot starve), except a thread that already reads
    (reading nests); a thread that reads cannot swap."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._waiting = 0
        self._swapping = False
        self._local = threading.local()

    def _depth(self) -> int:
        return int(getattr(self._local, "depth", 0))

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        depth = self._depth()
        if depth == 0:
            with self._cond:
                self._cond.wait_for(lambda: not self._swapping and not self._waiting)
                self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                with self._cond:
                    self._readers -= 1
                    self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self, timeout: float | None) -> Iterator[bool]:
        got = False
        if self._depth() == 0:
            with self._cond:
                self._waiting += 1
                try:
                    got = self._cond.wait_for(
                        lambda: not self._readers and not self._swapping, timeout=timeout
                    )
                finally:
                    self._waiting -= 1
                    self._cond.notify_all()
                if got:
                    self._swapping = True
        try:
            yield got
        finally:
            if got:
                with self._cond:
                    self._swapping = False
                    self._cond.notify_all()
