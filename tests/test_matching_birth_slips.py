"""A birth date OCR damaged beside the case owner's name (application set 78): a space put into its
number, a digit lost. Real OCR text from `dms eval DIR --keep-pages FILE` on
`python -m dms_datagen.applications DIR --cases 8 --seed 78 --scenarios complete`."""

import datetime as dt

from dms_ingest.classifiers.case_numbers import CaseNumberPattern
from dms_ingest.classifiers.matching import CaseHints, match_case
from dms_ingest.classifiers.persons import find_birth_dates
from dms_ingest.classifiers.registry import CaseRegistry, parse_registry_text

TODAY = dt.date(2025, 6, 30)
ROWS = """case_number,surname,given_names,date_of_birth,nationality
ABH-2014-44524,Szymański,Michał,1979-12-13,POL
ABH-2015-27142,Iyer,Deepika,1989-11-21,IND
"""

# ABH-2014-44524_10_sprachzertifikat.pdf: "13.12.1979" read with its month's first digit lost.
CERTIFICATE = """Aktenzeichen: ABH-2014-44524

Volkshochschule - Prüfungszentrum

Zertifikat Deutsch B2

Michat Szymanski, geboren am 13.2.1979

hat die Prüfung am 02.07.2022 mit folgendem Ergebnis bestanden:
“ Gesamtergebnis: B2 erreicht"""

# ABH-2015-27142_04_urkunde.jpg: a space read between the month's two digits.
DEGREE = """Aktenzeichen: ABH-2015-27142

Universität - Urkunde
Deepika Iyer, geboren am 21.1 1.1989.in Bengaluru,

hat die Masterprüfung im’Studiengang Informatik bestanden und erhält den Grad"""


def decide(text, rows=ROWS):
    return match_case(text, CaseRegistry(parse_registry_text(rows)), pattern=CaseNumberPattern(), hints=CaseHints(),
                      today=TODAY)


def test_a_space_ocr_put_between_two_digits_of_a_birth_date_is_no_part_of_it():
    (hit,) = find_birth_dates(DEGREE, today=TODAY)
    assert hit.date == dt.date(1989, 11, 21)      # was the 1st of January, from "1 1.1989"
    decision = decide(DEGREE)
    assert not decision.review and decision.case_number == "ABH-2015-27142"
    # A space between day and month or month and year is a separator, as before.
    assert [h.date for h in find_birth_dates("geb. am 13 04 1987", today=TODAY)] == [dt.date(1987, 4, 13)]
    assert [h.date for h in find_birth_dates("geb. 21.1 1989", today=TODAY)] == [dt.date(1989, 1, 21)]


def test_the_owner_s_birth_date_with_a_digit_lost_beside_the_owner_s_exact_name_is_no_objection():
    decision = decide(CERTIFICATE)
    assert not decision.review and decision.case_number == "ABH-2014-44524"
    # It names no one by itself: without the printed case number nothing is filed.
    assert decide(CERTIFICATE.replace("Aktenzeichen: ABH-2014-44524", "")).review


def test_a_date_a_digit_off_that_is_no_lost_digit_or_stands_with_another_name_still_objects():
    # A whole other date (a father's "13.12.1949" is printed in full), another given name, or a
    # registry namesake born on the date as read: review, as before.
    assert decide(CERTIFICATE.replace("13.2.1979", "13.12.1949")).review
    assert decide(CERTIFICATE.replace("13.2.1979", "13.02.1979")).review
    assert decide(CERTIFICATE.replace("Michat Szymanski", "Piotr Szymanski")).review
    namesake = ROWS + "ABH-2016-11111,Szymański,Michał,1979-02-13,POL\n"
    assert decide(CERTIFICATE, namesake).review


def test_the_checklist_counts_the_certificate_whose_birth_date_lost_a_digit_as_the_applicant_s():
    from dms_ingest.applications.status import Applicant, CaseDocument, belongs_to_applicant

    owner = Applicant("Szymański", "Michał", dt.date(1979, 12, 13))

    def certificate(text):
        return CaseDocument("c", "sprachzertifikat", {}, text)

    assert belongs_to_applicant(certificate(CERTIFICATE), owner) is True
    # A father's date in full, or the name not spelled exactly: a namesake's certificate.
    assert belongs_to_applicant(certificate(CERTIFICATE.replace("13.2.1979", "13.12.1949")), owner) is False
    assert belongs_to_applicant(certificate(CERTIFICATE.replace("Szymanski", "Szymansky")), owner) is False
