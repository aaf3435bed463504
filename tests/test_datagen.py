"""The data generators live apart from production code and reproduce what the package ships."""

from __future__ import annotations

import ast
from pathlib import Path

from dms_datagen import people
from dms_datagen.training_corpus import generate_corpus
from dms_ingest.classifiers.doctype import CORPUS_FILE, read_corpus

from .paths import REPO

PACKAGE = REPO / "dms_ingest"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_production_code_never_imports_the_generators():
    offenders = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                       if any(m == "dms_datagen" or m.startswith("dms_datagen.") for m in imported_modules(p)))
    assert offenders == []


def test_shipped_corpus_is_what_the_generator_makes():
    # The model ships with its corpus; regenerating the corpus must give it back exactly,
    # so `python -m dms_datagen.training_corpus` rebuilds the shipped model from source.
    assert generate_corpus() == read_corpus(CORPUS_FILE)


def test_amounts_in_german_notation():
    assert people.euro(12345.5) == "12.345,50"
    assert people.euro(0.2) == "0,20"
