"""The one place that decides: every role against every kind of target."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dms_ingest.access import policy
from dms_ingest.access.teams import TeamError, initial, parse_ranges
from dms_ingest.errors import Forbidden
from dms_ingest.services.actor import Actor

AF = frozenset({"team-a-f"})
PEOPLE = {
    "system": Actor.system(),
    "post": Actor("post", "poststelle"),
    "anna": Actor("anna", "sachbearbeitung", AF),
    "lead": Actor("lead", "teamleitung", AF),
    "dsb": Actor("dsb", "datenschutz"),
    "admin": Actor("admin", "admin"),
}
MINE = SimpleNamespace(case_number="ABH-2020-00001")     # a case of team A-F
THEIRS = SimpleNamespace(case_number="ABH-2020-00002")   # a case of team G-Z
INTAKE = SimpleNamespace(case_number=None)
TEAM = {MINE.case_number: "team-a-f", THEIRS.case_number: "team-g-z", None: None}


def may(who: str, action: str, doc=None, case: str | None = None) -> bool:
    number = doc.case_number if doc is not None else case
    return policy.allowed(PEOPLE[who], action, document=doc, case_number=case, team=TEAM.get(number))


@pytest.mark.parametrize("who,mine,theirs,intake", [
    ("system", True, True, True), ("post", False, False, True), ("anna", True, False, False),
    ("lead", True, False, False), ("dsb", False, False, False), ("admin", False, False, False)])
def test_who_reads_which_document(who, mine, theirs, intake):
    for action in ("show", "get", "page_image"):
        assert (may(who, action, MINE), may(who, action, THEIRS), may(who, action, INTAKE)) == (mine, theirs, intake)


@pytest.mark.parametrize("who,expected", [("system", True), ("post", False), ("anna", True), ("lead", True),
                                          ("dsb", False), ("admin", False)])
def test_who_opens_a_case_file(who, expected):
    assert may(who, "case_view", case=MINE.case_number) is expected
    assert may(who, "case_view", case=THEIRS.case_number) is (who == "system")


@pytest.mark.parametrize("who,mine,theirs,intake", [
    ("system", True, True, True), ("post", False, False, True), ("anna", False, False, False),
    ("lead", True, False, False), ("dsb", False, False, False), ("admin", False, False, False)])
def test_who_settles_which_review_item(who, mine, theirs, intake):
    assert (may(who, "review_assign", MINE), may(who, "review_assign", THEIRS),
            may(who, "review_assign", INTAKE)) == (mine, theirs, intake)


@pytest.mark.parametrize("who,mine,theirs,unknown", [
    ("system", True, True, True), ("lead", True, False, False)])
def test_where_a_review_item_is_filed(who, mine, theirs, unknown):
    """A team lead files an item of the queue into the team's cases only; another team's case and a
    number not in the registry are refused in the same words (no oracle for which numbers exist)."""
    def files(target: str | None, team: str | None) -> str | None:
        return policy.decide(PEOPLE[who], "review_assign", document=MINE, team="team-a-f", case_number=target,
                             target_team=team)

    assert (files(MINE.case_number, "team-a-f") is None, files(THEIRS.case_number, "team-g-z") is None,
            files("ABH-2020-09999", None) is None) == (mine, theirs, unknown)
    if who == "lead":
        assert files(THEIRS.case_number, "team-g-z") == files("ABH-2020-09999", None) == policy.OUTSIDE_TEAMS
        assert files(None, None) is None                           # only the type: the item stays in its case


def test_the_mailroom_files_the_intake_into_any_case():
    post = PEOPLE["post"]
    assert policy.allowed(post, "review_assign", document=INTAKE, case_number=THEIRS.case_number,
                          target_team="team-g-z")
    assert policy.allowed(post, "review_assign", document=INTAKE, case_number="ABH-2020-09999", target_team=None)


@pytest.mark.parametrize("who,mine,theirs,intake", [
    ("system", True, True, True), ("post", False, False, False), ("anna", False, False, False),
    ("lead", True, False, False), ("dsb", False, False, False)])
def test_who_gives_which_review_item_back_to_the_mailroom(who, mine, theirs, intake):
    assert (may(who, "review_return", MINE), may(who, "review_return", THEIRS),
            may(who, "review_return", INTAKE)) == (mine, theirs, intake)


def test_uploads_the_mailroom_files_into_any_case_caseworkers_into_theirs():
    assert may("post", "upload", case=THEIRS.case_number)
    assert may("anna", "upload", case=MINE.case_number) and not may("anna", "upload", case=THEIRS.case_number)
    assert not may("dsb", "upload", case=MINE.case_number) and not may("admin", "upload", case=MINE.case_number)


@pytest.mark.parametrize("action,roles", [
    ("search", {"system", "post", "anna", "lead"}), ("audit_read", {"system", "dsb"}),
    ("users_manage", {"system", "admin"}), ("teams_manage", {"system", "admin"}),
    ("substitute", {"system", "admin", "lead"}), ("hold", {"system"}), ("delete", {"system"}),
    ("cases_import", {"system"}), ("ingest", {"system", "post"})])
def test_operations_by_role(action, roles):
    assert {who for who in PEOPLE if policy.allowed(PEOPLE[who], action)} == roles


def test_a_document_whose_team_is_unknown_is_refused_to_everyone_but_the_system():
    assert not policy.allowed(PEOPLE["anna"], "show", document=MINE)     # no team given, no catalog
    assert policy.allowed(PEOPLE["system"], "show", document=MINE)


def test_refusals_name_the_reason_in_one_sentence():
    with pytest.raises(Forbidden, match="case ABH-2020-00002, which is not one of your cases"):
        policy.require(PEOPLE["anna"], "show", document=THEIRS, team="team-g-z")
    with pytest.raises(Forbidden, match="Data protection may not open documents"):
        policy.require(PEOPLE["dsb"], "show", document=MINE, team="team-a-f")
    with pytest.raises(ValueError):
        policy.allowed(PEOPLE["anna"], "no_such_action")


def test_team_leads_arrange_substitutions_only_in_their_team():
    policy.require_substitution(PEOPLE["lead"], frozenset({"team-g-z"}), AF)
    with pytest.raises(Forbidden):
        policy.require_substitution(PEOPLE["lead"], AF, frozenset({"team-g-z"}))
    with pytest.raises(Forbidden):
        policy.require_substitution(PEOPLE["anna"], AF, AF)


def test_search_scope():
    assert policy.scope(PEOPLE["system"]).unrestricted
    assert policy.scope(PEOPLE["anna"]) == policy.Scope(False, AF, False)
    assert policy.scope(PEOPLE["post"]) == policy.Scope(False, frozenset(), True)
    assert policy.scope(PEOPLE["dsb"]).empty


@pytest.mark.parametrize("surname,letter", [("Ahmadi", "A"), ("Yılmaz", "Y"), ("Özdemir", "O"), ("Çelik", "C"),
                                            ("İnce", "I"), ("  de la Cruz", "D"), ("Šimić", "S")])
def test_initial_letters(surname, letter):
    assert initial(surname) == letter


def test_surname_ranges():
    assert parse_ranges("A-F, s") == [("A", "F"), ("S", "S")]
    for bad in ("F-A", "AB", "1-9", ""):
        with pytest.raises(TeamError):
            parse_ranges(bad)
