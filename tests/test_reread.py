"""The second, closer OCR look at case-number labels whose number the page's OCR garbled."""

import numpy as np

from dms_ingest.classifiers.case_numbers import CaseNumberPattern
from dms_ingest.ingest.document import Page, Word
from dms_ingest.ingest.ocr import OcrResult
import datetime as dt

from dms_ingest.ingest.reread import reread_birth_dates, reread_case_labels, without_specks

from tests.paths import REPO

LINES = REPO / "tests" / "lines"

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


def test_a_birth_date_label_whose_digits_gave_no_date_is_read_again():
    page = page_of("Name: Okonkwo, Chinedu", "Geburtsdatum: 2A.O6.19S8")
    assert reread_birth_dates(page, GRAY, FakeOcr("Geburtsdatum: 24.06.1958")) == [(None, dt.date(1958, 6, 24))]
    for readings in [("Geburtsdatum: 24.06.1958", "Geburtsdatum: 24.06.1938"), ("Geburtsdatum: 24.06.19S8",)]:
        assert reread_birth_dates(page_of("Geburtsdatum: 2A.O6.19S8"), GRAY, FakeOcr(*readings)) == []
    ocr = FakeOcr("never asked")
    assert reread_birth_dates(page_of("geb. Müller", "Geburtsort: Lagos"), GRAY, ocr) == [] and ocr.calls == []


def _specked_line():
    """A white line with strokes three pixels wide (a "1" and a "0") and a round blot touching the second."""
    gray = GRAY.copy()
    for x in (110, 150, 170):
        gray[100:130, x:x + 3] = 0
    gray[100:103, 150:173] = 0
    gray[127:130, 150:173] = 0
    yy, xx = np.ogrid[:600, :1700]
    gray[(yy - 115) ** 2 + (xx - 172) ** 2 <= 25] = 0
    return gray


def test_specks_are_found_by_their_thickness_and_filled_in():
    assert without_specks(GRAY[90:140, 90:300]) is None                  # blank paper
    strokes = _specked_line()
    strokes[110:121, 166:179] = 255
    strokes[100:130, 170:173] = 0
    assert without_specks(strokes[90:140, 90:300]) is None               # strokes only
    cleaned = without_specks(_specked_line()[90:140, 90:300])
    assert cleaned is not None and cleaned[25, 82] > 128                 # the blot's middle is paper again
    assert cleaned[25, 20] < 128                                          # the "1" is untouched


def test_a_line_with_a_speck_is_also_read_with_it_filled_in_and_that_reading_must_not_be_contradicted():
    page = page_of("Chinedu Okonkwo, geb. 24.06.1938")
    page.words = [Word(page.text, (100.0, 100.0, 400.0, 130.0), 80.0, 0)]   # the crop holds the strokes
    # As scanned: two different dates; filled in: 1958 twice.
    ocr = FakeOcr("geb. 24.06.1938", "geb. 24.06.1998", "geb. 24.06.1958", "geb. 24.06.1958")
    assert reread_birth_dates(page, _specked_line(), ocr) == [(dt.date(1938, 6, 24), dt.date(1958, 6, 24))]
    assert len(ocr.calls) == 4
    # As scanned, both readings say 1998: the filled-in 1958 stands against them, nothing is sure.
    ocr = FakeOcr("geb. 24.06.1998", "geb. 24.06.1998", "geb. 24.06.1958", "geb. 24.06.1958")
    assert reread_birth_dates(page, _specked_line(), ocr) == []
    # Both readings as scanned confirm the page: the speck is not looked at.
    ocr = FakeOcr("geb. 24.06.1938")
    assert reread_birth_dates(page, _specked_line(), ocr) == [] and len(ocr.calls) == 2


def test_a_real_speck_on_a_birth_year_is_filled_in_and_the_year_read_as_printed():
    # seed 15, scan_0007.pdf at 240 dpi: a speck joins the 5 and the 8 of "1958"; the page read 1938,
    # the enlarged line as scanned 1938 and 1998.
    import cv2

    from dms_ingest.ingest.ocr import recognizer

    gray = cv2.imread(str(LINES / "speck_on_birth_year.png"), cv2.IMREAD_GRAYSCALE)
    ocr = recognizer("deu+eng")
    first = ocr.recognize(gray, 240.0)
    page = Page(number=1, dpi=240.0, words=first.words, text=first.text)
    assert "Dezember 1938" in page.text
    assert reread_birth_dates(page, gray, ocr) == [(dt.date(1938, 12, 28), dt.date(1958, 12, 28))]
