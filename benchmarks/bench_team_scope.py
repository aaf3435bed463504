"""A caseworker's search scope two ways on a kept bench_search index: one team token (what the
service layer sends) against the same scope as one token per case of the team (what it sent
before team tokens). 40 searches, half a common word, half the surname of one of the team's cases;
CPU ms per query (this process plus, on PostgreSQL, its server backends) and wall ms, and whether
both ways found the same documents.

    .venv/bin/python benchmarks/bench_team_scope.py --keep /var/tmp/teamtoken-search --backend sqlite --size 100000

Only meaningful on an index whose cases are all in the manifest's case list (built by --bulk, or
copied by replicate_index.py with the copies in their cases): a copy with a case of its own is
in its team but not in the list of the team's cases.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import load_manifest, make_cases, p95, server_cpu  # noqa: E402
from search_queries import COMMON_WORDS  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.query import SearchQuery  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    built = next(i for i in load_manifest(Path(args.keep))["indexes"]
                 if i["backend"] == args.backend and i["size"] == args.size)
    cases = make_cases(built["case_count"], random.Random(built["seed"]))
    teams = sorted({c.team for c in cases})
    rng = random.Random(5)
    searches = []
    for i in range(40):
        team = teams[i % len(teams)]
        word = COMMON_WORDS[i % len(COMMON_WORDS)] if i % 2 else rng.choice([c for c in cases if c.team == team]).surname
        searches.append((word, team))
    ways = {"team token": lambda w, t: SearchQuery(w, allowed_teams=frozenset({t}), include_unassigned=False),
            "one token per case": lambda w, t: SearchQuery(w, allowed_cases=frozenset(c.number for c in cases if c.team == t),
                                                           include_unassigned=False)}
    catalog = Catalog(built["url"])
    found: dict[str, list] = {}
    try:
        for way, make in ways.items():
            queries = [make(w, t) for w, t in searches]
            for query in queries[:3]:
                catalog.find(query)
            walls, cpus = [], []
            found[way] = []
            for query in queries:
                cpu, server, started = time.process_time(), server_cpu(catalog), time.perf_counter()
                page = catalog.find(query)
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu + server_cpu(catalog) - server) * 1000)
                found[way].append((page.total, page.total_exact, [h.id for h in page.hits]))
            tokens = statistics.mean(len(q.allowed_cases or ()) or 1 for q in queries)
            print(f"{args.backend} {args.size:,} pages, {way} ({tokens:.0f} tokens): CPU p50 / p95 "
                  f"{statistics.median(cpus):.1f} / {p95(cpus):.1f} ms, wall {statistics.median(walls):.1f} / "
                  f"{p95(walls):.1f} ms")
    finally:
        catalog.engine.dispose()
    a, b = found.values()
    print(f"same documents both ways: {sum(x[2] == y[2] for x, y in zip(a, b))} of {len(a)} searches; "
          f"same total: {sum(x[:2] == y[:2] for x, y in zip(a, b))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
