"""The README documents the public `--json` contract of `dms ingest`; it must list exactly the fields
the command prints, so a field added or renamed in code without the README (or the other way round) fails."""

from __future__ import annotations

import dataclasses
import re

from dms_datagen.pdf import born_digital_pdf
from dms_ingest.ingest.pipeline import IngestResult

from .paths import REPO


def readme_ingest_fields() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `dms ingest "))
    described = row.split("`--json`:", 1)[1].split(". Exit", 1)[0]
    described = re.sub(r"\([^)]*\)", "", described)  # status values and remarks in parentheses are not fields
    return re.findall(r"`([a-z_0-9]+)`", described)


def test_readme_lists_each_field_of_the_result_type_once():
    listed = readme_ingest_fields()
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == {f.name for f in dataclasses.fields(IngestResult)}


def test_the_command_prints_the_fields_the_readme_lists(tmp_path, dms):
    letter = born_digital_pdf([["Antrag auf Verlängerung der Aufenthaltserlaubnis"]], tmp_path / "antrag.pdf")
    [line] = dms.json_lines("ingest", letter)
    assert line["status"] == "archived", line
    assert set(line) == set(readme_ingest_fields())
