"""`briefing` run with a pseudo-terminal as its standard output, as an analyst's shell runs it."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios


def run_cli_in_pty(
    args: list[str], env: dict[str, str], columns: int | None = None
) -> tuple[int, bytes]:
    """(exit status, the bytes the terminal received) of `python -m assistant.cli ARGS`; its
    standard error (spinners, progress) goes to /dev/null, as a terminal shows it apart. With
    ``columns``, the terminal is that wide (40 rows)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI with the terminal as its output
        if columns is not None:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.execve(sys.executable, [sys.executable, "-m", "assistant.cli", *args], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out
