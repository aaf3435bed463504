"""The write side of search: indexing rate, `dms reindex` rate and bytes per page, SQLite and PostgreSQL;
and RUM against GIN on PostgreSQL (size, write cost, ranked top 20 of a common word).

    .venv/bin/python benchmarks/bench_index_write.py                       # 30,000 pages, both backends
    .venv/bin/python benchmarks/bench_index_write.py --pages 100000 --backends postgresql --rum

Documents (1-5 pages) come from bench_search's generator and are written one by one through
`Catalog.add_document`, the pipeline's and the migration's write path. Rates are pages per CPU
second spent inside add_document (this process) and, for PostgreSQL, also with the server backend's
CPU added: the rate on one free core whatever else the shared machine runs. Wall-clock rates and
the 1-minute load average are printed beside them. Bytes per page: every table with its indexes
and TOAST (SQLite: every b-tree of the file), divided by pages; ratio = those bytes / raw page text.
--rum copies the page vectors into a GIN-indexed and a RUM-indexed table and compares them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_search as gen  # noqa: E402
from search_queries import COMMON_WORDS  # noqa: E402
from sqlalchemy import text  # noqa: E402

from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.folding import keys  # noqa: E402
from dms_ingest.index.models import CaseRow  # noqa: E402


def backend_cpu(conn) -> float:
    """CPU seconds of the PostgreSQL backend serving *conn* so far."""
    return gen.process_cpu(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())


def documents(catalog: Catalog, pages: int, seed: int) -> tuple[list, int]:
    """Generated (document, pages, add_document's keyword arguments) of about *pages* pages, and their bytes
    of text (the keywords: the pipeline's actor and audit detail, as bench_search's Archive passes them)."""
    rng = random.Random(seed)
    cases = gen.make_cases(max(200, pages // gen.PAGES_PER_CASE), rng)
    catalog.replace_cases([CaseRow(case_number=c.number, surname=c.surname, given_names=c.given, team=c.team)
                           for c in cases])
    archive = gen.Archive(catalog, cases, gen.make_pool(3000, random.Random(seed)), seed)
    made: list = []
    real_add = catalog.add_document
    catalog.add_document = lambda doc, rows, **audit: made.append((doc, rows, audit))
    try:
        archive.grow(pages, lambda _: None)
    finally:
        catalog.add_document = real_add
    return made, archive.text_bytes


def table_bytes(catalog: Catalog) -> dict[str, int]:
    with catalog.engine.connect() as conn:
        if catalog.is_sqlite:
            rows = conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")).all()
        else:
            rows = conn.execute(text(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")).all()
    return {name: int(size) for name, size in rows}


def server_pids_cpu(catalog: Catalog) -> float:
    return 0.0 if catalog.is_sqlite else gen.server_cpu(catalog)


def run(backend: str, args) -> dict:
    workdir = tempfile.TemporaryDirectory(prefix="bench-write-", dir=args.workdir)
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir.name}/index.sqlite"
    else:
        database = f"dms_bench_write_{os.getpid()}"
        gen.postgres_admin(f"CREATE DATABASE {database}")
        url = gen.postgres_url(database)

        def drop():
            gen.postgres_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    catalog = Catalog(url)
    try:
        made, text_bytes = documents(catalog, args.pages, args.seed)
        pages = sum(len(rows) for _, rows, _ in made)
        warm = len(made) // 20                          # the Hunspell word list and caches load here
        for doc, rows, audit in made[:warm]:
            catalog.add_document(doc, rows, **audit)
        measured = sum(len(rows) for _, rows, _ in made[warm:])
        cpu, server, wall = time.process_time(), server_pids_cpu(catalog), time.perf_counter()
        for doc, rows, audit in made[warm:]:
            catalog.add_document(doc, rows, **audit)
        cpu, server, wall = (time.process_time() - cpu, server_pids_cpu(catalog) - server,
                             time.perf_counter() - wall)
        result = {"backend": backend, "pages": pages, "load": os.getloadavg()[0],
                  "add_cpu": measured / cpu, "add_total": measured / (cpu + server), "add_wall": measured / wall}
        if not catalog.is_sqlite:
            with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        sizes = table_bytes(catalog)
        result.update(bytes=sum(sizes.values()), text_bytes=text_bytes, tables=sizes)
        cpu, server, wall = time.process_time(), server_pids_cpu(catalog), time.perf_counter()
        reindexed = catalog.reindex()
        cpu, server, wall = (time.process_time() - cpu, server_pids_cpu(catalog) - server,
                             time.perf_counter() - wall)
        result.update(reindex_cpu=reindexed / cpu, reindex_total=reindexed / (cpu + server),
                      reindex_wall=reindexed / wall)
        if not catalog.is_sqlite:
            with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        result["bytes_after_reindex"] = sum(table_bytes(catalog).values())
        if args.rum and not catalog.is_sqlite:
            result["rum"] = compare_rum(catalog, pages)
        return result
    finally:
        catalog.engine.dispose()
        if drop:
            drop()
        workdir.cleanup()


def compare_rum(catalog: Catalog, pages: int) -> dict:
    """GIN and RUM over copies of the page vectors (pages.tsv): bulk build, size, per-page insert cost, ranked top 20."""
    out: dict = {}
    with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.exec_driver_sql("SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'").scalar():
            print("RUM is not installed (Debian: apt-get install postgresql-15-rum): GIN only", file=sys.stderr)
            return out
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS rum")
        indexes = {"gin": "USING gin (tsv)", "rum": "USING rum (tsv rum_tsvector_ops)"}
        for name, method in indexes.items():
            table = f"eval_{name}"
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            conn.exec_driver_sql(f"CREATE TABLE {table} AS SELECT id AS page_id, tsv FROM pages WHERE tsv IS NOT NULL")
            cpu = backend_cpu(conn)
            conn.exec_driver_sql(f"CREATE INDEX {table}_tsv ON {table} {method}")
            build = backend_cpu(conn) - cpu
            size = conn.exec_driver_sql(f"SELECT pg_relation_size('{table}_tsv')").scalar()
            # Incremental inserts (what add_document does): a tenth of the pages again, 50 per statement,
            # then VACUUM (GIN's pending list merged into the index: part of its write cost).
            sample = max(1000, pages // 10)
            cpu = backend_cpu(conn)
            for start in range(0, sample, 50):
                conn.exec_driver_sql(f"INSERT INTO {table} SELECT id + 1000000000, tsv FROM pages "
                                     f"WHERE tsv IS NOT NULL ORDER BY id OFFSET {start} LIMIT 50")
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")      # GIN merges its pending list here: counted
            insert = (backend_cpu(conn) - cpu) / sample
            rank = ("ORDER BY ts_rank('{1, 0, 0, 0.1}', tsv, q, 1) DESC" if name == "gin" else "ORDER BY tsv <=> q")
            times = []
            for word in COMMON_WORDS * 3:
                key = "".join(keys(word))
                started = time.perf_counter()
                conn.exec_driver_sql(f"SELECT page_id FROM {table}, to_tsquery('simple', %(k)s) q "
                                     f"WHERE tsv @@ q {rank} LIMIT 20", {"k": key}).all()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out[name] = {"bytes_per_page": size / pages, "build_ms_per_1000": build * 1e6 / pages,
                         "insert_ms_per_page": insert * 1000, "top20_p50": statistics.median(times),
                         "top20_p95": times[int(0.95 * (len(times) - 1))]}
            conn.exec_driver_sql(f"DROP TABLE {table}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--rum", action="store_true", help="also compare RUM with GIN (PostgreSQL)")
    args = parser.parse_args()
    print("| backend | pages | add_document pages per CPU s (with server) | wall pages/s | reindex per CPU s "
          "(with server) | wall | bytes/page | × text | after reindex | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend in args.backends.split(","):
        r = run(backend, args)
        print(f"| {backend} | {r['pages']:,} | {r['add_cpu']:,.0f} ({r['add_total']:,.0f}) | {r['add_wall']:,.0f} "
              f"| {r['reindex_cpu']:,.0f} ({r['reindex_total']:,.0f}) | {r['reindex_wall']:,.0f} "
              f"| {r['bytes'] / r['pages']:,.0f} | {r['bytes'] / r['text_bytes']:.2f} "
              f"| {r['bytes_after_reindex'] / r['text_bytes']:.2f} | {r['load']:.0f} |")
        big = sorted(r["tables"].items(), key=lambda kv: -kv[1])[:6]
        print("|  | bytes/page by table: " + ", ".join(f"{n} {v / r['pages']:,.0f}" for n, v in big) + " |||||||||")
        for name, m in r.get("rum", {}).items():
            print(f"|  | {name}: {m['bytes_per_page']:,.0f} bytes/page, build {m['build_ms_per_1000']:,.0f} ms CPU "
                  f"per 1000 pages, insert {m['insert_ms_per_page']:.2f} ms CPU per page, common word top 20 "
                  f"p50/p95 {m['top20_p50']:.1f}/{m['top20_p95']:.1f} ms |||||||||")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
