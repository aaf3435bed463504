"""REST API under load: p50/p95 of search, case view and document metadata with 20 concurrent
clients on an index of 100k documents, SQLite and PostgreSQL, with the access log on and off.

    nice -n 10 .venv/bin/python benchmarks/bench_api.py                        # 100k documents, both backends
    .venv/bin/python benchmarks/bench_api.py --documents 3000 --seconds 8      # a quick run
    .venv/bin/python benchmarks/bench_api.py --backends postgresql --workers 2

The index holds bench_search's generated German office letters of generated cases, one page per
document (documents = pages), written in bulk and indexed by the product's `Catalog.reindex`. Each of the
20 clients is a caseworker of one team (teams by the surname's first letter, as the generator
names them) with an API token; it loops for --seconds over: a search (a common word, or the
surname of one of its cases) within what it may see, the case file of one of its cases, the
metadata of one of its documents. Every request goes through authentication, the policy and
(unless off) an access-log entry on the shared hash chain. Latencies are measured at the client
(end to end over loopback HTTP), the first two seconds of each run discarded; the server's CPU
seconds per request (all its processes, and on PostgreSQL the database backends serving it, from
/proc) depend far less on how busy the machine is than latencies do. `dms serve` runs
with --workers processes; the clients are threads in this process, so on a 2-core machine client
and server share the CPUs. PostgreSQL: a throwaway database on 127.0.0.1:5432, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench_search import CASE_NUMBER, Case, make_cases, make_pool, postgres_url  # noqa: E402
from search_queries import COMMON_WORDS  # noqa: E402
from dms_ingest.access import accounts, audit, teams  # noqa: E402
from dms_ingest.index.catalog import Catalog  # noqa: E402
from dms_ingest.index.models import AuditEvent, CaseRow, DocumentRow, PageRow  # noqa: E402
from tests.plugins.web import cpu_seconds, dms_server, write_config  # noqa: E402

KINDS = ("search", "case", "document")


def build_index(url: str, documents: int, seed: int, pool_size: int) -> tuple[Catalog, list]:
    """Documents of one page each: rows written in bulk, then the full-text index built by the
    product's own `Catalog.reindex` (as after a migration), which is far faster than one
    transaction per document and gives the same index."""
    rng = random.Random(seed)
    catalog = Catalog(url)
    cases = make_cases(max(200, documents // 10), rng)
    catalog.replace_cases([CaseRow(case_number=c.number, surname=c.surname, given_names=c.given, team=c.team,
                                   team_source="registry") for c in cases])
    pool = make_pool(pool_size, random.Random(seed))
    started = time.perf_counter()
    received = datetime(2019, 1, 1, tzinfo=timezone.utc)
    for first in range(0, documents, 5000):
        docs, pages, events = [], [], []
        for n in range(first, min(documents, first + 5000)):
            case = rng.choice(cases)
            label, page_text, surname = rng.choice(pool)
            doc_id = f"bench-{n:08d}"
            at = received + timedelta(minutes=7 * n)
            docs.append(dict(DocumentRow(id=doc_id, source=f"bench/{doc_id}.pdf", original_sha256=doc_id, pages=1,
                                         doc_type=label, case_number=case.number, created_at=at,
                                         updated_at=at).model_dump()))
            pages.append(dict(document_id=doc_id, number=1, text=CASE_NUMBER.sub(case.number, page_text)
                              .replace(surname, case.surname), ocr_confidence=None, blank=False, rotation=0,
                              skew=0.0, colour=""))
            events.append(dict(document_id=doc_id, at=at, actor="pipeline", action="archived", detail="{}"))
        with catalog.engine.begin() as conn:
            conn.execute(DocumentRow.__table__.insert(), docs)
            conn.execute(PageRow.__table__.insert(), pages)
            conn.execute(AuditEvent.__table__.insert(), events)
        print(f"\r  {first + len(docs):,} documents written", end="", file=sys.stderr)
    written = time.perf_counter() - started
    catalog.reindex(lambda done, total: print(f"\r  indexing {done:,} / {total:,} pages", end="", file=sys.stderr))
    print(f"\r  {documents:,} documents: rows {written:,.0f} s, full-text index "
          f"{time.perf_counter() - started - written:,.0f} s", file=sys.stderr)
    if catalog.engine.dialect.name == "postgresql":
        with catalog.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return catalog, cases


def make_clients(catalog: Catalog, cases: list, count: int, seed: int) -> list[dict]:
    """One caseworker per client, in the team of a random case, with its cases and documents."""
    rng = random.Random(seed)
    engine = catalog.engine
    audit.ensure_tables(engine)
    for team in sorted({c.team for c in cases}):
        teams.add_team(engine, team)   # no letter rule: the cases carry their team from the "registry"
    clients = []
    for n in range(count):
        team = rng.choice(cases).team
        login = f"bench{n:02d}"
        accounts.add_user(engine, login, "sachbearbeitung", [team])
        mine = [c for c in cases if c.team == team]
        with engine.connect() as conn:
            docs = [r[0] for r in conn.execute(text(
                "SELECT d.id FROM documents d JOIN cases c ON c.case_number = d.case_number "
                "WHERE c.team = :t LIMIT 500"), {"t": team})]
        clients.append({"token": accounts.issue_token(engine, login, "bench"), "cases": mine, "docs": docs})
    return clients


class MachineLoad:
    """The machine's state while a run lasts: the 1-minute load average (sampled each second) and
    the share of all CPUs busy (/proc/stat), whoever used them."""

    def __init__(self):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _cpu_ticks() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> "MachineLoad":
        self._ticks = self._cpu_ticks()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        busy, total = (b - a for a, b in zip(self._ticks, self._cpu_ticks()))
        self.busy = busy / max(1, total)
        self.load = statistics.mean(self.samples) if self.samples else os.getloadavg()[0]


def database_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the benchmark's database (its work is
    the server's too, though outside its processes); empty for SQLite, which runs inside them."""
    if not url.startswith("postgresql"):
        return {}
    import psycopg2

    conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")   # not autovacuum
            pids = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    ticks, found = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def run_load(base: str, clients: list[dict], seconds: float, seed: int,
             kinds: tuple[str, ...] = KINDS) -> tuple[dict, int, int, float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = [0]
    count = [0]
    lock = threading.Lock()
    start = time.monotonic()
    warm_until, stop_at = start + 2, start + 2 + seconds

    def client_loop(n: int, client: dict) -> None:
        rng = random.Random(seed * 100 + n)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {client['token']}"}, timeout=60) as http:
            i = n
            while time.monotonic() < stop_at:
                kind = kinds[i % len(kinds)]
                i += 1
                if kind == "search":
                    word = rng.choice(COMMON_WORDS) if rng.random() < 0.5 else rng.choice(client["cases"]).surname
                    path, params = "/api/search", {"q": word, "limit": 20}
                elif kind == "case":
                    path, params = f"/api/cases/{rng.choice(client['cases']).number}", None
                else:
                    if not client["docs"]:
                        continue
                    path, params = f"/api/documents/{rng.choice(client['docs'])}", None
                began = time.monotonic()
                answer = http.get(path, params=params)
                took = (time.monotonic() - began) * 1000
                timing = answer.headers.get("server-timing", "dur=nan").rsplit("dur=", 1)[1]
                if began >= warm_until:
                    with lock:
                        count[0] += 1
                        if answer.status_code != 200:
                            errors[0] += 1
                        latencies[kind].append(took)
                        latencies["server " + kind].append(float(timing))

    threads = [threading.Thread(target=client_loop, args=(n, c)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, count[0], errors[0], seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def _kept_url(backend: str, root: Path, args) -> str:
    """The index of a kept run (--keep): a file under DIR, or a database named after the run's size."""
    if backend == "sqlite":
        return f"sqlite:///{root / 'home' / 'index.sqlite'}"
    import psycopg2

    name = f"dms_bench_api_keep_{args.documents}_{args.seed}"
    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE DATABASE {name}")
    admin.close()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"


def _load_or_build(backend: str, url: str, root: Path, args) -> list[dict]:
    """The clients of a kept index (--keep, built by an earlier run), else build index and clients."""
    saved = root / f"clients-{backend}-{args.documents}-{args.seed}-{args.clients}.json"
    if saved.exists():
        print(f"{backend}: reusing the index kept in {root}", file=sys.stderr)
        return [{"token": c["token"], "docs": c["docs"], "cases": [Case(*case) for case in c["cases"]]}
                for c in json.loads(saved.read_text())]
    print(f"{backend}: building the index", file=sys.stderr)
    catalog, cases = build_index(url, args.documents, args.seed, args.pool)
    clients = make_clients(catalog, cases, args.clients, args.seed)
    catalog.engine.dispose()
    saved.write_text(json.dumps([{"token": c["token"], "docs": c["docs"],
                                  "cases": [[k.number, k.surname, k.given, k.team] for k in c["cases"]]}
                                 for c in clients]))
    return clients


def run_backend(backend: str, args, rows: list[dict]) -> None:
    workdir = None if args.keep else tempfile.TemporaryDirectory(prefix="bench-api-")
    root = Path(args.keep or workdir.name)
    drop = None
    if args.keep:
        (root / "home").mkdir(parents=True, exist_ok=True)
        url = _kept_url(backend, root, args)
    else:
        (root / "home").mkdir()
        url = f"sqlite:///{root / 'home' / 'index.sqlite'}" if backend == "sqlite" else None
        if url is None:
            url, drop = postgres_url()
    try:
        clients = _load_or_build(backend, url, root, args)
        for log_reads in (True, False):
            config = write_config(root / f"config-{log_reads}.yaml", index={"url": url},
                                  access={"log_reads": log_reads})
            started: list = []
            with dms_server(root / "home", config, workers=args.workers, started=started) as base:
                cpu_before, client_before, db_before = cpu_seconds(started[0]), time.process_time(), database_cpu(url)
                with MachineLoad() as machine:
                    latencies, count, errors, seconds = run_load(base, clients, args.seconds, args.seed,
                                                                 tuple(args.kinds.split(",")))
                cpu = cpu_seconds(started[0]) - cpu_before
                client_cpu = time.process_time() - client_before
                db_cpu = sum(v - db_before.get(pid, 0.0) for pid, v in database_cpu(url).items())
            # CPU counted over the whole run (warm-up included), requests only after it: scale.
            measured = count * (args.seconds + 2) / args.seconds
            row = {"backend": backend, "log": "on" if log_reads else "off", "documents": args.documents,
                   "rps": count / seconds, "errors": errors, "cpu_ms": (cpu + db_cpu) * 1000 / max(1, measured),
                   "db_cpu_ms": db_cpu * 1000 / max(1, measured),
                   "client_cpu_ms": client_cpu * 1000 / max(1, measured), "load": machine.load,
                   "busy": machine.busy, "mean_ms": statistics.mean(
                       [v for k in KINDS for v in latencies[k]] or [float("nan")]),
                   **{f"{k}_p50": statistics.median(latencies[k]) if latencies[k] else float("nan") for k in KINDS},
                   **{f"{k}_p95": percentile(latencies[k], 0.95) for k in KINDS},
                   "server_p95": {k: percentile(latencies["server " + k], 0.95) for k in KINDS}}
            rows.append(row)
            print_row(row)
            sys.stdout.flush()
        check = Catalog(url)
        result = audit.verify(check.engine)
        print(f"  access log after both runs: {result.entries:,} entries, chain "
              f"{'intact' if result.ok else 'BROKEN: ' + result.problems[0]}", file=sys.stderr)
        check.engine.dispose()
    finally:
        if drop:
            drop()
        if workdir is not None:
            workdir.cleanup()


def print_row(row: dict) -> None:
    cells = " | ".join(f"{row[k + '_p50']:.0f} / {row[k + '_p95']:.0f} ({row['server_p95'][k]:.0f})" for k in KINDS)
    db = f" (database {row['db_cpu_ms']:.1f})" if row["db_cpu_ms"] else ""
    print(f"| {row['backend']} | {row['documents']:,} | {row['log']} | {row['rps']:.0f} | {row['cpu_ms']:.1f}{db} | {cells} "
          f"| {row['errors']} | {row['load']:.1f} / {row['busy']:.0%} |")


def idle_estimate(row: dict, clients: int, cores: int) -> str:
    """ESTIMATE, not a measurement: the p95s this run's CPU cost implies on an idle machine of
    *cores* CPUs that runs both server and clients. A closed loop of *clients* that never pause keeps
    the CPUs saturated, so a request's mean time around the loop is clients x (server + client CPU
    per request) / cores (Little's law); each route keeps its share of the run's measured latencies."""
    def p95s(cpu_ms: float) -> str:
        cycle = clients * cpu_ms / cores
        scale = cycle / row["mean_ms"]
        return f"mean {cycle:.0f} ms, p95 " + ", ".join(
            f"{k} {row[k + '_p95'] * scale:.0f}" for k in KINDS if row[k + "_p95"] == row[k + "_p95"]) + " ms"

    return (f"{row['backend']}, log {row['log']}: ESTIMATE, not measured, for an idle {cores}-core machine: "
            f"server alone {p95s(row['cpu_ms'])}; server and these clients on it {p95s(row['cpu_ms'] + row['client_cpu_ms'])} "
            f"(from {row['cpu_ms']:.1f} server + {row['client_cpu_ms']:.1f} client CPU ms per request)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per run (after 2 s warm-up)")
    parser.add_argument("--workers", type=int, default=2, help="dms serve processes")
    parser.add_argument("--pool", type=int, default=3000, help="rendered template documents to draw pages from")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kinds", default=",".join(KINDS), help="requests the clients make in turn "
                        "(e.g. case,document to measure the API without search)")
    parser.add_argument("--keep", metavar="DIR", help="keep the index (SQLite file under DIR, PostgreSQL database "
                        "dms_bench_api_keep_N_SEED) and reuse it in later runs with the same DIR and sizes")
    args = parser.parse_args()
    print(f"{args.clients} concurrent clients, `dms serve --workers {args.workers}`, {os.cpu_count()} CPUs; "
          "ms p50 / p95 at the client (p95 inside the server, from its Server-Timing header); machine load: "
          "mean 1-minute load average during the run / share of all CPUs busy\n")
    print("| backend | documents | access log | requests/s | server CPU ms/request | search | case view "
          "| document metadata | errors | machine load |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---|")
    rows: list[dict] = []
    for backend in args.backends.split(","):
        run_backend(backend, args, rows)
    for backend in args.backends.split(","):
        on = next(r for r in rows if r["backend"] == backend and r["log"] == "on")
        off = next(r for r in rows if r["backend"] == backend and r["log"] == "off")
        print(f"\n{backend}: throughput with the access log = {on['rps'] / off['rps']:.0%} of without; "
              f"server CPU per request {on['cpu_ms'] / off['cpu_ms']:.2f}x")
        for row in (on, off):
            print(idle_estimate(row, args.clients, 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
