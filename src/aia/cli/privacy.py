"""``aia keys …`` (the key store) and ``aia pseudonymise …`` (settings and the review step)."""

from __future__ import annotations

import sys

import click

from aia.cli.app import as_dict, cli, ensure_keys, json_option, lead_of, print_json, project_of
from aia.errors import ValidationError
from aia.privacy.identities import OrganisationIdentity, PersonIdentity, org_key, person_key
from aia.privacy.keystore import PASSPHRASE_ENV, passphrase_from_env
from aia.services.pseudonymisation import ReviewItem


def new_passphrase() -> str:
    """A new key-store passphrase: $AIA_KEYSTORE_PASSPHRASE, or asked for twice on a terminal."""
    value = passphrase_from_env()
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise ValidationError(
            f"the key store needs a passphrase: set {PASSPHRASE_ENV}, or pass --no-keystore for material without "
            "personal data"
        )
    return str(click.prompt("passphrase for the new key store", hide_input=True, confirmation_prompt=True))


@cli.group("keys")
def keys_group() -> None:
    """The key store (keys.aia): real identities behind pseudonyms, kept encrypted apart from the database."""


@keys_group.command("init")
@click.pass_context
def keys_init_cmd(ctx: click.Context) -> None:
    """Create the project's key store and switch pseudonymisation at import on."""
    project = lead_of(ctx, "creating the key store")
    keys = project.create_keystore(new_passphrase())
    project.set_pseudonymisation(on=True)
    click.echo(f"created the key store {keys.path}; keep its passphrase safe: without it nobody can open it")


def _merge(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*old, *new]))


@keys_group.command("person")
@click.argument("pseudonym")
@click.option("--name", "names", multiple=True, help="Full name (repeatable).")
@click.option("--first-name", help="First name.")
@click.option("--surname", help="Surname.")
@click.option("--alias", "aliases", multiple=True, help="Nickname or other name (repeatable).")
@click.option("--email", "emails", multiple=True, help="E-mail address (repeatable).")
@click.option("--phone", "phones", multiple=True, help="Phone number (repeatable).")
@click.option("--cpr", help="CPR number (DDMMYY-XXXX).")
@click.option("--employer", help="Employer's name.")
@click.pass_context
def keys_person_cmd(
    ctx: click.Context,
    pseudonym: str,
    names: tuple[str, ...],
    first_name: str | None,
    surname: str | None,
    aliases: tuple[str, ...],
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    cpr: str | None,
    employer: str | None,
) -> None:
    """Record who participant PSEUDONYM is (values are added to what the key store has)."""
    project = lead_of(ctx, "changing the key store")
    key = project.participant(person_key(pseudonym)).pseudonym
    ensure_keys(project)
    keys = project.keys()
    old = keys.person(key) or PersonIdentity()
    keys.set_person(
        key,
        PersonIdentity(
            full_names=_merge(old.full_names, names),
            first_name=first_name or old.first_name,
            surname=surname or old.surname,
            aliases=_merge(old.aliases, aliases),
            emails=_merge(old.emails, emails),
            phones=_merge(old.phones, phones),
            cpr=cpr or old.cpr,
            employer=employer or old.employer,
        ),
    )
    project.save_keys()
    click.echo(f"saved the identity of {key} in the key store")


@keys_group.command("org")
@click.argument("code")
@click.option("--name", "names", multiple=True, help="The organisation's name (repeatable).")
@click.option("--alias", "aliases", multiple=True, help="What people call it (repeatable).")
@click.pass_context
def keys_org_cmd(ctx: click.Context, code: str, names: tuple[str, ...], aliases: tuple[str, ...]) -> None:
    """Record the real name(s) of organisation CODE (ORG-02)."""
    project = lead_of(ctx, "changing the key store")
    key = project.organisation(org_key(code)).code
    ensure_keys(project)
    keys = project.keys()
    old = keys.organisation(key) or OrganisationIdentity()
    keys.set_organisation(key, OrganisationIdentity(_merge(old.names, names), _merge(old.aliases, aliases)))
    project.save_keys()
    click.echo(f"saved the names of {key} in the key store")


@keys_group.command("list")
@click.option("--reveal", is_flag=True, help="Print the identifying values too (they appear on your screen).")
@json_option
@click.pass_context
def keys_list_cmd(ctx: click.Context, reveal: bool, as_json: bool) -> None:
    """Pseudonyms in the key store, with how many identifying values each has."""
    project = lead_of(ctx, "reading the key store")
    ensure_keys(project)
    keys = project.keys()
    identities: list[tuple[str, PersonIdentity | OrganisationIdentity]] = [
        *keys.people().items(),
        *keys.organisations().items(),
    ]
    rows = [
        {"pseudonym": k, "values": len(v.identifiers()), **({"identity": v.to_json()} if reveal else {})}
        for k, v in identities
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['pseudonym']:<12} {row['values']:>3} values" + (f"  {row['identity']}" if reveal else ""))


@cli.group("pseudonymise")
def pseudonymise_group() -> None:
    """Pseudonymisation at import: settings and the review of what was replaced or flagged."""


@pseudonymise_group.command("settings")
@click.option("--on/--off", "on", default=None, help="Pseudonymise imports (needs a key store).")
@click.option(
    "--originals",
    type=click.Choice(["encrypted", "none"]),
    help="Keep imported originals encrypted with the key store's key, or not at all.",
)
@click.pass_context
def pseudonymise_settings_cmd(ctx: click.Context, on: bool | None, originals: str | None) -> None:
    """Show or change the project's pseudonymisation settings."""
    project = lead_of(ctx, "changing the pseudonymisation settings")
    if on is not None or originals is not None:
        project.set_pseudonymisation(on, originals)
    state = "on" if project.pseudonymisation_setting() else "off"
    keystore = project.keystore_path if project.has_keystore() else "none (create one with 'aia keys init')"
    click.echo(f"pseudonymisation at import: {state}\noriginals: {project.originals_setting()}\nkey store: {keystore}")


def _parse_assign(values: tuple[str, ...]) -> list[tuple[int, str]]:
    out = []
    for value in values:
        item, _, pseudonym = value.partition("=")
        if not item.strip().isdigit() or not pseudonym.strip():
            raise ValidationError(f"--assign {value!r}: write ITEM=PSEUDONYM, e.g. --assign 12=SWU-P03")
        out.append((int(item), pseudonym.strip()))
    return out


def _line(item: ReviewItem) -> str:
    was = f" (was {item.original!r})" if item.original is not None and item.original != item.shown else ""
    proposal = f" → {item.replacement}" if item.status == "flagged" else ""
    context = f"…{item.before[-30:]}[{item.shown}]{item.after[:30]}…".replace("\n", " ")
    return f"{item.id:>5} {item.status:<9} {item.kind:<6} {item.detector:<9} {context}{was}{proposal}"


@pseudonymise_group.command("review")
@click.argument("source_id", type=int)
@click.option("--status", type=click.Choice(["replaced", "flagged", "accepted", "rejected"]), help="Only these.")
@click.option("--accept", "accept", multiple=True, type=int, help="Accept item ID (repeatable).")
@click.option("--reject", "reject", multiple=True, type=int, help="Reject item ID (repeatable).")
@click.option(
    "--assign", "assign", multiple=True, help="ITEM=PSEUDONYM: add the value to the key store and replace it."
)
@json_option
@click.pass_context
def pseudonymise_review_cmd(
    ctx: click.Context,
    source_id: int,
    status: str | None,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
    assign: tuple[str, ...],
    as_json: bool,
) -> None:
    """List what was replaced or flagged in SOURCE_ID with context, and decide on items.

    Accepting a flagged candidate replaces it; rejecting a replacement puts the original back. Codings, segments
    and the search index follow every change. Showing originals needs the key store.
    """
    project = project_of(ctx)
    ensure_keys(project)
    assignments = _parse_assign(assign)
    said: list[str] = []
    for item_id in accept:
        project.review_accept(item_id)
        said.append(f"accepted {item_id}")
    for item_id in reject:
        project.review_reject(item_id)
        said.append(f"rejected {item_id}")
    for item_id, pseudonym in assignments:
        done = project.review_assign(item_id, pseudonym)
        said.append(f"assigned {len(done)} item(s) to {pseudonym}")
    if not as_json:
        for line in said:
            click.echo(line)
    items = project.review_items(source_id, status, with_originals=project.keys_unlocked())
    if as_json:
        print_json([as_dict(i) for i in items])
        return
    if not items:
        click.echo(f"source {source_id}: nothing to review")
        return
    for item in items:
        click.echo(_line(item))
