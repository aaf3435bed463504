"""The archive on a real S3 server (SeaweedFS on loopback): write path, WORM, fixity, faults."""

from __future__ import annotations

import json
import threading
import time

import yaml

from dms_datagen.pdf import born_digital_pdf
from dms_ingest.config import load_settings
from dms_ingest.ingest.context import Context
from dms_ingest.ingest.pipeline import ingest_file

from .plugins.cli import Dms
from .plugins.s3 import s3_config


def letters(folder, count, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        born_digital_pdf([[f"Schreiben Nummer {i} an die Ausländerbehörde",
                           f"Aktenvermerk {i}: Verlängerung der Aufenthaltserlaubnis beantragt"]],
                         folder / f"brief-{i:03d}.pdf")
    return folder


def test_write_path_objects_checksums_and_retention(tmp_path, dms_s3, s3_server):
    lines = dms_s3.json_lines("ingest", letters(tmp_path / "in", 2))
    assert [l["status"] for l in lines] == ["archived", "archived"]
    raw = s3_server.raw_client()
    bucket = yaml.safe_load(dms_s3.config.read_text())["storage"]["s3"]["bucket"]
    for line in lines:
        prefix = f"documents/{line['id']}/"
        names = sorted(o.object_name for o in raw.list_objects(bucket, prefix=prefix, recursive=True))
        assert names == [prefix + "archive.pdf", prefix + "metadata-1.json", prefix + "original.pdf"]
        stat = raw.stat_object(bucket, prefix + "original.pdf")
        assert line["sha256"] in json.dumps(dict(stat.metadata)).lower()
        retention = raw.get_object_retention(bucket, prefix + "archive.pdf")
        assert retention.mode == "GOVERNANCE"
    verify = json.loads(dms_s3("verify", "--json").stdout)
    assert verify["passed"] and verify["checked"] == 6 and verify["orphaned"] == []


def test_checksum_mismatch_behind_the_products_back(tmp_path, dms_s3, s3_server):
    import io

    [line] = dms_s3.json_lines("ingest", letters(tmp_path / "in", 1))
    raw = s3_server.raw_client()
    bucket = yaml.safe_load(dms_s3.config.read_text())["storage"]["s3"]["bucket"]
    forged = b"%PDF-1.4 not the archived bytes"
    raw.put_object(bucket, f"documents/{line['id']}/archive.pdf", io.BytesIO(forged), len(forged))
    result = dms_s3("verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [m["role"] for m in report["mismatched"]] == ["archive"]
    got = dms_s3("get", line["id"], "-o", tmp_path / "out.pdf")
    assert got.exit_code == 1 and "damaged" in got.output


def test_compliance_retention_refuses_delete_and_legal_hold(tmp_path, home, s3_server, s3_credentials):
    dms = Dms(home, s3_config(tmp_path, s3_server, retention_mode="COMPLIANCE", retention_days=1))
    [line] = dms.json_lines("ingest", letters(tmp_path / "in", 1))
    refused = dms("delete", line["id"], "--reason", "test")
    assert refused.exit_code == 1 and "retention until" in refused.output
    assert dms("hold", line["id"], "on").exit_code == 0
    raw = s3_server.raw_client()
    bucket = yaml.safe_load(dms.config.read_text())["storage"]["s3"]["bucket"]
    assert raw.is_object_legal_hold_enabled(bucket, f"documents/{line['id']}/original.pdf")
    assert json.loads(dms("show", line["id"], "--json").stdout)["legal_hold"] is True
    assert dms("hold", line["id"], "off").exit_code == 0
    assert not raw.is_object_legal_hold_enabled(bucket, f"documents/{line['id']}/original.pdf")
    assert json.loads(dms("verify", "--json").stdout)["passed"]


def test_server_stopped_mid_batch_every_document_stored_exactly_once(tmp_path, home, s3_server, s3_credentials):
    """Stop S3 during a batch; retries ride out the short outage, failures are redone, nothing doubles."""
    config = s3_config(tmp_path, s3_server, max_retries=2, backoff_base=0.2, backoff_cap=0.5)
    settings = load_settings(config, home=home)
    inbox = letters(tmp_path / "in", 16)
    files = sorted(inbox.iterdir())
    results = []
    with Context(settings, workers=1) as ctx:
        def batch():
            for path in files:
                results.extend(ingest_file(path, ctx))

        worker = threading.Thread(target=batch)
        worker.start()
        while len(results) < 3:
            time.sleep(0.05)
        s3_server.kill()            # a crash of the storage node, mid-batch
        time.sleep(2.0)
        s3_server.start()
        worker.join(timeout=300)
    statuses = [r.status for r in results]
    assert set(statuses) <= {"archived", "failed"} and statuses.count("archived") >= 3

    dms = Dms(home, config)
    reconciled = json.loads(dms("verify", "--reconcile", "--json").stdout)
    assert reconciled["pending_writes"] == 0
    assert len(reconciled["reconciled"]["rolled_back"]) == statuses.count("failed")
    rerun = dms.json_lines("ingest", inbox)          # the clerk runs the batch again
    assert {l["status"] for l in rerun} <= {"archived", "duplicate"}
    final = json.loads(dms("verify", "--json").stdout)
    assert final["passed"] and final["orphaned"] == [], final
    with Context(load_settings(config, home=home), workers=1) as ctx:
        documents = ctx.catalog.documents()
        keys = list(ctx.store.keys())
    assert len(documents) == len(files) == len({d.original_sha256 for d in documents})
    assert sum(k.endswith("/original.pdf") for k in keys) == len(files)


def test_split_batch_stores_its_scan_once(tmp_path, dms_s3, s3_server):
    import numpy as np
    import pikepdf
    import zxingcpp
    from PIL import Image

    first = born_digital_pdf([["Erstes Dokument: Mietvertrag über die Wohnung in der Lindenstraße"]],
                                          tmp_path / "a.pdf")
    second = born_digital_pdf([["Zweites Dokument: Entgeltabrechnung für den Monat Februar"]],
                                           tmp_path / "b.pdf")
    code = np.asarray(zxingcpp.create_barcode("DMS-SEPARATOR", zxingcpp.BarcodeFormat.QRCode).to_image(scale=8))
    sheet = Image.new("L", (1240, 1754), 255)
    sheet.paste(Image.fromarray(code), (400, 600))
    sheet.save(tmp_path / "sep.pdf", resolution=150)
    batch = tmp_path / "stapel.pdf"
    with pikepdf.open(first) as pdf, pikepdf.open(tmp_path / "sep.pdf") as sep, pikepdf.open(second) as other:
        pdf.pages.extend(sep.pages)
        pdf.pages.extend(other.pages)
        pdf.save(batch)
    lines = dms_s3.json_lines("ingest", batch)
    assert [l["status"] for l in lines] == ["archived", "archived"] and lines[0]["sheets"] == [2]
    raw = s3_server.raw_client()
    bucket = yaml.safe_load(dms_s3.config.read_text())["storage"]["s3"]["bucket"]
    originals = [o.object_name for o in raw.list_objects(bucket, prefix="documents/", recursive=True)
                 if "/original." in o.object_name]
    assert originals == [f"documents/{lines[0]['id']}/original.pdf"]
    shown = [json.loads(dms_s3("show", l["id"], "--json").stdout) for l in lines]
    assert shown[0]["original_key"] == shown[1]["original_key"]
    assert json.loads(dms_s3("verify", "--json").stdout)["passed"]
