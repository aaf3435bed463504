"""Item 2: N processes ingesting overlapping folders on one index archive each original once.

Each process gets a folder of its own holding copies of the same shared originals (plus one
original of its own), so every shared original is offered N times at nearly the same moment.
Runs on the embedded SQLite index and on PostgreSQL (127.0.0.1:5432), starting on a fresh
DMS_HOME each time so that schema creation races too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dms_ingest.config import load_settings
from dms_ingest.index.catalog import Catalog

from ..paths import REPO
from .inputs import letter, text_pdf

SHARED = 3


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("originals")
    return [text_pdf(folder / f"schreiben-{n}.pdf", [letter(n)]) for n in range(SHARED + 8)]


@pytest.fixture(params=["sqlite", "postgresql"])
def index_config(request, tmp_path):
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("pg_url")  # tests/plugins/postgres.py: a fresh database, dropped afterwards
    config = tmp_path / "config.yaml"
    config.write_text((REPO / "config.yaml").read_text() + f"\nindex:\n  url: {url}\n")
    return config


@pytest.mark.parametrize("processes", [2, 4, 8])
def test_n_processes_archive_each_original_once(processes, originals, index_config, tmp_path):
    home = tmp_path / "home"
    folders = []
    for n in range(processes):
        folder = tmp_path / f"drop-{n}"
        folder.mkdir()
        for original in originals[:SHARED]:
            shutil.copy(original, folder / f"kopie-{n}-{original.name}")
        shutil.copy(originals[SHARED + n], folder / originals[SHARED + n].name)
        folders.append(folder)
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    config = ["--config", str(index_config)] if index_config else []
    runs = [subprocess.Popen([sys.executable, "-m", "dms_ingest", *config, "ingest", "--json", "--workers", "1",
                              str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for folder in folders]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs):
        assert run.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr
    results = [json.loads(line) for stdout, _ in outputs for line in stdout.splitlines() if line.strip()]
    statuses = Counter(r["status"] for r in results)
    distinct = SHARED + processes
    assert statuses["archived"] == distinct, statuses
    assert statuses["duplicate"] == SHARED * (processes - 1), statuses

    settings = load_settings(index_config or REPO / "config.yaml", home=home)
    catalog = Catalog(settings.index_url)
    per_original = Counter(d.original_sha256 for d in catalog.documents())
    assert len(per_original) == distinct
    assert set(per_original.values()) == {1}, "an original was archived more than once"
    with catalog.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM original_claims")).scalar() == 0, "claims left behind"
    catalog.engine.dispose()


def test_verify_notices_an_original_archived_twice(tmp_path, dms, settings):
    """What the probe's concurrent runs left behind (79 documents for 40 originals) must not pass verify."""
    from dms_ingest.index.models import DocumentRow, PageRow

    text_pdf(tmp_path / "brief.pdf", [letter(1), letter(2)])
    [line] = dms.json_lines("ingest", "--workers", "1", str(tmp_path / "brief.pdf"))
    assert json.loads(dms("verify", "--json").stdout)["doubled"] == []
    catalog = Catalog(settings.index_url)
    doc = catalog.get(line["id"])
    twin = DocumentRow(**{**doc.model_dump(), "id": doc.id + "-twin"})
    catalog.add_document(twin, [PageRow(document_id=twin.id, number=p.number, text=p.text)
                                for p in catalog.pages(doc.id)])
    result = dms("verify", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["doubled"] == [{"sha256": doc.original_sha256,
                                                     "documents": sorted([doc.id, twin.id])}]
