"""Search at archive size: 100k, 300k and 1M pages of generated German office text, SQLite and PostgreSQL.

    nice -n 10 .venv/bin/python benchmarks/bench_search.py                      # 100k, 300k, 1M on both
    .venv/bin/python benchmarks/bench_search.py --sizes 5000,20000 --queries 20 # a quick run
    .venv/bin/python benchmarks/bench_search.py --backends sqlite --sizes 100000
    .venv/bin/python benchmarks/bench_search.py --keep /var/tmp/bench-search --build-only   # build, keep
    .venv/bin/python benchmarks/bench_search.py --reuse /var/tmp/bench-search               # queries only

Pages are written through the product's own write path (`Catalog.add_document`: document row,
page rows, audit event and search entries in one transaction per document), growing one index
per backend from size to size. Page texts come from the document-type generator's templates
(dms_datagen.training_corpus): a pool of rendered documents whose case number and
person are replaced by those of the benchmark's cases (about 33 pages per case, as 30,000 paper
files make 3,000,000 pages), so case numbers and surnames are as rare as in the archive and the
office vocabulary as common. Indexing rate = pages / seconds spent in add_document (one process,
one core). Each query class runs --queries different queries once, after one warm-up round; the
table shows p50/p95 in milliseconds of `Catalog.find` (ranked top 20, total, facets, snippets).
The case numbers, surnames, case filters, allowed lists and teams of the queries are drawn from
random documents of the measured index (search_queries.py), so they are there in a copied index
too; below the table, each class's median total of documents found. A class whose median total
is 0 is named in a WARNING and the exit status is 1: its times would measure no search.
--json FILE writes the rows (per class: wall p50/p95, median total, CPU p50/p95, empty queries).
"per CPU s" = pages per CPU second of the whole build (this process plus, for PostgreSQL, the
server backends serving it): the rate on one free core, whatever else the machine runs; "load" =
the 1-minute load average when the size was measured. Bytes per page = the whole database (text, metadata, audit, index) / pages; "index" = the
full-text structures alone; ratio = database bytes / bytes of raw page text (UTF-8), in brackets without
PostgreSQL's own system catalogs (~8 MB in any database, not growing with the pages). --compact runs
the nightly batch's GIN rebuild after each size (what a production index gets once it has grown by a
tenth); without it the GIN index is as grown by inserts (index_size_breakdown.py: per relation).
PostgreSQL: a throwaway database on 127.0.0.1:5432, dropped at the end.

--keep DIR keeps each size's index (SQLite: DIR/sqlite-N.sqlite; PostgreSQL: database
dms_bench_keep_N) with DIR/manifest.json (build figures, cases); --reuse DIR measures the query
phase again on those (e.g. on an idle machine), reindexing first if the analyser changed since.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import NamedTuple
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dms_datagen import training_corpus as corpus  # noqa: E402
from sqlalchemy import Column, MetaData, Table  # noqa: E402
from sqlalchemy.dialects.postgresql import TSVECTOR  # noqa: E402

from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.models import AuditEvent, CaseRow, DocumentRow, PageRow  # noqa: E402
from dms_ingest.index.object_keys import stored_row  # noqa: E402
from dms_ingest.index.query import SearchQuery  # noqa: E402
from dms_ingest.ingest.persist import archived_detail  # noqa: E402
from dms_ingest.storage.keys import key_for  # noqa: E402
from search_queries import CLASSES, query_classes  # noqa: E402

PAGES_PER_CASE = 33
# PostgreSQL's pages table as the index has it: the model's columns and the page vector (fulltext.py).
PAGES_WITH_VECTORS = Table("pages", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key, autoincrement=c.autoincrement)
                                                  for c in PageRow.__table__.columns), Column("tsv", TSVECTOR))
CASE_NUMBER = re.compile(r"ABH-\d{4}-\d{5}")
SYLLABLES = ["ka", "ra", "mi", "to", "sel", "dur", "han", "bek", "lo", "vic", "nes", "ta", "gu", "zel", "ori", "pa",
             "ven", "shi", "mur", "al", "de", "kov", "in", "yil", "sch", "ber", "wa", "no", "ly", "ek"]


@dataclass
class Case:
    number: str
    surname: str
    given: str
    team: str


def make_cases(count: int, rng: random.Random) -> list[Case]:
    cases, seen = [], set()
    while len(cases) < count:
        surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        number = f"ABH-{rng.randint(2008, 2025)}-{rng.randint(1, 99999):05d}"
        if number in seen:
            continue
        seen.add(number)
        cases.append(Case(number, surname, rng.choice(["Amir", "Olena", "Mehmet", "Anna", "Yusuf", "Fatima"]),
                          "team-" + surname[0].upper()))
    return cases


def make_pool(size: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(type, text, surname in text) of rendered template documents."""
    pool = []
    labels = list(corpus.TEMPLATES)
    for i in range(size):
        label = labels[i % len(labels)]
        doc = corpus._Doc(rng)
        text = rng.choice(corpus.TEMPLATES[label])(doc)
        if rng.random() < 0.45:                         # a longer page: a second letter's text follows
            other = rng.choice(labels)
            text += "\n" + rng.choice(corpus.TEMPLATES[other])(corpus._Doc(rng))
        pool.append((label, text, doc.person.surname))
    return pool


def server_cpu(catalog: Catalog) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving this database (0 for SQLite)."""
    if catalog.is_sqlite:
        return 0.0
    with catalog.engine.connect() as conn:
        # Only the sessions of this run (same application_name): a kept index may still be growing.
        pids = [r[0] for r in conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = current_setting('application_name')")]
    return sum(process_cpu(pid) for pid in pids)


def process_cpu(pid: int) -> float:
    """CPU seconds of a process: /proc/PID/schedstat counts nanoseconds; /proc/PID/stat only 10 ms
    ticks, too coarse for a query of a few ms (a p95 of 12 ms was one tick); 0 if it has ended."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, IndexError, ValueError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def archived_rows(doc_id: str, label: str, case_number: str, received: datetime, texts: list[str],
                  rng: random.Random) -> tuple[DocumentRow, list[PageRow]]:
    """A document's rows with every field the pipeline fills (persist.rows_from_record): hashes,
    object keys, title, confidences, so that the bytes per page count a real document row."""
    def digest(role: str) -> str:
        return hashlib.sha256(f"{doc_id}/{role}".encode()).hexdigest()

    scan = f"scan_{received:%Y%m%d_%H%M%S}.pdf"
    doc = DocumentRow(id=doc_id, source=f"/srv/scans/{received:%Y/%m}/{scan}", media_type="application/pdf",
                      original_sha256=digest("original"), original_key=key_for(doc_id, "original", "pdf"),
                      original_ext="pdf", archive_sha256=digest("archive"), archive_key=key_for(doc_id, "archive"),
                      metadata_key=key_for(doc_id, "metadata-1"), metadata_sha256=digest("metadata-1"),
                      pages=len(texts), doc_type=label, doc_type_confidence=round(rng.uniform(0.6, 1), 3),
                      case_number=case_number, case_method="text", title=f"{label} {scan}",
                      ocr_confidence=round(rng.uniform(80, 96), 1), created_at=received, updated_at=received)
    rows = [PageRow(document_id=doc_id, number=n, text=t, ocr_confidence=round(rng.uniform(80, 96), 1),
                    skew=round(rng.uniform(-1, 1), 3), colour="gray") for n, t in enumerate(texts, 1)]
    return doc, rows


class Archive:
    """Generates documents (1-5 pages) of the benchmark's cases and writes them through add_document."""

    def __init__(self, catalog: Catalog, cases: list[Case], pool, seed: int):
        self.catalog, self.cases, self.pool = catalog, cases, pool
        self.rng = random.Random(seed)
        self.pages = self.documents = self.text_bytes = 0
        self.seconds = self.cpu_seconds = 0.0     # wall seconds in add_document; CPU of all the build
        self.deadline: datetime | None = None     # stop growing (and measure what there is) after this
        self.start = datetime(2019, 1, 1, tzinfo=timezone.utc)
        self.bulk = False                         # --bulk: 500 documents per transaction (see _write_batch)

    def _write_batch(self, batch: list[tuple[DocumentRow, list[PageRow]]]) -> None:
        """The rows, audit events and index entries add_document writes, for many documents in one transaction:
        a quicker way to an archive-sized index when only the query phase is to be measured."""
        catalog, pages = self.catalog, PageRow.__table__
        started = time.perf_counter()
        with catalog.engine.begin() as conn:
            conn.execute(DocumentRow.__table__.insert(), [stored_row(doc) for doc, _ in batch])
            # add_document's audit event ("archived", with the pipeline's detail), so that the bytes per page count it too
            conn.execute(AuditEvent.__table__.insert(), [{"document_id": doc.id, "at": doc.created_at, "actor": "pipeline",
                                                          "action": "archived", "detail": json.dumps(archived_detail(doc))}
                                                         for doc, _ in batch])
            rows = [page for _, doc_pages in batch for page in doc_pages]
            by_id = {doc.id: doc for doc, _ in batch}
            entries = [catalog._entry(conn, by_id[page.document_id], 0, page.text) for page in rows]
            values = [page.model_dump(exclude={"id"}) for page in rows]
            if not catalog.is_sqlite:           # PostgreSQL: the vector in the page row, as add_document writes it
                pages = PAGES_WITH_VECTORS
                for value, entry in zip(values, entries):
                    value["tsv"] = catalog.fulltext.tsvector(entry)
            ids = conn.execute(pages.insert().returning(pages.c.id, sort_by_parameter_order=True), values).scalars().all()
            for entry, page_id in zip(entries, ids):
                entry.page_id = page_id
            if catalog.is_sqlite:
                catalog.fulltext.insert(conn, entries)
            catalog._remember_words(conn, entries)
        self.seconds += time.perf_counter() - started

    def server_cpu(self) -> float:
        return server_cpu(self.catalog)

    def grow(self, pages: int, report) -> None:
        cpu_started, server_started = time.process_time(), self.server_cpu()
        try:
            self._grow(pages, report)
        finally:
            self.cpu_seconds += time.process_time() - cpu_started + self.server_cpu() - server_started

    def _grow(self, pages: int, report) -> None:
        target = self.pages + pages
        batch: list = []
        while self.pages < target:
            if self.deadline and self.documents % 500 == 0 and not batch and datetime.now() > self.deadline:
                print(f"\n  out of time: measuring at {self.pages:,} pages", file=sys.stderr)
                return
            case = self.rng.choice(self.cases)
            label, _, _ = self.rng.choice(self.pool)
            doc_id = f"bench-{self.documents:018d}"     # 24 characters, as the pipeline's ids
            texts = []
            for _ in range(min(self.rng.choice([1, 1, 2, 3, 4, 5]), target - self.pages)):
                _, text, surname = self.rng.choice(self.pool)
                text = CASE_NUMBER.sub(case.number, text).replace(surname, case.surname)
                texts.append(text)
            received = self.start + timedelta(minutes=self.documents * 7)
            # the field values from a generator of their own: the archive's texts and cases stay those of the seed
            doc, rows = archived_rows(doc_id, label, case.number, received, texts, random.Random(self.documents))
            if self.bulk:
                batch.append((doc, rows))
                if len(batch) >= 500 or self.pages + len(texts) >= target:
                    self._write_batch(batch)
                    batch = []
            else:
                started = time.perf_counter()
                self.catalog.add_document(doc, rows, actor="pipeline", detail=archived_detail(doc))
                self.seconds += time.perf_counter() - started
            self.documents += 1
            self.pages += len(texts)
            self.text_bytes += sum(len(t.encode()) for t in texts)
            if self.documents % 2000 == 0:
                report(self)


class Timing(NamedTuple):
    """One class's figures (a list in the --json output, in this order)."""

    wall_p50: float
    wall_p95: float
    median_total: float          # documents found, median over the class's queries
    cpu_p50: float               # CPU ms: this process plus, for PostgreSQL, its server backends
    cpu_p95: float
    empty: int                   # queries that found nothing


def host_loop_ms() -> float:
    """How long a fixed pure-Python loop takes now: the speed the host gives this machine's cores.
    On a shared host it swings (16-29 ms within a minute, 29 Nov 2026), and every query time with it."""
    started = time.perf_counter()
    total = 0
    for i in range(300_000):
        total += i * i
    return (time.perf_counter() - started) * 1000


def measure(catalog: Catalog, classes: dict[str, list[SearchQuery]], host: list[float] | None = None
            ) -> dict[str, Timing]:
    """Per class: wall and CPU ms p50 / p95 (CPU: what a query costs whatever else the machine
    runs) and how many documents the queries found. *host*: the host loop's time (host_loop_ms)
    before each class and after the last is appended to it."""
    results = {}
    for name, queries in classes.items():
        if host is not None:
            host.append(host_loop_ms())
        for query in queries[:3]:
            catalog.find(query)                           # warm-up
        times, cpus, totals = [], [], []
        for query in queries:
            cpu_started, server_started = time.process_time(), server_cpu(catalog)
            started = time.perf_counter()
            page = catalog.find(query)
            times.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu_started + server_cpu(catalog) - server_started) * 1000)
            totals.append(page.total)
        results[name] = Timing(statistics.median(times), p95(times), statistics.median(totals),
                               statistics.median(cpus), p95(cpus), sum(1 for t in totals if t == 0))
    if host is not None:
        host.append(host_loop_ms())
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


ADMIN = {"dbname": "postgres", "host": "127.0.0.1", "port": 5432, "user": "postgres"}
KEEP_PREFIX = "dms_bench_keep_"


def postgres_admin(sql: str) -> None:
    import psycopg2

    admin = psycopg2.connect(**ADMIN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(sql)
    finally:
        admin.close()


def postgres_url(name: str) -> str:
    return f"postgresql+psycopg2://{ADMIN['user']}@{ADMIN['host']}:{ADMIN['port']}/{name}"


class Store:
    """Where one backend's index grows, and (with --keep) where each size is kept for --reuse."""

    def __init__(self, backend: str, args):
        self.backend, self.keep = backend, Path(args.keep) if args.keep else None
        self.workdir = None if self.keep else tempfile.TemporaryDirectory(prefix="bench-search-", dir=args.workdir)
        if backend == "sqlite":
            self.path = (self.keep / "sqlite-build.sqlite") if self.keep else Path(self.workdir.name) / "index.sqlite"
            self.path.unlink(missing_ok=True)
            self.url = f"sqlite:///{self.path}"
        else:
            self.database = (KEEP_PREFIX + "build") if self.keep else f"dms_bench_{secrets.token_hex(4)}"
            postgres_admin(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            postgres_admin(f"CREATE DATABASE {self.database}")
            self.url = postgres_url(self.database)

    def kept_url(self, pages: int, catalog: Catalog) -> str:
        """Copy the index as it is now (the build goes on growing its own copy)."""
        catalog.engine.dispose()
        if self.backend == "sqlite":
            target = self.keep / f"sqlite-{pages}.sqlite"
            with catalog.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            catalog.engine.dispose()
            shutil.copyfile(self.path, target)
            return f"sqlite:///{target}"
        name = f"{KEEP_PREFIX}{pages}"
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {name} TEMPLATE {self.database}")
        return postgres_url(name)

    def close(self, catalog: Catalog | None) -> None:
        if catalog is not None:
            catalog.engine.dispose()
        if self.backend == "sqlite":
            if self.keep:
                self.path.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)
        else:
            postgres_admin(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        if self.workdir:
            self.workdir.cleanup()


def load_manifest(keep: Path) -> dict:
    path = keep / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {"indexes": []}


def save_manifest(keep: Path, manifest: dict) -> None:
    (keep / "manifest.json").write_text(json.dumps(manifest, indent=1))


def measured_row(backend: str, catalog: Catalog, built: dict, args) -> dict:
    stats = catalog.index_stats()
    pages = built["pages"]
    catalogs = system_catalog_bytes(catalog)
    host: list[float] = []
    timings = measure(catalog, query_classes(catalog, random.Random(built["size"]), args.queries), host)
    return {"backend": backend, "pages": pages, "rate": pages / built["seconds"],
            "cpu_rate": pages / max(built["cpu_seconds"], 1e-9), "load": os.getloadavg()[0],
            "bytes_per_page": stats["database_bytes"] / pages, "index_per_page": stats["fulltext_bytes"] / pages,
            "ratio": stats["database_bytes"] / built["text_bytes"], "chars_per_page": built["text_bytes"] / pages,
            "system_catalog_bytes": catalogs, "tables_ratio": (stats["database_bytes"] - catalogs) / built["text_bytes"],
            "timings": timings, "replicated_from": built.get("replicated_from"), "host_loop_ms": host,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def system_catalog_bytes(catalog: Catalog) -> int:
    """What the database holds besides the product's tables and indexes (PostgreSQL's own catalogs,
    ~8 MB in every database however many pages): 83 bytes per page at 100k, 3 at 3M."""
    if catalog.is_sqlite:
        return 0
    with catalog.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT pg_database_size(current_database()) - (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm'))").scalar())


def run_backend(backend: str, sizes: list[int], pool, args, rows: list[dict]) -> None:
    rng = random.Random(args.seed)
    cases = make_cases(max(200, max(sizes) // PAGES_PER_CASE), rng)
    store = Store(backend, args)
    catalog = None
    try:
        catalog = Catalog(store.url)
        catalog.replace_cases([CaseRow(case_number=c.number, surname=c.surname, given_names=c.given, team=c.team)
                               for c in cases])
        archive = Archive(catalog, cases, pool, args.seed)
        archive.bulk = args.bulk
        if args.stop_at:
            archive.deadline = args.stop_at - timedelta(seconds=args.reserve)

        def report(a: Archive) -> None:
            print(f"\r  {backend}: {a.pages:,} pages, {a.pages / a.seconds:,.0f} pages/s", end="", file=sys.stderr)

        for size in sizes:
            if args.stop_at and archive.pages:
                left = (args.stop_at - datetime.now()).total_seconds() - args.reserve
                needed = (size - archive.pages) / (archive.pages / archive.seconds) * 1.15
                if needed > left:
                    print(f"\n  {backend}: {size:,} pages would need {needed / 60:.0f} more minutes, "
                          f"{max(left, 0) / 60:.0f} are left: stopping at {archive.pages:,}", file=sys.stderr)
                    break
            archive.grow(size - archive.pages, report)
            print(file=sys.stderr)
            stopped_early = archive.pages < size
            if backend != "sqlite":
                with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            grown_bytes = None
            if args.compact:
                grown_bytes = catalog.index_stats()["database_bytes"]
                compacted = catalog.compact_search_index()
                print(f"  {backend}: the nightly batch's index compaction: {compacted}", file=sys.stderr)
            if args.reindex and "reindex_rate" not in archive.__dict__:
                cpu_started, server_started, started = time.process_time(), archive.server_cpu(), time.perf_counter()
                reindexed = catalog.reindex()
                archive.reindex_rate = reindexed / (time.perf_counter() - started)
                archive.reindex_cpu_rate = reindexed / (time.process_time() - cpu_started + archive.server_cpu()
                                                        - server_started)
                print(f"  {backend}: dms reindex of {reindexed:,} pages: {archive.reindex_rate:,.0f} pages/s wall, "
                      f"{archive.reindex_cpu_rate:,.0f} per CPU second", file=sys.stderr)
                print(f"\n{backend}: `Catalog.reindex` (what `dms reindex` runs) of {reindexed:,} pages: "
                      f"{archive.reindex_rate:,.0f} pages/s wall, {archive.reindex_cpu_rate:,.0f} per CPU second\n")
            built = {"backend": backend, "size": size, "pages": archive.pages, "documents": archive.documents,
                     "text_bytes": archive.text_bytes, "seconds": archive.seconds, "cpu_seconds": archive.cpu_seconds,
                     "build_load": os.getloadavg()[0], "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "seed": args.seed, "case_count": len(cases), "bulk": args.bulk, "grown_bytes": grown_bytes,
                     "compacted": args.compact}
            if store.keep:
                built["url"] = store.kept_url(size, catalog)
                manifest = load_manifest(store.keep)        # another backend's run may have added to it
                manifest["indexes"] = [i for i in manifest["indexes"] if (i["backend"], i["size"]) != (backend, size)]
                manifest["indexes"].append(built)
                save_manifest(store.keep, manifest)
                print(f"  {backend}: kept {archive.pages:,} pages at {built['url']}", file=sys.stderr)
            if not args.build_only:
                row = measured_row(backend, catalog, built, args)
                report_row(row, rows)
            if stopped_early:
                break
    finally:
        store.close(catalog)


def reuse_backend(backend: str, sizes: list[int] | None, args, rows: list[dict]) -> None:
    """The query phase again on indexes kept by --keep (the build figures come from the manifest)."""
    keep = Path(args.reuse)
    for built in sorted(load_manifest(keep)["indexes"], key=lambda i: i["size"]):
        if built["backend"] != backend or (sizes and built["size"] not in sizes):
            continue
        url = built["url"] + ("" if backend == "sqlite" else f"?application_name=bench_search_{os.getpid()}")
        catalog = Catalog(url)
        try:
            if catalog.outdated:
                started = time.perf_counter()
                reindexed = catalog.reindex()
                print(f"  {backend} {built['pages']:,}: the analyser changed, reindexed {reindexed:,} pages in "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
            if backend != "sqlite":
                with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("ANALYZE")
            row = measured_row(backend, catalog, built, args)
        finally:
            catalog.engine.dispose()
        report_row(row, rows)


def print_header(classes: list[str]) -> None:
    print("| backend | pages | pages/s wall (per CPU s) | load | bytes/page (index) | × text (without system catalogs) | " + " | ".join(classes) + " |")
    print("|---|---:|---:|---:|---:|---:|" + "---:|" * len(classes))


def print_row(row: dict) -> None:
    cells = [f"{t.wall_p50:.1f} / {t.wall_p95:.1f} (CPU {t.cpu_p50:.1f} / {t.cpu_p95:.1f})" for t in row["timings"].values()]
    copied = f", copies of {row['replicated_from']:,}" if row.get("replicated_from") else ""
    tables = f" ({row['tables_ratio']:.2f})" if row.get("system_catalog_bytes") else ""
    print(f"| {row['backend']} | {row['pages']:,} | {row['rate']:,.0f} ({row['cpu_rate']:,.0f}{copied}) | {row['load']:.0f} "
          f"| {row['bytes_per_page']:,.0f} "
          f"({row['index_per_page']:,.0f}) | {row['ratio']:.2f}{tables} | " + " | ".join(cells) + " |")


def report_row(row: dict, rows: list[dict]) -> None:
    rows.append(row)
    print_row(row)
    sys.stdout.flush()
    if row.get("host_loop_ms"):
        loops = sorted(row["host_loop_ms"])
        print(f"  {row['backend']} {row['pages']:,}: host speed, a fixed Python loop (host_loop_ms) took "
              f"{loops[0]:.0f}-{loops[-1]:.0f} ms (median {statistics.median(loops):.0f}) during the measurement",
              file=sys.stderr)
    for name in empty_classes(row):
        print(f"WARNING: {row['backend']} {row['pages']:,}: class '{name}' found nothing (median total 0): "
              "its times say nothing", file=sys.stderr)


def empty_classes(row: dict) -> list[str]:
    """The classes whose queries mostly found nothing: their times measure no search."""
    return [name for name, t in row["timings"].items() if t.median_total == 0]


def print_totals(rows: list[dict]) -> None:
    print("\nmedian total (documents found; a lower bound where the ranking was bounded) per class, "
          "[queries that found nothing]:")
    for row in rows:
        print(f"  {row['backend']} {row['pages']:,}: " + ", ".join(
            f"{name} {t.median_total:,.0f}" + (f" [{t.empty}]" if t.empty else "") for name, t in row["timings"].items()))
    empty = [f"{row['backend']} {row['pages']:,} '{name}'" for row in rows for name in empty_classes(row)]
    if empty:
        print(f"\nWARNING: found nothing (median total 0), times meaningless: {', '.join(empty)}")


def main() -> int:
    global KEEP_PREFIX
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="default 100000,300000,1000000 (--reuse: every size kept)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=40, help="different queries per class")
    parser.add_argument("--pool", type=int, default=6000, help="rendered template documents to draw pages from")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", default=None, help="where the SQLite database goes (default: temp)")
    parser.add_argument("--stop-at", default=None, help="HH:MM: skip a size that cannot be built and measured by then")
    parser.add_argument("--reserve", type=float, default=300, help="seconds kept for measuring after the last size")
    parser.add_argument("--reindex", action="store_true", help="also time a full reindex at the first size")
    parser.add_argument("--keep", default=None, help="DIR: keep each size's index there (and in PostgreSQL) for --reuse")
    parser.add_argument("--bulk", action="store_true",
                        help="write 500 documents per transaction (not add_document): quicker archive-sized builds")
    parser.add_argument("--compact", action="store_true",
                        help="after each size, the nightly batch's GIN rebuild (index/compaction.py) where it is due")
    parser.add_argument("--build-only", action="store_true", help="build (and keep) without measuring queries")
    parser.add_argument("--reuse", default=None, help="DIR: only measure queries on the indexes kept there by --keep")
    parser.add_argument("--keep-prefix", default=KEEP_PREFIX,
                        help=f"names of the kept PostgreSQL databases (default {KEEP_PREFIX}N): runs side by side")
    parser.add_argument("--json", default=None, help="FILE: write the measured rows there (timings per class: "
                        + ", ".join(Timing._fields) + ")")
    args = parser.parse_args()
    KEEP_PREFIX = args.keep_prefix
    args.sizes_given = args.sizes is not None
    args.sizes = args.sizes or "100000,300000,1000000"
    if args.stop_at:
        hour, minute = map(int, args.stop_at.split(":"))
        args.stop_at = datetime.now().replace(hour=hour, minute=minute, second=0, microsecond=0)
        if args.stop_at < datetime.now():           # after midnight
            args.stop_at += timedelta(days=1)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    print("p50 / p95 in ms per query class (CPU ms p50 / p95: client + server); bytes per page of the whole database "
          "(full-text index alone)\n")
    print_header(list(CLASSES))
    rows: list[dict] = []
    for backend in args.backends.split(","):
        if args.reuse:
            reuse_backend(backend, sizes if args.sizes_given else None, args, rows)
        else:
            run_backend(backend, sizes, make_pool(args.pool, random.Random(args.seed)), args, rows)
    print_totals(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 1 if any(empty_classes(row) for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
