"""Memos: list and write."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from aia.web.core import Ctx, route


@route("/memos", "reader")
async def memo_list(ctx: Ctx) -> Response:
    return ctx.render("memos.html", memos=await ctx.call(ctx.project.memos))


@route("/memos", "coder", ("POST",))
async def memo_add(ctx: Ctx) -> Response:
    await ctx.call(ctx.project.add_memo, ctx.field("title").strip(), ctx.field("body"))
    return RedirectResponse("/memos", status_code=303)
