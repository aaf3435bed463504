"""`dms serve` as a real server process on a free loopback port, for tests over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from tests.paths import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(path: Path, **sections) -> Path:
    """The repository's config.yaml with *sections* merged in (one level deep)."""
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    for name, values in sections.items():
        config[name] = {**config.get(name, {}), **values}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def dms_server(home: Path, config: Path, workers: int = 1, tls: tuple[Path, Path] | None = None,
               started: list | None = None):
    """Start `dms serve` on a free port (over TLS with *tls* = (certfile, keyfile)); yields its base
    URL; stops it (and its workers) at the end. *started* receives the server's Popen."""
    port = free_port()
    extra = ["--certfile", str(tls[0]), "--keyfile", str(tls[1])] if tls else []
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    log = open(home.parent / f"serve-{port}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "dms_ingest", "--config", str(config), "serve",
                                "--port", str(port), "--workers", str(workers), *extra],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    if started is not None:
        started.append(process)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/api/openapi.json", timeout=2, verify=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("dms serve did not start:\n"
                                   + (home.parent / f"serve-{port}.log").read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield base
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (uvicorn and its workers), SIGKILL if it lingers."""
    for sig, wait in ((15, 20), (9, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU seconds of a server and its worker processes so far (its process group)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == process.pid:              # pgrp: the server started its own session
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total
