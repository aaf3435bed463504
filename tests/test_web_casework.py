"""A caseworker's day on the pages, over HTTP without a browser: the search's filters as the office
means them, what a hit says, and the case file's application checklist in German with its actions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from .web_office import office_app, web_client


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return office_app(tmp_path_factory.mktemp("office"))


def _hit_ids(page: str, ids: dict[str, str]) -> set[str]:
    return {name for name, doc in ids.items() if f"/dokumente/{doc}?" in page}


def test_a_received_day_is_the_offices_day_in_the_search_page_and_the_api(office):
    """Received at 00:30 on 4 March in Berlin (23:30 UTC on 3 March): a clerk finds it from 4 March
    and not up to 3 March, and the hit says 04.03.2026 - as `dms search --from/--to` does."""
    app, ids = office
    letter = ids["schreiben_ahmadi.pdf"]
    app.state.runtime.catalog.update_document(letter, "test", "test_received_at", created_at=datetime(2026, 3, 3, 23, 30, tzinfo=timezone.utc))
    anna = web_client(app, "anna")
    from_fourth = anna.get("/suche", params={"q": "Berichtigung", "from": "2026-03-04", "to": "2026-03-04"}).text
    assert _hit_ids(from_fourth, ids) == {"schreiben_ahmadi.pdf"} and "Eingang 04.03.2026" in from_fourth
    up_to_third = anna.get("/suche", params={"q": "Berichtigung", "to": "2026-03-03"}).text
    assert _hit_ids(up_to_third, ids) == set() and "Keine Treffer" in up_to_third
    api = web_client(app, "anna")
    api.headers["Accept"] = "application/json"
    found = api.get("/api/search", params={"q": "Berichtigung", "from": "2026-03-04"}).json()
    assert [h["id"] for h in found["hits"]] == [letter]
    assert api.get("/api/search", params={"q": "Berichtigung", "to": "2026-03-03"}).json()["hits"] == []
