"""The dedicated second reading of a passport's MRZ band (ingest/mrz_band.py), on rendered scans."""

import datetime as dt

import numpy as np
import pytest

from dms_datagen.letters import Sheet
from dms_datagen.mrz import make_td3
from dms_datagen.scan import scan_damage
from dms_ingest.classifiers.mrz import find_mrz, parse_td3
from dms_ingest.fields import PageText
from dms_ingest.fields.extractors import passport
from dms_ingest.ingest.document import Page, Word
from dms_ingest.ingest.mrz_band import parse_band_text, reread_mrz
from dms_ingest.ingest.ocr import mrz_reader

TODAY = dt.date(2025, 6, 30)
LINES = make_td3(surname="CONSTANTIN", given_names="FLORIN", document_number="C84486982", nationality="ROU",
                 date_of_birth=dt.date(2000, 2, 29), sex="M", expiry_date=dt.date(2032, 2, 24))
# How the page's German OCR read that MRZ on a 200-dpi scan: 'C' as '(' and 'O' as '0' - the number's
# check digit fails, so number and composite are unread.
GARBLED = ("P<ROUCONSTANTIN<<FLORIN<<<<<<<<<<<<<<<<<<<<<", "(844869829R0U0002299M3202241<<<<<<<<<<<<<<<6")


def scanned_band(lines, dpi=200, seed=3):
    """The two MRZ lines drawn as the evaluation set draws them (mono, 48 pt at 300 dpi), scanned."""
    scale = dpi / 300
    sheet = Sheet((round(2480 * scale), round(420 * scale)), left=round(236 * scale), top=round(120 * scale))
    tops = [sheet.text(line, size=round(48 * scale), family="mono", lead=1.6) for line in lines]
    image = scan_damage(sheet.img, skew_deg=0.0, noise=5, blur=1.0, background=0.08, speckles=80, seed=seed)
    height = round(48 * scale)
    words = [Word(text, (sheet.left, top, sheet.left + 40 * height, top + height), 60.0, n)
             for n, (text, top) in enumerate(zip(GARBLED, tops))]
    return np.asarray(image.convert("L")), words


def page_with(words, text, dpi=200):
    return Page(number=1, dpi=dpi, words=words, text=text)


class FakeReader:
    def __init__(self, *readings):
        self.readings, self.calls = list(readings), 0

    def read_mrz(self, gray, dpi):
        self.calls += 1
        return self.readings[(self.calls - 1) % len(self.readings)]


def test_a_garbled_mrz_is_read_again_from_the_scan_and_its_fields_verify():
    gray, words = scanned_band(LINES)
    text = "REISEPASS / PASSPORT\nSurname / Nom\nCONSTANTIN\n" + "\n".join(GARBLED)
    page = page_with(words, text)
    assert not any(m.valid for m in find_mrz(page.text, today=TODAY))
    result = reread_mrz(page, gray, mrz_reader(), today=TODAY)
    assert result is not None and result.valid
    assert "\n".join(LINES) in page.text and "(8448" not in page.text
    fields = {f.name: f for f in passport([PageText(1, page.text)], TODAY)}
    assert fields["document_number"].value == "C84486982"
    assert fields["expiry_date"].value == "2032-02-24"
    assert fields["nationality"].value == "ROU"


def test_an_upside_down_band_is_read_turned():
    gray, words = scanned_band(LINES, dpi=240, seed=5)
    height, width = gray.shape
    # OCR found the lines where they stand on the turned page.
    turned = [Word(w.text, (width - w.box[2], height - w.box[3], width - w.box[0], height - w.box[1]), w.confidence,
                   1 - w.line) for w in words]
    page = page_with(turned, "\n".join(GARBLED), dpi=240)
    result = reread_mrz(page, np.ascontiguousarray(gray[::-1, ::-1]), mrz_reader(), today=TODAY)
    assert result is not None and result.document_number == "C84486982"


def test_a_reading_whose_check_digits_fail_changes_nothing():
    gray, words = scanned_band(LINES)
    wrong = LINES[1][:3] + "5" + LINES[1][4:]       # one digit of the number misread: its check fails
    # The page misread that digit too (where the page read it right, the two readings together verify).
    garbled = (GARBLED[0], GARBLED[1][:3] + "5" + GARBLED[1][4:])
    page = page_with(words, "\n".join(garbled))
    assert reread_mrz(page, gray, FakeReader("\n".join((LINES[0], wrong))), today=TODAY) is None
    assert page.text == "\n".join(garbled)


def test_two_verified_readings_that_disagree_change_nothing():
    other = make_td3(surname="CONSTANTIN", given_names="FLORIN", document_number="C84486983", nationality="ROU",
                     date_of_birth=dt.date(2000, 2, 29), sex="M", expiry_date=dt.date(2032, 2, 24))
    gray, words = scanned_band(LINES)
    page = page_with(words, "\n".join(GARBLED))
    assert reread_mrz(page, gray, FakeReader("\n".join(LINES), "\n".join(other)), today=TODAY) is None
    assert page.text == "\n".join(GARBLED)


def test_pages_without_an_mrz_like_line_or_with_a_valid_one_cost_nothing():
    reader = FakeReader("\n".join(LINES))
    gray = np.full((200, 800), 255, np.uint8)
    prose = page_with([Word("Sehr", (0, 0, 40, 20), 90.0, 0)], "Sehr geehrte Damen und Herren, a < b")
    assert reread_mrz(prose, gray, reader, today=TODAY) is None
    valid = page_with([Word(LINES[0], (0, 0, 800, 20), 90.0, 0), Word(LINES[1], (0, 30, 800, 50), 90.0, 1)],
                      "\n".join(LINES))
    assert reread_mrz(valid, gray, reader, today=TODAY) is None
    assert reader.calls == 0


@pytest.mark.parametrize("line1, line2", [
    # OCR with the MRZ alphabet drops fillers: line 1's trailing run, and some of line 2's run.
    ("P<ROUCONSTANTIN<<FLORIN<<<<", LINES[1].replace("<" * 15, "<" * 11)),
    ("P<ROUCONSTANTIN<<FLORIN", LINES[1].replace("<" * 15, "<" * 18)),
])
def test_band_text_with_lost_or_added_fillers_verifies(line1, line2):
    result = parse_band_text(f"{line1}\n{line2}\n", TODAY)
    assert result is not None and result.document_number == "C84486982" and result.surname == "CONSTANTIN"


def test_band_text_without_the_composite_digit_is_not_used():
    assert parse_band_text(f"{LINES[0]}\n{LINES[1][:-1]}", TODAY) is None


def test_optional_data_keeps_its_place_when_fillers_are_lost():
    icao = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<10")
    result = parse_td3(*icao, today=dt.date(2010, 1, 1))
    assert result.valid and result.optional_data == "ZE184226B"


def test_a_lone_mrz_like_line_brings_its_partner_into_the_band_past_a_speck():
    gray, words = scanned_band(LINES)
    line1, line2 = words
    # OCR saw line 1 as prose (no fillers) and a speck as a line of its own between the two lines.
    prose = Word("P ROUCONSTANTIN FLORIN", line1.box, 40.0, 0)
    speck = Word(".", (300.0, line1.box[3] + 2, 304.0, line1.box[3] + 6), 20.0, 1)
    line2 = Word(line2.text, line2.box, 60.0, 2)
    page = page_with([prose, speck, line2], "P ROUCONSTANTIN FLORIN\n.\n" + GARBLED[1])
    result = reread_mrz(page, gray, mrz_reader(), today=TODAY)
    assert result is not None and result.document_number == "C84486982"
    assert GARBLED[1] not in page.text and LINES[1] in page.text


def test_a_short_line_1_and_symbols_among_the_names_do_not_hide_a_verified_line_2():
    line1, line2 = make_td3(surname="STANIKZAI", given_names="MARIAM", document_number="X89350469", nationality="AFG",
                            date_of_birth=dt.date(1990, 12, 10), sex="F", expiry_date=dt.date(2025, 2, 26))
    assert parse_band_text(f"P<AFGSTANIKZAI<<MARI\n{line2}", TODAY).document_number == "X89350469"
    (result,) = find_mrz(f"P<AFGSTANIKZAI<&£MARIAM<<<<<<<<<<<<<<<<<<<<<<\n{line2[:-1]}Q", today=TODAY)
    assert result.valid and result.surname == "STANIKZAI" and result.given_names == "MARIAM"


def test_a_line_1_read_as_noise_with_a_tall_box_is_still_brought_into_the_band():
    # Set I (seed 26): line 1 came out as "een" with a box three lines tall; by its top it stood more
    # than three line heights above line 2, by its middle it does not.
    gray, words = scanned_band(LINES)
    line1, line2 = words
    height = line2.box[3] - line2.box[1]
    noise = Word("een", (line1.box[0], line1.box[1] - 2.5 * height, line1.box[2], line1.box[3] + 0.3 * height), 39.0, 0)
    line2 = Word(line2.text, line2.box, 60.0, 1)
    page = page_with([noise, line2], "een\n" + GARBLED[1])
    result = reread_mrz(page, gray, mrz_reader(), today=TODAY)
    assert result is not None and result.document_number == "C84486982"


def test_specks_read_as_letters_beside_a_band_line_are_no_part_of_it():
    # Seed 56 (240 dpi): the band's readings upright, each with a speck after line 2 read as letters;
    # the page's own reading had lost the passport (number, expiry and holder unread).
    first = "P<IRNHOSSEINI<<MEHDI1<<<<<<<<<<<\nC4669025771IRNO112259M2910161<<<<<<<<<<<<<<<8 S"
    second = "P<IRNHOSSEINI<<MEHD<<<<<<\nC4669025771RNO112259M2910161<<<<<<<<<<<<<<<8 OS"
    assert parse_band_text(first, TODAY) is None   # a glyph read twice ("7I" as "71I"): no line of 44
    result = parse_band_text(second, TODAY)
    assert result is not None and result.valid
    assert (result.document_number, result.nationality, result.expiry_date) == ("C46690257", "IRN", dt.date(2029, 10, 16))


def test_the_page_s_own_line_1_votes_even_where_its_line_2_was_past_parsing():
    # Seed 56: the page read line 1 right and line 2 with two glyphs too many (no MRZ parsed); the one
    # verified band reading lost the given name's last letter ("MEHD"). The names the data page prints
    # decide between the two readings of line 1.
    gray, words = scanned_band(LINES)
    too_long = LINES[1][:10] + "1" + LINES[1][10:29] + "l" + LINES[1][29:]
    page = page_with(words, f"Surname / Nom\nCONSTANTIN\nGiven names / Prénoms\nFLORIN\n{LINES[0]}\n{too_long}")
    assert find_mrz(page.text, today=TODAY) == []
    reader = FakeReader(f"P<ROUCONSTANTIN<<FLORIN1<<<<\n{too_long}", f"P<ROUCONSTANTIN<<FLORI<<<<\n{LINES[1]} OS")
    result = reread_mrz(page, gray, reader, today=TODAY)
    assert result is not None and (result.surname, result.given_names) == ("CONSTANTIN", "FLORIN")
    assert "\n".join(LINES) in page.text


# Seed 62 (240 dpi): the page's German OCR read the number's "U" as "1" (its check digit fails); both
# upright band readings read it right but read the birth date's 0 as "O" and lost the composite digit.
JOVANOVIC = make_td3(surname="JOVANOVIC", given_names="JELENA", document_number="U46562596", nationality="SRB",
                     date_of_birth=dt.date(2001, 1, 9), sex="F", expiry_date=dt.date(2031, 3, 10))
JOVANOVIC_PAGE = ("REISEPASS / PASSPORT z :\nType P Code SRB Passport No. U4656259\n‘Surname / Nom\n\nJOVANOVIC 5\n"
                  "‘Given names / Prénoms\n\nJELENA\n\nDATE OF BIRTH 09 JAN 2001\n\n"
                  "P<SRBJOVANOVIC<<JELENA<<<<<<<<<<<<<<<<<<<<<<\n_ 1465625961SRB0101099F3103108<<<<<<<<<<<<<<<0")
JOVANOVIC_BAND = ("P<SRBJOVANOVIC<<JELENA<<<<<<<<<<<<<<<<<<<<<<\nU465625961SRBO101099F3103108<<<<<<<<<<<<<<<",
                  "P<SRBJOVANOVIC<<JELENA<<<<<<<<<<<<<<<<<<<<\nU465625961SRBO101099F3103108<<<<<<<<<<<<<<<")


def test_the_page_s_and_the_band_s_readings_of_line_2_together_verify_where_neither_does():
    assert parse_band_text(JOVANOVIC_BAND[0], TODAY) is None
    assert not any(m.valid for m in find_mrz(JOVANOVIC_PAGE, today=TODAY))
    gray, words = scanned_band(JOVANOVIC, dpi=240)
    page = page_with(words, JOVANOVIC_PAGE, dpi=240)
    result = reread_mrz(page, gray, FakeReader(*JOVANOVIC_BAND), today=TODAY)
    assert result is not None and result.valid
    assert (result.document_number, result.expiry_date, result.surname) == ("U46562596", dt.date(2031, 3, 10),
                                                                             "JOVANOVIC")
    assert "\n".join(JOVANOVIC) in page.text and "_ 1465" not in page.text


def test_readings_of_line_2_whose_combinations_verify_two_ways_change_nothing():
    # Two passports' line 2 differ in the number's last digit, its check digit and the composite; each
    # reading has one's number with the other's composite: neither verifies, and combined both do.
    other = make_td3(surname="CONSTANTIN", given_names="FLORIN", document_number="C84486983", nationality="ROU",
                     date_of_birth=dt.date(2000, 2, 29), sex="M", expiry_date=dt.date(2032, 2, 24))
    assert [k for k, (a, b) in enumerate(zip(LINES[1], other[1])) if a != b] == [8, 9, 43]
    on_page, in_band = LINES[1][:43] + other[1][43], other[1][:43] + LINES[1][43]
    gray, words = scanned_band(LINES)
    page = page_with(words, f"{LINES[0]}\n{on_page}")
    assert reread_mrz(page, gray, FakeReader(f"{LINES[0]}\n{in_band}"), today=TODAY) is None
    assert page.text == f"{LINES[0]}\n{on_page}"
    # Where only one combination verifies, it is read: the band with another digit misread instead.
    misread = LINES[1][:4] + "7" + LINES[1][5:]
    assert reread_mrz(page_with(words, f"{LINES[0]}\n{on_page}"), gray, FakeReader(f"{LINES[0]}\n{misread}"),
                      today=TODAY).document_number == "C84486982"
