"""Lock-out per (login, client address) and the slower global throttle per login: one person's
wrong passwords lock out only their own address; guessing from many addresses slows the login to
one attempt per throttle period. Every refused attempt is logged with its reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from dms_ingest.access import accounts, audit, sessions, teams
from dms_ingest.config import Settings
from dms_ingest.index.catalog import Catalog

PASSWORD = "richtig-geheim-1"


@pytest.fixture
def office(tmp_path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'index.sqlite'}")
    teams.add_team(catalog, "team-a-f", "A-F")
    accounts.add_user(catalog, "anna", "sachbearbeitung", ["team-a-f"], password=PASSWORD)
    settings = Settings(home=tmp_path, access={"lockout_failures": 3, "lockout_minutes": 15,
                                               "throttle_failures": 5, "throttle_seconds": 30})
    return catalog, settings


def attempt(office, password: str, client: str) -> str:
    catalog, settings = office
    try:
        sessions.authenticate(catalog, settings, "anna", password, client)
        return "ok"
    except sessions.LoginFailed as exc:
        return str(exc)


def test_failures_from_one_address_lock_out_that_address_only(office):
    for _ in range(2):
        assert attempt(office, "falsch", "10.0.0.66") == "Login or password is wrong."
    assert "locked for 15 minutes" in attempt(office, "falsch", "10.0.0.66")
    assert "locked" in attempt(office, PASSWORD, "10.0.0.66")      # the right password no longer helps there
    assert attempt(office, PASSWORD, "10.0.0.7") == "ok"            # the owner, elsewhere, is not locked out
    assert "locked" in attempt(office, PASSWORD, "10.0.0.66")      # a success elsewhere lifts no other lock
    denied = [(e.client, json_reason(e)) for e in audit.query(office[0], login="anna") if e.outcome == "denied"]
    assert denied == [("10.0.0.66", "wrong credentials")] * 3 + [("10.0.0.66", "locked")] * 2


def test_guessing_from_many_addresses_is_throttled_per_login(office):
    catalog, _ = office
    # Five addresses, one failure each: no address is locked, but the login is now throttled.
    for n in range(5):
        assert attempt(office, "falsch", f"10.0.1.{n}") == "Login or password is wrong."
    refused = attempt(office, PASSWORD, "10.0.0.7")
    assert "one attempt per 30 seconds" in refused                  # even the right password waits
    assert audit.query(catalog, login="anna")[-1].outcome == "denied"
    assert '"throttled"' in audit.query(catalog, login="anna")[-1].detail
    # Once the period is over one attempt is checked; a wrong one starts the next period at once.
    _let_time_pass(catalog, "login_failures", timedelta(seconds=31))
    assert attempt(office, "falsch", "10.0.2.1") == "Login or password is wrong."
    assert "one attempt per 30 seconds" in attempt(office, PASSWORD, "10.0.0.7")
    _let_time_pass(catalog, "login_failures", timedelta(seconds=31))
    assert attempt(office, PASSWORD, "10.0.0.7") == "ok"
    # A success ends the throttle: the next wrong password is just wrong.
    assert attempt(office, "falsch", "10.0.3.1") == "Login or password is wrong."


def test_an_address_lock_runs_out(office):
    catalog, _ = office
    for _ in range(3):
        attempt(office, "falsch", "10.0.0.66")
    assert "locked" in attempt(office, PASSWORD, "10.0.0.66")
    _let_time_pass(catalog, "login_failures_by_client", timedelta(minutes=16))
    assert attempt(office, PASSWORD, "10.0.0.66") == "ok"


def json_reason(entry) -> str:
    import json

    return json.loads(entry.detail)["reason"]


def _let_time_pass(catalog, table: str, span: timedelta) -> None:
    """Move the table's lock times into the past, as if *span* had passed."""
    with catalog.engine.begin() as conn:
        for row in conn.execute(text(f"SELECT rowid, locked_until FROM {table} WHERE locked_until IS NOT NULL")).all():
            until = datetime.fromisoformat(str(row[1])).replace(tzinfo=timezone.utc) - span
            conn.execute(text(f"UPDATE {table} SET locked_until = :u WHERE rowid = :r"),
                         {"u": until.replace(tzinfo=None).isoformat(sep=" "), "r": row[0]})


def test_the_login_page_names_the_block_in_german(office):
    from dms_ingest.web.pages import _login_failure

    _, settings = office
    assert "von diesem Rechner aus vorübergehend gesperrt" in _login_failure(
        sessions._blocked_message("locked", settings.access))
    assert "nur alle paar Sekunden einen Versuch" in _login_failure(
        sessions._blocked_message("throttled", settings.access))
