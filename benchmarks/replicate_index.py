"""An archive-sized search index in minutes: a kept bench_search index, copied --times times.

    nice -n 5 .venv/bin/python benchmarks/replicate_index.py --keep DIR --backend sqlite --from 100000 --times 10
    nice -n 5 .venv/bin/python benchmarks/replicate_index.py --keep DIR --backend postgresql --from 100000 --times 10

Takes the index `bench_search.py --keep DIR` kept for --from pages and writes a new one of --times
as many pages next to it (SQLite: DIR/sqlite-N.sqlite; PostgreSQL: database PREFIXN, --keep-prefix
as given to bench_search), entered in DIR/manifest.json with "replicated_from" so that
`bench_search.py --reuse DIR` measures it like a built index (drawing its case numbers, surnames
and filters from what the copy holds). Two methods:

reindex (SQLite's default; PostgreSQL too if asked): copy r of every document and page gets the
suffix "/r" on its document id. If the kept index has the cases of the new size (bench_search makes
one case per 33 pages of the largest size of its run), the copies stay in their cases, so a case has
the pages it has in a generated archive of that size; if not, copy r of every case gets "/r" on its
case number (in the page text too), a case of its own with as many pages. The full-text index is
then built by the product's `Catalog.reindex` (what `dms reindex` runs): an honest index build,
about an hour per 1M pages for PostgreSQL on the shared machine.

vectors (PostgreSQL's default): copies the documents, their audit events, pages and page vectors inside PostgreSQL with
new ids above the source's (each copy newer), received dates moved past the source's period, new
case numbers and teams (the next cases of the benchmark's own case list), and each vector's case,
team and date tokens rewritten to match; words and strong-word tokens are copied, the GIN index is
built once at the end, then VACUUM ANALYZE. The page text is copied unchanged: the case number and
surname written in it are those of the source's case.

What differs from a generated archive either way: every text occurs --times as often, so a surname
or case number written in the text is on --times as many pages (harder for the "rare word" and
"case number" classes, not easier); common words, phrases and tokens have the posting lists of an
archive of the new size.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import inspect, select, text  # noqa: E402

from bench_search import (KEEP_PREFIX, PAGES_PER_CASE, load_manifest, make_cases, postgres_admin,  # noqa: E402
                          postgres_url, save_manifest)
from dms_ingest.index.analysis import case_token, day_token, month_token, team_token, year_token  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.models import CaseRow, DocumentRow, PageRow  # noqa: E402
from dms_ingest.index.page_text import store_texts  # noqa: E402

_RENAMED = {"cases": {"case_number"}, "documents": {"id", "case_number"}, "pages": {"document_id"},
            "audit_events": {"document_id"}}
_NUMBERED = ("pages", "audit_events")     # new ids from their sequence


def _copy_table(conn, table: str, suffix: str, new_cases: bool) -> None:
    columns = [c["name"] for c in inspect(conn).get_columns(table) if not (table in _NUMBERED and c["name"] == "id")]
    values = []
    for name in columns:
        if name in _RENAMED[table] and (new_cases or name != "case_number"):
            values.append(f"CASE WHEN t.{name} IS NULL OR t.{name} = '' THEN t.{name} ELSE t.{name} || :s END")
        else:
            values.append(f"t.{name}")
    source = f"{table} t"
    original = {"cases": "t.case_number", "documents": "t.id", "pages": "t.document_id",
                "audit_events": "t.document_id"}[table]
    conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source} "
                      f"WHERE {original} NOT LIKE '%/%' ORDER BY {'t.id' if table in _NUMBERED else original}"),
                 {"s": suffix})


def _rename_cases_in_texts(conn, suffix: str) -> None:
    """The copied pages' texts name their copied case ("ABH-2020-00001/3"): the text is stored
    compressed (index/page_text.py), so it is rewritten here rather than by SQL's replace()."""
    rows = conn.execute(select(PageRow.id, PageRow.text, DocumentRow.case_number).join(DocumentRow)
                        .where(DocumentRow.id.like(f"%{suffix}"), DocumentRow.case_number.like(f"%{suffix}"))).all()
    store_texts(conn, [(i, t.replace(case[:-len(suffix)], case)) for i, t, case in rows if case[:-len(suffix)] in t])


def copy_and_reindex(catalog: Catalog, source: dict, times: int) -> int:
    """The reindex method; returns the case count the manifest keeps (bench_team_scope draws from it)."""
    started = time.perf_counter()
    new_cases = source["case_count"] < source["size"] * times // PAGES_PER_CASE
    with catalog.engine.begin() as conn:
        for r in range(1, times):
            for table in ("cases", "documents", "pages", "audit_events") if new_cases else ("documents", "pages", "audit_events"):
                _copy_table(conn, table, f"/{r}", new_cases)
            if new_cases:
                _rename_cases_in_texts(conn, f"/{r}")
            print(f"\r  copy {r} of {times - 1} written", end="", file=sys.stderr)
    copied = time.perf_counter() - started
    cpu = time.process_time()
    pages = catalog.reindex(lambda done, total: print(f"\r  reindex {done:,} / {total:,} pages", end="", file=sys.stderr))
    reindexed = time.perf_counter() - started - copied
    print(f"\n  {pages:,} pages: rows copied in {copied:,.0f} s, `Catalog.reindex` {reindexed:,.0f} s "
          f"({pages / reindexed:,.0f} pages/s wall, {pages / max(1e-9, time.process_time() - cpu):,.0f} per CPU s of "
          "this process)", file=sys.stderr)
    return source["case_count"]


def copy_vectors(catalog: Catalog, source: dict, times: int) -> int:
    """The vectors method (PostgreSQL); returns the case count of the larger case list it used."""
    cases = make_cases(max(200, source["size"] * times // PAGES_PER_CASE), random.Random(source["seed"]))
    old_cases = cases[:source["case_count"]]       # the same draws: the source's cases come first
    if len(old_cases) * times > len(cases):
        raise SystemExit("not enough cases in the larger list for the copies")
    started = time.perf_counter()
    catalog.replace_cases([CaseRow(case_number=c.number, surname=c.surname, given_names=c.given, team=c.team)
                           for c in cases])
    with catalog.engine.begin() as conn:
        conn.execute(text("SET LOCAL TIME ZONE 'UTC'; SET LOCAL maintenance_work_mem = '512MB'"))
        max_page, documents, max_event = conn.execute(text(
            "SELECT (SELECT max(id) FROM pages), (SELECT count(*) FROM documents), (SELECT max(id) FROM audit_events)")).one()
        first, last = conn.execute(text("SELECT min(created_at)::date, max(created_at)::date FROM documents")).one()
        shift_days = (last - first).days + 1
        days = [r[0] for r in conn.execute(text("SELECT DISTINCT created_at::date FROM documents"))]
        conn.execute(text("CREATE TEMP TABLE case_map (k int, old_case text, new_case text, old_toks text[], new_toks text[])"))
        conn.execute(text("CREATE TEMP TABLE day_map (k int, old_day date, old_toks text[], new_toks text[])"))
        conn.execute(text("INSERT INTO case_map VALUES (:k, :o, :n, :ot, :nt)"),
                     [{"k": k, "o": c.number, "n": new.number, "ot": [case_token(c.number), team_token(c.team)],
                       "nt": [case_token(new.number), team_token(new.team)]}
                      for k in range(1, times) for i, c in enumerate(old_cases) for new in [cases[k * len(old_cases) + i]]])
        # The team each case's pages carry (team_scope.py), for the new cases as for the source's.
        conn.execute(text("INSERT INTO search_case_teams (case_number, team) SELECT new_case, c.team FROM case_map m "
                          "JOIN cases c ON c.case_number = m.new_case ON CONFLICT DO NOTHING"))
        conn.execute(text("INSERT INTO day_map VALUES (:k, :o, :ot, :nt)"),
                     [{"k": k, "o": d, "ot": [day_token(d), month_token(d), year_token(d)],
                       "nt": [day_token(n), month_token(n), year_token(n)]}
                      for k in range(1, times) for d in days for n in [d + timedelta(days=k * shift_days)]])
        conn.execute(text("ANALYZE case_map; ANALYZE day_map"))
        catalog.fulltext.drop_index(conn)
        columns = [r[0] for r in conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position"),
            {"t": "documents"})]
        # The copies' ids as long as the source's ("bench-" and 18 digits, as long as the pipeline's ids)
        digits = conn.execute(text("SELECT max(length(id)) - 6 FROM documents")).scalar()
        width = max(digits, len(str(documents * times)))
        new_id = f"'bench-' || lpad((substr(%s, 7)::bigint + :k * {documents})::text, {width}, '0')"
        # A copy's original: another SHA-256 as long as the source's (the source path stays as it is)
        replaced = {"id": new_id % "d.id",
                    "original_sha256": "sha256(d.original_sha256 || convert_to(CAST(:k AS text), 'UTF8'))",
                    "case_number": "m.new_case",
                    "created_at": "d.created_at + make_interval(days => :k * :shift)",
                    "updated_at": "d.updated_at + make_interval(days => :k * :shift)"}
        page_columns = [r[0] for r in conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'pages' ORDER BY ordinal_position"))]
        # A copy's page vector: the source's with the copy's case, team and day tokens.
        page_values = {"id": "p.id + :k * :max_page", "document_id": new_id % "p.document_id",
                       "tsv": "ts_delete(p.tsv, dm.old_toks || m.old_toks) || array_to_tsvector(dm.new_toks || m.new_toks)"}
        for k in range(1, times):
            params = {"k": k, "shift": shift_days, "max_page": max_page}
            conn.execute(text(
                f"INSERT INTO documents ({', '.join(columns)}) SELECT "
                + ", ".join(replaced.get(c, f"d.{c}") for c in columns)
                + " FROM documents d JOIN case_map m ON m.k = :k AND m.old_case = d.case_number "
                  f"WHERE substr(d.id, 7)::bigint < {documents}"),
                params)
            conn.execute(text(
                f"INSERT INTO pages ({', '.join(page_columns)}) SELECT "
                + ", ".join(page_values.get(c, f"p.{c}") for c in page_columns)
                + " FROM pages p JOIN documents d ON d.id = p.document_id "
                  "JOIN case_map m ON m.k = :k AND m.old_case = d.case_number "
                  "JOIN day_map dm ON dm.k = :k AND dm.old_day = d.created_at::date "
                  "WHERE p.id <= :max_page ORDER BY p.id"), params)
            # The documents' audit events ("archived"), so that the copy's bytes per page count them too
            conn.execute(text(
                "INSERT INTO audit_events (document_id, at, actor, action, detail) SELECT "
                + new_id % "a.document_id" + ", a.at + make_interval(days => :k * :shift), a.actor, a.action, a.detail "
                "FROM audit_events a WHERE a.id <= :max_event AND a.document_id LIKE 'bench-%' ORDER BY a.id"),
                {**params, "max_event": max_event or 0})
            print(f"  copy {k} of {times - 1}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        conn.execute(text("SELECT setval(pg_get_serial_sequence('pages', 'id'), (SELECT max(id) FROM pages))"))
        catalog.fulltext.create_index(conn)
    with catalog.engine.connect() as conn:
        indexed = conn.execute(text("SELECT count(tsv) FROM pages")).scalar()
    if indexed != source["pages"] * times:
        raise SystemExit(f"copy incomplete: {indexed:,} pages indexed of {source['pages'] * times:,}")
    print(f"  {source['pages'] * times:,} pages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return len(cases)


def target_url(source: dict, backend: str, keep: Path, size: int, prefix: str) -> str:
    """A copy of the kept index, named for the new size."""
    if backend == "sqlite":
        target = keep / f"sqlite-{size}.sqlite"
        shutil.copyfile(source["url"][len("sqlite:///"):], target)
        return f"sqlite:///{target}"
    name = f"{prefix}{size}"
    postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_admin(f"CREATE DATABASE {name} TEMPLATE {source['url'].rsplit('/', 1)[1]}")
    return postgres_url(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True, help="the DIR of bench_search.py --keep")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--from", dest="source", type=int, default=100000, help="size (pages) of the kept index to copy")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--method", choices=("reindex", "vectors"), default=None,
                        help="default: reindex for sqlite, vectors for postgresql")
    parser.add_argument("--keep-prefix", default=KEEP_PREFIX, help="as given to bench_search.py --keep")
    args = parser.parse_args()
    method = args.method or ("reindex" if args.backend == "sqlite" else "vectors")
    if method == "vectors" and args.backend != "postgresql":
        parser.error("--method vectors copies PostgreSQL's page vectors: --backend postgresql")
    keep = Path(args.keep)
    [source] = [i for i in load_manifest(keep)["indexes"] if i["backend"] == args.backend and i["size"] == args.source]
    size = args.source * args.times
    url = target_url(source, args.backend, keep, size, args.keep_prefix)
    catalog = Catalog(url)
    try:
        case_count = (copy_and_reindex if method == "reindex" else copy_vectors)(catalog, source, args.times)
        with catalog.engine.connect() as conn:
            pages = conn.execute(text("SELECT count(*) FROM pages")).scalar()
        if args.backend != "sqlite":
            with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        catalog.engine.dispose()
    if pages != source["pages"] * args.times:
        raise SystemExit(f"copy incomplete: {pages:,} pages of {source['pages'] * args.times:,}")
    entry = {**source, "size": size, "pages": pages, "documents": source["documents"] * args.times,
             "text_bytes": source["text_bytes"] * args.times, "url": url, "case_count": case_count,
             "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "replicated_from": args.source, "times": args.times, "method": method,
             # the build rate shown for the copy stays that of the source's build
             "seconds": source["seconds"] * args.times, "cpu_seconds": source["cpu_seconds"] * args.times}
    manifest = load_manifest(keep)
    manifest["indexes"] = [i for i in manifest["indexes"] if (i["backend"], i["size"]) != (args.backend, size)]
    manifest["indexes"].append(entry)
    save_manifest(keep, manifest)
    print(json.dumps({k: entry[k] for k in ("backend", "size", "pages", "url", "replicated_from", "times", "method",
                                            "case_count")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
