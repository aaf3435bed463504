"""Server-side render time of the browser pages on an index of 100k documents (SQLite).

    nice -n 10 .venv/bin/python benchmarks/bench_pages.py                      # 100k documents
    .venv/bin/python benchmarks/bench_pages.py --documents 3000 --repeat 10    # a quick run

The index is written through the product's own write path with bench_search's generator (as
bench_api does), its documents spread over the months before today, so a team's Posteingang and
the mailroom's day hold what they would in an office of that size; 300 documents wait in the
review queue; three real documents (born-digital PDFs through the pipeline, with archives in the
object store) lie in the measured case. Each page is requested --repeat times in-process through
the ASGI application (FastAPI's TestClient: authentication, policy, access log, service, template;
no network), as the caseworker, the mailroom or data protection; p50/p95/max in milliseconds.
Page images are measured warm (rendered once, then from the cache), and the first (cold) render of
a page is reported on its own.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench_api import build_index, percentile  # noqa: E402
from dms_datagen.pdf import born_digital_pdf  # noqa: E402
from dms_ingest.access import accounts, audit, teams  # noqa: E402
from dms_ingest.config import load_settings  # noqa: E402
from dms_ingest.services import documents  # noqa: E402
from dms_ingest.services.actor import Actor  # noqa: E402
from dms_ingest.services.runtime import Runtime  # noqa: E402
from dms_ingest.web.app import create_app  # noqa: E402

PASSWORD = "bench-Pages-2026"


def spread_to_today(catalog) -> None:
    """Move the generated receipt times so that the newest document arrived just now."""
    with catalog.engine.begin() as conn:
        newest = conn.execute(text("SELECT max(created_at) FROM documents")).scalar()
        newest = datetime.fromisoformat(str(newest))
        shift = datetime.now(timezone.utc).replace(tzinfo=None) - newest
        days = f"+{shift.total_seconds() / 86400:.6f} days"
        conn.execute(text("UPDATE documents SET created_at = datetime(created_at, :d), "
                          "updated_at = datetime(updated_at, :d)"), {"d": days})


def queue_for_review(catalog, count: int, rng: random.Random) -> None:
    reasons = json.dumps(["Name gefunden, aber kein passendes Geburtsdatum oder Aktenzeichen."])
    with catalog.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id, case_number FROM documents ORDER BY id DESC LIMIT :n"),
                                          {"n": count * 3})]
        cases = [r[0] for r in conn.execute(text("SELECT case_number FROM cases LIMIT 200"))]
        for doc_id in rng.sample(ids, count):
            conn.execute(text("UPDATE documents SET review = :r, case_number = NULL, review_reasons = :why, "
                              "candidates = :c WHERE id = :i"),
                         {"r": True, "why": reasons, "c": json.dumps(rng.sample(cases, 2)), "i": doc_id})


def real_documents(runtime: Runtime, case, folder: Path) -> list[str]:
    """Three born-digital documents of *case* through the pipeline (with archives for page images)."""
    files = []
    for n, title in enumerate(("Antrag auf Verlängerung der Aufenthaltserlaubnis", "Mietvertrag über die Wohnung",
                               "Gehaltsnachweis für den Monat März")):
        lines = [title, f"Aktenzeichen: {case.number}", f"Name: {case.surname}, Vorname: {case.given}",
                 "Sehr geehrte Damen und Herren,", "hiermit reiche ich die Unterlagen zu meinem Antrag ein.",
                 "Die Aufenthaltserlaubnis läuft am 31.05.2026 ab.", "Mit freundlichen Grüßen"]
        files.append(born_digital_pdf([lines, lines[::-1]], folder / f"real{n}.pdf"))
    results = documents.ingest(Actor.system(client="bench"), runtime, files, workers=1)
    return [r.id for r in results if r.id and r.case_number == case.number]


def login(app, name: str) -> TestClient:
    client = TestClient(app, follow_redirects=False, headers={"Accept": "text/html"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/anmelden").text).group(1)
    answer = client.post("/anmelden", data={"login": name, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.text
    return client


def measure(client: TestClient, paths: list[str], repeat: int) -> list[float]:
    timings = []
    for i in range(repeat):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        answer = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool", type=int, default=400, help="distinct generated letters to draw pages from")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as workdir:
        home = Path(workdir) / "home"
        settings = load_settings(ROOT / "config.yaml", home=home)
        print(f"building an index of {args.documents:,} documents …", file=sys.stderr)
        catalog, cases = build_index(settings.index_url, args.documents, args.seed, args.pool)
        spread_to_today(catalog)
        queue_for_review(catalog, 300, rng)
        engine = catalog.engine
        audit.ensure_tables(engine)
        for team in sorted({c.team for c in cases}):
            teams.add_team(engine, team)
        team = max({c.team for c in cases}, key=lambda t: sum(c.team == t for c in cases))
        mine = [c for c in cases if c.team == team]
        accounts.add_user(engine, "sb", "sachbearbeitung", [team], PASSWORD)
        accounts.add_user(engine, "post", "poststelle", [], PASSWORD)
        accounts.add_user(engine, "dsb", "datenschutz", [], PASSWORD)
        runtime = Runtime(settings, catalog=catalog)
        case = mine[0]
        real = real_documents(runtime, case, Path(workdir))
        app = create_app(runtime=runtime)
        caseworker, mailroom, privacy = login(app, "sb"), login(app, "post"), login(app, "dsb")

        started = time.perf_counter()
        assert caseworker.get(f"/dokumente/{real[0]}").status_code == 200
        cold = (time.perf_counter() - started) * 1000
        with engine.connect() as conn:
            team_docs = [r[0] for r in conn.execute(text(
                "SELECT d.id FROM documents d JOIN cases c ON c.case_number = d.case_number WHERE c.team = :t "
                "LIMIT 50"), {"t": team})]
            review_ids = [r[0] for r in conn.execute(text("SELECT id FROM documents WHERE review = 1 LIMIT 20"))]
        for doc_id in real:
            caseworker.get(f"/dokumente/{doc_id}")          # renders and caches the page images
        surnames = [c.surname for c in rng.sample(mine, min(10, len(mine)))]
        pages = {
            "Posteingang": (caseworker, ["/posteingang"]),
            "Fallakte": (caseworker, [f"/akten/{c.number}" for c in rng.sample(mine, min(20, len(mine)))]),
            "Dokument (mit Markierung)": (caseworker, [f"/dokumente/{d}?q=Aufenthaltserlaubnis" for d in real]),
            "Seitenbild (Cache)": (caseworker, [f"/dokumente/{d}/seiten/1/view.png" for d in real]),
            "Suche, häufiges Wort": (caseworker, ["/suche?q=Antrag", "/suche?q=Aufenthaltserlaubnis", "/suche?q=Datum"]),
            "Suche, Name": (caseworker, [f"/suche?q={s}" for s in surnames]),
            "Suche, Typ + Zeitraum": (caseworker, ["/suche?q=Antrag&type=antrag&from=2025-01-01&to=2026-12-31"]),
            "Fallakten-Liste": (caseworker, ["/akten", f"/akten?q={surnames[0]}"]),
            "Poststelle: Eingang heute": (mailroom, ["/poststelle"]),
            "Prüfliste": (mailroom, [f"/pruefliste/{d}" for d in review_ids]),
            "Zugriffsprotokoll": (privacy, ["/datenschutz", f"/datenschutz?case={case.number}"]),
            "Auskunft Art. 15": (privacy, [f"/datenschutz/auskunft?case={case.number}"]),
        }
        assert team_docs
        print(f"\n{args.documents:,} documents, SQLite, team {team} ({len(mine)} cases); "
              f"first view of a 2-page document (renders its page images): {cold:.0f} ms\n")
        print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        worst = 0.0
        for name, (client, paths) in pages.items():
            measure(client, paths, 3)                       # warm-up
            timings = measure(client, paths, args.repeat)
            p95 = percentile(timings, 0.95)
            worst = max(worst, p95)
            print(f"{name:30} {percentile(timings, 0.5):8.1f} {p95:8.1f} {max(timings):8.1f}")
        with engine.connect() as conn:
            entries = conn.execute(text("SELECT count(*) FROM access_log")).scalar()
        print(f"\nworst p95 {worst:.1f} ms (target < 300 ms); access log holds {entries:,} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
