"""The second, closer OCR look at case-number labels whose number the page's OCR garbled."""

import numpy as np

from dms_ingest.classifiers.case_numbers import CaseNumberPattern
from dms_ingest.ingest.document import Page, Word
from dms_ingest.ingest.ocr import OcrResult
import datetime as dt

from dms_ingest.ingest.reread import reread_birth_dates, reread_case_labels

PATTERN = CaseNumberPattern()


class FakeOcr:
    """Answers every re-read with the given readings (as-is image first, levelled image second)."""

    def __init__(self, *readings):
        self.readings, self.calls = list(readings), []

    def recognize(self, gray, dpi):
        self.calls.append((gray.shape, dpi))
        text = self.readings[(len(self.calls) - 1) % len(self.readings)]
        return OcrResult(text, [], 90.0)


def page_of(*lines, dpi=200):
    words, text = [], []
    for n, line in enumerate(lines):
        x = 100.0
        for token in line.split():
            words.append(Word(token, (x, 100.0 + 60 * n, x + 20 * len(token), 130.0 + 60 * n), 80.0, n))
            x += 20 * len(token) + 15
        text.append(line)
    return Page(number=1, dpi=dpi, words=words, text="\n".join(text))


GRAY = np.full((600, 1700), 255, np.uint8)


def test_garbled_number_after_label_is_read_again_larger_and_replaced():
    page = page_of("Landkreis Wesermarsch", "Aktenzeichen AlBHl 2024 OBOLE Datum: 01.02.2025", "Sehr geehrte Damen")
    ocr = FakeOcr("Aktenzeichen ABH 2024 08018 Datum: 01.02.2025")
    assert reread_case_labels(page, GRAY, ocr, PATTERN) == ["Aktenzeichen ABH 2024 08018 Datum: 01.02.2025"]
    assert page.text.split("\n")[1] == "Aktenzeichen ABH 2024 08018 Datum: 01.02.2025"
    assert len(ocr.calls) == 2 and ocr.calls[0][1] > 400          # read at a larger scale, two ways
    assert ocr.calls[0][0][0] < 200                                # only the line was cut out


def test_number_below_its_label_is_read_with_the_label():
    page = page_of("Ihr Zeichen:", "A8H-2O1g-O47 1l", "Betreff")
    reread_case_labels(page, GRAY, FakeOcr("Ihr Zeichen: ABH-2019-04711"), PATTERN)
    assert page.text == "Ihr Zeichen: ABH-2019-04711\nBetreff"


def test_readings_that_disagree_or_stay_unreadable_change_nothing():
    for readings in [("Az. ABH-2019-04711", "Az. ABH-2019-04717"), ("Az. ABH-2O19-O4", "Az. 2019")]:
        page = page_of("Az.: ABH 2019 O4 711x")
        before = page.text
        assert reread_case_labels(page, GRAY, FakeOcr(*readings), PATTERN) == []
        assert page.text == before


def test_a_reading_that_contradicts_the_first_guess_is_added_not_swapped():
    # First pass: a split serial (uncertain) for 04711; closer look: 04717. Matching must see both.
    page = page_of("Aktenzeichen ABH-2019-047 11")
    reread_case_labels(page, GRAY, FakeOcr("Aktenzeichen ABH-2019-04717"), PATTERN)
    assert page.text == "Aktenzeichen ABH-2019-047 11\nAktenzeichen ABH-2019-04717"


def test_pages_with_a_readable_number_or_without_a_label_cost_nothing():
    ocr = FakeOcr("never asked")
    for lines in [("Ihr Zeichen: ABH-2019-04711", "Datum 01.02.2025"), ("Rechnung 2024 08018 4711",),
                  ("Ihr Zeichen: Ihre Anfrage vom Mai",)]:
        page = page_of(*lines)
        assert reread_case_labels(page, GRAY, ocr, PATTERN) == []
    assert ocr.calls == []


def test_a_birth_date_read_again_differently_is_kept_beside_the_first_reading():
    page = page_of("Name: Okonkwo, Chinedu", "Geburtsdatum: 24.06.1938", "Sehr geehrte Damen")
    ocr = FakeOcr("Geburtsdatum: 24.06.1958")
    assert reread_birth_dates(page, GRAY, ocr) == [(dt.date(1938, 6, 24), dt.date(1958, 6, 24))]
    assert page.birth_rereads == [(dt.date(1938, 6, 24), dt.date(1958, 6, 24))]
    assert "1938" in page.text and "1958" not in page.text          # the page text stays as read
    assert len(ocr.calls) == 2 and ocr.calls[0][0][0] < 200          # the one line, two ways


def test_a_birth_date_below_its_label_is_read_with_the_label():
    page = page_of("Geburtsdatum:", "24.06.1938")
    assert reread_birth_dates(page, GRAY, FakeOcr("Geburtsdatum: 24.06.1958")) == [
        (dt.date(1938, 6, 24), dt.date(1958, 6, 24))]


def test_birth_date_readings_that_disagree_or_confirm_the_first_keep_nothing():
    for readings in [("geb. 24.06.1958", "geb. 24.06.1998"), ("geb. 24.06.1938",), ("geb. 24.06.1958", "geb. 2")]:
        page = page_of("Chinedu Okonkwo, geb. 24.06.1938")
        assert reread_birth_dates(page, GRAY, FakeOcr(*readings)) == []
        assert page.birth_rereads == []


def test_pages_without_a_birth_date_are_not_read_again():
    ocr = FakeOcr("never asked")
    assert reread_birth_dates(page_of("Datum: 01.02.2025", "Rechnung vom 03.04.1987"), GRAY, ocr) == []
    assert ocr.calls == []
