"""A PostgreSQL search index of archive size in minutes: a kept index, copied inside PostgreSQL.

    .venv/bin/python benchmarks/replicate_search_index.py /var/tmp/bench-search --from 100000 --times 10

Building 1M pages through the product's write path takes over an hour on the shared machine; the
query phase only needs an index whose posting lists, tokens and row layout are those of a 1M-page
archive. This takes an index kept by `bench_search.py --keep DIR` (built with `--bulk` or
add_document) and appends *times* - 1 copies of its documents, pages and page vectors with new ids
(page ids above the source's, so each copy is newer), new case numbers and their teams (the next cases of the
benchmark's own case list, so `--reuse` draws its case filters and allowed lists from them),
received dates moved past the source's period, and the vectors' case, team and date tokens rewritten to
match. Words, compound parts, strong-word tokens and the page text are copied unchanged, so a word
lies in *times* × as many pages, as it would in a larger archive; a surname or case number written
in the text is however in *times* × as many pages as in a real archive (harder, not easier, for
the "rare word" and "case number" classes). The GIN index is dropped during the copy and built
again, then VACUUM ANALYZE. The result is recorded in DIR/manifest.json as size
source × times with "replicated_from", so `bench_search.py --reuse DIR` measures it.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import text  # noqa: E402

from bench_search import (PAGES_PER_CASE, load_manifest, make_cases, postgres_admin,  # noqa: E402
                          postgres_url, save_manifest)
from dms_ingest.index.analysis import case_token, day_token, month_token, team_token, year_token  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.models import CaseRow  # noqa: E402


def replicate(keep: Path, source_size: int, times: int, prefix: str) -> dict:
    manifest = load_manifest(keep)
    [source] = [i for i in manifest["indexes"] if i["backend"] == "postgresql" and i["size"] == source_size]
    size = source_size * times
    name = f"{prefix}{size}"
    postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_admin(f"CREATE DATABASE {name} TEMPLATE {source['url'].rsplit('/', 1)[1]}")
    cases = make_cases(max(200, size // PAGES_PER_CASE), random.Random(source["seed"]))
    old_cases = cases[:source["case_count"]]       # the same draws: the source's cases come first
    if len(old_cases) * times > len(cases):
        raise SystemExit("not enough cases in the larger list for the copies")
    catalog = Catalog(postgres_url(name))
    started = time.perf_counter()
    catalog.replace_cases([CaseRow(case_number=c.number, surname=c.surname, given_names=c.given, team=c.team)
                           for c in cases])
    with catalog.engine.begin() as conn:
        conn.execute(text("SET LOCAL TIME ZONE 'UTC'; SET LOCAL maintenance_work_mem = '512MB'"))
        max_page, documents = conn.execute(text("SELECT (SELECT max(id) FROM pages), (SELECT count(*) FROM documents)")).one()
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
        width = max(8, len(str(documents * times)))
        new_id = f"'bench-' || lpad((substr(%s, 7)::bigint + :k * {documents})::text, {width}, '0')"
        replaced = {"id": new_id % "d.id", "source": f"'bench/' || {new_id % 'd.id'} || '.pdf'",
                    "original_sha256": new_id % "d.id", "case_number": "m.new_case",
                    "created_at": "d.created_at + make_interval(days => :k * :shift)",
                    "updated_at": "d.updated_at + make_interval(days => :k * :shift)"}
        page_columns = [r[0] for r in conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'pages' ORDER BY ordinal_position"))]
        page_values = {"id": "p.id + :k * :max_page", "document_id": new_id % "p.document_id"}
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
                + " FROM pages p WHERE p.id <= :max_page ORDER BY p.id"), params)
            conn.execute(text(
                "INSERT INTO page_search (page_id, tsv) "
                "SELECT s.page_id + :k * :max_page, "
                "ts_delete(s.tsv, dm.old_toks || m.old_toks) || array_to_tsvector(dm.new_toks || m.new_toks) "
                "FROM page_search s JOIN pages p ON p.id = s.page_id JOIN documents d ON d.id = p.document_id "
                "JOIN case_map m ON m.k = :k AND m.old_case = d.case_number "
                "JOIN day_map dm ON dm.k = :k AND dm.old_day = d.created_at::date "
                "WHERE s.page_id <= :max_page ORDER BY s.page_id"), params)
            print(f"  copy {k} of {times - 1}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        conn.execute(text("SELECT setval(pg_get_serial_sequence('pages', 'id'), (SELECT max(id) FROM pages))"))
        catalog.fulltext.create_index(conn)
    with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        pages = conn.exec_driver_sql("SELECT count(*) FROM pages").scalar()
        indexed = conn.exec_driver_sql("SELECT count(*) FROM page_search").scalar()
    catalog.engine.dispose()
    if pages != indexed or pages != source["pages"] * times:
        raise SystemExit(f"copy incomplete: {pages} pages, {indexed} indexed")
    print(f"  {name}: {pages:,} pages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    built = dict(source, size=size, pages=pages, documents=source["documents"] * times,
                 text_bytes=source["text_bytes"] * times, case_count=len(cases), url=postgres_url(name),
                 replicated_from=source_size, seconds=math.nan, cpu_seconds=math.nan)
    manifest = load_manifest(keep)
    manifest["indexes"] = [i for i in manifest["indexes"] if (i["backend"], i["size"]) != ("postgresql", size)]
    manifest["indexes"].append(built)
    save_manifest(keep, manifest)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keep", help="the --keep DIR of bench_search.py")
    parser.add_argument("--from", dest="source", type=int, default=100000, help="size of the kept index to copy")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--keep-prefix", default="dms_bench_keep_", help="as given to bench_search.py --keep")
    args = parser.parse_args()
    replicate(Path(args.keep), args.source, args.times, args.keep_prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
