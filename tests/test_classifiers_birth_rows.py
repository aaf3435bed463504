"""Dates of birth in a table's birth-date column belong to the name on the same row, and to no other row.

WOHNUNGSGEBER is the demo's samples/inbox/Wohnungsgeberbestaetigung.png as Tesseract read it (`dms
ingest` of that one file, page text from `dms show ID --json`): the header "Familienname Vorname
Geburtsdatum" over the row "Ahmadi | | Farid 01.01.1998". The registry holds Farid Ahmadi and Farida
Ahmadi (samples/cases.csv), so the name alone fits both.
"""

import datetime as dt

from dms_ingest.classifiers.birth_rows import find_table_birth_dates
from dms_ingest.classifiers.case_numbers import CaseNumberPattern
from dms_ingest.classifiers.matching import match_case
from dms_ingest.classifiers.registry import CaseRecord, CaseRegistry

D = dt.date
TODAY = D(2026, 11, 29)
FARID = CaseRecord("ABH-2022-06060", "Ahmadi", "Farid", D(1998, 1, 1), "afghanisch")
FARIDA = CaseRecord("ABH-2024-00077", "Ahmadi", "Farida", D(2001, 8, 15), "afghanisch")
LAILA = CaseRecord("ABH-2023-00500", "Rahimi", "Laila", D(1998, 1, 1), "afghanisch")

WOHNUNGSGEBER = (
    "Wohnungsgeberbestätigung\n\nnach § 19 des Bundesmeldegesetzes (BMG)\n\nAngaben zum Wohnungsgeber\n\n"
    "Name: Gerda Lehmann\n\nAnschrift: Ahornweg 5, 21906 Elbhausen\nDer Wohnungsgeber ist zugleich "
    "Eigentümer der Wohnung.\n\nAngaben zur Wohnung\n\nAnschrift: Ahornweg 5, 21906 Elbhausen, "
    "Dachgeschoss\nEinzug\n\nLJ] Auszug\n\nDatum des Einzugs: 15.10.2024\n\nMeldepflichtige Person\n\n"
    "Familienname Vorname Geburtsdatum\nAhmadi | | Farid 01.01.1998\n\nIch bestätige mit meiner "
    "Unterschrift den Ein- bzw. Auszug der oben genannten Person in die\nbzw. aus der Wohnung. Es ist "
    "verboten, eine Wohnanschrift für eine Anmeldung anzubieten oder\nzur Verfügung zu stellen, obwohl ein "
    "tatsächlicher Bezug der Wohnung nicht stattfindet oder\nnicht beabsichtigt ist (§ 19 Abs. 6 BMG).\n\n"
    "Elbhausen, 16.10.2024\n\nOrt, Datum Unterschrift des Wohnungsgebers"
)


def decide(text, *records):
    return match_case(text, CaseRegistry(list(records)), pattern=CaseNumberPattern(), today=TODAY)


def rows(text):
    return [(hit.date, text[hit.row[0]:hit.row[1]]) for hit in find_table_birth_dates(text, today=TODAY)]


def test_the_demo_confirmation_gives_the_row_its_birth_date():
    assert rows(WOHNUNGSGEBER) == [(D(1998, 1, 1), "Ahmadi | | Farid 01.01.1998")]


def test_the_demo_confirmation_is_filed_by_name_and_birth_date():
    decision = decide(WOHNUNGSGEBER, FARID, FARIDA)
    assert (decision.case_number, decision.method, decision.review) == (FARID.case_number, "name_dob", False)


def test_a_registry_person_born_that_day_but_not_on_the_row_is_not_filed():
    # Farid's row names Farid; Farida is not born on his date: the registry check still decides.
    decision = decide(WOHNUNGSGEBER, FARIDA)
    assert decision.review and decision.case_number is None


def test_each_family_member_gets_the_date_of_their_own_row():
    text = ("Familienname Vorname Geburtsdatum\nAhmadi Farid 01.01.1998\nAhmadi Farida 15.08.2001\n\n"
            "Ort, Datum")
    assert rows(text) == [(D(1998, 1, 1), "Ahmadi Farid 01.01.1998"), (D(2001, 8, 15), "Ahmadi Farida 15.08.2001")]
    decision = decide(text, FARID, FARIDA)
    assert decision.review and set(decision.candidates) == {FARID.case_number, FARIDA.case_number}


def test_a_date_is_never_paired_with_a_name_from_another_row():
    # Laila Rahimi is born on the day printed in Farid Ahmadi's row; her own row says 03.03.1990.
    text = "Name Vorname Geburtsdatum\nRahimi Laila 03.03.1990\nAhmadi Farid 01.01.1998\n"
    decision = decide(text, LAILA)
    assert decision.case_number is None and decision.review
    assert not any("Geburtsdatum passen" in reason for reason in decision.reasons), decision.reasons
    assert decide(text, LAILA, FARID).case_number == FARID.case_number


def test_the_birth_column_is_told_by_the_order_of_the_date_columns():
    text = "Name Vorname Einzugsdatum Geburtsdatum\nAhmadi Farid 15.10.2024 01.01.1998\n"
    assert rows(text) == [(D(1998, 1, 1), "Ahmadi Farid 15.10.2024 01.01.1998")]


def test_a_row_missing_a_date_gives_none():
    # One date under two date columns: whether it is the birthday or the move-in day cannot be told.
    text = "Name Vorname Geburtsdatum Einzug\nAhmadi Farid 15.10.2024\nRahimi Laila 03.03.1990 15.10.2024\n"
    assert rows(text) == [(D(1990, 3, 3), "Rahimi Laila 03.03.1990 15.10.2024")]
    assert decide(text, FARID, LAILA).case_number is None


def test_other_header_labels_and_what_is_no_table():
    assert rows("Name, Vorname | geb. am\nAhmadi, Farid | 01.01.1998") == [(D(1998, 1, 1), "Ahmadi, Farid | 01.01.1998")]
    assert rows("Surname Given names Date of birth\nAHMADI FARID 01.01.1998") == [(D(1998, 1, 1), "AHMADI FARID 01.01.1998")]
    assert rows("Name Geburtstag\nAhmadi Farid 01.01.1998")[0][0] == D(1998, 1, 1)
    # No name column, a field line, text between header and row: no table row.
    assert rows("Geburtsdatum\nAhmadi Farid 01.01.1998") == []
    assert rows("Name Vorname Geburtsdatum\nDatum des Einzugs: 15.10.2024") == []
    assert rows("Name Vorname Geburtsdatum\nbitte in Druckschrift ausfüllen\nAhmadi Farid 01.01.1998") == []
