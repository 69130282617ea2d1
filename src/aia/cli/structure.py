"""Commands for the project and the AiA structure: init, status, tracks, WPs, activities, participants."""

from __future__ import annotations

from pathlib import Path

import click

from aia.cli.app import as_dict, cli, json_option, print_json, project_of
from aia.cli.privacy import new_passphrase
from aia.model import ActivityKind
from aia.project import init_project


def _attrs(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--attr")
        out[key.strip()] = value.strip()
    return out


@cli.command("init")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="Project name (default: the directory name).")
@click.option(
    "--no-keystore",
    is_flag=True,
    help="No key store and no pseudonymisation at import (only for material without personal data).",
)
def init_cmd(path: Path, name: str | None, no_keystore: bool) -> None:
    """Create a new project directory at PATH, with its key store (keys.aia).

    The key store's passphrase comes from $AIA_KEYSTORE_PASSPHRASE or is asked for. With a key store, every import
    is pseudonymised before it is stored.
    """
    passphrase = None if no_keystore else new_passphrase()
    with init_project(path, name=name, keystore_passphrase=passphrase) as project:
        click.echo(f"created project {project.name!r} in {path}")
        if passphrase is not None:
            click.echo(f"created its key store {project.keystore_path}; imports will be pseudonymised")


@cli.command("status")
@json_option
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """Counts of activities, sources, segments and codings per forløb × WP."""
    cells = project_of(ctx).status()
    if as_json:
        print_json(cells)
        return
    if not cells:
        click.echo("no forløb yet; add one with 'aia track add NAME'")
        return
    click.echo(f"{'forløb':<24} {'WP':<32} {'activities':>10} {'sources':>8} {'segments':>9} {'codings':>8}")
    for c in cells:
        wp = f"WP{c.wp} {c.wp_name}"[:32]
        click.echo(f"{c.track[:24]:<24} {wp:<32} {c.activities:>10} {c.sources:>8} {c.segments:>9} {c.codings:>8}")


@cli.group("track")
def track_group() -> None:
    """AiA-forløb (tracks): one per profession; each gets the five work packages."""


@track_group.command("add")
@click.argument("name")
@click.option("--prefix", help="Pseudonym prefix, e.g. SWU (default: from the name).")
@click.option("--description", default="", help="What the forløb covers.")
@click.pass_context
def track_add(ctx: click.Context, name: str, prefix: str | None, description: str) -> None:
    """Add a forløb NAME with WP1–WP5."""
    track = project_of(ctx).add_track(name, prefix=prefix, description=description)
    click.echo(f"added forløb {track.id}: {track.name} (prefix {track.prefix}) with WP1–WP5")


@track_group.command("list")
@json_option
@click.pass_context
def track_list(ctx: click.Context, as_json: bool) -> None:
    """List the forløb."""
    tracks = project_of(ctx).tracks()
    if as_json:
        print_json(tracks)
        return
    for t in tracks:
        click.echo(f"{t.id:>3}  {t.prefix:<6} {t.name}")


@cli.group("wp")
def wp_group() -> None:
    """Work packages (WP1–WP5, created with every forløb)."""


@wp_group.command("list")
@click.option("--track", help="Only this forløb (name, prefix or id).")
@json_option
@click.pass_context
def wp_list(ctx: click.Context, track: str | None, as_json: bool) -> None:
    """List work packages with their method."""
    project = project_of(ctx)
    wps = project.work_packages(track)
    if as_json:
        print_json(wps)
        return
    names = {t.id: t.name for t in project.tracks()}
    for wp in wps:
        click.echo(f"{names[wp.track_id]:<24} WP{wp.number} {wp.name} — {wp.method}")


@cli.group("activity")
def activity_group() -> None:
    """Activities: dated sessions (interview, workshop, field visit, probe session, netnography query)."""


@activity_group.command("add")
@click.option("--track", required=True, help="Forløb (name, prefix or id).")
@click.option("--wp", required=True, type=click.IntRange(1, 5), help="Work package number 1–5.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in ActivityKind]))
@click.option("--title", required=True)
@click.option("--date", help="YYYY-MM-DD")
@click.option("--place")
@click.option("--researcher", "researchers", multiple=True, help="Researcher (repeat for several).")
@click.option("--participant", "participants", multiple=True, help="Participant pseudonym (repeatable).")
@click.option("--notes", default="")
@click.pass_context
def activity_add(
    ctx: click.Context,
    track: str,
    wp: int,
    kind: str,
    title: str,
    date: str | None,
    place: str | None,
    researchers: tuple[str, ...],
    participants: tuple[str, ...],
    notes: str,
) -> None:
    """Add an activity to a forløb's work package."""
    activity = project_of(ctx).add_activity(
        track, wp, kind, title, date=date, place=place, researchers=researchers, notes=notes, participants=participants
    )
    click.echo(f"added activity {activity.id}: {activity.title}")


@activity_group.command("list")
@click.option("--track")
@click.option("--wp", type=click.IntRange(1, 5))
@json_option
@click.pass_context
def activity_list(ctx: click.Context, track: str | None, wp: int | None, as_json: bool) -> None:
    """List activities."""
    rows = project_of(ctx).activities(track, wp)
    if as_json:
        print_json([{**as_dict(a), "wp": w.number, "track_id": w.track_id} for a, w in rows])
        return
    for a, w in rows:
        click.echo(f"{a.id:>4}  WP{w.number}  {a.date or '—':<10}  {a.kind:<17} {a.title}")


@cli.group("organisation")
def organisation_group() -> None:
    """Organisations (SMEs) that participants work in."""


@organisation_group.command("add")
@click.argument("name")
@click.option("--sector")
@click.option("--size", help="E.g. '12 ansatte'.")
@click.option("--attr", "attrs", multiple=True, help="Free attribute KEY=VALUE (repeatable).")
@click.pass_context
def organisation_add(
    ctx: click.Context, name: str, sector: str | None, size: str | None, attrs: tuple[str, ...]
) -> None:
    """Add an organisation."""
    org = project_of(ctx).add_organisation(name, sector=sector, size=size, attributes=_attrs(attrs))
    click.echo(f"added organisation {org.code}: {org.name}")


@organisation_group.command("list")
@json_option
@click.pass_context
def organisation_list(ctx: click.Context, as_json: bool) -> None:
    """List organisations."""
    orgs = project_of(ctx).organisations()
    if as_json:
        print_json(orgs)
        return
    for o in orgs:
        click.echo(f"{o.code:<8} {o.name}  ({o.sector or '—'}, {o.size or '—'})")


@cli.group("participant")
def participant_group() -> None:
    """Participants, known by a pseudonym generated per forløb (e.g. SWU-P03)."""


@participant_group.command("add")
@click.option("--track", required=True, help="Forløb (name, prefix or id).")
@click.option("--role", help="E.g. AI-champion, medarbejder, leder.")
@click.option("--job-function", help="E.g. backend-udvikler.")
@click.option("--organisation", help="Organisation (code, name or id).")
@click.option("--attr", "attrs", multiple=True, help="Free attribute KEY=VALUE (repeatable).")
@click.pass_context
def participant_add(
    ctx: click.Context,
    track: str,
    role: str | None,
    job_function: str | None,
    organisation: str | None,
    attrs: tuple[str, ...],
) -> None:
    """Register a participant; prints the generated pseudonym."""
    p = project_of(ctx).add_participant(
        track, role=role, job_function=job_function, organisation=organisation, attributes=_attrs(attrs)
    )
    click.echo(f"added participant {p.pseudonym}")


@participant_group.command("list")
@click.option("--track")
@json_option
@click.pass_context
def participant_list(ctx: click.Context, track: str | None, as_json: bool) -> None:
    """List participants."""
    people = project_of(ctx).participants(track)
    if as_json:
        print_json(people)
        return
    for p in people:
        click.echo(f"{p.pseudonym:<10} {p.role or '—':<16} {p.job_function or '—'}")
