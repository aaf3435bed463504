"""Items 4-8 of the hostile probe: names, full disks, links, ZIPs, the CLI's small traps.

Every input is built here; a full disk is a real tmpfs of a few kilobytes mounted over the
store or quarantine folder (the test suite runs as root, as CI does).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from dms_ingest.ingest.names import NAME_MAX, fit_name
from dms_ingest.ingest.pipeline import ingest_file
from dms_ingest.ingest.watcher import Inbox

from .inputs import image_pdf, letter, stored_zip, text_pdf

LONG = "Bescheid über die Verlängerung der Aufenthaltserlaubnis für Frau Ağaoğlu-Schäfer " * 3


def _long_name(ext: str) -> str:
    name = (LONG * 2).encode()[: 250 - len(ext)].decode("utf-8", "ignore") + ext
    assert 240 <= len(name.encode()) <= 255
    return name


# ----------------------------------------------------------------------------- item 4: long names


def test_fit_name_keeps_extension_and_distinguishes():
    a, b = "ä" * 200 + "-eins.pdf", "ä" * 200 + "-zwei.pdf"
    fa, fb = fit_name(a, room=11), fit_name(b, room=11)
    assert fa.endswith(".pdf") and fb.endswith(".pdf") and fa != fb
    assert len(fa.encode()) <= NAME_MAX - 11
    assert fit_name("kurz.pdf") == "kurz.pdf"


def test_ingest_folder_with_long_names_rejects_and_archives_without_crash(tmp_path, dms, home):
    folder = tmp_path / "eingang"
    folder.mkdir()
    (folder / _long_name(".pdf")).write_bytes(b"%PDF-1.4\n" + b"\x00kaputt" * 40)
    text_pdf(folder / _long_name(".txt.pdf"), [letter(1)])
    lines = dms.json_lines("ingest", "--workers", "1", str(folder))
    assert sorted(r["status"] for r in lines) == ["archived", "rejected"]
    kept = Path(next(r["quarantined"] for r in lines if r["status"] == "rejected"))
    assert kept.exists() and kept.name.endswith(".pdf")
    assert Path(str(kept) + ".reason.txt").read_text().startswith("the file is damaged")


def test_watcher_long_name_survives_restart_and_keeps_extension(tmp_path):
    inbox = Inbox(tmp_path / "inbox", [])
    sub = inbox.root / ("Ordner " * 30)[:200]
    sub.mkdir()
    name = _long_name(".pdf")
    (sub / name).write_bytes(b"%PDF-1.4 x")
    rel = (sub / name).relative_to(inbox.root).as_posix()
    taken = inbox.take(rel)
    assert taken is not None and len(taken.name.encode()) <= NAME_MAX
    restarted = Inbox(inbox.root, [])              # a new process finds it in processing/
    [(path, original)] = restarted.in_processing()
    assert original == rel
    reason = restarted.to_quarantine(path, original, "refused for a test")
    assert reason.name.endswith(".pdf")
    assert Path(str(reason) + ".reason.txt").exists()
    assert not any((inbox.processing / ".names").iterdir())


# ----------------------------------------------------------------------------- item 5: full disk


@pytest.fixture
def tiny_disk():
    mounted: list[Path] = []

    def mount(path: Path, size: str = "64k") -> Path:
        path.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs (needs root): {run.stderr.strip()}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_store_is_failed_not_rejected_and_leaves_nothing(tmp_path, dms, home, tiny_disk):
    objects = tiny_disk(home / "objects", "64k")
    source = image_pdf(tmp_path / "scan.pdf", 1, pixels=(700, 990))
    before = source.read_bytes()
    assert len(before) > 64 * 1024
    result = dms("ingest", "--json", "--workers", "1", str(source))
    assert result.exit_code == 1
    [line] = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert line["status"] == "failed" and "No space left" in line["error"]
    assert source.read_bytes() == before
    assert [p for p in objects.rglob("*") if p.is_file()] == [], "no partial object may stay"
    assert not (home / "quarantine").exists() or not any((home / "quarantine").iterdir())


def test_full_quarantine_is_failed_and_leaves_no_partial_copy(tmp_path, ctx, tiny_disk):
    folder = tiny_disk(ctx.settings.quarantine_dir, "16k")
    bad = tmp_path / "kaputt.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + os.urandom(100_000))
    [result] = ingest_file(bad, ctx)
    assert result.status == "failed"
    assert "No space left" in result.error
    assert list(folder.iterdir()) == [], "no 0-byte or truncated quarantine copy"
    assert bad.stat().st_size > 100_000


# ----------------------------------------------------------------------------- item 6: links


def test_folder_links_hidden_and_dangling_are_skipped_and_said(tmp_path, dms, home):
    outside = text_pdf(tmp_path / "fremd.pdf", [letter(7)])
    folder = tmp_path / "eingang"
    folder.mkdir()
    text_pdf(folder / "echt.pdf", [letter(8)])
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "fremd.pdf").symlink_to(outside)
    (folder / "weg.pdf").symlink_to(tmp_path / "gibt-es-nicht.pdf")
    (folder / "etc").symlink_to("/etc")
    (folder / ".versteckt.pdf").write_bytes(outside.read_bytes())
    os.mkfifo(folder / "rohr")
    lines = dms.json_lines("ingest", "--workers", "1", str(folder))
    by_name = {Path(r["source"]).name: r for r in lines}
    assert by_name["echt.pdf"]["status"] == "archived"
    assert {n: by_name[n]["reason_code"] for n in ("passwd", "fremd.pdf", "weg.pdf", "etc", ".versteckt.pdf", "rohr")} \
        == {"passwd": "symlink_outside", "fremd.pdf": "symlink_outside", "weg.pdf": "dangling_link",
            "etc": "symlink_outside", ".versteckt.pdf": "hidden", "rohr": "not_regular"}
    assert all(by_name[n]["status"] == "skipped" for n in by_name if n != "echt.pdf")
    assert not (home / "quarantine").exists(), "nothing from outside the folder may be copied"
    text = dms("ingest", "--workers", "1", str(folder)).stdout
    assert "outside the input folder" in text and "skipped" in text


# ----------------------------------------------------------------------------- item 7: ZIP, item 8: .msg


def test_stored_zip_of_pdfs_is_refused_as_zip(tmp_path, ctx):
    pdf = text_pdf(tmp_path / "a.pdf", [letter(3)]).read_bytes()
    archive = stored_zip(tmp_path / "lieferung.pdf", {"a.pdf": pdf, "b.pdf": pdf + b"\n"})
    [result] = ingest_file(archive, ctx)
    assert result.status == "rejected" and result.reason_code == "unsupported_type"
    assert "ZIP archive with 2 file(s)" in result.error
    assert ctx.catalog.documents() == []


def test_office_zip_and_outlook_msg_are_named_for_what_they_are(tmp_path, ctx):
    docx = stored_zip(tmp_path / "brief.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    msg = tmp_path / "mail.msg"
    msg.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000 + "__substg1.0_0037001F".encode("utf-16-le"))
    [office] = ingest_file(docx, ctx)
    [outlook] = ingest_file(msg, ctx)
    assert "Office document" in office.error
    assert "Outlook message" in outlook.error


# ----------------------------------------------------------------------------- item 8: CLI traps


@pytest.fixture
def two_letters(tmp_path, dms):
    text_pdf(tmp_path / "mit.pdf", [letter(1, "Bescheid über den Antrag")])
    text_pdf(tmp_path / "ohne.pdf", [letter(2, "Einladung zur Vorsprache")])
    lines = dms.json_lines("ingest", "--workers", "1", str(tmp_path / "mit.pdf"), str(tmp_path / "ohne.pdf"))
    return {Path(r["source"]).name: r["id"] for r in lines}


def test_search_with_leading_dash_is_a_query_not_an_option(dms, two_letters):
    result = dms("search", "Schreiben", "-Bescheid", "--json")
    assert result.exit_code == 0, result.output
    ids = [json.loads(x)["id"] for x in result.stdout.splitlines() if x.strip()]
    assert ids == [two_letters["ohne.pdf"]]
    assert dms("search", "-n", "5", "Schreiben", "--json").exit_code == 0


def test_get_never_overwrites_and_leaves_no_part_files(tmp_path, dms, two_letters):
    doc_id = two_letters["mit.pdf"]
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "vorhanden.pdf"
    existing.write_bytes(b"mine")
    refused = dms("get", doc_id, "-o", str(existing))
    assert refused.exit_code == 2 and "exists" in refused.output and "Traceback" not in refused.output
    assert existing.read_bytes() == b"mine"
    assert dms("get", doc_id, "-o", str(existing), "--force").exit_code == 0
    assert existing.read_bytes().startswith(b"%PDF")
    into = dms("get", doc_id, "-o", str(out))
    assert into.exit_code == 0 and (out / f"{doc_id}.pdf").exists()
    missing = dms("get", doc_id, "-o", str(tmp_path / "nicht" / "da.pdf"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


def test_watcher_reports_links_and_never_follows_them(tmp_path, dms, home):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "weg.pdf").symlink_to(tmp_path / "nicht-da.pdf")
    lines = dms.json_lines("watch", str(inbox), "--once", "--stable-seconds", "0", "--workers", "1")
    assert {(r["inbox_file"], r["status"]) for r in lines} == {("passwd.pdf", "skipped"), ("weg.pdf", "skipped")}
    assert all("symbolic link" in r["error"] for r in lines)
    assert (inbox / "passwd.pdf").is_symlink() and not any((inbox / "quarantine").iterdir())
    assert not (home / "quarantine").exists()


def test_mail_with_a_wrong_charset_reads_as_windows_1252(tmp_path, ctx):
    from .inputs import wrong_charset_mail

    results = ingest_file(wrong_charset_mail(tmp_path / "adresse.eml"), ctx)
    body = next(r for r in results if r.part == "body")
    assert body.status == "archived", body.error
    text = "\n".join(p.text for p in ctx.catalog.pages(body.id))
    assert "Hauptstraße 5" in text and "München" in text and "\ufffd" not in text
