"""Source list and the source viewer: segments with coded spans, applying and removing codings."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from aia.errors import NotFoundError, ValidationError
from aia.model import Code, Coding
from aia.project import Project
from aia.store.webviews import CodingSpan
from aia.web.core import Ctx, route


@dataclass(frozen=True)
class Piece:
    """A run of text with the same set of codings; ``start`` is its code-point offset in the source."""

    start: int
    text: str
    codings: tuple[int, ...]
    code_ids: tuple[int, ...]


@dataclass(frozen=True)
class SegmentView:
    ordinal: int
    speaker: str | None
    time: str | None
    kind: str
    pieces: list[Piece]


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


def split_pieces(start: int, text: str, spans: Sequence[CodingSpan | Coding]) -> list[Piece]:
    """Cut ``text`` (which begins at ``start`` in the source) where a coding begins or ends."""
    if not spans:
        return [Piece(start, text, (), ())]
    end = start + len(text)
    cuts = {start, end}
    for c in spans:
        cuts.add(max(start, c.start))
        cuts.add(min(end, c.end))
    points = sorted(cuts)
    pieces = []
    for a, b in pairwise(points):
        if a >= b:
            continue
        covering = [c for c in spans if c.start <= a and c.end >= b]
        pieces.append(
            Piece(a, text[a - start : b - start], tuple(c.id for c in covering), tuple(c.code_id for c in covering))
        )
    return pieces


def segments_html(views: list[SegmentView]) -> Markup:
    """The viewer's segments as HTML (built here rather than in a template loop: 2,000 segments x pieces is the
    hot path). Every piece of user text goes through :func:`html.escape`; there is no UI text here."""
    out: list[str] = []
    add = out.append
    for seg in views:
        add(f'<div class="seg seg-{escape(seg.kind)}" id="seg-{seg.ordinal}">')
        if seg.speaker or seg.time:
            add('<div class="meta">')
            if seg.time:
                add(f'<span class="time">{seg.time}</span> ')
            if seg.speaker:
                add(f'<span class="speaker">{escape(seg.speaker)}</span>')
            add("</div>")
        add('<div class="text">')
        for p in seg.pieces:
            if p.codings:
                overlap = " overlap" if len(p.codings) > 1 else ""
                ids = " ".join(map(str, p.codings))
                cls = f"hl c{p.code_ids[0]}{overlap}"
                add(f'<span data-o="{p.start}" data-c="{ids}" class="{cls}">{escape(p.text)}</span>')
            else:
                add(f'<span data-o="{p.start}">{escape(p.text)}</span>')
        add("</div></div>\n")
    return Markup("".join(out))


def source_view(project: Project, source_id: int) -> dict[str, Any]:
    source = project.source(source_id)
    segments, codings = project.viewer_data(source_id)
    codes = {c.id: c for c in project.codes()}
    bounds: list[tuple[int, int, str | None, str | None, str, int]]
    if not segments:
        bounds = [(0, len(source.text), None, None, "text", 0)]
    else:
        bounds = [(s.start, s.end, s.speaker, _clock(s.start_ms), s.kind, s.ordinal) for s in segments]
    starts = [b[0] for b in bounds]
    per_segment: list[list[CodingSpan]] = [[] for _ in bounds]
    for c in codings:
        i = max(0, bisect_right(starts, c.start) - 1)
        while i < len(bounds) and bounds[i][0] < c.end:
            if bounds[i][1] > c.start:
                per_segment[i].append(c)
            i += 1
    text = source.text
    views = [
        SegmentView(ordinal, speaker, time, kind, split_pieces(a, text[a:b], per_segment[i]))
        for i, (a, b, speaker, time, kind, ordinal) in enumerate(bounds)
    ]
    return {
        "source": source,
        "segments_html": segments_html(views),
        "codings": [(c, codes[c.code_id], text[c.start : c.end]) for c in codings],
        "tree": project.code_tree(),
    }


def apply_coding_data(project: Project, source_id: int, start: int, end: int, code_id: str, new_code: str) -> Coding:
    """Code ``[start, end)`` (code points) with an existing code or a new one made on the spot."""
    if new_code:
        existing = {c.name: c for c in project.codes() if c.parent_id is None}
        code: Code = existing[new_code] if new_code in existing else project.add_code(new_code)
        return project.add_coding(source_id, start, end, code.id)
    if not code_id.isdigit():
        raise ValidationError("no code was chosen; pick an existing code or type the name of a new one")
    return project.add_coding(source_id, start, end, int(code_id))


def remove_coding_data(project: Project, coding_id: int, any_coder: bool) -> int:
    """Remove a coding; a coder may remove only their own. Returns the source id."""
    found = [c for c in project.codings() if c.id == coding_id]
    if not found:
        raise NotFoundError(f"there is no coding {coding_id}; reload the page")
    coding = found[0]
    if not any_coder and coding.coder != project.user:
        raise ValidationError(f"coding {coding_id} was made by {coding.coder}; only they or a lead can remove it")
    project.remove_coding(coding_id)
    return coding.source_id


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


@route("/sources/{source_id:int}", "reader")
async def source_viewer(ctx: Ctx) -> Response:
    data = await ctx.call(source_view, ctx.project, ctx.int_param("source_id"))
    return ctx.render("viewer.html", **data)


@route("/sources/{source_id:int}/codings", "coder", ("POST",))
async def apply_coding(ctx: Ctx) -> Response:
    source_id = ctx.int_param("source_id")
    await ctx.call(
        apply_coding_data,
        ctx.project,
        source_id,
        int(ctx.field("start")),
        int(ctx.field("end")),
        ctx.field("code_id"),
        ctx.field("new_code").strip(),
    )
    return RedirectResponse(f"/sources/{source_id}", status_code=303)


@route("/codings/{coding_id:int}/delete", "coder", ("POST",))
async def remove_coding(ctx: Ctx) -> Response:
    source_id = await ctx.call(remove_coding_data, ctx.project, ctx.int_param("coding_id"), ctx.session.role == "lead")
    return RedirectResponse(f"/sources/{source_id}", status_code=303)
