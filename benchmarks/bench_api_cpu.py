"""CPU milliseconds per REST API request, per route: what bench_api's latencies are made of, measured
in a way that hardly depends on how busy the shared machine is.

    .venv/bin/python benchmarks/bench_api.py --keep /var/tmp/api-bench --seconds 20   # builds the index once
    .venv/bin/python benchmarks/bench_api_cpu.py --keep /var/tmp/api-bench --backend sqlite
    .venv/bin/python benchmarks/bench_api_cpu.py --keep /var/tmp/api-bench --backend postgresql --profile search

One client, one request at a time, straight into the application in this process (no sockets, no
uvicorn): the same routes, authentication, policy and access log as `dms serve`, with bench_api's
kept index and its clients' tokens and request mix. CPU = this process's user + system time
(all its threads) and, on PostgreSQL, the database backends' time. --profile ROUTE prints
cProfile's heaviest functions for that route.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import KINDS, database_cpu, percentile, _kept_url, _load_or_build  # noqa: E402
from search_queries import COMMON_WORDS  # noqa: E402
from dms_ingest.config import load_settings  # noqa: E402
from dms_ingest.web.app import create_app  # noqa: E402
from tests.plugins.web import write_config  # noqa: E402


def requests_of(clients: list[dict], count: int, seed: int) -> list[tuple[str, str, str, str]]:
    """(kind, token, path, query string) of *count* requests per kind, drawn like bench_api's clients."""
    rng = random.Random(seed)
    found = []
    for n in range(count * len(KINDS)):
        client = clients[n % len(clients)]
        kind = KINDS[n % len(KINDS)]
        if kind == "search":
            word = rng.choice(COMMON_WORDS) if rng.random() < 0.5 else rng.choice(client["cases"]).surname
            found.append((kind, client["token"], "/api/search", urlencode({"q": word, "limit": 20})))
        elif kind == "case":
            found.append((kind, client["token"], f"/api/cases/{rng.choice(client['cases']).number}", ""))
        elif client["docs"]:
            found.append((kind, client["token"], f"/api/documents/{rng.choice(client['docs'])}", ""))
    return found


async def call(app, token: str, path: str, query: str) -> int:
    """One GET through the whole ASGI application; its status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080)}
    status = [0]

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    await app(scope, receive, send)
    return status[0]


def _inline_threads() -> None:
    """Run what the application hands to worker threads in the calling thread, where cProfile sees it
    (requests come one at a time, so nothing waits on anything)."""
    import anyio.to_thread

    async def run_sync(func, *args, **_options):
        return func(*args)

    anyio.to_thread.run_sync = run_sync


def measure(app, url: str, requests: list, profile: str | None) -> dict[str, dict]:
    """Per kind: CPU ms of each request in this process, the database backends' CPU ms per request
    (their /proc counters tick in 10 ms: summed over the kind's whole batch), wall ms of each.
    The kinds run one batch after another; the first request of each warms caches and connections."""
    loop = asyncio.new_event_loop()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        _inline_threads()
    found: dict[str, dict] = {}
    for kind in KINDS:
        batch = [r for r in requests if r[0] == kind]
        loop.run_until_complete(call(app, *batch[0][1:]))
        cpus, walls = [], []
        db_before = database_cpu(url)
        for _, token, path, query in batch[1:]:
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler and kind == profile:
                profiler.enable()
            status = loop.run_until_complete(call(app, token, path, query))
            if profiler and kind == profile:
                profiler.disable()
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            if status != 200:
                raise SystemExit(f"{path}?{query} answered {status}")
        db = sum(v - db_before.get(pid, 0.0) for pid, v in database_cpu(url).items())
        found[kind] = {"cpu": cpus, "wall": walls, "db": db * 1000 / max(1, len(cpus))}
    loop.close()
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats("dms_ingest|encoders|routing", 40)
        print(out.getvalue())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True, metavar="DIR", help="bench_api's --keep directory")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pool", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=200, help="requests per route")
    parser.add_argument("--log", choices=("on", "off"), default="on", help="the access log of reads")
    parser.add_argument("--profile", choices=KINDS, help="print cProfile's heaviest functions of this route")
    args = parser.parse_args()
    root = Path(args.keep)
    (root / "home").mkdir(parents=True, exist_ok=True)
    url = _kept_url(args.backend, root, args)
    clients = _load_or_build(args.backend, url, root, args)
    config = write_config(root / f"config-cpu-{args.backend}.yaml", index={"url": url},
                          access={"log_reads": args.log == "on"})
    app = create_app(load_settings(config, root / "home"))
    timings = measure(app, url, requests_of(clients, args.requests, args.seed),
                      args.profile)
    print(f"{args.backend}, {args.documents:,} documents, access log {args.log}, one request at a time: "
          "CPU ms per request in the application (mean / p95) + in the database backends (mean), wall ms median")
    for kind in KINDS:
        cpu = timings[kind]["cpu"]
        print(f"  {kind:9s} CPU {statistics.mean(cpu):6.2f} / {percentile(cpu, 0.95):6.2f} ms"
              f" + database {timings[kind]['db']:5.2f} ms   wall {statistics.median(timings[kind]['wall']):6.2f} ms"
              f"   ({len(cpu)} requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
