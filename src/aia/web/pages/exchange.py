"""REFI-QDA in the browser (lead only): export the project (.qdpx) or the codebook (.qdc) as a download, and
import an uploaded .qdpx (merged into this project by GUID) or .qdc, with its report and warnings."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from aia.errors import ValidationError
from aia.exchange.refi.positions import POSITION_CHOICES
from aia.web.core import Ctx, route

_TYPES = {"qdpx": "application/zip", "qdc": "application/xml"}


@route("/exchange", "lead")
async def exchange_page(ctx: Ctx) -> Response:
    return ctx.render("exchange.html", summary=None, positions=POSITION_CHOICES)


async def _export(ctx: Ctx, kind: str) -> Response:
    name, data = await ctx.call(ctx.project.export_download, kind)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        data,
        media_type=_TYPES[kind],
        headers={"content-disposition": f'attachment; filename="{ascii_name}"'},
    )


@route("/exchange/export.qdpx", "lead", ("POST",))
async def export_qdpx(ctx: Ctx) -> Response:
    return await _export(ctx, "qdpx")


@route("/exchange/export.qdc", "lead", ("POST",))
async def export_qdc(ctx: Ctx) -> Response:
    return await _export(ctx, "qdc")


@route("/exchange/import", "lead", ("POST",))
async def exchange_import(ctx: Ctx) -> Response:
    assert ctx.form is not None
    upload = ctx.form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationError("choose a .qdpx project or a .qdc codebook to import, then upload again")
    positions = ctx.field("positions", "auto")
    remove_missing = ctx.field("remove_missing", "") == "1"
    data = await upload.read()
    summary = await ctx.call(ctx.project.import_upload, upload.filename, data, positions, remove_missing)
    return ctx.render("exchange.html", summary=summary, positions=POSITION_CHOICES)
