"""The watched inbox with a real observer: `dms watch` runs as a subprocess on a temp folder.

Every test counts catalog rows by the original's SHA-256: each file dropped must be archived
exactly once, none lost, whatever happens (bursts, duplicates, slow writers, kill -9, SIGTERM).
"""

from __future__ import annotations

import hashlib
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

from dms_datagen.pdf import small_text_pdf
from dms_ingest.config import load_settings
from dms_ingest.index.catalog import Catalog

from .paths import REPO
DMS = [sys.executable, "-m", "dms_ingest"]


def tiny_pdf(text: str) -> bytes:
    """A small born-digital page: about 1 ms to make, ~50 ms to archive."""
    return small_text_pdf(text, "Nachreichung zur Akte, Seite 1", deterministic=True)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class WatchRun:
    """`dms watch` in its own session (so a test can kill it and every process it started)."""

    def __init__(self, tmp: Path, *, stable: float = 0.5, workers: int = 2, polling: bool = False):
        self.tmp = tmp
        self.home = tmp / "home"
        self.inbox = tmp / "inbox"
        self.inbox.mkdir(parents=True, exist_ok=True)
        raw = yaml.safe_load((REPO / "config.yaml").read_text())
        raw["inbox"].update(stable_seconds=stable, rescan_interval=2, poll_interval=0.5, polling=polling)
        self.config = tmp / "config.yaml"
        self.config.write_text(yaml.safe_dump(raw))
        self.settings = load_settings(self.config, home=self.home)
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def start(self, *extra: str) -> subprocess.Popen:
        self.runs += 1
        log = open(self.tmp / f"watch-{self.runs}.jsonl", "wb")
        errlog = open(self.tmp / f"watch-{self.runs}.err", "wb")
        env = dict(os.environ, DMS_HOME=str(self.home), OMP_THREAD_LIMIT="1")
        self.proc = subprocess.Popen(DMS + ["--config", str(self.config), "watch", str(self.inbox), "--json",
                                            "--workers", str(self.workers), *extra],
                                     stdout=log, stderr=errlog, env=env, cwd=REPO, start_new_session=True)
        return self.proc

    def lines(self) -> list[dict]:
        out = []
        for n in range(1, self.runs + 1):
            path = self.tmp / f"watch-{n}.jsonl"
            out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return out

    def stderr(self) -> str:
        return "".join((self.tmp / f"watch-{n}.err").read_text() for n in range(1, self.runs + 1))

    def catalog_counts(self) -> Counter:
        catalog = Catalog(self.settings.index_url)
        try:
            return Counter(d.original_sha256 for d in catalog.documents())
        except Exception:  # not created yet
            return Counter()

    def done_files(self) -> list[Path]:
        return [p for p in (self.inbox / "done").rglob("*") if p.is_file()]

    def done_count(self) -> int:
        return len(self.done_files())

    def waiting(self) -> list[Path]:
        return [p for p in self.inbox.rglob("*") if p.is_file()
                and p.relative_to(self.inbox).parts[0] not in ("done", "quarantine")]

    def wait_for(self, condition, timeout: float, what: str, progress=None) -> float:
        """Wait until *condition* holds. With *progress* (a count that grows as work is done), the
        timeout is for a stall: a starved machine (a fresh-machine check at load 30) may take
        longer than *timeout* in all, a lost file never comes and the count stops growing."""
        started = last_change = time.monotonic()
        seen = progress() if progress else None
        while time.monotonic() - last_change < timeout:
            if condition():
                return time.monotonic() - started
            if progress is not None and (now := progress()) != seen:
                seen, last_change = now, time.monotonic()
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"watcher exited ({self.proc.returncode}) while waiting for {what}:\n"
                                     + self.stderr()[-3000:])
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; stderr:\n" + self.stderr()[-3000:])

    def terminate(self, timeout: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        return code

    def kill_group(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def run(tmp_path: Path):
    watch = WatchRun(tmp_path)
    yield watch
    if watch.proc is not None and watch.proc.poll() is None:
        watch.proc.send_signal(signal.SIGTERM)
        try:
            watch.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
    watch.kill_group()


def drop(folder: Path, name: str, data: bytes, staging: Path | None = None) -> None:
    """Write a file into the inbox, either in place or written elsewhere and renamed in (atomic)."""
    if staging is None:
        (folder / name).write_bytes(data)
    else:
        staging.mkdir(exist_ok=True)
        (staging / name).write_bytes(data)
        os.rename(staging / name, folder / name)


def assert_exactly_once(run: WatchRun, expected: set[str]) -> None:
    counts = run.catalog_counts()
    missing = [s for s in expected if counts[s] == 0]
    twice = {s: n for s, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} files never archived"
    assert not twice, f"archived more than once: {twice}"
    assert not list((run.inbox / "processing").iterdir()), "processing/ is not empty"


def test_burst_of_500_files_each_archived_exactly_once(run: WatchRun, tmp_path: Path):
    # 450 distinct files and 50 byte-identical copies under other names; half written in place,
    # half written elsewhere and renamed into the inbox.
    distinct = {f"scan-{i:04d}.pdf": tiny_pdf(f"Posteingang Testdokument Nummer {i:05d}") for i in range(450)}
    copies = {f"copy-{i:04d}.pdf": distinct[f"scan-{i * 9:04d}.pdf"] for i in range(50)}
    files = {**distinct, **copies}
    run.start()
    run.wait_for(lambda: (run.home / "index.sqlite").exists(), 30, "start-up")
    started = time.monotonic()
    for n, (name, data) in enumerate(sorted(files.items())):
        drop(run.inbox, name, data, staging=tmp_path / "staging" if n % 2 else None)
    written = time.monotonic() - started
    run.wait_for(lambda: len(run.done_files()) == len(files), 240, "500 files in done/", progress=run.done_count)
    seconds = time.monotonic() - started
    assert run.terminate() == 0
    assert_exactly_once(run, {sha(d) for d in distinct.values()})
    assert sum(run.catalog_counts().values()) == len(distinct)
    lines = run.lines()
    statuses = Counter(line["status"] for line in lines)
    assert statuses == {"archived": 450, "duplicate": 50}, statuses
    assert {line["inbox_file"] for line in lines} == set(files)
    assert not run.waiting() and not list((run.inbox / "quarantine").iterdir())
    # done/ holds every original byte for byte
    for path in run.done_files():
        assert path.read_bytes() == files[path.name]
    print(f"\nBURST: {len(files)} files ({len(distinct)} distinct) written in {written:.1f} s, all handled "
          f"after {seconds:.1f} s = {len(files) / seconds * 60:.0f} files/min")


def test_kill_9_mid_burst_then_restart_loses_nothing(run: WatchRun, tmp_path: Path):
    first = {f"a-{i:03d}.pdf": tiny_pdf(f"Erste Welle Dokument Nummer {i:05d}") for i in range(150)}
    later = {f"b-{i:03d}.pdf": tiny_pdf(f"Zweite Welle Dokument Nummer {i:05d}") for i in range(50)}
    run.start()
    run.wait_for(lambda: (run.home / "index.sqlite").exists(), 30, "start-up")
    for name, data in first.items():
        drop(run.inbox, name, data, staging=tmp_path / "staging")
    run.wait_for(lambda: len(run.done_files()) >= 40, 60, "the first 40 files", progress=run.done_count)
    # kill -9 the watcher itself, in the middle of its work
    pid = run.proc.pid
    os.kill(pid, signal.SIGKILL)
    run.proc.wait(10)
    in_processing = len(list((run.inbox / "processing").iterdir()))
    # its page workers notice that their parent is gone (or systemd's cgroup would end them)
    time.sleep(1.0)
    orphans = _group_members(pid)
    run.kill_group()
    # files arriving while the watcher is down
    for name, data in later.items():
        drop(run.inbox, name, data)
    done_at_crash = len(run.done_files())
    run.start()
    everything = {**first, **later}
    run.wait_for(lambda: len(run.done_files()) == len(everything), 120, "all files after the restart",
                 progress=run.done_count)
    assert run.terminate() == 0
    assert_exactly_once(run, {sha(d) for d in everything.values()})
    assert sum(run.catalog_counts().values()) == len(everything)
    assert not run.waiting()
    print(f"\nCRASH: kill -9 after {done_at_crash} of {len(first)} files done, {in_processing} in processing/, "
          f"{len(orphans)} orphaned page workers; after restart all {len(everything)} archived exactly once")


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def test_slow_writer_duplicates_rename_and_files_present_at_start(run: WatchRun, tmp_path: Path):
    run_stable = 1.0
    before = tiny_pdf("Lag schon vor dem Start im Eingang 00001")
    drop(run.inbox, "before-start.pdf", before)
    run.start("--stable-seconds", str(run_stable))
    # a slow writer: a PDF written in 8 chunks over ~3.5 s must be taken only once complete
    slow = tiny_pdf("Langsam geschriebene Datei vom Netzlaufwerk 00002") + b"%" + b"x" * 30000 + b"\n"
    renamed = tiny_pdf("Von aussen in den Eingang umbenannt 00003")
    twice = tiny_pdf("Zweimal eingeworfenes Dokument 00004")
    chunks = [slow[i:i + len(slow) // 8 + 1] for i in range(0, len(slow), len(slow) // 8 + 1)]
    with open(run.inbox / "slow.pdf", "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            handle.flush()
            time.sleep(0.45)
    drop(run.inbox, "renamed.pdf", renamed, staging=tmp_path / "outside")
    drop(run.inbox, "twice.pdf", twice)
    run.wait_for(lambda: len(run.done_files()) == 4, 60, "four files")
    drop(run.inbox, "twice.pdf", twice)          # the same file again, same name
    drop(run.inbox, "twice-again.pdf", twice)    # and under another name
    run.wait_for(lambda: len(run.done_files()) == 6, 60, "the second drops")
    assert run.terminate() == 0
    assert_exactly_once(run, {sha(before), sha(slow), sha(renamed), sha(twice)})
    catalog = Catalog(run.settings.index_url)
    (doc,) = catalog.find_by_original(sha(slow))
    store_copy = run.tmp / "slow-from-archive.pdf"
    from dms_ingest.storage import open_store

    open_store(run.settings).download(doc.original_key, store_copy, doc.original_sha256)
    assert store_copy.read_bytes() == slow
    statuses = Counter((line["inbox_file"], line["status"]) for line in run.lines())
    assert statuses[("twice.pdf", "archived")] == 1 and statuses[("twice.pdf", "duplicate")] == 1
    assert statuses[("twice-again.pdf", "duplicate")] == 1
    assert statuses[("slow.pdf", "archived")] == 1 and len([k for k in statuses if k[0] == "slow.pdf"]) == 1
    assert sorted(p.name for p in run.done_files()) == sorted(
        ["before-start.pdf", "slow.pdf", "renamed.pdf", "twice.pdf", "twice.1.pdf", "twice-again.pdf"])


def test_sigterm_finishes_documents_in_hand_and_exits_0(run: WatchRun):
    from dms_datagen.letters import render_text_page

    # Scanned pages (OCR, about a second each) so that documents are in hand when SIGTERM arrives.
    run.start("--stable-seconds", "0.2")
    run.wait_for(lambda: (run.home / "index.sqlite").exists(), 30, "start-up")
    expected = {}
    for i in range(4):
        img = render_text_page([f"Aufenthaltserlaubnis Antrag Nummer {i}", "Bitte um Bearbeitung."],
                               size_px=60).convert("L").resize((1240, 1754))
        path = run.inbox / f"scan-{i}.png"
        img.save(path, dpi=(150, 150))
        expected[path.name] = sha(path.read_bytes())
    run.wait_for(lambda: len(list((run.inbox / "processing").iterdir())) > 0, 30, "a file in processing/")
    code = run.terminate()
    assert code == 0, run.stderr()
    assert not list((run.inbox / "processing").iterdir()), "a document was left half-done"
    catalog = Catalog(run.settings.index_url)
    assert not catalog.pending_writes()
    counts = run.catalog_counts()
    done = {p.name for p in run.done_files()}
    assert done, "the documents in hand were not finished"
    for name, digest in expected.items():
        if name in done:
            assert counts[digest] == 1
        else:   # not yet taken: still in the inbox, untouched
            assert (run.inbox / name).exists() and counts[digest] == 0
    # the next run takes the rest
    run.start("--stable-seconds", "0.2")
    run.wait_for(lambda: len(run.done_files()) == 4, 60, "the rest")
    assert run.terminate() == 0
    assert_exactly_once(run, set(expected.values()))


def test_once_processes_what_is_there_and_quarantines_refusals(dms, home: Path, tmp_path: Path):
    inbox = tmp_path / "inbox"
    (inbox / "Scanner 2").mkdir(parents=True)
    good = tiny_pdf("Einmal verarbeiten und beenden 00005")
    (inbox / "Scanner 2" / "Brief.pdf").write_bytes(good)
    (inbox / "kaputt.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    long_ago = time.time() - 3600   # a cut-off PDF is waited for (its writer may come back), not forever
    os.utime(inbox / "kaputt.pdf", (long_ago, long_ago))
    (inbox / "~$lock.docx").write_bytes(b"temp")
    (inbox / "upload.part").write_bytes(b"incomplete")
    (inbox / ".DS_Store").write_bytes(b"hidden")
    lines = dms.json_lines("watch", str(inbox), "--once", "--stable-seconds", "0.1", "--workers", "1")
    by_file = {line["inbox_file"]: line for line in lines}
    assert set(by_file) == {"Scanner 2/Brief.pdf", "kaputt.pdf"}
    assert by_file["Scanner 2/Brief.pdf"]["status"] == "archived"
    assert by_file["Scanner 2/Brief.pdf"]["inbox_outcome"] == "done"
    assert by_file["kaputt.pdf"]["status"] == "rejected" and by_file["kaputt.pdf"]["inbox_outcome"] == "quarantined"
    assert (inbox / "done" / "Scanner 2" / "Brief.pdf").read_bytes() == good
    assert (inbox / "quarantine" / "kaputt.pdf").read_bytes() == b"%PDF-1.4\nnot really a pdf"
    reason = (inbox / "quarantine" / "kaputt.pdf.reason.txt").read_text()
    assert "damaged" in reason or "corrupt" in reason
    # Quarantined once: moved into the inbox's quarantine/, no second copy under DMS_HOME.
    assert by_file["kaputt.pdf"]["quarantined"] == str(inbox / "quarantine" / "kaputt.pdf")
    assert not (home / "quarantine").exists() or not list((home / "quarantine").iterdir())
    for ignored in ("~$lock.docx", "upload.part", ".DS_Store"):
        assert (inbox / ignored).exists()
    assert not list((inbox / "processing").iterdir())


def test_crash_leftovers_in_processing_are_taken_up(dms, home: Path, tmp_path: Path):
    """What a crash left in processing/ (already archived or not) ends in done/, archived once."""
    from dms_ingest.ingest.watcher import Inbox

    inbox = Inbox(tmp_path / "inbox", [])
    archived = tiny_pdf("Vor dem Absturz schon archiviert 00006")
    pending = tiny_pdf("Vor dem Absturz noch nicht archiviert 00007")
    (tmp_path / "archived.pdf").write_bytes(archived)
    assert dms.json_lines("ingest", str(tmp_path / "archived.pdf"))[0]["status"] == "archived"
    for name, data in (("archived.pdf", archived), ("Unterordner/pending.pdf", pending)):
        target = inbox.root / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)
        assert inbox.take(name) is not None
    lines = dms.json_lines("watch", str(inbox.root), "--once", "--stable-seconds", "0")
    assert {(line["inbox_file"], line["status"]) for line in lines} == {
        ("archived.pdf", "duplicate"), ("Unterordner/pending.pdf", "archived")}
    assert (inbox.done / "Unterordner" / "pending.pdf").read_bytes() == pending
    assert not list(inbox.processing.iterdir())


def test_polling_mode_and_keep_done_days(tmp_path: Path):
    run = WatchRun(tmp_path, stable=0.3, workers=1, polling=True)
    raw = yaml.safe_load(run.config.read_text())
    raw["inbox"]["keep_done_days"] = 1
    run.config.write_text(yaml.safe_dump(raw))
    old = tiny_pdf("Alt und erledigt, darf weg 00008")
    unknown = b"%PDF-1.4 never archived, must stay"
    (run.inbox / "done").mkdir(parents=True)
    for name, data in (("old.pdf", old), ("unknown.pdf", unknown)):
        (run.inbox / "done" / name).write_bytes(data)
        os.utime(run.inbox / "done" / name, (time.time() - 3 * 86400,) * 2)
    (tmp_path / "old.pdf").write_bytes(old)
    env = dict(os.environ, DMS_HOME=str(run.home))
    subprocess.run(DMS + ["--config", str(run.config), "ingest", str(tmp_path / "old.pdf")], env=env, cwd=REPO,
                   check=True, capture_output=True)
    try:
        run.start()
        fresh = tiny_pdf("Im Polling-Modus gefunden 00009")
        drop(run.inbox, "fresh.pdf", fresh)
        run.wait_for(lambda: (run.inbox / "done" / "fresh.pdf").exists(), 30, "fresh.pdf via polling")
        # done/ is cleaned a few seconds after start: archived originals only
        run.wait_for(lambda: not (run.inbox / "done" / "old.pdf").exists(), 30, "old.pdf expired")
        assert (run.inbox / "done" / "unknown.pdf").read_bytes() == unknown
        assert run.terminate() == 0
    finally:
        run.kill_group()
    assert run.catalog_counts()[sha(fresh)] == 1
