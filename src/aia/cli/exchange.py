"""Commands that exchange material with other QDA tools (REFI-QDA)."""

from __future__ import annotations

from pathlib import Path

import click

from aia.cli.app import cli, project_of
from aia.exchange.refi import ExportSummary, export_qdc, export_qdpx


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
    _report(export_qdpx(project_of(ctx), out), "qdpx")


@export_group.command("qdc")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export_qdc_command(ctx: click.Context, out: Path) -> None:
    """Write the codebook as a REFI-QDA codebook file (OUT.qdc)."""
    _report(export_qdc(project_of(ctx), out), "qdc")
