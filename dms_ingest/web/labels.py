"""The German words the pages show for the product's codes (document types, roles, outcomes, reasons)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import InvalidOperation

from .. import office_time
from ..applications.status import field_label
from ..fields.values import format_amount, month_label

DOC_TYPES = {
    "antrag": "Antrag", "pass": "Pass", "meldebescheinigung": "Meldebescheinigung",
    "arbeitsvertrag": "Arbeitsvertrag", "gehaltsnachweis": "Gehaltsnachweis", "mietvertrag": "Mietvertrag",
    "krankenversicherung": "Krankenversicherung", "anwaltsschreiben": "Anwaltsschreiben",
    "bescheid": "Bescheid", "urkunde": "Urkunde", "sprachzertifikat": "Sprachzertifikat",
    "sonstiges": "Sonstiges",
}

ROLES = {
    "system": "System", "poststelle": "Poststelle", "sachbearbeitung": "Sachbearbeitung",
    "teamleitung": "Teamleitung", "datenschutz": "Datenschutz", "admin": "Administration",
}

# The pipeline's rejection reason codes (errors.REASONS) in words a clerk reads.
REJECTIONS = {
    "empty": "Die Datei ist leer (0 Byte).",
    "corrupt": "Die Datei ist beschädigt und konnte nicht repariert werden.",
    "encrypted": "Die Datei ist verschlüsselt; ohne Passwort kann sie nicht gelesen werden.",
    "too_large": "Das Bild ist zu groß, um es sicher zu verarbeiten.",
    "unsupported_type": "Dieser Dateityp wird nicht unterstützt (erlaubt: PDF, TIFF, JPEG, PNG, E-Mail).",
    "unreadable_image": "Die Bilddaten lassen sich nicht lesen.",
    "no_pages": "Das Dokument hat keine Seiten.",
    "dynamic_form": "Dynamisches Formular (XFA) ohne druckbare Seiten.",
    "archive_invalid": "Die Archivfassung (PDF/A) hat die Prüfung nicht bestanden.",
    "processing_error": "Die Verarbeitung ist unerwartet fehlgeschlagen (an die IT gemeldet).",
    "not_email": "Keine gültige E-Mail.",
    "office_document": "Office-Dokument: bitte als PDF einreichen.",
}

ACCESS_OUTCOMES = {"ok": "erlaubt", "denied": "verweigert", "refused": "abgelehnt", "failed": "fehlgeschlagen"}

ACCESS_ACTIONS = {
    "login": "Anmeldung", "logout": "Abmeldung", "search": "Suche", "show": "Dokument angesehen",
    "get": "Download", "page_image": "Seitenbild", "case_view": "Fallakte geöffnet", "review_list": "Prüfliste",
    "review_show": "Prüfung geöffnet", "review_assign": "Prüfung entschieden",
    "review_return": "An Poststelle zurückgegeben", "upload": "Upload",
    "ingest": "Eingang verarbeitet", "inbox": "Posteingang", "inbox_mark": "Posteingang markiert",
    "intake": "Eingang des Tages", "quarantine_list": "Quarantäne", "audit_read": "Protokoll gelesen",
    "audit_verify": "Protokoll geprüft", "audit_report": "Auskunft Art. 15", "audit_prune": "Protokoll gekürzt",
    "users_manage": "Benutzerverwaltung", "teams_manage": "Teamverwaltung", "substitute": "Vertretung",
    "case_lookup": "Aktensuche", "cases_import": "Register importiert", "hold": "Sperrvermerk",
    "delete": "Löschung", "verify": "Archivprüfung", "train": "Training",
    "substitution_ended": "Vertretung beendet", "audit_anchor": "Protokoll verankert",
    "rebuild": "Index aus Archiv wiederhergestellt", "reindex": "Suchindex neu aufgebaut",
    "run_intake": "Eingangsverarbeitung (Lauf)", "run_migration": "Migration (Lauf)",
    "run_worker": "Migrations-Worker (Lauf)", "run_nightly": "Nachtlauf",
    "case_status": "Antragsstand angesehen", "application_open": "Antrag eröffnet",
    "application_close": "Antrag abgeschlossen", "request_letter": "Nachforderung erstellt",
    "applications_ready": "Terminreife Anträge",
}

OBJECT_TYPES = {"document": "Dokument", "case": "Akte", "user": "Benutzer", "team": "Team", "audit": "Protokoll",
                "search": "Suche"}


def doc_type(code: str | None) -> str:
    return DOC_TYPES.get(code or "", code or "Art unbestimmt")


OUTGOING = "outgoing:"       # the source of a letter the office wrote (applications/letter.py)


def source(source: str | None, part: str | None = None, message_id: str | None = None) -> str:
    """Where a document came from: scan, e-mail, upload, migration, or the office's own letter."""
    text = source or ""
    if text.startswith("upload:"):
        return "Upload"
    if text.startswith(OUTGOING):
        return "Schreiben der Behörde"
    if part or message_id or text.lower().endswith(".eml") or text.startswith(("imap:", "mail:")):
        return "E-Mail"
    if text.startswith(("migrate:", "migration:")):
        return "Migration"
    return "Scan"


def source_name(source: str | None) -> str:
    """The file name part of a source, for display (never a path of the server)."""
    if (source or "").startswith(OUTGOING):      # outgoing:KIND/CASE: the kind of letter names it
        return source[len(OUTGOING):].split("/", 1)[0].capitalize() or "–"
    text = (source or "").split(":", 1)[1] if (source or "").startswith("upload:") else (source or "")
    return text.replace("\\", "/").rsplit("/", 1)[-1] or "–"


def _local(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return office_time.local(value)                   # the index keeps UTC


def when(value: datetime | str | None) -> str:
    local = _local(value)
    return local.strftime("%d.%m.%Y, %H:%M") if local else "–"


def clock(value: datetime | str | None) -> str:
    local = _local(value)
    return local.strftime("%H:%M") if local else "–"


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d.%m.%Y")


# Fields read from documents (fields/extractors.py) beyond those the checklist's reasons name
# (applications.status.field_label), in a clerk's words.
FIELDS = {
    "document_number": "Passnummer", "nationality": "Staatsangehörigkeit", "date_of_birth": "Geburtsdatum",
    "surname": "Familienname", "given_names": "Vornamen", "employer": "Arbeitgeber", "gross_pay": "Bruttoverdienst",
    "net_pay": "Nettoverdienst", "insurer": "Krankenversicherung", "insured_person": "Versicherte Person",
    "address": "Anschrift", "subject": "Betreff", "moved_in": "Einzug", "purpose": "Antragszweck",
    "cold_rent": "Kaltmiete",
}
_AMOUNTS = {"salary", "rent", "cold_rent", "gross_pay", "net_pay"}
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def field(name: str) -> str:
    return FIELDS.get(name) or field_label(name)


def field_value(name: str, value: str | None) -> str:
    """A field's value as a clerk writes it: 05.03.2025, Februar 2025, 4.850,00 €, unbefristet."""
    if value is None:
        return "nicht lesbar"
    if value == "open":
        return "unbefristet"
    day = _ISO_DAY.match(value)
    if day:
        return f"{day.group(3)}.{day.group(2)}.{day.group(1)}"
    if name == "period" and re.fullmatch(r"\d{4}-\d{2}", value):
        return month_label(value)
    if name in _AMOUNTS:
        try:
            return format_amount(value) + " €"
        except (InvalidOperation, ValueError):
            return value
    return value
