"""Field extraction per document type: values, sources, confidence and the 'unread' bar."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from .paths import SAMPLES
from dms_datagen.mrz import make_td3
from dms_ingest.fields import PageText, extract_fields
from dms_ingest.fields.values import add_months, parse_amount, previous_months

TODAY = dt.date(2025, 6, 30)
PURPOSES = {"verlaengerung": ["Verlängerung der Aufenthaltserlaubnis"], "niederlassungserlaubnis": ["Niederlassungserlaubnis"]}


def sample(doc_type: str) -> list[PageText]:
    entry = next(e for e in json.loads((SAMPLES / "expected.json").read_text()) if e["doc_type"] == doc_type)
    return [PageText(p["page"], p["text"]) for p in entry["per_page"]]


def read(doc_type: str, pages, bar: float = 0.7) -> dict:
    return {f.name: f for f in extract_fields(doc_type, pages, min_confidence=bar, today=TODAY, purposes=PURPOSES)}


class Values(dict):
    """Field values; `>=` asks whether the expected ones are among them."""

    def __ge__(self, expected: dict) -> bool:
        return all(self.get(k) == v for k, v in expected.items())


def values(fields: dict) -> Values:
    return Values({name: f.value for name, f in fields.items()})


def test_passport_fields_come_from_the_mrz_with_check_digits():
    fields = read("pass", sample("pass"))
    assert values(fields) >= {"document_number": "CL7315924", "nationality": "COL", "expiry_date": "2031-05-16"}
    assert fields["expiry_date"].page == 1 and "CL73159246COL" in fields["expiry_date"].text
    assert fields["document_number"].confidence >= 0.95


def test_passport_field_with_a_failed_check_digit_is_unread():
    line1, line2 = make_td3(surname="KAYA", given_names="EMRE", document_number="U12345678", nationality="TUR",
                            date_of_birth=dt.date(1990, 5, 5), sex="M", expiry_date=dt.date(2030, 1, 31))
    broken = line2[:21] + ("1" if line2[21] != "1" else "2") + line2[22:]   # one digit of the expiry changed
    fields = read("pass", [PageText(1, f"REISEPASS\n{line1}\n{broken}")])
    assert fields["expiry_date"].status == "unread" and fields["expiry_date"].value is None
    good = read("pass", [PageText(1, f"REISEPASS\n{line1}\n{line2}")])
    assert good["expiry_date"].value == "2030-01-31" and good["nationality"].value == "TUR"


def test_passport_without_mrz_leaves_its_fields_unread():
    fields = read("pass", [PageText(1, "PASSPORT\nSurname KAYA\nDate of expiry 31.01.2030")])
    assert {f.status for f in fields.values()} == {"unread"}


def test_payslip_sample():
    fields = read("gehaltsnachweis", sample("gehaltsnachweis"))
    assert values(fields) == {"period": "2025-02", "employer": "Brinkmann Haustechnik GmbH", "gross_pay": "3364.40",
                              "net_pay": "2280.43"}
    # Jahressummen ("Januar – Februar 6.728,80 €") are not the month of the payslip.
    assert fields["period"].text == "Entgeltabrechnung für Februar 2025"


@pytest.mark.parametrize("line, month", [
    ("Bezügemitteilung 05/2025", "2025-05"),
    ("Abrechnungsmonat: März 2025", "2025-03"),
    ("Abrechnungszeitraum 01.04.2025 - 30.04.2025", "2025-04"),
    ("Entgeltabrechnung Dezember 2024", "2024-12"),
])
def test_payslip_period_notations(line, month):
    assert read("gehaltsnachweis", [PageText(1, f"Muster GmbH\n{line}\nNettoentgelt 1.234,56")])["period"].value == month


def test_payslip_with_two_different_months_is_unread():
    pages = [PageText(1, "Muster GmbH\nEntgeltabrechnung März 2025\nAbrechnungsmonat: 04/2025")]
    assert read("gehaltsnachweis", pages)["period"].status == "unread"


def test_tenancy_sample_reads_the_flat_not_the_landlord():
    fields = read("mietvertrag", sample("mietvertrag"))
    assert values(fields) >= {"start_date": "2025-03-01", "rent": "850.00", "cold_rent": "620.00",
                              "address": "Gartenstraße 14, 21904 Elbhausen"}


def test_health_insurance_sample_is_open_ended():
    fields = read("krankenversicherung", sample("krankenversicherung"))
    assert values(fields) >= {"insurer": "Elbtal Krankenkasse", "insured_person": "Priya Sharma",
                              "valid_from": "2025-04-01", "valid_to": "open"}


def test_health_insurance_with_an_end_date():
    text = "AOK Nordwest\nVersicherungsnachweis\nVersicherte Person: Emre Kaya, geb. 05.05.1990\n" \
           "Versicherungsschutz vom 01.01.2025 bis 31.12.2025"
    assert values(read("krankenversicherung", [PageText(1, text)])) >= {
        "insurer": "AOK Nordwest", "insured_person": "Emre Kaya", "valid_from": "2025-01-01", "valid_to": "2025-12-31"}


def test_language_certificate_sample():
    assert values(read("sprachzertifikat", sample("sprachzertifikat"))) == {"level": "B1", "date": "2024-11-18"}


def test_registration_certificate_behind_a_cover_letter():
    fields = read("meldebescheinigung", sample("meldebescheinigung"))
    assert values(fields) >= {"issue_date": "2025-03-05", "address": "Gartenstraße 14, 21904 Elbhausen",
                              "moved_in": "2025-03-01"}
    assert fields["issue_date"].page == 2


def test_decision_letter_sample():
    assert values(read("bescheid", sample("bescheid"))) == {
        "date": "2025-03-10",
        "subject": "Bescheid über die Änderung einer Nebenbestimmung zu Ihrer Aufenthaltserlaubnis"}


def test_employment_contract_sample():
    assert values(read("arbeitsvertrag", sample("arbeitsvertrag"))) == {
        "start_date": "2025-04-01", "salary": "4850.00", "employer": "Kranich Digital GmbH"}


def test_low_ocr_confidence_makes_a_field_unread_and_keeps_the_reading_as_source():
    page = PageText(1, "Muster GmbH\nEntgeltabrechnung für März 2025", {"März": 41.0, "2025": 93.0}, 80.0)
    field = read("gehaltsnachweis", [page])["period"]
    assert field.status == "unread" and field.value is None and "2025-03 ?" in field.text
    sure = PageText(1, page.text, {"März": 91.0, "2025": 93.0}, 80.0)
    assert read("gehaltsnachweis", [sure])["period"].value == "2025-03"


def test_ticked_purpose_on_an_application_form():
    form = "Beantragter Aufenthaltstitel\n[ ] Erteilung einer Aufenthaltserlaubnis\n" \
           "[x] Verlängerung der Aufenthaltserlaubnis\n[ ] Niederlassungserlaubnis (§ 9 AufenthG)"
    assert read("antrag", [PageText(1, form)])["purpose"].value == "verlaengerung"
    two = form.replace("[ ] Niederlassungserlaubnis", "[X] Niederlassungserlaubnis")
    assert read("antrag", [PageText(1, two)])["purpose"].status == "unread"
    none = form.replace("[x]", "[ ]")
    assert read("antrag", [PageText(1, none)])["purpose"].status == "unread"


def test_value_helpers():
    assert parse_amount("Gesamtbrutto 3.364,40 €") == parse_amount("3364,40")
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert previous_months(dt.date(2025, 6, 30), 3) == ["2025-03", "2025-04", "2025-05"]
    assert previous_months(dt.date(2025, 1, 15), 2, offset=0) == ["2024-12", "2025-01"]


def test_ticked_box_dropped_by_ocr_among_empty_boxes():
    # Real OCR of the sample form: empty boxes read as "LJ", "L]", "()", the crossed box dropped.
    form = "4. Beantragter Aufenthaltstitel\n\nLJ Erteilung einer Aufenthaltserlaubnis\n\n" \
           "Verlangerung der Aufenthaltserlaubnis\n\nL] Niederlassungserlaubnis (§ 9 AufenthG)\n\n" \
           "() Blaue Karte EU (§ 18g AufenthG)\n"
    purpose = read("antrag", [PageText(1, form)])["purpose"]
    assert purpose.value == "verlaengerung" and purpose.confidence < 0.95
    # Without empty boxes around it, a bare option line is no tick.
    assert read("antrag", [PageText(1, "Verlängerung der Aufenthaltserlaubnis")])["purpose"].status == "unread"


def test_crossed_box_misread_as_a_glyph():
    form = "Beantragt wird:\n‚Rl Niederlassungserlaubnis (§ 9 AufenthG)\n\nO Blaue Karte EU (§ 18g AufenthG)\n\n" \
           "CL] Verlängerung der Aufenthaltserlaubnis\n\nU] Erteilung einer Aufenthaltserlaubnis\n"
    assert read("antrag", [PageText(1, form)])["purpose"].value == "niederlassungserlaubnis"


def test_mrz_with_a_stray_mark_before_its_second_line():
    line1, line2 = make_td3(surname="YILDIZ", given_names="MUSTAFA", document_number="C37087186",
                            nationality="TUR", date_of_birth=dt.date(1966, 12, 14), sex="M",
                            expiry_date=dt.date(2029, 2, 7))
    fields = read("pass", [PageText(1, f"PASSPORT\n{line1}\n({line2}.")])
    assert fields["expiry_date"].value == "2029-02-07" and fields["document_number"].value == "C37087186"


def test_mrz_whose_second_line_begins_with_a_speck_and_its_first_letter_in_lower_case():
    # Seed 46 (300 dpi): '‚c36803670...' and the composite digit read 'Q'; every check digit passes.
    text = "P<IRNRAHMANI<<HOSSEIN<<<<<<<<<<<<<<<<<<<<<<<\n‚c368036701IRN0211048M3208106<<<<<<<<<<<<<<<Q"
    fields = read("pass", [PageText(1, f"PASSPORT\nSurname / Nom\nRAHMANI\n{text}")])
    assert fields["document_number"].value == "C36803670" and fields["expiry_date"].value == "2032-08-10"
    assert (fields["surname"].value, fields["given_names"].value) == ("RAHMANI", "HOSSEIN")


def test_punctuation_does_not_lower_a_fields_confidence():
    page = PageText(1, "Muster GmbH\nAbrechnungszeitraum: 01.04.2025 - 30.04.2025",
                    {"01.04.2025": 93.0, "-": 20.0, "30.04.2025": 91.0}, 85.0)
    assert read("gehaltsnachweis", [page])["period"].value == "2025-04"


def test_nationality_and_names_of_an_mrz_with_an_unreadable_number():
    line1, line2 = make_td3(surname="YILDIZ", given_names="MUSTAFA", document_number="C37087186",
                            nationality="TUR", date_of_birth=dt.date(1966, 12, 14), sex="M",
                            expiry_date=dt.date(2029, 2, 7))
    fields = read("pass", [PageText(1, f"PASSPORT\n{line1}\n©{line2[1:]}")])
    assert fields["document_number"].status == "unread"
    assert fields["expiry_date"].value == "2029-02-07"           # its own check digit passes
    assert fields["nationality"].value == "TUR"                  # line 1 says TUR as well
    assert (fields["surname"].value, fields["given_names"].value) == ("YILDIZ", "MUSTAFA")


def test_a_nationality_no_one_issues_is_unread_though_every_check_digit_passes():
    # No check digit covers the nationality: OCR's "IIN" for "IND" (seed 233) verified in full.
    line1, line2 = make_td3(surname="SHARMA", given_names="PRIYA", document_number="Z41837265",
                            nationality="IIN", date_of_birth=dt.date(1991, 3, 9), sex="F",
                            expiry_date=dt.date(2032, 6, 30), issuing_state="IND")
    fields = read("pass", [PageText(1, f"PASSPORT\n{line1}\n{line2}")])
    assert fields["expiry_date"].value == "2032-06-30" and fields["document_number"].value == "Z41837265"
    assert fields["nationality"].status == "unread" and fields["nationality"].value is None
    line1, line2 = make_td3(surname="SHARMA", given_names="PRIYA", document_number="Z41837265",
                            nationality="IND", date_of_birth=dt.date(1991, 3, 9), sex="F",
                            expiry_date=dt.date(2032, 6, 30))
    assert read("pass", [PageText(1, f"PASSPORT\n{line1}\n{line2}")])["nationality"].value == "IND"
