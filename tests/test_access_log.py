"""The hash-chained access log: any altered, deleted, inserted or reordered entry is found;
retention keeps the rest verifiable; concurrent writers get one gapless chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from dms_ingest.access import audit
from dms_ingest.index.catalog import Catalog
from dms_ingest.services.actor import Actor

CLERK = Actor("anna", role="sachbearbeitung", teams=frozenset({"team-a-f"}), client="10.1.2.3")


@pytest.fixture
def engine(tmp_path):
    engine = Catalog(f"sqlite:///{tmp_path / 'index.sqlite'}").engine
    for n in range(6):
        audit.record(engine, CLERK, "show", f"doc-{n}", "ok", case_number="ABH-2020-00001", object_type="document")
    return engine


def sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_intact_chain_verifies(engine):
    result = audit.verify(engine)
    assert result.ok and result.entries == 6 and (result.first_seq, result.last_seq) == (1, 6)
    rows = audit.query(engine)
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(rows, rows[1:]))


@pytest.mark.parametrize("column,value", [("login", "mallory"), ("outcome", "denied"), ("object_id", "doc-x"),
                                          ("client", "127.0.0.1"), ("detail", "{\"query\": \"x\"}"), ("case_number", None)])
def test_any_altered_field_is_found(engine, column, value):
    sql(engine, f"UPDATE access_log SET {column} = :v WHERE seq = 3", v=value)
    result = audit.verify(engine)
    assert not result.ok and result.problems == ["entry 3 was altered (its content no longer matches its hash)"]


def test_an_altered_time_is_found(engine):
    sql(engine, "UPDATE access_log SET at = :t WHERE seq = 2", t="2020-01-01 00:00:00.000000")
    assert "entry 2 was altered" in audit.verify(engine).problems[0]


def test_a_deleted_entry_is_found(engine):
    sql(engine, "DELETE FROM access_log WHERE seq = 4")
    assert audit.verify(engine).problems == ["entry 4 missing before entry 5 (deleted or reordered)"]


def test_rewriting_the_hash_too_breaks_the_next_link(engine):
    row = audit.query(engine)[2]
    forged = audit.entry_hash(row.prev_hash, row.seq, row.at, "mallory", row.role, row.client, row.action,
                              row.object_type, row.object_id, row.case_number, row.outcome, row.detail)
    sql(engine, "UPDATE access_log SET login = 'mallory', entry_hash = :h WHERE seq = 3", h=forged)
    problems = audit.verify(engine).problems
    assert problems == ["entry 4 does not follow entry 3 (its predecessor was altered, deleted or reordered)"]


def test_reordered_entries_are_found(engine):
    sql(engine, "UPDATE access_log SET seq = 100 WHERE seq = 2")
    sql(engine, "UPDATE access_log SET seq = 2 WHERE seq = 3")
    sql(engine, "UPDATE access_log SET seq = 3 WHERE seq = 100")
    assert not audit.verify(engine).ok


def test_retention_prunes_old_entries_and_the_rest_still_verifies(engine):
    old = datetime.now(timezone.utc) - timedelta(days=800)
    # Three entries written 800 days ago (re-sealed with that time: the time is part of each hash).
    sql(engine, "DELETE FROM access_log")
    for n in range(3):
        entry = audit.append(engine, audit.Entry("anna", "sachbearbeitung", "x", "show", "document", f"old-{n}"))
        when = old + timedelta(minutes=n)
        prev = audit.query(engine)[-2].entry_hash if n else audit.GENESIS
        sql(engine, "UPDATE access_log SET at = :t, prev_hash = :p, entry_hash = :h WHERE seq = :s",
            t=when.replace(tzinfo=None).isoformat(sep=" "), p=prev, s=entry.seq,
            h=audit.entry_hash(prev, entry.seq, when, "anna", "sachbearbeitung", "x", "show", "document",
                               f"old-{n}", None, "ok", "{}"))
    audit.append(engine, audit.Entry("anna", "sachbearbeitung", "x", "show", "document", "new"))
    assert audit.verify(engine).ok
    assert audit.prune(engine, 730) == 3
    result = audit.verify(engine)
    assert result.ok and result.entries == 1 and result.first_seq == 4
    audit.append(engine, audit.Entry("anna", "sachbearbeitung", "x", "show", "document", "newer"))
    assert audit.verify(engine).ok
    sql(engine, "DELETE FROM access_log WHERE seq = 4")
    assert not audit.verify(engine).ok


def test_concurrent_writers_build_one_gapless_chain(tmp_path):
    path = tmp_path / "index.sqlite"
    engines = [Catalog(f"sqlite:///{path}").engine for _ in range(3)]   # as if three processes

    def write(n):
        audit.record(engines[n % 3], CLERK, "search", None, "ok", query=f"q{n}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(write, range(60)))
    result = audit.verify(engines[0])
    assert result.ok and result.entries == 60 and result.last_seq == 60


def test_reads_can_be_left_out_for_measurements_but_refusals_never(engine):
    audit.log_reads = False
    try:
        audit.record(engine, CLERK, "show", "doc-9", "ok")
        audit.record(engine, CLERK, "show", "doc-9", "denied")
        audit.record(engine, CLERK, "review_assign", "doc-9", "ok")
    finally:
        audit.log_reads = True
    assert [(e.object_id, e.action, e.outcome) for e in audit.query(engine)][6:] == [
        ("doc-9", "show", "denied"), ("doc-9", "review_assign", "ok")]
