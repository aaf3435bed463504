"""E-mail ingest with real parts: .eml files built with the `email` package, and the peer corpus."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from PIL import Image

from dms_datagen.pdf import small_text_pdf
from dms_ingest.errors import Rejected
from dms_ingest.index.catalog import Catalog
from dms_ingest.ingest.mime import html_to_text, parse_mail, safe_filename
from dms_ingest.ingest.office import office_converter
from dms_ingest.ingest.pipeline import ingest_file
from dms_ingest.ingest.sources import EML
from dms_ingest.ingest.textpdf import render_text_pdf, wrap_lines
from dms_ingest.storage import open_store, sha256_file

CASE = "ABH-2023-04711"


def scan_image(lines: list[str], fmt: str) -> bytes:
    """A small scanned page (150 dpi, half A4) in PNG or bilevel G4 TIFF."""
    from dms_datagen.letters import render_text_page

    img = render_text_page(lines, size_px=60).convert("L").resize((1240, 877))
    buf = io.BytesIO()
    if fmt == "TIFF":
        img.point(lambda v: 255 if v > 150 else 0).convert("1").save(buf, "TIFF", compression="group4",
                                                                      dpi=(150, 150))
    else:
        img.save(buf, "PNG", dpi=(150, 150))
    return buf.getvalue()


def logo_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


HTML_BODY = """<html><head><style>p {color: red}</style><title>ignored title</title></head><body>
<p>Sehr geehrte Damen und Herren,</p>
<p>anbei die Unterlagen zum Verfahren <b>ABH-2023-04711</b>.<br>Mit freundlichen Grüßen</p>
<ul><li>Lohnabrechnung</li><li>Mietvertrag</li></ul>
<table><tr><td>Name</td><td>Ahmadi</td></tr><tr><td>Geburtsdatum</td><td>01.02.1990</td></tr></table>
<script>document.write("must not appear")</script>
<img src="cid:logo@firma" alt="Firmenlogo"></body></html>"""


def build_mail(tmp: Path) -> tuple[Path, dict[str, bytes]]:
    inner = EmailMessage()
    inner["From"] = "Rechtsanwalt Hoffmann <kanzlei@example.org>"
    inner["To"] = "abh@example.org"
    inner["Subject"] = "Vollmacht"
    inner["Message-ID"] = make_msgid(domain="example.org")
    inner.set_content("Die Vollmacht liegt bei.\nHoffmann, Rechtsanwalt")
    inner_pdf = small_text_pdf("Vollmacht fuer das Verfahren 12345 Hoffmann")
    inner.add_attachment(inner_pdf, maintype="application", subtype="pdf", filename="Vollmacht.pdf")

    msg = EmailMessage()
    msg["From"] = "Aylin Kaya <aylin.kaya@example.net>"
    msg["To"] = "Ausländerbehörde <abh@example.org>"
    msg["Date"] = "Mon, 03 Feb 2025 10:15:44 +0100"
    msg["Subject"] = f"Nachreichung Unterlagen {CASE}"
    msg["Message-ID"] = "<nachreichung-4711@example.net>"
    msg.set_content("Sehr geehrte Damen und Herren,\nanbei die Unterlagen.\n")
    msg.add_alternative(HTML_BODY, subtype="html")
    msg.get_payload()[1].add_related(logo_png(), maintype="image", subtype="png", cid="<logo@firma>",
                                     filename="logo.png")
    parts = {
        "Lohnabrechnung.pdf": small_text_pdf("Lohnabrechnung Januar 2025 Kaya netto 2.345,67 EUR"),
        "Bescheinigung_Größe_äöü.pdf": small_text_pdf("Bescheinigung ueber die Wohnungsgroesse 64 qm"),
        "../../etc/passwd": small_text_pdf("Dieser Anhang hatte einen gefaehrlichen Namen"),
        "Mietvertrag.png": scan_image(["Mietvertrag", "Wohnung 64 qm, Musterstraße 1"], "PNG"),
        "Fax.tif": scan_image(["Telefax an die Ausländerbehörde", "Seite 1 von 1"], "TIFF"),
        "Antrag.docx": docx_bytes(),
    }
    types = {".pdf": ("application", "pdf"), ".png": ("image", "png"), ".tif": ("image", "tiff"),
             ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
             "": ("application", "pdf")}
    for name, data in parts.items():
        maintype, subtype = types[Path(name).suffix]
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    msg.add_attachment(inner)
    parts["Weitergeleitet/Vollmacht.pdf"] = inner_pdf
    path = tmp / "Nachreichung.eml"
    path.write_bytes(msg.as_bytes())
    return path, parts


def body_text(catalog: Catalog, doc_id: str) -> str:
    return "\n".join(p.text for p in catalog.pages(doc_id))


def test_mail_with_attachments_html_body_nested_message_and_logo(dms, settings, tmp_path: Path):
    mail, parts = build_mail(tmp_path)
    raw = mail.read_bytes()
    assert "filename*=utf-8''Bescheinigung_Gr%C3%B6%C3%9Fe" in raw.decode()   # RFC 2231 on the wire
    registry = tmp_path / "cases.csv"
    registry.write_text(f"case_number,surname,given_names,date_of_birth,nationality\n{CASE},Kaya,Elif,2001-01-01,TUR\n")
    dms("cases", "import", str(registry))
    lines = dms.json_lines("ingest", str(mail))
    by_source = {line["source"]: line for line in lines}
    prefix = f"{mail}#"
    names = {source[len(prefix):] for source in by_source}
    nested = "Vollmacht.eml/Vollmacht.pdf"   # a message/rfc822 part is named after its subject
    assert names == {"body", "Lohnabrechnung.pdf", "Bescheinigung_Größe_äöü.pdf", "passwd", "Mietvertrag.png",
                     "Fax.tif", "Antrag.docx", nested}
    assert {line["message_id"] for line in lines} == {"<nachreichung-4711@example.net>"}
    body = by_source[prefix + "body"]
    assert body["part"] == "body" and body["status"] == "archived"
    for name in names - {"body"}:
        assert by_source[prefix + name]["part"] == "attachment", name
    archived = {n for n in names if by_source[prefix + n]["status"] == "archived"}
    assert archived == names - {"Antrag.docx"}
    # the mail's case (the registered number in its subject) reaches every document
    for line in lines:
        if line["status"] == "archived":
            assert line["case_number"] == CASE, (line["source"], line["review_reasons"])
    # the tiny inline logo is skipped, and says so
    assert any("logo.png" in w and "skipped" in w for w in body["warnings"])
    docx = by_source[prefix + "Antrag.docx"]
    if office_converter() is None:
        assert docx["status"] == "rejected" and docx["reason_code"] == "office_document"
        assert docx["error"] == "Office document: LibreOffice not installed"
        kept = Path(docx["quarantined"])
        assert kept.read_bytes() == parts["Antrag.docx"] and kept.parent == settings.quarantine_dir
        assert "LibreOffice not installed" in kept.with_name(kept.name + ".reason.txt").read_text()
    # nothing escaped: the path-traversal name was written nowhere but inside the work dir
    assert not (tmp_path / "etc").exists() and not (settings.home / "etc").exists()

    catalog = Catalog(settings.index_url)
    text = body_text(catalog, body["id"])
    for expected in ("Aylin Kaya", "Nachreichung Unterlagen", CASE, "Sehr geehrte Damen und Herren",
                     "Vollmacht", "Die Vollmacht liegt bei.", "Lohnabrechnung.pdf"):
        assert expected in text, expected
    # the body document's original is the mail itself, byte for byte
    doc = catalog.get(body["id"])
    assert doc.original_sha256 == sha256_file(mail) and doc.original_ext == "eml"
    copy = tmp_path / "original.eml"
    open_store(settings).download(doc.original_key, copy, doc.original_sha256)
    assert copy.read_bytes() == raw
    # every attachment's original is the attachment's own bytes
    for name in archived - {"body"}:
        key = parts["Weitergeleitet/Vollmacht.pdf"] if name == nested else parts[
            "../../etc/passwd" if name == "passwd" else name]
        row = catalog.get(by_source[prefix + name]["id"])
        assert row.original_sha256 == __import__("hashlib").sha256(key).hexdigest(), name
    # OCR read the scanned attachments
    assert "Mietvertrag" in body_text(catalog, by_source[prefix + "Mietvertrag.png"]["id"])
    assert "Telefax" in body_text(catalog, by_source[prefix + "Fax.tif"]["id"])

    # the same mail again: one duplicate, nothing new
    again = dms.json_lines("ingest", str(mail))
    assert [(r["status"], r["id"]) for r in again] == [("duplicate", body["id"])]


def test_html_body_keeps_line_structure_and_drops_scripts():
    text = html_to_text(HTML_BODY)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "Sehr geehrte Damen und Herren,"
    assert "anbei die Unterlagen zum Verfahren ABH-2023-04711." in lines
    assert "Mit freundlichen Grüßen" in lines
    assert "• Lohnabrechnung" in lines and "• Mietvertrag" in lines
    assert any(line.split() == ["Name", "Ahmadi"] for line in lines)
    assert "must not appear" not in text and "ignored title" not in text and "color" not in text
    assert "[Firmenlogo]" in text


def test_file_names_are_sanitised():
    assert safe_filename("../../etc/passwd", "x") == "passwd"
    assert safe_filename("..\\..\\Windows\\system.ini", "x") == "system.ini"
    assert safe_filename("/abs/path/a.pdf", "x") == "a.pdf"
    assert safe_filename("..", "fallback.bin") == "fallback.bin"
    assert safe_filename(".hidden.pdf", "x") == "hidden.pdf"
    assert safe_filename("a\x00b\x1bc\r\n.pdf", "x") == "abc.pdf"
    assert safe_filename("Rechnung\u202efdp.exe", "x") == "Rechnungfdp.exe"   # no right-to-left override
    assert safe_filename("=?utf-8?q?Gr=C3=B6=C3=9Fe.pdf?=", "x") == "Größe.pdf"   # RFC 2047 in a parameter
    assert safe_filename("a<b>c:d|e?.pdf", "x") == "a_b_c_d_e_.pdf"
    long = safe_filename("x" * 300 + ".pdf", "y")
    assert len(long) <= 120 and long.endswith(".pdf")


def test_rfc2231_and_rfc2047_names_decode(ctx, tmp_path: Path):
    raw = (b"From: a@example.org\r\nSubject: Namen\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nText\r\n"
           b"--XX\r\nContent-Type: application/pdf\r\n"
           b"Content-Disposition: attachment; filename*=iso-8859-1''Bescheid%20f%FCr%20M%FCller.pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + __import__("base64").encodebytes(small_text_pdf("Bescheid fuer Mueller Hans 2025"))
           + b"\r\n--XX\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?w5xiZXJzZXR6dW5nLnBkZg==?=\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n"
           + __import__("base64").encodebytes(small_text_pdf("Uebersetzung der Geburtsurkunde 2025")) + b"\r\n--XX--\r\n")
    path = tmp_path / "namen.eml"
    path.write_bytes(raw)
    results = ingest_file(path, ctx, source="namen.eml", media_type=EML)
    sources = {r.source for r in results}
    assert sources == {"namen.eml#Bescheid für Müller.pdf", "namen.eml#Übersetzung.pdf", "namen.eml#body"}
    assert all(r.status == "archived" for r in results)
    # no Message-ID: the records are linked by the mail's SHA-256
    assert {r.message_id for r in results} == {f"sha256:{sha256_file(path)}"}


def test_mail_whose_attachments_are_all_rejected_still_archives_its_body(ctx, settings, tmp_path: Path):
    msg = EmailMessage()
    msg["From"] = "b@example.org"
    msg["Subject"] = "Unterlagen"
    msg["Message-ID"] = "<rejected-all@example.org>"
    msg.set_content("Die Unterlagen im Anhang.")
    msg.add_attachment(b"PK\x03\x04 not a real zip", maintype="application", subtype="zip", filename="Scans.zip")
    msg.add_attachment(b"%PDF-1.4\nbroken", maintype="application", subtype="pdf", filename="kaputt.pdf")
    msg.add_attachment(b"", maintype="application", subtype="pdf", filename="leer.pdf")
    path = tmp_path / "alle-abgelehnt.eml"
    path.write_bytes(msg.as_bytes())
    results = {r.source.split("#")[1]: r for r in ingest_file(path, ctx, source=str(path), media_type=EML)}
    assert results["body"].status == "archived"
    assert {k: r.status for k, r in results.items() if k != "body"} == {
        "Scans.zip": "rejected", "kaputt.pdf": "rejected", "leer.pdf": "rejected"}
    for name in ("Scans.zip", "kaputt.pdf", "leer.pdf"):
        kept = Path(results[name].quarantined)
        assert kept.parent == settings.quarantine_dir and kept.with_name(kept.name + ".reason.txt").exists()
    text = "\n".join(p.text for p in ctx.catalog.pages(results["body"].id))
    assert "Scans.zip" in text and "kaputt.pdf" in text


def test_interrupted_mail_is_completed_without_duplicates(ctx, tmp_path: Path):
    """A crash after the attachments but before the body: taken again, the attachment is a duplicate."""

    attachment = small_text_pdf("Schon archivierter Anhang vor dem Absturz 42")
    (tmp_path / "a.pdf").write_bytes(attachment)
    first = ingest_file(tmp_path / "a.pdf", ctx, source="mail.eml#a.pdf", part="attachment")
    msg = EmailMessage()
    msg["From"] = "c@example.org"
    msg["Subject"] = "Wiederholung"
    msg.set_content("Noch einmal.")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="a.pdf")
    path = tmp_path / "mail.eml"
    path.write_bytes(msg.as_bytes())
    results = {r.part: r for r in ingest_file(path, ctx, source=str(path), media_type=EML)}
    assert results["attachment"].status == "duplicate" and results["attachment"].id == first[0].id
    assert results["body"].status == "archived"
    assert len(ctx.catalog.find_by_original(sha256_file(tmp_path / "a.pdf"))) == 1


def test_forwarded_mail_as_octet_stream_is_opened(ctx, tmp_path: Path):
    inner = EmailMessage()
    inner["From"] = "d@example.org"
    inner["Subject"] = "Original"
    inner.set_content("Innerer Text der weitergeleiteten Nachricht.")
    inner.add_attachment(small_text_pdf("Anhang der inneren Nachricht 2025"), maintype="application", subtype="pdf",
                         filename="innen.pdf")
    outer = EmailMessage()
    outer["From"] = "e@example.org"
    outer["Subject"] = "Fwd: Original"
    outer.set_content("Siehe Anhang.")
    outer.add_attachment(inner.as_bytes(), maintype="application", subtype="octet-stream", filename="Original.eml")
    path = tmp_path / "fwd.eml"
    path.write_bytes(outer.as_bytes())
    results = {r.source: r for r in ingest_file(path, ctx, source="fwd.eml", media_type=EML)}
    assert set(results) == {"fwd.eml#body", "fwd.eml#Original.eml/innen.pdf"}
    assert all(r.status == "archived" for r in results.values())
    text = "\n".join(p.text for p in ctx.catalog.pages(results["fwd.eml#body"].id))
    assert "Innerer Text der weitergeleiteten Nachricht." in text


def test_not_an_email_is_refused_clearly(ctx, tmp_path: Path):
    with pytest.raises(Rejected) as info:
        parse_mail(b"This is not a valid eml.\n")
    assert info.value.reason_code == "not_email" and str(info.value).startswith("not a valid e-mail")
    path = tmp_path / "x.eml"
    path.write_bytes(b"\x00\x01binary")
    (result,) = ingest_file(path, ctx, media_type=EML)
    assert result.status == "rejected" and result.reason_code == "not_email"


def test_body_pdf_is_born_digital_with_unicode_text(tmp_path: Path):
    import pdfplumber

    lines = wrap_lines("Grüße aus Köln – Straße, Şükrü Yılmaz, Наталья, €100\n" + "lang " * 40)
    path = tmp_path / "body.pdf"
    assert render_text_pdf(lines, path) == 1
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[0].extract_text()
    assert "Grüße aus Köln – Straße, Şükrü Yılmaz, Наталья, €100" in text
    assert all(len(line) <= 89 for line in lines)


# ----------------------------------------------------------------------------- the peer corpus


MAIL = "paperless-ngx/parsers/mail"


def test_peer_broken_eml_is_rejected_clearly(peer_corpus, dms, tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.eml").write_bytes((peer_corpus / MAIL / "broken.eml").read_bytes())
    (line,) = dms.json_lines("watch", str(inbox), "--once", "--stable-seconds", "0", "--workers", "1")
    assert line["status"] == "rejected" and line["error"].startswith("not a valid e-mail")
    assert "not a valid e-mail" in (inbox / "quarantine" / "broken.eml.reason.txt").read_text()
    # `dms ingest` refuses it too (its sniffer does not know the name)
    (direct,) = dms.json_lines("ingest", str(peer_corpus / MAIL / "broken.eml"))
    assert direct["status"] == "rejected" and "e-mail" in direct["error"]


def test_peer_simple_and_umlaut_mails_give_one_body_document(peer_corpus, dms, settings):
    catalog_lines = dms.json_lines("ingest", str(peer_corpus / MAIL / "simple_text.eml"),
                                   str(peer_corpus / "paperless-ngx/documents/eml_with_umlaut.eml"))
    assert len(catalog_lines) == 2 and all(line["part"] == "body" for line in catalog_lines)
    assert all(line["status"] == "archived" and line["pages"] == 1 for line in catalog_lines)
    catalog = Catalog(settings.index_url)
    by_name = {Path(line["source"].split("#")[0]).name: line for line in catalog_lines}
    simple = body_text(catalog, by_name["simple_text.eml"]["id"])
    assert "This is just a simple Text Mail." in simple and "Simple Text Mail" in simple
    assert "asdasd@æsdasd.de" in simple
    assert by_name["simple_text.eml"]["message_id"] == "<6e99e34d-e20a-80c4-ea61-d8234b612be9@someserver.de>"
    umlaut = body_text(catalog, by_name["eml_with_umlaut.eml"]["id"])
    assert "But here: üöäüäö" in umlaut and "My Nameöer" in umlaut


def test_peer_html_mail_body_archived_logo_skipped(peer_corpus, dms, settings):
    lines = dms.json_lines("ingest", str(peer_corpus / MAIL / "html.eml"))
    by_part = {line["source"].split("#")[1]: line for line in lines}
    assert set(by_part) == {"body", "600+kbfile.txt"}
    body = by_part["body"]
    assert body["status"] == "archived"
    assert any("IntM6gnXFm00FEV5.png" in w and "skipped" in w for w in body["warnings"])
    text = body_text(Catalog(settings.index_url), body["id"])
    assert "Some Text" in text and "and an embedded image." in text and "HTML Message" in text
    assert "Paragraph changed via Java Script" not in text
    attachment = by_part["600+kbfile.txt"]
    assert attachment["status"] == "archived" and attachment["part"] == "attachment"
    assert any("more lines are in the original" in w for w in attachment["warnings"])
    row = Catalog(settings.index_url).get(attachment["id"])
    assert row.original_ext == "txt"


def test_mail_case_number_follows_the_configured_layout(tmp_path: Path):
    """One pattern source: a layout like {prefix}-{serial}/{year} is found in a subject as in a text."""
    from dms_ingest.classifiers.case_numbers import CaseNumberPattern
    from dms_ingest.config import MailConfig
    from dms_ingest.ingest.mailplan import plan_mail

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "abh@example.org", "Ihr Antrag AB-04711/2021"
    msg.set_content("Anbei die Unterlagen.")
    path = tmp_path / "antrag.eml"
    path.write_bytes(msg.as_bytes())
    layout = CaseNumberPattern(prefixes=["AB"], layout="{prefix}-{serial}/{year}")
    plan = plan_mail(path, sha256_file(path), tmp_path / "parts", mail=MailConfig(), case_pattern=layout)
    assert plan.case_hint == plan.body_case_hint == "AB-04711/2021"
    assert plan.parts == [] and any("Anbei die Unterlagen." in line for line in plan.body_lines)
