"""Full-text search with keyword-in-context and "apply code to all results"."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from aia.project import Project
from aia.web.core import Ctx, route

APPLY_LIMIT = 1000  # at most this many search results are coded at once


def search(project: Project, q: str) -> dict[str, Any]:
    page = project.search(q, limit=100)
    return {"results": page.hits, "total": page.total}


def search_apply_preview(project: Project, q: str, code_id: int) -> dict[str, Any]:
    page = project.search(q, limit=1)
    return {"n": min(page.total, APPLY_LIMIT), "code": project.code(code_id)}


def search_apply_data(project: Project, q: str, code_id: int) -> int:
    """Code every segment the search finds (up to :data:`APPLY_LIMIT`); segments already coded are skipped."""
    page = project.search(q, limit=APPLY_LIMIT)
    done = {(c.source_id, c.start, c.end) for c in project.codings(code=code_id)}
    n = 0
    for hit in page.hits:
        if (hit.source_id, hit.start, hit.end) in done:
            continue
        project.add_coding(hit.source_id, hit.start, hit.end, code_id)
        n += 1
    return n


@route("/search", "reader")
async def search_page(ctx: Ctx) -> Response:
    q = ctx.request.query_params.get("q", "").strip()
    data = await ctx.call(search, ctx.project, q) if q else {"results": None, "total": 0}
    codes = await ctx.call(ctx.project.code_tree)
    return ctx.render("search.html", q=q, codes=codes, applied=None, **data)


@route("/search/apply", "coder", ("POST",))
async def search_apply(ctx: Ctx) -> Response:
    q = ctx.field("q").strip()
    code_id = int(ctx.field("code_id"))
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(search_apply_preview, ctx.project, q, code_id)
        return ctx.render("confirm_apply.html", q=q, code_id=code_id, **preview)
    n = await ctx.call(search_apply_data, ctx.project, q, code_id)
    data = await ctx.call(search, ctx.project, q)
    codes = await ctx.call(ctx.project.code_tree)
    return ctx.render("search.html", q=q, codes=codes, applied=n, **data)
