"""An archive-sized search index in minutes: copies of a kept bench_search index under new ids.

    .venv/bin/python benchmarks/replicate_index.py --keep /var/tmp/bench-search --backend sqlite --from 100000 --times 10

Takes the index bench_search.py kept for --from pages (`--keep DIR`), and writes a new one of
--times as many pages: copy r of every document and page gets the suffix "/r" on its document id.
bench_search makes the cases for the largest size of its run (one per 33 pages): if the kept
index has enough cases for the new size, the copies stay in their cases, so a case has as many
pages as in a generated archive of the new size; if not (an index built alone at its size), copy r
of every case gets the suffix "/r" on its case number (and in the page text), a case of its own
with the same number of pages. Teams go by surname: a team keeps its share of the archive. The
full-text index of the result is then built by the product's own `Catalog.reindex` (what `dms
reindex` runs), and the result is entered in DIR/manifest.json, so `bench_search.py --reuse DIR`
measures it like a built index. What differs from a generated archive of that size: every text
occurs --times as often, so a surname (the "rare word" class) has --times as many pages; common
words, phrases, a case's pages and a team's share of the archive are as in a generated one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import inspect, text  # noqa: E402

from bench_search import KEEP_PREFIX, PAGES_PER_CASE, load_manifest, postgres_admin, postgres_url, save_manifest  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402

_RENAMED = {"cases": {"case_number"}, "documents": {"id", "case_number"}, "pages": {"document_id"}}


def _copy(conn, table: str, suffix: str, new_cases: bool) -> None:
    columns = [c["name"] for c in inspect(conn).get_columns(table) if not (table == "pages" and c["name"] == "id")]
    values = []
    for name in columns:
        if name in _RENAMED[table] and (new_cases or name != "case_number"):
            values.append(f"CASE WHEN t.{name} IS NULL OR t.{name} = '' THEN t.{name} ELSE t.{name} || :s END")
        elif table == "pages" and name == "text" and new_cases:
            values.append("CASE WHEN d.case_number IS NULL OR d.case_number = '' THEN t.text "
                          "ELSE replace(t.text, d.case_number, d.case_number || :s) END")
        else:
            values.append(f"t.{name}")
    source = f"{table} t" + (" JOIN documents d ON d.id = t.document_id" if table == "pages" else "")
    original = {"cases": "t.case_number", "documents": "t.id", "pages": "t.document_id"}[table]
    conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source} "
                      f"WHERE {original} NOT LIKE '%/%' ORDER BY {'t.id' if table == 'pages' else original}"),
                 {"s": suffix})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True, help="the DIR of bench_search.py --keep")
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--from", dest="source", type=int, required=True, help="size (pages) of the kept index to copy")
    parser.add_argument("--times", type=int, required=True)
    args = parser.parse_args()
    keep = Path(args.keep)
    manifest = load_manifest(keep)
    built = next(i for i in manifest["indexes"] if i["backend"] == args.backend and i["size"] == args.source)
    size = args.source * args.times
    if args.backend == "sqlite":
        target = keep / f"sqlite-{size}.sqlite"
        shutil.copyfile(built["url"][len("sqlite:///"):], target)
        url = f"sqlite:///{target}"
    else:
        name = f"{KEEP_PREFIX}{size}"
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {name} TEMPLATE {built['url'].rsplit('/', 1)[1]}")
        url = postgres_url(name)
    started = time.perf_counter()
    catalog = Catalog(url)
    new_cases = built["case_count"] < size // PAGES_PER_CASE
    with catalog.engine.begin() as conn:
        for r in range(1, args.times):
            for table in ("cases", "documents", "pages") if new_cases else ("documents", "pages"):
                _copy(conn, table, f"/{r}", new_cases)
            print(f"\r  copy {r} of {args.times - 1} written", end="", file=sys.stderr)
    copied = time.perf_counter() - started
    cpu = time.process_time()
    pages = catalog.reindex(lambda done, total: print(f"\r  reindex {done:,} / {total:,} pages", end="", file=sys.stderr))
    reindexed = time.perf_counter() - started - copied
    if args.backend != "sqlite":
        with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    catalog.engine.dispose()
    print(f"\n  {pages:,} pages: rows copied in {copied:,.0f} s, `Catalog.reindex` {reindexed:,.0f} s "
          f"({pages / reindexed:,.0f} pages/s wall, {pages / max(1e-9, time.process_time() - cpu):,.0f} per CPU s of "
          "this process)", file=sys.stderr)
    # case_count stays: the queries draw from the kept index's cases (copies of a case are alike)
    entry = {**built, "size": size, "pages": pages, "documents": built["documents"] * args.times,
             "text_bytes": built["text_bytes"] * args.times, "url": url,
             "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "replicated_from": args.source, "times": args.times,
             # the build rate of the copied index stays that of its bulk build
             "seconds": built["seconds"] * args.times, "cpu_seconds": built["cpu_seconds"] * args.times}
    manifest = load_manifest(keep)
    manifest["indexes"] = [i for i in manifest["indexes"] if (i["backend"], i["size"]) != (args.backend, size)]
    manifest["indexes"].append(entry)
    save_manifest(keep, manifest)
    print(json.dumps({k: entry[k] for k in ("backend", "size", "pages", "url", "replicated_from", "times", "case_count")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
