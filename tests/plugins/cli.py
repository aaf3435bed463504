"""The `dms` command line run in-process against one DMS_HOME, like a clerk's shell would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner


class Dms:
    """Runs `dms` in-process against one DMS_HOME."""

    def __init__(self, home: Path, config: Path | None = None):
        self.home = home
        self.config = config
        self.runner = CliRunner()

    def __call__(self, *args: str, config: Path | None = None):
        from dms_ingest.cli import app

        config = config or self.config
        argv = (["--config", str(config)] if config else []) + [str(a) for a in args]
        return self.runner.invoke(app, argv, env={"DMS_HOME": str(self.home)}, catch_exceptions=False)

    def json_lines(self, *args: str) -> list[dict]:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def dms(home: Path) -> Dms:
    return Dms(home)


