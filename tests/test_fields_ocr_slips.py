"""Field readings OCR slipped on in the application evaluation scans: glued dots, a colon for a dot,
lost umlauts in a decision's subject, a lost bracket after an employer - read right, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from dms_ingest.fields import PageText, extract_fields
from dms_ingest.fields.lexicon import restore_umlauts
from dms_ingest.fields.values import parse_amount, parse_date

TODAY = dt.date(2025, 6, 30)


def read(doc_type: str, text: str, confidences: dict[str, float] | None = None) -> dict:
    page = PageText(1, text, confidences or {}, 90.0 if confidences else None)
    return {f.name: f for f in extract_fields(doc_type, [page], min_confidence=0.7, today=TODAY)}


@pytest.mark.parametrize("text, value", [
    ("Das Mietverhältnis beginnt am 15.12:2020.", dt.date(2020, 12, 15)),   # ':' for the second dot
    ("Folake Okafor, geboren am.09.08.1979", dt.date(1979, 8, 9)),          # the dot glued to the word
    ("Termin 15:12:2020", None),                                            # two colons: no date
    ("Rechnung Nr. 4711.12.2020", None),                                    # inside a number
])
def test_dates_as_ocr_writes_them(text, value):
    assert parse_date(text) == value


@pytest.mark.parametrize("text, value", [
    ("Das Bruttomonatsgehalt beträgt.3.577,67 €.", "3577.67"),
    ("Nettobezüge.2.046,48 €", "2046.48"),
    ("Kontonummer 12.345.678,00", "12345678.00"),
    ("Position 1.2,50", None),                                              # a digit before the dot: no amount start
])
def test_amounts_after_a_glued_dot(text, value):
    amount = parse_amount(text)
    assert (f"{amount:.2f}" if amount is not None else None) == value


def test_tenancy_start_and_contract_salary_with_ocr_slips():
    tenancy = read("mietvertrag", "Mietvertrag über Wohnraum\n§ 2 Mietzeit\nDas Mietverhältnis beginnt am 15.12:2020. ~\n"
                                  "Gesamtmiete 834,00 €")
    assert tenancy["start_date"].value == "2020-12-15"
    contract = read("arbeitsvertrag", "Arbeitsvertrag\nzwischen der Bäckerei Sonnenschein beitgeber)\n"
                                      "Das Arbeitsverhältnis beginnt am 08.12.2021.\n"
                                      "Das Bruttomonatsgehalt beträgt.3.577,67 €. ©")
    assert contract["employer"].value == "Bäckerei Sonnenschein"
    assert contract["salary"].value == "3577.67"


def test_decision_subject_gets_its_umlauts_back_and_known_words_outweigh_ocr_doubt():
    text = ("Stadt Essen – Ausländerbehörde\nGeschäftszeichen: ABH-2016-85752\nDatum: 22.05.2023\n"
            "Bescheid über die Erteilung einer Beschaftigungserlaubnis\nSehr geehrter Herr Yıldız,")
    confidences = {"Bescheid": 45.0, "über": 40.0, "die": 60.0, "Erteilung": 50.0, "einer": 55.0,
                   "Beschaftigungserlaubnis": 48.0, "22.05.2023": 95.0}
    subject = read("bescheid", text, confidences)["subject"]
    assert subject.read and subject.value == "Bescheid über die Erteilung einer Beschäftigungserlaubnis"


def test_an_unknown_word_in_a_subject_keeps_ocr_doubt():
    text = "Bescheid über die Erteilung einer Xqzrtlmbn\nSehr geehrte Frau Roth,"
    confidences = {"Bescheid": 95.0, "über": 95.0, "die": 95.0, "Erteilung": 95.0, "einer": 95.0, "Xqzrtlmbn": 30.0}
    subject = read("bescheid", text, confidences)["subject"]
    assert not subject.read and subject.value is None


@pytest.mark.parametrize("text, restored", [
    ("Bescheid uber die Verlangerung Ihrer Aufenthaltserlaubnis", "Bescheid über die Verlängerung Ihrer Aufenthaltserlaubnis"),
    ("Anderung einer Nebenbestimmung", "Änderung einer Nebenbestimmung"),
    ("Druck und Ruckfrage", "Druck und Ruckfrage"),                  # no office word: left alone
    ("Gebühr für Änderungen", "Gebühr für Änderungen"),
    # Seed 57 (88 %, above the bar): a speck over the 'u' of a known word read as its umlaut.
    ("Bescheid über die Änderung einer Nebenbestimmüng", "Bescheid über die Änderung einer Nebenbestimmung"),
    ("Herr Müller und Frau Jürgens", "Herr Müller und Frau Jürgens"),   # no office word: the umlauts stay
])
def test_restore_umlauts_only_for_office_words(text, restored):
    assert restore_umlauts(text) == restored


def test_a_words_own_reading_counts_not_a_worse_one_elsewhere_on_the_page():
    from dms_ingest.ingest.document import Page, Word

    lines = ["Kita Regenbogen e.V.", "Verdienstabrechnung Mai 2025", "Gesamtbrutto 3.100,00 €", "Fußzeile Regenbogen"]
    confidences = [[97, 96, 88], [91, 97, 97], [95, 96, 90], [90, 5]]
    words = [Word(token, (0, 0, 1, 1), float(c), n)
             for n, (line, cs) in enumerate(zip(lines, confidences)) for token, c in zip(line.split(), cs)]
    page = PageText.from_page(Page(number=1, words=words, text="\n".join(lines), ocr_confidence=80.0))
    fields = {f.name: f for f in extract_fields("gehaltsnachweis", [page], min_confidence=0.7, today=TODAY)}
    assert fields["employer"].value == "Kita Regenbogen e.V." and fields["employer"].read
    # Without the reading's place, the least sure reading of the word anywhere on the page counts.
    assert page.confidence_of("Kita Regenbogen e.V.") == 0.05


def test_insured_persons_leading_l_is_an_i():
    fields = read("krankenversicherung", "AOK Rheinland\nVersicherte Person: Florin lonescu, geb. 18.10.1967\n"
                                         "Versicherungsschutz besteht seit dem 01.01.2019.")
    assert fields["insured_person"].value == "Florin Ionescu"
    particles = read("krankenversicherung", "AOK Rheinland\nVersicherte Person: Maria de los Santos, geb. 18.10.1967")
    assert particles["insured_person"].value == "Maria de los Santos"


def test_mrz_lines_with_a_speck_line_between_them_are_found():
    text = ("REISEPASS / PASSPORT\nP<TUROEZTUERK<<SEYMA<<<<<<cccccccccccceecccc\n.\n"
            "P491403833TUR9404081F3202 115<<<<<<<<<<<<<<<0")
    fields = read("pass", text)
    assert fields["document_number"].value == "P49140383" and fields["expiry_date"].value == "2032-02-11"


def test_payslip_month_with_ii_for_u_and_a_speck_before_the_period():
    fields = read("gehaltsnachweis", "Rhein Reinigungsservice GmbH\nAbrechnung der Brutto/Netto-Beziige April 2025 .\n"
                                     "Abrechnungszeitraum:°01.04.2025 - 30.04.2025\nGesamtbrutto 3.834,08 €")
    assert fields["period"].value == "2025-04"


def test_registration_with_b_for_sz_and_a_speck_before_place_and_date():
    fields = read("meldebescheinigung", "Meldebescheinigung\nAnschrift: BlumenstraBe 21b, 86150 Augsburg\n"
                                        "Einzugsdatum: 07.01.2018\n_ Augsburg, 18.05.2025")
    assert fields["address"].value == "Blumenstraße 21b, 86150 Augsburg"
    assert fields["issue_date"].value == "2025-05-18"


def test_a_speck_before_the_letterhead_is_not_part_of_the_employer():
    fields = read("gehaltsnachweis", "+ Softwarehaus Nordlicht GmbH\nEntgeltabrechnung für Mai 2025\nGesamtbrutto 3.100,00 €")
    assert fields["employer"].value == "Softwarehaus Nordlicht GmbH"


def test_net_pay_with_its_umlaut_read_as_ii_and_a_place_date_after_a_speck():
    # Real OCR lines of set E (seed 23): "Nettobezüge" as "Nettobeziige", a speck read as "‘" before the date.
    payslip = read("gehaltsnachweis", "Friseursalon Haarmonie\nEntgeltabrechnung für Marz-2025\n"
                                      "Abrechnungszeitraum: 01.03.2025 - 31.03.2025 x\nGesamtbrutto 2.507,35 €\n"
                                      "Nettobeziige 1.666,56 €\nAuszahlungsbetrag 1.666,56 €")
    assert payslip["net_pay"].value == "1666.56" and payslip["period"].value == "2025-03"
    registration = read("meldebescheinigung", "Stadt Nürnberg - Bürgeramt\nMeldebescheinigung _—\n"
                                              "Anschrift: Dorfstraße 124, 90403 Nürnberg\nEinzugsdatum: 31.03.2024\n"
                                              "Art der Wohnung: alleinige Wohnung :\nNurnberg, ‘25.06.2025")
    assert registration["issue_date"].value == "2025-06-25"


def test_readings_from_set_f_ocr():
    # Real OCR text of set F (seed 25). A speck and the case stamp above the letterhead; the employer
    # named in the contract's first clause when the title came out as noise; "lon" for "Ion"; "äm".
    payslip = read("gehaltsnachweis", ".\n.\n.\n: Aktenzeichen: ABH-2014-13067\nSupermarkt Frischeparadies OHG\n"
                                      "Bahnhofstraße 48 - 52062 Aachen\nAbrechnung der Brutto/Netto-Bezüge Mai 2025")
    assert payslip["employer"].value == "Supermarkt Frischeparadies OHG"
    contract = read("arbeitsvertrag", ": Aktenzefchen: ABH-2022-81918\nPORES EE SE\n"
                                      "zwischen der Seniorenresidenz Abendrot (Arbeitgeber) :\n"
                                      "Das Arbeitsverhältnis beginnt am 16.10.2015.")
    assert contract["employer"].value == "Seniorenresidenz Abendrot"
    # The name's words are sure, the speck and the bracket OCR was unsure of do not count against it.
    confidences = {"‘der": 10.0, "Lagerhaus": 95.0, "Süd": 93.0, "AG": 96.0, "(Arbeitgeber)": 9.0}
    contract = read("arbeitsvertrag", "Arbeitsvertrag\nzwischen ‘der Lagerhaus Süd AG (Arbeitgeber)\n", confidences)
    assert contract["employer"].read and contract["employer"].value == "Lagerhaus Süd AG"
    insurance = read("krankenversicherung", ".KKH Kaufmännische Krankenkasse\nVersicherte Person: lon Florin Stan, "
                                            "geb. 21.07.1989\nVersicherungsschutz vom 01.01.2020 bis 31.12.2026.")
    assert insurance["insurer"].value == "KKH Kaufmännische Krankenkasse"
    assert insurance["insured_person"].value == "Ion Florin Stan"
    language = read("sprachzertifikat", "Goethe-Zertifikat Bl\nDeepika Patel, geboren am 25. 11.1992\n"
                                        "hat die Prüfung äm 09.02.2019 mit folgendem N bestanden:\nGesamtergebnis: Bl erreicht")
    assert language["date"].value == "2019-02-09" and language["level"].value == "B1"


def test_a_legal_form_read_exactly_does_not_carry_ocr_doubt_the_name_does():
    text = "Pflegedienst Lebensfreude gGmbH\nEntgeltabrechnung für April 2025"
    sure_name = {"Pflegedienst": 96.0, "Lebensfreude": 96.0, "gGmbH": 64.0}
    assert read("gehaltsnachweis", text, sure_name)["employer"].value == "Pflegedienst Lebensfreude gGmbH"
    unsure_name = {"Pflegedienst": 96.0, "Lebensfreude": 64.0, "gGmbH": 96.0}
    assert read("gehaltsnachweis", text, unsure_name)["employer"].value is None


@pytest.mark.parametrize("text, value", [
    ("Versicherungsschutz besteht seit dem 01,01.2019 ohne", dt.date(2019, 1, 1)),   # ',' for the first dot
    ("Verhältnis 12,30:2019", None),                                                  # no dot at all: no date
])
def test_a_comma_for_a_dates_first_dot(text, value):
    assert parse_date(text) == value


def test_readings_from_set_a_ocr():
    # Real OCR lines of set A (seed 14): "brutto" as "hrutto"/"brütto", a quote between street and
    # number, a speck after an insurer read as a digit, a trade word without its umlaut dots.
    for label in ("Gesamthrutto", "- Gesamtbrütto"):
        payslip = read("gehaltsnachweis", f"IT-Solutions Weber GmbH\nBezügemitteilung 04/2025\n{label} 3.020,27 €\n")
        assert payslip["gross_pay"].value == "3020.27"
    registration = read("meldebescheinigung", "Stadt Hamburg - Bürgeramt\nMeldebescheinigung\n"
                                              "- Anschrift: Ringstraße’70, 20095 Hamburg\nHamburg, 02.06.2025")
    assert registration["address"].value == "Ringstraße 70, 20095 Hamburg"
    insurance = read("krankenversicherung", "Techniker Krankenkasse 5\nVersicherte Person: Ali Kaya, geb. 01.01.1990")
    assert insurance["insurer"].value == "Techniker Krankenkasse"
    payslip = read("gehaltsnachweis", "..\nAktenzeichen: ABH-2018-88920\n.\nBackerei Sonnenschein : :\n"
                                      "Parkallee 86 - 60311 Frankfurt am Main\nEntgeltabrechnung für Mai 2025")
    assert payslip["employer"].value == "Bäckerei Sonnenschein"
    assert read("gehaltsnachweis", ". Lagerhaus Sud AG\nBezügemitteilung 05/2025")["employer"].value == "Lagerhaus Süd AG"


def test_net_pay_after_a_speck_read_as_a_quote():
    # Set A (seed 14): "Nettoentgelt‘3. 266,37".
    payslip = read("gehaltsnachweis", "Gasthaus Zur Linde\nBezügemitteilung 05/2025\nNettoentgelt‘3. 266,37\n")
    assert payslip["net_pay"].value == "3266.37"


@pytest.mark.parametrize("doc_type, text, confidences, address", [
    # Seed 56, each town read surely (91-95 %) without its umlaut, or 'ü' as "ii".
    ("mietvertrag", "§ 1 Mietsache :\n\nVermietet wird die Wohnung im Hause Kastanienallee 104b, 80331 Munchen,\n"
     "bestehend aus 3 Zimmern, Küche und Bad.", {"Hause": 93, "Kastanienallee": 91, "104b,": 93, "Munchen,": 95},
     "Kastanienallee 104b, 80331 München"),
    ("mietvertrag", "§ 1 Mietsache ;\nVermietet wird die Wohnung im Hause Rosenweg 74b, 48143 Miinster,\n"
     "bestehend aus 4 Zimmern, Kiiche und Bad.", {"Hause": 93, "Rosenweg": 92, "74b,": 91, "Miinster,": 92},
     "Rosenweg 74b, 48143 Münster"),
    ("meldebescheinigung", "Meldebescheinigung\nAnschrift: Rosenweg 17, 90403 Nurnberg\nEinzugsdatum: 12.06.2019",
     {"Anschrift:": 91, "Rosenweg": 91, "17,": 97, "Nurnberg": 93}, "Rosenweg 17, 90403 Nürnberg"),
    # The sentence's full stop after the town (82 %) is no part of it.
    ("meldebescheinigung", "Meldebescheinigung\nAnschrift: Friedrichstraße 176, 65183 Wiesbaden. :\n"
     "Einzugsdatum: 10.03.2021", {"Anschrift:": 96, "Friedrichstraße": 95, "176,": 96, "Wiesbaden.": 83},
     "Friedrichstraße 176, 65183 Wiesbaden"),
])
def test_an_addresss_town_as_it_is_spelt(doc_type, text, confidences, address):
    assert read(doc_type, text, confidences)["address"].value == address


def test_slips_of_seeds_57_and_58_between_label_and_value():
    # A colon read as ';' after the label; a speck read as a dot or dash between the label's words.
    assert read("bescheid", "Geschäftszeichen: ABH-2020-52192\n\nDatum; 23.03.2024 ;\n\nBescheid über die Änderung",
                {"Datum;": 95, "23.03.2024": 96})["date"].value == "2024-03-23"
    assert read("mietvertrag", "$ 2 Mietzeit :\nDas Mietverhältnis beginnt.am 29. 12. 2018.\n§ 3 Miete",
                {"beginnt.am": 93, "29.": 92, "12.": 93, "2018.": 94})["start_date"].value == "2018-12-29"
    assert read("mietvertrag", "$ 2 Mietzeit\nDas Mietverhältnis beginnt-am 27.12.2021.\n$ 3 Miete",
                {"beginnt-am": 93, "27.12.2021.": 95})["start_date"].value == "2021-12-27"
    # The 'm' of "am" read as "fn".
    assert read("sprachzertifikat", "Goethe-Zertifikat C1\nhat die Prüfung afn 09.06.2025 mit folgendem Ergebnis "
                "bestanden:\nGesamtergebnis: C1 erreicht °", {"afn": 80, "09.06.2025": 96})["date"].value == "2025-06-09"


def test_a_payslips_period_and_gross_pay_as_ocr_misread_their_labels():
    # Seed 57: the period's label read at 21 % with a ';' (its dates at 97 %); "Gesamtbratto" at 82 %.
    text = ("Friseursalon Haarmonie\nBezügemitteikung 05/2025 u\n\n_ Abrechnungszeitraum; 01.05.2025 - 31.05.2025 :\n"
            "Gesamtbratto 2.956,78 € :\nNettobezüge 2.036,74 €")
    confidences = {"Friseursalon": 93, "Haarmonie": 92, "Bezügemitteikung": 71, "05/2025": 97, "u": 7,
                   "Abrechnungszeitraum;": 21, "01.05.2025": 97, "31.05.2025": 97, "Gesamtbratto": 82, "2.956,78": 97,
                   "Nettobezüge": 92, "2.036,74": 96}
    fields = read("gehaltsnachweis", text, confidences)
    assert (fields["period"].value, fields["gross_pay"].value) == ("2025-05", "2956.78")
    # The span's dates count: read at 50 %, the month stays unread.
    assert not read("gehaltsnachweis", text, confidences | {"01.05.2025": 50})["period"].read


def test_a_postcode_ocr_put_a_space_into():
    text = "$ 1 Mietsache\n\nVermietet wird die Wohnung im Hause Weserstraße 54, 451 27 Essen,\nbestehend aus 2 Zimmern"
    assert read("mietvertrag", text)["address"].value == "Weserstraße 54, 45127 Essen"


def test_slips_of_seed_44_in_a_subject_an_employer_and_a_street():
    assert restore_umlauts("Bescheid iiber die Anderung einer Nebenbestimmung") == \
        "Bescheid über die Änderung einer Nebenbestimmung"
    contract = "Arbeitsvertrag\nzwischen der Paketdienst.Schnell GmbH (Arbeitgeber) :\nund Frau Ana Lima"
    assert read("arbeitsvertrag", contract)["employer"].value == "Paketdienst Schnell GmbH"
    assert read("arbeitsvertrag", "zwischen der Metallbau Krüger GmbH & Co.KG (Arbeitgeber)")["employer"].value == \
        "Metallbau Krüger GmbH & Co.KG"
    tenancy = "§ 1 Mietsache\nVermietet wird die Wohnung im Hause Muhlenweg 158a, 28195 Bremen, bestehend aus 4 Zimmern"
    assert read("mietvertrag", tenancy)["address"].value == "Mühlenweg 158a, 28195 Bremen"


def test_a_dot_before_the_legal_form_and_an_i_for_a_towns_u():
    # Seed 71: "Klinikum am Stadtpark.gGmbH"; seed 72: "48143 Minster" (the registration's address).
    contract = read("arbeitsvertrag", "Arbeitsvertrag\nzwischen der Klinikum am Stadtpark.gGmbH (Arbeitgeber)")
    assert contract["employer"].value == "Klinikum am Stadtpark gGmbH"
    text = "Meldebescheinigung\nAnschrift: Lindenstraße 99a, 48143 Minster’ . -\nEinzugsdatum: 28.05.2017"
    assert read("meldebescheinigung", text)["address"].value == "Lindenstraße 99a, 48143 Münster"
    text = "Meldebescheinigung\nAnschrift: Lindenstraße 9, 24103 Kiel\nEinzugsdatum: 28.05.2017"
    assert read("meldebescheinigung", text)["address"].value == "Lindenstraße 9, 24103 Kiel"
