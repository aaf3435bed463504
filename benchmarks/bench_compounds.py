"""How a part of a German compound finds the compound: Hunspell-lexicon splitting vs. substring (trigram).

    .venv/bin/python benchmarks/bench_compounds.py [--pages 5000] [--postgres]

1. Quality on a labelled list of office words: for each (query, word) pair, whether the word
   should be found by the query. The splitter (dms_ingest/index/analysis.py) finds a word when the
   query is one of its parts; a substring or trigram index finds it whenever the letters occur.
2. Cost on generated office pages: index terms added by compound parts, and the SQLite FTS5 index
   with and without the parts column.
3. With --postgres: a pg_trgm GIN index over the page text beside the product's tsvector GIN
   index: size, and the time of `text ILIKE '%part%'` against the product's search.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dms_ingest.index.analysis import analyse, compound_parts  # noqa: E402
from dms_ingest.index.folding import word_key  # noqa: E402

# (query, word, should the query find the word?)
LABELLED = [
    ("erlaubnis", "Aufenthaltserlaubnis", True), ("erlaubnis", "Niederlassungserlaubnis", True),
    ("erlaubnis", "Arbeitserlaubnis", True), ("vertrag", "Mietvertrag", True), ("vertrag", "Arbeitsvertrag", True),
    ("vertrag", "Untermietvertrag", True), ("versicherung", "Krankenversicherung", True),
    ("versicherung", "Rentenversicherung", True), ("bescheinigung", "Meldebescheinigung", True),
    ("bescheinigung", "Arbeitgeberbescheinigung", True), ("urkunde", "Geburtsurkunde", True),
    ("urkunde", "Heiratsurkunde", True), ("nachweis", "Gehaltsnachweis", True),
    ("nachweis", "Einkommensnachweis", True), ("zertifikat", "Sprachzertifikat", True),
    ("behörde", "Ausländerbehörde", True), ("antrag", "Verlängerungsantrag", True),
    ("unterhalt", "Lebensunterhalt", True), ("strasse", "Hauptstraße", True), ("amt", "Standesamt", True),
("miete", "Kaltmiete", True), ("stelle", "Arbeitsstelle", True),
    ("verlängerung", "Aufenthaltserlaubnisverlängerung", True), ("angehörigkeit", "Staatsangehörigkeit", True),
    ("eid", "Bescheid", False), ("scheid", "Bescheid", False), ("rat", "Heirat", False),
    ("ehe", "Lehrer", False), ("amt", "Samt", False), ("arbeit", "Bearbeitung", False),
    ("zahl", "Bezahlung", False), ("stand", "Verständnis", False), ("lage", "Anlage", False),
    ("kunde", "Urkunde", False), ("ort", "Wohnort", True), ("ort", "Antwort", False),
    ("trag", "Vertrag", False), ("halt", "Aufenthalt", False), ("weis", "Nachweis", False),
]


def quality() -> None:
    rows = {"Hunspell-lexicon parts (chosen)": lambda q, w: word_key(q) in compound_parts(word_key(w)),
            "substring / trigram": lambda q, w: word_key(q) in word_key(w) and word_key(q) != word_key(w)}
    print("| means | found of should-find | wrongly found of should-not | precision | recall |")
    print("|---|---:|---:|---:|---:|")
    positives = sum(1 for *_, label in LABELLED if label)
    for name, finds in rows.items():
        hits = sum(1 for q, w, label in LABELLED if label and finds(q, w))
        wrong = sum(1 for q, w, label in LABELLED if not label and finds(q, w))
        precision = hits / (hits + wrong) if hits + wrong else 1.0
        print(f"| {name} | {hits}/{positives} | {wrong}/{len(LABELLED) - positives} | {precision:.2f} | "
              f"{hits / positives:.2f} |")
    missed = [w for q, w, label in LABELLED if label and word_key(q) not in compound_parts(word_key(w))]
    print(f"\nsplitter misses: {', '.join(missed) or 'none'}")


def cost(pages: list[str]) -> None:
    compound_parts("aufenthaltserlaubnis")     # load the word list first
    started = time.perf_counter()
    terms = [analyse(p) for p in pages]
    seconds = time.perf_counter() - started
    words = sum(len(t.words) for t in terms)
    parts = sum(len(t.parts) for t in terms)
    chars = sum(len(p.encode()) for p in pages)
    print(f"\n{len(pages)} pages, {chars / len(pages):.0f} bytes of text each: {words / len(pages):.0f} words and "
          f"{parts / len(pages):.1f} compound parts per page; analysis {len(pages) / seconds:,.0f} pages/s")
    sizes = {}
    for with_parts in (False, True):
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE f USING fts5(words, parts, content='', tokenize='unicode61 remove_diacritics 0')")
        db.executemany("INSERT INTO f (rowid, words, parts) VALUES (?, ?, ?)",
                       [(i, " ".join(t.words), " ".join(p for p, _ in t.parts) if with_parts else "")
                        for i, t in enumerate(terms, 1)])
        db.execute("INSERT INTO f (f) VALUES ('optimize')")
        sizes[with_parts] = db.execute("SELECT sum(length(block)) FROM f_data").fetchone()[0]
    print(f"FTS5 index: {sizes[False] / len(pages):.0f} bytes/page without parts, {sizes[True] / len(pages):.0f} with "
          f"(+{100 * (sizes[True] / sizes[False] - 1):.0f} %)")


def trigram(pages: list[str]) -> None:
    import psycopg2
    from sqlalchemy import text

    from dms_ingest.index.catalog import Catalog
    from dms_ingest.index.models import DocumentRow, PageRow
    from dms_ingest.index.query import SearchQuery

    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", user="postgres")
    admin.autocommit = True
    name = f"dms_bench_{secrets.token_hex(4)}"
    admin.cursor().execute(f"CREATE DATABASE {name}")
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    try:
        catalog = Catalog(url)
        for n, page in enumerate(pages):
            catalog.add_document(DocumentRow(id=f"d{n}", source="bench", original_sha256=f"d{n}"),
                                 [PageRow(document_id=f"d{n}", number=1, text=page)])
        with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # pages.text is stored compressed (index/page_text.py): the trigram index needs the text itself.
            conn.exec_driver_sql("CREATE TABLE page_texts (text text NOT NULL)")
            conn.execute(text("INSERT INTO page_texts (text) VALUES (:t)"), [{"t": page} for page in pages])
            conn.exec_driver_sql("CREATE INDEX pages_trgm ON page_texts USING gin (text gin_trgm_ops)")
            conn.exec_driver_sql("VACUUM ANALYZE")
            text_bytes = conn.exec_driver_sql("SELECT sum(octet_length(text)) FROM page_texts").scalar()
            trgm = conn.exec_driver_sql("SELECT pg_relation_size('pages_trgm')").scalar()
            gin = conn.exec_driver_sql("SELECT pg_relation_size('pages_tsv')").scalar()
            print(f"\nPostgreSQL, {len(pages)} pages: trigram GIN {trgm / text_bytes:.2f} × the text, "
                  f"the product's tsvector GIN {gin / text_bytes:.2f} × the text")
            for part in ("erlaubnis", "vertrag", "bescheinigung", "urkunde"):
                times_like, times_product = [], []
                for _ in range(5):
                    started = time.perf_counter()
                    found = conn.execute(text("SELECT count(*) FROM page_texts WHERE text ILIKE :p"),
                                         {"p": f"%{part}%"}).scalar()
                    times_like.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    total = catalog.find(SearchQuery(part)).total
                    times_product.append((time.perf_counter() - started) * 1000)
                print(f"  {part}: ILIKE over trigrams {statistics.median(times_like):.1f} ms ({found} pages, unranked); "
                      f"product search {statistics.median(times_product):.1f} ms ({total} documents, ranked)")
        catalog.engine.dispose()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    quality()
    import bench_search

    pool = bench_search.make_pool(args.pages, random.Random(5))
    pages = [text for _, text, _ in pool]
    cost(pages)
    if args.postgres:
        trigram(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
