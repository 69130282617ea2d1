"""The codebook: tree with counts, code pages with retrieval (context, filters, paging, links back into the sources),
create, rename, describe (description and colour), move (picker or drag and drop), merge and delete with previews."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from aia.project import Project
from aia.services.codebook import PALETTE, CodeNode
from aia.store.retrieval import Passage, RetrievalFilters
from aia.web.core import Ctx, back, route
from aia.web.i18n import t
from aia.web.pages.memos import memos_for

PAGE_SIZE = 300  # passages per page of a code's retrieval (a subtree of 1,300 codings: five pages)
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
    return _one_line(text)


def _after(text: str, whole: bool) -> str:
    """The context after a passage: up to the last whole word (unless it ends the source), on one line."""
    if not whole:
        cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"))
        text = text[:cut] + ELLIPSIS if cut > 0 else ""
    return _one_line(text)


def _one_line(text: str) -> str:
    """Runs of white space as one space (the regex only where there is something to fold: most contexts have none)."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _SPACE_RE.sub(" ", text)
    return text


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


def passages_html(passages: Sequence[Shown], coder_label: str, with_code: bool) -> Markup:
    """The retrieval list's items as HTML, built here rather than in a template loop (the page's hot path: 300
    passages cost ~35 ms as Jinja ``{{ }}`` escapes, ~3 ms here). Every value goes through :func:`html.escape`."""
    out: list[str] = []
    add = out.append
    label = escape(coder_label)
    for x in passages:
        p = x.p
        code = f' · <span class="swatch c{p.code_id}">{escape(p.code_name)}</span>' if with_code else ""
        add(
            f'<li id="p{p.coding_id}"><a href="{escape(x.link)}">{escape(p.source_title)}</a>\n'
            f"<small>{escape(x.meta)} · {label}: {escape(p.coder)}{code}</small>\n"
            f'<blockquote>{escape(x.before, False)}<mark class="c{p.code_id}">{escape(p.text, False)}</mark>'
            f"{escape(x.after, False)}</blockquote>"
        )
        if p.comment:
            add(f'<p class="comment">{escape(p.comment, False)}</p>')
        add("</li>\n")
    return Markup("".join(out))


def code_page_data(project: Project, code_id: int, query: Mapping[str, str], lang: str = "da") -> dict[str, Any]:
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

    passages = [shown(p, context) for p in page.passages]
    return {
        "code": code,
        "node": node,
        "page": page,
        "passages": passages,
        "passages_html": passages_html(passages, t("codes.coder", lang), subtree),
        "memos": memos_for(project, "code", code_id),
        "link_type": "code",
        "link_target": code_id,
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


def children_of(tree: Sequence[CodeNode]) -> dict[int | None, list[CodeNode]]:
    """The tree (pre-order) as parent id -> child nodes (``None``: the top level), for the nested, collapsible list."""
    out: dict[int | None, list[CodeNode]] = {}
    for node in tree:
        out.setdefault(node.code.parent_id, []).append(node)
    return out


def move_target(project: Project, parent: str, parent_path: str | None) -> int | None:
    """Where a move goes: ``parent`` (an id; empty: the top level) from the drag and drop and the code page, or
    ``parent_path`` (a path typed in the tree's "move to" picker; empty: the top level)."""
    if parent_path is None:
        return int(parent) if parent.strip() else None
    path = parent_path.strip().strip("/")
    return project.code(path).id if path else None


@route("/codes", "reader")
async def codebook(ctx: Ctx) -> Response:
    tree = await ctx.call(ctx.project.code_tree)
    return ctx.render("codes.html", tree=tree, children=children_of(tree), next_color=PALETTE[len(tree) % len(PALETTE)])


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
    data = await ctx.call(
        code_page_data, ctx.project, ctx.int_param("code_id"), ctx.request.query_params, ctx.session.lang
    )
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
    """Move a code under another (``parent``: an id, or ``parent_path``: a path; empty: to the top). The picker on
    the code page, the tree's "move to" pickers and its drag and drop (static/codebook.js, which sends
    ``next=/codes``) all post here."""
    code_id = ctx.int_param("code_id")
    path = ctx.field("parent_path") if ctx.form is not None and "parent_path" in ctx.form else None
    parent = await ctx.call(move_target, ctx.project, ctx.field("parent"), path)
    await ctx.call(ctx.project.move_code, code_id, parent)
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
