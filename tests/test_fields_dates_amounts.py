"""Dates and amounts as OCR garbles them on scans (lines from the kept OCR of generated application sets):
read where only one value can be meant, never guessed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dms_ingest.fields import PageText, extract_fields

TODAY = dt.date(2025, 6, 30)
LINES = Path(__file__).parent / "lines"
HEAD = "Techniker Krankenkasse\nDatum: 27.06.2025\nVersicherungsbescheinigung\n" \
       "Versicherte Person: Van Minh Pham, geb. 09.06.1969\n"
# Seed 201: the end date with a speck on the next line; OCR sure of each digit, the word at 53 %.
PERIOD = "Versicherungsschutz vom 24.01.2017 bis 17.04.2026."
PERIOD_WORDS = {"Versicherungsschutz": 93.0, "vom": 97.0, "24.01.2017": 97.0, "bis": 97.0, "17.04.2026.": 53.4}
PERIOD_GLYPHS = [99.6, 99.5, 99.6, 99.5, 99.6, 93.3, 99.6, 99.6, 99.6, 99.6, 99.5]


def fields(doc_type: str, text: str, words: dict[str, float], glyphs: dict[str, list[float]] | None = None):
    page = PageText(1, text, words, 90.0, glyphs=glyphs or {})
    return {f.name: f for f in extract_fields(doc_type, [page], min_confidence=0.7, today=TODAY)}


def test_a_full_date_whose_digits_ocr_was_sure_of_is_read_despite_its_words_doubt():
    found = fields("krankenversicherung", HEAD + PERIOD, PERIOD_WORDS, {"17.04.2026.": PERIOD_GLYPHS})
    assert (found["valid_to"].value, found["valid_to"].confidence) == ("2026-04-17", 0.995)
    # Without the characters' confidences (an index row, older kept pages) the word's doubt stands.
    assert fields("krankenversicherung", HEAD + PERIOD, PERIOD_WORDS)["valid_to"].value is None


def test_a_doubtful_digit_or_a_date_not_written_in_full_keeps_the_words_doubt():
    doubtful = [99.6, 99.5, 99.6, 99.5, 99.6, 93.3, 99.6, 99.6, 94.0, 99.6, 99.5]   # the year's first 2
    assert fields("krankenversicherung", HEAD + PERIOD, PERIOD_WORDS, {"17.04.2026.": doubtful})["valid_to"].value is None
    # "7.04.2026": a digit OCR took for a space before it would make another date.
    short = PERIOD.replace("17.04.2026.", "7.04.2026.")
    words = {**PERIOD_WORDS, "7.04.2026.": 53.4}
    assert fields("krankenversicherung", HEAD + short, words, {"7.04.2026.": PERIOD_GLYPHS[1:]})["valid_to"].value is None


def test_ocr_gives_each_digit_its_own_confidence_beside_the_words():
    # Seed 62, a real scan: a speck after "09.09.2025." costs the word, not its digits.
    import cv2

    from dms_ingest.ingest.ocr import recognizer

    gray = cv2.imread(str(LINES / "speck_after_date.png"), cv2.IMREAD_GRAYSCALE)
    words = {w.text: w for w in recognizer("deu").recognize(gray, 300.0).words}
    date = words["09.09.2025."]
    assert date.confidence < 80 and len(date.glyphs) == len(date.text)
    assert min(g for g, ch in zip(date.glyphs, date.text) if ch.isdigit()) >= 98
    assert words["bis"].glyphs is None      # only words with digits carry them


def test_a_quote_glued_to_a_date_or_its_place_is_a_speck():
    assert fields("krankenversicherung", HEAD + "Versicherungsschutz vom'09.09.2019 bis 08.10.2026",
                  {})["valid_from"].value == "2019-09-09"
    # Seed 201: the registration certificate's place and date line.
    text = "Stadt Bonn - Bürgeramt\nMeldebescheinigung\nAnschrift: Rosenweg 16b, 53111 Bonn\n“Bonn, 23.04.2025"
    assert fields("meldebescheinigung", text, {})["issue_date"].value == "2025-04-23"


def test_a_dot_read_as_a_degree_sign_and_a_day_split_in_two():
    assert fields("krankenversicherung", HEAD + "Versicherungsschutz vom 01.02.2020 bis 03°11.2026",
                  {})["valid_to"].value == "2026-11-03"
    # Seed 62: both halves of the day sure (96 %); a day of one digit does not stand before a month of two.
    text = "Arbeitsvertrag\nDas Arbeitsverhältnis beginnt am 1 1.03.2020."
    assert fields("arbeitsvertrag", text, {})["start_date"].value == "2020-03-11"


def test_an_umlaut_read_as_i_in_a_label():
    # Seed 201: "Prüfung" read "Prifung"; the exam date stood unread.
    text = "Deutsch-Test für Zuwanderer\nhat die Prifung am 08.03.2025 mit folgendem Ergebnis bestanden:"
    assert fields("sprachzertifikat", text, {})["date"].value == "2025-03-08"


def test_thousands_apart_by_a_space_and_a_dash_glued_to_the_pay_label():
    # Seed 200: the contract's salary ("6" at 78 %, "124,62" at 97 %) and the payslip's gross pay.
    salary = fields("arbeitsvertrag", "Arbeitsvertrag\nDas Bruttomonatsgehalt beträgt 6 124,62 €.",
                    {"Das": 96, "Bruttomonatsgehalt": 93, "beträgt": 96, "6": 78, "124,62": 97})["salary"]
    assert (salary.value, salary.confidence) == ("6124.62", 0.78)
    gross = fields("gehaltsnachweis", "Entgeltabrechnung Mai 2025\nGesamtbrutto-4.468,79 €\nNettoentgelt 3.028,46 €", {})
    assert gross["gross_pay"].value == "4468.79"
    # Two digits after the space are no thousands: two numbers, neither the salary.
    assert fields("arbeitsvertrag", "Das Bruttomonatsgehalt beträgt 6 12,62 €.", {})["salary"].value is None


def test_a_speck_read_as_an_umlaut_in_the_gross_pay_label():
    # Seed 73: "Gesämtbrutto"; the gross pay stood unread.
    text = "Abrechnung der Brutto/Netto-Bezüge März 2025\nGesämtbrutto 3.792,01 €\nNettoentgelt 2.519,57 €"
    assert fields("gehaltsnachweis", text, {})["gross_pay"].value == "3792.01"


def test_the_decimal_comma_read_as_colon_or_semicolon():
    # Seed 231: the tenancy's total rent and a contract's salary stood unread.
    text = "Mietvertrag\nVermietet wird die Wohnung im Hause Waldstraße 67, 10115 Berlin,\n$ 3 Miete\n" \
           "Nettokaltmiete 828,00 €\nGesamtmiete 930:00 € 2"
    assert fields("mietvertrag", text, {})["rent"].value == "930.00"
    assert fields("arbeitsvertrag", "Das Bruttomonatsgehalt beträgt 3.594;50 €.", {})["salary"].value == "3594.50"
    # A time is no amount.
    assert fields("arbeitsvertrag", "Das Gehalt wird ab 12:30 Uhr ausgezahlt.", {})["salary"].value is None


def test_the_place_and_date_line_with_a_mark_before_the_place_or_a_semicolon_for_its_comma():
    # Seed 231: two registration certificates' issue dates stood unread.
    head = "Meldebescheinigung\nAnschrift: Waldstraße 67, 10115 Berlin\nArt der Wohnung: alleinige Wohnung\n"
    assert fields("meldebescheinigung", head + "«Berlin, 13.06.2025", {})["issue_date"].value == "2025-06-13"
    assert fields("meldebescheinigung", head + "Frankfurt am Main; 10.05.2025", {})["issue_date"].value == "2025-05-10"


def test_an_amount_counts_its_digits_and_the_doubt_before_its_first_word():
    # Seed 75: a speck read as a quote after the thousands dot; OCR doubted "‚535,47" (53 %) for it.
    text = "Arbeitsvertrag\nDas Bruttomonatsgehalt beträgt 5. ‚535,47 €."
    words = {"Das": 96, "Bruttomonatsgehalt": 93, "beträgt": 96, "5.": 86, "‚535,47": 53}
    sure = {"5.": [99.5, 99.0], "‚535,47": [80.0, 99.5, 99.6, 99.5, 99.5, 99.6, 99.5]}
    salary = fields("arbeitsvertrag", text, words, sure)["salary"]
    assert (salary.value, salary.confidence) == ("5535.47", 0.86)
    assert fields("arbeitsvertrag", text, words)["salary"].value is None           # the words' doubt alone
    # OCR unsure of the space before the amount's first word: a digit may have been lost there.
    assert fields("arbeitsvertrag", text, {**words, "5.": 60}, sure)["salary"].value is None


def test_labels_with_a_quote_between_their_words_or_f_for_t():
    # Seed 75: "beginnt‘am"; "Netfoentgelt" (and seed 72's "Gesamtbrutfo").
    text = "Mietvertrag\nDas Mietverhaltnis beginnt‘am 22.08.2020.\nGesamtmiete 511,00 €"
    assert fields("mietvertrag", text, {})["start_date"].value == "2020-08-22"
    slip = fields("gehaltsnachweis", "Verdienstabrechnung März 2025\nGesamtbrutfo 3.214,42 €\nNetfoentgelt 2.298,89 €", {})
    assert (slip["gross_pay"].value, slip["net_pay"].value) == ("3214.42", "2298.89")



def test_a_comma_for_a_dates_second_dot_and_a_degree_sign_after_its_label():
    # Seed 78: the exam date and the decision's date stood unread.
    exam = "Goethe-Institut Prüfungszentrum\nhat die Prüfung am 31.05,2021 mit folgendem Ergebnis bestanden:"
    assert fields("sprachzertifikat", exam, {})["date"].value == "2021-05-31"
    decision = "Stadt Bonn - Ausländerbehörde\nDatum:°26.10.2024 — @\nBescheid uber die Erteilung einer Beschaftigungserlaubnis"
    assert fields("bescheid", decision, {})["date"].value == "2024-10-26"
    assert fields("sprachzertifikat", "hat die Prüfung am 31,05,2021 bestanden", {})["date"].value is None   # no dot


def test_the_article_before_the_start_date_as_ocr_garbles_it():
    # Seed 235: "dem" read "dei"; the start stood unread and the certificate went to review.
    line = "Versicherungsschutz besteht seit dei 26.05.2020 ohne zeitliche Begrenzung."
    assert fields("krankenversicherung", HEAD + line, {})["valid_from"].value == "2020-05-26"
    # A word that is no article keeps the label from the date.
    assert fields("krankenversicherung", HEAD + "Versicherungsschutz besteht seit damals 26.05.2020", {})["valid_from"].value is None
