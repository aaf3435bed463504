"""`dms mail fetch` against a real IMAP server (Dovecot on 127.0.0.1, started by the fixture)."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from dms_ingest.config import load_settings
from dms_ingest.index.catalog import Catalog
from dms_datagen.pdf import small_text_pdf

from .paths import REPO

PROCESSED = "Archiviert/Geprüft"       # non-ASCII: exercises IMAP's modified UTF-7
FAILED = "Fehlgeschlagen"


@pytest.fixture
def imap_config(imap_server, tmp_path: Path, monkeypatch) -> Path:
    raw = yaml.safe_load((REPO / "config.yaml").read_text())
    raw["mail"]["imap"].update(enabled=True, host="127.0.0.1", port=imap_server.port, ssl=False, starttls=False,
                               username=imap_server.user, folder="INBOX", processed_folder=PROCESSED,
                               failed_folder=FAILED, poll_interval=1)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    monkeypatch.setenv("DMS_IMAP_PASSWORD", imap_server.password)
    yield path
    # leave an empty mailbox for the next test
    conn = imap_server.connect()
    for folder in ("INBOX", PROCESSED, FAILED):
        from dms_ingest.ingest.imap import _quoted

        typ, data = conn.select(_quoted(folder))
        if typ == "OK" and int(data[0]) > 0:
            conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
    conn.logout()


def mail(subject: str, text: str, *, msgid: str, attachments: dict[str, tuple[bytes, str]] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Antragsteller <antrag@example.net>"
    msg["To"] = "abh@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Feb 2025 08:00:00 +0100"
    msg["Message-ID"] = msgid
    msg.set_content(text)
    for name, (data, ctype) in (attachments or {}).items():
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP)   # CRLF, as IMAP stores and returns it


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fetch_archives_then_moves_to_processed(imap_server, imap_config, dms, home: Path):
    with_pdf = mail("Nachreichung ABH-2024-00815", "Anbei der Arbeitsvertrag.", msgid="<m1@example.net>",
                    attachments={"Arbeitsvertrag.pdf": (small_text_pdf("Arbeitsvertrag Beispiel GmbH ab 01.03.2025"),
                                                        "application/pdf")})
    plain = mail("Terminanfrage", "Ich bitte um einen Termin.\nMit freundlichen Grüßen", msgid="<m2@example.net>")
    for message in (with_pdf, plain, with_pdf):   # the last one: the same mail delivered twice
        imap_server.append(message)
    lines = dms.json_lines("--config", str(imap_config), "mail", "fetch")
    statuses = sorted((int(line["imap_uid"]), line["part"], line["status"]) for line in lines)
    assert statuses == [(1, "attachment", "archived"), (1, "body", "archived"), (2, "body", "archived"),
                        (3, "body", "duplicate")]   # the first test on a fresh server: UIDs from 1
    assert {line["imap_outcome"] for line in lines} == {"done"}
    assert {line["moved_to"] for line in lines} == {PROCESSED}
    first = [line for line in lines if line["imap_uid"] == "1"]
    assert {line["message_id"] for line in first} == {"<m1@example.net>"}
    assert all(line["source"].startswith("imap://sachbearbeitung@127.0.0.1/INBOX;UIDVALIDITY=") for line in lines)
    attachment = next(line for line in first if line["part"] == "attachment")
    assert attachment["source"].endswith(";UID=1#Arbeitsvertrag.pdf")
    assert "ABH-2024-00815" in (attachment["case_number"] or "") + " ".join(attachment["review_reasons"])
    # moved only after archiving: the inbox folder is empty, the processed folder holds all three, unchanged
    assert imap_server.messages("INBOX") == []
    assert sorted(imap_server.messages(PROCESSED)) == sorted([with_pdf, plain, with_pdf])
    # the mail itself is the body document's original, byte for byte as fetched
    catalog = Catalog(load_settings(imap_config, home=home).index_url)
    for message in (with_pdf, plain):
        (doc,) = catalog.find_by_original(sha(message))
        assert doc.part == "body" and doc.original_ext == "eml"
    # nothing left: a second run has nothing to do
    again = dms("--config", str(imap_config), "mail", "fetch")
    assert again.exit_code == 0 and "0 message(s)" in again.stdout


def test_rejected_content_and_invalid_mail(imap_server, imap_config, dms, home: Path):
    only_rejected = mail("Unterlagen", "Im Anhang die Unterlagen.", msgid="<m3@example.net>",
                         attachments={"Scans.zip": (b"PK\x03\x04 not really a zip", "application/zip")})
    not_a_mail = b"This is not a valid eml.\r\n"
    imap_server.append(only_rejected)
    imap_server.append(not_a_mail)
    lines = dms.json_lines("--config", str(imap_config), "mail", "fetch")
    by_uid: dict[str, list] = {}
    for line in lines:
        by_uid.setdefault(line["imap_uid"], []).append(line)
    first_uid, second_uid = sorted(by_uid, key=int)
    # a mail whose only attachment is refused: its body (with the whole mail as original) is archived
    first = {line["part"]: line for line in by_uid[first_uid]}
    assert first["body"]["status"] == "archived" and first["attachment"]["status"] == "rejected"
    assert Path(first["attachment"]["quarantined"]).read_bytes() == b"PK\x03\x04 not really a zip"
    assert first["body"]["moved_to"] == PROCESSED
    # not a mail at all: quarantined here, moved to the failed folder there
    (bad,) = by_uid[second_uid]
    assert bad["status"] == "rejected" and bad["error"].startswith("not a valid e-mail")
    assert bad["imap_outcome"] == "failed" and bad["moved_to"] == FAILED
    assert Path(bad["quarantined"]).read_bytes() == not_a_mail
    assert imap_server.messages("INBOX") == []
    assert imap_server.messages(PROCESSED) == [only_rejected]
    assert imap_server.messages(FAILED) == [not_a_mail]


def test_copy_expunge_when_the_server_has_no_move(imap_server, imap_config, home: Path):
    from dms_ingest.ingest.context import Context
    from dms_ingest.ingest.imap import MailFetcher

    message = mail("Ohne MOVE", "Kopieren, löschen, aufräumen.", msgid="<m4@example.net>")
    keep = mail("Bleibt", "Diese Nachricht bleibt liegen.", msgid="<m5@example.net>")
    imap_server.append(message)
    settings = load_settings(imap_config, home=home)
    with Context(settings, workers=1) as ctx:
        fetcher = MailFetcher(settings, ctx)
        fetcher.connect()
        fetcher.capabilities.discard("MOVE")
        imap_server.append(keep)
        # only the first message: the second must stay untouched by the EXPUNGE of the first
        (done,) = fetcher.fetch(limit=1)
        fetcher.close()
    assert done.outcome == "done" and done.moved_to == PROCESSED
    assert imap_server.messages(PROCESSED) == [message]
    assert imap_server.messages("INBOX") == [keep]


def test_unreachable_archive_leaves_the_mail_on_the_server(imap_server, imap_config, home: Path):
    """The object store is down (an S3 endpoint nobody listens on): nothing is moved, the mail waits."""
    from tests.plugins.imap import free_port

    from dms_ingest.config import S3StoreConfig
    from dms_ingest.ingest.context import Context
    from dms_ingest.ingest.imap import MailFetcher
    from dms_ingest.storage.s3 import S3Store

    message = mail("Speicher weg", "Das Archiv ist gerade nicht erreichbar.", msgid="<m6@example.net>",
                   attachments={"a.pdf": (small_text_pdf("Anhang waehrend des Ausfalls 2025"), "application/pdf")})
    imap_server.append(message)
    settings = load_settings(imap_config, home=home)
    down = S3Store(S3StoreConfig(endpoint=f"127.0.0.1:{free_port()}", access_key="x", secret_key="y",
                                 max_retries=0), backoff_base=0.01, backoff_cap=0.01, connect_timeout=1)
    with Context(settings, workers=1, store=down) as ctx:
        (outcome,) = MailFetcher(settings, ctx).fetch()
        assert outcome.outcome == "retry" and outcome.moved_to is None, outcome
        assert "not stored" in outcome.error or "unavailable" in outcome.error
        assert not ctx.catalog.find_by_original(sha(message))
    assert imap_server.messages("INBOX") == [message]
    assert imap_server.messages(FAILED) == []
    with Context(settings, workers=1) as ctx:   # the store is back
        (again,) = MailFetcher(settings, ctx).fetch()
        assert len(ctx.catalog.find_by_original(sha(message))) == 1
    assert again.outcome == "done"
    assert imap_server.messages("INBOX") == [] and imap_server.messages(PROCESSED) == [message]


def test_watch_polls_the_mailbox(imap_server, imap_config, dms, tmp_path: Path):
    imap_server.append(mail("Über den Watcher", "Abgeholt von dms watch.", msgid="<m7@example.net>"))
    inbox = tmp_path / "inbox"
    lines = dms.json_lines("--config", str(imap_config), "watch", str(inbox), "--once", "--stable-seconds", "0")
    assert [(line["part"], line["status"], line["inbox_outcome"]) for line in lines] == [("body", "archived", "done")]
    assert imap_server.messages("INBOX") == []


def test_wrong_password_is_a_clear_error(imap_server, imap_config, dms, monkeypatch):
    monkeypatch.setenv("DMS_IMAP_PASSWORD", "wrong")
    result = dms("--config", str(imap_config), "mail", "fetch")
    assert result.exit_code == 1
    assert "login as sachbearbeitung failed" in result.output


def test_message_too_large_for_the_memory_budget_is_refused_before_download(imap_server, imap_config, dms):
    """Issue 10: a 281 MB .eml took 2.5 GB; by IMAP it is refused by its RFC822.SIZE, never downloaded."""
    raw = yaml.safe_load(imap_config.read_text())
    raw["limits"] = {"memory_mb": 256, "reserve_mb": 0}          # mails up to about 25 MB
    imap_config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    big = mail("Riesig", "Anbei.", msgid="<big@example.net>",
               attachments={"daten.pdf": (b"%PDF-1.4\n" + b"0" * 30_000_000, "application/pdf")})
    imap_server.append(big)
    [line] = dms.json_lines("--config", str(imap_config), "mail", "fetch")
    assert line["status"] == "failed" and line["imap_outcome"] == "failed" and line["moved_to"] == FAILED
    assert "MB" in line["error"] and "limits.memory_mb" in line["error"]
    assert imap_server.messages("INBOX") == [] and len(imap_server.messages(FAILED)) == 1
