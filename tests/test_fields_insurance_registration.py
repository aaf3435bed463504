"""The insurance period and the registration certificate as they are worded and as OCR reads them
(lines from the kept OCR of the generated application sets F, G and seed 31): read where the wording
is clear, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from dms_ingest.fields import PageText, extract_fields

TODAY = dt.date(2025, 6, 30)
HEAD = "Techniker Krankenkasse\nDatum: 24.05.2025\nVersicherungsbescheinigung\n" \
       "Versicherte Person: Duc Anh Hoang, geb. 19.07.1988\n"


def period(line: str, confidences: dict[str, float] | None = None) -> tuple[str | None, str | None]:
    page = PageText(1, HEAD + line, confidences or {}, 90.0 if confidences else None)
    fields = {f.name: f for f in extract_fields("krankenversicherung", [page], min_confidence=0.7, today=TODAY)}
    return fields["valid_from"].value, fields["valid_to"].value


def test_bis_read_as_his_after_the_start_date():
    # Set G: OCR sure (97 %) of "his"; the period's end stood unread.
    line = "Versicherungsschutz vom 04.06.2017 his 09.10.2025."
    words = {"Versicherungsschutz": 91, "vom": 96, "04.06.2017": 96, "his": 97, "09.10.2025.": 96}
    assert period(line, words) == ("2017-06-04", "2025-10-09")


@pytest.mark.parametrize("line, words, expected", [
    # Unseen set 77: "13.05.2017,bis" read as one word at 92 %; the end date stood unread.
    ("Versicherungsschutz vom 13.05.2017,bis 15.08.2026. : :",
     {"Versicherungsschutz": 91, "vom": 96, "13.05.2017,bis": 92, "15.08.2026.": 96}, ("2017-05-13", "2026-08-15")),
    # Unseen set 81: "26.02.2018:bis" at 82 %, the same with a colon.
    ("Versicherungsschutz vom 26.02.2018:bis 15.05.2027. |",
     {"Versicherungsschutz": 92, "vom": 93, "26.02.2018:bis": 82, "15.05.2027.": 89, "|": 65}, ("2018-02-26", "2027-05-15")),
])
def test_a_mark_glued_between_the_start_and_bis_still_ends_the_period(line, words, expected):
    assert period(line, words) == expected


def test_a_running_membership_whose_open_end_ocr_doubted_is_still_open():
    # Unseen set 81: "Begrenzung." at 0 % (a speck on it) had left the end unread, where the same
    # letter without that sentence counts as running ("seit dem ..."); a doubted dated end does not.
    line = "Versicherungsschutz besteht seit dem 05. 07.2022 ohne zeitliche Begrenzung."
    words = {"Versicherungsschutz": 92, "besteht": 97, "seit": 96, "dem": 97, "05.": 94, "07.2022": 96,
             "ohne": 96, "zeitliche": 96, "Begrenzung.": 0}
    assert period(line, words) == ("2022-07-05", "open")
    doubted_end = "Versicherungsschutz besteht seit dem 05.07.2022 bis 3l.12.2O25."
    assert period(doubted_end, {"Versicherungsschutz": 92, "besteht": 97, "seit": 96, "dem": 97,
                                "05.07.2022": 96, "bis": 96, "3l.12.2O25.": 40})[1] != "open"


def test_his_elsewhere_is_no_end_date():
    assert period("Versicherungsschutz vom 04.06.2017.\nAuskunft gibt his 09.10.2025 die Geschäftsstelle")[1] is None


@pytest.mark.parametrize("line, expected", [
    ("Beginn der Mitgliedschaft: 01.04.2019", ("2019-04-01", None)),
    ("Mitglied seit 01.04.2019", ("2019-04-01", "open")),                  # "seit": a running membership
    ("Die Versicherung ist gültig ab 01.01.2024 und gültig bis zum 31.12.2025.", ("2024-01-01", "2025-12-31")),
    ("Versicherungsbeginn: 15.02.2022\nDie Mitgliedschaft endete am 31.03.2025.", ("2022-02-15", "2025-03-31")),
    ("Versicherungsschutz vom 01.03.2020 b1s 28.02.2026", ("2020-03-01", "2026-02-28")),
])
def test_labels_of_the_period(line, expected):
    assert period(line) == expected


def test_a_period_that_ends_before_it_begins_is_unread():
    # One of the two dates is misread (a digit of the year): neither may be trusted.
    assert period("Versicherungsschutz vom 31.01.2027 bis 25.02.2021.") == (None, None)


def test_a_doubtful_start_date_stays_unread():
    # Set F as the page OCR left it: 55 % on the start date (a speck on its first dot).
    line = "Versicherungsschutz vom 31.01.2021 bis 25.02.2027."
    words = {"Versicherungsschutz": 92, "vom": 97, "31.01.2021": 55, "bis": 97, "25.02.2027.": 96}
    assert period(line, words) == (None, "2027-02-25")


def test_a_surname_that_begins_like_geb_is_the_insured_persons_whole_name():
    # Set F: "Saba Helen Gebremedhin" was read as "Saba Helen" (the name cut at "Geb").
    text = "BARMER\nVersicherungsbescheinigung\nVersicherte Person: Saba Helen Gebremedhin, geb. 07.08.1967"
    page = PageText(1, text)
    fields = {f.name: f for f in extract_fields("krankenversicherung", [page], min_confidence=0.7, today=TODAY)}
    assert fields["insured_person"].value == "Saba Helen Gebremedhin"


def test_an_address_whose_city_ocr_could_not_read_is_unread():
    # A seed-31 registration certificate: street and postcode sure, the city "Hasaiors" at 0 %.
    text = "Stadt Hamburg - Bürgeramt\nMeldebescheinigung\nAnschrift: Wäldstraße 74a, 20095 Hasaiors\n" \
           "Einzugsdatum: 04.09.2015\nHamburg, 12.05.2025"
    words = {"Anschrift:": 92, "Wäldstraße": 77, "74a,": 97, "20095": 97, "Hasaiors": 0, "Einzugsdatum:": 91,
             "04.09.2015": 96, "Hamburg,": 96, "12.05.2025": 96, "Stadt": 96, "Hamburg": 93, "Meldebescheinigung": 91}
    fields = {f.name: f for f in extract_fields("meldebescheinigung", [PageText(1, text, words, 74.0)],
                                                min_confidence=0.7, today=TODAY)}
    assert not fields["address"].read and fields["issue_date"].value == "2025-05-12"
    words["Hasaiors"] = 93   # the same line read surely
    fields = {f.name: f for f in extract_fields("meldebescheinigung", [PageText(1, text, words, 74.0)],
                                                min_confidence=0.7, today=TODAY)}
    assert fields["address"].value == "Wäldstraße 74a, 20095 Hasaiors"


def test_specks_after_the_insurers_name_are_no_part_of_it():
    # Seed 59: a speck read as '.' and another as 'ü' after the letterhead.
    text = "Ihr Zeichen: ABH-2023-86074\n\nKKH Kaufmännische Krankenkasse . ü\nPostfach 9113 - 33602 Bielefeld :\n" \
           "Datum: 18.06.2025\nVersicherungsbescheinigung ."
    page = PageText(1, text, {"KKH": 92, "Kaufmännische": 93, "Krankenkasse": 95, ".": 83, "ü": 0}, 92.0)
    fields = {f.name: f for f in extract_fields("krankenversicherung", [page], min_confidence=0.7, today=TODAY)}
    assert fields["insurer"].value == "KKH Kaufmännische Krankenkasse"


@pytest.mark.parametrize("line, name", [
    ("Versicherte Person: Pawet Dabrowski, geb. 20.08.1978", "Paweł Dabrowski"),          # seed 59, 'Pawet' at 92 %
    ("Versicherte Person: Matgorzata Kowalski, geb. 22.07.1995.", "Małgorzata Kowalski"),  # seed 57, 92 %
    ("Versicherte Person: Rafat Haddad, geb. 01.02.1980", "Rafat Haddad"),                 # a name of its own
])
def test_a_given_name_whose_l_with_stroke_ocr_read_as_t(line, name):
    page = PageText(1, "BARMER\nVersicherungsbescheinigung\n" + line)
    fields = {f.name: f for f in extract_fields("krankenversicherung", [page], min_confidence=0.7, today=TODAY)}
    assert fields["insured_person"].value == name


def test_a_month_whose_two_digits_ocr_split_is_one_month():
    # Unseen set 82: "02.1 1.2018", every digit at 99.5 %; the start stood unread. Only a two-digit
    # day before it and a four-digit year after make it a date; a 13th month stays none.
    line = "Versicherungsschutz besteht seit dem 02.1 1.2018 ohne zeitliche Begrenzung."
    words = {"Versicherungsschutz": 93, "besteht": 92, "seit": 97, "dem": 97, "02.1": 96, "1.2018": 97,
             "ohne": 93, "zeitliche": 93, "Begrenzung.": 91}
    assert period(line, words) == ("2018-11-02", "open")
    assert period("Versicherungsschutz besteht seit dem 12.1 3.2018 ohne zeitliche Begrenzung.")[0] is None
    assert period("Versicherungsschutz besteht seit dem 2.1 1.2018 ohne zeitliche Begrenzung.")[0] is None
