"""WP1 in the workbench (issue 7): probes, probe sessions (logs and reflections), turn annotations of AI logs, and
the annotation taxonomy. Every handler parses the form, makes one Project call (or one page-data function below) and
renders or redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from aia.errors import AiaError, NotFoundError, ValidationError
from aia.project import Project
from aia.services.importing import ImportResult
from aia.store.probes import DIMENSIONS, PROBE_KINDS
from aia.web.core import Ctx, route


def _lines(value: str) -> list[str]:
    """Names typed one per line or separated by commas."""
    return [x.strip() for x in value.replace(",", "\n").splitlines() if x.strip()]


def probes_data(project: Project) -> dict[str, Any]:
    return {
        "probes": project.probes(),
        "sessions": project.probe_sessions(),
        "kinds": PROBE_KINDS,
    }


def probe_data(project: Project, probe_id: int) -> dict[str, Any]:
    return {
        "view": project.probe_overview(probe_id),
        "kinds": PROBE_KINDS,
        "tracks": project.tracks(),
        "people": project.participants(),
    }


def session_data(project: Project, activity_id: int) -> dict[str, Any]:
    """A probe session (an activity run with a probe): its probe, participants, logs and reflections."""
    found = [s for s in project.probe_sessions() if s.activity_id == activity_id]
    if not found:
        raise NotFoundError(f"activity {activity_id} is not a probe session; the probe pages list the sessions")
    session = found[0]
    view = project.probe_overview(session.probe)
    detail = next(s for s in view.sessions if s["activity_id"] == activity_id)
    return {
        "probe_session": session,
        "probe": view.probe,
        "detail": detail,
        "activity": project.activity(activity_id),
        "attachable": project.attachable_logs(activity_id),
    }


def attach_log(project: Project, activity_id: int, source: str, override: str) -> None:
    """Attach an AI log from elsewhere to a probe session; a consent override is the lead's alone."""
    if not source.strip().isdigit():
        raise ValidationError("choose the AI log to attach to the session")
    if override.strip():
        project.require_lead("attaching a log without covering consent")
    project.attach_log(activity_id, int(source), override.strip() or None)


def import_logs(project: Project, activity_id: int, files: list[tuple[str, bytes]]) -> list[ImportResult]:
    """Import AI-log files into a probe session's activity; every file on its own (a bad file stores nothing)."""
    session_data(project, activity_id)  # 404 before reading anything
    if not files:
        raise ValidationError("choose at least one AI-log file (ChatGPT, Claude, DevGPT or JSONL/CSV) to upload")
    results: list[ImportResult] = []
    for name, data in files:
        try:
            results.extend(project.import_ai_log_bytes(data, name, activity=activity_id))
        except Exception as exc:  # an ImportFailed names the file and the fix; anything else is shown too
            results.append(ImportResult(filename=name, status="failed", message=str(exc)))
    return results


def turns_data(project: Project, source_id: int) -> dict[str, Any]:
    """The turns of an AI-log source with their text and annotation (the source view is audited)."""
    source = project.view_source(source_id)
    notes = {a.ordinal: a for a in project.turn_annotations(source_id)}
    turns = [
        {"seg": s, "text": source.text[s.start : s.end], "note": notes.get(s.ordinal)}
        for s in project.segments(source_id)
        if s.kind == "turn"
    ]
    return {
        "source": source,
        "turns": turns,
        "techniques": project.annotation_terms("technique"),
        "outcomes": project.annotation_terms("outcome"),
    }


def annotate(project: Project, source_id: int, ordinal: int, technique: str, outcome: str, note: str) -> None:
    """Annotate a turn; with nothing chosen, remove its annotation."""
    if not technique and not outcome and not note:
        project.remove_turn_annotation(source_id, ordinal)
    else:
        project.annotate_turn(source_id, ordinal, technique or None, outcome or None, note)


def _ordinal(ctx: Ctx) -> int:
    value = ctx.field("ordinal").strip()
    if not value.isdigit():
        raise ValidationError("say which turn to annotate (its number)")
    return int(value)


# -- probes --------------------------------------------------------------------------------------------------------
@route("/probes", "reader")
async def probe_list(ctx: Ctx) -> Response:
    return ctx.render("probes.html", **await ctx.call(probes_data, ctx.project))


@route("/probes", "coder", ("POST",))
async def probe_add(ctx: Ctx) -> Response:
    probe = await ctx.call(
        ctx.project.add_probe, ctx.field("name"), ctx.field("kind"), ctx.field("instructions"), ctx.field("setup")
    )
    return RedirectResponse(f"/probes/{probe.id}", status_code=303)


@route("/probes/{probe_id:int}", "reader")
async def probe_page(ctx: Ctx) -> Response:
    return ctx.render("probe.html", **await ctx.call(probe_data, ctx.project, ctx.int_param("probe_id")))


@route("/probes/{probe_id:int}", "coder", ("POST",))
async def probe_edit(ctx: Ctx) -> Response:
    probe_id = ctx.int_param("probe_id")
    await ctx.call(
        ctx.project.update_probe,
        probe_id,
        ctx.field("instructions"),
        ctx.field("setup"),
        ctx.field("kind") or None,
    )
    return RedirectResponse(f"/probes/{probe_id}", status_code=303)


@route("/probes/{probe_id:int}/sessions", "coder", ("POST",))
async def session_add(ctx: Ctx) -> Response:
    assert ctx.form is not None
    people = [p for p in ctx.form.getlist("participants") if isinstance(p, str) and p]
    session = await ctx.call(
        ctx.project.add_probe_session,
        ctx.int_param("probe_id"),
        ctx.field("track") or None,
        ctx.field("title").strip() or None,
        ctx.field("date").strip() or None,
        people,
        _lines(ctx.field("researchers")),
        ctx.field("notes"),
    )
    return RedirectResponse(f"/sessions/{session.activity_id}", status_code=303)


# -- sessions ------------------------------------------------------------------------------------------------------
@route("/sessions/{activity_id:int}", "reader")
async def session_page(ctx: Ctx) -> Response:
    data = await ctx.call(session_data, ctx.project, ctx.int_param("activity_id"))
    return ctx.render("session.html", results=None, **data)


@route("/sessions/{activity_id:int}/logs", "coder", ("POST",))
async def session_logs(ctx: Ctx) -> Response:
    assert ctx.form is not None
    activity_id = ctx.int_param("activity_id")
    files = [(f.filename or "upload", await f.read()) for f in ctx.form.getlist("files") if isinstance(f, UploadFile)]
    results = await ctx.call(import_logs, ctx.project, activity_id, files)
    data = await ctx.call(session_data, ctx.project, activity_id)
    failed = any(r.status == "failed" for r in results)
    return ctx.render("session.html", 400 if failed else 200, results=results, **data)


@route("/sessions/{activity_id:int}/attach", "coder", ("POST",))
async def session_attach(ctx: Ctx) -> Response:
    activity_id = ctx.int_param("activity_id")
    await ctx.call(attach_log, ctx.project, activity_id, ctx.field("source"), ctx.field("override"))
    return RedirectResponse(f"/sessions/{activity_id}", status_code=303)


@route("/sessions/{activity_id:int}/reflections", "coder", ("POST",))
async def session_reflect(ctx: Ctx) -> Response:
    activity_id = ctx.int_param("activity_id")
    title = ctx.field("title").strip()
    if not title:
        raise ValidationError("a reflection note needs a title")
    await ctx.call(ctx.project.add_reflection, activity_id, title, ctx.field("body"))
    return RedirectResponse(f"/sessions/{activity_id}", status_code=303)


# -- turns of an AI log --------------------------------------------------------------------------------------------
@route("/ailogs/{source_id:int}", "reader")
async def turns_page(ctx: Ctx) -> Response:
    return ctx.render("turns.html", **await ctx.call(turns_data, ctx.project, ctx.int_param("source_id")))


@route("/ailogs/{source_id:int}/annotate", "coder", ("POST",))
async def turn_annotate(ctx: Ctx) -> Response:
    source_id = ctx.int_param("source_id")
    ordinal = _ordinal(ctx)
    await ctx.call(
        annotate,
        ctx.project,
        source_id,
        ordinal,
        ctx.field("technique"),
        ctx.field("outcome"),
        ctx.field("note").strip(),
    )
    return RedirectResponse(f"/ailogs/{source_id}#turn-{ordinal}", status_code=303)


# -- taxonomy ------------------------------------------------------------------------------------------------------
async def _taxonomy_change(ctx: Ctx, fn: Callable[..., Any], *args: Any) -> Response:
    """Run a taxonomy change; a wrong form value (an unknown term or dimension, a name in use) shows the taxonomy
    page again with the sentence saying what is wrong (400: the page exists, the request is what is wrong)."""
    try:
        await ctx.call(fn, *args)
    except AiaError as exc:
        terms = await ctx.call(ctx.project.annotation_terms)
        return ctx.render("taxonomy.html", 400, terms=terms, dimensions=DIMENSIONS, error=str(exc))
    return RedirectResponse("/taxonomy", status_code=303)


@route("/taxonomy", "reader")
async def taxonomy_page(ctx: Ctx) -> Response:
    terms = await ctx.call(ctx.project.annotation_terms)
    return ctx.render("taxonomy.html", terms=terms, dimensions=DIMENSIONS, error=None)


@route("/taxonomy", "coder", ("POST",))
async def taxonomy_add(ctx: Ctx) -> Response:
    return await _taxonomy_change(
        ctx, ctx.project.add_annotation_term, ctx.field("dimension"), ctx.field("name"), ctx.field("description")
    )


@route("/taxonomy/rename", "coder", ("POST",))
async def taxonomy_rename(ctx: Ctx) -> Response:
    return await _taxonomy_change(
        ctx, _rename_term, ctx.project, ctx.field("dimension"), ctx.field("name"), ctx.field("new_name")
    )


@route("/taxonomy/remove", "coder", ("POST",))
async def taxonomy_remove(ctx: Ctx) -> Response:
    return await _taxonomy_change(ctx, ctx.project.remove_annotation_term, ctx.field("dimension"), ctx.field("name"))


def _rename_term(project: Project, dimension: str, name: str, new_name: str) -> None:
    if not new_name.strip():
        raise ValidationError("give the technique or outcome a new name")
    project.rename_annotation_term(dimension, name, new_name.strip())
