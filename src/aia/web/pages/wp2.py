"""WP2 in the workbench (issue 7): critical incidents (list with filters, create from coded spans, edit), emerging
categories (create, rename, merge, split, history), independent classification per coder, the agreement view with
the disagreements to resolve, and the downloads the CLI offers (CSV, XLSX, the per-category report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from aia.errors import ValidationError
from aia.project import Project
from aia.store.incidents import VALENCES
from aia.web.core import Ctx, route

FILTERS = ("valence", "category", "reporter", "track", "wp", "tool")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _items(value: str) -> list[str]:
    """Values typed one per line or separated by commas."""
    return [x.strip() for x in value.replace(",", "\n").splitlines() if x.strip()]


def _int(value: str, what: str) -> int:
    if not value.strip().isdigit():
        raise ValidationError(f"{what} must be a whole number, not {value!r}")
    return int(value)


def list_data(project: Project, query: Mapping[str, str]) -> dict[str, Any]:
    chosen = {k: query.get(k, "").strip() for k in FILTERS}
    found = project.incidents(
        track=chosen["track"] or None,
        wp=_int(chosen["wp"], "the WP filter") if chosen["wp"] else None,
        valence=chosen["valence"] or None,
        reporter=chosen["reporter"] or None,
        category=chosen["category"] or None,
        tool=chosen["tool"] or None,
    )
    return {
        "incidents": found,
        "chosen": chosen,
        "valences": VALENCES,
        "categories": project.incident_categories(),
        "people": project.participants(),
        "tracks": project.tracks(),
    }


def new_data(project: Project, query: Mapping[str, str]) -> dict[str, Any]:
    """The create form: the sources to pick from and, for the chosen one, its codings with their text."""
    sources = [s for s, _, _ in project.sources()]
    chosen = query.get("source", "").strip()
    codings: list[dict[str, Any]] = []
    span: dict[str, Any] | None = None
    source = None
    if chosen:
        source = project.view_source(_int(chosen, "the source"))
        names = {c.id: c.name for c in project.codes()}
        text = source.text or ""
        codings = [
            {"coding": c, "code": names.get(c.code_id, ""), "text": text[c.start : c.end]}
            for c in project.codings(source_id=source.id)
        ]
        if query.get("start") and query.get("end"):
            start, end = _int(query["start"], "the start"), _int(query["end"], "the end")
            span = {"start": start, "end": end, "text": text[start:end]}
    return {
        "sources": sources,
        "source": source,
        "codings": codings,
        "span": span,
        "valences": VALENCES,
        "people": project.participants(),
    }


def incident_data(project: Project, incident_id: int, user: str) -> dict[str, Any]:
    incident = project.incident(incident_id)
    names = {c.id: c.name for c in project.codes()}
    linked = {s.coding_id for s in incident.spans}
    more = []
    for source_id in sorted({s.source_id for s in incident.spans}):
        more += [
            {"coding": c, "code": names.get(c.code_id, "")}
            for c in project.codings(source_id=source_id)
            if c.id not in linked
        ]
    return {
        "incident": incident,
        "mine": project.incident_classifications(incident_id, user),
        "all_classes": project.incident_classifications(incident_id),
        "categories": project.incident_categories(),
        "valences": VALENCES,
        "people": project.participants(),
        "more": more,
    }


def categories_data(project: Project) -> dict[str, Any]:
    return {
        "categories": project.incident_categories(include_merged=True),
        "history": project.category_history(),
    }


def agreement_data(project: Project, chosen: list[str]) -> dict[str, Any]:
    """The agreement report, a confusion table (two classifiers) and the disagreements; fewer than two classifiers
    in the project gives a notice instead of an error."""
    classes = project.incident_classifications()
    everyone = sorted({c.classifier for c in classes})
    data: dict[str, Any] = {
        "everyone": everyone,
        "chosen": chosen,
        "report": None,
        "disagreements": [],
        "categories": project.incident_categories(),
        "confusion": None,
    }
    if not chosen and len(everyone) < 2:
        return data
    report = project.incident_agreement(chosen or None)
    data["report"] = report
    data["disagreements"] = project.incident_disagreements(report.classifiers)
    if len(report.classifiers) == 2:
        a, b = report.classifiers
        by = {(c.incident_id, c.classifier): c.category for c in classes}
        items = {c.incident_id for c in classes if c.classifier in (a, b)}
        cells: dict[tuple[str, str], int] = {}
        for item in items:
            key = (by.get((item, a)) or "—", by.get((item, b)) or "—")
            cells[key] = cells.get(key, 0) + 1
        rows = sorted({k[0] for k in cells})
        cols = sorted({k[1] for k in cells})
        data["confusion"] = {"a": a, "b": b, "rows": rows, "cols": cols, "cells": cells}
    return data


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_TYPE,
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def export_bytes(project: Project, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of an incident export or report; every download is registered."""
    if fmt not in MEDIA_TYPES:
        raise ValidationError(f"there is no export format {fmt!r}; use csv, xlsx, md or html")
    data, name = project.download_incidents(fmt)
    return data, MEDIA_TYPES[fmt], name


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"content-disposition": disposition})


def _incident_fields(ctx: Ctx) -> dict[str, Any]:
    return {
        "situation": ctx.field("situation"),
        "action": ctx.field("action"),
        "outcome": ctx.field("outcome"),
        "valence": ctx.field("valence") or None,
        "ai_tools": _items(ctx.field("tools")),
        "competence": ctx.field("competence"),
        "reporter": ctx.field("reporter") or None,
    }


# -- incidents -----------------------------------------------------------------------------------------------------
@route("/incidents", "reader")
async def incident_list(ctx: Ctx) -> Response:
    return ctx.render("incidents.html", **await ctx.call(list_data, ctx.project, ctx.request.query_params))


@route("/incidents/new", "coder")
async def incident_new(ctx: Ctx) -> Response:
    return ctx.render("incident_new.html", **await ctx.call(new_data, ctx.project, ctx.request.query_params))


@route("/incidents", "coder", ("POST",))
async def incident_add(ctx: Ctx) -> Response:
    assert ctx.form is not None
    codings = [_int(c, "a coding") for c in ctx.form.getlist("coding") if isinstance(c, str) and c]
    spans = []
    if ctx.field("span_source"):
        spans.append(
            (
                _int(ctx.field("span_source"), "the source"),
                _int(ctx.field("span_start"), "the start"),
                _int(ctx.field("span_end"), "the end"),
            )
        )
    incident = await ctx.call(ctx.project.add_incident, ctx.field("title"), spans, codings, **_incident_fields(ctx))
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


@route("/incidents/{incident_id:int}", "reader")
async def incident_page(ctx: Ctx) -> Response:
    data = await ctx.call(incident_data, ctx.project, ctx.int_param("incident_id"), ctx.session.username)
    return ctx.render("incident.html", **data)


@route("/incidents/{incident_id:int}", "coder", ("POST",))
async def incident_edit(ctx: Ctx) -> Response:
    incident_id = ctx.int_param("incident_id")
    title = ctx.field("title").strip()
    if not title:
        raise ValidationError(f"incident {incident_id} needs a title; fill in the title field")
    fields = _incident_fields(ctx)
    # an emptied field is cleared, not left as it was ("" clears valence and reporter; None would keep them)
    fields.update(valence=ctx.field("valence"), reporter=ctx.field("reporter"))
    await ctx.call(ctx.project.update_incident, incident_id, title=title, **fields)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@route("/incidents/{incident_id:int}/link", "coder", ("POST",))
async def incident_link(ctx: Ctx) -> Response:
    incident_id = ctx.int_param("incident_id")
    coding = _int(ctx.field("coding"), "the coding to link")
    await ctx.call(ctx.project.add_incident_span, incident_id, None, coding)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@route("/incidents/{incident_id:int}/classify", "coder", ("POST",))
async def incident_classify(ctx: Ctx) -> Response:
    """Classify as the logged-in user (each researcher classifies independently)."""
    incident_id = ctx.int_param("incident_id")
    category = ctx.field("category")
    if not category:
        raise ValidationError(f"choose the category you put incident {incident_id} in")
    await ctx.call(ctx.project.classify_incident, incident_id, category)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@route("/incidents/{incident_id:int}/resolve", "coder", ("POST",))
async def incident_resolve(ctx: Ctx) -> Response:
    incident_id = ctx.int_param("incident_id")
    category = ctx.field("category")
    if not category:
        raise ValidationError(f"choose the agreed category of incident {incident_id}")
    await ctx.call(ctx.project.resolve_incident, incident_id, category, ctx.field("note"))
    return RedirectResponse("/incidents/agreement", status_code=303)


@route("/incidents/{incident_id:int}/delete", "lead", ("POST",))
async def incident_delete(ctx: Ctx) -> Response:
    incident_id = ctx.int_param("incident_id")
    if ctx.field("confirm") != "yes":
        incident = await ctx.call(ctx.project.incident, incident_id)
        return ctx.render("incident_delete.html", incident=incident)
    await ctx.call(ctx.project.delete_incident, incident_id)
    return RedirectResponse("/incidents", status_code=303)


# -- categories ----------------------------------------------------------------------------------------------------
@route("/incidents/categories", "reader")
async def categories_page(ctx: Ctx) -> Response:
    return ctx.render("incident_categories.html", **await ctx.call(categories_data, ctx.project))


@route("/incidents/categories", "coder", ("POST",))
async def category_add(ctx: Ctx) -> Response:
    await ctx.call(
        ctx.project.add_incident_category, ctx.field("name"), ctx.field("description"), ctx.field("why") or None
    )
    return RedirectResponse("/incidents/categories", status_code=303)


@route("/incidents/categories/rename", "coder", ("POST",))
async def category_rename(ctx: Ctx) -> Response:
    new_name = ctx.field("new_name").strip()
    if not new_name:
        raise ValidationError("give the category a new name")
    await ctx.call(ctx.project.rename_incident_category, ctx.field("category"), new_name, ctx.field("why") or None)
    return RedirectResponse("/incidents/categories", status_code=303)


@route("/incidents/categories/merge", "lead", ("POST",))
async def category_merge(ctx: Ctx) -> Response:
    await ctx.call(
        ctx.project.merge_incident_categories, ctx.field("source"), ctx.field("target"), ctx.field("why") or None
    )
    return RedirectResponse("/incidents/categories", status_code=303)


@route("/incidents/categories/split", "lead", ("POST",))
async def category_split(ctx: Ctx) -> Response:
    ids = [_int(x, "an incident number") for x in _items(ctx.field("incidents"))]
    await ctx.call(
        ctx.project.split_incident_category,
        ctx.field("category"),
        ctx.field("new_name"),
        ids,
        ctx.field("why") or None,
    )
    return RedirectResponse("/incidents/categories", status_code=303)


# -- agreement and exports -----------------------------------------------------------------------------------------
@route("/incidents/agreement", "reader")
async def agreement_page(ctx: Ctx) -> Response:
    chosen = [c for c in ctx.request.query_params.getlist("classifier") if c]
    return ctx.render("incident_agreement.html", **await ctx.call(agreement_data, ctx.project, chosen))


@route("/incidents/export.csv", "reader")
async def export_csv(ctx: Ctx) -> Response:
    return attachment(*await ctx.call(export_bytes, ctx.project, "csv"))


@route("/incidents/export.xlsx", "reader")
async def export_xlsx(ctx: Ctx) -> Response:
    return attachment(*await ctx.call(export_bytes, ctx.project, "xlsx"))


@route("/incidents/report.md", "reader")
async def report_md(ctx: Ctx) -> Response:
    return attachment(*await ctx.call(export_bytes, ctx.project, "md"))


@route("/incidents/report.html", "reader")
async def report_html(ctx: Ctx) -> Response:
    return attachment(*await ctx.call(export_bytes, ctx.project, "html"))
