"""What a compound part's query costs on PostgreSQL when the part has as many compounds as the bound.

A part is found in its compounds at query time (index/compound_lookup.py): the query asks for the
word OR up to COMPOUND_EXPANSIONS compound words. The generated archive has few compounds per part
(at most ~20); a real one may have hundreds. This pads each part's compounds up to N lexemes of the
archive's vocabulary and times the benchmark's "compound part" class (bench_search.measure) on an
index kept by `bench_search.py --keep`:

    .venv/bin/python benchmarks/bench_compound_expansion.py --keep /var/tmp/partsexp --size 100000

"rare": padding words the planner expects on at most RARE_PAGES pages (as most compounds of a real
archive are); "common": words drawn at random from the vocabulary (the generator's vocabulary is
small, so most are on thousands of pages: a pessimistic case). Read-only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_search import measure  # noqa: E402
from search_queries import COMPOUND_PARTS  # noqa: E402
from sqlalchemy import text  # noqa: E402

from dms_ingest.index import compound_lookup  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.query import SearchQuery  # noqa: E402

RARE_PAGES = 50


def padding_words(catalog: Catalog, rare: bool, wanted: int, rng: random.Random) -> list[str]:
    with catalog.engine.connect() as conn:
        words = [r[0] for r in conn.execute(text("SELECT word FROM search_words WHERE length(word) >= 8"))]
        rng.shuffle(words)
        if not rare:
            return words[:wanted]
        chosen = []
        for word in words:
            plan = conn.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM pages WHERE tsv @@ CAST(:q AS tsquery)"),
                                {"q": f"'{word}'"}).scalar()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            if plan[0]["Plan"]["Plan Rows"] <= RARE_PAGES:
                chosen.append(word)
                if len(chosen) == wanted:
                    break
        return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", required=True, help="DIR of bench_search.py --keep")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--lexemes", default="0,50,200", help="compounds per part (0: the archive's own)")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    manifest = json.loads((Path(args.keep) / "manifest.json").read_text())
    built = next(i for i in manifest["indexes"] if i["size"] == args.size and i["backend"] == "postgresql")
    catalog = Catalog(built["url"])
    rng = random.Random(7)
    queries = [SearchQuery(rng.choice(COMPOUND_PARTS)) for _ in range(args.queries)]
    original = compound_lookup._look_up
    print("| padding | compounds per part | p50 / p95 ms | CPU p50 / p95 ms | median total |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("rare", "common"):
        pool = padding_words(catalog, kind == "rare", max(int(n) for n in args.lexemes.split(",")), rng)
        for n in (int(n) for n in args.lexemes.split(",")):
            if n == 0 and kind == "common":
                continue

            def padded(conn, words, n=n, pool=pool):
                found = original(conn, words)
                if not n:
                    return found
                return {w: tuple(dict.fromkeys([*found.get(w, ()), *pool]))[:n] for w in words}
            compound_lookup._look_up = padded
            try:
                timing = measure(catalog, {"compound part": queries})["compound part"]
            finally:
                compound_lookup._look_up = original
            label = "the archive's own" if n == 0 else kind
            print(f"| {label} | {n or 'as found'} | {timing[0]:.1f} / {timing[1]:.1f} | {timing[3]:.1f} / {timing[4]:.1f} "
                  f"| {timing[2]:,.0f} |", flush=True)
    catalog.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
