"""Import page and user accounts."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from aia.project import Project
from aia.services.importing import ImportResult
from aia.web.core import Ctx, route


def import_files(project: Project, activity: int, files: list[tuple[str, bytes]]) -> list[ImportResult]:
    results = []
    for name, data in files:
        try:
            results.append(project.import_bytes(data, name, activity=activity))
        except Exception as exc:  # an AiaError names the file and the fix; anything else is shown too
            results.append(ImportResult(filename=name, status="failed", message=str(exc)))
    return results


@route("/import", "coder")
async def import_page(ctx: Ctx) -> Response:
    acts = await ctx.call(ctx.project.activities)
    return ctx.render("import.html", activities=acts, results=None)


@route("/import", "coder", ("POST",))
async def import_post(ctx: Ctx) -> Response:
    assert ctx.form is not None
    activity = int(ctx.field("activity"))
    files = [(f.filename or "upload", await f.read()) for f in ctx.form.getlist("files") if isinstance(f, UploadFile)]
    results = await ctx.call(import_files, ctx.project, activity, files)
    acts = await ctx.call(ctx.project.activities)
    return ctx.render("import.html", activities=acts, results=results)


@route("/users", "lead")
async def users_page(ctx: Ctx) -> Response:
    return ctx.render("users.html", accounts=await ctx.call(ctx.project.accounts))


@route("/users", "lead", ("POST",))
async def users_add(ctx: Ctx) -> Response:
    await ctx.call(ctx.project.add_account, ctx.field("username"), ctx.field("password"), ctx.field("role"))
    return RedirectResponse("/users", status_code=303)
