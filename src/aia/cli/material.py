"""Commands for material: import, sources, memos."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from aia.cli.app import as_dict, cli, ensure_keys, json_option, print_json, project_of, require_lead
from aia.cli.exchange import refi_files, refi_import
from aia.model import MEMO_TARGETS
from aia.services.importing import ImportResult


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--track", help="Forløb (name, prefix or id); not needed with --activity.")
@click.option("--wp", type=click.IntRange(1, 5), help="Work package 1–5; not needed with --activity.")
@click.option("--activity", type=int, help="Activity id the material comes from.")
@click.option("--participant", "participants", multiple=True, help="Participant pseudonym (repeatable).")
@click.option("--force", is_flag=True, help="Import a file again even if the same file is in the activity.")
@click.option(
    "--no-pseudonymise",
    "no_pseudonymise",
    is_flag=True,
    help="Store the text as it is (only for material without personal data; the project setting is the default).",
)
@click.option(
    "--positions",
    type=click.Choice(["auto", "utf16", "codepoints"]),
    default="auto",
    show_default=True,
    help="REFI-QDA (.qdpx) only: how the file counts selection positions (NVivo for Windows: utf16).",
)
@click.option(
    "--new-project",
    "new_project",
    type=click.Path(path_type=Path, file_okay=False),
    help="REFI-QDA (.qdpx) only: create this new project directory and import into it.",
)
@click.option(
    "--override-consent",
    "consent_override",
    metavar="REASON",
    help="Lead only: import although a named participant's consent does not cover the WP (the reason is recorded).",
)
@click.option(
    "--remove-missing",
    is_flag=True,
    help="REFI-QDA (.qdpx) only: remove codings on sources the project has already that the file lacks (kept "
    "by default).",
)
@json_option
@click.pass_context
def import_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    track: str | None,
    wp: int | None,
    activity: int | None,
    participants: tuple[str, ...],
    force: bool,
    no_pseudonymise: bool,
    positions: str,
    new_project: Path | None,
    as_json: bool,
    consent_override: str | None,
    remove_missing: bool,
) -> None:
    """Import FILES (.txt .md .docx .odt .pdf .html .vtt .srt) into a forløb's WP or an activity.

    Each file is imported whole or not at all. Exit status 1 if any file failed. When the project has a key store,
    names, e-mails, phone numbers and CPR numbers are replaced by pseudonyms before anything is stored (the key
    store's passphrase comes from $AIA_KEYSTORE_PASSPHRASE or is asked for); review with 'aia pseudonymise review'.

    A REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder … is merged into the
    project by GUID (--new-project DIR: into a new project); --track/--wp place its sources that belong to no
    forløb/WP Set. Objects the project has already are updated to what the file says, and each change is printed;
    --remove-missing also removes codings on them that the file lacks. See docs/refi-qda.md.
    """
    if refi_files(files) or new_project is not None:
        refi_import(
            ctx,
            files,
            track,
            wp,
            activity,
            participants,
            positions,
            new_project,
            as_json,
            consent_override,
            remove_missing,
        )
        return
    if remove_missing:
        raise click.UsageError("--remove-missing applies to REFI-QDA project files (.qdpx) only")
    project = project_of(ctx)
    if consent_override is not None:
        require_lead(project, "importing without covering consent")
    pseudonymise = False if no_pseudonymise else None
    if not no_pseudonymise and project.pseudonymisation_setting():
        ensure_keys(project)
    show_bar = sys.stderr.isatty() and not as_json and len(files) > 1

    def report(result: ImportResult) -> None:
        if as_json:
            return
        if result.status == "failed":
            click.echo(f"error: {result.message}", err=True)
        elif result.status == "skipped":
            click.echo(f"skipped {result.filename}: {result.message}")
        else:
            review = ""
            if result.replaced or result.flagged:
                review = (
                    f"; {result.replaced} identifiers replaced, {result.flagged} flagged — "
                    f"'aia pseudonymise review {result.source_id}'"
                )
            click.echo(
                f"imported {result.filename} as source {result.source_id} "
                f"({result.importer}, {result.segments} segments{review})"
            )
        for warning in result.warnings:
            click.echo(f"warning: {result.filename}: {warning}", err=True)

    if show_bar:
        with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
            task = bar.add_task("import", total=len(files))

            def step(result: ImportResult) -> None:
                bar.advance(task)
                report(result)

            results = project.import_files(
                files,
                track,
                wp,
                activity,
                participants,
                force,
                on_result=step,
                pseudonymise=pseudonymise,
                consent_override=consent_override,
            )
    else:
        results = project.import_files(
            files,
            track,
            wp,
            activity,
            participants,
            force,
            on_result=report,
            pseudonymise=pseudonymise,
            consent_override=consent_override,
        )
    if as_json:
        print_json(results)
    if any(r.status == "failed" for r in results):
        ctx.exit(1)


@cli.group("sources")
def sources_group() -> None:
    """Imported sources."""


@sources_group.command("list")
@click.option("--track")
@click.option("--wp", type=click.IntRange(1, 5))
@click.option("--activity", type=int)
@json_option
@click.pass_context
def sources_list(ctx: click.Context, track: str | None, wp: int | None, activity: int | None, as_json: bool) -> None:
    """List sources (without their text)."""
    rows = project_of(ctx).sources(track, wp, activity)
    if as_json:
        print_json([{**as_dict(s, "text"), "track": t, "wp": n} for s, t, n in rows])
        return
    for s, t, n in rows:
        click.echo(f"{s.id:>5}  {t[:20]:<20} WP{n}  {s.date or '—':<10}  {s.importer:<8} {s.title}")


@cli.group("source")
def source_group() -> None:
    """One source."""


@source_group.command("show")
@click.argument("source_id", type=int)
@click.option("--text/--no-text", "with_text", default=True, help="Print the segments' text.")
@json_option
@click.pass_context
def source_show(ctx: click.Context, source_id: int, with_text: bool, as_json: bool) -> None:
    """Show a source: metadata and its segments with offsets, speakers and times."""
    project = project_of(ctx)
    source = project.view_source(source_id)
    segments = project.segments(source_id)
    people = project.source_participants(source_id)
    if as_json:
        print_json(
            {
                "source": source,
                "participants": people,
                "segments": [{**as_dict(seg), "text": source.text[seg.start : seg.end]} for seg in segments],
            }
        )
        return
    click.echo(f"source {source.id}: {source.title}")
    click.echo(
        f"  file {source.original_filename} ({source.importer}, {source.size} bytes, sha256 "
        f"{source.sha256[:12]}…), date {source.date or '—'}, language {source.language or '—'}"
    )
    if people:
        click.echo(f"  participants: {', '.join(people)}")
    if source.importer == "netnography":
        from aia.cli.netnography import print_thread

        print_thread(source, segments, with_text)
        return
    for seg in segments:
        head = f"[{seg.ordinal}] {seg.start}–{seg.end} {seg.kind}"
        if seg.speaker:
            head += f" {seg.speaker}"
        if seg.start_ms is not None:
            head += f" @{_clock(seg.start_ms)}"
        click.echo(head)
        if with_text:
            click.echo("    " + source.text[seg.start : seg.end].replace("\n", "\n    "))


def _clock(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _target(on: str | None) -> tuple[str, str | None]:
    if on is None or on == "project":
        return "project", None
    kind, sep, ref = on.partition(":")
    if not sep or kind not in MEMO_TARGETS:
        raise click.BadParameter(
            f"{on!r} is not TYPE:REF with TYPE one of {', '.join(MEMO_TARGETS)}", param_hint="--on"
        )
    return kind, ref


@cli.group("memo")
def memo_group() -> None:
    """Memos in Markdown, on the project or on a forløb, activity, source, code, coding or participant."""


@memo_group.command("add")
@click.option("--title", required=True)
@click.option("--body", help="Markdown text; read from standard input if left out.")
@click.option(
    "--on", help="What the memo is about: project (default) or TYPE:REF, e.g. code:5, source:12, participant:SWU-P03."
)
@click.pass_context
def memo_add(ctx: click.Context, title: str, body: str | None, on: str | None) -> None:
    """Write a memo."""
    if body is None:
        body = sys.stdin.read()
    kind, ref = _target(on)
    memo = project_of(ctx).add_memo(title, body, kind, ref)
    click.echo(f"added memo {memo.id}: {memo.title}")


@memo_group.command("list")
@click.option("--on", help="Only memos on this target (project or TYPE:REF).")
@json_option
@click.pass_context
def memo_list(ctx: click.Context, on: str | None, as_json: bool) -> None:
    """List memos."""
    project = project_of(ctx)
    memos = project.memos(*_target(on)) if on else project.memos()
    if as_json:
        print_json(memos)
        return
    for m in memos:
        target = m.target_type + (f":{m.target_id}" if m.target_id is not None else "")
        click.echo(f"{m.id:>4}  {target:<16} {m.title}  ({m.author}, {m.updated_at[:10]})")
