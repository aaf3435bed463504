"""Is a process, named by host:pid:start, still alive? (claims, journal entries, work items)."""

from __future__ import annotations

import os
import socket


def _stat(pid: int) -> list[bytes] | None:
    """Fields of /proc/PID/stat after the command name (state first), None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        return stat[stat.rindex(b")") + 2:].split()
    except (OSError, ValueError):
        return None


def _start_ticks(pid: int) -> str:
    """The process start time in clock ticks since boot: tells a reused pid from the original."""
    fields = _stat(pid)
    return fields[19].decode() if fields and len(fields) > 19 else "0"


def worker_id() -> str:
    """This process: host:pid:start (computed on each call, so it is right after a fork)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def holder_alive(worker: str | None) -> bool | None:
    """True/False for a worker on this host; None when it ran elsewhere (cannot tell from here)."""
    if not worker:
        return False
    try:
        host, pid, ticks = worker.rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return None
    fields = _stat(pid_number)
    if not fields or fields[0] in (b"Z", b"X"):   # gone, or a zombie nobody has reaped yet
        return False
    return len(fields) > 19 and fields[19].decode() == ticks
