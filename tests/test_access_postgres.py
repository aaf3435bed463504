"""Several `dms serve` processes on one PostgreSQL serve the same users: a session started on one
works on the other, lock-out counts failures from both, and both append to one intact access log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from dms_datagen.pdf import born_digital_pdf
from dms_ingest.access import audit
from dms_ingest.config import load_settings
from dms_ingest.services import cases, documents, people
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime
from .plugins.web import dms_server, write_config

SYSTEM = Actor.system("testsetup")


def test_two_servers_on_one_postgresql_share_sessions_lockout_and_the_access_log(tmp_path, pg_url):
    home = tmp_path / "home"
    config = write_config(tmp_path / "config.yaml", index={"url": pg_url}, access={"lockout_failures": 3})
    runtime = Runtime(load_settings(config, home=home))
    (tmp_path / "registry.csv").write_text("case_number,surname,given_names,date_of_birth,nationality\n"
                                           "ABH-2021-00007,Ahmadi,Reza,1990-01-02,IRN\n", encoding="utf-8")
    people.add_team(SYSTEM, runtime, "team-a-f", "A-F")
    cases.import_cases(SYSTEM, runtime, tmp_path / "registry.csv")
    people.add_user(SYSTEM, runtime, "anna", "sachbearbeitung", ["team-a-f"], "Anna-2024-sicher")
    people.add_user(SYSTEM, runtime, "lock", "sachbearbeitung", ["team-a-f"], "Lock-2024-sicher")
    pdf = born_digital_pdf([["Mietvertrag", "Aktenzeichen: ABH-2021-00007", "Mieter: Reza Ahmadi"]],
                           tmp_path / "brief.pdf")
    [doc] = documents.ingest(SYSTEM, runtime, [pdf], workers=1)
    assert doc.case_number == "ABH-2021-00007"

    with dms_server(home, config) as first, dms_server(home, config) as second:
        with httpx.Client(base_url=first) as on_first, httpx.Client(base_url=second) as on_second:
            login = on_first.post("/api/login", json={"login": "anna", "password": "Anna-2024-sicher"})
            assert login.status_code == 200
            on_second.cookies = on_first.cookies          # the load balancer sends her to the other one
            assert on_second.get("/api/me").json()["login"] == "anna"
            assert on_second.get(f"/api/documents/{doc.id}").json()["case_number"] == "ABH-2021-00007"
            assert on_second.get("/api/cases/ABH-2021-00007").status_code == 200

            with ThreadPoolExecutor(8) as pool:        # both processes append to the chain at once
                statuses = list(pool.map(lambda i: (on_first, on_second)[i % 2].get(f"/api/documents/{doc.id}")
                                         .status_code, range(40)))
            assert statuses == [200] * 40

            csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
            assert on_second.post("/api/logout", headers=csrf).status_code == 200
            on_first.cookies = on_second.cookies
            assert on_first.get("/api/me").status_code == 401   # logged out everywhere

            wrong = {"login": "lock", "password": "Geraten-123"}
            assert [c.post("/api/login", json=wrong).status_code for c in (on_first, on_second)] == [401, 401]
            locked = on_first.post("/api/login", json=wrong)
            assert "locked" in locked.json()["error"]
            right = on_second.post("/api/login", json={"login": "lock", "password": "Lock-2024-sicher"})
            assert right.status_code == 401 and "locked" in right.json()["error"]

    result = audit.verify(runtime.catalog.engine)
    assert result.ok, result.problems
    reads = [e for e in audit.query(runtime.catalog.engine, login="anna") if e.action == "show"]
    assert len(reads) == 41 and [e.seq for e in reads] == sorted(e.seq for e in reads)
    seqs = [e.seq for e in audit.query(runtime.catalog.engine, limit=100_000)]
    assert seqs == list(range(1, len(seqs) + 1))
