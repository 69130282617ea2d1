"""Commands for WP2 critical incidents: records, categories, independent classification, agreement, exports."""

from __future__ import annotations

from pathlib import Path

import click

from aia.cli.app import as_dict, cli, json_option, print_json, project_of
from aia.store.incidents import VALENCES, Incident


def _span(value: str) -> tuple[int, int, int]:
    parts = value.split(":")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise click.BadParameter(f"{value!r} is not SOURCE:START:END (three whole numbers)")
    source, start, end = (int(p) for p in parts)
    return source, start, end


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _show(i: Incident) -> None:
    click.echo(f"hændelse {i.id}: {i.title}  [{i.valence or '—'}]")
    for label, value in (
        ("Situation", i.situation),
        ("Handling", i.action),
        ("Udfald", i.outcome),
        ("AI-værktøjer", ", ".join(i.ai_tools)),
        ("Kompetence", i.competence),
        ("Fortalt af", i.reporter or ""),
        ("Registreret af", i.recorded_by),
    ):
        if value:
            click.echo(f"  {label}: {value}")
    for s in i.spans:
        text = " ".join(s.text.split())
        click.echo(f"  [{s.track} · WP{s.wp}] kilde {s.source_id} {s.start}–{s.end}: {text[:200]!r}")


@cli.group("incident")
def incident_group() -> None:
    """WP2 critical incidents (situation, action, outcome) recorded from spans of interviews or threads."""


@incident_group.command("add")
@click.argument("title")
@click.option("--span", "spans", multiple=True, help="SOURCE:START:END (repeatable).")
@click.option("--coding", "codings", type=int, multiple=True, help="A coding id (repeatable).")
@click.option("--situation", default="", help="The situation and its antecedents.")
@click.option("--action", default="", help="What the person did.")
@click.option("--outcome", default="", help="Outcome and consequences.")
@click.option("--valence", type=click.Choice(VALENCES))
@click.option("--tool", "tools", multiple=True, help="AI tool involved (repeatable).")
@click.option("--competence", default="", help="The competence at stake.")
@click.option("--reporter", help="Participant who reported it (pseudonym).")
@click.pass_context
def incident_add(
    ctx: click.Context,
    title: str,
    spans: tuple[str, ...],
    codings: tuple[int, ...],
    situation: str,
    action: str,
    outcome: str,
    valence: str | None,
    tools: tuple[str, ...],
    competence: str,
    reporter: str | None,
) -> None:
    """Record a critical incident from spans and/or codings."""
    incident = project_of(ctx).add_incident(
        title,
        [_span(s) for s in spans],
        codings,
        situation,
        action,
        outcome,
        valence,
        tools,
        competence,
        reporter,
    )
    click.echo(f"added incident {incident.id}: {incident.title} ({len(incident.spans)} spans)")


@incident_group.command("list")
@click.option("--track")
@click.option("--wp", type=click.IntRange(1, 5))
@click.option("--source", type=int)
@click.option("--valence", type=click.Choice(VALENCES))
@click.option("--reporter")
@click.option("--category")
@click.option("--tool")
@json_option
@click.pass_context
def incident_list(
    ctx: click.Context,
    track: str | None,
    wp: int | None,
    source: int | None,
    valence: str | None,
    reporter: str | None,
    category: str | None,
    tool: str | None,
    as_json: bool,
) -> None:
    """Incidents across interviews, forløb and WPs, with filters."""
    found = project_of(ctx).incidents(track, wp, source, valence, reporter, category, tool)
    if as_json:
        print_json(found)
        return
    for i in found:
        where = ", ".join(sorted({f"{s.track}·WP{s.wp}" for s in i.spans}))
        click.echo(f"{i.id:>4}  {i.valence or '—':<9}  {i.title}  ({where}; {', '.join(i.ai_tools) or '—'})")


@incident_group.command("show")
@click.argument("incident_id", type=int)
@click.option(
    "--all-classifications", "show_all", is_flag=True, help="Show every classifier's category, not only yours."
)
@json_option
@click.pass_context
def incident_show(ctx: click.Context, incident_id: int, show_all: bool, as_json: bool) -> None:
    """One incident with its spans and your classification (others' only with --all-classifications, so that
    classifiers stay independent)."""
    project = project_of(ctx)
    incident = project.incident(incident_id)
    classes = project.incident_classifications(incident_id, None if show_all else project.user)
    if as_json:
        print_json({**as_dict(incident), "classifications": classes})
        return
    _show(incident)
    for c in classes:
        click.echo(f"  kategori ({c.classifier}): {c.category}")


@incident_group.command("edit")
@click.argument("incident_id", type=int)
@click.option("--title")
@click.option("--situation")
@click.option("--action")
@click.option("--outcome")
@click.option("--valence", type=click.Choice((*VALENCES, "")), help="helpful or hindering; '' clears it.")
@click.option("--tool", "tools", multiple=True, help="Replaces the AI tools (repeatable).")
@click.option("--no-tools", is_flag=True, help="Remove all AI tools.")
@click.option("--competence")
@click.option("--reporter", help="Participant pseudonym; '' clears it.")
@click.pass_context
def incident_edit(
    ctx: click.Context,
    incident_id: int,
    title: str | None,
    situation: str | None,
    action: str | None,
    outcome: str | None,
    valence: str | None,
    tools: tuple[str, ...],
    no_tools: bool,
    competence: str | None,
    reporter: str | None,
) -> None:
    """Change fields of an incident; an option given as '' empties that field."""
    incident = project_of(ctx).update_incident(
        incident_id,
        title=title,
        situation=situation,
        action=action,
        outcome=outcome,
        valence=valence,
        ai_tools=[] if no_tools else list(tools) if tools else None,
        competence=competence,
        reporter=reporter,
    )
    click.echo(f"updated incident {incident.id}: {incident.title}")


@incident_group.command("link")
@click.argument("incident_id", type=int)
@click.option("--span")
@click.option("--coding", type=int)
@click.pass_context
def incident_link(ctx: click.Context, incident_id: int, span: str | None, coding: int | None) -> None:
    """Link one more span (SOURCE:START:END) or coding to an incident."""
    incident = project_of(ctx).add_incident_span(incident_id, _span(span) if span else None, coding)
    click.echo(f"incident {incident.id} now has {len(incident.spans)} spans")


@incident_group.command("delete")
@click.argument("incident_id", type=int)
@click.pass_context
def incident_delete(ctx: click.Context, incident_id: int) -> None:
    """Delete an incident (its classifications go with it)."""
    project_of(ctx).delete_incident(incident_id)
    click.echo(f"deleted incident {incident_id}")


@incident_group.group("category")
def category_group() -> None:
    """Categories that emerge from the incidents (create, rename, merge, split; history kept)."""


@category_group.command("add")
@click.argument("name")
@click.option("--description", default="")
@click.option("--why", "rationale")
@click.pass_context
def category_add(ctx: click.Context, name: str, description: str, rationale: str | None) -> None:
    """Create a category."""
    category = project_of(ctx).add_incident_category(name, description, rationale)
    click.echo(f"added category {category.id}: {category.name}")


@category_group.command("list")
@click.option("--all", "include_merged", is_flag=True, help="Include merged categories.")
@json_option
@click.pass_context
def category_list(ctx: click.Context, include_merged: bool, as_json: bool) -> None:
    """The categories."""
    categories = project_of(ctx).incident_categories(include_merged)
    if as_json:
        print_json(categories)
        return
    for c in categories:
        merged = f" (merged into {c.merged_into})" if c.status == "merged" else ""
        click.echo(f"{c.id:>4}  {c.name}{merged}")


@category_group.command("rename")
@click.argument("category")
@click.argument("new_name")
@click.option("--why", "rationale")
@click.pass_context
def category_rename(ctx: click.Context, category: str, new_name: str, rationale: str | None) -> None:
    """Rename a category."""
    renamed = project_of(ctx).rename_incident_category(category, new_name, rationale)
    click.echo(f"renamed category {renamed.id} to {renamed.name}")


@category_group.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--why", "rationale")
@click.pass_context
def category_merge(ctx: click.Context, source: str, target: str, rationale: str | None) -> None:
    """Merge SOURCE into TARGET (classifications move; SOURCE is kept as merged)."""
    merged = project_of(ctx).merge_incident_categories(source, target, rationale)
    click.echo(f"merged {source!r} into {merged.name!r}")


@category_group.command("split")
@click.argument("category")
@click.argument("new_name")
@click.option("--incident", "incidents", type=int, multiple=True, required=True, help="Incident that moves.")
@click.option("--why", "rationale")
@click.pass_context
def category_split(
    ctx: click.Context, category: str, new_name: str, incidents: tuple[int, ...], rationale: str | None
) -> None:
    """Split CATEGORY: NEW_NAME takes over the classifications of the named incidents."""
    new = project_of(ctx).split_incident_category(category, new_name, incidents, rationale)
    click.echo(f"split {category!r}: new category {new.id} {new.name} with {len(incidents)} incidents")


@category_group.command("history")
@json_option
@click.pass_context
def category_history(ctx: click.Context, as_json: bool) -> None:
    """Every create, rename, merge and split of categories."""
    events = project_of(ctx).category_history()
    if as_json:
        print_json(events)
        return
    for e in events:
        why = f" — {e['rationale']}" if e["rationale"] else ""
        click.echo(f"{e['at']}  {e['actor']:<12} {e['action']:<7} {e['category_name']}  {e['details']}{why}")


@incident_group.command("classify")
@click.argument("incident_id", type=int)
@click.argument("category")
@click.option("--classifier", help="Who classifies (default: $AIA_USER / the current user).")
@click.pass_context
def incident_classify(ctx: click.Context, incident_id: int, category: str, classifier: str | None) -> None:
    """Put an incident in a category (one per incident per classifier; again replaces it)."""
    c = project_of(ctx).classify_incident(incident_id, category, classifier)
    click.echo(f"incident {c.incident_id}: {c.category} (by {c.classifier})")


@incident_group.command("agreement")
@click.option("--classifier", "classifiers", multiple=True, help="Compare these classifiers (default: all).")
@json_option
@click.pass_context
def incident_agreement(ctx: click.Context, classifiers: tuple[str, ...], as_json: bool) -> None:
    """Agreement between classifiers: percent, Cohen's kappa (two), Krippendorff's alpha; overall and per category."""
    r = project_of(ctx).incident_agreement(classifiers or None)
    if as_json:
        print_json(r)
        return
    click.echo(f"klassifikatorer: {', '.join(r.classifiers)}; hændelser: {r.incidents} ({r.complete} af alle)")
    click.echo(f"enighed: {_fmt(r.percent)}  Cohens kappa: {_fmt(r.kappa)}  Krippendorffs alfa: {_fmt(r.alpha)}")
    for c in r.per_category:
        click.echo(f"  {c.category:<30} enighed {_fmt(c.percent)}  kappa {_fmt(c.kappa)}  alfa {_fmt(c.alpha)}")


@incident_group.command("disagreements")
@click.option("--classifier", "classifiers", multiple=True)
@click.option("--unresolved", is_flag=True, help="Only those without a resolution.")
@json_option
@click.pass_context
def incident_disagreements(ctx: click.Context, classifiers: tuple[str, ...], unresolved: bool, as_json: bool) -> None:
    """Incidents the classifiers put in different categories; resolve them with 'aia incident resolve'."""
    found = project_of(ctx).incident_disagreements(classifiers or None, unresolved)
    if as_json:
        print_json(found)
        return
    for d in found:
        cats = ", ".join(f"{w}: {c or '—'}" for w, c in d.categories.items())
        res = f" → {d.resolution.category}" if d.resolution else ""
        click.echo(f"{d.incident_id:>4}  {d.title}  ({cats}){res}")


@incident_group.command("resolve")
@click.argument("incident_id", type=int)
@click.argument("category")
@click.option("--note", default="")
@click.pass_context
def incident_resolve(ctx: click.Context, incident_id: int, category: str, note: str) -> None:
    """Store the agreed category of an incident."""
    r = project_of(ctx).resolve_incident(incident_id, category, note)
    click.echo(f"incident {r.incident_id} resolved as {r.category}")


@incident_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def incident_export(ctx: click.Context, path: Path) -> None:
    """Export incidents and their classifications as CSV or XLSX (by PATH's extension; formulas neutralised)."""
    kind = project_of(ctx).export_incidents(path)
    click.echo(f"wrote {path} ({kind})")


@incident_group.command("report")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--html", "as_html", is_flag=True, help="HTML instead of Markdown (default with an .html --output).")
@click.pass_context
def incident_report(ctx: click.Context, output: Path | None, as_html: bool) -> None:
    """Per-category report (count, helpful/hindering, forløb, example quotes) as Markdown or HTML."""
    as_html = as_html or (output is not None and output.suffix.lower() in (".html", ".htm"))
    project = project_of(ctx)
    fmt = "html" if as_html else "markdown"
    if output is None:
        click.echo(project.incident_category_report(fmt))
    else:
        project.write_incident_report(output, fmt)
        click.echo(f"wrote {output}")
