"""Dashboard, track and activity pages, participants and organisations."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from aia.project import Project
from aia.web.core import Ctx, route


def dashboard_data(project: Project) -> dict[str, Any]:
    cells = project.status()
    tracks: dict[str, dict[int, Any]] = {}
    wps: dict[int, str] = {}
    for c in cells:
        tracks.setdefault(c.track, {})[c.wp] = c
        wps.setdefault(c.wp, c.wp_name)
    ids = {t.name: t.id for t in project.tracks()}
    return {"tracks": tracks, "wps": sorted(wps.items()), "track_ids": ids}


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


@route("/participants", "reader")
async def participants(ctx: Ctx) -> Response:
    return ctx.render("participants.html", people=await ctx.call(ctx.project.participants))


@route("/organisations", "reader")
async def organisations(ctx: Ctx) -> Response:
    return ctx.render("organisations.html", orgs=await ctx.call(ctx.project.organisations))
