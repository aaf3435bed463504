"""What every command shares: the consoles, the settings and runtime of this run, error exits.

Commands register here (`command`, `group`) and `dms_ingest.cli` adds them to the Typer app, so
command modules never import the CLI module that imports them.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import typer
from rich.console import Console

from ..config import ConfigError, Settings, load_settings
from ..errors import ServiceError
from ..services.actor import Actor

# Wide enough for the result table when output goes to a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

state: dict = {}
COMMANDS: list[tuple[Callable, dict]] = []
GROUPS: list[tuple[typer.Typer, str]] = []


def command(**options) -> Callable[[Callable], Callable]:
    """Register a top-level `dms` command (options as for typer's app.command)."""
    def register(function: Callable) -> Callable:
        COMMANDS.append((function, options))
        return function
    return register


def group(name: str, help: str) -> typer.Typer:
    """A command group (`dms cases ...`), registered under *name*."""
    sub = typer.Typer(help=help, no_args_is_help=True)
    GROUPS.append((sub, name))
    return sub


def fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def reset(config: Path | None, home: Path | None) -> None:
    state.clear()
    state["config"] = config
    state["home"] = home


def settings() -> Settings:
    if "settings" not in state:
        try:
            state["settings"] = load_settings(state.get("config"), state.get("home"))
        except ConfigError as exc:
            fail(str(exc))
    return state["settings"]


def runtime():
    """The service layer's runtime for this run (catalog and store opened on first use)."""
    from ..services.runtime import Runtime

    if "runtime" not in state:
        state["runtime"] = Runtime(settings())
    return state["runtime"]


def actor(login: str | None = None) -> Actor:
    """Whoever runs the CLI on the server acts as the system, under the name given with --by."""
    return Actor.system(login or "system", client="cli")


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusal becomes a one-line message and its exit code."""
    try:
        yield
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)

