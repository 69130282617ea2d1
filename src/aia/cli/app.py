"""The command group, the global ``--project`` option, and how errors and JSON are printed."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aia import __version__
from aia.errors import AiaError
from aia.project import Project, open_project

F = TypeVar("F", bound=Callable[..., Any])


class AiaCommandError(click.ClickException):
    """A known failure: printed as ``error: <sentence>``, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class AiaGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AiaError as exc:
            raise AiaCommandError(str(exc)) from exc


class State:
    def __init__(self, project_path: Path, user: str | None = None) -> None:
        self.project_path = project_path
        self.user = user
        self._project: Project | None = None

    def project(self) -> Project:
        if self._project is None:
            self._project = open_project(self.project_path, user=self.user)
            if self._project.upgrade_notice:
                click.echo(self._project.upgrade_notice, err=True)
        return self._project

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


@click.group(cls=AiaGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--project",
    "-p",
    "project_path",
    type=click.Path(path_type=Path),
    envvar="AIA_PROJECT",
    help="Project directory. Default: $AIA_PROJECT, else the current directory.",
)
@click.option(
    "--user",
    "user",
    envvar="AIA_USER",
    help="Who is acting (recorded in the audit log; lead-only commands need a lead account when the project has "
    "accounts). Default: $AIA_USER, else the operating-system user.",
)
@click.version_option(__version__, prog_name="aia")
@click.pass_context
def cli(ctx: click.Context, project_path: Path | None, user: str | None) -> None:
    """AiA Workbench: organise, import, code and search the material of AI in Action.

    A project is a directory holding aia.sqlite and files/. Every listing command takes --json.
    """
    state = State(project_path or Path(os.getcwd()), (user or "").strip() or None)
    ctx.obj = state
    ctx.call_on_close(state.close)


def project_of(ctx: click.Context) -> Project:
    state = ctx.find_object(State)
    assert state is not None
    return state.project()


def require_lead(project: Project, action: str) -> None:
    """Stop a lead-only command when the CLI user is not the lead (see :meth:`Project.require_lead`)."""
    project.require_lead(action)


def lead_of(ctx: click.Context, action: str) -> Project:
    """The project, for a lead-only command (``action`` names it in the refusal)."""
    project = project_of(ctx)
    project.require_lead(action)
    return project


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON only.")(f)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def as_dict(obj: Any, *leave_out: str) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict, without the named fields."""
    data: dict[str, Any] = _plain(obj)
    for name in leave_out:
        data.pop(name, None)
    return data


def print_json(value: Any) -> None:
    click.echo(json.dumps(_plain(value), ensure_ascii=False, indent=2))


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="aia")
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("interrupted", err=True)
        sys.exit(130)


def ensure_keys(project: Project) -> None:
    """Unlock the project's key store for a command that needs it: from $AIA_KEYSTORE_PASSPHRASE, else by asking
    (on a terminal). Without either the service raises its own clear error when it needs the store."""
    from aia.privacy.keystore import passphrase_from_env

    if project.keys_unlocked() or not project.has_keystore():
        return
    passphrase = passphrase_from_env()
    if passphrase is None and sys.stdin.isatty():
        passphrase = click.prompt(f"passphrase of the key store {project.keystore_path}", hide_input=True)
    if passphrase is not None:
        project.unlock_keys(passphrase)
