"""Commands for search and the demo project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aia.cli.app import cli, json_option, print_json, project_of
from aia.search import SearchPage


def render_snippet(parts: tuple[tuple[str, bool], ...], color: bool) -> str:
    out = []
    for text, is_hit in parts:
        text = text.replace("\n", " ")
        out.append(click.style(text, bold=True, fg="yellow") if is_hit and color else (f"[{text}]" if is_hit else text))
    return "".join(out)


def print_page(page: SearchPage, color: bool) -> None:
    shown = f"{page.offset + 1}–{page.offset + len(page.hits)}" if page.hits else "0"
    click.echo(f"{page.total} segments match {page.query!r} (showing {shown})")
    for hit in page.hits:
        where = f"{hit.track_name} · WP{hit.wp_number}"
        if hit.date:
            where += f" · {hit.date}"
        who = f" · {hit.speaker}" if hit.speaker else ""
        click.echo(
            f"\n  source {hit.source_id} [{hit.ordinal}] {hit.source_title} ({where}{who}) {hit.start}–{hit.end}"
        )
        click.echo("    " + render_snippet(hit.snippet, color))


@cli.command("search")
@click.argument("query")
@click.option("--track", multiple=True, help="Only this forløb (repeatable).")
@click.option("--wp", multiple=True, type=click.IntRange(1, 5), help="Only this WP (repeatable).")
@click.option("--activity", multiple=True, type=int)
@click.option("--participant", multiple=True, help="Participant pseudonym (repeatable).")
@click.option("--code", multiple=True, help="Only segments coded with this code or its subcodes.")
@click.option("--source", multiple=True, type=int)
@click.option("--from", "date_from", help="From date YYYY-MM-DD.")
@click.option("--to", "date_to", help="To date YYYY-MM-DD.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0))
@json_option
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str,
    track: tuple[str, ...],
    wp: tuple[int, ...],
    activity: tuple[int, ...],
    participant: tuple[str, ...],
    code: tuple[str, ...],
    source: tuple[int, ...],
    date_from: str | None,
    date_to: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Full-text search with Danish stemming (bilerne finds bilen and biler).

    QUERY: words (all must occur), "a phrase", prefix*, -excluded, a OR b.
    """
    page = project_of(ctx).search(
        query, track, wp, activity, participant, code, source, date_from, date_to, limit, offset
    )
    if as_json:
        print_json(page)
        return
    print_page(page, color=sys.stdout.isatty())


@cli.command("demo")
@click.option("--path", type=click.Path(path_type=Path), default=Path("demo-project"), show_default=True)
@click.option("--replace", is_flag=True, help="Remove an earlier demo project at PATH first.")
@click.option("--query", default="værktøjerne", show_default=True, help="The search shown at the end.")
def demo_cmd(path: Path, replace: bool, query: str) -> None:
    """Build the demo project (fictional Danish AiA material) and show what it holds."""
    from aia.demo import DEMO_PASSPHRASE, build_demo

    project, summary = build_demo(path, replace=replace)
    with project:
        click.echo(f"built the demo project in {path}:")
        click.echo(
            f"  {summary.tracks} forløb, {summary.organisations} organisations, {summary.participants} "
            f"participants, {summary.activities} activities"
        )
        click.echo(
            f"  {summary.sources} sources with {summary.segments} segments, {summary.codes} codes, "
            f"{summary.codings} codings, {summary.memos} memos"
        )
        click.echo(
            f"  pseudonymised at import: {summary.replaced} identifiers replaced, {summary.flagged} left for review "
            f"(key store {project.keystore_path}, demo passphrase {DEMO_PASSPHRASE!r})"
        )
        for warning in summary.warnings:
            click.echo(f"  warning: {warning}")
        click.echo("")
        for cell in project.status():
            if cell.sources:
                click.echo(
                    f"  {cell.track:<22} WP{cell.wp} {cell.wp_name:<32} {cell.sources} sources, {cell.codings} codings"
                )
        click.echo(f"\n$ aia --project {path} search {query}")
        print_page(project.search(query, limit=5), color=sys.stdout.isatty())
        click.echo(f"\nTry: aia --project {path} code list   ·   aia --project {path} status")
