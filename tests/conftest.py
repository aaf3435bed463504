"""Shared fixtures: a fresh DMS_HOME per test, a pipeline context, the CLI, generated pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
PEER_CORPUS = REPO.parent / "shared" / "peer-corpus"
SAMPLES = REPO / "samples"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dms_ingest.config import load_settings  # noqa: E402
from s3server import s3_server, s3_store  # noqa: E402,F401 - fixtures: a real SeaweedFS on loopback
from dms_ingest.ingest.context import Context  # noqa: E402


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path):
    return load_settings(REPO / "config.yaml", home=home)


@pytest.fixture
def ctx(settings):
    with Context(settings, workers=1) as context:
        yield context


class Dms:
    """Runs `dms` in-process against one DMS_HOME, like a clerk's shell would."""

    def __init__(self, home: Path):
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str, config: Path | None = None):
        from dms_ingest.cli import app

        argv = (["--config", str(config)] if config else []) + [str(a) for a in args]
        return self.runner.invoke(app, argv, env={"DMS_HOME": str(self.home)}, catch_exceptions=False)

    def json_lines(self, *args: str) -> list[dict]:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def dms(home: Path) -> Dms:
    return Dms(home)


@pytest.fixture
def peer_corpus() -> Path:
    if not (PEER_CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("../shared/peer-corpus is not present")
    return PEER_CORPUS
