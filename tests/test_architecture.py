"""The layout the README's architecture section promises: no import cycles, and the database is
reached only through the index (`dms_ingest/index/`) and the service layer (`dms_ingest/services/`)."""

from __future__ import annotations

import ast
import subprocess
import sys

from .paths import REPO

PACKAGE = REPO / "dms_ingest"
DATABASE_LAYERS = (PACKAGE / "index", PACKAGE / "services")


def test_no_module_imports_itself_around_a_ring():
    found = subprocess.run([sys.executable, REPO / "scripts" / "import_cycles.py", PACKAGE],
                           capture_output=True, text=True)
    assert found.returncode == 0 and found.stdout.startswith("0 import cycle(s)"), found.stdout + found.stderr


def database_uses(path) -> list[str]:
    """SQLAlchemy/SQLModel imports (other than their exceptions), sessions opened and engines
    reached in one module."""
    uses = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlalchemy", "sqlmodel") \
                and node.module != "sqlalchemy.exc":
            uses.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("sqlalchemy", "sqlmodel")
                                                  for a in node.names):
            uses.append(f"line {node.lineno}: import sqlalchemy/sqlmodel")
        elif isinstance(node, ast.Attribute) and node.attr in ("engine", "session"):
            uses.append(f"line {node.lineno}: .{node.attr}")
    return uses


def test_only_the_index_and_the_services_reach_the_database():
    outside = {str(path.relative_to(REPO)): uses for path in sorted(PACKAGE.rglob("*.py"))
               if not any(layer in path.parents for layer in DATABASE_LAYERS) and (uses := database_uses(path))}
    assert outside == {}


def test_the_check_sees_a_session_opened_elsewhere(tmp_path):
    module = tmp_path / "leak.py"
    module.write_text("from sqlmodel import Session\n\ndef read(catalog):\n"
                      "    with Session(catalog.engine) as s:\n        return s\n")
    assert len(database_uses(module)) == 2
