"""``aia consent …``, ``aia participant withdraw``, ``aia erasure …``, ``aia retention …``, ``aia audit …``,
``aia exports``, ``aia backup`` and ``aia restore``: participants' data protection (issue 6, items 3–7)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from aia.cli.app import as_dict, cli, ensure_keys, json_option, lead_of, print_json, project_of
from aia.cli.structure import participant_group
from aia.errors import ValidationError
from aia.services.backup import PASSPHRASE_ENV, restore_backup
from aia.services.erasure import ErasureReport
from aia.services.retention import RetentionReport


def _yes_no(value: bool) -> str:
    return "ja" if value else "nej"


# --- consent -----------------------------------------------------------------------------------------------------


@cli.group("consent")
def consent_group() -> None:
    """Samtykke: informationsark, dato, retsgrundlag og omfang pr. deltager (underskrevet blanket krypteret)."""


@consent_group.command("add")
@click.argument("participant")
@click.option("--sheet-version", required=True, help="Version of the information sheet.")
@click.option("--date", "day", required=True, help="Date of consent (YYYY-MM-DD).")
@click.option(
    "--basis",
    type=click.Choice(["consent", "research"]),
    default="consent",
    show_default=True,
    help="consent, or research (§ 10: research of significant societal importance).",
)
@click.option("--wp", "wps", type=int, multiple=True, help="WP the consent covers (repeatable).")
@click.option("--audio/--no-audio", default=False, help="Audio recording allowed.")
@click.option("--quotes/--no-quotes", default=False, help="Verbatim quotes in publications allowed.")
@click.option("--archiving/--no-archiving", default=False, help="Archiving allowed.")
@click.option("--reuse/--no-reuse", default=False, help="Reuse in later research allowed.")
@click.option("--form", type=click.Path(path_type=Path, dir_okay=False), help="Signed form (kept encrypted).")
@click.option("--note", default="", help="Note.")
@click.pass_context
def consent_add(
    ctx: click.Context,
    participant: str,
    sheet_version: str,
    day: str,
    basis: str,
    wps: tuple[int, ...],
    audio: bool,
    quotes: bool,
    archiving: bool,
    reuse: bool,
    form: Path | None,
    note: str,
) -> None:
    """Record the consent of PARTICIPANT (a new record; the newest counts)."""
    project = lead_of(ctx, "recording consent")
    if form is not None:
        ensure_keys(project)
    record = project.add_consent(
        participant, sheet_version, day, basis, wps, audio, quotes, archiving, reuse, form, note
    )
    click.echo(f"recorded the consent of {record.pseudonym} ({record.date}, {', '.join(f'WP{w}' for w in record.wps)})")


@consent_group.command("show")
@click.argument("participant")
@json_option
@click.pass_context
def consent_show(ctx: click.Context, participant: str, as_json: bool) -> None:
    """Show the current consent of PARTICIPANT and earlier records."""
    records = project_of(ctx).consents(participant)
    if as_json:
        print_json(records)
        return
    if not records:
        raise ValidationError(f"participant {participant} has no consent recorded; add it with 'aia consent add'")
    for i, r in enumerate(reversed(records)):
        label = "gældende" if i == 0 else "tidligere"
        click.echo(
            f"{r.pseudonym} ({label}): informationsark {r.sheet_version}, dato {r.date}, grundlag {r.legal_basis}"
        )
        click.echo(
            f"  WP: {', '.join(f'WP{w}' for w in r.wps) or '—'}; lydoptagelse {_yes_no(r.audio)}, citater "
            f"{_yes_no(r.quotes)}, arkivering {_yes_no(r.archiving)}, genbrug {_yes_no(r.reuse)}"
        )
        form = f"{r.form_media_type}, {r.form_size} bytes (krypteret)" if r.form_media_type else "ingen"
        click.echo(f"  underskrevet blanket: {form}; registreret af {r.recorded_by} {r.recorded_at}")


@consent_group.command("list")
@json_option
@click.pass_context
def consent_list(ctx: click.Context, as_json: bool) -> None:
    """List the current consent of every participant (and who has none)."""
    project = project_of(ctx)
    current = {r.pseudonym: r for r in project.consents()}
    people = [p.pseudonym for p in project.participants()]
    if as_json:
        print_json({p: (as_dict(current[p]) if p in current else None) for p in people})
        return
    for p in people:
        r = current.get(p)
        if r is None:
            click.echo(f"{p}: intet samtykke registreret")
        else:
            wps = ", ".join(f"WP{w}" for w in r.wps) or "—"
            click.echo(f"{p}: {r.legal_basis}, {r.date}, ark {r.sheet_version}, {wps}")


@consent_group.command("form")
@click.argument("participant")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Where to write it.")
@click.pass_context
def consent_form(ctx: click.Context, participant: str, out: Path) -> None:
    """Decrypt the signed consent form of PARTICIPANT to --out (needs the key store)."""
    project = lead_of(ctx, "reading a signed consent form")
    ensure_keys(project)
    if out.exists():
        raise ValidationError(f"{out} exists already; choose a new file name")
    _media, data = project.consent_form(participant)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")


# --- withdrawal and erasure --------------------------------------------------------------------------------------


def _print_report(report: ErasureReport, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    click.echo(f"erasure {report.job_id} of {report.pseudonym}: {report.state}")
    for name, count in sorted(report.counts.items()):
        click.echo(f"  {name}: {count}")
    click.echo(f"  key store entry: {report.keystore}")
    for export in report.earlier_exports:
        click.echo(
            f"  earlier export: {export['kind']} {export['path']} by {export['exported_by']} at {export['exported_at']}"
        )
    for copy in report.earlier_copies:
        click.echo(f"  earlier database copy: {copy}")
    for note in report.notes:
        click.echo(f"note: {note}")


@participant_group.command("withdraw")
@click.argument("participant")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@click.pass_context
def participant_withdraw(ctx: click.Context, participant: str, yes: bool, as_json: bool) -> None:
    """Erase PARTICIPANT everywhere (withdrawal of consent): cannot be undone."""
    project = lead_of(ctx, "withdrawing a participant")
    person = project.participant(participant)
    if not yes and not click.confirm(f"erase {person.pseudonym} and all their material for good?", default=False):
        raise click.Abort()
    ensure_keys(project)
    _print_report(project.withdraw_participant(person.pseudonym), as_json)


@cli.group("erasure")
def erasure_group() -> None:
    """Erasures (withdrawals): reports and resuming."""


@erasure_group.command("list")
@json_option
@click.pass_context
def erasure_list(ctx: click.Context, as_json: bool) -> None:
    """List erasures."""
    jobs = lead_of(ctx, "listing erasures").erasure_jobs()
    if as_json:
        print_json([as_dict(j, "plan") for j in jobs])
        return
    for j in jobs:
        click.echo(
            f"{j.id}: {j.pseudonym} ({j.reason}) by {j.requested_by} at {j.requested_at}: {j.state}, "
            f"key store {j.keystore}"
        )


@erasure_group.command("report")
@click.argument("job_id", type=int)
@json_option
@click.pass_context
def erasure_report(ctx: click.Context, job_id: int, as_json: bool) -> None:
    """Show the report of erasure JOB_ID, with the exports made before it."""
    _print_report(lead_of(ctx, "reading an erasure report").erasure_report(job_id), as_json)


@erasure_group.command("resume")
@click.pass_context
def erasure_resume(ctx: click.Context) -> None:
    """Finish interrupted erasures and remove pending key-store entries (asks for the key store passphrase)."""
    project = lead_of(ctx, "resuming an erasure")
    ensure_keys(project)
    reports = project.resume_erasures()
    if not reports:
        click.echo("no erasure is pending")
    for report in reports:
        _print_report(report, False)


# --- retention ---------------------------------------------------------------------------------------------------


@cli.group("retention")
def retention_group() -> None:
    """Retention: project end date, retention period, and what happens when it ends."""


@retention_group.command("set")
@click.option("--end", "end", required=True, help="Project end date (YYYY-MM-DD).")
@click.option("--years", type=int, required=True, help="Years the data are kept after the end.")
@click.pass_context
def retention_set(ctx: click.Context, end: str, years: int) -> None:
    """Set the project end date and retention period."""
    lead_of(ctx, "setting the retention period").set_retention(end, years)
    click.echo(f"data are kept until {years} years after {end}")


def _print_retention(report: RetentionReport, as_json: bool, done: bool) -> None:
    if as_json:
        print_json(report)
        return
    years = "—" if report.retention_years is None else report.retention_years
    click.echo(
        f"project end {report.project_end or '—'}, retention {years} years, "
        f"due {report.due_date or '—'}: {'due' if report.due else 'not due'}"
    )
    lead = "done:" if done else ("would:" if report.due else "when due:")
    for action in report.actions:
        click.echo(f"  {lead} {action}")


_today = click.option("--today", help="Date to check against (YYYY-MM-DD; default: today).")
_mode = click.option("--mode", type=click.Choice(["delete", "anonymise"]), default="delete", show_default=True)


@retention_group.command("check")
@_today
@_mode
@json_option
@click.pass_context
def retention_check(ctx: click.Context, today: str | None, mode: str, as_json: bool) -> None:
    """Dry run: is the retention period over, and what would be deleted or anonymised."""
    _print_retention(project_of(ctx).retention_check(today, mode), as_json, False)


@retention_group.command("apply")
@_today
@_mode
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@click.pass_context
def retention_apply(ctx: click.Context, today: str | None, mode: str, yes: bool, as_json: bool) -> None:
    """Delete or anonymise the project's data once the retention period is over (cannot be undone)."""
    project = lead_of(ctx, "applying retention")
    if not yes and not click.confirm(f"{mode} the project's data for good?", default=False):
        raise click.Abort()
    ensure_keys(project)
    _print_retention(project.retention_apply(today, mode), as_json, True)


# --- audit -------------------------------------------------------------------------------------------------------


@cli.group("audit")
def audit_group() -> None:
    """The audit log: who viewed, exported, imported, changed and erased what, hash-chained."""


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Check the audit log's hash chain; exit status 1 naming the rows if any was edited or removed."""
    problems = project_of(ctx).verify_audit()
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        ctx.exit(1)
    click.echo(f"the audit log is intact ({len(project_of(ctx).audit_events())} events)")


@audit_group.command("list")
@click.option("--user", help="Only this user.")
@click.option("--action", help="Only this action (or prefix: 'export').")
@click.option("--since", help="From this date/time (UTC).")
@click.option("--until", help="Up to this date/time (UTC).")
@click.option("--limit", type=int, help="At most this many.")
@json_option
@click.pass_context
def audit_list(
    ctx: click.Context,
    user: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List audit events, oldest first."""
    events = lead_of(ctx, "reading the audit log").audit_events(user, action, since, until, limit)
    if as_json:
        print_json(events)
        return
    for e in events:
        details = "" if e.details is None else f" {e.details}"
        target = "" if e.target is None else f" {e.target}"
        click.echo(f"{e.id} {e.at} {e.actor} {e.action}{target}{details}{' (redacted)' if e.redacted else ''}")


@cli.command("exports")
@json_option
@click.pass_context
def exports_cmd(ctx: click.Context, as_json: bool) -> None:
    """List every registered export and backup (who, when, what)."""
    exports = lead_of(ctx, "reading the export register").exports()
    if as_json:
        print_json(exports)
        return
    for e in exports:
        click.echo(f"{e['id']}: {e['kind']} {e['path']} by {e['exported_by']} at {e['exported_at']} {e['summary']}")


# --- backup and restore ------------------------------------------------------------------------------------------


def _backup_passphrase(confirm: bool) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise ValidationError(f"the backup passphrase is needed: set {PASSPHRASE_ENV}")
    return str(click.prompt("backup passphrase", hide_input=True, confirmation_prompt=confirm))


@cli.command("backup")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--encrypt", is_flag=True, help=f"Encrypt with a passphrase (${PASSPHRASE_ENV} or asked).")
@click.option("--include-keys", is_flag=True, help="Include the key store keys.aia (left out by default).")
@click.pass_context
def backup_cmd(ctx: click.Context, out: Path, encrypt: bool, include_keys: bool) -> None:
    """Write a backup archive of the project to OUT (works while the project is in use)."""
    passphrase = _backup_passphrase(True) if encrypt else None
    summary = lead_of(ctx, "making a backup").backup(out, passphrase, include_keys)
    click.echo(
        f"wrote {out}: database and {summary['files']} original files"
        f"{', encrypted' if summary['encrypted'] else ''}{', with the key store' if summary['includes_keys'] else ''}"
    )


@cli.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def restore_cmd(archive: Path, directory: Path) -> None:
    """Restore the backup ARCHIVE into the new directory DIRECTORY."""
    with archive.open("rb") as fh:
        encrypted = fh.read(8) == b"AIABAK1\x00"
    passphrase = _backup_passphrase(False) if encrypted else None
    root = restore_backup(archive, directory, passphrase)
    click.echo(f"restored the project into {root}")
