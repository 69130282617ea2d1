"""Commands that exchange material with other QDA tools (REFI-QDA); the import is a branch of ``aia import``."""

from __future__ import annotations

from pathlib import Path

import click

from aia.cli.app import as_dict, cli, print_json, project_of, require_lead
from aia.exchange.refi import ExportSummary
from aia.exchange.refi.importer import import_into_new_project


@cli.group("export")
def export_group() -> None:
    """Export to other QDA tools (NVivo, ATLAS.ti, MAXQDA, QualCoder …) in the REFI-QDA standard."""


def _report(summary: ExportSummary, what: str) -> None:
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(summary.describe(what))


@export_group.command("qdpx")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export_qdpx_command(ctx: click.Context, out: Path) -> None:
    """Write the whole project as a REFI-QDA project file (OUT.qdpx)."""
    _report(project_of(ctx).export_qdpx(out), "qdpx")


@export_group.command("qdc")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export_qdc_command(ctx: click.Context, out: Path) -> None:
    """Write the codebook as a REFI-QDA codebook file (OUT.qdc)."""
    _report(project_of(ctx).export_qdc(out), "qdc")


REFI_SUFFIXES = (".qdpx", ".qdc")


def refi_files(files: tuple[Path, ...]) -> bool:
    """Whether ``aia import`` was given REFI-QDA files (then they must be the only files)."""
    return any(f.suffix.lower() in REFI_SUFFIXES for f in files)


def refi_import(
    ctx: click.Context,
    files: tuple[Path, ...],
    track: str | None,
    wp: int | None,
    activity: int | None,
    participants: tuple[str, ...],
    positions: str,
    new_project: Path | None,
    as_json: bool,
    consent_override: str | None = None,
    remove_missing: bool = False,
) -> None:
    """``aia import FILE.qdpx|FILE.qdc``: the REFI-QDA branch of the import command."""
    if len(files) != 1 or not refi_files(files):
        raise click.UsageError("import one REFI-QDA file (.qdpx or .qdc) at a time, without other files")
    if activity is not None or participants:
        raise click.UsageError("--activity and --participant do not apply to REFI-QDA files; use --track and --wp")
    if (track is None) != (wp is None):
        raise click.UsageError("give --track and --wp together (where sources outside any forløb/WP Set go)")
    path = files[0]
    into = (track, wp) if track is not None and wp is not None else None
    if path.suffix.lower() == ".qdc":
        if new_project is not None or positions != "auto" or remove_missing:
            raise click.UsageError(
                "--new-project, --positions and --remove-missing apply to .qdpx files, not to a .qdc codebook"
            )
        summary = project_of(ctx).import_qdc(path)
    elif new_project is not None:
        project, summary = import_into_new_project(
            path, new_project, positions, into, consent_override=consent_override
        )
        project.close()
    else:
        project = project_of(ctx)
        if consent_override is not None:
            require_lead(project, "importing without covering consent")
        summary = project.import_qdpx(path, positions, into, consent_override, remove_missing)
    if as_json:
        print_json({**as_dict(summary), "path": str(summary.path)})
        return
    for warning in summary.warnings:
        click.echo(f"warning: {path.name}: {warning}", err=True)
    for change in summary.changes:
        click.echo(f"changed: {change}")
    click.echo(summary.describe() + (f" (new project {new_project})" if new_project is not None else ""))
