"""Shared fixtures: a fresh DMS_HOME per test, settings, a pipeline context, the peer corpus; servers from tests/plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

from dms_ingest.config import load_settings
from dms_ingest.ingest.context import Context

from .paths import PEER_CORPUS, REPO

pytest_plugins = (
    "tests.plugins.cli",
    "tests.plugins.s3",
    "tests.plugins.imap",
    "tests.plugins.ldap",
    "tests.plugins.postgres",
    "tests.plugins.redis",
)


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


@pytest.fixture
def peer_corpus() -> Path:
    if not (PEER_CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("../shared/peer-corpus is not present")
    return PEER_CORPUS
