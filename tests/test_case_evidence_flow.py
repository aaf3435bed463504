"""Case evidence that flows into a document from outside its text: its mail, its cover sheet."""

import datetime as dt
from pathlib import Path

from dms_ingest.classifiers import CaseRecord
from dms_ingest.ingest.classify import classify_document, resolve_mail_case
from dms_ingest.ingest.document import Document, Page
from dms_ingest.services.cases import replace_registry

MOTHER = CaseRecord("ABH-2019-04711", "Yılmaz", "Fatma", dt.date(1966, 4, 3), "TUR")
SON = CaseRecord("ABH-2023-00815", "Yılmaz", "Ali", dt.date(2006, 11, 2), "TUR")


def attachment(ctx, text: str, *, confidence: float = 91.0, hint: str | None = MOTHER.case_number) -> Document:
    replace_registry(ctx.catalog, [MOTHER, SON])
    doc = Document(source="mail.eml#scan.jpg", original_path=Path("scan.jpg"), sha256="0" * 64, part="attachment",
                   pages=[Page(number=1, text=text, ocr_confidence=confidence)], hint_case_number=hint)
    classify_document(doc, ctx)
    return doc


def test_mail_resolves_by_name_and_birthday_in_its_text(ctx):
    replace_registry(ctx.catalog, [MOTHER, SON])
    assert resolve_mail_case("Von: Fatma Yilmaz\nBetreff: Unterlagen\nFATMA YILMAZ, geb. 03.04.66", ctx) == MOTHER.case_number
    assert resolve_mail_case("Betreff: Unterlagen zu Az. ABH 2023 00815", ctx) == SON.case_number
    # A doubtful mail passes nothing on.
    assert resolve_mail_case("Betreff: Unterlagen\nHallo, hier die Papiere. Gruß Ali", ctx) is None


def test_attachment_follows_its_mail_unless_it_prints_its_own_number(ctx):
    doc = attachment(ctx, "Mitgliedsbescheinigung\nMitglied: YILMAZ, Fatma\nist pflichtversichert.")
    assert (doc.case_number, doc.case_method) == (MOTHER.case_number, "mail")
    doc = attachment(ctx, "Zeugnis\nAktenzeichen ABH-2023-0815\nAli Yilmaz")
    assert (doc.case_number, doc.case_method) == (SON.case_number, "case_number")


def test_unreadable_attachment_does_not_take_over_its_mails_case(ctx):
    doc = attachment(ctx, "‘UaTYeZ NZ SIEUO SAUTe UBUUTQ IST pun", confidence=41.0)
    assert doc.case_number is None and doc.review
    assert any("kaum lesbar" in reason for reason in doc.review_reasons)


def test_employers_mail_passes_the_employees_case_to_the_payslip(ctx, tmp_path):
    """End to end: the mail resolves by name and birthday in its text; its payslip names the man only."""
    from email.message import EmailMessage

    from dms_datagen.pdf import small_text_pdf
    from dms_ingest.ingest.pipeline import ingest_file

    worker = CaseRecord("ABH-2021-31337", "Okonkwo", "Chinedu", dt.date(1987, 4, 3), "NGA")
    replace_registry(ctx.catalog, [MOTHER, SON, worker])
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Personal <personal@spedition.example>", "abh@example.org", "Nachweise"
    msg["Message-ID"] = "<lohn-1@spedition.example>"
    msg.set_content("Sehr geehrte Damen und Herren,\nanbei die Nachweise für unseren Mitarbeiter "
                    "Chinedu Okonkwo (geb. 03.04.87).\nPersonalabteilung")
    msg.add_attachment(small_text_pdf("Entgeltabrechnung Mai 2025 Arbeitnehmer: OKONKWO, CHINEDU netto 2.100,00"),
                       maintype="application", subtype="pdf", filename="Lohn.pdf")
    msg.add_attachment(small_text_pdf("Geburtsurkunde Ali Yilmaz geboren am 02.11.2006"),
                       maintype="application", subtype="pdf", filename="Urkunde.pdf")
    path = tmp_path / "lohn.eml"
    path.write_bytes(msg.as_bytes())
    by_name = {r.source.rsplit("#", 1)[1]: r for r in ingest_file(path, ctx)}
    assert by_name["body"].case_number == worker.case_number
    assert by_name["Lohn.pdf"].case_number == worker.case_number
    # Another registry person identified in an attachment: review, not the mail's case.
    assert by_name["Urkunde.pdf"].case_number is None and by_name["Urkunde.pdf"].review


def test_relatives_attachment_with_a_speckled_own_number_goes_to_its_owner(ctx):
    """Real OCR text of a 180°-turned birth certificate a father mailed (mailroom set, seed 31)."""
    father = CaseRecord("ABH-2021-39700", "Đorđević", "Marko", dt.date(1994, 7, 22), "SRB")
    child = CaseRecord("ABH-2017-30941", "Đorđević", "Adaeze", dt.date(2010, 8, 19), "SRB")
    replace_registry(ctx.catalog, [MOTHER, SON, father, child])
    text = ("* Standesamt Delmenhorst\nPersonenstandsregister\n\nei . Az. ABH - 2017°- 30941.\nDatum: 22.01.2025\n\n"
            "Geburtsurkunde\nKind: Dordevic, Adaeze\nGeburtsort: Lagos -\nMutter: Aisha Blessing Patel ®\n")
    doc = Document(source="mail.eml#IMG_2025_1.jpg", original_path=Path("scan.jpg"), sha256="0" * 64, part="attachment",
                   pages=[Page(number=1, text=text, ocr_confidence=77.4)], hint_case_number=father.case_number)
    classify_document(doc, ctx)
    assert (doc.case_number, doc.case_method) == (child.case_number, "case_number")
