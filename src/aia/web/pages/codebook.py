"""The codebook: tree with counts, code pages with retrieval (context, filters, paging, links back into the sources),
create, rename, describe (description and colour), move (picker or drag and drop), merge and delete with previews."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from aia.project import Project
from aia.services.codebook import PALETTE, CodeNode
from aia.store.retrieval import Passage, RetrievalFilters
from aia.web.core import Ctx, back, route

PAGE_SIZE = 500  # passages per page of a code's retrieval
ELLIPSIS = "…"
_SPACE_RE = re.compile(r"\s+")


def _int(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name, "").strip()
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Shown:
    """A passage as the page shows it: the context cut at word boundaries, the link into the source."""

    p: Passage
    before: str
    after: str
    link: str
    meta: str  # forløb · WP · activity · date · speaker (participant) · time, one string (escaped once)


def _before(text: str, whole: bool) -> str:
    """The context before a passage: from the first whole word (unless it starts the source), on one line."""
    if not whole:
        first = _SPACE_RE.search(text)
        text = ELLIPSIS + text[first.start() :] if first else ""
    return _SPACE_RE.sub(" ", text)


def _after(text: str, whole: bool) -> str:
    """The context after a passage: up to the last whole word (unless it ends the source), on one line."""
    if not whole:
        cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"))
        text = text[:cut] + ELLIPSIS if cut > 0 else ""
    return _SPACE_RE.sub(" ", text)


def _clock(ms: int | None) -> str | None:
    if ms is None:
        return None
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def shown(p: Passage, context: int) -> Shown:
    anchor = f"seg-{p.segment_ordinal}" if p.segment_ordinal is not None else f"o{p.start}"
    speaker = f"{p.speaker} ({p.participant})" if p.speaker and p.participant else p.speaker or p.participant
    parts = [p.track_name, f"WP{p.wp}", p.activity, p.date, speaker, _clock(p.start_ms)]
    return Shown(
        p,
        _before(p.before, whole=p.start <= context),
        _after(p.after, whole=len(p.after) < context),
        f"/sources/{p.source_id}#{anchor}",
        " · ".join(part for part in parts if part),
    )


def code_page_data(project: Project, code_id: int, query: Mapping[str, str]) -> dict[str, Any]:
    tree = project.code_tree(with_counts=False)
    node = next((n for n in tree if n.code.id == code_id), None)
    code = node.code if node is not None else project.code(code_id)  # raises NotFoundError
    subtree = query.get("sub") == "1"
    track, wp, participant = _int(query, "track"), _int(query, "wp"), _int(query, "participant")
    coder = query.get("coder", "").strip()
    filters = RetrievalFilters(
        track_ids=[track] if track else (),
        wp_numbers=[wp] if wp else (),
        participant_ids=[participant] if participant else (),
        coders=[coder] if coder else (),
    )
    page_no = max(1, _int(query, "page") or 1)
    context = 80
    page = project.retrieve_page(
        code_id, include_subcodes=subtree, filters=filters, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    kept = {"sub": "1" if subtree else "", "track": track, "wp": wp, "participant": participant, "coder": coder}
    base = {k: v for k, v in kept.items() if v}

    def page_url(n: int) -> str:
        return f"/codes/{code_id}?" + urlencode({**base, "page": n})

    return {
        "code": code,
        "node": node,
        "page": page,
        "passages": [shown(p, context) for p in page.passages],
        "tree": tree,
        "sub": subtree,
        "filters": kept,
        "tracks": project.tracks(),
        "participants": project.participants(),
        "coders": project.coders(code_id, include_subcodes=subtree),
        "prev_url": page_url(page_no - 1) if page_no > 1 else None,
        "next_url": page_url(page_no + 1) if page.has_more else None,
        "first": page.offset + 1,
        "last": page.offset + len(page.passages),
    }


def _node(tree: list[CodeNode], code_id: int) -> CodeNode:
    for node in tree:
        if node.code.id == code_id:
            return node
    raise AssertionError("unreachable: the code was found")


def merge_preview(project: Project, code_id: int, target: int) -> dict[str, Any]:
    source, dest = project.code(code_id), project.code(target)
    tree = project.code_tree()
    src, dst = _node(tree, source.id), _node(tree, dest.id)
    subcodes = sum(1 for n in tree if n.code.parent_id == source.id)
    return {"src": src, "dst": dst, "n": src.codings, "subcodes": subcodes, "after": dst.codings + src.codings}


def delete_preview(project: Project, code_id: int) -> dict[str, Any]:
    code = project.code(code_id)
    tree = project.code_tree()
    return {"code": code, "n": _node(tree, code.id).total, "subcodes": len(project.descendants(code.id))}


@route("/codes", "reader")
async def codebook(ctx: Ctx) -> Response:
    tree = await ctx.call(ctx.project.code_tree)
    return ctx.render("codes.html", tree=tree, next_color=PALETTE[len(tree) % len(PALETTE)])


@route("/codes", "coder", ("POST",))
async def create_code(ctx: Ctx) -> Response:
    parent = ctx.field("parent") or None
    color = ctx.field("color").strip() or None
    await ctx.call(
        ctx.project.add_code,
        ctx.field("name").strip(),
        parent=int(parent) if parent else None,
        description=ctx.field("description").strip(),
        color=color,
    )
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


@route("/codes/{code_id:int}/describe", "coder", ("POST",))
async def describe_code(ctx: Ctx) -> Response:
    """Change the description and/or the colour (``#rrggbb``; anything else is refused with a 400 page)."""
    code_id = ctx.int_param("code_id")
    description = ctx.field("description") if ctx.form is not None and "description" in ctx.form else None
    color = ctx.field("color").strip() or None
    await ctx.call(
        ctx.project.describe_code,
        code_id,
        description=description.strip() if description is not None else None,
        color=color,
    )
    return RedirectResponse(f"/codes/{code_id}", status_code=303)


@route("/codes/{code_id:int}/move", "coder", ("POST",))
async def move_code(ctx: Ctx) -> Response:
    """Move a code under another (``parent``; empty: to the top). The picker on the code page and the tree's drag
    and drop (static/codebook.js, which sends ``next=/codes``) both post here."""
    code_id = ctx.int_param("code_id")
    parent = ctx.field("parent")
    await ctx.call(ctx.project.move_code, code_id, int(parent) if parent else None)
    return back(ctx, f"/codes/{code_id}")


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
