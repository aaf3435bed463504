import datetime as dt

import pytest

from dms_datagen.mrz import make_td3
from dms_ingest.classifiers.mrz import check_digit, find_mrz, parse_td3

# ICAO 9303 specimen and the German specimen passport.
ICAO = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
GERMAN = ("P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", "C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4")
TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize("value, digit", [("L898902C3", 6), ("740812", 2), ("120415", 9), ("ZE184226B<<<<<", 1), ("<<<<<<", 0)])
def test_check_digit(value, digit):
    assert check_digit(value) == digit


def test_parse_icao_specimen():
    result = parse_td3(*ICAO, today=TODAY)
    assert result.valid, result.failed_checks
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert result.document_number == "L898902C3"
    assert result.nationality == "UTO"
    assert result.date_of_birth == dt.date(1974, 8, 12)
    assert result.expiry_date == dt.date(2012, 4, 15)
    assert result.sex == "F"
    assert result.optional_data == "ZE184226B"


def test_parse_german_specimen():
    result = parse_td3(*GERMAN, today=TODAY)
    assert result.valid
    assert result.nationality == "D" and result.surname == "MUSTERMANN"
    assert result.date_of_birth == dt.date(1964, 8, 12)


@pytest.mark.parametrize(
    "position, failed",
    [
        (14, "date_of_birth"),      # birth date digit
        (22, "expiry_date"),        # expiry digit
        (3, "document_number"),     # document number digit
        (43, "composite"),          # the composite check digit itself
        (30, "optional_data"),      # optional data digit
    ],
)
def test_one_digit_off_is_invalid(position, failed):
    line2 = list(ICAO[1])
    line2[position] = str((int(line2[position]) + 1) % 10)
    result = parse_td3(ICAO[0], "".join(line2), today=TODAY)
    assert not result.valid
    assert failed in result.failed_checks


def test_ocr_noise_is_tolerated():
    noisy1 = "P < D « MUSTERMANN « ERIKA KKKKK<<<<<<<<<<<<<<<<"
    noisy2 = "C01X00T478D«64O8125F27O2283KKK<<<<<<<<<<<<4"
    (result,) = find_mrz(f"Reisepass\n{noisy1}\n{noisy2}\nSeite 2", today=TODAY)
    assert result.valid
    assert (result.surname, result.given_names) == ("MUSTERMANN", "ERIKA")
    assert result.date_of_birth == dt.date(1964, 8, 12)


def test_real_letter_k_in_names_is_kept():
    l1, l2 = make_td3(surname="KOK", given_names="ERIK", document_number="X1234567", nationality="NLD",
                      date_of_birth=dt.date(1990, 1, 2), sex="M", expiry_date=dt.date(2030, 1, 1))
    result = parse_td3(l1, l2, today=TODAY)
    assert result.valid and result.surname == "KOK" and result.given_names == "ERIK"


def test_both_lines_on_one_ocr_line():
    (result,) = find_mrz(GERMAN[0] + GERMAN[1], today=TODAY)
    assert result.valid


def test_lost_filler_in_optional_data_is_repaired():
    (result,) = find_mrz(GERMAN[0] + "\n" + GERMAN[1].replace("<<<<<<<<<<<<<<<4", "<<<<<<<<<<<<<<4"), today=TODAY)
    assert result.valid


def test_make_td3_round_trip():
    l1, l2 = make_td3(surname="YILMAZ", given_names="MEHMET ALI", document_number="U12345678", nationality="TUR",
                      date_of_birth=dt.date(1987, 4, 3), sex="M", expiry_date=dt.date(2030, 1, 1))
    assert len(l1) == len(l2) == 44
    result = parse_td3(l1, l2, today=TODAY)
    assert result.valid and result.given_names == "MEHMET ALI" and result.date_of_birth == dt.date(1987, 4, 3)


def test_impossible_date_is_invalid_even_with_matching_check_digit():
    line2 = GERMAN[1][:13] + "641332" + str(check_digit("641332")) + GERMAN[1][20:43]
    line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
    result = parse_td3(GERMAN[0], line2, today=TODAY)
    assert not result.valid and "date_of_birth_format" in result.failed_checks


def test_no_mrz_in_ordinary_text():
    assert find_mrz("Sehr geehrte Damen und Herren,\nPASSPORT<<<\nABC") == []


def test_tesseract_style_filler_runs():
    # Tesseract reads '<' runs in non-OCR-B fonts as "ccece"; a 'g' in a digit position is a 9.
    line1 = "P<TURKILIC<<BUESRA<<<<<<<cccccccceccccececcece"
    line2 = "P360226033TUR9910126F3 102178<<<<<<<<<<<<<<<8"
    (result,) = find_mrz(f"{line1}\n{line2}", today=TODAY)
    assert result.valid and (result.surname, result.given_names) == ("KILIC", "BUESRA")
    (garbled,) = find_mrz(f"{line1}\n{line2[:-1]}?", today=TODAY)
    assert not garbled.valid and "composite_unreadable" in garbled.failed_checks
    l1, l2 = make_td3(surname="OZ", given_names="CAN", document_number="U1234567", nationality="TUR",
                      date_of_birth=dt.date(1999, 9, 9), sex="M", expiry_date=dt.date(2031, 2, 17))
    lower = l2[:13] + l2[13:19].replace("9", "g") + l2[19:]
    assert parse_td3(l1, lower, today=TODAY).valid


# `python -m dms_datagen.applications DIR --cases 8 --seed 32 --scenarios complete`, ABH-2023-00637_02_pass:
# the page's OCR (and both readings of the band) read the number's check digit "1" before "IND" twice.
DOUBLED = ("P<INDGUPTA<<VIKRAM<<<ccccccccccececece<<cc<<", "X7610195711IND7304121M2607090<<<<<<<<<<<<<<<Q")


def test_a_glyph_ocr_doubled_is_dropped_where_the_check_digits_then_verify():
    (result,) = find_mrz("\n".join(DOUBLED), today=TODAY)
    assert result.valid, result.failed_checks
    assert (result.document_number, result.nationality, result.date_of_birth, result.expiry_date) == (
        "X76101957", "IND", dt.date(1973, 4, 12), dt.date(2026, 7, 9))
    assert result.lines[1] == "X761019571IND7304121M2607090<<<<<<<<<<<<<<<0"


def test_a_doubled_glyph_is_not_dropped_where_nothing_then_verifies_or_where_two_readings_would():
    # Another digit misread as well (the birth date's "7" as "1"): dropping the double verifies nothing.
    wrong = DOUBLED[1].replace("IND73", "IND13")
    assert not any(r.valid for r in find_mrz(f"{DOUBLED[0]}\n{wrong}", today=TODAY))
    # A line read right is taken as it is, its doubled letters and digits untouched ("C01X00T478D").
    (german,) = find_mrz("\n".join(GERMAN), today=TODAY)
    assert german.valid and german.document_number == "C01X00T47"


def test_a_filler_run_read_as_lower_case_letters_and_a_speck_after_line_2_are_no_part_of_the_mrz():
    # Seed 75's passport (ABH-2015-39467_02_pass.pdf) as the page's OCR read it: line 1's fillers came out
    # as "ccccccccecece" with no '<' beside them, and a speck after line 2's composite digit as ",".
    text = ("DATE OF ISSUE 14 SEP 2022 DATE OF EXPIRY 14 SEP 2032\n\n"
            "P<POLKAMINSKI<<MAGDALENAccccccccecececeecece\n"
            "U958277468P0L7804182F3209147<<<<<<<<<<<<<<<Q,\n\n.\n.")
    (result,) = find_mrz(text, today=TODAY)
    assert result.valid, result.failed_checks
    assert (result.surname, result.given_names) == ("KAMINSKI", "MAGDALENA")
    assert (result.document_number, result.expiry_date) == ("U95827746", dt.date(2032, 9, 14))


def test_a_mark_beside_a_line_2_of_the_right_length_still_leaves_its_place_unreadable():
    line2 = "U958277468P0L7804182F3209147<<<<<<<<<<<<<<<Q"
    (result,) = find_mrz(f"P<POLKAMINSKI<<MAGDALENA<<<<<<<<<<<<<<<<<<<<\n{line2[:-1]},", today=TODAY)
    assert not result.valid and "composite_unreadable" in result.failed_checks
