"""Filter tokens (index/analysis.py): short, and never a way to see another case's page.

Dates and the review state are encoded reversibly (no two values share a token); case numbers,
types and teams are hashed, and a hash collision must only bring foreign candidates to the row
check, which drops them. No page text can make a token. Index tests run on SQLite and PostgreSQL
(`make_catalog` from test_search)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from dms_ingest.index import analysis
from dms_ingest.index.analysis import (KINDS, case_token, day_token, month_token, review_token, strong_token,
                                       team_token, type_token, year_token)
from dms_ingest.index.folding import keys
from dms_ingest.index.models import CaseRow
from dms_ingest.index.query import SearchQuery

from .test_search import add, make_catalog  # noqa: F401  (the fixture, per backend)
from .test_search_team_scope import pages_with_token


def test_each_day_month_and_year_has_a_token_of_its_own():
    days = [date(1800, 1, 1) + timedelta(days=n) for n in range(0, 120_000, 1)]      # 1800 to 2128
    assert len({day_token(d) for d in days}) == len(days)
    months = {(d.year, d.month) for d in days}
    assert len({month_token(date(y, m, 1)) for y, m in months}) == len(months)
    assert len({year_token(date(y, 1, 1)) for y in range(1, 10_000)}) == 9_999
    assert day_token(date(1, 1, 1)) != day_token(date(9999, 12, 31))
    assert review_token(True) != review_token(False)


def test_kinds_never_share_a_token_and_no_word_key_is_one():
    tokens = [case_token("ABH-2024-00001"), case_token(None), team_token("A-K"), team_token(None),
              type_token("antrag"), type_token(None), review_token(True), day_token(date(2026, 11, 29)),
              month_token(date(2026, 11, 29)), year_token(date(2026, 11, 29)), strong_token("antrag")]
    assert len({t.lower() for t in tokens}) == len(tokens)      # apart in FTS5's meta column (it folds case)
    assert len(set(KINDS.values())) == len(KINDS)
    for token in tokens:
        assert token[0] in KINDS.values() and (token[1:] == "" or token[1:].isalnum() and token[1:].islower()
                                                or token[1:].isdigit())
    # Compatibility letters unfold to upper case: keys are lowered after that, so no text spells a token.
    spelled = keys("ℂ𝐀𝐁 ᴬᴮ ℍ1 " + " ".join(tokens))
    assert spelled[:3] == ["cab", "ab", "h1"] and all(k == k.lower() for k in spelled)
    assert not set(spelled) & set(tokens)
    assert strong_token("antr") == strong_token("antrag")[:5]


def test_tokens_are_short():
    assert len(case_token("ABH-2024-00001")) == 1 + analysis.HASH_CHARACTERS == 9
    assert len(day_token(date(2026, 11, 29))) == 5 and len(month_token(date(2026, 11, 29))) == 4
    assert len(year_token(date(2026, 11, 29))) == 4 and len(review_token(False)) == 2


def archive(catalog) -> None:
    catalog.replace_cases([CaseRow(case_number="ABH-2024-00001", surname="Ahmadi", team="A-K", team_source="registry"),
                           CaseRow(case_number="ABH-2024-00002", surname="Yilmaz", team="L-Z", team_source="registry")])
    on = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    add(catalog, "ahmadi-1", "Antrag Aufenthaltserlaubnis", case_number="ABH-2024-00001", doc_type="antrag", created_at=on)
    add(catalog, "yilmaz-1", "Antrag Aufenthaltserlaubnis", case_number="ABH-2024-00002", doc_type="bescheid",
        created_at=on)
    add(catalog, "intake-1", "Antrag Aufenthaltserlaubnis", doc_type="sonstiges", created_at=on)


def found(catalog, words="Antrag", **filters) -> set[str]:
    result = catalog.find(SearchQuery(words, **filters))
    assert result.total == len(result.hits) and sum(result.facets.values()) == result.total
    return {h.id for h in result.hits}


def test_colliding_tokens_never_show_a_foreign_document(make_catalog, monkeypatch):
    """Every case, team and type hashed to one token (HASH_CHARACTERS 0): the index hands over the
    other case's pages, and the row check keeps every filter and scope exact."""
    monkeypatch.setattr(analysis, "HASH_CHARACTERS", 0)
    assert case_token("ABH-2024-00001") == case_token("ABH-2024-00002") != case_token(None)
    catalog = make_catalog()
    archive(catalog)
    assert pages_with_token(catalog, case_token("ABH-2024-00001")) == 2         # the collision is real
    assert pages_with_token(catalog, team_token("A-K")) == 2
    for words in ("Antrag", ""):
        assert found(catalog, words, case_numbers=["ABH-2024-00001"]) == {"ahmadi-1"}
        assert found(catalog, words, allowed_cases=frozenset({"ABH-2024-00001"}), include_unassigned=False) == {"ahmadi-1"}
        assert found(catalog, words, allowed_teams=frozenset({"A-K"}), include_unassigned=False) == {"ahmadi-1"}
        assert found(catalog, words, allowed_teams=frozenset({"L-Z"}), include_unassigned=True) == {"yilmaz-1", "intake-1"}
        assert found(catalog, words, doc_types=["bescheid"]) == {"yilmaz-1"}
        assert found(catalog, words, allowed_cases=frozenset({"ABH-2024-00003"}), include_unassigned=False) == set()


def test_page_text_cannot_make_a_filter_token(make_catalog):
    """A page spelling another case's token (in plain or in compatibility letters) is not found by it."""
    catalog = make_catalog()
    archive(catalog)
    forged = case_token("ABH-2024-00001")
    add(catalog, "forger", f"Antrag {forged} {forged.lower()} ℂ{forged[1:]} {team_token('A-K')} "
                           f"{strong_token('antrag')} {review_token(True)} {day_token(date(2026, 3, 2))}")
    assert pages_with_token(catalog, forged) == 1
    assert pages_with_token(catalog, team_token("A-K")) == 1
    assert pages_with_token(catalog, review_token(True)) == 0
    assert pages_with_token(catalog, day_token(date(2026, 3, 2))) == 3
    assert found(catalog, f"{forged}", case_numbers=["ABH-2024-00001"]) == set()
    assert found(catalog, forged.lower()) == {"forger"}                  # as a word it is found
