"""Memos: list (with what each is linked to), one memo, write and edit in Markdown, link a memo to anything.

Other pages show the memos about their object with :func:`memos_for` and the partial template ``memo_box.html``:
``{% include "memo_box.html" %}`` with ``memos`` (from :func:`memos_for`), ``link_type`` and ``link_target`` in
the context; its "new memo" link opens the memo form with the link filled in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from aia.errors import ValidationError
from aia.project import Project
from aia.services.memolinks import LINK_TARGETS, MemoView
from aia.web.core import Ctx, route
from aia.web.memomarkdown import render_markdown


@dataclass(frozen=True)
class ShownMemo:
    view: MemoView
    html: Markup


def _shown(views: list[MemoView], render: bool = True) -> list[ShownMemo]:
    """The memos with their Markdown rendered (sanitised by nh3), or with no body (``render=False``: lists)."""
    return [ShownMemo(v, Markup(render_markdown(v.memo.body) if render else "")) for v in views]


def memos_for(project: Project, target_type: str, target_id: int) -> list[ShownMemo]:
    """The memos about one object (attached to it or linking to it; a source's include those about places in it),
    with their links and their Markdown rendered: the context for ``memo_box.html``. Call in the thread pool."""
    return _shown(project.memo_views(project.memos_about(target_type, target_id)))


def memo_list_data(project: Project) -> dict[str, Any]:
    # the list shows titles and links, not the texts: rendering hundreds of bodies would cost ~1.5 ms each
    views = project.memo_views(list(reversed(project.memos())))
    return {"memos": _shown(views, render=False), "targets": LINK_TARGETS}


def memo_page_data(project: Project, memo_id: int) -> dict[str, Any]:
    views = project.memo_views([project.memo(memo_id)])
    return {
        "m": _shown(views)[0],
        "about": memos_for(project, "memo", memo_id),
        "targets": LINK_TARGETS,
    }


def _int_or_none(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(f"{what} must be a whole number of characters, not {text!r}")
    return int(text)


def add_memo_linked(project: Project, title: str, body: str, link_type: str, link_target: str) -> int:
    memo = project.add_memo(title, body)
    if link_type and link_target.strip():
        project.link_memo(memo.id, link_type, link_target)
    return memo.id


@route("/memos", "reader")
async def memo_list(ctx: Ctx) -> Response:
    data = await ctx.call(memo_list_data, ctx.project)
    params = ctx.request.query_params
    return ctx.render(
        "memos.html", link_type=params.get("link_type", ""), link_target=params.get("link_target", ""), **data
    )


@route("/memos", "coder", ("POST",))
async def memo_add(ctx: Ctx) -> Response:
    memo_id = await ctx.call(
        add_memo_linked,
        ctx.project,
        ctx.field("title"),
        ctx.field("body"),
        ctx.field("link_type"),
        ctx.field("link_target"),
    )
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


@route("/memos/{memo_id:int}", "reader")
async def memo_page(ctx: Ctx) -> Response:
    return ctx.render("memo.html", **await ctx.call(memo_page_data, ctx.project, ctx.int_param("memo_id")))


@route("/memos/{memo_id:int}", "coder", ("POST",))
async def memo_edit(ctx: Ctx) -> Response:
    memo_id = ctx.int_param("memo_id")
    await ctx.call(ctx.project.update_memo, memo_id, ctx.field("title"), ctx.field("body"))
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


@route("/memos/{memo_id:int}/links", "coder", ("POST",))
async def memo_link(ctx: Ctx) -> Response:
    memo_id = ctx.int_param("memo_id")
    start = _int_or_none(ctx.field("start"), "the start of the place")
    end = _int_or_none(ctx.field("end"), "the end of the place")
    target = ctx.field("target").strip()
    if not target:
        raise ValidationError(f"say what memo {memo_id} should be linked to (a number or a name) and try again")
    await ctx.call(ctx.project.link_memo, memo_id, ctx.field("target_type"), target, start, end)
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


@route("/memos/{memo_id:int}/unlink", "coder", ("POST",))
async def memo_unlink(ctx: Ctx) -> Response:
    memo_id = ctx.int_param("memo_id")
    link = _int_or_none(ctx.field("link"), "the link")
    if link is None:
        raise ValidationError(f"say which link of memo {memo_id} to remove")
    await ctx.call(ctx.project.unlink_memo, memo_id, link)
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)
