"""Dashboard (grid and recent changes), track and activity pages, participants and organisations."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from aia.project import Project
from aia.web.core import Ctx, route
from aia.web.pages.memos import memos_for


def dashboard_data(project: Project) -> dict[str, Any]:
    cells = project.status()
    tracks: dict[str, dict[int, Any]] = {}
    wps: dict[int, str] = {}
    for c in cells:
        tracks.setdefault(c.track, {})[c.wp] = c
        wps.setdefault(c.wp, c.wp_name)
    ids = {t.name: t.id for t in project.tracks()}
    return {"tracks": tracks, "wps": sorted(wps.items()), "track_ids": ids, "changes": project.recent_changes(20)}


def track_page_data(project: Project, track_id: int) -> dict[str, Any]:
    track = project.track(track_id)
    acts = project.activities(track=track_id)
    counts: dict[int, int] = {}
    for src, _, _ in project.sources(track=track_id):
        if src.activity_id is not None:
            counts[src.activity_id] = counts.get(src.activity_id, 0) + 1
    wps = [(wp, [a for a, w in acts if w.id == wp.id]) for wp in project.work_packages(track_id)]
    return {"track": track, "wps": wps, "counts": counts}


def activity_page_data(project: Project, activity_id: int) -> dict[str, Any]:
    activity = project.activity(activity_id)
    return {"activity": activity, "rows": project.sources(activity=activity_id)}


@route("/", "reader")
async def dashboard(ctx: Ctx) -> Response:
    return ctx.render("dashboard.html", **await ctx.call(dashboard_data, ctx.project))


@route("/tracks/{track_id:int}", "reader")
async def track_page(ctx: Ctx) -> Response:
    return ctx.render("track.html", **await ctx.call(track_page_data, ctx.project, ctx.int_param("track_id")))


@route("/activities/{activity_id:int}", "reader")
async def activity_page(ctx: Ctx) -> Response:
    data = await ctx.call(activity_page_data, ctx.project, ctx.int_param("activity_id"))
    return ctx.render("activity.html", **data)


def participant_page_data(project: Project, participant_id: int) -> dict[str, Any]:
    person, found = project.participant_sources(participant_id)
    row = next(r for r in project.participant_rows() if r.participant.id == person.id)
    return {
        "row": row,
        "found": found,
        "memos": memos_for(project, "participant", person.id),
        "link_type": "participant",
        "link_target": person.pseudonym,
    }


@route("/participants", "reader")
async def participants(ctx: Ctx) -> Response:
    return ctx.render("participants.html", rows=await ctx.call(ctx.project.participant_rows))


@route("/participants/{participant_id:int}", "reader")
async def participant_page(ctx: Ctx) -> Response:
    data = await ctx.call(participant_page_data, ctx.project, ctx.int_param("participant_id"))
    return ctx.render("participant.html", **data)


@route("/organisations", "reader")
async def organisations(ctx: Ctx) -> Response:
    return ctx.render("organisations.html", rows=await ctx.call(ctx.project.organisation_rows))


def organisation_page_data(project: Project, organisation_id: int) -> dict[str, Any]:
    org, people, found = project.organisation_page(organisation_id)
    return {
        "org": org,
        "people": people,
        "found": found,
        "memos": memos_for(project, "organisation", org.id),
        "link_type": "organisation",
        "link_target": org.code,
    }


@route("/organisations/{organisation_id:int}", "reader")
async def organisation_page(ctx: Ctx) -> Response:
    data = await ctx.call(organisation_page_data, ctx.project, ctx.int_param("organisation_id"))
    return ctx.render("organisation.html", **data)
