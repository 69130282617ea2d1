"""Commands for the codebook and codings."""

from __future__ import annotations

import click

from aia.cli.app import as_dict, cli, json_option, print_json, project_of


@cli.group("code")
def code_group() -> None:
    """The codebook: a tree of codes. Name a code by id, path (Parent/Child) or unique name."""


@code_group.command("add")
@click.argument("name")
@click.option("--parent", help="Parent code.")
@click.option("--description", default="")
@click.option("--color", help="Hex colour like #4e79a7 (default: next in the palette).")
@click.option("--why", "rationale", help="Rationale, kept in the codebook's history.")
@click.pass_context
def code_add(
    ctx: click.Context, name: str, parent: str | None, description: str, color: str | None, rationale: str | None
) -> None:
    """Add a code."""
    code = project_of(ctx).add_code(name, parent, description, color, rationale)
    click.echo(f"added code {code.id}: {code.name}")


@code_group.command("list")
@json_option
@click.pass_context
def code_list(ctx: click.Context, as_json: bool) -> None:
    """Show the codebook as a tree with coding counts (own / with subcodes)."""
    nodes = project_of(ctx).code_tree()
    if as_json:
        print_json(
            [
                {
                    **as_dict(n.code),
                    "path": n.path,
                    "depth": n.depth,
                    "codings": n.codings,
                    "codings_with_subcodes": n.total,
                }
                for n in nodes
            ]
        )
        return
    if not nodes:
        click.echo("the codebook is empty; add a code with 'aia code add NAME'")
    for n in nodes:
        click.echo(f"{n.code.id:>4}  {'  ' * n.depth}{n.code.name}  ({n.codings}/{n.total})")


@code_group.command("rename")
@click.argument("code")
@click.argument("new_name")
@click.option("--why", "rationale")
@click.pass_context
def code_rename(ctx: click.Context, code: str, new_name: str, rationale: str | None) -> None:
    """Rename CODE to NEW_NAME."""
    renamed = project_of(ctx).rename_code(code, new_name, rationale)
    click.echo(f"renamed code {renamed.id} to {renamed.name}")


@code_group.command("describe")
@click.argument("code")
@click.option("--description")
@click.option("--color")
@click.option("--why", "rationale")
@click.pass_context
def code_describe(
    ctx: click.Context, code: str, description: str | None, color: str | None, rationale: str | None
) -> None:
    """Change a code's description or colour."""
    changed = project_of(ctx).describe_code(code, description, color, rationale)
    click.echo(f"updated code {changed.id}: {changed.name}")


@code_group.command("move")
@click.argument("code")
@click.option("--parent", help="New parent code.")
@click.option("--top", is_flag=True, help="Move to the top level.")
@click.option("--why", "rationale")
@click.pass_context
def code_move(ctx: click.Context, code: str, parent: str | None, top: bool, rationale: str | None) -> None:
    """Move CODE under another parent (or to the top with --top)."""
    if (parent is None) == (not top):
        raise click.UsageError("give either --parent CODE or --top")
    moved = project_of(ctx).move_code(code, None if top else parent, rationale)
    click.echo(f"moved code {moved.id}: {moved.name}")


@code_group.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--why", "rationale")
@click.pass_context
def code_merge(ctx: click.Context, source: str, target: str, rationale: str | None) -> None:
    """Merge SOURCE into TARGET: codings and subcodes move to TARGET; SOURCE is deleted."""
    project = project_of(ctx)
    before = len(project.codings(code=source))
    merged = project.merge_codes(source, target, rationale)
    click.echo(f"merged {source!r} into {merged.name!r}; {before} codings moved")


@code_group.command("delete")
@click.argument("code")
@click.option("--force", is_flag=True, help="Also delete the codings of the code and its subcodes.")
@click.option("--why", "rationale")
@click.pass_context
def code_delete(ctx: click.Context, code: str, force: bool, rationale: str | None) -> None:
    """Delete CODE and its subcodes (refused while they have codings, unless --force)."""
    deleted = project_of(ctx).delete_code(code, force, rationale)
    click.echo(f"deleted code {code!r}" + (f" and {deleted} codings" if deleted else ""))


@code_group.command("history")
@click.argument("code", required=False)
@json_option
@click.pass_context
def code_history(ctx: click.Context, code: str | None, as_json: bool) -> None:
    """The codebook's history (every create, rename, move, merge, delete), or one code's."""
    events = project_of(ctx).code_events(code)
    if as_json:
        print_json(events)
        return
    for e in events:
        why = f" — {e['rationale']}" if e["rationale"] else ""
        click.echo(f"{e['at']}  {e['actor']:<12} {e['action']:<7} {e['code_name']}  {e['details']}{why}")


@code_group.command("retrieve")
@click.argument("code")
@click.option("--subcodes", is_flag=True, help="Include the codings of subcodes.")
@json_option
@click.pass_context
def code_retrieve(ctx: click.Context, code: str, subcodes: bool, as_json: bool) -> None:
    """All text coded with CODE, with source, speaker, participant, forløb, WP and date."""
    passages = project_of(ctx).retrieve(code, subcodes)
    if as_json:
        print_json(passages)
        return
    click.echo(f"{len(passages)} coded passages")
    for p in passages:
        who = p.speaker or ", ".join(p.participants) or "—"
        click.echo(
            f"\n[{p.track} · WP{p.wp} · {p.date or '—'}] source {p.source_id} {p.source_title} "
            f"{p.start}–{p.end} · {who} · {p.code_name} by {p.coder}"
        )
        click.echo("    " + p.text.replace("\n", "\n    "))


@cli.group("coding")
def coding_group() -> None:
    """Codings: a code on a span of a source (Unicode code points, end exclusive)."""


@coding_group.command("add")
@click.argument("source_id", type=int)
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code")
@click.option("--comment")
@click.pass_context
def coding_add(ctx: click.Context, source_id: int, start: int, end: int, code: str, comment: str | None) -> None:
    """Code text[START:END] of SOURCE_ID with CODE."""
    project = project_of(ctx)
    coding = project.add_coding(source_id, start, end, code, comment)
    text = project.source(source_id).text[coding.start : coding.end]
    click.echo(f"added coding {coding.id}: {text[:80]!r}")


@coding_group.command("segment")
@click.argument("source_id", type=int)
@click.argument("segment", type=int)
@click.argument("code")
@click.option("--comment")
@click.pass_context
def coding_segment(ctx: click.Context, source_id: int, segment: int, code: str, comment: str | None) -> None:
    """Code a whole segment (its number as shown by 'aia source show')."""
    coding = project_of(ctx).code_segment(source_id, segment, code, comment)
    click.echo(f"added coding {coding.id} on {coding.start}–{coding.end}")


@coding_group.command("remove")
@click.argument("coding_id", type=int)
@click.pass_context
def coding_remove(ctx: click.Context, coding_id: int) -> None:
    """Remove a coding."""
    project_of(ctx).remove_coding(coding_id)
    click.echo(f"removed coding {coding_id}")


@coding_group.command("list")
@click.option("--source", "source_id", type=int)
@click.option("--code")
@click.option("--subcodes", is_flag=True)
@json_option
@click.pass_context
def coding_list(ctx: click.Context, source_id: int | None, code: str | None, subcodes: bool, as_json: bool) -> None:
    """List codings."""
    project = project_of(ctx)
    codings = project.codings(source_id, code, subcodes)
    if as_json:
        print_json(codings)
        return
    names = {c.id: c.name for c in project.codes()}
    for c in codings:
        click.echo(f"{c.id:>5}  source {c.source_id:<5} {c.start:>6}–{c.end:<6} {names[c.code_id]}  ({c.coder})")
