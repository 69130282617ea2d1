"""The codebook: tree, code pages with retrieval, create, rename, move, merge and delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import RedirectResponse, Response

from aia.project import Project
from aia.web.core import Ctx, route


def code_page_data(project: Project, code_id: int, query: Mapping[str, str]) -> dict[str, Any]:
    code = project.code(code_id)
    subtree = query.get("sub") == "1"
    texts = project.retrieve(code_id, include_subcodes=subtree)
    if query.get("track"):
        texts = [x for x in texts if x.track == query["track"]]
    if query.get("coder"):
        texts = [x for x in texts if x.coder == query["coder"]]
    return {"code": code, "texts": texts, "tree": project.code_tree(), "sub": subtree}


def merge_preview(project: Project, code_id: int, target: int) -> dict[str, Any]:
    source, dest = project.code(code_id), project.code(target)
    return {"src": source, "dst": dest, "n": len(project.codings(code=code_id))}


def delete_preview(project: Project, code_id: int) -> dict[str, Any]:
    return {"code": project.code(code_id), "n": len(project.codings(code=code_id, include_subcodes=True))}


@route("/codes", "reader")
async def codebook(ctx: Ctx) -> Response:
    return ctx.render("codes.html", tree=await ctx.call(ctx.project.code_tree))


@route("/codes", "coder", ("POST",))
async def create_code(ctx: Ctx) -> Response:
    parent = ctx.field("parent") or None
    await ctx.call(ctx.project.add_code, ctx.field("name").strip(), parent=int(parent) if parent else None)
    return RedirectResponse("/codes", status_code=303)


@route("/codes/{code_id:int}", "reader")
async def code_page(ctx: Ctx) -> Response:
    data = await ctx.call(code_page_data, ctx.project, ctx.int_param("code_id"), ctx.request.query_params)
    return ctx.render("code.html", **data)


@route("/codes/{code_id:int}/rename", "coder", ("POST",))
async def rename_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    await ctx.call(ctx.project.rename_code, code_id, ctx.field("name").strip())
    return RedirectResponse(f"/codes/{code_id}", status_code=303)


@route("/codes/{code_id:int}/move", "coder", ("POST",))
async def move_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    parent = ctx.field("parent")
    await ctx.call(ctx.project.move_code, code_id, int(parent) if parent else None)
    return RedirectResponse(f"/codes/{code_id}", status_code=303)


@route("/codes/{code_id:int}/merge", "lead", ("POST",))
async def merge_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    target = int(ctx.field("target"))
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(merge_preview, ctx.project, code_id, target)
        return ctx.render("confirm_merge.html", **preview)
    await ctx.call(ctx.project.merge_codes, code_id, target)
    return RedirectResponse(f"/codes/{target}", status_code=303)


@route("/codes/{code_id:int}/delete", "lead", ("POST",))
async def delete_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(delete_preview, ctx.project, code_id)
        return ctx.render("confirm_delete.html", **preview)
    await ctx.call(ctx.project.delete_code, code_id, force=True)
    return RedirectResponse("/codes", status_code=303)
