"""External anchors of the access log: whoever rewrites the database can re-hash the chain's tail
consistently, but not the signed head written outside it; `dms audit verify` then fails."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from dms_ingest.access import audit
from dms_ingest.access.anchor import KEY_VARIABLE
from dms_ingest.config import Settings
from dms_ingest.errors import Forbidden, Invalid
from dms_ingest.index.catalog import Catalog
from dms_ingest.services import audit_log
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime

CLERK = Actor("anna", role="sachbearbeitung", teams=frozenset({"team-a-f"}), client="10.1.2.3")
SYSTEM = Actor.system("nightly")


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "anchor-key-held-by-the-nightly-job")
    catalog = Catalog(f"sqlite:///{tmp_path / 'index.sqlite'}")
    for n in range(5):
        audit.record(catalog, CLERK, "show", f"doc-{n}", case_number="ABH-2020-00001", object_type="document")
    return Runtime(Settings(home=tmp_path, access={"anchor_dir": str(tmp_path / "anchors")}), catalog=catalog)


def problems(runtime) -> list[str]:
    return audit_log.verify(SYSTEM, runtime).problems


def rewrite_consistently(runtime, from_seq: int, login: str) -> None:
    """What a database administrator could do: change entries from *from_seq* on and re-hash the
    rest of the chain so that it verifies on its own."""
    rows = audit.query(runtime.catalog, limit=10_000)
    prev = next((r.entry_hash for r in rows if r.seq == from_seq - 1), audit.GENESIS)
    with runtime.catalog.engine.begin() as conn:
        for row in (r for r in rows if r.seq >= from_seq):
            digest = audit.entry_hash(prev, row.seq, row.at, login, row.role, row.client, row.action,
                                      row.object_type, row.object_id, row.case_number, row.outcome, row.detail)
            conn.execute(text("UPDATE access_log SET login = :l, prev_hash = :p, entry_hash = :h WHERE seq = :s"),
                         {"l": login, "p": prev, "h": digest, "s": row.seq})
            prev = digest
    assert audit.verify(runtime.catalog).ok          # the chain alone no longer shows it


def test_anchor_then_verify_and_the_log_goes_on(runtime):
    made = audit_log.anchor_head(SYSTEM, runtime)
    assert made["seq"] == 5          # the head: the fifth read
    audit.record(runtime.catalog, CLERK, "show", "doc-9", case_number="ABH-2020-00001", object_type="document")
    result = audit_log.verify(SYSTEM, runtime)
    assert result.ok and result.anchors == 1
    assert audit_log.anchor_head(SYSTEM, runtime)["seq"] > made["seq"]
    assert audit_log.verify(SYSTEM, runtime).anchors == 2


def test_rewriting_the_tail_after_an_anchor_is_found(runtime):
    made = audit_log.anchor_head(SYSTEM, runtime)
    rewrite_consistently(runtime, 3, "someone-else")
    assert any(f"entry {made['seq']} differs from its anchor" in p for p in problems(runtime))


def test_rewriting_only_entries_after_the_anchor_is_not_its_business(runtime):
    made = audit_log.anchor_head(SYSTEM, runtime)
    for n in range(3):
        audit.record(runtime.catalog, CLERK, "show", f"late-{n}", case_number="ABH-2020-00001", object_type="document")
    rewrite_consistently(runtime, made["seq"] + 2, "someone-else")
    assert problems(runtime) == []   # the next anchor covers these; until then only the chain guards them


def test_cutting_off_the_tail_is_found(runtime):
    made = audit_log.anchor_head(SYSTEM, runtime)
    with runtime.catalog.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log WHERE seq >= 4"))
    assert any(f"before entry {made['seq']} anchored" in p for p in problems(runtime))


def test_a_forged_or_unkeyed_anchor_is_refused(runtime, monkeypatch):
    made = audit_log.anchor_head(SYSTEM, runtime)
    path = runtime.settings.access.anchor_dir / f"anchor-{made['seq']:012d}.json"
    forged = json.loads(path.read_text())
    forged["entry_hash"] = "0" * 64
    path.chmod(0o644)
    path.write_text(json.dumps(forged))
    assert any("not signed with the anchor key" in p for p in problems(runtime))
    monkeypatch.delenv(KEY_VARIABLE)
    assert any(f"{KEY_VARIABLE} is not set" in p for p in problems(runtime))
    with pytest.raises(Invalid):
        audit_log.anchor_head(SYSTEM, runtime)


def test_only_the_system_anchors(runtime):
    with pytest.raises(Forbidden):
        audit_log.anchor_head(Actor("dsb", role="datenschutz", client="10.1.2.4"), runtime)
