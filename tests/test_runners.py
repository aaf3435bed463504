"""The server's long-running jobs (watch, mail fetch, migrate, worker, nightly, reindex) go through
the service layer: the policy decides who may start them, the access log shows start and stop."""

from __future__ import annotations

import json

import pytest

from dms_ingest.access import audit
from dms_ingest.errors import Forbidden
from dms_ingest.services import runners
from dms_ingest.services.actor import Actor
from dms_ingest.services.runtime import Runtime


@pytest.fixture
def runtime(settings):
    return Runtime(settings)


def runner_entries(catalog) -> list[tuple]:
    rows = [audit.row_to_json(r) for r in audit.query(catalog)]
    return [(e["action"], e["detail"].get("phase"), e["outcome"], e["login"]) for e in rows
            if e["object_type"] == "runner"]


STARTS = {
    "run_intake": lambda actor, rt, tmp: runners.watch(actor, rt, tmp, workers=1, once=True),
    "run_migration": lambda actor, rt, tmp: runners.migrate(actor, rt, tmp, workers=1),
    "run_worker": lambda actor, rt, tmp: runners.worker(actor, rt, concurrency=1),
    "run_nightly": lambda actor, rt, tmp: runners.nightly(actor, rt, sample=1, workers=1),
    "reindex": lambda actor, rt, tmp: runners.reindex(actor, rt),
}


@pytest.mark.parametrize("action", sorted(STARTS))
def test_only_the_server_operator_starts_a_runner_and_a_refusal_is_logged(action, tmp_path, runtime):
    for person in (Actor("root", role="admin", client="web"), Actor("post", role="poststelle", client="web")):
        with pytest.raises(Forbidden):
            STARTS[action](person, runtime, tmp_path)
    assert runner_entries(runtime.catalog) == [(action, "start", "denied", "root"),
                                                (action, "start", "denied", "post")]


def test_reindex_logs_its_start_and_its_end_with_the_pages_done(runtime):
    summary = runners.reindex(Actor.system("ops"), runtime, batch=10)
    assert summary["pages"] == 0 and "bytes_per_page" in summary
    assert runner_entries(runtime.catalog) == [("reindex", "start", "ok", "ops"), ("reindex", "stop", "ok", "ops")]
    stop = audit.row_to_json(audit.query(runtime.catalog, newest_first=True, limit=1)[0])
    assert stop["detail"]["pages"] == 0 and stop["detail"]["batch"] == 10


def test_a_runner_that_fails_logs_a_failed_stop(tmp_path, runtime):
    with pytest.raises(Exception):
        runners.migrate(Actor.system(), runtime, tmp_path / "no such folder", workers=1)
    assert runner_entries(runtime.catalog) == [("run_migration", "start", "ok", "system"),
                                                ("run_migration", "stop", "refused", "system")]


def test_the_cli_runs_watch_and_reindex_as_the_system_and_logs_them(tmp_path, dms, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert dms("watch", inbox, "--once", "--no-imap").exit_code == 0
    reindexed = dms("reindex", "--json")
    assert reindexed.exit_code == 0 and json.loads(reindexed.stdout)["pages"] == 0
    assert runner_entries(Runtime(settings).catalog) == [
        ("run_intake", "start", "ok", "system"), ("run_intake", "stop", "ok", "system"),
        ("reindex", "start", "ok", "system"), ("reindex", "stop", "ok", "system")]
