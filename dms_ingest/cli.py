"""The `dms` command line (Typer). Thin: every command parses, calls a service, prints.

The commands live in dms_ingest/commands/ (one module per area); this module only builds the app
from them. `--json` output is a public contract that scripts depend on: field names are kept,
fields are only ever added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .commands import documents, search, archive, cases, applications, inbox, migrate, access  # noqa: F401,I001 - importing registers, in help order
from .commands.console import COMMANDS, GROUPS, reset

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="dms-ingest: scans and mail in, searchable PDF/A out, for the e-Akte.")


@app.callback()
def main(config: Optional[Path] = typer.Option(None, "--config", help="Configuration file instead of config.yaml."),
         home: Optional[Path] = typer.Option(None, "--home", envvar="DMS_HOME",
                                             help="Where data lives (default ./var).")) -> None:
    reset(config, home)


for _function, _options in COMMANDS:
    app.command(**_options)(_function)
for _group, _name in GROUPS:
    app.add_typer(_group, name=_name)


def run() -> None:  # pragma: no cover - console entry for `python -m dms_ingest`
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
