"""Distributed migration: two `dms worker` processes (Celery over Redis), a shared PostgreSQL index and
a shared S3 archive (SeaweedFS); one worker is killed with SIGKILL mid-run. Every paper file must
end archived exactly once: documents per original, objects in S3, no orphans, no journal left.

Needs Redis and PostgreSQL on 127.0.0.1 (scripts/services.sh); skipped when they are not reachable.
Each run gets its own PostgreSQL database, Redis database number and queue name.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .paper_files import Expected, assert_archived_exactly_once, check_rows, report_rows, scanned_tree
from .paths import REPO
from .plugins.cli import Dms
from .plugins.s3 import s3_config


def _config(tmp_path: Path, s3_server, pg_url: str, broker_url: str, queue: str, visibility: int = 10) -> Path:
    raw = yaml.safe_load(s3_config(tmp_path, s3_server).read_text())
    raw["index"]["url"] = pg_url
    raw["celery"].update({"broker_url": broker_url, "result_backend": broker_url, "queue": queue,
                          "visibility_timeout": visibility})
    raw["migration"]["max_attempts"] = 3
    path = tmp_path / "config-distributed.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


class Worker:
    """`dms worker` as its own process group, like a service on another machine."""

    def __init__(self, name: str, tmp_path: Path, config: Path, env: dict):
        self.log = open(tmp_path / f"worker-{name}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dms_ingest", "--config", str(config), "worker", "--concurrency", "1"],
            env={**env, "DMS_HOME": str(tmp_path / f"home-{name}")}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=REPO)

    @property
    def pids(self) -> set[int]:
        """The worker's main process and its pool processes."""
        found = {self.process.pid}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_bytes()
                    if int(stat[stat.rindex(b")") + 2:].split()[1]) == self.process.pid:
                        found.add(int(entry.name))
                except (OSError, ValueError):
                    continue
        return found

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _items(pg_url: str) -> list[dict]:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(
                "SELECT id, path, state, worker, attempts FROM migration_items ORDER BY id"))]
    except Exception:
        return []
    finally:
        engine.dispose()


def _wait(predicate, timeout: float, what: str, workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(Path(w.log.name).read_text(errors="replace")[-3000:] for w in workers)
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def _a_busy(pg_url: str, worker: Worker):
    """Items worker *worker* works on right now, once at least two paper files are done."""
    items = _items(pg_url)
    pids = worker.pids
    running = [i for i in items if i["state"] == "running" and i["worker"] and int(i["worker"].split(":")[1]) in pids]
    return running if running and sum(i["state"] == "done" for i in items) >= 2 else None


def _freeze_while_busy(pg_url: str, worker: Worker, others) -> list[dict]:
    """Stop (SIGSTOP) the worker at a moment it is working on a paper file; that item."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _a_busy(pg_url, worker):
            os.killpg(worker.process.pid, signal.SIGSTOP)
            time.sleep(0.2)
            busy = _a_busy(pg_url, worker)    # frozen now: this cannot change any more
            if busy:
                return busy
            os.killpg(worker.process.pid, signal.SIGCONT)
        time.sleep(0.1)
    return _wait(lambda: None, 0, "worker a working on a paper file", others)


def _all_done(pg_url: str, count: int) -> bool:
    items = _items(pg_url)
    return len(items) == count and all(i["state"] == "done" for i in items)


@pytest.fixture
def cluster(tmp_path, pg_url, redis_broker, s3_server, monkeypatch):
    """Config, environment and a follower CLI; the test starts the workers (stopped afterwards)."""
    if not s3_server.running:
        s3_server.start()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": s3_server.access_key,
           "AWS_SECRET_ACCESS_KEY": s3_server.secret_key, "OMP_THREAD_LIMIT": "1"}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, env[key])
    workers: list[Worker] = []

    class Cluster:
        def config(self, visibility: int) -> Path:
            return _config(tmp_path, s3_server, pg_url, redis_broker[0], redis_broker[1], visibility)

        def worker(self, name: str, config: Path) -> Worker:
            workers.append(Worker(name, tmp_path, config, env))
            return workers[-1]

    Cluster.env, Cluster.pg_url, Cluster.dms = env, pg_url, Dms(tmp_path / "home-follower")
    yield Cluster()
    for worker in workers:
        worker.stop()


def _check_exactly_once(tmp_path, s3_server, config: Path, dms: Dms, expected: list[Expected]) -> None:
    from dms_ingest.config import load_settings
    from dms_ingest.index.catalog import Catalog

    settings = load_settings(config, home=tmp_path / "home-follower")
    catalog = Catalog(settings.index_url)
    assert_archived_exactly_once(catalog, expected)
    docs = catalog.documents()
    per_original = Counter(d.original_sha256 for d in docs)
    assert len(per_original) == len(expected) and set(per_original.values()) == {2}
    # S3 holds exactly the objects of the indexed documents, nothing left over: archive and metadata
    # per document, and one original per paper file (its documents share it)
    bucket = yaml.safe_load(config.read_text())["storage"]["s3"]["bucket"]
    names = [o.object_name for o in s3_server.raw_client().list_objects(bucket, recursive=True)]
    assert len(names) == 2 * len(docs) + len(expected) == 5 * len(expected)
    assert sum("/original." in n for n in names) == len(expected)
    assert {d.original_key for d in docs} == {n for n in names if "/original." in n}
    assert {n.split("/")[1] for n in names} == {d.id for d in docs}
    verify = json.loads(dms("verify", "--json", config=config).stdout)
    assert verify["passed"] and verify["orphaned"] == [] and verify["checked"] == 3 * len(docs)


def test_worker_killed_its_task_comes_back_from_the_broker(tmp_path, cluster, s3_server):
    """kill -9 of a whole worker; late acknowledgement brings its task back after the visibility timeout."""
    config = cluster.config(visibility=10)
    expected = scanned_tree(tmp_path / "archiv", 12)
    a, b = cluster.worker("a", config), cluster.worker("b", config)
    enqueued = cluster.dms("migrate", tmp_path / "archiv", "--distributed", "--no-wait", config=config)
    assert enqueued.exit_code == 0, enqueued.output
    assert "enqueued 12 paper files" in enqueued.output

    [victim] = _freeze_while_busy(cluster.pg_url, a, (a, b))
    a.kill()
    _wait(lambda: _all_done(cluster.pg_url, 12), 150, "all paper files done", (a, b))
    redone = next(i for i in _items(cluster.pg_url) if i["id"] == victim["id"])
    assert redone["attempts"] >= 2 and redone["worker"] != victim["worker"]

    # following the run now: nothing to do; the report proves completeness
    followed = cluster.dms("migrate", tmp_path / "archiv", "--distributed", "--report", tmp_path / "report.csv",
                           config=config)
    assert followed.exit_code == 0, followed.output
    check_rows(report_rows(tmp_path / "report.csv"), expected)
    summary = json.loads((tmp_path / "report.summary.json").read_text())
    assert summary["complete"] and summary["documents"] == 24 and summary["files"]["done"] == 12
    _check_exactly_once(tmp_path, s3_server, config, cluster.dms, expected)


def test_follower_requeues_the_file_of_a_dead_worker_at_once(tmp_path, cluster, s3_server):
    """With a visibility timeout of an hour, the follower (`dms migrate --distributed`) sees the dead
    worker's item unlocked in PostgreSQL and sends it again; the run ends within seconds."""
    config = cluster.config(visibility=3600)
    expected = scanned_tree(tmp_path / "archiv", 10)
    a, b = cluster.worker("a", config), cluster.worker("b", config)
    follower = subprocess.Popen(
        [sys.executable, "-m", "dms_ingest", "--config", str(config), "migrate", str(tmp_path / "archiv"),
         "--distributed", "--report", str(tmp_path / "report.csv"), "--json"],
        env={**cluster.env, "DMS_HOME": str(tmp_path / "home-follower")}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=REPO)
    try:
        [victim] = _freeze_while_busy(cluster.pg_url, a, (a, b))
        a.kill()
        out, errs = follower.communicate(timeout=120)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, errs.decode()[-3000:]
    assert b"requeueing 1 item(s) whose worker died" in errs, errs.decode()[-3000:]
    summary = json.loads(out)
    assert summary["complete"] and summary["files"]["done"] == 10
    redone = next(i for i in _items(cluster.pg_url) if i["id"] == victim["id"])
    assert redone["state"] == "done" and redone["attempts"] >= 2
    check_rows(report_rows(tmp_path / "report.csv"), expected)
    _check_exactly_once(tmp_path, s3_server, config, cluster.dms, expected)


def test_follower_resends_pending_files_whose_tasks_are_lost(tmp_path, cluster, s3_server, monkeypatch):
    """Tasks gone from the broker (a worker died holding them unstarted, or Redis lost them): the
    follower sees pending files, an empty queue and nobody working, and sends them again."""
    from dms_ingest.config import load_settings
    from dms_ingest.migrate import driver, manifest

    config = cluster.config(visibility=3600)
    expected = scanned_tree(tmp_path / "archiv", 3)
    settings = load_settings(config, home=tmp_path / "home-follower")
    catalog = driver.open_catalog(settings)
    key = manifest.source_key(tmp_path / "archiv")
    manifest.sync(catalog, key, manifest.discover(tmp_path / "archiv"))
    run = driver.start_run(catalog, key, "distributed", 0)
    assert len(manifest.adopt(catalog, run.id, source=key)) == 3     # adopted, but no task was ever sent
    cluster.worker("b", config)
    monkeypatch.setattr(driver, "IDLE_REQUEUE_SECONDS", 1.0)
    assert driver.follow_distributed(settings, catalog, run, key, poll=0.2, timeout=120) == "finished"
    assert {i.state for i in manifest.items(catalog, source=key)} == {"done"}
    _check_exactly_once(tmp_path, s3_server, config, cluster.dms, expected)
