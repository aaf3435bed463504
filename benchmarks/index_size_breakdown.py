"""Where a PostgreSQL index's bytes go, per page of the archive: every relation, its TOAST and forks.

    .venv/bin/python benchmarks/index_size_breakdown.py postgresql+psycopg2://postgres@127.0.0.1:5432/NAME
    .venv/bin/python benchmarks/index_size_breakdown.py --keep /var/tmp/bench-search --size 100000

Prints one row per table of the public schema and one per index (bytes and bytes per page of
`pages`), the system catalogs (what `pg_database_size` counts besides them) and the whole database.
With the pgstattuple extension present (`CREATE EXTENSION pgstattuple`, postgresql-contrib; the
script never creates it) it adds each heap's live bytes, dead tuples and free space, and each GIN
index's pending list, so that waste (old row versions, half-empty pages) is told apart from data.
Read-only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

RELATIONS = """
SELECT c.oid, c.relname, c.relkind, coalesce(i.indrelid::regclass::text, c.relname) AS owner,
       pg_relation_size(c.oid, 'main') AS main,
       pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm') + pg_relation_size(c.oid, 'init') AS forks,
       CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid) ELSE 0 END AS toast,
       am.amname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_am am ON am.oid = c.relam
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm')
ORDER BY owner, c.relkind DESC, c.relname
"""


def breakdown(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pages = conn.execute(text("SELECT count(*) FROM pages")).scalar() or 1
            database = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            stattuple = bool(conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'pgstattuple'")).scalar())
            rows = []
            for oid, name, kind, owner, main, forks, toast, method in conn.execute(text(RELATIONS)).all():
                row = {"relation": name, "owner": owner, "kind": "table" if kind == "r" else f"index ({method})",
                       "main": main, "forks": forks, "toast": toast, "total": main + forks + toast}
                if stattuple and kind == "r" and main:
                    stat = conn.execute(text("SELECT tuple_len, dead_tuple_len, free_space, tuple_count, dead_tuple_count "
                                             "FROM pgstattuple(:o)"), {"o": oid}).one()
                    row.update(live=stat[0], dead=stat[1], free=stat[2], rows=stat[3], dead_rows=stat[4])
                elif stattuple and method == "gin":
                    row["pending"] = conn.execute(text("SELECT pending_pages * current_setting('block_size')::int "
                                                       "FROM pgstatginindex(:o)"), {"o": oid}).scalar()
                elif stattuple and method == "btree" and main > 8192:
                    row["leaf_density"] = conn.execute(text("SELECT avg_leaf_density FROM pgstatindex(:o)"), {"o": oid}).scalar()
                rows.append(row)
    finally:
        engine.dispose()
    public = sum(r["total"] for r in rows)
    return {"pages": pages, "database": database, "catalogs": database - public, "relations": rows}


def print_breakdown(result: dict) -> None:
    pages = result["pages"]
    print(f"{pages:,} pages; bytes per page (whole database {result['database'] / pages:,.1f})\n")
    print("| relation | of | kind | main | TOAST | fsm+vm | total | live rows | dead | free | notes |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    per = lambda value: f"{value / pages:,.1f}" if value is not None else ""       # noqa: E731
    for r in result["relations"]:
        notes = []
        if r.get("pending") is not None:
            notes.append(f"GIN pending list {r['pending'] / pages:,.1f}")
        if r.get("leaf_density") is not None:
            notes.append(f"leaf density {r['leaf_density']:.0f} %")
        if r.get("rows") is not None:
            notes.append(f"{r['rows']:,} rows, {r['dead_rows']:,} dead")
        print(f"| {r['relation']} | {r['owner']} | {r['kind']} | {per(r['main'])} | {per(r['toast'])} | {per(r['forks'])} "
              f"| {per(r['total'])} | {per(r.get('live'))} | {per(r.get('dead'))} | {per(r.get('free'))} | {'; '.join(notes)} |")
    tables: dict[str, int] = {}
    for r in result["relations"]:
        tables[r["owner"]] = tables.get(r["owner"], 0) + r["total"]
    print("\nper table with its indexes and TOAST: " + ", ".join(
        f"{name} {size / pages:,.1f}" for name, size in sorted(tables.items(), key=lambda t: -t[1]))
        + f"; system catalogs {result['catalogs'] / pages:,.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="the database (SQLAlchemy URL)")
    parser.add_argument("--keep", help="a bench_search.py --keep DIR: take the URL of --size from its manifest")
    parser.add_argument("--size", type=int, help="with --keep: the kept size")
    parser.add_argument("--json", help="FILE: write the figures there")
    args = parser.parse_args()
    url = args.url
    if args.keep:
        manifest = json.loads((Path(args.keep) / "manifest.json").read_text())
        [url] = [i["url"] for i in manifest["indexes"] if i["backend"] == "postgresql" and i["size"] == args.size]
    if not url:
        parser.error("give a URL or --keep DIR --size N")
    result = breakdown(url)
    print_breakdown(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
