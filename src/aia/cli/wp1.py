"""Commands for WP1: AI-interaction logs, probes, probe sessions, turn annotations and their taxonomy."""

from __future__ import annotations

from pathlib import Path

import click

from aia.cli.app import as_dict, cli, ensure_keys, json_option, print_json, project_of, require_lead
from aia.cli.material import source_group
from aia.services.sources import SourceMove
from aia.store.probes import DIMENSIONS, PROBE_KINDS


@cli.group("ailog")
def ailog_group() -> None:
    """AI-interaction logs: ChatGPT and Claude exports, DevGPT JSON, generic JSONL/CSV (one source per conversation)."""


@ailog_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--track", help="Forløb (name, prefix or id); not needed with --activity.")
@click.option("--wp", type=click.IntRange(1, 5), help="Work package 1–5; not needed with --activity.")
@click.option("--activity", type=int, help="Activity id (e.g. the probe session) the logs come from.")
@click.option("--participant", "participants", multiple=True, help="Participant pseudonym (repeatable).")
@click.option("--force", is_flag=True, help="Import conversations again that are stored from the same file already.")
@click.option("--no-pseudonymise", "no_pseudonymise", is_flag=True, help="Store the text as it is.")
@click.option(
    "--override-consent",
    "consent_override",
    metavar="REASON",
    help="Lead only: import although a named participant's consent does not cover the WP (the reason is recorded).",
)
@json_option
@click.pass_context
def ailog_import(
    ctx: click.Context,
    files: tuple[Path, ...],
    track: str | None,
    wp: int | None,
    activity: int | None,
    participants: tuple[str, ...],
    force: bool,
    no_pseudonymise: bool,
    consent_override: str | None,
    as_json: bool,
) -> None:
    """Import AI-interaction logs; every conversation becomes its own source with one segment per turn.

    A file that cannot be read is reported and nothing of it is stored. Exit status 1 if any file failed."""
    project = project_of(ctx)
    if consent_override is not None:
        require_lead(project, "importing without covering consent")
    if not no_pseudonymise and project.pseudonymisation_setting():
        ensure_keys(project)
    results = project.import_ai_logs(
        files, track, wp, activity, participants, force, False if no_pseudonymise else None, consent_override
    )
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r.status == "failed":
                click.echo(f"error: {r.message}", err=True)
            elif r.status == "skipped":
                click.echo(f"skipped {r.filename}: {r.message}")
            else:
                click.echo(f"imported {r.filename} as source {r.source_id} ({r.importer}, {r.segments} turns)")
            for warning in r.warnings:
                click.echo(f"warning: {r.filename}: {warning}", err=True)
    if any(r.status == "failed" for r in results):
        ctx.exit(1)


@ailog_group.command("turns")
@click.argument("source_id", type=int)
@json_option
@click.pass_context
def ailog_turns(ctx: click.Context, source_id: int, as_json: bool) -> None:
    """The turns of an AI-log source with their annotations (number, role, model, alternatives)."""
    project = project_of(ctx)
    source = project.source(source_id)
    notes = {a.ordinal: a for a in project.turn_annotations(source_id)}
    segments = project.segments(source_id)
    if as_json:
        print_json(
            [
                {
                    **as_dict(s, "stem", "plain"),
                    "text": source.text[s.start : s.end],
                    "annotation": as_dict(notes[s.ordinal]) if s.ordinal in notes else None,
                }
                for s in segments
            ]
        )
        return
    for s in segments:
        alt = f" (alternativ til {s.meta['alternative_of']})" if s.meta.get("alternative_of") is not None else ""
        branch = f" [gren {s.meta['branch']}]" if s.meta.get("branch") else ""
        first = " ".join(source.text[s.start : s.end].removeprefix(f"{s.speaker}: ").split())[:90]
        click.echo(f"{s.ordinal:>4}  {s.speaker or '—':<9} {s.meta.get('model') or '':<22}{branch}{alt}  {first}")
        if s.ordinal in notes:
            a = notes[s.ordinal]
            click.echo(f"      ↳ {a.technique or '—'} / {a.outcome or '—'}  {a.note}")


@cli.group("probe")
def probe_group() -> None:
    """WP1 probes: described scenarios (jailbreak challenge, provotype, code-review probe, other)."""


@probe_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(PROBE_KINDS), required=True)
@click.option("--instructions", default="", help="What participants are asked to do.")
@click.option("--setup", default="", help="The system prompt or setup used.")
@click.option(
    "--setup-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Read --setup from a file."
)
@click.pass_context
def probe_add(ctx: click.Context, name: str, kind: str, instructions: str, setup: str, setup_file: Path | None) -> None:
    """Describe a probe."""
    if setup_file is not None:
        setup = setup_file.read_text(encoding="utf-8")
    probe = project_of(ctx).add_probe(name, kind, instructions, setup)
    click.echo(f"added probe {probe.id}: {probe.name} ({probe.kind})")


@probe_group.command("list")
@json_option
@click.pass_context
def probe_list(ctx: click.Context, as_json: bool) -> None:
    """All probes."""
    probes = project_of(ctx).probes()
    if as_json:
        print_json(probes)
        return
    if not probes:
        click.echo("no probes yet; add one with 'aia probe add NAME --kind provotype'")
    for p in probes:
        click.echo(f"{p.id:>4}  {p.name}  ({p.kind})")


@probe_group.command("show")
@click.argument("probe")
@json_option
@click.pass_context
def probe_show(ctx: click.Context, probe: str, as_json: bool) -> None:
    """Overview of a probe: sessions, logs, attempts per technique, outcomes, reflections."""
    view = project_of(ctx).probe_overview(probe)
    if as_json:
        print_json(view)
        return
    p = view.probe
    click.echo(f"{p.name} ({p.kind})")
    if p.instructions:
        click.echo(f"Instruktioner: {p.instructions}")
    if p.setup:
        click.echo(f"Opsætning: {p.setup}")
    click.echo(f"\nSessioner: {len(view.sessions)}")
    for s in view.sessions:
        people = ", ".join(s["participants"]) or "—"
        click.echo(f"  aktivitet {s['activity_id']}: {s['title']} ({s['date'] or '—'}; {people})")
        for src in s["sources"]:
            click.echo(f"    kilde {src['id']}: {src['title']} ({src['importer']}, {src['turns']} ture)")
        for note in s["reflections"]:
            click.echo(f"    refleksion: {note['title']}")
    click.echo("\nForsøg pr. teknik:")
    for name, n in view.techniques.items():
        outcomes = ", ".join(f"{o}: {c}" for o, c in view.technique_outcomes.get(name, {}).items())
        click.echo(f"  {name}: {n}" + (f" ({outcomes})" if outcomes else ""))
    click.echo("Udfald:")
    for name, n in view.outcomes.items():
        click.echo(f"  {name}: {n}")


@probe_group.command("edit")
@click.argument("probe")
@click.option("--kind", type=click.Choice(PROBE_KINDS))
@click.option("--instructions")
@click.option("--setup")
@click.pass_context
def probe_edit(ctx: click.Context, probe: str, kind: str | None, instructions: str | None, setup: str | None) -> None:
    """Change a probe's kind, instructions or setup."""
    changed = project_of(ctx).update_probe(probe, instructions, setup, kind)
    click.echo(f"updated probe {changed.id}: {changed.name}")


@cli.group("session")
def session_group() -> None:
    """WP1 probe sessions: activities run with a probe (participants, logs, reflections)."""


@session_group.command("add")
@click.argument("probe")
@click.option("--track", help="Forløb of the new WP1 activity.")
@click.option("--title")
@click.option("--date", help="YYYY-MM-DD")
@click.option("--participant", "participants", multiple=True)
@click.option("--researcher", "researchers", multiple=True)
@click.option("--notes", default="")
@click.option("--activity", type=int, help="Use an existing WP1 activity instead of creating one.")
@click.pass_context
def session_add(
    ctx: click.Context,
    probe: str,
    track: str | None,
    title: str | None,
    date: str | None,
    participants: tuple[str, ...],
    researchers: tuple[str, ...],
    notes: str,
    activity: int | None,
) -> None:
    """Start a probe session with PROBE (a new WP1 activity, or --activity)."""
    session = project_of(ctx).add_probe_session(probe, track, title, date, participants, researchers, notes, activity)
    click.echo(
        f"added probe session (activity {session.activity_id}): {session.title}; "
        f"import its logs with 'aia ailog import FILE --activity {session.activity_id}'"
    )


@session_group.command("list")
@click.option("--probe")
@json_option
@click.pass_context
def session_list(ctx: click.Context, probe: str | None, as_json: bool) -> None:
    """Probe sessions, optionally of one probe."""
    sessions = project_of(ctx).probe_sessions(probe)
    if as_json:
        print_json(sessions)
        return
    for s in sessions:
        click.echo(
            f"{s.activity_id:>4}  {s.date or '—':<10}  {s.probe}: {s.title}  ({', '.join(s.participants) or '—'})"
        )


@session_group.command("reflect")
@click.argument("session", type=int)
@click.option("--title", required=True)
@click.option("--body", default="")
@click.option("--file", "body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def session_reflect(ctx: click.Context, session: int, title: str, body: str, body_file: Path | None) -> None:
    """Add a reflection note to a probe session (its activity id)."""
    if body_file is not None:
        body = body_file.read_text(encoding="utf-8")
    memo = project_of(ctx).add_reflection(session, title, body)
    click.echo(f"added reflection {memo.id} to session {session}")


_OVERRIDE_HELP = (
    "Lead only: move although a named participant's consent does not cover the WP (the reason is recorded)."
)


def _print_move(moved: SourceMove, as_json: bool) -> None:
    if as_json:
        print_json(moved)
        return
    origin = f"activity {moved.from_activity}" if moved.from_activity is not None else "no activity"
    click.echo(
        f"moved source {moved.source_id} from {origin} (WP{moved.from_wp}) to activity {moved.to_activity} "
        f"(WP{moved.to_wp})"
    )
    if moved.overridden:
        click.echo(
            f"warning: moved without covering consent (override recorded): {', '.join(moved.overridden)}", err=True
        )


@source_group.command("move")
@click.argument("source_id", type=int)
@click.option("--activity", type=int, required=True, help="The activity (and so its WP) the source moves to.")
@click.option("--override-consent", "consent_override", metavar="REASON", help=_OVERRIDE_HELP)
@json_option
@click.pass_context
def source_move(ctx: click.Context, source_id: int, activity: int, consent_override: str | None, as_json: bool) -> None:
    """Move a source to another activity, with its segments, codings and annotations unchanged."""
    project = project_of(ctx)
    if consent_override is not None:
        require_lead(project, "moving a source without covering consent")
    _print_move(project.move_source(source_id, activity, consent_override), as_json)


@session_group.command("attach")
@click.argument("session", type=int)
@click.argument("source_id", type=int)
@click.option("--override-consent", "consent_override", metavar="REASON", help=_OVERRIDE_HELP)
@json_option
@click.pass_context
def session_attach(
    ctx: click.Context, session: int, source_id: int, consent_override: str | None, as_json: bool
) -> None:
    """Attach an AI log imported elsewhere (SOURCE_ID) to the probe session SESSION (its activity id)."""
    project = project_of(ctx)
    if consent_override is not None:
        require_lead(project, "attaching a log without covering consent")
    _print_move(project.attach_log(session, source_id, consent_override), as_json)


@cli.group("turn")
def turn_group() -> None:
    """Annotate turns of AI logs with a technique and an outcome (see 'aia taxonomy list')."""


@turn_group.command("annotate")
@click.argument("source_id", type=int)
@click.argument("turn", type=int)
@click.option("--technique")
@click.option("--outcome")
@click.option("--note", default="")
@click.pass_context
def turn_annotate(
    ctx: click.Context, source_id: int, turn: int, technique: str | None, outcome: str | None, note: str
) -> None:
    """Annotate TURN (its number as shown by 'aia ailog turns') of SOURCE_ID; again replaces it."""
    a = project_of(ctx).annotate_turn(source_id, turn, technique, outcome, note)
    click.echo(f"annotated turn {a.ordinal} of source {a.source_id}: {a.technique or '—'} / {a.outcome or '—'}")


@turn_group.command("remove")
@click.argument("source_id", type=int)
@click.argument("turn", type=int)
@click.pass_context
def turn_remove(ctx: click.Context, source_id: int, turn: int) -> None:
    """Remove the annotation of a turn."""
    project_of(ctx).remove_turn_annotation(source_id, turn)
    click.echo(f"removed the annotation of turn {turn} of source {source_id}")


@turn_group.command("list")
@click.option("--source", "source_id", type=int)
@click.option("--probe")
@json_option
@click.pass_context
def turn_list(ctx: click.Context, source_id: int | None, probe: str | None, as_json: bool) -> None:
    """Turn annotations, of one source or of one probe's sessions."""
    found = project_of(ctx).turn_annotations(source_id, probe)
    if as_json:
        print_json(found)
        return
    for a in found:
        click.echo(
            f"source {a.source_id} turn {a.ordinal} ({a.speaker}): {a.technique or '—'} / {a.outcome or '—'}  {a.note}"
        )


@cli.group("taxonomy")
def taxonomy_group() -> None:
    """The project's taxonomy for turn annotations: techniques and outcomes."""


@taxonomy_group.command("list")
@click.option("--dimension", type=click.Choice(DIMENSIONS))
@json_option
@click.pass_context
def taxonomy_list(ctx: click.Context, dimension: str | None, as_json: bool) -> None:
    """The techniques and outcomes."""
    terms = project_of(ctx).annotation_terms(dimension)
    if as_json:
        print_json(terms)
        return
    for t in terms:
        click.echo(f"{t.dimension:<10} {t.name}" + (f" — {t.description}" if t.description else ""))


@taxonomy_group.command("add")
@click.argument("dimension", type=click.Choice(DIMENSIONS))
@click.argument("name")
@click.option("--description", default="")
@click.pass_context
def taxonomy_add(ctx: click.Context, dimension: str, name: str, description: str) -> None:
    """Add a technique or an outcome."""
    term = project_of(ctx).add_annotation_term(dimension, name, description)
    click.echo(f"added {term.dimension} {term.name!r}")


@taxonomy_group.command("rename")
@click.argument("dimension", type=click.Choice(DIMENSIONS))
@click.argument("name")
@click.argument("new_name")
@click.pass_context
def taxonomy_rename(ctx: click.Context, dimension: str, name: str, new_name: str) -> None:
    """Rename a technique or an outcome (its annotations follow)."""
    term = project_of(ctx).rename_annotation_term(dimension, name, new_name)
    click.echo(f"renamed {dimension} {name!r} to {term.name!r}")


@taxonomy_group.command("remove")
@click.argument("dimension", type=click.Choice(DIMENSIONS))
@click.argument("name")
@click.pass_context
def taxonomy_remove(ctx: click.Context, dimension: str, name: str) -> None:
    """Remove an unused technique or outcome."""
    project_of(ctx).remove_annotation_term(dimension, name)
    click.echo(f"removed {dimension} {name!r}")
