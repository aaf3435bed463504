"""`dms nightly`: failed work items retried, classifier retraining, fixity sample, report."""

from __future__ import annotations

import json

from .paper_files import Expected, check_rows, letter, report_rows, scanned_text, separator, write_folder, write_pdf
from .paths import REPO
from .plugins.cli import Dms
from .plugins.s3 import s3_config


def _setup(tmp_path, dms):
    """A migration with one file missing (a share not mounted) and one damaged file."""
    root = tmp_path / "scans"
    good = write_pdf(root / "a.pdf", [letter(1), separator(), letter(2)])
    broken = root / "b.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    manifest = root / "manifest.csv"
    manifest.write_text("path,case_number\na.pdf,ABH-2019-00001\nb.pdf,\nlater/c,ABH-2019-00003\n", encoding="utf-8")
    result = dms("migrate", manifest, "--report", tmp_path / "first.csv")
    assert result.exit_code == 1
    rows = report_rows(tmp_path / "first.csv")
    assert rows[str(root / "later" / "c")]["reason_code"] == "missing"
    return root, good, broken, manifest


def test_nightly_retries_failed_items_samples_fixity_and_writes_report(tmp_path, dms, settings, monkeypatch):
    monkeypatch.setenv("DMS_AUDIT_ANCHOR_KEY", "nightly-anchor-key")
    root, good, broken, manifest = _setup(tmp_path, dms)
    # the missing paper file turns up (the share is mounted again)
    late = write_folder(root / "later" / "c", [scanned_text(["Geburtsurkunde", "Standesamt"])], ["jpg"])

    result = dms("nightly", "--report", tmp_path / "nightly", "--sample", "5", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    retried = {item["path"]: item for item in report["retry"]["items"]}
    assert retried[str(late)]["state"] == "done"
    assert str(broken) not in retried                       # a damaged file is not retried: it needs a person
    assert [i["reason_code"] for i in report["retry"]["needs_a_person"]] == ["corrupt"]
    assert report["retry"]["done"] == 1 and report["retry"]["still_failed"] == 0

    fixity = report["fixity"]
    assert fixity["passed"] and fixity["checked"] == 9 and fixity["ok"] == 9    # 3 documents x 3 objects
    assert report["classifier"]["status"] == "skipped"
    assert report["classifier"]["reason"].startswith("skipped: ")

    assert json.loads((tmp_path / "nightly.json").read_text())["fixity"]["checked"] == 9
    text = (tmp_path / "nightly.txt").read_text()
    assert "1 retried, 1 now done" in text and "fixity sample of 5 documents" in text and "b.pdf: [corrupt]" in text
    assert report["access_log"]["ok"] and report["access_log"]["entries"] >= 1
    assert f"head {report['access_log']['head_hash']}" in text
    anchored = report["access_log"]["anchored"]                # the head, signed, outside the database
    assert anchored["seq"] > report["access_log"]["last_seq"] and f"anchored: entry #{anchored['seq']}" in text
    assert dms("audit", "verify").exit_code == 0
    assert report["search_index"]["status"] == "skipped"       # SQLite: FTS5 needs no rebuild
    assert "search index compaction: skipped (SQLite" in text

    # the migration report of the source now shows the late file archived and complete
    again = dms("migrate", manifest, "--report", tmp_path / "second.csv")
    assert again.exit_code == 1                               # b.pdf is still damaged
    check_rows(report_rows(tmp_path / "second.csv"),
               [Expected(good, "ABH-2019-00001", 3, 1, 2, 0), Expected(late, "ABH-2019-00003", 1, 0, 1, 0),
                Expected(broken, None, 0, 0, 0, 0, state="failed", reason="corrupt")])

    # nothing left to retry: a second night only checks
    quiet = json.loads(dms("nightly", "--report", tmp_path / "night2", "--sample", "1", "--json").stdout)
    assert quiet["retry"]["items"] == [] and quiet["fixity"]["passed"] and quiet["fixity"]["checked"] == 3


def test_nightly_fixity_sample_finds_a_damaged_object(tmp_path, dms, settings):
    from dms_ingest.index.catalog import Catalog
    from dms_ingest.storage import LocalStore

    root = tmp_path / "scans"
    write_pdf(root / "a.pdf", [letter(1)])
    assert dms("migrate", root).exit_code == 0
    [doc] = Catalog(settings.index_url).documents()
    path = LocalStore(settings.objects_dir)._path(doc.archive_key)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.7 not what was archived")

    result = dms("nightly", "--report", tmp_path / "n", "--sample", "10", "--no-train")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "n.json").read_text())
    assert not report["passed"] and [m["role"] for m in report["fixity"]["mismatched"]] == ["archive"]
    assert "ATTENTION NEEDED" in (tmp_path / "n.txt").read_text()


def test_nightly_retrains_the_classifier_after_reviews(tmp_path, dms, settings):
    from dms_ingest.index.catalog import Catalog

    root = tmp_path / "scans"
    write_pdf(root / "a.pdf", [letter(1)])
    assert dms("migrate", root).exit_code == 0
    [doc] = Catalog(settings.index_url).documents()
    assert dms("cases", "import", REPO / "samples" / "cases.csv").exit_code == 0
    assigned = dms("review", "assign", doc.id, "--case", "ABH-2019-04711", "--type", "bescheid", "--by", "pruefer")
    assert assigned.exit_code == 0, assigned.output

    result = dms("nightly", "--report", tmp_path / "n", "--sample", "1", "--json", "--no-retry")
    assert result.exit_code == 0, result.output
    classifier = json.loads(result.stdout)["classifier"]
    assert classifier["status"] == "done", classifier
    assert classifier["entry_point"].endswith("retrain_from_reviews") and classifier["result"]["reviewed"] == 1
    assert (settings.home / "models" / "doctype.joblib").exists()
    # the next night: no new reviews, no retraining
    again = json.loads(dms("nightly", "--report", tmp_path / "n2", "--sample", "1", "--json", "--no-retry").stdout)
    assert again["classifier"]["reason"] == "skipped: no documents reviewed since the last training"


def test_object_store_down_during_migration_the_nightly_batch_finishes_it(tmp_path, home, s3_server, monkeypatch):
    """S3 unreachable: the paper files fail as 'store_unavailable' (nothing half-archived); once it
    is back, the nightly batch archives them."""
    import yaml

    if not s3_server.running:
        s3_server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    config = s3_config(tmp_path, s3_server, max_retries=0, backoff_base=0.1, backoff_cap=0.2, connect_timeout=1)
    raw = yaml.safe_load(config.read_text())
    raw["migration"]["max_attempts"] = 1
    config.write_text(yaml.safe_dump(raw))
    dms = Dms(home, config)
    root = tmp_path / "scans"
    write_pdf(root / "a.pdf", [letter(1), separator(), letter(2)])
    write_pdf(root / "b.pdf", [letter(3)])

    s3_server.stop()
    try:
        result = dms("migrate", root, "--report", tmp_path / "down.csv", "--workers", "1")
    finally:
        s3_server.start()
    assert result.exit_code == 1, result.output
    rows = report_rows(tmp_path / "down.csv")
    assert {r["state"] for r in rows.values()} == {"failed"}
    assert {r["reason_code"] for r in rows.values()} == {"store_unavailable"}

    report = json.loads(dms("nightly", "--report", tmp_path / "n", "--sample", "10", "--json", "--no-train").stdout)
    assert report["passed"] and report["retry"]["done"] == 2, report["retry"]
    assert report["fixity"]["checked"] == 9 and report["fixity"]["passed"]
    again = dms("migrate", root, "--report", tmp_path / "up.csv")
    assert again.exit_code == 0, again.output
    check_rows(report_rows(tmp_path / "up.csv"),
               [Expected(root / "a.pdf", None, 3, 1, 2, 0), Expected(root / "b.pdf", None, 1, 0, 1, 0)])
