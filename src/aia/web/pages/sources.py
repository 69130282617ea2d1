"""Source list and the source viewer: segments with coded spans (sent a chunk at a time), the code picker, one
coding's details on demand, and applying, editing and removing codings."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any, Protocol

from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from aia.errors import ValidationError
from aia.model import Code, Coding
from aia.project import Project
from aia.services.webviews import CHUNK_BUDGET, ViewerChunk
from aia.store.webviews import SegmentBounds
from aia.web.core import Ctx, route
from aia.web.i18n import t
from aia.web.pages.memos import memos_for


class Span(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Piece:
    """A run of text with the same set of codings; ``start`` is its code-point offset in the source."""

    start: int
    text: str
    codings: tuple[int, ...]
    code_ids: tuple[int, ...]


def _clock(ms: int | None) -> str | None:
    if ms is None:
        return None
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def code_css(project: Project) -> str:
    # colours are validated as #rrggbb by the codebook service
    return "".join(f".c{c.id}{{background:{c.color}55;border-bottom:2px solid {c.color}}}\n" for c in project.codes())


def source_list_data(project: Project, track: str | None, wp: int | None, q: str) -> dict[str, Any]:
    rows = project.sources(track=track, wp=wp)
    if q:
        rows = [r for r in rows if q.casefold() in r[0].title.casefold()]
    return {"rows": rows, "tracks": project.tracks()}


def split_pieces(start: int, text: str, spans: Sequence[Span], cuts: Sequence[int] = ()) -> list[Piece]:
    """Cut ``text`` (which begins at ``start`` in the source) where a coding begins or ends, and at ``cuts``."""
    if not spans and not cuts:
        return [Piece(start, text, (), ())]
    end = start + len(text)
    points = {start, end}
    for c in spans:
        points.add(max(start, c.start))
        points.add(min(end, c.end))
    for x in cuts:
        if start < x < end:
            points.add(x)
    pieces = []
    for a, b in pairwise(sorted(points)):
        if a >= b:
            continue
        covering = [c for c in spans if c.start <= a and c.end >= b]
        pieces.append(
            Piece(a, text[a - start : b - start], tuple(c.id for c in covering), tuple(c.code_id for c in covering))
        )
    return pieces


# -- rendering the segments (the hot path: built here rather than in a template loop) ----------------------------
_CARD_KINDS = frozenset(("post", "comment"))


def _meta(seg: SegmentBounds) -> dict[str, Any]:
    """A segment's meta, decoded only where the viewer shows it (posts and AI-log turns: not per interview turn)."""
    if seg.kind in _CARD_KINDS or (seg.kind == "turn" and '"code_blocks"' in seg.meta):
        try:
            value = json.loads(seg.meta)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def _spans_of(meta: dict[str, Any], key: str) -> list[tuple[int, int]]:
    out = []
    for item in meta.get(key) or ():
        if isinstance(item, dict) and isinstance(item.get("start"), int) and isinstance(item.get("end"), int):
            out.append((item["start"], item["end"]))
    return out


def _text_html(pieces: list[Piece], blocks: list[tuple[int, int]]) -> str:
    """Pieces as HTML: coded ones as ``<span class="cN" data-c="ids">``; those inside a code block inside ``<pre>``.
    Every piece of text goes through :func:`html.escape`."""
    out: list[str] = []
    inside = False
    for p in pieces:
        if blocks:
            now = any(a <= p.start < b for a, b in blocks)
            if now != inside:
                out.append("<pre>" if now else "</pre>")
                inside = now
        if p.codings:
            overlap = " overlap" if len(p.codings) > 1 else ""
            ids = " ".join(map(str, p.codings))
            # focusable: Enter or Space opens the coding's details (static/app.js), as a click does
            out.append(
                f'<span class="c{p.code_ids[0]}{overlap}" data-c="{ids}" tabindex="0" role="button">'
                f"{escape(p.text, False)}</span>"
            )
        else:
            out.append(escape(p.text, False))
    if inside:
        out.append("</pre>")
    return "".join(out)


def _card_head(seg: SegmentBounds, meta: dict[str, Any], label: Callable[[str], str]) -> str:
    parts = [f"<b>{escape(seg.speaker or '')}</b>"]
    if isinstance(meta.get("time"), str):
        parts.append(f"<time>{escape(meta['time'][:16].replace('T', ' '))}</time>")
    score = meta.get("score")
    if isinstance(score, int) and not isinstance(score, bool):
        parts.append(f'<span class="score">{escape(label("score"))} {score}</span>')
    if meta.get("accepted") is True:
        parts.append(f'<span class="accepted">✔ {escape(label("accepted"))}</span>')
    return " ".join(parts)


def segments_html(chunk: ViewerChunk, label: Callable[[str], str]) -> Markup:
    """The chunk's segments as lean HTML: ``<div class="s" id="seg-N">`` holding an optional meta line ``.m`` and
    the text ``.x`` whose ``data-o`` is its code-point offset (the browser counts code points from there)."""
    text, base = chunk.text, chunk.start
    by_start: list[tuple[int, int, int, int]] = [(c.start, c.end, c.id, c.code_id) for c in chunk.codings]
    out: list[str] = []
    add = out.append
    segs = chunk.segments or [SegmentBounds(0, "text", base, base + len(text), None, None, "{}")]
    j = 0  # first coding that may still overlap the current segment (codings are sorted by start)
    pending: list[tuple[int, int, int, int]] = []
    for seg in segs:
        a, b = seg.start, seg.end
        while j < len(by_start) and by_start[j][0] < b:
            pending.append(by_start[j])
            j += 1
        pending = [c for c in pending if c[1] > a]
        spans = [_SpanT(c[2], c[3], c[0], c[1]) for c in pending if c[0] < b]
        meta = _meta(seg)
        blocks = _spans_of(meta, "code_blocks") if meta else []
        cuts = [x for span in blocks for x in span]
        pieces = split_pieces(a, text[a - base : b - base], spans, cuts) if spans or cuts else None
        body = (
            _text_html(pieces, [(x, y) for x, y in blocks if x < y])
            if pieces is not None
            else escape(text[a - base : b - base], False)
        )
        if seg.kind in _CARD_KINDS:
            depth = meta.get("depth")
            d = min(depth, 8) if isinstance(depth, int) and not isinstance(depth, bool) and depth > 0 else 0
            add(f'<div class="s card{f" d{d}" if d else ""}" id="seg-{seg.ordinal}">')
            add(f'<div class="m">{_card_head(seg, meta, label)}</div>')
        else:
            head = []
            if seg.start_ms is not None:
                head.append(f"<time>{_clock(seg.start_ms)}</time>")
            if meta:
                for key in ("model", "time"):
                    value = meta.get(key)
                    if isinstance(value, str) and value:
                        head.append(f"<small>{escape(value[:32])}</small>")
            spoken = text[a - base : b - base]
            if seg.speaker and not (
                spoken.startswith(seg.speaker) and spoken[len(seg.speaker) : len(seg.speaker) + 1] == ":"
            ):
                head.append(f"<b>{escape(seg.speaker)}</b>")
            add(f'<div class="s" id="seg-{seg.ordinal}">')
            if head:
                add(f'<div class="m">{" ".join(head)}</div>')
        add(f'<div class="x" data-o="{a}">{body}</div></div>\n')
    return Markup("".join(out))


@dataclass(frozen=True)
class _SpanT:
    id: int
    code_id: int
    start: int
    end: int


def source_view(project: Project, source_id: int, everything: bool) -> dict[str, Any]:
    source = project.source(source_id, with_text=False)
    chunk = project.viewer_chunk(source_id, 0, 2**62 if everything else CHUNK_BUDGET)
    paths = code_paths(project.codes())
    return {
        "source": source,
        "chunk": chunk,
        "code_paths": sorted(paths.values(), key=str.casefold),
        # memos about the source or places in it, and the "new memo linked here" link (memo_box.html)
        "memos": memos_for(project, "source", source_id),
        "link_type": "source",
        "link_target": source_id,
    }


def code_paths(codes: Sequence[Code]) -> dict[int, str]:
    """Every code's path (``Parent/Child``), without counting codings (the code tree's counts read every coding)."""
    by_id = {c.id: c for c in codes}
    out: dict[int, str] = {}

    def path(c: Code) -> str:
        if c.id not in out:
            parent = by_id.get(c.parent_id) if c.parent_id is not None else None
            out[c.id] = c.name if parent is None else f"{path(parent)}/{c.name}"
        return out[c.id]

    for c in codes:
        path(c)
    return out


def apply_coding_data(
    project: Project, source_id: int, start: int, end: int, code_id: str, new_code: str, code_path: str = ""
) -> Coding:
    """Code ``[start, end)`` (code points) with an existing code (by id, or by path typed in the picker) or a new
    one made on the spot (``Parent/Name`` makes it under an existing parent)."""
    if code_path:
        return project.add_coding(source_id, start, end, code_for_path(project, code_path).id)
    if new_code:
        existing = {c.name: c for c in project.codes() if c.parent_id is None}
        code: Code = existing[new_code] if new_code in existing else project.add_code(new_code)
        return project.add_coding(source_id, start, end, code.id)
    if not code_id.isdigit():
        raise ValidationError("no code was chosen; pick an existing code or type the name of a new one")
    return project.add_coding(source_id, start, end, int(code_id))


def code_for_path(project: Project, path: str) -> Code:
    """The code whose path is ``path`` (as the picker lists them), made if there is none; a new code's parent
    (everything before the last ``/``) must exist."""
    path = "/".join(part.strip() for part in path.strip().strip("/").split("/"))
    codes = project.codes()
    paths = code_paths(codes)
    by_path = {paths[c.id]: c for c in codes}
    if path in by_path:
        return by_path[path]
    folded = [c for p, c in by_path.items() if p.casefold() == path.casefold()]
    if len(folded) == 1:
        return folded[0]
    parent, _, name = path.rpartition("/")
    if not parent:
        return project.add_code(name)
    parents = [c for p, c in by_path.items() if p == parent]
    if not parents:
        raise ValidationError(f"there is no code {parent!r} to put {name!r} under; create it first or drop the '/'")
    return project.add_code(name, parent=parents[0].id)


def coding_data(project: Project, coding_id: int, source_id: int | None = None) -> dict[str, Any]:
    detail, memos = project.coding_details(coding_id)
    if source_id is not None and detail.source_id != source_id:
        raise ValidationError(f"coding {coding_id} belongs to source {detail.source_id}, not {source_id}")
    path = code_paths(project.codes()).get(detail.code_id, detail.code_name)
    return {"c": detail, "memos": memos, "code_path": path}


def edit_coding_data(project: Project, coding_id: int, code_path: str, comment: str, any_coder: bool) -> bool:
    """Change a coding's comment and (if ``code_path`` names another code) its code. True if the code changed."""
    before = project.coding(coding_id)
    code = code_for_path(project, code_path) if code_path.strip() else None
    changed = code is not None and code.id != before.code_id
    project.edit_coding(coding_id, code=code.id if changed and code else None, comment=comment, only_own=not any_coder)
    return changed


def remove_coding_data(project: Project, coding_id: int, any_coder: bool) -> int:
    """Remove a coding; a coder may remove only their own. Returns the source id."""
    return project.remove_coding(coding_id, only_own=not any_coder).source_id


# -- routes ------------------------------------------------------------------------------------------------------
@route("/codes.css", "reader")
async def code_colours(ctx: Ctx) -> Response:
    css = await ctx.call(code_css, ctx.project)
    return Response(css, media_type="text/css")


@route("/sources", "reader")
async def source_list(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    track = q.get("track") or None
    wp = int(q["wp"]) if q.get("wp", "").isdigit() else None
    data = await ctx.call(source_list_data, ctx.project, track, wp, q.get("q", ""))
    return ctx.render("sources.html", **data, track=track or "", wp=wp, q=q.get("q", ""))


def _segments(ctx: Ctx, chunk: ViewerChunk) -> Markup:
    lang = ctx.session.lang
    return segments_html(chunk, lambda key: t(f"viewer.{key}", lang))


@route("/sources/{source_id:int}", "reader")
async def source_viewer(ctx: Ctx) -> Response:
    everything = ctx.request.query_params.get("all") == "1"
    data = await ctx.call(source_view, ctx.project, ctx.int_param("source_id"), everything)
    return ctx.render("viewer.html", **data, segments_html=_segments(ctx, data["chunk"]))


@route("/sources/{source_id:int}/segments", "reader")
async def source_segments(ctx: Ctx) -> Response:
    """The next chunk of segments (htmx, when the "more" marker scrolls into view), with its own marker."""
    first = ctx.request.query_params.get("from", "")
    if not first.isdigit():
        raise ValidationError("say from which segment to continue (?from=N)")
    source_id = ctx.int_param("source_id")
    chunk = await ctx.call(ctx.project.viewer_chunk, source_id, int(first))
    return ctx.render("viewer_more.html", source_id=source_id, chunk=chunk, segments_html=_segments(ctx, chunk))


@route("/sources/{source_id:int}/codings", "coder", ("POST",))
async def apply_coding(ctx: Ctx) -> Response:
    source_id = ctx.int_param("source_id")
    start = int(ctx.field("start"))
    await ctx.call(
        apply_coding_data,
        ctx.project,
        source_id,
        start,
        int(ctx.field("end")),
        ctx.field("code_id"),
        ctx.field("new_code").strip(),
        ctx.field("code").strip(),
    )
    return RedirectResponse(f"/sources/{source_id}#o{start}", status_code=303)


def _may_edit(ctx: Ctx, coder: str) -> bool:
    return ctx.session.role == "lead" or (ctx.session.role == "coder" and coder == ctx.session.username)


@route("/sources/{source_id:int}/codings/{coding_id:int}", "reader")
async def coding_details(ctx: Ctx) -> Response:
    """One coding's details (an htmx fragment for the viewer's side panel)."""
    data = await ctx.call(coding_data, ctx.project, ctx.int_param("coding_id"), ctx.int_param("source_id"))
    return ctx.render("viewer_coding.html", **data, may_edit=_may_edit(ctx, data["c"].coder))


@route("/sources/{source_id:int}/codings/{coding_id:int}", "coder", ("POST",))
async def edit_coding(ctx: Ctx) -> Response:
    source_id, coding_id = ctx.int_param("source_id"), ctx.int_param("coding_id")
    await ctx.call(coding_data, ctx.project, coding_id, source_id)  # 404 / wrong source before any change
    changed = await ctx.call(
        edit_coding_data, ctx.project, coding_id, ctx.field("code"), ctx.field("comment"), ctx.session.role == "lead"
    )
    if ctx.request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/sources/{source_id}", status_code=303)
    data = await ctx.call(coding_data, ctx.project, coding_id, source_id)
    response = ctx.render("viewer_coding.html", **data, may_edit=_may_edit(ctx, data["c"].coder), saved=True)
    if changed:
        response.headers["HX-Refresh"] = "true"  # the highlight's colour changed: reload the page
    return response


@route("/sources/{source_id:int}/codings/{coding_id:int}/memos", "coder", ("POST",))
async def coding_memo(ctx: Ctx) -> Response:
    source_id, coding_id = ctx.int_param("source_id"), ctx.int_param("coding_id")
    await ctx.call(coding_data, ctx.project, coding_id, source_id)
    await ctx.call(ctx.project.add_memo, ctx.field("title").strip(), ctx.field("body"), "coding", coding_id)
    if ctx.request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/sources/{source_id}", status_code=303)
    data = await ctx.call(coding_data, ctx.project, coding_id, source_id)
    return ctx.render("viewer_coding.html", **data, may_edit=_may_edit(ctx, data["c"].coder))


@route("/codings/{coding_id:int}/delete", "coder", ("POST",))
async def remove_coding(ctx: Ctx) -> Response:
    source_id = await ctx.call(remove_coding_data, ctx.project, ctx.int_param("coding_id"), ctx.session.role == "lead")
    return RedirectResponse(f"/sources/{source_id}", status_code=303)
